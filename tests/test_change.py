"""Tests for evalkit.measure.change: per-wave means, the panel-aware change, Holm.

References: statsmodels WLS with cluster-robust covariance (same point estimate; its SE
carries an extra small-sample factor sqrt((N-1)/(N-K)) over the survey estimator), R
``survey::svyglm`` on lme4's ``sleepstudy`` (values typed in, R call beside them),
statsmodels ``multipletests(method="holm")``, and simulated panels with known change.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from evalkit.measure.change import (
    WAVE_MEANS_COLUMNS,
    ChangeEstimate,
    holm,
    wave_change,
    wave_means,
)
from evalkit.measure.survey import weighted_mean


# --------------------------------------------------------------------------------------
# Fixtures: an own-data panel (labels, ids and columns unlike the demo's)
# --------------------------------------------------------------------------------------
def make_panel(seed: int, *, n: int = 60, stay: float = 0.7, delta: float = 0.3,
               person_sd: float = 0.6, noise_sd: float = 0.8, items: int = 5,
               weights: bool = False) -> pd.DataFrame:
    """Two waves ``"Gelombang 1"``/``"Gelombang 2"``: ``stay`` of wave 1 answer again,
    new respondents join so that wave 2 also has ``n``; score = person effect + mean of
    ``items`` noisy items + ``delta`` in wave 2."""
    rng = np.random.default_rng(seed)
    n_stay = round(stay * n)
    ids_1 = np.arange(n)
    ids_2 = np.r_[rng.choice(ids_1, n_stay, replace=False), np.arange(n, 2 * n - n_stay)]
    person = rng.normal(0.0, person_sd, 2 * n - n_stay)
    ids = np.r_[ids_1, ids_2]
    wave = np.r_[np.repeat("Gelombang 1", n), np.repeat("Gelombang 2", n)]
    noise = rng.normal(0.0, noise_sd, (2 * n, items)).mean(axis=1)
    score = 3.0 + person[ids] + noise + np.where(wave == "Gelombang 2", delta, 0.0)
    out = pd.DataFrame({"resp": [f"R-{i:03d}" for i in ids], "gel": wave, "skor": score})
    if weights:
        out["bobot"] = rng.uniform(0.4, 2.5, 2 * n)
    return out


@pytest.fixture
def panel() -> pd.DataFrame:
    return make_panel(11, weights=True)


def statsmodels_change(data: pd.DataFrame, weight: str | None) -> tuple[float, float]:
    # statsmodels: WLS(y, [1, to], weights=w).fit(cov_type="cluster", cov_kwds={"groups": g})
    y = data["skor"].to_numpy()
    x = sm.add_constant((data["gel"] == "Gelombang 2").to_numpy(dtype=float))
    w = np.ones(len(data)) if weight is None else data[weight].to_numpy()
    groups = pd.factorize(data["resp"])[0]
    fit = sm.WLS(y, x, weights=w).fit(cov_type="cluster", cov_kwds={"groups": groups})
    return float(fit.params[1]), float(fit.bse[1])


# --------------------------------------------------------------------------------------
# Reference: statsmodels cluster-robust WLS
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("weight", [None, "bobot"])
def test_change_matches_statsmodels_cluster_wls(panel, weight):
    res = wave_change(panel, from_wave="Gelombang 1", to_wave="Gelombang 2", y="skor",
                      wave="gel", weight=weight, cluster="resp")
    coef, bse = statsmodels_change(panel, weight)
    n_rows, k = len(panel), 2
    assert res.estimate == pytest.approx(coef, abs=1e-10)
    # statsmodels' cluster SE = survey SE * sqrt((N-1)/(N-K)) (its extra small-sample factor)
    assert bse == pytest.approx(res.se * math.sqrt((n_rows - 1) / (n_rows - k)), rel=1e-8)
    assert res.estimate == pytest.approx(res.mean_to - res.mean_from, abs=1e-12)
    assert (res.n_from, res.n_to, res.n_both, res.clusters) == (60, 60, 42, 78)
    assert res.df == 77
    q = stats.t.ppf(0.975, 77)
    assert res.ci_low == pytest.approx(res.estimate - q * res.se, abs=1e-12)
    assert res.ci_upp == pytest.approx(res.estimate + q * res.se, abs=1e-12)
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(res.estimate / res.se), 77), rel=1e-12)


def test_panel_covariance_is_counted(panel):
    # Without the shared clusters the SE must change: ignoring the panel is a different SE.
    panel_se = wave_change(panel, from_wave="Gelombang 1", to_wave="Gelombang 2", y="skor",
                           wave="gel", cluster="resp").se
    naive_se = wave_change(panel, from_wave="Gelombang 1", to_wave="Gelombang 2", y="skor",
                           wave="gel", cluster=None).se
    assert naive_se > 1.2 * panel_se


def test_weighted_means_are_hajek_per_wave(panel):
    res = wave_change(panel, from_wave="Gelombang 1", to_wave="Gelombang 2", y="skor",
                      wave="gel", weight="bobot", cluster="resp")
    for label, got in (("Gelombang 1", res.mean_from), ("Gelombang 2", res.mean_to)):
        part = panel[panel["gel"] == label]
        assert got == pytest.approx(np.average(part["skor"], weights=part["bobot"]), abs=1e-12)
    # Rescaling one wave's weights (each wave's post-stratification normalised apart)
    # changes nothing.
    scaled = panel.assign(bobot=np.where(panel["gel"] == "Gelombang 2", 7.0, 1.0) * panel["bobot"])
    again = wave_change(scaled, from_wave="Gelombang 1", to_wave="Gelombang 2", y="skor",
                        wave="gel", weight="bobot", cluster="resp")
    assert again.estimate == pytest.approx(res.estimate, abs=1e-12)
    assert again.se == pytest.approx(res.se, rel=1e-10)


def test_reverse_direction_and_other_waves_ignored(panel):
    kw = dict(y="skor", wave="gel", weight="bobot", cluster="resp")
    fwd = wave_change(panel, from_wave="Gelombang 1", to_wave="Gelombang 2", **kw)
    back = wave_change(panel, from_wave="Gelombang 2", to_wave="Gelombang 1", **kw)
    assert back.estimate == pytest.approx(-fwd.estimate, abs=1e-12)
    assert back.se == pytest.approx(fwd.se, rel=1e-12)
    third = make_panel(5, weights=True).assign(gel="Gelombang 3", resp=lambda d: d["resp"] + "x")
    more = wave_change(pd.concat([panel, third], ignore_index=True),
                       from_wave="Gelombang 1", to_wave="Gelombang 2", **kw)
    assert more == fwd


# --------------------------------------------------------------------------------------
# R survey::svyglm on lme4's sleepstudy (a public panel: 18 subjects, Days 0-9)
# --------------------------------------------------------------------------------------
SLEEP_SUBJECTS = [308, 309, 310, 330, 331, 332, 333, 334, 335, 337,
                  349, 350, 351, 352, 369, 370, 371, 372]
# R: with(lme4::sleepstudy, Reaction[Days == 0])  /  Reaction[Days == 9], by Subject
SLEEP_DAY0 = [249.5600, 222.7339, 199.0539, 321.5426, 287.6079, 234.8606, 283.8424,
              265.4731, 241.6083, 312.3666, 236.1032, 256.2968, 250.5265, 221.6771,
              271.9235, 225.2640, 269.8804, 269.4117]
SLEEP_DAY9 = [466.3535, 237.3142, 247.5153, 354.0487, 371.5811, 253.8644, 362.0428,
              377.2990, 237.2466, 458.9167, 351.6451, 389.0527, 347.5655, 388.5417,
              366.5131, 372.2288, 369.4692, 364.1236]
# Typed weights for the weighted version: w = 1 + (Subject %% 7) / 2 (in R the same).
SLEEP_UNBALANCED_DROP = [309, 335, 352, 371]  # their Days == 9 rows are dropped


def sleepstudy(weights: bool = False, drop: list[int] | None = None) -> pd.DataFrame:
    rows = pd.DataFrame({
        "Subject": SLEEP_SUBJECTS * 2,
        "Days": [0] * 18 + [9] * 18,
        "Reaction": SLEEP_DAY0 + SLEEP_DAY9,
    })
    if drop:
        rows = rows[~((rows["Days"] == 9) & rows["Subject"].isin(drop))]
    if weights:
        rows = rows.assign(w=1 + (rows["Subject"] % 7) / 2)
    return rows.reset_index(drop=True)


# library(survey); data(sleepstudy, package = "lme4")
# d <- subset(sleepstudy, Days %in% c(0, 9))
# fit <- function(dd, ...) summary(svyglm(Reaction ~ factor(Days),
#                                         svydesign(ids = ~Subject, data = dd, ...)))
# du <- subset(d, !(Days == 9 & Subject %in% c(309, 335, 352, 371)))
# du$w <- 1 + (as.integer(as.character(du$Subject)) %% 7) / 2
# R 4.2.2, survey 4.1.1: coefficient and Std. Error of factor(Days)9
R_SVYGLM = {
    "balanced": (94.19941667, 13.538988978),     # fit(d)
    "unbalanced": (106.4017873, 13.988023491),   # fit(du)
    "weighted": (103.5451934, 11.375378228),     # fit(du, weights = ~w)
}


@pytest.mark.parametrize("case", ["balanced", "unbalanced", "weighted"])
def test_change_matches_r_svyglm_on_sleepstudy(case):
    coef, se = R_SVYGLM[case]
    data = sleepstudy(weights=case == "weighted",
                      drop=SLEEP_UNBALANCED_DROP if case != "balanced" else None)
    res = wave_change(data, from_wave=0, to_wave=9, y="Reaction", wave="Days",
                      weight="w" if case == "weighted" else None, cluster="Subject")
    assert res.estimate == pytest.approx(coef, abs=1e-3)
    assert res.se == pytest.approx(se, abs=1e-3)
    assert res.clusters == 18
    assert res.n_both == 18 - (0 if case == "balanced" else len(SLEEP_UNBALANCED_DROP))


# --------------------------------------------------------------------------------------
# Simulated panels with known change
# --------------------------------------------------------------------------------------
SEEDS = range(400)


def simulate(delta: float) -> pd.DataFrame:
    rows = []
    for seed in SEEDS:
        data = make_panel(1000 + seed, n=120, delta=delta)
        kw = dict(from_wave="Gelombang 1", to_wave="Gelombang 2", y="skor", wave="gel")
        panel = wave_change(data, cluster="resp", **kw)
        naive = wave_change(data, cluster=None, **kw)
        rows.append({"est": panel.estimate, "low": panel.ci_low, "upp": panel.ci_upp,
                     "p": panel.p_value, "se": panel.se, "naive_se": naive.se,
                     "naive_low": naive.ci_low, "naive_upp": naive.ci_upp})
    return pd.DataFrame(rows)


def test_simulated_panel_coverage_and_recovery():
    delta = 0.25
    sim = simulate(delta)
    covered = ((sim["low"] <= delta) & (delta <= sim["upp"])).mean()
    assert 0.92 <= covered <= 0.98
    # the estimate recovers delta (mean over seeds within 3 Monte Carlo SEs)
    assert abs(sim["est"].mean() - delta) < 3 * sim["est"].std() / math.sqrt(len(sim))
    # the SE estimates the spread of the estimates across seeds
    assert sim["se"].mean() == pytest.approx(sim["est"].std(), rel=0.1)
    # Theory: person variance 0.36, item noise 0.64/5, n = 120 per wave, 84 in both:
    # Var(naive) = 2 * 0.488 / 120; Cov of the two means = 84 * 0.36 / 120**2, so
    # Var(panel) / Var(naive) = 1 - 2 Cov / Var(naive) = 0.4836: ratio of SEs ~ 0.695.
    # Ignoring the clustering overstates the SE (positive within-person correlation).
    ratio = (sim["se"] / sim["naive_se"]).mean()
    assert ratio == pytest.approx(math.sqrt(1 - 2 * 84 * 0.36 / 120**2 / (2 * 0.488 / 120)),
                                  abs=0.03)
    naive_covered = ((sim["naive_low"] <= delta) & (delta <= sim["naive_upp"])).mean()
    assert naive_covered > 0.985  # the naive interval is too wide


def test_simulated_no_change_false_positive_rate():
    sim = simulate(0.0)
    assert (sim["p"] < 0.05).mean() <= 0.08
    # and the p-values are roughly uniform, not all near 1 (the test must be able to fire)
    assert (sim["p"] < 0.5).mean() == pytest.approx(0.5, abs=0.08)


# --------------------------------------------------------------------------------------
# wave_means
# --------------------------------------------------------------------------------------
def test_wave_means_equal_weighted_mean_design_df(panel):
    data = panel.copy()
    data.loc[[3, 70], "skor"] = np.nan  # missing values: domain estimation, as the report
    out = wave_means(data, y="skor", wave="gel", weight="bobot", cluster="resp")
    assert list(out.columns) == list(WAVE_MEANS_COLUMNS)
    assert out["wave"].tolist() == ["Gelombang 1", "Gelombang 2"]
    for row in out.itertuples():
        ref = weighted_mean(data[data["gel"] == row.wave], "skor", weight="bobot", df="design")
        assert (row.estimate, row.se, row.ci_low, row.ci_upp, row.nobs) == pytest.approx(
            (ref.estimate, ref.se, ref.ci_low, ref.ci_upp, ref.nobs), abs=1e-12)
    assert out["nobs"].tolist() == [59, 59]


def test_wave_means_order_missing_cluster_and_small_wave():
    data = pd.DataFrame({
        "periode": pd.Categorical(["2025-Q4", "2025-Q3", "2025-Q4", "2025-Q3", "2026-Q1"],
                                  categories=["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]),
        "nilai": [4.0, 2.0, 5.0, 3.0, 1.0],
        "pid": ["a", None, None, "a", "b"],
    })
    out = wave_means(data, y="nilai", wave="periode", cluster="pid")
    assert out["wave"].tolist() == ["2025-Q3", "2025-Q4", "2026-Q1"]
    assert out["estimate"].tolist() == [2.5, 4.5, 1.0]
    assert out["nobs"].tolist() == [2, 2, 1]
    # two values: se = sd / sqrt(2) = 0.5; t interval with 1 df
    assert out["se"].iloc[0] == pytest.approx(0.5)
    assert out["ci_upp"].iloc[0] == pytest.approx(2.5 + stats.t.ppf(0.975, 1) * 0.5)
    assert math.isnan(out["se"].iloc[2]) and math.isnan(out["ci_low"].iloc[2])


def test_wave_means_empty():
    out = wave_means(pd.DataFrame({"wave": pd.Series([], dtype=str),
                                   "score": pd.Series([], dtype=float),
                                   "respondent_id": pd.Series([], dtype=str)}))
    assert out.empty and list(out.columns) == list(WAVE_MEANS_COLUMNS)


# --------------------------------------------------------------------------------------
# wave_change: edge cases and errors
# --------------------------------------------------------------------------------------
def test_missing_cluster_is_its_own_cluster(panel):
    kw = dict(from_wave="Gelombang 1", to_wave="Gelombang 2", y="skor", wave="gel")
    data = panel.copy()
    data.loc[data.index[:10], "resp"] = None  # ten wave-1 rows without an id
    fresh = panel.copy()
    fresh.loc[fresh.index[:10], "resp"] = [f"new-{i}" for i in range(10)]
    assert wave_change(data, cluster="resp", **kw) == wave_change(fresh, cluster="resp", **kw)


def test_missing_y_rows_do_not_enter_the_means(panel):
    kw = dict(from_wave="Gelombang 1", to_wave="Gelombang 2", y="skor", wave="gel",
              cluster="resp")
    base = wave_change(panel, **kw)
    # a missing value of a respondent who also answered the other wave changes nothing
    in_both = panel["resp"].duplicated(keep=False) & (panel["gel"] == "Gelombang 2")
    row = panel.index[in_both][0]
    extra = panel.loc[[row]].assign(gel="Gelombang 1", skor=np.nan)
    other = panel[~((panel["resp"] == panel.at[row, "resp"]) & (panel["gel"] == "Gelombang 1"))]
    with_missing = wave_change(pd.concat([other, extra]), **kw)
    dropped = wave_change(other, **kw)
    assert with_missing.estimate == pytest.approx(dropped.estimate, abs=1e-12)
    assert with_missing.se == pytest.approx(dropped.se, rel=1e-12)
    assert with_missing.n_from == dropped.n_from == 59
    # the estimate is the same as on the rows with values
    assert base.estimate == pytest.approx(wave_change(panel.dropna(), **kw).estimate)


def test_missing_y_row_of_a_new_respondent_keeps_its_place_in_the_design(panel):
    # As R svyglm/svymean on a design with NA in y: the row stays a sampled cluster
    # (z = 0), so n/(n-1) becomes (n+1)/n, while df counts the clusters with values.
    kw = dict(from_wave="Gelombang 1", to_wave="Gelombang 2", y="skor", wave="gel",
              cluster="resp")
    base = wave_change(panel, **kw)
    extra = pd.DataFrame({"resp": ["R-999"], "gel": ["Gelombang 2"], "skor": [np.nan]})
    more = wave_change(pd.concat([panel, extra], ignore_index=True), **kw)
    n = base.clusters
    assert more.estimate == pytest.approx(base.estimate, abs=1e-12)
    assert more.se == pytest.approx(base.se * math.sqrt((n + 1) * (n - 1) / n**2), rel=1e-12)
    assert (more.clusters, more.df, more.n_to) == (base.clusters, base.df, base.n_to)


def test_rows_of_other_waves_are_not_checked(panel):
    kw = dict(from_wave="Gelombang 1", to_wave="Gelombang 2", y="skor", wave="gel",
              cluster="resp", weight="bobot")
    base = wave_change(panel, **kw)
    other = pd.DataFrame({"resp": ["R-001", None], "gel": ["2026", None],
                          "skor": [1.0, 2.0], "bobot": [np.nan, -1.0]})
    data = pd.concat([panel, other], ignore_index=True)
    assert wave_change(data, **kw) == base
    # wave_means checks the rows of every labelled wave, not rows without a wave
    means_kw = dict(y="skor", wave="gel", weight="bobot", cluster="resp")
    with pytest.raises(ValueError, match="missing, infinite or negative"):
        wave_means(data, **means_kw)
    unlabelled_only = data[data["gel"] != "2026"]
    assert wave_means(unlabelled_only, **means_kw).equals(wave_means(panel, **means_kw))


def test_one_cluster_gives_no_interval():
    data = pd.DataFrame({"wave": ["a", "a", "b", "b"], "score": [1.0, 2.0, 2.0, 4.0],
                         "respondent_id": ["p"] * 4})
    res = wave_change(data, from_wave="a", to_wave="b")
    assert res.estimate == pytest.approx(1.5)
    assert res.clusters == 1 and res.df == 0
    assert math.isnan(res.ci_low) and math.isnan(res.p_value)


def test_result_fields():
    data = pd.DataFrame({"wave": ["x", "x", "y", "y"], "score": [1.0, 2.0, 2.0, 3.0],
                         "respondent_id": ["p", "q", "p", "q"]})
    res = wave_change(data, from_wave="x", to_wave="y")
    assert isinstance(res, ChangeEstimate)
    # every respondent up by exactly 1: the panel difference has no variance at all
    assert res.estimate == pytest.approx(1.0)
    assert res.se == pytest.approx(0.0, abs=1e-12)
    assert res.p_value == 0.0
    assert (res.n_from, res.n_to, res.n_both, res.clusters, res.df) == (2, 2, 2, 2, 1.0)


@pytest.mark.parametrize(("from_wave", "to_wave", "match"), [
    ("2025-H1", "2025-H1", "same wave"),
    ("2025-H1", "2025-H3", "'2025-H3' has 0 row"),
    ("2025-H1", "2025-H2", "'2025-H2' has 1 row"),
])
def test_errors_name_the_wave(from_wave, to_wave, match):
    data = pd.DataFrame({"wave": ["2025-H1", "2025-H1", "2025-H2", "2025-H2"],
                         "score": [1.0, 2.0, 2.0, np.nan],
                         "respondent_id": ["p", "q", "p", "q"]})
    with pytest.raises(ValueError, match=match):
        wave_change(data, from_wave=from_wave, to_wave=to_wave)


def test_errors_columns_and_weights():
    data = pd.DataFrame({"wave": ["a", "a", "b", "b"], "score": [1.0, 2.0, 2.0, 3.0],
                         "respondent_id": [1, 2, 1, 2], "w": [1.0, -1.0, 1.0, 1.0],
                         "txt": list("abcd")})
    with pytest.raises(ValueError, match="'nope' not found"):
        wave_change(data, from_wave="a", to_wave="b", y="nope")
    with pytest.raises(ValueError, match="must be numeric"):
        wave_change(data, from_wave="a", to_wave="b", y="txt")
    with pytest.raises(ValueError, match="negative"):
        wave_change(data, from_wave="a", to_wave="b", weight="w")
    with pytest.raises(ValueError, match="sum to zero"):
        wave_change(data.assign(w=[0.0, 0.0, 1.0, 1.0]), from_wave="a", to_wave="b", weight="w")


# --------------------------------------------------------------------------------------
# holm
# --------------------------------------------------------------------------------------
def test_holm_matches_statsmodels():
    rng = np.random.default_rng(3)
    for m in (1, 2, 5, 10, 30):
        p = rng.uniform(0, 0.2, m) ** 2
        p[0] = p[-1]  # a tie
        ref = multipletests(p, method="holm")[1]
        np.testing.assert_allclose(holm(p), ref, rtol=0, atol=1e-15)


def test_holm_keeps_nan_and_counts_only_the_others():
    p = np.array([0.01, np.nan, 0.04, 0.03])
    got = holm(p)
    # R: p.adjust(c(0.01, NA, 0.04, 0.03), "holm") -> 0.03 NA 0.06 0.06
    np.testing.assert_allclose(got, [0.03, np.nan, 0.06, 0.06])
    assert holm([]).shape == (0,)
    assert np.isnan(holm([np.nan, np.nan])).all()
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        holm([0.5, 1.5])
