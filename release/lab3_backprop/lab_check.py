"""Run this lab's public checks from the notebook: a first check of your answers before you hand them in.

    from lab_check import check
    check("activations")    # the public checks of one exercise: the name of its answer cell (see below)
    check()                 # every public check of the lab

Each check prints one line: "passed", "FAILED" with the check's message, or "not attempted" when the code still
raises NotImplementedError (the message names the function). The checks are the notebook's public test cells as
they were released, run in this notebook's own kernel on what it has defined so far (run your answer cells
first). The autograder runs more checks when it grades, so passing these is a good sign, not a grade.

An exercise is named by its answer cell ("activations", "neuron", ...: `check("?")` lists them) or by one of its
public test cells, with or without the "test_" prefix ("test_neuron", "neuron"). The same checks run from a
terminal, in a fresh kernel that runs the whole notebook first: `autograder check LAB.ipynb`.

`autograder release` writes this file beside each lab's notebook, with the lab's public checks below (never the
hidden ones); it needs nothing but Python's standard library. In the autograder's own kit it is the template
(without checks) and the code that `autograder check` runs in the student's kernel.
"""

import contextlib
import io
import json
import os
import re
import sys
import traceback

# The lab's public checks, as JSON: {"lab": ..., "checks": [{"test", "exercise", "points", "source"}, ...]}.
PUBLIC_CHECKS_JSON = r'''
{
 "lab": "lab3_backprop",
 "checks": [
  {
   "test": "test_losses",
   "exercise": "losses",
   "points": 3.0,
   "source": "# Public tests for the loss functions (a first check; the autograder runs more).\ny_pred, y_true = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 1.0])\nassert np.isclose(mse_loss(y_pred, y_true), 0.07), f\"mse_loss of the worked example should be 0.07, got {mse_loss(y_pred, y_true)}\"\nassert np.isclose(binary_cross_entropy(y_pred, y_true), 0.2797765635793423), \\\n    f\"binary_cross_entropy of the worked example should be about 0.27978, got {binary_cross_entropy(y_pred, y_true)}\"\nassert np.isclose(mse_loss(y_pred.reshape(3, 1), y_true.reshape(3, 1)), 0.07), \"mse_loss should work on (n, 1) arrays\"\n\nextreme = binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0]))\nassert np.isfinite(extreme) and extreme > 1, f\"BCE of completely wrong predictions 0 and 1 should be large but finite, got {extreme}\"\nperfect = binary_cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0]))\nassert np.isfinite(perfect) and perfect < 1e-3, f\"BCE of perfect predictions 0 and 1 should be about 0, got {perfect}\"\n\nprint(\"All public loss tests passed.\")"
  },
  {
   "test": "test_sigmoid_derivative",
   "exercise": "sigmoid_derivative",
   "points": 2.0,
   "source": "# Public tests for sigmoid_derivative (a first check; the autograder runs more).\nassert np.isclose(sigmoid_derivative(0.0), 0.25), f\"sigmoid_derivative(0) should be 0.25, got {sigmoid_derivative(0.0)}\"\nassert np.isclose(sigmoid_derivative(2.0), 0.10499358540350662), \\\n    f\"sigmoid_derivative(2) should be about 0.104994 (the derivative at the pre-activation z = 2), got {sigmoid_derivative(2.0)}\"\nassert np.shape(sigmoid_derivative(np.zeros((2, 3)))) == (2, 3), \"sigmoid_derivative should keep the shape of its input\"\n\nprint(\"All public sigmoid_derivative tests passed.\")"
  },
  {
   "test": "test_numerical_gradient",
   "exercise": "numerical_gradient",
   "points": 4.0,
   "source": "# Public tests for numerical_gradient (a first check; the autograder runs more).\np = np.array([1.0, -2.0, 0.5])\nbefore = p.copy()\ng = numerical_gradient(lambda: np.sum(p ** 2), p)\nassert np.shape(g) == (3,), f\"the gradient should have the shape of param, (3,), got {np.shape(g)}\"\nassert np.allclose(g, 2 * p, atol=1e-6), f\"the gradient of sum(p**2) should be 2p = {2 * p}, got {g}\"\nassert np.array_equal(p, before), \"numerical_gradient should leave param exactly as it found it\"\n\nP = np.array([[1.0, 2.0], [-1.0, 0.5]])\nG = numerical_gradient(lambda: np.sum(P ** 3), P)\nassert np.shape(G) == (2, 2), f\"for a (2, 2) param the gradient should have shape (2, 2), got {np.shape(G)}\"\nassert np.allclose(G, 3 * P ** 2, atol=1e-8), \\\n    f\"the gradient of sum(P**3) should be 3P**2 (to 1e-8 with central differences), got {G}\"\n\nprint(\"All public numerical_gradient tests passed.\")"
  },
  {
   "test": "test_backward",
   "exercise": "trainable_network",
   "points": 5.0,
   "source": "# Public tests for TrainableNetwork.backward (a first check; the autograder runs more).\n# They compare with your numerical_gradient: make sure its tests above pass first.\nrng = np.random.default_rng(0)\nnet = TrainableNetwork(3, 4, seed=1)\nnet.b1, net.b2 = rng.normal(size=4), rng.normal(size=1)  # non-zero biases, so that every term matters\nX, y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 1))\ngrads = backward_grads = net.backward(X, y)\nassert isinstance(grads, dict) and set(grads) == {\"W1\", \"b1\", \"W2\", \"b2\"}, \\\n    \u0027backward should return a dict with the keys \"W1\", \"b1\", \"W2\", \"b2\"\u0027\nfor name in [\"W1\", \"b1\", \"W2\", \"b2\"]:\n    param = getattr(net, name)\n    assert np.shape(grads[name]) == param.shape, f\"grads[\u0027{name}\u0027] should have shape {param.shape}, got {np.shape(grads[name])}\"\n    estimate = numerical_gradient(lambda: mse_loss(net.feedforward(X), y), param)\n    error = np.linalg.norm(grads[name] - estimate) / max(np.linalg.norm(grads[name]) + np.linalg.norm(estimate), 1e-12)\n    assert error < 1e-6, f\"grads[\u0027{name}\u0027] differs from the numerical gradient (relative error {error:.1e}, should be < 1e-6)\"\n\nprint(\"All public backward tests passed.\")"
  },
  {
   "test": "test_update",
   "exercise": "trainable_network",
   "points": 1.0,
   "source": "# Public tests for TrainableNetwork.update (a first check; the autograder runs more).\nnet = TrainableNetwork(2, 3, seed=0)\nbefore = {name: getattr(net, name).copy() for name in [\"W1\", \"b1\", \"W2\", \"b2\"]}\ngrads = {name: np.ones_like(value) for name, value in before.items()}\nnet.update(grads, 0.1)\nfor name in before:\n    assert np.allclose(getattr(net, name), before[name] - 0.1), \\\n        f\"update(grads, 0.1) with all gradients 1 should decrease every entry of {name} by 0.1\"\n\nprint(\"All public update tests passed.\")"
  },
  {
   "test": "test_train",
   "exercise": "trainable_network",
   "points": 5.0,
   "source": "# Public tests for TrainableNetwork.train (a first check; the autograder runs more).\nrng = np.random.default_rng(1)\nX = rng.normal(size=(16, 2))\ny = (X[:, :1] + X[:, 1:] > 0).astype(float)  # (16, 1): is the point above the line x1 + x2 = 0?\nnet = TrainableNetwork(2, 4, seed=0)\nlosses = net.train(X, y, epochs=200, learning_rate=1.0)\nassert len(losses) == 200, f\"train(..., epochs=200, ...) should return 200 losses, got {len(losses)}\"\nassert np.isclose(losses[-1], mse_loss(net.feedforward(X), y)), \\\n    \"the last loss should be the loss of the trained network (measured after the last update)\"\nassert np.mean(losses[-20:]) < 0.5 * losses[0], \\\n    f\"the loss should fall well below its first value: first {losses[0]:.4f}, mean of the last 20 {np.mean(losses[-20:]):.4f}\"\n\nprint(\"All public train tests passed.\")"
  },
  {
   "test": "test_train_xor",
   "exercise": "train_xor",
   "points": 3.0,
   "source": "# Public tests for train_xor (a first check; the autograder tries more seeds).\nxor_net = train_xor(seed=0)\nassert isinstance(xor_net, TrainableNetwork), \"train_xor should return a TrainableNetwork\"\noutputs = xor_net.feedforward(XOR_X)\nassert np.array_equal((outputs >= 0.5).astype(float), XOR_Y), \\\n    f\"the trained network should output >= 0.5 exactly where XOR is 1; its outputs are {outputs.ravel().round(3)}\"\n\nprint(\"All public train_xor tests passed.\")"
  },
  {
   "test": "test_torch",
   "exercise": "torch_network",
   "points": 5.0,
   "source": "# Public tests for TorchTwoLayerNet and train_torch (a first check; the autograder runs more).\ntorch.manual_seed(0)\nmodel = TorchTwoLayerNet(2, 4)\nassert isinstance(model, nn.Module), \"TorchTwoLayerNet should be an nn.Module\"\nrng = np.random.default_rng(0)\nX_np = rng.normal(size=(40, 2))\nX_t = torch.tensor(X_np, dtype=torch.float32)\ny_t = torch.tensor(X_np[:, :1] - 0.5 * X_np[:, 1:] > 0, dtype=torch.float32)  # (40, 1)\nout = model(X_t)\nassert tuple(out.shape) == (40, 1), f\"the model should map (40, 2) to (40, 1), got {tuple(out.shape)}\"\nassert bool(((out > 0) & (out < 1)).all()), \"the outputs should lie between 0 and 1 (sigmoid output layer)\"\nassert sum(p.numel() for p in model.parameters()) == 2 * 4 + 4 + 4 * 1 + 1, \\\n    \"TorchTwoLayerNet(2, 4) should have 17 parameters: a Linear(2, 4) and a Linear(4, 1)\"\n\ntorch_losses = train_torch(model, X_t, y_t, epochs=200, lr=2.0)\nassert len(torch_losses) == 200, f\"train_torch(..., epochs=200, ...) should return 200 losses, got {len(torch_losses)}\"\nassert all(isinstance(value, float) for value in torch_losses), \"the losses should be Python floats (use loss.item())\"\nassert np.mean(torch_losses[-20:]) < 0.5 * torch_losses[0], \\\n    f\"the loss should fall well below its first value: first {torch_losses[0]:.4f}, mean of the last 20 {np.mean(torch_losses[-20:]):.4f}\"\n\nprint(\"All public PyTorch tests passed.\")"
  },
  {
   "test": "test_regression_net",
   "exercise": "regression_net",
   "points": 2.0,
   "source": "# Public tests for RegressionNet (a first check; the autograder runs more).\ntorch.manual_seed(0)\nreg = RegressionNet(3, 8, 6, 2)\nassert isinstance(reg, nn.Module), \"RegressionNet should be an nn.Module\"\nout = reg(torch.zeros(5, 3))\nassert tuple(out.shape) == (5, 2), f\"RegressionNet(3, 8, 6, 2) should map (5, 3) to (5, 2), got {tuple(out.shape)}\"\nlayer_types = [type(m).__name__ for m in reg.modules() if not list(m.children())]\nassert layer_types.count(\"Linear\") == 3 and \"LeakyReLU\" in layer_types, \\\n    f\"RegressionNet should have three Linear layers with LeakyReLU between them, found {layer_types}\"\n\nprint(\"All public RegressionNet tests passed.\")"
  }
 ]
}
'''  # written by `autograder release`

