"""Tests for evalkit.measure.attribution (TWFE difference-in-differences + event-study pre-trends)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from evalkit.measure import attribution
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
    assert result.reference_period == -1
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


# --------------------------------------------------------------------------- reference period
# Issue #14: an indicator measured every two years never observes event time -1. The event
# study must then omit the latest observed pre-period (-2), not an unobserved -1.

DATA = Path(__file__).parent / "data"
CW_LEADS, CW_LAGS = [-8, -6, -4], [0, 2, 4, 6, 8, 10, 12]


@pytest.fixture(scope="module")
def chickweight():
    """R ``datasets::ChickWeight`` (tests/data/chickweight.csv, written by
    ``write.csv(ChickWeight[, c("Chick", "Diet", "Time", "weight")])``), days 0-20, which
    are every two days: chicks on diets 3 and 4 "treated" from day 8 (pre-periods -8 ... -2)."""
    cw = pd.read_csv(DATA / "chickweight.csv", dtype={"Chick": str})
    cw = cw[cw["Time"] <= 20].reset_index(drop=True)
    values = pd.DataFrame({"region_code": cw["Chick"], "indicator_id": "weight",
                           "year": cw["Time"], "value": cw["weight"].astype(float)})
    treated = cw.loc[cw["Diet"].isin([3, 4]), "Chick"].unique()
    return values, pd.DataFrame({"region_code": treated, "start_year": 8})


def _event_ols(values, partnerships, rel_years, *, extra=""):
    """Direct statsmodels OLS with one explicit dummy per relative period (the reference
    period not among them), region and year dummies, region-clustered CR1 errors."""
    d = values.copy()
    start = d["region_code"].map(dict(zip(partnerships["region_code"],
                                          partnerships["start_year"])))
    rel = d["year"] - start
    names = []
    for k in rel_years:
        names.append(f"ev{'m' if k < 0 else 'p'}{abs(k)}")
        d[names[-1]] = (rel == k).astype(float)
    groups = pd.factorize(d["region_code"])[0]
    formula = f"value ~ {' + '.join(names)}{extra} + C(region_code) + C(year)"
    ref = smf.ols(formula, data=d).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                       use_t=True)
    return ref, names


def test_event_study_without_year_minus_one_omits_the_latest_observed_pre_period(
        chickweight, capsys):
    """Failed before the fix: no period was omitted (an invented '-1 = 0' row, every
    coefficient shifted by +2.70 g here, 4 restrictions instead of 3, statsmodels'
    SingularMatrixWarning and a RuntimeWarning on stderr)."""
    values, partnerships = chickweight
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = did_estimate(values, partnerships, indicator_id="weight")
    assert [str(w.message) for w in caught] == []
    assert capsys.readouterr().err == ""
    assert res.supported and res.nobs == 533 and res.n_treated == 20 and res.n_control == 30
    assert res.reference_period == -2
    ev = res.event_study.set_index("rel_year")
    assert list(ev.index) == [*CW_LEADS, -2, *CW_LAGS]  # no invented -1 row
    assert ev.loc[-2, "estimate"] == 0.0 and math.isnan(ev.loc[-2, "ci_low"])
    assert list(res.leads["rel_year"]) == CW_LEADS
    assert any("reference period is -2" in n for n in res.notes)
    note = next(n for n in res.notes if n.startswith("Pre-trends test:"))
    assert "the 3 lead(s)" in note
    frame = res.to_frame()
    assert (frame["reference_period"] == -2).all()

    # direct statsmodels OLS with explicit event dummies, -2 dropped (1e-8)
    ref, names = _event_ols(values, partnerships, CW_LEADS + CW_LAGS)
    conf = ref.conf_int()
    for k, name in zip(CW_LEADS + CW_LAGS, names):
        assert ev.loc[k, "estimate"] == pytest.approx(ref.params[name], rel=1e-8, abs=1e-10)
        assert ev.loc[k, "ci_low"] == pytest.approx(conf.loc[name, 0], rel=1e-8, abs=1e-10)
        assert ev.loc[k, "ci_upp"] == pytest.approx(conf.loc[name, 1], rel=1e-8, abs=1e-10)

    # R 4.x:
    #   cw <- subset(read.csv("tests/data/chickweight.csv"), Time <= 20)
    #   (one 0/1 column per relative day k = Time - 8 of chicks on Diet 3 or 4, k != -2)
    #   es <- lm(weight ~ ev_m8 + ev_m6 + ev_m4 + ev_p0 + ... + ev_p12 + factor(Chick)
    #            + factor(Time), data = cw)
    #   coef(es)[ev]; sqrt(diag(sandwich::vcovCL(es, cluster = ~Chick, type = "HC1")))[ev]
    r_est = [-11.66896551724, -8.26896551724, -5.41206896552, 7.03103448276, 12.02931034483,
             20.37931034483, 22.86382828994, 28.12960209946, 38.91108358094, 53.28265278172]
    r_se = [2.12237305376, 1.88778970191, 1.39511848895, 2.29548328802, 4.49276372792,
            7.19000123187, 8.94869514148, 12.06595207379, 15.35284664612, 17.50453733853]
    q = stats.t.ppf(0.975, 49)  # t(G - 1), G = 50 chicks
    for k, est, se in zip(CW_LEADS + CW_LAGS, r_est, r_se):
        assert ev.loc[k, "estimate"] == pytest.approx(est, rel=1e-6)
        assert (ev.loc[k, "ci_upp"] - ev.loc[k, "ci_low"]) / (2 * q) == pytest.approx(se, rel=1e-6)
    # the DiD itself: lm(weight ~ treated_post + factor(Chick) + factor(Time)) and vcovCL HC1
    assert (res.estimate, res.se) == pytest.approx((32.05277110209, 9.50277278328), rel=1e-6)
    # pre-trends, analytic: F = b' V^-1 b / 3 over (ev_m8, ev_m6, ev_m4) with the vcovCL above,
    # pf(F, 3, 49, lower.tail = FALSE) = 3.90195059888e-06 (3 restrictions, not 4)
    assert "F test gives p = 3.9e-06" in note


def test_both_event_study_paths_agree_without_year_minus_one(chickweight):
    """The FWL path and the dummy-regression path omit the same reference period."""
    values, partnerships = chickweight
    sample = values.copy()
    sample["start_year"] = sample["region_code"].map(
        dict(zip(partnerships["region_code"], partnerships["start_year"]))).astype(float)
    sample["treated_post"] = (sample["year"] >= sample["start_year"]).astype(float)
    assert attribution._reference_period(sample) == -2
    data, rel_years, names = attribution._event_dummies(sample)
    assert rel_years == CW_LEADS + CW_LAGS
    assert attribution._twfe_fit(data, names).full_rank  # the fast path is taken
    notes_fast, notes_ref = [], []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fast = attribution._event_study(sample, 0.95, notes_fast)
        ref = attribution._event_study_dummies(sample, 0.95, notes_ref)
    assert caught == []
    pd.testing.assert_frame_equal(fast[1], ref[1], rtol=1e-8)
    pd.testing.assert_frame_equal(fast[0], ref[0], rtol=1e-8)
    assert fast[2] == ref[2] and notes_fast == notes_ref


def test_staggered_biennial_starts_use_minus_one_where_observed():
    """Odd and even start years on a biennial panel: -1 is observed (odd starts), so it is
    the reference, and the even-start cohort's periods are all estimated."""
    values, partnerships = make_panel(seed=5, starts=(2018, 2019))
    values = values[values["year"] % 2 == 0]
    res = did_estimate(values, partnerships, indicator_id=IND, min_pre_periods=1)
    assert res.reference_period == -1
    ev = res.event_study.set_index("rel_year")
    assert ev.loc[-1, "estimate"] == 0.0 and -2 in ev.index and -3 in ev.index
    assert not any("reference period is" in n for n in res.notes)


