"""Attribution of indicator change to partnerships: difference-in-differences.

Did regions that started a partnership (a forum, an MOU/PKS, a KSD agreement) improve
an M&E indicator more than regions without one? This module answers that with a
two-way fixed-effects (TWFE) difference-in-differences on the long indicator table,
plus an event-study check of the parallel-trends assumption.

Everything here is pure: DataFrames in, results out; no file I/O, no printing.
Cases the data cannot support (too few treated or comparison regions, no
pre-treatment years, indicator missing, no variation) return a result with
``supported=False`` and plain-English ``notes``; only malformed input raises
``ValueError``.

Inputs
------
``values``
    Long table with columns ``region_code, indicator_id, year, value`` (one row per
    region, indicator and year).
``partnerships``
    Table with columns ``region_code, start_year``. A region is treated from its
    earliest ``start_year`` onwards; regions of ``values`` with no row here are
    comparison regions.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from evalkit.indicators import _require_columns  # one column check for indicator tables

__all__ = [
    "PARTNERSHIP_COLUMNS",
    "VALUE_COLUMNS",
    "DidResult",
    "did_estimate",
    "pretrend_figure",
]

VALUE_COLUMNS: tuple[str, ...] = ("region_code", "indicator_id", "year", "value")
PARTNERSHIP_COLUMNS: tuple[str, ...] = ("region_code", "start_year")
_EVENT_COLUMNS = ["rel_year", "estimate", "ci_low", "ci_upp"]
_NAN = float("nan")
_BOOTSTRAP_SEED = 20240601


@dataclass(frozen=True, eq=False)
class DidResult:
    """Result of :func:`did_estimate`.

    Attributes
    ----------
    estimate, se, ci_low, ci_upp, pvalue : float
        TWFE difference-in-differences coefficient of ``treated_post`` (in the units of
        the indicator), its cluster-robust standard error, confidence interval and
        two-sided p-value. NaN when ``supported`` is False.
    nobs : int
        Region-year observations used by the regression (0 when not supported).
    n_treated, n_control : int
        Treated regions used (those with enough pre-treatment years) and comparison
        regions (no partnership, or a partnership starting after the last observed year).
    pretrend_pvalue : float
        p-value of the joint Wald test that all event-study leads are zero, from a
        wild cluster bootstrap (NaN when there are no leads or the test cannot be
        computed).
    leads : pandas.DataFrame
        Lead coefficients, columns ``rel_year, estimate, ci_low, ci_upp``
        (``rel_year`` = year minus start year, -k ... -2; -1 is the reference).
    supported : bool
        False when the data cannot support an estimate; ``notes`` says why.
    notes : list of str
        Plain-English notes: exclusions, reasons for ``supported=False``, caveats.
    event_study : pandas.DataFrame
        All event-study coefficients (leads, the reference year -1 with estimate 0 and
        no interval, and lags 0, 1, ...), same columns as ``leads``; used by
        :func:`pretrend_figure`.
    """

    estimate: float
    se: float
    ci_low: float
    ci_upp: float
    pvalue: float
    nobs: int
    n_treated: int
    n_control: int
    pretrend_pvalue: float
    leads: pd.DataFrame
    supported: bool
    notes: list[str]
    event_study: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=_EVENT_COLUMNS))


# --------------------------------------------------------------------------- input checks


def _integer_years(series: pd.Series, table: str, column: str) -> pd.Series:
    years = pd.to_numeric(series, errors="coerce")
    bad = years.isna() | (years.notna() & (years.round() != years))
    if bad.any():
        rows = list(series.index[bad][:5])
        raise ValueError(
            f"`{table}` column '{column}' must hold whole years; "
            f"{int(bad.sum())} row(s) are missing or not a year (row index {rows}).")
    return years.astype("int64")


def _region_codes(series: pd.Series, table: str) -> pd.Series:
    if series.isna().any():
        rows = list(series.index[series.isna()][:5])
        raise ValueError(f"`{table}` column 'region_code' has missing values "
                         f"(row index {rows}).")
    return series.astype(str).astype(object)


def _clean_values(values: pd.DataFrame) -> pd.DataFrame:
    _require_columns(values, VALUE_COLUMNS, "values")
    data = values.loc[:, list(VALUE_COLUMNS)].copy()
    data["region_code"] = _region_codes(data["region_code"], "values")
    data["year"] = _integer_years(data["year"], "values", "year")
    numeric = pd.to_numeric(data["value"], errors="coerce")
    not_numeric = numeric.isna() & data["value"].notna()
    if not_numeric.any():
        rows = list(data.index[not_numeric][:5])
        raise ValueError(f"`values` column 'value' has {int(not_numeric.sum())} "
                         f"non-numeric entr(y/ies) (row index {rows}).")
    data["value"] = numeric.astype("float64")
    dup = data.duplicated(["region_code", "indicator_id", "year"], keep=False)
    if dup.any():
        shown = (data.loc[dup, ["region_code", "indicator_id", "year"]]
                 .drop_duplicates().head(5).to_records(index=False).tolist())
        raise ValueError(
            f"`values` has duplicated region-year rows ({int(dup.sum())} rows share a "
            f"region_code, indicator_id and year), e.g. {shown}; keep one row per "
            f"region, indicator and year.")
    return data


def _clean_partnerships(partnerships: pd.DataFrame) -> pd.Series:
    """Earliest start year per region (index region_code)."""
    _require_columns(partnerships, PARTNERSHIP_COLUMNS, "partnerships")
    data = partnerships.loc[:, list(PARTNERSHIP_COLUMNS)].copy()
    data["region_code"] = _region_codes(data["region_code"], "partnerships")
    data["start_year"] = _integer_years(data["start_year"], "partnerships", "start_year")
    return data.groupby("region_code")["start_year"].min()


# --------------------------------------------------------------------------- helpers


def _empty_events() -> pd.DataFrame:
    return pd.DataFrame({"rel_year": pd.Series(dtype="int64"),
                         "estimate": pd.Series(dtype="float64"),
                         "ci_low": pd.Series(dtype="float64"),
                         "ci_upp": pd.Series(dtype="float64")})


def _unsupported(notes: list[str], *, n_treated: int = 0, n_control: int = 0) -> DidResult:
    return DidResult(estimate=_NAN, se=_NAN, ci_low=_NAN, ci_upp=_NAN, pvalue=_NAN,
                     nobs=0, n_treated=n_treated, n_control=n_control,
                     pretrend_pvalue=_NAN, leads=_empty_events(), supported=False,
                     notes=notes, event_study=_empty_events())


def _event_name(k: int) -> str:
    return f"ev_m{-k}" if k < 0 else f"ev_p{k}"


def _fit_cluster(formula: str, sample: pd.DataFrame):
    groups = pd.factorize(sample["region_code"])[0]
    return smf.ols(formula, data=sample).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


def _event_study(sample: pd.DataFrame, ci: float, notes: list[str]
                 ) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Leads/lags event study; returns (leads, all coefficients, joint p-value of leads)."""
    rel = sample["year"] - sample["start_year"]  # NaN for comparison regions
    rel_years = sorted(int(k) for k in rel.dropna().unique() if int(k) != -1)
    data = sample.copy()
    names = []
    for k in rel_years:
        name = _event_name(k)
        data[name] = (rel == k).astype("float64")
        names.append(name)
    formula = "value ~ " + " + ".join(names + ["C(region_code)", "C(year)"])
    res = _fit_cluster(formula, data)
    conf = res.conf_int(alpha=1 - ci)
    rows = [{"rel_year": k, "estimate": float(res.params[_event_name(k)]),
             "ci_low": float(conf.loc[_event_name(k), 0]),
             "ci_upp": float(conf.loc[_event_name(k), 1])} for k in rel_years]
    rows.append({"rel_year": -1, "estimate": 0.0, "ci_low": _NAN, "ci_upp": _NAN})
    events = pd.DataFrame(rows, columns=_EVENT_COLUMNS).sort_values("rel_year")
    events = events.reset_index(drop=True).astype({"rel_year": "int64"})
    leads = events[events["rel_year"] <= -2].reset_index(drop=True)

    lead_names = [_event_name(k) for k in rel_years if k <= -2]
    if not lead_names:
        notes.append("No pre-treatment year other than the reference year (-1): "
                     "the parallel pre-trends test cannot be run.")
        return leads, events, _NAN
    idx = [list(res.params.index).index(n) for n in lead_names]
    restriction = np.zeros((len(idx), len(res.params)))
    restriction[np.arange(len(idx)), idx] = 1.0
    cov = restriction @ np.asarray(res.cov_params()) @ restriction.T
    if np.linalg.matrix_rank(cov) < len(idx):
        notes.append(
            f"The joint pre-trends test on {len(idx)} leads cannot be computed: the "
            f"region-clustered covariance is singular (too few regions for that many "
            f"leads).")
        return leads, events, _NAN
    test = res.wald_test(restriction, use_f=True, scalar=True)
    lag_names = [_event_name(k) for k in rel_years if k >= 0]
    restricted = smf.ols("value ~ " + " + ".join(lag_names + ["C(region_code)", "C(year)"]),
                         data=data).fit()
    pvalue, n_draws = _wild_cluster_wald_pvalue(res, restricted, idx,
                                                pd.factorize(data["region_code"])[0])
    notes.append(
        f"Pre-trends test: joint Wald test that the {len(idx)} lead(s) are zero, "
        f"p = {pvalue:.3g} from a wild cluster bootstrap ({n_draws} Rademacher draws, "
        f"null imposed); the analytic clustered F test gives p = {float(test.pvalue):.3g} "
        f"but over-rejects with few regions.")
    return leads, events, pvalue


