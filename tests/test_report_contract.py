"""Reports follow the programme's own form and inputs (issue #11), not the demo's.

A processed folder is built by hand from the cleaned demo: a 4-point scale with
Indonesian labels only (answers 5 folded into 4), ``label_en`` blank for items,
dimensions and sectors, the attendance input missing, one region cut to 3
respondents. The reports must use the form's range and labels, fall back to the
available language with one note, say which file would fill the empty section and
print no raw mean for the small region.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from evalkit.analyse import region_tables as analysis
from evalkit.clean.pipeline import RAW_FILES, empty_table
from evalkit.core.contract import DEFAULT_SCALE, Scale
from evalkit.present import i18n, report, report_inputs
from evalkit.read import products

FOUR = Scale((1, 2, 3, 4), ("Sangat tidak setuju", "Tidak setuju", "Setuju", "Sangat setuju"),
             ("", "", "", ""))
SMALL_REGION = "96.02"  # cut to 3 respondents below
SMALL_N = 3


def build_four_point_dir(source: Path, target: Path, *, small_region: str = SMALL_REGION,
                         small_n: int = SMALL_N) -> Path:
    """A processed folder of a 4-point, Indonesian-only form without an attendance file."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.parquet"):
        shutil.copy(path, target / path.name)
    items = pd.read_parquet(source / "items.parquet")
    survey = pd.read_parquet(source / "survey.parquet")
    # the latest wave only (the one the reports describe): the small region keeps small_n
    survey = survey[survey["wave"] == pd.read_parquet(source / "waves.parquet")["wave"].iat[-1]]
    cols = items["item"].tolist()
    survey[cols] = survey[cols].clip(upper=4)  # answers on 1..4
    keep = survey.index[survey["region_code"] != small_region].tolist()
    keep += survey.index[survey["region_code"] == small_region][:small_n].tolist()
    survey = survey.loc[sorted(keep)].reset_index(drop=True)
    survey.to_parquet(target / "survey.parquet", index=False)
    for name in ("items", "dimensions", "sectors"):
        table = pd.read_parquet(source / f"{name}.parquet")
        table["label_en"] = np.nan  # an old processed table: blank English labels
        table.to_parquet(target / f"{name}.parquet", index=False)
    FOUR.to_table().to_parquet(target / "scale.parquet", index=False)
    empty_table("attendance").to_parquet(target / "attendance.parquet", index=False)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    manifest["inputs_missing"] = ["attendance"]
    manifest["inputs_empty"] = []
    manifest["form"] = {**manifest.get("form", {}), "languages": ["id"],
                        "scale": {"min": 1.0, "max": 4.0, "k": 4}}
    manifest["inputs"].pop(RAW_FILES["attendance"], None)
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def four_dir(processed_dir, tmp_path_factory):
    from evalkit.run.stages import ensure_results

    folder = build_four_point_dir(processed_dir, tmp_path_factory.mktemp("four_point"))
    ensure_results(folder)  # as `evalkit run` does before any report
    return folder


@pytest.fixture(scope="module", params=["id", "en"])
def four(request, four_dir):
    return report.load_region_report("15.71", request.param, four_dir)


@pytest.fixture(scope="module", params=["id", "en"])
def small(request, four_dir):
    return report.load_region_report(SMALL_REGION, request.param, four_dir)


# --- the scale ---------------------------------------------------------------------------

def test_the_report_reads_the_forms_scale(four, processed_dir):
    assert four.scale == FOUR
    assert products.read_scale(processed_dir) == DEFAULT_SCALE


def test_old_processed_dir_without_scale_gets_the_default(tmp_path):
    assert products.read_scale(tmp_path) == DEFAULT_SCALE


def test_health_text_states_the_forms_range(four):
    text = report.health_text(four)
    assert "1–4" in text and "1–5" not in text
    assert "1–4" in report.health_table(four).columns[1]


