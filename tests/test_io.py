"""Tests for evalkit.read.io: reading CSV/XLSX raw files, with clear errors."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from evalkit.core.errors import EvalkitError, InputFileError
from evalkit.read.io import (
    KoboExport,
    convert_numbers,
    detect_encoding,
    file_sha256,
    read_kobo_export,
    read_table,
    read_workbook,
)


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
    path.write_bytes("region,organisation\nKota Jambi,Dinas Pariwisata – Café\n".encode())
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


def _encoding_probe(monkeypatch):
    """Record the calls of io.detect_encoding (still doing its work)."""
    import evalkit.read.io as evalkit_io

    calls = []
    real = evalkit_io.detect_encoding

    def probe(path):
        calls.append(path)
        return real(path)
    monkeypatch.setattr(evalkit_io, "detect_encoding", probe)
    return calls


def test_utf8_csv_is_read_without_detecting_the_encoding(tmp_path, monkeypatch):
    # UTF-8 is tried first; a file that reads as UTF-8 is not decoded a second time.
    calls = _encoding_probe(monkeypatch)
    path = tmp_path / "a.csv"
    path.write_bytes("region,organisation\nKota Jambi,Dinas Pariwisata – Café\n".encode())
    assert read_table(path).at[0, "organisation"] == "Dinas Pariwisata – Café"
    assert calls == []


def test_cp1252_falls_back_to_detection(tmp_path, monkeypatch):
    calls = _encoding_probe(monkeypatch)
    path = tmp_path / "win.csv"
    path.write_bytes("organisation;sector\nDinas Pariwisata – Café;Pemerintah\n".encode("cp1252"))
    frame = read_table(path)
    assert calls == [path]
    assert frame.at[0, "organisation"] == "Dinas Pariwisata – Café"


def _large_csv(path, last_organisation: str, encoding: str, rows: int = 250_000):
    """A CSV over pandas' 5 MB threshold for reading in parallel chunks (and far over
    the 64 KiB sample), whose only non-ASCII text is on its last row but one."""
    body = "".join(f"Kota Jambi;Dinas {i};{i}\n" for i in range(rows))
    text = f"region;organisation;n\n{body}Klaten;{last_organisation};7\nKlaten;Bappeda;8\n"
    path.write_bytes(text.encode(encoding))
    assert path.stat().st_size > 5 * 2**20
    return path


def test_cp1252_byte_far_into_a_large_file_falls_back(tmp_path, monkeypatch):
    # The first 64 KiB are ASCII: only the read itself meets the byte that is not UTF-8.
    calls = _encoding_probe(monkeypatch)
    path = _large_csv(tmp_path / "late.csv", "Dinas Pariwisata – Café", "cp1252")
    frame = read_table(path)
    assert calls == [path]
    assert detect_encoding(path) == "cp1252"
    assert frame.shape == (250_002, 3)
    assert frame["organisation"].iloc[-2] == "Dinas Pariwisata – Café"
    pd.testing.assert_frame_equal(frame, read_table(path, encoding="cp1252"), check_exact=True)


@pytest.mark.parametrize("raw", [
    "region,organisation\nKota Jambi,Café – ü\n".encode(),
    "\ufeffregion,n\nKota Jambi,3\n".encode("utf-8"),
    "organisation;sector\nDinas Pariwisata – Café;Pemerintah\n".encode("cp1252"),
    b"a,b\nx,1\n\x81\x8d,2\n",  # bytes neither UTF-8 nor cp1252 has: latin-1
])
def test_utf8_first_reads_as_detecting_first_did(tmp_path, raw):
    path = tmp_path / "any.csv"
    path.write_bytes(raw)
    pd.testing.assert_frame_equal(read_table(path), read_table(path, encoding=detect_encoding(path)),
                                  check_exact=True)


def test_large_utf8_and_cp1252_files_read_alike(tmp_path):
    utf8 = read_table(_large_csv(tmp_path / "u.csv", "Dinas Pariwisata – Café", "utf-8"))
    cp1252 = read_table(_large_csv(tmp_path / "w.csv", "Dinas Pariwisata – Café", "cp1252"))
    pd.testing.assert_frame_equal(utf8, cp1252, check_exact=True)


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


def _as_dtype_str(path, sep=","):
    """The file as ``pd.read_csv(dtype=str)`` reads it (what read_table promises)."""
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                       encoding="utf-8-sig")


def test_number_columns_keep_their_text_exactly(tmp_path):
    # Columns that look like numbers are declared text (as Arrow text, made str): every
    # value must come back as written, as dtype=str reads it.
    path = tmp_path / "n.csv"
    path.write_text("id,score,flag,big,sci,plain\n"
                    "007,1.50,True,3201234567890001,1e5,x\n"
                    "-0, +5 ,false,3,  7 ,y\n"
                    ",,,,,\n"
                    "12,0.1,TRUE,-9,inf,z\n", encoding="utf-8")
    frame = read_table(path)
    pd.testing.assert_frame_equal(frame, _as_dtype_str(path), check_exact=True)
    assert frame["id"].tolist()[:2] == ["007", "-0"]
    assert frame["score"].tolist()[1] == " +5 "
    assert all(dtype == pd.Series([], dtype=str).dtype for dtype in frame.dtypes)


def test_number_column_that_turns_text_after_the_sample(tmp_path):
    # numbers in the first 1,000 rows, text later: still read exactly as dtype=str
    path = tmp_path / "late_text.csv"
    rows = [f"{i},{i:04d}" for i in range(1500)] + ["x1,abc", "7,"]
    path.write_text("n,code\n" + "\n".join(rows) + "\n", encoding="utf-8")
    frame = read_table(path)
    pd.testing.assert_frame_equal(frame, _as_dtype_str(path), check_exact=True)
    assert frame["code"].iloc[-2] == "abc"
    assert frame["code"].iloc[7] == "0007"


def test_large_file_number_columns_as_dtype_str(tmp_path):
    # the parallel read of a large file, number columns included
    path = _large_csv(tmp_path / "big.csv", "Café", "utf-8")
    pd.testing.assert_frame_equal(read_table(path), _as_dtype_str(path, sep=";"),
                                  check_exact=True)


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



# --------------------------------------------------------------------------------------
# SPSS (.sav) and Stata (.dta): value labels applied, metadata kept
# --------------------------------------------------------------------------------------
LIKERT_LABELS = {1: "Sangat tidak setuju", 2: "Tidak setuju", 4: "Setuju", 5: "Sangat setuju",
                 99: "Tidak tahu"}


@pytest.fixture
def sav_file(tmp_path):
    path = tmp_path / "survei.sav"
    frame = pd.DataFrame({
        "q01": [4.0, 5.0, 3.0, 99.0, np.nan],  # 3 has no label; 99 = labelled user-missing
        "region": ["Kota Jambi", "Klaten", "Kota Batam", "Kota Bandung", "Lampung"],
        "age": [30.0, 41.0, 99.0, 52.0, 28.0],  # 99 = user-missing without a label
    })
    pyreadstat.write_sav(frame, path,
                         column_labels={"q01": "Saya percaya mitra lain dalam forum "
                                               "menepati komitmennya.", "region": "Daerah"},
                         variable_value_labels={"q01": LIKERT_LABELS},
                         missing_ranges={"q01": [99], "age": [99]})
    return path


def test_sav_value_labels_become_label_text(sav_file):
    frame = read_table(sav_file)
    assert frame.columns.tolist() == ["q01", "region", "age"]
    q01 = frame["q01"].tolist()
    assert q01[:2] == ["Setuju", "Sangat setuju"]  # 4 -> "Setuju", as in a Kobo label export
    assert q01[2] == 3.0  # a value without a label stays the number
    assert q01[3] == "Tidak tahu"  # a labelled missing code shows its label, like Kobo's "dk"
    assert pd.isna(q01[4])  # system-missing stays missing
    assert frame["region"].tolist()[:2] == ["Kota Jambi", "Klaten"]


def test_sav_unlabelled_user_missing_becomes_missing(sav_file):
    age = read_table(sav_file)["age"]
    assert age.tolist()[:2] == [30.0, 41.0]
    assert math.isnan(age.iloc[2])  # 99 declared missing in SPSS, no label: not an age
    assert age.dtype == "float64"


def test_sav_metadata_in_attrs(sav_file):
    frame = read_table(sav_file)
    assert frame.attrs["variable_labels"] == {
        "q01": "Saya percaya mitra lain dalam forum menepati komitmennya.",
        "region": "Daerah", "age": None}
    assert frame.attrs["value_labels"]["q01"][4] == "Setuju"
    assert frame.attrs["value_labels"]["q01"][99] == "Tidak tahu"
    assert set(frame.attrs["value_labels"]) == {"q01"}


def test_dta_value_labels(tmp_path):
    path = tmp_path / "survei.dta"
    frame = pd.DataFrame({"q01": [4, 5, 3, 1],
                          "sector": ["Media", "Akademisi", "Media", "Pemerintah"]})
    pyreadstat.write_dta(frame, path, column_labels={"q01": "Saya percaya", "sector": "Sektor"},
                         variable_value_labels={"q01": {1: "Sangat tidak setuju", 4: "Setuju",
                                                        5: "Sangat setuju"}})
    out = read_table(path)
    assert out["q01"].tolist() == ["Setuju", "Sangat setuju", 3, "Sangat tidak setuju"]
    assert out["sector"].tolist() == ["Media", "Akademisi", "Media", "Pemerintah"]
    assert out.attrs["variable_labels"] == {"q01": "Saya percaya", "sector": "Sektor"}
    assert out.attrs["value_labels"] == {"q01": {1: "Sangat tidak setuju", 4: "Setuju",
                                                 5: "Sangat setuju"}}


@pytest.mark.parametrize("fraction", [0.5, 0.95])
def test_truncated_sav(tmp_path, sav_file, fraction):
    data = sav_file.read_bytes()
    broken = tmp_path / "survei_potong.sav"
    broken.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(InputFileError) as info:
        read_table(broken)
    message = str(info.value)
    assert message.startswith("survei_potong.sav:")
    assert "SPSS" in message and "truncated" in message
    assert info.value.path == broken


def test_truncated_dta_losing_only_its_labels(tmp_path):
    # ReadStat reads this file without complaint and silently drops the value labels
    # (stored last); evalkit refuses it.
    path = tmp_path / "full.dta"
    pyreadstat.write_dta(pd.DataFrame({"q01": [4, 5]}), path,
                         variable_value_labels={"q01": {4: "Setuju", 5: "Sangat setuju"}})
    data = path.read_bytes()
    broken = tmp_path / "cut.dta"
    broken.write_bytes(data[: int(len(data) * 0.95)])
    with pytest.raises(InputFileError, match=r"^cut\.dta: .*Stata"):
        read_table(broken)


def test_text_file_renamed_to_sav(tmp_path):
    path = tmp_path / "fake.sav"
    path.write_text("q01,q02\n4,5\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"^fake\.sav: .*not a readable SPSS file"):
        read_table(path)


def test_missing_sav(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        read_table(tmp_path / "gone.sav")


# --------------------------------------------------------------------------------------
# old Excel (.xls)
# --------------------------------------------------------------------------------------
def test_real_xls_asks_for_xlsx(tmp_path):
    path = tmp_path / "ekspor.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)  # OLE2 header
    with pytest.raises(InputFileError) as info:
        read_table(path)
    assert str(info.value).startswith("ekspor.xls:")
    assert "save it as .xlsx" in str(info.value)


def test_xlsx_saved_under_xls_name_is_read(tmp_path, workbook):
    path = tmp_path / "renamed.xls"
    path.write_bytes(workbook.read_bytes())
    assert read_table(path)["region"].tolist() == ["Kota Jambi", "Klaten"]
    assert list(read_workbook(path)) == ["first", "second"]


# --------------------------------------------------------------------------------------
# numbers in CSV: decimal=None / "auto" / "," / "."
# --------------------------------------------------------------------------------------
@pytest.fixture
def indonesian_csv(tmp_path):
    path = tmp_path / "nilai.csv"
    path.write_text("region;value;budget;phone;note\n"
                    "Kota Jambi;12,5;1.234,5;081234567890;baik\n"
                    "Klaten;3;2.000;081298765432;2\n"
                    "Kota Batam;;15.750.000;;3\n", encoding="utf-8")
    return path


def test_decimal_none_keeps_text(indonesian_csv):
    frame = read_table(indonesian_csv)
    assert frame["value"].tolist()[:2] == ["12,5", "3"]
    assert frame["budget"].tolist() == ["1.234,5", "2.000", "15.750.000"]


def test_decimal_auto_indonesian(indonesian_csv):
    frame = read_table(indonesian_csv, decimal="auto")
    assert frame["value"].tolist()[:2] == [12.5, 3.0]
    assert math.isnan(frame.at[2, "value"])  # blank stays missing
    # "2.000" alone would be ambiguous; the column's "1.234,5" makes "." the thousands mark.
    assert frame["budget"].tolist() == [1234.5, 2000.0, 15750000.0]
    assert frame["budget"].dtype == "float64"
    assert frame.attrs["number_columns"] == {"value": ",", "budget": ","}


def test_phone_numbers_stay_text(indonesian_csv):
    frame = read_table(indonesian_csv, decimal="auto")
    assert frame.at[0, "phone"] == "081234567890"  # leading zero: an identifier
    assert frame.at[1, "phone"] == "081298765432"
    assert frame["note"].tolist() == ["baik", "2", "3"]  # not all numbers: all text
    assert frame["region"].tolist()[0] == "Kota Jambi"


def test_decimal_forced_comma(indonesian_csv):
    frame = read_table(indonesian_csv, decimal=",")
    assert frame["value"].tolist()[:2] == [12.5, 3.0]
    assert frame["budget"].tolist() == [1234.5, 2000.0, 15750000.0]
    assert frame.at[0, "phone"] == "081234567890"


def test_decimal_auto_english(tmp_path):
    path = tmp_path / "en.csv"
    path.write_text("value,budget,count\n12.5,\"1,234.5\",4\n0.25,\"2,000\",5\n",
                    encoding="utf-8")
    frame = read_table(path, decimal="auto")
    assert frame["value"].tolist() == [12.5, 0.25]
    assert frame["budget"].tolist() == [1234.5, 2000.0]  # "2,000" follows "1,234.5"
    assert frame["count"].tolist() == [4, 5]
    assert frame["count"].dtype == "int64"
    assert frame.attrs["number_columns"]["budget"] == "."


def test_decimal_forced_point_leaves_indonesian_text(indonesian_csv):
    frame = read_table(indonesian_csv, decimal=".")
    assert frame["value"].tolist()[:2] == ["12,5", "3"]  # "12,5" is no English number
    assert frame["budget"].tolist() == ["1.234,5", "2.000", "15.750.000"]


def test_convert_numbers_rules():
    frame = pd.DataFrame({
        "ambiguous_with_english": ["1.234", "1.5", "2"],  # "1.5" can only be English
        "only_ambiguous": ["1.234", "12.500", "7"],       # Indonesian thousands
        "mixed_conventions": ["12,5", "12.5", "1"],       # both kinds: left as text
        "negative": ["-1,5", "2", "-3"],
        "nik": ["3571012345678901", "3571012345678902", "1"],  # 16 digits: identifiers
        "zero_decimal": ["0,5", "0", "10"],
        "plus_phone": ["+6281234567890", "1", "2"],
        "padded": [" 12,5 ", "3", None],
    }, dtype="str")
    out = convert_numbers(frame)
    assert out["ambiguous_with_english"].tolist() == [1.234, 1.5, 2.0]
    assert out["only_ambiguous"].tolist() == [1234, 12500, 7]
    assert out["mixed_conventions"].tolist() == ["12,5", "12.5", "1"]
    assert out["negative"].tolist() == [-1.5, 2.0, -3.0]
    assert out["nik"].tolist() == ["3571012345678901", "3571012345678902", "1"]
    assert out["zero_decimal"].tolist() == [0.5, 0.0, 10.0]
    assert out["plus_phone"].tolist()[0] == "+6281234567890"
    assert out["padded"].tolist()[:2] == [12.5, 3.0]
    # pure: the input is untouched
    assert frame["negative"].tolist() == ["-1,5", "2", "-3"]


def test_convert_numbers_excel_object_column():
    frame = pd.DataFrame({"v": [12.5, "3,5", 2]}, dtype=object)
    assert convert_numbers(frame, ",")["v"].tolist() == [12.5, 3.5, 2.0]


def test_decimal_invalid_value(indonesian_csv):
    with pytest.raises(ValueError, match="decimal"):
        read_table(indonesian_csv, decimal=";")
    with pytest.raises(ValueError, match="decimal"):
        convert_numbers(pd.DataFrame({"a": ["1"]}), decimal="comma")


# --------------------------------------------------------------------------------------
# Kobo XLSX export with repeat groups
# --------------------------------------------------------------------------------------
def kobo_sheets() -> dict[str, pd.DataFrame]:
    main = pd.DataFrame({
        "region": ["Kota Jambi", "Klaten", "Kota Batam"],
        "sector": ["Media", "Akademisi", "Pemerintah"],
        "_uuid": ["u-1", "u-2", "u-3"],
        "_index": [1, 2, 3],
    })
    members = pd.DataFrame({
        "member_name": ["Ani", "Budi", "Citra", "Dewi", "Eko"],
        "member_role": ["ketua", "anggota", "ketua", "anggota", "anggota"],
        "_index": [1, 2, 3, 4, 5],
        "_parent_table_name": ["Survei KMP"] * 5,
        "_parent_index": [1, 1, 3, 3, 3],
        "_submission__uuid": ["u-1", "u-1", "u-3", "u-3", "u-3"],
    })
    return {"Survei KMP": main, "anggota": members}


def test_kobo_export_main_and_repeat(tmp_path):
    export = read_kobo_export(write_xlsx(tmp_path / "kobo.xlsx", kobo_sheets()))
    assert isinstance(export, KoboExport)
    assert export.main_name == "Survei KMP"
    assert export.main["region"].tolist() == ["Kota Jambi", "Klaten", "Kota Batam"]
    assert list(export.repeats) == ["anggota"]
    assert export.parents == {"anggota": "Survei KMP"}
    assert len(export.repeats["anggota"]) == 5


def test_kobo_export_joined_carries_parent_values(tmp_path):
    export = read_kobo_export(write_xlsx(tmp_path / "kobo.xlsx", kobo_sheets()))
    joined = export.joined("anggota")
    assert len(joined) == 5  # one row per repeat row; submission 2 has none
    assert joined["member_name"].tolist() == ["Ani", "Budi", "Citra", "Dewi", "Eko"]
    assert joined["region"].tolist() == ["Kota Jambi", "Kota Jambi", "Kota Batam",
                                         "Kota Batam", "Kota Batam"]
    assert joined["_uuid"].tolist() == joined["_submission__uuid"].tolist()
    assert joined["_index"].tolist() == [1, 2, 3, 4, 5]  # the repeat's own numbering
    assert joined.columns.tolist()[:2] == ["member_name", "member_role"]
    assert "_index_parent" not in joined.columns


def test_kobo_export_nested_repeat(tmp_path):
    sheets = kobo_sheets()
    sheets["kegiatan"] = pd.DataFrame({
        "activity": ["rapat", "pelatihan", "audit"],
        "_index": [1, 2, 3],
        "_parent_table_name": ["anggota"] * 3,
        "_parent_index": [2, 2, 5],  # rows of the 'anggota' sheet
    })
    export = read_kobo_export(write_xlsx(tmp_path / "kobo.xlsx", sheets))
    assert export.parents["kegiatan"] == "anggota"
    joined = export.joined("kegiatan")
    assert joined["member_name"].tolist() == ["Budi", "Budi", "Eko"]
    assert joined["region"].tolist() == ["Kota Jambi", "Kota Jambi", "Kota Batam"]


def test_kobo_export_repeat_with_no_rows_and_empty_sheet(tmp_path):
    sheets = kobo_sheets()
    sheets["anggota"] = sheets["anggota"].iloc[0:0]
    sheets["Sheet3"] = pd.DataFrame()
    export = read_kobo_export(write_xlsx(tmp_path / "kobo.xlsx", sheets))
    assert list(export.repeats) == ["anggota"]  # the header-less sheet holds nothing
    joined = export.joined("anggota")
    assert len(joined) == 0
    assert "region" in joined.columns


def test_kobo_export_joined_unknown_repeat(tmp_path):
    export = read_kobo_export(write_xlsx(tmp_path / "kobo.xlsx", kobo_sheets()))
    with pytest.raises(KeyError, match="'anggota'"):
        export.joined("members")


def test_kobo_repeat_sheet_without_parent_index(tmp_path):
    sheets = kobo_sheets()
    sheets["anggota"] = sheets["anggota"].drop(columns="_parent_index")
    with pytest.raises(InputFileError) as info:
        read_kobo_export(write_xlsx(tmp_path / "kobo.xlsx", sheets))
    message = str(info.value)
    assert message.startswith("kobo.xlsx:")
    assert "sheet 'anggota'" in message and "'_parent_index'" in message


def test_kobo_orphan_parent_index_names_sheet_and_row(tmp_path):
    sheets = kobo_sheets()
    sheets["anggota"].loc[3, "_parent_index"] = 7  # Excel row 5: no submission 7
    with pytest.raises(InputFileError) as info:
        read_kobo_export(write_xlsx(tmp_path / "kobo.xlsx", sheets))
    message = str(info.value)
    assert "sheet 'anggota', row 5:" in message
    assert "'_parent_index' 7 matches no '_index' of sheet 'Survei KMP'" in message


def test_kobo_blank_and_orphan_parent_index_rows_listed(tmp_path):
    sheets = kobo_sheets()
    members = sheets["anggota"].astype({"_parent_index": object})
    members.loc[0, "_parent_index"] = None
    members.loc[4, "_parent_index"] = 9
    sheets["anggota"] = members
    with pytest.raises(InputFileError, match=r"sheet 'anggota', rows 2, 6:"):
        read_kobo_export(write_xlsx(tmp_path / "kobo.xlsx", sheets))


def test_kobo_main_sheet_without_index(tmp_path):
    sheets = kobo_sheets()
    sheets["Survei KMP"] = sheets["Survei KMP"].drop(columns="_index")
    with pytest.raises(InputFileError, match=r"sheet 'Survei KMP' has no '_index'"):
        read_kobo_export(write_xlsx(tmp_path / "kobo.xlsx", sheets))


def test_kobo_main_sheet_duplicate_index(tmp_path):
    sheets = kobo_sheets()
    sheets["Survei KMP"].loc[2, "_index"] = 1
    with pytest.raises(InputFileError, match=r"sheet 'Survei KMP', rows 2, 4: the same '_index'"):
        read_kobo_export(write_xlsx(tmp_path / "kobo.xlsx", sheets))


def test_kobo_export_without_repeats_and_csv(tmp_path):
    main = kobo_sheets()["Survei KMP"]
    export = read_kobo_export(write_xlsx(tmp_path / "flat.xlsx", {"data": main}))
    assert export.repeats == {}
    assert export.main.shape == (3, 4)
    path = tmp_path / "flat.csv"
    main.to_csv(path, index=False)
    export = read_kobo_export(path)
    assert export.repeats == {}
    assert export.main["region"].tolist() == ["Kota Jambi", "Klaten", "Kota Batam"]


def test_kobo_export_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        read_kobo_export(tmp_path / "none.xlsx")
