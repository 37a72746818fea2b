"""Time `grade LAB` on a Dask LocalCluster against the one-machine batch: the cluster's overhead per submission.

A throwaway course (as bench_lab1.py builds it) gets N copies of lab1's eight gradable example submissions
(alice ... judy: 40 by default), then the whole class is graded, each command in its own subprocess with
--force, so that each pays its own start-up (and the cluster its LocalCluster's):

  one worker       python -m autograder ... grade lab1_neuron --force --quiet
  --workers 2      the same with --workers 2 (a process pool on this machine)
  --cluster local:2  the same on a LocalCluster of 2 worker processes (grading/cluster.py)

It prints each method's seconds in all and per submission, the cluster's throughput against --workers 2 and its
overhead per submission ((cluster - workers) / submissions), and checks that the three runs gave the same scores.

    .venv/bin/python bench/cluster.py [--copies 5] [--workers 2] [--keep]
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_lab1 import LAB, NBGRADER_CONFIG, PYTHON, STUDENTS, build_course, run  # noqa: E402


def add_copies(settings, copies: int) -> list[str]:
    """Hand in `copies` - 1 more copies of each of the eight submissions (students <name>2, <name>3, ...);
    returns every student of the class."""
    students = list(STUDENTS)
    for copy in range(2, copies + 1):
        for student in STUDENTS:
            source = settings.path("submitted", student, LAB)
            twin = f"{student}{copy}"
            shutil.copytree(source, settings.path("submitted", twin, LAB))
            run(["nbgrader", "db", "student", "add", twin, NBGRADER_CONFIG], cwd=settings.root)
            students.append(twin)
    return students


def scores(settings, students: list[str]) -> dict[str, float]:
    """Each student's score in results.json, as the last run wrote it."""
    found = {}
    for student in students:
        with open(settings.path("autograded", student, LAB, "results.json"), encoding="utf-8") as handle:
            found[student] = json.load(handle)["score"]
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=5, help="copies of the eight submissions (default 5: 40)")
    parser.add_argument("--workers", type=int, default=2, help="processes of --workers and of the LocalCluster")
    parser.add_argument("--keep", action="store_true", help="keep the course folder")
    args = parser.parse_args(argv)
    course = os.path.join(tempfile.mkdtemp(prefix="bench-cluster-"), "course")
    settings = build_course(course)
    students = add_copies(settings, args.copies)
    grade = [PYTHON, "-m", "autograder", "--config", settings.path("course_config.py"), "grade", LAB, "--force"]
    methods = {
        "one worker": grade + ["--quiet"],
        f"--workers {args.workers}": grade + ["--quiet", "--workers", str(args.workers)],
        f"--cluster local:{args.workers}": grade + ["--quiet", "--cluster", f"local:{args.workers}"],
    }
    seconds, given = {}, {}
    for method, command in methods.items():
        seconds[method] = run(command, settings.root)
        given[method] = scores(settings, students)
    count = len(students)
    print(f"{LAB}: {count} submissions, {os.cpu_count()} cores")
    print(f"{'method':<22}{'seconds':>10}{'per submission':>16}")
    for method, total in seconds.items():
        print(f"{method:<22}{total:>10.2f}{total / count:>16.3f}")
    workers, cluster = list(seconds.values())[1:]
    print(f"cluster throughput / --workers {args.workers}: {workers / cluster:.2f}")
    print(f"cluster overhead per submission: {(cluster - workers) / count * 1000:.0f} ms")
    same = len({json.dumps(found, sort_keys=True) for found in given.values()}) == 1
    print("same scores from the three runs:", "yes" if same else f"NO: {given}")
    if not args.keep:
        shutil.rmtree(os.path.dirname(course), ignore_errors=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
