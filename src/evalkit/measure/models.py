"""Sector and region models of the survey scores.

On the long score table of :func:`evalkit.analyse.region_tables.scores_long`
(``response_id, region_code, sector, dimension, score``), section 4 of a regional report
and the cross-region synthesis ask which sectors rate the partnership lower, pooled over
regions, and how regions compare once their sizes are taken into account:

* :func:`sector_effects_model` -- linear mixed model ``score ~ sector + (1 | region)``,
  sector differences from a reference pooled over regions (optionally with covariates);
* :func:`ordinal_sector_model` -- proportional-odds (ordinal logit) model of the item
  answers of one dimension, cluster-robust by respondent or model-based, with optional
  covariates, frequency weights and thresholds;
* :func:`region_shrinkage` -- random-intercept model of regions: ICC, and partially
  pooled (empirical Bayes / BLUP) region means beside the raw means (drawn by
  :func:`evalkit.present.figures.caterpillar_figure`).

The rank tests of the same table are in :mod:`evalkit.measure.sector_tests`.

The column roles are keywords with evalkit's names as defaults (``y``, ``group``,
``cluster``, ``id``, ``by``, ``weight``; pingouin/statsmodels style), and covariates a
patsy right-hand side, so the models run on any long table, not only evalkit's.

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
    "THRESHOLD_COLUMNS",
    "TERM",
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
#: Column that :func:`sector_effects_model` and :func:`ordinal_sector_model` add after the
#: group column when ``covariates`` are given: the model term a row reports.
TERM = "term"
#: Columns of the thresholds table of :func:`ordinal_sector_model` (``thresholds=True``).
THRESHOLD_COLUMNS = ["threshold", "lower", "upper", "estimate", "se", "ci_low", "ci_upp",
                     "cov_type", "converged"]

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
      and, away from the boundary, the Hessian is positive definite.
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


def _gls_cov(exog: np.ndarray, groups: np.ndarray, tau2: float, sigma2: float) -> np.ndarray:
    """GLS covariance :math:`(X'V^{-1}X)^{-1}` of the fixed effects of a random-intercept
    model at given variance components.

    :math:`V = \\sigma^2 I + \\tau^2 ZZ'` is block diagonal; with
    :math:`\\theta_j = 1 - \\sqrt{\\sigma^2/(\\sigma^2 + n_j\\tau^2)}`, the quasi-demeaned
    rows :math:`\\tilde x_{ij} = x_{ij} - \\theta_j \\bar x_j` satisfy
    :math:`X'V^{-1}X = \\tilde X'\\tilde X/\\sigma^2` (Fuller & Battese 1973), a form
    without cancellation. At the REML estimates this is the covariance ``lme4::vcov``
    reports (Bates et al. 2015, sec. 3.4: :math:`\\hat\\sigma^2 (R_X'R_X)^{-1}`), as
    opposed to the fixed-effect block of the inverse joint Hessian that statsmodels'
    ``MixedLM`` ``bse`` uses, which differs in the third or fourth digit.
    For an intercept-only model it is :math:`1/\\sum_j n_j/(\\sigma^2 + n_j\\tau^2)`.
    """
    x = np.asarray(exog, dtype="float64")
    groups = np.asarray(groups)
    n_groups = int(groups.max()) + 1
    sizes = np.bincount(groups, minlength=n_groups).astype("float64")
    means = np.zeros((n_groups, x.shape[1]))
    np.add.at(means, groups, x)
    means /= np.maximum(sizes, 1.0)[:, None]
    theta = 1.0 - np.sqrt(sigma2 / (sigma2 + sizes * tau2))
    x_tilde = x - theta[groups, None] * means[groups]
    return np.linalg.inv(x_tilde.T @ x_tilde / sigma2)


def _covariate_design(data: pd.DataFrame, covariates: str, what: str) -> pd.DataFrame:
    """Columns of the patsy right-hand side ``covariates`` on ``data``, without intercept.

    Rows with a missing value in a covariate are dropped (the result's index says which
    rows remain). Evaluated by patsy with ``np`` (numpy) available to the formula.
    """
    import patsy

    if not isinstance(covariates, str) or not covariates.strip():
        raise ValueError("covariates must be a patsy right-hand side such as "
                         f"'age + C(gender)' or None, got {covariates!r}.")
    if "~" in covariates:
        raise ValueError(f"covariates must be a right-hand side without '~' (such as "
                         f"'age + C(gender)'), got {covariates!r}.")
    try:
        design = patsy.dmatrix(covariates, data, return_type="dataframe", NA_action="drop",
                               eval_env=patsy.EvalEnvironment([{"np": np}]))
    except (patsy.PatsyError, NameError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{what}: covariates {covariates!r} could not be evaluated on the "
                         f"table's columns: {exc}") from exc
    return design.drop(columns="Intercept", errors="ignore")


def _full_rank(exog: np.ndarray) -> bool:
    return exog.shape[1] == 0 or int(np.linalg.matrix_rank(exog)) == exog.shape[1]


def _respondent_means(scores: pd.DataFrame, cols: Sequence[str], what: str, *,
                      y: str = "score", id: str = "response_id",
                      terms: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per respondent: ``cols`` (constant within respondent) and the mean of ``y``.

    ``terms`` (covariate design columns aligned to ``scores``) must be constant within
    respondent too. Returns ``(means, terms)``: ``terms`` one row per respondent, indexed
    like ``means`` (None without ``terms``).
    """
    keep = scores[y].notna()
    data = scores.loc[keep, [id, *cols, y]]
    per = data.groupby(id, sort=True, observed=True, dropna=False)
    varying = [c for c in cols if (per[c].nunique(dropna=False) > 1).any()]
    if varying:
        bad = per[varying[0]].nunique(dropna=False)
        ids = list(bad.index[bad > 1][:5])
        raise ValueError(f"{what}: column {varying[0]!r} varies within respondent(s) {ids}; "
                         "it must be constant for a respondent.")
    out = per.agg({**{c: "first" for c in cols}, y: "mean"}).reset_index()
    if terms is None:
        return out, None
    t = terms.loc[keep]
    t_per = t.groupby(data[id].to_numpy(), sort=True, dropna=False)
    spread = t_per.max() - t_per.min()
    bad_terms = [c for c in t.columns if (spread[c].abs() > 1e-12).any()]
    if bad_terms:
        ids = list(spread.index[spread[bad_terms[0]].abs() > 1e-12][:5])
        raise ValueError(f"{what}: covariate term {bad_terms[0]!r} varies within "
                         f"respondent(s) {ids}; the {OVERALL!r} model averages each "
                         "respondent's scores and needs respondent-level covariates "
                         "(or pass overall=False).")
    return out, t_per.first().reset_index(drop=True)


