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

    def write(self, settings, output: str | None) -> str:
        """Write the export; returns the sentence that says what was written."""
        module, function = self.writer.split(":")
        target = output or self.default_output
        count = getattr(importlib.import_module(f"autograder.outputs.{module}"), function)(settings, target)
        return self.said.format(output=target, count=count)


EXPORT_FORMATS = {
    # never grades.csv: that is `nbgrader export`'s file, which holds the same scores (the kit's are nbgrader's)
    "csv": ExportFormat("export:export_csv", "autograder_grades.csv", "wrote {count} rows to {output}"),
    "gradescope": ExportFormat(
        "export:export_gradescope", os.path.join("export", "gradescope"), "wrote {count} results files under {output}/"
    ),
    "report": ExportFormat(
        "class_report:write_class_report",
        "class_report.md",
        "wrote the class report to {output} (labs with graded submissions: {count})",
    ),
}
