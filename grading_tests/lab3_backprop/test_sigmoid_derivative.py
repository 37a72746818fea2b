"""Hidden checks of lab3's sigmoid_derivative (grade cell test_sigmoid_derivative, 2 points).

The derivative is taken at the pre-activation z: sigmoid(z) * (1 - sigmoid(z)). The shortcut z * (1 - z)
and the derivative applied to an output (sigmoid twice) both fail the values check.
"""

import numpy as np
import pytest

from autograder.checks.expect import close

pytestmark = pytest.mark.grade_cell("test_sigmoid_derivative")


def reference(z):
    s = 0.5 * (1 + np.tanh(np.asarray(z, dtype=float) / 2))
    return s * (1 - s)


@pytest.mark.points(1)
def test_sigmoid_derivative_values(sub):
    """sigmoid_derivative(z) = sigmoid(z) * (1 - sigmoid(z)) at several pre-activations z"""
    zs = [0.0, -30.0, -4.0, -1.5, -0.2, 0.3, 1.0, 2.0, 2.5, 6.0, 30.0]
    for z, got in zip(zs, sub.map("sigmoid_derivative", [(z,) for z in zs])):
        close(got, reference(z), f"sigmoid_derivative({z}) (the derivative at the pre-activation z)", atol=1e-12)


@pytest.mark.points(1)
def test_sigmoid_derivative_on_arrays(sub, lab_data):
    """sigmoid_derivative works elementwise on arrays of any shape"""
    rng = lab_data.rng(40)
    for shape in [(4,), (2, 3), (3, 1, 2), (5, 1)]:
        z = rng.normal(0, 3, size=shape)
        close(
            sub.call("sigmoid_derivative", z),
            reference(z),
            f"sigmoid_derivative on an array of shape {shape}",
            atol=1e-12,
        )
