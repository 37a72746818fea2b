"""Every error the kit raises, in one tree; the command line maps its two top branches to exit codes.

    AutograderError
    ├── UsageError          exit 2: the user must fix something (a command, the configuration, a lab's
    │   │                   source, a submitted file); the message says what
    │   ├── ConfigError         course_config.py is missing, misspelt, or lies among students' files
    │   ├── ReleaseError        a lab's source notebook and its hidden checks disagree
    │   └── SubmissionRejected  a file that cannot be graded at all (not a notebook, another lab's...)
    ├── GraderError         exit 3: the grader itself could not work (no kernel starts, the checks do not load)
    │   └── SandboxUnavailable  the sandbox cannot start on this machine
    └── SubmissionFailure   why one cell or check of a submission failed: its `reason` is written into the
                            results and it never reaches the command line

The reasons are the results contract (docs/architecture.md): timeout, memory, kernel died, output limit, error,
wrong answer, not attempted.
"""

OK = "ok"
TIMEOUT = "timeout"
MEMORY = "memory"
KERNEL_DIED = "kernel died"
OUTPUT_LIMIT = "output limit"
ERROR = "error"
WRONG_ANSWER = "wrong answer"
NOT_ATTEMPTED = "not attempted"

# Exceptions raised in the student's code that mean "this part was not done".
NOT_ATTEMPTED_ERRORS = ("NotImplementedError", "NotDefinedError")

EXIT_OK, EXIT_FAILED_CHECKS, EXIT_USAGE, EXIT_GRADER = 0, 1, 2, 3


class AutograderError(Exception):
    """The root of the kit's own errors."""


class UsageError(AutograderError):
    """The command was asked for something that does not exist or cannot be done as given (exit code 2)."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """The course's configuration is missing, refused (it lies among students' files) or invalid."""


class ReleaseError(UsageError):
    """A lab cannot be released as its author wrote it; the message names what disagrees."""


class SubmissionRejected(UsageError):
    """The file cannot be graded at all (not a notebook, wrong lab...): the message says what to fix."""


class GraderError(AutograderError):
    """The grader itself could not do its work (no kernel starts, the checks do not load): exit code 3."""

    exit_code = EXIT_GRADER


class SandboxUnavailable(GraderError):
    """The sandbox cannot start on this machine; the message says why and what to do."""


class SubmissionFailure(AutograderError):
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
    """The student's code raised; the message is the student's own (trimmed) traceback. `frames` (a request's:
    kernel.traceback_text.Frame, innermost last) say where; `called` names what the check called, if it did."""

    def __init__(self, ename: str, evalue: str, traceback: str, frames: tuple = ()):
        super().__init__(f"{ename}: {evalue}")
        self.ename, self.evalue, self.traceback, self.frames = ename, evalue, traceback, frames
        self.called: str | None = None

    @property
    def reason(self) -> str:
        if self.ename in NOT_ATTEMPTED_ERRORS:
            return NOT_ATTEMPTED
        if self.ename == "MemoryError":
            return MEMORY
        return ERROR
