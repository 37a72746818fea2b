"""`autograder import LAB ZIP`: an LMS's archive of submissions into nbgrader's submitted/<student>/<lab>/.

Two archives are read, told apart by their members' names (or by --lms):

- Canvas ("Download Submissions"): flat members `<name>_[LATE_]<user id>_<submission id>_<file name>`, e.g.
  `lovelaceada_LATE_48213_995_lab1_neuron-1.ipynb`; a resubmission's file name gets `-1`, `-2`... before its
  extension. The user id is the roster's lms_id.
- Moodle ("Download all submissions"): `<Full Name>_<participant id>_assignsubmission_file_/<file name>` (or the
  same flat, without the folder's slash); the participant id is the roster's lms_id. Online text
  (`assignsubmission_onlinetext_`) is listed as not a notebook.

Everything in the archive is the students' data: names, sizes, times, kinds. A student id comes from the roster
alone (the LMS's id in the member's name is looked up there), the notebook is always written as
submitted/<student>/<lab>/<lab>.ipynb whatever the student called it, and names are never used as paths,
patterns or format strings, and printed only through inert_output. No member is extracted by zipfile: each is
checked, then read with ZipFile.open under a cap and written by this module. Refused: a name that would leave the
target if it were a path (absolute, `..`, backslashes), a link or any non-regular entry, an encrypted member,
names equal after Unicode NFC and case-folding (all of them: which one the student meant is unknown), a member
over `max_member_bytes` (c.Autograder.max_notebook_bytes) as its header declares it or as it is read (the header
is never trusted), and whatever would take the bytes read from the archive over `max_total_bytes` (a zip bomb:
declared and actually read sizes both count).

The latest submission per student wins, by its time and then by Canvas's resubmission number and submission id;
the others are "superseded". Only members that could be imported compete: a student whose latest file is refused
gets the latest one that is not (the report lists both). A folder that already holds anything is left as it is
unless `replace`: then its notebook and timestamp.txt are replaced, each atomically (a temporary file, then
os.replace); a new folder is written whole in a temporary folder beside it, then renamed into place.

Submission times. A zip keeps each member's local time without a zone: it is read in c.Autograder.lms_timezone,
turned into UTC and written as nbgrader's timestamp.txt, which nbgrader's late penalty reads. Canvas's LATE flag is
the LMS's verdict and wins: a LATE member whose time is not after the lab's due date (c.Autograder.due_dates) gets
the due date + 1 second as its time, and the report says so; with no due date configured the flag is reported and
the member's time kept. A member Canvas does not call late though its time is after the due date (an extension
given in Canvas) keeps its time, and the report says that too.
"""

import csv
import lzma
import os
import re
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from autograder.course.config import Settings
from autograder.course.roster import Roster
from autograder.errors import UsageError
from autograder.grading.submitted_files import TIMESTAMP_FILE
from autograder.outputs.inert_output import csv_cell, printable_line

CANVAS, MOODLE = "canvas", "moodle"
LMS_NAMES = (CANVAS, MOODLE)

# a member's status in the report
IMPORTED = "imported"
SUPERSEDED = "superseded"
UNKNOWN_STUDENT = "unknown student"
NOT_A_NOTEBOOK = "not a notebook"
REFUSED = "refused"
ALREADY_SUBMITTED = "already submitted"
STATUSES = (IMPORTED, SUPERSEDED, ALREADY_SUBMITTED, UNKNOWN_STUDENT, NOT_A_NOTEBOOK, REFUSED)

DEFAULT_MAX_TOTAL_BYTES = 2 * 2**30
MAX_MEMBERS = 100_000  # the central directory is read whole: a bound on what the archive makes us hold
CHUNK_BYTES = 2**20
NBGRADER_TIME = "%Y-%m-%d %H:%M:%S.%f UTC"  # nbgrader's Exchange.timestamp_format, in UTC
LATE_MARGIN = timedelta(seconds=1)
# what reading a damaged, encrypted or oddly compressed member raises
UNREADABLE = (
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
    zlib.error,
    lzma.LZMAError,
)

