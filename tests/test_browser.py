"""A real browser opens the reports straight from disk.

Headless Chromium (Debian's ``chromium`` + ``chromium-driver``, installed by ``.ci/browser``)
opens ``index.html``, one regional report and the synthesis as ``file://`` pages, as a
reviewer would after ``make report``, and checks that each page

- logs no console error (a script or file that fails to load is logged as SEVERE),
- loads nothing from the network (the pages must work offline, opened from disk),
- has no broken relative link or in-page anchor, and no broken image;

and that the index's regional table sorts when a column heading is clicked or activated
from the keyboard. Screenshots are written to ``tests/artifacts/screenshots/`` (git-ignored)
so a person can look at them after the run.

Without Chromium the test fails and says how to install it; set
``EVALKIT_SKIP_BROWSER=1`` to skip it on purpose.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import pytest

from evalkit.core.config import PACKAGE_ROOT as PROJ_ROOT
from evalkit.present.index_page import write_index
from evalkit.read.regions import get_region
from evalkit.run.batch import run_reports

# a real browser, on reports made by the real batch (kernels): out of `make test-fast`
pytestmark = [pytest.mark.browser, pytest.mark.kernel]

SCREENSHOTS = PROJ_ROOT / "tests" / "artifacts" / "screenshots"
REPORT = "15.71-kota-jambi.html"
SYNTHESIS = "synthesis.html"
INSTALL_HINT = (
    "run `.ci/browser` (it installs them), or `sudo apt-get install chromium chromium-driver`, "
    "or `pip install -e '.[test]'` for selenium; set EVALKIT_SKIP_BROWSER=1 to skip this test")

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--window-size=1280,1000", "--hide-scrollbars", "--force-device-scale-factor=1",
    # no background traffic: the machine's network is closed, and the pages must not need it
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--disable-extensions",
]


def _browser_paths() -> tuple[str, str]:
    """Chromium and ChromeDriver, or fail (skip only when EVALKIT_SKIP_BROWSER=1)."""
    if os.environ.get("EVALKIT_SKIP_BROWSER") == "1":
        pytest.skip("EVALKIT_SKIP_BROWSER=1: real-browser test skipped on request")
    missing = []
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the Python package selenium")
    chromium = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
    driver = shutil.which("chromedriver")
    if not chromium:
        missing.append("chromium (/usr/bin/chromium)")
    if not driver:
        missing.append("chromedriver (/usr/bin/chromedriver)")
    if missing:
        pytest.fail(f"real-browser test needs {', '.join(missing)}: {INSTALL_HINT}", pytrace=False)
    return chromium, driver


@pytest.fixture(scope="module")
def browser_paths() -> tuple[str, str]:
    return _browser_paths()


@pytest.fixture(scope="module")
def site(browser_paths, processed_dir, tmp_path_factory) -> Path:
    """Two regions in both languages, the synthesis, and the index, built by the real batch."""
    reports = tmp_path_factory.mktemp("browser_reports")
    results = run_reports([get_region("15.71"), get_region("96.02")], langs=("id", "en"), jobs=2,
                          reports_dir=reports, processed_dir=processed_dir)
    assert all(r.ok for r in results), [(r.label, r.error) for r in results if not r.ok]
    write_index(reports, processed_dir)
    return reports


@pytest.fixture(scope="module")
def driver(browser_paths):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = browser_paths
    options = Options()
    options.binary_location = chromium
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    browser.set_page_load_timeout(30)
    yield browser
    browser.quit()


# What the page loaded or refers to, gathered in the page itself.
PAGE_FACTS = """
const abs = (u) => new URL(u, document.baseURI).href;
const resources = [
  ...[...document.querySelectorAll('script[src]')].map(e => abs(e.getAttribute('src'))),
  ...[...document.querySelectorAll('link[href]')].filter(e => e.rel !== 'canonical')
        .map(e => abs(e.getAttribute('href'))),
  ...[...document.querySelectorAll('img[src], iframe[src], source[src], video[src], audio[src]')]
        .map(e => abs(e.getAttribute('src'))),
  ...performance.getEntriesByType('resource').map(e => e.name),
];
const here = location.href.split('#')[0];
const links = [...document.querySelectorAll('a[href]')].map(a => {
  const url = new URL(a.getAttribute('href'), document.baseURI);
  const samePage = url.href.split('#')[0] === here;
  let target = null;
  if (samePage && url.hash.length > 1) {
    // as browsers do: the fragment as written, then percent-decoded (nbconvert's heading
    // ids keep the percent-encoding, e.g. "...-%E2%80%94-Kota-Jambi")
    const raw = url.hash.slice(1);
    let decoded = raw;
    try { decoded = decodeURIComponent(raw); } catch (e) { /* keep raw */ }
    target = [raw, decoded].some(id => document.getElementById(id) ||
                                        document.getElementsByName(id).length);
  }
  return {href: a.getAttribute('href'), url: url.href, samePage: samePage, anchorFound: target};
});
const brokenImages = [...document.images].filter(i => !i.complete || i.naturalWidth === 0)
  .map(i => (i.getAttribute('src') || '').slice(0, 80));
