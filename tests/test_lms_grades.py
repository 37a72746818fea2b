"""The grade files Canvas and Moodle import hold nbgrader's gradebook: its scores, the manual ones and the late penalty
included, one row per student of the roster, every cell inert.

One course whose gradebook is filled the way `grade` fills it (record_results: autograded scores, the submission's
time, nbgrader's "zero" late penalty against a due date in the past; then results.json), without running notebooks:
lab1 and lab2 registered with nbgrader, five graded students (bob late), a manual score and an instructor's comment
with HTML in it, a roster with a formula for a name, a name with a comma and quotes, a student with no submission
and a graded student missing from it.
"""

import csv
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from nbgrader.api import Gradebook

from autograder.course.config import load_config
from autograder.course.grade_class import penalty_noted
from autograder.course.release import register_lab
from autograder.demo.course import make_course
from autograder.outputs.gradebook import record_due_date, record_results
from autograder.outputs.lms_grades import canvas_rows, export_canvas, export_moodle, moodle_sheets
from autograder.outputs.results import write_results
from autograder.results import CheckOutcome, Results

LAB1, LAB2 = "lab1_neuron", "lab2_ann"
CANVAS_LAB1 = "Lab 1: The neuron (4711)"  # lab1's lms_assignment; lab2 has none, so its column is its id
NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # naive UTC, as nbgrader keeps times
DUE = NOW - timedelta(days=5)
ON_TIME, LATE = DUE - timedelta(days=1), DUE + timedelta(days=4)
EXPORTED_AT = datetime(2027, 1, 20, 9, 30, tzinfo=UTC)
AUTOGRADED_CELLS = {  # each lab's autograded grade cells and their points (source/<lab>/<lab>.ipynb)
    LAB1: {"test_activations": 12, "test_neuron": 3, "test_logic_gates": 3, "test_truth_table": 2, "test_xor": 2},
    LAB2: {"test_basic_network": 4, "test_init": 6, "test_feedforward": 7, "test_vectorised": 2, "test_predict": 2},
}
WRITTEN = {LAB1: "xor_written", LAB2: "shared_weights_written"}
FORMULA_NAME = '=HYPERLINK("http://evil.example","click me")'
QUOTED_NAME = 'O"Neil, Carol'
COMMENT = '<script>alert("x")</script> Clear argument & a good picture'
BOB_MESSAGE = "xor(1, 1) gives 1 <img src=x onerror=alert(1)>"
ROSTER = [  # student, lms_id, name, email, sis_user_id, sis_login_id, section (dave, graded, is not on it)
    ("ada", "48213", "Ada Lovelace", "ada@uni.example", "1001", "ada", "Section A"),
    ("bob", "48214", "Bob Byte", "bob@uni.example", "1002", "bob", "Section A"),
    ("carol", "48215", QUOTED_NAME, "carol@uni.example", "1003", "carol", "Section B"),
    ("eve", "48216", FORMULA_NAME, "eve@uni.example", "1004", "eve", "Section B"),
    ("frank", "48217", "Frank No-Show", "frank@uni.example", "1005", "frank", "Section B"),
]
GRADED = {  # student -> lab -> (failed cells {cell: (reason, message)}, time handed in)
    "ada": {LAB1: ({}, ON_TIME), LAB2: ({"test_init": ("wrong answer", "weights <b>not</b> drawn")}, ON_TIME)},
    "bob": {LAB1: ({"test_xor": ("wrong answer", BOB_MESSAGE)}, LATE)},
    "carol": {LAB1: ({"test_logic_gates": ("timeout", "")}, ON_TIME)},
    "eve": {LAB1: ({}, None)},
    "dave": {LAB1: ({}, ON_TIME)},
}


def results_of(lab: str, failed: dict[str, tuple[str, str]]) -> Results:
    """Results as grading makes them: one check per autograded cell, the `failed` ones with their reason."""
    tests = tuple(
        CheckOutcome(
            name=f"{cell.removeprefix('test_')} is right",
            check=f"grading_tests/{lab}/test_{lab}.py::{cell}",
            grade_cell=cell,
            max_score=float(points),
            passed=cell not in failed,
            reason=failed[cell][0] if cell in failed else None,
            output=failed[cell][1] if cell in failed else "",
        )
        for cell, points in AUTOGRADED_CELLS[lab].items()
    )
    return Results(lab, "", tests, "", 0.1, device="cpu", sandboxed=True, manual_max_score=2.0)


