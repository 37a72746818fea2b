"""Time `autograder similarity lab3_backprop` on a 300-student class (target: at most 60 s on 2 cores).

What is measured: the whole report (autograder/outputs/similarity.py): reading each submission as grading reads
it, subtracting the released cells, fingerprinting (copydetect, pygments), scoring every pair (300 students and
the answer key: 45,150 pairs), highlighting the pairs shown, and writing the HTML page and the CSV.

The class is built first (not timed), in a throwaway course with lab3 released: student n hands in lab3's example
n mod 12 (examples/lab3_backprop.py: the answer key, the stub and the typical bugs, as written by write_variant),
with the names its solution regions assign renamed after n (grad -> grad_n, losses -> losses_n...) and a comment
of its own: nearly every pair is a near-copy, the worst case for the comparison (no pair can be left out).

    report   similarity_report() and write_report() in this process, --repeat times: median, min and max seconds
    cli      python -m autograder --config <course>/course_config.py similarity lab3_backprop --with-answer-key,
             once, in a subprocess: the command as the instructor runs it

Run from the kit's folder:

    .venv/bin/python bench/similarity.py [--students 300] [--repeat 3] [--keep]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import nbformat

from autograder.course.config import load_config
from autograder.course.release import release_lab
from autograder.demo.course import make_course
from autograder.demo.examples import load_variants, write_variant
from autograder.outputs.similarity import similarity_report, write_report

LAB = "lab3_backprop"
RENAMED = ("grad", "original", "f_plus", "f_minus", "losses", "network", "optimizer", "loss_function", "prediction")
RENAMED += ("Y_hat", "dY_hat", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1", "Z1", "A1", "Z2", "epoch", "loss")
SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n.*?### END SOLUTION", re.DOTALL)


def mutated(source: str, n: int) -> str:
    """`source` with the names its solution regions use renamed after student `n`, and a comment added."""

    def rename(match):
        text = match.group(0)
        for name in RENAMED:
            text = re.sub(rf"\b{name}\b", f"{name}_{n}", text)
        return text.replace("### END SOLUTION", f"# student {n} was here\n### END SOLUTION")

    return SOLUTION_REGION.sub(rename, source)


def hand_in_class(settings, students: int) -> None:
    variants = load_variants(settings, LAB)
    for n in range(students):
        path = os.path.join(settings.layout.submitted_dir(f"s{n:04d}", LAB), LAB + ".ipynb")
        write_variant(settings, LAB, variants[n % len(variants)], path)
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            cell.source = mutated(cell.source, n)
        nbformat.write(nb, path)


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--students", type=int, default=300)
    options.add_argument("--repeat", type=int, default=3)
    options.add_argument("--keep", action="store_true", help="keep the throwaway course and say where it is")
    args = options.parse_args(argv)
    work = tempfile.mkdtemp(prefix="bench-similarity-")
    try:
        folder = os.path.join(work, "course")
        make_course(folder)
        settings = load_config(os.path.join(folder, "course_config.py"))
        release_lab(settings, LAB, with_solution=True)
        hand_in_class(settings, args.students)
        seconds = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = similarity_report(settings, LAB, with_answer_key=True)
            write_report(report, os.path.join(work, "similarity"))
            seconds.append(time.perf_counter() - started)
        print(report.lines(limit=3)[0])
        print(
            f"report: {statistics.median(seconds):.2f} s median (min {min(seconds):.2f}, max {max(seconds):.2f}) "
            f"over {args.repeat} runs"
        )
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "autograder", "--config", settings.path("course_config.py")]
            + ["similarity", LAB, "--with-answer-key", "--output", os.path.join(work, "cli")],
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        if run.returncode != 0:
            print(run.stdout + run.stderr)
            return 1
        print(f"cli: {elapsed:.2f} s")
        print(f"target: at most 60 s; {'met' if max(elapsed, *seconds) <= 60 else 'NOT met'}")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