def test_items_long_reverses_on_the_forms_scale():
    survey = pd.DataFrame({"response_id": ["a", "b", "c", "d"], "region_code": "1",
                           "sector": "s", "q1": [1.0, 2.0, 3.0, 4.0], "q2": [1.0, 2.0, 3.0, 4.0]})
    items = pd.DataFrame({"item": ["q1", "q2"], "dimension": ["d", "d"], "reverse": [False, True]})
    long = analysis.items_long(survey, items, scale=FOUR)
    assert long.loc[long["item"] == "q2", "response"].tolist() == [4, 3, 2, 1]  # 5 - x
    assert long.loc[long["item"] == "q1", "response"].tolist() == [1, 2, 3, 4]
    default = analysis.items_long(survey, items)  # the 1–5 default: 6 - x
    assert default.loc[default["item"] == "q2", "response"].tolist() == [5, 4, 3, 2]
    zero = Scale(tuple(range(7)))
    survey0 = survey.assign(q2=[0.0, 1.0, 5.0, 6.0])
    rev = analysis.items_long(survey0, items, scale=zero)
    assert rev.loc[rev["item"] == "q2", "response"].tolist() == [6, 5, 1, 0]


def _region_survey(processed: Path, code: str) -> pd.DataFrame:
    survey = products.read_latest("survey", processed)
    return survey[survey["region_code"] == code]


def test_scores_stay_inside_the_forms_range(four, four_dir):
    health = four.health.dropna(subset=["estimate"])
    assert len(health) and health["estimate"].between(1, 4).all()
    assert health["ci_upp"].max() <= 4.5  # not on the 1-5 scale
    survey = _region_survey(four_dir, "15.71")
    scores = analysis.scores_long(survey, four.items, scale=four.scale)["score"].dropna()
    assert scores.between(1, 4).all()
    # a reverse-keyed item answered 1 everywhere scores 4, not 5
    rev = four.items.loc[four.items["reverse"], "item"].iat[0]
    dim = four.items.set_index("item").at[rev, "dimension"]
    one = survey.assign(**{c: 1.0 for c in four.items["item"]})
    long = analysis.scores_long(one, four.items, scale=four.scale)
    n_items = (four.items["dimension"] == dim).sum()
    n_rev = four.items.loc[four.items["dimension"] == dim, "reverse"].sum()
    expected = (n_rev * 4 + (n_items - n_rev) * 1) / n_items
    assert np.allclose(long.loc[long["dimension"] == dim, "score"], expected)


def test_likert_figure_has_the_forms_four_categories_and_no_neutral(four):
    fig = report.likert_figure(four)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert labels == list(FOUR.labels_id)  # the form's labels, Indonesian in both reports
    assert "Netral" not in labels and "Neutral" not in labels
    caption = report.likert_caption(four)
    assert caption["key"] == "fig_likert_even"
    assert "Tidak setuju" in report.text(caption.pop("key"), four.lang, **caption)


def test_likert_bars_split_an_even_scale_at_the_midpoint():
    from evalkit.present import figures as plots

    shares = pd.DataFrame([[0.1, 0.2, 0.3, 0.4]], columns=[1.0, 2.0, 3.0, 4.0])
    fig = plots.likert_bars(shares, labels=["q"], category_labels=list("abcd"), xlabel="x")
    bars = sorted(fig.axes[0].patches, key=lambda p: p.get_x())
    plt.close(fig)
    assert bars[0].get_x() == pytest.approx(-0.3)  # the two lower categories left of zero
    assert bars[2].get_x() == pytest.approx(0.0)
    assert len(plots.likert_colors(4)) == len(set(plots.likert_colors(4))) == 4
    assert plots.likert_colors(7)[3] == plots.NEUTRAL_COLOR
    assert plots.NEUTRAL_COLOR not in plots.likert_colors(6)


