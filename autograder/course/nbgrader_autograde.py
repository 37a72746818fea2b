"""nbgrader's autograde, with the kit in place of nbgrader's execution of student code.

course_config.py hands nbgrader's Autograde converter this one preprocessor, in place of its own steps:

    c.Autograde.sanitize_preprocessors = ["autograder.course.nbgrader_autograde.GradeInSandbox"]
    c.Autograde.autograde_preprocessors = []

so that formgrader's Autograde button and `nbgrader autograde` grade a submission exactly as `autograder grade LAB
--student S --force` does: in a child process (the kit limits its own memory, which must not happen to the
Jupyter server's process), with the checks run against a sandboxed kernel, writing the gradebook, results.json,
the feedback page and the autograded notebook. The preprocessor then hands nbgrader the autograded notebook the
kit wrote (inert), which nbgrader writes in the same place. Running in the sanitize pass means nbgrader writes
nothing of the submission before the kit has graded it; when the kit fails, nbgrader removes the autograded
folder and reports the failure with the kit's own message.
"""

import os
import subprocess
import sys

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Unicode

from autograder.course.layout import CourseLayout


def course_config_path(named: str, config) -> str:
    """The kit's course_config.py for an nbgrader step: `named`, else course_config.py in CourseDirectory.root."""
    if named:
        return os.path.abspath(named)
    return os.path.join(os.path.abspath(config.CourseDirectory.get("root", os.getcwd())), "course_config.py")


class GradeInSandbox(NbGraderPreprocessor):
    """Grade one submitted notebook with the kit and return the autograded notebook it wrote."""

    course_config = Unicode(
        "",
        help="The course's course_config.py for the kit (default: course_config.py in CourseDirectory.root).",
    ).tag(config=True)
    timeout = Float(3600.0, help="Seconds the kit may take to grade one submission.").tag(config=True)

    def config_path(self) -> str:
        return course_config_path(self.course_config, self.config)

    def preprocess(self, nb, resources):
        lab, student = resources["nbgrader"]["assignment"], resources["nbgrader"]["student"]
        config = self.config_path()
        command = [sys.executable, "-m", "autograder", "--config", config, "grade", lab, "--student", student]
        done = subprocess.run(
            [*command, "--force", "--quiet"], capture_output=True, text=True, timeout=self.timeout, check=False
        )
        if done.returncode != 0:
            # the kit's stderr is printable already (cli.py): it is what the instructor reads in formgrader's log
            raise RuntimeError(f"the kit could not grade {lab} of {student!r}:\n{done.stderr[-4000:]}")
        from autograder.course.config import load_config

        settings = load_config(config)
        layout: CourseLayout = settings.layout
        notebook = resources["nbgrader"]["notebook"]
        path = os.path.join(layout.autograded_dir(student, lab), notebook + ".ipynb")
        return nbformat.read(path, as_version=nbformat.NO_CONVERT), resources
