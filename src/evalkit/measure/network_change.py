"""Change of a partnership's collaboration network between survey waves.

The network survey (PARTNER-style ties, see :mod:`evalkit.measure.network`) and the
stakeholder register are repeated in *waves* (``wave`` column; a register row with a
missing wave holds for every wave). This module describes, for ONE region:

- :func:`wave_network` -- each wave's whole-network measures (organisations, ties,
  density, Freeman degree centralisation, PARTNER trust and value, isolates), computed
  exactly as the latest-wave tables (:func:`evalkit.measure.network.region_tables`) do;
- :func:`network_change` -- ties gained, lost and kept between two waves, the change of
  density and centralisation, and the change of the organisations' mean PARTNER trust
  and value with a confidence interval that counts the same organisation rated in both
  waves as one cluster (:func:`evalkit.measure.change.wave_change`);
- :func:`role_changes` -- organisations that became (or stopped being) one of the most
  central, or became (or stopped being) isolated.

Pure: no file I/O, no drawing; codes only (the wording of the changes is the
presentation's, :mod:`evalkit.present.i18n`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd

from evalkit.core.config import CI_LEVEL
from evalkit.core.domain import UNKNOWN_SECTOR
from evalkit.measure import network
from evalkit.measure.change import wave_change
from evalkit.read.waves import at_wave

__all__ = [
    "NETWORK_WAVE_COLUMNS",
    "NETWORK_CHANGE_KEYS",
    "ROLE_CHANGES",
    "ROLE_CHANGE_COLUMNS",
    "wave_network",
    "network_change",
    "role_changes",
]

#: Columns of :func:`wave_network` (one row per wave).
NETWORK_WAVE_COLUMNS = ["wave", "organisations", "ties", "density", "centralisation",
                        "mean_trust", "mean_value", "isolated"]

#: Keys of :func:`network_change`, in table order.
NETWORK_CHANGE_KEYS = ["ties_gained", "ties_lost", "ties_kept", "density_change",
                       "centralisation_change", "trust_change", "trust_ci_low",
                       "trust_ci_upp", "value_change", "value_ci_low", "value_ci_upp"]

#: Kinds of role change found by :func:`role_changes`, in table order.
ROLE_CHANGES = ("became_central", "no_longer_central", "became_isolated",
                "no_longer_isolated")

#: Columns of :func:`role_changes`.
ROLE_CHANGE_COLUMNS = ["organisation", "sector", "change", "degree_from", "degree_to"]

_TIE_COLUMNS = ["organisation", "partner", "level", "trust", "value"]
_WAVE_DTYPES = {"wave": "str", "organisations": "int64", "ties": "int64",
                "density": "float64", "centralisation": "float64", "mean_trust": "float64",
                "mean_value": "float64", "isolated": "int64"}


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------
def _at_wave(frame: pd.DataFrame | None, wave: str) -> pd.DataFrame | None:
    """Rows of ``wave``, rows with a missing wave included; a frame without a ``wave``
    column whole (:func:`evalkit.read.waves.at_wave`); ``None`` stays ``None``."""
    return None if frame is None else at_wave(frame, wave)


def _wave_ties(ties: pd.DataFrame, wave: str) -> pd.DataFrame:
    """That wave's ties in the columns :mod:`evalkit.measure.network` reads."""
    t = _at_wave(ties, wave)
    return t[[c for c in _TIE_COLUMNS if c in t.columns]]


def _wave_graph(ties: pd.DataFrame, register: pd.DataFrame | None, wave: str) -> nx.Graph:
    return network.build_network(_wave_ties(ties, wave), _at_wave(register, wave))


def _check_waves(from_wave, to_wave) -> tuple[str, str]:
    if from_wave is None or to_wave is None:
        raise ValueError(f"from_wave and to_wave are both needed (got {from_wave!r}, "
                         f"{to_wave!r}).")
    if str(from_wave) == str(to_wave):
        raise ValueError(f"from_wave and to_wave are the same wave ({from_wave!r}): "
                         "a change needs two different waves.")
    return str(from_wave), str(to_wave)


def _edges(G: nx.Graph) -> set[frozenset]:
    return {frozenset((u, v)) for u, v in G.edges() if u != v}


