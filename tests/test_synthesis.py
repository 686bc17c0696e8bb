"""The cross-region synthesis: its tables computed once (analyse/synthesis_tables), against
hand and reference computations; its report pieces (present/synthesis) only read them."""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.analyse import synthesis_tables as st
from evalkit.measure import attribution
from evalkit.present import synthesis
from evalkit.read.products import read_processed

# --- the health-outcome fit: a statistic with its reference ------------------------------------

def test_health_outcome_fit_matches_ols_with_hc3_by_hand():
    rng = np.random.default_rng(3)
    x = rng.uniform(2.5, 4.2, 14)
    y = 0.2 + 0.1 * x + rng.normal(0, 0.05, 14) * x  # heteroskedastic on purpose
    fit = st.health_outcome_fit(pd.DataFrame({"shrunken": x, "outcome": y}))
    X = np.column_stack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    bread = np.linalg.inv(X.T @ X)
    h = np.einsum("ij,jk,ik->i", X, bread, X)  # leverages
    meat = X.T @ (X * (resid**2 / (1 - h) ** 2)[:, None])
    se = np.sqrt((bread @ meat @ bread)[1, 1])  # HC3 (MacKinnon & White 1985)
    z = stats.norm.ppf(0.975)
    assert fit.slope == pytest.approx(beta[1], rel=1e-10)
    assert fit.intercept == pytest.approx(beta[0], rel=1e-10)
    assert fit.se == pytest.approx(se, rel=1e-8)
    assert (fit.ci_low, fit.ci_upp) == pytest.approx((beta[1] - z * se, beta[1] + z * se), rel=1e-8)
    assert fit.pvalue == pytest.approx(2 * stats.norm.sf(abs(beta[1] / se)), rel=1e-8)
    r2 = 1 - (resid**2).sum() / ((y - y.mean()) ** 2).sum()
    assert fit.r2 == pytest.approx(r2, rel=1e-10)
    assert fit.spearman == pytest.approx(stats.spearmanr(x, y).statistic)
    assert fit.nobs == 14 and fit.fitted


def test_health_outcome_fit_needs_enough_regions_and_is_one_row():
    data = pd.DataFrame({"shrunken": [3.0, 3.5, 4.0, 4.2], "outcome": [0.3, 0.5, 0.4, 0.6]})
    few = st.health_outcome_fit(data)  # 4 < HEALTH_OUTCOME_MIN_REGIONS = 5
    assert few.nobs == 4 and not few.fitted and np.isnan(few.slope) and np.isnan(few.spearman)
    frame = st.health_outcome_fit(pd.concat([data, data.assign(shrunken=data["shrunken"] + 0.1)],
                                            ignore_index=True)).to_frame()
    assert len(frame) == 1 and list(frame.columns) == [
        "slope", "se", "ci_low", "ci_upp", "pvalue", "intercept", "r2", "spearman", "spearman_p",
        "nobs"]
    assert frame["nobs"].iat[0] == 8 and np.isfinite(frame["slope"].iat[0])


def test_health_outcome_data_leaves_out_unpublished_regions():
    shrinkage = pd.DataFrame({"region_code": ["11", "12", "13"], "n": [30, 4, 12],
                              "shrunken": [3.1, 3.9, 3.4]})
    pillars = pd.DataFrame({"region_code": ["11", "12", "13"], "outcome": [0.4, 0.9, np.nan]})
    data = st.health_outcome_data(shrinkage, pillars)
    assert data.to_dict("list") == {"region_code": ["11"], "shrunken": [3.1], "outcome": [0.4]}


def test_index_shifts_are_one_per_scenario_without_the_baseline():
    scen = pd.DataFrame({"scenario": ["baseline", "baseline", "equal", "equal", "drop:x", "drop:x"],
                         "region_code": ["1", "2"] * 3, "mean_abs_shift": [0, 0, 0.5, 0.5, 1.5, 1.5]})
    shifts = st.index_shifts(scen)
    assert shifts.to_dict("list") == {"scenario": ["drop:x", "equal"], "mean_abs_shift": [1.5, 0.5]}


