"""The regional report's "Change since the last wave" section (issue #13).

The wave results are built by hand here (not by the analyse stage), for one region of a
copy of the cleaned demo, with dimensions, sectors and wave labels the demo does not
have: two dimensions of the programme's own (``saling_percaya``, ``arah_bersama``), two
sectors outside the pentahelix (``koperasi``, ``media_warga``) and three waves whose first
two labels are hostile (a spreadsheet formula, a script element). The report reads them
through :func:`evalkit.present.report.load_region_report`, as the notebook does.

Every expected number is typed in from the tables below (the report computes nothing).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import payloads
import pytest
from test_escape import live_payloads, render_markdown

from evalkit.core.config import MIN_CELL
from evalkit.core.escape import safe_table
from evalkit.present import i18n, report
from evalkit.present.figures import figure_html
from evalkit.read import products

REGION = "15.71"
W1, W2, W3 = payloads.XL_HYPERLINK, payloads.SCRIPT, "2025-Q3"
WAVES = [W1, W2, W3]
DIMS = pd.DataFrame({"dimension": ["saling_percaya", "arah_bersama"],
                     "label_id": ["Saling percaya", "Arah bersama"],
                     "label_en": ["Mutual trust", "Shared direction"]})
SECTORS = pd.DataFrame({"sector": ["koperasi", "media_warga"],
                        "label_id": ["Koperasi", "Media warga"],
                        "label_en": ["Cooperatives", "Community media"],
                        "pentahelix": ["", ""]})
ORG = payloads.IMG_ONERROR  # an organisation that became central: a hostile name

# wave_scores of the region: (wave, dimension) -> estimate, ci half-width 0.2, n 40/36/42
SCORES = {(W1, "saling_percaya"): 3.10, (W1, "arah_bersama"): 3.50, (W1, "_overall"): 3.30,
          (W2, "saling_percaya"): 3.20, (W2, "arah_bersama"): 3.45, (W2, "_overall"): 3.33,
          (W3, "saling_percaya"): 3.62, (W3, "arah_bersama"): 3.40, (W3, "_overall"): 3.51}
NOBS = {W1: 40, W2: 36, W3: 42}


def _change(dimension, comparison, frm, estimate, low, high, p, p_holm, changed, direction,
            n_from, n_both, *, suppressed=False, reason=""):
    return {"region_code": REGION, "dimension": dimension, "comparison": comparison,
            "from_wave": frm, "to_wave": W3, "estimate": estimate, "se": (high - low) / 3.92,
            "ci_low": low, "ci_upp": high, "p_value": p, "p_holm": p_holm, "changed": changed,
            "direction": direction, "n_from": n_from, "n_to": 42, "n_both": n_both,
            "clusters": 50, "suppressed": suppressed, "reason": reason}


def wave_tables(*, suppress_w2: bool = False) -> dict[str, pd.DataFrame]:
    """The wave results of :data:`REGION` (and one row of another region, to be filtered out)."""
    scores = pd.DataFrame([
        {"region_code": REGION, "wave": w, "order": WAVES.index(w) + 1, "dimension": d,
         "estimate": e, "se": 0.1, "ci_low": e - 0.2, "ci_upp": e + 0.2, "nobs": NOBS[w],
         "suppressed": False, "weighted": True} for (w, d), e in SCORES.items()]
        + [{"region_code": "11.71", "wave": W3, "order": 3, "dimension": "saling_percaya",
            "estimate": 1.0, "se": 0.1, "ci_low": 0.8, "ci_upp": 1.2, "nobs": 30,
            "suppressed": False, "weighted": True}])
    changes = [
        _change("_overall", "previous", W2, 0.18, 0.02, 0.34, 0.03, np.nan, True, "up", 36, 20),
        _change("saling_percaya", "previous", W2, 0.42, 0.18, 0.66, 0.0004, 0.0008, True, "up",
                36, 20),
        _change("arah_bersama", "previous", W2, -0.05, -0.30, 0.20, 0.70, 0.70, False, "", 36, 20),
        _change("_overall", "first", W1, 0.21, 0.03, 0.39, 0.02, np.nan, True, "up", 40, 12),
        _change("saling_percaya", "first", W1, 0.52, 0.27, 0.77, 0.0001, 0.0002, True, "up",
                40, 12),
        _change("arah_bersama", "first", W1, -0.10, -0.36, 0.16, 0.45, 0.45, False, "", 40, 12),
    ]
    if suppress_w2:
        scores.loc[scores["wave"] == W2, ["estimate", "se", "ci_low", "ci_upp"]] = np.nan
        scores.loc[scores["wave"] == W2, ["nobs", "suppressed"]] = (3, True)
        for row in changes:
            if row["comparison"] == "previous":
                row.update(estimate=np.nan, ci_low=np.nan, ci_upp=np.nan, p_value=np.nan,
                           p_holm=np.nan, changed=False, direction="", n_from=3,
                           suppressed=True, reason="too_few_respondents")
    sector = pd.DataFrame([
        {**_change("_", "previous", W2, -0.35, -0.60, -0.10, 0.004, 0.008, True, "down", 12, 8),
         "sector": "koperasi"},
        {**_change("_", "previous", W2, 0.10, -0.20, 0.40, 0.50, 0.50, False, "", 10, 6),
         "sector": "media_warga"},
    ]).drop(columns="dimension")
    network = pd.DataFrame([
        {"region_code": REGION, "wave": w, "order": i + 1, "organisations": 10 + i,
         "ties": 12 + 3 * i, "density": 0.20 + 0.03 * i, "centralisation": 0.40 - 0.05 * i,
         "mean_trust": 2.9 + 0.1 * i, "mean_value": 3.0 + 0.05 * i, "isolated": 2 - i}
        for i, w in enumerate(WAVES)])
    network_change = pd.DataFrame([{
        "region_code": REGION, "from_wave": W2, "to_wave": W3, "ties_gained": 7, "ties_lost": 4,
        "ties_kept": 11, "density_change": 0.03, "centralisation_change": -0.05,
        "trust_change": 0.10, "trust_ci_low": -0.05, "trust_ci_upp": 0.25,
        "value_change": 0.05, "value_ci_low": -0.10, "value_ci_upp": 0.20}])
    roles = pd.DataFrame([
        {"region_code": REGION, "from_wave": W2, "to_wave": W3, "organisation": ORG,
         "sector": "koperasi", "change": "became_central", "degree_from": 2, "degree_to": 7},
        {"region_code": REGION, "from_wave": W2, "to_wave": W3, "organisation": "Warung Tani",
         "sector": "media_warga", "change": "became_isolated", "degree_from": 1, "degree_to": 0},
    ])
    index = pd.DataFrame([
        {"region_code": REGION, "wave": w, "order": i + 1, "index": v, "ci_low": v - 4,
         "ci_upp": v + 4, "rank": r, "n_ranked": 5, "suppressed": False, "reason": ""}
        for i, (w, v, r) in enumerate(zip(WAVES, (55.0, 58.5, 63.25), (4, 3, 2)))])
    index_change = pd.DataFrame([{
        "region_code": REGION, "from_wave": W2, "to_wave": W3, "index_from": 58.5,
        "index_to": 63.25, "change": 4.75, "ci_low": -1.5, "ci_upp": 11.0, "rank_from": 3,
        "rank_to": 2, "rank_change": 1}])
    waves = pd.DataFrame({"wave": WAVES, "order": [1, 2, 3],
                          "start": pd.to_datetime([pd.NaT, pd.NaT, "2025-07-01"]),
                          "end": pd.to_datetime([pd.NaT, pd.NaT, "2025-09-30"]),
                          "source": "field", "respondents": [400, 380, 420]})
    return {"waves": waves, "wave_scores": scores, "wave_change": pd.DataFrame(changes),
            "wave_sector_change": sector, "wave_network": network,
            "network_change": network_change, "network_role_change": roles,
            "wave_index": index, "index_change": index_change}


CHANGE_FINDINGS = [
    ("change_up", {"dimension": "saling_percaya", "estimate": 0.42, "ci_low": 0.18,
                   "ci_upp": 0.66, "from_wave": W2, "to_wave": W3}),
    ("change_sector_down", {"sector": "koperasi", "estimate": -0.35, "ci_low": -0.60,
                            "ci_upp": -0.10, "from_wave": W2, "to_wave": W3}),
]


def build_wave_dir(source: Path, target: Path, tables: dict[str, pd.DataFrame] | None,
                   findings: list[tuple[str, dict]] = ()) -> Path:
    """A copy of ``source`` with the programme's own dimensions and sectors added, the wave
    results replaced by ``tables`` (None: removed, as before waves) and ``findings``
    appended to the region's findings."""
    shutil.copytree(source, target)
    for name, extra in (("dimensions", DIMS), ("sectors", SECTORS)):
        table = pd.read_parquet(target / f"{name}.parquet")
        pd.concat([table, extra], ignore_index=True).to_parquet(target / f"{name}.parquet",
                                                                index=False)
    results = products.results_dir(target)
    for name in report.WAVE_RESULTS:
        (results / f"{name}.parquet").unlink(missing_ok=True)
        if tables is not None:
            tables[name].to_parquet(results / f"{name}.parquet", index=False)
    found = pd.read_parquet(results / "findings.parquet")
    last = int(found.loc[found["region_code"] == REGION, "order"].max())
    extra = pd.DataFrame({"region_code": REGION, "order": range(last + 1, last + 1 + len(findings)),
                          "key": [k for k, _ in findings],
                          "values": [json.dumps(v) for _, v in findings]})
    pd.concat([found, extra.astype(found.dtypes.to_dict())], ignore_index=True).to_parquet(
        results / "findings.parquet", index=False)
    return target


