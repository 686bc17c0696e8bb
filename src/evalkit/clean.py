"""Cleaning: raw tables in, clean tables out, every rejected row quarantined with its reason.

Each ``clean_*`` function is pure: a raw DataFrame (as :mod:`evalkit.io` read it) in, a
:class:`CleanResult` out. Row accounting is exact: ``len(raw) == len(result.data) +
len(result.quarantine)``. Problems with single values that do not cost the row (an
out-of-range answer, a decimal comma) are recorded in ``result.flags``.

Personal data (codebook fields marked ``pii``, and names/phones/e-mails/NIKs found by
pattern) never leave this module: respondents get a keyed pseudonym, quarantined
records are stored without personal fields.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.codebook import Codebook, match_headers, normalize_label
from evalkit.config import LIKERT_MAX, LIKERT_MIN, MAX_MISSING_ITEM_SHARE, SPEEDER_MIN_SECONDS
from evalkit.errors import DataError, InputFileError
from evalkit.indicator_fields import (
    DISAGGREGATION_PARSERS,
    DISAGGREGATIONS,
    PERCENT_UNITS,
    TOTAL,
    normalise_unit,
    parse_period,
    period_label,
    unit_factor,
)
from evalkit.indicators import ANNUAL_RULES
from evalkit.regions import RegionNotFoundError, resolve_region

QUARANTINE_COLUMNS = ["table", "source_file", "source_row", "reason", "detail", "record"]
FLAG_COLUMNS = ["table", "source_file", "source_row", "column", "value", "issue", "action"]

# Row-level quality checks on survey responses, in the order they are applied: a row is
# quarantined under the first reason that applies with policy "exclude".
QUALITY_CHECKS = {
    "test_submission": "a test submission (name or organisation says test/tes/coba/uji)",
    "duplicate_uuid": "the same submission (_uuid) appears earlier in the export",
    "duplicate_respondent": "the same respondent submitted identical answers earlier",
    "speeder": f"interview shorter than {SPEEDER_MIN_SECONDS} s",
    "too_many_missing": f"more than {MAX_MISSING_ITEM_SHARE:.0%} of items unanswered",
    "straight_lining": "the same answer on every item, reverse-keyed items included",
}
DEFAULT_POLICY = dict.fromkeys(QUALITY_CHECKS, "exclude")
STRAIGHT_LINE_MIN_ITEMS = 10  # a flat run shorter than this is not evidence of inattention

# Answers that mean "no answer on the scale", whatever the form's choice list says:
# they become missing, never a score, and are not flagged as errors.
NO_ANSWER_LABELS = {"tidak tahu", "tidak tau", "tt", "don't know", "dont know", "do not know",
                    "n/a", "na", "tidak berlaku", "not applicable", "-", "tidak menjawab",
                    "refused", "menolak"}
# Column names that hold personal data even when the codebook does not mark them.
PII_COLUMN_PATTERN = re.compile(
    r"(?i)(^|[_\s])(nama|name|phone|telp|telepon|telefon|hp|wa|whatsapp|email|e_mail|"
    r"surel|nik|ktp|alamat|address)($|[_\s])")
_TEST_PATTERN = re.compile(r"^\s*(test|tes|testing|coba|uji( ?coba)?|dummy)\b", re.IGNORECASE)
_ATTENDED = {"ya", "y", "yes", "hadir", "1", "true", "present"}
_ABSENT = {"tidak", "t", "no", "n", "absen", "tidak hadir", "0", "false", "absent"}
# Patterns of personal data that may hide in free-text columns.
PII_PATTERNS = {
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "phone": re.compile(r"(?:\+62[\s-]?|\b0)8[\d\s-]{7,13}\d"),
    "nik": re.compile(r"\b\d{16}\b"),
}


@dataclass
class CleanResult:
    """Clean rows, quarantined rows (with reasons) and value-level flags of one table."""

    data: pd.DataFrame
    quarantine: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))
    flags: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FLAG_COLUMNS))


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
    # Rows are zipped from whole columns (Python values, as to_dict("records") gives).
    names = list(kept.columns)
    if not names:
        return ["{}"] * len(kept)
    columns = [kept.iloc[:, i].tolist() for i in range(len(names))]
    return [json.dumps({k: scrub(v) for k, v in zip(names, row)}, ensure_ascii=False)
            for row in zip(*columns)]


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
    return pd.DataFrame({
        "table": table, "source_file": _pick(source, mask), "source_row": rows["source_row"].to_numpy(),
        "reason": _pick(reason, mask), "detail": _pick(detail, mask),
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
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputFileError(source, f"missing column(s) {', '.join(map(repr, missing))}; "
                                     f"found {', '.join(map(repr, frame.columns))}.")


def resolve_region_column(frame: pd.DataFrame, column: str, source: str) -> pd.DataFrame:
    """Region code, name, level and province for each row's region name.

    Raises :class:`DataError` naming the first row with an unmatched name and the
    closest registry names.
    """
    values = frame[column]
    resolved = {}
    for value in values.dropna().unique():
        try:
            resolved[value] = resolve_region(value)
        except RegionNotFoundError as exc:
            row = int(frame.loc[values == value, "source_row"].iloc[0])
            raise DataError(source, str(exc), row=row, column=column) from None
    if values.isna().any():
        row = int(frame.loc[values.isna(), "source_row"].iloc[0])
        raise DataError(source, "region is blank.", row=row, column=column)
    # each attribute looked up once per distinct name, then spread to the rows
    codes, names = pd.factorize(values)
    regions = [resolved[name] for name in names]

    def spread(attribute: str) -> pd.Series:
        if values.empty:
            return values.map({})  # typed as before
        looked_up = pd.Series([getattr(region, attribute) for region in regions])
        return pd.Series(looked_up.array.take(codes), index=frame.index)
    return pd.DataFrame({
        "region_code": spread("code"), "region_name": spread("name"),
        "region_level": spread("level").astype("int64"), "province_code": spread("province_code"),
    }, index=frame.index)


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


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed pseudonyms (HMAC-SHA256, first 12 hex digits) for identifying values.

    The same person gets the same pseudonym in every run with the same key; without
    the key the pseudonym cannot be reversed or recomputed from a guessed name.
    """
    keyed = hmac.new(key, digestmod=hashlib.sha256)  # copied per value: the key is set up once

    def one(text: str) -> str:
        digest = keyed.copy()
        digest.update(text.encode("utf-8"))
        return "R" + digest.hexdigest()[:12]
    return values.map(one)


