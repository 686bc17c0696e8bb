"""Tests for evalkit.measure.network_change: the collaboration network over waves.

Hand-built networks of another programme (its own sector codes, its own wave labels),
none from the demo generator.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from evalkit.measure import network
from evalkit.measure.network_change import (
    NETWORK_CHANGE_KEYS,
    NETWORK_WAVE_COLUMNS,
    ROLE_CHANGE_COLUMNS,
    network_change,
    role_changes,
    wave_network,
)

W1, W2, W3 = "Gelombang 1", "Gelombang 2", "Gelombang 3"
COLUMNS = ["organisation", "partner", "level", "trust", "value", "wave"]


def _ties(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS).astype(
        {"organisation": "str", "partner": "str", "level": "float64", "trust": "float64",
         "value": "float64", "wave": "str"}).assign(region_code="63.72")


def _register(rows: list[tuple]) -> pd.DataFrame:
    """``(organisation, sector, wave)``; wave None = every wave."""
    out = pd.DataFrame(rows, columns=["organisation", "sector", "wave"])
    out["wave"] = out["wave"].astype("str")  # None stays missing
    return out.assign(region_code="63.72")


@pytest.fixture
def forum() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five organisations of a river-basin forum, two waves.

    Gelombang 1: Balai-Koperasi (both report it: one tie), Balai-Kampus, Kampus-Warta
    at level 0 (no tie). Gelombang 2: Balai-Koperasi (kept), Kampus-Warta at level 2
    (gained), Warta-Nelayan (gained); Balai-Kampus is gone (lost).
    """
    ties = _ties([
        ("Balai", "Koperasi", 2, 3.0, 2.0, W1),
        ("Koperasi", "Balai", 1, 4.0, 3.0, W1),
        ("Balai", "Kampus", 3, 2.0, 4.0, W1),
        ("Kampus", "Warta", 0, math.nan, math.nan, W1),
        ("Balai", "Koperasi", 1, 3.5, 2.5, W2),
        ("Kampus", "Warta", 2, 3.0, 3.0, W2),
        ("Nelayan", "Warta", 1, 2.5, 1.5, W2),
    ])
    register = _register([
        ("Balai", "pemkot", None), ("Koperasi", "usaha_lokal", None),
        ("Kampus", "kampus", None), ("Warta", "pers", None),
        ("Nelayan", "kelompok_warga", W2),
    ])
    return ties, register


# --------------------------------------------------------------------------------------
# ties gained, lost, kept
# --------------------------------------------------------------------------------------
def test_gained_lost_kept_counted_by_hand(forum):
    ties, register = forum
    out = network_change(ties, register, from_wave=W1, to_wave=W2)
    assert list(out) == NETWORK_CHANGE_KEYS
    # by hand (see the fixture): kept Balai-Koperasi; gained Kampus-Warta, Warta-Nelayan;
    # lost Balai-Kampus. The two-sided report of Balai-Koperasi is one tie, and the
    # level-0 Kampus-Warta of wave 1 is no tie.
    assert (out["ties_gained"], out["ties_lost"], out["ties_kept"]) == (2, 1, 1)
    back = network_change(ties, register, from_wave=W2, to_wave=W1)
    assert (back["ties_gained"], back["ties_lost"], back["ties_kept"]) == (1, 2, 1)


def test_density_and_centralisation_change_by_hand(forum):
    ties, register = forum
    out = network_change(ties, register, from_wave=W1, to_wave=W2)
    # wave 1: 4 organisations (Nelayan registered from wave 2 only), 2 ties:
    #   density 2/6; degrees Balai 2, Koperasi 1, Kampus 1, Warta 0:
    #   centralisation (0 + 1 + 1 + 2) / (3 * 2) = 4/6
    # wave 2: 5 organisations, 3 ties: density 3/10; degrees Balai 1, Koperasi 1,
    #   Kampus 1, Warta 2, Nelayan 1: centralisation (1+1+1+0+1) / (4 * 3) = 4/12
    assert out["density_change"] == pytest.approx(3 / 10 - 2 / 6)
    assert out["centralisation_change"] == pytest.approx(4 / 12 - 4 / 6)


