"""Collaboration network of a partnership: who works with whom, how closely, how trusted.

The ``ties`` table comes from a PARTNER-style network survey (Varda et al. 2008):
each responding organisation lists its partners in the forum and, for each, reports

- ``level`` — level of collaboration: 0 none, 1 cooperative (sharing information),
  2 coordinated (joint planning or activities), 3 integrated (shared resources,
  formal agreements);
- ``trust`` — its mean rating of the partner on the three PARTNER trust items
  (reliability, support of the mission, openness to discussion), 1-4;
- ``value`` — its mean rating on the three PARTNER value items (power/influence,
  level of involvement, resource contribution), 1-4.

Columns: ``region_code, organisation, partner, level, trust, value`` (one row per
organisation rating a partner; ``trust``/``value`` may be missing), already filtered
to one region by the caller. The stakeholder ``register`` (``organisation, sector``)
supplies sectors; organisations that appear in the ties but not in the register get
the sector ``"unknown"`` and are reported by :func:`tie_quality_report`.

This module builds the undirected collaboration graph (networkx), computes the
standard whole-network measures (density, Freeman degree centralisation,
components, isolates), finds central organisations, summarises ties by pentahelix
sector, scores trust and value as PARTNER does and detects data problems. Everything is
pure (no file I/O, no drawing: :func:`evalkit.present.figures.network_figure` draws the
graph; codes only, the wording of levels and problems is in :mod:`evalkit.present.i18n`).
Sector order follows the programme's sectors table (``sectors=``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import networkx as nx
import numpy as np
import pandas as pd

from evalkit.core.checks import require_columns
from evalkit.core.domain import UNKNOWN_SECTOR, sector_order

__all__ = [
    "LEVELS",
    "PARTNER_SCALE_MIN",
    "PARTNER_SCALE_MAX",
    "TIE_PROBLEMS",
    "build_network",
    "degree_centralisation",
    "network_metrics",
    "central_organisations",
    "sector_ties",
    "sector_mixing",
    "partner_scores",
    "partner_summary",
    "region_tables",
    "tie_problems",
    "tie_quality_report",
]

#: Levels of collaboration of the PARTNER survey (after Himmelman's continuum).
LEVELS: tuple[int, ...] = (0, 1, 2, 3)

#: End points of the PARTNER trust and value rating scales.
PARTNER_SCALE_MIN = 1.0
PARTNER_SCALE_MAX = 4.0

#: Problems detected by :func:`tie_problems`, in report order.
TIE_PROBLEMS: tuple[str, ...] = (
    "missing_name",
    "self_tie",
    "organisation_unregistered",
    "partner_unregistered",
    "invalid_level",
    "trust_out_of_range",
    "value_out_of_range",
    "exact_duplicate",
    "conflicting_duplicate",
)

_REQUIRED = ["organisation", "partner", "level"]
_ALL = "all"


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------
def _numeric(df: pd.DataFrame, col: str, what: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype="float64")
    s = df[col]
    if pd.api.types.is_bool_dtype(s) or not (pd.api.types.is_numeric_dtype(s) or s.isna().all()):
        raise ValueError(f"{what}: column {col!r} must be numeric (got dtype {s.dtype}).")
    return s.astype("float64")


def _names(s: pd.Series) -> pd.Series:
    """Organisation names as str (missing stays missing)."""
    if s.dtype == "str" and len(s) and not s.isna().any():
        return s.copy()  # already str, none missing: the conversion below returns the same
    return s.astype(object).where(s.notna(), None).map(lambda v: None if v is None else str(v))


def _register_sectors(register: pd.DataFrame | None) -> dict[str, str]:
    """``{organisation: sector}`` from the register (first row wins; missing -> unknown)."""
    if register is None:
        return {}
    require_columns(register, ["organisation", "sector"], "register")
    out: dict[str, str] = {}
    for org, sector in zip(register["organisation"], register["sector"], strict=True):
        if pd.isna(org):
            continue
        sec = UNKNOWN_SECTOR if pd.isna(sector) or str(sector).strip() == "" else str(sector).strip()
        out.setdefault(str(org), sec)
    return out


def _frame(rows: list[tuple], columns: list[str], dtypes: Mapping[str, str]) -> pd.DataFrame:
    """``pd.DataFrame(rows, columns=columns).astype(dtypes)``, built column by column
    (the numeric columns straight as typed arrays; the others inferred as before)."""
    if not rows:
        return pd.DataFrame(rows, columns=columns).astype(dict(dtypes))
    values = list(zip(*rows, strict=True))
    return pd.DataFrame({name: (np.array(col, dtype=dtypes[name]) if name in dtypes
                                else list(col))
                         for name, col in zip(columns, values, strict=True)}, columns=columns)


def _codes(sectors) -> list[str] | None:
    """Sector codes in form order from a sectors table (``sector`` column) or a sequence."""
    if sectors is None:
        return None
    if isinstance(sectors, pd.DataFrame):
        return [str(s) for s in sectors["sector"]]
    return [str(s) for s in sectors]


def _graph_order(G: nx.Graph, sectors) -> list[str] | None:
    """The sector order for tables of ``G``: ``sectors`` when given, else the one
    :func:`build_network` / :func:`region_tables` stored on the graph."""
    codes = _codes(sectors)
    return codes if codes is not None else G.graph.get("sector_order")


def _sector_order(observed, order: Sequence[str] | None = None) -> list[str]:
    """The programme's sectors (``order``, its form order; default the five pentahelix
    keys), then any other sector found, ``unknown`` last (:func:`evalkit.core.domain.sector_order`)."""
    return sector_order(observed, order=order)


def _valid_ties(ties: pd.DataFrame, what: str = "ties") -> pd.DataFrame:
    """Checked copy of the ties: names str, level/trust/value float; raises on bad values."""
    require_columns(ties, _REQUIRED, what)
    org = _names(ties["organisation"])
    partner = _names(ties["partner"])
    missing = org.isna() | partner.isna()
    if missing.any():
        raise ValueError(
            f"{what}: 'organisation' or 'partner' is missing in row(s) "
            f"{list(ties.index[missing][:5])}; see tie_problems()."
        )
    level = _numeric(ties, "level", what)
    lv = level.to_numpy()
    bad = ~np.isnan(lv) & ~np.isin(lv, LEVELS)
    if bad.any():
        raise ValueError(
            f"{what}: column 'level' must be 0, 1, 2 or 3; row(s) {list(ties.index[bad][:5])} "
            f"have {sorted(set(level[bad]))[:5]}. See tie_problems()."
        )
    columns = {"organisation": org, "partner": partner, "level": level}
    for col in ("trust", "value"):
        s = _numeric(ties, col, what)
        x = s.to_numpy()
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(x) & ((x < PARTNER_SCALE_MIN) | (x > PARTNER_SCALE_MAX))
        if bad.any():
            raise ValueError(
                f"{what}: column {col!r} must lie in {PARTNER_SCALE_MIN:g}-{PARTNER_SCALE_MAX:g}; "
                f"row(s) {list(ties.index[bad][:5])} do not. See tie_problems()."
            )
        columns[col] = s
    return pd.DataFrame(columns, index=ties.index)


# --------------------------------------------------------------------------------------
# Graph
# --------------------------------------------------------------------------------------
def build_network(
    ties: pd.DataFrame,
    register: pd.DataFrame | None = None,
    *,
    min_level: int = 1,
    sectors: pd.DataFrame | Sequence[str] | None = None,
) -> nx.Graph:
    """Undirected collaboration graph from the PARTNER-style ties.

    ``sectors`` (the programme's sectors table or codes, form order) is stored as
    ``G.graph["sector_order"]``: the rows of :func:`sector_ties` and
    :func:`sector_mixing` follow it (default: the five pentahelix keys).

    Parameters
    ----------
    ties : pandas.DataFrame
        ``organisation, partner, level`` and optionally ``trust``, ``value`` (see the
        module docstring). ``level`` must be 0-3 or missing (missing = not reported).
    register : pandas.DataFrame, optional
        Stakeholder register (``organisation, sector``). Every registered
        organisation becomes a node, so organisations without any tie appear as
        isolates.
    min_level : {1, 2, 3}, default 1
        Lowest level of collaboration that counts as a tie. 1 keeps every reported
        collaboration; 2 keeps coordinated and integrated work only.

    Returns
    -------
    networkx.Graph
        Nodes: registered organisations plus every organisation named in ``ties``
        (as rater or partner), added in sorted order so the graph, and its layout,
        do not depend on row order. Node attributes: ``sector`` (from the register,
        ``"unknown"`` if absent or blank) and ``in_register`` (bool).

        Edges: ``{u, v}`` when **either** organisation reports a level
        ``>= min_level`` about the other. Edge attributes: ``level`` (the higher of
        the two reports), ``reciprocated`` (both reported ``>= min_level``),
        ``trust`` and ``value`` (mean of the available directional ratings, NaN if
        none).

        Graph attributes: ``min_level``, ``self_ties`` (rows where an organisation
        rated itself; ignored), ``duplicate_rows`` (rows repeating an
        (organisation, partner) pair; the highest level and mean ratings are used).

    Raises
    ------
    ValueError
        If a column is missing, a name is missing, ``level`` is not 0-3, a rating is
        outside 1-4, or ``min_level`` is not 1, 2 or 3.

    Notes
    -----
    The *either-reports* (union) rule symmetrises the directed survey answers. It is
    the usual choice for collaboration ties when not every organisation answered the
    survey: a non-respondent's ties are still seen through its partners' reports
    (Wasserman & Faust 1994, sec. 3.4; Borgatti, Everett & Johnson 2018, ch. 4). Its
    cost is that one-sided claims count; ``reciprocated`` lets the caller check how
    many ties both sides confirm (see :func:`network_metrics`).

    References
    ----------
    .. [1] Wasserman, S., & Faust, K. (1994). *Social Network Analysis: Methods and
           Applications*. Cambridge University Press.
    .. [2] Borgatti, S. P., Everett, M. G., & Johnson, J. C. (2018). *Analyzing
           Social Networks* (2nd ed.). Sage.
    .. [3] Varda, D. M., Chandra, A., Stern, S. A., & Lurie, N. (2008). Core
           dimensions of connectivity in public health collaboratives. *Journal of
           Public Health Management and Practice*, 14(5), E1-E7.
    """
    if min_level not in (1, 2, 3) or isinstance(min_level, bool):
        raise ValueError(f"min_level must be 1, 2 or 3, got {min_level!r}.")
    G = _build_network(_valid_ties(ties), _register_sectors(register), min_level)
    G.graph["sector_order"] = _codes(sectors)
    return G


def _tie_arrays(t: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """Checked ties (:func:`_valid_ties`) as arrays: organisation, partner (object),
    level, trust, value (float)."""
    return (t["organisation"].to_numpy(dtype=object), t["partner"].to_numpy(dtype=object),
            *(t[c].to_numpy(dtype="float64") for c in ("level", "trust", "value")))


class _GroupMean:
    """Running mean of the non-missing values, summed as pandas' groupby ``mean`` does.

    pandas (``_libs.groupby.group_mean``) adds each group's values in row order with
    Kahan compensation and divides by their count; repeating it keeps the directed
    ties' mean ratings bit-for-bit what ``DataFrame.groupby(...).agg("mean")`` gives.
    """

    __slots__ = ("n", "total", "comp")

    def __init__(self) -> None:
        self.n, self.total, self.comp = 0, 0.0, 0.0

    def add(self, val: float) -> None:
        if val != val:  # NaN: skipped
            return
        self.n += 1
        y = val - self.comp
        t = self.total + y
        self.comp = t - self.total - y
        if self.comp != self.comp:
            self.comp = 0.0
        self.total = t

    def value(self) -> float:
        return self.total / self.n if self.n else math.nan


def _mean_of_reports(reports: list[float]) -> float:
    """Mean of the non-missing ratings of a dyad's (at most two) directed reports; the
    same float as ``np.mean`` (which adds two values in order and divides)."""
    x = [r for r in reports if not math.isnan(r)]
    if not x:
        return math.nan
    if len(x) == 1:
        return float(x[0])
    if len(x) == 2:
        return float((x[0] + x[1]) / 2)
    return float(np.mean(x))


def _build_network(t: pd.DataFrame, sectors: dict[str, str], min_level: int) -> nx.Graph:
    """:func:`build_network` of ties already checked by :func:`_valid_ties`.

    The directed ties (highest level, mean trust and value of repeated
    (organisation, partner) rows) are aggregated in one pass over the rows.
    """
    org, partner, level, trust, value = _tie_arrays(t)
    is_self = org == partner
    # every named organisation, self-tie rows included (checked ties have no missing name)
    names = set(sectors) | set(org) | set(partner)
    keep = ~is_self
    directed: dict[tuple[str, str], list] = {}
    for o, p, lv, tr, va in zip(org[keep].tolist(), partner[keep].tolist(), level[keep].tolist(),
                                trust[keep].tolist(), value[keep].tolist(), strict=True):
        d = directed.get((o, p))
        if d is None:
            d = directed[(o, p)] = [math.nan, _GroupMean(), _GroupMean()]
        if lv == lv and not d[0] >= lv:  # max over non-missing levels
            d[0] = lv
        d[1].add(tr)
        d[2].add(va)
    dup_rows = int(keep.sum()) - len(directed)

    G = nx.Graph(min_level=int(min_level), self_ties=int(is_self.sum()), duplicate_rows=dup_rows)
    for name in sorted(names):
        G.add_node(name, sector=sectors.get(name, UNKNOWN_SECTOR), in_register=name in sectors)

    dyads: dict[tuple[str, str], dict[str, list[float]]] = {}
    for (org_, partner_) in sorted(directed):
        lv, tr, va = directed[(org_, partner_)]
        key = (org_, partner_) if org_ < partner_ else (partner_, org_)
        d = dyads.setdefault(key, {"level": [], "trust": [], "value": []})
        d["level"].append(lv)
        d["trust"].append(tr.value())
        d["value"].append(va.value())
    for (u, v), d in sorted(dyads.items()):
        levels = [lv for lv in d["level"] if not math.isnan(lv)]
        if not levels or max(levels) < min_level:
            continue
        G.add_edge(
            u, v,
            level=int(max(levels)),
            reciprocated=sum(lv >= min_level for lv in levels) == 2,
            trust=_mean_of_reports(d["trust"]),
            value=_mean_of_reports(d["value"]),
        )
    return G


def degree_centralisation(G: nx.Graph) -> float:
    """Freeman's degree centralisation of an undirected graph (0 to 1).

    Parameters
    ----------
    G : networkx.Graph
        Undirected, simple graph (self-loops are ignored).

    Returns
    -------
    float
        :math:`C_D = \\sum_i (d_{max} - d_i) / ((n-1)(n-2))`; 1 for a star, 0 when all
        degrees are equal (complete graph, cycle, empty graph). NaN for fewer than
        three nodes, where the maximum is zero.

    Raises
    ------
    ValueError
        If ``G`` is directed.

    Notes
    -----
    The denominator is the largest possible value of the numerator, reached by the
    star graph on :math:`n` nodes (Freeman 1978, eq. 4 with degree centrality;
    Wasserman & Faust 1994, sec. 5.2.1). networkx has node centralities but not this
    graph-level index, so it is computed here.

    References
    ----------
    .. [1] Freeman, L. C. (1978). Centrality in social networks: conceptual
           clarification. *Social Networks*, 1(3), 215-239.
    .. [2] Wasserman, S., & Faust, K. (1994). *Social Network Analysis*. Cambridge
           University Press, sec. 5.2.1.
    """
    if G.is_directed():
        raise ValueError("degree_centralisation: expected an undirected graph.")
    n = G.number_of_nodes()
    if n < 3:
        return math.nan
    # degrees without self-loops (a self-loop adds 2 to networkx's degree)
    adj = G.adj
    degrees = np.array([len(adj[v]) - (v in adj[v]) for v in G], dtype=float)
    return float(np.sum(degrees.max() - degrees) / ((n - 1) * (n - 2)))


def network_metrics(G: nx.Graph) -> dict[str, float | int]:
    """Whole-network measures of the collaboration graph.

    Parameters
    ----------
    G : networkx.Graph
        Usually from :func:`build_network`.

    Returns
    -------
    dict
        ``nodes``, ``edges``; ``density`` (:math:`2m / n(n-1)`, ``nx.density``; NaN
        for fewer than two nodes);
        ``centralisation`` (Freeman degree centralisation,
        :func:`degree_centralisation`; NaN for n < 3); ``components`` (connected
        components, isolates included); ``largest_component`` (nodes in it);
        ``isolates`` (nodes without a tie); ``mean_degree`` (:math:`2m/n`);
        ``mean_level`` (mean ``level`` over edges, NaN without edges or levels);
        ``reciprocated_share`` (share of edges both sides reported; NaN when the
        edges carry no ``reciprocated`` attribute or there are none).

    Notes
    -----
    Density and centralisation follow Wasserman & Faust (1994, secs. 4.2 and
    5.2); centralisation is Freeman's (1978). In small networks both depend
    strongly on size; compare regions of similar size, or over time.

    References
    ----------
    .. [1] Wasserman, S., & Faust, K. (1994). *Social Network Analysis*. Cambridge
           University Press.
    .. [2] Freeman, L. C. (1978). Centrality in social networks: conceptual
           clarification. *Social Networks*, 1(3), 215-239.
    """
    n = G.number_of_nodes()
    m = G.number_of_edges()
    levels = [d.get("level") for _, _, d in G.edges(data=True)]
    levels = [float(x) for x in levels if x is not None and not pd.isna(x)]
    recip = [d["reciprocated"] for _, _, d in G.edges(data=True) if "reciprocated" in d]
    return {
        "nodes": n,
        "edges": m,
        "density": float(nx.density(G)) if n > 1 else math.nan,
        "centralisation": degree_centralisation(G),
        "components": nx.number_connected_components(G) if n else 0,
        "largest_component": max((len(c) for c in nx.connected_components(G)), default=0),
        "isolates": nx.number_of_isolates(G),
        "mean_degree": 2 * m / n if n else math.nan,
        "mean_level": float(np.mean(levels)) if levels else math.nan,
        "reciprocated_share": (float(np.mean(recip)) if recip and len(recip) == m else math.nan),
    }


def central_organisations(G: nx.Graph, k: int | None = 5) -> pd.DataFrame:
    """The ``k`` most connected organisations, with degree and betweenness.

    Parameters
    ----------
    G : networkx.Graph
        Collaboration graph (node attribute ``sector`` used when present).
    k : int or None, default 5
        Number of rows; ``None`` for every organisation.

    Returns
    -------
    pandas.DataFrame
        Columns ``organisation, sector, degree`` (number of partners),
        ``degree_centrality`` (degree / (n - 1)), ``betweenness`` (normalised
        betweenness centrality: share of shortest paths between other pairs that
        pass through the organisation, ``nx.betweenness_centrality``). Sorted by
        degree (descending), then betweenness (descending), then name, so ties are
        broken the same way on every run.

    References
    ----------
    .. [1] Freeman, L. C. (1978). Centrality in social networks: conceptual
           clarification. *Social Networks*, 1(3), 215-239.
    .. [2] Brandes, U. (2001). A faster algorithm for betweenness centrality.
           *Journal of Mathematical Sociology*, 25(2), 163-177.
    """
    if k is not None and (not isinstance(k, (int, np.integer)) or k < 0):
        raise ValueError(f"k must be a non-negative integer or None, got {k!r}.")
    n = G.number_of_nodes()
    between = nx.betweenness_centrality(G, normalized=True) if n else {}
    rows = [
        (str(v), G.nodes[v].get("sector", UNKNOWN_SECTOR), int(d),
         d / (n - 1) if n > 1 else math.nan, float(between.get(v, 0.0)))
        for v, d in G.degree()
    ]
    # Round betweenness for ordering only: float noise must not reorder equal values.
    rounded = np.round(np.array([r[4] for r in rows], dtype="float64"), 12).tolist()
    order = sorted(range(len(rows)), key=lambda i: (-rows[i][2], -rounded[i], rows[i][0]))
    if k is not None:
        order = order[:k]
    return _frame([rows[i] for i in order],
                  ["organisation", "sector", "degree", "degree_centrality", "betweenness"],
                  {"degree": "int64", "degree_centrality": "float64", "betweenness": "float64"})


def _node_sectors(G: nx.Graph) -> dict:
    return {v: G.nodes[v].get("sector", UNKNOWN_SECTOR) for v in G.nodes}


def sector_ties(G: nx.Graph, sectors: pd.DataFrame | Sequence[str] | None = None
                ) -> pd.DataFrame:
    """Ties of each of the programme's sectors, and sectors left out of the network.

    Parameters
    ----------
    G : networkx.Graph
        Collaboration graph with node attribute ``sector``.
    sectors : DataFrame or sequence of str, optional
        The programme's sectors (``sectors.parquet`` or its codes) in form order;
        default the order stored on ``G`` by :func:`build_network`, else the five
        pentahelix keys.

    Returns
    -------
    pandas.DataFrame
        One row per programme sector (always all of them, form order), then any
        other sector found (e.g. ``"unknown"``). Columns ``sector``,
        ``organisations`` (nodes of the sector), ``organisations_tied`` (with at
        least one tie), ``ties`` (edges with at least one end in the sector),
        ``within_ties`` (edges with both ends in it), ``between_ties`` (``ties -
        within_ties``), ``isolated`` (True when the sector has organisations but none
        of them has a tie: the sector is outside the collaboration network).
    """
    sec = _node_sectors(G)
    order = _sector_order(sec.values(), _graph_order(G, sectors))
    nodes = dict.fromkeys(order, 0)
    tied = dict.fromkeys(order, 0)
    within = dict.fromkeys(order, 0)
    between = dict.fromkeys(order, 0)
    for v, d in G.degree():
        nodes[sec[v]] += 1
        tied[sec[v]] += d > 0
    for u, v in G.edges():  # one pass over the ties, not one per sector
        a, b = sec[u], sec[v]
        if a == b:
            within[a] += 1
        else:
            between[a] += 1
            between[b] += 1
    rows = [(sector, nodes[sector], tied[sector], within[sector] + between[sector],
             within[sector], between[sector], nodes[sector] > 0 and tied[sector] == 0)
            for sector in order]
    ints = ["organisations", "organisations_tied", "ties", "within_ties", "between_ties"]
    return _frame(rows, ["sector", *ints, "isolated"],
                  {**dict.fromkeys(ints, "int64"), "isolated": "bool"})


def sector_mixing(G: nx.Graph, sectors: pd.DataFrame | Sequence[str] | None = None
                  ) -> pd.DataFrame:
    """Sector x sector matrix of tie counts.

    Parameters
    ----------
    G : networkx.Graph
        Collaboration graph with node attribute ``sector``.
    sectors : DataFrame or sequence of str, optional
        The programme's sectors in form order (as for :func:`sector_ties`).

    Returns
    -------
    pandas.DataFrame
        Square, symmetric, int64; index and columns are the programme's sectors
        (default the five pentahelix keys) then any other sector found. Cell (a, b),
        a != b, counts ties between an organisation of sector a and one of sector b;
        the diagonal counts ties within a sector. Each tie is counted once in the
        upper triangle plus diagonal, so ``G.number_of_edges() == diagonal + upper
        triangle``.

    Notes
    -----
    This is the (unnormalised) mixing matrix of Newman (2003); from it follow
    homophily summaries such as Krackhardt & Stern's (1988) E-I index.

    References
    ----------
    .. [1] Newman, M. E. J. (2003). Mixing patterns in networks. *Physical Review
           E*, 67(2), 026126.
    .. [2] Krackhardt, D., & Stern, R. N. (1988). Informal networks and
           organizational crises. *Social Psychology Quarterly*, 51(2), 123-140.
    """
    sec = _node_sectors(G)
    order = _sector_order(sec.values(), _graph_order(G, sectors))
    idx = {s: i for i, s in enumerate(order)}
    mat = np.zeros((len(order), len(order)), dtype="int64")
    for u, v in G.edges():
        i, j = idx[sec[u]], idx[sec[v]]
        mat[i, j] += 1
        if i != j:
            mat[j, i] += 1
    out = pd.DataFrame(mat, index=pd.Index(order, name="sector"), columns=order)
    return out


# --------------------------------------------------------------------------------------
# PARTNER trust and value
# --------------------------------------------------------------------------------------
def _score_block(block: pd.DataFrame) -> tuple:
    return _score_arrays(block["trust"].to_numpy(dtype="float64"),
                         block["value"].to_numpy(dtype="float64"))


def _score_arrays(trust: np.ndarray, value: np.ndarray) -> tuple:
    out = []
    for s in (trust, value):
        s = s[~np.isnan(s)]
        mean = float(s.sum() / s.size) if s.size else math.nan  # as pandas' Series.mean
        out += [s.size, mean, mean / PARTNER_SCALE_MAX * 100]
    return tuple(out)


_SCORE_COLUMNS = ["trust_n", "trust_mean", "trust_pct", "value_n", "value_mean", "value_pct"]
_SCORE_DTYPES = {"trust_n": "int64", "value_n": "int64", "trust_mean": "float64",
                 "trust_pct": "float64", "value_mean": "float64", "value_pct": "float64"}


def partner_scores(
    ties: pd.DataFrame,
    register: pd.DataFrame | None = None,
    *,
    by: Literal["sector", "partner"] = "sector",
    sectors: pd.DataFrame | Sequence[str] | None = None,
) -> pd.DataFrame:
    """PARTNER trust and value scores of the rated partners, by sector or partner.

    ``sectors`` (the programme's sectors table or codes, form order) gives the rows of
    ``by="sector"`` (default: the five pentahelix keys first).

    Parameters
    ----------
    ties : pandas.DataFrame
        ``organisation, partner, level`` and ``trust``, ``value`` (1-4 or missing).
    register : pandas.DataFrame, optional
        Stakeholder register (``organisation, sector``), giving each rated partner's
        sector; partners not in it (or every partner, without a register) are
        ``"unknown"``.
    by : {"sector", "partner"}, default "sector"
        ``"sector"``: one row per sector of the rated partner (how trusted and
        valued each sector is by the others), the programme's sectors (``sectors``;
        default the five pentahelix keys) always,
        then others, then ``sector="all"``. ``"partner"``: one row per rated
        organisation, sorted by name.

    Returns
    -------
    pandas.DataFrame
        ``sector`` (and ``partner`` first, with ``by="partner"``), then for trust and
        value: ``*_n`` (number of ratings used), ``*_mean`` (mean rating, 1-4) and
        ``*_pct`` (``mean / 4 * 100``). NaN where there is no rating.

    Raises
    ------
    ValueError
        If a column is missing, a name is missing, a level is not 0-3 or a rating is
        outside 1-4.

    Notes
    -----
    Each row of ``ties`` carries one rater's trust (mean of reliability, support of
    the mission, openness to discussion) and value (mean of power/influence,
    involvement, resource contribution) for one partner. The score of a group of
    partners is the plain mean of all ratings they received, each (rater, partner)
    rating weighted equally, missing ratings skipped; self-ratings are excluded.
    Ratings are used whatever the reported level (the survey asks them about listed
    partners). The percentage of the maximum, :math:`\\bar r / 4 \\times 100`,
    follows the PARTNER reports' convention; since the scale starts at 1 its floor
    is 25 %, not 0. Repeated (organisation, partner) rows are counted as given:
    resolve them in cleaning (see :func:`tie_quality_report`).

    References
    ----------
    .. [1] Varda, D. M., Chandra, A., Stern, S. A., & Lurie, N. (2008). Core
           dimensions of connectivity in public health collaboratives. *Journal of
           Public Health Management and Practice*, 14(5), E1-E7.
    .. [2] Varda, D. M., et al. PARTNER: Program to Analyze, Record, and Track
           Networks to Enhance Relationships. University of Colorado Denver,
           https://partnertool.net.
    """
    if by not in ("sector", "partner"):
        raise ValueError(f"by must be 'sector' or 'partner', got {by!r}.")
    return _partner_scores(_valid_ties(ties), _register_sectors(register), by, _codes(sectors))


def _partner_scores(t: pd.DataFrame, sectors: dict[str, str], by: str,
                    order: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`partner_scores` of ties already checked by :func:`_valid_ties`."""
    if by == "partner":
        t = t[t["organisation"] != t["partner"]]
        t = t.assign(sector=t["partner"].map(lambda p: sectors.get(p, UNKNOWN_SECTOR)))
        rows = [(p, block["sector"].iloc[0], *_score_block(block))
                for p, block in t.groupby("partner", sort=True)]
        out = pd.DataFrame(rows, columns=["partner", "sector", *_SCORE_COLUMNS])
    else:
        org, partner, _, trust, value = _tie_arrays(t)
        keep = org != partner
        trust, value = trust[keep], value[keep]
        sector_of = np.array([sectors.get(p, UNKNOWN_SECTOR) for p in partner[keep].tolist()],
                             dtype=object)
        rows = []
        for s in _sector_order(sector_of, order):
            mask = sector_of == s
            rows.append((s, *_score_arrays(trust[mask], value[mask])))
        rows.append((_ALL, *_score_arrays(trust, value)))
        return _frame(rows, ["sector", *_SCORE_COLUMNS], _SCORE_DTYPES)
    return out.astype(_SCORE_DTYPES)


