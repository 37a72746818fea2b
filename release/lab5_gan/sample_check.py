"""Check your GAN's samples against the grader's bars, on your own machine, before you hand in.

    from sample_check import judge
    report = judge(samples, real_digits, "lab5_gan")   # samples (N, 28, 28) in [0, 1]; real digits uint8 or [0, 1]
    print(report)

The grader judges your generator's samples with its own reference classifier, which it keeps to itself (a
generator trained against the judge could learn to fool it instead of drawing digits). This file judges them in
the same three ways with a *public* classifier, a small network shipped beside it (`sample_check.npz`):

* the Inception Score: are the samples confidently read as digits, and as different digits?
* the class coverage: how many of the ten digits make up at least 2 % of the samples (mode collapse leaves few);
* the Fréchet distance: how far the samples lie from real digits, in the classifier's 64 features.

Two findings fail all three, as they do in the grader: samples on a grey background (the grader's classifier
reads no digits in them; real digits are drawn on black), and samples that are copies of the training images
(more than 2 % of them within 0.04 RMS, on the [0, 1] scale, of one: a GAN makes new images).

Its own bars (BARS) were calibrated so that it gives the grader's verdicts on the answer key and on typical
bugs; near a bar the two classifiers can disagree, so aim for a margin. NumPy only: it works in a TensorFlow
kernel as well as in a PyTorch one.
"""

import os
from dataclasses import dataclass

import numpy as np

WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample_check.npz")
MIN_SHARE = 0.02  # a digit counts as present when at least 2 % of the samples are read as it
GREY_BACKGROUND = 0.25  # a median border pixel above this (0 black, 1 white) is a grey background
COPY_DISTANCE, MAX_COPIED_SHARE = 0.04, 0.02  # RMS on the [0, 1] scale; the share of samples that may be that close


@dataclass(frozen=True)
class Bars:
    """What the samples must reach, measured with the public classifier (the grader's bars are in the lab's text)."""

    inception_score: float  # at least
    class_coverage: int  # at least, digits with >= MIN_SHARE of the samples
    frechet_distance: float  # at most


BARS = {
    "lab5_gan": Bars(inception_score=4.0, class_coverage=8, frechet_distance=20.0),
    "lab5_gan_keras": Bars(inception_score=4.0, class_coverage=7, frechet_distance=55.0),
}


@dataclass(frozen=True)
class Report:
    """The measures of one set of samples, and the lab's bars they are held to."""

    lab: str
    inception_score: float
    class_shares: tuple  # the share of the samples read as each digit 0..9
    frechet_distance: float
    background: float  # the median of the samples' top and bottom rows, in [0, 1]: real digits have 0 (black)
    copied_share: float  # the share of the samples within COPY_DISTANCE of a training image
    bars: Bars

    @property
    def class_coverage(self) -> int:
        return sum(share >= MIN_SHARE for share in self.class_shares)

    @property
    def valid(self) -> bool:
        """False when the samples have a grey background or copy the training images: every bar fails."""
        return self.background <= GREY_BACKGROUND and self.copied_share <= MAX_COPIED_SHARE

    @property
    def passes(self) -> dict:
        """{measure: True when it clears its bar}."""
        return {
            "inception_score": self.valid and self.inception_score >= self.bars.inception_score,
            "class_coverage": self.valid and self.class_coverage >= self.bars.class_coverage,
            "frechet_distance": self.valid and self.frechet_distance <= self.bars.frechet_distance,
        }

    def hints(self) -> list:
        """Likely causes of a failed bar, read from the samples."""
        found = []
        if self.copied_share > MAX_COPIED_SHARE:
            found.append(
                f"{self.copied_share:.0%} of the samples are copies of training images: a GAN must make new images"
            )
        if self.background > GREY_BACKGROUND:
            found.append(
                f"the samples' background is grey ({self.background:.2f} on a scale where black is 0 and white 1), "
                "real digits' is black: were the real images rescaled to the generator's range (lab5_gan: "
                "images * 2 - 1, with a tanh generator), and does the generator's last layer give that range?"
            )
        if not self.passes["class_coverage"] or max(self.class_shares) > 0.4:
            common = sorted(range(10), key=lambda digit: -self.class_shares[digit])[:3]
            shares = ", ".join(f"{digit} ({self.class_shares[digit]:.0%})" for digit in common)
            found.append(f"most samples are read as {shares}: a generator that makes few kinds of digit has collapsed")
        return found

    def __str__(self):
        b, ok = self.bars, self.passes
        mark = {True: "passes", False: "FAILS"}
        lines = [
            f"Inception Score   {self.inception_score:6.2f}   bar >= {b.inception_score:.1f}   {mark[ok['inception_score']]}",
            f"digits present    {self.class_coverage:6d}   bar >= {b.class_coverage}     {mark[ok['class_coverage']]}",
            f"Fréchet distance  {self.frechet_distance:6.1f}   bar <= {b.frechet_distance:.0f}    {mark[ok['frechet_distance']]}",
            "shares of the digits: " + ", ".join(f"{d}: {s:.0%}" for d, s in enumerate(self.class_shares)),
        ]
        lines += [f"hint: {hint}" for hint in self.hints()]
        return "\n".join(lines)


