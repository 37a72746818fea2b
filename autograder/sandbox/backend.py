"""Which confinement a lab's kernels get: the course's `sandbox` setting ("bubblewrap", or "none" for trusted
notebooks), unless the command asks for none (`grade --no-sandbox`)."""

from autograder.checks.lab_data import LabData
from autograder.course.config import Settings
from autograder.course.labs import Lab
from autograder.errors import SandboxUnavailable
from autograder.kernel.provisioner import KernelLauncher
from autograder.sandbox.bubblewrap import SandboxLauncher


def make_launcher(settings: Settings, lab: Lab, sandbox: bool = True, verify: bool = True) -> KernelLauncher:
    """The launcher `grade` uses for `lab`: the sandbox, verified unless `verify` is False (the caller then calls
    verify() itself), or no sandbox if the instructor asked for none."""
    if not sandbox or lab.sandbox == "none":
        return KernelLauncher(lab.environment)
    launcher = SandboxLauncher(
        settings.autograder.sandbox_user,
        lab.sandbox_limits,
        course_environment=lab.environment,
        hidden_data=settings.autograder.hidden_data,
        training_folder=LabData(lab.release_dir, lab.data_dir, lab.dataset).training_folder(),
    )
    if verify:
        launcher.verify()
    return launcher


def refusal(problem: SandboxUnavailable) -> SandboxUnavailable:
    """What `grade` says when the sandbox cannot start: the problem, and the way round it."""
    return SandboxUnavailable(
        f"refusing to grade: {problem}.\nPass --no-sandbox to grade without the sandbox, only for submissions you trust."
    )
