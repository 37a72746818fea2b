"""The command line keeps the kit's contract (docs/architecture.md): exit 0 when graded whatever the score, 2 for bad input."""

import json
import os
import re
import subprocess
import sys

import pytest
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
    assert (results["score"], results["max_score"]) == (22, 22), "the answer key scores full marks"
    assert "autograded total" in run.stdout and "22/22" in run.stdout, "a table of the checks is printed"
    assert "grading:" not in run.stderr, f"no stage line where stderr is no terminal:\n{run.stderr}"


def test_grading_one_notebook_on_a_terminal_shows_its_stage_then_erases_it():
    """stderr on a pseudo-terminal: the kernel's start, the cells k/n and the checks k/n, each on the same line."""
    import pty

    controller, terminal = pty.openpty()
    try:
        run = subprocess.Popen(
            [sys.executable, "-m", "autograder", "grade", "lab1_neuron", SOLUTION],
            cwd=KIT,
            stdout=subprocess.PIPE,
            stderr=terminal,
            text=True,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            shown += chunk
        table = run.communicate(timeout=300)[0]
    finally:
        os.close(controller)
    text = shown.decode()
    assert run.returncode == 0 and "22/22" in table, table
    for stage in ("grading: starting the kernel", "grading: cells 1/", "grading: checks 1/"):
        assert stage in text, f"the terminal should show {stage!r}:\n{text!r}"
    assert re.search(r"grading: checks (\d+)/\1: ", text), f"the last check's stage is shown:\n{text!r}"
    assert "\n" not in text, f"one line, rewritten in place with \\r:\n{text!r}"
    assert re.search(r"\r +\r$", text), f"the stage line is blanked out before the table:\n{text!r}"


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
    run = autograder("--config", str(tmp_path), "grade", "lab1_neuron", SOLUTION, cwd=tmp_path)
    assert run.returncode == 2 and "no course_config.py" in run.stderr, run.stderr


def test_check_says_public_checks_passed_never_all_passed():
    run = autograder("check", SOLUTION)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "public checks passed (5/5)" in run.stdout, run.stdout
    assert "all passed" not in run.stdout.lower()


def test_check_on_the_stub_names_the_failing_public_checks():
    run = autograder("check", STUB)
    assert run.returncode == 1, "failing public checks exit 1"
    assert "not attempted  test_activations: step still raises NotImplementedError" in run.stdout, run.stdout
    assert "5 of 5 public checks failed" in run.stdout


def test_grade_refuses_without_a_sandbox_and_says_how_to_proceed(tmp_path):
    config = tmp_path / "course_config.py"
    config.write_text(
        open(os.path.join(KIT, "course_config.py"), encoding="utf-8").read()
        + f'\nc.CourseDirectory.root = {KIT!r}\nc.Autograder.sandbox_user = "no-such-user-here"\n',
        encoding="utf-8",
    )
    run = autograder("--config", str(config), "grade", "lab1_neuron", SOLUTION)
    assert run.returncode == 3, "a grader that cannot sandbox does not grade"
    assert "the sandbox user 'no-such-user-here' does not exist" in run.stderr and "--no-sandbox" in run.stderr, (
        run.stderr
    )
    graded = autograder("--config", str(config), "grade", "lab1_neuron", SOLUTION, "--no-sandbox")
    assert graded.returncode == 0 and "22/22" in graded.stdout, "--no-sandbox grades anyway, for trusted files"


def test_check_of_a_notebook_outside_its_lab_folder_gets_the_labs_data_helper(tmp_path):
    """lab4's notebook imports mnist_data.py, which sits beside it in release/lab4_mnist/ but not in a copy
    elsewhere: check then takes it from the release, and the data from the course's data/ folder."""
    notebook = tmp_path / "my_lab4.ipynb"
    notebook.write_bytes(open(os.path.join(KIT, "solutions", "lab4_mnist", "lab4_mnist.ipynb"), "rb").read())
    run = autograder("check", str(notebook))
    assert run.returncode == 0 and "public checks passed (5/5)" in run.stdout, run.stdout + run.stderr


def test_a_lab_that_requires_a_gpu_is_not_graded_without_one(tmp_path):
    """With require_gpu set for a lab, grading on a machine without an NVIDIA GPU stops with a clear message."""
    from autograder.sandbox.devices import has_gpu

    if has_gpu():
        pytest.skip("this machine has a GPU, so it grades the lab")
    config = tmp_path / "course_config.py"
    config.write_text(
        open(os.path.join(KIT, "course_config.py")).read()
        + "\nc.CourseDirectory.root = "
        + repr(KIT)
        + "\nc.Autograder.lab_settings['lab4_mnist']['require_gpu'] = True\n"
    )
    run = autograder(
        "--config", str(config), "grade", "lab4_mnist", os.path.join(KIT, "solutions", "lab4_mnist", "lab4_mnist.ipynb")
    )
    assert run.returncode == 2, f"exit 2 expected, got {run.returncode}: {run.stdout}{run.stderr}"
    assert (
        "lab4_mnist is to be graded on a GPU (require_gpu in course_config.py) and this machine has none" in run.stderr
    ), run.stderr


def test_version_prints_the_kits_version():
    from autograder import __version__

    run = autograder("--version")
    assert run.returncode == 0 and run.stdout.strip() == f"autograder {__version__}", run.stdout


@pytest.mark.parametrize("command", ["release", "grade", "check", "import", "export", "gradescope", "similarity"])
def test_every_commands_help_shows_examples_the_labs_and_the_exit_codes(command):
    run = autograder(command, "--help")
    assert run.returncode == 0, run.stderr
    assert f"autograder {command} " in run.stdout.split("examples", 1)[-1], f"{command} --help shows an example"
    assert "labs of the course: lab1_neuron, lab2_ann" in run.stdout, f"{command} --help lists the course's labs"
    for code in ("0  done", "1  `check`", "2  bad usage", "3  the grader itself failed"):
        assert code in run.stdout, f"{command} --help explains exit code {code[0]}"
