"""`autograder gradescope LAB`: the zip that Gradescope takes as a lab's autograder.

Gradescope unzips it into /autograder/source/, runs setup.sh once to build its image, and for each submission
runs run_autograder with the student's files in /autograder/submission/. The zip holds:

    setup.sh, run_autograder    Gradescope's two entry points (autograder/gradescope/)
    gradescope.json             the lab to grade and whether its kernels are sandboxed
    kit/                        the kit: the autograder package, pyproject.toml, requirements.txt, its setup
    course/                     a course of this one lab: the course's configuration (its root, gradebook and
                                secret made local), the course secret (so that the checks draw the same inputs as
                                `grade`), the lab's release folder, its hidden checks and the course's data

Never the instructor's solutions (source/, solutions/) nor any student's file. The checks' secret and hidden
checks are in it: the zip is the instructor's, as the course folder is.
"""

import json
import os
import zipfile
from dataclasses import dataclass

from autograder.course.config import KIT, Settings
from autograder.course.labs import Lab, setting
from autograder.errors import UsageError
from autograder.grading.check_seed import course_secret

HERE = os.path.dirname(os.path.abspath(__file__))
ENTRY_POINTS = ("setup.sh", "run_autograder")
SETTINGS_FILE = "gradescope.json"
KIT_FILES = ("pyproject.toml", "requirements.txt", os.path.join("scripts", "setup_env.sh"))
# made local: the course folder in the zip is the course's root, and one grading writes no gradebook
COURSE_OVERRIDES = """
# --- added by `autograder gradescope`: this folder is the course, graded one submission at a time ---
c.CourseDirectory.root = "."
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.Autograder.cluster = ""
c.Autograder.secret_file = "course_secret.txt"
"""
EXECUTABLE, PLAIN, PRIVATE = 0o755, 0o644, 0o600


@dataclass(frozen=True)
class GradescopeSettings:
    """What run_autograder grades, as gradescope.json holds it."""

    lab: str
    sandbox: bool
    visibility: dict[str, str]

    def to_json(self) -> str:
        return json.dumps({"lab": self.lab, "sandbox": self.sandbox, "visibility": self.visibility}, indent=1)

    @classmethod
    def read(cls, path: str) -> "GradescopeSettings":
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return cls(str(data["lab"]), bool(data["sandbox"]), dict(data.get("visibility", {})))


@dataclass(frozen=True)
class Package:
    path: str
    files: int
    bytes: int


def inside_course(settings: Settings, path: str, what: str) -> str:
    """`path` relative to the course root; UsageError when it lies outside (the zip holds the course's folder)."""
    relative = os.path.relpath(path, settings.root)
    if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
        raise UsageError(f"{what} {path} is outside the course folder {settings.root}: the Gradescope zip holds that")
    return relative


def files_under(folder: str) -> list[str]:
    """Every file under `folder` (links followed, as the course's folders may be links to the kit's), sorted;
    caches and hidden files left out."""
    found = []
    for parent, folders, files in os.walk(folder, followlinks=True):
        folders[:] = sorted(name for name in folders if name != "__pycache__" and not name.startswith("."))
        found += [os.path.join(parent, name) for name in sorted(files) if not name.startswith(".")]
    return [path for path in found if not path.endswith(".pyc")]


def planned_files(settings: Settings, lab: Lab) -> list[tuple[str, str]]:
    """(file on this machine, its name in the zip) of everything but the generated files."""
    entries = [(os.path.join(HERE, name), name) for name in ENTRY_POINTS]
    package = os.path.join(KIT, "autograder")
    entries += [(path, os.path.join("kit", os.path.relpath(path, KIT))) for path in files_under(package)]
    entries += [(os.path.join(KIT, name), os.path.join("kit", name)) for name in KIT_FILES]
    course_folders = [(lab.release_dir, "the lab's release folder"), (lab.tests_dir, "the lab's hidden checks")]
    if lab.data_dir is not None and os.path.isdir(lab.data_dir):
        course_folders.append((lab.data_dir, "the course's data"))
    for folder, what in course_folders:
        inside_course(settings, folder, what)
        entries += [
            (path, os.path.join("course", os.path.relpath(path, settings.root))) for path in files_under(folder)
        ]
    return entries


def build_package(settings: Settings, lab: Lab, config_path: str, output: str, sandbox: bool = True) -> Package:
    """Write the Gradescope zip of `lab` to `output`; the course's configuration is the file at `config_path`."""
    secret = settings.path(settings.autograder.secret_file)
    course_secret(secret)  # made now if the course has none yet: the zip and `grade` then draw the same inputs
    visibility = dict(setting(settings, lab.name, "gradescope_visibility"))
    chosen = GradescopeSettings(lab.name, sandbox, visibility)
    with open(config_path, encoding="utf-8") as handle:
        config = handle.read() + COURSE_OVERRIDES
    generated = {
        SETTINGS_FILE: chosen.to_json(),
        os.path.join("course", os.path.basename(config_path)): config,
    }
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    files = planned_files(settings, lab)
    files.append((secret, os.path.join("course", "course_secret.txt")))
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, name in files:
            mode = EXECUTABLE if name.endswith(".sh") or name in ENTRY_POINTS else PRIVATE if path == secret else PLAIN
            info = zipfile.ZipInfo.from_file(path, name)
            info.external_attr = (0o100000 | mode) << 16
            with open(path, "rb") as handle:
                archive.writestr(info, handle.read(), zipfile.ZIP_DEFLATED)
        for name, text in generated.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | PLAIN) << 16
            archive.writestr(info, text, zipfile.ZIP_DEFLATED)
    return Package(output, len(files) + len(generated), os.path.getsize(output))
