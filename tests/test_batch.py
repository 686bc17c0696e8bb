"""The report batch through papermill: HTML without code, index, failures isolated."""

from __future__ import annotations

import re
import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager

from evalkit.batch import (
    RunResult,
    ensure_kernel,
    report_stem,
    run_region,
    run_reports,
    synthesis_stem,
)
from evalkit.config import KERNEL_NAME
from evalkit.errors import EvalkitError
from evalkit.index_page import report_regions, write_index
from evalkit.regions import get_region


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
                    "Temuan dan tindak lanjut", "Gambar 6."):
        assert section in html
    assert "data:image/png;base64" in html  # figures are embedded
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
    for href in re.findall(r'href="([^"]+)"', html):
        assert (reports / href).exists(), href


def test_a_failing_region_is_reported_not_raised(processed_dir, tmp_path):
    broken = tmp_path / "broken.ipynb"
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": KERNEL_NAME, "language": "python",
                                                           "display_name": "evalkit"}})
    params = nbformat.v4.new_code_cell('region_code = "x"\nlang = "id"\nprocessed_dir = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("raise RuntimeError('boom in ' + region_code)")]
    nbformat.write(nb, broken)
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
