"""The tables of change over survey waves, for every report region at once.

A programme that repeats its surveys (``waves.parquet``, :mod:`evalkit.read.waves`) asks
of every rerun "is the partnership getting better, and where is it slipping?".
:func:`wave_tables` answers with the results tables the reports, the workbook, the
synthesis and the index page read (columns fixed below, each table present for every
data set, empty when there is nothing to show; a single wave gives empty change tables):

- ``waves``: the waves and their respondents;
- ``wave_scores``: each wave's post-stratified dimension scores per region, as the
  regional report computes them (:func:`evalkit.analyse.region_tables.weighted_dimension_scores`
  on that wave's survey and register), and the health score (``_overall``);
- ``wave_change`` / ``wave_sector_change``: the change since the previous (and the first)
  wave per dimension / per sector, with the panel-aware interval of
  :func:`evalkit.measure.change.wave_change` and Holm's adjustment over the family;
- ``wave_network``, ``network_change``, ``network_role_change``: the collaboration
  network per wave and its change (:mod:`evalkit.measure.network_change`);
- ``wave_index``, ``index_change``: the effectiveness index as the data stood at each wave
  (:func:`evalkit.read.waves.as_of`, then :func:`~evalkit.read.waves.snapshot`) and its
  change since the previous wave.

Regions are the report regions of the latest wave (as
:func:`evalkit.analyse.grouping.report_regions` gives them for the current reports); a
province counts its regencies' and cities' rows (:class:`~evalkit.analyse.grouping.RegionRows`).
Pure: no file I/O, nothing drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.analyse import region_tables as analysis
from evalkit.analyse.grouping import RegionRows, report_regions
from evalkit.core.config import CI_LEVEL, MIN_CELL
from evalkit.core.contract import Scale
from evalkit.measure import change, network_change
from evalkit.measure.scales import score_dimensions
from evalkit.measure.survey import weighted_mean
from evalkit.read import waves as wave_data
from evalkit.read.regions import Region

#: The ``dimension`` of the health score rows (mean of a respondent's dimension scores).
OVERALL = "_overall"
#: ``comparison`` values: the latest wave against the one before it, and against the first.
PREVIOUS, FIRST = "previous", "first"
#: The comparisons in the order the reports show them (the one definition they import).
COMPARISONS = (PREVIOUS, FIRST)
#: ``reason`` of a change (or a wave's index) that cannot be estimated.
TOO_FEW_RESPONDENTS = "too_few_respondents"
MISSING_WAVE = "missing_wave"
#: The ``first`` comparison is shown from this many waves on (with two it is ``previous``).
FIRST_FROM_WAVES = 3

_CHANGE = {"comparison": "str", "from_wave": "str", "to_wave": "str", "estimate": "float64",
           "se": "float64", "ci_low": "float64", "ci_upp": "float64", "p_value": "float64",
           "p_holm": "float64", "changed": "bool", "direction": "str", "n_from": "int64",
           "n_to": "int64", "n_both": "int64", "clusters": "int64", "suppressed": "bool",
           "reason": "str"}
#: Column dtypes of every table :func:`wave_tables` returns (keys in column order).
SCHEMAS: dict[str, dict[str, str]] = {
    "waves": {"wave": "str", "order": "int64", "start": "datetime64[ns]",
              "end": "datetime64[ns]", "source": "str", "respondents": "int64"},
    "wave_scores": {"region_code": "str", "wave": "str", "order": "int64", "dimension": "str",
                    "estimate": "float64", "se": "float64", "ci_low": "float64",
                    "ci_upp": "float64", "nobs": "int64", "suppressed": "bool",
                    "weighted": "bool"},
    "wave_change": {"region_code": "str", "dimension": "str", **_CHANGE},
    "wave_sector_change": {"region_code": "str", "sector": "str", **_CHANGE},
    "wave_network": {"region_code": "str", "wave": "str", "order": "int64",
                     "organisations": "int64", "ties": "int64", "density": "float64",
                     "centralisation": "float64", "mean_trust": "float64",
                     "mean_value": "float64", "isolated": "int64"},
    "network_change": {"region_code": "str", "from_wave": "str", "to_wave": "str",
                       "ties_gained": "int64", "ties_lost": "int64", "ties_kept": "int64",
                       "density_change": "float64", "centralisation_change": "float64",
                       "trust_change": "float64", "trust_ci_low": "float64",
                       "trust_ci_upp": "float64", "value_change": "float64",
                       "value_ci_low": "float64", "value_ci_upp": "float64"},
    "network_role_change": {"region_code": "str", "from_wave": "str", "to_wave": "str",
                            "organisation": "str", "sector": "str", "change": "str",
                            "degree_from": "int64", "degree_to": "int64"},
    "wave_index": {"region_code": "str", "wave": "str", "order": "int64", "index": "float64",
                   "ci_low": "float64", "ci_upp": "float64", "rank": "Int64",
                   "n_ranked": "int64", "suppressed": "bool", "reason": "str"},
    "index_change": {"region_code": "str", "from_wave": "str", "to_wave": "str",
                     "index_from": "float64", "index_to": "float64", "change": "float64",
                     "ci_low": "float64", "ci_upp": "float64", "rank_from": "Int64",
                     "rank_to": "Int64", "rank_change": "Int64"},
}
#: The tables :func:`wave_tables` returns.
WAVE_TABLES = tuple(SCHEMAS)


def _typed(rows: list[dict] | pd.DataFrame, name: str) -> pd.DataFrame:
    """``rows`` as table ``name``: exactly its columns, in order, with its dtypes (an
    empty table has them too)."""
    schema = SCHEMAS[name]
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    frame = frame.reindex(columns=list(schema)).reset_index(drop=True)
    out = {}
    for column, dtype in schema.items():
        values = frame[column]
        if dtype == "str":
            out[column] = pd.Series(values.astype(object).where(values.notna(), None)
                                    .map(lambda v: "" if v is None else str(v)), dtype="str")
        elif dtype == "bool":
            out[column] = values.fillna(False).astype(bool)
        elif dtype == "int64":
            out[column] = pd.to_numeric(values).fillna(0).astype("int64")
        elif dtype == "Int64":
            out[column] = pd.to_numeric(values).astype("Int64")
        elif dtype.startswith("datetime64"):
            out[column] = pd.to_datetime(values).astype(dtype)
        else:
            out[column] = pd.to_numeric(values).astype(dtype)
    return pd.DataFrame(out, columns=list(schema))


def programme_waves(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The waves table of ``tables`` (``tables["waves"]``, in order), else the waves the
    survey's ``wave`` column names (:func:`evalkit.read.waves.order_labels`), else the
    single wave."""
    table = tables.get("waves")
    if table is not None and len(table):
        return table.sort_values("order", kind="stable").reset_index(drop=True)
    survey = tables.get("survey")
    if survey is not None and "wave" in survey.columns and survey["wave"].notna().any():
        return wave_data.waves_table(wave_data.order_labels(survey["wave"]), "field")
    return wave_data.single_wave_table()


