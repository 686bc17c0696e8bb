"""Tests for evalkit.present.figures (and its colours): every figure drawn from a table.

The figure tests moved here from the measure modules' tests when the figures left
measure/ (issue #12); the drawings are those of the old functions.
"""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from frames import OWN_SECTORS, network_register, own_register
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from evalkit.core.domain import PENTAHELIX  # noqa: E402
from evalkit.measure import effectiveness, engagement, indicators, network  # noqa: E402
from evalkit.measure.attribution import DidResult  # noqa: E402
from evalkit.present import colours, figures  # noqa: E402
from evalkit.present.figures import (  # noqa: E402
    SECTOR_COLORS,
    attendance_figure,
    caterpillar_figure,
    index_figure,
    network_figure,
    power_interest_figure,
    pretrend_figure,
    sector_palette,
    sensitivity_figure,
)
from evalkit.present.i18n import TEXT, text  # noqa: E402

NAN = np.nan


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")




def _attendance(spec: dict[str, list[list[bool]]], dates: list[str]) -> pd.DataFrame:
    """An attendance table from ``{sector: [attendance list per organisation]}``."""
    rows = []
    for sector, orgs in spec.items():
        for j, record in enumerate(orgs):
            for k, attended in enumerate(record):
                rows.append({"region_code": "15.71", "province_code": "15",
                             "meeting_date": pd.Timestamp(dates[k]), "meeting": f"Rapat {k + 1}",
                             "organisation": f"{sector}-{j}", "sector": sector,
                             "attended": bool(attended)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# colours
# --------------------------------------------------------------------------------------
def test_colours_are_complete_and_re_exported():
    assert all(s in SECTOR_COLORS for s in PENTAHELIX)
    assert len({SECTOR_COLORS[s] for s in PENTAHELIX}) == 5
    assert figures.STATUS_COLORS is colours.STATUS_COLORS
    assert set(indicators.STATUSES) | set(indicators.SUMMARY_KEYS) == set(colours.STATUS_COLORS)
    assert colours.status_color("target_achieved") == colours.status_color("achieved")
    assert colours.status_color("deterioration") != colours.status_color("on_track")
    with pytest.raises(ValueError, match="unknown status or summary key"):
        colours.status_color("purple")


def test_colours_module_needs_no_plotting_library():
    # the workbook fills cells with these colours; it must not pay for matplotlib
    code = ("import sys, evalkit.present.colours, evalkit.present.workbook; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sector_palette_keeps_the_demo_colours_and_gives_every_sector_its_own():
    demo = sector_palette(list(SECTOR_COLORS)[:5])
    assert all(demo[s] == SECTOR_COLORS[s] for s in list(SECTOR_COLORS)[:5])
    own = ["pemda", "swasta", "perguruan_tinggi", "lsm", "media_massa", "tokoh_masyarakat"]
    six = sector_palette(pd.DataFrame({"sector": own}))
    assert len({six[s] for s in own}) == 6 and six["unknown"] == "#999999"
    assert "#999999" not in {six[s] for s in own}
    twelve = sector_palette([f"s{i}" for i in range(12)])
    assert len(set(twelve.values())) == 13  # twelve colours and the grey of unknown
    assert sector_palette(own) == six  # stable across calls


# --------------------------------------------------------------------------------------
# power/interest map and attendance
# --------------------------------------------------------------------------------------
def test_power_interest_figure_points_and_determinism():
    rng = np.random.default_rng(3)
    reg = pd.DataFrame({
        "organisation": [f"org{i}" for i in range(12)],
        "sector": [PENTAHELIX[i % 3] for i in range(12)],
        "influence": rng.integers(1, 6, 12), "interest": rng.integers(1, 6, 12),
    })
    reg.loc[0, "influence"] = np.nan  # not drawn
    ax = power_interest_figure(reg, lang="id")
    offsets = np.vstack([c.get_offsets() for c in ax.collections])
    assert offsets.shape == (11, 2)
    assert len(ax.collections) == 3  # one per sector present
    # Jitter stays within 0.15 of the integer ratings, so no point crosses a quadrant line.
    assert np.abs(offsets - np.round(offsets)).max() <= 0.15
    texts = {t.get_text() for t in ax.texts}
    assert texts == {text(f"quadrant_{q}", "id") for q in engagement.QUADRANTS}
    assert "Kelola secara dekat" in texts
    assert ax.get_xlabel() == "Kepentingan (1–5)" and ax.get_ylabel() == "Pengaruh (1–5)"
    again = power_interest_figure(reg.iloc[::-1], lang="id")  # row order must not matter
    offsets2 = np.vstack([c.get_offsets() for c in again.collections])
    np.testing.assert_allclose(np.sort(offsets, axis=0), np.sort(offsets2, axis=0))
    labelled = power_interest_figure(reg, labels={"pemerintah": "Government"}, annotate=True)
    assert "Government" in [t.get_text() for t in labelled.get_legend().get_texts()]
    assert len(labelled.texts) == 4 + 11
    assert labelled.get_xlabel() == "Interest (1–5)"


def test_power_interest_figure_draws_a_classified_table_as_it_is():
    rng = np.random.default_rng(5)
    reg = pd.DataFrame({"organisation": [f"o{i}" for i in range(10)],
                        "sector": [PENTAHELIX[i % 2] for i in range(10)],
                        "influence": rng.integers(1, 6, 10), "interest": rng.integers(1, 6, 10)})
    from_register = power_interest_figure(reg)
    pim = engagement.power_interest_map(reg)
    from_table = power_interest_figure(pim)
    np.testing.assert_allclose(np.vstack([c.get_offsets() for c in from_register.collections]),
                               np.vstack([c.get_offsets() for c in from_table.collections]))
    # a table the results stage classified: only rated rows (quadrant not missing) are drawn
    pim.loc[pim.index[0], "quadrant"] = pd.NA
    assert sum(len(c.get_offsets()) for c in power_interest_figure(pim).collections) == 9


def test_power_interest_figure_rejects_a_jitter_that_crosses_the_lines():
    with pytest.raises(ValueError, match="jitter"):
        power_interest_figure(own_register(["a"]), jitter=0.5)


def test_attendance_figure_lines():
    dates = ["2024-01-10", "2024-04-10", "2024-07-10"]
    df = _attendance({"pemerintah": [[True, False, True]] * 5, "media": [[True, True, False]] * 5},
                     dates)
    ot = engagement.attendance_over_time(df)
    ax = attendance_figure(ot, labels={"media": "Media"})
    assert len(ax.lines) == 3  # two sectors + all
    assert [len(line.get_xdata()) for line in ax.lines] == [3, 3, 3]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Media" in legend and "All sectors" in legend
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 0.0, 1.0])
    assert len(attendance_figure(ot, show_all=False).lines) == 2
    idn = attendance_figure(ot, lang="id")
    assert idn.get_ylabel() == "Tingkat kehadiran" and idn.get_xlabel() == "Periode"
    assert "Semua sektor" in [t.get_text() for t in idn.get_legend().get_texts()]


def test_palette_is_distinct_in_form_order_and_the_same_in_every_figure():
    twenty = sector_palette([f"s{i}" for i in range(20)])
    assert len({twenty[f"s{i}"] for i in range(20)}) == 20 and "#999999" not in set(
        twenty[f"s{i}"] for i in range(20))
    palette = sector_palette(OWN_SECTORS)
    register = own_register(list(OWN_SECTORS["sector"]) * 2)
    register["influence"] = [1, 2, 4, 5, 3, 4] * 2
    ax = power_interest_figure(register, sectors=OWN_SECTORS, lang="id")
    label = dict(zip(OWN_SECTORS["label_id"], OWN_SECTORS["sector"]))  # the form's labels
    drawn = {label[c.get_label()]: matplotlib.colors.to_hex(c.get_facecolor()[0]).upper()
             for c in ax.collections if c.get_label() in label}
    assert drawn == {s: palette[s].upper() for s in OWN_SECTORS["sector"]}
    over_time = engagement.attendance_over_time(pd.DataFrame({
        "organisation": ["a", "b", "c", "d"], "sector": ["lsm", "pemda", "tokoh_masyarakat", "lsm"],
        "attended": [True, False, True, True],
        "meeting_date": pd.to_datetime(["2024-01-05", "2024-04-05", "2024-01-05", "2024-04-05"])}),
        min_n=1, sectors=OWN_SECTORS)
    ax = attendance_figure(over_time, sectors=OWN_SECTORS, lang="en", show_all=False)
    lines = {ln.get_label(): matplotlib.colors.to_hex(ln.get_color()).upper() for ln in ax.lines}
    assert lines == {"Local government": palette["pemda"].upper(), "NGOs": palette["lsm"].upper(),
                     "Community leaders": palette["tokoh_masyarakat"].upper()}


# --------------------------------------------------------------------------------------
# collaboration network
# --------------------------------------------------------------------------------------
@pytest.fixture
def register() -> pd.DataFrame:
    return network_register()


def test_network_figure_draws_every_node_and_edge(register):
    ties = pd.DataFrame([("Bappeda", "Dinas", 3), ("Bappeda", "Apindo", 1), ("Univ", "Dinas", 2)],
                        columns=["organisation", "partner", "level"])
    G = network.build_network(ties, register)  # LSM and Radio are isolates
    ax = network_figure(G, labels={"pemerintah": "Government"})
    nodes = [c for c in ax.collections if isinstance(c, PathCollection)]
    edges = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(nodes) == 1 and len(nodes[0].get_offsets()) == G.number_of_nodes() == 6
    assert len(edges) == 1 and len(edges[0].get_segments()) == G.number_of_edges() == 3
    np.testing.assert_allclose(sorted(edges[0].get_linewidths()), [0.9, 1.8, 2.7])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Government", "dunia_usaha", "akademisi", "masyarakat_sipil", "media"]
    face = nodes[0].get_facecolors()
    radio = list(G.nodes).index("Radio")
    np.testing.assert_allclose(face[radio], matplotlib.colors.to_rgba(SECTOR_COLORS["media"]))
    # Same seed -> same picture; another seed -> another layout.
    again = [c for c in network_figure(G).collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(nodes[0].get_offsets(), again[0].get_offsets())
    other = [c for c in network_figure(G, seed=1).collections if isinstance(c, PathCollection)]
    assert not np.allclose(nodes[0].get_offsets(), other[0].get_offsets())
    assert len(network_figure(nx.Graph()).collections) == 0


def test_network_figure_uses_the_programme_palette_and_labels():
    own = pd.DataFrame({"sector": ["pemda", "lsm", "tokoh_masyarakat"],
                        "label_id": ["Pemda", "LSM", "Tokoh masyarakat"],
                        "label_en": ["", "NGOs", ""],
                        "pentahelix": ["pemerintah", "masyarakat_sipil", ""]})
    register = pd.DataFrame({"organisation": ["A", "B", "C"],
                             "sector": ["lsm", "pemda", "tokoh_masyarakat"]})
    ties = pd.DataFrame({"organisation": ["A", "B"], "partner": ["B", "C"], "level": [2, 1]})
    ax = network_figure(network.build_network(ties, register), sectors=own, lang="en")
    legend = {t.get_text(): matplotlib.colors.to_hex(h.get_markerfacecolor()).upper()
              for t, h in zip(ax.get_legend().get_texts(), ax.get_legend().legend_handles)}
    palette = sector_palette(own)
    # a blank English label falls back to the Indonesian one
    assert legend == {"Pemda": palette["pemda"].upper(), "NGOs": palette["lsm"].upper(),
                      "Tokoh masyarakat": palette["tokoh_masyarakat"].upper()}
    assert len(set(legend.values())) == 3


# --------------------------------------------------------------------------------------
# effectiveness index
# --------------------------------------------------------------------------------------
BOOT = pd.DataFrame({"region_code": ["r1", "r2", "r3", "r4"], "index": [40.0, 70.0, 55.0, NAN],
                     "ci_low": [30.0, 60.0, 45.0, NAN], "ci_upp": [50.0, 80.0, 65.0, NAN],
                     "rank": [3.0, 1.0, 2.0, NAN]})


def test_index_figure_sorted_with_intervals():
    ax = index_figure(BOOT, labels={"r2": "Kota Jambi"}, lang="en")
    assert isinstance(ax, Axes)
    # best on top: sorted by tick position, bottom to top, the labels go worst to best
    pos = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks()))
    assert sorted(pos, key=pos.get) == ["r1", "r3", "Kota Jambi"]  # r4 has no index
    assert ax.get_xlim() == (0.0, 105.0)
    assert sorted(t.get_text() for t in ax.texts) == ["#1", "#2", "#3"]
    assert ax.get_xlabel() == text("axis_index", "en")
    assert index_figure(BOOT).get_xlabel().startswith("Indeks efektivitas")  # default Indonesian


