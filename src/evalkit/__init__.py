"""evalkit — partnership-effectiveness evaluations for multi-stakeholder partnerships.

Stages as layers, each importing only those below it (``tests/test_layers.py`` checks):

``core``     errors, config, the input contract, escaping, guarded writes
``read``     raw files into DataFrames, regions, the codebook, aliases
``clean``    the clean stage: clean tables, quarantine, manifest
``measure``  estimators: scales, survey weights, indicators, DiD, network, models, index
``analyse``  the tables a report shows, for every region at once
``present``  wording, figures, regional report, synthesis, workbook, index page
``run``      the ``evalkit`` command, the report batch, freshness, kernels

``demo`` generates the synthetic demo programme.

The public API
--------------
The functions a research partner uses are importable from the package itself
(``from evalkit import read_processed, cronbach_alpha, sector_effects_model``); each is
the very object of its home module (``evalkit.cronbach_alpha is
evalkit.measure.scales.cronbach_alpha``), listed in ``__all__`` and documented there.
They are imported on first use (PEP 562), so ``import evalkit`` loads no pandas or
statsmodels and a report kernel that only needs ``evalkit.core.config`` stays cheap.

- reading evalkit's products: ``read_processed``, ``read_latest``, ``read_result``,
  ``read_manifest``, ``read_waves``, ``read_scale``, ``read_sectors``,
  ``with_language_fallback`` (a blank label filled from the other language); regions:
  ``resolve_region``, ``get_region``, ``in_region``; long tables: ``scores_long``,
  ``items_long``;
- scales and reliability: ``score_dimensions``, ``reverse_key``, ``mean_ci``,
  ``summarise_scores``, ``cronbach_alpha``, ``omega_total``, ``item_analysis``,
  ``reliability_table``;
- survey estimators: ``weighted_mean``, ``weighted_proportion``, ``weighted_total``,
  ``poststratify``;
- sector differences: ``sector_differences``, ``pairwise_sector_tests``; models:
  ``sector_effects_model``, ``ordinal_sector_model``, ``region_shrinkage``, ``no_pooling``;
- change between waves: ``wave_means``, ``wave_change``, ``holm``;
- difference-in-differences: ``did_estimate``;
- the collaboration network: ``build_network``, ``network_metrics``,
  ``degree_centralisation``, ``central_organisations``, ``sector_ties``,
  ``sector_mixing``, ``partner_scores``, ``partner_summary``, and its drawing
  ``network_figure``;
- indicators: ``progress_table``, ``assess_progress``, ``achievement_ratio``,
  ``fit_trend``, ``fit_trends``, and the trend chart ``indicator_trends``;
- the effectiveness index: ``IndexSpec``, ``ComponentSpec``, ``weights_table``,
  ``to_wide``, ``normalise``, ``composite_index``, ``bootstrap_index``,
  ``weight_sensitivity``, ``weight_scenarios``;
- result types: ``Estimate``, ``AlphaResult``, ``OmegaResult``, ``ShrinkageFit``,
  ``DidResult``, ``ProgressResult``, ``TrendResult``, ``Region``.

Constants: ``PROCESSED_DATA_DIR`` (this project's processed folder, ``data/processed``;
where ``evalkit clean`` writes), ``CI_LEVEL`` (the confidence level every default
uses, 0.95) and ``MIN_CELL`` (groups smaller than this are suppressed, 5), from
:mod:`evalkit.core.config`; ``DEFAULT_SPEC``, the index's weights
(:mod:`evalkit.measure.effectiveness`).
"""

from importlib import import_module

__version__ = "0.1.0"

# name -> home module. Only these modules are imported, and only when a name is first
# asked for: importlib, not an import statement, so the import contract (lint-imports)
# sees no import from the root package into the stages (the stages import
# ``evalkit.__version__`` from here; a static import would make each of them depend on
# every stage above it).
_HOMES = {
    "evalkit.core.config": ["PROCESSED_DATA_DIR", "CI_LEVEL", "MIN_CELL"],
    "evalkit.read.products": ["read_processed", "read_latest", "read_result", "read_manifest",
                              "read_waves", "read_scale", "read_sectors",
                              "with_language_fallback"],
    "evalkit.read.regions": ["Region", "resolve_region", "get_region"],
    "evalkit.analyse.region_tables": ["in_region", "scores_long", "items_long"],
    "evalkit.measure.scales": ["Estimate", "AlphaResult", "OmegaResult", "score_dimensions",
                               "reverse_key", "mean_ci", "summarise_scores", "cronbach_alpha",
                               "omega_total", "item_analysis", "reliability_table"],
    "evalkit.measure.survey": ["weighted_mean", "weighted_proportion", "weighted_total",
                               "poststratify"],
    "evalkit.measure.sector_tests": ["sector_differences", "pairwise_sector_tests"],
    "evalkit.measure.models": ["ShrinkageFit", "sector_effects_model", "ordinal_sector_model",
                               "region_shrinkage", "no_pooling"],
    "evalkit.measure.change": ["wave_means", "wave_change", "holm"],
    "evalkit.measure.attribution": ["DidResult", "did_estimate"],
    "evalkit.measure.network": ["build_network", "network_metrics", "degree_centralisation",
                                "central_organisations", "sector_ties", "sector_mixing",
                                "partner_scores", "partner_summary"],
    "evalkit.measure.indicators": ["ProgressResult", "TrendResult", "progress_table",
                                   "assess_progress", "achievement_ratio", "fit_trend",
                                   "fit_trends"],
    "evalkit.measure.effectiveness": ["DEFAULT_SPEC", "IndexSpec", "ComponentSpec",
                                      "weights_table", "to_wide", "normalise",
                                      "composite_index", "bootstrap_index",
                                      "weight_sensitivity", "weight_scenarios"],
    "evalkit.present.figures": ["network_figure", "indicator_trends"],
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    """The public API's names, imported from their home module on first use (PEP 562)."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