def comparisons(labels: list[str]) -> list[tuple[str, str, str]]:
    """``(comparison, from_wave, to_wave)`` of the change tables: the latest wave against
    the previous one, and against the first from :data:`FIRST_FROM_WAVES` waves on; none
    with a single wave."""
    if len(labels) < 2:
        return []
    out = [(PREVIOUS, labels[-2], labels[-1])]
    if len(labels) >= FIRST_FROM_WAVES:
        out.append((FIRST, labels[0], labels[-1]))
    return out


def _wave_of(frame: pd.DataFrame, latest: str) -> np.ndarray:
    """Each row's wave label (a table without ``wave``: every row of ``latest``)."""
    if "wave" not in frame.columns:
        return np.full(len(frame), latest, dtype=object)
    return frame["wave"].astype(object).where(frame["wave"].notna(), None).map(
        lambda v: None if v is None else str(v)).to_numpy(dtype=object)


# --- scores per wave -------------------------------------------------------------------------

def _scored_survey(survey: pd.DataFrame, items: pd.DataFrame, dimensions: list[str],
                   scale: Scale | None, latest: str) -> pd.DataFrame:
    """The survey's keys with each respondent's dimension scores and health score
    (``_overall``: the mean of their dimension scores, as
    :func:`evalkit.analyse.region_tables.respondent_health`)."""
    wide = score_dimensions(survey, items, **analysis.scale_range(scale))
    keys = ["region_code", "province_code", "sector", "respondent_id"]
    out = survey[[c for c in keys if c in survey.columns]].copy()
    out["wave"] = _wave_of(survey, latest)
    for dim in dimensions:
        out[dim] = wide[dim].to_numpy(dtype="float64")
    out[OVERALL] = wide[dimensions].mean(axis=1).to_numpy(dtype="float64")
    return out


