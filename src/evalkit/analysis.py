"""Analysis tables computed from the processed data, for every region at once.

Pure functions: processed DataFrames in, tidy result tables out, with the fixed
columns the notebooks, the index page and later exports all read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.config import CI_LEVEL, MIN_CELL
from evalkit.indicators import progress_table
from evalkit.scales import mean_ci, score_dimensions, summarise_scores

SUMMARY_COLUMNS = ["region_code", "dimension", "estimate", "se", "ci_low", "ci_upp", "nobs",
                   "suppressed"]


def scores_long(survey: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent and dimension: ``response_id, region_code, sector, dimension, score``."""
    wide = score_dimensions(survey, items)
    wide = pd.concat([survey[["response_id", "region_code", "sector"]], wide], axis=1)
    long = wide.melt(id_vars=["response_id", "region_code", "sector"],
                     var_name="dimension", value_name="score")
    order = list(dict.fromkeys(items["dimension"]))
    long["dimension"] = pd.Categorical(long["dimension"], categories=order, ordered=True)
    return long


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


def sector_counts(survey: pd.DataFrame, region_code: str, sectors: pd.DataFrame, *,
                  min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Respondents per sector in a region; counts below ``min_cell`` are suppressed.

    Returns ``sector, label_id, label_en, n, n_display`` with every codebook sector,
    zero counts included (a missing sector is a finding, not an absence of rows).
    """
    counts = survey.loc[survey["region_code"] == region_code, "sector"].value_counts()
    out = sectors.copy()
    out["n"] = out["sector"].map(counts).fillna(0).astype("int64")
    out["n_display"] = np.where((out["n"] > 0) & (out["n"] < min_cell), f"<{min_cell}",
                                out["n"].astype(str))
    return out


def region_overview(survey: pd.DataFrame, scores: pd.DataFrame, progress: pd.DataFrame,
                    regions: pd.DataFrame, *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """One row per region: respondents, overall health with CI, indicator status counts.

    ``regions`` has ``region_code, region_name`` for every region to list.
    """
    health = respondent_health(scores)
    rows = []
    for code, name in zip(regions["region_code"], regions["region_name"]):
        est = mean_ci(health.loc[health["region_code"] == code, "health"])
        summary = progress.loc[progress["region_code"] == code, "summary"].value_counts()
        n = int((survey["region_code"] == code).sum())
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
    """:func:`evalkit.indicators.progress_table` with the indicator metadata joined."""
    table = progress_table(values, targets)
    return table.merge(metadata, on=["indicator_id", "direction"], how="left")
