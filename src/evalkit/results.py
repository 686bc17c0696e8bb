"""Cross-region results, computed once per batch and saved beside the processed data.

Several parts of a regional report need every region at once: the all-region
benchmark, the difference-in-differences table, the mixed models of sector effects and
of region means, and the effectiveness index with its bootstrap and weight
sensitivity. :func:`compute_results` computes them (and each region's engagement and
network tables) in one pass; :func:`ensure_results` writes them to
``data/processed/results/`` and recomputes only when the processed data changed
(the processed manifest's digest is stored with them). Notebooks then load and present.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import analysis, attribution, engagement, indicators, models, network, scales, survey
from evalkit import index as effectiveness
from evalkit.config import MIN_CELL, PROCESSED_DATA_DIR
from evalkit.errors import EvalkitError
from evalkit.indicators import achievement_ratio
from evalkit.pipeline import MANIFEST, manifest_digest, read_processed
from evalkit.regions import Region, get_region

_COMPUTING_MODULES = (analysis, attribution, engagement, effectiveness, indicators, models, network,
                      scales, survey, sys.modules[__name__])
RESULTS_DIR = "results"
STAMP = "results.json"
INDEX_BOOTSTRAP = 2000  # replicates of the index's parametric bootstrap
WEIGHT_DRAWS = 2000  # Dirichlet weight draws of the sensitivity analysis
SEED = 20261123


def report_regions(survey: pd.DataFrame, targets: pd.DataFrame) -> list[Region]:
    """Regions with survey responses or indicator targets, in code order."""
    codes = set(survey["region_code"]) | set(targets["region_code"])
    return [get_region(c) for c in sorted(codes, key=lambda c: [int(p) for p in c.split(".")])]


def _per_region(regions: list[Region], frame: pd.DataFrame, compute) -> pd.DataFrame:
    """``compute(rows of one region)`` for every region, stacked with ``region_code`` first.

    A province's rows include its regencies' and cities' (see :func:`analysis.in_region`).
    """
    parts = []
    for region in regions:
        rows = analysis.in_region(frame, region)
        out = compute(rows) if len(rows) else None
        if out is not None and len(out):
            parts.append(out.assign(region_code=region.code))
    if not parts:
        return pd.DataFrame(columns=["region_code"])
    return _column_first(pd.concat(parts, ignore_index=True), "region_code")


def _column_first(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """``table`` with ``column`` moved to the front (the key a reader looks for first)."""
    return table[[column, *[c for c in table.columns if c != column]]]


def _attendance_rate(attendance: pd.DataFrame) -> tuple[float, float]:
    """Mean of the organisations' attendance shares, with its standard error.

    Organisations are the clusters of repeated meetings, so the SE is that of a mean
    of organisation-level shares (a cluster-level estimator; Kish 1965, ch. 6).
    """
    shares = attendance.groupby("organisation")["attended"].mean()
    if shares.empty:
        return np.nan, np.nan
    se = shares.std(ddof=1) / np.sqrt(len(shares)) if len(shares) > 1 else np.nan
    return float(shares.mean()), float(se)


def index_components(regions: list[Region], shrinkage: pd.DataFrame, attendance: pd.DataFrame,
                     register: pd.DataFrame, progress: pd.DataFrame) -> pd.DataFrame:
    """The index's components per region, long: ``region_code, component, value, se``.

    - ``health``: the partially pooled mean health score (so a region of 12
      respondents is neither over- nor under-rated), SE from the mixed model;
    - ``attendance_rate``: mean of organisations' attendance shares, cluster SE;
    - ``pentahelix_coverage``: share of the five pentahelix sectors in the register;
    - ``indicators_on_track``: share of judged indicators achieved or on track;
    - ``achievement``: mean achievement ratio, each capped to [0, 1].

    The last three carry no sampling error (they are counts of what is there).
    """
    rows = []
    pooled = shrinkage.set_index("region_code")
    for region in regions:
        code = region.code
        if code in pooled.index:
            rows.append((code, "health", pooled.at[code, "shrunken"], pooled.at[code, "shrunken_se"]))
        att = analysis.in_region(attendance, region)
        if len(att):
            rows.append((code, "attendance_rate", *_attendance_rate(att)))
        reg = analysis.in_region(register, region)
        if len(reg):
            rows.append((code, "pentahelix_coverage",
                         engagement.coverage_share(engagement.pentahelix_coverage(reg)), 0.0))
        prog = progress[progress["region_code"] == code]
        judged = prog[prog["summary"] != "insufficient_data"]
        if len(judged):
            rows.append((code, "indicators_on_track",
                         float(judged["summary"].isin(["achieved", "on_track"]).mean()), 0.0))
            capped = judged["achievement"].clip(0, 1).dropna()
            if len(capped):
                rows.append((code, "achievement", float(capped.mean()), 0.0))
    return pd.DataFrame(rows, columns=["region_code", "component", "value", "se"])


def _ordinal_by_dimension(answers: pd.DataFrame) -> pd.DataFrame:
    """Proportional-odds model of each dimension's item answers on sector (all regions)."""
    parts = [models.ordinal_sector_model(rows, reference="masyarakat_sipil").assign(dimension=dim)
             for dim, rows in answers.groupby("dimension", sort=False)]
    return _column_first(pd.concat(parts, ignore_index=True), "dimension")


