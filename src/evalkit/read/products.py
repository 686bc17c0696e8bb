"""evalkit's own products on disk, read back: processed tables, the results, the manifest.

Every stage above the clean stage reads through these functions (presentation only
reads): a missing file names the command that makes it, a damaged one is named as such
(:func:`evalkit.read.io.read_parquet_checked`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from evalkit.core.config import PROCESSED_DATA_DIR
from evalkit.core.contract import DEFAULT_SCALE, PENTAHELIX, Scale, pentahelix_category
from evalkit.core.errors import EvalkitError
from evalkit.read.io import read_parquet_checked
from evalkit.read.waves import at_wave, latest_wave, single_wave_table

MANIFEST = "manifest.json"  # the clean stage's record, beside the processed tables
RESULTS_DIR = "results"  # the cross-region results, a folder inside the processed one


def read_manifest(processed_dir: Path | str = PROCESSED_DATA_DIR) -> dict:
    """The clean stage's manifest; a clear error when ``evalkit clean`` has not been run."""
    path = Path(processed_dir) / MANIFEST
    if not path.exists():
        raise EvalkitError(f"{path} does not exist: run `evalkit clean` first.")
    return json.loads(path.read_text(encoding="utf-8"))


def manifest_digest(manifest: dict) -> str:
    """Short fingerprint of a manifest: reports and the index cite it as provenance."""
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode("utf-8")).hexdigest()[:12]


def read_processed(name: str, processed_dir: Path = PROCESSED_DATA_DIR) -> pd.DataFrame:
    """One processed table; a clear error when ``evalkit clean`` has not been run."""
    path = Path(processed_dir) / f"{name}.parquet"
    if not path.exists():
        raise EvalkitError(f"{path} does not exist: run `evalkit clean` first.")
    return read_parquet_checked(path, "run `evalkit clean` to rebuild the processed data")


def read_scale(processed_dir: Path | str = PROCESSED_DATA_DIR) -> Scale:
    """The items' answer scale (``scale.parquet``); the 1–5 default when it is absent or
    empty (a folder cleaned before evalkit read the scale from the form)."""
    path = Path(processed_dir) / "scale.parquet"
    if not path.exists():
        return DEFAULT_SCALE
    table = read_parquet_checked(path, "run `evalkit clean` to rebuild the processed data")
    return Scale.from_table(table) if len(table) >= 2 else DEFAULT_SCALE


def read_waves(processed_dir: Path | str = PROCESSED_DATA_DIR) -> pd.DataFrame:
    """The waves table (``waves.parquet``, :func:`evalkit.read.waves.waves_table`), in
    wave order; the single-wave table for a folder cleaned before evalkit knew waves."""
    path = Path(processed_dir) / "waves.parquet"
    if not path.exists():
        return single_wave_table()
    table = read_parquet_checked(path, "run `evalkit clean` to rebuild the processed data")
    if not len(table):
        return single_wave_table()
    return table.sort_values("order", kind="stable").reset_index(drop=True)


def read_latest(name: str, processed_dir: Path | str = PROCESSED_DATA_DIR) -> pd.DataFrame:
    """A processed table's rows of the latest wave, as every current result describes them
    (:func:`evalkit.read.waves.at_wave`: a register row for every wave is kept; a table
    without waves is returned whole)."""
    return at_wave(read_processed(name, processed_dir), latest_wave(read_waves(processed_dir)))


#: The other report language, the one a blank label falls back to.
OTHER_LANG = {"id": "en", "en": "id"}


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


def read_sectors(processed_dir: Path | str = PROCESSED_DATA_DIR) -> pd.DataFrame:
    """``sector, label_id, label_en, pentahelix`` in form order (``sectors.parquet``).

    Blank labels fall back as :func:`with_language_fallback` says. A table from before
    the contract (no ``pentahelix`` column) maps each code by
    :func:`evalkit.core.contract.pentahelix_category` (unknown -> ``""``, outside the five).
    """
    sectors = with_language_fallback(read_processed("sectors", processed_dir).reset_index(drop=True),
                                     "label", "sector")
    if "pentahelix" not in sectors.columns:
        sectors["pentahelix"] = [pentahelix_category(s) or "" for s in sectors["sector"].astype(str)]
    sectors["pentahelix"] = sectors["pentahelix"].fillna("").astype(str)
    return sectors[["sector", "label_id", "label_en", "pentahelix"]]


def results_dir(processed_dir: Path = PROCESSED_DATA_DIR, subfolder: str | None = None) -> Path:
    """The results folder; ``subfolder`` (``choices-<digest>``:
    :attr:`evalkit.analyse.choices.AnalysisChoices.folder`) that of results computed with
    other analysis choices than the defaults, inside it."""
    folder = Path(processed_dir) / RESULTS_DIR
    return folder / subfolder if subfolder else folder


RESULTS_STAMP = "results.json"  # inside the results folder: what the results came from


def read_results_stamp(processed_dir: Path | str = PROCESSED_DATA_DIR, *,
                       subfolder: str | None = None) -> dict:
    """The results stage's stamp (the processed digest and code digest they came from,
    the analysis choices); ``{}`` when there is none or it cannot be read. ``subfolder``:
    as :func:`results_dir`."""
    try:
        stamp = json.loads((results_dir(processed_dir, subfolder) / RESULTS_STAMP).read_text(
            encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def read_result(name: str, processed_dir: Path = PROCESSED_DATA_DIR, *,
                subfolder: str | None = None) -> pd.DataFrame:
    """One saved cross-region table (see :func:`compute_results` for the names);
    ``subfolder``: as :func:`results_dir` (results of other analysis choices)."""
    path = results_dir(processed_dir, subfolder) / f"{name}.parquet"
    if not path.exists():
        raise EvalkitError(f"no cross-region result {name!r} in {path.parent}: "
                           "run `evalkit run` (it computes them) first.")
    return read_parquet_checked(path, "run `evalkit run` again to recompute the cross-region "
                                      "results")


def programme_sectors(processed_dir: Path = PROCESSED_DATA_DIR) -> pd.DataFrame:
    """The programme's sectors table (``sectors.parquet``, form order); a processed
    folder from before the table existed gets the five pentahelix keys, each its own
    category (labels = codes)."""
    if not (Path(processed_dir) / "sectors.parquet").exists():
        keys = list(PENTAHELIX)
        return pd.DataFrame({"sector": keys, "label_id": keys, "label_en": keys,
                             "pentahelix": keys})
    return read_sectors(processed_dir)
