"""What a student reads first: failed checks that point at their own function and line, stubs called stubs, and
files that are not this lab's notebook (another lab's, a .py, a .zip) refused with what to hand in instead."""

import os
import subprocess
import sys
import zipfile

import nbformat
import pytest
from conftest import KIT, failed_checks

from autograder.errors import SubmissionRejected
from autograder.grading.cells import grade_id
from autograder.grading.student_messages import Cell, error_message, not_attempted_message
from autograder.grading.submission import grade_notebook, grade_or_reject
from autograder.grading.submitted_files import choose_notebook
from autograder.grading.validation import (
    PYTHON_FILE,
    ZIP_FILE,
    check_lab,
    matching_lab,
    notebook_from_bytes,
)
from autograder.kernel.session import student_error
from autograder.kernel.traceback_text import parse_frames

LAB1_STUB = os.path.join(KIT, "release", "lab1_neuron", "lab1_neuron.ipynb")
LAB1_KEY = os.path.join(KIT, "solutions", "lab1_neuron", "lab1_neuron.ipynb")
LAB2_STUB = os.path.join(KIT, "release", "lab2_ann", "lab2_ann.ipynb")
LAB2_KEY = os.path.join(KIT, "solutions", "lab2_ann", "lab2_ann.ipynb")
CELL_FILE = "/tmp/ipykernel_7/1234.py"  # how ipykernel names a cell's code
STUB_HINT = "still raises NotImplementedError: replace `raise NotImplementedError()` with your code"

# check of lab1 -> what its message must say about the stub (the function, and the cell it is in)
STUB_MESSAGES = {
    "test_step_is_one_at_zero": "step " + STUB_HINT + " (in your cell 'activations', line ",
    "test_sigmoid_on_arrays": "sigmoid " + STUB_HINT + " (in your cell 'activations', line ",
    "test_relu_values": "relu " + STUB_HINT + " (in your cell 'activations', line ",
    "test_leaky_relu_on_arrays": "leaky_relu " + STUB_HINT + " (in your cell 'activations', line ",
    "test_or_neuron": "`or_neuron` is not defined: your cell 'logic_gates' " + STUB_HINT,
    "test_neuron_keeps_its_weights_and_bias": "BasicNeuron.__init__ " + STUB_HINT + " (in your cell 'neuron', line ",
    "test_truth_table_order": "truth_table " + STUB_HINT + " (in your cell 'truth_table', line ",
    "test_xor_truth_table": "xor " + STUB_HINT + " (in your cell 'xor', line ",
}

LEAKY_RELU, LEAKY_RELU_WITHOUT_ALPHA = "np.where(x >= 0, x, alpha * x)", "np.where(x >= 0, x, 0.01 * x)"
RELU_WITH_IF = "    if x > 0:\n        return x\n    return 0.0"
WEIGHTED_SUM = (
    "def weighted_sum(weights, inputs):\n    scale = np.linalg.norm(inputs, ord='fro')\n    return weights @ inputs"
)


def autograder(*args):
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args], cwd=KIT, capture_output=True, text=True, timeout=300
    )


def messages(results: dict) -> dict[str, str]:
    """{check function name: its message} of the failed checks."""
    return {
        test["extra_data"]["check"].split("::")[-1]: test["output"]
        for test in results["tests"]
        if test["status"] == "failed"
    }


def line_number(source: str, text: str) -> int:
    return next(number for number, line in enumerate(source.splitlines(), 1) if line.strip() == text)


@pytest.fixture(scope="module")
def stub_results(settings, lab1, pool):
    return grade_notebook(settings, lab1, LAB1_STUB, pool).results.to_json()


