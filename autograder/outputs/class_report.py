"""The class report: which checks a lab's students fail, how many, why, and with which messages.

Read from the results of a graded class (autograded/<student>/<lab>/results.json, what `grade LAB` writes), so
that an instructor sees, before reading any notebook, the checks that most of the class got wrong and the
message they were shown: a concept to teach again, or a check or a task text to mend. Beside the Markdown, per
lab, two PNG figures it links to (class_charts.py draws them): the histogram of the class's scores, and the
checks failed as bars.

    autograder export --format report [--output class_report.md]
    -> class_report.md, class_report_<lab>_scores.png, class_report_<lab>_failed_checks.png
"""

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from autograder.course.config import Settings
from autograder.outputs.class_charts import failed_checks_png, score_histogram_png
from autograder.outputs.export import graded_folders
from autograder.outputs.inert_output import markdown_text
from autograder.outputs.results import read_results
from autograder.results import Results

MESSAGE_CHARS = 160  # of a failure message, in the report's table


@dataclass
class CheckSummary:
    """One hidden check over the class: `failed` of `graded` submissions lost its `points`."""

    check: str  # its pytest id, e.g. "lab1_neuron/test_step.py::test_step_at_zero"
    name: str  # its description, as the results and the feedback show it
    points: float
    graded: int = 0
    failed: int = 0
    reasons: Counter = field(default_factory=Counter)
    messages: Counter = field(default_factory=Counter)  # the first line of each failure message


def read_class_results(settings: Settings, lab: str) -> dict[str, Results]:
    """{student: results} of every graded submission of `lab` (student folders listed, never globbed; a file
    that does not hold results is left out)."""
    layout = settings.layout
    results = {}
    graded = graded_folders(layout.step_dir(layout.autograded), layout.results_file)
    for student, _ in sorted(found for found in graded if found[1] == lab):
        read = read_results(layout.results_path(student, lab))
        if read is not None:
            results[student] = read
    return results


def summarise(results_by_student: dict[str, Results]) -> list[CheckSummary]:
    """Every check met in the results, most often failed first (ties in the checks' own order)."""
    summaries: dict[str, CheckSummary] = {}
    for results in results_by_student.values():
        for test in results.tests:
            summary = summaries.setdefault(test.check, CheckSummary(test.check, test.name, test.max_score))
            summary.graded += 1
            if not test.passed:
                summary.failed += 1
                summary.reasons[test.reason or "failed"] += 1
                first_line = (test.output or "").strip().splitlines()[:1]
                summary.messages[first_line[0][:MESSAGE_CHARS] if first_line else "(no message)"] += 1
    order = {check: index for index, check in enumerate(summaries)}
    return sorted(summaries.values(), key=lambda summary: (-summary.failed, order[summary.check]))


def score_line(results_by_student: dict[str, Results]) -> str:
    """How the class scored: submissions, mean, full marks and zeros."""
    scores = [(results.score, results.max_score) for results in results_by_student.values()]
    if not scores:
        return "no graded submissions"
    maximum = max(top for _, top in scores)
    mean = sum(score for score, _ in scores) / len(scores)
    full = sum(score == top > 0 for score, top in scores)
    zero = sum(score == 0 for score, _ in scores)
    return (
        f"{len(scores)} submissions; mean {mean:.1f} of {maximum:g} autograded points; {full} full marks, {zero} zero"
    )


def format_lab_report(lab: str, results_by_student: dict[str, Results], figures: Sequence[tuple[str, str]] = ()) -> str:
    """The report of one lab as Markdown: the scores, its `figures` ((alt text, file name relative to the report)
    each), then one row per check; every cell is literal text (the messages carry what students printed)."""
    lines = [f"## {lab}", "", score_line(results_by_student), ""]
    for alt, file_name in figures:
        # an alt text is shown as plain text, emphasis and all: its _ need no escape (lab names are full of them)
        alt_text = markdown_text(alt).replace("\\_", "_")
        lines += [f"![{alt_text}]({quote(file_name)})", ""]
    summaries = summarise(results_by_student)
    if summaries and not any(summary.failed for summary in summaries):
        lines += ["no check failed", ""]
    if summaries:
        lines += ["| check | points | failed | why | most common message |", "| --- | --- | --- | --- | --- |"]
    for summary in summaries:
        share = f"{summary.failed}/{summary.graded} ({summary.failed / summary.graded:.0%})"
        why = ", ".join(f"{reason} {count}" for reason, count in summary.reasons.most_common()) or "-"
        message = summary.messages.most_common(1)[0][0] if summary.messages else "-"
        cells = [summary.name, f"{summary.points:g}", share, why, message]
        lines.append("| " + " | ".join(markdown_text(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def chart_name(stem: str, lab: str, chart: str) -> str:
    """The file name of one of a lab's figures: <stem>_<lab>_<chart>.png, where nothing but letters, digits, _ .
    and - are kept of the lab's name (it is the course's own, but it becomes a path)."""
    return f"{stem}_{re.sub(r'[^A-Za-z0-9_.-]', '_', lab)}_{chart}.png"


def write_lab_charts(lab: str, results_by_student: dict[str, Results], folder: str, stem: str) -> list[tuple[str, str]]:
    """Draw a lab's figures into `folder`: its scores always, its failed checks where one failed; returns (alt
    text, file name) of each, for format_lab_report."""
    scores = [results.score for results in results_by_student.values()]
    max_score = max((results.max_score for results in results_by_student.values()), default=0.0)
    figures = {f"scores of {lab}": (chart_name(stem, lab, "scores"), score_histogram_png(scores, max_score, lab))}
    failed = [(summary.name, summary.failed, summary.graded) for summary in summarise(results_by_student)]
    if any(count for _, count, _ in failed):
        title = f"{lab}: failed checks"
        figures[f"failed checks of {lab}"] = (chart_name(stem, lab, "failed_checks"), failed_checks_png(failed, title))
    for file_name, png in figures.values():
        with open(os.path.join(folder, file_name), "wb") as handle:
            handle.write(png)
    return [(alt, file_name) for alt, (file_name, _) in figures.items()]


def write_class_report(settings: Settings, path: str) -> int:
    """Write the report of every lab with graded submissions to `path`, and its figures beside it
    (<stem>_<lab>_scores.png, <stem>_<lab>_failed_checks.png, stem being the report's file name without its
    extension); returns the number of labs in it."""
    folder = os.path.dirname(os.path.abspath(path))
    stem = os.path.splitext(os.path.basename(path))[0]
    sections = []
    for lab in settings.autograder.labs:
        results = read_class_results(settings, lab)
        if results:
            sections.append(format_lab_report(lab, results, write_lab_charts(lab, results, folder, stem)))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("# Class report: the checks students fail\n\n" + "\n".join(sections))
    return len(sections)
