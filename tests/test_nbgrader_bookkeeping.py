"""The kit leaves what nbgrader's autograde leaves, so that every nbgrader command and view after grading works.

One course copy of lab1 with its own hidden checks (so that a test may change one), a due date and nbgrader's
"zero" late penalty; three submissions: alice on time, bob four days late, carol without timestamp.txt (as an
LMS archive hands it in). Each graded by the kit, then looked at with nbgrader's own API and commands.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.course.config import load_config
from autograder.course.grade_class import NBGRADER_TIME, plan_grading
from autograder.course.labs import find_lab
from autograder.course.release import nbgrader_api, release_lab
from autograder.demo.course import make_course
from autograder.demo.examples import load_variants, write_variant
from autograder.grading.submitted_files import RELEASE_TIME_FILE
from autograder.outputs.autograded_notebook import HEADER

LAB = "lab1_neuron"
NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # naive UTC, as nbgrader keeps times
RELEASED = NOW - timedelta(days=10)
DUE = NOW - timedelta(days=5)
HANDED_IN = {"alice": DUE - timedelta(days=1), "bob": DUE + timedelta(days=4), "carol": None}
STALE_OUTPUT = "All public activation tests passed."  # saved by the student, never from the grading run
VENV_BIN = os.path.dirname(sys.executable)


def hand_in(settings, student: str, variant_name: str, when: datetime | None) -> str:
    """Write example `variant_name` as `student`'s submission, with timestamp.txt at `when` (none if None)."""
    variant = next(v for v in load_variants(settings, LAB) if v.student == variant_name)
    folder = settings.layout.submitted_dir(student, LAB)
    path = os.path.join(folder, LAB + ".ipynb")
    write_variant(settings, LAB, variant, path)
    if when is not None:
        with open(os.path.join(folder, "timestamp.txt"), "w", encoding="utf-8") as handle:
            handle.write(when.strftime(NBGRADER_TIME))
    return path


def with_stale_output(path: str) -> None:
    """Save a passing output in the activations' test cell, as a student's notebook may hold one."""
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_activations")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=STALE_OUTPUT + "\n")]
    nbformat.write(nb, path)


def kit(course: str, *arguments: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "autograder", "--config", os.path.join(course, "course_config.py"), *arguments]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)
    assert done.returncode == 0, f"{' '.join(arguments)} failed:\n{done.stderr[-3000:]}"
    return done


