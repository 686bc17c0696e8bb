"""The stakeholder tables: register, meeting attendance, partnerships, collaboration ties.

Each ``clean_*`` function takes the raw table (and the codebook's sector lookup where
rows name a sector) and returns a :class:`evalkit.clean.quarantine.CleanResult`:
organisations and sectors normalised, regions read (:mod:`evalkit.clean.places`), bad
rows quarantined with a reason. Register, ties and attendance carry the survey wave
(:mod:`evalkit.read.waves`): from the folder of the wave, an optional ``wave`` column
(:data:`WAVE_HEADERS`), or (attendance) the meeting date.
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd

from evalkit.clean.numbers import non_finite_mask, parse_number
from evalkit.clean.places import region_flags, resolve_region_column
from evalkit.clean.quarantine import CleanResult, make_flags, quarantine_rows, with_waves
from evalkit.clean.rows import FLAG_COLUMNS, alias_kind, concat_rows, excel_rows, require_columns
from evalkit.clean.rules import (
    EXCEL_SERIAL_DATE,
    IMPLAUSIBLE_YEAR,
    NON_FINITE_VALUE,
    NOT_WHOLE_NUMBER,
    START_IN_FUTURE,
    YEAR_RANGE,
)
from evalkit.clean.rules import today as _today
from evalkit.read.aliases import apply_aliases
from evalkit.read.codebook import normalize_label
from evalkit.read.dates import read_dates
from evalkit.read.waves import SINGLE_WAVE, read_wave_values, wave_of_dates

REGISTER_COLUMNS = ["region", "organisation", "sector", "influence", "interest"]
ATTENDANCE_COLUMNS = ["region", "meeting_date", "meeting", "organisation", "sector", "attended"]
PARTNERSHIP_COLUMNS = ["region", "name", "type", "start_year", "sdg_themes"]
TIE_COLUMNS = ["region", "organisation", "partner", "level", "trust", "value"]

# Headers of the optional wave column of the register and the ties (compared lower case).
WAVE_HEADERS = ("wave", "gelombang", "periode", "period")
WAVE_REASONS = {
    "unknown_wave": "the row's wave is not one of the survey's waves (data/processed/waves.parquet)",
}


def wave_header(raw: pd.DataFrame) -> pd.DataFrame:
    """``raw`` with its wave column (the first of :data:`WAVE_HEADERS`, any case) named
    ``wave``; unchanged when it has none."""
    if "wave" in raw.columns:
        return raw
    for header in WAVE_HEADERS:
        found = [c for c in raw.columns if str(c).strip().lower() == header]
        if found:
            return raw.rename(columns={found[0]: "wave"})
    return raw


def _waves(raw: pd.DataFrame, known: list[str] | None, wave: str | None,
           default: str | None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per row: the wave label (NA = every wave), whether it is unknown, the detail.

    ``wave`` (the folder's label) wins; else the ``wave`` column read to ``known``
    (blank: ``default``); else ``default`` for every row."""
    none = pd.Series(False, index=raw.index)
    if wave is not None:
        return pd.Series(str(wave), index=raw.index, dtype="str"), none, pd.Series("", index=raw.index)
    if "wave" not in raw.columns:
        return pd.Series(default, index=raw.index, dtype="str"), none, pd.Series("", index=raw.index)
    labels, unknown = read_wave_values(raw["wave"], list(known or [SINGLE_WAVE]))
    if default is not None:
        labels = labels.where(labels.notna() | unknown, default)
    detail = ("wave " + raw["wave"].astype(str) + " is not one of the waves "
              + ", ".join(known or [SINGLE_WAVE]))
    return labels, unknown, detail.where(unknown, "")


# Attendance answers (after the user's ``attendance`` aliases) meaning present / absent;
# anything else is quarantined as unrecognised_attendance_value.
_ATTENDED = {"ya", "y", "yes", "hadir", "1", "true", "present"}
_ABSENT = {"tidak", "t", "no", "n", "absen", "tidak hadir", "0", "false", "absent"}


def _sector_codes(raw: pd.DataFrame, sectors: dict[str, str],
                  aliases: dict[str, dict[str, str]] | None = None) -> pd.Series:
    values = apply_aliases(raw["sector"], alias_kind(aliases, "sector"))
    return values.map(lambda v: sectors.get(normalize_label(v)) if pd.notna(v) else None)


