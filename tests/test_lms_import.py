"""`autograder import LAB ZIP`: an LMS's archive (Canvas, Moodle) into nbgrader's submitted/<student>/<lab>/.

The archives are built here with zipfile, named as each LMS names its members; the roster maps the LMS's ids to
student ids. Each test checks the report (every member's status) and the submitted tree (exactly which files,
their bytes, the timestamps written).
"""

import csv
import os
import stat
import struct
import subprocess
import sys
import zipfile

import pytest

from autograder.course.config import load_config
from autograder.course.grade_class import grade_all
from autograder.course.labs import find_lab
from autograder.course.lms_import import (
    ALREADY_SUBMITTED,
    CANVAS,
    IMPORTED,
    MOODLE,
    NOT_A_NOTEBOOK,
    REFUSED,
    SUPERSEDED,
    UNKNOWN_STUDENT,
    MemberTooLarge,
    detect_lms,
    import_archive,
    parse_canvas_name,
    parse_moodle_name,
    path_problem,
    read_member,
)
from autograder.course.release import release_lab
from autograder.course.roster import read_roster
from autograder.demo.course import make_course
from autograder.demo.examples import load_variants, write_variant
from autograder.errors import UsageError
from autograder.sandbox.backend import make_launcher

LAB = "lab1_neuron"
# Berlin is UTC+1 in January: a member stamped 18:00 there was handed in at 17:00 UTC, the due date itself
CONFIG = 'c.Autograder.due_dates = {"lab1_neuron": "2027-01-15 17:00"}\nc.Autograder.lms_timezone = "Europe/Berlin"\n'
ROSTER = (
    "student,lms_id,name\n"
    "alice,48213,Ada Lovelace\n"
    "bob,51000,Grace Hopper\n"
    "carol,60001,Alan Turing\n"
    "dave,70001,Don Knuth\n"
)
NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def new_course(folder, config: str = CONFIG):
    make_course(str(folder), extra_config=config)
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return load_config(str(folder / "course_config.py"))


@pytest.fixture
def course(tmp_path):
    """A course whose lab1 is due 2027-01-15 17:00 UTC, its LMS's times in Berlin, four students on its roster."""
    return new_course(tmp_path / "course")


def roster_of(settings):
    return read_roster(settings.path("roster.csv"))


def add(archive: zipfile.ZipFile, name: str, data: bytes = NOTEBOOK, local=(2027, 1, 15, 12, 0, 0), mode=None):
    """A member as an LMS's zip holds it: its local time, deflated, with the Unix mode `mode` if given."""
    info = zipfile.ZipInfo(name, tuple(local) + (0,) * (6 - len(local)))
    info.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        info.create_system = 3
        info.external_attr = mode << 16
    archive.writestr(info, data)


def submitted_tree(settings) -> set[str]:
    """Every file under submitted/, relative to it."""
    root = settings.path("submitted")
    return {os.path.relpath(os.path.join(folder, name), root) for folder, _, names in os.walk(root) for name in names}


def read(settings, student: str, name: str) -> bytes:
    with open(settings.path("submitted", student, LAB, name), "rb") as handle:
        return handle.read()


def statuses(report) -> dict[str, tuple[str, str]]:
    return {row.member: (row.status, row.student) for row in report.rows}


def reasons(report) -> dict[str, str]:
    return {row.member: row.reason for row in report.rows}


# --- names ----------------------------------------------------------------------------------------------------


def test_canvas_names_give_the_user_id_late_flag_and_resubmission_number():
    parsed = parse_canvas_name("lovelaceada_LATE_48213_995_lab1_neuron-1.ipynb")
    assert (parsed.lms_id, parsed.late, parsed.attempt, parsed.submission, parsed.file_name) == (
        "48213",
        True,
        1,
        995,
        "lab1_neuron-1.ipynb",
    ), "name, LATE, user id, submission id, then the student's file name with its resubmission number"
    assert parse_canvas_name("lovelaceada_late_48213_7_2024_lab1.ipynb").late, "lowercase late is LATE too"
    assert parse_canvas_name("lovelaceada_48213_7_2024_lab1.ipynb").file_name == "2024_lab1.ipynb", (
        "the ids are the first two numbers after the name: digits in the file name are the file's"
    )
    assert parse_canvas_name("lovelaceada_48213_7_lab1.ipynb").attempt == 0, "a first hand-in has no number"
    for name in ("notes.txt", "folder/lovelaceada_48213_7_lab1.ipynb", "Ada Lovelace_48213_assignsubmission_file_x"):
        assert parse_canvas_name(name) is None, f"{name!r} is not a Canvas member's name"


