"""Region columns: each row's region name -> the official Kemendagri code, name and level.

Names in any spelling (and the user's ``region`` aliases) are matched once per distinct
name (:mod:`evalkit.read.regions`); an unmatched or blank name is a :class:`DataError`
naming the row and the closest registry names. A name that is a province and a
kabupaten/kota (``Jambi``) is read as the file's other names tell and flagged (rule
``ambiguous_region``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.clean.quarantine import make_flags
from evalkit.clean.rules import AMBIGUOUS_REGION
from evalkit.core.errors import DataError
from evalkit.read.aliases import apply_aliases
from evalkit.read.regions import RegionNotFoundError, choose_reading, region_readings


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
    codes, regions = region_codes(apply_aliases(frame[column], aliases),
                                   frame["source_row"].to_numpy(), column, source, notes=notes)

    def spread(attribute: str) -> pd.Series:
        if frame.empty:  # text columns, as the non-empty path gives
            return pd.Series(None, index=frame.index, dtype=object)
        return pd.Series(region_attribute(regions, attribute).array.take(codes),
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


def region_codes(values: pd.Series, source_rows: np.ndarray, column: str, source: str,
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


def region_attribute(regions: list, attribute: str) -> pd.Series:
    """One attribute of each entry of a :func:`region_codes` list (None for an unused one)."""
    return pd.Series([getattr(region, attribute) if region is not None else None
                      for region in regions])
