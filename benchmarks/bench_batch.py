"""Benchmark the regional report batch on a country-sized synthetic data set.

    .venv/bin/python benchmarks/bench_batch.py [--regions N] [--sample 30] [--jobs 2]
                                               [--all] [--workdir DIR] [--keep]
                                               [--compare-fresh] [--profile-results]

1. Generates the demo data for all 552 Kemendagri regions (``evalkit.demo.generator.country_parameters``;
   ``--regions N`` keeps the 16 standard demo regions plus the first N-16 others), cleans it
   (``evalkit.clean.pipeline.run_clean``) and computes the cross-region results
   (``evalkit.run.stages.ensure_results``), timing each step. ``--workdir`` keeps the data
   between runs (generation and cleaning are then skipped).
2. Times, on the same evenly spread sample of regions (``--sample``, at least 30 for the
   numbers to mean much):
   * ``naive``: a sequential loop of ``papermill.execute_notebook`` (a new kernel each,
     no HTML) - the baseline;
   * ``evalkit-jN``: ``evalkit.run.batch.run_reports`` with N workers, exactly what
     ``evalkit run -j N`` does after the cross-region results: kernels forked from a
     preloaded server (evalkit.run.fork_kernel), started ahead, each used for one report,
     then the HTML export and the run record;
   * ``--compare-fresh``: ``evalkit-jN-fresh``, the same with ``fresh_kernels=True`` (a
     new Python per report), to show what forking saves.
   ``--all`` also runs ``evalkit-jN`` over every region, and the synthesis.
3. Prints seconds per region (wall time of the phase divided by reports, and the steady
   rate once every worker has its first kernel), CPU seconds per report, the projection
   for 552 regions, the ratio against the naive loop, whether the notebooks' outputs
   equal the naive ones, and where a report's time goes.

Wall-clock numbers depend on what else runs on the machine: the load average is printed
with every phase, and CPU seconds per report (this process, its workers and all kernels)
are less sensitive to it.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import logging
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

import nbformat

from evalkit.analyse.results import report_regions
from evalkit.clean.pipeline import run_clean
from evalkit.core.config import KERNEL_ARGUMENTS, KERNEL_NAME
from evalkit.demo.generator import DEMO_PARAMS, country_parameters, write_demo_data
from evalkit.read.products import read_processed
from evalkit.read.regions import get_region
from evalkit.run.batch import REGION_NOTEBOOK, ensure_kernel, export_html, report_stem
from evalkit.run.stages import compute_results, ensure_results

N_REGIONS = 552
EXTRA_ARGUMENTS = list(KERNEL_ARGUMENTS)


# --- helpers ---------------------------------------------------------------------------

def cpu_seconds() -> float:
    """CPU used so far by this process and its reaped descendants (workers, kernels)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    one, five = os.getloadavg()[:2]
    return f"load {one:.1f}/{five:.1f}"