@pytest.fixture(scope="module")
def wave_dir(processed_dir, tmp_path_factory):
    return build_wave_dir(processed_dir, tmp_path_factory.mktemp("waves") / "p", wave_tables(),
                          CHANGE_FINDINGS)


@pytest.fixture(scope="module")
def suppressed_dir(processed_dir, tmp_path_factory):
    return build_wave_dir(processed_dir, tmp_path_factory.mktemp("suppressed") / "p",
                          wave_tables(suppress_w2=True))


@pytest.fixture(scope="module")
def before_waves_dir(processed_dir, tmp_path_factory):
    """Results from before waves: no wave table at all."""
    return build_wave_dir(processed_dir, tmp_path_factory.mktemp("before") / "p", None)


@pytest.fixture(scope="module", params=["id", "en"])
def rep(request, wave_dir):
    return report.load_region_report(REGION, request.param, wave_dir)


def _html(part) -> str:
    """A report piece as the rendered report holds it."""
    if part is None:
        return ""
    if isinstance(part, str):
        return render_markdown(part)
    if isinstance(part, pd.DataFrame):
        return safe_table(part.style.hide(axis="index")).to_html()
    if isinstance(part, plt.Figure):
        return figure_html(part, "Figure", "caption")
    return part.data


def section(rep) -> list:
    """Every piece of the change section, as the notebook shows them."""
    return [report.heading("h_change", rep), report.change_text(rep),
            report.figure(report.change_figure(rep), rep=rep, **report.change_caption(rep)),
            report.change_table(rep), report.sector_change_text(rep),
            report.sector_change_table(rep), report.network_change_text(rep),
            report.network_waves_table(rep), report.network_role_table(rep),
            report.index_change_text(rep), report.index_change_table(rep)]


