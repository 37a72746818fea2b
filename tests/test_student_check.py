"""A student checks their work where they work: `check("exercise")` in the notebook, `autograder check` in the folder
nbgrader's fetch_assignment makes, with no course; public checks only, never the hidden ones."""

import ast
import glob
import importlib.util
import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import KIT
from nbclient import NotebookClient

from autograder.course.labs import resolve_lab
from autograder.grading.public_checks import HELPER_NAME, helper_source, public_checks_of, stamped

LAB = "lab1_neuron"
RELEASE = os.path.join(KIT, "release", LAB)
PUBLIC_TESTS = ("test_activations", "test_neuron", "test_logic_gates", "test_truth_table", "test_xor")
# A student's install of the kit: the package without a course_config.py of its own, no --config, no
# $AUTOGRADER_CONFIG. Here: the kit's venv with config.KIT pointed at a folder that holds none.
NO_COURSE = (
    "import sys, autograder.course.config as config; config.KIT = sys.argv.pop(1); "
    "from autograder.cli import main; raise SystemExit(main(sys.argv[1:]))"
)


def student_autograder(folder, *args):
    """`autograder ARGS` run in `folder` on a machine with no course."""
    env = {name: value for name, value in os.environ.items() if name != "AUTOGRADER_CONFIG"}
    nowhere = os.path.join(str(folder), "no-kit-here")
    return subprocess.run(
        [sys.executable, "-c", NO_COURSE, nowhere, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def released_stub():
    return nbformat.read(os.path.join(RELEASE, f"{LAB}.ipynb"), as_version=4)


def answered(replace: dict[str, tuple[str, str]] | None = None):
    """The released notebook with the answer key's code in its answer cells; `replace`: {grade id: (old, new)}
    text to change in that cell (a student's mistake)."""
    key = nbformat.read(os.path.join(KIT, "solutions", LAB, f"{LAB}.ipynb"), as_version=4)
    answers = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell.source for cell in key.cells}
    nb = released_stub()
    for cell in nb.cells:
        data = cell.metadata.get("nbgrader", {})
        if data.get("solution") and cell.cell_type == "code":
            cell.source = answers[data["grade_id"]]
        old, new = (replace or {}).get(data.get("grade_id"), ("", ""))
        if old:
            assert old in cell.source, f"the answer key's {data['grade_id']} should hold {old!r}"
            cell.source = cell.source.replace(old, new)
    return nb


def fetched(folder, nb=None):
    """The folder fetch_assignment makes: the released lab's files, with `nb` as the notebook (default: as released)."""
    shutil.copytree(RELEASE, folder)
    if nb is not None:
        nbformat.write(nb, os.path.join(folder, f"{LAB}.ipynb"))
    return folder


def hidden_names(lab: str) -> set[str]:
    """The hidden checks' function names and their names in the results (the docstrings' first lines)."""
    names = set()
    for path in glob.glob(os.path.join(KIT, "grading_tests", lab, "*.py")):
        for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                names.add(node.name)
                if ast.get_docstring(node):
                    names.add(ast.get_docstring(node).splitlines()[0])
    return names - set(PUBLIC_TESTS)


@pytest.fixture(scope="module")
def stub_check(tmp_path_factory):
    """`autograder check` of the released stub in its fetched folder, with no course."""
    folder = fetched(tmp_path_factory.mktemp("fetched") / LAB)
    return student_autograder(folder, "check", f"{LAB}.ipynb")


def test_check_in_a_fetched_assignment_folder_without_a_course_runs_every_public_check(stub_check):
    assert stub_check.returncode == 1, f"the stub fails its public checks: exit 1 expected\n{stub_check.stderr}"
    for test in PUBLIC_TESTS:
        assert f"not attempted  {test}" in stub_check.stdout, f"a verdict line for {test}:\n{stub_check.stdout}"
    assert "5 of 5 public checks failed (5 not attempted)" in stub_check.stdout, stub_check.stdout


def test_check_never_shows_a_hidden_check(stub_check):
    shown = stub_check.stdout + stub_check.stderr
    leaked = sorted(name for name in hidden_names(LAB) if name in shown)
    assert not leaked, f"the hidden checks run only at grading; the student saw {leaked}"


def test_the_stubs_verdicts_name_the_function_that_still_raises(stub_check):
    for line in (
        "not attempted  test_activations: step still raises NotImplementedError",
        "not attempted  test_neuron: BasicNeuron.__init__ still raises NotImplementedError",
        "not attempted  test_logic_gates: `or_neuron` is not defined in the notebook",
        "not attempted  test_truth_table: truth_table still raises NotImplementedError",
        "not attempted  test_xor: xor still raises NotImplementedError",
    ):
        assert line in stub_check.stdout, f"expected {line!r} in:\n{stub_check.stdout}"


def test_the_notebook_alone_in_an_empty_folder_is_checked_by_its_own_public_cells(tmp_path):
    """No lab_check.py beside it: the lab comes from the notebook's metadata, the checks from its test cells."""
    nbformat.write(answered(), tmp_path / f"{LAB}.ipynb")
    run = student_autograder(tmp_path, "check", f"{LAB}.ipynb")
    assert run.returncode == 0, f"the answered notebook passes its public checks: exit 0 expected\n{run.stdout}"
    assert f"no {HELPER_NAME} of {LAB} was found beside the notebook" in run.stdout, (
        "it says where the checks came from"
    )
    assert "public checks passed (5/5); the autograder runs more checks when it grades" in run.stdout, run.stdout
    assert "all passed" not in run.stdout.lower(), "never 'all passed': the hidden checks run only at grading"


def test_a_wrong_answer_fails_with_the_checks_message_and_an_error_says_where(tmp_path):
    nb = answered(
        {
            "activations": ("return np.maximum(0.0, x)", "return x"),
            "neuron": ("return self.activation(", "raise ValueError('shapes differ')\n        return ("),
        }
    )
    run = student_autograder(fetched(tmp_path / LAB, nb), "check", f"{LAB}.ipynb")
    assert run.returncode == 1, f"a failed public check exits 1\n{run.stdout}{run.stderr}"
    assert "FAILED  test_activations: relu(-2) should be 0" in run.stdout, run.stdout
    assert "FAILED  test_neuron: ValueError: shapes differ (in BasicNeuron.feedforward)" in run.stdout, run.stdout
    assert "FAILED  test_xor: ValueError: shapes differ (in BasicNeuron.feedforward)" in run.stdout, "xor's neurons too"


def test_check_runs_the_checks_as_released_whatever_the_student_did_to_the_test_cells(tmp_path):
    nb = released_stub()
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_activations":
            cell.source = "print('every test passed')"
    nb.cells = [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade_id") != "test_xor"]
    run = student_autograder(fetched(tmp_path / LAB, nb), "check", f"{LAB}.ipynb")
    assert "not attempted  test_activations: step still raises" in run.stdout, "the released check, not the edit"
    assert "not attempted  test_xor: xor still raises" in run.stdout, "a deleted test cell's check still runs"


def test_check_takes_the_labs_cell_time_limit_from_the_notebooks_metadata(tmp_path):
    nb = answered()
    nb.metadata["autograder"]["limits"]["cell_timeout"] = 1.0
    nb.cells.insert(2, nbformat.v4.new_code_cell("import time\ntime.sleep(60)"))
    run = student_autograder(fetched(tmp_path / LAB, nb), "check", f"{LAB}.ipynb")
    assert "note: cell 3 failed: timeout" in run.stdout, f"the endless cell stops after 1 s:\n{run.stdout}"
    assert run.returncode == 0 and "public checks passed (5/5)" in run.stdout, run.stdout + run.stderr


def test_instructor_commands_without_a_course_still_say_how_to_name_one(tmp_path):
    nbformat.write(answered(), tmp_path / f"{LAB}.ipynb")
    run = student_autograder(tmp_path, "grade", LAB, f"{LAB}.ipynb")
    assert run.returncode == 2, f"exit 2 expected, got {run.returncode}"
    assert "no course_config.py at" in run.stderr and "pass --config PATH" in run.stderr, run.stderr


def test_a_notebook_without_public_checks_is_refused_with_exit_2(tmp_path):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), tmp_path / "mine.ipynb")
    run = student_autograder(tmp_path, "check", "mine.ipynb")
    assert run.returncode == 2 and "has no public test cells" in run.stderr, run.stdout + run.stderr


