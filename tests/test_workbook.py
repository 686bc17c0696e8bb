"""``reports/summary.xlsx``: one sheet per table, units in headers, nothing small published."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import zipfile

import openpyxl
import pytest

import evalkit
from evalkit.analyse import region_tables as analysis
from evalkit.core.config import MIN_CELL
from evalkit.measure import scales
from evalkit.measure.indicators import STATUS_SUMMARY, STATUSES
from evalkit.present import workbook as summary_xlsx
from evalkit.present.colours import STATUS_COLORS
from evalkit.present.i18n import status_label
from evalkit.read.products import (
    MANIFEST,
    manifest_digest,
    read_latest,
    read_processed,
    read_result,
)
from evalkit.read.regions import get_region

STATUS_LABELS = {key: {lang: status_label(key, lang) for lang in ("id", "en")} for key in STATUSES}

try:  # installed with the test dependencies (scikit-learn); only makes the fixture faster
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

ID_SHEETS = ["Tentang", "Skor", "Reliabilitas", "Indikator", "Kehadiran", "Cakupan pentahelix",
             "Indeks", "Bobot indeks", "Jejaring", "Perubahan", "Indeks per gelombang"]
EN_SHEETS = ["About", "Scores", "Reliability", "Indicators", "Attendance", "Pentahelix coverage",
             "Index", "Index weights", "Network", "Change", "Index by wave"]


def _single_blas_thread():
    """Omega's small factor fits run several times faster on one BLAS thread on a busy machine."""
    return threadpool_limits(1) if threadpool_limits else contextlib.nullcontext()


@pytest.fixture(scope="module")
def data(processed_dir):
    with _single_blas_thread():
        return summary_xlsx.summary_data(processed_dir)


