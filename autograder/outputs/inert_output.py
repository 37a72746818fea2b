"""Make what the kit writes for people inert: notebooks, pages, reports, CSV cells and terminal lines.

A submission controls much of what the kit shows an instructor: the autograded notebook that formgrader
renders with nbconvert (without sanitising it, and its markdown cells never), the feedback page, the class
report, the CSV export, and lines printed on the terminal (student names, grade ids, tracebacks). Everything
student-controlled passes through one of these functions on its way out, so that it is shown as data and
never run: no script, no event handler, no javascript: link, no formula, no terminal escape sequence.
"""

import html
import re
import uuid
from dataclasses import dataclass

import nbformat

# --- text for terminals, pages and tables ---------------------------------------------------------------

# Whole escape sequences first (their parameters would otherwise print as junk), then lone control characters:
# CSI (colours, cursor moves, erasing), OSC (window title, clipboard write: OSC 52, hyperlinks), DCS/SOS/PM/APC
# strings, two-character ESC sequences, and the 8-bit forms of CSI and OSC.
_ESCAPE_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
# C0 but tab and newline (\r would let a line overwrite itself: a forged "20/20"), DEL, C1, and the Unicode
# direction overrides that reorder what a terminal or a page displays.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` without terminal escape sequences and control characters; newlines and tabs are kept."""
    return _CONTROL_CHARACTERS.sub("", _ESCAPE_SEQUENCES.sub("", str(text)))


def printable_line(text: str) -> str:
    """printable(text) on one line: newlines and tabs become spaces (for a table cell or a name)."""
    return re.sub(r"[\n\t]", " ", printable(text))


# Cells that a spreadsheet would read as a formula (OWASP's CSV injection list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A CSV cell that no spreadsheet evaluates: text starting like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~$])")  # emphasis, code, links, table cells, math


def markdown_text(text: str) -> str:
    """`text` as literal Markdown on one line: no HTML, no link, no emphasis, no math, no table cell break."""
    escaped = html.escape(printable_line(text), quote=True)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)


# --- notebooks --------------------------------------------------------------------------------------------

