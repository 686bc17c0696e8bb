"""benchmarks/compare_outputs.py: two runs' outputs compared in content, volatile bits aside.

Tiny fabricated reports and processed folders: the same content written twice with
everything a rerun changes (time stamps, commits, digests, Styler and SVG ids, paths,
cell ids) must compare "same"; one planted change of each kind must be found and named.
At the end, the logic of benchmarks/bench_commits.py that runs no benchmark: parsing
bench_batch.py's table, and checking that each tree's evalkit is the one imported.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("compare_outputs",
                                               ROOT / "benchmarks" / "compare_outputs.py")
co = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = co  # dataclasses look their module up there
_spec.loader.exec_module(co)

SVG = ('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10pt">\n'
       ' <metadata><dc:date>{date}</dc:date></metadata>\n'
       ' <defs><clipPath id="{clip}"><rect x="0" y="0"/></clipPath></defs>\n'
       ' <g id="line2d_1"><path d="M 0 {y} L 5 5" clip-path="url(#{clip})"/></g>\n'
       ' <g id="text_1"><text x="2" y="9">{label}</text></g>\n'
       ' <use xlink:href="#{marker}" x="1.5"/><path id="{marker}" d="M 0 0"/>\n</svg>\n')


def svg_uri(y="1.000000", clip="p1a2b3c4d5", marker="m0a1b2c3d4", date="2026-01-01",
            label="Years"):
    svg = SVG.format(y=y, clip=clip, marker=marker, date=date, label=label)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def stamp(run: int) -> str:
    """The provenance table of a report: what differs from one run to the next."""
    dirty = " (+ uncommitted changes)" if run else ""
    return (f'<table id="T_{"ab12c" if run else "9f0e1"}"><tr>'
            f'<td id="T_{"ab12c" if run else "9f0e1"}_row0_col1">0.1.0, git '
            f'{"fba4f510708b" if run else "5672b7100000"}{dirty}</td>'
            f'<td>{"d08286b2cb1b" if run else "aaaaaaaaaaaa"}</td>'
            f'<td>2026-12-0{run + 1} 03:2{run} UTC</td>'
            f"<td>processed_dir = '/tmp/run{run}/data/processed'</td></tr></table>")


def notebook(run: int, responses: int = 36, y: str = "1.000000", label: str = "Years") -> dict:
    ids = ("p1a2b3c4d5", "m0a1b2c3d4") if run else ("pffeeddccb", "m9999999999")
    cells = [
        {"cell_type": "code", "source": "from evalkit import report" if run else
         "from evalkit.present import report", "metadata": {"papermill": {"duration": run}},
         "outputs": [{"output_type": "display_data", "metadata": {}, "data": {
             "text/markdown": [f"Survei menghasilkan **{responses}** jawaban."],
             "text/plain": [f"<IPython.core.display.Markdown object at 0x7f7d8d7d10{run}0>"]}}]},
        {"cell_type": "code", "source": "report.show(...)", "metadata": {}, "outputs": [
            {"output_type": "display_data", "metadata": {}, "data": {
                "text/html": [f'<figure><img src="{svg_uri(y, *ids, label=label)}"></figure>'],
                "text/plain": ["<IPython.core.display.HTML object>"]}},
            {"output_type": "stream", "name": "stdout", "text": ["done\n"]}]},
        {"cell_type": "code", "source": "report.stamp(rep)", "metadata": {}, "outputs": [
            {"output_type": "execute_result", "execution_count": 3, "metadata": {},
             "data": {"text/html": [stamp(run)], "text/plain": ["<Styler>"]}}]},
    ]
    return {"cells": cells, "metadata": {"papermill": {"start_time": f"2026-12-0{run + 1}"}},
            "nbformat": 4, "nbformat_minor": 5}


def html_page(run: int, title: str = "Kota Jambi", href: str = "15.71-kota-jambi.html") -> str:
    return (f"<html><head><style>body {{ margin: 0 }}</style></head><body>\n"
            f'<div class="cell" id="cell-id={"e41ae63c" if run else "106440e9"}">\n'
            f"<h2 id=\"h_data\">1. Data survei</h2>\n<p>{title}: <b>36</b> jawaban</p>\n"
            f'<a href="{href}">laporan</a>\n'
            f'<img src="{svg_uri(clip="pa" if run else "pb")}">\n{stamp(run)}\n</body></html>\n')


def write_run(root: Path, run: int, *, responses: int = 36, y: str = "1.000000", label="Years",
              cell: float = 3.411111111111111, value: float = 0.25, rows_clean: int = 509,
              title: str = "Kota Jambi") -> Path:
    """A project folder with one report of each kind and a processed folder."""
    reports, processed = root / "reports", root / "data" / "processed"
    (processed / "results").mkdir(parents=True)
    reports.mkdir()
    (reports / "15.71-kota-jambi.ipynb").write_text(
        json.dumps(notebook(run, responses, y, label)), encoding="utf-8")
    (reports / "15.71-kota-jambi.html").write_text(html_page(run, title), encoding="utf-8")
    (reports / "index.html").write_text(html_page(run), encoding="utf-8")
    (reports / "15.71-kota-jambi.run.json").write_text(json.dumps({"seconds": run + 2.5}))
    (reports / "README.md").write_text("the repository's own" * run)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Skor"
    ws.append(["Wilayah", "Skor", "Manifest"])
    ws.append(["Kota Jambi", cell, "d08286b2cb1b" if run else "0123456789ab"])
    ws["B2"].number_format = "0.00"
    wb.save(reports / "summary.xlsx")
    pd.DataFrame({"region_code": ["15.71", "16"], "estimate": [value, 0.5],
                  "nobs": [36, 40]}).to_parquet(processed / "results" / "benchmark.parquet")
    pd.DataFrame({"respondent": ["r1", "r2", "r3"], "score": [1.0, 2.0, float("nan")]}
                 ).to_parquet(processed / "survey.parquet")
    (processed / "manifest.json").write_text(json.dumps({
        "evalkit_version": "0.1.0", "created": f"2026-12-0{run + 1}",
        "inputs": {"survey.xlsx": {"sha256": "ab" * 32, "bytes": 10}},
        "tables": {"survey": {"rows_in": 518, "rows_clean": rows_clean,
                              "rows_quarantined": 518 - rows_clean}}}), encoding="utf-8")
    (processed / "results" / "results.json").write_text(json.dumps({"code": f"{run}" * 12}))
    return root


def by_file(rows) -> dict:
    return {r.file: r for r in rows}


def differing(rows) -> dict:
    return {r.file: r.details for r in rows if r.status != "same"}


def test_volatile_bits_alone_compare_same(tmp_path, capsys):
    a, b = write_run(tmp_path / "a", 0), write_run(tmp_path / "b", 1)
    rows = co.compare(a, b)
    assert differing(rows) == {}
    assert set(by_file(rows)) == {
        "reports/15.71-kota-jambi.ipynb", "reports/15.71-kota-jambi.html", "reports/index.html",
        "reports/summary.xlsx", "processed/manifest.json", "processed/survey.parquet",
        "processed/results/benchmark.parquet"}  # run records, README and stamp skipped
    assert co.main([str(a), str(b)]) == 0
    assert "7 files: 7 same, 0 differ, 0 missing" in capsys.readouterr().out


@pytest.mark.parametrize("change, file, detail", [
    ({"responses": 37}, "reports/15.71-kota-jambi.ipynb", "cell 0 output 1 text/markdown: "
     "'Survei menghasilkan **36** jawaban.' vs 'Survei menghasilkan **37**"),
    ({"y": "1.500000"}, "reports/15.71-kota-jambi.ipynb",
     "cell 1 output 1 text/html: figure 1 differs: drawing only"),
    ({"y": "1.000001"}, "reports/15.71-kota-jambi.ipynb",
     "cell 1 output 1 text/html: figure 1 differs: drawing only, equal to 0.01"),
    ({"label": "Tahun"}, "reports/15.71-kota-jambi.ipynb",
     "cell 1 output 1 text/html: figure 1 differs: text 'Years' vs 'Tahun'"),
    ({"title": "Kota Jambii"}, "reports/15.71-kota-jambi.html", "[1. Data survei]"),
    ({"cell": 3.42}, "reports/summary.xlsx", "Skor!B2: 3.411111111111111 vs 3.42"),
    ({"value": 0.25 + 1e-12}, "processed/results/benchmark.parquet",
     "estimate: 1 of 2 values differ, max |diff| 1e-12"),
    ({"rows_clean": 508}, "processed/manifest.json", "tables: survey"),
])
def test_a_planted_change_is_found_and_named(tmp_path, change, file, detail):
    a, b = write_run(tmp_path / "a", 0), write_run(tmp_path / "b", 1, **change)
    found = differing(co.compare(a, b))
    assert list(found) == [file]
    assert any(detail in d for d in found[file]), found[file]
    assert co.main([str(a), str(b)]) == 1


def test_missing_files_and_row_order_and_tolerance(tmp_path, capsys):
    a, b = write_run(tmp_path / "a", 0), write_run(tmp_path / "b", 1, value=0.25 + 1e-12)
    (b / "reports" / "index.html").unlink()
    (b / "reports" / "synthesis.error.txt").write_text("failed")
    survey = b / "data" / "processed" / "survey.parquet"
    pd.read_parquet(survey).iloc[::-1].reset_index(drop=True).to_parquet(survey)
    rows = by_file(co.compare(a, b, rtol=1e-9))
    assert rows["reports/index.html"].status == "missing in B"
    assert rows["reports/synthesis.error.txt"].status == "missing in A"
    assert rows["processed/survey.parquet"].details == ["same rows in a different order"]
    assert rows["processed/results/benchmark.parquet"].status == "same"  # within rtol
    assert co.main([str(a), str(b), "--only-differences"]) == 1
    out = capsys.readouterr().out
    assert "missing in B" in out and "reports/summary.xlsx" not in out


def test_intended_new_outputs_may_be_allowed(tmp_path, capsys):
    a, b = write_run(tmp_path / "a", 0), write_run(tmp_path / "b", 1)
    pd.DataFrame({"x": [1]}).to_parquet(b / "data" / "processed" / "results" / "new.parquet")
    assert co.main([str(a), str(b)]) == 1
    assert co.main([str(a), str(b), "--new-ok", "processed/results/*"]) == 0
    assert "0 missing, 1 new in B (allowed)" in capsys.readouterr().out
    (a / "reports" / "index.html").unlink()  # allowed only in B, and only what matches
    assert co.main([str(a), str(b), "--new-ok", "processed/results/*"]) == 1


def test_folders_given_apart_and_an_ignored_pattern(tmp_path):
    a, b = write_run(tmp_path / "a", 0), write_run(tmp_path / "b", 1)
    for side, n in ((a, "1"), (b, "2")):  # a volatile bit the tool does not know about
        page = side / "reports" / "index.html"
        page.write_text(page.read_text().replace("laporan</a>", f"laporan</a> ({n}.5 s)"))
    reports_only = co.compare(a / "reports", b / "reports")
    assert not any(r.file.startswith("processed/") for r in reports_only)
    assert list(differing(reports_only)) == ["reports/index.html"]
    assert differing(co.compare(a / "reports", b / "reports",
                                processed=(a / "data" / "processed",
                                           b / "data" / "processed"),
                                ignore=[r"\(\d\.5 s\)"])) == {}


def test_a_damaged_file_is_a_difference_not_a_crash(tmp_path):
    a, b = write_run(tmp_path / "a", 0), write_run(tmp_path / "b", 1)
    (b / "data" / "processed" / "survey.parquet").write_bytes(b"not parquet")
    details = differing(co.compare(a, b))["processed/survey.parquet"]
    assert details[0].startswith("could not compare:")


def test_a_copy_compares_same(tmp_path):
    a = write_run(tmp_path / "a", 1)
    shutil.copytree(a, tmp_path / "b")
    assert differing(co.compare(a, tmp_path / "b")) == {}


# --- benchmarks/bench_commits.py: the driver's own logic (no benchmark is run) ---------------

_spec_bc = importlib.util.spec_from_file_location("bench_commits",
                                                  ROOT / "benchmarks" / "bench_commits.py")
bc = importlib.util.module_from_spec(_spec_bc)
sys.modules[_spec_bc.name] = bc
_spec_bc.loader.exec_module(bc)


def test_bench_batch_results_table_is_parsed():
    # The lines as bench_batch.py prints them (its format strings, in its run()).
    times = {"generate": 12.34, "clean": 3.0, "results": 33.2}
    phases = [("naive", 5.71, float("nan"), 5.6, 5.7, 5.72, 52.5, 30, 30),
              ("evalkit-j2", 1.52, 1.36, 2.9, 3.0, 2.82, 12.5, 30, 30),
              ("evalkit-j2 ALL+syn", 1.32, 1.31, 2.5, 2.6, 2.41, 12.1, 551, 552)]
    text = ["sample: 30 of 552", "\n=== results " + "=" * 60]
    text += [f"{name:>22}: {value:8.1f} s" for name, value in times.items()]
    text.append(f"\n{'phase':<22}{'s/region':>10}{'steady':>8}{'median':>8}{'mean':>8}"
                f"{'CPU/rep':>9}{'552 proj.':>11}  ok")
    text += [f"{n:<22}{per:10.2f}{st:8.2f}{med:8.2f}{mean:8.2f}{cpu:9.2f}{proj:9.1f} m  {ok}/{k}"
             for n, per, st, med, mean, cpu, proj, ok, k in phases]
    text += ["  evalkit-j2 vs the naive loop: 3.75x faster per region, 2.03x less CPU",
             "\none report, in parts (medians):", "  export_html      0.12 s"]
    numbers = bc.parse_batch("\n".join(text))
    assert numbers == {
        "generate s": 12.3, "clean s": 3.0, "results s": 33.2,
        "naive: s/region": 5.71, "naive: CPU s/report": 5.72, "naive: failed": 0,
        "evalkit-j2: s/region": 1.52, "evalkit-j2: CPU s/report": 2.82, "evalkit-j2: failed": 0,
        "evalkit-j2: steady s/region": 1.36, "evalkit-j2 ALL+syn: steady s/region": 1.31,
        "evalkit-j2 ALL+syn: s/region": 1.32, "evalkit-j2 ALL+syn: CPU s/report": 2.41,
        "evalkit-j2 ALL+syn: failed": 1}


def test_each_tree_imports_its_own_evalkit(tmp_path):
    before = tmp_path / "before"  # a tree before the stage subpackages
    (before / "src" / "evalkit").mkdir(parents=True)
    (before / "src" / "evalkit" / "__init__.py").write_text("")
    (before / "src" / "evalkit" / "cli.py").write_text("")
    tree = bc.Tree("old", before)
    assert tree.cli == "evalkit.cli"
    assert bc.Tree("new", ROOT).cli == "evalkit.run.cli"
    # PYTHONPATH comes before this checkout's editable install
    assert bc.check_import(tree, tmp_path) == str(before / "src" / "evalkit" / "__init__.py")
    with pytest.raises(SystemExit, match="not from the tree's src/"):
        bc.check_import(bc.Tree("old", tmp_path / "no-such-tree"), tmp_path)


def test_the_kernels_commit_is_checked(tmp_path):
    reports = tmp_path / "reports" / "all"
    reports.mkdir(parents=True)
    (reports / "synthesis.ipynb").write_text("git 000000000000")  # not a regional report
    (reports / "15.71-kota-jambi.ipynb").write_text(json.dumps(notebook(1)))
    assert bc.kernel_commit(tmp_path / "reports") == "fba4f510708b"
    bc.check_commit(bc.Tree("old", tmp_path, "fba4f510708b" + "0" * 28), "fba4f510708b")
    with pytest.raises(SystemExit, match="imported another evalkit"):
        bc.check_commit(bc.Tree("new", tmp_path, "4a7deef71ad4" + "0" * 28), "fba4f510708b")
