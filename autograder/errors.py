"""Why a check or a cell failed: each exception carries the reason string written into the results.

The reasons are the results contract of DESIGN.md: timeout, memory, kernel died, output limit, error,
wrong answer, not attempted.
"""

TIMEOUT = "timeout"
MEMORY = "memory"
KERNEL_DIED = "kernel died"
OUTPUT_LIMIT = "output limit"
ERROR = "error"
WRONG_ANSWER = "wrong answer"
NOT_ATTEMPTED = "not attempted"

# Exceptions raised in the student's code that mean "this part was not done".
NOT_ATTEMPTED_ERRORS = ("NotImplementedError", "NotDefinedError")


class SubmissionFailure(Exception):
    """Something about the submission stopped a check; `reason` says what."""

    reason = ERROR


class KernelTimeout(SubmissionFailure):
    reason = TIMEOUT


class KernelDied(SubmissionFailure):
    reason = KERNEL_DIED


class MemoryExceeded(SubmissionFailure):
    reason = MEMORY


class OutputExceeded(SubmissionFailure):
    reason = OUTPUT_LIMIT


class StudentError(SubmissionFailure):
    """The student's code raised; the message is the student's own (trimmed) traceback."""

    def __init__(self, ename: str, evalue: str, traceback: str):
        super().__init__(f"{ename}: {evalue}")
        self.ename, self.evalue, self.traceback = ename, evalue, traceback

    @property
    def reason(self) -> str:
        if self.ename in NOT_ATTEMPTED_ERRORS:
            return NOT_ATTEMPTED
        if self.ename == "MemoryError":
            return MEMORY
        return ERROR


class SubmissionRejected(Exception):
    """The file cannot be graded at all (not a notebook, wrong lab...): the message says what to fix."""

OK = "ok"


class GraderError(Exception):
    """The grader itself could not do its work (no kernel starts, the checks do not load): exit code 3."""
