"""Report figures (seaborn/matplotlib). Each function returns a Figure and draws nothing else.

Colours are colour-blind safe and every figure carries its meaning in labels too.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

REGION_COLOR = "#1f78b4"
BENCHMARK_COLOR = "#7f7f7f"
TARGET_COLOR = "#d95f02"


def _theme() -> None:
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95)


def dimension_profile(table: pd.DataFrame, *, region_label: str, benchmark_label: str,
                      xlabel: str) -> plt.Figure:
    """Dimension means with 95% CIs for one region, benchmark marked beside each.

    ``table`` columns: ``label`` (dimension label), ``estimate, ci_low, ci_upp,
    benchmark`` in display order (top to bottom).
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
    ax.set_xlim(1, 5)
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower right", frameon=True, fontsize="small")
    fig.tight_layout()
    return fig


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
        ax.set_title(str(ind[name_column]), fontsize="small", wrap=True)
        ax.set_ylabel(f"{value_label} ({ind['unit']})", fontsize="small")
        ax.tick_params(labelsize="x-small")
        ax.xaxis.get_major_locator().set_params(integer=True)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig
