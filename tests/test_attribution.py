"""Tests for evalkit.measure.attribution (TWFE difference-in-differences + event-study pre-trends)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from evalkit.measure.attribution import DidResult, did_estimate

TAU = 2.0
IND = "IND-01"
YEARS = list(range(2015, 2025))  # 10 years


def make_panel(*, seed: int = 20240601, n_regions: int = 12, n_treated: int = 6,
               starts=(2018, 2019, 2020), tau: float = TAU, noise: float = 0.5,
               pre_slope: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic panel: region FE + common year FE + tau after start + noise.

    ``pre_slope`` plants a diverging pre-trend: treated regions grow by that much per
    year *before* their start (flat afterwards, apart from the effect).
    """
    rng = np.random.default_rng(seed)
    regions = [f"R{i:02d}" for i in range(n_regions)]
    region_fe = dict(zip(regions, rng.normal(50, 5, n_regions)))
    year_fe = dict(zip(YEARS, np.cumsum(rng.normal(0.7, 0.3, len(YEARS)))))
    start = {r: starts[i % len(starts)] for i, r in enumerate(regions[:n_treated])}
    rows = []
    for r in regions:
        for y in YEARS:
            v = region_fe[r] + year_fe[y] + rng.normal(0, noise)
            if r in start:
                if y >= start[r]:
                    v += tau
                else:
                    v += pre_slope * (y - start[r])
            rows.append({"region_code": r, "indicator_id": IND, "year": y, "value": v})
    # an unrelated indicator in the same table must be ignored
    rows += [{"region_code": r, "indicator_id": "OTHER", "year": y, "value": 1.0}
             for r in regions for y in YEARS]
    partnerships = pd.DataFrame({"region_code": list(start), "start_year": list(start.values())})
    return pd.DataFrame(rows), partnerships


@pytest.fixture(scope="module")
def panel():
    return make_panel()


@pytest.fixture(scope="module")
def result(panel) -> DidResult:
    return did_estimate(*panel, indicator_id=IND)


# --------------------------------------------------------------------------- recovery


def test_recovers_known_effect(result):
    assert result.supported
    assert result.n_treated == 6 and result.n_control == 6
    assert result.nobs == 120
    assert abs(result.estimate - TAU) < 0.3
    assert result.ci_low < TAU < result.ci_upp
    assert result.ci_low < result.estimate < result.ci_upp
    assert result.se > 0 and result.pvalue < 0.001
    assert any("staggered" in n.lower() for n in result.notes)


def test_common_start_recovers_effect():
    values, partnerships = make_panel(seed=7, starts=(2019,))
    res = did_estimate(values, partnerships, indicator_id=IND)
    assert res.supported
    assert abs(res.estimate - TAU) < 0.3
    assert res.ci_low < TAU < res.ci_upp
    assert not any("staggered" in n.lower() for n in res.notes)


# --------------------------------------------------------------------------- reference checks


def test_matches_hand_built_dummy_ols(panel, result):
    values, partnerships = panel
    d = values[values["indicator_id"] == IND].reset_index(drop=True)
    start = d["region_code"].map(dict(zip(partnerships["region_code"],
                                          partnerships["start_year"])))
    treated_post = (d["year"] >= start).astype(float)  # NaN start -> False
    X = pd.concat([
        pd.Series(1.0, index=d.index, name="const"),
        treated_post.rename("treated_post"),
        pd.get_dummies(d["region_code"], drop_first=True, dtype=float),
        pd.get_dummies(d["year"], prefix="y", drop_first=True, dtype=float),
    ], axis=1)
    groups = pd.factorize(d["region_code"])[0]
    ref = sm.OLS(d["value"], X).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                    use_t=True)
    assert result.estimate == pytest.approx(ref.params["treated_post"], abs=1e-9)
    assert result.se == pytest.approx(ref.bse["treated_post"], rel=1e-9)
    lo, hi = ref.conf_int().loc["treated_post"]
    assert (result.ci_low, result.ci_upp) == pytest.approx((lo, hi), rel=1e-9)
    # and the plain least-squares solution agrees too
    beta = np.linalg.lstsq(X.to_numpy(), d["value"].to_numpy(), rcond=None)[0]
    assert result.estimate == pytest.approx(beta[1], abs=1e-9)


def test_two_by_two_equals_difference_of_means():
    rng = np.random.default_rng(3)
    rows = []
    for r in ["T1", "T2", "C1", "C2", "C3"]:
        for y in (2020, 2021):
            rows.append({"region_code": r, "indicator_id": IND, "year": y,
                         "value": float(rng.normal(10, 3))})
    values = pd.DataFrame(rows)
    partnerships = pd.DataFrame({"region_code": ["T1", "T2"], "start_year": [2021, 2021]})
    res = did_estimate(values, partnerships, indicator_id=IND, min_pre_periods=1)
    assert res.supported
    m = values.assign(t=values["region_code"].str.startswith("T")).groupby(["t", "year"])["value"].mean()
    expected = (m[(True, 2021)] - m[(True, 2020)]) - (m[(False, 2021)] - m[(False, 2020)])
    assert res.estimate == pytest.approx(expected, abs=1e-10)
    # only the reference year before the start: no leads, no pre-trend test
    assert res.leads.empty and math.isnan(res.pretrend_pvalue)
    assert any("pre-trends test cannot be run" in n for n in res.notes)


# --------------------------------------------------------------------------- pre-trends


