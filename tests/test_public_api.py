"""The public API (``from evalkit import ...``) and the explore notebooks built on it.

``evalkit.__all__`` names the functions a research partner uses; each resolves lazily
(PEP 562) to the very object of its home module, carries a docstring and is listed in the
package docstring. ``import evalkit`` stays cheap (no pandas, numpy or statsmodels: report
kernels and ``evalkit.core.config`` import it). The explore notebooks run under nbval on
the demo (``make test``); here they also run, through papermill, on another programme's
processed folder (:mod:`own_data`: its own form, sectors, regions and indicators).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import evalkit

sys.path.insert(0, str(Path(__file__).parent))
import own_data  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXPLORE = ROOT / "notebooks" / "explore"
HEAVY = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "networkx", "pyarrow")


def _sys_modules_after(code: str) -> dict:
    """What a fresh interpreter has imported after ``code``: {"heavy": [...], "evalkit": [...]}."""
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps({{'heavy': sorted(m for m in {HEAVY!r} if m in sys.modules),"
             " 'evalkit': sorted(m for m in sys.modules if m.startswith('evalkit.'))}))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------
# The names
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", evalkit.__all__)
def test_every_public_name_is_the_object_of_its_home_module(name):
    home = importlib.import_module(evalkit._HOME[name])
    assert getattr(evalkit, name) is getattr(home, name)
    declared = getattr(home, "__all__", None)
    if declared is not None:  # the home module lists it as public too
        assert name in declared, f"{name} is not in {home.__name__}.__all__"


@pytest.mark.parametrize("name", evalkit.__all__)
def test_every_public_name_is_documented(name):
    obj = getattr(evalkit, name)
    if inspect.isfunction(obj) or inspect.isclass(obj):
        doc = inspect.getdoc(obj) or ""
        # a class without its own docstring inherits object's or a base's: not documented
        assert obj.__doc__ and len(doc.split()) >= 5, f"{name} has no docstring"
    assert f"``{name}``" in evalkit.__doc__, f"{name} is missing from evalkit's docstring"


def test_all_lists_each_name_once_and_dir_shows_them():
    assert len(evalkit.__all__) == len(set(evalkit.__all__))
    assert set(evalkit.__all__) <= set(dir(evalkit))
    assert "__version__" in dir(evalkit)


def test_partner_functions_are_public():
    """The estimators issue #14 names, one per family (a rename would drop them)."""
    wanted = {"read_processed", "read_result", "resolve_region", "cronbach_alpha",
              "omega_total", "reliability_table", "weighted_mean", "poststratify",
              "sector_differences", "sector_effects_model", "ordinal_sector_model",
              "did_estimate", "build_network", "network_metrics", "progress_table",
              "composite_index", "bootstrap_index"}
    assert wanted <= set(evalkit.__all__)


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="no attribute 'cronbach_beta'"):
        evalkit.cronbach_beta  # noqa: B018
    with pytest.raises(ImportError, match="cronbach_beta"):
        exec("from evalkit import cronbach_beta", {})


# --------------------------------------------------------------------------------------
# Import cost and the import contract
# --------------------------------------------------------------------------------------
def test_import_evalkit_loads_no_pandas_or_statsmodels():
    seen = _sys_modules_after("import evalkit")
    assert seen == {"heavy": [], "evalkit": []}
    seen = _sys_modules_after("import evalkit.core.config")
    assert seen["heavy"] == []


def test_a_public_name_imports_its_home_module_only():
    seen = _sys_modules_after("from evalkit import resolve_region")
    assert "evalkit.read.regions" in seen["evalkit"]
    assert not [m for m in seen["evalkit"] if m.startswith(("evalkit.measure", "evalkit.present"))]
    assert "pandas" not in seen["heavy"] and "statsmodels" not in seen["heavy"]


