"""Hidden checks of lab4's evaluate (grade cell test_evaluate, 3 points).

test_evaluate_matches_trusted_accuracy scores a linear classifier fitted here by ridge regression on the
training split, on the last EVALUATED images of that split (the held-out labels never go to the kernel), through
a loader whose last batch is smaller than the others, and compares with the accuracy of the same logits
computed by the check (within one image).
"""

import numpy as np
import pytest

from autograder.checks.expect import number

pytestmark = pytest.mark.grade_cell("test_evaluate")

BATCH_SIZE, EVALUATED = 300, 2000  # six batches of 300 and one of 200


def ridge_classifier(images, labels, penalty=10.0):
    """Weights (10, 784) and biases (10,) of least squares on one-hot targets, a fair classifier in one solve."""
    X = np.hstack([images.reshape(len(images), -1) / 255.0, np.ones((len(images), 1))])
    targets = np.eye(10)[labels]
    solution = np.linalg.solve(X.T @ X + penalty * np.eye(X.shape[1]), X.T @ targets)
    return solution[:-1].T.astype(np.float32), solution[-1].astype(np.float32)


@pytest.mark.points(2)
def test_evaluate_matches_trusted_accuracy(sub, kernel_data):
    """evaluate(model, loader, device) returns the fraction of the loader's images that the model classifies right"""
    W, b = ridge_classifier(kernel_data.train_images, kernel_data.train_labels)
    sub.call("_ag_store", "_ag_weights", [sub.tensor(W), sub.tensor(b)])
    sub.exec(
        "_ag_model = _ag_linear_model(0)\n"
        "with _ag_torch.no_grad():\n"
        "    _ag_model[1].weight.copy_(_ag_weights[0])\n"
        "    _ag_model[1].bias.copy_(_ag_weights[1])\n"
        f"_ag_evaluated_x = _ag_train_x[-{EVALUATED}:]\n"
        f"_ag_batches = _ag_loader(_ag_evaluated_x, _ag_train_y[-{EVALUATED}:], {BATCH_SIZE})\n"
    )
    labels = kernel_data.train_labels[-EVALUATED:]
    expected = float(
        np.mean(
            np.argmax(sub.call("_ag_logits", sub.ref("_ag_model"), sub.ref("_ag_evaluated_x"), "cpu"), axis=1) == labels
        )
    )
    call = f"evaluate(model, loader of {len(labels)} images in batches of {BATCH_SIZE}, 'cpu')"
    got = number(sub.call("evaluate", sub.ref("_ag_model"), sub.ref("_ag_batches"), "cpu"), call)
    if abs(got - expected) > 1.01 / len(labels):
        batches = -(-len(labels) // BATCH_SIZE)
        hint = ""
        if abs(got - expected * len(labels) / batches) < 1:
            hint = " (that is the number right divided by the number of batches: divide by the number of images)"
        elif abs(got - 100 * expected) < 0.1:
            hint = " (that is a percentage: return a fraction in [0, 1])"
        raise AssertionError(f"{call} should return the accuracy {expected:.4f}, got {got:.4f}{hint}")


@pytest.mark.points(1)
def test_evaluate_uses_eval_mode_without_gradients(sub, kernel_data):
    """evaluate runs the model in evaluation mode (model.eval()) and without gradients (torch.no_grad())"""
    sub.exec(
        "_ag_model = _ag_ModeRecorder().train()\n_ag_batches = _ag_loader(_ag_train_x[:100], _ag_torch.zeros(100), 50)\n"
    )
    sub.call("evaluate", sub.ref("_ag_model"), sub.ref("_ag_batches"), "cpu")
    modes = sub.eval("_ag_model.modes")
    assert len(modes) == 2, (
        f"evaluate on a loader of 2 batches should run the model twice, it ran it {len(modes)} times"
    )
    assert not any(training for training, _ in modes), (
        "evaluate ran the model in training mode: call model.eval() first, or dropout drops units at random and "
        "the accuracy changes from one call to the next"
    )
    assert not any(grad for _, grad in modes), (
        "evaluate ran the model with gradients enabled: wrap the loop in `with torch.no_grad():` (no graph is "
        "needed to measure accuracy, and building one costs memory and time)"
    )
