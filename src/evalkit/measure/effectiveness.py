"""Partnership-effectiveness index per region (report section 7, "Effectiveness").

The index combines three *pillars* — process (partnership health), engagement
(attendance, pentahelix coverage) and outcomes (agreed indicators) — into one number
per region, built the way the OECD/JRC *Handbook on Constructing Composite
Indicators* prescribes [1]_:

1. **normalisation** of every component to a common scale, stated in the spec
   (:func:`normalise`);
2. **weights** in one configurable place, the :class:`IndexSpec` (the default is
   :data:`DEFAULT_SPEC`);
3. **aggregation**, components into pillars and pillars into the index
   (:func:`composite_index`);
4. **uncertainty**: a bootstrap interval for each region's index and rank
   (:func:`bootstrap_index`), as in step 7 of the Handbook and [2]_;
5. **sensitivity** of the ranking to the weights: random pillar weights
   (:func:`weight_sensitivity`) and fixed alternative scenarios with the average
   rank shift :math:`\\bar R_S` (:func:`weight_scenarios`);
6. a **method statement with its limits**: words, so they belong to the presentation
   stage (:func:`evalkit.present.index_wording.method_text`; the labels of pillars and
   components are :mod:`evalkit.present.i18n` keys ``pillar_<key>`` and
   ``index_component_<key>``); the two figures are drawn by
   :func:`evalkit.present.figures.index_figure` and
   :func:`evalkit.present.figures.sensitivity_figure`. This module holds codes only:
   pillar and component keys, weights, goalposts and methods.

Input format
------------
A long table with one row per region and component::

    region_code  component            value   se
    15.71        health               3.82    0.09
    15.71        attendance_rate      0.71    0.03
    ...

``se`` is the standard error of ``value`` (NaN or 0 = no sampling uncertainty known).
:func:`to_wide` turns it into a region × component table; every function also
accepts that wide table (index or column ``region_code``, one column per component).

Decisions (each documented where it is implemented)
---------------------------------------------------
* **Missing components — transparency over imputation.** A region without a value
  for a component gets its pillar from the remaining components of that pillar, with
  their weights rescaled to sum to one, and the ``missing`` column lists what was
  left out. A region without any value in a pillar that carries weight gets no index
  and no rank (NaN) -- unless *no* region has a value in that pillar (the programme
  has no attendance file, no indicators, no register): that pillar is then left out
  of the index for every region, the other pillars' weights rescaled to sum to one
  (:func:`effective_spec`), and :func:`missing_pillars` names it. Nothing is
  imputed: the Handbook's step 3 discusses imputation,
  but with a handful of regions an imputed value would be a guess presented as data.
* **Geometric aggregation and zeros.** A weighted geometric mean is zero as soon as
  one component is zero, and undefined for negative values. evalkit raises
  ``floor`` (:attr:`IndexSpec.geometric_floor`, default 0.01 on the 0–1 scale) under
  every normalised value before taking logarithms, so a region at the bottom
  goalpost of one component is heavily penalised but still ranked on the others;
  geometric aggregation of z-scores is refused.
* **Ranks**: 1 = best; ties share the best (lowest) rank (``method="min"``); index
  values are rounded to :data:`RANK_DECIMALS` decimals before ranking so that
  floating-point noise does not break ties.

Everything here is pure: DataFrames in, new DataFrames out, no file I/O, no drawing.

References
----------
.. [1] Nardo, M., Saisana, M., Saltelli, A., Tarantola, S., Hoffman, A. &
   Giovannini, E. (2008). *Handbook on Constructing Composite Indicators:
   Methodology and User Guide*. OECD Publishing, Paris (OECD & JRC).
   https://doi.org/10.1787/9789264043466-en — Part 1 steps 3 (missing data),
   5 (normalisation), 6 (weighting and aggregation), 7 (uncertainty and
   sensitivity analysis); Part 2 sections of the same numbers.
.. [2] Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity
   analysis techniques as tools for the quality assessment of composite indicators.
   *Journal of the Royal Statistical Society A* 168(2), 307–323.
   https://doi.org/10.1111/j.1467-985X.2005.00350.x
.. [3] UNDP (2010). *Human Development Report 2010*, Technical note 1 (fixed
   goalposts; geometric mean of dimension indices).
.. [4] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
   Chapman & Hall, §6.5 (parametric bootstrap) and ch. 13 (percentile intervals).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.core.checks import check_level, require_columns
from evalkit.core.config import CI_LEVEL

__all__ = [
    "AGGREGATIONS",
    "BOOTSTRAP_COLUMNS",
    "DEFAULT_CONCENTRATION",
    "DEFAULT_SPEC",
    "NORMALISATIONS",
    "RANK_DECIMALS",
    "SCENARIO_COLUMNS",
    "SENSITIVITY_COLUMNS",
    "ComponentSpec",
    "IndexSpec",
    "bootstrap_index",
    "composite_index",
    "draw_pillar_weights",
    "effective_spec",
    "mean_rank_shift",
    "missing_pillars",
    "normalise",
    "scenario_names",
    "scenario_spec",
    "spec_for_scale",
    "to_wide",
    "weight_scenarios",
    "weight_sensitivity",
    "weights_table",
    "without_pillars",
]

Direction = Literal["higher", "lower"]
Normalisation = Literal["goalpost", "minmax", "zscore"]
Aggregation = Literal["arithmetic", "geometric"]

_DIRECTIONS = ("higher", "lower")
#: Normalisation methods (Handbook step 5): fixed goalposts, min–max over the regions
#: compared, z-scores.
NORMALISATIONS: tuple[str, ...] = ("goalpost", "minmax", "zscore")
#: Aggregation methods (Handbook step 6): weighted arithmetic or geometric mean.
AGGREGATIONS: tuple[str, ...] = ("arithmetic", "geometric")

#: Index values are rounded to this many decimals before ranking, so that two regions
#: whose index differs only by floating-point noise (e.g. 0.49999999999999994 vs 0.5)
#: share a rank.
RANK_DECIMALS = 9

#: Default concentration :math:`\\kappa` of the Dirichlet distribution of pillar weights
#: in :func:`weight_sensitivity`. Weights are drawn from Dirichlet(:math:`\\kappa w`),
#: whose mean is the spec's weights :math:`w` and whose variance is
#: :math:`w_p (1 - w_p) / (\\kappa + 1)`. With three equal pillars and
#: :math:`\\kappa = 20` each weight has standard deviation 0.10 and a 90% range of about
#: 0.17–0.51 — "reasonable people could weight a pillar anywhere from a sixth to a
#: half". Smaller :math:`\\kappa` spreads the weights more; :math:`\\kappa` equal to the
#: number of pillars with equal weights is the uniform distribution on the simplex
#: (any weighting equally plausible).
DEFAULT_CONCENTRATION = 20.0

# Column names that a pillar may not take (they are columns of the index table).
_RESERVED = frozenset({"region_code", "index", "rank", "missing", "missing_pillars",
                       "suppressed"})

# ---------------------------------------------------------------------------------
# Configuration (one place)
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentSpec:
    """One component of the index.

    Validated when placed in an :class:`IndexSpec`, where an error can name the
    component.

    Attributes
    ----------
    pillar : str
        Key of the pillar the component belongs to (a key of
        :attr:`IndexSpec.pillar_weights`).
    direction : {"higher", "lower"}
        Whether a higher value is better (``"higher"``) or worse (``"lower"``);
        lower-is-better components are reversed by the normalisation.
    weight : float
        Weight within the pillar, >= 0; rescaled so that the weights of a pillar sum
        to one.
    unit : str
        Unit of the raw value, for tables.
    goalposts : tuple of float, optional
        Fixed theoretical minimum and maximum ``(lo, hi)`` of the raw value, e.g.
        ``(1, 5)`` for a mean Likert score, ``(0, 1)`` for a share. Required by
        ``normalisation="goalpost"``; when given, values outside are an error and
        bootstrap draws are clipped to them whatever the normalisation.
    """

    pillar: str
    direction: Direction = "higher"
    weight: float = 1.0
    unit: str = ""
    goalposts: tuple[float, float] | None = None


def _is_weight(x: object) -> bool:
    return (isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)
            and math.isfinite(float(x)) and float(x) >= 0)


@dataclass(frozen=True)
class IndexSpec:
    """Everything that defines the index: components, weights, normalisation, aggregation.

    Weights live here and nowhere else. They are given in any non-negative units and
    rescaled: component weights to sum to one within each pillar, pillar weights to
    sum to one across pillars (:attr:`component_weights`, :attr:`normalised_pillar_weights`).
    Pillars and components are codes; their labels are wording, in
    :mod:`evalkit.present.i18n` (``pillar_<key>``, ``index_component_<key>``; a key
    without a label is shown as the key).

    Attributes
    ----------
    components : Mapping[str, ComponentSpec]
        Component key -> spec, in display order.
    pillar_weights : Mapping[str, float]
        Pillar key -> weight, in display order. Every pillar needs at least one
        component and every component's pillar must be listed. A pillar may have
        weight 0 (it is then computed and shown but does not enter the index).
    normalisation : {"goalpost", "minmax", "zscore"}, default "goalpost"
        See :func:`normalise`.
    aggregation : {"arithmetic", "geometric"}, default "arithmetic"
        Used both for components into pillars and for pillars into the index; see
        :func:`composite_index`.
    geometric_floor : float, default 0.01
        With geometric aggregation, normalised values (0–1 scale) below this are
        raised to it before taking logarithms, so one zero does not make the whole
        index zero. Must be in (0, 1).

    Raises
    ------
    ValueError
        On any inconsistency; the message names the offending component or pillar.

    References
    ----------
    .. [1] Nardo et al. (2008), *Handbook on Constructing Composite Indicators*,
       OECD/JRC, step 6 (weighting and aggregation).
    """

    components: Mapping[str, ComponentSpec]
    pillar_weights: Mapping[str, float]
    normalisation: Normalisation = "goalpost"
    aggregation: Aggregation = "arithmetic"
    geometric_floor: float = 0.01

    def __post_init__(self) -> None:
        if not isinstance(self.components, Mapping) or not self.components:
            raise ValueError("components must be a non-empty mapping of key -> ComponentSpec")
        if not isinstance(self.pillar_weights, Mapping) or not self.pillar_weights:
            raise ValueError("pillar_weights must be a non-empty mapping of pillar -> weight")
        if self.normalisation not in NORMALISATIONS:
            raise ValueError(
                f"normalisation must be one of {', '.join(NORMALISATIONS)}, got {self.normalisation!r}"
            )
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(
                f"aggregation must be one of {', '.join(AGGREGATIONS)}, got {self.aggregation!r}"
            )
        if self.aggregation == "geometric" and self.normalisation == "zscore":
            raise ValueError(
                "geometric aggregation needs positive normalised values, but z-scores are "
                "negative for every below-average region; use normalisation='goalpost' or "
                "'minmax' with aggregation='geometric'"
            )
        floor = self.geometric_floor
        if not _is_weight(floor) or not 0 < float(floor) < 1:
            raise ValueError(f"geometric_floor must be a number in (0, 1), got {floor!r}")

        for p, w in self.pillar_weights.items():
            if not isinstance(p, str) or not p:
                raise ValueError(f"pillar keys must be non-empty strings, got {p!r}")
            if p in _RESERVED:
                raise ValueError(
                    f"pillar {p!r}: name is reserved for a column of the index table "
                    f"({', '.join(sorted(_RESERVED))}); choose another"
                )
            if not _is_weight(w):
                raise ValueError(f"pillar {p!r}: weight must be a finite number >= 0, got {w!r}")
        if sum(float(w) for w in self.pillar_weights.values()) <= 0:
            raise ValueError(
                f"pillar_weights are all zero ({dict(self.pillar_weights)}); at least one "
                "pillar needs a positive weight"
            )

        for c, comp in self.components.items():
            if not isinstance(c, str) or not c:
                raise ValueError(f"component keys must be non-empty strings, got {c!r}")
            if not isinstance(comp, ComponentSpec):
                raise ValueError(f"component {c!r}: expected a ComponentSpec, got {type(comp).__name__}")
            if comp.pillar not in self.pillar_weights:
                raise ValueError(
                    f"component {c!r} belongs to pillar {comp.pillar!r}, which has no entry in "
                    f"pillar_weights (pillars: {', '.join(self.pillar_weights)})"
                )
            if comp.direction not in _DIRECTIONS:
                raise ValueError(
                    f"component {c!r}: direction must be 'higher' or 'lower', got {comp.direction!r}"
                )
            if not _is_weight(comp.weight):
                raise ValueError(
                    f"component {c!r}: weight must be a finite number >= 0, got {comp.weight!r}"
                )
            if comp.goalposts is not None:
                gp = comp.goalposts
                ok = (isinstance(gp, (tuple, list)) and len(gp) == 2
                      and all(_is_finite_number(v) for v in gp) and float(gp[0]) < float(gp[1]))
                if not ok:
                    raise ValueError(
                        f"component {c!r}: goalposts must be (min, max) with min < max, got {gp!r}"
                    )
            elif self.normalisation == "goalpost":
                raise ValueError(
                    f"component {c!r} has no goalposts, but normalisation='goalpost' needs fixed "
                    "(min, max) goalposts for every component"
                )

        for p in self.pillar_weights:
            members = [c for c, comp in self.components.items() if comp.pillar == p]
            if not members:
                raise ValueError(f"pillar {p!r} has no components")
            if sum(float(self.components[c].weight) for c in members) <= 0:
                raise ValueError(
                    f"pillar {p!r}: all component weights are zero ({', '.join(members)}); "
                    "at least one needs a positive weight"
                )

        # Freeze the mappings so a spec cannot be changed behind a report's back.
        object.__setattr__(self, "components", MappingProxyType(dict(self.components)))
        object.__setattr__(
            self, "pillar_weights",
            MappingProxyType({p: float(w) for p, w in self.pillar_weights.items()}),
        )

    # -- derived, read-only views ------------------------------------------------
    @property
    def pillars(self) -> tuple[str, ...]:
        """Pillar keys in display order."""
        return tuple(self.pillar_weights)

    @property
    def component_names(self) -> tuple[str, ...]:
        """Component keys in display order."""
        return tuple(self.components)

    def pillar_components(self, pillar: str) -> tuple[str, ...]:
        """Component keys of one pillar, in display order."""
        if pillar not in self.pillar_weights:
            raise ValueError(f"unknown pillar {pillar!r}; pillars: {', '.join(self.pillars)}")
        return tuple(c for c, comp in self.components.items() if comp.pillar == pillar)

    @property
    def component_weights(self) -> dict[str, float]:
        """Component weights rescaled to sum to one within each pillar."""
        out: dict[str, float] = {}
        for p in self.pillars:
            members = self.pillar_components(p)
            total = sum(float(self.components[c].weight) for c in members)
            for c in members:
                out[c] = float(self.components[c].weight) / total
        return {c: out[c] for c in self.components}

    @property
    def normalised_pillar_weights(self) -> dict[str, float]:
        """Pillar weights rescaled to sum to one."""
        total = sum(self.pillar_weights.values())
        return {p: w / total for p, w in self.pillar_weights.items()}

    @property
    def overall_weights(self) -> dict[str, float]:
        """Nominal weight of each component in the index (pillar weight × component weight)."""
        pw = self.normalised_pillar_weights
        return {c: pw[self.components[c].pillar] * w for c, w in self.component_weights.items()}


def _is_finite_number(x: object) -> bool:
    return (isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)
            and math.isfinite(float(x)))


#: The default index: three pillars with equal weights (1/3 each), components equally
#: weighted within their pillar. Its labels are :mod:`evalkit.present.i18n` keys
#: (``pillar_<key>``, ``index_component_<key>``).
DEFAULT_SPEC = IndexSpec(
    components={
        "health": ComponentSpec(
            pillar="process", direction="higher", weight=1.0,
            unit="1–5", goalposts=(1.0, 5.0),
        ),
        "attendance_rate": ComponentSpec(
            pillar="engagement", direction="higher", weight=1.0,
            unit="0–1", goalposts=(0.0, 1.0),
        ),
        "pentahelix_coverage": ComponentSpec(
            pillar="engagement", direction="higher", weight=1.0,
            unit="0–1", goalposts=(0.0, 1.0),
        ),
        "indicators_on_track": ComponentSpec(
            pillar="outcome", direction="higher", weight=1.0,
            unit="0–1", goalposts=(0.0, 1.0),
        ),
        "achievement": ComponentSpec(
            pillar="outcome", direction="higher", weight=1.0,
            # achievement ratios (indicators.achievement_ratio) capped to [0, 1] before
            # averaging, so one over-achieved indicator cannot hide an off-track one.
            unit="0–1", goalposts=(0.0, 1.0),
        ),
    },
    pillar_weights={"process": 1.0, "engagement": 1.0, "outcome": 1.0},
    # Fixed goalposts, not min–max over the sample: the index must be comparable
    # between regions and between quarters. Min–max over the regions in this run
    # would move every region's score whenever one region (the best or the worst)
    # changes, and is unstable with the few regions a programme has; goalposts are the
    # JRC's recommendation for comparisons over time (and the HDI's practice).
    normalisation="goalpost",
    # Arithmetic mean: simple to explain and robust to a zero component; its
    # compensability (a strong pillar offsets a weak one) is stated in the limits text
    # (i18n "index_limit_compensability"), and the "geometric" scenario of
    # weight_scenarios shows how much it matters.
    aggregation="arithmetic",
)


def spec_for_scale(scale, spec: IndexSpec = DEFAULT_SPEC) -> IndexSpec:
    """``spec`` with the health component's goalposts at the ends of the form's scale.

    The health score is a mean answer on the survey's scale, so its theoretical minimum
    and maximum are the scale's end points (``(1, 4)`` on a 4-point form, ``(0, 6)`` on
    a 0–6 one); :data:`DEFAULT_SPEC` has the 1–5 scale's. ``scale`` is an
    :class:`evalkit.core.contract.Scale` (anything with ``min``, ``max``, ``range_text()``).
    """
    if "health" not in spec.components:
        return spec
    health = replace(spec.components["health"], unit=scale.range_text(),
                                 goalposts=(float(scale.min), float(scale.max)))
    return replace(spec, components={**spec.components, "health": health})


def weights_table(spec: IndexSpec = DEFAULT_SPEC) -> pd.DataFrame:
    """The weights of a spec as a tidy table, for reports.

    Parameters
    ----------
    spec : IndexSpec, default :data:`DEFAULT_SPEC`

    Returns
    -------
    pandas.DataFrame
        One row per component, columns ``pillar, component, direction, goalpost_low,
        goalpost_high, component_weight`` (within the pillar, sums to 1 per pillar),
        ``pillar_weight`` (sums to 1 over pillars) and ``weight`` (their product: the
        nominal weight in the index). Codes only:
        :func:`evalkit.present.index_wording.weights_table` adds the labels.

    References
    ----------
    .. [1] Nardo et al. (2008), *Handbook on Constructing Composite Indicators*,
       OECD/JRC, step 6: weights must be stated explicitly.

    Examples
    --------
    >>> weights_table()["weight"].round(4).tolist()
    [0.3333, 0.1667, 0.1667, 0.1667, 0.1667]
    """
    cw = spec.component_weights
    pw = spec.normalised_pillar_weights
    rows = []
    for c, comp in spec.components.items():
        lo, hi = comp.goalposts if comp.goalposts is not None else (math.nan, math.nan)
        rows.append({
            "pillar": comp.pillar,
            "component": c,
            "direction": comp.direction,
            "goalpost_low": float(lo),
            "goalpost_high": float(hi),
            "component_weight": cw[c],
            "pillar_weight": pw[comp.pillar],
            "weight": cw[c] * pw[comp.pillar],
        })
    order = {p: i for i, p in enumerate(spec.pillars)}
    out = pd.DataFrame(rows)
    return out.sort_values("pillar", key=lambda s: s.map(order), kind="stable", ignore_index=True)


# ---------------------------------------------------------------------------------
# Input: long -> wide, validation
# ---------------------------------------------------------------------------------

_LONG_COLUMNS = ("region_code", "component", "value")


def _is_long(df: pd.DataFrame) -> bool:
    return isinstance(df, pd.DataFrame) and "component" in df.columns and "value" in df.columns


def to_wide(values_long: pd.DataFrame, spec: IndexSpec = DEFAULT_SPEC, *,
            column: str = "value", name: str = "values") -> pd.DataFrame:
    """Turn the long component table into a region × component table.

    Parameters
    ----------
    values_long : pandas.DataFrame
        Columns ``region_code, component`` and ``column`` (other columns ignored).
    spec : IndexSpec, default :data:`DEFAULT_SPEC`
        Defines which components exist and their order.
    column : str, default "value"
        Which column to spread (``"se"`` gives the standard errors).
    name : str, default "values"
        Name of the table in error messages.

    Returns
    -------
    pandas.DataFrame
        Index ``region_code`` (sorted), one ``float64`` column per component of the
        spec in spec order; NaN where a region has no row (or a missing value).

    Raises
    ------
    ValueError
        Missing columns, a row without region code, a component not in the spec,
        two rows for the same region and component, or a non-numeric value — the
        message names the region and component.

    Examples
    --------
    >>> long = pd.DataFrame({"region_code": ["15.71", "15.71"],
    ...                      "component": ["health", "attendance_rate"],
    ...                      "value": [3.5, 0.8]})
    >>> to_wide(long).loc["15.71", ["health", "attendance_rate"]].tolist()
    [3.5, 0.8]
    """
    require_columns(values_long, ("region_code", "component", column), name)
    df = values_long
    if df["region_code"].isna().any():
        rows = df.index[df["region_code"].isna()].tolist()
        raise ValueError(f"{name}: row(s) {rows[:5]} have no region_code")
    unknown = sorted({str(c) for c in df["component"] if c not in spec.components})
    if unknown:
        raise ValueError(
            f"{name}: component(s) {unknown} are not in the index spec "
            f"(known: {', '.join(spec.components)})"
        )
    dup = df.duplicated(subset=["region_code", "component"], keep=False)
    if dup.any():
        pairs = sorted({(str(r), str(c)) for r, c in df.loc[dup, ["region_code", "component"]]
                        .itertuples(index=False)})
        raise ValueError(
            f"{name} has more than one row for (region_code, component) {pairs[:5]}; keep one"
        )
    vals = pd.to_numeric(df[column], errors="coerce")
    bad = vals.isna() & df[column].notna()
    if bad.any():
        r, c = df.loc[bad, ["region_code", "component"]].iloc[0]
        raise ValueError(
            f"{name}: non-numeric {column} {df.loc[bad, column].iloc[0]!r} for "
            f"region_code={r!r}, component={c!r}"
        )
    codes = sorted(pd.unique(df["region_code"]).tolist())
    wide = (
        pd.DataFrame({"region_code": df["region_code"].to_numpy(),
                      "component": df["component"].to_numpy(),
                      "v": vals.to_numpy(dtype="float64")})
        .pivot(index="region_code", columns="component", values="v")
        .reindex(index=codes, columns=list(spec.components))
        .astype("float64")
    )
    wide.index.name = "region_code"
    wide.columns.name = "component"
    return wide


def _wide_from_wide(values: pd.DataFrame, spec: IndexSpec, name: str) -> pd.DataFrame:
    df = values.set_index("region_code") if "region_code" in values.columns else values
    unknown = [str(c) for c in df.columns if c not in spec.components]
    if unknown:
        raise ValueError(
            f"{name}: column(s) {unknown} are not components of the index spec "
            f"(known: {', '.join(spec.components)}); pass a long table or drop them"
        )
    if df.index.hasnans:
        raise ValueError(f"{name}: some rows have no region_code")
    if df.index.has_duplicates:
        dupes = sorted({str(r) for r in df.index[df.index.duplicated()]})
        raise ValueError(f"{name} has more than one row for region_code {dupes[:5]}; keep one")
    out = pd.DataFrame(index=df.index)
    for c in spec.components:
        if c not in df.columns:
            out[c] = np.nan
            continue
        col = pd.to_numeric(df[c], errors="coerce")
        bad = col.isna() & df[c].notna()
        if bad.any():
            raise ValueError(
                f"{name}: non-numeric value {df.loc[bad, c].iloc[0]!r} for "
                f"region_code={bad[bad].index[0]!r}, component={c!r}"
            )
        out[c] = col.astype("float64")
    out = out.sort_index()
    out.index.name = "region_code"
    out.columns.name = "component"
    return out


def _check_goalposts(wide: pd.DataFrame, spec: IndexSpec, name: str) -> None:
    for c, comp in spec.components.items():
        if comp.goalposts is None:
            continue
        lo, hi = (float(v) for v in comp.goalposts)
        tol = 1e-12 * (hi - lo)
        col = wide[c]
        out = col[(col < lo - tol) | (col > hi + tol)]
        if len(out):
            raise ValueError(
                f"{name}: component {c!r} of region_code={out.index[0]!r} is {float(out.iloc[0])!r}, "
                f"outside its goalposts [{lo:g}, {hi:g}] (theoretical min and max); check the "
                "value or the spec"
            )


def _as_wide(values: pd.DataFrame, spec: IndexSpec, name: str = "values") -> pd.DataFrame:
    if not isinstance(values, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(values).__name__}")
    wide = to_wide(values, spec, name=name) if _is_long(values) else _wide_from_wide(values, spec, name)
    _check_goalposts(wide, spec, name)
    return wide


def _se_wide(values_long: pd.DataFrame, spec: IndexSpec, index: pd.Index) -> pd.DataFrame:
    if not _is_long(values_long) or "se" not in values_long.columns:
        raise ValueError(
            "the parametric bootstrap needs the long table with an 'se' column "
            "(region_code, component, value, se; se = 0 or NaN for no sampling uncertainty), "
            "or pre-computed replicates= tables"
        )
    se = to_wide(values_long, spec, column="se").reindex(index)
    neg = se.stack()
    neg = neg[neg < 0]
    if len(neg):
        (r, c), v = neg.index[0], neg.iloc[0]
        raise ValueError(f"values: negative se {float(v)!r} for region_code={r!r}, component={c!r}")
    if np.isinf(se.to_numpy()).any():
        r, c = se.stack()[np.isinf(se.stack())].index[0]
        raise ValueError(f"values: infinite se for region_code={r!r}, component={c!r}")
    # NaN se = no sampling uncertainty known: the component is held fixed.
    return se.fillna(0.0)


# ---------------------------------------------------------------------------------
# Computational core (arrays: replicates × regions × components)
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    components: tuple[str, ...]
    pillars: tuple[str, ...]
    member: np.ndarray        # (P, C) bool: component c in pillar p
    w_comp: np.ndarray        # (C,) within-pillar weights
    w_pillar: np.ndarray      # (P,) pillar weights, sum 1
    lo: np.ndarray            # (C,) goalpost low (NaN if none)
    hi: np.ndarray            # (C,)
    lower: np.ndarray         # (C,) bool: lower is better
    normalisation: str
    aggregation: str
    floor: float

    @property
    def scale(self) -> float:
        # 0–100 for the bounded normalisations; z-units otherwise.
        return 1.0 if self.normalisation == "zscore" else 100.0


def _plan(spec: IndexSpec) -> _Plan:
    comps = spec.component_names
    pillars = spec.pillars
    cw = spec.component_weights
    pw = spec.normalised_pillar_weights
    gp = [spec.components[c].goalposts for c in comps]
    return _Plan(
        components=comps,
        pillars=pillars,
        member=np.array([[spec.components[c].pillar == p for c in comps] for p in pillars]),
        w_comp=np.array([cw[c] for c in comps], dtype="float64"),
        w_pillar=np.array([pw[p] for p in pillars], dtype="float64"),
        lo=np.array([g[0] if g is not None else np.nan for g in gp], dtype="float64"),
        hi=np.array([g[1] if g is not None else np.nan for g in gp], dtype="float64"),
        lower=np.array([spec.components[c].direction == "lower" for c in comps]),
        normalisation=spec.normalisation,
        aggregation=spec.aggregation,
        floor=float(spec.geometric_floor),
    )


def _normalise_array(X: np.ndarray, plan: _Plan) -> np.ndarray:
    """Normalise ``X`` (..., regions, components); statistics over the regions axis."""
    X = np.asarray(X, dtype="float64")
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        if plan.normalisation == "goalpost":
            span = plan.hi - plan.lo
            Z = np.where(plan.lower, (plan.hi - X) / span, (X - plan.lo) / span)
        elif plan.normalisation == "minmax":
            mn = np.nanmin(X, axis=-2, keepdims=True)
            mx = np.nanmax(X, axis=-2, keepdims=True)
            rng = mx - mn
            safe = np.where(rng > 0, rng, 1.0)
            Z = np.where(plan.lower, (mx - X) / safe, (X - mn) / safe)
            # A component on which all regions are equal does not discriminate: every
            # region gets the midpoint 0.5 (min–max is undefined there).
            Z = np.where((rng > 0) | np.isnan(X), Z, 0.5)
        else:  # zscore, sample standard deviation (n - 1)
            mean = np.nanmean(X, axis=-2, keepdims=True)
            sd = np.nanstd(X, axis=-2, ddof=1, keepdims=True)
            ok = np.isfinite(sd) & (sd > 0)
            safe = np.where(ok, sd, 1.0)
            Z = (X - mean) / safe
            Z = np.where(plan.lower, -Z, Z)
            # No spread (or a single region): every region sits at the mean, z = 0.
            Z = np.where(ok | np.isnan(X), Z, 0.0)
    return Z


def _combine(V: np.ndarray, W: np.ndarray, aggregation: str, floor: float, *,
             require_weighted: bool) -> np.ndarray:
    """Weighted mean over the last axis with missing values.

    ``require_weighted=False`` (components into a pillar): missing values are left out
    and the remaining weights rescaled; NaN only when no positively weighted value is
    left. ``require_weighted=True`` (pillars into the index): NaN as soon as a value
    with positive weight is missing.
    """
    V, Wb = np.broadcast_arrays(np.asarray(V, dtype="float64"), np.asarray(W, dtype="float64"))
    present = ~np.isnan(V)
    Weff = np.where(present, Wb, 0.0)
    if aggregation == "geometric":
        T = np.log(np.maximum(np.where(present, V, 1.0), floor))
    else:
        T = np.where(present, V, 0.0)
    num = (Weff * T).sum(axis=-1)
    den = Weff.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    if aggregation == "geometric":
        out = np.exp(out)
    if require_weighted:
        out = np.where((~present & (Wb > 0)).any(axis=-1), np.nan, out)
    return out


def _pillars_array(Z: np.ndarray, plan: _Plan) -> np.ndarray:
    """Pillar sub-indices (unscaled) from normalised values: (..., R, C) -> (..., R, P)."""
    cols = []
    for k in range(len(plan.pillars)):
        idx = np.flatnonzero(plan.member[k])
        cols.append(_combine(Z[..., idx], plan.w_comp[idx], plan.aggregation, plan.floor,
                             require_weighted=False))
    return np.stack(cols, axis=-1)


def _index_from_pillars(pillars: np.ndarray, w_pillar: np.ndarray, plan: _Plan) -> np.ndarray:
    return _combine(pillars, w_pillar, plan.aggregation, plan.floor, require_weighted=True)


def _rank_array(index: np.ndarray) -> np.ndarray:
    """Ranks along the last axis: 1 = highest index, ties share the lowest rank, NaN stays NaN."""
    x = np.round(np.asarray(index, dtype="float64"), RANK_DECIMALS)
    nan = np.isnan(x)
    key = np.where(nan, np.inf, -x)
    r = stats.rankdata(key, method="min", axis=-1).astype("float64")
    r[nan] = np.nan
    return r


def _compute(X: np.ndarray, plan: _Plan) -> tuple[np.ndarray, np.ndarray]:
    """Index and pillar sub-indices (both scaled) for values (..., R, C)."""
    Z = _normalise_array(X, plan)
    P = _pillars_array(Z, plan)
    idx = _index_from_pillars(P, plan.w_pillar, plan)
    return idx * plan.scale, P * plan.scale


def _absent_pillars(X: np.ndarray, spec: IndexSpec) -> tuple[str, ...]:
    """Weighted pillars of which no region (rows of ``X``, spec component order) has any
    value: the programme has no data for them. Empty when no pillar has any value (the
    index is then undefined whatever the weights)."""
    X = np.asarray(X, dtype="float64").reshape(-1, len(spec.components))
    have = ~np.isnan(X).all(axis=0) if len(X) else np.zeros(len(spec.components), dtype=bool)
    comps = spec.component_names
    absent = tuple(p for p in spec.pillars if spec.pillar_weights[p] > 0
                   and not any(have[comps.index(c)] for c in spec.pillar_components(p)))
    kept = [p for p in spec.pillars if spec.pillar_weights[p] > 0 and p not in absent]
    return absent if kept else ()


def without_pillars(spec: IndexSpec, pillars: Iterable[str]) -> IndexSpec:
    """``spec`` with the weight of ``pillars`` set to 0: left out of the index, the other
    pillars' weights rescaled (:attr:`IndexSpec.normalised_pillar_weights`). With the
    ``missing_pillars`` of a results index table it gives the spec that index used."""
    pillars = set(pillars)
    if not pillars:
        return spec
    return replace(spec, pillar_weights={p: (0.0 if p in pillars else w)
                                         for p, w in spec.pillar_weights.items()})


def missing_pillars(values: pd.DataFrame, spec: IndexSpec = DEFAULT_SPEC) -> tuple[str, ...]:
    """The pillars of ``spec`` (with positive weight) for which no region in ``values``
    has any component value: the programme has no data for them (no attendance file, no
    indicators, no register). :func:`effective_spec` leaves them out of the index."""
    wide = _as_wide(values, spec)
    return _absent_pillars(wide.to_numpy(dtype="float64"), spec)


def effective_spec(values: pd.DataFrame, spec: IndexSpec = DEFAULT_SPEC) -> IndexSpec:
    """The spec the index of ``values`` is actually computed with: ``spec`` with the
    weight of every :func:`missing_pillars` pillar set to 0, so the pillars the
    programme has carry the index, their weights rescaled to sum to one (shown by
    :func:`weights_table` and :func:`evalkit.present.index_wording.method_text` of the
    returned spec).

    This extends the missing-component rule of :func:`composite_index` from one region
    to the whole programme: a pillar one region lacks while others have it still gives
    that region no index (its index would not be comparable); a pillar no region has
    is not part of this programme's index at all.
    """
    return without_pillars(spec, missing_pillars(values, spec))


#: Columns of :func:`bootstrap_index`.
BOOTSTRAP_COLUMNS = ("region_code", "index", "ci_low", "ci_upp", "rank", "rank_ci_low",
                     "rank_ci_upp", "n_rep")
#: Columns of :func:`weight_sensitivity`.
SENSITIVITY_COLUMNS = ("region_code", "index", "baseline_rank", "median_rank", "rank_p05",
                       "rank_p95", "share_rank_changed", "mean_abs_shift")
#: Columns of :func:`weight_scenarios`.
SCENARIO_COLUMNS = ("scenario", "region_code", "index", "rank", "baseline_rank", "rank_shift",
                    "mean_abs_shift")


def _empty(columns: tuple[str, ...], int_columns: tuple[str, ...]) -> pd.DataFrame:
    """The table of a function for input without any region: no rows, same columns."""
    out = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    for c in ("region_code", "scenario"):
        if c in out:
            out[c] = out[c].astype(object)
    for c in int_columns:
        out[c] = out[c].astype("Int64")
    if "n_rep" in out:
        out["n_rep"] = out["n_rep"].astype("int64")
    return out


def _int_ranks(r: np.ndarray) -> pd.Series:
    return pd.Series(pd.array([None if np.isnan(v) else int(v) for v in r], dtype="Int64"))


# ---------------------------------------------------------------------------------
# Normalisation and aggregation
# ---------------------------------------------------------------------------------


def normalise(values: pd.DataFrame, spec: IndexSpec = DEFAULT_SPEC) -> pd.DataFrame:
    """Normalise every component to a common scale, lower-is-better reversed.

    With :math:`x_{rc}` the value of component :math:`c` in region :math:`r`:

    ``"goalpost"``
        :math:`(x_{rc} - L_c) / (U_c - L_c)` with the component's fixed goalposts
        :math:`(L_c, U_c)`; for lower-is-better components
        :math:`(U_c - x_{rc}) / (U_c - L_c)`. In [0, 1], independent of the other
        regions.
    ``"minmax"``
        The same with :math:`L_c, U_c` the minimum and maximum over the regions in
        ``values`` that have the component. A component on which all regions are
        equal (or that only one region has) gets 0.5.
    ``"zscore"``
        :math:`(x_{rc} - \\bar x_c) / s_c` with the mean and sample standard deviation
        (:math:`n - 1`) over the regions; sign reversed for lower-is-better. Zero
        when :math:`s_c` is 0 or undefined.

    Parameters
    ----------
    values : pandas.DataFrame
        Long table (``region_code, component, value``) or wide table (index or
        column ``region_code``, one column per component).
    spec : IndexSpec, default :data:`DEFAULT_SPEC`

    Returns
    -------
    pandas.DataFrame
        Index ``region_code`` (sorted), one column per component of the spec; NaN
        where the value is missing.

    Raises
    ------
    ValueError
        Unknown components, duplicates, non-numeric values, or a value outside its
        goalposts (naming region and component).

    References
    ----------
    .. [1] Nardo et al. (2008), *Handbook on Constructing Composite Indicators*,
       OECD/JRC, step 5 and Part 2 §5 (normalisation: standardisation, min–max,
       distance to a reference).
    .. [2] UNDP (2010), *Human Development Report 2010*, Technical note 1 (fixed
       goalposts).

    Examples
    --------
    >>> wide = pd.DataFrame({"health": [2.0, 5.0]}, index=["a", "b"])
    >>> normalise(wide)["health"].tolist()
    [0.25, 1.0]
    """
    wide = _as_wide(values, spec)
    Z = _normalise_array(wide.to_numpy(dtype="float64"), _plan(spec))
    return pd.DataFrame(Z, index=wide.index.copy(), columns=wide.columns.copy())


def composite_index(values: pd.DataFrame, spec: IndexSpec = DEFAULT_SPEC) -> pd.DataFrame:
    """The partnership-effectiveness index of every region, with pillar sub-indices and rank.

    Components are normalised (:func:`normalise`), combined into one sub-index per
    pillar with the pillar's component weights, and the pillars combined into the
    index with the pillar weights:

    arithmetic
        :math:`I_r = \\sum_p W_p \\sum_{c \\in p} w_c z_{rc}`
    geometric
        :math:`I_r = \\prod_p \\big(\\prod_{c \\in p} \\max(z_{rc}, f)^{w_c}\\big)^{W_p}`,
        with every normalised value and sub-index raised to the floor
        :math:`f` (:attr:`IndexSpec.geometric_floor`) first.

    With goalpost or min–max normalisation the index and sub-indices are on a 0–100
    scale (normalised 0–1 values × 100); with z-scores they are weighted means of
    z-scores (0 = the average region).

    **Missing components** (no row, or NaN): the region's pillar is computed from the
    remaining components of that pillar, their weights rescaled to sum to one, and
    the ``missing`` column lists the components left out. If no positively weighted
    component of a pillar is left, that pillar is NaN; a region whose NaN pillar
    carries weight gets NaN index and no rank. A pillar that *no* region has (the
    programme has no data for it) is instead left out for every region, the other
    pillars' weights rescaled (:func:`effective_spec`); ``attrs["missing_pillars"]``
    of the result (and :func:`missing_pillars`) names it. Nothing is imputed. Min–max
    and z-score statistics use the regions that have the component.

    Parameters
    ----------
    values : pandas.DataFrame
        Long table (``region_code, component, value[, se]``) or wide table.
    spec : IndexSpec, default :data:`DEFAULT_SPEC`

    Returns
    -------
    pandas.DataFrame
        One row per region (sorted by ``region_code``), columns ``region_code``,
        ``index`` (float), ``rank`` (``Int64``, 1 = best, ties share the lowest rank,
        ``<NA>`` without index), one column per pillar (sub-index, float; NaN for a
        missing pillar) and ``missing`` (comma-separated component keys, ``""`` when
        complete). ``attrs["missing_pillars"]``: the tuple of pillars left out of the
        index for the whole programme (empty when none).

    Raises
    ------
    ValueError
        Invalid input (see :func:`to_wide`) or a value outside its goalposts.

    References
    ----------
    .. [1] Nardo et al. (2008), *Handbook on Constructing Composite Indicators*,
       OECD/JRC, step 6 and Part 2 §6 (linear and geometric aggregation,
       compensability); step 3 (missing data).
    .. [2] UNDP (2010), *Human Development Report 2010*, Technical note 1
       (geometric mean of dimension indices).

    Examples
    --------
    >>> long = pd.DataFrame({
    ...     "region_code": ["a"] * 5,
    ...     "component": list(DEFAULT_SPEC.components),
    ...     "value": [5.0, 1.0, 1.0, 1.0, 1.0]})
    >>> row = composite_index(long).iloc[0]
    >>> float(row["index"]), int(row["rank"])
    (100.0, 1)
    """
    wide = _as_wide(values, spec)
    X = wide.to_numpy(dtype="float64")
    absent = _absent_pillars(X, spec)
    plan = _plan(without_pillars(spec, absent))
    idx, P = _compute(X, plan)
    out = pd.DataFrame({"region_code": wide.index.to_numpy(), "index": idx})
    out["rank"] = _int_ranks(_rank_array(idx))
    for k, p in enumerate(plan.pillars):
        out[p] = P[:, k]
    out["missing"] = [", ".join(c for c, m in zip(plan.components, row) if m)
                      for row in np.isnan(X)]
    out.attrs["missing_pillars"] = absent
    return out


def mean_rank_shift(reference: pd.Series | np.ndarray, other: pd.Series | np.ndarray) -> float:
    """Average absolute shift in rank, the Handbook's :math:`\\bar R_S`.

    .. math:: \\bar R_S = \\frac{1}{M} \\sum_{r=1}^{M}
              \\left| \\mathrm{Rank}_{ref}(r) - \\mathrm{Rank}(r) \\right|

    over the :math:`M` regions ranked in both.

    Parameters
    ----------
    reference, other : pandas.Series or array-like
        Ranks; Series are aligned on their index, arrays by position. Missing ranks
        are left out.

    Returns
    -------
    float
        NaN when no region is ranked in both.

    References
    ----------
    .. [1] Saisana, Saltelli & Tarantola (2005), JRSS A 168:307–323 (the output
       statistic :math:`\\bar R_S`).
    .. [2] Nardo et al. (2008), *Handbook on Constructing Composite Indicators*,
       OECD/JRC, step 7 / Part 2 §7 (uncertainty and sensitivity analysis).

    Examples
    --------
    >>> mean_rank_shift([1, 2, 3, 4], [2, 1, 3, 4])
    0.5
    """
    if isinstance(reference, pd.Series) and isinstance(other, pd.Series):
        reference, other = reference.align(other, join="inner")
    a, b = _float_array(reference), _float_array(other)
    if len(a) != len(b):
        raise ValueError(f"rank vectors differ in length ({len(a)} vs {len(b)})")
    ok = ~np.isnan(a) & ~np.isnan(b)
    if not ok.any():
        return math.nan
    return float(np.mean(np.abs(a[ok] - b[ok])))


def _float_array(x: object) -> np.ndarray:
    s = x if isinstance(x, pd.Series) else pd.Series(list(np.asarray(x, dtype="object").ravel()))
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


# ---------------------------------------------------------------------------------
# Uncertainty: bootstrap
# ---------------------------------------------------------------------------------


def _check_count(n: object, name: str) -> int:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return int(n)


def bootstrap_index(
    values_long: pd.DataFrame,
    spec: IndexSpec = DEFAULT_SPEC,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = CI_LEVEL,
    replicates: Iterable[pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Bootstrap percentile intervals for every region's index and rank.

    **Parametric bootstrap** (default): in each of ``n_boot`` replicates every
    component value is drawn from :math:`N(\\text{value}, \\text{se}^2)` — clipped to
    the component's goalposts when it has them (a share stays in [0, 1]) — and the
    whole index is recomputed: normalisation (which matters for min–max and z-scores,
    whose statistics move with the draws), aggregation, and the ranking of all
    regions. A value whose ``se`` is 0 or NaN is held fixed. Components are drawn
    independently.

    **Pre-computed replicates**: pass ``replicates=`` (e.g. component tables computed
    from respondents resampled within each region) and they are used instead of the
    normal draws; ``n_boot`` and ``seed`` are then ignored.

    The interval is the percentile interval: the :math:`(1-\\text{ci})/2` and
    :math:`(1+\\text{ci})/2` quantiles of the replicate indices (linear
    interpolation), and of the replicate ranks (``inverted_cdf``, so rank limits are
    ranks that occurred).

    Parameters
    ----------
    values_long : pandas.DataFrame
        Long table ``region_code, component, value, se`` (the point estimates). With
        ``replicates`` a wide table is accepted too and ``se`` is not needed.
    spec : IndexSpec, default :data:`DEFAULT_SPEC`
    n_boot : int, default 1000
        Number of parametric replicates.
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`; same inputs and seed, same result.
    ci : float, default :data:`~evalkit.core.config.CI_LEVEL`
        Coverage of the intervals.
    replicates : iterable of pandas.DataFrame, optional
        Replicate component tables (long or wide), each for the same regions and
        components as ``values_long``. A region or component missing in a replicate
        is NaN there (that replicate is left out for the regions it affects).

    Returns
    -------
    pandas.DataFrame
        One row per region (sorted by ``region_code``): ``region_code``, ``index``
        (point estimate, as :func:`composite_index`), ``ci_low``, ``ci_upp``,
        ``rank`` (``Int64``), ``rank_ci_low``, ``rank_ci_upp`` (``Int64``; the better
        and the worse end), ``n_rep`` (replicates with a finite index). All NaN /
        ``<NA>`` for a region without index.

    Raises
    ------
    ValueError
        Invalid input, missing ``se`` column (parametric), a negative ``se``, a
        replicate with an unknown region, or invalid ``n_boot`` / ``ci``.

    Notes
    -----
    The interval reflects the sampling error stated by ``se`` (or captured by the
    replicates) and nothing else: weights, normalisation and the choice of
    components are held fixed here and examined by :func:`weight_sensitivity` and
    :func:`weight_scenarios`. Clipping at a goalpost makes the draws asymmetric for
    a value at or near its bound, as the true sampling distribution of a bounded
    quantity is; when that pushes the estimate outside the percentile interval (a
    region at the top goalpost of several components, say), the interval is
    widened to include the estimate — a conservative choice, and the only departure
    from plain percentiles. Away from the goalposts it never applies.

    References
    ----------
    .. [1] Nardo et al. (2008), *Handbook on Constructing Composite Indicators*,
       OECD/JRC, step 7 / Part 2 §7 (uncertainty and sensitivity analysis).
    .. [2] Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and
       sensitivity analysis techniques as tools for the quality assessment of
       composite indicators. *JRSS A* 168(2), 307–323.
    .. [3] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*,
       §6.5 (parametric bootstrap), ch. 13 (percentile intervals).
    """
    ci = check_level(ci)
    wide = _as_wide(values_long, spec)
    if wide.empty:
        return _empty(BOOTSTRAP_COLUMNS, ("rank", "rank_ci_low", "rank_ci_upp"))
    X = wide.to_numpy(dtype="float64")
    plan = _plan(without_pillars(spec, _absent_pillars(X, spec)))  # pillars the programme has
    point_idx, _ = _compute(X, plan)
    point_rank = _rank_array(point_idx)

    if replicates is None:
        n_boot = _check_count(n_boot, "n_boot")
        SE = _se_wide(values_long, spec, wide.index).to_numpy(dtype="float64")
        rng = np.random.default_rng(seed)
        E = rng.standard_normal((n_boot, *X.shape))
        D = X + SE * E
        # Bounded components stay within their goalposts (NaN stays NaN).
        has_gp = ~np.isnan(plan.lo)
        D = np.clip(D, np.where(has_gp, plan.lo, -np.inf), np.where(has_gp, plan.hi, np.inf))
    else:
        mats = []
        for i, rep in enumerate(replicates):
            rw = _as_wide(rep, spec, name=f"replicate {i}")
            extra = [r for r in rw.index if r not in wide.index]
            if extra:
                raise ValueError(
                    f"replicate {i} has region_code(s) {extra[:5]} that are not in values"
                )
            mats.append(rw.reindex(wide.index).to_numpy(dtype="float64"))
        if not mats:
            raise ValueError("replicates is empty; pass at least one replicate table or None")
        D = np.stack(mats)

    boot_idx, _ = _compute(D, plan)
    boot_rank = _rank_array(boot_idx)

    a = (1 - ci) / 2
    rows = []
    for j, code in enumerate(wide.index):
        v = boot_idx[:, j]
        v = v[np.isfinite(v)]
        rk = boot_rank[:, j]
        rk = rk[np.isfinite(rk)]
        if np.isnan(point_idx[j]) or not len(v):
            lo = hi = rlo = rhi = math.nan
        else:
            lo, hi = np.quantile(v, [a, 1 - a])
            rlo, rhi = np.quantile(rk, [a, 1 - a], method="inverted_cdf")
            # At a goalpost the draws can move only one way; the interval is widened to
            # include the estimate itself rather than show a point outside its interval.
            lo, hi = min(lo, point_idx[j]), max(hi, point_idx[j])
            rlo, rhi = min(rlo, point_rank[j]), max(rhi, point_rank[j])
        rows.append({
            "region_code": code, "index": point_idx[j], "ci_low": float(lo), "ci_upp": float(hi),
            "rank": point_rank[j], "rank_ci_low": float(rlo), "rank_ci_upp": float(rhi),
            "n_rep": int(len(v)) if not np.isnan(point_idx[j]) else 0,
        })
    out = pd.DataFrame(rows)
    for col in ("rank", "rank_ci_low", "rank_ci_upp"):
        out[col] = _int_ranks(out[col].to_numpy(dtype="float64"))
    return out


