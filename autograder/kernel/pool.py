"""Kernels launched ahead of need: the next submission's kernel boots while this one is graded.

A kernel takes about a second to start and import the lab's modules, almost all of it CPU in its own
process. Launching it before it is needed overlaps that second with the grader's own work (reading and
restoring the notebook, importing and collecting the checks) and, in a batch, with the grading of the
previous submission on the other core. Every kernel is still fresh: one per submission, never reused.
"""

from autograder.kernel.deadline import Deadline
from autograder.kernel.limits import Limits
from autograder.kernel.process import KernelProcess


class KernelPool:
    def __init__(self, launcher, limits: Limits, files=(), preload=(), ahead: int = 0, data_dir: str | None = None):
        self.launcher, self.limits, self.ahead = launcher, limits, ahead
        self.files, self.preload, self.data_dir = tuple(files), tuple(preload), data_dir
        self.launched: list[KernelProcess] = []

    def prime(self) -> None:
        """Launch a kernel now, to be taken later."""
        process = KernelProcess(self.launcher, self.files, self.preload, self.data_dir)
        process.start()
        self.launched.append(process)

    def take(self, deadline: Deadline | None = None, budget=None):
        """A ready kernel (a kernel.session.KernelSession, counting its output against `budget` when given); then
        launch the next ones, so that `ahead` kernels boot while this one works. The wait for it ends at
        `deadline` (the submission's) at the latest, with KernelTimeout."""
        # imported here, not above: zmq and jupyter_client load while the first kernel boots, not before it
        from autograder.kernel.session import KernelSession

        if not self.launched:
            self.prime()
        session = KernelSession(self.launched.pop(0), self.limits, budget)
        while len(self.launched) < self.ahead:
            self.prime()
        session.wait_ready(deadline)
        return session

    def close(self) -> None:
        for process in self.launched:
            process.remove()
        self.launched.clear()
