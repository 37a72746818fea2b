"""Grade every example submission of the labs several times with different seeds; report any verdict that moves.

A check whose verdict on the same notebook depends on the seed (or on timing) is flaky, and a flaky check is a
bug. For each lab and each seed 0..N-1 (c.Autograder.seed, set in the kernel before every check), every
example of examples/<lab>.py is graded in the sandbox; the script prints, per lab, how many gradings it made
and every (submission, check) whose status differed between two of them, then exits 1 if there was any.

Run from the kit's folder:

    .venv/bin/python bench/flakiness.py [--seeds N] [--students NAME ...] [LAB ...]
"""

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict

from autograder.course.config import load_config
from autograder.course.labs import find_lab, resolve_lab
from autograder.demo.examples import load_variants, write_variant
from autograder.grading.submission import grade_or_reject
from autograder.sandbox.backend import make_launcher

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def verdicts(results: dict) -> dict[str, str]:
    """{check: "passed" or the failure reason}."""
    return {
        test["extra_data"]["check"]: test["extra_data"].get("reason", "passed")
        if test["status"] == "failed"
        else "passed"
        for test in results["tests"]
    }


def grade_examples(settings, lab_name: str, seed: int, folder: str, students=None) -> dict[str, dict[str, str]]:
    """{student: verdicts} of every example of the lab (or of `students`), graded with `seed`."""
    lab = find_lab(settings, lab_name)
    settings.autograder.seed = seed  # as c.Autograder.seed = seed in course_config.py
    pool = lab.kernel_pool(make_launcher(settings, resolve_lab(settings, lab_name)), ahead=1)
    graded = {}
    try:
        for variant in load_variants(settings, lab_name):
            if students and variant.student not in students:
                continue
            path = os.path.join(folder, f"{lab_name}-{variant.student}.ipynb")
            write_variant(settings, lab_name, variant, path)
            graded[variant.student] = verdicts(grade_or_reject(settings, lab, path, pool).results.to_json())
    finally:
        pool.close()
    return graded


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("labs", nargs="*", help="labs to check (default: all)")
    options.add_argument("--seeds", type=int, default=5, help="gradings per submission, seeds 0..N-1 (default 5)")
    options.add_argument("--students", nargs="+", help="only these examples (default: all)")
    args = options.parse_intermixed_args(argv)
    settings = load_config(os.path.join(KIT, "course_config.py"))
    flaky = 0
    with tempfile.TemporaryDirectory(prefix="flakiness-") as folder:
        for lab in args.labs or settings.autograder.labs:
            started = time.monotonic()
            seen = defaultdict(set)  # (student, check) -> verdicts seen
            for seed in range(args.seeds):
                for student, checks in grade_examples(settings, lab, seed, folder, args.students).items():
                    for check, verdict in checks.items():
                        seen[student, check].add(verdict)
            moving = {key: values for key, values in seen.items() if len(values) > 1}
            flaky += len(moving)
            students = len({student for student, _ in seen})
            print(
                f"{lab}: {students} submissions x {args.seeds} seeds, {len(seen)} (submission, check) pairs, "
                f"{len(moving)} flaky, {time.monotonic() - started:.0f} s"
            )
            for (student, check), values in sorted(moving.items()):
                print(f"  FLAKY {student} {check}: {sorted(values)}")
    return 1 if flaky else 0


if __name__ == "__main__":
    sys.exit(main())
