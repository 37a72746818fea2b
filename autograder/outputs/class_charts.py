"""The class report's figures, as PNG bytes: how a lab's class scored, and which checks it failed.

Drawn with Pillow and NumPy only: the grader never imports matplotlib (see autograder/checks/pictures.py). Every
text drawn passes through `printable_line` first: the check names are the kit's own descriptions, but they reach
here through results.json files, which are treated as data.

Sizes are in pixels, drawn at WIDTH (640) wide with 13-16 px text, so that a figure stays legible when a
Markdown viewer shows it at half or double its size.
"""

import io
import math
from collections.abc import Sequence

import numpy as np

from autograder.outputs.inert_output import printable_line

WIDTH = 640
BACKGROUND = (255, 255, 255)
INK = (20, 20, 20)
GRID = (222, 222, 222)
AXIS = (120, 120, 120)
SCORE_BAR = (52, 101, 164)  # the histogram's bars; tests find them by this colour
FAILED_BAR = (190, 60, 50)  # the failed-checks chart's bars

MAX_INTEGER_BINS = 20  # up to this many points, one bar per point; above it, RANGE_BINS bars
RANGE_BINS = 10
MAX_CHECKS = 15  # bars in the failed-checks chart; the report's table lists every check
TEXT_CHARS = 300  # of any label, before it is measured: a name of megabytes is not measured whole


def _font(size: int):
    """Pillow's own font at `size` px (Aileron, through FreeType); its bitmap font where FreeType is missing."""
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError):
        return ImageFont.load_default()


def _label(text: str, font) -> str:
    """`text` as one line that `font` can draw: no control characters, no lone surrogates (JSON allows them and
    FreeType refuses them), and only Latin-1 for the bitmap font."""
    from PIL import ImageFont

    line = printable_line(str(text)[:TEXT_CHARS]).encode("utf-8", "replace").decode("utf-8")
    if not isinstance(font, ImageFont.FreeTypeFont):
        line = line.encode("latin-1", "replace").decode("latin-1")
    return line


def _fit(text: str, font, width: float) -> str:
    """`text` cut to at most `width` px in `font`, ending in "..." where cut."""
    text = _label(text, font)
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _canvas(height: int, title: str):
    """A white WIDTH x `height` RGB image with `title` centred on top; returns (image, draw)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = _font(16)
    text = _fit(title, font, WIDTH - 20)
    draw.text(((WIDTH - font.getlength(text)) / 2, 10), text, fill=INK, font=font)
    return image, draw


def _vertical_text(image, text: str, font, centre: tuple[float, float]) -> None:
    """Draw `text` rotated a quarter turn (read bottom to top), centred on `centre` (x, y in px)."""
    from PIL import Image, ImageDraw

    width = math.ceil(font.getlength(text)) + 4
    strip = Image.new("RGB", (width, 20), BACKGROUND)
    ImageDraw.Draw(strip).text((2, 2), text, fill=INK, font=font)
    turned = strip.rotate(90, expand=True)
    image.paste(turned, (round(centre[0] - turned.width / 2), round(centre[1] - turned.height / 2)))


def _count_step(highest: int) -> int:
    """A step of 1, 2 or 5 times a power of ten that divides 0..`highest` submissions into at most 5 ticks."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if highest / (step * factor) <= 5:
                return step * factor
        step *= 10


def score_bins(max_score: float) -> np.ndarray:
    """The histogram's bin edges, in points, shape (bins + 1,): one bin per point centred on it (-0.5, 0.5, ...,
    max + 0.5) when `max_score` is a whole number of at most MAX_INTEGER_BINS, else RANGE_BINS equal bins over
    [0, max_score]. A max that is not a positive number gives one bin around 0."""
    top = float(max_score) if np.isfinite(max_score) and max_score > 0 else 0.0
    if top == int(top) and top <= MAX_INTEGER_BINS:
        return np.arange(int(top) + 2, dtype=float) - 0.5
    return np.linspace(0.0, top, RANGE_BINS + 1)


def score_counts(scores: Sequence[float], max_score: float) -> tuple[np.ndarray, np.ndarray]:
    """(edges, counts): score_bins(max_score), and how many of `scores` (points) fall in each bin, shape (bins,);
    scores outside the bins count in the nearest one, and scores that are not numbers are left out."""
    edges = score_bins(max_score)
    values = np.asarray([score for score in scores if np.isfinite(score)], dtype=float)
    counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)
    return edges, counts


