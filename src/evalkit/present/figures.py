"""Every figure of evalkit (seaborn/matplotlib): drawn from tables the results stage made.

Each function takes a table (or a graph) and returns a Figure or the Axes it drew on;
it fits nothing, shows nothing and saves nothing (:func:`figure_html` embeds a figure
in a report). The report's figures (dimension profile, indicator trends, Likert bars),
the stakeholder figures (power/interest map, attendance, collaboration network), the
index figures (index with intervals, weight sensitivity) and the cross-region model
figures (caterpillar, event study) all live here.

Colours are colour-blind safe (:mod:`evalkit.present.colours`, re-exported here) and
every figure carries its meaning in labels too; the labels' wording is in
:mod:`evalkit.present.i18n`.
"""

from __future__ import annotations

import base64
import html
import io
import math
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.ticker import MaxNLocator

from evalkit.core.checks import check_lang, require_columns
from evalkit.core.domain import (
    UNKNOWN_SECTOR,
    sector_codes,
    sector_labels,
    sector_order,
    sector_series,
)
from evalkit.present.colours import (
    OVERALL_COLOR,
    SECTOR_COLORS,
    SECTOR_PALETTE,
    STATUS_COLORS,
    STATUS_TEXT_COLORS,
    contrast_ratio,
    sector_color,
    sector_palette,
    status_color,
    status_text_color,
)
from evalkit.present.i18n import text
from evalkit.read.products import with_language_fallback

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
    # a blank name: the other language's, then the id (never a blank or "nan" title)
    progress = with_language_fallback(progress, "name", "indicator_id")
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


def _wave_tick(label: object, width: int = 12) -> str:
    """A wave label short enough for an axis tick (labels come from the user's files)."""
    label = str(label)
    return label if len(label) <= width else label[: width - 1] + "…"


def wave_trajectories(table: pd.DataFrame, *, waves: Sequence[str], xlabel: str, ylabel: str,
                      order: Sequence[str] | None = None,
                      labels: Mapping[str, str] | None = None,
                      ylim: tuple[float, float] | None = None, cols: int = 4) -> plt.Figure:
    """Small multiples: each dimension's score per wave with its confidence interval.

    Parameters
    ----------
    table : pandas.DataFrame
        ``dimension, wave, estimate, ci_low, ci_upp``: the points to draw (the results'
        ``wave_scores`` of one region, its suppressed waves already left out).
    waves : sequence of str
        Every wave's label, first to latest: the x axis of every panel. A wave without a
        row in a panel leaves a gap (the line is not drawn across it).
    xlabel, ylabel : str
        Axis labels (report language).
    order : sequence of str, optional
        Dimensions in panel order (default: as they first appear in ``table``); a
        dimension without rows gets no panel.
    labels : Mapping[str, str], optional
        Dimension -> panel title (the dimension itself otherwise).
    ylim : (float, float), optional
        The answer scale's end points: the shared y axis is kept inside them.
    cols : int, default 4
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per dimension, the same y axis in all (changes compare at a glance).
    """
    require_columns(table, ("dimension", "wave", "estimate", "ci_low", "ci_upp"), "table")
    _theme()
    present = set(table["dimension"].astype(str))
    dims = [str(d) for d in (order if order is not None else table["dimension"].drop_duplicates())
            if str(d) in present]
    waves = [str(w) for w in waves]
    position = {w: i for i, w in enumerate(waves)}
    slanted = len(waves) > 3 or max((len(w) for w in waves), default=0) > 8  # ticks fit
    n = len(dims)
    cols = max(1, min(cols, n))
    rows = max(1, math.ceil(n / cols))
    width, height = 2.9 * cols, 2.4 * rows + (1.5 if slanted else 1.2)
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), squeeze=False, sharey=True)
    for ax, dim in zip(axes.flat, dims):
        t = table[table["dimension"].astype(str) == dim]
        t = t.assign(x=t["wave"].astype(str).map(position)).dropna(subset=["x"]).sort_values("x")
        line = pd.Series(np.nan, index=range(len(waves)))
        line[t["x"].astype(int).to_numpy()] = t["estimate"].to_numpy(dtype="float64")
        ax.plot(line.index, line.to_numpy(), color=REGION_COLOR, lw=1.4)  # NaN: a gap
        est = t["estimate"].to_numpy(dtype="float64")
        err = np.vstack([est - t["ci_low"].to_numpy(dtype="float64"),
                         t["ci_upp"].to_numpy(dtype="float64") - est])
        ax.errorbar(t["x"].to_numpy(dtype="float64"), est, yerr=np.clip(np.nan_to_num(err), 0, None),
                    fmt="o", color=REGION_COLOR, capsize=3, ms=4)
        ax.set_title(textwrap.fill(str((labels or {}).get(dim, dim)), 30), fontsize="small")
        ax.set_xticks(range(len(waves)), [_wave_tick(w) for w in waves],
                      rotation=35 if slanted else 0, ha="right" if slanted else "center")
        ax.set_xlim(-0.5, len(waves) - 0.5)
        ax.tick_params(labelsize="x-small")
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    low = np.nanmin(table["ci_low"].to_numpy(dtype="float64")) if len(table) else np.nan
    high = np.nanmax(table["ci_upp"].to_numpy(dtype="float64")) if len(table) else np.nan
    if np.isfinite(low) and np.isfinite(high):
        pad = max(0.1, 0.08 * (high - low))
        low, high = low - pad, high + pad
        if ylim is not None:
            low, high = max(low, ylim[0]), min(high, ylim[1])
        axes.flat[0].set_ylim(low, high)
    fig.supxlabel(xlabel, fontsize="small")
    fig.supylabel(ylabel, fontsize="small")
    # Laid out by hand (margins in inches: the titles wrap to two lines at most, the ticks
    # are short): a tight layout of a dozen panels cost twice as much as the rest of the
    # figure (measured: 1.6 s against 0.7 s to write the SVG of 11 panels). The placeholder
    # engine tells figure_html the figure is laid out (no tight crop either).
    bottom = 1.0 if slanted else 0.7
    fig.subplots_adjust(left=0.75 / width, right=1 - 0.15 / width, top=1 - 0.5 / height,
                        bottom=bottom / height, wspace=0.12,
                        hspace=0.65 if slanted else 0.5)
    fig.set_layout_engine(PlaceHolderLayoutEngine(adjust_compatible=True,
                                                  colorbar_gridspec=True))
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


