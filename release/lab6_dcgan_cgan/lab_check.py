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
 "lab": "lab6_dcgan_cgan",
 "checks": [
  {
   "test": "test_dcgan_models",
   "exercise": "dcgan_models",
   "points": 4.0,
   "source": "# Public tests for DCGenerator and DCDiscriminator (a first check; the autograder runs more).\nassert LATENT_DIM == 100 and N_CLASSES == 10, \"LATENT_DIM should be 100 and N_CLASSES 10\"\ntorch.manual_seed(0)\nG, D = DCGenerator(), DCDiscriminator()\nkinds = {type(m).__name__ for m in G.modules()} | {\"D.\" + type(m).__name__ for m in D.modules()}\nassert \"ConvTranspose2d\" in kinds, \"DCGenerator should upsample with nn.ConvTranspose2d layers\"\nassert \"BatchNorm2d\" in kinds or \"BatchNorm1d\" in kinds, \"DCGenerator should use BatchNorm (the DCGAN guidelines)\"\nassert \"D.Conv2d\" in kinds, \"DCDiscriminator should read the image with nn.Conv2d layers\"\nassert not {\"D.MaxPool2d\", \"D.AvgPool2d\"} & kinds, \"DCDiscriminator should downsample with strided convolutions, not pooling\"\n\nfake = G(torch.randn(16, LATENT_DIM))\nassert tuple(fake.shape) == (16, 1, 28, 28), f\"G should map (16, 100) to (16, 1, 28, 28), got {tuple(fake.shape)}\"\nassert fake.min() >= -1 and fake.max() <= 1 and fake.min() < 0 < fake.max(), \\\n    f\"G\u0027s pixels should span [-1, 1] (end with nn.Tanh()), got {fake.min().item():.3f} to {fake.max().item():.3f}\"\nscores = D(fake)\nassert tuple(scores.shape) == (16, 1), f\"D should map (16, 1, 28, 28) to (16, 1), got {tuple(scores.shape)}\"\nloud = D(torch.randn(16, 1, 28, 28) * 100)\nassert 0 <= loud.min() and loud.max() <= 1, \"D should return probabilities in [0, 1]: end with nn.Sigmoid()\"\nprint(f\"DCGenerator: {sum(p.numel() for p in G.parameters()):,} parameters; \"\n      f\"DCDiscriminator: {sum(p.numel() for p in D.parameters()):,}\")\nprint(\"All public DCGenerator and DCDiscriminator tests passed.\")"
  },
  {
   "test": "test_losses",
   "exercise": "losses",
   "points": 2.0,
   "source": "# Public tests for discriminator_loss and generator_loss.\nhalf = torch.full((8, 1), 0.5)\nassert np.isclose(discriminator_loss(half, half).item(), 2 * np.log(2), atol=1e-5), \"discriminator_loss should be 2 ln 2 at 0.5\"\nassert np.isclose(generator_loss(half).item(), np.log(2), atol=1e-5), \"generator_loss should be ln 2 at 0.5\"\nreal_scores, fake_scores = torch.tensor([[0.9], [0.6]]), torch.tensor([[0.2], [0.3], [0.1], [0.4]])\nexpected = -(np.log(0.9) + np.log(0.6)) / 2 - (np.log(0.8) + np.log(0.7) + np.log(0.9) + np.log(0.6)) / 4\nassert np.isclose(discriminator_loss(real_scores, fake_scores).item(), expected, atol=1e-5), \\\n    f\"discriminator_loss: expected {expected:.4f}, the sum of the two means\"\nassert np.isclose(generator_loss(fake_scores).item(), -np.log([0.2, 0.3, 0.1, 0.4]).mean(), atol=1e-5), \\\n    \"generator_loss should be the mean of -log D(G(z))\"\nprint(\"All public loss tests passed.\")"
  },
  {
   "test": "test_train_dcgan",
   "exercise": "train_dcgan",
   "points": 7.0,
   "source": "# Public tests for train_dcgan.\nsmall_loader = DataLoader(torch.utils.data.Subset(train_set, range(96)), batch_size=32)  # 3 batches\ntorch.manual_seed(0)\nG, D = DCGenerator(), DCDiscriminator()\nhistory = train_dcgan(G, D, small_loader, 5, DEVICE)  # 5 steps: the loader has to start again once\nassert isinstance(history, dict) and {\"d_losses\", \"g_losses\"} <= set(history), \\\n    f\u0027train_dcgan should return a dict with the keys \"d_losses\" and \"g_losses\", got {history!r:.100}\u0027\nfor key in (\"d_losses\", \"g_losses\"):\n    assert len(history[key]) == 5 and all(isinstance(v, float) and np.isfinite(v) for v in history[key]), \\\n        f\"{key} should hold 5 finite Python floats for 5 steps, got {history[key]!r}\"\nassert next(G.parameters()).device.type == torch.device(DEVICE).type, \"train_dcgan should move G to the device\"\nprint(\"losses of 5 steps:\", np.round(history[\"d_losses\"], 3), np.round(history[\"g_losses\"], 3))\nprint(\"All public train_dcgan tests passed.\")"
  },
  {
   "test": "test_cgan_models",
   "exercise": "cgan_models",
   "points": 4.0,
   "source": "# Public tests for CondGenerator and CondDiscriminator.\ntorch.manual_seed(0)\nG, D = CondGenerator().eval(), CondDiscriminator().eval()  # eval mode: no batch statistics mixing the samples\nz, digits = torch.randn(10, LATENT_DIM), torch.arange(10)\nwith torch.no_grad():\n    fake = G(z, digits)\n    assert tuple(fake.shape) == (10, 1, 28, 28), f\"G(z, labels) should be (10, 1, 28, 28), got {tuple(fake.shape)}\"\n    assert fake.min() >= -1 and fake.max() <= 1, \"G\u0027s pixels should lie in [-1, 1]\"\n    other = G(z, (digits + 3) % 10)\n    assert (fake - other).abs().max() > 1e-4, \"G gave the same images for other labels: the label must enter G\"\n    scores = D(fake, digits)\n    assert tuple(scores.shape) == (10, 1) and 0 <= scores.min() and scores.max() <= 1, \\\n        f\"D(images, labels) should give probabilities (10, 1), got {tuple(scores.shape)}\"\n    assert (scores - D(fake, (digits + 3) % 10)).abs().max() > 1e-6, \\\n        \"D gave the same scores for other labels: the label must enter D\"\nprint(\"All public CondGenerator and CondDiscriminator tests passed.\")"
  },
  {
   "test": "test_train_cgan",
   "exercise": "train_cgan",
   "points": 9.0,
   "source": "# Public tests for train_cgan and generate_digits.\ntorch.manual_seed(0)\nG, D = CondGenerator(), CondDiscriminator()\nhistory = train_cgan(G, D, small_loader, 5, DEVICE)\nfor key in (\"d_losses\", \"g_losses\"):\n    assert len(history.get(key, [])) == 5 and all(isinstance(v, float) and np.isfinite(v) for v in history[key]), \\\n        f\"train_cgan should return {key!r}: 5 finite Python floats for 5 steps, got {history.get(key)!r}\"\nG.train()\nasked = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 3])\nsamples = generate_digits(G, asked, DEVICE)\nassert tuple(samples.shape) == (12, 1, 28, 28), f\"generate_digits should give (12, 1, 28, 28), got {tuple(samples.shape)}\"\nassert samples.min() >= -1 and samples.max() <= 1 and not samples.requires_grad, \\\n    \"generate_digits: pixels in [-1, 1], made inside torch.no_grad()\"\nassert G.training, \"generate_digits should put G back in the mode it was in (here: training)\"\nprint(\"All public train_cgan and generate_digits tests passed.\")"
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
