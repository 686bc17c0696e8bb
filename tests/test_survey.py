"""Tests for evalkit.measure.survey: design-based means, proportions and poststratification.

Reference variances are computed by hand (exact rational arithmetic with
``fractions.Fraction``), step by step, following the estimator of R's ``survey`` package
(Lumley 2010, ``svymean`` -> ``svyrecvar`` -> ``onestage``):

    y_bar = sum(w y) / sum(w)
    z_i   = w_i (y_i - y_bar) / sum(w)                       (linearised scores)
    z_hi  = sum of z over PSU i in stratum h
    V     = sum_h (1 - f_h) n_h / (n_h - 1) sum_i (z_hi - mean_i z_hi)^2
"""

from __future__ import annotations

import math
from fractions import Fraction as Fr
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

from evalkit.measure.survey import (
    Estimate,
    poststratify,
    weighted_mean,
    weighted_proportion,
    weighted_total,
)

NAN = np.nan


# A small stratified, clustered sample: 2 strata, 3 + 2 PSUs, 10 respondents.
#   stratum A: PSU 1 = rows 0-1, PSU 2 = row 2, PSU 3 = rows 3-4
#   stratum B: PSU 1 = rows 5-6, PSU 2 = rows 7-9   (PSU labels restart in each stratum)
DESIGN_ROWS = [
    # stratum, psu, weight, y, N_h (population number of PSUs in the stratum)
    ("A", 1, 2, 3, 6),
    ("A", 1, 2, 5, 6),
    ("A", 2, 1, 4, 6),
    ("A", 3, 3, 2, 6),
    ("A", 3, 1, 1, 6),
    ("B", 1, 4, 5, 4),
    ("B", 1, 2, 4, 4),
    ("B", 2, 1, 2, 4),
    ("B", 2, 1, 3, 4),
    ("B", 2, 2, 5, 4),
]


@pytest.fixture
def design() -> pd.DataFrame:
    return pd.DataFrame(DESIGN_ROWS, columns=["stratum", "psu", "w", "y", "N"]).astype(
        {"w": float, "y": float, "N": float}
    )


def hand_variance(rows, use_fpc: bool) -> tuple[Fr, Fr]:
    """Exact linearisation variance of the weighted mean, written out step by step."""
    # Step 1: ratio estimate of the mean.
    sum_w = sum(Fr(w) for _, _, w, _, _ in rows)
    sum_wy = sum(Fr(w) * Fr(y) for _, _, w, y, _ in rows)
    ybar = sum_wy / sum_w
    # Step 2: linearised scores z_i = w_i (y_i - ybar) / sum_w.
    z = [Fr(w) * (Fr(y) - ybar) / sum_w for _, _, w, y, _ in rows]
    # Step 3: PSU totals within strata.
    psu_tot: dict[tuple, Fr] = {}
    pop: dict[str, int] = {}
    for (h, c, _, _, big_n), zi in zip(rows, z, strict=True):
        psu_tot[(h, c)] = psu_tot.get((h, c), Fr(0)) + zi
        pop[h] = big_n
    # Step 4: between-PSU variance within each stratum, summed over strata.
    var = Fr(0)
    for h in sorted(pop):
        tots = [t for (hh, _), t in psu_tot.items() if hh == h]
        n_h = len(tots)
        zbar = sum(tots) / n_h
        f_h = Fr(n_h, pop[h]) if use_fpc else Fr(0)
        var += (1 - f_h) * Fr(n_h, n_h - 1) * sum((t - zbar) ** 2 for t in tots)
    return ybar, var


def test_hand_reference_numbers():
    # The hand computation, pinned to numbers worked out on paper:
    #   sum(w) = 19, sum(w y) = 70, ybar = 70/19.
    #   361 * z_i = w_i (19 y_i - 70):
    #     A: PSU1 = -26 + 50 = 24, PSU2 = 6, PSU3 = -96 - 51 = -147; mean -39
    #        deviations 63, 45, -108 -> SS = 17658; * 3/2 = 26487
    #     B: PSU1 = 100 + 12 = 112, PSU2 = -32 - 13 + 50 = 5; mean 58.5
    #        deviations +-53.5 -> SS = 5724.5; * 2/1 = 11449
    #   V = (26487 + 11449) / 361^2 = 37936 / 130321 = 0.29110 (se = 0.53954)
    ybar, var = hand_variance(DESIGN_ROWS, use_fpc=False)
    assert ybar == Fr(70, 19)
    assert var == Fr(37936, 130321)
    _, var_fpc = hand_variance(DESIGN_ROWS, use_fpc=True)
    # f_A = 3/6, f_B = 2/4: both strata's contributions are halved.
    assert var_fpc == var / 2


def test_weighted_mean_stratified_clustered_matches_hand(design):
    ybar, var = hand_variance(DESIGN_ROWS, use_fpc=False)
    est = weighted_mean(design, "y", weight="w", strata="stratum", psu="psu")
    assert isinstance(est, Estimate)
    assert est.estimate == pytest.approx(float(ybar), rel=1e-12)
    assert est.se == pytest.approx(math.sqrt(var), rel=1e-12)
    assert est.nobs == 10
    # R: confint(svymean(~y, des)) uses the normal quantile by default (df = Inf).
    z = stats.norm.ppf(0.975)
    assert est.df == math.inf
    assert est.ci == pytest.approx((float(ybar) - z * est.se, float(ybar) + z * est.se))
    # df="design": t with degf = #PSU - #strata = 5 - 2 = 3.
    est_t = weighted_mean(design, "y", weight="w", strata="stratum", psu="psu", df="design")
    t = stats.t.ppf(0.975, 3)
    assert est_t.df == 3
    assert est_t.ci_upp == pytest.approx(float(ybar) + t * est.se)


def test_weighted_mean_fpc_population_sizes_and_fractions(design):
    ybar, var_fpc = hand_variance(DESIGN_ROWS, use_fpc=True)
    est = weighted_mean(design, "y", weight="w", strata="stratum", psu="psu", fpc="N")
    assert est.se == pytest.approx(math.sqrt(var_fpc), rel=1e-12)
    # As in R svydesign(fpc=): values <= 1 are sampling fractions f_h = n_h / N_h.
    frac = design.assign(f=np.where(design["stratum"] == "A", 3 / 6, 2 / 4))
    est_f = weighted_mean(frac, "y", weight="w", strata="stratum", psu="psu", fpc="f")
    assert est_f.se == pytest.approx(est.se, rel=1e-12)
    # A fully enumerated stratum (N_h = n_h) contributes no variance.
    full_a = design.assign(N=np.where(design["stratum"] == "A", 3.0, 1e12))
    est_full = weighted_mean(full_a, "y", weight="w", strata="stratum", psu="psu", fpc="N")
    assert est_full.se**2 == pytest.approx(_stratum_contribution("B"), rel=1e-6)


def _stratum_contribution(h: str) -> float:
    """Hand variance contribution of one stratum (no fpc)."""
    sum_w = sum(Fr(r[2]) for r in DESIGN_ROWS)
    ybar = sum(Fr(r[2]) * Fr(r[3]) for r in DESIGN_ROWS) / sum_w
    tots: dict[int, Fr] = {}
    for hh, c, w, y, _ in DESIGN_ROWS:
        if hh == h:
            tots[c] = tots.get(c, Fr(0)) + Fr(w) * (Fr(y) - ybar) / sum_w
    n_h = len(tots)
    zbar = sum(tots.values()) / n_h
    return float(Fr(n_h, n_h - 1) * sum((t - zbar) ** 2 for t in tots.values()))


def test_srs_without_design_equals_sd_over_sqrt_n():
    # svydesign(ids=~1, data=d) with no weights: se = sd / sqrt(n), because the
    # n/(n-1) factor turns the 1/n^2 sum of squares into s^2 / n.
    y = np.array([3.0, 4.0, 2.0, 5.0, 5.0, 1.0, 4.0, 3.0])
    est = weighted_mean(pd.DataFrame({"y": y}), "y")
    assert est.estimate == pytest.approx(y.mean())
    assert est.se == pytest.approx(y.std(ddof=1) / math.sqrt(y.size))
    # with df="design" (degf = n - 1) the interval is the classical t interval
    est_t = weighted_mean(pd.DataFrame({"y": y}), "y", df="design")
    lo, hi = stats.t.interval(0.95, y.size - 1, loc=y.mean(), scale=y.std(ddof=1) / math.sqrt(8))
    assert est_t.ci == pytest.approx((lo, hi))


def test_weights_only_matches_descrstatsw_and_hand(design):
    y, w = design["y"].to_numpy(), design["w"].to_numpy()
    est = weighted_mean(design, "y", weight="w")
    assert est.estimate == pytest.approx(DescrStatsW(y, weights=w).mean)
    # each row its own PSU, one stratum: V = n/(n-1) sum (z_i - zbar)^2, zbar = 0
    n = y.size
    ybar = np.sum(w * y) / np.sum(w)
    z = w * (y - ybar) / np.sum(w)
    assert est.se == pytest.approx(math.sqrt(n / (n - 1) * np.sum(z**2)))


def test_missing_values_are_a_domain(design):
    # Rows with missing y keep their PSU in the design (R: svymean(..., na.rm=TRUE)):
    # their z is 0 but PSU 2 of stratum A (only row 2) still counts as a PSU.
    d = design.assign(y=design["y"].where(design.index != 2))
    est = weighted_mean(d, "y", weight="w", strata="stratum", psu="psu")
    keep = [r for i, r in enumerate(DESIGN_ROWS) if i != 2]
    sum_w = sum(Fr(r[2]) for r in keep)
    ybar = sum(Fr(r[2]) * Fr(r[3]) for r in keep) / sum_w
    tots = {("A", 1): Fr(0), ("A", 2): Fr(0), ("A", 3): Fr(0), ("B", 1): Fr(0), ("B", 2): Fr(0)}
    for h, c, w, y, _ in keep:
        tots[(h, c)] += Fr(w) * (Fr(y) - ybar) / sum_w
    var = Fr(0)
    for h in ("A", "B"):
        t = [v for (hh, _), v in tots.items() if hh == h]
        var += Fr(len(t), len(t) - 1) * sum((x - sum(t) / len(t)) ** 2 for x in t)
    assert est.nobs == 9
    assert est.estimate == pytest.approx(float(ybar))
    assert est.se == pytest.approx(math.sqrt(var), rel=1e-12)


def test_lonely_psu(design):
    lonely = design[~((design["stratum"] == "B") & (design["psu"] == 2))]
    with pytest.raises(ValueError, match="only one PSU"):
        weighted_mean(lonely, "y", weight="w", strata="stratum", psu="psu")
    # certainty: the lonely stratum contributes nothing; A's contribution by hand.
    est = weighted_mean(lonely, "y", weight="w", strata="stratum", psu="psu", lonely_psu="certainty")
    rows = [r for r in DESIGN_ROWS if not (r[0] == "B" and r[1] == 2)]
    sum_w = sum(Fr(r[2]) for r in rows)
    ybar = sum(Fr(r[2]) * Fr(r[3]) for r in rows) / sum_w
    tots: dict[int, Fr] = {}
    for h, c, w, y, _ in rows:
        if h == "A":
            tots[c] = tots.get(c, Fr(0)) + Fr(w) * (Fr(y) - ybar) / sum_w
    zbar = sum(tots.values()) / 3
    var = Fr(3, 2) * sum((t - zbar) ** 2 for t in tots.values())
    assert est.se == pytest.approx(math.sqrt(var), rel=1e-12)


def test_weighted_mean_errors(design):
    with pytest.raises(ValueError, match="nope"):
        weighted_mean(design, "nope")
    with pytest.raises(ValueError, match="weight"):
        weighted_mean(design.assign(w=design["w"].where(design.index != 0)), "y", weight="w")
    with pytest.raises(ValueError, match="numeric"):
        weighted_mean(design, "stratum")
    with pytest.raises(ValueError, match="constant within a stratum"):
        weighted_mean(design.assign(N=np.arange(10.0) + 10), "y", strata="stratum", psu="psu", fpc="N")
    with pytest.raises(ValueError, match="population of only"):
        weighted_mean(design.assign(N=2.0), "y", strata="stratum", psu="psu", fpc="N")
    with pytest.raises(ValueError, match="lonely_psu"):
        weighted_mean(design, "y", lonely_psu="average")


