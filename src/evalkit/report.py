"""What a regional report shows: the notebook calls these and displays what they return.

:func:`load_region_report` does the reading; every other function turns the loaded
tables into a piece of the report (Markdown text, a table, a figure) in the chosen
language. Numbers in the text are always filled from the tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evalkit import __version__, analysis, plots
from evalkit.config import ALPHA_ACCEPTABLE, MIN_CELL, PROCESSED_DATA_DIR
from evalkit.i18n import text  # noqa: F401  (re-exported for notebooks)
from evalkit.indicators import STATUS_COLORS, status_label, status_summary
from evalkit.pipeline import MANIFEST, manifest_digest, read_processed
from evalkit.regions import Region, resolve_region
from evalkit.scales import reliability_table as alpha_omega_table  # report has its own reliability_table


@dataclass
class RegionReport:
    """Everything one regional report needs, already computed."""

    region: Region
    lang: str
    survey: pd.DataFrame        # this region's clean responses (a province: with its regencies)
    dimensions: pd.DataFrame    # codebook dimensions with labels
    sectors: pd.DataFrame       # codebook sectors with labels
    health: pd.DataFrame        # weighted dimension scores vs benchmark (one row per dimension)
    weighting: str              # how the scores were weighted, or why they could not be
    reliability: pd.DataFrame   # alpha (CI) and omega per dimension
    progress: pd.DataFrame      # indicator progress with metadata (one row per indicator)
    values: pd.DataFrame        # this region's indicator values
    attribution: pd.DataFrame   # partnership effect per indicator, across all regions
    n_excluded: int             # survey submissions excluded, all regions
    manifest: dict


def load_region_report(region: str, lang: str = "id",
                       processed_dir: Path | str | None = None) -> RegionReport:
    """Read the processed data and compute one region's tables."""
    processed = Path(processed_dir) if processed_dir else PROCESSED_DATA_DIR
    reg = resolve_region(region)
    all_survey = read_processed("survey", processed)
    items = read_processed("items", processed)
    survey = analysis.in_region(all_survey, reg)
    register = analysis.in_region(read_processed("stakeholders", processed), reg)
    bench = analysis.benchmark(analysis.scores_long(all_survey, items))
    weighted, weighting = analysis.weighted_dimension_scores(survey, items, register)
    health = analysis.compare_to_benchmark(weighted, bench)
    metadata = read_processed("indicator_metadata", processed)
    values = read_processed("indicator_annual", processed)
    targets = read_processed("indicator_targets", processed)
    progress = analysis.indicator_progress(values[values["region_code"] == reg.code],
                                           targets[targets["region_code"] == reg.code], metadata)
    progress = progress.merge(analysis.trend_projections(values, progress),
                              on=["region_code", "indicator_id"], how="left")
    quarantine = read_processed("quarantine", processed)
    manifest = json.loads((processed / MANIFEST).read_text(encoding="utf-8"))
    return RegionReport(
        region=reg, lang=lang, survey=survey,
        dimensions=read_processed("dimensions", processed),
        sectors=read_processed("sectors", processed), health=health, weighting=weighting,
        reliability=alpha_omega_table(survey, items), progress=progress,
        values=values[values["region_code"] == reg.code],
        attribution=analysis.attribution_table(values, read_processed("partnerships", processed),
                                               metadata["indicator_id"].tolist()),
        n_excluded=int((quarantine["table"] == "survey").sum()), manifest=manifest)


# --- pieces of the report --------------------------------------------------------

def title(rep: RegionReport) -> str:
    kind = text(f"kind_{rep.region.type}", rep.lang)
    return (f"# {text('title', rep.lang, region=rep.region.name)}\n\n"
            f"{text('subtitle', rep.lang, code=rep.region.code, kind=kind)}")


def heading(key: str, rep: RegionReport) -> str:
    return f"## {text(key, rep.lang)}"


def data_text(rep: RegionReport) -> str:
    if rep.survey.empty:
        return text("data_none", rep.lang)
    province = text("province_note", rep.lang) + " " if rep.region.level == 1 else ""
    return (text("data_summary", rep.lang, n_valid=len(rep.survey),
                 n_sectors=rep.survey["sector"].nunique(), n_excluded=rep.n_excluded)
            + "\n\n" + province + text("suppressed_note", rep.lang, min_cell=MIN_CELL))


def sector_table(rep: RegionReport) -> pd.DataFrame:
    """Respondents by sector (small cells suppressed), labelled in the report language."""
    counts = analysis.sector_counts(rep.survey, rep.sectors)
    return pd.DataFrame({text("col_sector", rep.lang): counts[f"label_{rep.lang}"],
                         text("col_n", rep.lang): counts["n_display"]})


def _dimension_labels(rep: RegionReport) -> pd.Series:
    return rep.dimensions.set_index("dimension")[f"label_{rep.lang}"]


def health_text(rep: RegionReport) -> str:
    shown = rep.health[~rep.health["suppressed"]]
    if shown.empty:
        return text("health_too_small", rep.lang, min_cell=MIN_CELL)
    labels = _dimension_labels(rep)
    best, weakest = shown.loc[shown["estimate"].idxmax()], shown.loc[shown["estimate"].idxmin()]
    counts = shown["vs_benchmark"].value_counts()
    how = (text("weighted_note", rep.lang) if rep.weighting == analysis.POSTSTRATIFIED
           else text("unweighted_note", rep.lang, reason=rep.weighting))
    return text("health_summary", rep.lang, best=labels[best["dimension"]],
                best_score=best["estimate"], weakest=labels[weakest["dimension"]],
                weak_score=weakest["estimate"], n_above=int(counts.get("above", 0)),
                n_below=int(counts.get("below", 0)),
                n_similar=int(counts.get("similar", 0))) + "\n\n" + how


