"""How good are a GAN's MNIST samples? Measures computed with the kit's reference classifier, on the grader's side.

    classifier = load_reference_classifier()
    real_features = digit_features(held_out_digits, classifier)  # once: uint8 (M, 28, 28) real digits
    report = assess(samples, classifier, real_features)        # samples: (N, 1, 28, 28) in [-1, 1]
    report.update(originality(samples, redrawn, seen, 0.08))    # copies of real images, noise ignored

Images are float tensors (N, 1, 28, 28) with values in [-1, 1], the range of a Tanh generator (real digits are
uint8 / 127.5 - 1, see `to_model_range`). The measures take the classifier's outputs as float64 NumPy arrays:
probabilities (N, 10) and feature-layer activations (N, FEATURES). scripts/train_reference_classifier.py trains
the classifier; data/reference_classifier/CALIBRATION.md says what values real data, broken generators and the
reference GAN get.
"""

import os
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from autograder.checks.pictures import digit_grid, digits_png, png

KIT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REFERENCE_WEIGHTS = os.path.join(KIT, "data", "reference_classifier", "classifier.pt")
FEATURES = 128
CLASSES = 10


class ReferenceClassifier(nn.Module):
    """A small CNN: images (N, 1, 28, 28) in [-1, 1] -> logits (N, 10); `features` gives the (N, 128) layer below."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 16 x 14 x 14
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 32 x 7 x 7
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, FEATURES),
            nn.ReLU(),
        )
        self.head = nn.Linear(FEATURES, CLASSES)

    def features(self, images):
        return self.body(images)

    def forward(self, images):
        return self.head(self.body(images))


def to_model_range(images):
    """uint8 digits (N, 28, 28) in 0..255 -> float32 tensor (N, 1, 28, 28) in [-1, 1]."""
    return torch.from_numpy(np.asarray(images, dtype=np.float32) / 127.5 - 1).unsqueeze(1)


def load_reference_classifier(path=REFERENCE_WEIGHTS):
    """The reference classifier with the weights at `path` (a state_dict), in eval mode on the CPU."""
    classifier = ReferenceClassifier()
    classifier.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return classifier.eval()


@torch.no_grad()
def predict(samples, classifier, batch_size=500):
    """(probabilities (N, 10), features (N, 128)), float64 arrays, for images (N, 1, 28, 28) in [-1, 1]."""
    samples = torch.as_tensor(samples, dtype=torch.float32).cpu()
    if samples.dim() != 4 or samples.shape[1:] != (1, 28, 28):
        raise ValueError(f"expected images of shape (N, 1, 28, 28), got {tuple(samples.shape)}")
    probabilities, features = [], []
    for batch in samples.split(batch_size):
        hidden = classifier.features(batch)
        features.append(hidden.double())
        probabilities.append(torch.softmax(classifier.head(hidden).double(), dim=1))
    return torch.cat(probabilities).numpy(), torch.cat(features).numpy()


def digit_features(digits, classifier):
    """Feature-layer activations (M, 128), float64, of real uint8 digits (M, 28, 28): the reference for
    `frechet_distance`."""
    return predict(to_model_range(digits), classifier)[1]


def mean_confidence(probabilities):
    """The mean over samples of the largest class probability: near 1 for clear digits, 0.1 at worst."""
    return float(probabilities.max(axis=1).mean())


def class_histogram(probabilities):
    """The share of samples predicted as each class (argmax): an array (10,) summing to 1."""
    return np.bincount(probabilities.argmax(axis=1), minlength=probabilities.shape[1]) / len(probabilities)


def class_coverage(probabilities, min_share=0.02):
    """How many classes get at least `min_share` of the argmax predictions (0..10).

    A class counts only with a fifth of its fair share (2% of 10%): the classifier's ~1% errors on real digits,
    and a collapsed generator's odd stray sample, land on absent classes in smaller shares than that.
    """
    return int((class_histogram(probabilities) >= min_share).sum())


def inception_score(probabilities):
    """exp(mean over samples of KL(p(y|x) || p(y))), p(y) the mean prediction: from 1 (one class, or unsure
    predictions) to 10 (confident predictions spread evenly over the classes). One split over all samples."""
    marginal = probabilities.mean(axis=0)
    # x log x with 0 log 0 = 0: confident predictions have exact zeros.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.where(probabilities > 0, np.log(probabilities) - np.log(marginal), 0.0)
    return float(np.exp((probabilities * log_ratio).sum(axis=1).mean()))


def _psd_sqrt(matrix):
    """The square root of a symmetric positive semi-definite matrix (rounding's negative eigenvalues as 0)."""
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(features_a, features_b):
    """The Fréchet distance between Gaussians fitted to two sets of features (N_a, D) and (N_b, D), float64.

    |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2)), in squared feature units; 0 for equal sets.
    tr((S_a S_b)^(1/2)) is computed as tr((R S_b R)^(1/2)) with R = S_a^(1/2): the same eigenvalues, but of a
    symmetric matrix, which avoids the complex round-off of a general matrix square root.
    """
    a, b = np.asarray(features_a, dtype=np.float64), np.asarray(features_b, dtype=np.float64)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root_a = _psd_sqrt(cov_a)
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ cov_b @ root_a), 0, None)).sum()
    mean_gap = a.mean(axis=0) - b.mean(axis=0)
    return float(max(mean_gap @ mean_gap + np.trace(cov_a) + np.trace(cov_b) - 2 * cross, 0.0))


