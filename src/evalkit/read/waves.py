"""Survey waves: the rounds of the repeated surveys, their labels, order and dates.

A *wave* is one round of the survey, the collaboration ties and the stakeholder register,
labelled by a short string (``"2025-Q3"``, ``"2025-H2"``, ``"2025"``, ``"Gelombang 1"``).
A project declares its waves in one of three ways (``data/raw/README.md``): a survey
field with role ``wave``, the codebook setting ``wave_period`` (the period of each
interview's start), or one folder per wave under ``data/raw/waves/``; a project that
declares none has one wave, :data:`SINGLE_WAVE`.

Pure helpers, no file I/O: period labels (:func:`period_label`, :func:`parse_wave_label`),
the order of labels (:func:`order_labels`), the processed ``waves`` table
(:func:`waves_table`), and the data as they stood at a wave (:func:`at_wave`,
:func:`as_of`, :func:`snapshot`). Period spellings are read by the one period parser,
:func:`evalkit.read.indicator_fields.parse_period_unit`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from evalkit.core.errors import EvalkitError
from evalkit.read.indicator_fields import parse_period_unit

__all__ = [
    "WAVE_PERIODS", "SINGLE_WAVE", "WAVE_SOURCES", "WAVE_PERIOD_ALIASES", "WAVES_COLUMNS",
    "normalise_wave_period", "period_label", "parse_wave_label", "order_labels",
    "natural_key", "read_wave_values", "wave_of_dates", "waves_table", "single_wave_table",
    "wave_slug", "latest_wave", "previous_wave", "wave_order", "at_wave", "as_of", "snapshot",
]

#: The periods a wave can span (codebook setting ``wave_period``).
WAVE_PERIODS = ("quarter", "half", "year")
#: Indonesian (and a few English) words for the periods -> the key.
WAVE_PERIOD_ALIASES = {
    "quarter": "quarter", "quarterly": "quarter", "triwulan": "quarter", "kuartal": "quarter",
    "half": "half", "half-year": "half", "half_year": "half", "semester": "half",
    "year": "year", "yearly": "year", "annual": "year", "tahun": "year", "tahunan": "year",
}
#: The label of the one wave of a project that declares none.
SINGLE_WAVE = "1"
#: How a wave was declared (the ``source`` column of the waves table).
WAVE_SOURCES = ("period", "field", "folder", "single")
#: Columns and dtypes of ``waves.parquet``.
WAVES_COLUMNS = {"wave": "str", "order": "int64", "start": "datetime64[ns]",
                 "end": "datetime64[ns]", "source": "str"}
# Tables that carry a ``wave`` column of rows collected in that wave.
_WAVE_TABLES = ("survey", "ties", "stakeholders")
_MONTHS_PER = {"quarter": 3, "half": 6, "year": 12}


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def normalise_wave_period(text: object) -> str | None:
    """The key of a ``wave_period`` setting (``"triwulan"`` -> ``"quarter"``); ``None``
    when blank; the stripped lower-case text itself when unknown (the caller reports it)."""
    if _missing(text) or not str(text).strip():
        return None
    key = re.sub(r"\s+", " ", str(text).strip().lower())
    return WAVE_PERIOD_ALIASES.get(key, key)


def _label(year: int, unit: str, number: int | None) -> str:
    if unit == "quarter":
        return f"{year}-Q{number}"
    if unit == "half":
        return f"{year}-H{number}"
    return str(year)


def _bounds(year: int, unit: str, number: int | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    months = _MONTHS_PER[unit]
    first_month = 1 if number is None else (number - 1) * months + 1
    start = pd.Timestamp(year=year, month=first_month, day=1)
    end = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    return start, pd.Timestamp(end)


def period_label(when: pd.Series, period: str) -> pd.Series:
    """The wave label of each timestamp for waves of one ``period``.

    ``quarter`` -> ``"2025-Q3"``, ``half`` -> ``"2025-H2"``, ``year`` -> ``"2025"``
    (aliases such as ``triwulan`` accepted). Missing timestamps give ``<NA>``. Returns a
    ``string`` Series on ``when``'s index.

    >>> period_label(pd.Series(pd.to_datetime(["2025-08-01", None])), "half").tolist()
    ['2025-H2', <NA>]
    """
    key = normalise_wave_period(period)
    if key not in WAVE_PERIODS:
        raise ValueError(f"wave period {period!r} is not one of {', '.join(WAVE_PERIODS)}")
    stamps = pd.to_datetime(pd.Series(when, index=getattr(when, "index", None)), errors="coerce")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    year = stamps.dt.year.astype("Int64").astype("string")
    if key == "quarter":
        label = year + "-Q" + stamps.dt.quarter.astype("Int64").astype("string")
    elif key == "half":
        label = year + "-H" + ((stamps.dt.month - 1) // 6 + 1).astype("Int64").astype("string")
    else:
        label = year
    return label.astype("string")


def parse_wave_label(text: object) -> tuple[str, pd.Timestamp | None, pd.Timestamp | None] | None:
    """The canonical label and first/last day of a wave label that reads as a period.

    ``"2025-Q3"``, ``"TW III 2025"``, ``"2025Q3"`` -> ``("2025-Q3", 2025-07-01,
    2025-09-30)``; ``"2025-H2"``, ``"Semester 2 2025"``, ``"S2 2025"`` -> ``"2025-H2"``;
    ``"2025"`` -> ``"2025"`` (the whole year). ``None`` when the text is not a period
    (``"Gelombang 1"``).
    """
    if _missing(text):
        return None
    parsed = parse_period_unit(text)
    if parsed is None:
        return None
    year, unit, number = parsed
    start, end = _bounds(year, unit, number)
    return _label(year, unit, number), start, end


def natural_key(label: str) -> tuple:
    """Sort key that orders the numbers inside a label as numbers
    (``"Gelombang 2"`` < ``"Gelombang 10"``), case-insensitively."""
    parts = re.split(r"(\d+)", str(label).casefold())
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts if part)


def _distinct(labels: Iterable) -> list[str]:
    seen: dict[str, None] = {}
    for label in labels:
        if _missing(label):
            continue
        seen.setdefault(str(label), None)
    return list(seen)


def order_labels(labels: Iterable, declared: list[str] | None = None) -> list[str]:
    """The distinct ``labels`` (missing values dropped) in wave order.

    The ``declared`` order when given (a ``select_one`` wave field's choice list; labels
    it lacks follow in natural order); else chronological when every label reads as a
    period (:func:`parse_wave_label`; a year before its quarters when both occur); else
    natural sort (:func:`natural_key`).
    """
    distinct = _distinct(labels)
    if declared is not None:
        rank = {str(label): i for i, label in enumerate(declared)}
        known = sorted((label for label in distinct if label in rank), key=rank.__getitem__)
        return known + sorted((label for label in distinct if label not in rank), key=natural_key)
    parsed = {label: parse_wave_label(label) for label in distinct}
    if distinct and all(value is not None for value in parsed.values()):
        return sorted(distinct, key=lambda label: (parsed[label][1], parsed[label][2],
                                                   natural_key(label)))
    return sorted(distinct, key=natural_key)


def read_wave_values(values: pd.Series, known: list[str]) -> tuple[pd.Series, pd.Series]:
    """The ``wave`` column of a ties file or register read to known wave labels.

    A value is a known label as written (case and spacing aside), or a period spelling
    of one (``TW III 2025`` -> ``2025-Q3``, :func:`parse_wave_label`). Returns the labels
    (``<NA>`` for blanks and unknown values) and a mask of the unknown values (not blank,
    not a known wave).
    """
    by_key = {re.sub(r"\s+", " ", str(label).strip().casefold()): str(label) for label in known}

    def read(value: object) -> str | None:
        if _missing(value):
            return None
        text = str(value).strip()
        if re.fullmatch(r"\d+\.0+", text):
            text = text.split(".")[0]
        if not text:
            return None
        found = by_key.get(re.sub(r"\s+", " ", text.casefold()))
        if found is None and (parsed := parse_wave_label(text)) is not None:
            found = by_key.get(parsed[0].casefold())
        return found

    distinct = {value: read(value) for value in pd.unique(values.astype(object))
                if not _missing(value)}
    labels = values.astype(object).map(lambda v: None if _missing(v) else distinct.get(v))
    blank = values.astype(object).map(lambda v: _missing(v) or not str(v).strip())
    unknown = labels.isna() & ~blank.astype(bool)
    return labels.astype("str").where(labels.notna()), unknown.astype(bool)


def wave_of_dates(dates: pd.Series, waves: pd.DataFrame) -> pd.Series:
    """The wave of each date: the wave whose window (the previous wave's last day, this
    wave's last day] holds it (the first wave's window open below). ``<NA>`` when the
    waves are undated, the date is missing, or it is after the last wave's end."""
    table = _ordered(waves)
    out = pd.Series(pd.NA, index=dates.index, dtype="str")
    ends = pd.to_datetime(table["end"]) if "end" in table.columns else pd.Series(dtype="datetime64[ns]")
    if not len(table) or ends.isna().any():
        return out
    days = pd.to_datetime(dates, errors="coerce")
    if getattr(days.dt, "tz", None) is not None:
        days = days.dt.tz_localize(None)
    days = days.dt.normalize()
    edges = ends.dt.normalize().to_numpy(dtype="datetime64[ns]")
    position = np.searchsorted(edges, days.to_numpy(dtype="datetime64[ns]"), side="left")
    inside = days.notna().to_numpy() & (position < len(edges))
    labels = table["wave"].astype(str).to_numpy()
    out[inside] = labels[position[inside]]
    return out


