"""Grade every submission of a lab found in nbgrader's submitted/<student>/<lab>/ folders.

Per submission, in this order: results are computed, the gradebook is updated (scores, time, late penalty), the
feedback page, the autograded notebook and timestamp.txt are written, and last results.json, atomically: what
nbgrader's autograde would leave, so that formgrader and every nbgrader command after it work unchanged.
results.json (with the notebook's sha256 and the lab's fingerprint) marks a submission as done, so a run that was
killed resumes where it stopped and never grades one twice, and a changed notebook or a changed check (see
fingerprint.py) is graded again by the next run. What the student's folder holds is read by submitted_files.py
alone; a timestamp.txt it flags (in the future, before the release, unreadable) is noted in the results
("timestamp_flag") and in the feedback.
"""

import os
import sys
from collections import Counter
from dataclasses import dataclass, replace

from tqdm import tqdm

from autograder.course.config import Settings
from autograder.course.fingerprint import lab_fingerprint
from autograder.course.labs import Lab
from autograder.course.release import register_lab
from autograder.errors import UsageError
from autograder.grading.cluster import ClusterTarget, grade_on_cluster
from autograder.grading.submission import Graded, file_sha256, grade_or_reject, rejected
from autograder.grading.submitted_files import (
    SUBMISSION_SECRET_FILE,
    TIMESTAMP_FILE,
    Submitted,
    Timestamp,
    read_submission_secret,
    release_time,
    student_id_problem,
)
from autograder.grading.submitted_files import find_submissions as find_submitted
from autograder.grading.workers import grade_in_parallel
from autograder.outputs.autograded_notebook import autograded_view, write_autograded_notebook
from autograder.outputs.feedback import write_feedback
from autograder.outputs.gradebook import record_due_date, record_results
from autograder.outputs.inert_output import printable_line
from autograder.outputs.results import read_results, write_results
from autograder.results import Fingerprint, Results

# nbgrader's own layout of a time in timestamp.txt (Exchange.timestamp_format, in UTC)
NBGRADER_TIME = "%Y-%m-%d %H:%M:%S.%f UTC"


def find_submissions(settings: Settings, lab: Lab) -> list[Submitted]:
    """One entry per student folder of submitted/; the notebook is <lab>.ipynb, or the folder's only notebook if
    renamed; timestamps are checked against the lab's recorded release."""
    released = release_time(os.path.dirname(lab.release_notebook))
    layout = settings.layout
    return find_submitted(layout.step_dir(layout.submitted), lab.name, lab.notebook_name, released)


def regrade_reason(settings: Settings, lab: Lab, submitted: Submitted, fingerprint: Fingerprint) -> str | None:
    """Why this submission is to be graded now (None: results.json holds the grading of its notebook as it is,
    by the lab as it is). A grader's failure is never done."""
    results = read_results(settings.layout.results_path(submitted.student, lab.name))
    if results is None:
        return "new"
    if results.grader_failed:
        return "the grader failed on it last time"
    sha256 = file_sha256(submitted.notebook, submitted.folder, settings.autograder.max_notebook_bytes)
    if not sha256 or results.notebook_sha256 != sha256:
        return "its notebook changed"
    changed = fingerprint.changed(results.fingerprint)
    return None if not changed else " and ".join(changed) + " changed"


@dataclass(frozen=True)
class GradingPlan:
    """What a `grade LAB` run does with each submission it found: grade it (and why), or keep its results."""

    submissions: list[Submitted]  # every submission found (or the ones asked for), in order
    refused: dict[str, str]  # student: why the folder's name is refused as a student id
    to_grade: list[tuple[Submitted, str]]  # with the reason
    kept: list[Submitted]  # graded already, notebook and lab unchanged
    fingerprint: Fingerprint  # the lab's, as it is now

    def summary(self, lab: str) -> str:
        """One line: how many are graded and why, how many kept."""
        reasons = Counter(reason for _, reason in self.to_grade)
        said = ", ".join(
            f"{count} {'because ' if reason != 'new' else ''}{reason}" for reason, count in reasons.items()
        )
        line = f"{lab}: grading {len(self.to_grade)} of {len(self.submissions)} submissions"
        line += f" ({said})" if said else ""
        line += f"; {len(self.kept)} graded already, unchanged" if self.kept else ""
        return line + (f"; {len(self.refused)} refused" if self.refused else "")


def plan_grading(settings: Settings, lab: Lab, force: bool = False, students: list[str] | None = None) -> GradingPlan:
    """The plan for `lab`'s submissions (only those of `students` when given: UsageError for a student with no
    submission); `force` grades every one again."""
    submissions = find_submissions(settings, lab)
    if students is not None:
        found = {submitted.student for submitted in submissions}
        missing = [student for student in students if student not in found]
        if missing:
            raise UsageError(
                f"no submission of {lab.name} by {', '.join(map(printable_line, missing))} in "
                f"{settings.layout.step_dir(settings.layout.submitted)}/<student>/{lab.name}/"
            )
        submissions = [submitted for submitted in submissions if submitted.student in students]
    fingerprint = lab_fingerprint(settings, lab)
    refused, to_grade, kept = {}, [], []
    for submitted in submissions:
        problem = student_id_problem(submitted.student)
        if problem is not None:
            refused[submitted.student] = problem
            continue
        reason = "asked for (--force)" if force else regrade_reason(settings, lab, submitted, fingerprint)
        if reason is None:
            kept.append(submitted)
        else:
            to_grade.append((submitted, reason))
    return GradingPlan(submissions, refused, to_grade, kept, fingerprint)


