"""What the kit writes for people is inert: no student HTML or JavaScript runs where an instructor looks.

Unit specifications of autograder/outputs/inert_output.py on hostile inputs; one real lab1 batch (a payload submission
beside the answer key) whose autograded notebook, feedback page, class report, CSV and terminal tables are
checked; and a real browser (headless Chromium) that opens formgrader's view of the payload's autograded
notebook, served by a real `jupyter server`, and the payload's feedback page: no payload may run.
"""

import csv
import html.parser
import json
import os
import time

import nbformat
import pytest
from conftest import KIT
from formgrader_browser import open_browser, screenshot, start_formgrader
from nbconvert.filters.markdown import markdown2html

from autograder.cli import format_class_table
from autograder.course.config import load_config
from autograder.course.grade_class import grade_all
from autograder.course.labs import find_lab, resolve_lab
from autograder.demo.course import make_course
from autograder.demo.examples import Variant, write_variant
from autograder.grading.restore import clear_saved_outputs
from autograder.outputs.class_report import format_lab_report, read_class_results
from autograder.outputs.export import export_csv, export_gradescope
from autograder.outputs.feedback import render
from autograder.outputs.inert_output import (
    csv_cell,
    inert_html,
    inert_markdown,
    inert_nbgrader_metadata,
    inert_notebook,
    inert_output,
    markdown_text,
    printable,
    printable_line,
)
from autograder.outputs.results import format_table, write_results
from autograder.results import CheckOutcome, Results
from autograder.sandbox.backend import make_launcher

LAB = "lab1_neuron"
PWN = "window.__pwned=1"
OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # writes "rm -rf ~" to the instructor's clipboard
TITLE = "\x1b]0;pwned\x07"
FORGED = "\r\x1b[2K20/20 all checks passed"

HOSTILE_HTML = [
    f"<script>{PWN}</script>",
    f'<img src=x onerror="{PWN}">',
    f'<svg onload="{PWN}"><circle r="1"/></svg>',
    f'<a href="javascript:{PWN}">click</a>',
    f'<a href="JaVaScRiPt:{PWN}">click</a>',
    f'<iframe srcdoc="<script>{PWN}</script>"></iframe>',
    f"<style>body {{ background: url(javascript:{PWN}) }}</style>",
    f'<div class="score" onmouseover="{PWN}">fake score field</div>',
    f'<form action="javascript:{PWN}"><input autofocus onfocus="{PWN}"></form>',
    f"<!--><script>{PWN}</script>-->",
    f'<math><mtext><table><mglyph><style><img src=x onerror="{PWN}">',
]
HOSTILE_MARKDOWN = [
    f'<img src=x onerror="{PWN}">',
    f"<script>{PWN}</script>",
    f"<svg/onload={PWN}>",
    f"[click](javascript:{PWN})",
    f"![image](JAVASCRIPT:{PWN})",
    f"[entity](jav&#x61;script:{PWN})",
    f"[tab](<java\tscript:{PWN}>)",
    f"[ref]\n\n[ref]: javascript:{PWN}",
    f"[data](data:text/html,<script>{PWN}</script>)",
    f"<details open ontoggle={PWN}>",
    f"<!-- --><img src=x onerror={PWN}>",
]
SAFE_URL_SCHEMES = ("http:", "https:", "mailto:", "#")


class ActiveParts(html.parser.HTMLParser):
    """What in an HTML text could run or load anything: script-capable tags, event handlers, non-http links."""

    ACTIVE_TAGS = {
        "script",
        "svg",
        "iframe",
        "style",
        "object",
        "embed",
        "form",
        "input",
        "math",
        "link",
        "meta",
        "base",
        "details",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in self.ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("srcdoc", "formaction") or name == "style" and "(" in (value or ""):
                self.found.append(f"{tag}[{name}]")  # a table's text-align style is the renderer's own
            if name in ("href", "src", "action") and value is not None:
                url = "".join(value.split()).lower()
                if ":" in url.split("/")[0] and not url.startswith(SAFE_URL_SCHEMES):
                    self.found.append(f"{tag}[{name}={value}]")


def active_parts(text: str) -> list[str]:
    parser = ActiveParts()
    parser.feed(text)
    parser.close()
    return parser.found


def control_characters(text: str) -> list[str]:
    return sorted(
        {hex(ord(char)) for char in text if (ord(char) < 32 and char not in "\n\t") or 0x7F <= ord(char) <= 0x9F}
    )


# --- unit specifications ----------------------------------------------------------------------------------


def test_saved_outputs_and_counts_are_cleared_so_a_cell_never_run_shows_nothing():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("assert step(0) == 1", execution_count=7)
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="All public tests passed!\n"),
        nbformat.v4.new_output("display_data", data={"text/html": f'<img src=x onerror="{PWN}">'}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("text"), cell]
    clear_saved_outputs(nb)
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None, "what the student saved must be gone"
    assert "outputs" not in nb.cells[0], "a markdown cell gets no outputs"


