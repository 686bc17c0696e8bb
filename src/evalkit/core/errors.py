"""Exceptions that reach the M&E officer: each says what is wrong and where.

The CLI prints ``str(error)`` as one line and exits non-zero; no traceback.
"""

from __future__ import annotations

from pathlib import Path


class EvalkitError(Exception):
    """Base class for errors evalkit reports to its user in plain words."""


class InputFileError(EvalkitError):
    """A raw file that cannot be read at all (missing, empty, wrong format, wrong sheet)."""

    def __init__(self, path: Path | str, problem: str):
        self.path, self.problem = Path(path), problem
        super().__init__(f"{Path(path).name}: {problem}")


class DataError(EvalkitError):
    """A value in a raw file that evalkit cannot use, located by file, row and column.

    ``row`` is the row number as the officer sees it in Excel (header = row 1).
    """

    def __init__(self, path: Path | str, problem: str, *, row: int | None = None,
                 column: str | None = None):
        self.path, self.problem, self.row, self.column = Path(path), problem, row, column
        where = Path(path).name
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {problem}")
