"""Freshness of evalkit's products: one rule for the cross-region results and the reports.

In the spirit of ploomber's product metadata, each product (the results folder, one
report) has a small JSON record beside it that says what it was made from: the digest of
its inputs, of its parameters, of the evalkit code it depends on
(:func:`evalkit.core.digest.code_digest`: the import closure of its entry modules, found
recursively, so :mod:`evalkit.core.config` is in nearly every closure), and the versions
of evalkit and of the packages that compute (:func:`evalkit.core.digest.package_versions`).
The record also lists the size and SHA-256 of each file of the product.

A product is *current* (:func:`is_current`) when its record can be read, every item it
was made from equals what it would be made from now, and every file it lists is there
as it was written. Anything else makes it again: one rule, for every kind of output.

The clean stage follows the same rule with the same digests, but keeps its record in
its manifest (``outputs``, ``code``, ``versions``: :func:`evalkit.clean.pipeline.raw_inputs_changed`),
since it may not import this layer; which is why the digests live in :mod:`evalkit.core.digest`.

Writes go through :func:`evalkit.core.lock.write_atomic` (a unique temporary name,
renamed): a record is never half-written, and it is written after the files it lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from evalkit.core.digest import (
    PACKAGE_DIR,
    code_digest,
    digest,
    file_record,
    files_intact,
    imports_in,
    is_module,
    module_closure,
    package_versions,
)
from evalkit.core.lock import write_atomic

# The digests themselves are evalkit.core.digest's, offered here beside the records.
__all__ = ["code_digest", "digest", "file_record", "is_current", "module_closure",
           "notebook_modules", "package_versions", "read_record", "record_text", "write_record"]

#: The key of a record that lists the product's files (name -> size and SHA-256).
FILES = "files"


def read_record(path: Path | str) -> dict | None:
    """The record at ``path``; None when there is none or it cannot be read (cut off,
    garbled, not a JSON object): no record, so the product is made again."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def is_current(record_path: Path | str, expected: Mapping[str, object], *,
               folder: Path | str | None = None) -> bool:
    """True when the product recorded at ``record_path`` was made from ``expected``
    (every item equal) and is intact.

    Intact: every file the record lists under ``files`` is in ``folder`` (default: the
    record's folder) with the size and SHA-256 recorded. A record that lists no files
    (an older evalkit's) is not current.
    """
    record = read_record(record_path)
    if record is None or any(record.get(key) != value for key, value in expected.items()):
        return False
    folder = Path(folder) if folder is not None else Path(record_path).parent
    return FILES in record and files_intact(folder, record[FILES])


def record_text(made_from: Mapping[str, object], /, *, files: Mapping[str, dict] | None = None,
                **extra: object) -> str:
    """The JSON of a record: what the product was made from, its ``files`` (name ->
    :func:`evalkit.core.digest.file_record`) and ``extra`` items (e.g. the seconds it took)."""
    record = {**extra, **made_from}
    if files is not None:
        record[FILES] = dict(files)
    return json.dumps(record, indent=1)


def write_record(record_path: Path | str, made_from: Mapping[str, object], /, *,
                 files: Mapping[str, dict] | None = None, **extra: object) -> Path:
    """Write :func:`record_text` to ``record_path`` atomically; write it last, after the
    files it lists."""
    return write_atomic(record_path, record_text(made_from, files=files, **extra))


_MAGIC = re.compile(r"^[ \t]*[%!].*$", re.MULTILINE)  # IPython magics and shell lines


def notebook_modules(notebook: Path | str, root: Path | str | None = None) -> list[str]:
    """The evalkit modules a notebook's code cells import (its entry modules), sorted.

    ``from evalkit.present import report, synthesis`` gives ``evalkit.present``,
    ``evalkit.present.report`` and ``evalkit.present.synthesis``; imported names that are
    not modules are left out.
    """
    root = Path(root) if root is not None else PACKAGE_DIR
    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    found: set[str] = set()
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = _MAGIC.sub("", "".join(source) if isinstance(source, list) else source)
        try:
            found |= imports_in(source, "__notebook__")
        except SyntaxError:  # a cell that is no Python (it would fail the report anyway)
            found |= {name for line in source.splitlines() if "evalkit" in line
                      for name in _line_imports(line)}
    return sorted(name for name in found if is_module(name, root))


def _line_imports(line: str) -> set[str]:
    try:
        return imports_in(line.strip(), "__notebook__")
    except SyntaxError:
        return set()
