"""Tests for evalkit.measure.sector_tests and .models: sector comparisons, mixed models, shrinkage.

Every statistic is checked against a reference implementation (scipy, pingouin,
scikit-posthocs, statsmodels) or against the parameters that generated synthetic data.
"""

from __future__ import annotations

import math
import warnings
import zlib

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import scikit_posthocs as sp
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.stats.multitest import multipletests
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from evalkit.core.config import MIN_CELL
from evalkit.measure.models import (
    EFFECTS_COLUMNS,
    ORDINAL_COLUMNS,
    SHRINKAGE_COLUMNS,
    ShrinkageFit,
    _reml_icc,
    ordinal_sector_model,
    region_shrinkage,
    sector_effects_model,
)
from evalkit.measure.scales import mean_ci
from evalkit.measure.sector_tests import (
    DIFFERENCES_COLUMNS,
    PAIRWISE_COLUMNS,
    _holm,
    _kruskal_h_rows,
    _rank_biserial,
    pairwise_sector_tests,
    sector_differences,
)

# --------------------------------------------------------------------------------------
# Synthetic data
# --------------------------------------------------------------------------------------
# Mirrors evalkit.demo.generator.DemoParameters (region health and size, sector effects and shares,
# dimension offsets, respondent and item spread), written out so the test keeps its
# planted truth even if the demo is retuned.
REGIONS = {
    "15.71": (3.55, 36), "17.71": (3.10, 30), "19.71": (3.30, 28), "21.72": (2.85, 26),
    "21.71": (3.75, 40), "35.78": (4.00, 45), "33.72": (3.85, 38), "11.71": (3.20, 30),
    "74.72": (2.95, 24), "34.71": (3.65, 34), "32.73": (3.45, 40), "35.10": (3.90, 36),
    "33.10": (3.25, 30), "96.02": (2.75, 12), "16": (3.40, 32), "18": (3.00, 28),
}
SECTOR_EFFECTS = {"pemerintah": 0.15, "dunia_usaha": -0.45, "akademisi": 0.05,
                  "masyarakat_sipil": 0.0, "media": -0.10}
SECTOR_SHARES = {"pemerintah": 0.30, "dunia_usaha": 0.20, "akademisi": 0.15,
                 "masyarakat_sipil": 0.25, "media": 0.10}
DIMENSIONS = {"trust": 0.10, "communication": 0.0, "shared_goals": 0.20, "leadership": 0.10,
              "resources": -0.35, "coordination": -0.10, "engagement": 0.15,
              "accountability": -0.25, "mutual_benefit": 0.05, "inclusiveness": -0.20}
RESPONDENT_SD = 0.60
ITEM_SD = 0.50
ITEMS_PER_DIMENSION = 3
SEED = 20261123  # the demo generator's seed


def make_scores(seed: int = SEED) -> pd.DataFrame:
    """Scores-long table generated like the demo survey (Likert items -> dimension means)."""
    rng = np.random.default_rng(seed)
    sectors = list(SECTOR_SHARES)
    region_col, sector_col = [], []
    latent = []
    for code, (health, n) in REGIONS.items():
        chosen = rng.choice(sectors, size=n, p=list(SECTOR_SHARES.values()))
        person = health + np.array([SECTOR_EFFECTS[s] for s in chosen]) \
            + rng.normal(0, RESPONDENT_SD, n)
        region_col += [code] * n
        sector_col += list(chosen)
        latent.append(person)
    person = np.concatenate(latent)
    n_resp = person.size
    frames = []
    for dim, offset in DIMENSIONS.items():
        items = person[:, None] + offset + rng.normal(0, ITEM_SD, (n_resp, ITEMS_PER_DIMENSION))
        score = np.clip(np.rint(items), 1, 5).mean(axis=1)
        frames.append(pd.DataFrame({"response_id": [f"r{i:04d}" for i in range(n_resp)],
                                    "region_code": region_col, "sector": sector_col,
                                    "dimension": dim, "score": score}))
    long = pd.concat(frames, ignore_index=True)
    long["dimension"] = pd.Categorical(long["dimension"], categories=list(DIMENSIONS),
                                       ordered=True)
    return long


@pytest.fixture(scope="module")
def demo_scores() -> pd.DataFrame:
    return make_scores()


def small_scores(sizes: dict[str, int], *, dims=("trust", "resources", "leadership"),
                 seed: int = 1, shift: dict[str, float] | None = None) -> pd.DataFrame:
    """Groups of given sizes, Likert-mean scores (with ties), categorical dimension."""
    rng = np.random.default_rng(seed)
    shift = shift or {}
    rows = []
    rid = 0
    for g, n in sizes.items():
        for _ in range(n):
            rid += 1
            base = 3.2 + shift.get(g, 0.0) + rng.normal(0, 0.6)
            for d in dims:
                score = np.clip(np.rint(base + rng.normal(0, 0.6, 3)), 1, 5).mean()
                rows.append((f"r{rid}", f"R{rid % 4}", g, d, score))
    df = pd.DataFrame(rows, columns=["response_id", "region_code", "sector", "dimension",
                                     "score"])
    # deliberately not alphabetical: outputs must keep this order
    df["dimension"] = pd.Categorical(df["dimension"], categories=list(dims), ordered=True)
    return df


@pytest.fixture(scope="module")
def mixed_sizes() -> pd.DataFrame:
    """Five sectors, one of them below MIN_CELL, a few missing scores."""
    df = small_scores({"pemerintah": 14, "dunia_usaha": 11, "akademisi": 8,
                       "masyarakat_sipil": 12, "media": 3},
                      shift={"dunia_usaha": -0.6, "pemerintah": 0.2})
    df.loc[[3, 40, 41, 77], "score"] = np.nan
    return df


