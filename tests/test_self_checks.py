"""The students' self-checks give the hidden checks' verdicts before a student hands in.

lab4_mnist, lab5_gan and lab5_gan_keras each have a `self_check` cell that runs the grader's training protocol
on the student's own code and holds the result to the lab's bars: lab4 measures the held-out accuracy itself;
the GAN labs judge the samples with the public classifier of sample_check.py (released beside their notebooks),
never with the grader's reference classifier. On the answer key, the released stub and one failing example
of each lab, the self-check must say what the hidden checks say: the examples' `loses` (which
tests/test_lab_examples.py holds the grader to). Each case runs bench/self_check.py in a child process with a
grading kernel's environment (one thread; TensorFlow never shares a process with torch), two at a time.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from autograder.demo.examples import load_variants
from autograder.kernel.provisioner import KERNEL_ENVIRONMENT

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(KIT, "source", "lab5_gan"), os.path.join(KIT, "source", "lab4_mnist")]
import mnist_data  # noqa: E402
import sample_check  # noqa: E402

CASES = [
    ("lab4_mnist", "alice"),  # the answer key
    ("lab4_mnist", "zoe"),  # the released stub
    ("lab4_mnist", "carla"),  # no zero_grad: both accuracy checks fail
    ("lab5_gan", "alice"),
    ("lab5_gan", "zoe"),
    ("lab5_gan", "paula"),  # real images not rescaled to [-1, 1]: every sample check fails
    ("lab5_gan_keras", "alice"),
    ("lab5_gan_keras", "zoe"),
    ("lab5_gan_keras", "hugo"),  # the discriminator's labels swapped
]


def run_self_check(lab: str, student: str) -> dict:
    env = dict(os.environ, **KERNEL_ENVIRONMENT, PYTHONPATH=KIT)
    command = [sys.executable, os.path.join(KIT, "bench", "self_check.py"), lab, "--variant", student]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"the self-check of {lab}/{student} crashed:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def self_checks():
    """{(lab, student): {"verdicts": {hidden check: passes}, "seconds": s}}, every case run once."""
    with ThreadPoolExecutor(2) as pool:
        runs = {case: pool.submit(run_self_check, *case) for case in CASES}
        return {case: run.result() for case, run in runs.items()}


@pytest.mark.parametrize("lab, student", CASES, ids=[f"{lab}-{student}" for lab, student in CASES])
def test_self_check_gives_the_hidden_checks_verdicts(settings, self_checks, lab, student):
    variant = next(v for v in load_variants(settings, lab) if v.student == student)
    verdicts = self_checks[(lab, student)]["verdicts"]
    assert len(verdicts) >= 2, f"the self-check of {lab} should judge every quality check, got {verdicts}"
    expected = {check: check not in variant.loses for check in verdicts}
    assert verdicts == expected, (
        f"{lab}/{student} ({variant.description}): the self-check says {verdicts}, the hidden checks {expected}"
    )


@pytest.fixture(scope="module")
def digits():
    return mnist_data.load_arrays(root=os.path.join(KIT, "data"), download=False)


def test_public_classifier_reads_the_held_out_digits(digits):
    probabilities, features = sample_check.classify(digits.test_images / 255, sample_check.load_classifier())
    accuracy = (probabilities.argmax(axis=1) == digits.test_labels).mean()
    assert accuracy >= 0.95, f"the public classifier should read at least 95% of the held-out digits, got {accuracy}"
    assert features.shape == (len(digits.test_images), 64), f"64 features per image, got {features.shape}"


def test_real_digits_clear_every_public_bar_and_noise_none(digits):
    for lab in sample_check.BARS:
        real = sample_check.judge(digits.train_images[:2000], digits.test_images, lab)
        assert all(real.passes.values()), f"real digits should clear {lab}'s bars: {real}"
        noise = np.random.default_rng(0).random((2000, 28, 28))
        judged = sample_check.judge(noise, digits.test_images, lab)
        assert not any(judged.passes.values()), f"noise should fail every bar of {lab}: {judged}"
        assert "background is grey" in str(judged), f"noise's grey background should be named: {judged}"


def test_copies_of_training_digits_fail_every_public_bar(digits):
    copies = sample_check.judge(digits.train_images[:2000], digits.test_images, "lab5_gan", seen=digits.train_images)
    assert copies.copied_share == 1.0, f"every sample is a training digit, got a share of {copies.copied_share}"
    assert not any(copies.passes.values()), f"copies should fail every bar: {copies}"
    assert "copies of training images" in str(copies), f"the report should say why: {copies}"


@pytest.mark.parametrize("student, documented", [("lena", 0.886), ("marco", 0.896)])
def test_lab4_calibration_reproduces_the_documented_figure_of_an_allowed_design(student, documented):
    """bench/lab4_accuracy.py, the protocol of the accuracy checks, gives docs/labs.md's seed-0 figure of each
    small CNN design the lab allows (and the bar of 0.85 lies under it)."""
    env = dict(os.environ, **KERNEL_ENVIRONMENT, PYTHONPATH=KIT)
    command = [sys.executable, os.path.join(KIT, "bench", "lab4_accuracy.py"), "--seeds", "1", "--models", "CNN"]
    done = subprocess.run(command + ["--variant", student], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = float(done.stdout.split("(seed 0: ")[1].split(")")[0])
    assert abs(measured - documented) <= 0.0006, f"{student}'s CNN at seed 0: documented {documented}, got {measured}"
