"""Grade every submission of a lab found in nbgrader's submitted/<student>/<lab>/ folders.

Per submission, in this order: results are computed, the gradebook is updated, the feedback page and the
autograded notebook are written, and last results.json, atomically. results.json (with the notebook's sha256)
marks a submission as done, so a run that was killed resumes where it stopped and never grades one twice.
"""
import glob
import os
import sys
from dataclasses import dataclass
from datetime import datetime

import nbformat
from tqdm import tqdm

from .config import Settings
from .feedback import write_feedback
from .gradebook import record_results
from .grading import Graded, file_sha256, grade_or_reject
from .kernel_pool import KernelPool
from .labs import Lab
from .release import register_lab
from .results import read_results, write_results
from .workers import grade_in_parallel

TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S.%f %Z", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%d %H:%M:%S")


@dataclass
class Submitted:
    student: str
    notebook: str
    timestamp: datetime | None


def read_timestamp(folder: str) -> datetime | None:
    try:
        with open(os.path.join(folder, "timestamp.txt"), encoding="utf-8") as handle:
            text = handle.read().strip()
    except OSError:
        return None
    for layout in TIMESTAMP_FORMATS:
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    return None


def find_submissions(settings: Settings, lab: Lab) -> list[Submitted]:
    """One entry per student folder; the notebook is <lab>.ipynb, or the folder's only notebook if renamed."""
    found = []
    for folder in sorted(glob.glob(settings.path("submitted", "*", lab.name))):
        student = os.path.basename(os.path.dirname(folder))
        expected = os.path.join(folder, lab.notebook_name + ".ipynb")
        notebooks = sorted(glob.glob(os.path.join(folder, "*.ipynb")))
        notebook = expected if os.path.exists(expected) or len(notebooks) != 1 else notebooks[0]
        found.append(Submitted(student, notebook, read_timestamp(folder)))
    return found


def autograded_path(settings: Settings, lab: Lab, student: str, name: str) -> str:
    return settings.path("autograded", student, lab.name, name)


def is_done(settings: Settings, lab: Lab, submitted: Submitted) -> bool:
    results = read_results(autograded_path(settings, lab, submitted.student, settings.autograder.results_file))
    return (
        results is not None
        and os.path.isfile(submitted.notebook)
        and results.get("extra_data", {}).get("notebook_sha256") == file_sha256(submitted.notebook)
    )


def record_submission(settings: Settings, lab: Lab, submitted: Submitted, graded: Graded) -> dict:
    """Write a graded submission everywhere: gradebook, feedback page, autograded notebook, then results.json."""
    record_results(settings, lab.name, lab.notebook_name, submitted.student, graded.results, submitted.timestamp)
    write_feedback(settings.path("feedback", submitted.student, lab.name, lab.notebook_name + ".html"), graded.results, submitted.student)
    folder = os.path.dirname(autograded_path(settings, lab, submitted.student, ""))
    os.makedirs(folder, exist_ok=True)
    if graded.notebook is not None:
        nbformat.write(graded.notebook, os.path.join(folder, lab.notebook_name + ".ipynb"))
    write_results(autograded_path(settings, lab, submitted.student, settings.autograder.results_file), graded.results)
    return graded.results


def grade_all(settings: Settings, lab: Lab, launcher, force: bool = False, progress=True, workers: int = 1) -> dict[str, dict]:
    """Grade every submission not already graded (all of them with `force`), `workers` at a time; returns
    results by student."""
    register_lab(settings, lab.name)
    submissions = find_submissions(settings, lab)
    graded = {}
    to_grade = []
    for submitted in submissions:
        if not force and is_done(settings, lab, submitted):
            graded[submitted.student] = read_results(autograded_path(settings, lab, submitted.student, settings.autograder.results_file))
        else:
            to_grade.append(submitted)
    bar = tqdm(total=len(to_grade), desc=f"grading {lab.name}", unit="submission", file=sys.stderr, disable=not progress)
    for submitted, done in zip(to_grade, grade_each(settings, lab, launcher, [s.notebook for s in to_grade], workers)):
        graded[submitted.student] = record_submission(settings, lab, submitted, done)
        bar.set_postfix_str(submitted.student)
        bar.update()
    bar.close()
    return {submitted.student: graded[submitted.student] for submitted in submissions}


def grade_each(settings: Settings, lab: Lab, launcher, paths: list[str], workers: int):
    """The Graded of each notebook, in order: here, one after the other, or in `workers` worker processes."""
    if workers > 1 and len(paths) > 1:
        yield from grade_in_parallel(settings, lab, paths, workers, sandbox=launcher.sandboxed)
        return
    pool = KernelPool.for_lab(settings, lab, launcher, ahead=1)  # the next kernel boots during this grading
    try:
        for path in paths:
            yield grade_or_reject(settings, lab, path, pool)
    finally:
        pool.close()
