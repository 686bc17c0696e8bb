"""The `kernel` marker that `make test-fast` deselects, added by tests/conftest.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

# tests/conftest.py by its path: `import conftest` could find the root conftest.py instead
_spec = importlib.util.spec_from_file_location("tests_conftest",
                                               Path(__file__).with_name("conftest.py"))
conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(conftest)


def fixture(module: str):
    return SimpleNamespace(func=SimpleNamespace(__module__=module))


def item(path: str, name: str, fixtures: dict[str, str] | None = None, cls=None):
    """A stand-in for a collected test: its file, name and fixtures (name -> module)."""
    fixtures = fixtures or {}
    marks = []
    kind = cls or type("Function", (), {"__module__": "_pytest.python"})
    made = kind()
    made.path, made.name, made.originalname = Path(path), name, name.split("[")[0]
    made.fixturenames = list(fixtures)
    made._fixtureinfo = SimpleNamespace(
        name2fixturedefs={n: (fixture(m),) for n, m in fixtures.items()})
    made.add_marker = marks.append
    made.marks = marks
    return made


def kernel_marked(made) -> bool:
    conftest.pytest_collection_modifyitems(None, [made])
    return any(getattr(m, "name", None) == "kernel" for m in made.marks)


def test_nbval_notebook_cells_are_kernel_tests():
    cell = type("IPyNbCell", (), {"__module__": "nbval.plugin"})
    assert kernel_marked(item("notebooks/region_evaluation.ipynb", "Cell 3", cls=cell))


@pytest.mark.parametrize("path, name, fixtures, expected", [
    ("tests/test_batch.py", "test_html", {"batch": "test_batch"}, True),
    ("tests/test_batch_robust.py", "test_x", {"write_notebook": "conftest"}, True),
    ("tests/test_own_data.py", "test_reports[id]", {"ran": "test_own_data"}, True),
    # the same fixture name defined by another module is not the kernel fixture
    ("tests/test_other.py", "test_y", {"batch": "test_other"}, False),
    ("tests/test_kernel_pool.py", "test_anything", {}, True),
    ("tests/test_batch.py", "test_reports_run_on_a_dask_cluster", {}, True),
    ("tests/test_batch.py", "test_kernel_is_this_environment", {}, False),
    ("tests/test_scales.py", "test_alpha", {"processed_dir": "conftest"}, False),
])
def test_kernel_tests_are_marked_and_the_others_not(path, name, fixtures, expected):
    assert kernel_marked(item(path, name, fixtures)) is expected


def test_every_listed_kernel_test_exists():
    root = Path(conftest.__file__).parent
    for listed in conftest.KERNEL_TESTS:
        module, name = listed.split("::")
        assert f"def {name}(" in (root / module).read_text(encoding="utf-8"), listed
    for module, name in conftest.KERNEL_FIXTURES:
        assert f"def {name}(" in (root / f"{module}.py").read_text(encoding="utf-8"), name
    for module in conftest.KERNEL_MODULES:
        assert (root / module).is_file(), module


def test_this_test_is_in_the_fast_set(request):
    assert request.node.get_closest_marker("kernel") is None
