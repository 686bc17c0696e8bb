"""Dates written by hand or by an export: the order of day and month decided per column.

``2024-03-12`` is 12 March (ISO dates are never swapped). For ``dd/mm/yyyy`` versus
``mm/dd/yyyy`` the whole column decides: a first part above 12 can only be a day (the
column is day-first), a second part above 12 can only be a day (month-first). A column
with no such value is read day-first, the Indonesian convention, and says so. A column
with both kinds mixes the two orders: its rows that only one order can read are read that
way, and the rows both orders could read (``05/06/2024``) are ``ambiguous`` — never
guessed row by row. Cells Excel stored as dates are kept as they are; dates Excel stored as
serial numbers (``45678`` = 2025-01-21, ``45678.5`` at noon) are converted in Excel's 1900
date system (:func:`excel_serial_to_datetime`) and marked, so that the caller can flag them.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

ISO = "iso"
DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"
MIXED = "mixed"

_TIME = r"(?:[ T](?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?))?"
_ISO_DATE = re.compile(r"^\s*(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME
                       + r"(?:Z|[+-]\d{2}:?\d{2})?\s*$")
_NUMERIC_DATE = re.compile(r"^\s*(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})"
                           + _TIME + r"\s*$")
_TEXT_DATE = re.compile(r"^\s*(?P<d>\d{1,2})[\s-]+(?P<mon>[^\W\d_]+)\.?[\s-]+(?P<y>\d{4})\s*$")
# Month names and abbreviations in Indonesian and English.
MONTHS = {
    **{m: i for i, m in enumerate(
        ["januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
         "september", "oktober", "november", "desember"], start=1)},
    **{m: i for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"], start=1)},
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "mei": 5, "may": 5, "jun": 6, "jul": 7,
    "agu": 8, "agt": 8, "ags": 8, "aug": 8, "sep": 9, "sept": 9, "okt": 10, "oct": 10,
    "nov": 11, "nop": 11, "des": 12, "dec": 12,
}


# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 the 29 February 1900
# that never was (a Lotus 1-2-3 bug Excel keeps), so from serial 61 (1900-03-01) on a
# serial counts days since 1899-12-30 (Microsoft, "Date systems in Excel").
EXCEL_EPOCH = _dt.datetime(1899, 12, 30)
EXCEL_LEAP_BUG_SERIAL = 60
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31
# Numbers read as dates in a date column: serials from 1950-01-01 to 2100-01-01. Others
# (a year 2024, a count) are not dates.
EXCEL_SERIAL_WINDOW = (18264, 73051)
_SERIAL_TEXT = re.compile(r"^\s*\d{5}(?:[.,]\d+)?\s*$")


def excel_serial_to_datetime(serial: float) -> pd.Timestamp | None:
    """The date and time of an Excel serial number (1900 date system), to the millisecond.

    ``None`` for serial 60 (29 February 1900, which Excel counts but did not exist) and
    for numbers outside 1 to :data:`EXCEL_SERIAL_MAX`.

    >>> excel_serial_to_datetime(45678.5)
    Timestamp('2025-01-21 12:00:00')
    """
    if not isinstance(serial, (int, float)) or not 1 <= serial < EXCEL_SERIAL_MAX + 1:
        return None
    day = math.floor(serial)
    if day == EXCEL_LEAP_BUG_SERIAL:
        return None
    if day < EXCEL_LEAP_BUG_SERIAL:  # before the phantom day: one day more per serial
        serial += 1
    millis = round((serial - math.floor(serial)) * 86_400_000)
    return pd.Timestamp(EXCEL_EPOCH + _dt.timedelta(days=math.floor(serial), milliseconds=millis))


def excel_serial(value: object) -> float | None:
    """The Excel serial number a date cell holds, or None.

    A number (not a boolean) or a text of five digits with an optional fraction
    (``45678``, ``45678.5``, ``45678,5``) inside :data:`EXCEL_SERIAL_WINDOW`.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    elif isinstance(value, str) and _SERIAL_TEXT.match(value):
        number = float(value.strip().replace(",", "."))
    else:
        return None
    low, high = EXCEL_SERIAL_WINDOW
    return number if low <= number <= high else None


def excel_serial_mask(values: pd.Series) -> pd.Series:
    """Per value: whether it is an Excel serial number (:func:`excel_serial`)."""
    if not len(values) or pd.api.types.is_datetime64_any_dtype(values):
        return pd.Series(False, index=values.index)
    uniques = pd.unique(values.astype(object))
    serial = {u: excel_serial(u) is not None for u in uniques
              if not (isinstance(u, float) and np.isnan(u))}
    return values.astype(object).map(lambda v: serial.get(v, False)).astype(bool)


