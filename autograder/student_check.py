"""`autograder check NOTEBOOK`: a student runs the notebook's public test cells on their own machine.

The notebook runs top to bottom in a fresh kernel (no sandbox: it is the student's own code), and each public
test cell is reported as passed or failed. It never says "all passed": the hidden checks run only at grading.
"""
import os
import time
from dataclasses import dataclass

from .config import Limits, Settings
from .failures import OK
from .kernel_launcher import KernelLauncher
from .kernel_pool import KernelPool
from .notebook_cells import grade_id, is_public_test
from .notebook_runner import PreparedKernel
from .notebook_validation import read_submission


@dataclass
class PublicCheck:
    grade_id: str
    passed: bool
    message: str


def run_public_checks(settings: Settings, path: str, lab: str | None = None) -> list[PublicCheck]:
    nb = read_submission(path, settings.autograder.max_notebook_bytes)
    limits = Limits.for_lab(settings, lab or "")
    folder = os.path.dirname(os.path.abspath(path))  # the lab's data helpers sit beside the notebook
    files = [os.path.join(folder, name) for name in os.listdir(folder) if not name.endswith(".ipynb") and not name.startswith(".")]
    pool = KernelPool(KernelLauncher(), limits, files)
    kernel = PreparedKernel(nb, pool, run_public_test_cells=True, deadline=time.monotonic() + limits.submission_timeout)
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
        message = "" if passed else (report.message.strip().splitlines() or ["did not run"])[-1] if report else "did not run"
        checks.append(PublicCheck(grade_id(cell) or f"cell {index + 1}", passed, message))
    return checks


def format_report(checks: list[PublicCheck]) -> str:
    lines = [f"{'passed' if check.passed else 'FAILED'}  {check.grade_id}" + (f": {check.message}" if check.message else "") for check in checks]
    passed = sum(check.passed for check in checks)
    if passed == len(checks):
        lines.append(f"\npublic checks passed ({passed}/{len(checks)}); the autograder runs more checks when it grades")
    else:
        lines.append(f"\n{len(checks) - passed} of {len(checks)} public checks failed")
    return "\n".join(lines)
