"""One Jupyter kernel process for one submission, and the messages that go to it and come back.

`KernelSession.execute` runs code with a wall-clock limit and a cap on output bytes: past either, the kernel
is interrupted by message and, if it does not stop within the grace period, killed. `KernelSession.request`
asks the in-kernel bridge (kernel_bridge.py) for a value and decodes the answer as data (wire.py). Requests go
on a socket of their own, bound here, that the bridge's serve loop answers in the kernel (see kernel_bridge.py
for why); the same limits hold for them.
"""
import contextlib
import json
import os
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
from .kernel_process import KernelProcess
from .traceback_text import trim_traceback

BRIDGE_SOURCE = open(kernel_bridge.__file__, encoding="utf-8").read()


def serve_code(address: str) -> str:
    """The cell that connects to the request socket at `address`, installs the bridge that the grader sends
    there as the module `_autograder_bridge`, and answers requests until the grader says STOP; it leaves no name
    in the notebook's namespace. (The bridge comes as a message, not in the cell: ipykernel hashes each cell's
    code in pure Python, 8 ms for the bridge's 10 kB.)"""
    return (
        "def _autograder_serve(address):\n"
        "    import sys, types, zmq\n"
        "    get_ipython().user_ns.pop('_autograder_serve')\n"
        "    socket = zmq.Context.instance().socket(zmq.PAIR)\n"
        "    socket.linger = 0\n"
        "    socket.connect(address)\n"
        f"    socket.send_string({kernel_bridge.READY!r})\n"
        "    module = types.ModuleType('_autograder_bridge')\n"
        "    exec(compile(socket.recv_string(), '<autograder bridge>', 'exec'), module.__dict__)\n"
        "    sys.modules[module.__name__] = module\n"
        "    module.install(get_ipython().user_ns)\n"
        "    module.serve(socket, [sys.stdout, sys.stderr, get_ipython().display_pub])\n"
        f"_autograder_serve({address!r})\n"
    )


POLL_SECONDS = 0.2
OUTPUT_KINDS = ("stream", "display_data", "execute_result")  # the iopub messages that count against the cap
HANDSHAKE_IOPUB_SECONDS = 0.05  # how long a started kernel's iopub status may lag its shell reply

# One ZMQ context for all kernels: a context of its own is destroyed with a 100 ms linger each time. Its
# sockets retry a kernel's sockets every 10 ms rather than zmq's 100 ms while the kernel has not bound them.
CONTEXT = zmq.Context()
CONTEXT.setsockopt(zmq.RECONNECT_IVL, 10)


@dataclass
class Execution:
    """What one execute request produced: notebook outputs, and the student's error if any."""

    outputs: list = field(default_factory=list)
    error: StudentError | None = None


