"""Hidden checks of lab5_gan_keras's train_gan_keras and generate_keras, and of what the trained generator makes
(grade cell test_train_gan_keras, 10 points).

Both models must learn in train_gan_keras: the discriminator in its own step, the generator in the gan's step,
which leaves the discriminator alone. The sample checks judge one budgeted run of the student's own
train_gan_keras (conftest.STEPS steps from seed 0, batches of 128) with the kit's reference classifier, on
conftest.SAMPLES images that the checks' own code draws from the trained generator. Thresholds: see THRESHOLDS.
Samples that are copies of real images, or that stay the same on other noise, fail all three sample checks
(sample_quality.originality).
"""

import numpy as np
import pytest

from autograder.checks import sample_quality
from autograder.checks.expect import losses_of, numeric_array

pytestmark = pytest.mark.grade_cell("test_train_gan_keras")

# The answer key, seeds 0..9, 3,000 steps, 2,000 samples against the 2,000 held-out digits
# (`bench/lab5_keras_quality.py`), min / median / max: confidence 0.773 / 0.781 / 0.792, IS 4.43 / 4.92 / 5.06,
# coverage 8 / 10 / 10, Fréchet distance 156.2 / 166.8 / 184.7 (seed 0, the checks' seed: 0.778, 4.43, 8, 178.4).
# The broken examples at seed 0 (examples/lab5_gan_keras.py): the discriminator never trained (the lecture's
# freeze) IS 1.00, coverage 1, Fréchet 2,009; never frozen 1.00, 1, 1,387; swapped labels 1.06, 3, 1,625; a tanh
# generator 1.90, 5, 610. Confidence never counts alone: the classifier is sure of the frozen run's blobs (1.00).
# The lab lets students use the lecture's own networks (128 units in each hidden layer; example nadia), so the
# Fréchet bar holds for them too: seeds 0..9, IS 4.48 / 4.66 / 4.85, coverage 8 / 10 / 10, Fréchet 222.7 / 244.8 /
# 273.2 (seed 0: 4.64, 10, 273.2). With the lecture's optimizer as well (Adam with Keras's defaults, which the lab's
# text rules out), seeds 0..4: IS 3.21-3.69, Fréchet 389-451: it fails, as a sloppy run should.
# Copies: the RMS pixel distance (in [-1, 1]) of each sample to its nearest real image, answer key seeds 0-2,
# 3,000 steps: min 0.237 / 0.177 / 0.169 (1 % quantile 0.290 / 0.259 / 0.253); the bar is lab5_gan's
# (grading_tests/lab5_gan/test_train_gan.py): at most 2 % of the samples within 0.08 of a real image, or of the
# generator's own image on other noise.
THRESHOLDS = {
    "mean_confidence": 0.70,
    "inception_score": 3.5,
    "class_coverage": 7,
    "frechet_distance": 350.0,
    "copy_distance": 0.08,
    "max_copied_share": 0.02,
}

SHORT_RUN = "_ag_G, _ag_D, _ag_gan = _ag_models(0)\n_ag_G0, _ag_D0 = _ag_weights(_ag_G), _ag_weights(_ag_D)\n"
CALL = "train_gan_keras(generator, discriminator, gan, 1,000 training images, {steps}, batch_size=32)"


def train_briefly(sub, steps, record=False):
    """The student's train_gan_keras for a few steps on fresh models from the student's build functions; with
    `record`, every train_on_batch notes in _ag_events which models it changed."""
    sub.exec(SHORT_RUN)
    if record:
        sub.exec("_ag_events = []\n_ag_record_steps(_ag_G, _ag_D, _ag_gan, _ag_events)")
    return sub.call(
        "train_gan_keras",
        sub.ref("_ag_G"),
        sub.ref("_ag_D"),
        sub.ref("_ag_gan"),
        sub.ref("_ag_images_1000"),
        steps,
        batch_size=32,
    )


@pytest.fixture
def short_run_data(sub, kernel_data):
    sub.exec("_ag_images_1000 = _ag_images[:1000]")


@pytest.mark.points(1)
def test_train_gan_keras_returns_a_loss_per_step(sub, short_run_data):
    """train_gan_keras returns {"d_losses": [...], "g_losses": [...]}, one finite loss per step"""
    call = CALL.format(steps=5)
    history = train_briefly(sub, 5)
    assert isinstance(history, dict) and {"d_losses", "g_losses"} <= set(history), (
        f"{call} should return a dict with the lists 'd_losses' and 'g_losses', got {history!r:.120}"
    )
    for key in ("d_losses", "g_losses"):
        losses_of(history[key], 5, f"{call}[{key!r}] (one loss per step)")