def test_reliability_text_says_the_real_item_count(four):
    text = report.reliability_text(four)
    assert "tiga" not in text and "three" not in text
    counts = four.reliability.dropna(subset=["alpha"])["k"]
    assert str(int(counts.min())) in text


def test_count_range_text():
    assert report._count_range([3, 3, 3]) == "3"
    assert report._count_range([5, 3, 4]) == "3–5"


# --- languages ---------------------------------------------------------------------------

def test_english_report_of_an_indonesian_only_form_falls_back_with_one_note(four):
    note = report.language_note(four)
    title = report.title(four)
    if four.lang == "en":
        assert note and note in title and "Indonesian" in note
    else:
        assert note == "" and "*" not in title
    assert four.dimensions["label_en"].notna().all()
    labels = report._dimension_labels(four)
    assert (labels != "").all()
    findings = report.findings_text(four)
    assert "nan" not in findings.split() and "None" not in findings


def test_blank_labels_fall_back_to_the_other_language_then_the_code():
    table = pd.DataFrame({"sector": ["a", "b", "c"], "label_id": ["A", None, ""],
                          "label_en": [np.nan, "Bee", " "]})
    out = products.with_language_fallback(table, "label", "sector")
    assert out["label_en"].tolist() == ["A", "Bee", "c"]
    assert out["label_id"].tolist() == ["A", "Bee", "c"]
    names = products.with_language_fallback(pd.DataFrame({"indicator_id": ["x"]}), "name",
                                                 "indicator_id")
    assert names["name_en"].tolist() == ["x"]


def test_every_text_has_both_languages_and_no_english_in_indonesian():
    english = re.compile(r"\b(the|and|of|is|are|with|from|this|these|not)\b")
    for key, value in i18n.TEXT.items():
        assert set(value) == set(i18n.LANGS), key
        assert value["id"].strip(), key
        found = english.findall(value["id"].replace("Handbook on Constructing", ""))
        assert not found, f"{key}: English word(s) {found} in the Indonesian text"


def test_indonesian_report_has_no_english_notes(processed_dir):
    rep = report.load_region_report(SMALL_REGION, "id", processed_dir)  # unweighted: a reason
    text = report.health_text(rep)
    assert "answered but are not in the register" not in text
    assert "tidak dapat ditimbang" in text or "tidak ditimbang" in text
    row = pd.Series({"reason": "no_control", "n_treated": 2, "n_control": 0})
    assert report._attribution_reason(row, "id") == report.text("attr_reason_no_control", "id")
    few = pd.Series({"reason": "few_control", "n_treated": 4, "n_control": 1})
    assert report._attribution_reason(few, "en") == report.text("attr_reason_few_control", "en", n=1)
    unknown = pd.Series({"reason": "a code from a newer evalkit", "n_treated": 0, "n_control": 0})
    assert report._attribution_reason(unknown, "id") == report.text("attr_reason_other", "id")
    assert report._attribution_reason(pd.Series({"reason": ""}), "id") == ""


# --- missing optional inputs -------------------------------------------------------------

def test_missing_input_gives_one_sentence_naming_its_file(four):
    text = report.attendance_text(four)
    assert RAW_FILES["attendance"] in text and "data/raw" in text
    assert text.count(".") <= 3  # one sentence (the file name has a dot)
    assert report.attendance_table(four) is None and report.attendance_figure(four) is None
    # sections with data say nothing about files
    assert RAW_FILES["ties"] not in report.network_text(four)


def test_absent_inputs_read_from_the_manifest():
    manifest = {"inputs_missing": ["ties", "indicators"], "inputs_empty": ["attendance"]}
    assert report_inputs.absent_inputs(manifest) == {"ties": "missing", "indicators": "missing",
                                                     "attendance": "empty"}
    assert report_inputs.absent_inputs({}) == {}
    assert report_inputs.input_file("indicator_targets") == RAW_FILES["indicators"]


