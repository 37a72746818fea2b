"""The class report's figures: a histogram of each lab's scores and a bar chart of its failed checks, PNG files
beside class_report.md that the Markdown links to. Read back pixel by pixel: the bars must say what the numbers
say."""

import io
import os
import subprocess
import sys

import numpy as np
from conftest import KIT
from PIL import Image

from autograder.course.config import load_config
from autograder.demo.course import make_course
from autograder.outputs.class_charts import (
    FAILED_BAR,
    MAX_CHECKS,
    SCORE_BAR,
    WIDTH,
    failed_checks_png,
    score_bins,
    score_histogram_png,
)
from autograder.outputs.class_report import CheckSummary, format_lab_report, write_class_report
from autograder.outputs.results import write_results
from autograder.results import CheckOutcome, Results

LAB = "lab1_neuron"
HOSTILE_NAME = "step\x1b[31m is 1\x1b]52;c;cHdu\x07 at <b>zero</b> *bold* [x](javascript:1) 测试 \ud800\r\n\x00 end"


def pixels(png: bytes) -> np.ndarray:
    """The PNG as an RGB array, shape (height, width, 3)."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n"), "the chart should be PNG bytes"
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in a 1-d mask, end excluded."""
    padded = np.concatenate([[False], mask, [False]]).astype(int)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def vertical_bars(image: np.ndarray, colour) -> list[tuple[float, int]]:
    """(centre x, height in px) of each bar of `colour`, left to right."""
    heights = np.all(image == colour, axis=2).sum(axis=0)
    return [((start + end - 1) / 2, int(heights[start:end].max())) for start, end in runs(heights > 0)]


def horizontal_bars(image: np.ndarray, colour) -> list[tuple[int, int]]:
    """(left x, length in px) of each bar of `colour`, top to bottom."""
    mask = np.all(image == colour, axis=2)
    bars = []
    for start, end in runs(mask.any(axis=1)):
        columns = np.flatnonzero(mask[start:end].any(axis=0))
        bars.append((int(columns[0]), int(columns[-1] - columns[0] + 1)))
    return bars


def check(name: str, passed: bool, points: float = 5.0, function: str = "") -> CheckOutcome:
    return CheckOutcome(
        name=name,
        check=f"{LAB}/test_checks.py::{function or 'test_' + name.replace(' ', '_')}",
        grade_cell="cell",
        max_score=points,
        passed=passed,
        reason=None if passed else "wrong answer",
        output="" if passed else f"{name}: wrong",
    )


def results(*passed: bool, names=("step is 1 at zero", "sigmoid of 0 is 0.5")) -> Results:
    return Results(LAB, "sha", tuple(check(name, ok) for name, ok in zip(names, passed)), "", 1.0)


def test_a_histogram_bar_counts_the_submissions_at_each_score():
    image = pixels(score_histogram_png([0, 0, 5, 10, 10, 10], 10, LAB))
    bars = vertical_bars(image, SCORE_BAR)
    assert len(bars) == 3, f"three bars (scores 0, 5 and 10), got {bars}"
    (x0, h0), (x5, h5), (x10, h10) = bars
    assert max(bars, key=lambda bar: bar[1]) == (x10, h10), f"the tallest bar should be the one at 10: {bars}"
    assert abs(h0 / h5 - 2) < 0.05 and abs(h10 / h5 - 3) < 0.05, f"bar heights in ratio 2:1:3, got {h0, h5, h10}"
    slot = (x10 - x0) / 10
    assert abs((x5 - x0) / slot - 5) < 0.1, f"one slot per point: the bar at 5 halfway between 0 and 10: {bars}"
    assert image.shape[1] == WIDTH, f"drawn {WIDTH} px wide, got {image.shape[1]}"


def test_a_histogram_has_one_bin_per_point_or_ten_bins_for_large_or_fractional_maxima():
    assert len(score_bins(10)) - 1 == 11, "scores 0..10: one bin per point"
    assert len(score_bins(100)) - 1 == 10, "a 100-point lab: ten bins"
    assert len(score_bins(2.5)) - 1 == 10, "a fractional maximum: ten bins"
    assert score_bins(100)[0] == 0 and score_bins(100)[-1] == 100, "the bins span 0 to the lab's maximum"
    bars = vertical_bars(pixels(score_histogram_png([100, 95, 3, float("nan")], 100, LAB)), SCORE_BAR)
    assert len(bars) == 2 and abs(bars[1][1] / bars[0][1] - 2) < 0.05, (
        f"two bars, the 90-100 one twice as tall as the 0-10 one (NaN left out), got {bars}"
    )


def test_a_histogram_without_scores_or_points_is_still_drawn():
    for scores, max_score in (([], 10), ([0, 0], 0), ([1], float("nan"))):
        image = pixels(score_histogram_png(scores, max_score, LAB))
        assert image.shape == (360, WIDTH, 3), f"a {WIDTH} x 360 chart for scores {scores} of {max_score}"


def test_a_failed_checks_bar_is_as_long_as_the_share_that_failed():
    summaries = [CheckSummary("a", "quarter failed", 5, graded=8, failed=2), CheckSummary("b", "half", 5, 8, 4)]
    image = pixels(failed_checks_png([(s.name, s.failed, s.graded) for s in summaries], f"{LAB}: failed checks"))
    bars = horizontal_bars(image, FAILED_BAR)
    assert len(bars) == 2, f"one bar per failed check, got {bars}"
    (left_first, first), (left_second, second) = bars
    assert left_first == left_second, "the bars start on one axis"
    assert abs(first / second - 2) < 0.02, f"the half-failed check first, twice as long as the quarter: {bars}"


