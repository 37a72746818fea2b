"""The course's roster: who each student of the LMS is in the course.

An LMS names a student by its own number (Canvas's user id in the names of its submission files, Moodle's
participant id in its folder names and grading worksheet); the course names them by nbgrader's student id (the
folder under submitted/, the gradebook's id). roster.csv maps one to the other, one row per student:

    student,lms_id,name,email,sis_user_id,sis_login_id,section
    s001,48213,Ada Lovelace,ada@uni.example,1001,ada,Section A

`student` and `lms_id` are required; the other columns are optional and go into the grade files the LMS imports
(Canvas's gradebook CSV wants its SIS ids and section, Moodle's worksheet the full name and email). Every id is
checked when the roster is read: a student id becomes a folder name and goes into formgrader's pages, so it must
be a plain, printable name; an id listed twice is refused, with its line.
"""

import csv
import os
from dataclasses import dataclass
from functools import cached_property

from autograder.errors import UsageError
from autograder.grading.submitted_files import student_id_problem

MAX_ROSTER_BYTES = 10 * 2**20
REQUIRED = ("student", "lms_id")
OPTIONAL = ("name", "email", "sis_user_id", "sis_login_id", "section")


@dataclass(frozen=True)
class Student:
    """One row of the roster: the course's id of a student and the LMS's."""

    student: str  # nbgrader's student id: the folder under submitted/, the gradebook's id
    lms_id: str  # Canvas's user id, or Moodle's participant id
    name: str = ""
    email: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""


@dataclass(frozen=True)
class Roster:
    students: tuple[Student, ...]

    def by_lms_id(self, lms_id: str) -> Student | None:
        """The student the LMS calls `lms_id`, or None when the roster does not list them."""
        return self._by_lms_id.get(lms_id.strip())

    def by_student(self, student: str) -> Student | None:
        """The roster's row of the course's student `student`, or None."""
        return self._by_student.get(student)

    @cached_property
    def _by_lms_id(self) -> dict[str, Student]:
        return {row.lms_id: row for row in self.students}

    @cached_property
    def _by_student(self) -> dict[str, Student]:
        return {row.student: row for row in self.students}


def student_folder_problem(student: str) -> str | None:
    """Why `student` cannot name a folder under submitted/ and a gradebook id, or None when it can."""
    if not student or student in (".", "..") or student.startswith(".") or "/" in student or "\\" in student:
        return "a student id must be a plain folder name (not empty, no '/', not starting with '.')"
    if len(student) > 128:
        return "a student id is at most 128 characters"
    return student_id_problem(student)


def read_roster(path: str) -> Roster:
    """The roster in the CSV file at `path` (UTF-8, a header row naming its columns); UsageError naming the file
    and line of anything wrong: a missing column, an empty or unusable id, an id listed twice."""
    if not os.path.isfile(path):
        raise UsageError(f"no roster at {path}: a CSV file with the columns student,lms_id (see the README)")
    if os.path.getsize(path) > MAX_ROSTER_BYTES:
        raise UsageError(f"{path}: a roster of more than {MAX_ROSTER_BYTES // 2**20} MiB is not a roster")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or ()]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise UsageError(f"{path}: the roster has no column {', '.join(missing)} (its header: {header})")
        reader.fieldnames = header
        rows, seen_students, seen_ids = [], {}, {}
        for line, row in enumerate(reader, start=2):
            values = {name: (row.get(name) or "").strip() for name in (*REQUIRED, *OPTIONAL)}
            problem = student_folder_problem(values["student"])
            if problem is not None:
                raise UsageError(f"{path}, line {line}: student {values['student']!r}: {problem}")
            if not values["lms_id"] or not values["lms_id"].isprintable():
                raise UsageError(f"{path}, line {line}: student {values['student']!r} has no usable lms_id")
            for seen, key in ((seen_students, "student"), (seen_ids, "lms_id")):
                if values[key] in seen:
                    raise UsageError(
                        f"{path}, line {line}: {key} {values[key]!r} is already on line {seen[values[key]]}"
                    )
                seen[values[key]] = line
            rows.append(Student(**values))
    return Roster(tuple(rows))
