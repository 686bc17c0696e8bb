"""evalkit.read.waves: wave labels, their order and dates, and the data as of a wave."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.core.errors import EvalkitError
from evalkit.read.indicator_fields import parse_period, parse_period_unit
from evalkit.read.waves import (
    SINGLE_WAVE,
    as_of,
    at_wave,
    latest_wave,
    order_labels,
    parse_wave_label,
    period_label,
    previous_wave,
    read_wave_values,
    single_wave_table,
    snapshot,
    wave_of_dates,
    wave_slug,
    waves_table,
)

T = pd.Timestamp


@pytest.mark.parametrize("text, label, start, end", [
    ("2025-Q3", "2025-Q3", "2025-07-01", "2025-09-30"),
    ("TW III 2025", "2025-Q3", "2025-07-01", "2025-09-30"),
    ("2025Q3", "2025-Q3", "2025-07-01", "2025-09-30"),
    ("Triwulan IV 2024", "2024-Q4", "2024-10-01", "2024-12-31"),
    ("2025-H2", "2025-H2", "2025-07-01", "2025-12-31"),
    ("Semester 2 2025", "2025-H2", "2025-07-01", "2025-12-31"),
    ("S1 2024", "2024-H1", "2024-01-01", "2024-06-30"),
    ("semester ii 2024", "2024-H2", "2024-07-01", "2024-12-31"),
    ("2025", "2025", "2025-01-01", "2025-12-31"),
    (2024, "2024", "2024-01-01", "2024-12-31"),
    ("2024-Q1", "2024-Q1", "2024-01-01", "2024-03-31"),  # a leap year's Q1 ends 31 March
])
def test_period_spellings_read_to_one_label_and_the_period_bounds(text, label, start, end):
    assert parse_wave_label(text) == (label, T(start), T(end))


@pytest.mark.parametrize("text", ["Gelombang 1", "2025-H3", "Q5 2025", "", None, "1"])
def test_non_periods_are_none(text):
    assert parse_wave_label(text) is None


def test_indicator_periods_still_refuse_half_years():
    # one parser: indicators read years and quarters only
    assert parse_period("2025-H2") is None
    assert parse_period("TW II 2024") == (2024, 2)
    assert parse_period_unit("2025-H2") == (2025, "half", 2)


def test_period_label_of_timestamps():
    when = pd.Series(pd.to_datetime(["2025-01-01", "2025-06-30 23:59", "2025-07-01", None], format="ISO8601"),
                     index=[5, 6, 7, 8])
    assert period_label(when, "quarter").tolist()[:3] == ["2025-Q1", "2025-Q2", "2025-Q3"]
    assert period_label(when, "semester").tolist()[:3] == ["2025-H1", "2025-H1", "2025-H2"]
    assert period_label(when, "tahun").tolist()[:3] == ["2025"] * 3
    assert pd.isna(period_label(when, "half").iloc[3])
    assert list(period_label(when, "half").index) == [5, 6, 7, 8]
    with pytest.raises(ValueError, match="month"):
        period_label(when, "month")


def test_order_labels():
    # natural sort, not text order
    assert order_labels(["Gelombang 10", "Gelombang 2", "Gelombang 1", "Gelombang 2"]) == [
        "Gelombang 1", "Gelombang 2", "Gelombang 10"]
    # periods chronologically
    assert order_labels(["2025-H1", "2024-Q4", "2024"]) == ["2024", "2024-Q4", "2025-H1"]
    # declared order first, undeclared after it
    assert order_labels(["awal", "akhir", "tengah", "lain"], ["awal", "tengah", "akhir"]) == [
        "awal", "tengah", "akhir", "lain"]
    assert order_labels([None, float("nan")]) == []


def test_waves_table_schema_dates_and_order():
    table = waves_table(["2025-Q3", "2025-Q1"], "period")
    assert list(table.columns) == ["wave", "order", "start", "end", "source"]
    assert table["wave"].tolist() == ["2025-Q1", "2025-Q3"]
    assert table["order"].tolist() == [1, 2] and str(table["order"].dtype) == "int64"
    assert str(table["start"].dtype) == "datetime64[ns]"
    assert table["end"].tolist() == [T("2025-03-31"), T("2025-09-30")]
    # labels that are not all periods: undated
    mixed = waves_table(["Gelombang 1", "2025"], "field")
    assert mixed["start"].isna().all() and mixed["end"].isna().all()
    single = waves_table([], "single")
    assert single["wave"].tolist() == [SINGLE_WAVE] and single["source"].tolist() == ["single"]
    with pytest.raises(ValueError):
        waves_table(["a"], "guess")


def test_slugs_and_slug_clashes():
    assert wave_slug("2025-Q3") == "2025-q3"
    assert wave_slug("Gelombang 1") == "gelombang-1"
    assert wave_slug("  Putaran  Ké-2 / 2025 ") == "putaran-ke-2-2025"
    for odd in ("..", ".", "", "///", "★"):
        slug = wave_slug(odd)
        assert slug and slug not in (".", "..") and set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert wave_slug("..") != wave_slug("★")  # distinct labels with no letters stay distinct
    with pytest.raises(EvalkitError, match="Gelombang 1.*gelombang-1"):
        waves_table(["Gelombang 1", "gelombang-1"], "field")


def test_latest_and_previous():
    table = waves_table(["Gelombang 2", "Gelombang 10", "Gelombang 1"], "field")
    assert latest_wave(table) == "Gelombang 10"
    assert previous_wave(table, "Gelombang 10") == "Gelombang 2"
    assert previous_wave(table, "Gelombang 1") is None
    with pytest.raises(EvalkitError, match="Gelombang 3"):
        previous_wave(table, "Gelombang 3")
    assert latest_wave(single_wave_table()) == SINGLE_WAVE


def test_wave_of_dates_windows():
    table = waves_table(["2024-H1", "2024-H2"], "period")
    dates = pd.Series(pd.to_datetime(["2023-05-01", "2024-06-30", "2024-07-01",
                                      "2024-12-31 18:00", "2025-01-01", None], format="ISO8601"))
    got = wave_of_dates(dates, table)
    assert got.tolist()[:4] == ["2024-H1", "2024-H1", "2024-H2", "2024-H2"]
    assert got.iloc[4:].isna().all()  # after the last wave, missing
    assert wave_of_dates(dates, single_wave_table()).isna().all()  # undated


def test_read_wave_values():
    labels, unknown = read_wave_values(
        pd.Series(["TW III 2025", " 2025-q1 ", "", None, "2026-Q1", "GELOMBANG 1"]),
        ["2025-Q1", "2025-Q3", "Gelombang 1"])
    assert labels.tolist()[:2] == ["2025-Q3", "2025-Q1"] and labels.iloc[5] == "Gelombang 1"
    assert labels.iloc[2:5].isna().all()
    assert unknown.tolist() == [False, False, False, False, True, False]


def _tables():
    waves = waves_table(["2024-H1", "2024-H2", "2025-H1"], "period")
    survey = pd.DataFrame({"respondent_id": list("abcde"),
                           "wave": ["2024-H1", "2024-H1", "2024-H2", "2025-H1", "2025-H1"]})
    stakeholders = pd.DataFrame({"organisation": ["X", "Y", "Z"],
                                 "wave": pd.Series([None, "2024-H2", "2025-H1"], dtype="str")})
    attendance = pd.DataFrame({"meeting_date": pd.to_datetime(["2024-03-01", "2024-09-01",
                                                               "2025-03-01", "2025-09-01"])})
    values = pd.DataFrame({"year": [2023, 2024, 2025, 2026]})
    partnerships = pd.DataFrame({"start_year": [2020, 2025]})
    items = pd.DataFrame({"item": ["q1"]})
    return waves, {"survey": survey, "stakeholders": stakeholders, "attendance": attendance,
                   "indicator_values": values, "indicator_annual": values,
                   "partnerships": partnerships, "items": items, "ties": survey.copy()}


def test_at_wave_keeps_rows_for_every_wave():
    _, tables = _tables()
    assert at_wave(tables["stakeholders"], "2024-H2")["organisation"].tolist() == ["X", "Y"]
    assert at_wave(tables["items"], "2024-H2") is tables["items"]  # no wave column: whole


def test_as_of_a_past_wave_cuts_by_wave_and_by_date():
    waves, tables = _tables()
    past = as_of(tables, waves, "2024-H2")
    assert past["survey"]["respondent_id"].tolist() == list("abc")
    assert past["ties"]["respondent_id"].tolist() == list("abc")
    assert past["stakeholders"]["organisation"].tolist() == ["X", "Y"]
    assert past["attendance"]["meeting_date"].tolist() == [T("2024-03-01"), T("2024-09-01")]
    assert past["indicator_values"]["year"].tolist() == [2023, 2024]
    assert past["indicator_annual"]["year"].tolist() == [2023, 2024]
    assert past["partnerships"]["start_year"].tolist() == [2020]
    assert past["waves"]["wave"].tolist() == ["2024-H1", "2024-H2"]
    assert past["items"] is tables["items"]
    # the latest wave: the data as they stand (nothing cut by date)
    now = as_of(tables, waves, "2025-H1")
    assert len(now["attendance"]) == 4 and len(now["indicator_values"]) == 4
    assert len(now["survey"]) == 5


def test_as_of_undated_waves_keep_dated_tables_whole():
    _, tables = _tables()
    waves = waves_table(["Gelombang 1", "Gelombang 2"], "field")
    tables["survey"] = tables["survey"].assign(wave=["Gelombang 1"] * 3 + ["Gelombang 2"] * 2)
    past = as_of(tables, waves, "Gelombang 1")
    assert len(past["survey"]) == 3
    assert len(past["attendance"]) == 4 and len(past["partnerships"]) == 2


def test_snapshot_is_the_latest_wave():
    waves, tables = _tables()
    snap = snapshot(tables, waves)
    assert snap["survey"]["respondent_id"].tolist() == ["d", "e"]
    assert snap["stakeholders"]["organisation"].tolist() == ["X", "Z"]
    assert len(snap["attendance"]) == 4 and snap["items"] is tables["items"]
    # a single-wave data set without wave columns: unchanged
    plain = {"survey": pd.DataFrame({"respondent_id": ["a"]})}
    assert snapshot(plain, single_wave_table())["survey"] is plain["survey"]
