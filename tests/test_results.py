"""Cross-region results: computed once, saved, recomputed only when data or code change."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from evalkit.run import stages
from evalkit.read import products
from evalkit.analyse import results
from evalkit.core.errors import EvalkitError
from evalkit.read.regions import get_region


@pytest.fixture(scope="module")
def computed(processed_dir, tmp_path_factory):
    """A private copy of the processed data with its results computed once here."""
    copy = tmp_path_factory.mktemp("own") / "processed"
    shutil.copytree(processed_dir, copy, ignore=shutil.ignore_patterns("results"))
    assert not stages.results_current(copy)
    assert stages.ensure_results(copy) is True
    return copy


def test_results_are_reused_until_the_code_changes(computed, monkeypatch):
    stamp = (computed / "results" / stages.STAMP).read_text()
    assert stages.ensure_results(computed) is False  # current: nothing recomputed
    assert (computed / "results" / stages.STAMP).read_text() == stamp
    monkeypatch.setattr(stages, "code_digest", lambda: "another version")  # an upgrade
    assert not stages.results_current(computed)


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
    keep = survey["region_code"].ne(city) | survey.groupby("region_code").cumcount().lt(3)
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


def test_reference_sector_of_old_processed_folders_without_a_sectors_table(tmp_path):
    table = results.programme_sectors(tmp_path)  # no sectors.parquet here
    assert table["sector"].tolist() == list(results.engagement.PENTAHELIX)
    assert (table["pentahelix"] == table["sector"]).all()
    answered = pd.Series(["pemerintah"] * 8 + ["masyarakat_sipil"] * 6)
    assert results.reference_sector(answered, table) == "masyarakat_sipil"
    assert results.reference_sector(answered.astype("category").cat.add_categories(["x"]),
                                    table.assign(pentahelix="")) == "pemerintah"