def _wild_cluster_wald_pvalue(res, restricted, idx: list[int], groups: np.ndarray
                              ) -> tuple[float, int]:
    """Wild cluster restricted (WCR) bootstrap p-value of the Wald test ``beta[idx] = 0``.

    Rademacher weights per cluster; all 2**G sign patterns when G <= 12 (exact and
    deterministic), otherwise 9,999 draws from a fixed seed.
    """
    X = np.asarray(res.model.exog, dtype=float)
    y = np.asarray(res.model.endog, dtype=float)
    n, k = X.shape
    n_groups = int(groups.max()) + 1
    onehot = np.zeros((n, n_groups))
    onehot[np.arange(n), groups] = 1.0
    proj = np.linalg.pinv(X)  # k x n: beta = proj @ y
    lead_proj = proj[idx]  # q x n
    scale = n_groups / (n_groups - 1) * (n - 1) / (n - k)

    def wald(ys: np.ndarray) -> np.ndarray:  # ys: B x n -> B Wald statistics
        beta = ys @ proj.T
        resid = ys - beta @ X.T
        scores = np.stack([(resid * lead_proj[j]) @ onehot for j in range(len(idx))],
                          axis=2)  # B x G x q
        cov = scale * np.einsum("bgi,bgj->bij", scores, scores)
        b = beta[:, idx]
        return np.einsum("bi,bij,bj->b", b, np.linalg.pinv(cov), b)

    observed = wald(y[None, :])[0]
    if n_groups <= 12:
        signs = ((np.arange(2 ** n_groups)[:, None] >> np.arange(n_groups)) & 1) * 2.0 - 1.0
    else:
        signs = np.random.default_rng(_BOOTSTRAP_SEED).choice([-1.0, 1.0],
                                                              size=(9999, n_groups))
    fitted = np.asarray(restricted.fittedvalues, dtype=float)
    resid = np.asarray(restricted.resid, dtype=float)
    exceed = 0
    for start in range(0, len(signs), 512):
        w = signs[start:start + 512][:, groups]  # B x n
        exceed += int((wald(fitted[None, :] + w * resid[None, :]) >= observed - 1e-10).sum())
    return exceed / len(signs), len(signs)


