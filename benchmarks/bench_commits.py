"""Before/after in one run: the same benchmarks on two source trees, taken in turns.

    .venv/bin/python benchmarks/bench_commits.py [--base fba4f51] [--base-tree DIR]
        [--new DIR] [--repeat 3] [--bench demo] [--bench batch]
        [--batch-args "--regions 150 --sample 30 --jobs 2 --all"] [--jobs 2]
        [--workdir DIR] [--keep] [--compare]

Two trees: the *old* one is a clone of this repository checked out at ``--base`` (made
under ``--workdir``; this repository's own git state is only read), or an existing
checkout given as ``--base-tree``; the *new* one is this working tree, uncommitted changes
included (``--new`` for another). Both run with this environment's Python and
``PYTHONPATH=<tree>/src``, which comes before the editable install of this checkout on
``sys.path``; the script checks that ``evalkit`` is imported from each tree, and after each
demo run that the reports' kernels used it too (the git commit in the reports' stamp).

Benchmarks (``--bench``, repeatable; default both), each run ``--repeat`` times, old and
new in turns (old, new, then new, old, ...), so that a drift in the machine's load
falls on both:

* ``demo``: the demo full run: ``evalkit clean`` and ``evalkit run --jobs J`` on a copy of
  ``data/raw`` into empty processed and reports folders (``python -m evalkit.cli`` on a
  tree before the stage subpackages, ``python -m evalkit.run.cli`` after), both in the
  same project folder, so with the same pseudonymisation key. Wall and CPU seconds.
* ``batch``: the tree's own ``benchmarks/bench_batch.py`` with ``--batch-args`` in a fresh
  work folder; its results table is parsed (seconds per region and CPU per report per
  phase; generation, cleaning and cross-region results).

Prints each run as it ends, then the medians of old and new and the ratio new/old
(below 1: the new tree is faster). ``--compare`` also compares the last demo run's
outputs of the two trees with ``compare_outputs.py`` (content, volatile bits aside) and
exits 1 if they differ. The last repeat's demo outputs are kept under ``--workdir``
(default: a new temporary folder); ``--keep`` keeps every run's.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_BASE = "fba4f51"  # the last commit before issue #12's stage subpackages
# bench_batch.py --all (552 regions) takes about 18 minutes a run on this 2-core machine
# (README: 12 min for the batch itself, 3 min for the naive loop over the sample, results,
# data and the per-report breakdown), over the 15 minutes a run should take here: by
# default 150 regions, the same sample of 30 and every report of the 150.
DEFAULT_BATCH_ARGS = "--regions 150 --sample 30 --jobs 2 --all"
VOLATILE_ENV = ("EVALKIT_ROOT", "EVALKIT_RAW_DIR", "EVALKIT_PROCESSED_DIR",
                "EVALKIT_REPORTS_DIR")


@dataclass
class Tree:
    name: str  # "old" or "new"
    root: Path
    commit: str = ""

    @property
    def cli(self) -> str:
        """The CLI module: evalkit.run.cli after the stage subpackages, evalkit.cli before."""
        return ("evalkit.run.cli" if (self.root / "src" / "evalkit" / "run" / "cli.py").exists()
                else "evalkit.cli")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in VOLATILE_ENV}
        env["PYTHONPATH"] = str(self.root / "src")
        return env


@dataclass
class Measure:
    """One benchmark's numbers, per tree: metric -> one value per repeat."""

    values: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def add(self, tree: str, metric: str, value: float) -> None:
        self.values.setdefault(metric, {}).setdefault(tree, []).append(value)


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def load() -> str:
    one, five = os.getloadavg()[:2]
    return f"load {one:.1f}/{five:.1f}"