# --- the section's place ------------------------------------------------------------------

def test_the_change_section_comes_after_the_index_and_before_what_to_do():
    keys = list(report.SECTIONS)
    assert keys.index("h_change") == keys.index("h_index") + 1
    assert keys.index("h_findings") == keys.index("h_change") + 1


def test_the_notebook_shows_the_change_section_after_the_index():
    import nbformat

    nb = nbformat.read(Path(report.__file__).parents[3] / "notebooks" / "region_evaluation.ipynb",
                       as_version=4)
    sources = [c.source for c in nb.cells]
    at = next(i for i, s in enumerate(sources) if 'heading("h_change"' in s)
    assert 'heading("h_index"' in sources[at - 1] and 'heading("h_findings"' in sources[at + 1]
    for piece in ("change_text", "change_figure", "change_caption", "change_table",
                  "sector_change_text", "network_change_text", "index_change_table"):
        assert f"report.{piece}(rep)" in sources[at]
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


# --- the change text and table ------------------------------------------------------------

def test_change_text_counts_the_called_changes_and_states_the_rule(rep):
    out = report.change_text(rep)
    expected = {  # 2 dimensions: saling_percaya called up, arah_bersama not called
        "id": "dari 2 dimensi, 1 naik, 0 turun, dan 1 tidak berubah secara jelas",
        "en": "of 2 dimensions, 1 rose, 0 fell and 1 show no clear change"}
    assert expected[rep.lang] in out
    assert "(42 " in out and " 36 " in out and "20" in out  # n_to, n_from, n_both
    assert ("+0.18" in out and "+0.02" in out and "+0.34" in out)  # the health score's change
    rule = {"id": "tidak mencakup nol setelah memperhitungkan banyaknya perubahan yang diuji "
                  "dalam laporan ini (koreksi Holm",
            "en": "excludes zero after allowing for the number of changes this report tests "
                  "(Holm's correction"}
    assert rule[rep.lang] in out


