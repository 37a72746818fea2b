"""Time the kit's grading of lab1_neuron against nbgrader's autograde and a bare nbclient run.

What is measured, on the same eight example submissions of examples/lab1_neuron.py (alice, bob, carol, dave,
erin, frank, grace, judy; heidi's infinite loop, ivan's os._exit and the files that are not notebooks are left
out because nbgrader would hang on or refuse them), each command in its own subprocess so that every one pays
its own start-up, timed with time.perf_counter:

  kit              python -m autograder --config <course>/course_config.py grade lab1_neuron <notebook> --json <f>
                   (one submission per command, in the bubblewrap sandbox)
  kit-nosandbox    the same with --no-sandbox: the difference is the sandbox's overhead
  nbgrader         nbgrader autograde lab1_neuron --student <student> --force (run in the course folder)
  nbclient         python -c '... NotebookClient(nbformat.read(<notebook>, 4), timeout=30, allow_errors=True).execute()'
  batch            python -m autograder --config ... grade lab1_neuron --force --quiet, once over all eight,
                   counted as its total time / 8 (the class-scale mode: the next kernel boots during a grading)
  batch-nosandbox  the same with --no-sandbox
  batch-workers    the same batch with --workers <cores>: one worker process per core, each with its own sandboxed
                   kernels (how `grade LAB` is meant to run at class scale; nbgrader autograde has no such mode)
  nbgrader-batch   nbgrader autograde lab1_neuron --force, once over all eight, counted as total / 8
  bookkeeping      after the batches, in this process: what `grade` writes per graded submission besides grading it
                   (course/grade_class.py record_submission: gradebook scores, time and nbgrader's late penalty,
                   feedback page, autograded notebook with its verdicts, timestamp.txt, results.json), per submission
  nbgrader-kit-batch  the same through the course's own configuration, where nbgrader's autograde hands each
                   submission to the kit (autograder/course/nbgrader_autograde.py): formgrader's Autograde button

The "nbgrader" rows run nbgrader's own execution of the notebooks: their configuration (nbgrader_own.py, written
into the course) loads course_config.py and puts nbgrader's default autograde steps back.

The course is a throwaway folder built as autograder/demo/course.py builds demo_course/ (links to the kit's source/,
grading_tests/, examples/ and course_config.py), with lab1_neuron released into it. Every command runs with
OMP_NUM_THREADS=1 and MPLBACKEND=Agg. The script prints, per method, the median, min and max seconds per
submission, the ratios of the medians, and the scores the kit gave (alice, the answer key, must get full marks).

Run from the kit's folder:

    .venv/bin/python bench/bench_lab1.py [--repeat N] [--keep]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from autograder.course.config import load_config
from autograder.course.release import release_lab
from autograder.demo.course import make_course
from autograder.demo.examples import load_variants, write_variant

LAB = "lab1_neuron"
STUDENTS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "judy")
PYTHON = sys.executable
NBGRADER_CONFIG = "--NbGrader.config_file=nbgrader_own"  # nbgrader's own autograde: see NBGRADER_OWN
KIT_THROUGH_NBGRADER = "--NbGrader.config_file=course_config"
NBGRADER_OWN = """c = get_config()
load_subconfig("course_config.py")
from nbgrader.converters import Autograde

defaults = Autograde.class_traits()
c.Autograde.sanitize_preprocessors = defaults["sanitize_preprocessors"].default()
c.Autograde.autograde_preprocessors = defaults["autograde_preprocessors"].default()
"""
BARE_NBCLIENT = (
    "import sys, nbclient, nbformat; "
    "nbclient.NotebookClient(nbformat.read(sys.argv[1], 4), timeout=30, kernel_name='python3', allow_errors=True).execute()"
)
METHODS = (
    "kit",
    "kit-nosandbox",
    "nbgrader",
    "nbclient",
    "batch",
    "batch-nosandbox",
    "batch-workers",
    "nbgrader-batch",
    "nbgrader-kit-batch",
    "bookkeeping",
)
RATIOS = (
    ("kit", "nbgrader"),
    ("kit", "nbclient"),
    ("batch", "nbgrader"),
    ("batch", "nbgrader-batch"),
    ("batch-workers", "nbgrader"),
    ("batch-workers", "nbgrader-batch"),
    ("kit", "kit-nosandbox"),
    ("batch", "batch-nosandbox"),
    ("nbgrader-kit-batch", "batch"),
    ("bookkeeping", "batch"),
)


def bench_environment() -> dict[str, str]:
    """The environment of every timed command: one thread, no GUI backend, the venv's tools (alembic) first."""
    env = dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    tools = os.path.dirname(PYTHON)
    if tools not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = tools + os.pathsep + env.get("PATH", "")
    return env


