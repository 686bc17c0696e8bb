"""Making text from a user's file safe where a report puts it: HTML, Markdown, workbook cells.

The one place this is done (issue #15): organisation names, indicator names, codebook
labels, region, partnership and meeting names come from files an officer (or a hostile
partner) wrote, and reach a rendered report or a spreadsheet. Every report writer passes
them through these functions; the report's own wording (evalkit's templates) is not
escaped, so its Markdown still formats.

- :func:`html_text` — text inside HTML (element content or a quoted attribute).
- :func:`md_text` — text inside Markdown: no link, image, emphasis, heading, list,
  math or raw HTML can come from it.
- :class:`MdSafe` — Markdown that is evalkit's own (a filled template); not escaped again.
- :func:`safe_table` — a pandas Styler whose cells and labels are HTML-escaped (a Styler
  does not escape by default, unlike ``DataFrame.to_html``).
- :func:`excel_text` — the OWASP CSV-injection rule for workbook and CSV cells.

Only the standard library and pandas are imported: this is the lowest layer.
"""

from __future__ import annotations

import html
import numbers
import re

import pandas as pd

__all__ = ["MdSafe", "html_text", "md_text", "md_value", "md_filename", "safe_table", "excel_text",
           "EXCEL_PREFIXES"]


def _as_text(value: object) -> str:
    """``value`` as text: "" for None/NaN/NA (a missing cell), else ``str(value)``."""
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            if pd.isna(value):
                return ""
        except (TypeError, ValueError):  # array-likes: not a missing scalar
            pass
    return str(value)


def html_text(value: object) -> str:
    """``value`` as text safe inside HTML content or a quoted attribute.

    ``html.escape(quote=True)``: ``& < > " '`` become entities, so no tag, attribute
    or entity can come from the value. None/NaN give "".
    """
    return html.escape(_as_text(value), quote=True)


class MdSafe(str):
    """Markdown that evalkit wrote (a filled template): :func:`md_text` leaves it as is.

    Like ``markupsafe.Markup`` for HTML. Concatenating it with a plain ``str`` gives a
    plain ``str`` again (which would be escaped if passed as a value).
    """

    __slots__ = ()


# Raw HTML: ``<`` and ``>`` become entities (a backslash does not stop raw HTML in every
# Markdown renderer; an entity is shown as the character by all of them), and ``&`` where
# it could start an entity (so "&lt;" typed in a file is shown as typed).
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;"}
_MD_AMPERSAND = re.compile(r"&(?=[#A-Za-z0-9])")
# Markdown's inline specials, backslash-escaped wherever they are (CommonMark shows an
# escaped punctuation character literally): link and image brackets ``[ ]``, emphasis
# ``* _ ~``, code ```` ` ````, table ``|``, braces, math ``$`` (Jupyter renders it) and
# the backslash itself. ``( ) !`` are left as typed: they make a link or an image only
# next to a bracket, and every bracket is escaped.
_MD_BACKSLASH = "\\`*_[]{}|$~"
_MD_MAP = {**_MD_ENTITIES, **{c: "\\" + c for c in _MD_BACKSLASH},
           # a value is one line of a sentence or a cell: a line break could start a new
           # block (heading, list, quote, table, setext underline), so breaks become spaces
           "\n": " ", "\r": " ", "\t": " ", "\x0b": " ", "\x0c": " ",
           "\u2028": " ", "\u2029": " "}
_MD_TABLE = str.maketrans(_MD_MAP)
# Block markers matter only at the start of a line, i.e. of the value: a heading "#",
# a list "-", "+", "1.", "2)", a thematic break or setext line "=".
_MD_LEADING = re.compile(r"^(\s*)([#+\-=]|\d{1,9}[.)](?=\s|$))")
# The starts of GFM autolinks ("https://", "www.") are escaped where they occur.
_MD_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<![\w.])(www)(\.)")


def _md_leading(match: re.Match) -> str:
    marker = match.group(2)
    return match.group(1) + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit()
                             else "\\" + marker)


def _md_autolink(match: re.Match) -> str:
    return "\\:" if match.group(1) else match.group(2) + "\\."


def md_text(value: object) -> str:
    """``value`` as literal text safe inside a Markdown string.

    ``<``/``>`` (and an ``&`` that could start an entity) become entities, Markdown's
    inline specials are backslash-escaped, and so are a heading/list marker at the
    start and the start of a bare ``https://``/``www.`` autolink: no raw HTML, link
    ``[..](..)``, image ``![..](..)``, ``*emphasis*``, ``$math$``, heading or list can
    come from the value. Line breaks become spaces. Rendered, the text reads exactly as
    the value; ordinary names ("Sumber daya & kompetensi", "pemerintah-swasta") are
    left as they are.
    A :class:`MdSafe` value (evalkit's own Markdown) is returned unchanged.
    """
    if isinstance(value, MdSafe):
        return value
    out = _MD_AMPERSAND.sub("&amp;", _as_text(value)).translate(_MD_TABLE)
    out = _MD_LEADING.sub(_md_leading, out)
    return _MD_AUTOLINK.sub(_md_autolink, out)


_PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?:[._\-/][A-Za-z0-9]+)*")


def md_filename(value: object) -> MdSafe:
    """A file name as Markdown: as typed when it is a plain name (letters and digits joined
    by single ``. _ - /``, which form no Markdown: an underscore between letters is never
    emphasis), else escaped by :func:`md_text`."""
    name = _as_text(value)
    return MdSafe(name if _PLAIN_NAME.fullmatch(name) else md_text(name))


def md_value(value: object) -> object:
    """A value about to be put into a Markdown template: text escaped by :func:`md_text`,
    numbers (and other non-text values) unchanged so format specs like ``{x:.2f}`` work."""
    if isinstance(value, MdSafe):
        return value
    if isinstance(value, str):
        return md_text(value)
    if value is None or isinstance(value, (numbers.Number, bool)):
        return value
    try:
        import numpy as np

        if isinstance(value, (np.generic,)) and not isinstance(value, np.str_):
            return value
    except ImportError:  # pragma: no cover - numpy comes with pandas
        pass
    return md_text(value)


def safe_table(table):
    """A pandas Styler of ``table`` (a DataFrame or a Styler) with every cell, index label
    and column label HTML-escaped.

    ``Styler.to_html`` does *not* escape by default: a cell ``<script>…`` would be emitted
    as markup. ``format(escape="html")`` escapes the cells (replacing any formatter set
    before: evalkit's tables are formatted as text before styling) and
    ``format_index(escape="html")`` the row and column labels; styles already set
    (colours, hidden index) are kept.
    """
    from pandas.io.formats.style import Styler

    styler = table if isinstance(table, Styler) else table.style
    styler = styler.format(escape="html", na_rep="")
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    if styler.caption is not None:
        styler = styler.set_caption(html_text(styler.caption))
    return styler


#: OWASP CSV injection: a cell starting with one of these is a formula (or DDE) to
#: Excel, LibreOffice or Google Sheets.
EXCEL_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def excel_text(value: object) -> object:
    """A workbook/CSV cell value that no spreadsheet runs as a formula.

    Text starting with ``= + - @``, a tab or a line break gets a leading apostrophe ``'``
    (OWASP's rule: shown as text, the apostrophe visible only in the formula bar);
    numbers, booleans, dates and missing values are returned unchanged so numbers stay
    numbers.
    """
    if isinstance(value, str) and value.startswith(EXCEL_PREFIXES):
        return "'" + value
    return value


# --- content-security policy: the second wall ----------------------------------------------

#: What an exported report may load: nothing but its own inline styles and the data: URLs
#: of its figures and fonts; no script unless listed by hash, no request, no form, no
#: <base>. A payload that got past escaping still could not run or call out.
CSP_DIRECTIVES = (
    ("default-src", "'none'"),
    ("img-src", "data:"),
    ("style-src", "'unsafe-inline'"),
    ("font-src", "data:"),
    ("connect-src", "'none'"),
    ("form-action", "'none'"),
    ("base-uri", "'none'"),
)


def csp_hash(script: str) -> str:
    """The CSP source ``'sha256-…'`` allowing exactly this inline script's text (the
    characters between ``<script>`` and ``</script>``, UTF-8)."""
    import base64
    import hashlib

    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(scripts=()) -> str:
    """The policy of :data:`CSP_DIRECTIVES`, with ``script-src`` allowing only the given
    inline scripts (by :func:`csp_hash`) — ``'none'`` when there are none."""
    hashes = " ".join(csp_hash(s) for s in scripts) or "'none'"
    parts = [f"{name} {value}" for name, value in CSP_DIRECTIVES]
    parts.insert(1, f"script-src {hashes}")
    return "; ".join(parts)


def csp_meta(scripts=()) -> str:
    """``<meta http-equiv="Content-Security-Policy" …>`` for the top of a page's <head>
    (a policy in a meta element applies to what follows it)."""
    return ('<meta http-equiv="Content-Security-Policy" content="'
            f'{html.escape(content_security_policy(scripts), quote=False)}">')


def protect_excel_cell(cell) -> None:
    """Make an openpyxl cell whose text starts with a formula prefix a *text* cell.

    openpyxl stores any ``str`` starting with ``=`` as a formula (``data_type "f"``),
    and Excel runs ``+ - @`` ones once the cell is edited. The cell is set to a string
    (``data_type "s"``) with Excel's quote prefix (``quotePrefix``: what typing a leading
    ``'`` does), so the text is shown exactly as written, never run, and stays text
    when edited. Other cells are left alone. For CSV, where no cell type exists, use
    :func:`excel_text`.
    """
    value = cell.value
    if isinstance(value, str) and value.startswith(EXCEL_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