@pytest.mark.parametrize("payload", HOSTILE_HTML)
def test_student_html_keeps_its_text_but_nothing_that_runs(payload):
    cleaned = inert_html(f"<p>visible <b>answer</b></p>{payload}")
    assert active_parts(cleaned) == [], f"sanitised HTML must hold no active part: {cleaned!r}"
    assert "<b>answer</b>" in cleaned, "harmless structure is kept"
    assert "class=" not in cleaned, "no class: an output must not dress up as formgrader's own fields"


def test_html_tables_and_http_links_are_kept():
    table = '<table><thead><tr><th>x</th></tr></thead><tbody><tr><td colspan="2">1</td></tr></tbody></table><a href="https://example.org">doc</a>'
    assert inert_html(table) == table, "a table and an https link are shown as they are"


def test_javascript_svg_markdown_latex_and_widget_outputs_are_removed_and_the_text_says_so():
    output = nbformat.v4.new_output(
        "display_data",
        data={
            "text/plain": "<IPython.core.display.Javascript object>",
            "application/javascript": PWN,
            "image/svg+xml": f'<svg onload="{PWN}"/>',
            "text/markdown": f"<img src=x onerror={PWN}>",
            "text/latex": r"$\href{javascript:alert(1)}{x}$",
            "application/vnd.jupyter.widget-view+json": {"model_id": "x"},
            "text/html": f"<b>kept</b><script>{PWN}</script>",
        },
        metadata={"text/html": {"isolated": True}},
    )
    cleaned = inert_output(output)
    assert set(cleaned.data) == {"text/plain", "text/html"}, f"only inert mimetypes may stay: {sorted(cleaned.data)}"
    assert "application/javascript" in cleaned.data["text/plain"] and "image/svg+xml" in cleaned.data["text/plain"], (
        "the text says which outputs the grader removed"
    )
    assert active_parts(cleaned.data["text/html"]) == [] and "<b>kept</b>" in cleaned.data["text/html"]
    assert cleaned.metadata == {}, "output metadata (an isolated iframe) is not kept"


def test_image_data_that_is_not_base64_and_image_sizes_that_are_not_numbers_are_removed():
    escape = nbformat.v4.new_output("display_data", data={"image/png": f'x" onerror="{PWN}', "text/plain": "<Figure>"})
    assert "image/png" not in inert_output(escape).data, "PNG data that could leave the src attribute is removed"
    image = nbformat.v4.new_output(
        "display_data",
        data={"image/png": "iVBORw0KGgo=\n"},
        metadata={"image/png": {"width": f"1 onload={PWN}", "height": 20}},
    )
    cleaned = inert_output(image)
    assert cleaned.data["image/png"] == "iVBORw0KGgo=\n" and cleaned.metadata == {"image/png": {"height": 20}}


def test_html_past_the_notebooks_budget_is_shown_as_escaped_text_and_quickly():
    nested = "<div>" * 1990 + f"<script>{PWN}</script>"  # under the 2,000 tags of one output
    cell = nbformat.v4.new_code_cell("flood()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": nested}) for _ in range(100)]
    cell.outputs.append(
        nbformat.v4.new_output("display_data", data={"text/html": "<div>" * 50_000})
    )  # 2 minutes in bleach
    nb = nbformat.v4.new_notebook(cells=[cell])
    started = time.monotonic()
    outputs = inert_notebook(nb).cells[0].outputs
    seconds = time.monotonic() - started
    assert seconds < 10, f"making a flood of nested HTML inert took {seconds:.1f} s"
    shown_as_text = [output.data["text/html"].startswith("<pre>&lt;div&gt;") for output in outputs]
    assert shown_as_text[0] is False and shown_as_text[-1] is True and sum(shown_as_text) >= 90, shown_as_text
    assert all(active_parts(output.data["text/html"]) == [] for output in outputs)


