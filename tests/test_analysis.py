"""Analysis tables: suppression, benchmark comparison, region overview."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit import analysis


def test_sector_counts_suppress_small_cells_and_keep_zero_sectors():
    survey = pd.DataFrame({"region_code": ["1"] * 8 + ["2"],
                           "sector": ["a"] * 6 + ["b"] * 2 + ["a"]})
    sectors = pd.DataFrame({"sector": ["a", "b", "c"], "label_id": ["A", "B", "C"],
                            "label_en": ["A", "B", "C"]})
    out = analysis.sector_counts(survey, "1", sectors, min_cell=5)
    assert out["n"].tolist() == [6, 2, 0]
    assert out["n_display"].tolist() == ["6", "<5", "0"]  # zero is a finding, not a small cell


def test_compare_to_benchmark_uses_the_region_interval():
    region = pd.DataFrame({"dimension": ["x", "y", "z", "w"], "estimate": [4.0, 2.0, 3.0, np.nan],
                           "ci_low": [3.6, 1.5, 2.5, np.nan], "ci_upp": [4.4, 2.5, 3.5, np.nan],
                           "suppressed": [False, False, False, True]})
    bench = pd.DataFrame({"dimension": ["x", "y", "z", "w"], "estimate": [3.0, 3.0, 3.2, 3.0]})
    out = analysis.compare_to_benchmark(region, bench)
    assert out["vs_benchmark"].tolist() == ["above", "below", "similar", "suppressed"]
    assert out["benchmark"].tolist() == [3.0, 3.0, 3.2, 3.0]


def test_respondent_health_is_mean_of_dimension_scores():
    scores = pd.DataFrame({"response_id": ["r1", "r1", "r2", "r2"], "region_code": "1",
                           "sector": "a", "dimension": ["d1", "d2", "d1", "d2"],
                           "score": [4.0, 2.0, 5.0, np.nan]})
    h = analysis.respondent_health(scores).set_index("response_id")["health"]
    assert h.to_dict() == {"r1": 3.0, "r2": 5.0}


def test_region_overview_suppresses_small_regions():
    survey = pd.DataFrame({"region_code": ["1"] * 6 + ["2"] * 2})
    scores = pd.DataFrame({"response_id": [f"r{i}" for i in range(8)],
                           "region_code": survey["region_code"], "sector": "a",
                           "dimension": "d", "score": [3, 4, 3, 4, 3, 4, 5, 5.0]})
    progress = pd.DataFrame({"region_code": ["1", "1", "2"],
                             "summary": ["achieved", "needs_attention", "on_track"]})
    regions = pd.DataFrame({"region_code": ["1", "2"], "region_name": ["One", "Two"]})
    out = analysis.region_overview(survey, scores, progress, regions, min_cell=5).set_index("region_code")
    assert out.at["1", "respondents"] == 6 and out.at["1", "health"] == 3.5
    # t interval, n = 6, sd = 0.5477: 3.5 ± 2.5706 * 0.5477 / sqrt(6)
    assert np.isclose(out.at["1", "health_ci_low"], 3.5 - 2.570582 * np.sqrt(0.3) / np.sqrt(6))
    assert np.isnan(out.at["2", "health"])  # 2 respondents < 5: suppressed
    assert (out.at["1", "achieved"], out.at["1", "needs_attention"], out.at["2", "on_track"]) == (1, 1, 1)


def test_scores_long_keeps_codebook_dimension_order(processed_dir):
    from evalkit.pipeline import read_processed

    survey, items = read_processed("survey", processed_dir), read_processed("items", processed_dir)
    long = analysis.scores_long(survey, items)
    assert list(long["dimension"].cat.categories) == list(dict.fromkeys(items["dimension"]))
    assert len(long) == len(survey) * items["dimension"].nunique()