def health_table(rep: RegionReport) -> pd.DataFrame:
    labels, lang = _dimension_labels(rep), rep.lang
    h = rep.health
    return pd.DataFrame({
        text("col_dimension", lang): h["dimension"].astype(str).map(labels).to_numpy(),
        text("col_score", lang): [_num(v) for v in h["estimate"]],
        text("col_ci", lang): [_interval(lo, hi) for lo, hi in zip(h["ci_low"], h["ci_upp"])],
        text("col_unweighted", lang): [_num(v) for v in h["unweighted"]],
        text("col_n", lang): h["nobs"].to_numpy(),
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
        return text("reliability_too_small", rep.lang, min_cell=MIN_CELL)
    labels = _dimension_labels(rep)
    low = r[r["alpha"] < ALPHA_ACCEPTABLE]
    names = ", ".join(labels[d] for d in low["dimension"]) or "—"
    return text("reliability_summary", rep.lang, n_ok=len(r) - len(low), n=len(r),
                threshold=ALPHA_ACCEPTABLE, low=names)


def reliability_table(rep: RegionReport) -> pd.DataFrame:
    labels, lang, r = _dimension_labels(rep), rep.lang, rep.reliability
    return pd.DataFrame({
        text("col_dimension", lang): r["dimension"].map(labels).to_numpy(),
        text("col_items", lang): r["k"].to_numpy(),
        text("col_n", lang): r["n"].to_numpy(),
        "α": [_num(v) for v in r["alpha"]],
        text("col_ci", lang): [_interval(lo, hi) for lo, hi in zip(r["alpha_ci_low"], r["alpha_ci_upp"])],
        "ω": [_num(v) for v in r["omega"]],
    })


def health_figure(rep: RegionReport):
    shown = rep.health[~rep.health["suppressed"]]
    if shown.empty:
        return None
    table = shown.assign(label=shown["dimension"].astype(str).map(_dimension_labels(rep)))
    return plots.dimension_profile(table, region_label=text("legend_region", rep.lang),
                                   benchmark_label=text("col_benchmark", rep.lang),
                                   xlabel=text("col_score", rep.lang))


def outcome_text(rep: RegionReport) -> str:
    p = rep.progress
    if p.empty:
        return text("outcome_none", rep.lang)
    counts = p["summary"].value_counts()
    lines = [text("outcome_summary", rep.lang, n=len(p), achieved=int(counts.get("achieved", 0)),
                  on_track=int(counts.get("on_track", 0)),
                  attention=int(len(p) - counts.get("achieved", 0) - counts.get("on_track", 0)))]
    for _, row in p[~p["summary"].isin(["achieved", "on_track"])].iterrows():
        lines.append(text("outcome_attention", rep.lang, name=row[f"name_{rep.lang}"],
                          status=status_label(row["status"], rep.lang).lower(),
                          latest=row["latest_value"], unit=row["unit"],
                          latest_year=int(row["latest_year"]), target=row["target_value"],
                          target_year=int(row["target_year"])))
    return "\n\n".join(lines[:1]) + ("\n\n" + "\n".join(lines[1:]) if len(lines) > 1 else "")


def outcome_table(rep: RegionReport):
    """Status table, one row per indicator, status cells coloured (a pandas Styler)."""
    p, lang = rep.progress, rep.lang
    t = pd.DataFrame({
        text("col_indicator", lang): p[f"name_{lang}"],
        text("col_sdg", lang): p["sdg_code"],
        text("col_baseline", lang): [f"{v:g} ({int(y)})" for v, y in zip(p["baseline_value"], p["baseline_year"])],
        text("col_latest", lang): [f"{v:g} ({int(y)})" for v, y in zip(p["latest_value"], p["latest_year"])],
        text("col_target", lang): [f"{v:g} ({int(y)})" for v, y in zip(p["target_value"], p["target_year"])],
        text("col_achievement", lang): [f"{a:.0%}" if pd.notna(a) else "—" for a in p["achievement"]],
        text("col_projection", lang): [
            _projection(v, lo, hi, unit) for v, lo, hi, unit in
            zip(p["projection"], p["projection_pi_low"], p["projection_pi_upp"], p["unit"])],
        text("col_status", lang): [status_label(s, lang) for s in p["status"]],
        text("col_summary", lang): [status_summary(s, lang) for s in p["status"]],
    })
    colours = dict(zip(t[text("col_status", lang)], (STATUS_COLORS[s] for s in p["status"])))
    return (t.style.hide(axis="index")
            .map(lambda v: f"background-color: {colours.get(v, '')}",
                 subset=[text("col_status", lang)]))


def outcome_figure(rep: RegionReport):
    if rep.progress.empty:
        return None
    return plots.indicator_trends(rep.values, rep.progress, name_column=f"name_{rep.lang}",
                                  value_label=text("col_value", rep.lang),
                                  target_label=text("col_target", rep.lang))


def attribution_text(rep: RegionReport) -> str:
    a = rep.attribution
    ok = a[a["supported"]]
    if ok.empty:
        reason = a["reason"].iloc[0] if len(a) else ""
        return text("attribution_none", rep.lang, reason=reason)
    pre_ok = ok[ok["pretrend_pvalue"] > 0.05]
    return text("attribution_summary", rep.lang, n_treated=int(ok["n_treated"].max()),
                n_control=int(ok["n_control"].max()), n_ok=len(pre_ok), n=len(ok))


def attribution_table(rep: RegionReport) -> pd.DataFrame:
    lang, a = rep.lang, rep.attribution
    names = rep.progress.set_index("indicator_id")[f"name_{lang}"] if len(rep.progress) else {}
    return pd.DataFrame({
        text("col_indicator", lang): [names.get(i, i) for i in a["indicator_id"]],
        text("col_effect", lang): [_num(v) for v in a["estimate"]],  # NaN when not supported
        text("col_ci", lang): [_interval(lo, hi) for lo, hi in zip(a["ci_low"], a["ci_upp"])],
        text("col_pretrend", lang): [_num(v, 3) for v in a["pretrend_pvalue"]],
        text("col_note", lang): a["reason"].to_numpy(),
    })


def show(*parts) -> None:
    """Display report pieces in order: Markdown strings, tables/Stylers, figures.

    Figures are closed after display so the notebook shows each exactly once.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display

    for part in parts:
        if part is None:
            continue
        if isinstance(part, str):
            display(Markdown(part))
        elif isinstance(part, plt.Figure):
            display(part)
            plt.close(part)
        elif isinstance(part, pd.DataFrame):
            display(part.style.hide(axis="index"))
        else:
            display(part)


def method_text(rep: RegionReport) -> str:
    inputs = ", ".join(f"`{name}` {meta['sha256'][:12]}"
                       for name, meta in rep.manifest["inputs"].items())
    digest = manifest_digest(rep.manifest)
    return (text("method", rep.lang) + "\n\n"
            + text("provenance", rep.lang, version=__version__, manifest=digest, inputs=inputs))
