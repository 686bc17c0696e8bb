"""Shared fixtures: the committed demo data cleaned once per session into a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.core.config import RAW_DATA_DIR
from evalkit.clean.pipeline import run_clean
from evalkit.run.stages import ensure_results

TEST_KEY = b"evalkit-test-key"


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
