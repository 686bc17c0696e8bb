"""``reports/index.html``: every region with its key figures and links to its reports.

Works opened straight from disk (relative links, no scripts, no external assets).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from evalkit import __version__, analysis
from evalkit.config import MIN_CELL, PROCESSED_DATA_DIR, REPORTS_DIR
from evalkit.i18n import LANGS
from evalkit.pipeline import MANIFEST, manifest_digest, read_processed
from evalkit.regions import Region, get_region

LANG_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def report_regions(processed_dir: Path = PROCESSED_DATA_DIR) -> list[Region]:
    """Regions with survey responses or indicator targets, in code order."""
    codes = set(read_processed("survey", processed_dir)["region_code"])
    codes |= set(read_processed("indicator_targets", processed_dir)["region_code"])
    return [get_region(c) for c in sorted(codes, key=lambda c: [int(p) for p in c.split(".")])]


def overview_table(processed_dir: Path = PROCESSED_DATA_DIR) -> pd.DataFrame:
    """Key figures per region (see :func:`evalkit.analysis.region_overview`)."""
    survey = read_processed("survey", processed_dir)
    scores = analysis.scores_long(survey, read_processed("items", processed_dir))
    progress = analysis.indicator_progress(read_processed("indicator_annual", processed_dir),
                                           read_processed("indicator_targets", processed_dir),
                                           read_processed("indicator_metadata", processed_dir))
    return analysis.region_overview(survey, scores, progress, report_regions(processed_dir))


def write_index(reports_dir: Path = REPORTS_DIR, processed_dir: Path = PROCESSED_DATA_DIR) -> Path:
    """Render the index from the processed data and the reports present on disk."""
    from evalkit.batch import report_stem

    overview = overview_table(processed_dir)
    manifest = json.loads((Path(processed_dir) / MANIFEST).read_text(encoding="utf-8"))
    rows = []
    for rec in overview.to_dict("records"):
        region = get_region(rec["region_code"])
        links, failed = [], []
        for lang in LANGS:
            stem = report_stem(region, lang)
            if (reports_dir / f"{stem}.html").exists():
                links.append({"href": f"{stem}.html", "label": LANG_NAMES[lang]})
            if (reports_dir / f"{stem}.error.txt").exists():
                failed.append(lang)
        health = ("—" if pd.isna(rec["health"]) else
                  f"{rec['health']:.2f} ({rec['health_ci_low']:.2f}–{rec['health_ci_upp']:.2f})")
        rows.append({**rec, "health_text": health, "links": links, "failed": ", ".join(failed)})
    env = Environment(loader=PackageLoader("evalkit", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("index.html.j2").render(
        rows=rows, n_regions=len(rows), version=__version__, min_cell=MIN_CELL,
        manifest_digest=manifest_digest(manifest),
        tables=manifest["tables"], reasons=manifest["quarantine_by_reason"])
    path = Path(reports_dir) / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".index.html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
