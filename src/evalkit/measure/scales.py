"""Scale scores and their reliability for the stakeholder survey.

The survey measures partnership health on ten dimensions (trust, communication and
transparency, shared goals, ...), each with a few Likert items (1 = Sangat tidak
setuju ... 5 = Sangat setuju). This module turns item answers into dimension scores,
summarises scores by group with confidence intervals and small-cell suppression, and
reports the reliability of each scale (Cronbach's alpha, McDonald's omega, item
analysis).

All functions are pure: they take DataFrames and return new objects, never modifying
their inputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.core.checks import check_level, require_columns
from evalkit.core.config import CI_LEVEL, LIKERT_MAX, LIKERT_MIN, MIN_CELL, MIN_ITEM_SHARE

__all__ = [
    "Estimate",
    "AlphaResult",
    "OmegaResult",
    "score_dimensions",
    "reverse_key",
    "mean_ci",
    "summarise_scores",
    "cronbach_alpha",
    "omega_total",
    "item_analysis",
    "reliability_table",
    "RELIABILITY_NOTE_CODES",
]

# Tolerance when comparing the answered share with ``min_share`` (2/3 must accept 2 of 3).
_SHARE_TOL = 1e-9


# --------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Estimate:
    """A point estimate with its standard error and confidence interval.

    Attributes
    ----------
    estimate : float
        The point estimate (NaN when there is nothing to estimate from).
    se : float
        Standard error of ``estimate`` (NaN when it cannot be computed, e.g. n < 2).
    ci_low, ci_upp : float
        Lower and upper confidence limits.
    nobs : int
        Number of observations used (non-missing values).
    df : float
        Degrees of freedom of the reference distribution used for the interval;
        ``inf`` means the standard normal was used.
    level : float
        Confidence level of the interval (default :data:`~evalkit.core.config.CI_LEVEL`).
    """

    #: Columns of :meth:`to_frame`, in order.
    FRAME_COLUMNS: ClassVar[tuple[str, ...]] = (
        "estimate", "se", "ci_low", "ci_upp", "nobs", "df", "level")

    estimate: float
    se: float
    ci_low: float
    ci_upp: float
    nobs: int
    df: float = math.inf
    level: float = CI_LEVEL

    @property
    def ci(self) -> tuple[float, float]:
        """Confidence interval as ``(ci_low, ci_upp)``."""
        return (self.ci_low, self.ci_upp)

    def to_frame(self) -> pd.DataFrame:
        """The estimate as a one-row DataFrame, columns :attr:`FRAME_COLUMNS`.

        Examples
        --------
        >>> mean_ci([1.0, 2.0, 3.0]).to_frame()[["estimate", "nobs", "level"]]
           estimate  nobs  level
        0       2.0     3   0.95
        """
        return _one_row(self)


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha with Feldt's confidence interval.

    Attributes
    ----------
    alpha : float
        Cronbach's alpha (NaN when the total-score variance is zero).
    ci_low, ci_upp : float
        Feldt confidence limits.
    nobs : int
        Number of respondents used (after the missing-data policy); also ``n``.
    k : int
        Number of items.
    level : float
        Confidence level.
    nan_policy : str
        ``"pairwise"`` or ``"listwise"``.
    """

    #: Columns of :meth:`to_frame`, in order.
    FRAME_COLUMNS: ClassVar[tuple[str, ...]] = (
        "alpha", "ci_low", "ci_upp", "nobs", "k", "level", "nan_policy")

    alpha: float
    ci_low: float
    ci_upp: float
    nobs: int
    k: int
    level: float = CI_LEVEL
    nan_policy: str = "pairwise"

    @property
    def ci(self) -> tuple[float, float]:
        """Confidence interval as ``(ci_low, ci_upp)``."""
        return (self.ci_low, self.ci_upp)

    @property
    def estimate(self) -> float:
        """Alias of ``alpha`` (shared vocabulary with :class:`Estimate`)."""
        return self.alpha

    @property
    def n(self) -> int:
        """Alias of :attr:`nobs` (the name pingouin uses)."""
        return self.nobs

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame, columns :attr:`FRAME_COLUMNS`."""
        return _one_row(self)


@dataclass(frozen=True)
class OmegaResult:
    """McDonald's omega total from a one-factor model (:func:`omega_total`).

    Attributes
    ----------
    omega : float
        Omega total: ``(sum(loadings))**2 / ((sum(loadings))**2 + sum(uniquenesses))``
        (``denominator="model"``) or ``1 - sum(uniquenesses) / sum(R)``
        (``denominator="observed"``).
    loadings : pandas.Series
        Standardised loadings of the single factor, indexed by item, signed so that
        their sum is positive.
    uniquenesses : pandas.Series
        Standardised unique variances ``psi``, indexed by item.
    nobs : int
        Number of respondents used; also ``n``.
    k : int
        Number of items.
    converged : bool
        Whether the optimiser reported convergence.
    heywood : bool
        True when some uniqueness is (nearly) zero, a Heywood case: the estimate is
        at the boundary and should be read with care.
    fit : str
        ``"ml"`` or ``"minres"``: how the factor model was fitted.
    denominator : str
        ``"model"`` or ``"observed"``: the total-score variance omega divides by.
    """

    #: Columns of :meth:`to_frame`, in order (the per-item ``loadings`` and
    #: ``uniquenesses`` stay Series: ``pd.concat([r.loadings, r.uniquenesses], axis=1)``).
    FRAME_COLUMNS: ClassVar[tuple[str, ...]] = ("omega", "nobs", "k", "converged", "heywood")

    omega: float
    loadings: pd.Series = field(compare=False)
    uniquenesses: pd.Series = field(compare=False)
    nobs: int
    k: int
    converged: bool = True
    heywood: bool = False
    fit: str = "ml"
    denominator: str = "model"

    @property
    def estimate(self) -> float:
        """Alias of ``omega`` (shared vocabulary with :class:`Estimate`)."""
        return self.omega

    @property
    def n(self) -> int:
        """Alias of :attr:`nobs`."""
        return self.nobs

    def to_frame(self) -> pd.DataFrame:
        """The scalar results as a one-row DataFrame, columns :attr:`FRAME_COLUMNS`."""
        return _one_row(self)


def _one_row(result) -> pd.DataFrame:
    """One-row DataFrame of ``result``'s :attr:`FRAME_COLUMNS` attributes (in that order)."""
    columns = list(result.FRAME_COLUMNS)
    return pd.DataFrame([[getattr(result, name) for name in columns]], columns=columns)


