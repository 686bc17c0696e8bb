"""``reports/index.html``: every region with its key figures and links to its reports.

Works opened straight from disk (relative links, one small inline script to sort the
table, no external assets).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from evalkit import __version__
from evalkit.analyse.results import report_regions as _report_regions
from evalkit.core.config import MIN_CELL, PROCESSED_DATA_DIR, REPORTS_DIR
from evalkit.core.lock import write_atomic
from evalkit.present.i18n import LANGS, text
from evalkit.present.wave_results import wave_result
from evalkit.read import products
from evalkit.read.products import (
    MANIFEST,
    manifest_digest,
    read_processed,
    read_result,
)
from evalkit.read.regions import Region, get_region

LANG_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def report_regions(processed_dir: Path = PROCESSED_DATA_DIR) -> list[Region]:
    """The regions that get reports (:func:`evalkit.analyse.results.report_regions`: survey
    responses or indicator targets, in code order), read from the processed tables."""
    # the latest wave's respondents, as the results describe (read.waves.snapshot)
    return _report_regions(products.read_latest("survey", processed_dir),
                           read_processed("indicator_targets", processed_dir))


def overview_table(processed_dir: Path = PROCESSED_DATA_DIR) -> pd.DataFrame:
    """Key figures per region (the results' ``overview``:
    :func:`evalkit.analyse.region_tables.region_overview`) and its index."""
    overview = read_result("overview", processed_dir)
    index = read_result("index", processed_dir)[["region_code", "index", "ci_low", "ci_upp", "rank"]]
    return overview.merge(index.rename(columns={"ci_low": "index_ci_low", "ci_upp": "index_ci_upp",
                                                "rank": "index_rank"}), on="region_code", how="left")


_CALLED = {"up": "▲", "down": "▼", "none": "≈"}  # never colour alone: a sign, an arrow, a number


def _minus(x: float, fmt: str) -> str:
    """``x`` formatted with a true minus sign (the sorting script reads U+2212 as -)."""
    out = format(x, fmt)
    if float(out) == 0:  # -0.04 shows as 0.0, not as a fall
        out = format(0.0, fmt)
    return out.replace("-", "\u2212")


def index_change_text(change: float, low: float, high: float, rank_from=None, rank_to=None) -> str:
    """An index change for the index page: ``▲ +3.2 (0.4–6.0)`` (a called rise: its interval
    lies above zero), ``▼ −2.1 (…)`` (a called fall), ``≈ +0.8 (…)`` (no clear change:
    the interval holds zero); ranks as ``· #5 → #3`` when both are known; ``—`` when
    there is no change to show."""
    if change is None or pd.isna(change):
        return "—"
    called = ("up" if pd.notna(low) and low > 0 else "down" if pd.notna(high) and high < 0
              else "none")
    out = f"{_CALLED[called]} {_minus(change, '+.1f')}"
    if pd.notna(low) and pd.notna(high):
        out += f" ({_minus(low, '.1f')}–{_minus(high, '.1f')})"
    if rank_from is not None and rank_to is not None and pd.notna(rank_from) and pd.notna(rank_to):
        out += f" · #{int(rank_from)} → #{int(rank_to)}"
    return out


def _relative_href(href: str) -> str:
    """``href`` when it is a relative link inside reports/ (no scheme, no absolute path)."""
    href = str(href)
    if (not href or href.startswith(("/", "\\")) or ":" in href.split("/")[0]
            or ".." in href.replace("\\", "/").split("/")):
        raise ValueError(f"an archive link must be relative to reports/ (e.g. "
                         f"'archive/2025-q3/index.html'), not {href!r}")
    return href


def _pdf_href(reports_dir: Path, stem: str) -> str:
    """``<stem>.pdf`` when ``evalkit run --pdf`` printed it (:mod:`evalkit.run.pdf`) from
    the current HTML, else ``""``: a PDF older than its report would show other numbers."""
    pdf, html = reports_dir / f"{stem}.pdf", reports_dir / f"{stem}.html"
    current = pdf.is_file() and html.is_file() and pdf.stat().st_mtime >= html.stat().st_mtime
    return f"{stem}.pdf" if current else ""


def write_index(reports_dir: Path = REPORTS_DIR, processed_dir: Path = PROCESSED_DATA_DIR,
                archives: list[tuple[str, str]] | None = None) -> Path:
    """Render the index from the processed data and the reports present on disk.

    Parameters
    ----------
    reports_dir, processed_dir : Path
        Where the reports are (links are made to those present) and the processed data
        with its results.
    archives : list of (label, href), optional
        The earlier waves' archived reports, listed in the section "Earlier waves": the
        wave's label and its index page relative to ``reports_dir`` (e.g.
        ``("2025-Q3", "archive/2025-q3/index.html")``). Labels are escaped; a link that
        is not relative raises ValueError.
    """
    from evalkit.present.published import report_stem, synthesis_stem

    reports_dir = Path(reports_dir)
    overview = overview_table(processed_dir)
    manifest = json.loads((Path(processed_dir) / MANIFEST).read_text(encoding="utf-8"))
    too_small = " / ".join(text("too_small", lang, min_cell=MIN_CELL) for lang in LANGS)
    wave_table = wave_result("waves", processed_dir)
    waves = [str(w) for w in wave_table["wave"]]
    # the one wave's label, unless none was declared (then it is only "1")
    one_wave = (waves[0] if len(waves) == 1 and str(wave_table["source"].iat[0]) != "single"
                else "")
    changes = wave_result("index_change", processed_dir).drop_duplicates("region_code")
    changes = changes.set_index("region_code")
    rows = []
    for rec in overview.to_dict("records"):
        region = get_region(rec["region_code"])
        small = 0 < rec["respondents"] < MIN_CELL  # no health, no index, no rank
        if small:
            rec = {**rec, "index": float("nan"), "index_rank": None}
        links, failed = [], []
        for lang in LANGS:
            stem = report_stem(region, lang)
            if (reports_dir / f"{stem}.html").exists():
                links.append({"href": f"{stem}.html", "label": LANG_NAMES[lang],
                              "pdf": _pdf_href(reports_dir, stem)})
            if (reports_dir / f"{stem}.error.txt").exists():
                failed.append(lang)
        health = (too_small if small else "—" if pd.isna(rec["health"]) else
                  f"{rec['health']:.2f} ({rec['health_ci_low']:.2f}–{rec['health_ci_upp']:.2f})")
        index = (too_small if small else "—" if pd.isna(rec["index"]) else
                 f"{rec['index']:.1f} ({rec['index_ci_low']:.1f}–{rec['index_ci_upp']:.1f})")
        code = rec["region_code"]
        if small:
            change = too_small
        elif code in changes.index:
            c = changes.loc[code]
            change = index_change_text(c["change"], c["ci_low"], c["ci_upp"], c["rank_from"],
                                       c["rank_to"])
        else:
            change = "—"
        rows.append({**rec, "health_text": health, "index_text": index, "change_text": change,
                     "links": links, "failed": ", ".join(failed)})
    synthesis = [{"href": f"{synthesis_stem(lang)}.html", "label": LANG_NAMES[lang],
                  "pdf": _pdf_href(reports_dir, synthesis_stem(lang))}
                 for lang in LANGS if (reports_dir / f"{synthesis_stem(lang)}.html").exists()]
    workbooks = [{"href": name, "label": LANG_NAMES[lang]}
                 for lang, name in (("id", "summary.xlsx"), ("en", "summary_en.xlsx"))
                 if (reports_dir / name).exists()]
    earlier = [{"label": str(label), "href": _relative_href(href)}
               for label, href in (archives or [])]
    env = Environment(loader=PackageLoader("evalkit.present", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("index.html.j2").render(
        rows=rows, n_regions=len(rows), synthesis=synthesis, workbooks=workbooks,
        version=__version__, min_cell=MIN_CELL,
        scale=products.read_scale(processed_dir).range_text(),
        manifest_digest=manifest_digest(manifest),
        tables=manifest["tables"], reasons=manifest["quarantine_by_reason"],
        waves=waves, multi_wave=len(waves) > 1, one_wave=one_wave, archives=earlier)
    path = reports_dir / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, html)  # a unique temporary name, renamed when complete
