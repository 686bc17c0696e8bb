"""Paths and named constants, in one place, each with the reason beside it.

Paths default to the project checkout (``PROJ_ROOT``) and can be redirected with
environment variables, so tests and other checkouts can point evalkit elsewhere
without touching code.
"""

from __future__ import annotations

import os
from pathlib import Path

# src/evalkit/config.py -> project root is three levels up.
PROJ_ROOT = Path(os.environ.get("EVALKIT_ROOT", Path(__file__).resolve().parents[2]))
DATA_DIR = PROJ_ROOT / "data"
RAW_DATA_DIR = Path(os.environ.get("EVALKIT_RAW_DIR", DATA_DIR / "raw"))
PROCESSED_DATA_DIR = Path(os.environ.get("EVALKIT_PROCESSED_DIR", DATA_DIR / "processed"))
REPORTS_DIR = Path(os.environ.get("EVALKIT_REPORTS_DIR", PROJ_ROOT / "reports"))
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"

# Name of the Jupyter kernel registered inside the project environment. A unique name
# avoids the papermill trap of a same-named kernel from another environment.
KERNEL_NAME = "evalkit"
# Arguments every report kernel gets: its own start-up log (e.g. the TCP transport notice)
# is noise for an officer; execution errors are still captured in the notebook.
KERNEL_ARGUMENTS: tuple[str, ...] = ("--IPKernelApp.log_level=ERROR",)

# Likert scale of the stakeholder survey (1 = Sangat tidak setuju ... 5 = Sangat setuju).
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
SPEEDER_MIN_SECONDS = 180  # a 30-item survey cannot be read and answered in < 3 min
MAX_MISSING_ITEM_SHARE = 0.5  # more than half the items missing: not a usable response

# Environment variable / file holding the pseudonymisation key (never in the repo).
PSEUDONYM_KEY_ENV = "EVALKIT_PSEUDONYM_KEY"
PSEUDONYM_KEY_FILE = PROJ_ROOT / ".evalkit_key"