@dataclass
class DateColumn:
    """A date column as read: ``dates`` (NaT where unreadable or ambiguous), the order
    the column was read in, whether that order was assumed (no value decided it), which
    rows are ``ambiguous`` (a mixed column's rows both orders could read) and which were
    Excel ``serial`` numbers (converted)."""

    dates: pd.Series
    order: str
    assumed: bool
    ambiguous: pd.Series
    serial: pd.Series | None = None

    def __post_init__(self) -> None:
        if self.serial is None:
            self.serial = pd.Series(False, index=self.dates.index)

    def warning(self, where: str) -> str | None:
        """A sentence for the manifest when the order was assumed or the column is mixed."""
        if self.order == MIXED:
            return (f"{where} mixes day-first and month-first dates; {int(self.ambiguous.sum())} "
                    "row(s) that could be read either way were not read (reason ambiguous_date): "
                    "write them as YYYY-MM-DD")
        if self.assumed:
            return (f"{where} was read day-first (dd/mm/yyyy, the Indonesian convention): no "
                    "value showed the order; write dates as YYYY-MM-DD to be sure")
        return None


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _make(year: int, month: int, day: int, time: str | None) -> pd.Timestamp | None:
    try:
        stamp = pd.Timestamp(_dt.datetime(year, month, day))
    except ValueError:
        return None
    if time:
        parts = [float(p) for p in re.split(r"[:.]", time, maxsplit=2)]
        try:
            stamp = stamp + pd.Timedelta(hours=parts[0], minutes=parts[1],
                                         seconds=parts[2] if len(parts) > 2 else 0)
        except (ValueError, IndexError):
            return None
    return stamp


def read_dates(values: pd.Series) -> DateColumn:
    """Read a column of dates, deciding day-first or month-first for the whole column.

    Accepted: datetimes (as Excel stores date cells), ISO ``YYYY-MM-DD`` (optionally with
    a time), ``dd/mm/yyyy`` or ``mm/dd/yyyy`` with ``/``, ``-`` or ``.`` (two-digit
    years are 20xx), and ``12 Maret 2024`` / ``12 Mar 2024`` (Indonesian or English
    month names), and Excel serial numbers (:func:`excel_serial`, marked in ``serial``).
    Anything else, and impossible dates (``31/02/2024``), are NaT.
    """
    n = len(values)
    out: list = [None] * n
    serial = np.zeros(n, dtype=bool)
    pending: list[tuple[int, int, int, int, str | None]] = []  # (position, a, b, year, time)
    for i, value in enumerate(values.tolist()):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            continue
        if isinstance(value, (pd.Timestamp, _dt.datetime, np.datetime64)):
            out[i] = pd.Timestamp(value)
            continue
        if isinstance(value, _dt.date):
            out[i] = pd.Timestamp(value)
            continue
        if (number := excel_serial(value)) is not None:
            out[i] = excel_serial_to_datetime(number)
            serial[i] = True
            continue
        text = str(value)
        if match := _ISO_DATE.match(text):
            out[i] = _make(int(match["y"]), int(match["m"]), int(match["d"]), match["time"])
        elif match := _NUMERIC_DATE.match(text):
            pending.append((i, int(match["a"]), int(match["b"]), _year(match["y"]), match["time"]))
        elif match := _TEXT_DATE.match(text):
            month = MONTHS.get(match["mon"].casefold())
            if month is not None:
                out[i] = _make(int(match["y"]), month, int(match["d"]), None)
    day_first = any(a > 12 for _, a, _, _, _ in pending)
    month_first = any(b > 12 for _, _, b, _, _ in pending)
    ambiguous = np.zeros(n, dtype=bool)
    if day_first and month_first:
        order = MIXED
    elif month_first:
        order = MONTH_FIRST
    elif pending:
        order = DAY_FIRST
    else:
        order = ISO
    for i, a, b, year, time in pending:
        if order == MIXED:
            if a > 12:
                out[i] = _make(year, b, a, time)
            elif b > 12:
                out[i] = _make(year, a, b, time)
            elif a == b:
                out[i] = _make(year, a, a, time)
            else:
                ambiguous[i] = True
        elif order == MONTH_FIRST:
            out[i] = _make(year, a, b, time)
        else:
            out[i] = _make(year, b, a, time)
    # assumed: day-first chosen with no value > 12 and at least one value read differently
    # month-first (05/06/2024; 05/05/2024 reads the same either way)
    assumed = order == DAY_FIRST and not day_first and any(a != b for _, a, b, _, _ in pending)
    dates = pd.Series(pd.to_datetime(pd.Series(out, dtype=object), errors="coerce").to_numpy(),
                      index=values.index, dtype="datetime64[ns]")
    return DateColumn(dates, order, assumed, pd.Series(ambiguous, index=values.index),
                      pd.Series(serial, index=values.index))
