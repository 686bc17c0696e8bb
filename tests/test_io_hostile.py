"""Broken and hostile raw files (issue #15, items 1 and 6): read row-exactly or refused
with one InputFileError that names the file and the line or row.

Every bad file is written byte by byte here, in ``tmp_path``.
"""

from __future__ import annotations

import shutil
import struct
import time
import tracemalloc
import zipfile

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import evalkit.read.io as evalkit_io
from evalkit.clean.rows import require_columns as require_file_columns
from evalkit.clean.stakeholders import REGISTER_COLUMNS, clean_register
from evalkit.core.checks import require_columns as require_arg_columns
from evalkit.core.errors import InputFileError
from evalkit.core.headers import find_header_row, header_row_hint
from evalkit.read.io import (
    _count_records,
    detect_encoding,
    read_table,
    read_workbook,
)
from evalkit.run.cli import app

HEADER = "region;organisation;sector;influence;interest"


def register_lines(rows: int = 263) -> list[str]:
    """A stakeholder register as Excel writes it: ';' between values, no quotes."""
    sectors = ["Pemerintah", "LSM", "Swasta", "Akademisi", "Media"]
    return [HEADER] + [f"Kota Jambi;Organisasi {i};{sectors[i % 5]};{i % 5 + 1};{i % 3 + 1}"
                       for i in range(rows)]


def write_lines(path, lines, end="\n", encoding="utf-8"):
    path.write_bytes(("\n".join(lines) + end).encode(encoding))
    return path


def error_of(path, **kwargs) -> str:
    with pytest.raises(InputFileError) as info:
        read_table(path, **kwargs)
    message = str(info.value)
    assert message.startswith(f"{path.name}: "), message
    assert "\n" not in message  # the CLI prints it as one line
    return message


# --------------------------------------------------------------------------------------
# row-exact CSV reading
# --------------------------------------------------------------------------------------
def test_unclosed_quote_swallowing_the_rest_of_the_register(tmp_path):
    # the classic: a quote opened on line 75 and never closed
    lines = register_lines()
    lines[74] = lines[74].replace(";", ';"', 1)
    path = write_lines(tmp_path / "stakeholder_register.csv", lines)
    message = error_of(path)
    assert "line 75: a quote (\") opened here is never closed" in message
    assert "the 189 lines after it would be read as one value" in message  # lines 76-264
    assert "close the quote or remove it" in message


def test_unclosed_quote_without_a_final_newline(tmp_path):
    lines = register_lines()
    lines[74] = '"' + lines[74]
    message = error_of(write_lines(tmp_path / "r.csv", lines, end=""))
    assert "line 75: a quote (\") opened here is never closed, so the 189 lines" in message


def test_quote_closed_many_lines_later_by_another_stray_quote(tmp_path):
    # pandas reads this without complaint: lines 75-81 become one row
    lines = register_lines()
    lines[74] = lines[74].replace(";", ';"', 1)
    lines[80] = lines[80].replace(";", ';"', 1)
    message = error_of(write_lines(tmp_path / "r.csv", lines))
    assert "line 75: a quote (\") opened here is not closed until line 81" in message
    assert "the 6 lines after it" in message


def test_quote_closed_on_the_next_line_leaves_a_short_row(tmp_path):
    # no whole row inside the value, but the row has fewer values than the header
    lines = register_lines(10)
    lines[4] = 'Kota Jambi;"Organisasi 3'
    lines[5] = 'x";LSM'
    message = error_of(write_lines(tmp_path / "r.csv", lines))
    assert "line 5: a quote (\") opened here is not closed until line 6" in message


def test_open_quote_on_the_last_line(tmp_path):
    lines = register_lines(5)
    lines[-1] = 'Kota Jambi;"Organisasi;LSM;1;2'
    message = error_of(write_lines(tmp_path / "r.csv", lines, end=""))
    assert "line 6: a quote (\") opened here is never closed;" in message


def test_unclosed_quote_in_a_long_file_stops_at_the_field_limit(tmp_path):
    lines = register_lines(5000)  # over 131,072 characters after the quote
    lines[2] = lines[2].replace(";", ';"', 1)
    message = error_of(write_lines(tmp_path / "r.csv", lines))
    assert "line 3: a value runs on for more than 131,072 characters" in message
    assert "quote" in message