def test_a_failed_checks_chart_leaves_out_passed_checks_and_keeps_the_most_failed():
    failures = [(f"check {index}", index, 20) for index in range(0, 21)]
    bars = horizontal_bars(pixels(failed_checks_png(failures, LAB)), FAILED_BAR)
    assert len(bars) == MAX_CHECKS, f"at most {MAX_CHECKS} bars, the never-failed check none: got {len(bars)}"
    lengths = [length for _, length in bars]
    assert lengths == sorted(lengths, reverse=True), f"most failed first: {lengths}"
    assert abs(lengths[-1] / lengths[0] - 6 / 20) < 0.02, "the 15th most failed (6 of 20) is the last bar"
    assert horizontal_bars(pixels(failed_checks_png([("fine", 0, 5)], LAB)), FAILED_BAR) == [], (
        "a chart of checks nobody failed has no bar"
    )


def test_a_check_name_with_control_characters_and_markup_is_drawn_cut_to_its_column():
    for name in (HOSTILE_NAME, "W" * 5000):
        image = pixels(failed_checks_png([(name, 1, 2)], HOSTILE_NAME))
        ((left, _),) = horizontal_bars(image, FAILED_BAR)
        band = image[40:-60]  # the bar's row, below the title and above the axis
        text = np.flatnonzero((band[:, : left - 1] < 128).all(axis=2).any(axis=0))
        assert text.size, f"the name {name[:20]!r} is drawn left of the bar"
        assert text.max() < left - 6, f"and stays in its column, clear of the bar at x={left}: ends at {text.max()}"
        assert text.min() >= 4, f"cut to fit, not clipped by the picture's left edge: starts at x={text.min()}"
    assert pixels(score_histogram_png([1], 2, HOSTILE_NAME)).shape[1] == WIDTH, "a hostile title is drawn too"


def test_the_lab_report_links_its_figures_and_says_when_no_check_failed():
    figures = [("scores of lab1_neuron", "class report_lab1_neuron_scores.png")]
    report = format_lab_report(LAB, {"alice": results(True, True)}, figures)
    assert "![scores of lab1_neuron](class%20report_lab1_neuron_scores.png)" in report, (
        f"a relative image link, its file name URL-encoded: {report}"
    )
    assert report.index("submissions;") < report.index("![scores"), "the figure comes after the score line"
    assert "no check failed" in report, "a lab nobody failed a check of says so"


def course_with_results(tmp_path, by_lab: dict[str, dict[str, Results]]):
    folder = str(tmp_path / "course")
    make_course(folder)
    settings = load_config(os.path.join(folder, "course_config.py"))
    for lab, by_student in by_lab.items():
        for student, graded in by_student.items():
            write_results(settings.layout.results_path(student, lab), graded)
    return settings


def test_write_class_report_writes_both_figures_of_a_lab_beside_the_report_and_links_them(tmp_path):
    graded = {"alice": results(True, True), "bob": results(False, True), "carol": results(False, False)}
    everyone_passed = {"dave": Results("lab2_ann", "sha", (check("learns", True),), "", 1.0)}
    settings = course_with_results(tmp_path, {LAB: graded, "lab2_ann": everyone_passed})
    out = tmp_path / "export"
    out.mkdir()
    assert write_class_report(settings, str(out / "class_report.md")) == 2, "two labs have graded submissions"

    report = (out / "class_report.md").read_text(encoding="utf-8")
    for link in (
        "![scores of lab1_neuron](class_report_lab1_neuron_scores.png)",
        "![failed checks of lab1_neuron](class_report_lab1_neuron_failed_checks.png)",
        "![scores of lab2_ann](class_report_lab2_ann_scores.png)",
    ):
        assert link in report, f"the report should link {link}: {report}"
    assert "lab2_ann_failed_checks" not in report and "no check failed" in report, (
        "a lab whose checks nobody failed gets no failed-checks chart, and the report says so"
    )
    assert not (out / "class_report_lab2_ann_failed_checks.png").exists(), "nor its file"

    scores = vertical_bars(pixels((out / "class_report_lab1_neuron_scores.png").read_bytes()), SCORE_BAR)
    assert [height for _, height in scores] == [scores[0][1]] * 3, f"one submission each at 0, 5 and 10: {scores}"
    failed = horizontal_bars(pixels((out / "class_report_lab1_neuron_failed_checks.png").read_bytes()), FAILED_BAR)
    assert len(failed) == 2 and abs(failed[0][1] / failed[1][1] - 2) < 0.02, (
        f"'step' failed by 2 of 3, 'sigmoid' by 1 of 3: bars 2:1, got {failed}"
    )


def test_the_report_and_its_charts_never_import_matplotlib():
    code = (
        "import sys\n"
        "from autograder.outputs.class_charts import failed_checks_png, score_histogram_png\n"
        "score_histogram_png([1, 2], 2, 'x'); failed_checks_png([('c', 1, 2)], 'x')\n"
        "import autograder.outputs.class_report\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=KIT, timeout=60)
    assert run.returncode == 0, f"drawing the charts should not import matplotlib: {run.stderr}"