def clean_register(raw: pd.DataFrame, sectors: dict[str, str], source: str, *,
                   aliases: dict[str, dict[str, str]] | None = None,
                   waves: list[str] | None = None, wave: str | None = None) -> CleanResult:
    """Stakeholder register: organisation, sector (codebook code), influence and interest 1-5.

    ``sectors`` is the codebook's sector lookup (:meth:`Codebook.sector_lookup`);
    ``aliases`` (:func:`evalkit.read.aliases.read_aliases`) its ``region`` and ``sector`` kinds.
    ``waves``: the survey's wave labels; ``wave``: the label of the wave folder the
    file is in. Column ``wave``: that label, else the row's ``wave`` column (blank, or
    no column: NA, the register holds for every wave).
    Quarantine reasons: ``unknown_sector``, ``unknown_wave``, ``non_finite_value``,
    ``influence_or_interest_not_1_to_5``, ``not_whole_number`` (``3,5``: never
    truncated) and ``duplicate_row`` (the same organisation twice in a region and
    wave). Flags: ``ambiguous_region``.
    """
    raw = wave_header(raw)
    require_columns(raw, REGISTER_COLUMNS, source)
    raw = raw.assign(source_row=excel_rows(raw))
    wave_label, unknown_wave, wave_detail = _waves(raw, waves, wave, None)
    sector = _sector_codes(raw, sectors, aliases)
    influence, interest = parse_number(raw["influence"]), parse_number(raw["interest"])
    reason = pd.Series(None, index=raw.index, dtype=object)
    detail = pd.Series("", index=raw.index, dtype=object)
    reason = reason.mask(sector.isna(), "unknown_sector")
    detail = detail.mask(reason.isna() & unknown_wave, wave_detail)
    reason = reason.mask(reason.isna() & unknown_wave, "unknown_wave")
    for column, values in (("influence", influence), ("interest", interest)):
        new = reason.isna() & non_finite_mask(raw[column], values)
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
    regions = resolve_region_column(raw, "region", source, aliases=alias_kind(aliases, "region"))
    dup = reason.isna() & (regions["region_code"] + "|" + org.str.casefold() + "|"
                           + wave_label.fillna("\x00every")).duplicated()
    reason = reason.mask(dup, "duplicate_row")
    quarantine = quarantine_rows(raw, reason.notna(), table="stakeholders", source=source,
                                 reason=reason, detail=detail)
    keep = reason.isna()
    data = pd.DataFrame({"region_code": regions["region_code"],
                         "province_code": regions["province_code"], "organisation": org,
                         "sector": sector, "influence": influence, "interest": interest,
                         "wave": wave_label})[keep]
    data = data.astype({"influence": "int64", "interest": "int64", "wave": "str"})
    return with_waves(CleanResult(data.sort_values(["region_code", "organisation"])
                                  .reset_index(drop=True), quarantine,
                                  region_flags(raw, regions, keep, table="stakeholders",
                                               source=source)),
                      raw["source_row"], wave_label)  # for every wave, unknown_wave: none


