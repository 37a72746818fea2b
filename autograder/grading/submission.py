"""Grade one submission: validate, restore locked cells, run the notebook in a kernel, run the checks.

This is the pipeline of docs/architecture.md for a single notebook; course/grade_class.py runs it over every
submission of a lab.
"""

import hashlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import nbformat

from autograder.checks.lab_data import LabData
from autograder.checks.pictures import PictureBook
from autograder.course.config import Settings
from autograder.course.labs import Lab
from autograder.errors import ERROR, NOT_ATTEMPTED, GraderError, SubmissionRejected
from autograder.grading import check_seed, restore
from autograder.grading.cells import is_manual, points
from autograder.grading.check_runner import CheckResult, collect_checks, run_checks
from autograder.grading.notebook_runner import PreparedKernel
from autograder.grading.submitted_files import own_folder, read_regular_file
from autograder.grading.validation import DEEP, check_lab, grade_ids, notebook_from_bytes
from autograder.kernel.deadline import Deadline
from autograder.kernel.pool import KernelPool
from autograder.outputs.stage_line import no_progress
from autograder.results import CellFailure, CheckOutcome, Results


@cache
def _released_ids(path: str, mtime: float) -> frozenset[str]:
    return frozenset(grade_ids(nbformat.read(path, as_version=4)))


def lab_grade_ids(settings: Settings) -> dict[str, set[str]]:
    """Every released lab's nbgrader grade ids, to recognise a notebook handed in for the wrong lab."""
    ids = {}
    for name in settings.autograder.labs:
        path = settings.layout.release_notebook(name)
        ids[name] = set(_released_ids(path, os.path.getmtime(path))) if os.path.isfile(path) else set()
    return ids


def manual_points(notebook) -> float:
    return sum(points(cell) for cell in notebook.cells if is_manual(cell))


def file_sha256(path: str, folder: str | None, max_bytes: int) -> str:
    """The sha256 of the notebook at `path`, read as read_submission reads it; "" when it cannot be read."""
    try:
        return hashlib.sha256(read_regular_file(path, folder or own_folder(path), max_bytes)).hexdigest()
    except SubmissionRejected:
        return ""


def read_notebook(settings: Settings, lab: Lab, path: str, folder: str | None) -> tuple[str, object]:
    """The sha256 and the notebook of the file at `path` (inside `folder`, default its own real folder), checked
    to be a notebook of `lab`. Any failure on what the file holds, expected or not, is this file's rejection."""
    raw = read_regular_file(path, folder or own_folder(path), settings.autograder.max_notebook_bytes)
    try:
        nb = notebook_from_bytes(raw, path)
        check_lab(nb, lab.name, lab_grade_ids(settings))
    except SubmissionRejected:
        raise
    except RecursionError:
        raise SubmissionRejected(DEEP) from None
    except Exception as error:  # a reader's failure on a hostile file (nbformat, jsonschema): this file alone
        raise SubmissionRejected(f"unreadable: {type(error).__name__}") from None
    return hashlib.sha256(raw).hexdigest(), nb


def restore_cells(nb, released) -> list[str]:
    """restore.restore_cells; a failure on what the student's file holds rejects this file alone."""
    try:
        return restore.restore_cells(nb, released)
    except Exception as error:
        raise SubmissionRejected(f"unreadable: its cells could not be restored ({type(error).__name__})") from None


@dataclass
class Graded:
    results: Results
    notebook: object | None  # the restored notebook with the outputs of its run; None when rejected


