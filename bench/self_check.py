"""Run a lab's public self-check (the `self_check` cell of its notebook) on the answer key's code or on an example
submission's, and print the self-check's verdicts as JSON: how the tests hold the students' self-check to the
hidden checks' verdicts.

    .venv/bin/python bench/self_check.py LAB [--variant STUDENT]

The cell runs in this process after the solution cells of the chosen code, as in a student's kernel: the released
lab folder on the import path (mnist_data.py, sample_check.py), DEVICE = "cpu", the thread counts of the grading
kernels (run it with their environment: tests/test_self_checks.py does). The last line printed is the JSON:
{"verdicts": {hidden check name: passes}, "seconds": s}.
"""

import argparse
import json
import os
import sys
import time

import nbformat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from solution_code import KIT, notebook_code  # noqa: E402

TORCH_IMPORTS = "import numpy as np\nimport torch\nfrom torch import nn\nfrom torch.utils.data import DataLoader\n"
IMPORTS = {
    "lab4_mnist": TORCH_IMPORTS,
    "lab5_gan": TORCH_IMPORTS,
    "lab5_gan_keras": "import numpy as np\nimport keras\nfrom keras import layers\nimport tensorflow as tf\n",
}
SAMPLE_CHECKS = {  # the public report's measure -> the hidden check that holds the same bar
    "inception_score": "test_samples_are_recognisable_digits",
    "class_coverage": "test_samples_cover_the_digits",
    "frechet_distance": "test_samples_are_close_to_real_digits",
}
ACCURACY_CHECKS = {"MLP": "test_mlp_accuracy_after_fit", "CNN": "test_cnn_accuracy_after_fit"}


def self_check_source(settings, lab: str) -> str:
    """The source of the `self_check` cell of the lab's released notebook."""
    nb = nbformat.read(settings.layout.release_notebook(lab), as_version=4)
    return next(cell.source for cell in nb.cells if cell.get("id") == "self_check")


def run(lab: str, variant: str | None) -> dict:
    """{hidden check name: what the self-check says of it} for the variant's code, and the seconds it took."""
    from autograder.course.config import load_config

    settings = load_config(os.path.join(KIT, "course_config.py"))
    sys.path.insert(0, settings.path("release", lab))
    os.environ.setdefault("COURSE_DATA", settings.path("data"))
    namespace = notebook_code(settings, lab, IMPORTS[lab], variant)
    namespace.setdefault("DEVICE", "cpu")
    namespace.setdefault("LATENT_DIM", 100)  # the Keras lab sets it in its import cell
    started = time.perf_counter()
    exec(self_check_source(settings, lab), namespace)
    seconds = time.perf_counter() - started
    if lab == "lab4_mnist":
        verdicts = {ACCURACY_CHECKS[model]: ok for model, ok in namespace["self_check_passes"].items()}
    else:
        verdicts = {SAMPLE_CHECKS[measure]: ok for measure, ok in namespace["self_check_passes"].items()}
    return {"verdicts": verdicts, "seconds": round(seconds, 1)}


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("lab", choices=sorted(IMPORTS))
    options.add_argument("--variant", help="an example student of examples/LAB.py instead of the answer key")
    args = options.parse_args(argv)
    print(json.dumps(run(args.lab, args.variant)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
