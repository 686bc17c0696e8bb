"""The import contract: stages are layers, measure/analyse do no I/O and draw nothing,
present fits nothing.

The contract itself is ``[tool.importlinter]`` in ``pyproject.toml`` (``make lint`` runs
it too). These tests run it on evalkit, prove it can fail (on a copy of evalkit with one
upward import, and on a small fake package with each kind of violation), and check what
import-linter cannot see: file I/O calls inside measure/ and analyse/.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import evalkit

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
SRC = Path(evalkit.__file__).resolve().parent

# The stages the layers contract orders (bottom to top; present and demo are siblings).
STAGES = ["core", "read", "clean", "measure", "analyse", "present", "demo", "run"]


def lint_imports(config: Path, *, cwd: Path, pythonpath: Path | None = None):
    """Run ``lint-imports`` on ``config`` in a fresh interpreter; (exit code, output)."""
    env = dict(os.environ)
    if pythonpath is not None:
        # ahead of the editable install, so grimp finds the package under test first
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-c",
         "import sys; from importlinter.cli import lint_imports_command as m; sys.exit(m())",
         "--no-cache", "--no-logo", str(config)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )
    return proc.returncode, proc.stdout + proc.stderr


def contract_config() -> dict:
    with PYPROJECT.open("rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]


# --- the contract on evalkit -------------------------------------------------------------


def test_the_config_orders_every_stage_with_present_and_demo_independent():
    layers = next(c for c in contract_config()["contracts"] if c["type"] == "layers")
    assert layers["containers"] == ["evalkit"]
    assert layers["layers"] == ["run", "present | demo", "analyse", "measure", "clean",
                                "read", "core"]
    assert layers["exhaustive"] is True
    on_disk = sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").is_file())
    assert on_disk == sorted(STAGES)


def test_evalkit_keeps_the_import_contract():
    code, out = lint_imports(PYPROJECT, cwd=ROOT)
    assert code == 0, out


def test_an_upward_import_in_a_copy_of_evalkit_breaks_the_contract(tmp_path):
    """The same config on a copy of src/evalkit whose core/errors.py imports the CLI."""
    copy = tmp_path / "src" / "evalkit"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    errors = copy / "core" / "errors.py"
    errors.write_text(errors.read_text(encoding="utf-8") + "\nimport evalkit.run.cli\n",
                      encoding="utf-8")
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    code, out = lint_imports(tmp_path / "pyproject.toml", cwd=tmp_path,
                             pythonpath=tmp_path / "src")
    assert code == 1, out
    # named by the injected line itself: proves the copy, not the installed evalkit, was read
    assert "evalkit.core is not allowed to import evalkit.run" in out
    assert "evalkit.core.errors -> evalkit.run.cli" in out


# --- the contract can fail: a fake package with evalkit's stages ----------------------


def write_fake_package(root: Path, extra: dict[str, str] | None = None) -> Path:
    """``fakekit`` with evalkit's stages, each importing only what the contract allows,
    plus ``extra`` lines per stage; returns the config (evalkit's, renamed) to check it."""
    allowed = {  # a legal import per stage: the one below, and what each stage may use
        "core": "",
        "read": "import fakekit.core.m\n",
        "clean": "import fakekit.read.m\n",
        "measure": "import fakekit.clean.m\nimport statsmodels.api\nfrom scipy import stats\n",
        "analyse": "import fakekit.measure.m\n",
        "present": "import fakekit.analyse.m\nimport fakekit.measure.m\n"
                   "import matplotlib.pyplot\nimport seaborn\n",
        "demo": "import fakekit.clean.m\n",
        "run": "import fakekit.present.m\nimport fakekit.demo.m\n",
    }
    pkg = root / "fakekit"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for stage, source in allowed.items():
        (pkg / stage).mkdir()
        (pkg / stage / "__init__.py").write_text("")
        (pkg / stage / "m.py").write_text(source + (extra or {}).get(stage, ""))
    return write_ini(rename(contract_config(), "evalkit", "fakekit"), root / ".importlinter")


def rename(value, old: str, new: str):
    """``value`` (the parsed contract) with every module under ``old`` moved to ``new``."""
    if isinstance(value, dict):
        return {k: rename(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [rename(v, old, new) for v in value]
    if isinstance(value, str) and (value == old or value.startswith(old + ".")):
        return new + value[len(old):]
    return value


def write_ini(config: dict, path: Path) -> Path:
    """The parsed ``[tool.importlinter]`` table written in import-linter's INI format."""
    def section(header: str, table: dict) -> str:
        lines = [f"[{header}]"]
        for key, value in table.items():
            if isinstance(value, list):
                lines.append(f"{key} =" + "".join(f"\n    {v}" for v in value))
            else:
                lines.append(f"{key} = {value}")
        return "\n".join(lines) + "\n"

    top = {k: v for k, v in config.items() if k != "contracts"}
    text = section("importlinter", top) + "".join(
        section(f"importlinter:contract:{c['id']}", {k: v for k, v in c.items() if k != "id"})
        for c in config["contracts"])
    path.write_text(text, encoding="utf-8")
    return path


def test_a_package_that_respects_the_layers_keeps_the_contract(tmp_path):
    code, out = lint_imports(write_fake_package(tmp_path), cwd=tmp_path, pythonpath=tmp_path)
    assert code == 0, out
    assert "0 broken" in out


@pytest.mark.parametrize(
    "stage, line, reported",
    [
        ("core", "import fakekit.run.m", "fakekit.core.m -> fakekit.run.m"),
        ("read", "from fakekit.clean import m", "fakekit.read.m -> fakekit.clean.m"),
        ("measure", "import fakekit.analyse.m", "fakekit.measure.m -> fakekit.analyse.m"),
        ("analyse", "import fakekit.present.m", "fakekit.analyse.m -> fakekit.present.m"),
        ("present", "import fakekit.demo.m", "fakekit.present.m -> fakekit.demo.m"),
        ("demo", "import fakekit.present.m", "fakekit.demo.m -> fakekit.present.m"),
        ("demo", "import fakekit.measure.m", "fakekit.demo.m -> fakekit.measure.m"),
        ("measure", "import matplotlib.pyplot as plt", "fakekit.measure.m -> matplotlib"),
        ("analyse", "import seaborn", "fakekit.analyse.m -> seaborn"),
        ("present", "import statsmodels.formula.api", "fakekit.present.m -> statsmodels"),
        ("present", "from scipy import stats", "fakekit.present.m -> scipy"),
        ("present", "from sklearn import linear_model", "fakekit.present.m -> sklearn"),
    ],
)
def test_each_kind_of_violation_breaks_the_contract(tmp_path, stage, line, reported):
    config = write_fake_package(tmp_path, {stage: line + "\n"})
    code, out = lint_imports(config, cwd=tmp_path, pythonpath=tmp_path)
    assert code == 1, out
    assert reported in out


def test_an_import_cycle_inside_a_stage_breaks_the_contract(tmp_path):
    config = write_fake_package(tmp_path, {"run": "import fakekit.run.n\n"})
    (tmp_path / "fakekit" / "run" / "n.py").write_text("import fakekit.run.m\n")
    code, out = lint_imports(config, cwd=tmp_path, pythonpath=tmp_path)
    assert code == 1, out
    assert "No import cycle between the modules of a stage BROKEN" in out.replace("\n", " ")


def test_a_stage_the_contract_does_not_name_breaks_it(tmp_path):
    config = write_fake_package(tmp_path)
    (tmp_path / "fakekit" / "extra").mkdir()
    (tmp_path / "fakekit" / "extra" / "__init__.py").write_text("")
    code, out = lint_imports(config, cwd=tmp_path, pythonpath=tmp_path)
    assert code == 1, out
    assert "fakekit.extra" in out


# --- measure/ and analyse/ do no file I/O (what import-linter cannot see) -----------------

# Methods that read or write files whatever object they are called on (pathlib, pandas,
# matplotlib, zip/tar): a pure stage has no reason to call any of them.
IO_METHODS = {
    "read_text", "read_bytes", "write_text", "write_bytes", "open", "mkdir", "touch",
    "unlink", "rmdir", "iterdir", "glob", "rglob",
    "read_parquet", "to_parquet", "read_csv", "to_csv", "read_excel", "to_excel",
    "read_stata", "read_spss", "read_sav", "read_dta", "savefig",
}
IO_MODULES = {"shutil", "tempfile", "glob", "pyreadstat", "openpyxl", "pickle"}
IO_FUNCTIONS = {("json", "load"), ("json", "dump"), ("os", "remove"), ("os", "makedirs"),
                ("os", "listdir"), ("os", "replace"), ("os", "rename"),
                *((np, f) for np in ("np", "numpy") for f in ("load", "save", "loadtxt", "savetxt"))}


def file_io(source: str, filename: str = "<string>") -> list[str]:
    """Every file I/O call or I/O module import in ``source``, as ``"file:line what"``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        what = None
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and (f.id == "open" or f.id in IO_METHODS):
                what = f"{f.id}()"  # the builtin, or a reader imported by name
            elif isinstance(f, ast.Attribute):
                if f.attr in IO_METHODS:
                    what = f".{f.attr}()"
                elif isinstance(f.value, ast.Name) and (f.value.id, f.attr) in IO_FUNCTIONS:
                    what = f"{f.value.id}.{f.attr}()"
        elif isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
            what = next((f"import {n}" for n in names if n in IO_MODULES), None)
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if top in IO_MODULES:
                what = f"from {node.module} import"
            elif top in {"json", "os", "numpy"}:
                bad = [a.name for a in node.names if (top, a.name) in IO_FUNCTIONS]
                what = f"from {top} import {', '.join(bad)}" if bad else None
        if what:
            found.append(f"{filename}:{node.lineno} {what}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "open('x.csv')",
        "with open(p, 'w') as f: pass",
        "Path(p).read_text()",
        "p.write_bytes(b'')",
        "p.parent.mkdir(parents=True)",
        "pd.read_parquet(p)",
        "df.to_parquet(p)",
        "pd.read_csv(p)",
        "df.to_csv(p)",
        "pd.read_excel(p)",
        "json.load(f)",
        "json.dump(obj, f)",
        "import shutil",
        "from shutil import copy",
        "from json import load",
        "fig.savefig('a.png')",
        "os.makedirs(d)",
        "read_csv(p)",
        "np.save(p, a)",
    ],
)
def test_the_io_scan_finds_file_io(source):
    assert file_io(source)


@pytest.mark.parametrize(
    "source",
    ["json.loads(s)", "json.dumps(obj)", "df.to_dict()", "s.replace('a', 'b')",
     "from json import dumps", "import json", "from pathlib import Path", "x.read()",
     "os.path.join(a, b)"],
)
def test_the_io_scan_leaves_pure_code_alone(source):
    assert file_io(source) == []


@pytest.mark.parametrize("stage", ["measure", "analyse"])
def test_pure_stages_do_no_file_io(stage):
    files = sorted((SRC / stage).rglob("*.py"))
    assert files
    found = [hit for f in files
             for hit in file_io(f.read_text(encoding="utf-8"), str(f.relative_to(SRC)))]
    assert found == [], "file I/O in a pure stage (move it to read/ or run/):\n" + \
        "\n".join(found)