class KernelSession:
    """The messaging side of a started kernel_process.KernelProcess; `wait_ready` connects and waits until the
    kernel answers, which lets the kernel boot (and import the modules of its preload) while the grader does
    other work between the two."""

    def __init__(self, process: KernelProcess, limits: Limits):
        self.process, self.limits = process, limits
        self.kc = None
        self.key = uuid.uuid4().hex  # names this kernel for caches of the checks (never reused, unlike id())
        self.requests = None  # the socket of the checks' requests, while the bridge serves them
        self.serving = None  # the msg_id of the execute request in which the bridge serves them
        self.poller = None  # waits on the request socket and iopub together
        self.serve_error = None  # the error that ended the serve loop, if one did

    def wait_ready(self) -> None:
        self.kc = BlockingKernelClient(context=CONTEXT)
        self.kc.load_connection_info(self.process.connection)
        self.kc.start_channels(stdin=False, hb=False)  # no input is ever asked for; liveness is the process's
        try:
            self._handshake(time.monotonic() + self.limits.kernel_start_timeout)
        except SubmissionFailure as death:
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
        """Whether a message in answer to `msg_id` comes on `channel` within `seconds`; raises the kernel's
        death when it has exited, KernelDied when `deadline` has passed."""
        until = min(deadline, time.monotonic() + seconds)
        while (remaining := until - time.monotonic()) > 0:
            try:
                if channel.get_msg(timeout=min(remaining, POLL_SECONDS))["parent_header"].get("msg_id") == msg_id:
                    return True
            except queue.Empty:
                if not self.alive:
                    raise self._death() from None
        if time.monotonic() >= deadline:
            raise KernelDied(f"no answer within {self.limits.kernel_start_timeout:g} s")
        return False

    @property
    def alive(self) -> bool:
        return self.process.alive

    def shutdown(self) -> None:
        """Stop the kernel and every process it started, and remove the run folder."""
        if self.requests is not None:
            self.requests.close()
            self.requests = None
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        self.process.remove()

    def execute(self, code: str, timeout: float) -> Execution:
        """Run `code`; raises KernelTimeout, KernelDied or OutputExceeded, never for the student's own errors."""
        if not self.alive:
            raise KernelDied("the kernel is not running")
        if self.requests is not None:
            self._stop_serving(timeout)
        return self._collect(self._start_execute(code), timeout)

    def _start_execute(self, code: str) -> str:
        return self._send("execute_request", {"code": code, "silent": False, "store_history": False,
                                              "user_expressions": {}, "allow_stdin": False, "stop_on_error": False})

    def _send(self, kind: str, content: dict) -> str:
        """Send a shell request; its answers are read from iopub directly (the client's own getters run an
        asyncio loop for each message)."""
        message = self.kc.session.msg(kind, content)
        self.kc.shell_channel.send(message)
        return message["header"]["msg_id"]

    def _collect(self, msg_id: str, timeout: float) -> Execution:
        """Gather what request `msg_id` sends until the kernel is idle again, within `timeout` and the caps."""
        deadline = time.monotonic() + timeout
        result, output_bytes = Execution(), 0
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
            elif kind in OUTPUT_KINDS:
                output_bytes += _size(content)
                if output_bytes > self.limits.max_output_bytes:
                    self._stop(lambda until: self._idle_by(msg_id, until))
                    raise OutputExceeded(f"more than {self.limits.max_output_bytes} bytes of output")
                result.outputs.append(nbformat.v4.output_from_msg(message))

    def _next_message(self, deadline: float, msg_id: str, timeout: float):
        """The next iopub message of request `msg_id`, or None; raises on the deadline or a dead kernel."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._timed_out(lambda until: self._idle_by(msg_id, until), timeout)
        try:
            message = self.kc.iopub_channel.get_msg(timeout=min(remaining, POLL_SECONDS))
        except queue.Empty:
            if not self.alive:
                raise self._death() from None
            return None
        return message if message["parent_header"].get("msg_id") == msg_id else None

    def _death(self) -> SubmissionFailure:
        return self.process.launcher.death(self.process.run_dir, self.process.returncode)

    def _timed_out(self, stopped, timeout: float) -> SubmissionFailure:
        """Stop what ran past its `timeout` (see _stop); returns why it failed: KernelTimeout, or MemoryExceeded
        when the kernel was slow because it was at its memory limit, and died of it."""
        self._stop(stopped)
        if not self.alive and isinstance(death := self._death(), MemoryExceeded):
            return death
        return KernelTimeout(f"did not finish within {timeout:g} s")

    def _stop(self, stopped) -> None:
        """Interrupt the running code by message; kill the kernel unless `stopped(deadline)` says that it stopped
        within the grace period, and it left no process running (a fork bomb)."""
        self.kc.control_channel.send(self.kc.session.msg("interrupt_request", {}))
        if stopped(time.monotonic() + self.limits.interrupt_grace):
            if not self.process.launcher.has_strays(self.process.run_dir):
                return
        self.process.kill()

    def _idle_by(self, msg_id: str, deadline: float) -> bool:
        """Whether the kernel reports request `msg_id` finished (idle) before `deadline`."""
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                message = self.kc.iopub_channel.get_msg(timeout=min(remaining, POLL_SECONDS))
            except queue.Empty:
                continue
            if (
                message["parent_header"].get("msg_id") == msg_id
                and message["msg_type"] == "status"
                and message["content"]["execution_state"] == "idle"
            ):
                return True
        return False

    def request(self, op: str, timeout: float, **fields):
        """Ask the bridge for a value (see kernel_bridge.py for the ops); returns decoded data or a HandleInfo.

        Raises StudentError when the student's code raised, SubmissionFailure when the answer is not data.
        """
        if not self.alive:
            raise KernelDied("the kernel is not running")
        deadline = time.monotonic() + timeout
        if self.requests is None:
            self._start_serving(deadline, timeout)
        nonce = secrets.token_hex(8)
        self._post(nonce, json.dumps({"op": op, "nonce": nonce, **fields}))
        while True:
            message = self._answer_by(deadline, timeout, nonce)
            if len(message) > self.limits.max_value_bytes:
                raise OutputExceeded(f"a value larger than {self.limits.max_value_bytes} bytes")
            try:
                answer = json.loads(message)
            except ValueError:
                raise SubmissionFailure("the kernel sent a malformed answer") from None
            if type(answer) is not dict or answer.get("nonce") != nonce:
                continue  # the late answer of a request that ran out of time
            if "error" in answer:
                raise student_error(answer["error"])
            try:
                return wire.decode(json.loads(answer["payload"]))
            except (TypeError, ValueError, KeyError) as error:
                raise SubmissionFailure(f"the kernel sent a malformed value: {error}") from None

    def _start_serving(self, deadline: float, timeout: float) -> None:
        """Bind the request socket, start the serve cell and send it the bridge once it has connected."""
        path, self.serve_error = self.process.request_socket, None
        self.requests = CONTEXT.socket(zmq.PAIR)
        self.requests.linger = 0
        self.requests.bind(f"ipc://{path}")
        os.chmod(path, 0o666)  # the sandbox's user connects; only the kernel's sandbox can reach the run folder
        self.poller = zmq.Poller()
        self.poller.register(self.requests, zmq.POLLIN)
        self.poller.register(self.kc.iopub_channel.socket, zmq.POLLIN)
        self.serving = self._start_execute(serve_code(f"ipc://{path}"))
        if self._answer_by(deadline, timeout) != kernel_bridge.READY.encode():
            raise SubmissionFailure("the kernel's side of the requests did not start")
        self._post(BRIDGE_SOURCE)

    def _stop_serving(self, timeout: float) -> None:
        """End the bridge's serve loop, so that the kernel can run code again."""
        with contextlib.suppress(zmq.Again):
            self.requests.send_string(kernel_bridge.STOP, zmq.NOBLOCK)
        self.requests.close()
        self.requests = None
        self._collect(self.serving, timeout)

    def _post(self, *frames: str) -> None:
        """Send one message to the serve loop (never blocking: a PAIR socket without its peer would block)."""
        try:
            self.requests.send_multipart([frame.encode() for frame in frames], zmq.NOBLOCK)
        except zmq.Again:  # no bridge on the other end any more
            raise (self._death() if not self.alive else SubmissionFailure("the kernel stopped answering requests")) from None

    def _answer_by(self, deadline: float, timeout: float, tag: str | None = None) -> bytes:
        """The next message on the request socket; meanwhile what request `tag` prints counts against the output
        cap. Raises KernelTimeout past `deadline` (once the request is stopped), OutputExceeded, the kernel's
        death, or SubmissionFailure when the serve loop has ended."""
        output_bytes = 0
        while (remaining := deadline - time.monotonic()) > 0:
            ready = dict(self.poller.poll(min(remaining, POLL_SECONDS) * 1000))
            if self.requests in ready:
                return self.requests.recv()
            if ready:
                output_bytes += self._serve_output(tag)
                if output_bytes > self.limits.max_output_bytes:
                    self._stop(self._answered_by)
                    raise OutputExceeded(f"more than {self.limits.max_output_bytes} bytes of output")
            elif not self.alive:
                raise self._death()
        raise self._timed_out(self._answered_by, timeout)

    def _serve_output(self, tag: str | None) -> int:
        """Read iopub's waiting messages: the bytes that request `tag` printed or displayed (its output carries
        the tag as its parent). Raises SubmissionFailure when the serve loop has ended (it could not start, or
        the notebook broke it)."""
        output_bytes = 0
        while self.kc.iopub_channel.msg_ready():
            message = self.kc.iopub_channel.get_msg(timeout=0)
            parent, kind, content = message["parent_header"].get("msg_id"), message["msg_type"], message["content"]
            if kind in OUTPUT_KINDS:
                output_bytes += _size(content) if parent in (tag, self.serving) else 0
            elif parent == self.serving and kind == "error":
                self.serve_error = f"{content['ename']}: {content['evalue']}"
            elif parent == self.serving and kind == "status" and content["execution_state"] == "idle":
                self.requests.close()
                self.requests = None
                raise SubmissionFailure(f"the grader could not talk to the kernel: {self.serve_error or 'the bridge stopped'}")
        return output_bytes

    def _answered_by(self, deadline: float) -> bool:
        """Whether an answer comes on the request socket before `deadline` (the interrupted request's)."""
        while (remaining := deadline - time.monotonic()) > 0:
            if self.requests.poll(min(remaining, POLL_SECONDS) * 1000):
                self.requests.recv()
                return True
        return False


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
