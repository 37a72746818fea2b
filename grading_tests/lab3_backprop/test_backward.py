"""Hidden checks of lab3's TrainableNetwork.backward (grade cell test_backward, 5 points).

The network is the student's TrainableNetwork, built in the kernel with random non-zero biases; its weights
are read back as data, and the expected gradients of the mean squared error are computed here, in float64:
by central differences (h = 1e-6) and by torch.autograd. The relative error
|g - g_ref| / (|g| + |g_ref|) of each parameter must be < 1e-6 (the reference solution: about 1e-10 against
the numerical gradient, 1e-16 against autograd). Each check has a batch of n = 1 and batches of n > 1, so
a gradient without the mean's 1/n fails; so does sigma' taken at an output instead of a pre-activation.
"""

import numpy as np
import pytest

from autograder.checks.expect import numeric_array

pytestmark = pytest.mark.grade_cell("test_backward")

NAMES = ("W1", "b1", "W2", "b2")


def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


def mse(params, X, y):
    hidden = sigmoid(X @ params["W1"] + params["b1"])
    return float(np.mean((sigmoid(hidden @ params["W2"] + params["b2"]) - y) ** 2))


def build(sub, n_inputs, n_hidden, seed):
    """The student's TrainableNetwork with non-zero biases, and its parameters as float64 arrays."""
    sub.exec(
        f"import numpy as _ag_np\n"
        f"_ag_net = TrainableNetwork({n_inputs}, {n_hidden}, seed={seed})\n"
        f"_ag_rng = _ag_np.random.default_rng({seed})\n"
        f"_ag_net.b1 = _ag_rng.normal(0, 0.5, size={n_hidden})\n"
        f"_ag_net.b2 = _ag_rng.normal(0, 0.5, size=1)\n"
    )
    params = sub.eval("{name: getattr(_ag_net, name) for name in ('W1', 'b1', 'W2', 'b2')}")
    params = {
        name: numeric_array(value, f"TrainableNetwork.{name}").astype(np.float64) for name, value in params.items()
    }
    return sub.get("_ag_net"), params


def data(lab_data, n_inputs, n, seed):
    rng = lab_data.rng(1000 + seed)
    return rng.normal(size=(n, n_inputs)), rng.uniform(size=(n, 1))


def gradients(net, params, X, y):
    grads = net.backward(X, y)
    assert isinstance(grads, dict), f"backward(X, y) should return a dict, got a {type(grads).__name__}"
    assert set(grads) == set(NAMES), (
        f'backward(X, y) should return the keys "W1", "b1", "W2", "b2", got {sorted(grads)}'
    )
    result = {}
    for name in NAMES:
        value = numeric_array(grads[name], f'backward(X, y)["{name}"]')
        assert value.shape == params[name].shape, (
            f'backward(X, y)["{name}"] should have the shape of {name}, {params[name].shape}, got {value.shape}'
        )
        result[name] = value.astype(np.float64)
    return result


def compare(got, expected, what, case):
    for name in NAMES:
        norm_got, norm_expected = np.linalg.norm(got[name]), np.linalg.norm(expected[name])
        error = np.linalg.norm(got[name] - expected[name]) / max(norm_got + norm_expected, 1e-300)
        if not error < 1e-6:
            ratio = f"; its norm is {norm_got / norm_expected:.3g} times the expected norm" if norm_expected > 0 else ""
            raise AssertionError(
                f'backward(X, y)["{name}"] differs from {what} of the mean squared error for {case}: relative error '
                f"{error:.1e}, should be < 1e-6{ratio}"
            )


def numerical(params, X, y, h=1e-6):
    result = {}
    for name in NAMES:
        grad = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            shifted = {key: value.copy() for key, value in params.items()}
            shifted[name][index] += h
            plus = mse(shifted, X, y)
            shifted[name][index] -= 2 * h
            grad[index] = (plus - mse(shifted, X, y)) / (2 * h)
        result[name] = grad
    return result


def autograd(params, X, y):
    import torch  # the grader's own torch, imported only when this check runs

    tensors = {name: torch.tensor(value, dtype=torch.float64, requires_grad=True) for name, value in params.items()}
    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    hidden = torch.sigmoid(Xt @ tensors["W1"] + tensors["b1"])
    loss = torch.mean((torch.sigmoid(hidden @ tensors["W2"] + tensors["b2"]) - yt) ** 2)
    loss.backward()
    return {name: tensor.grad.numpy().copy() for name, tensor in tensors.items()}


@pytest.mark.points(1)
def test_backward_gradient_shapes(sub, lab_data):
    """backward returns the keys W1, b1, W2, b2 with the shapes of the parameters"""
    for n_inputs, n_hidden, n, seed in [(3, 4, 6, 60), (2, 1, 1, 61), (5, 2, 3, 62)]:
        net, params = build(sub, n_inputs, n_hidden, seed)
        gradients(net, params, *data(lab_data, n_inputs, n, seed))


@pytest.mark.points(2)
def test_backward_matches_numerical_gradient(sub, lab_data):
    """backward agrees with central differences of the loss (relative error < 1e-6)"""
    for n_inputs, n_hidden, n, seed in [(3, 4, 6, 70), (2, 1, 1, 71), (1, 3, 5, 72)]:
        net, params = build(sub, n_inputs, n_hidden, seed)
        X, y = data(lab_data, n_inputs, n, seed)
        case = f"a network with {n_inputs} inputs and {n_hidden} hidden units on a batch of {n}"
        compare(gradients(net, params, X, y), numerical(params, X, y), "the numerical gradient", case)


@pytest.mark.points(2)
@pytest.mark.time_limit(20)  # the first use imports torch in the grader's process: 1.5 s, more on a busy machine
def test_backward_matches_autograd(sub, lab_data):
    """backward agrees with torch.autograd on the same weights (relative error < 1e-6)"""
    for n_inputs, n_hidden, n, seed in [(4, 3, 7, 80), (2, 5, 1, 81), (3, 2, 9, 82)]:
        net, params = build(sub, n_inputs, n_hidden, seed)
        X, y = data(lab_data, n_inputs, n, seed)
        case = f"a network with {n_inputs} inputs and {n_hidden} hidden units on a batch of {n}"
        compare(gradients(net, params, X, y), autograd(params, X, y), "torch.autograd's gradient", case)
