"""What a failed check says when the student's code raised: the function that raised, and where in the notebook.

A request's traceback comes as frames (kernel/traceback_text.py); those of notebook cells are the student's own
code, and the innermost of them is where to look. Its cell is found by its source lines: the cell whose lines
at the frames' line numbers are the lines the kernel ran (IPython names a cell's code after a hash, and the kit
runs cells without execution counts, so "Cell In[1]" names none). The checks' code, the bridge and libraries
(NumPy, torch) are left out; the exception's own line says what the library objected to.

    relu raised ValueError: The truth value of an array ... (in your cell 'activations', line 4: `if x > 0:`)
    relu still raises NotImplementedError: replace `raise NotImplementedError()` with your code (in your cell ...)
    `or_neuron` is not defined: your cell 'logic_gates' still raises NotImplementedError: replace ...
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from autograder.errors import StudentError
from autograder.kernel.traceback_text import Frame

STUB_HINT = "replace `raise NotImplementedError()` with your code"
NOT_DEFINED = re.compile(r"^`([A-Za-z_][A-Za-z0-9_]*)` is not defined")


@dataclass(frozen=True)
class Cell:
    """A code cell that ran: its place in the notebook, its grade id, its source, and whether it raised
    NotImplementedError as the notebook ran."""

    index: int
    grade_id: str | None
    source: str
    not_attempted: bool = False

    @property
    def label(self) -> str:
        return f"cell '{self.grade_id}'" if self.grade_id else f"cell {self.index + 1}"

    def line(self, lineno: int) -> tuple[int, str] | None:
        """(the notebook's line number, its text stripped) of the line IPython numbered `lineno`: IPython drops
        a cell's leading blank lines before it numbers the rest."""
        lines = self.source.splitlines()
        skipped = next((n for n, text in enumerate(lines) if text.strip()), len(lines))
        index = lineno - 1 + skipped
        return (index + 1, lines[index].strip()) if 0 <= index < len(lines) else None


def function_name(frame: Frame) -> str | None:
    """The frame's function as the student wrote it: "relu", "BasicNeuron.feedforward"; None for a cell's top
    level. Comprehensions and lambdas name the function they are in ("relu.<locals>.<listcomp>" is relu)."""
    parts = [part for part in frame.name.split(".") if part and not part.startswith("<")]
    return ".".join(parts) or None


def cells_of_frames(frames: Sequence[Frame], cells: Sequence[Cell]) -> dict[str, Cell]:
    """{file name: the cell} for the notebook-cell frames: of the cells whose lines at those frames' line numbers
    are the lines they ran, one that defines their functions if any does (stubs share their lines), the last
    (a cell copied, or run again, defines what the kernel holds last)."""
    by_file: dict[str, list[Frame]] = {}
    for frame in frames:
        if frame.in_cell and frame.line:
            by_file.setdefault(frame.filename, []).append(frame)
    found = {}
    for filename, in_file in by_file.items():
        matching = [
            cell
            for cell in cells
            if all((line := cell.line(frame.lineno)) is not None and line[1] == frame.line for frame in in_file)
        ]
        defines = [cell for cell in matching if all(_defines(cell, frame) for frame in in_file)]
        if defines or matching:
            found[filename] = (defines or matching)[-1]
    return found


def _defines(cell: Cell, frame: Frame) -> bool:
    """Whether `cell` defines the function `frame` ran (a cell's top level: any cell)."""
    name = function_name(frame)
    return name is None or bool(
        re.search(rf"^\s*(?:async\s+)?def\s+{re.escape(name.split('.')[-1])}\b", cell.source, re.M)
    )


def at(frame: Frame, cell: Cell | None) -> str:
    """The cell and the notebook's line number of `frame`: "cell 'activations', line 4" ("a cell, line 4" when
    no cell of the notebook has the lines it ran)."""
    located = cell.line(frame.lineno) if cell is not None else None
    return f"{cell.label}, line {located[0]}" if located else f"a cell, line {frame.lineno}"


def place(frame: Frame, cell: Cell | None, with_line: bool = True) -> str:
    """Where `frame` ran, for a message: "in your cell 'activations', line 4: `if x > 0:`"."""
    where = at(frame, cell)
    where = f"in your {where}" if where.startswith("cell") else f"in one of your cells, line {frame.lineno}"
    return where + (f": `{frame.line}`" if with_line and frame.line else "")


def _student(error: StudentError) -> list[Frame]:
    return [frame for frame in error.frames if frame.in_cell]


def error_message(error: StudentError, cells: Sequence[Cell]) -> str:
    """The message of a check that failed because the student's code raised (reason "error")."""
    exception = f"{error.ename}: {error.evalue}" if error.evalue else error.ename
    student = _student(error)
    if not student:  # raised in a library the check called directly, or in the check's own code
        head = f"{error.called} raised {exception}" if error.called else exception
        return head if error.frames or not error.traceback else f"{head}\n\n{error.traceback}"
    innermost, located = student[-1], cells_of_frames(error.frames, cells)
    who = function_name(innermost) or "your code"
    where = place(innermost, located.get(innermost.filename))
    if "\n" in error.evalue.strip():
        message = f"{who} raised {error.ename} ({where}):\n{error.evalue.strip()}"
    else:
        message = f"{who} raised {exception} ({where})"
    if len(student) > 1:
        calls = [
            f"  {at(frame, located.get(frame.filename))}, in {function_name(frame) or 'the cell'}"
            + (f"\n    {frame.line}" if frame.line else "")
            for frame in student
        ]
        message += "\n\nYour code, most recent call last:\n" + "\n".join(calls) + f"\n{exception}"
    return message


def not_attempted_message(error: StudentError, cells: Sequence[Cell]) -> str:
    """The message of a check that failed as "not attempted": a stub that still raises NotImplementedError, or a
    name the notebook does not define (because the cell that defines it still raises, if one does)."""
    if error.ename == "NotDefinedError":
        name = NOT_DEFINED.match(error.evalue)
        stub = next(
            (
                cell
                for cell in reversed(cells)
                if name and cell.not_attempted and re.search(rf"\b{name.group(1)}\b", cell.source)
            ),
            None,
        )
        if stub is None:
            return error.evalue
        return f"`{name.group(1)}` is not defined: your {stub.label} still raises NotImplementedError: {STUB_HINT}"
    student = _student(error)
    if not student:
        if error.frames and error.called:  # raised by a library (torch's Module without forward)
            return f"{error.called} raised {error.ename}" + (f": {error.evalue}" if error.evalue else "")
        if error.called:
            return f"{error.called} still raises {error.ename}: {STUB_HINT}"
        if error.evalue:
            return f"{error.ename}: {error.evalue}"
        return "not done yet: the code still raises NotImplementedError"
    innermost = student[-1]
    who, cell = function_name(innermost) or "your code", cells_of_frames(error.frames, cells).get(innermost.filename)
    if innermost is not error.frames[-1]:  # the student's code called a library that raised it
        exception = f"{error.ename}: {error.evalue}" if error.evalue else error.ename
        return f"{who} raised {exception} ({place(innermost, cell)})"
    said = f" ({error.evalue})" if error.evalue else ""
    return f"{who} still raises {error.ename}{said}: {STUB_HINT} ({place(innermost, cell, with_line=False)})"
