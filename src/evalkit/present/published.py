"""The published reports: their file names and their HTML.

Both the batch that writes the reports (:mod:`evalkit.run.batch`) and the index page that
links them (:mod:`evalkit.present.index_page`) name a report by :func:`report_stem` /
:func:`synthesis_stem`; an executed notebook becomes the HTML a reviewer reads through
:func:`export_html`. Because the HTML is made here, this module is part of every report's
code digest (:func:`evalkit.run.batch.report_code_digest`).
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path, PurePath

from evalkit.core.lock import write_atomic
from evalkit.read.regions import Region


def report_stem(region: Region, lang: str) -> str:
    """``15.71-kota-jambi`` (Indonesian) or ``15.71-kota-jambi.en`` (other languages)."""
    stem = f"{region.code}-{region.slug}"
    return stem if lang == "id" else f"{stem}.{lang}"


def synthesis_stem(lang: str) -> str:
    """``synthesis`` (Indonesian) or ``synthesis.en``."""
    return "synthesis" if lang == "id" else f"synthesis.{lang}"


@functools.lru_cache(maxsize=2)
def _html_exporter(show_code: bool):
    """One exporter per process and option: building one compiles nbconvert's templates."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    from evalkit.core.escape import csp_meta

    # nbconvert's lab template loads require.js and MathJax from a CDN: opened from
    # disk offline they fail (console errors) and the reports need neither. Nor widgets
    # (their manager is loaded from a CDN). A content-security policy first in <head>
    # is the second wall behind escaping: the report runs no script at all (it has
    # none) and loads nothing but data: URLs (escape.CSP_DIRECTIVES).
    offline = DictLoader({"evalkit_report.html.j2": (
        "{%- extends 'lab/index.html.j2' -%}\n"
        # the print and phone styles last in <head>: they win over the lab template's
        "{%- block html_head -%}" + csp_meta() + "\n{{ super() }}\n"
        "<style>{{ resources.evalkit_print_css }}</style>{%- endblock html_head -%}\n"
        "{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}\n"
        "{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}\n"
        "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
        "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n")})
    return HTMLExporter(extra_loaders=[offline], template_file="evalkit_report.html.j2",
                        exclude_input=not show_code, exclude_input_prompt=True,
                        exclude_output_prompt=True)


def export_html(notebook: Path, html: Path, *, show_code: bool = False,
                detail: str | None = None) -> None:
    """Render an executed notebook to standalone HTML (code cells hidden by default).

    The HTML carries the print and phone stylesheet (``print/report_print.css``) and
    an ``@page`` rule whose running header names the report (its first heading) and
    ``detail``.

    Parameters
    ----------
    notebook, html : Path
        The executed notebook and the HTML file to write (atomically).
    show_code : bool
        Keep the code cells.
    detail : str, optional
        The header's right-hand text (e.g. the wave and date); default:
        :func:`running_detail` of the notebook.
    """
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    marker = "/*evalkit:page-rule*/"
    resources = {"evalkit_print_css": marker + "\n" + print_css()}
    body, _ = _html_exporter(show_code).from_notebook_node(nb, resources=resources)
    params = (nb.metadata.get("papermill") or {}).get("parameters") or {}
    title = report_title(body) or str(nb.metadata.get("title") or "")
    rule = page_rule(title, running_detail(nb) if detail is None else detail,
                     str(params.get("lang") or "id"))
    body = body.replace(marker, rule, 1)  # the first: the <style> in <head>
    if title:  # the tab's and the PDF's title: the report's, not nbconvert's "Notebook"
        body = _TITLE.sub(lambda _: f"<title>{html_lib.escape(title)}</title>", body, count=1)
    body = accessible_html(body, str(params.get("lang") or "id"))
    write_atomic(html, body)  # a unique temporary name: two writers never share one


@functools.cache
def print_css() -> str:
    """The print (A4) and phone (375 px) stylesheet of the reports, ``print/report_print.css``."""
    # a folder of its own, named by the literal "print": the report code digest
    # (evalkit.core.digest) counts it, so a change to it re-exports every report, while
    # the index's templates folder stays out of the reports' digest
    return files("evalkit.present").joinpath("print", "report_print.css").read_text(
        encoding="utf-8")


#: The running footer's page numbers, in the report's language ("page 3 of 12").
PAGE_OF = {"id": ("halaman ", " dari "), "en": ("page ", " of ")}


