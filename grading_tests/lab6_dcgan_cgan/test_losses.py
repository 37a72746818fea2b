"""Hidden checks of lab6's losses (grade cell test_losses, 2 points): lab5's GAN losses, against binary
cross-entropy computed here in float64 on scores drawn from the submission's seed."""

import numpy as np
import pytest

from autograder.checks.expect import number

pytestmark = pytest.mark.grade_cell("test_losses")


def loss(sub, call, what, *scores) -> float:
    """The loss `call` of score tensors _ag_s0, _ag_s1, ... (float32 arrays (n, 1)), as a number."""
    for index, values in enumerate(scores):
        sub.exec(f"_ag_s{index} = __import__('torch').tensor({values.ravel().tolist()!r}).reshape({values.shape!r})")
    return number(sub.eval(call), what)


@pytest.mark.points(1)
def test_discriminator_loss_is_the_sum_of_two_mean_bces(sub, lab_data):
    """discriminator_loss(real, fake) = mean BCE(real scores, 1) + mean BCE(fake scores, 0), with 6 real and 10 fakes"""
    real = lab_data.rng(1).uniform(0.02, 0.98, size=(6, 1)).astype(np.float32)
    fake = lab_data.rng(2).uniform(0.02, 0.98, size=(10, 1)).astype(np.float32)
    expected = -np.mean(np.log(real.astype(np.float64))) - np.mean(np.log(1 - fake.astype(np.float64)))
    got = loss(sub, "discriminator_loss(_ag_s0, _ag_s1)", "discriminator_loss(real_scores, fake_scores)", real, fake)
    assert np.isclose(got, expected, rtol=1e-4), (
        f"discriminator_loss on 6 real and 10 fake scores should be {expected:.5f} (the mean BCE of the real scores "
        f"against 1 plus that of the fake scores against 0), got {got:.5f}"
    )


@pytest.mark.points(1)
def test_generator_loss_is_non_saturating(sub, lab_data):
    """generator_loss(fake) is the non-saturating loss, the mean of -log D(G(z))"""
    fake = lab_data.rng(3).uniform(0.02, 0.98, size=(10, 1)).astype(np.float32)
    expected = -np.mean(np.log(fake.astype(np.float64)))
    got = loss(sub, "generator_loss(_ag_s0)", "generator_loss(fake_scores)", fake)
    assert np.isclose(got, expected, rtol=1e-4), (
        f"generator_loss on 10 fake scores should be {expected:.5f}, the mean of -log D(G(z)), got {got:.5f}"
        + (
            " (that is the saturating loss, mean log(1 - D(G(z))))"
            if np.isclose(got, np.mean(np.log(1 - fake)), rtol=1e-3)
            else ""
        )
    )