def test_check_in_the_notebook_prints_a_verdict_per_check(tmp_path):
    """The student's own kernel (nbclient's): the stub, then the answer key's code with a wrong relu."""
    folder = fetched(tmp_path / LAB)
    nb = released_stub()
    wrong = answered({"activations": ("return np.maximum(0.0, x)", "return x")})
    answers = "\n\n".join(
        cell.source
        for cell in wrong.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
    )
    nb.cells += [
        nbformat.v4.new_code_cell('from lab_check import check\ncheck("activations")'),
        nbformat.v4.new_code_cell(f"{answers}\n\ncheck()"),
        nbformat.v4.new_code_cell('check("test_neuron")\ncheck("nope")'),
    ]
    NotebookClient(nb, timeout=60, allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
    printed = ["".join(output.get("text", "") for output in cell.outputs) for cell in nb.cells[-3:]]
    assert printed[0] == (
        "not attempted  test_activations: step still raises NotImplementedError\n\n"
        "1 of 1 public checks failed (1 not attempted)\n"
    ), printed[0]
    assert "FAILED  test_activations: relu(-2) should be 0\npassed  test_neuron\n" in printed[1], printed[1]
    assert "1 of 5 public checks failed" in printed[1], printed[1]
    assert printed[2].startswith("passed  test_neuron\n\npublic checks passed (1/1); the autograder runs more"), (
        printed[2]
    )
    assert (
        "no exercise 'nope' in lab1_neuron: use one of 'activations', 'neuron', 'logic_gates', 'truth_table', 'xor'"
        in printed[2]
    )


def load_helper(lab: str):
    spec = importlib.util.spec_from_file_location(f"lab_check_{lab}", os.path.join(KIT, "release", lab, HELPER_NAME))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_exercises_are_named_by_their_answer_cell_or_their_test_cell():
    helper = load_helper("lab2_ann")
    checks = helper.public_checks()

    def tests(name):
        return [one["test"] for one in helper.select(name, checks)]

    assert tests("two_layer_network") == ["test_init", "test_feedforward", "test_vectorised"], "the answer cell's"
    assert tests("init") == tests("test_init") == ["test_init"], "a test cell's, with or without test_"
    assert tests("nope") == []
    assert helper.exercises(checks) == ["basic_network", "two_layer_network", "predict"]


def test_check_in_a_grading_kernel_leaves_the_checks_to_the_grader(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_GRADING", "1")
    load_helper(LAB).check()
    assert "skipped while the autograder grades" in capsys.readouterr().out


@pytest.mark.parametrize("lab", sorted(os.listdir(os.path.join(KIT, "release"))))
def test_each_release_carries_its_public_checks_and_its_lab_and_no_hidden_check(settings, lab):
    nb = nbformat.read(os.path.join(KIT, "release", lab, f"{lab}.ipynb"), as_version=4)
    limits = resolve_lab(settings, lab).limits
    assert stamped(nb) == {
        "lab": lab,
        "limits": {"cell_timeout": limits.cell_timeout, "submission_timeout": limits.submission_timeout},
    }, f"release/{lab}'s notebook should name its lab and limits: run `autograder release {lab}`"
    helper = open(os.path.join(KIT, "release", lab, HELPER_NAME), encoding="utf-8").read()
    assert helper == helper_source(lab, public_checks_of(nb)), f"release/{lab}/{HELPER_NAME} is stale: release it"
    leaked = sorted(name for name in hidden_names(lab) if name in helper)
    assert not leaked, f"{HELPER_NAME} holds public checks only, not {leaked}"


# What a student's `pip install KIT[lab1]` (pyproject.toml's dependencies) leaves out: the grading stack
GRADING_STACK = ("nbgrader", "pytest", "dask", "distributed", "copydetect", "nbconvert", "nbclient", "sqlalchemy")
BLOCK_GRADING_STACK = (
    "import sys\n"
    "class Blocked:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    f"        if name.split('.')[0] in {GRADING_STACK!r}:\n"
    "            raise ImportError(f'{name} is not in a student install')\n"
    "sys.meta_path.insert(0, Blocked())\n"
)


def test_check_needs_nothing_of_the_grading_stack(tmp_path):
    """pyproject.toml's dependencies are all a student installs: `check` imports no nbgrader, pytest or dask."""
    folder = fetched(tmp_path / LAB)
    env = {name: value for name, value in os.environ.items() if name != "AUTOGRADER_CONFIG"}
    run = subprocess.run(
        [sys.executable, "-c", BLOCK_GRADING_STACK + NO_COURSE, str(tmp_path / "no-kit-here"), "check", f"{LAB}.ipynb"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "not a student install" not in run.stderr, f"check imported the grading stack:\n{run.stderr}"
    assert run.returncode == 1 and "5 of 5 public checks failed" in run.stdout, run.stdout + run.stderr
