"""Shared fixtures: the committed demo data cleaned once per session into a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.clean.pipeline import run_clean
from evalkit.core.config import RAW_DATA_DIR
from evalkit.run.stages import ensure_results

TEST_KEY = b"evalkit-test-key"

# `make test-fast` deselects `kernel`: every test that starts a Jupyter kernel (papermill,
# the kernel pool, the fork server, `evalkit run` making reports) gets it here, by one of
# four rules: an nbval notebook cell, a kernel fixture, a module about kernels, a listed test.
KERNEL_FIXTURES = {  # (module defining it, fixture): a test using one, even indirectly
    ("conftest", "write_notebook"),  # a notebook written to be executed on evalkit's kernel
    ("test_batch", "batch"),  # the demo batch through papermill
    ("test_kernel_pool", "pool"),
    ("test_fork_kernel", "runs"),
    ("test_own_data", "ran"),  # `evalkit run` on the officer's own project
    ("test_hostile_corpus", "outcomes"),  # every hostile case at once, `evalkit run` among them
    ("test_archive", "archived"), ("test_archive", "history"),  # archives of earlier waves
}
KERNEL_MODULES = {"test_kernel_pool.py", "test_fork_kernel.py"}  # every test starts one
KERNEL_TESTS = {  # tests that start kernels without a fixture (`evalkit run`, run_reports)
    "test_batch.py::test_an_interrupted_batch_leaves_nothing_that_looks_complete",
    "test_batch.py::test_reports_run_on_a_dask_cluster",
}


def _uses_kernel_fixture(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        for fixturedef in (info.name2fixturedefs.get(name, ()) if info else ()):
            module = getattr(fixturedef.func, "__module__", "").rsplit(".", 1)[-1]
            if (module, name) in KERNEL_FIXTURES:
                return True
    return False


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = getattr(item, "originalname", None) or item.name
        if (type(item).__module__.startswith("nbval")  # a notebook cell run by nbval
                or item.path.name in KERNEL_MODULES
                or f"{item.path.name}::{name}" in KERNEL_TESTS
                or _uses_kernel_fixture(item)):
            item.add_marker(pytest.mark.kernel)


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The bundled demo data (read only: no test writes here)."""
    return RAW_DATA_DIR


@pytest.fixture(scope="session")
def test_key() -> bytes:
    return TEST_KEY


@pytest.fixture(scope="session")
def processed(tmp_path_factory, raw_dir):
    """Run the clean stage on the demo data once; returns the CleanSummary."""
    out = tmp_path_factory.mktemp("processed")
    return run_clean(raw_dir, out, key=TEST_KEY)


@pytest.fixture(scope="session")
def processed_dir(processed) -> Path:
    """The cleaned demo data with its cross-region results (what every report reads)."""
    ensure_results(processed.processed_dir)
    return processed.processed_dir


@pytest.fixture(scope="session")
def write_notebook():
    """``write(path, *cells, parameters=...)``: a notebook on evalkit's kernel, its first
    cell tagged ``parameters`` (for papermill), then one code cell per ``cells``."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from evalkit.core.config import KERNEL_NAME

    def write(path: Path, *cells: str, parameters: str) -> Path:
        nb = new_notebook(cells=[new_code_cell(parameters, metadata={"tags": ["parameters"]}),
                                 *(new_code_cell(c) for c in cells)])
        nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "language": "python",
                                     "display_name": "Python (evalkit)"}
        nb.metadata["language_info"] = {"name": "python"}
        nbformat.write(nb, path)
        return path

    return write


@pytest.fixture(scope="session")
def printed_json():
    """``read(nb, source)``: what the executed cell with that source printed, as JSON."""
    import json

    def read(nb, source: str):
        cell = next(c for c in nb.cells if c.source == source)
        return json.loads("".join(o["text"] for o in cell.outputs if o.get("name") == "stdout"))

    return read
