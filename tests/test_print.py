"""Printed and phone-sized reports (issue #16): the print stylesheet, the PDFs, 375 px.

Fast tests (no browser): the stylesheet and the running-header rule are in every exported
HTML, the running header's text cannot break out of its CSS string or ``<style>``, the
PDF step's skip, atomic write and error without Chromium.

Browser tests (real batch, real Chromium): a regional report and the synthesis printed
through :mod:`evalkit.run.pdf`; every page carries "halaman N dari M" and the report's
title (the region), the headings are PDF bookmarks; with print media emulated at the A4
content width no table is wider than its box or the page, every figure fits one page
and avoids breaks; at 375 px no page scrolls sideways. Screenshots (375 px: report and
index; two print-emulated A4 pages) go to ``tests/artifacts/screenshots/``.

Figures are checked in the browser rather than in the PDF: a figure is an ``<img>`` in a
``<figure>``, which pypdf cannot place on a page, while the browser gives its height and
its computed ``break-inside`` (avoid + height <= the page's content height means Chromium
never splits it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook, new_output

from evalkit.present.published import css_string, export_html, page_rule, print_css

# A4 at 96 px/in with the @page margins of published.page_rule (12 mm sides, 16 mm top/bottom)
MM = 96 / 25.4
PAGE_W, PAGE_H = round((210 - 24) * MM), round((297 - 32) * MM)


def notebook_with_title(path: Path, title_html: str, *, lang: str = "id",
                        processed_dir: str = "data/processed") -> Path:
    """An executed-looking notebook: a title output, a wide table, papermill metadata."""
    nb = new_notebook()
    cell = new_markdown_cell("<!-- report -->")
    code = nbformat.v4.new_code_cell("report.show()")
    code.outputs = [new_output("display_data", data={"text/html": title_html}),
                    new_output("display_data", data={"text/html": (
                        "<table><thead><tr><th>A</th><th>B</th></tr></thead>"
                        "<tbody><tr><td>1</td><td>2</td></tr></tbody></table>")})]
    nb.cells = [cell, code]
    nb.metadata["papermill"] = {"parameters": {"lang": lang, "processed_dir": processed_dir},
                                "end_time": "2026-03-04T05:06:07.000000"}
    nbformat.write(nb, path)
    return path


def style_blocks(html: str) -> list[str]:
    return re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S)


def test_print_css_in_every_exported_html(tmp_path):
    for lang, word in (("id", "halaman"), ("en", "page")):
        nb = notebook_with_title(tmp_path / f"r.{lang}.ipynb", "<h1>Laporan — Kota Jambi</h1>",
                                 lang=lang)
        out = tmp_path / f"r.{lang}.html"
        export_html(nb, out)
        html = out.read_text(encoding="utf-8")
        css = print_css()
        assert "@media print" in css and "thead { display: table-header-group; }" in css
        assert css in html
        assert "<script" not in html  # the CSP forbids scripts: the stylesheet adds none
        rule = page_rule("Laporan — Kota Jambi", "2026-03-04", lang)
        assert rule in html, "the running header: the report's title and the run date"
        assert f'content: "{word} " counter(page)' in html
        # after nbconvert's own styles, so the A4 rule wins over its `@page {margin: 0.5in}`
        assert html.index(rule) > html.index("margin: 0.5in")


def test_the_stylesheet_is_part_of_every_reports_code():
    """A change to the print stylesheet re-exports the reports (their code digest)."""
    from evalkit.core.digest import closure_files
    from evalkit.run.batch import PUBLISHING_CODE

    files = closure_files(PUBLISHING_CODE)
    assert "present/print/report_print.css" in files
    assert files["present/print/report_print.css"].read_text(encoding="utf-8") == print_css()


def test_archive_report_names_its_wave(tmp_path):
    nb = notebook_with_title(tmp_path / "a.ipynb", "<h1>Kota Jambi</h1>",
                             processed_dir="data/processed/waves/2025-q3")
    export_html(nb, tmp_path / "a.html")
    assert css_string("2025-q3 · 2026-03-04") in (tmp_path / "a.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("title", ['Kota "Jambi"', "Kab. </style><script>alert(1)</script>",
                                   "a\\b; } @page { size: A3 } x", "line\nbreak"])
def test_running_header_text_cannot_break_out(tmp_path, title):
    rule = page_rule(title, 'wave "Q3" </style>', "en")
    strings = re.findall(r'content: ("(?:[^"\\]|\\.)*")', rule)
    assert len(strings) == 3 and "<" not in rule and ">" not in rule
    assert rule.count("{") == rule.count("}") == 4  # @page + three margin boxes, nothing injected
    # the escapes read back as the text: CSS hex escapes end with one space
    def unescape(s: str) -> str:
        return re.sub(r"\\([0-9a-f]+) ", lambda m: chr(int(m.group(1), 16)), s[1:-1])
    assert unescape(strings[0]) == title

    # through the exporter: the title comes from the report's <h1> (HTML-escaped there)
    from html import escape

    nb = notebook_with_title(tmp_path / "x.ipynb", f"<h1>{escape(title)}</h1>")
    export_html(nb, tmp_path / "x.html", detail='"</style>')
    html = (tmp_path / "x.html").read_text(encoding="utf-8")
    head = html.split("</head>", 1)[0]
    assert head.count("<style") == head.count("</style>")
    assert "<script" not in html.split("<body", 1)[0]
    shown = " ".join(title.split())  # the heading's text: its white space as HTML shows it
    assert css_string(shown) in head and css_string('"</style>') in head
    # the page's (and the PDF's) title is the report's, HTML-escaped, not "Notebook"
    assert f"<title>{escape(shown)}</title>" in head and head.count("<title>") == 1


def test_pdf_without_chromium_is_one_line_naming_make_browser(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from evalkit.run import pdf
    from evalkit.run.cli import app

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(pdf.ChromiumMissingError, match="make browser"):
        pdf.find_chromium()
    (tmp_path / "raw").mkdir()
    result = CliRunner().invoke(app, ["run", "--pdf", "--raw-dir", str(tmp_path / "raw"),
                                      "--processed-dir", str(tmp_path / "processed"),
                                      "--reports-dir", str(tmp_path / "reports")])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "make browser" in lines[0] and "Traceback" not in result.output
    assert not (tmp_path / "reports").exists()  # failed before any work


FAKE_CHROMIUM = """#!{python}
import sys
args = sys.argv[1:]
open({log!r}, "a").write(" ".join(args) + "\\n")
out = next(a.split("=", 1)[1] for a in args if a.startswith("--print-to-pdf="))
open(out, "wb").write(b"%PDF-1.4 fake " + args[-1].encode())
"""


def test_print_pdf_atomic_and_skipped_when_current(tmp_path, monkeypatch):
    import os

    from evalkit.run.pdf import print_reports

    log = tmp_path / "calls.txt"
    fake = tmp_path / "chromium"
    fake.write_text(FAKE_CHROMIUM.format(python=sys.executable, log=str(log)))
    fake.chmod(0o755)
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("15.71-kota-jambi.html", "synthesis.html", "index.html"):
        (reports / name).write_text("<html></html>")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    pdfs = print_reports(reports)
    assert [p.name for p in pdfs] == ["15.71-kota-jambi.pdf", "synthesis.pdf"]  # not the index
    calls = log.read_text().splitlines()
    assert len(calls) == 2
    assert all("--no-pdf-header-footer" in c and "--generate-pdf-document-outline" in c
               for c in calls)
    assert (reports / "synthesis.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in reports.iterdir()) == [  # no temporary file left
        "15.71-kota-jambi.html", "15.71-kota-jambi.pdf", "index.html", "synthesis.html",
        "synthesis.pdf"]
    printed = []
    print_reports(reports, on_done=lambda p, done: printed.append(done))
    assert printed == [False, False] and len(log.read_text().splitlines()) == 2
    html = reports / "synthesis.html"
    later = (reports / "synthesis.pdf").stat().st_mtime + 5
    os.utime(html, (later, later))  # the report changed: printed again, only it
    print_reports(reports)
    assert len(log.read_text().splitlines()) == 3


# --------------------------------------------------------------------- real browser


@pytest.fixture(scope="module")
def print_site(processed_dir, tmp_path_factory):
    """One region and the synthesis (Indonesian), printed to PDF, and the index."""
    from test_browser import _browser_paths

    from evalkit.present.index_page import write_index
    from evalkit.read.regions import get_region
    from evalkit.run.batch import run_reports
    from evalkit.run.pdf import print_reports

    _browser_paths()
    reports = tmp_path_factory.mktemp("print_reports")
    results = run_reports([get_region("15.71")], langs=("id",), jobs=2, reports_dir=reports,
                          processed_dir=processed_dir)
    assert all(r.ok for r in results), [(r.label, r.error) for r in results if not r.ok]
    print_reports(reports)
    write_index(reports, processed_dir)
    return reports


@pytest.fixture(scope="module")
def print_driver(print_site):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from test_browser import CHROMIUM_ARGS, _browser_paths

    chromium, chromedriver = _browser_paths()
    options = Options()
    options.binary_location = chromium
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.mark.browser
@pytest.mark.kernel
@pytest.mark.parametrize("stem, running", [("15.71-kota-jambi", "Kota Jambi"),
                                           ("synthesis", "Sintesis Lintas Wilayah")])
def test_pdf_has_page_numbers_header_and_bookmarks(print_site, stem, running):
    from pypdf import PdfReader

    pdf = print_site / f"{stem}.pdf"
    reader = PdfReader(pdf)
    n = len(reader.pages)
    assert n >= 3
    for i, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2  # A4
        text = page.extract_text()
        assert f"halaman {i} dari {n}" in text, f"{pdf.name} page {i}: no page number"
        assert running in text.split("\n", 1)[0], f"{pdf.name} page {i}: no running header"
    def flat(items):
        return [t for x in items for t in (flat(x) if isinstance(x, list) else [x.title])]
    bookmarks = flat(reader.outline)
    assert len(bookmarks) >= 5, f"the headings should be the PDF's bookmarks: {bookmarks}"
    assert sum(t.strip()[:2] in {f"{k}." for k in range(1, 10)} for t in bookmarks) >= 4
    assert not any(str(print_site) in p.extract_text() for p in reader.pages)  # no local path
    index = (print_site / "index.html").read_text(encoding="utf-8")
    assert f'href="{stem}.pdf"' in index


PRINT_FACTS = """
const px = (v) => parseFloat(v) || 0;
const tables = [...document.querySelectorAll('table')].map(t => ({
  width: t.scrollWidth, box: t.parentElement.clientWidth,
  thead: t.tHead ? getComputedStyle(t.tHead).display : 'table-header-group',
  text: t.innerText.slice(0, 60)}));
