"""The synthesis' trajectories across waves (issue #13), on hand-built wave results.

Other dimension names (``openness``, ``reciprocity``), other regions (Sorong Selatan,
Bau Bau, Binjai, Banjarbaru) and other wave labels (``Putaran A``...) than the demo's;
every number below is typed in the tables, so each expected cell is read off them.
:func:`wave_results` is shared with tests/test_workbook_change.py and
tests/test_index_change.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.core.config import MIN_CELL
from evalkit.core.contract import Scale
from evalkit.present import synthesis
from evalkit.present.wave_results import WAVE_RESULT_COLUMNS, single_wave_result, wave_result

SORONG, BAUBAU, BINJAI, BANJARBARU = "96.02", "74.72", "12.75", "63.72"
REGIONS = (SORONG, BAUBAU, BINJAI, BANJARBARU)
WAVES = ("Putaran A", "Putaran B", "Putaran C")
DIMENSIONS = ("openness", "reciprocity")


def wave_results(waves=WAVES) -> dict[str, pd.DataFrame]:
    """Hand-made wave results tables (the schemas of common.md / WAVE_RESULT_COLUMNS).

    Sorong Selatan: health rises 3.0 -> 3.2 -> 3.8 (a called change, +0.6 [0.3, 0.9]);
    Bau Bau: falls 3.6 -> 3.5 -> 3.1 (-0.4 [-0.7, -0.1], called); Binjai: flat (+0.05,
    interval holds zero); Banjarbaru: 3 respondents in the latest wave (suppressed).
    Index: Sorong +12.0 [4.0, 20.0] rank 3 -> 1; Bau Bau -1.5 [-8.0, 5.0] rank 1 -> 2;
    Binjai +2.0 [-3.0, 7.0] 2 -> 3; Banjarbaru suppressed in the latest wave.
    """
    waves = list(waves)
    n_w = len(waves)
    health = {SORONG: [3.0, 3.2, 3.8], BAUBAU: [3.6, 3.5, 3.1], BINJAI: [3.3, 3.3, 3.35],
              BANJARBARU: [3.4, 3.5, 3.9]}
    nobs = {SORONG: 30, BAUBAU: 25, BINJAI: 12, BANJARBARU: 8}
    scores = []
    for code in REGIONS:
        for k, wave in enumerate(waves):
            n = 3 if (code == BANJARBARU and k == n_w - 1) else nobs[code]
            h = health[code][k - n_w + 3] if n_w <= 3 else 3.0
            for dim, shift in (("openness", -0.1), ("reciprocity", 0.1), ("_overall", 0.0)):
                scores.append({"region_code": code, "wave": wave, "order": k + 1, "dimension": dim,
                               "estimate": h + shift, "se": 0.1, "ci_low": h + shift - 0.2,
                               "ci_upp": h + shift + 0.2, "nobs": n, "suppressed": n < MIN_CELL,
                               "weighted": True})
    change = []
    if n_w > 1:
        comparisons = [("previous", waves[-2], waves[-1])]
        if n_w >= 3:
            comparisons.append(("first", waves[0], waves[-1]))
        effect = {SORONG: (0.6, 0.3, 0.9, 0.0001, True, "up"),
                  BAUBAU: (-0.4, -0.7, -0.1, 0.004, True, "down"),
                  BINJAI: (0.05, -0.2, 0.3, 0.7, False, "")}
        for code in REGIONS:
            for comparison, w_from, w_to in comparisons:
                for dim in (*DIMENSIONS, "_overall"):
                    row = {"region_code": code, "dimension": dim, "comparison": comparison,
                           "from_wave": w_from, "to_wave": w_to, "n_from": nobs[code],
                           "n_to": nobs[code], "n_both": nobs[code] // 2, "clusters": 9}
                    if code == BANJARBARU:
                        row.update(estimate=np.nan, se=np.nan, ci_low=np.nan, ci_upp=np.nan,
                                   p_value=np.nan, p_holm=np.nan, changed=False, direction="",
                                   n_to=3, suppressed=True, reason="too_few_respondents")
                    else:
                        est, lo, hi, p, called, direction = effect[code]
                        row.update(estimate=est, se=0.15, ci_low=lo, ci_upp=hi, p_value=p,
                                   p_holm=np.nan if dim == "_overall" else min(1.0, 2 * p),
                                   changed=called, direction=direction, suppressed=False,
                                   reason="")
                    change.append(row)
    index_rows = []
    ranks = {SORONG: [3, 3, 1], BAUBAU: [1, 1, 2], BINJAI: [2, 2, 3]}
    values = {SORONG: [40.0, 45.0, 57.0], BAUBAU: [60.0, 61.5, 60.0], BINJAI: [50.0, 50.0, 52.0],
              BANJARBARU: [55.0, 55.0, np.nan]}
    for code in REGIONS:
        for k, wave in enumerate(waves):
            j = k - n_w + 3 if n_w <= 3 else 0
            hidden = code == BANJARBARU and k == n_w - 1
            v = values[code][j]
            index_rows.append({"region_code": code, "wave": wave, "order": k + 1, "index": v,
                               "ci_low": v - 5, "ci_upp": v + 5,
                               "rank": np.nan if code == BANJARBARU else ranks[code][j],
                               "n_ranked": 3, "suppressed": hidden,
                               "reason": "too_few_respondents" if hidden else ""})
    index_change = []
    if n_w > 1:
        for code, (chg, lo, hi) in {SORONG: (12.0, 4.0, 20.0), BAUBAU: (-1.5, -8.0, 5.0),
                                    BINJAI: (2.0, -3.0, 7.0),
                                    BANJARBARU: (np.nan, np.nan, np.nan)}.items():
            r_from, r_to = ({SORONG: (3, 1), BAUBAU: (1, 2), BINJAI: (2, 3)}
                            .get(code, (np.nan, np.nan)))
            index_change.append({"region_code": code, "from_wave": waves[-2], "to_wave": waves[-1],
                                 "index_from": values[code][1], "index_to": values[code][2],
                                 "change": chg, "ci_low": lo, "ci_upp": hi, "rank_from": r_from,
                                 "rank_to": r_to, "rank_change": r_to - r_from})
    tables = {
        "waves": pd.DataFrame({"wave": waves, "order": range(1, n_w + 1),
                               "start": pd.NaT, "end": pd.NaT, "source": "folder",
                               "respondents": 75}),
        "wave_scores": pd.DataFrame(scores), "wave_change": pd.DataFrame(change),
        "wave_index": pd.DataFrame(index_rows), "index_change": pd.DataFrame(index_change),
    }
    return {name: (table[list(WAVE_RESULT_COLUMNS[name])] if len(table)
                   else single_wave_result(name)) for name, table in tables.items()}


FOUR = Scale((1, 2, 3, 4), ("Sangat tidak setuju", "Tidak setuju", "Setuju", "Sangat setuju"))


def _syn(lang="en", waves=WAVES, tables=None) -> synthesis.Synthesis:
    return synthesis.Synthesis(lang=lang, tables=tables if tables is not None else wave_results(waves),
                               sectors=pd.DataFrame(), manifest={}, scale=FOUR)


def test_the_hand_tables_have_the_contract_columns():
    for name, table in wave_results().items():
        assert list(table.columns) == list(WAVE_RESULT_COLUMNS[name]), name


@pytest.mark.parametrize("lang", ["id", "en"])
def test_trajectory_text_counts_the_called_changes(lang):
    out = synthesis.trajectory_text(_syn(lang))
    # 3 comparable regions (Banjarbaru suppressed): Sorong up, Bau Bau down (both called by
    # their interval: _overall has no Holm p), Binjai no change; index: only Sorong's
    # interval [4, 20] excludes zero
    assert "**3**" in out and "**Putaran A**" in out and "**Putaran C**" in out
    assert "**Putaran B**" in out
    if lang == "en":
        assert "rose in **1** and fell in **1** of the 3 regions" in out
        assert "index rose in **1** and fell in **0** regions" in out
        assert "conservative" in out
        # three waves: the change since the first wave is counted too
        assert ("Since the first wave (**Putaran A**), the partnership-health score rose in "
                "**1** and fell in **1** of 3 regions.") in out
    else:
        assert "naik di **1** dan turun di **1** dari 3 wilayah" in out
        assert "naik di **1** dan turun di **0** wilayah" in out


@pytest.mark.parametrize("lang", ["id", "en"])
def test_one_wave_is_one_sentence_and_nothing_else(lang):
    syn = _syn(lang, waves=("Gelombang 1",))
    assert not synthesis.multi_wave(syn)
    out = synthesis.trajectory_text(syn)
    assert "**Gelombang 1**" in out and ("second wave" in out or "gelombang kedua" in out)
    assert synthesis.health_trajectory_figure(syn) is None
    assert synthesis.index_trajectory_figure(syn) is None
    assert synthesis.change_table(syn) is None
    assert synthesis.figure(None, "fig_health_trajectory", syn) is None and not syn.figures


def test_results_without_wave_tables_read_as_one_wave(tmp_path):
    (tmp_path / "results").mkdir()
    tables = {name: wave_result(name, tmp_path) for name in synthesis.WAVE_TABLES}
    assert tables["waves"]["wave"].tolist() == ["1"] and tables["waves"]["source"].iat[0] == "single"
    assert all(tables[n].empty for n in synthesis.WAVE_TABLES if n != "waves")
    syn = _syn("en", tables=tables)
    assert "(**1**)" in synthesis.trajectory_text(syn)
    assert synthesis.change_table(syn) is None
    # and a Synthesis made without the wave tables at all (older callers) is one wave too
    assert not synthesis.multi_wave(_syn("en", tables={}))


def test_saved_empty_wave_tables_read_as_one_wave(tmp_path):
    # what the results stage writes for one wave: one waves row, empty change tables
    (tmp_path / "results").mkdir()
    tables = wave_results(("2025-Q3",))
    for name, table in tables.items():
        table.to_parquet(tmp_path / "results" / f"{name}.parquet")
    read = {name: wave_result(name, tmp_path) for name in synthesis.WAVE_TABLES}
    assert read["index_change"].empty and list(read["index_change"].columns) == list(
        WAVE_RESULT_COLUMNS["index_change"])
    syn = _syn("id", tables=read)
    assert "(**2025-Q3**)" in synthesis.trajectory_text(syn)
    for caption in ("fig_health_trajectory", "fig_index_trajectory"):
        assert synthesis.trajectory_caption(syn, caption)["key"] == caption
    assert synthesis.change_table(syn) is None and synthesis.health_trajectory_figure(syn) is None
    # two waves but no index change rows: nothing breaks, the table says "—"
    two = wave_results(("2025-Q2", "2025-Q3"))
    two["index_change"] = two["index_change"].iloc[0:0]
    table = synthesis.change_table(_syn("en", tables=two))
    assert set(table["Index change (95% CI)"]) == {"—"}
    assert "Health change since the first wave (95% CI)" not in table  # two waves: no "first"
    assert "Since the first wave" not in synthesis.trajectory_text(_syn("en", tables=two))
    assert synthesis.trajectory_caption(_syn("en", tables=two), "fig_index_trajectory")


def test_a_saved_wave_table_is_read_with_its_missing_columns_added(tmp_path):
    (tmp_path / "results").mkdir()
    pd.DataFrame({"wave": ["B", "A"], "order": [2, 1]}).to_parquet(tmp_path / "results" / "waves.parquet")
    waves = wave_result("waves", tmp_path)
    assert waves["wave"].tolist() == ["A", "B"]  # in wave order
    assert list(waves.columns) == list(WAVE_RESULT_COLUMNS["waves"])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_change_table_reads_each_cell_off_the_results(lang):
    syn = _syn(lang)
    table = synthesis.change_table(syn)
    t = lambda key: synthesis.text(f"syn_change_col_{key}", lang)  # noqa: E731
    rows = table.set_index(synthesis.text("syn_col_region", lang))
    assert list(rows.index) == ["Kota Binjai", "Kota Banjarbaru", "Kota Bau Bau",
                                "Kabupaten Sorong Selatan"]  # by code: 12.75, 63.72, 74.72, 96.02
    sorong = rows.loc["Kabupaten Sorong Selatan"]
    assert sorong[t("waves")] == "Putaran B → Putaran C"
    assert sorong[t("health")] == "3.80 (3.60–4.00)"  # _overall in Putaran C
    assert sorong[t("health_change")] == "+0.60 (0.30–0.90)"
    assert sorong[t("health_called")] == synthesis.text("syn_change_up", lang)
    assert sorong[t("health_first")] == "▲ +0.60 (0.30–0.90)"
    assert rows.loc["Kota Bau Bau", t("health_first")] == "▼ -0.40 (-0.70–-0.10)"
    assert rows.loc["Kota Binjai", t("health_first")] == "+0.05 (-0.20–0.30)"  # not called
    assert sorong[t("index")] == "57.0 (52.0–62.0)"
    assert sorong[t("index_change")] == "+12.0 (4.0–20.0)"
    assert sorong[t("index_called")] == synthesis.text("syn_change_up", lang)
    assert sorong[t("rank")] == "3 → 1"
    baubau = rows.loc["Kota Bau Bau"]
    assert baubau[t("health_change")] == "-0.40 (-0.70–-0.10)"
    assert baubau[t("health_called")] == synthesis.text("syn_change_down", lang)
    assert baubau[t("index_called")] == synthesis.text("syn_change_none", lang)  # [-8, 5]
    binjai = rows.loc["Kota Binjai"]
    assert binjai[t("health_called")] == synthesis.text("syn_change_none", lang)
    small = rows.loc["Kota Banjarbaru"]  # 3 respondents in the latest wave: no number at all
    too_small = synthesis.text("too_small", lang, min_cell=MIN_CELL)
    assert small[t("health")] == too_small and small[t("health_change")] == too_small
    assert small[t("index_change")] == "—" and small[t("rank")] == "—"
    assert "3.9" not in " ".join(small.astype(str))


def test_a_change_not_called_by_holm_is_not_called_even_if_its_interval_excludes_zero():
    tables = wave_results()
    change = tables["wave_change"]
    # the results stage Holm-adjusted the health score too and did not call it
    mask = (change["region_code"] == SORONG) & (change["dimension"] == "_overall")
    change.loc[mask, ["p_holm", "changed", "direction"]] = [0.2, False, ""]
    table = synthesis.change_table(_syn("en", tables=tables)).set_index("Region")
    assert table.loc["Kabupaten Sorong Selatan", "Health: a change?"] == "no clear change"


def test_trajectory_figures_have_a_panel_per_region_titled_by_name():
    import matplotlib.pyplot as plt

    syn = _syn("en")
    fig = synthesis.health_trajectory_figure(syn)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == ["Kota Binjai", "Kota Banjarbaru", "Kota Bau Bau",
                                                 "Kabupaten Sorong Selatan"]
    sorong = panels[3]
    xs, ys = sorong.lines[0].get_xydata().T
    assert ys == pytest.approx([3.0, 3.2, 3.8])  # the health score of each wave
    assert [t.get_text() for t in sorong.get_xticklabels()] == list(WAVES)
    assert sorong.get_ylim() == (1.0, 4.0)  # the form's 1-4 scale
    banjarbaru = panels[1].lines[0].get_xydata()[:, 1]
    assert np.isnan(banjarbaru[2]) and banjarbaru[:2] == pytest.approx([3.4, 3.5])  # suppressed: a gap
    assert "Partnership health (1–4)" in panels[0].get_ylabel()
    plt.close(fig)
    fig = synthesis.index_trajectory_figure(syn)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert "Kota Banjarbaru" in titles  # its earlier waves are published
    plt.close(fig)
    block = synthesis.figure(synthesis.index_trajectory_figure(syn), syn=syn,
                             **synthesis.trajectory_caption(syn, "fig_index_trajectory")).data
    assert "<b>Figure 1.</b>" in block and "one panel per region" in block
    plt.close("all")


def test_a_large_programme_shows_the_regions_that_changed_most(monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(synthesis, "TRAJECTORY_PANELS", 2)
    syn = _syn("id")
    caption = synthesis.trajectory_caption(syn)
    # 4 regions with a published health score > 2 panels; largest |change|: Sorong 0.6,
    # Bau Bau 0.4 (Binjai 0.05, Banjarbaru not estimated)
    assert caption == {"key": "fig_health_trajectory_extremes", "k": 2, "n": 4, "min_cell": MIN_CELL}
    fig = synthesis.health_trajectory_figure(syn)
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == [
        "Kota Bau Bau", "Kabupaten Sorong Selatan"]
    plt.close(fig)
    assert synthesis.text(caption.pop("key"), "id", **caption).startswith(
        "Skor kesehatan kemitraan per gelombang (IK 95%) di 2 dari 4 wilayah")
    monkeypatch.setattr(synthesis, "TRAJECTORY_PANELS", 16)
    assert synthesis.trajectory_caption(syn)["key"] == "fig_health_trajectory"


def test_hostile_wave_labels_are_escaped_in_the_text():
    hostile = ("<img src=x onerror=alert(1)>", "[a](javascript:alert(1))", "=HYPERLINK(1)")
    syn = _syn("en", waves=hostile)
    out = synthesis.trajectory_text(syn)
    assert "<img" not in out and "&lt;img" in out
    assert "[a](javascript" not in out and "\\[a\\]" in out
    table = synthesis.change_table(syn)  # shown by report.show, which escapes every cell
    assert table.iloc[0, 1] == "[a](javascript:alert(1)) → =HYPERLINK(1)"
    import matplotlib.pyplot as plt

    fig = synthesis.health_trajectory_figure(syn)  # mathtext is off: labels drawn as typed
    fig.canvas.draw()
    plt.close(fig)
