"""Progress of M&E indicators toward the targets agreed at the start of a partnership.

This module owns the *outcomes* part of a regional evaluation: for each agreed
indicator it compares the latest value with the baseline and the target and assigns a
status, following the progress-assessment method published by Open SDG (sdg-build
``ProgressMeasure``; Statistics Canada's method, adapted from Eurostat's SDG monitoring
reports). It also fits a simple linear trend with a prediction interval for charts and
narrative, and builds the tidy per-region progress table used by reports.

Everything here is pure: Series/DataFrames in, results out; no file I/O, no printing.

Status keys (one vocabulary, used everywhere)::

    target_achieved, on_track, acceleration_needed, limited_progress,
    deterioration, insufficient_data

and the three-way summary used in Indonesian SDG monitoring (plus a fourth key for
indicators that cannot be judged)::

    achieved, on_track, needs_attention, insufficient_data

The status -> summary mapping is :data:`STATUS_SUMMARY` below. Only the keys live here:
their labels (Indonesian and English) are the presentation's
(:func:`evalkit.present.i18n.status_label`, :func:`evalkit.present.i18n.status_summary`),
and so are their report colours (:data:`evalkit.present.colours.STATUS_COLORS`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.core.checks import require_columns
from evalkit.core.config import CI_LEVEL

__all__ = [
    "DEFAULT_THRESHOLDS",
    "PROGRESS_TABLE_COLUMNS",
    "STATUSES",
    "STATUS_SUMMARY",
    "SUMMARY_KEYS",
    "TRENDS_COLUMNS",
    "ZERO_TARGET_SUBSTITUTE",
    "ProgressResult",
    "ProgressThresholds",
    "TrendResult",
    "achievement_ratio",
    "assess_progress",
    "fit_trend",
    "fit_trends",
    "progress_table",
    "summary_key",
]

Direction = Literal["higher", "lower"]
_DIRECTIONS = ("higher", "lower")

# ---------------------------------------------------------------------------------
# Thresholds (one place)
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressThresholds:
    """Band limits of the progress assessment.

    Defaults are those of Open SDG / sdg-build (``get_progress_thresholds``:
    ``{'high': 0.95, 'med': 0.6, 'low': 0}`` with a target, ``{'high': 0.015,
    'med': 0.005, 'low': 0}`` without), i.e. Statistics Canada's method after
    Eurostat's.

    Attributes
    ----------
    ratio_on_track : float
        With a target: ratio of observed to required growth at or above which the
        indicator is ``on_track`` (Open SDG "substantial progress"). Default 0.95.
    ratio_acceleration : float
        With a target: lower limit of ``acceleration_needed`` (Open SDG "moderate
        progress"). Default 0.6.
    ratio_limited : float
        With a target: lower limit of ``limited_progress``; below it,
        ``deterioration``. Default 0.
    growth_on_track : float
        Without a target: observed compound annual growth (in the desired direction)
        at or above which the indicator is ``on_track``. Default 0.015 (1.5 % a year).
    growth_acceleration : float
        Without a target: lower limit of ``acceleration_needed``. Default 0.005.
    growth_limited : float
        Without a target: lower limit of ``limited_progress``; below it,
        ``deterioration``. Default 0.

    References
    ----------
    .. [1] Open SDG, sdg-build ``sdg/ProgressMeasure.py`` (progress calculation),
       https://github.com/open-sdg/sdg-build
    .. [2] Open SDG documentation, "Progress status",
       https://open-sdg.readthedocs.io/en/latest/progress-status/
    .. [3] Eurostat (2023). *Sustainable development in the European Union —
       Monitoring report on progress towards the SDGs in an EU context*, Annex II
       (methodology for assessing indicator trends).
    """

    ratio_on_track: float = 0.95
    ratio_acceleration: float = 0.6
    ratio_limited: float = 0.0
    growth_on_track: float = 0.015
    growth_acceleration: float = 0.005
    growth_limited: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"threshold {f.name!r} must be a finite number, got {value!r}")
        if not self.ratio_on_track >= self.ratio_acceleration >= self.ratio_limited:
            raise ValueError(
                "thresholds must satisfy ratio_on_track >= ratio_acceleration >= ratio_limited, "
                f"got {self.ratio_on_track}, {self.ratio_acceleration}, {self.ratio_limited}"
            )
        if not self.growth_on_track >= self.growth_acceleration >= self.growth_limited:
            raise ValueError(
                "thresholds must satisfy growth_on_track >= growth_acceleration >= growth_limited, "
                f"got {self.growth_on_track}, {self.growth_acceleration}, {self.growth_limited}"
            )


#: Default band limits (Open SDG / Statistics Canada / Eurostat); override per call
#: with ``thresholds=`` (a :class:`ProgressThresholds` or a dict of the fields to change).
DEFAULT_THRESHOLDS = ProgressThresholds()

#: A target of exactly 0 makes the required growth rate -100 % whatever the horizon;
#: Open SDG replaces it by 0.001 in the required-growth calculation (sdg-build
#: ``SeriesProgress.__init__``). evalkit does the same, but only there: whether the
#: target is met is still judged against the agreed target 0.
ZERO_TARGET_SUBSTITUTE = 0.001

# ---------------------------------------------------------------------------------
# Status vocabulary, labels and colours (one place)
# ---------------------------------------------------------------------------------

#: Status keys, best to worst, then "cannot be judged".
STATUSES: tuple[str, ...] = (
    "target_achieved",
    "on_track",
    "acceleration_needed",
    "limited_progress",
    "deterioration",
    "insufficient_data",
)

#: Summary keys of the three-way classification used in Indonesian SDG monitoring
#: (Bappenas: "sudah tercapai" / "akan tercapai" / "perlu perhatian khusus"), plus
#: ``insufficient_data``, kept apart on purpose: an indicator without enough data
#: has not been shown to need attention, and reports should say "we cannot tell"
#: rather than count it among the off-track ones.
SUMMARY_KEYS: tuple[str, ...] = ("achieved", "on_track", "needs_attention", "insufficient_data")

#: Status -> summary key.
STATUS_SUMMARY: dict[str, str] = {
    "target_achieved": "achieved",
    "on_track": "on_track",
    "acceleration_needed": "needs_attention",
    "limited_progress": "needs_attention",
    "deterioration": "needs_attention",
    "insufficient_data": "insufficient_data",
}


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(f"unknown progress status {status!r}; expected one of {', '.join(STATUSES)}")
    return status


def summary_key(status: str) -> str:
    """Three-way summary key of a status (see :data:`STATUS_SUMMARY`).

    ``target_achieved`` -> ``achieved``; ``on_track`` -> ``on_track``;
    ``acceleration_needed``, ``limited_progress``, ``deterioration`` ->
    ``needs_attention``; ``insufficient_data`` -> ``insufficient_data``.

    Examples
    --------
    >>> summary_key("limited_progress")
    'needs_attention'
    """
    return STATUS_SUMMARY[_check_status(status)]


# ---------------------------------------------------------------------------------
# Progress assessment
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressResult:
    """Outcome of :func:`assess_progress` for one indicator series.

    Attributes
    ----------
    status : str
        One of :data:`STATUSES`.
    ratio : float or None
        Observed / required growth (with a target; ``None`` without a target or when
        it could not be computed; NaN when the required growth is exactly 0).
    growth : float or None
        Observed compound annual growth rate between base and latest year
        (``None`` when it could not be computed).
    required_growth : float or None
        Compound annual growth rate needed from the base year to reach the target by
        ``target_year`` (``None`` without a target or when not computable).
    base_year, base_value : int or None, float or None
        Base actually used (``base_year`` argument, or the first later year with data).
    latest_year, latest_value : int or None, float or None
        Last year with data.
    target : float or None
        The agreed target as given (not the 0.001 substitute).
    target_year : int
    direction : {"higher", "lower"}
    reason : str
        Short English explanation of the status.
    """

    #: Columns of :meth:`to_frame`, in order: the attributes, then :attr:`summary`.
    FRAME_COLUMNS: ClassVar[tuple[str, ...]] = (
        "status", "summary", "ratio", "growth", "required_growth", "base_year", "base_value",
        "latest_year", "latest_value", "target", "target_year", "direction", "reason")

    status: str
    ratio: float | None
    growth: float | None
    required_growth: float | None
    base_year: int | None
    base_value: float | None
    latest_year: int | None
    latest_value: float | None
    target: float | None
    target_year: int
    direction: str
    reason: str

    @property
    def summary(self) -> str:
        """Three-way summary key of :attr:`status` (see :func:`summary_key`)."""
        return summary_key(self.status)

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame, columns :attr:`FRAME_COLUMNS`.

        Numbers that are ``None`` here are missing in the frame: NaN in the float
        columns, ``<NA>`` in the nullable-integer ``base_year`` and ``latest_year``.
        """
        row = {name: getattr(self, name) for name in self.FRAME_COLUMNS}
        frame = pd.DataFrame([row], columns=list(self.FRAME_COLUMNS))
        floats = ["ratio", "growth", "required_growth", "base_value", "latest_value", "target"]
        frame[floats] = frame[floats].astype("float64")  # None -> NaN
        years = ["base_year", "latest_year", "target_year"]
        frame[years] = frame[years].astype("Int64")
        return frame


def _check_direction(direction: object) -> str:
    text = str(direction).strip().lower() if direction is not None else ""
    if text not in _DIRECTIONS:
        raise ValueError(
            f"direction must be 'higher' (higher is better) or 'lower' (lower is better), "
            f"got {direction!r}"
        )
    return text


def _resolve_thresholds(
    thresholds: ProgressThresholds | Mapping[str, float] | None,
) -> ProgressThresholds:
    if thresholds is None:
        return DEFAULT_THRESHOLDS
    if isinstance(thresholds, ProgressThresholds):
        return thresholds
    if isinstance(thresholds, Mapping):
        known = {f.name for f in fields(ProgressThresholds)}
        unknown = set(thresholds) - known
        if unknown:
            raise ValueError(
                f"unknown threshold name(s) {sorted(unknown)}; valid names: {sorted(known)}"
            )
        return replace(DEFAULT_THRESHOLDS, **thresholds)
    raise TypeError(
        f"thresholds must be a ProgressThresholds, a dict or None, got {type(thresholds).__name__}"
    )


def _is_missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _clean_series(series: pd.Series) -> pd.Series:
    """Year-indexed float Series without NaN, sorted by year; errors on bad input."""
    if not isinstance(series, pd.Series):
        raise TypeError(f"series must be a pandas Series indexed by year, got {type(series).__name__}")
    try:
        years = pd.Index(series.index).astype("int64")
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"series index must be years (integers), got {list(series.index[:5])!r}..."
        ) from exc
    if (years != pd.Index(series.index).astype("float64")).any():
        raise ValueError("series index must be whole years, found fractional values")
    try:
        values = pd.to_numeric(pd.Series(series.to_numpy(), index=years), errors="raise")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"series values must be numeric: {exc}") from exc
    values = values.astype("float64").dropna()
    dupes = values.index[values.index.duplicated()].unique()
    if len(dupes):
        raise ValueError(
            f"series has more than one value for year(s) {sorted(int(y) for y in dupes)}; "
            "keep one value per year"
        )
    return values.sort_index()