def load_classifier(path=WEIGHTS) -> dict:
    """The public classifier's weights: W1 (784, 128), b1, W2 (128, 64), b2, W3 (64, 10), b3, float32."""
    with np.load(path) as weights:
        return {name: weights[name].astype(np.float64) for name in weights.files}


def classify(images, weights) -> tuple:
    """Images (N, 28, 28) in [0, 1] -> (probabilities (N, 10), features (N, 64)), float64.

    The network reads pixels in [-1, 1]: Linear 784 -> 128, ReLU, Linear 128 -> 64, ReLU (the features),
    Linear 64 -> 10, softmax.
    """
    x = np.asarray(images, dtype=np.float64).reshape(len(images), 784) * 2 - 1
    hidden = np.maximum(x @ weights["W1"] + weights["b1"], 0)
    features = np.maximum(hidden @ weights["W2"] + weights["b2"], 0)
    logits = features @ weights["W3"] + weights["b3"]
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    return probabilities / probabilities.sum(axis=1, keepdims=True), features


def inception_score(probabilities) -> float:
    """exp(mean KL(p(y|x) || p(y))) of probabilities (N, 10): 1 for one class or no confidence, 10 at best."""
    marginal = probabilities.mean(axis=0, keepdims=True)
    log_ratio = np.log(np.clip(probabilities, 1e-12, None)) - np.log(np.clip(marginal, 1e-12, None))
    return float(np.exp((probabilities * log_ratio).sum(axis=1).mean()))


def frechet_distance(features_a, features_b) -> float:
    """The Fréchet distance between Gaussians fitted to two sets of features (N, F) and (M, F)."""
    mean_gap = features_a.mean(axis=0) - features_b.mean(axis=0)
    cov_a, cov_b = np.cov(features_a, rowvar=False), np.cov(features_b, rowvar=False)
    # trace of sqrt(cov_a cov_b): the eigenvalues of cov_a cov_b are those of a symmetric PSD matrix
    eigenvalues = np.linalg.eigvals(cov_a @ cov_b).real
    cross = np.sqrt(np.clip(eigenvalues, 0, None)).sum()
    return float(max(mean_gap @ mean_gap + np.trace(cov_a) + np.trace(cov_b) - 2 * cross, 0.0))


def as_unit_range(images) -> np.ndarray:
    """uint8 digits (0..255) or floats in [0, 1], shape (N, 28, 28) or (N, 1, 28, 28) -> float64 (N, 28, 28)."""
    images = np.asarray(images)
    scaled = images / 255.0 if images.dtype == np.uint8 else images.astype(np.float64)
    return np.clip(scaled.reshape(len(images), 28, 28), 0, 1)


def copied_share(samples, seen, batch_size=500) -> float:
    """The share of samples (N, 28, 28) within COPY_DISTANCE RMS of one of the images `seen` (M, 28, 28), all in [0, 1]."""
    bank = seen.reshape(len(seen), -1)
    bank_norms = (bank**2).sum(axis=1)
    nearest = []
    for start in range(0, len(samples), batch_size):
        part = samples[start : start + batch_size].reshape(-1, bank.shape[1])
        squared = (part**2).sum(axis=1)[:, None] + bank_norms[None, :] - 2 * part @ bank.T
        nearest.append(np.sqrt(np.clip(squared.min(axis=1), 0, None) / bank.shape[1]))
    return float((np.concatenate(nearest) <= COPY_DISTANCE).mean())


def judge(samples, real_digits, lab, seen=None, weights=None) -> Report:
    """The Report of `samples` against `real_digits` (both (N, 28, 28), uint8 or floats in [0, 1]) for `lab`;
    `seen`: the training images, in the same form, to find copies among the samples (None: not looked for)."""
    weights = weights or load_classifier()
    samples, real_digits = as_unit_range(samples), as_unit_range(real_digits)
    probabilities, features = classify(samples, weights)
    _, real_features = classify(real_digits, weights)
    shares = np.bincount(probabilities.argmax(axis=1), minlength=10) / len(samples)
    border = np.concatenate([samples[:, :3].ravel(), samples[:, -3:].ravel()])
    return Report(
        lab=lab,
        inception_score=inception_score(probabilities),
        class_shares=tuple(float(share) for share in shares),
        frechet_distance=frechet_distance(features, real_features),
        background=float(np.median(border)),
        copied_share=0.0 if seen is None else copied_share(samples, as_unit_range(seen)),
        bars=BARS[lab],
    )
