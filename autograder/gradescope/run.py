"""What run_autograder runs for each submission inside Gradescope's container: grade it as `grade LAB NOTEBOOK`.

The zip's folders are under <root>/source/ (package.py), the student's files in <root>/submission/, and the
results go to <root>/results/results.json (root is /autograder on Gradescope; a folder shaped like it for a
trial run). A submission that cannot be graded (no notebook, several, not a notebook, another lab's) gets
results that say why, scored 0, as `grade` gives them; the grader's own failure (the sandbox cannot start, the
checks do not load) writes no results and exits 3, so that Gradescope shows an autograder error the instructor
can rerun, never a 0 the student did not earn.

    python -m autograder.gradescope.run --root /autograder
"""

import argparse
import os
import sys
import time

from autograder.course.config import load_config
from autograder.course.labs import find_lab
from autograder.errors import EXIT_GRADER, EXIT_OK, AutograderError, SubmissionRejected
from autograder.gradescope.package import SETTINGS_FILE, GradescopeSettings
from autograder.gradescope.results import gradescope_results
from autograder.grading.one_submission import grade_one
from autograder.grading.submission import rejected
from autograder.grading.submitted_files import choose_notebook
from autograder.outputs.inert_output import printable
from autograder.outputs.results import write_json

CONFIG = os.path.join("source", "course", "course_config.py")


def submitted_notebook(folder: str, notebook_name: str) -> str:
    """The notebook to grade among the student's files (as choose_notebook picks it in submitted/); raises
    SubmissionRejected when there is none or several and none has the lab's name."""
    path = choose_notebook(folder, notebook_name)
    if os.path.lexists(path):
        return path
    notebooks = sorted(name for name in os.listdir(folder) if name.endswith(".ipynb") and not name.startswith("."))
    if notebooks:
        raise SubmissionRejected(
            f"{len(notebooks)} notebooks were handed in ({', '.join(notebooks)}): hand in one, {notebook_name}.ipynb"
        )
    others = sorted(name for name in os.listdir(folder) if not name.startswith("."))
    said = f" (found: {', '.join(others)})" if others else ""
    raise SubmissionRejected(f"no notebook was handed in{said}: hand in {notebook_name}.ipynb")


def grade_submission(root: str) -> dict:
    """Grade the submission under `root`; returns Gradescope's results.json of it."""
    chosen = GradescopeSettings.read(os.path.join(root, "source", SETTINGS_FILE))
    settings = load_config(os.path.join(root, CONFIG))
    lab = find_lab(settings, chosen.lab)
    folder = os.path.join(root, "submission")
    started = time.monotonic()
    path = os.path.join(folder, lab.notebook_name + ".ipynb")
    try:
        path = submitted_notebook(folder, lab.notebook_name)
        results = grade_one(settings, lab, path, sandbox=chosen.sandbox).results
    except SubmissionRejected as rejection:
        said = str(rejection).removeprefix(path + ": ")
        results = rejected(settings, lab, path, folder, said, time.monotonic() - started).results
    return gradescope_results(results, chosen.visibility)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default="/autograder", help="Gradescope's /autograder, or a folder shaped like it")
    args = parser.parse_args(argv)
    try:
        results = grade_submission(args.root)
    except AutograderError as error:
        print(printable(f"autograder: the grader failed: {error}"), file=sys.stderr)
        return EXIT_GRADER
    write_json(os.path.join(args.root, "results", "results.json"), results)
    # the grader's log, which only the instructor sees (stdout_visibility hidden): which kit graded it
    print(f"graded by the kit in {os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}")
    print(f"graded: {results['score']:g} points")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