def _cagr(end: float, start: float, years: float) -> float:
    """Compound annual growth rate ``(end/start)**(1/years) - 1``."""
    return (end / start) ** (1.0 / years) - 1.0


def _band(value: float, on_track: float, acceleration: float, limited: float) -> str:
    if value >= on_track:
        return "on_track"
    if value >= acceleration:
        return "acceleration_needed"
    if value >= limited:
        return "limited_progress"
    return "deterioration"


def assess_progress(
    series: pd.Series,
    *,
    target: float | None = None,
    target_year: int = 2030,
    base_year: int = 2015,
    direction: Direction = "higher",
    thresholds: ProgressThresholds | Mapping[str, float] | None = None,
) -> ProgressResult:
    """Assess an indicator's progress toward its target (Open SDG method).

    Parameters
    ----------
    series : pandas.Series
        Indicator values indexed by year (int). NaN values are dropped; one value per
        year.
    target : float, optional
        Agreed target value. ``None`` (or NaN) assesses the observed growth alone.
    target_year : int, default 2030
        Year by which the target should be reached.
    base_year : int, default 2015
        Base year. If it has no data, the first later year with data is used. Years
        before ``base_year`` are ignored.
    direction : {"higher", "lower"}, default "higher"
        Whether higher or lower values are better (e.g. ``"lower"`` for a poverty rate).
    thresholds : ProgressThresholds or dict, optional
        Band limits; a dict overrides only the named fields of
        :data:`DEFAULT_THRESHOLDS`.

    Returns
    -------
    ProgressResult
        Status, growth rates, ratio, base/latest points and a short reason.

    Raises
    ------
    ValueError
        For malformed input (non-year index, non-numeric values, duplicate years,
        unknown direction or thresholds). Data that cannot be judged never raises: it
        gives ``insufficient_data`` with the reason.

    Notes
    -----
    Let :math:`t_0` be the base year, :math:`t` the latest year with data and
    :math:`x_0, x_t` their values. The observed compound annual growth rate is

    .. math:: \\mathrm{CAGR}_o = (x_t / x_0)^{1/(t - t_0)} - 1.

    **With a target** :math:`x^*` for year :math:`T`: if :math:`x_t` already meets
    the target (:math:`x_t \\ge x^*` when higher is better, :math:`x_t \\le x^*` when
    lower is better) the status is ``target_achieved``. Otherwise

    .. math:: \\mathrm{CAGR}_r = (x^* / x_0)^{1/(T - t_0)} - 1, \\qquad
              r = s \\cdot \\mathrm{CAGR}_o / |\\mathrm{CAGR}_r|,

    with :math:`s = +1` if higher is better and :math:`-1` if lower is better
    (sdg-build's formulation). When the target lies in the desired direction from the
    base — the normal case — :math:`r = \\mathrm{CAGR}_o / \\mathrm{CAGR}_r`, so for a
    falling poverty rate both rates are negative and the ratio positive. (If the
    target lies on the "wrong" side of the base, the plain quotient would call a
    regression progress; the :math:`s/|\\cdot|` form keeps the sign meaning "moving in
    the desired direction".) Bands: :math:`r \\ge 0.95` ``on_track``,
    :math:`0.6 \\le r < 0.95` ``acceleration_needed``, :math:`0 \\le r < 0.6`
    ``limited_progress``, :math:`r < 0` ``deterioration``. A target of 0 is replaced
    by 0.001 in :math:`\\mathrm{CAGR}_r` only (:data:`ZERO_TARGET_SUBSTITUTE`). If the
    target equals the base value, :math:`\\mathrm{CAGR}_r = 0`, the ratio is NaN and a
    not-yet-met target means ``deterioration``.

    **Without a target**: :math:`g = s \\cdot \\mathrm{CAGR}_o`, banded at 0.015
    (``on_track``; Open SDG "substantial progress"), 0.005 (``acceleration_needed``;
    "moderate progress") and 0 (``limited_progress``); below 0 ``deterioration``.

    **Cannot be judged** (``insufficient_data``, with the reason; no exception):
    no data from ``base_year`` on; only one year of data (unless that value already
    meets the target — whether a target is met needs no trend, as in sdg-build);
    base value :math:`\\le 0` or latest value :math:`< 0` (the CAGR is undefined or
    meaningless: transform such indicators, e.g. to a rate, before assessing); a
    negative target; a target year not after the base year. Note that sdg-build
    instead replaces a base value of 0 by 0.001, which turns any rise from zero into
    an enormous growth rate; evalkit prefers to say it cannot judge.

    References
    ----------
    .. [1] Open SDG, sdg-build ``sdg/ProgressMeasure.py``,
       https://github.com/open-sdg/sdg-build
    .. [2] Open SDG documentation, "Progress status",
       https://open-sdg.readthedocs.io/en/latest/progress-status/
    .. [3] Statistics Canada, *Canada's Sustainable Development Goals Data Hub*,
       methodology for measuring progress (adapted from Eurostat).
    .. [4] Eurostat (2023). *Sustainable development in the European Union*,
       Annex II: methodology for assessing indicator trends.

    Examples
    --------
    >>> s = pd.Series({2015: 100.0, 2020: 110.0})
    >>> r = assess_progress(s, target=150.0, target_year=2030)
    >>> r.status, round(r.growth, 6), round(r.required_growth, 6), round(r.ratio, 4)
    ('acceleration_needed', 0.019245, 0.0274, 0.7024)
    """
    direction = _check_direction(direction)
    th = _resolve_thresholds(thresholds)
    values = _clean_series(series)
    return _assess_clean(values.index.to_numpy(dtype="int64"), values.to_numpy(dtype="float64"),
                         target=target, target_year=target_year, base_year=base_year,
                         direction=direction, th=th)