def test_change_table_puts_the_health_score_first_and_names_dimensions_in_the_report_language(rep):
    table = report.change_table(rep)
    col = i18n.text("col_dimension", rep.lang)
    names = {"id": ["Skor kesehatan (rata-rata dimensi)", "Saling percaya", "Arah bersama"],
             "en": ["Health score (mean of the dimensions)", "Mutual trust", "Shared direction"]}
    assert table[col].tolist() == names[rep.lang] * 2  # since the previous wave, then the first
    assert table[i18n.text("col_waves", rep.lang)].tolist() == [f"{W2} → {W3}"] * 3 + [
        f"{W1} → {W3}"] * 3
    trust = table.iloc[1]
    assert trust[i18n.text("col_change", rep.lang)] == "+0.42"
    assert trust[i18n.text("col_ci", rep.lang)] == "+0.18 – +0.66"
    assert trust[i18n.text("col_p_holm", rep.lang)] == "< 0.001"
    called = table[i18n.text("col_called", rep.lang)].tolist()
    yes, no = i18n.text("called_yes", rep.lang), i18n.text("called_no", rep.lang)
    assert called == [yes, yes, no, yes, yes, no]
    assert table.iloc[2][i18n.text("col_change", rep.lang)] == "-0.05"
    assert table.iloc[0][i18n.text("col_n_waves", rep.lang)] == "36 → 42"
    assert table.iloc[3][i18n.text("col_n_both", rep.lang)] == "12"


def test_only_this_regions_rows_are_read(rep):
    assert set(rep.results["wave_scores"]["dimension"]) == {"saling_percaya", "arah_bersama",
                                                           "_overall"}
    assert len(rep.results["wave_scores"]) == 9  # the other region's row left out
    assert "region_code" not in rep.results["wave_change"].columns


def test_sector_changes_show_only_the_called_ones(rep):
    out = report.sector_change_text(rep)
    name = {"id": "Koperasi", "en": "Cooperatives"}[rep.lang]
    assert f"{name} (-0.35)" in out
    assert {"id": "Media warga", "en": "Community media"}[rep.lang] not in out
    table = report.sector_change_table(rep)
    assert table[i18n.text("col_sector", rep.lang)].tolist() == [name]
    assert table.iloc[0][i18n.text("col_ci", rep.lang)] == "-0.60 – -0.10"


def test_no_called_sector_change_is_one_sentence(processed_dir, tmp_path):
    tables = wave_tables()
    tables["wave_sector_change"]["changed"] = False
    folder = build_wave_dir(processed_dir, tmp_path / "p", tables)
    rep = report.load_region_report(REGION, "en", folder)
    assert report.sector_change_text(rep) == i18n.md("sector_change_none", "en", from_wave=W2,
                                                     to_wave=W3)
    assert report.sector_change_table(rep) is None


def test_network_change_states_ties_density_and_trust_with_its_interval(rep):
    out = report.network_change_text(rep)
    for number in ("7", "4", "11", "+0.03", "-0.05", "+0.10", "+0.25", "-0.10", "+0.20"):
        assert number in out
    waves = report.network_waves_table(rep)
    assert waves[i18n.text("col_ties", rep.lang)].tolist() == ["12", "15", "18"]
    roles = report.network_role_table(rep)
    assert roles[i18n.text("col_organisation", rep.lang)].tolist() == [ORG, "Warung Tani"]
    assert roles[i18n.text("col_role_change", rep.lang)].tolist() == [
        i18n.text("role_became_central", rep.lang), i18n.text("role_became_isolated", rep.lang)]
    assert roles[i18n.text("col_degree_change", rep.lang)].tolist() == ["2 → 7", "1 → 0"]


