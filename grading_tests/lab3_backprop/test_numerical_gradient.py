"""Hidden checks of lab3's numerical_gradient (grade cell test_numerical_gradient, 4 points).

Parameters and functions are built in the kernel (sub.exec) from values chosen here; f reads the parameter,
so the gradient is only right if the entries are changed in place. Errors on f = sum(p**3):

- central differences, h = 1e-5: |error| = h**2 = 1e-10 (plus rounding, ~1e-10);
- forward differences, h = 1e-5: |error| = 3|p|h + h**2, about 3e-5 for |p| ~ 1;
- central differences, h = 0.1: exactly 3p**2 + h**2 = 3p**2 + 0.01 (algebra), so h must be the one passed.

The known-derivatives check allows 1e-3, so forward differences and a parameter left shifted by -h after each
entry (errors of order h) still pass it and lose only their own check; its functions include one whose
entries interact (p0 * p1 + p1**2 * p2). The central and shape checks use separable functions, so a
parameter that is not restored changes nothing there: that bug loses only the restore check.
"""

import numpy as np
import pytest

from autograder.checks.expect import close, numeric_array

pytestmark = pytest.mark.grade_cell("test_numerical_gradient")

SETUP = "import numpy as _ag_np\n"


def put(sub, name, array):
    """Create the float64 array `name` in the kernel with exactly these values."""
    values = repr(np.asarray(array, dtype=float).tolist())
    sub.exec(f"{SETUP}{name} = _ag_np.array({values}, dtype=_ag_np.float64)")


def gradient(sub, f_source, name, what, h=None):
    call = f"numerical_gradient(lambda: {f_source}, {name}" + (f", h={h!r})" if h is not None else ")")
    return numeric_array(sub.eval(call), what)


@pytest.mark.points(1)
def test_numerical_gradient_known_derivatives(sub, lab_data):
    """numerical_gradient matches known derivatives (p**3, sin, a product of entries)"""
    rng = lab_data.rng(50)
    p = rng.normal(0, 1.2, size=5)
    put(sub, "_ag_p", p)
    got = gradient(sub, "float(_ag_np.sum(_ag_p ** 3))", "_ag_p", "numerical_gradient of sum(p**3)")
    close(
        got,
        3 * p**2,
        f"numerical_gradient of f = sum(p**3) at p = {np.round(p, 3).tolist()} (3p**2)",
        rtol=1e-4,
        atol=1e-3,
    )

    w = rng.normal(size=4)
    q = rng.normal(size=4)
    put(sub, "_ag_q", q)
    put(sub, "_ag_w", w)
    got = gradient(
        sub, "float(_ag_np.sum(_ag_np.sin(_ag_q) * _ag_w))", "_ag_q", "numerical_gradient of sum(w * sin(p))"
    )
    close(got, w * np.cos(q), "numerical_gradient of f = sum(w * sin(p)) (w * cos(p))", rtol=1e-4, atol=1e-3)

    r = np.array([0.7, -1.3, 2.1])
    put(sub, "_ag_r", r)
    got = gradient(
        sub,
        "float(_ag_r[0] * _ag_r[1] + _ag_r[1] ** 2 * _ag_r[2])",
        "_ag_r",
        "numerical_gradient of p0 * p1 + p1**2 * p2",
    )
    expected = np.array([r[1], r[0] + 2 * r[1] * r[2], r[1] ** 2])
    close(got, expected, "numerical_gradient of f = p0 * p1 + p1**2 * p2 at p = [0.7, -1.3, 2.1]", rtol=1e-4, atol=1e-3)


@pytest.mark.points(1)
def test_numerical_gradient_is_central(sub):
    """numerical_gradient uses central differences (f(p+h) - f(p-h)) / 2h with the given h"""
    p = np.array([1.0, -0.5, 2.0, 0.25])
    put(sub, "_ag_p", p)
    got = gradient(sub, "float(_ag_np.sum(_ag_p ** 3))", "_ag_p", "numerical_gradient(f, p, h=0.1)", h=0.1)
    assert got.shape == p.shape, (
        f"numerical_gradient should return an array of param's shape {p.shape}, got {got.shape}"
    )
    expected = 3 * p**2 + 0.01
    assert np.allclose(got, expected, rtol=0, atol=1e-9), (
        f"for f = sum(p**3) at p = {p.tolist()} with h = 0.1, central differences (f(p+h) - f(p-h)) / 2h give "
        f"exactly 3p**2 + h**2 = {expected.tolist()}; got {np.round(got, 6).tolist()} "
        "(use central differences, with the h that is passed in)"
    )
    put(sub, "_ag_p", p)  # afresh: this check does not judge whether param was restored
    got = gradient(sub, "float(_ag_np.sum(_ag_p ** 3))", "_ag_p", "numerical_gradient(f, p)")
    error = float(np.max(np.abs(got - 3 * p**2)))
    assert error < 1e-7, (
        f"with the default h = 1e-5, the gradient of sum(p**3) should be within about 1e-10 of 3p**2 "
        f"(central differences), but it is {error:.1e} away: forward differences are off by about 1e-5"
    )


@pytest.mark.points(1)
def test_numerical_gradient_restores_param(sub, lab_data):
    """numerical_gradient leaves param exactly as it was (bit for bit)"""
    rng = lab_data.rng(52)
    put(sub, "_ag_p", rng.normal(0, 1.7, size=(3, 4)))
    put(sub, "_ag_w", rng.normal(size=(3, 4)))
    sub.exec("_ag_before = _ag_p.tobytes(); _ag_same = _ag_p")
    for h in (None, 0.3, 1e-5 / 3):
        gradient(sub, "float(_ag_np.sum(_ag_np.tanh(_ag_p) * _ag_w))", "_ag_p", "numerical_gradient(f, p)", h=h)
        restored = sub.eval("_ag_same is _ag_p and _ag_p.tobytes() == _ag_before")
        setting = "the default h" if h is None else f"h = {h:g}"
        assert restored is True, (
            f"after numerical_gradient(f, param) with {setting}, param should hold exactly its original values "
            "(save each entry before nudging it and assign the saved value back; adding and subtracting h leaves "
            "rounding errors)"
        )


@pytest.mark.points(1)
def test_numerical_gradient_shape(sub, lab_data):
    """numerical_gradient returns an array of param's shape, for any shape"""
    rng = lab_data.rng(53)
    for shape in [(2, 3), (1,), (2, 2, 2), (4, 1)]:
        p = rng.normal(size=shape)
        put(sub, "_ag_p", p)
        got = sub.eval("numerical_gradient(lambda: float(_ag_np.sum(_ag_p ** 3)), _ag_p)")
        assert isinstance(got, np.ndarray), (
            f"numerical_gradient should return a NumPy array, got a {type(got).__name__}"
        )
        assert got.shape == shape, (
            f"for a param of shape {shape}, numerical_gradient should return shape {shape}, got {got.shape}"
        )
        close(got, 3 * p**2, f"numerical_gradient of sum(p**3) for a param of shape {shape}", rtol=1e-4, atol=1e-3)
