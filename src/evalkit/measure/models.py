"""Who is less enthusiastic? Sector comparisons and region models for the survey scores.

Section 4 of a regional report asks which stakeholder sectors (the programme's own,
from its form) rate the partnership lower; the cross-region
synthesis asks the same question pooled over regions and compares regions fairly.
This module answers both, on the long score table of
:func:`evalkit.analyse.region_tables.scores_long` (``response_id, region_code, sector, dimension,
score``):

* :func:`sector_differences` -- Kruskal-Wallis test per dimension with epsilon-squared
  and a stratified bootstrap interval;
* :func:`pairwise_sector_tests` -- Mann-Whitney U for every pair of sectors, Holm
  correction within a dimension, rank-biserial correlation and Hedges' g with
  intervals;
* :func:`sector_effects_model` -- linear mixed model ``score ~ sector + (1 | region)``,
  sector differences from a reference pooled over regions;
* :func:`ordinal_sector_model` -- proportional-odds (ordinal logit) model of the item
  answers of one dimension, cluster-robust by respondent;
* :func:`region_shrinkage` -- random-intercept model of regions: ICC, and partially
  pooled (empirical Bayes / BLUP) region means beside the raw means (drawn by
  :func:`evalkit.present.figures.caterpillar_figure`).

Small groups are never tested: a group with fewer than ``min_n`` (default
:data:`evalkit.core.config.MIN_CELL`) non-missing scores is listed as too small and left out
of every test and model, so a sector of three respondents is never over-interpreted.

All functions are pure: DataFrames in, new tidy DataFrames out, no file I/O, and the
bootstrap is seeded so that the same inputs give the same outputs.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import special, stats

from evalkit.core.checks import check_level, check_min_n, require_columns
from evalkit.core.config import CI_LEVEL, MIN_CELL

__all__ = [
    "DIFFERENCES_COLUMNS",
    "PAIRWISE_COLUMNS",
    "EFFECTS_COLUMNS",
    "ORDINAL_COLUMNS",
    "SHRINKAGE_COLUMNS",
    "OVERALL",
    "ShrinkageFit",
    "sector_differences",
    "pairwise_sector_tests",
    "sector_effects_model",
    "ordinal_sector_model",
    "region_shrinkage",
    "no_pooling",
]

DIFFERENCES_COLUMNS = ["dimension", "n", "groups_tested", "groups_too_small", "H", "df", "pvalue",
                       "epsilon_squared", "eps_ci_low", "eps_ci_upp", "note"]
PAIRWISE_COLUMNS = ["dimension", "group_a", "group_b", "n_a", "n_b", "mean_a", "mean_b",
                    "mean_diff", "U", "pvalue", "p_holm", "rank_biserial", "rb_ci_low",
                    "rb_ci_upp", "hedges_g", "g_ci_low", "g_ci_upp", "significant"]
EFFECTS_COLUMNS = ["dimension", "sector", "estimate", "se", "ci_low", "ci_upp", "pvalue", "n",
                   "reference", "converged", "note"]
ORDINAL_COLUMNS = ["sector", "log_odds", "se", "ci_low", "ci_upp", "odds_ratio", "or_ci_low",
                   "or_ci_upp", "pvalue", "n_respondents", "n_responses", "reference",
                   "cov_type", "converged", "note"]
SHRINKAGE_COLUMNS = ["region_code", "n", "raw_mean", "raw_ci_low", "raw_ci_upp", "shrunken",
                     "shrunken_ci_low", "shrunken_ci_upp", "shrinkage_weight", "shrunken_se"]

#: Label of the model row that uses each respondent's mean over all dimensions.
OVERALL = "overall"

# A group variance below this share of the total variance is "at the boundary" (zero).
_BOUNDARY_ICC = 1e-4


# --------------------------------------------------------------------------------------
# Validation and small helpers
# --------------------------------------------------------------------------------------
def _check_numeric(df: pd.DataFrame, col: str, what: str) -> None:
    s = df[col]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise ValueError(f"{what}: column {col!r} must be numeric, got dtype {s.dtype}.")


def _levels(s: pd.Series) -> list:
    """Observed levels of a grouping column: category order if categorical, else sorted."""
    present = pd.unique(s.dropna())
    if isinstance(s.dtype, pd.CategoricalDtype):
        seen = set(present)
        return [c for c in s.cat.categories if c in seen]
    return sorted(present, key=str)


def _dimension_levels(scores: pd.DataFrame) -> list:
    """Dimensions in output order: category order if categorical, else first appearance."""
    dim = scores["dimension"]
    if isinstance(dim.dtype, pd.CategoricalDtype):
        seen = set(pd.unique(dim.dropna()))
        return [c for c in dim.cat.categories if c in seen]
    return list(pd.unique(dim.dropna()))


def _dimension_column(values: list, scores: pd.DataFrame, extra: Sequence = ()) -> pd.Series | list:
    """The output ``dimension`` column, categorical (same order) when the input's is."""
    dtype = scores["dimension"].dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = list(dtype.categories) + [e for e in extra if e not in set(dtype.categories)]
        return pd.Categorical(values, categories=cats, ordered=dtype.ordered)
    return values


def _dim_seed(seed: int, dim) -> np.random.Generator:
    """A generator for one dimension: stable across runs and across dimension subsets."""
    return np.random.default_rng([int(seed), zlib.crc32(str(dim).encode("utf-8"))])


def _join(names: Sequence) -> str:
    return ", ".join(str(x) for x in names)


