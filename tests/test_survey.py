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

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

from evalkit.measure.survey import Estimate, poststratify, weighted_mean, weighted_proportion

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