def make_old_tree(ref: str, workdir: Path) -> Tree:
    """A clone of this repository at ``ref`` (the repository is only read); a clone left
    in ``workdir`` by an earlier run is fetched into and checked out at ``ref``."""
    sha = git("rev-parse", "--verify", f"{ref}^{{commit}}", cwd=ROOT)
    target = workdir / "trees" / "old"
    if not target.exists():
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(target)],
                       check=True)
    else:
        subprocess.run(["git", "-C", str(target), "fetch", "--quiet", "origin"], check=True)
    subprocess.run(["git", "-C", str(target), "checkout", "--quiet", "--detach", sha],
                   check=True)
    return Tree("old", target, git("rev-parse", "HEAD", cwd=target))


def check_import(tree: Tree, cwd: Path) -> str:
    """Where ``evalkit`` is imported from with the tree's environment; must be the tree."""
    out = subprocess.run([sys.executable, "-c", "import evalkit; print(evalkit.__file__)"],
                         env=tree.env(), cwd=cwd, capture_output=True, text=True)
    where = Path(out.stdout.strip() or "?")
    if out.returncode != 0 or not where.resolve().is_relative_to((tree.root / "src").resolve()):
        raise SystemExit(f"{tree.name} tree {tree.root}: evalkit imports from {where}, not from "
                         f"the tree's src/ ({out.stderr.strip()[-300:]})")
    return str(where)


def timed(cmd: list[str], tree: Tree, cwd: Path, log: Path) -> tuple[float, float, int]:
    """Run ``cmd`` with the tree's environment: (wall s, CPU s of it and its reaped
    children, return code); its output goes to ``log``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {shlex.join(cmd)}\n")
        out.flush()
        rc = subprocess.run(cmd, env=tree.env(), cwd=cwd, stdout=out, stderr=subprocess.STDOUT
                            ).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, rc


def tail(log: Path, n: int = 15) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])


STAMP_COMMIT = re.compile(r"git ([0-9a-f]{12})")


def kernel_commit(reports: Path) -> str | None:
    """The git commit a regional report's stamp names (the first report found under
    ``reports``): the tree its kernel imported."""
    for nb in sorted(reports.rglob("*.ipynb")):
        if not nb.name.startswith(("synthesis", ".")) and ".failed." not in nb.name:
            m = STAMP_COMMIT.search(nb.read_text(encoding="utf-8"))
            if m:
                return m.group(1)
    return None


def check_commit(tree: Tree, commit: str | None) -> None:
    if commit and not tree.commit.startswith(commit):
        raise SystemExit(f"the {tree.name} tree's reports name git {commit}, not the tree's "
                         f"{tree.commit[:12]}: the kernels imported another evalkit")


# --- demo full run -------------------------------------------------------------------------

def demo_run(tree: Tree, project: Path, out: Path, jobs: int, measure: Measure,
             label: str) -> bool:
    raw = project / "data" / "raw"
    processed, reports = out / "data" / "processed", out / "reports"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    log = out / "run.log"
    py = [sys.executable, "-m", tree.cli]
    clean = timed([*py, "clean", "--raw-dir", str(raw), "--processed-dir", str(processed)],
                  tree, project, log)
    run = (timed([*py, "run", "--raw-dir", str(raw), "--processed-dir", str(processed),
                  "--reports-dir", str(reports), "--jobs", str(jobs)], tree, project, log)
           if clean[2] == 0 else (0.0, 0.0, 1))
    failed = sorted(p.name for p in reports.glob("*.error.txt"))
    ok = clean[2] == 0 and run[2] == 0 and not failed
    commit = kernel_commit(reports)
    print(f"[demo {label}] clean {clean[0]:6.1f} s (CPU {clean[1]:5.1f}), run {run[0]:6.1f} s "
          f"(CPU {run[1]:6.1f}), kernels at git {commit or '?'} ({load()})"
          + ("" if ok else f"  FAILED {', '.join(failed)}"), flush=True)
    check_commit(tree, commit)
    if not ok:
        print(tail(log), file=sys.stderr)
        return False
    for metric, value in (("clean wall s", clean[0]), ("run wall s", run[0]),
                          ("total wall s", clean[0] + run[0]), ("clean CPU s", clean[1]),
                          ("run CPU s", run[1])):
        measure.add(tree.name, metric, value)
    return True


# --- country-sized batch --------------------------------------------------------------------

NUM = r"(nan|[\d.]+)"
PHASE_ROW = re.compile(rf"^(?P<name>\S.*?)\s+{NUM}\s*{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM} m\s+"
                       r"(?P<ok>\d+)/(?P<n>\d+)\s*$")
TIME_ROW = re.compile(r"^\s*(?P<name>[\w ]+):\s+(?P<value>[\d.]+) s\s*$")


def parse_batch(text: str) -> dict[str, float]:
    """The numbers of bench_batch.py's results table: per phase s/region (and steady),
    CPU/report and failed reports; the data steps' seconds (generate, clean, results)."""
    numbers: dict[str, float] = {}
    section = text.split("=== results", 1)[-1].split("one report, in parts", 1)[0]
    for line in section.splitlines():
        if m := PHASE_ROW.match(line):
            name, ok, n = m.group("name").strip(), int(m.group("ok")), int(m.group("n"))
            per, steady, _med, _mean, cpu, _proj = (float(g) for g in m.groups()[1:7])
            numbers[f"{name}: s/region"] = per
            if steady == steady:  # not NaN: the rate once every worker has its first kernel
                numbers[f"{name}: steady s/region"] = steady
            numbers[f"{name}: CPU s/report"] = cpu
            numbers[f"{name}: failed"] = n - ok
        elif m := TIME_ROW.match(line):
            numbers[f"{m.group('name').strip()} s"] = float(m.group("value"))
    return numbers


