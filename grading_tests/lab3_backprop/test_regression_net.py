"""Hidden checks of lab3's RegressionNet (grade cell test_regression_net, 2 points).

The lecture's layout: Linear -> LeakyReLU -> Linear -> LeakyReLU -> Linear (LeakyReLU's default slope 0.01),
with or without an nn.Sequential around it. Layers are read from model.modules() and the parameters as data;
the forward check computes the expected output here from those parameters.
"""

import numpy as np
import pytest

from autograder.checks.expect import close, numeric_array

pytestmark = pytest.mark.grade_cell("test_regression_net")

SIZES = (4, 8, 6, 2)  # input_size, hidden1, hidden2, output_size
SHAPES = [(8, 4), (8,), (6, 8), (6,), (2, 6), (2,)]


def build(sub):
    sub.exec(f"_ag_reg = RegressionNet{SIZES}")
    assert sub.eval("isinstance(_ag_reg, __import__('torch').nn.Module)") is True, (
        "RegressionNet should be an nn.Module"
    )
    values = sub.eval("[p.detach() for p in _ag_reg.parameters()]")
    params = [numeric_array(value, "a parameter of RegressionNet").astype(np.float64) for value in values]
    shapes = [tuple(p.shape) for p in params]
    assert shapes == SHAPES, (
        f"RegressionNet{SIZES} should have three Linear layers 4 -> 8 -> 6 -> 2, i.e. parameters of shapes "
        f"{SHAPES} in this order, got {shapes}"
    )
    return params


@pytest.mark.points(1)
def test_regression_net_layers(sub):
    """RegressionNet has the lecture's layers: Linear, LeakyReLU, Linear, LeakyReLU, Linear"""
    build(sub)
    layers = sub.eval("[type(m).__name__ for m in _ag_reg.modules() if not list(m.children())]")
    assert layers.count("Linear") == 3 and set(layers) == {"Linear", "LeakyReLU"}, (
        f"RegressionNet should consist of three nn.Linear layers with nn.LeakyReLU between them, found {layers}"
    )
    assert layers in (
        ["Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear"],
        ["Linear", "LeakyReLU", "Linear", "Linear"],
    ), f"RegressionNet's layers should come in the order Linear, LeakyReLU, Linear, LeakyReLU, Linear, found {layers}"
    slopes = sub.eval("[m.negative_slope for m in _ag_reg.modules() if type(m).__name__ == 'LeakyReLU']")
    assert all(abs(float(s) - 0.01) < 1e-12 for s in slopes), (
        f"the LeakyReLU layers should keep the default slope 0.01, found {slopes}"
    )


@pytest.mark.points(1)
def test_regression_net_forward(sub, lab_data):
    """RegressionNet maps (n, input_size) to (n, output_size) as Linear-LeakyReLU-Linear-LeakyReLU-Linear"""
    W1, b1, W2, b2, W3, b3 = build(sub)
    X = lab_data.rng(110).normal(0, 2, size=(5, 4)).astype(np.float32)

    def leaky(z):
        return np.where(z >= 0, z, 0.01 * z)

    expected = leaky(leaky(X @ W1.T + b1) @ W2.T + b2) @ W3.T + b3
    close(
        sub.get("_ag_reg")(sub.tensor(X)),
        expected,
        "RegressionNet(4, 8, 6, 2) on a batch of shape (5, 4) (Linear, LeakyReLU, Linear, LeakyReLU, Linear)",
        rtol=1e-5,
        atol=1e-5,
    )
