"""Hidden checks of lab1's xor (grade cell test_xor, 2 points).

xor is judged by its behaviour: it is built from the student's neurons, so a broken neuron or gate breaks it.
"""

import itertools

import pytest

from autograder.checks.expect import number
from autograder.checks.pictures import truth_table_png

pytestmark = pytest.mark.grade_cell("test_xor")


@pytest.mark.points(2)
def test_xor_truth_table(sub, picture):
    """xor(x1, x2) is 1 exactly when one input is 1"""
    inputs = list(itertools.product((0, 1), repeat=2))
    got = [number(value, f"xor({x1}, {x2})") for (x1, x2), value in zip(inputs, sub.map("xor", inputs))]
    wrong = [value != (x1 ^ x2) for (x1, x2), value in zip(inputs, got)]
    picture(
        "Your xor's truth table",
        truth_table_png(
            ["x1", "x2", "xor(x1, x2)", "XOR"],
            [[x1, x2, f"{value:g}", x1 ^ x2] for (x1, x2), value in zip(inputs, got)],
            wrong,
        ),
        "the rows drawn white on black are those where your xor differs from XOR" if any(wrong) else "every row right",
    )
    for (x1, x2), value in zip(inputs, got):
        assert value == (x1 ^ x2), f"xor({x1}, {x2}) should be {x1 ^ x2}, got {value:g}"