# --------------------------------------------------------------------------------------
# each wave's measures
# --------------------------------------------------------------------------------------
def _freeman(G: nx.Graph) -> float:
    """Freeman degree centralisation from networkx's normalised degree centrality:
    sum(c_max - c_i) / (n - 2) (Freeman 1978; the maximum of the numerator with
    normalised degrees is n - 2, reached by the star)."""
    c = np.array(list(nx.degree_centrality(G).values()))
    return float(np.sum(c.max() - c) / (G.number_of_nodes() - 2))


def test_density_and_centralisation_equal_networkx(forum):
    ties, register = forum
    out = wave_network(ties, register, waves=[W1, W2])
    assert list(out.columns) == NETWORK_WAVE_COLUMNS
    assert list(out["wave"]) == [W1, W2]
    # the same graphs, built directly in networkx from the hand-read ties
    g1 = nx.Graph([("Balai", "Koperasi"), ("Balai", "Kampus")])
    g1.add_node("Warta")
    g2 = nx.Graph([("Balai", "Koperasi"), ("Kampus", "Warta"), ("Nelayan", "Warta")])
    for row, G in zip(out.itertuples(), (g1, g2), strict=True):
        assert row.organisations == G.number_of_nodes()
        assert row.ties == G.number_of_edges()
        assert row.density == pytest.approx(nx.density(G), abs=1e-12)
        assert row.centralisation == pytest.approx(_freeman(G), abs=1e-12)
        assert row.isolated == nx.number_of_isolates(G)
    assert out["organisations"].dtype == "int64" and out["density"].dtype == "float64"


def test_wave_network_equals_the_snapshot_tables(forum):
    """Each row equals network.region_tables on that wave's ties and register: the
    latest wave's row is the latest-wave network_metrics table."""
    ties, register = forum
    out = wave_network(ties, register, waves=[W1, W2]).set_index("wave")
    for wave in (W1, W2):
        t = ties[ties["wave"] == wave].drop(columns="wave")
        r = register[register["wave"].isna() | (register["wave"] == wave)]
        m, *_ = network.region_tables(t, r, k=5)
        row = out.loc[wave]
        assert (row["organisations"], row["ties"], row["isolated"]) == (
            m["nodes"], m["edges"], m["isolates"])
        for ours, theirs in (("density", "density"), ("centralisation", "centralisation"),
                             ("mean_trust", "partner_trust_mean"),
                             ("mean_value", "partner_value_mean")):
            assert row[ours] == pytest.approx(m[theirs], nan_ok=True)
    # PARTNER trust of wave 1 by hand: ratings 3, 4, 2 (the level-0 row has none)
    assert out.loc[W1, "mean_trust"] == pytest.approx(3.0)
    assert out.loc[W2, "mean_value"] == pytest.approx((2.5 + 3.0 + 1.5) / 3)


def test_wave_without_ties_has_density_zero(forum):
    ties, register = forum
    out = wave_network(ties, register, waves=[W1, W2, W3]).set_index("wave")
    # Gelombang 3: no ties at all; the register rows for every wave stay
    assert out.loc[W3, "ties"] == 0 and out.loc[W3, "density"] == 0.0
    assert out.loc[W3, "organisations"] == 4 and out.loc[W3, "isolated"] == 4
    assert out.loc[W3, "centralisation"] == 0.0
    assert math.isnan(out.loc[W3, "mean_trust"]) and math.isnan(out.loc[W3, "mean_value"])
    change = network_change(ties, register, from_wave=W2, to_wave=W3)
    assert (change["ties_gained"], change["ties_lost"], change["ties_kept"]) == (0, 3, 0)
    assert change["density_change"] == pytest.approx(-3 / 10)
    assert math.isnan(change["trust_change"]) and math.isnan(change["trust_ci_low"])
    roles = role_changes(ties, register, from_wave=W2, to_wave=W3, k=2)
    # nobody is central in a wave without ties; every one tied before is now isolated
    assert set(roles.loc[roles["change"] == "became_isolated", "organisation"]) == {
        "Balai", "Koperasi", "Kampus", "Warta"}
    assert "became_central" not in set(roles["change"])


