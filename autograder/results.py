"""One submission's results, typed: what grading produces and every writer takes (results.json, the gradebook,
the feedback page, the exports, the class report). Imports nothing else of the package.

On disk it is Gradescope's results.json format (`to_json` / `from_json`): top level score, max_score,
execution_time, output, tests; extra_data holds the lab, the notebook's sha256, the device, each failing check's
reason, the cells that failed or were restored, and the manual points left for a person. A failed check's output
is its message, never its code. Reasons: timeout, memory, kernel died, output limit, error, wrong answer,
not attempted (errors.py).
"""

from dataclasses import dataclass, field, replace

PASSED, FAILED = "passed", "failed"
VISIBLE = "visible"


@dataclass(frozen=True)
class CheckOutcome:
    """One hidden check's verdict; points are out of `max_score`."""

    name: str  # its description, as the student reads it
    check: str  # pytest's node id
    grade_cell: str | None  # the nbgrader grade cell whose points it carries
    max_score: float
    passed: bool
    reason: str | None = None  # why it failed; None when passed
    output: str = ""  # the message the student reads when it failed
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return self.max_score if self.passed else 0.0

    def to_json(self) -> dict:
        entry = {
            "name": self.name,
            "score": self.score,
            "max_score": self.max_score,
            "status": PASSED if self.passed else FAILED,
            "output": "" if self.passed else self.output,
            "visibility": VISIBLE,
            "extra_data": {"check": self.check, "grade_cell": self.grade_cell, "seconds": round(self.seconds, 3)},
        }
        if not self.passed:
            entry["extra_data"]["reason"] = self.reason
        return entry

    @classmethod
    def from_json(cls, entry: dict) -> "CheckOutcome":
        extra = entry.get("extra_data", {})
        return cls(
            name=entry["name"],
            check=extra.get("check", entry["name"]),
            grade_cell=extra.get("grade_cell"),
            max_score=entry["max_score"],
            passed=entry["status"] == PASSED,
            reason=extra.get("reason"),
            output=entry.get("output", ""),
            seconds=extra.get("seconds", 0.0),
        )


@dataclass(frozen=True)
class CellFailure:
    """A notebook cell that did not run cleanly: `status` is its failure reason; index counts from 0."""

    index: int
    grade_id: str | None
    status: str
    message: str = ""

    def where(self) -> str:
        return f"cell '{self.grade_id}'" if self.grade_id else f"cell {self.index + 1}"


@dataclass(frozen=True)
class Picture:
    """A picture of what the student's code did, drawn in the grader from data a check computed (never in the
    kernel): shown in the feedback and, in formgrader, under its grade cell's verdicts."""

    title: str
    caption: str
    png: str  # the PNG's bytes, base64
    grade_cell: str | None = None
    check: str | None = None  # the pytest id of the check that drew it (CheckOutcome.check): shown beside it

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "caption": self.caption,
            "png": self.png,
            "grade_cell": self.grade_cell,
            "check": self.check,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Picture":
        return cls(
            str(data["title"]), str(data["caption"]), str(data["png"]), data.get("grade_cell"), data.get("check")
        )


@dataclass(frozen=True)
class Fingerprint:
    """sha256 digests of everything besides the notebook that decided a submission's results, one per part, so
    that a regrade can say which part changed (course/fingerprint.py computes them)."""

    checks: str  # the lab's hidden checks (grading_tests/<lab>/)
    release: str  # the released notebook and the files beside it (the locked cells' reference)
    settings: str  # the lab's settings in course_config.py, the seed and the course secret
    data: str  # the reference data the checks read (c.Autograder.hidden_data)
    kit: str  # the kit's version

    PARTS = {
        "checks": "the lab's hidden checks",
        "release": "the released notebook or its files",
        "settings": "the lab's settings in course_config.py",
        "data": "the reference data",
        "kit": "the kit's version",
    }

    def changed(self, earlier: "Fingerprint | None") -> list[str]:
        """What differs from `earlier`, as PARTS names it (every part when there is no earlier one)."""
        return [
            said
            for part, said in self.PARTS.items()
            if earlier is None or getattr(self, part) != getattr(earlier, part)
        ]

    def to_json(self) -> dict:
        return {part: getattr(self, part) for part in self.PARTS}

    @classmethod
    def from_json(cls, data) -> "Fingerprint | None":
        try:
            return cls(**{part: str(data[part]) for part in cls.PARTS})
        except (KeyError, TypeError):
            return None