def _wave_weights(survey: pd.DataFrame, register: pd.DataFrame) -> tuple[np.ndarray, bool]:
    """The wave's post-stratification weights to its register (equal weights, and False,
    when the register cannot weight: :func:`~evalkit.analyse.region_tables.poststratification_weights`)."""
    if not len(survey):
        return np.ones(0), False
    weights, _ = analysis.poststratification_weights(survey, register)
    if weights is None:
        return np.ones(len(survey)), False
    return weights.to_numpy(dtype="float64"), True


def _weighted_scores(scored: pd.DataFrame, weight: np.ndarray, columns: list[str],
                     ci: float = CI_LEVEL) -> list[dict]:
    """Each column's post-stratified mean, as
    :func:`~evalkit.analyse.region_tables.weighted_dimension_scores` computes it (the
    design-based :func:`~evalkit.measure.survey.weighted_mean`; fewer than
    ``max(MIN_CELL, 2)`` answers: suppressed), on scores computed once for every wave."""
    part = scored[columns].assign(w=weight)
    rows = []
    for column in columns:
        n = int(part[column].notna().sum())
        row = {"dimension": column, "estimate": math.nan, "se": math.nan, "ci_low": math.nan,
               "ci_upp": math.nan, "nobs": n, "suppressed": True}
        if n >= max(MIN_CELL, 2):
            est = weighted_mean(part, column, weight="w", ci=ci, df="design")
            row.update(estimate=est.estimate, se=est.se, ci_low=est.ci_low, ci_upp=est.ci_upp,
                       suppressed=False)
        rows.append(row)
    return rows


def _region_wave_scores(code: str, survey: pd.DataFrame, scored: pd.DataFrame,
                        register: pd.DataFrame, waves: pd.DataFrame, dimensions: list[str],
                        ci: float = CI_LEVEL) -> tuple[list[dict], pd.Series]:
    """One region's ``wave_scores`` rows (the health score first) and each row's weight in
    its wave (1 where the wave's register cannot weight it)."""
    rows, weight = [], pd.Series(1.0, index=scored.index)
    labels = scored["wave"].to_numpy(dtype=object)
    for label, order in zip(waves["wave"].astype(str), waves["order"], strict=True):
        mask = labels == label
        w, weighted = _wave_weights(survey.loc[mask], wave_data.at_wave(register, label))
        weight.loc[mask] = w
        small = int(mask.sum()) < MIN_CELL  # the whole wave is a small cell
        for row in _weighted_scores(scored.loc[mask], w, [OVERALL, *dimensions], ci):
            if small and not row["suppressed"]:
                row.update(estimate=math.nan, se=math.nan, ci_low=math.nan, ci_upp=math.nan,
                           suppressed=True)
            rows.append({"region_code": code, "wave": label, "order": int(order), **row,
                         "weighted": weighted})
    return rows, weight


# --- change between two waves -----------------------------------------------------------------

def _holm_in_place(rows: list[dict], ci: float = CI_LEVEL) -> None:
    """Holm-adjusted p-values over ``rows`` (one family), ``changed`` and ``direction``."""
    if not rows:
        return
    adjusted = change.holm(np.array([r["p_value"] for r in rows], dtype="float64"))
    for row, p in zip(rows, adjusted, strict=True):
        _decide(row, float(p), ci)


