"""Hidden checks of lab5_gan's losses (grade cell test_losses, 4 points), against binary cross-entropy
computed here in float64 on known scores."""

import numpy as np
import pytest

from autograder.checks.expect import number

pytestmark = pytest.mark.grade_cell("test_losses")


def scores(rng, n):
    """n scores (n, 1) in [0.02, 0.98], float32, drawn from the submission's seed (lab_data.rng)."""
    return rng.uniform(0.02, 0.98, size=(n, 1)).astype(np.float32)


def loss(sub, call, what, *tensors):
    """(the loss as a number, whether it is a torch tensor that carries the graph) for score tensors _ag_s0,
    _ag_s1, ... that require gradients."""
    for i, t in enumerate(tensors):
        sub.exec(f"_ag_s{i} = __import__('torch').tensor({t.ravel().tolist()!r}).reshape({t.shape!r}).requires_grad_()")
    sub.exec(f"_ag_loss = {call}")
    tracked = sub.eval("isinstance(_ag_loss, __import__('torch').Tensor) and _ag_loss.requires_grad")
    return number(sub.eval("_ag_loss"), what), tracked


@pytest.mark.points(2)
def test_discriminator_loss_is_the_sum_of_two_mean_bces(sub, lab_data):
    """discriminator_loss(real, fake) = mean BCE(real scores, 1) + mean BCE(fake scores, 0), as a torch tensor"""
    half = np.full((4, 1), 0.5, dtype=np.float32)
    at_half, _ = loss(sub, "discriminator_loss(_ag_s0, _ag_s1)", "discriminator_loss(0.5s, 0.5s)", half, half)
    assert np.isclose(at_half, 2 * np.log(2), rtol=1e-5), (
        f"discriminator_loss with every score 0.5 should be 2 ln 2 = 1.3863, got {at_half:.4f}"
    )
    real, fake = scores(lab_data.rng(1), 8), scores(lab_data.rng(2), 8)
    expected = -np.mean(np.log(real.astype(np.float64))) - np.mean(np.log(1 - fake.astype(np.float64)))
    got, tracked = loss(
        sub, "discriminator_loss(_ag_s0, _ag_s1)", "discriminator_loss(real_scores, fake_scores)", real, fake
    )
    if not np.isclose(got, expected, rtol=1e-4):
        swapped = -np.mean(np.log(1 - real.astype(np.float64))) - np.mean(np.log(fake.astype(np.float64)))
        hint = (
            " (that is half of it: the lab's loss is the sum of the two means)"
            if np.isclose(got, expected / 2, rtol=1e-4)
            else " (the labels are swapped: real scores go against 1, fake against 0)"
            if np.isclose(got, swapped, rtol=1e-4)
            else ""
        )
        raise AssertionError(
            f"discriminator_loss on 8 real and 8 fake scores should be {expected:.5f}, got {got:.5f}{hint}"
        )
    assert tracked, (
        "discriminator_loss should return a torch tensor that carries the gradient (compute it with torch, not NumPy)"
    )


@pytest.mark.points(2)
def test_generator_loss_is_non_saturating(sub, lab_data):
    """generator_loss(fake) = mean BCE(fake scores, 1) = -mean(log D(G(z))), the non-saturating form"""
    half = np.full((4, 1), 0.5, dtype=np.float32)
    at_half, _ = loss(sub, "generator_loss(_ag_s0)", "generator_loss(0.5s)", half)
    assert np.isclose(at_half, np.log(2), rtol=1e-5), (
        f"generator_loss with every score 0.5 should be ln 2 = 0.6931, got {at_half:.4f}"
    )
    fake = scores(lab_data.rng(3), 8)
    expected = -np.mean(np.log(fake.astype(np.float64)))
    got, tracked = loss(sub, "generator_loss(_ag_s0)", "generator_loss(fake_scores)", fake)
    if not np.isclose(got, expected, rtol=1e-4):
        saturating = np.mean(np.log(1 - fake.astype(np.float64)))
        hint = (
            (
                " (that is mean log(1 - D(G(z))), the saturating form: its gradient vanishes while the discriminator "
                "wins, early in training; use -mean log D(G(z)), i.e. BCE against 1)"
            )
            if np.isclose(got, saturating, rtol=1e-4)
            else ""
        )
        raise AssertionError(f"generator_loss on 8 fake scores should be {expected:.5f}, got {got:.5f}{hint}")
    assert tracked, (
        "generator_loss should return a torch tensor that carries the gradient (compute it with torch, not NumPy)"
    )