def _check_name(arg: str, name, *, optional: bool = False) -> None:
    if name is None and optional:
        return
    if not isinstance(name, str) or not name:
        allowed = "a column name or None" if optional else "a column name"
        raise ValueError(f"{arg} must be {allowed} (a non-empty string), got {name!r}.")


def _check_output_clash(roles: dict[str, str | None], columns: Sequence[str]) -> None:
    for arg, name in roles.items():
        if name is not None and name in columns:
            raise ValueError(f"{arg} column {name!r} has the name of an output column; "
                             "rename it in the table first.")


def sector_effects_model(
    scores: pd.DataFrame,
    *,
    y: str = "score",
    group: str = "sector",
    cluster: str = "region_code",
    id: str | None = "response_id",
    by: str | None = "dimension",
    covariates: str | None = None,
    reference: str | None = None,
    overall: bool = True,
    min_n: int = MIN_CELL,
    ci: float = CI_LEVEL,
) -> pd.DataFrame:
    """Group differences pooled over clusters: linear mixed model with a cluster intercept.

    For each level of ``by`` (each dimension), and for an ``"overall"`` model that uses
    each respondent's mean over the ``by`` levels, fits
    ``y ~ C(group) [+ covariates] + (1 | cluster)`` by REML and reports each
    non-reference group's difference from the reference group (and, with
    ``covariates``, the covariates' coefficients).

    Parameters
    ----------
    scores : pandas.DataFrame
        Long table, one row per observation (in evalkit: per respondent and dimension,
        :func:`evalkit.analyse.region_tables.scores_long`).
    y : str, default ``"score"``
        Numeric outcome column. Rows with a missing ``y`` are left out.
    group : str, default ``"sector"``
        Column of the groups compared (fixed effects, treatment coding).
    cluster : str, default ``"region_code"``
        Column of the clusters that get a random intercept.
    id : str or None, default ``"response_id"``
        Respondent column. It defines the respondents of the ``"overall"`` model and of
        the default reference (``group`` and ``cluster`` must then be constant within a
        respondent). ``None``: each row is one respondent (only with ``by=None`` or
        ``overall=False``).
    by : str or None, default ``"dimension"``
        Split column: one model per level (in category order if categorical, else in
        order of appearance). ``None`` fits one model on the whole table.
    covariates : str, optional
        A patsy right-hand side added as fixed effects, such as ``"age + C(gender)"``
        (numpy is available as ``np``, e.g. ``"np.log(size)"``); evaluated once on the
        whole table (so categorical codings are the same in every model). Rows with a
        missing covariate are left out. For the ``"overall"`` model every covariate
        column must be constant within a respondent.
    reference : str, optional
        Reference group. Default: the group with the most respondents in ``scores``
        (distinct ``id``; rows when ``id`` is None; ties: first in group order), the
        same for every model so that rows compare.
    overall : bool, default True
        Add the ``"overall"`` model of respondent means (only with ``by``).
    min_n : int, default ``MIN_CELL`` (5)
        Groups with fewer rows (non-missing ``y``) in a model are left out of that model
        and reported in a row with a ``note`` and no estimate.
    ci : float, default ``CI_LEVEL``
        Confidence level of the Wald intervals.

    Returns
    -------
    pandas.DataFrame
        With the default column names, the columns :data:`EFFECTS_COLUMNS`:
        ``dimension`` (the ``by`` column, named after it; levels in order, then
        ``"overall"``; absent when ``by`` is None), ``sector`` (the ``group`` column,
        named after it), ``estimate`` (difference from the reference on the scale of
        ``y``), ``se``, ``ci_low``, ``ci_upp``, ``pvalue``, ``n`` (rows of this group in
        the model), ``reference``, ``converged`` (nullable boolean; NA for rows without
        a model) and ``note`` (``''`` when the row was estimated normally; says why
        otherwise, or that the cluster variance was estimated at zero).

        With ``covariates`` a ``term`` column follows the group column: ``group``'s name
        on the group rows, and one row per covariate coefficient after the group rows of
        each model, ``term`` its patsy name (e.g. ``"age"``, ``"C(gender)[T.m]"``), the
        group column missing and ``n`` the rows of the model.

    Raises
    ------
    ValueError
        If a column is missing, ``y`` is not numeric, ``group``/``cluster`` vary
        within a respondent (with the overall model), ``reference`` is not a group in
        ``scores``, or ``covariates`` cannot be evaluated.

    Notes
    -----
    Model (Laird & Ware 1982), for observation :math:`i` in cluster :math:`j`:
    :math:`y_{ij} = \\beta_0 + \\sum_s \\beta_s D_{s,ij} + x_{ij}'\\gamma + u_j + e_{ij}`,
    :math:`u_j \\sim N(0, \\tau^2)`, :math:`e_{ij} \\sim N(0, \\sigma^2)`, fitted with
    :class:`statsmodels.regression.mixed_linear_model.MixedLM` by REML (statsmodels'
    default optimiser sequence), the same model as
    ``lme4::lmer(y ~ group + covariates + (1 | cluster), REML = TRUE)``.
    :math:`\\beta_s` is the difference between group :math:`s` and the reference
    *within a cluster*, so clusters that differ in level and in group mix do not
    confound it.

    Standard errors are the GLS ones at the REML variance components,
    :math:`\\sqrt{\\operatorname{diag}(X'\\hat V^{-1}X)^{-1}}`, the values of
    ``lme4``'s ``vcov`` (Bates et al. 2015; checked in the tests against ``lmer`` on
    ``sleepstudy``); statsmodels' own ``bse`` inverts the joint Hessian of fixed and
    variance parameters and differs from them by about 0.1 %. Inference is the Wald z
    (no Kenward-Roger or Satterthwaite small-sample adjustment); with 16 regions and
    several hundred respondents this is adequate for effects of a respondent-level
    variable such as sector (Snijders & Bosker 2012). Convergence warnings are caught
    and summarised in ``converged``; a cluster variance at the boundary (zero) is
    reported in ``note`` and is not a convergence failure (the estimates then equal
    ordinary least squares). A model whose design is not of full rank (e.g. a
    covariate constant in it, or collinear with the groups) is not fitted; its rows say
    so in ``note``.

    References
    ----------
    .. [1] Laird, N. M., & Ware, J. H. (1982). Random-effects models for longitudinal
           data. *Biometrics*, 38(4), 963-974.
    .. [2] Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear
           mixed-effects models using lme4. *Journal of Statistical Software*, 67(1).
    .. [3] Snijders, T. A. B., & Bosker, R. J. (2012). *Multilevel Analysis* (2nd ed.).
           Sage.
    .. [4] Fuller, W. A., & Battese, G. E. (1973). Transformations for estimation of
           linear models with nested-error structure. *JASA*, 68(343), 626-632.
    .. [5] statsmodels documentation, "Linear Mixed Effects Models"
           (``statsmodels.regression.mixed_linear_model.MixedLM``).

    Examples
    --------
    A covariate and one model for the whole table (any long table)::

        sector_effects_model(df, y="Reaction", group="arm", cluster="Subject", id=None,
                             by=None, covariates="Days")
    """
    check_level(ci)
    check_min_n(min_n, minimum=2, reason="a group needs two scores to vary")
    long_scores.check_roles(scores, y=y, group=group, by=by, what="scores")
    _check_name("cluster", cluster)
    _check_name("id", id, optional=True)
    if not isinstance(overall, bool):
        raise ValueError(f"overall must be True or False, got {overall!r}.")
    overall = overall and by is not None
    if overall and id is None:
        raise ValueError("the overall model averages each respondent's scores over the "
                         f"levels of {by!r} and needs id (the respondent column); pass "
                         "id=... or overall=False.")
    require_columns(scores, [cluster, *([id] if id is not None else [])], "scores")
    _check_output_clash({"group": group, "by": by}, [*EFFECTS_COLUMNS[2:], TERM])
    levels = long_scores.levels(scores[group])
    data = scores.loc[scores[group].notna() & scores[cluster].notna()]
    terms = None
    if covariates is not None:
        terms = _covariate_design(data, covariates, "scores")
        data = data.loc[terms.index]
    respondents = respondent_terms = None
    if overall:
        respondents, respondent_terms = _respondent_means(data, [group, cluster], "scores", y=y, id=id,
                                        terms=terms)
    if reference is None:
        if not levels:
            raise ValueError(f"scores: no non-missing values in column {group!r}.")
        scored = data.loc[data[y].notna()]
        counts = (scored.groupby(group, observed=True)[id].nunique() if id is not None
                  else scored[group].value_counts())
        reference = max(levels, key=lambda g: (counts.get(g, 0), -levels.index(g)))
    elif reference not in levels:
        raise ValueError(f"reference {reference!r} is not a value of column {group!r}; "
                         f"available: {[str(x) for x in levels]}.")
    q = float(stats.norm.ppf(0.5 + ci / 2))
    term_names = list(terms.columns) if terms is not None else []

    def model_rows(key, frame: pd.DataFrame, x_terms: pd.DataFrame | None) -> list[dict]:
        frame = frame.loc[frame[y].notna()]
        counts = frame[group].value_counts()
        n_of = {g: int(counts.get(g, 0)) for g in levels}
        base = {"_by": key, TERM: group, "reference": reference, "estimate": np.nan,
                "se": np.nan, "ci_low": np.nan, "ci_upp": np.nan, "pvalue": np.nan,
                "converged": pd.NA}
        others = [g for g in levels if g != reference]
        small = [g for g in others if n_of[g] < min_n]
        keep = [g for g in others if n_of[g] >= min_n]
        out = [{**base, "_group": g, "n": n_of[g],
                "note": f"too few respondents ({n_of[g]} < {min_n}); not modelled"}
               for g in small]
        why = ""
        used = frame.loc[frame[group].isin([reference, *keep])]
        exog = None
        if n_of[reference] < min_n:
            why = (f"reference {reference} has too few respondents "
                   f"({n_of[reference]} < {min_n}); no model")
        elif not keep:
            why = "no other sector with enough respondents; no model"
        elif used[cluster].nunique() < 2:
            why = f"fewer than 2 values of {cluster!r}; no mixed model"
        else:
            exog = pd.DataFrame({"Intercept": 1.0}, index=used.index)
            for i, g in enumerate(keep):
                exog[f"_s{i}"] = (used[group] == g).astype("float64")
            for i, name in enumerate(term_names):
                exog[f"_c{i}"] = x_terms.loc[used.index, name].to_numpy(dtype="float64")
            if not _full_rank(exog.to_numpy()):
                why = ("the design is not of full rank (a covariate is constant or "
                       "collinear with the groups here); no model")
        cov_rows = [{**base, "_group": pd.NA, TERM: name, "n": len(used)} for name in term_names]
        if why:
            return ([{**base, "_group": g, "n": n_of[g], "note": why} for g in keep] + out
                    + [{**r, "note": why} for r in cov_rows])
        codes = pd.factorize(used[cluster], sort=True)[0]
        result, converged, boundary = _fit_mixedlm(
            used[y].to_numpy(dtype="float64"), exog, codes)
        fe = np.asarray(result.fe_params, dtype="float64")
        tau2 = float(np.asarray(result.cov_re)[0, 0])
        cov = _gls_cov(exog.to_numpy(), codes, tau2, float(result.scale))
        note = "region variance estimated at zero (boundary); equals OLS" if boundary else ""

        def estimate(j: int) -> dict:
            est, se = float(fe[j]), float(np.sqrt(cov[j, j]))
            z = est / se if se > 0 else np.nan
            return {"estimate": est, "se": se, "ci_low": est - q * se, "ci_upp": est + q * se,
                    "pvalue": float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan,
                    "converged": converged, "note": note}

        fitted = [{**base, "_group": g, "n": n_of[g], **estimate(1 + i)}
                  for i, g in enumerate(keep)]
        covs = [{**r, **estimate(1 + len(keep) + i)} for i, r in enumerate(cov_rows)]
        return fitted + out + covs

    rows: list[dict] = []
    if by is None:
        rows.extend(model_rows(None, data, terms))
    else:
        for key in long_scores.dimension_levels(scores, col=by):
            rows.extend(model_rows(key, data.loc[data[by] == key], terms))
        if overall:
            rows.extend(model_rows(OVERALL, respondents, respondent_terms))
    cols = ["_by", "_group", TERM, *EFFECTS_COLUMNS[2:]]
    out = pd.DataFrame(rows, columns=cols)
    if by is not None:
        out["_by"] = long_scores.dimension_column(list(out["_by"]), scores, extra=[OVERALL],
                                                  col=by)
    else:
        out = out.drop(columns="_by")
    if covariates is None:
        out = out.drop(columns=TERM)
    out["n"] = out["n"].astype("int64")
    out["converged"] = out["converged"].astype("boolean")
    return out.rename(columns={"_by": by, "_group": group})


