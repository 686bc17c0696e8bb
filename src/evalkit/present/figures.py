"""Report figures (seaborn/matplotlib). Each function returns a Figure and draws nothing else.

Colours are colour-blind safe and every figure carries its meaning in labels too.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import numpy as np
import pandas as pd
import seaborn as sns

REGION_COLOR = "#1f78b4"
BENCHMARK_COLOR = "#7f7f7f"
TARGET_COLOR = "#d95f02"


#: Labels in figures come from the user's files (organisation, indicator, sector and
#: dimension names). Matplotlib would parse ``$...$`` in them as mathtext, and an
#: unbalanced ``$`` or a bad TeX command raises while drawing: a name could break a
#: figure (or a whole report). evalkit's figures use no mathtext, so it is off. (Text in
#: a figure cannot run anything: reports embed figures as SVG in an ``<img>``, and an
#: image's scripts never run.)
SAFE_TEXT = {"text.parse_math": False}


def use_safe_text() -> None:
    """Turn mathtext off for every figure made from now on (see :data:`SAFE_TEXT`).

    A Text reads the setting when it is created, so this is done when the module is
    imported (before any report figure exists) and again by :func:`_theme`.
    """
    plt.rcParams.update(SAFE_TEXT)


use_safe_text()


def _theme() -> None:
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95)
    use_safe_text()


def dimension_profile(table: pd.DataFrame, *, region_label: str, benchmark_label: str,
                      xlabel: str, xlim: tuple[float, float] = (1, 5)) -> plt.Figure:
    """Dimension means with 95% CIs for one region, benchmark marked beside each.

    ``table`` columns: ``label`` (dimension label), ``estimate, ci_low, ci_upp,
    benchmark`` in display order (top to bottom). ``xlim``: the end points of the
    answer scale (the form's; default 1–5).
    """
    _theme()
    fig, ax = plt.subplots(figsize=(7.5, 0.42 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    err = np.vstack([table["estimate"] - table["ci_low"], table["ci_upp"] - table["estimate"]])
    ax.errorbar(table["estimate"], y, xerr=err, fmt="o", color=REGION_COLOR, capsize=3,
                label=region_label)
    ax.scatter(table["benchmark"], y, marker="D", color=BENCHMARK_COLOR, s=28, zorder=3,
               label=benchmark_label)
    ax.set_yticks(y, table["label"])
    ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower right", frameon=True, fontsize="small")
    return fig  # one axes: figure_html's tight bounding box fits the labels


def indicator_trends(values: pd.DataFrame, progress: pd.DataFrame, *, name_column: str,
                     value_label: str, target_label: str) -> plt.Figure:
    """Small multiples: yearly values per indicator, baseline point and target line.

    ``values``: ``indicator_id, year, value``; ``progress``: one row per indicator with
    ``indicator_id, baseline_year, baseline_value, target_year, target_value, unit`` and
    ``name_column``.
    """
    _theme()
    n = len(progress)
    cols = min(3, max(n, 1))
    rows = int(np.ceil(n / cols)) or 1
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    for ax, (_, ind) in zip(axes.flat, progress.iterrows()):
        series = values[values["indicator_id"] == ind["indicator_id"]].sort_values("year")
        ax.plot(series["year"], series["value"], marker="o", color=REGION_COLOR, lw=1.6)
        ax.scatter([ind["baseline_year"]], [ind["baseline_value"]], color="black", zorder=3, s=22)
        if pd.notna(ind["target_value"]):
            ax.axhline(ind["target_value"], ls="--", color=TARGET_COLOR, lw=1.2,
                       label=f"{target_label} {int(ind['target_year'])}")
            ax.legend(fontsize="x-small", loc="best")
        # wrapped here, not by matplotlib (wrap=True re-wraps on every layout pass)
        ax.set_title(textwrap.fill(str(ind[name_column]), 48), fontsize="small")
        ax.set_ylabel(f"{value_label} ({ind['unit']})", fontsize="small")
        ax.tick_params(labelsize="x-small")
        # few ticks: easier to read in a small panel, and ticks are most of its cost
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.set_layout_engine("tight")  # laid out once, when saved (figure_html)
    return fig


#: How report figures are written: SVG with text kept as text. Vector figures stay sharp
#: when zoomed or printed, and leaving glyphs to the browser halves the cost of a
#: figure against a PNG (measured: 7 figures of a report 1.3 s as SVG, 2.4-2.9 s as PNG,
#: 0.27 MB against 0.67 MB). A fixed hash salt keeps the SVG's internal ids the same
#: from run to run.
SVG_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "evalkit"}


def figure_html(fig: plt.Figure, label: str, caption: str) -> str:
    """A figure as an HTML ``<figure>``: embedded SVG image, alt text and a numbered caption.

    nbconvert's image outputs carry no alt text; reports show figures this way so a
    screen reader (and a reviewer) gets the caption. ``label`` and ``caption`` may hold
    names from the user's files: both are HTML-escaped here. The SVG goes in a data:
    URL of an ``<img>``, where a browser runs no script and loads nothing it references.
    The figure is closed.
    """
    buffer = io.BytesIO()
    # A figure with a layout engine fits itself; the others are cropped to what they draw.
    # (Not both: each is a layout pass over every label.)
    fit = None if fig.get_layout_engine() is not None else "tight"
    with plt.rc_context(SVG_STYLE):
        fig.savefig(buffer, format="svg", bbox_inches=fit, metadata={"Date": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    text = html.escape(caption)
    return (f'<figure class="evalkit-figure" style="margin:1.2em 0">'
            f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(label)} {text}" '
            f'style="max-width:100%;height:auto">'
            f'<figcaption style="font-size:0.92em;color:#444"><b>{html.escape(label)}</b> {text}'
            f'</figcaption></figure>')


LIKERT_COLORS = ("#ca0020", "#f4a582", "#d9d9d9", "#92c5de", "#0571b0")  # ColorBrewer RdBu
NEUTRAL_COLOR = "#d9d9d9"


def likert_colors(k: int) -> list[str]:
    """``k`` diverging colours, red (low) to blue (high); the middle one grey when ``k`` is odd.

    Five points keep :data:`LIKERT_COLORS`; other lengths sample ColorBrewer's RdBu
    away from its pale centre, so every category stays visible on white.
    """
    if k == len(LIKERT_COLORS):
        return list(LIKERT_COLORS)
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap, half = colormaps["RdBu"], k // 2
    low = [to_hex(cmap(0.05 + 0.30 * i / max(half - 1, 1))) for i in range(half)]
    high = [to_hex(cmap(0.95 - 0.30 * i / max(half - 1, 1))) for i in range(half)][::-1]
    return low + ([NEUTRAL_COLOR] if k % 2 else []) + high


def likert_bars(shares: pd.DataFrame, *, labels: list[str], category_labels: list[str],
                xlabel: str) -> plt.Figure:
    """Diverging stacked bars of rating answers, one bar per item, centred on the scale's middle.

    The standard display for agreement scales (Robbins & Heiberger 2011, *Plotting
    Likert and other rating scales*): the lower half of the scale extends left of zero,
    the upper half right; with an odd number of points the neutral (middle) category
    is split across zero, with an even number zero lies between the two middle
    categories. ``shares`` has one row per item (in display order, top to bottom) and
    one column per scale point, low to high (shares summing to 1); any number of points.
    """
    _theme()
    values = shares.to_numpy(float)
    k = values.shape[1]
    mid = k // 2
    colors = likert_colors(k)
    fig, ax = plt.subplots(figsize=(8.5, 0.32 * len(values) + 1.4))
    y = np.arange(len(values))[::-1]
    left = -(values[:, :mid].sum(axis=1) + (values[:, mid] / 2 if k % 2 else 0.0))
    for j in range(k):
        ax.barh(y, values[:, j], left=left, color=colors[j], edgecolor="white",
                linewidth=0.5, label=category_labels[j], height=0.75)
        left = left + values[:, j]
    ax.axvline(0, color="#333", linewidth=0.8)
    ax.set_yticks(y, labels, fontsize=7.5)
    ax.set_xlim(-1, 1)
    ticks = np.linspace(-1, 1, 5)
    ax.set_xticks(ticks, [f"{abs(t):.0%}" for t in ticks])
    ax.set_xlabel(xlabel)
    # the answer scale above the bars, where the eye starts (independent of the height)
    ax.legend(ncol=k, loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize="x-small",
              frameon=False)
    return fig  # one axes: figure_html's tight bounding box fits the labels and legend