def partner_summary(ties: pd.DataFrame) -> dict[str, float | int]:
    """Overall PARTNER trust and value scores of the network.

    Parameters
    ----------
    ties : pandas.DataFrame
        As for :func:`partner_scores`.

    Returns
    -------
    dict
        ``raters`` (distinct rating organisations), ``rated`` (distinct partners),
        ``ratings`` (rows, self-ratings excluded), ``trust_n``, ``trust_mean``,
        ``trust_pct``, ``value_n``, ``value_mean``, ``value_pct`` (as the ``all``
        row of :func:`partner_scores`), and ``mean_level`` (mean reported level of
        collaboration over rows with a level).

    References
    ----------
    .. [1] Varda, D. M., Chandra, A., Stern, S. A., & Lurie, N. (2008). Core
           dimensions of connectivity in public health collaboratives. *Journal of
           Public Health Management and Practice*, 14(5), E1-E7.
    """
    return _partner_summary(_valid_ties(ties))


def _partner_summary(t: pd.DataFrame) -> dict[str, float | int]:
    """:func:`partner_summary` of ties already checked by :func:`_valid_ties`."""
    org, partner, level, trust, value = _tie_arrays(t)
    keep = org != partner
    scores = dict(zip(_SCORE_COLUMNS, _score_arrays(trust[keep], value[keep]), strict=True))
    lv = level[keep]
    lv = lv[~np.isnan(lv)]
    return {
        "raters": len(set(org[keep].tolist())),
        "rated": len(set(partner[keep].tolist())),
        "ratings": int(keep.sum()),
        **{k: (int(v) if k.endswith("_n") else float(v)) for k, v in scores.items()},
        "mean_level": float(lv.sum() / lv.size) if lv.size else math.nan,
    }


