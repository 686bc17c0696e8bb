"""What the reports read about the programme itself, beside the results tables.

The languages the form has labels in and the optional inputs that had no file or only a
header (``manifest.json``, written by :func:`evalkit.clean.pipeline.run_clean`). Older
processed folders without these fall back to evalkit's defaults: both languages,
nothing missing. (The scale and the sectors are read by :mod:`evalkit.read.products`.)

Presentation layer: the regional report, the synthesis, the Excel summary and the
index page read the programme through these functions, so they all agree.
"""

from __future__ import annotations

from evalkit.clean.pipeline import RAW_FILES
from evalkit.read.products import OTHER_LANG

__all__ = ["form_languages", "absent_inputs", "input_file"]

# Inputs whose data come from a sheet of another input's file (the indicator workbook).
_INPUT_OF_TABLE = {"indicator_targets": "indicators", "indicator_values": "indicators",
                   "indicator_metadata": "indicators", "indicator_annual": "indicators"}


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
    """The raw file (:data:`evalkit.clean.pipeline.RAW_FILES`) that fills processed table ``table``."""
    return RAW_FILES[_INPUT_OF_TABLE.get(table, table)]