def wave_slug(label: object) -> str:
    """A folder name for a wave label: lower case, ASCII letters, digits and ``-`` only.

    ``"2025-Q3"`` -> ``"2025-q3"``, ``"Gelombang 1"`` -> ``"gelombang-1"``. Never empty
    (a label with no usable character gives ``"wave-"`` and a short digest of the label),
    so never ``.`` or ``..``.
    """
    text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not slug:
        slug = "wave-" + hashlib.sha1(str(label).encode("utf-8")).hexdigest()[:8]
    return slug


def waves_table(labels: list[str], source: str, declared: list[str] | None = None) -> pd.DataFrame:
    """The processed ``waves`` table: one row per wave, in wave order.

    Columns ``wave`` (str), ``order`` (int64, 1 = first), ``start``, ``end``
    (datetime64[ns]: the first and last day of the period when every label reads as
    a period, else NaT for all), ``source`` (one of :data:`WAVE_SOURCES`). ``labels``
    are ordered by :func:`order_labels` (with ``declared``). No labels give the single
    wave :data:`SINGLE_WAVE`. Two labels with the same :func:`wave_slug` are an error
    (their archive folders would be one).
    """
    if source not in WAVE_SOURCES:
        raise ValueError(f"wave source {source!r} is not one of {', '.join(WAVE_SOURCES)}")
    ordered = order_labels(labels, declared)
    if not ordered:
        return single_wave_table()
    slugs: dict[str, str] = {}
    for label in ordered:
        other = slugs.setdefault(wave_slug(label), label)
        if other != label:
            raise EvalkitError(
                f"the wave labels {other!r} and {label!r} give the same folder name "
                f"{wave_slug(label)!r}; rename one of them (labels must differ in letters "
                "or digits, not only in case, spaces or punctuation)")
    parsed = [parse_wave_label(label) for label in ordered]
    dated = source != "single" and all(value is not None for value in parsed)
    start = [value[1] if dated else pd.NaT for value in parsed]
    end = [value[2] if dated else pd.NaT for value in parsed]
    return pd.DataFrame({
        "wave": pd.Series(ordered, dtype="str"),
        "order": pd.Series(np.arange(1, len(ordered) + 1), dtype="int64"),
        "start": pd.Series(pd.to_datetime(start), dtype="datetime64[ns]"),
        "end": pd.Series(pd.to_datetime(end), dtype="datetime64[ns]"),
        "source": pd.Series([source] * len(ordered), dtype="str"),
    })


