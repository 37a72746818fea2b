"""Student tracebacks as plain text: colour codes removed, trimmed to what a student needs to read.

The bridge also sends a request's traceback as frames (file, line number, function, source line); those of
notebook cells are the student's own code, the rest is the grader's bridge, the checks' code and libraries.
"""

import re
from dataclasses import dataclass

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_LINES = 30
MAX_CHARS = 3000
MAX_FRAMES = 40


# Frames of the grader's own request code: they tell a student nothing.
GRADER_FRAMES = ("<autograder bridge>", "_autograder_bridge")

# The file names IPython gives the code of a cell: ipykernel's /tmp/ipykernel_<pid>/<hash>.py, and
# IPython's own <ipython-input-<n>-<hash>>.
CELL_FILE = re.compile(r"(?:^|[/\\])ipykernel_\d+[/\\]\d+\.py$|^<ipython-input-\d+-[0-9a-f]+>$")


def trim_traceback(lines: list[str], max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS) -> str:
    """IPython's traceback entries as text: no ANSI codes, no grader frames, the last lines and characters."""
    entries = [ANSI_ESCAPE.sub("", entry) for entry in lines]
    kept = [entry.rstrip("\n") for entry in entries if not any(marker in entry for marker in GRADER_FRAMES)]
    text = "\n".join("\n".join(kept).splitlines()[-max_lines:])
    return text if len(text) <= max_chars else "..." + text[-max_chars:]


@dataclass(frozen=True)
class Frame:
    """One frame of a traceback the kernel sent: where it ran, and the line it was at (stripped)."""

    filename: str
    lineno: int
    name: str  # the function's qualified name: "relu", "BasicNeuron.feedforward", "<module>"
    line: str

    @property
    def in_cell(self) -> bool:
        """Whether this frame ran a notebook cell's code: the student's own (or a locked cell's)."""
        return bool(CELL_FILE.search(self.filename))


def parse_frames(raw) -> tuple[Frame, ...]:
    """The frames of the bridge's error answer, innermost last; whatever is not a well-formed frame is left out
    (the answer comes from the kernel)."""
    if type(raw) is not list:
        return ()
    frames = []
    for item in raw[-MAX_FRAMES:]:
        if type(item) is list and len(item) == 4 and type(item[1]) is int:
            filename, lineno, name, line = item
            if type(filename) is str and type(name) is str and type(line) is str:
                frames.append(Frame(filename[:500], lineno, ANSI_ESCAPE.sub("", name)[:200], line.strip()[:500]))
    return tuple(frames)