# What student HTML may keep: text structure and tables; no script, style, form, frame, media or class
# (classes would let an output dress up as formgrader's own score fields).
HTML_TAGS = frozenset(
    "a abbr b blockquote br caption code dd del div dl dt em h1 h2 h3 h4 h5 h6 hr i ins kbd li ol p pre q s "
    "samp small span strong sub sup table tbody td tfoot th thead tr tt u ul var".split()
)
HTML_ATTRIBUTES = {
    "a": ["href", "title"],
    "abbr": ["title"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan"],
}
URL_PROTOCOLS = frozenset({"http", "https", "mailto"})

# MathJax typesets $...$ in rendered markdown and HTML; these commands make links, load extensions or set
# attributes, so they are written out as text.
_MATHJAX_ACTIVE = re.compile(r"\\(href|url|require|class|cssId|style|unicode|html|data)\b")

KEPT_MIMETYPES = ("text/plain", "text/html", "image/png", "image/jpeg")


@dataclass
class HtmlBudget:
    """How much student HTML bleach may still clean in one notebook; HTML past it is shown as escaped text.

    bleach (html5lib) cleans about 0.4 MB/s here, and its time grows with the square of the nesting depth
    (10,000 nested <div> take 3 s, 50,000 take 2 minutes): so a notebook's outputs, and each output's tags, are
    bounded, and a flood of HTML cannot hold the batch's one writer for more than about a second.
    """

    chars: int = 512 * 1024
    tags: int = 20_000
    tags_per_output: int = 2_000

    def take(self, text: str) -> bool:
        """Whether `text` may be cleaned; if so, it is taken off the budget."""
        tags = text.count("<")
        if len(text) > self.chars or tags > min(self.tags, self.tags_per_output):
            return False
        self.chars -= len(text)
        self.tags -= tags
        return True


BASE64_TEXT = re.compile(r"[A-Za-z0-9+/=\s]*")
_SAFE_NAME = re.compile(r"[A-Za-z0-9_.+#() -]{0,100}")
_CELL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
NBGRADER_FLAGS = ("grade", "solution", "locked", "task")


def inert_html(text: str) -> str:
    """Student HTML with only text-structure tags and http(s)/mailto links; any other markup is escaped, so it
    shows as text."""
    import bleach  # here, not at the top: printing a line must not cost bleach's import (50 ms) on the CLI's start

    cleaned = bleach.clean(
        str(text), tags=HTML_TAGS, attributes=HTML_ATTRIBUTES, protocols=URL_PROTOCOLS, strip=False, strip_comments=True
    )
    return _without_mathjax_commands(cleaned)


def html_as_text(text: str) -> str:
    """Student HTML shown as its own source text (fast, whatever its size)."""
    return "<pre>" + _without_mathjax_commands(html.escape(str(text), quote=False)) + "</pre>"


def _without_mathjax_commands(text: str) -> str:
    return _MATHJAX_ACTIVE.sub(r"\\text{\1}", text)


# A link destination in Markdown: after "](" (inline link or image) or "]:" (reference definition), past
# spaces, a line ending and an opening "<".
_LINK_DESTINATION = re.compile(r"(\]\(|\]:)([ \t]*\n?[ \t]*<?)")
# Browsers drop tabs and line breaks inside a URL ("java\tscript:" is "javascript:"), so a plain relative path
# must end at a space, a line end, a quote, the link's end or the text's end (never at a tab).
_SAFE_DESTINATION = re.compile(
    r"(?:https?://|mailto:|#|\.{0,2}/)|[A-Za-z0-9_\-./]*(?=[ \n)>\"']|$)", re.ASCII | re.IGNORECASE
)
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def inert_markdown(source: str) -> str:
    """Markdown that renders without raw HTML or active links.

    Every "<" that would open a tag, a comment or an autolink is written as &lt; (so it shows as "<"; inside
    a code span it shows as "&lt;"); a link whose destination is not http(s), mailto, a fragment or a plain
    relative path becomes a fragment link ("#javascript:..."), whatever entities or escapes hide its scheme;
    MathJax's link and extension commands become text.
    """
    text = _TAG_START.sub("&lt;", str(source))
    text = _LINK_DESTINATION.sub(_inert_destination(text), text)
    return _without_mathjax_commands(text)


def _inert_destination(text: str):
    def replace(match):
        if _SAFE_DESTINATION.match(text, match.end()):
            return match.group(0)
        return match.group(0) + "#"

    return replace


def inert_output(output, sanitise_html: bool = True) -> dict | None:
    """One code cell output, rebuilt from what is safe to show; None for an output type nbformat does not know.

    text/html is sanitised (or, without `sanitise_html`, shown as escaped text); PNG and JPEG images are kept when their data is base64 text; every other
    mimetype (JavaScript, SVG, Markdown, LaTeX, widgets, application/vnd.*) is removed, and text/plain says
    which were.
    """
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        return nbformat.v4.new_output("stream", name=name, text=_text(output.get("text", "")))
    if kind == "error":
        traceback = output.get("traceback") if isinstance(output.get("traceback"), list) else []
        return nbformat.v4.new_output(
            "error",
            ename=_text(output.get("ename", "")),
            evalue=_text(output.get("evalue", "")),
            traceback=[_text(line) for line in traceback],
        )
    if kind not in ("display_data", "execute_result"):
        return None
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    kept, removed = {}, sorted(str(mimetype) for mimetype in data if mimetype not in KEPT_MIMETYPES)
    for mimetype in KEPT_MIMETYPES:
        value = data.get(mimetype)
        if mimetype not in data:
            continue
        value = _text(value)
        if mimetype == "text/html":
            kept[mimetype] = inert_html(value) if sanitise_html else html_as_text(value)
        elif mimetype.startswith("image/"):
            if BASE64_TEXT.fullmatch(value):
                kept[mimetype] = value
            else:
                removed.append(mimetype)
        else:
            kept[mimetype] = value
    if removed:
        note = (
            "[output removed by the grader: " + ", ".join(printable_line(mimetype)[:80] for mimetype in removed) + "]"
        )
        kept["text/plain"] = (kept["text/plain"] + "\n" + note) if kept.get("text/plain") else note
    metadata = {}
    source_metadata = output.get("metadata") if isinstance(output.get("metadata"), dict) else {}
    for mimetype in ("image/png", "image/jpeg"):
        size = source_metadata.get(mimetype)
        if mimetype in kept and isinstance(size, dict):
            numbers = {key: size[key] for key in ("width", "height") if _is_number(size.get(key))}
            if numbers:
                metadata[mimetype] = numbers
    if kind == "execute_result":
        count = output.get("execution_count")
        return nbformat.v4.new_output(
            kind, data=kept, metadata=metadata, execution_count=count if _is_int(count) else None
        )
    return nbformat.v4.new_output(kind, data=kept, metadata=metadata)


def inert_nbgrader_metadata(value) -> dict | None:
    """A cell's nbgrader metadata with only nbgrader's own keys, of their own types; None if its grade id is
    not a plain name (formgrader writes grade ids into its page unescaped)."""
    if not isinstance(value, dict):
        return None
    grade_id = value.get("grade_id")
    if grade_id is not None and not (isinstance(grade_id, str) and re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", grade_id)):
        return None
    kept = {flag: value[flag] for flag in NBGRADER_FLAGS if isinstance(value.get(flag), bool)}
    if grade_id is not None:
        kept["grade_id"] = grade_id
    if _is_number(value.get("points")):
        kept["points"] = value["points"]
    if _is_int(value.get("schema_version")):
        kept["schema_version"] = value["schema_version"]
    if value.get("cell_type") in ("code", "markdown"):
        kept["cell_type"] = value["cell_type"]
    if isinstance(value.get("checksum"), str) and re.fullmatch(r"[0-9a-f]{1,128}", value["checksum"]):
        kept["checksum"] = value["checksum"]
    return kept


def inert_notebook(nb, html_budget: HtmlBudget | None = None):
    """A copy of `nb` to write for people: outputs as inert_output makes them (HTML sanitised within
    `html_budget`, a fresh HtmlBudget by default, and shown as escaped text past it), markdown as inert_markdown, raw cells escaped,
    attachments gone, and of the metadata only nbgrader's cell metadata, kernelspec and language_info (widget
    state, which nbconvert embeds with scripts, and everything else is dropped)."""
    result = nbformat.v4.new_notebook()
    result.metadata = _inert_notebook_metadata(nb.get("metadata", {}))
    budget = html_budget if html_budget is not None else HtmlBudget()
    result.cells = [_inert_cell(cell, budget) for cell in nb.get("cells", [])]
    return result


def _html_of(output) -> str:
    data = output.get("data")
    return _text(data.get("text/html", "")) if isinstance(data, dict) else ""


def _inert_cell(cell, budget: HtmlBudget):
    kind = cell.get("cell_type")
    source = _text(cell.get("source", ""))
    if kind == "code":
        outputs = []
        for output in cell.get("outputs", []):
            if isinstance(output, dict):
                outputs.append(inert_output(output, sanitise_html=budget.take(_html_of(output))))
        count = cell.get("execution_count")
        made = nbformat.v4.new_code_cell(source, outputs=[output for output in outputs if output is not None])
        made.execution_count = count if _is_int(count) else None
    elif kind == "markdown":
        made = nbformat.v4.new_markdown_cell(inert_markdown(source))
    else:
        made = nbformat.v4.new_raw_cell(html.escape(source, quote=False))
    cell_id = cell.get("id")
    made.id = cell_id if isinstance(cell_id, str) and _CELL_ID.fullmatch(cell_id) else uuid.uuid4().hex[:8]
    nbgrader = inert_nbgrader_metadata(cell.get("metadata", {}).get("nbgrader"))
    if nbgrader is not None:
        made.metadata["nbgrader"] = nbgrader
    return made


def _inert_notebook_metadata(metadata) -> dict:
    kept = {}
    for key in ("kernelspec", "language_info"):
        value = metadata.get(key) if isinstance(metadata, dict) else None
        if isinstance(value, dict):
            kept[key] = _plain_fields(value, depth=2)
    if not {"name", "display_name"} <= set(kept.get("kernelspec", {"name", "display_name"})):
        del kept["kernelspec"]  # nbformat requires both; without them the field is left out
    return kept


def _plain_fields(value: dict, depth: int) -> dict:
    """The fields of `value` that are numbers or short plain names (nested dicts down to `depth`)."""
    kept = {}
    for key, item in value.items():
        if not (isinstance(key, str) and _SAFE_NAME.fullmatch(key)):
            continue
        if isinstance(item, str) and _SAFE_NAME.fullmatch(item) or _is_number(item):
            kept[key] = item
        elif isinstance(item, dict) and depth > 1:
            kept[key] = _plain_fields(item, depth - 1)
    return kept


def _text(value) -> str:
    """nbformat's multiline strings (a str, or a list of str) as one str; anything else as empty."""
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return value if isinstance(value, str) else ""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
