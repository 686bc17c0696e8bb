"""Cross-region results, computed once per batch and saved beside the processed data.

Several parts of a regional report need every region at once: the all-region
benchmark, the difference-in-differences table, the mixed models of sector effects and
of region means, and the effectiveness index with its bootstrap and weight
sensitivity. :func:`compute_results` computes them, and every table a regional report,
the workbook and the index page show per region (:data:`REGION_TABLES`: weighted scores
beside the benchmark, reliability, answer shares, findings, ...), in one pass, from
tables passed in: no file I/O here.
:func:`evalkit.run.stages.ensure_results` reads the processed data, calls it and saves
the tables to ``data/processed/results/``; presentation reads them back
(:func:`evalkit.read.products.read_result`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
import pandas as pd

from evalkit.analyse import findings as region_findings
from evalkit.analyse import region_tables as analysis
from evalkit.analyse.synthesis_tables import synthesis_tables
from evalkit.core.config import CI_LEVEL, MIN_CELL
from evalkit.core.contract import Scale
from evalkit.measure import effectiveness, engagement, models, network, scales
from evalkit.read.regions import Region, get_region

INDEX_BOOTSTRAP = 2000  # replicates of the index's parametric bootstrap
WEIGHT_DRAWS = 2000  # Dirichlet weight draws of the sensitivity analysis
SEED = 20261123


def report_regions(survey: pd.DataFrame, targets: pd.DataFrame) -> list[Region]:
    """Regions with survey responses or indicator targets, in code order."""
    codes = set(survey["region_code"]) | set(targets["region_code"])
    return [get_region(c) for c in sorted(codes, key=lambda c: [int(p) for p in c.split(".")])]


class _RegionRows:
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


def _per_region(regions: list[Region], frame: pd.DataFrame | _RegionRows, compute) -> pd.DataFrame:
    """``compute(rows of one region)`` for every region, stacked with ``region_code`` first.

    A province's rows include its regencies' and cities' (see
    :func:`evalkit.analyse.region_tables.in_region`).
    """
    grouped = frame if isinstance(frame, _RegionRows) else _RegionRows(frame)
    parts = []
    for region in regions:
        rows = grouped.rows(region)
        out = compute(rows) if len(rows) else None
        if out is not None and len(out):
            parts.append((region.code, out))
    if not parts:
        return pd.DataFrame(columns=["region_code"])
    return _stack(parts, first=True)


def _stack(parts: list[tuple[str, pd.DataFrame]], *, first: bool) -> pd.DataFrame:
    """``pd.concat([table.assign(region_code=code) for code, table in parts])``, with
    ``region_code`` moved first when ``first``; the column is added once to the stacked
    table instead of to each region's (a copy of every table)."""
    tables = [table for _, table in parts]
    if any("region_code" in table.columns for table in tables):
        out = pd.concat([table.assign(region_code=code) for code, table in parts],
                        ignore_index=True)
        return _column_first(out, "region_code") if first else out
    out = pd.concat(tables, ignore_index=True)
    codes = np.repeat(np.array([code for code, _ in parts], dtype=object),
                      [len(table) for table in tables])
    out.insert(0 if first else len(out.columns), "region_code",
               pd.array(codes, dtype="str"))
    return out


