"""The export formats, in one registry: `autograder export --format NAME` takes its choices and its writer here.

A new format is one entry: a writer `(settings, output path) -> count` and what the command prints. Writers are
imported when used, so that listing the formats (the command line's start) costs nothing.
"""

import importlib
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFormat:
    writer: str  # "module:function" of autograder.outputs; the function takes (settings, output) and returns a count
    default_output: str  # a file or a folder, relative to the working directory
    said: str  # what the command prints, with {output} and {count}
    # "module:function" taking settings: the gradebook's students the file leaves out (not on the roster), said after
    left_out: str | None = None

    def write(self, settings, output: str | None) -> str:
        """Write the export; returns the sentence that says what was written."""
        target = output or self.default_output
        count = _function(self.writer)(settings, target)
        said = self.said.format(output=target, count=count)
        if self.left_out is not None:
            said += left_out_said(_function(self.left_out)(settings), settings.autograder.roster)
        return said


def _function(name: str):
    module, function = name.split(":")
    return getattr(importlib.import_module(f"autograder.outputs.{module}"), function)


def left_out_said(students, roster: str, shown: int = 10) -> str:
    """The sentence's end that names the students left out (the first `shown` of them), or nothing."""
    if not students:
        return ""
    from autograder.outputs.inert_output import printable_line  # here: listing the formats imports nothing

    names = ", ".join(printable_line(student) for student in students[:shown])
    more = f" and {len(students) - shown} more" if len(students) > shown else ""
    counted = f"{len(students)} graded student" + ("s" if len(students) > 1 else "")
    return f"; left out, as {roster} does not list them: {counted} ({names}{more})"


EXPORT_FORMATS = {
    # never grades.csv: that is `nbgrader export`'s file, which holds the same scores (the kit's are nbgrader's)
    "csv": ExportFormat("export:export_csv", "autograder_grades.csv", "wrote {count} rows to {output}"),
    "gradescope": ExportFormat(
        "export:export_gradescope", os.path.join("export", "gradescope"), "wrote {count} results files under {output}/"
    ),
    "canvas": ExportFormat(
        "lms_grades:export_canvas",
        os.path.join("export", "canvas_grades.csv"),
        "wrote the grades of {count} students (the roster's) to {output}, for Canvas's Grades > Import",
        left_out="lms_grades:left_out_students",
    ),
    "moodle": ExportFormat(
        "lms_grades:export_moodle",
        os.path.join("export", "moodle"),
        "wrote {count} rows (one per student of the roster and lab) to Moodle grading worksheets {output}/<lab>.csv",
        left_out="lms_grades:left_out_students",
    ),
    "report": ExportFormat(
        "class_report:write_class_report",
        "class_report.md",
        "wrote the class report to {output} (labs with graded submissions: {count})",
    ),
}
