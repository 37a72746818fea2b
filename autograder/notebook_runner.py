"""Run a submission's notebook in a kernel, cell by cell, and keep that kernel ready for the checks.

A cell that errors or times out is reported and the run goes on with the next cell, as a teaching assistant
would read on. A cell that kills the kernel is reported, and the notebook is run again in a fresh kernel
without it; after a check kills the kernel, the next check gets a fresh kernel prepared the same way.
"""
import time
from dataclasses import dataclass

from .failures import OK, GraderError, SubmissionFailure
from .kernel_pool import KernelPool
from .kernel_proxy import KernelSession
from .notebook_cells import grade_id, is_public_test


@dataclass
class CellReport:
    """How one notebook cell ran: `status` is "ok" or a failure reason; `message` is for the student."""

    index: int
    grade_id: str | None
    status: str
    message: str = ""


class PreparedKernel:
    """The kernel in which `nb`'s code cells have run; `session()` always returns a live one."""

    def __init__(self, nb, pool: KernelPool, run_public_test_cells=False, deadline=None):
        self.nb, self.pool, self.limits = nb, pool, pool.limits
        self.deadline = deadline if deadline is not None else time.monotonic() + pool.limits.submission_timeout
        self.cells = [
            (index, cell)
            for index, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and cell.source.strip() and (run_public_test_cells or not is_public_test(cell))
        ]
        self.fatal_cells: set[int] = set()  # cells that killed a kernel: left out of every later run
        self.reports: list[CellReport] = []
        self.restarts = 0
        self.device = "unknown"
        self._session: KernelSession | None = None

    def session(self) -> KernelSession:
        """A live kernel in which the notebook has run; raises GraderError if no kernel can start at all.

        The first call waits for the kernel that the pool launched ahead and runs the notebook in it, so a
        caller that asks late (the first check) lets the kernel boot while it does its own work.
        """
        if self._session is None or not self._session.alive:
            self._start()
        return self._session

    def seconds_left(self) -> float:
        return self.deadline - time.monotonic()

    def close(self) -> None:
        if self._session is not None:
            self._session.shutdown()
            self._session = None

    def _start(self) -> None:
        first_run = self._session is None
        if not first_run:
            self.restarts += 1
            self._session.shutdown()
        while True:
            try:
                self._session = self.pool.take()
            except SubmissionFailure as failure:  # a fresh kernel owes nothing to the submission: our failure
                raise GraderError(f"no kernel could start: {failure}") from None
            reports = self._run_cells(self._session)
            if first_run:
                self.reports = reports
            if self._session.alive:
                if first_run:
                    self.device = self._ask_device()
                return
            self._session.shutdown()  # a cell killed the kernel: run again without it

    def _ask_device(self) -> str:
        """"cpu" or "cuda": what the notebook's torch sees (informative; checks verify the device themselves)."""
        try:
            return self._session.request("device", timeout=self.limits.check_timeout)
        except SubmissionFailure:  # the notebook broke the kernel's messaging; the checks will say how
            return "unknown"

    def _run_cells(self, session: KernelSession) -> list[CellReport]:
        reports = []
        for index, cell in self.cells:
            if index in self.fatal_cells:
                reports.append(CellReport(index, grade_id(cell), "skipped", "left out: it stopped the kernel before"))
                continue
            timeout = min(self.limits.cell_timeout, max(self.seconds_left(), 0.0))
            try:
                execution = session.execute(cell.source, timeout)
            except SubmissionFailure as failure:
                reports.append(CellReport(index, grade_id(cell), failure.reason, str(failure)))
                if not session.alive:
                    self.fatal_cells.add(index)
                    return reports
                continue
            cell.outputs = execution.outputs
            if execution.error is not None:
                reports.append(CellReport(index, grade_id(cell), execution.error.reason, execution.error.traceback))
            else:
                reports.append(CellReport(index, grade_id(cell), OK))
        return reports