def test_every_optional_input_has_its_sentence(four):
    import dataclasses

    rep = dataclasses.replace(four)
    for table in ("stakeholders", "attendance", "ties", "indicators", "partnerships"):
        for state in ("missing", "empty"):
            rep.absent = {table: state}
            sentence = report.absent_text(rep, table)
            assert RAW_FILES[table] in sentence
    rep.absent = {"indicators": "missing"}
    rep.progress = rep.progress.iloc[0:0]
    assert RAW_FILES["indicators"] in report.outcome_text(rep)
    assert report.outcome_table(rep) is None
    assert RAW_FILES["indicators"] in report.attribution_text(rep)
    rep.absent = {"stakeholders": "missing"}
    assert RAW_FILES["stakeholders"] in report.coverage_text(rep)
    assert report.coverage_table(rep) is None
    missing = report.text("finding_missing", rep.lang, sectors="").split(":")[0]
    assert missing not in report.findings_text(rep)


def test_no_file_name_literals_in_report_code():
    source = Path(report.__file__).read_text(encoding="utf-8")
    for name in RAW_FILES.values():
        assert name not in source


# --- small regions -----------------------------------------------------------------------

def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+[.,]\d{2}\b", text))


def test_small_region_prints_no_raw_mean(small, four_dir):
    assert small.respondents == SMALL_N
    survey = _region_survey(four_dir, SMALL_REGION)
    scores = analysis.scores_long(survey, small.items, scale=small.scale)
    assert len(survey) == SMALL_N
    raw = scores.groupby("dimension", observed=True)["score"].mean().dropna()
    overall = scores["score"].mean()
    means = {f"{v:.2f}" for v in [*raw, overall]} | {f"{v:.2f}".replace(".", ",") for v in raw}
    for piece in (report.data_text(small), report.health_text(small),
                  report.shrinkage_text(small), report.findings_text(small),
                  report.sectors_text(small), report.index_text(small)):
        assert not (_numbers(piece) & means), piece
    assert str(5) in report.health_text(small)  # "too few respondents (< 5)"
    assert report.health_figure(small) is None and report.likert_figure(small) is None
    assert report.index_table(small) is None


def test_small_region_index_says_too_few_respondents(small):
    text = report.index_text(small)
    assert "n < 5" in text
    assert "rank" not in text and "peringkat" not in text


# --- synthesis, Excel summary, index page --------------------------------------------------

def test_synthesis_uses_the_scale_and_hides_small_regions_raw_means(four_dir):
    from evalkit.present import synthesis

    syn = synthesis.load_synthesis("en", four_dir)
    assert syn.scale == FOUR
    fig = synthesis.health_outcome_figure(syn)
    assert "1–4" in fig.axes[0].get_xlabel()
    plt.close(fig)
    table = synthesis.pooling_table(syn)
    small_row = table[table.iloc[:, 0] == synthesis.get_region(SMALL_REGION).name].iloc[0]
    assert "n < 5" in small_row.iloc[2] and small_row.iloc[1] == "<5"
    raw = syn.tables["shrinkage"].set_index("region_code").at[SMALL_REGION, "raw_mean"]
    assert f"{raw:.2f}" not in synthesis.pooling_text(syn)
    fig = synthesis.caterpillar(syn)
    plt.close(fig)


def test_summary_workbook_headers_and_about_use_the_forms_range(four_dir):
    from evalkit.present import workbook as summary_xlsx

    data = summary_xlsx.summary_data(four_dir)
    sheets = {s.key: s for s in summary_xlsx.summary_sheets(data, "id")}
    assert "Skor rata-rata (1–4)" in sheets["scores"].headers
    assert not any("1–5" in h for h in sheets["scores"].headers)
    about = " ".join(str(c) for row in sheets["about"].rows for c in row if c)
    assert "Skala 1–4 (1 = sangat tidak setuju, 4 = sangat setuju)" in about
    index = sheets["index"].frame()
    small = index[index.iloc[:, 0] == SMALL_REGION].iloc[0]
    assert small.iloc[2:-1].isna().all()  # no index, rank, raw mean
    assert small.iloc[-1] == "Disembunyikan: kurang dari 5 responden"
    english = {s.key: s for s in summary_xlsx.summary_sheets(data, "en")}
    labels = english["scores"].frame().iloc[:, 2]
    assert labels.notna().all() and not labels.isin(["nan", ""]).any()  # Indonesian fallback


