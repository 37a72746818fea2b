"""A kernel's process: its run folder, its connection file and the OS process, started without jupyter_client.

This module imports nothing heavy (no zmq, jupyter_client or nbformat), so that `grade` starts the kernel a
tenth of a second after its own start and the kernel's second of booting overlaps the grader's own imports.
The messages to and from the kernel are kernel_proxy.py's part, once the kernel is up.

The run folder (private, removed at the end) holds:

    kernel.json   the connection file: Unix sockets (ipc transport) under the launcher's socket prefix
    kernel.log    the kernel's own stdout and stderr, never the grader's
    work/         the kernel's working folder: the lab's files, and data/ linked to the course's data
"""
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile

from autograder.kernel.provisioner import kernel_command

# ipc "ports" are suffixes of the socket paths: <prefix>-1 ... <prefix>-5, fresh in each run folder; the
# grader binds <prefix>-6 itself for the checks' requests (kernel_bridge.serve connects to it)
PORTS = {"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5}
REQUEST_PORT = 6


def connection_info(socket_prefix: str) -> dict:
    """What a Jupyter client and kernel need to find each other, with a fresh HMAC key (the kernel's secret)."""
    return {
        **PORTS,
        "transport": "ipc",
        "ip": socket_prefix,
        "key": secrets.token_hex(32),
        "signature_scheme": "hmac-sha256",
        "kernel_name": "",
    }


class KernelProcess:
    """One kernel process, started by `launcher` (kernel_launcher.KernelLauncher or the sandbox's) with `files`
    copied into its working folder and `preload` imported while it boots."""

    def __init__(self, launcher, files: tuple[str, ...] = (), preload: tuple[str, ...] = (), data_dir: str | None = None):
        self.launcher, self.files, self.preload, self.data_dir = launcher, tuple(files), tuple(preload), data_dir
        self.run_dir: str | None = None
        self.connection: dict = {}
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the process and return at once (it answers about a second later)."""
        self.run_dir = tempfile.mkdtemp(prefix="ag-")
        scratch = os.path.join(self.run_dir, "work")
        os.makedirs(scratch)
        for path in self.files:
            copy = shutil.copytree if os.path.isdir(path) else shutil.copy
            copy(path, os.path.join(scratch, os.path.basename(path)))
        if self.data_dir is not None:
            os.symlink(os.path.abspath(self.data_dir), os.path.join(scratch, "data"))
        self.launcher.prepare(self.run_dir, scratch)
        self.connection = connection_info(self.launcher.socket_prefix(self.run_dir))
        connection_file = os.path.join(self.run_dir, "kernel.json")
        with open(os.open(connection_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="ascii") as handle:
            json.dump(self.connection, handle)
        command = self.launcher.wrap(kernel_command(connection_file, self.preload), self.run_dir, scratch)
        # The parent's pid lets an unsandboxed kernel end itself if the grader dies; the sandbox clears it.
        env = {**self.launcher.environment(scratch), "JPY_PARENT_PID": str(os.getpid())}
        with open(self.log_path, "wb") as log:
            # a session of its own, so that one killpg ends the kernel and everything it started
            self.popen = subprocess.Popen(command, env=env, cwd=scratch, stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=log, start_new_session=True)

    @property
    def request_socket(self) -> str:
        """The path of the Unix socket that carries the checks' requests (bound by the grader, not the kernel)."""
        return f"{self.connection['ip']}-{REQUEST_PORT}"

    @property
    def log_path(self) -> str:
        return os.path.join(self.run_dir, "kernel.log")

    def log_tail(self, size: int = 2000) -> str:
        """The last `size` bytes the kernel wrote to its stdout and stderr, as text."""
        with open(self.log_path, "rb") as log:
            log.seek(max(0, os.path.getsize(self.log_path) - size))
            return log.read().decode("utf-8", "replace").strip()

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.popen is None else self.popen.poll()

    def kill(self) -> None:
        """SIGKILL the kernel's process group and reap it."""
        if not self.alive:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)

    def remove(self) -> None:
        """Kill the kernel if it runs, let the launcher clean up (its cgroup), and delete the run folder."""
        self.kill()
        if self.run_dir is not None:
            self.launcher.cleanup(self.run_dir)
            shutil.rmtree(self.run_dir, ignore_errors=True)
        self.run_dir = self.popen = None