def _decide(row: dict, p_holm: float, ci: float = CI_LEVEL) -> None:
    row["p_holm"] = p_holm
    row["changed"] = bool(not math.isnan(p_holm) and p_holm < 1 - ci)
    row["direction"] = ("" if not row["changed"]
                        else "up" if row["estimate"] > 0 else "down")


def _change_row(data: pd.DataFrame, y: str, comparison: str, a: str, b: str,
                weight: str | None, cluster: str | None, respondents: tuple[int, int, int],
                ci: float = CI_LEVEL) -> dict:
    """One change row: :func:`evalkit.measure.change.wave_change` of ``y`` from ``a`` to
    ``b``, or a suppressed row (``reason``) when a wave has under ``MIN_CELL``
    respondents (none: ``missing_wave``)."""
    n_from, n_to, n_both = respondents
    row = {"comparison": comparison, "from_wave": a, "to_wave": b, "estimate": math.nan,
           "se": math.nan, "ci_low": math.nan, "ci_upp": math.nan, "p_value": math.nan,
           "p_holm": math.nan, "changed": False, "direction": "", "n_from": n_from,
           "n_to": n_to, "n_both": n_both, "clusters": 0, "suppressed": True, "reason": ""}
    if min(n_from, n_to) == 0:
        row["reason"] = MISSING_WAVE
        return row
    if min(n_from, n_to) < MIN_CELL:
        row["reason"] = TOO_FEW_RESPONDENTS
        return row
    try:
        est = change.wave_change(data, from_wave=a, to_wave=b, y=y, wave="wave",
                                 weight=weight, cluster=cluster, ci=ci)
    except ValueError:  # fewer than 2 answers to this dimension in a wave
        row["reason"] = TOO_FEW_RESPONDENTS
        return row
    row.update(estimate=est.estimate, se=est.se, ci_low=est.ci_low, ci_upp=est.ci_upp,
               p_value=est.p_value, n_from=est.n_from, n_to=est.n_to, n_both=est.n_both,
               clusters=est.clusters, suppressed=False)
    return row


def _respondents(labels: np.ndarray, ids: np.ndarray, a: str, b: str) -> tuple[int, int, int]:
    """Respondents (rows) in waves ``a`` and ``b`` and respondents in both (``ids``:
    integer respondent codes, -1 when unknown: never in both)."""
    in_a, in_b = labels == a, labels == b
    both = np.intersect1d(ids[in_a & (ids >= 0)], ids[in_b & (ids >= 0)]).size
    return int(in_a.sum()), int(in_b.sum()), int(both)


def _region_changes(code: str, scored: pd.DataFrame, weight: pd.Series,
                    dimensions: list[str], pairs: list[tuple[str, str, str]],
                    sector_order: list[str], ci: float = CI_LEVEL
                    ) -> tuple[list[dict], list[dict]]:
    """One region's ``wave_change`` and ``wave_sector_change`` rows."""
    has_ids = "respondent_id" in scored.columns
    cluster = "respondent_id" if has_ids else None
    labels = scored["wave"].to_numpy(dtype=object)
    # respondents as integer codes (missing: -1, each its own cluster, as measure.change
    # does with a missing label); columns as arrays, each comparison's frame built once
    ids = (pd.factorize(scored["respondent_id"])[0] if has_ids
           else np.full(len(scored), -1, dtype=np.int64))
    w = weight.to_numpy(dtype="float64")
    sector = np.array([None if pd.isna(v) else str(v) for v in scored["sector"]], dtype=object)
    values = {dim: scored[dim].to_numpy(dtype="float64") for dim in [OVERALL, *dimensions]}
    dim_rows, sector_rows = [], []
    # One family per region for the dimensions (the health score and both comparisons
    # included) and one for the sectors: in each report the chance that any change is
    # called by chance alone stays at most 1 - CI_LEVEL.
    dim_family, sector_family = [], []
    for comparison, a, b in pairs:
        keep = (labels == a) | (labels == b)

        def frame(mask, columns, weighted=True):
            out = {"wave": labels[mask]}
            if weighted:
                out["w"] = w[mask]
            if has_ids:
                out[cluster] = pd.array(np.where(ids[mask] < 0, pd.NA, ids[mask]), dtype="Int64")
            return pd.DataFrame(out | {c: values[c][mask] for c in columns})

        pair = frame(keep, values)
        counts = _respondents(labels, ids, a, b)
        for dim in [OVERALL, *dimensions]:
            row = {"region_code": code, "dimension": dim,
                   **_change_row(pair, dim, comparison, a, b, "w", cluster, counts, ci)}
            dim_rows.append(row)
            dim_family.append(row)
        # each sector's unweighted health score, Holm over the region's sectors
        present = {v for v in sector[keep].tolist() if v is not None}
        sectors = [s for s in sector_order if s in present] + sorted(present - set(sector_order))
        for name in sectors:
            mine = keep & (sector == name)
            row = {"region_code": code, "sector": name, **_change_row(
                frame(mine, [OVERALL], weighted=False), OVERALL, comparison, a, b, None,
                cluster, _respondents(labels[mine], ids[mine], a, b), ci)}
            sector_rows.append(row)
            sector_family.append(row)
    _holm_in_place([r for r in dim_family if not r["suppressed"]], ci)
    _holm_in_place([r for r in sector_family if not r["suppressed"]], ci)
    return dim_rows, sector_rows


