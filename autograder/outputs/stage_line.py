"""What the grading of one submission is doing, on one line of the terminal: `autograder grade LAB NOTEBOOK`.

A lab5 submission takes minutes; on a terminal the line says which stage it is in (the kernel starting, cells k/n,
checks k/n with the check's name) and how long it has run, and is erased when grading ends, before the table. Where
stderr is not a terminal (a log file, a pipe, a cluster's worker) nothing is written. The line holds only the kit's
own words and the checks' names (the instructor's), never text from the submission.
"""

import shutil
import sys
import time


class StageLine:
    """Call it with the stage's text to show it; `clear()` erases the line."""

    def __init__(self, stream=None, shown: bool = True):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = shown and bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.width = 0  # of the line shown, to blank it out

    def __call__(self, stage: str) -> None:
        if not self.enabled:
            return
        line = f"grading: {stage} ({time.monotonic() - self.started:.0f} s)"
        columns = shutil.get_terminal_size().columns - 1  # a line that wraps could not be rewritten in place
        line = line if len(line) <= columns else line[: columns - 3] + "..."
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def clear(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def no_progress(stage: str) -> None:
    """The progress of a grading no one watches."""
