"""Time the feedback page of one submission against the grading of that submission, per lab.

The targets: writing one submission's feedback page takes at most 0.3 s for lab1_neuron and at most 1 s for
lab5_gan and lab5_gan_keras, and a class's feedback pages together take at most a tenth of its grading time.

What is done, in one run, in a throwaway course built as autograder/demo/course.py builds demo_course/ (links to
the kit's source/, grading_tests/, examples/, data/ and course_config.py, and to its executed answer keys in
solutions/, which are not executed again), for each lab asked for:

  1. the lab is released with nbgrader (generate_assignment) and its example submissions of examples/<lab>.py
     are handed in as submitted/<student>/<lab>/ (all of them, but only the answer key alice and the untouched
     stub zoe for the GAN labs, whose checks train a GAN for about 100 s a submission; --students to choose);
  2. they are graded as `autograder grade LAB --workers <cores>` grades them (course/grade_class.py grade_all:
     the real grader, in the sandbox), which writes results.json, the gradebook, the autograded notebook and
     the feedback page; "grading s" is a submission's execution_time in its results.json, and the class's
     grading time is the wall-clock seconds of the whole grade_all;
  3. per submission, in this process, with its results.json, the autograded notebook grade_all wrote (the inert
     view the page is made from) and the gradebook's view of its scores as inputs:
       feedback s   write_feedback (outputs/feedback.py), the function grade_all calls: render the page (checks,
                    pictures, the notebook as it ran) and write it; median of --repeat writes;
       nbgrader s   nbgrader's generate_feedback path: autograder/course/nbgrader_feedback.py FeedbackExporter
                    on the autograded notebook (it loads course_config.py, results.json and the gradebook
                    itself), then the page written; median of --repeat, in this process, without nbgrader's
                    start-up;
  4. `nbgrader generate_feedback LAB --force` once over the lab's graded submissions, as a command of its own
     (the instructor's Generate Feedback step, nbgrader's start-up included).

Every time is wall-clock seconds of time.perf_counter. Threads are pinned (OMP_NUM_THREADS=1, MPLBACKEND=Agg,
inherited by the grading workers; the kernels pin their own). The table gives per submission: the grading and
feedback seconds, the page's size in kB (1,000 bytes), its pictures (the checks' pictures / every image in the
page, the notebook's plots included), feedback / grading, and the target with PASS or MISS; then per lab the
class: grade_all's seconds against the sum of the feedback medians. The script exits 1 if a target is missed.

Run from the kit's folder:

    .venv/bin/python bench/feedback.py [--labs LAB ...] [--students NAME ...] [--repeat N] [--workers N] [--keep]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

# pinned before anything imports numpy or torch; the grading workers are spawned and inherit them
os.environ.update(OMP_NUM_THREADS="1", MPLBACKEND="Agg")

from autograder.course.config import load_config
from autograder.course.grade_class import grade_all
from autograder.course.labs import find_lab
from autograder.course.nbgrader_feedback import FeedbackExporter
from autograder.course.release import release_lab
from autograder.demo.course import KIT, make_course
from autograder.demo.examples import load_variants, write_variant
from autograder.outputs.feedback import write_feedback
from autograder.outputs.gradebook import submission_grades
from autograder.outputs.results import read_results
from autograder.sandbox.backend import make_launcher

LABS = ("lab1_neuron", "lab4_mnist", "lab5_gan")
ANSWER_KEY = "alice"
# the GAN labs' sample checks train for ~100 s a submission: by default the answer key and the stub alone
DEFAULT_STUDENTS = {"lab5_gan": (ANSWER_KEY, "zoe"), "lab5_gan_keras": (ANSWER_KEY, "zoe")}
PAGE_SECONDS = {"lab1_neuron": 0.3, "lab5_gan": 1.0, "lab5_gan_keras": 1.0}  # per submission
CLASS_RATIO = 0.1  # a class's feedback pages against its grading time
NBGRADER = os.path.join(os.path.dirname(sys.executable), "nbgrader")


@dataclass(frozen=True)
class Row:
    """One submission's figures; seconds, kB."""

    student: str
    score: str
    grading: float  # results.json's execution_time
    feedback: float  # median seconds of write_feedback
    nbgrader: float  # median seconds of FeedbackExporter and the write
    page_kb: float
    pictures: int  # the checks' pictures (results.json)
    images: int  # every <img> in the page: the pictures and the notebook's own plots


