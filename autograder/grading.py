"""Grade one submission: validate, restore locked cells, run the notebook in a kernel, run the checks.

This is the pipeline of DESIGN.md for a single notebook; batch.py runs it over every submission of a lab.
"""
import hashlib
import os
import time
from dataclasses import dataclass
from functools import lru_cache

import nbformat

from .cell_restore import restore_cells
from .check_runner import collect_checks, run_checks
from .config import Settings
from .failures import SubmissionRejected
from .kernel_pool import KernelPool
from .lab_data import LabData
from .labs import Lab
from .notebook_cells import is_manual, points
from .notebook_runner import PreparedKernel
from .notebook_validation import check_lab, grade_ids, read_submission
from .results import build_results, rejected_results


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


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Graded:
    results: dict
    notebook: object | None  # the restored notebook with the outputs of its run; None when rejected


def grade_notebook(settings: Settings, lab: Lab, path: str, pool: KernelPool) -> Graded:
    """Grade the notebook at `path` in a kernel from `pool`; raises SubmissionRejected for a file that is not a
    gradable notebook."""
    started = time.monotonic()
    limits = pool.limits
    sha256 = file_sha256(path) if os.path.isfile(path) else ""
    released = nbformat.read(lab.release_notebook, as_version=4)
    nb = read_submission(path, settings.autograder.max_notebook_bytes)
    check_lab(nb, lab.name, lab_grade_ids(settings))
    notes = restore_cells(nb, released)
    kernel = PreparedKernel(nb, pool, settings.autograder.run_public_test_cells, deadline=started + limits.submission_timeout)
    try:
        lab_data = LabData(os.path.dirname(lab.release_notebook), lab.data_dir, settings.for_lab(lab.name, "dataset"))
        checks = run_checks(lab.tests_dir, kernel, limits, lab_data)  # the first check's `sub` runs the notebook
    finally:
        kernel.close()
    results = build_results(
        lab.name, sha256, checks, kernel.reports, notes, kernel.device, time.monotonic() - started, manual_points(released),
        sandboxed=pool.launcher.sandboxed, restarts=kernel.restarts,
    )
    return Graded(results, nb)


def grade_or_reject(settings: Settings, lab: Lab, path: str, pool: KernelPool) -> Graded:
    """grade_notebook, with a rejected file turned into results that say why (for batches)."""
    started = time.monotonic()
    try:
        return grade_notebook(settings, lab, path, pool)
    except SubmissionRejected as rejection:
        released = nbformat.read(lab.release_notebook, as_version=4)
        sha256 = file_sha256(path) if os.path.isfile(path) else ""
        results = rejected_results(
            lab.name, sha256, str(rejection), collect_checks(lab.tests_dir), time.monotonic() - started, manual_points(released)
        )
        return Graded(results, None)

