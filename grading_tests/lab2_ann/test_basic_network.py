"""Hidden checks of lab2's BasicNeuralNetwork (grade cell test_basic_network, 4 points).

The activations are made in the kernel by the checks (a plain sigmoid, the identity and np.tanh), so a
student's own activation code is never charged here; the network must be the lecture's: h1 = h2 = f(w · x + b)
and o1 = f(w · [h1, h2] + b).
"""

import numpy as np
import pytest

from autograder.checks.expect import close

pytestmark = pytest.mark.grade_cell("test_basic_network")

SIGMOID = "lambda z: 1.0 / (1.0 + __import__('numpy').exp(-z))"


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def expected_output(weights, bias, x, f):
    h = f(np.dot(weights, x) + bias)
    return f(np.dot(weights, [h, h]) + bias)


@pytest.mark.points(2)
def test_basic_network_lecture_example(sub):
    """the lecture's example: w = [0, 1], b = 0, sigmoid, x = [2, 3] gives σ(σ(3)) ≈ 0.7216"""
    activation = sub.eval(SIGMOID)
    network = sub.call("BasicNeuralNetwork", np.array([0.0, 1.0]), 0.0, activation)
    got = network.feedforward(np.array([2.0, 3.0]))
    close(
        got,
        0.7216325609518421,
        "BasicNeuralNetwork([0, 1], 0, sigmoid).feedforward([2, 3]) (h1 = h2 = σ(3) ≈ 0.9526, o1 = σ(0.9526))",
        rtol=1e-6,
    )
    for weights, bias, x in (([0.5, -1.0], 0.25, [1.0, 2.0]), ([1.0, 1.0], -1.0, [0.0, 0.5])):
        network = sub.call("BasicNeuralNetwork", np.array(weights), bias, activation)
        close(
            network.feedforward(np.array(x)),
            expected_output(np.array(weights), bias, np.array(x), sigmoid),
            f"BasicNeuralNetwork({weights}, {bias}, sigmoid).feedforward({x})",
            rtol=1e-6,
        )


@pytest.mark.points(2)
def test_basic_network_formula(sub, lab_data):
    """feedforward(x) = f(w · [h, h] + b) with h = f(w · x + b), for random w, b, x and other activations"""
    identity, tanh = sub.eval("lambda z: z"), sub.eval("__import__('numpy').tanh")
    rng = lab_data.rng(5)
    for _ in range(4):
        weights, bias, x = rng.normal(size=2), float(rng.normal()), rng.normal(size=2)
        for name, handle, f in (("the identity", identity, lambda z: z), ("tanh", tanh, np.tanh)):
            network = sub.call("BasicNeuralNetwork", weights, bias, handle)
            close(
                network.feedforward(x),
                expected_output(weights, bias, x, f),
                f"feedforward({np.round(x, 4).tolist()}) with {name} activation, w = {np.round(weights, 4).tolist()}, "
                f"b = {bias:.4f} (the output neuron reads [h1, h2])",
            )