# --------------------------------------------------------------------------------------
# 3b. Ordinal (proportional-odds) model of item answers
# --------------------------------------------------------------------------------------
def _cell_ordered_model(base: type) -> type:
    """``statsmodels`` ``OrderedModel`` whose per-observation log-likelihood is evaluated
    once per distinct (exog row, answer) cell and copied to the observations, with
    optional frequency weights.

    With sector dummies as the only regressors there are at most (sectors x answer
    categories) distinct cells among tens of thousands of item answers. Each
    observation's log-likelihood depends on its cell alone and is computed by the same
    elementwise operations as ``OrderedModel.loglikeobs`` (thresholds, linear
    predictor, interval probability, ``log(prob + 1e-20)``; the logistic cdf as
    ``scipy.special.expit``, which is what ``scipy.stats.logistic.cdf`` evaluates), so
    the array, its sum and
    every numerical derivative statsmodels takes of them (score, cluster scores,
    Hessian) are the same floats: the fit is unchanged, only about 20 times cheaper.

    ``freq_weights`` (optional, one per observation) multiply each observation's
    log-likelihood, so that an observation of weight :math:`w` counts as :math:`w`
    copies of it; the start values then use the weighted answer frequencies, as the
    start values of the expanded data would.
    """
    if "_cell_model" in base.__dict__:
        return base

    class _CellOrderedModel(base):
        _cell_model = True

        def __init__(self, endog, exog, freq_weights=None, **kwds):
            super().__init__(endog, exog, **kwds)
            key = np.column_stack([np.asarray(self.exog, dtype="float64"),
                                   np.asarray(self.endog, dtype="float64")])
            _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
            self._cell_first = first
            self._cell_inverse = inverse.ravel()
            self.freq_weights = (None if freq_weights is None
                                 else np.asarray(freq_weights, dtype="float64"))

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
            ll = np.log(prob + 1e-20)[self._cell_inverse]
            return ll if self.freq_weights is None else ll * self.freq_weights

        @property
        def start_params(self):
            if self.freq_weights is None:
                return super().start_params
            # OrderedModel.start_params with the weighted answer frequencies
            w = self.freq_weights
            freq = np.bincount(self.endog, weights=w, minlength=self.k_levels) / w.sum()
            start_ppf = self.distr.ppf(np.clip(freq.cumsum(), 0, 1))
            start_threshold = self.transform_reverse_threshold_params(start_ppf)
            return np.concatenate((np.zeros(self.k_vars), start_threshold))

    return _CellOrderedModel


