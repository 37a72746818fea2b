"""Hidden checks of lab2's predict (grade cell test_predict, 2 points).

predict is judged on a TwoLayerNetwork whose weights the check sets in the kernel so that its output is
exactly x1: identity activation, W1 = the 2x2 identity matrix, b1 = 0, W2 = (1, 0), b2 = 0. Any feedforward
that computes f(f(X W1 + b1) W2 + b2) in some order gives x1 exactly (even with W1 transposed, as it is
symmetric), so predict's thresholding is checked apart from feedforward's details.
"""

import numpy as np
import pytest

from autograder.checks.expect import numeric_array

pytestmark = pytest.mark.grade_cell("test_predict")

KNOWN_NETWORK = """
_ag_predict_net = TwoLayerNetwork(2, 2, activation=lambda z: z, seed=0)
_ag_predict_net.W1 = __import__('numpy').eye(2)
_ag_predict_net.b1 = __import__('numpy').zeros(2)
_ag_predict_net.W2 = __import__('numpy').array([[1.0], [0.0]])
_ag_predict_net.b2 = __import__('numpy').zeros(1)
"""


def known_network(sub):
    sub.exec(KNOWN_NETWORK)
    return sub.ref("_ag_predict_net")


def labels(sub, network, X, what, **kwargs):
    got = numeric_array(sub.call("predict", network, X, **kwargs), what)
    assert got.shape == (len(X),), f"{what} should have shape ({len(X)},), one label per sample, got shape {got.shape}"
    assert np.all((got == 0) | (got == 1)), f"{what} should contain only 0 and 1, got {np.unique(got)[:6]}"
    return got


def samples(first_column, rng):
    """Samples (n, 2): `first_column`, then a column drawn from `rng`."""
    return np.column_stack([first_column, rng.normal(size=len(first_column))])


@pytest.mark.points(1)
def test_predict_labels_and_shape(sub, lab_data):
    """predict gives 0/1 labels of shape (n,): 1 above the threshold, 0 below (default 0.5 or given)"""
    network = known_network(sub)
    outputs = lab_data.rng(21).uniform(0, 1, 30)  # never exactly on a threshold
    X = samples(outputs, lab_data.rng(22))
    for kwargs, threshold in (({}, 0.5), ({"threshold": 0.3}, 0.3), ({"threshold": 0.8}, 0.8)):
        what = f"predict(network, X{', threshold=' + str(threshold) if kwargs else ''}) for 30 samples"
        got = labels(sub, network, X, what, **kwargs)
        expected = (outputs >= threshold).astype(int)
        wrong = np.flatnonzero(got != expected)
        assert wrong.size == 0, (
            f"{what}: the network's output {outputs[wrong[0]]:.4f} should give label {expected[wrong[0]]} "
            f"with threshold {threshold}, got {got[wrong[0]]:g}"
        )
    got = labels(sub, network, X[:1], "predict(network, X) for a batch of one sample")
    assert got[0] == int(outputs[0] >= 0.5), (
        f"predict for one sample with output {outputs[0]:.4f} should be {int(outputs[0] >= 0.5)}"
    )


@pytest.mark.points(1)
def test_predict_threshold_is_inclusive(sub, lab_data):
    """an output exactly equal to the threshold gives label 1 (output >= threshold)"""
    network = known_network(sub)
    outputs = np.array([0.5, 0.25, 0.75, 0.5 - 2.0**-20, 0.5 + 2.0**-20])
    X = samples(outputs, lab_data.rng(23))
    for threshold in (0.5, 0.25, 0.75):
        kwargs = {} if threshold == 0.5 else {"threshold": threshold}
        what = f"predict(network, X{', threshold=' + str(threshold) if kwargs else ''})"
        got = labels(sub, network, X, what, **kwargs)
        at = int(np.flatnonzero(outputs == threshold)[0])
        assert got[at] == 1, (
            f"{what}: an output exactly equal to the threshold {threshold} should give label 1, got {got[at]:g}"
        )
        expected = (outputs >= threshold).astype(int)
        assert np.array_equal(got, expected), (
            f"{what} on outputs {outputs.tolist()} should be {expected.tolist()}, got {got.astype(int).tolist()}"
        )
