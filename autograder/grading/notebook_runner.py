"""Run a submission's notebook in a kernel, cell by cell, and keep that kernel ready for the checks.

A cell that errors or times out is reported and the run goes on with the next cell, as a teaching assistant
would read on. A cell that kills the kernel is reported, and the notebook is run again in a fresh kernel
without it; after a check kills the kernel, the next check gets a fresh kernel prepared the same way. The
submission's time limit, output limit and number of kernel deaths end the run early (see PreparedKernel).
"""

from collections.abc import Callable
from dataclasses import dataclass

from autograder.errors import OK, GraderError, KernelTimeout, SubmissionFailure
from autograder.grading.cells import grade_id, is_public_test
from autograder.kernel.deadline import Deadline
from autograder.kernel.pool import KernelPool
from autograder.kernel.session import KernelSession, OutputBudget
from autograder.outputs.stage_line import no_progress

SKIPPED = "skipped"  # the status of a cell left out of the run


@dataclass
class CellReport:
    """How one notebook cell ran: `status` is "ok" or a failure reason; `message` is for the student."""

    index: int
    grade_id: str | None
    status: str
    message: str = ""


class PreparedKernel:
    """The kernel in which `nb`'s code cells have run; `session()` always returns a live one.

    The submission's deadline bounds everything: cells, kernel starts and restarts, checks. A cell's report and
    outputs are those of its first execution; when the notebook runs again after a kernel died, its cells run
    for their effects only (their output counts against no budget and replaces nothing). The rest of the
    notebook is left out (one report, "skipped", saying why) once the deadline has passed, once the
    submission's output has passed its limit, or once cells have killed `max_kernel_deaths` kernels.
    """

    def __init__(
        self,
        nb,
        pool: KernelPool,
        run_public_test_cells=False,
        deadline: Deadline | None = None,
        progress: Callable[[str], None] = no_progress,
    ):
        self.nb, self.pool, self.limits, self.progress = nb, pool, pool.limits, progress
        self.deadline = deadline if deadline is not None else Deadline.after(pool.limits.submission_timeout)
        self.cells = [
            (index, cell)
            for index, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and cell.source.strip() and (run_public_test_cells or not is_public_test(cell))
        ]
        self.budget = OutputBudget(pool.limits.max_submission_output_bytes)
        self.fatal_cells: set[int] = set()  # cells that killed a kernel: left out of every later run
        self.executed: set[int] = set()  # cells run at least once
        self.left_out_from: int | None = None  # the position in `cells` from which nothing runs any more
        self.left_out_why = ""
        self._reports: dict[int, CellReport] = {}
        self.restarts = 0
        self.device = "unknown"
        self._session: KernelSession | None = None

    @property
    def reports(self) -> list[CellReport]:
        return [self._reports[index] for index in sorted(self._reports)]

    def session(self) -> KernelSession:
        """A live kernel in which the notebook has run; raises KernelTimeout once the submission's time is up,
        GraderError if no kernel can start at all.

        The first call waits for the kernel that the pool launched ahead and runs the notebook in it, so a
        caller that asks late (the first check) lets the kernel boot while it does its own work.
        """
        if self._session is None or not self._session.alive:
            self._start()
        return self._session

    def seconds_left(self) -> float:
        return self.deadline.left()

    def close(self) -> None:
        if self._session is not None:
            self._session.shutdown()
            self._session = None

    def _start(self) -> None:
        if self._session is not None:
            self.restarts += 1
            self.close()
        while True:
            if self.seconds_left() <= 0:
                raise KernelTimeout(f"the submission used up its {self.limits.submission_timeout:g} s")
            self.progress("starting the kernel" if self.restarts == 0 else "restarting the kernel")
            try:
                session = self.pool.take(self.deadline, self.budget)
            except KernelTimeout:
                raise
            except SubmissionFailure as failure:  # a fresh kernel owes nothing to the submission: our failure
                raise GraderError(f"no kernel could start: {failure}") from None
            self._run_cells(session)
            if session.alive:
                self._session = session
                if self.restarts == 0:
                    self.device = self._ask_device()
                return
            session.shutdown()  # a cell killed the kernel: run again without it

    def _ask_device(self) -> str:
        """ "cpu" or "cuda": what the notebook's torch sees (informative; checks verify the device themselves)."""
        timeout = min(self.limits.check_timeout, self.seconds_left())
        if timeout <= 0:
            return "unknown"
        try:
            return self._session.request("device", timeout=timeout)
        except SubmissionFailure:  # the notebook broke the kernel's messaging; the checks will say how
            return "unknown"

    def _run_cells(self, session: KernelSession) -> None:
        for position, (index, cell) in enumerate(self.cells):
            first = index not in self.executed
            why = self._left_out(position, first)
            if why:
                rest = len(self.cells) - position - 1
                self._reports.setdefault(
                    index,
                    CellReport(
                        index,
                        grade_id(cell),
                        SKIPPED,
                        f"left out{f' with the {rest} code cells after it' if rest else ''}: {why}",
                    ),
                )
                return
            if index in self.fatal_cells:
                continue
            self.executed.add(index)
            self.progress(f"cells {position + 1}/{len(self.cells)}")
            timeout = min(self.limits.cell_timeout, self.seconds_left())
            budget = self.budget if first else OutputBudget(self.limits.max_output_bytes)
            try:
                execution = session.execute(cell.source, timeout, budget)
            except SubmissionFailure as failure:
                self._reports.setdefault(index, CellReport(index, grade_id(cell), failure.reason, str(failure)))
                if not session.alive:
                    self.fatal_cells.add(index)
                    if len(self.fatal_cells) >= self.limits.max_kernel_deaths:
                        self.left_out_from, self.left_out_why = (
                            position + 1,
                            f"the kernel died {len(self.fatal_cells)} times",
                        )
                    return
                continue
            if first:
                cell.outputs = execution.outputs
                error = execution.error
                self._reports[index] = (
                    CellReport(index, grade_id(cell), error.reason, error.traceback)
                    if error
                    else CellReport(index, grade_id(cell), OK)
                )

    def _left_out(self, position: int, first: bool) -> str:
        """Why the cell at `position` and every one after it are left out, or "" if it runs."""
        if self.left_out_from is None or position < self.left_out_from:
            if self.seconds_left() <= 0:
                why = f"the submission's time limit of {self.limits.submission_timeout:g} s passed"
            elif first and self.budget.spent:
                why = f"the submission's output passed its limit of {self.limits.max_submission_output_bytes} bytes"
            else:
                return ""
            self.left_out_from, self.left_out_why = position, why
        return self.left_out_why