def test_rank_deficient_event_study_warns_nothing_and_says_so():
    """A design still rank-deficient with the reference omitted (lags collinear with the
    year effects) keeps the dummy path; statsmodels' warnings become a note."""
    values, _ = make_panel(seed=11)
    values = values[values["indicator_id"] == IND]
    treated = [f"R{i:02d}" for i in range(6)]
    values = values[values["region_code"].isin(treated) | (values["year"] < 2019)]
    sample = values.assign(start_year=np.where(values["region_code"].isin(treated), 2019.0,
                                               np.nan))
    sample["treated_post"] = (sample["year"] >= sample["start_year"]).astype(float)
    sample = sample.reset_index(drop=True)
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        attribution._event_study(sample, 0.95, notes)
    assert [str(w.message) for w in caught] == []
    assert any("rank-deficient" in n and "not uniquely determined" in n for n in notes)


# --------------------------------------------------------------------------- general API


def make_own_panel(seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A panel in its own column names (unit, period, outcome, x, band), unbalanced, with a
    time-varying covariate correlated with treatment and a few missing covariate values."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(14):
        fe = rng.normal(0, 2)
        for t in range(1, 9):
            treated_post = u < 6 and t >= (4 if u % 2 else 5)
            x = rng.normal(0.5 * treated_post, 1)
            band = "hi" if rng.random() < 0.4 + 0.2 * treated_post else "lo"
            y = fe + 0.3 * t + 1.5 * x + 0.8 * (band == "hi") + 2.0 * treated_post \
                + rng.normal(0, 1)
            rows.append({"unit": f"u{u:02d}", "period": t, "outcome": y, "x": x, "band": band})
    data = pd.DataFrame(rows).drop([5, 17, 60])
    data.loc[[3, 40], "x"] = np.nan
    starts = pd.DataFrame({"unit": [f"u{u:02d}" for u in range(6)],
                           "first_period": [5, 4, 5, 4, 5, 4]})
    return data.reset_index(drop=True), starts


OWN = dict(y="outcome", unit="unit", time="period", start="first_period")


def test_did_with_a_covariate_matches_statsmodels_on_own_column_names():
    data, starts = make_own_panel()
    res = did_estimate(data, starts, covariates="x", **OWN)
    assert res.supported
    d = data.dropna(subset=["x"]).reset_index(drop=True)
    first = d["unit"].map(dict(zip(starts["unit"], starts["first_period"])))
    d["treat_post"] = (d["period"] >= first).astype(float)
    ref = smf.ols("outcome ~ treat_post + x + C(unit) + C(period)", data=d).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d["unit"])[0]}, use_t=True)
    assert res.nobs == int(ref.nobs) == len(data) - 2
    assert res.estimate == pytest.approx(ref.params["treat_post"], rel=1e-8)
    assert res.se == pytest.approx(ref.bse["treat_post"], rel=1e-8)
    lo, hi = ref.conf_int().loc["treat_post"]
    assert (res.ci_low, res.ci_upp) == pytest.approx((lo, hi), rel=1e-8)
    assert res.pvalue == pytest.approx(ref.pvalues["treat_post"], rel=1e-8)
    assert any("2 region-year row(s) with a missing covariate" in n for n in res.notes)
    # the covariate matters here: without it the estimate differs
    plain = did_estimate(data, starts, **OWN)
    assert abs(plain.estimate - res.estimate) > 0.05


