"""The command line keeps DESIGN.md's contract: exit 0 when graded whatever the score, 2 for bad input."""
import json
import os
import subprocess
import sys

from conftest import KIT

SOLUTION = os.path.join(KIT, "solutions", "lab1_neuron", "lab1_neuron.ipynb")
STUB = os.path.join(KIT, "release", "lab1_neuron", "lab1_neuron.ipynb")


def autograder(*args, cwd=KIT):
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_grade_one_notebook_writes_results_and_exits_0(tmp_path):
    run = autograder("grade", "lab1_neuron", SOLUTION, "--json", str(tmp_path / "r.json"))
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    assert (results["score"], results["max_score"]) == (20, 20), "the answer key scores full marks"
    assert "autograded total" in run.stdout and "20/20" in run.stdout, "a table of the checks is printed"


def test_grading_the_stub_exits_0_with_score_0(tmp_path):
    run = autograder("grade", "lab1_neuron", STUB, "--json", str(tmp_path / "r.json"))
    assert run.returncode == 0, "a graded submission exits 0 whatever its score"
    assert json.loads((tmp_path / "r.json").read_text())["score"] == 0


def test_unreadable_notebook_exits_2_with_the_reason(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    run = autograder("grade", "lab1_neuron", str(broken))
    assert run.returncode == 2, "an input the user must fix exits 2"
    assert "not a notebook (invalid JSON" in run.stderr, run.stderr


def test_unknown_lab_exits_2():
    run = autograder("grade", "lab9_nothing", SOLUTION)
    assert run.returncode == 2 and "unknown lab 'lab9_nothing'" in run.stderr, run.stderr


def test_missing_course_config_exits_2(tmp_path):
    run = autograder("grade", "lab1_neuron", SOLUTION, cwd=tmp_path)
    assert run.returncode == 2 and "no course_config.py" in run.stderr, run.stderr


def test_check_says_public_checks_passed_never_all_passed():
    run = autograder("check", SOLUTION)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "public checks passed (4/4)" in run.stdout, run.stdout
    assert "all passed" not in run.stdout.lower()


def test_check_on_the_stub_names_the_failing_public_checks():
    run = autograder("check", STUB)
    assert run.returncode == 1, "failing public checks exit 1"
    assert "FAILED  test_activations: NotImplementedError" in run.stdout, run.stdout
    assert "4 of 4 public checks failed" in run.stdout


def test_grade_refuses_without_a_sandbox_and_says_how_to_proceed(tmp_path):
    config = tmp_path / "course_config.py"
    config.write_text(
        open(os.path.join(KIT, "course_config.py"), encoding="utf-8").read()
        + f'\nc.CourseDirectory.root = {KIT!r}\nc.Autograder.sandbox_user = "no-such-user-here"\n',
        encoding="utf-8",
    )
    run = autograder("--config", str(config), "grade", "lab1_neuron", SOLUTION)
    assert run.returncode == 3, "a grader that cannot sandbox does not grade"
    assert "the sandbox user 'no-such-user-here' does not exist" in run.stderr and "--no-sandbox" in run.stderr, run.stderr
    graded = autograder("--config", str(config), "grade", "lab1_neuron", SOLUTION, "--no-sandbox")
    assert graded.returncode == 0 and "20/20" in graded.stdout, "--no-sandbox grades anyway, for trusted files"