def test_streams_and_errors_stay_text_and_unknown_outputs_are_dropped():
    stream = inert_output({"output_type": "stream", "name": f'"><script>{PWN}</script>', "text": ["a", "b"]})
    assert stream.name == "stdout" and stream.text == "ab", "a stream's name is stdout or stderr, its text one str"
    error = inert_output({"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": ["line", 3]})
    assert error.traceback == ["line", ""]
    assert inert_output({"output_type": "html", "data": PWN}) is None, (
        "an output type nbformat does not know is dropped"
    )


@pytest.mark.parametrize("source", HOSTILE_MARKDOWN)
def test_markdown_renders_without_raw_html_or_script_links(source):
    rendered = markdown2html(inert_markdown(source))  # what formgrader renders markdown cells with
    assert active_parts(rendered) == [], f"{source!r} rendered to active HTML: {rendered!r}"


def test_honest_markdown_is_unchanged():
    text = "# Answer\n\nThe *sigmoid* is $\\frac{1}{1+e^{-x}}$, see [the notes](https://example.org/a) and [above](#step); x<0 and a [local](figure.png) file."
    assert inert_markdown(text) == text, "headings, emphasis, math, http and relative links and x<0 are kept"


def test_mathjax_link_commands_become_text():
    assert "\\href" not in inert_markdown("$\\href{javascript:alert(1)}{click}$"), "MathJax's \\href would make a link"


def test_nbgrader_metadata_keeps_nbgraders_keys_and_drops_a_grade_id_that_is_markup():
    released = {
        "grade": True,
        "grade_id": "step_tests",
        "locked": True,
        "points": 4,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    assert inert_nbgrader_metadata({**released, "extra": "<b>"}) == released
    assert inert_nbgrader_metadata({"grade": True, "grade_id": f'x"><img src=x onerror={PWN}>', "points": 5}) is None
    assert inert_nbgrader_metadata({"grade": "yes", "points": "5<script>"}) == {}, (
        "values of the wrong type are dropped"
    )


def hostile_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {
            "name": "python",
            "codemirror_mode": {"name": "ipython", "version": 3},
            "pygments_lexer": f"<script>{PWN}</script>",
        },
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {"x": f"</script><script>{PWN}</script>"}}},
        "title": f"<script>{PWN}</script>",
    }
    markdown = nbformat.v4.new_markdown_cell(f'![a](attachment:a.svg) <img src=x onerror="{PWN}">')
    markdown.attachments = {"a.svg": {"image/svg+xml": f'<svg onload="{PWN}"/>'}}
    markdown.metadata = {
        "tags": [f'"><script>{PWN}</script>'],
        "nbgrader": {"grade_id": "answer", "solution": True, "grade": True, "points": 2},
    }
    code = nbformat.v4.new_code_cell("print(1)", execution_count=3)
    code.outputs = [nbformat.v4.new_output("display_data", data={"application/javascript": PWN})]
    raw = nbformat.v4.new_raw_cell(f"<script>{PWN}</script>")
    raw.metadata = {"raw_mimetype": "text/html"}
    nb.cells = [markdown, code, raw]
    return nb


def test_a_notebook_made_inert_keeps_what_nbgrader_needs_and_nothing_an_exporter_could_run():
    nb = hostile_notebook()
    cleaned = inert_notebook(nb)
    nbformat.validate(cleaned)
    assert set(cleaned.metadata) == {"kernelspec", "language_info"}, "widget state and other metadata are dropped"
    assert cleaned.metadata.kernelspec == nb.metadata.kernelspec
    assert (
        "pygments_lexer" not in cleaned.metadata.language_info
        and cleaned.metadata.language_info.codemirror_mode.version == 3
    )
    markdown, code, raw = cleaned.cells
    assert "attachments" not in markdown and set(markdown.metadata) == {"nbgrader"}
    assert markdown.metadata.nbgrader["grade_id"] == "answer", "nbgrader's cell metadata is kept"
    assert active_parts(markdown2html(markdown.source)) == []
    assert code.execution_count == 3 and "application/javascript" not in code.outputs[0].data
    assert "<script>" not in raw.source and raw.metadata == {}
    assert "<script>" in nb.cells[2].source, "the notebook given is left as it was"


