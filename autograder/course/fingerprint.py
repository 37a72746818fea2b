"""A lab's fingerprint: digests of everything besides a submission's notebook that decides its results.

`grade LAB` regrades a submission when its notebook or its lab's fingerprint changed since it was graded: an
instructor who fixes a hidden check, raises a time limit or retrains the reference classifier gets the class
regraded by the next run, and only then. Paths are left out (a course copied elsewhere grades the same), and so
is anything of the grading machine (a GPU changes the budget, which results record as their device).
"""

import hashlib
import json
import os

import autograder
from autograder.course.config import Settings
from autograder.course.labs import Lab
from autograder.grading.check_seed import course_secret
from autograder.results import Fingerprint

SKIPPED = ("__pycache__", ".pytest_cache")


def folder_digest(paths: list[str]) -> str:
    """sha256 over the files at or under `paths`, each with its path relative to its root, in a fixed order;
    hidden files and Python's caches are left out. A missing path counts as empty."""
    digest = hashlib.sha256()
    for root in paths:
        for path in sorted(_files(root)):
            digest.update(os.path.relpath(path, root).encode() + b"\0")
            with open(path, "rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def _files(root: str) -> list[str]:
    if os.path.isfile(root):
        return [root]
    found = []
    for folder, folders, names in os.walk(root):
        folders[:] = [name for name in folders if name not in SKIPPED and not name.startswith(".")]
        found += [os.path.join(folder, name) for name in names if not name.startswith(".")]
    return found


def settings_digest(settings: Settings, lab: Lab) -> str:
    """sha256 of the lab's resolved settings (limits, sandbox, preload, data set, device), the seed and the course
    secret's digest: what course_config.py decides about the grading of this lab."""
    secret = course_secret(settings.path(settings.autograder.secret_file))  # made now if missing, as grading would
    described = {
        "limits": vars(lab.limits),
        "sandbox_limits": vars(lab.sandbox_limits),
        "preload": lab.preload,
        "dataset": lab.dataset,
        "require_gpu": lab.require_gpu,
        "sandbox": lab.sandbox,
        "plots": lab.plots,
        "seed": settings.autograder.seed,
        "secret": hashlib.sha256(secret).hexdigest(),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


def lab_fingerprint(settings: Settings, lab: Lab) -> Fingerprint:
    """The fingerprint of `lab` as the course holds it now (a few ms: the hidden data are under a megabyte)."""
    layout = settings.layout
    return Fingerprint(
        checks=folder_digest([lab.tests_dir]),
        release=folder_digest([lab.release_notebook, *lab.files]),
        settings=settings_digest(settings, lab),
        data=folder_digest([os.path.join(layout.data_dir, name) for name in settings.autograder.hidden_data]),
        kit=hashlib.sha256(autograder.__version__.encode()).hexdigest(),
    )
