"""Dates written by hand or by an export: the order of day and month decided per column.

``2024-03-12`` is 12 March (ISO dates are never swapped). For ``dd/mm/yyyy`` versus
``mm/dd/yyyy`` the whole column decides: a first part above 12 can only be a day (the
column is day-first), a second part above 12 can only be a day (month-first). A column
with no such value is read day-first, the Indonesian convention, and says so. A column
with both kinds mixes the two orders: its rows that only one order can read are read that
way, and the rows both orders could read (``05/06/2024``) are ``ambiguous`` — never
guessed row by row. Cells Excel stored as dates are kept as they are.
"""

from __future__ import annotations

import datetime as _dt
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


@dataclass
class DateColumn:
    """A date column as read: ``dates`` (NaT where unreadable or ambiguous), the order
    the column was read in, whether that order was assumed (no value decided it), and
    which rows are ``ambiguous`` (a mixed column's rows both orders could read)."""

    dates: pd.Series
    order: str
    assumed: bool
    ambiguous: pd.Series

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
    month names). Anything else, and impossible dates (``31/02/2024``), are NaT.
    """
    n = len(values)
    out: list = [None] * n
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
    return DateColumn(dates, order, assumed, pd.Series(ambiguous, index=values.index))
