"""Pictures of what a student's code did, drawn in the grader from data the checks already hold.

The one mechanism a lab uses to add a picture to its feedback: a check (or a helper it calls) takes the
`picture` fixture and hands it a title, a PNG and a caption:

    def test_samples_are_recognisable_digits(sub, picture, ...):
        picture("Your generator's samples", digits_png(samples, real), "Inception Score 4.6 (at least 4.0)")

The picture belongs to the check's grade cell: the feedback page shows it, and formgrader shows it under that
cell's verdicts in the autograded notebook. Nothing is drawn in the student's kernel, and only PNG bytes made
here reach the page. The drawing helpers below use NumPy and Pillow only (no matplotlib: a grader that never
draws a figure never imports it).
"""

import base64
import io
from dataclasses import dataclass, field

import numpy as np

from autograder.results import Picture


@dataclass
class PictureBook:
    """The pictures drawn while one submission is graded, in the order the checks drew them."""

    pictures: list[Picture] = field(default_factory=list)

    def add(self, title: str, png: bytes, caption: str = "", grade_cell: str | None = None) -> None:
        """Keep a picture; one drawn again (a check's data computed again after its kernel died) replaces it."""
        self.pictures[:] = [p for p in self.pictures if (p.title, p.grade_cell) != (title, grade_cell)]
        self.pictures.append(Picture(title, caption, base64.b64encode(png).decode("ascii"), grade_cell))


def digit_grid(images, columns: int = 8, gap: int = 2) -> np.ndarray:
    """Images (N, 28, 28) or (N, 1, 28, 28) with values in [0, 1] as one uint8 grey image, `columns` wide, with
    grey gaps of `gap` pixels between them (shape (rows * (28 + gap) + gap, columns * (28 + gap) + gap))."""
    images = np.clip(np.asarray(images, dtype=np.float32).reshape(-1, 28, 28), 0.0, 1.0)
    rows = -(-len(images) // columns)
    side = 28 + gap
    grid = np.full((rows * side + gap, columns * side + gap), 0.5, dtype=np.float32)
    for index, image in enumerate(images):
        top, left = gap + (index // columns) * side, gap + (index % columns) * side
        grid[top : top + 28, left : left + 28] = image
    return (grid * 255).round().astype(np.uint8)


def side_by_side(*grids: np.ndarray, gap: int = 16) -> np.ndarray:
    """uint8 grey images of the same height placed left to right, white between them."""
    height = max(grid.shape[0] for grid in grids)
    parts = []
    for index, grid in enumerate(grids):
        parts.append(np.pad(grid, ((0, height - grid.shape[0]), (0, 0)), constant_values=255))
        if index < len(grids) - 1:
            parts.append(np.full((height, gap), 255, dtype=np.uint8))
    return np.concatenate(parts, axis=1)


def png(image: np.ndarray, scale: int = 2) -> bytes:
    """A uint8 grey image as PNG bytes, each pixel drawn as a `scale` x `scale` square (sharp, not smoothed)."""
    from PIL import Image

    enlarged = np.kron(image, np.ones((scale, scale), dtype=np.uint8)) if scale > 1 else image
    buffer = io.BytesIO()
    Image.fromarray(enlarged, mode="L").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def digits_png(samples, real, count: int = 64) -> bytes:
    """`count` samples beside `count` real digits, two 8-column grids, as PNG; both in [0, 1]."""
    return png(side_by_side(digit_grid(np.asarray(samples)[:count]), digit_grid(np.asarray(real)[:count])))


def grid_tiles(image: np.ndarray, count: int, columns: int = 8, gap: int = 2, scale: int = 2) -> np.ndarray:
    """The first `count` 28 x 28 tiles of a grid that digit_grid drew and png enlarged, back as floats in [0, 1]
    (N, 28, 28): what a picture shows, for a test that reads it."""
    image = np.asarray(image)[::scale, ::scale].astype(np.float32) / 255
    side = 28 + gap
    tiles = [
        image[gap + (index // columns) * side : gap + (index // columns) * side + 28, gap + (index % columns) * side :][
            :, :28
        ]
        for index in range(count)
    ]
    return np.stack(tiles)


def confusion_png(true_labels, predicted, classes: int = 10, cell: int = 28, scale: int = 2) -> bytes:
    """A confusion matrix as PNG: row i, column j is dark in proportion to the share of the digits i that were
    called j (white: none, black: all); the diagonal is what was right. Digits label the rows and columns."""
    from PIL import Image, ImageDraw

    counts = np.zeros((classes, classes))
    np.add.at(counts, (np.asarray(true_labels, dtype=int), np.asarray(predicted, dtype=int)), 1)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    margin = cell
    image = Image.new("L", (margin + classes * cell + 1, margin + classes * cell + 1), 255)
    draw = ImageDraw.Draw(image)
    for row in range(classes):
        draw.text((margin // 3, margin + row * cell + cell // 3), str(row), fill=0)
        draw.text((margin + row * cell + cell // 3, margin // 3), str(row), fill=0)
        for column in range(classes):
            left, top = margin + column * cell, margin + row * cell
            shade = int(round(255 * (1 - shares[row, column])))
            draw.rectangle((left, top, left + cell, top + cell), fill=shade, outline=200)
    return png(np.asarray(image), scale=scale)


def decision_png(predict, points, labels, low: float = -0.5, high: float = 1.5, size: int = 200) -> bytes:
    """A 2-input classifier over the square [low, high]^2 as PNG: `predict` maps points (N, 2) to outputs (N,) in
    [0, 1]; light where it says 0, darker towards 1, black where it crosses 0.5 (its decision boundary); each of
    `points` (M, 2) a square, filled black where its label is 1, white where it is 0. Up is the second input."""
    from PIL import Image, ImageDraw

    axis = np.linspace(low, high, size)
    first, second = np.meshgrid(axis, axis[::-1])  # row 0 is the top: the second input at its highest
    outputs = np.asarray(predict(np.column_stack([first.ravel(), second.ravel()])), dtype=float).reshape(size, size)
    above = outputs >= 0.5
    boundary = np.zeros_like(above)
    boundary[:, 1:] |= above[:, 1:] != above[:, :-1]
    boundary[1:, :] |= above[1:, :] != above[:-1, :]
    shades = np.where(boundary, 0, 255 * (1 - 0.6 * np.clip(outputs, 0, 1))).round().astype(np.uint8)
    image = Image.fromarray(shades, mode="L")
    draw = ImageDraw.Draw(image)
    for (x, y), label in zip(np.asarray(points, dtype=float), labels, strict=True):
        column = (x - low) / (high - low) * (size - 1)
        row = (high - y) / (high - low) * (size - 1)
        draw.rectangle((column - 5, row - 5, column + 5, row + 5), fill=0 if label else 255, outline=0)
    return png(np.asarray(image), scale=2)
