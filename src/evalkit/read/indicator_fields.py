"""The fields of an indicator value row as officers type them: periods, units, breakdowns.

Pure parsers used by :func:`evalkit.clean.indicators.clean_indicator_values`. Each returns a
canonical value or ``None`` when the text cannot be read, so the caller can quarantine
the row with a reason that quotes the text.

- Periods: a year (``2024``, ``2024.0``) or a year-quarter in the spellings Indonesian
  reports use (``2024-Q1``, ``2024Q1``, ``Q1 2024``, ``TW I 2024``, ``Triwulan 2 2024``).
- Units: aliases (``persen`` = ``%``, ``Rp miliar`` = ``miliar Rp``) and the few
  conversions that are exact (``juta Rp`` -> ``miliar Rp``, a proportion -> ``%``).
- Disaggregation: sex, age group and urban/rural, the breakdowns SDG indicators are
  published by (UN Statistical Commission, SDG indicator framework, A/RES/71/313:
  "disaggregated by income, sex, age ... geographic location"); blank means the total.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

TOTAL = "total"
DISAGGREGATIONS = ("sex", "age_group", "area")

# --- periods ---------------------------------------------------------------------------

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER = r"(?:q|tw|triwulan|kuartal|quarter)\s*-?\s*(i{1,3}|iv|[1-4])"
# Half-years (survey waves): 2025-H2, 2025H2, H2 2025, S2 2025, Semester 2 2025, Semester II 2025.
_HALF = r"(?:h|s|smt|semester|half)\s*-?\s*(ii|i|[12])"
_YEAR = r"((?:19|20)\d{2})"
_PERIOD_PATTERNS = (
    ("year", re.compile(rf"^{_YEAR}(?:\.0)?$")),
    ("quarter", re.compile(rf"^{_YEAR}\s*[-/ ]?\s*{_QUARTER}$")),
    ("quarter", re.compile(rf"^{_QUARTER}\s*[-/ ]?\s*{_YEAR}$")),
    ("half", re.compile(rf"^{_YEAR}\s*[-/ ]?\s*{_HALF}$")),
    ("half", re.compile(rf"^{_HALF}\s*[-/ ]?\s*{_YEAR}$")),
)


def parse_period_unit(value: object) -> tuple[int, str, int | None] | None:
    """``(year, unit, number)`` of a period cell: unit ``"year"`` (number ``None``),
    ``"quarter"`` (1-4) or ``"half"`` (1-2); ``None`` when the text is not a period.

    The one period parser: :func:`parse_period` (indicators: years and quarters) and
    :func:`evalkit.read.waves.parse_wave_label` (survey waves: halves too) read through it.

    >>> parse_period_unit("Semester 2 2025"), parse_period_unit("TW III 2025")
    ((2025, 'half', 2), (2025, 'quarter', 3))
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)) or (isinstance(value, (float, np.floating))
                                                and float(value).is_integer()):
        year = int(value)
        return (year, "year", None) if 1900 <= year <= 2099 else None
    text = re.sub(r"\s+", " ", str(value).strip().lower())
    for unit, pattern in _PERIOD_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        if unit == "year":
            return int(match.group(1)), unit, None
        first, second = match.group(1), match.group(2)
        year, number = (first, second) if first.isdigit() and len(first) == 4 else (second, first)
        return int(year), unit, _ROMAN.get(number) or int(number)
    return None


def parse_period(value: object) -> tuple[int, int | None] | None:
    """``(year, quarter)`` of a period cell; quarter is ``None`` for a yearly value.

    Returns ``None`` when the text is not a period this function knows (half-years too:
    indicator values are yearly or quarterly).

    >>> parse_period("TW II 2024"), parse_period(2023), parse_period("2024-q4")
    ((2024, 2), (2023, None), (2024, 4))
    """
    parsed = parse_period_unit(value)
    if parsed is None or parsed[1] == "half":
        return None
    return parsed[0], parsed[2]


