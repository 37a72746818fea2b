"""Run a lab's hidden pytest checks in the grader's process against the submission's kernel.

Checks are plain pytest functions in grading_tests/<lab>/ that take the `sub` fixture
(submission_proxy.Submission), and the `lab_data` fixture (lab_data.LabData) when they need the lab's data,
and carry markers:

    @pytest.mark.points(2)                  points of the check (default 1)
    @pytest.mark.grade_cell("test_xor")     the notebook's grade cell the points belong to (on the function,
                                            class or module: pytestmark = pytest.mark.grade_cell(...))
    @pytest.mark.time_limit(60)             seconds for this check (default: Autograder.check_timeout)

The check's docstring (first line) is its name in the results. Assertions must carry a message: with
--assert=plain, the message is all a student sees of a failed check, never its code.
"""

import contextlib
import io
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest

from autograder.checks.pictures import PictureBook
from autograder.errors import (
    ERROR,
    MEMORY,
    NOT_ATTEMPTED,
    WRONG_ANSWER,
    GraderError,
    KernelTimeout,
    StudentError,
    SubmissionFailure,
)
from autograder.grading.cells import grade_id
from autograder.grading.student_messages import Cell, error_message, not_attempted_message
from autograder.grading.submission_proxy import Submission
from autograder.kernel.deadline import Deadline
from autograder.kernel.limits import Limits
from autograder.outputs.stage_line import no_progress

MARKERS = (
    "points(n): points of the check",
    "grade_cell(grade_id): the notebook grade cell these points count towards",
    "time_limit(seconds): wall-clock seconds for the check",
)


@dataclass
class CheckResult:
    nodeid: str
    name: str
    grade_cell: str | None
    points: float
    passed: bool
    reason: str | None = None
    message: str = ""
    seconds: float = 0.0


def check_name(item) -> str:
    doc = (getattr(item, "obj", None).__doc__ or "").strip() if hasattr(item, "obj") else ""
    return doc.splitlines()[0] if doc else item.name.removeprefix("test_").replace("_", " ")


def marker_arg(item, name: str, default):
    marker = item.get_closest_marker(name)
    return marker.args[0] if marker is not None and marker.args else default


def describe_failure(error: BaseException, cells: Sequence[Cell] = ()) -> tuple[str, str]:
    """(reason, message) of a failed check: where the student's code raised (in `cells`, the notebook's code
    cells that ran), the assertion message, or the cause."""
    if isinstance(error, StudentError):
        try:
            message = (not_attempted_message if error.reason == NOT_ATTEMPTED else error_message)(error, cells)
        except Exception:  # the frames came from the kernel: a message still, the student's traceback as it came
            message = f"{error.ename}: {error.evalue}\n\n{error.traceback}"
        return error.reason, message
    if isinstance(error, SubmissionFailure):
        return error.reason, str(error)
    if isinstance(error, AssertionError):
        return WRONG_ANSWER, str(error) or "wrong answer"
    if isinstance(error, MemoryError):  # the grader's own limit (grader_limits.py), reached checking this answer
        return MEMORY, "the grader ran out of memory checking the returned value"
    return ERROR, f"the returned value could not be checked ({type(error).__name__}: {error})"


