"""Report pieces: numbers in the narrative come from the tables, in both languages."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from evalkit.analyse import region_tables as analysis
from evalkit.present import report
from evalkit.read.products import read_latest, read_processed
from evalkit.read.regions import get_region


@pytest.fixture(scope="module", params=["id", "en"])
def rep(request, processed_dir):
    return report.load_region_report("Kt. Jambi", request.param, processed_dir)


@pytest.fixture(scope="module")
def jambi_survey(processed_dir):
    """Kota Jambi's respondents, read from the processed survey (not through the report)."""
    survey = read_latest("survey", processed_dir)  # the latest wave, as the report shows
    return survey[survey["region_code"] == "15.71"]


def test_title_names_region_and_code(rep):
    assert "Kota Jambi" in report.title(rep) and "15.71" in report.title(rep)


def test_data_text_counts_the_region_responses(rep, jambi_survey):
    n, sectors = len(jambi_survey), jambi_survey["sector"].nunique()
    assert n == 36 and rep.respondents == n
    text = report.data_text(rep)
    assert f"**{n}**" in text and f"**{sectors}**" in text


def test_health_text_names_the_weakest_dimension_from_independent_scores(rep, processed_dir,
                                                                         jambi_survey):
    # computed here from the processed tables, as the report did before the results held it:
    # post-stratified scores (analysis.weighted_dimension_scores) against the benchmark
    items = read_processed("items", processed_dir)
    survey = read_latest("survey", processed_dir)
    register = analysis.in_region(read_latest("stakeholders", processed_dir), get_region("15.71"))
    weighted, _ = analysis.weighted_dimension_scores(jambi_survey, items, register)
    bench = analysis.benchmark(analysis.scores_long(survey, items))
    shown = analysis.compare_to_benchmark(weighted, bench).query("~suppressed")
    weakest = shown.loc[shown["estimate"].idxmin()]
    label = rep.dimensions.set_index("dimension").at[weakest["dimension"], f"label_{rep.lang}"]
    text = report.health_text(rep)
    assert f"**{label}** ({weakest['estimate']:.2f}" in text
    counts = shown["vs_benchmark"].value_counts()
    above, below, similar = (int(counts.get(k, 0)) for k in ("above", "below", "similar"))
    assert above + below + similar == 10
    assert (above, below, similar) == (0, 0, 10)  # Kota Jambi: every interval spans the benchmark
    expected = {"id": f"{above} dimensi berada di atas, {below} di bawah, dan {similar} tidak",
                "en": f"{above} dimensions are above, {below} below, and {similar} not"}
    assert expected[rep.lang] in text


def test_sector_table_suppresses_small_groups(rep, jambi_survey):
    table = report.sector_table(rep)
    counts = jambi_survey["sector"].value_counts()
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
    for fig in (report.health_figure(rep), report.outcome_figure(rep), report.power_interest_figure(rep),
                report.attendance_figure(rep), report.network_figure(rep), report.index_figure(rep)):
        assert isinstance(fig, plt.Figure)
        plt.close(fig)


def test_figures_are_numbered_in_order_with_alt_text(processed_dir):
    rep = report.load_region_report("96.02", "en", processed_dir)
    first = report.figure(report.health_figure(rep), "fig_health", rep).data
    assert report.figure(None, "fig_likert", rep) is None  # no figure, no number used
    second = report.figure(report.outcome_figure(rep), "fig_outcomes", rep).data
    assert "<b>Figure 1.</b> Dimension scores" in first and "<b>Figure 2.</b>" in second
    assert 'alt="Figure 1. Dimension scores' in first
    assert "data:image/svg+xml;base64," in first


def test_likert_bars_show_every_item_and_small_regions_none(rep, processed_dir):
    fig = report.likert_figure(rep)
    assert len(fig.axes[0].get_yticklabels()) == len(rep.items) == 30
    plt.close(fig)
    small = report.load_region_report("96.02", "en", processed_dir)
    small.respondents = 4  # fewer than 5 respondents: not shown
    assert report.likert_figure(small) is None


def test_table_of_contents_links_every_section(rep):
    nav = report.toc(rep).data
    for key in report.SECTIONS:
        assert f'href="#{key}"' in nav
        assert f'id="{key}"' in report.heading(key, rep).data


