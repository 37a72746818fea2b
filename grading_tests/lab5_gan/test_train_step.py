"""Hidden checks of lab5_gan's train_step (grade cell test_train_step, 6 points): one step of each player, and
each step moves its own player only.

The checks hand train_step optimizers of their own (plain SGD that notes, when it steps, what the other
player looked like), so they see the discriminator's step and the generator's step apart.
"""

import numpy as np
import pytest

from autograder.checks.expect import number

pytestmark = pytest.mark.grade_cell("test_train_step")

SETUP = (
    "_ag_torch.manual_seed(0)\n"
    "_ag_G, _ag_D = Generator(), Discriminator()\n"
    "_ag_G0 = [p.detach().clone() for p in _ag_G.parameters()]\n"
    "_ag_D0 = [p.detach().clone() for p in _ag_D.parameters()]\n"
    "_ag_events = []\n"
    "_ag_d_opt = _ag_RecordingSGD(_ag_D, _ag_G, 'discriminator', _ag_events)\n"
    "_ag_g_opt = _ag_RecordingSGD(_ag_G, _ag_D, 'generator', _ag_events)\n"
    "_ag_real = _ag_train_x[:32].float().div(127.5).sub(1).unsqueeze(1)\n"
)
CALL = "train_step(G, D, g_opt, d_opt, 32 real images in [-1, 1], 'cpu')"


def run_step(sub):
    sub.exec(SETUP)
    return sub.call(
        "train_step",
        sub.ref("_ag_G"),
        sub.ref("_ag_D"),
        sub.ref("_ag_g_opt"),
        sub.ref("_ag_d_opt"),
        sub.ref("_ag_real"),
        "cpu",
    )


def steps_of(sub) -> list[str]:
    return sub.eval("[event['player'] for event in _ag_events]")


@pytest.mark.points(1)
def test_train_step_returns_the_two_losses(sub, kernel_data):
    """train_step returns (d_loss, g_loss) as two numbers, the discriminator's near 2 ln 2 for fresh players"""
    value = run_step(sub)
    assert isinstance(value, (tuple, list)) and len(value) == 2, (
        f"{CALL} should return a pair (d_loss, g_loss), got {value!r:.100}"
    )
    d_loss, g_loss = number(value[0], f"{CALL}[0]"), number(value[1], f"{CALL}[1]")
    assert np.isfinite(d_loss) and np.isfinite(g_loss), (
        f"{CALL} returned losses that are not finite: {d_loss}, {g_loss}"
    )
    # g_loss is not bounded here: its form is test_losses' business (the saturating form is negative)
    assert 0 < d_loss < 10 * np.log(2), (
        f"{CALL} on fresh players should return first the discriminator's loss, near 2 ln 2 = 1.39, "
        f"got d_loss {d_loss:.3f} (and g_loss {g_loss:.3f})"
    )


@pytest.mark.points(1)
def test_train_step_steps_the_discriminator_then_the_generator(sub, kernel_data):
    """train_step takes one discriminator step, then one generator step, with the optimizers it is given"""
    run_step(sub)
    steps = steps_of(sub)
    assert steps == ["discriminator", "generator"], (
        f"{CALL} should call d_opt.step() once and then g_opt.step() once; the optimizers stepped: {steps or 'never'}"
    )


@pytest.mark.points(2)
def test_discriminator_step_leaves_the_generator_alone(sub, kernel_data):
    """in the discriminator's step the fakes are detached: no gradient reaches the generator and it does not change"""
    run_step(sub)
    events = sub.eval(
        "[(e['player'], e['other_has_gradient'], _ag_same(e['other_before'], _ag_G0)) for e in _ag_events "
        "if e['player'] == 'discriminator']"
    )
    assert events, f"{CALL} never called d_opt.step()"
    _, generator_has_gradient, generator_unchanged = events[0]
    assert generator_unchanged, (
        f"when {CALL} stepped the discriminator, the generator had already changed: update D first"
    )
    assert not generator_has_gradient, (
        "when the discriminator's optimizer stepped, the generator's parameters had gradients: the discriminator's "
        "loss was backpropagated into the generator. Detach the fakes in the discriminator's step "
        "(D(fake.detach())), so that its backward pass stops at the fakes"
    )


@pytest.mark.points(2)
def test_generator_step_leaves_the_discriminator_alone(sub, kernel_data):
    """in the generator's step only the generator moves: the discriminator ends as its own step left it"""
    run_step(sub)
    assert "discriminator" in steps_of(sub), f"{CALL} never called d_opt.step()"
    unchanged = sub.eval(
        "_ag_same(next(e['own_after'] for e in _ag_events if e['player'] == 'discriminator'), "
        "[p.detach() for p in _ag_D.parameters()])"
    )
    assert unchanged, (
        f"after its own step, the discriminator changed again during {CALL}: the generator's step should move "
        "the generator only (g_opt.step(), and no other d_opt.step())"
    )
