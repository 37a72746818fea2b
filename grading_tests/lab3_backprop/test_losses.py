"""Hidden checks of lab3's loss functions (grade cell test_losses, 3 points).

The values are compared with the formulas computed here, on predictions away from 0 and 1 (so any clipping
with eps up to 1e-3 leaves them unchanged); clipping itself is judged only by test_bce_finite_at_0_and_1.
"""

import numpy as np
import pytest

from autograder.checks.expect import close, number

pytestmark = pytest.mark.grade_cell("test_losses")

SHAPES = [(5, 1), (7,), (2, 3), (1, 1)]


def cases(rng):
    for shape in SHAPES:
        yield rng.uniform(0.02, 0.98, size=shape), rng.integers(0, 2, size=shape).astype(float)


@pytest.mark.points(1)
def test_mse_loss_formula(sub, lab_data):
    """mse_loss is the mean of (y_pred - y_true)**2 over all entries"""
    rng = lab_data.rng(31)
    for y_pred, y_true in cases(lab_data.rng(30)):
        y_pred = y_pred + rng.normal(0, 0.5, size=y_pred.shape)  # any real predictions, not only (0, 1)
        expected = np.mean((y_pred - y_true) ** 2)
        close(
            number(sub.call("mse_loss", y_pred, y_true), f"mse_loss on arrays of shape {y_pred.shape}"),
            expected,
            f"mse_loss on arrays of shape {y_pred.shape} (the mean over all entries)",
        )


@pytest.mark.points(1)
def test_bce_formula(sub, lab_data):
    """binary_cross_entropy is -mean(y log p + (1 - y) log(1 - p))"""
    for y_pred, y_true in cases(lab_data.rng(32)):
        expected = -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))
        close(
            number(sub.call("binary_cross_entropy", y_pred, y_true), f"binary_cross_entropy on shape {y_pred.shape}"),
            expected,
            f"binary_cross_entropy on arrays of shape {y_pred.shape} (the mean over all entries)",
        )


@pytest.mark.points(1)
def test_bce_finite_at_0_and_1(sub):
    """binary_cross_entropy stays finite for predictions of exactly 0 and 1 (clipping)"""
    wrong = number(
        sub.call("binary_cross_entropy", np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]])),
        "binary_cross_entropy([0, 1], [1, 0])",
    )
    assert np.isfinite(wrong), (
        f"binary_cross_entropy of predictions [0, 1] for targets [1, 0] should be large but finite, got {wrong}: "
        "clip the predictions into [eps, 1 - eps] before taking logarithms"
    )
    assert wrong > 5, (
        f"binary_cross_entropy of completely wrong predictions [0, 1] (targets [1, 0]) should be large "
        f"(-log(eps), about 16 for eps = 1e-7), got {wrong:g}"
    )
    right = number(
        sub.call("binary_cross_entropy", np.array([0.0, 1.0, 1.0]), np.array([0.0, 1.0, 1.0])),
        "binary_cross_entropy([0, 1, 1], [0, 1, 1])",
    )
    assert np.isfinite(right), (
        f"binary_cross_entropy of perfect predictions [0, 1, 1] should be about 0, got {right} "
        "(0 * log(0) is nan: clip the predictions before taking logarithms)"
    )
    assert 0 <= right < 0.01, f"binary_cross_entropy of perfect predictions [0, 1, 1] should be about 0, got {right:g}"
