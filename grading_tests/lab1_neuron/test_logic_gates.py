"""Hidden checks of lab1's gate neurons (grade cell test_logic_gates, 3 points).

A gate's weights and bias are judged with the grader's own Heaviside step and formula, so a bug in the
student's step or feedforward is not charged twice; the gate must be a BasicNeuron built on `step`.
"""

import itertools

import numpy as np
import pytest

from autograder.checks.expect import number, numeric_array
from autograder.checks.pictures import decision_png

pytestmark = pytest.mark.grade_cell("test_logic_gates")

TRUTH_TABLES = {
    "or_neuron": lambda a, b: int(a or b),
    "and_neuron": lambda a, b: int(a and b),
    "nand_neuron": lambda a, b: int(not (a and b)),
}
INPUTS = np.array(list(itertools.product((0, 1), repeat=2)), dtype=float)
GATE_OUTPUTS = {name: [table(*x) for x in itertools.product((0, 1), repeat=2)] for name, table in TRUTH_TABLES.items()}


def draw_gate(picture, name, weights, bias) -> None:
    """The feedback's picture of a gate: the neuron's output over the plane around the four inputs."""
    picture(
        f"Your {name} over the plane",
        decision_png(lambda points: (points @ weights + bias >= 0).astype(float), INPUTS, GATE_OUTPUTS[name]),
        f"w = {weights.tolist()}, b = {bias:g}: grey where step(w · x + b) = 1, the black line is where it changes; "
        "squares: the four inputs, filled where the gate should give 1",
    )


def check_gate(sub, name, picture):
    sub.get(name)  # a name not yet defined is "not attempted"
    assert sub.eval(f"isinstance({name}, BasicNeuron)"), f"{name} should be a BasicNeuron"
    uses_step, raw_weights, raw_bias = sub.eval(f"({name}.activation is step, {name}.weights, {name}.bias)")
    assert uses_step, f"{name} should use the step activation"
    weights = numeric_array(raw_weights, f"{name}.weights")
    bias = number(raw_bias, f"{name}.bias")
    assert weights.shape == (2,), f"{name}.weights should have shape (2,), got {weights.shape}"
    draw_gate(picture, name, weights, bias)
    for x in itertools.product((0, 1), repeat=2):
        output = 1 if np.dot(weights, x) + bias >= 0 else 0
        expected = TRUTH_TABLES[name](*x)
        assert output == expected, (
            f"with w = {weights.tolist()} and b = {bias:g}, step(w · {list(x)} + b) = {output}, "
            f"but the truth table says {expected}"
        )


@pytest.mark.points(1)
def test_or_neuron(sub, picture):
    """or_neuron reproduces the OR truth table"""
    check_gate(sub, "or_neuron", picture)


@pytest.mark.points(1)
def test_and_neuron(sub, picture):
    """and_neuron reproduces the AND truth table"""
    check_gate(sub, "and_neuron", picture)


@pytest.mark.points(1)
def test_nand_neuron(sub, picture):
    """nand_neuron reproduces the NAND truth table"""
    check_gate(sub, "nand_neuron", picture)
