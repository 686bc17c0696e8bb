"""Tests for evalkit.measure.indicators (Open SDG progress assessment, status codes, trend, table).

The status labels and colours are tested here beside the codes they name, though they
live in :mod:`evalkit.present.i18n` and :mod:`evalkit.present.colours`.

Expected numbers are hand computations, shown in the comment beside each. CAGR is
(end/start)**(1/years) - 1; with a target, ratio = CAGR_o / CAGR_r (sdg-build
``ProgressMeasure.methodology_2``: sign * direction * cagr_o / abs(cagr_r)).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.measure.indicators import (
    DEFAULT_THRESHOLDS,
    PROGRESS_TABLE_COLUMNS,
    STATUS_SUMMARY,
    STATUSES,
    SUMMARY_KEYS,
    ProgressThresholds,
    achievement_ratio,
    assess_progress,
    fit_trend,
    progress_table,
    summary_key,
)
from evalkit.present.colours import STATUS_COLORS, status_color
from evalkit.present.i18n import TEXT, status_label, status_summary


def s(d: dict) -> pd.Series:
    return pd.Series(d, dtype="float64")


# Required growth of the higher-is-better fixture: base 100 (2015) -> target 150 (2030)
# (150/100)**(1/15) - 1 = 0.0273997
REQ_HIGHER = 0.0273997
# Required growth of the poverty fixture: base 20 % (2015) -> target 10 % (2030)
# (10/20)**(1/15) - 1 = -0.0451584
REQ_LOWER = -0.0451584


# ------------------------------------------------------------------ higher is better


def test_higher_on_track():
    r = assess_progress(s({2015: 100, 2020: 130}), target=150, target_year=2030)
    # (130/100)**(1/5) - 1 = 0.0538740
    assert r.growth == pytest.approx(0.0538740, abs=1e-6)
    assert r.required_growth == pytest.approx(REQ_HIGHER, abs=1e-6)
    # 0.0538740 / 0.0273997 = 1.96623 >= 0.95
    assert r.ratio == pytest.approx(1.96623, abs=1e-4)
    assert r.status == "on_track"
    assert r.summary == "on_track"
    assert (r.base_year, r.base_value, r.latest_year, r.latest_value) == (2015, 100, 2020, 130)
    assert r.target == 150 and r.target_year == 2030 and r.direction == "higher"
    assert "ratio" in r.reason


def test_higher_acceleration_needed():
    r = assess_progress(s({2015: 100, 2018: 104, 2020: 110}), target=150, target_year=2030)
    # (110/100)**(1/5) - 1 = 0.0192449 (2018 is between base and latest: not used)
    assert r.growth == pytest.approx(0.0192449, abs=1e-6)
    # 0.0192449 / 0.0273997 = 0.702376, in [0.6, 0.95)
    assert r.ratio == pytest.approx(0.702376, abs=1e-5)
    assert r.status == "acceleration_needed"
    assert r.summary == "needs_attention"


def test_higher_limited_progress():
    r = assess_progress(s({2015: 100, 2020: 104}), target=150, target_year=2030)
    # (104/100)**(1/5) - 1 = 0.0078750; 0.0078750 / 0.0273997 = 0.287412 in [0, 0.6)
    assert r.growth == pytest.approx(0.0078750, abs=1e-6)
    assert r.ratio == pytest.approx(0.287412, abs=1e-5)
    assert r.status == "limited_progress"


def test_higher_deterioration():
    r = assess_progress(s({2015: 100, 2020: 95}), target=150, target_year=2030)
    # (95/100)**(1/5) - 1 = -0.0102062; -0.0102062 / 0.0273997 = -0.372494 < 0
    assert r.growth == pytest.approx(-0.0102062, abs=1e-6)
    assert r.ratio == pytest.approx(-0.372494, abs=1e-5)
    assert r.status == "deterioration"
    assert r.summary == "needs_attention"


# ------------------------------------------------------------------- lower is better


@pytest.mark.parametrize(
    ("latest", "growth", "ratio", "status"),
    [
        # (16/20)**(1/5) - 1 = -0.0436475; -0.0436475 / -0.0451584 = 0.966542
        (16.0, -0.0436475, 0.966542, "on_track"),
        # (17/20)**(1/5) - 1 = -0.0319812; -0.0319812 / -0.0451584 = 0.708201
        (17.0, -0.0319812, 0.708201, "acceleration_needed"),
        # (19/20)**(1/5) - 1 = -0.0102062; -0.0102062 / -0.0451584 = 0.226009
        (19.0, -0.0102062, 0.226009, "limited_progress"),
        # (21/20)**(1/5) - 1 = +0.0098058; +0.0098058 / -0.0451584 = -0.217142
        (21.0, 0.0098058, -0.217142, "deterioration"),
    ],
)
def test_lower_is_better_bands(latest, growth, ratio, status):
    # Poverty rate (%): 20 in 2015, target 10 by 2030.
    r = assess_progress(s({2015: 20, 2020: latest}), target=10, direction="lower")
    assert r.required_growth == pytest.approx(REQ_LOWER, abs=1e-6)
    assert r.growth == pytest.approx(growth, abs=1e-6)
    assert r.ratio == pytest.approx(ratio, abs=1e-5)
    assert r.status == status


def test_target_on_wrong_side_of_base_is_not_called_progress():
    # Higher is better, target 90 below the base 100, latest 80 fell below the target.
    # CAGR_o = (80/100)**(1/5)-1 = -0.0436475; CAGR_r = (90/100)**(1/15)-1 = -0.0070000
    # Plain quotient would be +6.2 ("on track"); sdg-build's sign*cagr_o/|cagr_r| = -6.2351
    r = assess_progress(s({2015: 100, 2020: 80}), target=90)
    assert r.required_growth == pytest.approx(-0.0070000, abs=1e-6)
    assert r.ratio == pytest.approx(-0.0436475 / 0.0070000, rel=1e-4)
    assert r.status == "deterioration"


# ------------------------------------------------------------------ target achieved


def test_target_achieved_higher():
    r = assess_progress(s({2015: 100, 2020: 150}), target=150)
    # latest 150 >= target 150
    assert r.status == "target_achieved"
    assert r.summary == "achieved"
    # growth still reported: (150/100)**(1/5) - 1 = 0.0844718
    assert r.growth == pytest.approx(0.0844718, abs=1e-6)
    assert r.ratio is None and r.required_growth is None


def test_target_achieved_lower():
    r = assess_progress(s({2015: 20, 2019: 9.5}), target=10, direction="lower")
    # latest 9.5 <= target 10
    assert r.status == "target_achieved"
    assert r.latest_year == 2019


def test_target_achieved_with_a_single_year():
    # Whether the target is met needs only the latest value (sdg-build checks it first).
    r = assess_progress(s({2022: 5.0}), target=10, direction="lower")
    assert r.status == "target_achieved"
    assert r.growth is None


def test_target_zero_lower_is_better_uses_0_001():
    # Stunting cases: 10 in 2015, 8 in 2020, target 0 by 2030 -> 0.001 in CAGR_r.
    r = assess_progress(s({2015: 10, 2020: 8}), target=0, direction="lower")
    # CAGR_r = (0.001/10)**(1/15) - 1 = -0.4588305
    assert r.required_growth == pytest.approx(-0.4588305, abs=1e-6)
    # CAGR_o = (8/10)**(1/5) - 1 = -0.0436475; ratio = -0.0436475/-0.4588305 = 0.0951277
    assert r.ratio == pytest.approx(0.0951277, abs=1e-6)
    assert r.status == "limited_progress"
    assert r.target == 0  # the agreed target is reported, not the substitute


def test_target_zero_reached():
    r = assess_progress(s({2015: 10, 2020: 0}), target=0, direction="lower")
    assert r.status == "target_achieved"  # 0 <= 0


def test_target_equal_to_base_and_missed():
    # Keep 100 (higher is better); latest 98: CAGR_r = 0 -> ratio undefined.
    r = assess_progress(s({2015: 100, 2020: 98}), target=100)
    assert r.status == "deterioration"
    assert r.required_growth == 0
    assert math.isnan(r.ratio)


# ----------------------------------------------------------------------- no target


@pytest.mark.parametrize(
    ("latest", "growth", "status"),
    [
        (110.0, 0.0192449, "on_track"),  # (110/100)**(1/5)-1 = 0.0192449 >= 0.015
        (104.0, 0.0078750, "acceleration_needed"),  # (104/100)**(1/5)-1 = 0.0078750
        (101.0, 0.0019920, "limited_progress"),  # (101/100)**(1/5)-1 = 0.0019920
        (99.0, -0.0020080, "deterioration"),  # (99/100)**(1/5)-1 = -0.0020080 < 0
    ],
)
def test_no_target_growth_bands_higher(latest, growth, status):
    r = assess_progress(s({2015: 100, 2020: latest}))
    assert r.growth == pytest.approx(growth, abs=1e-6)
    assert r.status == status
    assert r.ratio is None and r.required_growth is None and r.target is None


@pytest.mark.parametrize(
    ("latest", "status"),
    [
        (90.0, "on_track"),  # (90/100)**(1/5)-1 = -0.0208516 -> flipped +0.0208516 >= 0.015
        (97.0, "acceleration_needed"),  # (97/100)**(1/5)-1 = -0.0060734 -> +0.0060734
        (99.5, "limited_progress"),  # (99.5/100)**(1/5)-1 = -0.0010020 -> +0.0010020
        (103.0, "deterioration"),  # (103/100)**(1/5)-1 = +0.0059292 -> -0.0059292 < 0
    ],
)
def test_no_target_growth_bands_lower(latest, status):
    r = assess_progress(s({2015: 100, 2020: latest}), direction="lower")
    assert r.status == status


def test_nan_target_means_no_target():
    r = assess_progress(s({2015: 100, 2020: 110}), target=float("nan"))
    assert r.target is None and r.status == "on_track"


# ------------------------------------------------------------------ data handling


def test_base_year_without_data_uses_first_later_year():
    # 2014 is before the base year (ignored); 2015 missing -> base 2016.
    r = assess_progress(s({2014: 50, 2016: 100, 2021: 110}), target=150)
    assert (r.base_year, r.base_value) == (2016, 100)
    # CAGR_o = (110/100)**(1/5) - 1 = 0.0192449
    # CAGR_r = (150/100)**(1/(2030-2016)) - 1 = 0.0293853
    # ratio = 0.0192449 / 0.0293853 = 0.654916 -> acceleration_needed
    assert r.growth == pytest.approx(0.0192449, abs=1e-6)
    assert r.required_growth == pytest.approx(0.0293853, abs=1e-6)
    assert r.ratio == pytest.approx(0.654916, abs=1e-5)
    assert r.status == "acceleration_needed"


def test_series_too_short():
    r = assess_progress(s({2014: 90, 2020: 110}), target=150)
    # 2014 ignored -> only 2020 left
    assert r.status == "insufficient_data"
    assert r.summary == "insufficient_data"
    assert "one year" in r.reason
    assert r.growth is None and r.ratio is None


def test_no_data_from_base_year():
    r = assess_progress(s({2010: 90, 2012: 110}), target=150)
    assert r.status == "insufficient_data"
    assert r.base_year is None and "2015" in r.reason


def test_empty_series():
    r = assess_progress(pd.Series(dtype="float64"))
    assert r.status == "insufficient_data"


def test_nans_dropped():
    r = assess_progress(s({2015: 100, 2017: np.nan, 2019: 110, 2020: np.nan}))
    # latest = 2019 (2020 is NaN): (110/100)**(1/4) - 1 = 0.0241137
    assert r.latest_year == 2019
    assert r.growth == pytest.approx(0.0241137, abs=1e-6)
    assert r.status == "on_track"


def test_nan_at_base_year_shifts_base():
    r = assess_progress(s({2015: np.nan, 2016: 100, 2021: 110}))
    assert r.base_year == 2016


def test_unsorted_index_and_int_values():
    r = assess_progress(pd.Series([110, 100], index=[2020, 2015]), target=150)
    assert (r.base_year, r.latest_year) == (2015, 2020)
    assert r.ratio == pytest.approx(0.702376, abs=1e-5)  # as test_higher_acceleration_needed


@pytest.mark.parametrize("base", [0.0, -5.0])
def test_non_positive_base_is_insufficient_data(base):
    r = assess_progress(s({2015: base, 2020: 10}), target=50)
    assert r.status == "insufficient_data"
    assert "not positive" in r.reason
    assert r.base_value == base


def test_negative_latest_is_insufficient_data():
    r = assess_progress(s({2015: 5, 2020: -1}), target=50)
    assert r.status == "insufficient_data"
    assert "negative" in r.reason


def test_target_year_not_after_base():
    r = assess_progress(s({2015: 100, 2020: 110}), target=150, target_year=2015)
    assert r.status == "insufficient_data"


def test_duplicate_years_raise():
    with pytest.raises(ValueError, match="more than one value for year"):
        assess_progress(pd.Series([1.0, 2.0, 3.0], index=[2015, 2015, 2020]))


def test_bad_direction_raises():
    with pytest.raises(ValueError, match="direction must be"):
        assess_progress(s({2015: 1, 2020: 2}), direction="up")


def test_non_numeric_values_raise():
    with pytest.raises(ValueError, match="numeric"):
        assess_progress(pd.Series(["a", "b"], index=[2015, 2020]))


# ------------------------------------------------------------------ thresholds


def test_default_thresholds_are_open_sdg():
    # sdg-build get_progress_thresholds: {'high': 0.95, 'med': 0.6, 'low': 0} and
    # {'high': 0.015, 'med': 0.005, 'low': 0}
    t = DEFAULT_THRESHOLDS
    assert (t.ratio_on_track, t.ratio_acceleration, t.ratio_limited) == (0.95, 0.6, 0.0)
    assert (t.growth_on_track, t.growth_acceleration, t.growth_limited) == (0.015, 0.005, 0.0)


def test_threshold_override_dict_and_dataclass():
    series = s({2015: 100, 2020: 110})  # ratio 0.702376 (see above)
    assert assess_progress(series, target=150).status == "acceleration_needed"
    assert assess_progress(series, target=150, thresholds={"ratio_on_track": 0.7}).status == "on_track"
    stricter = ProgressThresholds(ratio_on_track=0.99, ratio_acceleration=0.8)
    assert assess_progress(series, target=150, thresholds=stricter).status == "limited_progress"
    # growth 0.0192449 < 0.02 -> acceleration_needed without target
    assert assess_progress(series, thresholds={"growth_on_track": 0.02}).status == "acceleration_needed"


def test_threshold_validation():
    with pytest.raises(ValueError, match="unknown threshold"):
        assess_progress(s({2015: 1, 2020: 2}), thresholds={"high": 0.9})
    with pytest.raises(ValueError, match="ratio_on_track >= ratio_acceleration"):
        ProgressThresholds(ratio_on_track=0.5, ratio_acceleration=0.6)


# ------------------------------------------------------------- achievement ratio


def test_achievement_ratio_higher():
    # (110 - 100) / (150 - 100) = 0.2
    assert achievement_ratio(100, 110, 150) == pytest.approx(0.2)
    # moved away: (90 - 100) / (150 - 100) = -0.2
    assert achievement_ratio(100, 90, 150) == pytest.approx(-0.2)


def test_achievement_ratio_lower():
    # (15 - 20) / (10 - 20) = 0.5 ; overshoot: (8 - 20) / (10 - 20) = 1.2
    assert achievement_ratio(20, 15, 10) == pytest.approx(0.5)
    assert achievement_ratio(20, 8, 10) == pytest.approx(1.2)


def test_achievement_ratio_degenerate_and_vectorised():
    assert math.isnan(achievement_ratio(10, 12, 10))
    assert math.isnan(achievement_ratio(10, float("nan"), 20))
    out = achievement_ratio(pd.Series([100.0, 20.0]), pd.Series([110.0, 15.0]), pd.Series([150.0, 10.0]))
    # [0.2, 0.5] as above
    assert isinstance(out, pd.Series)
    assert out.tolist() == pytest.approx([0.2, 0.5])


# ---------------------------------------------------------------- labels/colours


def test_labels_complete():
    # the codes are the measure stage's; their words (i18n) and colours are the presentation's
    assert set(STATUSES) == set(STATUS_SUMMARY)
    assert set(SUMMARY_KEYS) == set(STATUS_SUMMARY.values())
    assert set(STATUSES) | set(SUMMARY_KEYS) == set(STATUS_COLORS)
    assert {k[len("status_"):] for k in TEXT if k.startswith("status_")} == set(STATUSES)
    assert {k[len("summary_"):] for k in TEXT if k.startswith("summary_")} == set(SUMMARY_KEYS)
    for key in [f"status_{s}" for s in STATUSES] + [f"summary_{k}" for k in SUMMARY_KEYS]:
        assert set(TEXT[key]) == {"id", "en"} and all(TEXT[key].values())
    for colour in STATUS_COLORS.values():
        assert colour.startswith("#") and len(colour) == 7


def test_status_label():
    assert status_label("deterioration") == "Memburuk"
    assert status_label("deterioration", lang="en") == "Deterioration"
    assert status_label("insufficient_data", "id") == "Data tidak cukup"


@pytest.mark.parametrize(
    ("status", "key", "label_id", "label_en"),
    [
        ("target_achieved", "achieved", "Sudah tercapai", "Achieved"),
        ("on_track", "on_track", "Akan tercapai", "On track"),
        ("acceleration_needed", "needs_attention", "Perlu perhatian khusus", "Needs attention"),
        ("limited_progress", "needs_attention", "Perlu perhatian khusus", "Needs attention"),
        ("deterioration", "needs_attention", "Perlu perhatian khusus", "Needs attention"),
        ("insufficient_data", "insufficient_data", "Data tidak cukup", "Insufficient data"),
    ],
)
def test_summary_mapping(status, key, label_id, label_en):
    assert summary_key(status) == key
    assert status_summary(status) == label_id
    assert status_summary(status, lang="en") == label_en


def test_colours_and_errors():
    assert status_color("target_achieved") == status_color("achieved")
    assert status_color("deterioration") != status_color("on_track")
    with pytest.raises(ValueError, match="unknown progress status"):
        status_label("substantial_progress")
    with pytest.raises(ValueError, match="lang"):
        status_summary("on_track", lang="fr")
    with pytest.raises(ValueError, match="unknown status or summary key"):
        status_color("purple")


# -------------------------------------------------------------------- fit_trend


def test_fit_trend_recovers_known_slope():
    rng = np.random.default_rng(20240517)
    years = np.arange(2010, 2025)
    true_slope, true_intercept = 0.8, -1500.0  # value 112 in 2015
    y = true_slope * years + true_intercept + rng.normal(0, 0.5, size=years.size)
    series = pd.Series(y, index=years)
    tr = fit_trend(series, target_year=2030, ci=0.95)

    # Reference implementation: scipy.stats.linregress (OLS slope, its standard error).
    ref = stats.linregress(years, y)
    tcrit = stats.t.ppf(0.975, df=years.size - 2)
    assert tr.nobs == 15
    assert tr.slope == pytest.approx(ref.slope, rel=1e-9)
    assert tr.intercept == pytest.approx(ref.intercept, rel=1e-9)
    assert tr.slope_ci_low == pytest.approx(ref.slope - tcrit * ref.stderr, rel=1e-9)
    assert tr.slope_ci_upp == pytest.approx(ref.slope + tcrit * ref.stderr, rel=1e-9)
    assert tr.slope_ci_low < true_slope < tr.slope_ci_upp
    assert tr.slope == pytest.approx(true_slope, abs=0.05)
    # projection = slope * 2030 + intercept
    assert tr.projection == pytest.approx(tr.slope * 2030 + tr.intercept, rel=1e-12)
    # prediction interval: yhat +- t * s * sqrt(1 + 1/n + (x0 - xbar)^2 / Sxx)
    resid = y - (ref.slope * years + ref.intercept)
    s_e = math.sqrt((resid**2).sum() / (years.size - 2))
    sxx = ((years - years.mean()) ** 2).sum()
    half = tcrit * s_e * math.sqrt(1 + 1 / years.size + (2030 - years.mean()) ** 2 / sxx)
    assert tr.projection_pi_low == pytest.approx(tr.projection - half, rel=1e-9)
    assert tr.projection_pi_upp == pytest.approx(tr.projection + half, rel=1e-9)
    # the true 2030 value, 0.8*2030 - 1500 = 124, is inside the interval
    assert tr.projection_pi_low < 124.0 < tr.projection_pi_upp
    assert tr.reason == ""


def test_fit_trend_exact_line_and_ci_level():
    series = s({2015: 1.0, 2016: 3.0, 2017: 5.0, 2018: 7.0})  # y = 2*(year-2015) + 1
    tr = fit_trend(series, target_year=2020)
    assert tr.slope == pytest.approx(2.0)
    # 2*(2020-2015)+1 = 11
    assert tr.projection == pytest.approx(11.0)
    assert tr.intercept == pytest.approx(1.0 - 2.0 * 2015)


def test_fit_trend_narrower_ci_at_lower_level():
    rng = np.random.default_rng(1)
    years = np.arange(2015, 2024)
    series = pd.Series(2.0 * years + rng.normal(0, 1, years.size), index=years)
    wide, narrow = fit_trend(series, ci=0.95), fit_trend(series, ci=0.80)
    assert narrow.slope_ci_upp - narrow.slope_ci_low < wide.slope_ci_upp - wide.slope_ci_low


def test_fit_trend_too_few_points():
    tr = fit_trend(s({2015: 1.0, 2016: np.nan, 2020: 2.0}))
    assert tr.nobs == 2
    assert math.isnan(tr.slope) and math.isnan(tr.projection)
    assert "at least 3" in tr.reason


# ---------------------------------------------------------------- progress_table


def _values() -> pd.DataFrame:
    rows = [
        # Kota Jambi, poverty rate (lower is better)
        ("15.71", "1.2.1", 2015, 20.0),
        ("15.71", "1.2.1", 2020, 16.0),
        # Kota Jambi, partnership indicator (higher): no 2015 value -> baseline merged in
        ("15.71", "17.17.1", 2020, 55.0),
        ("15.71", "17.17.1", 2021, np.nan),  # missing value: ignored
        # Kota Jambi, no numeric target, default base year
        ("15.71", "5.5.2", 2015, 100.0),
        ("15.71", "5.5.2", 2020, 110.0),
        # Kota Bengkulu, poverty rate already below target
        ("17.71", "1.2.1", 2015, 12.0),
        ("17.71", "1.2.1", 2019, 9.0),
        # Kota Bengkulu, indicator with values but no agreed target row
        ("17.71", "5.5.1", 2016, 30.0),
        ("17.71", "5.5.1", 2020, 33.0),
    ]
    return pd.DataFrame(rows, columns=["region_code", "indicator_id", "year", "value"])


def _targets() -> pd.DataFrame:
    rows = [
        ("15.71", "1.2.1", 2015, 20.0, 2030, 10.0, "lower"),
        ("15.71", "17.17.1", 2015, 50.0, 2030, 80.0, "higher"),
        ("15.71", "5.5.2", np.nan, np.nan, 2030, np.nan, "Higher"),
        ("17.71", "1.2.1", 2015, 12.0, 2030, 10.0, "lower"),
        # no values at all: only the agreed baseline
        ("17.71", "17.17.1", 2015, 50.0, 2030, 80.0, "higher"),
    ]
    cols = ["region_code", "indicator_id", "baseline_year", "baseline_value",
            "target_year", "target_value", "direction"]
    return pd.DataFrame(rows, columns=cols)


def test_progress_table():
    out = progress_table(_values(), _targets())
    assert list(out.columns) == list(PROGRESS_TABLE_COLUMNS)
    assert len(out) == 6
    assert out["region_code"].tolist() == ["15.71"] * 3 + ["17.71"] * 3
    t = out.set_index(["region_code", "indicator_id"])

    pov = t.loc[("15.71", "1.2.1")]
    # growth (16/20)**(1/5)-1 = -0.0436475; required (10/20)**(1/15)-1 = -0.0451584
    # ratio 0.966542; achievement (16-20)/(10-20) = 0.4
    assert pov["growth"] == pytest.approx(-0.0436475, abs=1e-6)
    assert pov["required_growth"] == pytest.approx(-0.0451584, abs=1e-6)
    assert pov["ratio"] == pytest.approx(0.966542, abs=1e-5)
    assert pov["achievement"] == pytest.approx(0.4)
    assert (pov["status"], pov["summary"]) == ("on_track", "on_track")

    kmp = t.loc[("15.71", "17.17.1")]
    # baseline 50 (2015) merged from targets; latest 55 (2020; 2021 is NaN)
    # growth (55/50)**(1/5)-1 = 0.0192449; required (80/50)**(1/15)-1 = 0.0318296
    # ratio 0.0192449/0.0318296 = 0.604624 -> acceleration_needed
    # achievement (55-50)/(80-50) = 0.166667
    assert (kmp["baseline_year"], kmp["baseline_value"]) == (2015, 50.0)
    assert (kmp["latest_year"], kmp["latest_value"]) == (2020, 55.0)
    assert kmp["required_growth"] == pytest.approx(0.0318296, abs=1e-6)
    assert kmp["ratio"] == pytest.approx(0.604624, abs=1e-5)
    assert kmp["achievement"] == pytest.approx(1 / 6)
    assert (kmp["status"], kmp["summary"]) == ("acceleration_needed", "needs_attention")

    nt = t.loc[("15.71", "5.5.2")]
    # no target: growth (110/100)**(1/5)-1 = 0.0192449 >= 0.015; base year from the argument
    assert nt["direction"] == "higher"
    assert nt["baseline_year"] == 2015
    assert nt["growth"] == pytest.approx(0.0192449, abs=1e-6)
    assert math.isnan(nt["ratio"]) and math.isnan(nt["achievement"]) and math.isnan(nt["target_value"])
    assert nt["status"] == "on_track"

    bkl = t.loc[("17.71", "1.2.1")]
    # 9 <= 10: achieved; achievement (9-12)/(10-12) = 1.5
    assert (bkl["status"], bkl["summary"]) == ("target_achieved", "achieved")
    assert bkl["achievement"] == pytest.approx(1.5)

    only_base = t.loc[("17.71", "17.17.1")]
    assert only_base["status"] == "insufficient_data"
    assert only_base["latest_year"] == 2015 and only_base["achievement"] == pytest.approx(0.0)

    untargeted = t.loc[("17.71", "5.5.1")]
    assert pd.isna(untargeted["direction"])
    assert (untargeted["status"], untargeted["summary"]) == ("insufficient_data", "insufficient_data")
    assert (untargeted["baseline_year"], untargeted["latest_year"]) == (2016, 2020)

    assert str(out["baseline_year"].dtype) == "Int64"
    assert out["ratio"].dtype == "float64"


def test_progress_table_values_win_over_targets_baseline():
    vals = _values()
    tg = _targets()
    tg.loc[0, "baseline_value"] = 25.0  # disagrees with the 20.0 in values
    out = progress_table(vals, tg).set_index(["region_code", "indicator_id"])
    assert out.loc[("15.71", "1.2.1"), "baseline_value"] == 20.0


def test_progress_table_thresholds_passed_on():
    out = progress_table(_values(), _targets(), thresholds={"ratio_on_track": 0.6})
    row = out.set_index(["region_code", "indicator_id"]).loc[("15.71", "17.17.1")]
    assert row["status"] == "on_track"  # ratio 0.604624 >= 0.6


def test_progress_table_errors():
    tg = _targets()
    with pytest.raises(ValueError, match="more than one row"):
        progress_table(_values(), pd.concat([tg, tg.iloc[[0]]]))
    bad = tg.copy()
    bad.loc[1, "direction"] = "up"
    with pytest.raises(ValueError, match="17.17.1"):
        progress_table(_values(), bad)
    with pytest.raises(ValueError, match="missing column"):
        progress_table(_values().drop(columns="year"), tg)
    dup = pd.concat([_values(), _values().iloc[[0]]])
    with pytest.raises(ValueError, match="more than one value for year"):
        progress_table(dup, tg)


def test_progress_table_empty():
    empty_v = _values().iloc[0:0]
    empty_t = _targets().iloc[0:0]
    out = progress_table(empty_v, empty_t)
    assert list(out.columns) == list(PROGRESS_TABLE_COLUMNS) and len(out) == 0


# --- annual_series --------------------------------------------------------------------

def _rows(*rows):
    return pd.DataFrame(rows, columns=["region_code", "indicator_id", "year", "quarter", "sex",
                                       "value"]).astype({"quarter": "Int64"})


def test_annual_series_combines_quarters_by_the_indicators_rule():
    from evalkit.clean.indicators import annual_series

    values = _rows(
        ("15.71", "rate", 2023, None, "total", 10.0),
        ("15.71", "rate", 2024, 1, "total", 11.0), ("15.71", "rate", 2024, 2, "total", 13.0),
        ("15.71", "flow", 2024, 1, "total", 5.0), ("15.71", "flow", 2024, 2, "total", 7.0),
        ("15.71", "stock", 2024, 2, "total", 3.0), ("15.71", "stock", 2024, 4, "total", 4.0),
        ("15.71", "rate", 2024, 1, "female", 99.0),  # a breakdown: not the total series
    )
    meta = pd.DataFrame({"indicator_id": ["rate", "flow", "stock"],
                         "annual_rule": ["mean", "sum", "last"]})
    out = annual_series(values, meta)
    assert out[["indicator_id", "year", "value", "quarters"]].values.tolist() == [
        ["flow", 2024, 12.0, 2], ["rate", 2023, 10.0, 0], ["rate", 2024, 12.0, 2],
        ["stock", 2024, 4.0, 2]]


def test_annual_series_prefers_a_yearly_value_and_defaults_to_the_mean():
    from evalkit.clean.indicators import annual_series

    values = _rows(("15.71", "rate", 2024, None, "total", 20.0),
                   ("15.71", "rate", 2024, 1, "total", 1.0),
                   ("15.71", "rate", 2025, 1, "total", 2.0), ("15.71", "rate", 2025, 3, "total", 4.0))
    out = annual_series(values)
    assert out[["year", "value", "quarters"]].values.tolist() == [[2024, 20.0, 0], [2025, 3.0, 2]]
    with pytest.raises(ValueError, match="median"):
        annual_series(values, pd.DataFrame({"indicator_id": ["rate"], "annual_rule": ["median"]}))