def build_course(course: str):
    """A course folder like demo_course/ whose solutions/ is the kit's (executed already); returns its Settings."""
    make_course(course)
    os.symlink(os.path.join(KIT, "solutions"), os.path.join(course, "solutions"))
    os.chdir(course)  # nbgrader writes its log in the working directory
    tools = os.path.dirname(sys.executable)  # nbgrader creates the gradebook with the venv's alembic
    os.environ["PATH"] = tools + os.pathsep + os.environ.get("PATH", "")
    return load_config(os.path.join(course, "course_config.py"))


def hand_in(settings, lab: str, students: list[str] | None) -> list[str]:
    """Release `lab` (no answer key run) and hand in its examples (those of `students` when given); returns who."""
    release_lab(settings, lab, with_solution=False)
    variants = load_variants(settings, lab)
    wanted = students or DEFAULT_STUDENTS.get(lab)
    chosen = [variant for variant in variants if wanted is None or variant.student in wanted]
    for variant in chosen:
        folder = settings.layout.submitted_dir(variant.student, lab)
        write_variant(settings, lab, variant, os.path.join(folder, lab + ".ipynb"))
        with open(os.path.join(folder, "timestamp.txt"), "w", encoding="utf-8") as handle:
            handle.write(time.strftime("%Y-%m-%d %H:%M:%S.000000 UTC", time.gmtime()))
    return [variant.student for variant in chosen]


def median_seconds(action, repeat: int) -> float:
    """The median wall-clock seconds of `repeat` calls of `action`."""
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def time_pages(settings, lab, student: str, repeat: int) -> Row:
    """The feedback page of one graded submission, written `repeat` times each way (see the module's 3.)."""
    import nbformat

    layout = settings.layout
    results = read_results(layout.results_path(student, lab.name))
    autograded = os.path.join(layout.autograded_dir(student, lab.name), lab.notebook_name + ".ipynb")
    view = nbformat.read(autograded, as_version=4)
    grades = submission_grades(settings, lab.name, lab.notebook_name, student)
    page = layout.feedback_page(student, lab.name, lab.notebook_name)
    feedback = median_seconds(lambda: write_feedback(page, results, student, grades, view), repeat)
    with open(page, encoding="utf-8") as handle:
        text = handle.read()

    resources = {"nbgrader": {"assignment": lab.name, "student": student, "notebook": lab.notebook_name}}

    def through_nbgrader():
        exporter = FeedbackExporter(config=settings.config)  # nbgrader makes one per generate_feedback run
        output, _ = exporter.from_filename(autograded, resources={"nbgrader": dict(resources["nbgrader"])})
        with open(page, "w", encoding="utf-8") as handle:
            handle.write(output)

    nbgrader = median_seconds(through_nbgrader, repeat)
    return Row(
        student,
        f"{results.score:g}/{results.max_score:g}",
        results.execution_time,
        feedback,
        nbgrader,
        len(text.encode()) / 1000,
        len(results.pictures),
        text.count("<img"),
    )