def timestamp_noted(results: Results, timestamp: Timestamp) -> Results:
    """`results` with a flagged timestamp.txt said in timestamp_flag and in the output (the feedback's notes);
    the time itself still goes to the gradebook, for the instructor to judge."""
    if timestamp.flag is None:
        return results
    said = f" ({timestamp.when:%Y-%m-%d %H:%M:%S} UTC)" if timestamp.when else ""
    note = f"Note: the submission time in timestamp.txt{said} is flagged: {timestamp.flag}; the instructor checks it."
    return results.with_note(note, timestamp_flag=timestamp.flag)


def penalty_noted(results: Results, penalty: float | None) -> Results:
    """`results` with nbgrader's late penalty recorded and said."""
    if not penalty:
        return replace(results, late_penalty=None)
    note = f"Note: submitted after the due date: nbgrader's late-submission rule takes {penalty:g} points off."
    return results.with_note(note, late_penalty=penalty)


def write_or_remove(path: str, content: bytes | None) -> None:
    """Write `content` to `path`, or remove what is there when there is none."""
    if content is not None:
        with open(path, "wb") as handle:
            handle.write(content)
    elif os.path.lexists(path):
        os.remove(path)


def write_beside_notebook(folder: str, timestamp: Timestamp, secret: bytes | None) -> None:
    """timestamp.txt and submission_secret.txt in `folder`, as nbgrader's autograde and generate_feedback copy them:
    the time in nbgrader's layout, written from the parsed time (never the student's bytes), and the key
    release_feedback files the student's page under (the student's bytes: nbgrader only hashes them); a file the
    submission lacks is not there either."""
    when = timestamp.when.strftime(NBGRADER_TIME).encode() if timestamp.when is not None else None
    write_or_remove(os.path.join(folder, TIMESTAMP_FILE), when)
    write_or_remove(os.path.join(folder, SUBMISSION_SECRET_FILE), secret)


def record_submission(
    settings: Settings, lab: Lab, submitted: Submitted, graded: Graded, fingerprint: Fingerprint
) -> Results:
    """Write a graded submission everywhere: gradebook, autograded notebook and timestamp.txt, feedback page (with
    timestamp.txt beside it, as nbgrader's generate_feedback leaves it for release_feedback), then results.json."""
    results = replace(timestamp_noted(graded.results, submitted.timestamp), fingerprint=fingerprint)
    student, layout = submitted.student, settings.layout
    grades = record_results(settings, lab.name, lab.notebook_name, student, results, submitted.timestamp.when)
    results = penalty_noted(results, grades.late_penalty)
    folder = layout.autograded_dir(student, lab.name)
    view = autograded_view(graded.notebook, results, lab.release_notebook)
    write_autograded_notebook(os.path.join(folder, lab.notebook_name + ".ipynb"), view)
    secret = read_submission_secret(submitted.folder)
    write_beside_notebook(folder, submitted.timestamp, secret)
    page = layout.feedback_page(student, lab.name, lab.notebook_name)
    write_feedback(page, results, student, grades, view)
    write_beside_notebook(os.path.dirname(page), submitted.timestamp, secret)
    write_results(layout.results_path(student, lab.name), results)
    return results


def grade_all(
    settings: Settings,
    lab: Lab,
    launcher,
    force: bool = False,
    progress=True,
    workers: int = 1,
    students: list[str] | None = None,
    cluster: ClusterTarget | None = None,
    sandbox: bool = True,
) -> dict[str, Results]:
    """Grade every submission whose notebook or lab changed since it was graded (all of them with `force`; only
    those of `students` when given), `workers` at a time with `launcher`'s kernels, or on the Dask `cluster`
    (launcher None; `sandbox` says whether its workers confine the kernels); returns results by student. With
    `progress`, the plan's summary and a progress bar go to stderr."""
    register_lab(settings, lab.name)
    record_due_date(settings, lab.name)
    plan = plan_grading(settings, lab, force, students)
    if progress:
        print(plan.summary(lab.name), file=sys.stderr)
    graded = {}
    for submitted in plan.submissions:
        problem = plan.refused.get(submitted.student)
        if problem is not None:  # said, never recorded: the gradebook's ids go into formgrader's pages as they are
            graded[submitted.student] = rejected(
                settings, lab, submitted.notebook, submitted.folder, problem, 0.0
            ).results
    for submitted in plan.kept:
        graded[submitted.student] = read_results(settings.layout.results_path(submitted.student, lab.name))
    to_grade = [submitted for submitted, _ in plan.to_grade]
    bar = tqdm(
        total=len(to_grade), desc=f"grading {lab.name}", unit="submission", file=sys.stderr, disable=not progress
    )
    if cluster is not None:
        tasks = [(submitted.student, submitted.notebook, submitted.folder) for submitted in to_grade]
        finished = grade_on_cluster(settings, lab, tasks, cluster, plan.fingerprint, sandbox, progress)
    else:
        finished = grade_each(settings, lab, launcher, to_grade, workers)
    for index, done in finished:
        submitted = to_grade[index]
        graded[submitted.student] = record_submission(settings, lab, submitted, done, plan.fingerprint)
        bar.set_postfix_str(printable_line(submitted.student))
        bar.update()
    bar.close()
    return {submitted.student: graded[submitted.student] for submitted in plan.submissions}


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
