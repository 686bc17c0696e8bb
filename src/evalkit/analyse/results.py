"""Cross-region results, computed once per batch and saved beside the processed data.

Several parts of a regional report need every region at once: the all-region
benchmark, the difference-in-differences table, the mixed models of sector effects and
of region means, and the effectiveness index with its bootstrap and weight
sensitivity. :func:`compute_results` computes them, and every table a regional report,
the workbook and the index page show per region (:data:`REGION_TABLES`: weighted scores
beside the benchmark, reliability, answer shares, findings, ...), in one pass, from
tables passed in: no file I/O here. Every table describes the latest survey wave
(:func:`evalkit.read.waves.snapshot`); the wave tables of :mod:`evalkit.analyse.waves`
(scores, change, network and index per wave) are computed beside them.
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
from evalkit.analyse import waves as wave_tables
from evalkit.analyse.choices import DEFAULT_CHOICES, DEFAULT_N_BOOT, AnalysisChoices
from evalkit.analyse.grouping import (
    RegionRows,
    column_first,
    grouped,
    per_region,
    report_regions,
    stack,
)
from evalkit.analyse.synthesis_tables import synthesis_tables
from evalkit.core.config import CI_LEVEL, MIN_CELL
from evalkit.core.contract import Scale
from evalkit.measure import effectiveness, engagement, models, network, scales, sector_tests
from evalkit.read.regions import Region
from evalkit.read.waves import snapshot

# the default choices' draws (evalkit.analyse.choices: AnalysisChoices.n_boot sets both)
INDEX_BOOTSTRAP = DEFAULT_N_BOOT  # replicates of the index's parametric bootstrap
WEIGHT_DRAWS = DEFAULT_N_BOOT  # Dirichlet weight draws of the sensitivity analysis
SEED = 20261123


# the grouping shared with evalkit.analyse.waves (its own module: neither imports the other)
_RegionRows, _per_region, _stack, _column_first, _grouped = (
    RegionRows, per_region, stack, column_first, grouped)


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


def _ordinal_by_dimension(answers: pd.DataFrame, reference: str | None, *,
                          ci: float = CI_LEVEL) -> pd.DataFrame:
    """Proportional-odds model of each dimension's item answers on sector (all regions)."""
    parts = [models.ordinal_sector_model(rows, reference=reference, ci=ci).assign(dimension=dim)
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
    """:func:`evalkit.analyse.findings.region_findings` of every region, from its tables,
    followed by its :func:`~evalkit.analyse.findings.change_findings` (``wave_change``,
    ``wave_sector_change``; ``change_single_wave`` with one wave).

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
    empty = wave_tables._typed([], "wave_change")
    changes = _by_code(tables.get("wave_change", empty))
    sector_changes = _by_code(tables.get("wave_sector_change", empty))
    no_change = empty.drop(columns="region_code")
    no_sector_change = no_change.rename(columns={"dimension": "sector"})
    waves = tables.get("waves")
    n_waves = 1 if waves is None else max(len(waves), 1)
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
        # change since the previous wave, after the current findings
        found += region_findings.change_findings(
            changes.get(code, no_change), sector_changes.get(code, no_sector_change),
            n_waves=n_waves)
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
                         scale: Scale, spec: effectiveness.IndexSpec, timed=None,
                         ci: float = CI_LEVEL) -> dict[str, pd.DataFrame]:
    """The :data:`REGION_TABLES` of every region. Pure: no file I/O.

    ``tables`` holds the cross-region results computed before (``benchmark``,
    ``progress``, ``attendance_sector``, ``coverage``, ``network_sectors``, ``index``,
    ``index_pillars``, ``index_components``); ``survey``, ``register``, ``scores``
    (:func:`~evalkit.analyse.region_tables.scores_long`), ``answers``
    (:func:`~evalkit.analyse.region_tables.items_long`) and ``attendance`` are all
    regions' rows (with ``province_code``: a province counts its regencies' rows),
    ``values`` and ``annual`` the indicator values and annual series, ``spec`` the
    index specification the index used (pillars no region has left out).
    ``timed(name, compute)`` times each step (default: no timing); ``ci`` is the
    confidence level of the scores' and the reliability's intervals.
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
                                                bench, scale=scale, ci=ci)
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
            rows, items, min_n=MIN_CELL, ci=ci, **analysis.scale_range(scale))))
    dimension_scores = timed("dimension_scores", lambda: _per_region(
        regions, scores, lambda rows: analysis.region_summary(rows, ci=ci)))
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


