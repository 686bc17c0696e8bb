"""Plain-language findings come from the numbers, and say nothing when there is nothing to say."""

from __future__ import annotations

import pandas as pd

from evalkit.analyse import findings


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


OWN_SECTORS = pd.DataFrame({
    "sector": ["pemda", "swasta", "perguruan_tinggi", "lsm", "media_massa", "tokoh_masyarakat"],
    "label_id": ["Pemda", "Swasta", "Perguruan Tinggi", "LSM", "Media massa", "Tokoh masyarakat"],
    "label_en": ["", "", "", "", "", ""],
    "pentahelix": ["pemerintah", "dunia_usaha", "akademisi", "masyarakat_sipil", "media", ""],
})


def test_missing_finding_names_categories_of_the_forms_sectors_never_an_outside_group():
    from evalkit.measure.engagement import pentahelix_coverage
    codes = ["pemda", "swasta", "lsm", "media_massa"]  # no university, no community leader
    register = pd.DataFrame({"organisation": list("abcd"), "sector": codes})
    f = findings.missing_sectors(pentahelix_coverage(register, sectors=OWN_SECTORS))
    assert f.values == {"sectors": ["akademisi"]}  # academia; tokoh_masyarakat is not counted
    unmapped = pentahelix_coverage(register, sectors=OWN_SECTORS.assign(pentahelix=""))
    assert findings.missing_sectors(unmapped) is None  # a silent form is no finding


def test_findings_use_the_forms_labels_and_never_quote_a_small_regions_means():
    scores = _scores({"pemda": (3.8, 6), "swasta": (3.0, 5)})
    health = pd.DataFrame({"dimension": ["trust"], "estimate": [3.1], "suppressed": [False],
                           "vs_benchmark": ["below"]})
    empty = pd.DataFrame(columns=["sector", "invitations", "rate"])
    kwargs = dict(health=health, scores=scores, attendance_sector=empty,
                  coverage=pd.DataFrame(columns=["sector", "present"]),
                  network_sectors=pd.DataFrame(columns=["sector", "isolated"]),
                  progress=pd.DataFrame(columns=["indicator_id", "summary"]),
                  index_row=pd.Series({"index": 50.0, "rank": 2}),
                  pillars=pd.Series({"process": 0.5}), n_regions=4)
    found = findings.region_findings(**kwargs, sectors=OWN_SECTORS, lang="en")
    sector = next(f for f in found if f.key == "finding_sector")
    assert sector.values["sector"] == "Swasta"  # the blank English label falls back
    assert {f.key for f in found} >= {"finding_weakest", "finding_index"}
    small = findings.region_findings(**kwargs, n_respondents=3)
    assert not {f.key for f in small} & {"finding_weakest", "finding_sector", "finding_index"}
    # the "clearly below" gap follows the scale: 0.05 on a 1-3 form, not 0.1
    from evalkit.core.contract import Scale
    three = Scale((1.0, 2.0, 3.0), ("a", "b", "c"), ("a", "b", "c"))
    close = _scores({"pemda": (2.12, 6), "swasta": (2.00, 6)})  # 0.06 under the mean
    assert findings.least_enthusiastic_sector(close) is None
    assert findings.least_enthusiastic_sector(close, scale=three).values["sector"] == "swasta"
