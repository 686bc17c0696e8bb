"""pyproject.toml and environment.yml describe the same packages; CI runs the README's command."""

from __future__ import annotations

import re
import tomllib

from evalkit.core.config import PACKAGE_ROOT as PROJ_ROOT


def _name(requirement: str) -> str:
    name = re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-")


def pyproject_packages() -> set[str]:
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += [r for r in extra if not r.startswith("evalkit")]
    return {_name(r) for r in reqs}


def conda_packages() -> set[str]:
    names = set()
    for line in (PROJ_ROOT / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s*-\s+([A-Za-z0-9][A-Za-z0-9_.\-]*)", line.split("#")[0])
        if match:
            names.add(match.group(1).lower().replace("_", "-"))
    return names - {"python", "pip", "conda-forge"}


def test_pyproject_and_environment_agree():
    pip, conda = pyproject_packages(), conda_packages()
    assert pip == conda, f"only in pyproject: {pip - conda}; only in environment.yml: {conda - pip}"


def test_environment_yml_installs_evalkit_itself():
    assert "- -e ." in (PROJ_ROOT / "environment.yml").read_text()


def test_ci_runs_the_readme_test_command():
    readme = (PROJ_ROOT / "README.md").read_text()
    assert "make test" in readme and "make report" in readme
    ci = [line for line in (PROJ_ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith("#")]
    assert ci == ["set -euo pipefail", 'cd "$(dirname "$0")/.."', "make test"]  # nothing else


def test_jupyterlab_is_not_a_runtime_dependency():
    # report kernels must not pay JupyterLab's import cost (see DESIGN.md)
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    assert "jupyterlab" not in {_name(r) for r in project["dependencies"]}
