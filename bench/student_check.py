"""Time a student's `autograder check` of lab1 with no course: the released notebook and its lab_check.py alone in
an empty folder, as nbgrader's fetch_assignment leaves them (the stub, and the stub with the answer key's code).

    .venv/bin/python bench/student_check.py [--python PYTHON] [--runs N]

--python: the interpreter of a student's install of the kit (`pip install KIT[lab1]`, which has no course of its
own); by default the kit's venv, with its own course hidden (config.KIT pointed elsewhere) as on such an install.
The first run of each notebook is not timed (matplotlib builds its font list once per machine). Prints one line
per notebook: its verdict line and the wall-clock seconds of each timed run, their median last.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import nbformat

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = "lab1_neuron"
# the kit's venv without its course, as a student's install: find_config finds no course_config.py of the kit's
NO_COURSE = (
    "import sys, autograder.course.config as config; config.KIT = sys.argv.pop(1); "
    "from autograder.cli import main; raise SystemExit(main(sys.argv[1:]))"
)


def finished(stub, key):
    """The stub with the answer key's code in its answer cells."""
    answers = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell.source for cell in key.cells}
    for cell in stub.cells:
        data = cell.metadata.get("nbgrader", {})
        if data.get("solution") and cell.cell_type == "code":
            cell.source = answers[data["grade_id"]]
    return stub


def command(python: str | None, notebook: str, nowhere: str) -> list[str]:
    if python:
        return [python, "-m", "autograder", "check", notebook]
    return [sys.executable, "-c", NO_COURSE, nowhere, "check", notebook]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", help="a student's install's python (default: the kit's, without its course)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    release = os.path.join(KIT, "release", LAB)
    stub = nbformat.read(os.path.join(release, f"{LAB}.ipynb"), as_version=4)
    key = nbformat.read(os.path.join(KIT, "solutions", LAB, f"{LAB}.ipynb"), as_version=4)
    env = {name: value for name, value in os.environ.items() if name != "AUTOGRADER_CONFIG"}
    with tempfile.TemporaryDirectory(prefix="student-check-") as folder:
        nowhere = os.path.join(folder, "no-kit")
        notebooks = {"stub": os.path.join(folder, "stub", f"{LAB}.ipynb")}
        notebooks["answered"] = os.path.join(folder, "answered", f"{LAB}.ipynb")
        for name, path in notebooks.items():
            os.makedirs(os.path.dirname(path))
            shutil.copy(os.path.join(release, "lab_check.py"), os.path.dirname(path))
            nbformat.write(stub if name == "stub" else finished(nbformat.from_dict(stub), key), path)
        for name, path in notebooks.items():
            seconds, last = [], None
            for run in range(args.runs + 1):
                started = time.perf_counter()
                last = subprocess.run(
                    command(args.python, os.path.basename(path), nowhere),
                    cwd=os.path.dirname(path),
                    env=env,
                    capture_output=True,
                    text=True,
                )
                if run:  # the first run warms matplotlib's font cache
                    seconds.append(time.perf_counter() - started)
            verdict = (last.stdout.strip().splitlines() or [last.stderr.strip()])[-1]
            print(
                f"{name:<9} exit {last.returncode}: {verdict!r}; seconds "
                + ", ".join(f"{value:.2f}" for value in seconds)
                + f"; median {statistics.median(seconds):.2f}"
            )


if __name__ == "__main__":
    main()
