"""Numbers as officers write them: Indonesian or English separators, percent signs, ``1.250``.

:func:`parse_number` reads one cell; :func:`parse_number_column` reads a column and
decides the two-way values (``1.250``: 1250 or 1.25) by the way the column's other
values are written, else by the unit (rules ``thousands_or_decimal`` and
``ambiguous_number``). :func:`non_finite_mask` finds inf and nan written out (rule
``non_finite_value``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.clean.rules import AMBIGUOUS_NUMBER, THOUSANDS_OR_DECIMAL, WHOLE_NUMBER_UNITS
from evalkit.read.indicator_fields import PERCENT_UNITS


def parse_number(values: pd.Series) -> pd.Series:
    """Numbers written the Indonesian or the English way -> float (NaN when not a number).

    ``12,5`` and ``1.234,5`` (Indonesian), ``1,234.5`` (English), ``45%`` and
    ``45 persen`` all parse. When a value has both separators the last one is the
    decimal mark; a lone comma is a decimal comma; dots in ``1.234.567`` are thousands.
    """
    def one(value: object) -> float:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return np.nan
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            return float(value)
        text = re.sub(r"(?i)\s*(%|persen|percent)\s*$", "", str(value).strip()).replace(" ", "")
        if "," in text and "." in text:
            decimal = "," if text.rfind(",") > text.rfind(".") else "."
            thousands = "." if decimal == "," else ","
            text = text.replace(thousands, "").replace(decimal, ".")
        elif "," in text:
            text = text.replace(",", ".") if text.count(",") == 1 else text.replace(",", "")
        elif text.count(".") > 1:
            text = text.replace(".", "")
        try:
            return float(text)
        except ValueError:
            return np.nan
    uniques = pd.unique(values.astype(object))
    mapping = {u: one(u) for u in uniques if not (isinstance(u, float) and np.isnan(u))}
    return values.astype(object).map(mapping).astype("float64")


@dataclass
class NumberColumn:
    """Numbers read by :func:`parse_number_column`: the values (float, NaN when not a
    number), which are inf/-inf/nan written out (``non_finite``), and per value the
    ``issue`` (:data:`~evalkit.clean.rules.THOUSANDS_OR_DECIMAL` or
    :data:`~evalkit.clean.rules.AMBIGUOUS_NUMBER` name, else None) with the reading chosen
    (``note``, "" when no issue)."""

    values: pd.Series
    non_finite: pd.Series
    issue: pd.Series
    note: pd.Series


# A number written the Indonesian way (12,5  1.234,5  1.234.567) or the English way
# (12.5  1,234.5  1,234,567); a group of thousands never starts with 0.
_ID_NUMBER = re.compile(r"\d+(,\d+)?|[1-9]\d{0,2}(\.\d{3})+(,\d+)?")
_EN_NUMBER = re.compile(r"\d+(\.\d+)?|[1-9]\d{0,2}(,\d{3})+(\.\d+)?")
_NON_FINITE_TEXT = re.compile(r"(?i)\s*[+-]?\s*(inf|infinity|nan)\s*")
_MEANING = {("id", "."): "the dot groups thousands", ("id", ","): "the comma is the decimal mark",
            ("en", "."): "the dot is the decimal mark", ("en", ","): "the comma groups thousands"}
_WAY = {"id": "the Indonesian way", "en": "the English way"}


def _number_readings(value: object) -> tuple[float, str | None, float | None, float | None]:
    """(sign, convention, Indonesian reading, English reading) of a text number cell.

    The convention is ``"id"`` or ``"en"`` when only that way reads the text, ``"both"``
    when both do with different values (``1.250``, ``1,250``), None otherwise (no text,
    no separator, not a number).
    """
    if not isinstance(value, str):
        return 1.0, None, None, None
    text = re.sub(r"(?i)\s*(%|persen|percent)\s*$", "", value.strip()).replace(" ", "")
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    indonesian = (float(body.replace(".", "").replace(",", "."))
                  if _ID_NUMBER.fullmatch(body) else None)
    english = float(body.replace(",", "")) if _EN_NUMBER.fullmatch(body) else None
    if indonesian is None and english is None:
        return sign, None, None, None
    if indonesian is None or english is None:
        return sign, "id" if english is None else "en", indonesian, english
    return sign, ("both" if indonesian != english else None), indonesian, english


def non_finite_mask(values: pd.Series, parsed: pd.Series) -> pd.Series:
    """Per cell: inf/-inf, or inf or nan written as text (``parsed``: :func:`parse_number`)."""
    written = values.astype(object).map(
        lambda v: isinstance(v, str) and bool(_NON_FINITE_TEXT.fullmatch(v)))
    return pd.Series(np.isinf(parsed.to_numpy()), index=values.index) | written.astype(bool)


def _plausible(value: float, unit: object) -> bool:
    """Whether ``value`` can be a value of ``unit`` (a normalised unit or None)."""
    if unit in PERCENT_UNITS:
        return 0 <= value <= 100
    if unit in WHOLE_NUMBER_UNITS:
        return float(value).is_integer()
    return True


def parse_number_column(values: pd.Series, *, scopes: pd.Series | None = None,
                        groups: pd.Series | None = None,
                        units: pd.Series | None = None) -> NumberColumn:
    """:func:`parse_number`, with ``1.250`` / ``1,250`` decided by the column, not the cell.

    One separator followed by three digits reads two ways (1250 or 1.25). Such a value
    is read the way the other text values write numbers: first the values of its own
    group (indicator) in its scope (sheet), then the whole scope — a decimal comma
    (``12,5``, ``1.234,5``) or dots grouping thousands (``1.234.567``) elsewhere mean the
    Indonesian way, a decimal dot (``12.5``) or commas grouping thousands the English way;
    values of both ways decide nothing. Else its unit decides when only one reading fits
    it (counts and Rupiah are whole numbers, a percentage is 0-100). Decided values get
    the issue ``thousands_or_decimal``; the others ``ambiguous_number`` and are read the
    Indonesian way. Numbers stored as numbers (Excel cells) are evidence of nothing.

    Parameters
    ----------
    values : Series
        The cells as read.
    scopes, groups, units : Series, optional
        Per value: its scope (default: one), its group (default: one per scope) and
        its unit (:func:`evalkit.read.indicator_fields.normalise_unit`; default: none).

    Returns
    -------
    NumberColumn
        Values as :func:`parse_number` reads them, except the two-way ones.
    """
    index = values.index
    base = parse_number(values)
    cells = values.astype(object)
    non_finite = non_finite_mask(values, base)
    issue = pd.Series([None] * len(index), index=index, dtype=object)
    note = pd.Series("", index=index, dtype=object)
    readings = {u: _number_readings(u) for u in pd.unique(cells) if isinstance(u, str)}
    way = cells.map(lambda v: readings[v][1] if isinstance(v, str) else None)
    both = way.eq("both")
    if not both.any():
        return NumberColumn(base, non_finite, issue, note)
    scopes = pd.Series("", index=index) if scopes is None else scopes.astype(str)
    groups = pd.Series("", index=index) if groups is None else groups.astype(str)
    units = pd.Series(None, index=index, dtype=object) if units is None else units
    sure = way.isin(["id", "en"])
    evidence = pd.DataFrame({"scope": scopes[sure], "group": groups[sure], "way": way[sure],
                             "cell": cells[sure]})
    examples = {}  # (scope, group or None) -> {way: first cell written that way}
    for (scope, group, w), cell in zip(zip(evidence["scope"], evidence["group"],
                                           evidence["way"]), evidence["cell"]):
        for key in ((scope, group), (scope, None)):
            examples.setdefault(key, {}).setdefault(w, cell)
    for at in np.flatnonzero(both.to_numpy()):
        cell, scope, group, unit = (cells.iloc[at], scopes.iloc[at], groups.iloc[at],
                                    units.iloc[at])
        sign, _, indonesian, english = readings[cell]
        reading = {"id": sign * indonesian, "en": sign * english}
        separator = "." if "." in cell else ","
        chosen, why = None, ""
        for key, whose in (((scope, group), "this indicator's other values in the sheet"),
                           ((scope, None), "the sheet's other values")):
            found = examples.get(key, {})
            if len(found) == 1:
                chosen = next(iter(found))
                why = f"{whose} are written {_WAY[chosen]} (e.g. {found[chosen]!r})"
                break
        if chosen is None:
            fits = [w for w in ("id", "en") if _plausible(reading[w], unit)]
            if len(fits) == 1:
                chosen = fits[0]
                why = ("a percentage is at most 100" if unit in PERCENT_UNITS
                       else f"the unit {unit!r} counts whole numbers")
        if chosen is None:
            issue.iloc[at] = AMBIGUOUS_NUMBER.name
            note.iloc[at] = (f"read as {reading['id']:.15g} ({_MEANING['id', separator]}, "
                             f"{_WAY['id']}): neither the other values nor the unit tell "
                             "which is meant; check it")
            base.iloc[at] = reading["id"]
        else:
            issue.iloc[at] = THOUSANDS_OR_DECIMAL.name
            note.iloc[at] = (f"read as {reading[chosen]:.15g} ({_MEANING[chosen, separator]}): "
                             + why)
            base.iloc[at] = reading[chosen]
    return NumberColumn(base, non_finite, issue, note)
