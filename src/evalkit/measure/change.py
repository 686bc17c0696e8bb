"""Change between survey waves: per-wave means and the panel-aware difference of two waves.

A repeated survey asks many of the same people again. The difference of two waves' means
then has a smaller variance than two independent samples would give (the same person's
answers are correlated), and a larger one when they are negatively correlated. The
estimator here counts that covariance by treating respondents as clusters (ultimate
clusters, Taylor linearisation), which needs no model of the respondent effect, takes
each wave's post-stratification weights as they are and copes with respondents who drop
out or join. Holm's step-down adjustment controls the family-wise error over the
dimensions (or sectors) tested together.

Pure functions: DataFrame in, numbers out; no file I/O.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.core.checks import check_level
from evalkit.core.config import CI_LEVEL
from evalkit.measure.survey import _design_variance, _interval, _numeric, weighted_mean

__all__ = [
    "ChangeEstimate",
    "WAVE_MEANS_COLUMNS",
    "wave_means",
    "wave_change",
    "holm",
]

#: Columns of :func:`wave_means`, in order.
WAVE_MEANS_COLUMNS = ("wave", "estimate", "se", "ci_low", "ci_upp", "nobs")

#: Name of the internal column of cluster codes (kept out of the way of user columns).
_CLUSTER_CODE = "__evalkit_cluster__"


@dataclass(frozen=True)
class ChangeEstimate:
    """The change of a (weighted) mean from one wave to another.

    Attributes
    ----------
    estimate : float
        ``mean_to - mean_from``.
    se : float
        Standard error of ``estimate`` (Taylor linearisation, respondents as clusters).
    ci_low, ci_upp : float
        Confidence limits (Student t with ``df`` degrees of freedom).
    p_value : float
        Two-sided p-value of the t test of no change.
    df : float
        Degrees of freedom: ``clusters - 1``.
    mean_from, mean_to : float
        The two waves' weighted (Hajek) means.
    n_from, n_to : int
        Rows with a value (and a positive weight) in each wave.
    n_both : int
        Clusters (respondents) with a value in both waves: the panel part.
    clusters : int
        Clusters with a value in either wave.
    """

    estimate: float
    se: float
    ci_low: float
    ci_upp: float
    p_value: float
    df: float
    mean_from: float
    mean_to: float
    n_from: int
    n_to: int
    n_both: int
    clusters: int

    @property
    def nobs(self) -> int:
        """Rows with a value in the two waves together (``n_from + n_to``)."""
        return self.n_from + self.n_to

    def to_frame(self) -> pd.DataFrame:
        """The change as a one-row DataFrame: every field, then ``nobs``."""
        return pd.DataFrame([{**dataclasses.asdict(self), "nobs": self.nobs}])


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------
def _require(data: pd.DataFrame, col: str, role: str) -> pd.Series:
    if not isinstance(data, pd.DataFrame):
        raise ValueError("data must be a pandas DataFrame (one row per respondent and wave).")
    if col not in data.columns:
        raise ValueError(f"{role} column {col!r} not found; available columns: {list(data.columns)}.")
    return data[col]


def _values(data: pd.DataFrame, y: str) -> np.ndarray:
    # the same numeric check the single-wave estimators make (measure.survey)
    return _numeric(_require(data, y, "value"), "value")


def _weights(data: pd.DataFrame, weight: str | None) -> np.ndarray:
    if weight is None:
        return np.ones(len(data))
    s = _require(data, weight, "weight")
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise ValueError(f"weight column {weight!r} must be numeric, got dtype {s.dtype}.")
    w = s.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        rows = list(data.index[bad][:5])
        raise ValueError(
            f"weight column {weight!r} has {int(bad.sum())} missing, infinite or negative "
            f"value(s), e.g. in rows {rows}; every row needs a weight >= 0."
        )
    return w


def _cluster_codes(data: pd.DataFrame, cluster: str | None) -> np.ndarray:
    """Integer cluster codes; a missing label (or ``cluster=None``) is a cluster of its own."""
    n = len(data)
    if cluster is None:
        return np.arange(n, dtype=np.int64)
    codes, _ = pd.factorize(_require(data, cluster, "cluster"), sort=False)
    codes = codes.astype(np.int64)
    missing = codes < 0
    if missing.any():
        start = int(codes.max()) + 1 if (~missing).any() else 0
        codes[missing] = start + np.arange(int(missing.sum()))
    return codes


def _wave_labels(data: pd.DataFrame, wave: str) -> pd.Series:
    return _require(data, wave, "wave")


def _ordered_waves(labels: pd.Series) -> list:
    """Waves in category order for a categorical column, else in order of appearance."""
    present = labels.dropna()
    if isinstance(labels.dtype, pd.CategoricalDtype):
        seen = set(present.tolist())
        return [c for c in labels.cat.categories if c in seen]
    return list(pd.unique(present))


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------
def wave_means(
    data: pd.DataFrame,
    *,
    y: str = "score",
    wave: str = "wave",
    weight: str | None = None,
    cluster: str | None = "respondent_id",
    ci: float = CI_LEVEL,
) -> pd.DataFrame:
    """Weighted mean of ``y`` in each wave, with its design-based interval.

    Parameters
    ----------
    data : pandas.DataFrame
        Long: one row per respondent and wave.
    y : str, default "score"
        Numeric column to average. Missing values do not enter the mean; their rows keep
        their place in the design (domain estimation, as R ``svymean(na.rm = TRUE)``).
    wave : str, default "wave"
        Column of wave labels. Rows with a missing label are left out.
    weight : str, optional
        Column of weights (each wave's post-stratification weights); ``None``: equal.
    cluster : str or None, default "respondent_id"
        Column of cluster labels (within a wave normally one row per respondent, so each
        row is its own cluster). A missing label is a cluster of its own; ``None``:
        every row its own cluster.
    ci : float, default ``CI_LEVEL``
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WAVE_MEANS_COLUMNS` (``wave, estimate, se, ci_low, ci_upp,
        nobs``), one row per wave, in category order when ``wave`` is categorical, else
        in order of first appearance. A wave with fewer than 2 values has NaN ``se`` and
        interval (no error: the caller suppresses it).

    Notes
    -----
    Each row is :func:`evalkit.measure.survey.weighted_mean` on that wave's rows with
    ``psu=cluster`` and ``df="design"``: the Hajek mean
    :math:`\\sum_i w_i y_i / \\sum_i w_i`, Taylor-linearised variance with clusters as
    ultimate sampling units, and a t interval with (clusters - 1) degrees of freedom;
    the same numbers as the single-wave regional report.

    References
    ----------
    .. [1] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley,
           ch. 2-3; R ``survey::svymean`` with ``confint(..., df = degf(design))``.
    .. [2] Binder, D. A. (1983). On the variances of asymptotically normal estimators
           from complex surveys. *International Statistical Review*, 51(3), 279-292.
    """
    check_level(ci)
    labels = _wave_labels(data, wave)
    data = data.loc[labels.notna().to_numpy()]
    labels = labels[labels.notna()]
    _values(data, y)
    w = _weights(data, weight)
    frame = pd.DataFrame({"y": data[y].to_numpy(), "w": w,
                          _CLUSTER_CODE: _cluster_codes(data, cluster)})
    label_values = labels.to_numpy()
    rows = []
    for label in _ordered_waves(labels):
        part = frame.loc[label_values == label]
        # lonely_psu="certainty" only matters for a wave with a single cluster: weighted_mean
        # then reports NaN se (fewer than 2 values) or a zero variance instead of raising.
        est = weighted_mean(part, "y", weight="w", psu=_CLUSTER_CODE, ci=ci, df="design",
                            lonely_psu="certainty")
        rows.append({"wave": label, "estimate": est.estimate, "se": est.se,
                     "ci_low": est.ci_low, "ci_upp": est.ci_upp, "nobs": int(est.nobs)})
    out = pd.DataFrame(rows, columns=list(WAVE_MEANS_COLUMNS))
    return out.astype({"estimate": "float64", "se": "float64", "ci_low": "float64",
                       "ci_upp": "float64", "nobs": "int64"})


def wave_change(
    data: pd.DataFrame,
    *,
    from_wave: object,
    to_wave: object,
    y: str = "score",
    wave: str = "wave",
    weight: str | None = None,
    cluster: str | None = "respondent_id",
    ci: float = CI_LEVEL,
) -> ChangeEstimate:
    """Change of the weighted mean of ``y`` from ``from_wave`` to ``to_wave``.

    Parameters
    ----------
    data : pandas.DataFrame
        Long: one row per respondent and wave; a respondent answering in both waves has
        two rows with the same ``cluster`` label. Rows of other waves are ignored.
    from_wave, to_wave : object
        The two wave labels (values of ``wave``); the change is ``to - from``.
    y : str, default "score"
        Numeric column. Missing values do not enter the means; their rows keep their
        place in the design (as R ``svyglm`` on a design with missing ``y``).
    wave : str, default "wave"
        Column of wave labels.
    weight : str, optional
        Column of weights: each wave's post-stratification weights, used as they are
        (each wave's mean is normalised by its own weight total). ``None``: equal.
    cluster : str or None, default "respondent_id"
        Column identifying the respondent across waves. A missing label is a cluster of
        its own; ``None``: every row its own cluster (independent waves).
    ci : float, default ``CI_LEVEL``
        Confidence level.

    Returns
    -------
    ChangeEstimate
        ``estimate, se, ci_low, ci_upp, p_value, df, mean_from, mean_to, n_from, n_to,
        n_both, clusters``.

    Raises
    ------
    ValueError
        ``from_wave == to_wave``; a wave with fewer than 2 values of ``y`` (named, with
        its count) or with zero total weight; missing columns; non-numeric ``y`` or
        ``weight``; missing or negative weights.

    Notes
    -----
    The estimate is the difference of the two waves' weighted (Hajek) means,
    :math:`\\hat\\Delta = \\bar y_B - \\bar y_A`, with
    :math:`\\bar y_k = \\sum_{i \\in k} w_i y_i / \\sum_{i \\in k} w_i`. Its
    linearised score (influence value) of row :math:`i` is

    .. math::

        z_i = 1[i \\in B]\\,\\frac{w_i (y_i - \\bar y_B)}{W_B}
              - 1[i \\in A]\\,\\frac{w_i (y_i - \\bar y_A)}{W_A}

    (0 when :math:`y_i` is missing). Summing :math:`z` within each cluster :math:`c`
    (a respondent's rows in both waves) gives :math:`z_c`, and with :math:`n` clusters

    .. math::

        \\widehat V(\\hat\\Delta) = \\frac{n}{n-1} \\sum_c (z_c - \\bar z)^2 ,

    the with-replacement (ultimate cluster) Taylor linearisation variance (Binder 1983;
    Lumley 2010). A respondent in both waves contributes the *difference* of their two
    deviations, so the covariance that the panel creates is counted: positive
    within-person correlation makes the variance smaller than for two independent
    samples. This equals R
    ``svyglm(y ~ factor(wave), svydesign(ids = ~cluster, weights = ~w))`` fitted on the
    two waves' rows (coefficient and standard error). The interval and the p-value use
    Student t with (clusters - 1) degrees of freedom, the design degrees of freedom of
    R's ``degf`` and those of the single-wave intervals (:func:`wave_means`); R's
    ``summary.svyglm`` would use one fewer (``degf + 1 -`` number of coefficients), a
    negligible difference unless there are very few respondents.

    Why this and not a mixed model (random respondent intercept): the design-based
    estimator uses the reports' post-stratification weights as they are (a mixed model
    has no agreed way to take sampling weights), needs no model for the respondent
    effect (its distribution, or equal correlation over waves), and handles an unbalanced
    panel - some respondents drop out, some join - without discarding anyone: the
    one-wave respondents simply contribute their own deviation. It estimates the change
    of the population means the reports show, not a within-person effect.

    References
    ----------
    .. [1] Binder, D. A. (1983). On the variances of asymptotically normal estimators
           from complex surveys. *International Statistical Review*, 51(3), 279-292.
    .. [2] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley,
           ch. 2-3 (``svydesign``, ``svyglm``, ``degf``).
    .. [3] Kish, L. (1965). *Survey Sampling*. Wiley, sec. 12.4 (overlapping samples:
           the variance of a difference with a common part).
    """
    check_level(ci)
    if from_wave == to_wave:
        raise ValueError(
            f"from_wave and to_wave are the same wave ({from_wave!r}); a change needs two "
            "different waves."
        )
    labels = _wave_labels(data, wave)
    in_a_all = (labels == from_wave).to_numpy(dtype=bool, na_value=False)
    in_b_all = (labels == to_wave).to_numpy(dtype=bool, na_value=False)
    # Only the two waves' rows enter (their weights and values are checked, no others).
    sub = data.iloc[np.flatnonzero(in_a_all | in_b_all)]
    ak, bk = in_a_all[in_a_all | in_b_all], in_b_all[in_a_all | in_b_all]
    yk = _values(sub, y)
    wk = _weights(sub, weight)
    ck = _cluster_codes(sub, cluster)
    vk = ~np.isnan(yk) & (wk > 0)
    for name, mask in ((from_wave, ak), (to_wave, bk)):
        n_values = int((mask & ~np.isnan(yk)).sum())
        if n_values < 2:
            known = _ordered_waves(labels)
            raise ValueError(
                f"wave {name!r} has {n_values} row(s) with a value of {y!r} (of "
                f"{int(mask.sum())} row(s)); a change needs at least 2 in each wave. "
                f"Waves in the data: {known}."
            )
        if float(wk[mask & vk].sum()) <= 0:
            raise ValueError(f"wave {name!r}: the weights in {weight!r} sum to zero.")

    wa = np.where(ak & vk, wk, 0.0)
    wb = np.where(bk & vk, wk, 0.0)
    y0 = np.where(vk, yk, 0.0)
    mean_a = float(np.sum(wa * y0) / wa.sum())
    mean_b = float(np.sum(wb * y0) / wb.sum())
    z = wb * (y0 - mean_b) / wb.sum() - wa * (y0 - mean_a) / wa.sum()

    psu, _ = pd.factorize(ck, sort=False)
    # "certainty": all rows in one cluster gives variance 0 and df 0 (NaN interval).
    var = _design_variance(z, None, psu.astype(np.int64), None, "certainty", None)
    se = math.sqrt(var) if var >= 0 else math.nan
    est = mean_b - mean_a

    clusters_a = set(ck[ak & vk].tolist())
    clusters_b = set(ck[bk & vk].tolist())
    n_clusters = len(clusters_a | clusters_b)
    dfv = float(n_clusters - 1)
    if dfv >= 1 and not math.isnan(se):
        low, upp = _interval(est, se, ci, dfv)
        if se > 0:
            p = float(2 * stats.t.sf(abs(est) / se, dfv))
        else:
            p = 1.0 if est == 0 else 0.0
    else:
        low, upp, p = math.nan, math.nan, math.nan
    return ChangeEstimate(
        estimate=float(est), se=float(se), ci_low=float(low), ci_upp=float(upp),
        p_value=p, df=dfv, mean_from=mean_a, mean_to=mean_b,
        n_from=int((ak & vk).sum()), n_to=int((bk & vk).sum()),
        n_both=len(clusters_a & clusters_b), clusters=n_clusters,
    )


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values; NaN stays NaN and is not counted.

    Parameters
    ----------
    p_values : array-like of float
        Raw p-values (in [0, 1], NaN allowed for tests that could not be done).

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same shape and order as the input. Rejecting where the
        adjusted p-value is below :math:`\\alpha` controls the family-wise error rate at
        :math:`\\alpha` over the non-missing tests.

    Raises
    ------
    ValueError
        A p-value outside [0, 1].

    Notes
    -----
    With the :math:`m` non-missing p-values sorted, :math:`p_{(1)} \\le \\dots \\le
    p_{(m)}`, the adjusted values are
    :math:`\\tilde p_{(j)} = \\min\\{1, \\max_{k \\le j} (m - k + 1) p_{(k)}\\}`, as R
    ``p.adjust(p, "holm")`` (which also drops NA from :math:`m`) and statsmodels
    ``multipletests(method="holm")``.

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
           *Scandinavian Journal of Statistics*, 6(2), 65-70.
    """
    p = np.asarray(p_values, dtype="float64")
    out = np.full(p.shape, np.nan)
    flat = p.ravel()
    ok = ~np.isnan(flat)
    if ((flat[ok] < 0) | (flat[ok] > 1)).any():
        raise ValueError(f"p-values must lie in [0, 1]; got {flat[ok][(flat[ok] < 0) | (flat[ok] > 1)][:5]}.")
    m = int(ok.sum())
    if m == 0:
        return out
    vals = flat[ok]
    order = np.argsort(vals, kind="mergesort")
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * vals[order]))
    res = np.empty(m)
    res[order] = adj
    flat_out = out.ravel()
    flat_out[ok] = res
    return flat_out.reshape(p.shape)