def test_no_ties_at_all_and_no_register():
    empty = _ties([])
    out = wave_network(empty, None, waves=["2025-Q3"])
    assert out.loc[0, "organisations"] == 0 and out.loc[0, "ties"] == 0
    assert math.isnan(out.loc[0, "density"])
    change = network_change(empty, None, from_wave="2025-Q2", to_wave="2025-Q3")
    assert (change["ties_gained"], change["ties_lost"], change["ties_kept"]) == (0, 0, 0)
    assert role_changes(empty, None, from_wave="2025-Q2", to_wave="2025-Q3").empty


def test_ties_without_wave_column_count_for_every_wave(forum):
    ties, register = forum
    one = ties[ties["wave"] == W2].drop(columns="wave")
    out = wave_network(one, register.drop(columns="wave"), waves=[W1, W2])
    assert out.drop(columns="wave").iloc[0].equals(out.drop(columns="wave").iloc[1])
    assert network_change(one, None, from_wave=W1, to_wave=W2)["ties_kept"] == 3


def test_register_of_another_wave_is_not_used(forum):
    ties, register = forum
    # Nelayan's register row is for Gelombang 2 only: in Gelombang 1 it is no node
    out = wave_network(ties.iloc[:0], register, waves=[W1, W2])
    assert list(out["organisations"]) == [4, 5]


def test_same_wave_is_refused(forum):
    ties, register = forum
    with pytest.raises(ValueError, match="same wave"):
        network_change(ties, register, from_wave=W1, to_wave=W1)
    with pytest.raises(ValueError, match="same wave"):
        role_changes(ties, register, from_wave=W2, to_wave=W2)
    with pytest.raises(ValueError, match="k must be"):
        role_changes(ties, register, from_wave=W1, to_wave=W2, k=-1)


# --------------------------------------------------------------------------------------
# roles
# --------------------------------------------------------------------------------------
def test_star_losing_its_hub():
    """2025-H1: a star around the agency (hub) with four spokes; Sekolah registered
    without a tie. 2025-H2: the hub keeps no tie; spokes pair up; Sekolah joins in."""
    a, b = "2025-H1", "2025-H2"
    spokes = ["Bank", "Pasar", "Pesantren", "Puskesmas"]
    ties = _ties([("Badan", s, 2, 3.0, 3.0, a) for s in spokes] + [
        ("Bank", "Pasar", 1, 3.0, 3.0, b),
        ("Pesantren", "Puskesmas", 1, 3.0, 3.0, b),
        ("Sekolah", "Bank", 1, 3.0, 3.0, b),
    ])
    register = _register([("Badan", "opd", None), ("Bank", "bumd", None),
                          ("Pasar", "bumd", None), ("Pesantren", "ormas", None),
                          ("Puskesmas", "opd", None), ("Sekolah", "sekolah", None)])
    roles = role_changes(ties, register, from_wave=a, to_wave=b, k=1)
    assert list(roles.columns) == ROLE_CHANGE_COLUMNS
    got = {(r.organisation, r.change): (r.sector, r.degree_from, r.degree_to)
           for r in roles.itertuples()}
    assert got[("Badan", "no_longer_central")] == ("opd", 4, 0)
    assert got[("Badan", "became_isolated")] == ("opd", 4, 0)
    assert got[("Sekolah", "no_longer_isolated")] == ("sekolah", 0, 1)
    # 2025-H2's most central: Bank (degree 2)
    assert got[("Bank", "became_central")] == ("bumd", 1, 2)
    assert len(got) == 4
    # order: by kind of change, then organisation
    assert list(roles["change"]) == ["became_central", "no_longer_central",
                                     "became_isolated", "no_longer_isolated"]
    change = network_change(ties, register, from_wave=a, to_wave=b)
    assert (change["ties_gained"], change["ties_lost"], change["ties_kept"]) == (3, 4, 0)
    # star: centralisation 1 (Freeman's maximum) on the 5 tied + Sekolah isolated:
    # degrees 4,1,1,1,1,0: (0+3+3+3+3+4) / (5*4) = 16/20
    wn = wave_network(ties, register, waves=[a, b])
    assert wn.loc[0, "centralisation"] == pytest.approx(16 / 20)


