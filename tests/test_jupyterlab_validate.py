"""nbgrader's Validate button in JupyterLab, on lab1 as a student has it, in headless Chromium.

A student's side: a `jupyter lab` of their own (127.0.0.1, a token, a Jupyter home without any course config), run
in a folder that holds what `nbgrader fetch_assignment` leaves there, `lab1_neuron/lab1_neuron.ipynb`. The student
opens the notebook and clicks the toolbar's Validate button; nbgrader's labextension saves the notebook and asks its
server extension (`nbgrader.server_extensions.validate_assignment`), which runs the notebook in a fresh kernel and
judges its grade cells, then shows the verdict in a dialog. The answer key (solutions/) passes; the released stub
fails every grade cell, each with its error. Screenshots of both dialogs: test-output/screenshots/.

The dialog's selectors and strings are those of nbgrader 0.9's labextension (nbgrader's src/validate_assignment/
index.ts, built into .venv/share/jupyter/labextensions/@jupyter/nbgrader/static/): the toolbar button's class
`validate-button`, a dialog titled "Validation Results" with the class `nbgrader-SuccessDialog` or
`nbgrader-ErrorDialog`, its body `#validation-message` with the class `validation-success` ("Success! Your notebook
passes all the tests.") or `validation-failed` (per failed cell: "The following cell failed:", the cell's source
and its error, each in a `pre`).
"""

import json
import os
import shutil
import urllib.request
from contextlib import contextmanager

import nbgrader
import pytest
from conftest import KIT
from formgrader_browser import free_port, jupyter_app, open_browser, screenshot
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

LAB = "lab1_neuron"
NOTEBOOK = f"{LAB}/{LAB}.ipynb"  # where the student's fetched copy lies, relative to the folder Lab serves
ANSWER_KEY = os.path.join(KIT, "solutions", LAB, LAB + ".ipynb")
STUB = os.path.join(KIT, "release", LAB, LAB + ".ipynb")
TOKEN = "jupyterlab-validate-test"
LAB_LOAD_TIMEOUT = 60  # seconds; JupyterLab's first load takes 5-15 s on 2 cores
VALIDATION_TIMEOUT = 60  # seconds; nbgrader runs lab1 in a fresh kernel in about 4 s
SUCCESS = "Success! Your notebook passes all the tests."
FAILED_CELL = "The following cell failed:"
NO_RESPONSE = "You did not provide a response."  # nbgrader's error for a written answer left as it was released


@contextmanager
def start_jupyterlab(root, home):
    """(base URL, server log) of the student's `jupyter lab` serving `root`, run from `root` (nbgrader's validate
    handler reads an nbgrader_config.py from the server's working folder: the student has none) with a home of its
    own; nothing it serves reaches beyond 127.0.0.1 (no news feed, no update check). Its log is `home`/lab.log."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    arguments = [
        "lab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    answers = []

    def validate_handler_answers():
        # nbgrader's validate server extension answers, and agrees with the labextension's version
        answers.append(api(base, f"nbgrader_version?version={nbgrader.__version__}"))

    with jupyter_app(arguments, root, home, "lab.log", validate_handler_answers, LAB_LOAD_TIMEOUT) as server_log:
        assert answers[-1] == {"success": True}, f"nbgrader's validate server extension: {answers[-1]}\n{server_log()}"
        yield base, server_log


def api(base: str, path: str):
    """What the server's API answers at `path`, asked directly (never through a proxy the environment names)."""
    request = urllib.request.Request(f"{base}/{path}", headers={"Authorization": f"token {TOKEN}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def browser():
    with open_browser() as driver:
        yield driver


def student_folder(tmp_path, notebook: str) -> tuple[str, str]:
    """(root, home): a folder as `nbgrader fetch_assignment` leaves it, `notebook` as lab1_neuron/lab1_neuron.ipynb,
    and a home beside it without any Jupyter or nbgrader config."""
    root, home = tmp_path / "work", tmp_path / "home"
    (root / LAB).mkdir(parents=True)
    home.mkdir()
    shutil.copyfile(notebook, root / NOTEBOOK)
    return str(root), str(home)


def validate_in_lab(driver, base: str, server_log) -> dict:
    """Open the student's notebook in JupyterLab, click Validate, and return what nbgrader's dialog shows."""
    driver.get(f"{base}/lab/tree/{NOTEBOOK}?token={TOKEN}")
    panel = ".jp-NotebookPanel:not(.lm-mod-hidden)"
    try:
        WebDriverWait(driver, LAB_LOAD_TIMEOUT).until(
            lambda page: page.execute_script(
                "const panel = document.querySelector(arguments[0]);"
                "const kernel = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');"
                "return panel !== null && panel.querySelector('.jp-Notebook .jp-Cell') !== null"
                " && kernel !== null && kernel.getAttribute('data-status') === 'idle';",
                panel,
            ),
            "JupyterLab did not show the notebook with an idle kernel",
        )
        validate = WebDriverWait(driver, LAB_LOAD_TIMEOUT).until(
            expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, f"{panel} .validate-button")),
            "the notebook's toolbar has no Validate button (nbgrader's labextension)",
        )
    except Exception:
        screenshot(driver, f"jupyterlab_validate_{LAB}_not_loaded")
        raise
    assert validate.text.strip() == "Validate"
    validate.click()
    try:
        dialog = WebDriverWait(driver, VALIDATION_TIMEOUT).until(
            expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, ".jp-Dialog #validation-message")),
            "nbgrader's validation dialog did not open",
        )
    except Exception:
        screenshot(driver, f"jupyterlab_validate_{LAB}_no_dialog")
        pytest.fail(f"nbgrader's validation dialog did not open; the server said:\n{server_log()}")
    return driver.execute_script(
        """const message = arguments[0], dialog = message.closest('.jp-Dialog');
        return {
            title: dialog.querySelector('.jp-Dialog-header').textContent.trim(),
            dialog_classes: Array.from(dialog.classList),
            message_classes: Array.from(message.classList),
            paragraphs: Array.from(message.querySelectorAll('p')).map(p => p.textContent.trim()),
            blocks: Array.from(message.querySelectorAll(':scope > .jp-RenderedText pre')).map(pre => pre.innerText),
            text: message.innerText,
        };""",
        dialog,
    )