def batch_run(tree: Tree, args: list[str], out: Path, measure: Measure, label: str,
              keep: bool) -> bool:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    log = out.parent / f"{out.name}.log"
    log.unlink(missing_ok=True)
    script = tree.root / "benchmarks" / "bench_batch.py"
    wall, cpu, rc = timed([sys.executable, str(script), *args, "--workdir", str(out / "work")],
                          tree, out, log)
    numbers = parse_batch(log.read_text(encoding="utf-8", errors="replace"))
    failed = sum(v for k, v in numbers.items() if k.endswith(": failed"))
    ok = rc == 0 and bool(numbers) and not failed
    per = {k: v for k, v in numbers.items() if k.endswith("s/region")}
    commit = kernel_commit(out / "work" / "reports")
    print(f"[batch {label}] {wall:6.1f} s wall (CPU {cpu:6.1f}); "
          + ", ".join(f"{k.split(':')[0]} {v:.2f} s/region" for k, v in per.items())
          + f"; kernels at git {commit or '?'} ({load()})"
          + ("" if ok else f"  FAILED (rc {rc}, {failed} reports; see {log})"), flush=True)
    check_commit(tree, commit)
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    if not ok:
        print(tail(log), file=sys.stderr)
        return False
    measure.add(tree.name, "benchmark wall s", wall)
    measure.add(tree.name, "benchmark CPU s", cpu)
    for metric, value in numbers.items():
        if not metric.endswith(": failed"):
            measure.add(tree.name, metric, value)
    return True


# --- summary ---------------------------------------------------------------------------------

def print_summary(title: str, measure: Measure) -> None:
    print(f"\n=== {title}: medians, old vs new " + "=" * 30)
    if not measure.values:
        print("  (no successful runs)")
        return
    width = max(len(m) for m in measure.values) + 2
    print(f"{'metric':<{width}}{'old':>10}{'new':>10}{'new/old':>9}  runs")
    for metric, per_tree in measure.values.items():
        old, new = per_tree.get("old", []), per_tree.get("new", [])
        mo = statistics.median(old) if old else float("nan")
        mn = statistics.median(new) if new else float("nan")
        ratio = mn / mo if old and new and mo else float("nan")
        print(f"{metric:<{width}}{mo:10.2f}{mn:10.2f}{ratio:9.2f}  {len(old)}/{len(new)}")


