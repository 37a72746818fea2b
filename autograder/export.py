"""Grades out of the gradebook: a CSV of every submission, or Gradescope's results.json per submission."""
import csv
import glob
import os
import shutil

from .config import Settings
from .gradebook import open_gradebook

CSV_COLUMNS = ("student", "lab", "autograded_score", "manual_score", "score", "max_score", "needs_manual_grade")


def csv_rows(settings: Settings) -> list[dict]:
    rows = []
    with open_gradebook(settings) as gradebook:
        for assignment in gradebook.assignments:
            for submission in gradebook.assignment_submissions(assignment.name):
                grades = [grade for notebook in submission.notebooks for grade in notebook.grades]
                auto = sum(grade.auto_score or 0 for grade in grades if grade.manual_score is None)
                manual = sum(grade.manual_score for grade in grades if grade.manual_score is not None)
                rows.append(
                    {
                        "student": submission.student.id,
                        "lab": assignment.name,
                        "autograded_score": auto,
                        "manual_score": manual,
                        "score": submission.score,
                        "max_score": submission.max_score,
                        "needs_manual_grade": submission.needs_manual_grade,
                    }
                )
    return rows


def export_csv(settings: Settings, path: str) -> int:
    rows = csv_rows(settings)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def export_gradescope(settings: Settings, folder: str) -> int:
    """Copy every autograded/<student>/<lab>/results.json to <folder>/<lab>/<student>.json."""
    count = 0
    for path in sorted(glob.glob(settings.path("autograded", "*", "*", settings.autograder.results_file))):
        lab_folder = os.path.dirname(path)
        student = os.path.basename(os.path.dirname(lab_folder))
        target = os.path.join(folder, os.path.basename(lab_folder), student + ".json")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(path, target)
        count += 1
    return count
