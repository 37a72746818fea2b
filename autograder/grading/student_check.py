"""`autograder check NOTEBOOK`: a student runs the notebook's public test cells on their own machine.

The notebook runs top to bottom in a fresh kernel (no sandbox: it is the student's own code), and each public
test cell is reported as passed or failed. It never says "all passed": the hidden checks run only at grading.
"""

import os
from dataclasses import dataclass

from autograder.course.config import Settings
from autograder.course.labs import resolve_lab
from autograder.errors import OK
from autograder.grading.cells import grade_id, is_public_test
from autograder.grading.notebook_runner import PreparedKernel
from autograder.grading.submission import lab_grade_ids
from autograder.grading.validation import grade_ids, read_submission
from autograder.kernel.deadline import Deadline
from autograder.kernel.pool import KernelPool
from autograder.kernel.provisioner import KernelLauncher


@dataclass
class PublicCheck:
    grade_id: str
    passed: bool
    message: str


def run_public_checks(settings: Settings, path: str, lab: str | None = None) -> list[PublicCheck]:
    nb = read_submission(path, settings.autograder.max_notebook_bytes)
    lab = lab or recognise_lab(nb, settings)
    resolved = resolve_lab(settings, lab)
    limits, data_dir = resolved.limits, resolved.data_dir
    files = lab_files(os.path.dirname(os.path.abspath(path)), resolved.release_dir if lab else None, data_dir)
    pool = KernelPool(KernelLauncher(resolved.environment), limits, files, data_dir=data_dir)
    kernel = PreparedKernel(nb, pool, run_public_test_cells=True, deadline=Deadline.after(limits.submission_timeout))
    try:
        kernel.session()
    finally:
        kernel.close()
        pool.close()
    by_index = {report.index: report for report in kernel.reports}
    checks = []
    for index, cell in enumerate(nb.cells):
        if not is_public_test(cell):
            continue
        report = by_index.get(index)
        passed = report is not None and report.status == OK
        message = (
            "" if passed else (report.message.strip().splitlines() or ["did not run"])[-1] if report else "did not run"
        )
        checks.append(PublicCheck(grade_id(cell) or f"cell {index + 1}", passed, message))
    return checks


def recognise_lab(nb, settings: Settings) -> str | None:
    """The course's lab that shares the most nbgrader ids with the notebook (ids such as "intro" recur), if any."""
    ids = grade_ids(nb)
    shared = {lab: len(ids & lab_ids) for lab, lab_ids in lab_grade_ids(settings).items()}
    best = max(shared, key=shared.get, default=None)
    return best if best is not None and shared[best] > 0 else None


def lab_files(folder: str, release_dir: str | None, data_dir: str | None) -> list[str]:
    """What the kernel gets beside the notebook: the files in the notebook's folder (the lab's data helper, as
    released), and those of the release the folder lacks (a notebook checked outside its lab's folder)."""

    def entries(where):
        return {
            name: os.path.join(where, name)
            for name in os.listdir(where)
            if not name.endswith(".ipynb") and not name.startswith(".") and not (name == "data" and data_dir)
        }

    found = entries(release_dir) if release_dir and os.path.isdir(release_dir) else {}
    found.update(entries(folder))
    return sorted(found.values())


def format_report(checks: list[PublicCheck]) -> str:
    lines = [
        f"{'passed' if check.passed else 'FAILED'}  {check.grade_id}" + (f": {check.message}" if check.message else "")
        for check in checks
    ]
    passed = sum(check.passed for check in checks)
    if passed == len(checks):
        lines.append(f"\npublic checks passed ({passed}/{len(checks)}); the autograder runs more checks when it grades")
    else:
        lines.append(f"\n{len(checks) - passed} of {len(checks)} public checks failed")
    return "\n".join(lines)