def test_provenance_names_inputs_parameters_and_versions(rep):
    table = report.provenance_table(rep, region_code="15.71", lang=rep.lang)
    values = " ".join(table.iloc[:, 1])
    assert "region_code = '15.71'" in values and "pandas" in values and "statsmodels" in values
    for meta in rep.manifest["inputs"].values():
        assert meta["sha256"] in values


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


def test_coverage_section_counts_the_register(rep, jambi_survey):
    cov = rep.results["coverage"]
    assert len(cov) == 5 and cov["present"].all()  # Kota Jambi has all five sectors
    assert f"**{len(rep.register)}**" in report.coverage_text(rep)
    table = report.coverage_table(rep)
    respondents = dict(zip(cov["sector"], table.iloc[:, 2]))
    for sector, n in jambi_survey["sector"].value_counts().items():
        assert respondents[sector] == (str(n) if n >= 5 else "<5")  # small cells suppressed


def test_missing_pentahelix_sectors_are_named(processed_dir):
    rep = report.load_region_report("96.02", "en", processed_dir)
    assert "Missing sectors: **Academia, Media**" in report.coverage_text(rep)
    assert "Pentahelix sectors missing: Academia, Media" in report.findings_text(rep)


def test_sector_section_uses_the_pooled_model_and_the_region_tests(rep):
    text = report.sectors_text(rep)
    model = rep.results["all_sector_model"]
    low = model[model["dimension"] == "overall"].sort_values("estimate").iloc[0]
    assert f"{low['estimate']:+.2f}" in text
    labels = rep.sectors.set_index("sector")[f"label_{rep.lang}"]
    assert labels[low["sector"]] in text
    tests = rep.results["sector_tests"].dropna(subset=["pvalue"])
    assert len(report.sectors_table(rep)) == len(tests) == 10
    # academia has fewer than 5 respondents in Kota Jambi: named as too small, not tested
    assert labels["akademisi"] in text.split(".")[-2]


def test_small_region_is_not_tested_by_sector(processed_dir):
    rep = report.load_region_report("96.02", "en", processed_dir)
    assert "differences between sectors are not tested" in report.sectors_text(rep)
    assert report.sectors_table(rep) is None and report.pairs_table(rep) is None


def test_engagement_and_network_text_come_from_the_tables(rep):
    by_sector = rep.results["attendance_sector"]
    low = by_sector.dropna(subset=["rate"]).sort_values("rate").iloc[0]
    assert f"({low['rate']:.0%})" in report.attendance_text(rep)
    m = rep.results["network_metrics"].iloc[0]
    text = report.network_text(rep)
    assert f"{int(m['edges'])}" in text and f"{m['density']:.2f}" in text


def test_isolated_sector_is_reported(processed_dir):
    rep = report.load_region_report("21.72", "en", processed_dir)
    assert "Sectors with no ties at all: **Media**" in report.network_text(rep)
    assert "Sectors isolated in the network: Media" in report.findings_text(rep)


def test_index_section_states_value_interval_rank_and_method(rep):
    row = rep.results["index"].iloc[0]
    text = report.index_text(rep)
    assert f"**{row['index']:.1f}**" in text and f"{row['ci_low']:.1f}" in text
    assert ("Nardo" in text) and ("2,000" in text or "2.000" in text)  # the replicates used
    table = report.index_table(rep)
    assert len(table) == 5


def test_breakdown_table_shows_the_sex_gap(rep):
    table = report.breakdown_table(rep)
    assert len(table) == 1  # the inclusion indicator
    assert float(table.iloc[0, -1]) == pytest.approx(-8.0, abs=0.05)  # 2 x the planted 4.0 gap


def test_findings_are_numbered_and_name_the_weakest_dimension(rep):
    text = report.findings_text(rep)
    labels = rep.dimensions.set_index("dimension")[f"label_{rep.lang}"]
    shown = rep.health[~rep.health["suppressed"]]
    assert labels[shown.loc[shown["estimate"].idxmin(), "dimension"]] in text
    assert "\n1. " in text and "\n2. " in text


