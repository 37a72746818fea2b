"""Read a submitted file into a notebook, or say exactly why it cannot be graded.

Whatever the file holds (nothing, binary garbage, JSON that is not a notebook, an old nbformat, a schema
error), the result is either an nbformat-4 notebook or a `SubmissionRejected` with a message a student can act
on. Damage that still leaves code to run (a broken cell, missing metadata) is repaired, not refused. JSON nested
deeper than any notebook needs is refused before nbformat, pickling or a deepcopy can recurse through it.
"""

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


def read_submission(path: str, max_bytes: int, folder: str | None = None):
    """The notebook at `path` as nbformat 4, read as a regular file inside `folder` (default: the notebook's own
    real folder); raises SubmissionRejected with the reason."""
    return notebook_from_bytes(read_regular_file(path, folder or own_folder(path), max_bytes))


def notebook_from_bytes(raw: bytes):
    """The notebook a file's bytes hold, as nbformat 4; raises SubmissionRejected with the reason."""
    if not raw:
        raise SubmissionRejected("the file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionRejected("not a notebook (the file is not UTF-8 text)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SubmissionRejected(
            f"not a notebook (invalid JSON at line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except RecursionError:
        raise SubmissionRejected(DEEP) from None
    if nesting_exceeds(data, MAX_NESTING):
        raise SubmissionRejected(DEEP)
    return notebook_from_json(data)


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


def check_lab(nb, lab: str, lab_ids: dict[str, set[str]]) -> None:
    """Refuse a notebook of another lab: its nbgrader ids belong to another lab and none to `lab`.

    A notebook with no nbgrader ids at all (copied into a fresh notebook) is graded: its code may be fine.
    """
    ids = grade_ids(nb)
    if not ids or ids & lab_ids[lab]:
        return
    others = [other for other, other_ids in lab_ids.items() if other != lab and ids & other_ids]
    if others:
        raise SubmissionRejected(f"this is a notebook of {others[0]}, not of {lab}")
