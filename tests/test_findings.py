"""Plain-language findings come from the numbers, and say nothing when there is nothing to say."""

from __future__ import annotations

import pandas as pd

from evalkit import findings


def test_weakest_dimension_and_whether_it_is_below_the_benchmark():
    health = pd.DataFrame({"dimension": ["trust", "resources", "tiny"],
                           "estimate": [3.8, 2.9, 1.0], "suppressed": [False, False, True],
                           "vs_benchmark": ["similar", "below", "below"]})
    f = findings.weakest_dimension(health)  # the suppressed dimension is never named
    assert (f.key, f.values) == ("finding_weakest", {"dimension": "resources", "score": 2.9,
                                                      "below": True})
    assert findings.weakest_dimension(health.assign(suppressed=True)) is None


def _scores(sector_means: dict[str, tuple[float, int]]) -> pd.DataFrame:
    rows = [{"response_id": f"{s}{i}", "sector": s, "dimension": d, "score": m}
            for s, (m, n) in sector_means.items() for i in range(n) for d in ("a", "b")]
    return pd.DataFrame(rows)


def test_least_enthusiastic_sector_needs_enough_respondents_and_a_real_gap():
    scores = _scores({"pemerintah": (3.8, 6), "dunia_usaha": (3.0, 5), "media": (1.5, 1)})
    f = findings.least_enthusiastic_sector(scores, min_n=5)  # media: 1 < 5, never named
    assert f.values["sector"] == "dunia_usaha" and f.values["score"] == 3.0
    assert findings.least_enthusiastic_sector(_scores({"pemerintah": (3.5, 6),
                                                        "dunia_usaha": (3.45, 6)})) is None
    assert findings.least_enthusiastic_sector(_scores({"pemerintah": (3.5, 6)})) is None


def test_engagement_coverage_network_and_indicator_findings():
    attendance = pd.DataFrame({"sector": ["pemerintah", "media", "akademisi"],
                               "invitations": [10, 8, 0], "rate": [0.9, 0.4, float("nan")]})
    assert findings.least_engaged_sector(attendance).values == {"sector": "media", "rate": 0.4}
    coverage = pd.DataFrame({"sector": ["pemerintah", "akademisi", "media"],
                             "present": [True, False, False]})
    assert findings.missing_sectors(coverage).values == {"sectors": ["akademisi", "media"]}
    assert findings.missing_sectors(coverage.assign(present=True)) is None
    network = pd.DataFrame({"sector": ["media", "unknown", "pemerintah"],
                            "isolated": [True, True, False]})
    assert findings.isolated_sectors(network).values == {"sectors": ["media"]}
    progress = pd.DataFrame({"indicator_id": ["a", "b", "c"],
                             "summary": ["needs_attention", "on_track", "insufficient_data"]})
    assert findings.off_track_indicators(progress).values == {"indicators": ["a"]}
    row = pd.Series({"index": 61.0, "rank": 3})
    pillars = pd.Series({"process": 0.7, "engagement": 0.4, "outcome": 0.6})
    assert findings.index_position(row, pillars, 16).values == {
        "index": 61.0, "rank": 3, "n": 16, "pillar": "engagement"}
