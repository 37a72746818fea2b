"""The grader's own memory, disk and time per submission are bounded, whatever the submission does.

One batch in the sandbox, with short limits: each resource attack is followed by the answer key (student
"<attack>_ok"), which must still score full marks. The grader's peak memory is measured in this process (the
batch grades here) from a reset high-water mark, so that what earlier tests used does not count.
"""

import os
import resource
from dataclasses import dataclass

import pytest
from conftest import failed_checks

from autograder.course.config import load_config
from autograder.course.grade_class import grade_all
from autograder.course.labs import find_lab, resolve_lab
from autograder.demo.course import make_course
from autograder.demo.examples import Variant, write_variant
from autograder.sandbox.backend import make_launcher

LIMITS = {"cell_timeout": 4.0, "check_timeout": 3.0, "submission_timeout": 8.0, "interrupt_grace": 1.0}
CHUNK = 2**21 - 4096  # what one cell prints: just under the cap of one execution (max_output_bytes, 2 MiB)
BIG_ANSWER = 600 * 2**20  # what relu sends on the checks' request socket, without copying it in the kernel
SECONDS_OVER = 4.0  # how far past submission_timeout a submission's grading may end

ATTACKS = [
    Variant(
        "output_flood",
        "150 cells print just under 2 MiB each (300 MiB in all)",
        extra_cells=tuple(f"print('x' * {CHUNK})" for _ in range(150)),
    ),
    Variant(
        "big_print",
        "one cell prints 300 MB at once (one iopub message)",
        extra_cells=("print('x' * 300_000_000)",),
    ),
    Variant(
        "big_answer",
        "relu sends 600 MiB on the checks' request socket, zero-copy, before its answer",
        edits={
            "activations": [
                (
                    "    return np.maximum(0.0, x)",
                    "    import mmap, sys, zmq\n"
                    "    frame = sys._getframe(1)\n"
                    "    while frame is not None:\n"
                    "        sockets = [v for v in frame.f_locals.values() if isinstance(v, zmq.Socket) and not v.closed]\n"
                    "        if sockets:\n"
                    f"            sockets[0].send(mmap.mmap(-1, {BIG_ANSWER}), copy=False)\n"
                    "            break\n"
                    "        frame = frame.f_back\n"
                    "    return np.maximum(0.0, x)",
                )
            ]
        },
        loses={"test_relu_values": "output limit", "test_relu_on_arrays": "output limit"},
    ),
    Variant(
        "death_loop",
        "20 cells that end the kernel with os._exit(0)",
        extra_cells=("import os\nos._exit(0)",) * 20,
    ),
    Variant(
        "many_cells",
        "10,000 trivial cells",
        extra_cells=("x = 1",) * 10_000,
    ),
]


@dataclass
class Batch:
    settings: object
    graded: dict  # student -> results
    peak_growth: int  # bytes: the grader's peak resident memory during the batch, above its memory before it


def peak_rss() -> int:
    """This process's peak resident memory so far, in bytes (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_peak_rss() -> None:
    """Start the peak over from the current resident memory (Linux: "5" resets the high-water mark)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
        handle.write("5")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("resource_limits") / "course")
    make_course(folder, {"lab1_neuron": LIMITS})
    settings = load_config(os.path.join(folder, "course_config.py"))
    from autograder.course.release import release_lab

    release_lab(settings, "lab1_neuron", with_solution=True)
    for variant in ATTACKS:
        write_variant(
            settings,
            "lab1_neuron",
            variant,
            settings.path("submitted", variant.student, "lab1_neuron", "lab1_neuron.ipynb"),
        )
        write_variant(
            settings,
            "lab1_neuron",
            Variant(variant.student + "_ok", "the answer key"),
            settings.path("submitted", variant.student + "_ok", "lab1_neuron", "lab1_neuron.ipynb"),
        )
    launcher = make_launcher(settings, resolve_lab(settings, "lab1_neuron"))
    reset_peak_rss()
    before = peak_rss()
    graded = grade_all(settings, find_lab(settings, "lab1_neuron"), launcher, progress=False)
    return Batch(settings, {student: results.to_json() for student, results in graded.items()}, peak_rss() - before)


