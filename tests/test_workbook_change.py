"""The workbook's Change and Index-by-wave sheets (issue #13), on hand-built wave results.

The SummaryData is made by hand (no demo): other regions, dimensions (``openness``,
``reciprocity``) and wave labels; the wave tables are tests/test_synthesis_change.py's.
"""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from test_synthesis_change import BANJARBARU, BAUBAU, BINJAI, FOUR, REGIONS, SORONG, wave_results

from evalkit.core.config import MIN_CELL
from evalkit.present import workbook
from evalkit.present.i18n import text
from evalkit.present.wave_results import single_wave_result
from evalkit.read.regions import get_region


def _empty(*columns: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _data(waves=("Putaran A", "Putaran B", "Putaran C"), tables=None) -> workbook.SummaryData:
    tables = tables if tables is not None else wave_results(waves)
    index = pd.DataFrame({"region_code": list(REGIONS), "index": [57.0, 60.0, 52.0, np.nan],
                          "ci_low": [52.0, 55.0, 47.0, np.nan], "ci_upp": [62.0, 65.0, 57.0, np.nan],
                          "rank": [1, 2, 3, np.nan]})
    return workbook.SummaryData(
        regions=[get_region(c) for c in REGIONS],
        dimensions=pd.DataFrame({"dimension": ["openness", "reciprocity"],
                                 "label_id": ["Keterbukaan", "Timbal balik"],
                                 "label_en": ["Openness", "Reciprocity"]}),
        sectors=pd.DataFrame({"sector": ["ngo"], "label_id": ["LSM"], "label_en": ["NGO"],
                              "pentahelix": ["community"]}),
        scores=_empty("region_code"), reliability=_empty("region_code"),
        progress=_empty("region_code"), attendance=_empty("region_code"),
        coverage=_empty("region_code"), index=index, pillars=_empty("region_code"),
        sensitivity=_empty("region_code"), components=_empty("region_code", "component", "value"),
        network=_empty("region_code"), digest="0123456789ab", scale=FOUR,
        respondents={SORONG: 30, BAUBAU: 25, BINJAI: 12, BANJARBARU: 3},
        **{name: tables[name] for name in ("waves", "wave_change", "wave_index", "index_change")})


def _sheets(data, lang):
    return {s.key: s.frame() for s in workbook.summary_sheets(data, lang)}


def test_the_new_sheets_come_last_with_their_names():
    assert workbook.SHEETS[-2:] == ("change", "index_waves")
    assert [workbook.sheet_name(k, "id") for k in ("change", "index_waves")] == [
        "Perubahan", "Indeks per gelombang"]
    assert [workbook.sheet_name(k, "en") for k in ("change", "index_waves")] == [
        "Change", "Index by wave"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_change_sheet_rows_are_the_results_rows(lang):
    change = _sheets(_data(), lang)["change"]
    h = lambda key, **v: text(f"xlsx_{key}", lang, **v)  # noqa: E731
    assert h("change", scale="1–4") in change.columns  # the unit names the form's scale
    alpha = "0,05" if lang == "id" else "0.05"
    changed = h("changed", alpha=alpha)
    # 4 regions x 2 comparisons x 3 rows (health, openness, reciprocity), previous first
    assert len(change) == 24
    sorong = change[change.iloc[:, 0] == SORONG]
    assert sorong[h("comparison")].tolist() == (
        [text("xlsx_word_previous", lang)] * 3 + [text("xlsx_word_first", lang)] * 3)
    assert sorong[h("dimension")].tolist()[:3] == [
        text("xlsx_word_overall", lang), *(["Keterbukaan", "Timbal balik"] if lang == "id"
                                           else ["Openness", "Reciprocity"])]
    first = sorong.iloc[1]  # openness since the previous wave
    assert (first[h("from_wave")], first[h("to_wave")]) == ("Putaran B", "Putaran C")
    assert (first[h("change", scale="1–4")], first[h("change_low")], first[h("change_upp")]) == (
        0.6, 0.3, 0.9)
    assert first[h("p_value")] == pytest.approx(0.0001)
    assert first[h("p_holm")] == pytest.approx(0.0002)  # as the results stage adjusted it
    assert first[changed] == text("xlsx_word_yes", lang)
    assert first[h("change_direction")] == text("xlsx_word_up", lang)
    assert (first[h("n_from")], first[h("n_to")], first[h("n_both")], first[h("clusters")]) == (
        30, 30, 15, 9)
    binjai = change[change.iloc[:, 0] == BINJAI].iloc[1]
    assert binjai[changed] == text("xlsx_word_no", lang)
    assert pd.isna(binjai[h("change_direction")])  # no direction for a change not called
    baubau = change[change.iloc[:, 0] == BAUBAU].iloc[1]
    assert baubau[h("change_direction")] == text("xlsx_word_down", lang)


def test_a_suppressed_change_shows_no_number_and_says_why():
    change = _sheets(_data(), "en")["change"]
    small = change[change.iloc[:, 0] == BANJARBARU]
    assert len(small) == 6
    stats = ["Score change (points, 1–4)", "Change 95% CI lower", "Change 95% CI upper",
             "p-value", "p-value (Holm-adjusted)", "Called a change (Holm p < 0.05)"]
    assert small[stats].isna().all().all()
    assert set(small["Respondents, to wave"]) == {f"<{MIN_CELL}"}  # 3 respondents: never published
    assert set(small["Note"]) == {
        f"Not estimated: fewer than {MIN_CELL} respondents in one of the waves"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_one_wave_gives_a_row_per_region_that_says_change_needs_a_second(lang):
    for data in (_data(waves=("2025",)), dataclasses.replace(  # and results from before waves
            _data(), **{n: single_wave_result(n) for n in
                        ("waves", "wave_change", "wave_index", "index_change")})):
        sheets = _sheets(data, lang)
        change = sheets["change"]
        assert change.iloc[:, 0].tolist() == list(REGIONS)
        assert set(change.iloc[:, -1]) == {text("xlsx_word_single_wave", lang)}
        assert change.iloc[:, 2:-1].isna().all().all()
        index = sheets["index_waves"]
        assert index.iloc[:, 0].tolist() == list(REGIONS)  # one wave: one row per region
        assert index.iloc[:, 9:12].isna().all().all()  # no change columns filled


def test_results_from_before_waves_give_the_current_index_as_the_one_wave():
    data = dataclasses.replace(_data(), **{n: single_wave_result(n) for n in
                                           ("waves", "wave_change", "wave_index", "index_change")})
    index = _sheets(data, "en")["index_waves"].set_index("Region code (Kemendagri)")
    assert index.loc[SORONG, "Wave"] == "1"
    assert index.loc[SORONG, "Effectiveness index (0–100)"] == 57.0
    assert index.loc[BANJARBARU, "Note"] == f"Suppressed: fewer than {MIN_CELL} respondents"


def test_index_by_wave_sheet_has_every_wave_and_the_latest_change():
    index = _sheets(_data(), "en")["index_waves"]
    sorong = index[index["Region code (Kemendagri)"] == SORONG]
    assert sorong["Wave"].tolist() == ["Putaran A", "Putaran B", "Putaran C"]
    assert sorong["Wave order (1 = first)"].tolist() == [1, 2, 3]
    assert sorong["Effectiveness index (0–100)"].tolist() == [40.0, 45.0, 57.0]
    assert sorong["Rank (1 = best)"].tolist() == [3, 3, 1]
    change = ["Index change since the previous wave (points)", "Index change 95% CI lower",
              "Index change 95% CI upper"]
    assert sorong[change].iloc[:2].isna().all().all()  # only the latest row has the change
    assert sorong[change].iloc[2].tolist() == [12.0, 4.0, 20.0]
    small = index[index["Region code (Kemendagri)"] == BANJARBARU]
    assert small["Effectiveness index (0–100)"].tolist()[:2] == [55.0, 55.0]
    last = small.iloc[2]  # suppressed in the latest wave: no index, no change
    assert pd.isna(last["Effectiveness index (0–100)"]) and last[change].isna().all()
    assert last["Note"] == f"Suppressed: fewer than {MIN_CELL} respondents"


def test_every_new_sheet_is_described_on_the_about_sheet():
    about = _sheets(_data(), "id")["about"]
    described = dict(zip(about.iloc[:, 0], about.iloc[:, 1]))
    assert "Perubahan" in described and "Indeks per gelombang" in described
    assert "koreksi Holm" in described["Perubahan"]


def test_hostile_wave_labels_stay_text_in_the_workbook():
    hostile = ('=HYPERLINK("http://evil","x")', "+cmd|'/c calc'!A0", "@SUM(1)")
    data = _data(waves=hostile)
    book = openpyxl.load_workbook(io.BytesIO(workbook.workbook_bytes(
        workbook.summary_sheets(data, "en"), "en")))
    seen = set()
    for name in ("Change", "Index by wave"):
        for row in book[name].iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value in hostile:
                    seen.add(cell.value)
                    assert cell.data_type == "s" and cell.quotePrefix, (name, cell.coordinate)
    assert seen == set(hostile)
