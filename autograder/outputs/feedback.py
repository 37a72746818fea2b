"""A submission's feedback page for the student: the score, each check's verdict and message, and notes.

Built from results.json only, so it shows exactly what was graded and never a hidden check's code. Every text
in it (messages carry the student's own output, and the student's name is a folder name) is escaped and freed
of control characters, and the page forbids scripts itself (Content-Security-Policy), in case one got through.
"""

import html
import os

from autograder.outputs.inert_output import printable
from autograder.results import Results

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border-bottom: 1px solid #ddd; padding: .4em; text-align: left; vertical-align: top; }}
.passed {{ color: #1a7f37; }} .failed {{ color: #b42318; }} pre {{ white-space: pre-wrap; background: #f6f8fa; padding: .5em; }}
</style></head><body>
<h1>{title}</h1>
<p><strong>Autograded score: {score:g} / {max_score:g}</strong>{manual}</p>
{notes}
<table><tr><th>check</th><th>points</th><th>result</th></tr>
{rows}
</table></body></html>
"""


def page_text(text) -> str:
    """`text` as HTML text: escaped (quotes too, so it is safe in an attribute) and printable."""
    return html.escape(printable(text), quote=True)


def render(results: Results, student: str) -> str:
    rows = []
    for test in results.tests:
        verdict = "passed" if test.passed else test.reason or "failed"
        detail = f"<pre>{page_text(test.output)}</pre>" if test.output and not test.passed else ""
        rows.append(
            f"<tr><td>{page_text(test.name)}{detail}</td><td>{test.score:g} / {test.max_score:g}</td>"
            f'<td class="{"passed" if test.passed else "failed"}">{page_text(verdict)}</td></tr>'
        )
    manual = results.manual_max_score
    return PAGE.format(
        title=page_text(f"{results.lab} — feedback for {student}"),
        score=results.score,
        max_score=results.max_score,
        manual=f" (and {manual:g} points for written answers, graded by hand)" if manual else "",
        notes=f"<pre>{page_text(results.output)}</pre>" if results.output else "",
        rows="\n".join(rows),
    )


def write_feedback(path: str, results: Results, student: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(render(results, student))