def figure_number(drawn: dict, order: Mapping[str, Sequence[str]], key: str, part: int = 0
                  ) -> int:
    """The number of figure ``key`` in a report, keyed by name, not by a call counter.

    ``order`` declares the report's figures once, in the order the report shows them:
    each figure's name and the caption keys it may be drawn with (``"fig_index"``:
    ``("fig_index", "fig_index_near")``). ``drawn`` is the report's record of the figures
    it has (``(figure, part) -> order first drawn``; this call adds ``(figure, part)``),
    and the number is 1 + the number of figures it has that come before: declared
    earlier, or the same figure's earlier ``part`` (a figure drawn once per indicator).
    Re-running a cell in JupyterLab gives the same number again; a figure a report does
    not have (no register: no power/interest map) leaves no gap. A key ``order`` does not
    declare (a partner's own figure) comes after the declared ones, in the order first
    drawn.

    Examples
    --------
    >>> order = {"fig_a": ("fig_a",), "fig_b": ("fig_b", "fig_b_near")}
    >>> drawn = {}
    >>> figure_number(drawn, order, "fig_b_near"), figure_number(drawn, order, "fig_a")
    (1, 1)
    >>> figure_number(drawn, order, "fig_b")  # fig_a is now there, before it
    2
    """
    names = list(order)
    slot = next((name for name, keys in order.items() if key in keys or key == name), key)
    drawn.setdefault((slot, int(part)), len(drawn))
    undeclared = {}
    for name, _ in sorted(drawn, key=drawn.__getitem__):  # in the order first drawn
        if name not in order:
            undeclared.setdefault(name, len(names) + len(undeclared))

    def place(entry):
        name, p = entry
        return (names.index(name) if name in order else undeclared[name], p)

    here = place((slot, int(part)))
    return 1 + sum(place(entry) < here for entry in drawn)


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


# --------------------------------------------------------------------------------------
# Helpers of the figures below (colours: evalkit.present.colours, imported above, which
# the workbook reads without matplotlib)
# --------------------------------------------------------------------------------------
__all__ = [
    "REGION_COLOR", "BENCHMARK_COLOR", "TARGET_COLOR", "SAFE_TEXT", "use_safe_text",
    "dimension_profile", "indicator_trends", "SVG_STYLE", "figure_html", "LIKERT_COLORS",
    "NEUTRAL_COLOR", "likert_colors", "likert_bars",
    "SECTOR_COLORS", "SECTOR_PALETTE", "OVERALL_COLOR", "sector_palette", "sector_color",
    "STATUS_COLORS", "status_color", "STATUS_TEXT_COLORS", "status_text_color", "contrast_ratio",
    "power_interest_figure", "attendance_figure", "network_figure", "index_figure",
    "sensitivity_figure", "caterpillar_figure", "pretrend_figure",
]

_ALL = "all"  # the all-sector row of attendance tables


def _figure_labels(labels: Mapping[str, str] | None, sectors, lang: str
                   ) -> Mapping[str, str] | None:
    """``labels`` if given, else the form's labels in ``lang`` from a sectors table
    (:func:`evalkit.core.domain.sector_labels`: a blank label falls back to the other
    language, then to the code)."""
    if labels is not None or not isinstance(sectors, pd.DataFrame):
        return labels
    return sector_labels(sectors, lang)


def _label(labels: Mapping[str, str] | None, key: str) -> str:
    if labels is None:
        return key
    return str(labels.get(key, key))


def _new_axes(ax: Axes | None, height: float, width: float = 7.5) -> Axes:
    if ax is not None:
        return ax
    _fig, ax = plt.subplots(figsize=(width, height))
    return ax


# --------------------------------------------------------------------------------------
# Stakeholders: power/interest map, attendance, collaboration network
# --------------------------------------------------------------------------------------
_RATING_MIN, _RATING_MAX = 1, 5  # influence / interest scale of the register


