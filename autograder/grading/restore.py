"""Put back what students may not change, as nbgrader's OverwriteCells does, and say what was put back.

Locked cells (instructions, imports, plots, public tests) get the released source back; every cell with a
released grade_id gets its released cell type and nbgrader metadata back (so points cannot be edited).
"""

import copy

from autograder.grading.cells import grade_id, is_locked


def restore_cells(nb, released_nb) -> list[str]:
    """Restore `nb` in place from `released_nb`; returns one note per change, for the feedback."""
    released = {}
    for cell in released_nb.cells:
        released.setdefault(grade_id(cell), cell)
    released.pop(None, None)
    notes, seen = [], {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid not in released:
            continue
        seen[gid] = seen.get(gid, 0) + 1
        original = released[gid]
        if cell.cell_type != original.cell_type:
            notes.append(
                f"cell '{gid}' was turned into a {cell.cell_type} cell; it is a {original.cell_type} cell again"
            )
            _retype(cell, original.cell_type)
        if is_locked(original) and cell.source != original.source:
            notes.append(f"cell '{gid}' is read-only and had been changed; the released version was graded")
            cell.source = original.source
        cell.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
    notes += [f"cell '{gid}' appears {count} times" for gid, count in seen.items() if count > 1]
    missing = [gid for gid in released if gid not in seen]
    if missing:
        notes.append("cells missing from the submission: " + ", ".join(missing))
    return notes


def _retype(cell, cell_type: str) -> None:
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.setdefault("outputs", [])
        cell.setdefault("execution_count", None)
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def clear_saved_outputs(nb) -> None:
    """Remove, in place, every output and execution count the student saved: what the kit writes later holds
    only what the grading run produced (a cell it never ran stays empty)."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
