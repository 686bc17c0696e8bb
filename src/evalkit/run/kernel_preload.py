"""What a report kernel imports before its first cell, and the one-off warm-up.

Two users: the fork server of :mod:`evalkit.run.fork_kernel` runs :func:`warm_up` once (see
:func:`evalkit.run.fork_kernel._serve`), so every kernel forked from it starts with these
modules loaded; :mod:`evalkit.run.kernel_pool` runs it in a plain (not forked) kernel before
handing the kernel out.
"""

from __future__ import annotations

import importlib
import io
import sys

#: Modules the regional and synthesis notebooks use (directly, or through
#: ``evalkit.present.report`` / ``evalkit.present.synthesis``), plus the kernel machinery itself.
WARM_MODULES: tuple[str, ...] = (
    "numpy", "pandas", "pyarrow.parquet", "pandas.io.formats.style", "scipy.stats",
    "statsmodels.api", "statsmodels.formula.api", "matplotlib.pyplot", "seaborn", "networkx",
    "IPython.display", "evalkit.present.report", "evalkit.present.synthesis",
    "evalkit.run.stages",  # the regional notebook's ensure_choices
)

#: Imported only where the kernel is forked: the kernel application a child starts.
KERNEL_MODULES: tuple[str, ...] = ("ipykernel.kernelapp", "ipykernel.ipkernel",
                                   "matplotlib_inline.backend_inline")


def warm_up(modules: tuple[str, ...] = WARM_MODULES) -> None:
    """Import ``modules``, build the region registry if evalkit.read.regions is among them, and
    render one figure to memory (loads fonts and the SVG writer)."""
    for name in modules:
        importlib.import_module(name)
    if "evalkit.read.regions" in sys.modules:  # the region registry, built once (0.4 s)
        sys.modules["evalkit.read.regions"].all_regions()
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1))
    figure.subplots().set_title("warm")
    figure.savefig(io.BytesIO(), format="svg")  # the format of report figures (figures.figure_html)

