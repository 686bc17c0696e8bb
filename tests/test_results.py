"""Cross-region results: computed once, saved, recomputed only when data or code change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.analyse import results
from evalkit.core.errors import EvalkitError
from evalkit.read import products
from evalkit.read.regions import get_region
from evalkit.run import stages


@pytest.fixture(scope="module")
def computed(processed_dir, tmp_path_factory):
    """A private copy of the processed data with its results computed once here."""
    copy = tmp_path_factory.mktemp("own") / "processed"
    shutil.copytree(processed_dir, copy, ignore=shutil.ignore_patterns("results"))
    assert not stages.results_current(copy)
    assert stages.ensure_results(copy) is True
    return copy


def test_results_are_reused_until_the_code_changes(computed, tmp_path):
    stamp_path = computed / "results" / stages.STAMP
    stamp = stamp_path.read_text()
    assert stages.ensure_results(computed) is False  # current: nothing recomputed
    assert stamp_path.read_text() == stamp
    # Results made by an evalkit whose config said MIN_CELL = 6 (a copy of the package,
    # edited): this code (MIN_CELL = 5) must recompute them.
    package = tmp_path / "evalkit"
    shutil.copytree(Path(stages.__file__).parents[1], package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    config = package / "core" / "config.py"
    config.write_text(config.read_text().replace("MIN_CELL = 5", "MIN_CELL = 6", 1))
    other = stages.code_digest(package)
    assert other != stages.code_digest()
    stamp_path.write_text(stamp.replace(json.loads(stamp)["code"], other))
    assert not stages.results_current(computed)
    assert stages.ensure_results(computed) is True
    assert json.loads(stamp_path.read_text())["code"] == stages.code_digest()
    assert stages.results_current(computed)


def test_results_go_stale_when_the_processed_data_change(computed, tmp_path):
    copy = tmp_path / "processed"
    shutil.copytree(computed, copy)
    manifest = copy / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"rows_in"', '"rows_in" ', 1))
    assert stages.results_current(copy)  # formatting alone changes nothing
    manifest.write_text(manifest.read_text().replace("survey_kobo_export.xlsx", "survey.sav", 1))
    assert not stages.results_current(copy)


def test_every_saved_table_reads_back(computed):
    names = sorted(p.stem for p in (computed / "results").glob("*.parquet"))
    assert {"benchmark", "sector_model", "shrinkage", "index", "index_scenarios",
            "network_metrics", "coverage"} <= set(names)
    assert not list((computed / "results").glob("*.tmp"))
    with pytest.raises(EvalkitError, match="no cross-region result 'nonsense'"):
        products.read_result("nonsense", computed)


def test_index_components_by_hand():
    region = get_region("15.71")
    shrinkage = pd.DataFrame({"region_code": ["15.71"], "shrunken": [3.5], "shrunken_se": [0.1]})
    attendance = pd.DataFrame({  # org A attends 3 of 4, org B 1 of 4
        "region_code": ["15.71"] * 8, "organisation": ["A"] * 4 + ["B"] * 4,
        "attended": [True, True, True, False, True, False, False, False]})
    register = pd.DataFrame({"region_code": ["15.71"] * 3, "organisation": ["A", "B", "C"],
                             "sector": ["pemerintah", "dunia_usaha", "media"]})
    progress = pd.DataFrame({"region_code": ["15.71"] * 4,
                             "summary": ["achieved", "on_track", "needs_attention", "insufficient_data"],
                             "achievement": [1.4, 0.6, -0.2, np.nan]})
    out = results.index_components([region], shrinkage, attendance, register, progress)
    got = dict(zip(out["component"], zip(out["value"], out["se"])))
    assert got["health"] == (3.5, 0.1)
    # mean of the organisations' shares (0.75, 0.25); SE = sd / sqrt(2) = 0.3536 / 1.414
    assert got["attendance_rate"][0] == pytest.approx(0.5)
    assert got["attendance_rate"][1] == pytest.approx(np.std([0.75, 0.25], ddof=1) / np.sqrt(2))
    assert got["pentahelix_coverage"] == (pytest.approx(3 / 5), 0.0)
    assert got["indicators_on_track"] == (pytest.approx(2 / 3), 0.0)  # judged ones only
    assert got["achievement"] == (pytest.approx((1 + 0.6 + 0) / 3), 0.0)  # capped to [0, 1]


# --- the programme's own sectors and small regions (issue #11) ---------------------------

OWN_SECTORS = pd.DataFrame({
    "sector": ["pemda", "swasta", "perguruan_tinggi", "lsm", "media_massa", "tokoh_masyarakat"],
    "label_id": ["Pemda", "Swasta", "Perguruan Tinggi", "LSM", "Media massa", "Tokoh masyarakat"],
    "label_en": [""] * 6,
    "pentahelix": ["pemerintah", "dunia_usaha", "akademisi", "masyarakat_sipil", "media", ""],
})


def test_reference_sector_is_the_largest_civil_society_sector_else_the_largest():
    answered = pd.Series(["pemda"] * 9 + ["lsm"] * 6 + ["swasta"] * 5)
    assert results.reference_sector(answered, OWN_SECTORS) == "lsm"
    # a civil-society sector too small to be a reference is passed over
    few = pd.Series(["pemda"] * 9 + ["lsm"] * 3)
    assert results.reference_sector(few, OWN_SECTORS) == "pemda"
    assert results.reference_sector(few, OWN_SECTORS, min_n=3) == "lsm"
    no_civil = OWN_SECTORS.assign(pentahelix=OWN_SECTORS["pentahelix"].replace("masyarakat_sipil", ""))
    assert results.reference_sector(answered, no_civil) == "pemda"
    # a tie goes to the form's order
    assert results.reference_sector(pd.Series(["swasta", "pemda"]), no_civil) == "pemda"
    assert results.reference_sector(pd.Series([], dtype=object), OWN_SECTORS) is None


def test_small_regions_get_an_empty_suppressed_index_row():
    table = pd.DataFrame({"region_code": ["a", "b"], "index": [60.0, 50.0],
                          "rank": pd.array([1, 2], dtype="Int64")})
    out = results._with_suppressed(table, ["c"])
    assert out["suppressed"].tolist() == [False, False, True]
    assert pd.isna(out.loc[2, "index"]) and pd.isna(out.loc[2, "rank"])
    assert str(out["rank"].dtype) == "Int64"


def test_index_components_leave_coverage_out_when_the_form_maps_no_sector():
    region = get_region("15.71")
    register = pd.DataFrame({"region_code": ["15.71"] * 2, "province_code": ["15"] * 2,
                             "organisation": ["A", "B"], "sector": ["x", "y"],
                             "influence": [3, 4], "interest": [3, 4]})
    empty_att = pd.DataFrame(columns=["region_code", "province_code", "meeting_date", "meeting",
                                      "organisation", "sector", "attended"])
    shrinkage = pd.DataFrame({"region_code": ["15.71"], "shrunken": [3.2], "shrunken_se": [0.1]})
    progress = pd.DataFrame(columns=["region_code", "summary", "achievement"])
    args = ([region], shrinkage, empty_att, register, progress)
    with_cov = results.index_components(*args)
    without = results.index_components(*args, with_coverage=False)
    assert "pentahelix_coverage" in set(with_cov["component"])
    assert "pentahelix_coverage" not in set(without["component"])


def test_results_compute_when_the_optional_inputs_are_empty(processed_dir, tmp_path):
    """No register, attendance, ties, indicators or partnerships (their tables written
    empty with their normal columns, as the pipeline does): every table still computes."""
    from evalkit.clean.pipeline import empty_table

    copy = tmp_path / "processed"
    shutil.copytree(processed_dir, copy, ignore=shutil.ignore_patterns("results"))
    for name in ("stakeholders", "attendance", "ties", "partnerships", "indicator_metadata",
                 "indicator_targets", "indicator_values", "indicator_annual"):
        empty_table(name).to_parquet(copy / f"{name}.parquet", index=False)
    out = stages.compute_results(copy)
    assert len(out["benchmark"]) and len(out["sector_model"])  # the survey's tables
    assert out["progress"].empty and out["attendance_sector"].empty
    assert out["network_metrics"].empty
    comps = out["index_components"]
    assert set(comps["component"]) == {"health"}  # no engagement or outcome data at all
    index, pillars = out["index"], out["index_pillars"]
    ranked = index[~index["suppressed"]]
    assert ranked["index"].notna().all()  # the index uses the pillar it has
    assert sorted(ranked["rank"].dropna().astype(int)) == list(range(1, len(ranked) + 1))
    assert set(pillars["missing_pillars"]) == {"engagement, outcome"}


def test_a_region_under_min_cell_is_listed_as_too_small_and_the_others_ranked(processed_dir,
                                                                               tmp_path):
    copy = tmp_path / "processed"
    shutil.copytree(processed_dir, copy, ignore=shutil.ignore_patterns("results"))
    survey = pd.read_parquet(copy / "survey.parquet")
    city = sorted(c for c in survey["region_code"].unique() if "." in c)[0]
    latest = survey["wave"].eq(products.read_waves(copy)["wave"].iat[-1])
    # three of the city's respondents in the latest wave (the one the index describes)
    keep = survey["region_code"].ne(city) | (
        latest & survey.groupby(["region_code", "wave"]).cumcount().lt(3))
    survey[keep].reset_index(drop=True).to_parquet(copy / "survey.parquet", index=False)
    out = stages.compute_results(copy)
    index = out["index"].set_index("region_code")
    assert index.at[city, "suppressed"] and index.at[city, "reason"] == results.TOO_FEW_RESPONDENTS
    assert pd.isna(index.at[city, "index"]) and pd.isna(index.at[city, "rank"])
    others = index.drop(city)
    assert not others["suppressed"].any()
    ranks = sorted(others["rank"].dropna().astype(int))
    assert ranks[0] == 1 and ranks[-1] <= len(others)  # ranked among the others only
    assert len(ranks) == others["index"].notna().sum()
    assert city not in set(out["index_sensitivity"]["region_code"])
    assert out["index_pillars"].set_index("region_code").at[city, "suppressed"]
    assert set(out["index"]["missing_pillars"]) == {""}  # the demo has every pillar
    # the region's own tables publish no mean and no reliability (MIN_CELL), as its report
    mine = lambda name: out[name][out[name]["region_code"] == city]  # noqa: E731
    assert mine("respondents")["respondents"].tolist() == [3]
    health = mine("region_health")
    assert len(health) == 10 and health["suppressed"].all() and health["estimate"].isna().all()
    assert set(health["vs_benchmark"]) == {"suppressed"}
    assert mine("reliability")[["alpha", "omega"]].isna().all().all()
    assert mine("dimension_scores")["suppressed"].all()
    assert mine("dimension_scores")["estimate"].isna().all()
    keys = set(mine("findings")["key"])
    assert not keys & {"finding_weakest", "finding_sector", "finding_index"}  # no means quoted
    assert (mine("sector_counts")["n_display"] == "<5").any()


def test_reference_sector_of_old_processed_folders_without_a_sectors_table(tmp_path):
    table = products.programme_sectors(tmp_path)  # no sectors.parquet here
    assert table["sector"].tolist() == list(results.engagement.PENTAHELIX)
    assert (table["pentahelix"] == table["sector"]).all()
    answered = pd.Series(["pemerintah"] * 8 + ["masyarakat_sipil"] * 6)
    assert results.reference_sector(answered, table) == "masyarakat_sipil"
    assert results.reference_sector(answered.astype("category").cat.add_categories(["x"]),
                                    table.assign(pentahelix="")) == "pemerintah"


# --- per-region tables: what the reports, the workbook and the index page computed before ----

@pytest.fixture(scope="module")
def demo(processed_dir):
    read = lambda name: products.read_processed(name, processed_dir)  # noqa: E731
    # the latest wave's rows: the results describe it
    latest = lambda name: products.read_latest(name, processed_dir)  # noqa: E731
    return {"survey": latest("survey"), "items": read("items"),
            "register": latest("stakeholders"),
            "scale": products.read_scale(processed_dir),
            "result": lambda name: products.read_result(name, processed_dir)}


REGIONS = ("15.71", "96.02", "16")  # two cities/regencies and a province (with its regencies)


def _mine(table: pd.DataFrame, code: str) -> pd.DataFrame:
    return table[table["region_code"] == code].drop(columns="region_code").reset_index(drop=True)


@pytest.mark.parametrize("code", REGIONS)
def test_reliability_table_is_scales_reliability_of_the_regions_rows(demo, code):
    from evalkit.analyse import region_tables as analysis
    from evalkit.measure import scales

    rows = analysis.in_region(demo["survey"], get_region(code))
    # the report's and the workbook's call, before the results held the table
    expected = scales.reliability_table(rows, demo["items"], **analysis.scale_range(demo["scale"]))
    got = _mine(demo["result"]("reliability"), code)
    note = lambda t: t.assign(**{c: t[c].astype(object).where(t[c].notna(), "")  # noqa: E731
                                 for c in ("note", "note_code")})
    pd.testing.assert_frame_equal(note(got), note(expected), check_dtype=False)


@pytest.mark.parametrize("code", REGIONS)
def test_region_health_is_the_weighted_scores_against_the_benchmark(demo, code):
    from evalkit.analyse import region_tables as analysis

    region = get_region(code)
    survey = analysis.in_region(demo["survey"], region)
    register = analysis.in_region(demo["register"], region)
    weighted, note = analysis.weighted_dimension_scores(survey, demo["items"], register,
                                                        scale=demo["scale"])
    expected = analysis.compare_to_benchmark(weighted, demo["result"]("benchmark"))
    got = _mine(demo["result"]("region_health"), code)
    pd.testing.assert_frame_equal(got.astype({"dimension": str}),
                                  expected.astype({"dimension": str}), check_dtype=False)
    how = _mine(demo["result"]("region_weighting"), code).iloc[0]
    problem, sectors = analysis.weighting_problem(survey, register)
    assert (how["note"], how["problem"], how["sectors"]) == (note, problem, ", ".join(sectors))


@pytest.mark.parametrize("code", REGIONS)
def test_item_shares_are_the_likert_figures_answer_shares(demo, code):
    from evalkit.analyse import region_tables as analysis

    rows = analysis.in_region(demo["survey"], get_region(code))
    answers = analysis.items_long(rows, demo["items"], scale=demo["scale"])
    # the likert figure's computation before the move
    answers["response"] = answers["response"].astype(float)
    expected = (answers.groupby("item")["response"].value_counts(normalize=True)
                .unstack(fill_value=0.0).reindex(columns=list(demo["scale"].values),
                                                 fill_value=0.0))
    got = _mine(demo["result"]("item_shares"), code).pivot(
        index="item", columns="response", values="share")
    got.columns = list(demo["scale"].values)
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_names=False)
    assert np.allclose(got.sum(axis=1), 1.0)


def test_dimension_scores_and_overview_equal_the_workbooks_and_index_pages(demo, processed_dir):
    from evalkit.analyse import region_tables as analysis

    survey, items = demo["survey"], demo["items"]
    scores = analysis.scores_long(survey, items, scale=demo["scale"])
    scores["province_code"] = scores["response_id"].map(survey.set_index("response_id")["province_code"])
    got = demo["result"]("dimension_scores")
    for code in REGIONS:
        rows = analysis.in_region(scores, get_region(code)).assign(region_code=code)
        expected = analysis.dimension_summary(rows)
        pd.testing.assert_frame_equal(_mine(got, code), expected.drop(columns="region_code")
                                      .astype({"dimension": str}).reset_index(drop=True),
                                      check_dtype=False)
    regions = results.report_regions(survey, products.read_processed(
        "indicator_targets", processed_dir))
    expected = analysis.region_overview(survey, analysis.scores_long(survey, items),
                                        demo["result"]("progress"), regions)
    pd.testing.assert_frame_equal(demo["result"]("overview"), expected, check_dtype=False)
    counted = demo["result"]("respondents")
    assert counted["region_code"].tolist() == [r.code for r in regions]
    assert counted["respondents"].tolist() == [len(analysis.in_region(survey, r)) for r in regions]


def test_findings_table_holds_what_the_report_derived(demo):
    import json

    from evalkit.analyse import findings
    from evalkit.analyse import region_tables as analysis

    code, region = "15.71", get_region("15.71")
    survey = analysis.in_region(demo["survey"], region)
    health = _mine(demo["result"]("region_health"), code)
    mine = lambda name: _mine(demo["result"](name), code)  # noqa: E731
    index, pillars = mine("index"), mine("index_pillars")
    progress = demo["result"]("progress").query("region_code == @code")
    expected = findings.region_findings(
        health=health, scores=analysis.scores_long(survey, demo["items"], scale=demo["scale"]),
        attendance_sector=mine("attendance_sector"), coverage=mine("coverage"),
        network_sectors=mine("network_sectors"), progress=progress, index_row=index.iloc[0],
        pillars=pillars[["process", "engagement", "outcome"]].iloc[0],
        n_regions=int(demo["result"]("index")["index"].notna().sum()),
        n_respondents=len(survey), scale=demo["scale"])
    # then the change findings (one wave here: change_single_wave)
    expected += findings.change_findings(mine("wave_change"), mine("wave_sector_change"),
                                         n_waves=len(demo["result"]("waves")))
    got = mine("findings").sort_values("order")
    assert [(k, json.loads(v)) for k, v in zip(got["key"], got["values"])] == [
        (f.key, f.values) for f in expected]
    assert "finding_weakest" in set(got["key"])


def test_attendance_overall_is_the_pooled_rate_and_the_index_component(demo, processed_dir):
    from evalkit.analyse import region_tables as analysis

    attendance = products.read_processed("attendance", processed_dir)
    rows = analysis.in_region(attendance, get_region("15.71"))
    got = _mine(demo["result"]("attendance_overall"), "15.71").iloc[0]
    assert got["invitations"] == len(rows) and got["attended"] == int(rows["attended"].sum())
    assert got["rate"] == rows["attended"].sum() / len(rows)
    shares = rows.groupby("organisation")["attended"].mean()
    assert got["org_rate"] == pytest.approx(shares.mean(), rel=1e-12)
    component = _mine(demo["result"]("index_components"), "15.71").set_index("component")
    assert component.at["attendance_rate", "value"] == got["org_rate"]
    by_sector = _mine(demo["result"]("attendance_sector"), "15.71")
    assert got["invitations"] == by_sector["invitations"].sum()  # the sectors add up