def nbgrader(course: str, *arguments: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", "")}
    command = [os.path.join(VENV_BIN, "nbgrader"), *arguments, "--NbGrader.config_file=course_config"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd or course, env=env)
    assert done.returncode == 0, f"nbgrader {' '.join(arguments)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("bookkeeping") / "course")
    make_course(folder)
    os.unlink(os.path.join(folder, "grading_tests"))  # a copy of lab1's checks, which a test changes
    shutil.copytree(
        os.path.join(os.path.dirname(os.path.dirname(__file__)), "grading_tests", LAB),
        os.path.join(folder, "grading_tests", LAB),
    )
    config = os.path.join(folder, "course_config.py")
    shutil.copyfile(os.path.realpath(config), config + ".new")
    os.replace(config + ".new", config)
    with open(config, "a", encoding="utf-8") as handle:
        handle.write(f'\nc.Autograder.due_dates = {{"{LAB}": "{DUE:%Y-%m-%d %H:%M:%S}"}}\n')
        handle.write('c.LateSubmissionPlugin.penalty_method = "zero"\n')
        handle.write(f'c.Autograder.lab_settings = {{"{LAB}": {{"cell_timeout": 10.0, "check_timeout": 5.0}}}}\n')
    settings = load_config(config)
    release_lab(settings, LAB, with_solution=True)
    with open(os.path.join(settings.layout.release_dir(LAB), RELEASE_TIME_FILE), "w", encoding="utf-8") as handle:
        handle.write(RELEASED.strftime(NBGRADER_TIME))
    with_stale_output(hand_in(settings, "alice", "alice", HANDED_IN["alice"]))
    hand_in(settings, "bob", "bob", HANDED_IN["bob"])  # step(0) is 0: loses one point
    hand_in(settings, "carol", "alice", HANDED_IN["carol"])
    first = kit(folder, "grade", LAB, "--quiet")
    return settings, first


def results_of(settings, student: str) -> dict:
    with open(settings.layout.results_path(student, LAB), encoding="utf-8") as handle:
        return json.load(handle)


def test_each_submission_has_its_own_time_in_the_gradebook_and_no_grading_time(course):
    settings, _ = course
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        times = {s.student.id: s.timestamp for s in gradebook.assignment_submissions(LAB)}
    assert times == HANDED_IN, f"the gradebook should hold the times of timestamp.txt (None without), got {times}"


def test_autograded_folder_holds_timestamp_txt_as_nbgraders_autograde_leaves_it(course):
    settings, _ = course
    for student, when in HANDED_IN.items():
        path = os.path.join(settings.layout.autograded_dir(student, LAB), "timestamp.txt")
        if when is None:
            assert not os.path.exists(path), f"{student} handed in no timestamp.txt: none in autograded/"
        else:
            written = open(path, encoding="utf-8").read()
            assert written == when.strftime(NBGRADER_TIME), f"{student}'s timestamp.txt: {written!r}"


def test_formgrader_counts_every_kit_graded_submission_as_autograded(course):
    settings, _ = course
    api = nbgrader_api(settings)
    assert api.get_autograded_students(LAB) == set(HANDED_IN), (
        "formgrader lists a submission as needing autograding unless nbgrader's bookkeeping is complete"
    )
    scores = {s["student"]: s["score"] for s in api.get_submissions(LAB)}
    assert scores == {"alice": 22.0, "bob": 21.0, "carol": 22.0}, f"formgrader's scores: {scores}"


def test_nbgraders_export_shows_the_late_penalty_of_the_late_submission_only(course, tmp_path):
    settings, _ = course
    nbgrader(settings.root, "export", f"--to={tmp_path / 'grades.csv'}")
    rows = {row["student_id"]: row for row in csv.DictReader(open(tmp_path / "grades.csv", encoding="utf-8"))}
    penalties = {student: float(row["late_submission_penalty"]) for student, row in rows.items()}
    assert penalties == {"alice": 0.0, "bob": 21.0, "carol": 0.0}, (
        f"penalty_method 'zero' takes bob's 21 points (4 days late) and nothing of the others: {penalties}"
    )
    assert float(rows["bob"]["score"]) == 0.0, "nbgrader's score of a late submission under 'zero' is 0"
    assert results_of(settings, "bob")["extra_data"]["late_penalty"] == 21.0, "results.json records the penalty"
    assert "after the due date" in results_of(settings, "bob")["output"], "and the student reads why"


def test_the_autograded_notebook_shows_the_grading_run_and_the_verdicts_never_saved_outputs(course):
    settings, _ = course
    for student in ("alice", "bob"):
        nb = nbformat.read(os.path.join(settings.layout.autograded_dir(student, LAB), LAB + ".ipynb"), as_version=4)
        text = json.dumps(nb)
        outputs = json.dumps([cell.get("outputs", []) for cell in nb.cells])
        assert STALE_OUTPUT not in outputs, "an output the student saved is never shown as the grading run's"
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_activations")
        shown = "".join(output.get("text", "") for output in cell.outputs)
        assert shown.startswith(HEADER.format(score=12 if student == "alice" else 11, max_score=12)), shown
        assert "def test_" not in text and "check_scalars" not in text, "the checks' code is never shown"
    bob = "".join(output.get("text", "") for output in cell.outputs)
    assert "FAILED (wrong answer)  0/1  step(0) is 1" in bob, f"bob's failed check, its reason and points: {bob}"


def test_a_manual_score_given_in_formgrader_is_kept_when_the_lab_is_regraded(course):
    settings, _ = course
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        grade = gradebook.find_grade("xor_written", LAB, LAB, "alice")
        grade.manual_score = 1.5
        gradebook.db.commit()
    kit(settings.root, "grade", LAB, "--student", "alice", "--force", "--quiet")
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        grade = gradebook.find_grade("xor_written", LAB, LAB, "alice")
        kept, waiting = grade.manual_score, grade.needs_manual_grade
        score = gradebook.find_submission(LAB, "alice").score
    assert (kept, waiting, score) == (1.5, False, 23.5), (
        f"the written answer's 1.5 points survive the regrade: manual {kept}, needs grading {waiting}, total {score}"
    )


def test_a_changed_check_regrades_every_submission_once_and_a_changed_notebook_only_its_own(course):
    settings, _ = course
    lab = find_lab(settings, LAB)
    assert plan_grading(settings, lab).to_grade == [], "nothing changed since grading: nothing to grade"
    checks = os.path.join(settings.layout.tests_dir(LAB), "test_activations.py")
    source = open(checks, encoding="utf-8").read()
    assert "the lab uses H(0) = 1" in source
    with open(checks, "w", encoding="utf-8") as handle:
        handle.write(source.replace("the lab uses H(0) = 1", "the lab's convention is H(0) = 1"))
    plan = plan_grading(settings, lab)
    assert {s.student: reason for s, reason in plan.to_grade} == dict.fromkeys(
        HANDED_IN, "the lab's hidden checks changed"
    ), plan.summary(LAB)
    said = kit(settings.root, "grade", LAB).stderr
    assert "grading 3 of 3 submissions (3 because the lab's hidden checks changed)" in said, said
    bob = results_of(settings, "bob")
    assert any("the lab's convention is H(0) = 1" in test["output"] for test in bob["tests"]), "bob: the new check"
    assert "grading 0 of 3 submissions; 3 graded already, unchanged" in kit(settings.root, "grade", LAB).stderr
    hand_in(settings, "carol", "bob", HANDED_IN["carol"])
    plan = plan_grading(settings, lab)
    assert [(s.student, reason) for s, reason in plan.to_grade] == [("carol", "its notebook changed")]


def test_nbgraders_autograde_command_grades_through_the_kit_in_the_sandbox(course):
    settings, _ = course
    hand_in(settings, "dave", "bob", DUE - timedelta(hours=1))
    nbgrader(settings.root, "autograde", LAB, "--student=dave", "--force")
    results = results_of(settings, "dave")
    assert results["extra_data"]["sandboxed"] is True, "nbgrader's autograde ran the kit's sandboxed grading"
    assert results["score"] == 21.0, f"dave's step(0) bug loses one point, got {results['score']}"
    nb = nbformat.read(os.path.join(settings.layout.autograded_dir("dave", LAB), LAB + ".ipynb"), as_version=4)
    assert HEADER.split(":")[0] in json.dumps(nb), "the notebook nbgrader leaves is the kit's, with the verdicts"
    assert "dave" in nbgrader_api(settings).get_autograded_students(LAB), "formgrader: dave is autograded"


def test_the_kits_csv_never_overwrites_nbgraders_grades_csv(course, tmp_path):
    settings, _ = course
    nbgrader(settings.root, "export", f"--to={tmp_path / 'grades.csv'}")
    before = open(tmp_path / "grades.csv", encoding="utf-8").read()
    said = kit(settings.root, "export", cwd=str(tmp_path)).stdout
    assert "autograder_grades.csv" in said and open(tmp_path / "grades.csv", encoding="utf-8").read() == before
    rows = list(csv.DictReader(open(tmp_path / "autograder_grades.csv", encoding="utf-8")))
    assert {row["student"]: float(row["late_penalty"]) for row in rows}["bob"] == 21.0, "the kit's CSV: penalty too"


def test_a_file_that_is_no_notebook_gets_a_page_in_formgrader_that_says_why(course):
    settings, _ = course
    folder = settings.layout.submitted_dir("frank", LAB)
    os.makedirs(folder)
    with open(os.path.join(folder, LAB + ".ipynb"), "w", encoding="utf-8") as handle:
        handle.write("{ not json")
    kit(settings.root, "grade", LAB, "--student", "frank", "--quiet")
    nb = nbformat.read(os.path.join(settings.layout.autograded_dir("frank", LAB), LAB + ".ipynb"), as_version=4)
    assert nb.cells[0].source.startswith("**The autograder could not grade this submission:** not a notebook"), (
        f"the first cell says why: {nb.cells[0].source!r}"
    )
    assert "frank" in nbgrader_api(settings).get_autograded_students(LAB), "formgrader: frank is autograded, 0 points"
