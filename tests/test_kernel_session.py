"""The kernel session enforces its limits and reports each way a kernel can fail, with its reason."""

import dataclasses
import time

import pytest

from autograder.course.labs import resolve_lab
from autograder.errors import KernelDied, KernelTimeout, OutputExceeded, SubmissionFailure
from autograder.kernel.pool import KernelPool


@pytest.fixture
def session(settings, launcher):
    limits = dataclasses.replace(
        resolve_lab(settings, "lab1_neuron").limits, max_output_bytes=100_000, interrupt_grace=1.0
    )
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


def call(session, name: str, timeout: float = 5):
    """The notebook's function `name` called without arguments, as a check's request."""
    return session.request("call", timeout, target={"$ref": name})


def test_requests_are_answered_with_data(session):
    session.execute("import numpy as np\ndef double(x):\n    return 2 * x", timeout=5)
    assert session.request("call", 5, target={"$ref": "double"}, args=[21]) == 42, "double(21) is 42"
    assert session.request("eval", 5, code="np.arange(3).tolist()") == [0, 1, 2], "eval gives the list back"


def test_a_request_that_loops_is_interrupted_and_the_next_is_answered(session):
    session.execute("def spin():\n    while True:\n        pass", timeout=5)
    started = time.monotonic()
    with pytest.raises(KernelTimeout):
        call(session, "spin", timeout=1)
    assert time.monotonic() - started < 3, "interrupted by message within the grace period"
    assert session.alive and session.request("eval", 5, code="1 + 1") == 2, "the kernel answers the next request"


def test_a_request_that_ignores_interrupts_is_killed(session):
    session.execute(
        "import signal, time\ndef stubborn():\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "    while True:\n        time.sleep(0.01)",
        timeout=5,
    )
    with pytest.raises(KernelTimeout):
        call(session, "stubborn", timeout=1)
    assert not session.alive, "a kernel that does not stop after the grace period is killed"


def test_a_request_that_prints_without_end_is_stopped(session):
    session.execute("def flood():\n    while True:\n        print('x' * 1000)", timeout=5)
    started = time.monotonic()
    with pytest.raises(OutputExceeded):
        call(session, "flood", timeout=20)
    assert time.monotonic() - started < 5, "stopped by the output cap, long before the request's time limit"
    # ipykernel sends what the loop printed between two flushes as one message: past iopub_message_limit it is
    # refused as it arrives, and the kernel is stopped; below it, the request is interrupted and the kernel lives
    assert not session.alive or session.request("eval", 5, code="'still here'") == "still here"


def test_a_value_above_the_cap_is_refused_as_it_arrives_and_the_kernel_stopped(settings, launcher):
    limits = dataclasses.replace(resolve_lab(settings, "lab1_neuron").limits, max_value_bytes=10_000)
    kernel = KernelPool(launcher, limits).take()
    try:
        assert kernel.request("eval", 5, code="'x' * 10") == "x" * 10, "a small value crosses"
        with pytest.raises(OutputExceeded, match="larger than 10000 bytes"):
            kernel.request("eval", 5, code="'x' * 20_000")
        assert not kernel.alive, "what the kernel queued behind the refused value is never waited for"
    finally:
        kernel.shutdown()


def test_a_request_that_exits_the_kernel_is_reported_as_kernel_death(session):
    session.execute("import os\ndef leave():\n    os._exit(3)", timeout=5)
    with pytest.raises(KernelDied, match="exited with status 3"):
        call(session, "leave")


def test_code_runs_between_requests(session):
    session.execute("x = 1", timeout=5)
    assert session.request("eval", 5, code="x") == 1
    assert session.execute("x = 2\nprint('ran')", timeout=5).outputs[0]["text"] == "ran\n", "cells run after requests"
    assert session.request("eval", 5, code="x") == 2, "and requests see what they did"


def test_a_notebook_that_breaks_the_requests_gets_a_clear_failure(session):
    session.execute("get_ipython = None", timeout=5)
    with pytest.raises(SubmissionFailure, match="the grader could not talk to the kernel: TypeError"):
        session.request("eval", 5, code="1")
    assert session.alive, "the kernel itself lives on"


def test_each_request_is_held_to_the_output_cap_with_its_own_output_only(session):
    # ipykernel sends printed text up to 0.2 s later, after the request's answer: it must not count for the next
    session.execute(
        "import time\ndef chatty(pause):\n    print('x' * 70_000)\n    time.sleep(pause)\n    return 'said'", timeout=5
    )
    said = [session.request("call", 5, target={"$ref": "chatty"}, args=[pause]) for pause in (0, 0.5, 0.5)]
    assert said == ["said"] * 3, "70 kB each, under the 100 kB cap, while the last one's text is still coming"
