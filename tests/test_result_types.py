"""Result types: one ``to_frame()`` each, ``nobs`` for the sample size, ``CI_LEVEL`` defaults.

Every public result type of ``evalkit.measure`` turns into a DataFrame whose columns are
documented (``FRAME_COLUMNS`` or the dataclass fields) and whose values are the object's
attributes, the way statsmodels' ``summary_frame`` and pingouin's one-row frames do.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import math
import pkgutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.core.config import CI_LEVEL
from evalkit.measure import attribution, indicators, models, scales

SRC = Path(evalkit.__file__).parent

#: Public dataclasses of evalkit.measure and evalkit.analyse that are not results (no
#: to_frame): settings, and a finding (an i18n key with its template's values).
NOT_RESULTS = {"ProgressThresholds", "ComponentSpec", "IndexSpec", "Finding", "AnalysisChoices"}


def _same(value, expected) -> bool:
    """Frame cell equals attribute; None/NaN/NA count as the same missing value."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return pd.isna(value)
    if isinstance(expected, float):
        return value == pytest.approx(expected, rel=1e-12, abs=0)
    return value == expected


def _assert_one_row(result, columns) -> pd.DataFrame:
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(columns)
    assert len(frame) == 1
    for name in columns:
        assert _same(frame[name].iat[0], getattr(result, name)), name
    return frame


# ------------------------------------------------------------------ fixtures (small data)


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    latent = rng.normal(size=40)
    data = {f"q{j}": np.clip(np.round(3 + latent + rng.normal(0, 0.8, 40)), 1, 5)
            for j in range(4)}
    frame = pd.DataFrame(data)
    frame.iloc[3, 1] = np.nan  # one missing answer: pairwise and listwise differ
    return frame