# ---------------------------------------------------------------------------------
# Sensitivity to weights
# ---------------------------------------------------------------------------------


def draw_pillar_weights(spec: IndexSpec = DEFAULT_SPEC, *, n_draws: int = 1000, seed: int = 0,
                        concentration: float = DEFAULT_CONCENTRATION) -> pd.DataFrame:
    """Random pillar weights from a Dirichlet distribution centred on the spec's weights.

    Draws :math:`W \\sim \\mathrm{Dirichlet}(\\kappa w)` over the pillars with positive
    weight :math:`w` (normalised); pillars with weight 0 stay at 0. Then
    :math:`E[W_p] = w_p` and :math:`\\mathrm{Var}[W_p] = w_p (1 - w_p) / (\\kappa + 1)`
    (see :data:`DEFAULT_CONCENTRATION` for what :math:`\\kappa` means in practice).

    Parameters
    ----------
    spec : IndexSpec, default :data:`DEFAULT_SPEC`
    n_draws : int, default 1000
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`.
    concentration : float, default :data:`DEFAULT_CONCENTRATION`
        :math:`\\kappa > 0`.

    Returns
    -------
    pandas.DataFrame
        Index ``draw`` (0 … n_draws - 1), one column per pillar; rows sum to 1.

    References
    ----------
    .. [1] Kotz, S., Balakrishnan, N. & Johnson, N. L. (2000). *Continuous
       Multivariate Distributions*, vol. 1, 2nd ed., Wiley, ch. 49 (Dirichlet
       moments).
    .. [2] Saisana, Saltelli & Tarantola (2005), JRSS A 168:307–323 (weights as an
       uncertain input of a composite indicator).
    """
    n_draws = _check_count(n_draws, "n_draws")
    if not _is_finite_number(concentration) or float(concentration) <= 0:
        raise ValueError(f"concentration must be a finite number > 0, got {concentration!r}")
    w = np.array(list(spec.normalised_pillar_weights.values()), dtype="float64")
    pos = w > 0
    rng = np.random.default_rng(seed)
    W = np.zeros((n_draws, len(w)))
    W[:, pos] = rng.dirichlet(float(concentration) * w[pos], size=n_draws)
    return pd.DataFrame(W, columns=list(spec.pillars), index=pd.RangeIndex(n_draws, name="draw"))