def _assess_clean(years: np.ndarray, values: np.ndarray, *, target: float | None,
                  target_year: int, base_year: int, direction: str,
                  th: ProgressThresholds) -> ProgressResult:
    """:func:`assess_progress` of a series already cleaned by :func:`_clean_series`:
    whole years (int, sorted, unique) and their float values, none missing."""
    if _is_missing(target):
        target = None
    else:
        target = float(target)
    target_year = int(target_year)
    base_year = int(base_year)
    sign = 1.0 if direction == "higher" else -1.0
    keep = years >= base_year
    usable_years, usable = years[keep], values[keep]

    def result(status: str, reason: str, **kw: object) -> ProgressResult:
        base = dict(
            ratio=None, growth=None, required_growth=None,
            base_year=None, base_value=None, latest_year=None, latest_value=None,
        )
        base.update(kw)
        return ProgressResult(
            status=status, target=target, target_year=target_year,
            direction=direction, reason=reason, **base,  # type: ignore[arg-type]
        )

    if usable.size == 0:
        dropped = f" ({len(values)} value(s) before {base_year} ignored)" if len(values) else ""
        return result("insufficient_data", f"no data from base year {base_year} on{dropped}")

    t0, x0 = int(usable_years[0]), float(usable[0])
    t1, x1 = int(usable_years[-1]), float(usable[-1])
    points = dict(base_year=t0, base_value=x0, latest_year=t1, latest_value=x1)

    # Whether the target is met needs only the latest value (sdg-build checks it first).
    if target is not None:
        met = x1 >= target if direction == "higher" else x1 <= target
        if met:
            cmp = ">=" if direction == "higher" else "<="
            growth = None
            if t1 > t0 and x0 > 0 and x1 >= 0:
                growth = _cagr(x1, x0, t1 - t0)
            return result(
                "target_achieved",
                f"latest value {x1:g} ({t1}) {cmp} target {target:g}",
                growth=growth, **points,
            )

    if t1 == t0:
        return result(
            "insufficient_data", f"only one year with data from {base_year} on ({t0})", **points
        )
    if x0 <= 0:
        return result(
            "insufficient_data",
            f"base value {x0:g} ({t0}) is not positive: compound growth rate undefined",
            **points,
        )
    if x1 < 0:
        return result(
            "insufficient_data",
            f"latest value {x1:g} ({t1}) is negative: compound growth rate undefined",
            **points,
        )

    growth = _cagr(x1, x0, t1 - t0)

    if target is None:
        g = sign * growth
        status = _band(g, th.growth_on_track, th.growth_acceleration, th.growth_limited)
        desired = "rise" if direction == "higher" else "fall"
        return result(
            status,
            f"no target; observed growth {growth:+.2%}/yr {t0}-{t1} "
            f"({g:+.2%}/yr in the desired direction: {desired})",
            growth=growth, **points,
        )

    if target < 0:
        return result(
            "insufficient_data",
            f"target {target:g} is negative: required compound growth rate undefined",
            growth=growth, **points,
        )
    if target_year <= t0:
        return result(
            "insufficient_data",
            f"target year {target_year} is not after base year {t0}: required growth undefined",
            growth=growth, **points,
        )

    target_eff = ZERO_TARGET_SUBSTITUTE if target == 0 else target
    required = _cagr(target_eff, x0, target_year - t0)
    if required == 0:
        # Target equals the base value and is not met: the latest value moved away.
        status = "deterioration" if sign * growth < 0 else "on_track"
        return result(
            status,
            f"target {target:g} equals the base value; latest value {x1:g} ({t1}) "
            "has moved away from it",
            ratio=math.nan, growth=growth, required_growth=required, **points,
        )
    ratio = sign * growth / abs(required)
    status = _band(ratio, th.ratio_on_track, th.ratio_acceleration, th.ratio_limited)
    return result(
        status,
        f"observed growth {growth:+.2%}/yr ({t0}-{t1}) vs required {required:+.2%}/yr "
        f"to reach {target:g} by {target_year}: ratio {ratio:.2f}",
        ratio=ratio, growth=growth, required_growth=required, **points,
    )