def css_string(text: str) -> str:
    r"""``text`` as a double-quoted CSS string that cannot end the string, the rule or the
    ``<style>`` element: quotes, backslashes, ``<``, ``>``, ``&``, braces and control
    characters become CSS hex escapes (``</style>`` -> ``\3c /style\3e ``).

    >>> print(css_string('Kota "X" </style>'))
    "Kota \22 X\22  \3c /style\3e "
    """
    out = []
    for ch in str(text):
        if ch in '"\'\\<>&{}@;' or not ch.isprintable():
            out.append(f"\\{ord(ch):x} ")  # the space ends the escape
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def page_rule(title: str, detail: str = "", lang: str = "id") -> str:
    """The reports' ``@page`` rule: A4, the running header (``title`` left, ``detail``
    right) and "page N of M" in the footer (``lang``), the texts escaped by
    :func:`css_string`. Chromium prints ``@page`` margin boxes (from version 131)."""
    before, between = PAGE_OF.get(lang, PAGE_OF["en"])
    box = "font: 8pt system-ui, sans-serif; color: #444;"
    return ("@page { size: A4; margin: 16mm 12mm 16mm 12mm;\n"
            f"  @top-left {{ content: {css_string(title)}; {box} }}\n"
            f"  @top-right {{ content: {css_string(detail)}; {box} }}\n"
            f"  @bottom-right {{ content: {css_string(before)} counter(page) "
            f"{css_string(between)} counter(pages); {box} }}\n}}")


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S | re.I)
_TITLE = re.compile(r"<title>.*?</title>", re.S | re.I)


def report_title(body: str) -> str:
    """The text of the first ``<h1>`` of an exported report (its title, with the region
    name), without the heading's anchor link; ``""`` when there is none."""
    match = _H1.search(body)
    if not match:
        return ""
    inner = re.sub(r"<a\b[^>]*class=\"anchor-link\"[^>]*>.*?</a>", "", match.group(1), flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", inner)).split())


def running_detail(nb) -> str:
    """The running header's right-hand text of an executed notebook: the wave of an
    archive's report (its ``processed_dir`` parameter ends in ``waves/<wave>``) and the
    date it was run (papermill's ``end_time``, else today), e.g. ``2025-q3 · 2026-12-02``."""
    meta = nb.metadata.get("papermill") or {}
    folder = PurePath(str((meta.get("parameters") or {}).get("processed_dir") or ""))
    wave = folder.name if len(folder.parts) > 1 and folder.parts[-2] == "waves" else ""
    when = str(meta.get("end_time") or meta.get("start_time") or "")[:10]
    when = when if re.fullmatch(r"\d{4}-\d\d-\d\d", when) else f"{datetime.now(UTC):%Y-%m-%d}"
    return " · ".join(filter(None, (wave, when)))


# WCAG 2.1 AA of the exported HTML (issue #16): nbconvert writes lang="en" whatever the
# notebook's language, and pandas and Markdown tables give their header cells no scope.
_HTML_LANG = re.compile(r'<html lang="[^"]*"', re.I)
_TABLE_PART = re.compile(r"<(thead|tbody)\b.*?</\1>", re.S | re.I)
_TH_WITHOUT_SCOPE = re.compile(r"<th(?=[\s>])(?![^>]*\bscope=)", re.I)


def accessible_html(body: str, lang: str = "id") -> str:
    """An exported report's HTML with its language and table header scopes set.

    ``<html lang>`` becomes ``lang`` (a two-letter code, else ``id``): screen readers read
    the Indonesian reports with an Indonesian voice (WCAG 3.1.1). Every ``<th>`` without a
    ``scope`` gets ``scope="col"`` in a ``<thead>`` and ``scope="row"`` in a ``<tbody>``.
    Text from the user's files is HTML-escaped before it gets here, so every ``<th`` is
    markup.

    >>> accessible_html('<html lang="en"><table><thead><tr><th>a</th></tr></thead></table>')
    '<html lang="id"><table><thead><tr><th scope="col">a</th></tr></thead></table>'
    """
    code = lang if re.fullmatch(r"[a-z]{2}", lang or "") else "id"
    body = _HTML_LANG.sub(f'<html lang="{code}"', body, count=1)

    def scoped(part: re.Match) -> str:
        scope = "col" if part.group(1).lower() == "thead" else "row"
        return _TH_WITHOUT_SCOPE.sub(f'<th scope="{scope}"', part.group(0))

    return _TABLE_PART.sub(scoped, body)