# --- attribution: one fit per indicator, the figures' numbers are the table's ------------------

@pytest.fixture(scope="module")
def demo_attribution(processed_dir):
    """The attribution tables of the demo, with the number of did_estimate calls."""
    annual = read_processed("indicator_annual", processed_dir)
    partnerships = read_processed("partnerships", processed_dir)
    metadata = read_processed("indicator_metadata", processed_dir)
    return annual, partnerships, metadata, st.attribution_tables(
        annual, partnerships, metadata["indicator_id"].tolist(), metadata)


def test_event_study_rows_are_the_did_estimate_of_the_indicator(demo_attribution):
    annual, partnerships, metadata, out = demo_attribution
    indicator = metadata["indicator_id"].iat[0]
    # the reference: the estimator run directly on the processed tables
    expected = attribution.did_estimate(annual, partnerships, indicator_id=indicator)
    rows = out["event_study"].query("indicator_id == @indicator")
    assert list(out["event_study"].columns) == st.EVENT_STUDY_COLUMNS
    pd.testing.assert_frame_equal(rows[list(attribution.DidResult.FRAME_COLUMNS)]
                                  .reset_index(drop=True), expected.to_frame())
    events = rows[rows["term"] == "event"]
    assert events["rel_year"].tolist() == expected.event_study["rel_year"].tolist()
    assert events["estimate"].to_numpy() == pytest.approx(expected.event_study["estimate"])
    assert rows["name_en"].iat[0] == metadata.set_index("indicator_id").at[indicator, "name_en"]
    table = out["attribution"].set_index("indicator_id").loc[indicator]
    assert (table["estimate"], table["pretrend_pvalue"]) == pytest.approx(
        (expected.estimate, expected.pretrend_pvalue))


def test_the_attribution_table_and_the_figures_share_one_fit(demo_attribution):
    _, _, metadata, out = demo_attribution
    did = out["event_study"][out["event_study"]["term"] == "did"].set_index("indicator_id")
    table = out["attribution"].set_index("indicator_id")
    assert list(table.index) == metadata["indicator_id"].tolist() == list(did.index)
    for column in ("estimate", "ci_low", "ci_upp", "pvalue", "pretrend_pvalue"):
        np.testing.assert_array_equal(did[column].to_numpy(), table[column].to_numpy())
    assert table["supported"].tolist() == did["supported"].tolist()


def test_synthesis_tables_fit_each_model_once(processed_dir, monkeypatch):
    from evalkit.read import products

    calls = {"did": 0, "ols": 0}
    did, ols = attribution.did_estimate, st.sm.OLS

    def counting_did(*args, **kwargs):
        calls["did"] += 1
        return did(*args, **kwargs)

    def counting_ols(*args, **kwargs):
        calls["ols"] += 1
        return ols(*args, **kwargs)

    monkeypatch.setattr(attribution, "did_estimate", counting_did)
    monkeypatch.setattr(st.sm, "OLS", counting_ols)
    names = ("indicator_annual", "partnerships", "indicator_metadata")
    tables = {n: read_processed(n, processed_dir) for n in names}
    results = {n: products.read_result(n, processed_dir)
               for n in ("shrinkage", "index_pillars", "index_scenarios")}
    timings = {}
    out = st.synthesis_tables(tables, scale=products.read_scale(processed_dir),
                              sectors=products.read_sectors(processed_dir), results=results,
                              timings=timings)
    assert set(out) == set(st.SYNTHESIS_RESULTS)
    assert calls == {"did": len(tables["indicator_metadata"]), "ols": 1}
    assert set(timings) == {"attribution"}
    # and the results stage saved the same tables
    for name in st.SYNTHESIS_RESULTS:
        pd.testing.assert_frame_equal(products.read_result(name, processed_dir), out[name],
                                      check_dtype=False)


