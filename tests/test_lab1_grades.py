"""lab1_neuron is graded as a careful teaching assistant would: full marks, zero, and each bug's own points."""

import pytest
from conftest import KIT, failed_checks

from autograder.course.config import load_config
from autograder.demo.examples import load_variants

VARIANTS = load_variants(load_config(f"{KIT}/course_config.py"), "lab1_neuron")


def test_answer_key_scores_full_marks(settings, lab1, pool):
    from autograder.grading.submission import grade_notebook

    results = grade_notebook(
        settings, lab1, lab1.release_notebook.replace("release", "solutions"), pool
    ).results.to_json()
    assert results["score"] == results["max_score"] == 22, (
        f"the answer key should score 22/22: {failed_checks(results)}"
    )
    assert results["extra_data"]["manual_max_score"] == 2, "the written answer (2 points) is left for a person"


def test_released_stub_scores_zero(settings, lab1, pool):
    from autograder.grading.submission import grade_notebook

    results = grade_notebook(settings, lab1, lab1.release_notebook, pool).results.to_json()
    assert results["score"] == 0, f"the untouched stub should score 0, got {results['score']}"
    assert set(failed_checks(results).values()) == {"not attempted"}, "every check of the stub is 'not attempted'"


@pytest.mark.parametrize("variant", [v for v in VARIANTS if not v.rejected], ids=lambda v: v.student)
def test_example_loses_exactly_the_points_of_its_bug(graded_examples, variant):
    _, results = graded_examples[variant.student]
    assert failed_checks(results) == variant.loses, (
        f"{variant.student} ({variant.description}) should fail exactly {variant.loses}, "
        f"failed {failed_checks(results)}"
    )
    lost = sum(test["max_score"] for test in results["tests"] if test["status"] == "failed")
    assert results["score"] == results["max_score"] - lost


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.rejected], ids=lambda v: v.student)
def test_unreadable_file_is_a_result_with_its_reason(graded_examples, variant):
    _, results = graded_examples[variant.student]
    assert results["score"] == 0, f"{variant.description}: scores 0"
    assert results["extra_data"].get("rejected"), f"{variant.description}: the results say why it was not graded"
    assert results["output"].startswith("This submission could not be graded"), "the student reads why"
    assert len(results["tests"]) == 20, "every check is listed, failed, so the student sees what was at stake"


def test_failed_hidden_check_shows_its_message_not_its_code(graded_examples):
    _, results = graded_examples["erin"]
    output = next(test["output"] for test in results["tests"] if test["name"].startswith("or_neuron"))
    assert "truth table says" in output, f"the check's message is shown: {output!r}"
    for code_fragment in ("def ", "check_gate", "assert ", "itertools", "grading_tests"):
        assert code_fragment not in output, f"the check's code must not show in its output: {output!r}"


def test_student_error_shows_the_students_own_traceback(graded_examples):
    _, results = graded_examples["carol"]
    output = next(test["output"] for test in results["tests"] if test["name"].startswith("step works"))
    assert "ValueError" in output or "TypeError" in output, f"the student's exception is named: {output!r}"
    assert "_autograder_bridge" not in output and "autograder bridge" not in output, "no grader frames in it"


def test_infinite_loop_times_out_and_the_rest_is_graded(graded_examples):
    _, results = graded_examples["heidi"]
    assert results["score"] == 20, "only the two tanh checks are lost"
    assert any(cell["status"] == "timeout" for cell in results["extra_data"]["cells"]), (
        "the plot cell that calls tanh is reported as timed out"
    )


def test_kernel_death_costs_only_the_checks_that_caused_it(graded_examples):
    _, results = graded_examples["ivan"]
    assert results["score"] == 20, "relu's two checks are lost; every check after them runs in a fresh kernel"
    assert results["extra_data"]["kernel_restarts"] >= 2, "each death is followed by a fresh kernel"
    assert "kernel died" in results["extra_data"]["failures"].values()


def test_results_follow_the_gradescope_format(graded_examples):
    _, results = graded_examples["bob"]
    assert set(results) >= {"score", "max_score", "execution_time", "tests", "extra_data"}
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}, test
        assert test["status"] in ("passed", "failed")
    extra = results["extra_data"]
    assert extra["lab"] == "lab1_neuron" and extra["device"] == "cpu" and extra["sandboxed"] is True
    assert len(extra["notebook_sha256"]) == 64
    assert extra["failures"] == {"step(0) is 1 (the Heaviside convention H(0) = 1)": "wrong answer"}


def verdicts(results: dict) -> list[tuple]:
    return [(test["name"], test["status"], test["score"], test["output"]) for test in results["tests"]]


def test_grading_the_same_notebook_twice_gives_the_same_verdicts(settings, lab1, pool, graded_examples, tmp_path):
    from autograder.demo.examples import write_variant
    from autograder.grading.submission import grade_notebook

    for student in ("bob", "carol", "judy"):
        variant, first = graded_examples[student]
        path = str(tmp_path / f"{student}.ipynb")
        write_variant(settings, "lab1_neuron", variant, path)
        again = grade_notebook(settings, lab1, path, pool).results.to_json()
        assert verdicts(again) == verdicts(first), f"{student}: the second grading differs from the first"