def clean_attendance(raw: pd.DataFrame, sectors: dict[str, str], source: str, *,
                     aliases: dict[str, dict[str, str]] | None = None,
                     waves: pd.DataFrame | None = None) -> CleanResult:
    """Meeting attendance: one row per organisation and meeting, ``attended`` as boolean.

    ``meeting_date`` is read by :func:`evalkit.read.dates.read_dates`: ISO dates as they are,
    day-first or month-first decided for the whole column (day-first, with a warning,
    when no value decides it); in a column that mixes both orders the rows either order
    could read are quarantined as ``ambiguous_date``; Excel serial numbers are
    converted and flagged (``excel_serial_date``). ``aliases``: the ``region``,
    ``sector`` and ``attendance`` kinds of :func:`evalkit.read.aliases.read_aliases`.
    ``wave``: the wave whose window holds the meeting date
    (:func:`evalkit.read.waves.wave_of_dates` on the ``waves`` table; NA when the waves
    are undated or the meeting is after the last wave).
    """
    require_columns(raw, ATTENDANCE_COLUMNS, source)
    raw = raw.assign(source_row=excel_rows(raw))
    answer = apply_aliases(raw["attended"], alias_kind(aliases, "attendance")).map(normalize_label)
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
    regions = resolve_region_column(raw[keep], "region", source, aliases=alias_kind(aliases, "region"))
    data = pd.DataFrame({
        "region_code": regions["region_code"], "province_code": regions["province_code"],
        "meeting_date": date[keep],
        "meeting": raw["meeting"][keep].astype(str).str.strip(),
        "organisation": raw["organisation"][keep].astype(str).str.strip(),
        "sector": sector[keep], "attended": attended[keep].astype(bool),
    })
    data["meeting_date"] = data["meeting_date"].astype("datetime64[ns]")
    data["wave"] = (wave_of_dates(data["meeting_date"], waves) if waves is not None
                    else pd.Series(pd.NA, index=data.index, dtype="str"))
    flags = [make_flags(raw, keep & dates.serial, table="attendance", source=source,
                        column="meeting_date", issue=EXCEL_SERIAL_DATE.name,
                        action="converted from an Excel serial number (1900 date system) to "
                               + date.dt.strftime("%Y-%m-%d %H:%M").str.removesuffix(" 00:00")),
             region_flags(raw, regions, keep, table="attendance", source=source)]
    result = CleanResult(data.sort_values(["region_code", "meeting_date", "organisation"])
                         .reset_index(drop=True), quarantine, concat_rows(flags, FLAG_COLUMNS),
                         warnings=[warning] if warning else [])
    if waves is None:
        return result
    # each quarantine and flag row names the wave of its meeting date (none when the date
    # is unreadable or ambiguous: NaT)
    return with_waves(result, raw["source_row"], wave_of_dates(date, waves))


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
    kind = apply_aliases(raw["type"], alias_kind(aliases, "partnership_type")).map(
        lambda v: PARTNERSHIP_TYPES.get(normalize_label(v)))
    year = parse_number(raw["start_year"])
    text = "start_year " + raw["start_year"].astype(str)
    low, high = YEAR_RANGE
    reason = pd.Series(None, index=raw.index, dtype=object)
    detail = pd.Series("", index=raw.index, dtype=object)
    for mask, why, say in (
            (kind.isna(), "unknown_partnership_type", ""),
            (non_finite_mask(raw["start_year"], year), NON_FINITE_VALUE.name,
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
    regions = resolve_region_column(raw[keep], "region", source, aliases=alias_kind(aliases, "region"))
    data = pd.DataFrame({
        "region_code": regions["region_code"], "name": raw["name"][keep].astype(str).str.strip(),
        "type": kind[keep], "formal": kind[keep] != "informal",
        "start_year": year[keep].astype("int64"),
        "sdg_themes": raw["sdg_themes"][keep].astype(str).str.replace(r"\s", "", regex=True),
    })
    return CleanResult(data.sort_values(["region_code", "start_year", "name"])
                       .reset_index(drop=True), quarantine,
                       region_flags(raw, regions, keep, table="partnerships", source=source))


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
               aliases: dict[str, dict[str, str]] | None = None,
               waves: list[str] | None = None, wave: str | None = None) -> CleanResult:
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

    Waves: ``waves`` are the survey's wave labels in order, ``wave`` the label of the
    wave folder the file is in. Column ``wave``: that label, else the row's ``wave``
    column (:data:`WAVE_HEADERS`; a value that is no wave: ``unknown_wave``), else (no
    column, or blank) the latest wave. Names are matched to the register rows of the
    tie's wave (and those for every wave); duplicates are within a wave.
    """
    raw = wave_header(raw)
    require_columns(raw, TIE_COLUMNS, source)
    raw = raw.assign(source_row=excel_rows(raw))
    latest = (waves or [SINGLE_WAVE])[-1]
    wave_label, unknown_wave, wave_detail = _waves(raw, waves, wave, latest)
    regions = resolve_region_column(raw, "region", source, aliases=alias_kind(aliases, "region"))
    org_key, partner_key = _org_key(raw["organisation"]), _org_key(raw["partner"])
    level = raw["level"].map(lambda v: TIE_LEVELS.get(normalize_label(v).removesuffix(".0"))
                             if pd.notna(v) else None)
    ratings = {c: parse_number(raw[c]) for c in ("trust", "value")}
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason = reason.mask(org_key == partner_key, "self_tie")
    reason = reason.mask(reason.isna() & level.isna(), "unknown_level")
    detail = pd.Series("", index=raw.index, dtype=object)
    detail = detail.mask(reason.isna() & unknown_wave, wave_detail)
    reason = reason.mask(reason.isna() & unknown_wave, "unknown_wave")
    for column, values in ratings.items():
        new = reason.isna() & non_finite_mask(raw[column], values)
        reason = reason.mask(new, NON_FINITE_VALUE.name)
        detail = detail.mask(new, f"{column} " + raw[column].astype(str) + " is not a finite number")
    pair = wave_label.fillna("") + "|" + regions["region_code"] + "|" + org_key + "|" + partner_key
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

    # register rows for every wave under "region|organisation", those of one wave under
    # "wave|region|organisation": a tie takes its own wave's row first
    register_wave = (register["wave"] if "wave" in register.columns
                     else pd.Series(pd.NA, index=register.index, dtype="str"))
    lookup = register.assign(key=register_wave.where(register_wave.isna(), register_wave + "|")
                             .fillna("") + register["region_code"] + "|"
                             + _org_key(register["organisation"])).set_index("key")
    lookup = lookup[~lookup.index.duplicated()]
    own = wave_label.fillna("") + "|"

    def at_wave_or_every(key: pd.Series) -> pd.Series:
        specific = own + key
        return specific.where(specific.isin(lookup.index), key)

    org_at = at_wave_or_every(regions["region_code"] + "|" + org_key)
    partner_at = at_wave_or_every(regions["region_code"] + "|" + partner_key)
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
        "wave": wave_label,
    })[keep].astype({"level": "int64", "wave": "str"})
    return with_waves(CleanResult(data.sort_values(["region_code", "organisation", "partner"])
                                  .reset_index(drop=True), quarantine,
                                  concat_rows(flags, FLAG_COLUMNS)),
                      raw["source_row"], wave_label)  # unknown_wave: none