# --- the index per wave ------------------------------------------------------------------------

def _index_rows(regions: list[Region], waves: pd.DataFrame, tables: Mapping[str, pd.DataFrame],
                index_at: Callable[[Mapping[str, pd.DataFrame]], pd.DataFrame]
                ) -> list[dict]:
    """``wave_index`` rows: ``index_at`` on the data as they stood at each wave."""
    rows = []
    for label, order in zip(waves["wave"].astype(str), waves["order"], strict=True):
        then = wave_data.as_of(tables, waves, label)
        index = index_at(wave_data.snapshot(then, then["waves"]))
        by_code = index.set_index("region_code") if len(index) else pd.DataFrame()
        n_ranked = int(index["rank"].notna().sum()) if len(index) else 0
        for region in regions:
            row = {"region_code": region.code, "wave": label, "order": int(order),
                   "index": math.nan, "ci_low": math.nan, "ci_upp": math.nan, "rank": pd.NA,
                   "n_ranked": n_ranked, "suppressed": True, "reason": MISSING_WAVE}
            if region.code in by_code.index:
                own = by_code.loc[region.code]  # as the index table has it
                row.update(index=float(own["index"]), ci_low=float(own["ci_low"]),
                           ci_upp=float(own["ci_upp"]), rank=own["rank"],
                           suppressed=bool(own.get("suppressed", False)),
                           reason="" if pd.isna(own.get("reason")) else str(own["reason"]))
            rows.append(row)
    return rows


def index_difference(index_from: float, ci_from: tuple[float, float], index_to: float,
                     ci_to: tuple[float, float], *, ci: float = CI_LEVEL
                     ) -> tuple[float, float, float]:
    """The change of an index between two waves with an interval that treats the two
    waves' bootstrap distributions as independent.

    Each wave's percentile interval is read as a normal one,
    :math:`\\widehat{se}_k = (u_k - l_k) / (2 z_{(1+c)/2})`, and the change
    :math:`\\hat\\Delta = I_{to} - I_{from}` gets
    :math:`\\hat\\Delta \\pm z \\sqrt{\\widehat{se}_{from}^2 + \\widehat{se}_{to}^2}`:
    the variance of a difference of independent estimates. When the same respondents
    answer in both waves their errors are positively correlated and the interval is
    conservative (too wide), never too narrow.

    Returns ``(change, ci_low, ci_upp)``; NaN when either wave has no index.

    References
    ----------
    .. [1] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*,
       ch. 12-13 (standard and percentile intervals).
    .. [2] Nardo et al. (2008), *Handbook on Constructing Composite Indicators*, OECD/JRC,
       step 7 (uncertainty of composite indicators).
    """
    values = [index_from, *ci_from, index_to, *ci_to]
    if any(v is None or pd.isna(v) for v in values):
        return math.nan, math.nan, math.nan
    z = float(stats.norm.ppf((1 + ci) / 2))
    se = math.hypot((ci_from[1] - ci_from[0]) / (2 * z), (ci_to[1] - ci_to[0]) / (2 * z))
    delta = float(index_to) - float(index_from)
    return delta, delta - z * se, delta + z * se


