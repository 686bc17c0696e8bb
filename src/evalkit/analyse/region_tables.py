"""Analysis tables computed from the processed data, for every region at once.

Pure functions: processed DataFrames in, tidy result tables out, with the fixed
columns the notebooks, the index page and later exports all read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.core.config import CI_LEVEL, MIN_CELL
from evalkit.core.contract import DEFAULT_SCALE, Scale
from evalkit.measure.indicators import fit_trend, progress_table
from evalkit.read.regions import Region
from evalkit.measure.scales import mean_ci, score_dimensions, summarise_scores
from evalkit.measure.survey import poststratify, weighted_mean

SUMMARY_COLUMNS = ["region_code", "dimension", "estimate", "se", "ci_low", "ci_upp", "nobs",
                   "suppressed"]


def in_region(frame: pd.DataFrame, region: Region) -> pd.DataFrame:
    """Rows belonging to a region; a province includes its regencies' and cities' rows.

    ``frame`` needs ``region_code`` (and ``province_code`` for province reports).
    """
    if region.level == 1 and "province_code" in frame.columns:
        return frame[frame["province_code"] == region.code]
    return frame[frame["region_code"] == region.code]


def scale_range(scale: Scale | None = None) -> dict[str, float]:
    """``scale_min``/``scale_max`` keywords of :mod:`evalkit.measure.scales` for the form's scale
    (:data:`~evalkit.core.contract.DEFAULT_SCALE`, 1–5, when ``scale`` is None)."""
    scale = scale or DEFAULT_SCALE
    return {"scale_min": scale.min, "scale_max": scale.max}


def scores_long(survey: pd.DataFrame, items: pd.DataFrame, *,
                scale: Scale | None = None) -> pd.DataFrame:
    """One row per respondent and dimension: ``response_id, region_code, sector, dimension, score``.

    Reverse-keyed items are recoded on ``scale`` (the form's, from ``scale.parquet``;
    default the 1–5 scale) before scoring.
    """
    wide = score_dimensions(survey, items, **scale_range(scale))
    wide = pd.concat([survey[["response_id", "region_code", "sector"]], wide], axis=1)
    long = wide.melt(id_vars=["response_id", "region_code", "sector"],
                     var_name="dimension", value_name="score")
    order = list(dict.fromkeys(items["dimension"]))
    long["dimension"] = pd.Categorical(long["dimension"], categories=order, ordered=True)
    return long


def items_long(survey: pd.DataFrame, items: pd.DataFrame, *,
               scale: Scale | None = None) -> pd.DataFrame:
    """One row per respondent and answered item: ``response_id, region_code, sector,
    dimension, item, response``, reverse-keyed items recoded so that higher is better.

    Reverse keying is ``scale.reverse`` (``min + max - x`` on the form's scale, e.g.
    ``5 - x`` on 1–4; default the 1–5 scale). Answers stay integers when every point
    of the scale is a whole number.
    """
    scale = scale or DEFAULT_SCALE
    cols = items["item"].tolist()
    long = survey[["response_id", "region_code", "sector", *cols]].melt(
        id_vars=["response_id", "region_code", "sector"], var_name="item", value_name="response")
    long = long.dropna(subset=["response"])
    meta = items.set_index("item")
    reverse = long["item"].map(meta["reverse"]).astype(bool)
    long["response"] = long["response"].where(~reverse, scale.reverse(long["response"]))
    if all(float(v).is_integer() for v in scale.values):
        long["response"] = long["response"].astype("int64")
    long.insert(3, "dimension", long["item"].map(meta["dimension"]))
    return long.reset_index(drop=True)


def dimension_summary(scores: pd.DataFrame, *, ci: float = CI_LEVEL,
                      min_n: int = MIN_CELL) -> pd.DataFrame:
    """Mean score with CI per region and dimension (small regions suppressed)."""
    return summarise_scores(scores, ["region_code"], ci=ci, min_n=min_n)


def benchmark(scores: pd.DataFrame, *, ci: float = CI_LEVEL) -> pd.DataFrame:
    """The all-region benchmark: mean per dimension over every respondent."""
    return summarise_scores(scores, None, ci=ci, min_n=1)


def compare_to_benchmark(region: pd.DataFrame, bench: pd.DataFrame) -> pd.DataFrame:
    """Region rows with the benchmark beside them and ``vs_benchmark`` in above/below/similar.

    'Above' or 'below' only when the region's confidence interval excludes the
    benchmark mean (the benchmark's own sampling error is small next to a region's).
    """
    out = region.merge(bench[["dimension", "estimate"]].rename(columns={"estimate": "benchmark"}),
                       on="dimension", how="left")
    out["vs_benchmark"] = np.select(
        [out["ci_low"] > out["benchmark"], out["ci_upp"] < out["benchmark"]],
        ["above", "below"], default="similar")
    out.loc[out["suppressed"], "vs_benchmark"] = "suppressed"
    return out


def respondent_health(scores: pd.DataFrame) -> pd.DataFrame:
    """Overall partnership health per respondent: the mean of their dimension scores."""
    return (scores.groupby(["response_id", "region_code", "sector"], observed=True)["score"]
            .mean().rename("health").reset_index())


def sector_counts(survey: pd.DataFrame, sectors: pd.DataFrame, *,
                  min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Respondents per sector; counts below ``min_cell`` are suppressed.

    ``survey`` holds one region's responses. Returns ``sector, label_id, label_en, n,
    n_display`` with every codebook sector, zero counts included (a missing sector is
    a finding, not an absence of rows).
    """
    counts = survey["sector"].value_counts()
    out = sectors.copy()
    out["n"] = out["sector"].map(counts).fillna(0).astype("int64")
    out["n_display"] = np.where((out["n"] > 0) & (out["n"] < min_cell), f"<{min_cell}",
                                out["n"].astype(str))
    return out