PASSED, FAILED, NOT_ATTEMPTED = "passed", "FAILED", "not attempted"
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED)
GRADING_VARIABLE = "COURSE_GRADING"  # set in the kernels the autograder grades in
# The file names IPython gives a cell's code: ipykernel's /tmp/ipykernel_<pid>/<hash>.py, IPython's <ipython-input-..>
CELL_FILE = re.compile(r"(?:^|[/\\])ipykernel_\d+[/\\]\d+\.py$|^<ipython-input-\d+-[0-9a-f]+>$")


def lab() -> str:
    """The lab these checks belong to ("" in the template)."""
    return json.loads(PUBLIC_CHECKS_JSON).get("lab", "")


def public_checks() -> list:
    """The lab's public checks, in the notebook's order."""
    return json.loads(PUBLIC_CHECKS_JSON).get("checks", [])


def exercises(checks) -> list:
    """The exercises' names, in the notebook's order."""
    names = []
    for one in checks:
        if one["exercise"] not in names:
            names.append(one["exercise"])
    return names


def short_name(test: str) -> str:
    return test[len("test_") :] if test.startswith("test_") else test


def select(name, checks) -> list:
    """The checks of exercise `name` (an answer cell's name, or a test cell's with or without "test_")."""
    key = str(name).strip()
    return [
        one for one in checks if key in (one["exercise"], one["test"]) or short_name(key) == short_name(one["test"])
    ]


