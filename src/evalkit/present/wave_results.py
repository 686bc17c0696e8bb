"""The wave results as the synthesis, the workbook and the index page read them (issue #13).

The results stage (:mod:`evalkit.analyse.results`) writes one table per wave result into
the results folder. A folder written before waves existed has none of them:
:func:`wave_result` then gives what a single wave gives (``waves`` one row, every change
table empty), so every reader shows one wave and nothing breaks. Missing columns are
added, so readers can rely on :data:`WAVE_RESULT_COLUMNS`.

Its own module (not in :mod:`evalkit.present.index_page`): the products' freshness rule
follows imports, and the synthesis and the workbook must not depend on the index page's
template.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evalkit.core.config import PROCESSED_DATA_DIR
from evalkit.read import products
from evalkit.read.products import read_result
from evalkit.read.waves import SINGLE_WAVE

__all__ = ["WAVE_RESULT_COLUMNS", "single_wave_result", "wave_labels", "wave_result"]

#: The wave results tables the presentation reads (issue #13; computed by
#: :mod:`evalkit.analyse.results`), with their columns. A results folder written before
#: waves existed has none of them: :func:`wave_result` then gives the table of a single
#: wave (``waves``: one row, :data:`evalkit.read.waves.SINGLE_WAVE`; the others empty).
WAVE_RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "waves": ("wave", "order", "start", "end", "source", "respondents"),
    "wave_scores": ("region_code", "wave", "order", "dimension", "estimate", "se", "ci_low",
                    "ci_upp", "nobs", "suppressed", "weighted"),
    "wave_change": ("region_code", "dimension", "comparison", "from_wave", "to_wave", "estimate",
                    "se", "ci_low", "ci_upp", "p_value", "p_holm", "changed", "direction",
                    "n_from", "n_to", "n_both", "clusters", "suppressed", "reason"),
    "wave_sector_change": ("region_code", "sector", "comparison", "from_wave", "to_wave",
                           "estimate", "se", "ci_low", "ci_upp", "p_value", "p_holm", "changed",
                           "direction", "n_from", "n_to", "n_both", "clusters", "suppressed",
                           "reason"),
    "wave_network": ("region_code", "wave", "order", "organisations", "ties", "density",
                     "centralisation", "mean_trust", "mean_value", "isolated"),
    "network_change": ("region_code", "from_wave", "to_wave", "ties_gained", "ties_lost",
                       "ties_kept", "density_change", "centralisation_change", "trust_change",
                       "trust_ci_low", "trust_ci_upp", "value_change", "value_ci_low",
                       "value_ci_upp"),
    "network_role_change": ("region_code", "from_wave", "to_wave", "organisation", "sector",
                            "change", "degree_from", "degree_to"),
    "wave_index": ("region_code", "wave", "order", "index", "ci_low", "ci_upp", "rank",
                   "n_ranked", "suppressed", "reason"),
    "index_change": ("region_code", "from_wave", "to_wave", "index_from", "index_to", "change",
                     "ci_low", "ci_upp", "rank_from", "rank_to", "rank_change"),
}


def single_wave_result(name: str) -> pd.DataFrame:
    """What a wave results table holds for data of one undeclared wave: ``waves`` one row
    (:data:`evalkit.read.waves.SINGLE_WAVE`, source ``single``), every other table no rows."""
    if name == "waves":
        return pd.DataFrame({"wave": [SINGLE_WAVE], "order": [1], "start": [pd.NaT],
                             "end": [pd.NaT], "source": ["single"], "respondents": [pd.NA]})
    return pd.DataFrame({c: pd.Series(dtype=object) for c in WAVE_RESULT_COLUMNS[name]})


def wave_result(name: str, processed_dir: Path | str = PROCESSED_DATA_DIR, *,
                subfolder: str | None = None) -> pd.DataFrame:
    """One wave results table (a key of :data:`WAVE_RESULT_COLUMNS`), or what a single
    wave gives when the results folder has none (written before waves existed).

    Missing columns are added (all missing), so callers can rely on the schema.
    ``subfolder``: results of other analysis choices
    (:func:`evalkit.read.products.results_dir`).
    """
    columns = WAVE_RESULT_COLUMNS[name]
    path = products.results_dir(Path(processed_dir), subfolder) / f"{name}.parquet"
    if not path.exists():
        return single_wave_result(name)
    table = read_result(name, Path(processed_dir), subfolder=subfolder)
    for column in columns:
        if column not in table.columns:
            table[column] = pd.Series([pd.NA] * len(table), index=table.index, dtype=object)
    if name == "waves":
        table = table.sort_values("order", kind="stable").reset_index(drop=True)
    return table


def wave_labels(processed_dir: Path | str = PROCESSED_DATA_DIR) -> list[str]:
    """The labels of the waves, first to latest (one label when waves are not declared)."""
    return [str(w) for w in wave_result("waves", processed_dir)["wave"]]
