"""Scores into nbgrader's own gradebook, as nbgrader's autograde leaves them, so that `nbgrader export`,
formgrader and every nbgrader command after grading see what they would see after nbgrader's own autograde.

Each hidden check counts towards one autograded grade cell of the notebook (its grade_cell marker); the
cell's auto_score is the sum of its passed checks. Written answers keep auto_score None and stay marked for
manual grading in formgrader; manual scores and comments a person gave are kept across regrades. The
submission's time is its timestamp.txt's (none without one: formgrader compares the two to decide whether a
submission still needs autograding), and the late-submission penalty is nbgrader's own: its
AssignLatePenalties step, with the plugin and `penalty_method` the course configures, against the lab's due date.
"""

import os
import sys
import warnings
from collections import defaultdict
from datetime import datetime

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy.exc import SAWarning

from autograder.course.config import Settings
from autograder.outputs.feedback import GradedCell, SubmissionGrades
from autograder.results import Results


def ensure_alembic_on_path() -> None:
    """nbgrader creates a new gradebook by running the `alembic` command: it must be found next to Python."""
    tools = os.path.dirname(sys.executable)
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = tools + os.pathsep + os.environ.get("PATH", "")


def open_gradebook(settings: Settings) -> Gradebook:
    ensure_alembic_on_path()
    return Gradebook(settings.db_url, settings.course_id)


def is_registered(settings: Settings, lab: str) -> bool:
    with open_gradebook(settings) as gradebook:
        try:
            return bool(gradebook.find_assignment(lab).notebooks)
        except MissingEntry:
            return False


def cell_scores(results: Results) -> dict[str, float]:
    """Points earned per grade cell."""
    scores = defaultdict(float)
    for test in results.tests:
        scores[test.grade_cell] += test.score
    return dict(scores)


def record_due_date(settings: Settings, lab: str) -> None:
    """Write the lab's due date from course_config.py into the gradebook (a lab without one keeps the
    gradebook's, which `nbgrader db assignment add --duedate` may have set)."""
    due = settings.due_date(lab)
    if due is None:
        return
    with open_gradebook(settings) as gradebook:
        gradebook.update_or_create_assignment(lab, duedate=due)


def record_results(
    settings: Settings, lab: str, notebook: str, student: str, results: Results, timestamp: datetime | None
) -> SubmissionGrades:
    """Write one submission's autograded scores, its time (naive UTC; None without timestamp.txt) and its late
    penalty; manual scores already given by a person are kept. Returns the gradebook's view of it afterwards."""
    scores = cell_scores(results)
    with open_gradebook(settings) as gradebook, warnings.catch_warnings():
        # nbgrader 0.9.6's add_submission triggers SQLAlchemy 2.1 autoflush warnings; the rows are written right
        warnings.simplefilter("ignore", SAWarning)
        gradebook.update_or_create_student(student)
        try:
            gradebook.find_submission(lab, student).timestamp = timestamp
        except MissingEntry:
            gradebook.add_submission(lab, student, timestamp=timestamp)
        submitted = gradebook.find_submission_notebook(notebook, lab, student)
        for grade in submitted.grades:
            if grade.cell.name in scores or grade.cell.cell_type == "code":
                grade.auto_score = scores.get(grade.cell.name, 0.0)
                grade.needs_manual_grade = grade.manual_score is not None
            else:
                grade.needs_manual_grade = grade.manual_score is None
        gradebook.db.commit()
    assign_late_penalty(settings, lab, notebook, student)
    return submission_grades(settings, lab, notebook, student)


def assign_late_penalty(settings: Settings, lab: str, notebook: str, student: str) -> None:
    """nbgrader's own late-penalty step (AssignLatePenalties, configured by course_config.py: its plugin_class,
    and c.LateSubmissionPlugin.penalty_method) on the submission as the gradebook now holds it."""
    step = AssignLatePenalties(config=settings.config)
    resources = {"nbgrader": {"notebook": notebook, "assignment": lab, "student": student, "db_url": settings.db_url}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        step.preprocess(nbformat.v4.new_notebook(), resources)


def submission_grades(settings: Settings, lab: str, notebook: str, student: str) -> SubmissionGrades | None:
    """What the student's feedback shows of the gradebook: nbgrader's total and late penalty, the written answers'
    scores and every cell a person graded or commented on (None: the submission is not in the gradebook)."""
    with open_gradebook(settings) as gradebook:
        try:
            submitted = gradebook.find_submission_notebook(notebook, lab, student)
        except MissingEntry:
            return None
        comments = {comment.cell.name: comment.comment or "" for comment in submitted.comments}
        cells, written = [], []
        for grade in submitted.grades:
            name, by_hand = grade.cell.name, grade.manual_score is not None
            if grade.cell.cell_type == "markdown":
                written.append(grade)
            if grade.cell.cell_type == "markdown" or by_hand or comments.get(name):
                score = grade.score if by_hand or grade.cell.cell_type == "code" else None
                cells.append(GradedCell(name, score, grade.max_score, comments.pop(name, "")))
        cells += [GradedCell(name, None, 0.0, text) for name, text in comments.items() if text]  # answer cells
        return SubmissionGrades(
            score=submitted.score,
            max_score=submitted.max_score,
            late_penalty=submitted.late_submission_penalty or 0.0,
            manual_score=sum(grade.manual_score for grade in written if grade.manual_score is not None),
            manual_graded=all(grade.manual_score is not None for grade in written),
            cells=tuple(cells),
        )
