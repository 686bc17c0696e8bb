"""Tests for evalkit.measure.effectiveness: the partnership-effectiveness composite index.

Expected values are computed by hand (formulas written out in the test) or from
distribution theory; every tolerance is either floating-point (1e-12) or derived from
a stated Monte Carlo standard error.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.measure import effectiveness as ix
from evalkit.measure.effectiveness import ComponentSpec as CS
from evalkit.measure.effectiveness import IndexSpec

ATOL = 1e-12


def long_table(values: dict[str, dict[str, float]], se: float | dict | None = None) -> pd.DataFrame:
    """{region: {component: value}} -> long table; se a constant or {component: se}."""
    rows = []
    for region, comps in values.items():
        for comp, v in comps.items():
            s = se.get(comp, 0.0) if isinstance(se, dict) else (0.0 if se is None else se)
            rows.append({"region_code": region, "component": comp, "value": v, "se": s})
    return pd.DataFrame(rows)


# A two-component, one-pillar spec with a lower-is-better component.
def spec_two(normalisation: str = "goalpost") -> IndexSpec:
    return IndexSpec(
        components={
            "health": CS("process", "higher", 1.0, goalposts=(1.0, 5.0)),
            "conflicts": CS("process", "lower", 1.0, goalposts=(0.0, 10.0)),
        },
        pillar_weights={"process": 1.0},
        normalisation=normalisation,
    )


THREE = {
    "a": {"health": 2.0, "conflicts": 2.0},
    "b": {"health": 3.5, "conflicts": 6.0},
    "c": {"health": 5.0, "conflicts": 4.0},
}


# Unequal weights: pillar P1 (weight 3) = a (1) + b (3); pillar P2 (weight 1) = c.
def spec_unequal(aggregation: str = "arithmetic") -> IndexSpec:
    return IndexSpec(
        components={
            "a": CS("P1", weight=1.0, goalposts=(0.0, 1.0)),
            "b": CS("P1", weight=3.0, goalposts=(0.0, 1.0)),
            "c": CS("P2", weight=1.0, goalposts=(0.0, 1.0)),
        },
        pillar_weights={"P1": 3.0, "P2": 1.0},
        aggregation=aggregation,
    )


# Three pillars of one component each, goalposts (0, 1), equal pillar weights.
def spec_pillars(**kw) -> IndexSpec:
    return IndexSpec(
        components={
            "proc": CS("process", goalposts=(0.0, 1.0)),
            "eng": CS("engagement", goalposts=(0.0, 1.0)),
            "out": CS("outcome", goalposts=(0.0, 1.0)),
        },
        pillar_weights={"process": 1.0, "engagement": 1.0, "outcome": 1.0},
        **kw,
    )


# A beats B on process, B beats A on outcomes; C is flat.
ABC = {
    "A": {"proc": 0.9, "eng": 0.5, "out": 0.3},
    "B": {"proc": 0.3, "eng": 0.5, "out": 0.8},
    "C": {"proc": 0.5, "eng": 0.5, "out": 0.5},
}


# ---------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "health", "conflicts"),
    [
        # (x - 1) / 4 ; (10 - x) / 10 (lower is better)
        ("goalpost", [0.25, 0.625, 1.0], [0.8, 0.4, 0.6]),
        # (x - 2) / 3 ; (6 - x) / 4
        ("minmax", [0.0, 0.5, 1.0], [1.0, 0.0, 0.5]),
        # health: mean 3.5, sd (n-1) = sqrt((1.5² + 0 + 1.5²)/2) = 1.5
        # conflicts: mean 4, sd = sqrt((4 + 4 + 0)/2) = 2, sign reversed
        ("zscore", [-1.0, 0.0, 1.0], [1.0, -1.0, 0.0]),
    ],
)
def test_normalise_by_hand(method, health, conflicts):
    z = ix.normalise(long_table(THREE), spec_two(method))
    assert list(z.index) == ["a", "b", "c"]
    np.testing.assert_allclose(z["health"], health, rtol=0, atol=ATOL)
    np.testing.assert_allclose(z["conflicts"], conflicts, rtol=0, atol=ATOL)


def test_normalise_accepts_wide_and_long_alike():
    wide = pd.DataFrame(THREE).T
    pd.testing.assert_frame_equal(ix.normalise(wide, spec_two("minmax")),
                                  ix.normalise(long_table(THREE), spec_two("minmax")))


def test_normalise_constant_component_gets_midpoint_or_zero():
    flat = {r: {"health": 3.0, "conflicts": v["conflicts"]} for r, v in THREE.items()}
    assert ix.normalise(long_table(flat), spec_two("minmax"))["health"].tolist() == [0.5] * 3
    assert ix.normalise(long_table(flat), spec_two("zscore"))["health"].tolist() == [0.0] * 3


def test_goalpost_index_by_hand_with_lower_is_better():
    out = ix.composite_index(long_table(THREE), spec_two("goalpost"))
    # a: (0.25 + 0.8)/2, b: (0.625 + 0.4)/2, c: (1 + 0.6)/2, × 100
    np.testing.assert_allclose(out["index"], [52.5, 51.25, 80.0], rtol=0, atol=1e-10)
    assert out["rank"].tolist() == [2, 3, 1]
    assert list(out.columns) == ["region_code", "index", "rank", "process", "missing"]
    assert out["missing"].tolist() == ["", "", ""]


# ---------------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------------


def test_arithmetic_aggregation_unequal_weights_by_hand():
    out = ix.composite_index(long_table({"r": {"a": 0.2, "b": 0.6, "c": 0.9}}), spec_unequal())
    # P1 = 0.25·0.2 + 0.75·0.6 = 0.5 ; P2 = 0.9 ; I = 0.75·0.5 + 0.25·0.9 = 0.6
    assert out.loc[0, "P1"] == pytest.approx(50.0, abs=1e-10)
    assert out.loc[0, "P2"] == pytest.approx(90.0, abs=1e-10)
    assert out.loc[0, "index"] == pytest.approx(60.0, abs=1e-10)


def test_geometric_aggregation_unequal_weights_by_hand():
    out = ix.composite_index(long_table({"r": {"a": 0.2, "b": 0.6, "c": 0.9}}),
                             spec_unequal("geometric"))
    p1 = 0.2 ** 0.25 * 0.6 ** 0.75
    expected = 100 * p1 ** 0.75 * 0.9 ** 0.25
    assert out.loc[0, "P1"] == pytest.approx(100 * p1, rel=1e-12)
    assert out.loc[0, "index"] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(54.0398, abs=1e-4)  # < 60: geometric penalises imbalance


def test_geometric_zero_is_raised_to_the_floor():
    rows = {"zero": {"a": 0.0, "b": 0.6, "c": 0.9}, "small": {"a": 0.05, "b": 0.6, "c": 0.9}}
    out = ix.composite_index(long_table(rows), spec_unequal("geometric")).set_index("region_code")
    floor = 0.01  # IndexSpec.geometric_floor default
    p1 = floor ** 0.25 * 0.6 ** 0.75
    assert out.loc["zero", "index"] == pytest.approx(100 * p1 ** 0.75 * 0.9 ** 0.25, rel=1e-12)
    assert out.loc["zero", "index"] > 0  # not wiped out by the zero ...
    assert out.loc["zero", "rank"] == 2  # ... but still behind a region with a = 0.05
    # a custom floor is used as documented
    spec = replace(spec_unequal("geometric"), geometric_floor=0.1)
    out2 = ix.composite_index(long_table(rows), spec).set_index("region_code")
    p1b = 0.1 ** 0.25 * 0.6 ** 0.75
    assert out2.loc["zero", "index"] == pytest.approx(100 * p1b ** 0.75 * 0.9 ** 0.25, rel=1e-12)


def test_zscore_index_is_weighted_mean_of_z_scores():
    out = ix.composite_index(long_table(THREE), spec_two("zscore"))
    np.testing.assert_allclose(out["index"], [0.0, -0.5, 0.5], rtol=0, atol=ATOL)
    assert out["rank"].tolist() == [2, 3, 1]


def test_geometric_with_zscore_is_refused():
    with pytest.raises(ValueError, match="geometric aggregation needs positive"):
        IndexSpec(components=spec_two().components, pillar_weights={"process": 1.0},
                  normalisation="zscore", aggregation="geometric")


def test_ties_share_the_best_rank_despite_float_noise():
    # (0.2 + 1.0 + 0.3)/3 and (0.5 + 0.5 + 0.5)/3 are both 0.5, but not in floating point
    rows = {"T1": {"proc": 0.2, "eng": 1.0, "out": 0.3}, "T2": {"proc": 0.5, "eng": 0.5, "out": 0.5},
            "T3": {"proc": 0.1, "eng": 0.1, "out": 0.1}}
    out = ix.composite_index(long_table(rows), spec_pillars()).set_index("region_code")
    assert out.loc["T1", "index"] != out.loc["T2", "index"]
    assert out.loc["T1", "index"] == pytest.approx(out.loc["T2", "index"], abs=1e-12)
    assert out["rank"].to_dict() == {"T1": 1, "T2": 1, "T3": 3}


def test_empty_input_gives_empty_tables_with_the_documented_columns():
    empty = pd.DataFrame({"region_code": [], "component": [], "value": [], "se": []})
    assert list(ix.composite_index(empty).columns) == [
        "region_code", "index", "rank", "process", "engagement", "outcome", "missing"]
    assert ix.normalise(empty).shape == (0, 5)
    for f, cols in ((ix.bootstrap_index, ix.BOOTSTRAP_COLUMNS),
                    (ix.weight_sensitivity, ix.SENSITIVITY_COLUMNS),
                    (ix.weight_scenarios, ix.SCENARIO_COLUMNS)):
        out = f(empty)
        assert out.empty and tuple(out.columns) == cols, f.__name__


# ---------------------------------------------------------------------------------
# Weights and spec validation
# ---------------------------------------------------------------------------------


def test_weights_renormalise():
    spec = IndexSpec(
        components={"x": CS("p", weight=2.0, goalposts=(0, 1)), "y": CS("p", weight=2.0, goalposts=(0, 1)),
                    "z": CS("q", weight=5.0, goalposts=(0, 1)), "w": CS("r", weight=0.5, goalposts=(0, 1))},
        pillar_weights={"p": 1, "q": 1, "r": 2},
    )
    assert spec.component_weights == {"x": 0.5, "y": 0.5, "z": 1.0, "w": 1.0}
    assert spec.normalised_pillar_weights == {"p": 0.25, "q": 0.25, "r": 0.5}
    assert spec.overall_weights == {"x": 0.125, "y": 0.125, "z": 0.25, "w": 0.5}
    table = ix.weights_table(spec)
    assert table["weight"].sum() == pytest.approx(1.0, abs=ATOL)
    assert table.groupby("pillar")["component_weight"].sum().tolist() == [1.0, 1.0, 1.0]


def test_default_spec_weights():
    assert ix.DEFAULT_SPEC.normalised_pillar_weights == pytest.approx(
        {"process": 1 / 3, "engagement": 1 / 3, "outcome": 1 / 3})
    assert ix.DEFAULT_SPEC.normalisation == "goalpost"
    assert ix.DEFAULT_SPEC.aggregation == "arithmetic"
    assert ix.DEFAULT_SPEC.pillar_components("engagement") == ("attendance_rate", "pentahelix_coverage")
    assert ix.DEFAULT_SPEC.components["health"].goalposts == (1.0, 5.0)
    assert ix.weights_table()["weight"].round(6).tolist() == [0.333333] + [0.166667] * 4


def _spec(components, pillar_weights=None, **kw):
    return IndexSpec(components=components,
                     pillar_weights=pillar_weights if pillar_weights is not None else {"p": 1.0}, **kw)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: _spec({"att": CS("p", weight=-1.0, goalposts=(0, 1))}), r"component 'att': weight"),
        (lambda: _spec({"att": CS("p", weight=math.nan, goalposts=(0, 1))}), r"component 'att': weight"),
        (lambda: _spec({"att": CS("p", weight=0.0, goalposts=(0, 1)),
                        "cov": CS("p", weight=0.0, goalposts=(0, 1))}),
         r"pillar 'p': all component weights are zero"),
        (lambda: _spec({"att": CS("p", goalposts=(0, 1))}, {"p": -2.0}), r"pillar 'p': weight"),
        (lambda: _spec({"att": CS("p", goalposts=(0, 1)), "x": CS("q", goalposts=(0, 1))},
                       {"p": 0.0, "q": 0.0}), r"pillar_weights are all zero"),
        (lambda: _spec({"att": CS("nope", goalposts=(0, 1))}), r"component 'att' belongs to pillar 'nope'"),
        (lambda: _spec({"att": CS("p", goalposts=(0, 1))}, {"p": 1.0, "empty": 1.0}),
         r"pillar 'empty' has no components"),
        (lambda: _spec({"att": CS("p", direction="up", goalposts=(0, 1))}), r"component 'att': direction"),
        (lambda: _spec({"att": CS("p", goalposts=(1, 0))}), r"component 'att': goalposts"),
        (lambda: _spec({"att": CS("p")}), r"component 'att' has no goalposts"),
        (lambda: _spec({"att": CS("p", goalposts=(0, 1))}, normalisation="rank"), r"normalisation"),
        (lambda: _spec({"att": CS("p", goalposts=(0, 1))}, aggregation="harmonic"), r"aggregation"),
        (lambda: _spec({"att": CS("p", goalposts=(0, 1))}, geometric_floor=0.0), r"geometric_floor"),
        (lambda: _spec({"att": CS("rank", goalposts=(0, 1))}, {"rank": 1.0}),
         r"pillar 'rank': name is reserved"),
    ],
)
def test_invalid_specs_raise_naming_the_culprit(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_minmax_spec_needs_no_goalposts():
    spec = _spec({"att": CS("p")}, normalisation="minmax")
    assert spec.components["att"].goalposts is None


def test_spec_is_frozen():
    with pytest.raises(TypeError):
        ix.DEFAULT_SPEC.pillar_weights["process"] = 5.0  # type: ignore[index]


# ---------------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------------


def test_to_wide_orders_regions_and_components():
    wide = ix.to_wide(long_table({"b": {"c": 0.1, "a": 0.2}, "a": {"b": 0.3}}), spec_unequal())
    assert list(wide.index) == ["a", "b"]
    assert list(wide.columns) == ["a", "b", "c"]
    assert wide.loc["b", "a"] == 0.2 and math.isnan(wide.loc["a", "a"])


def test_input_errors_name_region_and_component():
    spec = spec_unequal()
    with pytest.raises(ValueError, match=r"component\(s\) \['zz'\] are not in the index spec"):
        ix.composite_index(long_table({"r": {"a": 0.1, "zz": 0.2}}), spec)
    dup = pd.concat([long_table({"r": {"a": 0.1}})] * 2)
    with pytest.raises(ValueError, match=r"more than one row .*\('r', 'a'\)"):
        ix.composite_index(dup, spec)
    with pytest.raises(ValueError, match=r"component 'b' of region_code='r' is 1.5, outside its goalposts"):
        ix.composite_index(long_table({"r": {"a": 0.1, "b": 1.5, "c": 0.2}}), spec)
    bad = long_table({"r": {"a": 0.1}}).astype({"value": object})
    bad.loc[0, "value"] = "n/a"
    with pytest.raises(ValueError, match=r"non-numeric value 'n/a' for region_code='r', component='a'"):
        ix.composite_index(bad, spec)
    neg = long_table({"r": {"a": 0.1, "b": 0.2, "c": 0.3}}, se=-0.1)
    with pytest.raises(ValueError, match=r"negative se .* region_code='r'"):
        ix.bootstrap_index(neg, spec)


# ---------------------------------------------------------------------------------
# Missing components
# ---------------------------------------------------------------------------------


def test_missing_component_rule():
    rows = {
        "full": {"a": 0.2, "b": 0.6, "c": 0.9},
        "no_b": {"a": 0.2, "c": 0.9},             # P1 from a alone
        "no_P2": {"a": 0.2, "b": 0.6},            # a whole weighted pillar missing
        "nan_a": {"a": math.nan, "b": 0.4, "c": 0.5},  # NaN value = missing
    }
    out = ix.composite_index(long_table(rows), spec_unequal()).set_index("region_code")
    assert out.loc["no_b", "P1"] == pytest.approx(20.0, abs=1e-10)
    assert out.loc["no_b", "index"] == pytest.approx(0.75 * 20 + 0.25 * 90, abs=1e-10)
    assert out.loc["no_b", "missing"] == "b"
    assert out.loc["nan_a", "index"] == pytest.approx(0.75 * 40 + 0.25 * 50, abs=1e-10)
    assert out.loc["nan_a", "missing"] == "a"
    # whole pillar missing: pillar and index NaN, not ranked; other pillar still shown
    assert math.isnan(out.loc["no_P2", "P2"]) and math.isnan(out.loc["no_P2", "index"])
    assert out.loc["no_P2", "P1"] == pytest.approx(50.0, abs=1e-10)
    assert out.loc["no_P2", "rank"] is pd.NA
    assert out.loc["no_P2", "missing"] == "c"
    # the others are ranked 1..3 among themselves: full 60, no_b 37.5, nan_a 42.5
    assert out["rank"].dropna().to_dict() == {"full": 1, "no_b": 3, "nan_a": 2}


def test_missing_pillar_with_zero_weight_does_not_block_the_index():
    spec = replace(spec_unequal(), pillar_weights={"P1": 1.0, "P2": 0.0})
    out = ix.composite_index(long_table({"r": {"a": 0.2, "b": 0.6}}), spec)
    assert out.loc[0, "index"] == pytest.approx(50.0, abs=1e-10)
    assert out.loc[0, "missing"] == "c"


# ---------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------

MID = {  # away from the goalposts, so no draw is clipped
    "r1": {"health": 3.0, "attendance_rate": 0.5, "pentahelix_coverage": 0.6,
           "indicators_on_track": 0.5, "achievement": 0.4},
    "r2": {"health": 3.6, "attendance_rate": 0.55, "pentahelix_coverage": 0.6,
           "indicators_on_track": 0.45, "achievement": 0.5},
    "r3": {"health": 2.6, "attendance_rate": 0.45, "pentahelix_coverage": 0.4,
           "indicators_on_track": 0.55, "achievement": 0.5},
}
SE_MID = {"health": 0.05, "attendance_rate": 0.01, "pentahelix_coverage": 0.01,
          "indicators_on_track": 0.01, "achievement": 0.01}


def test_bootstrap_se_zero_gives_zero_width_interval_at_the_index():
    long = long_table(MID, se=0.0)
    long.loc[long["component"] == "health", "se"] = math.nan  # NaN se = no uncertainty too
    boot = ix.bootstrap_index(long, n_boot=50)
    point = ix.composite_index(long)
    np.testing.assert_array_equal(boot["ci_low"], point["index"])
    np.testing.assert_array_equal(boot["ci_upp"], point["index"])
    assert boot["rank_ci_low"].tolist() == point["rank"].tolist() == boot["rank_ci_upp"].tolist()
    assert boot["n_rep"].tolist() == [50, 50, 50]
    assert tuple(boot.columns) == ix.BOOTSTRAP_COLUMNS == (
        "region_code", "index", "ci_low", "ci_upp", "rank", "rank_ci_low", "rank_ci_upp", "n_rep")


def test_bootstrap_interval_contains_estimate_and_scales_with_se():
    one = ix.bootstrap_index(long_table(MID, se=SE_MID), n_boot=400, seed=3)
    two = ix.bootstrap_index(long_table(MID, se={k: 2 * v for k, v in SE_MID.items()}),
                             n_boot=400, seed=3)
    assert ((one["ci_low"] < one["index"]) & (one["index"] < one["ci_upp"])).all()
    # Goalposts + arithmetic is linear and nothing is clipped, so with the same draws
    # every deviation doubles exactly.
    ratio = (two["ci_upp"] - two["ci_low"]) / (one["ci_upp"] - one["ci_low"])
    np.testing.assert_allclose(ratio, 2.0, rtol=1e-9)


def test_bootstrap_width_matches_theory():
    # Linear index: sd = 100·sqrt(sum (W_c·se_c / range_c)²); 95% width = 2·1.96·sd.
    boot = ix.bootstrap_index(long_table(MID, se=SE_MID), n_boot=4000, seed=11)
    w = ix.DEFAULT_SPEC.overall_weights
    sd = 100 * math.sqrt((w["health"] * 0.05 / 4) ** 2
                         + sum((w[c] * 0.01) ** 2 for c in SE_MID if c != "health"))
    width = boot["ci_upp"] - boot["ci_low"]
    # Monte Carlo SE of a 2.5%/97.5% quantile with n = 4000 is about 0.042·sd, so of the
    # width about 0.06·sd, i.e. 1.5%: 6% is four standard errors.
    np.testing.assert_allclose(width, 2 * stats.norm.ppf(0.975) * sd, rtol=0.06)


def test_bootstrap_is_deterministic_under_the_seed():
    long = long_table(MID, se=SE_MID)
    a = ix.bootstrap_index(long, n_boot=200, seed=5)
    b = ix.bootstrap_index(long, n_boot=200, seed=5)
    c = ix.bootstrap_index(long, n_boot=200, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])


def test_bootstrap_clips_bounded_components_at_goalposts():
    top = {"r": {"health": 5.0, "attendance_rate": 1.0, "pentahelix_coverage": 1.0,
                 "indicators_on_track": 1.0, "achievement": 1.0}}
    # One uncertain component at its upper goalpost: half the draws are clipped to 1,
    # so the 97.5% quantile is the estimate itself.
    one = ix.bootstrap_index(long_table(top, se={"attendance_rate": 0.05}), n_boot=300)
    assert one.loc[0, "index"] == 100.0 and one.loc[0, "ci_upp"] == 100.0
    assert one.loc[0, "ci_low"] < 100.0
    # All five uncertain: the index reaches 100 in only 1/32 of the draws, so the plain
    # 97.5% quantile lies below the estimate; the interval is widened to include it.
    five = ix.bootstrap_index(long_table(top, se=0.05), n_boot=300)
    assert five.loc[0, "ci_upp"] == 100.0 and five.loc[0, "ci_low"] < 100.0
    assert five.loc[0, "rank_ci_low"] == five.loc[0, "rank_ci_upp"] == 1


def test_bootstrap_recomputes_minmax_per_replicate():
    spec = replace(spec_pillars(), normalisation="minmax")
    long = long_table(ABC, se=0.0)
    long.loc[(long["region_code"] == "A") & (long["component"] == "proc"), "se"] = 0.1
    boot = ix.bootstrap_index(long, spec, n_boot=300).set_index("region_code")
    # only A's value is uncertain, but min–max uses A as the maximum of 'proc', so the
    # normalised scores of B and C move with A's draws too
    assert boot.loc["C", "ci_upp"] > boot.loc["C", "ci_low"]
    gp = ix.bootstrap_index(long, spec_pillars(), n_boot=300).set_index("region_code")
    assert gp.loc["C", "ci_upp"] == gp.loc["C", "ci_low"]  # with goalposts C is unaffected


def test_bootstrap_uses_given_replicates():
    spec = spec_pillars()
    reps = [long_table({r: {k: min(1.0, v + d) for k, v in comps.items()} for r, comps in ABC.items()})
            for d in (0.0, 0.05, -0.05, 0.1, 0.02)]
    boot = ix.bootstrap_index(long_table(ABC), spec, replicates=reps, ci=0.5).set_index("region_code")
    by_hand = np.array([ix.composite_index(r, spec).set_index("region_code")["index"] for r in reps])
    for j, region in enumerate(sorted(ABC)):
        lo, hi = np.quantile(by_hand[:, j], [0.25, 0.75])
        assert boot.loc[region, "ci_low"] == pytest.approx(lo, abs=1e-10)
        assert boot.loc[region, "ci_upp"] == pytest.approx(hi, abs=1e-10)
        assert boot.loc[region, "n_rep"] == 5
    bad = long_table({"Z": ABC["A"]})
    with pytest.raises(ValueError, match=r"replicate 0 has region_code\(s\) \['Z'\]"):
        ix.bootstrap_index(long_table(ABC), spec, replicates=[bad])


def test_bootstrap_needs_se_for_parametric_draws():
    with pytest.raises(ValueError, match="'se' column"):
        ix.bootstrap_index(long_table(ABC).drop(columns="se"), spec_pillars())


def _synthetic_truth(q: np.ndarray) -> dict[str, np.ndarray]:
    # Each component rises with the latent quality q; all stay at least 3 se inside
    # the goalposts, so clipping is negligible.
    return {
        "health": 3.0 + 0.8 * q,
        "attendance_rate": 0.5 + 0.2 * q,
        "pentahelix_coverage": 0.6 + 0.15 * q,
        "indicators_on_track": 0.5 + 0.2 * q,
        "achievement": 0.45 + 0.2 * q,
    }


SYNTH_SE = {"health": 0.15, "attendance_rate": 0.05, "pentahelix_coverage": 0.05,
            "indicators_on_track": 0.05, "achievement": 0.05}


def test_bootstrap_coverage_and_rank_recovery_on_synthetic_regions():
    n_regions, n_datasets = 12, 40
    q = np.linspace(-1.5, 1.5, n_regions)               # known latent quality, r00 worst
    codes = [f"r{i:02d}" for i in range(n_regions)]
    truth = _synthetic_truth(q)
    true_long = long_table({c: {k: float(v[i]) for k, v in truth.items()} for i, c in enumerate(codes)})
    true_index = ix.composite_index(true_long).set_index("region_code")["index"]

    rng = np.random.default_rng(2024)
    covered, rhos = [], []
    for k in range(n_datasets):
        obs = {}
        for i, c in enumerate(codes):
            obs[c] = {}
            for comp, v in truth.items():
                lo, hi = ix.DEFAULT_SPEC.components[comp].goalposts
                obs[c][comp] = float(np.clip(v[i] + SYNTH_SE[comp] * rng.standard_normal(), lo, hi))
        boot = ix.bootstrap_index(long_table(obs, se=SYNTH_SE), n_boot=1000, seed=k)
        boot = boot.set_index("region_code")
        covered.append(((boot["ci_low"] <= true_index) & (true_index <= boot["ci_upp"])).to_numpy())
        rhos.append(stats.spearmanr(boot["index"], q).statistic)
    covered = np.array(covered)
    coverage = covered.mean()
    # The index is linear in the components, so the parametric percentile interval has
    # nominal 95% coverage; over 40 × 12 = 480 intervals the binomial SE is 0.010, so
    # [0.90, 0.99] is four to five SE either side of 0.95.
    assert 0.90 <= coverage <= 0.99, coverage
    # In the first data set alone, at least 11 of 12 intervals cover the truth.
    assert covered[0].mean() >= 11 / 12
    # Noise sd of the index is 2.08 points, the spacing of the true indices 5.23: two
    # neighbours swap with probability Φ(-5.23 / (2.08·√2)) ≈ 0.04, i.e. ~0.4 adjacent
    # swaps per data set, each costing 12 / (n(n²-1)) = 0.007 of Spearman's rho — an
    # expected rho ≈ 0.997 (obtained: mean 0.996, min 0.986 over the 40 data sets).
    assert np.mean(rhos) >= 0.98 and np.min(rhos) >= 0.95, (np.mean(rhos), np.min(rhos))


# ---------------------------------------------------------------------------------
# Sensitivity
# ---------------------------------------------------------------------------------


def test_mean_rank_shift_by_hand():
    assert ix.mean_rank_shift([1, 2, 3, 4], [2, 1, 3, 4]) == 0.5
    assert ix.mean_rank_shift([1, 2, 3], [3, 1, 2]) == pytest.approx(4 / 3)
    # missing ranks are left out: |1-2| + |3-3| over 2 regions
    ref = pd.Series([1, pd.NA, 3], index=["x", "y", "z"], dtype="Int64")
    other = pd.Series([3.0, 2.0, 1.0], index=["z", "x", "y"])  # aligned on the index
    assert ix.mean_rank_shift(ref, other) == pytest.approx((abs(1 - 2) + abs(3 - 3)) / 2)
    assert math.isnan(ix.mean_rank_shift([math.nan], [1]))


def test_weight_scenarios_flip_A_and_B_as_constructed():
    sc = ix.weight_scenarios(long_table(ABC), spec_pillars())
    assert tuple(sc.columns) == ix.SCENARIO_COLUMNS
    ranks = {s: g.set_index("region_code")["rank"].to_dict() for s, g in sc.groupby("scenario", sort=False)}
    assert list(ranks) == ["baseline", "equal", "drop:process", "drop:engagement", "drop:outcome",
                           "double:process", "double:engagement", "double:outcome",
                           "geometric", "minmax"]
    # baseline (1/3 each): A 0.567, B 0.533, C 0.5
    assert ranks["baseline"] == {"A": 1, "B": 2, "C": 3}
    assert ranks["equal"] == ranks["baseline"]
    # process-heavy: A ahead of B; outcome-heavy: B ahead of A
    assert ranks["drop:outcome"] == {"A": 1, "B": 3, "C": 2}      # A .70, B .40, C .50
    assert ranks["double:process"] == {"A": 1, "B": 3, "C": 2}    # A .65, B .475, C .50
    assert ranks["drop:process"] == {"A": 3, "B": 1, "C": 2}      # A .40, B .65, C .50
    assert ranks["double:outcome"] == {"A": 2, "B": 1, "C": 2}    # A .50 = C .50 (tie), B .60
    # geometric: A 0.135^(1/3) = .513, B 0.12^(1/3) = .493, C .5
    assert ranks["geometric"] == {"A": 1, "B": 3, "C": 2}
    # min–max: proc A 1, B 0, C 1/3; eng all equal -> 0.5; out A 0, B 1, C 0.4
    # A = B = 0.5, C = 0.411
    assert ranks["minmax"] == {"A": 1, "B": 1, "C": 3}
    rs = sc.groupby("scenario", sort=False)["mean_abs_shift"].first()
    assert rs["baseline"] == 0.0
    assert rs["drop:process"] == pytest.approx((2 + 1 + 1) / 3)
    assert rs["drop:outcome"] == pytest.approx((0 + 1 + 1) / 3)
    assert rs["double:outcome"] == pytest.approx((1 + 1 + 1) / 3)
    assert rs["minmax"] == pytest.approx((0 + 1 + 0) / 3)
    shifts = sc[sc["scenario"] == "drop:process"].set_index("region_code")["rank_shift"].to_dict()
    assert shifts == {"A": 2, "B": -1, "C": -1}


def test_weight_scenarios_for_geometric_and_minmax_baselines():
    geo = ix.weight_scenarios(long_table(ABC), spec_pillars(aggregation="geometric"))
    assert "arithmetic" in set(geo["scenario"]) and "geometric" not in set(geo["scenario"])
    mm = ix.weight_scenarios(long_table(ABC), spec_pillars(normalisation="minmax"))
    assert "goalpost" in set(mm["scenario"]) and "minmax" not in set(mm["scenario"])
    z = ix.weight_scenarios(long_table(ABC), spec_pillars(normalisation="zscore"))
    assert "geometric" not in set(z["scenario"])


def test_draw_pillar_weights_deterministic_and_centred():
    spec = replace(spec_pillars(), pillar_weights={"process": 2.0, "engagement": 1.0, "outcome": 1.0})
    a = ix.draw_pillar_weights(spec, n_draws=4000, seed=9, concentration=20)
    b = ix.draw_pillar_weights(spec, n_draws=4000, seed=9, concentration=20)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(ix.draw_pillar_weights(spec, n_draws=4000, seed=10, concentration=20))
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=0, atol=ATOL)
    w = np.array([0.5, 0.25, 0.25])
    sd = np.sqrt(w * (1 - w) / 21)  # Dirichlet: Var = w(1-w)/(κ+1)
    # mean within 4 Monte Carlo SE (sd/sqrt(n)); sd within 6% (SE of an sd ≈ sd/sqrt(2n) = 1.1%)
    np.testing.assert_array_less(np.abs(a.mean().to_numpy() - w), 4 * sd / np.sqrt(4000))
    np.testing.assert_allclose(a.std().to_numpy(), sd, rtol=0.06)
    # a pillar with zero weight stays at zero
    zero = replace(spec, pillar_weights={"process": 1, "engagement": 0, "outcome": 1})
    assert (ix.draw_pillar_weights(zero, n_draws=50)["engagement"] == 0).all()
    with pytest.raises(ValueError, match="concentration"):
        ix.draw_pillar_weights(spec, concentration=0)


def test_weight_sensitivity_dominant_region_always_first():
    rng = np.random.default_rng(7)
    rows = {f"r{i}": {k: float(rng.uniform(0.1, 0.8)) for k in ("proc", "eng", "out")} for i in range(6)}
    rows["best"] = {"proc": 0.9, "eng": 0.9, "out": 0.9}
    sens = ix.weight_sensitivity(long_table(rows), spec_pillars(), n_draws=500, seed=1,
                                 concentration=3)
    assert tuple(sens.columns) == ix.SENSITIVITY_COLUMNS
    sens = sens.set_index("region_code")
    assert sens.loc["best", "baseline_rank"] == 1
    assert sens.loc["best", "share_rank_changed"] == 0.0
    assert sens.loc["best", "rank_p95"] == 1 and sens.loc["best", "median_rank"] == 1.0
    # the draws do move the others (so the check above has teeth)
    assert sens["share_rank_changed"].max() > 0
    again = ix.weight_sensitivity(long_table(rows), spec_pillars(), n_draws=500, seed=1,
                                  concentration=3).set_index("region_code")
    pd.testing.assert_frame_equal(sens, again)
    base = ix.composite_index(long_table(rows), spec_pillars()).set_index("region_code")
    assert sens["baseline_rank"].tolist() == base["rank"].tolist()


def test_weight_sensitivity_A_and_B_trade_places():
    sens = ix.weight_sensitivity(long_table(ABC), spec_pillars(), n_draws=2000, seed=0,
                                 concentration=3).set_index("region_code")
    # with widely spread weights A and B each end up anywhere from 1st to 3rd
    assert sens.loc["A", "rank_p05"] == 1 and sens.loc["A", "rank_p95"] == 3
    assert sens.loc["B", "rank_p05"] == 1 and sens.loc["B", "rank_p95"] == 3
    assert 0 < sens.loc["A", "share_rank_changed"] < 1
    tight = ix.weight_sensitivity(long_table(ABC), spec_pillars(), n_draws=2000, seed=0,
                                  concentration=1000).set_index("region_code")
    # near-fixed weights: ranks change less often
    assert tight.loc["A", "share_rank_changed"] < sens.loc["A", "share_rank_changed"]


# ---------------------------------------------------------------------------------
# Scenario codes (the method statement, in evalkit.present.index_wording, names them;
# its wording is tested in tests/test_i18n.py)
# ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "methods"), [
    ({}, ("geometric", "minmax")),
    ({"aggregation": "geometric"}, ("arithmetic", "minmax")),
    ({"normalisation": "minmax"}, ("geometric", "goalpost")),
    ({"normalisation": "zscore"}, ("minmax",)),  # no geometric mean of z-scores
])
def test_scenario_names_are_the_scenarios_weight_scenarios_computes(change, methods):
    spec = replace(ix.DEFAULT_SPEC, **change)
    names = ix.scenario_names(spec)
    assert names == ("baseline", "equal", "drop:process", "drop:engagement", "drop:outcome",
                     "double:process", "double:engagement", "double:outcome", *methods)
    values = long_table({"A": {"health": 4.0, "attendance_rate": 0.5, "pentahelix_coverage": 0.4,
                               "indicators_on_track": 0.5, "achievement": 0.6},
                         "B": {"health": 3.0, "attendance_rate": 0.9, "pentahelix_coverage": 0.8,
                               "indicators_on_track": 1.0, "achievement": 0.7}})
    assert tuple(ix.weight_scenarios(values, spec)["scenario"].unique()) == names


def test_scenario_names_of_one_positive_pillar_drop_and_double_nothing():
    spec = ix.without_pillars(ix.DEFAULT_SPEC, ["engagement", "outcome"])
    assert ix.scenario_names(spec) == ("baseline", "equal", "geometric", "minmax")


def test_weights_table_holds_codes_only():
    table = ix.weights_table(spec_pillars())
    assert list(table.columns) == ["pillar", "component", "direction", "goalpost_low",
                                   "goalpost_high", "component_weight", "pillar_weight", "weight"]


# ---------------------------------------------------------------------------------
# The form's scale
# ---------------------------------------------------------------------------------


def test_spec_for_scale_puts_the_health_goalposts_at_the_form_scale():
    from evalkit.core.contract import Scale
    from evalkit.measure.effectiveness import DEFAULT_SPEC, composite_index, spec_for_scale

    four = Scale((1.0, 2.0, 3.0, 4.0), ("a", "b", "c", "d"), ("a", "b", "c", "d"))
    spec = spec_for_scale(four)
    assert spec.components["health"].goalposts == (1.0, 4.0)
    assert spec.components["health"].unit == "1–4"
    assert DEFAULT_SPEC.components["health"].goalposts == (1.0, 5.0)  # unchanged
    # a mean of 4 on a 1-4 form is the top of the process pillar, not 3/4 of it
    values = pd.DataFrame({"region_code": ["a"], "component": ["health"], "value": [4.0]})
    only_health = spec_for_scale(four, DEFAULT_SPEC.__class__(
        components={"health": spec.components["health"]}, pillar_weights={"process": 1.0}))
    assert composite_index(values, only_health)["index"].iat[0] == pytest.approx(100.0)


def _components(rows):
    return pd.DataFrame(rows, columns=["region_code", "component", "value", "se"])


def test_a_pillar_no_region_has_is_left_out_and_the_others_reweighted():
    # no attendance file and no register: no region has an engagement component
    values = _components([("a", "health", 4.0, 0.1), ("a", "indicators_on_track", 0.5, 0.0),
                          ("a", "achievement", 0.5, 0.0),
                          ("b", "health", 3.0, 0.1), ("b", "indicators_on_track", 1.0, 0.0),
                          ("b", "achievement", 1.0, 0.0)])
    assert ix.missing_pillars(values) == ("engagement",)
    eff = ix.effective_spec(values)
    assert eff.normalised_pillar_weights == {"process": 0.5, "engagement": 0.0, "outcome": 0.5}
    out = ix.composite_index(values)
    # a: (0.75 + 0.5) / 2, b: (0.5 + 1) / 2, x 100
    np.testing.assert_allclose(out["index"], [62.5, 75.0])
    assert out["rank"].tolist() == [2, 1] and out["engagement"].isna().all()
    assert out.attrs["missing_pillars"] == ("engagement",)
    assert out["missing"].tolist() == ["attendance_rate, pentahelix_coverage"] * 2
    boot = ix.bootstrap_index(values, n_boot=50, seed=1)
    np.testing.assert_allclose(boot["index"], [62.5, 75.0])
    assert ix.weight_sensitivity(values, n_draws=20)["baseline_rank"].tolist() == [2, 1]
    scen = ix.weight_scenarios(values)
    assert scen["index"].notna().all() and "drop:engagement" not in set(scen["scenario"])
    # the method statement names the pillar: tests/test_i18n.py


def test_a_pillar_only_some_regions_lack_still_leaves_those_without_index():
    values = _components([("a", "health", 4.0, 0.1), ("a", "attendance_rate", 0.5, 0.0),
                          ("a", "indicators_on_track", 0.5, 0.0),
                          ("b", "health", 3.0, 0.1), ("b", "indicators_on_track", 1.0, 0.0)])
    assert ix.missing_pillars(values) == ()
    out = ix.composite_index(values)
    assert out["index"].notna().tolist() == [True, False]
    assert out["rank"].tolist()[0] == 1 and pd.isna(out["rank"].iat[1])
