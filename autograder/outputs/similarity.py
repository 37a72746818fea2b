"""A similarity report across a class: which submissions of a lab share their code (`autograder similarity LAB`).

Only what students wrote is compared: the code of the cells that are nbgrader solution cells in the released
notebook, matched by grade_id. Inside those cells the lines of the released cell (its given code, docstrings and
"# YOUR CODE HERE / raise NotImplementedError()" stub) are subtracted: a line diff against the released cell
turns them into comments, which the fingerprinting ignores and the report shows greyed for context. Whatever of
the lab's released code is left (given lines a student moved or re-indented) is removed again as copydetect's
boilerplate. So the stub, the lab's given code and its public tests are never "shared".

Fingerprints are copydetect's (MOSS's method): the code is tokenised by pygments and normalised (every name
becomes V, every function name F, every string S; comments and whitespace go), then hashed in k-grams of
NOISE_CHARS characters of that normalised text, and winnowed (with window 1: see WINDOW). Renaming variables, reordering functions, and
changing comments or whitespace leave most fingerprints as they were. A pair's similarity for each side is the
share of that side's fingerprinted code that the other side also holds (copydetect's measure); the pair's score
is the larger share, so that one student's few exercises copied into another's full notebook still show.

copydetect's compare_files takes 1.2 ms a pair of lab3 notebooks: 45 s for the 38,503 pairs of 278 students,
most of the 60 s budget of bench/similarity.py. The scores are computed here with the same formula on sorted
arrays (0.14 ms a pair; pairs that share no fingerprint, found with an inverted index, are never looked at), and
compare_files is called only for the pairs the report shows, for its highlighted fragments.

Every name and line of code shown is the students' (hostile): the page is rendered by jinja2 with autoescape,
controls and direction overrides removed (inert_output.printable), with a Content-Security-Policy that allows
no script; the CSV's cells are made formula-safe.
"""

import csv
import difflib
import io
import os
from dataclasses import dataclass
from functools import cache

import nbformat
import numpy as np

from autograder.course.config import Settings
from autograder.errors import SubmissionRejected, UsageError
from autograder.grading.cells import grade_id, is_solution
from autograder.outputs.inert_output import csv_cell, printable, printable_line

ANSWER_KEY = "answer key"
# Measured on lab3 (tests/test_similarity.py's class and lab3's examples): the answer key with every local name
# renamed, its functions reordered and its comments gone scores 0.95 against the key; lab3's examples (small edits
# of the key) score 0.91 to 1.0 against it and 0.84 to 0.96 against the disguised key. A correct solution written
# independently scores 0.17 to 0.23 against every one of them (one of lab1: 0.20 to 0.29): short numpy
# statements look alike once names are normalised. 0.5 leaves room on both sides.
DEFAULT_THRESHOLD = 0.5
# k: the shortest run of normalised code that counts as shared, in characters (copydetect's default noise
# threshold): "V=V.V(V,V=V)" is 12, so one short statement alone never makes a match.
NOISE_CHARS = 25
# Winnowing window 1 (copydetect's default, guarantee threshold = noise threshold) keeps every k-gram: every
# shared run of NOISE_CHARS or more is found, and the scores are the same on every run. A larger window keeps
# fewer fingerprints, but chooses them by hash value, and Python salts str hashes per process: the scores would
# move from one run to the next.
WINDOW = 1
MAX_CODE_CHARS = 200_000  # of one submission's solution cells: a lab's answer key has about 8,000
MAX_PAIRS_SHOWN = 100  # side by side in the page; the CSV has every pair
MAX_TABLE_ROWS = 1000  # of the page's table of flagged pairs (a class of near-copies flags them all)
CELL_HEADER = "# --- {} ---"  # before each solution cell's code: a comment, so never fingerprinted
GIVEN = "# "  # before each line of the released cell, in the compared text: a comment, so never fingerprinted
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


@dataclass(frozen=True)
class ReleasedCell:
    """A solution code cell of the released notebook: its grade_id and the stub students start from."""

    grade_id: str
    source: str


@dataclass(frozen=True)
class StudentCode:
    """What one source (a student, or the answer key) wrote in the lab's solution cells.

    `code` is the text compared and shown: for each solution cell a header comment, then the cell's lines, those of
    the released cell commented out (GIVEN); `given` holds the character ranges of those comments."""

    name: str
    code: str
    given: tuple[tuple[int, int], ...]
    truncated: bool = False  # only the first MAX_CODE_CHARS of its cells were read


