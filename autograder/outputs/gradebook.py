"""Scores into nbgrader's own gradebook, so that `nbgrader export` and formgrader show them.

Each hidden check counts towards one autograded grade cell of the notebook (its grade_cell marker); the
cell's auto_score is the sum of its passed checks. Written answers keep auto_score None and stay marked for
manual grading in formgrader.
"""

import os
import sys
import warnings
from collections import defaultdict
from datetime import UTC, datetime

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from autograder.course.config import Settings
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


def record_results(settings: Settings, lab: str, notebook: str, student: str, results: Results, timestamp=None) -> None:
    """Write one submission's autograded scores; manual scores already given by a person are kept."""
    scores = cell_scores(results)
    with open_gradebook(settings) as gradebook, warnings.catch_warnings():
        # nbgrader 0.9.6's add_submission triggers SQLAlchemy 2.1 autoflush warnings; the rows are written right
        warnings.simplefilter("ignore", SAWarning)
        gradebook.update_or_create_student(student)
        try:
            gradebook.find_submission(lab, student)
        except MissingEntry:
            gradebook.add_submission(lab, student, timestamp=timestamp or datetime.now(UTC))
        submitted = gradebook.find_submission_notebook(notebook, lab, student)
        for grade in submitted.grades:
            if grade.cell.name in scores or grade.cell.cell_type == "code":
                grade.auto_score = scores.get(grade.cell.name, 0.0)
                grade.needs_manual_grade = grade.manual_score is not None
            else:
                grade.needs_manual_grade = grade.manual_score is None
        gradebook.db.commit()
