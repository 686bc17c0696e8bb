"""Row bookkeeping every cleaner shares: quarantine and flag columns, row numbers, headers.

The lowest module of the clean stage (it imports only core and read), so that every
other clean module, the personal-data scrubber (:mod:`evalkit.clean.pii`) included, can
use it: the column lists of the quarantine and flag tables, row numbers as the officer
sees them in Excel, the check that a raw table has the columns it needs, a column's
distinct values mapped once, and one kind of the user's aliases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.core.errors import InputFileError
from evalkit.core.headers import header_row_hint

#: The quarantine table's columns. ``wave``: the survey wave of the quarantined row when
#: it had one (:func:`evalkit.clean.quarantine.with_waves`); missing when the wave is the
#: row's problem (``no_wave``, ``unknown_wave``), cannot be read (an attendance row without
#: a readable date), or the table has no waves (indicators, partnerships).
QUARANTINE_COLUMNS = ["table", "source_file", "source_row", "reason", "detail", "record", "wave"]

#: The flag table's columns; ``wave`` as in :data:`QUARANTINE_COLUMNS` (the flagged row's).
FLAG_COLUMNS = ["table", "source_file", "source_row", "column", "value", "issue", "action", "wave"]


def excel_rows(frame: pd.DataFrame) -> pd.Series:
    """Row numbers as the officer sees them in Excel/CSV (header is row 1)."""
    return pd.Series(np.arange(len(frame)) + 2, index=frame.index, name="source_row")


def map_distinct(values: pd.Series, func) -> pd.Series:
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


def concat_rows(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def require_columns(frame: pd.DataFrame, columns: list[str], source: str) -> None:
    """Raise :class:`InputFileError` naming the missing columns (and a title row above the
    header, when the header is found lower down: :func:`evalkit.core.headers.header_row_hint`)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        hint = header_row_hint(frame, columns)
        raise InputFileError(source, f"missing column(s) {', '.join(map(repr, missing))}; "
                                     f"found {', '.join(map(repr, frame.columns))}."
                                     + (f" {hint[0].upper()}{hint[1:]}" if hint else ""))


def alias_kind(aliases: dict[str, dict[str, str]] | None, kind: str) -> dict[str, str] | None:
    """One kind of :func:`evalkit.read.aliases.read_aliases` (None when there are none)."""
    return (aliases or {}).get(kind) or None