def test_moodle_names_give_the_participant_id_in_folders_or_flat():
    parsed = parse_moodle_name("Ada_Mary Lovelace_48213_assignsubmission_file_/my lab1.ipynb")
    assert (parsed.lms_id, parsed.file_name, parsed.online_text) == ("48213", "my lab1.ipynb", False), (
        "the id is the number before _assignsubmission_, whatever the full name holds"
    )
    assert parse_moodle_name("Ada Lovelace_48213_assignsubmission_onlinetext_/onlinetext.html").online_text
    flat = parse_moodle_name("Ada Lovelace_48213_assignsubmission_file_lab1.ipynb")
    assert (flat.lms_id, flat.file_name) == ("48213", "lab1.ipynb"), "Moodle's flat download (no folders) too"
    assert parse_moodle_name("lovelaceada_48213_995_lab1.ipynb") is None, "a Canvas name is not Moodle's"


def test_names_that_would_leave_the_target_folder_are_refused():
    for name in ("../../evil.ipynb", "a/../../evil.ipynb", "/etc/cron.d/x", "C:/x.ipynb", "a\\..\\evil.ipynb"):
        assert path_problem(name) is not None, f"{name!r} must be refused (zip-slip)"
    assert path_problem("Ada Lovelace_1_assignsubmission_file_/lab..1.ipynb") is None, "'..' inside a name is fine"


def test_the_lms_is_told_from_the_names_and_an_archive_fitting_neither_or_both_is_refused():
    assert detect_lms(["lovelaceada_48213_995_lab1.ipynb", "notes.txt"]) == CANVAS
    assert detect_lms(["Ada Lovelace_48213_assignsubmission_file_/lab1.ipynb"]) == MOODLE
    with pytest.raises(UsageError, match="--lms canvas"):
        detect_lms(["lovelaceada_48213_995_lab1.ipynb", "Ada Lovelace_48213_assignsubmission_file_/lab1.ipynb"])
    with pytest.raises(UsageError, match="Canvas or Moodle"):
        detect_lms(["lab1.ipynb", "readme.txt"])


# --- Canvas ---------------------------------------------------------------------------------------------------


