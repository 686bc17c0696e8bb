"""Plain-language findings of a regional report, derived from its tables.

Each function looks at one table and returns a :class:`Finding` (an i18n key and the
numbers that fill it) or ``None`` when there is nothing to say. The report renders
them in Indonesian or English with :func:`evalkit.present.i18n.text`; no finding is typed by
hand, so a finding changes when the data do.

Sectors are the programme's own (``sectors.parquet``); findings carry sector codes,
and :func:`with_sector_labels` (or the report) turns them into the form's labels.
The missing-sectors finding speaks of the five pentahelix *categories* a programme's
sectors map to (:func:`evalkit.measure.engagement.pentahelix_coverage`), never of a group
outside the five. A region with fewer than ``MIN_CELL`` respondents gets no finding
that quotes its means (:func:`region_findings` with ``n_respondents``).
:func:`change_findings` speaks of change since the previous wave (only of changes whose
Holm-adjusted interval excludes zero), after the other findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from evalkit.core.config import MIN_CELL
from evalkit.core.contract import PENTAHELIX
from evalkit.core.domain import sector_labels


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


def least_enthusiastic_sector(survey_scores: pd.DataFrame, *, min_n: int = MIN_CELL,
                              scale=None) -> Finding | None:
    """The sector with the lowest mean overall score among sectors with ``min_n`` respondents.

    ``survey_scores``: one row per respondent and dimension (``response_id, sector,
    score``). Only named when it is clearly below the rest: its mean is more than 0.1
    points on a 1-5 scale (2.5% of the scale's range: ``scale``, a
    :class:`evalkit.core.contract.Scale`, default 1-5) under the region's mean.
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
    gap = 0.1 if scale is None else 0.1 * (float(scale.max) - float(scale.min)) / 4
    if means[sector] > region_mean - gap:
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
    """Pentahelix categories absent from the register (``sectors``: category keys).

    ``coverage``: :func:`evalkit.measure.engagement.pentahelix_coverage` rows. Only the five
    category rows count (``counted``, when the column is there); a group outside the
    five is never "missing". A form that maps no sector to any category gives no
    finding: the form is silent about the pentahelix, which says nothing about the
    partnership.
    """
    rows = coverage[coverage["sector"].astype(str).isin(PENTAHELIX)]
    if "counted" in rows.columns:
        rows = rows[rows["counted"].astype(bool)]
    if "sectors" in rows.columns and len(rows) and not (
            rows["sectors"].fillna("").astype(str).str.strip().ne("").any()):
        return None
    absent = rows.loc[~rows["present"].astype(bool), "sector"].astype(str).tolist()
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
                    min_n: int = MIN_CELL, n_respondents: int | None = None, scale=None,
                    sectors: pd.DataFrame | None = None, lang: str | None = None
                    ) -> list[Finding]:
    """Every finding that applies to a region, in the order the report lists them.

    ``n_respondents`` (the region's respondents): under ``min_n`` no finding quotes the
    region's means (weakest dimension, least enthusiastic sector, index position; a
    region that small is also unindexed). ``scale``: the form's scale (for the "clearly
    below" gap of :func:`least_enthusiastic_sector`). ``sectors`` and ``lang``: when
    both are given, sector codes are replaced by the form's labels
    (:func:`with_sector_labels`).
    """
    small = n_respondents is not None and n_respondents < min_n
    found = [None if small else weakest_dimension(health),
             None if small else least_enthusiastic_sector(scores, min_n=min_n, scale=scale),
             least_engaged_sector(attendance_sector), missing_sectors(coverage),
             isolated_sectors(network_sectors), off_track_indicators(progress),
             None if small else index_position(index_row, pillars, n_regions)]
    found = [f for f in found if f is not None]
    if sectors is not None and lang is not None:
        found = [with_sector_labels(f, sectors, lang) for f in found]
    return found


