"""Example submissions, written as small edits of the answer key: the demo grades them, the tests check them.

A lab's examples live in examples/<lab>.py as a list VARIANTS of `Variant`s. Each says how the student's
notebook differs from the answer key (text replaced in a cell, cells added, or raw bytes instead of a
notebook) and which checks it must lose, with the reason of each.
"""

import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import nbformat

from autograder.course.config import Settings
from autograder.grading.cells import grade_id


@dataclass(frozen=True)
class Variant:
    student: str
    description: str
    edits: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # grade_id -> [(old, new), ...]
    cells: dict[str, str] = field(default_factory=dict)  # grade_id -> the cell's whole new source
    extra_cells: tuple[str, ...] = ()  # code cells the student added at the end
    base: str = "solution"  # "solution" (the answer key) or "release" (the stub)
    raw: Callable[[bytes], bytes] | None = None  # the file's bytes made from the answer key's bytes
    loses: dict[str, str] = field(default_factory=dict)  # check function name -> reason
    rejected: bool = False  # the file is not a gradable notebook


def load_variants(settings: Settings, lab: str) -> list[Variant]:
    path = settings.path("examples", lab + ".py")
    spec = importlib.util.spec_from_file_location(f"examples_{lab}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.VARIANTS


def write_variant(settings: Settings, lab: str, variant: Variant, target: str) -> None:
    """Write the variant's notebook (or bytes) to `target`."""
    layout = settings.layout
    source = layout.solution_notebook(lab) if variant.base == "solution" else layout.release_notebook(lab)
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    if variant.raw is not None:
        with open(source, "rb") as handle, open(target, "wb") as out:
            out.write(variant.raw(handle.read()))
        return
    nb = nbformat.read(source, as_version=4)
    cells = {grade_id(cell): cell for cell in nb.cells}
    for cell_id, source in variant.cells.items():
        cells[cell_id].source = source
    for cell_id, replacements in variant.edits.items():
        for old, new in replacements:
            if old not in cells[cell_id].source:
                raise ValueError(f"{variant.student}: {old!r} is not in cell {cell_id!r} of the {variant.base}")
            cells[cell_id].source = cells[cell_id].source.replace(old, new)
    nb.cells.extend(nbformat.v4.new_code_cell(source) for source in variant.extra_cells)
    for cell in nb.cells:  # a student's file holds the outputs of their own run, not the answer key's
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, target)
