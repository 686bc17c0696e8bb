"""``reports/summary.xlsx``: the evaluation's key tables for M&E officers, one sheet each.

The workbook holds every region at once, one table per sheet, each with a bold header
row whose texts state the units, a frozen pane below the header (and beside the region
columns), fitted column widths, number formats and an autofilter:

========================  =====================  ==============================================
sheet (``id``)            sheet (``en``)         contents
========================  =====================  ==============================================
Tentang                   About                  what each sheet holds, provenance (manifest)
Skor                      Scores                 mean score per region and dimension, 95% CI
Reliabilitas              Reliability            Cronbach's alpha (CI) and omega per dimension
Indikator                 Indicators             baseline, latest, target, achievement, status
Kehadiran                 Attendance             meeting attendance by sector
Cakupan pentahelix        Pentahelix coverage    register, survey and meetings by sector
Indeks                    Index                  effectiveness index, CI, ranks, pillars
Bobot indeks              Index weights          the index's weights and goalposts
Jejaring                  Network                collaboration network and PARTNER scores
Perubahan                 Change                 score change since the previous/first wave
Indeks per gelombang      Index by wave          the index of every wave, its change
========================  =====================  ==============================================

Sheet names, headers and labels are in one language (``lang``: ``"id"`` or ``"en"``);
sheets keep the same order and columns in both. Groups of fewer than
:data:`evalkit.core.config.MIN_CELL` respondents are never published: their statistics are
blank, their count reads ``"<5"`` and a note says why.

The file is deterministic: same processed data and code, same bytes (no generation
date; fixed zip timestamps). Use :func:`summary_data` to compute the numbers once and
:func:`write_summary` to write them in each language.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from evalkit import __version__
from evalkit.core.checks import check_lang
from evalkit.core.config import CI_LEVEL, MIN_CELL, PROCESSED_DATA_DIR, REPORTS_DIR
from evalkit.core.contract import DEFAULT_SCALE, PENTAHELIX, Scale
from evalkit.core.domain import sector_labels
from evalkit.core.escape import protect_excel_cell
from evalkit.measure import effectiveness
from evalkit.measure.indicators import STATUS_SUMMARY
from evalkit.present import index_wording
from evalkit.present.colours import STATUS_COLORS, text_color_on
from evalkit.present.i18n import (
    TEXT,
    component_label,
    pillar_label,
    reliability_note,
    status_label,
    status_summary,
    text,
)
from evalkit.present.wave_results import single_wave_result, wave_result
from evalkit.read import products
from evalkit.read.products import MANIFEST, manifest_digest, read_processed, read_result
from evalkit.read.regions import Region, get_region
from evalkit.read.waves import SINGLE_WAVE

__all__ = ["SHEETS", "SummaryData", "Sheet", "sheet_name", "summary_data", "summary_sheets",
           "workbook_bytes", "write_summary"]

FILENAME = "summary.xlsx"

#: Sheet keys in workbook order; their names are evalkit.present.i18n keys
#: ``xlsx_sheet_<key>`` (<= 31 characters).
SHEETS: tuple[str, ...] = ("about", "scores", "reliability", "indicators", "attendance",
                           "coverage", "index", "weights", "network", "change", "index_waves")

# Number formats (Excel codes).
SCORE = "0.00"      # scores on 1-5, alpha, omega, density
PERCENT = "0%"      # rates and shares stored as fractions
INDEX = "0.0"       # index and pillar sub-indices, 0-100
INTEGER = "0"       # counts, years, ranks
VALUE = "#,##0.00"  # indicator values in their own unit

_SMALL = f"<{MIN_CELL}"  # how a suppressed count is published (as evalkit.present.report does)

# Wording: evalkit.present.i18n keys "xlsx_<key>" for headers (units in brackets, read
# by _h), "xlsx_sheet_<key>" sheet names, "xlsx_word_<key>" other words in cells (_w),
# "xlsx_about_<key>" rows of the About sheet, "xlsx_describe_<sheet>[_units]" what a
# sheet holds, "reliability_note_<code>" the reliability notes.


def sheet_name(key: str, lang: str = "id") -> str:
    """Name of a sheet (a key of :data:`SHEETS`) in ``lang``."""
    if key not in SHEETS:
        raise KeyError(key)
    return text(f"xlsx_sheet_{key}", check_lang(lang))


# --------------------------------------------------------------------------------------
# The numbers (language-independent)
# --------------------------------------------------------------------------------------

@dataclass
class SummaryData:
    """Everything the workbook shows, computed once, before labels are chosen."""

    regions: list[Region]
    dimensions: pd.DataFrame      # dimension, label_id, label_en
    sectors: pd.DataFrame         # sector, label_id, label_en
    scores: pd.DataFrame          # results "dimension_scores" (unweighted)
    reliability: pd.DataFrame     # results "reliability"
    progress: pd.DataFrame        # results "progress"
    attendance: pd.DataFrame      # results "attendance_sector"
    coverage: pd.DataFrame        # results "coverage"
    index: pd.DataFrame           # results "index"
    pillars: pd.DataFrame         # results "index_pillars"
    sensitivity: pd.DataFrame     # results "index_sensitivity"
    components: pd.DataFrame      # results "index_components"
    network: pd.DataFrame         # results "network_metrics"
    digest: str                   # evalkit.read.products.manifest_digest of the processed manifest
    spec: effectiveness.IndexSpec = field(default_factory=lambda: effectiveness.DEFAULT_SPEC)
    scale: Scale = DEFAULT_SCALE  # the form's answer scale (scale.parquet)
    respondents: dict = field(default_factory=dict)  # region code -> respondents (as its report)
    # the waves (issue #13): results "waves", "wave_change", "wave_index", "index_change";
    # a results folder from before waves gives a single wave (present.wave_results.wave_result)
    waves: pd.DataFrame = field(default_factory=lambda: single_wave_result("waves"))
    wave_change: pd.DataFrame = field(default_factory=lambda: single_wave_result("wave_change"))
    wave_index: pd.DataFrame = field(default_factory=lambda: single_wave_result("wave_index"))
    index_change: pd.DataFrame = field(default_factory=lambda: single_wave_result("index_change"))


def summary_data(processed_dir: Path = PROCESSED_DATA_DIR) -> SummaryData:
    """Read every number of the workbook from the results tables.

    The results stage (``evalkit run``: :func:`evalkit.run.stages.ensure_results`) has
    computed them, reliability included (an omega factor model per region and
    dimension, once for the reports and the workbook); read this once and write both
    languages.
    """
    processed_dir = Path(processed_dir)
    manifest = json.loads((processed_dir / MANIFEST).read_text(encoding="utf-8"))
    result = lambda name: read_result(name, processed_dir)  # noqa: E731
    counted = result("respondents")  # one row per report region, in code order
    regions = [get_region(code) for code in counted["region_code"]]
    scale = products.read_scale(processed_dir)
    spec_for_scale = getattr(effectiveness, "spec_for_scale", None)  # the health goalposts
    extra = {"spec": spec_for_scale(scale)} if spec_for_scale is not None else {}
    return SummaryData(
        regions=regions,
        dimensions=products.with_language_fallback(read_processed("dimensions", processed_dir),
                                                        "label", "dimension"),
        sectors=products.read_sectors(processed_dir),
        scores=result("dimension_scores"), reliability=result("reliability"),
        progress=products.with_language_fallback(result("progress"), "name", "indicator_id"),
        attendance=result("attendance_sector"),
        coverage=result("coverage"), index=result("index"), pillars=result("index_pillars"),
        sensitivity=result("index_sensitivity"), components=result("index_components"),
        network=result("network_metrics"), digest=manifest_digest(manifest), scale=scale,
        respondents=dict(zip(counted["region_code"], counted["respondents"].astype(int))),
        **{name: wave_result(name, processed_dir)
           for name in ("waves", "wave_change", "wave_index", "index_change")},
        **extra)


# --------------------------------------------------------------------------------------
# Sheets: cell values, formats, fills (labels in one language)
# --------------------------------------------------------------------------------------

@dataclass
class Sheet:
    """One table: header texts, cell formats, rows of cell values, cell fills."""

    key: str
    name: str
    headers: list[str]
    formats: list[str | None]     # one per column (None: text / general)
    rows: list[list[object]] = field(default_factory=list)
    fills: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 0-based -> hex
    freeze_columns: int = 2       # columns kept in view beside the frozen header

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame with the header texts as columns (for notebooks, tests)."""
        return pd.DataFrame(self.rows, columns=self.headers)