def scrub_pii_text(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Replace e-mails, phone numbers and NIKs inside free text; returns (text, changed)."""
    values = values.astype(object) if values.empty else values  # (typed as it always was)
    scrubbed = _map_distinct(values, lambda v: None if pd.isna(v) else _scrub(str(v)))
    return scrubbed, (scrubbed != values) & values.notna()


def _scrub(text: str) -> str:
    for kind, pattern in PII_PATTERNS.items():
        text = pattern.sub(f"[{kind} removed]", text)
    return text


# --- survey ------------------------------------------------------------------------

def recode_likert(raw: pd.DataFrame, codebook: Codebook, *, table: str,
                  source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Likert answers (labels in either language, numbers, case/space variants) -> scores.

    "Don't know"-type choices become missing, never a score. Numbers outside the
    scale and unrecognised text become missing and are flagged.
    """
    items, flags = codebook.item_names, []
    # one float block filled item by item (column-major, so the frame takes it as it is)
    scores = np.empty((len(raw), len(items)), order="F")
    lists = {name: (codebook.choice_lookup(name), codebook.scale_points(name))
             for name in codebook.items["list_name"].unique()}
    for j, (item, list_name) in enumerate(zip(items, codebook.items["list_name"])):
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
                inside = LIKERT_MIN <= float(key) <= LIKERT_MAX
                issues[i] = ("not a point of the scale" if inside
                             else f"out of range {LIKERT_MIN}-{LIKERT_MAX}")
            else:
                issues[i] = "not a choice of the scale"
        # blanks (code -1) pick the NaN appended last; an item nobody answered is all NaN
        scores[:, j] = np.append(mapped, np.nan)[codes]
        for i, issue in enumerate(issues):
            if issue:
                mask = pd.Series(codes == i, index=raw.index)
                flags.append(make_flags(raw, mask, table=table, source=source, column=item,
                                        issue=issue, action="set to missing"))
    return (pd.DataFrame(scores, index=raw.index, columns=items, copy=False),
            _concat(flags, FLAG_COLUMNS))


def _matches(texts: pd.Series, pattern: re.Pattern) -> pd.Series:
    """``texts.str.match(pattern)``, testing each distinct text once."""
    return texts.isin([text for text in texts.unique() if pattern.match(text)])


def _person_key(raw: pd.DataFrame) -> pd.Series:
    name = _map_distinct(raw.get("respondent_name", pd.Series("", index=raw.index)).fillna(""),
                         normalize_label)
    phone = raw.get("respondent_phone", pd.Series("", index=raw.index)).fillna("").astype(str)
    digits = phone.str.replace(r"\D", "", regex=True).str[-9:]
    return name + "|" + digits


def quality_checks(raw: pd.DataFrame, scores: pd.DataFrame, codebook: Codebook,
                   *, speeder_seconds: float = SPEEDER_MIN_SECONDS,
                   max_missing_share: float = MAX_MISSING_ITEM_SHARE) -> pd.DataFrame:
    """One boolean column per check in :data:`QUALITY_CHECKS` (True = problem)."""
    person = _person_key(raw)
    return _quality_checks(raw, scores, codebook, pd.factorize(person)[0], person.str.len() > 1,
                           speeder_seconds=speeder_seconds, max_missing_share=max_missing_share)


def _quality_checks(raw: pd.DataFrame, scores: pd.DataFrame, codebook: Codebook,
                    person: np.ndarray, has_person: pd.Series, *, speeder_seconds: float,
                    max_missing_share: float) -> pd.DataFrame:
    """:func:`quality_checks`, given each row's person as clean_survey reuses it: a code
    per distinct :func:`_person_key`, and whether the key names anyone."""
    names = raw.get("respondent_name", pd.Series("", index=raw.index)).fillna("").astype(str)
    orgs = raw.get("organisation", pd.Series("", index=raw.index)).fillna("").astype(str)
    is_test = _matches(names, _TEST_PATTERN) | _matches(orgs, _TEST_PATTERN)
    # the same answers can only come twice from a person seen twice: only those are compared
    again = (has_person & pd.Series(person, index=raw.index).duplicated(keep=False)).to_numpy()
    dup_person = pd.Series(False, index=raw.index)
    dup_person[again] = pd.DataFrame({
        "person": person[again],
        "answers": pd.util.hash_pandas_object(scores[again], index=False).to_numpy(),
    }).duplicated().to_numpy()
    duration = (pd.to_datetime(raw["end"], utc=True, errors="coerce", format="ISO8601")
                - pd.to_datetime(raw["start"], utc=True, errors="coerce", format="ISO8601")
                ).dt.total_seconds()
    values = scores.to_numpy(dtype=float)
    answered = pd.Series(np.count_nonzero(~np.isnan(values), axis=1), index=scores.index)
    reverse_items = codebook.items.loc[codebook.items["reverse"], "item"].tolist()
    # one distinct answer on the row (nunique == 1): highest == lowest, blanks ignored
    one_answer = np.fmax.reduce(values, axis=1) == np.fmin.reduce(values, axis=1)
    flat = pd.Series(one_answer, index=scores.index) & (answered >= STRAIGHT_LINE_MIN_ITEMS)
    flat &= scores[reverse_items].notna().any(axis=1) if reverse_items else False
    return pd.DataFrame({
        "test_submission": is_test,
        "duplicate_uuid": raw["_uuid"].notna() & raw["_uuid"].duplicated(),
        "duplicate_respondent": dup_person,
        "speeder": duration < speeder_seconds,
        "too_many_missing": (1 - answered / scores.shape[1]) > max_missing_share,
        "straight_lining": flat,
    }, index=raw.index)


def _join_checks(checks: pd.DataFrame, sep: str, text: dict[str, str] | None = None) -> pd.Series:
    """Per row, the checks that are True (their ``text``, or names) joined by ``sep``.

    Vectorised: each row's pattern of True checks is one integer (a bit per check), and
    each possible pattern is joined once.
    """
    bits = checks.to_numpy(dtype=bool) @ (1 << np.arange(checks.shape[1]))
    joined = pd.Series([sep.join((text or {}).get(c, c) for i, c in enumerate(checks.columns)
                                 if pattern >> i & 1) for pattern in range(1 << checks.shape[1])])
    return pd.Series(joined.array.take(bits), index=checks.index)


SURVEY_REQUIRED = ["_uuid", "start", "end", "region", "sector"]


def personal_columns(columns, codebook: Codebook) -> list[str]:
    """Columns holding personal data: marked ``pii`` in the codebook or named like it."""
    marked = set(codebook.pii_fields)
    return [c for c in columns if c in marked or PII_COLUMN_PATTERN.search(str(c))]


def clean_survey(raw: pd.DataFrame, codebook: Codebook, *, source: str, key: bytes,
                 policy: dict[str, str] | None = None,
                 speeder_seconds: float = SPEEDER_MIN_SECONDS) -> CleanResult:
    """Clean a Kobo survey export: one row per valid response, items scored 1-5.

    Parameters
    ----------
    raw : DataFrame
        The export as read (labels or XML names, group prefixes allowed).
    codebook : Codebook
        Items, choice lists and personal-data fields.
    source : str
        File name, for messages and the quarantine.
    key : bytes
        Pseudonymisation key (kept outside the repository).
    policy : dict, optional
        Check name -> ``"exclude"`` (quarantine the row) or ``"flag"`` (keep it, listed in
        ``quality_flags``). Defaults to excluding on every check.
    """
    policy = {**DEFAULT_POLICY, **(policy or {})}
    unknown = set(policy) - set(QUALITY_CHECKS)
    if unknown:
        raise ValueError(f"unknown quality check(s) in policy: {', '.join(sorted(unknown))}")
    table = "survey"
    raw = raw.copy()
    # XML names, group paths (grp_trust/q01) or label headers -> the codebook's names
    raw = raw.rename(columns=match_headers(list(raw.columns), codebook, path=source))
    require_columns(raw, SURVEY_REQUIRED, source)
    missing_items = [c for c in codebook.item_names if c not in raw.columns]
    if missing_items:
        raise InputFileError(source, f"the codebook's item column(s) {', '.join(missing_items)} "
                                     "are not in the export; is this the right form version?")
    raw["source_row"] = excel_rows(raw)
    pii = personal_columns(raw.columns, codebook)

    scores, flags = recode_likert(raw, codebook, table=table, source=source)
    person = _person_key(raw)
    # each distinct respondent once: for the duplicate check and for the pseudonym
    person_code, persons = pd.factorize(person)
    checks = _quality_checks(raw, scores, codebook, person_code, person.str.len() > 1,
                             speeder_seconds=speeder_seconds,
                             max_missing_share=MAX_MISSING_ITEM_SHARE)
    excluded = checks[[c for c in QUALITY_CHECKS if policy[c] == "exclude"]]
    reason = pd.Series(None, index=raw.index, dtype=object)
    if excluded.shape[1]:
        reason = excluded.idxmax(axis=1).where(excluded.any(axis=1))
    detail = _join_checks(checks, "; ", QUALITY_CHECKS)

    sector_list = codebook.fields.set_index("name").at["sector", "list_name"]
    sectors = codebook.choice_lookup(sector_list)
    sector = _map_distinct(raw["sector"], lambda v: sectors.get(normalize_label(v))
                           if pd.notna(v) else None)
    bad_sector = reason.isna() & sector.isna()
    reason = reason.mask(bad_sector, "unknown_sector")
    detail = detail.mask(bad_sector, "sector " + raw["sector"].astype(str) + " is not in the codebook")

    out_mask = reason.notna()
    quarantine = quarantine_rows(raw, out_mask, table=table, source=source,
                                 reason=reason, detail=detail, drop=pii)
    keep = ~out_mask
    # only the raw columns still needed are copied for the kept rows
    kept_raw = raw[[c for c in ("_uuid", "start", "end", "region", "organisation", "source_row")
                    if c in raw.columns]][keep]
    regions = resolve_region_column(kept_raw, "region", source)
    flagged_checks = [c for c in QUALITY_CHECKS if policy[c] == "flag"]
    quality_flags = (_join_checks(checks.loc[keep, flagged_checks], ";")
                     if flagged_checks else pd.Series("", index=kept_raw.index))
    respondent_id = pseudonymise(pd.Series(persons), key).array.take(person_code[keep.to_numpy()])
    org, org_changed = scrub_pii_text(kept_raw.get("organisation", pd.Series(None, index=kept_raw.index)))
    flags = _concat([flags[flags["source_row"].isin(kept_raw["source_row"])],
                     make_flags(kept_raw, org_changed, table=table, source=source,
                                column="organisation", issue="personal data in free text",
                                action="replaced by placeholder", values=pd.Series("[redacted]", index=kept_raw.index))],
                    FLAG_COLUMNS)
    start = pd.to_datetime(kept_raw["start"], utc=True, errors="coerce", format="ISO8601")
    end = pd.to_datetime(kept_raw["end"], utc=True, errors="coerce", format="ISO8601")
    about = pd.DataFrame({
        "response_id": kept_raw["_uuid"].astype(str),
        "respondent_id": pd.Series(respondent_id, index=kept_raw.index),
        **{c: regions[c] for c in regions.columns},
        "organisation": org.astype("string"),
        "sector": sector[keep].astype(str),
        "started_at": start, "duration_s": (end - start).dt.total_seconds(),
    }, index=kept_raw.index)
    # Rows in the order of sort_values(keys, kind="stable") (missing values last), computed
    # by Arrow (several times faster on a million text keys); the scores are taken from
    # all rows straight in that order.
    keys = ["region_code", "started_at", "response_id"]
    order = pc.sort_indices(pa.table({k: pa.array(about[k]) for k in keys}),
                            sort_keys=[(k, "ascending") for k in keys]).to_numpy()
    data = pd.concat([
        about.take(order),
        scores.take(np.flatnonzero(keep)[order]),
        pd.DataFrame({"quality_flags": quality_flags.astype(str),
                      "source_row": kept_raw["source_row"].astype("int64")}).take(order),
    ], axis=1)
    return CleanResult(data.reset_index(drop=True), quarantine, flags)


# --- indicators --------------------------------------------------------------------

INDICATOR_META_COLUMNS = ["indicator_id", "sdg_code", "name_id", "name_en", "unit", "direction"]
DIRECTIONS = {"higher", "lower"}


def clean_indicator_metadata(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """Indicator metadata is authoritative and small: any problem is an error, not a quarantine."""
    require_columns(raw, INDICATOR_META_COLUMNS, source)
    meta = raw[INDICATOR_META_COLUMNS].copy()
    for col in INDICATOR_META_COLUMNS:
        meta[col] = meta[col].astype(str).str.strip()
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


def clean_indicator_targets(raw: pd.DataFrame, meta: pd.DataFrame, source: str) -> CleanResult:
    """Per region and indicator: baseline year/value and target year/value."""
    cols = ["region", "indicator_id", "baseline_year", "baseline_value", "target_year", "target_value"]
    require_columns(raw, cols, source)
    raw = raw.assign(source_row=excel_rows(raw))
    raw["indicator_id"] = raw["indicator_id"].astype(str).str.strip()
    numbers = {c: parse_number(raw[c]) for c in cols[2:]}
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason = reason.mask(~raw["indicator_id"].isin(meta["indicator_id"]), "unknown_indicator")
    bad_number = pd.concat(numbers, axis=1).isna().any(axis=1)
    reason = reason.mask(reason.isna() & bad_number, "missing_or_unparseable_value")
    reason = reason.mask(reason.isna() & raw.duplicated(["region", "indicator_id"]), "duplicate_row")
    quarantine = quarantine_rows(raw, reason.notna(), table="indicator_targets", source=source,
                                 reason=reason)
    keep = reason.isna()
    kept = raw[keep]
    regions = resolve_region_column(kept, "region", source)
    data = pd.DataFrame({
        "region_code": regions["region_code"], "indicator_id": kept["indicator_id"],
        "baseline_year": numbers["baseline_year"][keep].astype("int64"),
        "baseline_value": numbers["baseline_value"][keep],
        "target_year": numbers["target_year"][keep].astype("int64"),
        "target_value": numbers["target_value"][keep],
    })
    data = data.merge(meta[["indicator_id", "direction"]], on="indicator_id", how="left")
    return CleanResult(data.sort_values(["region_code", "indicator_id"]).reset_index(drop=True),
                       quarantine)


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


def clean_indicator_values(raw: pd.DataFrame, meta: pd.DataFrame, source: str) -> CleanResult:
    """Indicator values (long format): periods, units and breakdowns read; bad rows quarantined.

    Columns: ``region, indicator_id, value`` and ``year`` or ``period`` (a year or a
    year-quarter such as ``2024-Q1`` / ``TW I 2024``), optionally ``unit``, the
    breakdowns ``sex``, ``age_group`` and ``area`` (urban/rural; Indonesian column
    names accepted, blank = total) and ``source``. Rows from
    :func:`indicators_wide_to_long` keep their own ``source_row``.

    Quarantine reasons: ``unknown_indicator``, ``missing_value``,
    ``unparseable_value``, ``unparseable_period``, ``unknown_disaggregation``,
    ``unit_mismatch`` (a stated unit, or a percent sign, that disagrees with the
    metadata and has no exact conversion), ``impossible_value`` (a percentage outside
    0-100, a negative amount), ``duplicate_row`` and ``conflicting_duplicate`` (same
    region, indicator, period and breakdown). Flags (row kept): decimal comma, unit
    converted, gap in a series (flagged, never filled).
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
    value = parse_number(raw["value"])
    period = _periods(raw)
    expected = raw["indicator_id"].map(meta.set_index("indicator_id")["unit"]).map(normalise_unit)
    stated = (raw["unit"].map(normalise_unit) if "unit" in raw.columns
              else pd.Series(None, index=raw.index, dtype=object))
    percent_sign = raw["value"].astype(str).str.contains(r"(?i)%|persen|percent", regex=True)
    stated = stated.where(stated.notna() | ~percent_sign, "%")
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
    quarantine_when(value.isna(), "unparseable_value")
    quarantine_when(period.isna(), "unparseable_period",
                    "period " + (raw["period"] if "period" in raw.columns else raw["year"])
                    .astype(str) + " is not a year or a year-quarter")
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

    regions = resolve_region_column(raw, "region", source)
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
    flags = [make_flags(raw, keep & text_values & comma_decimal,
                        table="indicator_values", source=files, column="value",
                        issue="decimal comma", action="read as decimal point")]
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

def _sector_codes(raw: pd.DataFrame, sectors: dict[str, str]) -> pd.Series:
    return raw["sector"].map(lambda v: sectors.get(normalize_label(v)) if pd.notna(v) else None)


def clean_register(raw: pd.DataFrame, sectors: dict[str, str], source: str) -> CleanResult:
    """Stakeholder register: organisation, sector (codebook code), influence and interest 1-5."""
    require_columns(raw, ["region", "organisation", "sector", "influence", "interest"], source)
    raw = raw.assign(source_row=excel_rows(raw))
    sector = _sector_codes(raw, sectors)
    influence, interest = parse_number(raw["influence"]), parse_number(raw["interest"])
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason = reason.mask(sector.isna(), "unknown_sector")
    out_of_scale = ~influence.between(1, 5) | ~interest.between(1, 5)
    reason = reason.mask(reason.isna() & out_of_scale, "influence_or_interest_not_1_to_5")
    org = raw["organisation"].astype(str).str.strip().str.replace(r"\s+", " ", regex=True)
    regions = resolve_region_column(raw, "region", source)
    dup = reason.isna() & (regions["region_code"] + "|" + org.str.casefold()).duplicated()
    reason = reason.mask(dup, "duplicate_row")
    quarantine = quarantine_rows(raw, reason.notna(), table="stakeholders", source=source,
                                 reason=reason)
    keep = reason.isna()
    data = pd.DataFrame({"region_code": regions["region_code"],
                         "province_code": regions["province_code"], "organisation": org,
                         "sector": sector, "influence": influence, "interest": interest})[keep]
    data = data.astype({"influence": "int64", "interest": "int64"})
    return CleanResult(data.sort_values(["region_code", "organisation"]).reset_index(drop=True),
                       quarantine)


def clean_attendance(raw: pd.DataFrame, sectors: dict[str, str], source: str) -> CleanResult:
    """Meeting attendance: one row per organisation and meeting, ``attended`` as boolean."""
    cols = ["region", "meeting_date", "meeting", "organisation", "sector", "attended"]
    require_columns(raw, cols, source)
    raw = raw.assign(source_row=excel_rows(raw))
    answer = raw["attended"].map(normalize_label)
    attended = answer.map(lambda a: True if a in _ATTENDED else (False if a in _ABSENT else None))
    # Indonesian dates are day-first (05/02/2024 = 5 February); ISO dates parse either way.
    date = pd.to_datetime(raw["meeting_date"], errors="coerce", format="mixed", dayfirst=True)
    sector = _sector_codes(raw, sectors)
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason = reason.mask(attended.isna(), "unrecognised_attendance_value")
    reason = reason.mask(reason.isna() & date.isna(), "unparseable_date")
    reason = reason.mask(reason.isna() & sector.isna(), "unknown_sector")
    quarantine = quarantine_rows(raw, reason.notna(), table="attendance", source=source,
                                 reason=reason)
    keep = reason.isna()
    regions = resolve_region_column(raw[keep], "region", source)
    data = pd.DataFrame({
        "region_code": regions["region_code"], "province_code": regions["province_code"],
        "meeting_date": date[keep],
        "meeting": raw["meeting"][keep].astype(str).str.strip(),
        "organisation": raw["organisation"][keep].astype(str).str.strip(),
        "sector": sector[keep], "attended": attended[keep].astype(bool),
    })
    return CleanResult(data.sort_values(["region_code", "meeting_date", "organisation"])
                       .reset_index(drop=True), quarantine)


PARTNERSHIP_TYPES = {"mou": "MOU", "pks": "PKS", "ksd": "KSD", "informal": "informal"}


def clean_partnerships(raw: pd.DataFrame, source: str) -> CleanResult:
    """Partnership register: name, type (MOU/PKS/KSD or informal), start year, SDG themes."""
    require_columns(raw, ["region", "name", "type", "start_year", "sdg_themes"], source)
    raw = raw.assign(source_row=excel_rows(raw))
    kind = raw["type"].map(lambda v: PARTNERSHIP_TYPES.get(normalize_label(v)))
    year = parse_number(raw["start_year"])
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason = reason.mask(kind.isna(), "unknown_partnership_type")
    reason = reason.mask(reason.isna() & year.isna(), "unparseable_start_year")
    quarantine = quarantine_rows(raw, reason.notna(), table="partnerships", source=source,
                                 reason=reason)
    keep = reason.isna()
    regions = resolve_region_column(raw[keep], "region", source)
    data = pd.DataFrame({
        "region_code": regions["region_code"], "name": raw["name"][keep].astype(str).str.strip(),
        "type": kind[keep], "formal": kind[keep] != "informal",
        "start_year": year[keep].astype("int64"),
        "sdg_themes": raw["sdg_themes"][keep].astype(str).str.replace(r"\s", "", regex=True),
    })
    return CleanResult(data.sort_values(["region_code", "start_year", "name"])
                       .reset_index(drop=True), quarantine)


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


def clean_ties(raw: pd.DataFrame, register: pd.DataFrame, source: str) -> CleanResult:
    """Collaboration ties: who names whom as a partner, how closely, with what trust and value.

    One row per (organisation rates partner), as in a PARTNER-style survey. Names are
    matched to the region's stakeholder register ignoring case and spacing, and take
    the register's spelling and sector; names not in the register are kept with sector
    ``unknown`` and flagged. Quarantined: ``self_tie``, ``unknown_level``,
    ``duplicate_row`` and ``conflicting_duplicate`` (the same organisation rating the
    same partner twice with different answers: neither can be preferred). A trust or
    value rating off the 1-4 scale is set to missing and flagged.
    """
    require_columns(raw, ["region", "organisation", "partner", "level", "trust", "value"], source)
    raw = raw.assign(source_row=excel_rows(raw))
    regions = resolve_region_column(raw, "region", source)
    org_key, partner_key = _org_key(raw["organisation"]), _org_key(raw["partner"])
    level = raw["level"].map(lambda v: TIE_LEVELS.get(normalize_label(v).removesuffix(".0"))
                             if pd.notna(v) else None)
    ratings = {c: parse_number(raw[c]) for c in ("trust", "value")}
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason = reason.mask(org_key == partner_key, "self_tie")
    reason = reason.mask(reason.isna() & level.isna(), "unknown_level")
    pair = regions["region_code"] + "|" + org_key + "|" + partner_key
    answer = pair + "|" + level.map(str) + "|" + ratings["trust"].map(str) + "|" + \
        ratings["value"].map(str)
    reason = reason.mask(reason.isna() & answer.duplicated(), "duplicate_row")
    candidate = reason.isna()
    answers = answer[candidate].groupby(pair[candidate]).transform("nunique")
    conflict = pd.Series(False, index=raw.index)
    conflict[candidate] = answers > 1
    reason = reason.mask(conflict, "conflicting_duplicate")
    detail = pd.Series("", index=raw.index).mask(
        conflict, "the same organisation rates the same partner twice with different answers")
    quarantine = quarantine_rows(raw, reason.notna(), table="ties", source=source,
                                 reason=reason, detail=detail)
    keep = reason.isna()

    lookup = register.assign(key=register["region_code"] + "|" + _org_key(register["organisation"])
                             ).set_index("key")
    org_at, partner_at = regions["region_code"] + "|" + org_key, regions["region_code"] + "|" + partner_key
    flags = []
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
        return at.map(lookup[what]).fillna(typed if what == "organisation" else "unknown")

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