@pytest.fixture(scope="module")
def written(data, processed_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return {lang: summary_xlsx.write_summary(out, processed_dir, lang, data=data,
                                             filename=f"summary_{lang}.xlsx")
            for lang in ("id", "en")}


@pytest.fixture(scope="module")
def book(written):
    return openpyxl.load_workbook(written["id"])


@pytest.fixture(scope="module")
def book_en(written):
    return openpyxl.load_workbook(written["en"])


def _header(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _records(ws) -> list[dict]:
    head = _header(ws)
    return [dict(zip(head, row)) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_the_expected_sheets_in_order(book, book_en):
    assert book.sheetnames == ID_SHEETS
    assert book_en.sheetnames == EN_SHEETS
    assert all(len(name) <= 31 for name in ID_SHEETS + EN_SHEETS)


def test_every_sheet_has_a_bold_frozen_header_and_a_filter(book):
    for ws in book:
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2"), ws.title
        assert all(c.font.bold for c in ws[1]), ws.title
        assert all(c.value for c in ws[1]), ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert ws.max_row > 1, ws.title  # every table has rows with the demo data
    assert book["Skor"].freeze_panes == "C2"  # region code and name stay in view


def test_headers_state_units_and_cells_carry_number_formats(book):
    skor = _header(book["Skor"])
    assert "Skor rata-rata (1–5)" in skor and "IK 95% bawah (1–5)" in skor
    assert "Alfa Cronbach (0–1)" in _header(book["Reliabilitas"])
    assert "Tingkat kehadiran (%)" in _header(book["Kehadiran"])
    assert "Capaian jarak ke target (%)" in _header(book["Indikator"])
    assert "Nilai terakhir (satuan indikator)" in _header(book["Indikator"])
    assert "Indeks efektivitas (0–100)" in _header(book["Indeks"])
    assert "Kepercayaan PARTNER (% skor maks.)" in _header(book["Jejaring"])
    formats = {("Skor", "Skor rata-rata (1–5)"): "0.00",
               ("Kehadiran", "Tingkat kehadiran (%)"): "0%",
               ("Indeks", "Indeks efektivitas (0–100)"): "0.0",
               ("Indikator", "Capaian jarak ke target (%)"): "0%"}
    for (sheet, header), fmt in formats.items():
        ws = book[sheet]
        col = _header(ws).index(header) + 1
        cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1)]
        assert {c.number_format for c in cells if isinstance(c.value, float)} == {fmt}


def test_scores_equal_dimension_summary(book, processed_dir):
    survey, items = read_latest("survey", processed_dir), read_processed("items", processed_dir)
    expected = analysis.dimension_summary(analysis.scores_long(survey, items))
    labels = read_processed("dimensions", processed_dir).set_index("dimension")["label_id"]
    rows = {(r["Kode wilayah (Kemendagri)"], r["Dimensi"]): r for r in _records(book["Skor"])}
    for code in ("15.71", "96.02"):
        mine = expected[expected["region_code"] == code]
        assert len(mine) == 10
        for e in mine.to_dict("records"):
            r = rows[(code, labels[e["dimension"]])]
            assert r["Nama wilayah"] == get_region(code).name
            assert r["Skor rata-rata (1–5)"] == pytest.approx(e["estimate"], rel=1e-12)
            assert r["IK 95% bawah (1–5)"] == pytest.approx(e["ci_low"], rel=1e-12)
            assert r["IK 95% atas (1–5)"] == pytest.approx(e["ci_upp"], rel=1e-12)
            assert r["Responden (orang)"] == e["nobs"]


def _assert_nothing_small_shown(ws, count_header: str, value_headers: list[str]) -> int:
    hidden = 0
    for r in _records(ws):
        n = r[count_header]
        assert not (isinstance(n, int) and 0 < n < MIN_CELL), (ws.title, r)  # counts 1-4 hidden too
        if n == f"<{MIN_CELL}":
            hidden += 1
            assert all(r[h] is None for h in value_headers), (ws.title, r)
            assert r.get("Catatan") == f"Disembunyikan: kurang dari {MIN_CELL} responden"
    return hidden


def test_no_small_cell_is_published(book):
    _assert_nothing_small_shown(book["Skor"], "Responden (orang)",
                                ["Skor rata-rata (1–5)", "IK 95% bawah (1–5)", "IK 95% atas (1–5)"])
    _assert_nothing_small_shown(book["Reliabilitas"], "Responden (orang)",
                                ["Alfa Cronbach (0–1)", "Omega McDonald (0–1)"])
    survey_counts = [r["Responden survei (orang)"] for r in _records(book["Cakupan pentahelix"])]
    assert f"<{MIN_CELL}" in survey_counts  # the demo has sectors with 1-4 respondents
    assert not [n for n in survey_counts if isinstance(n, int) and 0 < n < MIN_CELL]


def test_a_small_region_is_suppressed_in_every_respondent_table(data, processed_dir, tmp_path):
    survey, items = read_latest("survey", processed_dir), read_processed("items", processed_dir)
    region = get_region("15.71")
    tiny = survey[survey["region_code"] == region.code].head(MIN_CELL - 2)
    # the results stage's per-region tables of a region of 3 respondents
    scores = analysis.region_summary(analysis.scores_long(tiny, items)).assign(
        region_code=region.code)
    reliability = scales.reliability_table(tiny, items).assign(region_code=region.code)
    small = dataclasses.replace(data, regions=[region], scores=scores, reliability=reliability)
    path = summary_xlsx.write_summary(tmp_path, processed_dir, "id", data=small)
    wb = openpyxl.load_workbook(path)
    assert _assert_nothing_small_shown(wb["Skor"], "Responden (orang)", [
        "Skor rata-rata (1–5)", "IK 95% bawah (1–5)", "IK 95% atas (1–5)"]) == 10
    assert _assert_nothing_small_shown(wb["Reliabilitas"], "Responden (orang)", [
        "Alfa Cronbach (0–1)", "Alfa IK 95% bawah (0–1)", "Alfa IK 95% atas (0–1)",
        "Omega McDonald (0–1)"]) == 10


def test_index_sheet_ranks_equal_the_results(book, processed_dir):
    index = read_result("index", processed_dir).set_index("region_code")
    rows = _records(book["Indeks"])
    assert [r["Kode wilayah (Kemendagri)"] for r in rows] == sorted(
        index.index, key=lambda c: [int(p) for p in c.split(".")])
    for r in rows:
        expected = index.loc[r["Kode wilayah (Kemendagri)"]]
        assert r["Peringkat (1 = terbaik)"] == int(expected["rank"])
        assert r["Peringkat IK 95% terbaik"] == int(expected["rank_ci_low"])
        assert r["Peringkat IK 95% terburuk"] == int(expected["rank_ci_upp"])
        assert r["Indeks efektivitas (0–100)"] == pytest.approx(expected["index"], rel=1e-12)
    weights = _records(book["Bobot indeks"])
    assert sum(r["Bobot dalam indeks (%)"] for r in weights) == pytest.approx(1.0)


def test_status_cells_are_filled_with_the_status_colour(book, processed_dir):
    ws = book["Indikator"]
    head = _header(ws)
    status_col, summary_col = head.index("Status") + 1, head.index("Ringkasan status") + 1
    by_label = {labels["id"]: key for key, labels in STATUS_LABELS.items()}
    assert ws.max_row - 1 == len(read_result("progress", processed_dir))
    seen = set()
    for row in range(2, ws.max_row + 1):
        status = by_label[ws.cell(row, status_col).value]
        seen.add(status)
        colour = "FF" + STATUS_COLORS[status].lstrip("#").upper()
        assert ws.cell(row, status_col).fill.fgColor.rgb == colour
        summary = "FF" + STATUS_COLORS[STATUS_SUMMARY[status]].lstrip("#").upper()
        assert ws.cell(row, summary_col).fill.fgColor.rgb == summary
    assert len(seen) >= 3  # the demo shows several statuses


def test_english_workbook_has_english_headers_and_labels(book_en):
    assert "Mean score (1–5)" in _header(book_en["Scores"])
    assert "Attendance rate (%)" in _header(book_en["Attendance"])
    assert "Effectiveness index (0–100)" in _header(book_en["Index"])
    rows = _records(book_en["Scores"])
    assert rows[0]["Dimension"] == "Trust"
    statuses = {r["Status"] for r in _records(book_en["Indicators"])}
    assert statuses <= {labels["en"] for labels in STATUS_LABELS.values()}
    indonesian = {"Wilayah", "Skor", "Dimensi", "Catatan", "Sektor", "Indeks"}
    for ws in book_en:
        assert not any(word in str(h).split() for h in _header(ws) for word in indonesian), ws.title


def test_about_sheet_names_the_data_and_the_version(book, processed_dir):
    manifest = json.loads((processed_dir / MANIFEST).read_text(encoding="utf-8"))
    about = {r["Lembar / butir"]: r for r in _records(book["Tentang"])}
    assert about["Sidik data olahan"]["Keterangan"] == manifest_digest(manifest)
    assert about["Versi evalkit"]["Keterangan"] == evalkit.__version__
    assert set(ID_SHEETS[1:]) <= set(about)  # every table sheet is described


def test_same_inputs_give_the_same_file(written, processed_dir, tmp_path):
    with _single_blas_thread():  # computed afresh, not from the shared data
        again = summary_xlsx.write_summary(tmp_path, processed_dir, "id")
    assert again == tmp_path / "summary.xlsx"
    assert again.read_bytes() == written["id"].read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["summary.xlsx"]  # no temporary file left
    with zipfile.ZipFile(again) as z:
        assert b"dcterms:created" not in z.read("docProps/core.xml")  # no generation date


def test_unknown_language_is_refused(data, tmp_path):
    with pytest.raises(ValueError, match="language"):
        summary_xlsx.write_summary(tmp_path, tmp_path, "fr", data=data)


def test_a_region_without_data_gets_a_row_that_says_so(data):
    extra = get_region("35.73")  # Kota Malang: no responses, register or index in the demo
    sheets = {s.key: s.frame() for s in summary_xlsx.summary_sheets(
        dataclasses.replace(data, regions=[*data.regions, extra]), "en")}
    for key, note in [("scores", "No survey respondents"), ("reliability", "No survey respondents"),
                      ("index", "Not computed"), ("network", "No stakeholder register")]:
        last = sheets[key].iloc[-1]
        assert last.iloc[0] == "35.73" and last.iloc[-1] == note, key
    for key in ("index", "network"):
        assert sheets[key].iloc[-1, 2:-1].isna().all(), key
    assert sheets["scores"].iloc[-1]["Respondents (people)"] == 0
    assert sheets["scores"].iloc[-1, 2:6].isna().all()
    assert "35.73" not in set(sheets["indicators"].iloc[:, 0])


def test_missing_index_components_are_named_in_the_language(data):
    pillars = data.pillars.copy()
    pillars.loc[0, "missing"] = "attendance_rate, achievement"
    index = summary_xlsx.summary_sheets(dataclasses.replace(data, pillars=pillars), "en")[6].frame()
    assert index.iloc[0]["Components missing"] == "Meeting attendance rate, Mean target achievement"
    assert index.iloc[1:]["Components missing"].isna().all()


def test_reliability_notes_are_worded_from_their_codes(data):
    rel = data.reliability.copy()
    big = rel.index[rel["n"] >= MIN_CELL][0]  # a published row: its note is shown
    rel.loc[big, ["note", "note_code"]] = ["alpha not estimated: boom; omega needs at least 3 items",
                                           "alpha_error; omega_items"]
    changed = dataclasses.replace(data, reliability=rel)

    def note(lang):
        sheet = {s.key: s for s in summary_xlsx.summary_sheets(changed, lang)}["reliability"]
        frame = sheet.frame()
        mine = frame[frame.iloc[:, -1].fillna("").str.contains("boom")]
        assert len(mine) == 1 and mine.iloc[0, 0] == rel.at[big, "region_code"]
        return mine.iloc[0, -1]

    # the detail (an error message) stays in the library's English; the rest in the language
    assert note("id") == "alpha not estimated: boom; omega memerlukan sedikitnya 3 item"
    assert note("en") == "alpha not estimated: boom; omega needs at least 3 items"


def test_the_demo_reliability_notes_are_in_the_language(book, book_en):
    notes_id = {r["Catatan"] for r in _records(book["Reliabilitas"])} - {None}
    notes_en = {r["Note"] for r in _records(book_en["Reliability"])} - {None}
    assert "omega: kasus Heywood (keunikan mendekati nol)" in notes_id  # the demo has one
    assert "omega: Heywood case (a uniqueness near zero)" in notes_en
    assert not notes_id & {n for n in notes_en if not n.startswith("Suppressed")}