# --------------------------------------------------------------------------------------
# 1. Kruskal-Wallis with epsilon-squared
# --------------------------------------------------------------------------------------
def _kruskal_h_rows(samples: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """Tie-corrected Kruskal-Wallis H for every row of ``samples``.

    ``samples`` is ``(B, n)``; its columns are grouped contiguously, ``sizes[j]``
    columns per group. Vectorised version of :func:`scipy.stats.kruskal` used by the
    bootstrap. Rows whose values are all identical get NaN.
    """
    samples = np.atleast_2d(np.asarray(samples, dtype="float64"))
    n_rows, n = samples.shape
    uniq, codes = np.unique(samples, return_inverse=True)
    codes = codes.reshape(n_rows, n)
    k = uniq.size
    counts = np.bincount((codes + k * np.arange(n_rows)[:, None]).ravel(),
                         minlength=n_rows * k).reshape(n_rows, k).astype("float64")
    # average rank of each distinct value within its row (ties get the mid-rank)
    mid_rank = np.cumsum(counts, axis=1) - (counts - 1) / 2
    ranks = np.take_along_axis(mid_rank, codes, axis=1)
    bounds = np.cumsum([0, *sizes])
    ssum = np.zeros(n_rows)
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        ssum += ranks[:, lo:hi].sum(axis=1) ** 2 / (hi - lo)
    h = 12.0 / (n * (n + 1)) * ssum - 3.0 * (n + 1)
    tie = 1.0 - (counts**3 - counts).sum(axis=1) / (n**3 - n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tie > 0, h / tie, np.nan)


def _kruskal(data: Sequence[np.ndarray]) -> tuple[float, float]:
    """Tie-corrected Kruskal-Wallis ``(H, pvalue)`` of the groups ``data``.

    The computation of :func:`scipy.stats.kruskal` (mid-ranks, rank sums, tie
    correction, chi-squared survival function), step for step so the floats are the
    same, without its per-call array-API and NaN-policy overhead (about 1 ms, paid for
    every dimension of every region). Needs at least two distinct values.
    """
    alldata = np.concatenate(data)
    _, inverse, counts = np.unique(alldata, return_inverse=True, return_counts=True)
    ranked = (np.cumsum(counts) - (counts - 1) / 2)[inverse]  # average ranks
    n = [d.size for d in data]
    totaln = sum(n)
    t = counts.astype("float64")
    ties = 1 - np.sum(t**3 - t) / (totaln**3 - totaln)
    bounds = list(itertools.accumulate(n, initial=0))
    ssbn = sum(np.sum(ranked[bounds[i]:bounds[i + 1]]) ** 2 / n[i] for i in range(len(n)))
    h = 12.0 / (totaln * (totaln + 1)) * ssbn - 3 * (totaln + 1)
    h /= ties
    return float(h), float(special.chdtrc(np.float64(len(n) - 1), h))


def _kruskal_h_boot(data: Sequence[np.ndarray], draws: Sequence[np.ndarray]) -> np.ndarray:
    """Tie-corrected Kruskal-Wallis H of every stratified bootstrap sample.

    ``data[j]`` holds group ``j``'s scores and ``draws[j]`` (``B x len(data[j])``) the
    indices resampled from it. Gives exactly :func:`_kruskal_h_rows` of the resampled
    values (the same mid-ranks: every bootstrap value is one of the observed values, so
    each row's ranks follow from how often each observed distinct value was drawn),
    without sorting the ``B x n`` resampled values: the distinct values are found once,
    and each row's counts come from one ``bincount``.
    """
    sizes = [d.size for d in data]
    uniq, inverse = np.unique(np.concatenate(data), return_inverse=True)
    k = uniq.size
    bounds = np.cumsum([0, *sizes])
    n_rows = draws[0].shape[0]
    n = int(bounds[-1])
    offset = (k * np.arange(n_rows))[:, None]
    per_group = [np.bincount((inverse[lo:hi][d] + offset).ravel(), minlength=n_rows * k)
                 .reshape(n_rows, k).astype("float64")
                 for lo, hi, d in zip(bounds[:-1], bounds[1:], draws, strict=True)]
    counts = np.sum(per_group, axis=0)
    # average rank of each distinct value within its row (ties get the mid-rank)
    mid_rank = np.cumsum(counts, axis=1) - (counts - 1) / 2
    ssum = np.zeros(n_rows)
    for size, cnt in zip(sizes, per_group, strict=True):
        ssum += (cnt * mid_rank).sum(axis=1) ** 2 / size
    h = 12.0 / (n * (n + 1)) * ssum - 3.0 * (n + 1)
    tie = 1.0 - (counts**3 - counts).sum(axis=1) / (n**3 - n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tie > 0, h / tie, np.nan)


def _split_scores(scores: pd.DataFrame, group: str, levels: list, dims: list
                  ) -> dict:
    """``{dim: {group level: float array of its non-missing scores, in row order}}``.

    The same arrays as selecting ``scores`` by dimension, non-missing score and group
    for every pair, from one pass over the columns as numpy arrays.
    """
    score = scores["score"].to_numpy(dtype="float64")
    gcodes = pd.Index(levels, dtype=object).get_indexer(scores[group].astype(object))
    dcodes = pd.Index(dims, dtype=object).get_indexer(scores["dimension"].astype(object))
    keep = ~np.isnan(score) & (gcodes >= 0) & (dcodes >= 0)
    order = np.flatnonzero(keep)
    # stable sort by (dimension, group) keeps the row order inside each cell
    order = order[np.lexsort((order, gcodes[order], dcodes[order]))]
    cell = dcodes[order].astype(np.int64) * len(levels) + gcodes[order]
    bounds = np.searchsorted(cell, np.arange(len(dims) * len(levels) + 1))
    values = score[order]
    return {dim: {g: values[bounds[i * len(levels) + j]:bounds[i * len(levels) + j + 1]]
                  for j, g in enumerate(levels)} for i, dim in enumerate(dims)}


def sector_differences(
    scores: pd.DataFrame,
    *,
    group: str = "sector",
    min_n: int = MIN_CELL,
    ci: float = CI_LEVEL,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Kruskal-Wallis test of score differences between groups, per dimension.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long score table with columns ``dimension``, ``score`` (float, NaN = missing)
        and ``group``; one row per respondent and dimension
        (:func:`evalkit.analyse.region_tables.scores_long`).
    group : str, default ``"sector"``
        Grouping column. Rows with a missing group are not used.
    min_n : int, default ``MIN_CELL`` (5)
        A group is tested only when it has at least ``min_n`` non-missing scores in
        the dimension; smaller groups are listed in ``groups_too_small`` and excluded.
    ci : float, default ``CI_LEVEL``
        Confidence level of the bootstrap interval of epsilon-squared.
    n_boot : int, default 2000
        Bootstrap replicates (0 skips the interval).
    seed : int, default 0
        Seed of the bootstrap. Each dimension draws from its own stream derived from
        ``seed`` and the dimension's name, so a dimension's interval does not depend on
        which other dimensions are in the table.

    Returns
    -------
    pandas.DataFrame
        One row per dimension (category order if ``dimension`` is categorical, else
        first appearance), columns :data:`DIFFERENCES_COLUMNS`:
        ``n`` (scores in the tested groups), ``groups_tested`` and
        ``groups_too_small`` (comma-joined group names, ``''`` if none; a group that
        appears anywhere in ``scores`` but has fewer than ``min_n`` scores in this
        dimension is too small), ``H``, ``df`` (= tested groups - 1), ``pvalue``,
        ``epsilon_squared``, ``eps_ci_low``, ``eps_ci_upp`` and ``note`` (why no test
        was run, else ``''``).

    Raises
    ------
    ValueError
        If a column is missing, ``score`` is not numeric, or an argument is invalid.

    Notes
    -----
    :math:`H` is the tie-corrected Kruskal-Wallis statistic (as
    :func:`scipy.stats.kruskal`), referred to :math:`\\chi^2_{k-1}`. The effect size is
    epsilon-squared of Tomczak & Tomczak (2014),

    .. math:: E^2_R = \\frac{H}{(n^2 - 1)/(n + 1)} = \\frac{H}{n - 1},

    between 0 (no difference in mean ranks) and 1. Its interval is a percentile
    bootstrap (Efron & Tibshirani 1993, ch. 13) with stratified resampling: each
    group is resampled with replacement at its own size, so the design (group sizes)
    is kept. Because :math:`E^2_R \\ge 0`, the bootstrap interval lies above zero even
    when groups do not differ; read it together with the p-value. The replicates'
    ranks are computed from how often each observed value was drawn
    (:func:`_kruskal_h_boot`), which gives the same mid-ranks as ranking every
    replicate, at a fraction of the cost.

    References
    ----------
    .. [1] Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion
           variance analysis. *JASA*, 47(260), 583-621.
    .. [2] Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates
           revisited. *Trends in Sport Sciences*, 1(21), 19-25.
    .. [3] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
           Chapman & Hall.
    """
    check_level(ci)
    check_min_n(min_n, minimum=2, reason="a group needs two scores to vary")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"n_boot must be a non-negative integer, got {n_boot!r}.")
    require_columns(scores, ["dimension", "score", group], "scores")
    _check_numeric(scores, "score", "scores")
    levels = _levels(scores[group])
    alpha = 1 - ci
    rows = []
    dims = _dimension_levels(scores)
    split = _split_scores(scores, group, levels, dims)
    for dim in dims:
        samples = split[dim]
        tested = [g for g in levels if samples[g].size >= min_n]
        small = [g for g in levels if samples[g].size < min_n]
        n = int(sum(samples[g].size for g in tested))
        row = {"dimension": dim, "n": n, "groups_tested": _join(tested),
               "groups_too_small": _join(small), "H": np.nan, "df": np.nan, "pvalue": np.nan,
               "epsilon_squared": np.nan, "eps_ci_low": np.nan, "eps_ci_upp": np.nan, "note": ""}
        if len(tested) < 2:
            row["note"] = (f"fewer than 2 groups with at least {min_n} scores "
                           f"({len(tested)} such group); no test")
            rows.append(row)
            continue
        data = [samples[g] for g in tested]
        allv = np.concatenate(data)
        row["df"] = len(tested) - 1
        if np.all(allv == allv[0]):
            row["note"] = "all scores identical; no test"
            rows.append(row)
            continue
        h, pvalue = _kruskal(data)
        row.update(H=h, pvalue=pvalue, epsilon_squared=h / (n - 1))
        if n_boot > 0:
            rng = _dim_seed(seed, dim)
            draws = [rng.integers(0, d.size, size=(n_boot, d.size)) for d in data]
            eps = _kruskal_h_boot(data, draws) / (n - 1)
            eps = eps[np.isfinite(eps)]
            if eps.size:
                lo, hi = np.quantile(eps, [alpha / 2, 1 - alpha / 2])
                row.update(eps_ci_low=float(lo), eps_ci_upp=float(hi))
        rows.append(row)
    out = pd.DataFrame(rows, columns=DIFFERENCES_COLUMNS)
    out["dimension"] = _dimension_column(list(out["dimension"]), scores)
    out["n"] = out["n"].astype("int64")
    return out


# --------------------------------------------------------------------------------------
# 2. Pairwise Mann-Whitney tests
# --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _norm_quantile(p: float) -> float:
    return float(stats.norm.ppf(p))


@functools.lru_cache(maxsize=4096)
def _t_quantile(p: float, df: float) -> float:
    return float(stats.t.ppf(p, df))


def _mann_whitney(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Two-sided Mann-Whitney U test of ``a`` vs ``b``: ``(U_a, pvalue, theta)``.

    The same numbers as ``scipy.stats.mannwhitneyu(a, b, alternative="two-sided")``
    (method ``"auto"``: exact when a sample has at most 8 values and there are no
    ties, else the normal approximation with tie and continuity correction, as
    scipy's ``_get_mwu_z``), with ``theta = U_a / (n_a n_b)``, the Mann-Whitney
    probability P(a > b) + P(a = b)/2. ``U_a`` is counted from the pairwise
    comparisons (exact in floating point, as the mid-rank sum is), so the normal
    approximation is evaluated without scipy's per-call overhead; the exact case is
    delegated to scipy.
    """
    n1, n2 = a.size, b.size
    gt = int(np.count_nonzero(a[:, None] > b[None, :]))
    eq = int(np.count_nonzero(a[:, None] == b[None, :]))
    u1 = np.float64(gt) + np.float64(0.5) * eq
    theta = float(u1 / (n1 * n2))
    ties = np.unique(np.concatenate([a, b]), return_counts=True)[1].astype("float64")
    if not (n1 > 8 and n2 > 8) and not (ties > 1).any():
        res = stats.mannwhitneyu(a, b, alternative="two-sided")
        return float(res.statistic), float(res.pvalue), theta
    u = max(u1, n1 * n2 - u1)
    mu = n1 * n2 / 2
    n = n1 + n2
    tie_term = np.sum(ties**3 - ties)
    sd = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (u - mu - 0.5) / sd
    p = float(np.clip(special.ndtr(-z) * 2, 0.0, 1.0))
    return float(u1), p, theta


def _rank_biserial(a: np.ndarray, b: np.ndarray, level: float, theta: float | None = None
                   ) -> tuple[float, float, float]:
    """Rank-biserial correlation of ``a`` vs ``b`` with Newcombe's method-5 interval.

    Returns ``(r, ci_low, ci_upp)`` with ``r = 2 * theta - 1``, ``theta`` the
    Mann-Whitney probability P(a > b) + P(a = b)/2 (computed unless given).
    """
    from scipy.optimize import brentq

    m, n = a.size, b.size
    if theta is None:
        theta = float(((a[:, None] > b[None, :]) + 0.5 * (a[:, None] == b[None, :])).mean())
    s = (m + n) / 2 - 1  # Newcombe's m* = n* = (m + n)/2 - 1
    mn = m * n
    sqrt = math.sqrt

    def sd(t: float) -> float:
        return sqrt(t * (1 - t) * (1 + s * (1 - t) / (2 - t) + s * t / (1 + t)) / mn)

    q = _norm_quantile(0.5 + level / 2)
    eps = 1e-12
    # score-type limits: solve |theta_hat - t| = q * sd(t); a limit at 0 or 1 is kept
    lo = 0.0 if theta <= eps else brentq(lambda t: theta - t - q * sd(t), 0.0, theta - eps,
                                         xtol=1e-14)
    hi = 1.0 if theta >= 1 - eps else brentq(lambda t: theta - t + q * sd(t), theta + eps, 1.0,
                                             xtol=1e-14)
    return (2 * theta - 1, 2 * lo - 1, 2 * hi - 1)


def _holm(pvals: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values (same values as multipletests 'holm')."""
    m = pvals.size
    order = np.argsort(pvals, kind="mergesort")
    adj = np.minimum(np.maximum.accumulate(pvals[order] * np.arange(m, 0, -1)), 1.0)
    out = np.empty(m)
    out[order] = adj
    return out


def _hedges_g(a: np.ndarray, b: np.ndarray, level: float) -> tuple[float, float, float]:
    """Hedges' g of ``a - b`` with its Hedges-Olkin interval (t critical value)."""
    n_a, n_b = a.size, b.size
    dof = n_a + n_b - 2
    pooled = math.sqrt(((n_a - 1) * a.var(ddof=1) + (n_b - 1) * b.var(ddof=1)) / dof)
    if pooled == 0:
        return (np.nan, np.nan, np.nan)
    d = (a.mean() - b.mean()) / pooled
    g = d * (1 - 3 / (4 * (n_a + n_b) - 9))
    se = math.sqrt((n_a + n_b) / (n_a * n_b) + g**2 / (2 * (n_a + n_b)))
    crit = _t_quantile(0.5 + level / 2, dof)
    return (float(g), float(g - crit * se), float(g + crit * se))


def pairwise_sector_tests(
    scores: pd.DataFrame,
    *,
    group: str = "sector",
    min_n: int = MIN_CELL,
    ci: float = CI_LEVEL,
    padjust: str = "holm",
) -> pd.DataFrame:
    """Mann-Whitney U tests between every pair of testable groups, per dimension.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long score table with ``dimension``, ``score`` and ``group`` columns.
    group : str, default ``"sector"``
        Grouping column. Rows with a missing group are not used.
    min_n : int, default ``MIN_CELL`` (5)
        Only groups with at least ``min_n`` non-missing scores in the dimension are
        compared; smaller groups appear in no row (see :func:`sector_differences`,
        which lists them).
    ci : float, default ``CI_LEVEL``
        Confidence level of the effect-size intervals; ``1 - ci`` is also the
        significance level applied to the adjusted p-value.
    padjust : str, default ``"holm"``
        Multiple-comparison method of
        :func:`statsmodels.stats.multitest.multipletests`, applied within each
        dimension. The adjusted p-value is in column ``p_holm`` for the default;
        for another method the column is named ``p_<method>`` (e.g. ``p_fdr_bh``).

    Returns
    -------
    pandas.DataFrame
        One row per dimension and pair (``group_a`` before ``group_b`` in group order:
        category order, else sorted), columns :data:`PAIRWISE_COLUMNS`. ``mean_diff``,
        ``rank_biserial`` and ``hedges_g`` are oriented as ``a - b``: negative values
        mean group *a* scores lower. ``U`` is the statistic of group *a*;
        ``significant`` is ``adjusted p < 1 - ci``.

    Raises
    ------
    ValueError
        If a column is missing, ``score`` is not numeric, or an argument is invalid.

    Notes
    -----
    * Test: two-sided Mann-Whitney U with scipy's defaults (exact for small samples
      without ties, else the normal approximation with tie and continuity correction)
      -- the same call as ``pingouin.mwu`` and ``scikit_posthocs.posthoc_mannwhitney``;
      the normal approximation is evaluated by :func:`_mann_whitney` with scipy's
      formula (the same floats, tested), without scipy's per-call overhead.
    * Rank-biserial correlation :math:`r = 2U_a/(n_a n_b) - 1 = 2\\,\\mathrm{AUC} - 1`
      (Wendt 1972; Kerby 2014): the proportion of (a, b) pairs in which *a* scores
      higher minus the proportion in which *b* does (ties count half).
      Interval: Newcombe's (2006) method 5 for :math:`\\theta = (1 + r)/2`, a
      score-type interval that solves :math:`|\\hat\\theta - \\theta| =
      z_{1-\\alpha/2}\\sqrt{V(\\theta)}` with the Hanley & McNeil (1982) variance
      :math:`V(\\theta) = \\theta(1-\\theta)[1 + N^*\\{(1-\\theta)/(2-\\theta) +
      \\theta/(1+\\theta)\\}]/(n_a n_b)`, :math:`N^* = (n_a+n_b)/2 - 1`; the limits are
      mapped back by :math:`r = 2\\theta - 1`. It stays inside [-1, 1] and remains
      informative at complete separation (:math:`|r| = 1`). Newcombe found its
      coverage close to nominal; the tests confirm 94-97 % by simulation for groups of
      5-12, including Likert-type ties and large effects, where the null-variance
      Fisher-z interval of the R package *effectsize* covers only about 80 %.
    * Hedges' g: Cohen's d with the pooled SD times
      :math:`J = 1 - 3/(4(n_a+n_b) - 9)` (Hedges 1981), with the large-sample variance
      of Hedges & Olkin (1985, p. 86),
      :math:`\\mathrm{se}^2 = (n_a+n_b)/(n_a n_b) + g^2/(2(n_a+n_b))`, and a
      :math:`t_{n_a+n_b-2}` critical value (as ``pingouin.compute_esci`` and R's
      ``effsize::cohen.d``; slightly wider than the normal value for small groups).
    * Holm (1979) step-down correction within each dimension (computed directly:
      statsmodels' ``multipletests(method="holm")`` gives the same values but runs a
      full garbage collection on every call, which costs ~50 ms per dimension; the
      other methods go through ``multipletests``).

    References
    ----------
    .. [1] Mann, H. B., & Whitney, D. R. (1947). On a test of whether one of two random
           variables is stochastically larger than the other. *Ann. Math. Stat.*, 18,
           50-60.
    .. [2] Kerby, D. S. (2014). The simple difference formula: an approach to teaching
           nonparametric correlation. *Comprehensive Psychology*, 3, 11.IT.3.1.
    .. [3] Newcombe, R. G. (2006). Confidence intervals for an effect size measure
           based on the Mann-Whitney statistic. Part 2: asymptotic methods and
           evaluation. *Statistics in Medicine*, 25(4), 559-573.
    .. [4] Hanley, J. A., & McNeil, B. J. (1982). The meaning and use of the area under
           a receiver operating characteristic (ROC) curve. *Radiology*, 143, 29-36.
    .. [5] Wendt, H. W. (1972). Dealing with a common problem in social science: a
           simplified rank-biserial coefficient of correlation based on the U
           statistic. *European Journal of Social Psychology*, 2(4), 463-465.
    .. [6] Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect
           size and related estimators. *J. Educ. Stat.*, 6(2), 107-128.
    .. [7] Hedges, L. V., & Olkin, I. (1985). *Statistical Methods for Meta-Analysis*.
           Academic Press.
    .. [8] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
           *Scand. J. Statist.*, 6, 65-70.
    """
    from statsmodels.stats.multitest import multipletests

    check_level(ci)
    check_min_n(min_n, minimum=2, reason="a group needs two scores to vary")
    require_columns(scores, ["dimension", "score", group], "scores")
    _check_numeric(scores, "score", "scores")
    if not isinstance(padjust, str):
        raise ValueError(f"padjust must be a multipletests method name such as 'holm', "
                         f"got {padjust!r}.")
    try:
        if padjust != "holm":
            multipletests([0.5], method=padjust)
    except ValueError:
        raise ValueError(f"padjust={padjust!r} is not a method known to "
                         "statsmodels.stats.multitest.multipletests (e.g. 'holm', "
                         "'bonferroni', 'fdr_bh').") from None
    p_col = f"p_{padjust}"
    levels = _levels(scores[group])
    alpha = 1 - ci
    rows = []
    dims = _dimension_levels(scores)
    split = _split_scores(scores, group, levels, dims)
    for dim in dims:
        samples = split[dim]
        tested = [g for g in levels if samples[g].size >= min_n]
        block = []
        for ga, gb in combinations(tested, 2):
            a, b = samples[ga], samples[gb]
            u, pvalue, theta = _mann_whitney(a, b)
            rb, rb_lo, rb_hi = _rank_biserial(a, b, ci, theta)
            g, g_lo, g_hi = _hedges_g(a, b, ci)
            block.append({"dimension": dim, "group_a": ga, "group_b": gb, "n_a": a.size,
                          "n_b": b.size, "mean_a": float(a.mean()), "mean_b": float(b.mean()),
                          "mean_diff": float(a.mean() - b.mean()), "U": u,
                          "pvalue": pvalue, p_col: np.nan, "rank_biserial": rb,
                          "rb_ci_low": rb_lo, "rb_ci_upp": rb_hi, "hedges_g": g,
                          "g_ci_low": g_lo, "g_ci_upp": g_hi})
        pvals = np.array([r["pvalue"] for r in block], dtype="float64")
        ok = np.isfinite(pvals)
        if ok.any():
            adj = pvals.copy()
            adj[ok] = (_holm(pvals[ok]) if padjust == "holm"
                       else multipletests(pvals[ok], method=padjust)[1])
            for r, p in zip(block, adj, strict=True):
                r[p_col] = float(p)
        for r in block:
            r["significant"] = bool(np.isfinite(r[p_col]) and r[p_col] < alpha)
        rows.extend(block)
    columns = [p_col if c == "p_holm" else c for c in PAIRWISE_COLUMNS]
    out = pd.DataFrame(rows, columns=columns)
    out["dimension"] = _dimension_column(list(out["dimension"]), scores)
    out[["n_a", "n_b"]] = out[["n_a", "n_b"]].astype("int64")
    out["significant"] = out["significant"].astype(bool)
    return out


# --------------------------------------------------------------------------------------
# 3. Mixed model of sector effects pooled over regions
# --------------------------------------------------------------------------------------
def _fit_mixedlm(y: np.ndarray, exog: pd.DataFrame, groups: np.ndarray):
    """REML fit of a random-intercept MixedLM; warnings collected, not shown.

    Returns ``(result, converged, boundary)``.

    * ``boundary``: the group variance is (numerically) zero, ``tau2 / (tau2 + sigma2)
      < 1e-4``. statsmodels then warns that the MLE may be on the boundary and that the
      Hessian is not positive definite; both are expected there. (Its own boundary
      warning uses an absolute threshold, ``tau2 < 0.01``, which on a 1-5 score scale
      also fires for small but real region variances, so it is not used.)
    * ``converged``: the final optimiser converged (statsmodels tries bfgs, then lbfgs,
      then cg; a failed first attempt that is retried successfully is not a failure)
      and, away from the boundary, the Hessian is positive definite (standard errors
      are usable).
    """
    import statsmodels.api as sm

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # statsmodels' default optimiser sequence; lbfgs alone can stop at a spurious
        # zero variance for this model.
        result = sm.MixedLM(y, exog, groups=groups).fit(reml=True)
    tau2 = float(np.asarray(result.cov_re)[0, 0])
    sigma2 = float(result.scale)
    boundary = not tau2 > _BOUNDARY_ICC * (tau2 + sigma2)
    hessian_bad = any("not positive definite" in str(w.message) for w in caught)
    converged = bool(result.converged) and (boundary or not hessian_bad)
    return result, converged, boundary


def _respondent_means(scores: pd.DataFrame, cols: Sequence[str], what: str) -> pd.DataFrame:
    """One row per respondent: ``cols`` (constant within respondent) and mean ``score``."""
    data = scores.loc[scores["score"].notna(), ["response_id", *cols, "score"]]
    per = data.groupby("response_id", sort=True, observed=True, dropna=False)
    varying = [c for c in cols if (per[c].nunique(dropna=False) > 1).any()]
    if varying:
        bad = per[varying[0]].nunique(dropna=False)
        ids = list(bad.index[bad > 1][:5])
        raise ValueError(f"{what}: column {varying[0]!r} varies within respondent(s) {ids}; "
                         "it must be constant for a respondent.")
    out = per.agg({**{c: "first" for c in cols}, "score": "mean"}).reset_index()
    return out


def sector_effects_model(
    scores: pd.DataFrame,
    *,
    group: str = "sector",
    reference: str | None = None,
    cluster: str = "region_code",
    min_n: int = MIN_CELL,
    ci: float = CI_LEVEL,
) -> pd.DataFrame:
    """Sector differences pooled over regions: linear mixed model with a region intercept.

    For each dimension, and for an ``"overall"`` row that uses each respondent's mean
    over the dimensions, fits ``score ~ C(group) + (1 | cluster)`` by REML and reports
    each non-reference group's difference from the reference group.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long score table with ``response_id``, ``dimension``, ``score``, ``group`` and
        ``cluster`` columns.
    group : str, default ``"sector"``
        Column of the groups compared (fixed effects).
    reference : str, optional
        Reference group. Default: the group with the most respondents in ``scores``
        (ties: first in group order), the same for every dimension so rows compare.
    cluster : str, default ``"region_code"``
        Column of the clusters that get a random intercept.
    min_n : int, default ``MIN_CELL`` (5)
        Groups with fewer respondents (non-missing scores) in the dimension are left
        out of that model and reported in a row with a ``note`` and no estimate.
    ci : float, default ``CI_LEVEL``
        Confidence level of the Wald intervals.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EFFECTS_COLUMNS`: ``dimension`` (dimensions in order, then
        ``"overall"``), ``sector`` (a level of ``group``), ``estimate`` (difference from
        the reference on the score scale), ``se``, ``ci_low``, ``ci_upp``, ``pvalue``,
        ``n`` (respondents of this sector in the dimension), ``reference``,
        ``converged`` (nullable boolean; NA for rows without a model) and ``note``
        (``''`` when the row was estimated normally; says why otherwise, or that the
        region variance was estimated at zero).

    Raises
    ------
    ValueError
        If a column is missing, ``score`` is not numeric, ``group``/``cluster`` vary
        within a respondent, or ``reference`` is not a group in ``scores``.

    Notes
    -----
    Model, for respondent :math:`i` in region :math:`j`:
    :math:`y_{ij} = \\beta_0 + \\sum_s \\beta_s D_{s,ij} + u_j + e_{ij}`, with
    :math:`u_j \\sim N(0, \\tau^2)` and :math:`e_{ij} \\sim N(0, \\sigma^2)`, fitted with
    :class:`statsmodels.regression.mixed_linear_model.MixedLM` by REML (statsmodels'
    default optimiser sequence). :math:`\\beta_s` is the difference between sector
    :math:`s` and the reference *within a region*, so regions that differ in health
    and in sector mix do not confound it. Inference is the Wald z of statsmodels
    (no Kenward-Roger or Satterthwaite small-sample adjustment is available there);
    with 16 regions and several hundred respondents this is adequate for effects of a
    respondent-level variable such as sector (Snijders & Bosker 2012). Convergence
    warnings are caught and summarised in ``converged``; a region variance at the
    boundary (zero) is reported in ``note`` and is not a convergence failure (the
    estimates then equal ordinary least squares).

    References
    ----------
    .. [1] Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear
           mixed-effects models using lme4. *Journal of Statistical Software*, 67(1).
    .. [2] Snijders, T. A. B., & Bosker, R. J. (2012). *Multilevel Analysis* (2nd ed.).
           Sage.
    .. [3] statsmodels documentation, "Linear Mixed Effects Models"
           (``statsmodels.regression.mixed_linear_model.MixedLM``).
    """
    check_level(ci)
    check_min_n(min_n, minimum=2, reason="a group needs two scores to vary")
    require_columns(scores, ["response_id", "dimension", "score", group, cluster], "scores")
    _check_numeric(scores, "score", "scores")
    levels = _levels(scores[group])
    respondents = _respondent_means(scores.loc[scores[group].notna() & scores[cluster].notna()],
                                    [group, cluster], "scores")
    if reference is None:
        if not levels:
            raise ValueError(f"scores: no non-missing values in column {group!r}.")
        counts = respondents[group].value_counts()
        reference = max(levels, key=lambda g: (counts.get(g, 0), -levels.index(g)))
    elif reference not in levels:
        raise ValueError(f"reference {reference!r} is not a value of column {group!r}; "
                         f"available: {[str(x) for x in levels]}.")
    q = float(stats.norm.ppf(0.5 + ci / 2))

    def model_rows(dim, data: pd.DataFrame) -> list[dict]:
        data = data.loc[data["score"].notna() & data[group].notna() & data[cluster].notna()]
        counts = data[group].value_counts()
        n_of = {g: int(counts.get(g, 0)) for g in levels}
        base = {"dimension": dim, "reference": reference, "estimate": np.nan, "se": np.nan,
                "ci_low": np.nan, "ci_upp": np.nan, "pvalue": np.nan, "converged": pd.NA}
        others = [g for g in levels if g != reference]
        small = [g for g in others if n_of[g] < min_n]
        keep = [g for g in others if n_of[g] >= min_n]
        out = [{**base, "sector": g, "n": n_of[g],
                "note": f"too few respondents ({n_of[g]} < {min_n}); not modelled"}
               for g in small]
        why = ""
        if n_of[reference] < min_n:
            why = (f"reference {reference} has too few respondents "
                   f"({n_of[reference]} < {min_n}); no model")
        elif not keep:
            why = "no other sector with enough respondents; no model"
        else:
            used = data.loc[data[group].isin([reference, *keep])]
            if used[cluster].nunique() < 2:
                why = f"fewer than 2 values of {cluster!r}; no mixed model"
        if why:
            return [{**base, "sector": g, "n": n_of[g], "note": why} for g in keep] + out
        exog = pd.DataFrame({"Intercept": 1.0}, index=used.index)
        names = [f"_s{i}" for i in range(len(keep))]
        for name, g in zip(names, keep, strict=True):
            exog[name] = (used[group] == g).astype("float64")
        codes = pd.factorize(used[cluster], sort=True)[0]
        result, converged, boundary = _fit_mixedlm(
            used["score"].to_numpy(dtype="float64"), exog, codes)
        fe = result.fe_params
        cov = result.cov_params()
        note = "region variance estimated at zero (boundary); equals OLS" if boundary else ""
        fitted = []
        for name, g in zip(names, keep, strict=True):
            est = float(fe[name])
            se = float(np.sqrt(cov.loc[name, name]))
            z = est / se if se > 0 else np.nan
            fitted.append({**base, "sector": g, "estimate": est, "se": se,
                           "ci_low": est - q * se, "ci_upp": est + q * se,
                           "pvalue": float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan,
                           "n": n_of[g], "converged": converged, "note": note})
        return fitted + out

    rows: list[dict] = []
    dims = _dimension_levels(scores)
    for dim in dims:
        rows.extend(model_rows(dim, scores.loc[scores["dimension"] == dim]))
    rows.extend(model_rows(OVERALL, respondents))
    out = pd.DataFrame(rows, columns=EFFECTS_COLUMNS)
    out["dimension"] = _dimension_column(list(out["dimension"]), scores, extra=[OVERALL])
    out["n"] = out["n"].astype("int64")
    out["converged"] = out["converged"].astype("boolean")
    return out


# --------------------------------------------------------------------------------------
# 3b. Ordinal (proportional-odds) model of item answers
# --------------------------------------------------------------------------------------
def _cell_ordered_model(base: type) -> type:
    """``statsmodels`` ``OrderedModel`` whose per-observation log-likelihood is evaluated
    once per distinct (exog row, answer) cell and copied to the observations.

    With sector dummies as the only regressors there are at most (sectors x answer
    categories) distinct cells among tens of thousands of item answers. Each
    observation's log-likelihood depends on its cell alone and is computed by the same
    elementwise operations as ``OrderedModel.loglikeobs`` (thresholds, linear
    predictor, interval probability, ``log(prob + 1e-20)``; the logistic cdf as
    ``scipy.special.expit``, which is what ``scipy.stats.logistic.cdf`` evaluates), so
    the array, its sum and
    every numerical derivative statsmodels takes of them (score, cluster scores,
    Hessian) are the same floats: the fit is unchanged, only about 20 times cheaper.
    """
    if "_cell_model" in base.__dict__:
        return base

    class _CellOrderedModel(base):
        _cell_model = True

        def __init__(self, endog, exog, **kwds):
            super().__init__(endog, exog, **kwds)
            key = np.column_stack([np.asarray(self.exog, dtype="float64"),
                                   np.asarray(self.endog, dtype="float64")])
            _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
            self._cell_first = first
            self._cell_inverse = inverse.ravel()

        def cdf(self, x):
            # scipy's logistic cdf is expit(x) (0 and 1 at -inf and inf) after argument
            # checks that cost more than the evaluation on a few cells
            return special.expit(x) if self.distr is stats.logistic else super().cdf(x)

        def loglikeobs(self, params):
            params = np.asarray(params)
            thresh = self.transform_threshold_params(params)
            y = self.endog[self._cell_first]
            xb = np.asarray(self.exog)[self._cell_first].dot(params[: -(self.k_levels - 1)])
            if self.offset is not None:
                xb = xb + np.asarray(self.offset)[self._cell_first]
            prob = self.prob(thresh[y] - xb, thresh[y + 1] - xb)
            return np.log(prob + 1e-20)[self._cell_inverse]

    return _CellOrderedModel


def ordinal_sector_model(
    items_long: pd.DataFrame,
    *,
    group: str = "sector",
    reference: str | None = None,
    min_n: int = MIN_CELL,
    ci: float = CI_LEVEL,
) -> pd.DataFrame:
    """Proportional-odds model of one dimension's item answers on sector.

    Parameters
    ----------
    items_long : pandas.DataFrame
        One row per respondent and item of one dimension: ``response_id``, ``group``,
        ``item``, ``response`` (integer answer, e.g. 1-5; NaN = missing, dropped).
    group : str, default ``"sector"``
        Grouping column (constant within a respondent).
    reference : str, optional
        Reference group; default the group with most respondents.
    min_n : int, default ``MIN_CELL`` (5)
        Groups with fewer respondents are left out and listed with a ``note``.
    ci : float, default ``CI_LEVEL``
        Confidence level of the Wald intervals.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ORDINAL_COLUMNS`, one row per non-reference group:
        ``log_odds`` (log cumulative odds ratio of a *higher* answer vs the reference),
        its ``se``, ``ci_low``, ``ci_upp``, ``odds_ratio`` with ``or_ci_low``,
        ``or_ci_upp``, ``pvalue``, ``n_respondents``, ``n_responses``, ``reference``,
        ``cov_type`` (``"cluster"``), ``converged`` and ``note``.

    Raises
    ------
    ValueError
        If a column is missing, ``response`` is not integer-valued, the group varies
        within a respondent, the reference is unknown, or fewer than two answer
        categories are observed.

    Notes
    -----
    Model (McCullagh 1980): :math:`\\Pr(Y \\le k) = \\operatorname{logit}^{-1}
    (\\theta_k - \\sum_s \\beta_s D_s)`, fitted with
    :class:`statsmodels.miscmodels.ordinal_model.OrderedModel` (``distr="logit"``, BFGS).
    :math:`\\exp(\\beta_s)` is the odds ratio of answering in a higher category for
    sector :math:`s` relative to the reference, the same at every cut-point
    (proportional odds). The dimension's items share one set of thresholds, so the
    estimate is a sector effect averaged over items and over respondents (a
    population-averaged effect: no respondent random effect is fitted).

    Because each respondent answers several items, the answers are not independent;
    standard errors are cluster-robust by respondent (sandwich estimator with the
    small-sample factor :math:`G/(G-1)\\cdot(N-1)/(N-K)`). statsmodels 0.14/0.15
    supports this for ``OrderedModel`` through the generic likelihood model:
    ``fit(cov_type="cluster", cov_kwds={"groups": ...})`` (checked in the tests
    against a hand-computed sandwich). Wald z inference.

    References
    ----------
    .. [1] McCullagh, P. (1980). Regression models for ordinal data. *JRSS B*, 42(2),
           109-142.
    .. [2] Agresti, A. (2010). *Analysis of Ordinal Categorical Data* (2nd ed.). Wiley.
    .. [3] Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to
           cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    check_level(ci)
    check_min_n(min_n, minimum=2, reason="a group needs two scores to vary")
    require_columns(items_long, ["response_id", group, "item", "response"], "items_long")
    _check_numeric(items_long, "response", "items_long")
    data = items_long.loc[items_long["response"].notna() & items_long[group].notna()]
    resp = data["response"].to_numpy(dtype="float64")
    if not np.all(resp == np.round(resp)):
        bad = data.loc[resp != np.round(resp), "response"].iloc[0]
        raise ValueError(f"items_long: column 'response' must hold integer answers, got {bad!r}.")
    per = data.groupby("response_id", observed=True)[group].nunique()
    if (per > 1).any():
        raise ValueError(f"items_long: column {group!r} varies within respondent(s) "
                         f"{list(per.index[per > 1][:5])}.")
    levels = _levels(data[group])
    n_resp = data.groupby(group, observed=True)["response_id"].nunique()
    n_of = {g: int(n_resp.get(g, 0)) for g in levels}
    if reference is None:
        if not levels:
            raise ValueError(f"items_long: no non-missing values in column {group!r}.")
        reference = max(levels, key=lambda g: (n_of[g], -levels.index(g)))
    elif reference not in levels:
        raise ValueError(f"reference {reference!r} is not a value of column {group!r}; "
                         f"available: {[str(x) for x in levels]}.")
    others = [g for g in levels if g != reference]
    keep = [g for g in others if n_of[g] >= min_n]
    small = [g for g in others if n_of[g] < min_n]
    n_answers = data.groupby(group, observed=True).size()
    blank = {"log_odds": np.nan, "se": np.nan, "ci_low": np.nan, "ci_upp": np.nan,
             "odds_ratio": np.nan, "or_ci_low": np.nan, "or_ci_upp": np.nan, "pvalue": np.nan,
             "reference": reference, "cov_type": "", "converged": pd.NA}
    rows_small = [{**blank, "sector": g, "n_respondents": n_of[g],
                   "n_responses": int(n_answers.get(g, 0)),
                   "note": f"too few respondents ({n_of[g]} < {min_n}); not modelled"}
                  for g in small]
    used = data.loc[data[group].isin([reference, *keep])]
    categories = np.unique(used["response"].to_numpy(dtype="float64"))
    why = ""
    if n_of[reference] < min_n:
        why = f"reference {reference} has too few respondents ({n_of[reference]} < {min_n})"
    elif not keep:
        why = "no other sector with enough respondents"
    elif categories.size < 2:
        raise ValueError("items_long: fewer than two answer categories observed; "
                         "an ordinal model needs at least two.")
    if why:
        rows = [{**blank, "sector": g, "n_respondents": n_of[g],
                 "n_responses": int(n_answers.get(g, 0)), "note": why} for g in keep]
        return pd.DataFrame(rows + rows_small, columns=ORDINAL_COLUMNS).astype(
            {"converged": "boolean"})
    endog = pd.Series(pd.Categorical(used["response"].to_numpy(dtype="float64"),
                                     categories=categories, ordered=True), index=used.index)
    names = [f"_s{i}" for i in range(len(keep))]
    exog = pd.DataFrame({name: (used[group] == g).astype("float64")
                         for name, g in zip(names, keep, strict=True)}, index=used.index)
    clusters = pd.factorize(used["response_id"], sort=True)[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = _cell_ordered_model(OrderedModel)(endog, exog, distr="logit")
        res = model.fit(method="bfgs", disp=False, maxiter=1000, cov_type="cluster",
                        cov_kwds={"groups": clusters})
    conv_warn = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    converged = bool(res.mle_retvals.get("converged", True)) and not conv_warn
    q = float(stats.norm.ppf(0.5 + ci / 2))
    rows = []
    for name, g in zip(names, keep, strict=True):
        b = float(res.params[name])
        se = float(res.bse[name])
        lo, hi = b - q * se, b + q * se
        rows.append({"sector": g, "log_odds": b, "se": se, "ci_low": lo, "ci_upp": hi,
                     "odds_ratio": math.exp(b), "or_ci_low": math.exp(lo),
                     "or_ci_upp": math.exp(hi), "pvalue": float(2 * stats.norm.sf(abs(b / se))),
                     "n_respondents": n_of[g], "n_responses": int(n_answers.get(g, 0)),
                     "reference": reference, "cov_type": str(res.cov_type),
                     "converged": converged, "note": ""})
    out = pd.DataFrame(rows + rows_small, columns=ORDINAL_COLUMNS)
    out["converged"] = out["converged"].astype("boolean")
    return out


# --------------------------------------------------------------------------------------
# 4. Region shrinkage (random-intercept model)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShrinkageFit:
    """Summary of the random-intercept model of :func:`region_shrinkage`.

    Attributes
    ----------
    grand_mean, grand_mean_se : float
        REML (GLS) estimate of the fixed intercept :math:`\\hat\\mu` and its GLS
        standard error :math:`(X'V^{-1}X)^{-1/2}`.
    tau2 : float
        Between-region variance :math:`\\hat\\tau^2`.
    sigma2 : float
        Within-region (respondent) variance :math:`\\hat\\sigma^2`.
    icc : float
        Intraclass correlation :math:`\\hat\\tau^2/(\\hat\\tau^2 + \\hat\\sigma^2)`.
    icc_ci_low, icc_ci_upp : float
        Parametric-bootstrap percentile interval of the ICC (NaN when ``n_boot = 0``).
    n : int
        Respondents used; also :attr:`nobs`. (The ``shrinkage_fit`` results table,
        :meth:`to_frame`, keeps the column name ``n``, which its readers use.)
    n_regions : int
        Regions used.
    level : float
        Confidence level of all intervals.
    n_boot : int
        Bootstrap replicates used for the ICC interval.
    converged : bool
        MixedLM converged, without convergence warnings, and its REML optimum agrees with
        an independent one-dimensional profile-likelihood search.
    boundary : bool
        :math:`\\hat\\tau^2` is (numerically) zero, ICC < 1e-4: no detectable region
        differences; every region is shrunk (almost) fully to the grand mean.
    """

    grand_mean: float
    grand_mean_se: float
    tau2: float
    sigma2: float
    icc: float
    icc_ci_low: float
    icc_ci_upp: float
    n: int
    n_regions: int
    level: float
    n_boot: int
    converged: bool
    boundary: bool

    @property
    def icc_ci(self) -> tuple[float, float]:
        """ICC interval as ``(icc_ci_low, icc_ci_upp)``."""
        return (self.icc_ci_low, self.icc_ci_upp)

    @property
    def nobs(self) -> int:
        """Alias of ``n``, respondents used (shared vocabulary with ``scales.Estimate``)."""
        return self.n

    def to_frame(self) -> pd.DataFrame:
        """The fit as a one-row DataFrame, one column per attribute in field order.

        This is the ``shrinkage_fit`` results table (so respondents stay ``n``).
        """
        return pd.DataFrame([{f.name: getattr(self, f.name) for f in fields(self)}])


def _reml_icc(ybar: np.ndarray, within_ss: np.ndarray, sizes: np.ndarray,
              grid: int = 200, iters: int = 60, chunk: int = 2_000_000) -> np.ndarray:
    """REML estimate of the ICC of a one-way random-effects model, for many data sets.

    Parameters
    ----------
    ybar : ndarray, shape (B, J)
        Region means of B data sets sharing the region sizes ``sizes`` (J,).
    within_ss : ndarray, shape (B,)
        Pooled within-region sum of squares of each data set.

    Notes
    -----
    With :math:`\\gamma = \\tau^2/\\sigma^2 = \\rho/(1-\\rho)`,
    :math:`w_j = n_j/(1+n_j\\gamma)`, :math:`\\hat\\mu = \\sum w_j \\bar y_j/\\sum w_j` and
    :math:`Q = W + \\sum w_j(\\bar y_j - \\hat\\mu)^2`, minus twice the REML log-likelihood
    profiled over :math:`\\sigma^2 = Q/(N-1)` is, up to a constant,
    :math:`(N-1)\\log Q + \\sum\\log(1+n_j\\gamma) + \\log\\sum w_j`
    (Searle, Casella & McCulloch 1992). It is minimised over
    :math:`\\rho \\in [0, 1)` by a grid search refined with golden sections, for all
    data sets at once (the grid in slices of about ``chunk`` array elements, which
    gives the same values as one (B, grid, J) array with a fraction of the memory).
    """
    ybar = np.atleast_2d(ybar)
    sizes = np.asarray(sizes, dtype="float64")
    n_total = sizes.sum()

    def objective(rho: np.ndarray) -> np.ndarray:  # rho shape (B, G)
        gamma = rho / (1 - rho)
        w = sizes / (1 + sizes * gamma[..., None])  # (B, G, J)
        sw = w.sum(-1)
        mu = (w * ybar[:, None, :]).sum(-1) / sw
        q = within_ss[:, None] + (w * (ybar[:, None, :] - mu[..., None]) ** 2).sum(-1)
        return ((n_total - 1) * np.log(q) + np.log1p(sizes * gamma[..., None]).sum(-1)
                + np.log(sw))

    top = 0.999
    pts = np.linspace(0.0, top, grid)
    rho_grid = np.broadcast_to(pts, (ybar.shape[0], grid)).copy()
    # a few grid points at a time (about ``chunk`` elements per temporary): the same
    # values as all at once, without (B, grid, J) temporaries of hundreds of MB
    step = max(1, chunk // (ybar.shape[0] * ybar.shape[1]))
    vals = np.concatenate([objective(rho_grid[:, i:i + step]) for i in range(0, grid, step)],
                          axis=1)
    best = np.argmin(vals, axis=1)
    lo = pts[np.maximum(best - 1, 0)]
    hi = pts[np.minimum(best + 1, grid - 1)]
    ratio = (math.sqrt(5) - 1) / 2
    a, b = lo.copy(), hi.copy()
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = objective(c[:, None])[:, 0], objective(d[:, None])[:, 0]
    for _ in range(iters):
        left = fc < fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        c_new = b - ratio * (b - a)
        d_new = a + ratio * (b - a)
        c, d = c_new, d_new
        fc, fd = objective(c[:, None])[:, 0], objective(d[:, None])[:, 0]
    rho = (a + b) / 2
    # keep the boundary when it is the optimum (golden sections never reach 0 exactly)
    at_zero = objective(np.zeros((ybar.shape[0], 1)))[:, 0] <= objective(rho[:, None])[:, 0]
    return np.where(at_zero, 0.0, rho)


def _one_score_per_respondent(scores: pd.DataFrame, region: str) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise ValueError(f"scores: expected a pandas DataFrame, got {type(scores).__name__}.")
    if "dimension" in scores.columns:
        require_columns(scores, ["response_id", region, "score"], "scores (long format)")
        _check_numeric(scores, "score", "scores")
        data = _respondent_means(scores.loc[scores[region].notna()], [region], "scores")
    else:
        require_columns(scores, [region, "score"], "scores")
        _check_numeric(scores, "score", "scores")
        data = scores.loc[scores["score"].notna() & scores[region].notna(), [region, "score"]]
    return data.reset_index(drop=True)


def region_shrinkage(
    scores: pd.DataFrame,
    *,
    region: str = "region_code",
    ci: float = CI_LEVEL,
    n_boot: int = 1000,
    seed: int = 0,
) -> tuple[pd.DataFrame, ShrinkageFit]:
    """Raw and partially pooled (shrunken) region means from a random-intercept model.

    Parameters
    ----------
    scores : pandas.DataFrame
        Either the long score table (has ``dimension``; needs ``response_id``,
        ``region`` and ``score``), in which case each respondent's mean over the
        dimensions is used, or a frame with one score per row and columns ``region``
        and ``score``. Missing scores or regions are dropped.
    region : str, default ``"region_code"``
        Region column (the random-intercept groups).
    ci : float, default ``CI_LEVEL``
        Confidence level of every interval.
    n_boot : int, default 1000
        Parametric-bootstrap replicates for the ICC interval (0 skips it).
    seed : int, default 0
        Seed of the bootstrap.

    Returns
    -------
    (pandas.DataFrame, ShrinkageFit)
        The region table, columns :data:`SHRINKAGE_COLUMNS`, one row per region
        (sorted by region): ``n``, ``raw_mean`` with its Student-t interval
        ``raw_ci_low``/``raw_ci_upp`` (NaN for a region of one), ``shrunken``
        (:math:`\\hat\\mu + \\hat u_j`) with ``shrunken_ci_low``/``shrunken_ci_upp`` and
        ``shrunken_se``, and ``shrinkage_weight`` :math:`\\lambda_j`; and the
        :class:`ShrinkageFit` with the grand mean, variance components and ICC.

    Raises
    ------
    ValueError
        If a column is missing, ``score`` is not numeric, or fewer than two regions
        (or fewer than three respondents) remain.

    Notes
    -----
    Model: :math:`y_{ij} = \\mu + u_j + e_{ij}`, :math:`u_j \\sim N(0, \\tau^2)`,
    :math:`e_{ij} \\sim N(0, \\sigma^2)`, fitted by REML with statsmodels ``MixedLM``.

    * ICC :math:`= \\tau^2/(\\tau^2 + \\sigma^2)`: the share of score variance that lies
      between regions. Interval: parametric bootstrap (Davison & Hinkley 1997, ch. 2;
      as ``lme4::bootMer``): ``n_boot`` data sets are simulated from the fitted model
      with the observed region sizes, the ICC is re-estimated by REML on each
      (a one-dimensional profile-likelihood search, :func:`_reml_icc`, that reproduces
      MixedLM's optimum; checked in the tests), and the percentile interval is taken.
    * Shrunken mean (empirical Bayes / BLUP, Robinson 1991):
      :math:`\\hat\\mu + \\hat u_j = \\hat\\mu + \\lambda_j(\\bar y_j - \\hat\\mu)` with
      :math:`\\lambda_j = \\hat\\tau^2/(\\hat\\tau^2 + \\hat\\sigma^2/n_j)`; small regions
      (small :math:`\\lambda_j`) are pulled more toward the grand mean.
    * Its interval uses the prediction-error variance (Henderson 1975)
      :math:`\\operatorname{Var}(\\hat\\mu + \\hat u_j - \\mu - u_j) =
      (1-\\lambda_j)\\tau^2 + (1-\\lambda_j)^2 \\operatorname{Var}(\\hat\\mu)`:
      the first term is statsmodels' conditional variance of the random effect
      (``random_effects_cov``), the second the uncertainty of the fixed intercept,
      :math:`\\operatorname{Var}(\\hat\\mu) = (X'V^{-1}X)^{-1} =
      1/\\sum_j n_j/(\\sigma^2 + n_j\\tau^2)` (the GLS variance, as ``lme4::vcov``;
      statsmodels' own ``bse`` of the intercept inverts the joint Hessian of fixed
      and variance parameters and differs in the third digit); the cross term is zero
      for this model. Together they equal the diagonal of the inverse of Henderson's
      mixed-model equations (checked in the tests). The interval treats the variance
      components as known, so it is slightly too narrow with few regions (Kackar &
      Harville 1984). Normal critical value.
    * When :math:`\\hat\\tau^2` is at the boundary, MixedLM stops close to, not at,
      zero (e.g. :math:`10^{-5}`); ``ShrinkageFit.boundary`` is then True and the
      weights are :math:`< 10^{-3}`: every region is estimated by the grand mean.
    * Raw interval: :math:`\\bar y_j \\pm t_{n_j-1} s_j/\\sqrt{n_j}`.

    References
    ----------
    .. [1] Snijders, T. A. B., & Bosker, R. J. (2012). *Multilevel Analysis* (2nd ed.),
           ch. 3 (ICC) and ch. 4 (posterior means). Sage.
    .. [2] Robinson, G. K. (1991). That BLUP is a good thing: the estimation of random
           effects. *Statistical Science*, 6(1), 15-32.
    .. [3] Henderson, C. R. (1975). Best linear unbiased estimation and prediction under
           a selection model. *Biometrics*, 31(2), 423-447.
    .. [4] Kackar, R. N., & Harville, D. A. (1984). Approximations for standard errors
           of estimators of fixed and random effects in mixed linear models. *JASA*,
           79(388), 853-862.
    .. [5] Davison, A. C., & Hinkley, D. V. (1997). *Bootstrap Methods and their
           Application*. Cambridge University Press.
    .. [6] Searle, S. R., Casella, G., & McCulloch, C. E. (1992). *Variance Components*.
           Wiley.
    """
    check_level(ci)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"n_boot must be a non-negative integer, got {n_boot!r}.")
    data = _one_score_per_respondent(scores, region)
    regions = _levels(data[region])
    if len(regions) < 2:
        raise ValueError(f"region_shrinkage needs at least 2 regions in column {region!r}; "
                         f"found {len(regions)}.")
    if len(data) < 3:
        raise ValueError("region_shrinkage needs at least 3 scores.")
    codes = pd.Categorical(data[region], categories=regions).codes
    y = data["score"].to_numpy(dtype="float64")
    result, converged, boundary = _fit_mixedlm(y, pd.DataFrame({"Intercept": np.ones(y.size)}),
                                               codes)
    mu = float(result.fe_params.iloc[0])
    tau2 = float(np.asarray(result.cov_re)[0, 0])
    sigma2 = float(result.scale)
    icc = tau2 / (tau2 + sigma2)

    sizes = np.bincount(codes, minlength=len(regions))
    # GLS variance of the intercept, (X' V^-1 X)^-1, at the REML variance components
    var_mu = 1.0 / float(np.sum(sizes / (sigma2 + sizes * tau2)))
    ybar = np.bincount(codes, weights=y, minlength=len(regions)) / sizes
    within = float(((y - ybar[codes]) ** 2).sum())
    icc_profile = float(_reml_icc(ybar[None, :], np.array([within]), sizes)[0])
    if abs(icc_profile - icc) > 1e-4:  # MixedLM stopped away from the REML optimum
        converged = False

    q = float(stats.norm.ppf(0.5 + ci / 2))
    icc_lo = icc_hi = np.nan
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        u = rng.normal(0.0, math.sqrt(tau2), size=(n_boot, len(regions)))
        e_bar = rng.normal(0.0, 1.0, size=(n_boot, len(regions))) * np.sqrt(sigma2 / sizes)
        w_star = sigma2 * rng.chisquare(y.size - len(regions), size=n_boot) \
            if y.size > len(regions) else np.zeros(n_boot)
        boot = _reml_icc(mu + u + e_bar, w_star, sizes)
        alpha = 1 - ci
        icc_lo, icc_hi = (float(v) for v in np.quantile(boot, [alpha / 2, 1 - alpha / 2]))

    rows = []
    for j, reg in enumerate(regions):
        vals = y[codes == j]
        n_j = vals.size
        mean = float(vals.mean())
        if n_j >= 2:
            half = float(stats.t.ppf(0.5 + ci / 2, n_j - 1) * vals.std(ddof=1) / math.sqrt(n_j))
            raw_lo, raw_hi = mean - half, mean + half
        else:
            raw_lo = raw_hi = np.nan
        blup = float(np.asarray(result.random_effects[j]).ravel()[0])
        cond_var = float(np.asarray(result.random_effects_cov[j]).ravel()[0])
        lam = tau2 / (tau2 + sigma2 / n_j)
        se = math.sqrt(max(cond_var, 0.0) + (1 - lam) ** 2 * var_mu)
        shrunk = mu + blup
        rows.append({"region_code": reg, "n": n_j, "raw_mean": mean, "raw_ci_low": raw_lo,
                     "raw_ci_upp": raw_hi, "shrunken": shrunk, "shrunken_ci_low": shrunk - q * se,
                     "shrunken_ci_upp": shrunk + q * se, "shrinkage_weight": lam,
                     "shrunken_se": se})
    table = pd.DataFrame(rows, columns=SHRINKAGE_COLUMNS).rename(columns={"region_code": region})
    table["n"] = table["n"].astype("int64")
    fit = ShrinkageFit(grand_mean=mu, grand_mean_se=math.sqrt(var_mu), tau2=tau2, sigma2=sigma2,
                       icc=icc, icc_ci_low=icc_lo, icc_ci_upp=icc_hi, n=int(y.size),
                       n_regions=len(regions), level=ci, n_boot=int(n_boot),
                       converged=bool(converged), boundary=bool(boundary))
    return table, fit


def no_pooling(
    scores: pd.DataFrame,
    *,
    region: str = "region_code",
    ci: float = CI_LEVEL,
) -> tuple[pd.DataFrame, ShrinkageFit]:
    """:func:`region_shrinkage`'s table and fit for a programme with a single region.

    With one region there is no between-region variance to estimate, so nothing can be
    pooled: the region's estimate is its raw mean with its t interval
    (``shrinkage_weight`` 1, the "no pooling" end of Gelman & Hill 2007, sec. 12.2),
    and :math:`\tau^2`, the ICC and its interval are NaN. ``grand_mean`` is the raw
    mean, ``grand_mean_se`` its standard error.

    References
    ----------
    Gelman, A., & Hill, J. (2007). *Data Analysis Using Regression and
    Multilevel/Hierarchical Models*. Cambridge University Press, sec. 12.2.
    """
    check_level(ci)
    data = _one_score_per_respondent(scores, region)
    regions = _levels(data[region])
    if len(regions) != 1:
        raise ValueError(f"no_pooling is for one region in column {region!r}; found "
                         f"{len(regions)} (use region_shrinkage).")
    y = data["score"].to_numpy(dtype="float64")
    mean = float(y.mean())
    se = float(y.std(ddof=1) / math.sqrt(y.size)) if y.size >= 2 else np.nan
    half = float(stats.t.ppf(0.5 + ci / 2, y.size - 1)) * se if y.size >= 2 else np.nan
    table = pd.DataFrame([{"region_code": regions[0], "n": y.size, "raw_mean": mean,
                           "raw_ci_low": mean - half, "raw_ci_upp": mean + half,
                           "shrunken": mean, "shrunken_ci_low": mean - half,
                           "shrunken_ci_upp": mean + half, "shrinkage_weight": 1.0,
                           "shrunken_se": se}], columns=SHRINKAGE_COLUMNS)
    table = table.rename(columns={"region_code": region}).astype({"n": "int64"})
    sigma2 = float(y.var(ddof=1)) if y.size >= 2 else np.nan
    fit = ShrinkageFit(grand_mean=mean, grand_mean_se=se, tau2=np.nan, sigma2=sigma2,
                       icc=np.nan, icc_ci_low=np.nan, icc_ci_upp=np.nan, n=int(y.size),
                       n_regions=1, level=ci, n_boot=0, converged=False, boundary=False)
    return table, fit