def period_label(year: int, quarter: int | None) -> str:
    """``"2024"`` or ``"2024-Q1"``: the one spelling evalkit writes."""
    return str(year) if quarter is None or pd.isna(quarter) else f"{year}-Q{int(quarter)}"


# --- units -----------------------------------------------------------------------------

_UNIT_ALIASES = {
    "%": "%", "persen": "%", "percent": "%", "persentase": "%", "pct": "%",
    "miliar rp": "miliar rp", "rp miliar": "miliar rp", "milyar rp": "miliar rp",
    "rp milyar": "miliar rp", "miliar rupiah": "miliar rp", "milyar rupiah": "miliar rp",
    "juta rp": "juta rp", "rp juta": "juta rp", "juta rupiah": "juta rp",
    "proporsi": "proportion", "proportion": "proportion", "rasio": "proportion",
}
# (from, to) -> factor: only conversions that are exact whatever the indicator.
UNIT_CONVERSIONS = {
    ("juta rp", "miliar rp"): 1e-3,
    ("miliar rp", "juta rp"): 1e3,
    ("proportion", "%"): 100.0,
    ("%", "proportion"): 1e-2,
}
PERCENT_UNITS = {"%"}


def normalise_unit(text: object) -> str | None:
    """A unit in one canonical spelling (lower case, single spaces, aliases merged)."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    key = re.sub(r"\s+", " ", str(text).strip().lower()).replace(".", "")
    return _UNIT_ALIASES.get(key, key) or None


def unit_factor(stated: str | None, expected: str | None) -> float | None:
    """Factor turning a value in ``stated`` units into ``expected`` units.

    ``1.0`` when the units agree (or none is stated), ``None`` when they differ and
    no exact conversion is known.
    """
    stated, expected = normalise_unit(stated), normalise_unit(expected)
    if stated is None or expected is None or stated == expected:
        return 1.0
    return UNIT_CONVERSIONS.get((stated, expected))


# --- disaggregation --------------------------------------------------------------------

_SEX = {
    "l": "male", "laki-laki": "male", "laki laki": "male", "lk": "male", "pria": "male",
    "m": "male", "male": "male", "men": "male",
    "p": "female", "perempuan": "female", "pr": "female", "wanita": "female",
    "f": "female", "female": "female", "women": "female",
    "l+p": TOTAL, "jumlah": TOTAL, "total": TOTAL, "semua": TOTAL, "all": TOTAL, "both": TOTAL,
}
_AREA = {
    "perkotaan": "urban", "kota": "urban", "urban": "urban",
    "perdesaan": "rural", "pedesaan": "rural", "desa": "rural", "rural": "rural",
    "perkotaan+perdesaan": TOTAL, "jumlah": TOTAL, "total": TOTAL, "semua": TOTAL, "all": TOTAL,
}
_AGE = re.compile(r"^(\d{1,3})\s*(?:-|–|s/?d|to)\s*(\d{1,3})(?:\s*(?:tahun|th|years?))?$|"
                  r"^(\d{1,3})\s*(?:\+|tahun ke atas|th\+|and over|or over)$")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip()


def normalise_sex(value: object) -> str | None:
    """``male`` / ``female`` / ``total`` (blank = total); ``None`` when unreadable."""
    return TOTAL if _blank(value) else _SEX.get(str(value).strip().lower())


def normalise_area(value: object) -> str | None:
    """``urban`` / ``rural`` / ``total`` (blank = total); ``None`` when unreadable."""
    return TOTAL if _blank(value) else _AREA.get(str(value).strip().lower())


def normalise_age_group(value: object) -> str | None:
    """``"15-24"`` or ``"65+"`` (blank or 'total' = total); ``None`` when unreadable."""
    if _blank(value) or str(value).strip().lower() in {"total", "jumlah", "semua", "all"}:
        return TOTAL
    match = _AGE.match(str(value).strip().lower())
    if not match:
        return None
    low, high, open_low = match.groups()
    return f"{int(open_low)}+" if open_low else f"{int(low)}-{int(high)}"


DISAGGREGATION_PARSERS = {"sex": normalise_sex, "age_group": normalise_age_group,
                          "area": normalise_area}