def region_overview(survey: pd.DataFrame, scores: pd.DataFrame, progress: pd.DataFrame,
                    regions: list[Region], *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """One row per region: respondents, overall health with CI, indicator status counts.

    Health is the unweighted mean of respondents' overall scores; a province counts
    its regencies' and cities' respondents, as its report does.
    """
    health = respondent_health(scores).merge(
        survey[["response_id", "province_code"]], on="response_id", how="left")
    rows = []
    for region in regions:
        code, name = region.code, region.name
        members = in_region(health, region)
        est = mean_ci(members["health"])
        summary = progress.loc[progress["region_code"] == code, "summary"].value_counts()
        n = len(members)
        small = n < min_cell
        rows.append({
            "region_code": code, "region_name": name, "respondents": n,
            "health": np.nan if small else est.estimate,
            "health_ci_low": np.nan if small else est.ci_low,
            "health_ci_upp": np.nan if small else est.ci_upp,
            "indicators": int(summary.sum()),
            "achieved": int(summary.get("achieved", 0)),
            "on_track": int(summary.get("on_track", 0)),
            "needs_attention": int(summary.get("needs_attention", 0)),
        })
    return pd.DataFrame(rows)


def indicator_progress(values: pd.DataFrame, targets: pd.DataFrame,
                       metadata: pd.DataFrame) -> pd.DataFrame:
    """:func:`evalkit.measure.indicators.progress_table` with the indicator metadata joined."""
    table = progress_table(values, targets)
    return table.merge(metadata, on=["indicator_id", "direction"], how="left")


def trend_projections(values: pd.DataFrame, progress: pd.DataFrame) -> pd.DataFrame:
    """Linear-trend projection of each indicator to its target year, with 95% PI.

    One row per (region, indicator) of ``progress``: ``region_code, indicator_id,
    projection, projection_pi_low, projection_pi_upp, slope`` (NaN with fewer than
    three years; see :func:`evalkit.measure.indicators.fit_trend`). All series are fitted at
    once by :func:`evalkit.measure.indicators.fit_trends` (the same OLS line and prediction
    interval in closed form); without an agreed target year the projection is to
    :func:`~evalkit.measure.indicators.fit_trend`'s default year (2030).
    """
    import inspect

    from evalkit.measure.indicators import fit_trends

    keys = progress[["region_code", "indicator_id", "target_year"]]
    default_year = inspect.signature(fit_trend).parameters["target_year"].default
    trends = fit_trends(values, keys, target_year=default_year)
    return trends[["region_code", "indicator_id", "projection", "projection_pi_low",
                   "projection_pi_upp", "slope"]]


POSTSTRATIFIED = "post-stratified by sector to the register"  # the note when weighting worked
WEIGHTED_COLUMNS = ["dimension", "estimate", "se", "ci_low", "ci_upp", "nobs", "suppressed",
                    "unweighted"]


def poststratification_weights(survey: pd.DataFrame, register: pd.DataFrame
                               ) -> tuple[pd.Series | None, str]:
    """Weights that make each sector count by its share of the stakeholder register.

    Returns ``(weights, note)``; ``weights`` is None (and the note says why) when the
    register cannot support post-stratification: a sector with respondents but absent
    from the register, or a registered sector without respondents.
    """
    problem, sectors = weighting_problem(survey, register)
    if problem == "no_register":
        return None, "no stakeholder register for this region"
    if problem == "unregistered":
        return None, f"sector(s) {', '.join(sectors)} answered but are not in the register"
    if problem == "unsampled":
        return None, f"registered sector(s) {', '.join(sectors)} have no respondents"
    shares = register["sector"].value_counts(normalize=True)
    return poststratify(survey, "sector", shares), POSTSTRATIFIED


def weighting_problem(survey: pd.DataFrame, register: pd.DataFrame) -> tuple[str, list[str]]:
    """Why the register cannot weight the survey, as a code the reports translate.

    Returns ``("", [])`` when post-stratification works, else ``("no_register", [])``,
    ``("unregistered", sectors that answered but are not registered)`` or
    ``("unsampled", registered sectors without respondents)`` (sector codes, sorted).
    """
    if register.empty:
        return "no_register", []
    registered, sampled = set(register["sector"]), set(survey["sector"])
    if sampled - registered:
        return "unregistered", sorted(sampled - registered)
    if registered - sampled:
        return "unsampled", sorted(registered - sampled)
    return "", []


def weighted_dimension_scores(survey: pd.DataFrame, items: pd.DataFrame,
                              register: pd.DataFrame, *, ci: float = CI_LEVEL,
                              min_n: int = MIN_CELL, scale: Scale | None = None
                              ) -> tuple[pd.DataFrame, str]:
    """Region dimension scores post-stratified to the register's sector shares.

    Each sector counts by its share of the stakeholder register rather than by how
    many of its members answered, so an over-represented sector does not dominate.
    The standard error is the design-based (Taylor linearisation) one of the weighted
    mean (:func:`evalkit.measure.survey.weighted_mean`, as R's ``svymean`` on
    ``svydesign(ids=~1, weights=~w)``); it ignores the variance reduction of
    post-stratification, so intervals are slightly conservative. When weighting is
    impossible the estimates are unweighted and the returned note says why.

    Returns
    -------
    (DataFrame, str)
        Columns :data:`WEIGHTED_COLUMNS` (``unweighted`` is the plain mean, for
        comparison) and the weighting note.
    """
    scores = score_dimensions(survey, items, **scale_range(scale)).assign(
        sector=survey["sector"].to_numpy())
    weights, note = poststratification_weights(survey, register)
    scores["w"] = 1.0 if weights is None else weights.to_numpy()
    rows = []
    for dim in dict.fromkeys(items["dimension"]):
        n = int(scores[dim].notna().sum())
        if n < max(min_n, 2):
            rows.append({"dimension": dim, "estimate": np.nan, "se": np.nan, "ci_low": np.nan,
                         "ci_upp": np.nan, "nobs": n, "suppressed": True, "unweighted": np.nan})
            continue
        est = weighted_mean(scores, dim, weight="w", ci=ci, df="design")
        rows.append({"dimension": dim, "estimate": est.estimate, "se": est.se,
                     "ci_low": est.ci_low, "ci_upp": est.ci_upp, "nobs": n, "suppressed": False,
                     "unweighted": float(scores[dim].mean())})
    return pd.DataFrame(rows, columns=WEIGHTED_COLUMNS), note


ATTRIBUTION_COLUMNS = ["indicator_id", "supported", "estimate", "ci_low", "ci_upp", "pvalue",
                       "pretrend_pvalue", "n_treated", "n_control", "reason"]


def attribution_table(values: pd.DataFrame, partnerships: pd.DataFrame,
                      indicator_ids: list[str]) -> pd.DataFrame:
    """Difference-in-differences estimate of the partnership effect on each indicator.

    One row per indicator (:data:`ATTRIBUTION_COLUMNS`), estimated across all regions
    with :func:`evalkit.measure.attribution.did_estimate`; ``reason`` holds the first note
    when the data cannot support an estimate.
    """
    from evalkit.measure.attribution import did_estimate

    rows = []
    for ind in indicator_ids:
        r = did_estimate(values, partnerships, indicator_id=ind)
        rows.append({"indicator_id": ind, "supported": r.supported, "estimate": r.estimate,
                     "ci_low": r.ci_low, "ci_upp": r.ci_upp, "pvalue": r.pvalue,
                     "pretrend_pvalue": r.pretrend_pvalue, "n_treated": r.n_treated,
                     "n_control": r.n_control,
                     "reason": "" if r.supported else (r.notes[0] if r.notes else "")})
    return pd.DataFrame(rows, columns=ATTRIBUTION_COLUMNS)
