"""Hidden checks of lab4's MLP (grade cell test_mlp, 3 points): shapes and raw scores (logits)."""

import numpy as np
import pytest

from autograder.checks.expect import close, logits, not_probabilities

pytestmark = pytest.mark.grade_cell("test_mlp")


def images(n, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, size=(n, 1, 28, 28)).astype(np.float32)


@pytest.mark.points(1)
def test_mlp_output_shape_for_images(sub):
    """MLP() maps images (B, 1, 28, 28) to logits (B, 10)"""
    model = sub.call("MLP")
    model.eval()
    for batch in (5, 1):
        logits(model(sub.tensor(images(batch))), batch, 10, f"MLP()(images of shape ({batch}, 1, 28, 28))")


@pytest.mark.points(1)
def test_mlp_accepts_flat_input(sub):
    """MLP() also takes flattened images (B, 784), with the same result as for (B, 1, 28, 28)"""
    model = sub.call("MLP")
    model.eval()
    x = images(5, seed=1)
    flat = logits(model(sub.tensor(x.reshape(5, 784))), 5, 10, "MLP()(images of shape (5, 784))")
    square = logits(model(sub.tensor(x)), 5, 10, "MLP()(images of shape (5, 1, 28, 28))")
    close(flat, square, "MLP() on the same 5 images given flat (5, 784)", rtol=1e-5, atol=1e-6)


@pytest.mark.points(1)
def test_mlp_outputs_logits(sub):
    """MLP() returns raw scores (logits), not probabilities: nn.CrossEntropyLoss applies the softmax itself"""
    model = sub.call("MLP")
    model.eval()
    scores = logits(model(sub.tensor(images(64, seed=2))), 64, 10, "MLP()(images of shape (64, 1, 28, 28))")
    not_probabilities(scores, "MLP()'s output")