def test_index_figure_of_a_real_bootstrap():
    values = pd.DataFrame({"region_code": ["A", "B", "C"] * 2,
                           "component": ["health"] * 3 + ["attendance_rate"] * 3,
                           "value": [3.0, 4.0, 3.5, 0.5, 0.9, 0.7], "se": 0.05})
    spec = effectiveness.IndexSpec(
        components={"health": effectiveness.DEFAULT_SPEC.components["health"],
                    "attendance_rate": effectiveness.DEFAULT_SPEC.components["attendance_rate"]},
        pillar_weights={"process": 1.0, "engagement": 1.0})
    boot = effectiveness.bootstrap_index(values, spec, n_boot=50)
    ax = index_figure(boot, lang="id")
    pos = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks()))
    assert max(pos, key=pos.get) == "B"  # the best region on top


SCENARIOS = pd.DataFrame({
    "scenario": ["baseline"] * 3 + ["drop:process"] * 3,
    "region_code": ["A", "B", "C"] * 2,
    "rank": [1, 2, 3, 3, 1, 2], "baseline_rank": [1, 2, 3] * 2,
    "rank_shift": [0, 0, 0, 2, -1, -1], "mean_abs_shift": [0.0] * 3 + [4 / 3] * 3,
})


def test_sensitivity_figure_heatmap():
    fig, ax0 = plt.subplots()
    ax = sensitivity_figure(SCENARIOS, labels={"A": "Kota A"}, ax=ax0, lang="en")
    assert ax is ax0
    img = ax.get_images()[0].get_array()
    assert img.shape == (3, 2)
    # row 0 is the baseline winner (A), column 1 is drop:process where A shifts +2
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Kota A", "B", "C"]
    assert img[0, 1] == 2
    assert len(ax.texts) == 6
    assert [t.get_text() for t in ax.get_xticklabels()][1] == "drop:process\nR̄s=1.33"
    assert ax.get_xlabel() == "Scenario"
    idn = sensitivity_figure(SCENARIOS, lang="id")
    assert [t.get_text() for t in idn.get_xticklabels()][1] == "drop:process\nR̄s=1,33"
    assert idn.get_xlabel() == "Skenario"


