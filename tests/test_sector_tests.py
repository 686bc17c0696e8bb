"""Tests for evalkit.measure.sector_tests on public data sets, against R, scipy and pingouin.

R's numbers are typed in with the R call beside them (R 4.x, package *stats*); the data
are R's own ``PlantGrowth`` and ``InsectSprays`` (package *datasets*), written to
tests/data/ with ``write.csv(PlantGrowth, "plantgrowth.csv", row.names = FALSE)`` and
``write.csv(InsectSprays, "insectsprays.csv", row.names = FALSE)``.
The evalkit-schema tests (synthetic sector scores) are in tests/test_models.py.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from evalkit.measure import sector_tests
from evalkit.measure.sector_tests import (
    DIFFERENCES_COLUMNS,
    MWU_EXACT_BELOW,
    PAIRWISE_COLUMNS,
    pairwise_sector_tests,
    sector_differences,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def plants() -> pd.DataFrame:
    return pd.read_csv(DATA / "plantgrowth.csv")


@pytest.fixture(scope="module")
def sprays() -> pd.DataFrame:
    return pd.read_csv(DATA / "insectsprays.csv")


def _pair(df: pd.DataFrame, a: str, b: str, group: str = "group") -> pd.DataFrame:
    return df[df[group].isin([a, b])]


# --------------------------------------------------------------------------------------
# 1. The defect: exact Mann-Whitney p-values where R uses them
# --------------------------------------------------------------------------------------
def test_plantgrowth_trt1_trt2_exact_p_value_in_evalkit_schema(plants):
    """Fails before the fix (normal approximation: p = 0.0113), passes after.

    R: wilcox.test(weight ~ group, data = droplevels(subset(PlantGrowth, group != "ctrl")))
       W = 16, p-value = 0.00893069778518695   (exact: no ties, both n = 10 < 50)
    The table is put in evalkit's own column names, the call the reports make.
    """
    scores = (_pair(plants, "trt1", "trt2")
              .rename(columns={"weight": "score", "group": "sector"})
              .assign(dimension="weight"))
    out = pairwise_sector_tests(scores)
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["group_a"], row["group_b"]) == ("trt1", "trt2")
    assert row["U"] == 16.0
    assert row["pvalue"] == pytest.approx(0.00893069778518695, rel=1e-10)
    # the exact p-value is also scipy's exact method's
    a = plants.loc[plants["group"] == "trt1", "weight"].to_numpy()
    b = plants.loc[plants["group"] == "trt2", "weight"].to_numpy()
    ref = stats.mannwhitneyu(a, b, method="exact")
    assert row["pvalue"] == pytest.approx(ref.pvalue, rel=1e-12)
    assert row["p_holm"] == row["pvalue"]  # one test in the family


def test_plantgrowth_pairs_match_r_pairwise_wilcox_holm(plants):
    """All three pairs: exact where untied, tie-corrected normal approximation for ctrl-trt1.

    R: wilcox.test(weight ~ group, droplevels(subset(PlantGrowth, group != "trt2")))
         W = 67.5, p = 0.198595758633215  (ctrl and trt1 share 4.17: "cannot compute
         exact p-value with ties", normal approximation with continuity correction)
       wilcox.test(weight ~ group, droplevels(subset(PlantGrowth, group != "trt1")))
         W = 25, p = 0.0630128385546342   (exact)
       pairwise.wilcox.test(PlantGrowth$weight, PlantGrowth$group, p.adjust.method = "holm")
         ctrl-trt1 0.198595758633215, ctrl-trt2 0.126025677109268,
         trt1-trt2 0.0267920933555608
    """
    out = pairwise_sector_tests(plants, y="weight", group="group", by=None)
    assert list(out.columns) == PAIRWISE_COLUMNS
    assert (out["dimension"] == "weight").all()  # by=None: the label is y's name
    got = out.set_index(["group_a", "group_b"])
    r = {("ctrl", "trt1"): (67.5, 0.198595758633215, 0.198595758633215, "asymptotic"),
         ("ctrl", "trt2"): (25.0, 0.0630128385546342, 0.126025677109268, "exact"),
         ("trt1", "trt2"): (16.0, 0.00893069778518695, 0.0267920933555608, "exact")}
    assert sorted(got.index) == sorted(r)
    for pair, (w, p, p_holm, method) in r.items():
        assert got.loc[pair, "U"] == w
        assert got.loc[pair, "pvalue"] == pytest.approx(p, rel=1e-10)
        assert got.loc[pair, "p_holm"] == pytest.approx(p_holm, rel=1e-10)
        assert got.loc[pair, "method"] == method
    # only trt1-trt2 survives Holm at 5 %
    assert list(out.loc[out["significant"], "group_a"]) == ["trt1"]


def test_method_options_match_r_exact_and_asymptotic(plants):
    """R: wilcox.test(weight ~ group, <trt1 vs trt2>, exact = FALSE, correct = TRUE)
    p = 0.0113296966844747 (the value evalkit gave before the fix)."""
    pair = _pair(plants, "trt1", "trt2")
    asym = pairwise_sector_tests(pair, y="weight", group="group", by=None,
                                 method="asymptotic").iloc[0]
    assert asym["pvalue"] == pytest.approx(0.0113296966844747, rel=1e-10)
    assert asym["method"] == "asymptotic"
    exact = pairwise_sector_tests(pair, y="weight", group="group", by=None,
                                  method="exact").iloc[0]
    assert exact["pvalue"] == pytest.approx(0.00893069778518695, rel=1e-10)
    assert exact["method"] == "exact"
    # ties: R's exact = TRUE falls back to the approximation, and so does "exact"
    # R: wilcox.test(weight ~ group, <ctrl vs trt1>, exact = TRUE) -> p = 0.198595758633215
    tied = pairwise_sector_tests(_pair(plants, "ctrl", "trt1"), y="weight", group="group",
                                 by=None, method="exact").iloc[0]
    assert tied["pvalue"] == pytest.approx(0.198595758633215, rel=1e-10)
    assert tied["method"] == "asymptotic"


@pytest.mark.parametrize(("n", "default_p", "exact_p", "asym_p"), [
    # R: a <- 0:(n-1); b <- a + 10.5
    #    wilcox.test(a, b)$p.value; wilcox.test(a, b, exact = TRUE)$p.value;
    #    wilcox.test(a, b, exact = FALSE)$p.value
    (49, 0.000959574715298917, 0.000959574715298917, 0.00110905924954732),
    (50, 0.00120942310703335, 0.00105501647111369, 0.00120942310703335),
])
def test_exact_rule_switches_at_50_as_in_r(n, default_p, exact_p, asym_p):
    assert MWU_EXACT_BELOW == 50
    a = np.arange(n, dtype="float64")
    df = pd.DataFrame({"g": ["a"] * n + ["b"] * n, "v": np.concatenate([a, a + 10.5])})
    got = {m: pairwise_sector_tests(df, y="v", group="g", by=None, method=m).iloc[0]
           for m in ("auto", "exact", "asymptotic")}
    assert got["auto"]["U"] == (n - 11) * (n - 10) / 2  # R's W: 741 and 780
    assert got["auto"]["pvalue"] == pytest.approx(default_p, rel=1e-10)
    assert got["auto"]["method"] == ("exact" if n < 50 else "asymptotic")
    assert got["exact"]["pvalue"] == pytest.approx(exact_p, rel=1e-10)
    assert got["asymptotic"]["pvalue"] == pytest.approx(asym_p, rel=1e-10)


def test_mann_whitney_helper_follows_r_rule_with_scipy_floats():
    rng = np.random.default_rng(14)
    cases = [(rng.normal(size=6), rng.normal(size=7)),
             (rng.normal(size=30), rng.normal(0.5, 1, 25)),  # untied, 8 < n < 50: exact now
             (rng.normal(size=60), rng.normal(0.3, 1, 45)),  # untied, n >= 50: asymptotic
             (np.round(rng.normal(3, 1, 20) * 2) / 2, np.round(rng.normal(3.5, 1, 15) * 2) / 2)]
    for a, b in cases:
        tied = np.unique(np.concatenate([a, b])).size < a.size + b.size
        expected = "exact" if not tied and max(a.size, b.size) < 50 else "asymptotic"
        u, p, theta, used = sector_tests._mann_whitney(a, b)
        assert used == expected
        ref = stats.mannwhitneyu(a, b, alternative="two-sided", method=expected)
        assert u == float(ref.statistic)
        if used == "exact":  # exact integer counts vs scipy's floats: equal to a few ulps
            assert p == pytest.approx(float(ref.pvalue), rel=1e-13, abs=0)
        else:  # the same formula: the same floats
            assert p == float(ref.pvalue)
        assert theta == u / (a.size * b.size)
        # "asymptotic" is scipy's asymptotic method to the last bit, whatever the sizes
        u2, p2, _, used2 = sector_tests._mann_whitney(a, b, "asymptotic")
        ref2 = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
        assert (u2, p2, used2) == (float(ref2.statistic), float(ref2.pvalue), "asymptotic")


@pytest.mark.parametrize(("m", "n"), [(1, 1), (2, 5), (5, 5), (4, 9), (7, 6)])
def test_exact_null_counts_equal_full_enumeration(m, n):
    """The Gaussian-binomial counts equal counting U over every arrangement of ranks."""
    ranks = np.arange(m + n)
    counts = np.zeros(m * n + 1, dtype=np.int64)
    for pos in combinations(ranks, m):  # ranks of sample a
        counts[int(np.sum(pos)) - m * (m - 1) // 2] += 1  # U_a = R_a - m(m+1)/2 (0-based)
    cum, total = sector_tests._mwu_null_cdf(m, n)
    assert total == math.comb(m + n, m) == counts.sum()
    assert [int(c) for c in cum] == list(np.cumsum(counts))
    # two-sided p of every U: 2 P(U >= max(U, mn - U)) by enumeration, capped at 1
    for u in range(m * n + 1):
        hi = max(u, m * n - u)
        p = min(Fraction(1), Fraction(2 * int(counts[hi:].sum()), int(total)))
        assert sector_tests._mwu_exact_p(float(u), m, n) == float(p)


def test_exact_p_matches_r_pwilcox_small_case():
    # R: wilcox.test(c(1, 2, 3), c(4, 5, 6)) -> W = 0, p-value = 0.1 (= 2 / choose(6, 3))
    df = pd.DataFrame({"g": list("aaabbb"), "v": [1.0, 2, 3, 4, 5, 6]})
    out = pairwise_sector_tests(df, y="v", group="g", by=None, min_n=3).iloc[0]
    assert (out["U"], out["method"]) == (0.0, "exact")
    assert out["pvalue"] == pytest.approx(0.1, rel=1e-15)


# --------------------------------------------------------------------------------------
# 2. Column roles on public data sets
# --------------------------------------------------------------------------------------
def test_kruskal_insectsprays_and_plantgrowth_match_r_scipy_pingouin(plants, sprays):
    """R: kruskal.test(count ~ spray, data = InsectSprays)
          Kruskal-Wallis chi-squared = 54.6913446223714, df = 5, p = 1.51084443941851e-10
       R: kruskal.test(weight ~ group, data = PlantGrowth)
          Kruskal-Wallis chi-squared = 7.988228749443715, df = 2, p = 0.018423755731472
    """
    for df, y, group, h_r, df_r, p_r in [
            (sprays, "count", "spray", 54.6913446223714, 5, 1.51084443941851e-10),
            (plants, "weight", "group", 7.988228749443715, 2, 0.018423755731472)]:
        out = sector_differences(df, y=y, group=group, by=None, n_boot=0)
        assert list(out.columns) == DIFFERENCES_COLUMNS
        row = out.iloc[0]
        assert row["dimension"] == y and row["n"] == len(df) and row["df"] == df_r
        assert row["H"] == pytest.approx(h_r, rel=1e-12)
        assert row["pvalue"] == pytest.approx(p_r, rel=1e-10)
        levels = sorted(df[group].unique())
        ref = stats.kruskal(*[df.loc[df[group] == g, y] for g in levels])
        assert row["H"] == pytest.approx(ref.statistic, rel=1e-10)
        assert row["pvalue"] == pytest.approx(ref.pvalue, rel=1e-10)
        pgk = pg.kruskal(data=df, dv=y, between=group)
        assert row["H"] == pytest.approx(float(pgk["H"].iloc[0]), rel=1e-10)
        assert row["pvalue"] == pytest.approx(float(pgk["p_unc"].iloc[0]), rel=1e-10)
        assert row["epsilon_squared"] == pytest.approx(h_r / (len(df) - 1), rel=1e-12)
        assert row["groups_tested"] == ", ".join(levels) and row["groups_too_small"] == ""


# R: pairwise.wilcox.test(InsectSprays$count, InsectSprays$spray, p.adjust.method = "holm")
#    (every pair has ties, so each p-value is the tie- and continuity-corrected normal
#    approximation; R warns "cannot compute exact p-value with ties")
SPRAYS_HOLM = {
    ("A", "B"): 1.0, ("A", "C"): 0.000509250400121322, ("A", "D"): 0.000622473551638327,
    ("A", "E"): 0.000509250400121322, ("A", "F"): 1.0, ("B", "C"): 0.000509250400121322,
    ("B", "D"): 0.000622473551638327, ("B", "E"): 0.000509250400121322, ("B", "F"): 1.0,
    ("C", "D"): 0.015906489359916953, ("C", "E"): 0.262867299461958914,
    ("C", "F"): 0.000509250400121322, ("D", "E"): 0.697780354365667543,
    ("D", "F"): 0.000622473551638327, ("E", "F"): 0.000509250400121322,
}
# R: wilcox.test(count ~ spray, droplevels(subset(InsectSprays, spray %in% c(a, b))))
SPRAYS_W = {("A", "B"): (62, 0.581215988374173), ("A", "F"): (58, 0.434228114490648),
            ("C", "E"): (38.5, 0.0525734598923918), ("C", "D"): (20, 0.00265108155998616),
            ("D", "E"): (95.5, 0.174445088591417)}


def test_pairwise_insectsprays_match_r_scipy_pingouin(sprays):
    out = pairwise_sector_tests(sprays, y="count", group="spray", by=None)
    assert len(out) == 15 and (out["method"] == "asymptotic").all()  # all pairs tied
    got = out.set_index(["group_a", "group_b"])
    for pair, p_holm in SPRAYS_HOLM.items():
        assert got.loc[pair, "p_holm"] == pytest.approx(p_holm, rel=1e-10)
    for pair, (w, p) in SPRAYS_W.items():
        assert got.loc[pair, "U"] == w
        assert got.loc[pair, "pvalue"] == pytest.approx(p, rel=1e-10)
    for ga, gb in combinations(sorted(sprays["spray"].unique()), 2):
        a = sprays.loc[sprays["spray"] == ga, "count"].to_numpy(dtype=float)
        b = sprays.loc[sprays["spray"] == gb, "count"].to_numpy(dtype=float)
        ref = stats.mannwhitneyu(a, b, alternative="two-sided")  # tied: scipy's asymptotic too
        assert got.loc[(ga, gb), "U"] == ref.statistic
        assert got.loc[(ga, gb), "pvalue"] == pytest.approx(ref.pvalue, rel=1e-10)
        mwu = pg.mwu(a, b)
        assert got.loc[(ga, gb), "pvalue"] == pytest.approx(float(mwu["p_val"].iloc[0]),
                                                            rel=1e-10)
        assert got.loc[(ga, gb), "rank_biserial"] == pytest.approx(
            float(mwu["RBC"].iloc[0]), rel=1e-10)


def test_pairwise_plantgrowth_matches_pingouin_when_it_uses_the_exact_method(plants):
    out = pairwise_sector_tests(plants, y="weight", group="group", by=None)
    for r in out.itertuples():
        a = plants.loc[plants["group"] == r.group_a, "weight"].to_numpy()
        b = plants.loc[plants["group"] == r.group_b, "weight"].to_numpy()
        mwu = pg.mwu(a, b, method=r.method)
        assert r.U == pytest.approx(float(mwu["U_val"].iloc[0]), rel=1e-12)
        assert r.pvalue == pytest.approx(float(mwu["p_val"].iloc[0]), rel=1e-10)
        # Kerby (2014): r = 2 U / (n_a n_b) - 1, pingouin's sign convention
        assert r.rank_biserial == pytest.approx(float(mwu["RBC"].iloc[0]), rel=1e-10)
        assert r.rank_biserial == pytest.approx(2 * r.U / (r.n_a * r.n_b) - 1, rel=1e-12)


def test_by_column_splits_one_family_per_level_and_keeps_category_order(plants, sprays):
    """A custom ``by`` equals running each level alone; the level lands in ``dimension``."""
    both = pd.concat([
        plants.rename(columns={"weight": "value", "group": "arm"}).assign(study="plants"),
        sprays.rename(columns={"count": "value", "spray": "arm"}).assign(study="sprays")])
    both["study"] = pd.Categorical(both["study"], categories=["sprays", "plants", "unused"])
    pw = pairwise_sector_tests(both, y="value", group="arm", by="study")
    assert list(pd.unique(pw["dimension"])) == ["sprays", "plants"]
    assert isinstance(pw["dimension"].dtype, pd.CategoricalDtype)
    # each study is its own Holm family: the same numbers as the study alone
    alone = pairwise_sector_tests(sprays, y="count", group="spray", by=None)
    got = pw[pw["dimension"] == "sprays"].reset_index(drop=True)
    cols = ["group_a", "group_b", "U", "pvalue", "p_holm", "rank_biserial", "method"]
    pd.testing.assert_frame_equal(got[cols], alone[cols])
    kw = sector_differences(both, y="value", group="arm", by="study", n_boot=0)
    assert list(kw["dimension"]) == ["sprays", "plants"]
    # groups absent from a study are listed as too small there (0 < min_n)
    assert kw["groups_too_small"].iloc[1] == "A, B, C, D, E, F"
    assert kw["H"].iloc[1] == pytest.approx(7.988228749443715, rel=1e-12)  # R, as above
    assert kw["H"].iloc[0] == pytest.approx(54.6913446223714, rel=1e-12)


def test_roles_default_to_evalkit_names_and_renaming_changes_nothing(plants):
    evalkit_names = plants.rename(columns={"weight": "score", "group": "sector"}).assign(
        dimension="growth")
    custom = plants.assign(block="growth")
    a = pairwise_sector_tests(evalkit_names)
    b = pairwise_sector_tests(custom, y="weight", group="group", by="block")
    pd.testing.assert_frame_equal(a, b)
    a = sector_differences(evalkit_names, n_boot=200, seed=3)
    b = sector_differences(custom, y="weight", group="group", by="block", n_boot=200, seed=3)
    pd.testing.assert_frame_equal(a, b)


def test_role_errors_name_the_argument(plants):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['score'\]"):
        pairwise_sector_tests(plants, group="group", by=None)
    with pytest.raises(ValueError, match="'group' must be numeric"):
        sector_differences(plants, y="group", group="weight", by=None)
    with pytest.raises(ValueError, match="y and group both name column 'weight'"):
        sector_differences(plants, y="weight", group="weight", by=None)
    with pytest.raises(ValueError, match="by must be a column name or None"):
        pairwise_sector_tests(plants, y="weight", group="group", by=3)
    with pytest.raises(ValueError, match="method must be one of 'auto', 'exact', 'asymptotic'"):
        pairwise_sector_tests(plants, y="weight", group="group", by=None, method="perm")
