"""Running the results stage: compute the cross-region results unless they are current.

Reads the processed tables (:mod:`evalkit.read.products`), calls the pure
:func:`evalkit.analyse.results.compute_results` and saves every table under
``<processed>/results/`` with a stamp of what they came from. Presentation reads them
back with :func:`evalkit.read.products.read_result` and computes nothing.

Results made with other analysis choices than the defaults
(:class:`evalkit.analyse.choices.AnalysisChoices`: another confidence level, reference
sector, number of bootstrap draws or index weighting) are saved in a folder of their
own, ``<processed>/results/choices-<digest>/``, with their own stamp (which records the
choices), so the default results stay as they are and both can be current.
:func:`ensure_choices` is what a regional notebook calls before it loads its report: in
a partner's JupyterLab it computes the results of the notebook's choices when they are
not there yet (``evalkit run`` has made them before any report).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from evalkit.analyse import results
from evalkit.analyse.choices import DEFAULT_CHOICES, AnalysisChoices
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


def _stamp(processed_dir: Path, choices: AnalysisChoices = DEFAULT_CHOICES) -> dict:
    """What the results are made from: the processed data, the code, the versions, the
    analysis choices."""
    return {"processed": _processed_digest(processed_dir), "code": code_digest(),
            "versions": cache.package_versions(), "choices": choices.to_dict()}


def choices_dir(processed_dir: Path = PROCESSED_DATA_DIR,
                choices: AnalysisChoices | None = None) -> Path:
    """The folder of the results made with ``choices``: the results folder for the
    defaults (None), ``results/choices-<digest>/`` for any other
    (:attr:`evalkit.analyse.choices.AnalysisChoices.folder`)."""
    return results_dir(processed_dir, (choices or DEFAULT_CHOICES).folder)


def results_current(processed_dir: Path = PROCESSED_DATA_DIR,
                    choices: AnalysisChoices | None = None) -> bool:
    """True when the saved results (of ``choices``; None: the defaults) came from the
    processed data on disk, this code, these package versions and these choices, and
    every table is there as it was written.

    An unreadable stamp, or a table missing, of another size or another SHA-256 than
    the stamp records, is not current (the results are recomputed):
    :func:`evalkit.run.cache.is_current`.
    """
    choices = choices or DEFAULT_CHOICES
    return cache.is_current(choices_dir(processed_dir, choices) / STAMP,
                            _stamp(processed_dir, choices))


def ensure_results(processed_dir: Path = PROCESSED_DATA_DIR, *, force: bool = False,
                   choices: AnalysisChoices | None = None) -> bool:
    """Compute and save the cross-region results unless they are current; True if computed.

    ``choices`` (None: the defaults) are the analysis choices; results of other choices
    than the defaults go to their own folder (:func:`choices_dir`), the default results
    are left alone. A reference sector the programme does not have is a ``ValueError``
    (naming it and the valid codes) before anything is written.

    Files are written under unique temporary names and renamed; the stamp (written
    last) records the processed data they came from, the choices and each table's size
    and SHA-256, so an interrupted write is redone and a table damaged later is detected
    (:func:`results_current`).
    """
    choices = choices or DEFAULT_CHOICES
    if not force and results_current(processed_dir, choices):
        return False
    choices.validate(programme_sectors(processed_dir))
    stamp = _stamp(processed_dir, choices)
    out = choices_dir(processed_dir, choices)
    out.mkdir(parents=True, exist_ok=True)
    (out / STAMP).unlink(missing_ok=True)
    tables = (compute_results(processed_dir) if choices.is_default
              else compute_results(processed_dir, choices=choices))
    files = {}

    def write_table(tmp: Path, table: pd.DataFrame, name: str) -> None:
        table.to_parquet(tmp, index=False)
        files[name] = cache.file_record(tmp)

    for name, table in tables.items():  # unique temporary names: kernels may race
        replace_atomic(out / f"{name}.parquet",
                       lambda tmp, table=table, name=name: write_table(tmp, table, f"{name}.parquet"))
    cache.write_record(out / STAMP, stamp, files=files, tables=sorted(tables))
    return True


def ensure_choices(processed_dir: Path | str | None = None,
                   choices: AnalysisChoices | None = None) -> bool:
    """What a regional notebook calls before :func:`evalkit.present.report.load_region_report`:
    the results of ``choices`` computed and saved unless they are current; True if computed.

    The default choices' results are ``evalkit run``'s business (it computes them before
    any report), so for them (or None) nothing is checked and False is returned: a report
    of the batch pays nothing. Other choices (a partner who changed a parameter in
    JupyterLab) are computed when missing or stale (:func:`ensure_results`; ``evalkit run
    --ci-level ...`` has computed them before its reports, so those only check).
    ``processed_dir``: None or ``""`` for the configured processed folder.
    """
    if choices is None or choices.is_default:
        return False
    return ensure_results(Path(processed_dir) if processed_dir else PROCESSED_DATA_DIR,
                          choices=choices)