def _index_change(wave_index: pd.DataFrame, pair: tuple[str, str, str] | None,
                  ci: float = CI_LEVEL) -> list[dict]:
    if pair is None or wave_index.empty:
        return []
    _, a, b = pair
    by = {w: rows.set_index("region_code") for w, rows in wave_index.groupby("wave", sort=False)}
    rows = []
    for code in dict.fromkeys(wave_index["region_code"]):
        old, new = by[a].loc[code], by[b].loc[code]
        shown = not old["suppressed"] and not new["suppressed"]
        delta, lo, hi = (index_difference(old["index"], (old["ci_low"], old["ci_upp"]),
                                          new["index"], (new["ci_low"], new["ci_upp"]), ci=ci)
                         if shown else (math.nan, math.nan, math.nan))
        rank_from = old["rank"] if shown else pd.NA
        rank_to = new["rank"] if shown else pd.NA
        rows.append({"region_code": code, "from_wave": a, "to_wave": b,
                     "index_from": old["index"], "index_to": new["index"], "change": delta,
                     "ci_low": lo, "ci_upp": hi, "rank_from": rank_from, "rank_to": rank_to,
                     "rank_change": (pd.NA if pd.isna(rank_from) or pd.isna(rank_to)
                                     else int(rank_from) - int(rank_to))})
    return rows


# --- the whole set -------------------------------------------------------------------------------