def median(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def cell_seconds(nb) -> dict[str, float]:
    """Kernel time of all cells, and of the cell that imports and loads the data."""
    seconds = {"cells": 0.0, "load_cell": 0.0}
    for cell in nb.cells:
        if cell.cell_type == "code":
            duration = float(cell.metadata.get("papermill", {}).get("duration") or 0.0)
            seconds["cells"] += duration
            if "load_region_report" in cell.source:
                seconds["load_cell"] += duration
    return seconds


# Differ from run to run by design: Styler ids, object addresses, and the provenance
# table's commit and run time.
_VOLATILE = re.compile(r"T_[0-9a-f]{5}|at 0x[0-9a-f]+|git [0-9a-f]{7,40}"
                       r"( \(\+ uncommitted changes\))?"
                       r"|\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?( UTC)?")


def output_signature(path: Path) -> list[str]:
    """Hashes of every output (text, HTML, images ...), ignoring metadata and counts."""
    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        for o in cell.outputs:
            payload = {k: o.get(k) for k in ("output_type", "name", "text", "data", "ename")}
            text = _VOLATILE.sub("#", json.dumps(payload, sort_keys=True, default=str))
            out.append(hashlib.sha1(text.encode()).hexdigest())
    return out


def params_for(code: str, processed: Path) -> dict:
    return {"region_code": code, "lang": "id", "processed_dir": str(processed)}


# --- the data set --------------------------------------------------------------------

def country_subset(n: int):
    """country_parameters() restricted to n regions (the 16 standard ones first)."""
    params = country_parameters()
    if n >= len(params.regions):
        return params
    keep = list(DEMO_PARAMS.regions) + [c for c in params.regions if c not in DEMO_PARAMS.regions]
    keep = set(keep[:max(n, len(DEMO_PARAMS.regions))])
    return replace(params, regions={c: v for c, v in params.regions.items() if c in keep},
                   comparison_regions=tuple(c for c in params.comparison_regions if c in keep))


def prepare(workdir: Path, n_regions: int) -> tuple[Path, dict[str, float]]:
    raw, processed = workdir / "raw", workdir / "processed"
    times: dict[str, float] = {}
    if (processed / "manifest.json").exists():
        print(f"reusing the cleaned data in {processed}")
    else:
        params = country_subset(n_regions)
        n_resp = sum(n for _, n in params.regions.values())
        print(f"generating {len(params.regions)} regions, {n_resp} planted respondents ...",
              flush=True)
        start = time.perf_counter()
        write_demo_data(raw, params)
        times["generate"] = time.perf_counter() - start
        start = time.perf_counter()
        run_clean(raw, processed, key=b"bench")
        times["clean"] = time.perf_counter() - start
        print(f"  generate {times['generate']:.1f} s, clean {times['clean']:.1f} s", flush=True)
    start, cpu = time.perf_counter(), cpu_seconds()
    computed = ensure_results(processed)
    times["results"] = time.perf_counter() - start
    times["results_cpu"] = cpu_seconds() - cpu
    print(f"cross-region results: {times['results']:.1f} s "
          f"({'computed' if computed else 'already current'}; {load()})", flush=True)
    if not computed:
        times.pop("results"), times.pop("results_cpu")
    return processed, times


def profile_results(processed: Path, top: int = 18) -> None:
    """Where compute_results spends its time (cProfile; the profiler itself slows it)."""
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    compute_results(processed)
    profiler.disable()
    print(f"\ncompute_results under cProfile: {time.perf_counter() - start:.1f} s")
    stats = pstats.Stats(profiler)
    rows = []
    for (file, _line, func), (_, ncalls, tottime, cumtime, _) in stats.stats.items():
        if "/evalkit/" in file:
            rows.append((cumtime, tottime, ncalls, f"{Path(file).stem}.{func}"))
    print(f"  {'cumulative s':>12} {'own s':>8} {'calls':>8}  evalkit function")
    for cum, tot, n, name in sorted(rows, reverse=True)[:top]:
        print(f"  {cum:12.1f} {tot:8.1f} {n:8d}  {name}")
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(12)
    print("  top by own time (all code):")
    for line in stream.getvalue().splitlines():
        if line.strip() and (line.strip()[0].isdigit() or "ncalls" in line):
            print("   ", line.strip()[:150])


def sample_regions(processed: Path, n: int) -> list[str]:
    regions = report_regions(read_processed("survey", processed),
                             read_processed("indicator_targets", processed))
    if n >= len(regions):
        return [r.code for r in regions]
    step = len(regions) / n
    return [regions[int(i * step + step / 2)].code for i in range(n)]


# --- one report, three ways (module-level: they run in worker processes) --------------

def naive_task(code: str, out_dir: str, processed: str, html: bool = False) -> dict:
    """What evalkit.run.batch.run_notebook does today: a fresh kernel for one notebook."""
    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)
    out = Path(out_dir) / f"{report_stem(get_region(code), 'id')}.ipynb"
    start = time.perf_counter()
    try:
        nb = pm.execute_notebook(
            str(REGION_NOTEBOOK), str(out), parameters=params_for(code, Path(processed)),
            kernel_name=KERNEL_NAME, language="python", progress_bar=False, log_output=False,
            cwd=str(REGION_NOTEBOOK.parent), extra_arguments=EXTRA_ARGUMENTS)
        executed = time.perf_counter() - start
        export = None
        if html:
            t = time.perf_counter()
            export_html(out, out.with_suffix(".html"))
            export = time.perf_counter() - t
        return {"code": code, "ok": True, "seconds": time.perf_counter() - start,
                "execute": executed, "export": export, **cell_seconds(nb),
                "notebook": str(out)}
    except Exception as exc:
        return {"code": code, "ok": False, "seconds": time.perf_counter() - start,
                "error": f"{type(exc).__name__}: {exc}"[:300]}


# --- phases --------------------------------------------------------------------------