def test_multiline_comments_in_quotes_are_read(tmp_path):
    # Kobo/Excel quote a value holding line breaks; commas and semicolons inside too
    path = tmp_path / "attendance.csv"
    path.write_text('region;meeting;comment\n'
                    'Kota Jambi;M1;"Rapat baik; tetapi\nperlu tindak lanjut, segera\n\n'
                    'terima kasih"\n'
                    'Klaten;M2;satu baris\n'
                    '"Kota Bandung";"M3";"akhir\nbaris ""kutip"""\n', encoding="utf-8")
    frame = read_table(path)
    assert len(frame) == 3
    assert frame.at[0, "comment"] == ("Rapat baik; tetapi\nperlu tindak lanjut, segera\n\n"
                                      "terima kasih")
    assert frame.at[2, "comment"] == 'akhir\nbaris "kutip"'
    assert frame.attrs["source_rows"] == 3
    assert frame.attrs["record_lines"] == [2, 6, 7]


def test_every_field_quoted_kobo_csv(tmp_path):
    rows = ['"region";"_uuid";"note"'] + [f'"Kota Jambi";"u{i}";"teks {i}"' for i in range(50)]
    frame = read_table(write_lines(tmp_path / "survey.csv", rows))
    assert len(frame) == 50 and frame.attrs["source_rows"] == 50


def test_row_with_more_values_than_the_header(tmp_path):
    lines = register_lines(20)
    lines[11] += ";extra"
    message = error_of(write_lines(tmp_path / "r.csv", lines))
    assert "line 12 has 6 values but the header (line 1) has 5 columns" in message


def test_first_row_longer_than_the_header_is_not_made_an_index(tmp_path):
    # pandas would silently take the first column as the index and shift the others
    path = write_lines(tmp_path / "r.csv", ["a,b", "1,2,3", "4,5,6"])
    assert "line 2 has 3 values but the header (line 1) has 2 columns" in error_of(path)


def test_trailing_empty_value_beyond_the_header_is_named(tmp_path):
    path = write_lines(tmp_path / "r.csv", ["a;b", "1;2", "3;4;"])
    assert "line 3 has 3 values" in error_of(path)


