"""`grade LAB` grades every submission into nbgrader's gradebook, resumes, and writes feedback and exports."""

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import KIT
from nbgrader.api import Gradebook

from autograder.course.config import load_config
from autograder.course.grade_class import grade_all
from autograder.course.labs import find_lab, resolve_lab
from autograder.course.release import release_lab
from autograder.demo.course import hand_in, make_course
from autograder.demo.examples import load_variants
from autograder.outputs.class_report import summarise, write_class_report
from autograder.outputs.export import export_csv, export_gradescope
from autograder.sandbox.backend import make_launcher


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with lab1 released and the example submissions handed in, then graded once, by two
    worker processes (the gradebook is written by this process alone)."""
    folder = str(tmp_path_factory.mktemp("course") / "course")
    make_course(folder)
    settings = load_config(os.path.join(folder, "course_config.py"))
    release_lab(settings, "lab1_neuron", with_solution=True)
    hand_in(settings, "lab1_neuron")
    lab = find_lab(settings, "lab1_neuron")
    graded = grade_all(
        settings, lab, make_launcher(settings, resolve_lab(settings, "lab1_neuron")), progress=False, workers=2
    )
    return settings, lab, graded


def scores_in_gradebook(settings) -> dict[str, float]:
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        return {sub.student.id: sub.score for sub in gradebook.assignment_submissions("lab1_neuron")}


def test_every_submission_is_in_the_gradebook_with_its_score(course):
    settings, _, graded = course
    scores = scores_in_gradebook(settings)
    assert set(scores) == set(graded), "one gradebook entry per submission, rejected files included"
    assert {student: scores[student] for student in ("alice", "bob", "judy", "ken")} == {
        "alice": 22.0,
        "bob": 21.0,
        "judy": 0.0,
        "ken": 0.0,
    }


def test_written_answer_waits_for_a_person_in_formgrader(course):
    settings, _, _ = course
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        grade = gradebook.find_grade("xor_written", "lab1_neuron", "lab1_neuron", "alice")
        assert grade.needs_manual_grade and grade.auto_score is None, "the written answer is graded by hand"
        code = gradebook.find_grade("test_xor", "lab1_neuron", "lab1_neuron", "alice")
        assert code.auto_score == 2 and not code.needs_manual_grade


def test_second_run_resumes_without_grading_again(course):
    settings, lab, _ = course
    results = os.path.join(settings.path("autograded", "alice", "lab1_neuron", "results.json"))
    before = os.stat(results).st_mtime_ns
    again = grade_all(settings, lab, make_launcher(settings, resolve_lab(settings, "lab1_neuron")), progress=False)
    assert os.stat(results).st_mtime_ns == before, "an unchanged submission is not graded twice"
    assert again["alice"].score == 22


def test_a_changed_submission_is_graded_again(course):
    settings, lab, _ = course
    os.replace(
        settings.path("submitted", "judy", "lab1_neuron", "lab1_neuron.ipynb"),
        settings.path("submitted", "judy", "lab1_neuron", "old.ipynb"),
    )
    shutil.copyfile(
        settings.path("solutions", "lab1_neuron", "lab1_neuron.ipynb"),
        settings.path("submitted", "judy", "lab1_neuron", "lab1_neuron.ipynb"),
    )
    graded = grade_all(settings, lab, make_launcher(settings, resolve_lab(settings, "lab1_neuron")), progress=False)
    assert graded["judy"].score == 22, "judy's new notebook is graded"
    assert scores_in_gradebook(settings)["judy"] == 22.0, "and the gradebook holds the new score"


def test_feedback_page_shows_messages_and_reasons(course):
    settings, _, _ = course
    page = open(settings.path("feedback", "erin", "lab1_neuron", "lab1_neuron.html"), encoding="utf-8").read()
    assert "truth table says 0" in page and "wrong answer" in page and "19 / 22" in page


def test_exports(course, tmp_path):
    settings, _, _ = course
    assert export_csv(settings, str(tmp_path / "grades.csv")) == 15
    rows = {row["student"]: row for row in csv.DictReader(open(tmp_path / "grades.csv", encoding="utf-8"))}
    assert float(rows["bob"]["score"]) == 21.0 and rows["bob"]["needs_manual_grade"] == "True"
    assert export_gradescope(settings, str(tmp_path / "gs")) == 15
    assert json.loads((tmp_path / "gs" / "lab1_neuron" / "dave.json").read_text())["score"] == 18


def test_class_report_counts_the_students_who_fail_each_check(course, tmp_path):
    settings, _, graded = course
    expected = {}  # check function -> how many examples must fail it (a file that is not a notebook fails all)
    for variant in load_variants(settings, "lab1_neuron"):
        for summary in summarise({variant.student: graded[variant.student]}):
            function = summary.check.split("::")[-1]
            expected[function] = expected.get(function, 0) + (variant.rejected or function in variant.loses)
    counted = {summary.check.split("::")[-1]: summary.failed for summary in summarise(graded)}
    assert counted == expected, "each check's failures should be the examples that lose it"
    failures = [summary.failed for summary in summarise(graded)]
    assert failures == sorted(failures, reverse=True), "the most often failed checks come first"
    assert write_class_report(settings, str(tmp_path / "report.md")) == 1, "one lab (lab1) has graded submissions"
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## lab1_neuron" in report and "15 submissions" in report and "the truth table says 0" in report


def test_export_command_writes_the_class_report(course, tmp_path):
    settings, _, _ = course
    command = [
        sys.executable,
        "-m",
        "autograder",
        "--config",
        settings.path("course_config.py"),
        "export",
        "--format",
        "report",
        "--output",
        str(tmp_path / "class_report.md"),
    ]
    run = subprocess.run(command, capture_output=True, text=True, cwd=KIT)
    assert run.returncode == 0 and "labs with graded submissions: 1" in run.stdout, run.stdout + run.stderr
    assert "| check | points | failed | why | most common message |" in (tmp_path / "class_report.md").read_text(
        encoding="utf-8"
    )


def test_nbgrader_export_shows_the_scores(course, tmp_path):
    settings, _, _ = course
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    run = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "nbgrader"),
            "export",
            "--NbGrader.config_file=course_config",
            "--to",
            str(tmp_path / "nb.csv"),
        ],
        cwd=settings.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    rows = {row["student_id"]: row for row in csv.DictReader(open(tmp_path / "nb.csv", encoding="utf-8"))}
    assert float(rows["carol"]["score"]) == 17.0 and float(rows["carol"]["max_score"]) == 24.0
