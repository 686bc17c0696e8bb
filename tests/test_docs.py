"""`make docs`: the API reference built by pdoc from the numpydoc docstrings, offline.

The pages are built here as the Makefile builds them (its ``DOC_MODULES``, pdoc's CLI),
into a temporary folder: a page for the public API and for every stage and module, a
known function's docstring on its page, and nothing loaded from the network.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import evalkit

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = ROOT / "Makefile"
SRC = Path(evalkit.__file__).resolve().parent


def doc_modules() -> list[str]:
    """The Makefile's ``DOC_MODULES`` (continuation lines joined)."""
    text = MAKEFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(r"^DOC_MODULES\s*:=\s*(.+)$", text, flags=re.M)
    assert match, "Makefile defines no DOC_MODULES"
    return match.group(1).split()


def test_the_makefile_documents_the_root_and_every_stage():
    stages = sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").is_file())
    root, *rest = doc_modules()
    assert root == "evalkit"
    assert sorted(rest) == [f"evalkit.{s}" for s in stages]
    assert "$(BIN)/pdoc --docformat numpy -o docs/api $(DOC_MODULES)" in MAKEFILE.read_text()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("api")
    proc = subprocess.run([sys.executable, "-m", "pdoc", "--docformat", "numpy", "-o", str(out),
                           *doc_modules()], capture_output=True, text=True, cwd=ROOT,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


def _page(built: Path, module: str) -> str:
    path = built.joinpath(*module.split(".")).with_suffix(".html")
    assert path.is_file(), f"no page for {module}"
    return path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_module_has_a_page(built):
    assert (built / "index.html").is_file()
    modules = sorted(
        ".".join(("evalkit", *p.relative_to(SRC).with_suffix("").parts))
        for p in SRC.rglob("*.py") if p.name != "__init__.py")
    missing = [m for m in modules if not built.joinpath(*m.split(".")).with_suffix(".html").is_file()]
    assert not missing


@pytest.mark.slow
def test_the_root_page_lists_the_public_api(built):
    page = _page(built, "evalkit")
    for name in evalkit.__all__:
        assert f'id="{name}"' in page, name


@pytest.mark.slow
def test_a_function_page_carries_its_numpydoc_docstring(built):
    page = _page(built, "evalkit.measure.scales")
    assert 'id="cronbach_alpha"' in page
    assert "Feldt" in page  # from the docstring's summary line and its references
    # the numpydoc sections, rendered as sections, not left as underlined text
    section = page[page.index('id="cronbach_alpha"'):page.index('id="omega_total"')]
    # the rendered docstring only: the function's source, shown above it (pdoc's "View
    # Source"), keeps its underlines
    docstring = section[section.index('class="docstring"'):]
    assert "<h6 id=\"parameters\">Parameters</h6>" in docstring
    assert "-------" not in docstring


@pytest.mark.slow
def test_the_pages_load_nothing_from_the_network(built):
    remote = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)
    offenders = [p.name for p in built.rglob("*.html") if remote.search(p.read_text(encoding="utf-8"))]
    assert not offenders