def nearest_distances(samples, seen, batch_size=500):
    """The RMS pixel distance, in [-1, 1] units (0 for an exact copy, about 0.5-0.7 between two different
    digits), from each sample (N, 1, 28, 28) in [-1, 1] to its nearest image among `seen`, uint8 (M, 28, 28):
    a float64 array (N,)."""
    bank = to_model_range(seen).flatten(1)
    bank_norms = (bank * bank).sum(dim=1)
    nearest = []
    # float32 (a tenth of float64's time): its rounding, about 1e-4 on a squared distance, is 4e-4 RMS at most
    for batch in torch.as_tensor(samples, dtype=torch.float32).cpu().flatten(1).split(batch_size):
        squared = (batch * batch).sum(dim=1, keepdim=True) + bank_norms - 2 * batch @ bank.T
        nearest.append(squared.min(dim=1).values.clamp(min=0))
    return (torch.cat(nearest).double() / bank.shape[1]).sqrt().numpy()


def originality(samples, redrawn, seen, max_distance):
    """How much of a generator's output is its own. samples (N, 1, 28, 28) in [-1, 1], drawn on one noise;
    redrawn (K, 1, 28, 28), K <= N, the same generator on other noise; seen: uint8 (M, 28, 28), every image the
    generator could have been handed. Returns {"copied_share": the share of samples within `max_distance` (RMS,
    see `nearest_distances`) of an image in `seen`, "unchanged_share": the share of redrawn images within
    `max_distance` of the sample drawn at the same place on the first noise}."""
    redrawn = torch.as_tensor(redrawn, dtype=torch.float32).cpu().flatten(1)
    first = torch.as_tensor(samples[: len(redrawn)], dtype=torch.float32).cpu().flatten(1)
    apart = (redrawn - first).pow(2).mean(dim=1).sqrt()
    return {
        "copied_share": float((nearest_distances(samples, seen) <= max_distance).mean()),
        "unchanged_share": float((apart <= max_distance).double().mean()),
    }


def assess(samples, classifier, real_features):
    """All measures for images (N, 1, 28, 28) in [-1, 1], against features (M, 128) of real digits.

    Returns {"mean_confidence", "class_coverage", "class_histogram" (list of 10 shares), "frechet_distance",
    "inception_score", "background"}.
    """
    return measures_of(samples, *predict(samples, classifier), real_features)


def measures_of(samples, probabilities, features, real_features) -> dict:
    """`assess`'s measures of images (N, 1, 28, 28) from the classifier's probabilities (N, 10) and features (N, 128)."""
    return {
        "background": background_level(samples),
        "mean_confidence": mean_confidence(probabilities),
        "class_coverage": class_coverage(probabilities),
        "class_histogram": class_histogram(probabilities).tolist(),
        "frechet_distance": frechet_distance(features, real_features),
        "inception_score": inception_score(probabilities),
    }


def background_level(samples) -> float:
    """The median of the top and bottom three rows of images (N, 1, 28, 28) in [-1, 1]: -1 (black) for real digits."""
    samples = torch.as_tensor(samples)
    return float(torch.cat([samples[..., :3, :].flatten(), samples[..., -3:, :].flatten()]).median())


