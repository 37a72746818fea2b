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
 "lab": "lab5_gan",
 "checks": [
  {
   "test": "test_models",
   "exercise": "models",
   "points": 4.0,
   "source": "# Public tests for Generator and Discriminator (a first check; the autograder runs more).\nassert LATENT_DIM == 100, f\"LATENT_DIM should be 100, got {LATENT_DIM}\"\ntorch.manual_seed(0)\nG, D = Generator().to(DEVICE), Discriminator().to(DEVICE)\nassert isinstance(G, nn.Module) and isinstance(D, nn.Module), \"Generator and Discriminator should be nn.Modules\"\n\nz = torch.randn(16, LATENT_DIM, device=DEVICE)\nfake = G(z)\nassert tuple(fake.shape) == (16, 1, 28, 28), f\"G should map (16, {LATENT_DIM}) to (16, 1, 28, 28), got {tuple(fake.shape)}\"\nassert fake.min() >= -1 and fake.max() <= 1, \\\n    f\"G\u0027s pixels should lie in [-1, 1] (a Tanh output), got {fake.min().item():.3f} to {fake.max().item():.3f}\"\nassert fake.min() < 0 < fake.max(), \"G\u0027s pixels should use the whole range [-1, 1], not only [0, 1]: end with nn.Tanh()\"\n\nscores = D(fake)\nassert tuple(scores.shape) == (16, 1), f\"D should map (16, 1, 28, 28) to (16, 1), got {tuple(scores.shape)}\"\nloud = D(torch.randn(16, 1, 28, 28, device=DEVICE) * 100)  # large inputs: only a sigmoid keeps these in [0, 1]\nassert scores.min() >= 0 and scores.max() <= 1 and loud.min() >= 0 and loud.max() <= 1, \\\n    \"D should return probabilities in [0, 1]: end with nn.Sigmoid()\"\nreal_scores = D(train_set.images[:8].to(DEVICE) * 2 - 1)\nassert tuple(real_scores.shape) == (8, 1), f\"D should map 8 real images to (8, 1), got {tuple(real_scores.shape)}\"\n\nprint(f\"Generator: {sum(p.numel() for p in G.parameters()):,} parameters; \"\n      f\"Discriminator: {sum(p.numel() for p in D.parameters()):,} parameters\")\nprint(f\"an untrained D gives 16 fakes the mean probability {scores.mean().item():.3f} of being real\")\nprint(\"All public Generator and Discriminator tests passed.\")"
  },
  {
   "test": "test_losses",
   "exercise": "losses",
   "points": 4.0,
   "source": "# Public tests for discriminator_loss and generator_loss (a first check; the autograder runs more).\nhalf = torch.full((8, 1), 0.5)\nd_loss, g_loss = discriminator_loss(half, half), generator_loss(half)\nassert isinstance(d_loss, torch.Tensor) and isinstance(g_loss, torch.Tensor), \"both losses should return torch tensors\"\nassert d_loss.dim() == 0 and g_loss.dim() == 0, \\\n    f\"both losses should be scalars (shape ()), got shapes {tuple(d_loss.shape)} and {tuple(g_loss.shape)}\"\nassert np.isclose(d_loss.item(), 2 * np.log(2), atol=1e-5), \\\n    f\"discriminator_loss should be 2 ln 2 = {2 * np.log(2):.4f} when all scores are 0.5, got {d_loss.item():.4f}\"\nassert np.isclose(g_loss.item(), np.log(2), atol=1e-5), \\\n    f\"generator_loss should be ln 2 = {np.log(2):.4f} when all scores are 0.5, got {g_loss.item():.4f}\"\n\n# A case computed by hand; two real images but four fakes, so the two means differ from one mean over six.\nreal_scores = torch.tensor([[0.9], [0.6]])\nfake_scores = torch.tensor([[0.2], [0.3], [0.1], [0.4]])\nexpected_d = -(np.log(0.9) + np.log(0.6)) / 2 - (np.log(0.8) + np.log(0.7) + np.log(0.9) + np.log(0.6)) / 4\nexpected_g = -(np.log(0.2) + np.log(0.3) + np.log(0.1) + np.log(0.4)) / 4\nassert np.isclose(discriminator_loss(real_scores, fake_scores).item(), expected_d, atol=1e-5), \\\n    f\"discriminator_loss: expected {expected_d:.4f} (mean BCE of the real scores vs 1 plus mean BCE of the \" \\\n    f\"fake scores vs 0), got {discriminator_loss(real_scores, fake_scores).item():.4f}\"\nassert np.isclose(generator_loss(fake_scores).item(), expected_g, atol=1e-5), \\\n    f\"generator_loss: expected {expected_g:.4f} (the mean of -log D(G(z))), got {generator_loss(fake_scores).item():.4f}\"\n\n# Confident wrong answers give large but finite losses.\nextreme = discriminator_loss(torch.zeros(4, 1), torch.ones(4, 1))\nassert torch.isfinite(extreme) and extreme > 10, f\"scores of exactly 0 and 1 should give a large finite loss, got {extreme}\"\n\n# The losses must let gradients through (no .item(), no NumPy inside).\nscores = torch.full((4, 1), 0.3, requires_grad=True)\ngenerator_loss(scores).backward()\nassert scores.grad is not None and (scores.grad < 0).all(), \"generator_loss should be differentiable w.r.t. the scores\"\nprint(\"All public loss tests passed.\")"
  },
  {
   "test": "test_train_step",
   "exercise": "train_step",
   "points": 6.0,
   "source": "# Public tests for train_step (a first check; the autograder runs more).\ntorch.manual_seed(0)\nG, D = Generator().to(DEVICE), Discriminator().to(DEVICE)\ng_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))\nd_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))\nreal = train_set.images[:32] * 2 - 1  # on the CPU: train_step should move it to the device\n\n\ndef copy_of(model):\n    return [p.detach().clone() for p in model.parameters()]\n\n\ndef unchanged(model, copy):\n    return all(torch.equal(p, q) for p, q in zip(model.parameters(), copy))\n\n\n# Watch the two optimizers: which steps are taken, in what order, and what G and D look like around them.\nG_start, D_start = copy_of(G), copy_of(D)\nsteps_taken, seen = [], {}\nd_step, g_step = d_opt.step, g_opt.step\n\n\ndef watched_d_step(*args, **kwargs):\n    steps_taken.append(\"d_opt.step\")\n    seen[\"G unchanged at the D step\"] = unchanged(G, G_start)\n    seen[\"G has no gradient at the D step\"] = all(p.grad is None or not p.grad.any() for p in G.parameters())\n    result = d_step(*args, **kwargs)\n    seen[\"D after its step\"] = copy_of(D)\n    return result\n\n\ndef watched_g_step(*args, **kwargs):\n    steps_taken.append(\"g_opt.step\")\n    return g_step(*args, **kwargs)\n\n\nd_opt.step, g_opt.step = watched_d_step, watched_g_step\ntry:\n    result = train_step(G, D, g_opt, d_opt, real, DEVICE)\nfinally:\n    d_opt.step, g_opt.step = d_step, g_step\n\nassert isinstance(result, tuple) and len(result) == 2, f\"train_step should return a pair (d_loss, g_loss), got {result!r}\"\nassert all(isinstance(value, float) and np.isfinite(value) for value in result), \\\n    f\"both losses should be finite Python floats (use .item()), got {result!r}\"\nassert steps_taken == [\"d_opt.step\", \"g_opt.step\"], \\\n    f\"train_step should call d_opt.step() once and then g_opt.step() once, but the calls were {steps_taken}\"\nassert seen[\"G unchanged at the D step\"], \"G\u0027s parameters changed before the discriminator\u0027s update\"\nassert seen[\"G has no gradient at the D step\"], \\\n    \"the discriminator step gave G\u0027s parameters gradients: use fake.detach() in the discriminator\u0027s loss\"\nassert unchanged(D, seen[\"D after its step\"]), \"the generator step changed D\u0027s parameters: only g_opt.step() may run there\"\nassert not unchanged(D, D_start), \"D\u0027s parameters did not change: call d_opt.step() after d_loss.backward()\"\nassert not unchanged(G, G_start), \"G\u0027s parameters did not change: call g_opt.step() after g_loss.backward()\"\n\nprint(f\"first step: d_loss {result[0]:.4f}, g_loss {result[1]:.4f}\")\nprint(\"All public train_step tests passed.\")"
  },
  {
   "test": "test_train_gan",
   "exercise": "train_gan",
   "points": 8.0,
   "source": "# Public tests for train_gan and generate (a first check; the autograder runs more, including a long training run).\nimport copy\n\nsmall_loader = DataLoader(torch.utils.data.Subset(train_set, range(96)), batch_size=32)  # 3 batches\ntorch.manual_seed(0)\nG, D = Generator(), Discriminator()\nG_copy, D_copy = copy.deepcopy(G), copy.deepcopy(D)\nhistory = train_gan(G, D, small_loader, 5, DEVICE)  # 5 steps: the loader has to start again once\nassert isinstance(history, dict) and set(history) >= {\"d_losses\", \"g_losses\"}, \\\n    f\u0027train_gan should return a dict with the keys \"d_losses\" and \"g_losses\", got {history!r}\u0027\nfor key in (\"d_losses\", \"g_losses\"):\n    values = history[key]\n    assert isinstance(values, list) and len(values) == 5, f\"{key} should be a list of 5 losses for 5 steps, got {values!r}\"\n    assert all(isinstance(v, float) and np.isfinite(v) for v in values), f\"{key} should hold finite Python floats, got {values!r}\"\nassert next(G.parameters()).device.type == torch.device(DEVICE).type, \"train_gan should move G to the device\"\nassert next(D.parameters()).device.type == torch.device(DEVICE).type, \"train_gan should move D to the device\"\n\nagain = train_gan(G_copy, D_copy, small_loader, 5, DEVICE)  # the same networks and seed: the same run\nassert np.allclose(again[\"d_losses\"], history[\"d_losses\"]) and np.allclose(again[\"g_losses\"], history[\"g_losses\"]), \\\n    \"two runs with the same seed gave different losses: call torch.manual_seed(seed) at the start of train_gan\"\n\nsamples = generate(G, 10, DEVICE)\nassert tuple(samples.shape) == (10, 1, 28, 28), f\"generate(G, 10, ...) should give (10, 1, 28, 28), got {tuple(samples.shape)}\"\nassert samples.min() >= -1 and samples.max() <= 1, \"generated pixels should lie in [-1, 1]\"\nassert samples.device.type == torch.device(DEVICE).type, f\"the samples should be on {DEVICE}, got {samples.device}\"\nassert not samples.requires_grad, \"generate should run the generator inside torch.no_grad()\"\nassert not torch.equal(samples, generate(G, 10, DEVICE)), \"each call of generate should draw new latent codes\"\n\nprint(\"losses of 5 steps:\", np.round(history[\"d_losses\"], 3), np.round(history[\"g_losses\"], 3))\nprint(\"All public train_gan and generate tests passed.\")"
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
