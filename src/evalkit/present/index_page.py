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
from evalkit.read import products
from evalkit.read.products import MANIFEST, manifest_digest, read_processed, read_result
from evalkit.read.regions import Region, get_region

LANG_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def report_regions(processed_dir: Path = PROCESSED_DATA_DIR) -> list[Region]:
    """The regions that get reports (:func:`evalkit.analyse.results.report_regions`: survey
    responses or indicator targets, in code order), read from the processed tables."""
    return _report_regions(read_processed("survey", processed_dir),
                           read_processed("indicator_targets", processed_dir))


def overview_table(processed_dir: Path = PROCESSED_DATA_DIR) -> pd.DataFrame:
    """Key figures per region (the results' ``overview``:
    :func:`evalkit.analyse.region_tables.region_overview`) and its index."""
    overview = read_result("overview", processed_dir)
    index = read_result("index", processed_dir)[["region_code", "index", "ci_low", "ci_upp", "rank"]]
    return overview.merge(index.rename(columns={"ci_low": "index_ci_low", "ci_upp": "index_ci_upp",
                                                "rank": "index_rank"}), on="region_code", how="left")


def write_index(reports_dir: Path = REPORTS_DIR, processed_dir: Path = PROCESSED_DATA_DIR) -> Path:
    """Render the index from the processed data and the reports present on disk."""
    from evalkit.present.published import report_stem, synthesis_stem

    overview = overview_table(processed_dir)
    manifest = json.loads((Path(processed_dir) / MANIFEST).read_text(encoding="utf-8"))
    too_small = " / ".join(text("too_small", lang, min_cell=MIN_CELL) for lang in LANGS)
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
                links.append({"href": f"{stem}.html", "label": LANG_NAMES[lang]})
            if (reports_dir / f"{stem}.error.txt").exists():
                failed.append(lang)
        health = (too_small if small else "—" if pd.isna(rec["health"]) else
                  f"{rec['health']:.2f} ({rec['health_ci_low']:.2f}–{rec['health_ci_upp']:.2f})")
        index = (too_small if small else "—" if pd.isna(rec["index"]) else
                 f"{rec['index']:.1f} ({rec['index_ci_low']:.1f}–{rec['index_ci_upp']:.1f})")
        rows.append({**rec, "health_text": health, "index_text": index, "links": links,
                     "failed": ", ".join(failed)})
    synthesis = [{"href": f"{synthesis_stem(lang)}.html", "label": LANG_NAMES[lang]}
                 for lang in LANGS if (reports_dir / f"{synthesis_stem(lang)}.html").exists()]
    workbooks = [{"href": name, "label": LANG_NAMES[lang]}
                 for lang, name in (("id", "summary.xlsx"), ("en", "summary_en.xlsx"))
                 if (reports_dir / name).exists()]
    env = Environment(loader=PackageLoader("evalkit.present", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("index.html.j2").render(
        rows=rows, n_regions=len(rows), synthesis=synthesis, workbooks=workbooks,
        version=__version__, min_cell=MIN_CELL,
        scale=products.read_scale(processed_dir).range_text(),
        manifest_digest=manifest_digest(manifest),
        tables=manifest["tables"], reasons=manifest["quarantine_by_reason"])
    path = Path(reports_dir) / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, html)  # a unique temporary name, renamed when complete
