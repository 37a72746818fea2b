"""Hidden checks of lab6's DCGenerator and DCDiscriminator (grade cell test_dcgan_models, 4 points): shapes, ranges,
and the DCGAN's layers (transposed convolutions and BatchNorm in G; strided convolutions, no pooling, in D)."""

import numpy as np
import pytest

from autograder.checks.expect import numeric_array

pytestmark = pytest.mark.grade_cell("test_dcgan_models")

# The kinds of layer a model has, and which of them its forward pass ran, by isinstance on torch's own classes.
LAYERS = """
import torch as _ag_torch

_ag_KINDS = {"ConvTranspose2d": _ag_torch.nn.ConvTranspose2d, "Conv2d": _ag_torch.nn.Conv2d,
             "BatchNorm": _ag_torch.nn.modules.batchnorm._BatchNorm, "Linear": _ag_torch.nn.Linear,
             "pooling": (_ag_torch.nn.MaxPool2d, _ag_torch.nn.AvgPool2d, _ag_torch.nn.AdaptiveAvgPool2d,
                         _ag_torch.nn.AdaptiveMaxPool2d)}


def _ag_layers_used(model, x):
    ran = {}

    def note(module, inputs, output):  # returns None: a forward hook's return value would replace the output
        ran[id(module)] = module

    hooks = [m.register_forward_hook(note) for m in model.modules()]
    try:
        model.eval()
        with _ag_torch.no_grad():
            model(x)
    finally:
        for hook in hooks:
            hook.remove()
    kinds = {kind: sum(isinstance(m, cls) for m in ran.values()) for kind, cls in _ag_KINDS.items()}
    kinds["strided Conv2d"] = sum(isinstance(m, _ag_torch.nn.Conv2d) and max(m.stride) > 1 for m in ran.values())
    return kinds
"""


def noise(n, seed=0):
    return np.random.default_rng(seed).standard_normal((n, 100)).astype(np.float32)


def images(n, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, 1, 28, 28)).astype(np.float32)


@pytest.mark.points(1)
def test_dcgenerator_maps_noise_to_images_in_minus_one_to_one(sub):
    """DCGenerator() maps noise z (B, 100) to images (B, 1, 28, 28) in [-1, 1], with dark (negative) pixels too"""
    assert sub.eval("LATENT_DIM") == 100 and sub.eval("N_CLASSES") == 10, "LATENT_DIM should be 100 and N_CLASSES 10"
    generator = sub.call("DCGenerator")
    generator.eval()
    for batch in (16, 1):
        out = numeric_array(generator(sub.tensor(noise(batch))), f"DCGenerator()(z of shape ({batch}, 100))")
        assert out.shape == (batch, 1, 28, 28), (
            f"DCGenerator()(z of shape ({batch}, 100)) should have shape ({batch}, 1, 28, 28), got {out.shape}"
            + (" (start from 7x7 feature maps: 8x8 doubles twice to 32x32)" if out.shape[-1] == 32 else "")
        )
    assert out.min() >= -1 - 1e-6 and out.max() <= 1 + 1e-6, (
        f"the generator's pixels should lie in [-1, 1] (a Tanh output), got {out.min():.3f} to {out.max():.3f}"
    )
    out = numeric_array(generator(sub.tensor(noise(64, seed=1))), "DCGenerator()(z of shape (64, 100))")
    assert (out < 0).mean() > 0.05, f"only {(out < 0).mean():.1%} of the pixels are negative: end with Tanh"


@pytest.mark.points(1)
def test_dcgenerator_uses_transposed_convolutions_and_batchnorm(sub):
    """DCGenerator's forward pass runs nn.ConvTranspose2d layers and BatchNorm (the DCGAN guidelines)"""
    sub.exec(LAYERS)
    kinds = sub.call("_ag_layers_used", sub.call("DCGenerator"), sub.tensor(noise(4)))
    assert kinds["ConvTranspose2d"] >= 2, (
        f"DCGenerator should upsample with at least two nn.ConvTranspose2d layers (7x7 -> 14x14 -> 28x28); its "
        f"forward pass ran {kinds['ConvTranspose2d']}"
    )
    assert kinds["BatchNorm"] >= 1, "DCGenerator should use BatchNorm between its layers; its forward pass ran none"


@pytest.mark.points(1)
def test_dcdiscriminator_outputs_probabilities(sub):
    """DCDiscriminator() maps images (B, 1, 28, 28) to probabilities (B, 1) in [0, 1], even for large inputs"""
    discriminator = sub.call("DCDiscriminator")
    discriminator.eval()
    for batch in (16, 1):
        out = numeric_array(
            discriminator(sub.tensor(images(batch, seed=batch) * 100)),
            f"DCDiscriminator()(images of shape ({batch}, 1, 28, 28))",
        )
        assert out.shape == (batch, 1), f"DCDiscriminator() should give shape ({batch}, 1), got {out.shape}"
        assert out.min() >= 0 and out.max() <= 1, (
            f"DCDiscriminator() should give probabilities in [0, 1] (end with nn.Sigmoid()), got {out.min():.3f} "
            f"to {out.max():.3f}"
        )


@pytest.mark.points(1)
def test_dcdiscriminator_downsamples_with_strided_convolutions(sub):
    """DCDiscriminator's forward pass runs strided nn.Conv2d layers and no pooling (the DCGAN guidelines)"""
    sub.exec(LAYERS)
    kinds = sub.call("_ag_layers_used", sub.call("DCDiscriminator"), sub.tensor(images(4)))
    assert kinds["strided Conv2d"] >= 2, (
        f"DCDiscriminator should halve the image with at least two nn.Conv2d layers of stride 2; its forward pass "
        f"ran {kinds['Conv2d']} Conv2d layers, {kinds['strided Conv2d']} of them strided"
    )
    assert kinds["pooling"] == 0, "DCDiscriminator should downsample with strided convolutions, not pooling layers"