def run_phase(name: str, fn, codes: list[str], out_dir: Path, processed: Path, jobs: int,
              **kwargs) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"\n[{name}] {len(codes)} regions, jobs={jobs} ({load()}) ...", flush=True)
    cpu, start = cpu_seconds(), time.perf_counter()
    results = []
    if jobs <= 1:
        for code in codes:
            results.append(fn(code, str(out_dir), str(processed), **kwargs))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as executor:
            futures = [executor.submit(fn, code, str(out_dir), str(processed), **kwargs)
                       for code in codes]
            for future in as_completed(futures):
                results.append(future.result())
    wall = time.perf_counter() - start
    cpu = cpu_seconds() - cpu  # workers (and their kernels) are reaped by now
    return _summarise(name, jobs, codes, wall, cpu, results,
                      sorted(r["finished"] for r in results if "finished" in r))


def evalkit_phase(name: str, codes: list[str], out_dir: Path, processed: Path, jobs: int,
                  fresh_kernels: bool = False, synthesis: bool = False) -> dict:
    """``run_reports`` on ``codes`` (one language, every report rerun; the synthesis too
    when asked, which is then one more "region" in the counts)."""
    from evalkit.run.batch import run_reports

    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"\n[{name}] {len(codes)} regions, jobs={jobs} ({load()}) ...", flush=True)
    finished: list[float] = []
    cpu, start = cpu_seconds(), time.perf_counter()
    runs = run_reports([get_region(c) for c in codes], langs=("id",), jobs=jobs,
                       reports_dir=out_dir, processed_dir=processed, synthesis=synthesis,
                       force=True, fresh_kernels=fresh_kernels,
                       on_done=lambda *_: finished.append(time.perf_counter()))
    wall = time.perf_counter() - start
    cpu = cpu_seconds() - cpu  # workers, their fork servers and kernels are reaped by now
    results = [{"code": r.region.code if r.region else "synthesis", "ok": r.ok,
                "seconds": r.seconds, "error": r.error,
                "notebook": str(r.notebook) if r.notebook else None} for r in runs]
    if synthesis:
        print(f"  synthesis: {runs[-1].seconds:.1f} s ({'ok' if runs[-1].ok else runs[-1].error})")
    return _summarise(name, jobs, codes + ["synthesis"] * synthesis, wall, cpu, results,
                      sorted(finished))


def _summarise(name: str, jobs: int, codes: list[str], wall: float, cpu: float,
               results: list[dict], finished: list[float]) -> dict:
    ok = [r for r in results if r["ok"]]
    failed = [r for r in results if not r["ok"]]
    phase = {"name": name, "jobs": jobs, "n": len(codes), "wall": wall, "cpu": cpu,
             "results": results, "ok": len(ok), "failed": failed,
             "per_region": wall / len(codes),
             "median_report": median(r["seconds"] for r in ok),
             "mean_report": statistics.fmean(r["seconds"] for r in ok) if ok else float("nan"),
             "cpu_per_report": cpu / len(codes)}
    if len(finished) > jobs + 1:  # throughput once every worker had its first kernel
        phase["steady_per_region"] = (finished[-1] - finished[jobs - 1]) / (len(finished) - jobs)
    print(f"  {wall:.1f} s wall, {wall / len(codes):.2f} s/region, median report "
          f"{phase['median_report']:.2f} s, CPU {phase['cpu_per_report']:.2f} s/report, "
          f"{len(failed)} failed ({load()})", flush=True)
    for r in failed[:3]:
        print(f"  FAILED {r['code']}: {r['error']}")
    return phase


