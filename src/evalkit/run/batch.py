"""The report batch: one papermill run per region, HTML export, and the index page.

Each region's notebook runs in its own fresh kernel (no state shared between regions),
on the ``evalkit`` kernel of this environment. Outputs are written to temporary names
and renamed only when complete, so an interrupted run never leaves a report that
looks finished. A region that fails does not stop the others.

Robustness
----------
* **One batch per folder.** :func:`run_reports` holds the reports folder's and the
  processed folder's lock (:func:`evalkit.core.lock.hold`); a second batch on either is
  refused with one line.
* **Nothing writes after a kill.** The worker processes of ``jobs > 1`` die with the
  batch (:func:`evalkit.run.fork_kernel.die_with_parent`), and so do their fork servers and
  kernels. A report is written under unique temporary names
  (:func:`evalkit.core.lock.temp_beside`) and only the batch's own process renames them into
  place (:func:`commit_outputs`), so a worker that outlived its parent for a moment
  could only leave temporary files, which the next run removes.
* **Disk faults stop the batch.** A full disk, or a reports folder evalkit may not write
  in, is every report's problem: it is raised (the CLI says it in one line) instead of
  being recorded as each report's failure.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from evalkit.analyse.choices import AnalysisChoices
from evalkit.core.config import (
    KERNEL_ARGUMENTS,
    KERNEL_NAME,
    NOTEBOOKS_DIR,
    PROCESSED_DATA_DIR,
    REPORTS_DIR,
)
from evalkit.core.digest import VERSIONED_PACKAGES
from evalkit.core.errors import EvalkitError
from evalkit.core.lock import hold_all, is_disk_fault, temp_beside
from evalkit.present.local_paths import drop_local_paths, machine_folders, project_relative
from evalkit.present.published import export_html, report_stem, synthesis_stem
from evalkit.read.io import file_sha256
from evalkit.read.products import MANIFEST, manifest_digest, read_processed, read_results_stamp
from evalkit.read.regions import Region
from evalkit.run import cache
from evalkit.run.fork_kernel import die_with_parent
from evalkit.run.kernelspec import ensure_kernel
from evalkit.run.stages import ensure_results

REGION_NOTEBOOK = NOTEBOOKS_DIR / "region_evaluation.ipynb"
SYNTHESIS_NOTEBOOK = NOTEBOOKS_DIR / "cross_region_synthesis.ipynb"


@dataclass
class RunResult:
    """Outcome of one report (a region's, or the cross-region synthesis when ``region`` is None)."""

    region: Region | None
    lang: str
    ok: bool
    seconds: float
    html: Path | None = None
    notebook: Path | None = None
    error: str = ""
    skipped: bool = False  # unchanged since its last successful run: not rerun
    wave: str = ""  # an archive's report: the wave's label (evalkit.run.archive); "": current
    # Renames still to make (:func:`commit_outputs`) when the report was made in a worker.
    pending: tuple[tuple[Path | None, Path], ...] = ()

    @property
    def label(self) -> str:
        """How the CLI names the report: ``15.71 Kota Jambi`` or ``synthesis``."""
        return f"{self.region.code:<6} {self.region.name}" if self.region else "synthesis"


# --- incremental runs -------------------------------------------------------------------

RUN_RECORD = ".run.json"  # <stem>.run.json: what a successful report was made from


#: Where the HTML of every report is made: part of every report's code.
PUBLISHING_CODE = "evalkit.present.published"
#: Packages beyond :data:`evalkit.core.digest.VERSIONED_PACKAGES` whose version changes
#: what a report looks like (the HTML export).
REPORT_PACKAGES = (*VERSIONED_PACKAGES, "nbconvert")


def code_digest(notebook: Path = REGION_NOTEBOOK, root: Path | str | None = None) -> str:
    """SHA-256 over the source of the evalkit code a report depends on.

    That is the import closure (:func:`evalkit.core.digest.code_digest`) of the modules
    the notebook's code cells import (:func:`evalkit.run.cache.notebook_modules`) and of
    :data:`PUBLISHING_CODE`, with the package data they read. A change elsewhere (the
    workbook, the CLI) reruns no report; one in :mod:`evalkit.core.config` reruns all.
    ``root``: the evalkit folder to read (default: the installed package).
    """
    return cache.code_digest([*cache.notebook_modules(notebook, root), PUBLISHING_CODE], root)


def made_from(notebook: Path, parameters: dict, processed_dir: Path, *, show_code: bool = False,
              code: str | None = None, results: str | None = None,
              versions: dict | None = None) -> dict:
    """What a report is made from, each item a digest or a value.

    The notebook's bytes, its parameters, the processed data (the manifest digest, which
    covers every raw input's hash), the cross-region results it reads (the digest of
    their stamp, so results recomputed rerun the reports), evalkit's code the notebook
    depends on (:func:`code_digest`, or ``code``), the package versions (``versions``:
    once for a whole batch, reading them costs ~15 ms) and the export options.
    """
    manifest = _read_manifest(processed_dir)
    return {"notebook": file_sha256(notebook), "parameters": parameters,
            "processed": manifest_digest(manifest),
            "results": results if results is not None else results_digest(processed_dir),
            "code": code or code_digest(notebook),
            "versions": versions or cache.package_versions(REPORT_PACKAGES), "show_code": show_code}


def run_key(notebook: Path, parameters: dict, processed_dir: Path, *, show_code: bool = False,
            code: str | None = None, results: str | None = None) -> str:
    """Content hash of everything a report depends on (:func:`made_from`)."""
    return cache.digest(made_from(notebook, parameters, processed_dir, show_code=show_code,
                                  code=code, results=results))


def results_digest(processed_dir: Path, choices: AnalysisChoices | None = None) -> str:
    """Digest of the results stamp (what the results came from, with which analysis
    ``choices`` — None: the defaults —, and their tables' hashes); that of ``{}`` when
    there are no results yet."""
    return cache.digest(read_results_stamp(processed_dir,
                                           subfolder=choices.folder if choices else None))


def _read_manifest(processed_dir: Path) -> dict:
    path = Path(processed_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalkitError(f"no processed data in {processed_dir}: run `evalkit clean` "
                           "first.") from None
    except ValueError:  # cut off or overwritten: the processed data cannot be trusted
        raise EvalkitError(f"{path} is damaged (not readable JSON): run `evalkit clean` "
                           "to rebuild the processed data.") from None


def is_current(stem: str, key: str, reports_dir: Path) -> bool:
    """True when ``stem``'s last successful run had this key and its outputs (notebook
    and HTML) are all there as they were written (size and SHA-256 in the run record)."""
    return cache.is_current(Path(reports_dir) / f"{stem}{RUN_RECORD}", {"key": key})


PREVIOUS_DIR = "_previous"  # reports/_previous/: reports of regions no longer in the data
# What a regional report leaves in reports/: <code>-<slug>[.<lang>]<suffix> (see report_stem).
REPORT_SUFFIXES = (".failed.ipynb", ".error.txt", RUN_RECORD, ".ipynb", ".html", ".pdf")
_REPORT_FILE = re.compile(r"^(?P<stem>\d+(?:\.\d+)*-[a-z0-9-]+(?:\.[a-z]{2})?)"
                          r"(?P<suffix>" + "|".join(re.escape(s) for s in REPORT_SUFFIXES) + r")$")


def move_stale_reports(reports_dir: Path, current: list[Region],
                       langs: tuple[str, ...] | None = None) -> list[Path]:
    """Move the report files of regions no longer in the data into ``reports/_previous/``.

    After a new data set, ``reports/`` (and so the index) shows the current programme
    only; nothing is deleted. A regional report's files (``.ipynb``, ``.html``,
    ``.run.json``, ``.error.txt``, ``.failed.ipynb``, every language) whose stem is not
    :func:`report_stem` of a region in ``current`` are moved; a name already in
    ``_previous/`` moves into a numbered subfolder (``_previous/2/``...) instead of
    replacing it. Other files (index, synthesis, Excel summaries) are left alone.

    Returns the new paths of the moved files (empty when nothing was stale).
    """
    from evalkit.present.i18n import LANGS

    reports_dir = Path(reports_dir)
    if not reports_dir.is_dir():
        return []
    keep = {report_stem(region, lang) for region in current for lang in (langs or LANGS)}
    moved = []
    for path in sorted(p for p in reports_dir.iterdir() if p.is_file()):
        found = _REPORT_FILE.match(path.name)
        if not found or found["stem"] in keep:
            continue
        target, n = reports_dir / PREVIOUS_DIR / path.name, 1
        while target.exists():
            n += 1
            target = reports_dir / PREVIOUS_DIR / str(n) / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        moved.append(target)
    if moved:
        logging.getLogger("evalkit").warning(
            "moved %d report file(s) of regions no longer in the data to %s",
            len(moved), reports_dir / PREVIOUS_DIR)
    return moved


def remove_leftovers(reports_dir: Path) -> list[Path]:
    """Delete temporary files an interrupted run left behind (they are never outputs)."""
    leftovers = [p for p in reports_dir.glob(".*") if p.is_file()
                 and (p.name.endswith(".tmp") or p.name.endswith(".running.ipynb"))]
    for path in leftovers:
        path.unlink(missing_ok=True)
    return leftovers


def execute(notebook: Path, output: Path, parameters: dict, *, fresh_kernel: bool = False,
            cwd: Path | None = None) -> None:
    """Execute ``notebook`` with papermill into ``output``, in a kernel of its own.

    The kernel comes from this process's kernel pool (:mod:`evalkit.run.kernel_pool`):
    forked from a server that already holds the imports, started ahead, used for this
    notebook only and killed afterwards. ``fresh_kernel`` has papermill start a new
    Python instead (slower; what the pool is measured against). The kernel runs in
    ``cwd`` (default: the notebook's folder): the project folder the parameters' paths
    are relative to (:func:`notebook_folder`). papermill's record of the notebook's and
    the output's paths is cut to their file names, and the folders of this machine in
    the outputs (tracebacks, warnings) to their published names (:func:`_drop_paths`).
    """
    cwd = Path(cwd) if cwd is not None else notebook.parent
    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)
    # papermill saves the whole notebook after every cell by default; the output is a
    # temporary file renamed only when complete, so once at the end (or on failure) will do.
    once = {"request_save_on_cell_execute": False}
    from evalkit.run.kernel_pool import GuardedKernelManager, execute_pooled

    try:
        if not fresh_kernel:
            execute_pooled(notebook, output, parameters, cwd=cwd, **once)
        else:
            pm.execute_notebook(  # (the kernel dies with this process: GuardedKernelManager)
                str(notebook), str(output), parameters=parameters, **once,
                kernel_name=KERNEL_NAME, language="python", progress_bar=False,
                log_output=False, cwd=str(cwd), extra_arguments=list(KERNEL_ARGUMENTS),
                kernel_manager_class=GuardedKernelManager,
            )
    except BaseException:
        # the partial notebook is kept for diagnosis: cut too, as far as it can be read
        with contextlib.suppress(Exception):
            _drop_paths(output, cwd)
        raise
    _drop_paths(output, cwd)


def _drop_paths(output: Path, root: Path | None = None) -> None:
    """papermill's ``input_path`` / ``output_path`` in the executed notebook's metadata
    cut to file names, and the folders of this machine in its outputs (a traceback's
    frames, a warning's file, ``root``: the kernel's folder) to their published names
    (:func:`evalkit.present.local_paths.drop_local_paths`): absolute, they would publish
    the checkout's and the reports folder's place (the officer's home folder, issue #16)."""
    import nbformat

    if not Path(output).is_file() or not Path(output).stat().st_size:
        return
    nb = nbformat.read(output, as_version=nbformat.NO_CONVERT)
    changed = False
    meta = nb.metadata.get("papermill") or {}
    for key in ("input_path", "output_path"):
        value = meta.get(key)
        if isinstance(value, str) and value != Path(value).name:
            meta[key] = Path(value).name
            changed = True
    folders = machine_folders(root)

    def scrub(value):
        return drop_local_paths(value, folders) if isinstance(value, str) else value

    # a processed folder outside any project is passed absolute (notebook_folder)
    params = meta.get("parameters") or {}
    for key, value in params.items():
        if scrub(value) != value:
            params[key], changed = scrub(value), True
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", ()):
            if scrub(cell.source) != cell.source:
                cell.source, changed = scrub(cell.source), True
        for out in cell.get("outputs", ()):
            # the texts a kernel writes itself; the report's own HTML names no folder
            for key, holder in (("traceback", out), ("evalue", out), ("text", out),
                                ("text/plain", out.get("data", {}))):
                value = holder.get(key)
                new = [scrub(v) for v in value] if isinstance(value, list) else scrub(value)
                if new != value:
                    holder[key] = new
                    changed = True
    if changed:
        nbformat.write(nb, output)


def _published(made_from: dict, root: Path | None) -> dict:
    """A run record's ``made_from`` as published: its parameters' folders of this machine
    cut (:func:`evalkit.present.local_paths.drop_local_paths`; the key is of the original)."""
    params = made_from.get("parameters")
    if not isinstance(params, dict):
        return made_from
    folders = machine_folders(root)
    return {**made_from, "parameters": {
        k: drop_local_paths(v, folders) if isinstance(v, str) else v for k, v in params.items()}}


#: One rename of a finished report: (temporary file, final name); None: remove the final name.
Step = tuple[Path | None, Path]


def commit_outputs(steps) -> None:
    """Make the renames (and removals) of :func:`make_report`, in order.

    Called by the batch's own process: the final names only ever change there.
    """
    for source, target in steps:
        if source is None:
            Path(target).unlink(missing_ok=True)
        else:
            os.replace(source, target)


def make_report(notebook: Path, stem: str, parameters: dict, reports_dir: Path, *,
                key: str = "", show_code: bool = False, fresh_kernel: bool = False,
                made_from: dict | None = None, cwd: Path | None = None
                ) -> tuple[bool, Path | None, Path | None, str, list[Step]]:
    """Execute and export one report under temporary names; the renames are returned.

    Returns ``(ok, html, notebook, error, steps)``: ``steps`` (for
    :func:`commit_outputs`) put the executed notebook, its HTML and the run record
    (``key``, ``made_from``, the seconds it took and the outputs' sizes and SHA-256:
    :func:`evalkit.run.cache.record_text`) under their final names and remove an earlier
    failure's ``.error.txt`` and ``.failed.ipynb``; after a failure they put the error
    (and the partial notebook, when there is one) in place instead. Every temporary file has a unique name
    (:func:`evalkit.core.lock.temp_beside`) that :func:`remove_leftovers` recognises.

    Raises
    ------
    OSError
        A full disk or a reports folder evalkit may not write in
        (:func:`evalkit.core.lock.is_disk_fault`): every report's problem, not this one's.
        Any other exception becomes the report's failure.
    """
    start = time.perf_counter()
    out_nb, out_html = reports_dir / f"{stem}.ipynb", reports_dir / f"{stem}.html"
    error_file, failed_nb = reports_dir / f"{stem}.error.txt", reports_dir / f"{stem}.failed.ipynb"
    record = reports_dir / f"{stem}{RUN_RECORD}"
    temps: list[Path] = []

    def temp(target: Path, suffix: str = ".tmp") -> Path:
        temps.append(temp_beside(target, suffix))
        return temps[-1]

    def discard(keep: tuple[Path, ...] = ()) -> None:
        for path in temps:
            if path not in keep:
                path.unlink(missing_ok=True)

    tmp_nb = None
    try:
        record.unlink(missing_ok=True)  # first: an interrupted run must not look finished
        tmp_nb = temp(reports_dir / stem, ".running.ipynb")
        execute(notebook, tmp_nb, parameters, fresh_kernel=fresh_kernel, cwd=cwd)
        tmp_html = temp(out_html)
        export_html(tmp_nb, tmp_html, show_code=show_code)
        # a PDF of the report before (evalkit run --pdf) shows the old numbers: gone
        steps: list[Step] = [(tmp_nb, out_nb), (tmp_html, out_html), (None, error_file),
                             (None, failed_nb), (None, reports_dir / f"{stem}.pdf")]
        if key:
            tmp_record = temp(record)
            files = {out_nb.name: cache.file_record(tmp_nb), out_html.name: cache.file_record(tmp_html)}
            tmp_record.write_text(cache.record_text(  # only the key is compared: made_from
                {"key": key}, files=files, made_from=_published(made_from or {}, cwd),
                seconds=round(time.perf_counter() - start, 2)), encoding="utf-8")
            steps.append((tmp_record, record))
        return True, out_html, out_nb, "", steps
    except Exception as exc:  # one report's failure must not stop the batch
        if is_disk_fault(exc):
            discard()
            raise
        message = _describe(exc)  # the console's: the officer's own folders are fine there
        try:
            tmp_error = temp(error_file)
            folders = machine_folders(cwd if cwd is not None else notebook.parent)
            tmp_error.write_text(drop_local_paths(message + "\n\n" + traceback.format_exc(),
                                                  folders), encoding="utf-8")
        except OSError:
            discard()
            raise
        steps = [(tmp_error, error_file)]
        # keep the partial notebook for diagnosis, clearly named
        partial = tmp_nb is not None and tmp_nb.exists() and tmp_nb.stat().st_size > 0
        if partial:
            steps.append((tmp_nb, failed_nb))
        discard(keep=(tmp_error, tmp_nb) if partial else (tmp_error,))
        return False, None, None, message, steps


def run_notebook(notebook: Path, stem: str, parameters: dict, reports_dir: Path, *,
                 key: str = "", show_code: bool = False, fresh_kernel: bool = False
                 ) -> tuple[bool, Path | None, Path | None, str]:
    """Execute one notebook (:func:`execute`) into ``reports_dir/<stem>.ipynb|.html``.

    Returns ``(ok, html, notebook, error)``. The run record is removed first and
    written last, and every output is written under a temporary name and renamed when
    complete (:func:`make_report`, :func:`commit_outputs`), so an interrupted run never
    looks finished. A failure leaves ``<stem>.error.txt`` and the partial
    ``<stem>.failed.ipynb`` for diagnosis. Raises only for a disk fault (see
    :func:`make_report`).
    """
    ok, html, nb, error, steps = make_report(notebook, stem, parameters, reports_dir, key=key,
                                             show_code=show_code, fresh_kernel=fresh_kernel)
    commit_outputs(steps)
    return ok, html, nb, error


def _result(region: Region | None, lang: str, start: float, made, commit: bool) -> RunResult:
    ok, html, nb, error, steps = made
    if commit:
        commit_outputs(steps)
        steps = []
    return RunResult(region, lang, ok, time.perf_counter() - start, html, nb, error,
                     pending=tuple(steps))


def run_region(region: Region, lang: str, reports_dir: Path, processed_dir: Path,
               notebook: Path = REGION_NOTEBOOK, *, commit: bool = True,
               choices: AnalysisChoices | None = None, **options) -> RunResult:
    """Execute the regional notebook for one region and export it; raises only for a
    disk fault (:func:`make_report`).

    ``options`` go to :func:`make_report` (``key``, ``made_from``, ``show_code``,
    ``fresh_kernel``); ``choices``: the analysis choices, passed as the notebook's
    parameters (:func:`region_parameters`).
    ``commit=False`` (a worker process): the outputs stay under their temporary names and
    the result's ``pending`` says how to put them in place (:func:`commit_outputs`).
    """
    start = time.perf_counter()
    made = make_report(notebook, report_stem(region, lang),
                       region_parameters(region, lang, processed_dir, choices), reports_dir,
                       cwd=notebook_folder(processed_dir)[1], **options)
    return _result(region, lang, start, made, commit)


def notebook_folder(folder: Path | str) -> tuple[str, Path | None]:
    """A folder as a notebook's parameter, and the folder its kernel must run in.

    Inside a project folder (:func:`evalkit.present.local_paths.project_relative`: the
    first of its parents holding ``data/raw``, or ``$EVALKIT_ROOT``): the path relative
    to the project folder (``data/processed``) and the project folder, so that the
    executed notebook, its HTML and its run record name no absolute path (which would
    publish the officer's home folder: issue #16). Elsewhere: the absolute path, and
    None (the kernel runs in the notebooks' folder, not where the command was typed).
    """
    from evalkit.core.config import find_project_root

    absolute = Path(os.path.abspath(folder))
    root = Path(os.path.abspath(find_project_root(absolute)))
    relative = project_relative(absolute, root)
    return (relative, root) if relative is not None else (str(absolute), None)


def region_parameters(region: Region, lang: str, processed_dir: Path,
                      choices: AnalysisChoices | None = None) -> dict:
    """The regional notebook's papermill parameters: the region, the language, the
    processed folder and, unless they are the defaults (the notebook's own), the analysis
    ``choices`` (``ci_level``, ``reference_sector`` — ``""`` for the default rule —,
    ``n_boot``, ``index_weights``). They are part of the report's run record
    (:func:`made_from`), so a report is rerun when the choices change, and not otherwise."""
    # relative to the project folder the kernel runs in, else absolute (notebook_folder)
    out = {"region_code": region.code, "lang": lang,
           "processed_dir": notebook_folder(processed_dir)[0]}
    if choices is not None and not choices.is_default:
        out |= {**choices.to_dict(), "reference_sector": choices.reference_sector or ""}
    return out


def synthesis_parameters(lang: str, processed_dir: Path) -> dict:
    return {"lang": lang, "processed_dir": notebook_folder(processed_dir)[0]}


def run_synthesis(lang: str, reports_dir: Path, processed_dir: Path,
                  notebook: Path = SYNTHESIS_NOTEBOOK, *, commit: bool = True,
                  **options) -> RunResult:
    """Execute the cross-region synthesis notebook in one language (as :func:`run_region`)."""
    start = time.perf_counter()
    made = make_report(notebook, synthesis_stem(lang), synthesis_parameters(lang, processed_dir),
                       reports_dir, cwd=notebook_folder(processed_dir)[1], **options)
    return _result(None, lang, start, made, commit)


def _describe(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Task:
    """One report to make: the function that makes it, its arguments, its run key and
    what the key is the digest of (:func:`made_from`)."""

    fn: Callable[..., RunResult]
    args: tuple
    stem: str
    key: str
    region: Region | None
    lang: str
    made_from: dict | None = None
    wave: str = ""  # the archive's wave (:class:`Batch`)
    reports_dir: Path | None = None  # where it goes
    choices: AnalysisChoices | None = None  # a regional report's analysis choices


@dataclass(frozen=True)
class Batch:
    """One folder's reports: the regions to report on, the reports folder they go to and
    the processed folder they read (``wave``: the label of the earlier wave whose archive
    this is, :mod:`evalkit.run.archive`; ``""`` for the current reports)."""

    regions: list[Region]
    reports_dir: Path
    processed_dir: Path
    synthesis: bool = True
    wave: str = ""
    choices: AnalysisChoices | None = None  # the regional reports' analysis choices


def plan(regions: list[Region], langs: tuple[str, ...], reports_dir: Path, processed_dir: Path,
         *, synthesis: bool = True, show_code: bool = False, wave: str = "",
         choices: AnalysisChoices | None = None) -> list[Task]:
    """Every report of the batch (regions x languages, then the synthesis) with its key.

    Call it after the results are computed (:func:`evalkit.run.stages.ensure_results`):
    each key includes the digest of their stamp. ``choices``: the regional reports'
    analysis choices (their parameters and the stamp of their results; the synthesis
    reads the default results).
    """
    versions = cache.package_versions(REPORT_PACKAGES)
    default_results = results_digest(processed_dir)
    region_results = (results_digest(processed_dir, choices)
                      if choices is not None and not choices.is_default else default_results)
    tasks = []
    for notebook, fn, wanted in ((REGION_NOTEBOOK, run_region, [(r, lang) for r in regions
                                                                 for lang in langs]),
                                 (SYNTHESIS_NOTEBOOK, run_synthesis,
                                  [(None, lang) for lang in langs] if synthesis else [])):
        code = code_digest(notebook) if wanted else ""
        for region, lang in wanted:
            parameters = (region_parameters(region, lang, processed_dir, choices) if region
                          else synthesis_parameters(lang, processed_dir))
            source = made_from(notebook, parameters, processed_dir, show_code=show_code,
                               code=code, results=region_results if region else default_results,
                               versions=versions)
            args = (region, lang, reports_dir, processed_dir) if region else (
                lang, reports_dir, processed_dir)
            stem = report_stem(region, lang) if region else synthesis_stem(lang)
            tasks.append(Task(fn, args, stem, cache.digest(source), region, lang, source, wave,
                              Path(reports_dir), choices if region else None))
    return tasks


def run_reports(regions: list[Region], *, langs: tuple[str, ...] = ("id",), jobs: int = 1,
                reports_dir: Path = REPORTS_DIR, processed_dir: Path = PROCESSED_DATA_DIR,
                synthesis: bool = True, force: bool = False, show_code: bool = False,
                scheduler: str | None = None, fresh_kernels: bool = False,
                on_done: Callable[[RunResult, int, int], None] | None = None,
                on_moved: Callable[[list[Path]], None] | None = None,
                choices: AnalysisChoices | None = None,
                ) -> list[RunResult]:
    """Run every region (x language) report, then the synthesis, ``jobs`` at a time.

    Each report runs in its own kernel, forked from a server process that already
    holds the imports (``fresh_kernels``: a new Python each time). A report whose notebook,
    parameters, processed data and evalkit code are unchanged since its last
    successful run is skipped (``force`` reruns everything). With ``scheduler`` (a
    Dask distributed scheduler address, or a ``distributed.Client``) the reports run
    on that cluster's workers instead, which must have evalkit installed and see the
    same ``processed_dir`` and ``reports_dir``. Results come back in task order.

    First, reports of regions no longer in the processed data (whatever ``regions``
    this run makes) are moved to ``reports/_previous/`` (:func:`move_stale_reports`);
    ``on_moved`` receives their new paths.

    The batch holds the locks of ``reports_dir`` and ``processed_dir`` throughout
    (:func:`evalkit.core.lock.hold`: another batch on either is refused with
    :class:`evalkit.core.lock.FolderInUseError`). A processed survey without responses is
    an error (:func:`require_responses`); a full disk or an unwritable reports folder
    raises ``OSError`` (see :func:`make_report`).

    ``choices`` (:class:`evalkit.analyse.choices.AnalysisChoices`; None: the defaults)
    are the regional reports' analysis choices: their results are computed (in their own
    folder, :func:`evalkit.run.stages.choices_dir`) beside the default ones, which the
    synthesis, the workbook and the index page read, and passed to every regional
    notebook as parameters.
    """
    return run_batches([Batch(regions, Path(reports_dir), Path(processed_dir), synthesis,
                              choices=choices)],
                       langs=langs, jobs=jobs, force=force, show_code=show_code,
                       scheduler=scheduler, fresh_kernels=fresh_kernels, on_done=on_done,
                       on_moved=on_moved)


def run_batches(batches: list[Batch], *, langs: tuple[str, ...] = ("id",), jobs: int = 1,
                force: bool = False, show_code: bool = False, scheduler: str | None = None,
                fresh_kernels: bool = False,
                on_done: Callable[[RunResult, int, int], None] | None = None,
                on_moved: Callable[[list[Path]], None] | None = None) -> list[RunResult]:
    """:func:`run_reports` for several folders at once (the archives of earlier waves:
    :mod:`evalkit.run.archive`), their reports in one queue, ``jobs`` at a time.

    Each batch is prepared as :func:`run_reports` prepares its one (stale reports moved,
    results computed unless current), then every report of every batch runs in the same
    pool of workers: one set of preloaded kernels for all. Results come back in batch
    order, then task order; each carries its batch's ``wave``. Holds the lock of every
    folder.
    """
    for batch in batches:
        if not Path(batch.processed_dir, "manifest.json").exists():
            raise EvalkitError(f"no processed data in {batch.processed_dir}: run `evalkit clean` "
                               "first.")
    folders = [folder for b in batches for folder in (Path(b.reports_dir), Path(b.processed_dir))]
    with hold_all(folders, "run"):
        return _run_reports(batches, langs, jobs, force, show_code, scheduler, fresh_kernels,
                            on_done, on_moved)


def require_responses(processed_dir: Path = PROCESSED_DATA_DIR) -> None:
    """Raise :class:`EvalkitError` when the processed survey has no response to report on.

    A survey export with only its header, or whose every row was quarantined, leaves
    nothing to estimate: the message says which, with the quarantine reasons.
    """
    if len(read_processed("survey", processed_dir)):
        return
    manifest = _read_manifest(processed_dir)
    rows = manifest.get("tables", {}).get("survey", {}).get("rows_in", 0)
    try:  # the survey file's name, as the quarantine records it
        quarantine = read_processed("quarantine", processed_dir)
        names = quarantine.loc[quarantine["table"] == "survey", "source_file"].dropna().unique()
    except (EvalkitError, KeyError):
        names = []
    survey = f"the survey ({names[0]})" if len(names) else "the survey"
    if not rows:
        raise EvalkitError(f"{survey} has no responses, only a header: export the survey's "
                           "submissions into data/raw and run again.")
    reasons = ", ".join(f"{n} {reason.split(': ', 1)[1]}"
                        for reason, n in manifest.get("quarantine_by_reason", {}).items()
                        if reason.startswith("survey: "))
    raise EvalkitError(f"no survey response is left to report on: all {rows} rows of "
                       f"{survey} were quarantined ({reasons or 'see the quarantine table'}; "
                       f"quarantine.parquet in {processed_dir} lists each row): fix the "
                       "export and run again.")


def _run_reports(batches, langs, jobs, force, show_code, scheduler, fresh_kernels, on_done,
                 on_moved) -> list[RunResult]:
    from evalkit.present.index_page import report_regions

    for batch in batches:
        require_responses(batch.processed_dir)
        remove_leftovers(batch.reports_dir)  # (the lock says no other batch is writing them)
        moved = move_stale_reports(batch.reports_dir, report_regions(batch.processed_dir))
        if moved and on_moved:
            on_moved(moved)
    # Reports run side by side, one per core: multi-threaded BLAS in each kernel would
    # only fight over the same cores (kernels inherit this environment).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    ensure_kernel()
    tasks = []
    for batch in batches:
        # Cross-region tables once for the whole batch (each notebook then only loads them).
        ensure_results(batch.processed_dir)
        if batch.choices is not None and not batch.choices.is_default:
            ensure_results(batch.processed_dir, choices=batch.choices)
        tasks += plan(batch.regions, langs, Path(batch.reports_dir), batch.processed_dir,
                      synthesis=batch.synthesis, show_code=show_code, wave=batch.wave,
                      choices=batch.choices)
    done: dict[int, RunResult] = {}
    todo = []
    for i, task in enumerate(tasks):
        reports_dir = task.reports_dir
        if not force and is_current(task.stem, task.key, reports_dir):
            done[i] = RunResult(task.region, task.lang, True, 0.0, reports_dir / f"{task.stem}.html",
                                reports_dir / f"{task.stem}.ipynb", skipped=True, wave=task.wave)
            if on_done:
                on_done(done[i], len(done), len(tasks))
        else:
            todo.append(i)

    def finished(i: int, result: RunResult) -> None:
        if result.pending:  # made in a worker: only this process puts reports in place
            commit_outputs(result.pending)
            result.pending = ()
        result.wave = tasks[i].wave
        done[i] = result
        if on_done:
            on_done(result, len(done), len(tasks))

    in_workers = scheduler is not None or jobs > 1

    def call(i: int):
        t = tasks[i]
        options = {"key": t.key, "made_from": t.made_from, "show_code": show_code,
                   "fresh_kernel": fresh_kernels, "commit": not in_workers}
        if t.choices is not None:  # (a regional report's; run_synthesis takes none)
            options["choices"] = t.choices
        return t.fn, t.args, options

    if scheduler is not None:
        _run_on_dask(scheduler, [(i, *call(i)) for i in todo], finished)
    elif jobs <= 1:
        try:
            for i in todo:
                fn, args, kwargs = call(i)
                finished(i, fn(*args, **kwargs))
        finally:  # the kernel started ahead for a next report is not needed any more
            from evalkit.run.kernel_pool import close_worker_pool

            close_worker_pool()
    else:
        # The workers die with this process, even killed (and with them their fork
        # servers and kernels): nothing is left computing, nothing writes.
        with ProcessPoolExecutor(max_workers=jobs, initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            futures = {pool.submit(fn, *args, **kwargs): i for i in todo
                       for fn, args, kwargs in [call(i)]}
            try:
                for future in as_completed(futures):
                    finished(futures[future], future.result())
            except BaseException:  # a disk fault, say: start no further report
                for future in futures:
                    future.cancel()
                raise
    return [done[i] for i in range(len(tasks))]


def _run_on_dask(scheduler, calls: list[tuple], finished: Callable[[int, RunResult], None]) -> None:
    """Submit the reports to a Dask distributed cluster and collect them as they finish."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # the optional extra is not installed
        raise EvalkitError("--scheduler needs Dask: pip install 'evalkit[dask]'.") from exc
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = {client.submit(fn, *args, pure=False, **kwargs): i for i, fn, args, kwargs in calls}
        for future in dask_completed(list(futures)):
            finished(futures[future], future.result())
    finally:
        if client is not scheduler:
            client.close()
