"""The kernel session enforces its limits and reports each way a kernel can fail, with its reason."""
import dataclasses
import time

import pytest

from autograder.config import Limits
from autograder.failures import KernelDied, KernelTimeout, OutputExceeded
from autograder.kernel_pool import KernelPool


@pytest.fixture
def session(settings, launcher):
    limits = dataclasses.replace(Limits.for_lab(settings, "lab1_neuron"), max_output_bytes=100_000, interrupt_grace=1.0)
    kernel = KernelPool(launcher, limits).take()
    yield kernel
    kernel.shutdown()


def test_student_errors_are_data_not_exceptions(session):
    execution = session.execute("1 / 0", timeout=5)
    assert execution.error.ename == "ZeroDivisionError" and execution.error.reason == "error"
    assert "1 / 0" in execution.error.traceback


def test_a_python_loop_is_interrupted_and_the_kernel_lives_on(session):
    started = time.monotonic()
    with pytest.raises(KernelTimeout):
        session.execute("while True: pass", timeout=1)
    assert time.monotonic() - started < 3, "interrupted by message within the grace period"
    assert session.alive and session.execute("x = 1", timeout=5).error is None


def test_a_loop_that_ignores_interrupts_is_killed(session):
    code = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: time.sleep(0.01)"
    with pytest.raises(KernelTimeout):
        session.execute(code, timeout=1)
    assert not session.alive, "a kernel that does not stop after the grace period is killed"


def test_output_floods_are_stopped(session):
    with pytest.raises(OutputExceeded):
        session.execute("while True: print('x' * 1000)", timeout=20)


def test_os_exit_is_reported_as_kernel_death(session):
    with pytest.raises(KernelDied, match="exited with status 3"):
        session.execute("import os; os._exit(3)", timeout=5)


def test_sys_exit_does_not_kill_the_kernel(session):
    execution = session.execute("import sys; sys.exit(1)", timeout=5)
    assert execution.error is not None and session.alive
