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
 "lab": "lab5_gan_keras",
 "checks": [
  {
   "test": "test_models",
   "exercise": "models",
   "points": 4.0,
   "source": "# Public tests for build_generator and build_discriminator (a first check; the autograder runs more).\nkeras.utils.set_random_seed(0)\ngenerator = build_generator(LATENT_DIM)\ndiscriminator = build_discriminator()\nassert isinstance(generator, keras.Model), f\"build_generator should return a keras Model, got {type(generator).__name__}\"\nassert isinstance(discriminator, keras.Model), \\\n    f\"build_discriminator should return a keras Model, got {type(discriminator).__name__}\"\n\nnoise = np.random.default_rng(0).normal(size=(5, LATENT_DIM)).astype(\"float32\")\nfakes = keras.ops.convert_to_numpy(generator(noise, training=False))\nassert fakes.shape == (5, 28, 28), f\"the generator should map (5, {LATENT_DIM}) to (5, 28, 28), got {fakes.shape}\"\nassert fakes.min() >= 0 and fakes.max() <= 1, \\\n    f\"generated pixels should lie in [0, 1] (a sigmoid output), got {fakes.min():.3f} to {fakes.max():.3f}\"\nassert fakes.std() > 0, \"all generated pixels are equal: is the generator connected to its input?\"\n\nscores = keras.ops.convert_to_numpy(discriminator(fakes, training=False))\nassert scores.shape == (5, 1), f\"the discriminator should map (5, 28, 28) to (5, 1), got {scores.shape}\"\nassert scores.min() >= 0 and scores.max() <= 1, \\\n    f\"the discriminator should output probabilities (a sigmoid), got {scores.min():.3f} to {scores.max():.3f}\"\nreal_scores = keras.ops.convert_to_numpy(discriminator(images[:5], training=False))\nassert real_scores.shape == (5, 1), f\"the discriminator should also read real images (5, 28, 28), got {real_scores.shape}\"\n\nassert discriminator.compiled, \"build_discriminator should compile the model (it is trained with train_on_batch)\"\nassert isinstance(discriminator.optimizer, keras.optimizers.Adam), \\\n    f\"the discriminator should use Adam, got {type(discriminator.optimizer).__name__}\"\nlearning_rate = float(keras.ops.convert_to_numpy(discriminator.optimizer.learning_rate))\nassert np.isclose(learning_rate, 2e-4), f\"the discriminator\u0027s learning rate should be 2e-4, got {learning_rate}\"\nassert np.isclose(discriminator.optimizer.beta_1, 0.5), \\\n    f\"the discriminator\u0027s Adam should use beta_1=0.5, got {discriminator.optimizer.beta_1}\"\n\nsmall = build_generator(16)\nassert keras.ops.convert_to_numpy(small(noise[:3, :16], training=False)).shape == (3, 28, 28), \\\n    \"build_generator(16) should map (3, 16) to (3, 28, 28): use latent_dim, not a fixed 100\"\nprint(f\"generator: {generator.count_params():,} weights; discriminator: {discriminator.count_params():,} weights\")\n\nprint(\"All public model tests passed.\")"
  },
  {
   "test": "test_build_gan",
   "exercise": "build_gan",
   "points": 4.0,
   "source": "# Public tests for build_gan (a first check; the autograder runs more).\nkeras.utils.set_random_seed(0)\ngenerator = build_generator(LATENT_DIM)\ndiscriminator = build_discriminator()\ngan = build_gan(generator, discriminator)\nassert isinstance(gan, keras.Model), f\"build_gan should return a keras Model, got {type(gan).__name__}\"\n\nnoise = np.random.default_rng(0).normal(size=(16, LATENT_DIM)).astype(\"float32\")\nscores = keras.ops.convert_to_numpy(gan(noise, training=False))\nassert scores.shape == (16, 1), f\"gan should map (16, {LATENT_DIM}) to (16, 1), got {scores.shape}\"\nexpected = keras.ops.convert_to_numpy(discriminator(generator(noise, training=False), training=False))\nassert np.allclose(scores, expected, atol=1e-6), \\\n    \"gan(z) should equal discriminator(generator(z)) computed with the models passed to build_gan (no copies)\"\n\nones = np.ones((16, 1), dtype=\"float32\")\nfor round_ in (1, 2):\n    before_d, before_g = weights_of(discriminator), weights_of(generator)\n    loss = gan.train_on_batch(noise, ones)\n    assert np.isfinite(loss), f\"gan.train_on_batch should return a finite loss, got {loss!r}\"\n    assert not changed(before_d, discriminator), \\\n        f\"gan.train_on_batch (call {round_}) changed the discriminator\u0027s weights: it should be frozen inside the gan\"\n    assert changed(before_g, generator), f\"gan.train_on_batch (call {round_}) did not change the generator\u0027s weights\"\n\n    before_d = weights_of(discriminator)\n    d_images = np.concatenate([images[:16], keras.ops.convert_to_numpy(generator(noise, training=False))])\n    d_labels = np.concatenate([ones, np.zeros_like(ones)])\n    discriminator.train_on_batch(d_images, d_labels)\n    assert changed(before_d, discriminator), \\\n        (f\"discriminator.train_on_batch (call {round_}) did not change the discriminator\u0027s weights: it is frozen \"\n         \"in its own step too (section 2)\")\n\nprint(\"All public build_gan tests passed.\")"
  },
  {
   "test": "test_train_gan_keras",
   "exercise": "train_gan_keras",
   "points": 10.0,
   "source": "# Public tests for train_gan_keras and generate_keras (a first check; the autograder runs more).\ndef run(steps):\n    keras.utils.set_random_seed(0)\n    generator = build_generator(LATENT_DIM)\n    discriminator = build_discriminator()\n    gan = build_gan(generator, discriminator)\n    before_g, before_d = weights_of(generator), weights_of(discriminator)\n\n    def no_predict(*args, **kwargs):\n        raise AssertionError(\"train_gan_keras should call the generator, generator(noise, training=False), \"\n                             \"not generator.predict, which is slow on single batches\")\n\n    generator.predict = no_predict\n    history = train_gan_keras(generator, discriminator, gan, images[:1000], steps, batch_size=32)\n    return history, generator, changed(before_g, generator), changed(before_d, discriminator)\n\n\nhistory, generator, g_changed, d_changed = run(5)\nassert isinstance(history, dict) and set(history) >= {\"d_losses\", \"g_losses\"}, \\\n    f\"train_gan_keras should return a dict with the keys \u0027d_losses\u0027 and \u0027g_losses\u0027, got {history!r}\"\nfor key in (\"d_losses\", \"g_losses\"):\n    values = history[key]\n    assert isinstance(values, list) and len(values) == 5, f\"history[{key!r}] should be a list of 5 losses, got {values!r}\"\n    assert all(type(value) is float and np.isfinite(value) for value in values), \\\n        f\"history[{key!r}] should hold finite Python floats (use float(...)), got {values!r}\"\nassert g_changed, \"the generator\u0027s weights did not change: call gan.train_on_batch in every step\"\nassert d_changed, \"the discriminator\u0027s weights did not change: is it frozen in its own step (section 2)?\"\nagain, *_ = run(5)\nassert again == history, \"two runs after keras.utils.set_random_seed(0) should give the same losses\"\nprint(\"losses of 5 steps:\", {key: np.round(values, 3).tolist() for key, values in history.items()})\n\nsamples = generate_keras(generator, 7)\nassert isinstance(samples, np.ndarray), f\"generate_keras should return a NumPy array, got {type(samples).__name__}\"\nassert samples.shape == (7, 28, 28), f\"generate_keras(generator, 7) should have shape (7, 28, 28), got {samples.shape}\"\nassert samples.min() >= 0 and samples.max() <= 1, \\\n    f\"generated pixels should lie in [0, 1], got {samples.min():.3f} to {samples.max():.3f}\"\nassert not np.allclose(samples[0], samples[1]), \"two samples are identical: draw fresh noise for every image\"\n\nprint(\"All public train_gan_keras and generate_keras tests passed.\")"
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
