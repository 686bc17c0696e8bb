"""Analysis tables: suppression, benchmark comparison, region overview."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.analyse import region_tables as analysis


def test_sector_counts_suppress_small_cells_and_keep_zero_sectors():
    survey = pd.DataFrame({"sector": ["a"] * 6 + ["b"] * 2})
    sectors = pd.DataFrame({"sector": ["a", "b", "c"], "label_id": ["A", "B", "C"],
                            "label_en": ["A", "B", "C"]})
    out = analysis.sector_counts(survey, sectors, min_cell=5)
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


def test_region_overview_suppresses_small_regions_and_counts_province_members():
    from evalkit.read.regions import get_region

    codes = ["15.71"] * 6 + ["33.10"] * 2
    survey = pd.DataFrame({"response_id": [f"r{i}" for i in range(8)], "region_code": codes,
                           "province_code": [c[:2] for c in codes]})
    scores = pd.DataFrame({"response_id": survey["response_id"], "region_code": codes,
                           "sector": "a", "dimension": "d", "score": [3, 4, 3, 4, 3, 4, 5, 5.0]})
    progress = pd.DataFrame({"region_code": ["15.71", "15.71", "33.10"],
                             "summary": ["achieved", "needs_attention", "on_track"]})
    regions = [get_region("15.71"), get_region("33.10"), get_region("15")]
    out = analysis.region_overview(survey, scores, progress, regions, min_cell=5).set_index("region_code")
    assert out.at["15.71", "respondents"] == 6 and out.at["15.71", "health"] == 3.5
    # t interval, n = 6, sd = 0.5477: 3.5 ± 2.5706 * 0.5477 / sqrt(6)
    assert np.isclose(out.at["15.71", "health_ci_low"], 3.5 - 2.570582 * np.sqrt(0.3) / np.sqrt(6))
    assert np.isnan(out.at["33.10", "health"])  # 2 respondents < 5: suppressed
    assert out.at["15", "respondents"] == 6  # province Jambi includes Kota Jambi
    assert (out.at["15.71", "achieved"], out.at["15.71", "needs_attention"],
            out.at["33.10", "on_track"]) == (1, 1, 1)


def test_scores_long_keeps_codebook_dimension_order(processed_dir):
    from evalkit.read.products import read_processed

    survey, items = read_processed("survey", processed_dir), read_processed("items", processed_dir)
    long = analysis.scores_long(survey, items)
    assert list(long["dimension"].cat.categories) == list(dict.fromkeys(items["dimension"]))
    assert len(long) == len(survey) * items["dimension"].nunique()


def test_in_region_includes_a_provinces_regencies():
    from evalkit.read.regions import get_region

    frame = pd.DataFrame({"region_code": ["15", "15.71", "15.05", "16"],
                          "province_code": ["15", "15", "15", "16"]})
    assert analysis.in_region(frame, get_region("15"))["region_code"].tolist() == ["15", "15.71", "15.05"]
    assert analysis.in_region(frame, get_region("15.71"))["region_code"].tolist() == ["15.71"]
    # without province codes (indicator tables) a province means its own rows only
    assert analysis.in_region(frame[["region_code"]], get_region("15"))["region_code"].tolist() == ["15"]


def _toy_survey():
    # sector a answers 4 on every item, sector b answers 2; a is 75% of respondents
    items = pd.DataFrame({"item": ["i1", "i2", "i3"], "dimension": "d", "reverse": False})
    survey = pd.DataFrame({"sector": ["a"] * 6 + ["b"] * 2,
                           "i1": [4.0] * 6 + [2.0] * 2, "i2": [4.0] * 6 + [2.0] * 2,
                           "i3": [4.0] * 6 + [2.0] * 2})
    return survey, items


def test_weighted_scores_follow_the_register_shares():
    survey, items = _toy_survey()
    register = pd.DataFrame({"sector": ["a", "b"]})  # 50/50 in the register
    table, note = analysis.weighted_dimension_scores(survey, items, register, min_n=5)
    row = table.iloc[0]
    assert note == analysis.POSTSTRATIFIED
    assert row["unweighted"] == 3.5  # (6*4 + 2*2) / 8
    assert row["estimate"] == pytest.approx(3.0)  # 0.5*4 + 0.5*2
    assert row["ci_low"] < 3.0 < row["ci_upp"] and row["nobs"] == 8


def test_weighting_falls_back_with_a_reason():
    survey, items = _toy_survey()
    table, note = analysis.weighted_dimension_scores(survey, items, pd.DataFrame({"sector": ["a"]}))
    assert "b answered but are not in the register" in note
    assert table.iloc[0]["estimate"] == table.iloc[0]["unweighted"] == 3.5
    _, note = analysis.weighted_dimension_scores(survey, items, pd.DataFrame({"sector": ["a", "b", "c"]}))
    assert "c have no respondents" in note


def test_weighted_scores_suppress_small_regions():
    survey, items = _toy_survey()
    table, _ = analysis.weighted_dimension_scores(survey.head(4), items,
                                                  pd.DataFrame({"sector": ["a"]}), min_n=5)
    assert table.iloc[0]["suppressed"] and np.isnan(table.iloc[0]["estimate"])


def test_trend_projection_reaches_the_target_year():
    # an exact line 10 + 2*(year-2019) projects to 10 + 2*10 = 30 in 2029, with a zero-width PI
    values = pd.DataFrame({"region_code": "1", "indicator_id": "x", "year": range(2019, 2026),
                           "value": [10.0 + 2 * i for i in range(7)]})
    progress = pd.DataFrame({"region_code": ["1"], "indicator_id": ["x"], "target_year": [2029]})
    out = analysis.trend_projections(values, progress).iloc[0]
    assert out["projection"] == pytest.approx(30.0) and out["slope"] == pytest.approx(2.0)
    assert out["projection_pi_low"] == pytest.approx(30.0) and out["projection_pi_upp"] == pytest.approx(30.0)
    short = analysis.trend_projections(values.head(2), progress).iloc[0]
    assert np.isnan(short["projection"])  # two points: no trend with uncertainty


def test_items_long_recodes_reverse_keyed_items():
    import pandas as pd

    from evalkit.analyse.region_tables import items_long

    survey = pd.DataFrame({"response_id": ["a", "b"], "region_code": ["15.71"] * 2,
                           "sector": ["media", "pemerintah"], "q1": [5.0, 2.0], "q2": [1.0, None]})
    items = pd.DataFrame({"item": ["q1", "q2"], "dimension": ["trust", "trust"],
                          "reverse": [False, True]})
    out = items_long(survey, items)
    assert out[["response_id", "item", "response"]].values.tolist() == [
        ["a", "q1", 5], ["b", "q1", 2], ["a", "q2", 5]]  # 1 on a reverse item is a 5; blank dropped
    assert (out["dimension"] == "trust").all()


def test_item_shares_by_hand():
    from evalkit.core.contract import Scale

    answers = pd.DataFrame({"item": ["q2", "q2", "q2", "q2", "q1", "q1"],
                            "response": [1, 1, 4, 2, 3, 3]})
    out = analysis.item_shares(answers, Scale((1, 2, 3, 4)))
    wide = out.pivot(index="item", columns="response", values="share")
    assert list(out["item"].drop_duplicates()) == ["q2", "q1"]  # order of first appearance
    assert wide.loc["q2"].tolist() == [0.5, 0.25, 0.0, 0.25]  # 2 of 4, 1 of 4, none, 1 of 4
    assert wide.loc["q1"].tolist() == [0.0, 0.0, 1.0, 0.0]
    assert analysis.item_shares(answers.iloc[0:0]).empty


def test_indicator_breakdowns_take_the_latest_annual_year_by_sex():
    values = pd.DataFrame({
        "indicator_id": ["x"] * 7, "year": [2023, 2023, 2024, 2024, 2024, 2025, 2025],
        "quarter": [np.nan] * 5 + [1.0, 1.0],  # 2025 has quarterly values only
        "sex": ["female", "male", "female", "male", "total", "female", "male"],
        "value": [40.0, 50.0, 42.0, 49.0, 45.5, 1.0, 2.0]})
    annual = pd.DataFrame({"indicator_id": ["x", "x"], "year": [2023, 2024], "value": [45.0, 45.5]})
    out = analysis.indicator_breakdowns(values, annual)
    assert out.to_dict("records") == [{"indicator_id": "x", "year": 2024, "female": 42.0,
                                       "male": 49.0, "total": 45.5, "gap": -7.0}]
    assert analysis.indicator_breakdowns(values[values["sex"] == "total"], annual).empty


def test_region_health_carries_the_weighting_problem():
    survey, items = _toy_survey()
    bench = pd.DataFrame({"dimension": ["d"], "estimate": [3.2]})
    health, how = analysis.region_health(survey, items, pd.DataFrame({"sector": ["a", "c"]}), bench)
    assert how["problem"] == "unregistered" and how["sectors"] == "b"
    assert "answered but are not in the register" in how["note"]
    assert health.iloc[0]["benchmark"] == 3.2 and health.iloc[0]["estimate"] == 3.5  # unweighted
    assert list(health.columns) == analysis.HEALTH_COLUMNS
