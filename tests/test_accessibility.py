"""WCAG 2.1 AA of the published pages, checked in a real browser (issue #16).

Headless Chromium opens the index, a regional report and the synthesis (both languages) as
``file://`` pages, as tests/test_browser.py does, and

- runs axe-core (``tests/vendor/axe-core/axe.min.js``, vendored: the axe bundled by the
  ``axe-selenium-python`` package is 3.1, years old) with the tags wcag2a, wcag2aa,
  wcag21a and wcag21aa, and fails on any violation of impact *serious* or *critical*;
- checks what axe does not, or not as strictly: every image has alt text, every data
  table has header cells with a scope, heading levels never skip, ``<html lang>`` is the
  page's language, and every cell coloured with a status colour says its status in text,
  at a contrast of at least 4.5:1.

The pages forbid scripts (a content-security policy); axe is injected with
``driver.execute_script``, which runs as a DevTools script the policy does not govern
(checked: the engine reports its version from inside the page).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_browser import browser_paths, driver  # noqa: F401  (fixtures, used by name)

from evalkit.measure.indicators import STATUSES
from evalkit.present.colours import STATUS_COLORS, STATUS_TEXT_COLORS, contrast_ratio
from evalkit.present.i18n import status_label
from evalkit.present.index_page import write_index
from evalkit.read.regions import get_region
from evalkit.run.batch import run_reports

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# a real browser on reports made by the real batch (kernels): out of `make test-fast`
BROWSER = (pytest.mark.browser, pytest.mark.kernel)

# page -> its language
PAGES = {"index.html": "id", "15.71-kota-jambi.html": "id", "15.71-kota-jambi.en.html": "en",
         "synthesis.html": "id", "synthesis.en.html": "en"}


def browser_test(fn):
    for mark in BROWSER:
        fn = mark(fn)
    return fn


def axe_version() -> str:
    """The vendored engine's version, from its licence header (``/*! axe v4.14.1``)."""
    match = re.match(r"/\*! axe v(\d+\.\d+\.\d+)", AXE.read_text(encoding="utf-8")[:100])
    assert match, f"{AXE} does not start with axe-core's header"
    return match.group(1)


RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(r => done({
    version: r.testEngine.version, passes: r.passes.length,
    violations: r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map(n => n.target.join(' '))}))}))
  .catch(e => done({error: String(e)}));
