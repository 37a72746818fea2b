"""Grade files that an LMS imports: Canvas's gradebook CSV and Moodle's grading worksheets, from nbgrader's gradebook.

The roster (course/roster.py) says who each student is in the LMS; the gradebook says what they scored. A lab is
in the files once the gradebook knows it (grading registers it): a column for a lab nobody was graded in would
make Canvas create an empty assignment of that name.

The score is nbgrader's, as `nbgrader export` computes it: the raw score (each cell's manual score where a person
gave one, else its autograded score) less the late-submission penalty, never below 0. nbgrader's
Submission.score is the raw score: the penalty is kept apart (SubmittedAssignment.late_submission_penalty).

Canvas (Grades > Import) reads one CSV for the course: `Student, ID, SIS User ID, SIS Login ID, Section`, then one
column per assignment, named "Title (canvas id)" or by title; a row whose first cell holds "Points Possible" gives
the assignments' points; each student is found by ID, else by SIS ids, else by name. An empty cell leaves that
grade as Canvas has it.

Moodle (assignment > "Upload grading worksheet", with offline grading worksheets and feedback comments on) reads
the worksheet it writes itself: it finds the student by `Identifier` ("Participant <id>"), takes `Grade` and
`Feedback comments`, and skips a row whose grade Moodle changed after `Last modified (grade)`: so that column
holds the time of this export (a grade changed in Moodle later is kept), and "-" where there is no grade to give.

Names, ids, comments and the checks' messages reach these files: every cell is written by the csv module
(quoting commas, quotes and line breaks) and made inert (inert_output.csv_cell: no formula); one-line text loses
control characters; the feedback comments, which Moodle shows as HTML, are HTML-escaped.
"""

import csv
import html
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from nbgrader.api import MissingEntry

from autograder.course.config import Settings
from autograder.course.labs import setting
from autograder.course.roster import Roster, Student, read_roster
from autograder.outputs.gradebook import open_gradebook
from autograder.outputs.inert_output import csv_cell, printable_line
from autograder.outputs.results import read_results
from autograder.results import Results

CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_POSSIBLE = "    Points Possible"  # as Canvas's export writes it; its importer looks for the words
MOODLE_COLUMNS = (
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
)
MOODLE_PARTICIPANT = "Participant "  # Moodle's string 'hiddenuser': the importer strips it off the Identifier
MOODLE_SUBMITTED, MOODLE_NO_SUBMISSION = "Submitted for grading", "No submission"
MOODLE_NO_TIME = "-"  # what Moodle writes for no time; its importer reads it as time 0
# A time PHP's strtotime (Moodle's importer) reads without guessing the zone.
MOODLE_TIME = "%Y-%m-%d %H:%M:%S UTC"
MESSAGE_CHARS = 200  # of each failed check's message in a feedback comment


@dataclass(frozen=True)
class GradedLab:
    """A lab of the course that the gradebook knows, with its points (autograded and graded by hand)."""

    name: str
    max_score: float


@dataclass(frozen=True)
class LabGrade:
    """One student's submission of one lab, as nbgrader's gradebook holds it."""

    student: str
    lab: str
    raw_score: float  # nbgrader's Submission.score: per cell the manual score, else the autograded one (+ extra credit)
    autograded: float  # the cells without a manual score
    autograded_max: float  # the points of the autograded (code) cells
    manual: float  # the manual scores given
    manual_pending: bool  # a written answer has no manual score yet
    late_penalty: float
    max_score: float
    submitted_at: datetime | None  # naive UTC, as nbgrader keeps times
    comments: tuple[str, ...]  # what a person wrote in formgrader, "cell: text"
    notebooks: tuple[str, ...]

    @property
    def score(self) -> float:
        """The grade, as nbgrader's export computes it: the raw score less the late penalty, never below 0."""
        return max(0.0, self.raw_score - self.late_penalty)


@dataclass(frozen=True)
class CourseGrades:
    """What the gradebook holds of the course's labs: the labs it knows, in the course's order, and each
    submission's grade by (student, lab)."""

    labs: tuple[GradedLab, ...]
    grades: Mapping[tuple[str, str], LabGrade]

    def grade(self, student: str, lab: str) -> LabGrade | None:
        return self.grades.get((student, lab))

    @property
    def students(self) -> frozenset[str]:
        """The students with a submission of one of the labs."""
        return frozenset(student for student, _ in self.grades)


@dataclass(frozen=True)
class Sheet:
    """A grade file before it is written: its rows (the header first, cells as text) and the gradebook's students
    it leaves out because the roster does not list them."""

    rows: tuple[tuple[str, ...], ...]
    left_out: tuple[str, ...]


# --- the gradebook --------------------------------------------------------------------------------------------


