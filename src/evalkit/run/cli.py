"""The ``evalkit`` command: init, demo-data, validate, clean, run, regions.

Errors an officer can fix are printed as one line naming the file, row and column (or
the region and its closest matches) and exit with code 2; no traceback. ``validate``
lists every problem it finds and exits 1 when there is an error.

The same one line, exit 2, for faults of the folders: an output folder inside the raw
folder (refused before anything is written), another evalkit already working on the
folder (:mod:`evalkit.core.lock`), a full disk, a read-only or forbidden folder, and any
other ``OSError`` (named by its path).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import typer

from evalkit.core.config import (
    PROCESSED_DATA_DIR,
    PSEUDONYM_KEY_FILE,
    RAW_DATA_DIR,
    REPORTS_DIR,
    project_dirs,
)
from evalkit.core.errors import EvalkitError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="evalkit: partnership-effectiveness evaluations, one report per region.")

RawDir = typer.Option(None, "--raw-dir", show_default=str(RAW_DATA_DIR),
                      help="Folder with the raw input files (read only).")
ProcessedDir = typer.Option(None, "--processed-dir", show_default=str(PROCESSED_DATA_DIR),
                            help="Folder for processed data.")
ReportsDir = typer.Option(None, "--reports-dir", show_default=str(REPORTS_DIR),
                          help="Folder for the reports and index.")
Project = typer.Option(None, "--project", help="Project folder (made by `evalkit init`): its "
                       "data/raw, data/processed and reports. Default: the folder you are in "
                       "when it (or a parent) has data/raw, else $EVALKIT_ROOT.")


def _dirs(project: Path | None, raw_dir: Path | None = None,
          processed_dir: Path | None = None, reports_dir: Path | None = None
          ) -> tuple[Path, Path, Path]:
    """The raw, processed and reports folders: each as given, else the --project's, else
    the configured default (evalkit.core.config)."""
    base = (project_dirs(project) if project is not None else
            {"raw": RAW_DATA_DIR, "processed": PROCESSED_DATA_DIR, "reports": REPORTS_DIR})
    return (Path(raw_dir or base["raw"]), Path(processed_dir or base["processed"]),
            Path(reports_dir or base["reports"]))


def _key(project: Path | None) -> bytes | None:
    """The pseudonymisation key of ``--project`` (its own key file), else None (default)."""
    if project is None:
        return None
    from evalkit.clean.pipeline import load_key

    return load_key(Path(project) / PSEUDONYM_KEY_FILE.name)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(2)


def _os_fail(exc: OSError, *folders: Path | None) -> None:
    """:func:`_fail` with an ``OSError`` in words (a full disk, a read-only folder...)."""
    from evalkit.core.lock import os_error_message

    _fail(os_error_message(exc, folders))


def _outside_raw(raw_dir: Path, **outputs: Path | None) -> None:
    """Fail when the raw folder is missing, or an output folder (``processed_dir=...``,
    ``reports_dir=...``) is inside it: nothing is written there, not even a lock file."""
    from evalkit.core.lock import refuse_inside_raw

    if not raw_dir.is_dir():
        _fail(f"{raw_dir} is not a folder: give the raw data folder with --raw-dir "
              "or a project folder with --project.")
    for name, folder in outputs.items():
        if name != "csv" and folder is not None and folder.exists() and not folder.is_dir():
            _fail(f"--{name.replace('_', '-')} {folder} is a file, not a folder: give a "
                  "folder (it is created when missing).")
    try:
        refuse_inside_raw(raw_dir, {f"--{name.replace('_', '-')}": folder
                                    for name, folder in outputs.items()})
    except EvalkitError as exc:
        _fail(str(exc))


@app.command("demo-data")
def demo_data(raw_dir: Path = RawDir) -> None:
    """Write the synthetic demo data set (seeded, known parameters) into the raw folder."""
    from evalkit.demo.generator import write_demo_data

    for path in write_demo_data(raw_dir or RAW_DATA_DIR):
        typer.echo(f"wrote {path}")


def _print_clean(summary) -> None:
    m = summary.manifest
    typer.echo(f"{'table':<20}{'rows in':>9}{'clean':>9}{'quarantined':>13}")
    for name, t in m["tables"].items():
        typer.echo(f"{name:<20}{t['rows_in']:>9}{t['rows_clean']:>9}{t['rows_quarantined']:>13}")
    if m["quarantine_by_reason"]:
        typer.echo("quarantined rows by reason:")
        for reason, n in m["quarantine_by_reason"].items():
            typer.echo(f"  {n:>5}  {reason}")
    if m["flags_by_issue"]:
        typer.echo("values flagged (row kept):")
        for issue, n in m["flags_by_issue"].items():
            typer.echo(f"  {n:>5}  {issue}")
    for name in m.get("inputs_missing", []):
        typer.echo(f"no file for {name}: its table is empty (optional input)")
    for name in m.get("inputs_empty", []):
        typer.echo(f"{name}: the file has only its header: its table is empty")
    for warning in m.get("warnings", []):
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW)
    typer.echo(f"processed data, quarantine and manifest in {summary.processed_dir}")


@app.command()
def clean(
    raw_dir: Path = RawDir, processed_dir: Path = ProcessedDir,
    flag_only: list[str] | None = typer.Option(
        None, "--flag-only", help="Quality check to flag instead of exclude (repeatable): "
        "test_submission, duplicate_uuid, duplicate_respondent, speeder, too_many_missing, "
        "straight_lining."),
    speeder_seconds: float | None = typer.Option(
        None, "--speeder-seconds", help="Shortest plausible interview, in seconds. Default: "
        "6 s per scale item of the form (180 s for 30 items)."),
    project: Path | None = Project,
) -> None:
    """Clean data/raw into data/processed: parquet tables, quarantine, manifest."""
    from evalkit.clean.pipeline import run_clean
    from evalkit.clean.survey import QUALITY_CHECKS

    unknown = sorted(set(flag_only or ()) - set(QUALITY_CHECKS))
    if unknown:
        _fail(f"unknown quality check(s) {', '.join(unknown)}; choose from "
              f"{', '.join(QUALITY_CHECKS)}.")
    policy = dict.fromkeys(flag_only or (), "flag")
    raw_dir, processed_dir, _ = _dirs(project, raw_dir, processed_dir)
    _outside_raw(raw_dir, processed_dir=processed_dir)
    try:
        _print_clean(run_clean(raw_dir, processed_dir, key=_key(project), policy=policy,
                               speeder_seconds=speeder_seconds))
    except EvalkitError as exc:
        _fail(str(exc))
    except OSError as exc:  # a full or read-only disk
        _os_fail(exc, processed_dir)


@app.command()
def run(
    region: list[str] | None = typer.Option(
        None, "--region", "-r", help="Region code or name (repeatable). Default: every region."),
    lang: str = typer.Option("all", "--lang", help="Report language: id, en or all (both, the default)."),
    jobs: int = typer.Option(os.cpu_count() or 1, "--jobs", "-j", help="Reports run in parallel."),
    force: bool = typer.Option(False, "--force", help="Rerun every report, changed or not."),
    show_code: bool = typer.Option(False, "--show-code", help="Keep the code cells in the HTML."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (tcp://host:8786): run the reports "
                                  "on that cluster (needs `pip install evalkit[dask]`)."),
    fresh_kernels: bool = typer.Option(
        False, "--fresh-kernels", help="Start each report's kernel as a new Python instead of "
                                       "forking it from the preloaded server (slower)."),
    no_archive: bool = typer.Option(
        False, "--no-archive", help="Skip the archives of the earlier waves (reports/archive/)."),
    wave: str | None = typer.Option(
        None, "--wave", help="Render only this earlier wave's archive (its label, e.g. 2025-Q3); "
                             "the latest wave's label renders only the current reports."),
    ci_level: float | None = typer.Option(
        None, "--ci-level", help="Confidence level of the regional reports' intervals, "
                                 "strictly between 0.5 and 1. Default: 0.95."),
    reference_sector: str | None = typer.Option(
        None, "--reference-sector", help="Sector code the sector models compare the others "
        "with. Default: the largest civil-society sector with enough respondents."),
    n_boot: int | None = typer.Option(
        None, "--n-boot", help="Bootstrap draws of the index and its weight sensitivity "
                               "(a quarter of them for the ICC and effect sizes). Default: 2000."),
    index_weights: str | None = typer.Option(
        None, "--index-weights", help="Weighting of the effectiveness index: baseline, equal, "
        "drop:<pillar>, double:<pillar>, geometric or minmax. Default: baseline."),
    pdf: bool = typer.Option(
        False, "--pdf", help="Also print each report to <stem>.pdf beside its HTML (headless "
                             "Chromium, A4; `make browser` installs it); the index links them."),
    raw_dir: Path = RawDir, processed_dir: Path = ProcessedDir, reports_dir: Path = ReportsDir,
    project: Path | None = Project,
) -> None:
    """Run the regional reports and the synthesis (papermill); write the index and summary.xlsx.

    Cleans first when the raw files changed since the last `evalkit clean`. Reports
    whose inputs, notebook and parameters are unchanged since their last successful
    run are skipped (see --force). With several survey waves, each earlier wave's
    reports are then kept in reports/archive/<wave>/ (made from the data as they stood
    at that wave; unchanged archives are skipped) and the index links them.

    --ci-level, --reference-sector, --n-boot and --index-weights are the regional
    reports' analysis choices: their results are computed beside the default ones
    (which the synthesis, the Excel summary, the index page and the archives show) and
    each report records them; a report is rerun when they change.
    """
    from tqdm import tqdm

    from evalkit.clean.pipeline import raw_inputs_changed, run_clean
    from evalkit.core.lock import hold_all
    from evalkit.present.i18n import LANGS
    from evalkit.present.index_page import report_regions, write_index
    from evalkit.present.workbook import summary_data, write_summary
    from evalkit.read.regions import resolve_region
    from evalkit.run.archive import archive_links
    from evalkit.run.batch import require_responses, run_reports

    raw_dir, processed_dir, reports_dir = _dirs(project, raw_dir, processed_dir, reports_dir)
    _outside_raw(raw_dir, processed_dir=processed_dir, reports_dir=reports_dir)
    locks = contextlib.ExitStack()
    try:
        langs = LANGS if lang == "all" else (lang,)
        if any(lg not in LANGS for lg in langs):
            _fail(f"--lang must be one of {', '.join(LANGS)} or all, not {lang!r}.")
        if wave is not None and no_archive:
            _fail("--wave renders one wave's archive and --no-archive skips the archives: "
                  "give one of them.")
        choices = _choices(ci_level, reference_sector, n_boot, index_weights)
        if pdf:  # before any report runs: no Chromium is a one-line error, not a late one
            from evalkit.run.pdf import find_chromium

            find_chromium()
        wanted = [resolve_region(r) for r in region] if region else None
        # Both folders for the whole run, reports first (the order every run takes them
        # in); the clean below and run_reports take them again (re-entrant).
        locks.enter_context(hold_all([reports_dir, processed_dir], "run"))
        why: list[str] = []
        if raw_inputs_changed(raw_dir, processed_dir, why=why):
            typer.echo(f"{why[0] if why else 'raw data changed since the last clean'}: "
                       "cleaning first")
            _print_clean(run_clean(raw_dir, processed_dir, key=_key(project)))
        require_responses(processed_dir)
        if choices is not None:  # the reference sector: one of the programme's sectors
            from evalkit.read.products import programme_sectors

            try:
                choices.validate(programme_sectors(processed_dir))
            except ValueError as exc:
                _fail(f"--{str(exc).replace('_', '-', 1)}")
        only_archive = None if wave is None else _earlier_wave(wave, processed_dir)
        regions = report_regions(processed_dir)
        if wanted:
            known = {r.code for r in regions}
            absent = [w for w in wanted if w.code not in known]
            if absent:
                _fail(f"no data for {', '.join(f'{r.name} ({r.code})' for r in absent)} "
                      "in the processed data.")
            regions = wanted
        if only_archive:  # only that wave's archive: the current reports are left as they are
            results, workbooks = [], []
            archives = _run_archives(processed_dir, reports_dir, langs, jobs, [only_archive],
                                     wanted, force, show_code, scheduler, fresh_kernels)
            index = write_index(reports_dir, processed_dir,
                                archives=archive_links(reports_dir, processed_dir))
            return _report_run(results, archives, reports_dir, index, workbooks)
        where = f"on {scheduler}" if scheduler else f"with {jobs} job(s)"
        typer.echo(f"{len(regions) * len(langs)} regional report(s) + synthesis, {where}...")
        # A bar on a terminal; one line per report either way (logs keep them).
        bar = tqdm(total=len(regions) * len(langs) + len(langs), unit="report",
                   disable=not sys.stderr.isatty(), leave=False)

        def progress(res, done, total):
            mark = "skip" if res.skipped else "ok  " if res.ok else "FAILED"
            detail = ("unchanged" if res.skipped else f"{res.seconds:5.1f} s" if res.ok
                      else res.error)
            bar.update(1)
            tqdm.write(f"[{done:>3}/{total}] {mark} {res.label} ({res.lang}) {detail}")

        results = run_reports(regions, langs=langs, jobs=jobs, reports_dir=reports_dir,
                              processed_dir=processed_dir, force=force, show_code=show_code,
                              scheduler=scheduler, fresh_kernels=fresh_kernels,
                              choices=choices,
                              on_done=progress, on_moved=lambda paths: typer.echo(
                                  f"moved {len(paths)} report file(s) of regions no longer in "
                                  f"the data to {reports_dir / '_previous'}"))
        bar.close()
        data = summary_data(processed_dir)  # the numbers once, a workbook per language
        workbooks = [write_summary(reports_dir, processed_dir, lg, data=data,
                                   filename="summary.xlsx" if lg == "id" else f"summary_{lg}.xlsx")
                     for lg in langs]
        archives = [] if no_archive or wave is not None else _run_archives(
            processed_dir, reports_dir, langs, jobs, None, wanted, force, show_code, scheduler,
            fresh_kernels)
        if pdf:  # before the index, which links the PDFs that exist
            from evalkit.run.pdf import print_reports

            pdfs = print_reports(reports_dir, on_done=lambda path, printed: tqdm.write(
                f"pdf  {'ok  ' if printed else 'skip'} {path.name}"))
            typer.echo(f"{len(pdfs)} PDF(s) in {reports_dir}")
        # last: it links what exists, the archives of the earlier waves among them
        index = write_index(reports_dir, processed_dir,
                            archives=archive_links(reports_dir, processed_dir))
    except EvalkitError as exc:
        _fail(str(exc))
    except OSError as exc:  # a full or read-only disk, a folder evalkit may not write in
        _os_fail(exc, reports_dir, processed_dir)
    finally:
        locks.close()
    _report_run(results, archives, reports_dir, index, workbooks)


def _choices(ci_level: float | None, reference_sector: str | None, n_boot: int | None,
             index_weights: str | None):
    """The analysis choices of ``evalkit run``'s options (None when none is given); a
    one-line error naming the option when one is out of range."""
    given = {"ci_level": ci_level, "reference_sector": reference_sector, "n_boot": n_boot,
             "index_weights": index_weights}
    given = {k: v for k, v in given.items() if v is not None}
    if not given:
        return None
    from evalkit.analyse.choices import AnalysisChoices

    try:
        return AnalysisChoices(**given)
    except ValueError as exc:  # "ci_level must be ..." -> "--ci-level must be ..."
        message = str(exc)
        name = message.split(" ", 1)[0]
        _fail(f"--{name.replace('_', '-')} {message.split(' ', 1)[1]}")


def _earlier_wave(wave: str, processed_dir: Path) -> str | None:
    """The label ``--wave`` names (the label, its folder name, or a period spelling such
    as ``TW III 2025``); None for the latest wave; an error naming the waves otherwise."""
    from evalkit.read.products import read_waves
    from evalkit.read.waves import latest_wave, parse_wave_label, wave_slug

    waves = read_waves(processed_dir)
    labels = [str(w) for w in waves["wave"]]
    parsed = parse_wave_label(wave)
    found = next((label for label in labels if wave in (label, wave_slug(label))
                  or (parsed is not None and parsed[0] == label)), None)
    if found is None:
        _fail(f"--wave {wave}: no such wave in the processed data; the waves are "
              f"{', '.join(labels)}.")
    return None if found == latest_wave(waves) else found


def _run_archives(processed_dir, reports_dir, langs, jobs, waves, regions, force, show_code,
                  scheduler, fresh_kernels) -> list:
    """The earlier waves' archives (:func:`evalkit.run.archive.archive_reports`), one line
    per report."""
    from tqdm import tqdm

    from evalkit.run.archive import archive_reports, earlier_waves

    labels = waves or earlier_waves(processed_dir)
    if not labels:
        return []
    typer.echo(f"archives of {len(labels)} earlier wave(s): {', '.join(labels)}...")

    def progress(label, res, done, total):
        mark = "skip" if res.skipped else "ok  " if res.ok else "FAILED"
        detail = "unchanged" if res.skipped else f"{res.seconds:5.1f} s" if res.ok else res.error
        tqdm.write(f"[{done:>3}/{total}] {mark} {label}: {res.label} ({res.lang}) {detail}")

    return archive_reports(processed_dir, reports_dir, langs=langs, jobs=jobs, waves=waves,
                           regions=regions, force=force, show_code=show_code,
                           scheduler=scheduler, fresh_kernels=fresh_kernels, on_done=progress)


def _report_run(results, archives, reports_dir: Path, index: Path, workbooks) -> None:
    """The closing lines of ``evalkit run``; exit 1 when a report failed."""
    archived = [r for a in archives for r in a.results]
    failed = [r for r in [*results, *archived] if not r.ok]
    if results:
        skipped = sum(r.skipped for r in results)
        n_failed = sum(not r.ok for r in results)
        typer.echo(f"{len(results) - n_failed - skipped} report(s) written, {skipped} unchanged, "
                   f"in {reports_dir}")
    for archive in archives:
        skipped = sum(r.skipped for r in archive.results)
        n_failed = sum(not r.ok for r in archive.results)
        typer.echo(f"archive {archive.label}: {len(archive.results) - n_failed - skipped} "
                   f"written, {skipped} unchanged, in {archive.folder}")
    if failed:
        typer.secho(f"{len(failed)} failed (see the .error.txt next to each): "
                    + ", ".join(f"{r.label.split()[0]} ({r.lang}{', ' + r.wave if r.wave else ''})"
                                for r in failed),
                    err=True, fg=typer.colors.RED)
    typer.echo(f"index: {index}")
    if workbooks:
        typer.echo("Excel summary: " + ", ".join(str(w) for w in workbooks))
    if failed:
        raise typer.Exit(1)


@app.command()
def validate(
    raw_dir: Path = RawDir,
    csv: Path | None = typer.Option(None, "--csv", help="Also write the problems to this CSV "
                                       "file (file, row, column, value, problem, suggestion)."),
    project: Path | None = Project,
) -> None:
    """Check every raw input in one pass and list all problems (writes no processed data).

    Exit code 0: no errors (warnings may be listed); 1: errors to fix; 2: usage.
    """
    from evalkit.clean.validate import format_problems, validate_inputs, write_problems

    raw_dir, _, _ = _dirs(project, raw_dir)
    if not raw_dir.is_dir():
        _fail(f"{raw_dir} is not a folder: give the raw data folder with --raw-dir "
              "or a project folder with --project.")
    if csv is not None:
        _outside_raw(raw_dir, csv=csv)
    problems = validate_inputs(raw_dir)
    typer.echo(format_problems(problems, raw_dir, csv))
    if csv is not None:
        try:
            write_problems(problems, csv)
        except OSError as exc:
            _os_fail(exc, csv.parent)
        typer.echo(f"problems written to {csv}")
    if (problems["severity"] == "error").any():
        raise typer.Exit(1)


def _raw_folder_around(directory: Path) -> Path | None:
    """The raw folder ``directory`` would lie in (symlinks resolved): the configured one,
    the ``data/raw`` of a project folder, or a folder holding evalkit's input files
    (the codebook, the survey export...); None when it lies in none of them."""
    from evalkit.clean.pipeline import RAW_FILES
    from evalkit.core.lock import inside

    here = Path(directory).resolve()
    for folder in (here, *here.parents):
        if not folder.is_dir():
            continue
        if (folder.name == "raw" and folder.parent.name == "data") or any(
                (folder / name).is_file() for name in RAW_FILES.values()):
            return folder
    return RAW_DATA_DIR if inside(here, RAW_DATA_DIR) else None


@app.command()
def init(directory: Path = typer.Argument(..., help="The new project folder (must be empty "
                                          "or not exist yet).")) -> None:
    """Create a project folder: data/raw with header-only templates of every input file,
    a template XLSForm, aliases.csv, data/processed, reports and a README with the contract."""
    from evalkit.run.project import init_project

    raw = _raw_folder_around(directory)
    if raw is not None:
        _fail(f"{directory} is inside the raw data folder {raw}, which is read-only to "
              "evalkit: make the new project somewhere else.")
    try:
        written = init_project(directory)
    except EvalkitError as exc:
        _fail(str(exc))
    except OSError as exc:
        _os_fail(exc, Path(directory))
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"next: put your exports into {Path(directory) / 'data' / 'raw'}, then run "
               f"`evalkit validate --project {directory}`")


@app.command()
def regions(query: str = typer.Argument(..., help="A region name in any spelling, or a code.")) -> None:
    """Look up a region's Kemendagri code (e.g. `evalkit regions "Kt. Jambi"`)."""
    from evalkit.read.regions import resolve_region

    try:
        r = resolve_region(query)
    except EvalkitError as exc:
        _fail(str(exc))
    typer.echo(f"{r.code}\t{r.name}\t{r.type}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