def compare_last(outputs: dict[str, Path], new_ok: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    import compare_outputs

    old, new = outputs["old"], outputs["new"]
    rows = compare_outputs.compare(old, new, new_ok=new_ok)
    print(f"\n=== outputs of the last demo run: {old} (old) vs {new} (new) " + "=" * 10)
    compare_outputs.print_table([r for r in rows if r.status != "same"] or rows)
    return 0 if all(r.ok for r in rows) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=DEFAULT_BASE,
                        help=f"git ref of the old tree (default {DEFAULT_BASE})")
    parser.add_argument("--base-tree", type=Path,
                        help="an existing checkout to use as the old tree instead of a clone")
    parser.add_argument("--new", type=Path, default=ROOT,
                        help="the new tree (default: this working tree)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tree (default 3)")
    parser.add_argument("--bench", action="append", choices=("demo", "batch"),
                        help="benchmark to run (repeatable; default: demo and batch)")
    parser.add_argument("--jobs", type=int, default=2, help="evalkit run --jobs for the demo")
    parser.add_argument("--batch-args", default=DEFAULT_BATCH_ARGS,
                        help=f"arguments for bench_batch.py (default: {DEFAULT_BATCH_ARGS!r};"
                             " '--all' alone for all 552 regions)")
    parser.add_argument("--workdir", type=Path,
                        help="work folder (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep every run's outputs")
    parser.add_argument("--compare", action="store_true",
                        help="compare the last demo outputs of the two trees in content")
    parser.add_argument("--new-ok", action="append", default=[], metavar="GLOB",
                        help="for --compare: outputs that may exist in the new tree only, "
                             "e.g. 'processed/results/*' (repeatable)")
    args = parser.parse_args(argv)
    benches = args.bench or ["demo", "batch"]
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="evalkit-commits-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    new_root = args.new.resolve()
    old = (Tree("old", args.base_tree.resolve(), git("rev-parse", "HEAD", cwd=args.base_tree))
           if args.base_tree else make_old_tree(args.base, workdir))
    new = Tree("new", new_root, git("rev-parse", "HEAD", cwd=new_root))
    dirty = git("status", "--porcelain", "--untracked-files=no", cwd=new_root)
    # One project folder for both trees: the same raw copy and pseudonymisation key.
    project = workdir / "project"
    if not (project / "data" / "raw").is_dir():
        shutil.copytree(new_root / "data" / "raw", project / "data" / "raw")
    print(f"bench_commits: {os.cpu_count()} CPUs, workdir {workdir} ({load()})")
    for tree in (old, new):
        note = " + uncommitted changes" if tree is new and dirty else ""
        print(f"  {tree.name}: {tree.root} at {tree.commit[:12]}{note}, "
              f"python -m {tree.cli}, evalkit from {check_import(tree, project)}")

    status = 0
    last: dict[str, Path] = {}
    for bench in benches:
        measure = Measure()
        for r in range(args.repeat):
            for tree in ((old, new) if r % 2 == 0 else (new, old)):
                label = f"{tree.name} {r + 1}/{args.repeat}"
                if bench == "demo":
                    out = workdir / "demo" / f"{tree.name}-{r + 1}"
                    ok = demo_run(tree, project, out, args.jobs, measure, label)
                    if ok:
                        if tree.name in last and last[tree.name] != out and not args.keep:
                            shutil.rmtree(last[tree.name], ignore_errors=True)
                        last[tree.name] = out
                else:
                    ok = batch_run(tree, shlex.split(args.batch_args),
                                   workdir / "batch" / f"{tree.name}-{r + 1}", measure, label,
                                   args.keep)
                status |= not ok
        print_summary("demo full run (clean + run)" if bench == "demo" else
                      f"bench_batch.py {args.batch_args}", measure)
    if args.compare:
        if set(last) == {"old", "new"}:
            status |= compare_last(last, args.new_ok)
        else:
            print("\n--compare: no successful demo run of both trees to compare")
            status = 1
    print(f"\nlogs and the last demo outputs in {workdir}")
    return status


if __name__ == "__main__":
    sys.exit(main())