def nbgrader_generate_feedback(settings, lab: str) -> float:
    """Seconds of `nbgrader generate_feedback LAB --force` over the graded submissions, in its own process."""
    command = [NBGRADER, "generate_feedback", lab, "--force", "--NbGrader.config_file=course_config"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=settings.root, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"failed (exit {done.returncode}): {' '.join(command)}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return seconds


def verdict(held: bool) -> str:
    return "PASS" if held else "MISS"


def print_lab(lab: str, rows: list[Row], class_seconds: float, command_seconds: float) -> bool:
    """The lab's rows and its class line; returns whether every target held."""
    limit = PAGE_SECONDS.get(lab)
    held = True
    for row in rows:
        target = f"<= {limit:g} s" if limit is not None else "-"
        check = verdict(row.feedback <= limit) if limit is not None else ""
        held = held and (limit is None or row.feedback <= limit)
        ratio = row.feedback / row.grading if row.grading else float("inf")
        print(
            f"{lab:<15} {row.student:<8} {row.score:>7} {row.grading:9.2f} {row.feedback:10.3f} {row.nbgrader:10.3f} "
            f"{row.page_kb:8.1f} {row.pictures:>4d}/{row.images:<4d} {ratio:9.4f}  {target:<13} {check}"
        )
    feedback = sum(row.feedback for row in rows)
    ratio = feedback / class_seconds
    held = held and ratio <= CLASS_RATIO
    print(
        f"{lab:<15} {'class of ' + str(len(rows)):<16} {class_seconds:9.2f} {feedback:10.3f} "
        f"{sum(row.nbgrader for row in rows):10.3f} {sum(row.page_kb for row in rows):8.1f} {'':9} {ratio:9.4f}  "
        f"{'<= ' + format(CLASS_RATIO, 'g') + ' ratio':<13} {verdict(ratio <= CLASS_RATIO)}"
    )
    print(
        f"{lab:<15} nbgrader generate_feedback --force over {len(rows)}: {command_seconds:.2f} s "
        f"({command_seconds / len(rows):.2f} s per submission, nbgrader's start-up included)"
    )
    return held


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--labs", nargs="+", default=list(LABS), help=f"labs to time (default: {' '.join(LABS)})")
    options.add_argument(
        "--students",
        nargs="+",
        help="examples to grade, in every lab that has them (default: all; alice and zoe for the GAN labs)",
    )
    options.add_argument("--repeat", type=int, default=5, help="writes of each page, timed (default 5)")
    options.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="grading worker processes (default: one per core)"
    )
    options.add_argument("--keep", action="store_true", help="keep the temporary course folder and print its path")
    args = options.parse_args(argv)
    if args.repeat < 1 or args.workers < 1:
        options.error("--repeat and --workers must be at least 1")
    work = tempfile.mkdtemp(prefix="bench-feedback-")
    course = os.path.join(work, "course")
    print(f"building the course in {course}", flush=True)
    settings = build_course(course)
    unknown = [lab for lab in args.labs if lab not in settings.autograder.labs]
    if unknown:
        options.error(f"unknown lab {', '.join(unknown)}; the course has {', '.join(settings.autograder.labs)}")
    measured = {}
    for lab_name in args.labs:
        students = hand_in(settings, lab_name, args.students)
        if not students:
            print(f"{lab_name}: none of {' '.join(args.students)} among its examples, skipped", flush=True)
            continue
        print(f"{lab_name}: grading {' '.join(students)} with {args.workers} workers", flush=True)
        lab = find_lab(settings, lab_name)
        started = time.perf_counter()
        grade_all(settings, lab, make_launcher(settings, lab), force=True, progress=False, workers=args.workers)
        class_seconds = time.perf_counter() - started
        rows = [time_pages(settings, lab, student, args.repeat) for student in students]
        measured[lab_name] = (rows, class_seconds, nbgrader_generate_feedback(settings, lab_name))
    print(
        f"\n{'lab':<15} {'student':<8} {'score':>7} {'grading s':>9} {'feedback s':>10} {'nbgrader s':>10} "
        f"{'page kB':>8} {'pics/imgs':>9} {'fb/grade':>9}  {'target':<13} verdict"
    )
    held = [print_lab(lab, *figures) for lab, figures in measured.items()]
    for lab, (rows, _, _) in measured.items():
        for row in rows:
            full = row.score.split("/")
            if row.student == ANSWER_KEY and full[0] != full[1]:
                print(f"WARNING: {lab}'s answer key alice scored {row.score}, not full marks!")
    print(f"\nfeedback s and nbgrader s: median of {args.repeat} writes; page kB: 1,000 bytes")
    if args.keep:
        print(f"course kept in {course}")
    else:
        os.chdir(os.path.dirname(work))
        shutil.rmtree(work)
    return 0 if all(held) else 1


if __name__ == "__main__":
    sys.exit(main())
