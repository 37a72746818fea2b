"""The bubblewrap sandbox every graded kernel runs in.

The kernel command is wrapped, outside in, as:

    sh        (root)  puts its own pid into the kernel's cgroups (memory and process limits), then execs
    setpriv           drops to the unprivileged sandbox user, no new privileges, no supplementary groups
    prlimit           CPU seconds, processes, file size, open files, no core files (address space too,
                      where no memory cgroup could be made)
    bwrap             new user, pid, network, IPC, UTS and cgroup namespaces; dies with its parent; a new
                      session; an empty environment; read-only /usr and the venv; tmpfs /tmp and home
    python -m ipykernel_launcher

The kernel sees nothing of the grader: not the kit (grading_tests/, solutions/, source/, course_config.py,
the gradebook, the folders of data/ in `hidden_data`), not other submissions, not the grader's environment or
processes. It reads the lab's files and the course's data/ (read-only), less the data sets' own folders: a lab
with image data sees its training part alone (lab_data.LabData.training_folder), never the held-out images or
labels, which are the grader's (nor Debian's data-set packages under /usr). Its only writable places are its
size-limited home (/home/student) and /tmp. Its sockets
folder is handed back to root once the kernel has bound its sockets, so it cannot swap a socket for a link.
No process outlives the kernel: the pid namespace ends with it and the cgroup is emptied with SIGKILL.
"""

import os
import pwd
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from autograder.errors import KernelDied, MemoryExceeded, SandboxUnavailable, SubmissionFailure
from autograder.kernel.provisioner import (
    KernelLauncher,
    KernelProvisioner,
    describe_exit,
    font_caches,
    kernel_environment,
)
from autograder.sandbox.cgroup import KernelCgroup
from autograder.sandbox.devices import gpu_devices

HOME = "/home/student"
SYSTEM_PATHS = ("/usr",)
SYSTEM_LINKS = {"/bin": "usr/bin", "/sbin": "usr/sbin", "/lib": "usr/lib", "/lib64": "usr/lib64"}
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts")
SETUP_HINT = "run scripts/setup_env.sh as root to install bubblewrap and create the sandbox user"
# The data sets' own folders in data/ (every layout mnist_data.py reads), held-out parts included: never shown
DATA_SET_FOLDERS = ("mnist", "MNIST", "fashion-mnist", "FashionMNIST")
# Debian's data-set packages (dataset-fashion-mnist holds its test images and labels): covered by an empty tmpfs
SYSTEM_DATA = ("/usr/share/datasets",)


@dataclass(frozen=True)
class SandboxLimits:
    """Bytes, seconds and counts for one kernel and everything it starts."""

    memory_bytes: int
    cpu_seconds: int
    max_processes: int
    max_file_bytes: int
    max_open_files: int
    scratch_bytes: int


