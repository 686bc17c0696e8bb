"""The index page's change column and its "Earlier waves" section (issue #13), on a
hand-built processed folder (no demo): other regions and wave labels, the wave tables of
tests/test_synthesis_change.py."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from test_synthesis_change import BANJARBARU, BAUBAU, BINJAI, REGIONS, SORONG, wave_results

from evalkit.present import index_page
from evalkit.read.regions import get_region


def _processed(tmp_path, waves=("Putaran A", "Putaran B", "Putaran C"), wave_tables=True):
    processed = tmp_path / "processed"
    results = processed / "results"
    results.mkdir(parents=True)
    (processed / "manifest.json").write_text(json.dumps({
        "tables": {"survey": {"rows_in": 80, "rows_clean": 78, "rows_quarantined": 2}},
        "quarantine_by_reason": {"survey: duplicate": 2}}), encoding="utf-8")
    pd.DataFrame({
        "region_code": list(REGIONS), "region_name": [get_region(c).name for c in REGIONS],
        "respondents": [30, 25, 12, 3], "health": [3.8, 3.1, 3.35, np.nan],
        "health_ci_low": [3.6, 2.9, 3.15, np.nan], "health_ci_upp": [4.0, 3.3, 3.55, np.nan],
        "achieved": 1, "on_track": 1, "needs_attention": 0, "indicators": 2,
    }).to_parquet(results / "overview.parquet")
    pd.DataFrame({"region_code": list(REGIONS), "index": [57.0, 60.0, 52.0, 70.0],
                  "ci_low": [52.0, 55.0, 47.0, 60.0], "ci_upp": [62.0, 65.0, 57.0, 80.0],
                  "rank": [1, 2, 3, np.nan]}).to_parquet(results / "index.parquet")
    if wave_tables:
        for name, table in wave_results(waves).items():
            table.to_parquet(results / f"{name}.parquet")
    reports = tmp_path / "reports"
    reports.mkdir()
    return reports, processed


def _rows(html: str) -> dict[str, list[str]]:
    """The cells of the regions table, by region code (tags stripped)."""
    body = html.split('<table id="regions"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        rows[cells[0]] = cells
    return rows


def test_index_change_text_shows_a_sign_an_arrow_and_the_interval():
    assert index_page.index_change_text(12.0, 4.0, 20.0, 3, 1) == "▲ +12.0 (4.0–20.0) · #3 → #1"
    assert index_page.index_change_text(-3.25, -6.0, -0.5) == "▼ −3.2 (−6.0–−0.5)"
    assert index_page.index_change_text(2.0, -3.0, 7.0, 2, 3) == "≈ +2.0 (−3.0–7.0) · #2 → #3"
    assert index_page.index_change_text(np.nan, np.nan, np.nan) == "—"
    assert index_page.index_change_text(0.4, np.nan, np.nan, np.nan, 2) == "≈ +0.4"
    assert index_page.index_change_text(-0.04, -3.5, 3.4) == "≈ +0.0 (−3.5–3.4)"  # not "−0.0"


def test_the_change_column_reads_the_index_change_table(tmp_path):
    reports, processed = _processed(tmp_path)
    html = index_page.write_index(reports, processed).read_text(encoding="utf-8")
    assert "Index change since the previous wave (95% CI) · rank" in html
    rows = _rows(html)
    assert rows[SORONG][5] == "▲ +12.0 (4.0–20.0) · #3 → #1"  # a called rise
    assert rows[BAUBAU][5] == "≈ −1.5 (−8.0–5.0) · #1 → #2"  # the interval holds zero
    assert rows[BINJAI][5] == "≈ +2.0 (−3.0–7.0) · #2 → #3"
    assert rows[BANJARBARU][4] == rows[BANJARBARU][5]  # 3 respondents: "too few", no number
    assert "70.0" not in rows[BANJARBARU][4] and "(n &lt; 5)" in rows[BANJARBARU][5]
    assert "Putaran A → Putaran B → Putaran C" in html
    assert "latest wave (Putaran C)" in html and "previous wave (Putaran B)" in html
    assert "▲ up and ▼ down when its 95% confidence interval excludes zero" in html


@pytest.mark.parametrize("wave_tables", [True, False])
def test_one_wave_has_no_change_column_and_one_sentence(tmp_path, wave_tables):
    reports, processed = _processed(tmp_path, waves=("2025",), wave_tables=wave_tables)
    html = index_page.write_index(reports, processed).read_text(encoding="utf-8")
    assert "Index change since the previous wave" not in html
    rows = _rows(html)
    assert len(rows[SORONG]) == 7  # the columns as before waves
    assert "One survey wave" in html
    # a declared wave is named; without wave tables (no wave declared) the "1" is not
    assert ("One survey wave (2025):" in html) == wave_tables
    assert "belum ada arsip / no archive yet" in html


def test_earlier_waves_are_listed_with_escaped_labels(tmp_path):
    reports, processed = _processed(tmp_path)
    archives = [("Putaran A", "archive/putaran-a/index.html"),
                ('<script>alert(1)</script>"', "archive/x-y/index.html")]
    html = index_page.write_index(reports, processed, archives=archives).read_text(encoding="utf-8")
    section = html.split('id="gelombang-sebelumnya"', 1)[1].split("<script>", 1)[0]
    assert '<a href="archive/putaran-a/index.html">Putaran A</a>' in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;" in section
    assert "<script>alert" not in html
    assert 'href="#gelombang-sebelumnya"' in html  # in the contents


@pytest.mark.parametrize("href", ["javascript:alert(1)", "https://evil.example/", "/etc/passwd",
                                  "//evil.example/x", "../../outside.html", ""])
def test_an_archive_link_must_be_relative(tmp_path, href):
    reports, processed = _processed(tmp_path)
    with pytest.raises(ValueError, match="relative"):
        index_page.write_index(reports, processed, archives=[("2025-Q1", href)])


def test_hostile_wave_labels_in_the_results_are_escaped(tmp_path):
    reports, processed = _processed(tmp_path, waves=("<b>x</b>", "a&b", "<i>z"))
    html = index_page.write_index(reports, processed).read_text(encoding="utf-8")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt; → a&amp;b → &lt;i&gt;z" in html