def test_roles_only_for_organisations_in_both_waves():
    a, b = "2024", "2025"
    ties = _ties([("Hub", "X", 1, 3.0, 3.0, a), ("Hub", "Y", 1, 3.0, 3.0, a),
                  ("Y", "Z", 1, 3.0, 3.0, b), ("Y", "New", 1, 3.0, 3.0, b),
                  ("Z", "New", 1, 3.0, 3.0, b)])
    register = _register([("Hub", "g", a), ("X", "g", None), ("Y", "g", None),
                          ("Z", "g", None), ("New", "g", b)])
    roles = role_changes(ties, register, from_wave=a, to_wave=b, k=1)
    # Hub left the forum (not in 2025's register nor ties): no role change for it;
    # New joined: not compared. X lost its only tie while registered: became isolated.
    # Z was an isolate in 2024 and is tied in 2025.
    assert "Hub" not in set(roles["organisation"]) and "New" not in set(roles["organisation"])
    got = set(zip(roles["organisation"], roles["change"], strict=True))
    assert ("X", "became_isolated") in got and ("Z", "no_longer_isolated") in got
    # central (k=1): 2024 Hub (degree 2); 2025 the triangle Y, Z, New, all degree 2 and
    # betweenness 0, so name order -> New. Both are in one wave only: no central change.
    assert not any(c in ("became_central", "no_longer_central") for _, c in got)
    assert len(got) == 2


# --------------------------------------------------------------------------------------
# trust and value change
# --------------------------------------------------------------------------------------
def test_trust_change_is_the_change_of_organisation_means(forum):
    ties, register = forum
    from evalkit.measure.change import wave_change

    out = network_change(ties, register, from_wave=W1, to_wave=W2)
    # per rated organisation (PARTNER by partner), by hand:
    #   W1: Koperasi 3, Balai 4, Kampus 2 -> mean 3
    #   W2: Koperasi 3.5, Warta (3 + 2.5) / 2 = 2.75 -> mean 3.125
    assert out["trust_change"] == pytest.approx(3.125 - 3.0)
    data = pd.DataFrame({"organisation": ["Koperasi", "Balai", "Kampus", "Koperasi", "Warta"],
                         "wave": [W1, W1, W1, W2, W2],
                         "trust": [3.0, 4.0, 2.0, 3.5, 2.75]})
    ref = wave_change(data, from_wave=W1, to_wave=W2, y="trust", cluster="organisation")
    assert (out["trust_ci_low"], out["trust_ci_upp"]) == pytest.approx((ref.ci_low, ref.ci_upp))
    # value: W1 Koperasi 2, Balai 3, Kampus 4 -> 3; W2 Koperasi 2.5, Warta 2.25 -> 2.375
    assert out["value_change"] == pytest.approx(2.375 - 3.0)