def did_panel(n_regions: int = 8, tau: float = 2.0):
    """Region FE + year FE + ``tau`` from 2019 for the first half of the regions."""
    rng = np.random.default_rng(11)
    regions = [f"R{i}" for i in range(n_regions)]
    treated = regions[: n_regions // 2]
    rows = [{"region_code": r, "indicator_id": "X", "year": y,
             "value": 10 + i + 0.5 * (y - 2015) + (tau if r in treated and y >= 2019 else 0)
             + rng.normal(0, 0.3)}
            for i, r in enumerate(regions) for y in range(2015, 2023)]
    return pd.DataFrame(rows), pd.DataFrame({"region_code": treated, "start_year": 2019})


@pytest.fixture(scope="module")
def did():
    return attribution.did_estimate(*did_panel(), indicator_id="X", ci=0.9)


# --------------------------------------------------------------------------- scales


def test_estimate_to_frame():
    est = scales.mean_ci([2.0, 3.0, 5.0, 4.0], ci=0.8)
    frame = _assert_one_row(est, scales.Estimate.FRAME_COLUMNS)
    assert scales.Estimate.FRAME_COLUMNS == tuple(f.name for f in dataclasses.fields(est))
    assert frame["level"].iat[0] == 0.8 and frame["nobs"].iat[0] == 4
    assert frame["nobs"].dtype == "int64"


def test_alpha_to_frame_and_nobs(items):
    res = scales.cronbach_alpha(items, ci=0.9, nan_policy="listwise")
    frame = _assert_one_row(res, scales.AlphaResult.FRAME_COLUMNS)
    assert list(frame.columns) == ["alpha", "ci_low", "ci_upp", "nobs", "k", "level",
                                   "nan_policy"]
    # listwise: the respondent with a missing answer is left out
    assert res.nobs == res.n == 39 and res.k == 4
    assert (frame["level"].iat[0], frame["nan_policy"].iat[0]) == (0.9, "listwise")
    assert scales.cronbach_alpha(items).level == CI_LEVEL


def test_omega_to_frame_and_nobs(items):
    res = scales.omega_total(items)
    frame = _assert_one_row(res, scales.OmegaResult.FRAME_COLUMNS)
    assert list(frame.columns) == ["omega", "nobs", "k", "converged", "heywood"]
    assert res.nobs == res.n == 40
    assert 0 < frame["omega"].iat[0] < 1


# ----------------------------------------------------------------------- indicators


def test_progress_to_frame_with_target():
    series = pd.Series({2015: 10.0, 2018: 13.0, 2021: 16.0})
    res = indicators.assess_progress(series, target=20.0, target_year=2030)
    frame = _assert_one_row(res, indicators.ProgressResult.FRAME_COLUMNS)
    assert frame["summary"].iat[0] == res.summary
    assert frame["latest_year"].iat[0] == 2021 and frame["latest_value"].iat[0] == 16.0


def test_progress_to_frame_missing_numbers_are_typed():
    # no target: ratio, required growth and target are None on the result
    res = indicators.assess_progress(pd.Series({2015: 10.0, 2020: 12.0}), target=None)
    assert res.ratio is None and res.target is None
    frame = _assert_one_row(res, indicators.ProgressResult.FRAME_COLUMNS)
    assert frame["ratio"].dtype == "float64" and frame["target"].dtype == "float64"
    assert str(frame["base_year"].dtype) == "Int64"


def test_trend_to_frame_names_the_level():
    series = pd.Series({2015: 10.0, 2016: 12.1, 2017: 13.9, 2018: 16.0})
    res = indicators.fit_trend(series, target_year=2030, ci=0.9)
    frame = _assert_one_row(res, indicators.TrendResult.FRAME_COLUMNS)
    assert indicators.TrendResult.FRAME_COLUMNS == tuple(f.name for f in dataclasses.fields(res))
    assert frame["level"].iat[0] == 0.9 and frame["nobs"].iat[0] == 4
    assert not hasattr(res, "ci")  # the level is ``level`` everywhere, ``ci`` is an interval
    too_few = indicators.fit_trend(pd.Series({2015: 1.0, 2016: 2.0}))
    frame = _assert_one_row(too_few, indicators.TrendResult.FRAME_COLUMNS)
    assert frame["reason"].iat[0] and math.isnan(frame["slope"].iat[0])
    assert too_few.level == CI_LEVEL


# ---------------------------------------------------------------------- attribution


def test_did_to_frame_did_row(did):
    assert did.supported and did.level == 0.9
    frame = did.to_frame()
    assert list(frame.columns) == list(attribution.DidResult.FRAME_COLUMNS)
    head = frame.iloc[0]
    assert head["term"] == "did" and pd.isna(head["rel_year"])
    for name in ("estimate", "se", "ci_low", "ci_upp", "pvalue", "level", "nobs",
                 "n_treated", "n_control", "pretrend_pvalue", "supported"):
        assert _same(head[name], getattr(did, name)), name
    assert head["notes"] == "\n".join(did.notes)
    assert head["estimate"] == pytest.approx(2.0, abs=0.5)  # the planted effect
    assert (head["n_treated"], head["n_control"], head["nobs"]) == (4, 4, 64)


def test_did_to_frame_event_rows(did):
    frame = did.to_frame()
    events = frame[frame["term"] == "event"].reset_index(drop=True)
    expected = did.event_study.reset_index(drop=True)
    assert len(events) == len(expected) > 0
    assert events["rel_year"].astype("int64").tolist() == expected["rel_year"].tolist()
    for name in ("estimate", "ci_low", "ci_upp"):
        np.testing.assert_allclose(events[name], expected[name].astype(float), rtol=1e-12)
    assert events["se"].isna().all() and events["pvalue"].isna().all()
    ref = events[events["rel_year"] == -1]
    assert ref["estimate"].tolist() == [0.0] and ref["ci_low"].isna().all()
    # the result's scalars repeat on every row, so per-indicator frames stack
    for name in ("nobs", "pretrend_pvalue", "supported", "level", "notes"):
        assert frame[name].nunique(dropna=False) == 1, name
    assert str(frame["rel_year"].dtype) == "Int64"


def test_did_to_frame_unsupported_has_only_the_did_row():
    values, partnerships = did_panel()
    res = attribution.did_estimate(values, partnerships.head(1), indicator_id="X", ci=0.8)
    assert not res.supported
    frame = res.to_frame()
    assert frame["term"].tolist() == ["did"] and not frame["supported"].iat[0]
    assert frame["notes"].iat[0].splitlines() == res.notes
    assert frame["level"].iat[0] == 0.8  # the level asked for, even without an estimate
    assert math.isnan(frame["estimate"].iat[0])


def test_did_to_frame_falls_back_to_leads():
    leads = pd.DataFrame({"rel_year": [-3, -2], "estimate": [0.1, -0.2],
                          "ci_low": [-0.5, -0.6], "ci_upp": [0.7, 0.2]})
    res = attribution.DidResult(estimate=1.0, se=0.5, ci_low=0.0, ci_upp=2.0, pvalue=0.05,
                                nobs=30, n_treated=2, n_control=3, pretrend_pvalue=0.4,
                                leads=leads, supported=True, notes=["a", "b"])
    frame = res.to_frame()
    assert frame["rel_year"].iloc[1:].tolist() == [-3, -2]
    assert frame["estimate"].tolist() == [1.0, 0.1, -0.2]
    assert frame["notes"].iat[0] == "a\nb" and frame["level"].iat[0] == CI_LEVEL


# --------------------------------------------------------------------------- models


def test_shrinkage_fit_to_frame_is_the_results_table():
    y = np.array([2.0, 3.5, 4.0, 3.0, 2.5, 4.5])
    _, fit = models.no_pooling(pd.DataFrame({"region_code": ["A"] * 6, "score": y}), ci=0.9)
    names = [f.name for f in dataclasses.fields(fit)]
    frame = _assert_one_row(fit, names)
    # the results table ``shrinkage_fit`` keeps ``n`` (read by the synthesis); nobs aliases it
    assert frame["n"].iat[0] == fit.nobs == 6 and frame["level"].iat[0] == 0.9
    assert not hasattr(fit, "as_frame")


# ------------------------------------------------------------- every type, every rule


def _public_dataclasses(*packages: str):
    """``{"module.Class": class}`` of the public dataclasses defined in ``packages``."""
    found = {}
    for package in packages:
        for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
            module = importlib.import_module(f"{package}.{info.name}")
            for name, obj in vars(module).items():
                if (not name.startswith("_") and inspect.isclass(obj)
                        and dataclasses.is_dataclass(obj) and obj.__module__ == module.__name__):
                    found[f"{info.name}.{name}"] = obj
    return found


def test_every_result_type_has_to_frame_and_nobs():
    found = _public_dataclasses("evalkit.measure", "evalkit.analyse")
    results = {k: v for k, v in found.items() if k.split(".")[1] not in NOT_RESULTS}
    assert {"scales.Estimate", "scales.AlphaResult", "scales.OmegaResult",
            "indicators.ProgressResult", "indicators.TrendResult", "attribution.DidResult",
            "models.ShrinkageFit"} <= set(results)
    missing = [k for k, cls in results.items() if not callable(getattr(cls, "to_frame", None))]
    assert not missing, f"result types without to_frame(): {missing}"
    # a sample size is called nobs (field or alias); ProgressResult has none
    no_nobs = [k for k, cls in results.items()
               if k != "indicators.ProgressResult" and not hasattr(cls, "nobs")
               and "nobs" not in {f.name for f in dataclasses.fields(cls)}]
    assert not no_nobs, f"result types without nobs: {no_nobs}"


def _literal_levels(tree: ast.AST):
    """(line, name) of every ``ci``/``level`` parameter default or keyword that is a number."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            pos = a.posonlyargs + a.args
            pairs = list(zip(pos[len(pos) - len(a.defaults):], a.defaults))
            pairs += [(arg, d) for arg, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
            for arg, default in pairs:
                if (arg.arg in ("ci", "level") and isinstance(default, ast.Constant)
                        and isinstance(default.value, float)):
                    yield node.lineno, f"def {node.name}({arg.arg}={default.value})"
        elif isinstance(node, ast.Call):
            for kw in node.keywords:
                if (kw.arg in ("ci", "level") and isinstance(kw.value, ast.Constant)
                        and isinstance(kw.value.value, float)):
                    yield node.lineno, f"call {kw.arg}={kw.value.value}"
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if (node.target.id == "level" and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, float)):
                yield node.lineno, f"field level = {node.value.value}"


def test_confidence_levels_default_to_ci_level():
    # A literal 0.95 would silently ignore a change of CI_LEVEL (core/config.py).
    found = [f"{path.relative_to(SRC)}:{line}: {what}"
             for path in sorted(SRC.rglob("*.py"))
             for line, what in _literal_levels(ast.parse(path.read_text(encoding="utf-8")))]
    assert not found, "use evalkit.core.config.CI_LEVEL instead of a literal:\n" + "\n".join(found)


def test_the_ast_check_sees_a_literal_level():
    src = "def f(x, *, ci: float = 0.95):\n    return g(x, level=0.9)\n"
    assert [what for _, what in _literal_levels(ast.parse(src))] == [
        "def f(ci=0.95)", "call level=0.9"]
