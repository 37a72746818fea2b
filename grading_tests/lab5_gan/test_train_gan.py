"""Hidden checks of lab5_gan's train_gan and generate, and of what the trained generator makes (grade cell
test_train_gan, 8 points).

The sample checks judge one budgeted run of the student's own train_gan (conftest.STEPS: 3,000 steps on a CPU,
5,000 on a GPU, from seed 0, batches of 64 of the training images) with the kit's reference classifier, on
conftest.SAMPLES images that the checks' own code draws from the trained generator. Thresholds: see THRESHOLDS.
Samples that are copies of real images (the training images the checks send, or the held-out ones), or that
stay the same on other noise, fail all three sample checks (sample_quality.originality).
"""

import numpy as np
import pytest

from autograder.checks import sample_quality
from autograder.checks.expect import losses_of, numeric_array

pytestmark = pytest.mark.grade_cell("test_train_gan")

# The answer key, seeds 0..9, 3,000 steps, 2,000 samples against the 2,000 held-out digits
# (`bench/lab5_quality.py`), min / median / max: confidence 0.812 / 0.821 / 0.836, IS 5.74 / 5.86 / 6.25,
# coverage 10 / 10 / 10, Fréchet distance 106.8 / 117.6 / 138.3 (seed 0, the checks' seed: 0.813, 5.74, 10, 126.0).
# data/reference_classifier/CALIBRATION.md: noise and an untrained generator get IS 1.00, coverage 1, Fréchet
# > 1,400 (and confidence 0.92-1.00: the classifier calls every blob an 8, so confidence never counts alone);
# real digits of 5 classes, coverage 5; the lecture-style GAN at 1,000 steps, Fréchet 294-362.
# Copies: the RMS pixel distance (in [-1, 1]) of each sample to its nearest real image, answer key seeds 0-2
# (`bench/lab5_memorisation.py`), min 0.142 / 0.161 / 0.152 (1 % quantile 0.180 / 0.191 / 0.203); of a sample to
# the same generator's image on other noise, min 0.268 / 0.236 / 0.294; of the held-out digits to the training
# digits (real digits that are no copies), min 0.088. A copy is 0; at most 2 % of the samples may be within 0.08.
THRESHOLDS = {
    "mean_confidence": 0.70,
    "inception_score": 4.0,
    "class_coverage": 8,
    "frechet_distance": 250.0,
    "copy_distance": 0.08,
    "max_copied_share": 0.02,
}


@pytest.mark.points(1)
def test_train_gan_returns_a_loss_per_step(sub, kernel_data):
    """train_gan(G, D, loader, steps, device, seed=0) returns {"d_losses": [...], "g_losses": [...]}, one per step"""
    sub.exec(
        "_ag_torch.manual_seed(0)\n_ag_G, _ag_D = Generator(), Discriminator()\n"
        "_ag_batches = _ag_loader(_ag_train_x[:256], _ag_train_y[:256], 64, seed=0)\n"
    )
    call = "train_gan(G, D, a loader of 4 batches, 6, 'cpu')"
    history = sub.call("train_gan", sub.ref("_ag_G"), sub.ref("_ag_D"), sub.ref("_ag_batches"), 6, "cpu")
    assert isinstance(history, dict) and {"d_losses", "g_losses"} <= set(history), (
        f"{call} should return a dict with the lists 'd_losses' and 'g_losses', got {history!r:.120}"
    )
    for key in ("d_losses", "g_losses"):
        losses_of(history[key], 6, f"{call}[{key!r}] (6 steps, more than the loader's 4 batches: start it again)")


@pytest.mark.points(1)
def test_generate_makes_images_on_the_device(sub, kernel_data, device):
    """generate(G, n, device) returns n images (n, 1, 28, 28) in [-1, 1], made on the device"""
    sub.exec(f"_ag_torch.manual_seed(0)\n_ag_G = Generator().to({device!r})\n")
    call = f"generate(G, 10, {device!r})"
    sub.exec(f"_ag_images = generate(_ag_G, 10, {device!r})")
    places = sub.eval(
        "_ag_images.device.type if isinstance(_ag_images, _ag_torch.Tensor) else type(_ag_images).__name__"
    )
    images = numeric_array(sub.eval("_ag_images"), call)
    assert images.shape == (10, 1, 28, 28), f"{call} should have shape (10, 1, 28, 28), got {images.shape}"
    assert images.min() >= -1 - 1e-6 and images.max() <= 1 + 1e-6, (
        f"{call} should be in [-1, 1], got {images.min():.3f} to {images.max():.3f}"
    )
    assert places == device, f"{call} should return a torch tensor on {device}, got one on {places}"


@pytest.mark.points(1)
@pytest.mark.time_limit(400)  # the training run of the sample checks, which this check starts
def test_training_runs_on_the_graders_device(sub, trained_samples, device):
    """train_gan trains on the device it is given: CUDA where the grader has a GPU, else the CPU"""
    _, places, _ = trained_samples
    assert places == [device], (
        f"after train_gan(G, D, loader, steps, {device!r}) the generator's parameters should be on {device}, they are on {places}"
    )


def measures(sub, trained_samples, quality, seen_images, picture) -> dict:
    """The sample_quality measures of the samples, and their originality (copies of real images, images that
    ignore the noise), computed once per kernel."""

    def compute():
        samples, _, redrawn = trained_samples
        samples, redrawn = np.clip(samples, -1, 1), np.clip(redrawn, -1, 1)
        classifier, real_features = quality
        report = sample_quality.assess(samples, classifier, real_features)
        sample_quality.draw_samples(picture, samples, seen_images[-64:], report, THRESHOLDS)  # held-out digits
        return {**report, **sample_quality.originality(samples, redrawn, seen_images, THRESHOLDS["copy_distance"])}

    return sub.once("measures", compute)


@pytest.mark.points(2)
@pytest.mark.time_limit(400)
def test_samples_are_recognisable_digits(sub, trained_samples, quality, seen_images, picture):
    """after the budgeted training run, the reference classifier reads the samples as clear, varied digits"""
    problem = sample_quality.shortfall(
        measures(sub, trained_samples, quality, seen_images, picture), THRESHOLDS, "digits"
    )
    assert problem is None, problem


@pytest.mark.points(1)
@pytest.mark.time_limit(400)
def test_samples_cover_the_digits(sub, trained_samples, quality, seen_images, picture):
    """after the budgeted training run, the samples show most of the ten digits (no mode collapse)"""
    problem = sample_quality.shortfall(
        measures(sub, trained_samples, quality, seen_images, picture), THRESHOLDS, "coverage"
    )
    assert problem is None, problem


@pytest.mark.points(2)
@pytest.mark.time_limit(400)
def test_samples_are_close_to_real_digits(sub, trained_samples, quality, seen_images, picture):
    """after the budgeted training run, the samples are near real digits in the reference classifier's feature space"""
    problem = sample_quality.shortfall(
        measures(sub, trained_samples, quality, seen_images, picture), THRESHOLDS, "realism"
    )
    assert problem is None, problem
