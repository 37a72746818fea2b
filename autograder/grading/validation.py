"""Read a submitted file into a notebook, or say exactly why it cannot be graded.

Whatever the file holds (nothing, binary garbage, JSON that is not a notebook, an old nbformat, a schema
error), the result is either an nbformat-4 notebook or a `SubmissionRejected` with a message a student can act
on. Damage that still leaves code to run (a broken cell, missing metadata) is repaired, not refused. JSON nested
deeper than any notebook needs is refused before nbformat, pickling or a deepcopy can recurse through it.
"""

import ast
import json
import warnings

import nbformat

from autograder.errors import SubmissionRejected
from autograder.grading.cells import grade_id
from autograder.grading.submitted_files import own_folder, read_regular_file

# Levels of JSON arrays and objects: notebooks nbformat writes have 5 to 7 (rich outputs and widget state a few
# more); every stage after reading (nbformat's validation, deepcopy, pickling to a worker) recurses once a level.
MAX_NESTING = 100
DEEP = "unreadable: nested too deeply"
PYTHON_FILE = "this is a Python file, hand in the .ipynb"
ZIP_FILE = (
    "this is a zip archive: hand in the .ipynb it holds (or import an LMS archive with `autograder import LAB ZIP`)"
)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first member, or the end of an empty zip
MAX_PYTHON_PARSE = 2**20  # characters of a file that is not JSON parsed to see whether it is Python source


def read_submission(path: str, max_bytes: int, folder: str | None = None):
    """The notebook at `path` as nbformat 4, read as a regular file inside `folder` (default: the notebook's own
    real folder); raises SubmissionRejected with the reason."""
    return notebook_from_bytes(read_regular_file(path, folder or own_folder(path), max_bytes), path)