GREY_BACKGROUND = -0.5  # a sample background above this is grey, not black (real digits: -1)
COLLAPSED_SHARE = 0.4  # one digit read in more than this share of the samples: the generator favours it


def likely_causes(report, min_coverage) -> str:
    """What the samples themselves suggest went wrong, as sentences for a failure message ("" when nothing)."""
    causes = []
    if report.get("background", -1.0) > GREY_BACKGROUND:
        causes.append(
            f"The samples' background is grey ({report['background']:.2f} in [-1, 1]; real digits' is -1, black): the "
            "generator learns the range of the real images the discriminator sees, so check that those were rescaled "
            "to the generator's range (images * 2 - 1 for a tanh generator) and that the generator's last layer "
            "gives that range."
        )
    shares = report["class_histogram"]
    if report["class_coverage"] < min_coverage or max(shares) > COLLAPSED_SHARE:
        common = [digit for digit in sorted(range(len(shares)), key=lambda d: -shares[d])[:3] if shares[digit] >= 0.02]
        read_as = ", ".join(f"{digit} ({shares[digit]:.0%})" for digit in common)
        causes.append(
            f"Most samples are read as {read_as}: a generator that makes few kinds of digit has collapsed onto the "
            "images that fooled its discriminator (look at a grid of samples; a discriminator that wins outright, "
            "its loss near 0, often comes first)."
        )
    return " ".join(causes)


def reference_for(lab_data):
    """(reference classifier, features (M, 128) of the lab's held-out real digits): what the GAN checks judge
    samples with, loaded once per grader process. Raises GraderError for a data set other than MNIST."""
    if lab_data.dataset != "mnist":
        from autograder.errors import GraderError

        raise GraderError(f"the GAN checks' reference classifier knows MNIST digits only, not {lab_data.dataset!r}")
    return _reference(lab_data.release_dir, lab_data.data_dir, lab_data.dataset)


@lru_cache(maxsize=1)
def _reference(release_dir, data_dir, dataset):
    from autograder.checks.lab_data import LabData

    classifier = load_reference_classifier()
    return classifier, digit_features(LabData(release_dir, data_dir, dataset).mnist().test_images, classifier)


def summary(report) -> str:
    """One line of an `assess` report, for a check's failure message."""
    shares = ", ".join(f"{digit}: {share:.0%}" for digit, share in enumerate(report["class_histogram"]))
    return (
        f"mean confidence {report['mean_confidence']:.3f}, {report['class_coverage']} digits present ({shares}), "
        f"Fréchet distance {report['frechet_distance']:.1f}"
    )


def shortfall(report, thresholds, aspect) -> str | None:
    """Why an `assess` report misses the thresholds of one aspect of the samples, or None when it meets them.

    aspect: "digits" (inception_score and mean_confidence), "coverage" (class_coverage) or "realism"
    (frechet_distance); thresholds: a dict with those four keys, and optionally "copy_distance" and
    "max_copied_share": then the report's `originality` shares fail every aspect when either exceeds the latter.
    """
    t, yours = thresholds, f"your generator's samples: {summary(report)}"
    causes = likely_causes(report, t["class_coverage"])
    if causes:
        yours += ". " + causes
    if "max_copied_share" in t:  # a generator that copies images, or ignores its noise, fails every aspect
        copied = copies_shortfall(report, t)
        if copied:
            return copied
    if aspect == "digits":
        if report["inception_score"] >= t["inception_score"] and report["mean_confidence"] >= t["mean_confidence"]:
            return None
        return (
            f"the reference classifier should read your samples as clear digits of many kinds: an Inception Score "
            f"of at least {t['inception_score']:.1f} (got {report['inception_score']:.2f}) and a mean confidence of "
            f"at least {t['mean_confidence']:.2f}; {yours}"
        )
    if aspect == "coverage":
        if report["class_coverage"] >= t["class_coverage"]:
            return None
        return (
            f"at least {t['class_coverage']} of the ten digits should each make up 2% or more of the samples "
            f"(fewer is the sign of mode collapse); {yours}"
        )
    if aspect == "realism":
        if report["frechet_distance"] <= t["frechet_distance"]:
            return None
        return (
            f"the Fréchet distance between your samples and real digits, in the reference classifier's features, "
            f"should be at most {t['frechet_distance']:.0f}; {yours}"
        )
    raise ValueError(f"unknown aspect {aspect!r}")