# --------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------
def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _numeric_frame(df: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    """Return ``df[columns]`` as float64 (missing -> NaN), or raise naming bad columns."""
    out = {}
    for col in columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            raise ValueError(
                f"{what}: column {col!r} must be numeric (got dtype {s.dtype}); "
                "convert answer labels to numbers before scoring."
            )
        out[col] = s.to_numpy(dtype="float64", na_value=np.nan)
    return pd.DataFrame(out, index=df.index, columns=list(columns))


def _items_frame(items: pd.DataFrame, what: str) -> pd.DataFrame:
    """Validate a wide respondent x item frame for reliability functions."""
    if not isinstance(items, pd.DataFrame):
        raise ValueError(f"{what}: expected a DataFrame of items (one column per item).")
    if items.columns.duplicated().any():
        dup = list(items.columns[items.columns.duplicated()])
        raise ValueError(f"{what}: duplicated item column(s) {dup}.")
    return _numeric_frame(items, list(items.columns), what)


def _check_codebook(items: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(items, pd.DataFrame):
        raise ValueError("items must be the codebook item table (a DataFrame).")
    require_columns(items, ["item", "dimension", "reverse"], "codebook item table")
    if items["item"].isna().any() or items["dimension"].isna().any():
        rows = list(items.index[items["item"].isna() | items["dimension"].isna()])
        raise ValueError(f"codebook item table: missing 'item' or 'dimension' in row(s) {rows}.")
    dup = items["item"][items["item"].duplicated()]
    if len(dup):
        raise ValueError(f"codebook item table: item(s) listed more than once: {list(dup)}.")
    rev = items["reverse"]
    if rev.isna().any():
        bad = list(items.loc[rev.isna(), "item"])
        raise ValueError(f"codebook item table: 'reverse' is missing for item(s) {bad}.")
    if not pd.api.types.is_bool_dtype(rev):
        ok = rev.isin([0, 1]).all() if pd.api.types.is_numeric_dtype(rev) else False
        if not ok:
            raise ValueError(
                "codebook item table: 'reverse' must be boolean (True/False or 1/0); "
                f"got values {sorted(map(str, pd.unique(rev)))}."
            )
    return items.assign(reverse=rev.astype(bool))


def _check_range(values: pd.DataFrame, scale_min: float, scale_max: float) -> None:
    if scale_min >= scale_max:
        raise ValueError(f"scale_min ({scale_min}) must be smaller than scale_max ({scale_max}).")
    arr = values.to_numpy()
    bad = (arr < scale_min) | (arr > scale_max)
    if bad.any():
        cols = [c for c, b in zip(values.columns, bad.any(axis=0), strict=True) if b]
        first = values.columns.get_loc(cols[0])
        row_pos = int(np.flatnonzero(bad[:, first])[0])
        raise ValueError(
            f"answers outside the scale {scale_min}-{scale_max} in column(s) {cols}; "
            f"e.g. row {values.index[row_pos]!r}, column {cols[0]!r} = {arr[row_pos, first]!r}. "
            "Recode or set them missing during cleaning."
        )


# --------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------
def reverse_key(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    *,
    scale_min: float = LIKERT_MIN,
    scale_max: float = LIKERT_MAX,
) -> pd.DataFrame:
    """Return the item columns of ``responses`` with reverse-keyed items recoded.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per respondent; numeric item columns (NaN = missing). Other columns
        are ignored and not returned.
    items : pandas.DataFrame
        Codebook item table with columns ``item``, ``dimension``, ``reverse`` (bool).
    scale_min, scale_max : float
        End points of the response scale.

    Returns
    -------
    pandas.DataFrame
        Float item columns, in codebook order, indexed like ``responses``.

    Raises
    ------
    ValueError
        If an item is missing from ``responses``, is not numeric, or has answers
        outside ``[scale_min, scale_max]``.

    Notes
    -----
    A reverse-keyed answer :math:`x` is recoded as
    :math:`x' = \\text{scale\\_min} + \\text{scale\\_max} - x` (on a 1-5 scale,
    5 <-> 1, 4 <-> 2, 3 stays).
    """
    cb = _check_codebook(items)
    names = list(cb["item"])
    if not isinstance(responses, pd.DataFrame):
        raise ValueError("responses must be a DataFrame (one row per respondent).")
    dup = [c for c in names if (responses.columns == c).sum() > 1]
    if dup:
        raise ValueError(f"responses has duplicated column(s) {dup}; item columns must be unique.")
    missing = [c for c in names if c not in responses.columns]
    if missing:
        raise ValueError(
            f"item(s) {missing} from the codebook are not columns of the responses; "
            "check the codebook or the survey export."
        )
    values = _numeric_frame(responses, names, "responses")
    _check_range(values, scale_min, scale_max)
    rev_cols = list(cb.loc[cb["reverse"], "item"])
    if rev_cols:
        values[rev_cols] = scale_min + scale_max - values[rev_cols]
    return values


def score_dimensions(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    *,
    scale_min: float = LIKERT_MIN,
    scale_max: float = LIKERT_MAX,
    min_share: float = MIN_ITEM_SHARE,
) -> pd.DataFrame:
    """Score each dimension as the prorated mean of its (reverse-keyed) items.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per respondent with numeric item columns (float, NaN = missing).
        Other columns (ids, sector, region, ...) are ignored.
    items : pandas.DataFrame
        Codebook item table with columns ``item`` (column name in ``responses``),
        ``dimension`` and ``reverse`` (bool).
    scale_min, scale_max : float, default ``LIKERT_MIN``, ``LIKERT_MAX``
        End points of the response scale, used for reverse keying and range checks.
    min_share : float, default ``MIN_ITEM_SHARE`` (2/3)
        Minimum share of a dimension's items that must be answered for a score.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``responses``; one float column per dimension, in order of first
        appearance in ``items``. NaN where too few items were answered.

    Raises
    ------
    ValueError
        If the codebook is malformed, an item is missing from ``responses`` (named
        in the message), an item column is not numeric, an answer lies outside the
        scale, or ``min_share`` is not in (0, 1].

    Notes
    -----
    Reverse-keyed items are recoded :math:`x' = \\text{min} + \\text{max} - x`.
    For respondent :math:`i` and dimension :math:`d` with items :math:`J_d`
    (:math:`k_d = |J_d|`) of which :math:`A_{id}` are answered,

    .. math::

        s_{id} = \\frac{1}{|A_{id}|} \\sum_{j \\in A_{id}} x'_{ij}
        \\quad \\text{if } |A_{id}| / k_d \\ge \\text{min\\_share},
        \\text{ else missing.}

    This is person-mean (prorated) scoring, the usual treatment of item
    non-response in short Likert scales; with ``min_share = 2/3`` a 3-item scale
    needs 2 answers, a 4-item scale 3.

    References
    ----------
    .. [1] Schafer, J. L., & Graham, J. W. (2002). Missing data: our view of the
           state of the art. *Psychological Methods*, 7(2), 147-177.
    .. [2] Mazza, G. L., Enders, C. K., & Ruehlman, L. S. (2015). Addressing
           item-level missing data: a comparison of proration and full information
           maximum likelihood estimation. *Multivariate Behavioral Research*,
           50(5), 504-519.
    """
    if not (0 < min_share <= 1):
        raise ValueError(f"min_share must be in (0, 1], got {min_share!r}.")
    cb = _check_codebook(items)
    values = reverse_key(responses, cb, scale_min=scale_min, scale_max=scale_max)
    dims = list(pd.unique(cb["dimension"]))
    out = {}
    for dim in dims:
        cols = list(cb.loc[cb["dimension"] == dim, "item"])
        block = values[cols]
        answered = block.notna().sum(axis=1)
        score = block.mean(axis=1, skipna=True)
        enough = answered >= min_share * len(cols) - _SHARE_TOL
        out[dim] = score.where(enough & (answered > 0))
    return pd.DataFrame(out, index=responses.index, columns=dims, dtype="float64")


# --------------------------------------------------------------------------------------
# Means with confidence intervals
# --------------------------------------------------------------------------------------
def mean_ci(values: Iterable[float] | pd.Series | np.ndarray, ci: float = CI_LEVEL) -> Estimate:
    """Mean with a Student-t confidence interval (missing values dropped).

    Parameters
    ----------
    values : array-like of float
        Observations; NaN are dropped.
    ci : float, default ``CI_LEVEL``
        Confidence level.

    Returns
    -------
    Estimate
        ``estimate`` (mean), ``se``, ``ci_low``, ``ci_upp``, ``nobs``, ``df = nobs - 1``.
        With ``nobs == 0`` everything is NaN; with ``nobs == 1`` se and CI are NaN.

    Notes
    -----
    .. math::

        \\bar x = \\frac{1}{n}\\sum x_i, \\quad
        \\mathrm{se} = \\frac{s}{\\sqrt n}, \\quad
        \\bar x \\pm t_{1-(1-\\text{ci})/2,\\; n-1}\\,\\mathrm{se},

    with :math:`s` the sample standard deviation (divisor :math:`n-1`).

    References
    ----------
    .. [1] Student (1908). The probable error of a mean. *Biometrika*, 6(1), 1-25.
    """
    check_level(ci)
    try:
        arr = np.asarray(values, dtype="float64").ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"mean_ci: values must be numeric ({exc}).") from None
    arr = arr[~np.isnan(arr)]
    n = int(arr.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, math.nan, 0, math.nan, ci)
    est = float(arr.mean())
    if n < 2:
        return Estimate(est, math.nan, math.nan, math.nan, n, math.nan, ci)
    se = float(arr.std(ddof=1) / math.sqrt(n))
    t = float(stats.t.ppf(0.5 + ci / 2, n - 1))
    return Estimate(est, se, est - t * se, est + t * se, n, float(n - 1), ci)


def summarise_scores(
    scores_long: pd.DataFrame,
    by: str | Sequence[str] | None,
    *,
    ci: float = CI_LEVEL,
    min_n: int = MIN_CELL,
) -> pd.DataFrame:
    """Mean score per group and dimension, with t-intervals and small-cell suppression.

    Parameters
    ----------
    scores_long : pandas.DataFrame
        Long table with the grouping columns ``by``, ``dimension`` and ``score``
        (NaN scores are not counted).
    by : str or list of str or None
        Grouping columns (e.g. ``["region_code", "sector"]``); ``None`` or ``[]`` for
        one overall row per dimension. Missing group values form their own group.
    ci : float, default ``CI_LEVEL``
        Confidence level.
    min_n : int, default ``MIN_CELL``
        Groups with fewer non-missing scores are suppressed.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, dimension, estimate, se, ci_low, ci_upp, nobs, suppressed``.
        Rows are sorted by ``by``; within a group dimensions keep the order of first
        appearance (or the category order if ``dimension`` is categorical).
        Suppressed rows have ``estimate``, ``se``, ``ci_low``, ``ci_upp`` set to NaN
        (``nobs`` is kept so readers see why).

    Raises
    ------
    ValueError
        If a required column is missing or ``score`` is not numeric.

    Notes
    -----
    Each cell is :func:`mean_ci`: :math:`\\bar x \\pm t_{n-1}\\, s/\\sqrt n`.
    Suppression of cells with :math:`n <` ``min_n`` is the minimum-frequency rule of
    statistical disclosure control.

    References
    ----------
    .. [1] Hundepool, A., et al. (2012). *Statistical Disclosure Control*. Wiley,
           ch. 5 (frequency tables, threshold rule).
    """
    check_level(ci)
    by_cols = _as_list(by)
    require_columns(scores_long, [*by_cols, "dimension", "score"], "scores_long")
    if not pd.api.types.is_numeric_dtype(scores_long["score"]) or pd.api.types.is_bool_dtype(
        scores_long["score"]
    ):
        raise ValueError(f"scores_long: column 'score' must be numeric, got {scores_long['score'].dtype}.")
    if not isinstance(min_n, (int, np.integer)) or min_n < 0:
        raise ValueError(f"min_n must be a non-negative integer, got {min_n!r}.")

    keys = [*by_cols, "dimension"]
    rows = []
    grouped = scores_long.groupby(keys, sort=False, dropna=False, observed=True)["score"]
    for key, s in grouped:
        key = key if isinstance(key, tuple) else (key,)
        est = mean_ci(s.to_numpy(dtype="float64", na_value=np.nan), ci=ci)
        rows.append((*key, est.estimate, est.se, est.ci_low, est.ci_upp, est.nobs))
    cols = [*keys, "estimate", "se", "ci_low", "ci_upp", "nobs"]
    out = pd.DataFrame(rows, columns=cols)
    out["nobs"] = out["nobs"].astype("int64")
    out["suppressed"] = out["nobs"] < min_n
    stat_cols = ["estimate", "se", "ci_low", "ci_upp"]
    out[stat_cols] = out[stat_cols].astype("float64").mask(out["suppressed"])

    # Order: groups sorted, dimensions in first-appearance (or category) order.
    dim = scores_long["dimension"]
    if isinstance(dim.dtype, pd.CategoricalDtype):
        order = list(dim.cat.categories)
    else:
        order = list(pd.unique(dim))
    rank = {d: i for i, d in enumerate(order)}
    out["_dim_rank"] = [rank.get(d, len(rank)) for d in out["dimension"]]
    out = out.sort_values([*by_cols, "_dim_rank"], kind="stable", na_position="last")
    for col in keys:  # keep categorical dtypes of the input
        if isinstance(scores_long[col].dtype, pd.CategoricalDtype):
            out[col] = pd.Categorical(out[col], dtype=scores_long[col].dtype)
    return out.drop(columns="_dim_rank").reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Reliability
# --------------------------------------------------------------------------------------
def _prepare_items(items: pd.DataFrame, nan_policy: str, what: str) -> pd.DataFrame:
    if nan_policy not in ("pairwise", "listwise"):
        raise ValueError(f"nan_policy must be 'pairwise' or 'listwise', got {nan_policy!r}.")
    data = _items_frame(items, what)
    if data.shape[1] < 2:
        raise ValueError(f"{what}: at least two items are required, got {data.shape[1]}.")
    # Respondents who answered none of these items carry no information.
    data = data.loc[data.notna().any(axis=1)]
    if nan_policy == "listwise":
        data = data.dropna(axis=0, how="any")
    if data.shape[0] < 2:
        raise ValueError(
            f"{what}: at least two respondents with answers are required "
            f"({nan_policy} deletion left {data.shape[0]})."
        )
    return data


def _covariance(data: pd.DataFrame, what: str) -> np.ndarray:
    cov = data.cov(min_periods=2).to_numpy()
    if np.isnan(cov).any():
        i, j = np.argwhere(np.isnan(cov))[0]
        raise ValueError(
            f"{what}: items {data.columns[i]!r} and {data.columns[j]!r} have fewer than two "
            "respondents in common; their covariance cannot be estimated."
        )
    return cov


def _alpha_from_cov(cov: np.ndarray) -> float:
    k = cov.shape[0]
    total = cov.sum()
    if not total > 0:
        return math.nan
    return float(k / (k - 1) * (1 - np.trace(cov) / total))


def cronbach_alpha(
    items: pd.DataFrame, ci: float = CI_LEVEL, nan_policy: str = "pairwise"
) -> AlphaResult:
    """Cronbach's alpha with Feldt's F-based confidence interval.

    Parameters
    ----------
    items : pandas.DataFrame
        Wide table, one row per respondent and one numeric column per item (already
        reverse-keyed). NaN = missing.
    ci : float, default :data:`~evalkit.core.config.CI_LEVEL`
        Confidence level.
    nan_policy : {"pairwise", "listwise"}, default "pairwise"
        ``"pairwise"``: each covariance uses the respondents who answered both items
        (:meth:`pandas.DataFrame.cov`), as ``psych::alpha(use = "pairwise")``.
        ``"listwise"``: only respondents who answered every item are used.

    Returns
    -------
    AlphaResult
        ``alpha``, ``ci_low``, ``ci_upp`` (and ``.ci``), ``nobs`` respondents, ``k`` items.
        ``alpha`` and CI are NaN when the variance of the total score is zero
        (everyone gave identical answers).

    Raises
    ------
    ValueError
        Fewer than 2 items or 2 respondents, non-numeric items, a pair of items with
        fewer than two respondents in common, or an invalid ``nan_policy``/``ci``.

    Notes
    -----
    With :math:`C` the :math:`k \\times k` item covariance matrix,

    .. math::

        \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\mathbf 1^\\top C
        \\mathbf 1}\\right)
        = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_j \\sigma^2_j}{\\sigma^2_X}\\right).

    Feldt's interval, with :math:`F_{p}(d_1, d_2)` the :math:`p` quantile of the F
    distribution, :math:`d_1 = n - 1`, :math:`d_2 = (n-1)(k-1)` and
    :math:`a = 1 - \\text{ci}`:

    .. math::

        \\left[\\,1 - (1-\\alpha)\\,F_{1-a/2}(d_1, d_2),\\;
               1 - (1-\\alpha)\\,F_{a/2}(d_1, d_2)\\,\\right].

    This is the computation of ``pingouin.cronbach_alpha`` (and of R ``psych::alpha``
    for the point estimate). As in pingouin, under listwise deletion ``n`` is the
    number of complete respondents. One deliberate difference: respondents who
    answered *none* of the items are dropped before counting ``n`` (pingouin would
    count them in the interval's degrees of freedom).

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
           tests. *Psychometrika*, 16(3), 297-334.
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference
           for coefficient alpha. *Applied Psychological Measurement*, 11(1), 93-103.
    .. [3] Vallat, R. (2018). Pingouin: statistics in Python. *Journal of Open Source
           Software*, 3(31), 1026 (``pingouin.cronbach_alpha``).
    """
    check_level(ci)
    data = _prepare_items(items, nan_policy, "cronbach_alpha")
    n, k = data.shape
    cov = _covariance(data, "cronbach_alpha")
    alpha = _alpha_from_cov(cov)
    if math.isnan(alpha):
        low = upp = math.nan
    else:
        a = 1 - ci
        d1, d2 = n - 1, (n - 1) * (k - 1)
        low = float(1 - (1 - alpha) * stats.f.isf(a / 2, d1, d2))
        upp = float(1 - (1 - alpha) * stats.f.isf(1 - a / 2, d1, d2))
    return AlphaResult(alpha, low, upp, int(n), int(k), float(ci), nan_policy)


# Lower bound for uniquenesses in the ML factor fit (as R stats::factanal).
_PSI_LOWER = 0.005


def _ml_one_factor(corr: np.ndarray, *, closed_form: bool = True
                   ) -> tuple[np.ndarray, np.ndarray, bool]:
    """ML one-factor fit of a correlation matrix (R ``factanal`` algorithm).

    Returns loadings, uniquenesses and whether the optimiser converged. Three items
    have an exact solution (:func:`_three_item_fit`), used when proper unless
    ``closed_form`` is False.
    """
    from scipy.optimize import minimize

    k = corr.shape[0]
    if k == 3 and closed_form:
        exact = _three_item_fit(corr)
        if exact is not None:
            return exact

    def eig(psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sc = 1 / np.sqrt(psi)
        vals, vecs = np.linalg.eigh(corr * np.outer(sc, sc))
        return vals[::-1], vecs[:, ::-1]  # descending

    def loadings(psi: np.ndarray) -> np.ndarray:
        vals, vecs = eig(psi)
        return np.sqrt(psi) * vecs[:, 0] * math.sqrt(max(vals[0] - 1, 0.0))

    def objective(psi: np.ndarray) -> float:
        vals, _ = eig(psi)
        rest = np.clip(vals[1:], 1e-300, None)
        return float(np.sum(rest - np.log(rest) - 1))

    def gradient(psi: np.ndarray) -> np.ndarray:
        lam = loadings(psi)
        resid = np.outer(lam, lam) + np.diag(psi) - corr
        return np.diag(resid) / psi**2

    try:
        start = (1 - 0.5 / k) / np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        start = np.full(k, 0.5)
    start = np.clip(start, _PSI_LOWER, 1.0)
    res = minimize(
        objective,
        start,
        jac=gradient,
        method="L-BFGS-B",
        bounds=[(_PSI_LOWER, 1.0)] * k,
        options={"maxiter": 1000, "ftol": 1e-12, "gtol": 1e-8},
    )
    psi = np.asarray(res.x, dtype=float)
    return loadings(psi), psi, bool(res.success)


def _three_item_fit(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """The exact one-factor solution for three items, or None when it is improper.

    With three indicators the one-factor model is just identified (Bollen 1989,
    *Structural Equations with Latent Variables*, ch. 7): the fitted matrix reproduces
    the correlations exactly, with :math:`\\lambda_1^2 = r_{12} r_{13} / r_{23}` and so on.
    Any estimator that can fit exactly, maximum likelihood included, returns it, as
    long as it is proper: all three correlations positive and every uniqueness
    :math:`1 - \\lambda_j^2` inside factanal's bounds. Otherwise the caller optimises.
    """
    r12, r13, r23 = corr[0, 1], corr[0, 2], corr[1, 2]
    if min(r12, r13, r23) <= 0:
        return None
    squared = np.array([r12 * r13 / r23, r12 * r23 / r13, r13 * r23 / r12])
    psi = 1 - squared
    if np.any(psi < _PSI_LOWER) or np.any(psi > 1):
        return None
    return np.sqrt(squared), psi, True


def _minres_one_factor(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Minimum-residual (minres / ULS) one-factor fit of a correlation matrix.

    Minimises the off-diagonal residual sum of squares
    :math:`\\sum_{i<j} (r_{ij} - \\lambda_i \\lambda_j)^2` over the loadings, with
    :math:`\\lambda_j^2 \\le 1 - 0.005` (psych's uniqueness bound), by trust-region
    least squares; ``psych::fa(fm = "minres")`` reaches the same optimum through the
    uniquenesses (its fixed point is the principal-axis solution, Harman 1976, ch. 9).
    Returns loadings, uniquenesses :math:`1 - \\lambda^2` and convergence.
    """
    from scipy.optimize import least_squares

    k = corr.shape[0]
    iu, ju = np.triu_indices(k, 1)
    r = corr[iu, ju]

    def resid(lam: np.ndarray) -> np.ndarray:
        return r - lam[iu] * lam[ju]

    def jac(lam: np.ndarray) -> np.ndarray:
        out = np.zeros((r.size, k))
        rows = np.arange(r.size)
        out[rows, iu] = -lam[ju]
        out[rows, ju] = -lam[iu]
        return out

    try:
        smc = 1 - 1 / np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        smc = np.full(k, 0.5)
    _, vecs = np.linalg.eigh(corr)
    sign = np.where(vecs[:, -1] < 0, -1.0, 1.0)
    bound = math.sqrt(1 - _PSI_LOWER)
    start = sign * np.sqrt(np.clip(smc, 0.01, 1 - _PSI_LOWER - 1e-6))
    res = least_squares(resid, start, jac=jac, bounds=(-bound, bound), method="trf",
                        xtol=1e-15, ftol=1e-15, gtol=1e-12, max_nfev=10_000)
    lam = np.asarray(res.x, dtype=float)
    return lam, 1 - lam**2, bool(res.success)


def omega_total(
    items: pd.DataFrame,
    *,
    nan_policy: str = "pairwise",
    fit: Literal["ml", "minres"] = "ml",
    denominator: Literal["model", "observed"] = "model",
) -> OmegaResult:
    """McDonald's omega total from a one-factor model of the item correlations.

    Parameters
    ----------
    items : pandas.DataFrame
        Wide table, one row per respondent, one numeric column per item (already
        reverse-keyed). NaN = missing. At least 3 items (a one-factor model for 2
        items is not identified).
    nan_policy : {"pairwise", "listwise"}, default "pairwise"
        How the item correlation matrix treats missing answers (as in
        :func:`cronbach_alpha`).
    fit : {"ml", "minres"}, default "ml"
        How the factor model is fitted: ``"ml"`` maximum likelihood (R
        ``stats::factanal``, ``psych::fa(fm = "ml")``); ``"minres"`` minimum residual,
        i.e. unweighted least squares on the off-diagonal correlations
        (``psych::fa(fm = "minres")``, psych's default).
    denominator : {"model", "observed"}, default "model"
        Variance of the total score in the denominator: ``"model"`` the model-implied
        :math:`(\\sum_j\\lambda_j)^2 + \\sum_j\\psi_j` (McDonald 1999; evalkit's
        published reports use this); ``"observed"`` the observed
        :math:`\\mathbf 1^\\top R\\,\\mathbf 1`, as ``psych::omega``'s ``omega.tot``.

    Returns
    -------
    OmegaResult
        ``omega``, standardised ``loadings`` and ``uniquenesses`` (Series by item),
        ``nobs``, ``k``, ``converged`` and ``heywood`` flags, and the ``fit`` and
        ``denominator`` used.

    Raises
    ------
    ValueError
        Fewer than 3 items or 2 respondents, non-numeric items, an item with zero
        variance, a pair of items with fewer than two respondents in common, or an
        unknown ``fit``/``denominator``/``nan_policy``.

    Notes
    -----
    The one-factor model :math:`R \\approx \\lambda\\lambda^\\top + \\Psi`,
    :math:`\\Psi = \\operatorname{diag}(\\psi)`, is fitted to the item correlation
    matrix :math:`R`. Omega total is the share of the variance of the sum of the
    (standardised) items due to the common factor:

    .. math::

        \\omega_t^{\\text{model}} = \\frac{(\\sum_j \\lambda_j)^2}
        {(\\sum_j \\lambda_j)^2 + \\sum_j \\psi_j}
        \\qquad\\text{(default)}, \\qquad
        \\omega_t^{\\text{observed}} = 1 - \\frac{\\sum_j \\psi_j}{\\mathbf 1^\\top R\\,\\mathbf 1}.

    The two agree when the model reproduces :math:`R` exactly (3 items) and differ
    by the residual correlations otherwise (McDonald 1999, eqs. 6.20 and 6.21;
    Revelle & Zinbarg 2009). ``fit="minres", denominator="observed"`` reproduces
    ``psych::omega(x, nfactors = 1)$omega.tot`` (psych's defaults apart from
    ``nfactors``: its default of 3 fits a bifactor model, a different quantity), and
    ``fit="ml", denominator="observed"`` gives ``psych::omega(x, nfactors = 1,
    fm = "ml")$omega.tot`` on complete data. With missing answers psych correlates by
    pairwise deletion with the pairwise-complete SDs (R ``cor(use = "pairwise")``),
    while ``nan_policy="pairwise"`` divides each pairwise covariance by the items' SDs
    over all their answers (as :func:`cronbach_alpha` and ``psych::alpha`` do), so the
    two agree to about 1e-3 there (bfi N1-N5: 0.819113 against 0.818966).
    The default (ML, model-implied) is unchanged so that
    published reports do not move.

    ML fit: minimises :math:`F = \\log|\\Sigma| + \\operatorname{tr}(R\\,\\Sigma^{-1})
    - \\log|R| - k` by the algorithm of R ``stats::factanal`` (Jöreskog 1967): for given
    uniquenesses :math:`\\psi`, the loadings are
    :math:`\\lambda = \\Psi^{1/2} v \\sqrt{\\max(\\theta - 1, 0)}` with :math:`\\theta, v`
    the largest eigenvalue/vector of :math:`\\Psi^{-1/2} R\\, \\Psi^{-1/2}`, and the
    concentrated :math:`F(\\psi) = \\sum_{j \\ge 2} (\\theta_j - \\log\\theta_j - 1)` is
    minimised by L-BFGS-B with :math:`0.005 \\le \\psi_j \\le 1` (factanal's bounds and
    start :math:`\\psi_j = (1 - 0.5/k) / (R^{-1})_{jj}`). (``statsmodels``'
    ``Factor(method="ml")`` was not used: its random-start fit did not converge
    reliably on 3-item scales.) Minres fit: minimises
    :math:`\\sum_{i<j} (r_{ij} - \\lambda_i\\lambda_j)^2` with
    :math:`\\psi_j = 1 - \\lambda_j^2 \\ge 0.005`. A uniqueness at the lower bound is
    reported as a Heywood case; there the bounded optimum can differ slightly from
    psych's.

    Working on correlations gives omega for the sum of standardised items, as
    ``psych::omega`` does by default; for Likert items with similar variances it is
    close to omega of the raw sum. Loadings are signed so that their sum is positive.
    With a pairwise correlation matrix the fit is ML only in name (as in psych).

    References
    ----------
    .. [1] McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Erlbaum, ch. 6.
    .. [2] Revelle, W., & Zinbarg, R. E. (2009). Coefficients alpha, beta, omega, and
           the glb: comments on Sijtsma. *Psychometrika*, 74(1), 145-154;
           R package psych (``omega``, ``fa``).
    .. [3] Lawley, D. N., & Maxwell, A. E. (1971). *Factor Analysis as a Statistical
           Method* (2nd ed.). Butterworths (ML factor analysis).
    .. [4] Jöreskog, K. G. (1967). Some contributions to maximum likelihood factor
           analysis. *Psychometrika*, 32(4), 443-482; R ``stats::factanal``.
    .. [5] Harman, H. H. (1976). *Modern Factor Analysis* (3rd ed.). University of
           Chicago Press, ch. 9 (minres / principal-axis).
    """
    if fit not in ("ml", "minres"):
        raise ValueError(f"fit must be 'ml' or 'minres', got {fit!r}.")
    if denominator not in ("model", "observed"):
        raise ValueError(f"denominator must be 'model' or 'observed', got {denominator!r}.")
    data = _prepare_items(items, nan_policy, "omega_total")
    n, k = data.shape
    if k < 3:
        raise ValueError(
            f"omega_total: at least three items are required for a one-factor model, got {k}."
        )
    cov = _covariance(data, "omega_total")
    sd = np.sqrt(np.diag(cov))
    if (sd <= 0).any():
        flat = list(data.columns[sd <= 0])
        raise ValueError(f"omega_total: item(s) {flat} have zero variance (everyone gave the same answer).")
    corr = cov / np.outer(sd, sd)
    lam, psi, converged = _ml_one_factor(corr) if fit == "ml" else _minres_one_factor(corr)
    if lam.sum() < 0:
        lam = -lam
    heywood = bool((psi <= _PSI_LOWER * (1 + 1e-3)).any())
    s = lam.sum()
    if denominator == "model":
        omega = float(s**2 / (s**2 + psi.sum()))
    else:
        omega = float(1 - psi.sum() / corr.sum())
    return OmegaResult(
        omega=omega,
        loadings=pd.Series(lam, index=data.columns, name="loading"),
        uniquenesses=pd.Series(psi, index=data.columns, name="uniqueness"),
        nobs=int(n),
        k=int(k),
        converged=converged,
        heywood=heywood,
        fit=fit,
        denominator=denominator,
    )


def item_analysis(items: pd.DataFrame) -> pd.DataFrame:
    """Classical item analysis: item-rest correlation, alpha if deleted, mean, sd.

    Parameters
    ----------
    items : pandas.DataFrame
        Wide table, one row per respondent, one numeric column per item (already
        reverse-keyed). NaN = missing. At least 2 items.

    Returns
    -------
    pandas.DataFrame
        One row per item: ``item``, ``item_rest_r`` (corrected item-total
        correlation), ``alpha_if_deleted`` (NaN when only one item would remain),
        ``mean``, ``sd`` (divisor n - 1), ``nobs`` (respondents who answered the item).

    Raises
    ------
    ValueError
        As for :func:`cronbach_alpha` with ``nan_policy="pairwise"``.

    Notes
    -----
    From the pairwise item covariance matrix :math:`C` (as ``psych::alpha``'s
    ``r.drop``), the correlation of item :math:`j` with the sum of the other items is

    .. math::

        r_{j,\\,X-j} = \\frac{\\sum_{l \\ne j} C_{jl}}
        {\\sqrt{C_{jj}\\;\\sum_{l \\ne j}\\sum_{m \\ne j} C_{lm}}},

    and ``alpha_if_deleted`` is Cronbach's alpha of :math:`C` without row and column
    :math:`j`. An item with a low or negative item-rest correlation may be mis-keyed
    or measure something else.

    References
    ----------
    .. [1] Nunnally, J. C., & Bernstein, I. H. (1994). *Psychometric Theory* (3rd ed.).
           McGraw-Hill, ch. 8.
    .. [2] Revelle, W. ``psych::alpha`` (R package psych), columns ``r.drop`` and
           ``raw_alpha`` of ``alpha.drop``.
    """
    data = _prepare_items(items, "pairwise", "item_analysis")
    cov = _covariance(data, "item_analysis")
    k = cov.shape[0]
    rows = []
    for j, name in enumerate(data.columns):
        keep = [i for i in range(k) if i != j]
        rest = cov[np.ix_(keep, keep)]
        cov_jr = cov[j, keep].sum()
        denom = math.sqrt(cov[j, j] * rest.sum()) if cov[j, j] > 0 and rest.sum() > 0 else 0.0
        r = float(cov_jr / denom) if denom > 0 else math.nan
        a_del = _alpha_from_cov(rest) if k - 1 >= 2 else math.nan
        col = data[name].dropna()
        rows.append(
            {
                "item": name,
                "item_rest_r": r,
                "alpha_if_deleted": a_del,
                "mean": float(col.mean()) if len(col) else math.nan,
                "sd": float(col.std(ddof=1)) if len(col) > 1 else math.nan,
                "nobs": int(col.size),
            }
        )
    return pd.DataFrame(rows, columns=["item", "item_rest_r", "alpha_if_deleted", "mean", "sd", "nobs"])


#: The codes of :func:`reliability_table`'s ``note_code`` column: why a statistic is NaN.
#: ``too_few``, ``alpha_error`` and ``omega_error`` carry details (a count, an error
#: message) only the English ``note`` holds.
RELIABILITY_NOTE_CODES = ("single_item", "too_few", "few_complete", "alpha_error",
                          "zero_variance", "omega_items", "omega_error", "omega_not_converged",
                          "omega_heywood")


def reliability_table(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    min_n: int = MIN_CELL,
    ci: float = CI_LEVEL,
    nan_policy: str = "pairwise",
    scale_min: float = LIKERT_MIN,
    scale_max: float = LIKERT_MAX,
) -> pd.DataFrame:
    """Reliability (alpha with CI, omega) of every dimension, optionally per group.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per respondent with numeric item columns and, if ``by`` is given, the
        grouping columns (e.g. ``region_code``).
    items : pandas.DataFrame
        Codebook item table with columns ``item``, ``dimension``, ``reverse``.
    by : str or list of str, optional
        Grouping columns; ``None`` for one row per dimension over all respondents.
    min_n : int, default ``MIN_CELL``
        Groups with fewer respondents (who answered at least one item of the
        dimension) get NaN statistics and a note.
    ci : float, default ``CI_LEVEL``
        Confidence level of the alpha interval.
    nan_policy : {"pairwise", "listwise"}, default "pairwise"
        Missing-data treatment for alpha and omega.
    scale_min, scale_max : float
        Scale end points, for reverse keying.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, dimension, k, n, alpha, alpha_ci_low, alpha_ci_upp, omega,
        note, note_code``. ``k`` = items in the dimension, ``n`` = respondents with at
        least one answered item of it (complete respondents under ``"listwise"``).
        ``note`` is missing when all statistics were computed and otherwise says why a
        value is NaN (small group, single item, too few complete cases, zero variance,
        omega needing 3 items, a Heywood case, ...), in English, parts joined by
        ``"; "``. ``note_code`` holds one code of :data:`RELIABILITY_NOTE_CODES` per
        part of ``note``, joined the same way, so presentation can word it in any
        language.

    Raises
    ------
    ValueError
        If the codebook or responses are malformed (see :func:`score_dimensions`) or a
        ``by`` column is missing.

    Notes
    -----
    Items are reverse-keyed first (:func:`reverse_key`); then, per cell,
    :func:`cronbach_alpha` (Feldt interval) and :func:`omega_total` are computed.
    Reliability from very small groups is unstable, hence the ``min_n`` rule.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
           tests. *Psychometrika*, 16(3), 297-334.
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference
           for coefficient alpha. *Applied Psychological Measurement*, 11(1), 93-103.
    .. [3] McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Erlbaum.
    """
    check_level(ci)
    if nan_policy not in ("pairwise", "listwise"):
        raise ValueError(f"nan_policy must be 'pairwise' or 'listwise', got {nan_policy!r}.")
    by_cols = _as_list(by)
    require_columns(responses, by_cols, "responses (by)")
    cb = _check_codebook(items)
    keyed = reverse_key(responses, cb, scale_min=scale_min, scale_max=scale_max)
    dims = list(pd.unique(cb["dimension"]))

    if by_cols:
        groups = [
            (key if isinstance(key, tuple) else (key,), sub.index)
            for key, sub in responses.groupby(by_cols, sort=True, dropna=False, observed=True)
        ]
    else:
        groups = [((), responses.index)]

    rows = []
    for key, idx in groups:
        for dim in dims:
            cols = list(cb.loc[cb["dimension"] == dim, "item"])
            block = keyed.loc[idx, cols]
            k = len(cols)
            answered = block.loc[block.notna().any(axis=1)]
            n = int(len(answered) if nan_policy == "pairwise" else answered.dropna().shape[0])
            row = dict(zip(by_cols, key, strict=True))
            row.update(dimension=dim, k=k, n=n, alpha=math.nan, alpha_ci_low=math.nan,
                       alpha_ci_upp=math.nan, omega=math.nan, note=None, note_code=None)
            notes: list[tuple[str, str]] = []  # (code, English words): codes for presentation
            if k < 2:
                notes.append(("single_item", "single-item dimension: reliability undefined"))
            elif n < min_n:
                notes.append(("too_few", f"n = {n} < {min_n}: too few respondents, not estimated"))
            elif answered.dropna().shape[0] < 2:
                notes.append(("few_complete", "fewer than 2 complete cases: not estimated"))
            else:
                try:
                    a = cronbach_alpha(block, ci=ci, nan_policy=nan_policy)
                except ValueError as exc:
                    notes.append(("alpha_error", f"alpha not estimated: {exc}"))
                else:
                    row.update(alpha=a.alpha, alpha_ci_low=a.ci_low, alpha_ci_upp=a.ci_upp)
                    if math.isnan(a.alpha):
                        notes.append(("zero_variance",
                                      "zero variance of the total score: alpha undefined"))
                if k < 3:
                    notes.append(("omega_items", "omega needs at least 3 items"))
                elif not notes:
                    try:
                        o = omega_total(block, nan_policy=nan_policy)
                    except ValueError as exc:
                        notes.append(("omega_error", f"omega not estimated: {exc}"))
                    else:
                        row["omega"] = o.omega
                        if not o.converged:
                            notes.append(("omega_not_converged",
                                          "omega: factor model did not converge"))
                        if o.heywood:
                            notes.append(("omega_heywood",
                                          "omega: Heywood case (a uniqueness near zero)"))
            if notes:
                row["note"] = "; ".join(words for _, words in notes)
                row["note_code"] = "; ".join(code for code, _ in notes)
            rows.append(row)

    cols = [*by_cols, "dimension", "k", "n", "alpha", "alpha_ci_low", "alpha_ci_upp", "omega",
            "note", "note_code"]
    out = pd.DataFrame(rows, columns=cols)
    out[["k", "n"]] = out[["k", "n"]].astype("int64")
    float_cols = ["alpha", "alpha_ci_low", "alpha_ci_upp", "omega"]
    out[float_cols] = out[float_cols].astype("float64")
    return out