def test_blank_lines_and_trailing_newlines_are_not_rows(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("\n" + HEADER + "\n\nKota Jambi;A;LSM;1;2\n   \n\t\r\nKlaten;B;Media;3;4\n\n\n",
                    encoding="utf-8")
    frame = read_table(path)
    assert frame["organisation"].tolist() == ["A", "B"]
    assert frame.attrs["source_rows"] == 2
    assert frame.attrs["header_line"] == 2
    assert frame.attrs["blank_lines"] == 6
    assert frame.attrs["record_lines"] == [4, 7]


def test_a_row_of_empty_values_is_a_row(tmp_path):
    # ';;;;' is a row (pandas keeps it; cleaning quarantines it), so is '""'
    frame = read_table(write_lines(tmp_path / "r.csv", ["a;b", "1;2", ";", '""', "3;4"]))
    assert len(frame) == 4 and frame.attrs["source_rows"] == 4


def test_source_rows_survive_number_conversion(tmp_path):
    frame = read_table(write_lines(tmp_path / "v.csv", ["a;b", "1;2,5", "3;4"]), decimal="auto")
    assert frame.attrs["source_rows"] == 2 and frame.attrs["number_columns"]


def test_a_difference_between_the_count_and_pandas_names_the_line(tmp_path, monkeypatch):
    # Whatever the cause, a parser that returns fewer rows than the file holds is an error.
    real = evalkit_io._read_csv_as_text

    def loses_a_row(path, **kwargs):
        frame = real(path, **kwargs)
        return frame.drop(index=6).reset_index(drop=True)
    monkeypatch.setattr(evalkit_io, "_read_csv_as_text", loses_a_row)
    lines = register_lines(20)
    lines.insert(3, "")  # a blank line: physical lines, not row positions, are named
    message = error_of(write_lines(tmp_path / "r.csv", lines))
    assert message.startswith("r.csv: line 9: the file has 20 data rows but 19 were read")


def test_counting_is_streamed(tmp_path):
    # a 7 MB file: the pass holds one line at a time, never the file
    body = "".join(f'Kota Jambi;Organisasi {i};LSM;3;"komentar, {i}"\n' for i in range(150_000))
    path = tmp_path / "big.csv"
    path.write_text(HEADER + ";comment\n" + body, encoding="utf-8")
    assert path.stat().st_size > 6 * 2**20
    from evalkit.read.io import _count_records_by_line

    tracemalloc.start()
    try:
        count = _count_records_by_line(path, ";", "utf-8-sig")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count.records == 150_000
    assert peak < 2 * 2**20


def test_the_byte_count_is_bounded_by_its_block_not_the_file(tmp_path):
    from evalkit.read.io import _COUNT_BLOCK, _count_plain_records

    peaks = []
    for rows in (150_000, 600_000):  # 7 MB and 28 MB
        body = "".join(f'Kota Jambi;Organisasi {i};LSM;3;"komentar; {i}"\n' for i in range(rows))
        path = tmp_path / f"big{rows}.csv"
        path.write_text(HEADER + ";comment\n" + body, encoding="utf-8")
        tracemalloc.start()
        try:
            count = _count_plain_records(path, ";", "utf-8-sig")
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert count is not None and count.records == rows
    assert max(peaks) < 24 * _COUNT_BLOCK  # a few arrays of one block, whatever the file
    assert peaks[1] < 1.5 * peaks[0]


@pytest.mark.slow
def test_counting_speed_on_a_large_file(tmp_path):
    # measured here: about 1.5 s per 100 MB for the count (pandas' own read: about 0.7 s)
    body = "".join(f'Kota Jambi;Dinas {i};Pemerintah;3;2;"komentar; {i}"\n'
                   for i in range(1_000_000))
    path = tmp_path / "big.csv"
    path.write_text(HEADER + ";comment\n" + body, encoding="utf-8")
    size = path.stat().st_size / 2**20
    started = time.perf_counter()
    count = _count_records(path, ";", "utf-8-sig")
    seconds = time.perf_counter() - started
    assert count.records == 1_000_000
    assert seconds < 5 * size / 100 + 1  # "a few seconds per 100 MB", with room for a busy machine
    frame = read_table(path)
    assert len(frame) == frame.attrs["source_rows"] == 1_000_000


# --------------------------------------------------------------------------------------
# encodings, decided for the whole file
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_excel_unicode_text_utf16_is_read(tmp_path, encoding):
    # Excel "Unicode text": UTF-16 with a byte-order mark, tab-separated, .txt
    text = "region\torganisation\nKota Jambi\tDinas Pariwisata – Café\nKlaten\tÑusa\n"
    raw = (b"\xfe\xff" + text.encode("utf-16-be") if encoding == "utf-16-be"
           else text.encode("utf-16"))
    path = tmp_path / "stakeholder_register.txt"
    path.write_bytes(raw)
    frame = read_table(path)
    assert frame.columns.tolist() == ["region", "organisation"]
    assert frame["organisation"].tolist() == ["Dinas Pariwisata – Café", "Ñusa"]
    assert frame.attrs["source_rows"] == 2
    assert detect_encoding(path) == "utf-16"


def test_utf16_without_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("a;b\nCafé;1\nKlaten;2\n".encode("utf-16-le"))
    assert read_table(path)["a"].tolist() == ["Café", "Klaten"]


def test_one_cp1252_line_in_a_utf8_file_is_a_mixed_file(tmp_path):
    lines = [line.encode("utf-8") for line in register_lines(30)]
    lines[3] = "Kota Jambi;Dinas Pariwisata – Café;Pemerintah;4;5".encode()
    lines[11] = "Kota Jambi;Yayasan Peñafiel;LSM;2;3".encode("cp1252")  # line 12
    path = tmp_path / "stakeholder_register.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    message = error_of(path)
    assert "line 12 is not UTF-8 (byte 0xF1, which looks like Windows-1252 'ñ')" in message
    assert "the rest of the file is UTF-8" in message and "'CSV UTF-8'" in message
    with pytest.raises(InputFileError, match="line 12 is not UTF-8"):
        detect_encoding(path)


def test_mixed_file_lists_the_first_bad_lines(tmp_path):
    lines = [f"Kota Jambi;Café {i};LSM;1;2".encode() for i in range(40)]
    for i in (5, 9, 20, 21, 30, 33, 38):
        lines[i] = f"Klaten;Café {i};LSM;1;2".encode("cp1252")
    path = tmp_path / "r.csv"
    path.write_bytes(HEADER.encode() + b"\n" + b"\n".join(lines))
    assert "lines 7, 11, 22, 23, 32 and more are not UTF-8 (byte 0xE9" in error_of(path)


def test_mixed_file_with_a_utf8_byte_order_mark(tmp_path):
    # the mark alone says UTF-8: the bad byte is not Windows-1252 text
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + b"\nKlaten;Caf\xe9;LSM;1;2\n")
    assert "line 2 is not UTF-8" in error_of(path)