#: The processed tables :func:`compute_results` reads (``tables`` holds each by name;
#: ``waves`` is :func:`evalkit.read.products.read_waves`, the single wave when absent).
INPUT_TABLES = ("survey", "items", "stakeholders", "attendance", "ties", "indicator_targets",
                "indicator_annual", "indicator_values", "indicator_metadata", "partnerships",
                "waves")


def _no_timing(name: str, compute):
    return compute()


def _scores_by_province(survey: pd.DataFrame, items: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    """:func:`~evalkit.analyse.region_tables.scores_long` with ``province_code`` (province
    reports include their regencies' respondents, :func:`~evalkit.analyse.region_tables.in_region`)."""
    scores = analysis.scores_long(survey, items, scale=scale)
    province = survey.set_index("response_id")["province_code"]
    scores["province_code"] = scores["response_id"].map(province)
    return scores


def _index_steps(regions: list[Region], scores: pd.DataFrame, progress: pd.DataFrame, *,
                 survey: RegionRows, register: RegionRows, attendance: RegionRows,
                 sectors: pd.DataFrame, scale: Scale, timed=_no_timing,
                 choices: AnalysisChoices = DEFAULT_CHOICES) -> dict:
    """The effectiveness index's steps, the same for the current data and for each wave
    (:func:`effectiveness_index`): partial pooling of the health scores, pentahelix
    coverage, the components, the regions too small to rank, the pillars no region has
    and the bootstrapped index. Returns each step's table (``shrinkage``, ``fit``,
    ``coverage``, ``components``, ``ranked``, ``index``) and ``spec``, ``small``,
    ``absent``. ``choices`` set the level, the draws and the index weights."""
    ci, n_boot = choices.ci_level, choices.n_boot
    # Partial pooling groups respondents by the region_code they answered for, so no
    # one is counted twice; a province's row holds the province-level respondents.
    # A programme of one region has no regions to pool: its raw mean (models.no_pooling).
    one_region = scores["region_code"].dropna().nunique() < 2
    shrinkage, fit = timed("shrinkage", lambda: models.no_pooling(scores, ci=ci) if one_region
                           else models.region_shrinkage(scores, ci=ci, n_boot=choices.model_draws,
                                                        seed=SEED))
    # Coverage counts pentahelix categories through the form's mapping of its sectors;
    # a group outside the five is listed, never counted.
    coverage = timed("coverage", lambda: _coverage(
        regions, register, survey, attendance, sectors=sectors))
    components = timed("index_components", lambda: index_components(
        regions, shrinkage, attendance, register, progress,
        coverage=coverage, with_coverage=bool(sectors["pentahelix"].ne("").any())))
    spec = choices.index_spec(effectiveness.spec_for_scale(scale))
    # A region under MIN_CELL respondents gets no index and no rank: its health component
    # is a handful of people's answers. The others are ranked among themselves.
    small = sorted(r.code for r in regions if survey.count(r) < MIN_CELL)
    ranked = components[~components["region_code"].isin(small)].reset_index(drop=True)
    # Pillars no region has data for (no attendance file, no indicators, no register)
    # are left out of the index, the other pillars' weights rescaled (effectiveness.effective_spec).
    absent = effectiveness.missing_pillars(ranked, spec)
    index = timed("index", lambda: _with_suppressed(effectiveness.bootstrap_index(
        ranked, spec, n_boot=n_boot, ci=ci, seed=SEED), small, absent))
    return {"shrinkage": shrinkage, "fit": fit, "coverage": coverage, "components": components,
            "spec": spec, "small": small, "ranked": ranked, "absent": absent, "index": index}


def effectiveness_index(tables: Mapping[str, pd.DataFrame], *, scale: Scale,
                        sectors: pd.DataFrame, choices: AnalysisChoices = DEFAULT_CHOICES
                        ) -> pd.DataFrame:
    """The ``index`` table of :func:`compute_results` computed on ``tables`` alone (the
    same steps, :func:`_index_steps`, the same seeds): what
    :func:`evalkit.analyse.waves.wave_tables` computes on the data as they stood at each
    wave. Pure: no file I/O."""
    survey, items, targets = tables["survey"], tables["items"], tables["indicator_targets"]
    if not len(survey):  # a wave of ties or a register only: no health score, no index
        return pd.DataFrame(columns=["region_code", "index", "ci_low", "ci_upp", "rank",
                                     "suppressed", "reason"])
    regions = report_regions(survey, targets)
    scores = _scores_by_province(survey, items, scale)
    progress = analysis.indicator_progress(tables["indicator_annual"], targets,
                                           tables["indicator_metadata"])
    return _index_steps(regions, scores, progress, survey=RegionRows(survey),
                        register=RegionRows(tables["stakeholders"]),
                        attendance=RegionRows(tables["attendance"]),
                        sectors=sectors, scale=scale, choices=choices)["index"]


def compute_results(tables: Mapping[str, pd.DataFrame], *, scale: Scale, sectors: pd.DataFrame,
                    timings: dict[str, tuple[float, float]] | None = None,
                    choices: AnalysisChoices | None = None) -> dict[str, pd.DataFrame]:
    """Every cross-region table the reports and the synthesis read. Pure: no file I/O.

    ``tables`` holds the processed tables named in :data:`INPUT_TABLES`, ``scale`` the
    form's answer scale and ``sectors`` the programme's sectors
    (:func:`evalkit.read.products.programme_sectors`); :func:`evalkit.run.stages.ensure_results`
    reads them and saves what this returns. ``timings``, when given, receives
    ``{step: (wall seconds, CPU seconds)}`` of each step (a table, or the group of tables
    computed together), for benchmarks.

    Every table but the wave tables describes the latest wave
    (:func:`evalkit.read.waves.snapshot`: its survey, ties and register); the wave tables
    (:func:`evalkit.analyse.waves.wave_tables`: scores, changes, network and index per
    wave) read every wave. A ``tables`` without ``waves`` is one wave.

    ``choices`` (:class:`evalkit.analyse.choices.AnalysisChoices`; None: the defaults,
    which give the results evalkit computed before they were choices, byte for byte)
    set the confidence level of every interval, the reference sector of the sector
    models, the bootstrap draws and the index weights. A reference sector that is not
    one of ``sectors`` is a ``ValueError`` naming it and the valid codes.
    """
    choices = (DEFAULT_CHOICES if choices is None else choices).validate(sectors)
    ci, n_boot = choices.ci_level, choices.n_boot
    def timed(name: str, compute):
        if timings is None:
            return compute()
        wall, cpu = time.perf_counter(), time.process_time()
        value = compute()
        timings[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return value

    every_wave = dict(tables)
    every_wave["waves"] = waves = wave_tables.programme_waves(tables)
    tables = snapshot(every_wave, waves)  # the latest wave: what the reports describe
    read = tables.__getitem__
    survey, items, register = read("survey"), read("items"), read("stakeholders")
    attendance, ties, targets = read("attendance"), read("ties"), read("indicator_targets")
    annual, metadata = read("indicator_annual"), read("indicator_metadata")
    regions = report_regions(survey, targets)
    reference = choices.reference_sector or reference_sector(survey["sector"], sectors)
    sector_order = sectors["sector"].tolist()
    scores = _scores_by_province(survey, items, scale)
    province = survey.set_index("response_id")["province_code"]
    answers = analysis.items_long(survey, items, scale=scale)
    # each table's rows per report region, grouped once for every per-region table
    by_region = {name: _RegionRows(frame) for name, frame in (
        ("scores", scores), ("attendance", attendance), ("register", register),
        ("survey", survey), ("ties", ties))}

    progress = timed("progress", lambda: analysis.indicator_progress(annual, targets, metadata))
    progress = progress.merge(timed("trend_projections", lambda: analysis.trend_projections(
        annual, progress, ci=ci)), on=["region_code", "indicator_id"], how="left")
    steps = _index_steps(regions, scores, progress, survey=by_region["survey"],
                         register=by_region["register"], attendance=by_region["attendance"],
                         sectors=sectors, scale=scale, timed=timed, choices=choices)
    spec, small, ranked, absent = steps["spec"], steps["small"], steps["ranked"], steps["absent"]
    out = {
        "benchmark": timed("benchmark", lambda: analysis.benchmark(scores, ci=ci)),
        "progress": progress,
        "sector_model": timed("sector_model", lambda: models.sector_effects_model(
            scores, reference=reference, ci=ci)),
        "sector_ordinal": timed("sector_ordinal", lambda: _ordinal_by_dimension(
            answers, reference, ci=ci)),
        "sector_tests": timed("sector_tests", lambda: _per_region(
            regions, by_region["scores"], lambda s: sector_tests.sector_differences(
                s, n_boot=choices.model_draws, seed=SEED, ci=ci))),
        "sector_pairs": timed("sector_pairs", lambda: _per_region(
            regions, by_region["scores"], lambda s: sector_tests.pairwise_sector_tests(
                s, ci=ci))),
        "shrinkage": steps["shrinkage"],
        "shrinkage_fit": steps["fit"].to_frame(),
        # Attendance is of organisations (public bodies, firms, NGOs), not of people, so
        # small-cell suppression, which protects respondents, does not apply (min_n=1).
        "attendance_sector": timed("attendance_sector", lambda: _per_region(
            regions, by_region["attendance"], lambda a: engagement.attendance_by_sector(
                a, min_n=1, sectors=sector_order, ci=ci))),
        "attendance_time": timed("attendance_time", lambda: _per_region(
            regions, by_region["attendance"], lambda a: engagement.attendance_over_time(
                a, min_n=1, sectors=sector_order))),
        "attendance_trend": timed("attendance_trend", lambda: _per_region(
            regions, by_region["attendance"], lambda a: engagement.attendance_trend(
                a, sectors=sector_order, ci=ci))),
        "coverage": steps["coverage"],
        "index_components": steps["components"],
        "index": steps["index"],
        "index_pillars": timed("index_pillars", lambda: _with_suppressed(
            effectiveness.composite_index(ranked, spec), small, absent)),
        "index_sensitivity": timed("index_sensitivity", lambda: effectiveness.weight_sensitivity(
            ranked, spec, n_draws=n_boot, seed=SEED)),
        "index_scenarios": timed("index_scenarios", lambda: effectiveness.weight_scenarios(
            ranked, spec)),
        **timed("network", lambda: _network_tables(regions, by_region["ties"],
                                                    by_region["register"], sector_order)),
    }
    # every wave's scores, changes, network and index (the latest wave's index: out["index"])
    out |= wave_tables.wave_tables(
        every_wave, scale=scale, sectors=sectors, results=out, timed=timed, ci=ci,
        index_at=lambda then: effectiveness_index(then, scale=scale, sectors=sectors,
                                                  choices=choices))
    shown_spec = effectiveness.without_pillars(spec, absent) if absent else spec
    out |= region_report_tables(
        regions, out, survey=by_region["survey"], register=by_region["register"],
        scores=by_region["scores"],
        answers=answers.assign(province_code=answers["response_id"].map(province)),
        attendance=by_region["attendance"], items=items, values=read("indicator_values"),
        annual=annual, sectors=sectors, scale=scale, spec=shown_spec, timed=timed, ci=ci)
    # the synthesis's tables, the attribution table (one DiD fit per indicator) among them
    out |= synthesis_tables(tables, scale=scale, sectors=sectors, results=out, timings=timings,
                            ci=ci)
    return out
