"""Hidden checks of lab5_gan_keras's build_gan (grade cell test_build_gan, 4 points): the combined model is the
discriminator applied to the generator, its step trains the generator only, and its loss is the non-saturating
binary cross-entropy.

The discriminator's own step is checked through train_gan_keras (test_train_gan_keras.py): a build_gan that
leaves freezing to the training loop, as many Keras 2 tutorials do, is a correct answer.
"""

import numpy as np
import pytest

from autograder.checks.expect import number, numeric_array

pytestmark = pytest.mark.grade_cell("test_build_gan")

SETUP = (
    "_ag_G, _ag_D, _ag_gan = _ag_models(0)\n_ag_z = _ag_noise(32)\n_ag_ones = _ag_np.ones((32, 1), dtype='float32')\n"
)
CALL = "gan = build_gan(build_generator(100), build_discriminator())"


def scores(sub, expression, what):
    return numeric_array(sub.eval(f"_ag_array({expression})"), what)


@pytest.mark.points(1)
def test_gan_is_the_discriminator_on_the_generator(sub, kernel_code):
    """gan(z) maps noise (B, 100) to the discriminator's scores (B, 1) of the generator's images: D(G(z))"""
    sub.exec(SETUP)
    combined = scores(sub, "_ag_gan(_ag_z, training=False)", "gan(z) for z of shape (32, 100)")
    assert combined.shape == (32, 1), (
        f"after {CALL}, gan(z) for z of shape (32, 100) should have shape (32, 1), got {combined.shape}"
    )
    direct = scores(sub, "_ag_D(_ag_G(_ag_z, training=False), training=False)", "discriminator(generator(z))")
    assert np.allclose(combined, direct, atol=1e-6), (
        f"after {CALL}, gan(z) should equal discriminator(generator(z)) computed with the two models passed to build_gan"
    )


@pytest.mark.points(2)
def test_gan_step_trains_the_generator_only(sub, kernel_code):
    """gan.train_on_batch(z, ones) changes the generator's weights and never the discriminator's (it is frozen)"""
    sub.exec(SETUP)
    for call in (1, 2):
        sub.exec("_ag_G0, _ag_D0 = _ag_weights(_ag_G), _ag_weights(_ag_D)\n_ag_gan.train_on_batch(_ag_z, _ag_ones)")
        generator_changed, discriminator_changed = sub.eval(
            "(not _ag_same(_ag_G0, _ag_G), not _ag_same(_ag_D0, _ag_D))"
        )
        assert not discriminator_changed, (
            f"after {CALL}, gan.train_on_batch(z, ones) (call {call}) changed the discriminator's weights: the "
            "discriminator should be frozen in the combined model's step, or it learns to call fakes real"
        )
        assert generator_changed, (
            f"after {CALL}, gan.train_on_batch(z, ones) (call {call}) did not change the generator's weights: the gan "
            "should train the generator that was passed to build_gan (the same model, not a copy)"
        )


@pytest.mark.points(1)
def test_gan_loss_is_the_non_saturating_bce(sub, kernel_code):
    """the gan's compiled loss on fakes labelled 1 is the binary cross-entropy -mean(log D(G(z)))"""
    sub.exec(SETUP)
    fake_scores = np.clip(scores(sub, "_ag_gan(_ag_z, training=False)", "gan(z)").astype(np.float64), 1e-7, 1 - 1e-7)
    expected = float(-np.mean(np.log(fake_scores)))
    evaluated = sub.eval("_ag_gan.evaluate(_ag_z, _ag_ones, verbose=0)")
    loss = number(evaluated[0] if isinstance(evaluated, list) else evaluated, "gan.evaluate(z, ones)")
    assert abs(loss - expected) <= 1e-4 * max(1.0, expected), (
        f"after {CALL}, the gan's loss on 32 fakes labelled 1 should be the binary cross-entropy -mean(log D(G(z))) = "
        f"{expected:.5f}; its compiled loss gives {loss:.5f} (compile it with loss='binary_crossentropy')"
    )
