"""The declared input contract: the vocabulary every stage shares.

This is the lowest layer of evalkit (it imports only numpy, pandas and
:mod:`evalkit.core.domain`). It names

* the five **pentahelix** categories (government, business, academia, community,
  media) that a programme's own sector codes map to, and the common words officers
  use for them (:data:`PENTAHELIX_WORDS`, :func:`pentahelix_category`; defined in
  :mod:`evalkit.core.domain`, re-exported here);
* the **roles** a survey field can play (:data:`ROLES`), of which the region and the
  sector are required (:data:`REQUIRED_ROLES`);
* the answer **scale** of the survey items (:class:`Scale`), read from the form's
  choice list; :data:`DEFAULT_SCALE` is the 1–5 agreement scale;
* the speeder rule (:data:`SPEEDER_SECONDS_PER_ITEM`).

The pentahelix categories are a domain concept (the Indonesian extension of
multi-stakeholder partnership to government, business, academia, community and
media), not a programme's vocabulary: a programme's sectors map to them, and a
sector may lie outside all five.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

# the pentahelix vocabulary lives in the domain module; named here too for the stages
# that read it as part of the input contract
from evalkit.core.domain import (  # noqa: F401
    OUTSIDE_PENTAHELIX_WORDS,
    PENTAHELIX,
    PENTAHELIX_WORDS,
    pentahelix_category,
)

__all__ = [
    "normalize_label", "PENTAHELIX", "PENTAHELIX_WORDS", "OUTSIDE_PENTAHELIX_WORDS", "pentahelix_category",
    "ROLES", "REQUIRED_ROLES", "Scale", "DEFAULT_SCALE", "SPEEDER_SECONDS_PER_ITEM",
]


def normalize_label(text: object) -> str:
    """Case- and whitespace-insensitive form of a label: ``' Sangat  Setuju'`` -> ``'sangat setuju'``.

    The one rule every matching of user-typed values uses (codebook labels, aliases,
    sector and region spellings).
    """
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


#: Roles a survey field can play; declared in the codebook's ``role`` column.
ROLES: tuple[str, ...] = ("id", "region", "sector", "organisation", "consent", "start", "end",
                          "wave")
#: Roles without which a survey cannot be cleaned.
REQUIRED_ROLES: tuple[str, ...] = ("region", "sector")

#: Minimum seconds per scale item for a response not to count as a speeder: the
#: demo's 30 items give 180 s (three minutes), the limit evalkit always used.
SPEEDER_SECONDS_PER_ITEM = 6.0


def _number_text(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Scale:
    """The answer scale of the survey items: its scored points and their labels.

    Parameters
    ----------
    values : tuple of float
        The scored points, ascending (``(1, 2, 3, 4)``, ``(0, 1, ..., 6)``).
    labels_id, labels_en : tuple of str
        One label per value in Indonesian and English. A blank label falls back to the
        other language, then to the value itself.

    Notes
    -----
    Reverse-keyed items are recoded as ``min + max - x``, which maps each point of a
    symmetric scale to its mirror (on 1–4: 1 -> 4; on 0–6: 0 -> 6).
    """

    values: tuple[float, ...]
    labels_id: tuple[str, ...] = ()
    labels_en: tuple[str, ...] = ()

    def __post_init__(self):
        values = tuple(float(v) for v in self.values)
        if len(values) < 2:
            raise ValueError(f"a scale needs at least two points, not {values!r}")
        if any(b <= a for a, b in zip(values, values[1:])):
            raise ValueError(f"scale points must be strictly ascending: {values!r}")
        n = len(values)

        def clean(labels) -> list[str]:
            labels = list(labels or ())
            if labels and len(labels) != n:
                raise ValueError(f"{len(labels)} labels for {n} scale points")
            labels = labels or [""] * n
            return ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v).strip()
                    for v in labels]

        lab_id, lab_en = clean(self.labels_id), clean(self.labels_en)
        fill_id = tuple(a or b or _number_text(v) for a, b, v in zip(lab_id, lab_en, values))
        fill_en = tuple(b or a or _number_text(v) for a, b, v in zip(lab_id, lab_en, values))
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "labels_id", fill_id)
        object.__setattr__(self, "labels_en", fill_en)

    @property
    def min(self) -> float:
        """Lowest point."""
        return self.values[0]

    @property
    def max(self) -> float:
        """Highest point."""
        return self.values[-1]

    @property
    def k(self) -> int:
        """Number of points."""
        return len(self.values)

    @property
    def midpoint(self) -> float:
        """``(min + max) / 2``: the middle of the range (a point only when k is odd)."""
        return (self.min + self.max) / 2

    @property
    def neutral(self) -> float | None:
        """The middle point when the scale has an odd number of points, else ``None``."""
        return self.values[self.k // 2] if self.k % 2 else None

    def reverse(self, x):
        """``min + max - x``: works on scalars, numpy arrays and Series (NaN stays NaN)."""
        return self.min + self.max - x

    def label(self, value, lang: str = "id") -> str:
        """The label of a scale point in ``"id"`` or ``"en"``.

        Raises
        ------
        ValueError
            ``lang`` is not ``"id"``/``"en"``.
        KeyError
            ``value`` is not a point of the scale.
        """
        if lang not in ("id", "en"):
            raise ValueError(f"lang must be 'id' or 'en', not {lang!r}")
        labels = self.labels_id if lang == "id" else self.labels_en
        try:
            at = self.values.index(float(value))
        except (ValueError, TypeError):
            raise KeyError(f"{value!r} is not a point of the scale {self.range_text()}") from None
        return labels[at]

    def range_text(self) -> str:
        """The range as text with an en dash: ``"1–5"``, ``"1–4"``, ``"0–6"``."""
        return f"{_number_text(self.min)}\u2013{_number_text(self.max)}"

    def to_table(self) -> pd.DataFrame:
        """One row per point: ``value`` (float64), ``label_id``, ``label_en``, ``neutral``
        (bool: the neutral point). :meth:`from_table` reads it back."""
        neutral = self.neutral
        return pd.DataFrame({
            "value": np.asarray(self.values, dtype="float64"),
            "label_id": pd.Series(self.labels_id, dtype=object),
            "label_en": pd.Series(self.labels_en, dtype=object),
            "neutral": np.array([neutral is not None and v == neutral for v in self.values],
                                dtype=bool),
        })

    @classmethod
    def from_table(cls, df: pd.DataFrame) -> Scale:
        """The scale a :meth:`to_table` table (e.g. ``scale.parquet``) describes."""
        df = df.sort_values("value")
        get = lambda col: tuple(df[col]) if col in df.columns else ()  # noqa: E731
        return cls(tuple(df["value"].astype(float)), get("label_id"), get("label_en"))


#: The 1–5 agreement scale (1 = Sangat tidak setuju / Strongly disagree ...
#: 5 = Sangat setuju / Strongly agree), evalkit's default.
DEFAULT_SCALE = Scale(
    (1, 2, 3, 4, 5),
    ("Sangat tidak setuju", "Tidak setuju", "Netral", "Setuju", "Sangat setuju"),
    ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"),
)