# --------------------------------------------------------------------------------------
# cross-region models
# --------------------------------------------------------------------------------------
SHRINKAGE = pd.DataFrame({
    "region_code": ["R00", "R01", "R02"], "raw_mean": [3.0, 3.6, 4.2],
    "raw_ci_low": [2.5, 3.1, NAN], "raw_ci_upp": [3.5, 4.1, NAN],
    "shrunken": [3.2, 3.6, 3.9], "shrunken_ci_low": [2.8, 3.2, 3.4],
    "shrunken_ci_upp": [3.6, 4.0, 4.4],
})


def test_caterpillar_figure_is_sorted_and_deterministic():
    table = SHRINKAGE.iloc[[2, 0, 1]]
    labels = {"R00": "Kota Jambi"}
    ax = caterpillar_figure(table, labels=labels, grand_mean=3.6)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["Kota Jambi", "R01", "R02"]  # lowest shrunken mean at the bottom
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["raw mean / rata-rata mentah", "shrunken / disusutkan"]
    fig2, ax2 = plt.subplots()
    assert caterpillar_figure(table, labels=labels, ax=ax2, raw_label="raw") is ax2
    assert [t.get_text() for t in ax2.get_yticklabels()] == ticks
    assert [t.get_text() for t in ax2.get_legend().get_texts()][0] == "raw"
    with pytest.raises(ValueError, match="shrunken_ci_low"):
        caterpillar_figure(SHRINKAGE.drop(columns="shrunken_ci_low"))