SAMPLES_TITLE = "Your generator's samples (left) beside real digits (right)"


def measures_caption(report, thresholds) -> str:
    """The measures of an `assess` report beside the bars of `thresholds`, as one sentence."""
    t = thresholds
    return (
        f"Inception Score {report['inception_score']:.2f} (the bar: at least {t['inception_score']:.1f}); "
        f"{report['class_coverage']} of the ten digits make up 2% or more of the samples (at least "
        f"{t['class_coverage']}); Fréchet distance to real digits {report['frechet_distance']:.1f} (at most "
        f"{t['frechet_distance']:.0f}); mean confidence {report['mean_confidence']:.2f} (at least "
        f"{t['mean_confidence']:.2f})"
    )


def draw_samples(picture, samples, real_images, report, thresholds) -> None:
    """The sample checks' picture for the feedback (the `picture` fixture): the first 64 samples (N, 1, 28, 28) in
    [-1, 1] beside 64 real digits (uint8 (M, 28, 28)), captioned with the measures and their bars."""
    real = np.asarray(real_images, dtype=np.float32) / 255
    picture(SAMPLES_TITLE, digits_png((np.asarray(samples) + 1) / 2, real), measures_caption(report, thresholds))


# --- a conditional generator: samples drawn for asked digits --------------------------------------------------


def digit_accuracies(probabilities, asked):
    """For each digit k, the share of the samples asked to show k that the classifier reads as k: an array (10,)
    (NaN for a digit never asked). probabilities (N, 10); asked: int (N,)."""
    read, asked = probabilities.argmax(axis=1), np.asarray(asked)
    return np.array([(read[asked == k] == k).mean() if (asked == k).any() else np.nan for k in range(CLASSES)])


def class_frechet_distances(features, asked, real_features, real_labels):
    """For each digit k, the Fréchet distance between the features of the samples asked to show k and those of
    the real digits k: an array (10,). features (N, 128), asked int (N,); real_features (M, 128), real_labels (M,)."""
    asked, real_labels = np.asarray(asked), np.asarray(real_labels)
    return np.array([frechet_distance(features[asked == k], real_features[real_labels == k]) for k in range(CLASSES)])


def assess_conditional(samples, asked, classifier, real_features, real_labels):
    """The measures of a conditional generator's images (N, 1, 28, 28) in [-1, 1] drawn for the digits `asked`
    (int (N,)), against the features (M, 128) and labels (M,) of real digits: `assess`'s, and
    "conditional_accuracy" (the share read as the asked digit), "digit_accuracies" (10 shares, one per digit) and
    "class_frechet_distances" (10 distances, each digit's samples to the real images of that digit)."""
    probabilities, features = predict(samples, classifier)
    return {
        **measures_of(samples, probabilities, features, real_features),
        "conditional_accuracy": float((probabilities.argmax(axis=1) == np.asarray(asked)).mean()),
        "digit_accuracies": digit_accuracies(probabilities, asked).tolist(),
        "class_frechet_distances": class_frechet_distances(features, asked, real_features, real_labels).tolist(),
    }


def digits_drawn(report, min_accuracy) -> int:
    """How many digits an `assess_conditional` report's samples show as asked in at least `min_accuracy` of the
    samples asked for them (0..10): a generator that ignores its label shows none, one that drops a digit 9."""
    return int(sum(accuracy >= min_accuracy for accuracy in report["digit_accuracies"]))


def copies_shortfall(report, thresholds) -> str | None:
    """Why samples fail every sample check when they copy real images or ignore the noise (`originality`'s
    shares over thresholds["max_copied_share"]), else None."""
    t = thresholds
    if report["copied_share"] > t["max_copied_share"]:
        return (
            f"{report['copied_share']:.0%} of your generator's samples are copies of real images (within "
            f"{t['copy_distance']} RMS of one): a GAN makes new images, it does not hand back the data it "
            f"was trained on (at most {t['max_copied_share']:.0%} may be that close)"
        )
    if report["unchanged_share"] > t["max_copied_share"]:
        return (
            f"{report['unchanged_share']:.0%} of your generator's images stay the same when its noise z "
            f"changes: a generator's image should depend on its noise (at most "
            f"{t['max_copied_share']:.0%} may stay within {t['copy_distance']} RMS)"
        )
    return None