# --------------------------------------------------------------------------- public API


def did_estimate(values: pd.DataFrame, partnerships: pd.DataFrame, *, indicator_id,
                 min_pre_periods: int = 2, min_treated: int = 2, min_control: int = 2,
                 ci: float = 0.95) -> DidResult:
    """Difference-in-differences effect of a partnership on one M&E indicator.

    Fits the two-way fixed-effects (TWFE) regression, in levels of the indicator
    (no log transform, so the effect is in the indicator's own units),

    ``value ~ treated_post + C(region_code) + C(year)``

    with ordinary least squares, where ``treated_post`` is 1 for a treated region in
    and after its (earliest) partnership start year. Standard errors are clustered by
    region (``cov_type="cluster"``, small-sample corrected) and inference uses the
    t distribution with (number of regions - 1) degrees of freedom, because M&E panels
    have few regions.

    Parallel pre-trends are checked with an event study: the same fixed effects plus
    one dummy per year relative to the start year (leads -k ... -2 and lags 0, 1, ...;
    -1 is the reference), clustered by region, and a joint Wald test that all leads
    are zero. Its p-value comes from a wild cluster restricted bootstrap (Rademacher
    weights by region, null imposed; all 2**G sign patterns when there are G <= 12
    regions, else 9,999 draws from a fixed seed), because the analytic clustered F
    test (``wald_test``) over-rejects badly with few regions: about 30% instead of 5%
    in a 12-region simulation, against about 6% for the bootstrap. The analytic
    p-value is still reported in ``notes``.

    Parameters
    ----------
    values : pandas.DataFrame
        Long table ``region_code, indicator_id, year, value``. Rows with a missing
        ``value`` are dropped (and counted in ``notes``).
    partnerships : pandas.DataFrame
        ``region_code, start_year``; several rows per region are allowed (the earliest
        start year counts). Regions of ``values`` without a row are comparison regions.
    indicator_id
        The indicator to analyse (compared with ``values["indicator_id"]``).
    min_pre_periods : int, default 2
        Observed years before the start year a treated region needs to be used.
        Treated regions with fewer (in particular, regions whose partnership started
        at or before their first observed year) are excluded and listed in ``notes``.
    min_treated, min_control : int, default 2
        Minimum treated regions (with enough pre-treatment years) and comparison
        regions; at least one of each is always required.
    ci : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    DidResult
        With ``supported=False``, NaN numbers and the reasons in ``notes`` when the
        data cannot support the estimate.

    Raises
    ------
    ValueError
        Malformed input only: a required column is missing, years are not whole
        numbers, ``value`` is not numeric, duplicated region-year rows, or invalid
        arguments.

    Notes
    -----
    A partnership whose start year lies after the last observed year is treated as a
    comparison region (it is not yet treated in the data); this is noted.

    With staggered adoption (regions starting in different years) the TWFE
    coefficient is a weighted average of all two-by-two DiD comparisons, including
    comparisons that use already-treated regions as controls (Goodman-Bacon, 2021).
    When effects differ between start cohorts or change over time, some weights can
    be negative and the estimate need not equal any average treatment effect on the
    treated; heterogeneity-robust estimators such as Callaway and Sant'Anna (2021)
    are then preferable. With a common start year, or a constant effect, TWFE is
    the standard DiD estimate. The event-study leads share a milder form of this
    issue (Sun and Abraham, 2021). A non-significant pre-trends test is not proof of
    parallel trends: with few regions it has little power (Roth, 2022).

    References
    ----------
    .. [1] Angrist, J. D., & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*,
       ch. 5. Princeton University Press.
    .. [2] Bertrand, M., Duflo, E., & Mullainathan, S. (2004). How much should we
       trust differences-in-differences estimates? *Quarterly Journal of Economics*,
       119(1), 249-275.
    .. [3] Goodman-Bacon, A. (2021). Difference-in-differences with variation in
       treatment timing. *Journal of Econometrics*, 225(2), 254-277.
    .. [4] Callaway, B., & Sant'Anna, P. H. C. (2021). Difference-in-differences with
       multiple time periods. *Journal of Econometrics*, 225(2), 200-230.
    .. [5] Sun, L., & Abraham, S. (2021). Estimating dynamic treatment effects in
       event studies with heterogeneous treatment effects. *Journal of Econometrics*,
       225(2), 175-199.
    .. [6] Roth, J. (2022). Pretest with caution: event-study estimates after testing
       for parallel trends. *American Economic Review: Insights*, 4(3), 305-322.
    .. [7] Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to
       cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.
    .. [8] Cameron, A. C., Gelbach, J. B., & Miller, D. L. (2008). Bootstrap-based
       improvements for inference with clustered errors. *Review of Economics and
       Statistics*, 90(3), 414-427.
    .. [9] Roodman, D., MacKinnon, J. G., Nielsen, M. Ø., & Webb, M. D. (2019). Fast and
       wild: bootstrap inference in Stata using boottest. *The Stata Journal*, 19(1),
       4-60.
    """
    if not 0 < ci < 1:
        raise ValueError(f"`ci` must be between 0 and 1, got {ci!r}.")
    for name, val in (("min_pre_periods", min_pre_periods), ("min_treated", min_treated),
                      ("min_control", min_control)):
        if not isinstance(val, (int, np.integer)) or isinstance(val, bool) or val < 0:
            raise ValueError(f"`{name}` must be a non-negative integer, got {val!r}.")
    data = _clean_values(values)
    starts = _clean_partnerships(partnerships)
    notes: list[str] = []

    sub = data[data["indicator_id"] == indicator_id]
    if sub.empty:
        return _unsupported([f"Indicator {indicator_id!r} is not in `values`: "
                             f"there is nothing to estimate."])
    n_missing = int(sub["value"].isna().sum())
    if n_missing:
        notes.append(f"{n_missing} region-year row(s) with a missing value were dropped.")
    sub = sub.dropna(subset=["value"])
    if sub.empty:
        return _unsupported(notes + [f"Indicator {indicator_id!r} has no non-missing "
                                     f"values: there is nothing to estimate."])

    first_year, last_year = int(sub["year"].min()), int(sub["year"].max())
    absent = sorted(set(starts.index) - set(sub["region_code"]))
    if absent:
        notes.append(f"{len(absent)} region(s) with a partnership have no data for "
                     f"indicator {indicator_id!r} and are not used: {', '.join(absent)}.")

    treated, control = [], []
    for region, years in sub.groupby("region_code", sort=True)["year"]:
        if region not in starts.index:
            control.append(region)
            continue
        start = int(starts[region])
        n_pre = int((years < start).sum())
        n_post = int((years >= start).sum())
        if start > last_year:
            control.append(region)
            notes.append(f"Region {region}: partnership starts in {start}, after the last "
                         f"observed year {last_year}; used as a comparison region.")
        elif n_post == 0:
            notes.append(f"Region {region} excluded: no observation in or after its "
                         f"partnership start year {start}.")
        elif n_pre == 0:
            notes.append(f"Region {region} excluded: its partnership started in {start}, "
                         f"at or before its first observed year {int(years.min())}, so it "
                         f"has no pre-treatment period.")
        elif n_pre < min_pre_periods:
            notes.append(f"Region {region} excluded: only {n_pre} pre-treatment year(s) "
                         f"before its start year {start}; at least {min_pre_periods} "
                         f"are required.")
        else:
            treated.append(region)

    reasons = []
    need_treated, need_control = max(min_treated, 1), max(min_control, 1)
    if len(treated) < need_treated:
        reasons.append(
            f"Not supported: only {len(treated)} treated region(s) with at least "
            f"{min_pre_periods} pre-treatment year(s); at least {need_treated} are needed.")
    if len(control) == 0:
        reasons.append("Not supported: there are no comparison regions (regions without "
                       "a partnership), so there is nothing to compare the treated "
                       "regions with.")
    elif len(control) < need_control:
        reasons.append(f"Not supported: only {len(control)} comparison region(s) without a "
                       f"partnership; at least {need_control} are needed.")
    if reasons:
        return _unsupported(notes + reasons, n_treated=len(treated), n_control=len(control))

    sample = sub[sub["region_code"].isin(treated + control)].copy()
    sample["start_year"] = sample["region_code"].map(
        {r: float(starts[r]) for r in treated}).astype("float64")
    sample["treated_post"] = (sample["year"] >= sample["start_year"]).astype("float64")
    sample = sample.reset_index(drop=True)
    counts = dict(n_treated=len(treated), n_control=len(control))

    if sample["value"].nunique() < 2:
        return _unsupported(notes + ["Not supported: the indicator has no variation "
                                     "(every value is the same)."], **counts)
    res = _fit_cluster("value ~ treated_post + C(region_code) + C(year)", sample)
    exog = np.asarray(res.model.exog)
    if np.linalg.matrix_rank(exog) < exog.shape[1] or res.df_resid <= 0:
        return _unsupported(notes + ["Not supported: the treatment cannot be separated "
                                     "from region and year effects (no variation in "
                                     "treatment timing left after the fixed effects, or "
                                     "too few observations)."], **counts)

    conf = res.conf_int(alpha=1 - ci)
    if sample["start_year"].dropna().nunique() > 1:
        notes.append("Staggered adoption (several start years): the TWFE estimate is a "
                      "weighted average of two-by-two comparisons and can be biased when "
                      "effects differ by cohort or over time (Goodman-Bacon 2021; "
                      "Callaway & Sant'Anna 2021).")
    leads, events, pre_p = _event_study(sample, ci, notes)
    if not math.isnan(pre_p) and pre_p < 0.05:
        notes.append(f"Pre-trends test rejects parallel pre-treatment trends "
                     f"(p = {pre_p:.3g}): the DiD estimate may be biased.")
    return DidResult(
        estimate=float(res.params["treated_post"]), se=float(res.bse["treated_post"]),
        ci_low=float(conf.loc["treated_post", 0]), ci_upp=float(conf.loc["treated_post", 1]),
        pvalue=float(res.pvalues["treated_post"]), nobs=int(res.nobs),
        pretrend_pvalue=pre_p, leads=leads, supported=True, notes=notes,
        event_study=events, **counts)