def _cell(value: object) -> object:
    """A value openpyxl writes as it is: None for missing, Python numbers, text."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _text(value: object) -> str | None:
    """A text cell: None (blank) for a missing value or its text form ("nan", "None")."""
    value = _cell(value)
    if value is None:
        return None
    value = str(value).strip()
    return None if value.lower() in {"", "nan", "none", "<na>"} else value


def _count(n: object) -> object:
    """A respondent count for publication: ``"<5"`` for 1-4 (as :func:`evalkit.present.report._count`)."""
    n = _cell(n)
    return _SMALL if n is not None and 0 < n < MIN_CELL else n


def _sheet(key: str, lang: str, columns: list[tuple[str, str | None]], **kw) -> Sheet:
    return Sheet(key=key, name=sheet_name(key, lang), headers=[h for h, _ in columns],
                 formats=[f for _, f in columns], **kw)


def _h(key: str, lang: str, **values: object) -> str:
    return text(f"xlsx_{key}", lang, **values)


def _w(key: str, lang: str) -> str:
    return text(f"xlsx_word_{key}", lang, min_cell=MIN_CELL)


def _is_word(key: str) -> bool:
    """True when ``key`` has a cell word (``xlsx_word_<key>``)."""
    return f"xlsx_word_{key}" in TEXT


def _region_columns(lang: str) -> list[tuple[str, str | None]]:
    return [(_h("region_code", lang), None), (_h("region_name", lang), None)]


def _region_order(data: SummaryData) -> dict[str, int]:
    return {r.code: i for i, r in enumerate(data.regions)}


def _ordered(frame: pd.DataFrame, data: SummaryData) -> pd.DataFrame:
    """Rows of the report regions, in region order (stable within a region)."""
    order = _region_order(data)
    frame = frame[frame["region_code"].isin(order)]
    return frame.iloc[np.argsort(frame["region_code"].map(order).to_numpy(), kind="stable")]


def _labels(table: pd.DataFrame, key: str, lang: str) -> dict[str, str]:
    return dict(zip(table[key].astype(str), table[f"label_{lang}"].astype(str)))


def _region_cells(code: str) -> list[object]:
    return [code, get_region(code).name]


def _about_sheet(data: SummaryData, lang: str) -> Sheet:
    sheet = _sheet("about", lang, [(_h("item", lang), None), (_h("description", lang), None),
                                   (_h("units", lang), None)], freeze_columns=1)
    word = lambda key: text(f"xlsx_about_{key}", lang, min_cell=MIN_CELL)  # noqa: E731
    sheet.rows += [
        [word("title"), word("title_text"), None],
        [word("version"), __version__, None],
        [word("digest"), data.digest, word("digest_note")],
        [word("regions"), len(data.regions), ", ".join(f"{r.code} {r.name}" for r in data.regions)],
        [word("small"), word("small_text"), None],
        [word("language"), word("language_text"), None],
    ]
    scale = data.scale
    number = lambda v: f"{v:g}"  # noqa: E731
    values = {"scale": scale.range_text(), "low": number(scale.min), "high": number(scale.max),
              "low_label": scale.label(scale.min, lang).lower(),
              "high_label": scale.label(scale.max, lang).lower(), "min_cell": MIN_CELL}
    for key in SHEETS:
        if key != "about":  # every table sheet is described
            sheet.rows.append([sheet_name(key, lang), text(f"xlsx_describe_{key}", lang, **values),
                               text(f"xlsx_describe_{key}_units", lang, **values)])
    return sheet


def _scores_sheet(data: SummaryData, lang: str) -> Sheet:
    sheet = _sheet("scores", lang, [*_region_columns(lang), (_h("dimension", lang), None),
                                    *[(_h(h, lang, scale=data.scale.range_text()), SCORE)
                                      for h in ("score", "score_low", "score_upp")],
                                    (_h("respondents", lang), INTEGER), (_h("note", lang), None)])
    dims = _labels(data.dimensions, "dimension", lang)
    scores = data.scores
    for region in data.regions:
        rows = scores[scores["region_code"] == region.code]
        if rows.empty:
            sheet.rows.append([*_region_cells(region.code), None, None, None, None, 0,
                               _w("no_survey", lang)])
            continue
        for r in rows.to_dict("records"):
            hidden = bool(r["suppressed"]) or r["nobs"] < MIN_CELL
            stats = [None] * 3 if hidden else [_cell(r[c]) for c in ("estimate", "ci_low", "ci_upp")]
            sheet.rows.append([*_region_cells(region.code), dims.get(r["dimension"], r["dimension"]),
                               *stats, _count(r["nobs"]),
                               _w("suppressed", lang) if hidden else None])
    return sheet


def _reliability_note(note: object, codes: object, n: int, lang: str) -> str | None:
    if n < MIN_CELL:
        return _w("suppressed", lang)  # the library's note names n: never publish it
    return reliability_note(_cell(note), _text(codes), lang)


def _reliability_sheet(data: SummaryData, lang: str) -> Sheet:
    sheet = _sheet("reliability", lang, [
        *_region_columns(lang), (_h("dimension", lang), None), (_h("k", lang), INTEGER),
        (_h("respondents", lang), INTEGER), (_h("alpha", lang), SCORE),
        (_h("alpha_low", lang), SCORE), (_h("alpha_upp", lang), SCORE), (_h("omega", lang), SCORE),
        (_h("note", lang), None)])
    dims = _labels(data.dimensions, "dimension", lang)
    rel = data.reliability
    for region in data.regions:
        rows = rel[rel["region_code"] == region.code]
        if rows.empty:
            sheet.rows.append([*_region_cells(region.code), None, None, 0, None, None, None, None,
                               _w("no_survey", lang)])
            continue
        for r in rows.to_dict("records"):
            n = int(r["n"])
            hidden = n < MIN_CELL
            stats = ([None] * 4 if hidden else
                     [_cell(r[c]) for c in ("alpha", "alpha_ci_low", "alpha_ci_upp", "omega")])
            sheet.rows.append([*_region_cells(region.code), dims.get(r["dimension"], r["dimension"]),
                               int(r["k"]), _count(n), *stats,
                               _reliability_note(r["note"], r.get("note_code"), n, lang)])
    return sheet


def _indicators_sheet(data: SummaryData, lang: str) -> Sheet:
    sheet = _sheet("indicators", lang, [
        *_region_columns(lang), (_h("indicator", lang), None), (_h("sdg", lang), None),
        (_h("unit", lang), None), (_h("direction", lang), None),
        (_h("baseline_year", lang), INTEGER), (_h("baseline_value", lang), VALUE),
        (_h("latest_year", lang), INTEGER), (_h("latest_value", lang), VALUE),
        (_h("target_year", lang), INTEGER), (_h("target_value", lang), VALUE),
        (_h("achievement", lang), PERCENT), (_h("status", lang), None), (_h("summary", lang), None)])
    status_col = len(sheet.headers) - 2
    for r in _ordered(data.progress, data).to_dict("records"):
        status = str(r["status"])
        direction = _cell(r["direction"])
        sheet.fills[(len(sheet.rows), status_col)] = STATUS_COLORS[status]
        sheet.fills[(len(sheet.rows), status_col + 1)] = STATUS_COLORS[STATUS_SUMMARY[status]]
        sheet.rows.append([
            *_region_cells(r["region_code"]), _cell(r[f"name_{lang}"]) or r["indicator_id"],
            _text(r["sdg_code"]), _cell(r["unit"]),
            _w(direction, lang) if _is_word(direction) else direction,
            *[_cell(r[c]) for c in ("baseline_year", "baseline_value", "latest_year", "latest_value",
                                    "target_year", "target_value", "achievement")],
            status_label(status, lang), status_summary(status, lang)])
    return sheet


def _sector_name(labels: dict[str, str], key: str, lang: str) -> str:
    """A sector's form label; a pentahelix category the form has no sector code for by its
    evalkit word (the coverage rows are categories)."""
    if key == "unknown":
        return _w("unknown", lang)
    if key not in labels and key in PENTAHELIX:
        return text(f"pentahelix_{key}", lang)
    return labels.get(key, key)


def _attendance_sheet(data: SummaryData, lang: str) -> Sheet:
    sheet = _sheet("attendance", lang, [
        *_region_columns(lang), (_h("sector", lang), None), (_h("organisations", lang), INTEGER),
        (_h("invitations", lang), INTEGER), (_h("attended", lang), INTEGER),
        (_h("rate", lang), PERCENT), (_h("rate_low", lang), PERCENT), (_h("rate_upp", lang), PERCENT),
        (_h("note", lang), None)])
    sectors = sector_labels(data.sectors, lang)
    for r in _ordered(data.attendance, data).to_dict("records"):
        sheet.rows.append([
            *_region_cells(r["region_code"]), _sector_name(sectors, str(r["sector"]), lang),
            *[_cell(r[c]) for c in ("organisations", "invitations", "attended", "rate", "ci_low",
                                    "ci_upp")],
            _w("not_invited", lang) if not r["invitations"] else None])
    return sheet


_ABSENT = "#f4cccc"  # light red: a pentahelix sector missing from the register


def _coverage_sheet(data: SummaryData, lang: str) -> Sheet:
    sheet = _sheet("coverage", lang, [
        *_region_columns(lang), (_h("sector", lang), None), (_h("in_register", lang), INTEGER),
        (_h("in_survey", lang), INTEGER), (_h("in_attendance", lang), INTEGER),
        (_h("present", lang), None)])
    sectors = sector_labels(data.sectors, lang)
    for r in _ordered(data.coverage, data).to_dict("records"):
        present = bool(r["present"])
        if not present and str(r["sector"]) in PENTAHELIX:  # a missing category: a finding
            sheet.fills[(len(sheet.rows), len(sheet.headers) - 1)] = _ABSENT
        sheet.rows.append([
            *_region_cells(r["region_code"]), _sector_name(sectors, str(r["sector"]), lang),
            _cell(r["in_register"]), _count(r["in_survey"]), _cell(r["in_attendance"]),
            _w("yes" if present else "no", lang)])
    return sheet


def _by_region(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop_duplicates("region_code").set_index("region_code")


def _get(table: pd.DataFrame, code: str, column: str) -> object:
    """One cell of a table indexed by region (None when the region or column is absent)."""
    return _cell(table.at[code, column]) if code in table.index and column in table.columns else None


def _index_sheet(data: SummaryData, lang: str) -> Sheet:
    spec = data.spec
    components = list(spec.components)
    columns = [*_region_columns(lang), (_h("index", lang), INDEX), (_h("index_low", lang), INDEX),
               (_h("index_upp", lang), INDEX), (_h("rank", lang), INTEGER),
               (_h("rank_low", lang), INTEGER), (_h("rank_upp", lang), INTEGER),
               *[(_h("pillar_index", lang, pillar=pillar_label(p, lang)), INDEX)
                 for p in spec.pillars],
               (_h("sens_p05", lang), INTEGER), (_h("sens_p95", lang), INTEGER)]
    for c in components:
        unit = spec.components[c].unit
        bounded = unit == "0–1"  # shares: shown as %
        columns.append((f"{component_label(c, lang)} ({'%' if bounded else unit})",
                        PERCENT if bounded else SCORE))
    columns.append((_h("missing", lang), None))
    sheet = _sheet("index", lang, columns)
    boot, pillars, sens = _by_region(data.index), _by_region(data.pillars), _by_region(data.sensitivity)
    comp = data.components.set_index(["region_code", "component"])["value"]
    for region in data.regions:
        code = region.code
        if 0 < data.respondents.get(code, MIN_CELL) < MIN_CELL:  # no index, rank or raw mean
            sheet.rows.append([*_region_cells(code), *[None] * (len(columns) - 3),
                               _w("suppressed", lang)])
            continue
        missing = ", ".join(component_label(c.strip(), lang) if c.strip() in spec.components
                            else c.strip() for c in str(_get(pillars, code, "missing") or "").split(",")
                            if c.strip())
        sheet.rows.append([
            *_region_cells(code),
            *[_get(boot, code, c) for c in ("index", "ci_low", "ci_upp", "rank", "rank_ci_low",
                                           "rank_ci_upp")],
            *[_get(pillars, code, p) for p in spec.pillars],
            _get(sens, code, "rank_p05"), _get(sens, code, "rank_p95"),
            *[_cell(comp.get((code, c), np.nan)) for c in components],
            missing or (None if code in boot.index else _w("not_computed", lang))])
    return sheet


def _weights_sheet(data: SummaryData, lang: str) -> Sheet:
    sheet = _sheet("weights", lang, [
        (_h("pillar", lang), None), (_h("component", lang), None), (_h("direction", lang), None),
        (_h("component_unit", lang), None), (_h("goal_low", lang), VALUE),
        (_h("goal_high", lang), VALUE), (_h("component_weight", lang), PERCENT),
        (_h("pillar_weight", lang), PERCENT), (_h("weight", lang), PERCENT)])
    for r in index_wording.weights_table(data.spec, lang).to_dict("records"):
        sheet.rows.append([
            r["pillar_label"], r["label"], _w(r["direction"], lang),
            data.spec.components[r["component"]].unit,
            *[_cell(r[c]) for c in ("goalpost_low", "goalpost_high", "component_weight",
                                    "pillar_weight", "weight")]])
    return sheet


def _network_sheet(data: SummaryData, lang: str) -> Sheet:
    sheet = _sheet("network", lang, [
        *_region_columns(lang), (_h("nodes", lang), INTEGER), (_h("edges", lang), INTEGER),
        (_h("density", lang), SCORE), (_h("centralisation", lang), SCORE),
        (_h("isolates", lang), INTEGER), (_h("components", lang), INTEGER),
        (_h("ratings", lang), INTEGER), (_h("trust", lang), PERCENT), (_h("value", lang), PERCENT),
        (_h("note", lang), None)])
    metrics = data.network
    metrics = (metrics.drop_duplicates("region_code").set_index("region_code")
               if "region_code" in metrics.columns else pd.DataFrame())
    for region in data.regions:
        code = region.code
        if code not in metrics.index:
            sheet.rows.append([*_region_cells(code), *[None] * 9, _w("no_network", lang)])
            continue
        m = metrics.loc[code]
        pct = lambda col, m=m: None if _cell(m.get(col)) is None else _cell(m[col]) / 100  # noqa: E731
        sheet.rows.append([
            *_region_cells(code),
            *[_cell(m.get(c)) for c in ("nodes", "edges", "density", "centralisation", "isolates",
                                        "components", "partner_ratings")],
            pct("partner_trust_pct"), pct("partner_value_pct"),
            None if m.get("edges") else _w("no_ties", lang)])
    return sheet


OVERALL = "_overall"  # the health score's rows in the wave results (mean of the dimensions)
_COMPARISONS = ("previous", "first")  # rows of each region: since the previous, then the first wave


def _alpha(lang: str) -> str:
    """The significance level that calls a change (1 - CI_LEVEL), as a number in ``lang``."""
    alpha = f"{1 - CI_LEVEL:.2g}"
    return alpha.replace(".", ",") if lang == "id" else alpha


def _multi_wave(data: SummaryData) -> bool:
    return len(data.waves) > 1


def _change_sheet(data: SummaryData, lang: str) -> Sheet:
    """Per region and dimension: the change since the previous (and the first) wave, its CI
    (panel-aware, :mod:`evalkit.measure.change`), p and Holm-adjusted p, whether it is
    called a change, and the respondents of each wave and of both."""
    scale = data.scale.range_text()
    sheet = _sheet("change", lang, [
        *_region_columns(lang), (_h("dimension", lang), None), (_h("comparison", lang), None),
        (_h("from_wave", lang), None), (_h("to_wave", lang), None),
        (_h("change", lang, scale=scale), SCORE), (_h("change_low", lang), SCORE),
        (_h("change_upp", lang), SCORE), (_h("p_value", lang), "0.000"),
        (_h("p_holm", lang), "0.000"), (_h("changed", lang, alpha=_alpha(lang)), None),
        (_h("change_direction", lang), None), (_h("n_from", lang), INTEGER),
        (_h("n_to", lang), INTEGER), (_h("n_both", lang), INTEGER), (_h("clusters", lang), INTEGER),
        (_h("note", lang), None)])
    blank = [None] * (len(sheet.headers) - 3)
    if not _multi_wave(data):
        for region in data.regions:
            sheet.rows.append([*_region_cells(region.code), *blank, _w("single_wave", lang)])
        return sheet
    dims = _labels(data.dimensions, "dimension", lang)
    order = {d: i for i, d in enumerate([OVERALL, *dims])}
    change = data.wave_change
    for region in data.regions:
        rows = change[change["region_code"] == region.code]
        if rows.empty:
            sheet.rows.append([*_region_cells(region.code), *blank, _w("no_survey", lang)])
            continue
        rows = rows.assign(_c=rows["comparison"].map({c: i for i, c in enumerate(_COMPARISONS)}),
                           _d=rows["dimension"].astype(str).map(order).fillna(len(order)))
        for r in rows.sort_values(["_c", "_d"], kind="stable").to_dict("records"):
            dimension = str(r["dimension"])
            hidden = bool(_cell(r["suppressed"]))
            reason = _text(r["reason"])
            stats = ([None] * 5 if hidden else
                     [_cell(r[c]) for c in ("estimate", "ci_low", "ci_upp", "p_value", "p_holm")])
            changed = _cell(r["changed"])
            direction = _text(r["direction"])
            note = None
            if hidden:
                note = _w(reason, lang) if reason and _is_word(reason) else _w("suppressed", lang)
            sheet.rows.append([
                *_region_cells(region.code),
                _w("overall", lang) if dimension == OVERALL else dims.get(dimension, dimension),
                _w(str(r["comparison"]), lang) if _is_word(str(r["comparison"])) else r["comparison"],
                _text(r["from_wave"]), _text(r["to_wave"]), *stats,
                None if hidden or changed is None else _w("yes" if changed else "no", lang),
                None if hidden or not direction or not changed else
                (_w(direction, lang) if _is_word(direction) else direction),
                _count(r["n_from"]), _count(r["n_to"]), _count(r["n_both"]), _cell(r["clusters"]),
                note])
    return sheet


def _index_waves_sheet(data: SummaryData, lang: str) -> Sheet:
    """The index of every region at every wave (computed on the data as of that wave), and on
    the latest wave's row the change since the previous wave with its interval."""
    sheet = _sheet("index_waves", lang, [
        *_region_columns(lang), (_h("wave", lang), None), (_h("wave_order", lang), INTEGER),
        (_h("index", lang), INDEX), (_h("index_low", lang), INDEX), (_h("index_upp", lang), INDEX),
        (_h("rank", lang), INTEGER), (_h("n_ranked", lang), INTEGER),
        (_h("index_change", lang), INDEX), (_h("index_change_low", lang), INDEX),
        (_h("index_change_upp", lang), INDEX), (_h("note", lang), None)])
    per_wave = data.wave_index
    if per_wave.empty:  # results from before waves: the current index is the one wave's
        label = str(data.waves["wave"].iat[-1]) if len(data.waves) else SINGLE_WAVE
        per_wave = data.index.assign(wave=label, order=1, n_ranked=data.index["rank"].notna().sum(),
                                     suppressed=False, reason=None)
    latest = str(data.waves["wave"].iat[-1]) if len(data.waves) else None
    changes = data.index_change.drop_duplicates("region_code").set_index("region_code")
    for region in data.regions:
        code = region.code
        rows = per_wave[per_wave["region_code"] == code].sort_values("order", kind="stable")
        if rows.empty:
            sheet.rows.append([*_region_cells(code), *[None] * 10, _w("not_computed", lang)])
            continue
        for r in rows.to_dict("records"):
            wave = str(r["wave"])
            hidden = bool(_cell(r["suppressed"])) or (
                wave == latest and 0 < data.respondents.get(code, MIN_CELL) < MIN_CELL)
            stats = ([None] * 4 if hidden else
                     [_cell(r[c]) for c in ("index", "ci_low", "ci_upp", "rank")])
            change = [None] * 3
            if (_multi_wave(data) and not hidden and wave == latest and code in changes.index
                    and str(changes.at[code, "to_wave"]) == wave):
                change = [_get(changes, code, c) for c in ("change", "ci_low", "ci_upp")]
            reason = _text(r["reason"])
            note = (_w("suppressed", lang) if hidden else
                    None if stats[0] is not None else
                    _w(reason, lang) if reason and _is_word(reason) else _w("not_computed", lang))
            sheet.rows.append([*_region_cells(code), wave, _cell(r["order"]), *stats,
                               _cell(r["n_ranked"]), *change, note])
    return sheet