@dataclass(frozen=True)
class Skipped:
    """A submission that was not compared, and why (as a student can read it)."""

    name: str
    reason: str


@dataclass(frozen=True)
class PairScore:
    """Two sources' shares of each other's code: `first_share` is the part of `first`'s fingerprinted code that
    `second` holds too, and the other way round; `shared` is that part of `first`'s, in normalised characters."""

    first: str
    second: str
    first_share: float
    second_share: float
    shared: int

    @property
    def score(self) -> float:
        """The larger share: a small submission copied whole into a larger one still scores high."""
        return max(self.first_share, self.second_share)


@dataclass(frozen=True)
class Fragment:
    """A run of a source's code as the page shows it: "shared" (highlighted), "given" (greyed) or "own"."""

    text: str
    kind: str


@dataclass(frozen=True)
class PairView:
    """A pair the page shows side by side, each side cut into fragments."""

    pair: PairScore
    first: tuple[Fragment, ...]
    second: tuple[Fragment, ...]


@dataclass(frozen=True)
class SimilarityReport:
    """Every pair of the compared sources of `lab`, most similar first; the pairs shown with their fragments."""

    lab: str
    threshold: float
    compared: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    pairs: tuple[PairScore, ...]
    shown: tuple[PairView, ...]
    truncated: tuple[str, ...] = ()  # sources of which only the first MAX_CODE_CHARS were compared

    @property
    def flagged(self) -> tuple[PairScore, ...]:
        """The pairs at or above the threshold."""
        return tuple(pair for pair in self.pairs if pair.score >= self.threshold)

    def lines(self, limit: int = 20) -> list[str]:
        """What the command prints: the counts, the `limit` most similar flagged pairs, and every skipped
        submission with its reason (names and reasons made printable: they are the students')."""
        flagged = self.flagged
        lines = [
            f"{self.lab}: compared {len(self.compared)} sources, {len(self.pairs)} pairs; "
            f"{len(flagged)} at or above similarity {self.threshold:g}"
        ]
        for pair in flagged[:limit]:
            lines.append(f"  {pair.score:.2f}  {printable_line(pair.first)}  {printable_line(pair.second)}")
        if len(flagged) > limit:
            lines.append(f"  ... and {len(flagged) - limit} more (see the report)")
        for skipped in self.skipped:
            lines.append(f"skipped {printable_line(skipped.name)}: {printable_line(skipped.reason)}")
        for name in self.truncated:
            lines.append(f"read in part {printable_line(name)}: only its first {MAX_CODE_CHARS:,} characters of code")
        return lines


# --- what each source wrote ---------------------------------------------------------------------------------


def released_solution_cells(released) -> tuple[ReleasedCell, ...]:
    """The released notebook's solution code cells, in order (written answers in markdown are not code)."""
    return tuple(
        ReleasedCell(grade_id(cell), cell.source)
        for cell in released.cells
        if cell.cell_type == "code" and is_solution(cell) and grade_id(cell)
    )


def released_code(released) -> str:
    """Every code cell of the released notebook: the code the lab gives everyone (boilerplate)."""
    return "\n\n".join(cell.source for cell in released.cells if cell.cell_type == "code")


def _given_lines(released: str, written: list[str]) -> list[bool]:
    """For each line `written`, whether it is a line of the released cell kept in its place (a line diff, with
    indentation and trailing spaces ignored, so that re-indented given code is still given)."""
    matcher = difflib.SequenceMatcher(
        None, [line.strip() for line in released.splitlines()], [line.strip() for line in written], autojunk=False
    )
    given = [False] * len(written)
    for block in matcher.get_matching_blocks():
        given[block.b : block.b + block.size] = [True] * block.size
    return given