def test_canvas_archive_imports_each_students_latest_notebook_and_reports_every_member(course, tmp_path):
    path = tmp_path / "canvas.zip"
    with zipfile.ZipFile(path, "w") as archive:
        add(archive, "lovelaceada_48213_991_lab1_neuron.ipynb", b"alice first", local=(2027, 1, 15, 12, 0, 0))
        add(archive, "lovelaceada_LATE_48213_995_lab1_neuron-1.ipynb", b"alice late", local=(2027, 1, 15, 19, 30, 0))
        # a link planted as alice's latest hand-in: refused, and it does not compete
        add(archive, "lovelaceada_48213_997_lab1_neuron-2.ipynb", b"/etc/passwd", (2027, 1, 16), stat.S_IFLNK | 0o777)
        # Canvas says LATE, yet 17:30 in Berlin is 16:30 UTC, before the due date: Canvas's verdict wins
        add(archive, "hopperg_LATE_51000_992_my work.ipynb", b"bob", local=(2027, 1, 15, 17, 30, 0))
        add(archive, "turingalan_60001_993_lab1_neuron.py", b"print('carol')")
        add(archive, "turingalan_60001_994_caf\u00e9.ipynb", b"carol 1")
        add(archive, "turingalan_60001_994_cafe\u0301.ipynb", b"carol 2")  # the same name once NFC-normalised
        add(archive, "knuthdon_70001_998_Lab1.ipynb", b"dave 1")
        add(archive, "knuthdon_70001_998_LAB1.ipynb", b"dave 2")  # the same name once case-folded
        add(archive, "strangerx_99999_999_lab1_neuron.ipynb", b"not on the roster")
        add(archive, "../../evil.ipynb", b"zip-slip")
        add(archive, "notes.txt", b"no id")
        archive.mkdir("a folder")
    report = import_archive(course, LAB, str(path), roster_of(course))

    assert report.lms == CANVAS
    assert statuses(report) == {
        "lovelaceada_48213_991_lab1_neuron.ipynb": (SUPERSEDED, "alice"),
        "lovelaceada_LATE_48213_995_lab1_neuron-1.ipynb": (IMPORTED, "alice"),
        "lovelaceada_48213_997_lab1_neuron-2.ipynb": (REFUSED, ""),
        "hopperg_LATE_51000_992_my work.ipynb": (IMPORTED, "bob"),
        "turingalan_60001_993_lab1_neuron.py": (NOT_A_NOTEBOOK, "carol"),
        "turingalan_60001_994_caf\u00e9.ipynb": (REFUSED, ""),
        "turingalan_60001_994_cafe\u0301.ipynb": (REFUSED, ""),
        "knuthdon_70001_998_Lab1.ipynb": (REFUSED, ""),
        "knuthdon_70001_998_LAB1.ipynb": (REFUSED, ""),
        "strangerx_99999_999_lab1_neuron.ipynb": (UNKNOWN_STUDENT, ""),
        "../../evil.ipynb": (REFUSED, ""),
        "notes.txt": (UNKNOWN_STUDENT, ""),
    }, "every member but the folder is in the report, with its status and the roster's student"
    why = reasons(report)
    assert why["lovelaceada_48213_997_lab1_neuron-2.ipynb"] == "a symbolic link"
    assert "a Python file: hand in the .ipynb" in why["turingalan_60001_993_lab1_neuron.py"]
    assert "another member's" in why["knuthdon_70001_998_Lab1.ipynb"], "both names are refused: neither is sure"
    assert "'..'" in why["../../evil.ipynb"]
    assert "due date + 1 s" in why["hopperg_LATE_51000_992_my work.ipynb"], "the report says the time was moved"

    assert submitted_tree(course) == {
        "alice/lab1_neuron/lab1_neuron.ipynb",
        "alice/lab1_neuron/timestamp.txt",
        "bob/lab1_neuron/lab1_neuron.ipynb",
        "bob/lab1_neuron/timestamp.txt",
    }, "one notebook per imported student, named as nbgrader names the lab's, and its timestamp; nothing else"
    assert read(course, "alice", "lab1_neuron.ipynb") == b"alice late", "the latest hand-in that is a file wins"
    assert read(course, "bob", "lab1_neuron.ipynb") == b"bob", "the file is the student's, whatever its name"
    assert read(course, "alice", "timestamp.txt") == b"2027-01-15 18:30:00.000000 UTC", "19:30 in Berlin, in UTC"
    assert read(course, "bob", "timestamp.txt") == b"2027-01-15 17:00:01.000000 UTC", "LATE: the due date + 1 s"
    assert not any("evil" in name for _, _, names in os.walk(tmp_path) for name in names if name != "canvas.zip")
    assert report.summary().startswith("lab1_neuron: 12 member(s) of a canvas archive: 2 imported, 1 superseded")


def test_a_tie_in_time_goes_to_the_later_resubmission(course, tmp_path):
    path = tmp_path / "canvas.zip"
    with zipfile.ZipFile(path, "w") as archive:
        add(archive, "lovelaceada_48213_900_lab1-2.ipynb", b"second resubmission")
        add(archive, "lovelaceada_48213_901_lab1-1.ipynb", b"first resubmission")
        add(archive, "lovelaceada_48213_902_lab1.ipynb", b"first hand-in")
    report = import_archive(course, LAB, str(path), roster_of(course))
    assert [row.status for row in report.rows] == [IMPORTED, SUPERSEDED, SUPERSEDED], "the same second: -2 wins"
    assert read(course, "alice", "lab1_neuron.ipynb") == b"second resubmission"


