"""The checks' inputs are not the student's to learn or to steer, and held-out data stays held out.

A sandboxed kernel sees the training part of the lab's data alone (never the held-out images or labels, in data/
or under /usr); the checks' own helpers live outside the notebook's namespace; a GAN whose samples are copies
of images it could read fails the sample checks.
"""

import dataclasses
import importlib.util
import os

import pytest
import torch
from conftest import KIT, failed_checks

from autograder.checks import sample_quality
from autograder.checks.lab_data import LabData
from autograder.course.config import load_config
from autograder.course.labs import find_lab, resolve_lab
from autograder.demo.examples import load_variants, write_variant
from autograder.grading import check_seed
from autograder.grading.submission import grade_or_reject
from autograder.kernel.pool import KernelPool
from autograder.sandbox.backend import make_launcher


def lab5_thresholds() -> dict:
    """THRESHOLDS of lab5_gan's sample checks (grading_tests/lab5_gan/test_train_gan.py)."""
    spec = importlib.util.spec_from_file_location(
        "lab5_gan_samples", os.path.join(KIT, "grading_tests", "lab5_gan", "test_train_gan.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.THRESHOLDS


# Run in the kernel: what it can open of the held-out data, what its data/ holds, and what the lab's own data
# helper loads there.
PROBE = """
import glob as _ag_glob, os as _ag_os


def _ag_opened(path):
    try:
        with open(path, "rb") as handle:
            handle.read(16)
        return "read"
    except OSError as error:
        return type(error).__name__


def _ag_written(path):
    try:
        with open(path, "w") as handle:
            handle.write("forged")
        return "written"
    except OSError as error:
        return type(error).__name__


import mnist_data as _ag_mnist_data
_ag_split = _ag_mnist_data.load_arrays()
"""
PROBE_VALUES = """({path: _ag_opened(path) for path in HELD_OUT},
 [_ag_written(path) for path in ("data/forged", f"data/{_ag_split.dataset}-training/train-labels-idx1-ubyte")],
 sorted(_ag_os.listdir("data")),
 sorted(name for folder in ("/home/student", "/tmp", "/usr/share", "/etc")
        for name in _ag_glob.glob(folder + "/**/t10k*", recursive=True)),
 _ag_split.train_images, _ag_split.train_labels, _ag_split.test_images, _ag_split.test_labels)"""
HELD_OUT = [
    "data/mnist/t10k-labels-idx1-ubyte.gz",
    "data/mnist/t10k-images-idx3-ubyte.gz",
    "data/mnist/train-labels-idx1-ubyte.gz",
    "data/reference_classifier/classifier.pt",
    os.path.join(KIT, "data", "mnist", "t10k-labels-idx1-ubyte.gz"),
    "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz",
    "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz",
]


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_a_sandboxed_kernel_reads_the_training_part_alone(dataset):
    """The held-out images and labels are nowhere a kernel can read (data/, the kit, Debian's data sets under
    /usr), its data/ is read-only, and the lab's own data helper still loads the training part there."""
    settings = load_config(os.path.join(KIT, "course_config.py"))
    settings.autograder.dataset = dataset
    if dataset == "fashion-mnist" and not os.path.isdir("/usr/share/datasets/fashion-mnist"):
        pytest.skip("Fashion-MNIST is not installed (scripts/setup_env.sh installs dataset-fashion-mnist)")
    lab = "lab4_mnist"
    grader = LabData.for_lab(settings, lab).mnist()
    resolved = find_lab(settings, lab)
    pool = resolved.kernel_pool(make_launcher(settings, resolved))
    kernel = pool.take()
    try:
        kernel.request("exec", 60, code=PROBE)
        opened, written, listing, found, train_x, train_y, validation_x, validation_y = kernel.request(
            "eval", 60, code=PROBE_VALUES.replace("HELD_OUT", repr(HELD_OUT))
        )
    finally:
        kernel.shutdown()
        pool.close()
    assert set(opened.values()) <= {"FileNotFoundError", "PermissionError"}, (
        f"the kernel should open none of the held-out files, it opened {[p for p, how in opened.items() if how == 'read']}"
    )
    assert "written" not in written, f"the kernel's data/ should be read-only, writing gave {written}"
    assert found == [], f"no held-out file (t10k*) should be anywhere the kernel can look, found {found}"
    assert listing == ["README.md", f"{dataset}-training"], (
        f"the kernel's data/ should hold the training part alone, it holds {listing}"
    )
    kept = len(train_x)
    loaded = [train_x, validation_x, train_y, validation_y]
    expected = [
        grader.train_images[:kept],
        grader.train_images[kept:],
        grader.train_labels[:kept],
        grader.train_labels[kept:],
    ]
    assert all(a.shape == b.shape and (a == b).all() for a, b in zip(loaded, expected)), (
        f"the lab's data helper should load the grader's {len(grader.train_images):,} training images and labels in the "
        f"kernel (a part of them held out there), it loaded {len(train_x):,} + {len(validation_x):,}"
    )


def test_copied_or_noise_blind_samples_are_told_apart_from_new_ones(settings):
    """sample_quality.originality on the lab's own digits: copies (even with a little noise) are copies, a
    generator that ignores its noise is one, and the held-out digits (real, but not among the training images)
    are neither."""
    split = LabData.for_lab(settings, "lab5_gan").mnist()
    bar, train = lab5_thresholds()["copy_distance"], split.train_images
    copies = sample_quality.to_model_range(train[:500])
    noisy = (copies + 0.04 * torch.randn(copies.shape, generator=torch.Generator().manual_seed(0))).clamp(-1, 1)
    new = sample_quality.to_model_range(split.test_images[:500])
    assert sample_quality.originality(copies, copies[:100].flip(0), train, bar) == {
        "copied_share": 1.0,
        "unchanged_share": 0.0,
    }, "training digits handed back should all count as copies, and other digits on other noise as changed"
    assert sample_quality.originality(noisy, noisy[100:200], train, bar)["copied_share"] == 1.0, (
        "training digits with a little noise on them (0.04 per pixel) should still count as copies"
    )
    assert sample_quality.originality(new, new[:100], train, bar) == {"copied_share": 0.0, "unchanged_share": 1.0}, (
        "digits that are not among the training images are no copies; the same images on other noise are unchanged"
    )


@pytest.fixture
def lab1_kernel(settings, launcher):
    kernel = KernelPool(launcher, resolve_lab(settings, "lab1_neuron").limits).take()
    yield kernel
    kernel.shutdown()


def test_the_checks_names_are_out_of_the_notebooks_reach(lab1_kernel):
    """A student's function that rebinds the checks' helper by name (as train_gan could rebind _ag_generate) changes
    nothing the check uses; the checks' names never appear in the notebook's namespace, the notebook's own _ag_
    names are never taken for the checks', and no check's names outlive it."""
    kernel = lab1_kernel
    kernel.execute(
        "_ag_judge = lambda value: 'forged'\n"
        "def student_step(value):\n"
        "    globals()['_ag_judge'] = lambda value: 'forged'\n"
        "    return value\n",
        timeout=10,
    )
    kernel.request("exec", 10, begin_check=0, code="def _ag_judge(value):\n    return value * 2\n")
    assert kernel.request("call", 10, target={"$ref": "student_step"}, args=[3]) == 3
    assert kernel.request("call", 10, target={"$ref": "_ag_judge"}, args=[21]) == 42, (
        "the check's helper should stay its own after the student's code rebound the name in the notebook"
    )
    assert kernel.request("eval", 10, code="_ag_judge(1)") == 2, "the checks' code should see the check's helper"
    kernel.request("exec", 10, code="_ag_kept = student_step(5)\nstray = 1\n")
    in_notebook = kernel.execute(
        "print(sorted(name for name in ('_ag_kept', 'stray') if name in globals()))", timeout=10
    )
    assert in_notebook.outputs[0]["text"] == "[]\n", (
        "the checks' names (and their other assignments) should never land in the notebook"
    )
    assert kernel.request("eval", 10, begin_check=0, code="'_ag_judge' in dir()") is False, (
        "a new check should start without the last check's helpers, and never with the notebook's _ag_ names"
    )


def test_the_course_secret_is_made_once_and_kept_private(tmp_path):
    path = str(tmp_path / "course_secret.txt")
    secret = check_seed.course_secret(path)
    assert len(secret) >= 32 and os.stat(path).st_mode & 0o777 == 0o600, (
        "a new secret should be long and readable by its owner only"
    )
    assert check_seed.course_secret(path) == secret, "the secret should be made once and then kept"
    seed = check_seed.check_seed(secret, "lab1_neuron", "a" * 64)
    assert seed == check_seed.check_seed(secret, "lab1_neuron", "a" * 64) and 0 <= seed < 2**63
    assert (
        len(
            {
                seed,
                check_seed.check_seed(secret, "lab1_neuron", "b" * 64),
                check_seed.check_seed(secret, "lab2_ann", "a" * 64),
                check_seed.check_seed(b"another course's secret", "lab1_neuron", "a" * 64),
            }
        )
        == 4
    ), "another notebook, lab or course secret should give another seed"


def test_each_notebook_gets_inputs_of_its_own_and_a_regrade_the_same(settings, lab1, pool, tmp_path):
    """The checks' random inputs come from the submission's seed: the same buggy notebook graded twice is shown
    the same inputs (a reproducible regrade, the seed in its results), and one that differs by a comment other
    inputs, with the same verdicts."""
    bug = next(variant for variant in load_variants(settings, "lab1_neuron") if variant.student == "dave")
    twin = dataclasses.replace(bug, extra_cells=("# a comment: another notebook, the same code",))
    graded = []
    for name, variant in (("first", bug), ("again", bug), ("twin", twin)):
        path = str(tmp_path / f"{name}.ipynb")
        write_variant(settings, "lab1_neuron", variant, path)
        graded.append(grade_or_reject(settings, lab1, path, pool).results.to_json())
    first, again, twin_results = graded
    check = "test_feedforward_is_activation_of_weighted_sum_plus_bias"

    def shown(results):
        return next(test["output"] for test in results["tests"] if test["extra_data"]["check"].endswith(check))

    assert failed_checks(first) == failed_checks(again) == failed_checks(twin_results) == bug.loses, (
        "the verdicts should not depend on the inputs drawn"
    )
    assert (
        first["extra_data"]["check_seed"]
        == again["extra_data"]["check_seed"]
        != twin_results["extra_data"]["check_seed"]
    ), "the results should keep the seed: the same for the same notebook, another for another notebook"
    assert shown(first) == shown(again), "a regrade of the same notebook should show the same inputs"
    assert shown(first) != shown(twin_results), (
        f"another notebook should be shown other inputs, both were shown {shown(first)!r}"
    )
