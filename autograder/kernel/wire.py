"""The grader's side of the value encoding of kernel_bridge.py: what crosses is data, never an object.

Decoding rebuilds only None, bool, int, float, str, list, tuple, dict with str keys, NumPy arrays (read with
allow_pickle=False) and `Handle`s. Anything else in a payload is refused with `BadValue`.
"""

import base64
import io
import math
from dataclasses import dataclass

import numpy as np

MAX_DEPTH = 24


class BadValue(ValueError):
    """The kernel sent something that is not a well-formed value."""


@dataclass(frozen=True)
class Ref:
    """A name in the notebook's namespace, looked up in the kernel when a request uses it."""

    name: str


@dataclass(frozen=True)
class Tensor:
    """Ask for a torch tensor in the kernel, made from this array (the grader itself never imports torch)."""

    array: np.ndarray
    device: str = "cpu"


@dataclass(frozen=True)
class HandleInfo:
    """What the kernel says about an object that stays there."""

    key: int
    type: str
    repr: str


def encode(value):
    """Encode an argument for the kernel. Shapes and dtypes of arrays are kept exactly."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, np.generic):
        return {"$nd": _npy(np.asarray(value)), "scalar": True}
    if isinstance(value, np.ndarray):
        return {"$nd": _npy(value)}
    if isinstance(value, Tensor):
        return {"$nd": _npy(np.asarray(value.array)), "tensor": True, "device": value.device}
    if isinstance(value, Ref):
        return {"$ref": value.name}
    if isinstance(value, HandleInfo):
        return {"$handle": value.key}
    if hasattr(value, "_handle_info"):  # a grading.submission_proxy.Handle
        return {"$handle": value._handle_info.key}
    if isinstance(value, list):
        return {"$list": [encode(item) for item in value]}
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    if isinstance(value, dict):
        return {"$dict": [[str(key), encode(item)] for key, item in value.items()]}
    raise TypeError(f"cannot send a {type(value).__name__} to the kernel")


def _npy(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode(value, depth: int = 0):
    """Rebuild a value sent by the kernel; raises BadValue on anything but the documented data forms."""
    if depth > MAX_DEPTH:
        raise BadValue("value nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is not dict or len(value) == 0:
        raise BadValue(f"unexpected {type(value).__name__} in a value")
    tag = next(iter(value))
    if tag == "$float" and value["$float"] in ("nan", "inf", "-inf"):
        return float(value["$float"])
    if tag in ("$list", "$tuple") and type(value[tag]) is list:
        items = [decode(item, depth + 1) for item in value[tag]]
        return items if tag == "$list" else tuple(items)
    if tag == "$dict" and type(value[tag]) is list:
        return {_key(pair): decode(pair[1], depth + 1) for pair in value[tag]}
    if tag == "$nd" and type(value[tag]) is str:
        return _array(value)
    if tag == "$handle" and type(value[tag]) is int:
        return HandleInfo(key=value["$handle"], type=str(value.get("type", "?")), repr=str(value.get("repr", "")))
    raise BadValue(f"unknown value tag {tag!r}")


def _key(pair) -> str:
    if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
        raise BadValue("malformed dict item")
    return pair[0]


def _array(value: dict):
    try:
        array = np.load(io.BytesIO(base64.b64decode(value["$nd"], validate=True)), allow_pickle=False)
    except Exception as error:  # malformed base64 or .npy header: the kernel's fault, reported as data
        raise BadValue(f"malformed array: {error}") from None
    if type(array) is not np.ndarray:
        raise BadValue("malformed array")
    return array[()] if value.get("scalar") is True else array
