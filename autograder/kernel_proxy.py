"""One Jupyter kernel process for one submission, and the messages that go to it and come back.

`KernelSession.execute` runs code with a wall-clock limit and a cap on output bytes: past either, the kernel
is interrupted by message and, if it does not stop within the grace period, killed. `KernelSession.request`
asks the in-kernel bridge (kernel_bridge.py) for a value and decodes the answer as data (wire.py).
"""
import json
import queue
import secrets
import time
import uuid
from dataclasses import dataclass, field

import nbformat
import zmq
from jupyter_client import BlockingKernelClient

from . import kernel_bridge, wire
from .config import Limits
from .failures import KernelDied, KernelTimeout, MemoryExceeded, OutputExceeded, StudentError, SubmissionFailure
from .kernel_launcher import describe_exit
from .kernel_process import KernelProcess
from .traceback_text import trim_traceback

BRIDGE_SOURCE = open(kernel_bridge.__file__, encoding="utf-8").read()
INSTALL_BRIDGE = (
    "def _autograder_install(source):\n"
    "    import sys, types\n"
    "    module = types.ModuleType('_autograder_bridge')\n"
    "    exec(compile(source, '<autograder bridge>', 'exec'), module.__dict__)\n"
    "    sys.modules[module.__name__] = module\n"
    "    module.install(get_ipython().user_ns, get_ipython().kernel.comm_manager)\n"
    f"_autograder_install({BRIDGE_SOURCE!r})\n"
    "del _autograder_install\n"
)
POLL_SECONDS = 0.2
HANDSHAKE_IOPUB_SECONDS = 0.05  # how long a started kernel's iopub status may lag its shell reply

# One ZMQ context for all kernels: a context of its own is destroyed with a 100 ms linger each time. Its
# sockets retry a kernel's sockets every 10 ms rather than zmq's 100 ms while the kernel has not bound them.
CONTEXT = zmq.Context()
CONTEXT.setsockopt(zmq.RECONNECT_IVL, 10)


@dataclass
class Execution:
    """What one execute request produced: notebook outputs, the student's error if any, bridge answers."""

    outputs: list = field(default_factory=list)
    error: StudentError | None = None
    answers: list = field(default_factory=list)


