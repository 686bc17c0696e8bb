"""Nothing from a user's file is executed: escaping in reports, CSP, workbook formulas (issue #15).

Unit tests of :mod:`evalkit.core.escape` against the hostile payloads of :mod:`payloads`, of the
report writers that use it, of small-region suppression, and one end-to-end run (slow) of
``evalkit clean`` + ``evalkit run`` on the demo data with the payloads planted.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import payloads
import pytest

from evalkit.core import escape
from evalkit.core.config import MIN_CELL
from evalkit.core.escape import (
    MdSafe,
    csp_hash,
    csp_meta,
    excel_text,
    html_text,
    md_filename,
    md_text,
    protect_excel_cell,
    safe_table,
)
from evalkit.present.i18n import md

ALL = list(payloads.PAYLOADS.values())


# --- an HTML checker: which elements and attributes a page really has ------------------------

class _Elements(HTMLParser):
    """Every start tag with its attributes (what a browser would build)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def elements(page: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser.tags


def live_payloads(page: str, *, allowed_scripts: int = 0) -> list[str]:
    """What in ``page`` would run or load: script/svg/iframe elements, on* handlers,
    javascript: URLs, and any attribute naming the planted remote host."""
    found, scripts = [], 0
    for tag, attrs in elements(page):
        if tag == "script":
            scripts += 1
            if "src" in attrs:
                found.append(f"<script src={attrs['src']}>")
        if tag in {"svg", "iframe", "object", "embed", "base"}:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            if "javascript:" in value.replace(" ", "").lower():
                found.append(f"<{tag} {name}={value[:40]}>")
            if "example.invalid" in value:
                found.append(f"<{tag} {name}={value[:60]}>")
    if scripts > allowed_scripts:
        found.append(f"{scripts} <script> elements (allowed {allowed_scripts})")
    return found


def render_markdown(text: str) -> str:
    """Markdown to HTML as the report export renders it (nbconvert's mistune)."""
    from nbconvert.filters.markdown import markdown2html

    return markdown2html(text)


# --- html_text ---------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", ALL, ids=list(payloads.PAYLOADS))
def test_html_text_leaves_no_markup_and_reads_back_as_typed(payload):
    out = html_text(payload)
    assert not set("<>\"'") & set(out)
    assert html.unescape(out) == payload
    page = f'<p title="{out}">{out}</p>'
    assert elements(page) == [("p", {"title": payload})]


def test_html_text_of_missing_values_is_empty():
    assert html_text(None) == html_text(float("nan")) == html_text(pd.NA) == ""
    assert html_text(3.5) == "3.5"


# --- md_text -----------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", ALL, ids=list(payloads.PAYLOADS))
@pytest.mark.parametrize("where", ["{}", "Teks {} akhir", "- **{}**: item", "1. {}"])
def test_md_text_makes_no_html_link_or_image(payload, where):
    page = render_markdown(where.format(md_text(payload)))
    tags = {tag for tag, _ in elements(page)}
    assert tags <= {"p", "ul", "ol", "li", "strong"}, page
    assert not live_payloads(page), page
    # rendered, the value reads as it was typed (line breaks and tabs become spaces)
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert " ".join(payload.split()) in " ".join(shown.split())


@pytest.mark.parametrize("value", ["1. daftar", "# Judul", "- butir", "+ butir", "=== ",
                                   "*tebal*", "_miring_", "`kode`", "~~coret~~", "$x^2$",
                                   "| a | b |", "https://example.invalid/x", "www.example.invalid",
                                   "a\n# heading", "x\n===", "&lt;b&gt;", "<!-- c -->"])
def test_md_text_shows_markdown_syntax_literally(value):
    page = render_markdown(md_text(value))
    assert [tag for tag, _ in elements(page)] == ["p"], page
    shown = html.unescape(re.sub(r"<[^>]+>", "", page)).strip()
    assert shown == " ".join(value.split()) or shown == value.replace("\n", " ").strip()


@pytest.mark.parametrize("value", ["Sumber daya & kompetensi", "pemerintah-swasta", "15.71",
                                   "Population (musrenbang)", "Kota Bau Bau", "Don't know!"])
def test_md_text_leaves_ordinary_names_as_they_are(value):
    assert md_text(value) == value


def test_md_keeps_the_templates_markdown_and_escapes_values():
    out = md("title", "id", region=payloads.SCRIPT)
    assert isinstance(out, MdSafe) and "<script" not in out and "&lt;script&gt;" in out
    # a number keeps its format spec; the template's bold survives
    out = md("health_summary", "en", scale="1–5", best=payloads.MD_JS_LINK, best_score=3.14159,
             weakest=payloads.IMG_ONERROR, weak_score=2.0, n_above=1, n_below=2, n_similar=3)
    assert "**" in out and "3.14" in out and "3.14159" not in out
    page = render_markdown(out)
    assert not live_payloads(page) and "<strong>" in page
    # md output as a value is not escaped again
    assert md_text(out) is out


def test_md_filename_keeps_plain_names_and_escapes_others():
    assert md_filename("meeting_attendance.csv") == "meeting_attendance.csv"
    assert md_filename("data/raw/survey-1.xlsx") == "data/raw/survey-1.xlsx"
    assert "<" not in md_filename("<img src=x onerror=1>.csv")
    assert md_filename("_x_.csv") == md_text("_x_.csv")


# --- safe_table --------------------------------------------------------------------------------

def test_safe_table_escapes_cells_index_and_column_labels():
    frame = pd.DataFrame({payloads.SCRIPT: ALL, "n": range(len(ALL))},
                         index=[payloads.SVG_ONLOAD + str(i) for i in range(len(ALL))])
    raw = frame.style.to_html()
    assert "<script>" in raw  # pandas' Styler does not escape by itself: the reason for this
    page = safe_table(frame).to_html()
    assert not live_payloads(page), live_payloads(page)
    assert html.escape(payloads.SCRIPT) in page


def test_safe_table_keeps_styles_of_a_styler():
    frame = pd.DataFrame({"status": ["<b>on track</b>", "achieved"]})
    styler = frame.style.hide(axis="index").map(lambda v: "background-color: #1b9e77")
    page = safe_table(styler).to_html()
    assert "background-color: #1b9e77" in page and "&lt;b&gt;on track&lt;/b&gt;" in page
    assert "<b>" not in page


# --- workbook cells ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", payloads.FORMULA_PAYLOADS)
def test_excel_text_prefixes_formula_starts(name):
    payload = payloads.PAYLOADS[name]
    assert excel_text(payload) == "'" + payload


@pytest.mark.parametrize("value", [3, -2.5, 0.0, None, True, "Kota Jambi", "a=b", "",
                                   pd.Timestamp("2024-01-01")])
def test_excel_text_leaves_numbers_and_plain_text(value):
    assert excel_text(value) is value


def test_protect_excel_cell_writes_text_never_a_formula(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(ALL + [-3, 4.5, "plain"])
    assert any(c.data_type == "f" for c in ws[1])  # openpyxl's own choice for "=..."
    for cell in ws[1]:
        protect_excel_cell(cell)
    wb.save(tmp_path / "t.xlsx")
    back = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    cells = list(back[1])
    assert [c.data_type for c in cells[:len(ALL)]] == ["s"] * len(ALL)
    # the text reads back as written (an xlsx reader turns a CR into a LF)
    assert [c.value for c in cells[:len(ALL)]] == [p.replace("\r", "\n") for p in ALL]
    assert [c.value for c in cells[len(ALL):]] == [-3, 4.5, "plain"]
    assert all(c.quotePrefix for c, p in zip(cells, ALL) if p.startswith(escape.EXCEL_PREFIXES))


def test_summary_workbook_writes_payloads_as_text(tmp_path):
    from evalkit.present.workbook import Sheet, workbook_bytes

    sheet = Sheet(key="scores", name="Skor", headers=["a", "b"], formats=[None, "0.00"],
                  rows=[[p, 1.5] for p in ALL])
    path = tmp_path / "s.xlsx"
    path.write_bytes(workbook_bytes([sheet], "id"))
    ws = openpyxl.load_workbook(path)["Skor"]
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert [ws.cell(row=i + 2, column=1).value for i in range(len(ALL))] == \
        [p.replace("\r", "\n") for p in ALL]
    assert ws.cell(row=2, column=2).value == 1.5


def test_validate_csv_prefixes_text_that_starts_a_formula(tmp_path):
    from evalkit.clean.validate import write_problems

    problems = pd.DataFrame({"file": ["indicators.xlsx"] * len(ALL), "row": range(2, 2 + len(ALL)),
                             "column": ["name_id"] * len(ALL), "problem": ALL})
    back = pd.read_csv(write_problems(problems, tmp_path / "p.csv"), encoding="utf-8-sig",
                       keep_default_na=False)
    for value, payload in zip(back["problem"], ALL):
        assert not value.startswith(escape.EXCEL_PREFIXES)
        assert value in (payload, "'" + payload)
    assert back["row"].tolist() == list(range(2, 2 + len(ALL)))  # numbers stay numbers


# --- content-security policy ---------------------------------------------------------------------

def test_csp_allows_no_script_and_no_remote_resource():
    policy = escape.content_security_policy()
    for directive in ("default-src 'none'", "script-src 'none'", "img-src data:",
                      "style-src 'unsafe-inline'", "font-src data:", "connect-src 'none'",
                      "form-action 'none'", "base-uri 'none'"):
        assert directive in policy
    assert "http" not in policy and "unsafe-eval" not in policy
    assert "script-src 'sha256-" in escape.content_security_policy(["x"])
    # the hash is the standard one: base64 of SHA-256 of the script text
    assert csp_hash("alert(1)") == "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"


def test_exported_html_has_the_csp_first_in_head():
    import nbformat

    from evalkit.present.published import _html_exporter

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Report"))
    body, _ = _html_exporter(False).from_notebook_node(nb)
    tags = elements(body)
    first = tags[[t for t, _ in tags].index("head") + 1]
    assert first[0] == "meta" and first[1]["http-equiv"] == "Content-Security-Policy"
    assert first[1]["content"] == escape.content_security_policy()
    assert "<script" not in body  # the policy allows none, and the export needs none
    assert not re.search(r"<(?:link|script|img)[^>]+(?:src|href)=\"https?://", body)


def test_index_template_csp_hashes_its_sort_script():
    from evalkit.core.config import PACKAGE_ROOT

    template = (PACKAGE_ROOT / "src" / "evalkit" / "present" / "templates" / "index.html.j2").read_text(
        encoding="utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", template, re.S)
    assert len(scripts) == 1
    expected = csp_meta(scripts)
    assert expected in template, (
        "the index's sort script changed: put this meta element in index.html.j2:\n" + expected)


# --- figures: mathtext from data cannot break a figure -------------------------------------------

def test_dollar_signs_in_labels_do_not_break_a_figure():
    from evalkit.present import figures as plots

    table = pd.DataFrame({"label": ["$\\frac{$ dana", "50$ & $x^", payloads.SCRIPT],
                          "estimate": [3.0, 3.5, 4.0], "ci_low": [2.5, 3.0, 3.5],
                          "ci_upp": [3.5, 4.0, 4.5], "benchmark": [3.2, 3.3, 3.4]})
    fig = plots.dimension_profile(table, region_label="$region", benchmark_label="b", xlabel="x")
    out = plots.figure_html(fig, "Gambar 1.", payloads.IMG_ONERROR)
    assert not live_payloads(out)  # caption and alt text escaped
    assert elements(out)[1][0] == "img" and elements(out)[1][1]["src"].startswith("data:image/svg")


# --- report.show: every table escaped --------------------------------------------------------------

def test_show_escapes_tables_and_stylers(monkeypatch):
    import IPython.display

    from evalkit.present import report

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    frame = pd.DataFrame({payloads.IMG_ONERROR: ALL})
    report.show(frame, frame.style, md("title", "id", region=payloads.SCRIPT))
    pages = [shown[0].to_html(), shown[1].to_html(), render_markdown(shown[2].data)]
    for page in pages:
        assert not live_payloads(page), page


# --- small regions: nothing per region is printed ---------------------------------------------------

@pytest.fixture(scope="module")
def small(processed_dir):
    from evalkit.present import report

    rep = report.load_region_report("96.02", "en", processed_dir)
    rep.respondents = 2  # fewer than MIN_CELL respondents
    return rep


def test_small_region_shows_no_per_region_table_or_mean(small):
    from evalkit.present import report

    assert report.health_table(small) is None and report.reliability_table(small) is None
    assert report.sector_table(small) is None and report.index_table(small) is None
    assert report.shrinkage_text(small) == ""
    shrunken = small.results["shrinkage"]["shrunken"].iat[0]
    for piece in (report.data_text(small), report.health_text(small), report.findings_text(small),
                  report.reliability_text(small), report.index_text(small)):
        assert f"{shrunken:.2f}" not in piece
    assert f"**{small.respondents}**" in report.data_text(small)  # its n is shown
    assert str(MIN_CELL) in report.health_text(small)


def test_synthesis_publishes_no_mean_or_weight_of_a_small_region(processed_dir):
    from evalkit.present import synthesis

    syn = synthesis.load_synthesis("en", processed_dir)
    table = syn.tables["shrinkage"].copy()
    small_code = table.sort_values("n")["region_code"].iat[0]
    table.loc[table["region_code"] == small_code, "n"] = 2
    syn.tables = {**syn.tables, "shrinkage": table}
    pooled = synthesis.pooling_table(syn)
    row = pooled[pooled.iloc[:, 0] == syn.name(small_code)].iloc[0]
    assert row.iloc[1] == f"<{MIN_CELL}" and "n <" in row.iloc[2] and "n <" in row.iloc[3]
    assert row.iloc[4] == "—"
    assert small_code not in set(synthesis.health_outcome_data(syn)["region_code"])
    assert small_code not in set(synthesis._published(table)["region_code"])


# --- end to end: payloads planted in the demo data, one region run by the command line ---------------

@pytest.fixture(scope="module")
def payload_reports(raw_dir, tmp_path_factory) -> Path:
    return payloads.build_payload_reports(raw_dir, tmp_path_factory.mktemp("payload_site"))


def _notebook_pages(path: Path) -> list[str]:
    """Every rich output of an executed notebook as HTML (Markdown rendered)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    pages = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            pages.append(render_markdown("".join(cell["source"])))
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                pages.append("".join(data["text/html"]))
            if "text/markdown" in data:
                pages.append(render_markdown("".join(data["text/markdown"])))
    return pages


@pytest.mark.slow
def test_payload_report_html_runs_and_loads_nothing(payload_reports):
    report_html = (payload_reports / "15.71-kota-jambi.html").read_text(encoding="utf-8")
    # the payloads did reach the report (as text): the test tests something
    for payload in (payloads.SCRIPT, payloads.SVG_ONLOAD, payloads.IMG_ONERROR):
        assert html.escape(payload, quote=False) in report_html or html.escape(payload) in report_html
    assert "javascript:window.__pwned=4" in report_html
    for page in ("15.71-kota-jambi.html", "synthesis.html"):
        text = (payload_reports / page).read_text(encoding="utf-8")
        assert not live_payloads(text), (page, live_payloads(text)[:5])
        meta = [a for t, a in elements(text) if t == "meta" and a.get("http-equiv")]
        assert meta and meta[0]["content"] == escape.content_security_policy()
    index = (payload_reports / "index.html").read_text(encoding="utf-8")
    assert not live_payloads(index, allowed_scripts=1)
    assert "Content-Security-Policy" in index


@pytest.mark.slow
def test_payload_notebooks_hold_no_live_markup(payload_reports):
    for name in ("15.71-kota-jambi.ipynb", "synthesis.ipynb"):
        for page in _notebook_pages(payload_reports / name):
            assert not live_payloads(page), (name, live_payloads(page)[:5])


@pytest.mark.slow
def test_payload_workbook_has_no_formula(payload_reports):
    books = sorted(payload_reports.glob("summary*.xlsx"))
    assert books
    planted = [p.replace("\r", "\n") for p in ALL]
    seen = set()
    for book in books:
        wb = openpyxl.load_workbook(book)
        for ws in wb:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (book.name, ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        seen |= {p for p in planted if cell.value.startswith(p)}
    assert payloads.XL_HYPERLINK in seen and payloads.XL_DDE in seen  # they reached the workbook