def summary_sheets(data: SummaryData, lang: str = "id") -> list[Sheet]:
    """Every sheet of the workbook, in :data:`SHEETS` order, labelled in ``lang``."""
    check_lang(lang)
    builders = {"about": _about_sheet, "scores": _scores_sheet, "reliability": _reliability_sheet,
                "indicators": _indicators_sheet, "attendance": _attendance_sheet,
                "coverage": _coverage_sheet, "index": _index_sheet, "weights": _weights_sheet,
                "network": _network_sheet, "change": _change_sheet,
                "index_waves": _index_waves_sheet}
    return [builders[key](data, lang) for key in SHEETS]


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FFD9D9D9")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="top")
_WRAP = Alignment(wrap_text=True, vertical="top")
_MAX_WIDTH = 60
_MIN_WIDTH = 6
_HEADER_LINE = 16  # a header longer than this wraps onto more lines


def _argb(hex_colour: str) -> str:
    return "FF" + hex_colour.lstrip("#").upper()


def _shown(value: object, fmt: str | None) -> str:
    """Roughly the text Excel shows for a value, to size its column."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if fmt == PERCENT:
            return f"{value:.0%}"
        if fmt == INDEX:
            return f"{value:.1f}"
        if fmt in (SCORE, VALUE):
            return f"{value:,.2f}"
        return str(int(value)) if fmt == INTEGER else str(value)
    return str(value)


def _width(header: str, values: list[object], fmt: str | None) -> float:
    longest_word = max((len(w) for w in header.split()), default=0)
    head = max(min(len(header), _HEADER_LINE), longest_word)
    body = max((len(_shown(v, fmt)) for v in values), default=0)
    return float(min(max(head, body, _MIN_WIDTH) + 2, _MAX_WIDTH))


def _write_sheet(ws, sheet: Sheet) -> None:
    ws.title = sheet.name
    ws.append(sheet.headers)
    for row in sheet.rows:
        ws.append([_cell(v) for v in row])
    # Names and labels come from the user's files: none may become a live formula
    # ("=HYPERLINK(...)", "=cmd|..."); evalkit itself writes no formulas.
    for cells in ws.iter_rows():
        for cell in cells:
            protect_excel_cell(cell)
    n_rows, n_cols = len(sheet.rows) + 1, len(sheet.headers)
    for j in range(n_cols):
        letter = get_column_letter(j + 1)
        head = ws.cell(row=1, column=j + 1)
        head.font, head.fill, head.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
        values = [row[j] for row in sheet.rows]
        width = _width(sheet.headers[j], values, sheet.formats[j])
        ws.column_dimensions[letter].width = width
        fmt = sheet.formats[j]
        wrap = any(len(_shown(v, fmt)) > width - 2 for v in values)
        for i in range(2, n_rows + 1):
            cell = ws.cell(row=i, column=j + 1)
            if fmt is not None and isinstance(cell.value, (int, float)):
                cell.number_format = fmt
            if wrap:
                cell.alignment = _WRAP
    for (i, j), colour in sorted(sheet.fills.items()):
        cell = ws.cell(row=i + 2, column=j + 1)
        cell.fill = PatternFill("solid", fgColor=_argb(colour))
        if text_color_on(colour) == "#ffffff":  # the WCAG contrast, as the reports' cells
            cell.font = Font(color="FFFFFFFF")
    ws.freeze_panes = f"{get_column_letter(sheet.freeze_columns + 1)}2"
    ws.auto_filter.ref = f"A1:{get_column_letter(n_cols)}{n_rows}"


_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's epoch: no real date in the file


def _deterministic(xlsx: bytes) -> bytes:
    """The same workbook with no creation/modification date and fixed zip timestamps."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>", b"", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, data)
    return out.getvalue()


