"""Attribution of indicator change to partnerships: difference-in-differences.

Did regions that started a partnership (a forum, an MOU/PKS, a KSD agreement) improve
an M&E indicator more than regions without one? This module answers that with a
two-way fixed-effects (TWFE) difference-in-differences on the long indicator table,
plus an event-study check of the parallel-trends assumption.

Everything here is pure: DataFrames in, results out; no file I/O, no printing.
Cases the data cannot support (too few treated or comparison regions, no
pre-treatment years, indicator missing, no variation) return a result with
``supported=False``, a ``reason`` code (:data:`UNSUPPORTED_REASONS`; its wording is
presentation's, :mod:`evalkit.present.i18n` keys ``attr_reason_<code>``) and
plain-English ``notes`` for the analyst; only malformed input raises ``ValueError``.

Inputs
------
``values``
    Long table with columns ``region_code, indicator_id, year, value`` (one row per
    region, indicator and year). Other column names are given by keyword (``unit``,
    ``time``, ``y``, ``indicator``); the indicator column may be absent when the table
    holds one series; time-varying unit covariates may be added (``covariates``).
``partnerships``
    Table with columns ``region_code, start_year`` (``unit`` and ``start``). A region
    is treated from its earliest ``start_year`` onwards; regions of ``values`` with no
    row here are comparison regions.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
import patsy
import statsmodels.formula.api as smf
from scipy import stats

from evalkit.core.checks import require_columns
from evalkit.core.config import CI_LEVEL

__all__ = [
    "PARTNERSHIP_COLUMNS",
    "UNSUPPORTED_REASONS",
    "VALUE_COLUMNS",
    "DidResult",
    "did_estimate",
]

VALUE_COLUMNS: tuple[str, ...] = ("region_code", "indicator_id", "year", "value")
PARTNERSHIP_COLUMNS: tuple[str, ...] = ("region_code", "start_year")
_EVENT_COLUMNS = ["rel_year", "estimate", "ci_low", "ci_upp"]
#: Codes of :attr:`DidResult.reason`: why the data cannot support an estimate, the first
#: that applies — the indicator is not in the data (``no_indicator``) or has only missing
#: values (``no_values``); fewer treated regions with enough pre-treatment years than
#: needed (``few_treated``, count ``n_treated``); no comparison region (``no_control``)
#: or too few (``few_control``, count ``n_control``); an indicator without variation
#: (``no_variation``); a treatment not separable from the fixed effects (``not_identified``).
UNSUPPORTED_REASONS: tuple[str, ...] = ("no_indicator", "no_values", "few_treated", "no_control",
                                        "few_control", "no_variation", "not_identified")
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
        p-value of the joint Wald test that all estimated event-study leads are zero
        (one restriction per row of ``leads``), from a wild cluster bootstrap (NaN when
        there are no leads or the test cannot be computed).
    leads : pandas.DataFrame
        Lead coefficients, columns ``rel_year, estimate, ci_low, ci_upp``
        (``rel_year`` = year minus start year): every observed pre-treatment period
        before ``reference_period`` (-k ... -2 when the reference is -1).
    supported : bool
        False when the data cannot support an estimate; ``notes`` says why.
    notes : list of str
        Plain-English notes: exclusions, reasons for ``supported=False``, caveats.
    event_study : pandas.DataFrame
        All event-study coefficients (leads, the reference period with estimate 0 and
        no interval, and lags 0, 1, ...), one row per observed relative period, same
        columns as ``leads``; used by :func:`evalkit.present.figures.pretrend_figure`.
    level : float
        Confidence level of every interval (``ci`` of :func:`did_estimate`).
    reason : str
        Why the data cannot support an estimate, as a code of
        :data:`UNSUPPORTED_REASONS` (the first that applies; its note is in ``notes``);
        ``""`` when ``supported``. Reports word it (``attr_reason_<code>`` in
        :mod:`evalkit.present.i18n`, with ``n_treated`` / ``n_control``).
    reference_period : int or None
        The omitted event-study period (year minus start year) that every lead and
        lag is measured against: the latest pre-treatment period observed in a treated
        region, -1 when observed, else -2, ... (see :func:`did_estimate`). None when
        not supported.
    """

    #: Columns of :meth:`to_frame`, in order.
    FRAME_COLUMNS: ClassVar[tuple[str, ...]] = (
        "term", "rel_year", "estimate", "se", "ci_low", "ci_upp", "pvalue", "level", "nobs",
        "n_treated", "n_control", "pretrend_pvalue", "supported", "notes", "reason",
        "reference_period")

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
    level: float = CI_LEVEL
    reason: str = ""
    reference_period: int | None = -1

    def to_frame(self) -> pd.DataFrame:
        """The result as one table: the DiD estimate, then the event study.

        Returns
        -------
        pandas.DataFrame
            Columns :attr:`FRAME_COLUMNS`. The first row has ``term = "did"`` (the
            ``treated_post`` coefficient: ``estimate, se, ci_low, ci_upp, pvalue``;
            ``rel_year`` missing); then one ``term = "event"`` row per event-study
            coefficient of :attr:`event_study` (:attr:`leads` when that is empty), in
            its order, with ``rel_year, estimate, ci_low, ci_upp`` (``se`` and
            ``pvalue`` NaN; the reference period has estimate 0 and no interval).
            ``level, nobs, n_treated, n_control, pretrend_pvalue, supported, reason,
            reference_period`` repeat the attributes on every row
            (``reference_period`` missing when not supported) and ``notes`` joins :attr:`notes` with
            newlines, so the frame alone can draw
            :func:`evalkit.present.figures.pretrend_figure` and frames of several
            indicators stack (after adding an ``indicator_id`` column). An
            unsupported result has only the ``did`` row.

        Examples
        --------
        >>> empty = pd.DataFrame(columns=["rel_year", "estimate", "ci_low", "ci_upp"])
        >>> res = DidResult(estimate=1.5, se=0.5, ci_low=0.5, ci_upp=2.5, pvalue=0.01,
        ...                 nobs=40, n_treated=2, n_control=3, pretrend_pvalue=0.6,
        ...                 leads=empty, supported=True, notes=[])
        >>> res.to_frame()[["term", "estimate", "nobs"]]
          term  estimate  nobs
        0  did       1.5    40
        """
        events = self.event_study if len(self.event_study) else self.leads
        n_events = len(events)
        col = lambda name: events[name].to_numpy(dtype="float64")  # noqa: E731
        rel_year = pd.array([pd.NA, *events["rel_year"].tolist()], dtype="Int64")
        frame = pd.DataFrame({
            "term": ["did"] + ["event"] * n_events,
            "rel_year": rel_year,
            "estimate": np.r_[self.estimate, col("estimate")],
            "se": np.r_[self.se, np.full(n_events, np.nan)],
            "ci_low": np.r_[self.ci_low, col("ci_low")],
            "ci_upp": np.r_[self.ci_upp, col("ci_upp")],
            "pvalue": np.r_[self.pvalue, np.full(n_events, np.nan)],
        })
        frame = frame.assign(
            level=float(self.level), nobs=int(self.nobs), n_treated=int(self.n_treated),
            n_control=int(self.n_control), pretrend_pvalue=float(self.pretrend_pvalue),
            supported=bool(self.supported), notes="\n".join(self.notes), reason=self.reason,
            reference_period=pd.array([self.reference_period] * len(frame), dtype="Int64"))
        return frame.loc[:, list(self.FRAME_COLUMNS)]


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