# --------------------------------------------------------------------------------------
# Each wave's network
# --------------------------------------------------------------------------------------
def wave_network(ties: pd.DataFrame, register: pd.DataFrame | None = None, *,
                 waves: Sequence[str]) -> pd.DataFrame:
    """Whole-network measures of one region's collaboration network in each wave.

    Parameters
    ----------
    ties : pandas.DataFrame
        One region's ties (``organisation, partner, level`` and optionally ``trust``,
        ``value``; see :mod:`evalkit.measure.network`) with a ``wave`` column. Without
        one the same ties are used for every wave.
    register : pandas.DataFrame, optional
        The region's stakeholder register (``organisation, sector`` and optionally
        ``wave``; rows with a missing wave count for every wave).
    waves : sequence of str
        The waves, in order (one output row each, also for a wave without ties).

    Returns
    -------
    pandas.DataFrame
        :data:`NETWORK_WAVE_COLUMNS`: ``wave``; ``organisations`` (nodes: registered
        plus named in that wave's ties), ``ties`` (undirected ties,
        :func:`evalkit.measure.network.build_network`), ``density``, ``centralisation``
        (Freeman degree centralisation), ``isolated`` (organisations without a tie)
        from :func:`evalkit.measure.network.network_metrics`; ``mean_trust``,
        ``mean_value`` (the PARTNER trust and value score, 1-4: mean of all ratings
        of the wave, :func:`evalkit.measure.network.partner_summary`). The values are
        those :func:`evalkit.measure.network.region_tables` gives on the wave's ties
        and register, so the latest wave's row equals the latest-wave
        ``network_metrics`` table. A wave without ties has density 0 (NaN with fewer
        than two organisations) and NaN trust and value.

    Notes
    -----
    Density :math:`2m/(n(n-1))` and centralisation
    :math:`\\sum_i (d_{max}-d_i)/((n-1)(n-2))` (Wasserman & Faust 1994, secs. 4.2,
    5.2; Freeman 1978) depend on the number of organisations :math:`n`: when the
    register grows between waves, read a change of density together with the change
    of :math:`n`.

    References
    ----------
    .. [1] Wasserman, S., & Faust, K. (1994). *Social Network Analysis: Methods and
           Applications*. Cambridge University Press.
    .. [2] Freeman, L. C. (1978). Centrality in social networks: conceptual
           clarification. *Social Networks*, 1(3), 215-239.
    .. [3] Varda, D. M., Chandra, A., Stern, S. A., & Lurie, N. (2008). Core
           dimensions of connectivity in public health collaboratives. *Journal of
           Public Health Management and Practice*, 14(5), E1-E7.
    """
    if isinstance(waves, str):
        raise ValueError(f"waves must be a list of wave labels, got the string {waves!r}.")
    rows = []
    for wave in waves:
        metrics, *_ = network.region_tables(_wave_ties(ties, str(wave)),
                                            _at_wave(register, str(wave)), k=0)
        rows.append((str(wave), metrics["nodes"], metrics["edges"], metrics["density"],
                     metrics["centralisation"], metrics["partner_trust_mean"],
                     metrics["partner_value_mean"], metrics["isolates"]))
    return pd.DataFrame(rows, columns=NETWORK_WAVE_COLUMNS).astype(_WAVE_DTYPES)


# --------------------------------------------------------------------------------------
# Change between two waves
# --------------------------------------------------------------------------------------
def _organisation_scores(ties: pd.DataFrame, register: pd.DataFrame | None,
                         waves: tuple[str, str]) -> pd.DataFrame:
    """``organisation, wave, trust, value``: each rated organisation's PARTNER score
    (mean rating by its partners) in each of the two waves."""
    parts = []
    for wave in waves:
        s = network.partner_scores(_wave_ties(ties, wave), _at_wave(register, wave),
                                   by="partner")
        parts.append(pd.DataFrame({"organisation": s["partner"].astype(object),
                                   "wave": wave, "trust": s["trust_mean"],
                                   "value": s["value_mean"]}))
    return pd.concat(parts, ignore_index=True)


def _score_change(scores: pd.DataFrame, y: str, from_wave: str, to_wave: str,
                  ci: float) -> tuple[float, float, float]:
    data = scores.loc[scores[y].notna(), ["organisation", "wave", y]]
    counts = data["wave"].value_counts()
    if counts.get(from_wave, 0) < 2 or counts.get(to_wave, 0) < 2:
        return math.nan, math.nan, math.nan
    est = wave_change(data, from_wave=from_wave, to_wave=to_wave, y=y, wave="wave",
                      cluster="organisation", ci=ci)
    return float(est.estimate), float(est.ci_low), float(est.ci_upp)


