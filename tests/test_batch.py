"""The report batch through papermill: HTML without code, index, failures isolated."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager

from evalkit.core.config import KERNEL_NAME
from evalkit.core.errors import EvalkitError
from evalkit.present.index_page import report_regions, write_index
from evalkit.read.regions import get_region
from evalkit.run.batch import (
    RunResult,
    ensure_kernel,
    report_stem,
    run_region,
    run_reports,
    synthesis_stem,
)


@pytest.fixture(scope="module")
def batch(processed_dir, tmp_path_factory):
    reports = tmp_path_factory.mktemp("reports")
    regions = [get_region("15.71"), get_region("96.02")]
    results = run_reports(regions, langs=("id", "en"), jobs=2, reports_dir=reports,
                          processed_dir=processed_dir)
    return reports, results


def test_every_region_and_language_succeeds(batch):
    reports, results = batch
    assert [(r.label.split()[0], r.lang, r.ok) for r in results] == [
        ("15.71", "id", True), ("15.71", "en", True), ("96.02", "id", True), ("96.02", "en", True),
        ("synthesis", "id", True), ("synthesis", "en", True)]  # the synthesis runs last
    for r in results:
        assert r.html.exists() and r.notebook.exists()
        stem = report_stem(r.region, r.lang) if r.region else synthesis_stem(r.lang)
        assert r.html.name == f"{stem}.html"
    assert not list(reports.glob(".*"))  # no temporary files left behind


def test_html_has_narrative_figures_and_no_code(batch):
    reports, _ = batch
    html = (reports / "15.71-kota-jambi.html").read_text(encoding="utf-8")
    assert "Kota Jambi" in html and "Kesehatan kemitraan per dimensi" in html
    for section in ("Cakupan pemangku kepentingan", "Siapa yang kurang antusias?",
                    "Keterlibatan dan jejaring kolaborasi", "Indeks efektivitas kemitraan",
                    "Temuan dan tindak lanjut", "Gambar 7.", "Daftar isi", "Asal-usul laporan"):
        assert section in html
    assert "data:image/svg+xml;base64" in html  # figures are embedded
    assert "load_region_report" not in html  # code cells hidden
    english = (reports / "15.71-kota-jambi.en.html").read_text(encoding="utf-8")
    assert "Partnership health by dimension" in english


def test_executed_notebook_used_the_requested_parameters(batch, processed_dir):
    reports, _ = batch
    nb = nbformat.read(reports / "96.02-kabupaten-sorong-selatan.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert '"96.02"' in injected[0].source and str(processed_dir) in injected[0].source
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors


def test_index_links_reports_and_marks_missing_ones(batch, processed_dir):
    reports, _ = batch
    index = write_index(reports, processed_dir)
    html = index.read_text(encoding="utf-8")
    assert 'href="15.71-kota-jambi.html"' in html and 'href="15.71-kota-jambi.en.html"' in html
    for region in report_regions(processed_dir):
        assert region.name in html
    assert "not run" in html  # the regions this test did not run
    for href in re.findall(r'href="([^"#][^"]*)"', html):  # in-page anchors aside
        assert (reports / href).exists(), href


def test_a_failing_region_is_reported_not_raised(processed_dir, tmp_path, write_notebook):
    broken = write_notebook(tmp_path / "broken.ipynb", "raise RuntimeError('boom in ' + region_code)",
                            parameters='region_code = "x"\nlang = "id"\nprocessed_dir = ""')
    ensure_kernel()
    result = run_region(get_region("15.71"), "id", tmp_path, processed_dir, notebook=broken)
    assert isinstance(result, RunResult) and not result.ok
    assert "boom in 15.71" in result.error
    assert not (tmp_path / "15.71-kota-jambi.html").exists()
    assert "boom in 15.71" in (tmp_path / "15.71-kota-jambi.error.txt").read_text()
    assert (tmp_path / "15.71-kota-jambi.failed.ipynb").exists()


def test_kernel_is_this_environment(processed_dir):
    ensure_kernel()
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()


def test_run_without_processed_data_says_what_to_do(tmp_path):
    with pytest.raises(EvalkitError, match="evalkit clean"):
        run_reports([get_region("15.71")], reports_dir=tmp_path, processed_dir=tmp_path)


def test_a_same_named_kernel_from_another_environment_is_not_used(tmp_path, monkeypatch):
    # A user-level "evalkit" kernel pointing at another Python (the papermill trap).
    impostor = tmp_path / "kernels" / KERNEL_NAME
    impostor.mkdir(parents=True)
    (impostor / "kernel.json").write_text(json.dumps({
        "argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "impostor", "language": "python"}))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")  # user kernels first, as outside a venv
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    assert KernelSpecManager().get_kernel_spec(KERNEL_NAME).display_name == "impostor"
    ensure_kernel()
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()


def test_no_personal_data_reaches_reports(batch, raw_dir):
    import pandas as pd

    reports, _ = batch
    raw = pd.read_excel(raw_dir / "survey_kobo_export.xlsx", dtype=str)
    personal = set(raw["respondent_name"].dropna()) | set(raw["respondent_phone"].dropna())
    texts = [p.read_text(encoding="utf-8") for p in reports.iterdir() if p.suffix in {".html", ".ipynb"}]
    assert len(texts) >= 8  # 2 regions x 2 languages x (ipynb + html), maybe index.html
    for value in personal:
        assert not any(value in t for t in texts), value


# --- incremental, interrupted and distributed runs -----------------------------------------

def test_unchanged_reports_are_skipped_and_force_reruns(batch, processed_dir):
    reports, first = batch
    stamps = {r.html: r.html.stat().st_mtime_ns for r in first}
    again = run_reports([get_region("15.71"), get_region("96.02")], langs=("id", "en"), jobs=2,
                        reports_dir=reports, processed_dir=processed_dir)
    assert all(r.ok and r.skipped for r in again) and len(again) == 6
    assert {r.html: r.html.stat().st_mtime_ns for r in again} == stamps  # nothing rewritten
    forced = run_reports([get_region("96.02")], langs=("id",), reports_dir=reports,
                         processed_dir=processed_dir, synthesis=False, force=True)
    assert forced[0].ok and not forced[0].skipped
    assert forced[0].html.stat().st_mtime_ns > stamps[forced[0].html]


def test_a_changed_input_makes_a_report_stale(batch, processed_dir, tmp_path):
    from evalkit.run.batch import REGION_NOTEBOOK, is_current, run_key

    reports, _ = batch
    region = get_region("15.71")
    params = {"region_code": region.code, "lang": "id", "processed_dir": str(processed_dir)}
    key = run_key(REGION_NOTEBOOK, params, processed_dir)
    assert is_current(report_stem(region, "id"), key, reports)
    assert run_key(REGION_NOTEBOOK, {**params, "lang": "en"}, processed_dir) != key
    assert run_key(REGION_NOTEBOOK, params, processed_dir, show_code=True) != key
    assert run_key(REGION_NOTEBOOK, params, processed_dir, code="other code") != key
    assert run_key(REGION_NOTEBOOK, params, processed_dir, results="recomputed") != key
    # the run record lists the outputs: one edited after it was written is made again
    copy = tmp_path / "reports"
    copy.mkdir()
    stem = report_stem(region, "id")
    for suffix in (".html", ".ipynb", ".run.json"):
        (copy / f"{stem}{suffix}").write_bytes((reports / f"{stem}{suffix}").read_bytes())
    assert is_current(stem, key, copy)
    html = copy / f"{stem}.html"
    html.write_bytes(html.read_bytes().replace(b"Kota Jambi", b"Kota Jamb!", 1))
    assert not is_current(stem, key, copy)
    changed = tmp_path / "processed"
    changed.mkdir()
    manifest = json.loads((processed_dir / "manifest.json").read_text())
    manifest["inputs"][next(iter(manifest["inputs"]))]["sha256"] = "0" * 64  # new raw data
    (changed / "manifest.json").write_text(json.dumps(manifest))
    assert run_key(REGION_NOTEBOOK, params, changed) != key


def test_an_interrupted_batch_leaves_nothing_that_looks_complete(processed_dir, raw_dir, tmp_path):
    import signal
    import subprocess
    import time

    reports = tmp_path / "reports"
    command = [sys.executable, "-m", "evalkit.run.cli", "run", "-r", "96.02", "--lang", "id", "-j", "1",
               "--raw-dir", str(raw_dir), "--processed-dir", str(processed_dir),
               "--reports-dir", str(reports)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(reports.glob(".*.running.ipynb")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(reports.glob(".*.running.ipynb")), "the report never started"
    os.killpg(proc.pid, signal.SIGKILL)  # the whole batch: CLI, workers, kernel
    proc.wait()
    stem = report_stem(get_region("96.02"), "id")
    assert not (reports / f"{stem}.html").exists()  # nothing half-written under a final name
    assert not (reports / f"{stem}.run.json").exists()
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert (reports / f"{stem}.html").exists() and (reports / f"{stem}.run.json").exists()
    assert not list(reports.glob(".*"))  # leftovers of the killed run removed
    nb = nbformat.read(reports / f"{stem}.ipynb", as_version=4)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if o.output_type == "error"]


def test_reports_run_on_a_dask_cluster(processed_dir, tmp_path):
    distributed = pytest.importorskip("distributed")

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        results = run_reports([get_region("96.02")], langs=("en",), reports_dir=tmp_path,
                              processed_dir=processed_dir, synthesis=False,
                              scheduler=cluster.scheduler_address)
    assert [(r.label.split()[0], r.ok, r.skipped) for r in results] == [("96.02", True, False)]
    assert (tmp_path / "96.02-kabupaten-sorong-selatan.en.html").exists()


def test_reports_of_regions_no_longer_in_the_data_are_moved_aside(tmp_path):
    from evalkit.run.batch import PREVIOUS_DIR, move_stale_reports

    current, gone = get_region("15.71"), get_region("96.02")
    names = [f"{report_stem(r, lang)}{suffix}" for r in (current, gone) for lang in ("id", "en")
             for suffix in (".ipynb", ".html", ".run.json", ".error.txt", ".failed.ipynb")]
    others = ["index.html", "synthesis.html", "synthesis.en.run.json", "summary.xlsx"]
    for name in names + others:
        (tmp_path / name).write_text(name, encoding="utf-8")
    (tmp_path / PREVIOUS_DIR).mkdir()
    (tmp_path / PREVIOUS_DIR / f"{report_stem(gone, 'id')}.html").write_text("older")
    moved = move_stale_reports(tmp_path, [current])
    stale = [n for n in names if n.startswith(gone.code)]
    assert sorted(p.name for p in moved) == sorted(stale) and len(stale) == 10
    left = {p.name for p in tmp_path.iterdir() if p.is_file()}
    assert left == {n for n in names if n.startswith(current.code)} | set(others)
    for path in moved:  # moved, never deleted (a name already there goes to _previous/2/)
        assert path.read_text(encoding="utf-8") == path.name
        assert PREVIOUS_DIR in path.parts
    assert (tmp_path / PREVIOUS_DIR / f"{report_stem(gone, 'id')}.html").read_text() == "older"
    assert (tmp_path / PREVIOUS_DIR / "2" / f"{report_stem(gone, 'id')}.html").exists()
    assert move_stale_reports(tmp_path, [current]) == []  # nothing stale any more
