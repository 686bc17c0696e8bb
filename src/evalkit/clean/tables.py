"""Cleaning: raw tables in, clean tables out, every rejected row quarantined with its reason.

Each ``clean_*`` function is pure: a raw DataFrame (as :mod:`evalkit.read.io` read it) in, a
:class:`CleanResult` out. Row accounting is exact: ``len(raw) == len(result.data) +
len(result.quarantine)``. Problems with single values that do not cost the row (an
out-of-range answer, a decimal comma) are recorded in ``result.flags``.

Personal data (codebook fields marked ``pii``, and names/phones/e-mails/NIKs found by
pattern) never leave this module: respondents get a keyed pseudonym, quarantined
records are stored without personal fields.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.read.aliases import apply_aliases
from evalkit.read.codebook import (ID_FALLBACK_COLUMNS, Codebook, holds_items, match_headers,
                              normalize_label)
from evalkit.core.config import MAX_MISSING_ITEM_SHARE
from evalkit.core.contract import REQUIRED_ROLES, SPEEDER_SECONDS_PER_ITEM
from evalkit.read.dates import excel_serial, excel_serial_mask, excel_serial_to_datetime, read_dates
from evalkit.core.errors import DataError, InputFileError
from evalkit.read.io import header_row_hint
from evalkit.read.indicator_fields import (
    DISAGGREGATION_PARSERS,
    DISAGGREGATIONS,
    PERCENT_UNITS,
    TOTAL,
    normalise_unit,
    parse_period,
    period_label,
    unit_factor,
)
from evalkit.measure.indicators import ANNUAL_RULES
# The personal-data block lives in evalkit.clean.pii; its names stay importable from here.
from evalkit.clean.pii import (  # noqa: F401
    _ANY_PII,
    _ANY_PII_RE2,
    PII_COLUMN_PATTERN,
    PII_PATTERNS,
    PERSONAL_DATA_REMOVED,
    Scrubber,
    _scrub,
    _scrub_texts,
    scrub_pii_text,
    scrub_survey_text,
)
from evalkit.read.regions import RegionNotFoundError, choose_reading, region_readings
from evalkit.clean.rules import (
    ABSURD_MAGNITUDE,
    AMBIGUOUS_NUMBER,
    AMBIGUOUS_REGION,
    EXCEL_SERIAL_DATE,
    FUTURE_YEAR,
    IMPLAUSIBLE_YEAR,
    MAX_MAGNITUDE,
    NON_FINITE_VALUE,
    NOT_WHOLE_NUMBER,
    START_IN_FUTURE,
    TARGET_BEFORE_BASELINE,
    THOUSANDS_OR_DECIMAL,
    WHOLE_NUMBER_UNITS,
    YEAR_RANGE,
    period_start,
)
from evalkit.clean.rules import today as _today

QUARANTINE_COLUMNS = ["table", "source_file", "source_row", "reason", "detail", "record"]
FLAG_COLUMNS = ["table", "source_file", "source_row", "column", "value", "issue", "action"]

# Row-level quality checks on survey responses, in the order they are applied: a row is
# quarantined under the first reason that applies with policy "exclude". (Before them,
# always: SURVEY_REVIEW_REASONS; after them: unknown_sector.)
QUALITY_CHECKS = {
    "test_submission": "a test submission (name or organisation says test/tes/coba/uji)",
    "duplicate_uuid": "the same submission (its id: _uuid, KEY or the field with role id) "
                      "appears earlier in the export",
    "duplicate_respondent": "the same respondent submitted identical answers earlier",
    "speeder": f"interview shorter than the speeder limit ({SPEEDER_SECONDS_PER_ITEM:g} s "
               "per scale item unless set otherwise)",
    "too_many_missing": f"more than {MAX_MISSING_ITEM_SHARE:.0%} of items unanswered",
    "straight_lining": "the same answer on every item, reverse-keyed items included",
}
DEFAULT_POLICY = dict.fromkeys(QUALITY_CHECKS, "exclude")
# Reasons checked before the quality checks, whatever the policy: the respondent did not
# consent, or the form's own review (Kobo validation status, ODK Central review state)
# rejected the submission.
SURVEY_REVIEW_REASONS = {
    "no_consent": "the consent question is answered no, declined or left blank",
    "not_approved": "the submission is marked not approved (Kobo _validation_status) "
                    "or rejected (ODK Central ReviewState)",
}
STRAIGHT_LINE_MIN_ITEMS = 10  # a flat run shorter than this is not evidence of inattention

# Answers that mean "no answer on the scale", whatever the form's choice list says:
# they become missing, never a score, and are not flagged as errors.
NO_ANSWER_LABELS = {"tidak tahu", "tidak tau", "tt", "don't know", "dont know", "do not know",
                    "n/a", "na", "tidak berlaku", "not applicable", "-", "tidak menjawab",
                    "refused", "menolak"}
_TEST_PATTERN = re.compile(r"^\s*(test|tes|testing|coba|uji( ?coba)?|dummy)\b", re.IGNORECASE)
_ATTENDED = {"ya", "y", "yes", "hadir", "1", "true", "present"}
_ABSENT = {"tidak", "t", "no", "n", "absen", "tidak hadir", "0", "false", "absent"}


@dataclass
class CleanResult:
    """Clean rows, quarantined rows (with reasons) and value-level flags of one table."""

    data: pd.DataFrame
    quarantine: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))
    flags: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FLAG_COLUMNS))
    warnings: list[str] = field(default_factory=list)  # problems that cost no row


# --- small shared helpers ----------------------------------------------------------

def excel_rows(frame: pd.DataFrame) -> pd.Series:
    """Row numbers as the officer sees them in Excel/CSV (header is row 1)."""
    return pd.Series(np.arange(len(frame)) + 2, index=frame.index, name="source_row")


def _map_distinct(values: pd.Series, func) -> pd.Series:
    """``values.map(func)``, calling ``func`` once per distinct value of a text column.

    Large exports repeat a few texts (regions, sectors, organisations, names) on many
    rows. Columns that are not all text are mapped row by row: there ``1``, ``1.0`` and
    ``True`` would count as one value.
    """
    if not len(values) or pd.api.types.infer_dtype(values, skipna=True) != "string":
        return values.map(func)
    codes, uniques = pd.factorize(values)
    table = [func(u) for u in uniques.tolist()]
    missing = codes < 0
    if missing.any():  # missing values go through func too, as map would pass them
        table.append(func(values.iloc[int(np.argmax(missing))]))
        codes = np.where(missing, len(table) - 1, codes)
    mapped = pd.Series(table)  # the dtype map would infer from these values
    return pd.Series(mapped.array.take(codes), index=values.index, name=values.name)


def _records(frame: pd.DataFrame, drop: list[str]) -> list[str]:
    kept = frame.drop(columns=[c for c in drop if c in frame.columns])
    scrubbed: dict[str, str] = {}  # the same text (a Likert label...) is scrubbed once

    def scrub(v: object) -> str | None:
        if isinstance(v, str):
            if v not in scrubbed:
                scrubbed[v] = _scrub(v)
            return scrubbed[v]
        return None if pd.isna(v) else _scrub(str(v))

    # Free text may hold contacts too: the record is scrubbed like kept rows are.
    # Rows are zipped from whole columns (Python values, as to_dict("records") gives),
    # each scrubbed; in a text column each distinct text once.
    names = list(kept.columns)
    if not names:
        return ["{}"] * len(kept)
    columns = []
    for i in range(len(names)):
        values = kept.iloc[:, i]
        if isinstance(values.dtype, pd.StringDtype):  # only text (str) or missing
            codes, uniques = pd.factorize(values)
            texts = uniques.tolist()
            unseen = [text for text in texts if text not in scrubbed]
            scrubbed.update(zip(unseen, _scrub_texts(unseen)))
            table = np.array([scrubbed[text] for text in texts] + [None], dtype=object)
            columns.append(table[codes].tolist())  # missing (code -1): None
        else:
            columns.append([scrub(v) for v in values.tolist()])
    return [json.dumps(dict(zip(names, row)), ensure_ascii=False) for row in zip(*columns)]


def _pick(value: object, mask: pd.Series) -> object:
    """A per-row Series restricted to ``mask`` (as text), or a constant as it is."""
    return value[mask].map(str).to_numpy() if isinstance(value, pd.Series) else value


def quarantine_rows(frame: pd.DataFrame, mask: pd.Series, *, table: str, source: str | pd.Series,
                    reason: str | pd.Series, detail: str | pd.Series = "",
                    drop: list[str] = ()) -> pd.DataFrame:
    """Quarantine table rows for ``frame[mask]``; personal columns in ``drop`` are left out.

    ``source``, ``reason`` and ``detail`` are either one value or one per row of ``frame``.
    """
    rows = frame[mask]
    detail = _pick(detail, mask)  # details quote raw values: scrubbed like the record
    detail = (_scrub(detail) if isinstance(detail, str)
              else np.array(_scrub_texts([str(d) for d in detail]), dtype=object))
    return pd.DataFrame({
        "table": table, "source_file": _pick(source, mask), "source_row": rows["source_row"].to_numpy(),
        "reason": _pick(reason, mask), "detail": detail,
        "record": _records(rows.drop(columns="source_row"), list(drop)),
    }, columns=QUARANTINE_COLUMNS)


def make_flags(frame: pd.DataFrame, mask: pd.Series, *, table: str, source: str | pd.Series,
               column: str, issue: str, action: str | pd.Series,
               values: pd.Series | None = None) -> pd.DataFrame:
    """Flag rows for ``frame[mask]``: the value kept in ``column`` has an issue (row kept)."""
    vals = (values if values is not None else frame[column])[mask]
    return pd.DataFrame({
        "table": table, "source_file": _pick(source, mask),
        "source_row": frame["source_row"][mask].to_numpy(),
        "column": column, "value": vals.map(str).to_numpy(), "issue": issue,
        "action": _pick(action, mask),
    }, columns=FLAG_COLUMNS)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def require_columns(frame: pd.DataFrame, columns: list[str], source: str) -> None:
    """Raise :class:`InputFileError` naming the missing columns (and a title row above the
    header, when the header is found lower down: :func:`evalkit.read.io.header_row_hint`)."""
    from evalkit.read.io import header_row_hint

    missing = [c for c in columns if c not in frame.columns]
    if missing:
        hint = header_row_hint(frame, columns)
        raise InputFileError(source, f"missing column(s) {', '.join(map(repr, missing))}; "
                                     f"found {', '.join(map(repr, frame.columns))}."
                                     + (f" {hint[0].upper()}{hint[1:]}" if hint else ""))


def resolve_region_column(frame: pd.DataFrame, column: str, source: str, *,
                          aliases: dict[str, str] | None = None) -> pd.DataFrame:
    """Region code, name, level and province for each row's region name.

    ``aliases`` (normalised spelling -> region code or name, the ``region`` kind of
    :func:`evalkit.read.aliases.read_aliases`) is applied first. Raises :class:`DataError`
    naming the first row with an unmatched name and the closest registry names.
    ``region_note`` holds, for a name that is a province and a kabupaten/kota, which
    one was read and why (rule ``ambiguous_region``; see :func:`region_flags`), else None.
    """
    notes: dict[int, str] = {}
    codes, regions = _region_codes(apply_aliases(frame[column], aliases),
                                   frame["source_row"].to_numpy(), column, source, notes=notes)

    def spread(attribute: str) -> pd.Series:
        if frame.empty:  # text columns, as the non-empty path gives
            return pd.Series(None, index=frame.index, dtype=object)
        return pd.Series(_region_attribute(regions, attribute).array.take(codes),
                         index=frame.index)
    note = pd.Series(None, index=frame.index, dtype=object)
    for code, text in notes.items():
        note[codes == code] = text
    return pd.DataFrame({
        "region_code": spread("code"), "region_name": spread("name"),
        "region_level": spread("level").astype("int64"), "province_code": spread("province_code"),
        "region_note": note,
    }, index=frame.index)


def region_flags(frame: pd.DataFrame, regions: pd.DataFrame, keep: pd.Series, *, table: str,
                 source: str | pd.Series, column: str = "region") -> pd.DataFrame:
    """Flags (rule ``ambiguous_region``) of the kept rows whose region name was ambiguous.

    ``regions`` is :func:`resolve_region_column` of ``frame`` (or of its kept rows).
    """
    noted = regions["region_note"].reindex(frame.index)
    mask = keep & noted.notna()
    return make_flags(frame, mask, table=table, source=source, column=column,
                      issue=AMBIGUOUS_REGION.name, action=noted)


def survey_rule_flags(raw: pd.DataFrame, kept: np.ndarray, region_code: np.ndarray,
                      region_notes: dict[int, str], *, table: str, source: str,
                      region_column: str, time_columns: list[str | None]) -> list[pd.DataFrame]:
    """The plausibility flags of a survey's kept rows (positions ``kept``).

    ``ambiguous_region``: rows whose region code (``region_code``, per kept row, from
    :func:`_region_codes` with ``notes=region_notes``) has a note. ``excel_serial_date``:
    rows whose start or end time (``time_columns``; None = no such column) was an Excel
    serial number (converted by :func:`parse_timestamps`).
    """
    keep = pd.Series(False, index=raw.index)
    keep.iloc[kept] = True
    note = pd.Series(None, index=raw.index, dtype=object)
    for code, text in region_notes.items():
        note.iloc[kept[region_code == code]] = text
    flags = [make_flags(raw, keep & note.notna(), table=table, source=source,
                        column=region_column, issue=AMBIGUOUS_REGION.name, action=note)]
    for column in time_columns:
        if column is None:
            continue
        serial = keep & _serial_mask(raw[column])
        if serial.any():
            when = raw[column][serial].map(lambda v: excel_serial_to_datetime(excel_serial(v)))
            action = pd.Series("", index=raw.index, dtype=object)
            action[serial] = ("converted from an Excel serial number (1900 date system) to "
                              + pd.to_datetime(when).dt.strftime("%Y-%m-%d %H:%M:%S")
                              + " (at the UTC offset of the column's other times)")
            flags.append(make_flags(raw, serial, table=table, source=source, column=column,
                                    issue=EXCEL_SERIAL_DATE.name, action=action))
    return flags


def _region_codes(values: pd.Series, source_rows: np.ndarray, column: str, source: str,
                  rows: np.ndarray | None = None, *,
                  notes: dict[int, str] | None = None) -> tuple[np.ndarray, list]:
    """Each row's region as a code into a list of registry entries (one per distinct name).

    Only the rows at the positions ``rows`` (default: all) count, as if ``values``
    held only those. Raises :class:`DataError` naming the first such row whose name is
    unmatched (names tried in the order they first appear), then the first blank one.

    A name that is a province and a kabupaten/kota (``Jambi``) is read as the file's
    other names tell (:func:`evalkit.read.regions.choose_reading`, rule ``ambiguous_region``);
    ``notes``, when given, receives {code: the sentence saying which was read and why}.
    """
    codes, names = pd.factorize(values)  # each distinct name looked up once
    if rows is not None:
        codes = codes[rows]
        source_rows = source_rows[rows]
    present, first = np.unique(codes, return_index=True)  # first row of each name
    regions: list = [None] * len(names)
    ambiguous: dict[int, list] = {}
    for code, at in sorted(zip(present.tolist(), first.tolist()), key=lambda p: p[1]):
        if code < 0:
            continue
        try:
            readings = region_readings(names[code])
        except RegionNotFoundError as exc:
            raise DataError(source, str(exc), row=int(source_rows[at]), column=column) from None
        regions[code] = readings[0]
        if len(readings) > 1:
            ambiguous[code] = readings
    if len(present) and present[0] < 0:
        raise DataError(source, "region is blank.", row=int(source_rows[first[0]]), column=column)
    others = [regions[c] for c in present.tolist() if c >= 0 and c not in ambiguous]
    for code, readings in ambiguous.items():
        regions[code], note = choose_reading(str(names[code]).strip(), readings, others)
        if notes is not None:
            notes[code] = note
    return codes, regions


def _region_attribute(regions: list, attribute: str) -> pd.Series:
    """One attribute of each entry of a :func:`_region_codes` list (None for an unused one)."""
    return pd.Series([getattr(region, attribute) if region is not None else None
                      for region in regions])


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


def _non_finite(values: pd.Series, parsed: pd.Series) -> pd.Series:
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
    non_finite = _non_finite(values, base)
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


_SHA256_BLOCK = 64  # bytes; HMAC pads (or first hashes) the key to this length
_IPAD = bytes(b ^ 0x36 for b in range(256))  # translate tables: each key byte XOR 0x36 / 0x5C
_OPAD = bytes(b ^ 0x5C for b in range(256))


def _hmac_sha256_states(key: bytes) -> tuple:
    """The SHA-256 states after HMAC's inner and outer key blocks (RFC 2104, section 2).

    ``HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m))`` with ``K'`` the key padded
    with zeros to the block size (hashed first when longer). Both key blocks are hashed
    once here; per value only ``m`` and the inner digest are. Same digests as
    :func:`hmac.new` (tested), without its per-value Python overhead.
    """
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    return hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed pseudonyms (HMAC-SHA256, first 12 hex digits) for identifying values.

    The same person gets the same pseudonym in every run with the same key; without
    the key the pseudonym cannot be reversed or recomputed from a guessed name.
    """
    inner, outer = _hmac_sha256_states(key)  # the key is set up once, the states copied per value
    inner_copy, outer_copy = inner.copy, outer.copy

    def one(text: str) -> str:
        digest = inner_copy()
        digest.update(text.encode("utf-8"))
        keyed = outer_copy()
        keyed.update(digest.digest())
        return "R" + keyed.digest()[:6].hex()
    text_dtype = isinstance(values.dtype, pd.StringDtype)
    if not len(values) or not (text_dtype or values.dtype == object):
        return values.map(one)
    # a plain loop over the values (Series.map adds a third to a million values' time),
    # typed as map types it: text stays its kind of text, Python strings become str
    return pd.Series([one(text) for text in values.tolist()], index=values.index,
                     name=values.name, dtype=values.dtype if text_dtype else str)


