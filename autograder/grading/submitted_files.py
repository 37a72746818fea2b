"""The one place that reads what students handed in: a lab's submissions, their notebook and timestamp.txt.

Everything under submitted/<student>/<lab>/ belongs to a student, names included. Names are data: folders are
listed with os.scandir, never matched as patterns. A file is read only if its real path lies inside the
student's own folder (no link out of it), it is a regular file (no FIFO, device or folder), and its size is
under a cap checked before reading: a hostile file ends as that submission's reason, never as a hang, an
endless read or another student's (or the answer key's) notebook.

timestamp.txt is the student's too: it is used as the submission time, but a time in the future or before the
lab's release is flagged. The lab's release is the time `autograder release` last generated release/<lab>/,
recorded there in `.released_at` (UTC, the same layout as nbgrader's timestamps); a course released otherwise
has no recorded release, and only times in the future are flagged.
"""

import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from autograder.errors import SubmissionRejected

TIMESTAMP_FILE = "timestamp.txt"
MAX_TIMESTAMP_BYTES = 1024  # nbgrader writes about 30 bytes
RELEASE_TIME_FILE = ".released_at"
# nbgrader writes "%Y-%m-%d %H:%M:%S.%f %Z" in UTC (its Exchange.timestamp_format and timezone)
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S.%f %Z", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%d %H:%M:%S")
CLOCK_SKEW = timedelta(minutes=5)  # the exchange's clock may run ahead of the grader's by this much
FUTURE, BEFORE_RELEASE, NOT_A_DATE = "in the future", "before the release", "not a date"


@dataclass(frozen=True)
class Timestamp:
    """What timestamp.txt says: `when` in naive UTC (None when missing or unusable), and `flag`, why it is not
    to be trusted (None when it is, or when there is no timestamp.txt)."""

    when: datetime | None
    flag: str | None


@dataclass(frozen=True)
class Submitted:
    """One student's submission of a lab. `folder` is submitted/<student>/<lab>/ under the real path of
    submitted/, with the student's names taken as they are: every file read must stay inside it."""

    student: str
    folder: str
    notebook: str
    timestamp: Timestamp