def _boundary(midpoint: float) -> float:
    """Where to draw the quadrant line for integer ratings under the '>' rule."""
    return math.floor(midpoint) + 0.5


def power_interest_figure(
    register: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    lang: str = "en",
    ax: Axes | None = None,
    midpoint: float = 3,
    annotate: bool = False,
    seed: int = 0,
    jitter: float = 0.15,
    sectors: pd.DataFrame | Sequence[str] | None = None,
) -> Axes:
    """Power/interest scatter: one point per stakeholder, coloured by sector.

    ``sectors`` (the programme's sectors in form order) sets the legend order and the
    colours (:func:`sector_palette`); default the five pentahelix keys.

    Parameters
    ----------
    register : pandas.DataFrame
        Stakeholder register (``organisation``, ``sector``, ``influence``,
        ``interest``), or its power/interest map
        (:func:`evalkit.measure.engagement.power_interest_map`: the same with a
        ``quadrant`` column), which is then drawn as it is. Stakeholders with a
        missing rating are not drawn.
    labels : mapping, optional
        Sector key -> label for the legend (e.g. from
        :func:`evalkit.core.domain.sector_labels`); defaults to the keys, or to the
        form's labels when ``sectors`` is a table.
    lang : {"en", "id"}
        Language of axis and quadrant labels (:mod:`evalkit.present.i18n`,
        ``quadrant_*``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created otherwise.
    midpoint : float, default 3
        Quadrant rule of :func:`evalkit.measure.engagement.power_interest_map`; the
        lines are drawn halfway between the last low and first high integer rating.
    annotate : bool, default False
        Write each organisation's name beside its point (needs ``organisation``).
    seed : int, default 0
        Seed of the jitter, so the figure is the same on every run.
    jitter : float, default 0.15
        Half-width of the uniform jitter added to both ratings so that stakeholders
        with equal integer ratings do not hide each other; below 0.5, so no point
        crosses a quadrant line.
    sectors : DataFrame or sequence of str, optional
        The programme's sectors in form order.

    Returns
    -------
    matplotlib.axes.Axes
        The axes (``ax.figure`` is the figure). One scatter collection per sector
        present, in the programme's order (``sectors``; default the pentahelix keys
        first); points are sorted by sector and organisation before jittering, so the
        drawing does not depend on row order.

    References
    ----------
    .. [1] Mendelow, A. (1991). Stakeholder mapping. *Proceedings of the 2nd
           International Conference on Information Systems*, Cambridge, MA.
    .. [2] Eden, C., & Ackermann, F. (1998). *Making Strategy*. Sage.
    """
    from evalkit.measure.engagement import QUADRANTS, power_interest_map

    check_lang(lang)
    if not (0 <= jitter < 0.5):
        raise ValueError(f"jitter must be in [0, 0.5), got {jitter!r}.")
    if annotate:
        require_columns(register, ["organisation"], "register")
    # the classification is the measure stage's (a table of the results may be passed in)
    pim = register if "quadrant" in register.columns else power_interest_map(register,
                                                                              midpoint=midpoint)
    pim = pim[pim["quadrant"].notna()].copy()
    pim["_sector"] = sector_series(pim) if len(pim) else pd.Series(dtype=object)
    known = None if sectors is None else sector_codes(sectors)
    labels = _figure_labels(labels, sectors, lang)
    palette = sector_palette(sector_order(pim["_sector"], order=known))
    order = {s: i for i, s in enumerate(sector_order(pim["_sector"], order=known))}
    pim["_rank"] = pim["_sector"].map(order)
    sort_cols = ["_rank"] + (["organisation"] if "organisation" in pim.columns else [])
    pim = pim.sort_values(sort_cols, kind="stable")
    rng = np.random.default_rng(seed)
    jx = rng.uniform(-jitter, jitter, len(pim))
    jy = rng.uniform(-jitter, jitter, len(pim))
    x = pim["interest"].to_numpy(dtype=float) + jx
    y = pim["influence"].to_numpy(dtype=float) + jy

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 5.5))
    drawn = pim["_sector"].to_numpy()
    for sector in sector_order(pim["_sector"], all_five=False, order=known):
        sel = drawn == sector
        ax.scatter(x[sel], y[sel], s=46, color=sector_color(sector, palette), edgecolor="white",
                   linewidth=0.6, label=_label(labels, sector), zorder=3)
    if annotate:
        for xi, yi, name in zip(x, y, pim["organisation"], strict=True):
            ax.annotate(str(name), (xi, yi), xytext=(3, 3), textcoords="offset points",
                        fontsize="xx-small")
    b = _boundary(midpoint)
    lo, hi = _RATING_MIN - 0.5, _RATING_MAX + 0.5
    ax.axvline(b, color="#555555", lw=0.9, ls="--", zorder=1)
    ax.axhline(b, color="#555555", lw=0.9, ls="--", zorder=1)
    corners = {
        "manage_closely": (hi - 0.08, hi - 0.08, "right", "top"),
        "keep_satisfied": (lo + 0.08, hi - 0.08, "left", "top"),
        "keep_informed": (hi - 0.08, lo + 0.08, "right", "bottom"),
        "monitor": (lo + 0.08, lo + 0.08, "left", "bottom"),
    }
    for key in QUADRANTS:
        tx, ty, ha, va = corners[key]
        ax.text(tx, ty, text(f"quadrant_{key}", lang), ha=ha, va=va, fontsize="small",
                color="#333333", style="italic", zorder=2)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xticks(range(_RATING_MIN, _RATING_MAX + 1))
    ax.set_yticks(range(_RATING_MIN, _RATING_MAX + 1))
    ax.set_xlabel(text("axis_interest", lang))
    ax.set_ylabel(text("axis_influence", lang))
    if len(pim):
        ax.legend(title=text("legend_sector", lang), fontsize="small", title_fontsize="small",
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def attendance_figure(
    over_time: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    sectors: pd.DataFrame | Sequence[str] | None = None,
    show_all: bool = True,
) -> Axes:
    """Attendance rate by sector over periods (one line per sector).

    Parameters
    ----------
    over_time : pandas.DataFrame
        Output of :func:`evalkit.measure.engagement.attendance_over_time`
        (``period, sector, rate``). Suppressed or empty cells (NaN rate) leave gaps
        in the lines.
    labels : mapping, optional
        Sector key -> legend label; defaults to the keys.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created otherwise.
    lang : {"en", "id"}
        Language of the axis labels and of the all-sector line's default label.
    sectors : DataFrame or sequence of str, optional
        A sequence: the sectors to draw, in that order. A DataFrame: the programme's
        sectors table (``sectors.parquet``): those present are drawn in form order,
        coloured by :func:`sector_palette`. Default: every sector in ``over_time``
        except ``"all"``.
    show_all : bool, default True
        Also draw the all-sector rate as a dashed black line.

    Returns
    -------
    matplotlib.axes.Axes
        One ``Line2D`` per drawn sector (in pentahelix order) plus one for ``all``
        when ``show_all``; y axis 0-100 %.
    """
    from matplotlib.ticker import PercentFormatter

    check_lang(lang)
    require_columns(over_time, ["period", "sector", "rate"], "over_time")
    periods = sorted(pd.unique(over_time["period"]))
    pos = {p: i for i, p in enumerate(periods)}
    present = [s for s in pd.unique(over_time["sector"]) if s != _ALL]
    labels = _figure_labels(labels, sectors, lang)
    if isinstance(sectors, pd.DataFrame):
        known = sector_codes(sectors)
        palette = sector_palette(sector_order(present, order=known))
        draw = sector_order(present, all_five=False, order=known)
    else:  # without the programme's table: colours in the default order of what is drawn
        palette = sector_palette(sector_order(present))
        draw = sector_order(present, all_five=False) if sectors is None else list(sectors)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.2))
    all_label = text("all_sectors", lang)
    for sector in [*draw, *([_ALL] if show_all else [])]:
        block = over_time[over_time["sector"] == sector]
        if block.empty:
            continue
        xs = np.array([pos[p] for p in block["period"]])
        order = np.argsort(xs)
        ys = block["rate"].to_numpy(dtype=float)[order]
        if sector == _ALL:
            label = labels.get(_ALL, all_label) if labels else all_label
            ax.plot(xs[order], ys, color=OVERALL_COLOR, ls="--", lw=1.6, marker="o", ms=3,
                    label=label, zorder=4)
        else:
            ax.plot(xs[order], ys, color=sector_color(sector, palette), lw=1.8, marker="o", ms=4,
                    label=_label(labels, sector), zorder=3)
    ax.set_xticks(range(len(periods)), [str(p) for p in periods], rotation=0)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_xlabel(text("axis_period", lang))
    ax.set_ylabel(text("axis_attendance_rate", lang))
    if ax.lines:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def network_figure(
    G,
    *,
    labels: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    seed: int = 0,
    annotate: bool = False,
    sectors: pd.DataFrame | Sequence[str] | None = None,
    lang: str = "en",
) -> Axes:
    """Draw the collaboration network: nodes coloured by sector, sized by degree.

    ``sectors`` (the programme's sectors in form order) sets the legend order and the
    colours (:func:`sector_palette`); default the order stored on the graph by
    :func:`evalkit.measure.network.build_network`, else the pentahelix keys. A sectors
    table also gives the legend labels in ``lang`` when ``labels`` is None.

    Parameters
    ----------
    G : networkx.Graph
        Usually from :func:`evalkit.measure.network.build_network` (node attribute
        ``sector``, edge attribute ``level``; defaults: ``"unknown"`` and 1).
    labels : mapping, optional
        Sector key -> legend label (e.g. :func:`evalkit.core.domain.sector_labels`);
        defaults to the keys.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created otherwise.
    seed : int, default 0
        Seed of the spring layout, so the same graph is drawn the same way.
    annotate : bool, default False
        Write organisation names beside the nodes.
    sectors : DataFrame or sequence of str, optional
        The programme's sectors in form order.
    lang : {"en", "id"}
        Language of the form's labels when ``labels`` is None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes (``ax.figure`` is the figure). Nodes are one ``PathCollection``
        with one point per node (isolates included, drawn with a dark outline so
        they stay visible); edges are one ``LineCollection`` with one segment per
        edge, width proportional to ``level``. The legend lists the sectors present.

    Notes
    -----
    Fruchterman-Reingold force-directed layout (``nx.spring_layout``) with a fixed
    seed; node order is that of ``G`` (sorted by ``build_network``).

    References
    ----------
    .. [1] Fruchterman, T. M. J., & Reingold, E. M. (1991). Graph drawing by
           force-directed placement. *Software: Practice and Experience*, 21(11),
           1129-1164.
    """
    import networkx as nx
    from matplotlib.lines import Line2D

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 6.0))
    ax.set_axis_off()
    n = G.number_of_nodes()
    if n == 0:
        ax.text(0.5, 0.5, "—", ha="center", va="center", transform=ax.transAxes)
        return ax
    nodes = list(G.nodes)
    pos = nx.spring_layout(G, seed=seed)
    sec = {v: G.nodes[v].get("sector", UNKNOWN_SECTOR) for v in nodes}
    known = sector_codes(sectors) if sectors is not None else G.graph.get("sector_order")
    labels = _figure_labels(labels, sectors, lang)
    palette = sector_palette(sector_order(sec.values(), order=known))
    colors = [sector_color(sec[v], palette) for v in nodes]
    degree = dict(G.degree())
    sizes = [60 + 35 * degree[v] for v in nodes]
    edges = list(G.edges(data=True))
    if edges:
        widths = [0.9 * float(d.get("level", 1) or 1) for _, _, d in edges]
        nx.draw_networkx_edges(G, pos, edgelist=[(u, v) for u, v, _ in edges], width=widths,
                               edge_color="#8c8c8c", alpha=0.8, ax=ax)
    nx.draw_networkx_nodes(G, pos, nodelist=nodes, node_color=colors, node_size=sizes,
                           edgecolors=["#333333" if degree[v] == 0 else "white" for v in nodes],
                           linewidths=0.8, ax=ax)
    if annotate:
        nx.draw_networkx_labels(G, pos, labels={v: str(v) for v in nodes}, font_size=6, ax=ax)
    present = sector_order(sec.values(), all_five=False, order=known)
    handles = [Line2D([], [], marker="o", ls="", markersize=8, markerfacecolor=sector_color(s, palette),
                      markeredgecolor="white", label=(labels.get(s, s) if labels else s))
               for s in present]
    ax.legend(handles=handles, fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0),
              frameon=False)
    ax.margins(0.08)
    return ax