def weight_sensitivity(
    values_long: pd.DataFrame,
    spec: IndexSpec = DEFAULT_SPEC,
    *,
    n_draws: int = 1000,
    seed: int = 0,
    concentration: float = DEFAULT_CONCENTRATION,
) -> pd.DataFrame:
    """How much each region's rank depends on the pillar weights (Monte Carlo).

    The pillar weights are redrawn ``n_draws`` times from
    :func:`draw_pillar_weights` (a Dirichlet centred on the spec's weights); for
    each draw the index of every region is recomputed from its pillar sub-indices
    (components, normalisation and within-pillar weights held fixed) and all regions
    are ranked.

    Parameters
    ----------
    values_long : pandas.DataFrame
        Long or wide component table (``se`` is not used).
    spec : IndexSpec, default :data:`DEFAULT_SPEC`
    n_draws : int, default 1000
    seed : int, default 0
    concentration : float, default :data:`DEFAULT_CONCENTRATION`
        :math:`\\kappa` of the Dirichlet: larger = weights closer to the spec's.

    Returns
    -------
    pandas.DataFrame
        One row per region (sorted): ``region_code``, ``index`` and
        ``baseline_rank`` (with the spec's weights), ``median_rank``,
        ``rank_p05``, ``rank_p95`` (5th and 95th percentiles of the rank over the
        draws, ``inverted_cdf``), ``share_rank_changed`` (share of draws in which the
        rank differs from the baseline rank) and ``mean_abs_shift`` (mean absolute
        rank change over the draws). NaN for a region without index.

    References
    ----------
    .. [1] Nardo et al. (2008), *Handbook on Constructing Composite Indicators*,
       OECD/JRC, step 7 / Part 2 §7 (uncertainty and sensitivity analysis; weights
       as an uncertain input).
    .. [2] Saisana, Saltelli & Tarantola (2005), JRSS A 168:307–323.
    """
    wide = _as_wide(values_long, spec)
    spec = without_pillars(spec, _absent_pillars(wide.to_numpy(dtype="float64"), spec))
    W = draw_pillar_weights(spec, n_draws=n_draws, seed=seed,
                            concentration=concentration).to_numpy()
    if wide.empty:
        return _empty(SENSITIVITY_COLUMNS, ("baseline_rank", "rank_p05", "rank_p95"))
    plan = _plan(spec)
    Z = _normalise_array(wide.to_numpy(dtype="float64"), plan)
    P = _pillars_array(Z, plan)                                   # (R, P), 0–1 scale
    base = _index_from_pillars(P, plan.w_pillar, plan) * plan.scale
    base_rank = _rank_array(base)
    draws = _index_from_pillars(P[None, :, :], W[:, None, :], plan) * plan.scale  # (D, R)
    ranks = _rank_array(draws)

    rows = []
    for j, code in enumerate(wide.index):
        rk = ranks[:, j]
        rk = rk[np.isfinite(rk)]
        if np.isnan(base_rank[j]) or not len(rk):
            med = p05 = p95 = changed = shift = math.nan
        else:
            med = float(np.median(rk))
            p05, p95 = (float(q) for q in np.quantile(rk, [0.05, 0.95], method="inverted_cdf"))
            changed = float(np.mean(rk != base_rank[j]))
            shift = float(np.mean(np.abs(rk - base_rank[j])))
        rows.append({"region_code": code, "index": base[j], "baseline_rank": base_rank[j],
                     "median_rank": med, "rank_p05": p05, "rank_p95": p95,
                     "share_rank_changed": changed, "mean_abs_shift": shift})
    out = pd.DataFrame(rows)
    for col in ("baseline_rank", "rank_p05", "rank_p95"):
        out[col] = _int_ranks(out[col].to_numpy(dtype="float64"))
    return out


