"""Reading raw files into DataFrames, with one clear error when a file cannot be read.

Values are read as text (or as Excel stores them) and converted during cleaning, so
nothing is lost or silently coerced here. Nothing in evalkit writes to ``data/raw/``.
"""

from __future__ import annotations

import csv
import hashlib
import zipfile
from pathlib import Path

import pandas as pd

from evalkit.errors import InputFileError

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
# Encodings tried in order: Excel's "CSV UTF-8" (with BOM), then the Windows code page
# that Indonesian-locale Excel uses for plain "CSV".
CSV_ENCODINGS = ("utf-8-sig", "cp1252")
CSV_DELIMITERS = ",;\t|"


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (streamed, so large files are fine)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_encoding(path: Path) -> str:
    """The first of :data:`CSV_ENCODINGS` that decodes the whole file."""
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            raw.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"  # decodes any byte sequence; the reader then never fails on bytes


def detect_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample: the sniffer's guess among ``, ; tab |``."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(CSV_DELIMITERS, key=first.count)


def _read_csv(path: Path, sep: str | None, encoding: str | None) -> pd.DataFrame:
    encoding = encoding or detect_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(65536)
    if not sample.strip():
        raise InputFileError(path, "the file is empty.")
    sep = sep or ("\t" if path.suffix.lower() == ".tsv" else detect_delimiter(sample))
    try:
        return pd.read_csv(path, sep=sep, encoding=encoding, dtype=str,
                           keep_default_na=False, na_values=[""])
    except pd.errors.ParserError as exc:
        raise InputFileError(path, f"cannot be read as CSV with delimiter {sep!r}: {exc}") from exc


def _open_workbook(path: Path) -> pd.ExcelFile:
    try:
        return pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputFileError(path, f"is not a readable Excel workbook ({exc}); "
                                   "was it truncated or saved in another format?") from exc


def _parse_sheet(path: Path, book: pd.ExcelFile, sheet: str | int,
                 allow_empty: bool = False) -> pd.DataFrame:
    missing = (sheet not in book.sheet_names if isinstance(sheet, str)
               else not -len(book.sheet_names) <= sheet < len(book.sheet_names))
    if missing:
        raise InputFileError(path, f"has no sheet {sheet!r}; its sheets are "
                                   f"{', '.join(map(repr, book.sheet_names))}.")
    frame = pd.read_excel(book, sheet_name=sheet, dtype=object)
    if frame.empty and len(frame.columns) == 0 and not allow_empty:
        name = sheet if isinstance(sheet, str) else book.sheet_names[sheet]
        raise InputFileError(path, f"sheet {name!r} is empty.")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_table(path: Path | str, *, sheet: str | int | None = None, sep: str | None = None,
               encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV/TSV or XLSX file into a DataFrame.

    Parameters
    ----------
    path : path-like
        The file. Its suffix decides the reader.
    sheet : str or int, optional
        Excel sheet (default: the first).
    sep, encoding : str, optional
        CSV delimiter and encoding; detected when omitted.

    Raises
    ------
    InputFileError
        Missing, empty, unreadable or unsupported file, or a sheet that does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, f"file not found at {path}.")
    if path.stat().st_size == 0:
        raise InputFileError(path, "the file is empty.")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        frame = _read_csv(path, sep, encoding)
    elif suffix in EXCEL_SUFFIXES:
        with _open_workbook(path) as book:
            return _parse_sheet(path, book, sheet if sheet is not None else 0)
    else:
        raise InputFileError(path, f"unsupported file type {suffix!r}; "
                                   "use .csv, .tsv or .xlsx.")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_workbook(path: Path | str) -> dict[str, pd.DataFrame]:
    """Every sheet of an XLSX file, by name (empty sheets as empty DataFrames)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, f"file not found at {path}.")
    with _open_workbook(path) as book:
        return {name: _parse_sheet(path, book, name, allow_empty=True) for name in book.sheet_names}
