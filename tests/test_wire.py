"""Values cross from the kernel as data: the decoder rebuilds plain values and refuses everything else."""

import base64
import io

import numpy as np
import pytest

from autograder.kernel import bridge, wire


def npy(array, allow_pickle=False) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(
    "value",
    [None, True, 3, -2.5, "text", [1, 2.0], (1, "a"), {"k": [1, (2, 3)]}, float("nan"), float("inf")],
    ids=repr,
)
def test_plain_values_round_trip_through_the_bridge_encoding(value):
    bridge._user_ns = {}
    decoded = wire.decode(bridge.encode(value))
    if isinstance(value, float) and value != value:
        assert decoded != decoded, "NaN stays NaN"
    else:
        assert decoded == value and type(decoded) is type(value)


def test_arrays_keep_shape_and_dtype_and_scalars_stay_scalars():
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    decoded = wire.decode(bridge.encode(array))
    assert type(decoded) is np.ndarray and decoded.dtype == np.float32 and decoded.shape == (2, 3)
    scalar = wire.decode(bridge.encode(np.float64(0.5)))
    assert np.shape(scalar) == () and scalar == 0.5


def test_a_rigged_float_subclass_crosses_as_a_plain_float():
    class AlwaysEqual(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    decoded = wire.decode(bridge.encode(AlwaysEqual(0.25)))
    assert type(decoded) is float and decoded == 0.25 and decoded != 1.0


def test_a_rigged_ndarray_subclass_crosses_as_a_plain_array():
    class AlwaysClose(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, bool)

    rigged = np.zeros(3).view(AlwaysClose)
    decoded = wire.decode(bridge.encode(rigged))
    assert type(decoded) is np.ndarray and not np.array_equal(decoded, np.ones(3))


def test_other_objects_stay_in_the_kernel_as_handles():
    bridge._handles.clear()
    decoded = wire.decode(bridge.encode(object()))
    assert isinstance(decoded, wire.HandleInfo) and decoded.type == "builtins.object"


@pytest.mark.parametrize(
    "payload, problem",
    [
        ({"$nd": npy(np.array([object()], dtype=object), allow_pickle=True)}, "malformed array"),
        ({"$nd": "not base64!"}, "malformed array"),
        ({"$pickle": "gASV"}, "unknown value tag"),
        ({"$dict": [[1, 2]]}, "malformed dict item"),
        ([1, 2], "unexpected list"),
    ],
    ids=["pickled object array", "bad base64", "unknown tag", "non-string key", "bare list"],
)
def test_malformed_payloads_are_refused(payload, problem):
    with pytest.raises(wire.BadValue, match=problem):
        wire.decode(payload)


def test_deeply_nested_payloads_are_refused():
    payload = 1
    for _ in range(100):
        payload = {"$list": [payload]}
    with pytest.raises(wire.BadValue, match="nested too deeply"):
        wire.decode(payload)