def written_code(name: str, cells: tuple[ReleasedCell, ...], nb) -> StudentCode | Skipped:
    """What `nb` holds in the released solution cells `cells` (matched by grade_id; a cell the student copied
    twice counts with both copies), the released lines commented out; Skipped when it has none of them."""
    sources: dict[str, list[str]] = {}
    wanted = {cell.grade_id for cell in cells}
    for cell in nb.cells:
        cell_id = grade_id(cell)
        if cell_id in wanted and isinstance(cell.get("source"), str):
            sources.setdefault(cell_id, []).append(cell.source)
    if not sources:
        return Skipped(name, "none of the lab's solution cells (its cells lack the released nbgrader ids)")
    lines: list[tuple[str, bool]] = []  # (line, given or header)
    budget, truncated = MAX_CODE_CHARS, False
    for cell in cells:
        if cell.grade_id not in sources:
            continue
        text = "\n".join(sources[cell.grade_id])
        if len(text) > budget:  # a cap before the line diff and pygments, whatever a student pasted
            text, truncated = text[:budget], True
        budget -= len(text)
        lines.append((CELL_HEADER.format(cell.grade_id), True))
        written = text.splitlines()
        for line, given in zip(written, _given_lines(cell.source, written)):
            lines.append((GIVEN + line, True) if given and line.strip() else (line, False))
        if budget <= 0:
            break
    code, ranges, start = [], [], 0
    for line, given in lines:
        if given:
            ranges.append((start, start + len(line)))
        code.append(line)
        start += len(line) + 1
    return StudentCode(name, "\n".join(code) + "\n", tuple(ranges), truncated)


def read_sources(
    settings: Settings, lab: str, with_answer_key: bool = False
) -> tuple[list[StudentCode], list[Skipped]]:
    """The code of every submission of `lab` in submitted/ (read as grading reads it: a regular file inside the
    student's folder, under the size cap, a notebook of this lab), and the answer key's when asked; the
    submissions that cannot be compared, with why."""
    from autograder.course.labs import find_lab
    from autograder.grading.submission import read_notebook
    from autograder.grading.submitted_files import find_submissions, release_time

    found = find_lab(settings, lab, on_cluster=True)  # UsageError when unknown or unreleased; no kernel runs here
    cells = released_solution_cells(nbformat.read(found.release_notebook, as_version=4))
    layout = settings.layout
    submissions = find_submissions(
        layout.step_dir(layout.submitted), lab, found.notebook_name, release_time(found.release_dir)
    )
    sources: list[StudentCode] = []
    skipped: list[Skipped] = []
    for submitted in submissions:
        try:
            _, nb = read_notebook(settings, found, submitted.notebook, submitted.folder)
        except SubmissionRejected as rejection:
            skipped.append(Skipped(submitted.student, str(rejection)))
            continue
        code = written_code(submitted.student, cells, nb)
        (skipped if isinstance(code, Skipped) else sources).append(code)
    if with_answer_key:
        path = layout.solution_notebook(lab)
        if not os.path.isfile(path):
            raise UsageError(f"{path} does not exist: run `autograder release {lab}` (with its solutions) first")
        names = {submitted.student for submitted in submissions}  # a student folder may be named "answer key"
        name = ANSWER_KEY if ANSWER_KEY not in names else f"{ANSWER_KEY} ({os.path.relpath(path, layout.root)})"
        key = written_code(name, cells, nbformat.read(path, as_version=4))
        (skipped if isinstance(key, Skipped) else sources).append(key)
    return sources, skipped


# --- fingerprints and scores --------------------------------------------------------------------------------


def fingerprint(code: str, boilerplate: frozenset = frozenset()):
    """copydetect's fingerprint of `code` (Python, normalised), without the `boilerplate` hashes.

    The boilerplate is taken out here rather than by copydetect: copydetect removes it with np.intersect1d told
    that the hashes are unique, which they are not with window 1, and then also drops every k-gram that occurs
    twice in a submission (four lines alike in an update step), whether boilerplate or not."""
    import copydetect
    from copydetect.utils import get_token_coverage

    printed = copydetect.CodeFingerprint("submission.py", NOISE_CHARS, WINDOW, language="python", fp=io.StringIO(code))
    if boilerplate:
        printed.hashes = {value for value in printed.hashes if int(value) not in boilerplate}
        printed.hash_idx = {value: at for value, at in printed.hash_idx.items() if int(value) not in boilerplate}
        printed.token_coverage = get_token_coverage(printed.hash_idx, NOISE_CHARS, len(printed.filtered_code))
    return printed


def boilerplate_hashes(code: str) -> frozenset:
    """Every k-gram hash of `code` (the lab's released code), as copydetect takes boilerplate."""
    return frozenset(int(value) for value in fingerprint(code).hashes)


