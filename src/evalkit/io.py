"""Reading raw files into DataFrames, with one clear error when a file cannot be read.

Values are read as text (or as Excel, SPSS and Stata store them) and converted during
cleaning, so nothing is lost or silently coerced here; numbers written as text can be
converted on request (:func:`convert_numbers`). Nothing in evalkit writes to ``data/raw/``.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import math
import numbers
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from evalkit.errors import InputFileError

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


def detect_encoding(path: Path) -> str:
    """The first of :data:`CSV_ENCODINGS` that decodes the whole file."""
    for encoding in CSV_ENCODINGS:
        # decoded in chunks: a large export is never held in memory twice
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
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
    if encoding is None:
        # Most exports are UTF-8: read as that straight away, and only when a byte is not
        # UTF-8 detect the encoding (decoding the whole file) and read again. A file that
        # reads as UTF-8 is one detect_encoding would call UTF-8 too: every byte of a
        # CSV ends up in a header or a value, and each one is decoded (tested).
        try:
            return _read_csv_encoded(path, sep, CSV_ENCODINGS[0])
        except UnicodeDecodeError:
            encoding = detect_encoding(path)
    return _read_csv_encoded(path, sep, encoding)


def _read_csv_encoded(path: Path, sep: str | None, encoding: str) -> pd.DataFrame:
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(65536)
    if not sample.strip():
        raise InputFileError(path, "the file is empty.")
    sep = sep or ("\t" if path.suffix.lower() == ".tsv" else detect_delimiter(sample))
    try:
        return _read_csv_as_text(path, sep=sep, encoding=encoding,
                                 keep_default_na=False, na_values=[""])
    except pd.errors.ParserError as exc:
        raise InputFileError(path, f"cannot be read as CSV with delimiter {sep!r}: {exc}") from exc


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


def _open_workbook(path: Path) -> pd.ExcelFile:
    source: Path | io.BytesIO = path
    if path.suffix.lower() in OLD_EXCEL_SUFFIXES:
        data = path.read_bytes()
        if not data.startswith(_ZIP_MAGIC):
            raise _old_excel_error(path)
        source = io.BytesIO(data)  # an .xlsx saved under an .xls name: openpyxl reads it
    try:
        return pd.ExcelFile(source, engine="openpyxl")
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
            out[col] = data[col].mask(data[col].map(lambda v: _in_missing_ranges(v, ranges)))
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
        (column -> {code: label}) hold the file's metadata.

    Raises
    ------
    InputFileError
        Missing, empty, truncated, unreadable or unsupported file (including old
        ``.xls`` workbooks), or a sheet that does not exist.
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
