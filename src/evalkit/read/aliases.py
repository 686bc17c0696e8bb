"""Programme-specific spellings: the optional ``data/raw/aliases.csv``.

An officer whose exports spell a region, a sector, a partnership type or an attendance
answer in a way evalkit does not know writes one row per spelling instead of editing the
raw data::

    kind;value;means
    region;Kab Tj Jabung Barat;1507
    sector;Pemkab;government_office
    partnership_type;Nota Kesepahaman;MOU
    attendance;datang;yes

``kind`` is one of :data:`KINDS`; ``value`` is the spelling as it appears in the raw file
(matched case- and whitespace-insensitively); ``means`` is what evalkit should read instead:
a region code or official region name, a sector choice name of the codebook, a partnership
type (MOU/PKS/KSD/informal) or ``yes``/``no``. The file may be separated by ``;`` or ``,``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evalkit.core.contract import normalize_label as normalise_label  # the codebook's rule
from evalkit.core.errors import DataError, InputFileError
from evalkit.read.io import read_table

ALIASES_FILE = "aliases.csv"
COLUMNS = ("kind", "value", "means")
KINDS = ("region", "sector", "partnership_type", "attendance")
# The targets of the kinds with a fixed vocabulary (normalised -> canonical spelling).
PARTNERSHIP_TYPE_TARGETS = {"mou": "MOU", "pks": "PKS", "ksd": "KSD", "informal": "informal"}
ATTENDANCE_TARGETS = {"yes": "yes", "no": "no"}
_FIXED_TARGETS = {"partnership_type": PARTNERSHIP_TYPE_TARGETS, "attendance": ATTENDANCE_TARGETS}

Aliases = dict[str, dict[str, str]]


def empty_aliases() -> Aliases:
    """No aliases: one empty mapping per kind."""
    return {kind: {} for kind in KINDS}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip()


def read_aliases(path: Path | str) -> Aliases:
    """The aliases of ``path`` as ``{kind: {normalised value: means}}`` (every kind present).

    Errors name the file, the row (as in Excel: header = row 1) and the column: a missing
    column, a blank value or meaning, an unknown kind (the message lists the kinds), a
    partnership type or attendance answer outside its vocabulary, and one spelling given
    two different meanings. A file with only its header gives no aliases.
    """
    path = Path(path)
    raw = read_table(path)
    columns = {normalise_label(c): c for c in raw.columns}
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise InputFileError(
            path, f"missing column(s) {', '.join(missing)}: an aliases file needs the columns "
                  f"kind, value and means (found: {', '.join(map(str, raw.columns)) or 'none'})")
    aliases = empty_aliases()
    origin: dict[tuple[str, str], int] = {}
    for position, record in enumerate(raw[[columns[c] for c in COLUMNS]].itertuples(index=False)):
        row = position + 2
        kind_raw, value, means = record
        if all(_blank(v) for v in record):
            continue  # an empty line
        if _blank(kind_raw):
            raise DataError(path, f"blank kind: write one of {', '.join(KINDS)}",
                            row=row, column=columns["kind"])
        kind = normalise_label(kind_raw).replace(" ", "_").replace("-", "_")
        if kind not in KINDS:
            raise DataError(path, f"unknown kind '{kind_raw}': the kinds are {', '.join(KINDS)}",
                            row=row, column=columns["kind"])
        if _blank(value):
            raise DataError(path, "blank value: write the spelling as it appears in the raw file",
                            row=row, column=columns["value"])
        if _blank(means):
            raise DataError(path, f"blank meaning for '{value}': write what evalkit should read "
                                  f"instead", row=row, column=columns["means"])
        target = str(means).strip()
        if kind in _FIXED_TARGETS:
            vocabulary = _FIXED_TARGETS[kind]
            if normalise_label(target) not in vocabulary:
                raise DataError(
                    path, f"'{target}' is not a {kind.replace('_', ' ')}: write one of "
                          f"{', '.join(dict.fromkeys(vocabulary.values()))}",
                    row=row, column=columns["means"])
            target = vocabulary[normalise_label(target)]
        key = normalise_label(value)
        previous = aliases[kind].get(key)
        if previous is not None and previous != target:
            raise DataError(
                path, f"{kind} '{value}' already means '{previous}' (row {origin[kind, key]}): "
                      f"give each spelling one meaning", row=row, column=columns["means"])
        aliases[kind][key] = target
        origin[kind, key] = row
    return aliases


def load_aliases(raw_dir: Path | str) -> Aliases:
    """The aliases of ``raw_dir/aliases.csv``, or no aliases when the file does not exist."""
    path = Path(raw_dir) / ALIASES_FILE
    return read_aliases(path) if path.exists() else empty_aliases()


def apply_aliases(values: pd.Series, mapping: dict[str, str] | None) -> pd.Series:
    """``values`` with every value whose normalised form is in ``mapping`` replaced.

    Other values (and missing values) are returned unchanged; the index is kept.
    """
    if not mapping:
        return values
    distinct = pd.unique(values.dropna())
    replace = {}
    for value in distinct:
        target = mapping.get(normalise_label(value))
        if target is not None and target != value:
            replace[value] = target
    if not replace:
        return values
    hit = values.isin(list(replace))
    out = values.astype(object).copy()
    out[hit] = values[hit].map(replace)
    return out
