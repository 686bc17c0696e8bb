"""The cross-region synthesis tables: everything the synthesis report shows, computed once.

The results stage calls :func:`synthesis_tables` at the end of
:func:`evalkit.analyse.results.compute_results`, with the processed tables and the results
computed so far::

    out |= synthesis_tables(tables, scale=scale, sectors=sectors, results=out,
                            timings=timings)

It returns (see :data:`SYNTHESIS_RESULTS`):

- ``attribution``: the difference-in-differences estimate of the partnership effect on
  each indicator (:data:`ATTRIBUTION_COLUMNS`; also read by the regional reports) and
- ``event_study``: each indicator's DiD estimate and event-study coefficients, with its
  names (:data:`EVENT_STUDY_COLUMNS`: what the pre-trend figures draw), both from ONE
  :func:`evalkit.measure.attribution.did_estimate` per indicator (its wild bootstrap is the
  expensive part), so the pre-trend figures show the numbers of the attribution table;
- ``health_outcome``: per region, the pooled health score and the outcome pillar of the
  index (the points of the synthesis scatter), and ``health_outcome_fit``: the one-row
  fit of one on the other (:func:`health_outcome_fit`);
- ``index_shifts``: per weighting scenario, the mean absolute rank shift.

Pure: DataFrames in, DataFrames out, no file I/O and no drawing
(:mod:`evalkit.present.synthesis` reads and draws these tables).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import pandas as pd
import statsmodels.api as sm
from scipy import stats

from evalkit.core.config import CI_LEVEL, MIN_CELL
from evalkit.core.contract import Scale
from evalkit.measure import attribution
from evalkit.read.products import with_language_fallback

#: The tables :func:`synthesis_tables` returns (each saved as a results table).
SYNTHESIS_RESULTS = ("attribution", "event_study", "health_outcome", "health_outcome_fit",
                     "index_shifts")

ATTRIBUTION_COLUMNS = ["indicator_id", "supported", "estimate", "ci_low", "ci_upp", "pvalue",
                       "pretrend_pvalue", "n_treated", "n_control", "reason"]

#: Columns of the ``event_study`` table: for each indicator its
#: :meth:`evalkit.measure.attribution.DidResult.to_frame` (a ``term = "did"`` row, then one
#: ``term = "event"`` row per year relative to the partnership start, the reference period
#: (``reference_period``: -1, or the latest observed pre-period) with estimate 0 and no
#: interval; an unsupported indicator has only the ``did`` row, its
#: reasons in ``notes``), after ``indicator_id``, and the indicator's names.
EVENT_STUDY_COLUMNS = ["indicator_id", *attribution.DidResult.FRAME_COLUMNS, "name_id", "name_en"]

#: A slope across fewer regions than this is a line through a handful of points (and HC3
#: needs n > 2 to have any residual degrees of freedom at all): no fit below it.
HEALTH_OUTCOME_MIN_REGIONS = 5

HEALTH_OUTCOME_COLUMNS = ["region_code", "shrunken", "outcome"]


# --- attribution: one difference-in-differences per indicator ------------------------------------

def attribution_tables(values: pd.DataFrame, partnerships: pd.DataFrame,
                       indicator_ids: list[str], metadata: pd.DataFrame | None = None, *,
                       ci: float = CI_LEVEL) -> dict[str, pd.DataFrame]:
    """The ``attribution`` and ``event_study`` tables from one fit per indicator.

    Parameters
    ----------
    values : pandas.DataFrame
        Long indicator table ``region_code, indicator_id, year, value``
        (``indicator_annual``).
    partnerships : pandas.DataFrame
        ``region_code, start_year``.
    indicator_ids : list of str
        The indicators, in the order of the table.
    metadata : pandas.DataFrame, optional
        ``indicator_metadata`` (``indicator_id, name_id, name_en``): the names the
        event-study rows carry (blank names fall back to the other language, then the id).
    ci : float, default CI_LEVEL
        Confidence level of the estimates' intervals.

    Returns
    -------
    dict
        ``attribution``: one row per indicator (:data:`ATTRIBUTION_COLUMNS`), ``reason``
        the code of why the data cannot support an estimate
        (:data:`evalkit.measure.attribution.UNSUPPORTED_REASONS`, ``""`` when supported); ``event_study``:
        :data:`EVENT_STUDY_COLUMNS`, every indicator's
        :meth:`~evalkit.measure.attribution.DidResult.to_frame` stacked.

    Notes
    -----
    Each estimate is :func:`evalkit.measure.attribution.did_estimate` (two-way fixed-effects
    DiD with region-clustered errors and a wild cluster bootstrap pre-trends test; its
    references are there).
    """
    rows, frames = [], []
    for ind in indicator_ids:
        r = attribution.did_estimate(values, partnerships, indicator_id=ind, ci=ci)
        rows.append({"indicator_id": ind, "supported": r.supported, "estimate": r.estimate,
                     "ci_low": r.ci_low, "ci_upp": r.ci_upp, "pvalue": r.pvalue,
                     "pretrend_pvalue": r.pretrend_pvalue, "n_treated": r.n_treated,
                     "n_control": r.n_control,
                     "reason": r.reason})
        frames.append(r.to_frame().assign(indicator_id=ind))
    return {"attribution": pd.DataFrame(rows, columns=ATTRIBUTION_COLUMNS),
            "event_study": _event_study_table(frames, metadata)}


def _event_study_table(frames: list[pd.DataFrame], metadata: pd.DataFrame | None
                       ) -> pd.DataFrame:
    """The indicators' result frames stacked, with their names (:data:`EVENT_STUDY_COLUMNS`)."""
    if not frames:  # a programme without indicators
        return pd.DataFrame(columns=EVENT_STUDY_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    names = pd.DataFrame({"indicator_id": pd.Series(dtype=object)}) if metadata is None else (
        metadata[[c for c in ("indicator_id", "name_id", "name_en") if c in metadata.columns]]
        .drop_duplicates("indicator_id"))
    table = with_language_fallback(table.merge(names, on="indicator_id", how="left"),
                                   "name", "indicator_id")
    return table[EVENT_STUDY_COLUMNS].reset_index(drop=True)


# --- partnership health and outcomes across regions ---------------------------------------------

@dataclass(frozen=True)
class HealthOutcomeFit:
    """OLS of regions' outcome pillar on their pooled health score (HC3 standard errors).

    Attributes
    ----------
    slope, se, ci_low, ci_upp, pvalue : float
        The slope, its HC3 standard error, confidence interval and two-sided p-value
        (normal reference distribution, as statsmodels' robust covariances).
    intercept : float
        Of the fitted line (it passes through the means: ``mean(y) - slope * mean(x)``).
    r2 : float
        R² of the regression.
    spearman, spearman_p : float
        Spearman's rank correlation and its p-value.
    nobs : int
        Regions in the fit. All numbers are NaN when there are fewer than
        :data:`HEALTH_OUTCOME_MIN_REGIONS` (see :func:`health_outcome_fit`).
    """

    slope: float
    se: float
    ci_low: float
    ci_upp: float
    pvalue: float
    intercept: float
    r2: float
    spearman: float
    spearman_p: float
    nobs: int

    def to_frame(self) -> pd.DataFrame:
        """One row, one column per attribute."""
        return pd.DataFrame([asdict(self)])

    @property
    def fitted(self) -> bool:
        """Whether there were enough regions for a fit."""
        return self.nobs >= HEALTH_OUTCOME_MIN_REGIONS


def health_outcome_data(shrinkage: pd.DataFrame, index_pillars: pd.DataFrame, *,
                        min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Per region: pooled health score and the outcome pillar of the index (0-1).

    Regions under ``min_cell`` respondents are left out: their health score is not
    published (the shrunken mean with the grand mean and the weight gives the raw mean
    back), and a figure would show it. Columns :data:`HEALTH_OUTCOME_COLUMNS`.
    """
    health = shrinkage.loc[shrinkage["n"] >= min_cell, ["region_code", "shrunken"]]
    outcome = index_pillars[["region_code", "outcome"]]
    return health.merge(outcome, on="region_code").dropna().reset_index(drop=True)


def health_outcome_fit(data: pd.DataFrame, *, ci: float = CI_LEVEL) -> HealthOutcomeFit:
    """Slope of outcome progress on partnership health across regions.

    Parameters
    ----------
    data : pandas.DataFrame
        ``shrunken`` (x: pooled health score) and ``outcome`` (y: outcome pillar), one row
        per region (:func:`health_outcome_data`).
    ci : float, default CI_LEVEL
        Confidence level of the slope's interval.

    Returns
    -------
    HealthOutcomeFit
        With fewer than :data:`HEALTH_OUTCOME_MIN_REGIONS` regions nothing is fitted:
        every number is NaN, ``nobs`` the count.

    Notes
    -----
    Ordinary least squares of ``outcome`` on ``shrunken`` with HC3
    heteroskedasticity-consistent standard errors [1]_ (recommended for small samples
    [2]_), and Spearman's rank correlation as a check that does not assume a straight
    line. An ecological, cross-sectional association: it says nothing about individual
    partnerships or about causation.

    References
    ----------
    .. [1] MacKinnon, J. G., & White, H. (1985). Some heteroskedasticity-consistent
       covariance matrix estimators with improved finite sample properties. *Journal of
       Econometrics*, 29(3), 305-325.
    .. [2] Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard
       errors in the linear regression model. *The American Statistician*, 54(3), 217-224.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"shrunken": [3.0, 3.2, 3.4, 3.9, 4.1],
    ...                      "outcome": [0.40, 0.45, 0.43, 0.60, 0.62]})
    >>> fit = health_outcome_fit(data)
    >>> round(fit.slope, 3), fit.nobs
    (0.212, 5)
    """
    n = len(data)
    if n < HEALTH_OUTCOME_MIN_REGIONS:
        nan = float("nan")
        return HealthOutcomeFit(nan, nan, nan, nan, nan, nan, nan, nan, nan, n)
    x, y = data["shrunken"].to_numpy(float), data["outcome"].to_numpy(float)
    fit = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HC3")
    low, high = fit.conf_int(alpha=1 - ci)[1]
    rho, p = stats.spearmanr(data["shrunken"], data["outcome"])
    slope = float(fit.params[1])
    # the line through the means, as the figure drew it before (equal to the OLS intercept)
    intercept = float(data["outcome"].mean() - slope * data["shrunken"].mean())
    return HealthOutcomeFit(slope, float(fit.bse[1]), float(low), float(high),
                            float(fit.pvalues[1]), intercept, float(fit.rsquared), float(rho),
                            float(p), n)


# --- the index's sensitivity to its weights -----------------------------------------------------

def index_shifts(scenarios: pd.DataFrame) -> pd.DataFrame:
    """Per weighting scenario (baseline left out): ``scenario, mean_abs_shift``, the mean
    absolute rank shift from the baseline (one value per scenario in
    :func:`evalkit.measure.effectiveness.weight_scenarios`), in the scenarios' order."""
    shifts = (scenarios.groupby("scenario", sort=True)["mean_abs_shift"].first()
              .drop("baseline", errors="ignore"))
    return shifts.reset_index()


