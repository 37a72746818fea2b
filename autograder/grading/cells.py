"""What nbgrader's cell metadata says about a cell (nbgrader's own conventions, read defensively)."""


def nbgrader_metadata(cell) -> dict:
    data = cell.get("metadata", {}).get("nbgrader", {})
    return data if isinstance(data, dict) else {}


def grade_id(cell) -> str | None:
    value = nbgrader_metadata(cell).get("grade_id")
    return value if isinstance(value, str) else None


def is_solution(cell) -> bool:
    return nbgrader_metadata(cell).get("solution") is True


def is_grade(cell) -> bool:
    return nbgrader_metadata(cell).get("grade") is True


def is_locked(cell) -> bool:
    """Read-only for students: locked cells, and grade cells that are not answers (the public tests)."""
    data = nbgrader_metadata(cell)
    return data.get("locked") is True or (is_grade(cell) and not is_solution(cell))


def is_public_test(cell) -> bool:
    return cell.get("cell_type") == "code" and is_grade(cell) and not is_solution(cell)


def is_manual(cell) -> bool:
    """A written answer graded by a person in formgrader."""
    return cell.get("cell_type") == "markdown" and is_grade(cell) and is_solution(cell)


def points(cell) -> float:
    value = nbgrader_metadata(cell).get("points", 0)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0