def achievement_ratio(baseline, latest, target):
    """Share of the baseline-to-target distance covered so far.

    .. math:: a = (x_t - x_0) / (x^* - x_0)

    Works for both directions without a direction argument: for a falling poverty
    rate (baseline 20, target 10, latest 15) both differences are negative and
    :math:`a = 0.5`. :math:`a = 1` means the target is reached, :math:`a > 1`
    exceeded, :math:`a < 0` the indicator moved away from the target.

    Parameters
    ----------
    baseline, latest, target : float or array-like
        Scalars or equal-length arrays/Series (broadcast with NumPy rules).

    Returns
    -------
    float or numpy.ndarray or pandas.Series
        NaN where ``target == baseline`` (distance zero) or any input is missing.
        A float for scalar input; a Series when ``latest`` is a Series (its index kept).

    References
    ----------
    .. [1] UNDP (2009). *Handbook on Planning, Monitoring and Evaluating for
       Development Results*, ch. 2-3 (baselines, targets and progress toward them).

    Examples
    --------
    >>> achievement_ratio(100, 110, 150)
    0.2
    >>> achievement_ratio(20, 15, 10)
    0.5
    """
    b = np.asarray(baseline, dtype="float64")
    x = np.asarray(latest, dtype="float64")
    t = np.asarray(target, dtype="float64")
    den = t - b
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den == 0, np.nan, (x - b) / np.where(den == 0, 1.0, den))
    if out.ndim == 0:
        return float(out)
    if isinstance(latest, pd.Series):
        return pd.Series(out, index=latest.index, name="achievement")
    return out


