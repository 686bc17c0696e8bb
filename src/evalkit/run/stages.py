"""Running the results stage: compute the cross-region results unless they are current.

Reads the processed tables (:mod:`evalkit.read.products`), calls the pure
:func:`evalkit.analyse.results.compute_results` and saves every table under
``<processed>/results/`` with a stamp of what they came from. Presentation reads them
back with :func:`evalkit.read.products.read_result` and computes nothing.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

from evalkit.analyse import region_tables as analysis
from evalkit.analyse import results
from evalkit.core.config import PROCESSED_DATA_DIR
from evalkit.core.errors import EvalkitError
from evalkit.core.lock import replace_atomic, write_atomic
from evalkit.measure import (attribution, effectiveness, engagement, indicators, models, network,
                             scales, survey)
from evalkit.read.io import file_sha256
from evalkit.read.products import (MANIFEST, manifest_digest, programme_sectors, read_processed,
                                   read_scale, results_dir, RESULTS_STAMP)

STAMP = RESULTS_STAMP
_COMPUTING_MODULES = (analysis, attribution, engagement, effectiveness, indicators, models, network,
                      scales, survey, results, sys.modules[__name__])


def read_inputs(processed_dir: Path = PROCESSED_DATA_DIR) -> dict:
    """The keyword arguments of :func:`~evalkit.analyse.results.compute_results`, read
    from the processed folder."""
    return {"tables": {name: read_processed(name, processed_dir) for name in results.INPUT_TABLES},
            "scale": read_scale(processed_dir), "sectors": programme_sectors(processed_dir)}


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


def code_digest() -> str:
    """SHA-256 over the source of the modules that compute the results.

    Results computed by other code (an upgrade, a fix) are stale even when the data
    are not.
    """
    digest = hashlib.sha256()
    for module in sorted(_COMPUTING_MODULES, key=lambda m: m.__name__):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def _stamp(processed_dir: Path) -> dict:
    return {"processed": _processed_digest(processed_dir), "code": code_digest()}


def _file_record(path: Path) -> dict:
    return {"bytes": path.stat().st_size, "sha256": file_sha256(path)}


def results_current(processed_dir: Path = PROCESSED_DATA_DIR) -> bool:
    """True when the saved results came from the processed data on disk and this code,
    and every table is there as it was written.

    An unreadable stamp, or a table missing, of another size or another SHA-256 than
    the stamp records, is not current (the results are recomputed). A stamp from
    before the tables were recorded counts on their presence only.
    """
    out = results_dir(processed_dir)
    try:
        saved = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (ValueError, OSError):  # cut off, garbled: the results cannot be trusted
        return False
    if not isinstance(saved, dict) or not all(
            saved.get(k) == v for k, v in _stamp(processed_dir).items()):
        return False
    files = saved.get("files")
    if not isinstance(files, dict):  # an older stamp: the tables it lists must exist
        return all((out / f"{name}.parquet").is_file() for name in saved.get("tables", ()))
    try:
        return all(isinstance(want, dict) and (out / name).stat().st_size == want.get("bytes")
                   and file_sha256(out / name) == want.get("sha256")
                   for name, want in files.items())
    except OSError:  # a table gone
        return False


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
        files[name] = _file_record(tmp)

    for name, table in tables.items():  # unique temporary names: kernels may race
        replace_atomic(out / f"{name}.parquet",
                       lambda tmp, table=table, name=name: write_table(tmp, table, f"{name}.parquet"))
    write_atomic(out / STAMP, json.dumps({**stamp, "tables": sorted(tables), "files": files},
                                         indent=1))
    return True