def conditional_summary(report) -> str:
    """One line of an `assess_conditional` report, for a check's failure message."""
    shares = ", ".join(f"{digit}: {share:.0%}" for digit, share in enumerate(report["digit_accuracies"]))
    return (
        f"read as the asked digit: {report['conditional_accuracy']:.0%} overall ({shares}); Fréchet distance "
        f"{report['frechet_distance']:.1f} overall, {np.mean(report['class_frechet_distances']):.1f} within the digits "
        f"(the mean of {', '.join(f'{d:.0f}' for d in report['class_frechet_distances'])})"
    )


def conditional_shortfall(report, thresholds, aspect) -> str | None:
    """Why an `assess_conditional` report (with `originality`'s shares) misses the thresholds of one aspect, or
    None. aspect: "asked" (conditional_accuracy), "digits" (digits_drawn: how many digits must be read as asked in
    at least min_digit_accuracy of their samples; class_frechet_distance: the bar of the mean over the digits of
    each digit's samples' distance to real images of that digit, the intra-class Fréchet distance) or "realism"
    (frechet_distance, all samples)."""
    copied = copies_shortfall(report, thresholds)
    if copied:
        return copied
    t, yours = thresholds, f"your conditional generator's samples: {conditional_summary(report)}"
    if report["conditional_accuracy"] < 0.2:
        yours += (
            ". Samples that are digits but rarely the asked ones mean the label does not steer the generator: check "
            "that G uses its labels, that D is given the labels of the images it judges (the real images' own, "
            "the fakes' asked ones) in both steps"
        )
    if aspect == "asked":
        if report["conditional_accuracy"] >= t["conditional_accuracy"]:
            return None
        return f"at least {t['conditional_accuracy']:.0%} of the samples should be read as the digit asked for; {yours}"
    if aspect == "digits":
        drawn = digits_drawn(report, t["min_digit_accuracy"])
        within = float(np.mean(report["class_frechet_distances"]))
        if drawn >= t["digits_drawn"] and within <= t["class_frechet_distance"]:
            return None
        return (
            f"at least {t['digits_drawn']} of the ten digits should each be read as asked in {t['min_digit_accuracy']:.0%} "
            f"or more of the samples asked for it (yours: {drawn}), and each digit's samples should lie near real "
            f"images of that digit: a mean over the ten digits of at most {t['class_frechet_distance']:.0f} (the "
            f"intra-class Fréchet distance; yours {within:.1f}); {yours}"
        )
    if aspect == "realism":
        if report["frechet_distance"] <= t["frechet_distance"]:
            return None
        return f"the Fréchet distance to real digits should be at most {t['frechet_distance']:.0f}; {yours}"
    raise ValueError(f"unknown aspect {aspect!r}")


CONDITIONAL_TITLE = "Your conditional generator's samples: column k was asked for digit k"


def draw_conditional_samples(picture, samples, asked, report, thresholds) -> None:
    """The conditional checks' picture: 8 samples (N, 1, 28, 28) in [-1, 1] of each asked digit (`asked`, int
    (N,)), one column per digit, captioned with the measures and their bars."""
    asked = np.asarray(asked)
    order = np.concatenate([np.flatnonzero(asked == k)[:8] for k in range(CLASSES)]).reshape(CLASSES, -1).T.ravel()
    t = thresholds
    caption = (
        f"read as the asked digit: {report['conditional_accuracy']:.0%} (the bar: at least "
        f"{t['conditional_accuracy']:.0%}); digits read as asked in {t['min_digit_accuracy']:.0%} or more of their "
        f"samples: {digits_drawn(report, t['min_digit_accuracy'])} (at least {t['digits_drawn']}); Fréchet distance "
        f"{report['frechet_distance']:.1f} (at most {t['frechet_distance']:.0f}), within the digits "
        f"{np.mean(report['class_frechet_distances']):.1f} (at most {t['class_frechet_distance']:.0f})"
    )
    picture(CONDITIONAL_TITLE, png(digit_grid((np.asarray(samples)[order] + 1) / 2, columns=CLASSES)), caption)
