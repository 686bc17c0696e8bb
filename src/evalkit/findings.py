"""Plain-language findings of a regional report, derived from its tables.

Each function looks at one table and returns a :class:`Finding` (an i18n key and the
numbers that fill it) or ``None`` when there is nothing to say. The report renders
them in Indonesian or English with :func:`evalkit.i18n.text`; no finding is typed by
hand, so a finding changes when the data do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from evalkit.config import MIN_CELL


@dataclass(frozen=True)
class Finding:
    """An i18n key and the values its template needs (labels still as keys)."""

    key: str
    values: dict = field(default_factory=dict)


def weakest_dimension(health: pd.DataFrame) -> Finding | None:
    """The dimension with the lowest (unsuppressed) score, and whether it is below the benchmark.

    ``health``: ``dimension, estimate, suppressed, vs_benchmark`` (from the report).
    """
    shown = health[~health["suppressed"]].dropna(subset=["estimate"])
    if shown.empty:
        return None
    row = shown.loc[shown["estimate"].idxmin()]
    return Finding("finding_weakest", {"dimension": str(row["dimension"]),
                                       "score": float(row["estimate"]),
                                       "below": row.get("vs_benchmark") == "below"})


def least_enthusiastic_sector(survey_scores: pd.DataFrame, *, min_n: int = MIN_CELL
                              ) -> Finding | None:
    """The sector with the lowest mean overall score among sectors with ``min_n`` respondents.

    ``survey_scores``: one row per respondent and dimension (``response_id, sector,
    score``). Only named when it is clearly below the rest: its mean is more than 0.1
    points (on the 1-5 scale) under the region's mean.
    """
    overall = survey_scores.groupby(["response_id", "sector"], observed=True)["score"].mean()
    overall = overall.dropna().reset_index()
    if overall.empty:
        return None
    sizes = overall.groupby("sector")["score"].size()
    means = overall.groupby("sector")["score"].mean()[sizes >= min_n]
    if len(means) < 2:
        return None
    region_mean = float(overall["score"].mean())
    sector = str(means.idxmin())
    if means[sector] > region_mean - 0.1:
        return None
    return Finding("finding_sector", {"sector": sector, "score": float(means[sector]),
                                      "overall": region_mean})


def least_engaged_sector(attendance_sector: pd.DataFrame) -> Finding | None:
    """The sector with the lowest attendance rate (sectors with invitations only)."""
    shown = attendance_sector.dropna(subset=["rate"])
    shown = shown[shown["invitations"] > 0]
    if len(shown) < 2:
        return None
    row = shown.loc[shown["rate"].idxmin()]
    return Finding("finding_attendance", {"sector": str(row["sector"]), "rate": float(row["rate"])})


def missing_sectors(coverage: pd.DataFrame) -> Finding | None:
    """Pentahelix sectors absent from the register."""
    absent = coverage.loc[~coverage["present"].astype(bool), "sector"].astype(str).tolist()
    return Finding("finding_missing", {"sectors": absent}) if absent else None


def isolated_sectors(network_sectors: pd.DataFrame) -> Finding | None:
    """Sectors present in the register whose organisations have no ties at all."""
    isolated = network_sectors.loc[network_sectors["isolated"].astype(bool), "sector"]
    isolated = [s for s in isolated.astype(str) if s != "unknown"]
    return Finding("finding_isolated", {"sectors": isolated}) if isolated else None


def off_track_indicators(progress: pd.DataFrame) -> Finding | None:
    """Indicators whose summary is 'needs attention' (the judged ones only)."""
    ids = progress.loc[progress["summary"] == "needs_attention", "indicator_id"].astype(str).tolist()
    return Finding("finding_offtrack", {"indicators": ids}) if ids else None


def index_position(index_row: pd.Series | None, pillars: pd.Series | None, n_regions: int
                   ) -> Finding | None:
    """The region's index, rank and weakest pillar."""
    if index_row is None or pd.isna(index_row.get("index")) or pillars is None or pillars.empty:
        return None
    return Finding("finding_index", {"index": float(index_row["index"]), "rank": int(index_row["rank"]),
                                     "n": n_regions, "pillar": str(pillars.idxmin())})


def region_findings(*, health: pd.DataFrame, scores: pd.DataFrame, attendance_sector: pd.DataFrame,
                    coverage: pd.DataFrame, network_sectors: pd.DataFrame, progress: pd.DataFrame,
                    index_row: pd.Series | None, pillars: pd.Series | None, n_regions: int,
                    min_n: int = MIN_CELL) -> list[Finding]:
    """Every finding that applies to a region, in the order the report lists them."""
    found = [weakest_dimension(health), least_enthusiastic_sector(scores, min_n=min_n),
             least_engaged_sector(attendance_sector), missing_sectors(coverage),
             isolated_sectors(network_sectors), off_track_indicators(progress),
             index_position(index_row, pillars, n_regions)]
    return [f for f in found if f is not None]