return {resources: resources, links: links, images: document.images.length,
        brokenImages: brokenImages, height: document.documentElement.scrollHeight};
"""


def open_page(driver, path: Path) -> dict:
    """Load ``path`` from disk; return the page facts and the console entries of this load."""
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(path.as_uri())
    facts = driver.execute_script(PAGE_FACTS)
    facts["console"] = driver.get_log("browser")
    return facts


def check_page(driver, path: Path) -> dict:
    facts = open_page(driver, path)
    severe = [e["message"] for e in facts["console"] if e["level"] == "SEVERE"]
    assert not severe, f"{path.name}: console errors:\n" + "\n".join(severe)

    remote = sorted({u for u in facts["resources"] if not u.startswith(("file:", "data:", "blob:"))})
    assert not remote, f"{path.name} loads from the network, so it fails offline: {remote}"

    broken = []
    for link in facts["links"]:
        parts = urlsplit(link["url"])
        if link["samePage"]:
            if link["anchorFound"] is False:
                broken.append(f"{link['href']} (no element with that id)")
        elif parts.scheme == "file":
            target = Path(url2pathname(unquote(parts.path)))
            if not target.exists():
                broken.append(f"{link['href']} (no file {target})")
        # http(s)/mailto links are references for an online reader, not checked offline
    assert not broken, f"{path.name}: broken links: {broken}"
    assert not facts["brokenImages"], f"{path.name}: images that did not load: {facts['brokenImages']}"
    return facts


def screenshot(driver, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG under tests/artifacts/screenshots/ and check it is a real picture."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    if full_page:  # the whole page, not only the window (Chrome DevTools protocol)
        import base64

        shot = driver.execute_cdp_cmd("Page.captureScreenshot",
                                      {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(shot["data"]))
    else:
        driver.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000, f"{path} is suspiciously small"
    return path


# The regional table, read back from the page.
TABLE_STATE = """
const table = document.getElementById('regions');
const heads = [...table.tHead.rows[0].cells];
return {
  heads: heads.map(th => ({text: th.textContent.trim(), sort: th.getAttribute('aria-sort'),
                           sortable: !!th.querySelector('button')})),
  rows: [...table.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent.trim())),
};
"""


def first_number(text: str) -> float | None:
    import re

    match = re.search(r"-?\d+(?:\.\d+)?", text.replace("\u2212", "-"))  # a true minus too
    return float(match.group()) if match else None


def column(state: dict, starts: str) -> int:
    return next(i for i, h in enumerate(state["heads"]) if h["text"].startswith(starts))


def assert_sorted(values: list[float | None], descending: bool = False) -> None:
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=descending), values
    assert values == present + [None] * (len(values) - len(present)), "'—' must sort last"


def test_index_opens_from_disk_and_sorts(site, driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    facts = check_page(driver, site / "index.html")
    hrefs = {link["href"] for link in facts["links"]}
    assert {REPORT, "15.71-kota-jambi.en.html", SYNTHESIS, "synthesis.en.html",
            "#kualitas-data"} <= hrefs
    screenshot(driver, "index.png", full_page=True)

    state = driver.execute_script(TABLE_STATE)
    assert len(state["rows"]) >= 10  # every region with data, not only the two run here
    # the demo has three waves: the index-change column is shown (and sorts) too
    assert [h["sortable"] for h in state["heads"]] == [True] * 7 + [False]
    code = column(state, "Kode")
    assert state["heads"][code]["sort"] == "ascending"  # rows start in code order
    codes = [r[code] for r in state["rows"]]
    index_col = column(state, "Indeks efektivitas")
    before = [r[index_col] for r in state["rows"]]

    headers = driver.find_elements(By.CSS_SELECTOR, "#regions thead th")
    headers[index_col].find_element(By.TAG_NAME, "button").click()
    state = driver.execute_script(TABLE_STATE)
    after = [r[index_col] for r in state["rows"]]
    assert after != before and sorted(after) == sorted(before)
    assert_sorted([first_number(v) for v in after])
    assert state["heads"][index_col]["sort"] == "ascending"
    assert state["heads"][code]["sort"] is None  # only the sorted column says so
    # each row moved whole: its report links still belong to its region
    jambi = next(r for r in state["rows"] if r[code] == "15.71")
    assert "Bahasa Indonesia" in jambi[-1] and "English" in jambi[-1]

    headers[index_col].find_element(By.TAG_NAME, "button").click()  # again: reversed
    state = driver.execute_script(TABLE_STATE)
    assert_sorted([first_number(r[index_col]) for r in state["rows"]], descending=True)
    assert state["heads"][index_col]["sort"] == "descending"
    screenshot(driver, "index-sorted-by-index.png", full_page=True)

    # keyboard: Tab reaches the heading buttons, Enter sorts
    health = column(state, "Kesehatan kemitraan")
    button = headers[health].find_element(By.TAG_NAME, "button")
    button.send_keys(Keys.ENTER)
    state = driver.execute_script(TABLE_STATE)
    assert state["heads"][health]["sort"] == "ascending"
    assert_sorted([first_number(r[health]) for r in state["rows"]])
    assert driver.switch_to.active_element == button

    change = column(state, "Perubahan indeks")  # signed changes, a true minus included
    headers[change].find_element(By.TAG_NAME, "button").click()
    state = driver.execute_script(TABLE_STATE)
    changes = [first_number(r[change]) for r in state["rows"]]
    assert sum(v is not None for v in changes) >= 10  # every indexed region has a change
    assert_sorted(changes)

    headers[code].find_element(By.TAG_NAME, "button").click()  # back to code order
    state = driver.execute_script(TABLE_STATE)
    assert [r[code] for r in state["rows"]] == codes
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.parametrize("page, shot", [(REPORT, "15.71-kota-jambi.png"),
                                        (SYNTHESIS, "synthesis.png")])
def test_report_opens_from_disk_with_its_figures(site, driver, page, shot):
    facts = check_page(driver, site / page)
    assert facts["images"] >= 5  # the figures are embedded and drawn
    assert facts["height"] > 5_000  # the whole report, not an error page
    screenshot(driver, shot)
    # the first figure, as a reviewer sees it
    from selenium.webdriver.common.by import By

    figure = driver.find_elements(By.CSS_SELECTOR, "img")[0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", figure)
    figure.screenshot(str(SCREENSHOTS / shot.replace(".png", ".figure.png")))
    assert (SCREENSHOTS / shot.replace(".png", ".figure.png")).stat().st_size > 10_000


@pytest.fixture(scope="module")
def payload_site(browser_paths, raw_dir, tmp_path_factory) -> Path:
    """Kota Jambi's report, the synthesis and the index built by `evalkit clean` + `evalkit
    run` from the demo data with hostile payloads planted in organisation, indicator and
    codebook names (tests/payloads.py)."""
    import payloads

    return payloads.build_payload_reports(raw_dir, tmp_path_factory.mktemp("payload_site"))


# Set by a payload that ran (window.__pwned = 1..4), and every request the page made.
PAYLOAD_FACTS = """
return {pwned: typeof window.__pwned,
        requests: performance.getEntriesByType('resource').map(e => e.name)};
"""


@pytest.mark.slow
@pytest.mark.parametrize("page", [REPORT, SYNTHESIS, "index.html"])
def test_payload_report_runs_no_script_and_requests_nothing(payload_site, driver, page):
    check_page(driver, payload_site / page)  # no console error (nor a CSP violation)
    facts = driver.execute_script(PAYLOAD_FACTS)
    assert facts["pwned"] == "undefined", f"{page}: a planted script ran"
    remote = [u for u in facts["requests"] if u.startswith(("http:", "https:"))]
    assert not remote, f"{page} requested {remote}"
    # the planted names are on the page, as text
    body = driver.execute_script("return document.body.innerText")
    if page == REPORT:
        assert "<script>window.__pwned=1</script>" in body


def test_missing_browser_fails_with_instructions(monkeypatch):
    monkeypatch.delenv("EVALKIT_SKIP_BROWSER", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match=r"\.ci/browser.*chromium-driver"):
        _browser_paths()
    monkeypatch.setenv("EVALKIT_SKIP_BROWSER", "1")
    with pytest.raises(pytest.skip.Exception, match="EVALKIT_SKIP_BROWSER=1"):
        _browser_paths()
