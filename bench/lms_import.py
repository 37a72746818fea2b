"""Time `autograder import lab1_neuron ZIP` on a 300-student Canvas archive (target: at most 10 s).

What is measured: the import of an LMS download into submitted/<student>/lab1_neuron/ (autograder/course/
lms_import.py): reading the archive's central directory, sorting each member out (names, roster, caps, the latest
hand-in per student), reading the chosen members under their caps and writing each notebook and timestamp.txt
atomically, then the report.

The archive is built first (not timed) as Canvas's "Download Submissions" names its members
(`<name>_[LATE_]<user id>_<submission id>_<file name>`, deflated): --students students (300 by default), each
handing in one of lab1's example submissions (examples/lab1_neuron.py: the answer key, the stub and the typical
bugs, without saved outputs, as students hand them in), one student in ten an earlier version too (superseded), one
in twenty flagged LATE, and a few .py files (not notebooks); the roster maps every user id to a student id.

Each run imports into a fresh throwaway course (built as autograder/demo/course.py builds demo_course/), so that
nothing is "already submitted":
  import      import_archive() in this process, --repeat times: median, min and max seconds
  cli         python -m autograder --config <course>/course_config.py import lab1_neuron <zip>, once, in a
              subprocess: the command as the instructor runs it (start-up, printing and the CSV report included)

Run from the kit's folder:

    .venv/bin/python bench/lms_import.py [--students 300] [--repeat 3] [--keep]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

from autograder.course.config import load_config
from autograder.course.lms_import import IMPORTED, import_archive
from autograder.course.roster import read_roster
from autograder.demo.course import KIT, make_course
from autograder.demo.examples import load_variants, write_variant

LAB = "lab1_neuron"
GRADABLE = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "judy")


def example_notebooks(folder: str) -> list[bytes]:
    """The bytes of lab1's gradable example submissions, as students hand them in."""
    kit = load_config(os.path.join(KIT, "course_config.py"))
    notebooks = []
    for variant in load_variants(kit, LAB):
        if variant.student in GRADABLE:
            path = os.path.join(folder, variant.student + ".ipynb")
            write_variant(kit, LAB, variant, path)
            with open(path, "rb") as handle:
                notebooks.append(handle.read())
    return notebooks


def member(archive: zipfile.ZipFile, name: str, data: bytes, when: tuple) -> None:
    info = zipfile.ZipInfo(name, when)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build_archive(path: str, roster_path: str, students: int, notebooks: list[bytes]) -> int:
    """A Canvas archive of `students` students' hand-ins and its roster; returns the number of members."""
    members = 0
    with zipfile.ZipFile(path, "w") as archive, open(roster_path, "w", encoding="utf-8") as roster:
        roster.write("student,lms_id\n")
        for n in range(students):
            user = 40000 + n
            roster.write(f"s{n:04d},{user}\n")
            name = "student" + "".join(chr(ord("a") + int(digit)) for digit in f"{n:04d}")
            notebook = notebooks[n % len(notebooks)]
            late = "LATE_" if n % 20 == 0 else ""
            when = (2027, 1, 15, 18 if late else 12, n % 60, 0)
            if n % 10 == 0:  # an earlier hand-in, superseded by the later one
                member(archive, f"{name}_{user}_{2 * n}_lab1_neuron.ipynb", notebooks[-1], (2027, 1, 14, 9, 0, 0))
                members += 1
            member(archive, f"{name}_{late}{user}_{2 * n + 1}_lab1_neuron-1.ipynb", notebook, when)
            members += 1
            if n % 50 == 0:
                member(archive, f"{name}_{user}_{2 * n + 1}_lab1_neuron.py", b"print('a script')\n", when)
                members += 1
    return members


def fresh_course(folder: str, roster_path: str):
    config = 'c.Autograder.due_dates = {"lab1_neuron": "2027-01-15 17:00"}\n'
    make_course(folder, extra_config=config)
    shutil.copyfile(roster_path, os.path.join(folder, "roster.csv"))
    return load_config(os.path.join(folder, "course_config.py"))


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--students", type=int, default=300)
    options.add_argument("--repeat", type=int, default=3)
    options.add_argument("--keep", action="store_true", help="keep the throwaway folder and say where it is")
    args = options.parse_args(argv)
    work = tempfile.mkdtemp(prefix="bench-lms-import-")
    try:
        archive = os.path.join(work, "submissions.zip")
        roster_path = os.path.join(work, "roster.csv")
        members = build_archive(archive, roster_path, args.students, example_notebooks(work))
        print(
            f"archive: {members} members, {os.path.getsize(archive) / 2**20:.1f} MiB "
            f"({args.students} students of {LAB}, Canvas's naming)"
        )
        seconds = []
        for attempt in range(args.repeat):
            settings = fresh_course(os.path.join(work, f"course{attempt}"), roster_path)
            started = time.perf_counter()
            report = import_archive(settings, LAB, archive, read_roster(settings.path("roster.csv")))
            seconds.append(time.perf_counter() - started)
            if report.count(IMPORTED) != args.students:
                print(report.summary())
                return 1
        print(report.summary())
        print(
            f"import: {statistics.median(seconds):.2f} s median (min {min(seconds):.2f}, max {max(seconds):.2f}) "
            f"over {args.repeat} runs"
        )
        settings = fresh_course(os.path.join(work, "course-cli"), roster_path)
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "autograder", "--config", settings.path("course_config.py"), "import", LAB, archive],
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        if run.returncode != 0:
            print(run.stderr)
            return 1
        print(f"cli: {elapsed:.2f} s ({run.stdout.splitlines()[-1]})")
        print(f"target: at most 10 s; {'met' if max(elapsed, *seconds) <= 10 else 'NOT met'}")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