def test_mixed_line_far_into_a_large_file_is_numbered_exactly(tmp_path):
    # past several 1 MiB blocks of the scan
    good = "Kota Jambi;Dinas Pariwisata – Café;Pemerintah;4;5\n".encode()
    count = 3 * 2**20 // len(good)
    path = tmp_path / "r.csv"
    path.write_bytes(HEADER.encode() + b"\n" + good * count
                     + "Klaten;Bappéda;LSM;1;2\n".encode("cp1252") + good)
    assert f"line {count + 2} is not UTF-8" in error_of(path)


def test_a_file_entirely_in_cp1252_is_still_read(tmp_path):
    lines = register_lines(30)
    lines[12] = "Kota Jambi;Dinas Pariwisata – Café;Pemerintah;4;5"
    path = write_lines(tmp_path / "r.csv", lines, encoding="cp1252")
    assert detect_encoding(path) == "cp1252"
    frame = read_table(path)
    assert frame.at[11, "organisation"] == "Dinas Pariwisata – Café"
    assert frame.attrs["source_rows"] == 30


def test_a_wrong_explicit_encoding_is_one_error(tmp_path):
    path = write_lines(tmp_path / "r.csv", ["a;b", "Café;1"], encoding="cp1252")
    assert "is not utf-8 text" in error_of(path, encoding="utf-8")


# --------------------------------------------------------------------------------------
# binary junk under a .csv name
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("head, kind", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
    (b"\x1f\x8b\x08\x00\x00\x00", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "an old Excel (.xls) workbook"),
])
def test_binary_file_renamed_csv(tmp_path, head, kind):
    path = tmp_path / "stakeholder_register.csv"
    path.write_bytes(head + bytes(range(256)) * 4)
    message = error_of(path)
    assert f"is not a text table (it looks like {kind}" in message
    assert "Expected" not in message


def test_xlsx_renamed_csv_says_so(tmp_path):
    path = tmp_path / "indicators.csv"
    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    wb.save(path)
    assert "it looks like an Excel workbook (.xlsx); rename it to .xlsx" in error_of(path)


def test_nul_bytes_name_the_line(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(("\n".join(register_lines(10)[:6]) + "\n").encode()
                     + b"Kota\x00Jambi;x;y;1;2\n")
    assert "it looks like binary data: line 7 holds a NUL byte" in error_of(path)


def test_nul_byte_past_the_first_64_kib(tmp_path):
    lines = register_lines(3000)
    lines[2500] = lines[2500] + "\x00"
    path = write_lines(tmp_path / "r.csv", lines)
    assert path.stat().st_size > 65536
    assert "line 2501 holds a NUL byte" in error_of(path)


def test_control_character_junk(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 11, 14, 15, 16, 65, 66]) * 100)
    assert "it looks like binary data: it is full of control characters" in error_of(path)


