"""The result of cleaning one table: clean rows, quarantined rows with reasons, value flags.

Every row that enters a cleaner leaves either in :attr:`CleanResult.data` or in
:attr:`CleanResult.quarantine` (``len(raw) == len(data) + len(quarantine)``); problems
with single values that cost no row are :attr:`CleanResult.flags`. Quarantine records and
details quote the user's rows, so they are scrubbed of personal data here
(:mod:`evalkit.clean.pii`), and personal columns are left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

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
    }, columns=FLAG_COLUMNS)
