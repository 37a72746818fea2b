"""On a grader with an NVIDIA GPU, lab5's training check runs on CUDA and the results say so. Skipped
without a GPU (CI has none); the CPU path is tested by tests/test_lab_examples.py on every run."""

import pytest
from conftest import failed_checks

from autograder.course.labs import find_lab, has_gpu, resolve_lab
from autograder.grading.submission import grade_notebook
from autograder.sandbox.backend import make_launcher

pytestmark = pytest.mark.skipif(not has_gpu(), reason="needs an NVIDIA GPU")


def test_lab5_answer_key_trains_on_cuda_and_scores_full_marks(settings):
    lab = find_lab(settings, "lab5_gan")
    pool = lab.kernel_pool(make_launcher(settings, resolve_lab(settings, "lab5_gan")))
    try:
        results = grade_notebook(
            settings, lab, settings.path("solutions", "lab5_gan", "lab5_gan.ipynb"), pool
        ).results.to_json()
    finally:
        pool.close()
    assert results["extra_data"]["device"] == "cuda", (
        f"the kernel should see the GPU, it saw {results['extra_data']['device']}"
    )
    assert results["score"] == results["max_score"], f"the answer key loses {failed_checks(results)} on the GPU"
