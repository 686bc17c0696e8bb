"""Small argument guards shared by the analysis modules.

One module for argument guards so every module raises the same error type with the same
wording. Every guard raises :class:`ValueError` (including for a table that is not a
DataFrame), and its message names the argument, what was wrong and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from evalkit.core.domain import LANGS
from evalkit.core.headers import header_row_hint

__all__ = ["require_columns", "check_level", "check_min_n", "check_lang"]

_LANG_NAMES = {"id": "Indonesian", "en": "English"}


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise ``ValueError`` unless ``df`` is a DataFrame holding every name in ``columns``.

    ``what`` names the table in the message (e.g. ``"scores"``); the message lists the
    missing columns, the required ones and the columns that are there, and, when the
    header sits lower down below title rows, where (the same hint as
    :func:`evalkit.clean.rows.require_columns`:
    :func:`evalkit.core.headers.header_row_hint`).
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}.")
    columns = list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        hint = header_row_hint(df, columns)
        raise ValueError(
            f"{what} is missing column(s) {missing}; required columns: {columns}; "
            f"available columns: {list(df.columns)}."
            + (f" {hint[0].upper()}{hint[1:]}" if hint else "")
        )


def check_level(ci: float) -> float:
    """Return the confidence level ``ci`` as a float; it must be a number strictly in (0, 1)."""
    if (isinstance(ci, bool) or not isinstance(ci, (int, float, np.integer, np.floating))
            or not math.isfinite(float(ci)) or not 0 < float(ci) < 1):
        raise ValueError(
            f"ci must be a confidence level strictly between 0 and 1 (e.g. 0.95), got {ci!r}."
        )
    return float(ci)


def check_min_n(min_n: int, minimum: int = 0, reason: str = "") -> int:
    """Return ``min_n`` as an int; it must be an integer (not a bool) ``>= minimum``.

    ``reason`` (optional) is added to the message to say why the minimum is what it is.
    """
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < minimum:
        need = "a non-negative integer" if minimum == 0 else f"an integer >= {minimum}"
        why = f" ({reason})" if reason else ""
        raise ValueError(f"min_n must be {need}{why}, got {min_n!r}.")
    return int(min_n)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is one of :data:`evalkit.core.domain.LANGS` (``"id"`` or ``"en"``)."""
    if not isinstance(lang, str) or lang not in LANGS:
        allowed = " or ".join(f"{code!r} ({_LANG_NAMES.get(code, code)})" for code in LANGS)
        raise ValueError(f"lang must be a language code, one of {allowed}; got {lang!r}.")
    return lang