class KernelSession:
    """The messaging side of a started kernel_process.KernelProcess; `wait_ready` connects and waits until the
    kernel answers, which lets the kernel boot (and import the modules of its preload) while the grader does
    other work between the two."""

    def __init__(self, process: KernelProcess, limits: Limits):
        self.process, self.limits = process, limits
        self.kc = None
        self.key = uuid.uuid4().hex  # names this kernel for caches of the checks (never reused, unlike id())
        self.comm_id = None  # the comm that carries requests, once the bridge is installed

    def wait_ready(self) -> None:
        self.kc = BlockingKernelClient(context=CONTEXT)
        self.kc.load_connection_info(self.process.connection)
        self.kc.start_channels(stdin=False, hb=False)  # no input is ever asked for; liveness is the process's
        try:
            self._handshake(time.monotonic() + self.limits.kernel_start_timeout)
        except KernelDied as death:
            said = self.process.log_tail() if self.process.run_dir else ""
            self.shutdown()
            raise KernelDied(f"the kernel did not start: {death}" + (f"\n{said}" if said else "")) from None
        self.process.launcher.started(self.process.run_dir)

    def _handshake(self, deadline: float) -> None:
        """Return once the kernel has answered a kernel_info request on shell and its iopub messages reach us.

        A message published before our subscription has reached the kernel is lost, so the request is sent
        again until its iopub status arrives too (jupyter_client's own wait adds a fixed 0.2 s instead).
        """
        while True:
            msg_id = self._send("kernel_info_request", {})
            if self._reply_on(self.kc.shell_channel, msg_id, deadline, 1.0) and self._reply_on(
                self.kc.iopub_channel, msg_id, deadline, HANDSHAKE_IOPUB_SECONDS
            ):
                return

    def _reply_on(self, channel, msg_id: str, deadline: float, seconds: float) -> bool:
        """Whether a message in answer to `msg_id` comes on `channel` within `seconds`; raises KernelDied when
        the kernel has exited or `deadline` has passed."""
        until = min(deadline, time.monotonic() + seconds)
        while (remaining := until - time.monotonic()) > 0:
            try:
                if channel.get_msg(timeout=min(remaining, POLL_SECONDS))["parent_header"].get("msg_id") == msg_id:
                    return True
            except queue.Empty:
                if not self.alive:
                    raise KernelDied(describe_exit(self.process.returncode)) from None
        if time.monotonic() >= deadline:
            raise KernelDied(f"no answer within {self.limits.kernel_start_timeout:g} s")
        return False

    @property
    def alive(self) -> bool:
        return self.process.alive

    def shutdown(self) -> None:
        """Stop the kernel and every process it started, and remove the run folder."""
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        self.process.remove()

    def execute(self, code: str, timeout: float) -> Execution:
        """Run `code`; raises KernelTimeout, KernelDied or OutputExceeded, never for the student's own errors."""
        if not self.alive:
            raise KernelDied("the kernel is not running")
        content = {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": False}
        return self._collect(self._send("execute_request", content), timeout)

    def _send(self, kind: str, content: dict) -> str:
        """Send a shell request; its answers are read from iopub directly (the client's own getters run an
        asyncio loop for each message)."""
        message = self.kc.session.msg(kind, content)
        self.kc.shell_channel.send(message)
        return message["header"]["msg_id"]

    def _collect(self, msg_id: str, timeout: float) -> Execution:
        """Gather what request `msg_id` sends until the kernel is idle again, within `timeout` and the caps."""
        deadline = time.monotonic() + timeout
        result, output_bytes, value_bytes = Execution(), 0, 0
        while True:
            message = self._next_message(deadline, msg_id, timeout)
            if message is None:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return result
            if kind == "error":
                result.error = StudentError(
                    content["ename"], content["evalue"], trim_traceback(content["traceback"])
                )
            elif kind == "comm_msg" and content.get("comm_id") == self.comm_id:
                value_bytes += len(json.dumps(content.get("data")))
                if value_bytes > self.limits.max_value_bytes:
                    self._stop(msg_id)
                    raise OutputExceeded(f"a value larger than {self.limits.max_value_bytes} bytes")
                result.answers.append(content.get("data"))
            elif kind in ("stream", "display_data", "execute_result"):
                output_bytes += _size(content)
                if output_bytes > self.limits.max_output_bytes:
                    self._stop(msg_id)
                    raise OutputExceeded(f"more than {self.limits.max_output_bytes} bytes of output")
                result.outputs.append(nbformat.v4.output_from_msg(message))

    def _next_message(self, deadline: float, msg_id: str, timeout: float):
        """The next iopub message of request `msg_id`, or None; raises on the deadline or a dead kernel."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            self._stop(msg_id)
            if not self.alive and isinstance(self._death(), MemoryExceeded):
                raise self._death()  # it was slow because it was at its memory limit: that is the cause
            raise KernelTimeout(f"did not finish within {timeout:g} s")
        try:
            message = self.kc.iopub_channel.get_msg(timeout=min(remaining, POLL_SECONDS))
        except queue.Empty:
            if not self.alive:
                raise self._death() from None
            return None
        return message if message["parent_header"].get("msg_id") == msg_id else None

    def _death(self) -> SubmissionFailure:
        return self.process.launcher.death(self.process.run_dir, self.process.returncode)

    def _stop(self, msg_id: str) -> None:
        """Interrupt the running request by message; kill the kernel if it is not idle within the grace."""
        self.kc.control_channel.send(self.kc.session.msg("interrupt_request", {}))
        deadline = time.monotonic() + self.limits.interrupt_grace
        while time.monotonic() < deadline:
            try:
                message = self.kc.iopub_channel.get_msg(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if (
                message["parent_header"].get("msg_id") == msg_id
                and message["msg_type"] == "status"
                and message["content"]["execution_state"] == "idle"
            ):
                if not self.process.launcher.has_strays(self.process.run_dir):
                    return
                break  # the request stopped but what it started runs on (a fork bomb): end them all
        self.process.kill()

    def install_bridge(self, timeout: float) -> None:
        """Install kernel_bridge.py in the kernel and open the comm that carries the requests."""
        execution = self.execute(INSTALL_BRIDGE, timeout)
        if execution.error is not None:
            raise SubmissionFailure(f"the grader could not talk to the kernel: {execution.error}")
        comm_id = secrets.token_hex(16)
        opened = self._send("comm_open", {"comm_id": comm_id, "target_name": kernel_bridge.COMM_TARGET, "data": {}})
        self._collect(opened, timeout)
        self.comm_id = comm_id

    def request(self, op: str, timeout: float, **fields):
        """Ask the bridge for a value (see kernel_bridge.py for the ops); returns decoded data or a HandleInfo.

        Raises StudentError when the student's code raised, SubmissionFailure when the answer is not data.
        """
        if not self.alive:
            raise KernelDied("the kernel is not running")
        if self.comm_id is None:
            self.install_bridge(timeout)
        nonce = secrets.token_hex(8)
        request = json.dumps({"op": op, "nonce": nonce, **fields})
        execution = self._collect(self._send("comm_msg", {"comm_id": self.comm_id, "data": {"request": request}}), timeout)
        for answer in execution.answers:
            if type(answer) is not dict or answer.get("nonce") != nonce:
                continue
            if "error" in answer:
                raise student_error(answer["error"])
            try:
                return wire.decode(json.loads(answer["payload"]))
            except (TypeError, ValueError, KeyError) as error:
                raise SubmissionFailure(f"the kernel sent a malformed value: {error}") from None
        raise SubmissionFailure("the kernel sent no answer (was the notebook's messaging replaced?)")


def student_error(error) -> StudentError:
    """The StudentError described by the bridge's error answer (whatever its shape: it comes from the kernel)."""
    if type(error) is not dict:
        return StudentError("Error", "the kernel sent a malformed error", "")
    lines = error.get("traceback") if isinstance(error.get("traceback"), list) else []
    return StudentError(str(error.get("ename", "Error")), str(error.get("evalue", "")), trim_traceback([str(line) for line in lines]))


def _size(content: dict) -> int:
    if "text" in content:
        return len(content["text"])
    return sum(len(value) if isinstance(value, str) else len(json.dumps(value)) for value in content["data"].values())