const figures = [...document.querySelectorAll('figure, .jp-RenderedImage')].map(f => ({
  height: f.getBoundingClientRect().height, breakInside: getComputedStyle(f).breakInside,
  text: f.innerText.slice(0, 60)}));
const headings = [...document.querySelectorAll('h1, h2, h3')].map(h => getComputedStyle(h).breakAfter);
const h2 = [...document.querySelectorAll('h2')].map(h => getComputedStyle(h).breakBefore);
return {tables, figures, headings, h2, page: document.documentElement.scrollWidth,
        media: matchMedia('print').matches};
"""


def emulate(driver, *, media: str, width: int, height: int, mobile: bool = False) -> None:
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


@pytest.mark.browser
@pytest.mark.kernel
@pytest.mark.parametrize("stem", ["15.71-kota-jambi", "synthesis", "index"])
def test_printed_layout_fits_the_page(print_site, print_driver, stem):
    from test_browser import screenshot

    print_driver.get((print_site / f"{stem}.html").as_uri())
    emulate(print_driver, media="print", width=PAGE_W, height=PAGE_H)
    facts = print_driver.execute_script(PRINT_FACTS)
    assert facts["media"] and facts["tables"] and (facts["figures"] or stem == "index")
    for t in facts["tables"]:
        assert t["width"] <= t["box"] + 1 and t["width"] <= PAGE_W + 1, f"too wide: {t}"
        assert t["thead"] == "table-header-group", t
    for f in facts["figures"]:
        assert 0 < f["height"] <= PAGE_H and f["breakInside"] == "avoid", f"figure may split: {f}"
    assert set(facts["headings"]) == {"avoid"}
    if stem != "index":  # the index's sections are short: they follow each other
        assert facts["h2"].count("page") >= len(facts["h2"]) - 1  # each section on a new page
    assert facts["page"] <= PAGE_W + 1, "the printed page is wider than A4"
    if stem == "15.71-kota-jambi":  # two printed pages, as a reviewer would see them
        for k in (0, 1):
            print_driver.execute_script(f"window.scrollTo(0, {k * PAGE_H})")
            screenshot(print_driver, f"print-a4-{stem}-{k + 1}.png")


@pytest.mark.browser
@pytest.mark.kernel
@pytest.mark.parametrize("page", ["15.71-kota-jambi.html", "index.html"])
def test_phone_width_has_no_sideways_scroll(print_site, print_driver, page):
    from test_browser import screenshot

    print_driver.get((print_site / page).as_uri())
    emulate(print_driver, media="screen", width=375, height=800, mobile=True)
    facts = print_driver.execute_script("""
      const imgs = [...document.images].map(i => i.getBoundingClientRect().right);
      return {page: document.documentElement.scrollWidth, body: document.body.scrollWidth,
              images: imgs, viewport: !!document.querySelector('meta[name=viewport]')};""")
    assert facts["viewport"]
    assert facts["page"] <= 375 and facts["body"] <= 375, f"{page} scrolls sideways: {facts}"
    assert all(right <= 375 + 1 for right in facts["images"]), "a figure wider than the phone"
    screenshot(print_driver, f"phone-375-{page.replace('.html', '')}.png")


@pytest.mark.slow  # the session's clean and cross-region results
def test_index_links_a_pdf_only_when_it_exists(processed_dir, tmp_path):
    import os

    from evalkit.present.index_page import write_index

    for name in ("15.71-kota-jambi.html", "15.71-kota-jambi.en.html", "synthesis.html",
                 "15.71-kota-jambi.pdf"):
        (tmp_path / name).write_text("x")
    index = write_index(tmp_path, processed_dir).read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+\.pdf)"', index) == ["15.71-kota-jambi.pdf"]
    (tmp_path / "synthesis.pdf").write_text("x")
    index = write_index(tmp_path, processed_dir).read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+\.pdf)"', index) == ["synthesis.pdf", "15.71-kota-jambi.pdf"]
    later = (tmp_path / "synthesis.pdf").stat().st_mtime + 5
    os.utime(tmp_path / "synthesis.html", (later, later))  # remade without --pdf: PDF stale
    index = write_index(tmp_path, processed_dir).read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+\.pdf)"', index) == ["15.71-kota-jambi.pdf"]


def test_a_remade_report_removes_its_old_pdf(tmp_path, monkeypatch):
    """The PDF of the report before shows the old numbers: making the report again removes
    it (evalkit run --pdf prints a new one); a failed run leaves it."""
    import shutil

    from evalkit.run import batch

    source = notebook_with_title(tmp_path / "src.ipynb", "<h1>Kota Jambi</h1>")
    reports = tmp_path / "reports"
    reports.mkdir()
    old_pdf = reports / "15.71-kota-jambi.pdf"
    old_pdf.write_bytes(b"%PDF-1.4 old numbers")

    def fake_execute(notebook, output, parameters, **kwargs):  # no kernel: a finished notebook
        if parameters.get("fail"):
            raise RuntimeError("the kernel died")
        shutil.copy(source, output)

    monkeypatch.setattr(batch, "execute", fake_execute)
    ok, *_, steps = batch.make_report(source, "15.71-kota-jambi", {"fail": True}, reports)
    batch.commit_outputs(steps)
    assert not ok and old_pdf.exists()
    ok, html, *_, steps = batch.make_report(source, "15.71-kota-jambi", {}, reports)
    batch.commit_outputs(steps)
    assert ok and html.is_file() and not old_pdf.exists()
