"""The only grader code that runs inside the student's kernel: it answers the checks' requests.

This file is sent to the kernel as source text and installed there as the module `_autograder_bridge`; it
imports nothing from the autograder package. `serve` answers requests on a ZMQ PAIR socket that the grader
has bound beside the kernel's own sockets (this file is the first message on it), in the kernel's main thread
(where the notebook's code runs), inside one execute request that lasts until the grader says STOP. Each
request is one JSON message (after its tag); each answer is one JSON message back, {"nonce", "payload"} with the value's JSON,
or {"nonce", "error"} when the student's code raised (its name, text, traceback and frames). (A request costs 0.2 ms this way, against 3 ms as a
Jupyter comm message: ipykernel's dispatch, its busy and idle messages and its stream flushes come with every
shell message.) What the student's code prints during a request still goes out on iopub, tagged with the
request, where the grader counts it against the output cap; the grader's interrupt (by message, as for a cell)
stops a request that runs past its time.

Values are encoded as data only:

    null, bool, int, str, float        as JSON (non-finite floats as {"$float": "nan" | "inf" | "-inf"})
    list / tuple / dict                {"$list": [...]} / {"$tuple": [...]} / {"$dict": [[key, value], ...]}
    NumPy arrays and scalars           {"$nd": base64 of the .npy bytes} (scalars as 0-d arrays, "scalar": true)
    torch tensors                      {"$nd": ..., "tensor": true, "device": "cpu" | "cuda:0", "dtype": "..."}
    anything else                      {"$handle": id, "type": "module.Class", "repr": "..."}: it stays here

The grader decodes with allow_pickle=False and rebuilds plain Python and NumPy values, so whatever a student's
object claims to be (a float subclass, an ndarray subclass with rigged operators), only numbers cross.

The checks' own names (CHECKS_PREFIX, `_ag_...`: their helpers, models and data) live in a namespace of this
module, never in the notebook's, and it is emptied at the start of every check: a student's function cannot
rebind them by name (its globals are the notebook's), and nothing a check installed outlives it. The checks'
code (exec and eval requests) runs in a fresh namespace each time: the notebook's names, then the checks' on top;
the `_ag_` names it assigns are kept for the check's next requests, any other assignment is dropped. Code in this
process can still reach anything in it (this module included): what keeps a verdict the checks' own is that it
is computed in the grader, from data.
"""

import base64
import io
import json
import linecache
import math
import random
import sys
import traceback
import warnings

READY, STOP = "ready", "stop"  # the serve cell's first message, and the grader's last
CHECKS_PREFIX = "_ag_"  # the checks' own names

_handles = {}
_user_ns = None
_checks = {}  # the current check's own names: never in the notebook's namespace


class NotDefinedError(LookupError):
    """A name the check needs is not defined in the notebook."""


def install(user_ns):
    """Answer requests about `user_ns` (the notebook's namespace)."""
    global _user_ns
    _user_ns = user_ns
    _begin_check()


def serve(socket, publishers):
    """Answer the requests that come on `socket` (a connected ZMQ PAIR socket) until the grader sends STOP.

    A request comes as two frames, its tag and its JSON. What the student's code prints or displays while it
    runs goes out on iopub with the tag as its parent message id (`publishers`: ipykernel's stdout, stderr and
    display publisher, which keep output apart per parent), so that the grader counts each request's output
    exactly, however late the kernel's IOPub thread sends it.
    """
    publishers = [publisher for publisher in publishers if hasattr(publisher, "set_parent")]
    try:
        while True:
            try:
                frames = socket.recv_multipart()
                if frames == [STOP.encode()]:
                    return
                tag, request = frames
                for publisher in publishers:
                    publisher.set_parent({"msg_id": tag.decode()})
                socket.send_string(json.dumps(answer(request)))
            except KeyboardInterrupt:  # the grader's interrupt came after the answer had gone: nothing to stop
                continue
    finally:
        socket.close()


def _numpy():
    return sys.modules.get("numpy")


def _is_tensor(value):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _npy(array):
    buffer = io.BytesIO()
    _numpy().save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def encode(value, depth=0):
    """A JSON-able description of `value`; containers are followed to depth 20."""
    if depth > 20:
        raise ValueError("value nested too deeply to send to the grader")
    if value is None or isinstance(value, bool):
        return bool(value) if value is not None else None
    np = _numpy()
    if np is not None and isinstance(value, (np.ndarray, np.generic)):
        array = np.array(value, copy=True)  # a plain ndarray, whatever subclass the value was
        if array.dtype == object:
            return _handle(value)
        return {"$nd": _npy(array), "scalar": isinstance(value, np.generic)}
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        number = float.__float__(value)
        return number if math.isfinite(number) else {"$float": repr(number)}
    if isinstance(value, str):
        return str.__str__(value)
    if _is_tensor(value):
        array = value.detach().cpu().numpy()
        return {"$nd": _npy(array), "tensor": True, "device": str(value.device), "dtype": str(value.dtype)}
    if type(value) in (list, tuple):
        return {"$" + type(value).__name__: [encode(item, depth + 1) for item in value]}
    if type(value) is dict and all(type(key) is str for key in value):
        return {"$dict": [[key, encode(item, depth + 1)] for key, item in value.items()]}
    return _handle(value)


