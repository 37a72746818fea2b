"""A submission's feedback page for the student: one HTML file, the same whoever writes it.

`autograder grade` writes it when it grades a submission, and nbgrader's `generate_feedback` (or formgrader's
Generate Feedback button) writes it again later through `autograder/course/nbgrader_feedback.py`, with the
scores and comments an instructor has since given in formgrader; `nbgrader release_feedback` then carries it to
the student. It shows the total with its autograded, hand-graded and late-penalty parts (nbgrader's gradebook is
the authority on them), each check with its points, reason and message (from results.json: never a check's
code), the grader's comments, and the student's notebook as it ran in the sandbox, with its images inline.

It is rendered from templates/feedback.html.j2 with autoescape, and every student text also loses its control
characters; the notebook part is made from the inert autograded notebook (outputs/inert_output.py) and
sanitised again here. The page forbids scripts and every request itself (Content-Security-Policy).
"""

import html
import os
from dataclasses import dataclass
from functools import cache

from autograder.outputs.inert_output import BASE64_TEXT, inert_html, printable
from autograder.results import Results

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


@dataclass(frozen=True)
class GradedCell:
    """A notebook cell as the gradebook holds it for the student: hand-graded or commented."""

    name: str  # its grade id
    score: float | None  # None: a written answer not graded yet
    max_score: float
    comment: str = ""


@dataclass(frozen=True)
class SubmissionGrades:
    """The gradebook's view of a submission: nbgrader's total (hand-graded parts included), its late penalty,
    and the cells a person graded or commented on."""

    score: float  # before the late penalty, as nbgrader counts it
    max_score: float
    late_penalty: float
    manual_score: float  # of the written answers graded so far
    manual_graded: bool  # every written answer has its score
    cells: tuple[GradedCell, ...] = ()


@dataclass(frozen=True)
class RenderedCell:
    html: object  # markupsafe.Markup: the cell and its outputs, safe to place in the page as they are


@cache
def _environment():
    from jinja2 import Environment, FileSystemLoader
    from markupsafe import Markup

    def finalize(value):
        return printable(value) if isinstance(value, str) and not isinstance(value, Markup) else value

    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, finalize=finalize)


def _pre(text: str) -> str:
    return "<pre>" + html.escape(printable(text), quote=False) + "</pre>"


def output_html(output) -> str:
    """One output of the inert autograded notebook as page markup: text in <pre>, images inline, HTML sanitised."""
    kind = output.get("output_type")
    if kind == "stream":
        return '<div class="cell-output">' + _pre(output.get("text", "")) + "</div>"
    if kind == "error":
        text = "\n".join([f"{output.get('ename', '')}: {output.get('evalue', '')}", *output.get("traceback", [])])
        return '<div class="cell-output">' + _pre(text) + "</div>"
    data = output.get("data", {})
    for mimetype in ("image/png", "image/jpeg"):
        value = data.get(mimetype)
        if isinstance(value, str) and BASE64_TEXT.fullmatch(value):
            image = f'<img alt="an output of this cell" src="data:{mimetype};base64,{value}">'
            return '<div class="cell-output">' + image + "</div>"
    if isinstance(data.get("text/html"), str):
        return '<div class="cell-output">' + inert_html(data["text/html"]) + "</div>"
    if isinstance(data.get("text/plain"), str):
        return '<div class="cell-output">' + _pre(data["text/plain"]) + "</div>"
    return ""


def notebook_cells(nb) -> list[RenderedCell]:
    """The cells of the inert autograded notebook `nb` as page markup: markdown rendered as formgrader renders it
    (the kit made it inert), code as text, then its outputs."""
    from markupsafe import Markup
    from nbconvert.filters import markdown2html

    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            markup = inert_html(markdown2html(cell.source))
        elif cell.cell_type == "code":
            outputs = "".join(output_html(output) for output in cell.get("outputs", []))
            markup = '<div class="cell-source">' + _pre(cell.source) + "</div>" + outputs
        else:
            continue
        cells.append(RenderedCell(Markup(markup)))
    return cells


def render(results: Results, student: str, grades: SubmissionGrades | None = None, nb=None) -> str:
    """The page of `results` for `student`: with the gradebook's `grades` when given (else the autograded score
    alone), and the notebook `nb` (the inert autograded notebook) when given."""
    checks = {test.check for test in results.tests}
    pictures_by_check = {}
    for picture in results.pictures:
        if picture.check in checks:
            pictures_by_check.setdefault(picture.check, []).append(picture)
    if grades is None:
        grades = SubmissionGrades(
            results.score, results.max_score + results.manual_max_score, results.late_penalty or 0.0, 0.0, False
        )
    return (
        _environment()
        .get_template("feedback.html.j2")
        .render(
            title=f"{results.lab} — feedback for {student}",
            results=results,
            total=grades.score - grades.late_penalty,
            max_total=grades.max_score or results.max_score + results.manual_max_score,
            late_penalty=grades.late_penalty,
            manual_score=grades.manual_score,
            manual_graded=grades.manual_graded,
            graded_cells=grades.cells,
            cells=notebook_cells(nb) if nb is not None else [],
            pictures_by_check=pictures_by_check,  # each check's pictures, under its message
            other_pictures=[picture for picture in results.pictures if picture.check not in checks],
        )
    )


def write_feedback(path: str, results: Results, student: str, grades: SubmissionGrades | None = None, nb=None) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(render(results, student, grades, nb))