@dataclass(frozen=True)
class _Arrays:
    """A fingerprint as sorted arrays: its distinct hashes, and the hash at each fingerprinted position."""

    hashes: np.ndarray  # sorted, distinct
    positions: np.ndarray  # sorted: where in the normalised code each fingerprint starts
    at: np.ndarray  # the hash starting at each of `positions`
    coverage: float  # copydetect's token_coverage: the normalised characters that some fingerprint covers


def _arrays(printed) -> _Arrays:
    values = list(printed.hash_idx)
    positions = [np.asarray(printed.hash_idx[value], dtype=np.int64) for value in values]
    counts = [len(at) for at in positions]
    at = np.repeat(np.asarray(values, dtype=np.int64), counts) if values else np.zeros(0, np.int64)
    flat = np.concatenate(positions) if positions else np.zeros(0, np.int64)
    order = np.argsort(flat, kind="stable")
    return _Arrays(np.unique(np.asarray(values, dtype=np.int64)), flat[order], at[order], float(printed.token_coverage))


def _covered(side: _Arrays, shared: np.ndarray) -> int:
    """How many normalised characters of `side` the `shared` hashes cover: the union of [p, p + k) over their
    positions, which is copydetect's token overlap (its slices merge runs less than k apart)."""
    where = np.minimum(np.searchsorted(shared, side.at), len(shared) - 1)
    starts = side.positions[shared[where] == side.at]
    if len(starts) == 0:
        return 0
    return int(np.minimum(np.diff(starts), NOISE_CHARS).sum()) + NOISE_CHARS


def _candidates(arrays: list[_Arrays]) -> list[tuple[int, int]]:
    """The pairs (i < j) that share at least one hash, from an inverted index (hash -> bitset of sources)."""
    holders: dict[int, int] = {}
    for index, side in enumerate(arrays):
        bit = 1 << index
        for value in side.hashes.tolist():
            holders[value] = holders.get(value, 0) | bit
    pairs = []
    for index, side in enumerate(arrays):
        others = 0
        for value in side.hashes.tolist():
            others |= holders[value]
        others >>= index + 1
        other = index + 1
        while others:
            if others & 1:
                pairs.append((index, other))
            others >>= 1
            other += 1
    return pairs


def score_pairs(sources: list[StudentCode], printed: list) -> list[PairScore]:
    """Every pair of `sources` (fingerprints `printed`) with copydetect's similarities, most similar first;
    pairs that share no fingerprint score 0 without being compared."""
    arrays = [_arrays(one) for one in printed]
    scores = {}
    for first, second in _candidates(arrays):
        one, other = arrays[first], arrays[second]
        shared = np.intersect1d(one.hashes, other.hashes, assume_unique=True)
        covered_first, covered_second = _covered(one, shared), _covered(other, shared)
        scores[first, second] = PairScore(
            sources[first].name,
            sources[second].name,
            covered_first / one.coverage if one.coverage else 0.0,
            covered_second / other.coverage if other.coverage else 0.0,
            covered_first,
        )
    pairs = [
        scores.get((first, second)) or PairScore(sources[first].name, sources[second].name, 0.0, 0.0, 0)
        for first in range(len(sources))
        for second in range(first + 1, len(sources))
    ]
    return sorted(pairs, key=lambda pair: (-pair.score, -min(pair.first_share, pair.second_share)))


def fragments(source: StudentCode, slices) -> tuple[Fragment, ...]:
    """`source`'s code cut into runs: the copied `slices` (copydetect's, in the code's characters) "shared", its
    given lines and cell headers "given" (they were never compared), the rest "own"."""
    kinds = np.zeros(len(source.code), dtype=np.int8)  # 0 own, 1 shared, 2 given
    if len(slices) == 2 and len(slices[0]):
        for start, end in zip(*(np.asarray(edge, dtype=np.int64) for edge in slices)):
            kinds[max(0, int(start)) : max(0, int(end))] = 1  # clipped: copydetect's offsets are approximate
    for start, end in source.given:
        kinds[start:end] = 2
    if not len(kinds):
        return ()
    cuts = np.flatnonzero(np.diff(kinds)) + 1
    starts, ends = np.concatenate([[0], cuts]), np.concatenate([cuts, [len(kinds)]])
    names = ("own", "shared", "given")
    return tuple(Fragment(source.code[start:end], names[kinds[start]]) for start, end in zip(starts, ends))


