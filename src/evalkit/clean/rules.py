"""Plausibility rules: values that read as numbers, years, dates or regions but cannot be right.

Modelled on DHIS2 validation rules (DHIS2 documentation, "Configuring validation rules"):
each rule has a name, the tables and columns it checks, what it checks and one action:

- ``quarantine``: the row leaves the clean table and is listed in the quarantine with the
  rule's name as ``reason`` (and a ``detail`` that quotes the value);
- ``flag``: the row is kept, the value as the rule read it, and listed in the flags with the
  rule's name as ``issue`` and what was done as ``action``.

:data:`RULES` is the one table of them; the cleaners of the clean stage take reasons and
issues from it (``FUTURE_YEAR.name``...), :func:`rules_table` lists it (as
``docs/input-contract.md`` does, section "Plausibility rules"). Column names are those of the
raw files; ``survey.start``/``survey.end``/``survey.region`` are the fields with those roles.

"Today", for the rules about the future, is the date of the clean: :func:`today`, which
reads ``$EVALKIT_TODAY`` (``YYYY-MM-DD``) when it is set, so that tests and a re-run of an
old clean can fix it. A value in a year after today's is not an observation (yet).
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass

import pandas as pd

from evalkit.core.errors import EvalkitError

QUARANTINE = "quarantine"
FLAG = "flag"
TODAY_ENV = "EVALKIT_TODAY"

# |x| above this is no indicator value of any region: more than the yearly GDP of any
# Indonesian province in Rupiah (DKI Jakarta: about 3.4e15 Rp in 2023). It keeps 1e308
# and the like from the models, where their squares overflow to inf.
MAX_MAGNITUDE = 1e16
# Years a baseline, target or partnership start can have.
YEAR_RANGE = (1900, 2100)
# Units whose values are whole numbers (counts; Rupiah): ``1,250`` there is 1250.
WHOLE_NUMBER_UNITS = frozenset({
    "rp", "rupiah", "orang", "jiwa", "unit", "kk", "rumah tangga", "ruta", "desa",
    "kelurahan", "dokumen", "kegiatan", "kali", "buah", "lembaga", "organisasi", "sekolah",
    "count", "number", "people", "persons", "households", "villages", "documents", "events",
})


@dataclass(frozen=True)
class Rule:
    """One plausibility rule: ``name`` (the reason or issue written), the ``columns`` it
    checks as ``table.column``, its ``action`` (:data:`QUARANTINE` or :data:`FLAG`) and
    what it checks, in English and Indonesian."""

    name: str
    columns: tuple[str, ...]
    action: str
    description: str
    description_id: str

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables of :attr:`columns`, in order, each once."""
        return tuple(dict.fromkeys(c.split(".", 1)[0] for c in self.columns))


_REGION_COLUMNS = tuple(f"{t}.region" for t in (
    "survey", "stakeholders", "attendance", "partnerships", "ties", "indicator_values",
    "indicator_targets"))

FUTURE_YEAR = Rule(
    "future_year",
    ("indicator_values.year", "indicator_values.period", "indicator_targets.baseline_year"),
    QUARANTINE,
    "An observed value whose period starts after the date of the clean (a year after this "
    "year, a quarter not yet begun), or a baseline year after this year. Target years may "
    "lie in the future and are not checked.",
    "Nilai terukur yang periodenya dimulai setelah tanggal pembersihan (tahun setelah tahun "
    "ini, triwulan yang belum dimulai), atau tahun baseline setelah tahun ini. Tahun target "
    "boleh di masa depan dan tidak diperiksa.")
START_IN_FUTURE = Rule(
    "start_in_future", ("partnerships.start_year",), QUARANTINE,
    "A partnership whose start year is after this year has not started: it is not counted "
    "(nor as treatment in the attribution models); add it when it starts.",
    "Kemitraan dengan tahun mulai setelah tahun ini belum dimulai: tidak dihitung (juga "
    "tidak dalam model atribusi); masukkan setelah dimulai.")
TARGET_BEFORE_BASELINE = Rule(
    "target_before_baseline", ("indicator_targets.target_year", "indicator_targets.baseline_year"),
    QUARANTINE,
    "The target year is before the baseline year: no progress can be measured toward it.",
    "Tahun target sebelum tahun baseline: kemajuan tidak dapat diukur.")
IMPLAUSIBLE_YEAR = Rule(
    "implausible_year",
    ("indicator_targets.baseline_year", "indicator_targets.target_year",
     "partnerships.start_year"),
    QUARANTINE,
    f"A year that is not a whole number from {YEAR_RANGE[0]} to {YEAR_RANGE[1]} "
    "(2019.5, 20190, 2.019).",
    f"Tahun yang bukan bilangan bulat {YEAR_RANGE[0]}–{YEAR_RANGE[1]} (2019,5, 20190).")
NON_FINITE_VALUE = Rule(
    "non_finite_value",
    ("indicator_values.value", "indicator_targets.baseline_value",
     "indicator_targets.target_value", "indicator_targets.baseline_year",
     "indicator_targets.target_year", "stakeholders.influence", "stakeholders.interest",
     "ties.trust", "ties.value", "partnerships.start_year"),
    QUARANTINE,
    "inf, -inf or nan written as a value: not a number any statistic can use (quarantined "
    "before any model sees it).",
    "inf, -inf atau nan sebagai nilai: bukan angka yang dapat dipakai (dikarantina sebelum "
    "masuk model).")
