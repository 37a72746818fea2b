"""Student tracebacks as plain text: colour codes removed, trimmed to what a student needs to read."""

import re

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_LINES = 30
MAX_CHARS = 3000


# Frames of the grader's own request code: they tell a student nothing.
GRADER_FRAMES = ("<autograder bridge>", "_autograder_bridge")


def trim_traceback(lines: list[str], max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS) -> str:
    """IPython's traceback entries as text: no ANSI codes, no grader frames, the last lines and characters."""
    entries = [ANSI_ESCAPE.sub("", entry) for entry in lines]
    kept = [entry.rstrip("\n") for entry in entries if not any(marker in entry for marker in GRADER_FRAMES)]
    text = "\n".join("\n".join(kept).splitlines()[-max_lines:])
    return text if len(text) <= max_chars else "..." + text[-max_chars:]