def wave_tables(tables: Mapping[str, pd.DataFrame], *, scale: Scale | None,
                sectors: pd.DataFrame, results: Mapping[str, pd.DataFrame] | None = None,
                index_at: Callable[[Mapping[str, pd.DataFrame]], pd.DataFrame] | None = None,
                timed: Callable | None = None, ci: float = CI_LEVEL) -> dict[str, pd.DataFrame]:
    """Every table of change over the waves (:data:`WAVE_TABLES`). Pure: no file I/O.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The processed tables of every wave (:data:`evalkit.analyse.results.INPUT_TABLES`,
        ``waves`` among them; a table without a ``wave`` column is single-wave).
    scale : Scale
        The form's answer scale.
    sectors : DataFrame
        The programme's sectors (form order: the order of the sector rows).
    results : mapping, optional
        The results computed on the latest wave (unused by the tables themselves; kept so
        that the caller can pass what it has).
    index_at : callable, optional
        ``index_at(tables)`` -> the effectiveness index table (``region_code, index,
        ci_low, ci_upp, rank, suppressed, reason``) of the tables given, the same
        computation as the current ``index`` table
        (:func:`evalkit.analyse.results.effectiveness_index`). It is called on
        ``snapshot(as_of(tables, waves, w))`` for each wave ``w``; at the latest wave
        that is the current data, so the latest row equals the ``index`` table's.
        ``None``: ``wave_index`` and ``index_change`` are empty.
    timed : callable, optional
        ``timed(name, compute)`` times each step (default: no timing).
    ci : float, default CI_LEVEL
        Confidence level of the scores' and the changes' intervals; a change is called
        when ``p_holm < 1 - ci``.

    Returns
    -------
    dict of str to DataFrame
        The tables of :data:`SCHEMAS`, with those columns and dtypes.

    Notes
    -----
    The change of a dimension is the difference of the two waves' post-stratified
    (Hajek) means, each wave weighted to its own register (equal weights when that
    register cannot weight it), with respondents (``respondent_id``) as clusters, so
    that a respondent answering in both waves is counted once in the variance
    (:func:`evalkit.measure.change.wave_change`: Binder 1983; Lumley 2010). ``p_holm``
    is Holm's (1979) step-down adjustment over every dimension change of a region (the
    health score ``_overall`` and both comparisons included; the sector changes are a
    second family), so that the chance of any change in a report being called by chance
    alone is at most ``1 - CI_LEVEL``; a change is *called*
    (``changed``) only when ``p_holm < 1 - CI_LEVEL``. A wave with fewer than
    ``MIN_CELL`` respondents in the region is suppressed (its scores and every change
    from or to it), as any small cell.

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       *Scandinavian Journal of Statistics*, 6(2), 65-70.
    .. [2] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
    """
    timed = timed or (lambda name, compute: compute())
    waves = programme_waves(tables)
    labels = waves["wave"].astype(str).tolist()
    latest = labels[-1]
    survey, items = tables["survey"], tables["items"]
    register, ties = tables["stakeholders"], tables["ties"]
    current = wave_data.snapshot(tables, waves)
    regions = report_regions(current["survey"], tables["indicator_targets"])
    dimensions = [str(d) for d in dict.fromkeys(items["dimension"])]
    sector_order = sectors["sector"].astype(str).tolist()
    pairs = comparisons(labels)
    out: dict[str, pd.DataFrame] = {}

    survey_wave = _wave_of(survey, latest)
    out["waves"] = _typed(waves.assign(respondents=[int((survey_wave == w).sum())
                                                    for w in labels]), "waves")

    def scores_and_changes():
        scored = _scored_survey(survey, items, dimensions, scale, latest)
        by_survey, by_scored = RegionRows(survey), RegionRows(scored)
        by_register = RegionRows(register)
        score_rows, change_rows, sector_rows = [], [], []
        for region in regions:
            s, sc = by_survey.rows(region), by_scored.rows(region)
            rows, weight = _region_wave_scores(region.code, s, sc, by_register.rows(region),
                                               waves, dimensions, ci)
            score_rows += rows
            if pairs and len(sc):
                dims, secs = _region_changes(region.code, sc, weight, dimensions, pairs,
                                             sector_order, ci)
                change_rows += dims
                sector_rows += secs
        return (_typed(score_rows, "wave_scores"), _typed(change_rows, "wave_change"),
                _typed(sector_rows, "wave_sector_change"))

    out["wave_scores"], out["wave_change"], out["wave_sector_change"] = timed(
        "wave_scores", scores_and_changes)

    def networks():
        by_ties, by_register = RegionRows(ties), RegionRows(register)
        metric_rows, change_rows, role_rows = [], [], []
        orders = dict(zip(labels, waves["order"].astype(int), strict=True))
        for region in regions:
            reg = by_register.rows(region)
            if not len(reg):
                continue  # as the latest wave's network tables: no register, no network
            t = by_ties.rows(region)
            per_wave = network_change.wave_network(t, reg, waves=labels)
            metric_rows.append(per_wave.assign(region_code=region.code,
                                               order=per_wave["wave"].map(orders)))
            if pairs:
                _, a, b = pairs[0]
                moved = network_change.network_change(t, reg, from_wave=a, to_wave=b, ci=ci)
                change_rows.append({"region_code": region.code, "from_wave": a, "to_wave": b,
                                    **moved})
                roles = network_change.role_changes(t, reg, from_wave=a, to_wave=b, k=5)
                if len(roles):
                    role_rows.append(roles.assign(region_code=region.code, from_wave=a,
                                                  to_wave=b))
        metrics = pd.concat(metric_rows, ignore_index=True) if metric_rows else []
        roles = pd.concat(role_rows, ignore_index=True) if role_rows else []
        return (_typed(metrics, "wave_network"), _typed(change_rows, "network_change"),
                _typed(roles, "network_role_change"))

    out["wave_network"], out["network_change"], out["network_role_change"] = timed(
        "wave_network", networks)

    def index():
        if index_at is None:
            return _typed([], "wave_index"), _typed([], "index_change")
        per_wave = _typed(_index_rows(regions, waves, tables, index_at), "wave_index")
        return per_wave, _typed(_index_change(per_wave, pairs[0] if pairs else None, ci),
                                "index_change")

    out["wave_index"], out["index_change"] = timed("wave_index", index)
    return out