def test_the_root_package_imports_no_stage_statically():
    """The stages import ``evalkit.__version__``: an import statement of a stage in the root
    package would make every stage depend on all the others (the layers contract,
    tests/test_layers.py, would break); the names are reached with importlib instead."""
    tree = ast.parse(Path(evalkit.__file__).read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [m for m in imported if m == "evalkit" or m.startswith("evalkit.")]


# --------------------------------------------------------------------------------------
# The explore notebooks
# --------------------------------------------------------------------------------------
NOTEBOOKS = sorted(EXPLORE.glob("*.ipynb"))


def test_the_explore_notebooks_are_there():
    names = {p.stem for p in NOTEBOOKS}
    assert {"01_processed_tables", "02_reliability", "04_network", "05_indicators"} <= names
    assert (EXPLORE / "README.md").is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_explore_notebooks_are_committed_clean_with_a_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "evalkit"
    assert nb.metadata["language_info"]["name"] == "python"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "outputs committed"
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0] is code[0]
    names = {t.id for node in ast.parse(params[0].source).body if isinstance(node, ast.Assign)
             for t in node.targets}
    assert {"region", "processed_dir"} <= names
    # only the public API: `from evalkit import ...`, no reaching into the stages
    sources = "\n".join(c.source for c in code)
    assert "from evalkit import" in sources
    assert "from evalkit." not in sources and "import evalkit." not in sources


@pytest.fixture(scope="module")
def own_processed(tmp_path_factory) -> tuple[own_data.Truth, Path]:
    """The other programme's data (tests/own_data.py) cleaned, as a partner's folder."""
    from evalkit.clean.pipeline import run_clean

    own = own_data.write_dataset(tmp_path_factory.mktemp("own") / "raw")
    summary = run_clean(own.raw_dir, own.raw_dir.parent / "processed", key=b"own-data-test")
    return own, summary.processed_dir


def _run(name: str, folder: Path, out_dir: Path, **parameters) -> str:
    """Execute an explore notebook with papermill on ``folder``; what it printed."""
    import papermill as pm

    from evalkit.core.config import KERNEL_NAME
    from evalkit.run.kernelspec import ensure_kernel

    ensure_kernel()
    out = out_dir / f"{name}-{parameters.get('region', '')}.ipynb"
    pm.execute_notebook(str(EXPLORE / f"{name}.ipynb"), str(out), kernel_name=KERNEL_NAME,
                        language="python", progress_bar=False, cwd=str(out_dir),
                        parameters={"processed_dir": str(folder), **parameters})
    nb = nbformat.read(out, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs if o.get("name") == "stdout")


def _region(code: str) -> own_data.RegionSpec:
    return next(r for r in own_data.REGIONS if r.code == code)


@pytest.mark.slow
@pytest.mark.kernel
def test_processed_tables_notebook_on_another_programme(own_processed, tmp_path):
    own, folder = own_processed
    printed = _run("01_processed_tables", folder, tmp_path, region="KOTA KUPANG")
    assert f"{own.n_valid['53.71']} responses from Kota Kupang" in printed
    assert "none yet" in printed  # cleaned only: no results until `evalkit run`
    # the programme's own dimensions, not the demo's
    assert any(dim in printed for dim in own_data.DIMENSIONS)


@pytest.mark.slow
@pytest.mark.kernel
def test_reliability_notebook_on_another_programme(own_processed, tmp_path):
    own, folder = own_processed
    printed = _run("02_reliability", folder, tmp_path, region="Kab. Kupang", n_boot=20)
    assert f"{own.n_valid['53.01']} responses in Kabupaten Kupang; answer scale 1-4" in printed
    assert "alpha = " in printed and "bootstrap 95% interval" in printed
    # a region of 3 respondents: a sentence, not a traceback
    small = _run("02_reliability", folder, tmp_path, region=own_data.SMALL_REGION)
    assert "Too few respondents (3)" in small


@pytest.mark.slow
@pytest.mark.kernel
def test_network_notebook_on_another_programme(own_processed, tmp_path):
    _, folder = own_processed
    spec = _region("53.04")  # Belu: no university in the register
    printed = _run("04_network", folder, tmp_path, region="kab belu")
    organisations = sum(len(own_data.ORGS[s]) for s in spec.sectors)  # the register's
    assert f"Kabupaten Belu: {organisations} organisations" in printed


@pytest.mark.slow
@pytest.mark.kernel
def test_indicators_notebook_on_another_programme(own_processed, tmp_path):
    _, folder = own_processed
    printed = _run("05_indicators", folder, tmp_path, region="53.10", lang="en")
    assert f"Kabupaten Manggarai: {len(own_data.INDICATORS)} indicators, years 2019-2024" in printed
    assert "a year; if the trend continues" in printed
    # the form has Indonesian names only: English falls back to them, never a blank
    assert any(f"{name}: " in printed for name in own_data.INDICATORS["name_id"])
