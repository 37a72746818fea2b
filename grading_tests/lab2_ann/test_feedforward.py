"""Hidden checks of lab2's TwoLayerNetwork.feedforward (grade cell test_feedforward, 7 points).

Values are compared with the formula y = f(f(X W1 + b1) W2 + b2) computed here, from the network's own W1, b1,
W2, b2 read back as data. The checks set the biases to non-zero values first (random initial biases are zero,
which would hide a forgotten bias). Shapes are checked apart from values: an output of the right size but the
wrong shape loses only the shape checks.
"""

import numpy as np
import pytest

from autograder.checks.expect import close, numeric_array

pytestmark = pytest.mark.grade_cell("test_feedforward")

IDENTITY = "lambda z: z"
TANH = "__import__('numpy').tanh"


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(z / 2.0))


def build(sub, lab_data, n_inputs, n_hidden, seed, activation=None):
    """A TwoLayerNetwork made in the kernel, with non-zero biases set by the check; returns (handle, description)."""
    rng = lab_data.rng(100 + seed)
    b1, b2 = rng.uniform(-1, 1, n_hidden), rng.uniform(0.5, 1, 1)
    argument = f", activation={activation}" if activation else ""
    sub.exec(
        f"_ag_net = TwoLayerNetwork({n_inputs}, {n_hidden}{argument}, seed={seed})\n"
        f"_ag_net.b1 = __import__('numpy').array({b1.tolist()!r})\n"
        f"_ag_net.b2 = __import__('numpy').array({b2.tolist()!r})\n"
    )
    return sub.get("_ag_net"), f"TwoLayerNetwork({n_inputs}, {n_hidden}, seed={seed})"


def formula(network, what, n_inputs, n_hidden, f):
    """The trusted feedforward of the network's own parameters."""
    params = {name: numeric_array(getattr(network, name), f"{what}.{name}") for name in ("W1", "b1", "W2", "b2")}
    for name, shape in (("W1", (n_inputs, n_hidden)), ("W2", (n_hidden, 1))):
        assert params[name].shape == shape, (
            f"{what}.{name} has shape {params[name].shape}; the feedforward formula f(f(X @ W1 + b1) @ W2 + b2) "
            f"needs {name} of shape {shape}"
        )
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    return lambda X: f(f(X @ W1 + b1) @ W2 + b2)


def same_values(got, expected, what):
    """close(), with an output of the right size compared whatever its shape (the shape checks judge shapes)."""
    got = numeric_array(got, what)
    if got.size == expected.size:
        got = got.reshape(expected.shape)
    close(got, expected, what)


def check_formula(sub, lab_data, sizes, activations):
    rng = lab_data.rng(11)
    for seed, (n_inputs, n_hidden) in enumerate(sizes):
        for label, expression, f in activations:
            network, what = build(sub, lab_data, n_inputs, n_hidden, seed, expression)
            expected = formula(network, what, n_inputs, n_hidden, f)
            X = rng.normal(size=(6, n_inputs))
            same_values(network.feedforward(X), expected(X), f"{what} with {label}: feedforward of a batch of 6")
            same_values(network.feedforward(X[0]), expected(X[0]), f"{what} with {label}: feedforward of one sample")


@pytest.mark.points(1)
def test_feedforward_one_sample_shape(sub, lab_data):
    """one sample of shape (n_inputs,) gives an output of shape (1,)"""
    rng = lab_data.rng(12)
    for seed, (n_inputs, n_hidden) in enumerate([(2, 2), (3, 5), (1, 1), (4, 1)]):
        network = sub.call("TwoLayerNetwork", n_inputs, n_hidden, seed=seed)
        got = numeric_array(network.feedforward(rng.normal(size=n_inputs)), "feedforward")
        assert got.shape == (1,), (
            f"TwoLayerNetwork({n_inputs}, {n_hidden}).feedforward of one sample of shape ({n_inputs},) "
            f"should have shape (1,), got {got.shape}"
        )


@pytest.mark.points(1)
def test_feedforward_batch_shape(sub, lab_data):
    """a batch of shape (n, n_inputs) gives an output of shape (n, 1), also for n = 1"""
    rng = lab_data.rng(13)
    for seed, (n_inputs, n_hidden) in enumerate([(2, 2), (3, 5), (1, 4), (6, 1)]):
        network = sub.call("TwoLayerNetwork", n_inputs, n_hidden, seed=seed)
        for n in (5, 1):
            got = numeric_array(network.feedforward(rng.normal(size=(n, n_inputs))), "feedforward")
            assert got.shape == (n, 1), (
                f"TwoLayerNetwork({n_inputs}, {n_hidden}).feedforward of a batch of shape ({n}, {n_inputs}) "
                f"should have shape ({n}, 1), got {got.shape}"
            )


@pytest.mark.points(2)
def test_feedforward_linear_formula(sub, lab_data):
    """with the identity activation, feedforward(X) = (X @ W1 + b1) @ W2 + b2"""
    check_formula(sub, lab_data, [(2, 2), (3, 5), (1, 4), (6, 1)], [("the identity activation", IDENTITY, lambda z: z)])


@pytest.mark.points(2)
def test_feedforward_applies_activation_on_both_layers(sub, lab_data):
    """feedforward(X) = f(f(X @ W1 + b1) @ W2 + b2) with tanh and with the default sigmoid"""
    check_formula(
        sub,
        lab_data,
        [(2, 3), (5, 2), (3, 1)],
        [("tanh", TANH, np.tanh), ("the default activation (sigmoid)", None, sigmoid)],
    )


@pytest.mark.points(1)
def test_batch_matches_one_sample_at_a_time(sub, lab_data):
    """the output for a batch equals the outputs for its samples fed one at a time"""
    rng = lab_data.rng(14)
    for seed, (n_inputs, n_hidden) in enumerate([(3, 4), (2, 1), (1, 3)]):
        network = sub.call("TwoLayerNetwork", n_inputs, n_hidden, seed=seed)
        feedforward = network.feedforward
        what = f"TwoLayerNetwork({n_inputs}, {n_hidden}, seed={seed}).feedforward"
        X = rng.normal(size=(6, n_inputs))
        batch = numeric_array(feedforward(X), f"{what} of a batch of 6")
        assert batch.size == 6, f"{what} of a batch of 6 samples should give 6 outputs, got {batch.size}"
        singles = []
        for k, x in enumerate(X):
            single = numeric_array(feedforward(x), f"{what} of sample {k}")
            assert single.size == 1, f"{what} of one sample should give one output, got {single.size}"
            singles.append(float(single.ravel()[0]))
        close(
            batch.ravel(), np.array(singles), f"{what} of a batch (flattened), compared with the samples one at a time,"
        )
