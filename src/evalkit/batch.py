"""The report batch: one papermill run per region, HTML export, and the index page.

Each region's notebook runs in its own fresh kernel (no state shared between regions),
on the ``evalkit`` kernel of this environment. Outputs are written to temporary names
and renamed only when complete, so an interrupted run never leaves a report that
looks finished. A region that fails does not stop the others.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from evalkit.config import KERNEL_NAME, NOTEBOOKS_DIR, PROCESSED_DATA_DIR, REPORTS_DIR
from evalkit.errors import EvalkitError
from evalkit.regions import Region
from evalkit.results import ensure_results

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

    @property
    def label(self) -> str:
        """How the CLI names the report: ``15.71 Kota Jambi`` or ``synthesis``."""
        return f"{self.region.code:<6} {self.region.name}" if self.region else "synthesis"


def report_stem(region: Region, lang: str) -> str:
    """``15.71-kota-jambi`` (Indonesian) or ``15.71-kota-jambi.en`` (other languages)."""
    stem = f"{region.code}-{region.slug}"
    return stem if lang == "id" else f"{stem}.{lang}"


def ensure_kernel() -> None:
    """Make sure the ``evalkit`` kernel exists and runs *this* Python.

    A kernel of the same name registered by another environment would make papermill
    silently run that environment's Python. We put this environment's kernel folder
    first on ``JUPYTER_PATH`` and (re)install the kernelspec there when it is missing
    or points elsewhere.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    data_dir = Path(sys.prefix) / "share" / "jupyter"
    paths = os.environ.get("JUPYTER_PATH", "")
    if str(data_dir) not in paths.split(os.pathsep):
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(data_dir), paths) if p)
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        ours = Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    except NoSuchKernel:
        ours = False
    if not ours:
        from ipykernel.kernelspec import install

        install(kernel_name=KERNEL_NAME, display_name="Python (evalkit)", prefix=sys.prefix)
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        spec.argv[0] = sys.executable  # the venv's python, not a resolved base interpreter
        (data_dir / "kernels" / KERNEL_NAME / "kernel.json").write_text(
            json.dumps(spec.to_dict(), indent=1), encoding="utf-8")


def export_html(notebook: Path, html: Path, *, show_code: bool = False) -> None:
    """Render an executed notebook to standalone HTML (code cells hidden by default)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=not show_code, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    tmp = html.with_name(f".{html.name}.tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, html)


def run_notebook(notebook: Path, stem: str, parameters: dict, reports_dir: Path
                 ) -> tuple[bool, Path | None, Path | None, str]:
    """Execute one notebook with papermill into ``reports_dir/<stem>.ipynb|.html``; never raises.

    Returns ``(ok, html, notebook, error)``. The executed notebook is written under a
    temporary name and renamed when complete; a failure leaves ``<stem>.error.txt``
    and the partial ``<stem>.failed.ipynb`` for diagnosis.
    """
    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)
    out_nb, out_html = reports_dir / f"{stem}.ipynb", reports_dir / f"{stem}.html"
    error_file = reports_dir / f"{stem}.error.txt"
    tmp_nb = reports_dir / f".{stem}.running.ipynb"
    try:
        pm.execute_notebook(
            str(notebook), str(tmp_nb), parameters=parameters,
            kernel_name=KERNEL_NAME, language="python", progress_bar=False,
            log_output=False, cwd=str(notebook.parent),
            # The kernel's own start-up log (e.g. its TCP transport notice) is noise for
            # an officer; execution errors are still captured in the notebook.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        os.replace(tmp_nb, out_nb)
        export_html(out_nb, out_html)
        error_file.unlink(missing_ok=True)
        return True, out_html, out_nb, ""
    except Exception as exc:  # one report's failure must not stop the batch
        message = _describe(exc)
        error_file.write_text(message + "\n\n" + traceback.format_exc(), encoding="utf-8")
        if tmp_nb.exists():  # keep the partial notebook for diagnosis, clearly named
            os.replace(tmp_nb, reports_dir / f"{stem}.failed.ipynb")
        return False, None, None, message


def run_region(region: Region, lang: str, reports_dir: Path, processed_dir: Path,
               notebook: Path = REGION_NOTEBOOK) -> RunResult:
    """Execute the regional notebook for one region and export it; never raises."""
    start = time.perf_counter()
    ok, html, nb, error = run_notebook(
        notebook, report_stem(region, lang),
        {"region_code": region.code, "lang": lang, "processed_dir": str(processed_dir)},
        reports_dir)
    return RunResult(region, lang, ok, time.perf_counter() - start, html, nb, error)


def synthesis_stem(lang: str) -> str:
    """``synthesis`` (Indonesian) or ``synthesis.en``."""
    return "synthesis" if lang == "id" else f"synthesis.{lang}"


def run_synthesis(lang: str, reports_dir: Path, processed_dir: Path,
                  notebook: Path = SYNTHESIS_NOTEBOOK) -> RunResult:
    """Execute the cross-region synthesis notebook in one language; never raises."""
    start = time.perf_counter()
    ok, html, nb, error = run_notebook(
        notebook, synthesis_stem(lang), {"lang": lang, "processed_dir": str(processed_dir)},
        reports_dir)
    return RunResult(None, lang, ok, time.perf_counter() - start, html, nb, error)


def _describe(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


def run_reports(regions: list[Region], *, langs: tuple[str, ...] = ("id",), jobs: int = 1,
                reports_dir: Path = REPORTS_DIR, processed_dir: Path = PROCESSED_DATA_DIR,
                synthesis: bool = True,
                on_done: Callable[[RunResult, int, int], None] | None = None,
                ) -> list[RunResult]:
    """Run every region (x language) report, then the synthesis, ``jobs`` at a time.

    Each report runs in its own process and kernel. The synthesis (one per language)
    is queued after the regional reports; results come back in task order.
    """
    if not Path(processed_dir, "manifest.json").exists():
        raise EvalkitError(f"no processed data in {processed_dir}: run `evalkit clean` first.")
    reports_dir.mkdir(parents=True, exist_ok=True)
    ensure_kernel()
    # Cross-region tables once for the whole batch (each notebook then only loads them).
    ensure_results(processed_dir)
    tasks = [(run_region, (r, lang, reports_dir, processed_dir)) for r in regions for lang in langs]
    if synthesis:
        tasks += [(run_synthesis, (lang, reports_dir, processed_dir)) for lang in langs]
    results: list[RunResult] = []
    if jobs <= 1:
        for fn, args in tasks:
            results.append(fn(*args))
            if on_done:
                on_done(results[-1], len(results), len(tasks))
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(fn, *args): i for i, (fn, args) in enumerate(tasks)}
        done: dict[int, RunResult] = {}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            if on_done:
                on_done(done[futures[future]], len(done), len(tasks))
    return [done[i] for i in range(len(tasks))]
