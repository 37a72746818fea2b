"""The autograded notebook, as nbgrader's autograde leaves it in autograded/<student>/<lab>/: what formgrader
shows an instructor who grades by hand.

It is the notebook as it ran in the sandbox (the outputs of the grading run, none where a cell did not run),
with each autograded test cell carrying, as more outputs, the verdicts of the hidden checks that count towards
it (their names, points, reasons and messages, never their code) and the pictures they drew. A submission that
could not be graded at all (not a notebook, another lab's) shows the released notebook under a note that says
why, so that formgrader has a page for it as for every other. Then the whole notebook is made inert (outputs/inert_output.py), since
formgrader renders it without sanitising it.
"""

import copy
import os

import nbformat

from autograder.grading.cells import grade_id, is_public_test
from autograder.outputs.inert_output import inert_notebook, markdown_text
from autograder.results import CheckOutcome, Results

HEADER = "Hidden checks of this cell (the autograder's verdicts): {score:g} / {max_score:g} points"


def verdicts_text(checks: list[CheckOutcome]) -> str:
    """The checks of one grade cell as plain text: a line per check, its message indented under a failure."""
    lines = [HEADER.format(score=sum(c.score for c in checks), max_score=sum(c.max_score for c in checks))]
    for check in checks:
        mark = "passed" if check.passed else f"FAILED ({check.reason})"
        lines.append(f"  {mark}  {check.score:g}/{check.max_score:g}  {check.name}")
        if not check.passed and check.output:
            lines += ["      " + line for line in check.output.strip().splitlines()]
    return "\n".join(lines) + "\n"


def with_verdicts(nb, results: Results):
    """A copy of `nb` whose autograded test cells each end with a stream output of their checks' verdicts."""
    marked = copy.deepcopy(nb)
    by_cell: dict[str, list[CheckOutcome]] = {}
    for check in results.tests:
        by_cell.setdefault(check.grade_cell, []).append(check)
    for cell in marked.cells:
        checks = by_cell.get(grade_id(cell))
        if checks and is_public_test(cell):
            outputs = cell.setdefault("outputs", [])
            outputs.append(nbformat.v4.new_output("stream", name="stdout", text=verdicts_text(checks)))
            for picture in results.pictures:
                if picture.grade_cell == grade_id(cell):
                    data = {"image/png": picture.png, "text/plain": f"{picture.title}: {picture.caption}"}
                    outputs.append(nbformat.v4.new_output("display_data", data=data))
    return marked


def rejected_notebook(release_notebook: str, results: Results):
    """The released notebook, first a note that the submission could not be graded and why (results.rejected)."""
    nb = nbformat.read(release_notebook, as_version=4)
    note = f"**The autograder could not grade this submission:** {markdown_text(results.rejected or '')}"
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(note))
    return nb


def autograded_view(nb, results: Results, release_notebook: str):
    """What formgrader and the feedback show of a submission: the graded run of `nb` with its verdicts (or, when
    `nb` is None, the rejection's note above the released notebook), inert."""
    shown = rejected_notebook(release_notebook, results) if nb is None else with_verdicts(nb, results)
    return inert_notebook(shown)


def write_autograded_notebook(path: str, view) -> None:
    """Write the autograded view (autograded_view) to `path`, where formgrader renders it."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nbformat.write(view, path)