def _handle(value):
    key = len(_handles) + 1
    while key in _handles:
        key += 1
    _handles[key] = value
    try:
        text = repr(value)[:200]
    except Exception:
        text = "<unrepresentable>"
    return {"$handle": key, "type": type(value).__module__ + "." + type(value).__qualname__, "repr": text}


def decode(value):
    """Rebuild a value the grader sent: data, references to notebook names, or handles."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$float" in value:
        return float(value["$float"])
    if "$list" in value:
        return [decode(item) for item in value["$list"]]
    if "$tuple" in value:
        return tuple(decode(item) for item in value["$tuple"])
    if "$dict" in value:
        return {key: decode(item) for key, item in value["$dict"]}
    if "$nd" in value:
        array = _numpy().load(io.BytesIO(base64.b64decode(value["$nd"])), allow_pickle=False)
        if value.get("tensor"):
            import torch

            return torch.from_numpy(array).to(value.get("device", "cpu"))
        return array[()] if value.get("scalar") else array
    if "$ref" in value:
        return lookup(value["$ref"])
    if "$handle" in value:
        return _handles[value["$handle"]]
    raise ValueError(f"unknown value tag {sorted(value)}")


def lookup(name):
    if name.startswith(CHECKS_PREFIX):
        return _checks[name]  # never the notebook's: a KeyError here is a mistake of the checks
    if name not in _user_ns:
        raise NotDefinedError(f"`{name}` is not defined in the notebook")
    return _user_ns[name]


def store(name, value):
    """Keep `value` as the check's own `name` (a CHECKS_PREFIX name), for its next requests."""
    if not name.startswith(CHECKS_PREFIX):
        raise ValueError(f"the checks keep only {CHECKS_PREFIX} names, not {name!r}")
    _checks[name] = value


def _begin_check():
    _handles.clear()
    _checks.clear()
    _checks[CHECKS_PREFIX + "store"] = store


def _run_checks_code(run, code):
    """exec or eval the checks' `code` over the notebook's names and the checks' own; keep the `_ag_` names it
    assigned. The notebook's own `_ag_` names are never seen."""
    scope = {name: value for name, value in _user_ns.items() if not name.startswith(CHECKS_PREFIX)}
    scope.update(_checks)
    value = run(code, scope)
    _checks.update((name, item) for name, item in scope.items() if name.startswith(CHECKS_PREFIX))
    return value


def seed_everything(seed):
    """Seed every random generator a check may depend on, and pin thread counts to one."""
    random.seed(seed)
    np = _numpy()
    if np is not None:
        np.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
        torch.set_num_threads(1)
        if torch.cuda.is_available():
            torch.cuda.manual_seed_all(seed)
    tf = sys.modules.get("tensorflow")
    if tf is not None and hasattr(tf, "random"):
        tf.random.set_seed(seed)
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "utils"):  # Keras 3 also keeps a seed of its own, for initial weights
        keras.utils.set_random_seed(seed)


def _target(request):
    target = decode(request["target"])
    for name in request.get("path", []):
        target = getattr(target, name)
    return target


def _answer(request):
    if "begin_check" in request:  # the first request of a check: forget the last check's objects, then seed
        _begin_check()
        seed_everything(request["begin_check"])
    op = request["op"]
    if op == "call":
        args = [decode(arg) for arg in request.get("args", [])]
        kwargs = {key: decode(arg) for key, arg in request.get("kwargs", {}).items()}
        if not request.get("record_warnings"):
            return _target(request)(*args, **kwargs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = _target(request)(*args, **kwargs)
        return value, [f"{w.category.__name__}: {w.message}" for w in caught]
    if op == "map":  # the same callable on several argument lists, in one round trip
        function = _target(request)
        return [function(*[decode(arg) for arg in args]) for args in request["arg_lists"]]
    if op == "get":
        return _target(request)
    if op == "eval":
        return _run_checks_code(eval, request["code"])
    if op == "exec":
        _run_checks_code(exec, request["code"])
        return None
    if op == "defined":
        return all(name in _user_ns for name in request["names"])
    if op == "device":
        torch = sys.modules.get("torch")
        return "cuda" if torch is not None and torch.cuda.is_available() else "cpu"
    raise ValueError(f"unknown request {op!r}")


def answer(request_json):
    """The answer to one request: the value's JSON, or the error the student's code raised (any exception,
    SystemExit and the interrupt of a timed-out request included), as plain text."""
    request = json.loads(request_json)
    try:
        return {"nonce": request["nonce"], "payload": json.dumps(encode(_answer(request)))}
    except BaseException as error:
        try:
            text = str(error)[:2000]
        except BaseException:
            text = "<the exception could not be printed>"
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        return {
            "nonce": request["nonce"],
            "error": {
                "ename": type(error).__name__,
                "evalue": text,
                "traceback": lines[-40:],
                "frames": _frames(error.__traceback__),
            },
        }


def _frames(tb):
    """[file name, line number, function's qualified name, source line] of each of a traceback's last 40 frames,
    innermost last: the grader finds in them the student's own frames (those of notebook cells)."""
    try:
        frames = []
        for frame, lineno in list(traceback.walk_tb(tb))[-40:]:
            code, lineno = frame.f_code, int(lineno or 0)
            line = linecache.getline(code.co_filename, lineno, frame.f_globals).strip()
            name = getattr(code, "co_qualname", code.co_name)
            frames.append([str(code.co_filename)[:500], lineno, str(name)[:200], str(line)[:500]])
        return frames
    except BaseException:  # a frame the student's code broke: the traceback's text still says where
        return []