def _region_codes(series: pd.Series, table: str, column: str = "region_code") -> pd.Series:
    if series.isna().any():
        rows = list(series.index[series.isna()][:5])
        raise ValueError(f"`{table}` column '{column}' has missing values "
                         f"(row index {rows}).")
    return series.astype(str).astype(object)


@dataclass(frozen=True)
class _Roles:
    """Column names of the inputs (keyword arguments of :func:`did_estimate`)."""

    y: str = "value"
    unit: str = "region_code"
    time: str = "year"
    indicator: str = "indicator_id"
    start: str = "start_year"


def _clean_values(values: pd.DataFrame, roles: _Roles = _Roles(), *,
                  has_indicator: bool = True) -> pd.DataFrame:
    """The value table under the internal names ``region_code, indicator_id, year, value``
    (same index and row order as ``values``; ``indicator_id`` is None throughout when
    ``has_indicator`` is False: the whole table is one series)."""
    columns = [roles.unit, *([roles.indicator] if has_indicator else []), roles.time, roles.y]
    require_columns(values, columns, "values")
    data = pd.DataFrame({
        "region_code": _region_codes(values[roles.unit], "values", roles.unit),
        "indicator_id": values[roles.indicator] if has_indicator else None,
        "year": _integer_years(values[roles.time], "values", roles.time),
    }, index=values.index)
    raw = values[roles.y]
    numeric = pd.to_numeric(raw, errors="coerce")
    not_numeric = numeric.isna() & raw.notna()
    if not_numeric.any():
        rows = list(values.index[not_numeric][:5])
        raise ValueError(f"`values` column '{roles.y}' has {int(not_numeric.sum())} "
                         f"non-numeric entr(y/ies) (row index {rows}).")
    data["value"] = numeric.astype("float64")
    keys = ["region_code", "indicator_id", "year"]
    dup = data.duplicated(keys, keep=False)
    if dup.any():
        shown = data.loc[dup, keys].drop_duplicates().head(5)
        shown = shown[[c for c in keys if has_indicator or c != "indicator_id"]]
        named = ", ".join(columns[:-1])
        raise ValueError(
            f"`values` has duplicated region-year rows ({int(dup.sum())} rows share a "
            f"{named}), e.g. {shown.to_records(index=False).tolist()}; keep one row per "
            f"{'region, indicator and year' if has_indicator else 'region and year'} "
            f"(columns {named}).")
    return data


def _clean_partnerships(partnerships: pd.DataFrame, roles: _Roles = _Roles()) -> pd.Series:
    """Earliest start year per region (index region_code)."""
    require_columns(partnerships, [roles.unit, roles.start], "partnerships")
    data = pd.DataFrame({
        "region_code": _region_codes(partnerships[roles.unit], "partnerships", roles.unit),
        "start_year": _integer_years(partnerships[roles.start], "partnerships", roles.start),
    })
    return data.groupby("region_code")["start_year"].min()


def _select_series(data: pd.DataFrame, indicator_id, roles: _Roles, has_indicator: bool
                   ) -> tuple[pd.DataFrame, object]:
    """Rows of the one series to analyse, and its id (None for a table without ids)."""
    if not has_indicator:
        return data, None
    if indicator_id is None:
        ids = pd.unique(data["indicator_id"])
        if len(ids) > 1:
            shown = ", ".join(repr(i) for i in ids[:10]) + (", ..." if len(ids) > 10 else "")
            raise ValueError(
                f"`values` column '{roles.indicator}' holds {len(ids)} series ({shown}); "
                f"choose one with `indicator_id=`.")
        return data, (ids[0] if len(ids) else None)
    return data[data["indicator_id"] == indicator_id], indicator_id


_COVARIATE_PREFIX = "_cov_"


def _covariate_design(values: pd.DataFrame, covariates: str, eval_env: patsy.EvalEnvironment
                      ) -> tuple[np.ndarray, list[str]]:
    """Columns of the patsy right-hand side ``covariates`` evaluated on ``values``.

    Returns an ``(len(values), p)`` array in the row order of ``values`` (NaN in the rows
    where a variable of the formula is missing) and patsy's names of the ``p`` columns.
    The intercept is dropped (the fixed effects hold it); categorical terms therefore
    keep patsy's treatment coding (one level dropped).
    """
    if not isinstance(covariates, str) or not covariates.strip():
        raise ValueError(f"`covariates` must be a patsy right-hand side such as "
                         f"'x + C(group)', got {covariates!r}.")
    if "~" in covariates:
        raise ValueError(f"`covariates` is the right-hand side of a formula only (no '~'), "
                         f"got {covariates!r}; the outcome is given by `y`.")
    frame = values.reset_index(drop=True)
    try:
        mat = patsy.dmatrix(covariates, frame, NA_action="drop", return_type="dataframe",
                            eval_env=eval_env)
    except Exception as exc:  # patsy raises PatsyError, NameError, TypeError, ...
        raise ValueError(f"`covariates` {covariates!r} cannot be evaluated on the columns "
                         f"of `values` ({list(values.columns)}): {exc}") from exc
    if "Intercept" not in mat.columns:
        raise ValueError(f"`covariates` {covariates!r} removes the intercept ('0 +' or "
                         f"'- 1'); leave it in: the fixed effects absorb it.")
    mat = mat.drop(columns="Intercept")
    if mat.shape[1] == 0:
        raise ValueError(f"`covariates` {covariates!r} has no term besides the intercept.")
    out = np.full((len(frame), mat.shape[1]), np.nan)
    out[mat.index.to_numpy()] = mat.to_numpy(dtype=float)
    return out, [str(c) for c in mat.columns]


