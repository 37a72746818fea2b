"""A submission's results as results.json (Gradescope's format, see autograder/results.py), written atomically,
read back, and printed as a table."""

import json
import os
import tempfile

from autograder.outputs.inert_output import printable, printable_line
from autograder.results import Results


def write_results(path: str, results: Results) -> None:
    """Write atomically: a reader (or a resumed batch) sees the old file or the new one, never half of one."""
    write_json(path, results.to_json())


def write_json(path: str, data: dict) -> None:
    """Write `data` as JSON to `path` atomically (a temporary file beside it, then renamed)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False, encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        temporary = handle.name
    os.replace(temporary, path)


def read_results(path: str) -> Results | None:
    """The results at `path`; None when there are none or the file is not results the kit wrote."""
    try:
        with open(path, encoding="utf-8") as handle:
            return Results.from_json(json.load(handle))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def format_table(results: Results) -> str:
    """The checks as an aligned text table, then the total; printable (the notes quote the student's grade ids
    and tracebacks, which must not drive the terminal)."""
    rows = [
        (printable_line(test.name), f"{test.score:g}/{test.max_score:g}", printable_line(test.reason or "passed"))
        for test in results.tests
    ]
    width = max([len(name) for name, _, _ in rows] + [5])
    lines = [f"{'check':<{width}}  {'points':>7}  result", "-" * (width + 25)]
    lines += [f"{name:<{width}}  {points:>7}  {status}" for name, points, status in rows]
    manual = results.manual_max_score
    lines.append("-" * (width + 25))
    total = f"{results.score:g}/{results.max_score:g}"
    lines.append(f"{'autograded total':<{width}}  {total:>7}" + (f"  (+{manual:g} graded by hand)" if manual else ""))
    if results.output:
        lines += ["", printable(results.output)]
    return "\n".join(lines)
