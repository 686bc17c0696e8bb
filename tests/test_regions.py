"""Tests for evalkit.read.regions: any spelling of a region name or code -> Kemendagri code."""

from __future__ import annotations

import pytest

from evalkit.core.errors import EvalkitError
from evalkit.read.regions import (
    Region,
    RegionNotFoundError,
    all_regions,
    get_region,
    normalize_name,
    resolve_region,
)


# --------------------------------------------------------------------------------------
# names in the spellings M&E exports contain
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "Kota Jambi",
        "KOTA JAMBI",  # upper case
        "Kota  Jambi ",  # double inner space, trailing space
        "Kt. Jambi",  # abbreviated prefix with a dot
        "Jambi City",  # English suffix form
    ],
)
def test_kota_jambi_variants(value):
    region = resolve_region(value)
    assert region.code == "15.71"
    assert region.name == "Kota Jambi"
    assert region.level == 2
    assert region.type == "kota"
    assert region.province_code == "15"


@pytest.mark.parametrize(
    "value",
    [
        "Kab. Klaten",
        "Kabupaten Klaten",
        "KAB KLATEN",
        "Klaten",  # bare name: no province is called Klaten, so it means the regency
    ],
)
def test_kabupaten_klaten_variants(value):
    region = resolve_region(value)
    assert region.code == "33.10"
    assert region.name == "Kabupaten Klaten"
    assert region.type == "kabupaten"
    assert region.province_code == "33"


@pytest.mark.parametrize("value", ["Kota Baubau", "Bau Bau", "Kota Bau Bau", "Baubau"])
def test_baubau_written_as_one_or_two_words(value):
    # The registry spells it "Kota Bau Bau"; exports use both forms.
    region = resolve_region(value)
    assert region.code == "74.72"
    assert region.name == "Kota Bau Bau"


def test_dki_jakarta_alias_is_the_province():
    region = resolve_region("DKI Jakarta")
    assert region.code == "31"
    assert region.level == 1
    assert region.type == "provinsi"


def test_bare_province_name_wins_over_its_capital_city():
    # "Jambi" is both the province (15) and Kota Jambi (15.71); the bare name is the
    # province, the city needs its "Kota" prefix.
    region = resolve_region("Jambi")
    assert region.code == "15"
    assert region.level == 1
    assert region.province_code == "15"


@pytest.mark.parametrize("value", ["Provinsi Sumatera Selatan", "Prov. Sumatera Selatan"])
def test_province_with_prefix(value):
    assert resolve_region(value).code == "16"


# --------------------------------------------------------------------------------------
# codes
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["15.71", "1571", " 15.71 "])
def test_codes_dotted_and_undotted(value):
    assert resolve_region(value).code == "15.71"
    assert resolve_region(value).name == "Kota Jambi"


def test_get_region_by_code():
    region = get_region("96.02")
    assert region == Region("96.02", "Kabupaten Sorong Selatan", 2, "kabupaten", "96")


def test_province_code():
    assert resolve_region("33").name == "Jawa Tengah"


def test_unknown_code_raises():
    with pytest.raises(RegionNotFoundError, match=r"'99\.99'"):
        resolve_region("99.99")


def test_unknown_code_via_get_region_raises():
    with pytest.raises(RegionNotFoundError):
        get_region("1599")


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------
def test_ambiguous_name_lists_both_candidates():
    # Bandung is both Kabupaten Bandung (32.04) and Kota Bandung (32.73).
    with pytest.raises(RegionNotFoundError) as info:
        resolve_region("Bandung")
    message = str(info.value)
    assert "ambiguous" in message
    assert "32.04" in message
    assert "32.73" in message


def test_prefixed_name_resolves_the_ambiguity():
    assert resolve_region("Kota Bandung").code == "32.73"
    assert resolve_region("Kab. Bandung").code == "32.04"


def test_misspelt_name_suggests_closest():
    with pytest.raises(RegionNotFoundError) as info:
        resolve_region("Kota Jambbi")
    message = str(info.value)
    assert "'Kota Jambbi'" in message  # names the value the officer typed
    assert "Kota Jambi (15.71)" in message


def test_region_not_found_is_an_evalkit_error():
    assert issubclass(RegionNotFoundError, EvalkitError)
    # ... and a ValueError, so generic callers can catch it too.
    assert issubclass(RegionNotFoundError, ValueError)
    with pytest.raises(EvalkitError):
        resolve_region("Atlantis")


# --------------------------------------------------------------------------------------
# registry and helpers
# --------------------------------------------------------------------------------------
def test_all_regions_counts():
    regions = all_regions()
    # Kepmendagri 300.2.2-2138/2025: 38 provinces, 514 kabupaten/kota.
    assert sum(r.level == 1 for r in regions) == 38
    assert sum(r.level == 2 for r in regions) == 514
    assert len(regions) == 552
    assert len({r.code for r in regions}) == 552  # codes are unique


def test_all_regions_children_point_to_existing_province():
    regions = all_regions()
    provinces = {r.code for r in regions if r.level == 1}
    assert all(r.province_code in provinces for r in regions if r.level == 2)
    assert {r.type for r in regions} == {"provinsi", "kabupaten", "kota"}


@pytest.mark.parametrize(
    "code, slug",
    [
        ("15.71", "kota-jambi"),
        ("74.72", "kota-bau-bau"),
        ("96.02", "kabupaten-sorong-selatan"),
        ("31", "daerah-khusus-ibukota-jakarta"),
    ],
)
def test_slug(code, slug):
    assert get_region(code).slug == slug


def test_slug_strips_punctuation():
    region = Region("00.00", "Kota X. (Baru)", 2, "kota", "00")
    assert region.slug == "kota-x-baru"


def test_normalize_name():
    assert normalize_name(" Kt.  Jambi ") == "kt jambi"
    assert normalize_name("KAB. KLATEN") == "kab klaten"