class SandboxLauncher(KernelLauncher):
    """Makes bubblewrap provisioners for one lab's kernels; refuses to exist where they cannot start."""

    sandboxed = True

    def __init__(
        self,
        user: str,
        limits: SandboxLimits,
        venv: str = sys.prefix,
        course_environment=None,
        hidden_data=(),
        training_folder: tuple[str, str] | None = None,
    ):
        super().__init__(course_environment)
        self.hidden_data = tuple(hidden_data) + DATA_SET_FOLDERS  # folders of data/ the kernel never sees
        self.training_folder = training_folder  # (name in data/, folder here): the lab's training part alone
        if shutil.which("bwrap") is None:
            raise SandboxUnavailable(f"bubblewrap (bwrap) is not installed: {SETUP_HINT}")
        try:
            self.user = pwd.getpwnam(user)
        except KeyError:
            raise SandboxUnavailable(f"the sandbox user {user!r} does not exist: {SETUP_HINT}") from None
        if self.user.pw_uid == 0:
            raise SandboxUnavailable(f"the sandbox user {user!r} is root: choose an unprivileged user")
        if os.geteuid() != 0:
            raise SandboxUnavailable("the grader must run as root to start kernels as the sandbox user")
        self.limits, self.venv = limits, os.path.realpath(venv)

    def provisioner(self) -> "BubblewrapProvisioner":
        return BubblewrapProvisioner(self)

    def environment(self, scratch: str) -> dict[str, str]:
        env = kernel_environment(HOME, self.course_environment)
        env.update({"TMPDIR": "/tmp", "USER": "student", "LOGNAME": "student"})
        return env

    def verify(self) -> None:
        """Start a trivial program in the sandbox; raises SandboxUnavailable with bwrap's own words if it fails."""
        with tempfile.TemporaryDirectory(prefix="ag-verify-") as run_dir:
            scratch = os.path.join(run_dir, "work")
            os.mkdir(scratch)
            provisioner = self.provisioner()
            provisioner.pre_launch(run_dir, scratch)
            connection_file = os.path.join(run_dir, "kernel.json")
            with open(connection_file, "w", encoding="ascii") as handle:
                handle.write("{}")
            # `id -u` rather than Python: the same namespaces, cgroups and limits, at a tenth of the cost
            command = provisioner.wrap(["/bin/sh", "-c", "id -u"], connection_file, scratch)
            try:
                run = subprocess.run(command, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
            finally:
                provisioner.cleanup()
            if run.returncode != 0 or run.stdout.strip() != str(self.user.pw_uid):
                raise SandboxUnavailable(f"the sandbox did not start: {(run.stderr or run.stdout).strip()[-500:]}")


class BubblewrapProvisioner(KernelProvisioner):
    """One kernel in the sandbox: its cgroup, and the count of its processes once it answered."""

    def __init__(self, launcher: SandboxLauncher):
        super().__init__(launcher.course_environment)
        self.launcher, self.user, self.limits = launcher, launcher.user, launcher.limits
        self.cgroup: KernelCgroup | None = None
        self.baseline = 0

    def pre_launch(self, run_dir: str, scratch: str) -> None:
        self.run_dir = run_dir
        os.chmod(run_dir, 0o711)
        sockets = os.path.join(run_dir, "sockets")
        os.mkdir(sockets, 0o700)
        os.chown(sockets, self.user.pw_uid, self.user.pw_gid)
        for root, folders, files in os.walk(scratch):
            for name in folders + files:
                path = os.path.join(root, name)
                if not os.path.islink(path):  # a link to the course's data: never change the kit's own files
                    os.chmod(path, 0o755 if name in folders else 0o644)
        os.chmod(scratch, 0o755)
        with open(os.path.join(run_dir, "passwd"), "w", encoding="ascii") as handle:
            handle.write(f"student:x:{self.user.pw_uid}:{self.user.pw_gid}:student:{HOME}:/bin/sh\n")
        with open(os.path.join(run_dir, "group"), "w", encoding="ascii") as handle:
            handle.write(f"student:x:{self.user.pw_gid}:\n")
        self.cgroup = KernelCgroup.create(self.limits.memory_bytes, self.limits.max_processes)

    def socket_prefix(self) -> str:
        return os.path.join(self.run_dir, "sockets", "kernel")

    def environment(self, scratch: str) -> dict[str, str]:
        return self.launcher.environment(scratch)

    def wrap(self, command: list[str], connection_file: str, scratch: str) -> list[str]:
        os.chown(connection_file, self.user.pw_uid, self.user.pw_gid)  # written by kernel/process.py just before
        os.chmod(connection_file, 0o400)
        cgroup = self.cgroup
        join_cgroups = "".join(f"echo $$ > {shlex.quote(path)} && " for path in cgroup.procs_files) if cgroup else ""
        return [
            "/bin/sh",
            "-c",
            join_cgroups + 'exec "$@"',
            "sh",
            "setpriv",
            f"--reuid={self.user.pw_uid}",
            f"--regid={self.user.pw_gid}",
            "--clear-groups",
            "--no-new-privs",
            "prlimit",
            *self._rlimits(cgroup is not None),
            "--",
            *self._bwrap(scratch, connection_file),
            "--",
            *command,
        ]

    def _rlimits(self, memory_cgroup: bool) -> list[str]:
        limits = self.limits
        flags = [
            f"--cpu={limits.cpu_seconds}",
            # per user, so it also counts other kernels of the sandbox user: the pids cgroup is the real bound
            f"--nproc={limits.max_processes * 8}",
            f"--fsize={limits.max_file_bytes}",
            f"--nofile={limits.max_open_files}",
            "--core=0",
            "--data=unlimited:",  # the soft limit the grader set on itself (grader_limits.py) is not the kernel's
        ]
        return flags if memory_cgroup else flags + [f"--as={limits.memory_bytes}"]

    def _bwrap(self, scratch: str, connection_file: str) -> list[str]:
        size = str(self.limits.scratch_bytes)
        args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
        # the tmpfs mounts first: a venv or run folder under /tmp (a CI checkout) is bound on top of them
        args += ["--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", HOME, "--chmod", "0700", HOME]
        for path in SYSTEM_PATHS:
            args += ["--ro-bind", path, path]
        for link, target in SYSTEM_LINKS.items():
            args += ["--symlink", target, link]
        for path in SYSTEM_FILES:
            if os.path.exists(path):
                args += ["--ro-bind", path, path]
        args += ["--ro-bind", self.launcher.venv, self.launcher.venv, "--proc", "/proc", "--dev", "/dev"]
        for device in gpu_devices():
            args += ["--dev-bind", device, device]
        if gpu_devices():
            args += ["--ro-bind", "/sys", "/sys"]  # the CUDA driver reads the PCI topology there
        args += ["--ro-bind", os.path.join(self.run_dir, "passwd"), "/etc/passwd"]
        args += ["--ro-bind", os.path.join(self.run_dir, "group"), "/etc/group"]
        args += ["--bind", os.path.join(self.run_dir, "sockets"), os.path.join(self.run_dir, "sockets")]
        args += ["--ro-bind", connection_file, connection_file]
        for name in sorted(os.listdir(scratch)):
            source = os.path.realpath(os.path.join(scratch, name))
            if name == "data" and os.path.isdir(source):
                args += self._data(source, os.path.join(HOME, name))
            else:
                args += ["--ro-bind", source, os.path.join(HOME, name)]
        for path in font_caches():  # the file alone: matplotlib wants its folder writable
            args += ["--ro-bind", path, os.path.join(HOME, ".matplotlib", os.path.basename(path))]
        for path in SYSTEM_DATA:
            if os.path.isdir(path):
                args += ["--tmpfs", path, "--remount-ro", path]
        args += ["--remount-ro", "/", "--chdir", HOME]  # the sandbox's own root holds nothing to write into
        for name, value in self.environment(scratch).items():
            args += ["--setenv", name, value]
        return args

    def _data(self, course_data: str, target: str) -> list[str]:
        """bwrap's arguments for the kernel's data/: a read-only folder of the course's data/ entries, less the
        hidden ones, with the lab's training part beside them."""
        args = ["--tmpfs", target]
        for entry in sorted(os.listdir(course_data)):
            if entry not in self.launcher.hidden_data:
                args += ["--ro-bind", os.path.join(course_data, entry), os.path.join(target, entry)]
        if self.launcher.training_folder is not None:
            name, folder = self.launcher.training_folder
            args += ["--ro-bind", folder, os.path.join(target, name)]
        return args + ["--remount-ro", target]

    def ready(self) -> None:
        sockets = os.path.join(self.run_dir, "sockets")
        os.chown(sockets, 0, 0)
        os.chmod(sockets, 0o755)
        self.baseline = self._process_count()

    def has_strays(self) -> bool:
        """Whether the kernel has started processes that are still running (a fork bomb, a daemon)."""
        return self._process_count() > self.baseline

    def _process_count(self) -> int:
        return len(self.cgroup.pids()) if self.cgroup else 0

    def death(self) -> SubmissionFailure:
        if self.cgroup is not None and (self.cgroup.oom_kills() > 0 or self.cgroup.hit_memory_limit()):
            return MemoryExceeded(f"used more than {self.limits.memory_bytes / 2**20:.0f} MiB of memory")
        return KernelDied(describe_exit(self.poll()))

    def cleanup(self) -> None:
        if self.cgroup is not None:
            self.cgroup.destroy()
            self.cgroup = None