# --------------------------------------------------------------------------------------
# proportions
# --------------------------------------------------------------------------------------
def test_weighted_proportion_is_mean_of_indicator(design):
    d = design.assign(sector=["gov", "ngo", "gov", "biz", "gov", "ngo", "gov", None, "biz", "gov"])
    p = weighted_proportion(d, "sector", "gov", weight="w", strata="stratum", psu="psu")
    ind = d.assign(ind=np.where(d["sector"].isna(), NAN, (d["sector"] == "gov").astype(float)))
    m = weighted_mean(ind, "ind", weight="w", strata="stratum", psu="psu")
    assert p == m
    # by hand: weights of "gov" rows (0, 2, 4, 6, 9) / weights of answered rows
    #          = (2 + 1 + 1 + 2 + 2) / (19 - 1) = 8/18
    assert p.estimate == pytest.approx(8 / 18)
    assert p.nobs == 9


def test_weighted_proportion_logit_interval():
    d = pd.DataFrame({"x": ["a"] * 9 + ["b"]})
    wald = weighted_proportion(d, "x", "a")
    logit = weighted_proportion(d, "x", "a", method="logit")
    assert wald.estimate == logit.estimate == pytest.approx(0.9)
    assert wald.ci_upp > 1  # Wald leaves [0, 1] in small samples
    z = stats.norm.ppf(0.975)
    se_l = wald.se / (0.9 * 0.1)
    expit = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    assert logit.ci == pytest.approx((expit(math.log(9) - z * se_l), expit(math.log(9) + z * se_l)))
    assert 0 < logit.ci_low < 0.9 < logit.ci_upp < 1
    with pytest.raises(ValueError, match="method"):
        weighted_proportion(d, "x", "a", method="exact")


# --------------------------------------------------------------------------------------
# poststratification
# --------------------------------------------------------------------------------------
def test_poststratify_hits_targets():
    d = pd.DataFrame(
        {"sector": ["gov"] * 6 + ["ngo"] * 3 + ["biz"], "bw": [1, 2, 1, 1, 2, 1, 1, 1, 3, 2.0]},
        index=list("abcdefghij"),
    )
    targets = {"gov": 0.4, "ngo": 0.35, "biz": 0.25}
    for base in (None, "bw"):
        w = poststratify(d, "sector", targets, weight=base)
        assert w.index.equals(d.index) and w.name == "weight"
        assert w.sum() == pytest.approx(len(d))
        shares = w.groupby(d["sector"]).sum() / w.sum()
        for g, s in targets.items():
            assert shares[g] == pytest.approx(s)
    # within a group, base-weight ratios are preserved
    w = poststratify(d, "sector", targets, weight="bw")
    assert w["b"] / w["a"] == pytest.approx(2.0)
    # counts instead of shares are normalised
    counts = pd.Series({"gov": 40, "ngo": 35, "biz": 25})
    pd.testing.assert_series_equal(poststratify(d, "sector", counts), poststratify(d, "sector", targets))


def test_poststratify_errors():
    d = pd.DataFrame({"sector": ["gov", "ngo", "media"]})
    with pytest.raises(ValueError, match="media"):
        poststratify(d, "sector", {"gov": 0.5, "ngo": 0.5})
    with pytest.raises(ValueError, match=r"cannot poststratify.*academia"):
        poststratify(d, "sector", {"gov": 0.3, "ngo": 0.3, "media": 0.2, "academia": 0.2})
    with pytest.raises(ValueError, match="missing"):
        poststratify(pd.DataFrame({"sector": ["gov", None]}), "sector", {"gov": 1.0})
    with pytest.raises(ValueError, match=">= 0"):
        poststratify(d, "sector", {"gov": 0.5, "ngo": 0.7, "media": -0.2})


# --------------------------------------------------------------------------------------
# totals (svytotal)
# --------------------------------------------------------------------------------------
# R's api data (survey package 'api'), the columns used here, written by
#   write.csv(apistrat[, c("stype", "pw", "fpc", "enroll", "awards", "acs.k3")],
#             "apistrat.csv", row.names = FALSE, na = "")
#   write.csv(apiclus1[, c("dnum", "stype", "pw", "fpc", "enroll", "avg.ed")],
#             "apiclus1.csv", row.names = FALSE, na = "")
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return pd.read_csv(DATA / "apistrat.csv")


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(DATA / "apiclus1.csv")


