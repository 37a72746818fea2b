"""One Jupyter kernel process for one submission, and the messages that go to it and come back.

`KernelSession.execute` runs code with a wall-clock limit and a cap on output bytes: past either, the kernel
is interrupted by message and, if it does not stop within the grace period, killed. `KernelSession.request`
asks the in-kernel bridge (kernel_bridge.py) for a value and decodes the answer as data (wire.py).
"""
import contextlib
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field

import nbformat
import zmq

from . import kernel_bridge, wire
from .config import Limits
from .failures import KernelDied, KernelTimeout, MemoryExceeded, OutputExceeded, StudentError, SubmissionFailure
from .kernel_launcher import SubmissionKernelManager
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


@dataclass
class Execution:
    """What one execute request produced: notebook outputs, the student's error if any, bridge answers."""

    outputs: list = field(default_factory=list)
    error: StudentError | None = None
    answers: list = field(default_factory=list)


class KernelSession:
    """A kernel started by `launcher` in a private run folder, with `files` copied into its working folder and
    the course's data folder linked there as data/ (the sandbox mounts it read-only).

    `launch` starts the process and returns at once; `wait_ready` waits until it answers. In between, the
    kernel boots (and imports the modules of `preload`) while the grader does other work.
    """

    def __init__(self, launcher, limits: Limits, files: tuple[str, ...] = (), preload: tuple[str, ...] = (),
                 data_dir: str | None = None):
        self.launcher, self.limits, self.files, self.preload, self.data_dir = launcher, limits, files, preload, data_dir
        self.km = self.kc = None
        self.run_dir = None
        self.key = uuid.uuid4().hex  # names this kernel for caches of the checks (never reused, unlike id())
        self.comm_id = None  # the comm that carries requests, once the bridge is installed

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        self.run_dir = tempfile.mkdtemp(prefix="ag-")
        scratch = os.path.join(self.run_dir, "work")
        os.makedirs(scratch)
        for path in self.files:
            copy = shutil.copytree if os.path.isdir(path) else shutil.copy
            copy(path, os.path.join(scratch, os.path.basename(path)))
        if self.data_dir is not None:
            os.symlink(os.path.abspath(self.data_dir), os.path.join(scratch, "data"))
        self.launcher.prepare(self.run_dir, scratch)
        self.km = SubmissionKernelManager(
            # one ZMQ context for all kernels: a context of its own is destroyed with a 100 ms linger each time
            context=zmq.Context.instance(),
            launcher=self.launcher,
            run_dir=self.run_dir,
            scratch=scratch,
            preload=list(self.preload),
            transport="ipc",
            ip=self.launcher.socket_prefix(self.run_dir),
            connection_file=os.path.join(self.run_dir, "kernel.json"),
        )
        with open(self._log_path, "wb") as log:  # the kernel's own stdout and stderr, never the grader's
            self.km.start_kernel(env=self.launcher.environment(scratch), cwd=scratch, stdout=log, stderr=log)
        self.kc = self.km.blocking_client()
        self.kc.start_channels()

    @property
    def _log_path(self) -> str:
        return os.path.join(self.run_dir, "kernel.log")

    def wait_ready(self) -> None:
        try:
            self.kc.wait_for_ready(timeout=self.limits.kernel_start_timeout)
        except (RuntimeError, TimeoutError) as error:
            with open(self._log_path, "rb") as log:
                said = log.read()[-2000:].decode("utf-8", "replace").strip()
            self.shutdown()
            raise KernelDied(f"the kernel did not start: {error}" + (f"\n{said}" if said else "")) from None
        self.launcher.started(self.run_dir)

    @property
    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def shutdown(self) -> None:
        """Stop the kernel and every process it started, and remove the run folder."""
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            if self.km.has_kernel:
                self._kill_now()
                self.km.shutdown_kernel(now=True)
            self.km.cleanup_resources()
        if self.run_dir is not None:
            self.launcher.cleanup(self.run_dir)
            shutil.rmtree(self.run_dir, ignore_errors=True)
        self.km = self.kc = self.run_dir = None

    def _kill_now(self) -> None:
        """SIGKILL the kernel's process group and reap it: jupyter_client's own kill polls every 0.1 s."""
        process = getattr(self.km.provisioner, "process", None)
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # started in a session of its own: its group id is its pid
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)

    def execute(self, code: str, timeout: float) -> Execution:
        """Run `code`; raises KernelTimeout, KernelDied or OutputExceeded, never for the student's own errors."""
        if not self.alive:
            raise KernelDied("the kernel is not running")
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
        return self._collect(msg_id, timeout)

    def _send(self, kind: str, content: dict) -> str:
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
            message = self.kc.get_iopub_msg(timeout=min(remaining, POLL_SECONDS))
        except queue.Empty:
            if not self.alive:
                raise self._death() from None
            return None
        return message if message["parent_header"].get("msg_id") == msg_id else None

    def _death(self) -> SubmissionFailure:
        process = getattr(self.km.provisioner, "process", None)
        return self.launcher.death(self.run_dir, process.poll() if process is not None else None)

    def _stop(self, msg_id: str) -> None:
        """Interrupt the running request by message; kill the kernel if it is not idle within the grace."""
        self.kc.control_channel.send(self.kc.session.msg("interrupt_request", {}))
        deadline = time.monotonic() + self.limits.interrupt_grace
        while time.monotonic() < deadline:
            try:
                message = self.kc.get_iopub_msg(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if (
                message["parent_header"].get("msg_id") == msg_id
                and message["msg_type"] == "status"
                and message["content"]["execution_state"] == "idle"
            ):
                if not self.launcher.has_strays(self.run_dir):
                    return
                break  # the request stopped but what it started runs on (a fork bomb): end them all
        self._kill_now()
        self.km.shutdown_kernel(now=True)

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