@pytest.mark.points(2)
def test_both_models_learn_in_train_gan_keras(sub, short_run_data):
    """after a few steps of train_gan_keras, the generator's and the discriminator's weights have both changed"""
    call = CALL.format(steps=3)
    train_briefly(sub, 3)
    generator_changed, discriminator_changed = sub.eval("(not _ag_same(_ag_G0, _ag_G), not _ag_same(_ag_D0, _ag_D))")
    assert discriminator_changed, (
        f"after {call} the discriminator's weights are unchanged: it does not learn in its own step. In Keras 3 a "
        "model fixes the weights it trains when it trains for the first time: if the discriminator is frozen "
        "(trainable = False) at that moment, it stays frozen for good"
    )
    assert generator_changed, (
        f"after {call} the generator's weights are unchanged: train it with gan.train_on_batch in every step"
    )


@pytest.mark.points(1)
def test_generator_steps_leave_the_discriminator_alone(sub, short_run_data):
    """in train_gan_keras, every gan.train_on_batch leaves the discriminator's weights as they were"""
    call = CALL.format(steps=3)
    train_briefly(sub, 3, record=True)
    events = sub.eval("_ag_events")
    gan_steps = [event for event in events if event["model"] == "gan"]
    assert gan_steps, f"{call} never called gan.train_on_batch: the generator learns through the combined model"
    assert not any(step["discriminator_changed"] for step in gan_steps), (
        f"in {call}, gan.train_on_batch changed the discriminator's weights: the discriminator should be frozen in "
        "the combined model's step, or it learns to call fakes real"
    )


@pytest.mark.points(1)
def test_generate_keras_returns_new_images(sub, kernel_code):
    """generate_keras(generator, n) returns n different images, an array (n, 28, 28) in [0, 1]"""
    sub.exec("_ag_G, _ag_D, _ag_gan = _ag_models(0)")
    call = "generate_keras(build_generator(100), 10)"
    kind = sub.eval("type(_ag_samples := generate_keras(_ag_G, 10)).__name__")
    samples = numeric_array(sub.eval("_ag_array(_ag_samples)"), call)
    assert samples.shape == (10, 28, 28), f"{call} should have shape (10, 28, 28), got {samples.shape}"
    assert kind == "ndarray", f"{call} should return a NumPy array (keras.ops.convert_to_numpy), got a {kind}"
    assert samples.min() >= 0 and samples.max() <= 1, (
        f"{call} should be in [0, 1], got {samples.min():.3f} to {samples.max():.3f}"
    )
    assert not np.allclose(samples[0], samples[1]), (
        f"{call} gave the same image twice: draw fresh noise for every image"
    )


def in_model_range(samples, what) -> np.ndarray:
    """Images (N, 28, 28) in [0, 1] as float32 (N, 1, 28, 28) in [-1, 1], the reference classifier's range."""
    samples = numeric_array(samples, what)
    assert samples.size == len(samples) * 28 * 28, (
        f"the generator's images should have shape (28, 28); {len(samples)} samples came back with shape {samples.shape}"
    )
    return (np.clip(samples.reshape(len(samples), 1, 28, 28), 0, 1) * 2 - 1).astype(np.float32)


def measures(sub, trained_samples, quality, seen_images, picture) -> dict:
    """The reference classifier's measures of the samples, and their originality (copies of real images, images
    that ignore the noise), computed once per kernel."""

    def compute():
        samples, redrawn = (in_model_range(images, "the generator's samples") for images in trained_samples)
        classifier, real_features = quality
        report = sample_quality.assess(samples, classifier, real_features)
        sample_quality.draw_samples(picture, samples, seen_images[-64:], report, THRESHOLDS)  # held-out digits
        return {**report, **sample_quality.originality(samples, redrawn, seen_images, THRESHOLDS["copy_distance"])}

    return sub.once("measures", compute)


# The first sample check starts the training run: about 35 s for the answer key, 4 minutes for a loop that calls
# generator.predict (67 ms a call, against 1.7 ms for generator(noise)): slow, not wrong, so it gets the time.
@pytest.mark.points(2)
@pytest.mark.time_limit(600)
def test_samples_are_recognisable_digits(sub, trained_samples, quality, seen_images, picture):
    """after the budgeted training run, the reference classifier reads the samples as clear, varied digits"""
    problem = sample_quality.shortfall(
        measures(sub, trained_samples, quality, seen_images, picture), THRESHOLDS, "digits"
    )
    assert problem is None, problem


@pytest.mark.points(1)
@pytest.mark.time_limit(600)
def test_samples_cover_the_digits(sub, trained_samples, quality, seen_images, picture):
    """after the budgeted training run, the samples show most of the ten digits (no mode collapse)"""
    problem = sample_quality.shortfall(
        measures(sub, trained_samples, quality, seen_images, picture), THRESHOLDS, "coverage"
    )
    assert problem is None, problem


@pytest.mark.points(2)
@pytest.mark.time_limit(600)
def test_samples_are_close_to_real_digits(sub, trained_samples, quality, seen_images, picture):
    """after the budgeted training run, the samples are near real digits in the reference classifier's feature space"""
    problem = sample_quality.shortfall(
        measures(sub, trained_samples, quality, seen_images, picture), THRESHOLDS, "realism"
    )
    assert problem is None, problem
