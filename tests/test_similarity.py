"""`autograder similarity LAB`: the class's submissions of lab3 compared with each other (and the answer key).

A course is built with lab3 released; the students hand in the answer key disguised (every local name renamed,
the functions reordered, comments gone: an ast transformation of the key's solution cells), a solution of every
exercise written independently here, the released stub (twice), a file that is not a notebook, and code whose
text and folder name are markup. The report is opened in headless Chromium.
"""

import ast
import csv
import os
import subprocess
import sys

import nbformat
import pytest
from formgrader_browser import open_browser, screenshot

from autograder.course.config import load_config
from autograder.course.release import release_lab
from autograder.demo.course import make_course
from autograder.demo.examples import load_variants, write_variant
from autograder.errors import UsageError
from autograder.grading.cells import grade_id, is_public_test, is_solution
from autograder.outputs.similarity import (
    ANSWER_KEY,
    DEFAULT_THRESHOLD,
    StudentCode,
    boilerplate_hashes,
    compare,
    fingerprint,
    read_sources,
    released_code,
    released_solution_cells,
    similarity_report,
    write_report,
    written_code,
)

LAB = "lab3_backprop"
MARKUP_FOLDER = "<img src=x onerror=window.__pwned=1>"  # a student folder's name: no "/" can be in one
FORMULA_FOLDER = "=1+1"  # a folder's name that a spreadsheet would compute
SCRIPT_CODE = "<script>window.__pwned=2</script><img src=x onerror=window.__pwned=3>"

# An independent solution of every exercise of lab3, written without looking at the answer key's code: what a
# student who did the work alone hands in. It replaces, in order, each "# YOUR CODE HERE / raise
# NotImplementedError()" of the released cells.
INDEPENDENT = {
    "losses": [
        """residual = (y_pred - y_true).ravel()
return float(residual @ residual / residual.size)""",
        """probabilities = np.minimum(np.maximum(y_pred, eps), 1 - eps)
per_entry = -(y_true * np.log(probabilities) + (1 - y_true) * np.log1p(-probabilities))
return float(per_entry.sum() / per_entry.size)""",
    ],
    "sigmoid_derivative": [
        """e = np.exp(-np.abs(np.asarray(z, dtype=float)))
return e / (1.0 + e) ** 2""",
    ],
    "numerical_gradient": [
        """saved = param.copy()
gradient = np.zeros_like(param)
for flat_index in range(param.size):
    i = np.unravel_index(flat_index, param.shape)
    values = []
    for sign in (1, -1):
        param[i] = saved[i] + sign * h
        values.append(f())
    param[...] = saved
    gradient[i] = (values[0] - values[1]) / (2 * h)
return gradient""",
    ],
    "trainable_network": [
        """batch = len(X)
hidden_in = np.dot(X, self.W1) + self.b1
hidden_out = sigmoid(hidden_in)
out = sigmoid(np.dot(hidden_out, self.W2) + self.b2)
delta_out = (out - y) * (2.0 / batch) * out * (1 - out)
delta_hidden = np.dot(delta_out, self.W2.T) * hidden_out * (1 - hidden_out)
return {
    "W2": np.dot(hidden_out.T, delta_out),
    "b2": delta_out.sum(axis=0),
    "W1": np.dot(X.T, delta_hidden),
    "b1": delta_hidden.sum(axis=0),
}""",
        """for name, gradient in grads.items():
    setattr(self, name, getattr(self, name) - learning_rate * gradient)""",
        """history = []
while len(history) < epochs:
    self.update(self.backward(X, y), learning_rate)
    history.append(mse_loss(self.feedforward(X), y))
return history""",
    ],
    "train_xor": [
        """net = TrainableNetwork(2, 8, seed=seed)
net.train(XOR_X, XOR_Y, 3000, 2.0)
return net""",
    ],
    "torch_network": [
        """self.layer1 = nn.Linear(n_inputs, n_hidden)
self.layer2 = nn.Linear(n_hidden, 1)
self.squash = nn.Sigmoid()""",
        """hidden = self.squash(self.layer1(x))
return self.squash(self.layer2(hidden))""",
        """opt = torch.optim.SGD(model.parameters(), lr=lr)
criterion = nn.MSELoss()
history = []
for _ in range(epochs):
    opt.zero_grad()
    current = criterion(model(X), y)
    current.backward()
    opt.step()
    history.append(current.item())
return history""",
    ],
    "regression_net": [
        """self.first = nn.Linear(input_size, hidden1)
self.second = nn.Linear(hidden1, hidden2)
self.third = nn.Linear(hidden2, output_size)
self.act = nn.LeakyReLU()""",
        """return self.third(self.act(self.second(self.act(self.first(x)))))""",
    ],
}
STUB_LINES = ("# YOUR CODE HERE", "raise NotImplementedError()")