def test_a_late_flag_without_a_due_date_is_reported_and_the_time_kept(tmp_path):
    settings = new_course(tmp_path / "course", config='c.Autograder.lms_timezone = "UTC"\n')
    path = tmp_path / "canvas.zip"
    with zipfile.ZipFile(path, "w") as archive:
        add(archive, "lovelaceada_LATE_48213_995_lab1.ipynb", local=(2027, 1, 15, 9, 15, 0))
    report = import_archive(settings, LAB, str(path), roster_of(settings))
    assert report.rows[0].status == IMPORTED and "no due date" in report.rows[0].reason, report.rows[0]
    assert read(settings, "alice", "timestamp.txt") == b"2027-01-15 09:15:00.000000 UTC", "the member's own time"


def test_a_submitted_folder_is_kept_unless_replace(course, tmp_path):
    folder = course.layout.submitted_dir("alice", LAB)
    os.makedirs(folder)
    with open(os.path.join(folder, "lab1_neuron.ipynb"), "wb") as handle:
        handle.write(b"collected before")
    path = tmp_path / "canvas.zip"
    with zipfile.ZipFile(path, "w") as archive:
        add(archive, "lovelaceada_48213_991_lab1.ipynb", b"from canvas", local=(2027, 1, 15, 10, 0, 0))
    report = import_archive(course, LAB, str(path), roster_of(course))
    assert (report.rows[0].status, report.rows[0].reason) == (ALREADY_SUBMITTED, "--replace to overwrite")
    assert submitted_tree(course) == {"alice/lab1_neuron/lab1_neuron.ipynb"}, "nothing written"
    assert read(course, "alice", "lab1_neuron.ipynb") == b"collected before"

    report = import_archive(course, LAB, str(path), roster_of(course), replace=True)
    assert report.rows[0].status == IMPORTED
    assert read(course, "alice", "lab1_neuron.ipynb") == b"from canvas", "--replace replaces the notebook"
    assert read(course, "alice", "timestamp.txt") == b"2027-01-15 09:00:00.000000 UTC"
    assert submitted_tree(course) == {"alice/lab1_neuron/lab1_neuron.ipynb", "alice/lab1_neuron/timestamp.txt"}, (
        "no temporary file is left behind"
    )