def run(command: list[str], cwd: str) -> float:
    """Run `command` in `cwd`; return its wall-clock seconds. Exits with its output if it fails."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=bench_environment(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"failed (exit {done.returncode}): {' '.join(command)}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return seconds


def build_course(course: str):
    """A course folder like demo_course/, lab1 released, the eight submissions handed in; returns its Settings."""
    make_course(course)
    os.chdir(course)  # nbgrader writes its log in the working directory
    os.environ.update(bench_environment())
    settings = load_config(os.path.join(course, "course_config.py"))
    with open(os.path.join(course, "nbgrader_own.py"), "w", encoding="utf-8") as handle:
        handle.write(NBGRADER_OWN)
    release_lab(settings, LAB)
    variants = {variant.student: variant for variant in load_variants(settings, LAB)}
    for student in STUDENTS:
        folder = settings.path("submitted", student, LAB)
        write_variant(settings, LAB, variants[student], os.path.join(folder, LAB + ".ipynb"))
        with open(os.path.join(folder, "timestamp.txt"), "w", encoding="utf-8") as handle:
            handle.write(time.strftime("%Y-%m-%d %H:%M:%S.000000 UTC", time.gmtime()))
        run(["nbgrader", "db", "student", "add", student, NBGRADER_CONFIG], cwd=course)
    return settings


def time_one_submission(settings, student: str, json_path: str) -> dict[str, float]:
    """Seconds of the kit, nbgrader autograde and bare nbclient on one student's submission."""
    course = settings.root
    notebook = settings.path("submitted", student, LAB, LAB + ".ipynb")
    config = settings.path("course_config.py")
    kit = [PYTHON, "-m", "autograder", "--config", config, "grade", LAB, notebook, "--json", json_path]
    return {
        "kit": run(kit, course),
        "kit-nosandbox": run(kit + ["--no-sandbox"], course),
        "nbgrader": run(["nbgrader", "autograde", LAB, "--student", student, "--force", NBGRADER_CONFIG], course),
        "nbclient": run([PYTHON, "-c", BARE_NBCLIENT, notebook], course),
    }


def time_batches(settings) -> dict[str, float]:
    """Seconds per submission of grading all eight in one command: the kit with and without sandbox and with one
    worker per core, nbgrader."""
    kit = [
        PYTHON,
        "-m",
        "autograder",
        "--config",
        settings.path("course_config.py"),
        "grade",
        LAB,
        "--force",
        "--quiet",
    ]
    commands = {
        "batch": kit,
        "batch-nosandbox": kit + ["--no-sandbox"],
        "batch-workers": kit + ["--workers", str(os.cpu_count() or 1)],
        "nbgrader-batch": ["nbgrader", "autograde", LAB, "--force", NBGRADER_CONFIG],
        "nbgrader-kit-batch": ["nbgrader", "autograde", LAB, "--force", KIT_THROUGH_NBGRADER],
    }
    return {method: run(command, settings.root) / len(STUDENTS) for method, command in commands.items()}


def time_bookkeeping(settings) -> list[float]:
    """Seconds of record_submission for each student's graded submission, written again as `grade` writes it."""
    import nbformat

    from autograder.course.grade_class import plan_grading, record_submission
    from autograder.course.labs import find_lab
    from autograder.grading.submission import Graded
    from autograder.outputs.results import read_results

    lab = find_lab(settings, LAB)
    plan = plan_grading(settings, lab, force=True)
    seconds = []
    for submitted, _ in plan.to_grade:
        results = read_results(settings.layout.results_path(submitted.student, LAB))
        notebook = nbformat.read(
            os.path.join(settings.layout.autograded_dir(submitted.student, LAB), LAB + ".ipynb"), 4
        )
        started = time.perf_counter()
        record_submission(settings, lab, submitted, Graded(results, notebook), plan.fingerprint)
        seconds.append(time.perf_counter() - started)
    return seconds


def print_table(times: dict[str, list[float]]) -> None:
    """Median, min and max seconds per submission of each method, then the ratios of the medians."""
    print(f"\n{'method':<19} {'median s':>9} {'min s':>7} {'max s':>7} {'runs':>5}")
    for method in METHODS:
        values = times[method]
        print(f"{method:<19} {statistics.median(values):9.2f} {min(values):7.2f} {max(values):7.2f} {len(values):5d}")
    median = {method: statistics.median(values) for method, values in times.items()}
    print()
    for top, bottom in RATIOS:
        print(f"{top} / {bottom}: {median[top] / median[bottom]:.3f}")


def print_scores(json_folder: str) -> None:
    """The kit's score of each submission (from its --json file); warns if alice lost any point."""
    print(f"\n{'student':<8} {'score':>7}")
    for student in STUDENTS:
        with open(os.path.join(json_folder, student + ".json"), encoding="utf-8") as handle:
            results = json.load(handle)
        print(f"{student:<8} {results['score']:>3g}/{results['max_score']:g}")
        if student == "alice" and results["score"] != results["max_score"]:
            print(
                f"WARNING: alice (the answer key) scored {results['score']:g}/{results['max_score']:g}, not full marks!"
            )


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=1, help="passes over the eight submissions (default 1)")
    options.add_argument("--keep", action="store_true", help="keep the temporary course folder and print its path")
    args = options.parse_args(argv)
    if args.repeat < 1:
        options.error("--repeat must be at least 1")
    work = tempfile.mkdtemp(prefix="bench-lab1-")
    course = os.path.join(work, "course")
    print(f"building the course in {course} and releasing {LAB}", flush=True)
    settings = build_course(course)
    times = {method: [] for method in METHODS}
    for number in range(1, args.repeat + 1):
        for student in STUDENTS:
            print(f"pass {number}/{args.repeat}: {student}", flush=True)
            for method, seconds in time_one_submission(
                settings, student, os.path.join(work, student + ".json")
            ).items():
                times[method].append(seconds)
        print(f"pass {number}/{args.repeat}: batches of {len(STUDENTS)}", flush=True)
        for method, seconds in time_batches(settings).items():
            times[method].append(seconds)
        times["bookkeeping"] += time_bookkeeping(settings)
    print_table(times)
    print_scores(work)
    if args.keep:
        print(f"\ncourse kept in {course}")
    else:
        os.chdir(os.path.dirname(work))
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
