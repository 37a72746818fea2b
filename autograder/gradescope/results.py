"""The kit's results of one submission as Gradescope's results.json, with Gradescope's visibility settings.

The kit's results.json is Gradescope's format already (autograder/results.py); for Gradescope itself it gains
each check's `visibility` (Gradescope shows a test's name, score and message when its visibility allows:
"hidden", "after_due_date", "after_published" or "visible"), and its summary becomes an HTML output with the
pictures the checks drew (escaped text and PNG data URIs only). A lab chooses the visibility of its checks with
its `gradescope_visibility` setting: {check: visibility}, a check named by its function ("test_relu_values") or its
pytest id, and "default" for the others (after_published when not set: the messages of hidden checks wait
until the instructor publishes the grades). The pictures' data leave extra_data, where Gradescope shows nothing.
"""

import html

from autograder.results import CheckOutcome, Results

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
DEFAULT_VISIBILITY = "after_published"
DEFAULT_KEY = "default"


def check_visibility(outcome: CheckOutcome, visibility: dict[str, str]) -> str:
    """The visibility of one check: its pytest id's setting, else its function's, else the lab's default."""
    function = outcome.check.rsplit("::", 1)[-1].split("[", 1)[0]
    for key in (outcome.check, function, DEFAULT_KEY):
        if key in visibility:
            return visibility[key]
    return DEFAULT_VISIBILITY


def summary_html(results: Results) -> str:
    """The summary the student reads above the tests: the kit's notes, then each picture with its title and
    caption, as HTML in which every text is escaped."""
    parts = [f"<pre>{html.escape(results.output)}</pre>"] if results.output else []
    for picture in results.pictures:
        parts.append(
            f"<figure><img alt='{html.escape(picture.title, quote=True)}' src='data:image/png;base64,{picture.png}'>"
            f"<figcaption><b>{html.escape(picture.title)}</b> {html.escape(picture.caption)}</figcaption></figure>"
        )
    return "\n".join(parts)


def gradescope_results(results: Results, visibility: dict[str, str]) -> dict:
    """Gradescope's results.json of `results`: the score, one test per check with its visibility (messages as
    text), the summary and pictures as HTML, the kit's extra_data without the pictures' bytes."""
    data = results.to_json()
    data.pop("max_score", None)  # not a key of Gradescope's format: it adds up the tests' max_score itself
    data["extra_data"].pop("pictures", None)
    data["tests"] = [
        dict(entry, visibility=check_visibility(outcome, visibility), output_format="text")
        for outcome, entry in zip(results.tests, data["tests"])
    ]
    data["output"] = summary_html(results)
    data["output_format"] = "html"
    data["visibility"] = "visible"
    data["stdout_visibility"] = "hidden"  # the grader's log is the instructor's
    return data
