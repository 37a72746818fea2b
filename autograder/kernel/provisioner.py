"""How a submission's kernel process is started and confined: its command, the environment it sees, and the
provisioner that launches, watches and ends it.

A provisioner is one object per kernel that holds that kernel's own state (its run folder, its process, its
cgroup); its interface is shaped like jupyter_client's KernelProvisionerBase: `pre_launch` (make what the
kernel needs), `launch`, `poll`, `kill`, `cleanup`, and what grading adds: `ready` (the kernel answers),
`has_strays` (processes left running after an interrupt) and `death` (why it ended, as the failure to report).
`KernelProvisioner` confines nothing: the student's own code on the student's own machine (`check`), or
`grade --no-sandbox`. The bubblewrap sandbox (autograder/sandbox/bubblewrap.py) is another implementation; a
new backend (a container runtime) is a third, chosen in autograder/sandbox/backend.py.

A launcher makes the provisioners of one lab's kernels (`provisioner()`) and says whether they can start at
all (`verify`). The kernel command is always built here, so a kernel name in a notebook's metadata can never
choose another kernel.
"""

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys

from autograder.errors import KernelDied, SubmissionFailure

# Thread counts and library switches that make checks reproducible and quiet (docs/architecture.md, "One thread per library").
KERNEL_ENVIRONMENT = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "MPLBACKEND": "Agg",  # a lab with `plots` (course/labs.py) puts ipykernel's inline backend in its place
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "TF_NUM_INTRAOP_THREADS": "1",  # TensorFlow sizes its thread pools from these, not from OMP_NUM_THREADS
    "TF_NUM_INTEROP_THREADS": "1",
    "LANG": "C.UTF-8",
    "COURSE_OFFLINE": "1",  # the labs' data helpers never download: every kernel grades on the same data
}
# matplotlib's font list, built once by scripts/setup_env.sh: a kernel without it spends 0.3 s building its own.
FONT_CACHE_DIR = os.path.join(sys.prefix, "share", "autograder", "matplotlib")
# Variables passed through from the grader when set: old OpenBLAS builds crash without their CPU hints.
PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "CUDA_VISIBLE_DEVICES")


# ipykernel_launcher's own start, with debugpy kept out; like it, the working folder leaves sys.path[0] (IPython
# puts it back after the standard library, so a lab's file can never shadow a standard module).
KERNEL_MAIN = (
    "import sys\n"
    "if sys.path[0] == '':\n"
    "    del sys.path[0]\n"
    "sys.modules['debugpy'] = None\n"
    "from ipykernel import kernelapp\n"
    "kernelapp.launch_new_instance()\n"
)


def kernel_command(connection_file: str, preload: list[str] = ()) -> list[str]:
    """The ipykernel command line; history is off so that the kernel writes no SQLite file of its own.

    Modules in `preload` are imported while the kernel starts (and their names removed again), so that the
    notebook's own imports of them cost nothing: a kernel launched ahead has done that work already.
    debugpy is kept out: a grading kernel needs no debugger, and importing it costs 0.05 s of every start.
    ipykernel's sleep of 0.5 ms after each execution is for clients that stop reading at the reply; the kit
    reads iopub until the kernel reports idle, after its output.
    """
    command = [
        sys.executable,
        "-c",
        KERNEL_MAIN,
        "-f",
        connection_file,
        "--HistoryManager.enabled=False",
        "--IPKernelApp.quiet=True",
        "--Kernel._execute_sleep=0",
    ]
    if preload:
        line = f"import {', '.join(preload)}; del {', '.join(sorted({name.split('.')[0] for name in preload}))}"
        command.append(f"--IPKernelApp.exec_lines={line}")
    return command


def kernel_environment(scratch: str, course: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment: none of the grader's own variables reach the kernel; `course` adds the lab's own."""
    env = {
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": scratch,
        "TMPDIR": scratch,
        "MPLCONFIGDIR": os.path.join(scratch, ".matplotlib"),
        **KERNEL_ENVIRONMENT,
        **(course or {}),
    }
    env.update({name: os.environ[name] for name in PASSED_THROUGH if name in os.environ})
    return env


class KernelProvisioner:
    """One kernel, started directly as a child of the grader, unconfined."""

    def __init__(self, course_environment: dict[str, str]):
        self.course_environment = course_environment
        self.run_dir: str | None = None
        self.popen: subprocess.Popen | None = None

    def pre_launch(self, run_dir: str, scratch: str) -> None:
        """Make what the kernel needs in its run folder and working folder `scratch`, before it starts."""
        self.run_dir = run_dir
        for path in font_caches():
            os.makedirs(os.path.join(scratch, ".matplotlib"), exist_ok=True)
            shutil.copy(path, os.path.join(scratch, ".matplotlib"))

    def socket_prefix(self) -> str:
        """Where the kernel's Unix sockets are made: <prefix>-<port>."""
        return os.path.join(self.run_dir, "kernel")

    def launch(self, command: list[str], connection_file: str, scratch: str, log) -> None:
        """Start `command` (the kernel's, reading `connection_file`) in `scratch`, its output going to `log`;
        returns at once (the kernel answers about a second later)."""
        # The parent's pid lets an unsandboxed kernel end itself if the grader dies; the sandbox clears it.
        env = {**self.environment(scratch), "JPY_PARENT_PID": str(os.getpid())}
        # a session of its own, so that one killpg ends the kernel and everything it started
        self.popen = subprocess.Popen(
            self.wrap(command, connection_file, scratch),
            env=env,
            cwd=scratch,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    def wrap(self, command: list[str], connection_file: str, scratch: str) -> list[str]:
        """The command line that runs `command` confined (here: as it is)."""
        return command

    def environment(self, scratch: str) -> dict[str, str]:
        return kernel_environment(scratch, self.course_environment)

    def poll(self) -> int | None:
        """The kernel process's exit status; None while it runs (or before it started)."""
        return None if self.popen is None else self.popen.poll()

    def wait(self, seconds: float) -> None:
        """Wait up to `seconds` for the process to end."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=seconds)

    def kill(self) -> None:
        """SIGKILL the kernel's process group and reap it."""
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.wait(5)

    def ready(self) -> None:
        """Called once the kernel answers."""

    def has_strays(self) -> bool:
        """Whether processes the kernel started are still running after an interrupt (unknown here: no)."""
        return False

    def death(self) -> SubmissionFailure:
        """Why the kernel process ended, as the failure to report."""
        return KernelDied(describe_exit(self.poll()))

    def cleanup(self) -> None:
        """Called after the kernel is stopped, before its run folder is removed."""


class KernelLauncher:
    """Makes the provisioners of one lab's kernels: unconfined ones."""

    sandboxed = False

    def __init__(self, course_environment: dict[str, str] | None = None):
        self.course_environment = dict(course_environment or {})

    def provisioner(self) -> KernelProvisioner:
        """A provisioner for one new kernel."""
        return KernelProvisioner(self.course_environment)

    def environment(self, scratch: str) -> dict[str, str]:
        """The environment of an unconfined kernel working in `scratch`."""
        return kernel_environment(scratch, self.course_environment)

    def verify(self) -> None:
        """Raise SandboxUnavailable if kernels cannot start (nothing to check without a sandbox)."""


def font_caches() -> list[str]:
    """The font list files that setup made (none where it has not: each kernel then builds its own)."""
    return sorted(glob.glob(os.path.join(FONT_CACHE_DIR, "fontlist-v*.json")))


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "the kernel stopped answering"
    if returncode < 0:
        try:
            return f"the kernel was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"the kernel was killed by signal {-returncode}"
    return f"the kernel exited with status {returncode}"