def test_trust_ci_equals_statsmodels_cluster_robust(forum):
    """Reference: OLS of the organisation scores on a wave dummy with cluster-robust SE
    by organisation (statsmodels; its SE carries the extra factor sqrt((N-1)/(N-K)) that
    the survey linearisation has not), t interval with clusters - 1 df."""
    import statsmodels.api as sm
    from scipy import stats

    ties, register = forum
    out = network_change(ties, register, from_wave=W1, to_wave=W2)
    org = ["Koperasi", "Balai", "Kampus", "Koperasi", "Warta"]
    y = np.array([3.0, 4.0, 2.0, 3.5, 2.75])  # the per-organisation scores above
    X = sm.add_constant(np.array([0, 0, 0, 1, 1], dtype=float))
    fit = sm.OLS(y, X).fit(cov_type="cluster",
                           cov_kwds={"groups": pd.factorize(pd.Series(org))[0]})
    n, k, clusters = 5, 2, 4
    se = fit.bse[1] / math.sqrt((n - 1) / (n - k))
    half = stats.t.ppf(0.975, clusters - 1) * se
    assert out["trust_change"] == pytest.approx(fit.params[1], abs=1e-12)
    assert out["trust_ci_low"] == pytest.approx(fit.params[1] - half, abs=1e-10)
    assert out["trust_ci_upp"] == pytest.approx(fit.params[1] + half, abs=1e-10)


def _panel(rng: np.random.Generator, delta: float, n_org: int = 40, raters: int = 6,
           stay: float = 0.8) -> pd.DataFrame:
    """Two waves of ratings: organisation effect (sd 0.4) that persists across waves,
    rating noise (sd 0.3), mean 2.5 in wave 1 and 2.5 + delta in wave 2; ``stay`` of
    the organisations rated in both waves, the others replaced by new ones."""
    effect = rng.normal(0, 0.4, 2 * n_org)
    orgs = [f"O{i:03d}" for i in range(2 * n_org)]
    n_stay = int(stay * n_org)
    rows = []
    for wave, shift, rated in (("2025-Q1", 0.0, range(n_org)),
                               ("2025-Q2", delta, [*range(n_stay), *range(n_org, 2 * n_org
                                                                            - n_stay)])):
        for i in rated:
            r = np.clip(2.5 + shift + effect[i] + rng.normal(0, 0.3, raters), 1, 4)
            rows += [(f"R{j}", orgs[i], 1, float(x), float(x), wave)
                     for j, x in enumerate(r)]
    return _ties(rows)


def test_trust_change_ci_contains_planted_change():
    ties = _panel(np.random.default_rng(20250901), delta=0.35)
    out = network_change(ties, None, from_wave="2025-Q1", to_wave="2025-Q2")
    assert out["trust_ci_low"] < 0.35 < out["trust_ci_upp"]
    assert out["trust_ci_low"] > 0  # 40 organisations detect a shift of 0.35
    assert out["value_change"] == pytest.approx(out["trust_change"])


def test_trust_change_ci_coverage_and_cluster_gain():
    """Over 100 synthetic networks the 95% CI covers the planted change in ~95% of
    them; and, since an organisation's effect persists across waves, the clustered
    interval is narrower than one treating the waves' organisations as independent
    (the covariance of the two waves' means is positive and is subtracted)."""
    from evalkit.measure.change import wave_change

    rng = np.random.default_rng(7)
    delta, cover, narrower = 0.2, 0, 0
    seeds = 100
    for _ in range(seeds):
        ties = _panel(rng, delta=delta, n_org=30, raters=4)
        out = network_change(ties, None, from_wave="2025-Q1", to_wave="2025-Q2")
        cover += out["trust_ci_low"] <= delta <= out["trust_ci_upp"]
        # the same organisation means, as independent samples (no self-ratings here)
        per = ties.groupby(["wave", "partner"], as_index=False)["trust"].mean()
        naive = wave_change(per, from_wave="2025-Q1", to_wave="2025-Q2", y="trust",
                            cluster=None)
        assert naive.estimate == pytest.approx(out["trust_change"])
        narrower += (out["trust_ci_upp"] - out["trust_ci_low"]) < (naive.ci_upp - naive.ci_low)
    # binomial(100, 0.95): 0.88 and 0.995 are about -3 and +2 sd
    assert 0.88 <= cover / seeds <= 0.995
    assert narrower / seeds > 0.9