def record(settings, student: str, lab: str, results: Results, when: datetime | None) -> None:
    """What `grade` records of a graded submission: the gradebook (scores, time, late penalty), then results.json."""
    grades = record_results(settings, lab, lab, student, results, when)
    write_results(settings.layout.results_path(student, lab), penalty_noted(results, grades.late_penalty))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("lms") / "course")
    make_course(
        folder,
        extra_config=(
            f'\nc.Autograder.lab_settings["{LAB1}"]["lms_assignment"] = "{CANVAS_LAB1}"\n'
            f'c.Autograder.due_dates = {{"{LAB1}": "{DUE:%Y-%m-%d %H:%M:%S}", "{LAB2}": "{DUE:%Y-%m-%d %H:%M:%S}"}}\n'
            'c.LateSubmissionPlugin.penalty_method = "zero"\n'
        ),
    )
    settings = load_config(os.path.join(folder, "course_config.py"))
    for lab in (LAB1, LAB2):
        register_lab(settings, lab)
        record_due_date(settings, lab)
    for student, labs in GRADED.items():
        for lab, (failed, when) in labs.items():
            record(settings, student, lab, results_of(lab, failed), when)
    with Gradebook(settings.db_url, settings.course_id) as book:
        book.find_grade(WRITTEN[LAB1], LAB1, LAB1, "ada").manual_score = 1.5
        book.find_comment(WRITTEN[LAB1], LAB1, LAB1, "ada").manual_comment = COMMENT
        book.db.commit()
    page = settings.layout.feedback_page("ada", LAB1, LAB1)
    os.makedirs(os.path.dirname(page))
    open(page, "w", encoding="utf-8").close()
    with open(settings.path("roster.csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("student", "lms_id", "name", "email", "sis_user_id", "sis_login_id", "section"))
        writer.writerows(ROSTER)
    return settings


def gradebook_scores(settings) -> dict[tuple[str, str], tuple[float, float, float, float]]:
    """{(student, lab): (nbgrader's score, its autograded part, its manual part, late penalty)}, read with nbgrader's
    own API."""
    scores = {}
    with Gradebook(settings.db_url, settings.course_id) as book:
        for lab in (LAB1, LAB2):
            for submission in book.assignment_submissions(lab):
                grades = [grade for notebook in submission.notebooks for grade in notebook.grades]
                auto = sum(grade.auto_score or 0 for grade in grades if grade.manual_score is None)
                manual = sum(grade.manual_score for grade in grades if grade.manual_score is not None)
                penalty = submission.late_submission_penalty
                scores[submission.student.id, lab] = (submission.score, auto, manual, penalty)
    return scores


def read_csv(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def canvas(course, tmp_path_factory):
    path = tmp_path_factory.mktemp("canvas") / "canvas_grades.csv"
    count = export_canvas(course, str(path))
    return count, read_csv(path)


@pytest.fixture(scope="module")
def moodle(course, tmp_path_factory):
    folder = tmp_path_factory.mktemp("moodle")
    sheets = moodle_sheets(course, exported_at=EXPORTED_AT)
    started = datetime.now(UTC).replace(microsecond=0)
    count = export_moodle(course, str(folder))
    exported = (started, datetime.now(UTC))
    return count, sheets, {lab: read_csv(folder / f"{lab}.csv") for lab in (LAB1, LAB2)}, exported


def test_the_canvas_csv_has_the_header_and_points_possible_row_canvas_import_expects(course, canvas):
    count, rows = canvas
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", CANVAS_LAB1, LAB2], (
        f"Canvas's five identity columns, then each lab named as Canvas names its assignment: {rows[0]}"
    )
    assert rows[1] == ["    Points Possible", "", "", "", "", "24", "23"], (
        f"the Points Possible row, as Canvas's export writes it, with each lab's points (code and written): {rows[1]}"
    )
    assert count == len(ROSTER) == len(rows) - 2, "one row per student of the roster, counted"
    assert [row[1] for row in rows[2:]] == [student[1] for student in ROSTER], "ID is the roster's Canvas user id"
    ada = rows[2]
    assert ada[:5] == ["Ada Lovelace", "48213", "1001", "ada", "Section A"], f"ada's identity from the roster: {ada}"


def test_each_canvas_score_is_nbgraders_score_less_the_late_penalty(course, canvas):
    _, rows = canvas
    scores = gradebook_scores(course)
    by_id = {row[1]: row for row in rows[2:]}
    for student, lms_id, *_ in ROSTER:
        for column, lab in ((5, LAB1), (6, LAB2)):
            cell = by_id[lms_id][column]
            if (student, lab) not in scores:
                assert cell == "", f"{student} handed in no {lab}: an empty cell leaves Canvas's grade as it is"
                continue
            score, auto, manual, penalty = scores[student, lab]
            assert score == auto + manual, f"nbgrader's score of {student}'s {lab} is autograded + manual"
            assert float(cell) == max(0.0, score - penalty), (
                f"{student}'s {lab}: autograded {auto} + manual {manual} - penalty {penalty}, got {cell}"
            )
    assert scores["ada", LAB1][2] == 1.5 and float(by_id["48213"][5]) == 23.5, "ada's manual 1.5 points count"
    assert scores["bob", LAB1][3] == 20.0 and by_id["48214"][5] == "0", "bob is late: 'zero' takes his 20 points"
    assert float(by_id["48213"][6]) == 15.0, "ada's lab2: 21 autograded points less the 6 of the failed test_init"


def test_a_formula_for_a_name_comes_out_as_text_and_commas_and_quotes_survive(canvas, moodle):
    _, rows = canvas
    names = {row[1]: row[0] for row in rows[2:]}
    assert names["48216"] == "'" + FORMULA_NAME, f"a spreadsheet must show eve's name, not run it: {names['48216']}"
    assert names["48215"] == QUOTED_NAME, f"carol's name parses back whole: {names['48215']}"
    _, _, worksheets, _ = moodle
    moodle_names = {row[0]: row[1] for row in worksheets[LAB1][1:]}
    assert moodle_names["Participant 48216"] == "'" + FORMULA_NAME, "the Moodle worksheet writes it as text too"
    assert moodle_names["Participant 48215"] == QUOTED_NAME


def test_a_graded_student_missing_from_the_roster_is_left_out_and_said(course, canvas, moodle):
    _, rows = canvas
    assert canvas_rows(course).left_out == ("dave",), "dave has grades but the roster does not list him"
    assert not any("dave" in cell for row in rows for cell in row), "no row for dave in the Canvas file"
    _, sheets, _, _ = moodle
    assert all(sheet.left_out == ("dave",) for sheet in sheets.values()), "nor in Moodle's worksheets"


def test_moodle_gets_one_grading_worksheet_per_lab_with_its_columns_and_nbgraders_scores(course, moodle):
    count, sheets, worksheets, exported = moodle
    scores = gradebook_scores(course)
    assert count == 2 * len(ROSTER), "a row per student of the roster in each lab's worksheet"
    for lab, rows in worksheets.items():
        assert rows[0] == [
            "Identifier",
            "Full name",
            "Email address",
            "Status",
            "Grade",
            "Maximum Grade",
            "Grade can be changed",
            "Last modified (submission)",
            "Last modified (grade)",
            "Feedback comments",
        ], f"{lab}: the columns of Moodle's own 'Download grading worksheet'"
        for (student, lms_id, _, email, *_), row in zip(ROSTER, rows[1:]):
            assert row[0] == f"Participant {lms_id}" and row[2] == email, f"{student}: Moodle's identifier, email"
            assert row[5] == ("24.00" if lab == LAB1 else "23.00"), f"{lab}'s maximum grade: {row[5]}"
            if (student, lab) not in scores:
                assert row[3:5] == ["No submission", ""] and row[7:] == ["-", "-", ""], (
                    f"{student} handed in no {lab}: no grade, and '-' as its time so that Moodle keeps its own"
                )
                continue
            score, _, _, penalty = scores[student, lab]
            assert row[3] == "Submitted for grading" and row[6] == "Yes", f"{student}'s {lab}: {row}"
            assert row[4] == f"{max(0.0, score - penalty):.2f}", f"{student}'s {lab}: nbgrader's score, got {row[4]}"
            graded_at = datetime.strptime(row[8], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)
            assert exported[0] <= graded_at <= exported[1], (
                f"the grade's time is the export's, so that Moodle keeps a grade changed there later: {row[8]}"
            )
    assert worksheets[LAB1][1][7] == f"{ON_TIME:%Y-%m-%d %H:%M:%S} UTC", "ada's submission time, from the gradebook"
    assert worksheets[LAB1][4][7] == "-", "eve handed in no timestamp.txt: no submission time"
    assert sheets[LAB1].rows[1][8] == "2027-01-20 09:30:00 UTC", "an export time given is the grades' time"


def test_moodle_feedback_sums_up_the_grade_and_escapes_html(moodle):
    _, _, worksheets, _ = moodle
    comments = {row[0]: row[9] for row in worksheets[LAB1][1:]}
    ada, bob = comments["Participant 48213"], comments["Participant 48214"]
    assert ada.startswith("autograded 22/22, manual 1.5, late penalty -0"), f"the score's parts first: {ada}"
    assert '&lt;script&gt;alert("x")&lt;/script&gt; Clear argument &amp; a good picture' in ada, (
        f"the instructor's comment, its HTML escaped (Moodle shows comments as HTML): {ada}"
    )
    assert "feedback page: feedback/ada/lab1_neuron/lab1_neuron.html" in ada, "where ada's feedback page is"
    assert bob.startswith("autograded 20/22, manual 0 (written answers still to be graded), late penalty -20"), bob
    assert "xor is right (wrong answer): xor(1, 1) gives 1 &lt;img src=x onerror=alert(1)&gt;" in bob, (
        f"the failed check, its reason and its message, escaped: {bob}"
    )
    assert "<" not in "".join(comments.values()), "no markup in any comment"
    assert "feedback page" not in bob, "bob has no feedback page: none is named"
    lab2 = worksheets[LAB2][1][9]
    assert "init is right (wrong answer): weights &lt;b&gt;not&lt;/b&gt; drawn" in lab2, lab2


def test_the_export_command_writes_the_canvas_file_and_names_who_was_left_out(course, tmp_path):
    path = tmp_path / "canvas.csv"
    command = [sys.executable, "-m", "autograder", "--config", course.path("course_config.py")]
    done = subprocess.run(
        [*command, "export", "--format", "canvas", "--output", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"export --format canvas failed:\n{done.stderr[-3000:]}"
    assert f"wrote the grades of 5 students (the roster's) to {path}" in done.stdout, done.stdout
    assert "roster.csv does not list them: 1 graded student (dave)" in done.stdout, done.stdout
    assert read_csv(path)[0][5] == CANVAS_LAB1, "the file the command wrote is Canvas's"
