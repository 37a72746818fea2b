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

    def add(
        self, title: str, png: bytes, caption: str = "", grade_cell: str | None = None, check: str | None = None
    ) -> None:
        """Keep a picture. One drawn again under the same title and grade cell (the checks that share a measure,
        or a check's data computed again after its kernel died) replaces it in place: it stays beside the check
        that drew it first."""
        encoded = base64.b64encode(png).decode("ascii")
        for index, kept in enumerate(self.pictures):
            if (kept.title, kept.grade_cell) == (title, grade_cell):
                self.pictures[index] = Picture(title, caption, encoded, grade_cell, kept.check)
                return
        self.pictures.append(Picture(title, caption, encoded, grade_cell, check))


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


def curve_png(series: dict[str, list[float]], x_label: str, y_label: str, width: int = 360, height: int = 220) -> bytes:
    """Line charts of one or more series on shared axes as PNG: each series (values in any units) is drawn against
    its index 1, 2, ..., len, from 0 up to the largest value; its name is written at its last point. Up to three
    series, told apart by their grey (black, dark grey, light grey)."""
    from PIL import Image, ImageDraw

    left, right, top, bottom = 44, 70, 12, 30  # margins, in pixels: room for the labels
    longest = max(len(values) for values in series.values())
    highest = max((max(values) for values in series.values() if len(values)), default=1.0)
    highest = highest if np.isfinite(highest) and highest > 0 else 1.0
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    plot_width, plot_height = width - left - right, height - top - bottom
    draw.rectangle((left, top, left + plot_width, top + plot_height), outline=160)
    draw.text((2, top), f"{highest:.3g}", fill=0)
    draw.text((2, top + plot_height - 10), "0", fill=0)
    draw.text((left, top + plot_height + 4), "1", fill=0)
    draw.text((left + plot_width - 24, top + plot_height + 4), str(longest), fill=0)
    draw.text((left + plot_width // 2 - 3 * len(x_label), top + plot_height + 14), x_label, fill=0)
    draw.text((left + 4, top + 2), y_label, fill=90)

    def position(index: int, value: float) -> tuple[float, float]:
        share = index / max(longest - 1, 1)
        level = min(max(value / highest, 0.0), 1.0) if np.isfinite(value) else 1.0
        return left + share * plot_width, top + (1 - level) * plot_height

    for (name, values), shade in zip(series.items(), (0, 90, 170), strict=False):
        points = [position(index, value) for index, value in enumerate(values)]
        if len(points) > 1:
            draw.line(points, fill=shade, width=2)
        if points:
            x, y = points[-1]
            draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=shade)
            draw.text((x + 5, y - 5), name, fill=shade)
    return png(np.asarray(image), scale=2)


def truth_table_png(header: list[str], rows: list[list[object]], wrong: list[bool]) -> bytes:
    """A table as PNG: `header` and `rows` of the same width as text cells, each row whose `wrong` is True drawn
    white on black (the rows a check found wrong)."""
    from PIL import Image, ImageDraw

    cell_width, cell_height = 70, 20
    image = Image.new("L", (cell_width * len(header) + 1, cell_height * (len(rows) + 1) + 1), 255)
    draw = ImageDraw.Draw(image)
    for row_index, (cells, is_wrong) in enumerate([(header, False), *zip(rows, wrong, strict=True)]):
        top = row_index * cell_height
        if is_wrong:
            draw.rectangle((0, top, cell_width * len(header), top + cell_height), fill=0)
        for column, text in enumerate(cells):
            left = column * cell_width
            draw.rectangle((left, top, left + cell_width, top + cell_height), outline=160)
            draw.text((left + 6, top + 5), str(text)[:11], fill=255 if is_wrong else 0)
    return png(np.asarray(image), scale=2)
