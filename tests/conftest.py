"""Shared fixtures: the kit's own course settings, lab1, and the example submissions graded once per session."""

import os
import tempfile

import pytest

from autograder.course.config import load_config
from autograder.course.labs import find_lab, resolve_lab
from autograder.demo.examples import load_variants, write_variant
from autograder.grading.submission import grade_or_reject
from autograder.sandbox.backend import make_launcher

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The checks draw each submission's inputs from the course secret (autograder/grading/check_seed.py), which a fresh
# clone makes at random: the kit's own course is graded here under a fixed one, so that every run of the suite
# draws the same inputs and a verdict near a threshold cannot move between runs.
TEST_SECRET = os.path.join(tempfile.mkdtemp(prefix="kit-tests-"), "course_secret.txt")
with open(TEST_SECRET, "w", encoding="ascii") as secret:
    secret.write(
        "acad2f823e0e562c015b1ccbb1949365a6f10f14cb9dd9fe8764a828d15e96c8\n"
    )  # what examples/ are calibrated on


@pytest.fixture(scope="session")
def settings():
    """The kit's own course, its checks' inputs drawn under TEST_SECRET."""
    kit_settings = load_config(os.path.join(KIT, "course_config.py"))
    kit_settings.autograder.secret_file = TEST_SECRET  # absolute: Settings.path leaves it as it is
    return kit_settings


@pytest.fixture(scope="session")
def lab1(settings):
    return find_lab(settings, "lab1_neuron")


@pytest.fixture(scope="session")
def launcher(settings):
    """The sandbox every graded kernel runs in (scripts/setup_env.sh installs it; CI runs as root)."""
    return make_launcher(settings, resolve_lab(settings, "lab1_neuron"))


@pytest.fixture(scope="session")
def pool(settings, lab1, launcher):
    """Sandboxed lab1 kernels, one launched ahead of need."""
    kernels = lab1.kernel_pool(launcher, ahead=1)
    yield kernels
    kernels.close()


@pytest.fixture(scope="session")
def graded_examples(settings, lab1, pool, tmp_path_factory):
    """{student: (variant, results)} for every example submission of lab1, each graded once."""
    folder = tmp_path_factory.mktemp("lab1_examples")
    graded = {}
    for variant in load_variants(settings, "lab1_neuron"):
        path = str(folder / f"{variant.student}.ipynb")
        write_variant(settings, "lab1_neuron", variant, path)
        graded[variant.student] = (variant, grade_or_reject(settings, lab1, path, pool).results.to_json())
    return graded


def failed_checks(results: dict) -> dict[str, str]:
    """{check function name: reason} of the failed checks in a results.json."""
    return {
        test["extra_data"]["check"].split("::")[-1]: test["extra_data"]["reason"]
        for test in results["tests"]
        if test["status"] == "failed"
    }
