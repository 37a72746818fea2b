"""The course loop through nbgrader's own commands, graded by the kit, as formgrader and nbgrader's export show it.

One course copy with an exchange of its own: the kit releases lab1_neuron, the instructor releases it to the
exchange (`nbgrader release_assignment`), students each with their own home fetch it, hand in an example
submission (`nbgrader fetch_assignment`, `nbgrader submit`), the instructor collects (`nbgrader collect`) and the
kit grades (`autograder grade`). Then a real `jupyter server` with formgrader, in headless Chromium: Manage
Submissions shows the kit's scores, a manual score typed for the written answer reaches the gradebook, the
Autograde button grades a late submission through the kit, and `nbgrader export` holds the kit's scores.
"""

import csv
import glob
import json
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
from conftest import TEST_SECRET
from formgrader_browser import VENV_BIN, jupyter_env, log_in, open_browser, screenshot, start_formgrader
from nbgrader.api import Gradebook
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from autograder.course.config import Settings, load_config
from autograder.demo.course import make_course
from autograder.demo.examples import load_variants, write_variant

LAB = "lab1_neuron"
# examples/lab1_neuron.py: the answer key, step(0) = 0, activations written with math (they fail on arrays)
CLASS = ("alice", "bob", "carol")
LATE = "grace"  # leaky_relu ignores alpha: handed in after the class was graded
WRITTEN_ANSWER = "xor_written"  # lab1's one manually graded cell (2 points)
COMMAND_TIMEOUT = 120  # seconds; an nbgrader command takes about 2 s, grading the class about 3 s


@dataclass(frozen=True)
class CourseLoop:
    settings: Settings
    root: str
    exchange: str
    people: str  # where each person (instructor, students) gets a home and a working folder


