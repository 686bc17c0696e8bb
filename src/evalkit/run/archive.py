"""History kept: a processed folder and an archive of reports for every earlier wave.

For every wave but the latest (:func:`evalkit.read.waves.latest_wave`) the run stage keeps

* a **wave view**, ``data/processed/waves/<slug>/``: the processed tables as they stood
  at that wave (:func:`evalkit.read.waves.as_of`), the same non-wave tables (scale,
  sectors, items, dimensions, indicator tables...), the quarantine and flag rows of
  the waves up to it (by their ``wave`` column; those of no wave in every view), its
  own ``manifest.json`` and, once the reports are made, its own
  ``results/``. It is an ordinary processed folder: every reader, the results stage and
  the notebooks work on it unchanged;
* an **archive**, ``reports/archive/<slug>/``: that wave's regional reports, synthesis,
  Excel summaries and index, made by the normal batch (:func:`evalkit.run.batch.run_reports`)
  on the view.

Folder names are :func:`evalkit.read.waves.wave_slug` of the labels.

Freshness
---------
A view's manifest is made from the *content* of its tables (a digest of the values,
column names and dtypes of each: :func:`table_digest`), never from the raw files' hashes,
so a new wave, which changes the raw inputs, leaves the digest of every earlier view
alone; the reports of an archive are made from that digest (:func:`evalkit.run.batch.made_from`),
so they are skipped by the batch's one freshness rule while their view, the code and the
packages are unchanged. A view is rewritten only when its manifest would differ or one of
its files is missing or damaged (a record, ``view.json``, lists each file's size and
SHA-256: :func:`evalkit.run.cache.is_current`); its record is removed first and written
last, and every file goes through a unique temporary name (:mod:`evalkit.core.lock`), so an
interrupted write is redone by the next run. An archive's workbooks and index follow the
same rule (``archive.json``).

A project with a single wave has no view and no archive: nothing here writes anything.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evalkit.core.config import PROCESSED_DATA_DIR, REPORTS_DIR
from evalkit.core.errors import EvalkitError
from evalkit.core.lock import hold, replace_atomic, write_atomic
from evalkit.read.products import MANIFEST, RESULTS_DIR, manifest_digest, read_waves
from evalkit.read.waves import as_of, latest_wave, wave_slug
from evalkit.run import cache

#: ``data/processed/waves/<slug>/``: the wave views, inside the processed folder.
VIEWS_DIR = "waves"
#: ``reports/archive/<slug>/``: the archives, inside the reports folder.
ARCHIVE_DIR = "archive"
#: A view's record: what it was written from and its files (size, SHA-256).
VIEW_RECORD = "view.json"
#: The views folder's record: the processed data and code the views were made from,
#: and each view's manifest digest (a rerun with nothing changed reads no table).
VIEWS_RECORD = "views.json"
#: The code that makes the views.
VIEWS_CODE = ("evalkit.run.archive",)
#: An archive's record of its workbooks and index.
ARCHIVE_RECORD = "archive.json"
#: Tables whose rows name the wave of the raw row they record (filtered by that wave).
_SOURCE_TABLES = ("quarantine", "flags")
#: The manifest items a view copies from the processed folder's: the form and the
#: cleaning policy, which do not change with a new wave. Everything else is the view's own.
_COPIED = ("quality_policy", "speeder_seconds", "inputs_missing", "inputs_empty", "form")
#: The code an archive's workbooks and index are made by.
ARCHIVE_CODE = ("evalkit.present.workbook", "evalkit.present.index_page")

log = logging.getLogger("evalkit")


# --- the content of a view (pure) -------------------------------------------------------

def table_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's content: column names, dtypes and values, in row order.

    The values are hashed with :func:`pandas.util.hash_pandas_object` (the index left
    out), so the digest does not depend on how the parquet file was encoded; a column
    pandas cannot hash (lists, dicts) falls back on the table's parquet bytes.
    """
    frame = frame.reset_index(drop=True)
    h = hashlib.sha256(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    h.update(str(len(frame)).encode())
    try:
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    except TypeError:  # unhashable cells
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        h.update(buffer.getvalue())
    return h.hexdigest()


def _rows_of_waves(frame: pd.DataFrame, kept: list[str]) -> pd.DataFrame:
    """Quarantine or flag rows of the waves ``kept``, and those of no wave.

    The clean stage names each row's wave (column ``wave``,
    :func:`evalkit.clean.quarantine.with_waves`); a row without one (a table without
    waves, a register row for every wave, a row whose wave is its problem or cannot be
    read) belongs to every wave, and so to every view, as does every row of a table
    without the column.
    """
    if "wave" not in frame.columns:
        return frame
    wave = frame["wave"].astype("str")
    return frame.loc[(wave.isna() | wave.isin(kept)).to_numpy(dtype=bool)]


def view_tables(tables: Mapping[str, pd.DataFrame], waves: pd.DataFrame,
                wave: str) -> dict[str, pd.DataFrame]:
    """Every processed table as it stood at ``wave``: :func:`evalkit.read.waves.as_of`,
    and the quarantine and flag rows of the waves up to ``wave`` and of no wave
    (:func:`_rows_of_waves`). Pure; the tables come back in name order with a fresh index."""
    out = as_of(tables, waves, wave)
    kept = [str(w) for w in out["waves"]["wave"]]
    for name in _SOURCE_TABLES:
        if name in out:
            out[name] = _rows_of_waves(out[name], kept)
    return {name: out[name].reset_index(drop=True) for name in sorted(out)}


def view_manifest(manifest: Mapping, tables: Mapping[str, pd.DataFrame], wave: str) -> dict:
    """The manifest of a wave view: the shape of the clean stage's, made from its tables.

    ``inputs`` lists the view's tables with the digest of their content
    (:func:`table_digest`: what the reports cite as their inputs), ``tables`` the rows
    of each (clean, quarantined, per wave), ``quarantine_by_reason`` and ``flags_by_issue``
    its quarantine and flag rows; the form and the cleaning policy are copied from
    ``manifest`` (the processed folder's). No raw file hash, no date, no version: the
    digest (:func:`evalkit.read.products.manifest_digest`) changes only with the content.
    """
    quarantine = tables.get("quarantine", pd.DataFrame(columns=["table", "reason"]))
    flags = tables.get("flags", pd.DataFrame(columns=["table", "column", "issue"]))
    dropped = Counter(quarantine["table"].astype(str)) if "table" in quarantine else Counter()
    entries = {}
    for name in manifest.get("tables", {}):
        if name not in tables:
            continue
        frame = tables[name]
        entry = {"rows_in": int(len(frame) + dropped.get(name, 0)), "rows_clean": int(len(frame)),
                 "rows_quarantined": int(dropped.get(name, 0))}
        if "wave" in frame.columns:
            counts = frame["wave"].astype("string").value_counts(sort=False)
            entry["waves"] = {str(k): int(v) for k, v in counts.items()}
        entries[name] = entry
    reasons = Counter(f"{t}: {r}" for t, r in zip(quarantine.get("table", []),
                                                  quarantine.get("reason", []), strict=False))
    issues = Counter(f"{t}.{c}: {i}" for t, c, i in zip(flags.get("table", []), flags.get("column", []),
                                                         flags.get("issue", []), strict=False))
    return {
        "wave": str(wave),
        "view": "as_of",  # the processed data as they stood at `wave` (evalkit.read.waves.as_of)
        "inputs": {f"{name}.parquet": {"sha256": table_digest(frame), "rows": int(len(frame))}
                   for name, frame in tables.items()},
        "tables": entries,
        "quarantine_by_reason": dict(sorted(reasons.items())),
        "flags_by_issue": dict(sorted(issues.items())),
        "warnings": [],
        **{key: manifest[key] for key in _COPIED if key in manifest},
    }


# --- the views on disk ------------------------------------------------------------------

def views_root(processed_dir: Path | str = PROCESSED_DATA_DIR) -> Path:
    return Path(processed_dir) / VIEWS_DIR


def archive_root(reports_dir: Path | str = REPORTS_DIR) -> Path:
    return Path(reports_dir) / ARCHIVE_DIR


def earlier_waves(processed_dir: Path | str = PROCESSED_DATA_DIR) -> list[str]:
    """The labels of every wave but the latest, in wave order (empty for a single wave)."""
    waves = read_waves(processed_dir)
    latest = latest_wave(waves)
    return [str(w) for w in waves["wave"] if str(w) != latest]


def _read_tables(processed_dir: Path) -> dict[str, pd.DataFrame]:
    from evalkit.read.io import read_parquet_checked

    return {path.stem: read_parquet_checked(path, "run `evalkit clean` to rebuild the processed data")
            for path in sorted(Path(processed_dir).glob("*.parquet"))}


def _view_current(folder: Path, digest: str) -> bool:
    """True when the view in ``folder`` has the manifest of that digest and is intact."""
    return cache.is_current(folder / VIEW_RECORD, {"manifest": digest})


def _write_view(folder: Path, tables: Mapping[str, pd.DataFrame], manifest: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / VIEW_RECORD).unlink(missing_ok=True)  # first: a half-written view is not current
    files = {}

    def write_table(tmp: Path, frame: pd.DataFrame, name: str) -> None:
        frame.to_parquet(tmp, index=False)
        files[name] = cache.file_record(tmp)

    for name, frame in tables.items():
        replace_atomic(folder / f"{name}.parquet",
                       lambda tmp, frame=frame, name=name: write_table(tmp, frame, f"{name}.parquet"))
    for stale in folder.glob("*.parquet"):  # a table the processed folder no longer has
        if stale.stem not in tables:
            stale.unlink()
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    write_atomic(folder / MANIFEST, text)
    files[MANIFEST] = cache.file_record(folder / MANIFEST)
    cache.write_record(folder / VIEW_RECORD, {"manifest": manifest_digest(manifest)}, files=files,
                       wave=manifest["wave"])


@dataclass(frozen=True)
class WaveView:
    """One earlier wave's processed folder."""

    label: str
    folder: Path
    written: bool  # False: it was current, nothing was written


def update_wave_views(processed_dir: Path | str = PROCESSED_DATA_DIR,
                      waves: list[str] | None = None) -> list[WaveView]:
    """Write the view of every earlier wave (or of ``waves`` only) whose content changed.

    Views of waves no longer in the data are removed (they are derived data; their
    archives in the reports folder are kept). Holds the processed folder's lock.
    """
    processed_dir = Path(processed_dir)
    with hold(processed_dir, "run"):
        labels = earlier_waves(processed_dir)
        root = views_root(processed_dir)
        _remove_stale_views(root, {wave_slug(label) for label in labels})
        if waves is not None:
            unknown = [w for w in waves if w not in labels]
            if unknown:
                raise EvalkitError(f"{', '.join(map(repr, unknown))} is not an earlier wave; "
                                   "the earlier waves are " + (", ".join(labels) or "none"))
            labels = [label for label in labels if label in waves]
        if not labels:
            return []
        stamp = root / VIEWS_RECORD
        made_from = {"processed": manifest_digest(json.loads((processed_dir / MANIFEST).read_text(
            encoding="utf-8"))), "code": cache.code_digest(VIEWS_CODE)}
        known = (cache.read_record(stamp) or {}).get("views") or {}
        if cache.is_current(stamp, made_from) and all(
                label in known and _view_current(root / wave_slug(label), known[label])
                for label in labels):  # the processed data as the views were made from
            return [WaveView(label, root / wave_slug(label), False) for label in labels]
        stamp.unlink(missing_ok=True)
        known = {}  # only the views made from this processed data
        tables = _read_tables(processed_dir)
        all_waves = read_waves(processed_dir)
        tables["waves"] = all_waves
        manifest = json.loads((processed_dir / MANIFEST).read_text(encoding="utf-8"))
        out = []
        for label in labels:
            view = view_tables(tables, all_waves, label)
            view_man = view_manifest(manifest, view, label)
            folder = root / wave_slug(label)
            digest = manifest_digest(view_man)
            current = _view_current(folder, digest)
            if not current:
                _write_view(folder, view, view_man)
            out.append(WaveView(label, folder, not current))
            known[label] = digest
        cache.write_record(stamp, made_from, files={}, views=known)
        return out


def write_wave_views(processed_dir: Path | str = PROCESSED_DATA_DIR) -> list[tuple[str, Path]]:
    """``(label, folder)`` of every earlier wave's view, each written if its content
    changed (:func:`update_wave_views`); empty for a single wave."""
    return [(v.label, v.folder) for v in update_wave_views(processed_dir)]


def _remove_stale_views(root: Path, keep: set[str]) -> None:
    if not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name not in keep and ((folder / MANIFEST).exists() or (folder / VIEW_RECORD).exists()):
            shutil.rmtree(folder)
    if not keep:
        (root / VIEWS_RECORD).unlink(missing_ok=True)
    if not any(root.iterdir()):
        root.rmdir()


# --- the archives -----------------------------------------------------------------------

@dataclass
class Archive:
    """One earlier wave's archive: its reports (the batch's results) and folder."""

    label: str
    folder: Path
    results: list = field(default_factory=list)  # evalkit.run.batch.RunResult
    rewritten: bool = False  # its workbooks and index written again

    @property
    def href(self) -> str:
        """The archive's index, relative to the reports folder."""
        return f"{ARCHIVE_DIR}/{self.folder.name}/index.html"


def archive_links(reports_dir: Path | str = REPORTS_DIR,
                  processed_dir: Path | str = PROCESSED_DATA_DIR) -> list[tuple[str, str]]:
    """``(label, href)`` of the archives on disk of the data's earlier waves, in wave order
    (href relative to the reports folder), for :func:`evalkit.present.index_page.write_index`."""
    out = []
    for label in earlier_waves(processed_dir):
        href = f"{ARCHIVE_DIR}/{wave_slug(label)}/index.html"
        if (Path(reports_dir) / href).exists():
            out.append((label, href))
    return out


def _summary_names(langs: tuple[str, ...]) -> dict[str, str]:
    return {lang: "summary.xlsx" if lang == "id" else f"summary_{lang}.xlsx" for lang in langs}


def write_archive_pages(folder: Path, view: Path, langs: tuple[str, ...], *,
                        force: bool = False) -> bool:
    """The archive's Excel summaries and index, unless current (``archive.json``: made
    from the view's manifest and results, the workbook's and index's code, the packages,
    the reports on disk); True when written."""
    from evalkit.present.index_page import write_index
    from evalkit.present.workbook import summary_data, write_summary
    from evalkit.run.batch import REPORT_PACKAGES, results_digest

    names = _summary_names(langs)
    reports = sorted(p.name for p in [*folder.glob("*.html"), *folder.glob("*.error.txt")]
                     if p.name != "index.html")
    source = {"processed": manifest_digest(json.loads((view / MANIFEST).read_text(encoding="utf-8"))),
              "results": results_digest(view), "code": cache.code_digest(ARCHIVE_CODE),
              "versions": cache.package_versions(REPORT_PACKAGES), "langs": list(langs),
              "reports": {name: cache.file_record(folder / name)["sha256"] for name in reports}}
    record = folder / ARCHIVE_RECORD
    if not force and cache.is_current(record, {"key": cache.digest(source)}):
        return False
    record.unlink(missing_ok=True)
    data = summary_data(view)
    for lang, name in names.items():
        write_summary(folder, view, lang, data=data, filename=name)
    write_index(folder, view)
    files = {name: cache.file_record(folder / name) for name in [*names.values(), "index.html"]}
    cache.write_record(record, {"key": cache.digest(source)}, files=files)
    return True


def archive_reports(processed_dir: Path | str = PROCESSED_DATA_DIR,
                    reports_dir: Path | str = REPORTS_DIR, *, langs: tuple[str, ...] = ("id",),
                    jobs: int = 1, waves: list[str] | None = None, regions: list | None = None,
                    force: bool = False, show_code: bool = False, scheduler: str | None = None,
                    fresh_kernels: bool = False,
                    on_done: Callable | None = None) -> list[Archive]:
    """Write the earlier waves' views (:func:`update_wave_views`) and make each archive.

    For each view (every earlier wave, or ``waves``): its regional reports (the regions
    of the view, or those of ``regions`` it has) and synthesis by the normal batch into
    ``reports/archive/<slug>/``, all archives' reports in one batch so they run ``jobs``
    at a time; reports whose view, code and packages are unchanged are skipped
    (``force`` reruns them); then the archive's workbooks and index
    (:func:`write_archive_pages`). ``on_done(archive label, result, done, total)``
    follows each report. A single wave: nothing is done, ``[]``.
    """
    from evalkit.present.index_page import report_regions
    from evalkit.run.batch import Batch, require_responses, run_batches

    processed_dir, reports_dir = Path(processed_dir), Path(reports_dir)
    views = []
    for view in update_wave_views(processed_dir, waves):
        try:  # a wave whose every response was quarantined has nothing to archive
            require_responses(view.folder)
        except EvalkitError as exc:
            log.warning("no archive of wave %s: %s", view.label, exc)
            continue
        views.append(view)
    if not views:
        return []
    archives, batches = [], []
    for view in views:
        folder = archive_root(reports_dir) / view.folder.name
        wanted = report_regions(view.folder)
        if regions is not None:
            codes = {r.code for r in regions}
            wanted = [r for r in wanted if r.code in codes]
        archives.append(Archive(view.label, folder))
        batches.append(Batch(wanted, folder, view.folder, wave=view.label))
    by_wave = {a.label: a for a in archives}

    def done(result, n, total):
        if on_done:
            on_done(result.wave, result, n, total)

    for result in run_batches(batches, langs=langs, jobs=jobs, force=force, show_code=show_code,
                              scheduler=scheduler, fresh_kernels=fresh_kernels, on_done=done):
        by_wave[result.wave].results.append(result)
    for archive, view in zip(archives, views, strict=True):
        archive.rewritten = write_archive_pages(archive.folder, view.folder, langs, force=force)
    return archives


def view_folder(processed_dir: Path | str, label: str) -> Path:
    """The view folder of wave ``label``."""
    return views_root(processed_dir) / wave_slug(label)


def results_folder(processed_dir: Path | str, label: str) -> Path:
    """The results folder of wave ``label``'s view."""
    return view_folder(processed_dir, label) / RESULTS_DIR


__all__ = ["ARCHIVE_DIR", "VIEWS_DIR", "Archive", "WaveView", "archive_links", "archive_reports",
           "earlier_waves", "table_digest", "update_wave_views", "view_manifest", "view_tables",
           "write_archive_pages", "write_wave_views"]
