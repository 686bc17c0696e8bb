"""Benchmark the cross-region results (``evalkit.run.stages.compute_results``), per table.

    .venv/bin/python benchmarks/bench_results.py [--data DIR] [--repeat 3]
                                                 [--baseline SRC] [--regions 552]

* ``--data``: a processed data directory (default ``/tmp/b552/processed`` when it
  exists; otherwise the country-sized demo data of ``--regions`` regions is generated
  and cleaned in a temporary directory, as ``bench_batch.py`` does). Nothing is
  written there: ``compute_results`` only reads.
* Each repeat runs ``compute_results`` in a fresh subprocess and records every step's
  wall and CPU seconds (``compute_results(..., timings=...)``); the medians are
  printed, with the total and the load average.
* ``--baseline SRC``: a directory holding another version of the ``evalkit`` package
  (e.g. a copy of ``src/`` from before a change). Its ``compute_results`` is timed once
  the same way (total only, unless it accepts ``timings``), the ratio old/new is
  printed, and every table of the two versions is compared (max abs difference of the
  numeric columns, equality of the others).

The machine is shared: read CPU seconds beside wall seconds, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path("/tmp/b552/processed")

CHILD = r"""
import inspect, json, pickle, resource, sys, time
from pathlib import Path
try:  # the staged layout; a baseline tree from before it has evalkit.results
    from evalkit.run.stages import compute_results
except ImportError:
    from evalkit.results import compute_results
timings = {}
params = inspect.signature(compute_results).parameters
kwargs = {"timings": timings} if "timings" in params else {}
wall, cpu = time.perf_counter(), time.process_time()
out = compute_results(Path(sys.argv[1]), **kwargs)
total = (time.perf_counter() - wall, time.process_time() - cpu)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
json.dump({"total": total, "steps": timings, "peak_mb": peak, "module": inspect.getfile(compute_results)},
          open(sys.argv[2], "w"))
if len(sys.argv) > 3:
    pickle.dump(out, open(sys.argv[3], "wb"))
"""


def load() -> str:
    one, five = os.getloadavg()[:2]
    return f"load {one:.1f}/{five:.1f}"


def run_once(data: Path, src: Path, tables: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "timings.json"
        env = {**os.environ, "PYTHONPATH": str(src)}
        args = [sys.executable, "-c", CHILD, str(data), str(out)]
        if tables is not None:
            args.append(str(tables))
        subprocess.run(args, check=True, env=env)
        return json.loads(out.read_text())


def compare(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]) -> list[str]:
    """One line per table: same shape and columns, max abs difference of numbers."""
    lines = []
    for name in sorted(set(old) | set(new)):
        if name not in old or name not in new:
            lines.append(f"  {name:20s} only in {'new' if name in new else 'old'}")
            continue
        a, b = old[name].reset_index(drop=True), new[name].reset_index(drop=True)
        if a.shape != b.shape or list(a.columns) != list(b.columns):
            lines.append(f"  {name:20s} DIFFERENT SHAPE {a.shape} vs {b.shape}")
            continue
        worst, other = 0.0, []
        for col in a.columns:
            x, y = a[col], b[col]
            if x.dtype != y.dtype:
                other.append(f"{col}: dtype {x.dtype} vs {y.dtype}")
            if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y) \
                    and not pd.api.types.is_bool_dtype(x):
                xv, yv = x.to_numpy(dtype=float, na_value=np.nan), y.to_numpy(dtype=float,
                                                                            na_value=np.nan)
                if not np.array_equal(np.isnan(xv), np.isnan(yv)):
                    other.append(f"{col}: NaN pattern")
                    continue
                ok = ~np.isnan(xv)
                if ok.any():
                    worst = max(worst, float(np.max(np.abs(xv[ok] - yv[ok]))))
            elif not x.astype(str).equals(y.astype(str)):
                other.append(col)
        lines.append(f"  {name:20s} max |diff| {worst:.2e}"
                     + (f"; differ: {', '.join(other)}" if other else ""))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", type=Path, default=None,
                    help="directory containing another version of the evalkit package")
    ap.add_argument("--regions", type=int, default=552)
    args = ap.parse_args()

    data = args.data or (DEFAULT_DATA if (DEFAULT_DATA / "manifest.json").exists() else None)
    tmp = None
    if data is None:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import bench_batch

        tmp = tempfile.mkdtemp(prefix="bench_results_")
        raw, data = Path(tmp) / "raw", Path(tmp) / "processed"
        bench_batch.write_demo_data(raw, bench_batch.country_subset(args.regions))
        bench_batch.run_clean(raw, data, key=b"bench")
    print(f"data: {data}  ({load()})", flush=True)

    src = ROOT / "src"
    runs = []
    with tempfile.TemporaryDirectory() as keep:
        new_tables = Path(keep) / "new.pkl"
        for i in range(args.repeat):
            runs.append(run_once(data, src, new_tables if i == 0 and args.baseline else None))
            wall, cpu = runs[-1]["total"]
            print(f"run {i + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU, "
                  f"peak {runs[-1]['peak_mb']:.0f} MB ({load()})", flush=True)
        steps = list(runs[0]["steps"])
        print(f"\nper step, median of {len(runs)} (wall s / CPU s):")
        for step in steps:
            w = statistics.median(r["steps"][step][0] for r in runs)
            c = statistics.median(r["steps"][step][1] for r in runs)
            print(f"  {step:20s} {w:7.2f} {c:7.2f}")
        wall = statistics.median(r["total"][0] for r in runs)
        cpu = statistics.median(r["total"][1] for r in runs)
        print(f"  {'TOTAL':20s} {wall:7.2f} {cpu:7.2f}   (target: < 60 s wall)")

        if args.baseline:
            old_tables = Path(keep) / "old.pkl"
            print(f"\nbaseline {args.baseline} ({load()}) ...", flush=True)
            base = run_once(data, args.baseline, old_tables)
            bw, bc = base["total"]
            print(f"baseline: {bw:.1f} s wall, {bc:.1f} s CPU ({load()})")
            for step, (w, c) in base["steps"].items():
                print(f"  {step:20s} {w:7.2f} {c:7.2f}")
            print(f"ratio old/new: {bw / wall:.1f}x wall, {bc / cpu:.1f}x CPU")
            print("\ntables, baseline vs new:")
            with open(old_tables, "rb") as fo, open(new_tables, "rb") as fn:
                print("\n".join(compare(pickle.load(fo), pickle.load(fn))))


if __name__ == "__main__":
    main()