def compare(
    lab: str, sources: list[StudentCode], skipped: list[Skipped], released: str, threshold: float = DEFAULT_THRESHOLD
) -> SimilarityReport:
    """The report on `sources` of `lab`, with `released` (the released notebook's code) as boilerplate. A source
    left without a fingerprint of its own (the stub, or less code than NOISE_CHARS) is skipped, with why."""
    import copydetect

    boilerplate = boilerplate_hashes(released)
    kept, printed, skipped = [], [], list(skipped)
    for source in sources:
        one = fingerprint(source.code, boilerplate)
        if one.token_coverage == 0:
            why = f"the released stub, or under {NOISE_CHARS} characters of normalised code"
            skipped.append(Skipped(source.name, f"no code of its own in the solution cells ({why})"))
            continue
        kept.append(source)
        printed.append(one)
    pairs = score_pairs(kept, printed)
    by_name = {source.name: (source, one) for source, one in zip(kept, printed)}
    shown = []
    for pair in [pair for pair in pairs if pair.score >= threshold][:MAX_PAIRS_SHOWN]:
        (first, first_print), (second, second_print) = by_name[pair.first], by_name[pair.second]
        _, _, (first_slices, second_slices) = copydetect.compare_files(first_print, second_print)
        shown.append(PairView(pair, fragments(first, first_slices), fragments(second, second_slices)))
    names = tuple(source.name for source in kept)
    truncated = tuple(source.name for source in kept if source.truncated)
    return SimilarityReport(lab, threshold, names, tuple(skipped), tuple(pairs), tuple(shown), truncated)


def similarity_report(
    settings: Settings, lab: str, threshold: float = DEFAULT_THRESHOLD, with_answer_key: bool = False
) -> SimilarityReport:
    """`autograder similarity LAB`: the report on the class's submissions of `lab` (and the answer key)."""
    if not 0.0 < threshold <= 1.0:
        raise UsageError(f"the threshold is a similarity between 0 and 1, not {threshold:g}")
    sources, skipped = read_sources(settings, lab, with_answer_key)
    released = released_code(nbformat.read(settings.layout.release_notebook(lab), as_version=4))
    return compare(lab, sources, skipped, released, threshold)


# --- the page and the CSV -----------------------------------------------------------------------------------


@cache
def _environment():
    from jinja2 import Environment, FileSystemLoader
    from markupsafe import Markup

    def finalize(value):  # every string the page shows loses control characters and direction overrides
        return printable(value) if isinstance(value, str) and not isinstance(value, Markup) else value

    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, finalize=finalize)


def render(report: SimilarityReport) -> str:
    """The report as one HTML page (autoescaped, no script: see the module's docstring)."""
    return (
        _environment()
        .get_template("similarity.html.j2")
        .render(
            report=report,
            flagged=report.flagged,
            rows=report.flagged[:MAX_TABLE_ROWS],
            noise=NOISE_CHARS,
            max_chars=MAX_CODE_CHARS,
        )
    )


CSV_COLUMNS = ("first", "second", "similarity", "first_share", "second_share", "shared_chars", "flagged")


def write_csv(report: SimilarityReport, path: str) -> None:
    """Every pair's scores, most similar first; names are formula-safe cells."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for pair in report.pairs:
            writer.writerow(
                [
                    csv_cell(printable_line(pair.first)),
                    csv_cell(printable_line(pair.second)),
                    f"{pair.score:.4f}",
                    f"{pair.first_share:.4f}",
                    f"{pair.second_share:.4f}",
                    pair.shared,
                    "yes" if pair.score >= report.threshold else "no",
                ]
            )


def write_report(report: SimilarityReport, folder: str) -> tuple[str, str]:
    """Write similarity_<lab>.html and similarity_<lab>.csv into `folder`; returns their paths."""
    os.makedirs(folder, exist_ok=True)
    page = os.path.join(folder, f"similarity_{report.lab}.html")
    table = os.path.join(folder, f"similarity_{report.lab}.csv")
    with open(page, "w", encoding="utf-8") as handle:
        handle.write(render(report))
    write_csv(report, table)
    return page, table
