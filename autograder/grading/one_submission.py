"""Grade one notebook as `autograder grade LAB NOTEBOOK` does: the command line's and Gradescope's entry point.

The kernel is launched first and boots while the sandbox is verified and the grader reads the notebook, so that
one submission costs little more than its own cells and checks.
"""

from collections.abc import Callable

from autograder.course.config import Settings
from autograder.course.labs import Lab
from autograder.errors import SandboxUnavailable, SubmissionRejected
from autograder.grading.submission import Graded, grade_notebook
from autograder.outputs.stage_line import no_progress
from autograder.sandbox.backend import make_launcher, refusal
from autograder.sandbox.grader_limits import limit_grader_memory


def grade_one(
    settings: Settings, lab: Lab, path: str, sandbox: bool = True, progress: Callable[[str], None] = no_progress
) -> Graded:
    """Grade the notebook at `path` in a kernel of its own; raises SubmissionRejected (naming the file) for a file
    that is not a gradable notebook, and SandboxUnavailable when the sandbox cannot start here. Its stages go to
    `progress`."""
    limit_grader_memory(lab.grader_memory_bytes)
    pool = None
    try:
        launcher = make_launcher(settings, lab, sandbox=sandbox, verify=False)
        pool = lab.kernel_pool(launcher)
        pool.prime()
        launcher.verify()
        return grade_notebook(settings, lab, path, pool, progress=progress)
    except SandboxUnavailable as problem:
        raise refusal(problem) from None
    except SubmissionRejected as rejection:
        raise SubmissionRejected(f"{path}: {rejection}") from None
    finally:
        if pool is not None:
            pool.close()
