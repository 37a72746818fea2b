"""Hostile files in submitted/: each ends as its own submission's result with a reason, the batch goes on.

One real batch (a course copy, lab1 released, the sandbox, short limits) holds every case beside honest answer
keys: a notebook of nested brackets, 600-deep nbgrader metadata, a FIFO and a link to /dev/zero as
timestamp.txt, a notebook linked to the answer key, folders named `victim` and `victi[m]`, an honest folder
`brackets [1]`, a folder named with markup, timestamps in the future and before the release, and a course_config.py in a student's folder.
The batch runs in a thread with a deadline, so that a file that hangs the grader fails the test instead.
"""

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import pytest
from conftest import KIT

from autograder.course.config import load_config
from autograder.course.grade_class import grade_all
from autograder.course.labs import find_lab, resolve_lab
from autograder.course.release import release_lab
from autograder.demo.course import make_course
from autograder.demo.examples import Variant, write_variant
from autograder.grading.submitted_files import student_id_problem
from autograder.outputs.gradebook import open_gradebook
from autograder.sandbox.backend import make_launcher

LAB = "lab1_neuron"
BATCH_SECONDS = 300  # each batch takes about 20 s on two cores; a FIFO read blocks for ever
OUTSIDE = "unreadable: a link to a file outside the student's folder"
DEEP = "unreadable: nested too deeply"
MARKUP_ID = "<img src=x onerror=alert(1)>"  # formgrader writes student ids into its pages as they are
MARKUP_ID_REFUSED = student_id_problem(MARKUP_ID)
ANSWER_KEY, STUB = Variant("key", "the answer key"), Variant("stub", "the stub", base="release")

# student -> (what its results must say, score); a rejected file's reason is extra_data["rejected"]
EXPECTED = {
    "nested_brackets": ({"rejected": DEEP}, 0),
    "deep_metadata": ({"rejected": DEEP}, 0),
    "solution_link": ({"rejected": OUTSIDE}, 0),
    "fifo_timestamp": ({"timestamp_flag": "unreadable: a FIFO, not a file"}, 22),
    "zero_timestamp": ({"timestamp_flag": OUTSIDE}, 22),
    "future": ({"timestamp_flag": "in the future"}, 22),
    "before_release": ({"timestamp_flag": "before the release"}, 22),
    "config_drop": ({}, 22),
    "victim": ({}, 22),
    "victi[m]": ({}, 0),  # its own notebook (the stub), never victim's
    "brackets [1]": ({}, 22),
    "zz_last": ({}, 22),
    MARKUP_ID: ({"rejected": MARKUP_ID_REFUSED}, 0),
}


@dataclass
class Hostile:
    settings: object
    canary: str  # the file the student's course_config.py writes if it is ever run
    graded: dict  # student -> results, one process
    graded_by_workers: dict  # student -> results, --workers 2


def within(seconds: float, function, *args, **kwargs):
    """function(*args, **kwargs) in a thread; fails the test if it has not returned after `seconds`."""
    done = {}

    def run():
        try:
            done["value"] = function(*args, **kwargs)
        except BaseException as error:  # handed to the test's thread
            done["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the batch did not finish in {seconds} s: a file hangs the grader"
    if "error" in done:
        raise done["error"]
    return done["value"]


def nested_metadata_notebook(settings, depth: int) -> str:
    """The answer key's JSON with a cell whose nbgrader metadata nests `depth` objects (written as text: the
    kit's own writers would recurse)."""
    with open(settings.path("solutions", LAB, LAB + ".ipynb"), encoding="utf-8") as handle:
        nb = json.load(handle)
    nb["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "deep",
            "outputs": [],
            "source": "x = 1",
            "metadata": {"nbgrader": "DEEP"},
        }
    )
    return json.dumps(nb).replace('"DEEP"', '{"a": ' * depth + "1" + "}" * depth)


