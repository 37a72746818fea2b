"""The grader's own peak memory and wall time on the resource attacks, against the answer key's.

Each case is one lab1_neuron notebook, graded in its own process exactly as

    python -m autograder --config <course>/course_config.py grade lab1_neuron <notebook> --json <file>

(in the bubblewrap sandbox), started through a two-line wrapper that writes the process's own peak resident
memory (getrusage(RUSAGE_SELF).ru_maxrss at its exit) to a file: the grader's alone, never its kernels' (the
rusage that wait4 returns also holds the peaks of reaped descendants, the memory bomb's kernel among them).

  answer_key    the executed answer key
  output_flood  the answer key, then 150 cells printing just under 2 MiB each (300 MiB in all)
  big_print     the answer key, then one cell that prints 300 MB at once (one iopub message)
  big_answer    relu sends a 600 MiB buffer on the checks' request socket, zero-copy, before its answer
  death_loop    the answer key, then 20 cells of os._exit(0)
  many_cells    the answer key, then 10,000 cells `x = 1`
  memory_bomb   relu builds a 6 GiB string (the kernel's memory cgroup stops it)

The course is a throwaway folder built as autograder/demo/course.py builds demo_course/, with lab1's limits set as
the kit's tests set them (LIMITS below; submission_timeout 8 s). The script prints per case the grader's
peak RSS, the wall time, the score, and the ratio of the peak RSS to the answer key's (target: <= 2).

Run from the kit's folder:

    .venv/bin/python bench/bench_attacks.py [--keep] [CASE ...]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from autograder.course.config import load_config
from autograder.course.release import release_lab
from autograder.demo.course import make_course
from autograder.demo.examples import Variant, write_variant

LAB = "lab1_neuron"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
from test_resource_limits import ATTACKS, LIMITS  # noqa: E402 (the attacks the tests hold, measured here)

CASES = [
    Variant("answer_key", "the answer key"),
    *ATTACKS,
    Variant(
        "memory_bomb",
        "a 6 GiB string",
        edits={
            "activations": [
                ("    return np.maximum(0.0, x)", "    hog = b'x' * (6 * 2**30)\n    return np.maximum(0.0, x)")
            ]
        },
    ),
]
# the CLI, with its own peak RSS written to $PEAK_FILE at exit (cli.run runs the exit handlers, then _exit)
GRADER = (
    "import atexit, os, resource, sys\n"
    "atexit.register(lambda: open(os.environ['PEAK_FILE'], 'w').write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
    "sys.argv[0] = 'autograder'\n"
    "from autograder.cli import run\n"
    "run()\n"
)


def make_bench_course(folder: str) -> object:
    make_course(folder, {LAB: LIMITS})
    settings = load_config(os.path.join(folder, "course_config.py"))
    release_lab(settings, LAB, with_solution=True)
    return settings


def grade(settings, folder: str, notebook: str) -> dict:
    """Grade `notebook` in a process of its own: its peak RSS (bytes), wall seconds and results."""
    results_path, peak_path = notebook + ".results.json", notebook + ".peak"
    command = [
        sys.executable,
        "-c",
        GRADER,
        "--config",
        settings.path("course_config.py"),
        "grade",
        LAB,
        notebook,
        "--json",
        results_path,
    ]
    env = {**os.environ, "PEAK_FILE": peak_path, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    started = time.perf_counter()
    run = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"grading {notebook} failed ({run.returncode}):\n{run.stderr[-3000:]}")
    with open(peak_path, encoding="ascii") as handle:
        peak = int(handle.read()) * 1024  # ru_maxrss is in KiB on Linux
    with open(results_path, encoding="utf-8") as handle:
        results = json.load(handle)
    return {"peak": peak, "seconds": seconds, "results": results}


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--keep", action="store_true", help="keep the course folder and print where it is")
    options.add_argument("cases", nargs="*", metavar="CASE", help="cases to run besides answer_key (default: all)")
    args = options.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="bench-attacks-")
    try:
        settings = make_bench_course(os.path.join(folder, "course"))
        rows = []
        for case in CASES:
            if args.cases and case.student not in args.cases and case.student != "answer_key":
                continue
            notebook = os.path.join(folder, case.student + ".ipynb")
            write_variant(settings, LAB, case, notebook)
            rows.append((case, grade(settings, settings.root, notebook)))
        base = rows[0][1]["peak"]
        print(
            f"lab1 limits: {LIMITS}; max_submission_output_bytes {settings.autograder.max_submission_output_bytes}, "
            f"max_kernel_deaths {settings.autograder.max_kernel_deaths}, grader_memory_bytes "
            f"{settings.autograder.grader_memory_bytes}"
        )
        print(
            f"{'case':<13} {'peak RSS MiB':>12} {'x key':>6} {'wall s':>7} {'score':>6}  failed checks / cells left out"
        )
        for case, row in rows:
            results = row["results"]
            left_out = [cell["message"] for cell in results["extra_data"]["cells"] if cell["status"] == "skipped"]
            reasons = sorted(set(results["extra_data"]["failures"].values()))
            print(
                f"{case.student:<13} {row['peak'] / 2**20:>12.0f} {row['peak'] / base:>6.2f} {row['seconds']:>7.1f} "
                f"{results['score']:>6g}  {', '.join(reasons) or '-'}" + (f"; {left_out[0][:70]}" if left_out else "")
            )
    finally:
        if args.keep:
            print(f"course and notebooks: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
