"""Release a lab: check its points, make the student version with nbgrader, and execute the answer key.

release/<lab>/ comes from nbgrader's generate_assignment (solutions cleared, cells locked, checksums; every other
file of source/<lab>/ copied as it is), to which release adds the lab's name and limits in the notebook's metadata
and lab_check.py, the lab's public checks for the student's own kernel (autograder/grading/public_checks.py); it is
committed. solutions/<lab>/ is the source notebook executed with its outputs (plots included).
"""

import dataclasses
import os
import tempfile
from collections import defaultdict

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from autograder.course.config import Settings
from autograder.course.labs import resolve_lab
from autograder.errors import ReleaseError
from autograder.grading.cells import grade_id, is_grade, is_manual, points
from autograder.grading.check_runner import collect_checks
from autograder.grading.public_checks import HELPER_NAME, helper_source, public_checks_of, stamp
from autograder.grading.submitted_files import record_release_time
from autograder.kernel.provisioner import KernelLauncher, kernel_command
from autograder.outputs.gradebook import ensure_alembic_on_path, is_registered


class SolutionKernelManager(KernelManager):
    """The answer key's kernel: the grading kernels' command, never the kernel named in the notebook."""

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        return kernel_command(self.connection_file)


def check_points(notebook, checks) -> None:
    """Every autograded grade cell's points must equal the points of the hidden checks that count towards it."""
    by_cell = defaultdict(float)
    for check in checks:
        by_cell[check.grade_cell] += check.points
    cells = {grade_id(cell): points(cell) for cell in notebook.cells if is_grade(cell) and not is_manual(cell)}
    problems = [f"check {check.nodeid} has no grade_cell marker" for check in checks if check.grade_cell is None]
    problems += [
        f"checks count towards '{cell}', which is not a grade cell" for cell in by_cell if cell and cell not in cells
    ]
    problems += [
        f"grade cell '{cell}' is worth {value:g} points but its checks add up to {by_cell.get(cell, 0):g}"
        for cell, value in cells.items()
        if abs(by_cell.get(cell, 0) - value) > 1e-9
    ]
    if problems:
        raise ReleaseError("; ".join(problems))


def nbgrader_api(settings: Settings, release_directory: str | None = None) -> NbGraderAPI:
    coursedir = CourseDirectory(config=settings.config)
    if release_directory is not None:
        coursedir.release_directory = release_directory  # absolute: os.path.join(root, it) is it
    return NbGraderAPI(coursedir=coursedir, config=settings.config)


def generate_assignment(settings: Settings, lab: str, release_directory: str | None = None) -> None:
    """nbgrader generate_assignment: writes release/<lab>/ and registers the lab's grade cells in the gradebook."""
    ensure_alembic_on_path()
    result = nbgrader_api(settings, release_directory).generate_assignment(lab, force=True, create=True)
    if not result["success"]:
        raise ReleaseError(f"nbgrader could not generate {lab}:\n{result.get('error') or result.get('log')}")


def execute_solution(settings: Settings, lab: str, source_path: str) -> None:
    """Run the instructor's notebook (trusted code, no sandbox) and save it with its outputs as the answer key."""
    nb = nbformat.read(source_path, as_version=4)
    resolved = resolve_lab(settings, lab)
    limits = resolved.limits
    launcher = KernelLauncher(resolved.environment)
    folder = os.path.dirname(source_path)
    with tempfile.TemporaryDirectory(prefix="ag-solution-") as run_dir:
        km = SolutionKernelManager(transport="ipc", ip=os.path.join(run_dir, "kernel"))
        env = launcher.environment(run_dir)
        env.pop("COURSE_GRADING")  # the answer key shows what its self-check cells report
        env.pop("MPLBACKEND")  # ipykernel's inline backend, whatever `plots` says: the answer key keeps its plots
        km.start_kernel(env=env, cwd=folder)
        try:
            NotebookClient(nb, km=km, timeout=limits.cell_timeout, record_timing=False).execute()
        finally:
            km.shutdown_kernel(now=True)
    nb.metadata.pop("widgets", None)
    target = settings.layout.solution_notebook(lab)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    nbformat.write(nb, target)


def release_lab(settings: Settings, lab: str, with_solution: bool = True) -> None:
    layout = settings.layout
    source_path = layout.source_notebook(lab)
    if not os.path.isfile(source_path):
        raise ReleaseError(f"{source_path} does not exist")
    check_points(nbformat.read(source_path, as_version=4), collect_checks(layout.tests_dir(lab)))
    if os.path.exists(os.path.join(os.path.dirname(source_path), HELPER_NAME)):
        raise ReleaseError(
            f"{os.path.join(os.path.dirname(source_path), HELPER_NAME)}: release writes the lab's {HELPER_NAME} itself "
            "(its public checks, for the students' notebooks): rename that file"
        )
    generate_assignment(settings, lab)
    add_public_checks(settings, lab)
    record_release_time(layout.release_dir(lab))  # submission timestamps are compared with it
    if with_solution:
        execute_solution(settings, lab, source_path)


def add_public_checks(settings: Settings, lab: str) -> None:
    """Stamp the released notebook with its lab and limits (`autograder check` needs no course then), and write
    lab_check.py beside it: the public test cells as released, which `check("exercise")` runs in the notebook."""
    layout = settings.layout
    path = layout.release_notebook(lab)
    nb = nbformat.read(path, as_version=4)
    stamp(nb, lab, dataclasses.asdict(resolve_lab(settings, lab).limits))
    nbformat.write(nb, path)
    with open(os.path.join(layout.release_dir(lab), HELPER_NAME), "w", encoding="utf-8") as handle:
        handle.write(helper_source(lab, public_checks_of(nb)))


def register_lab(settings: Settings, lab: str) -> None:
    """Make sure the gradebook knows the lab's grade cells (a fresh gradebook learns them from nbgrader)."""
    if not is_registered(settings, lab):
        with tempfile.TemporaryDirectory(prefix="ag-register-") as scratch:  # release/ itself stays as released
            generate_assignment(settings, lab, release_directory=scratch)
