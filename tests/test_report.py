"""Report pieces: numbers in the narrative come from the tables, in both languages."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from evalkit import report


@pytest.fixture(scope="module", params=["id", "en"])
def rep(request, processed_dir):
    return report.load_region_report("Kt. Jambi", request.param, processed_dir)


def test_title_names_region_and_code(rep):
    assert "Kota Jambi" in report.title(rep) and "15.71" in report.title(rep)


def test_data_text_counts_the_region_responses(rep):
    assert f"**{len(rep.survey)}**" in report.data_text(rep)
    assert len(rep.survey) == 36


def test_health_text_names_the_weakest_dimension_from_the_table(rep):
    shown = rep.health[~rep.health["suppressed"]]
    weakest = shown.loc[shown["estimate"].idxmin()]
    label = rep.dimensions.set_index("dimension").at[weakest["dimension"], f"label_{rep.lang}"]
    text = report.health_text(rep)
    assert f"**{label}** ({weakest['estimate']:.2f}" in text
    counts = shown["vs_benchmark"].value_counts()
    above, below, similar = (int(counts.get(k, 0)) for k in ("above", "below", "similar"))
    assert above + below + similar == 10
    expected = {"id": f"{above} dimensi berada di atas, {below} di bawah, dan {similar} tidak",
                "en": f"{above} dimensions are above, {below} below, and {similar} not"}
    assert expected[rep.lang] in text


def test_sector_table_suppresses_small_groups(rep):
    table = report.sector_table(rep)
    counts = rep.survey["sector"].value_counts()
    shown = dict(zip(table.iloc[:, 0], table.iloc[:, 1]))
    labels = rep.sectors.set_index("sector")[f"label_{rep.lang}"]
    for sector, n in counts.items():
        assert shown[labels[sector]] == (str(n) if n >= 5 else "<5")


def test_outcome_text_lists_each_indicator_needing_attention(rep):
    text = report.outcome_text(rep)
    attention = rep.progress[~rep.progress["summary"].isin(["achieved", "on_track"])]
    assert text.count("\n- ") == len(attention)
    for name in attention[f"name_{rep.lang}"]:
        assert name in text


def test_outcome_table_colours_status(rep):
    html = report.outcome_table(rep).to_html()
    assert "background-color: #" in html
    assert len(report.outcome_table(rep).data) == len(rep.progress) == 6  # 5 + attribution indicator


def test_figures_are_figures(rep):
    for fig in (report.health_figure(rep), report.outcome_figure(rep)):
        assert isinstance(fig, plt.Figure)
        plt.close(fig)


def test_method_text_cites_inputs(rep):
    text = report.method_text(rep)
    assert "survey_kobo_export.xlsx" in text and "Open SDG" in text


def test_attribution_section_reports_every_indicator(rep):
    table = report.attribution_table(rep)
    assert len(table) == len(rep.attribution) == 6
    assert rep.attribution["supported"].all()  # the demo has treated and comparison regions
    word = {"id": "wilayah", "en": "regions"}[rep.lang]
    text = report.attribution_text(rep)
    # 11 regions with a forum against the 5 comparison regions of the demo
    assert f"11 {word}" in text and f"5 {word}" in text


def test_percentage_projections_are_capped():
    assert report._projection(106.2, 104.9, 107.5, "%") == "100 (100–100)"
    assert report._projection(53.46, 52.6, 54.3, "miliar Rp") == "53.5 (52.6–54.3)"
    assert report._projection(float("nan"), 0, 0, "%") == "—"
