"""Where a table's header is when title rows sit above it: found in the frame as read.

An officer's sheet or CSV often starts with a title ("Daftar Pemangku Kepentingan 2024")
or a merged group-header row; the reader then takes that row for the header.
:func:`find_header_row` finds the real one and :func:`header_row_hint` words it for a
missing-column message. Pure (a DataFrame in, a row number or a sentence out), so it
sits in the foundation: the argument guard of :mod:`evalkit.core.checks`, the file
readers of :mod:`evalkit.read.io` and the clean stage's column checks give the same hint.
"""

from __future__ import annotations

import math

import pandas as pd

#: Rows below the file's first row searched for the real header.
HEADER_SEARCH_ROWS = 10


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def header_key(value: object) -> str:
    """A header cell compared case- and whitespace-insensitively (``" Region  Code"`` ->
    ``"region code"``); missing cells are blank."""
    if _is_missing(value):
        return ""
    return " ".join(str(value).replace("\ufeff", "").split()).casefold()


def find_header_row(frame: pd.DataFrame, names, *,
                    max_rows: int = HEADER_SEARCH_ROWS) -> int | None:
    """The row that holds the header when title rows sit above it, or None.

    When a sheet or CSV starts with a title ("Daftar Pemangku Kepentingan 2024") or a
    merged group-header row, the reader takes that row for the header and the real
    header becomes a data row. This looks for it among the first ``max_rows`` rows.

    Parameters
    ----------
    frame : DataFrame
        As :func:`evalkit.read.io.read_table` read it (row 1 of the file taken as the header).
    names : iterable of str, or callable
        The required column names, compared case- and whitespace-insensitively; or a
        function that gets the row's values (stripped text, blanks as ``""``) and
        returns True when the row is the header (for a survey, whose columns match the
        codebook by label or group path).
    max_rows : int
        How many rows below the header to look at.

    Returns
    -------
    int or None
        The row number as the officer sees it: the Excel row (header = row 1) for a
        workbook, the line for a CSV (blank lines counted, from ``attrs["record_lines"]``
        that :func:`evalkit.read.io.read_table` sets). ``1`` when the frame's own header holds every
        name once case and spaces are ignored (no title row: the names only differ in
        spelling); None when no row within ``max_rows`` holds them all.
    """
    if callable(names):
        matches = names
    else:
        wanted = {header_key(n) for n in names}
        wanted.discard("")
        if not wanted:
            return None

        def matches(values: list[str]) -> bool:
            return wanted <= {header_key(v) for v in values}
    if matches([" ".join(str(c).split()) for c in frame.columns]):
        return 1
    lines = list(frame.attrs.get("record_lines") or [])
    for position, values in enumerate(frame.head(max_rows).itertuples(index=False, name=None)):
        if matches(["" if _is_missing(v) else " ".join(str(v).split()) for v in values]):
            return lines[position] if position < len(lines) else position + 2
    return None


def header_row_hint(frame: pd.DataFrame, names) -> str:
    """``"the header seems to be on row N (...)"`` for a missing-column message, or ``""``.

    Used by every ``require_columns`` (:func:`evalkit.core.checks.require_columns`,
    :func:`evalkit.clean.rows.require_columns`) and the codebook's checks, so that they all
    say the same; see :func:`find_header_row`.
    """
    try:
        row = find_header_row(frame, names)
    except Exception:  # noqa: BLE001 - a hint must never hide the error it explains
        return ""
    return "" if row is None or row == 1 else title_hint(row)


def title_hint(row: int) -> str:
    """The sentence saying that the header is on ``row`` below title rows."""
    above = "row 1 above it looks" if row == 2 else f"rows 1-{row - 1} above it look"
    return (f"the header seems to be on row {row} ({above} like a title); delete the rows "
            "above the header.")