def _frequency_weights(data: pd.DataFrame, weight: str, what: str) -> np.ndarray:
    long_scores.check_numeric(data, weight, what)
    w = data[weight].to_numpy(dtype="float64")
    bad = ~np.isfinite(w) | (w < 0) | (w != np.round(w))
    if bad.any():
        raise ValueError(f"{what}: column {weight!r} must hold frequency weights "
                         "(non-negative whole numbers, no missing values); got "
                         f"{data[weight].to_numpy()[bad][0]!r}.")
    return w


def _category_label(value) -> object:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    return value


def ordinal_sector_model(
    items_long: pd.DataFrame,
    *,
    y: str = "response",
    group: str = "sector",
    id: str | None = "response_id",
    item: str | None = "item",
    covariates: str | None = None,
    weight: str | None = None,
    cov_type: str = "cluster",
    thresholds: bool = False,
    reference: str | None = None,
    min_n: int = MIN_CELL,
    ci: float = CI_LEVEL,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Proportional-odds model of ordinal answers on a group factor (and covariates).

    Parameters
    ----------
    items_long : pandas.DataFrame
        One row per answer: in evalkit one row per respondent and item of one
        dimension (``response_id``, ``sector``, ``item``, ``response``).
    y : str, default ``"response"``
        The ordinal answer: integer-valued numbers (e.g. 1-5; categories in numeric
        order) or an *ordered* categorical (categories in their order). Missing answers
        are dropped. Only the categories observed in the model are used.
    group : str, default ``"sector"``
        Grouping column (constant within a respondent when ``id`` is given).
    id : str or None, default ``"response_id"``
        Respondent column: the clusters of the robust standard errors and the unit that
        ``min_n`` and ``n_respondents`` count. ``None``: each answer (each copy, with
        ``weight``) is one respondent; needs ``cov_type="nonrobust"``.
    item : str or None, default ``"item"``
        Item column. It is not used by the model (all items share one set of
        thresholds), only required so that a table of another shape is not passed
        by mistake; ``None`` skips it.
    covariates : str, optional
        A patsy right-hand side added to the linear predictor, such as
        ``"age + C(gender)"`` (numpy available as ``np``). Rows with a missing
        covariate are left out.
    weight : str, optional
        Column of frequency weights (non-negative whole numbers): a row of weight
        :math:`w` counts as :math:`w` identical rows (with the same ``id``; rows of
        weight 0 are left out), so estimates, standard errors and counts equal those
        of the table with each row repeated :math:`w` times. For cell counts of
        independent respondents (e.g. a contingency table) use ``id=None`` and
        ``cov_type="nonrobust"``.
    cov_type : {"cluster", "nonrobust"}, default ``"cluster"``
        ``"cluster"``: cluster-robust (sandwich) standard errors by ``id``;
        ``"nonrobust"``: model-based ones from the inverse Hessian (as ``MASS::polr``
        and ``ordinal::clm``), which assume independent answers.
    thresholds : bool, default False
        Also return the thresholds (cut-points) :math:`\\theta_k` as a second table.
    reference : str, optional
        Reference group; default the group with most respondents.
    min_n : int, default ``MIN_CELL`` (5)
        Groups with fewer respondents are left out and listed with a ``note``.
    ci : float, default ``CI_LEVEL``
        Confidence level of the Wald intervals.

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, pandas.DataFrame)
        The effects: with the default names the columns :data:`ORDINAL_COLUMNS`, one
        row per non-reference group: ``sector`` (the ``group`` column, named after it),
        ``log_odds`` (log cumulative odds ratio of a *higher* answer vs the reference),
        its ``se``, ``ci_low``, ``ci_upp``, ``odds_ratio`` with ``or_ci_low``,
        ``or_ci_upp``, ``pvalue``, ``n_respondents``, ``n_responses`` (answers, weighted),
        ``reference``, ``cov_type`` (``"cluster"`` or ``"nonrobust"``), ``converged``
        and ``note``. With ``covariates`` a ``term`` column follows the group column
        (the group's name on group rows) and one row per covariate coefficient follows
        the group rows (group missing, counts over the whole model).

        With ``thresholds=True`` also the thresholds, columns
        :data:`THRESHOLD_COLUMNS`: ``threshold`` (``"1|2"``, as ``polr``/``clm`` name
        them), ``lower`` and ``upper`` (the categories it separates), ``estimate``
        (:math:`\\theta_k`, on the logit scale, for the reference group with every
        covariate at 0), ``se``, ``ci_low``, ``ci_upp``, ``cov_type`` and
        ``converged``; empty when no model is fitted.

    Raises
    ------
    ValueError
        If a column is missing, ``y`` is neither integer-valued nor an ordered
        categorical, ``weight`` holds no frequency weights, the group varies within a
        respondent, the reference is unknown, ``cov_type`` is unknown (or ``"cluster"``
        without ``id``), ``covariates`` cannot be evaluated, or fewer than two answer
        categories are observed.

    Notes
    -----
    Model (McCullagh 1980; Agresti 2010, ch. 3):
    :math:`\\Pr(Y \\le k) = \\operatorname{logit}^{-1}(\\theta_k - \\sum_s \\beta_s D_s
    - x'\\gamma)`, fitted by maximum likelihood with
    :class:`statsmodels.miscmodels.ordinal_model.OrderedModel` (``distr="logit"``, BFGS);
    the same model and sign convention as ``MASS::polr`` and ``ordinal::clm`` (checked
    in the tests on ``housing``, weighted by ``Freq``). :math:`\\exp(\\beta_s)` is the
    odds ratio of answering in a higher category for group :math:`s` relative to the
    reference, the same at every cut-point (proportional odds). The items share one set
    of thresholds, so the estimate is a group effect averaged over items and over
    respondents (a population-averaged effect: no respondent random effect is fitted).

    Because each respondent answers several items, the answers are not independent;
    by default standard errors are cluster-robust by respondent (sandwich estimator
    with the small-sample factor :math:`G/(G-1)\\cdot(N-1)/(N-K)`, :math:`N` the
    weighted number of answers). statsmodels supports this for ``OrderedModel``
    through the generic likelihood model:
    ``fit(cov_type="cluster", cov_kwds={"groups": ...})`` (checked in the tests
    against a hand-computed sandwich). Wald z inference.

    statsmodels estimates :math:`\\theta_1` and the logs of the increments
    :math:`\\log(\\theta_k - \\theta_{k-1})`; the thresholds' covariance is obtained
    from theirs by the delta method (the Jacobian of that map), which at the maximum
    equals the inverse Hessian in the :math:`\\theta` parametrisation that ``polr`` and
    ``clm`` report.

    References
    ----------
    .. [1] McCullagh, P. (1980). Regression models for ordinal data. *JRSS B*, 42(2),
           109-142.
    .. [2] Agresti, A. (2010). *Analysis of Ordinal Categorical Data* (2nd ed.). Wiley.
    .. [3] Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to
           cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.
    .. [4] Venables, W. N., & Ripley, B. D. (2002). *Modern Applied Statistics with S*
           (4th ed.), sec. 7.3 (``polr``, the ``housing`` data). Springer.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    check_level(ci)
    check_min_n(min_n, minimum=2, reason="a group needs two scores to vary")
    for arg, name, optional in (("y", y, False), ("group", group, False), ("id", id, True),
                                ("item", item, True), ("weight", weight, True)):
        _check_name(arg, name, optional=optional)
    if cov_type not in ("cluster", "nonrobust"):
        raise ValueError(f"cov_type must be 'cluster' or 'nonrobust', got {cov_type!r}.")
    if cov_type == "cluster" and id is None:
        raise ValueError("cov_type='cluster' clusters by respondent and needs id (the "
                         "respondent column); pass id=... or cov_type='nonrobust'.")
    if not isinstance(thresholds, bool):
        raise ValueError(f"thresholds must be True or False, got {thresholds!r}.")
    need = [c for c in (id, group, item, y, weight) if c is not None]
    require_columns(items_long, need, "items_long")
    _check_output_clash({"group": group}, [*ORDINAL_COLUMNS[1:], TERM])
    answers = items_long[y]
    ordered = isinstance(answers.dtype, pd.CategoricalDtype) and bool(answers.dtype.ordered)
    if isinstance(answers.dtype, pd.CategoricalDtype) and not ordered:
        raise ValueError(f"items_long: column {y!r} is an unordered categorical; make it "
                         "ordered (its categories in answer order) or numeric.")
    if not ordered:
        long_scores.check_numeric(items_long, y, "items_long")
    data = items_long.loc[answers.notna() & items_long[group].notna()]
    if weight is not None:
        data = data.loc[_frequency_weights(data, weight, "items_long") > 0]
    if not ordered:
        resp = data[y].to_numpy(dtype="float64")
        if not np.all(resp == np.round(resp)):
            bad = data.loc[resp != np.round(resp), y].iloc[0]
            raise ValueError(f"items_long: column {y!r} must hold integer answers, got "
                             f"{bad!r}.")
    terms = None
    if covariates is not None:
        terms = _covariate_design(data, covariates, "items_long")
        data = data.loc[terms.index]
    if id is not None:
        per = data.groupby(id, observed=True)[group].nunique()
        if (per > 1).any():
            raise ValueError(f"items_long: column {group!r} varies within respondent(s) "
                             f"{list(per.index[per > 1][:5])}.")
    w_all = (data[weight].to_numpy(dtype="float64") if weight is not None
             else np.ones(len(data)))
    weights = pd.Series(w_all, index=data.index)
    levels = long_scores.levels(data[group])
    n_answers = weights.groupby(data[group], observed=True).sum()
    n_resp = (data.groupby(group, observed=True)[id].nunique() if id is not None
              else n_answers)
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
    term_names = list(terms.columns) if terms is not None else []
    blank = {"log_odds": np.nan, "se": np.nan, "ci_low": np.nan, "ci_upp": np.nan,
             "odds_ratio": np.nan, "or_ci_low": np.nan, "or_ci_upp": np.nan, "pvalue": np.nan,
             "reference": reference, "cov_type": "", "converged": pd.NA, TERM: group}
    rows_small = [{**blank, "_group": g, "n_respondents": n_of[g],
                   "n_responses": int(n_answers.get(g, 0)),
                   "note": f"too few respondents ({n_of[g]} < {min_n}); not modelled"}
                  for g in small]
    used = data.loc[data[group].isin([reference, *keep])]
    w_used = weights.loc[used.index].to_numpy()
    n_used = (used[id].nunique() if id is not None else int(w_used.sum()))
    totals = {"_group": pd.NA, "n_respondents": n_used, "n_responses": int(w_used.sum())}
    if ordered:
        seen = set(pd.unique(used[y].dropna()))
        categories = [c for c in answers.cat.categories if c in seen]
    else:
        categories = list(np.unique(used[y].to_numpy(dtype="float64")))
    exog = pd.DataFrame(index=used.index)
    for i, g in enumerate(keep):
        exog[f"_s{i}"] = (used[group] == g).astype("float64")
    for i, name in enumerate(term_names):
        exog[f"_c{i}"] = terms.loc[used.index, name].to_numpy(dtype="float64")
    why = ""
    if n_of[reference] < min_n:
        why = f"reference {reference} has too few respondents ({n_of[reference]} < {min_n})"
    elif not keep:
        why = "no other sector with enough respondents"
    elif len(categories) < 2:
        raise ValueError("items_long: fewer than two answer categories observed; "
                         "an ordinal model needs at least two.")
    elif not _full_rank(np.column_stack([np.ones(len(exog)), exog.to_numpy()])):
        why = ("the design is not of full rank (a covariate is constant or collinear with "
               "the groups here)")

    def finish(rows: list[dict], cuts: list[dict]) -> pd.DataFrame | tuple:
        cols = ["_group", TERM, *ORDINAL_COLUMNS[1:]]
        out = pd.DataFrame(rows, columns=cols).astype({"converged": "boolean"})
        if covariates is None:
            out = out.drop(columns=TERM)
        out = out.rename(columns={"_group": group})
        if not thresholds:
            return out
        table = pd.DataFrame(cuts, columns=THRESHOLD_COLUMNS).astype({"converged": "boolean"})
        return out, table

    if why:
        rows = [{**blank, "_group": g, "n_respondents": n_of[g],
                 "n_responses": int(n_answers.get(g, 0)), "note": why} for g in keep]
        covs = [{**blank, **totals, TERM: name, "note": why} for name in term_names]
        return finish(rows + rows_small + covs, [])
    codes = pd.Categorical(used[y], categories=categories) if ordered else \
        pd.Categorical(used[y].to_numpy(dtype="float64"), categories=categories)
    endog = pd.Series(pd.Categorical.from_codes(codes.codes, categories=categories,
                                                ordered=True), index=used.index)
    fit_kw: dict = {}
    if cov_type == "cluster":
        fit_kw = {"cov_type": "cluster",
                  "cov_kwds": {"groups": pd.factorize(used[id], sort=True)[0]}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = _cell_ordered_model(OrderedModel)(
            endog, exog, distr="logit", freq_weights=w_used if weight is not None else None)
        res = model.fit(method="bfgs", disp=False, maxiter=1000, **fit_kw)
    conv_warn = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    converged = bool(res.mle_retvals.get("converged", True)) and not conv_warn
    params = np.asarray(res.params, dtype="float64")
    cov = np.asarray(res.cov_params(), dtype="float64")
    n_rows, k = len(used), params.size
    if weight is not None and cov_type == "cluster":
        # statsmodels' small-sample factor counts rows; the expanded table has sum(w)
        n_w = float(w_used.sum())
        cov = cov * ((n_w - 1) / (n_w - k)) / ((n_rows - 1) / (n_rows - k))
    q = float(stats.norm.ppf(0.5 + ci / 2))
    kind = str(res.cov_type)

    def effect(j: int) -> dict:
        b, se = float(params[j]), float(np.sqrt(cov[j, j]))
        lo, hi = b - q * se, b + q * se
        return {"log_odds": b, "se": se, "ci_low": lo, "ci_upp": hi,
                "odds_ratio": math.exp(b), "or_ci_low": math.exp(lo),
                "or_ci_upp": math.exp(hi), "pvalue": float(2 * stats.norm.sf(abs(b / se))),
                "reference": reference, "cov_type": kind, "converged": converged,
                "note": ""}

    rows = [{"_group": g, TERM: group, "n_respondents": n_of[g],
             "n_responses": int(n_answers.get(g, 0)), **effect(i)}
            for i, g in enumerate(keep)]
    covs = [{**totals, TERM: name, **effect(len(keep) + i)}
            for i, name in enumerate(term_names)]
    cuts = []
    if thresholds:
        k_x = exog.shape[1]
        theta = np.asarray(model.transform_threshold_params(params))[1:-1]
        incr = params[k_x:]
        jac = np.zeros((incr.size, incr.size))
        jac[:, 0] = 1.0
        for r in range(1, incr.size):
            jac[r, 1:r + 1] = np.exp(incr[1:r + 1])
        cov_theta = jac @ cov[k_x:, k_x:] @ jac.T
        for r, est in enumerate(theta):
            se = float(np.sqrt(cov_theta[r, r]))
            lower, upper = _category_label(categories[r]), _category_label(categories[r + 1])
            cuts.append({"threshold": f"{lower}|{upper}", "lower": lower, "upper": upper,
                         "estimate": float(est), "se": se, "ci_low": float(est) - q * se,
                         "ci_upp": float(est) + q * se, "cov_type": kind,
                         "converged": converged})
    return finish(rows + rows_small + covs, cuts)


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


def _one_score_per_respondent(scores: pd.DataFrame, region: str, y: str = "score",
                              id: str = "response_id") -> pd.DataFrame:
    """Columns ``region`` and ``"score"`` (the values of ``y``), one row per respondent."""
    if not isinstance(scores, pd.DataFrame):
        raise ValueError(f"scores: expected a pandas DataFrame, got {type(scores).__name__}.")
    _check_name("y", y)
    _check_name("region", region)
    if "dimension" in scores.columns:
        _check_name("id", id)
        require_columns(scores, [id, region, y], "scores (long format)")
        long_scores.check_numeric(scores, y, "scores")
        data, _ = _respondent_means(scores.loc[scores[region].notna()], [region], "scores",
                                    y=y, id=id)
        data = data[[region, y]]
    else:
        require_columns(scores, [region, y], "scores")
        long_scores.check_numeric(scores, y, "scores")
        data = scores.loc[scores[y].notna() & scores[region].notna(), [region, y]]
    return data.rename(columns={y: "score"}).reset_index(drop=True)


def region_shrinkage(
    scores: pd.DataFrame,
    *,
    y: str = "score",
    region: str = "region_code",
    id: str = "response_id",
    ci: float = CI_LEVEL,
    n_boot: int = 1000,
    seed: int = 0,
) -> tuple[pd.DataFrame, ShrinkageFit]:
    """Raw and partially pooled (shrunken) region means from a random-intercept model.

    Parameters
    ----------
    scores : pandas.DataFrame
        Either the long score table (has a ``dimension`` column; needs ``id``,
        ``region`` and ``y``), in which case each respondent's mean over the
        dimensions is used, or a frame with one score per row and columns ``region``
        and ``y``. Missing scores or regions are dropped.
    y : str, default ``"score"``
        Numeric score column.
    region : str, default ``"region_code"``
        Region column (the random-intercept groups).
    id : str, default ``"response_id"``
        Respondent column of the long score table (unused for one score per row).
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
    data = _one_score_per_respondent(scores, region, y, id)
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
    var_mu = float(_gls_cov(np.ones((y.size, 1)), codes, tau2, sigma2)[0, 0])
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
    y: str = "score",
    region: str = "region_code",
    id: str = "response_id",
    ci: float = CI_LEVEL,
) -> tuple[pd.DataFrame, ShrinkageFit]:
    """:func:`region_shrinkage`'s table and fit for a programme with a single region.

    With one region there is no between-region variance to estimate, so nothing can be
    pooled: the region's estimate is its raw mean with its t interval
    (``shrinkage_weight`` 1, the "no pooling" end of Gelman & Hill 2007, sec. 12.2),
    and :math:`\\tau^2`, the ICC and its interval are NaN. ``grand_mean`` is the raw
    mean, ``grand_mean_se`` its standard error. ``scores``, ``y``, ``region``, ``id`` and
    ``ci`` as in :func:`region_shrinkage`.

    References
    ----------
    Gelman, A., & Hill, J. (2007). *Data Analysis Using Regression and
    Multilevel/Hierarchical Models*. Cambridge University Press, sec. 12.2.
    """
    check_level(ci)
    data = _one_score_per_respondent(scores, region, y, id)
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