def lab_grade(submission) -> LabGrade:
    """The grade of one of nbgrader's SubmittedAssignment rows (its cells read as the kit's CSV reads them)."""
    grades = [grade for notebook in submission.notebooks for grade in notebook.grades]
    comments = [comment for notebook in submission.notebooks for comment in notebook.comments]
    return LabGrade(
        student=submission.student.id,
        lab=submission.assignment.name,
        raw_score=submission.score,
        autograded=sum(grade.auto_score or 0.0 for grade in grades if grade.manual_score is None),
        autograded_max=sum(grade.max_score for grade in grades if grade.cell.cell_type == "code"),
        manual=sum(grade.manual_score for grade in grades if grade.manual_score is not None),
        manual_pending=any(grade.cell.cell_type == "markdown" and grade.manual_score is None for grade in grades),
        late_penalty=submission.late_submission_penalty or 0.0,
        max_score=submission.max_score,
        submitted_at=submission.timestamp,
        comments=tuple(
            f"{comment.cell.name}: {comment.manual_comment}" for comment in comments if comment.manual_comment
        ),
        notebooks=tuple(notebook.name for notebook in submission.notebooks),
    )


def read_grades(settings: Settings) -> CourseGrades:
    """Every submission of the course's labs in nbgrader's gradebook (labs it does not know are left out)."""
    labs, grades = [], {}
    with open_gradebook(settings) as gradebook:
        for name in settings.autograder.labs:
            try:
                assignment = gradebook.find_assignment(name)
            except MissingEntry:
                continue
            labs.append(GradedLab(name, assignment.max_score))
            for submission in gradebook.assignment_submissions(name):
                grade = lab_grade(submission)
                grades[grade.student, name] = grade
    return CourseGrades(tuple(labs), grades)


def read_course_roster(settings: Settings) -> Roster:
    """The roster c.Autograder.roster names (relative to the course root); UsageError when it is missing or wrong."""
    return read_roster(settings.path(settings.autograder.roster))


def left_out(grades: CourseGrades, roster: Roster) -> tuple[str, ...]:
    """The students with a submission whom the roster does not list: the LMS files cannot name them."""
    return tuple(sorted(student for student in grades.students if roster.by_student(student) is None))


def left_out_students(settings: Settings) -> tuple[str, ...]:
    """left_out() of the course's gradebook and roster: what the export command says after writing."""
    return left_out(read_grades(settings), read_course_roster(settings))


# --- cells --------------------------------------------------------------------------------------------------


def points(value: float) -> str:
    """A score as Canvas shows it: a decimal point, at most two decimals, no exponent, no thousands separator."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def moodle_points(value: float) -> str:
    """A score as Moodle's worksheet writes it (format_float with the grade item's default 2 decimals)."""
    return f"{value:.2f}"


def moodle_time(when: datetime | None) -> str:
    """A naive UTC time (nbgrader's) or an aware one, for Moodle; "-" for none."""
    if when is None:
        return MOODLE_NO_TIME
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime(MOODLE_TIME)


def text(value: str) -> str:
    """One line of text from the roster or the gradebook, without control characters."""
    return printable_line(value).strip()


# --- Canvas ---------------------------------------------------------------------------------------------------


def canvas_assignment(settings: Settings, lab: str) -> str:
    """The lab's column as Canvas names the assignment: its lms_assignment setting, else the lab's id."""
    return text(setting(settings, lab, "lms_assignment")) or lab


def canvas_student_name(name: str) -> str:
    """The Student cell: the roster's name, except one that holds "Points Possible", which Canvas's importer would
    take for the points row (the student is then found by ID)."""
    cleaned = text(name)
    return "" if "Points Possible" in cleaned else cleaned


def canvas_sheet(grades: CourseGrades, roster: Roster, columns: Mapping[str, str]) -> Sheet:
    """Canvas's gradebook CSV: the header (`columns` names each lab's column), the Points Possible row, then one
    row per student of the roster, in its order; a lab without a submission is an empty cell."""
    header = CANVAS_IDENTITY + tuple(columns[lab.name] for lab in grades.labs)
    possible = (CANVAS_POINTS_POSSIBLE, "", "", "", "") + tuple(points(lab.max_score) for lab in grades.labs)
    rows = [header, possible]
    for student in roster.students:
        identity = (
            canvas_student_name(student.name),
            text(student.lms_id),
            text(student.sis_user_id),
            text(student.sis_login_id),
            text(student.section),
        )
        scores = tuple(_canvas_score(grades.grade(student.student, lab.name)) for lab in grades.labs)
        rows.append(identity + scores)
    return Sheet(tuple(rows), left_out(grades, roster))


def _canvas_score(grade: LabGrade | None) -> str:
    return "" if grade is None else points(grade.score)


def canvas_rows(settings: Settings) -> Sheet:
    """canvas_sheet() of the course's gradebook and roster."""
    grades = read_grades(settings)
    columns = {lab.name: canvas_assignment(settings, lab.name) for lab in grades.labs}
    return canvas_sheet(grades, read_course_roster(settings), columns)


def export_canvas(settings: Settings, path: str) -> int:
    """Write Canvas's gradebook CSV to `path`; returns the number of students' rows."""
    sheet = canvas_rows(settings)
    write_csv(path, sheet.rows)
    return len(sheet.rows) - 2  # the header and the Points Possible row


# --- Moodle ---------------------------------------------------------------------------------------------------


def moodle_comment(grade: LabGrade, results: Results | None, feedback_pages: Iterable[str]) -> str:
    """The feedback comment of a submission, as HTML-escaped text on one line: the score's parts, the failed
    checks and why, what a person wrote, and where the feedback page is."""
    pending = " (written answers still to be graded)" if grade.manual_pending else ""
    parts = [
        f"autograded {grade.autograded:g}/{grade.autograded_max:g}, manual {grade.manual:g}{pending}, "
        f"late penalty -{grade.late_penalty:g}"
    ]
    if results is not None and results.rejected:
        parts.append(f"not graded: {results.rejected}")
    elif results is not None:
        failed = [_failed_check(test) for test in results.tests if not test.passed]
        if failed:
            parts.append("failed checks: " + "; ".join(failed))
    parts += [f"comment on {comment}" for comment in grade.comments]
    parts += [f"feedback page: {page}" for page in feedback_pages]
    return html.escape(". ".join(text(part) for part in parts), quote=False)


def _failed_check(test) -> str:
    message = text(test.output)
    if len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 3] + "..."
    return f"{test.name} ({test.reason})" + (f": {message}" if message else "")