def _column_first(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """``table`` with ``column`` moved to the front (the key a reader looks for first)."""
    return table[[column, *[c for c in table.columns if c != column]]]


def _grouped(frame: pd.DataFrame | _RegionRows) -> _RegionRows:
    return frame if isinstance(frame, _RegionRows) else _RegionRows(frame)


def _pentahelix_share(coverage: pd.DataFrame) -> float:
    """:func:`engagement.coverage_share` of one region's coverage rows, on arrays (NaN
    when the form maps no sector to a pentahelix category)."""
    sectors = coverage["sector"].to_numpy(dtype=object)
    present = coverage["present"].to_numpy(dtype=bool)
    counted = (coverage["counted"].to_numpy(dtype=bool) if "counted" in coverage.columns
               else np.ones(len(sectors), dtype=bool))
    if "sectors" in coverage.columns:
        mapped = [bool(str(m).strip()) for m, c in zip(coverage["sectors"].tolist(), counted)
                  if c and not pd.isna(m)]
        if not any(mapped):
            return np.nan
    have = {s for s, p, c in zip(sectors.tolist(), present.tolist(), counted.tolist(), strict=True)
            if p and c}
    missing = [s for s in engagement.PENTAHELIX if s not in have]
    return (len(engagement.PENTAHELIX) - len(missing)) / len(engagement.PENTAHELIX)


def index_components(regions: list[Region], shrinkage: pd.DataFrame,
                     attendance: pd.DataFrame | _RegionRows, register: pd.DataFrame | _RegionRows,
                     progress: pd.DataFrame, *, coverage: pd.DataFrame | None = None,
                     with_coverage: bool = True) -> pd.DataFrame:
    """The index's components per region, long: ``region_code, component, value, se``.

    - ``health``: the partially pooled mean health score (so a region of 12
      respondents is neither over- nor under-rated), SE from the mixed model;
    - ``attendance_rate``: mean of organisations' attendance shares, cluster SE;
    - ``pentahelix_coverage``: share of the five pentahelix categories in the register
      (through the form's mapping of its sectors; left out when the form maps none);
    - ``indicators_on_track``: share of judged indicators achieved or on track;
    - ``achievement``: mean achievement ratio, each capped to [0, 1].

    The last three carry no sampling error (they are counts of what is there).
    ``coverage``, when given, is the all-region table of :func:`_coverage`, whose
    ``present`` column is the register's (so the coverage share is read from it instead
    of recounting the register). ``with_coverage=False`` (a form that maps none of its
    sectors to a pentahelix category) leaves the coverage component out: a share of 0
    would be the form's silence, not the partnership's.
    """
    rows = []
    pooled = shrinkage.set_index("region_code")
    attendance, register = _grouped(attendance), _grouped(register)
    by_region = progress.groupby("region_code", sort=False).indices
    summary = progress["summary"].to_numpy(dtype=object)
    achievement = progress["achievement"].to_numpy(dtype="float64")
    covered = None if coverage is None else _RegionRows(coverage)  # by region_code only
    for region in regions:
        code = region.code
        if code in pooled.index:
            rows.append((code, "health", pooled.at[code, "shrunken"], pooled.at[code, "shrunken_se"]))
        att = attendance.rows(region)
        if len(att):
            rate = engagement.attendance_rate(att)
            rows.append((code, "attendance_rate", rate["org_rate"], rate["org_rate_se"]))
        if with_coverage and register.count(region):
            if covered is None:
                share = engagement.coverage_share(
                    engagement.pentahelix_coverage(register.rows(region)))
            else:
                share = _pentahelix_share(covered.rows(region))
            if not np.isnan(share):
                rows.append((code, "pentahelix_coverage", share, 0.0))
        idx = np.sort(by_region.get(code, np.array([], dtype=np.intp)))
        judged = summary[idx] != "insufficient_data"
        if judged.any():
            on_track = np.isin(summary[idx][judged], ["achieved", "on_track"])
            rows.append((code, "indicators_on_track", float(on_track.sum() / on_track.size), 0.0))
            capped = np.clip(achievement[idx][judged], 0, 1)
            capped = capped[~np.isnan(capped)]
            if len(capped):
                rows.append((code, "achievement", float(capped.sum() / capped.size), 0.0))
    return pd.DataFrame(rows, columns=["region_code", "component", "value", "se"])


#: ``reason`` of an index row left without index and rank because the region has fewer
#: than ``MIN_CELL`` respondents.
TOO_FEW_RESPONDENTS = "too_few_respondents"


def _with_suppressed(table: pd.DataFrame, small: list[str],
                     missing_pillars: tuple[str, ...] = ()) -> pd.DataFrame:
    """An index table with a ``suppressed`` column (and ``reason``:
    :data:`TOO_FEW_RESPONDENTS` or ``""``), a row of missing values for each region in
    ``small`` (too few respondents to be indexed or ranked), and ``missing_pillars``:
    the pillars the whole programme has no data for, ``", "``-joined, on every row."""
    table = table.assign(suppressed=False, reason="",
                         missing_pillars=", ".join(missing_pillars))
    if not small:
        return table
    rows = pd.DataFrame({"region_code": small, "suppressed": True, "reason": TOO_FEW_RESPONDENTS,
                         "missing_pillars": ", ".join(missing_pillars)})
    out = pd.concat([table, rows], ignore_index=True)
    for column in table.columns:  # integer columns stay integer (nullable) with the gaps
        if str(table[column].dtype) == "Int64" or pd.api.types.is_integer_dtype(table[column]):
            out[column] = out[column].astype("Int64")
    return out


def reference_sector(survey_sectors: pd.Series, sectors: pd.DataFrame, *,
                     min_n: int = MIN_CELL) -> str | None:
    """The sector the sector models compare the others with.

    The largest sector the form maps to civil society (``masyarakat_sipil``: the
    partnership's usual convenor and the natural baseline for "who is less
    enthusiastic") among those with at least ``min_n`` respondents (a smaller reference
    would leave the models without estimates), else the largest sector; ties go to the
    form's order. None when no one answered.
    """
    counts = survey_sectors.value_counts()
    counts = counts[counts > 0]  # a categorical column lists its unused categories too
    if counts.empty:
        return None
    order = {s: i for i, s in enumerate(sectors["sector"])}
    civil = {s for s in sectors.loc[sectors["pentahelix"] == "masyarakat_sipil", "sector"]
             if counts.get(s, 0) >= min_n}
    ranked = sorted(counts.index, key=lambda s: (s not in civil, -counts[s],
                                                 order.get(s, len(order)), str(s)))
    return str(ranked[0])


def _ordinal_by_dimension(answers: pd.DataFrame, reference: str | None) -> pd.DataFrame:
    """Proportional-odds model of each dimension's item answers on sector (all regions)."""
    parts = [models.ordinal_sector_model(rows, reference=reference).assign(dimension=dim)
             for dim, rows in answers.groupby("dimension", sort=False)]
    return _column_first(pd.concat(parts, ignore_index=True), "dimension")


def _coverage(regions: list[Region], register: pd.DataFrame | _RegionRows,
              survey: pd.DataFrame | _RegionRows, attendance: pd.DataFrame | _RegionRows,
              sectors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pentahelix coverage (per category, :func:`engagement.pentahelix_coverage`) of each
    region's register, survey and meetings; ``sectors`` maps the form's sectors."""
    register, survey, attendance = _grouped(register), _grouped(survey), _grouped(attendance)
    parts = [(r.code, engagement.pentahelix_coverage(
        register.rows(r), survey=survey.rows(r), attendance=attendance.rows(r), sectors=sectors))
        for r in regions]
    if not parts:
        return pd.DataFrame(columns=["region_code", *engagement.COVERAGE_COLUMNS])
    return _stack(parts, first=True)


def _network_tables(regions: list[Region], ties: pd.DataFrame | _RegionRows,
                    register: pd.DataFrame | _RegionRows,
                    sector_order: list[str] | None = None) -> dict[str, pd.DataFrame]:
    metrics, central, sectors, scores = [], [], [], []
    ties, register = _grouped(ties), _grouped(register)
    for region in regions:
        r = register.rows(region)
        if not len(r):
            continue
        m, c, s, p = network.region_tables(_as_network_ties(ties.rows(region)), r, k=5,
                                           sector_order=sector_order)
        metrics.append({"region_code": region.code, **m})
        central.append((region.code, c))
        sectors.append((region.code, s))
        scores.append((region.code, p))
    first = lambda parts: _stack(parts, first=False) if parts else pd.DataFrame()  # noqa: E731
    return {"network_metrics": pd.DataFrame(metrics), "network_central": first(central),
            "network_sectors": first(sectors), "partner_scores": first(scores)}


def _as_network_ties(ties: pd.DataFrame) -> pd.DataFrame:
    """The cleaned ties in the columns :mod:`evalkit.measure.network` reads."""
    return ties[["region_code", "organisation", "partner", "level", "trust", "value"]]


# --- what each regional report, the workbook and the index page show -----------------------

#: Per-region tables for the regional reports, the workbook and the index page, each with
#: ``region_code`` (every report region, or those with rows):
#:
#: - ``region_health``: post-stratified dimension scores beside the benchmark
#:   (:func:`evalkit.analyse.region_tables.region_health`, columns
#:   :data:`~evalkit.analyse.region_tables.HEALTH_COLUMNS`);
#: - ``region_weighting``: how they were weighted (``note, problem, sectors``);
#: - ``reliability``: Cronbach's alpha (CI) and omega per dimension
#:   (:func:`evalkit.measure.scales.reliability_table`, small regions suppressed);
#: - ``dimension_scores``: unweighted mean scores per dimension (the workbook's);
#: - ``item_shares``: share of each answer per item (the Likert bars);
#: - ``sector_counts``: respondents per sector (``n_display``: small cells as ``"<5"``);
#: - ``respondents``: respondents and the sectors they come from, every report region;
#: - ``overview``: the index page's row per region
#:   (:func:`evalkit.analyse.region_tables.region_overview`);
#: - ``attendance_overall``: :func:`evalkit.measure.engagement.attendance_rate`;
#: - ``indicator_breakdowns``: latest values by sex
#:   (:func:`evalkit.analyse.region_tables.indicator_breakdowns`);
#: - ``index_normalised``: each index component normalised as the index uses it;
#: - ``findings``: the plain-language findings (``order, key, values``: JSON of the
#:   :class:`evalkit.analyse.findings.Finding` values, codes not labels).
REGION_TABLES = ("region_health", "region_weighting", "reliability", "dimension_scores",
                 "item_shares", "sector_counts", "respondents", "overview", "attendance_overall",
                 "indicator_breakdowns", "index_normalised", "findings")

FINDINGS_COLUMNS = ["region_code", "order", "key", "values"]


def _by_code(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A stacked per-region table split by ``region_code`` (that column dropped)."""
    if "region_code" not in table.columns or table.empty:
        return {}
    return {code: rows.drop(columns="region_code")
            for code, rows in table.groupby("region_code", sort=False)}


def _json_value(value):
    """numpy scalars as Python ones (a finding's values are saved as JSON)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {value!r}")


def _findings_table(regions: list[Region], tables: Mapping[str, pd.DataFrame],
                    scores: _RegionRows, respondents: dict[str, int], scale: Scale
                    ) -> pd.DataFrame:
    """:func:`evalkit.analyse.findings.region_findings` of every region, from its tables.

    The regional report drops the findings of an input the programme did not provide
    (the register's missing sectors, the attendance finding) when it shows them.
    """
    import json

    health, attendance = _by_code(tables["region_health"]), _by_code(tables["attendance_sector"])
    coverage, network_sectors = _by_code(tables["coverage"]), _by_code(tables["network_sectors"])
    index, pillars = _by_code(tables["index"]), _by_code(tables["index_pillars"])
    progress = _by_code(tables["progress"])
    pillar_cols = [p for p in effectiveness.spec_for_scale(scale).pillar_weights
                   if p in tables["index_pillars"].columns]
    n_regions = int(tables["index"]["index"].notna().sum()) if len(tables["index"]) else 0
    no_attendance = pd.DataFrame(columns=["sector", "invitations", "attended", "rate"])
    rows = []
    for region in regions:
        code, n = region.code, respondents.get(region.code, 0)
        small = n < MIN_CELL
        h = health.get(code, pd.DataFrame(columns=analysis.HEALTH_COLUMNS))
        s = scores.rows(region)
        att = attendance.get(code, no_attendance)
        idx, pil = index.get(code, pd.DataFrame()), pillars.get(code, pd.DataFrame())
        suppressed = bool(len(idx) and "suppressed" in idx.columns
                          and idx["suppressed"].fillna(False).iat[0])
        found = region_findings.region_findings(
            health=h.assign(suppressed=True) if small else h,
            scores=s.iloc[0:0] if small else s,
            attendance_sector=att if "rate" in att.columns else no_attendance,
            coverage=coverage.get(code, pd.DataFrame(columns=["sector", "present"])),
            network_sectors=network_sectors.get(code, pd.DataFrame(columns=["sector", "isolated"])),
            progress=progress.get(code, pd.DataFrame(columns=["indicator_id", "summary"])),
            index_row=idx.iloc[0] if len(idx) and not small and not suppressed else None,
            pillars=pil[pillar_cols].iloc[0] if len(pil) else None,
            n_regions=n_regions, n_respondents=n, scale=scale)
        rows += [(code, i, f.key, json.dumps(f.values, default=_json_value))
                 for i, f in enumerate(found)]
    return pd.DataFrame(rows, columns=FINDINGS_COLUMNS)


def _index_normalised(components: pd.DataFrame, spec: effectiveness.IndexSpec) -> pd.DataFrame:
    """Each region's index components normalised (:func:`evalkit.measure.effectiveness.normalise`
    of that region's components alone, as its report shows them): ``region_code,
    component, normalised``."""
    parts = []
    for code, rows in components.groupby("region_code", sort=False):
        wide = effectiveness.normalise(rows, spec)
        if len(wide):
            row = wide.iloc[0]
            parts.append(pd.DataFrame({"region_code": code, "component": list(row.index),
                                       "normalised": row.to_numpy(dtype="float64")}))
    if not parts:
        return pd.DataFrame(columns=["region_code", "component", "normalised"])
    return pd.concat(parts, ignore_index=True)


def region_report_tables(regions: list[Region], tables: Mapping[str, pd.DataFrame], *,
                         survey: pd.DataFrame | _RegionRows, register: pd.DataFrame | _RegionRows,
                         scores: pd.DataFrame | _RegionRows, answers: pd.DataFrame | _RegionRows,
                         attendance: pd.DataFrame | _RegionRows, items: pd.DataFrame,
                         values: pd.DataFrame, annual: pd.DataFrame, sectors: pd.DataFrame,
                         scale: Scale, spec: effectiveness.IndexSpec, timed=None
                         ) -> dict[str, pd.DataFrame]:
    """The :data:`REGION_TABLES` of every region. Pure: no file I/O.

    ``tables`` holds the cross-region results computed before (``benchmark``,
    ``progress``, ``attendance_sector``, ``coverage``, ``network_sectors``, ``index``,
    ``index_pillars``, ``index_components``); ``survey``, ``register``, ``scores``
    (:func:`~evalkit.analyse.region_tables.scores_long`), ``answers``
    (:func:`~evalkit.analyse.region_tables.items_long`) and ``attendance`` are all
    regions' rows (with ``province_code``: a province counts its regencies' rows),
    ``values`` and ``annual`` the indicator values and annual series, ``spec`` the
    index specification the index used (pillars no region has left out).
    ``timed(name, compute)`` times each step (default: no timing).
    """
    timed = timed or (lambda name, compute: compute())
    survey, register, scores = _grouped(survey), _grouped(register), _grouped(scores)
    answers, attendance = _grouped(answers), _grouped(attendance)
    bench = tables["benchmark"]
    out: dict[str, pd.DataFrame] = {}

    def health():
        parts, weighting = [], []
        for region in regions:
            table, how = analysis.region_health(survey.rows(region), items, register.rows(region),
                                                bench, scale=scale)
            parts.append((region.code, table))
            weighting.append({"region_code": region.code, **how})
        if not parts:
            return (pd.DataFrame(columns=["region_code", *analysis.HEALTH_COLUMNS]),
                    pd.DataFrame(columns=["region_code", "note", "problem", "sectors"]))
        return _stack(parts, first=True), pd.DataFrame(weighting)

    out["region_health"], out["region_weighting"] = timed("region_health", health)
    # alpha and omega once per region (the reports and the workbook read them)
    out["reliability"] = timed("reliability", lambda: _per_region(
        regions, survey, lambda rows: scales.reliability_table(
            rows, items, min_n=MIN_CELL, **analysis.scale_range(scale))))
    dimension_scores = timed("dimension_scores", lambda: _per_region(
        regions, scores, analysis.region_summary))
    if "dimension" in dimension_scores.columns:
        dimension_scores["dimension"] = dimension_scores["dimension"].astype(str)
    out["dimension_scores"] = dimension_scores.reindex(columns=analysis.SUMMARY_COLUMNS)
    out["item_shares"] = timed("item_shares", lambda: _per_region(
        regions, answers, lambda rows: analysis.item_shares(rows, scale)))
    out["sector_counts"] = timed("sector_counts", lambda: _per_region(
        regions, survey, lambda rows: analysis.sector_counts(rows, sectors)[
            ["sector", "n", "n_display"]]))
    counts = {r.code: survey.count(r) for r in regions}
    out["respondents"] = pd.DataFrame(
        {"region_code": [r.code for r in regions], "respondents": [counts[r.code] for r in regions],
         "sectors": [int(survey.rows(r)["sector"].nunique()) for r in regions]},
        columns=["region_code", "respondents", "sectors"])
    out["overview"] = timed("overview", lambda: analysis.region_overview(
        survey.frame, scores.frame, tables["progress"], regions))
    out["attendance_overall"] = pd.DataFrame(
        [{"region_code": r.code, **engagement.attendance_rate(attendance.rows(r))}
         for r in regions if attendance.count(r)],
        columns=["region_code", *engagement.ATTENDANCE_RATE_COLUMNS])

    def breakdowns():
        by_values = values.groupby("region_code", sort=False).indices
        by_annual = annual.groupby("region_code", sort=False).indices
        parts = []
        for region in regions:
            if region.code in by_values:
                own = annual.iloc[by_annual.get(region.code, np.array([], dtype=np.intp))]
                parts.append((region.code, analysis.indicator_breakdowns(
                    values.iloc[by_values[region.code]], own)))
        parts = [(code, table) for code, table in parts if len(table)]
        if not parts:
            return pd.DataFrame(columns=["region_code", *analysis.BREAKDOWN_COLUMNS])
        return _stack(parts, first=True)

    out["indicator_breakdowns"] = timed("indicator_breakdowns", breakdowns)
    out["index_normalised"] = timed("index_normalised", lambda: _index_normalised(
        tables["index_components"], spec))
    out["findings"] = timed("findings", lambda: _findings_table(
        regions, {**tables, **out}, scores, counts, scale))
    return out


#: The processed tables :func:`compute_results` reads (``tables`` holds each by name).
INPUT_TABLES = ("survey", "items", "stakeholders", "attendance", "ties", "indicator_targets",
                "indicator_annual", "indicator_values", "indicator_metadata", "partnerships")


def compute_results(tables: Mapping[str, pd.DataFrame], *, scale: Scale, sectors: pd.DataFrame,
                    timings: dict[str, tuple[float, float]] | None = None
                    ) -> dict[str, pd.DataFrame]:
    """Every cross-region table the reports and the synthesis read. Pure: no file I/O.

    ``tables`` holds the processed tables named in :data:`INPUT_TABLES`, ``scale`` the
    form's answer scale and ``sectors`` the programme's sectors
    (:func:`evalkit.read.products.programme_sectors`); :func:`evalkit.run.stages.ensure_results`
    reads them and saves what this returns. ``timings``, when given, receives
    ``{step: (wall seconds, CPU seconds)}`` of each step (a table, or the group of tables
    computed together), for benchmarks.
    """
    def timed(name: str, compute):
        if timings is None:
            return compute()
        wall, cpu = time.perf_counter(), time.process_time()
        value = compute()
        timings[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return value

    read = tables.__getitem__
    survey, items, register = read("survey"), read("items"), read("stakeholders")
    attendance, ties, targets = read("attendance"), read("ties"), read("indicator_targets")
    annual, metadata = read("indicator_annual"), read("indicator_metadata")
    regions = report_regions(survey, targets)
    reference = reference_sector(survey["sector"], sectors)
    sector_order = sectors["sector"].tolist()
    scores = analysis.scores_long(survey, items, scale=scale)
    # province reports include their regencies' respondents (analysis.in_region)
    province = survey.set_index("response_id")["province_code"]
    scores["province_code"] = scores["response_id"].map(province)
    answers = analysis.items_long(survey, items, scale=scale)
    # each table's rows per report region, grouped once for every per-region table
    by_region = {name: _RegionRows(frame) for name, frame in (
        ("scores", scores), ("attendance", attendance), ("register", register),
        ("survey", survey), ("ties", ties))}

    progress = timed("progress", lambda: analysis.indicator_progress(annual, targets, metadata))
    progress = progress.merge(timed("trend_projections", lambda: analysis.trend_projections(
        annual, progress)), on=["region_code", "indicator_id"], how="left")
    # Partial pooling groups respondents by the region_code they answered for, so no
    # one is counted twice; a province's row holds the province-level respondents.
    # A programme of one region has no regions to pool: its raw mean (models.no_pooling).
    one_region = scores["region_code"].dropna().nunique() < 2
    shrinkage, fit = timed("shrinkage", lambda: models.no_pooling(scores, ci=CI_LEVEL) if one_region
                           else models.region_shrinkage(scores, ci=CI_LEVEL, n_boot=500, seed=SEED))
    # Coverage counts pentahelix categories through the form's mapping of its sectors;
    # a group outside the five is listed, never counted.
    coverage = timed("coverage", lambda: _coverage(
        regions, by_region["register"], by_region["survey"], by_region["attendance"],
        sectors=sectors))
    components = timed("index_components", lambda: index_components(
        regions, shrinkage, by_region["attendance"], by_region["register"], progress,
        coverage=coverage, with_coverage=bool(sectors["pentahelix"].ne("").any())))
    spec = effectiveness.spec_for_scale(scale)
    # A region under MIN_CELL respondents gets no index and no rank: its health component
    # is a handful of people's answers. The others are ranked among themselves.
    small = sorted(r.code for r in regions if by_region["survey"].count(r) < MIN_CELL)
    ranked = components[~components["region_code"].isin(small)].reset_index(drop=True)
    # Pillars no region has data for (no attendance file, no indicators, no register)
    # are left out of the index, the other pillars' weights rescaled (effectiveness.effective_spec).
    absent = effectiveness.missing_pillars(ranked, spec)
    out = {
        "benchmark": timed("benchmark", lambda: analysis.benchmark(scores)),
        "progress": progress,
        "sector_model": timed("sector_model", lambda: models.sector_effects_model(
            scores, reference=reference)),
        "sector_ordinal": timed("sector_ordinal", lambda: _ordinal_by_dimension(
            answers, reference)),
        "sector_tests": timed("sector_tests", lambda: _per_region(
            regions, by_region["scores"], lambda s: models.sector_differences(
                s, n_boot=500, seed=SEED))),
        "sector_pairs": timed("sector_pairs", lambda: _per_region(
            regions, by_region["scores"], models.pairwise_sector_tests)),
        "shrinkage": shrinkage,
        "shrinkage_fit": fit.to_frame(),
        # Attendance is of organisations (public bodies, firms, NGOs), not of people, so
        # small-cell suppression, which protects respondents, does not apply (min_n=1).
        "attendance_sector": timed("attendance_sector", lambda: _per_region(
            regions, by_region["attendance"], lambda a: engagement.attendance_by_sector(
                a, min_n=1, sectors=sector_order))),
        "attendance_time": timed("attendance_time", lambda: _per_region(
            regions, by_region["attendance"], lambda a: engagement.attendance_over_time(
                a, min_n=1, sectors=sector_order))),
        "attendance_trend": timed("attendance_trend", lambda: _per_region(
            regions, by_region["attendance"], lambda a: engagement.attendance_trend(
                a, sectors=sector_order))),
        "coverage": coverage,
        "index_components": components,
        "index": timed("index", lambda: _with_suppressed(effectiveness.bootstrap_index(
            ranked, spec, n_boot=INDEX_BOOTSTRAP, seed=SEED), small, absent)),
        "index_pillars": timed("index_pillars", lambda: _with_suppressed(
            effectiveness.composite_index(ranked, spec), small, absent)),
        "index_sensitivity": timed("index_sensitivity", lambda: effectiveness.weight_sensitivity(
            ranked, spec, n_draws=WEIGHT_DRAWS, seed=SEED)),
        "index_scenarios": timed("index_scenarios", lambda: effectiveness.weight_scenarios(
            ranked, spec)),
        **timed("network", lambda: _network_tables(regions, by_region["ties"],
                                                    by_region["register"], sector_order)),
    }
    shown_spec = effectiveness.without_pillars(spec, absent) if absent else spec
    out |= region_report_tables(
        regions, out, survey=by_region["survey"], register=by_region["register"],
        scores=by_region["scores"],
        answers=answers.assign(province_code=answers["response_id"].map(province)),
        attendance=by_region["attendance"], items=items, values=read("indicator_values"),
        annual=annual, sectors=sectors, scale=scale, spec=shown_spec, timed=timed)
    # the synthesis's tables, the attribution table (one DiD fit per indicator) among them
    out |= synthesis_tables(tables, scale=scale, sectors=sectors, results=out, timings=timings)
    return out