# --------------------------------------------------------------------------- helpers


def _empty_events() -> pd.DataFrame:
    return pd.DataFrame({"rel_year": pd.Series(dtype="int64"),
                         "estimate": pd.Series(dtype="float64"),
                         "ci_low": pd.Series(dtype="float64"),
                         "ci_upp": pd.Series(dtype="float64")})


def _unsupported(notes: list[str], reason: str, *, n_treated: int = 0, n_control: int = 0,
                 level: float = CI_LEVEL) -> DidResult:
    return DidResult(estimate=_NAN, se=_NAN, ci_low=_NAN, ci_upp=_NAN, pvalue=_NAN,
                     nobs=0, n_treated=n_treated, n_control=n_control,
                     pretrend_pvalue=_NAN, leads=_empty_events(), supported=False,
                     notes=notes, event_study=_empty_events(), level=level, reason=reason,
                     reference_period=None)


def _event_name(k: int) -> str:
    return f"ev_m{-k}" if k < 0 else f"ev_p{k}"


# --------------------------------------------------------------------------- TWFE by FWL


@dataclass(frozen=True, eq=False)
class _TwfeFit:
    """OLS of ``value ~ <names> + C(region_code) + C(year)`` fitted by Frisch-Waugh-Lovell.

    Only the region fixed effects are absorbed (by demeaning within region); the year
    dummies stay in the small design ``design`` (columns ``names`` then one dummy per
    year but the first, as patsy's ``C(year)``), so the panel may be unbalanced.
    ``params``/``cov`` are those of the small design's columns and equal the dummy
    regression's coefficients and CR1 cluster-robust covariance of the same columns.
    """

    names: list[str]
    params: np.ndarray  # (k,) coefficients of the small design's columns
    cov: np.ndarray  # (k, k) cluster-robust (CR1) covariance, as statsmodels "cluster"
    resid: np.ndarray  # (n,) residuals of the full two-way fixed-effects regression
    proj: np.ndarray  # (k, n) pinv of the demeaned design: params = proj @ y
    design: np.ndarray  # (n, k) the design demeaned within region
    codes: np.ndarray  # (n,) cluster (region) code of each row, pd.factorize order
    n_groups: int
    nobs: int
    k_full: int  # columns of the equivalent dummy design (statsmodels' k_params)
    full_rank: bool
    df_resid: int  # nobs - rank of the dummy design

    @property
    def scale(self) -> float:
        return _cr1_factor(self.n_groups, self.nobs, self.k_full)

    def t_interval(self, name: str, ci: float) -> tuple[float, float, float, float, float]:
        """``(estimate, se, ci_low, ci_upp, pvalue)`` of column ``name`` with t(G - 1)
        inference, as statsmodels' ``use_t=True`` with a cluster-robust covariance
        (``df_resid_inference = G - 1``; ``bse = sqrt(diag(cov))``)."""
        j = self.names.index(name)
        est = np.float64(self.params[j])
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt(np.float64(self.cov[j, j]))
            tvalue = est / se
        df = self.n_groups - 1
        q = float(stats.t.ppf(1 - (1 - ci) / 2, df))
        p = float(stats.t.sf(np.abs(tvalue), df) * 2)
        return float(est), float(se), float(est - q * se), float(est + q * se), p


def _cr1_factor(n_groups: int, nobs: int, k_params: int) -> float:
    """Small-sample factor G/(G-1) * (N-1)/(N-K) of statsmodels' cluster covariance
    (``sandwich_covariance.cov_cluster``; K counts every column of the design)."""
    return n_groups / (n_groups - 1) * (nobs - 1) / (nobs - k_params)