def test_a_student_folder_that_is_a_link_is_not_written_through(course, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.makedirs(course.path("submitted"))
    os.symlink(outside, course.path("submitted", "alice"))
    path = tmp_path / "canvas.zip"
    with zipfile.ZipFile(path, "w") as archive:
        add(archive, "lovelaceada_48213_991_lab1.ipynb")
    report = import_archive(course, LAB, str(path), roster_of(course))
    assert report.rows[0].status == REFUSED and "is a link" in report.rows[0].reason, report.rows[0]
    assert list(outside.iterdir()) == [], "nothing written where the link points"


# --- Moodle ---------------------------------------------------------------------------------------------------


def test_moodle_archive_imports_notebooks_and_lists_online_text_as_not_a_notebook(course, tmp_path):
    path = tmp_path / "moodle.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.mkdir("Ada Lovelace_48213_assignsubmission_file_")
        add(archive, "Ada Lovelace_48213_assignsubmission_file_/my lab.ipynb", b"alice", local=(2027, 1, 15, 16, 0, 0))
        add(archive, "Ada Lovelace_48213_assignsubmission_onlinetext_/onlinetext.html", b"<p>done</p>")
        add(archive, "Grace Hopper_51000_assignsubmission_file_/lab1_neuron.py", b"print('bob')")
        add(archive, "Alan Turing_60001_assignsubmission_file_lab1_neuron.ipynb", b"carol", local=(2027, 1, 15, 19, 0))
        add(archive, "Nobody Known_12345_assignsubmission_file_/lab1.ipynb", b"?")
    report = import_archive(course, LAB, str(path), roster_of(course))
    assert report.lms == MOODLE
    assert statuses(report) == {
        "Ada Lovelace_48213_assignsubmission_file_/my lab.ipynb": (IMPORTED, "alice"),
        "Ada Lovelace_48213_assignsubmission_onlinetext_/onlinetext.html": (NOT_A_NOTEBOOK, "alice"),
        "Grace Hopper_51000_assignsubmission_file_/lab1_neuron.py": (NOT_A_NOTEBOOK, "bob"),
        "Alan Turing_60001_assignsubmission_file_lab1_neuron.ipynb": (IMPORTED, "carol"),
        "Nobody Known_12345_assignsubmission_file_/lab1.ipynb": (UNKNOWN_STUDENT, ""),
    }
    assert "after the due date" in reasons(report)["Alan Turing_60001_assignsubmission_file_lab1_neuron.ipynb"]
    assert submitted_tree(course) == {
        "alice/lab1_neuron/lab1_neuron.ipynb",
        "alice/lab1_neuron/timestamp.txt",
        "carol/lab1_neuron/lab1_neuron.ipynb",
        "carol/lab1_neuron/timestamp.txt",
    }
    assert read(course, "alice", "timestamp.txt") == b"2027-01-15 15:00:00.000000 UTC"
    assert read(course, "carol", "timestamp.txt") == b"2027-01-15 18:00:00.000000 UTC", "late: its time is kept"


# --- caps -----------------------------------------------------------------------------------------------------


def test_a_member_of_a_gibibyte_of_zeros_is_refused_unread(course, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compresslevel=9) as archive:
        info = zipfile.ZipInfo("lovelaceada_48213_991_lab1.ipynb", (2027, 1, 15, 12, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        chunk = bytes(16 * 2**20)
        with archive.open(info, "w", force_zip64=True) as handle:
            for _ in range(65):  # 1040 MiB of zeros: about 1 MB deflated
                handle.write(chunk)
        add(archive, "hopperg_51000_992_lab1.ipynb", b"bob")
    assert os.path.getsize(path) < 2 * 2**20, "the bomb is small in the archive"
    report = import_archive(course, LAB, str(path), roster_of(course))
    assert statuses(report) == {
        "lovelaceada_48213_991_lab1.ipynb": (REFUSED, "alice"),
        "hopperg_51000_992_lab1.ipynb": (IMPORTED, "bob"),
    }
    assert reasons(report)["lovelaceada_48213_991_lab1.ipynb"] == "1.0 GiB is over the limit of 100.0 MiB"
    assert submitted_tree(course) == {"bob/lab1_neuron/lab1_neuron.ipynb", "bob/lab1_neuron/timestamp.txt"}


def test_what_would_expand_the_archive_beyond_its_total_cap_is_refused(course, tmp_path):
    path = tmp_path / "canvas.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in ("lovelaceada_48213_1_a.ipynb", "hopperg_51000_2_b.ipynb", "turingalan_60001_3_c.ipynb"):
            add(archive, name, bytes(3 * 2**20))
    report = import_archive(course, LAB, str(path), roster_of(course), max_total_bytes=7 * 2**20)
    assert [row.status for row in report.rows] == [IMPORTED, IMPORTED, REFUSED], "alice and bob fit, carol not"
    assert "expands beyond 7.0 MiB" in report.rows[2].reason
    assert not os.path.exists(course.path("submitted", "carol")), "nothing of carol's written"


def test_a_member_larger_than_its_header_says_is_never_imported_whole_or_truncated(course, tmp_path):
    path = tmp_path / "lying.zip"
    with zipfile.ZipFile(path, "w") as archive:
        add(archive, "lovelaceada_48213_1_lab1.ipynb", bytes(64 * 2**10))
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 100)  # the central directory says 100 bytes
    path.write_bytes(bytes(data))
    report = import_archive(course, LAB, str(path), roster_of(course))
    assert report.rows[0].status == REFUSED and "damaged" in report.rows[0].reason, report.rows[0]
    assert submitted_tree(course) == set()
    with zipfile.ZipFile(tmp_path / "honest.zip", "w") as archive:
        add(archive, "x", bytes(5000))
    with zipfile.ZipFile(tmp_path / "honest.zip") as archive, pytest.raises(MemberTooLarge):
        read_member(archive, archive.getinfo("x"), 1000)  # the cap holds while reading, whatever the header says


# --- grading what was imported --------------------------------------------------------------------------------

GRADED = ("alice", "bob", "dave", "judy", "ken")  # full marks, one check lost, two lost, the stub, not JSON


def test_the_imported_class_grades_as_its_examples_expect(settings, tmp_path):
    """The examples handed in through Canvas (alice's stub first, her answer key later) are graded from the
    imported tree: each loses exactly the checks its example says."""
    course = new_course(tmp_path / "course", config="")
    release_lab(course, LAB, with_solution=False)
    variants = {variant.student: variant for variant in load_variants(settings, LAB) if variant.student in GRADED}
    roster = "student,lms_id\n" + "".join(f"{student},{5000 + n}\n" for n, student in enumerate(GRADED))
    (tmp_path / "course" / "roster.csv").write_text(roster, encoding="utf-8")
    path = tmp_path / "canvas.zip"
    with zipfile.ZipFile(path, "w") as archive:
        stub = tmp_path / "stub.ipynb"
        write_variant(settings, LAB, variants["judy"], str(stub))
        add(archive, "aliceexample_5000_1_lab1_neuron.ipynb", stub.read_bytes(), local=(2027, 1, 10, 9, 0, 0))
        for n, student in enumerate(GRADED):
            notebook = tmp_path / f"{student}.ipynb"
            write_variant(settings, LAB, variants[student], str(notebook))
            add(archive, f"{student}example_{5000 + n}_{10 + n}_handin.ipynb", notebook.read_bytes())
    report = import_archive(course, LAB, str(path), roster_of(course))
    assert report.count(IMPORTED) == len(GRADED) and report.count(SUPERSEDED) == 1, report.lines()

    lab = find_lab(course, LAB)
    graded = grade_all(course, lab, make_launcher(course, lab), progress=False, workers=2)
    assert set(graded) == set(GRADED)
    assert (graded["alice"].score, graded["alice"].max_score) == (22, 22), "the answer key, handed in last, wins"
    for student in GRADED:
        variant, results = variants[student], graded[student]
        if variant.rejected:
            assert results.rejected and results.score == 0, f"{student}: not a notebook"
            continue
        lost = {test.check.split("::")[-1]: test.reason for test in results.tests if not test.passed}
        assert lost == variant.loses, f"{student} loses what the example says"


# --- the command line -----------------------------------------------------------------------------------------


def autograder(settings, *args):
    return subprocess.run(
        [sys.executable, "-m", "autograder", "--config", settings.path("course_config.py"), "import", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_import_prints_the_report_and_writes_it_as_csv(course, tmp_path):
    path = tmp_path / "canvas.zip"
    with zipfile.ZipFile(path, "w") as archive:
        add(archive, "lovelaceada_48213_991_lab1.ipynb")
        add(archive, "=HYPERLINK(1)\x1b[2J.ipynb")
    run = autograder(course, LAB, str(path))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "lab1_neuron: 2 member(s) of a canvas archive: 1 imported, 1 unknown student", lines
    assert "imported" in lines[1] and "[alice]" in lines[1], lines
    assert "\x1b" not in run.stdout, "names from the archive are printed without their control characters"
    assert lines[-1].startswith("report: " + course.path("imports", "lab1_neuron-")), lines
    with open(lines[-1].removeprefix("report: "), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["status"] for row in rows] == [IMPORTED, UNKNOWN_STUDENT]
    assert rows[1]["member"] == "'=HYPERLINK(1).ipynb", "a formula-like cell is made inert"
    assert rows[0]["student"] == "alice" and rows[0]["time_utc"] == "2027-01-15 11:00:00.000000 UTC"


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing roster", "no roster at"),
        ("not a zip", "not a zip archive"),
        ("unknown lab", "unknown lab 'lab9_nothing'"),
    ],
)
def test_cli_import_exits_2_with_a_clear_message(course, tmp_path, case, expected):
    archive = tmp_path / "canvas.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        add(handle, "lovelaceada_48213_991_lab1.ipynb")
    arguments = [LAB, str(archive)]
    if case == "missing roster":
        arguments += ["--roster", str(tmp_path / "nowhere.csv")]
    elif case == "not a zip":
        (tmp_path / "text.zip").write_text("not a zip", encoding="utf-8")
        arguments = [LAB, str(tmp_path / "text.zip")]
    else:
        arguments = ["lab9_nothing", str(archive)]
    run = autograder(course, *arguments)
    assert run.returncode == 2, (case, run.stdout, run.stderr)
    assert expected in run.stderr, run.stderr
    assert not os.path.exists(course.path("submitted")), "nothing imported"
