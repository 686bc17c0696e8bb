"""Estimators on clean tables: scales and reliability, survey weights, indicator progress,
difference-in-differences, engagement, the network, sector and region models, and the
composite effectiveness index.

Pure functions: no file I/O and no matplotlib (an import contract checks both).
"""
