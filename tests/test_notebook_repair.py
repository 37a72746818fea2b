"""Damaged notebooks are repaired or refused with a reason; locked cells are put back as nbgrader does."""

import json

import nbformat
import pytest

from autograder.errors import SubmissionRejected
from autograder.grading.cells import grade_id
from autograder.grading.restore import restore_cells
from autograder.grading.validation import check_lab, read_submission


@pytest.fixture
def released(settings):
    return nbformat.read(settings.path("release", "lab1_neuron", "lab1_neuron.ipynb"), as_version=4)


def write(tmp_path, data, name="nb.ipynb"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return str(path)


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "the file is empty"),
        (b"\xff\xfe\x00garbage", "not UTF-8 text"),
        (b'{"cells": [', "invalid JSON at line 1"),
        (b'{"hello": 1}', "JSON without notebook cells"),
        (b"[1, 2, 3]", "JSON without notebook cells"),
        (
            json.dumps(
                {
                    "cells": [{"cell_type": "markdown", "source": "hi", "metadata": {}}],
                    "metadata": {},
                    "nbformat": 4,
                    "nbformat_minor": 5,
                }
            ).encode(),
            "no code to run",
        ),
    ],
    ids=["empty", "binary", "truncated", "json-not-notebook", "json-list", "markdown-only"],
)
def test_unreadable_files_are_refused_with_a_reason(tmp_path, content, reason):
    with pytest.raises(SubmissionRejected, match=reason):
        read_submission(write(tmp_path, content), max_bytes=2**20)


def test_oversized_files_are_refused_unread(tmp_path):
    with pytest.raises(SubmissionRejected, match="over the limit"):
        read_submission(write(tmp_path, b" " * 2000), max_bytes=1000)


def test_nbformat_3_notebooks_are_converted(tmp_path):
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [
            {"cells": [{"cell_type": "code", "input": "x = 1", "language": "python", "outputs": [], "metadata": {}}]}
        ],
    }
    nb = read_submission(write(tmp_path, v3), max_bytes=2**20)
    assert nb.nbformat == 4 and nb.cells[0].source == "x = 1"


def test_schema_damage_is_repaired_keeping_the_code(tmp_path):
    damaged = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "source": ["def f():\n", "    return 1"],
                "metadata": {"nbgrader": {"grade_id": "a"}},
            },
            {"cell_type": "code", "source": 42},
            "not a cell",
        ],
    }
    nb = read_submission(write(tmp_path, damaged), max_bytes=2**20)
    assert [cell.source for cell in nb.cells] == ["def f():\n    return 1"]
    assert grade_id(nb.cells[0]) == "a", "nbgrader metadata survives the repair"


def test_changed_locked_cells_are_restored_and_reported(released):
    nb = nbformat.from_dict(json.loads(json.dumps(released)))
    test_cell = next(cell for cell in nb.cells if grade_id(cell) == "test_xor")
    test_cell.source = "pass  # the student emptied the public test"
    test_cell.metadata["nbgrader"]["points"] = 100
    notes = restore_cells(nb, released)
    assert any("'test_xor' is read-only and had been changed" in note for note in notes), notes
    assert test_cell.metadata["nbgrader"]["points"] == 2, "points cannot be edited"


def test_retyped_and_duplicated_and_deleted_cells_are_reported(released):
    nb = nbformat.from_dict(json.loads(json.dumps(released)))
    xor = next(cell for cell in nb.cells if grade_id(cell) == "xor")
    xor.cell_type = "markdown"
    nb.cells.append(nbformat.from_dict(json.loads(json.dumps(xor))))
    nb.cells = [cell for cell in nb.cells if grade_id(cell) != "test_neuron"]
    notes = "\n".join(restore_cells(nb, released))
    assert "cell 'xor' was turned into a markdown cell; it is a code cell again" in notes
    assert "cell 'xor' appears 2 times" in notes
    assert "cells missing from the submission: test_neuron" in notes
    assert xor.cell_type == "code" and "outputs" in xor


def test_a_notebook_of_another_lab_is_refused(released):
    ids = {"lab1_neuron": {"activations"}, "lab2_ann": {"two_layer"}}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.cells[0].metadata["nbgrader"] = {"grade_id": "two_layer"}
    with pytest.raises(SubmissionRejected, match="this looks like lab2_ann, not lab1_neuron"):
        check_lab(nb, "lab1_neuron", ids)
    nb.cells[0].metadata = {}
    check_lab(nb, "lab1_neuron", ids)  # no nbgrader ids at all: graded, the code may be fine