def _scenario_specs(spec: IndexSpec) -> list[tuple[str, IndexSpec]]:
    out: list[tuple[str, IndexSpec]] = [("baseline", spec)]
    # Equal weights: every component counts the same (pillar weight proportional to
    # its number of components).
    out.append(("equal", replace(
        spec,
        components={c: replace(comp, weight=1.0) for c, comp in spec.components.items()},
        pillar_weights={p: float(len(spec.pillar_components(p))) for p in spec.pillars},
    )))
    positive = [p for p, w in spec.pillar_weights.items() if w > 0]
    if len(positive) > 1:
        for p in positive:
            out.append((f"drop:{p}", replace(
                spec, pillar_weights={q: (0.0 if q == p else w) for q, w in spec.pillar_weights.items()})))
        for p in positive:
            out.append((f"double:{p}", replace(
                spec, pillar_weights={q: (2 * w if q == p else w) for q, w in spec.pillar_weights.items()})))
    if spec.aggregation == "arithmetic":
        if spec.normalisation != "zscore":  # geometric means of z-scores are undefined
            out.append(("geometric", replace(spec, aggregation="geometric")))
    else:
        out.append(("arithmetic", replace(spec, aggregation="arithmetic")))
    if spec.normalisation != "minmax":
        out.append(("minmax", replace(spec, normalisation="minmax")))
    elif all(comp.goalposts is not None for comp in spec.components.values()):
        out.append(("goalpost", replace(spec, normalisation="goalpost")))
    return out