# --- all of them ----------------------------------------------------------------------------------

def synthesis_tables(tables: Mapping[str, pd.DataFrame], *, scale: Scale,
                     sectors: pd.DataFrame, results: Mapping[str, pd.DataFrame],
                     timings: dict[str, tuple[float, float]] | None = None,
                     ci: float = CI_LEVEL) -> dict[str, pd.DataFrame]:
    """The synthesis tables (:data:`SYNTHESIS_RESULTS`), from the processed tables and the
    results computed before them. Pure: no file I/O.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The processed tables :func:`evalkit.analyse.results.compute_results` gets; read here:
        ``indicator_annual``, ``partnerships``, ``indicator_metadata``.
    scale, sectors
        The form's answer scale and the programme's sectors, as ``compute_results`` gets
        them (the stage's signature; no synthesis table depends on them yet).
    results : mapping of str to DataFrame
        The results computed so far; read here: ``shrinkage``, ``index_pillars``,
        ``index_scenarios``.
    timings : dict, optional
        Receives ``{"attribution": (wall seconds, CPU seconds)}`` (the DiD fits; the
        other tables take milliseconds), as ``compute_results``'s.
    ci : float, default CI_LEVEL
        Confidence level of the DiD and the health-outcome fit's intervals.

    Returns
    -------
    dict of str to DataFrame
        Call it at the end of ``compute_results``::

            out |= synthesis_tables(tables, scale=scale, sectors=sectors, results=out,
                                    timings=timings)
    """
    metadata = tables["indicator_metadata"]
    wall, cpu = time.perf_counter(), time.process_time()  # the DiD fits: the slow part
    out = attribution_tables(tables["indicator_annual"], tables["partnerships"],
                             metadata["indicator_id"].tolist(), metadata, ci=ci)
    if timings is not None:
        timings["attribution"] = (time.perf_counter() - wall, time.process_time() - cpu)
    data = health_outcome_data(results["shrinkage"], results["index_pillars"])
    out["health_outcome"] = data
    out["health_outcome_fit"] = health_outcome_fit(data, ci=ci).to_frame()
    out["index_shifts"] = index_shifts(results["index_scenarios"])
    return out