# --- survey ------------------------------------------------------------------------

def recode_likert(raw: pd.DataFrame, codebook: Codebook, *, table: str,
                  source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Likert answers (labels in either language, numbers, case/space variants) -> scores.

    Scores are the numeric choice names of each item's list, on the codebook's
    :attr:`~evalkit.read.codebook.Codebook.scale` (any number of points, 0-based too).
    "Don't know"-type choices (``missing = yes`` on the choices sheet, or a known code)
    become missing, never a score. Numbers outside the scale (flagged ``out of range``
    with the scale's range, e.g. ``1-4``) and unrecognised text become missing and are
    flagged.
    """
    scores, flags = _recode_likert(raw, codebook, table=table, source=source)
    return scores.frame(), flags


@dataclass
class _ItemScores:
    """Item scores kept small: per item, each row's code into a table of its scores.

    ``tables[j][codes[j][row]]`` is the score of item ``j`` on ``row`` (NaN: missing).
    The float block (8 bytes a cell) is made only for the rows asked for, so a million
    rows of 30 items are not written and copied whole twice.
    """

    items: list[str]
    codes: list[np.ndarray]
    tables: list[np.ndarray]
    index: pd.Index

    def block(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """The scores of ``rows`` (positions), one column per item (column-major)."""
        n = len(range(len(self.index))[rows]) if isinstance(rows, slice) else len(rows)
        out = np.empty((n, len(self.items)), order="F")
        for j, (codes, table) in enumerate(zip(self.codes, self.tables)):
            np.take(table, codes[rows], out=out[:, j])
        return out

    def frame(self, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The scores as recode_likert returns them, of all rows or of ``rows``."""
        block = self.block(slice(None) if rows is None else rows)
        index = self.index if rows is None else self.index[rows]
        return pd.DataFrame(block, index=index, columns=self.items, copy=False)


def _recode_likert(raw: pd.DataFrame, codebook: Codebook, *, table: str,
                   source: str) -> tuple[_ItemScores, pd.DataFrame]:
    """:func:`recode_likert`, the scores as :class:`_ItemScores`."""
    items, flags, all_codes, tables = codebook.item_names, [], [], []
    scale = codebook.scale
    lists = {name: (codebook.choice_lookup(name), codebook.scale_points(name))
             for name in codebook.items["list_name"].unique()}
    for item, list_name in zip(items, codebook.items["list_name"]):
        lookup, points = lists[list_name]
        col = raw[item]
        # text columns (CSV) factorize as they are; others as Python objects, as before
        codes, uniques = pd.factorize(col if isinstance(col.dtype, pd.StringDtype)
                                      else col.astype(object), use_na_sentinel=True)
        mapped, issues = np.full(len(uniques), np.nan), [None] * len(uniques)
        for i, value in enumerate(uniques):
            key = normalize_label(value)
            if re.fullmatch(r"\d+(\.0+)?", key):
                key = str(int(float(key)))
            if key in lookup:
                mapped[i] = points[lookup[key]]
            elif key in NO_ANSWER_LABELS:
                continue  # missing, not an error
            elif re.fullmatch(r"-?\d+(\.\d+)?", key):
                inside = scale.min <= float(key) <= scale.max
                issues[i] = ("not a point of the scale" if inside
                             else f"out of range {scale.range_text().replace(chr(0x2013), '-')}")
            else:
                issues[i] = "not a choice of the scale"
        # blanks (code -1) pick the NaN appended last; an item nobody answered is all NaN
        small = np.int8 if len(uniques) < np.iinfo(np.int8).max else np.intp
        all_codes.append(np.where(codes < 0, len(uniques), codes).astype(small))
        tables.append(np.append(mapped, np.nan))
        for i, issue in enumerate(issues):
            if issue:
                mask = pd.Series(codes == i, index=raw.index)
                flags.append(make_flags(raw, mask, table=table, source=source, column=item,
                                        issue=issue, action="set to missing"))
    return _ItemScores(items, all_codes, tables, raw.index), _concat(flags, FLAG_COLUMNS)


# A timestamp as KoboToolbox writes it (2026-07-01T08:00:00.000+07:00): date, time,
# at most microseconds and a UTC offset; Arrow and pandas read such text alike.
_ISO_TIMESTAMP = (r"^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?"
                  r"([+-]\d{2}:\d{2}|Z)$")


def parse_timestamps(values: pd.Series) -> pd.Series:
    """``pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")``, faster.

    pandas takes about 0.4 s per million Kobo timestamps. When every non-blank value of
    an Arrow-backed text column is a full timestamp with a UTC offset and at most
    microseconds (:data:`_ISO_TIMESTAMP`), Arrow parses them (about 6x faster) into the
    same ``datetime64[us, UTC]`` values. Any other column, or one where Arrow rejects a
    value (31 February, hour 24), is parsed by pandas as before. Excel serial numbers
    (:func:`evalkit.read.dates.excel_serial`: ``45678.5``) are converted (rule
    ``excel_serial_date``), at the UTC offset most of the column's timestamps have.
    """
    return _parse_timestamps(values)[0]


def _parse_timestamps(values: pd.Series) -> tuple[pd.Series, bool]:
    """:func:`parse_timestamps`, and whether Arrow parsed them: then pandas would parse
    any subset with a non-blank value to the same values and dtype too."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and values.notna().any():
        arr = pa.array(values.array)
        if pc.all(pc.match_substring_regex(arr, _ISO_TIMESTAMP)).as_py():  # blanks skipped
            try:
                parsed = pc.cast(arr, pa.timestamp("us", tz="UTC"))
            except pa.ArrowInvalid:
                parsed = None
            if parsed is not None:
                micros = pc.fill_null(parsed.cast(pa.int64()), np.iinfo(np.int64).min)  # NaT
                return pd.Series(micros.to_numpy().view("M8[us]"), index=values.index,
                                 name=values.name).dt.tz_localize("UTC"), True
    serial = _serial_mask(values)
    if not serial.any():
        return pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601"), False
    # Excel serial numbers (rule excel_serial_date): converted, in the 1900 date system.
    # They hold the wall-clock time without a UTC offset: the offset most of the
    # column's timestamps have is taken (UTC when none has one).
    cells = values.to_numpy(dtype=object)
    is_text = np.fromiter((isinstance(v, str) for v in cells), bool, len(cells))
    is_number = np.fromiter((isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                             for v in cells), bool, len(cells))
    parsed = pd.to_datetime(values.astype(object).where(~serial & ~is_number, None),
                            utc=True, errors="coerce", format="ISO8601")  # other numbers: NaT
    if parsed.dt.unit in ("s", "ms"):  # (no text timestamp: keep the serials' milliseconds)
        parsed = parsed.dt.as_unit("us")
    texts = pa.array(cells[is_text & ~serial.to_numpy()], type=pa.large_string())
    offsets = pc.extract_regex(texts, r"(?:T|\s)\d{1,2}:\d{2}.*?(?P<tz>[+-]\d{2}:?\d{2}|Z)\s*$")
    counts = pc.value_counts(pc.drop_null(pc.struct_field(offsets, [0]))).to_pylist() \
        if len(texts) else []
    offset = pd.Timedelta(0)
    if counts:
        common = max(counts, key=lambda c: c["counts"])["values"].replace(":", "")
        if common != "Z":
            offset = (1 if common[0] == "+" else -1) * pd.Timedelta(
                hours=int(common[1:3]), minutes=int(common[3:5]))
    local = pd.to_datetime(values[serial].map(lambda v: excel_serial_to_datetime(excel_serial(v))))
    parsed[serial] = (local - offset).dt.tz_localize("UTC").astype(parsed.dtype)
    return parsed, False


def _serial_mask(values: pd.Series) -> pd.Series:
    """:func:`evalkit.read.dates.excel_serial_mask`, for text at Arrow's speed."""
    dtype = values.dtype
    arr = None
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        arr = pa.array(values.array)
    elif dtype == object:  # text only (else numbers or dates: value by value)
        try:
            arr = pa.array(values.to_numpy(), type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = None
    if arr is not None:
        if not values.notna().any():
            return pd.Series(False, index=values.index)
        maybe = pc.fill_null(pc.match_substring_regex(arr, r"^\s*\d{5}(?:[.,]\d+)?\s*$"), False)
        hits = maybe.to_numpy(zero_copy_only=False)
        if not hits.any():
            return pd.Series(False, index=values.index)
        mask = pd.Series(False, index=values.index)
        mask[hits] = excel_serial_mask(values[hits]).to_numpy()
        return mask
    if dtype == object and len(values):  # texts mixed with numbers or dates: texts by Arrow
        is_text = np.fromiter((isinstance(v, str) for v in values.to_numpy()), bool, len(values))
        if is_text.any():
            mask = np.zeros(len(values), dtype=bool)
            mask[is_text] = _serial_mask(values[is_text]).to_numpy()
            mask[~is_text] = excel_serial_mask(values[~is_text]).to_numpy()
            return pd.Series(mask, index=values.index)
    return excel_serial_mask(values)


def _matches(texts: pd.Series, pattern: re.Pattern) -> pd.Series:
    """``texts.str.match(pattern)``, testing each distinct text once."""
    return texts.isin([text for text in texts.unique() if pattern.match(text)])


# Personal columns holding a phone number (compared on their last 9 digits, so
# "+62 812-3456-7890" and "081234567890" are one number) and a person's name.
_PHONE_COLUMN = re.compile(r"(?i)(^|[_\s])(phone|telp|telepon|telefon|hp|wa|whatsapp|mobile|"
                           r"ponsel|handphone)($|[_\s])")
_NAME_COLUMN = re.compile(r"(?i)(^|[_\s])(nama|name)($|[_\s])")


def _person_key(raw: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """Each row's person: its personal fields (:func:`personal_columns`), normalised, joined.

    Phone-like fields count by their last 9 digits, other fields by their
    case- and whitespace-insensitive text. A row with every personal field blank has
    the key ``""`` (it names no one).
    """
    parts = []
    for column in personal_columns(raw.columns, codebook):
        values = raw[column]
        if _PHONE_COLUMN.search(str(column)):
            values = values.fillna("").astype(str)
            parts.append(_last_digits(values, 9))
        else:
            parts.append(_map_distinct(values, lambda v: "" if pd.isna(v) else normalize_label(v)))
    if not parts:
        return pd.Series("", index=raw.index, dtype=object)
    key, blank = parts[0], np.array(parts[0].eq(""), dtype=bool)
    for part in parts[1:]:
        key = key + "|" + part
        blank &= part.eq("").to_numpy(dtype=bool)
    return key.mask(blank, "") if blank.any() else key


_DIGIT_BLOCK = 1 << 18  # texts per block of the vectorised digit filter (bounds its memory)


def _last_digits(texts: pd.Series, n: int) -> pd.Series:
    """``texts.str.replace(r"\\D", "", regex=True).str[-n:]`` for a column of text.

    That regex runs in Python, value by value (about 0.6 s per million phone numbers).
    For Arrow-backed text without missing values the ASCII texts are done on their
    bytes at once instead: in an ASCII text ``\\d`` matches exactly the bytes 0-9, so
    those are kept, the last ``n`` of each text. Texts with other characters (where
    ``\\d`` also matches e.g. Arabic-Indic digits) go through the regex.
    """
    def slow(values: pd.Series) -> pd.Series:
        return values.str.replace(r"\D", "", regex=True).str[-n:]

    dtype = texts.dtype
    if (not len(texts) or not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow"
            or texts.isna().any()):
        return slow(texts)
    arr = _large_strings(texts)
    offsets = np.frombuffer(arr.buffers()[1], np.int64)[arr.offset:arr.offset + len(arr) + 1]
    data = (np.frombuffer(arr.buffers()[2], np.uint8) if arr.buffers()[2] is not None
            else np.zeros(0, np.uint8))
    kept_bytes, counts = [], []
    for first in range(0, len(arr), _DIGIT_BLOCK):
        bounds = offsets[first:first + _DIGIT_BLOCK + 1]
        block = data[bounds[0]:bounds[-1]]
        digit = (block >= ord("0")) & (block <= ord("9"))
        # digits before each byte (and before the block's end), counted within the block
        before = np.zeros(len(block) + 1, np.int32)  # a block is far below 2 GiB
        np.cumsum(digit, out=before[1:], dtype=np.int32)
        local = bounds - bounds[0]
        at_end = np.repeat(before[local[1:]], np.diff(local))
        # a digit is among its text's last n when at most n digits start at or after it
        kept_bytes.append(block[digit & (at_end - before[:-1] <= n)])
        counts.append(np.minimum(np.diff(before[local]), n))
    out_offsets = np.zeros(len(arr) + 1, np.int64)
    np.cumsum(np.concatenate(counts), out=out_offsets[1:])
    digits = pa.LargeStringArray.from_buffers(len(arr), pa.py_buffer(out_offsets),
                                              pa.py_buffer(np.concatenate(kept_bytes).tobytes()))
    other = ~pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)
    if other.any():
        digits = pc.replace_with_mask(digits, pa.array(other),
                                      _large_strings(slow(texts[other])))
    return pd.Series(pd.array(digits, dtype=dtype), index=texts.index, name=texts.name)


def _large_strings(texts: pd.Series) -> pa.LargeStringArray:
    """An Arrow-backed text column as one Arrow array (chunks joined, 64-bit offsets)."""
    arr = pa.array(texts.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string())


def _speeder_limit(speeder_seconds: float | None, codebook: Codebook) -> float:
    """The speeder limit in seconds: as given, else SPEEDER_SECONDS_PER_ITEM per item."""
    if speeder_seconds is not None:
        return float(speeder_seconds)
    return SPEEDER_SECONDS_PER_ITEM * len(codebook.item_names)


def survey_columns(columns, codebook: Codebook) -> dict[str, str | None]:
    """Role -> the export column that plays it (after header matching), or None.

    Roles come from the codebook (:attr:`Codebook.roles`, with its fallbacks). The
    submission id, when the codebook's id field is not in the export, is the first of
    :data:`evalkit.read.codebook.ID_FALLBACK_COLUMNS` there (Kobo ``_uuid``, ODK ``KEY``,
    ``instanceID``).
    """
    columns = list(columns)
    present = set(columns)
    found = {role: (name if name in present else None) for role, name in codebook.roles.items()}
    if found.get("id") is None:
        found["id"] = next((c for c in ID_FALLBACK_COLUMNS if c in present), None)
    return found


def quality_checks(raw: pd.DataFrame, scores: pd.DataFrame, codebook: Codebook,
                   *, speeder_seconds: float | None = None,
                   max_missing_share: float = MAX_MISSING_ITEM_SHARE) -> pd.DataFrame:
    """One boolean column per check in :data:`QUALITY_CHECKS` (True = problem).

    ``raw`` has the codebook's field names as columns; ``speeder_seconds=None`` means
    :data:`evalkit.core.contract.SPEEDER_SECONDS_PER_ITEM` per item of the codebook.
    """
    person = _person_key(raw, codebook)
    return _quality_checks(raw, scores, codebook, pd.factorize(person)[0], person.ne(""),
                           speeder_seconds=_speeder_limit(speeder_seconds, codebook),
                           max_missing_share=max_missing_share)


def _name_columns(columns, codebook: Codebook) -> list[str]:
    """The personal columns holding a respondent's name (else every non-phone one)."""
    personal = personal_columns(columns, codebook)
    names = [c for c in personal if _NAME_COLUMN.search(str(c))]
    return names or [c for c in personal if not _PHONE_COLUMN.search(str(c))]


def _quality_checks(raw: pd.DataFrame, scores: pd.DataFrame | _ItemScores, codebook: Codebook,
                    person: np.ndarray, has_person: pd.Series, *, speeder_seconds: float,
                    max_missing_share: float, duration: pd.Series | None = None) -> pd.DataFrame:
    """:func:`quality_checks`, given each row's person as clean_survey reuses it: a code
    per distinct :func:`_person_key`, and whether the key names anyone; and, when
    given, each row's interview ``duration`` in seconds (end - start)."""
    roles = survey_columns(raw.columns, codebook)
    texts = [raw[c] for c in _name_columns(raw.columns, codebook)]
    if roles.get("organisation"):
        texts.append(raw[roles["organisation"]])
    is_test = pd.Series(False, index=raw.index)
    for values in texts:
        is_test |= _matches(values.fillna("").astype(str), _TEST_PATTERN)
    # the same answers can only come twice from a person seen twice: only those are compared
    again = (has_person & pd.Series(person, index=raw.index).duplicated(keep=False)).to_numpy()
    dup_person = pd.Series(False, index=raw.index)
    twice = (pd.DataFrame(scores.block(np.flatnonzero(again))) if isinstance(scores, _ItemScores)
             else scores[again])
    dup_person[again] = pd.DataFrame({
        "person": person[again],
        "answers": pd.util.hash_pandas_object(twice, index=False).to_numpy(),
    }).duplicated().to_numpy()
    if duration is None:
        if roles.get("start") and roles.get("end"):
            duration = (parse_timestamps(raw[roles["end"]])
                        - parse_timestamps(raw[roles["start"]])).dt.total_seconds()
        else:  # no interview times: the speeder check cannot apply
            duration = pd.Series(np.nan, index=raw.index)
    ids = raw[roles["id"]] if roles.get("id") else None
    reverse_items = codebook.items.loc[codebook.items["reverse"], "item"].tolist()
    answered, one_answer, any_reverse = _row_stats(scores, reverse_items)
    index = scores.index
    answered = pd.Series(answered, index=index)
    flat = pd.Series(one_answer, index=index) & (answered >= STRAIGHT_LINE_MIN_ITEMS)
    flat &= pd.Series(any_reverse, index=index) if reverse_items else False
    n_items = len(scores.items) if isinstance(scores, _ItemScores) else scores.shape[1]
    return pd.DataFrame({
        "test_submission": is_test,
        "duplicate_uuid": (ids.notna() & ids.duplicated() if ids is not None
                           else pd.Series(False, index=raw.index)),
        "duplicate_respondent": dup_person,
        "speeder": duration < speeder_seconds,
        "too_many_missing": (1 - answered / n_items) > max_missing_share,
        "straight_lining": flat,
    }, index=raw.index)


_STATS_ROWS = 1 << 16  # rows of scores made at a time for the row statistics


def _row_stats(scores: pd.DataFrame | _ItemScores,
               reverse_items: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: items answered, whether all answers are one value (blanks ignored), and
    whether any reverse-keyed item is answered. :class:`_ItemScores` go block by block."""
    if isinstance(scores, _ItemScores):
        n, reverse = len(scores.index), [scores.items.index(i) for i in reverse_items]
        blocks = ((scores.block(slice(a, min(a + _STATS_ROWS, n))), reverse)
                  for a in range(0, n, _STATS_ROWS))
    else:
        reverse = [scores.columns.get_loc(i) for i in reverse_items]
        blocks = iter([(scores.to_numpy(dtype=float), reverse)])
    answered, one_answer, any_reverse = [], [], []
    for values, reverse in blocks:
        answered.append(np.count_nonzero(~np.isnan(values), axis=1))
        # one distinct answer on the row (nunique == 1): highest == lowest, blanks ignored
        one_answer.append(np.fmax.reduce(values, axis=1) == np.fmin.reduce(values, axis=1))
        any_reverse.append((~np.isnan(values[:, reverse])).any(axis=1))
    if not answered:  # no rows
        return np.zeros(0, np.intp), np.zeros(0, bool), np.zeros(0, bool)
    return np.concatenate(answered), np.concatenate(one_answer), np.concatenate(any_reverse)


def _join_checks(checks: pd.DataFrame, sep: str, text: dict[str, str] | None = None) -> pd.Series:
    """Per row, the checks that are True (their ``text``, or names) joined by ``sep``.

    Vectorised: each row's pattern of True checks is one integer (a bit per check), and
    each possible pattern is joined once.
    """
    bits = checks.to_numpy(dtype=bool) @ (1 << np.arange(checks.shape[1]))
    joined = pd.Series([sep.join((text or {}).get(c, c) for i, c in enumerate(checks.columns)
                                 if pattern >> i & 1) for pattern in range(1 << checks.shape[1])])
    return pd.Series(joined.array.take(bits), index=checks.index)


# Roles (not column names) a survey export must have; see evalkit.core.contract.ROLES.
# Without an id column (role id, _uuid, KEY, instanceID) response ids are row numbers
# ("row-2") and duplicate submissions cannot be told; without start and end times the
# speeder check is skipped (both with a warning in CleanResult.warnings).
SURVEY_REQUIRED = list(REQUIRED_ROLES)

# Answers to the consent question that mean yes (compared with the answer, its choice
# name and the choice's labels); anything else, blank included, is no consent.
CONSENT_YES = {"yes", "y", "ya", "iya", "1", "true", "setuju", "saya setuju", "bersedia",
               "saya bersedia", "agree", "i agree", "consent", "consented", "ok", "oke"}
# Review columns of the export: Kobo's validation status and ODK Central's review state.
REVIEW_COLUMNS = ("_validation_status", "ReviewState", "review_state", "__system/reviewState")


def personal_columns(columns, codebook: Codebook) -> list[str]:
    """Columns holding personal data: marked ``pii`` in the codebook or named like it.

    Marked fields come first, in codebook order, then columns named like personal
    data (:data:`PII_COLUMN_PATTERN`) in column order. A field that plays a role
    (region, sector, organisation, ...) is personal only when marked ``pii``: a form's
    ``nama_lembaga`` (organisation name) is not a person's name.
    """
    columns = list(columns)
    present = set(columns)
    marked = [c for c in codebook.pii_fields if c in present]
    roles = set(codebook.roles.values()) - set(marked)
    named = [c for c in columns if c not in marked and c not in roles
             and PII_COLUMN_PATTERN.search(str(c))]
    return marked + named


def _consent_given(values: pd.Series, codebook: Codebook, field_name: str) -> pd.Series:
    """Per row: the consent answer is a yes (its text, choice name or choice labels)."""
    fields = codebook.fields.set_index("name")
    list_name = fields.at[field_name, "list_name"] if field_name in fields.index else None
    lookup, spellings = {}, {}
    if isinstance(list_name, str):
        lookup = codebook.choice_lookup(list_name)
        rows = codebook.choices[codebook.choices["list_name"] == list_name]
        for _, row in rows.iterrows():
            spellings[str(row["name"])] = {normalize_label(row[k]) for k in
                                           ("name", "label_id", "label_en") if pd.notna(row[k])}

    def yes(value: object) -> bool:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return False
        key = normalize_label(value)
        if re.fullmatch(r"\d+\.0+", key):
            key = key.split(".")[0]
        words = {key} | spellings.get(lookup.get(key, ""), set())
        return bool(words & CONSENT_YES)
    return _map_distinct(values, yes).astype(bool)


def _review_states(raw: pd.DataFrame) -> tuple[str | None, pd.Series, pd.Series]:
    """The review column and, per row, whether the review rejected / put on hold the row.

    Kobo ``_validation_status``: ``validation_status_not_approved`` (or "Not approved")
    rejects, ``validation_status_on_hold`` ("On hold") holds. ODK Central
    ``ReviewState``: ``rejected`` rejects, ``hasIssues`` holds.
    """
    lower = {str(c).lower(): c for c in raw.columns}
    column = next((lower[c.lower()] for c in REVIEW_COLUMNS if c.lower() in lower), None)
    if column is None:
        none = pd.Series(False, index=raw.index)
        return None, none, none

    def state(value: object) -> str:
        if value is None or (not isinstance(value, (str, dict)) and pd.isna(value)):
            return ""
        text = re.sub(r"[\s_]+", " ", str(value).casefold())
        if "not approved" in text or text.strip() == "rejected":
            return "rejected"
        if "on hold" in text or "hasissues" in text.replace(" ", ""):
            return "hold"
        return ""
    states = _map_distinct(raw[column], state)
    return column, states.eq("rejected").astype(bool), states.eq("hold").astype(bool)


def clean_survey(raw: pd.DataFrame, codebook: Codebook, *, source: str, key: bytes,
                 policy: dict[str, str] | None = None,
                 speeder_seconds: float | None = None,
                 aliases: dict[str, dict[str, str]] | None = None,
                 scrubber: Scrubber | None = None) -> CleanResult:
    """Clean a Kobo/ODK survey export: one row per valid response, items scored on the form's scale.

    Parameters
    ----------
    raw : DataFrame
        The export as read (labels or XML names, group prefixes allowed).
    codebook : Codebook
        Items, choice lists, roles (which field is the region, sector, organisation,
        consent, start/end time, submission id, wave) and personal-data fields.
    source : str
        File name, for messages and the quarantine.
    key : bytes
        Pseudonymisation key (kept outside the repository).
    policy : dict, optional
        Check name -> ``"exclude"`` (quarantine the row) or ``"flag"`` (keep it, listed in
        ``quality_flags``). Defaults to excluding on every check.
    speeder_seconds : float, optional
        Interviews shorter than this are speeders. Default:
        :data:`evalkit.core.contract.SPEEDER_SECONDS_PER_ITEM` times the number of items
        (180 s for 30 items). Without start/end times the check is skipped.
    aliases : dict, optional
        ``{kind: {normalised value: target}}`` (:func:`evalkit.read.aliases.read_aliases`);
        kinds ``region`` and ``sector`` rewrite those answers before they are looked up.
    scrubber : evalkit.clean.pii.Scrubber, optional
        Removes personal data from the organisation and the form's text fields before
        anything is kept or quarantined (:func:`evalkit.clean.pii.scrub_survey_text`).
        Default: the patterns and the names in this export's own personal fields.

    Returns
    -------
    CleanResult
        ``data``: ``response_id, respondent_id, region_code, region_name, region_level,
        province_code, organisation, sector`` (``wave`` when the form has a wave field),
        ``started_at, duration_s``, the items, ``quality_flags, source_row``.
        ``quarantine``: each rejected row with the first reason that applies, in order:
        ``no_consent`` (consent answered no, declined or blank), ``not_approved``
        (Kobo ``_validation_status`` not approved, ODK Central ``ReviewState``
        rejected), the :data:`QUALITY_CHECKS` with policy ``"exclude"``
        (``test_submission``, ``duplicate_uuid``, ``duplicate_respondent``,
        ``speeder``, ``too_many_missing``, ``straight_lining``), then
        ``unknown_sector``. ``flags``: value-level issues of kept rows (answers off the
        scale, contacts in the organisation, submissions on hold / with issues in the
        form's review). ``warnings``: checks that could not run.

    Notes
    -----
    The respondent pseudonym and the duplicate-respondent check use every personal
    field (:func:`personal_columns`): names by their normalised text, phone numbers by
    their last 9 digits. A row whose personal fields are all blank names no one: it is
    never a duplicate respondent and gets the pseudonym of its response id.
    """
    policy = {**DEFAULT_POLICY, **(policy or {})}
    unknown = set(policy) - set(QUALITY_CHECKS)
    if unknown:
        raise ValueError(f"unknown quality check(s) in policy: {', '.join(sorted(unknown))}")
    table = "survey"
    raw = raw.copy()
    # XML names, group paths (grp_trust/q01) or label headers -> the codebook's names
    raw = raw.rename(columns=match_headers(list(raw.columns), codebook, path=source))
    roles = survey_columns(raw.columns, codebook)
    absent = [role for role in SURVEY_REQUIRED if roles.get(role) is None]
    if absent or any(c not in raw.columns for c in codebook.item_names):
        # a title row above the real header: say where the header is, not "form version"
        hint = header_row_hint(raw, lambda values: holds_items(values, codebook))
        if hint:
            raise InputFileError(source, hint)
    if absent:
        listed = ", ".join(f"{codebook.roles[r]!r} (role {r!r})" for r in absent)
        raise InputFileError(source, f"the export has no column for the field(s) {listed}; "
                                     f"found {', '.join(map(repr, raw.columns))}. Export with "
                                     "XML names or labels, or set the field's role in the "
                                     "codebook's 'role' column.")
    missing_items = [c for c in codebook.item_names if c not in raw.columns]
    if missing_items:
        raise InputFileError(source, f"the codebook's item column(s) {', '.join(missing_items)} "
                                     "are not in the export; is this the right form version?")
    raw["source_row"] = excel_rows(raw)
    pii = personal_columns(raw.columns, codebook)
    # free text scrubbed before any row is kept or quarantined (the personal fields
    # themselves stay: they give the names to mask and the pseudonym, then are dropped)
    raw, org_changed, text_flags = scrub_survey_text(raw, codebook, roles, pii, scrubber,
                                                     source=source)
    region_col, sector_col = roles["region"], roles["sector"]
    warnings = []
    if roles.get("id") is not None:
        response_id = raw[roles["id"]].astype(str)
    else:
        response_id = "row-" + raw["source_row"].astype(str)
        warnings.append(f"{source}: no submission id column ({', '.join(ID_FALLBACK_COLUMNS)} "
                        "or a field with role 'id'): response ids are row numbers and "
                        "duplicate submissions cannot be detected.")
    has_times = roles.get("start") is not None and roles.get("end") is not None
    if not has_times:
        warnings.append(f"{source}: no start and end times (fields with role 'start' and "
                        "'end'): the speeder check is skipped.")

    scores, flags = _recode_likert(raw, codebook, table=table, source=source)
    person = _person_key(raw, codebook)
    has_person = person.ne("")
    if not has_person.all():  # a row naming no one is its own respondent
        person = person.mask(~has_person, "id:" + response_id)
    # each distinct respondent once: for the duplicate check and for the pseudonym
    person_code, persons = pd.factorize(person)
    if has_times:
        (start, start_by_arrow), (end, _) = (_parse_timestamps(raw[roles["start"]]),
                                             _parse_timestamps(raw[roles["end"]]))
        duration = (end - start).dt.total_seconds()
    else:
        start, start_by_arrow = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]"), True
        duration = pd.Series(np.nan, index=raw.index)
    limit = _speeder_limit(speeder_seconds, codebook)
    checks = _quality_checks(raw, scores, codebook, person_code, has_person,
                             speeder_seconds=limit,
                             max_missing_share=MAX_MISSING_ITEM_SHARE, duration=duration)
    excluded = checks[[c for c in QUALITY_CHECKS if policy[c] == "exclude"]]
    reason = pd.Series(None, index=raw.index, dtype=object)
    if excluded.shape[1]:
        reason = excluded.idxmax(axis=1).where(excluded.any(axis=1))
    # the detail names this export's id column and speeder limit
    detail = _join_checks(checks, "; ", {
        **QUALITY_CHECKS, "speeder": f"interview shorter than {limit:g} s",
        "duplicate_uuid": f"the same submission ({roles.get('id') or 'id'}) appears earlier "
                          "in the export"})
    # the respondent's consent and the form's own review come before the quality checks
    review_col, rejected, on_hold = _review_states(raw)
    before = [("not_approved", rejected)]
    if roles.get("consent") is not None:
        before.append(("no_consent", ~_consent_given(raw[roles["consent"]], codebook,
                                                     roles["consent"])))
    for name, mask in before:  # the last one applied wins: no_consent first
        if mask.any():
            reason = reason.mask(mask, name)
            detail = detail.copy()
            detail[mask] = SURVEY_REVIEW_REASONS[name]

    sectors = codebook.sector_lookup()
    sector_values = raw[sector_col]
    region_values = raw[region_col]
    if aliases:
        if aliases.get("sector"):
            sector_values = apply_aliases(sector_values, aliases["sector"])
        if aliases.get("region"):
            region_values = apply_aliases(region_values, aliases["region"])
    sector = _map_distinct(sector_values, lambda v: sectors.get(normalize_label(v))
                           if pd.notna(v) else None)
    bad_sector = reason.isna() & sector.isna()
    reason = reason.mask(bad_sector, "unknown_sector")
    if bad_sector.any():  # (the message built for those rows only)
        detail = detail.copy()
        detail[bad_sector] = ("sector " + raw[sector_col][bad_sector].astype(str)
                              + " is not in the codebook").to_numpy()

    out_mask = reason.notna()
    # A respondent who declined consent gave no permission to keep their answers: the
    # quarantine records that the row came and why, with its id, region and sector only.
    declined = out_mask & reason.eq("no_consent")
    kept_of_declined = {roles.get("id"), roles.get("consent"), region_col, sector_col}
    answers = [c for c in raw.columns if c not in kept_of_declined and c != "source_row"]
    quarantine = _concat([
        quarantine_rows(raw, out_mask & ~declined, table=table, source=source,
                        reason=reason, detail=detail, drop=pii),
        quarantine_rows(raw, declined, table=table, source=source,
                        reason=reason, detail=detail, drop=answers),
    ], QUARANTINE_COLUMNS).sort_values("source_row", kind="stable").reset_index(drop=True)
    keep = ~out_mask
    kept = np.flatnonzero(keep.to_numpy())  # positions of the kept rows
    region_notes: dict[int, str] = {}  # names read by rule ambiguous_region
    region_code, regions = _region_codes(region_values, raw["source_row"].to_numpy(), region_col,
                                         source, rows=kept, notes=region_notes)
    org_col = roles.get("organisation")
    org = raw[org_col] if org_col else pd.Series(None, index=raw.index, dtype=object)  # scrubbed
    review_flags = pd.DataFrame(columns=FLAG_COLUMNS)
    if review_col is not None and on_hold.any():  # kept, but the form's reviewer has doubts
        review_flags = make_flags(raw, keep & on_hold, table=table, source=source,
                                  column=review_col, issue="on hold / has issues in the form's review",
                                  action="kept; review it in KoboToolbox / ODK Central")
    flags = _concat([flags[keep.to_numpy()[flags["source_row"].to_numpy(dtype="int64") - 2]],
                     make_flags(raw, keep & org_changed, table=table, source=source,
                                column=org_col or "organisation",
                                issue="personal data in free text",
                                action="replaced by placeholder", values=pd.Series("[redacted]", index=raw.index)),
                     text_flags, review_flags,
                     *survey_rule_flags(raw, kept, region_code, region_notes, table=table,
                                        source=source, region_column=region_col,
                                        time_columns=[roles.get("start"), roles.get("end")])],
                    FLAG_COLUMNS)
    # The kept rows in the order of sort_values(["region_code", "started_at", "response_id"],
    # kind="stable") (missing values last), computed by Arrow on the kept rows' keys
    # (the region as the rank of its code); every column is then taken once, straight
    # from all rows into that order.
    code_rank = np.unique(_region_attribute(regions, "code").fillna("").to_numpy(str),
                          return_inverse=True)[1].ravel() if regions else np.zeros(0, np.int64)
    order = pc.sort_indices(pa.table({
        "region": pa.array(code_rank[region_code] if len(kept) else np.zeros(0, np.int64)),
        "started_at": pa.array(start.iloc[kept]),
        "response_id": pa.array(response_id.iloc[kept].array),
    }), sort_keys=[(k, "ascending") for k in ("region", "started_at", "response_id")]).to_numpy()
    rows, region_code = kept[order], region_code[order]
    index = raw.index[rows]

    def regional(attribute: str) -> pd.Series:
        if not len(rows):
            return raw[region_col].take(rows).map({})  # typed as resolve_region_column types it
        return pd.Series(_region_attribute(regions, attribute).array.take(region_code), index=index)

    started_at = start.take(rows)
    if has_times and not (start_by_arrow and started_at.notna().any()):  # the dtype pandas gives these rows
        started_at = parse_timestamps(raw[roles["start"]].take(rows))
    respondent_id = pseudonymise(pd.Series(persons), key).array.take(person_code[rows])
    flagged_checks = [c for c in QUALITY_CHECKS if policy[c] == "flag"]
    columns = {
        "response_id": response_id.take(rows),
        "respondent_id": pd.Series(respondent_id, index=index),
        "region_code": regional("code"), "region_name": regional("name"),
        "region_level": regional("level").astype("int64"),
        "province_code": regional("province_code"),
        "organisation": org.take(rows).astype("string"),
        "sector": sector.take(rows).astype(str),
    }
    if roles.get("wave") is not None:
        columns["wave"] = raw[roles["wave"]].take(rows).astype("string").str.strip()
    columns.update({"started_at": started_at, "duration_s": duration.take(rows)})
    data = pd.concat([
        pd.DataFrame(columns, index=index),
        scores.frame(rows),
        pd.DataFrame({"quality_flags": (_join_checks(checks[flagged_checks].take(rows), ";")
                                        if flagged_checks else pd.Series("", index=index)).astype(str),
                      "source_row": raw["source_row"].take(rows).astype("int64")}, index=index),
    ], axis=1)
    return CleanResult(data.reset_index(drop=True), quarantine, flags, warnings)


# --- indicators --------------------------------------------------------------------

INDICATOR_META_COLUMNS = ["indicator_id", "sdg_code", "name_id", "name_en", "unit", "direction"]
DIRECTIONS = {"higher", "lower"}
INDICATOR_TARGET_COLUMNS = ["region", "indicator_id", "baseline_year", "baseline_value",
                            "target_year", "target_value"]


def clean_indicator_metadata(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """Indicator metadata is authoritative and small: any problem is an error, not a quarantine."""
    require_columns(raw, INDICATOR_META_COLUMNS, source)
    meta = raw[INDICATOR_META_COLUMNS].copy()
    for col in INDICATOR_META_COLUMNS:  # a blank cell stays blank (never the text "nan")
        meta[col] = meta[col].map(lambda v: "" if pd.isna(v) else str(v).strip()).astype(object)
    # a form or workbook in one language: a blank name falls back to the other language
    for col, other in (("name_en", "name_id"), ("name_id", "name_en")):
        meta[col] = meta[col].where(meta[col] != "", meta[other])
    meta["direction"] = meta["direction"].str.lower()
    rows = excel_rows(meta)
    bad = ~meta["direction"].isin(DIRECTIONS)
    if bad.any():
        i = bad.idxmax()
        raise DataError(source, f"direction {raw.at[i, 'direction']!r} must be 'higher' or "
                                "'lower' (which way is better).", row=int(rows[i]), column="direction")
    # optional: how a year is formed from quarterly values (see indicators.ANNUAL_RULES)
    rule = (raw["annual_rule"] if "annual_rule" in raw.columns
            else pd.Series(None, index=raw.index, dtype=object)).astype(object)
    meta["annual_rule"] = rule.map(lambda v: "mean" if pd.isna(v) or not str(v).strip()
                                   else str(v).strip().lower())
    bad = ~meta["annual_rule"].isin(ANNUAL_RULES)
    if bad.any():
        i = bad.idxmax()
        raise DataError(source, f"annual_rule {raw.at[i, 'annual_rule']!r} must be one of "
                                f"{', '.join(ANNUAL_RULES)}.", row=int(rows[i]), column="annual_rule")
    dup = meta["indicator_id"].duplicated()
    if dup.any():
        i = dup.idxmax()
        raise DataError(source, f"indicator_id {meta.at[i, 'indicator_id']!r} is listed twice.",
                        row=int(rows[i]), column="indicator_id")
    return meta.reset_index(drop=True)


def clean_indicator_targets(raw: pd.DataFrame, meta: pd.DataFrame, source: str, *,
                            aliases: dict[str, dict[str, str]] | None = None,
                            today: _dt.date | None = None) -> CleanResult:
    """Per region and indicator: baseline year/value and target year/value.

    ``aliases``: :func:`evalkit.read.aliases.read_aliases` (its ``region`` kind is used).
    Quarantine reasons: ``unknown_indicator``, ``non_finite_value``,
    ``missing_or_unparseable_value``, ``absurd_magnitude``, ``implausible_year``,
    ``future_year`` (a baseline year after the year of ``today``, default
    :func:`evalkit.clean.rules.today`; target years may be in the future),
    ``target_before_baseline`` and ``duplicate_row``. Flags: ``thousands_or_decimal``
    / ``ambiguous_number`` (the two value columns read together, per indicator, by
    :func:`parse_number_column`) and ``ambiguous_region``.
    """
    cols = INDICATOR_TARGET_COLUMNS
    require_columns(raw, cols, source)
    raw = raw.assign(source_row=excel_rows(raw))
    raw["indicator_id"] = raw["indicator_id"].astype(str).str.strip()
    today = today or _today()
    years, value_cols = ["baseline_year", "target_year"], ["baseline_value", "target_value"]
    # both value columns are typed alike: their text decides 1.250 together
    n = len(raw)
    unit = raw["indicator_id"].map(meta.set_index("indicator_id")["unit"]).map(normalise_unit)
    stacked = parse_number_column(
        pd.concat([raw[c] for c in value_cols], ignore_index=True),
        groups=pd.concat([raw["indicator_id"]] * 2, ignore_index=True),
        units=pd.concat([unit] * 2, ignore_index=True))

    def part(series: pd.Series, i: int) -> pd.Series:
        return pd.Series(series.to_numpy()[i * n:(i + 1) * n], index=raw.index)
    numbers = {c: parse_number(raw[c]) for c in years}
    non_finite = {c: _non_finite(raw[c], numbers[c]) for c in years}
    for i, c in enumerate(value_cols):
        numbers[c], non_finite[c] = part(stacked.values, i), part(stacked.non_finite, i).astype(bool)
    reason = pd.Series(None, index=raw.index, dtype=object)
    detail = pd.Series("", index=raw.index, dtype=object)

    def quarantine_when(mask: pd.Series, why: str, text: pd.Series | str = "") -> None:
        nonlocal reason, detail
        new = reason.isna() & mask
        reason, detail = reason.mask(new, why), detail.mask(new, text)

    quarantine_when(~raw["indicator_id"].isin(meta["indicator_id"]), "unknown_indicator")
    for c in cols[2:]:
        quarantine_when(non_finite[c], NON_FINITE_VALUE.name,
                        f"{c} " + raw[c].astype(str) + " is not a finite number")
    quarantine_when(pd.concat(numbers, axis=1).isna().any(axis=1), "missing_or_unparseable_value")
    for c in value_cols:
        quarantine_when(numbers[c].abs() > MAX_MAGNITUDE, ABSURD_MAGNITUDE.name,
                        f"{c} " + raw[c].astype(str) + f" is beyond ±{MAX_MAGNITUDE:.0e}")
    low, high = YEAR_RANGE
    for c in years:
        year = numbers[c]
        quarantine_when((year % 1 != 0) | ~year.between(low, high), IMPLAUSIBLE_YEAR.name,
                        f"{c} " + raw[c].astype(str) + f" is not a year from {low} to {high}")
    quarantine_when(numbers["baseline_year"] > today.year, FUTURE_YEAR.name,
                    "baseline_year " + raw["baseline_year"].astype(str)
                    + f" is after the year of the clean ({today.year})")
    quarantine_when(numbers["target_year"] < numbers["baseline_year"], TARGET_BEFORE_BASELINE.name,
                    "target_year " + raw["target_year"].astype(str) + " is before baseline_year "
                    + raw["baseline_year"].astype(str))
    quarantine_when(raw.duplicated(["region", "indicator_id"]), "duplicate_row")
    quarantine = quarantine_rows(raw, reason.notna(), table="indicator_targets", source=source,
                                 reason=reason, detail=detail)
    keep = reason.isna()
    kept = raw[keep]
    regions = resolve_region_column(kept, "region", source, aliases=_kind(aliases, "region"))
    flags = [region_flags(raw, regions, keep, table="indicator_targets", source=source)]
    for i, c in enumerate(value_cols):
        issue, note = part(stacked.issue, i), part(stacked.note, i)
        for rule in (THOUSANDS_OR_DECIMAL, AMBIGUOUS_NUMBER):
            flags.append(make_flags(raw, keep & issue.eq(rule.name), table="indicator_targets",
                                    source=source, column=c, issue=rule.name, action=note))
    data = pd.DataFrame({
        "region_code": regions["region_code"], "indicator_id": kept["indicator_id"],
        "baseline_year": numbers["baseline_year"][keep].astype("int64"),
        "baseline_value": numbers["baseline_value"][keep],
        "target_year": numbers["target_year"][keep].astype("int64"),
        "target_value": numbers["target_value"][keep],
    })
    data = data.merge(meta[["indicator_id", "direction"]], on="indicator_id", how="left")
    return CleanResult(data.sort_values(["region_code", "indicator_id"]).reset_index(drop=True),
                       quarantine, _concat(flags, FLAG_COLUMNS))


def indicators_wide_to_long(wide: pd.DataFrame, source: str) -> pd.DataFrame:
    """A wide indicator sheet (one column per year) -> the long layout, one row per cell.

    Columns other than ``region`` and ``indicator_id`` must be years (``2019`` or
    ``2019.0``). Each long row keeps the Excel row of its wide row in ``source_row`` and
    its year column in ``source_column``; blank cells are not values and are dropped
    here (they are not rows of the long table).
    """
    require_columns(wide, ["region", "indicator_id"], source)
    wide = wide.assign(source_row=excel_rows(wide))
    years = [c for c in wide.columns if c not in ("region", "indicator_id", "source_row")]
    bad = [c for c in years if not re.fullmatch(r"\s*(19|20)\d{2}(\.0)?\s*", str(c))]
    if bad:
        raise InputFileError(source, f"wide sheet columns {', '.join(map(repr, bad))} are not "
                                     "years; a wide sheet holds region, indicator_id and one "
                                     "column per year.")
    long = wide.melt(id_vars=["region", "indicator_id", "source_row"], value_vars=years,
                     var_name="source_column", value_name="value")
    long = long[long["value"].notna()].copy()
    long["year"] = long["source_column"].map(lambda c: int(float(c)))
    return long.sort_values(["source_row", "year"]).reset_index(drop=True)


# Column names officers use for the optional breakdowns of a value row.
DISAGGREGATION_ALIASES = {
    "sex": ("sex", "jenis_kelamin", "jenis kelamin", "gender", "jk"),
    "age_group": ("age_group", "kelompok_umur", "kelompok umur", "umur", "age"),
    "area": ("area", "urban_rural", "wilayah", "daerah", "perkotaan_perdesaan"),
}
INDICATOR_VALUE_COLUMNS = ["region_code", "indicator_id", "year", "quarter", "period",
                           *DISAGGREGATIONS, "value", "source"]


def _disaggregation_columns(raw: pd.DataFrame) -> dict[str, str]:
    """Which raw column holds each breakdown (sex, age group, area), if any."""
    found = {}
    lower = {normalize_label(c): c for c in raw.columns}
    for name, aliases in DISAGGREGATION_ALIASES.items():
        hit = next((lower[a] for a in aliases if a in lower), None)
        if hit is not None:
            found[name] = hit
    return found


def _periods(raw: pd.DataFrame) -> pd.Series:
    """(year, quarter) per row from ``period`` (preferred when filled) or ``year``."""
    year = raw["year"] if "year" in raw.columns else pd.Series(None, index=raw.index, dtype=object)
    cell = raw["period"].where(raw["period"].notna(), year) if "period" in raw.columns else year
    return cell.map(parse_period)


def clean_indicator_values(raw: pd.DataFrame, meta: pd.DataFrame, source: str, *,
                           aliases: dict[str, dict[str, str]] | None = None,
                           today: _dt.date | None = None) -> CleanResult:
    """Indicator values (long format): periods, units and breakdowns read; bad rows quarantined.

    Columns: ``region, indicator_id, value`` and ``year`` or ``period`` (a year or a
    year-quarter such as ``2024-Q1`` / ``TW I 2024``), optionally ``unit``, the
    breakdowns ``sex``, ``age_group`` and ``area`` (urban/rural; Indonesian column
    names accepted, blank = total) and ``source``. Rows from
    :func:`indicators_wide_to_long` keep their own ``source_row``.

    Quarantine reasons: ``unknown_indicator``, ``missing_value``,
    ``non_finite_value`` (inf, nan written out), ``unparseable_value``,
    ``absurd_magnitude``, ``unparseable_period``, ``future_year`` (a period that starts
    after ``today``, default :func:`evalkit.clean.rules.today`), ``unknown_disaggregation``,
    ``unit_mismatch`` (a stated unit, or a percent sign, that disagrees with the
    metadata and has no exact conversion), ``impossible_value`` (a percentage outside
    0-100, a negative amount), ``duplicate_row`` and ``conflicting_duplicate`` (same
    region, indicator, period and breakdown). Flags (row kept): decimal comma,
    ``thousands_or_decimal`` / ``ambiguous_number`` (``1.250``, read as
    :func:`parse_number_column` decides per sheet and indicator), unit converted,
    ``ambiguous_region``, gap in a series (flagged, never filled).
    """
    if "year" not in raw.columns and "period" not in raw.columns:
        raise InputFileError(source, "indicator values need a 'year' or a 'period' column.")
    require_columns(raw, ["region", "indicator_id", "value"], source)
    if "source_row" not in raw.columns:
        raw = raw.assign(source_row=excel_rows(raw))
    raw = raw.copy()
    raw["indicator_id"] = raw["indicator_id"].astype(str).str.strip()
    files = pd.Series(source, index=raw.index)
    if "source_sheet" in raw.columns:  # rows gathered from several sheets name their sheet
        files = source + " [" + raw["source_sheet"].astype(str) + "]"
        raw = raw.drop(columns="source_sheet")
    known = raw["indicator_id"].isin(meta["indicator_id"])
    period = _periods(raw)
    expected = raw["indicator_id"].map(meta.set_index("indicator_id")["unit"]).map(normalise_unit)
    stated = (raw["unit"].map(normalise_unit) if "unit" in raw.columns
              else pd.Series(None, index=raw.index, dtype=object))
    percent_sign = raw["value"].astype(str).str.contains(r"(?i)%|persen|percent", regex=True)
    stated = stated.where(stated.notna() | ~percent_sign, "%")
    # 1.250: thousands or decimal, decided by the sheet's other values, else the unit
    numbers = parse_number_column(raw["value"], scopes=files, groups=raw["indicator_id"],
                                  units=stated.where(stated.notna(), expected))
    value = numbers.values
    value_text = raw["value"].astype(str)
    today = today or _today()
    factor = pd.Series([unit_factor(s, e) for s, e in zip(stated, expected)], index=raw.index,
                       dtype=object)
    breakdown = {name: raw[col].map(DISAGGREGATION_PARSERS[name])
                 for name, col in _disaggregation_columns(raw).items()}
    bad_breakdown = pd.concat(breakdown, axis=1).isna().any(axis=1) if breakdown \
        else pd.Series(False, index=raw.index)

    reason = pd.Series(None, index=raw.index, dtype=object)
    detail = pd.Series("", index=raw.index, dtype=object)

    def quarantine_when(mask: pd.Series, why: str, text: pd.Series | str = "") -> None:
        nonlocal reason, detail
        new = reason.isna() & mask
        reason = reason.mask(new, why)
        detail = detail.mask(new, text)

    quarantine_when(~known, "unknown_indicator")
    quarantine_when(raw["value"].isna(), "missing_value")
    quarantine_when(numbers.non_finite, NON_FINITE_VALUE.name,
                    "value " + value_text + " is not a finite number")
    quarantine_when(value.isna(), "unparseable_value")
    quarantine_when(value.abs() > MAX_MAGNITUDE, ABSURD_MAGNITUDE.name,
                    "value " + value_text + f" is beyond ±{MAX_MAGNITUDE:.0e}")
    period_text = (raw["period"] if "period" in raw.columns else raw["year"]).astype(str)
    quarantine_when(period.isna(), "unparseable_period",
                    "period " + period_text + " is not a year or a year-quarter")
    future = period.map(lambda p: bool(p) and period_start(*p) > today).astype(bool)
    quarantine_when(future, FUTURE_YEAR.name,
                    "period " + period_text + f" starts after the date of the clean ({today})")
    quarantine_when(bad_breakdown, "unknown_disaggregation",
                    "breakdown " + pd.concat([raw[c].map(str) for c in
                                              _disaggregation_columns(raw).values()] or
                                             [pd.Series("", index=raw.index)], axis=1)
                    .agg(" / ".join, axis=1) + " is not a known sex, age group or area")
    meta_unit = raw["indicator_id"].map(meta.set_index("indicator_id")["unit"]).map(repr)
    stated_text = (raw["unit"] if "unit" in raw.columns else stated).where(stated.notna(), "%")
    quarantine_when(factor.isna(), "unit_mismatch",
                    "unit " + stated_text.map(repr) + " but the metadata says " + meta_unit
                    + " and there is no exact conversion")
    value = value * factor.fillna(1.0).astype(float)
    is_pct = expected.isin(PERCENT_UNITS)
    impossible = (is_pct & ((value > 100) | (value < 0))) | (~is_pct & (value < 0))
    quarantine_when(impossible, "impossible_value",
                    "value " + raw["value"].astype(str) + " outside the range its unit allows")

    regions = resolve_region_column(raw, "region", source, aliases=_kind(aliases, "region"))
    year = period.map(lambda p: p[0] if p else None)
    quarter = period.map(lambda p: p[1] if p else None)
    parts = pd.DataFrame({"region_code": regions["region_code"], "indicator_id": raw["indicator_id"],
                          "year": year.map(str), "quarter": quarter.map(str),
                          **{name: breakdown.get(name, pd.Series(TOTAL, index=raw.index))
                             for name in DISAGGREGATIONS}})
    key = parts.map(str).agg("|".join, axis=1)
    candidate = reason.isna()
    quarantine_when(candidate & (key + "|" + value.astype(str)).duplicated(), "duplicate_row")
    candidate = reason.isna()
    n_values = (key + "|" + value.astype(str))[candidate].groupby(key[candidate]).transform("nunique")
    conflict = pd.Series(False, index=raw.index)
    conflict[candidate] = n_values > 1
    quarantine_when(conflict, "conflicting_duplicate",
                    "different values for the same region, indicator, period and breakdown")
    quarantine = quarantine_rows(raw, reason.notna(), table="indicator_values", source=files,
                                 reason=reason, detail=detail)
    keep = reason.isna()
    text_values = raw["value"].map(lambda v: isinstance(v, str))
    comma_decimal = raw["value"].astype(str).str.fullmatch(r"\s*-?[\d.]*,\d+\s*(%|persen)?\s*")
    # a two-way value (1,250) is flagged by its rule, which says how it was read
    flags = [make_flags(raw, keep & text_values & comma_decimal & numbers.issue.isna(),
                        table="indicator_values", source=files, column="value",
                        issue="decimal comma", action="read as decimal point")]
    for rule in (THOUSANDS_OR_DECIMAL, AMBIGUOUS_NUMBER):
        flags.append(make_flags(raw, keep & numbers.issue.eq(rule.name), table="indicator_values",
                                source=files, column="value", issue=rule.name,
                                action=numbers.note))
    flags.append(region_flags(raw, regions, keep, table="indicator_values", source=files))
    converted = keep & factor.map(lambda f: f is not None and f != 1.0)
    flags.append(make_flags(raw, converted, table="indicator_values", source=files,
                            column="unit", issue="unit differs from the metadata",
                            values=stated_text, action="value converted to " + meta_unit + " (x"
                            + factor.map(lambda f: f"{f:g}" if f is not None else "") + ")"))
    data = pd.DataFrame({
        "region_code": regions["region_code"], "indicator_id": raw["indicator_id"],
        "year": year, "quarter": quarter,
        **{name: parts[name] for name in DISAGGREGATIONS},
        "value": value,
        "source": (raw["source"].astype("string").str.strip() if "source" in raw.columns
                   else pd.Series(pd.NA, index=raw.index, dtype="string")),
        "source_row": raw["source_row"], "source_file": files,
    })[keep]
    data["year"] = data["year"].astype("int64")
    data["quarter"] = data["quarter"].astype("Int64")
    data.insert(4, "period", [period_label(y, q) for y, q in zip(data["year"], data["quarter"])])
    data = data.sort_values(["region_code", "indicator_id", *DISAGGREGATIONS, "year", "quarter"],
                            na_position="first").reset_index(drop=True)
    flags.append(_gap_flags(data))
    return CleanResult(data.drop(columns=["source_row", "source_file"]), quarantine,
                       _concat(flags, FLAG_COLUMNS))


def _gap_flags(data: pd.DataFrame) -> pd.DataFrame:
    """Flag the first value after a gap in a yearly or a quarterly series (value: the gap)."""
    quarterly = data["quarter"].notna()
    # position on one axis per series: years, or quarters counted from year 0
    step = pd.Series(np.where(quarterly, data["year"] * 4 + data["quarter"].fillna(1) - 1,
                              data["year"]), index=data.index).astype("int64")
    keys = [data[c] for c in ("region_code", "indicator_id", *DISAGGREGATIONS)] + [quarterly]
    previous = step.groupby(keys).shift()
    gap = (step - previous) > 1

    def label(position: int, is_quarter: bool) -> str:
        return period_label(position // 4, position % 4 + 1) if is_quarter else str(position)

    def missing(position: int, before: float, is_quarter: bool) -> str:
        first, last = label(int(before) + 1, is_quarter), label(position - 1, is_quarter)
        return first if first == last else f"{first}–{last}"

    span = pd.Series([missing(s, p, q) if g else "" for s, p, q, g in
                      zip(step, previous.fillna(0), quarterly, gap)], index=data.index)
    return make_flags(data, gap, table="indicator_values", source=data["source_file"], column="period",
                      issue="gap in series (earlier period(s) missing)", action="kept; not filled",
                      values=span)


# --- stakeholders, attendance, partnerships ------------------------------------------

def _kind(aliases: dict[str, dict[str, str]] | None, kind: str) -> dict[str, str] | None:
    """One kind of :func:`evalkit.read.aliases.read_aliases` (None when there are none)."""
    return (aliases or {}).get(kind) or None


def _sector_codes(raw: pd.DataFrame, sectors: dict[str, str],
                  aliases: dict[str, dict[str, str]] | None = None) -> pd.Series:
    values = apply_aliases(raw["sector"], _kind(aliases, "sector"))
    return values.map(lambda v: sectors.get(normalize_label(v)) if pd.notna(v) else None)


REGISTER_COLUMNS = ["region", "organisation", "sector", "influence", "interest"]
ATTENDANCE_COLUMNS = ["region", "meeting_date", "meeting", "organisation", "sector", "attended"]
PARTNERSHIP_COLUMNS = ["region", "name", "type", "start_year", "sdg_themes"]
TIE_COLUMNS = ["region", "organisation", "partner", "level", "trust", "value"]


def clean_register(raw: pd.DataFrame, sectors: dict[str, str], source: str, *,
                   aliases: dict[str, dict[str, str]] | None = None) -> CleanResult:
    """Stakeholder register: organisation, sector (codebook code), influence and interest 1-5.

    ``sectors`` is the codebook's sector lookup (:meth:`Codebook.sector_lookup`);
    ``aliases`` (:func:`evalkit.read.aliases.read_aliases`) its ``region`` and ``sector`` kinds.
    Quarantine reasons: ``unknown_sector``, ``non_finite_value``,
    ``influence_or_interest_not_1_to_5``, ``not_whole_number`` (``3,5``: never
    truncated) and ``duplicate_row``. Flags: ``ambiguous_region``.
    """
    require_columns(raw, REGISTER_COLUMNS, source)
    raw = raw.assign(source_row=excel_rows(raw))
    sector = _sector_codes(raw, sectors, aliases)
    influence, interest = parse_number(raw["influence"]), parse_number(raw["interest"])
    reason = pd.Series(None, index=raw.index, dtype=object)
    detail = pd.Series("", index=raw.index, dtype=object)
    reason = reason.mask(sector.isna(), "unknown_sector")
    for column, values in (("influence", influence), ("interest", interest)):
        new = reason.isna() & _non_finite(raw[column], values)
        reason = reason.mask(new, NON_FINITE_VALUE.name)
        detail = detail.mask(new, f"{column} " + raw[column].astype(str) + " is not a finite number")
    out_of_scale = ~influence.between(1, 5) | ~interest.between(1, 5)
    reason = reason.mask(reason.isna() & out_of_scale, "influence_or_interest_not_1_to_5")
    for column, values in (("influence", influence), ("interest", interest)):
        new = reason.isna() & (values % 1 != 0)
        reason = reason.mask(new, NOT_WHOLE_NUMBER.name)
        detail = detail.mask(new, f"{column} " + raw[column].astype(str) + " is not a whole "
                                  "number of the 1-5 scale: write the whole number meant")
    org = raw["organisation"].astype(str).str.strip().str.replace(r"\s+", " ", regex=True)
    regions = resolve_region_column(raw, "region", source, aliases=_kind(aliases, "region"))
    dup = reason.isna() & (regions["region_code"] + "|" + org.str.casefold()).duplicated()
    reason = reason.mask(dup, "duplicate_row")
    quarantine = quarantine_rows(raw, reason.notna(), table="stakeholders", source=source,
                                 reason=reason, detail=detail)
    keep = reason.isna()
    data = pd.DataFrame({"region_code": regions["region_code"],
                         "province_code": regions["province_code"], "organisation": org,
                         "sector": sector, "influence": influence, "interest": interest})[keep]
    data = data.astype({"influence": "int64", "interest": "int64"})
    return CleanResult(data.sort_values(["region_code", "organisation"]).reset_index(drop=True),
                       quarantine, region_flags(raw, regions, keep, table="stakeholders",
                                                source=source))


def clean_attendance(raw: pd.DataFrame, sectors: dict[str, str], source: str, *,
                     aliases: dict[str, dict[str, str]] | None = None) -> CleanResult:
    """Meeting attendance: one row per organisation and meeting, ``attended`` as boolean.

    ``meeting_date`` is read by :func:`evalkit.read.dates.read_dates`: ISO dates as they are,
    day-first or month-first decided for the whole column (day-first, with a warning,
    when no value decides it); in a column that mixes both orders the rows either order
    could read are quarantined as ``ambiguous_date``; Excel serial numbers are
    converted and flagged (``excel_serial_date``). ``aliases``: the ``region``,
    ``sector`` and ``attendance`` kinds of :func:`evalkit.read.aliases.read_aliases`.
    """
    require_columns(raw, ATTENDANCE_COLUMNS, source)
    raw = raw.assign(source_row=excel_rows(raw))
    answer = apply_aliases(raw["attended"], _kind(aliases, "attendance")).map(normalize_label)
    attended = answer.map(lambda a: True if a in _ATTENDED else (False if a in _ABSENT else None))
    dates = read_dates(raw["meeting_date"])
    date = dates.dates
    sector = _sector_codes(raw, sectors, aliases)
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason = reason.mask(attended.isna(), "unrecognised_attendance_value")
    reason = reason.mask(reason.isna() & dates.ambiguous, "ambiguous_date")
    reason = reason.mask(reason.isna() & date.isna(), "unparseable_date")
    reason = reason.mask(reason.isna() & sector.isna(), "unknown_sector")
    detail = pd.Series("", index=raw.index, dtype=object).mask(
        reason == "ambiguous_date", "the column mixes day-first and month-first dates and "
                                    "this one reads either way: write it as YYYY-MM-DD")
    quarantine = quarantine_rows(raw, reason.notna(), table="attendance", source=source,
                                 reason=reason, detail=detail)
    warning = dates.warning(f"{source}, column 'meeting_date'")
    keep = reason.isna()
    regions = resolve_region_column(raw[keep], "region", source, aliases=_kind(aliases, "region"))
    data = pd.DataFrame({
        "region_code": regions["region_code"], "province_code": regions["province_code"],
        "meeting_date": date[keep],
        "meeting": raw["meeting"][keep].astype(str).str.strip(),
        "organisation": raw["organisation"][keep].astype(str).str.strip(),
        "sector": sector[keep], "attended": attended[keep].astype(bool),
    })
    data["meeting_date"] = data["meeting_date"].astype("datetime64[ns]")
    flags = [make_flags(raw, keep & dates.serial, table="attendance", source=source,
                        column="meeting_date", issue=EXCEL_SERIAL_DATE.name,
                        action="converted from an Excel serial number (1900 date system) to "
                               + date.dt.strftime("%Y-%m-%d %H:%M").str.removesuffix(" 00:00")),
             region_flags(raw, regions, keep, table="attendance", source=source)]
    return CleanResult(data.sort_values(["region_code", "meeting_date", "organisation"])
                       .reset_index(drop=True), quarantine, _concat(flags, FLAG_COLUMNS),
                       warnings=[warning] if warning else [])


PARTNERSHIP_TYPES = {"mou": "MOU", "pks": "PKS", "ksd": "KSD", "informal": "informal"}


def clean_partnerships(raw: pd.DataFrame, source: str, *,
                       aliases: dict[str, dict[str, str]] | None = None,
                       today: _dt.date | None = None) -> CleanResult:
    """Partnership register: name, type (MOU/PKS/KSD or informal), start year, SDG themes.

    ``aliases``: the ``region`` and ``partnership_type`` kinds of
    :func:`evalkit.read.aliases.read_aliases` (e.g. ``SK Bupati`` -> ``informal``).
    Quarantine reasons: ``unknown_partnership_type``, ``non_finite_value``,
    ``unparseable_start_year``, ``implausible_year`` and ``start_in_future`` (a start
    year after the year of ``today``, default :func:`evalkit.clean.rules.today`). Flags:
    ``ambiguous_region``.
    """
    require_columns(raw, PARTNERSHIP_COLUMNS, source)
    raw = raw.assign(source_row=excel_rows(raw))
    today = today or _today()
    kind = apply_aliases(raw["type"], _kind(aliases, "partnership_type")).map(
        lambda v: PARTNERSHIP_TYPES.get(normalize_label(v)))
    year = parse_number(raw["start_year"])
    text = "start_year " + raw["start_year"].astype(str)
    low, high = YEAR_RANGE
    reason = pd.Series(None, index=raw.index, dtype=object)
    detail = pd.Series("", index=raw.index, dtype=object)
    for mask, why, say in (
            (kind.isna(), "unknown_partnership_type", ""),
            (_non_finite(raw["start_year"], year), NON_FINITE_VALUE.name,
             text + " is not a finite number"),
            (year.isna(), "unparseable_start_year", ""),
            ((year % 1 != 0) | ~year.between(low, high), IMPLAUSIBLE_YEAR.name,
             text + f" is not a year from {low} to {high}"),
            (year > today.year, START_IN_FUTURE.name,
             text + f" is after the year of the clean ({today.year}): the partnership has "
                    "not started")):
        new = reason.isna() & mask
        reason, detail = reason.mask(new, why), detail.mask(new, say)
    quarantine = quarantine_rows(raw, reason.notna(), table="partnerships", source=source,
                                 reason=reason, detail=detail)
    keep = reason.isna()
    regions = resolve_region_column(raw[keep], "region", source, aliases=_kind(aliases, "region"))
    data = pd.DataFrame({
        "region_code": regions["region_code"], "name": raw["name"][keep].astype(str).str.strip(),
        "type": kind[keep], "formal": kind[keep] != "informal",
        "start_year": year[keep].astype("int64"),
        "sdg_themes": raw["sdg_themes"][keep].astype(str).str.replace(r"\s", "", regex=True),
    })
    return CleanResult(data.sort_values(["region_code", "start_year", "name"])
                       .reset_index(drop=True), quarantine,
                       region_flags(raw, regions, keep, table="partnerships", source=source))


# --- collaboration ties ----------------------------------------------------------------

# Levels of collaboration of the PARTNER tool (Varda et al. 2008): labels as exports and
# officers write them, in Indonesian or English, or the number itself.
TIE_LEVELS = {
    "tidak ada": 0, "none": 0, "0": 0,
    "kooperatif": 1, "cooperative": 1, "kerjasama informasi": 1, "berbagi informasi": 1, "1": 1,
    "koordinatif": 2, "coordinated": 2, "koordinasi": 2, "2": 2,
    "terintegrasi": 3, "integrated": 3, "terpadu": 3, "3": 3,
}
TIE_RATING_RANGE = (1, 4)  # PARTNER trust and value scales


def _org_key(names: pd.Series) -> pd.Series:
    return names.astype(str).str.strip().str.replace(r"\s+", " ", regex=True).str.casefold()


def clean_ties(raw: pd.DataFrame, register: pd.DataFrame, source: str, *,
               aliases: dict[str, dict[str, str]] | None = None) -> CleanResult:
    """Collaboration ties: who names whom as a partner, how closely, with what trust and value.

    One row per (organisation rates partner), as in a PARTNER-style survey. Names are
    matched to the region's stakeholder register ignoring case and spacing, and take
    the register's spelling and sector; names not in the register are kept with sector
    ``unknown`` and flagged. Quarantined: ``self_tie``, ``unknown_level``,
    ``duplicate_row`` and ``conflicting_duplicate`` (the same organisation rating the
    same partner twice with different answers: neither can be preferred). A trust or
    value rating off the 1-4 scale is set to missing and flagged; one that is inf or
    nan written out is quarantined (``non_finite_value``). An empty register (or an
    empty ties table) is fine: every name is then not in the register.
    ``aliases``: the ``region`` kind of :func:`evalkit.read.aliases.read_aliases`.
    """
    require_columns(raw, TIE_COLUMNS, source)
    raw = raw.assign(source_row=excel_rows(raw))
    regions = resolve_region_column(raw, "region", source, aliases=_kind(aliases, "region"))
    org_key, partner_key = _org_key(raw["organisation"]), _org_key(raw["partner"])
    level = raw["level"].map(lambda v: TIE_LEVELS.get(normalize_label(v).removesuffix(".0"))
                             if pd.notna(v) else None)
    ratings = {c: parse_number(raw[c]) for c in ("trust", "value")}
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason = reason.mask(org_key == partner_key, "self_tie")
    reason = reason.mask(reason.isna() & level.isna(), "unknown_level")
    detail = pd.Series("", index=raw.index, dtype=object)
    for column, values in ratings.items():
        new = reason.isna() & _non_finite(raw[column], values)
        reason = reason.mask(new, NON_FINITE_VALUE.name)
        detail = detail.mask(new, f"{column} " + raw[column].astype(str) + " is not a finite number")
    pair = regions["region_code"] + "|" + org_key + "|" + partner_key
    def text(values: pd.Series) -> pd.Series:  # as text even when empty (no rows, no dtype)
        return values.map(str).astype(object)

    answer = pair + "|" + text(level) + "|" + text(ratings["trust"]) + "|" + \
        text(ratings["value"])
    reason = reason.mask(reason.isna() & answer.duplicated(), "duplicate_row")
    candidate = reason.isna()
    answers = answer[candidate].groupby(pair[candidate]).transform("nunique")
    conflict = pd.Series(False, index=raw.index)
    conflict[candidate] = answers > 1
    reason = reason.mask(conflict, "conflicting_duplicate")
    detail = detail.mask(
        conflict, "the same organisation rates the same partner twice with different answers")
    quarantine = quarantine_rows(raw, reason.notna(), table="ties", source=source,
                                 reason=reason, detail=detail)
    keep = reason.isna()

    lookup = register.assign(key=register["region_code"] + "|" + _org_key(register["organisation"])
                             ).set_index("key")
    org_at, partner_at = regions["region_code"] + "|" + org_key, regions["region_code"] + "|" + partner_key
    flags = [region_flags(raw, regions, keep, table="ties", source=source)]
    for column, at in (("organisation", org_at), ("partner", partner_at)):
        unknown = keep & ~at.isin(lookup.index)
        flags.append(make_flags(raw, unknown, table="ties", source=source, column=column,
                                issue="not in the region's stakeholder register",
                                action="kept; sector unknown"))
    for column, values in ratings.items():
        off = keep & values.notna() & ~values.between(*TIE_RATING_RANGE)
        flags.append(make_flags(raw, off, table="ties", source=source, column=column,
                                issue=f"out of range {TIE_RATING_RANGE[0]}-{TIE_RATING_RANGE[1]}",
                                action="set to missing"))
        ratings[column] = values.where(values.between(*TIE_RATING_RANGE))

    def registered(at: pd.Series, typed: pd.Series, what: str) -> pd.Series:
        mapped = at.map(lookup[what])
        if lookup.empty:  # an empty register: nothing matched (and no text dtype to keep)
            mapped = mapped.astype(object)
        return mapped.fillna(typed if what == "organisation" else "unknown")

    data = pd.DataFrame({
        "region_code": regions["region_code"], "province_code": regions["province_code"],
        "organisation": registered(org_at, raw["organisation"].astype(str).str.strip(), "organisation"),
        "organisation_sector": registered(org_at, None, "sector"),
        "partner": registered(partner_at, raw["partner"].astype(str).str.strip(), "organisation"),
        "partner_sector": registered(partner_at, None, "sector"),
        "level": level, "trust": ratings["trust"], "value": ratings["value"],
    })[keep].astype({"level": "int64"})
    return CleanResult(data.sort_values(["region_code", "organisation", "partner"])
                       .reset_index(drop=True), quarantine, _concat(flags, FLAG_COLUMNS))
