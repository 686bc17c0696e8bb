"""The analysis choices a partner may change: confidence level, reference sector,
bootstrap draws and index weights (issue #14).

The results stage (:func:`evalkit.analyse.results.compute_results`) computes every
number of the reports with one set of choices. :class:`AnalysisChoices` holds them,
checks them when it is made (:meth:`AnalysisChoices.validate` checks the reference
sector against the programme's sectors, which only the data know) and says where the
results made with them are kept (:attr:`AnalysisChoices.folder`): the default choices
in the results folder itself, any other choices in a folder of their own,
``results/choices-<digest>/``, so that the default results stay as they are and both
can be current. The default choices reproduce the results evalkit computed before
they were choices, byte for byte.

Pure: no file I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from evalkit.core.checks import check_level
from evalkit.core.config import CI_LEVEL
from evalkit.measure import effectiveness

__all__ = ["DEFAULT_CHOICES", "DEFAULT_INDEX_WEIGHTS", "DEFAULT_N_BOOT", "MAX_N_BOOT",
           "MIN_N_BOOT", "MODEL_DRAW_SHARE", "AnalysisChoices", "index_weight_names"]

#: The index's parametric-bootstrap replicates and the weight-sensitivity draws by default.
DEFAULT_N_BOOT = 2000
#: The bootstrap of the ICC (partial pooling) and of the sector effect sizes draws
#: ``n_boot // MODEL_DRAW_SHARE`` (500 by default): their intervals are secondary to the
#: index's, and the effect-size bootstrap, per region and dimension, is the slow one.
MODEL_DRAW_SHARE = 4
#: Bounds of ``n_boot``: fewer than 100 replicates cannot place a 2.5% percentile
#: (Efron & Tibshirani 1993, ch. 13: percentile intervals want ~1000 or more; 100 is
#: a floor, not a recommendation); more than 100 000 buys nothing but hours.
MIN_N_BOOT, MAX_N_BOOT = 100, 100_000
#: The index weights by default: the index specification as given
#: (:data:`evalkit.measure.effectiveness.DEFAULT_SPEC`), the ``"baseline"`` scenario.
DEFAULT_INDEX_WEIGHTS = "baseline"
#: Confidence levels must lie strictly between these: below one half an "interval" is
#: narrower than a coin toss, and 1 is no interval at all.
_LEVEL_RANGE = (0.5, 1.0)


def index_weight_names(spec: effectiveness.IndexSpec = effectiveness.DEFAULT_SPEC
                       ) -> tuple[str, ...]:
    """The values ``index_weights`` may take: the weight scenarios of ``spec``
    (:func:`evalkit.measure.effectiveness.scenario_names`: ``baseline``, ``equal``,
    ``drop:<pillar>``, ``double:<pillar>``, ``geometric``, ``minmax``)."""
    return effectiveness.scenario_names(spec)


@dataclass(frozen=True)
class AnalysisChoices:
    """The choices the results are computed with; checked when made.

    Parameters
    ----------
    ci_level : float, default :data:`evalkit.core.config.CI_LEVEL` (0.95)
        Confidence level of every interval the results hold (scores, reliability,
        models, index, changes), strictly between 0.5 and 1. The Holm-adjusted
        change calls use ``1 - ci_level`` as their familywise error rate.
    reference_sector : str or None, default None
        The sector the sector models compare the others with; ``None``: the rule of
        :func:`evalkit.analyse.results.reference_sector` (the largest civil-society
        sector with enough respondents). Must be one of the programme's sector codes
        (:meth:`validate` with the sectors table).
    n_boot : int, default :data:`DEFAULT_N_BOOT` (2000)
        Bootstrap draws: the index's parametric bootstrap and the weight-sensitivity
        draws take ``n_boot``; the ICC and the sector effect-size bootstraps
        ``n_boot // MODEL_DRAW_SHARE`` (500 by default). One number, so a partner has
        one knob for "more (or fewer) draws"; the ratio keeps today's defaults.
        Between :data:`MIN_N_BOOT` and :data:`MAX_N_BOOT`.
    index_weights : str, default ``"baseline"``
        The weighting of the effectiveness index: a scenario of
        :func:`evalkit.measure.effectiveness.weight_scenarios` (``"baseline"`` =
        :data:`~evalkit.measure.effectiveness.DEFAULT_SPEC`, ``"equal"``,
        ``"drop:outcome"``, ``"double:process"``, ``"geometric"``, ``"minmax"``, ...:
        :func:`index_weight_names`). The chosen weighting becomes the index's
        baseline, and the sensitivity analysis varies around it.

    Raises
    ------
    ValueError
        A level outside (0.5, 1), an ``n_boot`` that is not an integer in range, a
        reference sector that is not a non-empty string, an unknown weighting; the
        message names the argument and what is allowed.

    Examples
    --------
    >>> AnalysisChoices().is_default
    True
    >>> AnalysisChoices(ci_level=0.9).folder.startswith("choices-")
    True
    """

    ci_level: float = CI_LEVEL
    reference_sector: str | None = None
    n_boot: int = DEFAULT_N_BOOT
    index_weights: str = DEFAULT_INDEX_WEIGHTS

    def __post_init__(self) -> None:
        try:
            level = check_level(self.ci_level)
        except ValueError:
            level = None
        if level is None or not _LEVEL_RANGE[0] < level < _LEVEL_RANGE[1]:
            raise ValueError(f"ci_level must be a confidence level strictly between "
                             f"{_LEVEL_RANGE[0]} and {_LEVEL_RANGE[1]:g} (e.g. 0.95 or 0.9), "
                             f"got {self.ci_level!r}.")
        object.__setattr__(self, "ci_level", level)
        n = self.n_boot
        if (isinstance(n, bool) or not isinstance(n, int | np.integer)
                or not MIN_N_BOOT <= n <= MAX_N_BOOT):
            raise ValueError(f"n_boot must be a whole number of bootstrap draws from "
                             f"{MIN_N_BOOT} to {MAX_N_BOOT} (default {DEFAULT_N_BOOT}), "
                             f"got {n!r}.")
        object.__setattr__(self, "n_boot", int(n))
        ref = self.reference_sector
        if ref is not None and (not isinstance(ref, str) or not ref.strip()):
            raise ValueError("reference_sector must be a sector code (a non-empty string) or "
                             f"None for the default rule, got {ref!r}.")
        if ref is not None:
            object.__setattr__(self, "reference_sector", ref.strip())
        names = index_weight_names()
        if not isinstance(self.index_weights, str) or self.index_weights not in names:
            raise ValueError(f"index_weights must name a weighting scenario, one of "
                             f"{', '.join(names)}; got {self.index_weights!r}.")

    # --- what the choices mean for the computations --------------------------------------

    @property
    def model_draws(self) -> int:
        """Bootstrap draws of the ICC and of the sector effect sizes."""
        return self.n_boot // MODEL_DRAW_SHARE

    @property
    def is_default(self) -> bool:
        """True for the choices the results were computed with before they were choices."""
        return self == DEFAULT_CHOICES

    def validate(self, sectors: pd.DataFrame | None = None) -> AnalysisChoices:
        """Check the choices against the programme; return them.

        ``sectors`` is the programme's sectors table (column ``sector``:
        :func:`evalkit.read.products.programme_sectors`); a ``reference_sector`` that is
        not among its codes is an error naming the sector and the valid codes. The
        other checks ran when the choices were made.
        """
        if self.reference_sector is None or sectors is None:
            return self
        codes = [str(s) for s in sectors["sector"]]
        if self.reference_sector not in codes:
            raise ValueError(f"reference_sector {self.reference_sector!r} is not a sector of "
                             f"this programme; the sector codes are {', '.join(codes)}.")
        return self

    def index_spec(self, spec: effectiveness.IndexSpec) -> effectiveness.IndexSpec:
        """``spec`` (the index specification for the form's scale) with the chosen
        weighting: :func:`evalkit.measure.effectiveness.scenario_spec`."""
        return effectiveness.scenario_spec(self.index_weights, spec)

    # --- the record -------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """The choices as plain values (JSON): the results' stamp, the report's run record
        and its provenance table record them."""
        return asdict(self)

    @property
    def digest(self) -> str:
        """Short SHA-256 of :meth:`to_dict` (sorted JSON): names the choices' folder."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    @property
    def folder(self) -> str | None:
        """The results folder's subfolder these choices' results live in
        (``choices-<digest>``); None for the default choices (the results folder itself)."""
        return None if self.is_default else f"choices-{self.digest}"

    @classmethod
    def from_parameters(cls, *, ci_level: float = CI_LEVEL, reference_sector: str | None = None,
                        n_boot: int = DEFAULT_N_BOOT,
                        index_weights: str = DEFAULT_INDEX_WEIGHTS) -> AnalysisChoices:
        """The choices from a notebook's parameters, where ``reference_sector = ""`` (a
        typed literal papermill can pass) means the default rule."""
        return cls(ci_level=ci_level, reference_sector=reference_sector or None,
                   n_boot=n_boot, index_weights=index_weights)


#: The choices of every result evalkit computed before they were choices.
DEFAULT_CHOICES = AnalysisChoices()
