"""The effectiveness index in words: its labelled weights and its method statement.

:mod:`evalkit.measure.effectiveness` holds the index as codes (pillar and component
keys, weights, goalposts, methods); this module puts them into Indonesian or English
for the reports, the synthesis and the workbook. Every sentence comes from
:data:`evalkit.present.i18n.TEXT` (``index_method_*``, ``index_limit_*``,
``index_scenario_*``; labels ``pillar_<key>`` and ``index_component_<key>``); the
numbers come from the spec, so the text always states the weights actually used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import pandas as pd

from evalkit.core.checks import check_lang, check_level
from evalkit.core.config import CI_LEVEL
from evalkit.measure import effectiveness
from evalkit.measure.effectiveness import DEFAULT_CONCENTRATION, DEFAULT_SPEC, IndexSpec
from evalkit.present.i18n import component_label, pillar_label, text

__all__ = ["LIMITS", "component_label", "method_text", "pillar_label", "weights_table"]

#: The limits stated with the index, in order (keys ``index_limit_<key>``): the first is
#: ``compensability`` with arithmetic aggregation, ``compensability_geometric`` with
#: geometric aggregation; the other four always.
LIMITS: tuple[str, ...] = ("compensability", "weights", "reliability", "few_regions", "summary")

#: Scenarios of :func:`evalkit.measure.effectiveness.weight_scenarios` that change a
#: method (not the weights): named one by one in the method statement.
_METHOD_SCENARIOS = ("geometric", "arithmetic", "minmax", "goalpost")


def weights_table(spec: IndexSpec = DEFAULT_SPEC, lang: str = "id") -> pd.DataFrame:
    """:func:`evalkit.measure.effectiveness.weights_table` with the labels in ``lang``.

    Returns
    -------
    pandas.DataFrame
        Columns ``pillar, pillar_label, component, label, direction, goalpost_low,
        goalpost_high, component_weight, pillar_weight, weight``, one row per component.

    Examples
    --------
    >>> weights_table(lang="en")[["pillar_label", "label"]].iloc[0].tolist()
    ['Process', 'Mean partnership-health score']
    """
    check_lang(lang)
    table = effectiveness.weights_table(spec)
    table.insert(table.columns.get_loc("pillar") + 1, "pillar_label",
                 [pillar_label(p, lang) for p in table["pillar"]])
    table.insert(table.columns.get_loc("component") + 1, "label",
                 [component_label(c, lang) for c in table["component"]])
    return table


# Numbers inside sentences: Indonesian writes 33,3% and 2.000, English 33.3% and 2,000.
def _pct(w: float, lang: str) -> str:
    s = f"{100 * w:.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return (s.replace(".", ",") if lang == "id" else s) + "%"


def _num(x: float, lang: str) -> str:
    s = f"{x:g}"
    return s.replace(".", ",") if lang == "id" else s


def _count(n: int, lang: str) -> str:
    s = f"{int(n):,}"
    return s.replace(",", ".") if lang == "id" else s


def _words(n: int, lang: str) -> str:
    return text(f"count_word_{n}", lang) if 0 <= n < 10 else _count(n, lang)


def _lc(label: str) -> str:
    """Lower-case the first letter for use inside a sentence, unless it starts an acronym."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def method_text(
    spec: IndexSpec = DEFAULT_SPEC,
    lang: str = "id",
    *,
    n_boot: int = 1000,
    ci: float = CI_LEVEL,
    n_draws: int = 1000,
    concentration: float = DEFAULT_CONCENTRATION,
    uncertainty: Literal["parametric", "replicates"] = "parametric",
    missing_pillars: Iterable[str] = (),
) -> str:
    """The method statement of the index, with its weights and limits, as Markdown.

    ``missing_pillars`` (:func:`evalkit.measure.effectiveness.missing_pillars` of the
    programme's components) are named as left out for lack of data; pass ``spec`` =
    :func:`evalkit.measure.effectiveness.effective_spec` so the weights stated are the
    ones used.

    Parameters
    ----------
    spec : IndexSpec, default :data:`evalkit.measure.effectiveness.DEFAULT_SPEC`
        The spec actually used (all numbers in the text come from it).
    lang : {"id", "en"}, default "id"
    n_boot, ci : int, float
        As passed to :func:`evalkit.measure.effectiveness.bootstrap_index` (``n_boot``:
        the number of replicate tables when ``uncertainty="replicates"``).
    n_draws, concentration : int, float
        As passed to :func:`evalkit.measure.effectiveness.weight_sensitivity`.
    uncertainty : {"parametric", "replicates"}, default "parametric"
        Which kind of bootstrap ran (normal draws from the standard errors, or
        pre-computed replicate tables).
    missing_pillars : iterable of str, default ()
        Pillars no region has data for.

    Returns
    -------
    str
        Two Markdown paragraphs (method, then uncertainty and sensitivity) and a
        bulleted list of limits (:data:`LIMITS`). Weights are given as percentages:
        each pillar's share of the index, and each component's share of its pillar.

    References
    ----------
    .. [1] Nardo et al. (2008), *Handbook on Constructing Composite Indicators*,
       OECD/JRC, step 10 (presentation: state the method and its limits).

    Examples
    --------
    >>> "33.3%" in method_text(lang="en")
    True
    """
    check_lang(lang)
    ci = check_level(ci)
    if uncertainty not in ("parametric", "replicates"):
        raise ValueError(f"uncertainty must be 'parametric' or 'replicates', got {uncertainty!r}")

    def t(key: str, **values: object) -> str:
        return text(f"index_method_{key}", lang, **values)

    pw = spec.normalised_pillar_weights
    cw = spec.component_weights
    parts = []
    for p in spec.pillars:
        comps = ", ".join(f"{_lc(component_label(c, lang))} {_pct(cw[c], lang)}"
                          for c in spec.pillar_components(p))
        parts.append(f"{_lc(pillar_label(p, lang))} {_pct(pw[p], lang)} ({comps})")
    para1 = [t("heading"),
             t("intro", n=_words(len(spec.pillars), lang),
               s="" if len(spec.pillars) == 1 else "s", weights="; ".join(parts))]
    if spec.normalisation == "goalpost":
        gps = ", ".join(
            f"{_lc(component_label(c, lang))} {_num(comp.goalposts[0], lang)}–"
            f"{_num(comp.goalposts[1], lang)}"
            for c, comp in spec.components.items()
        )
        para1.append(t("goalpost", goalposts=gps))
    else:
        para1.append(t(spec.normalisation))
    para1.append(t(spec.aggregation, floor=_num(spec.geometric_floor, lang)))
    para1.append(t("missing"))
    absent = [p for p in missing_pillars if p in spec.pillar_weights]
    if absent:
        para1.append(t("missing_pillars",
                       pillars=", ".join(_lc(pillar_label(p, lang)) for p in absent),
                       s="" if len(absent) == 1 else "s"))

    scenarios = ["equal", "drop", "double",
                 *(name for name in effectiveness.scenario_names(spec) if name in _METHOD_SCENARIOS)]
    para2 = [
        t("uncertainty" if uncertainty == "parametric" else "uncertainty_replicates",
          n_boot=_count(n_boot, lang), ci=_pct(ci, lang)),
        t("sensitivity", n_draws=_count(n_draws, lang), kappa=_num(concentration, lang),
          scenarios="; ".join(text(f"index_scenario_{s}", lang) for s in scenarios)),
    ]
    first = "compensability" if spec.aggregation == "arithmetic" else "compensability_geometric"
    limits = [text(f"index_limit_{k}", lang) for k in (first, *LIMITS[1:])]
    return "\n\n".join([
        " ".join(para1),
        " ".join(para2),
        t("limits_heading") + "\n\n" + "\n".join(f"- {x}" for x in limits),
    ])