def network_change(ties: pd.DataFrame, register: pd.DataFrame | None = None, *,
                   from_wave: str, to_wave: str, ci: float = CI_LEVEL) -> dict:
    """How one region's collaboration network changed from one wave to another.

    Parameters
    ----------
    ties, register : pandas.DataFrame
        As for :func:`wave_network` (``wave`` columns).
    from_wave, to_wave : str
        The two waves compared (usually the previous and the latest).
    ci : float, default :data:`evalkit.core.config.CI_LEVEL`
        Level of the trust and value intervals.

    Returns
    -------
    dict
        :data:`NETWORK_CHANGE_KEYS`:

        - ``ties_gained``, ``ties_lost``, ``ties_kept`` (int): undirected ties
          (pairs of organisations, as :func:`evalkit.measure.network.build_network`
          forms them: either side reports a level >= 1) present only in ``to_wave``,
          only in ``from_wave``, in both;
        - ``density_change``, ``centralisation_change``: ``to - from`` of
          :func:`wave_network`'s values (NaN where either is NaN);
        - ``trust_change``, ``trust_ci_low``, ``trust_ci_upp`` and the same for
          ``value``: change of the mean over organisations of each organisation's
          PARTNER score (its mean rating by its partners,
          :func:`evalkit.measure.network.partner_scores` ``by="partner"``), with its
          ``ci`` confidence interval; NaN when a wave has fewer than two rated
          organisations.

    Raises
    ------
    ValueError
        If ``from_wave == to_wave``, or a column or value of the ties is invalid.

    Notes
    -----
    The trust (value) change is estimated on one row per rated organisation and wave
    by :func:`evalkit.measure.change.wave_change` with ``cluster="organisation"``:
    the difference of the two waves' means, its variance by Taylor linearisation
    with organisations as clusters (Binder 1983), so the covariance created by the
    same organisation being rated in both waves is counted; the interval is a t
    interval with clusters - 1 degrees of freedom. Organisations, not ratings, are
    the units: an organisation rated by many partners weighs as much as one rated by
    a few, and the ratings of one organisation (not independent) are averaged first,
    as the PARTNER tool reports per-organisation scores (Varda et al. 2008). This is
    why ``trust_change`` need not equal the difference of :func:`wave_network`'s
    ``mean_trust``, the mean over all ratings. Ties counted by pair, not by row, so a
    tie reported by both sides counts once (Wasserman & Faust 1994, sec. 3.4).

    References
    ----------
    .. [1] Varda, D. M., Chandra, A., Stern, S. A., & Lurie, N. (2008). Core
           dimensions of connectivity in public health collaboratives. *Journal of
           Public Health Management and Practice*, 14(5), E1-E7.
    .. [2] Wasserman, S., & Faust, K. (1994). *Social Network Analysis*. Cambridge
           University Press.
    .. [3] Freeman, L. C. (1978). Centrality in social networks: conceptual
           clarification. *Social Networks*, 1(3), 215-239.
    .. [4] Binder, D. A. (1983). On the variances of asymptotically normal estimators
           from complex surveys. *International Statistical Review*, 51(3), 279-292.
    """
    from_wave, to_wave = _check_waves(from_wave, to_wave)
    g_from = _wave_graph(ties, register, from_wave)
    g_to = _wave_graph(ties, register, to_wave)
    e_from, e_to = _edges(g_from), _edges(g_to)
    m_from, m_to = network.network_metrics(g_from), network.network_metrics(g_to)
    scores = _organisation_scores(ties, register, (from_wave, to_wave))
    trust = _score_change(scores, "trust", from_wave, to_wave, ci)
    value = _score_change(scores, "value", from_wave, to_wave, ci)
    return {
        "ties_gained": len(e_to - e_from),
        "ties_lost": len(e_from - e_to),
        "ties_kept": len(e_from & e_to),
        "density_change": float(m_to["density"] - m_from["density"]),
        "centralisation_change": float(m_to["centralisation"] - m_from["centralisation"]),
        "trust_change": trust[0], "trust_ci_low": trust[1], "trust_ci_upp": trust[2],
        "value_change": value[0], "value_ci_low": value[1], "value_ci_upp": value[2],
    }


