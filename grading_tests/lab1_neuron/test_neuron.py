"""Hidden checks of lab1's BasicNeuron (grade cell test_neuron, 3 points).

The neuron is built with activations made in the kernel by the checks (identity and np.tanh), so a bug in
the student's activation functions does not cost points here.
"""

import numpy as np
import pytest

from autograder.checks.expect import close, number

pytestmark = pytest.mark.grade_cell("test_neuron")


def random_cases(rng, count=5):
    for n in range(1, count + 1):
        yield rng.normal(size=n + 1), float(rng.normal()), rng.normal(size=n + 1)


@pytest.mark.points(2)
def test_feedforward_is_activation_of_weighted_sum_plus_bias(sub, lab_data):
    """feedforward(x) = activation(w · x + b) for random weights, bias and inputs"""
    identity, tanh = sub.eval("(lambda z: z, __import__('numpy').tanh)")
    cases = list(random_cases(lab_data.rng(3)))
    neurons = sub.map("BasicNeuron", [(weights, bias, f) for weights, bias, _ in cases for f in (identity, tanh)])
    for (weights, bias, x), (linear, curved) in zip(cases, zip(neurons[::2], neurons[1::2])):
        formula = float(np.dot(weights, x) + bias)
        close(
            linear.call_method("feedforward", x),
            formula,
            f"feedforward with the identity activation, w = {weights}, b = {bias:.4f}",
        )
        close(
            curved.call_method("feedforward", x),
            np.tanh(formula),
            f"feedforward with tanh, w = {weights}, b = {bias:.4f}",
        )


@pytest.mark.points(1)
def test_neuron_keeps_its_weights_and_bias(sub):
    """a BasicNeuron keeps its weights and bias as given"""
    weights, bias = np.array([0.5, -1.25, 2.0]), -0.75
    neuron = sub.call("BasicNeuron", weights, bias, sub.ref("step"))
    close(neuron.weights, weights, "BasicNeuron(w, b, step).weights")
    close(number(neuron.bias, "BasicNeuron(w, b, step).bias"), bias, "BasicNeuron(w, b, step).bias")