# --------------------------------------------------------------------------------------
# Partnership-effectiveness index
# --------------------------------------------------------------------------------------
_POINT_COLOR = "#1f78b4"


def _num(x: float, lang: str) -> str:
    s = f"{x:g}"
    return s.replace(".", ",") if lang == "id" else s


def index_figure(boot_table: pd.DataFrame, *, labels: Mapping[str, str] | None = None,
                 ax: Axes | None = None, lang: str = "id") -> Axes:
    """Regions sorted by index (best on top) with their bootstrap intervals.

    Parameters
    ----------
    boot_table : pandas.DataFrame
        Output of :func:`evalkit.measure.effectiveness.bootstrap_index` (columns
        ``region_code, index, ci_low, ci_upp, rank``). Regions without index are left
        out of the figure.
    labels : Mapping[str, str], optional
        ``region_code`` -> display name; the code is shown otherwise.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created otherwise.
    lang : {"id", "en"}, default "id"
        Language of the axis label.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. The rank is printed beside each interval.
    """
    check_lang(lang)
    require_columns(boot_table, ("region_code", "index", "ci_low", "ci_upp", "rank"), "boot_table")
    t = boot_table[boot_table["index"].notna()]
    t = t.sort_values(["index", "region_code"], ascending=[False, True], kind="stable")
    ax = _new_axes(ax, 0.38 * len(t) + 1.3)
    y = np.arange(len(t))[::-1]
    est = t["index"].to_numpy(dtype="float64")
    err = np.vstack([est - t["ci_low"].to_numpy(dtype="float64"),
                     t["ci_upp"].to_numpy(dtype="float64") - est])
    ax.errorbar(est, y, xerr=np.clip(err, 0, None), fmt="o", color=_POINT_COLOR, capsize=3)
    names = [str((labels or {}).get(c, c)) for c in t["region_code"]]
    ax.set_yticks(y, names)
    for yi, e, hi, rk in zip(y, est, t["ci_upp"], t["rank"]):
        ax.annotate(f"#{int(rk)}", (e if pd.isna(hi) else hi, yi), xytext=(5, 0), textcoords="offset points",
                    va="center", fontsize="x-small")
    lo_all = np.nanmin(t["ci_low"].to_numpy(dtype="float64")) if len(t) else 0.0
    hi_all = np.nanmax(t["ci_upp"].to_numpy(dtype="float64")) if len(t) else 100.0
    if lo_all >= 0 and hi_all <= 100:
        ax.set_xlim(0, 105)
    ax.set_xlabel(text("axis_index", lang))
    ax.grid(axis="x", alpha=0.3)
    return ax


