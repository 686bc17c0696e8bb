"""What a regional report shows: the notebook calls these and displays what they return.

:func:`load_region_report` does the reading; every other function turns the loaded
tables into a piece of the report (Markdown text, a table, a figure) in the chosen
language. Numbers in the text are always filled from the tables.
"""

from __future__ import annotations

import json
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from evalkit import __version__
from evalkit.analyse import findings, results
from evalkit.analyse import region_tables as analysis
from evalkit.analyse.choices import DEFAULT_CHOICES, AnalysisChoices
from evalkit.analyse.waves import COMPARISONS, OVERALL  # the health score's rows; comparisons
from evalkit.core.config import ALPHA_ACCEPTABLE, MIN_CELL, PROCESSED_DATA_DIR
from evalkit.core.contract import DEFAULT_SCALE, PENTAHELIX, Scale
from evalkit.core.domain import sector_labels
from evalkit.core.escape import MdSafe, html_text, md_filename, md_text, safe_table
from evalkit.measure import effectiveness, engagement, network
from evalkit.present import figures as plots
from evalkit.present import index_wording, report_inputs
from evalkit.present.colours import STATUS_COLORS, STATUS_TEXT_COLORS
from evalkit.present.i18n import (  # noqa: F401  (text re-exported for notebooks)
    TEXT,
    ReportLang,
    level_text,
    md,
    status_label,
    status_summary,
    text,
)
from evalkit.present.local_paths import published_path
from evalkit.present.wave_results import WAVE_RESULT_COLUMNS, wave_result
from evalkit.read import products
from evalkit.read.products import MANIFEST, manifest_digest, read_processed
from evalkit.read.regions import Region, get_region, resolve_region
from evalkit.read.waves import latest_wave


@dataclass
class RegionReport:
    """Everything one regional report needs, already computed."""

    region: Region
    lang: str
    respondents: int            # this region's respondents (a province: with its regencies')
    items: pd.DataFrame         # codebook items: dimension, reverse key, labels
    dimensions: pd.DataFrame    # codebook dimensions with labels
    sectors: pd.DataFrame       # codebook sectors with labels
    health: pd.DataFrame        # weighted dimension scores vs benchmark (one row per dimension)
    weighting: str              # how the scores were weighted, or why they could not be
    reliability: pd.DataFrame   # alpha (CI) and omega per dimension
    progress: pd.DataFrame      # indicator progress with metadata (one row per indicator)
    values: pd.DataFrame        # this region's annual indicator series
    breakdowns: pd.DataFrame    # this region's latest indicator values by sex (results)
    attribution: pd.DataFrame   # partnership effect per indicator, across all regions
    register: pd.DataFrame      # this region's stakeholder register
    ties: pd.DataFrame          # this region's collaboration ties
    results: dict               # cross-region results (evalkit.analyse.results), this region's rows
    n_excluded: int             # survey submissions excluded, all regions (of excluded_wave)
    manifest: dict
    figures: dict = field(default_factory=dict)  # figures it has: (figure, part) -> order drawn
    tables: int = 0
    scale: Scale = DEFAULT_SCALE  # the form's answer scale (scale.parquet)
    absent: dict = field(default_factory=dict)  # optional input -> "missing" / "empty"
    languages: tuple = ("id", "en")  # languages the form has labels in
    weighting_problem: tuple = ("", [])  # analysis.weighting_problem: why not weighted
    results_code: str = ""      # code digest the results were computed with (their stamp)
    respondent_sectors: int = 0  # sectors the respondents come from
    # several waves: n_excluded counts the latest wave's (excluded_submissions), these
    # are that wave, its rows' quarantine reasons and the rows of no readable wave
    excluded_wave: str = ""  # "": one wave, n_excluded counts every excluded submission
    excluded_reasons: tuple | None = None  # None: the manifest's survey reasons
    n_no_wave: int = 0
    choices: AnalysisChoices = DEFAULT_CHOICES  # the analysis choices its results were made with


# Cross-region results filtered to the report's region (the rest are kept whole).
_REGION_RESULTS = ("sector_tests", "sector_pairs", "shrinkage", "attendance_sector",
                   "attendance_time", "attendance_trend", "coverage", "index", "index_pillars",
                   "index_sensitivity", "index_components", "network_metrics", "network_central",
                   "network_sectors", "partner_scores", *results.REGION_TABLES)
_ALL_RESULTS = ("benchmark", "attribution", "sector_model", "shrinkage_fit", "index")


def load_region_report(region: str, lang: str = "id",
                       processed_dir: Path | str | None = None, *,
                       choices: AnalysisChoices | None = None) -> RegionReport:
    """Read the results and the processed tables the report draws; select one region's rows.

    Every number the report shows was computed by the results stage (``evalkit run``:
    :func:`evalkit.run.stages.ensure_results`, before any report; a missing table names
    that command); the processed tables read here are labels and the rows the figures
    draw (the register, the ties, the annual indicator series).

    ``choices`` (:class:`evalkit.analyse.choices.AnalysisChoices`; None: the defaults)
    select the results made with those analysis choices (their own folder,
    ``results/choices-<digest>/``: :func:`evalkit.run.stages.ensure_choices` computes them
    when they are missing). The report's wording states their confidence level
    (:class:`evalkit.present.i18n.ReportLang`) and its provenance table records them.
    """
    processed = Path(processed_dir) if processed_dir else PROCESSED_DATA_DIR
    choices = choices or DEFAULT_CHOICES
    sub = choices.folder
    lang = ReportLang(lang, choices.ci_level) if not choices.is_default else lang
    reg = resolve_region(region)
    scale = products.read_scale(processed)
    items = products.with_language_fallback(read_processed("items", processed), "label", "item")
    # the latest wave's register and ties: the wave every current result describes
    register = analysis.in_region(products.read_latest("stakeholders", processed), reg)
    saved = {name: products.read_result(name, processed, subfolder=sub) for name in
             dict.fromkeys(_REGION_RESULTS + _ALL_RESULTS)}
    mine = {name: saved[name][saved[name]["region_code"] == reg.code].drop(columns="region_code")
            for name in _REGION_RESULTS if "region_code" in saved[name].columns}
    mine |= {f"all_{name}": saved[name] for name in _ALL_RESULTS}
    mine |= wave_results(processed, reg.code, sub)  # the change section's (empty before waves)
    weighting = mine["region_weighting"]
    counted = mine["respondents"]
    progress = products.with_language_fallback(
        products.read_result("progress", processed, subfolder=sub), "name", "indicator_id")
    annual = read_processed("indicator_annual", processed)
    quarantine = read_processed("quarantine", processed)
    manifest = json.loads((processed / MANIFEST).read_text(encoding="utf-8"))
    return RegionReport(
        region=reg, lang=lang, respondents=int(counted["respondents"].sum()), items=items,
        dimensions=products.with_language_fallback(read_processed("dimensions", processed),
                                                        "label", "dimension"),
        sectors=products.read_sectors(processed), health=mine["region_health"],
        weighting=str(weighting["note"].iat[0]) if len(weighting) else "",
        reliability=mine["reliability"],
        progress=progress[progress["region_code"] == reg.code].reset_index(drop=True),
        values=annual[annual["region_code"] == reg.code],
        breakdowns=mine["indicator_breakdowns"],
        attribution=saved["attribution"], register=register,
        ties=analysis.in_region(products.read_latest("ties", processed), reg),
        results=mine, **excluded_submissions(quarantine, products.read_waves(processed)),
        manifest=manifest,
        scale=scale, absent=report_inputs.absent_inputs(manifest),
        languages=report_inputs.form_languages(manifest),
        weighting_problem=((str(weighting["problem"].iat[0]),
                            [s for s in str(weighting["sectors"].iat[0]).split(", ") if s])
                           if len(weighting) else ("", [])),
        results_code=products.read_results_stamp(processed, subfolder=sub).get("code", ""),
        respondent_sectors=int(counted["sectors"].sum()), choices=choices)


#: The regional report's figures in the order the notebook shows them, each with the
#: caption keys it may be drawn with: :func:`figure` numbers a figure by its place here
#: (:func:`evalkit.present.figures.figure_number`), not by the order of calls.
FIGURE_ORDER: dict[str, tuple[str, ...]] = {
    "fig_power_interest": ("fig_power_interest",),
    "fig_health": ("fig_health",),
    "fig_likert": ("fig_likert", "fig_likert_even"),
    "fig_attendance": ("fig_attendance",),
    "fig_network": ("fig_network",),
    "fig_outcomes": ("fig_outcomes",),
    "fig_index": ("fig_index", "fig_index_near"),
    "fig_change": ("fig_change", "fig_change_suppressed"),
}


def figure(fig, key: str, rep: RegionReport, *, part: int = 0, **values):
    """A figure with its numbered caption and alt text ("Gambar 3. ..."), or None.

    The number is the figure's place among the figures this report has, in the order
    of :data:`FIGURE_ORDER` (:func:`evalkit.present.figures.figure_number`): the same
    when a cell is run again in JupyterLab, and without gaps when a section has no
    figure. ``part`` numbers the figures of one key drawn several times in turn.
    """
    from IPython.display import HTML

    if fig is None:
        return None
    n = plots.figure_number(rep.figures, FIGURE_ORDER, key, part)
    return HTML(plots.figure_html(fig, text("figure", rep.lang, n=n),
                                  text(key, rep.lang, **values)))


def _sector_label(rep: RegionReport):
    """Sector code -> its form label in the report language (the other language, then the
    code, when blank); ``unknown`` (an organisation not in the register) is named so."""
    labels = sector_labels(rep.sectors, rep.lang, unknown=text("unregistered", rep.lang))
    return lambda key: labels.get(key, key)