@pytest.fixture(scope="module")
def buggy(settings, lab1, pool, tmp_path_factory):
    """lab1's answer key with relu written for numbers (`if x > 0` on arrays), and feedforward calling a helper of
    a cell the student added, which fails inside NumPy: (its results, the notebook)."""
    nb = nbformat.read(LAB1_KEY, as_version=4)
    cells = {grade_id(cell): cell for cell in nb.cells}
    relu = "    x = np.asarray(x, dtype=float)\n    return np.maximum(0.0, x)"
    assert relu in cells["activations"].source, "the answer key's relu, to replace"
    cells["activations"].source = cells["activations"].source.replace(relu, RELU_WITH_IF)
    cells["activations"].source = cells["activations"].source.replace(LEAKY_RELU, LEAKY_RELU_WITHOUT_ALPHA)
    cells["neuron"].source = cells["neuron"].source.replace(
        "np.dot(self.weights, inputs)", "weighted_sum(self.weights, inputs)"
    )
    nb.cells.append(nbformat.v4.new_code_cell(WEIGHTED_SUM))
    path = tmp_path_factory.mktemp("buggy") / "lab1_neuron.ipynb"
    nbformat.write(nb, path)
    return grade_notebook(settings, lab1, str(path), pool).results.to_json(), nb


def test_every_check_of_the_stub_names_the_function_that_still_raises_not_implemented_error(stub_results):
    failed = messages(stub_results)
    assert set(failed_checks(stub_results).values()) == {"not attempted"}, "the reason stays 'not attempted'"
    for check, expected in STUB_MESSAGES.items():
        assert failed[check].startswith(expected), (
            f"{check}: expected a message starting {expected!r}, got {failed[check]!r}"
        )
    for check, message in failed.items():
        assert STUB_HINT in message, f"{check}: every check of the stub should say {STUB_HINT!r}, got {message!r}"


def test_the_notes_on_the_stubs_cells_name_the_function_that_still_raises(stub_results):
    for note in (
        "cell 'plot_activations' of your notebook ended with not attempted: step still raises NotImplementedError",
        "cell 'logic_gates' of your notebook ended with not attempted: it still raises NotImplementedError",
    ):
        assert note in stub_results["output"], f"expected the note {note!r} in {stub_results['output']!r}"


def test_relu_comparing_an_array_with_if_names_relu_and_its_line_in_the_cell(buggy):
    results, nb = buggy
    activations = next(cell for cell in nb.cells if grade_id(cell) == "activations").source
    expected = (
        "relu raised ValueError: The truth value of an array with more than one element is ambiguous. "
        f"Use a.any() or a.all() (in your cell 'activations', line {line_number(activations, 'if x > 0:')}: "
        "`if x > 0:`)"
    )
    assert failed_checks(results)["test_relu_on_arrays"] == "error", "the reason stays 'error'"
    assert messages(results)["test_relu_on_arrays"] == expected, "the message should name relu, its cell and line"


def test_an_error_inside_numpy_lists_the_students_calls_and_no_library_frame(buggy):
    results, nb = buggy
    message = messages(results)["test_feedforward_is_activation_of_weighted_sum_plus_bias"]
    neuron = next(cell for cell in nb.cells if grade_id(cell) == "neuron").source
    added = f"cell {len(nb.cells)}"  # the student's own cell: no grade id, named by its place
    assert message.startswith(
        "weighted_sum raised ValueError: Invalid norm order 'fro' for vectors "
        f"(in your {added}, line 2: `scale = np.linalg.norm(inputs, ord='fro')`)"
    ), f"the innermost function of the student's, not NumPy's, should be named: {message!r}"
    call = "return self.activation(weighted_sum(self.weights, inputs) + self.bias)"
    assert (
        f"  cell 'neuron', line {line_number(neuron, call)}, in BasicNeuron.feedforward\n    {call}\n"
        f"  {added}, line 2, in weighted_sum\n" in message
    ), f"the student's calls should be listed, outermost first: {message!r}"
    for hidden in ("numpy", "linalg.py", "ipykernel_", "autograder bridge", "<string>", "Traceback (most recent"):
        assert hidden not in message, f"{hidden!r} should not be in the message: {message!r}"


