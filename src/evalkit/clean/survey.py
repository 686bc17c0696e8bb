"""The survey: a Kobo/ODK export in, one row per valid response out, items on the form's scale.

:func:`clean_survey` matches the export's headers to the codebook, scrubs free text
(:mod:`evalkit.clean.pii`), scores the items (:mod:`evalkit.clean.likert`), decides
which rows to quarantine (no consent, rejected in the form's review, the
:data:`QUALITY_CHECKS`, an unknown sector), reads the regions
(:mod:`evalkit.clean.places`) and interview times (:mod:`evalkit.clean.timestamps`),
gives each response its survey wave (:func:`survey_waves`, :mod:`evalkit.read.waves`)
and each respondent a keyed pseudonym (:mod:`evalkit.clean.respondents`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.clean.likert import ItemScores, score_items
from evalkit.clean.pii import Scrubber, name_columns, personal_columns, scrub_survey_text
from evalkit.clean.places import region_attribute, region_codes
from evalkit.clean.quarantine import CleanResult, make_flags, quarantine_rows, with_waves
from evalkit.clean.respondents import person_key, pseudonymise
from evalkit.clean.rows import (
    FLAG_COLUMNS,
    QUARANTINE_COLUMNS,
    concat_rows,
    excel_rows,
    map_distinct,
)
from evalkit.clean.rules import AMBIGUOUS_REGION, EXCEL_SERIAL_DATE
from evalkit.clean.timestamps import parse_timestamps, parse_timestamps_by_arrow, serial_mask
from evalkit.core.config import MAX_MISSING_ITEM_SHARE
from evalkit.core.contract import REQUIRED_ROLES, SPEEDER_SECONDS_PER_ITEM
from evalkit.core.errors import InputFileError
from evalkit.core.headers import header_row_hint
from evalkit.read.aliases import apply_aliases
from evalkit.read.codebook import (
    ID_FALLBACK_COLUMNS,
    Codebook,
    holds_items,
    match_headers,
    normalize_label,
)
from evalkit.read.dates import excel_serial, excel_serial_to_datetime
from evalkit.read.waves import SINGLE_WAVE, parse_wave_label, period_label

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

# Checked after the quality checks, before unknown_sector: the response's wave cannot be read.
SURVEY_WAVE_REASONS = {
    "no_wave": "the response's survey wave cannot be read: the wave field is blank or not "
               "one of its choices, or (waves by period: wave_period in the codebook's "
               "settings) the interview has no readable start time nor _submission_time",
}
# Kobo's submission time: the date of a response when the form has no start time.
SUBMISSION_TIME_COLUMN = "_submission_time"

STRAIGHT_LINE_MIN_ITEMS = 10  # a flat run shorter than this is not evidence of inattention

_TEST_PATTERN = re.compile(r"^\s*(test|tes|testing|coba|uji( ?coba)?|dummy)\b", re.IGNORECASE)

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


def _matches(texts: pd.Series, pattern: re.Pattern) -> pd.Series:
    """``texts.str.match(pattern)``, testing each distinct text once."""
    return texts.isin([text for text in texts.unique() if pattern.match(text)])


def quality_checks(raw: pd.DataFrame, scores: pd.DataFrame, codebook: Codebook,
                   *, speeder_seconds: float | None = None,
                   max_missing_share: float = MAX_MISSING_ITEM_SHARE) -> pd.DataFrame:
    """One boolean column per check in :data:`QUALITY_CHECKS` (True = problem).

    ``raw`` has the codebook's field names as columns; ``speeder_seconds=None`` means
    :data:`evalkit.core.contract.SPEEDER_SECONDS_PER_ITEM` per item of the codebook.
    """
    person = person_key(raw, codebook)
    return _quality_checks(raw, scores, codebook, pd.factorize(person)[0], person.ne(""),
                           speeder_seconds=_speeder_limit(speeder_seconds, codebook),
                           max_missing_share=max_missing_share)


def _quality_checks(raw: pd.DataFrame, scores: pd.DataFrame | ItemScores, codebook: Codebook,
                    person: np.ndarray, has_person: pd.Series, *, speeder_seconds: float,
                    max_missing_share: float, duration: pd.Series | None = None) -> pd.DataFrame:
    """:func:`quality_checks`, given each row's person as clean_survey reuses it: a code
    per distinct :func:`evalkit.clean.respondents.person_key`, and whether the key names
    anyone; and, when given, each row's interview ``duration`` in seconds (end - start)."""
    roles = survey_columns(raw.columns, codebook)
    texts = [raw[c] for c in name_columns(raw.columns, codebook)]
    if roles.get("organisation"):
        texts.append(raw[roles["organisation"]])
    is_test = pd.Series(False, index=raw.index)
    for values in texts:
        is_test |= _matches(values.fillna("").astype(str), _TEST_PATTERN)
    # the same answers can only come twice from a person seen twice: only those are compared
    again = (has_person & pd.Series(person, index=raw.index).duplicated(keep=False)).to_numpy()
    dup_person = pd.Series(False, index=raw.index)
    twice = (pd.DataFrame(scores.block(np.flatnonzero(again))) if isinstance(scores, ItemScores)
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
    n_items = len(scores.items) if isinstance(scores, ItemScores) else scores.shape[1]
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


def _row_stats(scores: pd.DataFrame | ItemScores,
               reverse_items: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: items answered, whether all answers are one value (blanks ignored), and
    whether any reverse-keyed item is answered. :class:`evalkit.clean.likert.ItemScores`
    go block by block."""
    if isinstance(scores, ItemScores):
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
    return map_distinct(values, yes).astype(bool)


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
    states = map_distinct(raw[column], state)
    return column, states.eq("rejected").astype(bool), states.eq("hold").astype(bool)


_LOCAL_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")


def _local_dates(values: pd.Series) -> pd.Series:
    """The calendar day of each timestamp as written (Kobo's ``2025-07-01T06:00+07:00``
    is 1 July, wherever UTC is), Excel serials at their wall-clock time, else the UTC
    day of :func:`evalkit.clean.timestamps.parse_timestamps`; NaT when unreadable."""
    def day(value: object) -> pd.Timestamp | None:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, (pd.Timestamp,)) or hasattr(value, "year"):
            stamp = pd.Timestamp(value)
            return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
        if (number := excel_serial(value)) is not None:
            return excel_serial_to_datetime(number)
        match = _LOCAL_DATE.match(str(value))
        return pd.Timestamp(match.group(1)) if match else None
    written = pd.to_datetime(map_distinct(values, day), errors="coerce")
    utc = parse_timestamps(values)
    fallback = utc.dt.tz_convert(None) if getattr(utc.dt, "tz", None) is not None else utc
    return written.where(written.notna(), fallback).dt.normalize()


def survey_waves(raw: pd.DataFrame, codebook: Codebook, roles: dict[str, str | None], *,
                 wave: str | None = None) -> tuple[pd.Series, pd.Series]:
    """The wave label of each response, and a reason text for those that have none.

    In order: ``wave`` (the folder's label: every row); the field with role ``wave``
    (a ``select_one``: the choice's label, any spelling of a choice accepted; another
    type: the text, read to the canonical period label when every value reads as a
    period, :func:`evalkit.read.waves.parse_wave_label`); the codebook's ``wave_period``
    (the period of the interview's start, else of Kobo's ``_submission_time``, by the
    day as written); else :data:`evalkit.read.waves.SINGLE_WAVE`.

    Returns
    -------
    (Series, Series)
        Labels (``<NA>`` where unreadable) and, on those rows, why.
    """
    index = raw.index
    none = pd.Series("", index=index, dtype=object)
    if wave is not None:
        return pd.Series(str(wave), index=index, dtype=object), none
    column = roles.get("wave")
    if column is not None:
        text = raw[column].astype("string").str.strip().replace("", pd.NA)
        text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        lookup = codebook.wave_lookup()
        if lookup is not None:
            labels = map_distinct(text, lambda v: lookup.get(normalize_label(v))
                                  if isinstance(v, str) else None)
        else:
            present = text.dropna().unique()
            parsed = {v: parse_wave_label(v) for v in present}
            if len(parsed) and all(p is not None for p in parsed.values()):
                labels = text.map(lambda v: parsed[v][0] if isinstance(v, str) else None)
            else:
                labels = text
        labels = labels.astype(object).where(pd.notna(labels), None)
        why = pd.Series(np.where(text.isna(), f"the wave field {column!r} is blank",
                                 "wave " + text.fillna("").astype(str) + f" of field {column!r} "
                                 "is not one of its choices"), index=index, dtype=object)
        return labels, why.where(labels.isna(), "")
    if codebook.wave_period is not None:
        when = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        for name in (roles.get("start"), SUBMISSION_TIME_COLUMN):
            if name is not None and name in raw.columns:
                when = when.where(when.notna(), _local_dates(raw[name]))
        labels = period_label(when, codebook.wave_period).astype(object)
        labels = labels.where(labels.notna(), None)
        used = " nor ".join(f"{n!r}" for n in (roles.get("start"), SUBMISSION_TIME_COLUMN) if n)
        why = pd.Series(f"no readable interview date ({used}) to give the "
                        f"{codebook.wave_period} wave", index=index, dtype=object)
        return labels, why.where(labels.isna(), "")
    return pd.Series(SINGLE_WAVE, index=index, dtype=object), none


def survey_rule_flags(raw: pd.DataFrame, kept: np.ndarray, region_code: np.ndarray,
                      region_notes: dict[int, str], *, table: str, source: str,
                      region_column: str, time_columns: list[str | None]) -> list[pd.DataFrame]:
    """The plausibility flags of a survey's kept rows (positions ``kept``).

    ``ambiguous_region``: rows whose region code (``region_code``, per kept row, from
    :func:`evalkit.clean.places.region_codes` with ``notes=region_notes``) has a note.
    ``excel_serial_date``: rows whose start or end time (``time_columns``; None = no such
    column) was an Excel serial number (converted by
    :func:`evalkit.clean.timestamps.parse_timestamps`).
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
        serial = keep & serial_mask(raw[column])
        if serial.any():
            when = raw[column][serial].map(lambda v: excel_serial_to_datetime(excel_serial(v)))
            action = pd.Series("", index=raw.index, dtype=object)
            action[serial] = ("converted from an Excel serial number (1900 date system) to "
                              + pd.to_datetime(when).dt.strftime("%Y-%m-%d %H:%M:%S")
                              + " (at the UTC offset of the column's other times)")
            flags.append(make_flags(raw, serial, table=table, source=source, column=column,
                                    issue=EXCEL_SERIAL_DATE.name, action=action))
    return flags


def clean_survey(raw: pd.DataFrame, codebook: Codebook, *, source: str, key: bytes,
                 policy: dict[str, str] | None = None,
                 speeder_seconds: float | None = None,
                 aliases: dict[str, dict[str, str]] | None = None,
                 scrubber: Scrubber | None = None, wave: str | None = None) -> CleanResult:
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
    wave : str, optional
        The wave of every row (one folder per wave: the folder's label). Default: from
        the form (:func:`survey_waves`).

    Returns
    -------
    CleanResult
        ``data``: ``response_id, respondent_id, region_code, region_name, region_level,
        province_code, organisation, sector, wave`` (:func:`survey_waves`),
        ``started_at, duration_s``, the items, ``quality_flags, source_row``.
        ``quarantine``: each rejected row with the first reason that applies, in order:
        ``no_consent`` (consent answered no, declined or blank), ``not_approved``
        (Kobo ``_validation_status`` not approved, ODK Central ``ReviewState``
        rejected), the :data:`QUALITY_CHECKS` with policy ``"exclude"``
        (``test_submission``, ``duplicate_uuid``, ``duplicate_respondent``,
        ``speeder``, ``too_many_missing``, ``straight_lining``), then ``no_wave``
        (:data:`SURVEY_WAVE_REASONS`), then ``unknown_sector``. ``flags``: value-level
        issues of kept rows (answers off the scale, contacts in the organisation,
        submissions on hold / with issues in the form's review). ``warnings``: checks that could not run.

    Notes
    -----
    The respondent pseudonym and the duplicate-respondent check use every personal
    field (:func:`evalkit.clean.pii.personal_columns`): names by their normalised text,
    phone numbers by their last 9 digits. A row whose personal fields are all blank names no one: it is
    never a duplicate respondent and gets the pseudonym of its response id. Identical
    answers by one person count as a duplicate within a wave only: the same person in two
    waves is a panel member (with the same pseudonym in both).
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

    scores, flags = score_items(raw, codebook, table=table, source=source)
    person = person_key(raw, codebook)
    has_person = person.ne("")
    if not has_person.all():  # a row naming no one is its own respondent
        person = person.mask(~has_person, "id:" + response_id)
    # each distinct respondent once: for the duplicate check and for the pseudonym
    person_code, persons = pd.factorize(person)
    if has_times:
        (start, start_by_arrow), (end, _) = (parse_timestamps_by_arrow(raw[roles["start"]]),
                                             parse_timestamps_by_arrow(raw[roles["end"]]))
        duration = (end - start).dt.total_seconds()
    else:
        start, start_by_arrow = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]"), True
        duration = pd.Series(np.nan, index=raw.index)
    limit = _speeder_limit(speeder_seconds, codebook)
    waves, no_wave_detail = survey_waves(raw, codebook, roles, wave=wave)
    # the duplicate-respondent check within a wave: one code per (person, wave)
    wave_code = pd.factorize(waves.fillna(""))[0].astype(np.int64)
    same_wave_person = (person_code.astype(np.int64) * (int(wave_code.max(initial=0)) + 1)
                        + wave_code)
    checks = _quality_checks(raw, scores, codebook, same_wave_person, has_person,
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

    no_wave = reason.isna() & waves.isna()
    if no_wave.any():
        reason = reason.mask(no_wave, "no_wave")
        detail = detail.copy()
        detail[no_wave] = no_wave_detail[no_wave]

    sectors = codebook.sector_lookup()
    sector_values = raw[sector_col]
    region_values = raw[region_col]
    if aliases:
        if aliases.get("sector"):
            sector_values = apply_aliases(sector_values, aliases["sector"])
        if aliases.get("region"):
            region_values = apply_aliases(region_values, aliases["region"])
    sector = map_distinct(sector_values, lambda v: sectors.get(normalize_label(v))
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
    quarantine = concat_rows([
        quarantine_rows(raw, out_mask & ~declined, table=table, source=source,
                        reason=reason, detail=detail, drop=pii),
        quarantine_rows(raw, declined, table=table, source=source,
                        reason=reason, detail=detail, drop=answers),
    ], QUARANTINE_COLUMNS).sort_values("source_row", kind="stable").reset_index(drop=True)
    keep = ~out_mask
    kept = np.flatnonzero(keep.to_numpy())  # positions of the kept rows
    region_notes: dict[int, str] = {}  # names read by rule ambiguous_region
    region_code, regions = region_codes(region_values, raw["source_row"].to_numpy(), region_col,
                                         source, rows=kept, notes=region_notes)
    org_col = roles.get("organisation")
    org = raw[org_col] if org_col else pd.Series(None, index=raw.index, dtype=object)  # scrubbed
    review_flags = pd.DataFrame(columns=FLAG_COLUMNS)
    if review_col is not None and on_hold.any():  # kept, but the form's reviewer has doubts
        review_flags = make_flags(raw, keep & on_hold, table=table, source=source,
                                  column=review_col, issue="on hold / has issues in the form's review",
                                  action="kept; review it in KoboToolbox / ODK Central")
    flags = concat_rows([flags[keep.to_numpy()[flags["source_row"].to_numpy(dtype="int64") - 2]],
                     make_flags(raw, keep & org_changed, table=table, source=source,
                                column=org_col or "organisation",
                                issue="personal data in free text",
                                action="replaced by placeholder",
                                values=pd.Series("[redacted]", index=raw.index)),
                     text_flags, review_flags,
                     *survey_rule_flags(raw, kept, region_code, region_notes, table=table,
                                        source=source, region_column=region_col,
                                        time_columns=[roles.get("start"), roles.get("end")])],
                    FLAG_COLUMNS)
    # The kept rows in the order of sort_values(["region_code", "started_at", "response_id"],
    # kind="stable") (missing values last), computed by Arrow on the kept rows' keys
    # (the region as the rank of its code); every column is then taken once, straight
    # from all rows into that order.
    code_rank = np.unique(region_attribute(regions, "code").fillna("").to_numpy(str),
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
        return pd.Series(region_attribute(regions, attribute).array.take(region_code), index=index)

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
    columns["wave"] = waves.take(rows).astype(str)
    columns.update({"started_at": started_at, "duration_s": duration.take(rows)})
    data = pd.concat([
        pd.DataFrame(columns, index=index),
        scores.frame(rows),
        pd.DataFrame({"quality_flags": (_join_checks(checks[flagged_checks].take(rows), ";")
                                        if flagged_checks else pd.Series("", index=index)).astype(str),
                      "source_row": raw["source_row"].take(rows).astype("int64")}, index=index),
    ], axis=1)
    # each quarantine and flag row names its response's wave (none for no_wave)
    return with_waves(CleanResult(data.reset_index(drop=True), quarantine, flags, warnings),
                      raw["source_row"], waves)