def grade_cells(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        cells = json.load(handle)["cells"]
    return [cell for cell in cells if cell["metadata"].get("nbgrader", {}).get("grade")]


def test_validate_passes_the_answer_key(tmp_path, browser):
    root, home = student_folder(tmp_path, ANSWER_KEY)
    with start_jupyterlab(root, home) as (base, server_log):
        shown = validate_in_lab(browser, base, server_log)
        screenshot(browser, f"jupyterlab_validate_{LAB}_answer_key")
    assert shown["title"] == "Validation Results", shown
    assert "validation-success" in shown["message_classes"], shown
    assert "nbgrader-SuccessDialog" in shown["dialog_classes"], shown
    assert shown["paragraphs"] == [SUCCESS], shown


def test_validate_names_every_failing_grade_cell_of_the_released_stub_with_its_error(tmp_path, browser):
    root, home = student_folder(tmp_path, STUB)
    with start_jupyterlab(root, home) as (base, server_log):
        shown = validate_in_lab(browser, base, server_log)
        screenshot(browser, f"jupyterlab_validate_{LAB}_stub")
        # the dialog scrolls within itself: its first error, in view
        browser.execute_script(
            "document.querySelectorAll('#validation-message > .jp-RenderedText')[1].scrollIntoView({block: 'center'});"
        )
        screenshot(browser, f"jupyterlab_validate_{LAB}_stub_error")
    assert shown["title"] == "Validation Results", shown
    assert "validation-failed" in shown["message_classes"], shown
    assert "nbgrader-ErrorDialog" in shown["dialog_classes"], shown
    graded = grade_cells(STUB)
    assert shown["paragraphs"] == [FAILED_CELL] * len(graded), "every grade cell of the stub fails"
    # per failed cell, two blocks: its source, then its error
    sources, errors = shown["blocks"][0::2], shown["blocks"][1::2]
    assert sources == ["".join(cell["source"]).strip() for cell in graded]
    by_cell = dict(zip((cell["metadata"]["nbgrader"]["grade_id"] for cell in graded), errors, strict=True))
    for grade_id, error in by_cell.items():
        assert error.strip(), f"{grade_id}: nbgrader shows no error"
    # a stub's solution raises NotImplementedError; a gate test finds no or_neuron; the written answer is empty
    for grade_id in ("test_activations", "test_neuron", "test_xor"):
        assert "NotImplementedError" in by_cell[grade_id], f"{grade_id}: {by_cell[grade_id][-500:]}"
    assert "NameError: name 'or_neuron' is not defined" in by_cell["test_logic_gates"], by_cell["test_logic_gates"]
    assert by_cell["xor_written"].strip() == NO_RESPONSE
