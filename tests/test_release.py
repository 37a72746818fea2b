"""release/ and solutions/ are what `autograder release` makes from source/, and the points add up."""

import nbformat
import pytest
from conftest import KIT

from autograder.course.config import load_config
from autograder.course.release import ReleaseError, check_points, generate_assignment
from autograder.grading.cells import is_solution
from autograder.grading.check_runner import collect_checks

LABS = load_config(f"{KIT}/course_config.py").autograder.labs


def cell_contents(notebook) -> list[tuple]:
    """What a notebook holds, without what changes from run to run (outputs, execution counts)."""
    return [(cell.cell_type, cell.source, cell.metadata.get("nbgrader")) for cell in notebook.cells]


@pytest.mark.parametrize("lab", LABS)
def test_committed_release_is_what_source_generates(settings, lab, tmp_path):
    generate_assignment(settings, lab, release_directory=str(tmp_path))
    fresh = nbformat.read(tmp_path / lab / f"{lab}.ipynb", as_version=4)
    committed = nbformat.read(settings.path("release", lab, f"{lab}.ipynb"), as_version=4)
    assert cell_contents(fresh) == cell_contents(committed), (
        f"release/{lab} is stale: run `autograder release {lab}` and commit the result"
    )


@pytest.mark.parametrize("lab", LABS)
def test_answer_key_is_the_executed_source(settings, lab):
    source = nbformat.read(settings.path("source", lab, f"{lab}.ipynb"), as_version=4)
    key = nbformat.read(settings.path("solutions", lab, f"{lab}.ipynb"), as_version=4)
    assert cell_contents(source) == cell_contents(key), f"solutions/{lab} is stale: run `autograder release {lab}`"
    errors = [output for cell in key.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert not errors, f"the answer key ran with errors: {errors[:1]}"
    assert any(output.output_type == "display_data" for cell in key.cells for output in cell.get("outputs", [])), (
        "the answer key holds its plots"
    )


@pytest.mark.parametrize("lab", LABS)
def test_release_hides_every_solution(settings, lab):
    released = nbformat.read(settings.path("release", lab, f"{lab}.ipynb"), as_version=4)
    text = "\n".join(cell.source for cell in released.cells)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, "no solution markers in the student version"
    answers = [cell for cell in released.cells if is_solution(cell) and cell.cell_type == "code"]
    assert answers and all("raise NotImplementedError()" in cell.source for cell in answers), (
        "every answer cell of the stub raises NotImplementedError"
    )


@pytest.mark.parametrize("lab", LABS)
def test_grade_cell_points_equal_their_checks_points(settings, lab):
    source = nbformat.read(settings.path("source", lab, f"{lab}.ipynb"), as_version=4)
    check_points(source, collect_checks(settings.path("grading_tests", lab)))


def test_points_that_do_not_add_up_stop_the_release(settings):
    source = nbformat.read(settings.path("source", "lab1_neuron", "lab1_neuron.ipynb"), as_version=4)
    checks = collect_checks(settings.path("grading_tests", "lab1_neuron"))
    checks[0].points += 1
    with pytest.raises(ReleaseError, match="test_activations' is worth 12 points but its checks add up to 13"):
        check_points(source, checks)


def test_labs_with_files_of_the_same_name_keep_their_own_checks():
    """lab3_backprop and lab5_gan both have a test_losses.py (lab4 and lab5 both a conftest.py): collected one
    after the other in one grader process, each lab gets its own checks."""
    first = collect_checks(f"{KIT}/grading_tests/lab3_backprop")
    second = collect_checks(f"{KIT}/grading_tests/lab5_gan")
    assert all(check.nodeid.startswith("lab3_backprop/") for check in first), [c.nodeid for c in first][:3]
    assert all(check.nodeid.startswith("lab5_gan/") for check in second), (
        f"lab5_gan's checks should be its own, got {[c.nodeid for c in second][:3]}"
    )
    assert "lab5_gan/test_losses.py::test_generator_loss_is_non_saturating" in {check.nodeid for check in second}