def role_changes(ties: pd.DataFrame, register: pd.DataFrame | None = None, *,
                 from_wave: str, to_wave: str, k: int = 5) -> pd.DataFrame:
    """Organisations whose place in the network changed between two waves.

    Parameters
    ----------
    ties, register : pandas.DataFrame
        As for :func:`wave_network` (``wave`` columns).
    from_wave, to_wave : str
        The two waves compared.
    k : int, default 5
        How many of the most central organisations count as central (the ``k`` rows
        of :func:`evalkit.measure.network.central_organisations`, as the reports list
        them).

    Returns
    -------
    pandas.DataFrame
        :data:`ROLE_CHANGE_COLUMNS`, one row per organisation and change (an
        organisation can have two: ``no_longer_central`` and ``became_isolated``):
        ``organisation``; ``sector`` (in ``to_wave``, else ``from_wave``);
        ``change`` (:data:`ROLE_CHANGES`):

        - ``became_central`` / ``no_longer_central``: among the ``k`` most central in
          ``to_wave`` but not ``from_wave`` / the reverse;
        - ``became_isolated`` / ``no_longer_isolated``: registered and without a tie
          in ``to_wave`` but tied in ``from_wave`` / the reverse;

        ``degree_from``, ``degree_to`` (number of partners in each wave). Sorted by
        change (that order), then organisation. Only organisations present in both
        waves (registered, or named in the ties, in each) are compared: joining or
        leaving the forum is not a change of role.

    Raises
    ------
    ValueError
        If ``from_wave == to_wave``, ``k`` is not a non-negative integer, or the ties
        are invalid.

    Notes
    -----
    Central = among the ``k`` organisations with most partners (degree; ties broken
    by betweenness, then name; Freeman 1978), and with at least one partner: in a
    wave without ties nobody is central. Being isolated (degree 0 while registered)
    marks an organisation outside the collaboration (Wasserman & Faust 1994, sec.
    4.2; the PARTNER tool's network maps show them apart, Varda et al. 2008).

    References
    ----------
    .. [1] Freeman, L. C. (1978). Centrality in social networks: conceptual
           clarification. *Social Networks*, 1(3), 215-239.
    .. [2] Wasserman, S., & Faust, K. (1994). *Social Network Analysis*. Cambridge
           University Press.
    .. [3] Varda, D. M., Chandra, A., Stern, S. A., & Lurie, N. (2008). Core
           dimensions of connectivity in public health collaboratives. *Journal of
           Public Health Management and Practice*, 14(5), E1-E7.
    """
    from_wave, to_wave = _check_waves(from_wave, to_wave)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"k must be a non-negative integer, got {k!r}.")
    g_from = _wave_graph(ties, register, from_wave)
    g_to = _wave_graph(ties, register, to_wave)

    def central(G: nx.Graph) -> set[str]:
        c = network.central_organisations(G, k=int(k))
        return set(c.loc[c["degree"] > 0, "organisation"])

    def isolated(G: nx.Graph) -> set[str]:
        return {str(v) for v, d in G.degree() if d == 0 and G.nodes[v].get("in_register")}

    both = set(g_from.nodes) & set(g_to.nodes)
    c_from, c_to = central(g_from), central(g_to)
    i_from, i_to = isolated(g_from), isolated(g_to)
    found = {
        "became_central": c_to - c_from,
        "no_longer_central": c_from - c_to,
        "became_isolated": i_to - i_from,
        "no_longer_isolated": i_from - i_to,
    }
    rows = []
    for change in ROLE_CHANGES:
        for org in sorted(found[change] & both):
            sector = g_to.nodes[org].get("sector", UNKNOWN_SECTOR)
            if sector == UNKNOWN_SECTOR:
                sector = g_from.nodes[org].get("sector", UNKNOWN_SECTOR)
            # an isolate must have been tied in the other wave (not merely unregistered)
            d_from, d_to = int(g_from.degree(org)), int(g_to.degree(org))
            if change == "became_isolated" and d_from == 0:
                continue
            if change == "no_longer_isolated" and d_to == 0:
                continue
            rows.append((org, sector, change, d_from, d_to))
    return pd.DataFrame(rows, columns=ROLE_CHANGE_COLUMNS).astype(
        {"organisation": "str", "sector": "str", "change": "str",
         "degree_from": "int64", "degree_to": "int64"})
