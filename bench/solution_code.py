"""The benches' way to run a lab's solution cells (of the answer key, or of an example submission) in-process.

Torch-free itself, so that a bench can run the Keras lab's code in a process without torch.
"""

import os
import sys
import tempfile

import nbformat

from autograder.demo.examples import load_variants, write_variant
from autograder.grading.cells import is_solution

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(KIT, "source", "lab5_gan"))
import sample_check  # noqa: E402, F401  (the GAN labs' public self-check, NumPy only: re-exported to the benches)


def notebook_code(settings, lab: str, imports: str, variant: str | None = None, given: tuple[str, ...] = ()) -> dict:
    """The namespace of a lab's answer key's (or the variant's) solution cells, and of the `given` cells (by
    grade_id: helpers the lab hands out), run in this process in notebook order after `imports` (the notebook's own
    import cell is not run: it also loads data and plots)."""
    path = settings.path(settings.autograder.solutions_directory, lab, lab + ".ipynb")
    with tempfile.TemporaryDirectory() as folder:
        if variant:
            chosen = next(v for v in load_variants(settings, lab) if v.student == variant)
            path = os.path.join(folder, "variant.ipynb")
            write_variant(settings, lab, chosen, path)
        nb = nbformat.read(path, as_version=4)
    namespace = {}
    exec(imports, namespace)
    for cell in nb.cells:
        if cell.cell_type == "code" and (
            is_solution(cell) or cell.metadata.get("nbgrader", {}).get("grade_id") in given
        ):
            exec(cell.source, namespace)
    return namespace


def public_line(report) -> str:
    """One line of the students' self-check's measures (a sample_check.Report) and its verdicts."""
    verdicts = "".join("+" if ok else "-" for ok in report.passes.values())
    return (
        f"public: IS {report.inception_score:.2f} coverage {report.class_coverage} "
        f"Frechet {report.frechet_distance:.1f} background {report.background:.2f} copies {report.copied_share:.0%} [{verdicts}]"
    )