# Canvas writes the student's sortable name with everything but letters and digits removed, so the name has no
# underscore and no space: the first `_<digits>_<digits>_` after it is the ids, whatever the file name holds.
_CANVAS_NAME = re.compile(r"(?P<name>[^\W_]+)_(?:(?P<late>LATE|late)_)?(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)")
_MOODLE_FOLDER = re.compile(r"(?P<name>.+)_(?P<user>\d+)_assignsubmission_(?P<kind>file|onlinetext)_")
_MOODLE_FLAT = re.compile(r"(?P<name>.+?)_(?P<user>\d+)_assignsubmission_(?P<kind>file|onlinetext)_(?P<file>.+)")
_RESUBMISSION = re.compile(r"-(\d{1,6})$")
_DRIVE = re.compile(r"[A-Za-z]:")


@dataclass(frozen=True)
class ParsedName:
    """What an LMS's member name says: the student's LMS id, the file's own name, and Canvas's marks."""

    lms_id: str
    file_name: str
    late: bool = False  # Canvas's LATE
    attempt: int = 0  # Canvas's resubmission number (-1, -2... in the file name)
    submission: int = 0  # Canvas's submission id
    online_text: bool = False  # Moodle's online text, not a file


@dataclass(frozen=True)
class Member:
    """One file of the archive, as its central directory describes it (nothing of it read yet)."""

    name: str  # the member's name in the archive, as it is
    lms_id: str | None  # the student's id in the LMS, from the name (None: the name holds none)
    file_name: str  # the file's name as the student uploaded it
    late: bool
    attempt: int
    submission: int
    online_text: bool
    when: datetime | None  # the member's time, in naive UTC (None: the archive's time is not a date)
    size: int  # as the header declares it (never trusted when reading)


@dataclass(frozen=True)
class ImportRow:
    """One member in the report: what became of it, and why."""

    member: str
    status: str
    reason: str = ""
    student: str = ""  # the course's student id, from the roster
    lms_id: str = ""
    when: datetime | None = None  # the time written to timestamp.txt (imported), else the member's own

    def line(self) -> str:
        """The row on one printable line."""
        who = f" [{self.student}]" if self.student else (f" [lms id {self.lms_id}]" if self.lms_id else "")
        reason = f": {self.reason}" if self.reason else ""
        return printable_line(f"{self.status}{reason} - {self.member}{who}")


@dataclass(frozen=True)
class ImportReport:
    """Every member of one archive and what the import made of it."""

    lab: str
    lms: str
    archive: str
    rows: tuple[ImportRow, ...]

    def count(self, status: str) -> int:
        return sum(row.status == status for row in self.rows)

    def summary(self) -> str:
        """One line: how many members got each status."""
        counts = Counter(row.status for row in self.rows)
        parts = [f"{counts[status]} {status}" for status in STATUSES if counts[status]]
        return printable_line(
            f"{self.lab}: {len(self.rows)} member(s) of a {self.lms} archive: " + (", ".join(parts) or "nothing")
        )

    def lines(self) -> list[str]:
        """The summary, then one line per member in the archive's order."""
        return [self.summary(), *(row.line() for row in self.rows)]


# --- names ----------------------------------------------------------------------------------------------------


def parse_canvas_name(name: str) -> ParsedName | None:
    """The ids in a Canvas member's name `<name>_[LATE_]<user id>_<submission id>_<file name>`; None when it is
    not one (Canvas's archive is flat: a name with a folder is not Canvas's)."""
    if "/" in name:
        return None
    match = _CANVAS_NAME.fullmatch(name)
    if match is None:
        return None
    file_name = match["file"]
    return ParsedName(
        lms_id=match["user"],
        file_name=file_name,
        late=match["late"] is not None,
        attempt=resubmission_number(file_name),
        submission=int(match["submission"]),
    )