def test_terminal_text_loses_osc_csi_and_carriage_returns_but_keeps_its_words():
    grade_id = f"step{OSC52}{TITLE}_tests"
    text = printable(
        f"cell '{grade_id}' ended with error: ValueError{FORGED}\nTraceback\t(most recent call last)\x00\x7f\x9b31m\u202eevil"
    )
    assert control_characters(text) == [] and "\x1b" not in text, (
        f"no control character may reach the terminal: {text!r}"
    )
    assert "cell 'step_tests' ended with error: ValueError" in text and "\nTraceback\t(most recent call last)" in text
    assert "\n" not in printable_line("a\nb\tc") and printable_line("a\nb\tc") == "a b c"


def hostile_results(message: str) -> Results:
    return Results.from_json(
        {
            "score": 0.0,
            "max_score": 4.0,
            "output": message,
            "tests": [
                {
                    "name": "step is 1 at zero",
                    "score": 0.0,
                    "max_score": 4.0,
                    "status": "failed",
                    "output": message,
                    "extra_data": {"check": "lab1_neuron/test_step.py::test_step", "reason": "wrong answer"},
                }
            ],
            "extra_data": {
                "lab": LAB,
                "failures": {"step is 1 at zero": "wrong answer"},
                "manual_max_score": 0,
                "rejected": message,
            },
        }
    )


def test_the_instructors_tables_print_no_control_characters():
    message = f"cell 'x{OSC52}' ended with error{TITLE}{FORGED}"
    for table in (
        format_table(hostile_results(message)),
        format_class_table({f"eve{TITLE}": hostile_results(message)}),
    ):
        assert control_characters(table) == [], f"a printed table must hold no control character: {table!r}"


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.test","grade")', "+1", "-1", "@SUM(A1:A9)", "\t=1", "\r=1"])
def test_csv_cells_that_a_spreadsheet_would_evaluate_start_with_a_quote(cell):
    assert csv_cell(cell) == "'" + cell, f"{cell!r} must be written as text"


def test_csv_cells_that_are_plain_stay_as_they_are():
    assert [csv_cell(value) for value in ("alice", "lab1_neuron", 4.0, -1.5, True)] == [
        "alice",
        "lab1_neuron",
        4.0,
        -1.5,
        True,
    ]


def test_the_class_report_shows_student_messages_as_literal_text_one_row_per_check():
    message = (
        f'<img src=x onerror="{PWN}"> | [x](javascript:{PWN}) *bold* $\\href{{javascript:1}}{{m}}$ {OSC52}\nsecond line'
    )
    report = format_lab_report(LAB, {"eve": hostile_results(message)})
    rows = [line for line in report.splitlines() if line.startswith("| ")]
    assert len(rows) == 3, f"a header, its rule and one row per check, whatever the message holds: {rows}"
    assert control_characters(report) == []
    rendered = markdown2html(report)
    table = rendered.split("<table>", 1)[1]
    assert active_parts(rendered) == [] and "<a" not in table and "<em>" not in table, rendered
    assert rendered.count("<td>") == 5, "the message stays in its own table cell"
    assert markdown_text("a_b") == "a\\_b"


def test_the_feedback_page_escapes_every_student_text_and_forbids_scripts():
    message = f'<script>{PWN}</script><img src=x onerror="{PWN}">{OSC52}'
    page = render(hostile_results(message), student=f'<img src=x onerror="{PWN}">{TITLE}')
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    body = page.split("<body>", 1)[1]
    assert active_parts(body) == [] and control_characters(page) == [], body


def course_copy(folder: str, lab_settings: dict | None = None):
    """A course folder with the kit's sources linked in (and its own lab_settings); its settings."""
    make_course(folder, lab_settings)
    return load_config(os.path.join(folder, "course_config.py"))


def test_class_results_and_gradescope_export_list_folders_and_never_read_a_name_as_a_pattern(tmp_path):
    settings = course_copy(str(tmp_path / "course"))
    for student, score in (("victim", 20.0), ("victi[m]", 3.0), ("brackets [1]", 7.0), (".hidden", 1.0)):
        one_check = (CheckOutcome(name="all", check="all", grade_cell=None, max_score=score, passed=True),)
        write_results(
            settings.path("autograded", student, LAB, settings.autograder.results_file),
            Results(LAB, "", one_check, "", 0.0),
        )
    results = read_class_results(settings, LAB)
    assert {student: r.score for student, r in results.items()} == {
        "victim": 20.0,
        "victi[m]": 3.0,
        "brackets [1]": 7.0,
    }
    target = tmp_path / "gradescope"
    assert export_gradescope(settings, str(target)) == 3
    assert json.loads((target / LAB / "victi[m].json").read_text())["score"] == 3.0, "victi[m] exports its own results"


