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
"""

__version__ = "0.1.0"