# ---------------------------------------------------------------------------------
# Linear trend
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendResult:
    """Linear trend of an indicator (:func:`fit_trend`).

    Attributes
    ----------
    slope, slope_ci_low, slope_ci_upp : float
        Change per year and its confidence interval.
    intercept : float
        Value at year 0 (so ``slope * year + intercept`` is the fitted line).
    projection : float
        Fitted value at ``target_year``.
    projection_pi_low, projection_pi_upp : float
        Prediction interval of a single observation at ``target_year``
        (statsmodels ``obs_ci_lower`` / ``obs_ci_upper``).
    target_year : int
    level : float
        Confidence level of both intervals (the ``ci`` argument of :func:`fit_trend`).
    nobs : int
        Number of (non-missing) years used.
    reason : str
        Empty when fitted; otherwise why not (all numbers NaN then).
    """

    #: Columns of :meth:`to_frame`, in order (the attributes).
    FRAME_COLUMNS: ClassVar[tuple[str, ...]] = (
        "slope", "slope_ci_low", "slope_ci_upp", "intercept", "projection",
        "projection_pi_low", "projection_pi_upp", "target_year", "level", "nobs", "reason")

    slope: float
    slope_ci_low: float
    slope_ci_upp: float
    intercept: float
    projection: float
    projection_pi_low: float
    projection_pi_upp: float
    target_year: int
    level: float
    nobs: int
    reason: str = ""

    def to_frame(self) -> pd.DataFrame:
        """The trend as a one-row DataFrame, columns :attr:`FRAME_COLUMNS`.

        Examples
        --------
        >>> s = pd.Series({2015: 10.0, 2016: 12.1, 2017: 13.9, 2018: 16.0})
        >>> fit_trend(s).to_frame()[["slope", "level", "nobs"]].round(2)
           slope  level  nobs
        0   1.98   0.95     4
        """
        columns = list(self.FRAME_COLUMNS)
        return pd.DataFrame([[getattr(self, name) for name in columns]], columns=columns)


#: Minimum number of years for a trend: with 2 points the line fits exactly and has
#: no residual degrees of freedom, so no interval can be given.
MIN_TREND_POINTS = 3


def fit_trend(series: pd.Series, *, target_year: int = 2030,
              ci: float = CI_LEVEL) -> TrendResult:
    """Fit a linear OLS trend ``value ~ year`` and project it to ``target_year``.

    Parameters
    ----------
    series : pandas.Series
        Indicator values indexed by year (int); NaN values are dropped.
    target_year : int, default 2030
        Year at which to project the trend.
    ci : float, default :data:`~evalkit.core.config.CI_LEVEL`
        Confidence level of the slope interval and the prediction interval.

    Returns
    -------
    TrendResult
        Slope with CI, intercept, projection with prediction interval, nobs. With
        fewer than :data:`MIN_TREND_POINTS` years, all numbers are NaN and
        ``reason`` says why (no exception).

    Notes
    -----
    The year is centred on its mean before fitting (for numerical stability); the
    reported intercept is transformed back to year 0. The projection's interval is
    the *prediction* interval for a new observation,
    :math:`\\hat y_0 \\pm t_{n-2,1-\\alpha/2}\\, s\\sqrt{1 + x_0'(X'X)^{-1}x_0}`,
    wider than the confidence interval of the mean line. A straight line far beyond
    the data is a rough guide, not a forecast: use it for charts and wording such as
    "if the trend continues".

    References
    ----------
    .. [1] Seabold, S. & Perktold, J. (2010). statsmodels: Econometric and
       statistical modeling with Python. *Proc. 9th Python in Science Conference*.
       (``OLS``, ``get_prediction().summary_frame``.)
    .. [2] Montgomery, D. C., Peck, E. A. & Vining, G. G. (2012). *Introduction to
       Linear Regression Analysis*, 5th ed., Wiley, §2.4-2.5.

    Examples
    --------
    >>> s = pd.Series({2015: 10.0, 2016: 12.1, 2017: 13.9, 2018: 16.0})
    >>> tr = fit_trend(s, target_year=2030)
    >>> round(tr.slope, 2), tr.nobs
    (1.98, 4)
    """
    import statsmodels.api as sm

    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1 (e.g. 0.95), got {ci!r}")
    target_year = int(target_year)
    values = _clean_series(series)
    n = len(values)
    if n < MIN_TREND_POINTS:
        nan = math.nan
        return TrendResult(
            nan, nan, nan, nan, nan, nan, nan, target_year, ci, n,
            reason=f"only {n} year(s) with data; a trend needs at least {MIN_TREND_POINTS}",
        )
    years = values.index.to_numpy(dtype="float64")
    centre = years.mean()
    exog = sm.add_constant(years - centre, has_constant="add")
    fit = sm.OLS(values.to_numpy(), exog).fit()
    alpha = 1 - ci
    conf = np.asarray(fit.conf_int(alpha=alpha))
    b0, b1 = (float(v) for v in fit.params)
    frame = fit.get_prediction(np.array([[1.0, target_year - centre]])).summary_frame(alpha=alpha)
    return TrendResult(
        slope=b1,
        slope_ci_low=float(conf[1, 0]),
        slope_ci_upp=float(conf[1, 1]),
        intercept=b0 - b1 * centre,
        projection=float(frame["mean"].iloc[0]),
        projection_pi_low=float(frame["obs_ci_lower"].iloc[0]),
        projection_pi_upp=float(frame["obs_ci_upper"].iloc[0]),
        target_year=target_year,
        level=ci,
        nobs=n,
    )


#: Columns of :func:`fit_trends`, in order.
TRENDS_COLUMNS: tuple[str, ...] = (
    "region_code", "indicator_id", "nobs", "slope", "slope_ci_low", "slope_ci_upp",
    "intercept", "target_year", "projection", "projection_pi_low", "projection_pi_upp",
)