def kernel_start_cost(n: int = 3) -> float:
    """Median seconds to start a bare evalkit kernel until it answers (no imports)."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    async def once() -> float:
        start = time.perf_counter()
        km = AsyncKernelManager(kernel_name=KERNEL_NAME)
        await km.start_kernel(extra_arguments=EXTRA_ARGUMENTS)
        kc = km.client()
        kc.start_channels(hb=False)
        await kc.wait_for_ready(timeout=60)
        seconds = time.perf_counter() - start
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        return seconds

    return median(run_sync(once)() for _ in range(n))


def import_cost(n: int = 3) -> tuple[float, float]:
    """Median wall and CPU seconds of importing what a report uses, in a fresh python."""
    code = ("import time, resource; t = time.perf_counter(); import evalkit.present.report, "
            "IPython.display, pyarrow.parquet; r = resource.getrusage(resource.RUSAGE_SELF); "
            "print(time.perf_counter() - t, r.ru_utime + r.ru_stime)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ, "MPLBACKEND": "Agg"}).stdout.split()
            for _ in range(n)]
    return median(float(w) for w, _ in runs), median(float(c) for _, c in runs)


def inprocess_breakdown(codes: list[str], processed: Path) -> dict[str, float]:
    """Run the regional notebook's cells in this process (no kernel), timing the data
    loading, the rest of the computation, each figure (building it, and rendering it as
    report.figure does) and the HTML rendering of tables. Per report."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from evalkit.present import report

    totals: dict[str, float] = {"load_region_report": 0.0, "compute (not figures)": 0.0,
                                "tables_html": 0.0}
    figures: dict[str, float] = {}
    names: dict[int, str] = {}

    def timed_figure(name, build):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            fig = build(*args, **kwargs)
            figures[f"{name} (build)"] = figures.get(f"{name} (build)", 0.0) + time.perf_counter() - t
            names[id(fig)] = name
            return fig
        return wrapper

    def show(*parts):
        for part in parts:
            t = time.perf_counter()
            if isinstance(part, plt.Figure):
                part.savefig(io.BytesIO(), format="svg", bbox_inches="tight")
                plt.close(part)
                key = f"{names.get(id(part), 'figure')} (render)"
                figures[key] = figures.get(key, 0.0) + time.perf_counter() - t
            elif isinstance(part, pd.DataFrame):
                part.style.hide(axis="index").to_html()
                totals["tables_html"] += time.perf_counter() - t
            elif hasattr(part, "to_html"):
                part.to_html()
                totals["tables_html"] += time.perf_counter() - t

    def timed_caption(build):  # report.figure(fig, key, rep) renders the figure itself
        def wrapper(fig, *args, **kwargs):
            t = time.perf_counter()
            out = build(fig, *args, **kwargs)
            key = f"{names.get(id(fig), 'figure')} (render)"
            figures[key] = figures.get(key, 0.0) + time.perf_counter() - t
            return out
        return wrapper

    patched = {"show": show}
    if callable(getattr(report, "figure", None)):
        patched["figure"] = timed_caption(report.figure)
    for name in dir(report):
        if name.endswith("_figure") and not name.startswith("_") and callable(getattr(report, name)):
            patched[name] = timed_figure(name, getattr(report, name))
    originals = {name: getattr(report, name) for name in patched}
    for name, fn in patched.items():
        setattr(report, name, fn)
    try:
        cells = [c.source for c in nbformat.read(REGION_NOTEBOOK, as_version=4).cells
                 if c.cell_type == "code"]
        for code in codes:
            namespace = params_for(code, processed)
            for i, source in enumerate(cells[1:]):  # after the parameters cell
                before = sum(figures.values()) + totals["tables_html"]
                t = time.perf_counter()
                exec(source, namespace)
                spent = time.perf_counter() - t - (sum(figures.values()) + totals["tables_html"]
                                                   - before)
                # the first cell imports (already done here) and loads the region's data
                totals["load_region_report" if i == 0 else "compute (not figures)"] += spent
    finally:
        for name, fn in originals.items():
            setattr(report, name, fn)
    totals.update(sorted(figures.items(), key=lambda kv: -kv[1]))
    return {k: v / len(codes) for k, v in totals.items()}


def code_state() -> dict[str, float]:
    """Modification times of the code a report runs (to notice edits during a run)."""
    root = REGION_NOTEBOOK.parents[1]
    files = [*root.glob("src/evalkit/*.py"), *root.glob("notebooks/*.ipynb")]
    return {str(f.relative_to(root)): f.stat().st_mtime for f in files}


def export_cost(notebooks: list[str]) -> float:
    times = []
    for path in notebooks:
        t = time.perf_counter()
        export_html(Path(path), Path(path).with_suffix(".export.html"))
        times.append(time.perf_counter() - t)
    return median(times)


