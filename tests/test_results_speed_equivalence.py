"""The fast paths of the cross-region results give the numbers of the direct computations.

``evalkit.analyse.results.compute_results`` was made fast enough for a country-sized data set
(552 regions) by changing *how* things are computed, never *what*: the same estimators,
bootstrap draws and seeds. Each test here compares one fast path with the direct
computation it replaced (the statsmodels / scipy / pandas call, or the per-draw refit),
mostly to the last bit; where floating-point order legitimately differs, to 1e-8 or
tighter.
"""

from __future__ import annotations

import math
import time
import zlib

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel

from evalkit.analyse import region_tables as analysis
from evalkit.analyse import results
from evalkit.measure import (
    attribution,
    engagement,
    indicators,
    long_scores,
    models,
    network,
    sector_tests,
)
from evalkit.read.regions import get_region
from evalkit.run import stages

# --------------------------------------------------------------------------------------
# Difference-in-differences: FWL fit and vectorised wild cluster bootstrap
# --------------------------------------------------------------------------------------
YEARS = list(range(2014, 2024))


def did_panel(n_regions: int, *, seed: int = 3, drop: float = 0.0, pre_slope: float = 0.0
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Region FE + year FE + 1.5 after a staggered start (+ a planted pre-trend)."""
    rng = np.random.default_rng(seed)
    regions = [f"R{i:03d}" for i in range(n_regions)]
    n_treated = n_regions // 2
    start = {r: (2017, 2018, 2019)[i % 3] for i, r in enumerate(regions[:n_treated])}
    fe = dict(zip(regions, rng.normal(50, 5, n_regions), strict=True))
    yfe = dict(zip(YEARS, np.cumsum(rng.normal(0.5, 0.3, len(YEARS))), strict=True))
    rows = []
    for r in regions:
        for y in YEARS:
            v = fe[r] + yfe[y] + rng.normal(0, 0.6)
            if r in start:
                v += 1.5 if y >= start[r] else pre_slope * (y - start[r])
            rows.append({"region_code": r, "indicator_id": "I", "year": y, "value": v})
    values = pd.DataFrame(rows)
    if drop:  # an unbalanced panel: some region-years missing
        values = values.drop(values.sample(frac=drop, random_state=seed).index)
    return values.reset_index(drop=True), pd.DataFrame(
        {"region_code": list(start), "start_year": list(start.values())})


def did_sample(values: pd.DataFrame, partnerships: pd.DataFrame) -> pd.DataFrame:
    """The estimation sample did_estimate builds (all regions usable here)."""
    start = dict(zip(partnerships["region_code"], partnerships["start_year"], strict=True))
    sample = values.copy()
    sample["start_year"] = sample["region_code"].map(start).astype("float64")
    sample["treated_post"] = (sample["year"] >= sample["start_year"]).astype("float64")
    return sample.reset_index(drop=True)


@pytest.mark.parametrize("n_regions,drop", [(12, 0.0), (40, 0.1), (90, 0.05)])
def test_fwl_fit_equals_statsmodels_dummy_regression(n_regions, drop):
    """Coefficients and the CR1 cluster covariance of every non-absorbed column equal the
    dummy regression's (statsmodels OLS, cov_type="cluster"), also on unbalanced panels."""
    sample = did_sample(*did_panel(n_regions, drop=drop))
    data, rel_years, names = attribution._event_dummies(sample)
    fit = attribution._twfe_fit(data, names)
    ref = attribution._fit_cluster(
        "value ~ " + " + ".join(names + ["C(region_code)", "C(year)"]), data)
    assert fit.full_rank and fit.nobs == int(ref.nobs) and fit.df_resid == int(ref.df_resid)
    np.testing.assert_allclose(fit.params[:len(names)], ref.params[names], rtol=1e-8, atol=1e-10)
    cov = np.asarray(ref.cov_params().loc[names, names])
    np.testing.assert_allclose(fit.cov[:len(names), :len(names)], cov, rtol=1e-8, atol=1e-14)
    # the year dummies (patsy's C(year), first year dropped) too
    year_names = [n for n in ref.params.index if n.startswith("C(year)")]
    np.testing.assert_allclose(fit.params[len(names):], ref.params[year_names], rtol=1e-8)
    np.testing.assert_allclose(fit.resid, np.asarray(ref.resid), atol=1e-9)
    for name in names:
        est, se, lo, hi, p = fit.t_interval(name, 0.9)
        ci = ref.conf_int(alpha=0.1).loc[name]
        assert (est, se) == pytest.approx((ref.params[name], ref.bse[name]), rel=1e-8)
        assert (lo, hi) == pytest.approx((ci[0], ci[1]), rel=1e-8, abs=1e-10)
        assert p == pytest.approx(ref.pvalues[name], rel=1e-6, abs=1e-15)


@pytest.mark.parametrize("n_regions,drop,pre_slope", [(10, 0.0, 0.0), (12, 0.05, 0.3),
                                                      (60, 0.0, 0.0), (60, 0.08, 0.2)])
def test_vectorised_wild_bootstrap_equals_refitting_every_draw(n_regions, drop, pre_slope):
    """Every one of the 2**G (G <= 12) or 9,999 bootstrap Wald statistics equals the one
    from refitting the dummy regression on that bootstrap sample, so the p-values are
    identical for the same Rademacher draws."""
    sample = did_sample(*did_panel(n_regions, drop=drop, pre_slope=pre_slope))
    data, rel_years, names = attribution._event_dummies(sample)
    leads = [attribution._event_name(k) for k in rel_years if k <= -2]
    lags = [attribution._event_name(k) for k in rel_years if k >= 0]
    fit = attribution._twfe_fit(data, names)
    restricted = attribution._twfe_fit(data, lags)
    idx = [names.index(n) for n in leads]
    y = data["value"].to_numpy()
    observed, boot = attribution._wild_cluster_wald_stats(fit, y - restricted.resid,
                                                          restricted.resid, idx)

    res = attribution._fit_cluster(
        "value ~ " + " + ".join(names + ["C(region_code)", "C(year)"]), data)
    res_r = smf.ols("value ~ " + " + ".join(lags + ["C(region_code)", "C(year)"]), data).fit()
    ref_idx = [list(res.params.index).index(n) for n in leads]
    groups = pd.factorize(data["region_code"])[0]
    ref_observed, ref_boot = attribution._wild_cluster_wald_refit(res, res_r, ref_idx, groups)
    assert len(boot) == (2 ** n_regions if n_regions <= 12 else 9999)
    assert observed == pytest.approx(ref_observed, rel=1e-9)
    np.testing.assert_allclose(boot, ref_boot, rtol=1e-8)
    p_new = float((boot >= observed - 1e-10).sum()) / len(boot)
    p_ref = float((ref_boot >= ref_observed - 1e-10).sum()) / len(ref_boot)
    assert p_new == p_ref
    # and the analytic Wald test is statsmodels'
    r = np.zeros((len(ref_idx), len(res.params)))
    r[np.arange(len(ref_idx)), ref_idx] = 1.0
    b = fit.params[idx]
    f = float(b @ np.linalg.pinv(fit.cov[np.ix_(idx, idx)]) @ b) / len(idx)
    assert f == pytest.approx(float(res.wald_test(r, use_f=True, scalar=True).statistic),
                              rel=1e-8)


def test_wild_signs_are_the_old_draws_drawn_once():
    """The same Rademacher weights as before: every sign pattern for G <= 12, else 9,999
    draws from numpy's generator seeded 20240601; cached per G and read-only."""
    old = np.random.default_rng(20240601).choice([-1.0, 1.0], size=(9999, 60))
    signs = attribution._wild_signs(60)
    assert np.array_equal(signs, old) and signs is attribution._wild_signs(60)
    assert not signs.flags.writeable
    patterns = attribution._wild_signs(5)
    assert patterns.shape == (32, 5) and len({tuple(r) for r in patterns.tolist()}) == 32


@pytest.mark.parametrize("n_regions,drop,pre_slope", [(12, 0.0, 0.0), (40, 0.1, 0.4)])
def test_event_study_fast_path_equals_dummy_path(n_regions, drop, pre_slope):
    sample = did_sample(*did_panel(n_regions, drop=drop, pre_slope=pre_slope))
    notes_fast, notes_ref = [], []
    leads, events, p = attribution._event_study(sample, 0.95, notes_fast)
    ref_leads, ref_events, ref_p = attribution._event_study_dummies(sample, 0.95, notes_ref)
    pd.testing.assert_frame_equal(events, ref_events, rtol=1e-8)
    pd.testing.assert_frame_equal(leads, ref_leads, rtol=1e-8)
    assert p == ref_p
    assert notes_fast == notes_ref  # same draws, same analytic F p-value to 3 digits


@pytest.mark.filterwarnings("ignore:The design matrix is rank-deficient")
def test_rank_deficient_event_study_goes_to_the_dummy_path(monkeypatch):
    """A design the small regression cannot separate is fitted as before (statsmodels pinv)."""
    calls = []
    real = attribution._event_study_dummies
    monkeypatch.setattr(attribution, "_event_study_dummies",
                        lambda *a: calls.append(1) or real(*a))
    # every region treated in 2019 and a comparison group observed only before 2019:
    # the lags are collinear with the year dummies of 2019-2023
    values, _ = did_panel(12)
    late = (values["region_code"].isin([f"R{i:03d}" for i in range(6, 12)])
            & (values["year"] >= 2019))
    s = did_sample(values[~late], pd.DataFrame({"region_code": [f"R{i:03d}" for i in range(6)],
                                                "start_year": 2019}))
    data, _, names = attribution._event_dummies(s)
    assert not attribution._twfe_fit(data, names).full_rank
    attribution._event_study(s, 0.95, [])
    assert calls == [1]


def test_did_estimate_on_a_mid_size_panel_matches_the_dummy_regression():
    values, partnerships = did_panel(80, drop=0.05)
    res = attribution.did_estimate(values, partnerships, indicator_id="I")
    d = did_sample(values, partnerships)
    ref = attribution._fit_cluster("value ~ treated_post + C(region_code) + C(year)", d)
    assert res.estimate == pytest.approx(ref.params["treated_post"], rel=1e-9)
    assert res.se == pytest.approx(ref.bse["treated_post"], rel=1e-9)
    lo, hi = ref.conf_int().loc["treated_post"]
    assert (res.ci_low, res.ci_upp) == pytest.approx((lo, hi), rel=1e-9)
    assert res.pvalue == pytest.approx(ref.pvalues["treated_post"], rel=1e-6)
    assert res.nobs == int(ref.nobs)
    assert abs(res.estimate - 1.5) < 0.2 and res.ci_low < 1.5 < res.ci_upp


# --------------------------------------------------------------------------------------
# Sector tests: Kruskal-Wallis, its bootstrap, Mann-Whitney
# --------------------------------------------------------------------------------------
def likert_means(rng, n, loc=3.4) -> np.ndarray:
    """Means of three 1-5 items: many ties, as the survey's dimension scores."""
    return np.clip(np.round(rng.normal(loc, 0.8, (n, 3))), 1, 5).mean(axis=1)


def test_kruskal_equals_scipy_bit_for_bit():
    rng = np.random.default_rng(5)
    for sizes in ([5, 7], [5, 9, 6, 30], [40, 200, 15, 60, 5], [300, 280]):
        data = [likert_means(rng, n, 3 + 0.1 * i) for i, n in enumerate(sizes)]
        ref = stats.kruskal(*data)
        assert sector_tests._kruskal(data) == (float(ref.statistic), float(ref.pvalue))
    data = [rng.normal(size=n) for n in (6, 8, 11)]  # no ties
    ref = stats.kruskal(*data)
    assert sector_tests._kruskal(data) == (float(ref.statistic), float(ref.pvalue))


def test_bootstrap_h_from_counts_equals_ranking_every_replicate():
    rng = np.random.default_rng(9)
    for sizes in ([5, 6], [5, 9, 14, 30, 6], [120, 300, 80]):
        data = [likert_means(rng, n, 3 + 0.2 * i) for i, n in enumerate(sizes)]
        draws = [rng.integers(0, d.size, size=(200, d.size)) for d in data]
        boot = np.concatenate([d[i] for d, i in zip(data, draws, strict=True)], axis=1)
        expected = sector_tests._kruskal_h_rows(boot, sizes)
        assert np.array_equal(sector_tests._kruskal_h_boot(data, draws), expected, equal_nan=True)
    # replicates whose values are all equal give NaN, as before
    data = [np.array([1.0, 1.0, 1.0, 2.0, 1.0]), np.array([1.0] * 5)]
    draws = [np.zeros((3, 5), dtype=int), np.zeros((3, 5), dtype=int)]
    assert np.isnan(sector_tests._kruskal_h_boot(data, draws)).all()


def test_sector_differences_interval_equals_the_per_replicate_ranking():
    """The whole eps^2 interval, recomputed the old way (rank each replicate)."""
    rng = np.random.default_rng(2)
    scores = pd.DataFrame({"dimension": "trust", "sector": rng.choice(
        ["pemerintah", "dunia_usaha", "akademisi", "media"], 220), "score": likert_means(rng, 220)})
    out = sector_tests.sector_differences(scores, n_boot=500, seed=20261123)
    groups = [scores.loc[scores["sector"] == g, "score"].to_numpy()
              for g in sorted(scores["sector"].unique())]
    rng_dim = np.random.default_rng([20261123, zlib.crc32(b"trust")])
    boot = np.concatenate([g[rng_dim.integers(0, g.size, size=(500, g.size))] for g in groups],
                          axis=1)
    n = sum(g.size for g in groups)
    eps = sector_tests._kruskal_h_rows(boot, [g.size for g in groups]) / (n - 1)
    alpha = 1 - 0.95  # as sector_differences forms the quantile levels
    lo, hi = np.quantile(eps[np.isfinite(eps)], [alpha / 2, 1 - alpha / 2])
    assert (out["eps_ci_low"].iloc[0], out["eps_ci_upp"].iloc[0]) == (lo, hi)
    ref = stats.kruskal(*groups)
    assert (out["H"].iloc[0], out["pvalue"].iloc[0]) == (ref.statistic, ref.pvalue)


def test_mann_whitney_equals_scipy_bit_for_bit():
    rng = np.random.default_rng(4)
    cases = [(likert_means(rng, a), likert_means(rng, b, 3.0)) for a, b in
             [(5, 5), (5, 40), (12, 9), (200, 150)]]
    cases += [(rng.normal(size=6), rng.normal(size=7)),  # small, no ties: exact p-value
              (rng.normal(size=30), rng.normal(0.5, 1, 25)),
              (np.full(6, 3.0), np.full(8, 3.0))]  # all tied
    for a, b in cases:
        u, p, theta, used = sector_tests._mann_whitney(a, b)
        # R's rule (issue #14): exact when untied and both samples < 50, else asymptotic
        untied = np.unique(np.concatenate([a, b])).size == a.size + b.size
        assert used == ("exact" if untied and max(a.size, b.size) < 50 else "asymptotic")
        ref = stats.mannwhitneyu(a, b, alternative="two-sided", method=used)
        assert u == float(ref.statistic)
        if used == "exact":  # exact integer counts (cached) vs scipy's floats: a few ulps
            assert p == pytest.approx(float(ref.pvalue), rel=1e-13, abs=0)
        else:
            assert p == float(ref.pvalue)
        old_theta = float(((a[:, None] > b[None, :]) + 0.5 * (a[:, None] == b[None, :])).mean())
        assert theta == old_theta
        assert sector_tests._rank_biserial(a, b, 0.95, theta) == sector_tests._rank_biserial(a, b, 0.95)


def test_scores_split_once_equals_filtering_per_dimension_and_group():
    rng = np.random.default_rng(1)
    scores = pd.DataFrame({
        "dimension": pd.Categorical(rng.choice(["trust", "leadership", "equity"], 400),
                                    categories=["trust", "leadership", "equity", "unused"]),
        "sector": rng.choice(["media", "pemerintah", None, "akademisi"], 400),
        "score": np.where(rng.random(400) < 0.1, np.nan, likert_means(rng, 400))})
    levels = long_scores.levels(scores["sector"])
    dims = long_scores.dimension_levels(scores)
    split = sector_tests._split_scores(scores, "sector", levels, dims)
    for dim in dims:
        for g in levels:
            ref = scores.loc[(scores["dimension"] == dim) & scores["score"].notna()
                             & (scores["sector"] == g), "score"].to_numpy()
            assert np.array_equal(split[dim][g], ref)


# --------------------------------------------------------------------------------------
# Ordinal model, ICC profile
# --------------------------------------------------------------------------------------
def ordinal_data(seed: int = 0, n_resp: int = 400) -> tuple[pd.Series, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    sector = rng.choice(["a", "b", "c"], n_resp)
    effect = pd.Series({"a": 0.0, "b": 0.6, "c": -0.4})[sector].to_numpy()
    latent = effect[:, None] + rng.logistic(size=(n_resp, 3))
    answers = np.digitize(latent, [-1.5, -0.4, 0.6, 1.8]) + 1
    resp = np.repeat(np.arange(n_resp), 3)
    endog = pd.Series(pd.Categorical(answers.ravel().astype(float), ordered=True))
    exog = pd.DataFrame({"_s0": (np.repeat(sector, 3) == "b").astype(float),
                         "_s1": (np.repeat(sector, 3) == "c").astype(float)})
    return endog, exog, resp


def test_cell_ordered_model_loglike_is_statsmodels_bit_for_bit():
    endog, exog, resp = ordinal_data()
    plain = OrderedModel(endog, exog, distr="logit")
    cell = models._cell_ordered_model(OrderedModel)(endog, exog, distr="logit")
    rng = np.random.default_rng(3)
    for _ in range(5):
        params = plain.start_params + rng.normal(0, 0.3, plain.start_params.size)
        assert np.array_equal(cell.loglikeobs(params), plain.loglikeobs(params))
        assert cell.loglike(params) == plain.loglike(params)


def test_cell_ordered_model_fit_is_statsmodels_fit():
    endog, exog, resp = ordinal_data(seed=1, n_resp=1500)
    kw = dict(method="bfgs", disp=False, maxiter=1000, cov_type="cluster",
              cov_kwds={"groups": resp})
    ref = OrderedModel(endog, exog, distr="logit").fit(**kw)
    new = models._cell_ordered_model(OrderedModel)(endog, exog, distr="logit").fit(**kw)
    assert np.array_equal(np.asarray(new.params), np.asarray(ref.params))
    assert np.array_equal(np.asarray(new.bse), np.asarray(ref.bse))
    assert new.cov_type == ref.cov_type == "cluster"
    # planted log odds 0.6 and -0.4 (SE about 0.065 here)
    assert abs(new.params["_s0"] - 0.6) < 0.2 and abs(new.params["_s1"] + 0.4) < 0.2


def test_reml_icc_in_slices_equals_all_at_once():
    rng = np.random.default_rng(8)
    sizes = rng.integers(1, 40, size=60)
    ybar = rng.normal(0, 0.5, (70, 60))
    within = rng.chisquare(sizes.sum() - 60, size=70)
    whole = models._reml_icc(ybar, within, sizes, chunk=10**12)
    for chunk in (1, 5000, 100_000):
        assert np.array_equal(models._reml_icc(ybar, within, sizes, chunk=chunk), whole)


# --------------------------------------------------------------------------------------
# Indicators: trends and progress
# --------------------------------------------------------------------------------------
def trend_values(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    rows, keys = [], []
    for i in range(40):
        years = sorted(rng.choice(np.arange(2010, 2025), size=int(rng.integers(0, 9)),
                                  replace=False))
        slope, level = rng.normal(0.5, 1), rng.normal(50, 10)
        for y in years:
            v = np.nan if rng.random() < 0.1 else level + slope * (y - 2010) + rng.normal()
            rows.append((f"R{i:02d}", "X", int(y), v))
        keys.append((f"R{i:02d}", "X", [2030, 2027, np.nan][i % 3]))
    values = pd.DataFrame(rows, columns=["region_code", "indicator_id", "year", "value"])
    return values, pd.DataFrame(keys, columns=["region_code", "indicator_id", "target_year"])


def test_fit_trends_equals_fit_trend_per_series():
    values, keys = trend_values()
    out = indicators.fit_trends(values, keys, ci=0.9)
    assert list(out.columns) == list(indicators.TRENDS_COLUMNS)
    fitted = 0
    for row, key in zip(out.itertuples(index=False), keys.itertuples(index=False), strict=True):
        series = values[values["region_code"] == key.region_code].set_index("year")["value"]
        when = {} if pd.isna(key.target_year) else {"target_year": int(key.target_year)}
        ref = indicators.fit_trend(series, ci=0.9, **when)
        assert row.nobs == ref.nobs and row.target_year == ref.target_year
        got = [row.slope, row.slope_ci_low, row.slope_ci_upp, row.intercept, row.projection,
               row.projection_pi_low, row.projection_pi_upp]
        want = [ref.slope, ref.slope_ci_low, ref.slope_ci_upp, ref.intercept, ref.projection,
                ref.projection_pi_low, ref.projection_pi_upp]
        if ref.nobs < indicators.MIN_TREND_POINTS:
            assert all(math.isnan(x) for x in got)
        else:
            fitted += 1
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-9)
    assert fitted >= 15


def test_trend_projections_keep_their_columns_and_default_year():
    values, keys = trend_values(1)
    progress = keys.assign(target_year=keys["target_year"].astype("Int64"))
    out = analysis.trend_projections(values, progress)
    assert list(out.columns) == ["region_code", "indicator_id", "projection",
                                 "projection_pi_low", "projection_pi_upp", "slope"]
    row = out.iloc[2]  # no target year: projected to fit_trend's 2030
    series = values[values["region_code"] == row["region_code"]].set_index("year")["value"]
    ref = indicators.fit_trend(series)
    if ref.nobs >= 3:
        assert row["projection"] == pytest.approx(ref.projection, rel=1e-10)


def test_fit_trends_rejects_repeated_years():
    values = pd.DataFrame({"region_code": "A", "indicator_id": "X", "year": [2020, 2020, 2021],
                           "value": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="more than one value for year 2020"):
        indicators.fit_trends(values, values[["region_code", "indicator_id"]].head(1))


def test_progress_table_equals_assess_progress_of_each_series():
    rng = np.random.default_rng(12)
    rows, targets = [], []
    for i in range(60):
        region = f"R{i:02d}"
        years = sorted(rng.choice(np.arange(2013, 2025), size=int(rng.integers(0, 7)),
                                  replace=False))
        for y in years:
            rows.append((region, "X", int(y), np.nan if rng.random() < 0.1
                         else float(rng.uniform(5, 80))))
        if i % 7 != 0:  # some series have no agreed target
            targets.append((region, "X", [2015, np.nan, 2011][i % 3], float(rng.uniform(5, 80)),
                            [2030, np.nan][i % 2], [float(rng.uniform(0, 90)), np.nan][i % 5 == 0],
                            ["higher", "lower"][i % 2]))
    values = pd.DataFrame(rows, columns=["region_code", "indicator_id", "year", "value"])
    targets = pd.DataFrame(targets, columns=["region_code", "indicator_id", "baseline_year",
                                             "baseline_value", "target_year", "target_value",
                                             "direction"])
    out = indicators.progress_table(values, targets).set_index("region_code")
    for t in targets.itertuples(index=False):
        s = values[values["region_code"] == t.region_code].dropna(subset=["value"])
        s = s.set_index("year")["value"]
        b_year = 2015 if pd.isna(t.baseline_year) else int(t.baseline_year)
        if b_year not in s.index:
            s = pd.concat([s, pd.Series([t.baseline_value], index=[b_year])])
        ref = indicators.assess_progress(
            s, target=t.target_value, target_year=2030 if pd.isna(t.target_year)
            else int(t.target_year), base_year=b_year, direction=t.direction)
        row = out.loc[t.region_code]
        assert row["status"] == ref.status and row["summary"] == ref.summary
        for col, val in (("growth", ref.growth), ("ratio", ref.ratio),
                         ("required_growth", ref.required_growth),
                         ("latest_value", ref.latest_value), ("baseline_value", ref.base_value)):
            assert (math.isnan(row[col]) if val is None or math.isnan(val)
                    else row[col] == val), (t.region_code, col)
    untargeted = set(values["region_code"]) - set(targets["region_code"])
    assert (out.loc[sorted(untargeted), "status"] == "insufficient_data").all()


# --------------------------------------------------------------------------------------
# Engagement, network
# --------------------------------------------------------------------------------------
def attendance_rows(seed: int = 0, n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    orgs = [f"org{i}" for i in range(30)]
    sector_of = {o: engagement.PENTAHELIX[i % 5] if i % 11 else "lainnya"
                 for i, o in enumerate(orgs)}
    org = rng.choice(orgs, n)
    return pd.DataFrame({
        "organisation": pd.Series(org, dtype="str"),
        "sector": pd.Series([sector_of[o] for o in org], dtype="str"),
        "meeting_date": pd.to_datetime("2022-01-01") + pd.to_timedelta(
            rng.integers(0, 900, n), unit="D"),
        "attended": rng.random(n) < 0.7})


def test_attendance_over_time_counts_equal_groupby_counts():
    df = attendance_rows()
    out = engagement.attendance_over_time(df, min_n=0)
    period = df["meeting_date"].dt.to_period("Q")
    ref = df.assign(period=period).groupby(["period", "sector"]).agg(
        invitations=("attended", "size"), attended=("attended", "sum"),
        organisations=("organisation", "nunique"))
    sectors = out[out["sector"] != "all"].set_index(["period", "sector"])
    for key, r in ref.iterrows():
        got = sectors.loc[key]
        assert (got["invitations"], got["attended"], got["organisations"]) == tuple(r)
        assert got["rate"] == r["attended"] / r["invitations"]
    every = out[out["sector"] == "all"].set_index("period")
    assert (every["organisations"] == df.assign(period=period).groupby("period")[
        "organisation"].nunique()).all()


def test_cluster_design_effect_equals_groupby_formula():
    df = attendance_rows(3)
    y = df["attended"].to_numpy()
    by = pd.DataFrame({"y": y.astype(float), "c": df["organisation"]}).groupby(
        "c", sort=False)["y"].agg(["sum", "size"])
    p, g, n = y.mean(), len(by), y.size
    resid = by["sum"].to_numpy() - p * by["size"].to_numpy()
    expected = (g / (g - 1) * float(np.sum(resid**2)) / n**2) / (p * (1 - p) / n)
    assert engagement._cluster_deff(y, df["organisation"].to_numpy()) == expected


def test_sector_series_of_strings_equals_the_object_path():
    s = pd.DataFrame({"sector": pd.Series([" media", None, "", "pemerintah ", "media"],
                                          dtype="str")})
    fast = engagement._sector_series(s)
    slow = engagement._sector_series(s.astype({"sector": object}))
    pd.testing.assert_series_equal(fast, slow.astype("str"))
    assert fast.tolist() == ["media", "unknown", "unknown", "pemerintah", "media"]


def test_typed_frame_equals_frame_then_astype():
    rows = [("a", 1, pd.NA, 0.5, True), ("b", 2, 3, math.nan, False)]
    cols = ["s", "i", "n", "f", "b"]
    dtypes = {"i": "int64", "n": "Int64", "f": "float64", "b": "bool"}
    expected = pd.DataFrame(rows, columns=cols).astype(dtypes)
    pd.testing.assert_frame_equal(engagement._typed_frame(rows, cols, dtypes), expected)
    pd.testing.assert_frame_equal(network._frame(rows, cols, {k: v for k, v in dtypes.items()
                                                              if k != "n"}),
                                  pd.DataFrame(rows, columns=cols).astype(
                                      {k: v for k, v in dtypes.items() if k != "n"}))
    pd.testing.assert_frame_equal(engagement._typed_frame([], cols, dtypes),
                                  pd.DataFrame([], columns=cols).astype(dtypes))


def ties_rows(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    orgs = [f"o{i}" for i in range(14)]
    rows = [(a, b, float(rng.integers(0, 4)), np.nan if rng.random() < 0.2
             else float(rng.uniform(1, 4)), float(rng.uniform(1, 4)))
            for a in orgs for b in orgs if a != b and rng.random() < 0.3]
    rows += [rows[0], rows[0], (rows[1][0], rows[1][1], 2.0, 1.3, np.nan), ("o3", "o3", 2.0,
                                                                            3.0, 3.0)]
    ties = pd.DataFrame(rows, columns=["organisation", "partner", "level", "trust", "value"])
    ties = ties.astype({"organisation": "str", "partner": "str"})
    register = pd.DataFrame({"organisation": orgs[:12] + ["lonely"],
                             "sector": [engagement.PENTAHELIX[i % 5] for i in range(13)]})
    return ties, register


def test_network_edges_equal_pandas_groupby_aggregation():
    """Repeated rows: highest level, pandas' groupby mean of the ratings, then the dyad mean."""
    ties, register = ties_rows()
    g = network.build_network(ties, register)
    t = ties[ties["organisation"] != ties["partner"]]
    directed = t.groupby(["organisation", "partner"], sort=True).agg(
        level=("level", "max"), trust=("trust", "mean"), value=("value", "mean"))
    assert g.graph["duplicate_rows"] == len(t) - len(directed) == 3
    assert g.graph["self_ties"] == 1 and "o3" in g and "lonely" in g
    for u, v, d in g.edges(data=True):
        both = [directed.loc[k] for k in ((u, v), (v, u)) if k in directed.index]
        for col in ("trust", "value"):
            x = [r[col] for r in both if not math.isnan(r[col])]
            want = float(np.mean(x)) if x else math.nan
            assert (math.isnan(d[col]) and math.isnan(want)) or d[col] == want
        assert d["level"] == max(r["level"] for r in both)


def test_region_tables_equal_the_separate_functions():
    ties, register = ties_rows(1)
    metrics, central, sectors, scores = network.region_tables(ties, register, k=5)
    g = network.build_network(ties, register)
    assert metrics == {**network.network_metrics(g), **{
        f"partner_{k}": v for k, v in network.partner_summary(ties).items()}}
    pd.testing.assert_frame_equal(central, network.central_organisations(g, k=5))
    pd.testing.assert_frame_equal(sectors, network.sector_ties(g))
    pd.testing.assert_frame_equal(scores, network.partner_scores(ties, register))


def test_sector_ties_and_centralisation_equal_brute_force():
    ties, register = ties_rows(2)
    g = network.build_network(ties, register)
    g.add_edge("o1", "o1")  # a self-loop: ignored by the centralisation
    sec = nx.get_node_attributes(g, "sector")
    out = network.sector_ties(g).set_index("sector")
    for s, row in out.iterrows():
        nodes = [v for v in g if sec[v] == s]
        within = sum(1 for u, v in g.edges() if sec[u] == s and sec[v] == s)
        touching = sum(1 for u, v in g.edges() if s in (sec[u], sec[v]))
        assert (row["organisations"], row["within_ties"], row["ties"]) == (
            len(nodes), within, touching)
    h = nx.Graph(g)
    h.remove_edges_from(list(nx.selfloop_edges(h)))
    deg = np.array([d for _, d in h.degree()], dtype=float)
    n = h.number_of_nodes()
    assert network.degree_centralisation(g) == float(np.sum(deg.max() - deg) / ((n - 1) * (n - 2)))


# --------------------------------------------------------------------------------------
# Results: rows grouped once, index components
# --------------------------------------------------------------------------------------
def test_region_rows_equal_in_region_for_provinces_and_regencies():
    frame = pd.DataFrame({"region_code": ["15.71", "15.05", "15.71", "16.71", "15"],
                          "province_code": ["15", "15", "15", "16", "15"],
                          "x": [1, 2, 3, 4, 5]}, index=[10, 11, 12, 13, 14])
    grouped = results._RegionRows(frame)
    for code in ("15", "15.71", "16.71", "16", "17.71"):
        region = get_region(code)
        pd.testing.assert_frame_equal(grouped.rows(region), analysis.in_region(frame, region))
        assert grouped.count(region) == len(analysis.in_region(frame, region))


def test_index_components_read_coverage_from_the_coverage_table():
    regions = [get_region("15.71"), get_region("15")]
    register = pd.DataFrame({"region_code": ["15.71", "15.71", "15.05"],
                             "province_code": ["15", "15", "15"],
                             "organisation": ["A", "B", "C"],
                             "sector": ["pemerintah", "media", "akademisi"]})
    attendance = pd.DataFrame({"region_code": ["15.71"] * 4, "province_code": ["15"] * 4,
                               "organisation": ["A", "A", "B", "B"],
                               "sector": ["pemerintah", "pemerintah", "media", "media"],
                               "attended": [True, False, True, True]})
    survey = pd.DataFrame({"region_code": ["15.71"], "province_code": ["15"],
                           "sector": ["media"]})
    progress = pd.DataFrame({"region_code": ["15.71", "15"], "summary": ["on_track", "achieved"],
                             "achievement": [0.4, 1.7]})
    shrinkage = pd.DataFrame({"region_code": ["15.71"], "shrunken": [3.1], "shrunken_se": [0.2]})
    coverage = results._coverage(regions, register, survey, attendance)
    plain = results.index_components(regions, shrinkage, attendance, register, progress)
    fast = results.index_components(regions, shrinkage, attendance, register, progress,
                                    coverage=coverage)
    pd.testing.assert_frame_equal(plain, fast)
    got = plain.set_index(["region_code", "component"])["value"]
    assert got[("15", "pentahelix_coverage")] == 3 / 5  # the province counts its regencies
    assert got[("15.71", "attendance_rate")] == 0.75  # mean of A's 1/2 and B's 2/2
    assert got[("15", "achievement")] == 1.0  # capped


def test_compute_results_reports_step_timings(processed_dir):
    """Each step is a table or a group of tables (compute_results' docstring), timed in turn:
    the steps' wall times are positive, do not overlap, and account for most of the call."""
    timings = {}
    start = time.perf_counter()
    out = stages.compute_results(processed_dir, timings=timings)
    total = time.perf_counter() - start
    # the steps that compute several tables together, and the tables they make
    groups = {"network": {t for t in out if t.startswith("network_")},
              "trend_projections": {"progress"}}
    assert all(groups.values())
    assert set(timings) - set(groups) <= set(out), "a step named after no table"
    assert {"attribution", "sector_tests", "sector_pairs", "network", "progress", "index",
            "shrinkage", "index_sensitivity"} <= set(timings)
    walls = {step: wall for step, (wall, _cpu) in timings.items()}
    assert all(wall > 0 for wall in walls.values()), walls
    # sequential steps: together no longer than the call; reading the inputs is the rest
    assert 0.5 * total <= sum(walls.values()) <= total


def test_attendance_rate_equals_groupby_mean_and_se():
    df = attendance_rows(5)
    shares = df.groupby("organisation")["attended"].mean()
    rate = engagement.attendance_rate(df)
    assert rate["org_rate"] == float(shares.mean())
    assert rate["org_rate_se"] == float(shares.std(ddof=1) / np.sqrt(len(shares)))
    # the pooled rate is the total of attendance_by_sector's rows
    by_sector = engagement.attendance_by_sector(df, min_n=1)
    assert rate["invitations"] == by_sector["invitations"].sum() == len(df)
    assert rate["rate"] == float(by_sector["attended"].astype(float).sum() / len(df))
    assert rate["organisations"] == df["organisation"].nunique()


def test_statsmodels_reference_is_what_we_think():
    """Guard for the DiD references: statsmodels' cluster covariance is CR1 with the
    G/(G-1) (N-1)/(N-K) factor and K the number of columns."""
    rng = np.random.default_rng(0)
    x = sm.add_constant(rng.normal(size=(50, 2)))
    y = x @ [1.0, 2.0, -1.0] + rng.normal(size=50)
    g = np.repeat(np.arange(10), 5)
    res = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": g})
    bread = np.linalg.inv(x.T @ x)
    u = np.zeros((10, 3))
    np.add.at(u, g, x * res.resid[:, None])
    cov = 10 / 9 * 49 / 47 * bread @ u.T @ u @ bread
    np.testing.assert_allclose(res.cov_params(), cov, rtol=1e-10)
