"""A submission's results in Gradescope's results.json format, written atomically, and printed as a table.

Top level: score, max_score, execution_time, output, tests; extra_data holds the lab, the notebook's sha256,
the device, each failing check's reason, the cells that failed or were restored, and the manual points left
for a person. A failed check's output is its message, never its code.
"""
import json
import os
import tempfile

from autograder.grading.check_runner import CheckResult
from autograder.errors import ERROR
from autograder.grading.notebook_runner import CellReport

VISIBLE = "visible"


def test_entry(check: CheckResult) -> dict:
    entry = {
        "name": check.name,
        "score": check.points if check.passed else 0.0,
        "max_score": check.points,
        "status": "passed" if check.passed else "failed",
        "output": "" if check.passed else check.message,
        "visibility": VISIBLE,
        "extra_data": {"check": check.nodeid, "grade_cell": check.grade_cell, "seconds": round(check.seconds, 3)},
    }
    if not check.passed:
        entry["extra_data"]["reason"] = check.reason
    return entry


def build_results(lab, sha256, checks, cell_reports, notes, device, seconds, manual_max_score, sandboxed=False, restarts=0) -> dict:
    tests = [test_entry(check) for check in checks]
    failed_cells = [report for report in cell_reports if report.status != "ok"]
    return {
        "score": sum(test["score"] for test in tests),
        "max_score": sum(test["max_score"] for test in tests),
        "execution_time": round(seconds, 3),
        "output": summary_text(notes, failed_cells),
        "tests": tests,
        "extra_data": {
            "lab": lab,
            "notebook_sha256": sha256,
            "device": device,
            "sandboxed": sandboxed,
            "kernel_restarts": restarts,
            "failures": {test["name"]: test["extra_data"]["reason"] for test in tests if test["status"] == "failed"},
            "restored": notes,
            "cells": [vars(report) for report in failed_cells],
            "manual_max_score": manual_max_score,
        },
    }


def rejected_results(lab, sha256, message, checks, seconds, manual_max_score) -> dict:
    """Results of a file that could not be graded: every check failed, and the output says why."""
    for check in checks:
        check.passed, check.reason, check.message = False, ERROR, "the notebook could not be graded: " + message
    results = build_results(lab, sha256, checks, [], [], "none", seconds, manual_max_score)
    results["output"] = "This submission could not be graded: " + message
    results["extra_data"]["rejected"] = message
    return results


def summary_text(notes: list[str], failed_cells: list[CellReport]) -> str:
    lines = [f"Note: {note}." for note in notes]
    for report in failed_cells:
        where = f"cell '{report.grade_id}'" if report.grade_id else f"cell {report.index + 1}"
        last_line = report.message.strip().splitlines()[-1] if report.message.strip() else ""
        lines.append(f"{where} of your notebook ended with {report.status}" + (f": {last_line}" if last_line else ""))
    return "\n".join(lines)


def write_results(path: str, results: dict) -> None:
    """Write atomically: a reader (or a resumed batch) sees the old file or the new one, never half of one."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False, encoding="utf-8") as handle:
        json.dump(results, handle, indent=1)
        temporary = handle.name
    os.replace(temporary, path)


def read_results(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def format_table(results: dict) -> str:
    """The checks as an aligned text table, then the total; printable (the notes quote the student's grade ids
    and tracebacks, which must not drive the terminal)."""
    from autograder.outputs.inert_output import printable, printable_line

    rows = [
        (printable_line(test["name"]), f"{test['score']:g}/{test['max_score']:g}", printable_line(test.get("extra_data", {}).get("reason", "passed")))
        for test in results["tests"]
    ]
    width = max([len(name) for name, _, _ in rows] + [5])
    lines = [f"{'check':<{width}}  {'points':>7}  result", "-" * (width + 25)]
    lines += [f"{name:<{width}}  {points:>7}  {status}" for name, points, status in rows]
    manual = results["extra_data"].get("manual_max_score", 0)
    lines.append("-" * (width + 25))
    total = f"{results['score']:g}/{results['max_score']:g}"
    lines.append(f"{'autograded total':<{width}}  {total:>7}" + (f"  (+{manual:g} graded by hand)" if manual else ""))
    if results.get("output"):
        lines += ["", printable(results["output"])]
    return "\n".join(lines)
