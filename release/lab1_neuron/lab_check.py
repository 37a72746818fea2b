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
 "lab": "lab1_neuron",
 "checks": [
  {
   "test": "test_activations",
   "exercise": "activations",
   "points": 12.0,
   "source": "# Public tests for the activation functions (a first check; the autograder runs more).\nimport warnings\n\nassert step(0) == 1, \"step(0) should be 1 (we use the convention H(0) = 1)\"\nassert step(-0.001) == 0, \"step(-0.001) should be 0\"\nassert step(3.5) == 1, \"step(3.5) should be 1\"\nassert np.array_equal(step(np.array([-2.0, 0.0, 2.0])), [0, 1, 1]), \\\n    \"step([-2, 0, 2]) should be [0, 1, 1]\"\n\nassert np.isclose(sigmoid(0), 0.5), \"sigmoid(0) should be 0.5\"\nassert np.isclose(sigmoid(0.25), 1 / (1 + np.exp(-0.25))), \"sigmoid(0.25) should be about 0.5622\"\nassert np.isclose(sigmoid(2.0) + sigmoid(-2.0), 1.0), \"sigmoid(x) + sigmoid(-x) should be 1\"\nwith warnings.catch_warnings():\n    warnings.simplefilter(\"error\")  # turn any warning (e.g. overflow in exp) into an error\n    extremes = sigmoid(np.array([-1000.0, 1000.0]))\nassert np.allclose(extremes, [0.0, 1.0]), \"sigmoid([-1000, 1000]) should be about [0, 1], without NaN\"\n\nassert np.isclose(tanh(0), 0.0), \"tanh(0) should be 0\"\nassert np.isclose(tanh(1.0), np.tanh(1.0)), \"tanh(1) should be about 0.7616\"\n\nassert relu(-2) == 0, \"relu(-2) should be 0\"\nassert relu(3) == 3, \"relu(3) should be 3\"\nassert relu(0) == 0, \"relu(0) should be 0\"\n\nassert np.isclose(leaky_relu(-2), -0.02), \"leaky_relu(-2) should be -0.02 (default alpha = 0.01)\"\nassert np.isclose(leaky_relu(3), 3.0), \"leaky_relu(3) should be 3\"\nassert np.isclose(leaky_relu(-2, alpha=0.1), -0.2), \"leaky_relu(-2, alpha=0.1) should be -0.2\"\n\nfor f in [step, sigmoid, tanh, relu, leaky_relu]:\n    assert np.shape(f(np.zeros(4))) == (4,), f\"{f.__name__} on an array of shape (4,) should return shape (4,)\"\n    assert np.shape(f(np.zeros((2, 3)))) == (2, 3), \\\n        f\"{f.__name__} on an array of shape (2, 3) should return shape (2, 3)\"\n\nprint(\"All public activation tests passed.\")"
  },
  {
   "test": "test_neuron",
   "exercise": "neuron",
   "points": 3.0,
   "source": "# Public tests for BasicNeuron (a first check; the autograder runs more).\nneuron = BasicNeuron(np.array([0.5, -1.0]), 0.25, sigmoid)\nassert isinstance(neuron.weights, np.ndarray), \"self.weights should be a NumPy array\"\nassert np.isclose(neuron.bias, 0.25), \"self.bias should be 0.25\"\nout = neuron.feedforward(np.array([2.0, 1.0]))\nassert np.isclose(out, sigmoid(0.25)), f\"the worked example should give sigmoid(0.25) \u2248 0.5622, got {out}\"\n\nidentity = BasicNeuron([1.0, 2.0, 3.0], -1.0, lambda z: z)\nout = identity.feedforward(np.array([1.0, 0.5, -2.0]))\nassert np.isclose(out, 1.0 + 1.0 - 6.0 - 1.0), \\\n    f\"with the identity activation the output should be w.x + b = -5.0, got {out}\"\n\nassert BasicNeuron(np.array([0.5, -1.0]), 0.25, step).feedforward(np.array([2.0, 1.0])) == 1, \\\n    \"the worked example with the step activation should give 1\"\n\nprint(\"All public neuron tests passed.\")"
  },
  {
   "test": "test_logic_gates",
   "exercise": "logic_gates",
   "points": 3.0,
   "source": "# Public tests for the logic-gate neurons (a first check; the autograder runs more).\ntruth_tables = {\n    \"or_neuron\": (or_neuron, {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 1}),\n    \"and_neuron\": (and_neuron, {(0, 0): 0, (0, 1): 0, (1, 0): 0, (1, 1): 1}),\n    \"nand_neuron\": (nand_neuron, {(0, 0): 1, (0, 1): 1, (1, 0): 1, (1, 1): 0}),\n}\nfor name, (gate, table) in truth_tables.items():\n    assert isinstance(gate, BasicNeuron), f\"{name} should be a BasicNeuron\"\n    for (x1, x2), expected in table.items():\n        got = int(gate.feedforward(np.array([x1, x2])))\n        assert got == expected, f\"{name}.feedforward([{x1}, {x2}]) should be {expected}, got {got}\"\n\nprint(\"All public logic-gate tests passed.\")"
  },
  {
   "test": "test_truth_table",
   "exercise": "truth_table",
   "points": 2.0,
   "source": "# Public tests for truth_table (a first check; the autograder runs more).\nclass TableNeuron:\n    \"\"\"A stand-in for a neuron: feedforward([x1, x2]) returns table[(x1, x2)] as a 0-d array, as your step does.\"\"\"\n\n    def __init__(self, table):\n        self.table = table\n\n    def feedforward(self, inputs):\n        x1, x2 = (int(value) for value in inputs)\n        return np.asarray(float(self.table[(x1, x2)]))\n\n\nx1_neuron = TableNeuron({(0, 0): 0, (0, 1): 0, (1, 0): 1, (1, 1): 1})  # outputs x1, whatever x2 is\ntable = truth_table(x1_neuron)\nassert isinstance(table, list) and len(table) == 4, f\"truth_table should return a list of 4 outputs, got {table!r}\"\nassert all(type(value) is int for value in table), \\\n    f\"every entry should be a Python int (convert with int(...)), got {[type(value).__name__ for value in table]}\"\nassert table == [0, 0, 1, 1], \\\n    f\"a neuron that outputs x1 should give [0, 0, 1, 1] (inputs (0, 0), (0, 1), (1, 0), (1, 1)), got {table}\"\nx2_neuron = TableNeuron({(0, 0): 0, (0, 1): 1, (1, 0): 0, (1, 1): 1})  # outputs x2\ntable = truth_table(x2_neuron)\nassert table == [0, 1, 0, 1], f\"a neuron that outputs x2 should give [0, 1, 0, 1], got {table}\"\n\nprint(\"All public truth_table tests passed.\")"
  },
  {
   "test": "test_xor",
   "exercise": "xor",
   "points": 2.0,
   "source": "# Public tests for xor (a first check; the autograder runs more).\nfor (x1, x2), expected in {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0}.items():\n    got = xor(x1, x2)\n    assert got == expected, f\"xor({x1}, {x2}) should be {expected}, got {got}\"\n    assert isinstance(got, int), f\"xor({x1}, {x2}) should return a Python int, got {type(got).__name__}\"\n\nprint(\"All public XOR tests passed.\")"
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
