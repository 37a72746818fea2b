"""Hidden checks of lab1's truth_table (grade cell test_truth_table, 2 points).

truth_table(neuron) is given the checks' own neurons, made in the kernel: objects with only a `feedforward` method
whose output at each input (x1, x2) is read from a table, so a bug in the student's BasicNeuron or step does not
cost points here. The order check uses tables that are not symmetric in x1 and x2 (a table walked in another order
fails); the type check uses outputs of the kinds a feedforward may return (Python and NumPy floats, a 0-d array
as the lab's step gives, a NumPy int) and asks for a list of four Python ints.
"""

import itertools

import pytest

from autograder.checks.expect import numeric_array
from autograder.checks.pictures import truth_table_png

pytestmark = pytest.mark.grade_cell("test_truth_table")

INPUTS = list(itertools.product((0, 1), repeat=2))  # (0, 0), (0, 1), (1, 0), (1, 1): the order asked for
ORDER_TABLES = {
    "outputs x1": [0, 0, 1, 1],
    "outputs x2": [0, 1, 0, 1],
    "x1 and not x2": [0, 0, 1, 0],
    "not x1 and x2": [0, 1, 0, 0],
    "NOR": [1, 0, 0, 0],
    "x1 or not x2": [1, 0, 1, 1],
}
# how the checks' neurons return their output: the kinds of numbers a feedforward may give back
RETURN_KINDS = {
    "a Python float": "float({})",
    "a NumPy float64": "__import__('numpy').float64({})",
    "a 0-d NumPy array (as the lab's step returns)": "__import__('numpy').asarray(float({}))",
    "a NumPy int64": "__import__('numpy').int64({})",
}


def table_neuron(sub, table: list[int], kind: str = "{}"):
    """A neuron in the kernel whose feedforward(x) is table[2 * x1 + x2], returned as `kind` makes it."""
    output = kind.format(f"{table!r}[2 * int(x[0]) + int(x[1])]")
    return sub.eval(f"__import__('types').SimpleNamespace(feedforward=lambda x: {output})")


@pytest.mark.points(1)
def test_truth_table_order(sub, picture):
    """truth_table gives the neuron's outputs at (0, 0), (0, 1), (1, 0), (1, 1), in that order"""
    sub.get("truth_table")  # a name not yet defined is "not attempted"
    neurons = [table_neuron(sub, table) for table in ORDER_TABLES.values()]
    results = sub.map("truth_table", [(neuron,) for neuron in neurons])
    for (name, expected), value in zip(ORDER_TABLES.items(), results):
        got = numeric_array(value, f"truth_table of a neuron that {name}")
        assert got.shape == (4,), f"truth_table should give 4 outputs, one for each input, got shape {got.shape}"
        wrong = [bool(a != b) for a, b in zip(got, expected)]
        if any(wrong):
            picture(
                "Your truth_table of one of the grader's neurons",
                truth_table_png(
                    ["x1", "x2", "yours", "neuron"],
                    [[x1, x2, f"{a:g}", b] for (x1, x2), a, b in zip(INPUTS, got, expected)],
                    wrong,
                ),
                "row i of your list is read as the output at the input of row i; rows drawn white on black differ",
            )
        assert not any(wrong), (
            f"for a neuron whose outputs at (0, 0), (0, 1), (1, 0), (1, 1) are {expected} ({name}), truth_table "
            f"gave {[float(a) for a in got]}: list the outputs in the order (0, 0), (0, 1), (1, 0), (1, 1)"
        )


@pytest.mark.points(1)
def test_truth_table_returns_python_ints(sub):
    """truth_table returns a list of four Python ints, whatever number type feedforward returns"""
    sub.get("truth_table")
    table = [0, 1, 1, 1]  # symmetric: this check is about the type, the order check about the order
    neurons = [table_neuron(sub, table, kind) for kind in RETURN_KINDS.values()]
    results = sub.map("truth_table", [(neuron,) for neuron in neurons])
    for kind, value in zip(RETURN_KINDS, results):
        what = f"truth_table of a neuron whose feedforward returns {kind}"
        assert type(value) is list, f"{what} should return a list, got {type(value).__name__}: {value!r:.80}"
        assert len(value) == 4, f"{what} should return 4 entries, one for each input, got {len(value)}"
        types = sorted({type(item).__name__ for item in value if type(item) is not int})
        assert not types, (
            f"{what} should return a list of Python ints, but it holds {', '.join(types)}: convert each output "
            "with int(...)"
        )
        assert all(item in (0, 1) for item in value), f"{what}: every entry should be 0 or 1, got {value}"
