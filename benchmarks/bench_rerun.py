"""Benchmark: rerunning every report when nothing changed, and adding a survey wave.

    .venv/bin/python benchmarks/bench_rerun.py [--jobs 2] [--repeat 5] [--raw-dir data/raw]
    .venv/bin/python benchmarks/bench_rerun.py --add-wave [--jobs 2] [--raw-dir data/raw]

**Unchanged rerun** (default). Cleans the raw data (default: the bundled demo) into a
temporary folder, makes every regional report in both languages plus the synthesis, and
the archives of the earlier waves (:mod:`evalkit.run.archive`), once (timed: the full
run), then reruns the same batch ``--repeat`` times with nothing changed (every report,
current and archived, is skipped on its run record) and prints the median rerun time
and the ratio. Target: at least 100x faster.

**Adding a wave** (``--add-wave``, data with three or more waves). Runs everything on the
data without their latest wave (its survey rows, and its rows of the ties and register
files, removed), then on all the waves, as an office does when the next round's
exports arrive, and counts the reports each folder reran: the current reports (new
data: all) and the new archive of the previous latest wave (all), none of the older
archives. Exits 1 when an older archive reran.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from evalkit.clean.pipeline import find_survey, run_clean
from evalkit.core.config import RAW_DATA_DIR
from evalkit.present.index_page import report_regions, write_index
from evalkit.read.products import read_processed, read_waves
from evalkit.read.waves import latest_wave, parse_wave_label
from evalkit.run.archive import archive_links, archive_reports
from evalkit.run.batch import run_reports

LANGS = ("id", "en")
WAVE_HEADERS = ("wave", "gelombang", "periode", "period")  # as evalkit.clean.stakeholders


def run_all(processed: Path, reports: Path, jobs: int) -> tuple[list, list]:
    """What `evalkit run` makes: the current reports, the archives, the index."""
    current = run_reports(report_regions(processed), langs=LANGS, jobs=jobs, reports_dir=reports,
                          processed_dir=processed)
    archives = archive_reports(processed, reports, langs=LANGS, jobs=jobs)
    write_index(reports, processed, archives=archive_links(reports, processed))
    failed = [r.error for r in [*current, *(r for a in archives for r in a.results)] if not r.ok]
    assert not failed, failed
    return current, archives


def unchanged(raw: Path, jobs: int, repeat: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        processed, reports = Path(tmp) / "processed", Path(tmp) / "reports"
        run_clean(raw, processed, key=b"bench")
        start = time.perf_counter()
        current, archives = run_all(processed, reports, jobs)
        full = time.perf_counter() - start
        made = [*current, *(r for a in archives for r in a.results)]
        assert all(not r.skipped for r in made)
        print(f"full run: {full:.2f} s for {len(made)} reports", flush=True)
        reruns, attempts = [], 0
        while len(reruns) < repeat:
            attempts += 1
            start = time.perf_counter()
            again, again_archived = run_all(processed, reports, jobs)
            seconds = time.perf_counter() - start
            rerun = [r for r in [*again, *(r for a in again_archived for r in a.results)]
                     if not r.skipped]
            if rerun:  # evalkit's code was edited meanwhile: not an unchanged rerun
                print(f"  {len(rerun)} report(s) made again ({seconds:.1f} s): the code or a "
                      "package changed during the benchmark; not counted", flush=True)
                if attempts >= 3 * repeat:
                    raise SystemExit("the reports keep being made again: is the tree being edited?")
                continue
            reruns.append(seconds)
    rerun = statistics.median(reruns)
    ratio = full / rerun
    n_regions = len({r.region.code for r in current if r.region})
    print(f"reports: {len(current)} ({n_regions} regions x 2 languages + synthesis) "
          f"+ {len(made) - len(current)} in {len(archives)} archive(s) of earlier waves, jobs={jobs}")
    print(f"full run:          {full:8.2f} s (includes computing the cross-region results "
          "of every wave's folder)")
    print(f"rerun, unchanged:  {rerun:8.3f} s (median of {repeat}; "
          f"min {min(reruns):.3f}, max {max(reruns):.3f})")
    print(f"ratio full/rerun:  {ratio:8.1f}x   target >= 100x: {'met' if ratio >= 100 else 'MISSED'}")
    return 0 if ratio >= 100 else 1


# --- adding a wave ----------------------------------------------------------------------

def _csv_without(src: Path, dst: Path, latest: str | None) -> None:
    """``src`` copied to ``dst`` through the csv module (the same dialect), without the
    rows whose wave column names ``latest`` (None: every row kept)."""
    text = src.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t|")
    rows = list(csv.reader(text.splitlines(), dialect))
    header = [h.strip().lower() for h in rows[0]]
    column = next((header.index(h) for h in WAVE_HEADERS if h in header), None)

    def of(row):
        if column is None or column >= len(row):
            return None
        parsed = parse_wave_label(row[column])
        return parsed[0] if parsed else row[column].strip()

    kept = [rows[0], *(row for row in rows[1:] if latest is None or of(row) != latest)]
    with open(dst, "w", encoding="utf-8", newline="") as out:
        csv.writer(out, dialect).writerows(kept)


def _survey_without(src: Path, dst: Path, rows: set[int]) -> None:
    """The survey export without the spreadsheet ``rows`` (openpyxl keeps every cell's
    type; a CSV export goes through the csv module)."""
    if src.suffix.lower() == ".csv":
        text = src.read_text(encoding="utf-8-sig")
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t|")
        lines = list(csv.reader(text.splitlines(), dialect))
        with open(dst, "w", encoding="utf-8", newline="") as out:
            csv.writer(out, dialect, quoting=csv.QUOTE_ALL).writerows(
                [row for i, row in enumerate(lines, start=1) if i not in rows])
        return
    from openpyxl import load_workbook

    book = load_workbook(src)
    sheet = book.worksheets[0]
    for row in sorted(rows, reverse=True):
        sheet.delete_rows(row)
    book.save(dst)


def without_latest_wave(raw: Path, dst: Path, *, drop: bool) -> str:
    """``raw`` copied to ``dst`` with (``drop``) or without removing the latest wave;
    every file rewritten the same way either way, so the two copies differ only in that
    wave's rows. Returns the latest wave's label."""
    with tempfile.TemporaryDirectory() as tmp:
        run_clean(raw, Path(tmp), key=b"bench")
        waves = read_waves(tmp)
        if len(waves) < 3:
            raise SystemExit(f"--add-wave needs data with three or more waves; {raw} has "
                             f"{len(waves)} ({', '.join(waves['wave'].astype(str))})")
        if str(waves["source"].iloc[0]) == "folder":
            raise SystemExit("--add-wave works on an accumulating export (waves from a field "
                             "or by period); with one folder per wave, remove the last folder.")
        latest = latest_wave(waves)
        survey = read_processed("survey", tmp)
        quarantine = read_processed("quarantine", tmp)
        of = quarantine["wave"].astype("str")  # the wave of each quarantined row
        rows = set(survey.loc[survey["wave"].astype(str) == latest, "source_row"].astype(int))
        rows |= set(quarantine.loc[(quarantine["table"] == "survey") & of.eq(latest).fillna(False),
                                   "source_row"].astype(int))
    shutil.copytree(raw, dst)
    survey_file = find_survey(raw)
    _survey_without(survey_file, dst / survey_file.name, rows if drop else set())
    for name in ("collaboration_ties.csv", "stakeholder_register.csv"):
        if (raw / name).exists():
            _csv_without(raw / name, dst / name, latest if drop else None)
    return latest


def add_wave(raw: Path, jobs: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        latest = without_latest_wave(raw, tmp / "raw_before", drop=True)
        without_latest_wave(raw, tmp / "raw_after", drop=False)
        processed, reports = tmp / "processed", tmp / "reports"
        run_clean(tmp / "raw_before", processed, key=b"bench")
        before = [str(w) for w in read_waves(processed)["wave"]]
        start = time.perf_counter()
        run_all(processed, reports, jobs)
        first = time.perf_counter() - start
        run_clean(tmp / "raw_after", processed, key=b"bench")  # the new wave's exports arrive
        start = time.perf_counter()
        current, archives = run_all(processed, reports, jobs)
        second = time.perf_counter() - start
    print(f"waves before: {', '.join(before)}; added: {latest}; jobs={jobs}")
    print(f"run on {len(before)} waves: {first:8.2f} s; after adding {latest}: {second:8.2f} s")
    print(f"{'folder':<28}{'reports':>9}{'rerun':>7}{'skipped':>9}")
    rows = [("reports/ (latest wave)", current)] + [(f"archive/{a.folder.name}", a.results)
                                                    for a in archives]
    for name, results in rows:
        rerun = sum(not r.skipped for r in results)
        print(f"{name:<28}{len(results):>9}{rerun:>7}{len(results) - rerun:>9}")
    older = [a for a in archives if a.label != before[-1]]
    bad = [a.label for a in older if any(not r.skipped for r in a.results)]
    new = [a for a in archives if a.label == before[-1]]
    ok = not bad and all(not r.skipped for a in new for r in a.results) and new
    print("only the latest wave's reports and the new archive reran: "
          + ("yes" if ok else f"NO (older archives rerun: {', '.join(bad) or '-'})"))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--raw-dir", type=Path, default=RAW_DATA_DIR)
    parser.add_argument("--add-wave", action="store_true",
                        help="measure adding a wave instead of the unchanged rerun")
    args = parser.parse_args()
    if args.add_wave:
        return add_wave(args.raw_dir, args.jobs)
    return unchanged(args.raw_dir, args.jobs, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