def notebook_from_bytes(raw: bytes, name: str = ""):
    """The notebook a file's bytes hold, as nbformat 4; raises SubmissionRejected with the reason. `name`, the
    file's name, helps say what else it is (a .py, a .zip)."""
    if not raw:
        raise SubmissionRejected("the file is empty")
    if raw.startswith(ZIP_MAGIC):
        raise SubmissionRejected(ZIP_FILE)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionRejected(
            ZIP_FILE if name.lower().endswith(".zip") else "not a notebook (the file is not UTF-8 text)"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if is_python_source(text, name):
            raise SubmissionRejected(PYTHON_FILE) from None
        raise SubmissionRejected(
            f"not a notebook (invalid JSON at line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except RecursionError:
        raise SubmissionRejected(DEEP) from None
    if nesting_exceeds(data, MAX_NESTING):
        raise SubmissionRejected(DEEP)
    return notebook_from_json(data)


def is_python_source(text: str, name: str = "") -> bool:
    """Whether `text` (not JSON) is a Python file: named .py, or Python source that does something (an import, a
    definition, an assignment, a call...), not a bare expression (cut or edited JSON can parse as one)."""
    if name.lower().endswith(".py"):
        return True
    if len(text) > MAX_PYTHON_PARSE:
        return False
    try:
        with warnings.catch_warnings():  # a student's invalid escape sequences are no concern of the grader's
            warnings.simplefilter("ignore")
            module = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(
        not isinstance(statement, ast.Expr) or isinstance(statement.value, ast.Call) for statement in module.body
    )


def nesting_exceeds(data, limit: int) -> bool:
    """Whether JSON `data` has more than `limit` levels of arrays and objects (walked without recursion)."""
    stack = [(data, 1)] if isinstance(data, (dict, list)) else []
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        for child in children:
            if isinstance(child, (dict, list)):
                if depth >= limit:
                    return True
                stack.append((child, depth + 1))
    return False


def notebook_from_json(data):
    if not isinstance(data, dict) or not ("cells" in data or "worksheets" in data):
        raise SubmissionRejected("not a notebook (JSON without notebook cells)")
    try:
        with warnings.catch_warnings():  # missing or copied cell ids are common in students' files, and fixed
            warnings.simplefilter("ignore", nbformat.warnings.MissingIDFieldWarning)
            warnings.simplefilter("ignore", nbformat.warnings.DuplicateCellId)
            nb = nbformat.reads(json.dumps(data), as_version=4)
            nbformat.validate(nb)
    except Exception:  # nbformat raises several types for schema damage: rebuild from what is readable
        nb = _rebuild(data)
    if not any(cell.cell_type == "code" and cell.source.strip() for cell in nb.cells):
        raise SubmissionRejected("the notebook has no code to run")
    return nb


def _rebuild(data: dict):
    """A valid notebook holding the readable cells of a damaged one (any nbformat version)."""
    raw_cells = data.get("cells")
    if raw_cells is None:  # nbformat 3 keeps cells in worksheets, code in "input"
        raw_cells = [
            cell for sheet in data.get("worksheets", []) if isinstance(sheet, dict) for cell in sheet.get("cells", [])
        ]
    if not isinstance(raw_cells, list):
        raise SubmissionRejected("not a notebook (its cells are not a list)")
    nb = nbformat.v4.new_notebook()
    for raw in raw_cells:
        if not isinstance(raw, dict):
            continue
        source = raw.get("source", raw.get("input", ""))
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if not isinstance(source, str):
            continue
        metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
        make = nbformat.v4.new_code_cell if raw.get("cell_type") == "code" else nbformat.v4.new_markdown_cell
        cell = make(source=source)
        if isinstance(metadata.get("nbgrader"), dict):
            cell.metadata["nbgrader"] = metadata["nbgrader"]
        nb.cells.append(cell)
    return nb


def grade_ids(nb) -> set[str]:
    return {gid for gid in map(grade_id, nb.cells) if gid}


def matching_lab(nb, lab_ids: dict[str, set[str]], asked: str | None = None) -> str | None:
    """The course's lab whose nbgrader grade ids `nb` matches clearly better than lab `asked` (than every other
    lab when `asked` is None), or None: no ids, or no lab clearly better.

    Only ids that tell two labs apart count: lab A matches clearly better than lab B when the notebook holds more
    than twice as many of A's ids that B lacks as of B's ids that A lacks (ids such as "intro" or "imports"
    recur across labs and count for neither). Of several labs clearly better than `asked`, the one with the most
    such ids.
    """
    ids = grade_ids(nb)
    if not ids:
        return None
    labs = {lab: set(lab_ids.get(lab, ())) for lab in lab_ids}

    def beats(a: str, b: str) -> bool:
        return _distinct(ids, labs[a], labs[b]) > 2 * _distinct(ids, labs[b], labs[a])

    if asked is None:
        winners = [lab for lab in labs if all(beats(lab, other) for other in labs if other != lab)]
        return winners[0] if winners else None
    labs.setdefault(asked, set())
    better = [lab for lab in labs if lab != asked and beats(lab, asked)]
    return max(better, key=lambda lab: _distinct(ids, labs[lab], labs[asked]), default=None)


def _distinct(ids: set[str], own: set[str], other: set[str]) -> int:
    """How many of `ids` are a lab's `own` and not the `other` lab's."""
    return len(ids & (own - other))


def check_lab(nb, lab: str, lab_ids: dict[str, set[str]]) -> None:
    """Refuse a notebook of another lab: one whose nbgrader ids match another lab clearly better (matching_lab).

    A notebook with no nbgrader ids at all (copied into a fresh notebook) is graded: its code may be fine.
    """
    other = matching_lab(nb, lab_ids, asked=lab)
    if other is None:
        return
    ids, own, theirs = grade_ids(nb), set(lab_ids.get(lab, ())), set(lab_ids[other])
    found = sorted(ids & (theirs - own))
    shown = ", ".join(found[:3]) + (", ..." if len(found) > 3 else "")
    mine = len(ids & (own - theirs))
    raise SubmissionRejected(
        f"this looks like {other}, not {lab}: its cells carry {len(found)} nbgrader ids of {other} ({shown}) and "
        + (f"only {mine} of {lab}" if mine else f"none of {lab}")
        + f"; hand in your {lab} notebook"
    )
