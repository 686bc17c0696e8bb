"""Plausibility rules (evalkit.clean.rules): each on small frames, then all on a copy of the demo.

Every rule of :data:`evalkit.clean.rules.RULES` is exercised twice: on a small frame through its
cleaner, and planted in a copy of the demo's raw data cleaned by :func:`run_clean`, where
the quarantine reason or the flag is asserted and rows in = clean + quarantined is
checked against the raw files themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from evalkit.clean import rules
from evalkit.clean.indicators import clean_indicator_targets, clean_indicator_values
from evalkit.clean.numbers import parse_number, parse_number_column
from evalkit.clean.pipeline import _value_sheets, run_clean
from evalkit.clean.places import resolve_region_column
from evalkit.clean.stakeholders import (
    clean_attendance,
    clean_partnerships,
    clean_register,
    clean_ties,
)
from evalkit.clean.timestamps import parse_timestamps
from evalkit.core.errors import EvalkitError, InputFileError
from evalkit.read.dates import excel_serial, excel_serial_to_datetime, read_dates
from evalkit.read.regions import region_readings

TODAY = dt.date(2026, 12, 2)
DOCS = Path(__file__).resolve().parents[1] / "docs" / "input-contract.md"
SECTORS = {"pemerintah": "pemda", "lsm": "lsm"}
META = pd.DataFrame({
    "indicator_id": ["pct", "rp", "orang"], "unit": ["%", "miliar Rp", "orang"],
    "direction": ["higher"] * 3, "annual_rule": ["mean"] * 3,
})


def reasons(result) -> dict[int, str]:
    """Quarantine reason by Excel row."""
    return dict(zip(result.quarantine["source_row"].astype(int), result.quarantine["reason"]))


def flags_of(result, issue: str) -> pd.DataFrame:
    return result.flags[result.flags["issue"] == issue]


def values_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region", "indicator_id", "year", "value"])


def balanced(result, raw: pd.DataFrame) -> bool:
    return len(result.data) + len(result.quarantine) == len(raw)


# --- the table ---------------------------------------------------------------------------

def test_rules_table_has_one_row_per_named_rule():
    table = rules.rules_table()
    assert list(table.columns) == rules.RULE_COLUMNS
    assert table["name"].is_unique and len(table) == len(rules.RULES)
    assert set(table["action"]) <= {rules.QUARANTINE, rules.FLAG}
    assert {"future_year", "target_before_baseline", "start_in_future", "non_finite_value",
            "absurd_magnitude", "thousands_or_decimal", "ambiguous_number", "not_whole_number",
            "excel_serial_date", "ambiguous_region"} <= set(table["name"])
    for r in rules.RULES:  # every column named table.column, every rule described twice
        assert all("." in c for c in r.columns) and r.description and r.description_id
    assert rules.rule("future_year") is rules.FUTURE_YEAR
    with pytest.raises(KeyError, match="no plausibility rule"):
        rules.rule("nope")


def test_every_rule_is_listed_in_the_input_contract():
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Plausibility rules", 1)[1].split("\n## ", 1)[0]
    for r in rules.RULES:
        assert f"`{r.name}`" in section, r.name
        assert r.action in section


def test_today_is_injectable(monkeypatch):
    monkeypatch.setenv(rules.TODAY_ENV, "2030-01-15")
    assert rules.today() == dt.date(2030, 1, 15)
    monkeypatch.setenv(rules.TODAY_ENV, "15/01/2030")
    with pytest.raises(EvalkitError, match="YYYY-MM-DD"):
        rules.today()
    monkeypatch.delenv(rules.TODAY_ENV)
    assert rules.today() == dt.date.today()


# --- 1. future_year ------------------------------------------------------------------------

def test_future_value_years_are_quarantined_not_this_year():
    raw = values_frame([("Kota Jambi", "pct", 2026, 50), ("Kota Jambi", "pct", 2031, 90),
                        ("Kota Jambi", "pct", 2040, 99)])
    result = clean_indicator_values(raw, META, "ind.xlsx", today=TODAY)
    assert reasons(result) == {3: "future_year", 4: "future_year"}
    assert result.data["year"].tolist() == [2026]
    detail = result.quarantine["detail"].iloc[0]
    assert "2031" in detail and "2026-12-02" in detail


def test_a_quarter_that_has_not_started_is_future():
    raw = pd.DataFrame({"region": "Kota Jambi", "indicator_id": "pct",
                        "period": ["2026-Q3", "2026-Q4"], "value": [1, 2]})
    result = clean_indicator_values(raw, META, "ind.xlsx", today=dt.date(2026, 9, 30))
    assert reasons(result) == {3: "future_year"}
    assert reasons(clean_indicator_values(raw, META, "ind.xlsx", today=dt.date(2026, 10, 1))) == {}


def test_future_baseline_is_quarantined_but_a_future_target_is_not():
    raw = pd.DataFrame({"region": ["Kota Jambi", "Kota Bengkulu"], "indicator_id": "pct",
                        "baseline_year": [2031, 2019], "baseline_value": [10, 10],
                        "target_year": [2040, 2040], "target_value": [20, 20]})
    result = clean_indicator_targets(raw, META, "ind.xlsx", today=TODAY)
    assert reasons(result) == {2: "future_year"}
    assert result.data["target_year"].tolist() == [2040]


# --- 2. target_before_baseline -------------------------------------------------------------

def test_target_before_baseline_is_quarantined():
    raw = pd.DataFrame({"region": ["Kota Jambi", "Kota Bengkulu", "Kota Batam"],
                        "indicator_id": "pct", "baseline_year": [2019, 2019, 2019],
                        "baseline_value": [10, 10, 10], "target_year": [2018, 2019, 2029],
                        "target_value": [20, 20, 20]})
    result = clean_indicator_targets(raw, META, "ind.xlsx", today=TODAY)
    assert reasons(result) == {2: "target_before_baseline"}
    assert "before baseline_year 2019" in result.quarantine["detail"].iloc[0]
    assert balanced(result, raw)


def test_years_that_are_no_years_are_quarantined():
    raw = pd.DataFrame({"region": ["Kota Jambi", "Kota Bengkulu"], "indicator_id": "pct",
                        "baseline_year": ["2019,5", "20190"], "baseline_value": [10, 10],
                        "target_year": [2029, 2029], "target_value": [20, 20]})
    result = clean_indicator_targets(raw, META, "ind.xlsx", today=TODAY)
    assert reasons(result) == {2: "implausible_year", 3: "implausible_year"}


# --- 3. start_in_future --------------------------------------------------------------------

def test_partnership_starting_after_this_year_is_quarantined():
    raw = pd.DataFrame({"region": "Kota Jambi", "name": ["A", "B", "C", "D"],
                        "type": "MOU", "start_year": ["2026", "2035", "2021.5", "inf"],
                        "sdg_themes": "16"})
    result = clean_partnerships(raw, "partnerships.csv", today=TODAY)
    assert reasons(result) == {3: "start_in_future", 4: "implausible_year", 5: "non_finite_value"}
    assert result.data["start_year"].tolist() == [2026]
    assert "has not started" in result.quarantine["detail"].iloc[0]


# --- 4. non_finite_value / absurd_magnitude ---------------------------------------------------

@pytest.mark.parametrize("text", ["inf", "-inf", "Infinity", "nan", "NaN", "1e309"])
def test_non_finite_values_are_quarantined(text):
    raw = values_frame([("Kota Jambi", "rp", 2024, text), ("Kota Jambi", "rp", 2025, "12,5")])
    result = clean_indicator_values(raw, META, "ind.xlsx", today=TODAY)
    assert reasons(result) == {2: "non_finite_value"}
    assert np.isfinite(result.data["value"]).all()


@pytest.mark.parametrize("indicator", ["rp", "pct"])
def test_absurd_magnitudes_are_quarantined_before_the_unit_check(indicator):
    raw = values_frame([("Kota Jambi", indicator, 2024, "1e308"),
                        ("Kota Jambi", indicator, 2025, -2e16),
                        ("Kota Jambi", indicator, 2023, 50)])
    result = clean_indicator_values(raw, META, "ind.xlsx", today=TODAY)
    assert reasons(result) == {2: "absurd_magnitude", 3: "absurd_magnitude"}


def test_non_finite_targets_register_and_ties_are_quarantined():
    targets = pd.DataFrame({"region": ["Kota Jambi", "Kota Bengkulu"], "indicator_id": "pct",
                            "baseline_year": [2019, 2019], "baseline_value": ["inf", 10],
                            "target_year": [2029, 2029], "target_value": [20, "1e300"]})
    assert reasons(clean_indicator_targets(targets, META, "ind.xlsx", today=TODAY)) == {
        2: "non_finite_value", 3: "absurd_magnitude"}
    register = pd.DataFrame({"region": "Kota Jambi", "organisation": ["A", "B"],
                             "sector": "pemerintah", "influence": ["inf", "3"],
                             "interest": ["2", "4"]})
    result = clean_register(register, SECTORS, "register.csv")
    assert reasons(result) == {2: "non_finite_value"}
    ties = pd.DataFrame({"region": "Kota Jambi", "organisation": ["A", "B"],
                         "partner": ["B", "A"], "level": ["1", "2"], "trust": ["nan", "3"],
                         "value": ["2", "-inf"]})
    result = clean_ties(ties, result.data, "ties.csv")
    assert reasons(result) == {2: "non_finite_value", 3: "non_finite_value"}
    assert "value -inf" in result.quarantine["detail"].iloc[1]


# --- 5. thousands_or_decimal / ambiguous_number --------------------------------------------------

def test_parse_number_keeps_its_reading():
    assert parse_number(pd.Series(["1.250", "1,250", "12,5"])).tolist() == [1.25, 1.25, 12.5]


def test_a_decimal_comma_elsewhere_makes_the_dot_a_thousands_separator():
    got = parse_number_column(pd.Series(["12,5", "1.250", "1,250", 7.5]))
    assert got.values.tolist() == [12.5, 1250.0, 1.25, 7.5]
    assert got.issue.tolist() == [None, "thousands_or_decimal", "thousands_or_decimal", None]
    assert "read as 1250 (the dot groups thousands)" in got.note.iloc[1]
    assert "'12,5'" in got.note.iloc[1]


def test_a_decimal_dot_elsewhere_makes_the_dot_decimal():
    got = parse_number_column(pd.Series(["12.5", "1.250", "1,250", "1,234.5"]))
    assert got.values.tolist() == [12.5, 1.25, 1250.0, 1234.5]
    assert got.issue.tolist()[1:3] == ["thousands_or_decimal"] * 2


def test_the_indicator_decides_before_the_sheet():
    values = pd.Series(["3.5", "1.250", "12,5", "1.250"])
    groups = pd.Series(["a", "a", "b", "b"])
    got = parse_number_column(values, groups=groups)
    assert got.values.tolist() == [3.5, 1.25, 12.5, 1250.0]
    assert "this indicator's other values" in got.note.iloc[1]


def test_the_unit_decides_when_the_values_do_not():
    # no other text values (numbers stored as numbers are no evidence)
    values = pd.Series(["1.250", "1.250", "1,250", "12,500", 3.25])
    units = pd.Series(["orang", "%", "orang", "%", "%"])
    got = parse_number_column(values, units=units)
    assert got.values.tolist() == [1250.0, 1.25, 1250.0, 12.5, 3.25]
    assert got.issue.tolist()[:4] == ["thousands_or_decimal"] * 4
    assert "counts whole numbers" in got.note.iloc[0] and "at most 100" in got.note.iloc[1]


def test_undecidable_values_are_read_the_indonesian_way_and_flagged():
    values = pd.Series(["1.250", "1,250", "12.5", "12,5"])  # both ways elsewhere: no evidence
    got = parse_number_column(values, units=pd.Series(["miliar rp"] * 4))
    assert got.values.tolist() == [1250.0, 1.25, 12.5, 12.5]
    assert got.issue.tolist() == ["ambiguous_number", "ambiguous_number", None, None]
    assert "read as 1250" in got.note.iloc[0] and "check it" in got.note.iloc[0]


def test_leading_zero_and_grouped_values_are_not_ambiguous():
    got = parse_number_column(pd.Series(["0.250", "0,250", "1.234.567", "1,234,567"]))
    assert got.values.tolist() == [0.25, 0.25, 1234567.0, 1234567.0]
    assert got.issue.isna().all()


def test_indicator_values_flag_the_reading_per_sheet():
    raw = pd.DataFrame({"region": "Kota Jambi", "indicator_id": "rp",
                        "period": ["2022", "2023", "2024", "2021"],
                        "value": ["12,5", "1.250", "1.250", "12.5"],
                        "source_sheet": ["values", "values", "values_quarterly", "values_quarterly"]})
    result = clean_indicator_values(raw, META, "ind.xlsx", today=TODAY)
    values = dict(zip(result.data["period"] + "/" + result.data["value"].astype(str),
                      result.data["value"]))
    assert "2023/1250.0" in values and "2024/1.25" in values
    flags = flags_of(result, "thousands_or_decimal")
    assert flags["source_file"].tolist() == ["ind.xlsx [values]", "ind.xlsx [values_quarterly]"]
    assert "decimal comma" in result.flags["issue"].tolist()  # 12,5 still flagged as before
    assert len(flags_of(result, "decimal comma")) == 1


# --- 6. not_whole_number ------------------------------------------------------------------------

def test_a_fractional_influence_is_quarantined_not_truncated():
    raw = pd.DataFrame({"region": "Kota Jambi", "organisation": ["A", "B", "C"],
                        "sector": "pemerintah", "influence": ["3,5", "3", "4.0"],
                        "interest": ["2", "4,25", "1"]})
    result = clean_register(raw, SECTORS, "register.csv")
    assert reasons(result) == {2: "not_whole_number", 3: "not_whole_number"}
    assert result.quarantine["detail"].tolist()[0].startswith("influence 3,5 is not a whole")
    assert result.data[["organisation", "influence"]].values.tolist() == [["C", 4]]
    assert result.data["influence"].dtype == "int64"


# --- 7. excel_serial_date ------------------------------------------------------------------------

@pytest.mark.parametrize(("serial", "expected"), [
    (45678.5, "2025-01-21 12:00:00"), (45337, "2024-02-15 00:00:00"), (1, "1900-01-01 00:00:00"),
    (59, "1900-02-28 00:00:00"), (61, "1900-03-01 00:00:00"), (60, None), (0, None)])
def test_excel_serials_follow_the_1900_date_system(serial, expected):
    got = excel_serial_to_datetime(serial)
    assert (str(got) if got is not None else None) == expected


def test_only_five_digit_serials_in_the_window_are_dates():
    assert [excel_serial(v) for v in (45678, "45678,5", "2024", 2024, True, "1e5", 99999)] == [
        45678.0, 45678.5, None, None, None, None, None]


def test_attendance_serial_dates_are_converted_and_flagged():
    raw = pd.DataFrame({"region": "Kota Jambi", "meeting_date": ["2024-02-15", "45337", "2024"],
                        "meeting": "Rapat", "organisation": "A", "sector": "pemerintah",
                        "attended": "ya"})
    result = clean_attendance(raw, SECTORS, "attendance.csv")
    assert reasons(result) == {4: "unparseable_date"}
    assert result.data["meeting_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-02-15"] * 2
    flags = flags_of(result, "excel_serial_date")
    assert flags["source_row"].tolist() == [3] and "2024-02-15" in flags["action"].iloc[0]
    assert read_dates(pd.Series([45337.25])).serial.tolist() == [True]


def test_survey_serial_timestamps_take_the_columns_utc_offset():
    values = pd.Series(["2026-07-21T10:42:00.000+07:00", "2026-07-22T10:00:00.000+07:00",
                        45678.5, "45678,75"], dtype=object)
    got = parse_timestamps(values)
    assert got.iloc[2] == pd.Timestamp("2025-01-21 05:00", tz="UTC")  # 12:00 at +07:00
    assert got.iloc[3] == pd.Timestamp("2025-01-21 11:00", tz="UTC")
    arrow = parse_timestamps(pd.Series(["2026-07-21T10:42:00Z", "45678.5"], dtype="str"))
    assert arrow.iloc[1] == pd.Timestamp("2025-01-21 12:00", tz="UTC")


# --- 8. ambiguous_region ------------------------------------------------------------------------

def _regions(names: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"region": names, "source_row": range(2, len(names) + 2)})
    return resolve_region_column(frame, "region", "f.csv")


def test_a_bare_province_name_that_is_also_a_city_has_several_readings():
    assert [r.code for r in region_readings("Jambi")] == ["15", "15.71"]
    assert [r.code for r in region_readings("Gorontalo")] == ["75", "75.01", "75.71"]
    assert [r.code for r in region_readings("Kota Jambi")] == ["15.71"]
    assert [r.code for r in region_readings("Provinsi Jambi")] == ["15"]


@pytest.mark.parametrize(("names", "code", "why"), [
    (["Jambi", "Kota Bandung", "Kab. Klaten"], "15.71", "all kabupaten/kota"),
    (["Jambi", "Lampung"], "15", "all provinces"),
    (["Jambi", "Lampung", "Kota Bandung", "Kota Jambi"], "15.71", "names it elsewhere"),
    (["Jambi", "Lampung", "Kota Bandung"], "15", "do not tell"),
    (["Jambi"], "15", "do not tell"),
])
def test_ambiguous_region_is_read_by_the_files_other_regions(names, code, why):
    got = _regions(names)
    assert got["region_code"].iloc[0] == code
    assert why in got["region_note"].iloc[0]
    assert got["region_note"].iloc[1:].isna().all()


def test_register_flags_the_ambiguous_region():
    raw = pd.DataFrame({"region": ["Jambi", "Kota Bandung"], "organisation": ["A", "B"],
                        "sector": "pemerintah", "influence": "3", "interest": "3"})
    result = clean_register(raw, SECTORS, "register.csv")
    assert result.data["region_code"].tolist() == ["15.71", "32.73"]
    flags = flags_of(result, "ambiguous_region")
    assert flags["source_row"].tolist() == [2] and "read as Kota Jambi" in flags["action"].iloc[0]


# --- 9. a renamed required column -----------------------------------------------------------------

def test_a_values_sheet_without_its_value_column_is_an_error():
    workbook = {"values": pd.DataFrame({"region": ["Kota Jambi"], "indicator_id": ["pct"],
                                        "year": [2024], "nilai": [5]}),
                "values_wide": pd.DataFrame({"region": ["Kota Jambi"], "indicator_id": ["pct"],
                                             "2024": [5]})}
    with pytest.raises(InputFileError, match=r"sheet 'values' has no column 'value'; found .*'nilai'"):
        _value_sheets(workbook, "indicators.xlsx")
    workbook["values"] = workbook["values"].rename(columns={"nilai": "value", "year": "tahun"})
    with pytest.raises(InputFileError, match="no column 'year' or 'period'"):
        _value_sheets(workbook, "indicators.xlsx")


def test_a_blank_values_sheet_is_skipped():
    wide = pd.DataFrame({"region": ["Kota Jambi"], "indicator_id": ["pct"], "2024": [5]})
    got = _value_sheets({"values": pd.DataFrame(), "values_wide": wide}, "indicators.xlsx")
    assert len(got) == 1 and got["source_sheet"].tolist() == ["values_wide"]


# --- all rules on a copy of the demo, through run_clean ---------------------------------------------

def _edit_csv(path: Path, edit) -> None:
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, sep=";", index=False)


def _csv_rows(path: Path) -> int:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return sum(1 for row in csv.reader(handle, delimiter=";") if row) - 1


def _first(frame: pd.DataFrame, mask) -> int:
    return int(np.flatnonzero(np.asarray(mask))[0])


@pytest.fixture(scope="module")
def planted(tmp_path_factory, raw_dir, test_key):
    """The demo raw data with one value per rule planted; cleaned with today = TODAY.

    Returns (raw folder, processed folder, manifest, {what: Excel row}).
    """
    root = tmp_path_factory.mktemp("planted")
    raw = root / "raw"
    shutil.copytree(raw_dir, raw)
    at: dict[str, int] = {}

    book = openpyxl.load_workbook(raw / "indicators.xlsx")
    values = pd.read_excel(raw / "indicators.xlsx", sheet_name="values", dtype=object)
    header = [c.value for c in book["values"][1]]
    col = {name: header.index(name) + 1 for name in header}
    kps = values["indicator_id"].eq("komitmen_kps")
    last_year = values["year"].eq(values["year"].max())
    at["future"] = _first(values, last_year & ~kps) + 2
    at["inf"] = _first(values, kps & values["year"].eq(2019)) + 2
    at["absurd"] = _first(values, kps & values["year"].eq(2020)) + 2
    at["thousands"] = _first(values, kps & values["year"].eq(2021)) + 2
    sheet = book["values"]
    sheet.cell(at["future"], col["year"]).value = 2031
    sheet.cell(at["inf"], col["value"]).value = "inf"
    sheet.cell(at["absurd"], col["value"]).value = "1e308"
    sheet.cell(at["thousands"], col["value"]).value = "1.250"
    targets = book["targets"]
    header = [c.value for c in targets[1]]
    at["baseline_future"], at["target_before"] = 2, 3
    targets.cell(2, header.index("baseline_year") + 1).value = 2031
    targets.cell(3, header.index("target_year") + 1).value = 2018
    book.save(raw / "indicators.xlsx")

    def partnerships(frame):
        frame.loc[0, "start_year"] = "2035"
    _edit_csv(raw / "partnerships.csv", partnerships)
    at["start"] = 2

    def register(frame):
        frame.loc[0, "influence"] = "3,5"
        frame.loc[1, "interest"] = "inf"
        jambi = frame.index[frame["region"].str.strip().eq("Kota Jambi")][2]
        frame.loc[jambi, "region"] = "Jambi"
        at["register_jambi"] = int(jambi) + 2
    _edit_csv(raw / "stakeholder_register.csv", register)
    at["whole"], at["register_inf"] = 2, 3

    def ties(frame):
        frame.loc[5, "trust"] = "nan"
    _edit_csv(raw / "collaboration_ties.csv", ties)
    at["ties_nan"] = 7

    def attendance(frame):
        frame.loc[0, "meeting_date"] = "45337"  # 2024-02-15, as the row says
    _edit_csv(raw / "meeting_attendance.csv", attendance)
    at["serial_date"] = 2

    survey = openpyxl.load_workbook(raw / "survey_kobo_export.xlsx")
    sheet = survey.active
    header = [c.value for c in sheet[1]]
    start, end, region = (header.index(c) + 1 for c in ("start", "end", "region"))
    jambi = [r for r in range(2, sheet.max_row + 1)
             if str(sheet.cell(r, region).value).strip() in ("Kota Jambi", "KOTA JAMBI")]
    for r in jambi:
        sheet.cell(r, region).value = "Jambi"
    at["survey_jambi"] = len(jambi)
    # two serial interviews: 10 seconds (a speeder) and 20 minutes
    kept_rows = [r for r in range(2, sheet.max_row + 1) if r not in jambi][10:12]
    at["speeder"], at["serial_survey"] = kept_rows
    sheet.cell(at["speeder"], start).value = 45678.5
    sheet.cell(at["speeder"], end).value = 45678.5 + 10 / 86400
    sheet.cell(at["serial_survey"], start).value = 45678.5
    sheet.cell(at["serial_survey"], end).value = 45678.5 + 20 / 1440
    survey.save(raw / "survey_kobo_export.xlsx")

    processed = root / "processed"
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    rules_today = {rules.TODAY_ENV: TODAY.isoformat()}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in rules_today.items():
            mp.setenv(k, v)
        run_clean(raw, processed, key=test_key)
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before  # raw never written
    manifest = json.loads((processed / "manifest.json").read_text(encoding="utf-8"))
    return raw, processed, manifest, at


def _quarantined(processed: Path, table: str) -> dict[int, str]:
    q = pd.read_parquet(processed / "quarantine.parquet")
    q = q[q["table"] == table]
    return dict(zip(q["source_row"].astype(int), q["reason"]))


def _flags(processed: Path, table: str, issue: str) -> pd.DataFrame:
    f = pd.read_parquet(processed / "flags.parquet")
    return f[(f["table"] == table) & (f["issue"] == issue)]


def test_demo_rows_in_equal_clean_plus_quarantined_against_the_raw_files(planted):
    raw, processed, manifest, _ = planted
    tables = manifest["tables"]
    for name, file in (("stakeholders", "stakeholder_register.csv"),
                       ("attendance", "meeting_attendance.csv"),
                       ("partnerships", "partnerships.csv"), ("ties", "collaboration_ties.csv")):
        assert tables[name]["rows_in"] == _csv_rows(raw / file), name
    book = openpyxl.load_workbook(raw / "indicators.xlsx", read_only=True)
    assert tables["indicator_targets"]["rows_in"] == book["targets"].max_row - 1
    for name, counts in tables.items():
        assert counts["rows_in"] == counts["rows_clean"] + counts["rows_quarantined"], name
        if name not in ("indicator_metadata",):
            assert len(pd.read_parquet(processed / f"{name}.parquet")) == counts["rows_clean"]


def test_demo_future_years_and_bad_targets(planted):
    _, processed, manifest, at = planted
    values = _quarantined(processed, "indicator_values")
    assert values[at["future"]] == "future_year"
    annual = pd.read_parquet(processed / "indicator_annual.parquet")
    assert annual["year"].max() <= TODAY.year
    targets = _quarantined(processed, "indicator_targets")
    assert targets == {at["baseline_future"]: "future_year",
                       at["target_before"]: "target_before_baseline"}
    assert _quarantined(processed, "partnerships") == {at["start"]: "start_in_future"}
    assert manifest["quarantine_by_reason"]["partnerships: start_in_future"] == 1


def test_demo_non_finite_and_absurd_values_never_reach_processed(planted):
    _, processed, _, at = planted
    values = _quarantined(processed, "indicator_values")
    assert values[at["inf"]] == "non_finite_value" and values[at["absurd"]] == "absurd_magnitude"
    for name, columns in (("indicator_values", ["value"]), ("indicator_annual", ["value"]),
                          ("ties", ["trust", "value"]),
                          ("indicator_targets", ["baseline_value", "target_value"])):
        frame = pd.read_parquet(processed / f"{name}.parquet")
        for c in columns:
            assert not np.isinf(frame[c]).any() and frame[c].abs().max() < rules.MAX_MAGNITUDE
    assert _quarantined(processed, "ties")[at["ties_nan"]] == "non_finite_value"
    register = _quarantined(processed, "stakeholders")
    assert register[at["register_inf"]] == "non_finite_value"
    assert register[at["whole"]] == "not_whole_number"


def test_demo_thousands_dot_follows_the_sheets_decimal_comma(planted):
    _, processed, _, at = planted
    flags = _flags(processed, "indicator_values", "thousands_or_decimal")
    assert flags["source_row"].tolist() == [at["thousands"]]
    assert flags["source_file"].tolist() == ["indicators.xlsx [values]"]
    assert flags["action"].iloc[0].startswith("read as 1250 (the dot groups thousands)")
    values = pd.read_parquet(processed / "indicator_values.parquet")
    assert 1250.0 in values["value"].tolist()


def test_demo_serial_attendance_date_is_converted(planted):
    _, processed, _, at = planted
    flags = _flags(processed, "attendance", "excel_serial_date")
    assert flags["source_row"].tolist() == [at["serial_date"]]
    attendance = pd.read_parquet(processed / "attendance.parquet")
    assert len(attendance) == _csv_rows(planted[0] / "meeting_attendance.csv")


def test_demo_serial_survey_times_make_the_speeder_check_work(planted):
    _, processed, _, at = planted
    survey = _quarantined(processed, "survey")
    assert survey[at["speeder"]] == "speeder"
    kept = pd.read_parquet(processed / "survey.parquet")
    row = kept[kept["source_row"] == at["serial_survey"]]
    assert row["duration_s"].round().tolist() == [1200.0]


def test_demo_ambiguous_jambi_stays_with_the_city(planted):
    _, processed, _, at = planted
    survey = pd.read_parquet(processed / "survey.parquet")
    assert "15" not in set(survey["region_code"])  # no response moved to the province
    register = pd.read_parquet(processed / "stakeholders.parquet")
    assert "15" not in set(register["region_code"])
    flags = _flags(processed, "stakeholders", "ambiguous_region")
    assert flags["source_row"].tolist() == [at["register_jambi"]]
    assert "names it elsewhere" in flags["action"].iloc[0]


def test_demo_survey_flags_ambiguous_region_and_serial_times(planted):
    _, processed, _, at = planted
    assert len(_flags(processed, "survey", "ambiguous_region")) == at["survey_jambi"]
    assert _flags(processed, "survey", "excel_serial_date")["source_row"].tolist() == [
        at["serial_survey"]] * 2


def test_demo_renamed_value_column_is_one_error(tmp_path, raw_dir, test_key):
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    book = openpyxl.load_workbook(raw / "indicators.xlsx")
    sheet = book["values"]
    for cell in sheet[1]:
        if cell.value == "value":
            cell.value = "nilai"
    book.save(raw / "indicators.xlsx")
    with pytest.raises(InputFileError) as info:
        run_clean(raw, tmp_path / "processed", key=test_key)
    message = str(info.value)
    assert message.startswith("indicators.xlsx: sheet 'values' has no column 'value'")
    assert "\n" not in message and not (tmp_path / "processed" / "manifest.json").exists()


def test_targets_that_meet_once_their_region_names_are_read_are_quarantined_not_crashed():
    # 'Jambi' beside 'Kota Jambi' is read as Kota Jambi (the file names it elsewhere): two
    # targets for one region and indicator. Found by benchmarks/bench_batch.py at country
    # scale, where progress_table then refused the duplicate key with a traceback.
    raw = pd.DataFrame({"region": ["Jambi", "Kota Jambi", "Kota Bandung", "Kota Jambi"],
                        "indicator_id": ["pct", "pct", "pct", "rp"],
                        "baseline_year": 2019, "baseline_value": [10, 12, 10, 5],
                        "target_year": 2029, "target_value": [20, 22, 20, 9]})
    result = clean_indicator_targets(raw, META, "ind.xlsx", today=TODAY)
    assert reasons(result) == {2: "conflicting_duplicate", 3: "conflicting_duplicate"}
    assert "rows 2, 3 name the same region and indicator" in result.quarantine["detail"].iloc[0]
    assert sorted(zip(result.data["region_code"], result.data["indicator_id"])) == [
        ("15.71", "rp"), ("32.73", "pct")]
    assert not result.data.duplicated(["region_code", "indicator_id"]).any()
    assert balanced(result, raw)
