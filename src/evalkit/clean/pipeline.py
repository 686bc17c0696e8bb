"""The clean stage: ``data/raw/`` -> ``data/processed/*.parquet`` + quarantine + manifest.

This module owns the file I/O around the pure cleaners (:mod:`evalkit.clean.survey`,
:mod:`evalkit.clean.indicators`, :mod:`evalkit.clean.stakeholders`): which raw file holds
which table, the pseudonymisation key, atomic writes and the manifest
(input hashes, rows in / cleaned / quarantined per table, package versions). It reads
``data/raw/`` and never writes there.

Survey waves (:mod:`evalkit.read.waves`): one folder per wave, ``data/raw/waves/<label>/``
(:func:`wave_folders`), each with its own survey export and optionally ties, register and
attendance, cleaned file by file; or waves from the form (a wave field, or the codebook's
``wave_period``). ``waves.parquet`` lists them; the manifest counts rows per wave.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from evalkit import __version__
from evalkit.clean.indicators import (
    INDICATOR_META_COLUMNS,
    INDICATOR_TARGET_COLUMNS,
    annual_series,
    clean_indicator_metadata,
    clean_indicator_targets,
    clean_indicator_values,
    indicators_wide_to_long,
)
from evalkit.clean.pii import NAMES_FILE, scrub_inputs
from evalkit.clean.quarantine import CleanResult, tag_waves
from evalkit.clean.rows import FLAG_COLUMNS, QUARANTINE_COLUMNS, excel_rows, require_columns
from evalkit.clean.rules import today as rules_today
from evalkit.clean.stakeholders import (
    ATTENDANCE_COLUMNS,
    PARTNERSHIP_COLUMNS,
    REGISTER_COLUMNS,
    TIE_COLUMNS,
    clean_attendance,
    clean_partnerships,
    clean_register,
    clean_ties,
    wave_header,
)
from evalkit.clean.survey import DEFAULT_POLICY, clean_survey
from evalkit.core import digest
from evalkit.core.config import (
    PROCESSED_DATA_DIR,
    PSEUDONYM_KEY_ENV,
    PSEUDONYM_KEY_FILE,
    RAW_DATA_DIR,
)
from evalkit.core.contract import SPEEDER_SECONDS_PER_ITEM
from evalkit.core.digest import VERSIONED_PACKAGES, package_versions  # noqa: F401 (re-exported)
from evalkit.core.errors import EvalkitError, InputFileError
from evalkit.core.lock import hold, refuse_inside_raw, replace_atomic, write_atomic
from evalkit.read.aliases import ALIASES_FILE, load_aliases
from evalkit.read.codebook import check_columns, read_codebook
from evalkit.read.io import file_sha256, read_table, read_workbook
from evalkit.read.products import MANIFEST
from evalkit.read.waves import WAVES_COLUMNS, parse_wave_label, waves_table

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
# Survey and codebook are required; the other inputs are optional (a missing or
# header-only file gives an empty table, listed in the manifest).
REQUIRED_INPUTS = ("survey", "codebook")
OPTIONAL_INPUTS = ("indicators", "stakeholders", "attendance", "partnerships", "ties")
# The survey may also arrive as SPSS, Stata or CSV; the first of these found is used.
SURVEY_ALTERNATIVES = ("survey_kobo_export.xlsx", "survey.sav", "survey.dta", "survey.csv")
# Else the one file named survey*.<one of these> or *kobo*.<one of these> is the survey.
SURVEY_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".sav", ".zsav", ".dta")
_NOT_SURVEY_WORDS = ("codebook", "xlsform")  # a Kobo form (kobo_form_xlsform.xlsx) is no export
# Columns and dtypes of each table of an optional input: the table written when its
# input is missing or has only its header (so every reader finds its columns).
TABLE_SCHEMAS: dict[str, dict[str, str]] = {
    "stakeholders": {"region_code": "str", "province_code": "str", "organisation": "str",
                     "sector": "str", "influence": "int64", "interest": "int64", "wave": "str"},
    "attendance": {"region_code": "str", "province_code": "str", "meeting_date": "datetime64[ns]",
                   "meeting": "str", "organisation": "str", "sector": "str", "attended": "bool",
                   "wave": "str"},
    "partnerships": {"region_code": "str", "name": "str", "type": "str", "formal": "bool",
                     "start_year": "int64", "sdg_themes": "str"},
    "ties": {"region_code": "str", "province_code": "str", "organisation": "str",
             "organisation_sector": "str", "partner": "str", "partner_sector": "str",
             "level": "int64", "trust": "float64", "value": "float64", "wave": "str"},
    "indicator_metadata": {"indicator_id": "str", "sdg_code": "str", "name_id": "str",
                           "name_en": "str", "unit": "str", "direction": "str",
                           "annual_rule": "str"},
    "indicator_targets": {"region_code": "str", "indicator_id": "str", "baseline_year": "int64",
                          "baseline_value": "float64", "target_year": "int64",
                          "target_value": "float64", "direction": "str"},
    "indicator_values": {"region_code": "str", "indicator_id": "str", "year": "int64",
                         "quarter": "Int64", "period": "str", "sex": "str", "age_group": "str",
                         "area": "str", "value": "float64", "source": "string"},
    "indicator_annual": {"region_code": "str", "indicator_id": "str", "year": "int64",
                         "value": "float64", "quarters": "int64"},
    "waves": dict(WAVES_COLUMNS),
}
# One folder per wave: data/raw/waves/<label>/, each with its survey export and
# optionally these inputs (the codebook, indicators, partnerships, aliases stay at the top).
WAVES_DIR = "waves"
WAVE_INPUTS = ("survey", "stakeholders", "attendance", "ties")
# Tables whose rows carry a wave (the manifest counts their rows per wave).
WAVE_TABLES = ("survey", "ties", "stakeholders", "attendance")
# The columns a header-only file of each table must still have.
_HEADER_COLUMNS = {"stakeholders": REGISTER_COLUMNS, "attendance": ATTENDANCE_COLUMNS,
                   "partnerships": PARTNERSHIP_COLUMNS, "ties": TIE_COLUMNS,
                   "indicator_targets": INDICATOR_TARGET_COLUMNS}


def empty_table(name: str) -> pd.DataFrame:
    """The processed table ``name`` with no rows: its normal columns and dtypes."""
    return pd.DataFrame({column: pd.Series(dtype=dtype)
                         for column, dtype in TABLE_SCHEMAS[name].items()})


def find_survey(raw_dir: Path) -> Path:
    """The survey export in ``raw_dir``.

    The first of :data:`SURVEY_ALTERNATIVES` that exists; else the one file named
    ``survey*`` or ``*kobo*`` with a :data:`SURVEY_SUFFIXES` suffix. Several such files
    are an error listing them; none gives the default name (reported missing when read).
    """
    raw_dir = Path(raw_dir)
    for name in SURVEY_ALTERNATIVES:
        if (raw_dir / name).is_file():
            return raw_dir / name
    others = {file for table, file in RAW_FILES.items() if table != "survey"} | {ALIASES_FILE}
    candidates = sorted(
        path for path in (raw_dir.iterdir() if raw_dir.is_dir() else ())
        if path.is_file() and path.name not in others
        and not path.name.startswith(("~$", "."))  # Excel lock files, hidden files
        and path.suffix.lower() in SURVEY_SUFFIXES
        and (path.name.lower().startswith("survey") or "kobo" in path.name.lower())
        and not any(word in path.name.lower() for word in _NOT_SURVEY_WORDS))
    if len(candidates) > 1:
        raise InputFileError(raw_dir, "several files could be the survey export: "
                             + ", ".join(p.name for p in candidates)
                             + f". Keep one of them in {raw_dir} (or name it survey.csv).")
    return candidates[0] if candidates else raw_dir / RAW_FILES["survey"]
#: Where the clean stage's code starts: its import closure is the code the processed
#: data depend on (:func:`code_digest`).
CLEAN_CODE = "evalkit.clean.pipeline"


def code_digest(root: Path | str | None = None) -> str:
    """SHA-256 over the source of every evalkit module the clean stage runs: the import
    closure of :data:`CLEAN_CODE` (:func:`evalkit.core.digest.code_digest`), config
    included. The manifest records it; another one makes the processed data stale."""
    return digest.code_digest(CLEAN_CODE, root)


def input_paths(raw_dir: Path) -> dict[str, Path]:
    """The raw file of each input in ``raw_dir`` (it may not exist: a missing required
    file is reported when read, a missing optional one gives an empty table)."""
    paths = {name: Path(raw_dir) / file for name, file in RAW_FILES.items()}
    paths["survey"] = find_survey(raw_dir)
    return paths


def wave_label_of_folder(name: str) -> str:
    """The wave label of a wave folder: the canonical period label when the name reads
    as a period (``2025q3`` -> ``2025-Q3``, :func:`evalkit.read.waves.parse_wave_label`),
    else the name itself."""
    parsed = parse_wave_label(name)
    return parsed[0] if parsed is not None else name


def wave_folders(raw_dir: Path) -> dict[str, Path]:
    """Wave label -> folder, for the folders of ``raw_dir/waves/`` (hidden ones aside);
    empty when there is none. Two folders read as one label are an error."""
    root = Path(raw_dir) / WAVES_DIR
    if not root.is_dir():
        return {}
    found: dict[str, Path] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        label = wave_label_of_folder(folder.name)
        if label in found:
            raise InputFileError(root, f"the folders {found[label].name!r} and {folder.name!r} "
                                       f"are both wave {label!r}; keep one folder per wave.")
        found[label] = folder
    return found


def wave_input_paths(folder: Path) -> dict[str, Path]:
    """The raw file of each :data:`WAVE_INPUTS` input in a wave folder (it may not exist)."""
    paths = {name: Path(folder) / RAW_FILES[name] for name in WAVE_INPUTS}
    paths["survey"] = find_survey(folder)
    return paths


def check_wave_layout(raw_dir: Path) -> dict[str, Path]:
    """:func:`wave_folders`, after checking the layout: a survey export at the top level
    beside wave folders, or a wave folder without a survey export, is an error."""
    folders = wave_folders(raw_dir)
    if not folders:
        return folders
    top = find_survey(raw_dir)
    if top.is_file():
        listed = ", ".join(p.name for p in folders.values())
        root = next(iter(folders.values())).parent
        raise InputFileError(top, f"is a survey export at the top of {raw_dir} beside the wave "
                                  f"folders in {root} ({listed}); "
                                  "move it into its wave's folder (data/raw/waves/<label>/) or "
                                  "remove the waves folder.")
    for folder in folders.values():
        if not wave_input_paths(folder)["survey"].is_file():
            raise InputFileError(folder, f"wave folder {folder.name!r} has no survey export "
                                         f"(e.g. {RAW_FILES['survey']} or survey.csv); put the "
                                         "wave's export there or remove the folder.")
    return folders


def present_inputs(raw_dir: Path) -> list[Path]:
    """The input files that exist in ``raw_dir``, ``aliases.csv`` and ``names_to_mask.csv``
    included, and those of the wave folders (:func:`wave_folders`), in path order."""
    paths = [*input_paths(raw_dir).values(), Path(raw_dir) / ALIASES_FILE,
             Path(raw_dir) / NAMES_FILE]
    try:
        folders = wave_folders(raw_dir)
    except InputFileError:  # two folders for one wave: reported by the clean
        folders = {}
    for folder in folders.values():
        paths += wave_input_paths(folder).values()
    return sorted(path for path in paths if path.is_file())


def input_key(raw_dir: Path, path: Path) -> str:
    """The manifest's name of an input file: its path relative to ``raw_dir`` (its file
    name for a top-level file, ``waves/<folder>/<file>`` in a wave folder)."""
    try:
        return Path(path).relative_to(raw_dir).as_posix()
    except ValueError:
        return Path(path).name


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


@dataclass
class InputStatus:
    """Which optional inputs had no file (``missing``) or only a header (``empty``), the
    form block of the manifest and the speeder limit used."""

    missing: list[str]
    empty: list[str]
    form: dict
    speeder_seconds: float
    # table -> file (relative to the raw folder) -> rows_in / rows_clean / rows_quarantined,
    # for the tables read from several files (one folder per wave)
    files: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)


def _form_block(codebook, speeder_seconds: float) -> dict:
    scale = codebook.scale
    return {"languages": list(codebook.languages), "roles": dict(codebook.roles),
            "scale": {"min": float(scale.min), "max": float(scale.max), "k": int(scale.k)},
            "speeder_seconds": float(speeder_seconds),
            "speeder_seconds_per_item": float(speeder_seconds) / max(len(codebook.item_names), 1),
            "speeder_check": bool(codebook.role_field("start") and codebook.role_field("end"))}


def _read_indicators(path: Path, status: InputStatus) -> dict[str, pd.DataFrame | None]:
    """The indicator workbook's metadata, targets and values (long) sheets; None = absent.

    ``metadata`` and at least one ``values*`` sheet (``values``, ``values_wide``,
    ``values_quarterly``...) are needed; ``targets`` is optional.
    """
    if not path.is_file():
        status.missing += ["indicators", "indicator_targets"]
        return {"metadata": None, "targets": None, "values": None}
    workbook = read_workbook(path)
    found = ", ".join(workbook) or "none"
    if "metadata" not in workbook:
        raise InputFileError(path, f"needs a sheet 'metadata' (one row per indicator: "
                                   f"{', '.join(INDICATOR_META_COLUMNS)}); found sheets {found}.")
    if not any(sheet.startswith("values") for sheet in workbook):
        raise InputFileError(path, "needs a sheet 'values' (long: region, indicator_id, year "
                                   "or period, value) or 'values_wide' (region, indicator_id "
                                   f"and one column per year); found sheets {found}.")
    values = _value_sheets(workbook, path.name)
    if not len(values) and not len(workbook["metadata"]):
        status.empty.append("indicators")
    targets = workbook.get("targets")
    if targets is None:
        status.missing.append("indicator_targets")
    elif not len(targets):
        status.empty.append("indicator_targets")
    return {"metadata": workbook["metadata"], "targets": targets, "values": values}


def _combine(parts: list[tuple[str, CleanResult, int]]) -> CleanResult:
    """One table's clean results from several files, in file order."""
    if len(parts) == 1:
        return parts[0][1]
    results = [r for _, r, _ in parts]

    def stack(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
        frames = [f for f in frames if len(f)]
        return (pd.concat(frames, ignore_index=True) if frames
                else pd.DataFrame(columns=columns))
    data = [r.data for r in results if len(r.data)] or [results[0].data]
    return CleanResult(pd.concat(data, ignore_index=True),
                       stack([r.quarantine for r in results], QUARANTINE_COLUMNS),
                       stack([r.flags for r in results], FLAG_COLUMNS),
                       [w for r in results for w in r.warnings])


def _file_counts(parts: list[tuple[str, CleanResult, int]]) -> dict[str, dict[str, int]]:
    return {file: {"rows_in": rows, "rows_clean": len(r.data),
                   "rows_quarantined": len(r.quarantine)} for file, r, rows in parts}


def _survey_waves(data: pd.DataFrame, codebook, folders: dict[str, Path]) -> pd.DataFrame:
    """The waves table: the wave folders, else the form's waves found in the kept
    responses (:func:`evalkit.read.waves.waves_table`), else the single wave."""
    if folders:
        return waves_table(list(folders), "folder")
    labels = data["wave"].dropna().astype(str).unique().tolist() if "wave" in data.columns else []
    if codebook.role_field("wave") is not None and "wave" in data.columns and labels:
        return waves_table(labels, "field", codebook.wave_choices())
    if codebook.wave_period is not None and labels:
        return waves_table(labels, "period")
    return waves_table([], "single")


def clean_all(raw_dir: Path, key: bytes, policy: dict[str, str] | None = None,
              speeder_seconds: float | None = None, *,
              on_read: Callable[[], object] | None = None,
              ) -> tuple[dict[str, pd.DataFrame], dict[str, CleanResult], dict[str, int], list[str],
                         InputStatus]:
    """Read every raw file and clean it (no writing).

    Returns the processed tables by name, the per-table clean results (for the row
    accounting), the raw row count of each table, the warnings and the
    :class:`InputStatus`. ``on_read`` is called once every raw file has been read,
    before cleaning. ``speeder_seconds=None``: SPEEDER_SECONDS_PER_ITEM per item.
    Optional inputs (:data:`OPTIONAL_INPUTS`) that are missing or header-only give
    :func:`empty_table` tables.

    With wave folders (:func:`check_wave_layout`), the survey of each wave folder and
    the ties, register and attendance of the top level and of each wave folder are
    cleaned file by file (each under its path, ``waves/<folder>/<file>``) and stacked;
    ``InputStatus.files`` counts each file's rows.
    """
    raw_dir = Path(raw_dir)
    paths = input_paths(raw_dir)
    folders = check_wave_layout(raw_dir)
    names = {table: path.name for table, path in paths.items()}
    codebook = read_codebook(paths["codebook"])
    sectors = codebook.sector_lookup()
    aliases = load_aliases(raw_dir)
    limit = (float(speeder_seconds) if speeder_seconds is not None
             else SPEEDER_SECONDS_PER_ITEM * len(codebook.item_names))
    status = InputStatus([], [], _form_block(codebook, limit), limit)
    status.form["wave_period"] = codebook.wave_period

    # the units read: (wave label or None, their files by table, their names by table)
    units: list[tuple[str | None, dict[str, Path], dict[str, str]]] = []
    top_names = dict(names)
    if folders:
        top = {name: path for name, path in paths.items() if name != "survey"}
        units.append((None, top, top_names))
        for label, folder in folders.items():
            wave_paths = wave_input_paths(folder)
            units.append((label, wave_paths, {name: input_key(raw_dir, path)
                                              for name, path in wave_paths.items()}))
    else:
        units.append((None, paths, top_names))

    warnings = [f"{names['codebook']}: {w}" for w in codebook.warnings]
    unit_raws: list[dict[str, pd.DataFrame | None]] = []
    found: dict[str, bool] = {}  # table -> some unit has a file for it
    nonempty: dict[str, bool] = {}
    for _label, unit_paths, unit_names in units:
        raws: dict[str, pd.DataFrame | None] = {}
        if "survey" in unit_paths:
            survey_raw = read_table(unit_paths["survey"])
            if not len(survey_raw):
                raise InputFileError(unit_paths["survey"], "has no responses, only a header: "
                                     "export the survey's submissions into this file.")
            warnings += [f"{unit_names['survey']}: {w}" for w in check_columns(
                codebook, list(survey_raw.columns), unit_paths["survey"], frame=survey_raw)]
            raws["survey"] = survey_raw
        for name in ("stakeholders", "attendance", "partnerships", "ties"):
            if name not in unit_paths or not unit_paths[name].is_file():
                raws[name] = None
                continue
            raws[name] = read_table(unit_paths[name])
            if name in ("stakeholders", "ties"):
                raws[name] = wave_header(raws[name])
            found[name] = True
            nonempty[name] = nonempty.get(name, False) or bool(len(raws[name]))
        unit_raws.append(raws)
    for name in ("stakeholders", "attendance", "partnerships", "ties"):
        if not found.get(name):
            status.missing.append(name)
        elif not nonempty.get(name):
            status.empty.append(name)
    ind = _read_indicators(paths["indicators"], status)
    unit_raws[0]["indicator_targets"] = ind["targets"]
    unit_raws[0]["indicator_values"] = ind["values"]
    if on_read is not None:
        on_read()
    # personal data out of every free text before anything is cleaned (evalkit.clean.pii);
    # the respondents' names of every wave are masked in every file
    surveys = [r["survey"] for r in unit_raws if r.get("survey") is not None]
    all_surveys = surveys[0] if len(surveys) == 1 else pd.concat(surveys, ignore_index=True)
    scrubbed_units = []
    for i, ((_label, _, unit_names), raws) in enumerate(zip(units, unit_raws)):
        scrubbed = scrub_inputs({**raws, "survey": all_surveys}, ind["metadata"] if i == 0 else None,
                                codebook, {**names, **unit_names}, raw_dir)
        scrubbed.raws["survey"] = raws.get("survey")
        scrubbed_units.append(scrubbed)
        if i == 0:
            ind["metadata"] = scrubbed.metadata
    first = scrubbed_units[0]

    meta = (clean_indicator_metadata(ind["metadata"], names["indicators"])
            if ind["metadata"] is not None else empty_table("indicator_metadata"))
    parts: dict[str, list[tuple[str, CleanResult, int]]] = {}
    for (label, _, unit_names), scrubbed in zip(units, scrubbed_units):
        raw = scrubbed.raws.get("survey")
        if raw is not None:
            parts.setdefault("survey", []).append((unit_names["survey"], clean_survey(
                raw, codebook, source=unit_names["survey"], key=key, policy=policy,
                speeder_seconds=limit, aliases=aliases, scrubber=scrubbed.scrubber,
                wave=label), len(raw)))
    results = {"survey": _combine(parts["survey"])}
    waves = _survey_waves(results["survey"].data, codebook, folders)
    labels = waves["wave"].astype(str).tolist()
    cleaners = {
        "indicator_targets": lambda raw, n, w: clean_indicator_targets(
            raw, meta, names["indicators"], aliases=aliases),
        "indicator_values": lambda raw, n, w: clean_indicator_values(
            raw, meta, names["indicators"], aliases=aliases),
        "stakeholders": lambda raw, n, w: clean_register(raw, sectors, n, aliases=aliases,
                                                         waves=labels, wave=w),
        "attendance": lambda raw, n, w: clean_attendance(raw, sectors, n, aliases=aliases,
                                                         waves=waves),
        "partnerships": lambda raw, n, w: clean_partnerships(raw, n, aliases=aliases),
        "ties": lambda raw, n, w: clean_ties(raw, results["stakeholders"].data, n,
                                             aliases=aliases, waves=labels, wave=w),
    }
    for name, clean in cleaners.items():  # in this order: ties need the register
        pieces = []
        for (label, _, unit_names), scrubbed in zip(units, scrubbed_units):
            raw = scrubbed.raws.get(name)
            file = unit_names.get(name, names["indicators"])
            if raw is not None and len(raw):
                result = clean(raw, file, label)
                if result.waves is not None:  # its personal-data flags name their row's wave
                    scrubbed.flags = tag_waves(scrubbed.flags, result.waves, table=name)
                pieces.append((file, result, len(raw)))
            elif raw is not None and name in _HEADER_COLUMNS:
                # only its header: the columns must still be right
                require_columns(raw, _HEADER_COLUMNS[name], file)
        if pieces:
            parts[name] = pieces
            results[name] = _combine(pieces)
        else:
            results[name] = CleanResult(empty_table(name))
    status.files = {name: _file_counts(pieces) for name, pieces in parts.items()
                    if len(pieces) > 1}
    tables = {name: r.data for name, r in results.items()}
    tables["indicator_metadata"] = meta
    # the yearly whole-population series progress is measured on (derived, not cleaned)
    tables["indicator_annual"] = (annual_series(tables["indicator_values"], meta)
                                  if len(tables["indicator_values"])
                                  else empty_table("indicator_annual"))
    tables["items"] = codebook.items
    tables["dimensions"] = codebook.dimensions
    tables["sectors"] = codebook.sectors_table()
    tables["scale"] = codebook.scale_table()
    tables["waves"] = waves
    tables.update(first.labels)  # the same four tables, their labels scrubbed
    tables["quarantine"] = pd.concat([r.quarantine for r in results.values()],
                                     ignore_index=True).astype({"source_row": "int64", "wave": "str"}) \
        if any(len(r.quarantine) for r in results.values()) else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    scrub_flags = [u.flags for u in scrubbed_units if len(u.flags)]
    flags = [r.flags for r in results.values() if len(r.flags)] + scrub_flags
    tables["flags"] = (pd.concat(flags, ignore_index=True).astype({"wave": "str"}) if flags
                       else pd.DataFrame(columns=FLAG_COLUMNS))
    scrub_warnings = (first.warnings if len(scrubbed_units) == 1
                      else list(dict.fromkeys(w for u in scrubbed_units for w in u.warnings)))
    warnings += [w for r in results.values() for w in r.warnings] + scrub_warnings
    rows_in = {"survey": sum(n for _, _, n in parts["survey"])}
    for name in ("stakeholders", "attendance", "partnerships", "ties", "indicator_targets",
                 "indicator_values"):
        rows_in[name] = sum(n for _, _, n in parts.get(name, []))
        if name not in parts:  # a header-only or missing file
            rows_in[name] = sum(len(r[name]) for r in unit_raws if r.get(name) is not None)
    rows_in["indicator_metadata"] = len(ind["metadata"]) if ind["metadata"] is not None else 0
    return tables, results, rows_in, warnings, status


def _value_sheets(workbook: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """Every ``values*`` sheet as one long table, each row keeping its sheet and Excel row.

    ``values_wide*`` sheets hold one column per year (as officers often keep them) and
    are reshaped; other ``values*`` sheets (e.g. ``values_quarterly``) are long and must
    have ``region``, ``indicator_id``, ``value`` and ``year`` or ``period``: a sheet
    without one is an :class:`InputFileError` naming the sheet and the column (else its
    rows would take the blanks another sheet's columns leave and be quarantined as
    missing values). A blank sheet (no header, no rows) is skipped.
    """
    required = ("region", "indicator_id", "value")  # and year or period
    parts = []
    for sheet, frame in workbook.items():
        if not sheet.startswith("values") or (frame.empty and not len(frame.columns)):
            continue
        if sheet.startswith("values_wide"):
            part = indicators_wide_to_long(frame, f"{name} [{sheet}]")
        else:
            missing = [repr(c) for c in required if c not in frame.columns]
            if "year" not in frame.columns and "period" not in frame.columns:
                missing.append("'year' or 'period'")
            if missing:
                raise InputFileError(name, f"sheet {sheet!r} has no column "
                                           f"{', '.join(missing)}; found "
                                           f"{', '.join(map(repr, frame.columns))}. A long "
                                           "values sheet needs region, indicator_id, year or "
                                           "period, and value (rename the column, or name "
                                           "the sheet values_wide if it has one column per year).")
            part = frame.assign(source_row=excel_rows(frame))
        parts.append(part.assign(source_sheet=sheet))
    if not parts:
        return pd.DataFrame(columns=[*required, "year", "source_row", "source_sheet"])
    return pd.concat(parts, ignore_index=True)


def input_hashes(raw_dir: Path) -> dict[str, dict]:
    """SHA-256 and size of each raw input file that exists (``aliases.csv`` and the wave
    folders' files included), by :func:`input_key` (in path order)."""
    return {input_key(raw_dir, path): {"sha256": file_sha256(path), "bytes": path.stat().st_size}
            for path in present_inputs(raw_dir)}


def wave_counts(name: str, frame: pd.DataFrame, waves: pd.DataFrame) -> dict[str, int] | None:
    """The manifest's ``{wave: rows}`` of a table with a ``wave`` column (a register row
    for every wave counts in every wave; attendance: the meetings in each wave's window,
    None when the waves are undated); None for a table without one."""
    if name not in WAVE_TABLES or "wave" not in frame.columns:
        return None
    if name == "attendance" and pd.to_datetime(waves["end"]).isna().any():
        return None  # undated waves: meetings belong to none
    column = frame["wave"].astype("str")
    every = int(column.isna().sum()) if name == "stakeholders" else 0
    counts = column.value_counts()
    return {str(label): int(counts.get(label, 0)) + every for label in waves["wave"].astype(str)}


def build_manifest(raw_dir: Path, tables: dict[str, pd.DataFrame],
                   results: dict[str, CleanResult], rows_in: dict[str, int],
                   policy: dict[str, str] | None,
                   speeder_seconds: float | None = None,
                   warnings: list[str] = (), inputs: dict[str, dict] | None = None,
                   status: InputStatus | None = None) -> dict:
    """Input hashes, row accounting per table, counts by reason, versions.

    ``inputs`` is :func:`input_hashes` of ``raw_dir`` when already computed;
    ``status`` (from :func:`clean_all`) gives ``inputs_missing``, ``inputs_empty``,
    ``form`` and the speeder limit used.
    """
    accounting = {}
    for name, count in rows_in.items():
        clean = len(tables[name])
        quarantined = len(results[name].quarantine) if name in results else 0
        if clean + quarantined != count:  # would mean a row was lost: never publish that
            raise EvalkitError(f"internal error: table {name} has {count} rows in but "
                               f"{clean} cleaned + {quarantined} quarantined.")
        accounting[name] = {"rows_in": count, "rows_clean": clean, "rows_quarantined": quarantined}
        if "waves" in tables and (per_wave := wave_counts(name, tables[name], tables["waves"])):
            accounting[name]["waves"] = per_wave
        if status is not None and name in status.files:
            accounting[name]["files"] = status.files[name]
            for file, rows in status.files[name].items():  # each file's rows are accounted
                if rows["rows_clean"] + rows["rows_quarantined"] != rows["rows_in"]:
                    raise EvalkitError(f"internal error: {file} has {rows['rows_in']} rows in "
                                       f"but {rows['rows_clean']} cleaned + "
                                       f"{rows['rows_quarantined']} quarantined.")
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
        "speeder_seconds": status.speeder_seconds if status is not None else speeder_seconds,
        # the plausibility rules' "today" (future_year): a new quarter makes the clean stale
        "rules_date": rules_today().isoformat(),
        "inputs_missing": list(status.missing) if status is not None else [],
        "inputs_empty": list(status.empty) if status is not None else [],
        "form": dict(status.form) if status is not None else {},
        "versions": package_versions(),
        "code": code_digest(),  # the clean stage's code: another one makes this stale
    }


def run_clean(raw_dir: Path = RAW_DATA_DIR, processed_dir: Path = PROCESSED_DATA_DIR, *,
              key: bytes | None = None, policy: dict[str, str] | None = None,
              speeder_seconds: float | None = None) -> CleanSummary:
    """Clean every raw table and write parquet files, the quarantine and the manifest.

    ``policy`` maps quality checks (:data:`evalkit.clean.survey.QUALITY_CHECKS`) to
    ``"exclude"`` (default) or ``"flag"``; ``speeder_seconds`` is the shortest
    plausible interview (default: SPEEDER_SECONDS_PER_ITEM per scale item).

    The processed folder must lie outside the raw folder (symlinks resolved), and is
    locked while cleaning (:func:`evalkit.core.lock.hold`: a second clean or run on it is
    refused). The manifest records each output's size and SHA-256 (``outputs``), so
    a table damaged later is found by :func:`raw_inputs_changed`.
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    refuse_inside_raw(raw_dir, {"the processed folder": processed_dir})
    with hold(processed_dir, "clean"):  # the whole clean: a second one is refused at once
        # The inputs are hashed for the manifest in a second thread while they are cleaned
        # (not while they are read: pandas reads a large CSV on both cores): hashing takes
        # ~0.4 s per 500 MB, and hashlib releases the GIL. Its errors (a file gone) surface
        # after cleaning, where they did before.
        with ThreadPoolExecutor(max_workers=1) as pool:
            hashing = []
            tables, results, rows_in, warnings, status = clean_all(
                raw_dir, key if key is not None else load_key(), policy, speeder_seconds,
                on_read=lambda: hashing.append(pool.submit(input_hashes, raw_dir)))
            manifest = build_manifest(raw_dir, tables, results, rows_in, policy, speeder_seconds,
                                      warnings, inputs=hashing[0].result(), status=status)
        processed_dir.mkdir(parents=True, exist_ok=True)
        outputs = {}

        def write_table(tmp: Path, frame: pd.DataFrame, name: str) -> None:
            frame.to_parquet(tmp, index=False)
            outputs[name] = {"sha256": file_sha256(tmp), "bytes": tmp.stat().st_size}

        for name, frame in tables.items():
            replace_atomic(processed_dir / f"{name}.parquet",
                           lambda p, frame=frame, name=name: write_table(p, frame, f"{name}.parquet"))
        manifest["outputs"] = outputs  # what was written, to tell a damaged table later
        write_atomic(processed_dir / MANIFEST,
                     json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        return CleanSummary(manifest, processed_dir)


def raw_inputs_changed(raw_dir: Path = RAW_DATA_DIR,
                       processed_dir: Path = PROCESSED_DATA_DIR, *,
                       why: list[str] | None = None) -> bool:
    """True when the processed data must be rebuilt from the raw files.

    That is: there is no manifest, or it cannot be read; an input file (``aliases.csv``
    included, and the files of the wave folders) appeared or disappeared, or a raw
    file's hash differs from the manifest's; the clean stage's code (:func:`code_digest`:
    every module it imports, config included) or a package version differs from what the
    manifest recorded; or a processed table is missing, or its size or SHA-256 differs from what the manifest
    recorded when it was written (cut off, damaged, edited); or a new quarter began.
    ``why``, when given, receives the reason in words.
    """
    reasons = why if why is not None else []
    path = Path(processed_dir) / MANIFEST
    if not path.exists():
        reasons.append(f"no processed data in {processed_dir} yet")
        return True
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        recorded = manifest.get("inputs", {})
        hashes = {name: entry.get("sha256") for name, entry in recorded.items()}
        outputs = manifest.get("outputs")
        tables = [f"{name}.parquet" for name in manifest.get("tables", {})]
    except (ValueError, OSError, AttributeError, TypeError):  # cut off, garbled
        reasons.append(f"{path} is damaged")
        return True
    paths = {input_key(raw_dir, p): p for p in present_inputs(raw_dir)}
    if set(paths) != set(hashes) or any(
            hashes[name] != file_sha256(p) for name, p in paths.items()):
        reasons.append("raw data changed since the last clean")
        return True
    if manifest.get("code") != code_digest():
        reasons.append("evalkit's cleaning code changed since the last clean")
        return True
    if manifest.get("versions") != package_versions():
        reasons.append("evalkit or a package it computes with was upgraded since the last clean")
        return True
    if not isinstance(outputs, dict):  # a manifest from before outputs were recorded
        outputs = {name: None for name in tables}
    for name, want in outputs.items():
        table = Path(processed_dir) / name
        try:
            if want is None:  # no record: a parquet file starts and ends with PAR1
                with open(table, "rb") as file:
                    head = file.read(4)
                    file.seek(-4, os.SEEK_END)
                    intact = head == b"PAR1" == file.read(4)
            else:
                intact = (table.stat().st_size == want["bytes"]
                          and file_sha256(table) == want["sha256"])
        except (OSError, KeyError, TypeError):
            intact = False
        if not intact:
            reasons.append(f"{table} is missing or damaged")
            return True
    if _quarter(manifest.get("rules_date")) != _quarter(rules_today().isoformat()):
        # values quarantined as future_year may have become the present
        reasons.append("a new quarter began since the last clean (rule future_year)")
        return True
    return False


def _quarter(iso_date: object) -> tuple[int, int] | None:
    """(year, quarter) of an ISO date text; None when it is not one."""
    try:
        day = date.fromisoformat(str(iso_date))
    except ValueError:
        return None
    return day.year, (day.month - 1) // 3 + 1