def _did(supported: bool = True) -> DidResult:
    events = pd.DataFrame({"rel_year": [-3, -2, -1, 0, 1],
                           "estimate": [0.1, -0.2, 0.0, 1.8, 2.2],
                           "ci_low": [-0.5, -0.8, NAN, 1.1, 1.4],
                           "ci_upp": [0.7, 0.4, NAN, 2.5, 3.0]})
    if not supported:
        empty = events.iloc[:0]
        return DidResult(estimate=NAN, se=NAN, ci_low=NAN, ci_upp=NAN, pvalue=NAN, nobs=0,
                         n_treated=1, n_control=0, pretrend_pvalue=NAN, leads=empty,
                         supported=False, notes=["first note", "Not supported: no comparison"],
                         event_study=empty)
    return DidResult(estimate=2.0, se=0.3, ci_low=1.4, ci_upp=2.6, pvalue=0.001, nobs=80,
                     n_treated=4, n_control=6, pretrend_pvalue=0.42, leads=events.iloc[:2],
                     supported=True, notes=[], event_study=events)


def _drawn(fig: Figure) -> list:
    ax = fig.axes[0]
    return ([c.get_offsets().tolist() for c in ax.collections]
            + [t.get_text() for t in ax.texts] + [ax.get_xlabel(), ax.get_ylabel()])