# --- main ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", type=int, default=N_REGIONS,
                        help="regions in the generated data set (default: all 552)")
    parser.add_argument("--sample", type=int, default=30,
                        help="regions timed in each phase (>= 30 recommended)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--all", action="store_true", help="also run evalkit over all regions")
    parser.add_argument("--compare-fresh", action="store_true",
                        help="also run evalkit with a new Python per report (no forking)")
    parser.add_argument("--workdir", type=Path,
                        help="keep the data and reports here (default: a temp dir, removed "
                             "at the end unless --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    parser.add_argument("--profile-results", action="store_true",
                        help="profile the cross-region results computation (slow)")
    args = parser.parse_args(argv)
    if args.sample < 30:
        print(f"note: a sample of {args.sample} (< 30) regions gives rough numbers only")

    ensure_kernel()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        run(args, workdir)
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> None:
    code_before = code_state()
    print(f"evalkit batch benchmark: {os.cpu_count()} CPUs, python {sys.version.split()[0]}, "
          f"workdir {workdir} ({load()})")
    processed, times = prepare(workdir, args.regions)
    if args.profile_results:
        profile_results(processed)
    codes = sample_regions(processed, args.sample)
    n_all = len(sample_regions(processed, 10**6))
    print(f"sample: {len(codes)} of {n_all} report regions "
          f"({sum(get_region(c).level == 1 for c in codes)} provinces): {' '.join(codes)}")

    reports = workdir / "reports"
    shutil.rmtree(reports, ignore_errors=True)
    phases = [run_phase("naive", naive_task, codes, reports / "naive", processed, 1)]
    ours = evalkit_phase(f"evalkit-j{args.jobs}", codes, reports / "evalkit", processed,
                         args.jobs)
    phases.append(ours)
    if args.compare_fresh:
        phases.append(evalkit_phase(f"evalkit-j{args.jobs}-fresh", codes, reports / "fresh",
                                    processed, args.jobs, fresh_kernels=True))
    if args.all:
        phases.append(evalkit_phase(f"evalkit-j{args.jobs} ALL+syn",
                                    sample_regions(processed, 10**6), reports / "all",
                                    processed, args.jobs, synthesis=True))

    # Same outputs? (naive vs evalkit, region by region)
    naive = {r["code"]: r for r in phases[0]["results"] if r["ok"]}
    same = [r["code"] for r in ours["results"] if r["ok"] and r["code"] in naive
            and output_signature(Path(naive[r["code"]]["notebook"]))
            == output_signature(Path(r["notebook"]))]

    # Where a report's time goes
    print("\nmeasuring the parts of one report ...", flush=True)
    start_kernel = kernel_start_cost()
    import_wall, import_cpu = import_cost()
    ok_ours = [r for r in ours["results"] if r["ok"]]
    cells = [cell_seconds(nbformat.read(r["notebook"], as_version=4)) for r in ok_ours]
    export = export_cost([r["notebook"] for r in ok_ours[:10]])
    parts = inprocess_breakdown(codes[:: max(1, len(codes) // 5)], processed)

    print("\n=== results " + "=" * 60)
    for name, value in times.items():
        print(f"{name:>22}: {value:8.1f} s")
    print(f"\n{'phase':<22}{'s/region':>10}{'steady':>8}{'median':>8}{'mean':>8}"
          f"{'CPU/rep':>9}{'552 proj.':>11}  ok")
    for p in phases:
        steady = p.get("steady_per_region")
        per = steady or p["per_region"]
        print(f"{p['name']:<22}{p['per_region']:10.2f}"
              f"{steady if steady else float('nan'):8.2f}{p['median_report']:8.2f}"
              f"{p['mean_report']:8.2f}{p['cpu_per_report']:9.2f}"
              f"{per * N_REGIONS / 60:9.1f} m  {p['ok']}/{p['n']}")
    base = phases[0]["per_region"]
    for p in phases[1:]:
        print(f"  {p['name']} vs the naive loop: {base / p['per_region']:.2f}x faster per region, "
              f"{phases[0]['cpu_per_report'] / p['cpu_per_report']:.2f}x less CPU per report")
    print(f"target: <= 0.50 s/region (552 reports in < 5 min); {ours['name']}: "
          f"{(ours.get('steady_per_region') or ours['per_region']):.2f} s/region, plus the "
          f"cross-region results once per batch")
    print(f"outputs identical (naive vs evalkit notebooks): {len(same)}/{len(codes)} regions")

    changed = sorted(f for f, t in code_state().items() if code_before.get(f) != t)
    if changed:
        print(f"WARNING: code changed during the run, phases are not comparable: {changed}")

    print("\none report, in parts (medians):")
    print(f"  start a bare kernel until it answers   {start_kernel:6.2f} s")
    print(f"  import evalkit.present.report & co (fresh py)  {import_wall:6.2f} s wall, "
          f"{import_cpu:.2f} s CPU")
    print(f"  evalkit: notebook cells                {median(c['cells'] for c in cells):6.2f} s"
          f" (of which the load cell {median(c['load_cell'] for c in cells):.2f} s)")
    print(f"  naive: papermill execute               "
          f"{median(r['execute'] for r in phases[0]['results'] if r['ok']):6.2f} s (cells "
          f"{median(r['cells'] for r in phases[0]['results'] if r['ok']):.2f} s, of which"
          f" the import+load cell "
          f"{median(r['load_cell'] for r in phases[0]['results'] if r['ok']):.2f} s)")
    print(f"  export_html                            {export:6.2f} s")
    print("  in-process (no kernel), per report:")
    for name, value in parts.items():
        print(f"    {name:<34} {value:6.2f} s")


if __name__ == "__main__":
    main()