def hand_in(
    settings, student: str, variant: Variant = ANSWER_KEY, name: str = LAB + ".ipynb", timestamp: str | None = "now"
) -> str:
    """Write `variant` as the student's notebook `name`, with a timestamp.txt ("now", a text, or None: none)."""
    folder = settings.path("submitted", student, LAB)
    write_variant(settings, LAB, variant, os.path.join(folder, name))
    if timestamp is not None:
        text = time.strftime("%Y-%m-%d %H:%M:%S.000000 UTC", time.gmtime()) if timestamp == "now" else timestamp
        with open(os.path.join(folder, "timestamp.txt"), "w", encoding="utf-8") as handle:
            handle.write(text)
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The course, every case handed in, graded in one process and then again (--force) by two workers."""
    folder = str(tmp_path_factory.mktemp("hostile") / "course")
    make_course(folder, {LAB: {"cell_timeout": 4.0, "check_timeout": 3.0}})
    settings = load_config(os.path.join(folder, "course_config.py"))
    release_lab(settings, LAB, with_solution=True)

    nested = hand_in(settings, "nested_brackets")
    with open(os.path.join(nested, LAB + ".ipynb"), "w", encoding="utf-8") as handle:
        handle.write("[" * 200_000 + "]" * 200_000)  # 400 KB
    deep = hand_in(settings, "deep_metadata")
    with open(os.path.join(deep, LAB + ".ipynb"), "w", encoding="utf-8") as handle:
        handle.write(nested_metadata_notebook(settings, 600))
    link = hand_in(settings, "solution_link")
    os.unlink(os.path.join(link, LAB + ".ipynb"))
    os.symlink(f"../../../solutions/{LAB}/{LAB}.ipynb", os.path.join(link, LAB + ".ipynb"))
    os.mkfifo(os.path.join(hand_in(settings, "fifo_timestamp", timestamp=None), "timestamp.txt"))
    os.symlink("/dev/zero", os.path.join(hand_in(settings, "zero_timestamp", timestamp=None), "timestamp.txt"))
    hand_in(settings, "future", timestamp="2999-01-01 00:00:00.000000 UTC")
    hand_in(settings, "before_release", timestamp="2000-01-01 00:00:00.000000 UTC")
    canary = os.path.join(folder, "CONFIG_RAN")
    with open(os.path.join(hand_in(settings, "config_drop"), "course_config.py"), "w", encoding="utf-8") as handle:
        handle.write(f"open({canary!r}, 'w').write('the student config ran')\nc = get_config()\n")
    hand_in(settings, "victim")
    hand_in(settings, "victi[m]", STUB, name="mine.ipynb")  # a renamed notebook: chosen from its own folder
    hand_in(settings, "brackets [1]", name=f"{LAB} (1).ipynb")
    hand_in(settings, "zz_last")
    hand_in(settings, MARKUP_ID)

    lab = find_lab(settings, LAB)
    launcher = make_launcher(settings, resolve_lab(settings, LAB))
    graded = within(BATCH_SECONDS, grade_all, settings, lab, launcher, progress=False)
    by_workers = within(BATCH_SECONDS, grade_all, settings, lab, launcher, force=True, progress=False, workers=2)
    return Hostile(settings, canary, as_json(graded), as_json(by_workers))


def as_json(graded: dict) -> dict[str, dict]:
    """The results by student as results.json holds them."""
    return {student: results.to_json() for student, results in graded.items()}


def outcome(results: dict) -> tuple[dict, float]:
    extra = results["extra_data"]
    return {key: extra[key] for key in ("rejected", "timestamp_flag") if key in extra}, results["score"]


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_hostile_file_is_its_own_submissions_result_with_the_reason(hostile, student):
    assert outcome(hostile.graded[student]) == EXPECTED[student], f"{student}: {hostile.graded[student]['output']}"


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_worker_processes_give_each_submission_the_same_result(hostile, student):
    assert outcome(hostile.graded_by_workers[student]) == EXPECTED[student], (
        f"{student} with --workers 2: {hostile.graded_by_workers[student]['output']}"
    )


def test_every_student_folder_gets_a_result(hostile):
    assert set(hostile.graded) == set(EXPECTED), "one result per student folder, the hostile ones included"


def test_a_student_named_like_a_pattern_is_graded_with_their_own_notebook(hostile):
    stub = hostile.settings.path("submitted", "victi[m]", LAB, "mine.ipynb")
    sha256 = hashlib.sha256(open(stub, "rb").read()).hexdigest()
    assert hostile.graded["victi[m]"]["extra_data"]["notebook_sha256"] == sha256, "victi[m]'s own notebook was graded"


def test_a_flagged_timestamp_is_said_in_the_feedback(hostile):
    for student, flag in (("future", "in the future"), ("before_release", "before the release")):
        page = open(hostile.settings.path("feedback", student, LAB, LAB + ".html"), encoding="utf-8").read()
        assert f"flagged: {flag}" in page, f"{student}'s feedback should say that its timestamp is {flag}"
    assert "timestamp_flag" not in hostile.graded["zz_last"]["extra_data"], "an honest timestamp is not flagged"


def test_a_configuration_in_a_student_folder_is_never_run(hostile):
    assert not os.path.exists(hostile.canary), "the batch never reads a student's course_config.py"


def autograder(*args, cwd, config=None):
    env = {key: value for key, value in os.environ.items() if key != "AUTOGRADER_CONFIG"}
    if config is not None:
        env["AUTOGRADER_CONFIG"] = config
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=BATCH_SECONDS,
    )


def test_grade_run_inside_a_student_folder_never_runs_its_configuration(hostile):
    """`grade LAB` run from submitted/<student>/<lab>/ uses the course's configuration ($AUTOGRADER_CONFIG here),
    never the course_config.py beside it; the rerun of the batch exits 0 past every hostile file."""
    student_folder = hostile.settings.path("submitted", "config_drop", LAB)
    run = autograder("grade", LAB, "--quiet", cwd=student_folder, config=hostile.settings.path("course_config.py"))
    assert not os.path.exists(hostile.canary), "the student's course_config.py was run"
    assert run.returncode == 0, f"a rerun of the batch should exit 0: {run.stderr[-2000:]}"
    assert "zz_last" in run.stdout and "not ./course_config.py" in run.stderr, run.stdout + run.stderr


def test_a_configuration_inside_submitted_is_refused_with_exit_2(hostile):
    student_config = hostile.settings.path("submitted", "config_drop", LAB, "course_config.py")
    for run in (
        autograder("--config", student_config, "grade", LAB, cwd=KIT),
        autograder("grade", LAB, cwd=KIT, config=student_config),
    ):
        assert run.returncode == 2, f"exit 2 expected, got {run.returncode}: {run.stderr[-2000:]}"
        assert "refusing the configuration" in run.stderr and "submitted/" in run.stderr, run.stderr
    assert not os.path.exists(hostile.canary), "the refused configuration was never run"


def test_a_student_id_with_markup_is_reported_and_never_reaches_the_gradebook_or_formgrader(hostile):
    assert MARKUP_ID_REFUSED.startswith("refused: the student id"), MARKUP_ID_REFUSED
    assert student_id_problem("brackets [1]") is None and student_id_problem("josé.o'") is not None
    with open_gradebook(hostile.settings) as gradebook:
        students = {student.id for student in gradebook.students}
    assert MARKUP_ID not in students and "zz_last" in students, f"gradebook students: {sorted(students)}"
    for folder in ("autograded", "feedback"):
        assert not os.path.lexists(hostile.settings.path(folder, MARKUP_ID)), f"nothing is written to {folder}/ for it"