def test_pretrend_figure_draws_the_event_study_table():
    result = _did()
    fig = pretrend_figure(result.to_frame().assign(indicator_id="IND-01"), title="Pre-trends")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "Pre-trends"
    assert [int(t) for t in ax.get_xticks()] == [-3, -2, -1, 0, 1]
    assert "pre-trends test p = 0.42" in [t.get_text() for t in ax.texts]
    assert ax.get_xlabel() == "Years relative to partnership start"
    # the reference year (-1) is drawn hollow at zero
    hollow = [c for c in ax.collections if c.get_label() == "reference year (-1)"][0]
    assert hollow.get_offsets().tolist() == [[-1.0, 0.0]]
    # a DidResult is read through its table: the same drawing
    assert _drawn(pretrend_figure(result, title="Pre-trends")) == _drawn(fig)
    idn = pretrend_figure(result, lang="id").axes[0]
    assert idn.get_xlabel() == "Tahun relatif terhadap awal kemitraan"
    assert "uji tren awal p = 0.42" in [t.get_text() for t in idn.texts]


def test_pretrend_figure_of_an_unsupported_estimate_says_why():
    fig = pretrend_figure(_did(supported=False).to_frame())
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["Not supported: no comparison"]  # the last note
    assert not ax.axison
    bare = pd.DataFrame({"rel_year": pd.Series(dtype="Int64"), "estimate": [], "ci_low": [],
                         "ci_upp": []})
    assert [t.get_text() for t in pretrend_figure(bare, lang="id").axes[0].texts] == [
        text("event_none", "id")]


# --------------------------------------------------------------------------------------
# wording: every code of the measure stage has its words, in both languages
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix, codes", [
    ("quadrant_", engagement.QUADRANTS),
    ("status_", indicators.STATUSES),
    ("summary_", indicators.SUMMARY_KEYS),
    ("collab_level_", network.LEVELS),
    ("tie_problem_", network.TIE_PROBLEMS),
    ("pillar_", tuple(effectiveness.DEFAULT_SPEC.pillars)),
])
def test_every_code_has_its_wording_in_both_languages(prefix, codes):
    for code in codes:
        entry = TEXT[f"{prefix}{code}"]
        assert set(entry) == {"id", "en"} and all(v.strip() for v in entry.values()), code


