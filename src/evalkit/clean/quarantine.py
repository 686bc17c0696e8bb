"""The result of cleaning one table: clean rows, quarantined rows with reasons, value flags.

Every row that enters a cleaner leaves either in :attr:`CleanResult.data` or in
:attr:`CleanResult.quarantine` (``len(raw) == len(data) + len(quarantine)``); problems
with single values that cost no row are :attr:`CleanResult.flags`. Quarantine records and
details quote the user's rows, so they are scrubbed of personal data here
(:mod:`evalkit.clean.pii`), and personal columns are left out.

Both name the survey wave of their row (column ``wave``, :func:`with_waves`) when the
table has waves and the row had one, so that the quarantine and flags of one wave are
those rows (:mod:`evalkit.run.archive` keeps them in that wave's view).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from evalkit.clean.pii import _scrub, _scrub_texts
from evalkit.clean.rows import FLAG_COLUMNS, QUARANTINE_COLUMNS


@dataclass
class CleanResult:
    """Clean rows, quarantined rows (with reasons) and value-level flags of one table."""

    data: pd.DataFrame
    quarantine: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))
    flags: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FLAG_COLUMNS))
    warnings: list[str] = field(default_factory=list)  # problems that cost no row
    #: The wave of every raw row, indexed by ``source_row`` (``<NA>``: none); None for a
    #: table without waves. Set by :func:`with_waves`.
    waves: pd.Series | None = None


def _no_wave(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def tag_waves(frame: pd.DataFrame, waves: pd.Series, *, table: str | None = None) -> pd.DataFrame:
    """Quarantine or flag rows of one file with column ``wave``: the wave of the raw row
    each names (``source_row`` looked up in ``waves``, a :attr:`CleanResult.waves`).

    ``table``: only the rows of that table are given a wave (the others keep theirs).
    """
    out = frame.copy()
    found = frame["source_row"].map(waves) if len(frame) else pd.Series(dtype="str")
    wave = (out["wave"] if "wave" in out.columns
            else pd.Series(_no_wave(len(out)), index=out.index)).astype("str")
    mine = out["table"].eq(table) if table is not None else pd.Series(True, index=out.index)
    out["wave"] = wave.mask(mine.to_numpy(dtype=bool), found.to_numpy(dtype=object)).astype("str")
    return out


def with_waves(result: CleanResult, source_rows: pd.Series, waves: pd.Series) -> CleanResult:
    """``result`` with the wave of each quarantine and flag row (:func:`tag_waves`).

    ``source_rows`` and ``waves``: per raw row of the file, its ``source_row`` and its wave
    as the cleaner read it (``<NA>`` where it has none: the wave field blank or not a
    wave, a register row for every wave, an attendance row without a readable date).
    """
    by_row = pd.Series(waves.to_numpy(dtype=object), index=source_rows.to_numpy(dtype="int64"),
                       dtype=object).astype("str")
    return replace(result, quarantine=tag_waves(result.quarantine, by_row),
                   flags=tag_waves(result.flags, by_row), waves=by_row)


def _records(frame: pd.DataFrame, drop: list[str]) -> list[str]:
    kept = frame.drop(columns=[c for c in drop if c in frame.columns])
    scrubbed: dict[str, str] = {}  # the same text (a Likert label...) is scrubbed once

    def scrub(v: object) -> str | None:
        if isinstance(v, str):
            if v not in scrubbed:
                scrubbed[v] = _scrub(v)
            return scrubbed[v]
        return None if pd.isna(v) else _scrub(str(v))

    # Free text may hold contacts too: the record is scrubbed like kept rows are.
    # Rows are zipped from whole columns (Python values, as to_dict("records") gives),
    # each scrubbed; in a text column each distinct text once.
    names = list(kept.columns)
    if not names:
        return ["{}"] * len(kept)
    columns = []
    for i in range(len(names)):
        values = kept.iloc[:, i]
        if isinstance(values.dtype, pd.StringDtype):  # only text (str) or missing
            codes, uniques = pd.factorize(values)
            texts = uniques.tolist()
            unseen = [text for text in texts if text not in scrubbed]
            scrubbed.update(zip(unseen, _scrub_texts(unseen)))
            table = np.array([scrubbed[text] for text in texts] + [None], dtype=object)
            columns.append(table[codes].tolist())  # missing (code -1): None
        else:
            columns.append([scrub(v) for v in values.tolist()])
    return [json.dumps(dict(zip(names, row)), ensure_ascii=False) for row in zip(*columns)]


def _pick(value: object, mask: pd.Series) -> object:
    """A per-row Series restricted to ``mask`` (as text), or a constant as it is."""
    return value[mask].map(str).to_numpy() if isinstance(value, pd.Series) else value


def quarantine_rows(frame: pd.DataFrame, mask: pd.Series, *, table: str, source: str | pd.Series,
                    reason: str | pd.Series, detail: str | pd.Series = "",
                    drop: list[str] = ()) -> pd.DataFrame:
    """Quarantine table rows for ``frame[mask]``; personal columns in ``drop`` are left out.

    ``source``, ``reason`` and ``detail`` are either one value or one per row of ``frame``.
    """
    rows = frame[mask]
    detail = _pick(detail, mask)  # details quote raw values: scrubbed like the record
    detail = (_scrub(detail) if isinstance(detail, str)
              else np.array(_scrub_texts([str(d) for d in detail]), dtype=object))
    return pd.DataFrame({
        "table": table, "source_file": _pick(source, mask), "source_row": rows["source_row"].to_numpy(),
        "reason": _pick(reason, mask), "detail": detail,
        "record": _records(rows.drop(columns="source_row"), list(drop)),
        "wave": pd.Series(_no_wave(len(rows)), dtype="str"),  # with_waves names it
    }, columns=QUARANTINE_COLUMNS)


def make_flags(frame: pd.DataFrame, mask: pd.Series, *, table: str, source: str | pd.Series,
               column: str, issue: str, action: str | pd.Series,
               values: pd.Series | None = None) -> pd.DataFrame:
    """Flag rows for ``frame[mask]``: the value kept in ``column`` has an issue (row kept)."""
    vals = (values if values is not None else frame[column])[mask]
    return pd.DataFrame({
        "table": table, "source_file": _pick(source, mask),
        "source_row": frame["source_row"][mask].to_numpy(),
        "column": column, "value": vals.map(str).to_numpy(), "issue": issue,
        "action": _pick(action, mask),
        "wave": pd.Series(_no_wave(int(mask.sum())), dtype="str"),  # with_waves names it
    }, columns=FLAG_COLUMNS)
