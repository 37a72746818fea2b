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
 "lab": "lab4_mnist",
 "checks": [
  {
   "test": "test_mlp",
   "exercise": "mlp",
   "points": 3.0,
   "source": "# Public tests for MLP (a first check; the autograder runs more).\ntorch.manual_seed(0)\nmodel = MLP()\nassert isinstance(model, nn.Module), \"MLP should be an nn.Module\"\nmodel.eval()  # dropout off, so that the output is deterministic\nwith torch.no_grad():\n    out_images = model(torch.rand(5, 1, 28, 28))\n    out_flat = model(torch.rand(5, 784))\nassert tuple(out_images.shape) == (5, 10), f\"MLP should map (5, 1, 28, 28) to (5, 10), got {tuple(out_images.shape)}\"\nassert tuple(out_flat.shape) == (5, 10), f\"MLP should map (5, 784) to (5, 10), got {tuple(out_flat.shape)}\"\nassert not torch.allclose(out_images.sum(dim=1), torch.ones(5), atol=1e-3), \\\n    \"each row of the output sums to 1: the model should return logits, without a softmax (CrossEntropyLoss applies it)\"\n\nprint(\"All public MLP tests passed.\")"
  },
  {
   "test": "test_cnn",
   "exercise": "cnn",
   "points": 3.0,
   "source": "# Public tests for CNN (a first check; the autograder runs more).\ntorch.manual_seed(0)\nmodel = CNN()\nassert isinstance(model, nn.Module), \"CNN should be an nn.Module\"\nmodel.eval()\nwith torch.no_grad():\n    out = model(torch.rand(5, 1, 28, 28))\nassert tuple(out.shape) == (5, 10), f\"CNN should map (5, 1, 28, 28) to (5, 10), got {tuple(out.shape)}\"\nn_conv = sum(isinstance(m, nn.Conv2d) for m in model.modules())\nassert n_conv >= 2, f\"CNN should have at least two nn.Conv2d layers, found {n_conv}\"\nprint(f\"CNN: {n_conv} convolution layers, {sum(p.numel() for p in model.parameters()):,} parameters\")\n\nprint(\"All public CNN tests passed.\")"
  },
  {
   "test": "test_train_one_epoch",
   "exercise": "train_one_epoch",
   "points": 4.0,
   "source": "# Public tests for train_one_epoch (a first check; the autograder runs more).\nsmall_loader = DataLoader(torch.utils.data.Subset(train_set, range(256)), batch_size=64)  # 4 batches\ntorch.manual_seed(0)\nmodel = MLP().to(DEVICE)\nbefore = [p.detach().cpu().clone() for p in model.parameters()]\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)\ncross_entropy = nn.CrossEntropyLoss()\nbatch_losses = []\n\n\ndef recording_loss(logits, labels):\n    \"\"\"nn.CrossEntropyLoss that also writes down every batch\u0027s loss.\"\"\"\n    loss = cross_entropy(logits, labels)\n    batch_losses.append(loss.item())\n    return loss\n\n\nmodel.eval()  # train_one_epoch should switch to training mode itself\nmean_loss = train_one_epoch(model, small_loader, optimizer, recording_loss, DEVICE)\nassert isinstance(mean_loss, float), f\"train_one_epoch should return a Python float (use loss.item()), got {type(mean_loss).__name__}\"\nassert np.isfinite(mean_loss), f\"the mean loss should be a finite number, got {mean_loss}\"\nassert len(batch_losses) == 4, f\"256 images in batches of 64 are 4 batches, but loss_fn was called {len(batch_losses)} times\"\nassert np.isclose(mean_loss, np.mean(batch_losses)), \\\n    f\"the result should be the mean of the batch losses {np.round(batch_losses, 4)}, got {mean_loss:.4f}\"\nassert model.training, \"train_one_epoch should put the model in training mode (model.train())\"\nafter = [p.detach().cpu() for p in model.parameters()]\nassert any(not torch.equal(a, b) for a, b in zip(before, after)), \\\n    \"the weights did not change: call optimizer.step() after loss.backward()\"\n\nprint(\"All public train_one_epoch tests passed.\")"
  },
  {
   "test": "test_evaluate",
   "exercise": "evaluate",
   "points": 3.0,
   "source": "# Public tests for evaluate (a first check; the autograder runs more).\ntorch.manual_seed(0)\nmodel = MLP().to(DEVICE)\naccuracy = evaluate(model, test_loader, DEVICE)\nassert isinstance(accuracy, float), f\"evaluate should return a Python float, got {type(accuracy).__name__}\"\nassert 0.0 <= accuracy <= 1.0, f\"an accuracy lies between 0 and 1, got {accuracy}\"\nassert accuracy < 0.3, f\"an untrained model should score about 0.1 (chance for ten classes), got {accuracy:.3f}\"\nassert not model.training, \"evaluate should put the model in evaluation mode (model.eval())\"\n\n# 150 images in batches of 64, 64 and 22: count images, not batches.\nsubset = torch.utils.data.Subset(test_set, range(150))\nimages = test_set.images[:150].to(DEVICE)\nlabels = test_set.labels[:150].to(DEVICE)\nwith torch.no_grad():\n    expected = (model(images).argmax(dim=1) == labels).float().mean().item()\naccuracy = evaluate(model, DataLoader(subset, batch_size=64), DEVICE)\nassert np.isclose(accuracy, expected), \\\n    f\"on 150 images in batches of 64, 64 and 22 the accuracy should be {expected:.4f}, got {accuracy:.4f}\"\nprint(f\"untrained MLP: accuracy {evaluate(model, test_loader, DEVICE):.3f} on the held-out images (chance: about 0.1)\")\n\nprint(\"All public evaluate tests passed.\")"
  },
  {
   "test": "test_fit",
   "exercise": "fit",
   "points": 8.0,
   "source": "# Public tests for fit (a first check; the autograder runs more, including a full training run).\nsmall_loader = DataLoader(torch.utils.data.Subset(train_set, range(256)), batch_size=64)\ntorch.manual_seed(0)\nmodel = MLP()\nlosses = fit(model, small_loader, 2, 1e-3, DEVICE)\nassert isinstance(losses, list) and len(losses) == 2, f\"fit(..., epochs=2, ...) should return a list of 2 losses, got {losses!r}\"\nassert all(isinstance(value, float) and np.isfinite(value) for value in losses), \\\n    f\"the losses should be finite Python floats, got {losses!r}\"\nassert losses[1] < losses[0], f\"the mean loss should fall from the first epoch to the second, got {losses}\"\nprint(\"losses on 256 images:\", np.round(losses, 4))\n\nprint(\"All public fit tests passed.\")"
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
