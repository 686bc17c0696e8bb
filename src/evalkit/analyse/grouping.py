"""Each table's rows per report region, grouped once.

The report regions (:func:`report_regions`) and the grouping every per-region table of
:mod:`evalkit.analyse.results` and :mod:`evalkit.analyse.waves` shares
(:class:`RegionRows`: a province counts its regencies' and cities' rows, as
:func:`evalkit.analyse.region_tables.in_region` does), in one module below both so that
neither imports the other. Pure: no file I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.read.regions import Region, get_region


def report_regions(survey: pd.DataFrame, targets: pd.DataFrame) -> list[Region]:
    """Regions with survey responses or indicator targets, in code order."""
    codes = set(survey["region_code"]) | set(targets["region_code"])
    return [get_region(c) for c in sorted(codes, key=lambda c: [int(p) for p in c.split(".")])]


class RegionRows:
    """The rows of ``frame`` that belong to each report region, grouped once.

    ``rows(region)`` equals :func:`evalkit.analyse.region_tables.in_region` (a
    province's rows include its regencies' and cities', through ``province_code``; same
    rows, same order, same index). The frame is sorted once by region (and once by
    province), stably, so each region's rows are one contiguous slice, in their original
    order: looking a region up costs a slice, not a comparison of the whole column (or a
    gather of every column) for every one of hundreds of regions.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._by: dict[str, tuple[pd.DataFrame, dict]] = {}
        for column in ("region_code", "province_code"):
            if column not in frame.columns:
                continue
            codes, keys = pd.factorize(frame[column])  # missing -> -1, never matched
            order = np.argsort(codes, kind="stable")
            order = order[codes[order] >= 0]
            bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
            spans = {key: (int(bounds[i]), int(bounds[i + 1])) for i, key in enumerate(keys)}
            self._by[column] = (frame.iloc[order], spans)

    def _span(self, region: Region) -> tuple[pd.DataFrame | None, tuple[int, int]]:
        column = ("province_code" if region.level == 1 and "province_code" in self._by
                  else "region_code")
        if column not in self._by:
            return None, (0, 0)
        frame, spans = self._by[column]
        return frame, spans.get(region.code, (0, 0))

    def count(self, region: Region) -> int:
        _, (lo, hi) = self._span(region)
        return hi - lo

    def rows(self, region: Region) -> pd.DataFrame:
        frame, (lo, hi) = self._span(region)
        return self.frame.iloc[:0] if frame is None or hi == lo else frame.iloc[lo:hi]


def per_region(regions: list[Region], frame: pd.DataFrame | RegionRows, compute) -> pd.DataFrame:
    """``compute(rows of one region)`` for every region, stacked with ``region_code`` first.

    A province's rows include its regencies' and cities' (see
    :func:`evalkit.analyse.region_tables.in_region`).
    """
    grouped = frame if isinstance(frame, RegionRows) else RegionRows(frame)
    parts = []
    for region in regions:
        rows = grouped.rows(region)
        out = compute(rows) if len(rows) else None
        if out is not None and len(out):
            parts.append((region.code, out))
    if not parts:
        return pd.DataFrame(columns=["region_code"])
    return stack(parts, first=True)


def stack(parts: list[tuple[str, pd.DataFrame]], *, first: bool) -> pd.DataFrame:
    """``pd.concat([table.assign(region_code=code) for code, table in parts])``, with
    ``region_code`` moved first when ``first``; the column is added once to the stacked
    table instead of to each region's (a copy of every table)."""
    tables = [table for _, table in parts]
    if any("region_code" in table.columns for table in tables):
        out = pd.concat([table.assign(region_code=code) for code, table in parts],
                        ignore_index=True)
        return column_first(out, "region_code") if first else out
    out = pd.concat(tables, ignore_index=True)
    codes = np.repeat(np.array([code for code, _ in parts], dtype=object),
                      [len(table) for table in tables])
    out.insert(0 if first else len(out.columns), "region_code",
               pd.array(codes, dtype="str"))
    return out


def column_first(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """``table`` with ``column`` moved to the front (the key a reader looks for first)."""
    return table[[column, *[c for c in table.columns if c != column]]]


def grouped(frame: pd.DataFrame | RegionRows) -> RegionRows:
    """``frame`` grouped by region (a :class:`RegionRows` as it is)."""
    return frame if isinstance(frame, RegionRows) else RegionRows(frame)