def moodle_row(
    student: Student, grade: LabGrade | None, max_score: float, comment: str, exported_at: datetime
) -> tuple[str, ...]:
    """One row of a Moodle grading worksheet. Without a submission, no grade and "-" as the grade's time, so that
    the importer changes nothing Moodle holds for the student."""
    identity = (MOODLE_PARTICIPANT + text(student.lms_id), text(student.name), text(student.email))
    if grade is None:
        no_grade = ("", moodle_points(max_score), "Yes", MOODLE_NO_TIME, MOODLE_NO_TIME, "")
        return identity + (MOODLE_NO_SUBMISSION, *no_grade)
    return identity + (
        MOODLE_SUBMITTED,
        moodle_points(grade.score),
        moodle_points(max_score),
        "Yes",
        moodle_time(grade.submitted_at),
        moodle_time(exported_at),
        comment,
    )


def moodle_sheets(settings: Settings, exported_at: datetime | None = None) -> dict[str, Sheet]:
    """One Moodle grading worksheet per lab the gradebook knows, a row per student of the roster, by lab;
    `exported_at` (now by default) is the grades' time of modification."""
    when = exported_at or datetime.now(UTC)
    grades, roster = read_grades(settings), read_course_roster(settings)
    layout, missing = settings.layout, left_out(grades, roster)
    sheets = {}
    for lab in grades.labs:
        rows = [MOODLE_COLUMNS]
        for student in roster.students:
            grade = grades.grade(student.student, lab.name)
            comment = ""
            if grade is not None:  # roster ids are plain folder names (read_roster checks them): safe in paths
                results = read_results(layout.results_path(student.student, lab.name))
                pages = [layout.feedback_page(student.student, lab.name, notebook) for notebook in grade.notebooks]
                shown = [os.path.relpath(page, settings.root) for page in pages if os.path.isfile(page)]
                comment = moodle_comment(grade, results, shown)
            rows.append(moodle_row(student, grade, lab.max_score, comment, when))
        sheets[lab.name] = Sheet(tuple(rows), missing)
    return sheets


def export_moodle(settings: Settings, folder: str) -> int:
    """Write <folder>/<lab>.csv, Moodle's grading worksheet of each lab; returns the number of students' rows."""
    count = 0
    for lab, sheet in moodle_sheets(settings).items():
        write_csv(os.path.join(folder, lab + ".csv"), sheet.rows)
        count += len(sheet.rows) - 1
    return count


# --- files ------------------------------------------------------------------------------------------------------


def write_csv(path: str, rows: Iterable[Iterable[str]]) -> None:
    """Rows to a UTF-8 CSV file (no byte-order mark: both importers read plain UTF-8), every cell inert."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerows([inert_cell(cell) for cell in row] for row in rows)


def inert_cell(cell: str) -> str:
    """csv_cell(cell), but Moodle's "-" (no time) as Moodle writes it: an operator alone is no formula."""
    return cell if cell == MOODLE_NO_TIME else csv_cell(cell)
