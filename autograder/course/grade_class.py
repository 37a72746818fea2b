"""Grade every submission of a lab found in nbgrader's submitted/<student>/<lab>/ folders.

Per submission, in this order: results are computed, the gradebook is updated, the feedback page and the
autograded notebook are written, and last results.json, atomically. results.json (with the notebook's sha256)
marks a submission as done, so a run that was killed resumes where it stopped and never grades one twice.
What the student's folder holds is read by submitted_files.py alone; a timestamp.txt it flags (in the future,
before the release, unreadable) is noted in the results ("timestamp_flag") and in the feedback.
"""

import os
import sys

import nbformat
from tqdm import tqdm

from autograder.course.config import Settings
from autograder.course.labs import Lab
from autograder.course.release import register_lab
from autograder.grading.submission import Graded, file_sha256, grade_or_reject, rejected
from autograder.grading.submitted_files import Submitted, Timestamp, release_time, student_id_problem
from autograder.grading.submitted_files import find_submissions as find_submitted
from autograder.grading.workers import grade_in_parallel
from autograder.outputs.feedback import write_feedback
from autograder.outputs.gradebook import record_results
from autograder.outputs.inert_output import inert_notebook, printable_line
from autograder.outputs.results import read_results, write_results
from autograder.results import Results


def find_submissions(settings: Settings, lab: Lab) -> list[Submitted]:
    """One entry per student folder of submitted/; the notebook is <lab>.ipynb, or the folder's only notebook if
    renamed; timestamps are checked against the lab's recorded release."""
    released = release_time(os.path.dirname(lab.release_notebook))
    layout = settings.layout
    return find_submitted(layout.step_dir(layout.submitted), lab.name, lab.notebook_name, released)


def is_done(settings: Settings, lab: Lab, submitted: Submitted) -> bool:
    """Whether results.json holds the grading of the notebook as it is now (a grader's failure is never done)."""
    results = read_results(settings.layout.results_path(submitted.student, lab.name))
    if results is None or results.grader_failed:
        return False
    sha256 = file_sha256(submitted.notebook, submitted.folder, settings.autograder.max_notebook_bytes)
    return bool(sha256) and results.notebook_sha256 == sha256


def timestamp_noted(results: Results, timestamp: Timestamp) -> Results:
    """`results` with a flagged timestamp.txt said in timestamp_flag and in the output (the feedback's notes);
    the time itself still goes to the gradebook, for the instructor to judge."""
    if timestamp.flag is None:
        return results
    said = f" ({timestamp.when:%Y-%m-%d %H:%M:%S} UTC)" if timestamp.when else ""
    note = f"Note: the submission time in timestamp.txt{said} is flagged: {timestamp.flag}; the instructor checks it."
    return results.with_note(note, timestamp_flag=timestamp.flag)


def record_submission(settings: Settings, lab: Lab, submitted: Submitted, graded: Graded) -> Results:
    """Write a graded submission everywhere: gradebook, feedback page, autograded notebook, then results.json."""
    graded.results = timestamp_noted(graded.results, submitted.timestamp)
    record_results(settings, lab.name, lab.notebook_name, submitted.student, graded.results, submitted.timestamp.when)
    layout = settings.layout
    write_feedback(
        layout.feedback_page(submitted.student, lab.name, lab.notebook_name), graded.results, submitted.student
    )
    folder = layout.autograded_dir(submitted.student, lab.name)
    os.makedirs(folder, exist_ok=True)
    if graded.notebook is not None:
        nbformat.write(
            inert_notebook(graded.notebook), os.path.join(folder, lab.notebook_name + ".ipynb")
        )  # formgrader renders it
    write_results(layout.results_path(submitted.student, lab.name), graded.results)
    return graded.results


def grade_all(
    settings: Settings, lab: Lab, launcher, force: bool = False, progress=True, workers: int = 1
) -> dict[str, Results]:
    """Grade every submission not already graded (all of them with `force`), `workers` at a time; returns
    results by student."""
    register_lab(settings, lab.name)
    submissions = find_submissions(settings, lab)
    graded = {}
    to_grade = []
    for submitted in submissions:
        refused = student_id_problem(submitted.student)
        if refused is not None:  # said, never recorded: the gradebook's ids go into formgrader's pages as they are
            graded[submitted.student] = rejected(
                settings, lab, submitted.notebook, submitted.folder, refused, 0.0
            ).results
        elif not force and is_done(settings, lab, submitted):
            graded[submitted.student] = read_results(settings.layout.results_path(submitted.student, lab.name))
        else:
            to_grade.append(submitted)
    bar = tqdm(
        total=len(to_grade), desc=f"grading {lab.name}", unit="submission", file=sys.stderr, disable=not progress
    )
    for index, done in grade_each(settings, lab, launcher, to_grade, workers):
        submitted = to_grade[index]
        graded[submitted.student] = record_submission(settings, lab, submitted, done)
        bar.set_postfix_str(printable_line(submitted.student))
        bar.update()
    bar.close()
    return {submitted.student: graded[submitted.student] for submitted in submissions}


def grade_each(settings: Settings, lab: Lab, launcher, submissions: list[Submitted], workers: int):
    """(index, Graded) of each submission, in order: here, one after the other, or in `workers` worker processes
    (where a grader's failure is raised after the other results: see workers.py)."""
    if workers > 1 and len(submissions) > 1:
        tasks = [(submitted.notebook, submitted.folder) for submitted in submissions]
        yield from grade_in_parallel(settings, lab, tasks, workers, sandbox=launcher.sandboxed)
        return
    pool = lab.kernel_pool(launcher, ahead=1)  # the next kernel boots during this grading
    try:
        for index, submitted in enumerate(submissions):
            yield index, grade_or_reject(settings, lab, submitted.notebook, pool, submitted.folder)
    finally:
        pool.close()
