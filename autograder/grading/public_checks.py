"""A lab's public checks as released: what `autograder release` writes beside the student's notebook, and reads back.

The public checks are the notebook's public test cells (nbgrader's locked grade cells with points). At release,
each becomes an entry of the lab's `lab_check.py` (autograder/grading/lab_check.py with the entries written in):
its test cell's grade id ("test_activations"), its exercise (the grade id of the answer cell before it:
"activations"; a test cell with no answer cell before it is its own exercise), its points and its source. The
released notebook's metadata names its lab and the limits its cells run under, so that `autograder check` needs
no course: {"autograder": {"lab": "lab1_neuron", "limits": {"cell_timeout": 10.0, ...}}}.

The hidden checks (grading_tests/) never enter either.
"""

import ast
import json
import os

from autograder.grading import lab_check
from autograder.grading.cells import grade_id, is_public_test, is_solution, points

HELPER_NAME = "lab_check.py"
METADATA_KEY = "autograder"
STAMPED_LIMITS = ("cell_timeout", "submission_timeout")  # what a lab's cells need that the defaults may not give
DATA_LINE = 'PUBLIC_CHECKS_JSON = "{}"  # written by `autograder release`'
MAX_HELPER_BYTES = 4 * 2**20


def public_checks_of(nb) -> list[dict]:
    """The notebook's public test cells, each with the exercise it checks, in the notebook's order."""
    checks, exercise = [], None
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "code" and is_solution(cell):
            exercise = grade_id(cell)
        elif is_public_test(cell):
            test = grade_id(cell) or f"cell {index + 1}"
            checks.append(
                {
                    "test": test,
                    "exercise": exercise or lab_check.short_name(test),
                    "points": points(cell),
                    "source": cell.get("source", ""),
                }
            )
    return checks


def helper_source(lab: str, checks: list[dict]) -> str:
    """The text of a lab's lab_check.py: the template with the lab's public checks written in (ASCII JSON without
    a quote character, inside a raw string)."""
    template = open(lab_check.__file__, encoding="utf-8").read()
    if DATA_LINE not in template:
        raise RuntimeError(f"{lab_check.__file__} lost its line {DATA_LINE!r}")
    data = json.dumps({"lab": lab, "checks": checks}, ensure_ascii=True, indent=1).replace("'", "\\u0027")
    return template.replace(DATA_LINE, f"PUBLIC_CHECKS_JSON = r'''\n{data}\n'''  # written by `autograder release`")


def read_helper(path: str) -> dict | None:
    """The lab and public checks a lab_check.py holds, read without running it; None if it holds none (missing,
    too large, not written by release, damaged)."""
    try:
        if os.path.getsize(path) > MAX_HELPER_BYTES:
            return None
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["PUBLIC_CHECKS_JSON"]:
            try:
                data = json.loads(ast.literal_eval(node.value))
            except (ValueError, TypeError, SyntaxError):
                return None
            return data if valid(data) else None
    return None


def valid(data) -> bool:
    """Whether `data` is a lab_check.py's public checks, as release writes them (and with at least one)."""
    fields = {"test": str, "exercise": str, "source": str}
    return (
        isinstance(data, dict)
        and isinstance(data.get("lab"), str)
        and isinstance(data.get("checks"), list)
        and len(data["checks"]) > 0
        and all(
            isinstance(one, dict) and all(isinstance(one.get(name), kind) for name, kind in fields.items())
            for one in data["checks"]
        )
    )


def stamp(nb, lab: str, limits: dict) -> None:
    """Write the lab's name and its cells' limits into the released notebook's metadata."""
    nb.metadata[METADATA_KEY] = {"lab": lab, "limits": {name: limits[name] for name in STAMPED_LIMITS}}


def stamped(nb) -> dict:
    """What release wrote into the notebook's metadata: {"lab": str, "limits": {name: seconds}}, checked, or {}."""
    data = nb.get("metadata", {}).get(METADATA_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("lab"), str) or not data["lab"]:
        return {}
    limits = data.get("limits") if isinstance(data.get("limits"), dict) else {}
    return {
        "lab": data["lab"],
        "limits": {
            name: float(value)
            for name, value in limits.items()
            if name in STAMPED_LIMITS and isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        },
    }