def score_histogram_png(scores: Sequence[float], max_score: float, title: str) -> bytes:
    """A histogram of a class's autograded scores as PNG, WIDTH x 360 px: x, the score bins from 0 to `max_score`
    points (score_bins); y, the number of submissions in each, its count above each bar; `title` on top."""
    edges, counts = score_counts(scores, max_score)
    height = 360
    left, right, top, bottom = 64, 20, 56, 64  # margins: the title, the tick labels and the axis labels
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    image, draw = _canvas(height, title)
    small, label = _font(13), _font(14)

    step = _count_step(max(int(counts.max()), 1))
    axis_top = step * math.ceil(max(int(counts.max()), 1) / step)
    for tick in range(0, axis_top + 1, step):
        y = top + plot_height * (1 - tick / axis_top)
        draw.line((left, y, left + plot_width, y), fill=GRID if tick else AXIS)
        text = str(tick)
        draw.text((left - 8 - small.getlength(text), y - 8), text, fill=INK, font=small)

    slot = plot_width / len(counts)
    gap = max(1.0, slot * 0.12)
    for index, count in enumerate(counts):
        x0, x1 = left + index * slot + gap, left + (index + 1) * slot - gap
        if count:
            y = top + plot_height * (1 - count / axis_top)
            draw.rectangle((round(x0), round(y), round(x1) - 1, top + plot_height - 1), fill=SCORE_BAR)
            text = str(int(count))
            draw.text(((x0 + x1 - small.getlength(text)) / 2, y - 17), text, fill=INK, font=small)

    whole_points = edges[0] < 0  # one bin per point: a label under each bar, else one under each edge
    ticks = [(left + (index + 0.5) * slot, edges[index] + 0.5) for index in range(len(counts))] if whole_points else []
    ticks = ticks or [(left + index * slot, edge) for index, edge in enumerate(edges)]
    for x, value in ticks:
        text = f"{round(value, 2):g}"
        draw.line((x, top + plot_height, x, top + plot_height + 4), fill=AXIS)
        draw.text((x - small.getlength(text) / 2, top + plot_height + 6), text, fill=INK, font=small)

    top_points = edges[-1] - 0.5 if whole_points else edges[-1]
    x_label = f"autograded score (of {top_points:g} points)"
    draw.text((left + (plot_width - label.getlength(x_label)) / 2, height - 26), x_label, fill=INK, font=label)
    _vertical_text(image, "submissions", label, (16, top + plot_height / 2))
    if not counts.any():
        note = "no graded submissions"
        draw.text((left + (plot_width - label.getlength(note)) / 2, top + plot_height / 2), note, fill=INK, font=label)
    return _png(image)


def failed_checks_png(failures: Sequence[tuple[str, int, int]], title: str) -> bytes:
    """The checks a class failed as a horizontal bar chart PNG, WIDTH px wide, 26 px a bar.

    `failures`: (check name, submissions that failed it, submissions graded on it) per check. One bar per check
    failed at least once, the largest share first (ties in the given order), at most MAX_CHECKS of them: its
    length is failed / graded on a 0-100% axis, its name (cut to fit) on its left, "failed/graded" on its right.
    With no failed check it says so instead."""
    failed = [(name, count, graded) for name, count, graded in failures if count > 0 and graded > 0]
    failed.sort(key=lambda entry: -entry[1] / entry[2])
    shown, more = failed[:MAX_CHECKS], len(failed) - MAX_CHECKS
    row, bar = 26, 16
    name_right, bar_left, bar_right = 296, 306, WIDTH - 76  # columns: names, bars, counts
    top = 48
    height = top + row * max(len(shown), 1) + 56 + (18 if more > 0 else 0)
    image, draw = _canvas(height, title)
    small, label = _font(13), _font(14)
    plot_bottom = top + row * max(len(shown), 1)

    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = bar_left + tick * (bar_right - bar_left)
        draw.line((x, top - 4, x, plot_bottom), fill=GRID if tick else AXIS)
        text = f"{tick:.0%}"
        draw.text((x - small.getlength(text) / 2, plot_bottom + 4), text, fill=INK, font=small)
    axis_label = "share of graded submissions that failed the check"
    draw.text(
        (bar_left + (bar_right - bar_left - label.getlength(axis_label)) / 2, plot_bottom + 24),
        axis_label,
        fill=INK,
        font=label,
    )

    for index, (name, count, graded) in enumerate(shown):
        y = top + index * row + (row - bar) / 2
        share = min(count / graded, 1.0)
        length = round(share * (bar_right - bar_left))
        if length:
            draw.rectangle((bar_left, round(y), bar_left + length - 1, round(y) + bar - 1), fill=FAILED_BAR)
        text = _fit(name, small, name_right - 8)
        draw.text((name_right - small.getlength(text), y), text, fill=INK, font=small)
        draw.text((bar_left + length + 6, y), f"{count}/{graded}", fill=INK, font=small)
    if not shown:
        note = "no check failed"
        draw.text((bar_left + 8, top + 4), note, fill=INK, font=label)
    if more > 0:
        note = f"and {more} more failed checks (see the table)"
        draw.text((8, height - 22), note, fill=INK, font=small)
    return _png(image)