class GradingPlugin:
    """Provides `sub`, `lab_data` and `picture`, and records each check's result. With `kernel=None` it only
    collects the checks."""

    def __init__(
        self,
        kernel=None,
        limits: Limits | None = None,
        lab_data=None,
        pictures: PictureBook | None = None,
        progress: Callable[[str], None] = no_progress,
    ):
        self.kernel, self.limits, self._lab_data, self.progress = kernel, limits, lab_data, progress
        self.pictures = pictures if pictures is not None else PictureBook()
        self.results: dict[str, CheckResult] = {}
        self.collected: list[CheckResult] = []
        self.grader_error: GraderError | None = None
        self.stage = ""  # the check now running, for `progress`

    def pytest_configure(self, config):
        for line in MARKERS:
            config.addinivalue_line("markers", line)

    def pytest_collection_modifyitems(self, items):
        self.collected = [
            CheckResult(
                item.nodeid,
                check_name(item),
                marker_arg(item, "grade_cell", None),
                float(marker_arg(item, "points", 1)),
                passed=False,
            )
            for item in items
        ]

    def pytest_runtest_logstart(self, nodeid, location):
        position = next((i for i, check in enumerate(self.collected) if check.nodeid == nodeid), None)
        if position is not None:
            name = self.collected[position].name
            self.stage = f"checks {position + 1}/{len(self.collected)}: {name[:60] + '...' if len(name) > 60 else name}"
            self.progress(self.stage)

    @pytest.fixture
    def sub(self, request):
        # past the submission's deadline every check fails at once, without a kernel
        if self.kernel.seconds_left() <= 0:
            raise KernelTimeout("the submission used up its time before this check")
        self.kernel.session()  # a fresh kernel, if the last one died, before this check's clock starts
        self.progress(self.stage)  # after the notebook's cells, which the first check's session() runs
        limit = marker_arg(request.node, "time_limit", self.limits.check_timeout)
        return Submission(self.kernel, Deadline.after(min(limit, self.kernel.seconds_left())), self.limits.seed)

    @pytest.fixture
    def lab_data(self):
        return self._lab_data

    @pytest.fixture
    def picture(self, request):
        """picture(title, png_bytes, caption=""): a picture for the feedback, beside this check and under its grade
        cell (autograder/checks/pictures.py)."""
        grade_cell = marker_arg(request.node, "grade_cell", None)

        def add(title: str, png: bytes, caption: str = "") -> None:
            self.pictures.add(title, png, caption, grade_cell, request.node.nodeid)

        return add

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "teardown" or (report.when == "setup" and report.passed):
            return
        result = next(check for check in self.collected if check.nodeid == item.nodeid)
        result.seconds += call.duration
        result.passed = report.passed
        if call.excinfo is not None:
            if isinstance(call.excinfo.value, GraderError):
                self.grader_error = call.excinfo.value
            result.reason, result.message = describe_failure(call.excinfo.value, self.notebook_cells())
        self.results[item.nodeid] = result

    def notebook_cells(self) -> list[Cell]:
        """The code cells that ran in the kernel, and which of them raised NotImplementedError (messages name
        them)."""
        cells, reports = getattr(self.kernel, "cells", []), getattr(self.kernel, "reports", [])
        stubs = {report.index for report in reports if report.status == NOT_ATTEMPTED}
        return [Cell(index, grade_id(cell), cell.source, index in stubs) for index, cell in cells]


@contextlib.contextmanager
def plain_assertions():
    """Import the checks without pytest's assertion rewriting, even inside another pytest session.

    --assert=plain covers our own session; a calling pytest session (the kit's tests) leaves its rewriting
    import hook in sys.meta_path, and rewritten asserts would add the check's code to its messages.
    """
    hooks = [hook for hook in sys.meta_path if type(hook).__name__ == "AssertionRewritingHook"]
    for hook in hooks:
        sys.meta_path.remove(hook)
    try:
        yield
    finally:
        sys.meta_path[:0] = hooks


@contextlib.contextmanager
def no_plugin_autoload():
    """The checks need no third-party pytest plugin; loading every installed one costs start-up time."""
    before = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = before


def run_pytest(tests_dir: str, plugin: GradingPlugin, collect_only: bool = False) -> None:
    args = [
        tests_dir,
        "-c",
        os.devnull,
        # the folder of all labs' checks: modules are named after their lab (lab5_gan.test_losses), so that two
        # labs' test_losses.py, or conftest.py, never stand for each other in one grader process
        "--rootdir",
        os.path.dirname(os.path.abspath(tests_dir)),
        "--import-mode=importlib",
        "--assert=plain",
        "-p",
        "no:cacheprovider",
        # it ends each session with a full garbage collection (25 ms in a grader that has imported pytest,
        # numpy and nbformat), to report exceptions raised in destructors, which no grade depends on
        "-p",
        "no:unraisableexception",
        "-s",
        "-qq",
    ]
    if collect_only:
        args.append("--collect-only")
    captured = io.StringIO()
    with (
        contextlib.redirect_stdout(captured),
        contextlib.redirect_stderr(captured),
        plain_assertions(),
        no_plugin_autoload(),
    ):
        code = pytest.main(args, plugins=[plugin])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise GraderError(f"the checks in {tests_dir} could not run (pytest exit {int(code)}):\n{captured.getvalue()}")


def collect_checks(tests_dir: str) -> list[CheckResult]:
    """The checks of a lab with their points and grade cells, without running them."""
    plugin = GradingPlugin()
    run_pytest(tests_dir, plugin, collect_only=True)
    return plugin.collected


def run_checks(
    tests_dir: str,
    kernel,
    limits: Limits,
    lab_data=None,
    pictures: PictureBook | None = None,
    progress: Callable[[str], None] = no_progress,
) -> list[CheckResult]:
    """Every check of the lab, in file order, run against `kernel` (a notebook_runner.PreparedKernel); what the
    checks draw goes to `pictures`; each check's start to `progress`."""
    plugin = GradingPlugin(kernel, limits, lab_data, pictures, progress)
    run_pytest(tests_dir, plugin)
    if plugin.grader_error is not None:
        raise plugin.grader_error
    return [plugin.results.get(check.nodeid, check) for check in plugin.collected]
