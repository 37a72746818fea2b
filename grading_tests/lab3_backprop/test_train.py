"""Hidden checks of lab3's TrainableNetwork.train (grade cell test_train, 5 points).

test_train_records_loss_after_each_update runs the student's train on a subclass whose backward and update
are the reference ones (defined in the kernel by the check), so it judges train alone: entry i must be the
loss after update i, on the full batch, with the given learning rate (compared with the same descent computed
here, rtol 1e-8). test_train_loss_falls runs the student's own TrainableNetwork end to end.

Threshold of test_train_loss_falls, from the reference solution: TrainableNetwork(2, 4, seed=s) trained with
train(X, y, 200, 1.0) on PROBLEM(s) (16 points, label: x1 + x2 > 0), ratio = mean(last 20 losses) / first
loss, over the seeds s = 0..49: min 0.014, median 0.082, max 0.310 (the seeds checked here, 0, 1, 2: 0.052,
0.138, 0.103). The check requires ratio < 0.5 for each checked seed. Buggy variants over the same 50 seeds: a
gradient without 1/n, max 0.128, and sigma' taken at the outputs, max 0.266, both pass (their own checks are
in test_backward); update with + instead of -, min 1.327, fails.
"""

import numpy as np
import pytest

from autograder.checks.expect import losses_of, numeric_array
from autograder.checks.pictures import curve_png

pytestmark = pytest.mark.grade_cell("test_train")

NAMES = ("W1", "b1", "W2", "b2")

REFERENCE_METHODS = """
import numpy as _ag_np


def _ag_sigmoid(z):
    return 0.5 * (1 + _ag_np.tanh(z / 2))


def _ag_backward(self, X, y):
    X = _ag_np.asarray(X, dtype=float)
    y = _ag_np.asarray(y, dtype=float).reshape(-1, 1)
    A1 = _ag_sigmoid(X @ self.W1 + self.b1)
    Y_hat = _ag_sigmoid(A1 @ self.W2 + self.b2)
    dZ2 = 2.0 * (Y_hat - y) / X.shape[0] * Y_hat * (1 - Y_hat)
    dZ1 = (dZ2 @ self.W2.T) * A1 * (1 - A1)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def _ag_update(self, grads, learning_rate):
    for name in ("W1", "b1", "W2", "b2"):
        setattr(self, name, getattr(self, name) - learning_rate * grads[name])


_ag_Reference = type("_ag_Reference", (TrainableNetwork,), {"backward": _ag_backward, "update": _ag_update})
"""


def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


def forward(params, X):
    return sigmoid(sigmoid(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"])


def descent(params, X, y, epochs, learning_rate):
    """(losses before each update, losses after each update, final parameters) of full-batch descent."""
    params = {name: value.copy() for name, value in params.items()}
    before, after = [], []
    for _ in range(epochs):
        A1 = sigmoid(X @ params["W1"] + params["b1"])
        Y_hat = sigmoid(A1 @ params["W2"] + params["b2"])
        before.append(np.mean((Y_hat - y) ** 2))
        dZ2 = 2.0 * (Y_hat - y) / X.shape[0] * Y_hat * (1 - Y_hat)
        dZ1 = (dZ2 @ params["W2"].T) * A1 * (1 - A1)
        grads = {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}
        params = {name: params[name] - learning_rate * grads[name] for name in NAMES}
        after.append(np.mean((forward(params, X) - y) ** 2))
    return np.array(before), np.array(after), params


def problem(seed, n=16):
    rng = np.random.default_rng(1000 + seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, :1] + X[:, 1:] > 0).astype(float)


@pytest.mark.points(1)
def test_train_returns_one_loss_per_epoch(sub):
    """train(X, y, epochs, learning_rate) returns a list of epochs losses"""
    X, y = problem(5, n=8)
    for epochs in (7, 1):
        net = sub.call("TrainableNetwork", 2, 3, seed=epochs)
        losses_of(net.train(X, y, epochs, 0.5), epochs, f"train(X, y, {epochs}, 0.5)")


@pytest.mark.points(2)
def test_train_records_loss_after_each_update(sub, lab_data):
    """train does full-batch gradient descent and entry i is the loss after update i"""
    sub.exec(
        REFERENCE_METHODS + "\n_ag_net = _ag_Reference(3, 4, seed=20)\n"
        "_ag_net.b1 = _ag_np.random.default_rng(20).normal(0, 0.5, size=4)\n"
    )
    params = sub.eval("{name: getattr(_ag_net, name) for name in ('W1', 'b1', 'W2', 'b2')}")
    params = {
        name: numeric_array(value, f"TrainableNetwork.{name}").astype(np.float64) for name, value in params.items()
    }
    rng = lab_data.rng(21)
    X, y = rng.normal(size=(12, 3)), rng.uniform(size=(12, 1))
    epochs, learning_rate = 25, 1.5
    call = f"train(X, y, {epochs}, {learning_rate})"
    losses = losses_of(sub.get("_ag_net").train(X, y, epochs, learning_rate), epochs, call)
    before, after, final = descent(params, X, y, epochs, learning_rate)
    if not np.allclose(losses, after, rtol=1e-8, atol=1e-12):
        if np.allclose(losses, before, rtol=1e-8, atol=1e-12):
            raise AssertionError(
                f"{call} returned the loss measured before each update; entry i should be the loss after update i "
                f"(expected {np.round(after[:3], 6).tolist()} ..., got {np.round(losses[:3], 6).tolist()} ...)"
            )
        bad = int(np.argmax(~np.isclose(losses, after, rtol=1e-8, atol=1e-12)))
        raise AssertionError(
            f"{call} should record the loss after each full-batch update with learning rate {learning_rate}: "
            f"entry {bad} should be {after[bad]:.8f}, got {losses[bad]:.8f}"
        )
    got = sub.eval("{name: getattr(_ag_net, name) for name in ('W1', 'b1', 'W2', 'b2')}")
    for name in NAMES:
        value = numeric_array(got[name], f"TrainableNetwork.{name}")
        assert np.allclose(value, final[name], rtol=1e-8, atol=1e-12), (
            f"after {call} the network's {name} should be the result of {epochs} gradient-descent updates"
        )


@pytest.mark.points(2)
@pytest.mark.time_limit(15)  # the reference takes 0.07 s
def test_train_loss_falls(sub, picture):
    """training the network makes the loss fall well below its first value"""
    runs = {}
    for seed in (0, 1, 2):
        X, y = problem(seed)
        net = sub.call("TrainableNetwork", 2, 4, seed=seed)
        call = f"TrainableNetwork(2, 4, seed={seed}).train(X, y, 200, 1.0)"
        runs[seed] = call, losses_of(net.train(X, y, 200, 1.0), 200, call)
    picture(
        "Your network's loss while it trained",
        curve_png({f"seed {seed}": losses for seed, (_, losses) in runs.items()}, "epoch", "MSE loss"),
        "train(X, y, 200, 1.0) of TrainableNetwork(2, 4, seed) on 16 points of a two-class problem, one line per "
        "seed: the loss after each epoch; it should fall well below its first value",
    )
    for call, losses in runs.values():
        ratio = np.mean(losses[-20:]) / losses[0]
        assert ratio < 0.5, (
            f"{call} on 16 points of a two-class problem should make the loss fall well below its first value: "
            f"first {losses[0]:.4f}, mean of the last 20 {np.mean(losses[-20:]):.4f} (should be < half the first)"
        )