def notebook_namespace() -> dict:
    """The namespace the notebook's cells run in: IPython's (a Jupyter kernel), else __main__'s."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return shell.user_ns if shell is not None else sys.modules["__main__"].__dict__


def run_check(one, namespace) -> dict:
    """Run public check `one` in `namespace`: {"test", "status", "message"}. What it prints is not shown."""
    filename = f"<public check {one['test']}>"
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(one["source"], filename, "exec"), namespace)
    except Exception as error:  # the student's error, or the check's assertion: a verdict, never a crash
        status, message = describe(error, filename)
        return {"test": one["test"], "status": status, "message": message}
    return {"test": one["test"], "status": PASSED, "message": ""}


def describe(error, filename: str) -> tuple:
    """(status, message) of a check that raised `error`, in the autograder's words."""
    frame = answer_frame(error, filename)
    where = function_name(frame) if frame is not None else ""
    text = str(error).strip()
    if isinstance(error, NotImplementedError):
        if text:
            return NOT_ATTEMPTED, f"NotImplementedError: {text}" + (f" (in {where})" if where else "")
        if where:
            return NOT_ATTEMPTED, f"{where} still raises NotImplementedError"
        return NOT_ATTEMPTED, "not done yet: the code still raises NotImplementedError"
    if isinstance(error, NameError) and frame is None:
        name = getattr(error, "name", None) or (text.split("'")[1] if text.count("'") >= 2 else text)
        return NOT_ATTEMPTED, f"`{name}` is not defined in the notebook"
    if isinstance(error, AssertionError) and frame is None:
        return FAILED, text or "wrong answer"
    message = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return FAILED, message + (f" (in {where})" if where else "")


