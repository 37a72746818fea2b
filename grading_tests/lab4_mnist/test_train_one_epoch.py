"""Hidden checks of lab4's train_one_epoch (grade cell test_train_one_epoch, 4 points).

The checks train a model of their own (Flatten, Linear(784, 10)), so they judge train_one_epoch alone.
test_train_one_epoch_matches_sgd compares with plain SGD on the cross-entropy computed here in float64 from
the model's initial weights: the returned mean loss (rtol 1e-4) and the final weights (rtol 1e-4, atol 1e-6);
the reference differs by about 1e-7 (float32).

Threshold of test_loss_falls_within_one_epoch, from the reference train_one_epoch: one epoch of Adam (lr 1e-3)
on the check's linear model (torch seed s + 1) over the training split (batch 64, shuffle seed s), ratio = mean
of the last 20 batch losses / mean of the first 5, seeds s = 0..19, offline MNIST: min 0.313, median 0.327,
max 0.343 (the check's seed, s = 0: 0.327). The check requires ratio < 0.5.
"""

import numpy as np
import pytest

from autograder.checks.expect import number, numeric_array

pytestmark = pytest.mark.grade_cell("test_train_one_epoch")

BATCHES, BATCH_SIZE, LEARNING_RATE = 4, 16, 0.1


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def cross_entropy(scores, labels):
    """Mean cross-entropy of scores (n, 10) against labels (n,), and its gradient with respect to the scores."""
    log_p = log_softmax(scores)
    loss = -np.mean(log_p[np.arange(len(labels)), labels])
    grad = np.exp(log_p)
    grad[np.arange(len(labels)), labels] -= 1
    return loss, grad / len(labels)


def sgd_epoch(W, b, X, y, zero_grad=True, softmax_first=False):
    """(batch losses, W, b) after one epoch of SGD on Flatten -> Linear; X (n, 784) float64, W (10, 784)."""
    losses, gW, gb = [], np.zeros_like(W), np.zeros_like(b)
    for i in range(BATCHES):
        x, t = X[i * BATCH_SIZE : (i + 1) * BATCH_SIZE], y[i * BATCH_SIZE : (i + 1) * BATCH_SIZE]
        scores = x @ W.T + b
        if softmax_first:
            losses.append(cross_entropy(np.exp(log_softmax(scores)), t)[0])
            continue
        loss, d_scores = cross_entropy(scores, t)
        losses.append(loss)
        if zero_grad:
            gW, gb = np.zeros_like(W), np.zeros_like(b)
        gW, gb = gW + d_scores.T @ x, gb + d_scores.sum(axis=0)
        W, b = W - LEARNING_RATE * gW, b - LEARNING_RATE * gb
    return np.array(losses), W, b


