"""The long score table every sector and region estimator reads.

One row per respondent and dimension (``response_id, region_code, sector, dimension,
score``, from :func:`evalkit.analyse.region_tables.scores_long`); these helpers check its
value column and keep its level orders (categorical order when the input has one), so
the rank tests (:mod:`evalkit.measure.sector_tests`) and the models
(:mod:`evalkit.measure.models`) order their output the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

#: Label of the model row that uses each respondent's mean over all dimensions.
OVERALL = "overall"


def check_numeric(df: pd.DataFrame, col: str, what: str) -> None:
    s = df[col]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise ValueError(f"{what}: column {col!r} must be numeric, got dtype {s.dtype}.")


def levels(s: pd.Series) -> list:
    """Observed levels of a grouping column: category order if categorical, else sorted."""
    present = pd.unique(s.dropna())
    if isinstance(s.dtype, pd.CategoricalDtype):
        seen = set(present)
        return [c for c in s.cat.categories if c in seen]
    return sorted(present, key=str)


def dimension_levels(scores: pd.DataFrame) -> list:
    """Dimensions in output order: category order if categorical, else first appearance."""
    dim = scores["dimension"]
    if isinstance(dim.dtype, pd.CategoricalDtype):
        seen = set(pd.unique(dim.dropna()))
        return [c for c in dim.cat.categories if c in seen]
    return list(pd.unique(dim.dropna()))


def dimension_column(values: list, scores: pd.DataFrame, extra: Sequence = ()) -> pd.Series | list:
    """The output ``dimension`` column, categorical (same order) when the input's is."""
    dtype = scores["dimension"].dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = list(dtype.categories) + [e for e in extra if e not in set(dtype.categories)]
        return pd.Categorical(values, categories=cats, ordered=dtype.ordered)
    return values


