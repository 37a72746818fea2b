"""Turn what the kernel returned into numbers and arrays for a check, or fail with a message for students.

`what` names the call being checked, e.g. "step(0.0)"; every failure says what was expected and what came
back, never the check's code.
"""

import numpy as np


def _kind(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a {type(value).__name__} ({value!r:.80})"


def number(value, what: str) -> float:
    """A real number (Python or NumPy scalar, 0-d or size-1 array); bools count as 0/1 like NumPy's."""
    if isinstance(value, (bool, int, float, np.generic)) or (isinstance(value, np.ndarray) and value.size == 1):
        array = np.asarray(value)
        if array.dtype.kind in "biuf":
            return float(array.reshape(()))
    raise AssertionError(f"{what} should return a number, got {_kind(value)}")


def numeric_array(value, what: str) -> np.ndarray:
    """A NumPy array of real numbers (lists and tuples of numbers are accepted and converted)."""
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise AssertionError(f"{what} should return numbers, got {_kind(value)}") from None
    if isinstance(value, (int, float, np.generic)) and not isinstance(value, bool):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise AssertionError(f"{what} should return a NumPy array of numbers, got {_kind(value)}")
    return value


def losses_of(value, count: int, what: str) -> np.ndarray:
    """A training function's losses (one per epoch, or per step): exactly `count` finite numbers, as float64 of
    shape (count,)."""
    losses = numeric_array(value, what)
    assert losses.ndim == 1, f"{what} should return a list of numbers, got an array of shape {losses.shape}"
    assert len(losses) == count, f"{what} should return {count} losses, got {len(losses)}"
    if not np.all(np.isfinite(losses)):
        first = int(np.argmax(~np.isfinite(losses)))
        raise AssertionError(
            f"{what} returned losses that are not finite from entry {first} on ({losses[first]}): the training diverged"
        )
    return losses.astype(np.float64)


def logits(value, batch: int, classes: int, what: str) -> np.ndarray:
    """A classifier's output for `batch` samples: finite scores of shape (batch, classes), as float64."""
    scores = numeric_array(value, what)
    assert scores.shape == (batch, classes), f"{what} should have shape ({batch}, {classes}), got shape {scores.shape}"
    assert np.all(np.isfinite(scores)), f"{what} contains values that are not finite"
    return scores.astype(np.float64)


def not_probabilities(scores: np.ndarray, what: str) -> None:
    """Fail when class scores (batch, classes) look like probabilities: a softmax or sigmoid at the output.

    nn.CrossEntropyLoss applies log-softmax itself, so a model must return raw scores (logits); log-softmax
    outputs (all <= 0) are allowed, since log-softmax of them changes nothing.
    """
    rows_sum_to_one = np.allclose(scores.sum(axis=1), 1.0, atol=1e-4) and np.all(scores >= 0)
    in_unit_interval = np.all((scores >= 0) & (scores <= 1))
    assert not (rows_sum_to_one or in_unit_interval), (
        f"{what} looks like probabilities (every value in [0, 1]{', rows summing to 1' if rows_sum_to_one else ''}): "
        "return the raw scores (logits); nn.CrossEntropyLoss applies the softmax itself"
    )


def close(got, expected, what: str, rtol: float = 1e-7, atol: float = 1e-9) -> None:
    """Assert that a number or array equals `expected` within tolerance, shape included."""
    expected = np.asarray(expected, dtype=float)
    got_array = numeric_array(got, what) if expected.shape else np.asarray(number(got, what))
    if got_array.shape != expected.shape:
        raise AssertionError(f"{what} should have shape {expected.shape}, got shape {got_array.shape}")
    if not np.allclose(got_array, expected, rtol=rtol, atol=atol, equal_nan=False):
        raise AssertionError(f"{what} should be {_short(expected)}, got {_short(got_array)}")


def _short(array: np.ndarray) -> str:
    if array.shape == ():
        return f"{float(array):.6g}"
    return np.array2string(array.ravel()[:6], precision=6) + (" ..." if array.size > 6 else "")