@pytest.mark.points(2)
def test_train_one_epoch_matches_sgd(sub, kernel_data):
    """train_one_epoch takes one optimizer step per batch (zero_grad, forward, loss, backward, step) and returns
    the mean of the batch losses"""
    n = BATCHES * BATCH_SIZE
    sub.exec(
        "_ag_model = _ag_linear_model(0)\n"
        f"_ag_optimizer = _ag_torch.optim.SGD(_ag_model.parameters(), lr={LEARNING_RATE})\n"
        f"_ag_batches = _ag_loader(_ag_train_x[:{n}], _ag_train_y[:{n}], {BATCH_SIZE})\n"
    )
    W, b = (
        numeric_array(value, "the check's model").astype(np.float64)
        for value in sub.eval("[_ag_model[1].weight.detach(), _ag_model[1].bias.detach()]")
    )
    X = kernel_data.train_images[:n].reshape(n, 784).astype(np.float64) / 255
    y = kernel_data.train_labels[:n]
    call = f"train_one_epoch(model, loader of {BATCHES} batches of {BATCH_SIZE}, SGD(lr={LEARNING_RATE}), nn.CrossEntropyLoss(), 'cpu')"
    got = number(
        sub.call(
            "train_one_epoch",
            sub.ref("_ag_model"),
            sub.ref("_ag_batches"),
            sub.ref("_ag_optimizer"),
            sub.eval("_ag_torch.nn.CrossEntropyLoss()"),
            "cpu",
        ),
        call,
    )
    losses, W_after, b_after = sgd_epoch(W, b, X, y)
    if not np.isclose(got, losses.mean(), rtol=1e-4):
        hints = {
            "the loss of the last batch": losses[-1],
            "the sum of the batch losses": losses.sum(),
            "the losses of a softmax applied before nn.CrossEntropyLoss": sgd_epoch(W, b, X, y, softmax_first=True)[
                0
            ].mean(),
        }
        hint = next(
            (
                f" (that is {what}: return the mean of the batch losses)"
                if "softmax" not in what
                else f" (that is {what}: the loss function takes the model's raw scores)"
                for what, value in hints.items()
                if np.isclose(got, value, rtol=1e-4)
            ),
            "",
        )
        raise AssertionError(
            f"{call} should return the mean of the {BATCHES} batch losses, {losses.mean():.6f}, got {got:.6f}{hint}"
        )
    W_got, b_got = (
        numeric_array(value, "the model's weights after train_one_epoch").astype(np.float64)
        for value in sub.eval("[_ag_model[1].weight.detach(), _ag_model[1].bias.detach()]")
    )
    if not (np.allclose(W_got, W_after, rtol=1e-4, atol=1e-6) and np.allclose(b_got, b_after, rtol=1e-4, atol=1e-6)):
        _, W_acc, b_acc = sgd_epoch(W, b, X, y, zero_grad=False)
        hint = ""
        if np.allclose(W_got, W_acc, rtol=1e-4, atol=1e-6):
            hint = (
                " (they match gradients that pile up from batch to batch: call optimizer.zero_grad() for every batch)"
            )
        elif np.allclose(W_got, W, rtol=1e-6, atol=1e-9):
            hint = " (they did not change: call loss.backward() and optimizer.step() for every batch)"
        raise AssertionError(f"after {call} the weights should be those of {BATCHES} SGD steps, one per batch{hint}")


@pytest.mark.points(1)
def test_train_one_epoch_sets_training_mode(sub, kernel_data):
    """train_one_epoch puts the model in training mode (model.train()), whatever mode it was in"""
    sub.exec(
        "_ag_model = _ag_ModeRecorder().eval()\n"
        "_ag_optimizer = _ag_torch.optim.SGD(_ag_model.parameters(), lr=0.01)\n"
        "_ag_batches = _ag_loader(_ag_train_x[:64], _ag_train_y[:64], 32)\n"
    )
    sub.call(
        "train_one_epoch",
        sub.ref("_ag_model"),
        sub.ref("_ag_batches"),
        sub.ref("_ag_optimizer"),
        sub.eval("_ag_torch.nn.CrossEntropyLoss()"),
        "cpu",
    )
    modes = sub.eval("_ag_model.modes")
    assert len(modes) == 2, (
        f"train_one_epoch on a loader of 2 batches should run the model twice, it ran it {len(modes)} times"
    )
    assert all(training for training, _ in modes), (
        "train_one_epoch ran the model in evaluation mode (it was left there by evaluate): call model.train() "
        "first, so that dropout and batch normalisation behave as in training"
    )


@pytest.mark.points(1)
@pytest.mark.time_limit(60)  # the reference takes about 1 s
def test_loss_falls_within_one_epoch(sub, kernel_data):
    """over one epoch of train_one_epoch with Adam, the batch losses fall well below the first ones"""
    sub.exec(
        "_ag_model = _ag_linear_model(1)\n"
        "_ag_optimizer = _ag_torch.optim.Adam(_ag_model.parameters(), lr=1e-3)\n"
        "_ag_batches = _ag_loader(_ag_train_x, _ag_train_y, 64, shuffle=True, seed=0)\n"
        "_ag_loss = _ag_RecordingLoss()\n"
    )
    sub.call(
        "train_one_epoch",
        sub.ref("_ag_model"),
        sub.ref("_ag_batches"),
        sub.ref("_ag_optimizer"),
        sub.ref("_ag_loss"),
        "cpu",
    )
    losses = numeric_array(sub.eval("_ag_loss.losses"), "the batch losses")
    batches = -(-len(kernel_data.train_labels) // 64)
    assert len(losses) == batches, (
        f"one epoch over {len(kernel_data.train_labels)} images in batches of 64 should compute the loss {batches} times, got {len(losses)}"
    )
    first, last = losses[:5].mean(), losses[-20:].mean()
    assert last < 0.5 * first, (
        f"one epoch of Adam (lr 1e-3) over the training images should bring the batch loss well down: first 5 "
        f"batches {first:.3f}, last 20 {last:.3f} (should be under half the first)"
    )