# --------------------------------------------------------------------------------------
# workbooks: password, damage
# --------------------------------------------------------------------------------------
def compound_file(streams: list[str]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) with empty streams,
    laid out as Excel lays out a workbook saved with a password to open it."""
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0,
                            4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *[free] * 108))
    fat = struct.pack("<128I", fat_sector, end, *[free] * 126)

    def entry(name, kind, child=free, right=free):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBBIII", len(raw), kind, 1, free, right,
                                                     child)
                + bytes(36) + struct.pack("<IQ", end, 0))
    entries = [entry("Root Entry", 5, child=1)]
    for i, name in enumerate(streams):
        entries.append(entry(name, 2, right=i + 2 if i + 1 < len(streams) else free))
    return header + fat + b"".join(entries).ljust(512, b"\x00")


def workbook(path, rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def rewrite_member(src, dst, member, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                data = change(data)
                if data is None:
                    continue
            zout.writestr(item, data)
    return dst


@pytest.fixture
def good_book(tmp_path):
    return workbook(tmp_path / "good.xlsx", [["region", "n"], ["Kota Jambi", 1], ["Klaten", 2]])


@pytest.mark.parametrize("reader", [read_table, read_workbook])
def test_password_protected_workbook(tmp_path, reader):
    path = tmp_path / "indicators.xlsx"
    path.write_bytes(compound_file(["EncryptionInfo", "EncryptedPackage"]))
    with pytest.raises(InputFileError) as info:
        reader(path)
    assert str(info.value) == ("indicators.xlsx: is password-protected: remove the password in "
                               "Excel (File > Info > Protect Workbook) and save again.")


def test_old_xls_saved_under_an_xlsx_name(tmp_path):
    path = tmp_path / "indicators.xlsx"
    path.write_bytes(compound_file(["Workbook", "\x05SummaryInformation"]))
    assert "is an old Excel 97-2003 workbook (.xls)" in error_of(path)


@pytest.mark.parametrize("member, change, what", [
    ("xl/worksheets/sheet1.xml", lambda d: d[: len(d) // 2], "ParseError"),
    ("xl/worksheets/sheet1.xml", lambda d: None, "no readable sheet"),
    ("xl/workbook.xml", lambda d: b"<workbook", "ParseError"),
    ("xl/styles.xml", lambda d: b"\x00\xff not xml", ""),
])
def test_workbook_with_a_damaged_part(tmp_path, good_book, member, change, what):
    path = rewrite_member(good_book, tmp_path / "survey_kobo_export.xlsx", member, change)
    message = error_of(path)
    assert "the workbook is damaged (" in message and what in message
    assert "open it in Excel and save it again" in message


def test_workbook_with_a_corrupt_compressed_member(tmp_path, good_book):
    data = bytearray(good_book.read_bytes())
    with zipfile.ZipFile(good_book) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 5, start + 40):
        data[i] ^= 0x5A
    path = tmp_path / "indicators.xlsx"
    path.write_bytes(bytes(data))
    message = error_of(path)
    assert "the workbook is damaged (" in message
    with pytest.raises(InputFileError, match="the workbook is damaged"):
        read_workbook(path)


def test_truncated_workbook_is_one_error(tmp_path, good_book):
    data = good_book.read_bytes()
    path = tmp_path / "indicators.xlsx"
    path.write_bytes(data[: len(data) * 2 // 3])
    assert "the workbook is damaged (BadZipFile" in error_of(path)


def test_png_renamed_xlsx(tmp_path):
    path = tmp_path / "indicators.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert "is not a readable Excel workbook (it looks like a PNG image)" in error_of(path)


# --------------------------------------------------------------------------------------
# a title row or merged header row above the header
# --------------------------------------------------------------------------------------
def test_find_header_row_below_a_title_and_a_blank_row(tmp_path):
    path = workbook(tmp_path / "r.xlsx", [["Daftar Pemangku Kepentingan 2024"], [],
                                          [" Region ", "ORGANISATION", "sector"],
                                          ["Kota Jambi", "A", "LSM"]])
    frame = read_table(path)
    assert find_header_row(frame, ["region", "organisation"]) == 3
    assert find_header_row(frame, ["region", "budget"]) is None
    assert find_header_row(frame, lambda values: "sector" in values) == 3


def test_find_header_row_merged_group_header(tmp_path):
    path = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Identitas", None, "Penilaian", None])
    ws.merge_cells("A1:B1")
    ws.merge_cells("C1:D1")
    ws.append(["region", "organisation", "influence", "interest"])
    ws.append(["Kota Jambi", "A", 3, 4])
    wb.save(path)
    assert find_header_row(read_table(path), ["region", "interest"]) == 2


def test_find_header_row_counts_csv_lines(tmp_path):
    # pandas skips the blank line; the officer's line numbers do not
    path = tmp_path / "r.csv"
    path.write_text("Daftar;;;;\n\n" + HEADER + "\nKota Jambi;A;LSM;1;2\n", encoding="utf-8")
    assert find_header_row(read_table(path), REGISTER_COLUMNS) == 3


def test_find_header_row_header_already_on_row_1_or_too_far(tmp_path):
    frame = pd.DataFrame({"Region": ["x"], "Sector": ["y"]})
    assert find_header_row(frame, ["region", "sector"]) == 1
    low = pd.DataFrame({"a": [None] * 12 + ["region"], "b": [None] * 12 + ["sector"]})
    assert find_header_row(low, ["region", "sector"]) is None
    assert find_header_row(low, ["region", "sector"], max_rows=20) == 14
    assert header_row_hint(frame, ["region"]) == ""


def test_title_row_register_xlsx_message(tmp_path):
    path = workbook(tmp_path / "stakeholder_register.xlsx",
                    [["Daftar Pemangku Kepentingan"], ["Kota Jambi, 2024"],
                     ["region", "organisation", "sector", "influence", "interest"],
                     ["Kota Jambi", "Bappeda", "Pemerintah", 4, 5]])
    with pytest.raises(InputFileError) as info:
        clean_register(read_table(path), {"pemerintah": "Pemerintah"}, path.name)
    message = str(info.value)
    assert message.startswith("stakeholder_register.xlsx: missing column(s) 'region'")
    assert message.endswith("The header seems to be on row 3 (rows 1-2 above it look like a "
                            "title); delete the rows above the header.")


def test_both_require_columns_give_the_same_hint():
    frame = pd.DataFrame({"Judul": ["region", "1"], "Unnamed: 1": ["value", "2"]})
    hint = "The header seems to be on row 2 (row 1 above it looks like a title)"
    with pytest.raises(InputFileError, match=r"^values\.csv: missing column\(s\) 'region'") as info:
        require_file_columns(frame, ["region", "value"], "values.csv")
    assert hint in str(info.value)
    with pytest.raises(ValueError, match=r"^values is missing column\(s\)") as info:
        require_arg_columns(frame, ["region", "value"], "values")
    assert hint in str(info.value)
    with pytest.raises(InputFileError) as info:  # no header lower down: no hint
        require_file_columns(frame, ["nilai"], "values.csv")
    assert "header seems" not in str(info.value)


def test_title_line_above_a_csv_header(tmp_path):
    # a title without delimiters: the header seems to be on the first row that is longer
    path = tmp_path / "stakeholder_register.csv"
    path.write_text("Daftar Pemangku Kepentingan 2024\n\n" + "\n".join(register_lines(5)) + "\n",
                    encoding="utf-8")
    assert error_of(path) == ("stakeholder_register.csv: the header seems to be on row 3 (rows "
                              "1-2 above it look like a title); delete the rows above the header.")


# --------------------------------------------------------------------------------------
# the command: one line, exit 2
# --------------------------------------------------------------------------------------
@pytest.fixture
def raw_copy(raw_dir, tmp_path, monkeypatch, test_key):
    monkeypatch.setenv("EVALKIT_PSEUDONYM_KEY", test_key.decode())
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    return raw


def clean_output(raw, tmp_path):
    result = CliRunner().invoke(app, ["clean", "--raw-dir", str(raw), "--processed-dir",
                                      str(tmp_path / "p")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_cli_unclosed_quote_in_the_register(raw_copy, tmp_path):
    path = raw_copy / "stakeholder_register.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[74] = lines[74].replace(";", ';"', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = clean_output(raw_copy, tmp_path)
    assert line.startswith("error: stakeholder_register.csv: line 75: a quote (\") opened here "
                           "is never closed, so the ")


def test_cli_password_protected_indicators(raw_copy, tmp_path):
    (raw_copy / "indicators.xlsx").write_bytes(compound_file(["EncryptionInfo",
                                                              "EncryptedPackage"]))
    assert "indicators.xlsx: is password-protected" in clean_output(raw_copy, tmp_path)


@pytest.mark.parametrize("header", ["region,organisation,organisation,sector",
                                    "region;nama_lembaga;sector;nama_lembaga"])
def test_two_columns_with_one_name_are_refused(tmp_path, header):
    sep = ";" if ";" in header else ","
    path = tmp_path / "register.csv"
    path.write_text(header + "\n" + sep.join(["Kota Jambi", "A", "B", "C"]) + "\n",
                    encoding="utf-8")
    with pytest.raises(InputFileError, match=r"^register\.csv: two columns are named"):
        read_table(path)


def test_a_column_really_named_like_a_mangled_one_is_read(tmp_path):
    path = tmp_path / "values.csv"
    path.write_text("q1,q1.1,value\n1,2,3\n", encoding="utf-8")
    assert list(read_table(path).columns) == ["q1", "q1.1", "value"]


def test_two_columns_with_one_name_in_a_workbook_are_refused(tmp_path):
    import openpyxl

    path = tmp_path / "survey.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["region", "q01", "q01"])
    book.active.append(["Kota Jambi", 3, 4])
    book.save(path)
    with pytest.raises(InputFileError, match=r"^survey\.xlsx: two columns are named 'q01'"):
        read_table(path)


# --- the byte count of quote-free files equals the line-by-line count ----------------------
def _random_plain_csv(rng, sep: str, quoted: bool = False) -> bytes:
    ending = rng.choice(["\n", "\r\n"])
    width = int(rng.integers(1, 6))
    lines = []
    for _ in range(int(rng.integers(0, 40))):
        kind = rng.random()
        if kind < 0.15:
            lines.append(rng.choice([v for v in ("", " ", "\t", "  \t ") if sep not in v]))
        elif kind < 0.2 and width > 1:
            lines.append(sep * int(rng.integers(1, width)))  # empty values: a record
        else:
            n = int(rng.integers(1, width + 1))
            values = [v for v in ("a", "b c", " ", "12,5", "é", "", "x\ty") if sep not in v]
            values += [f'"x{sep}y"', '"say ""hi"""', '""', '"é"'] if quoted else []
            lines.append(sep.join(rng.choice(values, n)))
    header = sep.join(f'"c{i}"' if quoted else f"c{i}" for i in range(width))
    body = ending.join([*(["", " "] if rng.random() < 0.2 else []), header, *lines])
    bom = "\ufeff" if quoted and rng.random() < 0.3 else ""
    return (bom + body + (ending if rng.random() < 0.7 else "")).encode("utf-8")


