"""Grades out of the gradebook: a CSV of every submission, or Gradescope's results.json per submission.

The gradebook is nbgrader's, so `nbgrader export` writes its grades.csv from the same scores; the kit's CSV has
its own name (autograder_grades.csv) and splits each score into its autograded, manual and late-penalty parts.

Student ids are folder names a student may choose: a CSV cell that a spreadsheet would read as a formula is
written as text, and folder names are listed, never used as patterns.
"""

import csv
import os
import shutil

from autograder.course.config import Settings
from autograder.outputs.gradebook import open_gradebook
from autograder.outputs.inert_output import csv_cell
from autograder.outputs.lms_grades import lab_grade

CSV_COLUMNS = (
    "student",
    "lab",
    "autograded_score",
    "manual_score",
    "late_penalty",
    "score",
    "max_score",
    "needs_manual_grade",
)


def csv_rows(settings: Settings) -> list[dict]:
    """One row per submission in the gradebook; `score` is nbgrader's exported grade (the late penalty taken off:
    lms_grades.LabGrade.score)."""
    rows = []
    with open_gradebook(settings) as gradebook:
        for assignment in gradebook.assignments:
            for submission in gradebook.assignment_submissions(assignment.name):
                grade = lab_grade(submission)
                rows.append(
                    {
                        "student": grade.student,
                        "lab": grade.lab,
                        "autograded_score": grade.autograded,
                        "manual_score": grade.manual,
                        "late_penalty": grade.late_penalty,
                        "score": grade.score,
                        "max_score": grade.max_score,
                        "needs_manual_grade": submission.needs_manual_grade,
                    }
                )
    return rows


def export_csv(settings: Settings, path: str) -> int:
    rows = csv_rows(settings)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows({column: csv_cell(value) for column, value in row.items()} for row in rows)
    return len(rows)


def export_gradescope(settings: Settings, folder: str) -> int:
    """Copy every autograded/<student>/<lab>/results.json to <folder>/<lab>/<student>.json."""
    count = 0
    layout = settings.layout
    for student, lab in sorted(graded_folders(layout.step_dir(layout.autograded), layout.results_file)):
        target = os.path.join(folder, lab, student + ".json")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(layout.results_path(student, lab), target)
        count += 1
    return count


def graded_folders(autograded: str, results_file: str) -> list[tuple[str, str]]:
    """(student, lab) of every autograded/<student>/<lab>/ that holds `results_file`, names listed as they are
    (a folder named "victi[m]" is that folder, not a pattern); hidden folders are left out, as glob's * does."""
    found = []
    for student in _visible_folders(autograded):
        for lab in _visible_folders(os.path.join(autograded, student)):
            if os.path.isfile(os.path.join(autograded, student, lab, results_file)):
                found.append((student, lab))
    return found


def _visible_folders(folder: str) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return [entry.name for entry in entries if not entry.name.startswith(".") and entry.is_dir()]
    except (FileNotFoundError, NotADirectoryError):
        return []