def _tested(df: pd.DataFrame, dim: str, min_n: int = MIN_CELL) -> pd.DataFrame:
    sub = df[(df["dimension"] == dim) & df["score"].notna()]
    counts = sub["sector"].value_counts()
    return sub[sub["sector"].isin(counts.index[counts >= min_n])]


# --------------------------------------------------------------------------------------
# 1. Kruskal-Wallis
# --------------------------------------------------------------------------------------
def test_kruskal_matches_scipy_and_pingouin(mixed_sizes):
    out = sector_differences(mixed_sizes, n_boot=0)
    assert list(out.columns) == DIFFERENCES_COLUMNS
    assert list(out["dimension"]) == ["trust", "resources", "leadership"]
    assert isinstance(out["dimension"].dtype, pd.CategoricalDtype)
    for row in out.itertuples():
        sub = _tested(mixed_sizes, row.dimension)
        groups = sorted(sub["sector"].unique())
        assert row.groups_tested == ", ".join(groups)
        assert row.groups_too_small == "media"
        ref = stats.kruskal(*[sub.loc[sub["sector"] == g, "score"] for g in groups])
        assert row.H == pytest.approx(ref.statistic, rel=1e-12)
        assert row.pvalue == pytest.approx(ref.pvalue, rel=1e-10)
        pgk = pg.kruskal(data=sub, dv="score", between="sector")
        assert row.H == pytest.approx(float(pgk["H"].iloc[0]), rel=1e-12)
        assert row.pvalue == pytest.approx(float(pgk["p_unc"].iloc[0]), rel=1e-10)
        assert row.df == int(pgk["ddof1"].iloc[0]) == len(groups) - 1
        n = len(sub)
        assert row.n == n
        # Tomczak & Tomczak (2014): E^2_R = H / ((n^2 - 1) / (n + 1))
        assert row.epsilon_squared == pytest.approx(ref.statistic / ((n**2 - 1) / (n + 1)))
        assert math.isnan(row.eps_ci_low) and row.note == ""