def test_index_trajectory_gives_the_index_interval_and_rank_per_wave(rep):
    table = report.index_change_table(rep)
    assert table[i18n.text("col_wave", rep.lang)].tolist() == WAVES
    assert table[i18n.text("col_index", rep.lang)].tolist() == ["55.0", "58.5", "63.2"]
    assert table[i18n.text("col_ci", rep.lang)].tolist() == ["51.0–59.0", "54.5–62.5",
                                                             "59.2–67.2"]
    of = {"id": "dari", "en": "of"}[rep.lang]
    assert table[i18n.text("col_rank", rep.lang)].tolist() == [f"{r} {of} 5" for r in (4, 3, 2)]
    out = report.index_change_text(rep)
    assert "58.5" in out and "63.2" in out and "+4.8" in out and "-1.5" in out and "+11.0" in out


# --- the trajectory figure ---------------------------------------------------------------------

def test_trajectory_figure_has_a_panel_per_dimension_titled_in_the_report_language(rep):
    fig = report.change_figure(rep)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    titles = [ax.get_title().replace("\n", " ") for ax in shown]  # long titles wrapped
    assert titles == {"id": ["Skor kesehatan (rata-rata dimensi)", "Saling percaya",
                             "Arah bersama"],
                      "en": ["Health score (mean of the dimensions)", "Mutual trust",
                             "Shared direction"]}[rep.lang]
    trust = shown[1]
    assert np.allclose(trust.lines[0].get_ydata(), [3.10, 3.20, 3.62])
    assert [t.get_text() for t in trust.get_xticklabels()] == ["=HYPERLINK(…", "<script>win…",
                                                              "2025-Q3"]
    plt.close(fig)
    assert report.change_caption(rep) == {"key": "fig_change"}


def test_a_suppressed_wave_is_left_out_of_the_figure_and_said(suppressed_dir):
    rep = report.load_region_report(REGION, "en", suppressed_dir)
    fig = report.change_figure(rep)
    trust = [ax for ax in fig.axes if ax.get_visible()][1]
    line = trust.lines[0].get_ydata()
    assert np.isnan(line[1]) and np.allclose(line[[0, 2]], [3.10, 3.62])  # a gap, not a bridge
    plt.close(fig)
    caption = report.change_caption(rep)
    assert caption == {"key": "fig_change_suppressed", "min_cell": MIN_CELL, "waves": W2}
    out = report.change_text(rep)
    assert i18n.md("change_too_small", "en", min_cell=MIN_CELL, from_wave=W2, to_wave=W3) in out
    assert i18n.md("change_suppressed", "en", min_cell=MIN_CELL, waves=W2) in out
    table = report.change_table(rep)
    previous = table.iloc[:3]
    assert (previous[i18n.text("col_change", "en")] == "—").all()
    assert (previous[i18n.text("col_called", "en")]
            == i18n.text("change_reason_too_few_respondents", "en", min_cell=MIN_CELL)).all()
    assert previous.iloc[0][i18n.text("col_n_waves", "en")] == f"<{MIN_CELL} → 42"
    assert table.iloc[4][i18n.text("col_change", "en")] == "+0.52"  # since the first wave


# --- findings -------------------------------------------------------------------------------

def test_change_findings_are_worded_with_the_labels_and_the_interval(rep):
    out = report.findings_text(rep)
    trust, coop = {"id": ("Saling percaya", "Koperasi"), "en": ("Mutual trust", "Cooperatives")}[
        rep.lang]
    since = i18n.md("change_up", rep.lang, dimension=trust, magnitude=0.42, from_wave=W2,
                    ci_low=0.18, ci_upp=0.66)
    assert since in out
    assert {"id": f"**{trust} naik 0.42 poin sejak ",
            "en": f"**{trust} rose 0.42 points since "}[rep.lang] in out
    assert {"id": f"sektor {coop} turun 0.35 poin sejak",
            "en": f"{coop} fell 0.35 points since"}[rep.lang] in out
    assert "-0.60" in out and "-0.10" in out


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_change_finding_key_is_worded(lang):
    values = {"dimension": "Trust", "sector": "Koperasi", "magnitude": 0.4, "estimate": -0.4,
              "ci_low": -0.6, "ci_upp": -0.2, "from_wave": "2025-Q2", "to_wave": "2025-Q3"}
    for key in report._CHANGE_FINDINGS:
        assert i18n.md(key, lang, **values)
    assert i18n.text("change_down", "en", **values).startswith(
        "**Trust fell 0.40 points since 2025-Q2** (95% CI of the change -0.60 to -0.20)")