def absent_text(rep: RegionReport, *tables: str) -> str | None:
    """One sentence naming the raw file that would fill a section whose input is missing or
    header-only (the first of ``tables`` that is), or None when all of them have data."""
    for table in tables:
        state = rep.absent.get(table)
        if state is None:
            continue
        file = md_filename(report_inputs.input_file(table))
        if table == "indicator_targets" and state == "missing":
            return md("input_targets_missing", rep.lang, file=file)
        return md(f"input_{state}", rep.lang, what=md(f"what_{table}", rep.lang), file=file)
    return None


def _small_region(rep: RegionReport) -> bool:
    """Fewer than MIN_CELL respondents: no raw mean anywhere, no index rank."""
    return rep.respondents < MIN_CELL


def _sectors_arg(fn, rep: RegionReport) -> dict:
    """``{"sectors": rep.sectors}`` for a figure function that takes the programme's sectors
    (their order and :func:`evalkit.present.colours.sector_palette` colours), else nothing."""
    import inspect

    try:
        takes = "sectors" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        takes = False
    return {"sectors": rep.sectors} if takes else {}


def _as_figure(axes):
    """Helpers of some modules return Axes; reports display Figures."""
    return None if axes is None else getattr(axes, "figure", axes)


# --- pieces of the report --------------------------------------------------------

def title(rep: RegionReport) -> str:
    kind = md(f"kind_{rep.region.type}", rep.lang)
    out = (f"# {md('title', rep.lang, region=rep.region.name)}\n\n"
           f"{md('subtitle', rep.lang, code=rep.region.code, kind=kind)}")
    note = language_note(rep)
    return out + ("\n\n" + note if note else "")


def language_note(rep: RegionReport) -> str:
    """The one note of a report whose language the form has no labels in ("" otherwise)."""
    if rep.lang in rep.languages or not rep.languages:
        return ""
    shown = rep.languages[0]
    return md("form_language_note", rep.lang, language=md(f"language_{shown}", rep.lang))


# The report's sections in order: their headings are the table of contents.
SECTIONS = ("h_data", "h_coverage", "h_health", "h_reliability", "h_sectors", "h_engagement",
            "h_outcomes", "h_index", "h_change", "h_findings", "h_method", "h_provenance")


def heading(key: str, rep: RegionReport):
    """A section heading with a stable anchor (``#h_data``) the table of contents links to."""
    from IPython.display import HTML

    level = 3 if key == "h_reliability" else 2
    return HTML(f'<h{level} id="{html_text(key)}">{html_text(text(key, rep.lang))}</h{level}>')


def toc(rep: RegionReport):
    """The table of contents: a linked list of the sections."""
    from IPython.display import HTML

    items = "".join(f'<li><a href="#{html_text(key)}">{html_text(text(key, rep.lang))}</a></li>'
                    for key in SECTIONS)
    toc_label = html_text(text("toc", rep.lang))
    return HTML(f'<nav aria-label="{toc_label}"><b>{toc_label}</b>'
                f'<ul style="columns:2;margin-top:0.3em">{items}</ul></nav>')


def excluded_submissions(quarantine: pd.DataFrame, waves: pd.DataFrame) -> dict:
    """The survey submissions the report says were excluded, across all regions
    (:class:`RegionReport` fields).

    With declared waves (one or more), those of the latest wave (the wave the report
    describes; the quarantine's ``wave`` column): ``n_excluded``, ``excluded_wave`` and their reasons
    (``excluded_reasons``), and apart those of no readable wave (``n_no_wave``: quarantined
    as ``no_wave``, of no wave's report). A project without waves, or a quarantine from
    before the ``wave`` column: every excluded submission (``n_excluded`` alone).
    """
    survey = quarantine[quarantine["table"] == "survey"]
    # one declared wave (the first wave's archive, a programme's first round) is still a
    # wave; only a project without waves ("single") counts every exclusion
    declared = len(waves) >= 2 or (len(waves) == 1 and "source" in waves.columns
                                   and str(waves["source"].iat[0]) != "single")
    if not declared or "wave" not in survey.columns:
        return {"n_excluded": int(len(survey))}
    latest = latest_wave(waves)
    wave = survey["wave"].astype("str")
    mine = survey[wave.eq(latest).fillna(False).to_numpy(dtype=bool)]
    return {"n_excluded": int(len(mine)), "excluded_wave": str(latest),
            "excluded_reasons": tuple(dict.fromkeys(mine["reason"].astype(str))),
            "n_no_wave": int(wave.isna().sum())}


def data_text(rep: RegionReport) -> str:
    if not rep.respondents:
        return md("data_none", rep.lang)
    province = md("province_note", rep.lang) + " " if rep.region.level == 1 else ""
    small = (" " + md("region_too_small", rep.lang, min_cell=MIN_CELL)
             if _small_region(rep) else "")
    return (md("data_summary_wave" if rep.excluded_wave else "data_summary", rep.lang,
               n_valid=rep.respondents, n_sectors=rep.respondent_sectors,
               n_excluded=rep.n_excluded, reasons=exclusion_reasons(rep), wave=rep.excluded_wave)
            + (" " + md("data_no_wave", rep.lang, n=rep.n_no_wave) if rep.n_no_wave else "")
            + "\n\n" + province + md("suppressed_note", rep.lang, min_cell=MIN_CELL) + small)


# Quarantine reasons of survey rows, in the order the data text names them, and the i18n
# word of each (both duplicate reasons are "duplicates").
_REASON_WORDS = {"not_approved": "reason_not_approved", "no_consent": "reason_no_consent",
                 "test_submission": "reason_test_submission", "duplicate_uuid": "reason_duplicate",
                 "duplicate_respondent": "reason_duplicate", "speeder": "reason_speeder",
                 "straight_lining": "reason_straight_lining",
                 "too_many_missing": "reason_too_many_missing", "no_wave": "reason_no_wave"}
# Named when the manifest does not say (an older processed folder): evalkit's quality checks.
_DEFAULT_REASONS = ("test_submission", "duplicate_uuid", "speeder", "straight_lining",
                    "too_many_missing")


def exclusion_reasons(rep: RegionReport) -> str:
    """Why survey submissions were excluded, as words: the reasons the quarantine holds
    (of the latest wave: :func:`excluded_submissions`)."""
    by_reason = rep.manifest.get("quarantine_by_reason")
    if rep.excluded_reasons is not None:
        found = list(rep.excluded_reasons)
    elif by_reason is None:
        found = list(_DEFAULT_REASONS)
    else:
        found = [key.split(": ", 1)[1] for key, n in by_reason.items()
                 if key.startswith("survey: ") and n]
    keys = [k for r, k in _REASON_WORDS.items() if r in found]
    if any(r not in _REASON_WORDS for r in found):
        keys.append("reason_other")
    words = [md(k, rep.lang) for k in dict.fromkeys(keys)]
    if len(words) <= 1:
        return MdSafe("".join(words) or "—")
    key = "reasons_or" if len(words) > 2 else "reasons_or_two"
    # evalkit's own words: joined, they are still evalkit's Markdown
    return md(key, rep.lang, head=MdSafe(", ".join(words[:-1])), last=words[-1])


def sector_table(rep: RegionReport) -> pd.DataFrame | None:
    """Respondents by sector (small cells suppressed), labelled in the report language;
    None for a region with too few respondents (the data text says so, with its n)."""
    if _small_region(rep):
        return None
    counts = rep.results["sector_counts"]
    labels = rep.sectors.set_index("sector")[f"label_{rep.lang}"]
    return pd.DataFrame({text("col_sector", rep.lang): counts["sector"].map(labels).to_numpy(),
                         text("col_n", rep.lang): counts["n_display"].to_numpy()})


def _dimension_labels(rep: RegionReport) -> pd.Series:
    dims = products.with_language_fallback(rep.dimensions, "label", "dimension")
    return dims.set_index("dimension")[f"label_{rep.lang}"]


def weighting_text(rep: RegionReport) -> str:
    """How the scores were weighted, or why they could not be, in the report language."""
    if rep.weighting == analysis.POSTSTRATIFIED:
        return md("weighted_note", rep.lang)
    problem, sectors = rep.weighting_problem
    if problem:
        name = _sector_label(rep)
        reason = md(f"weighting_{problem}", rep.lang,
                    sectors=", ".join(name(s) for s in sectors))
    else:  # a note from elsewhere: shown only in the language it is written in
        reason = rep.weighting if rep.lang == "en" else md("attr_reason_other", rep.lang)
    return md("unweighted_note", rep.lang, reason=reason)


def health_text(rep: RegionReport) -> str:
    shown = rep.health[~rep.health["suppressed"]]
    if shown.empty or _small_region(rep):
        return md("health_too_small", rep.lang, min_cell=MIN_CELL)
    labels = _dimension_labels(rep)
    best, weakest = shown.loc[shown["estimate"].idxmax()], shown.loc[shown["estimate"].idxmin()]
    counts = shown["vs_benchmark"].value_counts()
    how = weighting_text(rep)
    return md("health_summary", rep.lang, scale=rep.scale.range_text(),
              best=labels[best["dimension"]],
              best_score=best["estimate"], weakest=labels[weakest["dimension"]],
              weak_score=weakest["estimate"], n_above=int(counts.get("above", 0)),
              n_below=int(counts.get("below", 0)),
              n_similar=int(counts.get("similar", 0))) + "\n\n" + how


