"""Tests for evalkit.io: reading CSV/XLSX raw files, with clear errors."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from evalkit.errors import EvalkitError, InputFileError
from evalkit.io import detect_encoding, file_sha256, read_table, read_workbook


def write_xlsx(path, sheets: dict[str, pd.DataFrame]):
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


@pytest.fixture
def workbook(tmp_path):
    return write_xlsx(tmp_path / "book.xlsx", {
        "first": pd.DataFrame({"region": ["Kota Jambi", "Klaten"], "n": [1, 2]}),
        "second": pd.DataFrame({"phone": ["081234567890"], " padded ": ["x"]}),
    })


# --------------------------------------------------------------------------------------
# CSV: encodings
# --------------------------------------------------------------------------------------
def test_csv_utf8(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("region,organisation\nKota Jambi,Dinas Pariwisata – Café\n".encode("utf-8"))
    frame = read_table(path)
    assert list(frame.columns) == ["region", "organisation"]
    assert frame.iloc[0].tolist() == ["Kota Jambi", "Dinas Pariwisata – Café"]


def test_csv_utf8_with_bom_header_is_clean(tmp_path):
    # Excel's "CSV UTF-8" starts with a byte-order mark; it must not stick to the header.
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffregion,n\nKota Jambi,3\n".encode("utf-8"))
    frame = read_table(path)
    assert list(frame.columns) == ["region", "n"]
    assert not frame.columns[0].startswith("\ufeff")
    assert frame.at[0, "region"] == "Kota Jambi"


def test_csv_cp1252(tmp_path):
    # Plain "CSV" from a Windows Excel: en-dash is byte 0x96, é is 0xE9 (invalid UTF-8).
    path = tmp_path / "win.csv"
    raw = "organisation;sector\nDinas Pariwisata – Café;Pemerintah\n".encode("cp1252")
    assert b"\x96" in raw and b"\xe9" in raw
    path.write_bytes(raw)
    assert detect_encoding(path) == "cp1252"
    frame = read_table(path)
    assert frame.at[0, "organisation"] == "Dinas Pariwisata – Café"
    assert frame.at[0, "sector"] == "Pemerintah"


# --------------------------------------------------------------------------------------
# CSV: delimiters
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_csv_delimiters(tmp_path, sep):
    path = tmp_path / "d.csv"
    path.write_text(sep.join(["region", "sector", "n"]) + "\n"
                    + sep.join(["Kota Jambi", "Media", "4"]) + "\n"
                    + sep.join(["Klaten", "Akademisi", "5"]) + "\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["region", "sector", "n"]
    assert frame.shape == (2, 3)
    assert frame["region"].tolist() == ["Kota Jambi", "Klaten"]


def test_semicolon_csv_with_decimal_commas(tmp_path):
    # Indonesian-locale Excel: ';' between fields, ',' as the decimal mark. The commas
    # must not be taken as the delimiter.
    path = tmp_path / "values.csv"
    path.write_text("region;value\nKota Jambi;1,5\nKlaten;2,25\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["region", "value"]
    assert frame["value"].tolist() == ["1,5", "2,25"]


def test_tsv_suffix(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n1\t2\n", encoding="utf-8")
    assert read_table(path).columns.tolist() == ["a", "b"]


def test_explicit_sep_and_encoding(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("a|b\nCafé|2\n".encode("cp1252"))
    frame = read_table(path, sep="|", encoding="cp1252")
    assert frame.iloc[0].tolist() == ["Café", "2"]


# --------------------------------------------------------------------------------------
# values as text
# --------------------------------------------------------------------------------------
def test_csv_values_read_as_text(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("phone,influence,code\n081234567890,4,0015\nNA,,3\n", encoding="utf-8")
    frame = read_table(path)
    assert frame.at[0, "phone"] == "081234567890"  # leading zero kept: text, not int
    assert frame.at[0, "influence"] == "4"  # conversion happens in cleaning, not here
    assert frame.at[0, "code"] == "0015"
    assert frame.at[1, "phone"] == "NA"  # "NA" is a value, not pandas' missing marker
    assert pd.isna(frame.at[1, "influence"])  # a blank cell is missing


def test_csv_header_whitespace_stripped(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(" region , n \nKota Jambi,1\n", encoding="utf-8")
    assert read_table(path).columns.tolist() == ["region", "n"]


# --------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------
def test_xlsx_first_sheet_by_default(workbook):
    frame = read_table(workbook)
    assert frame.columns.tolist() == ["region", "n"]
    assert frame["region"].tolist() == ["Kota Jambi", "Klaten"]
    assert frame["n"].tolist() == [1, 2]


def test_xlsx_named_sheet(workbook):
    frame = read_table(workbook, sheet="second")
    assert frame.columns.tolist() == ["phone", "padded"]  # header whitespace stripped
    assert frame.at[0, "phone"] == "081234567890"  # a text cell stays text


def test_xlsx_sheet_by_index(workbook):
    assert read_table(workbook, sheet=1).columns.tolist() == ["phone", "padded"]


def test_xlsx_wrong_sheet_name_lists_sheets(workbook):
    with pytest.raises(InputFileError) as info:
        read_table(workbook, sheet="Sheet1")
    message = str(info.value)
    assert message.startswith("book.xlsx:")
    assert "'Sheet1'" in message
    assert "'first'" in message and "'second'" in message


def test_xlsx_sheet_index_out_of_range_is_input_file_error(workbook):
    # The docstring promises InputFileError for "a sheet that does not exist".
    with pytest.raises(InputFileError, match="book.xlsx"):
        read_table(workbook, sheet=5)


def test_truncated_xlsx(tmp_path, workbook):
    data = workbook.read_bytes()
    broken = tmp_path / "survey_export.xlsx"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFileError) as info:
        read_table(broken)
    assert "survey_export.xlsx" in str(info.value)
    assert info.value.path == broken


def test_csv_renamed_to_xlsx(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="fake.xlsx"):
        read_table(path)


# --------------------------------------------------------------------------------------
# errors for files that cannot be read at all
# --------------------------------------------------------------------------------------
def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty") as info:
        read_table(path)
    assert str(info.value).startswith("empty.csv:")


def test_blank_lines_only_file_is_empty(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("\n   \n", encoding="utf-8")
    with pytest.raises(InputFileError, match="empty"):
        read_table(path)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(InputFileError, match="not found") as info:
        read_table(path)
    assert "nowhere.csv" in str(info.value)


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(InputFileError, match=r"unsupported file type '\.pdf'"):
        read_table(path)


def test_input_file_error_is_evalkit_error():
    assert issubclass(InputFileError, EvalkitError)


# --------------------------------------------------------------------------------------
# read_workbook and file_sha256
# --------------------------------------------------------------------------------------
def test_read_workbook_returns_all_sheets(workbook):
    sheets = read_workbook(workbook)
    assert list(sheets) == ["first", "second"]  # in workbook order
    assert sheets["first"].shape == (2, 2)
    assert sheets["second"].columns.tolist() == ["phone", "padded"]


def test_read_workbook_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        read_workbook(tmp_path / "gone.xlsx")


def test_read_workbook_truncated(tmp_path, workbook):
    data = workbook.read_bytes()
    broken = tmp_path / "half.xlsx"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFileError, match="half.xlsx"):
        read_workbook(broken)


def test_file_sha256_matches_hashlib(tmp_path, workbook):
    assert file_sha256(workbook) == hashlib.sha256(workbook.read_bytes()).hexdigest()
    path = tmp_path / "small.csv"
    path.write_bytes(b"a,b\n1,2\n")
    assert file_sha256(path) == hashlib.sha256(b"a,b\n1,2\n").hexdigest()


def test_file_sha256_large_file_streamed(tmp_path):
    # Larger than the 1 MiB read chunk, so several chunks are hashed.
    data = bytes(range(256)) * 10_000
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