def test_vectorised_h_matches_scipy_row_by_row():
    rng = np.random.default_rng(7)
    sizes = [5, 9, 6, 12]
    samples = np.round(rng.normal(3, 1, (40, sum(sizes))) * 3) / 3  # many ties
    h = _kruskal_h_rows(samples, sizes)
    bounds = np.cumsum([0, *sizes])
    for row, value in zip(samples, h, strict=True):
        ref = stats.kruskal(*[row[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
        assert value == pytest.approx(ref.statistic, rel=1e-12)
    constant = np.full((1, sum(sizes)), 3.0)
    assert np.isnan(_kruskal_h_rows(constant, sizes)[0])


def test_epsilon_bootstrap_is_stratified_seeded_and_reproducible(mixed_sizes):
    n_boot, seed, level = 300, 11, 0.9
    out = sector_differences(mixed_sizes, n_boot=n_boot, seed=seed, ci=level)
    # explicit re-implementation: resample each tested group at its own size, scipy's H
    row = out.iloc[1]
    dim = row["dimension"]
    sub = _tested(mixed_sizes, dim)
    groups = [sub.loc[sub["sector"] == g, "score"].to_numpy()
              for g in sorted(sub["sector"].unique())]
    rng = np.random.default_rng([seed, zlib.crc32(str(dim).encode())])
    draws = [g[rng.integers(0, g.size, size=(n_boot, g.size))] for g in groups]
    n = sum(g.size for g in groups)
    eps = np.array([stats.kruskal(*[d[b] for d in draws]).statistic / (n - 1)
                    for b in range(n_boot)])
    lo, hi = np.quantile(eps, [0.05, 0.95])
    assert row["eps_ci_low"] == pytest.approx(lo, rel=1e-12)
    assert row["eps_ci_upp"] == pytest.approx(hi, rel=1e-12)
    # same inputs, same outputs; a dimension's interval does not depend on the others
    again = sector_differences(mixed_sizes, n_boot=n_boot, seed=seed, ci=level)
    pd.testing.assert_frame_equal(out, again)
    alone = sector_differences(mixed_sizes[mixed_sizes["dimension"] == dim],
                               n_boot=n_boot, seed=seed, ci=level)
    assert alone["eps_ci_low"].iloc[0] == row["eps_ci_low"]
    other = sector_differences(mixed_sizes, n_boot=n_boot, seed=seed + 1, ci=level)
    assert other["eps_ci_low"].iloc[1] != row["eps_ci_low"]


def test_kruskal_no_test_when_fewer_than_two_groups_or_constant():
    df = small_scores({"pemerintah": 9, "media": 4}, dims=("trust",))
    out = sector_differences(df, n_boot=50)
    row = out.iloc[0]
    assert np.isnan(row["H"]) and np.isnan(row["pvalue"]) and np.isnan(row["eps_ci_low"])
    assert row["groups_tested"] == "pemerintah" and row["groups_too_small"] == "media"
    assert "fewer than 2 groups" in row["note"]
    const = df.assign(score=3.0, sector=["a"] * 5 + ["b"] * (len(df) - 5))
    row = sector_differences(const, n_boot=50).iloc[0]
    assert np.isnan(row["H"]) and "identical" in row["note"]


def test_kruskal_errors_name_the_problem(mixed_sizes):
    with pytest.raises(ValueError, match="sector"):
        sector_differences(mixed_sizes.drop(columns="sector"))
    with pytest.raises(ValueError, match="'score' must be numeric"):
        sector_differences(mixed_sizes.assign(score=mixed_sizes["score"].astype(str)))
    with pytest.raises(ValueError, match="min_n"):
        sector_differences(mixed_sizes, min_n=1)
    with pytest.raises(ValueError, match="ci"):
        sector_differences(mixed_sizes, ci=95)


# --------------------------------------------------------------------------------------
# 2. Pairwise tests
# --------------------------------------------------------------------------------------
def test_pairwise_matches_pingouin_and_scikit_posthocs(mixed_sizes):
    out = pairwise_sector_tests(mixed_sizes)
    assert list(out.columns) == PAIRWISE_COLUMNS
    assert list(pd.unique(out["dimension"])) == ["trust", "resources", "leadership"]
    for dim, block in out.groupby("dimension", observed=True, sort=False):
        sub = _tested(mixed_sizes, dim)
        ref = pg.pairwise_tests(data=sub, dv="score", between="sector", parametric=False,
                                padjust="holm")
        assert len(block) == len(ref) == 6  # 4 testable groups, media (3) excluded
        merged = block.merge(ref, left_on=["group_a", "group_b"], right_on=["A", "B"])
        assert len(merged) == 6  # same orientation (sorted levels)
        np.testing.assert_allclose(merged["U"], merged["U_val"], rtol=1e-12)
        np.testing.assert_allclose(merged["pvalue"], merged["p_unc"], rtol=1e-10)
        np.testing.assert_allclose(merged["p_holm"], merged["p_corr"], rtol=1e-10)
        np.testing.assert_allclose(merged["hedges_g"], merged["hedges"], rtol=1e-10)
        sph = sp.posthoc_mannwhitney(sub, val_col="score", group_col="sector",
                                     p_adjust="holm")
        for r in block.itertuples():
            assert r.p_holm == pytest.approx(sph.loc[r.group_a, r.group_b], rel=1e-10)
            a = sub.loc[sub["sector"] == r.group_a, "score"].to_numpy()
            b = sub.loc[sub["sector"] == r.group_b, "score"].to_numpy()
            assert r.rank_biserial == pytest.approx(float(pg.mwu(a, b)["RBC"].iloc[0]),
                                                    rel=1e-12)
            g = pg.compute_effsize(a, b, eftype="hedges")
            lo, hi = pg.compute_esci(stat=g, nx=a.size, ny=b.size, eftype="hedges",
                                     confidence=0.95, decimals=14)
            assert (r.hedges_g, r.g_ci_low, r.g_ci_upp) == pytest.approx((g, lo, hi), rel=1e-9)
            assert r.mean_diff == pytest.approx(a.mean() - b.mean())
            assert (r.n_a, r.n_b) == (a.size, b.size)
            assert r.significant == (r.p_holm < 0.05)
            assert r.rb_ci_low < r.rank_biserial < r.rb_ci_upp


def test_holm_equals_statsmodels_and_other_methods_are_named():
    p = np.array([0.01, 0.04, 0.03, 0.20, 0.005, 0.04])
    np.testing.assert_allclose(_holm(p), multipletests(p, method="holm")[1], rtol=1e-15)
    df = small_scores({"a": 8, "b": 9, "c": 10}, dims=("trust",), shift={"c": 0.8})
    bh = pairwise_sector_tests(df, padjust="fdr_bh")
    assert "p_fdr_bh" in bh.columns and "p_holm" not in bh.columns
    np.testing.assert_allclose(bh["p_fdr_bh"], multipletests(bh["pvalue"], method="fdr_bh")[1])
    with pytest.raises(ValueError, match="padjust"):
        pairwise_sector_tests(df, padjust="nonsense")


@pytest.mark.parametrize(("n_a", "n_b", "delta", "discrete"), [
    (8, 12, 0.8, False),   # small groups, medium-large effect
    (10, 10, 1.5, False),  # r_rb ~ 0.71: where a null-variance Fisher-z interval covers ~80 %
    (6, 9, 1.0, True),     # Likert-like ties, groups near MIN_CELL
    (5, 6, 3.0, False),    # r_rb ~ 0.97: complete separation in most samples
])
def test_rank_biserial_interval_coverage(n_a, n_b, delta, discrete):
    """Newcombe's method-5 interval keeps ~95 % coverage of the true r_rb.

    1500 simulated data sets; the Monte-Carlo SE of a 95 % coverage is 0.0056, so
    the band [0.935, 0.98] is nominal -2.7 SE on the low side (a liberal interval
    fails) and allows the known mild conservatism in small samples.
    """
    rng = np.random.default_rng(123)
    if discrete:
        big_a = np.round(rng.normal(delta, 1, 400_000) * 3) / 3
        big_b = np.round(rng.normal(0, 1, 400_000) * 3) / 3
        truth = np.mean(big_a > big_b) - np.mean(big_a < big_b)
    else:
        truth = 2 * stats.norm.cdf(delta / math.sqrt(2)) - 1
    hits = 0
    sims = 1500
    for _ in range(sims):
        a, b = rng.normal(delta, 1, n_a), rng.normal(0, 1, n_b)
        if discrete:
            a, b = np.round(a * 3) / 3, np.round(b * 3) / 3
        _, lo, hi = _rank_biserial(a, b, 0.95)
        hits += lo <= truth <= hi
    assert 0.935 <= hits / sims <= 0.98


def test_rank_biserial_interval_solves_newcombe_equation():
    a = np.array([3.0, 3.33, 4.0, 2.67, 3.67, 4.33, 3.0])
    b = np.array([2.33, 3.0, 2.67, 3.33, 2.0, 3.0, 2.67, 3.67])
    r, lo, hi = _rank_biserial(a, b, 0.9)
    u = stats.mannwhitneyu(a, b).statistic
    assert r == pytest.approx(2 * u / (a.size * b.size) - 1)
    theta, m, n = (r + 1) / 2, a.size, b.size
    s = (m + n) / 2 - 1
    z = stats.norm.ppf(0.95)
    for limit in (lo, hi):
        t = (limit + 1) / 2
        v = t * (1 - t) * (1 + s * (1 - t) / (2 - t) + s * t / (1 + t)) / (m * n)
        assert abs(theta - t) == pytest.approx(z * math.sqrt(v), rel=1e-9)
    assert lo < r < hi


def test_rank_biserial_complete_separation_stays_informative():
    r, lo, hi = _rank_biserial(np.arange(5.0) + 10, np.arange(6.0), 0.95)
    assert r == 1.0 and hi == 1.0
    assert 0 < lo < 0.9  # excludes 0, as the exact Mann-Whitney test does (p = 0.004)
    assert stats.mannwhitneyu(np.arange(5.0) + 10, np.arange(6.0)).pvalue < 0.01


# --------------------------------------------------------------------------------------
# 6. Minimum group size rule
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("min_n", [MIN_CELL, 3])
def test_group_below_min_n_is_never_tested_and_at_min_n_is(min_n):
    below = small_scores({"pemerintah": 10, "dunia_usaha": 9, "media": min_n - 1},
                         dims=("trust", "resources"), shift={"media": -1.0}, seed=4)
    at = small_scores({"pemerintah": 10, "dunia_usaha": 9, "media": min_n},
                      dims=("trust", "resources"), shift={"media": -1.0}, seed=4)

    diff = sector_differences(below, min_n=min_n, n_boot=0)
    assert (diff["groups_too_small"] == "media").all()
    assert (diff["groups_tested"] == "dunia_usaha, pemerintah").all()
    assert (diff["df"] == 1).all()
    sub = below[(below["dimension"] == "trust") & (below["sector"] != "media")]
    ref = stats.kruskal(*[s["score"] for _, s in sub.groupby("sector")])
    assert diff["H"].iloc[0] == pytest.approx(ref.statistic)
    pw = pairwise_sector_tests(below, min_n=min_n)
    assert not ((pw["group_a"] == "media") | (pw["group_b"] == "media")).any()
    assert len(pw) == 2  # one pair per dimension
    eff = sector_effects_model(below, min_n=min_n, reference="pemerintah")
    media = eff[eff["sector"] == "media"]
    assert len(media) == 3 and media["estimate"].isna().all()
    assert media["note"].str.contains(f"{min_n - 1} < {min_n}").all()

    diff = sector_differences(at, min_n=min_n, n_boot=0)
    assert (diff["groups_too_small"] == "").all()
    assert (diff["groups_tested"] == "dunia_usaha, media, pemerintah").all()
    pw = pairwise_sector_tests(at, min_n=min_n)
    assert len(pw) == 6 and ((pw["group_a"] == "media") | (pw["group_b"] == "media")).sum() == 4
    assert (pw.loc[pw["group_a"] == "media", "n_a"] == min_n).all()
    eff = sector_effects_model(at, min_n=min_n, reference="pemerintah")
    media = eff[eff["sector"] == "media"]
    assert media["estimate"].notna().all() and not media["note"].str.contains("too few").any()


def test_min_n_counts_non_missing_scores_per_dimension():
    df = small_scores({"pemerintah": 8, "media": MIN_CELL}, dims=("trust", "resources"))
    first_media = df.index[(df["sector"] == "media") & (df["dimension"] == "resources")][0]
    df.loc[first_media, "score"] = np.nan
    out = sector_differences(df, n_boot=0).set_index("dimension")
    assert out.loc["trust", "groups_too_small"] == ""
    assert out.loc["resources", "groups_too_small"] == "media"
    assert "fewer than 2 groups" in out.loc["resources", "note"]


# --------------------------------------------------------------------------------------
# 3. Mixed model of sector effects
# --------------------------------------------------------------------------------------
def test_sector_effects_match_statsmodels_formula_fit(mixed_sizes):
    out = sector_effects_model(mixed_sizes, reference="masyarakat_sipil")
    assert list(out.columns) == EFFECTS_COLUMNS
    assert list(pd.unique(out["dimension"])) == ["trust", "resources", "leadership", "overall"]
    for dim in ["resources", "overall"]:
        if dim == "overall":
            data = (mixed_sizes.dropna(subset=["score"])
                    .groupby("response_id").agg(sector=("sector", "first"),
                                                region_code=("region_code", "first"),
                                                score=("score", "mean")).reset_index())
        else:
            data = mixed_sizes[(mixed_sizes["dimension"] == dim)].dropna(subset=["score"])
        data = data[data["sector"] != "media"]  # 3 respondents < MIN_CELL
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = smf.mixedlm("score ~ C(sector, Treatment('masyarakat_sipil'))", data,
                              groups=data["region_code"]).fit(reml=True)
        rows = out[(out["dimension"] == dim) & out["estimate"].notna()].set_index("sector")
        assert sorted(rows.index) == ["akademisi", "dunia_usaha", "pemerintah"]
        # SEs: GLS (X' V^-1 X)^-1 at statsmodels' REML variance components, V built densely
        # (lme4's vcov; statsmodels' bse inverts the joint Hessian and is ~0.1 % off)
        x = np.asarray(ref.model.exog)
        same = data["region_code"].to_numpy()[:, None] == data["region_code"].to_numpy()[None, :]
        v = ref.scale * np.eye(len(data)) + float(ref.cov_re.iloc[0, 0]) * same
        gls_se = pd.Series(np.sqrt(np.diag(np.linalg.inv(x.T @ np.linalg.solve(v, x)))),
                           index=ref.model.exog_names)
        for s in rows.index:
            name = f"C(sector, Treatment('masyarakat_sipil'))[T.{s}]"
            est, se = ref.params[name], gls_se[name]
            assert rows.loc[s, "estimate"] == pytest.approx(est, abs=1e-6)
            assert rows.loc[s, "se"] == pytest.approx(se, rel=1e-8)
            assert rows.loc[s, "pvalue"] == pytest.approx(2 * stats.norm.sf(abs(est / se)),
                                                          rel=1e-6)
            assert rows.loc[s, "ci_low"] == pytest.approx(est - 1.959963984540054 * se, abs=1e-6)
            assert rows.loc[s, "ci_upp"] == pytest.approx(est + 1.959963984540054 * se, abs=1e-6)
            assert rows.loc[s, "n"] == (data["sector"] == s).sum()
        assert (rows["reference"] == "masyarakat_sipil").all()
    media = out[out["sector"] == "media"]
    assert len(media) == 4 and media["estimate"].isna().all() and media["converged"].isna().all()


def test_default_reference_is_largest_group(mixed_sizes):
    out = sector_effects_model(mixed_sizes)
    assert (out["reference"] == "pemerintah").all()  # 14 respondents, the most
    assert "pemerintah" not in set(out["sector"])
    with pytest.raises(ValueError, match="reference 'swasta'"):
        sector_effects_model(mixed_sizes, reference="swasta")
    with pytest.raises(ValueError, match="region_code"):
        sector_effects_model(mixed_sizes.drop(columns="region_code"))


def test_sector_must_be_constant_within_respondent(mixed_sizes):
    bad = mixed_sizes.copy()
    bad.loc[bad.index[0], "sector"] = "media"
    with pytest.raises(ValueError, match="'sector' varies within respondent"):
        sector_effects_model(bad)


def test_boundary_fit_is_quiet_flagged_and_equals_ols():
    rng = np.random.default_rng(3)
    n = 120
    df = pd.DataFrame({"response_id": np.arange(n), "dimension": "trust",
                       "region_code": rng.choice(["A", "B", "C", "D"], n),
                       "sector": rng.choice(["x", "y"], n)})
    # no region effect at all and a region-balanced design: tau^2 is estimated at zero
    df["score"] = 3 + 0.5 * (df["sector"] == "y") + rng.normal(0, 0.5, n)
    df["score"] -= df.groupby("region_code")["score"].transform("mean") - df["score"].mean()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = sector_effects_model(df, reference="x")
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    row = out[out["dimension"] == "trust"].iloc[0]
    assert "boundary" in row["note"]
    assert bool(row["converged"])
    ols = sm.OLS(df["score"], sm.add_constant((df["sector"] == "y").astype(float))).fit()
    assert row["estimate"] == pytest.approx(ols.params.iloc[1], abs=1e-6)


def test_single_region_gives_note_not_model():
    df = small_scores({"a": 8, "b": 9}, dims=("trust",)).assign(region_code="R1")
    out = sector_effects_model(df, reference="a")
    assert out["estimate"].isna().all()
    assert out["note"].str.contains("fewer than 2 values of 'region_code'").all()


# --------------------------------------------------------------------------------------
# 5. Recovery of the demo generator's planted sector effects
# --------------------------------------------------------------------------------------
def test_mixed_model_recovers_planted_business_effect(demo_scores):
    """dunia_usaha - masyarakat_sipil = -0.45 was planted; it must lie in the 95 % CI.

    For all four planted differences at once the check uses simultaneous (Bonferroni,
    4 intervals) limits: four separate 95 % intervals all cover only ~82 % of the time,
    which would make a correct model fail on one seed in five.
    """
    out = sector_effects_model(demo_scores, reference="masyarakat_sipil")
    assert out["converged"].all() and (out["note"] == "").all()
    overall = out[(out["dimension"] == "overall")].set_index("sector")
    biz = overall.loc["dunia_usaha"]
    assert biz["ci_low"] < SECTOR_EFFECTS["dunia_usaha"] < biz["ci_upp"]
    assert biz["ci_upp"] < 0 and biz["pvalue"] < 0.001
    z_sim = stats.norm.ppf(1 - 0.05 / (2 * 4))
    for s, eff in SECTOR_EFFECTS.items():
        if s != "masyarakat_sipil":
            est, se = overall.loc[s, "estimate"], overall.loc[s, "se"]
            assert abs(est - eff) < z_sim * se, (s, est, se)
    # the business sector is the lowest sector in every dimension
    per_dim = out[out["dimension"] != "overall"]
    lowest = per_dim.loc[per_dim.groupby("dimension", observed=True)["estimate"].idxmin(),
                         "sector"]
    assert (lowest == "dunia_usaha").all()


def test_pairwise_flags_business_vs_government(demo_scores):
    out = pairwise_sector_tests(demo_scores)
    pair = out[(out["group_a"] == "dunia_usaha") & (out["group_b"] == "pemerintah")]
    assert len(pair) == len(DIMENSIONS)
    assert pair["significant"].all()
    assert (pair["mean_diff"] < 0).all() and (pair["rb_ci_upp"] < 0).all()
    assert (pair["g_ci_upp"] < 0).all()
    diff = sector_differences(demo_scores, n_boot=200)
    assert (diff["pvalue"] < 0.05).all() and (diff["groups_too_small"] == "").all()


# --------------------------------------------------------------------------------------
# 3b. Ordinal model
# --------------------------------------------------------------------------------------
CUTS = [-2.0, -0.7, 0.6, 2.0]


def _ordinal_items(beta: dict[str, float], n_per: dict[str, int], *, respondent_sd: float,
                   n_items: int = 4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    rid = 0
    for s, n in n_per.items():
        for _ in range(n):
            rid += 1
            u = rng.normal(0, respondent_sd) if respondent_sd else 0.0
            latent = beta[s] + u + rng.logistic(size=n_items)
            for j, y in enumerate(np.digitize(latent, CUTS) + 1):
                rows.append((f"r{rid}", s, f"item{j}", int(y)))
    return pd.DataFrame(rows, columns=["response_id", "sector", "item", "response"])


def test_ordinal_model_recovers_known_log_odds():
    """Known log-odds ratios -0.8 and 0.5, recovered over 12 replicate data sets.

    A single data set would pass or fail on the luck of one seed; with 12 replicates the
    mean estimate must lie within 3 Monte-Carlo SE of the truth (unbiasedness), and at
    least 10 of 12 95 % intervals must cover (P(<= 9 of 12) = 0.2 % for a correct
    interval).
    """
    beta = {"masyarakat_sipil": 0.0, "dunia_usaha": -0.8, "pemerintah": 0.5, "media": 0.0}
    est = {"dunia_usaha": [], "pemerintah": []}
    cover = {"dunia_usaha": 0, "pemerintah": 0}
    reps = 12
    for seed in range(reps):
        items = _ordinal_items(beta, {"masyarakat_sipil": 200, "dunia_usaha": 150,
                                      "pemerintah": 150, "media": 3},
                               respondent_sd=0.0, seed=seed)
        out = ordinal_sector_model(items, reference="masyarakat_sipil")
        rows = out.set_index("sector")
        for s in est:
            r = rows.loc[s]
            est[s].append(r["log_odds"])
            cover[s] += r["ci_low"] < beta[s] < r["ci_upp"]
            assert r["se"] < 0.12  # 600 answers per sector: an informative interval
            assert r["cov_type"] == "cluster" and bool(r["converged"])
    for s, values in est.items():
        values = np.array(values)
        assert abs(values.mean() - beta[s]) < 3 * values.std(ddof=1) / math.sqrt(reps), s
        assert cover[s] >= 10, s
    assert list(out.columns) == ORDINAL_COLUMNS
    r = rows.loc["dunia_usaha"]
    assert r["odds_ratio"] == pytest.approx(math.exp(r["log_odds"]))
    assert (r["or_ci_low"], r["or_ci_upp"]) == pytest.approx(
        (math.exp(r["ci_low"]), math.exp(r["ci_upp"])))
    assert r["n_respondents"] == 150 and r["n_responses"] == 600
    assert np.isnan(rows.loc["media", "log_odds"]) and "3 < 5" in rows.loc["media", "note"]


def test_ordinal_cluster_se_is_the_respondent_sandwich():
    beta = {"a": 0.0, "b": -0.8, "c": 0.5}
    items = _ordinal_items(beta, {"a": 50, "b": 50, "c": 50}, respondent_sd=1.0, seed=5)
    out = ordinal_sector_model(items, reference="a").set_index("sector")
    # hand-made sandwich: H^-1 (sum_g s_g s_g') H^-1 * G/(G-1) * (N-1)/(N-K)
    exog = pd.DataFrame({"b": (items["sector"] == "b") * 1.0, "c": (items["sector"] == "c") * 1.0})
    endog = pd.Series(pd.Categorical(items["response"], ordered=True))
    model = OrderedModel(endog, exog, distr="logit")
    plain = model.fit(method="bfgs", disp=False, maxiter=1000)
    params = plain.params.to_numpy()
    score = pd.DataFrame(model.score_obs(params)).groupby(items["response_id"].to_numpy()).sum()
    h_inv = np.linalg.inv(model.hessian(params))
    n_obs, k, g = len(items), params.size, items["response_id"].nunique()
    cov = h_inv @ (score.to_numpy().T @ score.to_numpy()) @ h_inv * g / (g - 1) \
        * (n_obs - 1) / (n_obs - k)
    se = np.sqrt(np.diag(cov))
    assert out.loc["b", "log_odds"] == pytest.approx(plain.params["b"], abs=1e-6)
    assert out.loc["b", "se"] == pytest.approx(se[0], rel=1e-4)
    assert out.loc["c", "se"] == pytest.approx(se[1], rel=1e-4)
    # answers of one respondent are correlated: the robust SE is larger than the naive one
    assert out.loc["b", "se"] > 1.1 * plain.bse["b"]


def test_ordinal_model_input_errors():
    items = _ordinal_items({"a": 0.0, "b": 0.3}, {"a": 10, "b": 10}, respondent_sd=0.0)
    with pytest.raises(ValueError, match="integer"):
        ordinal_sector_model(items.assign(response=items["response"] + 0.5))
    with pytest.raises(ValueError, match="'item'"):
        ordinal_sector_model(items.drop(columns="item"))
    with pytest.raises(ValueError, match="two answer categories"):
        ordinal_sector_model(items.assign(response=3))
    bad = items.copy()
    bad.loc[bad.index[0], "sector"] = "b"
    with pytest.raises(ValueError, match="varies within respondent"):
        ordinal_sector_model(bad)


# --------------------------------------------------------------------------------------
# 4. Region shrinkage
# --------------------------------------------------------------------------------------
TAU, SIGMA = 0.4, 0.8
TRUE_ICC = TAU**2 / (TAU**2 + SIGMA**2)  # 0.2


@pytest.fixture(scope="module")
def synthetic_regions():
    """40 regions with unequal sizes (2..60), known region means."""
    rng = np.random.default_rng(2024)
    sizes = np.concatenate([[2, 3, 3, 4, 5, 5, 6, 8], rng.integers(10, 61, 32)])
    truth = 3.3 + rng.normal(0, TAU, sizes.size)
    codes = [f"R{j:02d}" for j in range(sizes.size)]
    region = np.repeat(codes, sizes)
    score = np.repeat(truth, sizes) + rng.normal(0, SIGMA, sizes.sum())
    data = pd.DataFrame({"region_code": region, "score": score})
    return data, pd.Series(truth, index=codes)


@pytest.fixture(scope="module")
def shrinkage(synthetic_regions):
    data, _ = synthetic_regions
    return region_shrinkage(data, n_boot=1000, seed=1)


def test_blups_equal_closed_form(synthetic_regions, shrinkage):
    table, fit = shrinkage
    assert list(table.columns) == SHRINKAGE_COLUMNS
    assert isinstance(fit, ShrinkageFit) and fit.converged and not fit.boundary
    assert fit.n == len(synthetic_regions[0]) and fit.n_regions == 40
    lam = fit.tau2 / (fit.tau2 + fit.sigma2 / table["n"])
    np.testing.assert_allclose(table["shrinkage_weight"], lam, rtol=1e-12)
    closed = fit.grand_mean + lam * (table["raw_mean"] - fit.grand_mean)
    np.testing.assert_allclose(table["shrunken"], closed, rtol=0, atol=1e-9)
    assert fit.icc == pytest.approx(fit.tau2 / (fit.tau2 + fit.sigma2))


def test_shrunken_se_equals_henderson_prediction_error_variance(synthetic_regions, shrinkage):
    """SE of mu + u_j from the inverse of Henderson's mixed-model equations."""
    data, _ = synthetic_regions
    table, fit = shrinkage
    codes = pd.Categorical(data["region_code"], categories=table["region_code"]).codes
    n, j = len(data), len(table)
    x = np.ones((n, 1))
    z = np.zeros((n, j))
    z[np.arange(n), codes] = 1
    c = np.block([[x.T @ x, x.T @ z], [z.T @ x, z.T @ z + np.eye(j) * fit.sigma2 / fit.tau2]])
    c_inv = np.linalg.inv(c) * fit.sigma2
    contrast = np.hstack([np.ones((j, 1)), np.eye(j)])  # mu + u_j
    pev = np.einsum("ij,jk,ik->i", contrast, c_inv, contrast)
    # statsmodels' random_effects_cov is computed at its own tolerance: 1e-6
    np.testing.assert_allclose(table["shrunken_se"], np.sqrt(pev), rtol=1e-6)
    assert fit.grand_mean_se == pytest.approx(math.sqrt(c_inv[0, 0]), rel=1e-10)
    z95 = stats.norm.ppf(0.975)
    np.testing.assert_allclose(table["shrunken_ci_upp"] - table["shrunken"],
                               z95 * table["shrunken_se"], rtol=1e-12)


def test_icc_recovers_truth(shrinkage):
    """Known tau = 0.4, sigma = 0.8 (ICC 0.2), 40 regions, ~1 100 respondents.

    Tolerances are the sampling error of this design, not guesses: the 95 % bootstrap
    interval must cover 0.2 and be narrower than 0.25 (so covering is not trivial);
    sigma^2 within 3 SE, SE = sigma^2 sqrt(2/(N-J)) ~ 0.028; tau^2 within 3 SE of the
    usual large-sample SE sqrt(2/J) (tau^2 + sigma^2/n_bar) ~ 0.04.
    """
    table, fit = shrinkage
    assert fit.icc_ci_low < TRUE_ICC < fit.icc_ci_upp
    assert fit.icc_ci_upp - fit.icc_ci_low < 0.25
    assert fit.icc_ci_low < fit.icc < fit.icc_ci_upp
    n, j = fit.n, fit.n_regions
    se_sigma2 = SIGMA**2 * math.sqrt(2 / (n - j))
    assert abs(fit.sigma2 - SIGMA**2) < 3 * se_sigma2
    se_tau2 = math.sqrt(2 / j) * (TAU**2 + SIGMA**2 / (n / j))
    assert abs(fit.tau2 - TAU**2) < 3 * se_tau2


def test_small_regions_shrink_more(shrinkage):
    table, fit = shrinkage
    by_n = table.sort_values("n")
    assert by_n["shrinkage_weight"].is_monotonic_increasing
    assert table["shrinkage_weight"].between(0, 1).all()
    dist_raw = (table["raw_mean"] - fit.grand_mean).abs()
    dist_shr = (table["shrunken"] - fit.grand_mean).abs()
    assert (dist_shr <= dist_raw + 1e-12).all()
    ratio = dist_shr / dist_raw
    np.testing.assert_allclose(ratio, table["shrinkage_weight"], rtol=1e-8)
    smallest, largest = by_n.iloc[0], by_n.iloc[-1]
    assert smallest["shrinkage_weight"] < 0.3 < 0.8 < largest["shrinkage_weight"]


def test_partial_pooling_beats_raw_means(synthetic_regions, shrinkage):
    """Shrunken means are closer to the true region means, and their SEs are honest.

    Standardised errors (shrunken - truth) / se over 40 regions: their mean square is
    ~ chi2_40 / 40 (mean 1, SD 0.22), so it must lie in 1 +- 2 SD; at least 35 of 40
    intervals must cover (P(<= 34 of 40) = 1.4 % for a correct 95 % interval).
    """
    _, truth = synthetic_regions
    table, _ = shrinkage
    t = truth.loc[table["region_code"]].to_numpy()
    mse_raw = np.mean((table["raw_mean"] - t) ** 2)
    mse_shr = np.mean((table["shrunken"] - t) ** 2)
    assert mse_shr < mse_raw
    z = (table["shrunken"] - t) / table["shrunken_se"]
    assert 1 - 2 * 0.224 < np.mean(z**2) < 1 + 2 * 0.224
    covered = (table["shrunken_ci_low"] < t) & (t < table["shrunken_ci_upp"])
    assert covered.sum() >= 35


def test_raw_interval_is_student_t(synthetic_regions, shrinkage):
    data, _ = synthetic_regions
    table, _ = shrinkage
    for r in table.iloc[[0, 5, 20]].itertuples():
        est = mean_ci(data.loc[data["region_code"] == r.region_code, "score"])
        assert (r.raw_mean, r.raw_ci_low, r.raw_ci_upp) == pytest.approx(
            (est.estimate, est.ci_low, est.ci_upp))


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")
def test_profile_reml_matches_mixedlm_and_icc_matches_anova_on_balanced_data():
    rng = np.random.default_rng(9)
    j, k = 12, 8
    y = np.repeat(rng.normal(0, 0.5, j), k) + rng.normal(0, 1, j * k)
    df = pd.DataFrame({"region_code": np.repeat([f"R{i}" for i in range(j)], k),
                       "rater": np.tile(np.arange(k), j), "score": y})
    _, fit = region_shrinkage(df, n_boot=0)
    assert math.isnan(fit.icc_ci_low)
    # balanced one-way design: REML = ANOVA estimator, i.e. ICC(1) of Shrout & Fleiss
    icc1 = pg.intraclass_corr(df, targets="region_code", raters="rater", ratings="score")
    icc1 = float(icc1.loc[icc1["Type"] == "ICC(1,1)", "ICC"].iloc[0])
    assert icc1 > 0
    assert fit.icc == pytest.approx(icc1, abs=1e-5)
    # and the profile-REML search used by the bootstrap finds MixedLM's optimum
    sizes = np.full(j, k)
    ybar = y.reshape(j, k).mean(axis=1)
    within = ((y.reshape(j, k) - ybar[:, None]) ** 2).sum()
    assert _reml_icc(ybar[None], np.array([within]), sizes)[0] == pytest.approx(icc1, abs=1e-6)


def test_profile_reml_matches_mixedlm_unbalanced(synthetic_regions, shrinkage):
    data, _ = synthetic_regions
    table, fit = shrinkage
    g = data.groupby("region_code")["score"]
    ybar = g.mean().to_numpy()
    within = float((g.transform(lambda s: s - s.mean()) ** 2).sum())
    assert _reml_icc(ybar[None], np.array([within]), g.size().to_numpy())[0] == pytest.approx(
        fit.icc, abs=1e-5)


def test_shrinkage_accepts_long_scores_and_is_deterministic(demo_scores):
    table, fit = region_shrinkage(demo_scores, n_boot=200, seed=3)
    per_resp = demo_scores.groupby("response_id").agg(
        region_code=("region_code", "first"), score=("score", "mean"))
    table2, fit2 = region_shrinkage(per_resp, n_boot=200, seed=3)
    pd.testing.assert_frame_equal(table, table2)
    assert fit == fit2
    assert len(table) == 16 and table["n"].sum() == fit.n == per_resp.shape[0]
    small = table.set_index("region_code").loc["96.02"]
    assert small["n"] == 12
    assert small["shrinkage_weight"] == table["shrinkage_weight"].min()
    assert fit.to_frame().shape == (1, len(fit.__dict__))


def test_shrinkage_boundary_and_single_respondent_region():
    rng = np.random.default_rng(0)
    sizes = [1, 6, 8, 10, 12]
    df = pd.DataFrame({"region_code": np.repeat(["A", "B", "C", "D", "E"], sizes),
                       "score": rng.normal(3, 0.7, sum(sizes))})
    df["score"] -= df.groupby("region_code")["score"].transform("mean") - 3.0  # tau^2 = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table, fit = region_shrinkage(df, n_boot=200)
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert fit.boundary and fit.icc < 1e-4 and fit.icc_ci_low == 0 and fit.converged
    assert (table["shrinkage_weight"] < 1e-3).all()
    np.testing.assert_allclose(table["shrunken"], fit.grand_mean, atol=1e-3)
    one = table.set_index("region_code").loc["A"]
    assert np.isnan(one["raw_ci_low"]) and np.isfinite(one["shrunken_ci_low"])


def test_shrinkage_errors():
    with pytest.raises(ValueError, match="at least 2 regions"):
        region_shrinkage(pd.DataFrame({"region_code": ["A"] * 5, "score": np.arange(5.0)}))
    with pytest.raises(ValueError, match="'region_code'"):
        region_shrinkage(pd.DataFrame({"region": ["A"] * 5, "score": np.arange(5.0)}))
    with pytest.raises(ValueError, match="response_id"):
        region_shrinkage(pd.DataFrame({"region_code": ["A"], "dimension": ["t"], "score": [1.0]}))


def test_no_pooling_is_the_raw_mean_with_its_t_interval():
    from scipy import stats as sps

    from evalkit.measure.models import no_pooling

    y = np.array([2.0, 3.5, 4.0, 3.0, 2.5, 4.5])
    table, fit = no_pooling(pd.DataFrame({"region_code": ["A"] * 6, "score": y}), ci=0.9)
    lo, hi = sps.t.interval(0.9, 5, loc=y.mean(), scale=sps.sem(y))
    row = table.iloc[0]
    assert row["raw_mean"] == pytest.approx(y.mean()) and row["shrunken"] == row["raw_mean"]
    assert (row["raw_ci_low"], row["raw_ci_upp"]) == pytest.approx((lo, hi))
    assert (row["shrunken_ci_low"], row["shrunken_ci_upp"]) == pytest.approx((lo, hi))
    assert row["shrinkage_weight"] == 1.0 and fit.n_regions == 1 and fit.n == 6
    assert np.isnan(fit.icc) and np.isnan(fit.tau2)
    assert fit.sigma2 == pytest.approx(y.var(ddof=1))
    with pytest.raises(ValueError, match="region_shrinkage"):
        no_pooling(pd.DataFrame({"region_code": ["A", "B", "B"], "score": [1.0, 2.0, 3.0]}))