def health_table(rep: RegionReport) -> pd.DataFrame | None:
    """Scores per dimension with CI, unweighted mean, n and benchmark; None for a region
    with too few respondents (:func:`health_text` says so)."""
    if _small_region(rep):
        return None
    labels, lang = _dimension_labels(rep), rep.lang
    h = rep.health
    return pd.DataFrame({
        text("col_dimension", lang): h["dimension"].astype(str).map(labels).to_numpy(),
        text("col_score", lang, scale=rep.scale.range_text()): [_num(v) for v in h["estimate"]],
        text("col_ci", lang): [_interval(lo, hi) for lo, hi in zip(h["ci_low"], h["ci_upp"])],
        text("col_unweighted", lang): [_num(v) for v in h["unweighted"]],
        text("col_n", lang): [_count(n) for n in h["nobs"]],
        text("col_benchmark", lang): [_num(v) for v in h["benchmark"]],
    })


def _projection(value: float, low: float, high: float, unit: str) -> str:
    """A linear projection as text; percentages are capped to 0-100 (a straight line is not)."""
    if pd.isna(value):
        return "—"
    if unit == "%":
        value, low, high = (min(max(v, 0.0), 100.0) for v in (value, low, high))
    return f"{value:.3g} ({low:.3g}–{high:.3g})"


def _interval(low: float, high: float) -> str:
    """A confidence interval as text ("—" when missing or suppressed)."""
    return "—" if pd.isna(low) else f"{low:.2f}–{high:.2f}"


def _num(value: float, digits: int = 2) -> str:
    """A table number as text ("—" when missing or suppressed)."""
    return "—" if pd.isna(value) else f"{value:.{digits}f}"


def reliability_text(rep: RegionReport) -> str:
    r = rep.reliability.dropna(subset=["alpha"])
    if r.empty:
        return md("reliability_too_small", rep.lang, min_cell=MIN_CELL)
    labels = _dimension_labels(rep)
    low = r[r["alpha"] < ALPHA_ACCEPTABLE]
    names = ", ".join(labels[d] for d in low["dimension"]) or "—"
    return md("reliability_summary", rep.lang, n_ok=len(r) - len(low), n=len(r),
              threshold=ALPHA_ACCEPTABLE, low=names,
              items=_count_range((low if len(low) else r)["k"]))


def _count_range(counts) -> str:
    """``"3"`` or ``"3–5"``: the item counts of some scales, as text."""
    counts = [int(k) for k in pd.Series(counts).dropna()]
    if not counts:
        return "—"
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}\u2013{high}"


def reliability_table(rep: RegionReport) -> pd.DataFrame | None:
    """Alpha (CI) and omega per dimension; None for a region with too few respondents
    (:func:`reliability_text` says so)."""
    if _small_region(rep):
        return None
    labels, lang, r = _dimension_labels(rep), rep.lang, rep.reliability
    return pd.DataFrame({
        text("col_dimension", lang): r["dimension"].map(labels).to_numpy(),
        text("col_items", lang): r["k"].to_numpy(),
        text("col_n", lang): [_count(n) for n in r["n"]],
        "α": [_num(v) for v in r["alpha"]],
        text("col_ci", lang): [_interval(lo, hi) for lo, hi in zip(r["alpha_ci_low"], r["alpha_ci_upp"])],
        "ω": [_num(v) for v in r["omega"]],
    })


def health_figure(rep: RegionReport):
    shown = rep.health[~rep.health["suppressed"]]
    if shown.empty or _small_region(rep):
        return None
    table = shown.assign(label=shown["dimension"].astype(str).map(_dimension_labels(rep)))
    return plots.dimension_profile(table, region_label=text("legend_region", rep.lang),
                                   benchmark_label=text("col_benchmark", rep.lang),
                                   xlabel=text("col_score", rep.lang, scale=rep.scale.range_text()),
                                   xlim=(rep.scale.min, rep.scale.max))


def outcome_text(rep: RegionReport) -> str:
    p = rep.progress
    if p.empty:
        return (absent_text(rep, "indicators", "indicator_targets")
                or md("outcome_none", rep.lang))
    counts = p["summary"].value_counts()
    lines = [md("outcome_summary", rep.lang, n=len(p), achieved=int(counts.get("achieved", 0)),
                on_track=int(counts.get("on_track", 0)),
                attention=int(len(p) - counts.get("achieved", 0) - counts.get("on_track", 0)))]
    for _, row in p[~p["summary"].isin(["achieved", "on_track"])].iterrows():
        lines.append(md("outcome_attention", rep.lang, name=row[f"name_{rep.lang}"],
                        status=status_label(row["status"], rep.lang).lower(),
                        latest=row["latest_value"], unit=row["unit"],
                        latest_year=int(row["latest_year"]), target=row["target_value"],
                        target_year=int(row["target_year"])))
    return "\n\n".join(lines[:1]) + ("\n\n" + "\n".join(lines[1:]) if len(lines) > 1 else "")


def outcome_table(rep: RegionReport):
    """Status table, one row per indicator, status cells coloured (a pandas Styler); None
    without indicators."""
    p, lang = rep.progress, rep.lang
    if p.empty:
        return None
    t = pd.DataFrame({
        text("col_indicator", lang): p[f"name_{lang}"],
        text("col_sdg", lang): [_text_cell(v) for v in p["sdg_code"]],
        text("col_baseline", lang): [f"{v:g} ({int(y)})"
                                     for v, y in zip(p["baseline_value"], p["baseline_year"])],
        text("col_latest", lang): [f"{v:g} ({int(y)})" for v, y in zip(p["latest_value"], p["latest_year"])],
        text("col_target", lang): [f"{v:g} ({int(y)})" for v, y in zip(p["target_value"], p["target_year"])],
        text("col_achievement", lang): [f"{a:.0%}" if pd.notna(a) else "—" for a in p["achievement"]],
        text("col_projection", lang): [
            _projection(v, lo, hi, unit) for v, lo, hi, unit in
            zip(p["projection"], p["projection_pi_low"], p["projection_pi_upp"], p["unit"])],
        text("col_status", lang): [status_label(s, lang) for s in p["status"]],
        text("col_summary", lang): [status_summary(s, lang) for s in p["status"]],
    })
    # the status is the cell's text; the colour only repeats it, its text colour chosen
    # for >= 4.5:1 contrast (WCAG 2.1 AA)
    colours = dict(zip(t[text("col_status", lang)],
                       (f"background-color: {STATUS_COLORS[s]}; color: {STATUS_TEXT_COLORS[s]}"
                        for s in p["status"])))
    return (t.style.hide(axis="index")
            .map(lambda v: colours.get(v, ""), subset=[text("col_status", lang)]))


def outcome_figure(rep: RegionReport):
    if rep.progress.empty:
        return None
    return plots.indicator_trends(rep.values, rep.progress, name_column=f"name_{rep.lang}",
                                  value_label=text("col_value", rep.lang),
                                  target_label=text("col_target", rep.lang))


def attribution_text(rep: RegionReport) -> str:
    a = rep.attribution
    absent = absent_text(rep, "indicators", "partnerships")
    if absent:
        return absent
    ok = a[a["supported"].astype(bool)] if len(a) else a
    if ok.empty:
        reason = (_attribution_reason(a.iloc[0], rep.lang) if len(a)
                  else text("attr_reason_other", rep.lang))
        return md("attribution_none", rep.lang, reason=reason)
    pre_ok = ok[ok["pretrend_pvalue"] > 0.05]
    return md("attribution_summary", rep.lang, n_treated=int(ok["n_treated"].max()),
              n_control=int(ok["n_control"].max()), n_ok=len(pre_ok), n=len(ok))


def attribution_table(rep: RegionReport) -> pd.DataFrame | None:
    lang, a = rep.lang, rep.attribution
    if a.empty or absent_text(rep, "indicators", "partnerships"):
        return None
    names = rep.progress.set_index("indicator_id")[f"name_{lang}"] if len(rep.progress) else {}
    return pd.DataFrame({
        text("col_indicator", lang): [names.get(i, i) for i in a["indicator_id"]],
        text("col_effect", lang): [_num(v) for v in a["estimate"]],  # NaN when not supported
        text("col_ci", lang): [_interval(lo, hi) for lo, hi in zip(a["ci_low"], a["ci_upp"])],
        text("col_pretrend", lang): [_num(v, 3) for v in a["pretrend_pvalue"]],
        text("col_note", lang): [_attribution_reason(r, lang) for _, r in a.iterrows()],
    })


def _attribution_reason(row: pd.Series, lang: str) -> str:
    """Why an attribution row has no estimate, in the report language; ``""`` when it has one.

    ``row["reason"]`` is a code of :data:`evalkit.measure.attribution.UNSUPPORTED_REASONS`
    (the results stage keeps codes; the wording is i18n's ``attr_reason_<code>``).
    """
    code = row.get("reason")
    if code is None or (not isinstance(code, str) and pd.isna(code)) or not code:
        return ""
    key = f"attr_reason_{code}" if f"attr_reason_{code}" in TEXT else "attr_reason_other"
    return text(key, lang, n=int(row["n_control" if code == "few_control" else "n_treated"]))


