"""Tests for evalkit.measure.scales: scoring, means with CIs, reliability."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.core.config import MIN_CELL
from evalkit.measure.scales import (
    AlphaResult,
    Estimate,
    _three_item_fit,
    cronbach_alpha,
    item_analysis,
    mean_ci,
    omega_total,
    reliability_table,
    score_dimensions,
    summarise_scores,
)

NAN = np.nan


# --------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------
@pytest.fixture
def codebook() -> pd.DataFrame:
    # "trust" appears first although "comm" sorts first alphabetically.
    return pd.DataFrame(
        {
            "item": ["t1", "t2", "t3", "c1", "c2", "c3"],
            "dimension": ["trust", "trust", "trust", "comm", "comm", "comm"],
            "reverse": [False, False, True, False, False, False],
        }
    )


@pytest.fixture
def responses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "resp_id": ["a", "b", "c", "d"],
            "sector": ["gov", "ngo", "gov", "biz"],
            "t1": [4.0, 5.0, 2.0, NAN],
            "t2": [5.0, NAN, NAN, NAN],
            "t3": [1.0, 2.0, NAN, NAN],  # reverse-keyed: 1 -> 5, 2 -> 4
            "c1": [3.0, 3.0, 1.0, 2.0],
            "c2": [3.0, 4.0, 2.0, 2.0],
            "c3": [NAN, 5.0, 3.0, 2.0],
        },
        index=[10, 11, 12, 13],
    )


# --------------------------------------------------------------------------------------
# score_dimensions
# --------------------------------------------------------------------------------------
def test_score_dimensions_prorating_and_reverse_keying(responses, codebook):
    scores = score_dimensions(responses, codebook)
    assert list(scores.columns) == ["trust", "comm"]  # order of first appearance
    assert scores.index.equals(responses.index)
    # a: trust items 4, 5, reverse(1)=5 -> 14/3 ; comm 3, 3 (2 of 3) -> 3
    assert scores.loc[10, "trust"] == pytest.approx(14 / 3)
    assert scores.loc[10, "comm"] == pytest.approx(3.0)
    # b: trust 5 and reverse(2)=4, 2 of 3 answered -> 4.5
    assert scores.loc[11, "trust"] == pytest.approx(4.5)
    assert scores.loc[11, "comm"] == pytest.approx(4.0)
    # c: only 1 of 3 trust items -> NaN
    assert math.isnan(scores.loc[12, "trust"])
    assert scores.loc[12, "comm"] == pytest.approx(2.0)
    # d: no trust items at all -> NaN
    assert math.isnan(scores.loc[13, "trust"])


def test_score_dimensions_min_share_and_scale(responses, codebook):
    # With min_share = 1/3 a single answer suffices.
    scores = score_dimensions(responses, codebook, min_share=1 / 3)
    assert scores.loc[12, "trust"] == pytest.approx(2.0)
    # Reverse keying uses the scale end points: on 1-7, reverse(1) = 7.
    scores7 = score_dimensions(responses, codebook, scale_min=1, scale_max=7)
    assert scores7.loc[10, "trust"] == pytest.approx((4 + 5 + 7) / 3)


def test_score_dimensions_does_not_modify_input(responses, codebook):
    before = responses.copy()
    score_dimensions(responses, codebook)
    pd.testing.assert_frame_equal(responses, before)


def test_score_dimensions_nullable_dtypes(responses, codebook):
    nullable = responses.astype({c: "Float64" for c in ["t1", "t2", "t3", "c1", "c2", "c3"]})
    pd.testing.assert_frame_equal(
        score_dimensions(nullable, codebook), score_dimensions(responses, codebook)
    )


def test_score_dimensions_missing_item_is_named(responses, codebook):
    with pytest.raises(ValueError, match="c3"):
        score_dimensions(responses.drop(columns="c3"), codebook)


def test_score_dimensions_bad_input(responses, codebook):
    with pytest.raises(ValueError, match="outside the scale"):
        score_dimensions(responses.assign(t1=[4.0, 9.0, 2.0, NAN]), codebook)
    with pytest.raises(ValueError, match="numeric"):
        score_dimensions(responses.assign(t1=["4", "5", "2", None]), codebook)
    with pytest.raises(ValueError, match="reverse"):
        score_dimensions(responses, codebook.drop(columns="reverse"))
    with pytest.raises(ValueError, match="more than once"):
        score_dimensions(responses, pd.concat([codebook, codebook.iloc[[0]]]))
    with pytest.raises(ValueError, match="min_share"):
        score_dimensions(responses, codebook, min_share=0)


# --------------------------------------------------------------------------------------
# mean_ci and summarise_scores
# --------------------------------------------------------------------------------------
def test_mean_ci_t_interval():
    x = [2.0, 3.0, 5.0, 4.0, NAN, 4.5]
    est = mean_ci(x, ci=0.95)
    v = np.array([2.0, 3.0, 5.0, 4.0, 4.5])
    se = v.std(ddof=1) / math.sqrt(5)
    lo, hi = stats.t.interval(0.95, 4, loc=v.mean(), scale=se)
    assert isinstance(est, Estimate)
    assert est.nobs == 5 and est.df == 4
    assert est.estimate == pytest.approx(3.7)
    assert est.se == pytest.approx(se)
    assert est.ci == pytest.approx((lo, hi))


def test_mean_ci_degenerate():
    one = mean_ci([3.0, NAN])
    assert one.estimate == 3.0 and one.nobs == 1 and math.isnan(one.se) and math.isnan(one.ci_low)
    none = mean_ci([NAN])
    assert none.nobs == 0 and math.isnan(none.estimate)
    with pytest.raises(ValueError):
        mean_ci([1.0, 2.0], ci=95)


def test_summarise_scores_suppression():
    long = pd.DataFrame(
        {
            "sector": ["gov"] * 6 + ["ngo"] * 2 + ["gov"] * 6,
            "dimension": ["trust"] * 8 + ["comm"] * 6,
            "score": [3, 4, 5, 4, 3, NAN, 2, 5, 1, 2, 3, 4, 5, 3.0],
        }
    )
    out = summarise_scores(long, ["sector"], min_n=5)
    assert list(out.columns) == [
        "sector", "dimension", "estimate", "se", "ci_low", "ci_upp", "nobs", "suppressed",
    ]
    # Groups sorted, dimensions in first-appearance order (trust before comm).
    assert list(zip(out["sector"], out["dimension"])) == [
        ("gov", "trust"), ("gov", "comm"), ("ngo", "trust"),
    ]
    gov_trust = out.iloc[0]
    ref = mean_ci([3, 4, 5, 4, 3])
    assert gov_trust["nobs"] == 5 and not gov_trust["suppressed"]
    assert gov_trust["estimate"] == pytest.approx(3.8)
    assert (gov_trust["ci_low"], gov_trust["ci_upp"]) == pytest.approx(ref.ci)
    ngo = out.iloc[2]
    assert ngo["suppressed"] and ngo["nobs"] == 2
    assert ngo[["estimate", "se", "ci_low", "ci_upp"]].isna().all()


def test_summarise_scores_overall_and_errors():
    long = pd.DataFrame({"dimension": ["a"] * 6, "score": [1, 2, 3, 4, 5, 6.0]})
    out = summarise_scores(long, None)
    assert list(out.columns) == [
        "dimension", "estimate", "se", "ci_low", "ci_upp", "nobs", "suppressed",
    ]
    assert out.loc[0, "estimate"] == pytest.approx(3.5)
    assert MIN_CELL <= 6
    with pytest.raises(ValueError, match="region_code"):
        summarise_scores(long, "region_code")


# --------------------------------------------------------------------------------------
# Cronbach's alpha
# --------------------------------------------------------------------------------------
# pingouin's "cronbach_alpha" example data set (15 subjects x 10 items, 1-7 scale),
# pivoted to wide format; columns Q1, Q10, Q2, ..., Q9 as pingouin's pivot orders them.
PINGOUIN_WIDE = [
    [3, 2, 2, 4, 1, 4, 5, 1, 4, 3], [5, 5, 4, 6, 3, 5, 1, 2, 5, 5],
    [7, 5, 3, 5, 5, 6, 4, 3, 3, 6], [2, 3, 4, 3, 3, 2, 2, 2, 6, 6],
    [6, 5, 5, 6, 5, 4, 4, 4, 6, 7], [1, 2, 2, 3, 4, 2, 5, 2, 3, 5],
    [4, 3, 3, 5, 3, 5, 2, 1, 2, 4], [2, 5, 4, 4, 3, 7, 2, 2, 4, 6],
    [6, 2, 5, 5, 5, 1, 6, 5, 2, 3], [5, 2, 4, 6, 4, 3, 5, 3, 1, 7],
    [4, 1, 3, 5, 2, 5, 3, 2, 3, 4], [4, 4, 2, 3, 2, 5, 3, 4, 2, 3],
    [5, 5, 5, 6, 2, 3, 3, 2, 4, 4], [6, 5, 5, 5, 4, 2, 2, 1, 4, 6],
    [4, 4, 3, 5, 5, 3, 1, 3, 2, 3],
]
PINGOUIN_COLS = ["Q1", "Q10", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9"]


def test_cronbach_alpha_published_pingouin_example():
    # Published in pingouin's docstring (tested there against R psych::alpha):
    # pg.cronbach_alpha(data=pg.read_dataset('cronbach_alpha'), items='Items',
    #                   scores='Scores', subject='Subj') -> (0.591719, array([0.195, 0.84]))
    data = pd.DataFrame(PINGOUIN_WIDE, columns=PINGOUIN_COLS, dtype=float)
    res = cronbach_alpha(data)
    assert isinstance(res, AlphaResult)
    assert res.alpha == pytest.approx(0.591719, abs=5e-7)
    assert res.ci == pytest.approx((0.195, 0.840), abs=5e-4)
    assert (res.n, res.k) == (15, 10)
    # Same data, 90% interval; reference: pingouin 0.7.0 (throwaway venv)
    # pg.cronbach_alpha(..., ci=0.90) -> (0.5917188485995826, array([0.277, 0.812]))
    assert cronbach_alpha(data, ci=0.90).ci == pytest.approx((0.277, 0.812), abs=5e-4)


# Small Likert data with missing answers used for the pingouin references below.
LIKERT_MISSING = pd.DataFrame(
    {
        "i1": [4, 5, 3, 4, 2, 5, 4, 3, NAN, 4, 5, 2],
        "i2": [4, 4, 3, 5, 2, 4, NAN, 3, 4, 4, 5, 1],
        "i3": [3, 5, 2, 4, 3, 5, 4, NAN, 4, 3, 4, 2],
        "i4": [5, 4, 3, 4, 1, NAN, 5, 3, 3, 4, 5, 2],
    }
)


def test_cronbach_alpha_missing_matches_pingouin():
    # Reference values computed once with pingouin 0.7.0 in a throwaway venv (pingouin
    # is not a project dependency):
    #   pg.cronbach_alpha(data=LIKERT_MISSING)
    #     -> (0.9353741496598638, array([0.844, 0.979]))           # pairwise (default)
    #   pg.cronbach_alpha(data=LIKERT_MISSING.dropna())
    #     -> (0.9269521410579344, array([0.783, 0.984]))           # listwise
    # For listwise deletion the interval uses n after deletion, as pingouin's current
    # development version does (pingouin 0.7.0 still used the n before deletion).
    pw = cronbach_alpha(LIKERT_MISSING)
    assert pw.alpha == pytest.approx(0.9353741496598638, rel=1e-12)
    assert pw.ci == pytest.approx((0.844, 0.979), abs=5e-4)
    assert pw.n == 12
    lw = cronbach_alpha(LIKERT_MISSING, nan_policy="listwise")
    assert lw.alpha == pytest.approx(0.9269521410579344, rel=1e-12)
    assert lw.ci == pytest.approx((0.783, 0.984), abs=5e-4)
    assert lw.n == 8


def test_cronbach_alpha_closed_form_by_hand():
    # x1 = 1,2,3,4 (var 5/3); x2 = 2,2,4,4 (var 4/3); x3 = 1,3,3,5 (var 8/3)
    # total = 4,7,10,13 (var 15); alpha = 3/2 * (1 - (17/3) / 15) = 14/15.
    data = pd.DataFrame({"x1": [1, 2, 3, 4], "x2": [2, 2, 4, 4], "x3": [1, 3, 3, 5]})
    res = cronbach_alpha(data, ci=0.95)
    assert res.alpha == pytest.approx(14 / 15)
    # Feldt (1987): [1 - (1-a) F_{.975}(n-1, (n-1)(k-1)), 1 - (1-a) F_{.025}(...)]
    d1, d2 = 3, 6
    assert res.ci_low == pytest.approx(1 - (1 / 15) * stats.f.ppf(0.975, d1, d2))
    assert res.ci_upp == pytest.approx(1 - (1 / 15) * stats.f.ppf(0.025, d1, d2))
    # Equal variances v and covariances c: alpha = k c / (v + (k-1) c) (standardised form)
    identical = pd.DataFrame({"a": [1, 2, 3, 5], "b": [1, 2, 3, 5], "c": [1, 2, 3, 5]})
    assert cronbach_alpha(identical).alpha == pytest.approx(1.0)


def test_cronbach_alpha_edge_cases():
    flat = pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]})
    res = cronbach_alpha(flat)
    assert math.isnan(res.alpha) and math.isnan(res.ci_low)
    with pytest.raises(ValueError, match="two items"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(ValueError, match="two respondents"):
        cronbach_alpha(pd.DataFrame({"a": [1.0, NAN], "b": [2.0, NAN]}))
    with pytest.raises(ValueError, match="in common"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, NAN, NAN], "b": [NAN, NAN, 1, 2]}))
    with pytest.raises(ValueError, match="nan_policy"):
        cronbach_alpha(LIKERT_MISSING, nan_policy="drop")


# --------------------------------------------------------------------------------------
# omega
# --------------------------------------------------------------------------------------
def test_omega_total_recovers_known_one_factor_model():
    rng = np.random.default_rng(20240601)
    lam = np.array([0.8, 0.7, 0.6, 0.5, 0.75])
    n = 5000
    f = rng.standard_normal(n)
    e = rng.standard_normal((n, lam.size)) * np.sqrt(1 - lam**2)
    data = pd.DataFrame(f[:, None] * lam + e, columns=[f"x{j}" for j in range(lam.size)])
    res = omega_total(data)
    pop_omega = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    np.testing.assert_allclose(res.loadings.to_numpy(), lam, atol=0.03)
    assert res.omega == pytest.approx(pop_omega, abs=0.01)
    assert res.n == n and res.k == 5 and res.converged and not res.heywood
    # Loadings are signed positive even if every item is flipped.
    flipped = omega_total(-data)
    assert flipped.omega == pytest.approx(res.omega, abs=1e-6)
    assert (flipped.loadings > 0).all()


def test_omega_ml_fit_agrees_with_statsmodels_factor():
    # Cross-check the factanal-style ML fit against statsmodels' ML factor analysis on a
    # well-conditioned correlation matrix (where statsmodels converges).
    from statsmodels.multivariate.factor import Factor

    rng = np.random.default_rng(1)
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    n = 2000
    x = rng.standard_normal(n)[:, None] * lam + rng.standard_normal((n, 4)) * np.sqrt(1 - lam**2)
    data = pd.DataFrame(x, columns=list("abcd"))
    sm = Factor(corr=data.corr().to_numpy(), n_factor=1, method="ml", nobs=n).fit(rng=0)
    sm_lam = np.abs(sm.loadings.ravel())
    res = omega_total(data)
    np.testing.assert_allclose(res.loadings.to_numpy(), sm_lam, atol=1e-5)
    np.testing.assert_allclose(res.uniquenesses.to_numpy(), sm.uniqueness, atol=1e-5)
    s = sm_lam.sum()
    assert res.omega == pytest.approx(s**2 / (s**2 + sm.uniqueness.sum()), abs=1e-5)


def test_three_item_closed_form_equals_the_ml_optimum():
    # Three indicators are just identified (Bollen 1989, ch. 7): the exact solution is
    # the ML solution whenever it is proper. Compare with the optimiser on sampled
    # correlation matrices, including ones whose exact solution is improper.
    from evalkit.measure.scales import _ml_one_factor

    rng = np.random.default_rng(7)
    used = 0
    for _ in range(200):
        lam = rng.uniform(0.2, 0.95, 3)
        n = int(rng.integers(12, 400))
        x = rng.standard_normal(n)[:, None] * lam + rng.standard_normal((n, 3)) * np.sqrt(1 - lam**2)
        corr = np.corrcoef(x, rowvar=False)
        fast = _ml_one_factor(corr)
        slow = _ml_one_factor(corr, closed_form=False)
        np.testing.assert_allclose(np.abs(fast[0]), np.abs(slow[0]), atol=2e-4)
        np.testing.assert_allclose(fast[1], slow[1], atol=2e-4)
        used += _three_item_fit(corr) is not None
    assert 100 < used < 200  # both paths were exercised


def test_omega_total_flags_heywood_case():
    rng = np.random.default_rng(3)
    t = rng.standard_normal(40)
    data = pd.DataFrame({"a": t, "b": t + rng.normal(0, 0.01, 40), "c": t + rng.normal(0, 1, 40)})
    res = omega_total(data)
    assert res.heywood and res.converged
    assert 0 < res.omega <= 1


def test_omega_total_needs_three_items():
    with pytest.raises(ValueError, match="three items"):
        omega_total(LIKERT_MISSING[["i1", "i2"]])


# psych's bfi, neuroticism items N1-N5 (2800 rows, 2694 complete), written by
#   write.csv(psych::bfi[16:20], "bfi_neuroticism.csv", row.names = FALSE, na = "")
# (psych 2.2.9). Reference values below are R's, printed with sprintf("%.6f").
BFI_N = Path(__file__).resolve().parent / "data" / "bfi_neuroticism.csv"


@pytest.fixture(scope="module")
def bfi_n() -> pd.DataFrame:
    return pd.read_csv(BFI_N)


def test_omega_psych_convention_matches_psych_omega_tot(bfi_n):
    # Failed before the fix (omega_total had neither fit= nor denominator=, and its
    # model-implied ML value 0.814967 was documented as psych's; psych gives 0.817667).
    # R: xc <- na.omit(bfi[16:20])
    #    omega(xc, nfactors = 1, fm = "ml")$omega.tot   # 0.817667 (the 0.8177)
    #    omega(xc, nfactors = 1)$omega.tot              # 0.818451 (psych's default fm = "minres")
    ml = omega_total(bfi_n, nan_policy="listwise", fit="ml", denominator="observed")
    assert ml.omega == pytest.approx(0.817667, abs=1e-5)
    mr = omega_total(bfi_n, nan_policy="listwise", fit="minres", denominator="observed")
    assert mr.omega == pytest.approx(0.818451, abs=1e-5)
    assert (mr.fit, mr.denominator, mr.nobs, mr.k) == ("minres", "observed", 2694, 5)
    # The observed denominator by hand: 1 - sum(psi) / sum(R); R: sum(cor(xc)) = 14.337232.
    assert mr.omega == pytest.approx(1 - mr.uniquenesses.sum() / 14.337232, abs=1e-6)
    # psych's omega correlates with pairwise deletion:
    #    omega(bfi[16:20], nfactors = 1)$omega.tot      # 0.818966
    # evalkit's pairwise matrix divides pairwise covariances by each item's SD over all
    # its answers (R's cor(use = "pairwise") uses the pairwise-complete SDs), so it
    # agrees to 1e-3 only (evalkit 0.819113).
    pw = omega_total(bfi_n, fit="minres", denominator="observed")
    assert pw.omega == pytest.approx(0.818966, abs=1e-3)


def test_omega_default_is_ml_model_implied_and_unchanged(bfi_n):
    # The default (published reports): ML loadings, model-implied denominator.
    # R: xc <- na.omit(bfi[16:20]); f <- factanal(xc, factors = 1)
    #    l <- f$loadings[, 1]; u <- f$uniquenesses
    #    sum(l)^2 / (sum(l)^2 + sum(u))                    # 0.814967 (the 0.8150)
    #    l: 0.817940 0.802703 0.716780 0.554137 0.501649
    res = omega_total(bfi_n, nan_policy="listwise")
    assert (res.fit, res.denominator) == ("ml", "model")
    assert res.omega == pytest.approx(0.814967, abs=1e-5)
    np.testing.assert_allclose(
        res.loadings.to_numpy(), [0.817940, 0.802703, 0.716780, 0.554137, 0.501649], atol=1e-5
    )


def test_omega_minres_loadings_match_psych_fa(bfi_n):
    # R: f <- fa(na.omit(bfi[16:20]), nfactors = 1, fm = "minres"); f$loadings[, 1]
    #    0.780149 0.760570 0.759769 0.592537 0.530695
    #    l <- f$loadings[, 1]; u <- 1 - l^2; sum(l)^2 / (sum(l)^2 + sum(u))   # 0.818293
    res = omega_total(bfi_n, nan_policy="listwise", fit="minres")
    np.testing.assert_allclose(
        res.loadings.to_numpy(), [0.780149, 0.760570, 0.759769, 0.592537, 0.530695], atol=1e-5
    )
    assert res.omega == pytest.approx(0.818293, abs=1e-5)
    np.testing.assert_allclose(res.uniquenesses.to_numpy(), 1 - res.loadings.to_numpy() ** 2)


def test_omega_denominators_agree_for_three_items():
    # With three items the one-factor model reproduces R exactly, so the model-implied
    # and observed denominators coincide (and ML = minres = the closed form).
    rng = np.random.default_rng(11)
    lam = np.array([0.8, 0.6, 0.7])
    x = rng.standard_normal(300)[:, None] * lam + rng.standard_normal((300, 3)) * np.sqrt(1 - lam**2)
    data = pd.DataFrame(x, columns=list("abc"))
    values = {(f, d): omega_total(data, fit=f, denominator=d).omega
              for f in ("ml", "minres") for d in ("model", "observed")}
    first = values[("ml", "model")]
    for v in values.values():
        assert v == pytest.approx(first, abs=1e-8)


def test_omega_option_errors():
    with pytest.raises(ValueError, match="fit must be"):
        omega_total(LIKERT_MISSING, fit="pa")
    with pytest.raises(ValueError, match="denominator must be"):
        omega_total(LIKERT_MISSING, denominator="total")


# --------------------------------------------------------------------------------------
# item analysis
# --------------------------------------------------------------------------------------
def test_item_analysis_matches_direct_computation():
    data = pd.DataFrame(PINGOUIN_WIDE, columns=PINGOUIN_COLS, dtype=float)
    out = item_analysis(data)
    assert list(out.columns) == ["item", "item_rest_r", "alpha_if_deleted", "mean", "sd", "nobs"]
    assert list(out["item"]) == PINGOUIN_COLS
    for _, row in out.iterrows():
        rest = data.drop(columns=row["item"]).sum(axis=1)
        assert row["item_rest_r"] == pytest.approx(np.corrcoef(data[row["item"]], rest)[0, 1])
        assert row["alpha_if_deleted"] == pytest.approx(
            cronbach_alpha(data.drop(columns=row["item"])).alpha
        )
        assert row["mean"] == pytest.approx(data[row["item"]].mean())
        assert row["sd"] == pytest.approx(data[row["item"]].std(ddof=1))
        assert row["nobs"] == 15
    assert list(item_analysis(LIKERT_MISSING)["nobs"]) == [11, 11, 11, 11]


# --------------------------------------------------------------------------------------
# reliability table
# --------------------------------------------------------------------------------------
def test_reliability_table_by_region_with_reverse_keying():
    rng = np.random.default_rng(7)
    n = 60
    trait = rng.standard_normal(n)
    def item(load):
        raw = 3 + load * trait + rng.normal(0, 0.7, n)
        return np.clip(np.round(raw), 1, 5)
    resp = pd.DataFrame(
        {
            "region_code": ["15.71"] * 57 + ["17.71"] * 3,
            "t1": item(1.0), "t2": item(0.9), "t3": 6 - item(0.8),  # t3 is worded negatively
            "s1": item(1.0),
        }
    )
    cb = pd.DataFrame(
        {
            "item": ["t1", "t2", "t3", "s1"],
            "dimension": ["trust", "trust", "trust", "single"],
            "reverse": [False, False, True, False],
        }
    )
    out = reliability_table(resp, cb, by="region_code")
    assert list(out.columns) == [
        "region_code", "dimension", "k", "n", "alpha", "alpha_ci_low", "alpha_ci_upp",
        "omega", "note", "note_code",
    ]
    big = out[(out["region_code"] == "15.71") & (out["dimension"] == "trust")].iloc[0]
    keyed = resp.loc[resp["region_code"] == "15.71", ["t1", "t2", "t3"]].assign(
        t3=lambda d: 6 - d["t3"]
    )
    ref = cronbach_alpha(keyed)
    assert big["alpha"] == pytest.approx(ref.alpha)
    assert (big["alpha_ci_low"], big["alpha_ci_upp"]) == pytest.approx(ref.ci)
    assert big["omega"] == pytest.approx(omega_total(keyed).omega)
    assert big["alpha"] > 0.6  # reverse keying applied: otherwise alpha would be low
    assert big["k"] == 3 and big["n"] == 57 and pd.isna(big["note"])
    small = out[(out["region_code"] == "17.71") & (out["dimension"] == "trust")].iloc[0]
    assert small["n"] == 3 and math.isnan(small["alpha"]) and "too few" in small["note"]
    assert small["note_code"] == "too_few" and pd.isna(big["note_code"])
    single = out[out["dimension"] == "single"]
    assert single["alpha"].isna().all() and single["note"].str.contains("single-item").all()

    overall = reliability_table(resp, cb)
    assert list(overall["dimension"]) == ["trust", "single"]
    assert "region_code" not in overall.columns
