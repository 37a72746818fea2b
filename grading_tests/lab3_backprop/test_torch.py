"""Hidden checks of lab3's TorchTwoLayerNet and train_torch (grade cell test_torch, 5 points).

test_train_torch_matches_sgd trains a model that the check builds in the kernel (nn.Sequential of Linear,
Sigmoid, Linear, Sigmoid), so it judges train_torch alone: the returned losses must be those of plain
full-batch gradient descent on the MSE with learning rate lr, each measured in its epoch's forward pass,
computed here in float64 from the model's initial weights (rtol 1e-4; the reference differs by about 2e-7,
float32; without zero_grad the losses are off by 1e-1 to 1, recording after the step by 6e-2 to 4e-1).

Threshold of test_train_torch_loss_falls, from the reference solution: torch.manual_seed(s),
TorchTwoLayerNet(2, 4), train_torch(model, X, y, 200, 2.0) on PROBLEM(s) (16 points, label: x1 + x2 > 0),
ratio = mean(last 20 losses) / first loss, over the seeds s = 0..29: min 0.009, median 0.053, max 0.142
(the seeds checked here, 0, 1, 2: 0.035, 0.060, 0.009). The check requires ratio < 0.5 for each checked seed.
Without zero_grad the loss falls too (median 0.000, max 0.792 over the 30 seeds; 0.219, 0.000, 0.000 on the
checked seeds): that bug is judged by test_train_torch_matches_sgd alone.
"""

import numpy as np
import pytest

from autograder.checks.expect import close, losses_of, numeric_array

pytestmark = pytest.mark.grade_cell("test_torch")


def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


def parameter_arrays(sub, name):
    values = sub.eval(f"[p.detach() for p in {name}.parameters()]")
    return [numeric_array(value, f"a parameter of {name}").astype(np.float64) for value in values]


def by_shape(arrays, shapes, what):
    """The arrays in the order of `shapes` (which are distinct), whatever order the model registered them in."""
    found = {tuple(a.shape): a for a in arrays}
    got = sorted(tuple(a.shape) for a in arrays)
    assert len(arrays) == len(shapes) and sorted(shapes) == got, (
        f"{what} should have the parameters of two nn.Linear layers, shapes {sorted(shapes)}, got {got}"
    )
    return [found[shape] for shape in shapes]


def problem(seed, n=16):
    rng = np.random.default_rng(2000 + seed)
    X = rng.normal(size=(n, 2))
    return X.astype(np.float32), (X[:, :1] + X[:, 1:] > 0).astype(np.float32)


@pytest.mark.points(1)
def test_torch_two_layer_net_forward(sub, lab_data):
    """TorchTwoLayerNet(n_inputs, n_hidden) computes sigmoid(sigmoid(x W1^T + b1) W2^T + b2)"""
    sub.exec("_ag_model = TorchTwoLayerNet(3, 5)")
    assert sub.eval("isinstance(_ag_model, __import__('torch').nn.Module)") is True, (
        "TorchTwoLayerNet should be an nn.Module"
    )
    W1, b1, W2, b2 = by_shape(
        parameter_arrays(sub, "_ag_model"), [(5, 3), (5,), (1, 5), (1,)], "TorchTwoLayerNet(3, 5)"
    )
    X = lab_data.rng(100).normal(0, 2, size=(6, 3)).astype(np.float32)
    expected = sigmoid(sigmoid(X @ W1.T + b1) @ W2.T + b2)
    got = sub.get("_ag_model")(sub.tensor(X))
    close(
        got,
        expected,
        "TorchTwoLayerNet(3, 5) on a batch of shape (6, 3) (a sigmoid after both Linear layers)",
        rtol=1e-5,
        atol=1e-6,
    )


@pytest.mark.points(2)
def test_train_torch_matches_sgd(sub, lab_data):
    """train_torch does full-batch SGD on the MSE (zero_grad, backward, step) and returns each epoch's loss"""
    for seed in (0, 1):
        sub.exec(
            "import torch as _ag_torch\n"
            f"_ag_torch.manual_seed({seed})\n"
            "_ag_model = _ag_torch.nn.Sequential(_ag_torch.nn.Linear(2, 3), _ag_torch.nn.Sigmoid(), "
            "_ag_torch.nn.Linear(3, 1), _ag_torch.nn.Sigmoid())\n"
        )
        W1, b1, W2, b2 = parameter_arrays(sub, "_ag_model")
        rng = lab_data.rng(300 + seed)
        X, y = rng.normal(size=(10, 2)).astype(np.float32), rng.uniform(size=(10, 1)).astype(np.float32)
        epochs, lr = 15, 2.0
        call = f"train_torch(model, X, y, {epochs}, {lr})"
        losses = losses_of(
            sub.call("train_torch", sub.ref("_ag_model"), sub.tensor(X), sub.tensor(y), epochs, lr), epochs, call
        )
        Xd, yd, expected = X.astype(np.float64), y.astype(np.float64), []
        for _ in range(epochs):
            A1 = sigmoid(Xd @ W1.T + b1)
            Y_hat = sigmoid(A1 @ W2.T + b2)
            expected.append(np.mean((Y_hat - yd) ** 2))
            dZ2 = 2.0 * (Y_hat - yd) / len(yd) * Y_hat * (1 - Y_hat)
            dZ1 = (dZ2 @ W2) * A1 * (1 - A1)
            W1, b1, W2, b2 = W1 - lr * dZ1.T @ Xd, b1 - lr * dZ1.sum(0), W2 - lr * dZ2.T @ A1, b2 - lr * dZ2.sum(0)
        expected = np.array(expected)
        if not np.allclose(losses, expected, rtol=1e-4, atol=1e-7):
            bad = int(np.argmax(~np.isclose(losses, expected, rtol=1e-4, atol=1e-7)))
            hint = ""
            if np.allclose(losses[:-1], expected[1:], rtol=1e-4, atol=1e-7):
                hint = " (it looks like the loss after each step: record the loss of the epoch's forward pass)"
            elif bad >= 1 and np.isclose(losses[0], expected[0], rtol=1e-4):
                hint = " (the first epoch is right, later ones drift: are the gradients cleared with zero_grad every epoch?)"
            raise AssertionError(
                f"{call} should return the loss of each epoch of full-batch SGD with nn.MSELoss and learning rate {lr}, "
                f"measured before that epoch's step: entry {bad} should be {expected[bad]:.6f}, got {losses[bad]:.6f}{hint}"
            )


@pytest.mark.points(2)
@pytest.mark.time_limit(15)  # the reference takes 0.12 s
def test_train_torch_loss_falls(sub):
    """train_torch makes the loss of a TorchTwoLayerNet fall well below its first value"""
    for seed in (0, 1, 2):
        sub.exec(f"import torch as _ag_torch\n_ag_torch.manual_seed({seed})\n_ag_model = TorchTwoLayerNet(2, 4)")
        X, y = problem(seed)
        call = f"train_torch(TorchTwoLayerNet(2, 4), X, y, 200, 2.0) (torch seed {seed})"
        losses = losses_of(
            sub.call("train_torch", sub.ref("_ag_model"), sub.tensor(X), sub.tensor(y), 200, 2.0), 200, call
        )
        ratio = np.mean(losses[-20:]) / losses[0]
        assert ratio < 0.5, (
            f"{call} on 16 points of a two-class problem should make the loss fall well below its first value: "
            f"first {losses[0]:.4f}, mean of the last 20 {np.mean(losses[-20:]):.4f} (should be < half the first)"
        )
