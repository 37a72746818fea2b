"""Every lab is graded as a careful teaching assistant would: the answer key full marks, the stub zero, and
each example bug in examples/<lab>.py exactly the checks it breaks, with their reasons.

Each lab's examples are graded once, as one batch of two worker processes in the sandbox (autograder/grading/workers.py),
the way `autograder grade LAB --workers 2` grades a class.
"""

import base64
import io

import numpy as np
import pytest
from conftest import KIT, failed_checks

from autograder.course.config import load_config
from autograder.course.labs import find_lab
from autograder.demo.examples import load_variants, write_variant
from autograder.grading.workers import grade_in_parallel
from autograder.outputs.feedback import render
from autograder.results import Results

SETTINGS = load_config(f"{KIT}/course_config.py")
LABS = [lab for lab in SETTINGS.autograder.labs if lab != "lab1_neuron"]  # lab1: tests/test_lab1_grades.py
CASES = [(lab, variant) for lab in LABS for variant in load_variants(SETTINGS, lab)]
ANSWER_KEY, STUB = "alice", "zoe"  # in every lab's examples: the answer key as handed in, the untouched stub


@pytest.fixture(scope="module")
def graded(settings, tmp_path_factory):
    """{lab: {student: results}}, each lab's examples graded on first use."""
    done = {}

    def results(lab):
        if lab not in done:
            folder = tmp_path_factory.mktemp(lab)
            variants = load_variants(settings, lab)
            paths = [str(folder / f"{variant.student}.ipynb") for variant in variants]
            for variant, path in zip(variants, paths):
                write_variant(settings, lab, variant, path)
            tasks = [(path, str(folder)) for path in paths]
            graded_all = [
                graded for _, graded in grade_in_parallel(settings, find_lab(settings, lab), tasks, workers=2)
            ]
            done[lab] = {variant.student: each.results.to_json() for variant, each in zip(variants, graded_all)}
        return done[lab]

    return results


@pytest.mark.parametrize("lab", LABS)
def test_every_lab_has_its_answer_key_and_stub_among_the_examples(lab):
    variants = {variant.student: variant for variant in load_variants(SETTINGS, lab)}
    assert (
        variants[ANSWER_KEY].base == "solution" and not variants[ANSWER_KEY].edits and not variants[ANSWER_KEY].cells
    ), f"{lab}'s example {ANSWER_KEY} should be the answer key, unchanged"
    assert variants[STUB].base == "release" and not variants[STUB].edits, (
        f"{lab}'s example {STUB} should be the untouched stub"
    )


@pytest.mark.parametrize("lab", LABS)
def test_answer_key_scores_full_marks(graded, lab):
    results = graded(lab)[ANSWER_KEY]
    assert results["score"] == results["max_score"] > 0, f"{lab}'s answer key loses {failed_checks(results)}"


@pytest.mark.parametrize("lab", LABS)
def test_released_stub_scores_zero(graded, lab):
    results = graded(lab)[STUB]
    assert results["score"] == 0 and set(failed_checks(results).values()) == {"not attempted"}, failed_checks(results)


@pytest.mark.parametrize("lab, variant", CASES, ids=[f"{lab}-{variant.student}" for lab, variant in CASES])
def test_example_loses_exactly_the_points_of_its_bug(graded, lab, variant):
    results = graded(lab)[variant.student]
    assert failed_checks(results) == variant.loses, (
        f"{lab}/{variant.student} ({variant.description}) should fail exactly {variant.loses}, failed {failed_checks(results)}"
    )


@pytest.mark.parametrize("lab", ["lab5_gan", "lab5_gan_keras"])
def test_the_answer_keys_sample_picture_shows_many_digits_and_reaches_the_feedback(graded, lab):
    """The picture the GAN labs' sample checks draw for the feedback holds the samples they judged: read back from
    its PNG and classified, the answer key's show many digits (tests/test_sample_quality.py: a collapse, one)."""
    student = ANSWER_KEY
    from PIL import Image

    from autograder.checks.pictures import grid_tiles
    from autograder.checks.sample_quality import SAMPLES_TITLE, load_reference_classifier, predict

    results = graded(lab)[student]
    pictures = [p for p in results["extra_data"].get("pictures", []) if p["title"] == SAMPLES_TITLE]
    assert len(pictures) == 1, (
        f"{lab}/{student}: one picture of the samples, got {results['extra_data'].get('pictures')}"
    )
    assert "Inception Score" in pictures[0]["caption"], "its caption gives the measures and their bars"
    image = np.asarray(Image.open(io.BytesIO(base64.b64decode(pictures[0]["png"]))))
    samples = grid_tiles(image, 64)[:, None] * 2 - 1
    probabilities, _ = predict(samples, load_reference_classifier())
    labels = probabilities.argmax(axis=1)
    assert len(set(labels.tolist())) >= 8, f"{lab}: the answer key's picture should show many digits: {labels}"
    page = render(Results.from_json(results), student)
    assert "Pictures of what your code did" in page and pictures[0]["png"][:100] in page, "the feedback shows it"


def confusion_shades(picture: dict) -> np.ndarray:
    """The 10 x 10 grey levels of a lab4 confusion picture (autograder/checks/pictures.confusion_png), read back
    from its PNG at the middle of each cell: 0 black (all of that row), 255 white (none)."""
    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(base64.b64decode(picture["png"]))))
    middles = [(28 + index * 28 + 14) * 2 for index in range(10)]
    return image[np.ix_(middles, middles)].astype(int)


def test_lab4s_confusion_pictures_show_the_answer_keys_diagonal_and_a_broken_cnns_mistakes(graded):
    pictures = {
        student: graded("lab4_mnist")[student]["extra_data"].get("pictures", []) for student in ("alice", "carla")
    }
    assert [len(found) for found in pictures.values()] == [2, 2], "one picture for the MLP and one for the CNN each"
    for picture in pictures["alice"]:
        shades = confusion_shades(picture)
        darkest = shades.argmin(axis=1)
        assert (darkest == np.arange(10)).all(), (
            f"the answer key's {picture['title']}: each row darkest on the diagonal"
        )
    cnn = next(picture for picture in pictures["carla"] if "CNN" in picture["title"])
    assert (confusion_shades(cnn).argmin(axis=1) != np.arange(10)).any(), (
        "carla's CNN (no zero_grad, 39% right) calls some digit mostly something else, and the picture shows it"
    )
    assert "accuracy 38.9% (at least 85%)" in cnn["caption"], cnn["caption"]


def test_lab3s_picture_shows_the_answer_keys_xor_network_over_the_plane(graded):
    pictures = graded("lab3_backprop")[ANSWER_KEY]["extra_data"].get("pictures", [])
    assert [picture["title"] for picture in pictures] == ["The network train_xor(seed=0) returned, over the plane"]
    assert pictures[0]["grade_cell"] == "test_train_xor", "it belongs with the XOR check's verdicts in formgrader"