def with_sector_labels(finding: Finding, sectors: pd.DataFrame, lang: str) -> Finding:
    """``finding`` with its sector codes (``sector``, ``sectors``) replaced by the form's
    labels in ``lang`` (``label_id`` / ``label_en`` of ``sectors.parquet``; a blank label
    falls back to the other language, then to the code).

    The categories of ``finding_missing`` are pentahelix category keys, not sector
    codes: a key is replaced only by the label of a form sector whose code *is* that
    category (the demo's identity mapping); other keys are left for the report's
    category words.
    """
    labels = sector_labels(sectors, lang)
    values = dict(finding.values)
    if finding.key == "finding_missing":
        identity = {str(s) for s, c in zip(sectors["sector"], sectors.get(
            "pentahelix", pd.Series([""] * len(sectors))), strict=True) if str(s) == str(c)}
        values["sectors"] = [labels[s] if s in identity else s for s in values["sectors"]]
    else:
        if "sector" in values:
            values["sector"] = labels.get(values["sector"], values["sector"])
        if "sectors" in values:
            values["sectors"] = [labels.get(s, s) for s in values["sectors"]]
    return Finding(finding.key, values)


# --- change since the previous wave ------------------------------------------------------------

#: At most this many change findings of each kind (rise, fall, sector fall) per region.
MAX_CHANGE_FINDINGS = 3
_OVERALL = "_overall"  # the health score's rows of the change tables (not a dimension)


def _called(rows: pd.DataFrame, direction: str | None) -> pd.DataFrame:
    """The called changes (``changed``, unsuppressed) in ``direction`` (None: either),
    largest ``|estimate|`` first (ties: table order)."""
    rows = rows[rows["changed"].astype(bool) & ~rows["suppressed"].astype(bool)]
    if direction is not None:
        rows = rows[rows["direction"].astype(str) == direction]
    order = (-rows["estimate"].abs()).to_numpy().argsort(kind="stable")
    return rows.iloc[order]


def _change_values(row: pd.Series, key: str) -> dict:
    return {key: str(row[key]), "estimate": float(row["estimate"]),
            "ci_low": float(row["ci_low"]), "ci_upp": float(row["ci_upp"]),
            "from_wave": str(row["from_wave"]), "to_wave": str(row["to_wave"])}


def change_findings(changes: pd.DataFrame, sector_changes: pd.DataFrame, *, n_waves: int,
                    limit: int = MAX_CHANGE_FINDINGS) -> list[Finding]:
    """The findings about change since the previous wave, from one region's change rows.

    ``changes``: the region's ``wave_change`` rows (``dimension, comparison, from_wave,
    to_wave, estimate, ci_low, ci_upp, changed, direction, suppressed``);
    ``sector_changes``: its ``wave_sector_change`` rows (``sector`` for ``dimension``);
    ``n_waves``: the programme's waves. Only the ``previous`` comparison (the latest wave
    against the one before) speaks, and only of *called* changes (``changed``: Holm-adjusted
    p under 1 - CI level, so the interval excludes zero):

    - ``change_single_wave`` (no values) when the programme has one wave;
    - ``change_up`` / ``change_down``: one per dimension that rose / fell, largest
      ``|estimate|`` first, at most ``limit`` each (values ``dimension, estimate, ci_low,
      ci_upp, from_wave, to_wave``);
    - ``change_none`` (``from_wave, to_wave``) when dimensions were estimated and none
      changed (nothing when every dimension was suppressed: too few respondents);
    - ``change_sector_down``: sectors whose health score fell (``sector, ...``), at most
      ``limit``.

    The health score (``_overall``) is not a dimension: it gives no finding of its own.
    """
    if n_waves < 2:
        return [Finding("change_single_wave", {})]
    found = []
    rows = changes[(changes["comparison"].astype(str) == "previous")
                   & (changes["dimension"].astype(str) != _OVERALL)]
    for direction, key in (("up", "change_up"), ("down", "change_down")):
        found += [Finding(key, _change_values(row, "dimension"))
                  for _, row in _called(rows, direction).head(limit).iterrows()]
    estimated = rows[~rows["suppressed"].astype(bool)]
    if len(estimated) and not found:
        first = estimated.iloc[0]
        found.append(Finding("change_none", {"from_wave": str(first["from_wave"]),
                                             "to_wave": str(first["to_wave"])}))
    sectors = sector_changes[sector_changes["comparison"].astype(str) == "previous"]
    found += [Finding("change_sector_down", _change_values(row, "sector"))
              for _, row in _called(sectors, "down").head(limit).iterrows()]
    return found
