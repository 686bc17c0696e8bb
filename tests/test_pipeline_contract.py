"""The pipeline side of the input contract: optional inputs, survey discovery, aliases,
dates, the manifest's form block and the sectors/scale tables."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from evalkit.clean.pipeline import (
    RAW_FILES,
    TABLE_SCHEMAS,
    empty_table,
    find_survey,
    raw_inputs_changed,
    run_clean,
)
from evalkit.core.errors import InputFileError
from evalkit.read.dates import DAY_FIRST, ISO, MIXED, MONTH_FIRST, read_dates
from evalkit.read.io import read_table
from evalkit.read.products import read_processed

# --- dates -----------------------------------------------------------------------------

def _dates(*values):
    column = read_dates(pd.Series(values, dtype=object))
    text = column.dates.dt.strftime("%Y-%m-%d")
    return column, [None if pd.isna(v) else v for v in text]


def test_iso_dates_are_never_swapped():
    column, out = _dates("2024-03-12", "2024-01-05", "2024-02-15 09:30")
    assert out == ["2024-03-12", "2024-01-05", "2024-02-15"] and column.order == ISO
    assert not column.assumed and column.warning("x") is None


def test_day_first_column_decided_by_a_day_above_12():
    column, out = _dates("05/02/2024", "13/02/2024")
    assert out == ["2024-02-05", "2024-02-13"] and column.order == DAY_FIRST
    assert not column.assumed


def test_month_first_column_decided_by_a_second_part_above_12():
    column, out = _dates("02/13/2024", "05/02/2024")
    assert out == ["2024-02-13", "2024-05-02"] and column.order == MONTH_FIRST


def test_undecided_column_is_read_day_first_with_a_warning():
    column, out = _dates("05/02/2024", "06/07/2024")
    assert out == ["2024-02-05", "2024-07-06"] and column.assumed
    assert "day-first" in column.warning("attendance.csv")


def test_mixed_column_leaves_the_ambiguous_rows_unread():
    column, out = _dates("13/02/2024", "02/13/2024", "05/06/2024", "07/07/2024")
    assert column.order == MIXED
    assert out == ["2024-02-13", "2024-02-13", None, "2024-07-07"]
    assert column.ambiguous.tolist() == [False, False, True, False]
    assert "ambiguous_date" in column.warning("x")


def test_excel_cells_text_months_and_bad_dates():
    import datetime as dt

    _, out = _dates(dt.datetime(2024, 3, 12), "12 Maret 2024", "3 Oct 2024", "31/02/2024",
                    None, "kemarin")
    assert out == ["2024-03-12", "2024-03-12", "2024-10-03", None, None, None]


def test_attendance_iso_dates_with_small_days_count_every_meeting():
    from evalkit.clean.stakeholders import clean_attendance

    raw = pd.DataFrame({"region": ["Kota Jambi"] * 4,
                        "meeting_date": ["2024-03-12", "2024-06-11", "2024-09-10", "2024-12-10"],
                        "meeting": ["m1", "m2", "m3", "m4"], "organisation": ["A"] * 4,
                        "sector": ["x"] * 4, "attended": ["ya"] * 4})
    result = clean_attendance(raw, {"x": "x"}, "a.csv")
    assert result.data["meeting_date"].dt.month.tolist() == [3, 6, 9, 12]
    assert result.data["meeting_date"].dt.quarter.nunique() == 4


def test_mixed_attendance_dates_are_quarantined_as_ambiguous():
    from evalkit.clean.stakeholders import clean_attendance

    raw = pd.DataFrame({"region": ["Kota Jambi"] * 3,
                        "meeting_date": ["13/02/2024", "02/14/2024", "05/06/2024"],
                        "meeting": ["m1", "m2", "m3"], "organisation": ["A"] * 3,
                        "sector": ["x"] * 3, "attended": ["ya"] * 3})
    result = clean_attendance(raw, {"x": "x"}, "a.csv")
    assert result.quarantine["reason"].tolist() == ["ambiguous_date"]
    assert result.quarantine["source_row"].tolist() == [4]
    assert len(result.data) == 2 and result.warnings


# --- optional inputs -------------------------------------------------------------------

@pytest.fixture(scope="module")
def sparse(tmp_path_factory, raw_dir):
    """The demo without attendance and partnerships, with header-only ties and register,
    and an indicator workbook with only metadata (blank name_en / sdg_code) and
    values_wide (no values, no targets sheet)."""
    base = tmp_path_factory.mktemp("sparse")
    raw = base / "raw"
    shutil.copytree(raw_dir, raw)
    (raw / RAW_FILES["attendance"]).unlink()
    (raw / RAW_FILES["partnerships"]).unlink()
    for name in ("ties", "stakeholders"):
        header = read_table(raw / RAW_FILES[name]).columns
        (raw / RAW_FILES[name]).write_text(";".join(header) + "\n", encoding="utf-8")
    sheets = pd.read_excel(raw / RAW_FILES["indicators"], sheet_name=None)
    meta = sheets["metadata"].copy()
    meta.loc[0, "name_en"] = None
    meta.loc[1, "sdg_code"] = None
    with pd.ExcelWriter(raw / RAW_FILES["indicators"]) as writer:
        meta.to_excel(writer, sheet_name="metadata", index=False)
        sheets["values_wide"].to_excel(writer, sheet_name="values_wide", index=False)
    summary = run_clean(raw, base / "p", key=b"k")
    return raw, base / "p", summary.manifest, meta


def test_missing_and_header_only_inputs_give_empty_tables_with_their_schema(sparse):
    _, processed, manifest, _ = sparse
    assert set(manifest["inputs_missing"]) == {"attendance", "partnerships", "indicator_targets"}
    assert set(manifest["inputs_empty"]) == {"ties", "stakeholders"}
    for name in ("attendance", "partnerships", "ties", "stakeholders", "indicator_targets"):
        table = read_processed(name, processed)
        assert len(table) == 0, name
        assert list(table.columns) == list(TABLE_SCHEMAS[name]), name
        assert {c: str(t) for c, t in table.dtypes.items()} == \
            {c: str(t) for c, t in empty_table(name).dtypes.items()}, name
    for name, t in manifest["tables"].items():
        assert t["rows_in"] == t["rows_clean"] + t["rows_quarantined"], name


def test_wide_only_workbook_without_targets_keeps_the_series(sparse):
    _, processed, _, meta = sparse
    values = read_processed("indicator_values", processed)
    assert len(values) > 0 and len(read_processed("indicator_annual", processed)) > 0


def test_blank_metadata_names_fall_back_and_blank_sdg_code_stays_blank(sparse):
    _, processed, _, meta = sparse
    table = read_processed("indicator_metadata", processed).set_index("indicator_id")
    first, second = meta.loc[0, "indicator_id"], meta.loc[1, "indicator_id"]
    assert table.at[first, "name_en"] == meta.loc[0, "name_id"]
    assert table.at[second, "sdg_code"] == ""
    assert "nan" not in set(table["sdg_code"]) | set(table["name_en"])


def test_raw_inputs_changed_when_an_optional_file_or_aliases_appear(sparse, tmp_path):
    raw, processed, _, _ = sparse
    assert not raw_inputs_changed(raw, processed)
    copy = tmp_path / "raw"
    shutil.copytree(raw, copy)
    (copy / "aliases.csv").write_text("kind;value;means\n", encoding="utf-8")
    assert raw_inputs_changed(copy, processed)
    (copy / "aliases.csv").unlink()
    assert not raw_inputs_changed(copy, processed)
    (copy / RAW_FILES["attendance"]).write_text("region;meeting_date\n", encoding="utf-8")
    assert raw_inputs_changed(copy, processed)


def test_manifest_form_block_and_sectors_scale_tables(processed, processed_dir):
    form = processed.manifest["form"]
    assert form["scale"] == {"min": 1.0, "max": 5.0, "k": 5}
    assert form["speeder_seconds"] == 180 and form["speeder_seconds_per_item"] == 6
    assert {"region", "sector"} <= set(form["roles"]) and "id" in form["languages"]
    assert processed.manifest["inputs_missing"] == [] and processed.manifest["inputs_empty"] == []
    sectors = read_processed("sectors", processed_dir)
    assert list(sectors.columns) == ["sector", "label_id", "label_en", "pentahelix"]
    scale = read_processed("scale", processed_dir)
    assert scale["value"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert scale["neutral"].tolist() == [False, False, True, False, False]


def test_empty_ties_and_register_do_not_crash_clean_ties():
    from evalkit.clean.stakeholders import TIE_COLUMNS, clean_ties

    empty = pd.DataFrame({c: pd.Series(dtype="str") for c in TIE_COLUMNS})
    result = clean_ties(empty, empty_table("stakeholders"), "t.csv")
    assert len(result.data) == 0
    raw = pd.DataFrame({"region": ["Kota Jambi"], "organisation": ["A"], "partner": ["B"],
                        "level": ["1"], "trust": ["2"], "value": ["3"]})
    result = clean_ties(raw, empty_table("stakeholders"), "t.csv")
    assert result.data["partner_sector"].tolist() == ["unknown"] and len(result.flags) == 2


# --- survey discovery and Kobo CSV -----------------------------------------------------

def test_survey_found_by_name_pattern_and_several_candidates_are_an_error(tmp_path):
    (tmp_path / "codebook_xlsform.xlsx").write_bytes(b"")
    (tmp_path / "Stunting_NTT_kobo_2024.csv").write_text("a\n1\n")
    assert find_survey(tmp_path).name == "Stunting_NTT_kobo_2024.csv"
    (tmp_path / "survey_2025.xlsx").write_bytes(b"")
    with pytest.raises(InputFileError, match="Stunting_NTT_kobo_2024.csv, survey_2025.xlsx"):
        find_survey(tmp_path)
    (tmp_path / "survey.csv").write_text("a\n1\n")  # a standard name wins
    assert find_survey(tmp_path).name == "survey.csv"


def test_kobo_semicolon_quoted_csv_is_sniffed(tmp_path):
    path = tmp_path / "kobo.csv"
    path.write_text('"start";"end";"region";"organisation"\n'
                    '"2024-03-01T10:00:00";"2024-03-01T10:20:00";"Kota Kupang";"Yayasan A; B"\n',
                    encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["start", "end", "region", "organisation"]
    assert frame.loc[0, "organisation"] == "Yayasan A; B"


# --- aliases in every table ------------------------------------------------------------

def test_aliases_are_applied_to_every_table(raw_dir, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)

    def edit(name, column, row, value):
        frame = read_table(raw / RAW_FILES[name])
        frame.loc[row, column] = value
        frame.to_csv(raw / RAW_FILES[name], sep=";", index=False)

    edit("stakeholders", "region", 0, "Kota Jambbi")
    edit("stakeholders", "sector", 1, "Pemkab")
    edit("attendance", "attended", 0, "datang")
    edit("partnerships", "type", 0, "SK Bupati")
    edit("ties", "region", 0, "Kota Jambbi")
    (raw / "aliases.csv").write_text(
        "kind;value;means\nregion;Kota Jambbi;15.71\nsector;Pemkab;" + _first_sector(raw)
        + "\nattendance;datang;yes\npartnership_type;SK Bupati;informal\n", encoding="utf-8")
    summary = run_clean(raw, tmp_path / "p", key=b"k")  # no unmatched-region error
    quarantine = read_processed("quarantine", tmp_path / "p")
    edited = quarantine[quarantine["source_row"].isin([2, 3])
                        & quarantine["table"].isin(["stakeholders", "attendance", "partnerships",
                                                    "ties"])]
    assert edited.empty, edited
    assert "aliases.csv" in summary.manifest["inputs"]
    partnerships = read_processed("partnerships", tmp_path / "p")
    assert (partnerships["type"] == "informal").sum() >= 1


def _first_sector(raw):
    from evalkit.read.codebook import read_codebook

    return read_codebook(raw / RAW_FILES["codebook"]).sectors_table()["sector"].iloc[0]


def test_manifest_is_json_with_the_new_keys(processed_dir):
    manifest = json.loads((processed_dir / "manifest.json").read_text())
    assert {"inputs_missing", "inputs_empty", "form", "speeder_seconds"} <= set(manifest)