def test_parallel_pretrends_not_rejected(result):
    assert list(result.leads.columns) == ["rel_year", "estimate", "ci_low", "ci_upp"]
    assert sorted(result.leads["rel_year"]) == [-5, -4, -3, -2]
    assert result.pretrend_pvalue > 0.05
    ev = result.event_study
    assert ev.loc[ev["rel_year"] == -1, "estimate"].item() == 0.0
    lags = ev[ev["rel_year"] >= 0]
    assert abs(lags["estimate"].mean() - TAU) < 0.3
    assert ((lags["ci_low"] < TAU) & (TAU < lags["ci_upp"])).mean() >= 0.8


def test_diverging_pretrend_detected():
    # all 6 treated regions start in 2020 (5 pre-treatment years) and grow +0.8/yr before
    values, partnerships = make_panel(pre_slope=0.8, starts=(2020,))
    res = did_estimate(values, partnerships, indicator_id=IND)
    assert res.supported
    assert res.pretrend_pvalue < 0.01
    # leads slope down toward the start: lead -k is about -0.8 * (k - 1)
    leads = res.leads.set_index("rel_year")["estimate"]
    assert leads[-5] < leads[-2] < 0
    assert leads[-5] == pytest.approx(-0.8 * 4, abs=0.6)
    assert any("pre-trends test rejects" in n.lower() for n in res.notes)


def test_diverging_pretrend_detected_staggered():
    # staggered starts leave fewer regions per lead; the bootstrap test still rejects at 5%
    values, partnerships = make_panel(pre_slope=0.8)
    res = did_estimate(values, partnerships, indicator_id=IND)
    assert res.pretrend_pvalue < 0.05


def test_pretrend_pvalue_is_wild_cluster_bootstrap(result):
    note = next(n for n in result.notes if n.startswith("Pre-trends test:"))
    assert "wild cluster bootstrap" in note and "4096" in note  # 2**12 sign patterns
    assert 0 < result.pretrend_pvalue <= 1


# --------------------------------------------------------------------------- not supported


def _assert_unsupported(res: DidResult, *words: str) -> None:
    assert isinstance(res, DidResult)
    assert res.supported is False
    for x in (res.estimate, res.se, res.ci_low, res.ci_upp, res.pvalue, res.pretrend_pvalue):
        assert math.isnan(x)
    text = " ".join(res.notes).lower()
    for w in words:
        assert w in text, f"{w!r} not in notes: {res.notes}"


def test_no_comparison_regions(panel):
    values, _ = panel
    regions = values["region_code"].unique()
    all_treated = pd.DataFrame({"region_code": regions, "start_year": 2019})
    res = did_estimate(values, all_treated, indicator_id=IND)
    _assert_unsupported(res, "no comparison regions")
    assert res.n_control == 0


def test_one_treated_region(panel):
    values, partnerships = panel
    res = did_estimate(values, partnerships.head(1), indicator_id=IND)
    _assert_unsupported(res, "only 1 treated region")
    assert res.n_treated == 1


def test_no_pre_period(panel):
    values, partnerships = panel
    early = partnerships.assign(start_year=2010)  # before the first observed year 2015
    res = did_estimate(values, early, indicator_id=IND)
    _assert_unsupported(res, "no pre-treatment period", "treated region")
    assert res.n_treated == 0


def test_single_region_without_pre_period_is_excluded_with_note(panel):
    values, partnerships = panel
    p = pd.concat([partnerships,
                   pd.DataFrame({"region_code": ["R11"], "start_year": [2015]})])
    res = did_estimate(values, p, indicator_id=IND)
    assert res.supported and res.n_treated == 6 and res.n_control == 5
    assert res.nobs == 110
    assert any("R11" in n and "no pre-treatment period" in n for n in res.notes)


def test_earliest_start_year_counts(panel):
    values, partnerships = panel
    extra = partnerships.assign(start_year=partnerships["start_year"] + 3)
    res = did_estimate(values, pd.concat([extra, partnerships]), indicator_id=IND)
    base = did_estimate(values, partnerships, indicator_id=IND)
    assert res.estimate == pytest.approx(base.estimate)


def test_missing_indicator(panel):
    res = did_estimate(*panel, indicator_id="NOPE")
    _assert_unsupported(res, "not in `values`")


def test_no_variation(panel):
    values, partnerships = panel
    res = did_estimate(values, partnerships, indicator_id="OTHER")
    _assert_unsupported(res, "no variation")


# --------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize("column", ["region_code", "indicator_id", "year", "value"])
def test_missing_value_column_raises(panel, column):
    values, partnerships = panel
    with pytest.raises(ValueError, match=column):
        did_estimate(values.drop(columns=column), partnerships, indicator_id=IND)


def test_missing_partnership_column_raises(panel):
    values, partnerships = panel
    with pytest.raises(ValueError, match="start_year"):
        did_estimate(values, partnerships.drop(columns="start_year"), indicator_id=IND)


def test_duplicate_region_year_raises(panel):
    values, partnerships = panel
    dup = pd.concat([values, values.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="duplicated region-year rows"):
        did_estimate(dup, partnerships, indicator_id=IND)


def test_non_numeric_value_raises(panel):
    values, partnerships = panel
    bad = values.astype({"value": object})
    bad.loc[0, "value"] = "n/a"
    with pytest.raises(ValueError, match="value"):
        did_estimate(bad, partnerships, indicator_id=IND)
