"""A kernel's process: its run folder, its connection file and the OS process, started without jupyter_client.

This module imports nothing heavy (no zmq, jupyter_client or nbformat), so that `grade` starts the kernel a
tenth of a second after its own start and the kernel's second of booting overlaps the grader's own imports.
The messages to and from the kernel are kernel/session.py's part, once the kernel is up.

The run folder (private, removed at the end) holds:

    kernel.json   the connection file: Unix sockets (ipc transport) under the provisioner's socket prefix
    kernel.log    the kernel's own stdout and stderr, never the grader's
    work/         the kernel's working folder: the lab's files, and data/ linked to the course's data
"""

import json
import os
import secrets
import shutil
import tempfile

from autograder.errors import SubmissionFailure
from autograder.kernel.provisioner import KernelProvisioner, kernel_command

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
    """One kernel process, started by a provisioner from `launcher` (kernel/provisioner.py, or the sandbox's)
    with `files` copied into its working folder and `preload` imported while it boots."""

    def __init__(
        self, launcher, files: tuple[str, ...] = (), preload: tuple[str, ...] = (), data_dir: str | None = None
    ):
        self.launcher, self.files, self.preload, self.data_dir = launcher, tuple(files), tuple(preload), data_dir
        self.run_dir: str | None = None
        self.connection: dict = {}
        self.provisioner: KernelProvisioner | None = None

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
        self.provisioner = self.launcher.provisioner()
        self.provisioner.pre_launch(self.run_dir, scratch)
        self.connection = connection_info(self.provisioner.socket_prefix())
        connection_file = os.path.join(self.run_dir, "kernel.json")
        with open(
            os.open(connection_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="ascii"
        ) as handle:
            json.dump(self.connection, handle)
        with open(self.log_path, "wb") as log:
            self.provisioner.launch(kernel_command(connection_file, self.preload), connection_file, scratch, log)

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
        return self.provisioner is not None and self.provisioner.popen is not None and self.provisioner.poll() is None

    def wait(self, seconds: float) -> None:
        """Wait up to `seconds` for the process to end."""
        if self.provisioner is not None and self.provisioner.popen is not None:
            self.provisioner.wait(seconds)

    def ready(self) -> None:
        """The kernel answers: its provisioner takes note (the sandbox counts its processes)."""
        self.provisioner.ready()

    def has_strays(self) -> bool:
        """Whether processes the kernel started still run after an interrupt."""
        return self.provisioner.has_strays()

    def death(self) -> SubmissionFailure:
        """Why the kernel ended, as the failure to report."""
        return self.provisioner.death()

    def kill(self) -> None:
        """SIGKILL the kernel's process group and reap it."""
        if self.provisioner is not None:
            self.provisioner.kill()

    def remove(self) -> None:
        """Kill the kernel if it runs, let the provisioner clean up (its cgroup), and delete the run folder."""
        self.kill()
        if self.provisioner is not None:
            self.provisioner.cleanup()
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        self.run_dir = self.provisioner = None
