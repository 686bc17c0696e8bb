"""The cross-region synthesis report: what no single regional report can show.

Regions compared with their uncertainty (partial pooling), the sector effects pooled
over regions, the relation between partnership health and outcome progress, the
partnership effect on indicators with its pre-trend check, and the effectiveness
ranking with its sensitivity to weights. Like :mod:`evalkit.present.report`, functions return
Markdown, tables or figures; the notebook only shows them (:func:`evalkit.present.report.show`,
which HTML-escapes every table cell). Markdown is filled with :func:`evalkit.present.i18n.md`:
region and sector names are escaped, only evalkit's own wording formats.

Presentation only: every number comes from the results tables (:data:`SYNTHESIS_TABLES`,
computed once by the results stage, the synthesis' own by
:mod:`evalkit.analyse.synthesis_tables`); nothing here fits or estimates.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import __version__
from evalkit.analyse import results
from evalkit.analyse.synthesis_tables import HEALTH_OUTCOME_MIN_REGIONS, HealthOutcomeFit
from evalkit.core.config import MIN_CELL, PROCESSED_DATA_DIR
from evalkit.core.contract import DEFAULT_SCALE, Scale
from evalkit.core.domain import sector_labels
from evalkit.measure import effectiveness
from evalkit.present import figures as plots
from evalkit.present import index_wording
from evalkit.present.i18n import md, text
from evalkit.read import products
from evalkit.read.products import manifest_digest
from evalkit.read.regions import get_region

#: The results tables :func:`load_synthesis` reads (all it reads, with the sectors, the
#: scale and the manifest).
SYNTHESIS_TABLES = ("shrinkage", "shrinkage_fit", "sector_model", "sector_ordinal", "index",
                    "index_scenarios", "index_shifts", "attribution", "event_study",
                    "health_outcome", "health_outcome_fit")


@dataclass
class Synthesis:
    """The cross-region results a synthesis report presents."""

    lang: str
    tables: dict
    sectors: pd.DataFrame
    manifest: dict
    figures: int = 0
    scale: Scale = DEFAULT_SCALE  # the form's answer scale (scale.parquet)

    def name(self, code: str) -> str:
        return get_region(code).name


def load_synthesis(lang: str = "id", processed_dir: Path | str | None = None) -> Synthesis:
    """Read the saved cross-region results (:data:`SYNTHESIS_TABLES`), the sectors, the
    scale and the manifest. Reads only: the run stage computes the results first
    (:func:`evalkit.run.stages.ensure_results`)."""
    processed = Path(processed_dir) if processed_dir else PROCESSED_DATA_DIR
    return Synthesis(
        lang=lang, tables={t: products.read_result(t, processed) for t in SYNTHESIS_TABLES},
        sectors=products.read_sectors(processed), scale=products.read_scale(processed),
        manifest=products.read_manifest(processed))


def figure(fig, key: str, syn: Synthesis, **values):
    """A figure with its numbered caption and alt text (see :func:`evalkit.present.report.figure`)."""
    from IPython.display import HTML

    if fig is None:  # nothing to draw (e.g. too few regions): no number, no caption
        return None
    syn.figures += 1
    return HTML(plots.figure_html(fig, text("figure", syn.lang, n=syn.figures),
                                  text(key, syn.lang, **values)))


def title(syn: Synthesis) -> str:
    fit = syn.tables["shrinkage_fit"].iloc[0]
    return (f"# {md('syn_title', syn.lang)}\n\n"
            + md("syn_intro", syn.lang, n_regions=int(fit["n_regions"]), n=int(fit["n"])))


# --- regions compared with uncertainty ---------------------------------------------------

def _published(table: pd.DataFrame) -> pd.DataFrame:
    """The shrinkage table without the regions under MIN_CELL respondents.

    Neither their raw nor their shrunken mean is published: the shrunken mean is the raw
    one pulled toward the grand mean by the shrinkage weight, and with both of those
    published it gives the raw mean back."""
    return table[table["n"] >= MIN_CELL].copy()


def pooling_text(syn: Synthesis) -> str:
    fit = syn.tables["shrinkage_fit"].iloc[0]
    if int(fit["n_regions"]) < 2:  # one region: no between-region variance, nothing pooled
        return md("syn_one_region", syn.lang)
    table = syn.tables["shrinkage"]
    table = table[table["n"] >= MIN_CELL] if (table["n"] >= MIN_CELL).any() else table
    moved = table.loc[(table["shrunken"] - table["raw_mean"]).abs().idxmax()]
    return md("syn_pooling", syn.lang, icc=fit["icc"], icc_low=fit["icc_ci_low"],
              icc_high=fit["icc_ci_upp"], grand=fit["grand_mean"],
              region=syn.name(moved["region_code"]), n=int(moved["n"]),
              raw=moved["raw_mean"], shrunken=moved["shrunken"])


def caterpillar(syn: Synthesis):
    """Raw and shrunken region means; in a large programme the 20 highest and 20 lowest."""
    table = _published(syn.tables["shrinkage"])
    table = table[table["region_code"].isin(_extremes(_by_shrunken(table))[0])]
    labels = {c: syn.name(c) for c in table["region_code"]}
    ax = plots.caterpillar_figure(table, labels=labels,
                                  grand_mean=float(syn.tables["shrinkage_fit"]["grand_mean"].iat[0]),
                                  raw_label=text("syn_raw", syn.lang),
                                  shrunken_label=text("syn_shrunken", syn.lang))
    return ax.figure


def pooling_table(syn: Synthesis) -> pd.DataFrame:
    t, lang = syn.tables["shrinkage"].sort_values("shrunken", ascending=False), syn.lang
    # a region under MIN_CELL respondents: no raw or shrunken mean, no weight (together
    # with the grand mean, the weight and the shrunken mean give the raw mean back)
    small = (t["n"] < MIN_CELL).to_numpy()
    too_small = text("too_small", lang, min_cell=MIN_CELL)
    return pd.DataFrame({
        text("syn_col_region", lang): [syn.name(c) for c in t["region_code"]],
        text("col_n", lang): [f"<{MIN_CELL}" if n < MIN_CELL else int(n) for n in t["n"]],
        text("syn_raw", lang): [too_small if s else f"{m:.2f} ({lo:.2f}–{hi:.2f})"
                                for m, lo, hi, s in
                                zip(t["raw_mean"], t["raw_ci_low"], t["raw_ci_upp"], small)],
        text("syn_shrunken", lang): [too_small if s else f"{m:.2f} ({lo:.2f}–{hi:.2f})"
                                     for m, lo, hi, s in zip(t["shrunken"], t["shrunken_ci_low"],
                                                             t["shrunken_ci_upp"], small)],
        "λ": ["—" if s else f"{w:.2f}" for w, s in zip(t["shrinkage_weight"], small)],
    })


# --- sectors pooled over regions ---------------------------------------------------------------

def _by_sector_and_dimension(table: pd.DataFrame, value: str, fmt: str, syn: Synthesis
                             ) -> pd.DataFrame:
    """A sector x dimension grid of ``value`` (formatted), * where p < 0.05."""
    labels = sector_labels(syn.sectors, syn.lang)
    table = table[table[value].notna()]
    cells = (table.pivot(index="sector", columns="dimension", values=value).map(fmt.format)
             + table.pivot(index="sector", columns="dimension", values="pvalue")
             .map(lambda p: "*" if p < 0.05 else ""))
    cells = cells[[d for d in dict.fromkeys(table["dimension"].astype(str)) if d in cells.columns]]
    cells.index = [labels.get(s, s) for s in cells.index]
    return cells.reset_index(names=text("col_sector", syn.lang))


def sector_table(syn: Synthesis) -> pd.DataFrame:
    """Sector differences from the reference, per dimension (mixed model, all regions)."""
    m = syn.tables["sector_model"].assign(dimension=lambda t: t["dimension"].astype(str))
    return _by_sector_and_dimension(m, "estimate", "{:+.2f}", syn)


def ordinal_table(syn: Synthesis) -> pd.DataFrame:
    """Odds ratios of a higher answer vs the reference, per dimension (ordinal model)."""
    return _by_sector_and_dimension(syn.tables["sector_ordinal"], "odds_ratio", "{:.2f}", syn)


def sector_text(syn: Synthesis) -> str:
    m = syn.tables["sector_model"]
    overall = m[(m["dimension"] == "overall") & m["estimate"].notna()]
    if overall.empty:  # no model fitted (one region, or too few respondents per sector)
        return ""
    labels = sector_labels(syn.sectors, syn.lang)
    low = overall.loc[overall["estimate"].idxmin()]
    return md("syn_sectors", syn.lang, sector=labels.get(low["sector"], low["sector"]),
              reference=labels.get(low["reference"], low["reference"]), estimate=low["estimate"],
              low=low["ci_low"], high=low["ci_upp"])


def ordinal_text(syn: Synthesis) -> str:
    labels = sector_labels(syn.sectors, syn.lang)
    reference = syn.tables["sector_ordinal"]["reference"].iat[0]
    return md("syn_ordinal", syn.lang, reference=labels.get(reference, reference))


# --- health and outcomes -------------------------------------------------------------------------

def health_outcome_data(syn: Synthesis) -> pd.DataFrame:
    """Per region: pooled health score and the outcome pillar of the index (0-1), as the
    results stage saved them (:func:`evalkit.analyse.synthesis_tables.health_outcome_data`).

    Only regions published in the shrinkage table (at least MIN_CELL respondents) are
    shown: the results stage leaves the others out already, and a figure must never show
    an unpublished health score (see :func:`_published`)."""
    published = set(_published(syn.tables["shrinkage"])["region_code"])
    data = syn.tables["health_outcome"]
    return data[data["region_code"].isin(published)].reset_index(drop=True)


def _health_outcome_fit(syn: Synthesis) -> HealthOutcomeFit:
    """The saved fit of outcome progress on partnership health across regions
    (:func:`evalkit.analyse.synthesis_tables.health_outcome_fit`: OLS with HC3 standard
    errors and Spearman's rank correlation)."""
    row = syn.tables["health_outcome_fit"].iloc[0]
    return HealthOutcomeFit(**{f.name: (int if f.name == "nobs" else float)(row[f.name])
                               for f in fields(HealthOutcomeFit)})


def health_outcome_text(syn: Synthesis) -> str:
    fit = _health_outcome_fit(syn)
    if not fit.fitted:
        return md("syn_health_outcome_few", syn.lang, n=fit.nobs,
                  minimum=HEALTH_OUTCOME_MIN_REGIONS)
    return md("syn_health_outcome", syn.lang, n=fit.nobs, slope=fit.slope, low=fit.ci_low,
              high=fit.ci_upp, p=fit.pvalue, r2=fit.r2, rho=fit.spearman, rho_p=fit.spearman_p)


def health_outcome_figure(syn: Synthesis):
    import matplotlib.pyplot as plt

    fit = _health_outcome_fit(syn)
    if not fit.fitted:
        return None
    data = health_outcome_data(syn)
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.scatter(data["shrunken"], data["outcome"], color="#1f78b4", zorder=3)
    for code, x, y in zip(data["region_code"], data["shrunken"], data["outcome"]):
        ax.annotate(syn.name(code), (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    xs = np.linspace(data["shrunken"].min(), data["shrunken"].max(), 50)
    ax.plot(xs, fit.intercept + fit.slope * xs, color="#7f7f7f", linestyle="--")
    ax.set_xlabel(text("syn_x_health", syn.lang, scale=syn.scale.range_text()))
    ax.set_ylabel(text("syn_y_outcome", syn.lang))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


# --- attribution ---------------------------------------------------------------------------------

def attribution_text(syn: Synthesis) -> str:
    a = syn.tables["attribution"]
    ok = a[a["supported"]]
    return md("syn_attribution", syn.lang, n=len(ok), n_all=len(a))


def attribution_figures(syn: Synthesis) -> list:
    """The event-study (pre-trend) figure of every indicator the data can support, drawn
    from the saved ``event_study`` table (the fits of the attribution table), titled with
    the indicator's name in the report language."""
    events = syn.tables["event_study"]
    figures = []
    for indicator_id in syn.tables["attribution"].query("supported")["indicator_id"]:
        rows = events[events["indicator_id"] == indicator_id]
        title = rows[f"name_{syn.lang}"].iat[0] if len(rows) else str(indicator_id)
        figures.append(plots.pretrend_figure(rows, title=title, lang=syn.lang))
    return figures


# --- index ---------------------------------------------------------------------------------------

def index_text(syn: Synthesis) -> str:
    shifts = syn.tables["index_shifts"].set_index("scenario")["mean_abs_shift"]
    return (md("syn_index", syn.lang, worst=shifts.idxmax(), shift=shifts.max())
            + "\n\n" + index_wording.method_text(_index_spec(syn), lang=syn.lang,
                                                   n_boot=results.INDEX_BOOTSTRAP,
                                                   n_draws=results.WEIGHT_DRAWS))


#: In a programme of more regions than twice this, the index and sensitivity figures show
#: the highest- and lowest-ranked this many (all regions are in summary.xlsx): a chart of
#: 552 rows is unreadable, and cost 18 s to draw.
FIGURE_EXTREMES = 20


def _index_spec(syn: Synthesis):
    """The index specification for the form's scale (see :func:`evalkit.present.report.index_spec`)."""
    spec_for_scale = getattr(effectiveness, "spec_for_scale", None)
    return spec_for_scale(syn.scale) if spec_for_scale is not None else effectiveness.DEFAULT_SPEC


def _extremes(boot: pd.DataFrame) -> tuple[list[str], bool]:
    """Region codes the country-wide figures show, and whether that is only the extremes."""
    ranked = boot.dropna(subset=["rank"]).sort_values("rank")
    if len(ranked) <= 2 * FIGURE_EXTREMES:
        return list(boot["region_code"]), False
    keep = pd.concat([ranked.head(FIGURE_EXTREMES), ranked.tail(FIGURE_EXTREMES)])
    return list(keep["region_code"]), True


def index_figure(syn: Synthesis):
    boot = syn.tables["index"]
    shown, _ = _extremes(boot)
    boot = boot[boot["region_code"].isin(shown)]
    return plots.index_figure(boot, labels={c: syn.name(c) for c in boot["region_code"]},
                              lang=syn.lang).figure


def sensitivity_figure(syn: Synthesis):
    shown, _ = _extremes(syn.tables["index"])
    scen = syn.tables["index_scenarios"]
    scen = scen[scen["region_code"].isin(shown)]
    return plots.sensitivity_figure(
        scen, labels={c: syn.name(c) for c in scen["region_code"].unique()}, lang=syn.lang).figure


def _by_shrunken(table: pd.DataFrame) -> pd.DataFrame:
    """The shrinkage table with a ``rank`` column (1 = highest shrunken mean)."""
    return table.assign(rank=table["shrunken"].rank(ascending=False, method="first"))


def _extremes_caption(key: str, ranked: pd.DataFrame) -> dict:
    """Caption ``key`` and its values, or ``<key>_extremes`` when only the extremes are shown."""
    if _extremes(ranked)[1]:
        return {"key": f"{key}_extremes", "k": FIGURE_EXTREMES,
                "n": int(ranked["rank"].notna().sum())}
    return {"key": key}


def caterpillar_caption(syn: Synthesis) -> dict:
    """Caption key and values of :func:`caterpillar` (says when only the extremes are shown)."""
    return _extremes_caption("fig_caterpillar", _by_shrunken(syn.tables["shrinkage"]))


def index_caption(syn: Synthesis, key: str = "fig_index") -> dict:
    """Caption key and values of the index (or, with ``key="fig_sensitivity"``, the
    sensitivity) figure: says when only the highest and lowest ranks are shown."""
    return _extremes_caption(key, syn.tables["index"])


def method_text(syn: Synthesis) -> str:
    from evalkit.present.report import input_list

    inputs = input_list(syn.manifest)
    return md("provenance", syn.lang, version=__version__,
              manifest=manifest_digest(syn.manifest), inputs=inputs)