def fit_trends(values: pd.DataFrame, keys: pd.DataFrame, *, target_year: int = 2030,
               ci: float = CI_LEVEL) -> pd.DataFrame:
    """:func:`fit_trend` for many series at once, in closed form.

    Parameters
    ----------
    values : pandas.DataFrame
        Long table ``region_code, indicator_id, year, value``; rows with a missing
        value are dropped. One value per region, indicator and year.
    keys : pandas.DataFrame
        The series to fit: ``region_code, indicator_id`` (unique pairs) and optionally
        ``target_year`` (missing -> the ``target_year`` argument). A key without values
        gets a row with NaN numbers and ``nobs`` 0.
    target_year : int, default 2030
        Projection year of keys without their own.
    ci : float, default :data:`~evalkit.core.config.CI_LEVEL`
        Confidence level of the slope interval and the prediction interval.

    Returns
    -------
    pandas.DataFrame
        One row per key, in the order of ``keys``, columns :data:`TRENDS_COLUMNS`; the
        numbers equal :func:`fit_trend`'s (NaN with fewer than
        :data:`MIN_TREND_POINTS` years).

    Raises
    ------
    ValueError
        A year that is not a whole number, or two values for one year of a series.

    Notes
    -----
    The same least-squares line as :func:`fit_trend`, without a statsmodels fit per
    series: with the year centred on its mean :math:`\\bar x`, :math:`\\hat\\beta_1 =
    S_{xy}/S_{xx}`, :math:`\\hat\\beta_0 = \\bar y - \\hat\\beta_1 \\overline{(x - \\bar
    x)}`, :math:`s^2 = \\sum e_i^2/(n-2)`, slope interval :math:`\\hat\\beta_1 \\pm
    t_{n-2} s/\\sqrt{S_{xx}}` and prediction interval at :math:`x_0`,
    :math:`\\hat y_0 \\pm t_{n-2}\\, s\\sqrt{1 + 1/n + (x_0 - \\bar x)^2/S_{xx}}`
    (Montgomery, Peck & Vining 2012, §2.3-2.5), all computed per series with
    grouped sums. Tested against :func:`fit_trend` (statsmodels ``OLS``).

    References
    ----------
    .. [1] Montgomery, D. C., Peck, E. A. & Vining, G. G. (2012). *Introduction to
       Linear Regression Analysis*, 5th ed., Wiley, §2.3-2.5.
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1 (e.g. 0.95), got {ci!r}")
    require_columns(values, _VALUE_COLUMNS, "values")
    require_columns(keys, ("region_code", "indicator_id"), "keys")
    keys = keys.reset_index(drop=True)
    n_keys = len(keys)
    if "target_year" in keys.columns:
        t_year = pd.to_numeric(keys["target_year"], errors="coerce").astype("float64")
        t_year = t_year.fillna(float(int(target_year))).to_numpy()
    else:
        t_year = np.full(n_keys, float(int(target_year)))
    rows = values.loc[:, list(_VALUE_COLUMNS)].merge(
        keys[["region_code", "indicator_id"]].assign(_key=np.arange(n_keys)),
        on=["region_code", "indicator_id"], how="inner")
    years = pd.to_numeric(rows["year"], errors="coerce").astype("float64")
    if (years.isna() | (years != np.round(years))).any():
        bad = rows.loc[years.isna() | (years != np.round(years)), "year"].tolist()[:5]
        raise ValueError(f"series index must be whole years, got {bad!r}")
    try:
        value = pd.to_numeric(rows["value"], errors="raise").astype("float64")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"series values must be numeric: {exc}") from exc
    keep = value.notna().to_numpy()
    g = rows["_key"].to_numpy()[keep]
    x = years.to_numpy()[keep]
    y = value.to_numpy()[keep]
    dup = pd.DataFrame({"g": g, "x": x}).duplicated()
    if dup.any():
        first = int(np.flatnonzero(dup.to_numpy())[0])
        key = keys.iloc[g[first]]
        raise ValueError(f"series of region_code={key['region_code']!r}, indicator_id="
                         f"{key['indicator_id']!r} has more than one value for year "
                         f"{int(x[first])}; keep one value per year")
    count = lambda w: np.bincount(g, weights=w, minlength=n_keys)  # noqa: E731
    n = np.bincount(g, minlength=n_keys).astype("float64")
    fit = n >= MIN_TREND_POINTS
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = count(x) / n
        xc = x - centre[g]
        xc_bar = count(xc) / n  # zero up to rounding
        y_bar = count(y) / n
        sxx = count((xc - xc_bar[g]) ** 2)
        b1 = count((xc - xc_bar[g]) * (y - y_bar[g])) / sxx
        b0 = y_bar - b1 * xc_bar
        resid = y - b0[g] - b1[g] * xc
        dof = n - 2
        s2 = count(resid * resid) / dof
        crit = np.where(fit, stats.t.ppf(1 - (1 - ci) / 2, np.where(fit, dof, 1.0)), np.nan)
        slope_half = crit * np.sqrt(s2 / sxx)
        x0 = t_year - centre
        pred = b0 + b1 * x0
        pi_half = crit * np.sqrt(s2 * (1 + 1 / n + (x0 - xc_bar) ** 2 / sxx))
    nan = np.where(fit, 1.0, np.nan)
    out = pd.DataFrame({
        "region_code": keys["region_code"].to_numpy(),
        "indicator_id": keys["indicator_id"].to_numpy(),
        "nobs": n.astype("int64"),
        "slope": b1 * nan,
        "slope_ci_low": (b1 - slope_half) * nan,
        "slope_ci_upp": (b1 + slope_half) * nan,
        "intercept": (b0 - b1 * centre) * nan,
        "target_year": t_year.astype("int64"),
        "projection": pred * nan,
        "projection_pi_low": (pred - pi_half) * nan,
        "projection_pi_upp": (pred + pi_half) * nan,
    }, columns=list(TRENDS_COLUMNS))
    return out


# ---------------------------------------------------------------------------------
# Progress table
# ---------------------------------------------------------------------------------

#: Columns of :func:`progress_table`, in order.
PROGRESS_TABLE_COLUMNS: tuple[str, ...] = (
    "region_code",
    "indicator_id",
    "direction",
    "baseline_year",
    "baseline_value",
    "latest_year",
    "latest_value",
    "target_year",
    "target_value",
    "achievement",
    "growth",
    "required_growth",
    "ratio",
    "status",
    "summary",
)

_VALUE_COLUMNS = ("region_code", "indicator_id", "year", "value")
_TARGET_COLUMNS = (
    "region_code", "indicator_id", "baseline_year", "baseline_value",
    "target_year", "target_value", "direction",
)
_KEY = ["region_code", "indicator_id"]


def _none_to_nan(x: float | None) -> float:
    return math.nan if x is None else float(x)


def progress_table(
    values: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    base_year: int = 2015,
    target_year: int = 2030,
    thresholds: ProgressThresholds | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Progress of every agreed indicator of every region, one row each.

    Parameters
    ----------
    values : pandas.DataFrame
        Long table with columns ``region_code, indicator_id, year, value`` (other
        columns ignored). Rows with a missing value are ignored; two values for the
        same region, indicator and year are an error.
    targets : pandas.DataFrame
        Agreed targets, one row per ``(region_code, indicator_id)``, with columns
        ``region_code, indicator_id, baseline_year, baseline_value, target_year,
        target_value, direction`` (``direction`` is ``"higher"`` or ``"lower"``).
        A missing ``baseline_year`` / ``target_year`` falls back to the ``base_year``
        / ``target_year`` argument; a missing ``target_value`` means the indicator
        is assessed on its observed growth alone (no-target bands).
    base_year, target_year : int
        Defaults for rows that leave ``baseline_year`` / ``target_year`` empty.
    thresholds : ProgressThresholds or dict, optional
        Band limits, passed to :func:`assess_progress`.

    Returns
    -------
    pandas.DataFrame
        One row per ``(region_code, indicator_id)`` present in ``targets`` or in
        ``values``, sorted by those two columns, with exactly these columns
        (:data:`PROGRESS_TABLE_COLUMNS`):

        ``region_code``, ``indicator_id``
            Keys, as given.
        ``direction``
            ``"higher"`` or ``"lower"`` (is better); missing for an indicator with
            values but no row in ``targets``.
        ``baseline_year``, ``baseline_value``
            The base actually used: the agreed baseline year, or the first later year
            with data when the baseline year has no value in either table.
        ``latest_year``, ``latest_value``
            Last year with data, and its value.
        ``target_year``, ``target_value``
            The agreed target (``target_value`` NaN when none).
        ``achievement``
            Share of the baseline-to-target distance covered,
            :func:`achievement_ratio` (NaN without a target).
        ``growth``
            Observed compound annual growth rate, baseline to latest year.
        ``required_growth``
            Compound annual growth rate needed to reach the target by
            ``target_year``.
        ``ratio``
            ``growth`` / ``required_growth`` (sign-adjusted, see
            :func:`assess_progress`).
        ``status``
            One of :data:`STATUSES`.
        ``summary``
            Three-way key: ``achieved``, ``on_track``, ``needs_attention``, or
            ``insufficient_data``.

        Years are nullable integers (``Int64``), numbers ``float64``, NaN where not
        computable (see :func:`assess_progress` for when).

    Raises
    ------
    ValueError
        Missing columns, duplicate target rows, duplicate years, or an invalid
        ``direction`` — the message names the region and indicator.

    Notes
    -----
    The series of each indicator is its rows in ``values``; when the baseline year
    has no value there, ``baseline_value`` from ``targets`` is inserted for that
    year. When both tables give a baseline-year value, the one in ``values`` (the
    data) is used. Indicators with values but no agreed target row are kept (nothing
    is silently dropped) with status ``insufficient_data``: without an agreed
    direction their progress cannot be judged.

    References
    ----------
    .. [1] Open SDG, sdg-build ``sdg/ProgressMeasure.py``,
       https://github.com/open-sdg/sdg-build

    Examples
    --------
    >>> vals = pd.DataFrame({"region_code": "15.71", "indicator_id": "1.2.1",
    ...                      "year": [2015, 2020], "value": [20.0, 16.0]})
    >>> tg = pd.DataFrame({"region_code": ["15.71"], "indicator_id": ["1.2.1"],
    ...                    "baseline_year": [2015], "baseline_value": [20.0],
    ...                    "target_year": [2030], "target_value": [10.0],
    ...                    "direction": ["lower"]})
    >>> progress_table(vals, tg)[["status", "summary"]].iloc[0].tolist()
    ['on_track', 'on_track']
    """
    require_columns(values, _VALUE_COLUMNS, "values")
    require_columns(targets, _TARGET_COLUMNS, "targets")
    th = _resolve_thresholds(thresholds)

    dup = targets.duplicated(subset=_KEY, keep=False)
    if dup.any():
        pairs = sorted({(str(r), str(i)) for r, i in targets.loc[dup, _KEY].itertuples(index=False)})
        raise ValueError(
            f"targets has more than one row for (region_code, indicator_id) {pairs}; keep one"
        )

    vals = values.loc[:, list(_VALUE_COLUMNS)]
    series_by_key = _series_arrays(vals)

    rows: list[dict] = []
    seen: set[tuple] = set()
    no_data = (np.array([], dtype="int64"), np.array([], dtype="float64"))
    for rec in targets.loc[:, list(_TARGET_COLUMNS)].to_dict("records"):
        key = (rec["region_code"], rec["indicator_id"])
        seen.add(key)
        try:
            direction = _check_direction(rec["direction"])
        except ValueError as exc:
            raise ValueError(
                f"targets row region_code={key[0]!r}, indicator_id={key[1]!r}: {exc}"
            ) from None
        b_year = base_year if _is_missing(rec["baseline_year"]) else int(rec["baseline_year"])
        t_year = target_year if _is_missing(rec["target_year"]) else int(rec["target_year"])
        target = None if _is_missing(rec["target_value"]) else float(rec["target_value"])
        years, vals_ = series_by_key.get(key, no_data)
        if b_year not in years and not _is_missing(rec["baseline_value"]):
            years = np.append(years, b_year)
            vals_ = np.append(vals_, float(rec["baseline_value"]))
        order = np.argsort(years, kind="stable")  # years are unique: as sort_index
        res = _assess_clean(
            years[order], vals_[order], target=target, target_year=t_year, base_year=b_year,
            direction=direction, th=th,
        )
        achievement = (
            achievement_ratio(res.base_value, res.latest_value, target)
            if target is not None and res.base_value is not None
            else math.nan
        )
        rows.append({
            "region_code": key[0],
            "indicator_id": key[1],
            "direction": direction,
            "baseline_year": res.base_year if res.base_year is not None else b_year,
            "baseline_value": _none_to_nan(res.base_value),
            "latest_year": res.latest_year,
            "latest_value": _none_to_nan(res.latest_value),
            "target_year": t_year,
            "target_value": _none_to_nan(target),
            "achievement": achievement,
            "growth": _none_to_nan(res.growth),
            "required_growth": _none_to_nan(res.required_growth),
            "ratio": _none_to_nan(res.ratio),
            "status": res.status,
            "summary": res.summary,
        })

    # Indicators with data but no agreed target row: kept, not judged.
    for key, (years, vals_) in series_by_key.items():
        if key in seen:
            continue
        order = np.argsort(years, kind="stable")
        years, vals_ = years[order], vals_[order]
        rows.append({
            "region_code": key[0],
            "indicator_id": key[1],
            "direction": None,
            "baseline_year": int(years[0]) if len(years) else None,
            "baseline_value": float(vals_[0]) if len(years) else math.nan,
            "latest_year": int(years[-1]) if len(years) else None,
            "latest_value": float(vals_[-1]) if len(years) else math.nan,
            "target_year": None,
            "target_value": math.nan,
            "achievement": math.nan,
            "growth": math.nan,
            "required_growth": math.nan,
            "ratio": math.nan,
            "status": "insufficient_data",
            "summary": "insufficient_data",
        })

    out = pd.DataFrame(rows, columns=list(PROGRESS_TABLE_COLUMNS))
    for col in ("baseline_year", "latest_year", "target_year"):
        out[col] = out[col].astype("Int64")
    for col in ("baseline_value", "latest_value", "target_value", "achievement",
                "growth", "required_growth", "ratio"):
        out[col] = out[col].astype("float64")
    if len(out):
        out = out.sort_values(_KEY, kind="stable", ignore_index=True)
    return out