def fill_stub(source: str, bodies: list[str]) -> str:
    """The released cell `source` with each stub ("# YOUR CODE HERE" + "raise NotImplementedError()") replaced, in
    order, by the next of `bodies`, indented as the stub was."""
    lines, out, bodies = source.splitlines(), [], list(bodies)
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.strip() == STUB_LINES[0] and index + 1 < len(lines) and lines[index + 1].strip() == STUB_LINES[1]:
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + body_line for body_line in bodies.pop(0).splitlines())
            index += 2
            continue
        out.append(line)
        index += 1
    assert not bodies, f"every body was placed, {len(bodies)} left over"
    return "\n".join(out)


class RenameLocals(ast.NodeTransformer):
    """Renames every parameter (but self) and every name assigned inside a function to an unrelated name."""

    def visit_FunctionDef(self, node):
        local = {arg.arg for arg in node.args.args if arg.arg != "self"}
        local |= {
            child.id for child in ast.walk(node) if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store)
        }
        renames = {name: f"q{number}_{len(name)}" for number, name in enumerate(sorted(local))}
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and child.id in renames:
                child.id = renames[child.id]
            elif isinstance(child, ast.arg) and child.arg in renames:
                child.arg = renames[child.arg]
        return node


def disguised(source: str) -> str:
    """A solution cell's code as a copier hands it in: locals renamed, the functions (and each class's methods)
    in reverse order, comments dropped and the layout redone (ast.unparse)."""
    tree = RenameLocals().visit(ast.parse(source))

    def reverse_functions(body: list) -> list:
        functions = [statement for statement in body if isinstance(statement, ast.FunctionDef)]
        reordered = iter(reversed(functions))
        return [next(reordered) if isinstance(statement, ast.FunctionDef) else statement for statement in body]

    tree.body = reverse_functions(tree.body)
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef):
            statement.body = reverse_functions(statement.body)
    return ast.unparse(tree)


def hand_in_notebook(settings, student: str, nb) -> str:
    folder = settings.layout.submitted_dir(student, LAB)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, LAB + ".ipynb")
    nbformat.write(nb, path)
    return path


def with_solution_cells(path: str, make) -> object:
    """The notebook at `path` with each solution code cell's source replaced by make(grade_id, source)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and is_solution(cell):
            cell.source = make(grade_id(cell), cell.source)
            cell.outputs, cell.execution_count = [], None
    return nb


def independent_solution(settings):
    return with_solution_cells(
        settings.layout.release_notebook(LAB), lambda cell_id, source: fill_stub(source, INDEPENDENT[cell_id])
    )


def disguised_key(settings):
    return with_solution_cells(settings.layout.solution_notebook(LAB), lambda _, source: disguised(source))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """lab3 released with its answer key; handed in: the disguised key (copier), an independent solution (solo, and
    again under a folder named as a formula), the stub twice (stub1, stub2), a PNG named as the notebook (broken),
    and markup in code and in a student folder's name (the disguised key again, so that it pairs with the key)."""
    folder = str(tmp_path_factory.mktemp("course") / "course")
    make_course(folder)
    settings = load_config(os.path.join(folder, "course_config.py"))
    release_lab(settings, LAB, with_solution=True)
    hand_in_notebook(settings, "copier", disguised_key(settings))
    hand_in_notebook(settings, "solo", independent_solution(settings))
    hand_in_notebook(settings, FORMULA_FOLDER, independent_solution(settings))
    stub = nbformat.read(settings.layout.release_notebook(LAB), as_version=4)
    hand_in_notebook(settings, "stub1", stub)
    hand_in_notebook(settings, "stub2", stub)
    broken = next(variant for variant in load_variants(settings, "lab1_neuron") if variant.student == "mallory")
    write_variant(settings, LAB, broken, os.path.join(settings.layout.submitted_dir("broken", LAB), LAB + ".ipynb"))
    hostile = disguised_key(settings)
    cell = next(cell for cell in hostile.cells if grade_id(cell) == "train_xor")
    cell.source += f"\n\n# {SCRIPT_CODE}\nBANNER = {SCRIPT_CODE!r}\n"
    hand_in_notebook(settings, MARKUP_FOLDER, hostile)
    return settings


