"""`autograder check NOTEBOOK`: a student runs the lab's public checks on their own machine, with or without a course.

The notebook runs top to bottom in a fresh kernel (no sandbox: it is the student's own code on the student's own
machine; nothing here is Linux-only), and each public test cell runs where it stands as the lab released it,
through the code of lab_check.py (autograder/grading/lab_check.py), so that its verdict reads as `check()`'s in
the notebook: passed, FAILED with the check's message, or not attempted. It never says "all passed": the hidden
checks run only at grading.

Where things come from, with a course (--config, $AUTOGRADER_CONFIG or the kit's own) that has the notebook's
lab: the lab's limits, files and data, and its released checks. Without one (a student's install of the kit):
the lab and its cells' limits from the notebook's metadata (stamped at release), the checks from the lab_check.py
beside the notebook, the files beside it, the kit's defaults for the rest. Where no lab_check.py is found, the
notebook's own public test cells run, as the student's copy has them.
"""

import ast
import copy
import json
import os
import sys
import tempfile
from dataclasses import dataclass

import nbformat

from autograder.errors import ERROR, NOT_ATTEMPTED, OK, UsageError
from autograder.grading import lab_check
from autograder.grading.cells import grade_id, is_public_test, is_solution
from autograder.grading.public_checks import HELPER_NAME, helper_source, public_checks_of, read_helper, stamped
from autograder.grading.validation import matching_lab, read_submission

RUNNER = "_autograder_public_checks"  # the kernel's copy of lab_check.py with the checks to run (never the student's)
NOTEBOOK_CHECKS = "the notebook's own public test cells"
MAX_CELL_NOTES = 5


@dataclass
class PublicCheck:
    grade_id: str
    status: str  # lab_check's PASSED, FAILED or NOT_ATTEMPTED
    message: str

    @property
    def passed(self) -> bool:
        return self.status == lab_check.PASSED


@dataclass
class CheckRun:
    lab: str | None
    origin: str  # where the checks came from: a lab_check.py, the course's release, or NOTEBOOK_CHECKS
    checks: list[PublicCheck]
    failed_cells: list[str]  # the notebook's other cells that failed (not those that still raise NotImplementedError)


def run_public_checks(path: str, settings=None, lab: str | None = None) -> CheckRun:
    """Run the public checks of the notebook at `path`; `settings`: the course, or None where there is none."""
    from autograder.course.config import Autograder

    defaults = settings.autograder if settings is not None else Autograder()
    nb = read_submission(path, defaults.max_notebook_bytes)
    folder = os.path.dirname(os.path.abspath(path))
    stamp = stamped(nb)
    lab = lab or stamp.get("lab") or (recognise_lab(nb, settings) if settings is not None else None)
    course = settings if settings is not None and (lab is None or lab in settings.autograder.labs) else None
    checks, origin, lab = released_checks(nb, folder, lab, course)
    if not checks:
        raise UsageError(
            f"{path} has no public test cells and no {HELPER_NAME} is beside it: is it a lab's notebook, as released?"
        )
    if course is not None:
        from autograder.course.labs import resolve_lab

        resolved = resolve_lab(course, lab)
        limits, data_dir, environment = resolved.limits, resolved.data_dir, resolved.environment
        files = lab_files(folder, resolved.release_dir if lab else None, data_dir)
    else:
        limits = default_limits(defaults, stamp.get("limits", {}))
        data_dir = os.path.join(folder, "data") if os.path.isdir(os.path.join(folder, "data")) else None
        environment = student_environment()
        files = lab_files(folder, None, data_dir)
    return CheckRun(lab, origin, *run_in_kernel(nb, checks, lab, limits, files, data_dir, environment))


