"""The course's folders, in one place, named as nbgrader names them.

nbgrader's own settings decide where its steps live (`c.CourseDirectory.source_directory`, `release_directory`,
`submitted_directory`, `autograded_directory`, `feedback_directory`, under `root`), and its `format_path` joins
them as `directory_structure` says; the kit reads the same settings and joins paths the same way, so that an
instructor who renames a folder gets a kit and an nbgrader that agree. The kit's own folders (answer keys,
hidden checks, data) are `c.Autograder` settings.

nbgrader itself is not imported here: importing it costs 1.4 s, more than grading one lab1 notebook.
tests/test_course_layout.py checks that these defaults are nbgrader's.

    <root>/
      source/<lab>/<lab>.ipynb                  the instructor's notebook, with solutions
      release/<lab>/                            the student version and the lab's files
      submitted/<student>/<lab>/                what a student handed in (untrusted)
      autograded/<student>/<lab>/results.json   the kit's results, and the autograded notebook
      feedback/<student>/<lab>/<notebook>.html  the page returned to the student
      solutions/<lab>/<lab>.ipynb               the executed answer key
      grading_tests/<lab>/                      the hidden checks
      data/                                     offline data the labs read
"""

import os
from dataclasses import dataclass

# nbgrader's CourseDirectory defaults (0.9): the layout when course_config.py says nothing
NBGRADER_DEFAULTS = {
    "directory_structure": "{nbgrader_step}/{student_id}/{assignment_id}",
    "source_directory": "source",
    "release_directory": "release",
    "submitted_directory": "submitted",
    "autograded_directory": "autograded",
    "feedback_directory": "feedback",
}


@dataclass(frozen=True)
class CourseLayout:
    root: str
    directory_structure: str
    source: str  # nbgrader's step folders, relative to root
    release: str
    submitted: str
    autograded: str
    feedback: str
    solutions: str  # the kit's own folders, relative to root
    grading_tests: str
    data: str
    results_file: str  # a submission's results, in its autograded folder

    @classmethod
    def from_config(cls, root: str, course_directory, autograder) -> "CourseLayout":
        """The layout that nbgrader's CourseDirectory section (`course_directory`, a traitlets Config) and the
        kit's Autograder settings describe."""
        steps = {name: course_directory.get(name, default) for name, default in NBGRADER_DEFAULTS.items()}
        return cls(
            root=root,
            directory_structure=steps["directory_structure"],
            source=steps["source_directory"],
            release=steps["release_directory"],
            submitted=steps["submitted_directory"],
            autograded=steps["autograded_directory"],
            feedback=steps["feedback_directory"],
            solutions=autograder.solutions_directory,
            grading_tests=autograder.grading_tests_directory,
            data=autograder.data_directory,
            results_file=autograder.results_file,
        )

    def format_path(self, step: str, student: str, lab: str) -> str:
        """nbgrader's CourseDirectory.format_path: <root>/<step>/<student>/<lab> in the default structure.
        The names are inserted as they are (never read as patterns or format strings)."""
        relative = self.directory_structure.format(nbgrader_step=step, student_id=student, assignment_id=lab)
        return os.path.normpath(os.path.join(self.root, relative))

    def path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    # the instructor's side: one folder per lab
    def source_notebook(self, lab: str) -> str:
        return os.path.join(self.format_path(self.source, ".", lab), f"{lab}.ipynb")

    def release_dir(self, lab: str) -> str:
        return self.format_path(self.release, ".", lab)

    def release_notebook(self, lab: str) -> str:
        return os.path.join(self.release_dir(lab), f"{lab}.ipynb")

    def solution_notebook(self, lab: str) -> str:
        return self.path(self.solutions, lab, f"{lab}.ipynb")

    def tests_dir(self, lab: str) -> str:
        return self.path(self.grading_tests, lab)

    @property
    def data_dir(self) -> str:
        return self.path(self.data)

    # the students' side: one folder per student and lab
    def step_dir(self, step: str) -> str:
        """The folder of one of nbgrader's steps, holding a folder per student (submitted, autograded...)."""
        return self.path(step)

    def submitted_dir(self, student: str, lab: str) -> str:
        return self.format_path(self.submitted, student, lab)

    def autograded_dir(self, student: str, lab: str) -> str:
        return self.format_path(self.autograded, student, lab)

    def results_path(self, student: str, lab: str) -> str:
        return os.path.join(self.autograded_dir(student, lab), self.results_file)

    def feedback_page(self, student: str, lab: str, notebook: str) -> str:
        return os.path.join(self.format_path(self.feedback, student, lab), f"{notebook}.html")

    def check(self) -> list[str]:
        """What the kit cannot work with: a directory_structure other than nbgrader's default (the kit lists a
        step's folder as <student>/<lab>), or a step folder that is not a plain name."""
        problems = []
        if self.directory_structure != NBGRADER_DEFAULTS["directory_structure"]:
            problems.append(
                f"CourseDirectory.directory_structure must be {NBGRADER_DEFAULTS['directory_structure']!r}, "
                f"not {self.directory_structure!r}"
            )
        for name in ("source", "release", "submitted", "autograded", "feedback"):
            folder = getattr(self, name)
            if not folder or os.sep in folder or folder in (".", ".."):
                problems.append(f"CourseDirectory.{name}_directory must be a folder name, not {folder!r}")
        return problems
