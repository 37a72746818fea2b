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
 "lab": "lab2_ann",
 "checks": [
  {
   "test": "test_basic_network",
   "exercise": "basic_network",
   "points": 4.0,
   "source": "# Public tests for BasicNeuralNetwork (a first check; the autograder runs more).\nnetwork = BasicNeuralNetwork(np.array([0.0, 1.0]), 0.0, sigmoid)\nout = network.feedforward(np.array([2.0, 3.0]))\nassert np.size(out) == 1, f\"feedforward should return a single number, got {out!r}\"\nassert np.isclose(out, 0.7216, atol=1e-4), \\\n    f\"the worked example should give sigmoid(sigmoid(3)) \u2248 0.7216, got {out}\"\nassert not np.isclose(out, sigmoid(3.0)), \\\n    \"you got sigmoid(3) \u2248 0.9526: the output neuron should read [h1, h2], not the input x\"\n\n# With the identity activation f(z) = z: h1 = h2 = 1*1 + 2*1 + 0.5 = 3.5, o1 = 1*3.5 + 2*3.5 + 0.5 = 11\nidentity_network = BasicNeuralNetwork(np.array([1.0, 2.0]), 0.5, lambda z: z)\nout = identity_network.feedforward(np.array([1.0, 1.0]))\nassert np.isclose(out, 11.0), f\"with the identity activation, w = [1, 2], b = 0.5, x = [1, 1] the output should be 11, got {out}\"\n\nprint(\"All public BasicNeuralNetwork tests passed.\")"
  },
  {
   "test": "test_init",
   "exercise": "two_layer_network",
   "points": 6.0,
   "source": "# Public tests for TwoLayerNetwork\u0027s initial parameters (a first check; the autograder runs more).\nnet = TwoLayerNetwork(3, 5, seed=0)\nfor name, shape in [(\"W1\", (3, 5)), (\"b1\", (5,)), (\"W2\", (5, 1)), (\"b2\", (1,))]:\n    value = getattr(net, name)\n    assert isinstance(value, np.ndarray), f\"net.{name} should be a NumPy array, got {type(value).__name__}\"\n    assert value.shape == shape, f\"TwoLayerNetwork(3, 5).{name} should have shape {shape}, got {value.shape}\"\nassert np.all(np.abs(net.W1) < 1) and np.all(np.abs(net.W2) < 1), \"the initial weights should be small: |w| < 1\"\nassert np.ptp(net.W1) > 0, \"the entries of W1 should be random numbers, not all equal\"\nassert np.all(net.b1 == 0) and np.all(net.b2 == 0), \"the biases should start at zero\"\n\nagain = TwoLayerNetwork(3, 5, seed=0)\nassert np.array_equal(net.W1, again.W1) and np.array_equal(net.W2, again.W2), \\\n    \"the same seed should give the same weights (use np.random.default_rng(seed))\"\nother = TwoLayerNetwork(3, 5, seed=1)\nassert not np.array_equal(net.W1, other.W1), \"different seeds should give different weights\"\n\nprint(\"All public initialisation tests passed.\")"
  },
  {
   "test": "test_feedforward",
   "exercise": "two_layer_network",
   "points": 7.0,
   "source": "# Public tests for TwoLayerNetwork.feedforward (a first check; the autograder runs more).\n# A network with hand-set weights and the identity activation f(z) = z, so the outputs are easy to compute.\nnet = TwoLayerNetwork(2, 3, activation=lambda z: z, seed=0)\nnet.W1 = np.array([[1.0, 0.0, -1.0],\n                   [2.0, 1.0, 0.5]])\nnet.b1 = np.array([0.5, -1.0, 0.0])\nnet.W2 = np.array([[1.0], [-2.0], [3.0]])\nnet.b2 = np.array([0.25])\n\n# x = (1, 2): hidden = (1 + 4 + 0.5, 0 + 2 - 1, -1 + 1 + 0) = (5.5, 1, 0); output = 5.5 - 2 + 0 + 0.25 = 3.75\nout = net.feedforward(np.array([1.0, 2.0]))\nassert np.shape(out) == (1,), f\"one sample of shape (2,) should give an output of shape (1,), got {np.shape(out)}\"\nassert np.allclose(out, [3.75]), f\"feedforward([1, 2]) should be [3.75], got {out}\"\n\nX = np.array([[1.0, 2.0], [0.0, 0.0], [-1.0, 1.0]])\nout = net.feedforward(X)\nassert np.shape(out) == (3, 1), f\"a batch of shape (3, 2) should give an output of shape (3, 1), got {np.shape(out)}\"\nassert np.allclose(out, [[3.75], [2.75], [6.25]]), f\"the batch output should be [[3.75], [2.75], [6.25]], got {out.ravel()}\"\nassert np.shape(net.feedforward(X[:1])) == (1, 1), \"a batch of one sample, shape (1, 2), should give shape (1, 1)\"\n\n# The default activation (sigmoid) in both layers: outputs between 0 and 1; the batch agrees with one-by-one.\nnet = TwoLayerNetwork(4, 6, seed=1)\nX = np.random.default_rng(2).normal(size=(5, 4))\nbatch = net.feedforward(X)\none_by_one = np.array([net.feedforward(x) for x in X])\nassert np.all((batch > 0) & (batch < 1)), \"with the sigmoid in the output layer, every output should be between 0 and 1\"\nassert np.allclose(batch.ravel(), one_by_one.ravel()), \"the batch output should equal the outputs computed one sample at a time\"\n\nprint(\"All public feedforward tests passed.\")"
  },
  {
   "test": "test_vectorised",
   "exercise": "two_layer_network",
   "points": 2.0,
   "source": "# Public test: a batch of 100,000 samples should take well under a second when feedforward is vectorised.\n# (A Python loop over the samples takes seconds.)\nnet = TwoLayerNetwork(2, 4, seed=0)\nX_large = np.random.default_rng(3).normal(size=(100_000, 2))\nnet.feedforward(X_large[:10])  # warm-up\nstart = time.perf_counter()\nY_large = net.feedforward(X_large)\nelapsed = time.perf_counter() - start\nassert np.size(Y_large) == 100_000, f\"feedforward on 100,000 samples should return 100,000 outputs, got {np.size(Y_large)}\"\nassert elapsed < 0.3, f\"feedforward took {elapsed:.2f} s for 100,000 samples: use matrix products, not a Python loop\"\n\nprint(f\"Vectorisation test passed: 100,000 samples in {1000 * elapsed:.1f} ms.\")"
  },
  {
   "test": "test_predict",
   "exercise": "predict",
   "points": 2.0,
   "source": "# Public tests for predict (a first check; the autograder runs more).\n# A network whose output is simply x1: identity activation, W1 = identity matrix, W2 = (1, 0), zero biases.\nnet = TwoLayerNetwork(2, 2, activation=lambda z: z, seed=0)\nnet.W1, net.b1 = np.eye(2), np.zeros(2)\nnet.W2, net.b2 = np.array([[1.0], [0.0]]), np.zeros(1)\n\nX = np.array([[0.2, 5.0], [0.7, -1.0], [0.9, 0.0], [0.4, 3.0]])\nlabels = predict(net, X)\nassert np.shape(labels) == (4,), f\"predict on 4 samples should return shape (4,), got {np.shape(labels)}\"\nassert np.array_equal(labels, [0, 1, 1, 0]), f\"predict with threshold 0.5 should give [0, 1, 1, 0], got {labels}\"\nlabels = predict(net, X, threshold=0.8)\nassert np.array_equal(labels, [0, 0, 1, 0]), f\"predict with threshold 0.8 should give [0, 0, 1, 0], got {labels}\"\nlabels = predict(net, np.array([[0.5, 0.0]]))\nassert np.array_equal(labels, [1]), \"an output exactly equal to the threshold should give label 1\"\n\nprint(\"All public predict tests passed.\")"
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
