"""Session set-up shared by the pytest tests and the nbval notebook runs.

nbval executes ``notebooks/*.ipynb`` with their default parameters, which read
``data/processed/``; make sure it holds the current demo data and its results before
collection (``evalkit run`` does the same before it runs a notebook).
"""

from evalkit.clean.pipeline import raw_inputs_changed, run_clean
from evalkit.core.config import PROCESSED_DATA_DIR, RAW_DATA_DIR
from evalkit.run.stages import ensure_results


def pytest_sessionstart(session):
    if raw_inputs_changed(RAW_DATA_DIR, PROCESSED_DATA_DIR):
        run_clean(RAW_DATA_DIR, PROCESSED_DATA_DIR)
    ensure_results(PROCESSED_DATA_DIR)  # the notebooks present results; they compute none