def scenario_names(spec: IndexSpec = DEFAULT_SPEC) -> tuple[str, ...]:
    """The ``scenario`` codes :func:`weight_scenarios` computes for ``spec``, in order.

    ``"baseline"``, ``"equal"``, ``"drop:<pillar>"`` and ``"double:<pillar>"`` for each
    pillar with positive weight (when there are two or more), then the method
    alternatives that apply: ``"geometric"`` (arithmetic spec, not z-scores) or
    ``"arithmetic"``, and ``"minmax"`` or (a min–max spec with goalposts) ``"goalpost"``.

    Examples
    --------
    >>> scenario_names()[-2:]
    ('geometric', 'minmax')
    """
    return tuple(name for name, _ in _scenario_specs(spec))


def scenario_spec(name: str, spec: IndexSpec = DEFAULT_SPEC) -> IndexSpec:
    """The specification of the weighting scenario ``name`` of ``spec`` (one of
    :func:`scenario_names`; ``"baseline"`` is ``spec`` itself), as :func:`weight_scenarios`
    uses it: what an index computed with that weighting as its own baseline takes.

    Examples
    --------
    >>> scenario_spec("drop:outcome").pillar_weights["outcome"]
    0.0
    """
    for scenario, scenario_spec_ in _scenario_specs(spec):
        if scenario == name:
            return scenario_spec_
    raise ValueError(f"unknown weighting scenario {name!r}; the scenarios of this index are "
                     f"{', '.join(scenario_names(spec))}.")