@dataclass(frozen=True)
class Results:
    """A submission's graded checks and how its grading went; seconds for times."""

    lab: str
    notebook_sha256: str  # "" when the file could not be read
    tests: tuple[CheckOutcome, ...]
    output: str  # the notes the student reads above the checks
    execution_time: float
    device: str = "none"  # where the checks ran: "cpu", "cuda", or "none" (not graded)
    sandboxed: bool = False
    kernel_restarts: int = 0
    restored: tuple[str, ...] = ()  # what was repaired in the notebook (locked cells put back...)
    cells: tuple[CellFailure, ...] = ()
    manual_max_score: float = 0.0  # points a person grades (written answers)
    check_seed: int | None = None  # the checks' inputs, for a reproducible regrade
    rejected: str | None = None  # why the file could not be graded at all
    grader_failed: bool = False  # the grader's own failure: graded again on the next run
    timestamp_flag: str | None = None  # what is wrong with the submission's timestamp.txt
    fingerprint: Fingerprint | None = None  # what else decided these results (a regrade compares it)
    late_penalty: float | None = None  # points nbgrader's late-submission plugin took off (None: not late)
    pictures: tuple[Picture, ...] = ()  # what the checks drew of the student's code
    grader: str | None = None  # the Dask worker that graded it (address, host, pid); None: this machine's grader
    extra: dict = field(default_factory=dict)  # extra_data keys of other tools, kept as read

    @property
    def score(self) -> float:
        return sum(test.score for test in self.tests)

    @property
    def max_score(self) -> float:
        return sum(test.max_score for test in self.tests)

    @property
    def failures(self) -> dict[str, str]:
        """{check name: reason} of the failed checks."""
        return {test.name: test.reason for test in self.tests if not test.passed}

    def failed_reasons(self) -> str:
        """Why it lost points, in a few words: the rejection, else the failed checks' reasons ("-": none)."""
        return self.rejected or ", ".join(sorted(set(self.failures.values()))) or "-"

    def with_note(self, note: str, **changes) -> "Results":
        """These results with `note` added to the output (and `changes` made)."""
        return replace(self, output="\n".join(filter(None, [self.output, note])), **changes)

    def to_json(self) -> dict:
        extra = {
            "lab": self.lab,
            "notebook_sha256": self.notebook_sha256,
            "device": self.device,
            "sandboxed": self.sandboxed,
            "kernel_restarts": self.kernel_restarts,
            "failures": self.failures,
            "restored": list(self.restored),
            "cells": [vars(cell) for cell in self.cells],
            "manual_max_score": self.manual_max_score,
        }
        optional = {
            "check_seed": self.check_seed,
            "rejected": self.rejected,
            "grader_failed": self.grader_failed or None,
            "timestamp_flag": self.timestamp_flag,
            "fingerprint": self.fingerprint.to_json() if self.fingerprint else None,
            "late_penalty": self.late_penalty,
            "pictures": [picture.to_json() for picture in self.pictures] or None,
            "grader": self.grader,
        }
        extra.update({key: value for key, value in optional.items() if value is not None})
        extra.update(self.extra)
        return {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 3),
            "output": self.output,
            "tests": [test.to_json() for test in self.tests],
            "extra_data": extra,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Results":
        """Results as results.json holds them; raises KeyError, TypeError or ValueError for another document."""
        extra = dict(data.get("extra_data", {}))
        known = {name: extra.pop(name) for name in list(extra) if name in KNOWN_EXTRA}
        extra.pop("failures", None)  # derived from the tests
        return cls(
            lab=known.get("lab", ""),
            notebook_sha256=known.get("notebook_sha256", ""),
            tests=tuple(CheckOutcome.from_json(test) for test in data["tests"]),
            output=data.get("output", ""),
            execution_time=data.get("execution_time", 0.0),
            device=known.get("device", "none"),
            sandboxed=known.get("sandboxed", False),
            kernel_restarts=known.get("kernel_restarts", 0),
            restored=tuple(known.get("restored", ())),
            cells=tuple(CellFailure(**cell) for cell in known.get("cells", ())),
            manual_max_score=known.get("manual_max_score", 0.0),
            check_seed=known.get("check_seed"),
            rejected=known.get("rejected"),
            grader_failed=bool(known.get("grader_failed", False)),
            timestamp_flag=known.get("timestamp_flag"),
            fingerprint=Fingerprint.from_json(known.get("fingerprint")),
            late_penalty=known.get("late_penalty"),
            pictures=tuple(Picture.from_json(picture) for picture in known.get("pictures", ())),
            grader=known.get("grader"),
            extra=extra,
        )


KNOWN_EXTRA = frozenset(
    {
        "grader",
        "lab",
        "notebook_sha256",
        "device",
        "sandboxed",
        "kernel_restarts",
        "restored",
        "cells",
        "manual_max_score",
        "check_seed",
        "rejected",
        "grader_failed",
        "timestamp_flag",
        "fingerprint",
        "late_penalty",
        "pictures",
    }
)
