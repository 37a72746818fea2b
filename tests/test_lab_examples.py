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
from formgrader_browser import open_browser, screenshot

from autograder.course.config import load_config
from autograder.course.labs import find_lab
from autograder.demo.examples import load_variants, write_variant
from autograder.grading.workers import grade_in_parallel
from autograder.outputs.feedback import render, write_feedback
from autograder.results import Results

SETTINGS = load_config(f"{KIT}/course_config.py")
LABS = [lab for lab in SETTINGS.autograder.labs if lab != "lab1_neuron"]  # lab1: tests/test_lab1_grades.py
CASES = [(lab, variant) for lab in LABS for variant in load_variants(SETTINGS, lab)]
ANSWER_KEY, STUB = "alice", "zoe"  # in every lab's examples: the answer key as handed in, the untouched stub


class GradedExamples:
    """Each lab's examples graded on first use: `graded(lab)` is {student: results as JSON}, and each submission's
    feedback page is written as `grade` writes it, at `graded.feedback_page(lab, student)`."""

    def __init__(self, settings, tmp_path_factory):
        self.settings, self.tmp_path_factory = settings, tmp_path_factory
        self.results, self.folders = {}, {}

    def __call__(self, lab: str) -> dict[str, dict]:
        if lab not in self.results:
            folder = self.tmp_path_factory.mktemp(lab)
            variants = load_variants(self.settings, lab)
            paths = [str(folder / f"{variant.student}.ipynb") for variant in variants]
            for variant, path in zip(variants, paths):
                write_variant(self.settings, lab, variant, path)
            tasks = [(path, str(folder)) for path in paths]
            graded_all = [
                graded for _, graded in grade_in_parallel(self.settings, find_lab(self.settings, lab), tasks, workers=2)
            ]
            for variant, each in zip(variants, graded_all):
                write_feedback(str(folder / f"{variant.student}.html"), each.results, variant.student, nb=each.notebook)
            self.results[lab] = {variant.student: each.results.to_json() for variant, each in zip(variants, graded_all)}
            self.folders[lab] = folder
        return self.results[lab]

    def feedback_page(self, lab: str, student: str) -> str:
        self(lab)
        return str(self.folders[lab] / f"{student}.html")


@pytest.fixture(scope="module")
def graded(settings, tmp_path_factory):
    return GradedExamples(settings, tmp_path_factory)


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
    assert pictures[0]["check"].endswith("::test_samples_are_recognisable_digits"), (
        f"it stays beside the first sample check that drew it, not {pictures[0]['check']}"
    )
    assert pictures[0]["png"][:100] in page, "the feedback shows it"


def test_lab6s_conditional_picture_shows_the_asked_digit_in_each_column(graded):
    """The conditional GAN's picture in the feedback: column k holds samples asked for digit k. Read back from the
    answer key's PNG and classified, most columns read as their digit; a generator that ignores its label
    (carmen) shows no such order."""
    from PIL import Image

    from autograder.checks.pictures import grid_tiles
    from autograder.checks.sample_quality import CONDITIONAL_TITLE, load_reference_classifier, predict

    def columns_read_as_their_digit(student: str) -> int:
        pictures = [
            p for p in graded("lab6_dcgan_cgan")[student]["extra_data"]["pictures"] if p["title"] == CONDITIONAL_TITLE
        ]
        assert len(pictures) == 1, f"{student}: one picture of the conditional samples"
        image = np.asarray(Image.open(io.BytesIO(base64.b64decode(pictures[0]["png"]))))
        tiles = grid_tiles(image, 80, columns=10)[:, None] * 2 - 1
        read = predict(tiles, load_reference_classifier())[0].argmax(axis=1).reshape(8, 10)
        return sum(int(np.bincount(read[:, digit], minlength=10).argmax() == digit) for digit in range(10))

    assert columns_read_as_their_digit(ANSWER_KEY) >= 8, "the answer key's columns show the digits asked for"
    assert columns_read_as_their_digit("carmen") <= 4, "a generator that ignores its label: the columns are mixed"


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
    assert "missing optimizer.zero_grad()" in cnn["caption"], f"the caption says the likely cause: {cnn['caption']}"
    message = next(
        test["output"]
        for test in graded("lab4_mnist")["carla"]["tests"]
        if "CNN" in test["name"] and test["status"] == "failed"
    )
    assert "missing optimizer.zero_grad()" in message, f"so does the failed check's message: {message}"
    gina = next(p for p in graded("lab4_mnist")["gina"]["extra_data"]["pictures"] if "CNN" in p["title"])
    assert "worse than guessing at random" in gina["caption"], f"a learning rate of 0.1: {gina['caption']}"
    assert "Note:" not in "".join(picture["caption"] for picture in pictures["alice"]), "the answer key: no cause"


def test_lab3s_pictures_show_the_answer_keys_loss_curves_and_xor_network_over_the_plane(graded):
    pictures = graded("lab3_backprop")[ANSWER_KEY]["extra_data"].get("pictures", [])
    assert [(picture["title"], picture["grade_cell"]) for picture in pictures] == [
        ("Your network's loss while it trained", "test_train"),
        ("The network train_xor(seed=0) returned, over the plane", "test_train_xor"),
    ], "the loss curves beside the train check, the XOR network beside its check (formgrader: under their cells)"
    from PIL import Image

    curve = np.asarray(Image.open(io.BytesIO(base64.b64decode(pictures[0]["png"]))))
    first, last = (np.flatnonzero(curve[:, column] < 128).min() for column in (44 * 2 + 4, (360 - 70) * 2 - 4))
    assert last > first + 150, f"the answer key's loss falls: its highest line starts at row {first}, ends at {last}"


FEEDBACK_PAGES = [("lab4_mnist", "alice"), ("lab4_mnist", "carla"), ("lab5_gan", "alice"), ("lab5_gan", "paula")]


def test_feedback_pages_show_their_pictures_and_every_checks_reason_in_a_real_browser(graded):
    """Headless Chromium opens lab4's and lab5_gan's feedback pages (the answer key and a broken example each): every
    picture decodes, the page holds no script, and its text gives each check with its reason. Screenshots:
    test-output/screenshots/feedback_<lab>_<student>.png."""
    with open_browser() as browser:
        for lab, student in FEEDBACK_PAGES:
            browser.get("file://" + graded.feedback_page(lab, student))
            screenshot(browser, f"feedback_{lab}_{student}")
            images = browser.execute_script(
                "return Array.from(document.images, image => [image.alt, image.complete, image.naturalWidth]);"
            )
            pictures = graded(lab)[student]["extra_data"].get("pictures", [])
            assert len(images) >= len(pictures) > 0, f"{lab}/{student}: every picture in the page, got {images}"
            undecoded = [alt for alt, complete, width in images if not (complete and width > 0)]
            assert undecoded == [], f"{lab}/{student}: pictures the browser could not decode: {undecoded}"
            assert browser.execute_script("return document.scripts.length;") == 0, f"{lab}/{student}: no script"
            text = browser.find_element("tag name", "body").text
            for test in graded(lab)[student]["tests"]:
                assert test["name"] in text, f"{lab}/{student}: the page names the check {test['name']!r}"
                if test["status"] != "passed":
                    reason = test["extra_data"]["reason"]
                    assert reason in text, f"{lab}/{student}: the page gives {test['name']!r} its reason {reason!r}"
