"""The reference classifier and the sample-quality measures the grader judges GAN samples with."""

import importlib.util
import os
import sys

import numpy as np
import pytest
import torch

from autograder.checks.sample_quality import (
    assess,
    assess_conditional,
    class_coverage,
    conditional_shortfall,
    digit_features,
    digits_drawn,
    frechet_distance,
    inception_score,
    likely_causes,
    load_reference_classifier,
    predict,
    shortfall,
    to_model_range,
)

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(KIT, "source", "lab4_mnist"))
import mnist_data  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """The grader's setting; the numbers in CALIBRATION.md were measured so."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def split():
    return mnist_data.load_arrays(root=os.path.join(KIT, "data"), download=False)


@pytest.fixture(scope="module")
def classifier():
    return load_reference_classifier()


@pytest.fixture(scope="module")
def held_out_features(split, classifier):
    return digit_features(split.test_images, classifier)


def training_digits(split, n=2000):
    return to_model_range(split.train_images[:n])


def test_committed_classifier_reaches_97_percent_on_the_held_out_digits(split, classifier):
    probabilities, _ = predict(to_model_range(split.test_images), classifier)
    accuracy = (probabilities.argmax(axis=1) == split.test_labels).mean()
    assert accuracy >= 0.97, f"held-out accuracy should be at least 0.97, got {accuracy:.4f}"


def test_frechet_distance_of_a_set_with_itself_is_zero(held_out_features):
    distance = frechet_distance(held_out_features, held_out_features)
    assert distance == pytest.approx(0, abs=1e-6), f"expected 0 for identical sets, got {distance}"


def test_frechet_distance_of_a_shifted_and_scaled_set_follows_the_closed_form():
    # Scaling by 2 multiplies the covariance by 4, so the trace terms give tr(S) + 4 tr(S) - 2 * 2 tr(S) = tr(S).
    features = np.random.default_rng(0).normal(size=(500, 8)) @ np.diag(np.arange(1.0, 9.0))
    shift = np.full(8, 0.5)
    expected = np.trace(np.cov(features, rowvar=False)) + np.sum((features.mean(axis=0) + shift) ** 2)
    distance = frechet_distance(features, 2 * features + shift)
    assert distance == pytest.approx(expected, rel=1e-9), f"expected {expected}, got {distance}"


def test_frechet_distance_is_small_between_real_sets_and_large_for_noise(split, classifier, held_out_features):
    real = frechet_distance(predict(training_digits(split), classifier)[1], held_out_features)
    noise_images = torch.rand(2000, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    noise = frechet_distance(predict(noise_images, classifier)[1], held_out_features)
    assert real < 10, f"training vs held-out digits should be under 10 (about 3 in CALIBRATION.md), got {real:.1f}"
    assert noise > 500, f"uniform noise vs held-out digits should be over 500 (about 1400), got {noise:.1f}"


def test_coverage_is_one_for_a_single_digit_and_ten_for_real_digits(split, classifier):
    sevens = to_model_range(split.train_images[split.train_labels == 7])
    one_digit = class_coverage(predict(sevens, classifier)[0])
    real = class_coverage(predict(training_digits(split), classifier)[0])
    assert one_digit == 1, f"a set of sevens should cover 1 class, covered {one_digit}"
    assert real == 10, f"real digits should cover all 10 classes, covered {real}"


def test_inception_score_is_high_for_real_digits_and_near_one_for_a_single_class(split, classifier):
    sevens = to_model_range(split.train_images[split.train_labels == 7])
    one_class = inception_score(predict(sevens, classifier)[0])
    real = inception_score(predict(training_digits(split), classifier)[0])
    assert real > 8, f"real digits should score over 8 (of at most 10), got {real:.2f}"
    assert one_class < 1.2, f"a single class should score near 1, got {one_class:.2f}"


def test_inception_score_is_ten_for_confident_predictions_spread_evenly():
    one_hot = np.eye(10)[np.arange(1000) % 10]
    assert inception_score(one_hot) == pytest.approx(10), "confident, evenly spread predictions should score 10"


def test_assess_reports_every_measure_for_real_digits(split, classifier, held_out_features):
    report = assess(training_digits(split, 500), classifier, held_out_features)
    assert set(report) == {
        "background",
        "mean_confidence",
        "class_coverage",
        "class_histogram",
        "frechet_distance",
        "inception_score",
    }, f"unexpected keys {sorted(report)}"
    assert report["mean_confidence"] > 0.95, f"real digits should be classified confidently, got {report}"
    assert sum(report["class_histogram"]) == pytest.approx(1), "the class shares should sum to 1"
    assert report["background"] == -1.0, f"real digits' border rows are black (-1), got {report['background']}"


def test_predict_rejects_images_of_the_wrong_shape(classifier):
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        predict(torch.zeros(4, 28, 28), classifier)


def test_failure_message_names_a_grey_background_and_the_digits_a_collapsed_generator_makes(
    split, classifier, held_out_features
):
    """The likely causes read from the samples: real images not rescaled leave a grey background; few digits
    in most samples are mode collapse."""
    ones = split.train_images[split.train_labels == 1][:300]
    grey = to_model_range(ones) * 0.5 + 0.5  # [0, 1]: what a generator learns from real images not rescaled
    report = assess(grey, classifier, held_out_features)
    thresholds = {"mean_confidence": 0.7, "inception_score": 4.0, "class_coverage": 8, "frechet_distance": 250.0}
    message = shortfall(report, thresholds, "realism")
    assert "background is grey (0.00 in [-1, 1]" in message, f"the grey background should be named: {message}"
    message = shortfall(assess(to_model_range(ones), classifier, held_out_features), thresholds, "coverage")
    assert "Most samples are read as 1 (100%): a generator" in message, f"the collapse should be named: {message}"
    assert "background" not in message, f"black backgrounds are right: {message}"
    real = assess(training_digits(split, 500), classifier, held_out_features)
    assert likely_causes(real, 8) == "", f"real digits suggest no cause, got {likely_causes(real, 8)!r}"


def labels_in_the_picture(samples, split, classifier) -> np.ndarray:
    """The reference classifier's label of each of the 64 samples the sample checks' picture shows, read back
    from the picture's PNG (what a student sees), not from the samples."""
    import io

    from PIL import Image

    from autograder.checks.pictures import grid_tiles
    from autograder.checks.sample_quality import draw_samples

    drawn = []
    report = {"inception_score": 1.0, "class_coverage": 1, "frechet_distance": 999.0, "mean_confidence": 0.5}
    bars = {"inception_score": 4.0, "class_coverage": 8, "frechet_distance": 250.0, "mean_confidence": 0.7}
    draw_samples(lambda *picture: drawn.append(picture), samples, split.test_images, report, bars)
    ((_, png, caption),) = drawn
    assert "Inception Score 1.00 (the bar: at least 4.0)" in caption, caption
    tiles = grid_tiles(np.asarray(Image.open(io.BytesIO(png))), 64)
    return predict(tiles[:, None] * 2 - 1, classifier)[0].argmax(axis=1)