def weight_scenarios(values_long: pd.DataFrame, spec: IndexSpec = DEFAULT_SPEC) -> pd.DataFrame:
    """Ranks under fixed alternative weightings and methods, with the average rank shift.

    Scenarios, in this order (names are short strings):

    ``baseline``
        The spec as given.
    ``equal``
        Every component weighted equally (each pillar weighted by its number of
        components).
    ``drop:<pillar>``
        That pillar's weight set to 0 (only pillars with positive weight, and only
        when another pillar keeps a positive weight).
    ``double:<pillar>``
        That pillar's weight doubled (then all rescaled).
    ``geometric``
        Geometric instead of arithmetic aggregation (``arithmetic`` when the
        baseline is geometric; left out for z-scores, where it is undefined).
    ``minmax``
        Min–max over the regions instead of the baseline normalisation
        (``goalpost`` when the baseline is min–max and every component has
        goalposts).

    Parameters
    ----------
    values_long : pandas.DataFrame
        Long or wide component table (``se`` is not used).
    spec : IndexSpec, default :data:`DEFAULT_SPEC`

    Returns
    -------
    pandas.DataFrame
        Long table, one row per scenario and region: ``scenario``, ``region_code``,
        ``index``, ``rank`` and ``baseline_rank`` (``Int64``), ``rank_shift``
        (``rank - baseline_rank``, ``Int64``; positive = falls behind) and
        ``mean_abs_shift`` (the scenario's :math:`\\bar R_S`, :func:`mean_rank_shift`,
        repeated on each of its rows). Index values of scenarios with another
        normalisation are on that normalisation's scale.

    References
    ----------
    .. [1] Nardo et al. (2008), *Handbook on Constructing Composite Indicators*,
       OECD/JRC, step 7 / Part 2 §7 (uncertainty and sensitivity analysis: the
       average shift in rank :math:`\\bar R_S`).
    .. [2] Saisana, Saltelli & Tarantola (2005), JRSS A 168:307–323.
    """
    wide = _as_wide(values_long, spec)
    if wide.empty:
        return _empty(SCENARIO_COLUMNS, ("rank", "baseline_rank", "rank_shift"))
    X = wide.to_numpy(dtype="float64")
    absent = _absent_pillars(X, spec)  # left out of every scenario, as of the baseline
    spec = without_pillars(spec, absent)
    base_idx, _ = _compute(X, _plan(spec))
    base_rank = _rank_array(base_idx)
    frames = []
    for name, sc in _scenario_specs(spec):
        idx, _ = _compute(X, _plan(without_pillars(sc, absent)))
        rk = _rank_array(idx)
        frames.append(pd.DataFrame({
            "scenario": name,
            "region_code": wide.index.to_numpy(),
            "index": idx,
            "rank": _int_ranks(rk),
            "baseline_rank": _int_ranks(base_rank),
            "rank_shift": _int_ranks(rk - base_rank),
            "mean_abs_shift": mean_rank_shift(base_rank, rk),
        }))
    return pd.concat(frames, ignore_index=True)
