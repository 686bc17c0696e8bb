"""Tests for evalkit.measure.network: graph building, whole-network measures, PARTNER scores."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from frames import network_register

from evalkit.measure.engagement import PENTAHELIX
from evalkit.measure.network import (
    TIE_PROBLEMS,
    build_network,
    central_organisations,
    degree_centralisation,
    network_metrics,
    partner_scores,
    partner_summary,
    sector_mixing,
    sector_ties,
    tie_problems,
    tie_quality_report,
)

NAN = np.nan



def _ties(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["organisation", "partner", "level", "trust", "value"]).assign(
        region_code="15.71"
    )


@pytest.fixture
def register() -> pd.DataFrame:
    return network_register()


@pytest.fixture
def five_node() -> nx.Graph:
    # A-B, A-C, A-D, D-E. Degrees A3 B1 C1 D2 E1.
    G = nx.Graph()
    G.add_edges_from([("A", "B"), ("A", "C"), ("A", "D"), ("D", "E")], level=1)
    return G


# --------------------------------------------------------------------------------------
# whole-network measures on hand-computed graphs
# --------------------------------------------------------------------------------------
def test_density_and_centralisation_of_a_path():
    m = network_metrics(nx.path_graph(4))
    assert m["density"] == pytest.approx(3 / 6)
    # degrees 1,2,2,1: sum(2 - d) = 2, denominator (n-1)(n-2) = 6
    assert m["centralisation"] == pytest.approx(1 / 3)
    assert m["components"] == 1 and m["isolates"] == 0 and m["mean_degree"] == pytest.approx(1.5)


def test_freeman_centralisation_extremes():
    assert degree_centralisation(nx.star_graph(4)) == pytest.approx(1.0)   # 5 nodes
    assert degree_centralisation(nx.star_graph(9)) == pytest.approx(1.0)   # 10 nodes
    assert degree_centralisation(nx.complete_graph(5)) == pytest.approx(0.0)
    assert degree_centralisation(nx.cycle_graph(6)) == pytest.approx(0.0)
    assert degree_centralisation(nx.empty_graph(4)) == pytest.approx(0.0)
    assert math.isnan(degree_centralisation(nx.path_graph(2)))
    with pytest.raises(ValueError, match="undirected"):
        degree_centralisation(nx.DiGraph([(1, 2), (2, 3)]))


def test_five_node_example_by_hand(five_node):
    m = network_metrics(five_node)
    assert m["nodes"] == 5 and m["edges"] == 4
    assert m["density"] == pytest.approx(4 / 10)
    # max degree 3: (0 + 2 + 2 + 1 + 2) / (4 * 3) = 7/12
    assert m["centralisation"] == pytest.approx(7 / 12)
    assert m["mean_level"] == pytest.approx(1.0)
    top = central_organisations(five_node, k=None).set_index("organisation")
    # A lies on B-C, B-D, B-E, C-D, C-E: 5 of the C(4,2) = 6 pairs not involving A.
    assert top.loc["A", "betweenness"] == pytest.approx(5 / 6)
    # D lies on A-E, B-E, C-E.
    assert top.loc["D", "betweenness"] == pytest.approx(3 / 6)
    assert top.loc["B", "betweenness"] == 0.0
    assert top.loc["A", "degree_centrality"] == pytest.approx(3 / 4)
    expected = nx.betweenness_centrality(five_node, normalized=True)
    for node, value in expected.items():
        assert top.loc[node, "betweenness"] == pytest.approx(value)


def test_central_organisations_order_is_deterministic(five_node):
    top = central_organisations(five_node, k=3)
    assert list(top["organisation"]) == ["A", "D", "B"]  # B, C, E tie: name breaks it
    assert list(top.columns) == ["organisation", "sector", "degree", "degree_centrality", "betweenness"]
    # Degree ties are broken by betweenness before the name.
    G = nx.Graph([("Z", "a1"), ("Z", "a2"), ("a2", "a3"), ("Y", "b1"), ("Y", "b2")])
    order = list(central_organisations(G, k=None)["organisation"])
    assert order[:3] == ["Z", "a2", "Y"]


# --------------------------------------------------------------------------------------
# build_network
# --------------------------------------------------------------------------------------
def test_build_network_union_rule_and_attributes(register):
    ties = _ties([
        ("Bappeda", "Dinas", 3, 4.0, 3.0),
        ("Dinas", "Bappeda", 1, 2.0, NAN),      # reciprocated; level = max(3, 1)
        ("Bappeda", "Apindo", 1, 3.0, 2.0),     # one-sided: still a tie
        ("Univ", "LSM", 0, NAN, NAN),           # level 0: no tie
        ("LSM", "LSM", 3, 4.0, 4.0),            # self-tie: ignored, counted
        ("Forum X", "Univ", 2, 3.0, 3.0),       # rater not in the register
    ])
    G = build_network(ties, register)
    assert set(G.nodes) == {"Bappeda", "Dinas", "Apindo", "Univ", "LSM", "Radio", "Forum X"}
    assert G.number_of_edges() == 3
    e = G.edges["Bappeda", "Dinas"]
    assert e["level"] == 3 and e["reciprocated"]
    assert e["trust"] == pytest.approx(3.0) and e["value"] == pytest.approx(3.0)
    assert not G.edges["Bappeda", "Apindo"]["reciprocated"]
    assert not G.has_edge("Univ", "LSM") and not G.has_edge("LSM", "LSM")
    assert G.graph["self_ties"] == 1
    assert G.nodes["Forum X"]["sector"] == "unknown" and not G.nodes["Forum X"]["in_register"]
    assert G.nodes["Radio"]["sector"] == "media" and G.degree("Radio") == 0  # registered isolate
    m = network_metrics(G)
    assert m["isolates"] == 2 and m["components"] == 4  # {Bappeda,Dinas,Apindo} {Univ,Forum X} LSM Radio
    assert m["mean_level"] == pytest.approx((3 + 1 + 2) / 3)
    assert m["reciprocated_share"] == pytest.approx(1 / 3)
    # A stricter threshold keeps coordinated/integrated ties only.
    G2 = build_network(ties, register, min_level=2)
    assert set(map(frozenset, G2.edges)) == {frozenset({"Bappeda", "Dinas"}), frozenset({"Forum X", "Univ"})}
    # Without a register every node is "unknown"; row order does not change the graph.
    G3 = build_network(ties.iloc[::-1])
    assert {d["sector"] for _, d in G3.nodes(data=True)} == {"unknown"}
    assert list(build_network(ties, register).nodes) == list(build_network(ties.iloc[::-1], register).nodes)


def test_build_network_rejects_bad_input(register):
    with pytest.raises(ValueError, match="partner"):
        build_network(pd.DataFrame({"organisation": ["a"], "level": [1]}))
    with pytest.raises(ValueError, match="level"):
        build_network(_ties([("a", "b", 5, NAN, NAN)]))
    with pytest.raises(ValueError, match="trust"):
        build_network(_ties([("a", "b", 1, 4.5, NAN)]))
    with pytest.raises(ValueError, match="min_level"):
        build_network(_ties([("a", "b", 1, NAN, NAN)]), min_level=0)


def test_sector_ties_and_mixing(register):
    ties = _ties([
        ("Bappeda", "Dinas", 2, NAN, NAN),
        ("Bappeda", "Apindo", 1, NAN, NAN),
        ("Univ", "Dinas", 1, NAN, NAN),
        ("Forum X", "Apindo", 1, NAN, NAN),
    ])
    G = build_network(ties, register)
    st = sector_ties(G)
    assert list(st["sector"]) == [*PENTAHELIX, "unknown"]
    s = st.set_index("sector")
    assert s.loc["pemerintah", "organisations"] == 2 and s.loc["pemerintah", "organisations_tied"] == 2
    assert s.loc["pemerintah", "ties"] == 3 and s.loc["pemerintah", "within_ties"] == 1
    assert s.loc["dunia_usaha", "ties"] == 2
    assert s.loc["masyarakat_sipil", "isolated"] and s.loc["media", "isolated"]   # LSM, Radio
    assert not s.loc["pemerintah", "isolated"] and not s.loc["unknown", "isolated"]
    mix = sector_mixing(G)
    assert list(mix.index) == list(mix.columns) == [*PENTAHELIX, "unknown"]
    assert (mix.to_numpy() == mix.to_numpy().T).all()
    assert mix.loc["pemerintah", "pemerintah"] == 1
    assert mix.loc["pemerintah", "dunia_usaha"] == 1 and mix.loc["akademisi", "pemerintah"] == 1
    assert mix.loc["unknown", "dunia_usaha"] == 1
    upper = np.triu(mix.to_numpy()).sum()
    assert upper == G.number_of_edges()
    # An empty sector is listed but not "isolated" (it is absent, not disconnected).
    assert st.set_index("sector").loc["media", "organisations"] == 1
    no_media = build_network(ties, register[register["sector"] != "media"])
    assert not sector_ties(no_media).set_index("sector").loc["media", "isolated"]


# --------------------------------------------------------------------------------------
# PARTNER scores
# --------------------------------------------------------------------------------------
def test_partner_scores_hand_example(register):
    ties = _ties([
        ("Apindo", "Bappeda", 2, 4.0, 3.0),
        ("Univ", "Bappeda", 1, 3.0, 2.0),
        ("Bappeda", "Apindo", 1, 2.0, NAN),   # trust counts, value missing
        ("LSM", "Apindo", 0, NAN, 4.0),
        ("Radio", "Radio", 3, 1.0, 1.0),      # self-rating: excluded
        ("Univ", "Forum X", 1, 1.0, 1.0),     # partner not registered -> unknown
    ])
    out = partner_scores(ties, register)
    assert list(out["sector"]) == [*PENTAHELIX, "unknown", "all"]
    s = out.set_index("sector")
    assert s.loc["pemerintah", "trust_n"] == 2
    assert s.loc["pemerintah", "trust_mean"] == pytest.approx(3.5)
    assert s.loc["pemerintah", "trust_pct"] == pytest.approx(87.5)
    assert s.loc["pemerintah", "value_mean"] == pytest.approx(2.5)
    assert s.loc["pemerintah", "value_pct"] == pytest.approx(62.5)
    assert s.loc["dunia_usaha", "trust_n"] == 1 and s.loc["dunia_usaha", "trust_pct"] == pytest.approx(50.0)
    assert s.loc["dunia_usaha", "value_n"] == 1 and s.loc["dunia_usaha", "value_pct"] == pytest.approx(100.0)
    assert s.loc["media", "trust_n"] == 0 and math.isnan(s.loc["media", "trust_mean"])
    assert s.loc["unknown", "trust_pct"] == pytest.approx(25.0)
    # all: trust (4 + 3 + 2 + 1) / 4 = 2.5 -> 62.5 %; value (3 + 2 + 4 + 1) / 4 = 2.5
    assert s.loc["all", "trust_n"] == 4 and s.loc["all", "trust_pct"] == pytest.approx(62.5)
    assert s.loc["all", "value_n"] == 4 and s.loc["all", "value_mean"] == pytest.approx(2.5)
    summary = partner_summary(ties)
    assert summary["trust_pct"] == pytest.approx(62.5) and summary["value_n"] == 4
    assert summary["ratings"] == 5 and summary["raters"] == 4 and summary["rated"] == 3
    assert summary["mean_level"] == pytest.approx((2 + 1 + 1 + 0 + 1) / 5)
    by_partner = partner_scores(ties, register, by="partner").set_index("partner")
    assert list(by_partner.index) == ["Apindo", "Bappeda", "Forum X"]
    assert by_partner.loc["Bappeda", "trust_pct"] == pytest.approx(87.5)
    assert by_partner.loc["Forum X", "sector"] == "unknown"


# --------------------------------------------------------------------------------------
# data quality
# --------------------------------------------------------------------------------------
def test_tie_quality_report_counts(register):
    ties = _ties([
        ("Bappeda", "Dinas", 2, 3.0, 3.0),
        ("Bappeda", "Dinas", 2, 3.0, 3.0),     # exact repeat
        ("Univ", "LSM", 1, 3.0, NAN),
        ("Univ", "LSM", 2, 3.0, NAN),          # same pair, different level
        ("Radio", "Radio", 1, NAN, NAN),       # self-tie
        ("Forum X", "Apindo", 1, NAN, NAN),    # organisation not registered
        ("Apindo", "Koperasi Y", 7, 5.0, 0.5), # partner not registered; bad level/trust/value
        (None, "Apindo", 1, NAN, NAN),         # missing name
    ])
    flags = tie_problems(ties, register)
    assert list(flags.columns) == list(TIE_PROBLEMS) and flags.index.equals(ties.index)
    report = tie_quality_report(ties, register).set_index("problem")
    expected = {
        "missing_name": 1, "self_tie": 1, "organisation_unregistered": 1,
        "partner_unregistered": 1, "invalid_level": 1, "trust_out_of_range": 1,
        "value_out_of_range": 1, "exact_duplicate": 1, "conflicting_duplicate": 2,
    }
    assert report["n"].to_dict() == expected
    assert report.loc["organisation_unregistered", "examples"] == "Forum X"
    assert report.loc["partner_unregistered", "examples"] == "Koperasi Y"
    assert report.loc["self_tie", "examples"] == "Radio -> Radio"
    assert set(report.columns) == {"n", "examples"}  # codes only: wording is i18n's
    clean = tie_quality_report(ties.iloc[[0, 2]], register)
    assert clean["n"].sum() == 0
    # The unregistered organisation is also visible in the graph as "unknown".
    G = build_network(ties.iloc[[0, 5]], register)
    assert G.nodes["Forum X"]["sector"] == "unknown"


# --------------------------------------------------------------------------------------
# the programme's own sectors
# --------------------------------------------------------------------------------------
def test_sector_tables_follow_the_programme_sectors():
    from evalkit.measure.network import build_network, partner_scores, sector_mixing, sector_ties
    own = pd.DataFrame({"sector": ["pemda", "lsm", "tokoh_masyarakat"],
                        "pentahelix": ["pemerintah", "masyarakat_sipil", ""]})
    register = pd.DataFrame({"organisation": ["A", "B", "C", "D"],
                             "sector": ["lsm", "pemda", "tokoh_masyarakat", "lsm"]})
    ties = pd.DataFrame({"organisation": ["A", "B"], "partner": ["B", "D"], "level": [2, 1],
                         "trust": [3.0, 4.0], "value": [2.0, 3.0]})
    G = build_network(ties, register, sectors=own)
    st = sector_ties(G)
    assert st["sector"].tolist() == ["pemda", "lsm", "tokoh_masyarakat"]  # no demo rows
    assert st.set_index("sector").at["tokoh_masyarakat", "isolated"]
    assert sector_mixing(G).index.tolist() == ["pemda", "lsm", "tokoh_masyarakat"]
    assert sector_ties(build_network(ties, register), sectors=own)["sector"].tolist() == \
        st["sector"].tolist()
    scores = partner_scores(ties, register, sectors=own)
    assert scores["sector"].tolist() == ["pemda", "lsm", "tokoh_masyarakat", "all"]