def region_tables(ties: pd.DataFrame, register: pd.DataFrame | None = None, *, k: int = 5,
                  sector_order: pd.DataFrame | Sequence[str] | None = None
                  ) -> tuple[dict, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One region's network tables, with the ties checked once.

    Returns ``(metrics, central, sectors, scores)``: :func:`network_metrics` of
    :func:`build_network` merged with :func:`partner_summary` (its keys prefixed
    ``partner_``), :func:`central_organisations` (``k`` rows), :func:`sector_ties` and
    :func:`partner_scores` by sector -- the same values as calling each function,
    which would check and convert the ties three times. ``sector_order`` is the
    programme's sectors in form order (the rows of the sector tables; default the five
    pentahelix keys).
    """
    t = _valid_ties(ties)
    sectors = _register_sectors(register)
    graph = _build_network(t, sectors, 1)
    sector_order = _codes(sector_order)
    graph.graph["sector_order"] = sector_order
    metrics = {**network_metrics(graph),
               **{f"partner_{key}": v for key, v in _partner_summary(t).items()}}
    return (metrics, central_organisations(graph, k=k), sector_ties(graph),
            _partner_scores(t, sectors, "sector", sector_order))


# --------------------------------------------------------------------------------------
# Data quality
# --------------------------------------------------------------------------------------
def tie_problems(ties: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """Flag problem rows of the ties table, one boolean column per problem.

    Parameters
    ----------
    ties : pandas.DataFrame
        Raw or cleaned ties (``organisation, partner, level``; ``trust``, ``value``
        optional). Values are not required to be valid: this is the detector.
    register : pandas.DataFrame
        Stakeholder register (``organisation``).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``ties``; one bool column per key of :data:`TIE_PROBLEMS`:

        - ``missing_name``: organisation or partner missing;
        - ``self_tie``: organisation equals partner;
        - ``organisation_unregistered`` / ``partner_unregistered``: the name is not
          in the register;
        - ``invalid_level``: ``level`` present but not 0-3 (or not a number);
        - ``trust_out_of_range`` / ``value_out_of_range``: present but not a number
          in 1-4;
        - ``exact_duplicate``: the row repeats an earlier row's (organisation,
          partner, level, trust, value), first occurrence not flagged;
        - ``conflicting_duplicate``: the (organisation, partner) pair occurs more
          than once with different level/trust/value (every such row flagged).

    Raises
    ------
    ValueError
        If a required column is missing.
    """
    require_columns(ties, _REQUIRED, "ties")
    require_columns(register, ["organisation"], "register")
    registered = set(_names(register["organisation"]).dropna())
    org = _names(ties["organisation"])
    partner = _names(ties["partner"])
    values = {}
    for col in ("level", "trust", "value"):
        raw = ties[col] if col in ties.columns else pd.Series(np.nan, index=ties.index)
        values[col] = pd.to_numeric(raw.astype(object), errors="coerce").astype("float64")
        values[col + "_unreadable"] = raw.notna() & values[col].isna()
    level, trust, value = values["level"], values["trust"], values["value"]

    out = pd.DataFrame(index=ties.index)
    out["missing_name"] = org.isna() | partner.isna()
    out["self_tie"] = org.notna() & (org == partner)
    out["organisation_unregistered"] = org.notna() & ~org.isin(registered)
    out["partner_unregistered"] = partner.notna() & ~partner.isin(registered)
    out["invalid_level"] = values["level_unreadable"] | (level.notna() & ~level.isin(LEVELS))
    for col, s in (("trust", trust), ("value", value)):
        out[f"{col}_out_of_range"] = values[f"{col}_unreadable"] | (
            s.notna() & ((s < PARTNER_SCALE_MIN) | (s > PARTNER_SCALE_MAX))
        )
    key = pd.DataFrame({"o": org.fillna("\x00"), "p": partner.fillna("\x00"),
                        "l": level, "t": trust, "v": value}, index=ties.index)
    out["exact_duplicate"] = key.duplicated(keep="first")
    distinct = key.drop_duplicates().groupby(["o", "p"], sort=False).size()
    conflicting = set(distinct[distinct > 1].index)
    out["conflicting_duplicate"] = [
        (o, p) in conflicting for o, p in zip(key["o"], key["p"], strict=True)
    ]
    out = out.astype(bool)
    return out[list(TIE_PROBLEMS)]


def tie_quality_report(
    ties: pd.DataFrame,
    register: pd.DataFrame,
    *,
    examples: int = 3,
) -> pd.DataFrame:
    """Count each kind of problem in the ties table, with a few examples.

    Parameters
    ----------
    ties, register : pandas.DataFrame
        As for :func:`tie_problems`.
    examples : int, default 3
        How many example pairs to list per problem.

    Returns
    -------
    pandas.DataFrame
        One row per key of :data:`TIE_PROBLEMS` (always all of them, in order):
        ``problem`` (the key; its wording is the presentation's:
        ``evalkit.present.i18n.text("tie_problem_" + problem, lang)``), ``n`` (rows
        flagged) and ``examples`` (``"organisation -> partner"``
        of the first flagged rows, ``"; "``-separated; for the unregistered
        problems, the distinct unregistered names instead). ``n.sum() == 0`` means
        clean.
    """
    flags = tie_problems(ties, register)
    org = _names(ties["organisation"])
    partner = _names(ties["partner"])
    rows = []
    for problem in TIE_PROBLEMS:
        mask = flags[problem]
        if problem == "organisation_unregistered":
            ex = list(pd.unique(org[mask]))[:examples]
        elif problem == "partner_unregistered":
            ex = list(pd.unique(partner[mask]))[:examples]
        else:
            ex = [f"{o} -> {p}" for o, p in zip(org[mask], partner[mask], strict=True)][:examples]
        rows.append((problem, int(mask.sum()), "; ".join(map(str, ex))))
    out = pd.DataFrame(rows, columns=["problem", "n", "examples"])
    out["n"] = out["n"].astype("int64")
    return out