ABSURD_MAGNITUDE = Rule(
    "absurd_magnitude",
    ("indicator_values.value", "indicator_targets.baseline_value",
     "indicator_targets.target_value"),
    QUARANTINE,
    f"A value beyond ±{MAX_MAGNITUDE:.0e} (1e308...): no indicator of a region is that large. "
    "(Percentages above 100 are impossible_value; register and ties ratings off their "
    "scale have their own rules.)",
    f"Nilai di luar ±{MAX_MAGNITUDE:.0e}: tidak ada indikator daerah sebesar itu.")
THOUSANDS_OR_DECIMAL = Rule(
    "thousands_or_decimal",
    ("indicator_values.value", "indicator_targets.baseline_value",
     "indicator_targets.target_value"),
    FLAG,
    "1.250 or 1,250 (one separator, three digits after it) can be a thousands separator or "
    "a decimal mark. Decided, and flagged, by the sheet's other values of the indicator, "
    "else of the sheet (a decimal comma elsewhere: the dot groups thousands; a decimal dot "
    "elsewhere: the dot is decimal), else by the unit (counts and Rupiah are whole, "
    "percentages at most 100).",
    "1.250 atau 1,250 bisa pemisah ribuan atau tanda desimal. Diputuskan (dan ditandai) "
    "menurut nilai lain indikator itu di sheet yang sama, lalu nilai lain sheet itu, lalu "
    "satuannya (hitungan dan Rupiah bulat, persen paling besar 100).")
AMBIGUOUS_NUMBER = Rule(
    "ambiguous_number",
    ("indicator_values.value", "indicator_targets.baseline_value",
     "indicator_targets.target_value"),
    FLAG,
    "1.250 or 1,250 where neither the other values nor the unit tell which reading is meant: "
    "kept, read the Indonesian way (the dot groups thousands, the comma is decimal), the "
    "reading named in the flag. Check it.",
    "1.250 atau 1,250 yang tidak dapat diputuskan: dibaca cara Indonesia (titik = ribuan, "
    "koma = desimal), bacaan disebut dalam tanda. Periksa.")
NOT_WHOLE_NUMBER = Rule(
    "not_whole_number", ("stakeholders.influence", "stakeholders.interest"), QUARANTINE,
    "A rating of the register's whole-number 1-5 scale written with a fraction (3,5): neither "
    "3 nor 4 can be preferred, so the row is quarantined, never truncated.",
    "Nilai skala bulat 1-5 register yang ditulis pecahan (3,5): baris dikarantina, tidak "
    "dibulatkan.")
EXCEL_SERIAL_DATE = Rule(
    "excel_serial_date", ("survey.start", "survey.end", "attendance.meeting_date"), FLAG,
    "A date or time stored as an Excel serial number (45678.5): converted in Excel's 1900 "
    "date system (its nonexistent 29 February 1900 respected) and flagged. Numbers reading "
    "as dates before 1950 or after 2100 are not dates.",
    "Tanggal/waktu yang tersimpan sebagai nomor seri Excel (45678,5): dikonversi (sistem "
    "tanggal 1900 Excel) dan ditandai.")
AMBIGUOUS_REGION = Rule(
    "ambiguous_region", _REGION_COLUMNS, FLAG,
    "A name that is a province and a kabupaten/kota (Jambi: Provinsi Jambi and Kota Jambi; "
    "Bengkulu; Gorontalo). Read as the one the same file names elsewhere, else as the one at "
    "the level of the file's other regions (all cities/regencies: the city), else as the "
    "province; always flagged with the reading.",
    "Nama yang sekaligus provinsi dan kabupaten/kota (Jambi). Dibaca sebagai yang disebut di "
    "bagian lain file, lalu menurut tingkat daerah lain di file, lalu sebagai provinsi; "
    "selalu ditandai.")

RULES: tuple[Rule, ...] = (
    FUTURE_YEAR, START_IN_FUTURE, TARGET_BEFORE_BASELINE, IMPLAUSIBLE_YEAR, NON_FINITE_VALUE,
    ABSURD_MAGNITUDE, THOUSANDS_OR_DECIMAL, AMBIGUOUS_NUMBER, NOT_WHOLE_NUMBER,
    EXCEL_SERIAL_DATE, AMBIGUOUS_REGION,
)
RULE_COLUMNS = ["name", "tables", "columns", "action", "description", "description_id"]


def rules_table() -> pd.DataFrame:
    """:data:`RULES` as a table: one row per rule, tables and columns joined by ``, ``."""
    return pd.DataFrame([{
        "name": r.name, "tables": ", ".join(r.tables), "columns": ", ".join(r.columns),
        "action": r.action, "description": r.description, "description_id": r.description_id,
    } for r in RULES], columns=RULE_COLUMNS)


def rule(name: str) -> Rule:
    """The rule called ``name``."""
    for r in RULES:
        if r.name == name:
            return r
    raise KeyError(f"no plausibility rule {name!r}; rules: {', '.join(r.name for r in RULES)}")


def today() -> _dt.date:
    """The date of the clean: ``$EVALKIT_TODAY`` (``YYYY-MM-DD``) when set, else today."""
    text = os.environ.get(TODAY_ENV, "").strip()
    if not text:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise EvalkitError(f"${TODAY_ENV} is {text!r}; write the date as YYYY-MM-DD.") from None


def period_start(year: int, quarter: int | None) -> _dt.date:
    """The first day of a year or of a quarter of it."""
    return _dt.date(int(year), 1 if quarter is None or pd.isna(quarter) else 3 * int(quarter) - 2, 1)
