"""ruff, as configured in ``pyproject.toml`` ([tool.ruff]), in the test run.

The check of the whole code is off until src/ is clean (``LINT_IN_TEST_RUN``; or set
``EVALKIT_LINT=1`` to run it now); ``make lint`` runs the same command. The test that the
configuration catches a fault always runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["src", "tests", "benchmarks", "conftest.py"]  # as `make lint`
LINT_IN_TEST_RUN = True  # on: src, tests and benchmarks are ruff-clean


def ruff(*args: str, source: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args],
                          cwd=ROOT, input=source, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not LINT_IN_TEST_RUN and os.environ.get("EVALKIT_LINT") != "1",
                    reason="ruff on src is off until src is clean (EVALKIT_LINT=1 runs it)")
def test_ruff_finds_nothing():
    result = ruff(*PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("source, rule", [
    ("import os\n", "F401"),  # unused import
    ("from typing import Optional\n\nx: Optional[int] = None\n", "UP045"),  # pyupgrade
    ("import sys\nimport os\n\nprint(os, sys)\n", "I001"),  # import order
    ("def f(x=[]):\n    return x\n", "B006"),  # bugbear
    (f"x = {'1 + ' * 40}1\n", "E501"),  # over 110 characters
])
def test_the_configuration_catches_a_fault(source, rule):
    result = ruff("--stdin-filename", "tests/example.py", "-", source=source)
    assert result.returncode == 1 and rule in result.stdout, result.stdout + result.stderr


def test_a_long_line_under_the_limit_passes():
    result = ruff("--stdin-filename", "tests/example.py", "-", source=f"x = {'1 + ' * 25}1\n")
    assert result.returncode == 0, result.stdout + result.stderr