@pytest.fixture(scope="module")
def report(course):
    return similarity_report(course, LAB, with_answer_key=True)


def score(report, first: str, second: str) -> float:
    pair = next(pair for pair in report.pairs if {pair.first, pair.second} == {first, second})
    return pair.score


PUBLIC_TESTS_RUN = """
import os, sys
sys.path.insert(0, os.getcwd())  # the lab's own files (release/<lab>/), as a student's kernel has them
{cells}
"""


def test_the_independent_solution_is_correct_it_passes_the_labs_public_tests(course, tmp_path):
    """The scenario holds: "solo" is a working solution (its code, the lab's given cells and public tests run in a
    fresh Python; the plots are left out), so its low score is not that of broken code."""
    nb = independent_solution(course)
    cells = [
        f"exec(compile({cell.source!r}, {grade_id(cell)!r}, 'exec'))"
        for cell in nb.cells
        if cell.cell_type == "code" and not grade_id(cell).startswith(("plot_", "regression_demo"))
    ]
    script = tmp_path / "solo.py"
    script.write_text(PUBLIC_TESTS_RUN.format(cells="\n".join(cells)), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=course.layout.release_dir(LAB),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert run.returncode == 0, f"the independent solution should pass lab3's public tests:\n{run.stderr[-3000:]}"
    public_tests = sum(1 for cell in nb.cells if is_public_test(cell))
    assert run.stdout.count("tests passed.") == public_tests, f"each of the {public_tests} public test cells passes"


def test_the_answer_key_with_every_name_renamed_and_its_functions_reordered_scores_above_the_threshold(report):
    copied = score(report, "copier", ANSWER_KEY)
    assert copied >= max(DEFAULT_THRESHOLD, 0.8), f"the disguised key should score 0.8 or more against it, got {copied}"
    assert report.flagged[0].score >= copied, "the pairs are sorted, most similar first"
    flagged = {frozenset((pair.first, pair.second)) for pair in report.flagged}
    assert frozenset(("copier", ANSWER_KEY)) in flagged, "the pair is flagged (at or above the threshold)"


def test_two_independent_correct_solutions_score_below_the_threshold(report):
    for other in (ANSWER_KEY, "copier"):
        independent = score(report, "solo", other)
        assert independent < DEFAULT_THRESHOLD, f"solo and {other} wrote their code alone: below, got {independent}"


def test_two_students_handing_in_the_stub_do_not_pair(report):
    skipped = {entry.name: entry.reason for entry in report.skipped}
    for student in ("stub1", "stub2"):
        assert "released stub" in skipped.get(student, ""), f"{student} handed in the stub: skipped, got {skipped}"
        assert not [pair for pair in report.pairs if student in (pair.first, pair.second)], f"{student} pairs with none"


def test_a_file_that_is_not_a_notebook_is_listed_as_skipped_with_its_reason(report):
    skipped = {entry.name: entry.reason for entry in report.skipped}
    assert skipped.get("broken") == "not a notebook (the file is not UTF-8 text)", f"the PNG's reason, got {skipped}"
    assert "broken" not in report.compared, "a file that is not a notebook is not compared"


def test_code_the_lab_gives_pasted_into_two_solution_cells_does_not_pair_them(course):
    """Two students paste the same public test cell into their train_xor cells and write nothing else: what the
    released notebook holds is boilerplate, so neither has code of its own."""
    released = nbformat.read(course.layout.release_notebook(LAB), as_version=4)
    public_test = next(cell.source for cell in released.cells if grade_id(cell) == "test_backward")
    sources, skipped = [], []
    for student, indent in (("ann", ""), ("ben", "    ")):
        cell = next(cell for cell in released.cells if grade_id(cell) == "train_xor")
        handed_in = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell.source + "\n" + public_test)])
        handed_in.cells[0].metadata["nbgrader"] = dict(cell.metadata["nbgrader"])
        handed_in.cells[0].source = handed_in.cells[0].source.replace("\n", "\n" + indent)
        code = written_code(student, released_solution_cells(released), handed_in)
        assert isinstance(code, StudentCode), f"{student}'s train_xor cell is read, got {code}"
        sources.append(code)
    result = compare(LAB, sources, skipped, released_code(released))
    assert result.pairs == (), f"no pair: the pasted code is the lab's, got {result.pairs}"
    assert {entry.name for entry in result.skipped} == {"ann", "ben"}, "both are listed as having no code of their own"