def test_weighted_total_stratified_by_hand(design):
    # Each row its own PSU, strata A and B; z_i = w_i y_i:
    #   A: z = 6, 10, 4, 6, 1   sum 27, mean 5.4, SS of deviations = 43.2, * 5/4 = 54
    #   B: z = 20, 8, 2, 3, 10  sum 43, mean 8.6, SS = 207.2, * 5/4 = 259
    #   T = 70, V = 54 + 259 = 313
    est = weighted_total(design, "y", weight="w", strata="stratum")
    assert isinstance(est, Estimate)
    assert est.estimate == pytest.approx(70.0, rel=1e-12)
    assert est.se == pytest.approx(math.sqrt(313), rel=1e-12)
    assert est.nobs == 10 and est.df == math.inf
    z = stats.norm.ppf(0.975)
    assert est.ci == pytest.approx((70 - z * est.se, 70 + z * est.se))
    # fpc N_A = 10, N_B = 20 people: f = 1/2, 1/4 -> V = 54/2 + 259 * 3/4 = 221.25
    fpc = design.assign(N=np.where(design["stratum"] == "A", 10.0, 20.0))
    est_f = weighted_total(fpc, "y", weight="w", strata="stratum", fpc="N")
    assert est_f.se == pytest.approx(math.sqrt(221.25), rel=1e-12)
    # df="design": t with degf = 10 rows - 2 strata = 8
    est_t = weighted_total(design, "y", weight="w", strata="stratum", df="design")
    assert est_t.df == 8
    assert est_t.ci_upp == pytest.approx(70 + stats.t.ppf(0.975, 8) * math.sqrt(313))


def test_weighted_total_clustered_by_hand(design):
    # One stratum, 5 clusters (the (stratum, psu) pairs); cluster totals of w y:
    #   A1 = 6 + 10 = 16, A2 = 4, A3 = 6 + 1 = 7, B1 = 20 + 8 = 28, B2 = 2 + 3 + 10 = 15
    #   T = 70, mean 14, deviations 2, -10, -7, 14, 1 -> SS = 350, V = 350 * 5/4 = 437.5
    d = design.assign(cl=design["stratum"] + design["psu"].astype(str))
    est = weighted_total(d, "y", weight="w", psu="cl")
    assert est.estimate == pytest.approx(70.0)
    assert est.se == pytest.approx(math.sqrt(437.5), rel=1e-12)
    # fpc: 10 clusters in the population, f = 1/2 -> V = 218.75
    est_f = weighted_total(d.assign(N=10.0), "y", weight="w", psu="cl", fpc="N")
    assert est_f.se == pytest.approx(math.sqrt(218.75), rel=1e-12)
    # Stratified and clustered: A totals 16, 4, 7 (mean 9, SS 78, * 3/2 = 117);
    # B totals 28, 15 (mean 21.5, SS 84.5, * 2 = 169) -> V = 286
    est_sc = weighted_total(design, "y", weight="w", strata="stratum", psu="psu")
    assert est_sc.se == pytest.approx(math.sqrt(286), rel=1e-12)
    # Domain "stratum A" in the clustered design: cluster totals 16, 4, 7, 0, 0 (the
    # B clusters stay in the design), mean 5.4, SS = 175.2, V = 175.2 * 5/4 = 219;
    # degf = 3 clusters with domain rows - 1 stratum = 2.
    dom = weighted_total(d.assign(inA=d["stratum"] == "A"), "y", weight="w", psu="cl",
                         domain="inA", df="design")
    assert dom.estimate == pytest.approx(27.0)
    assert dom.se == pytest.approx(math.sqrt(219), rel=1e-12)
    assert dom.nobs == 5 and dom.df == 2


def test_weighted_total_srs_is_n_times_sd():
    # No design: T = sum(y), V = n/(n-1) * sum((y - ybar)^2) = n s^2.
    y = np.array([3.0, 4.0, 2.0, 5.0, 5.0, 1.0, 4.0, 3.0])
    est = weighted_total(pd.DataFrame({"y": y}), "y")
    assert est.estimate == pytest.approx(y.sum())
    assert est.se == pytest.approx(math.sqrt(y.size) * y.std(ddof=1))


