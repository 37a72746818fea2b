"""Per-kernel control groups: a memory limit over all of a sandbox's processes, a process count, and a kill.

Works with cgroup v1 (memory and pids hierarchies, as on the kit's machines) and v2 (one unified hierarchy),
under the cgroup the grader itself runs in. `KernelCgroup.create` returns None where the machine does not let
us create one; the sandbox then falls back to per-process limits (docs/security.md, "Limits").
"""

import os
import secrets
import signal
import time

CGROUP_ROOT = "/sys/fs/cgroup"


def _own_cgroups() -> dict[str, str]:
    """{controller: path relative to its hierarchy} of this process, from /proc/self/cgroup."""
    owned = {}
    with open("/proc/self/cgroup", encoding="utf-8") as handle:
        for line in handle:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                owned[controller] = path.lstrip("/")
    return owned


class KernelCgroup:
    """One cgroup per kernel: memory and pids limits, OOM-kill count, and a kill of everything inside."""

    def __init__(self, folders: dict[str, str], version: int):
        self.folders, self.version = folders, version

    @classmethod
    def create(cls, memory_bytes: int, max_processes: int) -> "KernelCgroup | None":
        name = "autograder-" + secrets.token_hex(6)
        owned = _own_cgroups()
        try:
            if os.path.isfile(os.path.join(CGROUP_ROOT, "memory", "memory.limit_in_bytes")) or "memory" in owned:
                folders = {
                    controller: os.path.join(CGROUP_ROOT, controller, owned.get(controller, ""), name)
                    for controller in ("memory", "pids")
                }
                for folder in folders.values():
                    os.mkdir(folder)
                group = cls(folders, version=1)
                group._write("memory", "memory.limit_in_bytes", memory_bytes)
                group._write_optional("memory", "memory.memsw.limit_in_bytes", memory_bytes)  # no swap either
                group._write("pids", "pids.max", max_processes)
                return group
            folder = os.path.join(CGROUP_ROOT, owned.get("", ""), name)
            os.mkdir(folder)
            group = cls({"memory": folder, "pids": folder}, version=2)
            group._write("memory", "memory.max", memory_bytes)
            group._write_optional("memory", "memory.swap.max", 0)
            group._write("pids", "pids.max", max_processes)
            return group
        except OSError:
            return None

    def _write(self, controller: str, name: str, value) -> None:
        with open(os.path.join(self.folders[controller], name), "w", encoding="ascii") as handle:
            handle.write(str(value))

    def _write_optional(self, controller: str, name: str, value) -> None:
        try:
            self._write(controller, name, value)
        except OSError:
            pass  # swap accounting is off on this machine: there is no swap to limit

    @property
    def procs_files(self) -> list[str]:
        """The cgroup.procs files a process must be written into (one per hierarchy)."""
        return sorted({os.path.join(folder, "cgroup.procs") for folder in self.folders.values()})

    def pids(self) -> list[int]:
        try:
            with open(os.path.join(self.folders["pids"], "cgroup.procs"), encoding="ascii") as handle:
                return [int(line) for line in handle if line.strip()]
        except OSError:
            return []

    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer stopped in this cgroup."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            with open(os.path.join(self.folders["memory"], name), encoding="ascii") as handle:
                for line in handle:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except OSError:
            pass
        return 0

    def hit_memory_limit(self) -> bool:
        """Whether the processes inside ever needed more memory than the limit (reclaimed or killed)."""
        if self.version == 1:
            try:
                with open(os.path.join(self.folders["memory"], "memory.failcnt"), encoding="ascii") as handle:
                    return int(handle.read()) > 0
            except OSError:
                return False
        try:
            with open(os.path.join(self.folders["memory"], "memory.events"), encoding="ascii") as handle:
                return any(line.startswith("max ") and int(line.split()[1]) > 0 for line in handle)
        except OSError:
            return False

    def destroy(self) -> None:
        """Kill every process still inside, then remove the cgroup."""
        for _ in range(500):  # a killed kernel takes a few milliseconds to leave: poll for up to a second
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.002)
        for folder in set(self.folders.values()):
            try:
                os.rmdir(folder)
            except OSError:
                pass