@pytest.mark.parametrize("quoted", [False, True])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_byte_count_equals_the_line_by_line_count(tmp_path, sep, quoted, monkeypatch):
    import dataclasses

    import numpy as np

    from evalkit.read import io as evio

    rng = np.random.default_rng(len(sep) + ord(sep))
    path = tmp_path / "plain.csv"
    monkeypatch.setattr(evio, "_COUNT_BLOCK", 7)  # blocks end inside lines, and often
    for _ in range(150):
        path.write_bytes(_random_plain_csv(rng, sep, quoted))
        fast = evio._count_plain_records(path, sep, "utf-8-sig")
        assert fast is not None, path.read_bytes()
        try:
            slow = evio._count_records_by_line(path, sep, "utf-8-sig")
        except InputFileError:
            pytest.fail(f"the line-by-line pass refuses {path.read_bytes()!r}")
        assert dataclasses.asdict(fast) == dataclasses.asdict(slow), path.read_bytes()


@pytest.mark.parametrize("body", [b'a,b\n"x\ny",z\n', b'a,b\nx "y",z\n', b'a,b\n"x"y,z\n',
                                  b'a,b\n"x,z\n', b"a,b\n1,2,3\n", b"a,b\r1,2\r",
                                  b"a,b\n1,2\r", b"a,b\n" + b"x" * 200_000 + b"\n"])
def test_files_the_byte_count_leaves_to_the_line_by_line_pass(tmp_path, body):
    from evalkit.read import io as evio

    path = tmp_path / "t.csv"
    path.write_bytes(body)
    assert evio._count_plain_records(path, ",", "utf-8") is None
