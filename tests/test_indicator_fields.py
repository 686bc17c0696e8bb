"""Periods, units and breakdowns of indicator value rows, as officers type them."""

from __future__ import annotations

import pytest

from evalkit.read.indicator_fields import (
    normalise_age_group,
    normalise_area,
    normalise_sex,
    normalise_unit,
    parse_period,
    period_label,
    unit_factor,
)


@pytest.mark.parametrize("cell, expected", [
    (2024, (2024, None)), (2024.0, (2024, None)), ("2024", (2024, None)), ("2024.0", (2024, None)),
    ("2024-Q1", (2024, 1)), ("2024q2", (2024, 2)), ("2024 Q3", (2024, 3)), ("Q4 2024", (2024, 4)),
    ("Q1-2025", (2025, 1)), ("TW I 2024", (2024, 1)), ("TW II 2024", (2024, 2)),
    ("tw-iii 2024", (2024, 3)), ("Triwulan IV 2024", (2024, 4)), ("Triwulan 2 2024", (2024, 2)),
    ("2024-TW3", (2024, 3)), ("Kuartal 1 2023", (2023, 1)),
])
def test_periods_in_the_spellings_reports_use(cell, expected):
    assert parse_period(cell) == expected


@pytest.mark.parametrize("cell", ["2024-Q5", "Q0 2024", "TW V 2024", "24", "tahun 2024", "",
                                  None, float("nan"), 1850, "2024-13"])
def test_unreadable_periods_are_none(cell):
    assert parse_period(cell) is None


def test_period_label_is_one_spelling():
    assert period_label(2024, None) == "2024"
    assert period_label(2024, 3) == "2024-Q3"


def test_unit_aliases_and_exact_conversions():
    assert normalise_unit(" Persen ") == normalise_unit("%") == "%"
    assert normalise_unit("Rp Miliar") == normalise_unit("miliar rupiah") == "miliar rp"
    assert unit_factor("persen", "%") == 1.0
    assert unit_factor(None, "%") == 1.0  # no unit stated: the metadata's unit is assumed
    assert unit_factor("juta Rp", "miliar Rp") == pytest.approx(0.001)
    assert unit_factor("proporsi", "%") == 100.0
    assert unit_factor("orang", "%") is None  # people are not a percentage
    assert unit_factor("miliar Rp", "%") is None


@pytest.mark.parametrize("cell, expected", [
    (None, "total"), ("", "total"), ("L", "male"), ("Laki-laki", "male"), ("perempuan", "female"),
    ("P", "female"), ("Female", "female"), ("L+P", "total"), ("Jumlah", "total"), ("X", None),
])
def test_sex(cell, expected):
    assert normalise_sex(cell) == expected


@pytest.mark.parametrize("cell, expected", [
    (None, "total"), ("Perkotaan", "urban"), ("perdesaan", "rural"), ("Pedesaan", "rural"),
    ("Urban", "urban"), ("pinggiran", None),
])
def test_area(cell, expected):
    assert normalise_area(cell) == expected


@pytest.mark.parametrize("cell, expected", [
    (None, "total"), ("15-24", "15-24"), ("15 - 24 tahun", "15-24"), ("0 s/d 4", "0-4"),
    ("65+", "65+"), ("65 tahun ke atas", "65+"), ("Total", "total"), ("remaja", None),
])
def test_age_group(cell, expected):
    assert normalise_age_group(cell) == expected