def single_wave_table() -> pd.DataFrame:
    """The waves table of a project that declares no waves: one undated wave ``"1"``."""
    return pd.DataFrame({
        "wave": pd.Series([SINGLE_WAVE], dtype="str"),
        "order": pd.Series([1], dtype="int64"),
        "start": pd.Series([pd.NaT], dtype="datetime64[ns]"),
        "end": pd.Series([pd.NaT], dtype="datetime64[ns]"),
        "source": pd.Series(["single"], dtype="str"),
    })


def _ordered(waves: pd.DataFrame | None) -> pd.DataFrame:
    if waves is None or not len(waves):
        return single_wave_table()
    return waves.sort_values("order", kind="stable").reset_index(drop=True)


def latest_wave(waves: pd.DataFrame) -> str:
    """The label of the last wave (:data:`SINGLE_WAVE` for an empty table)."""
    return str(_ordered(waves)["wave"].iloc[-1])


def wave_order(waves: pd.DataFrame, wave: str) -> int:
    """The ``order`` of ``wave``; an error naming the known waves when it is not one."""
    table = _ordered(waves)
    match = table.loc[table["wave"].astype(str) == str(wave), "order"]
    if not len(match):
        raise EvalkitError(f"{wave!r} is not a wave; the waves are "
                           + ", ".join(table["wave"].astype(str)))
    return int(match.iloc[0])


