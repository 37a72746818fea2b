"""Hidden checks of lab2's TwoLayerNetwork initialisation (grade cell test_init, 6 points).

Every network is built with an explicit seed, so the checks do not depend on the grader's seed. Shapes,
sizes of the weights, zero biases and the seed are separate checks: each typical bug costs only its own.
"""

import numpy as np
import pytest

from autograder.checks.expect import numeric_array

pytestmark = pytest.mark.grade_cell("test_init")

SIZES = [(2, 2), (3, 5), (1, 4), (10, 1), (784, 16)]
SHAPES = {
    "W1": lambda n_inputs, n_hidden: (n_inputs, n_hidden),
    "b1": lambda n_inputs, n_hidden: (n_hidden,),
    "W2": lambda n_inputs, n_hidden: (n_hidden, 1),
    "b2": lambda n_inputs, n_hidden: (1,),
}


def parameters(sub, n_inputs, n_hidden, seed):
    network = sub.call("TwoLayerNetwork", n_inputs, n_hidden, seed=seed)
    what = f"TwoLayerNetwork({n_inputs}, {n_hidden}, seed={seed})"
    return {name: numeric_array(getattr(network, name), f"{what}.{name}") for name in SHAPES}, what


@pytest.mark.points(2)
def test_parameter_shapes(sub):
    """W1 is (n_inputs, n_hidden), b1 (n_hidden,), W2 (n_hidden, 1) and b2 (1,)"""
    for seed, (n_inputs, n_hidden) in enumerate(SIZES):
        params, what = parameters(sub, n_inputs, n_hidden, seed)
        for name, shape in SHAPES.items():
            expected = shape(n_inputs, n_hidden)
            assert params[name].shape == expected, (
                f"{what}.{name} should have shape {expected}, got {params[name].shape}"
            )


@pytest.mark.points(1)
def test_initial_weights_small_and_random(sub):
    """the initial weights are small random numbers: |w| < 1, not all equal"""
    for seed, (n_inputs, n_hidden) in enumerate(SIZES):
        params, what = parameters(sub, n_inputs, n_hidden, seed)
        for name in ("W1", "W2"):
            largest = float(np.max(np.abs(params[name]))) if params[name].size else 0.0
            assert largest < 1, (
                f"the initial weights should be small (|w| < 1), but {what}.{name} has an entry {largest:.3f} in size"
            )
        weights = np.concatenate([params["W1"].ravel(), params["W2"].ravel()])
        assert np.ptp(weights) > 1e-3, (
            f"the initial weights of {what} should be random numbers, not all equal (all are {weights[0]:g})"
        )


@pytest.mark.points(1)
def test_initial_biases_zero(sub):
    """the biases start at zero"""
    for seed, (n_inputs, n_hidden) in enumerate(SIZES):
        params, what = parameters(sub, n_inputs, n_hidden, seed)
        for name in ("b1", "b2"):
            assert params[name].size > 0 and np.all(params[name] == 0), (
                f"{what}.{name} should start at zero, got {np.array2string(params[name].ravel()[:4], precision=4)}"
            )


@pytest.mark.points(1)
def test_same_seed_same_weights(sub):
    """the same seed gives the same initial weights (np.random.default_rng(seed))"""
    for n_inputs, n_hidden, seed in ((3, 4, 7), (2, 6, 123)):
        first, what = parameters(sub, n_inputs, n_hidden, seed)
        second, _ = parameters(sub, n_inputs, n_hidden, seed)
        for name in SHAPES:
            same = first[name].shape == second[name].shape and np.array_equal(first[name], second[name])
            assert same, (
                f"two networks {what} should have the same {name}: the seed should make the weights reproducible"
            )


@pytest.mark.points(1)
def test_different_seeds_differ(sub):
    """different seeds give different initial weights"""
    for n_inputs, n_hidden in ((3, 4), (2, 6)):
        first, what = parameters(sub, n_inputs, n_hidden, 1)
        second, _ = parameters(sub, n_inputs, n_hidden, 2)
        same = first["W1"].shape == second["W1"].shape and np.array_equal(first["W1"], second["W1"])
        assert not same, f"TwoLayerNetwork({n_inputs}, {n_hidden}) with seed=1 and seed=2 should have different W1"
