"""Grade one submission: validate, restore locked cells, run the notebook in a kernel, run the checks.

This is the pipeline of DESIGN.md for a single notebook; batch.py runs it over every submission of a lab.
"""
import hashlib
import os
import time
from dataclasses import dataclass
from functools import lru_cache

import nbformat

from autograder.grading import restore
from autograder.grading import check_seed
from autograder.grading.check_runner import collect_checks, run_checks
from autograder.course.config import Settings
from autograder.errors import GraderError, SubmissionRejected
from autograder.outputs.inert_output import clear_saved_outputs
from autograder.kernel.pool import KernelPool
from autograder.checks.lab_data import LabData
from autograder.course.labs import Lab
from autograder.grading.cells import is_manual, points
from autograder.grading.notebook_runner import PreparedKernel
from autograder.grading.validation import DEEP, check_lab, grade_ids, notebook_from_bytes
from autograder.outputs.results import build_results, rejected_results
from autograder.grading.submitted_files import own_folder, read_regular_file


@lru_cache(maxsize=None)
def _released_ids(path: str, mtime: float) -> frozenset[str]:
    return frozenset(grade_ids(nbformat.read(path, as_version=4)))


def lab_grade_ids(settings: Settings) -> dict[str, set[str]]:
    """Every released lab's nbgrader grade ids, to recognise a notebook handed in for the wrong lab."""
    ids = {}
    for name in settings.autograder.labs:
        path = settings.path("release", name, name + ".ipynb")
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
        nb = notebook_from_bytes(raw)
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
    results: dict
    notebook: object | None  # the restored notebook with the outputs of its run; None when rejected


def grade_notebook(settings: Settings, lab: Lab, path: str, pool: KernelPool, folder: str | None = None) -> Graded:
    """Grade the notebook at `path` (a file inside `folder`: see read_notebook) in a kernel from `pool`; raises
    SubmissionRejected for a file that is not a gradable notebook."""
    started = time.monotonic()
    limits = pool.limits
    released = nbformat.read(lab.release_notebook, as_version=4)
    sha256, nb = read_notebook(settings, lab, path, folder)
    notes = restore_cells(nb, released)
    clear_saved_outputs(nb)  # what the kit writes shows only this run's outputs, never ones the student saved
    kernel = PreparedKernel(nb, pool, settings.autograder.run_public_test_cells, deadline=started + limits.submission_timeout)
    try:
        lab_data = LabData(os.path.dirname(lab.release_notebook), lab.data_dir, settings.for_lab(lab.name, "dataset"),
                           check_seed.for_submission(settings, lab.name, sha256))
        checks = run_checks(lab.tests_dir, kernel, limits, lab_data)  # the first check's `sub` runs the notebook
    finally:
        kernel.close()
    results = build_results(
        lab.name, sha256, checks, kernel.reports, notes, kernel.device, time.monotonic() - started, manual_points(released),
        sandboxed=pool.launcher.sandboxed, restarts=kernel.restarts,
    )
    results["extra_data"]["check_seed"] = lab_data.check_seed  # the checks' inputs, for a reproducible regrade
    return Graded(results, nb)


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


def rejected(settings: Settings, lab: Lab, path: str, folder: str | None, message: str, seconds: float,
             grader_failed: bool = False) -> Graded:
    """The Graded of a file that could not be graded: every check failed, with `message` as the reason."""
    released = nbformat.read(lab.release_notebook, as_version=4)
    sha256 = file_sha256(path, folder, settings.autograder.max_notebook_bytes)
    checks = collect_checks(lab.tests_dir)
    results = rejected_results(lab.name, sha256, message, checks, seconds, manual_points(released))
    if grader_failed:
        results["extra_data"]["grader_failed"] = True
    return Graded(results, None)

