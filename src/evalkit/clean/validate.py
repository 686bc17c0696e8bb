"""``evalkit validate``: every problem of the raw inputs in one pass, nothing written.

Each input is read and cleaned with the clean stage's own cleaners (:mod:`evalkit.clean.survey`,
:mod:`evalkit.clean.indicators`, :mod:`evalkit.clean.stakeholders`: the rules are the same as
``evalkit clean``), each in its own ``try``: an error stops only that
input. Region names are looked up one distinct name at a time, so every unmatched name
of every table is listed with the closest registry names; rows that a cleaner would
quarantine are listed with their reason. The result is one table,
:data:`PROBLEM_COLUMNS`, one row per problem:

- ``severity`` ``error``: something to fix before the reports can be trusted (a missing
  required file, sheet, column or codebook role, an unknown region, sector, partnership
  type or attendance answer, an unreadable date or number, a survey response or a tie
  without a readable wave, a wave folder without a survey export, two wave labels with
  one folder name, ...);
- ``warning``: evalkit works, but look (an optional file missing or header-only, a
  column read day-first, a survey response excluded by a quality check, a value
  flagged).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from evalkit.clean.indicators import (
    INDICATOR_TARGET_COLUMNS,
    clean_indicator_metadata,
    clean_indicator_targets,
    clean_indicator_values,
)
from evalkit.clean.pipeline import (
    RAW_FILES,
    _survey_waves,
    _value_sheets,
    empty_table,
    input_key,
    input_paths,
    wave_folders,
    wave_input_paths,
)
from evalkit.clean.rows import require_columns
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
from evalkit.clean.survey import clean_survey
from evalkit.clean.survey import survey_columns as role_columns
from evalkit.core.errors import DataError, EvalkitError, InputFileError
from evalkit.core.escape import excel_text
from evalkit.read.aliases import (
    ALIASES_FILE,
    PARTNERSHIP_TYPE_TARGETS,
    apply_aliases,
    empty_aliases,
    normalise_label,
    read_aliases,
)
from evalkit.read.codebook import check_columns, match_headers, read_codebook
from evalkit.read.io import read_table, read_workbook
from evalkit.read.regions import RegionNotFoundError, all_regions, closest_names, resolve_region
from evalkit.read.waves import order_labels, waves_table

PROBLEM_COLUMNS = ["file", "row", "column", "value", "problem", "suggestion", "severity"]
# Survey quarantine reasons that exclude a response by design (not an input error).
SURVEY_QUALITY_REASONS = {"test_submission", "duplicate_uuid", "duplicate_respondent",
                          "speeder", "too_many_missing", "straight_lining", "no_consent",
                          "not_approved"}
# Which column each quarantine reason is about (its value is shown).
REASON_COLUMNS = {
    "unknown_sector": "sector", "unknown_partnership_type": "type",
    "unparseable_start_year": "start_year", "unrecognised_attendance_value": "attended",
    "unparseable_date": "meeting_date", "ambiguous_date": "meeting_date",
    "unknown_wave": "wave",
    "unknown_indicator": "indicator_id", "missing_value": "value",
    "unparseable_value": "value", "unparseable_period": "period",
    "impossible_value": "value", "unit_mismatch": "unit",
    "influence_or_interest_not_1_to_5": "influence", "unknown_level": "level",
    "missing_or_unparseable_value": "baseline_value",
    "start_in_future": "start_year", "target_before_baseline": "target_year",
    "not_whole_number": "influence", "non_finite_value": "value", "absurd_magnitude": "value",
}
_MAX_ROWS_LISTED = 8  # rows named in one "N rows" problem


class _Problems:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, file: str, problem: str, *, row: int | None = None, column: str = "",
            value: object = "", suggestion: str = "", severity: str = "error") -> None:
        self.rows.append({"file": file, "row": row, "column": column or "",
                          "value": "" if value is None else str(value), "problem": problem,
                          "suggestion": suggestion, "severity": severity})

    def error(self, exc: EvalkitError, file: str) -> None:
        """An exception a reader or cleaner raised, as one problem."""
        if isinstance(exc, DataError):
            self.add(exc.path.name or file, exc.problem, row=exc.row, column=exc.column or "")
        elif isinstance(exc, InputFileError):
            self.add(exc.path.name or file, exc.problem)
        else:
            self.add(file, str(exc))

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=PROBLEM_COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        return frame


def _run(problems: _Problems, file: str, step: Callable[[], object]):
    """``step()``, or None with its error recorded."""
    try:
        return step()
    except EvalkitError as exc:
        problems.error(exc, file)
        return None


def _rows_text(rows: list[int]) -> str:
    listed = ", ".join(map(str, rows[:_MAX_ROWS_LISTED]))
    more = f" and {len(rows) - _MAX_ROWS_LISTED} more" if len(rows) > _MAX_ROWS_LISTED else ""
    return f"row{'s' if len(rows) > 1 else ''} {listed}{more}"


def check_regions(problems: _Problems, frame: pd.DataFrame, column: str, files: pd.Series,
                  rows: pd.Series, aliases: dict[str, str]) -> pd.Series:
    """Look up every distinct region name of ``frame[column]`` (after aliases).

    Each unmatched or blank name is one problem (its first row, how many rows, the
    closest registry names). Returns the column with every unmatched or blank name
    replaced by a matched one of the same column (or the registry's first entry), so the
    table's cleaner can run on and report its other problems.
    """
    values = apply_aliases(frame[column], aliases)
    bad: list = []
    good = None
    for name in pd.unique(values):
        if name is None or (not isinstance(name, str) and pd.isna(name)) or not str(name).strip():
            bad.append(name)
            hit = values.isna() | values.astype(str).str.strip().eq("")
            at = rows[hit].tolist()
            problems.add(str(files[hit].iloc[0]), f"region is blank ({_rows_text(at)})",
                         row=at[0], column=column,
                         suggestion="write the kabupaten/kota or province name or code")
            continue
        try:
            resolve_region(str(name))
            good = good if good is not None else name
        except RegionNotFoundError as exc:
            bad.append(name)
            hit = values == name
            at = rows[hit].tolist()
            closest = closest_names(str(name))
            more = f" ({_rows_text(at)})" if len(at) > 1 else ""  # one row: the row field says it
            problems.add(str(files[hit].iloc[0]), f"{exc}{more}", row=at[0],
                         column=column, value=frame[column][hit].iloc[0],
                         suggestion=(f"did you mean {closest[0]}? " if closest else "")
                         + f"Or add to {ALIASES_FILE}: region;{frame[column][hit].iloc[0]};"
                           "<region code or official name>")
    if not bad:
        return frame[column]
    fill = good if good is not None else all_regions()[0].code
    blank = values.isna() | values.astype(str).str.strip().eq("")
    return frame[column].mask(values.isin([b for b in bad if isinstance(b, str)]) | blank, fill)


def _closest(value: str, choices: list[str]) -> list[str]:
    by_key = {normalise_label(c): c for c in choices}
    return [by_key[k] for k in difflib.get_close_matches(normalise_label(value), list(by_key),
                                                         n=3, cutoff=0.5)]


def _suggestion(reason: str, value: str, vocab: dict[str, list[str]]) -> str:
    if reason == "unknown_sector":
        sectors = vocab.get("sector", [])
        close = _closest(value, vocab.get("sector_words", sectors))
        head = f"did you mean {', '.join(close)}? " if close else ""
        return (head + f"The form's sectors: {', '.join(sectors)}. Or add to {ALIASES_FILE}: "
                f"sector;{value};<sector>")
    if reason == "unknown_partnership_type":
        types = ", ".join(dict.fromkeys(PARTNERSHIP_TYPE_TARGETS.values()))
        return f"write one of {types}, or add to {ALIASES_FILE}: partnership_type;{value};informal"
    if reason == "unrecognised_attendance_value":
        return (f"write yes/no (ya/tidak, hadir/absen), or add to {ALIASES_FILE}: "
                f"attendance;{value};yes")
    if reason in ("unparseable_date", "ambiguous_date"):
        return "write the date as YYYY-MM-DD (e.g. 2024-03-12)"
    if reason == "unknown_indicator":
        return "use an indicator_id of the 'metadata' sheet, or add the indicator there"
    return ""


def _record_value(record: str, column: str | None) -> str:
    if not column:
        return ""
    try:
        value = json.loads(record).get(column)
    except (ValueError, AttributeError):
        return ""
    return "" if value is None else str(value)


def add_result(problems: _Problems, result, vocab: dict[str, list[str]], *,
               survey_columns: dict[str, str] | None = None,
               skip_reasons: set[str] = frozenset(), skip_rows: set = frozenset()) -> None:
    """A cleaner's quarantined rows, flags and warnings as problems."""
    columns = {**REASON_COLUMNS, **(survey_columns or {})}
    for q in result.quarantine.itertuples(index=False):
        if q.reason in skip_reasons or (q.source_file, q.source_row) in skip_rows:
            continue
        column = columns.get(q.reason)
        value = _record_value(q.record, column)
        survey_quality = q.table == "survey" and q.reason in SURVEY_QUALITY_REASONS
        problems.add(q.source_file, f"{q.reason}" + (f": {q.detail}" if q.detail else ""),
                     row=int(q.source_row), column=column or "", value=value,
                     suggestion=_suggestion(q.reason, value, vocab),
                     severity="warning" if survey_quality else "error")
    for f in result.flags.itertuples(index=False):
        problems.add(f.source_file, f"{f.issue} ({f.action})", row=int(f.source_row),
                     column=f.column, value=f.value, severity="warning")
    for warning in result.warnings:
        file, _, text = warning.partition(": ")
        problems.add(file if text else "", text or warning, severity="warning")


def validate_inputs(raw_dir: Path | str) -> pd.DataFrame:
    """Every problem of the inputs in ``raw_dir``, as a :data:`PROBLEM_COLUMNS` table.

    Reads only; writes nothing. An empty table means no problems.
    """
    raw_dir = Path(raw_dir)
    problems = _Problems()
    paths = _run(problems, raw_dir.name, lambda: input_paths(raw_dir))
    if paths is None:
        paths = {name: raw_dir / file for name, file in RAW_FILES.items()}
    names = {table: path.name for table, path in paths.items()}

    # aliases
    aliases = empty_aliases()
    if (raw_dir / ALIASES_FILE).is_file():
        aliases = _run(problems, ALIASES_FILE, lambda: read_aliases(raw_dir / ALIASES_FILE)) \
            or empty_aliases()

    # codebook
    codebook = None
    if not paths["codebook"].is_file():
        problems.add(names["codebook"], "required file missing: the survey's XLSForm (the "
                     "Kobo/ODK form with the evalkit columns)",
                     suggestion="download the form from KoboToolbox (XLSForm) and add the "
                                "columns dimension, reverse, pii, role; `evalkit init` has "
                                "a template")
    else:
        codebook = _run(problems, names["codebook"], lambda: read_codebook(paths["codebook"]))
        for warning in (codebook.warnings if codebook is not None else []):
            problems.add(names["codebook"], warning, severity="warning")
    vocab: dict[str, list[str]] = {}
    sectors: dict[str, str] = {}
    if codebook is not None:
        sectors = codebook.sector_lookup()
        table = codebook.sectors_table()
        vocab["sector"] = table["sector"].tolist()
        vocab["sector_words"] = list(dict.fromkeys(
            [*table["sector"], *table["label_id"], *table["label_en"]]))
    # without a codebook unknown sectors cannot be told apart: not reported then
    no_sectors = set() if codebook is not None else {"unknown_sector"}

    def read(name: str, required: bool, path: Path | None = None, file: str | None = None):
        path = path if path is not None else paths[name]
        file = file or path.name
        if not path.is_file():
            if required:
                problems.add(file, "required file missing: the survey export (Kobo/ODK "
                             "CSV or XLSX with XML names or labels)",
                             suggestion="export the submissions and save them in the raw "
                                        "folder as survey.csv (or survey*.xlsx, *kobo*.csv)")
            else:
                problems.add(file, "optional file missing: its sections of the reports "
                             "will be empty", severity="warning")
            return None
        frame = _run(problems, file, lambda: read_table(path))
        if frame is not None and not len(frame):
            problems.add(file, "the file has only its header (no rows)"
                         + ("" if not required else ": no responses to analyse"),
                         severity="error" if required else "warning")
        return frame

    # waves: one folder per wave (data/raw/waves/<label>/), checked with all else
    folders = _run(problems, "waves", lambda: wave_folders(raw_dir)) or {}
    if folders and paths["survey"].is_file():
        problems.add(names["survey"], "a survey export at the top of the raw folder beside the "
                     "wave folders (" + ", ".join(f.name for f in folders.values()) + ")",
                     suggestion="move it into its wave's folder (data/raw/waves/<label>/) or "
                                "remove the waves folder")
    if folders:
        _run(problems, "waves", lambda: waves_table(list(folders), "folder"))  # slugs alike

    # survey: the top-level export, or each wave folder's
    def check_survey(path: Path, file: str, wave: str | None):
        survey = read("survey", required=True, path=path, file=file)
        if survey is None or not len(survey) or codebook is None:
            return None
        for warning in _run(problems, file, lambda: check_columns(
                codebook, list(survey.columns), path, frame=survey)) or []:
            problems.add(file, warning, severity="warning")
        renamed = survey.rename(columns=match_headers(list(survey.columns), codebook,
                                                      path=file))
        roles = role_columns(renamed.columns, codebook)
        rows = pd.Series(range(2, len(renamed) + 2), index=renamed.index)
        files = pd.Series(file, index=renamed.index)
        if roles.get("region") is not None:
            renamed[roles["region"]] = check_regions(problems, renamed, roles["region"], files,
                                                     rows, aliases["region"])
        result = _run(problems, file, lambda: clean_survey(
            renamed, codebook, source=file, key=b"evalkit-validate",
            aliases=aliases, wave=wave))
        if result is not None:
            add_result(problems, result, vocab, skip_reasons=no_sectors,
                       survey_columns={"unknown_sector": roles.get("sector") or "sector",
                                       "no_consent": roles.get("consent") or "",
                                       "no_wave": roles.get("wave") or ""})
        return result

    if folders:
        surveys = []
        for label, folder in folders.items():
            path = wave_input_paths(folder)["survey"]
            if not path.is_file():
                problems.add(input_key(raw_dir, folder), f"wave folder {folder.name!r} has no "
                             "survey export", suggestion=f"put the wave's export there (e.g. "
                             f"{RAW_FILES['survey']} or survey.csv) or remove the folder")
                continue
            surveys.append(check_survey(path, input_key(raw_dir, path), label))
    else:
        surveys = [check_survey(paths["survey"], names["survey"], None)]
    kept = [r.data for r in surveys if r is not None and len(r.data)]
    waves = None
    if codebook is not None:
        waves = _run(problems, "waves", lambda: _survey_waves(
            pd.concat(kept, ignore_index=True) if kept else pd.DataFrame({"wave": []}),
            codebook, folders))
    if waves is None:  # (reported): the labels still tell the ties' waves
        found = list(folders) or [w for d in kept if "wave" in d.columns for w in d["wave"]]
        waves = waves_table([], "single")
        labels = order_labels(found) or waves["wave"].astype(str).tolist()
    else:
        labels = waves["wave"].astype(str).tolist()

    # register, attendance, partnerships, ties (top level, then each wave folder's)
    units = [(None, paths, names)]
    for label, folder in folders.items():
        wave_paths = wave_input_paths(folder)
        units.append((label, wave_paths, {n: input_key(raw_dir, q) for n, q in wave_paths.items()}))

    def table(name: str, columns: list[str], clean):
        results = []
        for label, unit_paths, unit_names in units:
            if name not in unit_paths or (label is not None and not unit_paths[name].is_file()):
                continue  # a wave folder's optional file may be absent
            file = unit_names[name]
            frame = read(name, required=False, path=unit_paths[name], file=file)
            if frame is None or not len(frame):
                if frame is not None:
                    _run(problems, file, lambda f=frame, n=file: require_columns(f, columns, n))
                continue
            frame = wave_header(frame)
            if _run(problems, file, lambda f=frame, n=file: require_columns(f, columns, n)) \
                    is None and any(c not in frame.columns for c in columns):
                continue
            rows = pd.Series(range(2, len(frame) + 2), index=frame.index)
            frame = frame.assign(region=check_regions(
                problems, frame, "region", pd.Series(file, index=frame.index), rows,
                aliases["region"]))
            result = _run(problems, file, lambda f=frame, n=file, w=label: clean(f, n, w))
            if result is not None:
                add_result(problems, result, vocab, skip_reasons=no_sectors)
                results.append(result)
        return results

    registers = table("stakeholders", REGISTER_COLUMNS,
                      lambda f, n, w: clean_register(f, sectors, n, aliases=aliases,
                                                     waves=labels, wave=w))
    table("attendance", ATTENDANCE_COLUMNS,
          lambda f, n, w: clean_attendance(f, sectors, n, aliases=aliases, waves=waves))
    table("partnerships", PARTNERSHIP_COLUMNS,
          lambda f, n, w: clean_partnerships(f, n, aliases=aliases))
    register_parts = [r.data for r in registers if len(r.data)]
    register_data = (pd.concat(register_parts, ignore_index=True) if register_parts
                     else empty_table("stakeholders"))
    table("ties", TIE_COLUMNS,
          lambda f, n, w: clean_ties(f, register_data, n, aliases=aliases, waves=labels, wave=w))

    # indicators
    _validate_indicators(problems, paths["indicators"], aliases, vocab)
    return problems.frame()


def _validate_indicators(problems: _Problems, path: Path, aliases: dict, vocab: dict) -> None:
    name, target_columns = path.name, INDICATOR_TARGET_COLUMNS
    if not path.is_file():
        problems.add(name, "optional file missing: indicator progress and trends will be "
                     "empty", severity="warning")
        return
    workbook = _run(problems, name, lambda: read_workbook(path))
    if workbook is None:
        return
    if "metadata" not in workbook:
        problems.add(name, f"sheet 'metadata' missing (found: {', '.join(workbook) or 'none'})",
                     suggestion="add a sheet 'metadata': indicator_id, sdg_code, name_id, "
                                "name_en, unit, direction")
        return
    meta = _run(problems, name, lambda: clean_indicator_metadata(workbook["metadata"], name))
    if meta is None:
        return
    if not any(sheet.startswith("values") for sheet in workbook):
        problems.add(name, f"no sheet 'values' or 'values_wide' (found: {', '.join(workbook)})",
                     suggestion="add a sheet 'values' (region, indicator_id, year or period, "
                                "value) or 'values_wide' (region, indicator_id, one column "
                                "per year)")
    else:
        values = _run(problems, name, lambda: _value_sheets(workbook, name))
        if values is not None and len(values):
            if "region" in values.columns:
                files = name + " [" + values["source_sheet"].astype(str) + "]"
                values = values.assign(region=check_regions(
                    problems, values, "region", files, values["source_row"], aliases["region"]))
            result = _run(problems, name, lambda: clean_indicator_values(values, meta, name, aliases=aliases))
            if result is not None:
                add_result(problems, result, vocab)
        elif values is not None:
            problems.add(name, "the values sheet(s) have no rows", severity="warning")
    if "targets" not in workbook:
        problems.add(name, "no sheet 'targets': progress toward targets cannot be measured",
                     severity="warning")
        return
    targets = workbook["targets"]
    if not len(targets):
        _run(problems, name, lambda: require_columns(targets, target_columns, f"{name} [targets]"))
        problems.add(f"{name} [targets]", "the sheet has only its header (no rows)",
                     severity="warning")
        return
    if _run(problems, name, lambda: require_columns(targets, target_columns, f"{name} [targets]")) \
            is None and any(c not in targets.columns for c in target_columns):
        return
    rows = pd.Series(range(2, len(targets) + 2), index=targets.index)
    targets = targets.assign(region=check_regions(
        problems, targets, "region", pd.Series(f"{name} [targets]", index=targets.index), rows,
        aliases["region"]))
    result = _run(problems, name, lambda: clean_indicator_targets(targets, meta, f"{name} [targets]",
                                                        aliases=aliases))
    if result is not None:
        add_result(problems, result, vocab)


def write_problems(problems: pd.DataFrame, path: Path | str) -> Path:
    """The problems as a CSV (UTF-8 with BOM, so Excel shows the accents).

    Text cells quote values from the user's files: one starting with ``= + - @``, a tab
    or a line break gets a leading ``'`` (:func:`evalkit.core.escape.excel_text`, the OWASP
    CSV-injection rule), so opening the CSV in a spreadsheet runs no formula.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = problems.select_dtypes(include=["object", "string"]).columns
    safe = problems.assign(**{c: problems[c].map(excel_text) for c in text})
    # CRLF rows (RFC 4180): with "\r" in the line terminator, a field holding a CR is
    # quoted too, so a stray CR in a value cannot split its row
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path


def format_problems(problems: pd.DataFrame, raw_dir: Path | str | None = None,
                    csv: Path | str | None = None) -> str:
    """The problems as text for the terminal: every error, then the warnings (grouped by
    file and problem when one kind repeats, with where to find them all: the ``csv``
    file when one is written), then a one-line summary."""
    if problems.empty:
        return f"no problems found{f' in {raw_dir}' if raw_dir else ''}."
    lines: list[str] = []

    def line(p) -> str:
        where = p.file + (f", row {p.row}" if pd.notna(p.row) else "") + \
            (f", column '{p.column}'" if p.column else "")
        value = f" [{p.value}]" if p.value else ""
        hint = f"\n      -> {p.suggestion}" if p.suggestion else ""
        return f"  {where}{value}: {p.problem}{hint}"

    errors = problems[problems["severity"] == "error"]
    warnings = problems[problems["severity"] != "error"]
    if len(errors):
        lines.append(f"ERRORS ({len(errors)}):")
        lines += [line(p) for p in errors.itertuples(index=False)]
    if len(warnings):
        lines.append(f"warnings ({len(warnings)}):")
        kind = warnings["problem"].str.replace(r"\s*\(.*\)$|:.*$", "", regex=True)
        for (file, _), group in warnings.groupby([warnings["file"], kind], sort=False):
            if len(group) > 3:
                first = group.iloc[0]
                where = f"all in {csv}" if csv else "all with --csv FILE"
                lines.append(f"  {file}: {len(group)} rows: {first['problem']} (first: row "
                             f"{first['row']}; {where})")
            else:
                lines += [line(p) for p in group.itertuples(index=False)]
    lines.append(f"{len(errors)} error(s), {len(warnings)} warning(s)."
                 + (" Fix the errors, then run `evalkit validate` again." if len(errors) else ""))
    return "\n".join(lines)