def released_checks(nb, folder: str, lab: str | None, course) -> tuple[list[dict], str, str | None]:
    """The public checks as the lab released them, where they came from, and the lab: the course's release of the
    lab, else the lab_check.py beside the notebook (of the same lab), else the notebook's own public test cells."""
    candidates = []
    if course is not None and lab:
        release_dir = course.layout.release_dir(lab)
        candidates.append(os.path.join(release_dir, HELPER_NAME))
        released = os.path.join(release_dir, f"{lab}.ipynb")
        if os.path.isfile(released):
            candidates.append(released)
    candidates.append(os.path.join(folder, HELPER_NAME))
    for candidate in candidates:
        if candidate.endswith(".ipynb"):
            return public_checks_of(read_submission(candidate, 2**31)), candidate, lab
        data = read_helper(candidate)
        if data is not None and (lab is None or data["lab"] == lab):
            return data["checks"], candidate, lab or data["lab"]
    return public_checks_of(nb), NOTEBOOK_CHECKS, lab


def default_limits(defaults, stamped_limits: dict):
    """The kernel's limits without a course: the kit's defaults, with the lab's own cell limits from the notebook."""
    from autograder.kernel.limits import Limits

    return Limits(**{name: stamped_limits.get(name, getattr(defaults, name)) for name in Limits.__dataclass_fields__})


def student_environment() -> dict[str, str]:
    """What the kernel of a student's own check sees beside the kit's clean environment: the student's home and
    matplotlib's cache there (the font list is built once, not at every check); the data may be downloaded as in
    Jupyter; the labs' variables where the student set them; and COURSE_GRADING, so that a lab's long self-check
    cells (which train models) do not run again."""
    environment = {"COURSE_GRADING": "1", "COURSE_OFFLINE": os.environ.get("COURSE_OFFLINE", "0")}
    environment.update({name: os.environ[name] for name in ("COURSE_DATA", "COURSE_DATASET") if name in os.environ})
    home = os.environ.get("HOME")
    if home:
        environment["HOME"] = home
        environment["MPLCONFIGDIR"] = os.environ.get("MPLCONFIGDIR") or matplotlib_cache(home)
    return environment


def matplotlib_cache(home: str) -> str:
    """Where matplotlib keeps its font list when MPLCONFIGDIR is not set (its get_cachedir)."""
    if sys.platform.startswith(("linux", "freebsd")):
        return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "matplotlib")
    return os.path.join(home, ".matplotlib")


def run_in_kernel(nb, checks, lab, limits, files, data_dir, environment) -> tuple[list[PublicCheck], list[str]]:
    """Run the notebook with each public test cell replaced by its released check, run by lab_check's code; each
    check's verdict comes back as the cell's value. Also: what went wrong in the notebook's other cells."""
    from autograder.grading.notebook_runner import PreparedKernel
    from autograder.kernel.deadline import Deadline
    from autograder.kernel.pool import KernelPool
    from autograder.kernel.provisioner import KernelLauncher

    run, cells = notebook_with_checks(nb, checks)
    with tempfile.TemporaryDirectory(prefix="ag-check-") as scratch:
        runner = os.path.join(scratch, f"{RUNNER}.py")
        with open(runner, "w", encoding="utf-8") as handle:
            handle.write(helper_source(lab or "", checks))
        pool = KernelPool(KernelLauncher(environment), limits, [*files, runner], data_dir=data_dir)
        kernel = PreparedKernel(
            run, pool, run_public_test_cells=True, deadline=Deadline.after(limits.submission_timeout)
        )
        try:
            kernel.session()
        finally:
            kernel.close()
            pool.close()
    reports = {report.index: report for report in kernel.reports}
    verdicts = [verdict(one["test"], run.cells[cells[one["test"]]], reports.get(cells[one["test"]])) for one in checks]
    failed = [
        f"cell {report.index + 1}"
        + (f" ({report.grade_id})" if report.grade_id else "")
        + f" failed: {last_line(report)}"
        for report in kernel.reports
        if report.index not in cells.values() and worth_a_note(report, run.cells[report.index])
    ]
    return verdicts, failed


def worth_a_note(report, cell) -> bool:
    """Whether a cell's failure is worth a line before the verdicts: an answer cell's (not one that still raises
    NotImplementedError), or a given cell's that is no NameError (those follow from an answer not given yet)."""
    if report.status in (OK, NOT_ATTEMPTED):
        return False
    return is_solution(cell) or not last_line(report).startswith("NameError:")