def test_wrong_answers_keep_the_checks_own_message(buggy):
    results, _ = buggy
    assert failed_checks(results) == {
        "test_relu_on_arrays": "error",
        "test_feedforward_is_activation_of_weighted_sum_plus_bias": "error",
        "test_xor_truth_table": "error",
        "test_leaky_relu_values": "wrong answer",
        "test_leaky_relu_on_arrays": "wrong answer",
    }, "relu on numbers and the gates (judged with the grader's own formula) should still pass"
    message = messages(results)["test_leaky_relu_values"]
    assert message.startswith("leaky_relu(") and "raised" not in message and "your cell" not in message, (
        f"a wrong answer should say what the check expected, as before: {message!r}"
    )


def frame(line: str, lineno: int, name: str, filename: str = CELL_FILE) -> list:
    return [filename, lineno, name, line]


def test_a_cell_starting_with_blank_lines_is_named_with_the_notebooks_line_numbers():
    cells = [Cell(2, "activations", "\n\ndef relu(x):\n    if x > 0:\n        return x\n")]
    error = student_error(
        {"ename": "ValueError", "evalue": "ambiguous", "traceback": [], "frames": [frame("if x > 0:", 2, "relu")]}
    )
    expected = "relu raised ValueError: ambiguous (in your cell 'activations', line 4: `if x > 0:`)"
    assert error_message(error, cells) == expected, "IPython drops leading blank lines before it numbers the lines"


def test_two_stubs_with_the_same_line_are_told_apart_by_the_function_they_define():
    stub = "    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    cells = [Cell(3, "activations", "def step(x):\n" + stub), Cell(5, "xor", "def xor(a, b):\n" + stub)]
    error = student_error(
        {"ename": "NotImplementedError", "evalue": "", "frames": [frame("raise NotImplementedError()", 3, "step")]}
    )
    assert not_attempted_message(error, cells) == f"step {STUB_HINT} (in your cell 'activations', line 3)"


def test_not_implemented_error_raised_by_a_library_quotes_the_library():
    error = student_error(
        {
            "ename": "NotImplementedError",
            "evalue": 'Module [Net] is missing the required "forward" function',
            "frames": [frame("", 0, "_call_impl", "/usr/lib/python3/site-packages/torch/nn/modules/module.py")],
        }
    )
    error.called = "Net"
    assert (
        not_attempted_message(error, [])
        == 'Net raised NotImplementedError: Module [Net] is missing the required "forward" function'
    )


def test_an_answer_without_frames_keeps_the_trimmed_traceback():
    error = student_error({"ename": "TypeError", "evalue": "bad", "traceback": ["Traceback ...\n", "TypeError: bad\n"]})
    assert error_message(error, []) == "TypeError: bad\n\nTraceback ...\nTypeError: bad"


def test_malformed_frames_from_the_kernel_are_left_out():
    frames = parse_frames([frame("x", 1, "f"), ["only", "three", "items"], [CELL_FILE, "1", "f", "x"], "text", None])
    assert [(one.filename, one.lineno) for one in frames] == [(CELL_FILE, 1)], "only well-formed frames are kept"
    assert parse_frames({"not": "a list"}) == ()


def test_lab2_notebook_graded_as_lab1_exits_2_saying_it_looks_like_lab2():
    for notebook in (LAB2_STUB, LAB2_KEY):
        run = autograder("grade", "lab1_neuron", notebook)
        assert run.returncode == 2, f"{notebook}: a notebook of another lab should exit 2, got {run.returncode}"
        assert "this looks like lab2_ann, not lab1_neuron: " in run.stderr, f"{notebook}: {run.stderr}"


