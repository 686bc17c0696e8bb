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

from evalkit.core.checks import require_columns

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


def dimension_levels(scores: pd.DataFrame, col: str = "dimension") -> list:
    """Dimensions in output order: category order if categorical, else first appearance.

    ``col`` names the split column (default ``"dimension"``; the ``by`` role).
    """
    dim = scores[col]
    if isinstance(dim.dtype, pd.CategoricalDtype):
        seen = set(pd.unique(dim.dropna()))
        return [c for c in dim.cat.categories if c in seen]
    return list(pd.unique(dim.dropna()))


def dimension_column(values: list, scores: pd.DataFrame, extra: Sequence = (),
                     col: str = "dimension") -> pd.Series | list:
    """The output ``dimension`` column, categorical (same order) when the input's ``col`` is."""
    dtype = scores[col].dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = list(dtype.categories) + [e for e in extra if e not in set(dtype.categories)]
        return pd.Categorical(values, categories=cats, ordered=dtype.ordered)
    return values


def check_roles(data: pd.DataFrame, *, y: str, group: str, by: str | None, what: str = "data"
                ) -> None:
    """Check the column roles of a long table (``y`` value, ``group`` factor, ``by`` split).

    Each role must be a column name (``by`` may be ``None``: the whole table is one
    analysis), the roles must name different columns, every named column must be in
    ``data`` and ``y`` must be numeric. Raises ``ValueError`` naming the argument.
    """
    roles = {"y": y, "group": group, "by": by}
    for arg, name in roles.items():
        if name is None and arg == "by":
            continue
        if not isinstance(name, str) or not name:
            allowed = "a column name or None" if arg == "by" else "a column name"
            raise ValueError(f"{arg} must be {allowed} (a non-empty string), got {name!r}.")
    named = {arg: name for arg, name in roles.items() if name is not None}
    seen: dict[str, str] = {}
    for arg, name in named.items():
        if name in seen:
            raise ValueError(f"{seen[name]} and {arg} both name column {name!r}; each role "
                             "needs its own column.")
        seen[name] = arg
    require_columns(data, list(named.values()), what)
    check_numeric(data, y, what)