def resubmission_number(file_name: str) -> int:
    """Canvas's resubmission number: `lab1-2.ipynb` is the 2nd resubmission, `lab1.ipynb` the first hand-in (0)."""
    stem = os.path.splitext(file_name)[0]
    match = _RESUBMISSION.search(stem)
    return int(match[1]) if match else 0


def parse_moodle_name(name: str) -> ParsedName | None:
    """The participant id in a Moodle member's name, `<Full Name>_<id>_assignsubmission_file_/<file name>` (or
    flat, `..._assignsubmission_file_<file name>`); None when it is not one."""
    folder, slash, rest = name.partition("/")
    match = _MOODLE_FOLDER.fullmatch(folder) if slash else None
    if match is not None and rest:
        file_name = rest
    else:
        match = _MOODLE_FLAT.fullmatch(name) if "/" not in name else None
        if match is None:
            return None
        file_name = match["file"]
    return ParsedName(lms_id=match["user"], file_name=file_name, online_text=match["kind"] == "onlinetext")


PARSERS = {CANVAS: parse_canvas_name, MOODLE: parse_moodle_name}


def detect_lms(names: list[str]) -> str:
    """Which LMS made an archive with these member names: the one whose naming some of them follow. Raises
    UsageError when none does, or both do (then --lms says which)."""
    fits = [lms for lms, parse in PARSERS.items() if any(parse(name) is not None for name in names)]
    if len(fits) == 1:
        return fits[0]
    if not fits:
        raise UsageError(
            "no member of the archive is named the way Canvas or Moodle name submissions (e.g. "
            "lovelaceada_48213_991_lab1.ipynb, or Ada Lovelace_48213_assignsubmission_file_/lab1.ipynb): "
            "is it an LMS's download of the lab's submissions? --lms canvas|moodle forces one"
        )
    raise UsageError(
        "the archive's member names fit both Canvas's and Moodle's naming: pass --lms canvas or --lms moodle"
    )


def path_problem(name: str) -> str | None:
    """Why a member's name would leave the folder it is extracted to (zip-slip), or None. The name is never used
    as a path here, but an archive that tries is refused member by member all the same."""
    if "\\" in name:
        return "a backslash in its name (a Windows path)"
    if name.startswith("/") or _DRIVE.match(name):
        return "an absolute path"
    if ".." in name.split("/"):
        return "a '..' in its path"
    if "\x00" in name:
        return "a NUL character in its name"
    return None


