"""The cross-region synthesis: its model against a hand computation, its pieces in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.present import synthesis


def test_health_outcome_fit_matches_ols_with_hc3_by_hand():
    rng = np.random.default_rng(3)
    x = rng.uniform(2.5, 4.2, 14)
    y = 0.2 + 0.1 * x + rng.normal(0, 0.05, 14) * x  # heteroskedastic on purpose
    fit = synthesis.health_outcome_fit(pd.DataFrame({"shrunken": x, "outcome": y}))
    X = np.column_stack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    bread = np.linalg.inv(X.T @ X)
    h = np.einsum("ij,jk,ik->i", X, bread, X)  # leverages
    meat = X.T @ (X * (resid**2 / (1 - h) ** 2)[:, None])
    se = np.sqrt((bread @ meat @ bread)[1, 1])  # HC3 (MacKinnon & White 1985)
    z = stats.norm.ppf(0.975)
    assert fit.slope == pytest.approx(beta[1], rel=1e-10)
    assert (fit.ci_low, fit.ci_upp) == pytest.approx((beta[1] - z * se, beta[1] + z * se), rel=1e-8)
    assert fit.spearman == pytest.approx(stats.spearmanr(x, y).statistic)
    assert fit.n == 14


@pytest.mark.parametrize("lang", ["id", "en"])
def test_synthesis_pieces_render(processed_dir, lang):
    import matplotlib.pyplot as plt

    syn = synthesis.load_synthesis(lang, processed_dir)
    assert "16" in synthesis.title(syn)  # sixteen regions
    for piece in (synthesis.pooling_text, synthesis.sector_text, synthesis.health_outcome_text,
                  synthesis.attribution_text, synthesis.index_text, synthesis.method_text):
        assert isinstance(piece(syn), str) and len(piece(syn)) > 40
    table = synthesis.pooling_table(syn)
    assert len(table) == 16
    sectors = synthesis.sector_table(syn)
    assert "overall" in sectors.columns and len(sectors) == 4  # four sectors vs the reference
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