def cells(results: dict, status: str) -> list[dict]:
    return [cell for cell in results["extra_data"]["cells"] if cell["status"] == status]


@pytest.mark.parametrize("attack", [variant.student for variant in ATTACKS])
def test_answer_key_graded_after_a_resource_attack_scores_full_marks(batch, attack):
    results = batch.graded[attack + "_ok"]
    assert results["score"] == results["max_score"] == 22, f"after {attack}: {failed_checks(results)}"


def test_an_output_flood_over_many_cells_stops_at_the_submissions_output_limit(batch):
    results = batch.graded["output_flood"]
    cap = batch.settings.autograder.max_submission_output_bytes
    assert [cell["status"] for cell in cells(results, "output limit")] == ["output limit"], results["extra_data"][
        "cells"
    ]
    skipped = cells(results, "skipped")
    assert len(skipped) == 1 and "output passed its limit" in skipped[0]["message"], skipped
    assert results["score"] == 22, "the answer key's cells ran before the flood"
    path = batch.settings.path("autograded", "output_flood", "lab1_neuron", "lab1_neuron.ipynb")
    written = os.path.getsize(path)
    submitted = os.path.getsize(batch.settings.path("submitted", "output_flood", "lab1_neuron", "lab1_neuron.ipynb"))
    assert written < cap + submitted, (
        f"the autograded notebook is {written} bytes, more than the output cap {cap} allows"
    )


def test_an_answer_larger_than_max_value_bytes_is_refused_as_it_arrives(batch):
    results = batch.graded["big_answer"]
    assert failed_checks(results) == {"test_relu_values": "output limit", "test_relu_on_arrays": "output limit"}, (
        failed_checks(results)
    )
    messages = [test["output"] for test in results["tests"] if test["status"] == "failed"]
    assert all("a value larger than" in message for message in messages), messages


def test_an_output_message_larger_than_the_iopub_limit_is_refused_as_it_arrives(batch):
    results = batch.graded["big_print"]
    refused = cells(results, "output limit")
    assert len(refused) == 1 and "an output message larger than" in refused[0]["message"], results["extra_data"][
        "cells"
    ]
    assert results["score"] == 22, "the kernel is stopped, and the notebook runs again without that cell"


def test_the_graders_memory_stays_bounded_through_the_attacks(batch):
    # unbounded, the 600 MiB answer alone is received whole, and the flood's 300 MiB is held and written
    assert batch.peak_growth < 400 * 2**20, f"the grader's peak memory grew by {batch.peak_growth / 2**20:.0f} MiB"


def test_a_kernel_death_loop_is_left_out_after_max_kernel_deaths(batch):
    results = batch.graded["death_loop"]
    deaths = batch.settings.autograder.max_kernel_deaths
    assert len(cells(results, "kernel died")) == deaths, results["extra_data"]["cells"]
    skipped = cells(results, "skipped")
    assert len(skipped) == 1 and f"the kernel died {deaths} times" in skipped[0]["message"], skipped
    assert results["execution_time"] < LIMITS["submission_timeout"] + SECONDS_OVER, results["execution_time"]


def test_many_cells_end_at_the_submissions_time_limit(batch):
    results = batch.graded["many_cells"]
    assert results["execution_time"] < LIMITS["submission_timeout"] + SECONDS_OVER, results["execution_time"]
    skipped = cells(results, "skipped")
    assert len(skipped) == 1 and "time limit" in skipped[0]["message"], skipped
    assert set(failed_checks(results).values()) == {"timeout"}, failed_checks(results)


def test_checks_after_the_deadline_fail_at_once(batch):
    results = batch.graded["many_cells"]
    slowest = max(test["extra_data"]["seconds"] for test in results["tests"][1:])
    assert slowest < 0.1, f"a check after the deadline took {slowest} s"