def test_index_page_marks_the_small_region_too_small(four_dir, tmp_path):
    from evalkit.present.index_page import write_index

    html = write_index(tmp_path, four_dir).read_text(encoding="utf-8")
    assert "too few respondents (n &lt; 5)" in html and "skala 1–4" in html


def test_data_text_names_the_reasons_the_quarantine_holds(four):
    import dataclasses

    # excluded_reasons=None: the manifest's reasons (one wave); with several waves, the
    # latest wave's rows' reasons (evalkit.present.report.excluded_submissions)
    rep = dataclasses.replace(four, excluded_reasons=None, manifest={
        **four.manifest, "quarantine_by_reason": {"survey: no_consent": 4, "survey: not_approved": 5,
                                                  "ties: self_tie": 1}})
    assert report.exclusion_reasons(dataclasses.replace(
        four, excluded_reasons=("no_consent", "not_approved"))) == report.exclusion_reasons(rep)
    reasons = report.exclusion_reasons(rep)
    assert reasons == {"id": "tidak disetujui dalam pemeriksaan Kobo/ODK atau tanpa persetujuan "
                             "responden",
                       "en": "not approved in the Kobo/ODK review or consent not given"}[rep.lang]
    assert reasons in report.data_text(rep)
    assert "speeder" not in report.data_text(rep) and "terlalu cepat" not in report.data_text(rep)


OWN_SECTORS = pd.DataFrame({
    "sector": ["pemda", "swasta", "pt", "lsm", "media_massa", "tokoh"],
    "label_id": ["Pemerintah Daerah", "Swasta", "Perguruan Tinggi", "LSM", "Media massa",
                 "Tokoh masyarakat"],
    "label_en": [None] * 6,
    "pentahelix": ["pemerintah", "dunia_usaha", "akademisi", "masyarakat_sipil", "media", ""]})


def test_coverage_per_category_with_the_forms_own_groups(four):
    import dataclasses

    from evalkit.core.contract import PENTAHELIX

    coverage = pd.DataFrame({"sector": [*PENTAHELIX, "tokoh"], "in_register": [3, 2, 0, 4, 1, 2],
                             "in_survey": [6, 3, 0, 9, 5, 2], "in_attendance": [3, 2, 0, 4, 1, 1],
                             "present": [True, True, False, True, True, True]})
    rep = dataclasses.replace(four, sectors=products.with_language_fallback(
        OWN_SECTORS, "label", "sector"), results={**four.results, "coverage": coverage})
    text = report.coverage_text(rep)
    # 12 organisations; 4 of the 5 categories present (academia is not)
    assert "**12**" in text and {"id": "**4 dari 5**", "en": "**4 of the 5**"}[rep.lang] in text
    assert "Tokoh masyarakat" in text
    academia = {"id": "Akademisi", "en": "Academia"}[rep.lang]
    assert academia in text  # the missing category, by evalkit's word (no sector has that code)
    table = report.coverage_table(rep)
    assert table.iloc[:, 1].tolist() == ["Pemerintah Daerah", "Swasta", "Perguruan Tinggi", "LSM",
                                         "Media massa", "Tokoh masyarakat"]
    assert table.iloc[5, 0] == report.text("outside_pentahelix", rep.lang)
    assert table.iloc[5, 3] == "<5" and table.iloc[2, 3] == "0"
    assert report._sector_label(rep)("pt") == "Perguruan Tinggi"  # the Indonesian fallback