def workbook_bytes(sheets: list[Sheet], lang: str = "id") -> bytes:
    """The ``.xlsx`` file of ``sheets`` (deterministic bytes); ``lang`` of its title."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        _write_sheet(wb.create_sheet(), sheet)
    wb.properties.creator = f"evalkit {__version__}"
    wb.properties.title = text("xlsx_about_title_text", check_lang(lang))
    buffer = io.BytesIO()
    wb.save(buffer)
    return _deterministic(buffer.getvalue())


def write_summary(reports_dir: Path = REPORTS_DIR, processed_dir: Path = PROCESSED_DATA_DIR,
                  lang: str = "id", *, data: SummaryData | None = None,
                  filename: str = FILENAME) -> Path:
    """Write ``reports_dir/summary.xlsx``: the evaluation's tables for M&E officers.

    Parameters
    ----------
    reports_dir : Path
        Folder of the reports (created if missing).
    processed_dir : Path
        Processed data; the cross-region results are computed if missing or stale.
    lang : {"id", "en"}, default "id"
        Language of sheet names, headers and labels.
    data : SummaryData, optional
        Numbers already computed by :func:`summary_data` (to write both languages
        without computing twice); computed from ``processed_dir`` when omitted.
    filename : str, default ``"summary.xlsx"``
        File name inside ``reports_dir`` (e.g. ``"summary_en.xlsx"`` for a second language).

    Returns
    -------
    Path
        The workbook. It is written under a temporary name and renamed, so a reader
        never sees half a file; same inputs give the same bytes.
    """
    check_lang(lang)
    if data is None:
        data = summary_data(processed_dir)
    content = workbook_bytes(summary_sheets(data, lang), lang)
    path = Path(reports_dir) / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    from evalkit.core.lock import write_atomic  # a unique temporary name (mkstemp), then renamed

    return write_atomic(path, content)