def test_weighted_total_matches_r_svytotal_apistrat(apistrat):
    # R: dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
    #    svytotal(~enroll, dstrat)            # 3687177.532  SE 114641.7161
    est = weighted_total(apistrat, "enroll", weight="pw", strata="stype", fpc="fpc")
    assert est.estimate == pytest.approx(3687177.532, rel=1e-6)
    assert est.se == pytest.approx(114641.7161, rel=1e-6)
    assert est.nobs == 200
    # R: svytotal(~enroll, svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat))
    #    3687177.532  SE 117319.086
    est0 = weighted_total(apistrat, "enroll", weight="pw", strata="stype")
    assert est0.se == pytest.approx(117319.086, rel=1e-6)
    # R: svyby(~enroll, ~stype, dstrat, svytotal)
    #    E 1842584.341843  72581.3345758 | H 997128.525190  69239.3959523
    #    M  847464.665405  55502.9637939
    ref = {"E": (1842584.341843, 72581.3345758), "H": (997128.525190, 69239.3959523),
           "M": (847464.665405, 55502.9637939)}
    for g, (t, se) in ref.items():
        dom = weighted_total(apistrat.assign(d=apistrat["stype"] == g), "enroll", weight="pw",
                             strata="stype", fpc="fpc", domain="d")
        assert dom.estimate == pytest.approx(t, rel=1e-9)
        assert dom.se == pytest.approx(se, rel=1e-9)


def test_weighted_total_matches_r_svytotal_apiclus1(apiclus1):
    # R: dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
    #    svytotal(~enroll, dclus1)                   # 3404940.135  SE 932235.027
    #    confint(svytotal(~enroll, dclus1))          # 1577793.0564  5232087.21266
    #    confint(svytotal(~enroll, dclus1), df = degf(dclus1))   # degf 14:
    #                                                # 1405494.85852 5404385.41054
    est = weighted_total(apiclus1, "enroll", weight="pw", psu="dnum", fpc="fpc")
    assert est.estimate == pytest.approx(3404940.135, rel=1e-6)
    assert est.se == pytest.approx(932235.027, rel=1e-6)
    assert est.ci == pytest.approx((1577793.0564, 5232087.21266), rel=1e-9)
    est_t = weighted_total(apiclus1, "enroll", weight="pw", psu="dnum", fpc="fpc", df="design")
    assert est_t.df == 14
    assert est_t.ci == pytest.approx((1405494.85852, 5404385.41054), rel=1e-9)
    # R: svytotal(~enroll, svydesign(id = ~dnum, weights = ~pw, data = apiclus1))
    #    3404940.135  SE 941610.7409
    est0 = weighted_total(apiclus1, "enroll", weight="pw", psu="dnum")
    assert est0.se == pytest.approx(941610.7409, rel=1e-6)
    # Missing values (avg.ed has 26 NA): R svytotal(~avg.ed, dclus1, na.rm = TRUE)
    #    13930.74666  SE 2914.366499
    ed = weighted_total(apiclus1, "avg.ed", weight="pw", psu="dnum", fpc="fpc")
    assert ed.estimate == pytest.approx(13930.74666, rel=1e-6)
    assert ed.se == pytest.approx(2914.366499, rel=1e-6)
    assert ed.nobs == 157
    # Domains: R svyby(~enroll, ~stype, dclus1, svytotal)
    #    E 2109717.126835 631349.386275 | H 535594.869568 226716.594706
    #    M  759628.138126 213635.484268
    #    degf(subset(dclus1, stype == "H"))   # 7
    ref = {"E": (2109717.126835, 631349.386275), "H": (535594.869568, 226716.594706),
           "M": (759628.138126, 213635.484268)}
    for g, (t, se) in ref.items():
        dom = weighted_total(apiclus1.assign(d=apiclus1["stype"] == g), "enroll", weight="pw",
                             psu="dnum", fpc="fpc", domain="d", df="design")
        assert dom.estimate == pytest.approx(t, rel=1e-9)
        assert dom.se == pytest.approx(se, rel=1e-9)
        if g == "H":
            assert dom.df == 7