@pytest.mark.slow
def test_the_results_stage_runs_the_wild_bootstrap_once_per_indicator(processed_dir, monkeypatch):
    from evalkit.run import stages

    calls = []
    did = attribution.did_estimate

    def counting_did(*args, **kwargs):
        calls.append(kwargs["indicator_id"])
        return did(*args, **kwargs)

    monkeypatch.setattr(attribution, "did_estimate", counting_did)
    out = stages.compute_results(processed_dir)
    indicators = read_processed("indicator_metadata", processed_dir)["indicator_id"].tolist()
    assert calls == indicators  # the attribution table and the event studies: one fit each
    assert set(st.SYNTHESIS_RESULTS) <= set(out)


# --- presentation only reads ----------------------------------------------------------------------

def test_present_synthesis_imports_no_fitting_library():
    tree = ast.parse(inspect.getsource(synthesis))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not {m for m in imported if m.split(".")[0] in {"statsmodels", "scipy", "sklearn"}}
    names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert not names & {"did_estimate", "OLS", "spearmanr", "region_shrinkage"}


def test_the_synthesis_renders_without_any_estimator(processed_dir, monkeypatch):
    import matplotlib.pyplot as plt
    import statsmodels.api as sm

    def no_fitting(*args, **kwargs):
        raise AssertionError("presentation fitted a model")

    monkeypatch.setattr(attribution, "did_estimate", no_fitting)
    monkeypatch.setattr(sm, "OLS", no_fitting)
    monkeypatch.setattr(stats, "spearmanr", no_fitting)
    syn = synthesis.load_synthesis("en", processed_dir)
    for piece in (synthesis.health_outcome_text, synthesis.attribution_text, synthesis.index_text):
        assert piece(syn)
    figures = [synthesis.health_outcome_figure(syn), *synthesis.attribution_figures(syn)]
    assert all(isinstance(f, plt.Figure) for f in figures)
    plt.close("all")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_pretrend_figures_are_titled_with_the_indicator_name(processed_dir, lang):
    import matplotlib.pyplot as plt

    syn = synthesis.load_synthesis(lang, processed_dir)
    names = read_processed("indicator_metadata", processed_dir).set_index("indicator_id")[
        f"name_{lang}"]
    supported = syn.tables["attribution"].query("supported")["indicator_id"]
    figures = synthesis.attribution_figures(syn)
    assert [f.axes[0].get_title() for f in figures] == [names[i] for i in supported]
    # the p-value in the corner is the attribution table's pre-trends test
    p = syn.tables["attribution"].set_index("indicator_id").at[supported.iat[0], "pretrend_pvalue"]
    assert any(f"{p:.3g}" in t.get_text() for t in figures[0].axes[0].texts)
    plt.close("all")


def test_health_outcome_text_and_figure_show_the_saved_fit(processed_dir):
    import matplotlib.pyplot as plt

    syn = synthesis.load_synthesis("en", processed_dir)
    fit = syn.tables["health_outcome_fit"].iloc[0]
    text = synthesis.health_outcome_text(syn)
    assert f"{fit['slope']:+.2f}" in text and f"{int(fit['nobs'])} regions" in text
    fig = synthesis.health_outcome_figure(syn)
    xs, ys = fig.axes[0].lines[0].get_xydata().T
    assert ys == pytest.approx(fit["intercept"] + fit["slope"] * xs)
    plt.close(fig)
    few = {**syn.tables, "health_outcome_fit": syn.tables["health_outcome_fit"].assign(
        nobs=3, slope=np.nan)}
    syn.tables = few
    assert synthesis.health_outcome_figure(syn) is None
    text = synthesis.health_outcome_text(syn)
    assert "at least 5 regions" in text and text.endswith("this programme has 3.")


