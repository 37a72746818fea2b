"""Hidden checks of lab5_gan's Generator and Discriminator (grade cell test_models, 4 points): shapes and ranges."""

import numpy as np
import pytest

from autograder.checks.expect import numeric_array

pytestmark = pytest.mark.grade_cell("test_models")


def noise(n, seed=0):
    return np.random.default_rng(seed).standard_normal((n, 100)).astype(np.float32)


def images(n, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, 1, 28, 28)).astype(np.float32)


def generated(sub, n):
    generator = sub.call("Generator")
    generator.eval()
    return numeric_array(generator(sub.tensor(noise(n))), f"Generator()(z of shape ({n}, 100))")


@pytest.mark.points(1)
def test_generator_maps_noise_to_images(sub):
    """Generator() maps noise z (B, LATENT_DIM = 100) to images (B, 1, 28, 28)"""
    assert sub.eval("LATENT_DIM") == 100, "LATENT_DIM should be 100"
    for batch in (16, 1):
        out = generated(sub, batch)
        assert out.shape == (batch, 1, 28, 28), (
            f"Generator()(z of shape ({batch}, 100)) should have shape ({batch}, 1, 28, 28), got {out.shape}"
        )


@pytest.mark.points(1)
def test_generator_output_spans_minus_one_to_one(sub):
    """the Generator's images are in [-1, 1], the range of the rescaled data, with dark (negative) pixels too"""
    out = generated(sub, 64)
    assert out.min() >= -1 - 1e-6 and out.max() <= 1 + 1e-6, (
        f"the generator's pixels should lie in [-1, 1] (a Tanh output), got values from {out.min():.3f} to {out.max():.3f}"
    )
    assert (out < 0).mean() > 0.05, (
        f"only {(out < 0).mean():.1%} of the generator's pixels are negative: the lab's images are in [-1, 1] "
        "(the background is -1), so the output layer should be Tanh, not Sigmoid"
    )


@pytest.mark.points(2)
def test_discriminator_outputs_probabilities(sub):
    """Discriminator() maps images (B, 1, 28, 28) to probabilities (B, 1) in [0, 1]"""
    discriminator = sub.call("Discriminator")
    discriminator.eval()
    for batch in (16, 1):
        out = numeric_array(
            discriminator(sub.tensor(images(batch, seed=batch))),
            f"Discriminator()(images of shape ({batch}, 1, 28, 28))",
        )
        assert out.shape == (batch, 1), (
            f"Discriminator()(images of shape ({batch}, 1, 28, 28)) should have shape ({batch}, 1), got {out.shape}"
        )
        assert np.all((out >= 0) & (out <= 1)), (
            f"the discriminator should return probabilities in [0, 1] (a Sigmoid output), got values from {out.min():.3f} to {out.max():.3f}"
        )