def test_index_figure_shows_only_neighbouring_ranks_in_a_large_programme(rep, monkeypatch):
    monkeypatch.setattr(report, "INDEX_FIGURE_NEIGHBOURS", 3)
    fig = report.index_figure(rep)
    rank = int(rep.results["index"]["rank"].iat[0])
    expected = sum(1 for r in rep.results["all_index"]["rank"] if abs(r - rank) <= 3)
    assert len(fig.axes[0].get_yticklabels()) == expected < 16
    plt.close(fig)
    # ... and its caption says so, in the report's language
    caption = report.index_caption(rep)
    assert caption == {"key": "fig_index_near", "k": 3, "n": 16}
    expected = {"id": "dan 3 wilayah di atas serta di bawahnya dalam peringkat (dari 16 wilayah)",
                "en": "the 3 regions ranked either side of it (of 16 regions)"}
    assert expected[rep.lang] in report.text(caption.pop("key"), rep.lang, **caption)
    monkeypatch.setattr(report, "INDEX_FIGURE_NEIGHBOURS", 10)  # 16 regions: all of them
    assert report.index_caption(rep) == {"key": "fig_index"}


# --- presentation only reads: no estimator runs while a report is made ----------------------

# Every function that computed a report's numbers before the results stage held them.
_ESTIMATORS = [
    ("evalkit.measure.scales", ("reliability_table", "cronbach_alpha", "omega_total",
                                "score_dimensions", "summarise_scores", "mean_ci")),
    ("evalkit.measure.survey", ("weighted_mean", "poststratify")),
    ("evalkit.measure.effectiveness", ("normalise", "composite_index", "bootstrap_index")),
    ("evalkit.measure.engagement", ("attendance_by_sector", "attendance_rate",
                                    "pentahelix_coverage")),
    ("evalkit.analyse.region_tables", ("weighted_dimension_scores", "compare_to_benchmark",
                                       "scores_long", "items_long", "sector_counts",
                                       "weighting_problem", "region_health", "item_shares",
                                       "indicator_breakdowns", "dimension_summary")),
    ("evalkit.analyse.findings", ("region_findings", "least_enthusiastic_sector")),
]


def test_a_report_is_made_without_calling_an_estimator(processed_dir, monkeypatch):
    import importlib

    def refuse(name):
        def call(*args, **kwargs):
            raise AssertionError(f"the report called {name}")
        return call

    for module, names in _ESTIMATORS:
        mod = importlib.import_module(module)
        for name in names:
            monkeypatch.setattr(mod, name, refuse(f"{module}.{name}"))
    for code in ("15.71", "96.02", "15"):  # a city, a small regency, a province
        rep = report.load_region_report(code, "en", processed_dir)
        pieces = [report.data_text(rep), report.sector_table(rep), report.health_text(rep),
                  report.health_table(rep), report.reliability_text(rep),
                  report.reliability_table(rep), report.attendance_text(rep),
                  report.breakdown_table(rep), report.index_text(rep), report.index_table(rep),
                  report.findings_text(rep), report.coverage_text(rep), report.sectors_text(rep)]
        assert any(p is not None for p in pieces)
        for fig in (report.likert_figure(rep), report.health_figure(rep)):
            if fig is not None:
                plt.close(fig)


def test_data_text_says_which_wave_its_exclusions_are_of(processed_dir):
    """The demo (three waves): the report counts the latest wave's excluded submissions."""
    import dataclasses

    import pandas as pd

    from evalkit.read.products import read_waves

    quarantine = pd.read_parquet(processed_dir / "quarantine.parquet")
    latest = str(read_waves(processed_dir)["wave"].iloc[-1])
    n = int(((quarantine["table"] == "survey") & (quarantine["wave"] == latest)).sum())
    assert n > 0
    for lang, words in (("id", f"Pada gelombang {latest}, di seluruh wilayah, {n} kiriman"),
                        ("en", f"In wave {latest}, across all regions, {n} submissions")):
        rep = report.load_region_report("15.71", lang, processed_dir)
        assert (rep.n_excluded, rep.excluded_wave, rep.n_no_wave) == (n, latest, 0)
        assert words in report.data_text(rep)
        more = dataclasses.replace(rep, n_no_wave=2)
        assert {"id": "2 kiriman lain dikeluarkan karena gelombang surveinya tidak terbaca.",
                "en": "2 further submissions were excluded because their survey wave could not "
                      "be read."}[lang] in report.data_text(more)
    # the reasons named are those of the latest wave's rows
    rep = dataclasses.replace(rep, excluded_reasons=("speeder",))
    assert report.exclusion_reasons(rep) == "speeders"