# --- the report pieces ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["id", "en"])
def test_synthesis_pieces_render(processed_dir, lang):
    import matplotlib.pyplot as plt

    syn = synthesis.load_synthesis(lang, processed_dir)
    # the regions compared: those with respondents (counted on the processed survey)
    n_regions = read_processed("survey", processed_dir)["region_code"].nunique()
    assert f"**{n_regions}**" in synthesis.title(syn)
    for piece in (synthesis.pooling_text, synthesis.sector_text, synthesis.health_outcome_text,
                  synthesis.attribution_text, synthesis.index_text, synthesis.method_text):
        assert isinstance(piece(syn), str) and len(piece(syn)) > 40
    table = synthesis.pooling_table(syn)
    assert len(table) == n_regions
    sectors = synthesis.sector_table(syn)
    assert len(sectors) == 4  # four sectors vs the reference
    # columns named in the synthesis' language: the health score and the dimensions' names
    dims = read_processed("dimensions", processed_dir)
    assert sorted(sectors.columns[1:]) == sorted([synthesis.text("health_score", lang),
                                                  *dims[f"label_{lang}"]])
    assert not set(sectors.columns) & {"overall", *dims["dimension"]}
    ordinal = synthesis.ordinal_table(syn).set_index(synthesis.text("col_sector", lang))
    business = ordinal.loc["Dunia Usaha" if lang == "id" else "Business"]
    assert all(cell.endswith("*") and float(cell[:-1]) < 1 for cell in business)  # less favourable
    figures = [synthesis.caterpillar(syn), synthesis.health_outcome_figure(syn),
               synthesis.index_figure(syn), synthesis.sensitivity_figure(syn),
               *synthesis.attribution_figures(syn)]
    assert all(isinstance(f, plt.Figure) for f in figures) and len(figures) >= 5
    plt.close("all")
    block = synthesis.figure(synthesis.index_figure(syn), "fig_index", syn).data
    assert ("<b>Gambar 1.</b>" if lang == "id" else "<b>Figure 1.</b>") in block and 'alt="' in block


def test_index_text_names_the_scenario_that_moves_ranks_most(processed_dir):
    syn = synthesis.load_synthesis("en", processed_dir)
    scen = syn.tables["index_scenarios"]
    # by hand from the scenario table: mean absolute rank shift of each region per scenario
    shift = (scen[scen["scenario"] != "baseline"].assign(abs=lambda t: t["rank_shift"].abs())
             .groupby("scenario")["abs"].mean())
    assert f"**{shift.idxmax()}**" in synthesis.index_text(syn)
    assert f"{shift.max():.2f}" in synthesis.index_text(syn)


def test_country_wide_figures_show_the_extremes_of_a_large_programme(processed_dir, monkeypatch):
    import matplotlib.pyplot as plt

    syn = synthesis.load_synthesis("en", processed_dir)
    monkeypatch.setattr(synthesis, "FIGURE_EXTREMES", 4)  # 16 regions > 2 x 4
    ranks = syn.tables["index"].dropna(subset=["rank"]).sort_values("rank")
    expected = set(ranks["region_code"].head(4)) | set(ranks["region_code"].tail(4))
    fig = synthesis.index_figure(syn)
    names = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert names == {syn.name(c) for c in expected}  # the 4 highest and 4 lowest ranks
    plt.close(fig)
    fig = synthesis.sensitivity_figure(syn)
    assert {t.get_text() for t in fig.axes[0].get_yticklabels()} == names
    plt.close(fig)
    caption = synthesis.index_caption(syn, "fig_sensitivity")
    assert caption == {"key": "fig_sensitivity_extremes", "k": 4, "n": len(ranks)}
    monkeypatch.setattr(synthesis, "FIGURE_EXTREMES", 20)  # 16 regions: all shown
    assert synthesis.index_caption(syn) == {"key": "fig_index"}


def test_the_caterpillar_shows_the_extremes_of_a_large_programme(processed_dir, monkeypatch):
    import matplotlib.pyplot as plt

    syn = synthesis.load_synthesis("id", processed_dir)
    monkeypatch.setattr(synthesis, "FIGURE_EXTREMES", 3)  # 16 regions > 2 x 3
    table = syn.tables["shrinkage"].sort_values("shrunken")
    expected = set(table["region_code"].head(3)) | set(table["region_code"].tail(3))
    fig = synthesis.caterpillar(syn)
    shown = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert shown == {syn.name(c) for c in expected}
    plt.close(fig)
    assert synthesis.caterpillar_caption(syn) == {"key": "fig_caterpillar_extremes", "k": 3,
                                                  "n": len(table)}
    monkeypatch.setattr(synthesis, "FIGURE_EXTREMES", 20)
    assert synthesis.caterpillar_caption(syn) == {"key": "fig_caterpillar"}