def _coverage(regions: list[Region], register: pd.DataFrame, survey: pd.DataFrame,
              attendance: pd.DataFrame) -> pd.DataFrame:
    """Pentahelix coverage of each region's register, survey and meetings."""
    parts = [engagement.pentahelix_coverage(
        analysis.in_region(register, r), survey=analysis.in_region(survey, r),
        attendance=analysis.in_region(attendance, r)).assign(region_code=r.code) for r in regions]
    return _column_first(pd.concat(parts, ignore_index=True), "region_code")


def _network_tables(regions: list[Region], ties: pd.DataFrame, register: pd.DataFrame
                    ) -> dict[str, pd.DataFrame]:
    metrics, central, sectors, scores = [], [], [], []
    for region in regions:
        r = analysis.in_region(register, region)
        if not len(r):
            continue
        t = _as_network_ties(analysis.in_region(ties, region))
        graph = network.build_network(t, r)
        metrics.append({"region_code": region.code, **network.network_metrics(graph),
                        **{f"partner_{k}": v for k, v in network.partner_summary(t).items()}})
        central.append(network.central_organisations(graph, k=5).assign(region_code=region.code))
        sectors.append(network.sector_ties(graph).assign(region_code=region.code))
        scores.append(network.partner_scores(t, r).assign(region_code=region.code))
    first = lambda frames: pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()  # noqa: E731
    return {"network_metrics": pd.DataFrame(metrics), "network_central": first(central),
            "network_sectors": first(sectors), "partner_scores": first(scores)}


def _as_network_ties(ties: pd.DataFrame) -> pd.DataFrame:
    """The cleaned ties in the columns :mod:`evalkit.network` reads."""
    return ties[["region_code", "organisation", "partner", "level", "trust", "value"]]


