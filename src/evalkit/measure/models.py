"""Sector and region models of the survey scores.

On the long score table of :func:`evalkit.analyse.region_tables.scores_long`
(``response_id, region_code, sector, dimension, score``), section 4 of a regional report
and the cross-region synthesis ask which sectors rate the partnership lower, pooled over
regions, and how regions compare once their sizes are taken into account:

* :func:`sector_effects_model` -- linear mixed model ``score ~ sector + (1 | region)``,
  sector differences from a reference pooled over regions;
* :func:`ordinal_sector_model` -- proportional-odds (ordinal logit) model of the item
  answers of one dimension, cluster-robust by respondent;
* :func:`region_shrinkage` -- random-intercept model of regions: ICC, and partially
  pooled (empirical Bayes / BLUP) region means beside the raw means (drawn by
  :func:`evalkit.present.figures.caterpillar_figure`).

The rank tests of the same table are in :mod:`evalkit.measure.sector_tests`.

Small groups are never modelled: a group with fewer than ``min_n`` (default
:data:`evalkit.core.config.MIN_CELL`) non-missing scores is listed as too small and left
out, so a sector of three respondents is never over-interpreted.

All functions are pure: DataFrames in, new tidy DataFrames out, no file I/O, and the
bootstrap is seeded so that the same inputs give the same outputs.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy import special, stats

from evalkit.core.checks import check_level, check_min_n, require_columns
from evalkit.core.config import CI_LEVEL, MIN_CELL
from evalkit.measure import long_scores
from evalkit.measure.long_scores import OVERALL

__all__ = [
    "EFFECTS_COLUMNS",
    "ORDINAL_COLUMNS",
    "SHRINKAGE_COLUMNS",
    "OVERALL",
    "ShrinkageFit",
    "sector_effects_model",
    "ordinal_sector_model",
    "region_shrinkage",
    "no_pooling",
]

EFFECTS_COLUMNS = ["dimension", "sector", "estimate", "se", "ci_low", "ci_upp", "pvalue", "n",
                   "reference", "converged", "note"]
ORDINAL_COLUMNS = ["sector", "log_odds", "se", "ci_low", "ci_upp", "odds_ratio", "or_ci_low",
                   "or_ci_upp", "pvalue", "n_respondents", "n_responses", "reference",
                   "cov_type", "converged", "note"]
SHRINKAGE_COLUMNS = ["region_code", "n", "raw_mean", "raw_ci_low", "raw_ci_upp", "shrunken",
                     "shrunken_ci_low", "shrunken_ci_upp", "shrinkage_weight", "shrunken_se"]

# A group variance below this share of the total variance is "at the boundary" (zero).
_BOUNDARY_ICC = 1e-4


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
    long_scores.check_numeric(scores, "score", "scores")
    levels = long_scores.levels(scores[group])
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
    dims = long_scores.dimension_levels(scores)
    for dim in dims:
        rows.extend(model_rows(dim, scores.loc[scores["dimension"] == dim]))
    rows.extend(model_rows(OVERALL, respondents))
    out = pd.DataFrame(rows, columns=EFFECTS_COLUMNS)
    out["dimension"] = long_scores.dimension_column(list(out["dimension"]), scores, extra=[OVERALL])
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
    long_scores.check_numeric(items_long, "response", "items_long")
    data = items_long.loc[items_long["response"].notna() & items_long[group].notna()]
    resp = data["response"].to_numpy(dtype="float64")
    if not np.all(resp == np.round(resp)):
        bad = data.loc[resp != np.round(resp), "response"].iloc[0]
        raise ValueError(f"items_long: column 'response' must hold integer answers, got {bad!r}.")
    per = data.groupby("response_id", observed=True)[group].nunique()
    if (per > 1).any():
        raise ValueError(f"items_long: column {group!r} varies within respondent(s) "
                         f"{list(per.index[per > 1][:5])}.")
    levels = long_scores.levels(data[group])
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
        long_scores.check_numeric(scores, "score", "scores")
        data = _respondent_means(scores.loc[scores[region].notna()], [region], "scores")
    else:
        require_columns(scores, [region, "score"], "scores")
        long_scores.check_numeric(scores, "score", "scores")
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
    regions = long_scores.levels(data[region])
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
    regions = long_scores.levels(data[region])
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