def _text_cell(value: object) -> str:
    """A text cell: blank (never "nan") when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    value = str(value).strip()
    return "" if value.lower() in {"nan", "none", "<na>"} else value


def show(*parts) -> None:
    """Display report pieces in order: Markdown strings, tables/Stylers, figures.

    Strings are Markdown written by this module (:func:`evalkit.present.i18n.md`: values from
    the user's files already escaped); tables and Stylers are shown with every cell and
    label HTML-escaped (:func:`evalkit.core.escape.safe_table`: a Styler does not escape by
    itself). Figures are closed after display so the notebook shows each exactly once.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display
    from pandas.io.formats.style import Styler

    for part in parts:
        if part is None:
            continue
        if isinstance(part, str):
            display(Markdown(part))
        elif isinstance(part, plt.Figure):
            display(part)
            plt.close(part)
        elif isinstance(part, pd.DataFrame):
            display(safe_table(part.style.hide(axis="index")))
        elif isinstance(part, Styler):
            display(safe_table(part))
        else:
            display(part)


def input_list(manifest: dict) -> MdSafe:
    """The manifest's input files with the start of their hashes, as Markdown.

    A file name is shown as code only when it is a plain name (letters, digits, ``._-/``):
    inside a code span Markdown escapes do not apply, so any other name is escaped text.
    """
    def name(file: str) -> str:
        plain = md_filename(file)
        return f"`{plain}`" if plain == file else plain

    return MdSafe(", ".join(f"{name(str(file))} {md_text(str(meta['sha256'])[:12])}"
                            for file, meta in manifest["inputs"].items()))


def method_text(rep: RegionReport) -> str:
    inputs = input_list(rep.manifest)
    digest = manifest_digest(rep.manifest)
    return (md("method", rep.lang) + "\n\n" + md("method_more", rep.lang) + "\n\n"
            + md("provenance", rep.lang, version=__version__, manifest=digest, inputs=inputs))


# --- stakeholder coverage ------------------------------------------------------------

def _identity_sectors(rep: RegionReport) -> bool:
    """The form's sectors are the five pentahelix categories themselves (as in the demo)."""
    sectors = rep.sectors
    return (set(sectors["sector"]) <= set(PENTAHELIX)
            and all(s == c for s, c in zip(sectors["sector"], sectors["pentahelix"])))


def _category_label(rep: RegionReport, key: str) -> str:
    """A pentahelix category in the report language: the form's label of the sector with that
    code when the form has one (it then is the category), else evalkit's word for it."""
    sectors = rep.sectors.set_index("sector")
    if key in sectors.index and sectors.at[key, "pentahelix"] == key:
        return str(sectors.at[key, f"label_{rep.lang}"])
    if key in PENTAHELIX:
        return text(f"pentahelix_{key}", rep.lang)
    return _sector_label(rep)(key)


def _mapped_sectors(rep: RegionReport, category: str) -> list[str]:
    """Labels of the form's sectors mapped to a pentahelix category, in form order."""
    name = _sector_label(rep)
    return [name(s) for s, c in zip(rep.sectors["sector"], rep.sectors["pentahelix"])
            if c == category]


def _outside_groups(rep: RegionReport) -> list[str]:
    """The form's own stakeholder groups outside the five categories (sector codes)."""
    return [s for s, c in zip(rep.sectors["sector"], rep.sectors["pentahelix"])
            if not c and s not in PENTAHELIX]


def _coverage(rep: RegionReport) -> pd.DataFrame:
    """This region's coverage rows, keyed by ``sector``: a pentahelix category key for the
    five category rows, a sector code for the rows of groups outside them."""
    cov = rep.results["coverage"]
    if "sector" not in cov.columns and "category" in cov.columns:
        cov = cov.rename(columns={"category": "sector"})
    return cov


def coverage_text(rep: RegionReport) -> str:
    absent = absent_text(rep, "stakeholders")
    if absent:
        return absent
    cov = _coverage(rep)
    categories = cov[cov["sector"].isin(PENTAHELIX)]
    missing = [_category_label(rep, x) for x in engagement.missing_sectors(cov)]
    missing_text = (md("coverage_missing", rep.lang, sectors=", ".join(missing)) if missing
                    else md("coverage_complete", rep.lang))
    out = md("coverage_summary", rep.lang, n_orgs=int(cov["in_register"].sum()),
             n_present=int(categories["present"].astype(bool).sum()), missing_text=missing_text)
    outside = _outside_groups(rep)
    if outside:
        name = _sector_label(rep)
        out += " " + md("coverage_outside", rep.lang, groups=", ".join(name(s) for s in outside))
    return out


def coverage_table(rep: RegionReport) -> pd.DataFrame | None:
    """Register, respondents and attendance per pentahelix category (small cells
    suppressed); the form's sectors beside each category, and its groups outside the five
    listed below them, when the form's sectors are not the five categories themselves."""
    if absent_text(rep, "stakeholders"):
        return None
    cov, lang = _coverage(rep), rep.lang
    identity = _identity_sectors(rep)
    name = _sector_label(rep)
    first = [(_category_label(rep, x) if x in PENTAHELIX else
              (name(x) if identity else text("outside_pentahelix", lang))) for x in cov["sector"]]
    table = {text("col_sector" if identity else "col_category", lang): first}
    if not identity:
        table[text("col_form_sectors", lang)] = [
            ", ".join(_mapped_sectors(rep, x)) or "—" if x in PENTAHELIX else name(x)
            for x in cov["sector"]]
    table |= {
        text("col_register", lang): cov["in_register"].to_numpy(),
        text("col_n", lang): [_count(n) for n in cov["in_survey"]],
        text("col_attending", lang): cov["in_attendance"].to_numpy(),
        text("col_present", lang): ["✓" if p else "✗" for p in cov["present"]],
    }
    return pd.DataFrame(table)


def _count(n) -> str:
    """A respondent count for publication: groups under MIN_CELL are shown as '<5'."""
    if pd.isna(n):
        return "—"
    return f"<{MIN_CELL}" if 0 < int(n) < MIN_CELL else str(int(n))


def power_interest_figure(rep: RegionReport):
    if rep.register.empty:
        return None
    labels = sector_labels(rep.sectors, rep.lang)
    return _as_figure(plots.power_interest_figure(rep.register, labels=labels, lang=rep.lang,
                                                  **_sectors_arg(plots.power_interest_figure, rep)))


# --- partial pooling (regions compared fairly) ------------------------------------------

def shrinkage_text(rep: RegionReport) -> str:
    row, fit = rep.results["shrinkage"], rep.results["all_shrinkage_fit"]
    if row.empty or fit.empty:
        return ""
    r, f = row.iloc[0], fit.iloc[0]
    if int(f["n_regions"]) < 2:  # a programme of one region: nothing was pooled
        return ""
    if _small_region(rep) or int(r["n"]) < MIN_CELL:
        # No mean at all: with the shrinkage weight and the grand mean (both published
        # with the model) the shrunken mean gives the raw mean back. health_text has
        # already said the region has too few respondents.
        return ""
    return md("shrinkage_text", rep.lang, shrunken=r["shrunken"], low=r["shrunken_ci_low"],
              high=r["shrunken_ci_upp"], raw=r["raw_mean"], n=int(r["n"]),
              weight=r["shrinkage_weight"], icc=f["icc"])


# --- who is less enthusiastic ---------------------------------------------------------------

def sectors_text(rep: RegionReport) -> str:
    name, lang = _sector_label(rep), rep.lang
    parts = []
    model = rep.results["all_sector_model"]
    overall = model[(model["dimension"] == "overall") & model["estimate"].notna()]
    if len(overall):
        low = overall.loc[overall["estimate"].idxmin()]
        parts.append(md("sectors_pooled", lang, reference=name(low["reference"]),
                        sector=name(low["sector"]), estimate=low["estimate"],
                        low=low["ci_low"], high=low["ci_upp"]))
    tests, pairs = rep.results["sector_tests"], rep.results["sector_pairs"]
    tested = tests.dropna(subset=["pvalue"])
    if tested.empty:
        parts.append(md("sectors_untestable", lang, min_cell=MIN_CELL))
    else:
        small = sorted({g.strip() for gs in tests["groups_too_small"] for g in str(gs).split(",")
                        if g.strip()})
        groups = sorted({g.strip() for gs in tested["groups_tested"] for g in gs.split(",")})
        small = [g for g in small if g not in groups]  # too small on some dimensions only
        parts.append(md(
            "sectors_region", lang, tested=", ".join(name(g) for g in groups),
            n_sig=int((tested["pvalue"] < 0.05).sum()), n_dim=len(tested),
            n_pairs=int(pairs["significant"].sum()) if len(pairs) else 0,
            small_text=md("sectors_small", lang, min_cell=MIN_CELL,
                          sectors=", ".join(name(g) for g in small)) if small else ""))
    return "\n\n".join(parts)


def sectors_table(rep: RegionReport) -> pd.DataFrame | None:
    """Kruskal-Wallis per dimension with epsilon-squared and its bootstrap CI."""
    tests, lang, name = rep.results["sector_tests"], rep.lang, _sector_label(rep)
    tests = tests.dropna(subset=["pvalue"])
    if tests.empty:
        return None
    labels = _dimension_labels(rep)
    return pd.DataFrame({
        text("col_dimension", lang): tests["dimension"].map(labels).to_numpy(),
        "H": [_num(v) for v in tests["H"]],
        text("col_p", lang): [_p(v) for v in tests["pvalue"]],
        f"{text('col_effect_size', lang)} (ε²)": [_num(v) for v in tests["epsilon_squared"]],
        text("col_ci", lang): [_interval(lo, hi) for lo, hi in zip(tests["eps_ci_low"], tests["eps_ci_upp"])],
        text("col_groups", lang): [", ".join(name(g.strip()) for g in gs.split(","))
                                   for gs in tests["groups_tested"]],
    })


def pairs_table(rep: RegionReport) -> pd.DataFrame | None:
    """Pairs of sectors that differ after Holm correction, with Hedges' g and its CI."""
    pairs, lang, name = rep.results["sector_pairs"], rep.lang, _sector_label(rep)
    if "significant" not in pairs.columns:  # no region with two sectors large enough
        return None
    pairs = pairs[pairs["significant"].astype(bool)]
    if pairs.empty:
        return None
    labels = _dimension_labels(rep)
    return pd.DataFrame({
        text("col_dimension", lang): pairs["dimension"].map(labels).to_numpy(),
        text("col_pair", lang): [f"{name(a)} – {name(b)}"
                                 for a, b in zip(pairs["group_a"], pairs["group_b"])],
        text("col_mean_diff", lang): [_num(v) for v in pairs["mean_diff"]],
        "Hedges g": [_num(v) for v in pairs["hedges_g"]],
        text("col_ci", lang): [_interval(lo, hi) for lo, hi in zip(pairs["g_ci_low"], pairs["g_ci_upp"])],
        text("col_p_holm", lang): [_p(v) for v in pairs["p_holm"]],
    })


def sector_model_table(rep: RegionReport) -> pd.DataFrame:
    """The pooled mixed model's overall sector differences (all regions)."""
    model, lang, name = rep.results["all_sector_model"], rep.lang, _sector_label(rep)
    m = model[(model["dimension"] == "overall") & model["estimate"].notna()]
    return pd.DataFrame({
        text("col_sector", lang): [name(x) for x in m["sector"]],
        text("col_estimate", lang): [f"{v:+.2f}" for v in m["estimate"]],
        text("col_ci", lang): [f"{lo:+.2f} – {hi:+.2f}" for lo, hi in zip(m["ci_low"], m["ci_upp"])],
        text("col_p", lang): [_p(v) for v in m["pvalue"]],
        text("col_n", lang): m["n"].to_numpy(),
    })


def _p(value: float) -> str:
    return "—" if pd.isna(value) else ("< 0.001" if value < 0.001 else f"{value:.3f}")


# --- engagement and network -------------------------------------------------------------

def attendance_text(rep: RegionReport) -> str:
    by_sector, lang, name = rep.results["attendance_sector"], rep.lang, _sector_label(rep)
    absent = absent_text(rep, "attendance")
    if absent:
        return absent
    if "invitations" not in by_sector.columns:  # no meeting yet in the data (an early wave)
        return md("attendance_none", lang)
    invited = by_sector[by_sector["invitations"] > 0].dropna(subset=["rate"])
    if invited.empty:
        return md("attendance_none", lang)
    overall_rate = rep.results["attendance_overall"].iloc[0]  # all sectors together
    total, rate = int(overall_rate["invitations"]), float(overall_rate["rate"])
    low = invited.loc[invited["rate"].idxmin()]
    trend = rep.results["attendance_trend"]
    overall = trend[trend["sector"] == "all"] if len(trend) else trend
    trend_text = ""
    if len(overall) and pd.notna(overall["odds_ratio"].iat[0]):
        o = overall.iloc[0]
        direction = ("trend_up" if o["or_ci_low"] > 1 else "trend_down" if o["or_ci_upp"] < 1
                     else "trend_flat")
        trend_text = md("attendance_trend_text", lang, direction=md(direction, lang),
                        odds=o["odds_ratio"], low=o["or_ci_low"], high=o["or_ci_upp"])
    meetings = rep.results["attendance_time"]["period"].nunique()
    return (md("attendance_summary", lang, rate=rate, invitations=total, meetings=meetings,
               lowest=name(low["sector"]), low_rate=low["rate"], trend=trend_text)
            + "\n\n" + md("attendance_note", lang))


def attendance_table(rep: RegionReport) -> pd.DataFrame | None:
    a, lang, name = rep.results["attendance_sector"], rep.lang, _sector_label(rep)
    if absent_text(rep, "attendance") or "invitations" not in a.columns:
        return None
    a = a[a["invitations"] > 0]
    if a.empty:
        return None
    return pd.DataFrame({
        text("col_sector", lang): [name(x) for x in a["sector"]],
        text("col_register", lang): a["organisations"].to_numpy(),
        text("col_invitations", lang): a["invitations"].to_numpy(),
        text("col_rate", lang): [f"{v:.0%}" if pd.notna(v) else "—" for v in a["rate"]],
        text("col_ci", lang): [f"{lo:.0%}–{hi:.0%}" if pd.notna(lo) else "—"
                               for lo, hi in zip(a["ci_low"], a["ci_upp"])],
    })


def attendance_figure(rep: RegionReport):
    over_time = rep.results["attendance_time"]
    if over_time.empty or absent_text(rep, "attendance"):
        return None
    return _as_figure(plots.attendance_figure(
        over_time, labels=sector_labels(rep.sectors, rep.lang), lang=rep.lang,
        **_sectors_arg(plots.attendance_figure, rep)))


def network_text(rep: RegionReport) -> str:
    m, lang, name = rep.results["network_metrics"], rep.lang, _sector_label(rep)
    absent = absent_text(rep, "ties", "stakeholders")
    if absent:
        return absent
    if m.empty or not m["edges"].iat[0]:
        return md("network_none", lang)
    m = m.iloc[0]
    central = rep.results["network_central"].head(3)
    isolated = [name(x) for x in rep.results["network_sectors"].query("isolated")["sector"]
                if x != "unknown"]
    return md("network_summary", lang, nodes=int(m["nodes"]), edges=int(m["edges"]),
              density=m["density"], centralisation=m["centralisation"],
              central=", ".join(central["organisation"]), trust=m["partner_trust_pct"],
              value=m["partner_value_pct"],
              isolated_text=md("network_isolated", lang, sectors=", ".join(isolated))
              if isolated else md("network_connected", lang))


def network_figure(rep: RegionReport):
    if rep.register.empty or rep.ties.empty or absent_text(rep, "ties", "stakeholders"):
        return None
    graph = network.build_network(rep.ties[["organisation", "partner", "level", "trust", "value"]],
                                  rep.register)
    return _as_figure(plots.network_figure(
        graph, labels=sector_labels(rep.sectors, rep.lang),
        **_sectors_arg(plots.network_figure, rep)))


def partner_table(rep: RegionReport) -> pd.DataFrame | None:
    """PARTNER trust and value scores of each sector, as rated by its partners."""
    p, lang, name = rep.results["partner_scores"], rep.lang, _sector_label(rep)
    if p.empty or absent_text(rep, "ties"):
        return None
    special = {"all": text("all_sectors", lang), "unknown": text("unregistered", lang)}
    return pd.DataFrame({
        text("col_sector", lang): [special.get(x) or name(x) for x in p["sector"]],
        text("col_ratings", lang): p["trust_n"].to_numpy(),
        text("col_trust", lang): [_num(v, 0) for v in p["trust_pct"]],
        text("col_value_pct", lang): [_num(v, 0) for v in p["value_pct"]],
    })


def central_table(rep: RegionReport) -> pd.DataFrame | None:
    c, lang, name = rep.results["network_central"], rep.lang, _sector_label(rep)
    if c.empty or absent_text(rep, "ties"):
        return None
    return pd.DataFrame({
        text("col_organisation", lang): c["organisation"].to_numpy(),
        text("col_sector", lang): [name(x) for x in c["sector"]],
        text("col_degree", lang): c["degree"].to_numpy(),
        text("col_betweenness", lang): [_num(v) for v in c["betweenness"]],
    })


# --- indicator breakdowns -------------------------------------------------------------

def breakdown_table(rep: RegionReport) -> pd.DataFrame | None:
    """Latest-year values by sex for indicators reported that way."""
    wide, lang = rep.breakdowns, rep.lang
    if wide.empty:
        return None
    names = rep.progress.set_index("indicator_id")[f"name_{lang}"] if len(rep.progress) else {}
    return pd.DataFrame({
        text("col_indicator", lang): [names.get(i, i) for i in wide["indicator_id"]],
        text("col_year", lang): wide["year"].to_numpy(),
        text("col_female", lang): [_num(v, 1) for v in wide["female"]],
        text("col_male", lang): [_num(v, 1) for v in wide["male"]],
        text("col_total", lang): [_num(v, 1) for v in wide["total"]],
        text("col_gap", lang): [_num(v, 1) for v in wide["gap"]],
    })


# --- effectiveness index ------------------------------------------------------------------

def index_text(rep: RegionReport) -> str:
    idx, sens = rep.results["index"], rep.results["index_sensitivity"]
    n = int(rep.results["all_index"]["index"].notna().sum())
    if _small_region(rep) or _index_suppressed(idx):
        return md("index_small", rep.lang, min_cell=MIN_CELL)
    missing = _missing_components(rep)
    if idx.empty or pd.isna(idx["index"].iat[0]) or pd.isna(idx["rank"].iat[0]):
        return md("index_none", rep.lang, reason=missing or "—")
    i, s_ = idx.iloc[0], sens.iloc[0]
    return (md("index_summary", rep.lang, index=i["index"], low=i["ci_low"], high=i["ci_upp"],
               rank=int(i["rank"]), n=n, rank_low=int(i["rank_ci_low"]),
               rank_high=int(i["rank_ci_upp"]), sens_low=int(s_["rank_p05"]),
               sens_high=int(s_["rank_p95"]))
            + (" " + md("index_missing", rep.lang, components=missing) if missing else "")
            + "\n\n" + index_wording.method_text(index_spec(rep.scale, _absent_pillars(rep),
                                                              rep.choices),
                                                   lang=rep.lang,
                                                   missing_pillars=_absent_pillars(rep),
                                                   n_boot=rep.choices.n_boot,
                                                   n_draws=rep.choices.n_boot,
                                                   ci=rep.choices.ci_level))


def _missing_components(rep: RegionReport) -> str:
    """The index components this region has no data for, named in the report language
    (``index_pillars["missing"]`` holds their keys), or ""."""
    pillars = rep.results["index_pillars"]
    if not len(pillars) or "missing" not in pillars.columns:
        return ""
    spec = index_spec(rep.scale)
    keys = [k.strip() for k in str(pillars["missing"].iat[0] or "").split(",")]
    keys = [k for k in keys if k and k.lower() not in {"nan", "none"}]
    return ", ".join(index_wording.component_label(k, rep.lang) if k in spec.components else k
                     for k in keys)


def _absent_pillars(rep: RegionReport) -> list[str]:
    """Pillars no region has data for (the results left them out of the index)."""
    idx = rep.results["all_index"]
    if not len(idx) or "missing_pillars" not in idx.columns:
        return []
    return [p for p in str(idx["missing_pillars"].iat[0] or "").split(", ") if p]


def index_spec(scale: Scale, absent: list[str] = (), choices: AnalysisChoices | None = None):
    """The index specification the results used: health goalposts at the ends of the
    form's scale, the chosen weighting (``choices.index_weights``; None: the default),
    and pillars no region has data for weighted 0 (the others rescaled)."""
    spec = (choices or DEFAULT_CHOICES).index_spec(effectiveness.spec_for_scale(scale))
    return effectiveness.without_pillars(spec, absent) if absent else spec


def _index_suppressed(idx: pd.DataFrame) -> bool:
    """The results mark this region's index as suppressed (too few respondents)."""
    return bool(len(idx) and "suppressed" in idx.columns and idx["suppressed"].fillna(False).iat[0])


def index_table(rep: RegionReport) -> pd.DataFrame | None:
    """This region's components: value, normalised value and weight in the index (None
    for a region with too few respondents: its components include its raw mean)."""
    if _small_region(rep) or _index_suppressed(rep.results["index"]):
        return None
    spec, lang = index_spec(rep.scale, _absent_pillars(rep), rep.choices), rep.lang
    weights = index_wording.weights_table(spec, lang).set_index("component")
    comp = rep.results["index_components"].set_index("component")
    normalised = rep.results["index_normalised"].set_index("component")["normalised"]
    rows = []
    for key, w in weights.iterrows():
        value = comp["value"].get(key, float("nan"))
        rows.append({text("col_pillar", lang): w["pillar_label"], text("col_component", lang): w["label"],
                     text("col_value", lang): _num(value),
                     text("col_normalised", lang): _num(normalised.get(key, float("nan"))),
                     text("col_weight", lang): f"{w['weight']:.0%}"})
    return pd.DataFrame(rows)


INDEX_FIGURE_NEIGHBOURS = 10  # regions shown either side of this one in a large programme


def _index_window(rep: RegionReport) -> tuple[pd.DataFrame, bool]:
    """The regions the index figure shows, and whether that is only the ones ranked near."""
    boot = rep.results["all_index"]
    own = boot.loc[boot["region_code"] == rep.region.code, "rank"]
    if len(boot) > 2 * INDEX_FIGURE_NEIGHBOURS + 1 and len(own) and pd.notna(own.iat[0]):
        return boot[(boot["rank"] - own.iat[0]).abs() <= INDEX_FIGURE_NEIGHBOURS], True
    return boot, False


def index_figure(rep: RegionReport):
    """All regions' index with intervals; in a large programme only the regions ranked
    near this one (a country-wide chart in every report would be unreadable and slow)."""
    boot, _ = _index_window(rep)
    if boot.empty:
        return None
    names = {c: get_region(c).name for c in boot["region_code"]}
    return _as_figure(plots.index_figure(boot, labels=names, lang=rep.lang))


def index_caption(rep: RegionReport) -> dict:
    """Caption key and values of :func:`index_figure` (says when only nearby ranks are shown)."""
    _, near = _index_window(rep)
    if near:
        return {"key": "fig_index_near", "k": INDEX_FIGURE_NEIGHBOURS,
                "n": int(rep.results["all_index"]["rank"].notna().sum())}
    return {"key": "fig_index"}


# --- change since the last wave (issue #13) -----------------------------------------------

#: The wave results the change section reads, with their columns (one schema for every
#: reader: :data:`evalkit.present.wave_results.WAVE_RESULT_COLUMNS`).
WAVE_RESULTS = WAVE_RESULT_COLUMNS
NETWORK_ROLE_CHANGES = ("became_central", "no_longer_central", "became_isolated",
                        "no_longer_isolated")


def wave_results(processed_dir: Path | str, region_code: str,
                 subfolder: str | None = None) -> dict[str, pd.DataFrame]:
    """The :data:`WAVE_RESULTS` of one region (``waves``: every wave, it has no region).

    A table the results folder does not hold (results computed before waves) reads as a
    single wave gives it (:func:`evalkit.present.wave_results.wave_result`).
    ``subfolder``: results of other analysis choices (``AnalysisChoices.folder``).
    """
    out = {}
    for name in WAVE_RESULTS:
        table = wave_result(name, processed_dir, subfolder=subfolder)
        if "region_code" in table.columns:
            table = table[table["region_code"].astype(str) == region_code].drop(
                columns="region_code")
        if "order" in table.columns and len(table):
            table = table.sort_values("order", kind="stable")
        out[name] = table.reset_index(drop=True)
    return out


def _wave_labels(rep: RegionReport) -> list[str]:
    """Every wave's label, first to latest (the results' ``waves`` table)."""
    waves = rep.results.get("waves")
    if waves is None or waves.empty:
        return []
    return [str(w) for w in waves.sort_values("order", kind="stable")["wave"]]


def single_wave(rep: RegionReport) -> bool:
    """The data hold one wave (or results from before waves): no change to show."""
    return len(_wave_labels(rep)) < 2


def _flag(values) -> pd.Series:
    """A boolean column as plain bools (missing = False)."""
    return pd.Series(values, dtype="object").fillna(False).astype(bool).to_numpy()


def _change_rows(rep: RegionReport, table: str = "wave_change",
                 comparison: str | None = "previous") -> pd.DataFrame:
    rows = rep.results.get(table, pd.DataFrame(columns=list(WAVE_RESULTS[table])))
    if comparison is not None:
        rows = rows[rows["comparison"] == comparison]
    return rows.reset_index(drop=True)


def _change_dimension_label(rep: RegionReport, key: str = "health_score"):
    """Dimension code -> its label in the report language; ``_overall`` -> the health score."""
    labels = _dimension_labels(rep)
    overall = text(key, rep.lang)
    return lambda d: overall if d == OVERALL else labels.get(d, d)


def _dimension_order(rep: RegionReport, present) -> list[str]:
    """``_overall`` first, then the form's dimensions in codebook order (others after)."""
    present = list(dict.fromkeys(str(d) for d in present))
    form = [str(d) for d in rep.dimensions["dimension"]]
    first = [OVERALL] if OVERALL in present else []
    return (first + [d for d in form if d in present]
            + [d for d in present if d != OVERALL and d not in form])


def _suppressed_waves(rep: RegionReport) -> list[str]:
    """Waves in which this region's scores are suppressed (fewer than MIN_CELL respondents)."""
    s = rep.results.get("wave_scores")
    if s is None or s.empty:
        return []
    hidden = pd.Series(_flag(s["suppressed"]), index=s.index).groupby(s["wave"].astype(str)).all()
    return [w for w in _wave_labels(rep) if hidden.get(w, False)]


def _signed(value: float, digits: int = 2) -> str:
    return "—" if pd.isna(value) else f"{value:+.{digits}f}"


def _signed_interval(low: float, high: float, digits: int = 2) -> str:
    return "—" if pd.isna(low) or pd.isna(high) else f"{low:+.{digits}f} – {high:+.{digits}f}"


def _waves_cell(from_wave, to_wave) -> str:
    return f"{from_wave} → {to_wave}"


def _called(row: pd.Series, lang: str) -> str:
    """The "called a change?" cell: yes (up/down), no, or why it could not be estimated."""
    if bool(_flag([row.get("suppressed")])[0]):
        return _change_reason(row.get("reason"), lang)
    if not bool(_flag([row.get("changed")])[0]):
        return text("called_no", lang)
    return text("called_yes_down" if row.get("direction") == "down" else "called_yes", lang)


def _change_reason(code, lang: str) -> str:
    key = f"change_reason_{code}"
    return text(key if key in TEXT else "change_reason_other", lang, min_cell=MIN_CELL)


def change_text(rep: RegionReport) -> str:
    """The section's opening: one paragraph when there is one wave; else what changed since
    the previous wave (how many dimensions rose or fell, the health score's change) and the
    rule by which a change is called."""
    lang = rep.lang
    if single_wave(rep):
        return md("change_single", lang)
    rows = _change_rows(rep)
    if rows.empty:
        scored = rep.results["wave_scores"]
        seen = [w for w in _wave_labels(rep) if w in set(scored["wave"].astype(str))]
        return (md("change_region_single", lang, wave=seen[-1]) if seen
                else md("change_single", lang))
    from_wave, to_wave = str(rows["from_wave"].iat[0]), str(rows["to_wave"].iat[0])
    dims = rows[rows["dimension"] != OVERALL]
    ok = dims[~_flag(dims["suppressed"])]
    if ok.empty or _small_region(rep):
        out = md("change_too_small", lang, min_cell=MIN_CELL, from_wave=from_wave,
                 to_wave=to_wave)
    else:
        called = _flag(ok["changed"])
        n_up = int((called & (ok["direction"] == "up").to_numpy()).sum())
        n_down = int((called & (ok["direction"] == "down").to_numpy()).sum())
        counts = rows[rows["dimension"] == OVERALL]
        counts = (counts if len(counts) else ok).iloc[0]
        out = md("change_summary", lang, to_wave=to_wave, from_wave=from_wave,
                 n_to=_count(counts["n_to"]), n_from=_count(counts["n_from"]),
                 n_both=_count(counts["n_both"]), n=len(dims), n_up=n_up, n_down=n_down,
                 n_same=len(dims) - n_up - n_down)
        overall = rows[(rows["dimension"] == OVERALL) & ~_flag(rows["suppressed"])]
        if len(overall) and pd.notna(overall["estimate"].iat[0]):
            o = overall.iloc[0]
            out += " " + md("change_overall", lang, estimate=o["estimate"], low=o["ci_low"],
                            high=o["ci_upp"])
    hidden = _suppressed_waves(rep)
    if hidden:
        out += " " + md("change_suppressed", lang, min_cell=MIN_CELL, waves=", ".join(hidden))
    level = rep.choices.ci_level
    return out + "\n\n" + md("change_rule", lang, level=f"{100 * level:g}",
                               alpha=f"{100 * (1 - level):g}")


def change_figure(rep: RegionReport):
    """Small multiples: each dimension's score per wave with its CI (the health score
    first); waves suppressed in this region are left out (the caption names them)."""
    if single_wave(rep) or _small_region(rep):
        return None
    s = rep.results["wave_scores"]
    shown = s[~_flag(s["suppressed"]) & s["estimate"].notna().to_numpy()]
    if shown.empty:
        return None
    name = _change_dimension_label(rep)
    order = _dimension_order(rep, shown["dimension"])
    return plots.wave_trajectories(
        shown, waves=_wave_labels(rep), order=order, labels={d: name(d) for d in order},
        xlabel=text("axis_wave", rep.lang),
        ylabel=text("col_score", rep.lang, scale=rep.scale.range_text()),
        ylim=(rep.scale.min, rep.scale.max))


def change_caption(rep: RegionReport) -> dict:
    """Caption key and values of :func:`change_figure` (names the waves it leaves out)."""
    hidden = _suppressed_waves(rep)
    if hidden:
        return {"key": "fig_change_suppressed", "min_cell": MIN_CELL, "waves": ", ".join(hidden)}
    return {"key": "fig_change"}


def change_table(rep: RegionReport) -> pd.DataFrame | None:
    """Each dimension's change (the health score first): since the previous wave, then
    (three waves or more) since the first; change, 95% CI, Holm p and whether it is called
    a change. None with a single wave or a region too small to show."""
    rows = _change_rows(rep, comparison=None)
    if single_wave(rep) or rows.empty or _small_region(rep):
        return None
    lang, name = rep.lang, _change_dimension_label(rep)
    order = {d: i for i, d in enumerate(_dimension_order(rep, rows["dimension"]))}
    rank = {c: i for i, c in enumerate(COMPARISONS)}
    rows = rows.assign(_c=rows["comparison"].map(rank).fillna(len(rank)),
                       _d=rows["dimension"].astype(str).map(order)).sort_values(
        ["_c", "_d"], kind="stable")
    hidden = _flag(rows["suppressed"])
    return pd.DataFrame({
        text("col_dimension", lang): [name(d) for d in rows["dimension"].astype(str)],
        text("col_waves", lang): [_waves_cell(a, b) for a, b in
                                  zip(rows["from_wave"], rows["to_wave"])],
        text("col_change", lang): ["—" if h else _signed(v) for v, h in
                                   zip(rows["estimate"], hidden)],
        text("col_ci", lang): ["—" if h else _signed_interval(lo, hi) for lo, hi, h in
                               zip(rows["ci_low"], rows["ci_upp"], hidden)],
        text("col_p_holm", lang): ["—" if h else _p(v) for v, h in zip(rows["p_holm"], hidden)],
        text("col_called", lang): [_called(r, lang) for _, r in rows.iterrows()],
        text("col_n_waves", lang): [f"{_count(a)} → {_count(b)}" for a, b in
                                    zip(rows["n_from"], rows["n_to"])],
        text("col_n_both", lang): [_count(n) for n in rows["n_both"]],
    })


def sector_change_text(rep: RegionReport) -> str | None:
    """Which sectors' health score changed clearly since the previous wave (None with a
    single wave: :func:`change_text` has said so)."""
    if single_wave(rep) or _small_region(rep):
        return None
    rows, lang, name = _change_rows(rep, "wave_sector_change"), rep.lang, _sector_label(rep)
    if rows.empty:
        return None
    from_wave, to_wave = str(rows["from_wave"].iat[0]), str(rows["to_wave"].iat[0])
    ok = rows[~_flag(rows["suppressed"])]
    if ok.empty:
        return md("sector_change_untestable", lang, min_cell=MIN_CELL)
    called = ok[_flag(ok["changed"])]
    if called.empty:
        return md("sector_change_none", lang, from_wave=from_wave, to_wave=to_wave)
    called = called.reindex(called["estimate"].abs().sort_values(ascending=False).index)
    sectors = ", ".join(f"{name(s)} ({_signed(v)})" for s, v in
                        zip(called["sector"], called["estimate"]))
    return md("sector_change_some", lang, n=len(called), from_wave=from_wave, to_wave=to_wave,
              sectors=sectors)


def sector_change_table(rep: RegionReport) -> pd.DataFrame | None:
    """The sectors whose health score changed clearly (called changes only)."""
    if single_wave(rep) or _small_region(rep):
        return None
    rows = _change_rows(rep, "wave_sector_change", comparison=None)
    rows = rows[~_flag(rows["suppressed"]) & _flag(rows["changed"])]
    if rows.empty:
        return None
    lang, name = rep.lang, _sector_label(rep)
    rank = {c: i for i, c in enumerate(COMPARISONS)}
    rows = rows.assign(_c=rows["comparison"].map(rank).fillna(len(rank)),
                       _a=-rows["estimate"].abs()).sort_values(["_c", "_a"], kind="stable")
    return pd.DataFrame({
        text("col_sector", lang): [name(s) for s in rows["sector"]],
        text("col_waves", lang): [_waves_cell(a, b) for a, b in
                                  zip(rows["from_wave"], rows["to_wave"])],
        text("col_change", lang): [_signed(v) for v in rows["estimate"]],
        text("col_ci", lang): [_signed_interval(lo, hi) for lo, hi in
                               zip(rows["ci_low"], rows["ci_upp"])],
        text("col_p_holm", lang): [_p(v) for v in rows["p_holm"]],
        text("col_n_waves", lang): [f"{_count(a)} → {_count(b)}" for a, b in
                                    zip(rows["n_from"], rows["n_to"])],
    })


def _network_unchanged(rep: RegionReport) -> bool:
    """No network section to show: a single wave, or no ties/register input."""
    return single_wave(rep) or bool(absent_text(rep, "ties", "stakeholders"))


def network_change_text(rep: RegionReport) -> str | None:
    """Ties gained, lost and kept since the previous wave; density, centralisation, trust and
    value change (with CIs)."""
    if _network_unchanged(rep):
        return None
    nc, lang = rep.results["network_change"], rep.lang
    if nc.empty or pd.isna(nc["ties_kept"].iat[0]):
        return md("network_change_none", lang)
    c = nc.iloc[0]
    out = md("network_change_summary", lang, from_wave=str(c["from_wave"]),
             to_wave=str(c["to_wave"]), gained=int(c["ties_gained"]), lost=int(c["ties_lost"]),
             kept=int(c["ties_kept"]), density=c["density_change"],
             centralisation=c["centralisation_change"])
    if pd.notna(c["trust_change"]) and pd.notna(c["value_change"]):
        out += " " + md("network_change_scores", lang, trust=c["trust_change"],
                        trust_low=c["trust_ci_low"], trust_high=c["trust_ci_upp"],
                        value=c["value_change"], value_low=c["value_ci_low"],
                        value_high=c["value_ci_upp"])
    if rep.results["network_role_change"].empty:
        out += " " + md("network_roles_none", lang)
    return out


def network_waves_table(rep: RegionReport) -> pd.DataFrame | None:
    """The network per wave: organisations, ties, density, centralisation, trust, value."""
    w = rep.results["wave_network"]
    if _network_unchanged(rep) or w.empty:
        return None
    lang = rep.lang
    return pd.DataFrame({
        text("col_wave", lang): w["wave"].astype(str).to_numpy(),
        text("col_organisations", lang): [_int(v) for v in w["organisations"]],
        text("col_ties", lang): [_int(v) for v in w["ties"]],
        text("col_density", lang): [_num(v) for v in w["density"]],
        text("col_centralisation", lang): [_num(v) for v in w["centralisation"]],
        text("col_mean_trust", lang): [_num(v) for v in w["mean_trust"]],
        text("col_mean_value", lang): [_num(v) for v in w["mean_value"]],
        text("col_isolated", lang): [_int(v) for v in w["isolated"]],
    })


def _int(value) -> str:
    return "—" if pd.isna(value) else str(int(value))


def network_role_table(rep: RegionReport) -> pd.DataFrame | None:
    """Organisations that became (or stopped being) central or isolated since the previous wave."""
    r = rep.results["network_role_change"]
    if _network_unchanged(rep) or r.empty:
        return None
    lang, name = rep.lang, _sector_label(rep)
    rank = {c: i for i, c in enumerate(NETWORK_ROLE_CHANGES)}
    r = r.assign(_r=r["change"].map(rank).fillna(len(rank))).sort_values(
        ["_r", "organisation"], kind="stable")
    role = {c: text(f"role_{c}", lang) for c in NETWORK_ROLE_CHANGES}
    return pd.DataFrame({
        text("col_organisation", lang): r["organisation"].astype(str).to_numpy(),
        text("col_sector", lang): [name(s) for s in r["sector"]],
        text("col_role_change", lang): [role.get(c, str(c)) for c in r["change"]],
        text("col_degree_change", lang): [f"{_int(a)} → {_int(b)}" for a, b in
                                          zip(r["degree_from"], r["degree_to"])],
    })


def index_change_text(rep: RegionReport) -> str | None:
    """The index's change since the previous wave, its interval and the rank change."""
    if single_wave(rep):
        return None
    ic, lang = rep.results["index_change"], rep.lang
    if (_small_region(rep) or ic.empty or pd.isna(ic["change"].iat[0])
            or pd.isna(ic["rank_from"].iat[0]) or pd.isna(ic["rank_to"].iat[0])):
        return md("index_change_none", lang)
    c = ic.iloc[0]
    return md("index_change_summary", lang, index_from=c["index_from"], index_to=c["index_to"],
              from_wave=str(c["from_wave"]), to_wave=str(c["to_wave"]), change=c["change"],
              low=c["ci_low"], high=c["ci_upp"], rank_from=int(c["rank_from"]),
              rank_to=int(c["rank_to"]))


def index_change_table(rep: RegionReport) -> pd.DataFrame | None:
    """The index trajectory: this region's index per wave with its interval and rank."""
    w = rep.results["wave_index"]
    if single_wave(rep) or w.empty or _small_region(rep):
        return None
    lang = rep.lang
    hidden = _flag(w["suppressed"])
    return pd.DataFrame({
        text("col_wave", lang): w["wave"].astype(str).to_numpy(),
        text("col_index", lang): ["—" if h else _num(v, 1) for v, h in zip(w["index"], hidden)],
        text("col_ci", lang): ["—" if h or pd.isna(lo) else f"{lo:.1f}–{hi:.1f}"
                               for lo, hi, h in zip(w["ci_low"], w["ci_upp"], hidden)],
        text("col_rank", lang): ["—" if h or pd.isna(r) else
                                 text("rank_of", lang, rank=int(r), n=_int(n))
                                 for r, n, h in zip(w["rank"], w["n_ranked"], hidden)],
    })


# --- findings -------------------------------------------------------------------------------

def findings_text(rep: RegionReport) -> str:
    """The plain-language findings, each with one suggested action."""
    lang, name, dims = rep.lang, _sector_label(rep), _dimension_labels(rep)
    found = [f for f in region_findings(rep) if f.key not in _dropped_findings(rep)]
    names = rep.progress.set_index("indicator_id")[f"name_{lang}"] if len(rep.progress) else {}
    lines = []
    for f in found:
        v = dict(f.values)
        if f.key in _CHANGE_FINDINGS:
            v = _change_values(rep, v)
        elif "dimension" in v:
            v["dimension"] = dims.get(v["dimension"], v["dimension"])
            v["vs"] = md("vs_below", lang) if v.pop("below") else ""
        if "sector" in v:
            v["sector"] = name(v["sector"])
        if "sectors" in v:
            v["sectors"] = ", ".join(_category_label(rep, x) if f.key == "finding_missing"
                                     else name(x) for x in v["sectors"])
        if "indicators" in v:
            v["names"] = ", ".join(names.get(i, i) for i in v.pop("indicators"))
        if "pillar" in v:
            v["pillar"] = index_wording.pillar_label(v["pillar"], lang)
        lines.append(f"{len(lines) + 1}. " + md(f.key, lang, **v))
    return md("findings_intro", lang) + "\n\n" + "\n".join(lines)


def region_findings(rep: RegionReport) -> list[findings.Finding]:
    """This region's findings, as the results stage derived them (codes, not labels)."""
    rows = rep.results["findings"].sort_values("order")
    return [findings.Finding(key, json.loads(values))
            for key, values in zip(rows["key"], rows["values"], strict=True)]


# Findings that quote the region's means: none for a region under MIN_CELL respondents.
_MEAN_FINDINGS = ("finding_weakest", "finding_sector", "finding_index", "change_up",
                  "change_down", "change_sector_down")
# The change findings (issue #13): their values name a dimension (``_overall``: the health
# score) or a sector, a change estimate and its CI, and the waves compared.
_CHANGE_FINDINGS = ("change_up", "change_down", "change_none", "change_sector_down",
                    "change_single_wave")


def _change_values(rep: RegionReport, values: dict) -> dict:
    """A change finding's values as its wording takes them: the dimension's label, the
    size of the change (``magnitude``: "fell 0.42 points"), wave labels as text."""
    v = dict(values)
    if "dimension" in v:
        v["dimension"] = _change_dimension_label(rep, "health_score_finding")(str(v["dimension"]))
    if "estimate" in v:
        v["magnitude"] = abs(float(v["estimate"]))
    for key in ("from_wave", "to_wave"):
        if key in v:
            v[key] = str(v[key])
    return v


def _dropped_findings(rep: RegionReport) -> set[str]:
    """Findings the report leaves out: those of an input the programme did not provide (no
    register: no sector is "missing" from it), and those quoting a small region's means."""
    dropped = set(_MEAN_FINDINGS) if _small_region(rep) else set()
    if absent_text(rep, "stakeholders"):
        dropped.add("finding_missing")
    if absent_text(rep, "attendance"):
        dropped.add("finding_attendance")
    return dropped


# --- item answers ---------------------------------------------------------------------------

def likert_figure(rep: RegionReport):
    """Diverging stacked bars of every item's answers (small regions: none)."""
    if _small_region(rep):
        return None
    scale = rep.scale
    answers = rep.results["item_shares"]
    if answers.empty:
        return None
    shares = answers.pivot(index="item", columns="response", values="share").reindex(
        columns=[float(v) for v in scale.values])
    order = [i for i in rep.items["item"] if i in shares.index]
    items = products.with_language_fallback(rep.items, "label", "item").set_index("item")
    labels, reverse = items[f"label_{rep.lang}"], items["reverse"]
    names = [f"{i}{'ᴿ' if reverse[i] else ''} {_short(str(labels[i]))}" for i in order]
    return plots.likert_bars(shares.loc[order], labels=names,
                             category_labels=[scale.label(v, rep.lang) for v in scale.values],
                             xlabel=_likert_axis(rep))


def _likert_axis(rep: RegionReport) -> str:
    """The Likert figure's axis label: the agreement wording on the default scale, else the
    form's own end labels."""
    scale = rep.scale
    if (scale.labels_id, scale.labels_en) == (DEFAULT_SCALE.labels_id, DEFAULT_SCALE.labels_en):
        return text("likert_axis", rep.lang)
    return text("likert_axis_scale", rep.lang, low=scale.label(scale.min, rep.lang),
                high=scale.label(scale.max, rep.lang))


def likert_caption(rep: RegionReport) -> dict:
    """Caption key and values of :func:`likert_figure`: centred on the neutral answer, or
    (a scale without one) between the two middle answers."""
    scale = rep.scale
    if scale.neutral is not None:
        return {"key": "fig_likert"}
    mid = scale.k // 2
    return {"key": "fig_likert_even", "below": scale.label(scale.values[mid - 1], rep.lang),
            "above": scale.label(scale.values[mid], rep.lang)}


def _short(label: str, width: int = 55) -> str:
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


# --- provenance -----------------------------------------------------------------------------

def _git_commit(lang: str = "en") -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, timeout=5, cwd=Path(__file__).parent)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, cwd=Path(__file__).parent)
    except (OSError, subprocess.TimeoutExpired):
        return "—"
    if out.returncode != 0:
        return "—"
    return out.stdout.strip() + (" " + text("git_dirty", lang) if dirty.stdout.strip() else "")


