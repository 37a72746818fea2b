"""The labs of the course and where their parts are: released notebook, hidden checks, files for the kernel."""
import os
from dataclasses import dataclass

from autograder.course.config import Settings
from autograder.sandbox.bubblewrap import gpu_devices


class UsageError(Exception):
    """The command was asked for something that does not exist (exit code 2)."""


@dataclass(frozen=True)
class Lab:
    name: str
    release_notebook: str
    tests_dir: str
    files: tuple[str, ...]  # what else release/<lab>/ holds: copied into the kernel's working folder
    data_dir: str | None  # the course's data folder: the kernel sees it, read-only, as data/

    @property
    def notebook_name(self) -> str:
        return os.path.splitext(os.path.basename(self.release_notebook))[0]


def find_lab(settings: Settings, name: str) -> Lab:
    """The lab to grade; raises UsageError for an unknown or unreleased lab, or one this machine cannot grade."""
    if name not in settings.autograder.labs:
        raise UsageError(f"unknown lab {name!r}; the course has: {', '.join(settings.autograder.labs)}")
    if settings.for_lab(name, "require_gpu") and not has_gpu():
        raise UsageError(
            f"{name} is to be graded on a GPU (require_gpu in course_config.py) and this machine has none: "
            "grade it on a machine with an NVIDIA GPU, or set require_gpu to False to grade with the CPU budget"
        )
    release_dir = settings.path("release", name)
    notebook = os.path.join(release_dir, name + ".ipynb")
    if not os.path.isfile(notebook):
        raise UsageError(f"{notebook} does not exist: run `autograder release {name}` first")
    files = tuple(
        os.path.join(release_dir, entry)
        for entry in sorted(os.listdir(release_dir))
        if entry != name + ".ipynb" and not entry.startswith(".")
    )
    return Lab(name, notebook, settings.path(settings.autograder.grading_tests_directory, name), files, data_folder(settings))


def has_gpu() -> bool:
    """Whether an NVIDIA GPU is visible (a numbered device file, as the sandbox binds it), without importing torch."""
    return any(os.path.basename(path)[6:].isdigit() for path in gpu_devices())


def data_folder(settings: Settings) -> str | None:
    """The course's data folder, if it has one."""
    path = settings.path(settings.autograder.data_directory)
    return path if os.path.isdir(path) else None