def test_the_picture_of_a_collapsed_generator_shows_one_digit_and_of_varied_samples_many(split):
    classifier = load_reference_classifier()
    seven = split.test_images[split.test_labels == 7][0]
    collapsed = to_model_range(np.repeat(seven[None], 64, axis=0)).numpy()  # one digit, 64 times
    labels = labels_in_the_picture(collapsed, split, classifier)
    assert set(labels.tolist()) == {7}, f"a collapsed generator's picture shows one digit, read as {labels}"
    varied = to_model_range(split.test_images[:64]).numpy()
    labels = labels_in_the_picture(varied, split, classifier)
    assert len(set(labels.tolist())) == 10, f"varied samples' picture shows every digit, read as {labels}"


def lab6_bars() -> dict:
    """THRESHOLDS of lab6's conditional sample checks (grading_tests/lab6_dcgan_cgan/test_train_cgan.py)."""
    path = os.path.join(KIT, "grading_tests", "lab6_dcgan_cgan", "test_train_cgan.py")
    spec = importlib.util.spec_from_file_location("lab6_cgan_checks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.THRESHOLDS


ORIGINAL = {"copied_share": 0.0, "unchanged_share": 0.0}


def test_real_digits_asked_as_their_labels_pass_every_conditional_measure_and_shuffled_labels_fail_the_labels(
    split, classifier, held_out_features
):
    """Real training digits, "asked for" as their own labels, are what a perfect conditional generator makes: read
    as asked, near real images of their digit; the same digits with the labels shuffled are as realistic but
    ignore what was asked, the mark of a generator that ignores its label."""
    bars = lab6_bars()
    images, labels = training_digits(split), split.train_labels[:2000]
    right = {**assess_conditional(images, labels, classifier, held_out_features, split.test_labels), **ORIGINAL}
    assert right["conditional_accuracy"] > 0.97 and min(right["digit_accuracies"]) > 0.9, right["digit_accuracies"]
    assert digits_drawn(right, bars["min_digit_accuracy"]) == 10
    assert np.mean(right["class_frechet_distances"]) < 60, right["class_frechet_distances"]
    for aspect in ("asked", "digits", "realism"):
        assert conditional_shortfall(right, bars, aspect) is None, f"real digits should pass {aspect}"
    shuffled = np.random.default_rng(0).permutation(labels)
    wrong = {**assess_conditional(images, shuffled, classifier, held_out_features, split.test_labels), **ORIGINAL}
    assert wrong["conditional_accuracy"] < 0.15, wrong["conditional_accuracy"]
    within = np.mean(wrong["class_frechet_distances"])
    assert within > bars["class_frechet_distance"], f"shuffled labels: far from each digit's real images, {within:.0f}"
    assert "the label does not steer the generator" in conditional_shortfall(wrong, bars, "asked")
    assert digits_drawn(wrong, bars["min_digit_accuracy"]) == 0, wrong["digit_accuracies"]
    assert "intra-class Fréchet distance" in conditional_shortfall(wrong, bars, "digits")
    assert conditional_shortfall(wrong, bars, "realism") is None, "shuffled labels: the images are still real"
    copied = {**right, "copied_share": 0.5}
    assert "copies of real images" in conditional_shortfall(copied, bars, "realism"), "copies fail every aspect"
