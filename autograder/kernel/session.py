"""One Jupyter kernel process for one submission, and the messages that go to it and come back.

`KernelSession.execute` runs code with a wall-clock limit and a cap on output bytes: past either, the kernel
is interrupted by message and, if it does not stop within the grace period, killed. `KernelSession.request`
asks the in-kernel bridge (bridge.py) for a value and decodes the answer as data (wire.py). Requests go
on a socket of their own, bound here, that the bridge's serve loop answers in the kernel (see bridge.py
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

from autograder.errors import KernelDied, KernelTimeout, MemoryExceeded, OutputExceeded, StudentError, SubmissionFailure
from autograder.kernel import bridge, wire
from autograder.kernel.deadline import Deadline
from autograder.kernel.limits import Limits
from autograder.kernel.process import KernelProcess
from autograder.kernel.traceback_text import parse_frames, trim_traceback

BRIDGE_SOURCE = open(bridge.__file__, encoding="utf-8").read()


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
        f"    socket.send_string({bridge.READY!r})\n"
        "    module = types.ModuleType('_autograder_bridge')\n"
        "    exec(compile(socket.recv_string(), '<autograder bridge>', 'exec'), module.__dict__)\n"
        "    sys.modules[module.__name__] = module\n"
        "    module.install(get_ipython().user_ns)\n"
        "    module.serve(socket, [sys.stdout, sys.stderr, get_ipython().display_pub])\n"
        f"_autograder_serve({address!r})\n"
    )


POLL_SECONDS = 0.2
EXIT_SECONDS = 0.5  # how long after its sockets closed a dying kernel's process may take to be seen ending
OUTPUT_KINDS = ("stream", "display_data", "execute_result")  # the iopub messages that count against the cap
HANDSHAKE_IOPUB_SECONDS = 0.05  # how long a started kernel's iopub status may lag its shell reply

# One ZMQ context for all kernels: a context of its own is destroyed with a 100 ms linger each time. Its
# sockets retry a kernel's sockets every 10 ms rather than zmq's 100 ms while the kernel has not bound them.
CONTEXT = zmq.Context()
CONTEXT.setsockopt(zmq.RECONNECT_IVL, 10)


@dataclass
class OutputBudget:
    """The bytes of output a whole submission may still send back: every cell and request, over every kernel
    it gets. Past zero, all later output is refused (so what the grader holds and writes stays bounded)."""

    left: int

    @property
    def spent(self) -> bool:
        return self.left < 0


@dataclass
class Execution:
    """What one execute request produced: notebook outputs, and the student's error if any."""

    outputs: list = field(default_factory=list)
    error: StudentError | None = None


