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
from evalkit.measure.scales import mean_ci, score_dimensions, summarise_scores
from evalkit.measure.survey import poststratify, weighted_mean
from evalkit.read.regions import Region

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


def trend_projections(values: pd.DataFrame, progress: pd.DataFrame, *,
                      ci: float = CI_LEVEL) -> pd.DataFrame:
    """Linear-trend projection of each indicator to its target year, with its prediction
    interval at level ``ci`` (default 95%).

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
    trends = fit_trends(values, keys, target_year=default_year, ci=ci)
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


# --- one region's tables, as its report shows them ------------------------------------------

HEALTH_COLUMNS = [*WEIGHTED_COLUMNS, "benchmark", "vs_benchmark"]


def region_health(survey: pd.DataFrame, items: pd.DataFrame, register: pd.DataFrame,
                  bench: pd.DataFrame, *, scale: Scale | None = None, ci: float = CI_LEVEL
                  ) -> tuple[pd.DataFrame, dict[str, str]]:
    """One region's post-stratified dimension scores beside the all-region benchmark, and
    how they were weighted.

    ``survey`` and ``register`` hold the region's rows (a province: with its regencies'
    and cities'), ``bench`` is :func:`benchmark`. The scores are
    :func:`weighted_dimension_scores` compared by :func:`compare_to_benchmark`.

    Returns
    -------
    (DataFrame, dict)
        :data:`HEALTH_COLUMNS`, one row per dimension; and ``{"note": ..., "problem":
        ..., "sectors": ...}``: the weighting note, the :func:`weighting_problem` code
        and its sector codes, ``", "``-joined (the reports translate the code).
    """
    weighted, note = weighted_dimension_scores(survey, items, register, scale=scale, ci=ci)
    problem, sectors = weighting_problem(survey, register)
    return (compare_to_benchmark(weighted, bench),
            {"note": note, "problem": problem, "sectors": ", ".join(sectors)})


def region_summary(scores: pd.DataFrame, *, ci: float = CI_LEVEL,
                   min_n: int = MIN_CELL) -> pd.DataFrame:
    """Mean score with CI per dimension over one region's respondents (unweighted; small
    cells suppressed): :func:`dimension_summary` of the rows taken as one region.

    ``scores`` is :func:`scores_long` of the region's respondents (a province: with its
    regencies' and cities'). Columns :data:`SUMMARY_COLUMNS` without ``region_code``.
    """
    return summarise_scores(scores, None, ci=ci, min_n=min_n)


ITEM_SHARE_COLUMNS = ["item", "response", "share"]


def item_shares(answers: pd.DataFrame, scale: Scale | None = None) -> pd.DataFrame:
    """Share of each answer of the scale, per item: what the report's Likert bars draw.

    ``answers`` is :func:`items_long` of one region's respondents (reverse-keyed items
    already recoded). One row per item answered and point of the scale (``response``,
    float; 0 where nobody gave that answer), items in order of first appearance. Shares
    are of every answer to the item, so an answer outside the scale (none after
    cleaning) would lower the others without a row of its own.
    """
    scale = scale or DEFAULT_SCALE
    if answers.empty:
        return pd.DataFrame(columns=ITEM_SHARE_COLUMNS)
    response = answers["response"].astype(float)
    shares = (response.groupby(answers["item"]).value_counts(normalize=True)
              .unstack(fill_value=0.0).reindex(columns=[float(v) for v in scale.values],
                                               fill_value=0.0))
    order = list(dict.fromkeys(answers["item"]))
    shares = shares.loc[[i for i in order if i in shares.index]]
    long = shares.stack().rename("share").reset_index()
    long.columns = ITEM_SHARE_COLUMNS
    return long


BREAKDOWN_COLUMNS = ["indicator_id", "year", "female", "male", "total", "gap"]


def indicator_breakdowns(values: pd.DataFrame, annual: pd.DataFrame) -> pd.DataFrame:
    """One region's latest annual values by sex of the indicators reported that way.

    ``values``: the region's indicator values (``indicator_id, year, quarter, sex,
    value``); ``annual``: its annual series (``indicator_id, year, value``, the totals).
    One row per indicator with a breakdown: its latest year with annual values by sex,
    the female and male values (the mean when a year has several), the total and the
    gap (female - male). Empty without breakdowns.
    """
    b = values[values["sex"] != "total"]
    annual_b = b[b["quarter"].isna()]
    if annual_b.empty:
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    latest = annual_b[annual_b["year"] == annual_b.groupby("indicator_id")["year"].transform("max")]
    wide = latest.pivot_table(index=["indicator_id", "year"], columns="sex",
                              values="value").reset_index()
    totals = annual.set_index(["indicator_id", "year"])["value"]
    nan = pd.Series(np.nan, index=wide.index)
    female, male = wide.get("female", nan), wide.get("male", nan)
    return pd.DataFrame({
        "indicator_id": wide["indicator_id"].to_numpy(), "year": wide["year"].to_numpy(),
        "female": female.to_numpy(dtype="float64"), "male": male.to_numpy(dtype="float64"),
        "total": [totals.get((i, y), np.nan) for i, y in zip(wide["indicator_id"], wide["year"])],
        "gap": (female - male).to_numpy(dtype="float64")}, columns=BREAKDOWN_COLUMNS)
