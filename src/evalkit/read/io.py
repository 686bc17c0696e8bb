"""Reading raw files into DataFrames, with one clear error when a file cannot be read.

Values are read as text (or as Excel, SPSS and Stata store them) and converted during
cleaning, so nothing is lost or silently coerced here; numbers written as text can be
converted on request (:func:`convert_numbers`). Nothing in evalkit writes to ``data/raw/``.

Hostile or broken files are refused with one :class:`~evalkit.core.errors.InputFileError`
naming the file and the line: CSV rows are counted independently of pandas and must
match (a stray quote never swallows rows silently), a CSV's encoding is decided for the
whole file (UTF-8, UTF-16, Windows-1252; a mix is an error), binary files under a
``.csv`` name are named for what they are, and password-protected or damaged workbooks
get one line instead of a traceback. :func:`~evalkit.core.headers.find_header_row` spots a
title row above the header.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import math
import numbers
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from evalkit.core.errors import EvalkitError, InputFileError
from evalkit.core.headers import HEADER_SEARCH_ROWS
from evalkit.core.headers import title_hint as _title_hint

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
# Excel 97-2003. openpyxl cannot read it; only a renamed .xlsx (a zip file) is accepted.
OLD_EXCEL_SUFFIXES = {".xls"}
SPSS_SUFFIXES = {".sav", ".zsav"}
STATA_SUFFIXES = {".dta"}
# Encodings tried in order: Excel's "CSV UTF-8" (with BOM), then the Windows code page
# that Indonesian-locale Excel uses for plain "CSV".
CSV_ENCODINGS = ("utf-8-sig", "cp1252")
CSV_DELIMITERS = ",;\t|"
DECIMAL_OPTIONS = ("auto", ",", ".")
# Integer strings longer than this are identifiers (NIK has 16 digits), never numbers:
# a float64 cannot even hold them exactly.
MAX_NUMBER_DIGITS = 15
_ZIP_MAGIC = b"PK\x03\x04"


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (streamed, so large files are fine)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------
# CSV: what kind of file it is, and its encoding
# --------------------------------------------------------------------------------------
_HEAD_BYTES = 65536
_CHUNK = 1 << 20
# Signatures of files that are sometimes renamed .csv by mistake, with what to call them.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel (.xls) workbook or another "
                                          "Microsoft Office file"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "a zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "a program"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)
# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters that no text table holds (tab, newline, CR, form feed and the
# DOS end-of-file mark 0x1A are allowed).
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0b\x0e-\x19\x1b-\x1f]")
_MAX_CONTROL_SHARE = 0.01
# A character that is not ASCII and not an undecodable byte: proof of valid multi-byte UTF-8.
_UTF8_NON_ASCII = re.compile("[\x80-\ud7ff\ue000-\U0010ffff]")
_UNDECODABLE = re.compile("[\udc80-\udcff]")
_SAVE_AS_TEXT = "export the data as .csv (CSV UTF-8) or .xlsx and use that file."


def _read_head(path: Path, size: int = _HEAD_BYTES) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def _bom_encoding(head: bytes) -> str | None:
    """``"utf-16"``/``"utf-32"`` for a file that starts with their byte-order mark."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when the text is UTF-16 written without its mark.

    Latin text in UTF-16 has a NUL byte beside nearly every character: at odd
    positions (little-endian) or even ones (big-endian), and rarely on the other side.
    """
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even, odd = head[0:2 * pairs:2].count(0), head[1:2 * pairs:2].count(0)
    if odd >= 0.9 * pairs and even <= 0.1 * pairs:
        return "utf-16-le"
    if even >= 0.9 * pairs and odd <= 0.1 * pairs:
        return "utf-16-be"
    return None


def _line_of(path: Path, offset: int) -> int:
    """The 1-based line (counted by ``\\n``) that holds byte ``offset`` of the file."""
    line, done = 1, 0
    with open(path, "rb") as handle:
        while done < offset:
            chunk = handle.read(min(_CHUNK, offset - done))
            if not chunk:
                break
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


def _first_nul(path: Path) -> int | None:
    """Byte offset of the first NUL byte of the file, or None (streamed)."""
    done = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            found = chunk.find(b"\x00")
            if found >= 0:
                return done + found
            done += len(chunk)
    return None


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "a zip archive"
    if any(n.startswith("xl/") for n in names):
        return "an Excel workbook (.xlsx); rename it to .xlsx"
    if any(n.startswith("word/") for n in names):
        return "a Word document"
    return "a zip archive"


def _check_text(path: Path, head: bytes, encoding: str | None) -> None:
    """Raise :class:`InputFileError` when the file is not text (image, archive, binary).

    ``encoding`` is the one the file will be read with (``None``: to be detected).
    """
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            if signature.startswith(b"PK"):
                kind = _zip_kind(path)
            raise InputFileError(path, f"is not a text table (it looks like {kind}); "
                                       f"{_SAVE_AS_TEXT}")
    if encoding is not None and encoding.lower().replace("_", "-").startswith(("utf-16",
                                                                                "utf-32")):
        return  # NUL bytes are part of every UTF-16/32 character
    nul = head.find(b"\x00")
    if nul < 0 and len(head) == _HEAD_BYTES:
        nul = _first_nul(path)  # a NUL past the head: the file is scanned (fast, streamed)
    if nul is not None and nul >= 0:
        raise InputFileError(path, "is not a text table (it looks like binary data: line "
                                   f"{_line_of(path, nul)} holds a NUL byte); {_SAVE_AS_TEXT}")
    if len(_CONTROL_BYTES.findall(head)) > _MAX_CONTROL_SHARE * len(head):
        raise InputFileError(path, "is not a text table (it looks like binary data: it is "
                                   f"full of control characters); {_SAVE_AS_TEXT}")


def _utf8_blocks(path: Path):
    """The file's bytes in blocks that end at a line end (or, for a very long line,
    never inside a UTF-8 character), with the number of lines before each block."""
    carry, lines = b"", 0
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            data = carry + chunk
            if not chunk:
                if data:
                    yield lines, data
                return
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) < 4 * _CHUNK:
                    carry = data
                    continue
                cut = len(data)  # a very long line: cut before a character's first byte
                while cut > len(data) - 4 and data[cut - 1] & 0xC0 == 0x80:
                    cut -= 1
                if data[cut - 1] >= 0xC0:
                    cut -= 1
            block, carry = data[:cut], data[cut:]
            yield lines, block
            lines += block.count(b"\n")


@dataclass
class _Utf8Scan:
    """Where a file is not UTF-8: lines (first few) and bytes, and whether it has any
    valid multi-byte UTF-8 character."""

    bad_lines: list[int] = field(default_factory=list)
    more_bad_lines: bool = False
    first_byte: int | None = None
    multibyte: bool = False


def _scan_utf8(path: Path, shown: int = 5) -> _Utf8Scan:
    scan = _Utf8Scan()
    for before, block in _utf8_blocks(path):
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            scan.multibyte = scan.multibyte or not block.isascii()
            continue
        text = block.decode("utf-8", "surrogateescape")
        scan.multibyte = scan.multibyte or _UTF8_NON_ASCII.search(text) is not None
        if scan.more_bad_lines:
            continue
        for match in _UNDECODABLE.finditer(text):
            line = before + text.count("\n", 0, match.start()) + 1
            if scan.first_byte is None:
                scan.first_byte = ord(match.group()) - 0xDC00
            if line in scan.bad_lines:
                continue
            if len(scan.bad_lines) == shown:
                scan.more_bad_lines = True
                break
            scan.bad_lines.append(line)
    return scan


def _decodes(path: Path, encoding: str) -> bool:
    # decoded in chunks: a large export is never held in memory twice
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False


def _byte_name(byte: int) -> str:
    char = bytes([byte]).decode("cp1252", errors="replace")
    if char == "\ufffd" or not char.isprintable():
        return f"byte 0x{byte:02X}"
    return f"byte 0x{byte:02X}, which looks like Windows-1252 {char!r}"


def detect_encoding(path: Path) -> str:
    """The encoding of a whole text file, decided once for all its lines.

    Returns
    -------
    str
        ``"utf-16"``/``"utf-32"`` for a file that starts with their byte-order mark
        (Excel's "Unicode text"); ``"utf-8-sig"`` for a file that is UTF-8 throughout
        (with or without a byte-order mark); ``"cp1252"`` for a file with no valid
        multi-byte UTF-8 character that decodes as Windows-1252 (Excel's plain "CSV");
        else ``"latin-1"``, which decodes any byte.

    Raises
    ------
    InputFileError
        A *mixed* file: some bytes are not UTF-8 while others are valid multi-byte
        UTF-8 characters (``é`` written as two bytes, or a UTF-8 byte-order mark) -
        typically one row pasted from a Windows-1252 file into a UTF-8 one. Reading it
        as Windows-1252 would turn every UTF-8 ``é/ñ`` into mojibake (``Ã©``) and
        reading it as UTF-8 cannot decode the pasted row, so the message names the
        first lines that are not UTF-8 and the byte. A Windows-1252 file whose text
        happens to hold a valid UTF-8 sequence (e.g. ``Ã©``, itself mojibake) is
        reported too: the safe side, since saving it again as UTF-8 fixes both.
    """
    path = Path(path)
    bom = _bom_encoding(_read_head(path, 4))
    if bom is not None:
        return bom
    scan = _scan_utf8(path)
    if not scan.bad_lines:
        return CSV_ENCODINGS[0]
    if scan.multibyte:
        lines = ", ".join(map(str, scan.bad_lines)) + (" and more" if scan.more_bad_lines
                                                       else "")
        which = f"line {lines} is" if len(scan.bad_lines) == 1 else f"lines {lines} are"
        raise InputFileError(path, f"{which} not UTF-8 ({_byte_name(scan.first_byte)}); "
                                   "the rest of the file is UTF-8, so its encoding is mixed: "
                                   "fix the text of those lines or save the file again as "
                                   "'CSV UTF-8' from the program that made the UTF-8 part.")
    for encoding in CSV_ENCODINGS[1:]:
        if _decodes(path, encoding):
            return encoding
    return "latin-1"  # decodes any byte sequence; the reader then never fails on bytes


def detect_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample: the sniffer's guess among ``, ; tab |``.

    When the sniffer cannot tell (blank lines or a title line above the header confuse
    it), it is asked again without the blank lines; failing that, the delimiter that
    occurs the same number of times (once or more) on the most lines wins.
    """
    filled = [line for line in sample.splitlines() if line.strip()]
    for text in (sample, "\n".join(filled)):
        try:
            return csv.Sniffer().sniff(text, delimiters=CSV_DELIMITERS).delimiter
        except csv.Error:
            continue

    def steady(delimiter: str) -> tuple[int, int]:
        counts = Counter(line.count(delimiter) for line in filled[:100])
        counts.pop(0, None)
        return max(((n, k) for k, n in counts.items()), default=(0, 0))
    return max(CSV_DELIMITERS, key=steady)


def _read_csv(path: Path, sep: str | None, encoding: str | None) -> pd.DataFrame:
    head = _read_head(path)
    detected = None if encoding else _bom_encoding(head) or _utf16_without_bom(head)
    _check_text(path, head, encoding or detected)
    if encoding is None and detected is None:
        # Most exports are UTF-8: read as that straight away, and only when a byte is not
        # UTF-8 detect the encoding (decoding the whole file) and read again. A file that
        # reads as UTF-8 is one detect_encoding would call UTF-8 too: every byte of a
        # CSV ends up in a header or a value, and each one is decoded (tested).
        try:
            return _read_csv_encoded(path, sep, CSV_ENCODINGS[0])
        except UnicodeDecodeError:
            detected = detect_encoding(path)
    try:
        return _read_csv_encoded(path, sep, encoding or detected)
    except UnicodeDecodeError as exc:  # only with an encoding the caller chose
        raise InputFileError(path, f"is not {encoding or detected} text ({exc.reason}); "
                                   "is the encoding right?") from exc


# --------------------------------------------------------------------------------------
# CSV: counting the records in the file itself
# --------------------------------------------------------------------------------------
_NEWLINE = re.compile(r"\r\n|\r|\n")
_HEADER_SEARCH_ROWS = HEADER_SEARCH_ROWS


@dataclass
class _RecordCount:
    """What a line-by-line pass over a CSV found: data records and where they start."""

    records: int = 0
    header_line: int = 1
    columns: int = 0
    blank_lines: int = 0
    first_lines: list[int] = field(default_factory=list)  # of the first data records


def _quote_error(path: Path, opened: int, closed: int | None, lines_after: int) -> InputFileError:
    after = f"the {lines_after} line{'s' if lines_after != 1 else ''} after it"
    if closed is None:
        problem = "a quote (\") opened here is never closed"
        problem += f", so {after} would be read as one value" if lines_after else ""
    else:
        problem = (f"a quote (\") opened here is not closed until line {closed}, so {after} "
                   "would be read as one value")
    return InputFileError(path, f"line {opened}: {problem}; close the quote or remove it.")


def _is_blank(row: list[str], line: str) -> bool:
    """A record pandas skips as a blank line: nothing, or only spaces/tabs unquoted."""
    return not row or (len(row) == 1 and not row[0].strip(" \t") and '"' not in line)


def _strict_error(lines, sep: str) -> bool:
    """True when a strict reader of ``lines`` reaches the end of the data inside quotes."""
    try:
        next(csv.reader(lines, delimiter=sep, strict=True), None)
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _unclosed_at_end(path: Path, encoding: str, sep: str, row: list[str], start: int,
                     end: int, last: str) -> InputFileError | None:
    """The error for a last record (physical lines ``start``-``end``) whose last value
    runs into the end of the file inside quotes, else None."""
    if end == start:
        unclosed = '"' in last and _strict_error([last], sep)
    else:
        with open(path, encoding=encoding, newline="") as handle:
            unclosed = _strict_error(itertools.islice(handle, start - 1, None), sep)
    if not unclosed:
        return None
    value = row[-1] if row else ""
    breaks = len(_NEWLINE.findall(value))
    trailing = bool(_NEWLINE.search(value[-2:])) if breaks else False
    return _quote_error(path, end - breaks + trailing, None, breaks - trailing)


def _multiline_problem(row: list[str], start: int, sep: str, columns: int):
    """``(opened, breaks)`` when a record spanning lines looks like a runaway quote.

    A quoted value may hold line breaks (a multi-line comment). It is taken for a quote
    left open when the record then has another number of values than the header, or
    when at least half (and one) of the whole lines inside the value hold exactly as
    many delimiters as a row of the table has: rows swallowed into the value.
    """
    line = start
    for value in row:
        breaks = len(_NEWLINE.findall(value))
        if breaks:
            inner = _NEWLINE.split(value)[1:-1]
            rows_inside = sum(part.count(sep) == columns - 1 for part in inner)
            swallowed = columns >= 2 and rows_inside >= 1 and 2 * rows_inside >= len(inner)
            if swallowed or len(row) != columns:
                return line, breaks
        line += breaks
    return None


# Encodings in which the delimiter, quote and line ends are the single ASCII bytes
# themselves, so that a file can be counted on its bytes (:func:`_count_plain_records`).
_BYTE_COUNT_ENCODINGS = {"utf-8", "utf-8-sig", "cp1252", "latin-1"}
_COUNT_BLOCK = 1 << 19  # bytes per block of the vectorised count (bounds its memory)


def _count_records(path: Path, sep: str, encoding: str) -> _RecordCount:
    """Count the data records of a CSV as pandas is to read them.

    A file whose records are each one line (no quoted value spans lines) is counted on
    its bytes with numpy (:func:`_count_plain_records`, several times faster); any other
    file, and any that is not simply a table (a stray quote, a row longer than the
    header, a bare CR line end, a very long line), line by line with the csv module
    (:func:`_count_records_by_line`), which also names the problem.
    """
    fast = _count_plain_records(path, sep, encoding)
    return fast if fast is not None else _count_records_by_line(path, sep, encoding)


def _count_plain_records(path: Path, sep: str, encoding: str) -> _RecordCount | None:
    """:func:`_count_records_by_line`'s count of a file whose every record is one line.

    When no quoted value spans lines and every quote is where well-formed quoting puts
    it (:func:`_quote_positions`), every physical line is one record with ``delimiters
    outside quotes + 1`` values, and a blank line is one with no delimiter and only
    spaces, tabs and line ends. Returns None (count line by line instead) for any other
    file: a quote elsewhere or a value over several lines, a CR that does not end a
    CRLF, a line longer than :func:`csv.field_size_limit`, or a row with more values
    than the header. The results equal the line-by-line pass's (tested).
    """
    if encoding.lower() not in _BYTE_COUNT_ENCODINGS or len(sep) != 1 or ord(sep) > 127:
        return None
    count, header_seen, lines_before = _RecordCount(), False, 0
    delimiter, carry = ord(sep), b""
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(_COUNT_BLOCK)
            data = carry + chunk
            if chunk:  # whole lines only; the rest waits for the next block
                cut = data.rfind(b"\n") + 1
                data, carry = data[:cut], data[cut:]
                if len(carry) > csv.field_size_limit():
                    return None  # a line longer than a value may be
                if not data:
                    continue
            elif not data:
                break
            a = np.frombuffer(data, dtype=np.uint8)
            # the reader decodes "utf-8-sig" without its byte-order mark: neither a value
            # nor a character of a blank line
            bom = (not lines_before and encoding.lower() == "utf-8-sig"
                   and data.startswith(codecs.BOM_UTF8))
            quotes = _quote_positions(a, delimiter, bom=bom)
            if quotes is None:
                return None
            ends = np.flatnonzero(a == 10)
            if not chunk and (not len(ends) or ends[-1] != len(a) - 1):
                ends = np.append(ends, len(a) - 1)  # the last line has no line end
            cr = np.flatnonzero(a == 13)
            if len(cr) and (cr[-1] == len(a) - 1 or (a[cr + 1] != 10).any()):
                return None  # a bare CR ends a line for the csv module: count line by line
            starts = np.concatenate(([0], ends[:-1] + 1))
            if (ends - starts + 1).max() > csv.field_size_limit():
                return None
            # delimiters outside quotes (an even number of quotes before them), per line
            marks = np.flatnonzero(a == delimiter)
            if len(quotes):
                marks = marks[np.searchsorted(quotes, marks, side="right") % 2 == 0]
            delimiters = np.bincount(np.searchsorted(ends, marks), minlength=len(ends))
            # a blank line has no delimiter and only spaces, tabs and line ends
            blank = delimiters == 0
            for i in np.flatnonzero(blank):
                line = data[max(int(starts[i]), 3 if bom else 0):int(ends[i]) + 1]
                blank[i] = not line.strip(b" \t\r\n")
            count.blank_lines += int(blank.sum())
            rows = np.flatnonzero(~blank)
            if not header_seen and len(rows):
                header_seen = True
                count.header_line = lines_before + int(rows[0]) + 1
                count.columns = int(delimiters[rows[0]]) + 1
                rows = rows[1:]
            if len(rows) and int(delimiters[rows].max()) + 1 > count.columns:
                return None
            count.records += len(rows)
            need = _HEADER_SEARCH_ROWS - len(count.first_lines)
            count.first_lines += [lines_before + int(r) + 1 for r in rows[:max(need, 0)]]
            lines_before += len(ends)
            if not chunk:
                break
    return count


def _quote_positions(a: np.ndarray, delimiter: int, *, bom: bool = False) -> np.ndarray | None:
    """The quotes of a block of whole lines, when they quote as the csv module reads them.

    Well-formed quoting: a quote opens a value right after a delimiter, a line start or
    a closing quote (a doubled quote ``""`` inside a value closes and reopens it), and
    closes it right before a delimiter, a line end or another quote; so a byte lies
    inside quotes when an odd number of quotes precede it. Returns the positions, or
    None when a quote stands anywhere else (the csv module takes it literally), when a
    line end lies inside quotes (a value over several lines: the line-by-line pass
    judges those) or when the block ends inside quotes.
    """
    quotes = np.flatnonzero(a == 34)
    if not len(quotes):
        return quotes
    if len(quotes) % 2:
        return None
    last = len(a) - 1
    before = np.where(quotes > 0, a[np.maximum(quotes - 1, 0)], 10)[::2]  # of the openers
    if bom:  # the byte-order mark before a quoted first header value
        before[quotes[::2] == 3] = 10
    after = np.where(quotes < last, a[np.minimum(quotes + 1, last)], 10)[1::2]  # closers
    if not (((before == delimiter) | (before == 10) | (before == 34)).all()
            and ((after == delimiter) | (after == 10) | (after == 13) | (after == 34)).all()):
        return None
    if (np.searchsorted(quotes, np.flatnonzero(a == 10), side="right") % 2).any():
        return None
    return quotes


def _count_records_by_line(path: Path, sep: str, encoding: str) -> _RecordCount:
    """Count the data records of a CSV line by line, as pandas is to read them.

    Blank lines (empty, or only spaces and tabs, outside quotes) are no records, as for
    pandas (``skip_blank_lines``); the header is the first record that is not blank.

    Raises
    ------
    InputFileError
        A record with more values than the header; a quote that is never closed, or
        one that runs on over whole rows (:func:`_multiline_problem`); a value longer
        than :func:`csv.field_size_limit`.
    UnicodeDecodeError
        The file is not ``encoding`` text.
    """
    count = _RecordCount()
    last = ""

    def lines(handle):
        nonlocal last
        for last in handle:  # noqa: B007, UP028 - the last line read is kept for blank checks
            yield last

    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(lines(handle), delimiter=sep)
        start = done = 0  # first and last physical line of the current record
        header: list[str] | None = None
        row: list[str] = []
        try:
            for row in reader:  # the hot loop: kept lean (about 1 s per 100 MB)
                start, done = done + 1, reader.line_num
                if done == start:
                    if len(row) < 2 and _is_blank(row, last):
                        count.blank_lines += 1
                        continue
                elif header is not None:
                    found = _multiline_problem(row, start, sep, count.columns)
                    if found is not None:
                        if next(reader, None) is None:  # the last record: open to the end?
                            error = _unclosed_at_end(path, encoding, sep, row, start, done, last)
                            if error is not None:
                                raise error
                        opened, breaks = found
                        raise _quote_error(path, opened, opened + breaks, breaks)
                if header is None:
                    header, count.header_line, count.columns = row, start, len(row)
                    continue
                if len(row) > count.columns:
                    raise _too_many_values(path, row, start, header, count, sep)
                count.records += 1
                if count.records <= _HEADER_SEARCH_ROWS:
                    count.first_lines.append(start)
        except csv.Error as exc:
            if "field larger than field limit" not in str(exc):
                raise InputFileError(path, f"line {done + 1}: cannot be read as CSV "
                                           f"({exc}).") from exc
            raise InputFileError(path, f"line {done + 1}: a value runs on for more than "
                                       f"{csv.field_size_limit():,} characters: a quote (\") "
                                       "opened on this line or soon after is probably never "
                                       "closed; close the quote or remove it.") from exc
        if header is not None and start and not (done == start and _is_blank(row, last)):
            error = _unclosed_at_end(path, encoding, sep, row, start, done, last)
            if error is not None:
                raise error
    return count


def _too_many_values(path: Path, row: list[str], start: int, header: list[str],
                     count: _RecordCount, sep: str) -> InputFileError:
    if (sum(bool(str(h).strip()) for h in header) <= 1 and len(row) > 1
            and count.records < _HEADER_SEARCH_ROWS):
        return InputFileError(path, _title_hint(start))
    return InputFileError(path, f"line {start} has {len(row)} values but the header (line "
                                f"{count.header_line}) has {count.columns} columns; remove the "
                                f"extra {sep!r} or put the value that holds it in quotes (\").")


def _first_difference(path: Path, sep: str, encoding: str, frame: pd.DataFrame) -> int:
    """The physical line of the first record the line-by-line pass and pandas read differently."""
    last = ""

    def lines(handle):
        nonlocal last
        for last in handle:  # noqa: B007, UP028 - the last line read is kept
            yield last

    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(lines(handle), delimiter=sep)
        rows = frame.itertuples(index=False, name=None)
        done, header = 0, False
        for record in reader:
            start, done = done + 1, reader.line_num
            if done == start and _is_blank(record, last):
                continue
            if not header:
                header = True
                continue
            values = next(rows, None)
            if values is None:
                return start
            expected = [None if v == "" else v for v in record]
            expected += [None] * (len(values) - len(expected))
            if [None if _is_missing(v) else v for v in values] != expected:
                return start
        return done + 1


def _read_csv_encoded(path: Path, sep: str | None, encoding: str) -> pd.DataFrame:
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(65536)
    if not sample.strip():
        raise InputFileError(path, "the file is empty.")
    sep = sep or ("\t" if path.suffix.lower() == ".tsv" else detect_delimiter(sample))
    count = _count_records(path, sep, encoding) if len(sep) == 1 else None
    try:
        frame = _read_csv_as_text(path, sep=sep, encoding=encoding,
                                  keep_default_na=False, na_values=[""])
    except pd.errors.ParserError as exc:
        raise InputFileError(path, f"cannot be read as CSV with delimiter {sep!r}: {exc}") from exc
    if len(sep) == 1:
        _refuse_duplicate_headers(path, frame.columns, lambda: _csv_header(sample, sep))
    if count is not None:
        if len(frame) != count.records:
            line = _first_difference(path, sep, encoding, frame)
            raise InputFileError(path, f"line {line}: the file has {count.records} data rows "
                                       f"but {len(frame)} were read as a table; check "
                                       "the quotes (\") and delimiters from that line on.")
        frame.attrs.update(source_rows=count.records, header_line=count.header_line,
                           blank_lines=count.blank_lines, record_lines=count.first_lines)
    return frame


_TEXT_SAMPLE_ROWS = 1000


# Text as Arrow stores it. pandas reads a column declared so about as fast as one it
# infers to be text, and much faster than one declared ``str`` (1 s more per million rows
# for two number columns); ``astype(str)`` then makes it the ``str`` column that
# ``dtype=str`` reads, value for value (tested).
_ARROW_TEXT = pd.ArrowDtype(pa.large_string())


def _read_csv_as_text(path: Path, **kwargs) -> pd.DataFrame:
    """``pd.read_csv(path, dtype=str, **kwargs)``, faster on large files.

    pandas parses a column it infers to be text several times faster than one it is
    told is ``str``. So only the columns that a sample of the first rows reads as
    something else (numbers, booleans) are declared text (:data:`_ARROW_TEXT`, then
    made ``str``); if any other column still comes back as non-text (a number further
    down than the sample), the file is read again exactly as ``dtype=str`` would.
    """
    text = pd.Series([], dtype=str).dtype
    if not isinstance(pd.read_csv(path, nrows=_TEXT_SAMPLE_ROWS, dtype=str, **kwargs).index,
                      pd.RangeIndex):  # rows longer than the header: a column became the index
        return pd.read_csv(path, dtype=str, **kwargs)
    sample = pd.read_csv(path, nrows=_TEXT_SAMPLE_ROWS, **kwargs)
    declared = {c: _ARROW_TEXT for c in sample.columns if sample[c].dtype != text}
    frame = pd.read_csv(path, dtype=declared, **kwargs)
    if declared and frame.columns.is_unique:
        frame = frame.astype(dict.fromkeys(declared, str))
    if all(dtype == text for dtype in frame.dtypes):
        return frame
    return pd.read_csv(path, dtype=str, **kwargs)


def _old_excel_error(path: Path) -> InputFileError:
    return InputFileError(path, "is an old Excel 97-2003 workbook (.xls), which evalkit "
                                "cannot read; open it in Excel, save it as .xlsx (File > "
                                "Save As > Excel Workbook) and use the .xlsx file.")


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream names an encrypted OOXML file (an OLE2 compound file) holds, as stored in
# its directory (UTF-16-LE).
_ENCRYPTED_STREAMS = tuple(name.encode("utf-16-le") for name in ("EncryptedPackage",
                                                                  "EncryptionInfo"))


def _is_encrypted_office_file(path: Path) -> bool:
    """True for an OLE2 file holding an ``EncryptedPackage``/``EncryptionInfo`` stream:
    what Excel writes when a workbook is saved with a password to open it."""
    overlap = max(map(len, _ENCRYPTED_STREAMS))
    tail = b""
    with open(path, "rb") as handle:  # the directory may sit anywhere: streamed search
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            data = tail + chunk
            if any(name in data for name in _ENCRYPTED_STREAMS):
                return True
            tail = data[-overlap:]
    return False


def _one_line(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = text if len(text) <= limit else text[: limit - 1] + "\u2026"
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text


def _damaged(path: Path, exc: BaseException) -> InputFileError:
    return InputFileError(path, f"the workbook is damaged ({_one_line(exc)}); open it in "
                                "Excel and save it again (or export or download it again).")


def _open_workbook(path: Path) -> pd.ExcelFile:
    """Open a workbook for :func:`_parse_sheet`; every failure is one InputFileError.

    Raises
    ------
    InputFileError
        A password-protected workbook; an old ``.xls`` workbook (or one saved under an
        ``.xlsx`` name); a file that is no workbook at all; a damaged one (truncated
        zip, corrupt member, missing part, broken XML: whatever openpyxl raises).
    """
    head = _read_head(path, 8)
    if head.startswith(_OLE2_MAGIC):
        if _is_encrypted_office_file(path):
            raise InputFileError(path, "is password-protected: remove the password in Excel "
                                       "(File > Info > Protect Workbook) and save again.")
        raise _old_excel_error(path)
    source: Path | io.BytesIO = path
    if not head.startswith(_ZIP_MAGIC):
        if path.suffix.lower() in OLD_EXCEL_SUFFIXES:
            raise _old_excel_error(path)
        kind = next((k for sig, k in _SIGNATURES if head.startswith(sig)), None)
        looks = f"it looks like {kind}" if kind else "it is not a zip file, as .xlsx files are"
        raise InputFileError(path, f"is not a readable Excel workbook ({looks}); was it "
                                   "truncated or saved in another format? Save it again "
                                   "from Excel as .xlsx (Excel Workbook).")
    if path.suffix.lower() in OLD_EXCEL_SUFFIXES:
        source = io.BytesIO(path.read_bytes())  # an .xlsx saved under an .xls name
    try:
        book = pd.ExcelFile(source, engine="openpyxl")
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl raises is a damaged file
        raise _damaged(path, exc) from exc
    if not book.sheet_names:  # openpyxl skips sheets whose part is missing
        book.close()
        raise _damaged(path, ValueError("it has no readable sheet"))
    return book


_MANGLED = re.compile(r"^(?P<base>.*)\.(?P<n>[1-9]\d*)$")


def _refuse_duplicate_headers(path: Path, columns, header) -> None:
    """Two columns with one name: pandas reads the second as ``name.1`` and evalkit would
    silently use one of them (or take ``nama_x.1`` for another field). ``header`` gives
    the header as written (called only when a read name looks mangled, so cheaply)."""
    names = [str(c).strip() for c in columns]
    if not any((m := _MANGLED.match(n)) and m["base"] in names for n in names):
        return
    seen: set[str] = set()
    for name in (str(v).strip() for v in header() if v is not None and not _is_missing(v)):
        if name and name in seen:
            raise InputFileError(path, f"two columns are named {name!r}: rename or delete one "
                                       "(evalkit cannot tell which one holds the field).")
        seen.add(name)


def _csv_header(sample: str, sep: str) -> list[str]:
    """The first non-blank row of a CSV sample, as the csv module splits it."""
    for row in csv.reader(io.StringIO(sample), delimiter=sep):
        if any(cell.strip() for cell in row):
            return row
    return []


def _parse_sheet(path: Path, book: pd.ExcelFile, sheet: str | int,
                 allow_empty: bool = False) -> pd.DataFrame:
    missing = (sheet not in book.sheet_names if isinstance(sheet, str)
               else not -len(book.sheet_names) <= sheet < len(book.sheet_names))
    if missing:
        raise InputFileError(path, f"has no sheet {sheet!r}; its sheets are "
                                   f"{', '.join(map(repr, book.sheet_names))}.")
    try:
        frame = pd.read_excel(book, sheet_name=sheet, dtype=object)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a corrupt member, broken XML, a missing part
        raise _damaged(path, exc) from exc
    if frame.empty and len(frame.columns) == 0 and not allow_empty:
        name = sheet if isinstance(sheet, str) else book.sheet_names[sheet]
        raise InputFileError(path, f"sheet {name!r} is empty.")
    _refuse_duplicate_headers(path, frame.columns, lambda: pd.read_excel(
        book, sheet_name=sheet, header=None, nrows=1, dtype=object).iloc[0].tolist())
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


# --------------------------------------------------------------------------------------
# SPSS and Stata
# --------------------------------------------------------------------------------------
def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _in_missing_ranges(value: object, ranges: list[dict]) -> bool:
    for bounds in ranges:
        try:
            if bounds["lo"] <= value <= bounds["hi"]:
                return True
        except TypeError:  # a string value against numeric bounds, or the reverse
            continue
    return False


def _apply_value_labels(data: pd.DataFrame, value_labels: dict[str, dict],
                        missing_ranges: dict[str, list[dict]]) -> pd.DataFrame:
    """Labelled values -> label text; SPSS user-missing codes without a label -> missing."""
    out = data.copy()
    for col in data.columns:
        labels, ranges = value_labels.get(col) or {}, missing_ranges.get(col) or []
        if not labels and not ranges:
            continue
        if not labels:
            out[col] = data[col].mask(data[col].map(lambda v, r=ranges: _in_missing_ranges(v, r)))
            continue
        values = []
        for value in data[col]:
            if _is_missing(value):
                values.append(value)
            elif value in labels:
                values.append(labels[value])
            elif ranges and _in_missing_ranges(value, ranges):
                values.append(float("nan"))
            else:
                values.append(value)
        out[col] = pd.Series(values, index=data.index, dtype=object)
    return out


def _stata_truncated(path: Path) -> bool:
    """True for a Stata 13+ file (``<stata_dta>``) that lacks its closing tag.

    ReadStat reads such a file without complaint but silently drops what was cut
    (typically the value labels, which sit at the end).
    """
    with open(path, "rb") as handle:
        head = handle.read(11)
        handle.seek(max(0, path.stat().st_size - 64))
        tail = handle.read()
    return head == b"<stata_dta>" and not tail.rstrip(b"\x00\r\n ").endswith(b"</stata_dta>")


def _read_spss_stata(path: Path, encoding: str | None) -> pd.DataFrame:
    stata = path.suffix.lower() in STATA_SUFFIXES
    kind = "Stata" if stata else "SPSS"
    try:
        import pyreadstat  # imported here: only SPSS/Stata users pay for it
    except ImportError as exc:  # pragma: no cover - pyreadstat is a dependency
        raise InputFileError(path, f"reading {kind} files needs the pyreadstat package; "
                                   "install it (pip install pyreadstat) or export the "
                                   "data as .xlsx/.csv.") from exc
    advice = (f"was it truncated or saved in another format? Export it again from {kind} "
              "(or as .xlsx/.csv).")
    if stata and _stata_truncated(path):
        raise InputFileError(path, "is not a readable Stata file (it stops before the "
                                   f"end-of-file marker); {advice}")
    kwargs: dict = {"encoding": encoding} if encoding else {}
    try:
        if stata:
            data, meta = pyreadstat.read_dta(path, **kwargs)
        else:  # user-missing codes are kept so that a labelled one ("Tidak tahu") shows
            data, meta = pyreadstat.read_sav(path, user_missing=True, **kwargs)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, UnicodeDecodeError,
            OSError, ValueError) as exc:
        raise InputFileError(path, f"is not a readable {kind} file ({exc}); {advice}") from exc
    value_labels = {col: dict(labels) for col, labels in meta.variable_value_labels.items()}
    missing_ranges = {} if stata else dict(meta.missing_ranges or {})
    frame = _apply_value_labels(data, value_labels, missing_ranges)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["variable_labels"] = {str(k).strip(): v
                                      for k, v in meta.column_names_to_labels.items()}
    frame.attrs["value_labels"] = {str(k).strip(): v for k, v in value_labels.items()}
    if missing_ranges:
        frame.attrs["missing_ranges"] = {str(k).strip(): v for k, v in missing_ranges.items()}
    return frame


# --------------------------------------------------------------------------------------
# numbers written as text
# --------------------------------------------------------------------------------------
_ID_NUMBER = re.compile(r"\d+(,\d+)?|\d{1,3}(\.\d{3})+(,\d+)?")   # 12,5  1.234,5  1.234
_EN_NUMBER = re.compile(r"\d+(\.\d+)?|\d{1,3}(,\d{3})+(\.\d+)?")  # 12.5  1,234.5  1,234
_LEADING_ZERO = re.compile(r"0\d")


def _number_readings(value: object) -> tuple[str | None, str | None] | None:
    """The value as a plain number string read the Indonesian and the English way.

    Returns ``(indonesian, english)`` (either ``None`` where that reading is invalid),
    or ``None`` when the value is no number at all, or an identifier that must stay
    text (leading zero, more than :data:`MAX_NUMBER_DIGITS` digits).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real):
        text = repr(float(value)) if isinstance(value, float) else str(value)
        return text, text
    if not isinstance(value, str):
        return None
    text = value.strip()
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    if (not body or _LEADING_ZERO.match(body)
            or sum(ch.isdigit() for ch in body) > MAX_NUMBER_DIGITS):
        return None
    indonesian = (sign + body.replace(".", "").replace(",", ".")
                  if _ID_NUMBER.fullmatch(body) else None)
    english = sign + body.replace(",", "") if _EN_NUMBER.fullmatch(body) else None
    if indonesian is None and english is None:
        return None
    return indonesian, english


def _column_numbers(values: pd.Series, decimal: str) -> tuple[str, list[str]] | None:
    """The convention and the plain number strings of a column, or None to keep it text."""
    readings = []
    for value in values:
        reading = _number_readings(value)
        if reading is None:
            return None
        readings.append(reading)
    if decimal == "auto":
        indonesian_only = any(i is not None and e is None for i, e in readings)
        english_only = any(e is not None and i is None for i, e in readings)
        if indonesian_only and english_only:
            return None  # both conventions in one column: not safely numbers
        ambiguous = any(i is not None and e is not None and i != e for i, e in readings)
        decimal = "," if indonesian_only or (ambiguous and not english_only) else "."
    plain = [i if decimal == "," else e for i, e in readings]
    if any(p is None for p in plain):
        return None
    return decimal, plain


def convert_numbers(frame: pd.DataFrame, decimal: str = "auto") -> pd.DataFrame:
    """Convert the columns whose every non-blank value is a number written as text.

    Parameters
    ----------
    frame : DataFrame
        Typically a CSV read as text by :func:`read_table`. Not modified.
    decimal : {"auto", ",", "."}
        The decimal mark. ``","`` reads numbers the Indonesian way (``12,5`` = 12.5,
        ``1.234,5`` = 1234.5); ``"."`` the English way (``12.5``, ``1,234.5``);
        ``"auto"`` decides per column (see Notes).

    Returns
    -------
    DataFrame
        A copy in which the converted columns are numeric (``int64`` when every value
        is a whole number and none is blank, else ``float64``); every other column is
        unchanged. ``attrs["number_columns"]`` maps each converted column to the
        decimal mark it was read with.

    Notes
    -----
    A value is a number if, after an optional leading ``-``, it matches
    ``^\\d+(,\\d+)?$`` or ``^\\d{1,3}(\\.\\d{3})+(,\\d+)?$`` (Indonesian) or
    ``^\\d+(\\.\\d+)?$`` or ``^\\d{1,3}(,\\d{3})+(\\.\\d+)?$`` (English). Numbers
    already stored as numbers (Excel cells) count too.

    With ``"auto"``, a column is read the Indonesian way when some value can only be
    Indonesian (``12,5``, ``1.234,5``, ``1.234.567``) and the English way when some
    value can only be English (``12.5``, ``1,234.5``). Values valid both ways with
    different meanings (``1.234``, ``1,234``) follow the column's other values; a
    column holding only such values is read the Indonesian way (evalkit's data come
    from Indonesian-locale Excel). A column mixing unambiguous values of both kinds
    stays text.

    A column stays text when any non-blank value is not a number, and always when a
    value is an integer written with a leading zero (``0812...`` phone numbers,
    ``0015`` codes) or has more than :data:`MAX_NUMBER_DIGITS` digits (NIK): those are
    identifiers. A leading ``+`` (``+62812...``) is not a number either.
    """
    if decimal not in DECIMAL_OPTIONS:
        raise ValueError(f"decimal must be one of {DECIMAL_OPTIONS}, not {decimal!r}")
    out = frame.copy()
    converted: dict[str, str] = {}
    for col in frame.columns:
        series = frame[col]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        blank = series.map(lambda v: _is_missing(v) or (isinstance(v, str) and not v.strip()))
        values = series[~blank]
        if values.empty:
            continue
        found = _column_numbers(values, decimal)
        if found is None:
            continue
        mark, plain = found
        text = pd.Series(None, index=series.index, dtype=object)
        text[~blank] = plain
        out[col] = pd.to_numeric(text)
        converted[col] = mark
    out.attrs = {**frame.attrs, "number_columns": converted}
    return out


# --------------------------------------------------------------------------------------
# read_table / read_workbook
# --------------------------------------------------------------------------------------
def _check_file(path: Path) -> None:
    if not path.is_file():
        raise InputFileError(path, f"file not found at {path}.")
    if path.stat().st_size == 0:
        raise InputFileError(path, "the file is empty.")


def read_table(path: Path | str, *, sheet: str | int | None = None, sep: str | None = None,
               encoding: str | None = None, decimal: str | None = None) -> pd.DataFrame:
    """Read a CSV/TSV, XLSX, SPSS (``.sav``) or Stata (``.dta``) file into a DataFrame.

    Parameters
    ----------
    path : path-like
        The file. Its suffix decides the reader.
    sheet : str or int, optional
        Excel sheet (default: the first).
    sep, encoding : str, optional
        CSV delimiter and encoding; detected when omitted. ``encoding`` also applies
        to SPSS/Stata files that do not declare theirs.
    decimal : {None, "auto", ",", "."}, optional
        ``None`` (default) keeps CSV values as text. Otherwise text columns whose
        every value is a number are converted by :func:`convert_numbers` with this
        decimal mark (``"auto"`` detects it per column).

    Returns
    -------
    DataFrame
        Header whitespace stripped. CSV values are text (blank cells missing); Excel
        values as stored. SPSS/Stata values that have a value label come back as the
        label text (``4`` -> ``"Setuju"``), other values as stored; SPSS user-missing
        codes without a label become missing. For SPSS/Stata,
        ``attrs["variable_labels"]`` (column -> label) and ``attrs["value_labels"]``
        (column -> {code: label}) hold the file's metadata. For CSV/TSV,
        ``attrs["source_rows"]`` is the number of data records counted in the file
        itself (equal to ``len(frame)``, or reading fails), ``attrs["header_line"]``
        the header's line, ``attrs["blank_lines"]`` the blank lines skipped and
        ``attrs["record_lines"]`` the lines the first data rows start on.

    Raises
    ------
    InputFileError
        Missing, empty, truncated, unreadable or unsupported file (including old
        ``.xls`` workbooks), or a sheet that does not exist; a workbook that is
        password-protected or damaged; a CSV that is not text (an image, an archive,
        NUL bytes), whose encoding is mixed (:func:`detect_encoding`), or whose rows
        cannot be read exactly (see Notes).

    Notes
    -----
    A CSV is read row-exactly: besides pandas, an independent streamed pass with the
    standard :mod:`csv` module (same delimiter and encoding, about 1.5 s per 100 MB)
    counts its records, and any difference is an error naming the first line where
    the two part. Blank lines (empty, or only spaces and tabs) and trailing newlines
    are no rows, as pandas skips them; a row of empty values (``;;;``) is a row. The
    pass also stops at a row with more values than the header, a quote (``"``) that
    is never closed, and a quoted value that runs over whole rows of the table (a
    stray quote that pandas would read as one long value: the rows swallowed would be
    lost without a word). Quoted values holding line breaks (multi-line comments) are
    read as they should be. Line numbers are the file's physical lines (header =
    line 1 unless blank lines come first).
    """
    if decimal is not None and decimal not in DECIMAL_OPTIONS:
        raise ValueError(f"decimal must be None or one of {DECIMAL_OPTIONS}, not {decimal!r}")
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        frame = _read_csv(path, sep, encoding)
        frame.columns = [str(c).strip() for c in frame.columns]
    elif suffix in EXCEL_SUFFIXES | OLD_EXCEL_SUFFIXES:
        with _open_workbook(path) as book:
            frame = _parse_sheet(path, book, sheet if sheet is not None else 0)
    elif suffix in SPSS_SUFFIXES | STATA_SUFFIXES:
        frame = _read_spss_stata(path, encoding)
    else:
        raise InputFileError(path, f"unsupported file type {suffix!r}; "
                                   "use .csv, .tsv, .xlsx, .sav (SPSS) or .dta (Stata).")
    if decimal is not None:
        frame = convert_numbers(frame, decimal)
    return frame


def read_parquet_checked(path: Path, remedy: str) -> pd.DataFrame:
    """A parquet file evalkit wrote; a damaged one (cut off, not parquet) is an
    :class:`EvalkitError` naming it and ``remedy`` (the command that rebuilds it)
    instead of pyarrow's ``ArrowInvalid``. File-system errors (errno set) pass through."""
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        if isinstance(exc, OSError) and exc.errno:  # the file system's, not the file's
            raise
        raise EvalkitError(f"{path} is damaged (cut off or not a parquet file): "
                           f"{remedy}.") from exc


def read_workbook(path: Path | str) -> dict[str, pd.DataFrame]:
    """Every sheet of an XLSX file, by name (empty sheets as empty DataFrames)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, f"file not found at {path}.")
    with _open_workbook(path) as book:
        return {name: _parse_sheet(path, book, name, allow_empty=True) for name in book.sheet_names}


# --------------------------------------------------------------------------------------
# Kobo exports with repeat groups
# --------------------------------------------------------------------------------------
INDEX_COLUMN = "_index"
PARENT_INDEX_COLUMN = "_parent_index"
PARENT_TABLE_COLUMN = "_parent_table_name"
_LINK_KEY = "__evalkit_link_key__"
EXCEL_SHEET_NAME_MAX = 31


def _link_key(value: object) -> str | None:
    """``_index``/``_parent_index`` value -> comparable text (``3``, ``3.0``, ``"3"`` alike)."""
    if _is_missing(value):
        return None
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        return str(int(float(text)))
    return text or None


def _link_keys(series: pd.Series) -> pd.Series:
    return series.map(_link_key).astype(object)


def _excel_rows(positions) -> list[int]:
    return [int(p) + 2 for p in positions]  # header is row 1


def _list_rows(rows: list[int], limit: int = 10) -> str:
    shown = ", ".join(map(str, rows[:limit]))
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


@dataclass
class KoboExport:
    """A KoboToolbox XLSX export: the main sheet and one sheet per repeat group.

    Attributes
    ----------
    main : DataFrame
        The first sheet: one row per submission, numbered by ``_index``.
    repeats : dict of str to DataFrame
        Repeat-group sheets by sheet name, in workbook order; their rows point to a
        parent row through ``_parent_index``.
    parents : dict of str to str
        Repeat sheet -> its parent sheet (the main sheet, or for a repeat nested in a
        repeat the outer repeat's sheet, from ``_parent_table_name``).
    main_name : str
        Name of the main sheet.
    source : str
        The file read.
    """

    main: pd.DataFrame
    repeats: dict[str, pd.DataFrame] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    main_name: str = ""
    source: str = ""

    def joined(self, repeat_name: str) -> pd.DataFrame:
        """One row per row of a repeat sheet, with its parent row's values added.

        Rows are matched by ``_parent_index`` (repeat) -> ``_index`` (parent). The
        repeat's columns come first, in their order, then the parent's (without its
        ``_index``, which equals ``_parent_index``); a parent column whose name the
        repeat also uses gets the suffix ``_parent``. For a nested repeat the parent
        is itself joined first, so the main sheet's values reach every level.

        Parameters
        ----------
        repeat_name : str
            A key of :attr:`repeats`.

        Raises
        ------
        KeyError
            No repeat sheet of that name.
        """
        if repeat_name not in self.repeats:
            raise KeyError(f"no repeat sheet {repeat_name!r} in {self.source or 'the export'}; "
                           f"repeat sheets: {', '.join(map(repr, self.repeats)) or 'none'}.")
        repeat = self.repeats[repeat_name]
        parent_name = self.parents.get(repeat_name, self.main_name)
        parent = self.joined(parent_name) if parent_name in self.repeats else self.main
        left = repeat.assign(**{_LINK_KEY: _link_keys(repeat[PARENT_INDEX_COLUMN])})
        right = parent.assign(**{_LINK_KEY: _link_keys(parent[INDEX_COLUMN])})
        right = right.drop(columns=INDEX_COLUMN)
        merged = left.merge(right, on=_LINK_KEY, how="left", suffixes=("", "_parent"),
                            validate="many_to_one")
        return merged.drop(columns=_LINK_KEY).reset_index(drop=True)


def _resolve_parent(name: str, frame: pd.DataFrame, main_name: str,
                    sheet_names: list[str]) -> str:
    if PARENT_TABLE_COLUMN not in frame.columns:
        return main_name
    tables = {str(v).strip() for v in frame[PARENT_TABLE_COLUMN] if not _is_missing(v)}
    if len(tables) != 1:
        return main_name
    table = tables.pop()
    for candidate in (table, table[:EXCEL_SHEET_NAME_MAX]):  # Excel truncates sheet names
        if candidate in sheet_names and candidate != name:
            return candidate
    return main_name


def _check_parent_index(path: Path, name: str, frame: pd.DataFrame) -> set[str]:
    """The ``_index`` keys of a parent sheet; raises when they cannot identify its rows."""
    if INDEX_COLUMN not in frame.columns:
        raise InputFileError(path, f"sheet {name!r} has no '{INDEX_COLUMN}' column, so its "
                                   "repeat-group rows cannot be linked to it; export the "
                                   "data again from KoboToolbox as XLSX without removing "
                                   "the '_index' column.")
    keys = _link_keys(frame[INDEX_COLUMN])
    blank = keys.isna().to_numpy().nonzero()[0]
    if len(blank):
        raise InputFileError(path, f"sheet {name!r}, row(s) {_list_rows(_excel_rows(blank))}: "
                                   f"'{INDEX_COLUMN}' is blank; every row needs its number.")
    repeated = keys.duplicated(keep=False).to_numpy().nonzero()[0]
    if len(repeated):
        raise InputFileError(path, f"sheet {name!r}, rows {_list_rows(_excel_rows(repeated))}: "
                                   f"the same '{INDEX_COLUMN}' value appears more than once, "
                                   "so repeat rows cannot be linked to one parent; was the "
                                   "sheet edited or pasted together from several exports?")
    return set(keys)


def read_kobo_export(path: Path | str) -> KoboExport:
    """Read a KoboToolbox export: main sheet plus one sheet per repeat group.

    The first sheet is the main sheet (one row per submission, numbered by ``_index``);
    every other non-empty sheet is a repeat group whose rows name their parent row in
    ``_parent_index``. A CSV export (no repeat groups) gives the main sheet alone.

    Parameters
    ----------
    path : path-like
        The ``.xlsx`` export (or a ``.csv`` one).

    Returns
    -------
    KoboExport
        Use :meth:`KoboExport.joined` to get a repeat's rows with their parents' values.

    Raises
    ------
    InputFileError
        Anything :func:`read_table` raises; an empty main sheet; a repeat sheet without
        a ``_parent_index`` column; a parent sheet without unique ``_index`` values; or
        a repeat row whose ``_parent_index`` is blank or matches no parent row (the
        message names the sheet and the Excel row numbers).
    """
    path = Path(path)
    _check_file(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES | OLD_EXCEL_SUFFIXES:
        return KoboExport(read_table(path), {}, {}, path.stem, str(path))
    sheets = read_workbook(path)
    main_name = next(iter(sheets))
    main = sheets[main_name]
    if len(main.columns) == 0:
        raise InputFileError(path, f"the main (first) sheet {main_name!r} is empty.")
    # A sheet with no header at all holds no data: nothing to link, nothing lost.
    repeats = {name: frame for name, frame in list(sheets.items())[1:] if len(frame.columns)}
    for name, frame in repeats.items():
        if PARENT_INDEX_COLUMN not in frame.columns:
            raise InputFileError(path, f"sheet {name!r} has no '{PARENT_INDEX_COLUMN}' column, "
                                       "so its rows cannot be linked to the main sheet "
                                       f"{main_name!r}; if it is a repeat group, export "
                                       "again from KoboToolbox as XLSX; otherwise move "
                                       "the sheet to another file.")
    names = list(sheets)
    parents = {name: _resolve_parent(name, frame, main_name, names)
               for name, frame in repeats.items()}
    for name in repeats:  # a parent chain must end at the main sheet
        seen, current = {name}, parents[name]
        while current != main_name:
            if current in seen:
                raise InputFileError(path, f"sheet {name!r}: the '{PARENT_TABLE_COLUMN}' "
                                           "values form a loop; each repeat sheet must "
                                           "lead back to the main sheet.")
            seen.add(current)
            current = parents[current]
    parent_keys = {parent: _check_parent_index(path, parent, sheets[parent])
                   for parent in set(parents.values())}
    for name, frame in repeats.items():
        parent = parents[name]
        keys = _link_keys(frame[PARENT_INDEX_COLUMN])
        orphan = (~keys.isin(parent_keys[parent]) | keys.isna()).to_numpy().nonzero()[0]
        if len(orphan):
            rows = _excel_rows(orphan)
            values = ", ".join(repr(frame[PARENT_INDEX_COLUMN].iloc[i]) for i in orphan[:10])
            raise InputFileError(path, f"sheet {name!r}, row{'s' if len(rows) > 1 else ''} "
                                       f"{_list_rows(rows)}: '{PARENT_INDEX_COLUMN}' "
                                       f"{values} matches no '{INDEX_COLUMN}' of sheet "
                                       f"{parent!r}, so the row has no parent submission; "
                                       "was the main sheet filtered or rows deleted?")
    return KoboExport(main, repeats, parents, main_name, str(path))
