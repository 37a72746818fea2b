"""Hidden checks of lab6's CondGenerator and CondDiscriminator (grade cell test_cgan_models, 4 points): shapes,
ranges, and that the label enters each network (in eval mode, so that no batch statistic mixes the samples)."""

import numpy as np
import pytest

from autograder.checks.expect import numeric_array

pytestmark = pytest.mark.grade_cell("test_cgan_models")

DIGITS = np.arange(10, dtype=np.int64)
OTHER_DIGITS = (DIGITS + 3) % 10


def noise(n, seed=0):
    return np.random.default_rng(seed).standard_normal((n, 100)).astype(np.float32)


def images(n, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, 1, 28, 28)).astype(np.float32)


def made(sub, labels, z_seed=0):
    generator = sub.call("CondGenerator")
    generator.eval()
    what = f"CondGenerator()(z of shape ({len(labels)}, 100), labels {labels.tolist()})"
    return generator, numeric_array(generator(sub.tensor(noise(len(labels), z_seed)), sub.tensor(labels)), what)


@pytest.mark.points(1)
def test_cond_generator_maps_noise_and_labels_to_images(sub):
    """CondGenerator()(z, labels) maps z (B, 100) and int64 labels (B,) to images (B, 1, 28, 28) in [-1, 1]"""
    for labels in (DIGITS, np.array([7])):
        _, out = made(sub, labels)
        assert out.shape == (len(labels), 1, 28, 28), (
            f"CondGenerator()(z, labels) for {len(labels)} labels should have shape ({len(labels)}, 1, 28, 28), got {out.shape}"
        )
        assert out.min() >= -1 - 1e-6 and out.max() <= 1 + 1e-6, (
            f"the conditional generator's pixels should lie in [-1, 1], got {out.min():.3f} to {out.max():.3f}"
        )


@pytest.mark.points(1)
def test_cond_generator_image_depends_on_the_label(sub):
    """the same z with other labels gives other images: the label enters the generator"""
    generator, first = made(sub, DIGITS)
    other = numeric_array(
        generator(sub.tensor(noise(10)), sub.tensor(OTHER_DIGITS)), "CondGenerator()(the same z, other labels)"
    )
    changed = np.abs(first - other).reshape(10, -1).max(axis=1)
    assert (changed > 1e-4).all(), (
        f"CondGenerator gave the same image for {int((changed <= 1e-4).sum())} of 10 codes z when only the label "
        "changed: the label must enter the generator (an embedding concatenated to z, say)"
    )


@pytest.mark.points(1)
def test_cond_discriminator_outputs_probabilities(sub):
    """CondDiscriminator()(images, labels) maps (B, 1, 28, 28) and labels (B,) to probabilities (B, 1) in [0, 1]"""
    discriminator = sub.call("CondDiscriminator")
    discriminator.eval()
    for labels in (DIGITS, np.array([4])):
        what = f"CondDiscriminator()(images of shape ({len(labels)}, 1, 28, 28), labels)"
        out = numeric_array(discriminator(sub.tensor(images(len(labels)) * 100), sub.tensor(labels)), what)
        assert out.shape == (len(labels), 1), f"{what} should have shape ({len(labels)}, 1), got {out.shape}"
        assert out.min() >= 0 and out.max() <= 1, f"{what} should be probabilities in [0, 1] (end with a sigmoid)"


@pytest.mark.points(1)
def test_cond_discriminator_score_depends_on_the_label(sub):
    """the same images with other labels get other scores: the label enters the discriminator"""
    discriminator = sub.call("CondDiscriminator")
    discriminator.eval()
    batch = sub.tensor(images(10, seed=5))
    first = numeric_array(discriminator(batch, sub.tensor(DIGITS)), "CondDiscriminator()(images, labels)")
    other = numeric_array(discriminator(batch, sub.tensor(OTHER_DIGITS)), "CondDiscriminator()(images, other labels)")
    changed = np.abs(first - other).ravel()
    assert (changed > 1e-7).all(), (
        f"CondDiscriminator gave {int((changed <= 1e-7).sum())} of 10 images the same score when only the label "
        "changed: the label must enter the discriminator (it judges whether an image shows its label)"
    )