# --- one real batch: a payload submission beside the answer key ---------------------------------------------

ANSWER_KEY = "=2+5+cmd|calc!A0"  # also a student id that a spreadsheet would run (no quotes: those ids are refused)
HOSTILE_GRADE_ID = f'boom{OSC52}{TITLE}"><img src=x onerror="{PWN}">'
PAYLOAD_CELLS = [
    "from IPython.display import HTML, SVG, Javascript, display\n"
    f"display(HTML('<b>payload-html-text</b><img src=x onerror=\"{PWN}\"><script>{PWN}</script>'))",
    f"display(Javascript('{PWN}; alert(1)'))",
    f'display(SVG(\'<svg xmlns="http://www.w3.org/2000/svg" onload="{PWN}"><script>{PWN}</script></svg>\'))',
    f"display({{'text/markdown': '<img src=x onerror=\"{PWN}\">', 'text/plain': 'md'}}, raw=True)",
    f"display({{'text/html': '<iframe srcdoc=\"<script>parent.{PWN}</script>\"></iframe>', 'text/plain': 'frame'}}, raw=True)",
]


def payload_notebook(settings, path: str) -> None:
    """The answer key, plus cells that publish active content, a markdown cell of raw HTML, saved outputs in a
    cell the grader never runs (a public test cell), widget state, and a cell whose grade id and traceback
    carry terminal escapes."""
    write_variant(settings, LAB, Variant("payload", "the answer key and a payload"), path)
    nb = nbformat.read(path, as_version=4)
    public_test = next(
        cell
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade") and not cell.metadata["nbgrader"].get("solution")
    )
    public_test.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="All public tests passed!\n"),
        nbformat.v4.new_output(
            "display_data", data={"text/html": f'<img src=x onerror="{PWN}">', "text/plain": "saved"}
        ),
    ]
    public_test.execution_count = 9
    nb.cells.extend(nbformat.v4.new_code_cell(source) for source in PAYLOAD_CELLS)
    nb.cells.append(
        nbformat.v4.new_markdown_cell(
            f'payload-markdown-text <img src=x onerror="{PWN}"> <script>{PWN}</script> [click](javascript:{PWN})'
        )
    )
    escapes = nbformat.v4.new_code_cell(f"raise ValueError({OSC52 + TITLE + FORGED!r})")
    escapes.metadata["nbgrader"] = {"grade": False, "solution": True, "grade_id": HOSTILE_GRADE_ID, "locked": False}
    nb.cells.append(escapes)
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {},
            "version_major": 2,
            "version_minor": 0,
            "x": f"</script><script>{PWN}</script>",
        }
    }
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def payload_batch(tmp_path_factory):
    """lab1 graded in the sandbox with short limits: the payload, and the answer key under a formula-like id."""
    folder = str(tmp_path_factory.mktemp("inert") / "course")
    settings = course_copy(folder, {LAB: {"cell_timeout": 4.0, "check_timeout": 3.0}})
    from autograder.course.release import release_lab

    release_lab(settings, LAB, with_solution=True)
    payload_notebook(settings, settings.path("submitted", "payload", LAB, LAB + ".ipynb"))
    write_variant(
        settings,
        LAB,
        Variant(ANSWER_KEY, "the answer key"),
        settings.path("submitted", ANSWER_KEY, LAB, LAB + ".ipynb"),
    )
    graded = grade_all(
        settings, find_lab(settings, LAB), make_launcher(settings, resolve_lab(settings, LAB)), progress=False
    )
    return settings, graded


def autograded_notebook(settings, student: str):
    return nbformat.read(settings.path("autograded", student, LAB, LAB + ".ipynb"), as_version=4)


def test_the_answer_key_beside_the_payload_scores_full_marks(payload_batch):
    _, graded = payload_batch
    assert graded[ANSWER_KEY].score == graded[ANSWER_KEY].max_score == 22, graded[ANSWER_KEY].failures
    assert graded["payload"].score == 22, "the payload's answers are the answer key's: its cells' errors cost no check"