def run(command: list[str], cwd: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a command to its end; a failure or a timeout fails the test with what the command said."""
    try:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(f"`{' '.join(command)}` did not end in {COMMAND_TIMEOUT} s:\n{timeout.stderr}")
    assert done.returncode == 0, f"`{' '.join(command)}` exited {done.returncode}:\n{done.stderr[-4000:]}"
    return done


def instructor(loop: CourseLoop, *arguments: str) -> subprocess.CompletedProcess:
    """An nbgrader command of the instructor's, run in the course folder with the course's config."""
    home = os.path.join(loop.people, "instructor")
    command = [os.path.join(VENV_BIN, "nbgrader"), *arguments, "--NbGrader.config_file=course_config"]
    return run(command, loop.root, jupyter_env(home))


def kit(loop: CourseLoop, *arguments: str) -> subprocess.CompletedProcess:
    """An autograder command, run in the course folder with the course's config, as the instructor."""
    config = os.path.join(loop.root, "course_config.py")
    home = os.path.join(loop.people, "instructor")
    return run([sys.executable, "-m", "autograder", "--config", config, *arguments], loop.root, jupyter_env(home))


def student_hands_in(loop: CourseLoop, student: str) -> None:
    """The student fetches the lab from the exchange into a folder of their own, writes the example submission of
    the same name over the released notebook and submits it."""
    home = os.path.join(loop.people, student)
    work = os.path.join(home, "work")
    os.makedirs(work, exist_ok=True)
    exchange = [f"--course={loop.settings.course_id}", f"--Exchange.root={loop.exchange}"]  # a student has no config
    nbgrader = os.path.join(VENV_BIN, "nbgrader")
    run([nbgrader, "fetch_assignment", LAB, *exchange], work, jupyter_env(home))
    variant = next(variant for variant in load_variants(loop.settings, LAB) if variant.student == student)
    write_variant(loop.settings, LAB, variant, os.path.join(work, LAB, LAB + ".ipynb"))
    # every student here is the same OS user (root), whose name nbgrader gives a submission unless told another
    run([nbgrader, "submit", LAB, *exchange, f"--student={student}"], work, jupyter_env(home))


@pytest.fixture(scope="module")
def course_loop(tmp_path_factory) -> CourseLoop:
    """lab1 released by the kit and by nbgrader to the exchange, the CLASS's submissions handed in through it,
    collected, and graded by the kit."""
    tmp = tmp_path_factory.mktemp("course_loop")
    exchange = str(tmp / "exchange")
    os.mkdir(exchange)
    os.chmod(exchange, 0o777)  # nbgrader refuses an exchange its users cannot all write to (mkdir's mode is umasked)
    root = str(tmp / "course")
    make_course(
        root,
        extra_config=(
            f"\nc.Exchange.root = {exchange!r}\n"
            "c.ExchangeCollect.check_owner = False  # the test's students are all root: no owner to check\n"
            f"c.Autograder.secret_file = {TEST_SECRET!r}  # the checks' inputs of the kit's other tests\n"
            f'c.Autograder.lab_settings["{LAB}"]["plots"] = True  # the feedback shows the plots of the run\n'
        ),
    )
    settings = load_config(os.path.join(root, "course_config.py"))
    loop = CourseLoop(settings, root, exchange, str(tmp / "people"))
    kit(loop, "release", LAB)  # release/ is the course's own (make_course links only the sources)
    instructor(loop, "release_assignment", LAB)
    for student in CLASS:
        student_hands_in(loop, student)
    instructor(loop, "collect", LAB)
    kit(loop, "grade", LAB, "--quiet")
    return loop


@pytest.fixture(scope="module")
def formgrader(course_loop):
    with start_formgrader(course_loop.root, os.path.join(course_loop.people, "formgrader")) as server:
        yield server


@pytest.fixture(scope="module")
def browser(formgrader):
    """Headless Chromium, logged in to formgrader's server."""
    with open_browser() as driver:
        log_in(driver, *formgrader)
        yield driver


def kit_results(loop: CourseLoop, student: str) -> dict:
    """The kit's results.json of the student's submission, as the file says (Gradescope's format)."""
    path = loop.settings.layout.results_path(student, LAB)
    assert os.path.isfile(path), f"the kit wrote no {path}"
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def gradebook(loop: CourseLoop) -> Gradebook:
    return Gradebook(loop.settings.db_url, course_id=loop.settings.course_id)


def written_score(loop: CourseLoop, student: str) -> float:
    """What a person gave the student's written answer in nbgrader's gradebook (0 until someone grades it)."""
    with gradebook(loop) as book:
        return book.find_submission(LAB, student).written_score


def shown_score(results: dict, written: float) -> str:
    """The score formgrader shows for a submission the kit graded: the kit's score plus the written answer's, out
    of both (manage_submissions.js rounds each to 2 decimals and prints them as JavaScript prints numbers)."""
    max_score = results["max_score"] + results["extra_data"]["manual_max_score"]
    return f"{results['score'] + written:g} / {max_score:g}"


def manage_submissions(driver, formgrader) -> dict[str, dict[str, str]]:
    """{student id: {"status", "score"}} of the rows of formgrader's Manage Submissions page of the lab, once its
    table has loaded."""

    base, _ = formgrader
    driver.get(f"{base}/formgrader/manage_submissions/{LAB}")
    WebDriverWait(driver, 30).until(
        lambda page: page.execute_script("return typeof models !== 'undefined' && models.loaded === true;"),
        "formgrader's submissions table did not load",
    )
    return submission_rows(driver)


def submission_rows(driver) -> dict[str, dict[str, str]]:
    rows = driver.execute_script(
        """return Array.from(document.querySelectorAll('#main-table tr')).map(row => ({
            student: row.querySelector('td.student-id').textContent.trim(),
            status: row.querySelector('td.status').textContent.trim(),
            score: row.querySelector('td.score').textContent.trim(),
        }));"""
    )
    return {row.pop("student"): row for row in rows}


def test_manage_submissions_lists_every_student_with_the_kits_score_and_none_needs_autograding(
    course_loop, formgrader, browser
):
    rows = manage_submissions(browser, formgrader)
    screenshot(browser, "formgrader_manage_submissions")
    assert set(CLASS) <= set(rows), f"every student who handed in is listed: {sorted(rows)}"
    for student in CLASS:
        assert rows[student]["status"] != "needs autograding", (
            f"{student}: formgrader must take the kit's grading for nbgrader's own: {rows[student]}"
        )
        expected = shown_score(kit_results(course_loop, student), written_score(course_loop, student))
        assert rows[student]["score"] == expected, f"{student}: formgrader shows the kit's score {expected}"


def test_a_manual_score_typed_for_the_written_answer_is_saved_in_nbgraders_gradebook_and_counted_in_the_total(
    course_loop, formgrader, browser
):
    student, score = "bob", 1.5
    with gradebook(course_loop) as book:
        notebook_id = book.find_submission_notebook(LAB, LAB, student).id
    base, _ = formgrader
    browser.get(f"{base}/formgrader/submissions/{notebook_id}/")
    WebDriverWait(browser, 30).until(
        lambda page: page.execute_script("return Boolean(formgrader.grades && formgrader.grades.loaded);"),
        "formgrader's grades did not load",
    )
    score_box = browser.find_element(By.CSS_SELECTOR, f"input.score#{WRITTEN_ANSWER}")
    answer_cell = score_box.find_element(By.XPATH, "./ancestor::div[contains(@class, 'nbgrader_cell')]")
    assert "Student's answer" in answer_cell.text and "not linearly separable" in answer_cell.text, (
        f"the written answer's cell shows the student's answer: {answer_cell.text[:300]!r}"
    )
    # leaving the box saves it (formgrader's own Escape key is dead here: its page stops setting up its keys when
    # MathJax, which it loads from a CDN, is missing, as it is offline)
    score_box.send_keys(str(score), Keys.TAB)

    def saved_score():
        with gradebook(course_loop) as book:
            return book.find_grade(WRITTEN_ANSWER, LAB, LAB, student).manual_score

    WebDriverWait(browser, 15).until(
        lambda _: saved_score() == score,
        f"nbgrader's gradebook must hold the manual score {score} typed in formgrader",
    )
    screenshot(browser, "formgrader_manual_grading")
    rows = manage_submissions(browser, formgrader)
    expected = shown_score(kit_results(course_loop, student), score)
    assert rows[student] == {"status": "graded", "score": expected}, (
        f"{student}'s total is the kit's score plus the written answer's, and nothing is left to grade"
    )


def test_the_autograde_button_grades_a_late_submission_through_the_kits_sandbox(course_loop, formgrader, browser):
    student_hands_in(course_loop, LATE)
    instructor(course_loop, "collect", LAB)
    rows = manage_submissions(browser, formgrader)
    assert rows.get(LATE, {}).get("status") == "needs autograding", (
        f"a submission collected after the kit graded the class waits for autograding: {rows.get(LATE)}"
    )
    row = browser.find_element(
        By.XPATH, f"//tbody[@id='main-table']/tr[td[contains(@class, 'student-id')][.='{LATE}']]"
    )
    row.find_element(By.CSS_SELECTOR, "td.autograde a").click()
    modal = WebDriverWait(browser, 180).until(
        lambda page: (page.find_elements(By.CSS_SELECTOR, "#success-modal, #error-modal") or [False])[0],
        "formgrader's autograde did not answer",
    )
    said = modal.get_attribute("textContent")
    assert modal.get_attribute("id") == "success-modal", f"formgrader's autograde failed:\n{said[-4000:]}"
    path = course_loop.settings.layout.results_path(LATE, LAB)
    assert os.path.isfile(path), (
        f"the Autograde button must grade through the kit, which writes {path} (course_config.py's "
        f"c.Autograde preprocessors hook); formgrader said:\n{said[-2000:]}"
    )
    results = kit_results(course_loop, LATE)
    assert results["extra_data"]["sandboxed"] is True, "the kit graded the late submission in its sandbox"
    expected = shown_score(results, written=0.0)
    WebDriverWait(browser, 30).until(
        lambda page: submission_rows(page).get(LATE, {}).get("score") == expected,
        f"the page shows the kit's score {expected} for {LATE} once autograded",
    )
    rows = manage_submissions(browser, formgrader)  # afresh: formgrader's success dialog covers the table
    screenshot(browser, "formgrader_autograde")
    assert rows[LATE] == {"status": "needs manual grading", "score": expected}, (
        f"{LATE} is autograded with the kit's score; the written answer waits for a person"
    )


def test_nbgraders_export_holds_the_kits_score_of_every_student(course_loop):
    instructor(course_loop, "export")
    with open(os.path.join(course_loop.root, "grades.csv"), newline="", encoding="utf-8") as handle:
        exported = {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == LAB}
    assert set(CLASS) <= set(exported), f"every student who handed in is exported: {sorted(exported)}"
    for student in CLASS:
        results = kit_results(course_loop, student)
        score = results["score"] + written_score(course_loop, student)
        max_score = results["max_score"] + results["extra_data"]["manual_max_score"]
        row = exported[student]
        assert (float(row["score"]), float(row["max_score"])) == (score, max_score), (
            f"{student}: grades.csv holds the kit's score plus any written answer's, {score:g} / {max_score:g}: {row}"
        )


def test_the_student_fetches_one_feedback_page_with_the_checks_the_written_score_and_the_graders_comment(
    course_loop, browser
):
    student, score, comment = "bob", 1.5, "Right: one neuron draws one line, and XOR needs two."
    with gradebook(course_loop) as book:
        book.find_grade(WRITTEN_ANSWER, LAB, LAB, student).manual_score = score
        book.find_comment(WRITTEN_ANSWER, LAB, LAB, student).manual_comment = comment
        book.db.commit()
    instructor(course_loop, "generate_feedback", LAB, "--force")
    instructor(course_loop, "release_feedback", LAB)
    home = os.path.join(course_loop.people, student)
    work = os.path.join(home, "work")
    exchange = [f"--course={course_loop.settings.course_id}", f"--Exchange.root={course_loop.exchange}"]
    run(
        [os.path.join(VENV_BIN, "nbgrader"), "fetch_feedback", LAB, *exchange, f"--student={student}"],
        work,
        jupyter_env(home),
    )
    pages = glob.glob(os.path.join(work, LAB, "feedback", "*", LAB + ".html"))
    assert len(pages) == 1, f"the student fetches one feedback page: {pages}"
    page = open(pages[0], encoding="utf-8").read()
    assert 'content="autograder feedback"' in page, "nbgrader's generate_feedback wrote the kit's page"
    assert f"Written answers, graded by hand: {score:g} / 2" in page and comment in page, (
        "the page holds the written answer's score and the grader's comment from the gradebook"
    )
    assert "step(0) is 1" in page and "wrong answer" in page, "and each check with its reason"
    assert "Your notebook, as the grader ran it" in page, "and the notebook as it ran"
    browser.get("file://" + pages[0])
    images = browser.execute_script(
        "return Array.from(document.images).map(image => image.complete && image.naturalWidth > 0);"
    )
    screenshot(browser, "feedback_fetched")
    assert images and all(images), f"every picture of the page decodes in Chromium: {images}"
    assert browser.execute_script("return window.__pwned === undefined;"), "no script ran"