def choices_text(choices: AnalysisChoices, lang: str = "id") -> str:
    """The analysis choices as the provenance table records them: each choice's name and
    value (the confidence level as a percentage; the default reference-sector rule and
    weighting named in words), and whether they are evalkit's defaults."""
    c = choices.to_dict()
    reference = c["reference_sector"] or text("prov_reference_rule", lang)
    weights = (text("prov_weights_default", lang) if c["index_weights"] == "baseline"
               else c["index_weights"])
    return (f"ci_level = {level_text(c['ci_level'], lang)}, reference_sector = {reference}, "
            f"n_boot = {c['n_boot']}, index_weights = {weights} ("
            + text("prov_choices_default" if choices.is_default else "prov_choices_own", lang)
            + ")")


def provenance_table(rep: RegionReport, **parameters) -> pd.DataFrame:
    """Everything needed to reproduce the report: inputs, parameters, code and versions.

    A folder among the ``parameters`` (a ``*_dir`` or a path) is shown relative to the
    project folder, or by its name (:func:`evalkit.present.local_paths.published_path`).
    """
    from evalkit.core.digest import package_versions

    lang = rep.lang
    # a folder as published_path shows it (relative to the project): no absolute path
    shown = {k: published_path(v) if k.endswith("_dir") or isinstance(v, Path) else v
             for k, v in parameters.items()}
    rows = [(text("prov_parameters", lang), ", ".join(f"{k} = {v!r}" for k, v in shown.items())),
            ("evalkit", f"{__version__}, git {_git_commit(lang)}"),
            (text("prov_manifest", lang), manifest_digest(rep.manifest)),
            (text("prov_results", lang), str(rep.results_code)[:12] or "—"),
            (text("prov_choices", lang), choices_text(rep.choices, lang)),
            (text("prov_run_at", lang), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
            ("Python", f"{platform.python_version()} ({platform.platform(terse=True)})")]
    rows += [(f"{text('prov_input', lang)}: {name}", f"SHA-256 {meta['sha256']}")
             for name, meta in rep.manifest["inputs"].items()]
    versions = package_versions()
    rows.append((text("prov_packages", lang), ", ".join(f"{k} {v}" for k, v in versions.items()
                                                       if k not in {"python", "evalkit"})))
    return pd.DataFrame(rows, columns=[text("prov_item", lang), text("prov_value", lang)])
