"""Damaged notebooks are graded as well as they can be, and the feedback says what was repaired."""

import base64
import copy
import os

import nbformat
import pytest
from conftest import failed_checks

from autograder.grading.cells import grade_id
from autograder.grading.submission import grade_notebook


def answer_key(settings):
    return nbformat.read(settings.path("solutions", "lab1_neuron", "lab1_neuron.ipynb"), as_version=4)


def by_id(nb, cell_id):
    return next(cell for cell in nb.cells if grade_id(cell) == cell_id)


def deleted_test_cells(nb):
    nb.cells = [cell for cell in nb.cells if not (grade_id(cell) or "").startswith("test_")]
    return "cells missing from the submission: test_activations"


def duplicated_cells(nb):
    nb.cells.insert(nb.cells.index(by_id(nb, "neuron")) + 1, copy.deepcopy(by_id(nb, "neuron")))
    return "cell 'neuron' appears 2 times"


def reordered_cells(nb):
    xor = by_id(nb, "xor")
    nb.cells.remove(xor)
    nb.cells.insert(nb.cells.index(by_id(nb, "neuron")), xor)  # xor before the neurons it uses: fine at call time
    return None


def retyped_cells(nb):
    cell = by_id(nb, "activations")
    cell.cell_type = "markdown"
    del cell["outputs"], cell["execution_count"]
    return "cell 'activations' was turned into a markdown cell; it is a code cell again"


def changed_kernel_name(nb):
    nb.metadata["kernelspec"] = {"name": "no-such-kernel", "display_name": "?", "language": "python"}
    return None


def fifty_megabytes(nb):
    png = base64.b64encode(os.urandom(37 * 2**20)).decode()  # a huge plot output left in the file
    by_id(nb, "plot_activations").outputs = [nbformat.v4.new_output("display_data", data={"image/png": png})]
    return None


DAMAGE = [deleted_test_cells, duplicated_cells, reordered_cells, retyped_cells, changed_kernel_name, fifty_megabytes]


@pytest.mark.filterwarnings("ignore::nbformat.warnings.DuplicateCellId")  # written so on purpose
@pytest.mark.parametrize("damage", DAMAGE, ids=lambda damage: damage.__name__)
def test_damaged_answer_key_still_scores_full_marks(settings, lab1, pool, tmp_path, damage):
    nb = answer_key(settings)
    note = damage(nb)
    path = tmp_path / "submission.ipynb"
    nbformat.write(nb, path)
    results = grade_notebook(settings, lab1, str(path), pool).results.to_json()
    assert results["score"] == 22, f"{damage.__name__}: {failed_checks(results)}"
    if note:
        assert note in results["output"], f"the feedback says what was repaired: {results['output']!r}"


def test_nbformat_3_notebook_is_graded(settings, lab1, pool, tmp_path):
    v3 = nbformat.convert(answer_key(settings), 3)
    path = tmp_path / "v3.ipynb"
    nbformat.write(v3, path, version=3)
    assert '"worksheets"' in path.read_text()
    results = grade_notebook(settings, lab1, str(path), pool).results.to_json()
    assert results["score"] == 22, failed_checks(results)
