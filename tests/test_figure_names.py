"""Figure titles and labels name indicators, dimensions and sectors, never their ids
(issue #16), in both languages.

Every figure of the regional report and of the synthesis is drawn (matplotlib Agg) on the
officer's own programme (tests/own_data.py: its own six dimensions, six sector codes,
four indicators, labels and names in Indonesian only, so the English reports show the
Indonesian names: a blank falls back to the other language), and on the demo's
event-study figures (``air_minum``, ``kemiskinan``: the ids they were reported titled
with). The texts of each figure (titles, axis labels, tick labels, legends, annotations)
are read after the figure is drawn.
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import own_data  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from evalkit.present import figures as plots  # noqa: E402
from evalkit.present import report, synthesis  # noqa: E402

REGION = "53.71"  # Kota Kupang: every sector, meetings, indicators
LANGS = ("id", "en")
REGION_FIGURES = ("health_figure", "outcome_figure", "power_interest_figure",
                  "attendance_figure", "network_figure", "index_figure", "change_figure")
SYNTHESIS_FIGURES = ("caterpillar", "health_outcome_figure", "index_figure",
                     "sensitivity_figure", "health_trajectory_figure", "index_trajectory_figure")


def texts(fig) -> list[str]:
    """Every text a reader sees in ``fig``, drawn first (tick labels are made when drawn)."""
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def tokens(strings) -> set[str]:
    """The words of ``strings`` as typed (an id is one word: ``sumber_daya``)."""
    return {w for s in strings for w in re.findall(r"[\w.]+", s)}


def flat(strings) -> str:
    """``strings`` joined, line breaks of wrapped titles undone."""
    return re.sub(r"\s+", " ", " ".join(strings))


def ids_leaked(strings, ids, names) -> set[str]:
    """The ``ids`` that are words of ``strings`` (an id that is itself a word of one of
    ``names``, ``tujuan`` in ``Kejelasan tujuan``, cannot tell and is not checked)."""
    return (set(ids) - tokens(names)) & tokens(strings)


def _as_list(drawn) -> list:
    if drawn is None:
        return []
    return list(drawn) if isinstance(drawn, list) else [getattr(drawn, "figure", drawn)]


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """The own programme cleaned and its results computed (no kernel)."""
    from evalkit.clean.pipeline import run_clean
    from evalkit.run.stages import ensure_results

    truth = own_data.write_dataset(tmp_path_factory.mktemp("own") / "raw")
    folder = run_clean(truth.raw_dir, truth.raw_dir.parent / "processed",
                       key=b"figure-names-test").processed_dir
    ensure_results(folder)
    return folder


NAMES = {"indicator": dict(zip(own_data.INDICATORS["indicator_id"], own_data.INDICATORS["name_id"])),
         "dimension": {d: label for d, (label, _) in own_data.DIMENSIONS.items()},
         "sector": {s: label for s, (label, _, _) in own_data.SECTORS.items()}}


def _drawn(module, names, obj) -> dict[str, list[list[str]]]:
    out = {}
    for name in names:
        out[name] = [texts(f) for f in _as_list(getattr(module, name)(obj))]
        plt.close("all")
    return out


@pytest.fixture(scope="module", params=LANGS)
def region_texts(own, request):
    rep = report.load_region_report(REGION, request.param, own)
    return _drawn(report, REGION_FIGURES, rep)


@pytest.fixture(scope="module", params=LANGS)
def synthesis_texts(own, request):
    syn = synthesis.load_synthesis(request.param, own)
    out = _drawn(synthesis, SYNTHESIS_FIGURES, syn)
    out["attribution_figures"] = [texts(f) for f in synthesis.attribution_figures(syn)]
    plt.close("all")
    return out, syn


@pytest.mark.slow  # the programme cleaned and its results computed: ~40 s
def test_the_regional_figures_name_what_they_show(region_texts):
    everything = [t for figs in region_texts.values() for fig in figs for t in fig]
    all_names = [n for kind in NAMES.values() for n in kind.values()]
    for kind, names in NAMES.items():
        assert not ids_leaked(everything, names, all_names), (kind, ids_leaked(everything, names, all_names))
    [health] = region_texts["health_figure"]
    assert set(NAMES["dimension"].values()) <= set(health)  # tick labels, one per dimension
    [outcome] = region_texts["outcome_figure"]
    assert all(n in flat(outcome) for n in NAMES["indicator"].values()), outcome
    for figure in ("power_interest_figure", "attendance_figure", "network_figure"):
        [drawn] = region_texts[figure]
        assert set(NAMES["sector"].values()) <= set(drawn) | {""}, (figure, drawn)


@pytest.mark.slow  # the programme cleaned and its results computed: ~40 s
def test_the_synthesis_figures_name_what_they_show(synthesis_texts):
    drawn, syn = synthesis_texts
    everything = [t for figs in drawn.values() for fig in figs for t in fig]
    all_names = [n for kind in NAMES.values() for n in kind.values()]
    for kind, names in NAMES.items():
        assert not ids_leaked(everything, names, all_names), (kind, ids_leaked(everything, names, all_names))
    supported = list(syn.tables["attribution"].query("supported")["indicator_id"])
    assert len(drawn["attribution_figures"]) == len(supported)
    for indicator_id, fig in zip(supported, drawn["attribution_figures"]):
        assert NAMES["indicator"][indicator_id] in flat(fig), fig
    assert drawn["caterpillar"] and "Kota Kupang" in drawn["caterpillar"][0]


@pytest.mark.parametrize("lang", LANGS)
def test_the_demo_event_studies_are_titled_with_the_indicator_names(processed_dir, lang):
    syn = synthesis.load_synthesis(lang, processed_dir)
    meta = pd.read_parquet(processed_dir / "indicator_metadata.parquet").set_index("indicator_id")
    supported = list(syn.tables["attribution"].query("supported")["indicator_id"])
    assert supported  # the demo plants programme effects on its indicators
    drawn = [texts(f) for f in synthesis.attribution_figures(syn)]
    plt.close("all")
    for indicator_id, fig in zip(supported, drawn):
        assert meta.at[indicator_id, f"name_{lang}"] in flat(fig)
        assert not ids_leaked(fig, meta.index, meta[f"name_{lang}"]), fig


@pytest.mark.parametrize("lang", LANGS)
def test_a_blank_name_falls_back_to_the_other_language_then_the_id(lang):
    """The event-study title of a table whose names are blank (an event-study table
    written before names were kept, or a metadata row without either name)."""
    frame = pd.DataFrame({"term": [-2, -1, 0, 1], "estimate": [0.1, 0.0, 0.5, 0.7],
                          "ci_low": [-0.2, 0.0, 0.2, 0.3], "ci_upp": [0.4, 0.0, 0.8, 1.1]})
    other = "en" if lang == "id" else "id"
    rows = frame.assign(indicator_id="air_minum", **{f"name_{lang}": "", f"name_{other}": "Safe water"})
    assert synthesis.indicator_title(rows, "air_minum", lang) == "Safe water"
    rows = frame.assign(indicator_id="air_minum", name_id=None, name_en=" ")
    assert synthesis.indicator_title(rows, "air_minum", lang) == "air_minum"
    assert synthesis.indicator_title(frame.iloc[:0], "air_minum", lang) == "air_minum"


def test_indicator_panels_fall_back_when_the_name_is_blank():
    values = pd.DataFrame({"indicator_id": ["a_b"] * 3, "year": [2020, 2021, 2022],
                           "value": [1.0, 2.0, 3.0]})
    progress = pd.DataFrame({"indicator_id": ["a_b"], "baseline_year": [2020],
                             "baseline_value": [1.0], "target_year": [2025],
                             "target_value": [5.0], "unit": ["%"], "name_en": [""],
                             "name_id": ["Nama indikator"]})
    fig = plots.indicator_trends(values, progress, name_column="name_en", value_label="Value",
                                 target_label="Target")
    assert "Nama indikator" in texts(fig) and not ids_leaked(texts(fig), ["a_b"], [])
    plt.close(fig)