def test_the_payloads_autograded_notebook_holds_no_active_content(payload_batch):
    settings, _ = payload_batch
    nb = autograded_notebook(settings, "payload")
    assert "widgets" not in nb.metadata
    shown = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert active_parts(markdown2html(cell.source)) == [], cell.source
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            assert set(data) <= {"text/plain", "text/html", "image/png", "image/jpeg"}, (
                f"an active mimetype was kept: {sorted(data)}"
            )
            assert active_parts(data.get("text/html", "")) == [], data.get("text/html")
            shown.append(data.get("text/html", "") + data.get("text/plain", "") + output.get("text", ""))
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        assert grade_id != HOSTILE_GRADE_ID, "a grade id that is markup is not written for formgrader"
    assert any("payload-html-text" in text for text in shown), "the run's own outputs are still shown, sanitised"
    assert not any("All public tests passed!" in text for text in shown), (
        "outputs the student saved in a cell never run are gone"
    )


def test_the_payloads_results_print_and_export_without_control_characters_or_formulas(payload_batch, tmp_path):
    settings, graded = payload_batch
    assert "\x1b" in graded["payload"].output, (
        "the results keep what happened, as data (this test needs the escapes there)"
    )
    for table in (format_table(graded["payload"]), format_class_table(graded)):
        assert control_characters(table) == [], table
    path = tmp_path / "grades.csv"
    export_csv(settings, str(path))
    with open(path, newline="", encoding="utf-8") as handle:
        students = [row["student"] for row in csv.DictReader(handle)]
    assert "'" + ANSWER_KEY in students and ANSWER_KEY not in students, students


# --- a real browser: formgrader and the feedback page -------------------------------------------------------


def test_the_course_config_asks_nbconvert_to_sanitise_outputs_as_well():
    settings = load_config(os.path.join(KIT, "course_config.py"))
    assert settings.config.HTMLExporter.sanitize_html is True, (
        "formgrader and nbgrader's feedback sanitise outputs themselves too (not markdown cells: the kit does those)"
    )


@pytest.fixture(scope="module")
def browser():
    with open_browser() as driver:
        yield driver


@pytest.fixture(scope="module")
def formgrader(payload_batch, tmp_path_factory):
    """A real `jupyter server` with nbgrader's formgrader, serving the course on 127.0.0.1; stopped afterwards."""
    settings, _ = payload_batch
    with start_formgrader(settings.root, tmp_path_factory.mktemp("jupyter_home"), "inert-output-test") as server:
        yield server


def submission_id(settings, student: str) -> str:
    from autograder.outputs.gradebook import open_gradebook

    with open_gradebook(settings) as gradebook:
        return gradebook.find_submission_notebook(LAB, LAB, student).id


def payload_ran(driver) -> list[str]:
    """What payloads left in the page: each alert they opened (dismissed here), and window.__pwned."""
    from selenium.common.exceptions import NoAlertPresentException, UnexpectedAlertPresentException

    time.sleep(1.0)  # an <img onerror> fires after the image fails to load
    traces = []
    while len(traces) < 10:
        try:
            alert = driver.switch_to.alert
        except NoAlertPresentException:
            break
        traces.append(f"an alert said {alert.text!r}")
        alert.accept()
    try:
        value = driver.execute_script("return window.__pwned;")
    except UnexpectedAlertPresentException as alert:
        return traces + [f"an alert said {alert.alert_text!r}"]
    return traces + ([] if value is None else [f"window.__pwned = {value!r}"])


def test_formgraders_view_of_the_payload_runs_no_student_script_in_a_real_browser(payload_batch, formgrader, browser):
    settings, _ = payload_batch
    base, token = formgrader
    browser.get(f"{base}/formgrader/submissions/{submission_id(settings, 'payload')}/?token={token}")
    ran = payload_ran(browser)
    screenshot(browser, "formgrader_payload")
    assert ran == [], f"a payload ran in formgrader's page: {ran}"
    page = browser.find_element("tag name", "body").text
    assert "payload-html-text" in page and "payload-markdown-text" in page, (
        "the page shows the notebook, outputs and markdown"
    )
    assert "def sigmoid" in page, "the page shows the student's answers"


def test_the_payloads_feedback_page_runs_no_student_script_in_a_real_browser(payload_batch, browser):
    settings, _ = payload_batch
    browser.get("file://" + settings.path("feedback", "payload", LAB, LAB + ".html"))
    ran = payload_ran(browser)
    screenshot(browser, "feedback_payload")
    assert ran == [], f"a payload ran in the feedback page: {ran}"
    assert "Autograded score: 22 / 22" in browser.find_element("tag name", "body").text