def entry_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a zip entry is not a plain file to read (a link, a device, an encrypted member), or None."""
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
        return "not a regular file"
    if info.flag_bits & 0x1:
        return "encrypted"
    return None


def normalised(name: str) -> str:
    """The name as a file system that folds case and Unicode forms would see it (NFC, then case-folded)."""
    return unicodedata.normalize("NFC", name).casefold()


def not_a_notebook_reason(parsed: ParsedName) -> str | None:
    """Why a member is not a notebook to import (by its name: content is not sniffed), or None."""
    if parsed.online_text:
        return "online text, not a file"
    extension = os.path.splitext(parsed.file_name)[1].lower()
    if extension == ".ipynb":
        return None
    if extension == ".py":
        return "a Python file: hand in the .ipynb"
    return f"a {extension} file, not a notebook (.ipynb)" if extension else "no .ipynb extension"


def zip_time_utc(date_time: tuple, zone: ZoneInfo) -> datetime | None:
    """A zip member's local time (ZipInfo.date_time) read in `zone`, in naive UTC; None when it is not a date.
    A local time that happens twice (the hour the clocks go back) is read as the first."""
    try:
        local = datetime(*date_time, tzinfo=zone)
    except (TypeError, ValueError):
        return None
    return local.astimezone(UTC).replace(tzinfo=None)


def timestamp_for(member: Member, due: datetime | None) -> tuple[datetime, str]:
    """The time to write for an imported member, and what the report says about it (Canvas's LATE wins: see the
    module's docstring)."""
    when = member.when
    if member.late:
        if due is None:
            return when, "Canvas says LATE (no due date configured: its time is kept)"
        if when <= due:
            return due + LATE_MARGIN, (
                f"Canvas says LATE though its time {when:%Y-%m-%d %H:%M:%S} UTC is not after the due date: "
                "time set to the due date + 1 s"
            )
        return when, "late (Canvas says LATE)"
    if due is not None and when > due:
        return when, "after the due date, though the LMS does not say late: its time is kept"
    return when, ""


def read_members(archive: zipfile.ZipFile, lms: str | None, zone: ZoneInfo) -> tuple[str, list[tuple]]:
    """The archive's LMS and its file entries (directories left out), each as (ZipInfo, Member or None, why it
    is refused or None, ParsedName or None)."""
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if lms is None:
        lms = detect_lms([info.filename for info in infos])
    parse = PARSERS[lms]
    names = Counter(normalised(info.filename) for info in infos)
    entries = []
    for info in infos:
        problem = path_problem(info.filename) or entry_problem(info)
        if problem is None and names[normalised(info.filename)] > 1:
            problem = "its name is another member's too (after Unicode normalisation and case-folding)"
        parsed = parse(info.filename) if problem is None else None
        member = None
        if parsed is not None:
            member = Member(
                name=info.filename,
                lms_id=parsed.lms_id,
                file_name=parsed.file_name,
                late=parsed.late,
                attempt=parsed.attempt,
                submission=parsed.submission,
                online_text=parsed.online_text,
                when=zip_time_utc(info.date_time, zone),
                size=info.file_size,
            )
        entries.append((info, member, problem, parsed))
    return lms, entries


# --- reading and writing --------------------------------------------------------------------------------------


class MemberTooLarge(Exception):
    """A member read past its cap (whatever its header said)."""


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> bytes:
    """The member's bytes, at most `max_bytes` whatever its header says; MemberTooLarge past them. zipfile's own
    errors (a damaged member, a wrong checksum, an unknown compression) pass through."""
    chunks, total = [], 0
    with archive.open(info) as handle:
        while True:
            chunk = handle.read(min(CHUNK_BYTES, max_bytes + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise MemberTooLarge
            chunks.append(chunk)
    return b"".join(chunks)


def _size(count: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def _write_file(folder: str, name: str, data: bytes) -> None:
    """`data` as folder/name, atomically: a temporary file beside it, then os.replace (which replaces a link
    itself, never what it points to)."""
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".import-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, os.path.join(folder, name))
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise


def _timestamp_bytes(when: datetime) -> bytes:
    return when.strftime(NBGRADER_TIME).encode("ascii")  # as nbgrader writes it: no newline


def target_problem(submitted_root: str, folder: str) -> str | None:
    """Why submitted/<student>/<lab>/ cannot be written to (it or the student's folder is a link, or not a
    folder), or None: what lies under submitted/ may have been put there by anyone."""
    for path in (os.path.dirname(folder), folder):
        shown = os.path.relpath(path, os.path.dirname(submitted_root))
        if os.path.islink(path):
            return f"{shown} is a link: refusing to write through it"
        if os.path.lexists(path) and not os.path.isdir(path):
            return f"{shown} is not a folder"
    return None


def write_submission(folder: str, notebook_name: str, notebook: bytes, when: datetime) -> None:
    """Write the notebook and timestamp.txt into `folder` (submitted/<student>/<lab>/): a new folder is made whole
    beside it and renamed into place; an existing one gets each file replaced atomically."""
    files = ((TIMESTAMP_FILE, _timestamp_bytes(when)), (notebook_name, notebook))
    if os.path.isdir(folder):
        for name, data in files:
            _write_file(folder, name, data)
        return
    parent = os.path.dirname(folder)
    os.makedirs(parent, exist_ok=True)
    temporary = tempfile.mkdtemp(dir=parent, prefix=".import-")
    try:
        for name, data in files:
            _write_file(temporary, name, data)
        os.chmod(temporary, 0o755)
        os.rename(temporary, folder)
    except BaseException:
        for name in os.listdir(temporary):
            os.unlink(os.path.join(temporary, name))
        os.rmdir(temporary)
        raise


# --- the import -----------------------------------------------------------------------------------------------


def import_archive(
    settings: Settings,
    lab: str,
    archive_path: str,
    roster: Roster,
    *,
    replace: bool = False,
    lms: str | None = None,
    max_member_bytes: int | None = None,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
) -> ImportReport:
    """Import the LMS archive at `archive_path` into submitted/<student>/<lab>/ (see the module's docstring);
    `lms` is "canvas", "moodle" or None (told from the names). Raises UsageError for an unknown lab, a file that
    is not a zip archive, or an archive of unknown (or ambiguous) naming; every member's fate is in the report."""
    if lab not in settings.autograder.labs:
        raise UsageError(f"unknown lab {lab!r}; the course has: {', '.join(settings.autograder.labs)}")
    if lms is not None and lms not in PARSERS:
        raise UsageError(f"unknown LMS {lms!r}: {' or '.join(LMS_NAMES)}")
    if not os.path.isfile(archive_path):
        raise UsageError(f"{archive_path}: no such file")
    max_member_bytes = settings.autograder.max_notebook_bytes if max_member_bytes is None else max_member_bytes
    zone = ZoneInfo(settings.autograder.lms_timezone)
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError) as error:
        raise UsageError(f"{archive_path}: not a zip archive ({error})") from None
    with archive:
        if len(archive.infolist()) > MAX_MEMBERS:
            raise UsageError(f"{archive_path}: more than {MAX_MEMBERS} members: not an archive of one lab")
        lms, entries = read_members(archive, lms, zone)
        rows, candidates = classify(entries, lms, roster, max_member_bytes)
        budget = _Budget(max_total_bytes)
        for student in sorted(candidates):
            rows.update(
                _take_latest(settings, lab, archive, candidates[student], student, replace, max_member_bytes, budget)
            )
    return ImportReport(lab, lms, archive_path, tuple(rows[index] for index in range(len(entries))))


def classify(entries: list[tuple], lms: str, roster: Roster, max_member_bytes: int) -> tuple[dict, dict]:
    """The rows of the members that cannot be imported ({index: ImportRow}), and the others, the candidates, by
    student ({student: [(index, ZipInfo, Member)]})."""
    rows: dict[int, ImportRow] = {}
    candidates: dict[str, list[tuple[int, zipfile.ZipInfo, Member]]] = {}
    for index, (info, member, problem, parsed) in enumerate(entries):
        name = info.filename
        if problem is not None:
            rows[index] = ImportRow(name, REFUSED, problem)
            continue
        if member is None:
            rows[index] = ImportRow(name, UNKNOWN_STUDENT, f"no {lms.capitalize()} id in its name")
            continue
        student = roster.by_lms_id(member.lms_id)
        common = {"student": student.student if student else "", "lms_id": member.lms_id, "when": member.when}
        reason = not_a_notebook_reason(parsed)
        if reason is not None:
            rows[index] = ImportRow(name, NOT_A_NOTEBOOK, reason, **common)
        elif student is None:
            rows[index] = ImportRow(name, UNKNOWN_STUDENT, "its LMS id is not on the roster", **common)
        elif member.when is None:
            rows[index] = ImportRow(name, REFUSED, "its time in the archive is not a date", **common)
        elif member.size > max_member_bytes:  # refused unread, on its header's word
            rows[index] = ImportRow(
                name, REFUSED, f"{_size(member.size)} is over the limit of {_size(max_member_bytes)}", **common
            )
        else:
            candidates.setdefault(student.student, []).append((index, info, member))
    return rows, candidates


class _Budget:
    """The bytes the archive may still expand to, of `total`: a member is read only if its declared size fits,
    and what it actually read (never more than what was left) is taken off."""

    def __init__(self, total: int):
        self.total = total
        self.left = total


def _take_latest(settings, lab, archive, candidates, student, replace, max_member_bytes, budget) -> dict:
    """Import the latest of one student's candidates that can be read, and say what became of each."""
    layout = settings.layout
    folder = layout.submitted_dir(student, lab)
    blocked = target_problem(layout.step_dir(layout.submitted), folder)
    ranked = sorted(candidates, key=lambda entry: (entry[2].when, entry[2].attempt, entry[2].submission, entry[0]))
    rows, taken = {}, False
    for index, info, member in reversed(ranked):
        row = partial(ImportRow, info.filename, student=student, lms_id=member.lms_id, when=member.when)
        if taken:
            rows[index] = row(SUPERSEDED, "a later submission of the student's wins")
        elif blocked is not None:
            rows[index], taken = row(REFUSED, blocked), True
        elif os.path.isdir(folder) and os.listdir(folder) and not replace:
            rows[index], taken = row(ALREADY_SUBMITTED, "--replace to overwrite"), True
        elif member.size > budget.left:
            rows[index] = row(REFUSED, _bomb(budget))
        else:
            limit = min(max_member_bytes, budget.left)
            try:
                data = read_member(archive, info, limit)
            except MemberTooLarge:
                budget.left -= limit
                over_member = limit == max_member_bytes
                rows[index] = row(REFUSED, _too_large(max_member_bytes) if over_member else _bomb(budget))
                continue
            except UNREADABLE as error:  # a damaged member is its own fate, not the archive's
                budget.left -= member.size
                rows[index] = row(REFUSED, f"damaged or unreadable ({printable_line(error)})")
                continue
            budget.left -= len(data)
            when, note = timestamp_for(member, settings.due_date(lab))
            write_submission(folder, lab + ".ipynb", data, when)
            rows[index] = ImportRow(info.filename, IMPORTED, note, student=student, lms_id=member.lms_id, when=when)
            taken = True
    return rows


def _too_large(max_member_bytes: int) -> str:
    return f"larger than its header says, over the limit of {_size(max_member_bytes)}"


def _bomb(budget: _Budget) -> str:
    return f"the archive expands beyond {_size(budget.total)} in all (a zip bomb?)"


# --- the report on disk ---------------------------------------------------------------------------------------

REPORT_COLUMNS = ("member", "status", "reason", "student", "lms_id", "time_utc")


def report_path(settings: Settings, lab: str, now: datetime | None = None) -> str:
    """Where an import's report goes: <course root>/imports/<lab>-<UTC time>.csv."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    return settings.path("imports", f"{lab}-{now:%Y%m%dT%H%M%SZ}.csv")


def write_report(report: ImportReport, path: str) -> str:
    """The report as CSV at `path` (another name beside it if that one is taken); returns the path written.
    Every cell is made formula-safe: member names are the students'."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    stem, extension = os.path.splitext(path)
    for attempt in range(1000):
        chosen = path if attempt == 0 else f"{stem}-{attempt}{extension}"
        try:
            handle = open(chosen, "x", newline="", encoding="utf-8")
        except FileExistsError:
            continue
        with handle:
            writer = csv.writer(handle)
            writer.writerow(REPORT_COLUMNS)
            for row in report.rows:
                when = row.when.strftime(NBGRADER_TIME) if row.when else ""
                cells = (row.member, row.status, row.reason, row.student, row.lms_id, when)
                writer.writerow([csv_cell(printable_line(cell)) for cell in cells])
        return chosen
    raise UsageError(f"{path}: too many reports of that name")