def test_measure_holds_no_drawing():
    # the measure stage draws nothing and imports no plotting library (not even lazily)
    import re
    from pathlib import Path

    import evalkit.measure

    drawing = re.compile(r"^\s*(import (matplotlib|seaborn)|from (matplotlib|seaborn)[\w.]* import"
                         r"|def \w+_figure\()", re.MULTILINE)
    for path in Path(evalkit.measure.__file__).parent.glob("*.py"):
        assert not drawing.search(path.read_text(encoding="utf-8")), path.name


# --- wave trajectories (issue #13): the regional report's change figure ------------------------

def _trajectory_table() -> pd.DataFrame:
    """Three waves of two dimensions of a programme's own; wave "TW II" suppressed for
    ``kohesi`` (no row), and a label with ``$`` (mathtext off: drawn as typed)."""
    rows = [("kohesi", "TW I", 2.0), ("kohesi", "TW III $x", 2.6),
            ("keterbukaan", "TW I", 3.0), ("keterbukaan", "TW II", 3.1),
            ("keterbukaan", "TW III $x", 3.4)]
    t = pd.DataFrame(rows, columns=["dimension", "wave", "estimate"])
    return t.assign(ci_low=t["estimate"] - 0.25, ci_upp=t["estimate"] + 0.25)


def test_wave_trajectories_draw_one_panel_per_dimension_with_gaps_for_missing_waves():
    fig = figures.wave_trajectories(_trajectory_table(), waves=["TW I", "TW II", "TW III $x"],
                                    order=["keterbukaan", "tidak_ada", "kohesi"],
                                    labels={"kohesi": "Kohesi sosial"},
                                    xlabel="Gelombang", ylabel="Skor (1–4)", ylim=(1, 4))
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == ["keterbukaan", "Kohesi sosial"]  # no empty panel
    open_, kohesi = shown
    assert np.allclose(open_.lines[0].get_ydata(), [3.0, 3.1, 3.4])
    line = kohesi.lines[0].get_ydata()
    assert np.isnan(line[1]) and np.allclose(line[[0, 2]], [2.0, 2.6])  # a gap, not a bridge
    # one error bar per drawn wave, 0.25 either side
    bars = [c for c in kohesi.collections if isinstance(c, LineCollection)][0]
    assert [tuple(np.round(s[:, 1], 2)) for s in bars.get_segments()] == [(1.75, 2.25),
                                                                        (2.35, 2.85)]
    assert [t.get_text() for t in kohesi.get_xticklabels()] == ["TW I", "TW II", "TW III $x"]
    low, high = open_.get_ylim()
    assert 1 <= low < 1.75 and 3.65 < high <= 4  # shared, inside the scale
    assert kohesi.get_ylim() == (low, high)
    html = figures.figure_html(fig, "Gambar 1.", "Skor per gelombang")  # draws: $ does not raise
    assert html.startswith('<figure class="evalkit-figure"')


def test_wave_trajectories_shorten_long_wave_labels_and_check_columns():
    t = _trajectory_table().replace({"TW I": "Gelombang pertama yang panjang"})
    fig = figures.wave_trajectories(t, waves=["Gelombang pertama yang panjang", "TW II",
                                              "TW III $x"], xlabel="x", ylabel="y")
    ticks = [x.get_text() for x in fig.axes[0].get_xticklabels()]
    assert ticks[0] == "Gelombang p…" and len(ticks[0]) == 12
    plt.close(fig)
    with pytest.raises(ValueError, match="ci_upp"):
        figures.wave_trajectories(t.drop(columns="ci_upp"), waves=["TW I"], xlabel="x",
                                  ylabel="y")
