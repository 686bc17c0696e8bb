"""PDF copies of the published reports, printed by headless Chromium (``evalkit run --pdf``).

Each regional report and synthesis ``<stem>.html`` in the reports folder gets a
``<stem>.pdf`` beside it: A4, the report's own print stylesheet (running header, page
numbers: :mod:`evalkit.present.published`), its headings as PDF bookmarks
(``--generate-pdf-document-outline``). Chromium is the one the browser test uses
(``chromium`` or ``chromium-browser`` on PATH, installed by ``make browser``); no Python
package is needed. A PDF newer than its HTML is left as it is (a rerun costs nothing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from evalkit.core.errors import EvalkitError
from evalkit.core.lock import temp_beside

#: Chromium's names on PATH (Debian: chromium; Ubuntu's older packages: chromium-browser).
CHROMIUM_NAMES = ("chromium", "chromium-browser")

#: Headless printing, no network, no first-run work; Chromium's own header and footer off
#: (they print the file's absolute path: the report's @page rule has the running header).
CHROMIUM_ARGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-extensions", "--hide-scrollbars",
    "--no-pdf-header-footer", "--generate-pdf-document-outline",
)

#: Seconds one report may take to print (the largest demo report takes a few).
TIMEOUT = 180


class ChromiumMissingError(EvalkitError):
    """No Chromium on PATH: ``make browser`` installs it."""


def find_chromium() -> str:
    """The path of Chromium (``chromium`` or ``chromium-browser`` on PATH).

    Raises
    ------
    ChromiumMissingError
        Neither is on PATH; the message names ``make browser``.
    """
    found = next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if found is None:
        raise ChromiumMissingError(
            "--pdf needs Chromium (chromium or chromium-browser on PATH): run `make browser` "
            "to install it (or `sudo apt-get install chromium`).")
    return found


def is_current(html: Path, pdf: Path) -> bool:
    """True when ``pdf`` exists and is newer than ``html`` (nothing to print)."""
    return pdf.is_file() and pdf.stat().st_size > 0 and pdf.stat().st_mtime >= html.stat().st_mtime


def print_pdf(html: Path, pdf: Path | None = None, *, chromium: str | None = None,
              force: bool = False) -> Path:
    """Print one HTML report to PDF with headless Chromium, atomically.

    Parameters
    ----------
    html : Path
        The exported report.
    pdf : Path, optional
        The PDF to write (default: ``html`` with the suffix ``.pdf``).
    chromium : str, optional
        Chromium's path (default: :func:`find_chromium`).
    force : bool
        Print even when the PDF is newer than the HTML (:func:`is_current`).

    Returns
    -------
    Path
        The PDF.

    Raises
    ------
    ChromiumMissingError
        No Chromium on PATH.
    EvalkitError
        Chromium failed or wrote no PDF (its last line of output in the message).
    """
    html = Path(html)
    pdf = Path(pdf) if pdf is not None else html.with_suffix(".pdf")
    if not force and is_current(html, pdf):
        return pdf
    chromium = chromium or find_chromium()
    # a unique name in the same folder, renamed whole; ".tmp": remove_leftovers knows it
    tmp = temp_beside(pdf, ".tmp")
    try:
        # a profile of its own: two printers never share Chromium's profile lock
        with tempfile.TemporaryDirectory(prefix="evalkit-chromium-") as profile:
            done = subprocess.run(
                [chromium, *CHROMIUM_ARGS, f"--user-data-dir={profile}",
                 f"--print-to-pdf={tmp}", html.resolve().as_uri()],
                capture_output=True, text=True, timeout=TIMEOUT, check=False)
        if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise EvalkitError(f"Chromium could not print {html.name} to PDF "
                               f"(exit {done.returncode}): {last}")
        os.replace(tmp, pdf)
    except subprocess.TimeoutExpired as exc:
        raise EvalkitError(f"Chromium took more than {TIMEOUT} s to print {html.name}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return pdf


def report_pages(reports_dir: Path) -> list[Path]:
    """The published reports of ``reports_dir`` to print: every ``*.html`` but the index
    (the regional reports and the syntheses, in both languages), in name order."""
    return sorted(p for p in Path(reports_dir).glob("*.html") if p.name != "index.html")


def print_reports(reports_dir: Path, *, force: bool = False,
                  on_done=None) -> list[Path]:
    """A PDF beside every report of ``reports_dir`` (:func:`report_pages`), each printed
    only when its HTML is newer (:func:`print_pdf`).

    ``on_done(pdf, printed)`` is called after each report. Returns the PDFs.
    """
    chromium = find_chromium()  # once, before any work: the one-line error first
    out = []
    for html in report_pages(reports_dir):
        pdf = html.with_suffix(".pdf")
        printed = force or not is_current(html, pdf)
        out.append(print_pdf(html, pdf, chromium=chromium, force=force))
        if on_done is not None:
            on_done(pdf, printed)
    return out
