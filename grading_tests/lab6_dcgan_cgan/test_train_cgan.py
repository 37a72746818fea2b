"""Hidden checks of lab6's train_cgan, generate_digits and of what the trained conditional GAN makes (grade cell
test_train_cgan, 9 points).

The sample checks judge one budgeted run of the student's own train_cgan (conftest.CGAN_STEPS from seed 0, batches
of 64 of the training images): conftest.SAMPLES images drawn by the checks' own code, 200 asked for each digit,
read by the kit's reference classifier. Samples that copy real images, or stay the same on other noise, fail all
three sample checks.
"""

import numpy as np
import pytest

from autograder.checks import sample_quality
from autograder.checks.expect import numeric_array

pytestmark = pytest.mark.grade_cell("test_train_cgan")

# The answer key, seeds 0..9, 2,000 steps on one CPU thread (`bench/lab6_quality.py`): see docs/labs.md.
THRESHOLDS = {
    "conditional_accuracy": 0.40,
    "min_digit_accuracy": 0.30,
    "digits_drawn": 7,
    "frechet_distance": 250.0,
    "class_frechet_distance": 500.0,
    "copy_distance": 0.08,
    "max_copied_share": 0.02,
}

# generate_digits' G: notes, at each forward pass, its mode and whether gradients were on.
MODE_WATCH = """
def _ag_watch_modes(G):
    seen = []
    G.register_forward_hook(lambda module, inputs, output: seen.append((module.training, _ag_torch.is_grad_enabled())))
    return seen
"""


@pytest.mark.points(1)
def test_train_cgan_returns_a_loss_per_step(returns_a_loss_per_step):
    """train_cgan(G, D, loader, steps, device) returns {"d_losses": [...], "g_losses": [...]}, one per step"""
    returns_a_loss_per_step("train_cgan", "CondGenerator(), CondDiscriminator()")


@pytest.mark.points(1)
def test_train_cgan_steps_the_discriminator_on_detached_fakes_then_the_generator(
    one_step_is_d_then_g_on_detached_fakes,
):
    """one step of train_cgan steps D's Adam with no gradient in G (detached fakes), then G's Adam"""
    one_step_is_d_then_g_on_detached_fakes("train_cgan", "CondGenerator(), CondDiscriminator()")


@pytest.mark.points(1)
def test_generate_digits_draws_one_image_per_label_in_eval_mode(sub, kernel_code):
    """generate_digits(G, labels, device) gives (n, 1, 28, 28) in [-1, 1], G in eval mode without gradients, and
    puts G back in its mode"""
    sub.exec("_ag_torch.manual_seed(0)\n_ag_G = CondGenerator()\n" + MODE_WATCH + "_ag_seen = _ag_watch_modes(_ag_G)")
    asked = np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int64)
    call = f"generate_digits(G, {asked.tolist()}, 'cpu')"
    for mode in ("train", "eval"):
        sub.exec(f"_ag_G.{mode}()\n_ag_seen.clear()")
        images = numeric_array(sub.call("generate_digits", sub.ref("_ag_G"), sub.tensor(asked), "cpu"), call)
        assert images.shape == (8, 1, 28, 28), f"{call} should have shape (8, 1, 28, 28), got {images.shape}"
        assert images.min() >= -1 - 1e-6 and images.max() <= 1 + 1e-6, f"{call} should be in [-1, 1]"
        seen = sub.eval("list(_ag_seen)")
        assert seen and not any(training for training, _ in seen), (
            f"{call} ran G in training mode: call G.eval() first, so that BatchNorm uses its running averages and an "
            "image does not depend on the other images of its batch"
        )
        assert not any(grad for _, grad in seen), f"{call} ran G with gradients on: use torch.no_grad()"
        assert sub.eval("_ag_G.training") == (mode == "train"), (
            f"{call} should put G back in the mode it was in ({mode} mode), it left it in "
            f"{'train' if mode == 'eval' else 'eval'} mode"
        )


@pytest.mark.points(1)
@pytest.mark.time_limit(300)  # the training run of the sample checks, which this check starts
def test_cgan_training_runs_on_the_graders_device(sub, cgan_samples, device):
    """train_cgan trains on the device it is given: CUDA where the grader has a GPU, else the CPU"""
    _, places, _ = cgan_samples
    assert places == [device], (
        f"after train_cgan(G, D, loader, steps, {device!r}) the generator's parameters should be on {device}, "
        f"they are on {places}"
    )


def measures(sub, cgan_samples, quality, seen_images, picture, originality, asked) -> dict:
    """The conditional measures of the CGAN's samples and their originality, computed once per kernel."""

    def compute():
        samples, _, redrawn = cgan_samples
        samples = np.clip(samples, -1, 1)
        classifier, real_features, real_labels = quality
        report = sample_quality.assess_conditional(samples, asked, classifier, real_features, real_labels)
        sample_quality.draw_conditional_samples(picture, samples, asked, report, THRESHOLDS)
        return {**report, **originality(samples, redrawn, seen_images, THRESHOLDS)}

    return sub.once("cgan measures", compute)


@pytest.mark.points(2)
@pytest.mark.time_limit(300)
def test_cgan_draws_the_asked_digits(sub, cgan_samples, quality, seen_images, picture, originality, asked):
    """after the budgeted training run, the reference classifier reads most samples as the digit they were asked for"""
    report = measures(sub, cgan_samples, quality, seen_images, picture, originality, asked)
    problem = sample_quality.conditional_shortfall(report, THRESHOLDS, "asked")
    assert problem is None, problem


@pytest.mark.points(2)
@pytest.mark.time_limit(300)
def test_cgan_draws_most_digits_as_asked(sub, cgan_samples, quality, seen_images, picture, originality, asked):
    """after the budgeted training run, most digits asked for come out as themselves, near real images of that digit"""
    report = measures(sub, cgan_samples, quality, seen_images, picture, originality, asked)
    problem = sample_quality.conditional_shortfall(report, THRESHOLDS, "digits")
    assert problem is None, problem


@pytest.mark.points(1)
@pytest.mark.time_limit(300)
def test_cgan_samples_are_close_to_real_digits(sub, cgan_samples, quality, seen_images, picture, originality, asked):
    """after the budgeted training run, the samples are near real digits in the reference classifier's features"""
    report = measures(sub, cgan_samples, quality, seen_images, picture, originality, asked)
    problem = sample_quality.conditional_shortfall(report, THRESHOLDS, "realism")
    assert problem is None, problem