def test_weighted_total_errors(design):
    with pytest.raises(ValueError, match="nope"):
        weighted_total(design, "nope")
    with pytest.raises(ValueError, match="numeric"):
        weighted_total(design, "stratum")
    with pytest.raises(ValueError, match=r"domain column 'stratum' must be boolean"):
        weighted_total(design, "y", domain="stratum")
    with pytest.raises(ValueError, match="only one PSU"):
        weighted_total(design[design["stratum"] == "A"].assign(stratum=["A", "A", "A", "A", "Z"]),
                       "y", strata="stratum", psu="psu")
    with pytest.raises(ValueError, match="lonely_psu"):
        weighted_total(design, "y", lonely_psu="average")
    with pytest.raises(ValueError, match="poststrata column 'g' has missing"):
        weighted_total(design.assign(g=["a"] * 9 + [None]), "y", poststrata="g")
    empty = weighted_total(design.assign(y=NAN), "y")
    assert empty.nobs == 0 and math.isnan(empty.estimate)


# --------------------------------------------------------------------------------------
# poststratification to population totals
# --------------------------------------------------------------------------------------
def test_poststratify_to_population_totals_by_hand():
    d = pd.DataFrame(
        {"sector": ["gov"] * 6 + ["ngo"] * 3 + ["biz"], "bw": [1, 2, 1, 1, 2, 1, 1, 1, 3, 2.0]},
        index=list("abcdefghij"),
    )
    totals = {"gov": 120, "ngo": 50, "biz": 30}
    w = poststratify(d, "sector", weight="bw", population_totals=totals)
    # gov: W = 8, so w* = 120 * bw / 8 = 15 * bw; ngo: W = 5, w* = 10 * bw; biz: 30 * bw / 2
    expected = [15, 30, 15, 15, 30, 15, 10, 10, 30, 30.0]
    np.testing.assert_allclose(w.to_numpy(), expected)
    assert w.name == "weight" and w.index.equals(d.index)
    assert w.groupby(d["sector"]).sum().to_dict() == pytest.approx(totals)
    # the shares form is the same weights rescaled to n = 10 (of N = 200)
    shares = poststratify(d, "sector", {"gov": 0.6, "ngo": 0.25, "biz": 0.15}, weight="bw")
    np.testing.assert_allclose(shares.to_numpy(), w.to_numpy() * 10 / 200)
    # weighted_total of a constant 1 is the population size, with SE 0 once the design
    # knows the poststrata (every poststratum's size is known exactly).
    ones = d.assign(one=1.0, w=w)
    n_hat = weighted_total(ones, "one", weight="w", poststrata="sector")
    assert n_hat.estimate == pytest.approx(200.0)
    assert n_hat.se == pytest.approx(0.0, abs=1e-9)
    assert weighted_total(ones, "one", weight="w").se > 0


def test_poststratify_totals_matches_r_poststratify(apiclus1):
    # R: dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
    #    dps <- postStratify(dclus1, ~stype,
    #                        data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018)))
    #    tapply(weights(dps), apiclus1$stype, sum)   # E 4421, H 755, M 1018
    #    svytotal(~enroll, dps)                      # 3680892.945  SE 406292.6363
    #    svymean(~enroll, dps)                       # 594.2675081  SE 65.59454897 (estimate)
    #    svytotal(~avg.ed, dps, na.rm = TRUE)        # 14185.12607  SE 1543.911725
    #    svyby(~enroll, ~stype, dps, svytotal)
    #      E 1913648.270833  73017.2127613 | H 853365.714286 269627.0855062
    #      M  913878.960000 101323.4500357
    #    without fpc: svytotal(~enroll, postStratify(svydesign(id = ~dnum, weights = ~pw,
    #      data = apiclus1), ~stype, <same table>))  # 3680892.945  SE 410378.8199
    pop = {"E": 4421, "H": 755, "M": 1018}
    d = apiclus1.assign(psw=poststratify(apiclus1, "stype", weight="pw", population_totals=pop))
    assert d.groupby("stype")["psw"].sum().to_dict() == pytest.approx(pop, rel=1e-12)
    tot = weighted_total(d, "enroll", weight="psw", psu="dnum", fpc="fpc", poststrata="stype")
    assert tot.estimate == pytest.approx(3680892.945, rel=1e-6)
    assert tot.se == pytest.approx(406292.6363, rel=1e-6)
    assert weighted_mean(d, "enroll", weight="psw").estimate == pytest.approx(594.2675081, rel=1e-6)
    ed = weighted_total(d, "avg.ed", weight="psw", psu="dnum", fpc="fpc", poststrata="stype")
    assert ed.estimate == pytest.approx(14185.12607, rel=1e-6)
    assert ed.se == pytest.approx(1543.911725, rel=1e-6)
    ref = {"E": (1913648.270833, 73017.2127613), "H": (853365.714286, 269627.0855062),
           "M": (913878.960000, 101323.4500357)}
    for g, (t, se) in ref.items():
        dom = weighted_total(d.assign(dom=d["stype"] == g), "enroll", weight="psw", psu="dnum",
                             fpc="fpc", domain="dom", poststrata="stype")
        assert dom.estimate == pytest.approx(t, rel=1e-9)
        assert dom.se == pytest.approx(se, rel=1e-9)
    no_fpc = weighted_total(d, "enroll", weight="psw", psu="dnum", poststrata="stype")
    assert no_fpc.se == pytest.approx(410378.8199, rel=1e-6)
    # without poststrata= the weights are taken as fixed: a larger SE than R's
    assert weighted_total(d, "enroll", weight="psw", psu="dnum", fpc="fpc").se > tot.se


