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
:mod:`evalkit.analyse.synthesis_tables`; the waves' :data:`WAVE_TABLES`); nothing here
fits or estimates. With survey waves (issue #13) the regions' trajectories are shown side
by side: the health score and the index per wave, and each region's change since the
previous wave; with one wave, one sentence says that change needs a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import __version__
from evalkit.analyse import results
from evalkit.analyse.synthesis_tables import HEALTH_OUTCOME_MIN_REGIONS, HealthOutcomeFit
from evalkit.analyse.waves import OVERALL  # the health score's rows in wave_scores / wave_change
from evalkit.core.config import CI_LEVEL, MIN_CELL, PROCESSED_DATA_DIR
from evalkit.core.contract import DEFAULT_SCALE, Scale
from evalkit.core.domain import sector_labels
from evalkit.measure import effectiveness
from evalkit.present import figures as plots
from evalkit.present import index_wording
from evalkit.present.i18n import md, text
from evalkit.present.wave_results import single_wave_result, wave_result
from evalkit.read import products
from evalkit.read.products import manifest_digest
from evalkit.read.regions import get_region

#: The results tables :func:`load_synthesis` reads (all it reads, with the sectors, the
#: scale and the manifest).
SYNTHESIS_TABLES = ("shrinkage", "shrinkage_fit", "sector_model", "sector_ordinal", "index",
                    "index_scenarios", "index_shifts", "attribution", "event_study",
                    "health_outcome", "health_outcome_fit")
#: The wave results tables it reads too (:func:`evalkit.present.wave_results.wave_result`:
#: a results folder from before waves reads as one wave).
WAVE_TABLES = ("waves", "wave_scores", "wave_change", "wave_index", "index_change")


@dataclass
class Synthesis:
    """The cross-region results a synthesis report presents."""

    lang: str
    tables: dict
    sectors: pd.DataFrame
    manifest: dict
    figures: dict = field(default_factory=dict)  # figures it has: (figure, part) -> order drawn
    scale: Scale = DEFAULT_SCALE  # the form's answer scale (scale.parquet)
    dimensions: pd.DataFrame = field(default_factory=pd.DataFrame)  # dimensions.parquet

    def name(self, code: str) -> str:
        return get_region(code).name

    def dimension_name(self, code: str) -> str:
        """A dimension's name in the synthesis' language (blank: the other language, then
        the code); ``overall``, the mean over the dimensions, is the health score."""
        if code == "overall":
            return text("health_score", self.lang)
        if self.dimensions.empty or "dimension" not in self.dimensions.columns:
            return code
        dims = products.with_language_fallback(self.dimensions, "label", "dimension")
        return str(dims.set_index("dimension")[f"label_{self.lang}"].get(code, code))


def load_synthesis(lang: str = "id", processed_dir: Path | str | None = None) -> Synthesis:
    """Read the saved cross-region results (:data:`SYNTHESIS_TABLES`), the sectors, the
    scale and the manifest. Reads only: the run stage computes the results first
    (:func:`evalkit.run.stages.ensure_results`)."""
    processed = Path(processed_dir) if processed_dir else PROCESSED_DATA_DIR
    return Synthesis(
        lang=lang, tables={**{t: products.read_result(t, processed) for t in SYNTHESIS_TABLES},
                           **{t: wave_result(t, processed) for t in WAVE_TABLES}},
        sectors=products.read_sectors(processed), scale=products.read_scale(processed),
        manifest=products.read_manifest(processed),
        dimensions=products.read_processed("dimensions", processed))


#: The synthesis' figures in the order the notebook shows them, with the caption keys each
#: may be drawn with (``<figure>_extremes``: only the extreme regions shown); numbered by
#: :func:`evalkit.present.figures.figure_number`. ``fig_pretrend`` is drawn once per
#: indicator (``part``).
FIGURE_ORDER: dict[str, tuple[str, ...]] = {
    name: (name, f"{name}_extremes") for name in (
        "fig_caterpillar", "fig_health_outcome", "fig_pretrend", "fig_index", "fig_sensitivity",
        "fig_health_trajectory", "fig_index_trajectory")}


def figure(fig, key: str, syn: Synthesis, *, part: int = 0, **values):
    """A figure with its numbered caption and alt text (see :func:`evalkit.present.report.figure`):
    numbered by its place in :data:`FIGURE_ORDER` among the figures this synthesis has, so
    a cell run again keeps its numbers; ``part``: the figures of one key drawn in turn."""
    from IPython.display import HTML

    if fig is None:  # nothing to draw (e.g. too few regions): no number, no caption
        return None
    n = plots.figure_number(syn.figures, FIGURE_ORDER, key, part)
    return HTML(plots.figure_html(fig, text("figure", syn.lang, n=n),
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
    cells.columns = [syn.dimension_name(str(d)) for d in cells.columns]  # names, not ids
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
        title = indicator_title(rows, indicator_id, syn.lang)
        figures.append(plots.pretrend_figure(rows, title=title, lang=syn.lang))
    return figures


def indicator_title(rows: pd.DataFrame, indicator_id: str, lang: str) -> str:
    """The name of an indicator in ``lang`` from its event-study ``rows``.

    Parameters
    ----------
    rows : pandas.DataFrame
        The indicator's rows of the ``event_study`` table (``name_id``, ``name_en``; a
        table saved without them, or with them blank, is read too).
    indicator_id : str
        The indicator: the title when neither language names it.
    lang : str
        The report language.

    Returns
    -------
    str
        The name in ``lang``, else in the other language, else ``indicator_id``.
    """
    if not len(rows):
        return str(indicator_id)
    named = products.with_language_fallback(rows.head(1).assign(indicator_id=str(indicator_id)),
                                            "name", "indicator_id")
    return str(named[f"name_{lang}"].iat[0]).strip() or str(indicator_id)


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


# --- trajectories across waves (issue #13) ---------------------------------------------------

#: Regions in a trajectory figure: up to this many panels; a larger programme shows the
#: regions whose value changed most since the previous wave (all are in summary.xlsx).
TRAJECTORY_PANELS = 16


def _wave_table(syn: Synthesis, name: str) -> pd.DataFrame:
    """A wave results table of the synthesis (one wave's when it was loaded without)."""
    table = syn.tables.get(name)
    return single_wave_result(name) if table is None else table


def wave_labels(syn: Synthesis) -> list[str]:
    """The wave labels, first to latest."""
    waves = _wave_table(syn, "waves")
    return [str(w) for w in waves.sort_values("order", kind="stable")["wave"]]


def multi_wave(syn: Synthesis) -> bool:
    """True when there are at least two waves to compare."""
    return len(wave_labels(syn)) > 1


def _excludes_zero(low: object, high: object) -> str:
    """``"up"``/``"down"`` when the interval lies above/below zero, else ``""``."""
    if pd.notna(low) and float(low) > 0:
        return "up"
    if pd.notna(high) and float(high) < 0:
        return "down"
    return ""


def _health_called(row: dict) -> str:
    """The health change's call: ``changed``/``direction`` as the results stage decided,
    or, where it left them out (no Holm p for the health score, a single test), whether
    its interval excludes zero (``CI_LEVEL``)."""
    changed = row.get("changed")
    if pd.notna(row.get("p_holm")) and pd.notna(changed):
        if not bool(changed):
            return ""
        direction = str(row.get("direction") or "")
        return direction if direction in ("up", "down") else _excludes_zero(
            row.get("ci_low"), row.get("ci_upp"))
    return _excludes_zero(row.get("ci_low"), row.get("ci_upp"))


def _previous_changes(syn: Synthesis, comparison: str = "previous") -> pd.DataFrame:
    """The health score's change since the previous (or ``"first"``) wave, one row per region."""
    change = _wave_table(syn, "wave_change")
    rows = change[(change["dimension"].astype(str) == OVERALL)
                  & (change["comparison"].astype(str) == comparison)]
    return rows.drop_duplicates("region_code").set_index("region_code")


def _index_changes(syn: Synthesis) -> pd.DataFrame:
    """The index change since the previous wave, one row per region, without regions whose
    index is suppressed in either wave."""
    change = _wave_table(syn, "index_change").drop_duplicates("region_code")
    index = _wave_table(syn, "wave_index")
    hidden = index[index["suppressed"].fillna(False).astype(bool)]
    hidden = set(zip(hidden["region_code"].astype(str), hidden["wave"].astype(str)))
    keep = [(str(c), str(f)) not in hidden and (str(c), str(t)) not in hidden
            for c, f, t in zip(change["region_code"], change["from_wave"], change["to_wave"])]
    return change[pd.Series(keep, index=change.index, dtype=bool)].set_index("region_code")


def trajectory_text(syn: Synthesis) -> str:
    """The trajectories in a paragraph: the waves, and in how many regions the health score
    and the index rose or fell since the previous wave (called changes only). With one
    wave: the sentence that change needs a second."""
    waves = wave_labels(syn)
    if len(waves) < 2:
        return md("syn_change_single", syn.lang, wave=waves[0] if waves else "")
    calls = _health_calls(syn, "previous")
    index = _index_changes(syn)
    index_calls = [_excludes_zero(lo, hi) for lo, hi in zip(index["ci_low"], index["ci_upp"])]
    out = md("syn_change_intro", syn.lang, n_waves=len(waves), first=waves[0],
             latest=waves[-1], previous=waves[-2], up=calls.count("up"),
             down=calls.count("down"), n=len(calls), index_up=index_calls.count("up"),
             index_down=index_calls.count("down"), ci=f"{CI_LEVEL:.0%}")
    first = _health_calls(syn, "first")
    if len(waves) >= 3 and first:
        out += " " + md("syn_change_since_first", syn.lang, first=waves[0], up=first.count("up"),
                        down=first.count("down"), n=len(first))
    return out + "\n\n" + md("syn_change_index_note", syn.lang)


def _health_calls(syn: Synthesis, comparison: str) -> list[str]:
    """The call (``"up"``, ``"down"``, ``""``) of each region's health change that could be
    estimated (not suppressed)."""
    health = _previous_changes(syn, comparison)
    health = health[~health["suppressed"].fillna(False).astype(bool)]
    return [_health_called(r) for r in health.reset_index().to_dict("records")]


def _shown_regions(changes: pd.DataFrame, value: str, codes: list[str]) -> tuple[list[str], bool]:
    """The regions of a trajectory figure (``codes`` in order) and whether only those that
    changed most (largest ``|value|`` in ``changes``, indexed by region) are shown."""
    if len(codes) <= TRAJECTORY_PANELS:
        return codes, False
    size = pd.to_numeric(changes[value], errors="coerce").abs().reindex(codes)
    top = set(size.sort_values(ascending=False, kind="stable").head(TRAJECTORY_PANELS).index)
    return [c for c in codes if c in top], True


def _health_trajectory_data(syn: Synthesis) -> tuple[pd.DataFrame, bool, int]:
    scores = _wave_table(syn, "wave_scores")
    scores = scores[scores["dimension"].astype(str) == OVERALL].copy()
    # a wave under MIN_CELL respondents in the region is never drawn
    hidden = scores["suppressed"].fillna(False).astype(bool) | (
        pd.to_numeric(scores["nobs"], errors="coerce") < MIN_CELL)
    scores.loc[hidden, ["estimate", "ci_low", "ci_upp"]] = np.nan
    published = scores.groupby("region_code")["estimate"].apply(lambda e: e.notna().any())
    codes = sorted(published[published].index.astype(str))
    shown, extremes = _shown_regions(_previous_changes(syn), "estimate", codes)
    return scores[scores["region_code"].astype(str).isin(shown)], extremes, len(codes)


def _index_trajectory_data(syn: Synthesis) -> tuple[pd.DataFrame, bool, int]:
    index = _wave_table(syn, "wave_index").copy()
    index.loc[index["suppressed"].fillna(False).astype(bool), ["index", "ci_low", "ci_upp"]] = np.nan
    index = index.rename(columns={"index": "estimate"})
    published = index.groupby("region_code")["estimate"].apply(lambda e: e.notna().any())
    codes = sorted(published[published].index.astype(str))
    shown, extremes = _shown_regions(_index_changes(syn), "change", codes)
    return index[index["region_code"].astype(str).isin(shown)], extremes, len(codes)


def health_trajectory_figure(syn: Synthesis):
    """The health score per wave, one panel per region (``None`` with one wave)."""
    if not multi_wave(syn):
        return None
    data, _, _ = _health_trajectory_data(syn)
    if data.empty:
        return None
    scale = syn.scale
    return plots.trajectory_grid(
        data.sort_values(["region_code", "order"], kind="stable"), waves=wave_labels(syn),
        labels={c: syn.name(c) for c in data["region_code"].unique()},
        ylabel=text("axis_health_wave", syn.lang, scale=scale.range_text()),
        xlabel=text("axis_wave", syn.lang), ylim=(float(scale.min), float(scale.max)))


def index_trajectory_figure(syn: Synthesis):
    """The effectiveness index per wave, one panel per region (``None`` with one wave)."""
    if not multi_wave(syn):
        return None
    data, _, _ = _index_trajectory_data(syn)
    if data.empty:
        return None
    return plots.trajectory_grid(
        data.sort_values(["region_code", "order"], kind="stable"), waves=wave_labels(syn),
        labels={c: syn.name(c) for c in data["region_code"].unique()},
        ylabel=text("axis_index_wave", syn.lang), xlabel=text("axis_wave", syn.lang),
        ylim=(0.0, 100.0))


def trajectory_caption(syn: Synthesis, key: str = "fig_health_trajectory") -> dict:
    """Caption key and values of the health (or, ``key="fig_index_trajectory"``, the index)
    trajectory figure; says when only the regions that changed most are shown."""
    data = _health_trajectory_data if key == "fig_health_trajectory" else _index_trajectory_data
    frame, extremes, n = data(syn)
    if extremes:
        return {"key": f"{key}_extremes", "k": int(frame["region_code"].nunique()), "n": n,
                "min_cell": MIN_CELL}
    return {"key": key, "min_cell": MIN_CELL}


def _number(x: object, spec: str) -> str:
    """``x`` formatted by ``spec``; a value that rounds to zero without a minus sign."""
    out = format(float(x), spec)
    return format(0.0, spec) if float(out) == 0 else out


def _interval(estimate: object, low: object, high: object, fmt: str, sign: str = "") -> str:
    if pd.isna(estimate):
        return "—"
    if pd.isna(low) or pd.isna(high):
        return _number(estimate, sign + fmt)
    return f"{_number(estimate, sign + fmt)} ({_number(low, fmt)}–{_number(high, fmt)})"


_ARROW = {"up": "▲", "down": "▼"}  # a called change: a sign and an arrow, never colour alone


def _health_cell(row: dict, lang: str, too_small: str) -> str:
    """A health change in one cell: ``▲ +0.38 (0.10–0.66)`` when called, else the number."""
    if not row:
        return "—"
    if pd.notna(row.get("suppressed")) and bool(row["suppressed"]):
        return (text("syn_change_missing_wave", lang) if str(row.get("reason")) == "missing_wave"
                else too_small)
    number = _interval(row["estimate"], row["ci_low"], row["ci_upp"], ".2f", "+")
    call = _health_called(row)
    return f"{_ARROW[call]} {number}" if call else number


def _call_word(call: str, lang: str) -> str:
    return text(f"syn_change_{call}" if call else "syn_change_none", lang)


def change_table(syn: Synthesis) -> pd.DataFrame | None:
    """Each region's change since the previous wave: the health score and the index, with
    their intervals and whether each is called a change (its interval excludes zero; the
    health score's as the results stage called it), and the rank before and after.

    ``None`` with one wave (nothing to compare). Regions under MIN_CELL respondents in a wave show no
    number. The table is shown through :func:`evalkit.present.report.show` (every cell
    HTML-escaped): the wave labels come from the user's files.
    """
    lang = syn.lang
    if not multi_wave(syn):
        return None
    waves = wave_labels(syn)
    first = _previous_changes(syn, "first") if len(waves) >= 3 else pd.DataFrame()
    cols = {k: text(f"syn_change_col_{k}", lang) for k in (
        "waves", "health", "health_change", "health_called",
        *(["health_first"] if len(first) else []), "index", "index_change", "index_called", "rank")}
    columns = [text("syn_col_region", lang), *cols.values()]
    latest, previous = waves[-1], waves[-2]
    health, index = _previous_changes(syn), _index_changes(syn)
    scores = _wave_table(syn, "wave_scores")
    scores = scores[(scores["dimension"].astype(str) == OVERALL)
                    & (scores["wave"].astype(str) == latest)]
    scores = scores.drop_duplicates("region_code").set_index("region_code")
    too_small = text("too_small", lang, min_cell=MIN_CELL)
    rows = []
    for code in sorted(set(health.index.astype(str)) | set(index.index.astype(str))):
        h = health.loc[code].to_dict() if code in health.index else {}
        i = index.loc[code].to_dict() if code in index.index else {}
        from_wave, to_wave = (h.get("from_wave") if h else i.get("from_wave"),
                              h.get("to_wave") if h else i.get("to_wave"))
        row = {columns[0]: syn.name(code),
               cols["waves"]: f"{from_wave or previous} → {to_wave or latest}"}
        s = scores.loc[code] if code in scores.index else None
        small = s is not None and (
            (pd.notna(s["suppressed"]) and bool(s["suppressed"]))
            or bool(pd.to_numeric(pd.Series([s["nobs"]]), errors="coerce").lt(MIN_CELL).iat[0]))
        row[cols["health"]] = (too_small if small else "—" if s is None else
                               _interval(s["estimate"], s["ci_low"], s["ci_upp"], ".2f"))
        if not h:
            row[cols["health_change"]] = row[cols["health_called"]] = "—"
        elif pd.notna(h.get("suppressed")) and bool(h["suppressed"]):
            row[cols["health_change"]] = (text("syn_change_missing_wave", lang)
                                          if str(h.get("reason")) == "missing_wave" else too_small)
            row[cols["health_called"]] = "—"
        else:
            row[cols["health_change"]] = _interval(h["estimate"], h["ci_low"], h["ci_upp"], ".2f", "+")
            row[cols["health_called"]] = _call_word(_health_called(h), lang)
        if len(first):
            f = first.loc[code].to_dict() if code in first.index else {}
            row[cols["health_first"]] = _health_cell(f, lang, too_small)
        if not i:
            row[cols["index"]] = row[cols["index_change"]] = row[cols["index_called"]] = "—"
            row[cols["rank"]] = "—"
        else:
            index_to = _wave_table(syn, "wave_index")
            at = index_to[(index_to["region_code"].astype(str) == code)
                          & (index_to["wave"].astype(str) == str(i["to_wave"]))]
            row[cols["index"]] = ("—" if at.empty else
                                  _interval(at["index"].iat[0], at["ci_low"].iat[0],
                                            at["ci_upp"].iat[0], ".1f"))
            row[cols["index_change"]] = _interval(i["change"], i["ci_low"], i["ci_upp"], ".1f", "+")
            row[cols["index_called"]] = ("—" if pd.isna(i["change"]) else
                                         _call_word(_excludes_zero(i["ci_low"], i["ci_upp"]), lang))
            ranks = [i.get("rank_from"), i.get("rank_to")]
            row[cols["rank"]] = ("—" if any(pd.isna(r) for r in ranks)
                                 else f"{int(ranks[0])} → {int(ranks[1])}")
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)
