"""`autograder gradescope LAB` builds the zip Gradescope takes; its run_autograder, run here in a folder shaped like
/autograder, grades a submission as `grade` does and writes Gradescope's results.json."""

import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

import pytest
from conftest import KIT

from autograder.course.labs import find_lab
from autograder.demo.examples import load_variants, write_variant
from autograder.gradescope.package import build_package
from autograder.gradescope.results import gradescope_results
from autograder.results import Results

LAB = "lab1_neuron"
EXAMPLES = ("alice", "dave", "judy", "mallory")  # the answer key, a bug, the stub, a PNG renamed .ipynb


@pytest.fixture(scope="module")
def package(settings, tmp_path_factory):
    """The Gradescope zip of lab1 built from the kit's own course (its checks' inputs drawn under the tests'
    secret, as graded_examples draws them)."""
    output = str(tmp_path_factory.mktemp("gradescope") / "lab1.zip")
    build_package(settings, find_lab(settings, LAB), os.path.join(KIT, "course_config.py"), output)
    return output


@pytest.fixture()
def autograder_root(package):
    """A folder shaped like Gradescope's /autograder: the zip unpacked in source/, run_autograder copied beside
    it (as Gradescope does), an empty submission/ and results/; outside pytest's private tmp folder, as the
    sandbox's user must reach the course's data there as in /autograder."""
    parent = tempfile.mkdtemp(prefix="gradescope-")
    os.chmod(parent, 0o755)
    root = pathlib.Path(parent) / "autograder"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root / "source")
        for member in archive.infolist():  # extractall drops the modes that Gradescope keeps
            os.chmod(root / "source" / member.filename, member.external_attr >> 16 & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    yield root
    shutil.rmtree(parent, ignore_errors=True)


def run_autograder(root) -> subprocess.CompletedProcess:
    environment = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    return subprocess.run([str(root / "run_autograder")], env=environment, capture_output=True, text=True, timeout=120)


def statuses(results: dict) -> dict[str, tuple[str, float]]:
    return {test["name"]: (test["status"], test["score"]) for test in results["tests"]}


@pytest.mark.parametrize("student", EXAMPLES)
def test_run_autograder_scores_a_submission_as_grade_does(student, settings, graded_examples, autograder_root):
    variant, expected = graded_examples[student]
    write_variant(settings, LAB, variant, str(autograder_root / "submission" / "my lab 1.ipynb"))
    done = run_autograder(autograder_root)
    assert done.returncode == 0, f"run_autograder should exit 0, got {done.returncode}: {done.stderr[-2000:]}"
    assert f"graded by the kit in {autograder_root / 'source' / 'kit'}" in done.stdout, (
        f"the zip's own kit should grade, not the one installed here: {done.stdout}"
    )
    results = json.loads((autograder_root / "results" / "results.json").read_text())
    assert results["score"] == expected["score"], f"{student}: Gradescope's score should be grade's {expected}"
    assert statuses(results) == statuses(expected), f"{student}: every check should end as under `grade`"
    if not variant.rejected:
        assert results["extra_data"]["sandboxed"], "the submission's kernel should run in the sandbox"


def test_no_notebook_or_two_notebooks_score_zero_with_the_reason(settings, autograder_root):
    submission = autograder_root / "submission"
    (submission / "lab1.py").write_text("print('hello')\n")
    done = run_autograder(autograder_root)
    results = json.loads((autograder_root / "results" / "results.json").read_text())
    assert done.returncode == 0 and results["score"] == 0, "a submission without a notebook scores 0"
    assert "no notebook was handed in (found: lab1.py)" in results["output"], results["output"]
    stub = next(variant for variant in load_variants(settings, LAB) if variant.student == "judy")
    for name in ("a.ipynb", "b.ipynb"):
        write_variant(settings, LAB, stub, str(submission / name))
    run_autograder(autograder_root)
    results = json.loads((autograder_root / "results" / "results.json").read_text())
    assert "2 notebooks were handed in (a.ipynb, b.ipynb)" in results["output"], results["output"]


def test_a_grader_failure_writes_no_results_and_exits_3(autograder_root):
    settings_file = autograder_root / "source" / "gradescope.json"
    chosen = json.loads(settings_file.read_text())
    settings_file.write_text(json.dumps(dict(chosen, lab="lab9_missing")))
    done = run_autograder(autograder_root)
    assert done.returncode == 3, f"the grader's failure should exit 3 (Gradescope: autograder error): {done.stderr}"
    assert "unknown lab 'lab9_missing'" in done.stderr, done.stderr
    assert not (autograder_root / "results" / "results.json").exists(), "no results, never a 0 the student did not earn"


def test_the_zip_holds_the_kit_and_the_lab_never_solutions_or_submissions(package):
    with zipfile.ZipFile(package) as archive:
        members = {member.filename: member.external_attr >> 16 for member in archive.infolist()}
    for entry in ("setup.sh", "run_autograder", "gradescope.json", "kit/autograder/cli.py", "kit/requirements.txt"):
        assert entry in members, f"the zip should hold {entry}"
    assert members["run_autograder"] & stat.S_IXUSR and members["setup.sh"] & stat.S_IXUSR, "entry points run"
    assert members["course/course_secret.txt"] & 0o077 == 0, "the course secret is the grader's alone (mode 0600)"
    assert f"course/grading_tests/{LAB}/test_xor.py" in members, "the lab's hidden checks grade in Gradescope"
    assert f"course/release/{LAB}/{LAB}.ipynb" in members, "the released notebook restores locked cells"
    leaked = [
        name
        for name in members
        if name.startswith(("course/source/", "course/solutions/", "course/submitted/", "course/autograded/"))
        or "grading_tests/lab2" in name
    ]
    assert not leaked, f"the zip should hold no solution, no student file and no other lab: {leaked}"


def test_check_visibility_follows_the_labs_setting(graded_examples):
    _, expected = graded_examples["dave"]
    results = Results.from_json(expected)
    shown = gradescope_results(results, {"test_relu_values": "visible", "default": "after_due_date"})
    visibility = {test["extra_data"]["check"].split("::")[-1]: test["visibility"] for test in shown["tests"]}
    assert visibility["test_relu_values"] == "visible", "a check the lab names gets its visibility"
    assert visibility["test_xor_truth_table"] == "after_due_date", "the others get the lab's default"
    hidden = gradescope_results(results, {})
    assert {test["visibility"] for test in hidden["tests"]} == {"after_published"}, (
        "without a setting, the checks' messages wait until the grades are published"
    )
    assert "max_score" not in hidden and "pictures" not in hidden["extra_data"], "Gradescope's keys only, no PNGs"
    assert hidden["output_format"] == "html" and "data:image/png;base64," in hidden["output"], (
        "the pictures the checks drew show in the summary"
    )


def test_gradescope_command_writes_the_zip_and_refuses_an_unknown_lab(tmp_path):
    command = [sys.executable, "-m", "autograder", "--config", os.path.join(KIT, "course_config.py"), "gradescope"]
    done = subprocess.run([*command, LAB, "--output", str(tmp_path / "lab1.zip")], capture_output=True, text=True)
    assert done.returncode == 0 and "wrote " in done.stdout, f"the command should write the zip: {done.stderr}"
    assert zipfile.is_zipfile(tmp_path / "lab1.zip"), "what it wrote should be a zip"
    done = subprocess.run([*command, "lab9", "--output", str(tmp_path / "x.zip")], capture_output=True, text=True)
    assert done.returncode == 2 and "unknown lab 'lab9'" in done.stderr, f"an unknown lab is exit 2: {done.stderr}"
