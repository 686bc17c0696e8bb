"""M&E indicators: metadata, baselines and targets, values (long or wide), the annual series.

Metadata is authoritative and small: any problem in it is an error. Targets and values
are cleaned row by row (bad rows quarantined with a reason, values read by
:func:`evalkit.clean.numbers.parse_number_column`, units converted when exact, gaps
flagged). :func:`annual_series` forms the one-value-per-year series progress is
measured on (``indicator_annual``), by each indicator's ``annual_rule``.
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd

from evalkit.clean.numbers import non_finite_mask, parse_number, parse_number_column
from evalkit.clean.places import region_flags, resolve_region_column
from evalkit.clean.quarantine import CleanResult, make_flags, quarantine_rows
from evalkit.clean.rows import FLAG_COLUMNS, alias_kind, concat_rows, excel_rows, require_columns
from evalkit.clean.rules import (
    ABSURD_MAGNITUDE,
    AMBIGUOUS_NUMBER,
    FUTURE_YEAR,
    IMPLAUSIBLE_YEAR,
    MAX_MAGNITUDE,
    NON_FINITE_VALUE,
    TARGET_BEFORE_BASELINE,
    THOUSANDS_OR_DECIMAL,
    YEAR_RANGE,
    period_start,
)
from evalkit.clean.rules import today as _today
from evalkit.core import checks
from evalkit.core.errors import DataError, InputFileError
from evalkit.read.codebook import normalize_label
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

INDICATOR_META_COLUMNS = ["indicator_id", "sdg_code", "name_id", "name_en", "unit", "direction"]
DIRECTIONS = {"higher", "lower"}
INDICATOR_TARGET_COLUMNS = ["region", "indicator_id", "baseline_year", "baseline_value",
                            "target_year", "target_value"]

#: How a year's value is formed from its quarters when no yearly value was reported:
#: ``mean`` for rates and shares (the default), ``sum`` for flows (amounts committed
#: in the quarter), ``last`` for stocks read at the end of the period.
ANNUAL_RULES = ("mean", "sum", "last")


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
    # optional: how a year is formed from quarterly values (see ANNUAL_RULES)
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
    ``target_before_baseline``, ``duplicate_row`` and ``conflicting_duplicate`` (two rows
    for one region and indicator once their region names are read). Flags: ``thousands_or_decimal``
    / ``ambiguous_number`` (the two value columns read together, per indicator, by
    :func:`evalkit.clean.numbers.parse_number_column`) and ``ambiguous_region``.
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
    non_finite = {c: non_finite_mask(raw[c], numbers[c]) for c in years}
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
    # Two spellings can name one region ('Jambi' read as Kota Jambi beside 'Kota Jambi'):
    # a region's target is one row, so rows that meet only once their names are read are
    # all quarantined, none of them kept by chance.
    candidate = reason.isna()
    if candidate.any():
        codes = resolve_region_column(raw[candidate], "region", source,
                                      aliases=alias_kind(aliases, "region"))["region_code"]
        key = codes.astype(str) + "|" + raw.loc[candidate, "indicator_id"]
        clash = key.duplicated(keep=False)
        if clash.any():
            rows_of = (raw.loc[clash[clash].index, "source_row"].astype(str)
                       .groupby(key[clash]).agg(", ".join))
            detail_text = ("rows " + key.map(rows_of).fillna("").astype(str) + " name the same "
                           "region and indicator once their region names are read; keep one")
            quarantine_when(clash.reindex(raw.index, fill_value=False), "conflicting_duplicate",
                            detail_text.reindex(raw.index, fill_value=""))
    quarantine = quarantine_rows(raw, reason.notna(), table="indicator_targets", source=source,
                                 reason=reason, detail=detail)
    keep = reason.isna()
    kept = raw[keep]
    regions = resolve_region_column(kept, "region", source, aliases=alias_kind(aliases, "region"))
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
                       quarantine, concat_rows(flags, FLAG_COLUMNS))


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
    :func:`evalkit.clean.numbers.parse_number_column` decides per sheet and indicator),
    unit converted, ``ambiguous_region``, gap in a series (flagged, never filled).
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

    regions = resolve_region_column(raw, "region", source, aliases=alias_kind(aliases, "region"))
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
                       concat_rows(flags, FLAG_COLUMNS))


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



# --- the annual series (what progress is measured on) ---------------------------------
# Built here, by the clean stage, as the processed table indicator_annual; the measure
# and analyse stages read it.

ANNUAL_COLUMNS = ["region_code", "indicator_id", "year", "value", "quarters"]
_ANNUAL_INPUT = ("region_code", "indicator_id", "year", "value")  # the columns it needs
_KEY = ["region_code", "indicator_id"]


def annual_series(values: pd.DataFrame, metadata: pd.DataFrame | None = None) -> pd.DataFrame:
    """The yearly, whole-population series of every region and indicator.

    Progress (:func:`evalkit.measure.indicators.progress_table`), trends and attribution
    are measured on one value per year for the total population. Rows broken down by
    sex, age group or area are left out (they stay in the cleaned values for breakdown
    tables). A year with a yearly value uses it; a year reported only by quarter gets its
    quarters combined by the indicator's ``annual_rule`` in ``metadata`` (see
    :data:`ANNUAL_RULES`; ``mean`` when the metadata has no such column). A year's
    quarters are combined even when fewer than four were reported; ``quarters`` says how
    many were (0 for a yearly value), so a report can say so.

    Parameters
    ----------
    values : pandas.DataFrame
        Cleaned values: ``region_code, indicator_id, year, value`` and optionally
        ``quarter``, ``sex``, ``age_group``, ``area`` (``"total"`` = not broken down).
    metadata : pandas.DataFrame, optional
        ``indicator_id`` and optionally ``annual_rule``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ANNUAL_COLUMNS`, sorted by region, indicator and year.
    """
    checks.require_columns(values, _ANNUAL_INPUT, "values")
    rows = values
    for column in ("sex", "age_group", "area"):
        if column in rows.columns:
            rows = rows[rows[column].fillna("total") == "total"]
    quarter = rows["quarter"] if "quarter" in rows.columns else pd.Series(pd.NA, index=rows.index)
    yearly = rows[quarter.isna()][list(_ANNUAL_INPUT)].assign(quarters=0)
    by_quarter = rows[quarter.notna()].sort_values([*_KEY, "year", "quarter"])
    rules = pd.Series("mean", index=by_quarter.index)
    if metadata is not None and "annual_rule" in metadata.columns:
        rules = by_quarter["indicator_id"].map(metadata.set_index("indicator_id")["annual_rule"]
                                               ).fillna("mean")
    unknown = set(rules) - set(ANNUAL_RULES)
    if unknown:
        raise ValueError(f"annual_rule {sorted(unknown)} is not one of {ANNUAL_RULES}.")
    combined = [
        {"region_code": region, "indicator_id": ind, "year": year,
         "value": float(getattr(group["value"], rule)() if rule != "last" else group["value"].iloc[-1]),
         "quarters": len(group)}
        for (region, ind, year, rule), group in by_quarter.assign(rule=rules)
        .groupby([*_KEY, "year", "rule"], sort=True)
    ]
    combined = pd.DataFrame(combined, columns=ANNUAL_COLUMNS)
    # a yearly value wins over the quarters of the same year
    have_year = combined.merge(yearly[[*_KEY, "year"]], on=[*_KEY, "year"], how="left",
                               indicator=True)["_merge"].eq("both").to_numpy()
    out = pd.concat([yearly, combined[~have_year]], ignore_index=True)
    return out.sort_values([*_KEY, "year"]).reset_index(drop=True).astype({"quarters": "int64"})