def test_lab2_notebook_in_a_batch_is_that_submissions_result(settings, lab1, pool):
    results = grade_or_reject(settings, lab1, LAB2_STUB, pool).results.to_json()
    rejected = results["extra_data"].get("rejected", "")
    assert rejected.startswith("this looks like lab2_ann, not lab1_neuron: its cells carry "), rejected
    assert results["score"] == 0


def ids_notebook(*ids: str):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1") for _ in ids])
    for cell, cell_id in zip(nb.cells, ids):
        cell.metadata["nbgrader"] = {"grade_id": cell_id}
    return nb


def test_recognition_counts_only_the_ids_that_tell_two_labs_apart():
    labs = {
        "lab1": {"intro", "imports", "activations", "neuron", "xor"},
        "lab2": {"intro", "imports", "network", "predict", "train"},
    }
    assert matching_lab(ids_notebook("intro", "imports", "network", "predict"), labs, asked="lab1") == "lab2"
    assert matching_lab(ids_notebook("intro", "imports"), labs, asked="lab1") is None, "shared ids tell nothing"
    lab1_with_a_pasted_cell = ids_notebook("intro", "activations", "neuron", "xor", "network")
    assert matching_lab(lab1_with_a_pasted_cell, labs, asked="lab1") is None, "one pasted cell is no other lab"
    assert matching_lab(lab1_with_a_pasted_cell, labs) == "lab1", "without a lab asked for: the clear winner"
    assert matching_lab(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), labs) is None


def test_a_notebook_without_nbgrader_ids_is_graded_as_the_lab_asked_for():
    labs = {"lab1": {"activations"}, "lab2": {"network"}}
    check_lab(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), "lab1", labs)
    with pytest.raises(SubmissionRejected, match="this looks like lab2, not lab1: its cells carry 1 nbgrader ids"):
        check_lab(ids_notebook("network"), "lab1", labs)


def test_a_python_file_exits_2_saying_to_hand_in_the_ipynb(tmp_path):
    path = tmp_path / "lab1_neuron.py"
    path.write_text("import numpy as np\n\n\ndef relu(x):\n    return np.maximum(0, x)\n", encoding="utf-8")
    run = autograder("grade", "lab1_neuron", str(path))
    assert run.returncode == 2, f"a .py should exit 2, got {run.returncode}: {run.stderr}"
    assert PYTHON_FILE in run.stderr, run.stderr


def test_python_source_is_recognised_by_its_content_and_cut_json_is_not():
    with pytest.raises(SubmissionRejected, match=PYTHON_FILE):
        notebook_from_bytes(b"import numpy as np\nprint(np.pi)\n", "lab1_neuron.ipynb")
    for not_python in (b'{"cells": [', b"hello", b'{"cells": [],}'):
        with pytest.raises(SubmissionRejected, match="not a notebook"):
            notebook_from_bytes(not_python, "lab1_neuron.ipynb")


def test_a_zip_exits_2_saying_to_hand_in_the_notebook_it_holds(tmp_path):
    path = tmp_path / "handed_in.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(LAB1_KEY, "lab1_neuron.ipynb")
    run = autograder("grade", "lab1_neuron", str(path))
    assert run.returncode == 2, f"a .zip should exit 2, got {run.returncode}: {run.stderr}"
    assert ZIP_FILE in run.stderr, run.stderr


def test_a_py_or_zip_in_a_students_folder_is_that_submissions_result(settings, lab1, pool, tmp_path):
    for name, content, reason in (
        ("lab1_neuron.py", b"def relu(x):\n    return max(0, x)\n", PYTHON_FILE),
        ("mine.zip", b"PK\x05\x06" + bytes(18), ZIP_FILE),
    ):
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        (folder / name).write_bytes(content)
        path = choose_notebook(str(folder), "lab1_neuron")
        assert path == str(folder / name), f"with no notebook, {name} is graded for what it is"
        results = grade_or_reject(settings, lab1, path, pool).results.to_json()
        assert results["extra_data"].get("rejected") == reason, results["extra_data"]