def sensitivity_figure(scenarios_table: pd.DataFrame, *, labels: Mapping[str, str] | None = None,
                       ax: Axes | None = None, lang: str = "id") -> Axes:
    """Rank of every region under every scenario, as an annotated heat map.

    Rows are regions in baseline order (best on top), columns the scenarios in the
    order of ``scenarios_table``; each cell shows the rank, its colour the shift from
    the baseline rank (diverging, colour-blind safe: orange = falls behind, purple =
    moves up, white = unchanged). The bottom label of each column gives the
    scenario's :math:`\\bar R_S`.

    Parameters
    ----------
    scenarios_table : pandas.DataFrame
        Output of :func:`evalkit.measure.effectiveness.weight_scenarios`.
    labels : Mapping[str, str], optional
        ``region_code`` -> display name.
    ax : matplotlib.axes.Axes, optional
    lang : {"id", "en"}, default "id"

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    require_columns(scenarios_table, ("scenario", "region_code", "rank", "baseline_rank",
                                      "rank_shift", "mean_abs_shift"), "scenarios_table")
    t = scenarios_table
    scen = list(dict.fromkeys(t["scenario"]))
    base = (t.drop_duplicates("region_code").set_index("region_code")["baseline_rank"]
            .astype("float64"))
    regions = sorted(base.index, key=lambda r: (np.inf if np.isnan(base[r]) else base[r], str(r)))
    rank = t.pivot(index="region_code", columns="scenario", values="rank").reindex(
        index=regions, columns=scen).astype("float64")
    shift = t.pivot(index="region_code", columns="scenario", values="rank_shift").reindex(
        index=regions, columns=scen).astype("float64")
    rs = t.drop_duplicates("scenario").set_index("scenario")["mean_abs_shift"].reindex(scen)

    ax = _new_axes(ax, 0.38 * len(regions) + 1.8, width=max(6.0, 0.85 * len(scen) + 2.5))
    lim = max(1.0, float(np.nanmax(np.abs(shift.to_numpy()))) if np.isfinite(shift.to_numpy()).any() else 1.0)
    im = ax.imshow(shift.to_numpy(), cmap="PuOr_r", vmin=-lim, vmax=lim, aspect="auto")
    for i in range(len(regions)):
        for j in range(len(scen)):
            v, d = rank.iat[i, j], shift.iat[i, j]
            dark = np.isfinite(d) and abs(d) > 0.6 * lim  # light text on dark cells
            ax.text(j, i, "–" if np.isnan(v) else f"{int(v)}", ha="center", va="center",
                    fontsize="small", color="white" if dark else "black")
    ax.set_yticks(np.arange(len(regions)), [str((labels or {}).get(r, r)) for r in regions])
    xt = [f"{s}\nR̄s={_num(round(float(v), 2), lang)}" if np.isfinite(v) else s
          for s, v in zip(scen, rs)]
    ax.set_xticks(np.arange(len(scen)), xt, rotation=45, ha="right", fontsize="x-small")
    ax.set_xlabel(text("axis_scenario", lang))
    cbar = ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cbar.set_label(text("axis_rank_shift", lang), fontsize="x-small")
    return ax


# --------------------------------------------------------------------------------------
# Cross-region models: shrinkage (caterpillar) and event study (pre-trends)
# --------------------------------------------------------------------------------------
def _both_languages(key: str) -> str:
    return f"{text(key, 'en')} / {text(key, 'id')}"


def caterpillar_figure(
    shrinkage_table: pd.DataFrame,
    *,
    labels: Mapping | pd.Series | None = None,
    ax=None,
    region: str = "region_code",
    grand_mean: float | None = None,
    raw_label: str | None = None,
    shrunken_label: str | None = None,
):
    """Caterpillar plot: raw and shrunken region means with intervals, sorted.

    Parameters
    ----------
    shrinkage_table : pandas.DataFrame
        The region table of :func:`evalkit.measure.models.region_shrinkage`.
    labels : mapping or Series, optional
        Region code -> display name; codes without a label are shown as is.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    region : str, default ``"region_code"``
        Region column of the table.
    grand_mean : float, optional
        Draws a vertical reference line (e.g. ``ShrinkageFit.grand_mean``).
    raw_label, shrunken_label : str, optional
        Legend labels; default both languages ("raw mean / rata-rata mentah",
        "shrunken / disusutkan").

    Returns
    -------
    matplotlib.axes.Axes
        The axes; nothing is shown or saved. Regions are sorted by shrunken estimate
        (lowest at the bottom), ties by region code, so the figure is deterministic.

    Notes
    -----
    Showing the raw estimate beside the partially pooled one makes the shrinkage of
    small regions visible (Gelman & Hill 2007, ch. 12).

    References
    ----------
    .. [1] Gelman, A., & Hill, J. (2007). *Data Analysis Using Regression and
           Multilevel/Hierarchical Models*. Cambridge University Press.
    """
    raw_label = _both_languages("legend_raw_mean") if raw_label is None else raw_label
    shrunken_label = _both_languages("legend_shrunken") if shrunken_label is None else shrunken_label
    need = [region, "raw_mean", "raw_ci_low", "raw_ci_upp", "shrunken", "shrunken_ci_low",
            "shrunken_ci_upp"]
    require_columns(shrinkage_table, need, "shrinkage_table")
    table = shrinkage_table.sort_values(["shrunken", region], kind="mergesort").reset_index(
        drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 0.32 * len(table) + 1.4))
    y = np.arange(len(table), dtype="float64")
    off = 0.17
    raw_err = np.vstack([table["raw_mean"] - table["raw_ci_low"],
                         table["raw_ci_upp"] - table["raw_mean"]])
    shr_err = np.vstack([table["shrunken"] - table["shrunken_ci_low"],
                         table["shrunken_ci_upp"] - table["shrunken"]])
    ax.errorbar(table["raw_mean"], y + off, xerr=np.nan_to_num(raw_err), fmt="o", mfc="white",
                color="#7f7f7f", capsize=2, ms=4, label=raw_label)
    ax.errorbar(table["shrunken"], y - off, xerr=shr_err, fmt="o", color="#1f78b4", capsize=2,
                ms=5, label=shrunken_label)
    if grand_mean is not None and np.isfinite(grand_mean):
        ax.axvline(grand_mean, ls="--", lw=1, color="#d95f02")
    names = [str(labels.get(c, c)) if labels is not None else str(c) for c in table[region]]
    ax.set_yticks(y, names)
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.legend(loc="lower right", fontsize="small", frameon=True)
    return ax


EVENT_COLUMNS: tuple[str, ...] = ("rel_year", "estimate", "ci_low", "ci_upp")


def _event_inputs(result) -> tuple[pd.DataFrame, bool, str, float]:
    """(events, supported, reason, pre-trends p) of an event-study table or a DidResult
    (read through its ``to_frame()``)."""
    if not isinstance(result, pd.DataFrame):
        result = result.to_frame()
    frame = result

    def first(col: str, default):
        return frame[col].iloc[0] if col in frame.columns and len(frame) else default

    supported = bool(first("supported", True))
    # the reason shown for an unsupported estimate: the last of the notes
    notes = first("notes", first("note", ""))
    reason = "" if notes is None or (not isinstance(notes, str) and pd.isna(notes)) else str(notes)
    reason = reason.split("\n")[-1]
    p = first("pretrend_pvalue", float("nan"))
    events = frame
    if "term" in events.columns:  # DidResult.to_frame: the DiD row, then the event study
        events = events[events["term"] == "event"]
    if "rel_year" in events.columns:  # a nullable integer column would not plot
        events = events.assign(rel_year=pd.to_numeric(events["rel_year"]).astype("float64"))
    return events, supported, reason, float("nan") if pd.isna(p) else float(p)


def pretrend_figure(result, *, title: str = "", lang: str = "en") -> plt.Figure:
    """Event-study plot: coefficients by year relative to the partnership start.

    Points with confidence intervals for each relative year (the reference period,
    normally -1, is drawn hollow at zero), a horizontal zero line, and a dashed vertical line where
    treatment starts (between -1 and 0). Leads (before the start) near zero support
    the parallel-trends assumption behind
    :func:`evalkit.measure.attribution.did_estimate`.

    Parameters
    ----------
    result : pandas.DataFrame or DidResult
        The event-study table of one indicator: columns ``rel_year, estimate,
        ci_low, ci_upp`` (the reference period with estimate 0 and no interval), and
        optionally ``term`` (only ``"event"`` rows are drawn), ``pretrend_pvalue`` (the
        joint pre-trends test, written in the corner), ``supported`` and ``notes``
        (when not supported, the figure shows the last line of the notes instead):
        the shape of :meth:`evalkit.measure.attribution.DidResult.to_frame`. A
        ``DidResult`` itself is read through its ``to_frame()``.
    title : str, optional
        Axes title.
    lang : {"en", "id"}, default "en"
        Language of the axis and legend labels.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    .. [1] Freyaldenhoven, S., Hansen, C., Pérez, J. P., & Shapiro, J. M. (2021).
       Visualization, identification, and estimation in the linear panel event-study
       design. NBER Working Paper 29170.
    """
    check_lang(lang)
    events, supported, reason, pretrend_p = _event_inputs(result)
    fig, ax = plt.subplots(figsize=(7.0, 4.0))
    if not supported or events.empty:
        reason = reason or text("event_none", lang)
        ax.text(0.5, 0.5, "\n".join(textwrap.wrap(reason, 70)), ha="center", va="center",
                transform=ax.transAxes, fontsize="small")
        ax.set_axis_off()
    else:
        require_columns(events, EVENT_COLUMNS, "event study")
        est = events.dropna(subset=["ci_low", "ci_upp"])
        ref = events[events["ci_low"].isna()]
        err = np.vstack([est["estimate"] - est["ci_low"], est["ci_upp"] - est["estimate"]])
        pre = (est["rel_year"] < 0).to_numpy()
        ax.errorbar(est.loc[pre, "rel_year"], est.loc[pre, "estimate"], yerr=err[:, pre],
                    fmt="o", color="#7f7f7f", capsize=3, label=text("event_leads", lang))
        ax.errorbar(est.loc[~pre, "rel_year"], est.loc[~pre, "estimate"],
                    yerr=err[:, ~pre], fmt="o", color="#1f78b4", capsize=3,
                    label=text("event_lags", lang))
        ax.scatter(ref["rel_year"], ref["estimate"], facecolors="white",
                   edgecolors="black", zorder=3, label=text("event_reference", lang))
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.axvline(-0.5, color="#d95f02", linestyle="--", linewidth=1.0,
                   label=text("event_start", lang))
        ax.set_xticks(events["rel_year"].astype(int).tolist())
        ax.set_xlabel(text("axis_event_year", lang))
        ax.set_ylabel(text("axis_event_effect", lang))
        if not math.isnan(pretrend_p):
            ax.text(0.01, 0.98, text("event_pretrend_p", lang, p=f"{pretrend_p:.3g}"),
                    transform=ax.transAxes, va="top", fontsize="small")
        ax.legend(loc="lower right", fontsize="small", frameon=True)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# Trajectories across waves (issue #13): regions side by side, one small panel each
# --------------------------------------------------------------------------------------
TRAJECTORY_COLUMNS = ("region_code", "wave", "estimate", "ci_low", "ci_upp")


def trajectory_grid(table: pd.DataFrame, *, waves: Sequence[str],
                    labels: Mapping[str, str] | None = None, ylabel: str = "",
                    xlabel: str = "", ylim: tuple[float, float] | None = None,
                    ncols: int = 4) -> plt.Figure:
    """Small multiples: one panel per region, its value at each wave with the interval.

    The panels share both axes, so regions compare at a glance; each is titled with the
    region's name. A missing value (a suppressed or uncomputed wave) leaves a gap in the
    line, never a point.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns :data:`TRAJECTORY_COLUMNS` (``estimate`` may be NaN); one row per region
        and wave. Regions are drawn in the order they first appear.
    waves : sequence of str
        The wave labels in order (the x axis); rows of other waves are ignored.
    labels : Mapping[str, str], optional
        ``region_code`` -> display name (the panel title); the code otherwise.
    ylabel, xlabel : str
        Axis labels (the y label on the first column of panels, the x label on the last row).
    ylim : (float, float), optional
        Limits of the shared y axis (e.g. the answer scale); from the data otherwise.
    ncols : int, default 4
        Panels per row (fewer when there are fewer regions).

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(table, TRAJECTORY_COLUMNS, "trajectory table")
    _theme()
    waves = [str(w) for w in waves]
    position = {w: i for i, w in enumerate(waves)}
    t = table.assign(wave=table["wave"].astype(str))
    t = t[t["wave"].isin(position)]
    regions = list(dict.fromkeys(t["region_code"].astype(str)))
    n = max(len(regions), 1)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False,
                             figsize=(2.3 * ncols + 0.8, 1.9 * nrows + 0.9))
    x = np.arange(len(waves))
    for k, ax in enumerate(axes.flat):
        if k >= len(regions):
            ax.set_visible(False)
            continue
        code = regions[k]
        rows = (t[t["region_code"].astype(str) == code].drop_duplicates("wave")
                .set_index("wave").reindex(waves))
        est = pd.to_numeric(rows["estimate"], errors="coerce").to_numpy(dtype="float64")
        lo = pd.to_numeric(rows["ci_low"], errors="coerce").to_numpy(dtype="float64")
        hi = pd.to_numeric(rows["ci_upp"], errors="coerce").to_numpy(dtype="float64")
        ax.plot(x, est, color=REGION_COLOR, linewidth=1.4)  # NaN: a gap
        shown = np.isfinite(est)
        err = np.vstack([est - lo, hi - est])[:, shown]
        ax.errorbar(x[shown], est[shown], yerr=np.clip(np.nan_to_num(err), 0, None), fmt="o",
                    color=REGION_COLOR, markersize=4, capsize=2, linewidth=1.0)
        ax.set_title("\n".join(textwrap.wrap(_label(labels, code), 24)), fontsize="small")
        ax.grid(alpha=0.3)
    for j in range(ncols):  # wave labels under the lowest panel of each column
        ax = axes[max(i for i in range(nrows) if i * ncols + j < len(regions) or i == 0), j]
        ax.xaxis.set_tick_params(labelbottom=True)
        ax.set_xticks(x, waves, rotation=45 if len(waves) > 3 else 0,
                      ha="right" if len(waves) > 3 else "center", fontsize="x-small")
        if xlabel:
            ax.set_xlabel(xlabel, fontsize="small")
    for ax in axes[:, 0]:
        if ylabel:
            ax.set_ylabel(ylabel, fontsize="small")
    if len(waves):
        axes[0, 0].set_xlim(-0.4, len(waves) - 0.6)
    if ylim is not None:
        axes[0, 0].set_ylim(*ylim)
    fig.tight_layout()
    return fig
