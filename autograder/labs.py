"""The labs of the course and where their parts are: released notebook, hidden checks, files for the kernel."""
import os
from dataclasses import dataclass

from .config import Settings


class UsageError(Exception):
    """The command was asked for something that does not exist (exit code 2)."""


@dataclass(frozen=True)
class Lab:
    name: str
    release_notebook: str
    tests_dir: str
    files: tuple[str, ...]  # what else release/<lab>/ holds: copied into the kernel's working folder

    @property
    def notebook_name(self) -> str:
        return os.path.splitext(os.path.basename(self.release_notebook))[0]


def find_lab(settings: Settings, name: str) -> Lab:
    if name not in settings.autograder.labs:
        raise UsageError(f"unknown lab {name!r}; the course has: {', '.join(settings.autograder.labs)}")
    release_dir = settings.path("release", name)
    notebook = os.path.join(release_dir, name + ".ipynb")
    if not os.path.isfile(notebook):
        raise UsageError(f"{notebook} does not exist: run `autograder release {name}` first")
    files = tuple(
        os.path.join(release_dir, entry)
        for entry in sorted(os.listdir(release_dir))
        if entry != name + ".ipynb" and not entry.startswith(".")
    )
    return Lab(name, notebook, settings.path(settings.autograder.grading_tests_directory, name), files)