def _size(count: int) -> str:
    """A number of bytes for people."""
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def read_regular_file(path: str, folder: str, max_bytes: int) -> bytes:
    """The bytes of `path` (at most `max_bytes`), a regular file whose real path is inside `folder` (taken as it
    is, not resolved: the caller's trusted folder). Raises SubmissionRejected with the reason: "no such file",
    "unreadable: ..." or "too large: ...".

    The file is opened without following a link and without blocking (a FIFO would block an open for reading),
    then checked with fstat, so what is checked is what is read.
    """
    if not os.path.lexists(path):
        raise SubmissionRejected("no such file")
    real = os.path.realpath(path)
    if os.path.commonpath([real, folder]) != folder:
        raise SubmissionRejected("unreadable: a link to a file outside the student's folder")
    try:
        mode = os.lstat(real).st_mode
    except OSError:
        raise SubmissionRejected("no such file") from None
    if not stat.S_ISREG(mode):  # never even opened: opening some devices does something
        raise SubmissionRejected(f"unreadable: {_kind(mode)}, not a file")
    try:
        descriptor = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise SubmissionRejected("no such file") from None
    except OSError as error:
        raise SubmissionRejected(f"unreadable: {error.strerror.lower()}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionRejected(f"unreadable: {_kind(info.st_mode)}, not a file")
        if info.st_size > max_bytes:
            raise SubmissionRejected(f"too large: {_size(info.st_size)} is over the limit of {_size(max_bytes)}")
        chunks, left = [], max_bytes + 1  # one byte more than allowed tells a file that grew since fstat
        while left > 0:
            chunk = os.read(descriptor, min(left, 2**20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as error:
        raise SubmissionRejected(f"unreadable: {error.strerror.lower()}") from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise SubmissionRejected(f"too large: over the limit of {_size(max_bytes)}")
    return data


def own_folder(path: str) -> str:
    """The folder a notebook named by the instructor (one `grade LAB NOTEBOOK`, a student's `check`) is read
    from: its own real folder, so that the file itself may not be a link out of it."""
    return os.path.realpath(os.path.dirname(os.path.abspath(path)))


def choose_notebook(folder: str, notebook_name: str) -> str:
    """The notebook to grade in a submission folder: <notebook_name>.ipynb if the folder has an entry of that name,
    else the folder's only other notebook (a renamed file); with no notebook at all, <notebook_name>.py or .zip, or
    the folder's only zip (graded as what they are: "this is a Python file..."); else the expected path (graded as
    "no such file").

    Entries that are links or FIFOs are chosen too, so that reading them says why they are refused."""
    expected = os.path.join(folder, notebook_name + ".ipynb")
    if os.path.lexists(expected) or os.path.islink(folder) or not os.path.isdir(folder):
        return expected
    with os.scandir(folder) as entries:  # dot files are macOS resource forks (._name.ipynb) and checkpoints
        files = [
            entry for entry in entries if not entry.name.startswith(".") and not entry.is_dir(follow_symlinks=False)
        ]
    notebooks = [entry.path for entry in files if entry.name.endswith(".ipynb")]
    if notebooks:
        return notebooks[0] if len(notebooks) == 1 else expected
    named = [entry.path for entry in files if entry.name in (notebook_name + ".py", notebook_name + ".zip")]
    zips = [entry.path for entry in files if entry.name.lower().endswith(".zip")]
    return sorted(named)[0] if named else zips[0] if len(zips) == 1 else expected


def parse_timestamp(text: str) -> datetime | None:
    """A time written as nbgrader writes timestamp.txt, in naive UTC; None if it is not one."""
    for layout in TIMESTAMP_FORMATS:
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    return None


SUBMISSION_SECRET_FILE = "submission_secret.txt"  # nbgrader's submit writes it; release_feedback keys pages by it
MAX_SECRET_BYTES = 1024


def read_submission_secret(folder: str) -> bytes | None:
    """The bytes of `folder`'s submission_secret.txt (a regular file inside it, at most MAX_SECRET_BYTES), or None
    when there is none to use: nbgrader's release_feedback reads it beside the feedback page."""
    path = os.path.join(folder, SUBMISSION_SECRET_FILE)
    try:
        return read_regular_file(path, folder, MAX_SECRET_BYTES) if os.path.lexists(path) else None
    except SubmissionRejected:
        return None


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def read_timestamp(folder: str, released: datetime | None, now: datetime | None = None) -> Timestamp:
    """The submission time in `folder`'s timestamp.txt, flagged when it is unreadable, not a date, in the future
    (beyond CLOCK_SKEW) or before `released`; no timestamp.txt is no time and no flag (an LMS import)."""
    path = os.path.join(folder, TIMESTAMP_FILE)
    if not os.path.lexists(path):
        return Timestamp(None, None)
    try:
        text = read_regular_file(path, folder, MAX_TIMESTAMP_BYTES).decode("utf-8", errors="replace").strip()
    except SubmissionRejected as why:
        return Timestamp(None, str(why))
    when = parse_timestamp(text)
    if when is None:
        return Timestamp(None, NOT_A_DATE)
    if when > (now or utc_now()) + CLOCK_SKEW:
        return Timestamp(when, FUTURE)
    if released is not None and when < released:
        return Timestamp(when, BEFORE_RELEASE)
    return Timestamp(when, None)


MARKUP_CHARACTERS = frozenset("<>&\"'`")


def student_id_problem(student: str) -> str | None:
    """Why a student folder's name cannot be a student id in the gradebook, or None when it can. formgrader
    writes student ids into its pages without escaping them, so an id that holds markup or control characters
    would run in the instructor's browser; such a folder is reported, never recorded."""
    if any(character in MARKUP_CHARACTERS or not character.isprintable() for character in student):
        return (
            "refused: the student id (the folder's name) holds markup or control characters "
            "(< > & \" ' ` or unprintable ones); rename the folder to the student's id to grade it"
        )
    return None


def find_submissions(submitted_dir: str, lab: str, notebook_name: str, released: datetime | None) -> list[Submitted]:
    """One Submitted per student folder of submitted/ holding an entry named `lab`, sorted by student.

    A student folder or lab folder that is a link is listed too (its files then fail the inside-the-folder
    test with that reason), so that no submission disappears without a word."""
    if not os.path.isdir(submitted_dir):
        return []
    base = os.path.realpath(submitted_dir)
    with os.scandir(base) as entries:
        students = sorted(entry.name for entry in entries if not entry.name.startswith(".") and entry.is_dir())
    found = []
    for student in students:
        folder = os.path.join(base, student, lab)
        if os.path.lexists(folder):
            notebook = choose_notebook(folder, notebook_name)
            found.append(Submitted(student, folder, notebook, read_timestamp(folder, released)))
    return found


def release_time(release_dir: str) -> datetime | None:
    """When `autograder release` last generated this release folder (naive UTC), if it recorded it."""
    try:
        with open(os.path.join(release_dir, RELEASE_TIME_FILE), encoding="utf-8") as handle:
            return parse_timestamp(handle.read(MAX_TIMESTAMP_BYTES).strip())
    except OSError:
        return None


def record_release_time(release_dir: str) -> None:
    """Write the release time that submission timestamps are compared with (see the module's docstring)."""
    with open(os.path.join(release_dir, RELEASE_TIME_FILE), "w", encoding="utf-8") as handle:  # whole seconds:
        handle.write(utc_now().strftime("%Y-%m-%d %H:%M:%S UTC") + "\n")  # a hand-in that same second is not before it