def test_event_study_with_covariates_matches_statsmodels():
    data, starts = make_own_panel(seed=3)
    res = did_estimate(data, starts, covariates="x + C(band)", **OWN)
    values = data.dropna(subset=["x"]).rename(columns={"unit": "region_code", "period": "year",
                                                       "outcome": "value"})
    partnerships = starts.rename(columns={"unit": "region_code", "first_period": "start_year"})
    rel_years = [k for k in res.event_study["rel_year"] if k != res.reference_period]
    ref, names = _event_ols(values, partnerships, rel_years, extra=" + x + C(band)")
    ev = res.event_study.set_index("rel_year")
    conf = ref.conf_int()
    for k, name in zip(rel_years, names):
        assert ev.loc[k, "estimate"] == pytest.approx(ref.params[name], rel=1e-8, abs=1e-10)
        assert ev.loc[k, "ci_low"] == pytest.approx(conf.loc[name, 0], rel=1e-8, abs=1e-10)
    assert any("Covariates" in n and "C(band)[T.lo]" in n for n in res.notes)


def test_one_series_needs_no_indicator_column(panel):
    values, partnerships = panel
    one = values[values["indicator_id"] == IND]
    base = did_estimate(values, partnerships, indicator_id=IND)
    for table in (one.drop(columns="indicator_id"), one):  # no id column; a single id
        res = did_estimate(table, partnerships)
        assert res.supported
        assert (res.estimate, res.se, res.pretrend_pvalue) == (base.estimate, base.se,
                                                               base.pretrend_pvalue)


def test_several_series_and_no_indicator_id_raises_naming_them(panel):
    with pytest.raises(ValueError, match=r"2 series \('IND-01', 'OTHER'\).*indicator_id="):
        did_estimate(*panel)


def test_indicator_id_without_its_column_raises(panel):
    values, partnerships = panel
    with pytest.raises(ValueError, match="indicator_id"):
        did_estimate(values.drop(columns="indicator_id"), partnerships, indicator_id=IND)


def test_own_column_names_appear_in_errors():
    data, starts = make_own_panel()
    with pytest.raises(ValueError, match="outcome"):
        did_estimate(data.drop(columns="outcome"), starts, **OWN)
    bad = data.astype({"period": float})
    bad.loc[0, "period"] = 1.5
    with pytest.raises(ValueError, match="'period' must hold whole years"):
        did_estimate(bad, starts, **OWN)
    with pytest.raises(ValueError, match="first_period"):
        did_estimate(data, starts.drop(columns="first_period"), **OWN)


def test_time_invariant_covariate_raises_naming_it():
    data, starts = make_own_panel()
    data["size"] = data["unit"].str[1:].astype(int) % 3  # constant within each unit
    with pytest.raises(ValueError, match=r"\['size'\].*do not vary within any unit \('unit'\)"):
        did_estimate(data, starts, covariates="x + size", **OWN)


@pytest.mark.parametrize("covariates,match", [
    ("outcome ~ x", "right-hand side"), ("0 + x", "intercept"), ("nope", "cannot be evaluated"),
    ("", "patsy right-hand side")])
def test_bad_covariates_raise(covariates, match):
    data, starts = make_own_panel()
    with pytest.raises(ValueError, match=match):
        did_estimate(data, starts, covariates=covariates, **OWN)