def answer_frame(error, filename: str):
    """The innermost frame of the notebook's own code that `error` passed through below the check (None when the
    check itself, or a library it called, raised it): a notebook cell's frame, else one of a file outside Python's
    installation (the lab's helper files)."""
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    starts = [index for index, frame in enumerate(frames) if frame.f_code.co_filename == filename]
    below = [frame for frame in frames[starts[0] + 1 :] if frame.f_code.co_filename != filename] if starts else []
    cells = [frame for frame in below if CELL_FILE.search(frame.f_code.co_filename)]
    installed = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix})
    others = [frame for frame in below if not frame.f_code.co_filename.startswith((*installed, "<"))]
    return (cells or others or [None])[-1]


def function_name(frame) -> str:
    """The function `frame` runs, as Class.method where it is one."""
    code = frame.f_code
    name = getattr(code, "co_qualname", None)  # Python 3.11
    if name is None:
        owner = frame.f_locals.get("self")
        name = f"{type(owner).__name__}.{code.co_name}" if owner is not None else code.co_name
    return "" if name == "<module>" else name.replace(".<locals>", "")


def verdict_line(verdict) -> str:
    return f"{verdict['status']}  {verdict['test']}" + (f": {verdict['message']}" if verdict["message"] else "")


def summary(verdicts) -> str:
    """The last line: never "all passed", since the hidden checks run only when the autograder grades."""
    passed = sum(verdict["status"] == PASSED for verdict in verdicts)
    if passed == len(verdicts):
        return f"public checks passed ({passed}/{len(verdicts)}); the autograder runs more checks when it grades"
    not_attempted = sum(verdict["status"] == NOT_ATTEMPTED for verdict in verdicts)
    return f"{len(verdicts) - passed} of {len(verdicts)} public checks failed" + (
        f" ({not_attempted} not attempted)" if not_attempted else ""
    )


def report(verdicts) -> str:
    return "\n".join([verdict_line(verdict) for verdict in verdicts] + ["", summary(verdicts)])


def check(exercise=None) -> None:
    """Run the public checks of `exercise` (all of them when None) in this notebook's kernel and print a verdict
    per check."""
    checks = public_checks()
    if os.environ.get(GRADING_VARIABLE) == "1":
        print("check(): skipped while the autograder grades this notebook (it runs its own checks)")
        return
    if not checks:
        print("check(): this lab_check.py holds no public checks (`autograder release` writes them)")
        return
    chosen = checks if exercise is None else select(exercise, checks)
    if not chosen:
        print(
            f"check(): no exercise {str(exercise)!r} in {lab() or 'this lab'}: use one of "
            + ", ".join(repr(name) for name in exercises(checks))
            + ", or check() for all"
        )
        return
    namespace = notebook_namespace()
    print(report([run_check(one, namespace) for one in chosen]))


def verdict_json(test: str) -> str:
    """For `autograder check`: run the public check named `test` in the notebook's namespace; its verdict as JSON."""
    chosen = [one for one in public_checks() if one["test"] == test]
    if not chosen:
        return json.dumps({"test": test, "status": FAILED, "message": "no such public check"})
    return json.dumps(run_check(chosen[0], notebook_namespace()))
