"""Stakeholder engagement: meeting attendance, pentahelix coverage, power/interest map.

This module owns the *engagement* and *stakeholder coverage* parts of a regional
evaluation (sections 2 and 5 of the report): who was invited to forum meetings and
who came, by sector and over time; which of the five pentahelix categories the
programme's sectors reach in the stakeholder register, the survey and the meetings; and where each stakeholder
sits on the power/interest grid.

Inputs are the cleaned tables of ``data/processed/``, already filtered to one region
by the caller:

- ``attendance``: ``region_code, province_code, meeting_date, meeting, organisation,
  sector, attended`` (one row per organisation invited to a meeting);
- ``register``: ``region_code, province_code, organisation, sector, influence,
  interest`` (influence and interest rated 1-5).

Sectors are the programme's own: the ``sectors`` table (``sectors.parquet``:
``sector, label_id, label_en, pentahelix``; row order = form order) is passed as
``sectors=`` and gives row order (:func:`evalkit.core.domain.sector_order`); its labels
(:func:`evalkit.core.domain.sector_labels`) and colours
(:func:`evalkit.present.colours.sector_palette`) are the presentation's, and the
figures are drawn by :mod:`evalkit.present.figures`. Each sector maps to one of the five
pentahelix categories :data:`PENTAHELIX` (or to none: a group outside the five), and
coverage is counted per category (:func:`pentahelix_coverage`). Without a table the
five category keys stand for themselves (the demo's codes). A missing sector is
treated as ``"unknown"`` and shown as its own row after the programme's sectors, so
nothing is silently dropped.

All functions are pure: DataFrames in, new DataFrames out; no file I/O, no drawing, no
display text (codes only), no printing, inputs never modified.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from evalkit.core.checks import check_level, check_min_n, require_columns
from evalkit.core.config import CI_LEVEL, MIN_CELL

# the sector vocabulary (one place: evalkit.core.domain), under the names used below
from evalkit.core.domain import PENTAHELIX, UNKNOWN_SECTOR
from evalkit.core.domain import sector_codes as _sector_codes
from evalkit.core.domain import sector_order as _sector_order
from evalkit.core.domain import sector_series as _sector_series
from evalkit.core.domain import sector_values as _sector_values

__all__ = [
    "PENTAHELIX",
    "UNKNOWN_SECTOR",
    "QUADRANTS",
    "attendance_by_sector",
    "attendance_rate",
    "ATTENDANCE_RATE_COLUMNS",
    "attendance_over_time",
    "attendance_trend",
    "pentahelix_coverage",
    "missing_sectors",
    "coverage_share",
    "coverage_mapped",
    "COVERAGE_COLUMNS",
    "power_interest_map",
    "quadrant_counts",
]

# --------------------------------------------------------------------------------------
# Vocabulary: PENTAHELIX and UNKNOWN_SECTOR come from evalkit.core.domain (imported above)
# --------------------------------------------------------------------------------------
#: Power/interest quadrants (Mendelow 1991; Eden & Ackermann 1998), in display order.
QUADRANTS: tuple[str, ...] = ("manage_closely", "keep_satisfied", "keep_informed", "monitor")

_RATING_MIN, _RATING_MAX = 1, 5  # influence / interest scale of the register
_ALL = "all"


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------
def _typed_frame(rows: list[tuple], columns: list[str], dtypes: Mapping) -> pd.DataFrame:
    """``pd.DataFrame(rows, columns=columns)`` with ``dtypes`` applied, built column by
    column: each typed column is made in its dtype at once (a dtype name, or a callable
    of the column's values), the others inferred as before. Small tables are built for
    every region, and a conversion per column costs more than the table."""
    if not rows:
        out = pd.DataFrame(rows, columns=columns)
        return out.astype({k: v for k, v in dtypes.items() if not callable(v)})
    data = {}
    for name, col in zip(columns, zip(*rows, strict=True), strict=True):
        dtype = dtypes.get(name)
        if dtype is None:
            data[name] = list(col)
        elif callable(dtype):
            data[name] = dtype(list(col))
        elif dtype in ("Int64", "boolean"):
            data[name] = pd.array(list(col), dtype=dtype)
        else:
            data[name] = np.array(col, dtype=dtype)
    return pd.DataFrame(data, columns=columns)


def _attended_bool(attendance: pd.DataFrame) -> np.ndarray:
    s = attendance["attended"]
    if s.isna().any():
        rows = list(attendance.index[s.isna()][:5])
        raise ValueError(
            f"attendance: column 'attended' has missing values (e.g. row(s) {rows}); "
            "decide attended/absent during cleaning."
        )
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=bool)
    ok = pd.api.types.is_numeric_dtype(s) and s.isin([0, 1]).all()
    if not ok:
        raise ValueError(
            "attendance: column 'attended' must be boolean (True/False or 1/0); "
            f"got values {sorted(map(str, pd.unique(s)))[:10]}."
        )
    return s.to_numpy().astype(bool)


def _dates(attendance: pd.DataFrame) -> pd.Series:
    try:
        d = pd.to_datetime(attendance["meeting_date"])
    except (ValueError, TypeError) as exc:
        raise ValueError(f"attendance: column 'meeting_date' has unreadable dates ({exc}).") from None
    if d.isna().any():
        rows = list(attendance.index[d.isna()][:5])
        raise ValueError(f"attendance: column 'meeting_date' is missing in row(s) {rows}.")
    return d


def _attendance_arrays(attendance: pd.DataFrame, what: str, *, dates: bool = False
                       ) -> dict[str, np.ndarray]:
    """The checked columns of :func:`_prepare_attendance` as arrays (organisation and
    sector object arrays of str, attended bool, meeting_date datetime64)."""
    cols = ["organisation", "sector", "attended"] + (["meeting_date"] if dates else [])
    require_columns(attendance, cols, what)
    org = attendance["organisation"]
    if org.isna().any():
        rows = list(attendance.index[org.isna()][:5])
        raise ValueError(f"{what}: column 'organisation' is missing in row(s) {rows}.")
    out = {
        "organisation": (org.to_numpy(dtype=object) if isinstance(org.dtype, pd.StringDtype)
                         else org.astype(object).map(str).to_numpy()),
        "sector": _sector_values(attendance),
        "attended": _attended_bool(attendance),
    }
    if dates:
        out["meeting_date"] = _dates(attendance).to_numpy()
    return out


def _prepare_attendance(attendance: pd.DataFrame, what: str, *, dates: bool = False) -> pd.DataFrame:
    return pd.DataFrame(_attendance_arrays(attendance, what, dates=dates))


# --------------------------------------------------------------------------------------
# Attendance by sector
# --------------------------------------------------------------------------------------
def _cluster_deff(attended: np.ndarray, cluster: np.ndarray) -> float:
    """Design effect of a proportion whose observations are clustered.

    Ratio-estimator (Taylor-linearisation) variance with clusters as primary units,
    divided by the binomial variance; NaN when it cannot be estimated (fewer than two
    clusters, or a proportion of exactly 0 or 1).
    """
    n = attended.size
    if n == 0:
        return math.nan
    p = attended.mean()
    codes = pd.factorize(cluster)[0]  # clusters in order of appearance
    g = int(codes.max()) + 1
    if g < 2 or p <= 0 or p >= 1:
        return math.nan
    sums = np.bincount(codes, weights=attended.astype(float), minlength=g)
    sizes = np.bincount(codes, minlength=g)
    resid = sums - p * sizes
    var_cluster = g / (g - 1) * float(np.sum(resid**2)) / n**2
    var_srs = p * (1 - p) / n
    return var_cluster / var_srs


def _wilson(successes: float, n: float, ci: float) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    if n <= 0:
        return (math.nan, math.nan)
    low, upp = proportion_confint(successes, n, alpha=1 - ci, method="wilson")
    return float(low), float(upp)


def attendance_by_sector(
    attendance: pd.DataFrame,
    *,
    min_n: int = MIN_CELL,
    ci: float = CI_LEVEL,
    cluster: bool = True,
    sectors: pd.DataFrame | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Meeting attendance rate per sector with a Wilson interval and suppression.

    ``sectors`` is the programme's sectors in form order: each gets a row, attended or
    not (default: the five pentahelix keys).

    Parameters
    ----------
    attendance : pandas.DataFrame
        One row per organisation invited to a meeting; needs ``organisation``,
        ``sector`` and ``attended`` (bool, or 0/1; no missing values).
    min_n : int, default ``MIN_CELL``
        Sectors with fewer distinct organisations are suppressed.
    ci : float, default ``CI_LEVEL``
        Confidence level.
    cluster : bool, default True
        Account for the clustering of invitations within organisations by using
        the Wilson interval with the effective sample size ``n / deff`` (see Notes).
        With ``False`` the plain Wilson interval on all invitations is returned.

    Returns
    -------
    pandas.DataFrame
        One row per sector, the programme's sectors first (``sectors``, form order;
        default the five :data:`PENTAHELIX` keys; always, with 0 invitations where
        absent), then any other sector found (e.g.
        ``"unknown"``). Columns:

        ``sector``, ``invitations`` (rows), ``attended`` (Int64; times attended),
        ``rate`` (attended / invitations), ``ci_low``, ``ci_upp``, ``deff``
        (estimated design effect, NaN when not estimable), ``organisations``
        (distinct organisations invited), ``suppressed``.

        Suppressed rows (fewer than ``min_n`` organisations) have ``attended`` set to
        ``<NA>`` and ``rate``, ``ci_low``, ``ci_upp``, ``deff`` set to NaN: the
        attended count would give the rate away. ``invitations`` and
        ``organisations`` are kept, so readers see why.

    Raises
    ------
    ValueError
        If a column is missing (named), ``attended`` has missing or non-boolean
        values, ``ci`` is not in (0, 1) or ``min_n`` is negative.

    Notes
    -----
    The rate is :math:`\\hat p = y / n` with :math:`y` attendances out of :math:`n`
    invitations. The Wilson (score) interval is

    .. math::

        \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n},

    computed by ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.
    It keeps close to nominal coverage for small :math:`n` and rates near 0 or 1,
    where the Wald interval fails (Brown, Cai & DasGupta 2001).

    *Clustering.* The same organisations are invited to every meeting, so
    attendances are not independent: an organisation that skips one meeting tends
    to skip others. Treating the :math:`n` invitations as independent Bernoulli
    trials then understates the uncertainty. With ``cluster=True`` the design
    effect of the rate with organisations as clusters is estimated by Taylor
    linearisation of the ratio :math:`\\hat p = \\sum_j y_j / \\sum_j m_j` over the
    :math:`g` organisations (:math:`y_j` attendances out of :math:`m_j`
    invitations),

    .. math::

        \\widehat{V}(\\hat p) = \\frac{g}{g-1} \\frac{\\sum_j (y_j - \\hat p m_j)^2}{n^2},
        \\qquad \\mathrm{deff} = \\frac{\\widehat V(\\hat p)}{\\hat p(1-\\hat p)/n},

    and the Wilson interval is computed with the effective sample size
    :math:`n_\\text{eff} = n / \\max(\\mathrm{deff}, 1)` and :math:`\\hat p
    n_\\text{eff}` successes (Kish 1965; the "Wilson with effective sample size"
    interval evaluated by Dean & Pagano 2015). The design effect is truncated at 1,
    so the interval is never narrower than the plain Wilson interval; where it
    cannot be estimated (a rate of 0 or 1, a single organisation) the plain
    interval is used. With only a handful of organisations per sector the design
    effect is itself imprecise: read the interval as indicative.

    Suppressing sectors with fewer than ``min_n`` organisations is the minimum
    frequency (threshold) rule of statistical disclosure control.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
           statistical inference. *Journal of the American Statistical
           Association*, 22(158), 209-212.
    .. [2] Brown, L. D., Cai, T. T., & DasGupta, A. (2001). Interval estimation for
           a binomial proportion. *Statistical Science*, 16(2), 101-133.
    .. [3] Newcombe, R. G. (1998). Two-sided confidence intervals for the single
           proportion: comparison of seven methods. *Statistics in Medicine*,
           17(8), 857-872.
    .. [4] Kish, L. (1965). *Survey Sampling*. Wiley (design effect, ratio
           estimators).
    .. [5] Dean, N., & Pagano, M. (2015). Evaluating confidence interval methods
           for binomial proportions in clustered surveys. *Journal of Survey
           Statistics and Methodology*, 3(4), 484-503.
    .. [6] Hundepool, A., et al. (2012). *Statistical Disclosure Control*. Wiley,
           ch. 5 (threshold rule).
    """
    check_level(ci)
    check_min_n(min_n)
    data = _attendance_arrays(attendance, "attendance")
    rows = []
    sector_of, attended_all, org_all = data["sector"], data["attended"], data["organisation"]
    known = None if sectors is None else _sector_codes(sectors)
    for sector in _sector_order(sector_of, order=known):
        mask = sector_of == sector
        attended, orgs = attended_all[mask], org_all[mask]
        n = int(mask.sum())
        y = int(attended.sum())
        n_org = len(set(orgs))
        suppressed = n_org < min_n
        if n == 0 or suppressed:
            rows.append((sector, n, pd.NA if suppressed else y, math.nan, math.nan, math.nan,
                         math.nan, n_org, suppressed))
            continue
        deff = _cluster_deff(attended, orgs)
        n_eff = n / max(deff, 1.0) if (cluster and not math.isnan(deff)) else float(n)
        p = y / n
        low, upp = _wilson(p * n_eff, n_eff, ci)
        rows.append((sector, n, y, p, low, upp, deff, n_org, suppressed))
    return _typed_frame(
        rows,
        ["sector", "invitations", "attended", "rate", "ci_low", "ci_upp", "deff",
         "organisations", "suppressed"],
        {"invitations": "int64", "attended": "Int64", "organisations": "int64",
         "suppressed": "bool", **dict.fromkeys(("rate", "ci_low", "ci_upp", "deff"), "float64")},
    )


ATTENDANCE_RATE_COLUMNS = ("invitations", "attended", "rate", "organisations", "org_rate",
                           "org_rate_se")


def attendance_rate(attendance: pd.DataFrame) -> dict[str, float]:
    """One region's meeting attendance, all sectors together: the pooled rate and the
    mean of the organisations' attendance shares with its standard error.

    Parameters
    ----------
    attendance : pandas.DataFrame
        One row per invitation; needs ``organisation`` and ``attended`` (bool or 0/1).

    Returns
    -------
    dict
        :data:`ATTENDANCE_RATE_COLUMNS`: ``invitations`` (rows), ``attended`` (times
        attended), ``rate`` = attended / invitations (NaN without invitations; the rate
        the report's text quotes, equal to the total of :func:`attendance_by_sector`),
        ``organisations`` (distinct organisations invited), ``org_rate`` (mean of the
        organisations' shares of meetings attended: the index component) and
        ``org_rate_se`` (its standard error; NaN with fewer than two organisations).

    Notes
    -----
    Organisations are the clusters of repeated meetings, so the standard error of
    ``org_rate`` is that of a mean of organisation-level shares,
    :math:`s / \\sqrt{g}` over the :math:`g` organisations (a cluster-level
    estimator). Invitations without an organisation count in ``rate`` but belong to
    no cluster (as ``groupby`` leaves missing keys out).

    References
    ----------
    .. [1] Kish, L. (1965). *Survey Sampling*. Wiley, ch. 6 (cluster sampling).
    """
    attended = attendance["attended"].to_numpy(dtype="float64")
    n = len(attended)
    y = float(attended.sum())
    known = attendance["organisation"].notna().to_numpy()
    orgs, codes = np.unique(attendance["organisation"].to_numpy(dtype=object)[known],
                            return_inverse=True)
    if len(orgs):
        shares = pd.Series(np.bincount(codes, weights=attended[known]) / np.bincount(codes))
        org_rate = float(shares.mean())
        se = float(shares.std(ddof=1) / np.sqrt(len(shares))) if len(shares) > 1 else math.nan
    else:
        org_rate = se = math.nan
    return {"invitations": n, "attended": int(y), "rate": y / n if n else math.nan,
            "organisations": len(orgs), "org_rate": org_rate, "org_rate_se": se}


# --------------------------------------------------------------------------------------
# Attendance over time
# --------------------------------------------------------------------------------------
def attendance_over_time(
    attendance: pd.DataFrame,
    *,
    freq: str = "Q",
    min_n: int = MIN_CELL,
    sectors: pd.DataFrame | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Attendance rate per sector and period (long format), plus an all-sector row.

    ``sectors`` (the programme's sectors table or codes, form order) orders the
    sectors found; default the five pentahelix keys first, others sorted.

    Parameters
    ----------
    attendance : pandas.DataFrame
        Needs ``meeting_date`` (datetime64 or date strings), ``organisation``,
        ``sector`` and ``attended``.
    freq : str, default "Q"
        A pandas period frequency: ``"Q"`` quarter, ``"M"`` month, ``"Y"`` year.
    min_n : int, default ``MIN_CELL``
        Cells (period x sector) with fewer distinct invited organisations are
        suppressed: ``attended`` becomes ``<NA>`` and ``rate`` NaN. Pass 0 to show
        every cell.

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (pandas Period), ``sector``, ``invitations``,
        ``attended`` (Int64), ``rate``, ``organisations``, ``suppressed``. For every
        period (sorted) there is one row per sector found anywhere in the data
        (pentahelix order, then others; 0 invitations and NaN rate where a sector
        had no invitation that period) followed by one row with ``sector="all"``.
        The sector rows' ``invitations`` add up to the number of input rows.

    Raises
    ------
    ValueError
        If a column is missing (named), a date cannot be read or is missing,
        ``attended`` is not boolean, or ``freq`` is not a period frequency.

    Notes
    -----
    The rate of a cell is attendances / invitations among the meetings whose date
    falls in the period. Suppression follows the threshold rule (Hundepool et al.
    2012, ch. 5), as in :func:`attendance_by_sector`. For a test of change over time
    see :func:`attendance_trend`.

    References
    ----------
    .. [1] Hundepool, A., et al. (2012). *Statistical Disclosure Control*. Wiley.
    """
    check_min_n(min_n)
    data = _attendance_arrays(attendance, "attendance", dates=True)
    try:
        period = pd.PeriodIndex(pd.DatetimeIndex(data["meeting_date"]), freq=freq)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"freq {freq!r} is not a pandas period frequency ({exc}).") from None
    known = None if sectors is None else _sector_codes(sectors)
    sectors = _sector_order(data["sector"], all_five=False, order=known)
    # every (period, sector) cell counted at once; column len(sectors) is "all"
    per_code, periods = pd.factorize(period, sort=True)
    periods = list(periods)
    sec_code = pd.Index(sectors, dtype=object).get_indexer(data["sector"]).astype(np.int64)
    org_code = pd.factorize(data["organisation"])[0].astype(np.int64)
    attended = data["attended"]
    n_cols = len(sectors) + 1
    size = len(periods) * n_cols
    cells = [per_code * n_cols + sec_code, per_code * n_cols + len(sectors)]
    n_cell = sum(np.bincount(c, minlength=size) for c in cells)
    y_cell = sum(np.bincount(c[attended], minlength=size) for c in cells)
    n_orgs = max(int(org_code.max()) + 1, 1) if len(org_code) else 1
    org_cell = sum(np.bincount(np.unique(c * n_orgs + org_code) // n_orgs, minlength=size)
                   for c in cells)
    rows = []
    for i, period in enumerate(periods):
        for j, sector in enumerate([*sectors, _ALL]):
            n, y, n_org = (int(v[i * n_cols + j]) for v in (n_cell, y_cell, org_cell))
            suppressed = n > 0 and n_org < min_n
            rate = y / n if (n > 0 and not suppressed) else math.nan
            rows.append((period, sector, n, pd.NA if suppressed else y, rate, n_org, suppressed))
    columns = ["period", "sector", "invitations", "attended", "rate", "organisations",
               "suppressed"]
    dtypes = {"invitations": "int64", "attended": "Int64", "rate": "float64",
              "organisations": "int64", "suppressed": "bool"}
    if rows:
        dtypes["period"] = lambda values: pd.PeriodIndex(values, freq=periods[0].freq).array
    return _typed_frame(rows, columns, dtypes)


_TREND_COLUMNS = ["sector", "invitations", "organisations", "slope", "se", "slope_ci_low",
                  "slope_ci_upp", "odds_ratio", "or_ci_low", "or_ci_upp", "p_value", "note"]


def _fit_trend(organisation: np.ndarray, years: np.ndarray, attended: np.ndarray, ci: float,
               min_n: int) -> tuple:
    """The trend of one block of invitations (arrays of one sector, or all)."""
    import statsmodels.api as sm

    n = len(organisation)
    n_org = len(set(organisation.tolist()))
    nan7 = (math.nan,) * 8
    if n == 0:
        return (n, n_org, *nan7, "no invitations")
    if n_org < min_n:
        return (n, n_org, *nan7, f"fewer than {min_n} organisations")
    if np.unique(years).size < 2:
        return (n, n_org, *nan7, "a single meeting date")
    y = attended.astype(float)
    if y.min() == y.max():
        return (n, n_org, *nan7, "no variation in attendance")
    exog = sm.add_constant(years.astype(float), has_constant="add")
    groups = pd.factorize(organisation)[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = sm.GLM(y, exog, family=sm.families.Binomial()).fit(
                cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
            )
        except Exception as exc:  # numerical failure (e.g. perfect separation)
            return (n, n_org, *nan7, f"model failed: {type(exc).__name__}")
    bad = [w for w in caught if "Separation" in type(w.message).__name__
           or "Convergence" in type(w.message).__name__]
    if bad:
        return (n, n_org, *nan7, f"model unreliable: {type(bad[0].message).__name__}")
    slope = float(res.params[1])
    se = float(res.bse[1])
    low, upp = (float(v) for v in np.asarray(res.conf_int(alpha=1 - ci))[1])
    p = float(res.pvalues[1])
    if not all(map(math.isfinite, (slope, se, low, upp))):
        return (n, n_org, *nan7, "model unreliable: non-finite estimate")
    return (n, n_org, slope, se, low, upp, math.exp(slope), math.exp(low), math.exp(upp), p, "")


def attendance_trend(
    attendance: pd.DataFrame,
    *,
    ci: float = CI_LEVEL,
    min_n: int = MIN_CELL,
    sectors: pd.DataFrame | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Trend in attendance per sector: logistic regression on time, clustered SEs.

    ``sectors`` (the programme's sectors table or codes, form order) orders the rows;
    default the five pentahelix keys first, others sorted.

    Parameters
    ----------
    attendance : pandas.DataFrame
        Needs ``meeting_date``, ``organisation``, ``sector``, ``attended``.
    ci : float, default ``CI_LEVEL``
        Confidence level.
    min_n : int, default ``MIN_CELL``
        Sectors with fewer distinct organisations get no estimate (a cluster-robust
        variance from fewer clusters is unusable).

    Returns
    -------
    pandas.DataFrame
        One row per sector found in the data (pentahelix order), then
        ``sector="all"``. Columns ``sector, invitations, organisations, slope``
        (change in log-odds of attending per year), ``se``, ``slope_ci_low``,
        ``slope_ci_upp``, ``odds_ratio`` (``exp(slope)``: multiplicative change in
        the odds per year), ``or_ci_low``, ``or_ci_upp``, ``p_value`` and ``note``
        (empty when estimated, else why not: too few organisations, a single meeting
        date, no variation, separation or non-convergence).

    Raises
    ------
    ValueError
        If a column is missing (named) or the data are malformed.

    Notes
    -----
    For each sector, :math:`\\operatorname{logit} P(\\text{attended}_{ij}) =
    \\beta_0 + \\beta_1 t_{ij}` with :math:`t` the meeting date in years since the
    first meeting in the data, fitted by maximum likelihood (statsmodels ``GLM``,
    Binomial family). Invitations of the same organisation are correlated, so the
    standard errors are cluster-robust by organisation (Liang & Zeger 1986) with
    the usual small-sample factor :math:`\\frac{G}{G-1}\\frac{N-1}{N-K}`, and
    intervals and p-values use a t distribution with :math:`G-1` degrees of
    freedom (:math:`G` organisations), as recommended for few clusters (Cameron &
    Miller 2015). The ``all`` row pools every sector (no sector terms): it
    describes the forum as a whole, including changes in its sector mix.

    References
    ----------
    .. [1] Liang, K.-Y., & Zeger, S. L. (1986). Longitudinal data analysis using
           generalized linear models. *Biometrika*, 73(1), 13-22.
    .. [2] Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to
           cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.
    .. [3] Agresti, A. (2013). *Categorical Data Analysis* (3rd ed.). Wiley, ch. 5.
    """
    check_level(ci)
    check_min_n(min_n)
    data = _attendance_arrays(attendance, "attendance", dates=True)
    dates = pd.Series(data["meeting_date"])
    if len(dates):
        years = ((dates - dates.min()).dt.total_seconds() / (365.25 * 86400)).to_numpy(float)
    else:
        years = np.array([], dtype="float64")
    rows = []
    sector_of = data["sector"]
    columns = (data["organisation"], years, data["attended"])
    known = None if sectors is None else _sector_codes(sectors)
    for sector in [*_sector_order(sector_of, all_five=False, order=known), _ALL]:
        block = columns if sector == _ALL else tuple(c[sector_of == sector] for c in columns)
        rows.append((sector, *_fit_trend(*block, ci, min_n)))
    return _typed_frame(rows, _TREND_COLUMNS,
                        {"invitations": "int64", "organisations": "int64",
                         **dict.fromkeys(_TREND_COLUMNS[3:-1], "float64")})


# --------------------------------------------------------------------------------------
# Pentahelix coverage
# --------------------------------------------------------------------------------------
def _category_map(sectors: pd.DataFrame | None) -> tuple[dict[str, str], list[str]]:
    """Sector code -> pentahelix category ("" = outside the five) and the form's codes in
    order; without a table every pentahelix key stands for itself."""
    if sectors is None:
        return {s: s for s in PENTAHELIX}, list(PENTAHELIX)
    require_columns(sectors, ["sector", "pentahelix"], "sectors")
    codes = [str(s) for s in sectors["sector"]]
    cats = ["" if pd.isna(c) else str(c).strip() for c in sectors["pentahelix"]]
    bad = sorted({c for c in cats if c and c not in PENTAHELIX})
    if bad:
        raise ValueError(f"sectors: column 'pentahelix' has {bad}, which are not pentahelix "
                         f"categories ({', '.join(PENTAHELIX)}; blank = outside the five).")
    return dict(zip(codes, cats, strict=True)), codes


#: Columns of :func:`pentahelix_coverage`.
COVERAGE_COLUMNS = ("sector", "category", "sectors", "counted", "in_register", "in_survey",
                    "in_attendance", "present")


def pentahelix_coverage(
    register: pd.DataFrame,
    *,
    survey: pd.DataFrame | None = None,
    attendance: pd.DataFrame | None = None,
    sectors: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Which pentahelix categories are in the register, the survey and the meetings.

    A programme's own sectors map to the five pentahelix categories through the
    ``pentahelix`` column of its sectors table (``sectors.parquet``); coverage is
    counted per **category**: a category is present when any organisation of a sector
    mapped to it is in the register. A sector mapped to no category (``""``, a group
    outside the five) gets its own row after the five and never counts.

    Parameters
    ----------
    register : pandas.DataFrame
        Stakeholder register with ``organisation`` and ``sector``.
    survey : pandas.DataFrame, optional
        Survey responses (one row per respondent) with ``sector``.
    attendance : pandas.DataFrame, optional
        Attendance table with ``organisation``, ``sector``, ``attended``.
    sectors : pandas.DataFrame, optional
        The programme's sectors (``sector, pentahelix``; row order = form order).
        Default: the five pentahelix keys, each its own category (the demo's codes).

    Returns
    -------
    pandas.DataFrame
        Five rows, one per :data:`PENTAHELIX` category in order (always, also a
        category no sector maps to), then one row per form sector outside the five
        (form order), then one per other code found in the data (e.g. ``"unknown"``).
        Columns (:data:`COVERAGE_COLUMNS`):

        - ``sector``: the category key on the five category rows, the sector code on
          the other rows (the key the report looks rows up by);
        - ``category``: the category key, ``""`` on the other rows;
        - ``sectors``: the form's sector codes counted in the row, ``", "``-joined
          in form order (``""`` for a category no sector maps to);
        - ``counted``: True on the five category rows (only they enter
          :func:`coverage_share`);
        - ``in_register`` (distinct registered organisations); ``in_survey``
          (respondents; Int64, ``<NA>`` when ``survey`` is not given);
          ``in_attendance`` (distinct organisations that attended at least one
          meeting; Int64, ``<NA>`` when ``attendance`` is not given); ``present``
          (at least one registered organisation).

        The columns are the same whatever is given, so downstream tables have one shape.

    Raises
    ------
    ValueError
        If a required column is missing (the message names it and the table), or the
        sectors table maps a sector to something that is not a pentahelix category.

    Notes
    -----
    Coverage of the pentahelix (government, business, academia, community, media) is
    a count, not an estimate: no interval applies. See :func:`missing_sectors` and
    :func:`coverage_share`.
    """
    category, codes = _category_map(sectors)
    require_columns(register, ["organisation", "sector"], "register")
    reg_org = register["organisation"].to_numpy(dtype=object)
    reg_sector = _sector_values(register)
    observed = set(reg_sector.tolist())
    svy_sector = att = None
    if survey is not None:
        require_columns(survey, ["sector"], "survey")
        svy_sector = _sector_values(survey)
        observed |= set(svy_sector.tolist())
    if attendance is not None:
        att = _attendance_arrays(attendance, "attendance")
        observed |= set(att["sector"].tolist())
        att_sector = att["sector"][att["attended"]]
        att_org = att["organisation"][att["attended"]]
    groups = [(c, c, [s for s in codes if category[s] == c], True) for c in PENTAHELIX]
    groups += [(s, "", [s], False) for s in codes if not category[s]]
    listed = {s for _, _, members, _ in groups for s in members} | set(PENTAHELIX)
    groups += [(s, "", [s], False) for s in _sector_order(observed - listed, all_five=False,
                                                           order=())]
    rows = []
    for key, cat, members, counted in groups:
        n_reg = len({o for o in reg_org[np.isin(reg_sector, members)].tolist()
                     if not pd.isna(o)})
        n_svy = pd.NA if svy_sector is None else int(np.isin(svy_sector, members).sum())
        n_att = (pd.NA if att is None
                 else len(set(att_org[np.isin(att_sector, members)].tolist())))
        rows.append((key, cat, ", ".join(members), counted, n_reg, n_svy, n_att, n_reg > 0))
    return _typed_frame(rows, list(COVERAGE_COLUMNS),
                        {"counted": "bool", "in_register": "int64", "in_survey": "Int64",
                         "in_attendance": "Int64", "present": "bool"})


def _check_coverage(coverage: pd.DataFrame) -> pd.DataFrame:
    """The category rows of a coverage table (older tables: the pentahelix-key rows)."""
    require_columns(coverage, ["sector", "present"], "coverage")
    rows = coverage[coverage["sector"].isin(PENTAHELIX)]
    if "counted" in coverage.columns:
        rows = rows[rows["counted"].astype(bool)]
    return rows


def missing_sectors(coverage: pd.DataFrame) -> list[str]:
    """Pentahelix categories absent from the register, in :data:`PENTAHELIX` order.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Output of :func:`pentahelix_coverage` (needs ``sector`` and ``present``).
        A category with no row at all counts as missing; groups outside the five are
        never missing (they are not counted).

    Returns
    -------
    list of str
        Category keys, e.g. ``["akademisi", "media"]``; empty when all five are present.
    """
    cov = _check_coverage(coverage)
    present = set(cov.loc[cov["present"].astype(bool), "sector"])
    return [s for s in PENTAHELIX if s not in present]


def coverage_mapped(coverage: pd.DataFrame) -> bool:
    """Whether the programme's form maps any sector to a pentahelix category.

    False only for a coverage table from a sectors table whose ``pentahelix`` column
    is blank everywhere (its ``sectors`` column is empty on all five category rows);
    tables without a ``sectors`` column (older results) count as mapped.
    """
    cov = _check_coverage(coverage)
    if "sectors" not in cov.columns:
        return True
    return bool(cov["sectors"].fillna("").astype(str).str.strip().ne("").any())


def coverage_share(coverage: pd.DataFrame) -> float:
    """Share of the five pentahelix categories present in the register (0 to 1).

    Parameters
    ----------
    coverage : pandas.DataFrame
        Output of :func:`pentahelix_coverage`.

    Returns
    -------
    float
        ``present categories / 5``; groups outside the five do not count. A category
        the form maps no sector to counts as absent (that is a finding), but when the
        form maps **no** sector to any category (:func:`coverage_mapped` is False)
        the share is NaN: the form is silent, not the partnership incomplete.
    """
    if not coverage_mapped(coverage):
        return math.nan
    return (len(PENTAHELIX) - len(missing_sectors(coverage))) / len(PENTAHELIX)


# --------------------------------------------------------------------------------------
# Power / interest
# --------------------------------------------------------------------------------------
def _rating(register: pd.DataFrame, col: str) -> pd.Series:
    s = register[col]
    if pd.api.types.is_bool_dtype(s) or not (pd.api.types.is_numeric_dtype(s) or s.isna().all()):
        raise ValueError(f"register: column {col!r} must be numeric 1-5 (got dtype {s.dtype}).")
    s = s.astype("float64")
    bad = s.notna() & ((s < _RATING_MIN) | (s > _RATING_MAX))
    if bad.any():
        rows = list(register.index[bad][:5])
        raise ValueError(
            f"register: column {col!r} has values outside {_RATING_MIN}-{_RATING_MAX} "
            f"in row(s) {rows} (e.g. {s[bad].iloc[0]!r})."
        )
    return s


def power_interest_map(register: pd.DataFrame, *, midpoint: float = 3) -> pd.DataFrame:
    """Classify each stakeholder into a power/interest (influence/interest) quadrant.

    Parameters
    ----------
    register : pandas.DataFrame
        Stakeholder register with ``organisation``, ``sector``, ``influence`` and
        ``interest`` (numbers 1-5; missing allowed).
    midpoint : float, default 3
        A rating is *high* when it is **strictly greater** than ``midpoint``; a
        rating equal to the midpoint counts as low (see Notes).

    Returns
    -------
    pandas.DataFrame
        A copy of ``register`` (same index and columns) with ``high_influence`` and
        ``high_interest`` (boolean, ``<NA>`` when the rating is missing) and
        ``quadrant`` (one of :data:`QUADRANTS`, ``<NA>`` when a rating is missing):

        - influence > midpoint and interest > midpoint: ``manage_closely`` (key
          players);
        - influence > midpoint, interest <= midpoint: ``keep_satisfied``;
        - influence <= midpoint, interest > midpoint: ``keep_informed``;
        - otherwise: ``monitor``.

    Raises
    ------
    ValueError
        If ``influence`` or ``interest`` is missing, not numeric or outside 1-5.

    Notes
    -----
    The *boundary rule* is "strictly greater than the midpoint is high". On the 1-5
    register scale with the default midpoint 3, the neutral middle value 3 is low and
    only 4 and 5 are high, so a stakeholder must be rated above neutral on both axes
    to be a key player; with ">=" three of the five values would be "high" and the
    grid would lean towards "manage closely". Pass ``midpoint=2.5`` to treat 3 as
    high.

    The grid is Mendelow's (1991) power/interest matrix as used in stakeholder
    analysis for public and non-profit management (Eden & Ackermann 1998; Bryson
    2004).

    References
    ----------
    .. [1] Mendelow, A. (1991). Stakeholder mapping. *Proceedings of the 2nd
           International Conference on Information Systems*, Cambridge, MA.
    .. [2] Eden, C., & Ackermann, F. (1998). *Making Strategy: The Journey of
           Strategic Management*. Sage.
    .. [3] Bryson, J. M. (2004). What to do when stakeholders matter. *Public
           Management Review*, 6(1), 21-53.
    """
    require_columns(register, ["sector", "influence", "interest"], "register")
    if not isinstance(midpoint, (int, float, np.number)) or isinstance(midpoint, bool) \
            or not math.isfinite(midpoint):
        raise ValueError(f"midpoint must be a finite number, got {midpoint!r}.")
    influence = _rating(register, "influence")
    interest = _rating(register, "interest")
    hi_inf = (influence > midpoint).astype("boolean").mask(influence.isna())
    hi_int = (interest > midpoint).astype("boolean").mask(interest.isna())
    a = (influence > midpoint).to_numpy()
    b = (interest > midpoint).to_numpy()
    quadrant = np.select(
        [a & b, a & ~b, ~a & b],
        ["manage_closely", "keep_satisfied", "keep_informed"],
        default="monitor",
    ).astype(object)
    missing = (influence.isna() | interest.isna()).to_numpy()
    quadrant[missing] = None
    out = register.copy()
    out["high_influence"] = hi_inf
    out["high_interest"] = hi_int
    out["quadrant"] = pd.Series(quadrant, index=register.index, dtype="str")
    return out


def quadrant_counts(pi_map: pd.DataFrame, sectors: pd.DataFrame | Sequence[str] | None = None
                    ) -> pd.DataFrame:
    """Number of stakeholders per sector and quadrant.

    Parameters
    ----------
    pi_map : pandas.DataFrame
        Output of :func:`power_interest_map` (needs ``sector`` and ``quadrant``).
    sectors : DataFrame or sequence of str, optional
        The programme's sectors (``sectors.parquet`` or its codes) in form order: each
        gets a row. Default: the five pentahelix keys.

    Returns
    -------
    pandas.DataFrame
        Index ``sector`` (the programme's sectors, then others found), columns
        :data:`QUADRANTS` plus ``unrated`` (missing rating) and ``total``; int64
        counts. Rows sum to ``total``.
    """
    require_columns(pi_map, ["sector", "quadrant"], "pi_map")
    sector = _sector_series(pi_map)
    quad = pi_map["quadrant"].astype(object).where(pi_map["quadrant"].notna(), "unrated")
    cols = [*QUADRANTS, "unrated"]
    known = None if sectors is None else _sector_codes(sectors)
    table = pd.crosstab(sector, quad).reindex(index=_sector_order(sector, order=known), columns=cols,
                                              fill_value=0)
    table = table.fillna(0).astype("int64")
    table["total"] = table.sum(axis=1)
    table.index.name = "sector"
    table.columns.name = None
    return table