def _series_arrays(vals: pd.DataFrame) -> dict[tuple, tuple[np.ndarray, np.ndarray]]:
    """Each (region, indicator)'s years (int64) and values (float64) in row order, rows
    with a missing value left out; raises on a non-integer year, a non-numeric value or
    a repeated year, naming the series (:func:`_series_by_key` checks and words it).

    Checked and converted once for the whole table rather than once per series.
    """
    notna = vals["value"].notna().to_numpy()
    years = pd.to_numeric(vals["year"], errors="coerce").to_numpy(dtype="float64")
    nums = pd.to_numeric(vals["value"], errors="coerce").to_numpy(dtype="float64")
    used = np.flatnonzero(notna)
    bad = np.isnan(years[used]).any() or np.isnan(nums[used]).any()
    if not bad:
        int_years = years[used].astype("int64")
        groups = vals.groupby(_KEY, sort=False, dropna=False).ngroup().to_numpy()
        bad = pd.DataFrame({"g": groups[used], "y": int_years}).duplicated().any()
    if bad:
        _series_by_key(vals)  # raises with the series named
        raise AssertionError("unreachable: the per-series check found no problem")
    all_years = np.zeros(len(vals), dtype="int64")
    all_years[used] = int_years
    out: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
    for key, idx in vals.groupby(_KEY, sort=False, dropna=False).indices.items():
        idx = idx[notna[idx]]
        out[tuple(key)] = (all_years[idx], nums[idx])
    return out


def _series_by_key(vals: pd.DataFrame) -> dict[tuple, pd.Series]:
    """The per-series check of :func:`_series_arrays` (slow; used to word an error)."""
    series_by_key: dict[tuple, pd.Series] = {}
    for key, grp in vals.groupby(_KEY, sort=False, dropna=False):
        grp = grp[grp["value"].notna()]
        years = pd.to_numeric(grp["year"], errors="coerce")
        if years.isna().any():
            bad = grp.loc[years.isna(), "year"].tolist()
            raise ValueError(f"values for {key}: year must be an integer, got {bad[:5]}")
        s = pd.Series(pd.to_numeric(grp["value"], errors="coerce").to_numpy(), index=years.astype("int64"))
        if s.isna().any():
            raise ValueError(f"values for {key}: non-numeric value(s) in column 'value'")
        if s.index.duplicated().any():
            dupes = sorted(set(int(y) for y in s.index[s.index.duplicated()]))
            raise ValueError(
                f"values for region_code={key[0]!r}, indicator_id={key[1]!r} "
                f"has more than one value for year(s) {dupes}; keep one"
            )
        series_by_key[tuple(key)] = s
    return series_by_key
