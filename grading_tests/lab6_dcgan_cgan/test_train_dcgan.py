"""Hidden checks of lab6's train_dcgan and of what the trained DCGAN makes (grade cell test_train_dcgan, 7 points).

The sample checks judge one budgeted run of the student's own train_dcgan (conftest.DCGAN_STEPS from seed 0,
batches of 64 of the training images) with the kit's reference classifier, on conftest.SAMPLES images that the
checks' own code draws from the trained generator, with lab5_gan's measures. Samples that copy real images, or
stay the same on other noise, fail all three sample checks (sample_quality.originality).
"""

import numpy as np
import pytest

from autograder.checks import sample_quality

pytestmark = pytest.mark.grade_cell("test_train_dcgan")

# The answer key, seeds 0..9, 1,000 steps on one CPU thread, 2,000 samples against the 2,000 held-out digits
# (`bench/lab6_quality.py`), min / median / max: see docs/labs.md. The bars leave a margin below the worst seed.
THRESHOLDS = {
    "mean_confidence": 0.70,
    "inception_score": 3.5,
    "class_coverage": 8,
    "frechet_distance": 250.0,
    "copy_distance": 0.08,
    "max_copied_share": 0.02,
}


@pytest.mark.points(1)
def test_train_dcgan_returns_a_loss_per_step(returns_a_loss_per_step):
    """train_dcgan(G, D, loader, steps, device) returns {"d_losses": [...], "g_losses": [...]}, one per step"""
    returns_a_loss_per_step("train_dcgan", "DCGenerator(), DCDiscriminator()")


@pytest.mark.points(1)
def test_train_dcgan_steps_the_discriminator_on_detached_fakes_then_the_generator(
    one_step_is_d_then_g_on_detached_fakes,
):
    """one step of train_dcgan steps D's Adam with no gradient in G (detached fakes), then G's Adam"""
    one_step_is_d_then_g_on_detached_fakes("train_dcgan", "DCGenerator(), DCDiscriminator()")


@pytest.mark.points(1)
@pytest.mark.time_limit(300)  # the training run of the sample checks, which this check starts
def test_dcgan_training_runs_on_the_graders_device(sub, dcgan_samples, device):
    """train_dcgan trains on the device it is given: CUDA where the grader has a GPU, else the CPU"""
    _, places, _ = dcgan_samples
    assert places == [device], (
        f"after train_dcgan(G, D, loader, steps, {device!r}) the generator's parameters should be on {device}, "
        f"they are on {places}"
    )


def measures(sub, dcgan_samples, quality, seen_images, picture, originality) -> dict:
    """The sample_quality measures of the DCGAN's samples and their originality, computed once per kernel."""

    def compute():
        samples, _, redrawn = dcgan_samples
        classifier, real_features, _ = quality
        report = sample_quality.assess(np.clip(samples, -1, 1), classifier, real_features)
        sample_quality.draw_samples(picture, np.clip(samples, -1, 1), seen_images[-64:], report, THRESHOLDS)
        return {**report, **originality(samples, redrawn, seen_images, THRESHOLDS)}

    return sub.once("dcgan measures", compute)


@pytest.mark.points(2)
@pytest.mark.time_limit(300)
def test_dcgan_samples_are_recognisable_digits(sub, dcgan_samples, quality, seen_images, picture, originality):
    """after the budgeted training run, the reference classifier reads the DCGAN's samples as clear, varied digits"""
    report = measures(sub, dcgan_samples, quality, seen_images, picture, originality)
    problem = sample_quality.shortfall(report, THRESHOLDS, "digits")
    assert problem is None, problem


@pytest.mark.points(1)
@pytest.mark.time_limit(300)
def test_dcgan_samples_cover_the_digits(sub, dcgan_samples, quality, seen_images, picture, originality):
    """after the budgeted training run, the DCGAN's samples show most of the ten digits (no mode collapse)"""
    report = measures(sub, dcgan_samples, quality, seen_images, picture, originality)
    problem = sample_quality.shortfall(report, THRESHOLDS, "coverage")
    assert problem is None, problem


@pytest.mark.points(1)
@pytest.mark.time_limit(300)
def test_dcgan_samples_are_close_to_real_digits(sub, dcgan_samples, quality, seen_images, picture, originality):
    """after the budgeted training run, the DCGAN's samples are near real digits in the reference classifier's features"""
    report = measures(sub, dcgan_samples, quality, seen_images, picture, originality)
    problem = sample_quality.shortfall(report, THRESHOLDS, "realism")
    assert problem is None, problem