def test_poststratified_total_with_unequal_weights_matches_r(apistrat):
    # apiclus1's weights are all equal; here they vary within the poststrata (pw differs
    # by stratum stype, poststrata are awards), with missing values (acs.k3: 103 NA).
    # R: dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
    #    table(apipop$awards)                            # No 2027, Yes 4167
    #    dps <- postStratify(dstrat, ~awards, data.frame(awards = c("No", "Yes"),
    #                                                    Freq = c(2027, 4167)))
    #    svytotal(~enroll, dps)                          # 3643807.869  SE 119623.0996
    #    svytotal(~acs.k3, dps, na.rm = TRUE)            # 83146.77803  SE 1910.966149
    #    svyby(~enroll, ~stype, dps, svytotal)
    #      E 1872827.284204 77482.2823199 | H 949718.953627 77903.2466134
    #      M  821261.631118 55721.7477129
    #    svytotal(~I(enroll * 0 + 1), dps)               # 6194  SE 0
    d = apistrat.assign(psw=poststratify(apistrat, "awards", weight="pw",
                                         population_totals={"No": 2027, "Yes": 4167}))
    kw = dict(weight="psw", strata="stype", fpc="fpc", poststrata="awards")
    tot = weighted_total(d, "enroll", **kw)
    assert tot.estimate == pytest.approx(3643807.869, rel=1e-6)
    assert tot.se == pytest.approx(119623.0996, rel=1e-6)
    k3 = weighted_total(d, "acs.k3", **kw)
    assert k3.estimate == pytest.approx(83146.77803, rel=1e-6)
    assert k3.se == pytest.approx(1910.966149, rel=1e-6)
    assert k3.nobs == 97
    ref = {"E": (1872827.284204, 77482.2823199), "H": (949718.953627, 77903.2466134),
           "M": (821261.631118, 55721.7477129)}
    for g, (t, se) in ref.items():
        dom = weighted_total(d.assign(dom=d["stype"] == g), "enroll", domain="dom", **kw)
        assert dom.estimate == pytest.approx(t, rel=1e-9)
        assert dom.se == pytest.approx(se, rel=1e-9)
    size = weighted_total(d.assign(one=1.0), "one", **kw)
    assert size.estimate == pytest.approx(6194.0)
    assert size.se == pytest.approx(0.0, abs=1e-6)


def test_poststratify_totals_errors():
    d = pd.DataFrame({"sector": ["gov", "ngo", "media"]})
    with pytest.raises(ValueError, match=r"\['media'\].*no entry in population_totals"):
        poststratify(d, "sector", population_totals={"gov": 10, "ngo": 5})
    with pytest.raises(ValueError, match=r"cannot poststratify.*\['academia'\].*population_totals"):
        poststratify(d, "sector", population_totals={"gov": 3, "ngo": 3, "media": 2, "academia": 2})
    with pytest.raises(ValueError, match="exactly one of population_shares"):
        poststratify(d, "sector")
    with pytest.raises(ValueError, match="exactly one of population_shares"):
        poststratify(d, "sector", {"gov": 1.0}, population_totals={"gov": 1.0})
    with pytest.raises(ValueError, match="population_totals must be finite"):
        poststratify(d, "sector", population_totals={"gov": 1, "ngo": -1, "media": 1})
