"""What the reports read about the programme itself, beside the results tables.

The form's answer scale (``scale.parquet``), its sectors with their labels and
pentahelix categories (``sectors.parquet``), the languages the form has labels in and
the optional inputs that had no file or only a header (``manifest.json``, written by
:func:`evalkit.pipeline.run_clean`). Older processed folders without these fall back
to evalkit's defaults: the 1–5 agreement scale, each sector mapped by its code, both
languages, nothing missing.

Presentation layer: the regional report, the synthesis, the Excel summary and the
index page read the programme through these functions, so they all agree.
"""

from __future__ import annotations

import pandas as pd

# the one reader of the scale and the sectors, shared with evalkit.results
from evalkit.pipeline import RAW_FILES, read_scale, read_sectors

__all__ = ["read_scale", "read_sectors", "with_language_fallback", "form_languages",
           "absent_inputs", "input_file", "OTHER_LANG"]

#: The other report language, the one a blank label falls back to.
OTHER_LANG = {"id": "en", "en": "id"}

# Inputs whose data come from a sheet of another input's file (the indicator workbook).
_INPUT_OF_TABLE = {"indicator_targets": "indicators", "indicator_values": "indicators",
                   "indicator_metadata": "indicators", "indicator_annual": "indicators"}


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | values.astype(str).str.strip().isin(["", "nan", "None"])


def with_language_fallback(frame: pd.DataFrame, stem: str = "label",
                           key: str | None = None) -> pd.DataFrame:
    """``frame`` with blank ``<stem>_id`` / ``<stem>_en`` filled from the other language,
    then from ``key`` (the code), so no report ever shows a blank or ``nan`` label.

    Missing columns are created. ``stem`` is ``"label"`` (items, dimensions, sectors) or
    ``"name"`` (indicators).
    """
    out = frame.copy()
    cols = {lang: f"{stem}_{lang}" for lang in OTHER_LANG}
    for col in cols.values():
        if col not in out.columns:
            out[col] = pd.Series([None] * len(out), index=out.index, dtype=object)
    original = {lang: out[col].astype(object) for lang, col in cols.items()}
    for lang, col in cols.items():
        other = original[OTHER_LANG[lang]]
        filled = original[lang].where(~_blank(original[lang]), other)
        if key is not None and key in out.columns:
            filled = filled.where(~_blank(filled), out[key].astype(str))
        out[col] = filled.where(~_blank(filled), "").astype(object)
    return out


def form_languages(manifest: dict) -> tuple[str, ...]:
    """Languages the survey form has labels in (``manifest["form"]["languages"]``); both
    when the manifest does not say (an older processed folder)."""
    languages = (manifest.get("form") or {}).get("languages")
    return tuple(languages) if languages else tuple(OTHER_LANG)


def absent_inputs(manifest: dict) -> dict[str, str]:
    """Optional inputs without data: table name -> ``"missing"`` (no file) or ``"empty"``
    (only a header), from ``manifest["inputs_missing"]`` / ``["inputs_empty"]``."""
    out = {name: "empty" for name in manifest.get("inputs_empty") or ()}
    out |= {name: "missing" for name in manifest.get("inputs_missing") or ()}
    return out


def input_file(table: str) -> str:
    """The raw file (:data:`evalkit.pipeline.RAW_FILES`) that fills processed table ``table``."""
    return RAW_FILES[_INPUT_OF_TABLE.get(table, table)]