def test_the_fast_pair_scores_equal_copydetects_compare_files(course, report):
    """score_pairs computes copydetect's similarities on sorted arrays; compare_files, run on the same
    fingerprints, gives the same numbers."""
    import copydetect

    released = nbformat.read(course.layout.release_notebook(LAB), as_version=4)
    boilerplate = boilerplate_hashes(released_code(released))
    sources, _ = read_sources(course, LAB, with_answer_key=True)
    printed = {source.name: fingerprint(source.code, boilerplate) for source in sources}
    for pair in report.pairs:
        overlap, (first, second), _ = copydetect.compare_files(printed[pair.first], printed[pair.second])
        assert (pair.shared, pair.first_share, pair.second_share) == pytest.approx((overlap, first, second)), (
            f"{pair.first} / {pair.second}: the same scores as compare_files"
        )


def test_without_the_answer_key_option_the_key_is_not_compared(course):
    without = similarity_report(course, LAB)
    assert ANSWER_KEY not in without.compared, f"the key is compared only when asked, got {without.compared}"
    assert score(without, "copier", MARKUP_FOLDER) >= DEFAULT_THRESHOLD, "two copies of the key still pair"


def test_a_threshold_outside_0_to_1_and_an_unknown_lab_are_refused(course):
    with pytest.raises(UsageError, match="between 0 and 1"):
        similarity_report(course, LAB, threshold=50)
    with pytest.raises(UsageError, match="unknown lab"):
        similarity_report(course, "lab9_nothing")


def test_the_csv_has_every_pairs_scores_with_formula_safe_names(report, tmp_path):
    _, table = write_report(report, str(tmp_path))
    with open(table, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    count = len(report.compared)
    assert len(rows) == count * (count - 1) // 2, f"one row per pair of the {count} compared, got {len(rows)}"
    names = {row["first"] for row in rows} | {row["second"] for row in rows}
    assert FORMULA_FOLDER not in names and "'" + FORMULA_FOLDER in names, f"a formula-safe cell, got {names}"
    scores = [float(row["similarity"]) for row in rows]
    assert scores == sorted(scores, reverse=True), "most similar first"


def test_the_report_in_a_browser_runs_no_script_and_shows_the_shared_fragments_highlighted(report, tmp_path):
    """Headless Chromium opens the page: the markup in a student's code and in a folder's name shows as text and
    never runs, and the highlighted fragments are displayed. Screenshot: test-output/screenshots/similarity.png."""
    page, _ = write_report(report, str(tmp_path))
    with open(page, encoding="utf-8") as handle:
        text = handle.read()
    assert "default-src 'none'" in text, "the page carries its Content-Security-Policy"
    with open_browser() as browser:
        browser.get("file://" + page)
        screenshot(browser, "similarity")
        assert browser.execute_script("return document.scripts.length;") == 0, "the page holds no script"
        assert browser.execute_script("return window.__pwned === undefined;"), "no student markup ran"
        body = browser.find_element("tag name", "body").text
        assert MARKUP_FOLDER in body, "the folder's name is shown as text"
        assert SCRIPT_CODE in body, "the student's markup is shown as code"
        marks = browser.find_elements("css selector", "mark.shared")
        visible = [mark for mark in marks if mark.is_displayed() and mark.size["width"] > 0 and mark.size["height"] > 0]
        assert visible, f"highlighted fragments are displayed ({len(marks)} in the page)"


def test_the_command_writes_the_report_and_says_where(course, tmp_path):
    output = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "autograder", "--config", course.path("course_config.py")]
        + ["similarity", LAB, "--with-answer-key", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, f"exit 0, got {run.returncode}: {run.stderr}"
    page, table = output / f"similarity_{LAB}.html", output / f"similarity_{LAB}.csv"
    assert f"report: {page}" in run.stdout and f"scores: {table}" in run.stdout, f"says where: {run.stdout}"
    assert page.is_file() and table.is_file(), "the page and the CSV are written"
    assert "skipped broken: not a notebook (the file is not UTF-8 text)" in run.stdout, "the skipped, with why"
    assert "copier" in run.stdout and ANSWER_KEY in run.stdout, f"the flagged pairs are printed: {run.stdout}"
