"""The pictures checks draw for the feedback (autograder/checks/pictures.py) show what they were given."""

import io

import numpy as np
from PIL import Image

from autograder.checks.pictures import (
    PictureBook,
    confusion_png,
    curve_png,
    decision_png,
    digits_png,
    grid_tiles,
    truth_table_png,
)


def decoded(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def test_a_picture_grid_reads_back_as_the_images_it_shows():
    images = np.random.default_rng(0).random((64, 1, 28, 28))
    shown = decoded(digits_png(images, np.zeros((64, 28, 28))))
    assert shown.shape == (484, 1000), f"two 8 x 8 grids of 28-pixel digits, doubled, side by side: {shown.shape}"
    error = np.abs(grid_tiles(shown, 64) - images.reshape(64, 28, 28)).max()
    assert error <= 0.5 / 255 + 1e-6, f"each tile is its image to the nearest grey level, off by {error}"


def test_a_confusion_picture_is_dark_where_the_answers_went():
    true = np.repeat(np.arange(10), 10)
    predicted = true.copy()
    predicted[true == 3] = 5  # every 3 called a 5
    shown = decoded(confusion_png(true, predicted, cell=28, scale=1))

    def shade(row, column):  # the middle of the cell of true class `row`, answer `column`
        return int(shown[28 + row * 28 + 14, 28 + column * 28 + 14])

    assert shade(0, 0) == 0 and shade(9, 9) == 0, "a class always right is black on the diagonal"
    assert shade(3, 3) == 255 and shade(3, 5) == 0, "a class always called another is white there, black where it went"
    assert shade(0, 1) == 255, "an answer never given is white"


def test_a_picture_drawn_again_replaces_the_first_and_stays_beside_the_check_that_drew_it_first():
    book = PictureBook()
    book.add("samples", b"first", "", "cell", "test_a.py::test_first")
    book.add("samples", b"other cell", "", "other", "test_b.py::test_other")
    book.add("samples", b"again", "", "cell", "test_a.py::test_second")
    assert [(p.grade_cell, p.png, p.check) for p in book.pictures] == [
        ("cell", "YWdhaW4=", "test_a.py::test_first"),
        ("other", "b3RoZXIgY2VsbA==", "test_b.py::test_other"),
    ], "the picture drawn again replaces the first in its place, with the first check's id"


def test_a_decision_picture_is_light_where_the_classifier_says_0_and_marks_the_inputs_by_their_label():
    points, labels = np.array([[0.0, 0.0], [1.0, 1.0]]), [0, 1]
    shown = decoded(decision_png(lambda xy: (xy[:, 0] > 0.5).astype(float), points, labels, size=200))

    def pixel(x, y):  # the picture's pixel at input (x, y), over [-0.5, 1.5]^2, doubled
        return int(shown[round((1.5 - y) / 2 * 199) * 2, round((x + 0.5) / 2 * 199) * 2])

    assert pixel(0.0, 1.0) == 255 and pixel(1.0, 0.0) == 102, "white where it says 0, grey (40 %) where it says 1"
    assert pixel(0.5, 0.25) == 0 or pixel(0.51, 0.25) == 0, "the black boundary where it crosses 0.5"
    assert pixel(0.0, 0.0) == 255 and pixel(1.0, 1.0) == 0, "a white square for label 0, a black one for label 1"


def dark_rows(shown: np.ndarray, column: int) -> np.ndarray:
    """The rows where the picture's column `column` is darker than mid grey."""
    return np.flatnonzero(shown[:, column] < 128)


def test_a_loss_curve_falls_where_its_series_falls_and_a_flat_series_stays_level():
    falling, flat = [1.0, 0.8, 0.6, 0.4, 0.2, 0.1], [0.5] * 6
    shown = decoded(curve_png({"falling": falling}, "epoch", "loss", width=360, height=220))
    left_edge, right_edge = 44 * 2 + 4, (360 - 70) * 2 - 4  # inside the plot, past its frame, doubled
    top_at_start, top_at_end = dark_rows(shown, left_edge).min(), dark_rows(shown, right_edge).min()
    assert top_at_end > top_at_start + 100, f"the line ends lower than it starts: rows {top_at_start}, {top_at_end}"
    shown = decoded(curve_png({"flat": flat, "top": [1.0] * 6}, "epoch", "loss"))
    assert abs(int(dark_rows(shown, 200).max()) - int(dark_rows(shown, 500).max())) <= 2, "a flat series is level"


def test_a_curve_of_nan_or_empty_series_is_still_drawn():
    assert decoded(curve_png({"nan": [float("nan"), 1.0], "empty": []}, "epoch", "loss")).shape == (440, 720)


def test_a_truth_table_draws_its_wrong_rows_white_on_black():
    shown = decoded(truth_table_png(["x1", "x2", "xor"], [[0, 0, 0], [0, 1, 0]], [False, True]))
    assert shown.shape == (2 * 61, 2 * 211), f"three rows of 20 pixels, three columns of 70, doubled: {shown.shape}"
    middle = lambda row: np.median(shown[2 * (row * 20 + 10), 2 * 5 : 2 * 200])  # noqa: E731
    assert middle(1) == 255 and middle(2) == 0, "a right row stays white, a wrong one is black"