"""


def run_axe(driver, url: str) -> dict:  # noqa: F811 (the fixture, passed in)
    """Load ``url``, inject axe-core and return its result (version, passes, violations)."""
    driver.get(url)
    driver.set_script_timeout(180)  # axe on a long report takes seconds on two cores
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(RUN_AXE, AXE_TAGS)
    assert "error" not in result, result.get("error")
    return result


def serious(result: dict) -> list[str]:
    """The serious and critical violations, one line each: rule, impact, targets, help."""
    return [f"{v['id']} ({v['impact']}) at {', '.join(v['targets'][:8])}"
            f"{' …' if len(v['targets']) > 8 else ''}: {v['help']}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="module")
def site(browser_paths, processed_dir, tmp_path_factory) -> Path:  # noqa: F811
    """One region in both languages, the synthesis, and the index, built by the real batch."""
    reports = tmp_path_factory.mktemp("a11y_reports")
    results = run_reports([get_region("15.71")], langs=("id", "en"), jobs=2,
                          reports_dir=reports, processed_dir=processed_dir)
    assert all(r.ok for r in results), [(r.label, r.error) for r in results if not r.ok]
    write_index(reports, processed_dir)
    return reports


@browser_test
def test_axe_catches_what_it_should(browser_paths, driver):  # noqa: F811
    """The check is not vacuous: a page with an unlabelled image, no lang and grey-on-white
    text fails it, with each of the three rules."""
    page = ("data:text/html,<!DOCTYPE html><html><head><title>x</title></head><body>"
            "<main><h1>x</h1><img src='data:,'><p style='color:%23bbb'>faint text</p>"
            "</main></body></html>")
    result = run_axe(driver, page)
    assert result["version"] == axe_version()
    found = {v["id"] for v in result["violations"]}
    assert {"image-alt", "html-has-lang", "color-contrast"} <= found, found
    assert len(serious(result)) >= 3


@browser_test
@pytest.mark.parametrize("page", PAGES)
def test_no_serious_wcag_violation(site, driver, page):  # noqa: F811
    result = run_axe(driver, (site / page).as_uri())
    assert result["version"] == axe_version()  # axe ran inside the page despite its CSP
    assert result["passes"] >= 10, "axe checked next to nothing: did the page load?"
    found = serious(result)
    assert not found, f"{page}: WCAG 2.1 AA violations:\n" + "\n".join(found)


# What the page offers a screen reader, gathered in the page.
STRUCTURE = """
const presentational = t => ['presentation', 'none'].includes(t.getAttribute('role'));
const tables = [...document.querySelectorAll('table')].filter(t => !presentational(t));
return {
  lang: document.documentElement.getAttribute('lang'),
  images: document.images.length,
  noAlt: [...document.images].filter(i => !(i.getAttribute('alt') || '').trim())
           .map(i => (i.getAttribute('src') || '').slice(0, 60)),
  tables: tables.length,
  noHeaders: tables.filter(t => !t.querySelector('th')).map(t => t.id || t.outerHTML.slice(0, 80)),
  noScope: tables.flatMap(t => [...t.querySelectorAll('th')]
             .filter(th => !['col', 'row', 'colgroup', 'rowgroup'].includes(th.getAttribute('scope')))
             .map(th => (t.id || 'table') + ': ' + th.textContent.trim().slice(0, 40))),
  headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
              .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)]),
};
"""


@browser_test
@pytest.mark.parametrize("page", PAGES)
def test_page_structure(site, driver, page):  # noqa: F811
    driver.get((site / page).as_uri())
    facts = driver.execute_script(STRUCTURE)
    assert facts["lang"] == PAGES[page], f"{page}: <html lang={facts['lang']!r}>"
    if page != "index.html":
        assert facts["images"] >= 3  # the figures are there to be checked
    assert not facts["noAlt"], f"{page}: images without alt text: {facts['noAlt']}"
    assert facts["tables"] >= 2
    assert not facts["noHeaders"], f"{page}: data tables without header cells: {facts['noHeaders']}"
    assert not facts["noScope"], f"{page}: header cells without scope: {facts['noScope'][:10]}"
    levels = [level for level, _ in facts["headings"]]
    assert levels and levels[0] == 1 and levels.count(1) == 1, facts["headings"][:5]
    skips = [(facts["headings"][i - 1], facts["headings"][i]) for i in range(1, len(levels))
             if levels[i] > levels[i - 1] + 1]
    assert not skips, f"{page}: heading levels skip: {skips}"


# Every element whose own background is one of the status colours, with its text and colours.
STATUS_CELLS = """
const wanted = arguments[0];
const hex = c => {
  const m = c.match(/rgba?\\((\\d+), (\\d+), (\\d+)(?:, ([\\d.]+))?\\)/);
  if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return null;
  return '#' + [m[1], m[2], m[3]].map(n => Number(n).toString(16).padStart(2, '0')).join('');
};
return [...document.body.querySelectorAll('*')].map(e => {
  const style = getComputedStyle(e);
  return {bg: hex(style.backgroundColor), fg: hex(style.color), tag: e.tagName,
          text: e.textContent.trim()};
}).filter(e => wanted.includes(e.bg));
"""


@browser_test
@pytest.mark.parametrize("page", PAGES)
def test_colour_is_never_the_only_carrier_of_a_status(site, driver, page):  # noqa: F811
    driver.get((site / page).as_uri())
    colours = sorted({c.lower() for c in STATUS_COLORS.values()})
    cells = driver.execute_script(STATUS_CELLS, colours)
    if page.startswith("15.71"):
        assert len(cells) >= 3, "the indicator table's status cells were not found"
    lang = PAGES[page]
    for cell in cells:
        # the colour's statuses (a colour is shared by a status and its summary key)
        keys = [k for k, c in STATUS_COLORS.items() if c.lower() == cell["bg"]]
        labels = {status_label(k, lang) for k in keys if k in STATUSES}
        assert cell["text"] in labels, (
            f"{page}: a {cell['tag']} coloured {cell['bg']} says {cell['text']!r}, "
            f"not its status ({sorted(labels)})")
        assert contrast_ratio(cell["fg"], cell["bg"]) >= 4.5, (
            f"{page}: {cell['text']!r}: text {cell['fg']} on {cell['bg']}")


def test_status_text_colours_contrast():
    """A status label on its colour reads at WCAG AA's 4.5:1 for text, in every status."""
    assert set(STATUS_TEXT_COLORS) == set(STATUS_COLORS)
    low = {k: round(contrast_ratio(STATUS_TEXT_COLORS[k], c), 2) for k, c in STATUS_COLORS.items()
           if contrast_ratio(STATUS_TEXT_COLORS[k], c) < 4.5}
    assert not low, low
    # the report's default near-black text on the deterioration red did not (3.8:1)
    assert contrast_ratio("#1c0304", STATUS_COLORS["deterioration"]) < 4.5
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_exported_html_gets_its_language_and_header_scopes():
    from evalkit.present.published import accessible_html

    body = ('<!DOCTYPE html>\n<html lang="en">\n<body><table><thead><tr><th class="col_heading">A'
            '</th><th scope="colgroup">B</th></tr></thead><tbody><tr><th>row</th><td>&lt;th&gt;'
            '</td></tr></tbody></table><p>&lt;thead&gt;&lt;th x&gt;</p></body></html>')
    out = accessible_html(body, "id")
    assert '<html lang="id">' in out and 'lang="en"' not in out
    assert '<th scope="col" class="col_heading">A</th>' in out
    assert '<th scope="colgroup">B</th>' in out  # a scope already set is kept
    assert '<th scope="row">row</th>' in out
    assert out.count("scope=") == 3  # escaped text that spells a tag is left alone
    assert '<td>&lt;th&gt;</td>' in out and '<p>&lt;thead&gt;&lt;th x&gt;</p>' in out
    assert '<html lang="en">' in accessible_html(body, "en")
    assert '<html lang="id">' in accessible_html(body, 'en" onload="x')  # not a code: default
