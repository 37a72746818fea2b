"""Hidden checks of lab4's CNN (grade cell test_cnn, 3 points): shapes, convolutions that are used, logits."""

import numpy as np
import pytest

from autograder.checks.expect import logits, not_probabilities

pytestmark = pytest.mark.grade_cell("test_cnn")

# Counts the nn.Conv2d modules of the model and how many of them run in one forward pass.
COUNT_CONVOLUTIONS = """
def _ag_count_convolutions(model, x):
    convolutions = [m for m in model.modules() if isinstance(m, _ag_torch.nn.Conv2d)]
    ran = set()
    hooks = [m.register_forward_hook(lambda module, inputs, output: ran.add(id(module))) for m in convolutions]
    try:
        model.eval()
        with _ag_torch.no_grad():
            model(x)
    finally:
        for hook in hooks:
            hook.remove()
    return len(convolutions), len(ran)
"""


def images(n, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, size=(n, 1, 28, 28)).astype(np.float32)


@pytest.mark.points(1)
def test_cnn_output_shape(sub):
    """CNN() maps images (B, 1, 28, 28) to logits (B, 10), a batch of one included"""
    model = sub.call("CNN")
    model.eval()
    for batch in (5, 1):
        logits(model(sub.tensor(images(batch))), batch, 10, f"CNN()(images of shape ({batch}, 1, 28, 28))")


@pytest.mark.points(1)
def test_cnn_has_two_conv_layers(sub):
    """CNN() has at least two nn.Conv2d layers, and its forward pass uses them"""
    sub.exec("import torch as _ag_torch\n" + COUNT_CONVOLUTIONS)
    defined, used = sub.call("_ag_count_convolutions", sub.call("CNN"), sub.tensor(images(2)))
    assert defined >= 2, f"CNN() should have at least two nn.Conv2d layers, it has {defined}"
    assert used >= 2, f"CNN() has {defined} nn.Conv2d layers but its forward pass uses only {used} of them"


@pytest.mark.points(1)
def test_cnn_outputs_logits(sub):
    """CNN() returns raw scores (logits), not probabilities: nn.CrossEntropyLoss applies the softmax itself"""
    model = sub.call("CNN")
    model.eval()
    scores = logits(model(sub.tensor(images(64, seed=2))), 64, 10, "CNN()(images of shape (64, 1, 28, 28))")
    not_probabilities(scores, "CNN()'s output")
