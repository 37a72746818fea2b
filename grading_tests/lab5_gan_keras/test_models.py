"""Hidden checks of lab5_gan_keras's build_generator and build_discriminator (grade cell test_models, 4 points):
shapes, ranges, and the discriminator compiled with binary cross-entropy."""

import numpy as np
import pytest

from autograder.checks.expect import number, numeric_array

pytestmark = pytest.mark.grade_cell("test_models")


def noise(n, latent_dim=100, seed=0):
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def images(n, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, size=(n, 28, 28)).astype(np.float32)


def output(sub, model, inputs, what):
    """The model's output for `inputs` (training=False) as a NumPy array."""
    return numeric_array(sub.call("_ag_array", model(inputs, training=False)), what)


def bce(scores, labels):
    """Binary cross-entropy in float64, averaged over the batch, with Keras's clipping of the scores."""
    p = np.clip(np.asarray(scores, dtype=np.float64).ravel(), 1e-7, 1 - 1e-7)
    y = np.asarray(labels, dtype=np.float64).ravel()
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@pytest.mark.points(1)
def test_generator_maps_noise_to_images(sub, kernel_code):
    """build_generator(latent_dim) maps noise (B, latent_dim) to images (B, 28, 28), for any latent_dim"""
    for latent_dim, batch in ((100, 16), (100, 1), (16, 3)):
        generator = sub.call("build_generator", latent_dim)
        what = f"build_generator({latent_dim}) on noise of shape ({batch}, {latent_dim})"
        out = output(sub, generator, noise(batch, latent_dim), what)
        assert out.shape == (batch, 28, 28), f"{what} should give images of shape ({batch}, 28, 28), got {out.shape}"


@pytest.mark.points(1)
def test_generator_output_is_in_zero_one(sub, kernel_code):
    """the generator's images are in [0, 1], the range of the data (a sigmoid output), and depend on the noise"""
    out = output(sub, sub.call("build_generator", 100), noise(64), "build_generator(100) on noise of shape (64, 100)")
    assert out.min() >= 0 and out.max() <= 1, (
        f"the generator's pixels should lie in [0, 1] like the training images (a sigmoid output), got values from "
        f"{out.min():.3f} to {out.max():.3f}"
    )
    assert np.ptp(out.reshape(len(out), -1), axis=0).max() > 0, (
        "the generator gives the same image for every noise vector"
    )


@pytest.mark.points(1)
def test_discriminator_outputs_probabilities(sub, kernel_code):
    """build_discriminator() maps images (B, 28, 28) to probabilities (B, 1) in [0, 1]"""
    discriminator = sub.call("build_discriminator")
    for batch in (16, 1):
        what = f"build_discriminator() on images of shape ({batch}, 28, 28)"
        out = output(sub, discriminator, images(batch, seed=batch), what)
        assert out.shape == (batch, 1), f"{what} should give scores of shape ({batch}, 1), got {out.shape}"
        assert np.all((out >= 0) & (out <= 1)), (
            f"{what} should give probabilities in [0, 1] (a sigmoid output), got values from {out.min():.3f} to {out.max():.3f}"
        )


@pytest.mark.points(1)
def test_discriminator_is_compiled_with_binary_cross_entropy(sub, kernel_code):
    """build_discriminator() returns a compiled model whose loss is the binary cross-entropy of its scores"""
    discriminator = sub.call("build_discriminator")
    assert discriminator.compiled, (
        "build_discriminator() should return a compiled model (model.compile(optimizer, loss='binary_crossentropy')): "
        "train_on_batch needs it"
    )
    batch, labels = images(32, seed=3), np.tile(np.array([[1.0], [0.0]], dtype=np.float32), (16, 1))
    scores = output(sub, discriminator, batch, "build_discriminator() on 32 images")
    evaluated = discriminator.evaluate(batch, labels, verbose=0)
    loss = number(evaluated[0] if isinstance(evaluated, list) else evaluated, "discriminator.evaluate(images, labels)")
    expected = bce(scores, labels)
    assert abs(loss - expected) <= 1e-4 * max(1.0, expected), (
        f"the discriminator's loss on 32 images labelled 1, 0, 1, 0, ... should be their binary cross-entropy, "
        f"{expected:.5f}; its compiled loss gives {loss:.5f}"
    )
