"""Benchmark: rerunning every report when nothing changed, against the full run.

    .venv/bin/python benchmarks/bench_rerun.py [--jobs 2] [--repeat 5]

Cleans the bundled demo data into a temporary folder, runs every regional report in
both languages plus the synthesis once (timed: the full run), then reruns the same
batch ``--repeat`` times with nothing changed (every report is skipped on its run
record) and prints the median rerun time and the ratio. Target: at least 100x faster.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from evalkit.clean.pipeline import run_clean
from evalkit.core.config import RAW_DATA_DIR
from evalkit.present.index_page import report_regions
from evalkit.run.batch import run_reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        processed, reports = Path(tmp) / "processed", Path(tmp) / "reports"
        run_clean(RAW_DATA_DIR, processed, key=b"bench")
        regions = report_regions(processed)
        batch = dict(langs=("id", "en"), jobs=args.jobs, reports_dir=reports, processed_dir=processed)
        start = time.perf_counter()
        first = run_reports(regions, **batch)
        full = time.perf_counter() - start
        assert all(r.ok and not r.skipped for r in first), [r.error for r in first if not r.ok]
        reruns = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            again = run_reports(regions, **batch)
            reruns.append(time.perf_counter() - start)
            assert all(r.skipped for r in again)
    rerun = statistics.median(reruns)
    ratio = full / rerun
    print(f"reports: {len(first)} ({len(regions)} regions x 2 languages + synthesis), jobs={args.jobs}")
    print(f"full run:          {full:8.2f} s (includes computing the cross-region results)")
    print(f"rerun, unchanged:  {rerun:8.3f} s (median of {args.repeat}; "
          f"min {min(reruns):.3f}, max {max(reruns):.3f})")
    print(f"ratio full/rerun:  {ratio:8.1f}x   target >= 100x: {'met' if ratio >= 100 else 'MISSED'}")
    return 0 if ratio >= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