def grade_notebook(
    settings: Settings,
    lab: Lab,
    path: str,
    pool: KernelPool,
    folder: str | None = None,
    progress: Callable[[str], None] = no_progress,
) -> Graded:
    """Grade the notebook at `path` (a file inside `folder`: see read_notebook) in a kernel from `pool`; raises
    SubmissionRejected for a file that is not a gradable notebook. Its stages (kernel, cells, checks) go to
    `progress`."""
    started = time.monotonic()
    limits = lab.limits
    released = nbformat.read(lab.release_notebook, as_version=4)
    sha256, nb = read_notebook(settings, lab, path, folder)
    notes = restore_cells(nb, released)
    restore.clear_saved_outputs(nb)  # what the kit writes shows only this run's outputs, never ones the student saved
    kernel = PreparedKernel(
        nb,
        pool,
        settings.autograder.run_public_test_cells,
        deadline=Deadline(started + limits.submission_timeout, limits.submission_timeout),
        progress=progress,
    )
    try:
        lab_data = LabData(
            lab.release_dir, lab.data_dir, lab.dataset, check_seed.for_submission(settings, lab.name, sha256)
        )
        pictures = PictureBook()
        checks = run_checks(
            lab.tests_dir, kernel, limits, lab_data, pictures, progress
        )  # the first `sub` runs the notebook
    finally:
        kernel.close()
    failed_cells = tuple(CellFailure(**vars(report)) for report in kernel.reports if report.status != "ok")
    results = Results(
        lab=lab.name,
        notebook_sha256=sha256,
        tests=tuple(outcome(check) for check in checks),
        output=summary_text(notes, failed_cells),
        execution_time=time.monotonic() - started,
        device=kernel.device,
        sandboxed=pool.launcher.sandboxed,
        kernel_restarts=kernel.restarts,
        restored=tuple(notes),
        cells=failed_cells,
        manual_max_score=manual_points(released),
        check_seed=lab_data.check_seed,
        pictures=tuple(pictures.pictures),
    )
    return Graded(results, nb)


def outcome(check: CheckResult) -> CheckOutcome:
    return CheckOutcome(
        name=check.name,
        check=check.nodeid,
        grade_cell=check.grade_cell,
        max_score=check.points,
        passed=check.passed,
        reason=None if check.passed else check.reason,
        output="" if check.passed else check.message,
        seconds=check.seconds,
    )


STUB_FUNCTION = re.compile(r"^Cell In\[\d+\], line \d+, in ([A-Za-z_][\w.]*)\(", re.M)


def summary_text(notes: list[str], failed_cells: tuple[CellFailure, ...]) -> str:
    """The notes above the checks: what was repaired, and how each failed cell ended."""
    lines = [f"Note: {note}." for note in notes]
    for cell in failed_cells:
        last_line = cell.message.strip().splitlines()[-1] if cell.message.strip() else ""
        if cell.status == NOT_ATTEMPTED and last_line.startswith("NotImplementedError"):
            functions = STUB_FUNCTION.findall(cell.message)  # IPython's "Cell In[1], line 7, in step(x)"
            last_line = f"{functions[-1] if functions else 'it'} still raises NotImplementedError"
        lines.append(
            f"{cell.where()} of your notebook ended with {cell.status}" + (f": {last_line}" if last_line else "")
        )
    return "\n".join(lines)


def grade_or_reject(settings: Settings, lab: Lab, path: str, pool: KernelPool, folder: str | None = None) -> Graded:
    """grade_notebook, with a rejected file turned into results that say why (for batches).

    Any other failure while grading this file, except the grader's own (GraderError: no kernel starts, the
    checks do not load), is this submission's result too, marked `grader_failed` so that a rerun grades it
    again: one file never stops the class."""
    started = time.monotonic()
    try:
        return grade_notebook(settings, lab, path, pool, folder)
    except SubmissionRejected as rejection:
        return rejected(settings, lab, path, folder, str(rejection), time.monotonic() - started)
    except GraderError:
        raise
    except Exception as error:
        seconds = time.monotonic() - started
        return rejected(settings, lab, path, folder, grader_failure(error), seconds, grader_failed=True)


def grader_failure(error: BaseException) -> str:
    return f"the grader failed on this file ({type(error).__name__}); it is graded again on the next run"


def rejected(
    settings: Settings,
    lab: Lab,
    path: str,
    folder: str | None,
    message: str,
    seconds: float,
    grader_failed: bool = False,
) -> Graded:
    """The Graded of a file that could not be graded: every check failed, with `message` as the reason."""
    released = nbformat.read(lab.release_notebook, as_version=4)
    sha256 = file_sha256(path, folder, settings.autograder.max_notebook_bytes)
    why = "the notebook could not be graded: " + message
    tests = tuple(
        CheckOutcome(
            name=check.name,
            check=check.nodeid,
            grade_cell=check.grade_cell,
            max_score=check.points,
            passed=False,
            reason=ERROR,
            output=why,
        )
        for check in collect_checks(lab.tests_dir)
    )
    results = Results(
        lab=lab.name,
        notebook_sha256=sha256,
        tests=tests,
        output="This submission could not be graded: " + message,
        execution_time=seconds,
        manual_max_score=manual_points(released),
        rejected=message,
        grader_failed=grader_failed,
    )
    return Graded(results, None)