class KernelSession:
    """The messaging side of a started kernel.process.KernelProcess; `wait_ready` connects and waits until the
    kernel answers, which lets the kernel boot (and import the modules of its preload) while the grader does
    other work between the two."""

    def __init__(self, process: KernelProcess, limits: Limits, budget: OutputBudget | None = None):
        self.process, self.limits = process, limits
        self.budget = budget or OutputBudget(limits.max_submission_output_bytes)
        self.kc = None
        self.key = uuid.uuid4().hex  # names this kernel for caches of the checks (never reused, unlike id())
        self.requests = None  # the socket of the checks' requests, while the bridge serves them
        self.request_events = None  # that socket's monitor: says when a too large message cut the connection
        self.iopub_events = None  # the same for iopub, whose messages may be no larger than iopub_message_limit
        self.serving = None  # the msg_id of the execute request in which the bridge serves them
        self.poller = None  # waits on the request socket and iopub together
        self.serve_error = None  # the error that ended the serve loop, if one did

    def wait_ready(self, deadline: Deadline | None = None) -> None:
        """Connect and wait for the kernel, for kernel_start_timeout at most and never past `deadline` (the
        submission's: KernelTimeout then, as the submission's time ran out, not the kernel's start)."""
        CONTEXT.setsockopt(zmq.MAXMSGSIZE, iopub_message_limit(self.limits))  # for the sockets made next
        self.kc = BlockingKernelClient(context=CONTEXT)
        self.kc.load_connection_info(self.process.connection)
        self.kc.start_channels(stdin=False, hb=False)  # no input is ever asked for; liveness is the process's
        self.iopub_events = self.kc.iopub_channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        start_limit = Deadline.after(self.limits.kernel_start_timeout)
        until = start_limit if deadline is None or start_limit.at <= deadline.at else deadline
        try:
            self._handshake(until.at)
        except SubmissionFailure as death:
            said = self.process.log_tail() if self.process.run_dir else ""
            self.shutdown()
            if until is not start_limit and until.passed:
                raise KernelTimeout("the submission's time ran out while its kernel started") from None
            raise KernelDied(f"the kernel did not start: {death}" + (f"\n{said}" if said else "")) from None
        self.process.ready()

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
        self._close_requests()
        if self.kc is not None:
            self.kc.iopub_channel.socket.disable_monitor()
            self.iopub_events.close()
            self.kc.stop_channels()
            self.kc = self.iopub_events = None
        self.process.remove()

    def execute(self, code: str, timeout: float, budget: OutputBudget | None = None) -> Execution:
        """Run `code`, its output counted against `budget` (default: the session's); raises KernelTimeout,
        KernelDied or OutputExceeded (MemoryExceeded if the grader's own memory ran out with what came back),
        never for the student's own errors."""
        if not self.alive:
            raise KernelDied("the kernel is not running")
        if self.requests is not None:
            self._stop_serving(timeout)
        try:
            return self._collect(self._start_execute(code), timeout, budget)
        except MemoryError:
            raise self._grader_out_of_memory() from None

    def _start_execute(self, code: str) -> str:
        return self._send(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": False,
            },
        )

    def _send(self, kind: str, content: dict) -> str:
        """Send a shell request; its answers are read from iopub directly (the client's own getters run an
        asyncio loop for each message)."""
        message = self.kc.session.msg(kind, content)
        self.kc.shell_channel.send(message)
        return message["header"]["msg_id"]

    def _grader_out_of_memory(self) -> MemoryExceeded:
        """The grader's memory limit (grader_limits.py) ran out while it read what this kernel sent: the kernel
        goes (and with it what it would send next), and the submission, not the grading, fails."""
        self.process.kill()
        return MemoryExceeded("the grader ran out of memory reading what the kernel sent")

    def _collect(self, msg_id: str, timeout: float, budget: OutputBudget | None = None) -> Execution:
        """Gather what request `msg_id` sends until the kernel is idle again, within `timeout` and the caps
        (`budget`: the session's when None)."""
        budget = budget or self.budget
        deadline = Deadline.after(timeout)
        result, output_bytes = Execution(), 0
        while True:
            message = self._next_message(deadline, msg_id)
            if message is None:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return result
            if kind == "error" or kind in OUTPUT_KINDS:
                output_bytes += self._spend(
                    _size(content), output_bytes, budget, lambda until: self._idle_by(msg_id, until)
                )
            if kind == "error":
                result.error = StudentError(content["ename"], content["evalue"], trim_traceback(content["traceback"]))
            elif kind in OUTPUT_KINDS:
                result.outputs.append(nbformat.v4.output_from_msg(message))

    def _spend(self, size: int, output_bytes: int, budget: OutputBudget, stopped) -> int:
        """Count `size` more bytes of output against this execution's cap (`output_bytes` so far) and `budget`;
        returns `size`, or stops the code (see _stop) and raises OutputExceeded."""
        if size == 0:
            return 0
        budget.left -= size
        if output_bytes + size > self.limits.max_output_bytes:
            self._stop(stopped)
            raise OutputExceeded(f"more than {self.limits.max_output_bytes} bytes of output")
        if budget.spent:
            self._stop(stopped)
            raise OutputExceeded(
                f"the submission's output passed its limit of {self.limits.max_submission_output_bytes} bytes in all"
            )
        return size

    def _next_message(self, deadline: Deadline, msg_id: str):
        """The next iopub message of request `msg_id`, or None; raises on the deadline or a dead kernel."""
        remaining = deadline.left()
        if remaining <= 0:
            raise self._timed_out(lambda until: self._idle_by(msg_id, until), deadline)
        try:
            message = self.kc.iopub_channel.get_msg(timeout=min(remaining, POLL_SECONDS))
        except queue.Empty:
            if not self.alive:
                raise self._death() from None
            message = None
        if self.iopub_events.poll(0):
            raise self._cut_off(f"an output message larger than {iopub_message_limit(self.limits)} bytes")
        return message if message is not None and message["parent_header"].get("msg_id") == msg_id else None

    def _death(self) -> SubmissionFailure:
        return self.process.death()

    def _cut_off(self, too_large: str) -> SubmissionFailure:
        """What it means that zmq cut a socket's connection to the kernel: the kernel's death (its sockets
        close as it exits, a moment before its process is seen to end), or else a message larger than the
        socket's limit, `too_large`. The kernel is then stopped: it would connect again and send what it
        queued behind that message (more of the same, perhaps), and the checks after this one get a fresh
        kernel rather than wait for it."""
        self.process.wait(EXIT_SECONDS)
        if not self.alive:
            return self._death()
        self.process.kill()
        return OutputExceeded(f"{too_large} (the kernel was stopped)")

    def _timed_out(self, stopped, deadline: Deadline) -> SubmissionFailure:
        """Stop what ran past its `deadline` (see _stop); returns why it failed: KernelTimeout, or MemoryExceeded
        when the kernel was slow because it was at its memory limit, and died of it."""
        self._stop(stopped)
        if not self.alive and isinstance(death := self._death(), MemoryExceeded):
            return death
        return KernelTimeout(f"did not finish within {deadline.seconds:g} s")

    def _stop(self, stopped) -> None:
        """Interrupt the running code by message; kill the kernel unless `stopped(deadline)` says that it stopped
        within the grace period, and it left no process running (a fork bomb)."""
        self.kc.control_channel.send(self.kc.session.msg("interrupt_request", {}))
        if stopped(time.monotonic() + self.limits.interrupt_grace):
            if not self.process.has_strays():
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
        """Ask the bridge for a value (see bridge.py for the ops); returns decoded data or a HandleInfo.

        Raises StudentError when the student's code raised, SubmissionFailure when the answer is not data
        (MemoryExceeded when the grader's own memory ran out with it).
        """
        if not self.alive:
            raise KernelDied("the kernel is not running")
        try:
            return self._ask(op, timeout, fields)
        except MemoryError:
            raise self._grader_out_of_memory() from None

    def _ask(self, op: str, timeout: float, fields: dict):
        deadline = Deadline.after(timeout)
        if self.requests is None:
            self._start_serving(deadline)
        nonce = secrets.token_hex(8)
        self._post(nonce, json.dumps({"op": op, "nonce": nonce, **fields}))
        while True:
            message = self._answer_by(deadline, nonce)
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

    def _start_serving(self, deadline: Deadline) -> None:
        """Bind the request socket, start the serve cell and send it the bridge once it has connected."""
        path, self.serve_error = self.process.request_socket, None
        self.requests = CONTEXT.socket(zmq.PAIR)
        self.requests.linger = 0
        # zmq refuses a larger message as it starts to arrive, by cutting the connection (the monitor says
        # so): never the whole of it received first, and then found too large
        self.requests.setsockopt(zmq.MAXMSGSIZE, self.limits.max_value_bytes)
        self.request_events = self.requests.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        self.requests.bind(f"ipc://{path}")
        os.chmod(path, 0o666)  # the sandbox's user connects; only the kernel's sandbox can reach the run folder
        self.poller = zmq.Poller()
        self.poller.register(self.requests, zmq.POLLIN)
        self.poller.register(self.kc.iopub_channel.socket, zmq.POLLIN)
        self.poller.register(self.request_events, zmq.POLLIN)
        self.poller.register(self.iopub_events, zmq.POLLIN)
        self.serving = self._start_execute(serve_code(f"ipc://{path}"))
        if self._answer_by(deadline) != bridge.READY.encode():
            raise SubmissionFailure("the kernel's side of the requests did not start")
        self._post(BRIDGE_SOURCE)

    def _stop_serving(self, timeout: float) -> None:
        """End the bridge's serve loop, so that the kernel can run code again."""
        with contextlib.suppress(zmq.Again):
            self.requests.send_string(bridge.STOP, zmq.NOBLOCK)
        self._close_requests()
        self._collect(self.serving, timeout)

    def _close_requests(self) -> None:
        """Close the request socket and its monitor, if open."""
        if self.requests is not None:
            self.requests.disable_monitor()
            self.request_events.close()
            self.requests.close()
            self.requests = self.request_events = None

    def _post(self, *frames: str) -> None:
        """Send one message to the serve loop (never blocking: a PAIR socket without its peer would block)."""
        try:
            self.requests.send_multipart([frame.encode() for frame in frames], zmq.NOBLOCK)
        except zmq.Again:  # no bridge on the other end any more
            raise (
                self._death() if not self.alive else SubmissionFailure("the kernel stopped answering requests")
            ) from None

    def _answer_by(self, deadline: Deadline, tag: str | None = None) -> bytes:
        """The next message on the request socket; meanwhile what request `tag` prints counts against the output
        cap. Raises KernelTimeout past `deadline` (once the request is stopped), OutputExceeded (too much output,
        or an answer larger than max_value_bytes), the kernel's death, or SubmissionFailure when the serve loop
        has ended."""
        output_bytes = 0
        while (remaining := deadline.left()) > 0:
            ready = dict(self.poller.poll(min(remaining, POLL_SECONDS) * 1000))
            if self.requests in ready:
                return self.requests.recv()
            if self.request_events in ready:
                raise self._cut_off(f"a value larger than {self.limits.max_value_bytes} bytes")
            if self.iopub_events in ready:
                raise self._cut_off(f"an output message larger than {iopub_message_limit(self.limits)} bytes")
            if ready:
                output_bytes += self._spend(self._serve_output(tag), output_bytes, self.budget, self._answered_by)
            elif not self.alive:
                raise self._death()
        raise self._timed_out(self._answered_by, deadline)

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
                self._close_requests()
                raise SubmissionFailure(
                    f"the grader could not talk to the kernel: {self.serve_error or 'the bridge stopped'}"
                )
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
    return StudentError(
        str(error.get("ename", "Error")),
        str(error.get("evalue", "")),
        trim_traceback([str(line) for line in lines]),
        parse_frames(error.get("frames")),
    )


def iopub_message_limit(limits: Limits) -> int:
    """Bytes of the largest message the grader takes from the kernel's iopub (or shell, or control); zmq
    refuses a larger one as it starts to arrive (see _cut_off). It holds what a print loop sends in one of
    ipykernel's flushes (about 20 MB at full speed, measured), so that a flood is interrupted by the output cap
    as before, and the most output an execution may send (max_output_bytes characters, up to 6 bytes each)."""
    return max(32 * 2**20, 6 * limits.max_output_bytes + 2**16)


def _size(content: dict) -> int:
    """Characters of an output or error message's content (a traceback is kept in the results too)."""
    if "traceback" in content:
        return len(content["evalue"]) + sum(len(line) for line in content["traceback"])
    if "text" in content:
        return len(content["text"])
    return sum(len(value) if isinstance(value, str) else len(json.dumps(value)) for value in content["data"].values())
