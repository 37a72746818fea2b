"""Every lab is graded as a careful teaching assistant would: the answer key full marks, the stub zero, and
each example bug in examples/<lab>.py exactly the checks it breaks, with their reasons."""
import pytest

from autograder.config import load_config
from autograder.examples import load_variants, write_variant
from autograder.grading import grade_notebook, grade_or_reject
from autograder.kernel_pool import KernelPool
from autograder.labs import find_lab
from autograder.sandbox import make_launcher
from conftest import KIT, failed_checks

SETTINGS = load_config(f"{KIT}/course_config.py")
LABS = [lab for lab in SETTINGS.autograder.labs if lab != "lab1_neuron"]  # lab1: tests/test_lab1_grades.py
CASES = [(lab, variant) for lab in LABS for variant in load_variants(SETTINGS, lab)]


@pytest.fixture(scope="module")
def pools(settings):
    """Sandboxed kernels of each lab, with the lab's own limits, one launched ahead."""
    kernels = {}

    def pool(lab):
        if lab not in kernels:
            kernels[lab] = KernelPool.for_lab(settings, find_lab(settings, lab), make_launcher(settings, lab), ahead=1)
        return kernels[lab]

    yield pool
    for pool in kernels.values():
        pool.close()


@pytest.mark.parametrize("lab", LABS)
def test_answer_key_scores_full_marks(settings, pools, lab):
    results = grade_notebook(settings, find_lab(settings, lab), settings.path("solutions", lab, f"{lab}.ipynb"), pools(lab)).results
    assert results["score"] == results["max_score"] > 0, f"{lab}'s answer key loses {failed_checks(results)}"


@pytest.mark.parametrize("lab", LABS)
def test_released_stub_scores_zero(settings, pools, lab):
    results = grade_notebook(settings, find_lab(settings, lab), settings.path("release", lab, f"{lab}.ipynb"), pools(lab)).results
    assert results["score"] == 0 and set(failed_checks(results).values()) == {"not attempted"}, failed_checks(results)


@pytest.mark.parametrize("lab, variant", CASES, ids=[f"{lab}-{variant.student}" for lab, variant in CASES])
def test_example_loses_exactly_the_points_of_its_bug(settings, pools, tmp_path, lab, variant):
    path = str(tmp_path / f"{variant.student}.ipynb")
    write_variant(settings, lab, variant, path)
    results = grade_or_reject(settings, find_lab(settings, lab), path, pools(lab)).results
    assert failed_checks(results) == variant.loses, (
        f"{lab}/{variant.student} ({variant.description}) should fail exactly {variant.loses}, failed {failed_checks(results)}"
    )
