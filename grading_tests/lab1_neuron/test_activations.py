"""Hidden checks of lab1's activation functions (grade cell test_activations, 12 points).

Values are checked on Python scalars and shapes on arrays, so a function that only works on scalars loses the
shape points and keeps the value points. Arrays hold random normal numbers, never exactly 0, so the H(0)
convention is checked once, by test_step_is_one_at_zero.
"""

import numpy as np
import pytest

from autograder.checks.expect import close, number

pytestmark = pytest.mark.grade_cell("test_activations")

ACTIVATIONS = {
    "step": lambda x: np.where(x >= 0, 1.0, 0.0),
    "sigmoid": lambda x: 0.5 * (1 + np.tanh(x / 2)),
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0.0),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.01 * x),
}
SCALARS = [-3.0, -1.5, -0.25, 0.5, 2, 4.0]
SHAPES = [(5,), (2, 3), (1,), (4, 1, 2)]


def check_scalars(sub, name, extra=()):
    """name(x) for the usual scalars and those of `extra`, in one request."""
    reference, scalars = ACTIVATIONS[name], SCALARS + list(extra)
    for x, got in zip(scalars, sub.map(name, [(x,) for x in scalars])):
        close(got, reference(np.float64(x)), f"{name}({x})")


def check_arrays(sub, name, lab_data):
    """name on arrays of SHAPES drawn from the submission's seed (lab_data.rng), and on a scalar."""
    reference, rng = ACTIVATIONS[name], lab_data.rng(1)
    inputs = [rng.normal(0, 2, size=shape) for shape in SHAPES]
    *on_arrays, on_scalar = sub.map(name, [(x,) for x in inputs] + [(0.75,)])
    for x, got in zip(inputs, on_arrays):
        close(got, reference(x), f"{name} on an array of shape {x.shape}")
    assert np.shape(on_scalar) == (), f"{name}(0.75) should return a scalar, got shape {np.shape(on_scalar)}"


@pytest.mark.points(1)
def test_step_is_one_at_zero(sub):
    """step(0) is 1 (the Heaviside convention H(0) = 1)"""
    for x, value in zip((0.0, 0), sub.map("step", [(0.0,), (0,)])):
        assert number(value, f"step({x!r})") == 1, f"step({x!r}) should be 1: the lab uses H(0) = 1"


@pytest.mark.points(1)
def test_step_values(sub):
    """step is 0 for negative and 1 for positive numbers"""
    check_scalars(sub, "step", extra=[-1e-9])


@pytest.mark.points(1)
def test_step_on_arrays(sub, lab_data):
    """step works elementwise on arrays of any shape"""
    check_arrays(sub, "step", lab_data)


@pytest.mark.points(1)
def test_sigmoid_values(sub):
    """sigmoid gives 1 / (1 + exp(-x))"""
    check_scalars(sub, "sigmoid", extra=[0.0])


@pytest.mark.points(1)
def test_sigmoid_extremes_without_overflow(sub):
    """sigmoid(±1000) is 1 and 0, without an overflow warning"""
    for x, expected in ((1000.0, 1.0), (-1000.0, 0.0), (710.0, 1.0), (-710.0, 0.0)):
        value, warnings = sub.call_recording_warnings("sigmoid", x)
        close(value, expected, f"sigmoid({x})", atol=1e-300)
        assert not warnings, f"sigmoid({x}) should not warn, but raised {warnings[0]} (use the stable form)"


@pytest.mark.points(1)
def test_sigmoid_on_arrays(sub, lab_data):
    """sigmoid works elementwise on arrays of any shape"""
    check_arrays(sub, "sigmoid", lab_data)


@pytest.mark.points(1)
def test_tanh_values(sub):
    """tanh gives the hyperbolic tangent"""
    check_scalars(sub, "tanh")


@pytest.mark.points(1)
def test_tanh_on_arrays(sub, lab_data):
    """tanh works elementwise on arrays of any shape"""
    check_arrays(sub, "tanh", lab_data)


@pytest.mark.points(1)
def test_relu_values(sub):
    """relu gives max(0, x)"""
    check_scalars(sub, "relu", extra=[0.0])


@pytest.mark.points(1)
def test_relu_on_arrays(sub, lab_data):
    """relu works elementwise on arrays of any shape"""
    check_arrays(sub, "relu", lab_data)


@pytest.mark.points(1)
def test_leaky_relu_values(sub):
    """leaky_relu gives x for x >= 0 and alpha * x below, with alpha = 0.01 by default"""
    check_scalars(sub, "leaky_relu")
    close(sub.call("leaky_relu", -2.0, alpha=0.2), -0.4, "leaky_relu(-2.0, alpha=0.2)")
    close(sub.call("leaky_relu", 3.0, 0.2), 3.0, "leaky_relu(3.0, 0.2)")


@pytest.mark.points(1)
def test_leaky_relu_on_arrays(sub, lab_data):
    """leaky_relu works elementwise on arrays of any shape, with any alpha"""
    check_arrays(sub, "leaky_relu", lab_data)
    x = lab_data.rng(2).normal(size=(3, 4))
    close(sub.call("leaky_relu", x, alpha=0.3), np.where(x >= 0, x, 0.3 * x), "leaky_relu(x, alpha=0.3) on (3, 4)")
