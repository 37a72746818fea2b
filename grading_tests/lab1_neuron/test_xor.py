"""Hidden checks of lab1's xor (grade cell test_xor, 2 points).

xor is judged by its behaviour: it is built from the student's neurons, so a broken neuron or gate breaks it.
"""

import itertools

import pytest

from autograder.checks.expect import number

pytestmark = pytest.mark.grade_cell("test_xor")


@pytest.mark.points(2)
def test_xor_truth_table(sub):
    """xor(x1, x2) is 1 exactly when one input is 1"""
    inputs = list(itertools.product((0, 1), repeat=2))
    for (x1, x2), value in zip(inputs, sub.map("xor", inputs)):
        got = number(value, f"xor({x1}, {x2})")
        assert got == (x1 ^ x2), f"xor({x1}, {x2}) should be {x1 ^ x2}, got {got:g}"
