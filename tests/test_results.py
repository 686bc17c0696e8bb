"""Cross-region results: computed once, saved, recomputed only when data or code change."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from evalkit import results
from evalkit.errors import EvalkitError
from evalkit.regions import get_region


@pytest.fixture(scope="module")
def computed(processed_dir, tmp_path_factory):
    """A private copy of the processed data with its results computed once here."""
    copy = tmp_path_factory.mktemp("own") / "processed"
    shutil.copytree(processed_dir, copy, ignore=shutil.ignore_patterns("results"))
    assert not results.results_current(copy)
    assert results.ensure_results(copy) is True
    return copy


def test_results_are_reused_until_the_code_changes(computed, monkeypatch):
    stamp = (computed / "results" / results.STAMP).read_text()
    assert results.ensure_results(computed) is False  # current: nothing recomputed
    assert (computed / "results" / results.STAMP).read_text() == stamp
    monkeypatch.setattr(results, "code_digest", lambda: "another version")  # an upgrade
    assert not results.results_current(computed)


def test_results_go_stale_when_the_processed_data_change(computed, tmp_path):
    copy = tmp_path / "processed"
    shutil.copytree(computed, copy)
    manifest = copy / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"rows_in"', '"rows_in" ', 1))
    assert results.results_current(copy)  # formatting alone changes nothing
    manifest.write_text(manifest.read_text().replace("survey_kobo_export.xlsx", "survey.sav", 1))
    assert not results.results_current(copy)


def test_every_saved_table_reads_back(computed):
    names = sorted(p.stem for p in (computed / "results").glob("*.parquet"))
    assert {"benchmark", "sector_model", "shrinkage", "index", "index_scenarios",
            "network_metrics", "coverage"} <= set(names)
    assert not list((computed / "results").glob("*.tmp"))
    with pytest.raises(EvalkitError, match="no cross-region result 'nonsense'"):
        results.read_result("nonsense", computed)


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