def _cluster_sums(matrix: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Per-cluster column sums of ``matrix`` (n, m) -> (n_groups, m)."""
    matrix = np.asarray(matrix, dtype=float).reshape(len(codes), -1)
    out = np.empty((n_groups, matrix.shape[1]))
    for j in range(matrix.shape[1]):
        out[:, j] = np.bincount(codes, weights=matrix[:, j], minlength=n_groups)
    return out


def _demean(matrix: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """``matrix`` minus its within-cluster means (absorbs the region fixed effects)."""
    matrix = np.asarray(matrix, dtype=float)
    flat = matrix.reshape(len(codes), -1)
    sizes = np.bincount(codes, minlength=n_groups).astype(float)
    means = _cluster_sums(flat, codes, n_groups) / sizes[:, None]
    return (flat - means[codes]).reshape(matrix.shape)


def _twfe_fit(sample: pd.DataFrame, names: list[str]) -> _TwfeFit:
    """Two-way fixed-effects OLS with region-clustered CR1 covariance, without dummies.

    By the Frisch-Waugh-Lovell theorem (Frisch & Waugh 1933; Lovell 1963; Davidson &
    MacKinnon 2004, sec. 2.4) the coefficients of ``names`` and of the year dummies in
    ``value ~ names + C(region_code) + C(year)`` equal those of the regression of the
    region-demeaned value on the region-demeaned ``names`` and year dummies, with the
    same residuals; and the rows of ``pinv(X)`` for those columns equal ``pinv`` of the
    demeaned design, so the cluster-robust sandwich of those columns is the same too
    (Cameron & Miller 2015, sec. IV.A; the small-sample factor still counts every
    dummy column, as statsmodels does). This replaces a regression with one dummy per
    region (hundreds of columns) by one with ``len(names) + years - 1`` columns.
    """
    codes, _ = pd.factorize(sample["region_code"])
    codes = codes.astype(np.intp)
    n_groups = int(codes.max()) + 1
    years = np.sort(sample["year"].unique())
    year = sample["year"].to_numpy()
    raw = np.column_stack([sample[c].to_numpy(dtype=float) for c in names]
                          + [(year == y).astype(float) for y in years[1:]])
    y = sample["value"].to_numpy(dtype=float)
    design = _demean(raw, codes, n_groups)
    y_dm = _demean(y, codes, n_groups)
    n, k = design.shape
    rank = int(np.linalg.matrix_rank(design)) if k else 0
    k_full = n_groups + k  # intercept + (G - 1) region dummies + the small design
    proj = np.linalg.pinv(design)
    params = proj @ y_dm
    resid = y_dm - design @ params
    if n > k_full:
        bread = proj @ proj.T  # pinv(Z'Z), statsmodels' normalized_cov_params
        scores = _cluster_sums(design * resid[:, None], codes, n_groups)  # G x k
        cov = _cr1_factor(n_groups, n, k_full) * bread @ (scores.T @ scores) @ bread
    else:  # no residual degrees of freedom
        cov = np.full((k, k), _NAN)
    return _TwfeFit(names=list(names), params=params, cov=cov, resid=resid, proj=proj,
                    design=design, codes=codes, n_groups=n_groups, nobs=n, k_full=k_full,
                    full_rank=rank == k, df_resid=n - (n_groups + rank))


def _reference_period(sample: pd.DataFrame) -> int:
    """The event study's omitted period: the latest pre-treatment period (year minus start
    year) observed in a treated region of ``sample`` -- -1 when observed, else -2, ...

    Omitting a period that is never observed would omit nothing: the event dummies
    would then sum to the treated regions' indicator, which the region effects absorb,
    and the design would be rank-deficient.
    """
    rel = (sample["year"] - sample["start_year"]).dropna()
    pre = rel[rel < 0]
    return int(pre.max()) if len(pre) else -1


def _event_dummies(sample: pd.DataFrame, reference: int | None = None
                   ) -> tuple[pd.DataFrame, list[int], list[str]]:
    """``sample`` with one dummy per observed relative period but ``reference``
    (:func:`_reference_period` when None), those periods and the dummies' names."""
    if reference is None:
        reference = _reference_period(sample)
    rel = sample["year"] - sample["start_year"]  # NaN for comparison regions
    rel_years = sorted(int(k) for k in rel.dropna().unique() if int(k) != reference)
    data = sample.copy()
    names = []
    for k in rel_years:
        name = _event_name(k)
        data[name] = (rel == k).astype("float64")
        names.append(name)
    return data, rel_years, names


