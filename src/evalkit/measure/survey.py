"""Design-based estimation for survey data: weighted means, proportions, poststratification.

The variance estimators follow R's ``survey`` package (Lumley): Taylor linearisation
of the ratio mean, with-replacement (ultimate-cluster) variance of PSU totals within
strata, an optional finite population correction, and the same lonely-PSU policies.
All functions are pure and take a DataFrame first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.core.checks import check_level
from evalkit.core.config import CI_LEVEL
from evalkit.measure.scales import Estimate

__all__ = [
    "Estimate",
    "weighted_mean",
    "weighted_proportion",
    "weighted_total",
    "poststratify",
]

LonelyPSU = Literal["fail", "certainty"]


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------
def _require_column(data: pd.DataFrame, col: str, role: str) -> pd.Series:
    if not isinstance(data, pd.DataFrame):
        raise ValueError("data must be a pandas DataFrame.")
    if col not in data.columns:
        raise ValueError(f"{role} column {col!r} not found; available columns: {list(data.columns)}.")
    return data[col]


def _numeric(s: pd.Series, role: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype="float64", na_value=np.nan)
    if not pd.api.types.is_numeric_dtype(s):
        raise ValueError(f"{role} column {s.name!r} must be numeric, got dtype {s.dtype}.")
    return s.to_numpy(dtype="float64", na_value=np.nan)


def _weights(data: pd.DataFrame, weight: str | None) -> np.ndarray:
    if weight is None:
        return np.ones(len(data))
    w = _numeric(_require_column(data, weight, "weight"), "weight")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        rows = list(data.index[bad][:5])
        raise ValueError(
            f"weight column {weight!r} has {int(bad.sum())} missing, infinite or negative "
            f"value(s), e.g. in rows {rows}; every row of a design needs a weight >= 0."
        )
    return w


def _labels(data: pd.DataFrame, col: str | None, role: str) -> np.ndarray | None:
    if col is None:
        return None
    s = _require_column(data, col, role)
    if s.isna().any():
        rows = list(data.index[s.isna().to_numpy()][:5])
        raise ValueError(f"{role} column {col!r} has missing values, e.g. in rows {rows}.")
    codes, _ = pd.factorize(s, sort=False)
    return codes


def _design_variance(
    z: np.ndarray,
    strata: np.ndarray | None,
    psu: np.ndarray | None,
    fpc: np.ndarray | None,
    lonely_psu: str,
    stratum_names: pd.Series | None,
) -> float:
    """Variance of a total of linearised scores ``z`` (one stage, with replacement + fpc)."""
    n = z.size
    h = np.zeros(n, dtype=np.int64) if strata is None else strata
    # PSUs are nested in strata: the same PSU label in two strata is two PSUs.
    c = np.arange(n) if psu is None else psu
    key = h.astype(np.int64) * (int(c.max()) + 1) + c.astype(np.int64)
    psu_codes, psu_keys = pd.factorize(key, sort=True)
    totals = np.bincount(psu_codes, weights=z)
    psu_stratum = np.asarray(psu_keys) // (int(c.max()) + 1)

    var = 0.0
    for s in np.unique(psu_stratum):
        zt = totals[psu_stratum == s]
        n_h = zt.size
        f_h = 0.0
        if fpc is not None:
            pop = fpc[h == s]
            pop_h = pop[0]
            label = stratum_names.iloc[int(np.flatnonzero(h == s)[0])] if stratum_names is not None else s
            if not np.all(pop == pop_h):
                raise ValueError(f"fpc must be constant within a stratum; it varies in stratum {label!r}.")
            f_h = pop_h if pop_h <= 1 else n_h / pop_h
            if f_h > 1 + 1e-12:
                raise ValueError(
                    f"fpc: stratum {label!r} has {n_h} sampled PSUs but a population of only {pop_h:g}."
                )
            if f_h >= 1 - 1e-12:  # self-representing stratum: no sampling variance
                continue
        if n_h == 1:
            if lonely_psu == "certainty":
                continue
            label = (
                stratum_names.iloc[int(np.flatnonzero(h == s)[0])] if stratum_names is not None else s
            )
            raise ValueError(
                f"stratum {label!r} has only one PSU, so its variance cannot be estimated; "
                "merge it with a similar stratum, or pass lonely_psu='certainty' to treat it "
                "as a certainty stratum (zero contribution, as R survey.lonely.psu='certainty')."
            )
        dev = zt - zt.mean()
        var += (1 - f_h) * n_h / (n_h - 1) * float(np.sum(dev**2))
    return var


def _degf(in_domain: np.ndarray, strata: np.ndarray | None, psu: np.ndarray | None) -> int:
    """R survey ``degf``: number of PSUs minus number of strata (rows in the domain)."""
    n = in_domain.size
    h = np.zeros(n, dtype=np.int64) if strata is None else strata
    c = np.arange(n) if psu is None else psu
    h, c = h[in_domain], c[in_domain]
    n_psu = len(set(zip(h.tolist(), c.tolist(), strict=True)))
    return n_psu - len(np.unique(h))


def _interval(est: float, se: float, ci: float, df: float) -> tuple[float, float]:
    if math.isnan(se):
        return (math.nan, math.nan)
    q = stats.norm.ppf(0.5 + ci / 2) if math.isinf(df) else stats.t.ppf(0.5 + ci / 2, df)
    return (est - q * se, est + q * se)


def _resolve_df(df: float | str | None, degf: int) -> float:
    if df is None:
        return math.inf
    if isinstance(df, str):
        if df != "design":
            raise ValueError(f"df must be None (normal), 'design' (PSUs - strata) or a number, got {df!r}.")
        return float(degf) if degf > 0 else math.nan
    if not df > 0:
        raise ValueError(f"df must be positive, got {df!r}.")
    return float(df)


class _Design:
    """Validated design columns of ``data``: weights, stratum and PSU codes, fpc."""

    __slots__ = ("w", "h", "c", "f", "stratum_names")

    def __init__(
        self,
        data: pd.DataFrame,
        weight: str | None,
        strata: str | None,
        psu: str | None,
        fpc: str | None,
    ) -> None:
        self.w = _weights(data, weight)
        self.h = _labels(data, strata, "strata")
        self.c = _labels(data, psu, "psu")
        self.f = None
        if fpc is not None:
            f = _numeric(_require_column(data, fpc, "fpc"), "fpc")
            if (~np.isfinite(f) | (f <= 0)).any():
                raise ValueError(f"fpc column {fpc!r} must hold positive population sizes (or "
                                 "sampling fractions) in every row.")
            if (f <= 1).any() and not (f <= 1).all():
                raise ValueError(
                    f"fpc column {fpc!r} mixes sampling fractions (<= 1) and population sizes (> 1)."
                )
            self.f = f
        self.stratum_names = data[strata].reset_index(drop=True) if strata is not None else None

    def variance(self, z: np.ndarray, lonely_psu: str) -> float:
        return _design_variance(z, self.h, self.c, self.f, lonely_psu, self.stratum_names)

    def degf(self, in_domain: np.ndarray) -> int:
        return _degf(in_domain, self.h, self.c)


def _check_options(ci: float, lonely_psu: str) -> None:
    check_level(ci)
    if lonely_psu not in ("fail", "certainty"):
        raise ValueError(f"lonely_psu must be 'fail' or 'certainty', got {lonely_psu!r}.")


def _finish(
    est: float,
    var: float,
    nobs: int,
    degf: int,
    ci: float,
    df: float | str | None,
) -> Estimate:
    """Wrap an estimate and its design variance as an :class:`Estimate` (shared rules)."""
    se = math.sqrt(var) if var >= 0 else math.nan
    dfv = _resolve_df(df, degf)
    if nobs < 2 or math.isnan(dfv):
        se_out = se if nobs >= 2 else math.nan
        return Estimate(est, se_out, math.nan, math.nan, nobs, dfv, ci)
    low, upp = _interval(est, se, ci, dfv)
    return Estimate(est, se, float(low), float(upp), nobs, dfv, ci)


def _design_mean(
    data: pd.DataFrame,
    y: np.ndarray,
    weight: str | None,
    strata: str | None,
    psu: str | None,
    fpc: str | None,
    ci: float,
    df: float | str | None,
    lonely_psu: str,
) -> tuple[Estimate, np.ndarray]:
    _check_options(ci, lonely_psu)
    des = _Design(data, weight, strata, psu, fpc)
    w = des.w

    in_domain = ~np.isnan(y) & (w > 0)
    nobs = int((~np.isnan(y)).sum())
    wd = np.where(in_domain, w, 0.0)
    total_w = wd.sum()
    if nobs == 0 or total_w <= 0:
        return Estimate(math.nan, math.nan, math.nan, math.nan, nobs, math.nan, ci), in_domain
    yd = np.where(in_domain, y, 0.0)
    est = float(np.sum(wd * yd) / total_w)
    z = wd * (yd - est) / total_w  # zero outside the domain (R: svymean(na.rm=TRUE))
    var = des.variance(z, lonely_psu)
    return _finish(est, var, nobs, des.degf(in_domain), ci, df), in_domain


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------
def weighted_mean(
    data: pd.DataFrame,
    column: str,
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    ci: float = CI_LEVEL,
    *,
    df: float | str | None = None,
    lonely_psu: LonelyPSU = "fail",
) -> Estimate:
    """Design-based (weighted) mean with a Taylor-linearisation standard error.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    column : str
        Numeric column to average. Missing values are excluded from the estimate but
        the rows keep their place in the design (domain estimation, as
        ``svymean(..., na.rm = TRUE)``).
    weight : str, optional
        Column of sampling weights (>= 0, no missing). ``None``: all weights 1.
    strata : str, optional
        Column of stratum labels. ``None``: one stratum.
    psu : str, optional
        Column of primary sampling unit (cluster) labels, interpreted *within*
        strata (R ``nest = TRUE``). ``None``: every row is its own PSU.
    fpc : str, optional
        Column holding, per stratum, the population number of PSUs :math:`N_h`
        (the number of people when ``psu`` is ``None``), constant within a stratum.
        As in R ``svydesign(fpc=)``, values all <= 1 are read as sampling fractions
        :math:`f_h` instead. ``None``: no finite population correction.
    ci : float, default ``CI_LEVEL``
        Confidence level.
    df : None, "design" or float, keyword-only
        Reference distribution of the interval. ``None`` (default) uses the standard
        normal, which is what R's ``confint(svymean(...))`` does (``df = Inf``).
        ``"design"`` uses Student t with ``degf`` = #PSUs - #strata (R
        ``confint(..., df = degf(design))``, advisable with few PSUs); a number uses
        that many degrees of freedom.
    lonely_psu : {"fail", "certainty"}, keyword-only
        A stratum with a single PSU: ``"fail"`` (default, as R's
        ``options(survey.lonely.psu = "fail")``) raises; ``"certainty"`` treats it as
        self-representing (no variance contribution).

    Returns
    -------
    Estimate
        ``estimate``, ``se``, ``ci_low``, ``ci_upp``, ``nobs`` (non-missing rows),
        ``df`` (``inf`` = normal), ``level``.

    Raises
    ------
    ValueError
        Missing columns, non-numeric ``column``/``weight``/``fpc``, missing or negative
        weights, missing stratum/PSU labels, an ``fpc`` that varies within a stratum or
        is smaller than the number of sampled PSUs, or a lonely PSU under ``"fail"``.

    Notes
    -----
    The mean is the ratio estimator :math:`\\hat{\\bar y} = \\sum_i w_i y_i / \\sum_i w_i`.
    Its linearised scores are :math:`z_i = w_i (y_i - \\hat{\\bar y}) / \\sum_j w_j`
    (0 for rows with missing :math:`y`). With :math:`z_{hi}` the total of :math:`z`
    over PSU :math:`i` of stratum :math:`h`, :math:`n_h` the number of PSUs in the
    stratum and :math:`f_h = n_h / N_h` (0 without ``fpc``),

    .. math::

        \\widehat{V}(\\hat{\\bar y}) = \\sum_h (1 - f_h)\\,\\frac{n_h}{n_h - 1}
        \\sum_{i=1}^{n_h} (z_{hi} - \\bar z_h)^2 ,

    the estimator of R ``survey:::onestage`` used by ``svymean``. The interval is
    :math:`\\hat{\\bar y} \\pm q\\,\\mathrm{se}` with :math:`q` a normal (default) or t
    quantile. Without weights, strata or PSUs this reduces to
    :math:`s/\\sqrt n`, the usual standard error of a mean.

    References
    ----------
    .. [1] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley,
           ch. 2-3; R package ``survey`` (``svydesign``, ``svymean``, ``confint``).
    .. [2] Wolter, K. M. (2007). *Introduction to Variance Estimation* (2nd ed.).
           Springer, ch. 6 (Taylor series methods).
    .. [3] Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley, sec. 6.11
           (ratio estimator) and ch. 5 (stratified sampling).
    """
    s = _require_column(data, column, "value")
    y = _numeric(s, "value")
    est, _ = _design_mean(data, y, weight, strata, psu, fpc, ci, df, lonely_psu)
    return est


def weighted_proportion(
    data: pd.DataFrame,
    column: str,
    level: object,
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    ci: float = CI_LEVEL,
    *,
    df: float | str | None = None,
    lonely_psu: LonelyPSU = "fail",
    method: Literal["wald", "logit"] = "wald",
) -> Estimate:
    """Design-based share of rows whose ``column`` equals ``level``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    column : str
        Column of any dtype; missing values are excluded (domain estimation).
    level : object
        Value whose share is estimated (e.g. ``"pemerintah"`` or ``5``).
    weight, strata, psu, fpc, ci, df, lonely_psu
        As in :func:`weighted_mean`.
    method : {"wald", "logit"}, default "wald"
        ``"wald"``: :math:`\\hat p \\pm q\\,\\mathrm{se}` (R ``confint(svymean(...))``;
        can leave [0, 1] for small samples). ``"logit"``: the interval is built on the
        logit scale and transformed back (R ``svyciprop(method = "logit")``), so it
        stays inside (0, 1); at :math:`\\hat p \\in \\{0, 1\\}` it is ``[p, p]``.

    Returns
    -------
    Estimate
        As in :func:`weighted_mean`, with ``estimate`` the proportion.

    Raises
    ------
    ValueError
        As in :func:`weighted_mean`, or an unknown ``method``.

    Notes
    -----
    :math:`\\hat p` is :func:`weighted_mean` of the indicator
    :math:`y_i = 1[x_i = \\text{level}]`, with the same linearised variance. The logit
    interval is

    .. math::

        \\operatorname{expit}\\!\\Big(\\operatorname{logit}\\hat p \\pm
        q\\,\\frac{\\mathrm{se}(\\hat p)}{\\hat p (1 - \\hat p)}\\Big),

    the delta-method standard error on the logit scale (what the intercept-only
    quasibinomial ``svyglm`` in ``svyciprop`` computes). Note ``svyciprop`` uses
    ``df = degf(design)`` by default; here ``df`` follows :func:`weighted_mean`
    (normal unless ``df="design"``).

    References
    ----------
    .. [1] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley,
           sec. 2.3; R ``survey::svyciprop``.
    .. [2] Korn, E. L., & Graubard, B. I. (1998). Confidence intervals for proportions
           with small expected number of positive counts estimated from survey data.
           *Survey Methodology*, 24(2), 193-201.
    """
    if method not in ("wald", "logit"):
        raise ValueError(f"method must be 'wald' or 'logit', got {method!r}.")
    s = _require_column(data, column, "value")
    y = np.where(s.isna().to_numpy(), np.nan, (s == level).to_numpy(dtype=bool, na_value=False).astype(float))
    est, _ = _design_mean(data, y, weight, strata, psu, fpc, ci, df, lonely_psu)
    if method == "wald" or math.isnan(est.ci_low):
        return est
    p = est.estimate
    if p <= 0 or p >= 1:
        return Estimate(p, est.se, p, p, est.nobs, est.df, est.level)
    se_logit = est.se / (p * (1 - p))
    lo, hi = _interval(math.log(p / (1 - p)), se_logit, ci, est.df)
    expit = stats.logistic.cdf
    return Estimate(p, est.se, float(expit(lo)), float(expit(hi)), est.nobs, est.df, est.level)


def weighted_total(
    data: pd.DataFrame,
    column: str,
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    ci: float = CI_LEVEL,
    *,
    df: float | str | None = None,
    lonely_psu: LonelyPSU = "fail",
    domain: str | None = None,
    poststrata: str | None = None,
) -> Estimate:
    """Design-based (Horvitz-Thompson) total of ``column`` with its design-based SE.

    The analogue of R ``survey::svytotal``: the population total
    :math:`\\hat T = \\sum_i w_i y_i` estimated from a stratified, clustered sample.
    With weights that sum to the population size (e.g. from
    ``poststratify(population_totals=...)`` or ``1/π``), ``column`` = 1 estimates the
    population size; a 0/1 column estimates a population count.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    column : str
        Numeric column to total. Missing values contribute nothing but the rows keep
        their place in the design (domain estimation, as ``svytotal(..., na.rm = TRUE)``).
    weight, strata, psu, fpc, ci, df, lonely_psu
        As in :func:`weighted_mean`. ``weight`` should be the sampling (expansion)
        weight; ``None`` (all 1) gives the plain sample sum.
    domain : str, optional, keyword-only
        Boolean column: the total of ``column`` over the rows where it is True (a
        domain or subpopulation, as ``svytotal(~y, subset(design, ...))`` or
        ``svyby(~y, ~g, design, svytotal)``). Rows outside the domain stay in the
        design with score 0, so the SE counts the domain's random size. ``None``:
        every row.
    poststrata : str, optional, keyword-only
        Column of the poststrata to which ``weight`` has already been poststratified
        (:func:`poststratify`). The variance is then that of R's
        ``svytotal(~y, postStratify(design, ...))``: the values are replaced by their
        residuals from their weighted poststratum mean, which removes the
        between-poststratum variance. ``None``: weights are taken as fixed.

    Returns
    -------
    Estimate
        ``estimate`` (the total), ``se``, ``ci_low``, ``ci_upp``, ``nobs`` (non-missing
        rows in the domain), ``df`` (``inf`` = normal), ``level``. As for
        :func:`weighted_mean`, ``se`` and the interval are NaN when ``nobs < 2``, and
        everything is NaN when ``nobs == 0``.

    Raises
    ------
    ValueError
        As in :func:`weighted_mean`; or a ``domain`` column that is not boolean or has
        missing values; or a ``poststrata`` column with missing values.

    Notes
    -----
    The total is linear in the data, so its linearised scores are the weighted values
    themselves, :math:`z_i = w_i y_i\\,1[i \\in D]` (0 for a missing :math:`y_i`), and

    .. math::

        \\widehat{V}(\\hat T) = \\sum_h (1 - f_h)\\,\\frac{n_h}{n_h - 1}
        \\sum_{i=1}^{n_h} (z_{hi} - \\bar z_h)^2

    with :math:`z_{hi}` the PSU totals of :math:`z` within stratum :math:`h`: the
    with-replacement (ultimate-cluster) estimator with optional finite population
    correction of :func:`weighted_mean` and R ``survey:::onestage``. Without a design
    and weights it is :math:`n^2 s^2 / n = n s^2`, the variance of a sample sum under
    sampling with replacement. With ``poststrata`` :math:`g`, writing
    :math:`\\tilde y_i = y_i 1[i \\in D]` (0 when missing), the scores become
    :math:`z_i = w_i (\\tilde y_i - \\bar{\\tilde y}_{g(i)})` with
    :math:`\\bar{\\tilde y}_g = \\sum_{j \\in g} w_j \\tilde y_j / \\sum_{j \\in g} w_j`
    (R ``survey:::svyrecvar`` for a ``postStratify``-ed design; Lumley 2010, sec. 7.2).
    A poststratum's own size then has variance 0, as it is known.

    References
    ----------
    .. [1] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley,
           ch. 2-3 and sec. 7.2; R package ``survey`` (``svytotal``, ``svyby``,
           ``postStratify``).
    .. [2] Horvitz, D. G., & Thompson, D. J. (1952). A generalization of sampling
           without replacement from a finite universe. *Journal of the American
           Statistical Association*, 47(260), 663-685.
    .. [3] Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley, ch. 5 and
           9A (stratified and cluster sampling, with-replacement variance).
    """
    _check_options(ci, lonely_psu)
    y = _numeric(_require_column(data, column, "value"), "value")
    des = _Design(data, weight, strata, psu, fpc)
    answered = ~np.isnan(y)
    if domain is not None:
        d = _require_column(data, domain, "domain")
        if not pd.api.types.is_bool_dtype(d) or d.isna().any():
            raise ValueError(
                f"domain column {domain!r} must be boolean (True = in the domain) without "
                f"missing values, got dtype {d.dtype}."
            )
        answered &= d.to_numpy(dtype=bool)
    in_domain = answered & (des.w > 0)
    nobs = int(answered.sum())
    if nobs == 0:
        return Estimate(math.nan, math.nan, math.nan, math.nan, 0, math.nan, ci)
    y0 = np.where(in_domain, y, 0.0)  # y 1[answered, in the domain]
    z = des.w * y0
    est = float(z.sum())
    if poststrata is not None:
        g = _labels(data, poststrata, "poststrata")
        gw = np.bincount(g, weights=des.w)
        with np.errstate(invalid="ignore", divide="ignore"):
            gmean = np.where(gw > 0, np.bincount(g, weights=z) / gw, 0.0)
        z = des.w * (y0 - gmean[g])
    var = des.variance(z, lonely_psu)
    return _finish(est, var, nobs, des.degf(in_domain), ci, df)


def _targets(values: Mapping[object, float] | pd.Series, name: str) -> pd.Series:
    """Validated group -> target Series (finite, >= 0, no duplicates, positive sum)."""
    if isinstance(values, Mapping):
        out = pd.Series(dict(values), dtype="float64")
    elif isinstance(values, pd.Series):
        if not pd.api.types.is_numeric_dtype(values):
            raise ValueError(f"{name} must be numeric.")
        out = values.astype("float64")
    else:
        raise ValueError(f"{name} must be a dict or a pandas Series (group -> value).")
    if out.index.duplicated().any():
        twice = list(out.index[out.index.duplicated()])
        raise ValueError(f"{name} lists group(s) twice: {twice}.")
    if out.isna().any() or (out < 0).any() or not np.isfinite(out).all():
        bad = list(out.index[out.isna() | ~np.isfinite(out) | (out < 0)])
        raise ValueError(f"{name} must be finite and >= 0; bad group(s): {bad}.")
    if out.sum() <= 0:
        raise ValueError(f"{name} sum to zero.")
    return out


def poststratify(
    data: pd.DataFrame,
    group: str,
    population_shares: Mapping[object, float] | pd.Series | None = None,
    weight: str | None = None,
    *,
    population_totals: Mapping[object, float] | pd.Series | None = None,
) -> pd.Series:
    """Poststratification weights matching known population shares or totals of ``group``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    group : str
        Column with the poststratum of each row (e.g. stakeholder sector).
    population_shares : dict or pandas.Series, optional
        Population share (or count) of every group; normalised to sum to 1. The
        weights then sum to the **sample size** ``len(data)`` (convention below).
    weight : str, optional
        Column of base weights (> 0) to adjust; ``None``: all 1.
    population_totals : dict or pandas.Series, optional, keyword-only
        Population count :math:`N_g` of every group (e.g. the number of registered
        organisations per sector). The weights of group :math:`g` then sum to
        :math:`N_g` and all weights to the **population size** :math:`\\sum_g N_g`,
        as R ``survey::postStratify``; use these for totals (:func:`weighted_total`).
        Give exactly one of ``population_shares`` and ``population_totals``.

    Returns
    -------
    pandas.Series
        Float weights named ``"weight"``, indexed like ``data``. With
        ``population_shares`` they sum to ``len(data)``; with ``population_totals`` to
        the population size. Either way the weighted share of each group equals its
        population share, so weighted means and proportions are the same.

    Raises
    ------
    ValueError
        If neither or both of ``population_shares`` and ``population_totals`` are
        given; ``group`` has missing values; a group in the data has no population
        entry (named); a group with a positive population entry has no respondents
        (named: it cannot be poststratified - collapse groups first); an entry is
        negative, missing, or zero for a group present in the data; or base weights
        are not positive.

    Notes
    -----
    With base weights :math:`w_i`, :math:`W_g = \\sum_{i \\in g} w_i`, population
    counts :math:`N_g` (:math:`N = \\sum_g N_g`), shares :math:`P_g = N_g / N` and
    :math:`n` rows,

    .. math::

        \\text{totals:}\\quad w^*_i = N_{g(i)}\\,\\frac{w_i}{W_{g(i)}},
        \\quad \\sum_{i \\in g} w^*_i = N_g ; \\qquad
        \\text{shares:}\\quad w^*_i = n\\,P_{g(i)}\\,\\frac{w_i}{W_{g(i)}},
        \\quad \\sum_i w^*_i = n .

    The totals form is R's ``survey::postStratify`` (``svytotal`` then estimates
    population totals); the shares form is the same weights rescaled to the sample
    size, for when only shares are known: it keeps ``n`` as the nominal sample size
    but is no use for totals. Variance estimates from either set of weights treat
    them as fixed, which ignores the poststratification step (slightly conservative
    for means); :func:`weighted_total` with ``poststrata=`` accounts for it as R does.

    References
    ----------
    .. [1] Holt, D., & Smith, T. M. F. (1979). Post stratification. *Journal of the
           Royal Statistical Society A*, 142(1), 33-46.
    .. [2] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley,
           sec. 7.2 (``postStratify``).
    """
    if (population_shares is None) == (population_totals is None):
        raise ValueError(
            "poststratify: give exactly one of population_shares= (weights sum to the "
            "sample size) and population_totals= (weights sum to the population size)."
        )
    name = "population_shares" if population_totals is None else "population_totals"
    targets = _targets(population_shares if population_totals is None else population_totals, name)
    g = _require_column(data, group, "group")
    if g.isna().any():
        rows = list(data.index[g.isna().to_numpy()][:5])
        raise ValueError(f"group column {group!r} has {int(g.isna().sum())} missing value(s), "
                         f"e.g. rows {rows}.")

    w = _weights(data, weight)
    if (w <= 0).any():
        raise ValueError(f"base weights in {weight!r} must be > 0 for poststratification.")

    present = pd.unique(g)
    present_set = set(present.tolist())
    unknown = [x for x in present if x not in targets.index]
    if unknown:
        raise ValueError(
            f"group(s) {unknown} in column {group!r} have no entry in {name}; "
            f"{name} covers {list(targets.index)}."
        )
    absent = [x for x in targets.index if x not in present_set and targets[x] > 0]
    if absent:
        raise ValueError(
            f"cannot poststratify: group(s) {absent} have a positive entry in {name} but "
            f"no respondents in column {group!r}; collapse them with a neighbouring group first."
        )
    zero = [x for x in present if targets[x] == 0]
    if zero:
        raise ValueError(f"group(s) {zero} are in the data but have {name} 0.")

    if population_totals is None:
        targets = len(data) * targets / targets.sum()
    w_s = pd.Series(w, index=data.index)
    group_total = w_s.groupby(g.to_numpy()).transform("sum").to_numpy()
    target = g.map(targets).to_numpy(dtype="float64")
    return pd.Series(target * w / group_total, index=data.index, name="weight", dtype="float64")
