"""`sub`: what a hidden check holds of the submission. Every use is a request to the kernel; answers are data.

    sub.call("step", 0.0)                    call a notebook function; returns data, or a Handle for objects
    sub.map("step", [(0.0,), (1.5,)])        several calls of one function in one request
    neuron = sub.call("BasicNeuron", w, 0.5, sub.ref("step"))
    neuron.feedforward(x)                    attribute access and calls on a Handle run in the kernel
    neuron.call_method("feedforward", x)     the same call in one request (the line above takes two)
    neuron.weights                           fetched as data (an ndarray here)
    sub.get("or_neuron"), sub.eval("expression"), sub.exec("statements"), sub.defined("xor")
    sub.tensor(array)                        an argument that becomes a torch tensor in the kernel
    sub.call_recording_warnings("sigmoid", -1000.0)  -> (value, ["RuntimeWarning: overflow ..."])
    sub.once("trained", lambda: ...)         one expensive result (a trained GAN's samples) shared by checks

Every request of a check shares the check's deadline; when it passes, the request fails with KernelTimeout.
"""

from autograder.errors import KernelDied, KernelTimeout, StudentError
from autograder.kernel import wire
from autograder.kernel.deadline import Deadline


class Submission:
    _once: dict = {}  # (kernel key, name) -> the result, or the exception, of the last kernel's `once` runs

    def __init__(self, kernel, deadline: Deadline, seed: int):
        self._kernel, self._deadline = kernel, deadline
        self._session = kernel.session()
        self._begin_check = seed  # sent with the check's first request: the kernel then forgets and seeds

    @property
    def kernel_key(self) -> str:
        """A name of this check's kernel, unique over the grader's life: a new kernel (a restart, the next
        submission) has another. Checks that share one expensive result (a trained GAN's samples) key it so."""
        return self._session.key

    def once(self, name: str, compute):
        """compute()'s result, computed once per kernel: the next checks on the same kernel get it again, or
        the same exception, without computing again; a new kernel (the next submission) never sees it."""
        key = (self.kernel_key, name)
        if key not in Submission._once:
            if not any(kernel == self.kernel_key for kernel, _ in Submission._once):
                Submission._once.clear()  # one kernel at a time: the last one's results go
            try:
                Submission._once[key] = compute()
            except BaseException as failure:  # noqa: BLE001 - kept and raised again for the checks that share it
                Submission._once[key] = failure
        outcome = Submission._once[key]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    ref = staticmethod(wire.Ref)
    tensor = staticmethod(wire.Tensor)

    def call(self, name: str, *args, **kwargs):
        return self._call({"$ref": name}, args, kwargs, called=name)

    def map(self, name: str, arg_lists) -> list:
        """[name(*args) for args in arg_lists], computed in one request."""
        encoded = [[wire.encode(arg) for arg in args] for args in arg_lists]
        return self._request("map", target={"$ref": name}, arg_lists=encoded, called=name)

    def call_recording_warnings(self, name: str, *args, **kwargs) -> tuple:
        """(value, warnings) of a call: the warnings it raised, as "Category: message" strings."""
        return self._call({"$ref": name}, args, kwargs, record_warnings=True, called=name)

    def get(self, name: str):
        return self._request("get", target={"$ref": name})

    def eval(self, expression: str):
        return self._request("eval", code=expression)

    def exec(self, code: str) -> None:
        self._request("exec", code=code)

    def defined(self, *names: str) -> bool:
        return self._request("defined", names=list(names))

    def _call(self, target: dict, args, kwargs, record_warnings: bool = False, path: tuple[str, ...] = (), called=None):
        return self._request(
            "call",
            called,
            target=target,
            path=list(path),
            args=[wire.encode(arg) for arg in args],
            kwargs={key: wire.encode(arg) for key, arg in kwargs.items()},
            record_warnings=record_warnings,
        )

    def _request(self, op: str, called: str | None = None, **fields):
        """One request to the kernel; a StudentError it raises says what was `called` (a notebook function,
        or Class.method), for its message."""
        remaining = self._deadline.left()
        if remaining <= 0:
            raise KernelTimeout("the check ran out of time")
        if self._kernel.session() is not self._session:
            raise KernelDied("the kernel was restarted during this check")
        if self._begin_check is not None:
            fields["begin_check"], self._begin_check = self._begin_check, None
        try:
            return self._wrap(self._session.request(op, remaining, **fields))
        except StudentError as error:
            error.called = error.called or called
            raise

    def _wrap(self, value):
        if isinstance(value, wire.HandleInfo):
            return Handle(self, value)
        if isinstance(value, list):
            return [self._wrap(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self._wrap(item) for item in value)
        if isinstance(value, dict):
            return {key: self._wrap(item) for key, item in value.items()}
        return value


class Handle:
    """An object that stays in the kernel (a network, a model, a bound method)."""

    __slots__ = ("_sub", "_handle_info")

    def __init__(self, sub: Submission, info: wire.HandleInfo):
        self._sub, self._handle_info = sub, info

    @property
    def remote_type(self) -> str:
        """The object's type in the kernel, as "module.Class"."""
        return self._handle_info.type

    def __getattr__(self, name: str):
        if name.startswith("__"):  # numpy, pytest and copy probe dunders: never a kernel request
            raise AttributeError(name)
        return self._sub._request("get", self._called(name), target={"$handle": self._handle_info.key}, path=[name])

    def __call__(self, *args, **kwargs):
        return self._sub._call({"$handle": self._handle_info.key}, args, kwargs, called=self._called())

    def call_method(self, name: str, *args, **kwargs):
        """The kernel object's method `name` called with these arguments, in one request."""
        return self._sub._call(
            {"$handle": self._handle_info.key}, args, kwargs, path=(name,), called=self._called(name)
        )

    def _called(self, attribute: str | None = None) -> str:
        """The object's class name, and `attribute`'s: what a failed request on it names."""
        name = self._handle_info.type.rsplit(".", 1)[-1]
        return f"{name}.{attribute}" if attribute else name

    def __repr__(self) -> str:
        return f"<{self._handle_info.type} in the kernel: {self._handle_info.repr}>"