def _event_table(rel_years: list[int], coef, reference: int = -1
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(events, leads) tables from ``coef(name) -> (estimate, ci_low, ci_upp)``; the
    reference period is a row with estimate 0 and no interval, and not a lead."""
    rows = []
    for k in rel_years:
        est, lo, hi = coef(_event_name(k))
        rows.append({"rel_year": k, "estimate": est, "ci_low": lo, "ci_upp": hi})
    rows.append({"rel_year": reference, "estimate": 0.0, "ci_low": _NAN, "ci_upp": _NAN})
    events = pd.DataFrame(rows, columns=_EVENT_COLUMNS).sort_values("rel_year")
    events = events.reset_index(drop=True).astype({"rel_year": "int64"})
    leads = events[(events["rel_year"] < 0) & (events["rel_year"] != reference)]
    return events, leads.reset_index(drop=True)


def _no_leads_note(notes: list[str], reference: int = -1) -> None:
    notes.append(f"No pre-treatment year other than the reference year ({reference}): "
                 f"the parallel pre-trends test cannot be run.")


def _singular_note(notes: list[str], q: int) -> None:
    notes.append(
        f"The joint pre-trends test on {q} leads cannot be computed: the "
        f"region-clustered covariance is singular (too few regions for that many "
        f"leads).")


def _pretrend_note(notes: list[str], q: int, pvalue: float, n_draws: int, analytic: float) -> None:
    notes.append(
        f"Pre-trends test: joint Wald test that the {q} lead(s) are zero, "
        f"p = {pvalue:.3g} from a wild cluster bootstrap ({n_draws} Rademacher draws, "
        f"null imposed); the analytic clustered F test gives p = {analytic:.3g} "
        f"but over-rejects with few regions.")


def _event_study(sample: pd.DataFrame, ci: float, notes: list[str],
                 covariates: tuple[str, ...] | list[str] = ()
                 ) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Leads/lags event study; returns (leads, all coefficients, joint p-value of leads).

    Fitted by FWL (:func:`_twfe_fit`) with the vectorised wild bootstrap
    (:func:`_wild_cluster_wald_stats`); ``covariates`` are columns of ``sample`` added to
    both the unrestricted and the restricted (no leads) regression. The reference period
    is :func:`_reference_period`. A design that is still rank-deficient (where the dummy
    regression's minimum-norm ``pinv`` solution is not unique to the small design) goes
    to the dummy-variable implementation :func:`_event_study_dummies`.
    """
    reference = _reference_period(sample)
    data, rel_years, names = _event_dummies(sample, reference)
    covariates = list(covariates)
    fit = _twfe_fit(data, names + covariates)
    if not fit.full_rank:
        return _event_study_dummies(sample, ci, notes, covariates)

    def coef(name):
        est, _, lo, hi, _ = fit.t_interval(name, ci)
        return est, lo, hi

    events, leads = _event_table(rel_years, coef, reference)
    lead_names = [_event_name(k) for k in rel_years if k < 0]
    if not lead_names:
        _no_leads_note(notes, reference)
        return leads, events, _NAN
    idx = [names.index(n) for n in lead_names]
    cov = fit.cov[np.ix_(idx, idx)]
    if np.linalg.matrix_rank(cov) < len(idx):
        _singular_note(notes, len(idx))
        return leads, events, _NAN
    b = fit.params[idx]
    analytic = float(stats.f.sf(float(b @ np.linalg.pinv(cov) @ b) / len(idx),
                                len(idx), fit.n_groups - 1))
    lag_names = [_event_name(k) for k in rel_years if k >= 0]
    restricted = _twfe_fit(data, lag_names + covariates)
    y = data["value"].to_numpy(dtype=float)
    observed, boot = _wild_cluster_wald_stats(fit, y - restricted.resid, restricted.resid, idx)
    pvalue = float((boot >= observed - 1e-10).sum()) / len(boot)
    _pretrend_note(notes, len(idx), pvalue, len(boot), analytic)
    return leads, events, pvalue


@functools.lru_cache(maxsize=4)
def _wild_signs(n_groups: int) -> np.ndarray:
    """Rademacher weights, one column per cluster: all 2**G sign patterns when G <= 12
    (exact and deterministic), otherwise 9,999 draws from a fixed seed.

    The same G always gives the same read-only array (kept as int8, the weights being
    -1 and 1), so it is drawn once for all the indicators of a table.
    """
    if n_groups <= 12:
        signs = ((np.arange(2 ** n_groups)[:, None] >> np.arange(n_groups)) & 1) * 2.0 - 1.0
    else:
        signs = np.random.default_rng(_BOOTSTRAP_SEED).choice([-1.0, 1.0],
                                                              size=(9999, n_groups))
    signs = signs.astype(np.int8)
    signs.flags.writeable = False
    return signs


def _wild_cluster_wald_stats(fit: _TwfeFit, fitted_r: np.ndarray, resid_r: np.ndarray,
                             idx: list[int], signs: np.ndarray | None = None,
                             chunk: int = 1024) -> tuple[float, np.ndarray]:
    """Observed and wild cluster restricted (WCR) bootstrap Wald statistics of ``beta[idx] = 0``.

    ``fitted_r``/``resid_r`` are the fitted values and residuals of the restricted
    regression (null imposed); bootstrap sample ``b`` is ``y*_b = fitted_r + w_b[g] *
    resid_r`` with Rademacher weights ``w_b`` per cluster (:func:`_wild_signs` unless
    ``signs`` is given). Each statistic is ``beta*' V*^-1 beta*`` with ``V*`` the CR1
    cluster-robust covariance of the unrestricted regression on ``y*`` (so the
    bootstrap is of the studentised statistic, as Cameron, Gelbach & Miller 2008).

    Nothing is refitted per draw (Roodman, MacKinnon, Nielsen & Webb 2019, "Fast and
    wild", sec. 3-5): ``beta*`` and the residuals are linear in ``y*``, hence in
    ``w``, so with ``P = pinv(Z)`` (rows ``P_L`` for the tested coefficients)
    ``beta*_L(w) = P_L fitted_r + A w`` with ``A[:, h] = sum_{i in h} P_L[:, i] u_i``
    (``u`` = restricted residuals), and the cluster scores
    ``s_g(w) = sum_{i in g} P_L[:, i] e*_i(w)`` are ``s0_g + w_g D_g - F_g Q w`` with
    ``e*(w) = M y*``, ``Q[:, h] = sum_{i in h} P[:, i] u_i`` and
    ``F_g = sum_{i in g} P_L[:, i] Z_i``: all draws come from a few matrix products of
    size (draws x clusters x columns of the small design). The statistics equal those
    of refitting the full dummy regression on every ``y*`` (checked in the tests).
    """
    codes, G = fit.codes, fit.n_groups
    P, Z = fit.proj, fit.design
    PL = P[idx]  # q x n
    q = len(idx)
    scale = fit.scale
    # observed statistic, from the unrestricted fit
    b_obs = fit.params[idx]
    observed = float(b_obs @ np.linalg.pinv(fit.cov[np.ix_(idx, idx)]) @ b_obs)

    sizes = np.bincount(codes, minlength=G).astype(float)
    # demeaning of w_g * u_i within cluster g: w_g * (u_i - mean_g(u))
    u = np.asarray(resid_r, dtype=float)
    u_c = u - (np.bincount(codes, weights=u, minlength=G) / sizes)[codes]
    f = np.asarray(fitted_r, dtype=float)
    f_dm = _demean(f, codes, G)
    b0 = PL @ f_dm  # q: leads of the restricted fit (zero up to rounding)
    e_f = f_dm - Z @ (P @ f_dm)  # M fitted_r, zero up to rounding
    Q = _cluster_sums((P * u).T, codes, G).T  # k x G
    A = Q[idx]  # q x G
    s0 = _cluster_sums((PL * e_f).T, codes, G)  # G x q
    D = _cluster_sums((PL * u_c).T, codes, G)  # G x q
    F = np.stack([_cluster_sums(PL[j][:, None] * Z, codes, G) for j in range(q)])  # q x G x k

    if signs is None:
        signs = _wild_signs(G)
    out = np.empty(len(signs))
    for start in range(0, len(signs), chunk):
        W = signs[start:start + chunk].astype(np.float64)  # B x G
        beta = b0[None, :] + W @ A.T  # B x q
        WQ = W @ Q.T  # B x k
        S = np.empty((len(W), G, q))
        for j in range(q):
            S[:, :, j] = s0[None, :, j] + W * D[None, :, j] - WQ @ F[j].T
        cov = scale * (S.transpose(0, 2, 1) @ S)  # B x q x q: sum over clusters
        out[start:start + chunk] = np.einsum("bi,bij,bj->b", beta, np.linalg.pinv(cov), beta)
    return observed, out


# ------------------------------------------------- dummy-variable implementation (reference)


def _fit_cluster(formula: str, sample: pd.DataFrame):
    groups = pd.factorize(sample["region_code"])[0]
    return smf.ols(formula, data=sample).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


def _event_study_dummies(sample: pd.DataFrame, ci: float, notes: list[str],
                         covariates: tuple[str, ...] | list[str] = ()
                         ) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """:func:`_event_study` with one dummy column per region (statsmodels formula OLS).

    Used when the event-study design is rank-deficient even with the reference period
    omitted (statsmodels' ``pinv`` then picks the minimum-norm solution of the full
    dummy design, and a note says the coefficients are not uniquely determined; its
    warnings are not passed on), and as the reference the fast path is tested against.
    Slow with hundreds of regions.
    """
    reference = _reference_period(sample)
    data, rel_years, names = _event_dummies(sample, reference)
    rhs = " + ".join([*names, *covariates, "C(region_code)", "C(year)"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rank deficiency is reported in a note instead
        res = _fit_cluster("value ~ " + rhs, data)
        if res.model.rank < res.model.exog.shape[1]:
            notes.append(
                "The event-study regression is rank-deficient even with the reference "
                f"period ({reference}) omitted (some relative years cannot be separated "
                "from the year effects): its coefficients are a minimum-norm solution, "
                "not uniquely determined, and should not be interpreted.")
        conf = res.conf_int(alpha=1 - ci)
        events, leads = _event_table(rel_years, lambda name: (
            float(res.params[name]), float(conf.loc[name, 0]), float(conf.loc[name, 1])),
            reference)

        lead_names = [_event_name(k) for k in rel_years if k < 0]
        if not lead_names:
            _no_leads_note(notes, reference)
            return leads, events, _NAN
        idx = [list(res.params.index).index(n) for n in lead_names]
        restriction = np.zeros((len(idx), len(res.params)))
        restriction[np.arange(len(idx)), idx] = 1.0
        cov = restriction @ np.asarray(res.cov_params()) @ restriction.T
        if np.linalg.matrix_rank(cov) < len(idx):
            _singular_note(notes, len(idx))
            return leads, events, _NAN
        test = res.wald_test(restriction, use_f=True, scalar=True)
        lag_names = [_event_name(k) for k in rel_years if k >= 0]
        restricted = smf.ols("value ~ " + " + ".join(
            [*lag_names, *covariates, "C(region_code)", "C(year)"]), data=data).fit()
        pvalue, n_draws = _wild_cluster_wald_pvalue(res, restricted, idx,
                                                    pd.factorize(data["region_code"])[0])
    _pretrend_note(notes, len(idx), pvalue, n_draws, float(test.pvalue))
    return leads, events, pvalue


def _wild_cluster_wald_pvalue(res, restricted, idx: list[int], groups: np.ndarray,
                              signs: np.ndarray | None = None) -> tuple[float, int]:
    """WCR bootstrap p-value of ``beta[idx] = 0`` by refitting the dummy regression per draw."""
    observed, stats_ = _wild_cluster_wald_refit(res, restricted, idx, groups, signs)
    return float((stats_ >= observed - 1e-10).sum()) / len(stats_), len(stats_)


def _wild_cluster_wald_refit(res, restricted, idx: list[int], groups: np.ndarray,
                             signs: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Observed and bootstrap Wald statistics, each bootstrap sample refitted.

    The direct implementation of :func:`_wild_cluster_wald_stats` (the reference it is
    tested against): Rademacher weights per cluster (:func:`_wild_signs`), each
    bootstrap sample refitted through ``pinv`` of the full dummy design ``res`` (a
    statsmodels OLS result; ``restricted`` the fit with the null imposed).
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
    if signs is None:
        signs = _wild_signs(n_groups)
    fitted = np.asarray(restricted.fittedvalues, dtype=float)
    resid = np.asarray(restricted.resid, dtype=float)
    out = np.empty(len(signs))
    for start in range(0, len(signs), 512):
        w = signs[start:start + 512][:, groups].astype(np.float64)  # B x n
        out[start:start + 512] = wald(fitted[None, :] + w * resid[None, :])
    return float(observed), out


# --------------------------------------------------------------------------- public API


def did_estimate(values: pd.DataFrame, partnerships: pd.DataFrame, *, indicator_id=None,
                 y: str = "value", unit: str = "region_code", time: str = "year",
                 start: str = "start_year", indicator: str = "indicator_id",
                 covariates: str | None = None, min_pre_periods: int = 2,
                 min_treated: int = 2, min_control: int = 2,
                 ci: float = CI_LEVEL) -> DidResult:
    """Difference-in-differences effect of a partnership on one M&E indicator.

    Fits the two-way fixed-effects (TWFE) regression, in levels of the indicator
    (no log transform, so the effect is in the indicator's own units),

    ``value ~ treated_post [+ covariates] + C(region_code) + C(year)``

    with ordinary least squares, where ``treated_post`` is 1 for a treated region in
    and after its (earliest) partnership start year ([1], ch. 5). Standard errors are
    clustered by region (``cov_type="cluster"``, the CR1 small-sample factor
    G/(G-1) * (N-1)/(N-K) of statsmodels, K counting every fixed-effect column; [2],
    [7]) and inference uses the t distribution with (number of regions - 1) degrees of
    freedom, because M&E panels have few regions.

    Parallel pre-trends are checked with an event study: the same fixed effects (and
    covariates) plus one dummy per observed year relative to the start year (leads
    and lags 0, 1, ...) except the **reference period**, clustered by region, and a
    joint Wald test that all estimated leads are zero (one restriction per lead).
    The reference period is the latest pre-treatment period observed in a treated
    region: -1 (the year before the start) when it is observed, otherwise -2, -3, ...
    (e.g. -2 for an indicator measured every two years with starts in measured
    years). Exactly one observed pre-period must be omitted for the event-study
    design to be identified, and the coefficients are then effects relative to that
    period ([5]; [11], sec. 2); it is ``reference_period`` of the result and
    named in ``notes`` when it is not -1. The test's p-value comes from a wild
    cluster restricted bootstrap ([8]; Rademacher weights by region, null imposed;
    all 2**G sign patterns when there are G <= 12 regions, else 9,999 draws from a
    fixed seed), because the analytic clustered F test (``wald_test``) over-rejects
    badly with few regions: about 30% instead of 5% in a 12-region simulation,
    against about 6% for the bootstrap. The analytic p-value is still reported in
    ``notes``.

    Parameters
    ----------
    values : pandas.DataFrame
        Long table, one row per region and year (and indicator): columns ``unit``,
        ``time``, ``y`` and, unless the table holds one series, ``indicator``. Rows
        with a missing ``y`` (or a missing covariate) are dropped and counted in
        ``notes``.
    partnerships : pandas.DataFrame
        Columns ``unit`` and ``start``; several rows per region are allowed (the
        earliest start year counts). Regions of ``values`` without a row are
        comparison regions.
    indicator_id : optional
        The series to analyse (compared with ``values[indicator]``). May be omitted
        when ``values`` holds one series (no ``indicator`` column, or a single id in
        it); with several ids and none chosen a ``ValueError`` names them.
    y, unit, time : str, default "value", "region_code", "year"
        Columns of ``values``: the outcome, the unit (region; the fixed effect and
        the cluster) and the whole-numbered period (the time fixed effect).
    start : str, default "start_year"
        Column of ``partnerships`` with the first treated period of a unit.
    indicator : str, default "indicator_id"
        Column of ``values`` that names the series.
    covariates : str, optional
        A patsy right-hand side of time-varying unit covariates, columns of
        ``values`` (e.g. ``"x + C(group)"``), added to the DiD and the event-study
        regressions (and to the bootstrap's restricted regression). The intercept is
        dropped (the fixed effects hold it); a covariate that is constant within
        every unit (or otherwise collinear with the fixed effects) raises
        ``ValueError``. Functions in the formula resolve in the caller's namespace.
    min_pre_periods : int, default 2
        Observed years before the start year a treated region needs to be used.
        Treated regions with fewer (in particular, regions whose partnership started
        at or before their first observed year) are excluded and listed in ``notes``.
    min_treated, min_control : int, default 2
        Minimum treated regions (with enough pre-treatment years) and comparison
        regions; at least one of each is always required.
    ci : float, default :data:`~evalkit.core.config.CI_LEVEL`
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
        numbers, ``y`` is not numeric, duplicated region-year rows, several series
        and no ``indicator_id``, covariates that cannot be evaluated or are collinear
        with the fixed effects, or invalid arguments.

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

    Computation: no region dummies are built. The region fixed effects are absorbed by
    demeaning within region (Frisch-Waugh-Lovell; [10]), which gives the dummy
    regression's coefficients, residuals and cluster-robust covariance exactly (the
    small-sample factor counts the absorbed dummies, as statsmodels does). The wild
    bootstrap refits nothing per draw: every bootstrap coefficient and cluster score is
    linear in the cluster weights, so all draws come from a few matrix products ([9],
    sec. 5). Both are checked in the tests against the dummy regression
    (``statsmodels`` OLS, ``cov_type="cluster"``) and the per-draw refit. An
    event-study design that is rank-deficient even with the reference period omitted
    is fitted as the dummy regression (statsmodels' minimum-norm ``pinv`` solution)
    and flagged in ``notes`` as not uniquely determined.

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
    .. [10] Lovell, M. C. (1963). Seasonal adjustment of economic time series and
       multiple regression analysis. *JASA*, 58(304), 993-1010; Davidson, R., &
       MacKinnon, J. G. (2004). *Econometric Theory and Methods*, sec. 2.4. Oxford
       University Press.
    .. [11] Freyaldenhoven, S., Hansen, C., Pérez, J. P., & Shapiro, J. M. (2021).
       Visualization, identification, and estimation in the linear panel event-study
       design. NBER Working Paper 29170.

    Examples
    --------
    A table in its own column names, one series, one covariate:

    >>> rng = np.random.default_rng(0)
    >>> panel = pd.DataFrame([{"unit": u, "t": t, "x": rng.normal(), "y": rng.normal()
    ...                        + 2.0 * (u < 3 and t >= 4)} for u in range(6) for t in range(8)])
    >>> starts = pd.DataFrame({"unit": [0, 1, 2], "first": 4})
    >>> res = did_estimate(panel, starts, y="y", unit="unit", time="t", start="first",
    ...                    covariates="x")
    >>> res.supported, res.reference_period, res.nobs
    (True, -1, 48)
    """
    if not 0 < ci < 1:
        raise ValueError(f"`ci` must be between 0 and 1, got {ci!r}.")
    for name, val in (("min_pre_periods", min_pre_periods), ("min_treated", min_treated),
                      ("min_control", min_control)):
        if not isinstance(val, (int, np.integer)) or isinstance(val, bool) or val < 0:
            raise ValueError(f"`{name}` must be a non-negative integer, got {val!r}.")
    for name, val in (("y", y), ("unit", unit), ("time", time), ("start", start),
                      ("indicator", indicator)):
        if not isinstance(val, str) or not val:
            raise ValueError(f"`{name}` must be a column name (a non-empty string), "
                             f"got {val!r}.")
    roles = _Roles(y=y, unit=unit, time=time, indicator=indicator, start=start)
    has_indicator = indicator_id is not None or (
        isinstance(values, pd.DataFrame) and indicator in values.columns)
    data = _clean_values(values, roles, has_indicator=has_indicator)
    starts = _clean_partnerships(partnerships, roles)
    cov_names: list[str] = []
    cov_terms: list[str] = []
    if covariates is not None:
        matrix, cov_terms = _covariate_design(values, covariates,
                                              patsy.EvalEnvironment.capture(1))
        cov_names = [f"{_COVARIATE_PREFIX}{i}" for i in range(len(cov_terms))]
        for i, name in enumerate(cov_names):
            data[name] = matrix[:, i]
    notes: list[str] = []

    sub, indicator_id = _select_series(data, indicator_id, roles, has_indicator)
    label = "the series" if indicator_id is None else f"indicator {indicator_id!r}"
    if sub.empty:
        return _unsupported([f"Indicator {indicator_id!r} is not in `values`: "
                             f"there is nothing to estimate."], "no_indicator", level=ci)
    n_missing = int(sub["value"].isna().sum())
    if n_missing:
        notes.append(f"{n_missing} region-year row(s) with a missing value were dropped.")
    sub = sub.dropna(subset=["value"])
    if cov_names:
        no_cov = sub[cov_names].isna().any(axis=1)
        if no_cov.any():
            notes.append(f"{int(no_cov.sum())} region-year row(s) with a missing covariate "
                         f"({covariates}) were dropped.")
            sub = sub[~no_cov]
    if sub.empty:
        return _unsupported(notes + [f"{label[0].upper()}{label[1:]} has no non-missing "
                                     f"values: there is nothing to estimate."], "no_values",
                            level=ci)

    last_year = int(sub["year"].max())
    absent = sorted(set(starts.index) - set(sub["region_code"]))
    if absent:
        notes.append(f"{len(absent)} region(s) with a partnership have no data for "
                     f"{label} and are not used: {', '.join(absent)}.")

    treated, control = [], []
    for region, years in sub.groupby("region_code", sort=True)["year"]:
        if region not in starts.index:
            control.append(region)
            continue
        first = int(starts[region])
        n_pre = int((years < first).sum())
        n_post = int((years >= first).sum())
        if first > last_year:
            control.append(region)
            notes.append(f"Region {region}: partnership starts in {first}, after the last "
                         f"observed year {last_year}; used as a comparison region.")
        elif n_post == 0:
            notes.append(f"Region {region} excluded: no observation in or after its "
                         f"partnership start year {first}.")
        elif n_pre == 0:
            notes.append(f"Region {region} excluded: its partnership started in {first}, "
                         f"at or before its first observed year {int(years.min())}, so it "
                         f"has no pre-treatment period.")
        elif n_pre < min_pre_periods:
            notes.append(f"Region {region} excluded: only {n_pre} pre-treatment year(s) "
                         f"before its start year {first}; at least {min_pre_periods} "
                         f"are required.")
        else:
            treated.append(region)

    reasons, codes = [], []
    need_treated, need_control = max(min_treated, 1), max(min_control, 1)
    if len(treated) < need_treated:
        reasons.append(
            f"Not supported: only {len(treated)} treated region(s) with at least "
            f"{min_pre_periods} pre-treatment year(s); at least {need_treated} are needed.")
        codes.append("few_treated")
    if len(control) == 0:
        reasons.append("Not supported: there are no comparison regions (regions without "
                       "a partnership), so there is nothing to compare the treated "
                       "regions with.")
        codes.append("no_control")
    elif len(control) < need_control:
        reasons.append(f"Not supported: only {len(control)} comparison region(s) without a "
                       f"partnership; at least {need_control} are needed.")
        codes.append("few_control")
    if reasons:
        return _unsupported(notes + reasons, codes[0], n_treated=len(treated),
                            n_control=len(control), level=ci)

    sample = sub[sub["region_code"].isin(treated + control)].copy()
    sample["start_year"] = sample["region_code"].map(
        {r: float(starts[r]) for r in treated}).astype("float64")
    sample["treated_post"] = (sample["year"] >= sample["start_year"]).astype("float64")
    sample = sample.reset_index(drop=True)
    counts = dict(n_treated=len(treated), n_control=len(control))

    if sample["value"].nunique() < 2:
        return _unsupported(notes + ["Not supported: the indicator has no variation "
                                     "(every value is the same)."], "no_variation",
                            level=ci, **counts)
    fit = _twfe_fit(sample, ["treated_post", *cov_names])
    if cov_names and not fit.full_rank and _twfe_fit(sample, ["treated_post"]).full_rank:
        _raise_collinear_covariates(sample, cov_names, cov_terms, covariates, roles)
    if not fit.full_rank or fit.df_resid <= 0:
        return _unsupported(notes + ["Not supported: the treatment cannot be separated "
                                     "from region and year effects (no variation in "
                                     "treatment timing left after the fixed effects, or "
                                     "too few observations)."], "not_identified",
                            level=ci, **counts)

    estimate, se, ci_low, ci_upp, pvalue = fit.t_interval("treated_post", ci)
    if cov_terms:
        notes.append(f"Covariates in the DiD and event-study regressions: "
                     f"{', '.join(cov_terms)} ({covariates}).")
    if sample["start_year"].dropna().nunique() > 1:
        notes.append("Staggered adoption (several start years): the TWFE estimate is a "
                      "weighted average of two-by-two comparisons and can be biased when "
                      "effects differ by cohort or over time (Goodman-Bacon 2021; "
                      "Callaway & Sant'Anna 2021).")
    reference = _reference_period(sample)
    if reference != -1:
        notes.append(f"Event study: the year before the start (-1) is never observed in a "
                     f"treated region, so the reference period is {reference}, the latest "
                     f"observed pre-treatment period; leads and lags are relative to it.")
    leads, events, pre_p = _event_study(sample, ci, notes, cov_names)
    if not math.isnan(pre_p) and pre_p < 0.05:
        notes.append(f"Pre-trends test rejects parallel pre-treatment trends "
                     f"(p = {pre_p:.3g}): the DiD estimate may be biased.")
    return DidResult(
        estimate=estimate, se=se, ci_low=ci_low, ci_upp=ci_upp, pvalue=pvalue,
        nobs=fit.nobs, pretrend_pvalue=pre_p, leads=leads, supported=True, notes=notes,
        event_study=events, level=ci, reference_period=reference, **counts)


def _raise_collinear_covariates(sample: pd.DataFrame, cov_names: list[str],
                                cov_terms: list[str], covariates: str, roles: _Roles) -> None:
    """Raise the ValueError for covariates the fixed effects absorb, naming them."""
    codes, _ = pd.factorize(sample["region_code"])
    n_groups = int(codes.max()) + 1
    within = _demean(sample[cov_names].to_numpy(dtype=float), codes, n_groups)
    constant = [t for t, col in zip(cov_terms, within.T, strict=True)
                if np.allclose(col, 0.0, atol=1e-12)]
    if constant:
        raise ValueError(
            f"`covariates` term(s) {constant} of {covariates!r} do not vary within any "
            f"unit ('{roles.unit}'): the unit fixed effects absorb them. Use time-varying "
            f"covariates only.")
    raise ValueError(
        f"`covariates` {covariates!r} (columns {cov_terms}) are collinear with the unit "
        f"('{roles.unit}') and time ('{roles.time}') fixed effects and the treatment; "
        f"drop the redundant term(s).")