def test_the_overall_health_score_change_finding_names_the_health_score(processed_dir, tmp_path):
    finding = ("change_down", {"dimension": "_overall", "estimate": -0.3, "ci_low": -0.5,
                               "ci_upp": -0.1, "from_wave": W2, "to_wave": W3})
    folder = build_wave_dir(processed_dir, tmp_path / "p", wave_tables(), [finding])
    out = report.findings_text(report.load_region_report(REGION, "en", folder))
    assert "**The overall health score fell 0.30 points since " in out


def test_a_small_region_gets_no_change_finding(rep):
    small = report.RegionReport(**{**rep.__dict__, "respondents": MIN_CELL - 1})
    keys = {f.key for f in report.region_findings(small)} - report._dropped_findings(small)
    assert not keys & {"change_up", "change_down", "change_sector_down"}
    assert report.change_table(small) is None and report.change_figure(small) is None


# --- hostile wave labels and names ---------------------------------------------------------

def test_hostile_wave_labels_and_names_are_escaped_everywhere(rep):
    pages = [_html(part) for part in section(rep)] + [render_markdown(report.findings_text(rep))]
    page = "\n".join(pages)
    assert live_payloads(page) == []
    assert "<script>" not in page and "<img" not in page.replace('<img src="data:image/svg', "")
    assert "&lt;script&gt;" in page  # shown as typed
    assert "=HYPERLINK(" in page  # harmless text in HTML (the workbook is another writer)


# --- one wave: one paragraph, nothing breaks ---------------------------------------------------

@pytest.mark.parametrize("lang", ["id", "en"])
def test_results_from_before_waves_read_as_a_single_wave(before_waves_dir, lang):
    rep = report.load_region_report(REGION, lang, before_waves_dir)
    assert report.single_wave(rep)
    assert rep.results["waves"]["wave"].tolist() == ["1"]  # the single undeclared wave
    assert all(rep.results[name].empty for name in report.WAVE_RESULTS if name != "waves")
    parts = section(rep)
    assert parts[1] == i18n.md("change_single", lang)
    assert parts[2:] == [None] * 9
    assert report.change_caption(rep) == {"key": "fig_change"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_single_wave_says_change_needs_a_second_wave(processed_dir, tmp_path, lang):
    tables = {name: pd.DataFrame(columns=list(cols)) for name, cols in report.WAVE_RESULTS.items()}
    tables["waves"] = pd.DataFrame({"wave": ["1"], "order": [1], "start": [pd.NaT],
                                    "end": [pd.NaT], "source": ["single"], "respondents": [500]})
    one = wave_tables()["wave_scores"]
    tables["wave_scores"] = one[one["wave"] == W3].assign(wave="1", order=1)
    folder = build_wave_dir(processed_dir, tmp_path / "p", tables, [("change_single_wave", {})])
    rep = report.load_region_report(REGION, lang, folder)
    parts = section(rep)
    assert parts[1] == i18n.md("change_single", lang)
    assert parts[2:] == [None] * 9
    assert i18n.md("change_single_wave", lang) in report.findings_text(rep)


def test_a_region_seen_in_one_wave_only_says_so(processed_dir, tmp_path):
    tables = wave_tables()
    tables["wave_change"] = tables["wave_change"].iloc[0:0]
    tables["wave_scores"] = tables["wave_scores"][tables["wave_scores"]["wave"] == W3]
    folder = build_wave_dir(processed_dir, tmp_path / "p", tables)
    rep = report.load_region_report(REGION, "en", folder)
    assert report.change_text(rep) == i18n.md("change_region_single", "en", wave=W3)
    assert report.change_table(rep) is None
