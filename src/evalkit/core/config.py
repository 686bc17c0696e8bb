"""Paths and named constants, in one place, each with the reason beside it.

Paths default to the project folder (``PROJ_ROOT``, see :func:`find_project_root`) and
can be redirected with environment variables, so tests and other checkouts can point
evalkit elsewhere without touching code.
"""

from __future__ import annotations

import os
from pathlib import Path

# src/evalkit/core/config.py -> the package checkout is four levels up. The report notebooks
# ship with it; the data and reports belong to the project folder.
PACKAGE_ROOT = Path(__file__).resolve().parents[3]


def find_project_root(start: Path | str | None = None) -> Path:
    """The project folder evalkit works on.

    ``$EVALKIT_ROOT`` when set; else the first of ``start`` (default: the current
    directory) and its parents that contains ``data/raw`` (a folder made by
    ``evalkit init``); else the package checkout (where the demo data lives).
    """
    env = os.environ.get("EVALKIT_ROOT")
    if env:
        return Path(env)
    try:
        here = Path(start if start is not None else Path.cwd()).resolve()
    except OSError:  # the current directory was deleted
        return PACKAGE_ROOT
    for folder in (here, *here.parents):
        if (folder / "data" / "raw").is_dir():
            return folder
    return PACKAGE_ROOT


def project_dirs(root: Path | str) -> dict[str, Path]:
    """The raw, processed and reports folders of the project folder ``root``."""
    root = Path(root)
    return {"raw": root / "data" / "raw", "processed": root / "data" / "processed",
            "reports": root / "reports"}


PROJ_ROOT = find_project_root()
DATA_DIR = PROJ_ROOT / "data"
RAW_DATA_DIR = Path(os.environ.get("EVALKIT_RAW_DIR", DATA_DIR / "raw"))
PROCESSED_DATA_DIR = Path(os.environ.get("EVALKIT_PROCESSED_DIR", DATA_DIR / "processed"))
REPORTS_DIR = Path(os.environ.get("EVALKIT_REPORTS_DIR", PROJ_ROOT / "reports"))
NOTEBOOKS_DIR = PACKAGE_ROOT / "notebooks"

# Name of the Jupyter kernel registered inside the project environment. A unique name
# avoids the papermill trap of a same-named kernel from another environment.
KERNEL_NAME = "evalkit"
# Arguments every report kernel gets: its own start-up log (e.g. the TCP transport notice)
# is noise for an officer; execution errors are still captured in the notebook.
KERNEL_ARGUMENTS: tuple[str, ...] = ("--IPKernelApp.log_level=ERROR",)

# Default Likert scale (1 = Sangat tidak setuju ... 5 = Sangat setuju), kept for
# compatibility: the scale of a form is read from its choice list
# (evalkit.read.codebook.Codebook.scale; default evalkit.core.contract.DEFAULT_SCALE).
LIKERT_MIN = 1
LIKERT_MAX = 5

# Prorating rule: a respondent gets a dimension score only when at least this share of
# the dimension's items is answered (a common convention for short scales, e.g.
# the "half rule" family; two thirds is stricter for 3-item dimensions: 2 of 3).
MIN_ITEM_SHARE = 2 / 3

# Published tables and figures suppress any group smaller than this (statistical
# disclosure control; 5 is the usual minimum cell size in official statistics).
MIN_CELL = 5

# Cronbach's alpha below this is reported as questionable for group comparisons
# (the conventional 0.7 of Nunnally 1978; short 3-item scales often fall near it).
ALPHA_ACCEPTABLE = 0.7

# Confidence level used throughout reports.
CI_LEVEL = 0.95

# Survey quality thresholds.
# The speeder limit is SPEEDER_SECONDS_PER_ITEM (evalkit.core.contract, 6 s) per scale item;
# SPEEDER_MIN_SECONDS is that limit for the demo's 30 items, kept for compatibility.
SPEEDER_MIN_SECONDS = 180  # a 30-item survey cannot be read and answered in < 3 min
MAX_MISSING_ITEM_SHARE = 0.5  # more than half the items missing: not a usable response

# Environment variable / file holding the pseudonymisation key (never in the repo).
PSEUDONYM_KEY_ENV = "EVALKIT_PSEUDONYM_KEY"
PSEUDONYM_KEY_FILE = PROJ_ROOT / ".evalkit_key"