def pretrend_figure(result: DidResult, *, title: str = "") -> plt.Figure:
    """Event-study plot: coefficients by year relative to the partnership start.

    Points with confidence intervals for each relative year (the reference year -1 is
    drawn hollow at zero), a horizontal zero line, and a dashed vertical line where
    treatment starts (between -1 and 0). Leads (before the start) near zero support
    the parallel-trends assumption behind :func:`did_estimate`.

    Parameters
    ----------
    result : DidResult
        Output of :func:`did_estimate`. When it is not supported, the figure says so.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    .. [1] Freyaldenhoven, S., Hansen, C., Pérez, J. P., & Shapiro, J. M. (2021).
       Visualization, identification, and estimation in the linear panel event-study
       design. NBER Working Paper 29170.
    """
    fig, ax = plt.subplots(figsize=(7.0, 4.0))
    events = result.event_study if len(result.event_study) else result.leads
    if not result.supported or events.empty:
        reason = result.notes[-1] if result.notes else "no event-study coefficients"
        ax.text(0.5, 0.5, "\n".join(textwrap.wrap(reason, 70)), ha="center", va="center",
                transform=ax.transAxes, fontsize="small")
        ax.set_axis_off()
    else:
        est = events.dropna(subset=["ci_low", "ci_upp"])
        ref = events[events["ci_low"].isna()]
        err = np.vstack([est["estimate"] - est["ci_low"], est["ci_upp"] - est["estimate"]])
        pre = (est["rel_year"] < 0).to_numpy()
        ax.errorbar(est.loc[pre, "rel_year"], est.loc[pre, "estimate"], yerr=err[:, pre],
                    fmt="o", color="#7f7f7f", capsize=3, label="before start (leads)")
        ax.errorbar(est.loc[~pre, "rel_year"], est.loc[~pre, "estimate"],
                    yerr=err[:, ~pre], fmt="o", color="#1f78b4", capsize=3,
                    label="from start (lags)")
        ax.scatter(ref["rel_year"], ref["estimate"], facecolors="white",
                   edgecolors="black", zorder=3, label="reference year (-1)")
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.axvline(-0.5, color="#d95f02", linestyle="--", linewidth=1.0,
                   label="treatment start")
        ax.set_xticks(events["rel_year"].astype(int).tolist())
        ax.set_xlabel("Years relative to partnership start")
        ax.set_ylabel("Effect on indicator (difference from year -1)")
        if not math.isnan(result.pretrend_pvalue):
            ax.text(0.01, 0.98, f"pre-trends test p = {result.pretrend_pvalue:.3g}",
                    transform=ax.transAxes, va="top", fontsize="small")
        ax.legend(loc="lower right", fontsize="small", frameon=True)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
