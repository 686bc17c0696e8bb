"""Likert answers -> scores on the form's scale, answers off the scale flagged.

Labels in either language, choice names and numbers are read against each item's
choice list (:class:`evalkit.read.codebook.Codebook`); "don't know"-type answers
become missing (:data:`NO_ANSWER_LABELS`). :func:`score_items` keeps the scores
compact (:class:`ItemScores`) for large exports; :func:`recode_likert` returns them
as a DataFrame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.clean.quarantine import make_flags
from evalkit.clean.rows import FLAG_COLUMNS, concat_rows
from evalkit.read.codebook import Codebook, normalize_label

# Answers that mean "no answer on the scale", whatever the form's choice list says:
# they become missing, never a score, and are not flagged as errors.
NO_ANSWER_LABELS = {"tidak tahu", "tidak tau", "tt", "don't know", "dont know", "do not know",
                    "n/a", "na", "tidak berlaku", "not applicable", "-", "tidak menjawab",
                    "refused", "menolak"}


def recode_likert(raw: pd.DataFrame, codebook: Codebook, *, table: str,
                  source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Likert answers (labels in either language, numbers, case/space variants) -> scores.

    Scores are the numeric choice names of each item's list, on the codebook's
    :attr:`~evalkit.read.codebook.Codebook.scale` (any number of points, 0-based too).
    "Don't know"-type choices (``missing = yes`` on the choices sheet, or a known code)
    become missing, never a score. Numbers outside the scale (flagged ``out of range``
    with the scale's range, e.g. ``1-4``) and unrecognised text become missing and are
    flagged.
    """
    scores, flags = score_items(raw, codebook, table=table, source=source)
    return scores.frame(), flags


@dataclass
class ItemScores:
    """Item scores kept small: per item, each row's code into a table of its scores.

    ``tables[j][codes[j][row]]`` is the score of item ``j`` on ``row`` (NaN: missing).
    The float block (8 bytes a cell) is made only for the rows asked for, so a million
    rows of 30 items are not written and copied whole twice.
    """

    items: list[str]
    codes: list[np.ndarray]
    tables: list[np.ndarray]
    index: pd.Index

    def block(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """The scores of ``rows`` (positions), one column per item (column-major)."""
        n = len(range(len(self.index))[rows]) if isinstance(rows, slice) else len(rows)
        out = np.empty((n, len(self.items)), order="F")
        for j, (codes, table) in enumerate(zip(self.codes, self.tables)):
            np.take(table, codes[rows], out=out[:, j])
        return out

    def frame(self, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The scores as recode_likert returns them, of all rows or of ``rows``."""
        block = self.block(slice(None) if rows is None else rows)
        index = self.index if rows is None else self.index[rows]
        return pd.DataFrame(block, index=index, columns=self.items, copy=False)


def score_items(raw: pd.DataFrame, codebook: Codebook, *, table: str,
                   source: str) -> tuple[ItemScores, pd.DataFrame]:
    """:func:`recode_likert`, the scores as :class:`ItemScores`."""
    items, flags, all_codes, tables = codebook.item_names, [], [], []
    scale = codebook.scale
    lists = {name: (codebook.choice_lookup(name), codebook.scale_points(name))
             for name in codebook.items["list_name"].unique()}
    for item, list_name in zip(items, codebook.items["list_name"]):
        lookup, points = lists[list_name]
        col = raw[item]
        # text columns (CSV) factorize as they are; others as Python objects, as before
        codes, uniques = pd.factorize(col if isinstance(col.dtype, pd.StringDtype)
                                      else col.astype(object), use_na_sentinel=True)
        mapped, issues = np.full(len(uniques), np.nan), [None] * len(uniques)
        for i, value in enumerate(uniques):
            key = normalize_label(value)
            if re.fullmatch(r"\d+(\.0+)?", key):
                key = str(int(float(key)))
            if key in lookup:
                mapped[i] = points[lookup[key]]
            elif key in NO_ANSWER_LABELS:
                continue  # missing, not an error
            elif re.fullmatch(r"-?\d+(\.\d+)?", key):
                inside = scale.min <= float(key) <= scale.max
                issues[i] = ("not a point of the scale" if inside
                             else f"out of range {scale.range_text().replace(chr(0x2013), '-')}")
            else:
                issues[i] = "not a choice of the scale"
        # blanks (code -1) pick the NaN appended last; an item nobody answered is all NaN
        small = np.int8 if len(uniques) < np.iinfo(np.int8).max else np.intp
        all_codes.append(np.where(codes < 0, len(uniques), codes).astype(small))
        tables.append(np.append(mapped, np.nan))
        for i, issue in enumerate(issues):
            if issue:
                mask = pd.Series(codes == i, index=raw.index)
                flags.append(make_flags(raw, mask, table=table, source=source, column=item,
                                        issue=issue, action="set to missing"))
    return ItemScores(items, all_codes, tables, raw.index), concat_rows(flags, FLAG_COLUMNS)
