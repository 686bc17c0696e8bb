"""Shared fixtures: the committed demo data cleaned once per session into a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.config import RAW_DATA_DIR
from evalkit.pipeline import run_clean

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
    return processed.processed_dir