def previous_wave(waves: pd.DataFrame, wave: str) -> str | None:
    """The wave before ``wave``, or ``None`` for the first (an unknown wave is an error)."""
    table = _ordered(waves)
    order = wave_order(table, wave)
    before = table.loc[table["order"] < order, "wave"]
    return str(before.iloc[-1]) if len(before) else None


def at_wave(frame: pd.DataFrame, wave: str) -> pd.DataFrame:
    """The rows of ``frame`` of ``wave``, with the rows whose wave is missing (a register
    that holds for every wave); a frame without a ``wave`` column is returned whole."""
    if "wave" not in frame.columns:
        return frame
    column = frame["wave"]
    keep = column.isna() | (column.astype("string") == str(wave)).fillna(False)
    return frame.loc[keep.to_numpy(dtype=bool)]


def _up_to(frame: pd.DataFrame, labels: set[str]) -> pd.DataFrame:
    if "wave" not in frame.columns:
        return frame
    column = frame["wave"]
    keep = column.isna() | column.astype("string").isin(labels).fillna(False)
    return frame.loc[keep.to_numpy(dtype=bool)]


def _year_at_most(frame: pd.DataFrame, column: str, year: int) -> pd.DataFrame:
    if column not in frame.columns:
        return frame
    values = pd.to_numeric(frame[column], errors="coerce")
    return frame.loc[(values.isna() | (values <= year)).to_numpy(dtype=bool)]


def as_of(tables: Mapping[str, pd.DataFrame], waves: pd.DataFrame,
          wave: str) -> dict[str, pd.DataFrame]:
    """The processed tables as they stood at ``wave``.

    - ``survey``, ``ties``, ``stakeholders``: rows of the waves up to and including
      ``wave`` (rows with a missing wave kept: a register for every wave);
    - when the waves are dated: ``attendance`` meetings dated on or before the wave's
      last day, ``indicator_values`` / ``indicator_annual`` of years up to the wave's
      end year, ``partnerships`` started (``start_year``) by then; undated waves keep
      these whole;
    - ``waves`` (also in the result): the waves up to ``wave``;
    - other tables unchanged. A table without a ``wave`` column counts as single-wave.

    At the latest wave nothing is cut by date: the data stand as they are now, so the
    latest wave's figures equal the current ones (:func:`snapshot`).
    """
    table = _ordered(waves)
    order = wave_order(table, wave)
    kept = table.loc[table["order"] <= order].reset_index(drop=True)
    labels = set(kept["wave"].astype(str))
    out = dict(tables)
    for name in _WAVE_TABLES:
        if name in out and out[name] is not None:
            out[name] = _up_to(out[name], labels)
    end = kept["end"].iloc[-1] if "end" in kept.columns else pd.NaT
    latest = order == int(table["order"].max())
    if not latest and not pd.isna(end):
        end = pd.Timestamp(end)
        attendance = out.get("attendance")
        if attendance is not None and "meeting_date" in attendance.columns:
            dates = pd.to_datetime(attendance["meeting_date"], errors="coerce").dt.normalize()
            out["attendance"] = attendance.loc[(dates <= end.normalize()).to_numpy(dtype=bool)]
        for name in ("indicator_values", "indicator_annual"):
            if out.get(name) is not None:
                out[name] = _year_at_most(out[name], "year", end.year)
        if out.get("partnerships") is not None:
            out["partnerships"] = _year_at_most(out["partnerships"], "start_year", end.year)
    out["waves"] = kept
    return out


def snapshot(tables: Mapping[str, pd.DataFrame], waves: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The data of the latest wave only: ``survey``, ``ties`` and ``stakeholders`` rows
    of the latest wave (:func:`at_wave`: register rows for every wave kept); every other
    table unchanged. The current reports and results describe this."""
    latest = latest_wave(waves)
    out = dict(tables)
    for name in _WAVE_TABLES:
        if name in out and out[name] is not None:
            out[name] = at_wave(out[name], latest)
    return out
