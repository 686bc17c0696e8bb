"""Running the results stage: compute the cross-region results unless they are current.

Reads the processed tables (:mod:`evalkit.read.products`), calls the pure
:func:`evalkit.analyse.results.compute_results` and saves every table under
``<processed>/results/`` with a stamp of what they came from. Presentation reads them
back with :func:`evalkit.read.products.read_result` and computes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from evalkit.analyse import results
from evalkit.core.config import PROCESSED_DATA_DIR
from evalkit.core.errors import EvalkitError
from evalkit.core.lock import replace_atomic
from evalkit.read.products import (
    MANIFEST,
    RESULTS_STAMP,
    manifest_digest,
    programme_sectors,
    read_processed,
    read_scale,
    read_waves,
    results_dir,
)
from evalkit.run import cache

STAMP = RESULTS_STAMP
#: Where the results' code starts: its import closure is the code they depend on (the
#: estimators in measure, the tables in analyse, config, the readers, this module).
RESULTS_CODE = ("evalkit.analyse.results", "evalkit.run.stages")


def read_inputs(processed_dir: Path = PROCESSED_DATA_DIR) -> dict:
    """The keyword arguments of :func:`~evalkit.analyse.results.compute_results`, read
    from the processed folder."""
    # waves.parquet: the single wave for a folder cleaned before evalkit knew waves
    tables = {name: read_waves(processed_dir) if name == "waves"
              else read_processed(name, processed_dir) for name in results.INPUT_TABLES}
    return {"tables": tables, "scale": read_scale(processed_dir),
            "sectors": programme_sectors(processed_dir)}


def compute_results(processed_dir: Path = PROCESSED_DATA_DIR, **options) -> dict[str, pd.DataFrame]:
    """:func:`evalkit.analyse.results.compute_results` on the tables in ``processed_dir``."""
    return results.compute_results(**read_inputs(processed_dir), **options)


def _processed_digest(processed_dir: Path) -> str:
    path = Path(processed_dir) / MANIFEST
    if not path.exists():
        raise EvalkitError(f"no processed data in {processed_dir}: run `evalkit clean` first.")
    try:
        return manifest_digest(json.loads(path.read_text(encoding="utf-8")))
    except ValueError:  # cut off or overwritten
        raise EvalkitError(f"{path} is damaged (not readable JSON): run `evalkit clean` to "
                           "rebuild the processed data.") from None


def code_digest(root: Path | str | None = None) -> str:
    """SHA-256 over the source of every evalkit module the results depend on: the import
    closure of :data:`RESULTS_CODE` (:func:`evalkit.core.digest.code_digest`).

    Results computed by other code (an upgrade, a fix, another ``MIN_CELL`` in
    :mod:`evalkit.core.config`) are stale even when the data are not. ``root``: the
    evalkit folder to read (default: the installed package).
    """
    return cache.code_digest(RESULTS_CODE, root)


def _stamp(processed_dir: Path) -> dict:
    """What the results are made from: the processed data, the code, the versions."""
    return {"processed": _processed_digest(processed_dir), "code": code_digest(),
            "versions": cache.package_versions()}


def results_current(processed_dir: Path = PROCESSED_DATA_DIR) -> bool:
    """True when the saved results came from the processed data on disk, this code and
    these package versions, and every table is there as it was written.

    An unreadable stamp, or a table missing, of another size or another SHA-256 than
    the stamp records, is not current (the results are recomputed):
    :func:`evalkit.run.cache.is_current`.
    """
    return cache.is_current(results_dir(processed_dir) / STAMP, _stamp(processed_dir))


def ensure_results(processed_dir: Path = PROCESSED_DATA_DIR, *, force: bool = False) -> bool:
    """Compute and save the cross-region results unless they are current; True if computed.

    Files are written under unique temporary names and renamed; the stamp (written
    last) records the processed data they came from and each table's size and SHA-256,
    so an interrupted write is redone and a table damaged later is detected
    (:func:`results_current`).
    """
    if not force and results_current(processed_dir):
        return False
    stamp = _stamp(processed_dir)
    out = results_dir(processed_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / STAMP).unlink(missing_ok=True)
    tables = compute_results(processed_dir)
    files = {}

    def write_table(tmp: Path, table: pd.DataFrame, name: str) -> None:
        table.to_parquet(tmp, index=False)
        files[name] = cache.file_record(tmp)

    for name, table in tables.items():  # unique temporary names: kernels may race
        replace_atomic(out / f"{name}.parquet",
                       lambda tmp, table=table, name=name: write_table(tmp, table, f"{name}.parquet"))
    cache.write_record(out / STAMP, stamp, files=files, tables=sorted(tables))
    return True