def compute_results(processed_dir: Path = PROCESSED_DATA_DIR) -> dict[str, pd.DataFrame]:
    """Every cross-region table the reports and the synthesis read (pure apart from reading)."""
    read = lambda name: read_processed(name, processed_dir)  # noqa: E731
    survey, items, register = read("survey"), read("items"), read("stakeholders")
    attendance, ties, targets = read("attendance"), read("ties"), read("indicator_targets")
    annual, metadata = read("indicator_annual"), read("indicator_metadata")
    regions = report_regions(survey, targets)
    scores = analysis.scores_long(survey, items)
    # province reports include their regencies' respondents (analysis.in_region)
    scores["province_code"] = scores["response_id"].map(
        survey.set_index("response_id")["province_code"])

    progress = analysis.indicator_progress(annual, targets, metadata)
    progress = progress.merge(analysis.trend_projections(annual, progress),
                              on=["region_code", "indicator_id"], how="left")
    # Partial pooling groups respondents by the region_code they answered for, so no
    # one is counted twice; a province's row holds the province-level respondents.
    shrinkage, fit = models.region_shrinkage(scores, ci=0.95, n_boot=500, seed=SEED)
    components = index_components(regions, shrinkage, attendance, register, progress)
    spec = effectiveness.DEFAULT_SPEC
    out = {
        "benchmark": analysis.benchmark(scores),
        "progress": progress,
        "attribution": analysis.attribution_table(annual, read("partnerships"),
                                                  metadata["indicator_id"].tolist()),
        "sector_model": models.sector_effects_model(scores, reference="masyarakat_sipil"),
        "sector_ordinal": _ordinal_by_dimension(analysis.items_long(survey, items)),
        "sector_tests": _per_region(regions, scores, lambda s: models.sector_differences(
            s, n_boot=500, seed=SEED)),
        "sector_pairs": _per_region(regions, scores, models.pairwise_sector_tests),
        "shrinkage": shrinkage,
        "shrinkage_fit": fit.as_frame(),
        # Attendance is of organisations (public bodies, firms, NGOs), not of people, so
        # small-cell suppression, which protects respondents, does not apply (min_n=1).
        "attendance_sector": _per_region(regions, attendance, lambda a: engagement.attendance_by_sector(
            a, min_n=1)),
        "attendance_time": _per_region(regions, attendance, lambda a: engagement.attendance_over_time(
            a, min_n=1)),
        "attendance_trend": _per_region(regions, attendance, engagement.attendance_trend),
        "coverage": _coverage(regions, register, survey, attendance),
        "index_components": components,
        "index": effectiveness.bootstrap_index(components, spec, n_boot=INDEX_BOOTSTRAP, seed=SEED),
        "index_pillars": effectiveness.composite_index(components, spec),
        "index_sensitivity": effectiveness.weight_sensitivity(components, spec,
                                                              n_draws=WEIGHT_DRAWS, seed=SEED),
        "index_scenarios": effectiveness.weight_scenarios(components, spec),
        **_network_tables(regions, ties, register),
    }
    return out


def results_dir(processed_dir: Path = PROCESSED_DATA_DIR) -> Path:
    return Path(processed_dir) / RESULTS_DIR


def _processed_digest(processed_dir: Path) -> str:
    path = Path(processed_dir) / MANIFEST
    if not path.exists():
        raise EvalkitError(f"no processed data in {processed_dir}: run `evalkit clean` first.")
    return manifest_digest(json.loads(path.read_text(encoding="utf-8")))


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


def results_current(processed_dir: Path = PROCESSED_DATA_DIR) -> bool:
    """True when the saved results came from the processed data on disk and this code."""
    stamp = results_dir(processed_dir) / STAMP
    if not stamp.exists():
        return False
    saved = json.loads(stamp.read_text(encoding="utf-8"))
    return all(saved.get(k) == v for k, v in _stamp(processed_dir).items())


def ensure_results(processed_dir: Path = PROCESSED_DATA_DIR, *, force: bool = False) -> bool:
    """Compute and save the cross-region results unless they are current; True if computed.

    Files are written under temporary names and renamed; the stamp (written last)
    records the processed data they came from, so an interrupted write is redone.
    """
    if not force and results_current(processed_dir):
        return False
    stamp = _stamp(processed_dir)
    out = results_dir(processed_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / STAMP).unlink(missing_ok=True)
    tables = compute_results(processed_dir)
    for name, table in tables.items():
        tmp = out / f".{name}.parquet.{os.getpid()}.tmp"  # unique: kernels may race
        table.to_parquet(tmp, index=False)
        os.replace(tmp, out / f"{name}.parquet")
    (out / STAMP).write_text(json.dumps({**stamp, "tables": sorted(tables)}, indent=1),
                             encoding="utf-8")
    return True


def read_result(name: str, processed_dir: Path = PROCESSED_DATA_DIR) -> pd.DataFrame:
    """One saved cross-region table (see :func:`compute_results` for the names)."""
    path = results_dir(processed_dir) / f"{name}.parquet"
    if not path.exists():
        raise EvalkitError(f"no cross-region result {name!r} in {path.parent}: "
                           "run `evalkit run` (it computes them) first.")
    return pd.read_parquet(path)