def last_line(report) -> str:
    """What a cell's report says, in a line: the error's last line, or why the cell did not run."""
    lines = report.message.strip().splitlines()
    text = lines[-1] if lines else "did not run"
    return text if report.status == ERROR or text.startswith(report.status) else f"{report.status}: {text}"


def notebook_with_checks(nb, checks: list[dict]):
    """A copy of `nb` whose public test cells run the released checks (those missing from `nb` run at its end),
    and {test: cell index}."""
    run = copy.deepcopy(nb)
    wanted, cells = {one["test"] for one in checks}, {}
    for index, cell in enumerate(run.cells):
        test = grade_id(cell)
        if is_public_test(cell) and test in wanted and test not in cells:
            cell.source, cells[test] = runner_call(test), index
    for one in checks:
        if one["test"] not in cells:
            cells[one["test"]] = len(run.cells)
            metadata = {"nbgrader": {"grade": True, "grade_id": one["test"], "solution": False}}
            run.cells.append(nbformat.v4.new_code_cell(runner_call(one["test"]), metadata=metadata))
    return run, cells


def runner_call(test: str) -> str:
    """A cell whose value is the check's verdict as JSON, leaving no name behind in the notebook."""
    return f"__import__({RUNNER!r}).verdict_json({test!r})"


def verdict(test: str, cell, report) -> PublicCheck:
    """The check's verdict from its cell's value; or why the cell gave none (it timed out, the kernel died...)."""
    if report is None:
        return PublicCheck(test, lab_check.FAILED, "did not run")
    if report.status != OK:
        return PublicCheck(test, lab_check.FAILED, last_line(report))
    for output in cell.get("outputs", []):
        if output.get("output_type") == "execute_result":
            try:
                found = json.loads(ast.literal_eval(output["data"]["text/plain"]))
            except (KeyError, ValueError, TypeError, SyntaxError):
                break
            if isinstance(found, dict) and found.get("status") in lab_check.STATUSES:
                return PublicCheck(test, found["status"], str(found.get("message", "")))
    return PublicCheck(test, lab_check.FAILED, "the check gave no verdict")


def recognise_lab(nb, settings) -> str | None:
    """The course's lab whose nbgrader ids the notebook clearly matches (validation.matching_lab), if any."""
    from autograder.grading.submission import lab_grade_ids

    return matching_lab(nb, lab_grade_ids(settings))


def lab_files(folder: str, release_dir: str | None, data_dir: str | None) -> list[str]:
    """What the kernel gets beside the notebook: the files in the notebook's folder (the lab's data helper, as
    released; its folders are not copied), and those of the release the folder lacks (a notebook checked outside
    its lab's folder)."""

    def entries(where, files_only):
        return {
            name: os.path.join(where, name)
            for name in os.listdir(where)
            if not name.endswith(".ipynb")
            and not name.startswith(".")
            and not (name == "data" and data_dir)
            and (not files_only or os.path.isfile(os.path.join(where, name)))
        }

    found = entries(release_dir, False) if release_dir and os.path.isdir(release_dir) else {}
    found.update(entries(folder, True))
    return sorted(found.values())


def format_report(run: CheckRun) -> str:
    """The verdicts, one line each, and the summary; never "all passed"."""
    verdicts = [{"test": one.grade_id, "status": one.status, "message": one.message} for one in run.checks]
    note = (
        f"note: no {HELPER_NAME} of {run.lab or 'the lab'} was found beside the notebook: running {NOTEBOOK_CHECKS}\n"
        if run.origin == NOTEBOOK_CHECKS
        else ""
    )
    cells = "".join(f"note: {failed}\n" for failed in run.failed_cells[:MAX_CELL_NOTES])
    if len(run.failed_cells) > MAX_CELL_NOTES:
        cells += f"note: and {len(run.failed_cells) - MAX_CELL_NOTES} more cells failed\n"
    return note + cells + ("\n" if cells else "") + lab_check.report(verdicts)
