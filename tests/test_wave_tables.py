"""The wave results tables (evalkit.analyse.waves) on hand-built multi-wave processed data.

Not the demo: another programme's dimensions (kepercayaan, koordinasi, manfaat), its own
sector codes (tests/frames.py OWN_SECTORS), other regions and half-year waves. Planted:
trust (kepercayaan) rises by 0.8 in Kota Bandung at the last wave; the private sector
(swasta) of Kota Surakarta falls by 1.2 on every dimension at the last wave; nothing
changes in Kabupaten Banyuwangi, whose register is re-issued each wave; Kabupaten Sorong
Selatan has 8, 0 and 3 respondents (suppressed waves); Jawa Barat (province) has its own
respondents and counts Kota Bandung's; Kota Bandung's network grows.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from frames import OWN_SECTORS
from statsmodels.stats.multitest import multipletests

from evalkit.analyse import findings as region_findings
from evalkit.analyse import region_tables as analysis
from evalkit.analyse import results, waves
from evalkit.clean.pipeline import empty_table
from evalkit.core.config import CI_LEVEL, MIN_CELL
from evalkit.core.contract import Scale
from evalkit.measure import network_change
from evalkit.read import waves as wave_data
from evalkit.read.regions import get_region

SCALE = Scale((1, 2, 3, 4, 5))
WAVES = ["2024-H2", "2025-H1", "2025-H2"]
DIMENSIONS = {"kepercayaan": ["k1", "k2", "k3"], "koordinasi": ["o1", "o2", "o3"],
              "manfaat": ["m1", "m2"]}
REVERSE = {"k3"}
#: region -> (province, respondents per wave)
REGIONS = {"32.73": ("32", [60, 60, 60]), "35.10": ("35", [50, 50, 50]),
           "33.72": ("33", [60, 60, 60]), "32": ("32", [10, 10, 10]),
           "96.02": ("96", [8, 0, 3])}
TRUST_RISE = 0.8  # Kota Bandung, kepercayaan, last wave
SWASTA_FALL = -1.2  # Kota Surakarta, sector swasta, every dimension, last wave
STAY = 0.7  # share of a wave's respondents who answer again in the next


def _items() -> pd.DataFrame:
    rows = [{"item": item, "dimension": dim, "reverse": item in REVERSE, "list_name": "setuju5",
             "label_id": item, "label_en": item}
            for dim, items in DIMENSIONS.items() for item in items]
    return pd.DataFrame(rows)


def _register(code: str, province: str, wave: str | None, per_sector: dict[str, int]
              ) -> list[dict]:
    return [{"region_code": code, "province_code": province,
             "organisation": f"{sector}-{code}-{i}", "sector": sector, "influence": 3,
             "interest": 4, "wave": wave}
            for sector, n in per_sector.items() for i in range(n)]


def build_tables(seed: int = 13, labels: list[str] = WAVES) -> dict[str, pd.DataFrame]:
    """The processed tables of a three-wave programme (or of the waves in ``labels``:
    the survey rows of those waves only)."""
    rng = np.random.default_rng(seed)
    sectors = OWN_SECTORS["sector"].tolist()
    survey, register, ties = [], [], []
    dim_effect = {"kepercayaan": 0.1, "koordinasi": -0.2, "manfaat": 0.2}
    next_id = 0
    for code, (province, sizes) in REGIONS.items():
        region = get_region(code)
        people: list[tuple[str, str, float]] = []  # id, sector, person effect
        for w, (wave, n) in enumerate(zip(WAVES, sizes, strict=True)):
            stay = [p for p in people if rng.random() < STAY][:n]
            people = stay
            while len(people) < n:  # newcomers, sectors in turn
                sector = sectors[next_id % len(sectors)]
                people.append((f"P{next_id:05d}", sector, float(rng.normal(0, 0.5))))
                next_id += 1
            start = pd.Timestamp(wave_data.parse_wave_label(wave)[1]) + pd.Timedelta(days=20)
            for j, (pid, sector, person) in enumerate(people):
                row = {"response_id": f"{code}-{wave}-{j}", "respondent_id": pid,
                       "region_code": code, "region_name": region.name,
                       "region_level": region.level, "province_code": province,
                       "organisation": f"{sector}-{code}-0", "sector": sector,
                       "wave": wave, "started_at": start + pd.Timedelta(hours=j)}
                for dim, items in DIMENSIONS.items():
                    latent = 3.2 + person + dim_effect[dim]
                    if w == 2 and code == "32.73" and dim == "kepercayaan":
                        latent += TRUST_RISE
                    if w == 2 and code == "33.72" and sector == "swasta":
                        latent += SWASTA_FALL
                    for item in items:
                        answer = float(np.clip(np.rint(latent + rng.normal(0, 0.7)), 1, 5))
                        row[item] = 6 - answer if item in REVERSE else answer
                survey.append(row)
        if code == "35.10":  # a register re-issued each wave, other shares each time
            for wave, extra in zip(WAVES, (1, 3, 5), strict=True):
                register += _register(code, province, wave,
                                      {s: (extra if s == "swasta" else 2) for s in sectors})
        elif code != "96.02":  # Sorong Selatan: no register (unweighted)
            register += _register(code, province, None, {s: 2 for s in sectors})
    for code in ("32.73", "35.10", "33.72", "32"):
        orgs = [r for r in register if r["region_code"] == code and r["wave"] in (None, WAVES[0])]
        for w, wave in enumerate(WAVES):
            density = 0.2 + (0.25 * w if code == "32.73" else 0.0)  # Bandung's network grows
            for a in orgs:
                for b in orgs:
                    if a["organisation"] < b["organisation"] and rng.random() < density:
                        ties.append({"region_code": code, "province_code": a["province_code"],
                                     "organisation": a["organisation"],
                                     "organisation_sector": a["sector"],
                                     "partner": b["organisation"], "partner_sector": b["sector"],
                                     "level": int(rng.integers(1, 4)),
                                     "trust": float(rng.integers(1, 5)),
                                     "value": float(rng.integers(1, 5)), "wave": wave})
    survey = pd.DataFrame(survey)
    survey = survey[survey["wave"].isin(labels)].reset_index(drop=True)
    for column in ("response_id", "respondent_id", "region_code", "region_name",
                   "province_code", "organisation", "sector", "wave"):
        survey[column] = survey[column].astype("str")
    survey["quality_flags"] = ""
    survey["source_row"] = np.arange(2, len(survey) + 2)
    register = pd.DataFrame(register)
    register["wave"] = register["wave"].astype("str").where(register["wave"].notna())
    ties = pd.DataFrame(ties)
    ties = ties[ties["wave"].isin(labels)].reset_index(drop=True)
    tables = {name: empty_table(name) for name in (
        "attendance", "indicator_targets", "indicator_annual", "indicator_values",
        "indicator_metadata", "partnerships")}
    tables |= {"survey": survey, "items": _items(), "stakeholders": register, "ties": ties,
               "waves": wave_data.waves_table(labels, "period")}
    return tables


def _single_wave(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The last wave alone as a programme that declares no waves (wave "1")."""
    out = dict(tables)
    last = WAVES[-1]
    out["survey"] = tables["survey"][tables["survey"]["wave"] == last].assign(
        wave=wave_data.SINGLE_WAVE).reset_index(drop=True)
    out["ties"] = tables["ties"][tables["ties"]["wave"] == last].assign(
        wave=wave_data.SINGLE_WAVE).reset_index(drop=True)
    register = tables["stakeholders"]
    register = register[register["wave"].isna() | (register["wave"] == last)]
    out["stakeholders"] = register.assign(wave=pd.Series(pd.NA, index=register.index,
                                                         dtype="str")).reset_index(drop=True)
    out["waves"] = wave_data.single_wave_table()
    return out


@pytest.fixture(scope="module")
def tables():
    return build_tables()


@pytest.fixture(scope="module")
def out(tables):
    return results.compute_results(tables, scale=SCALE, sectors=OWN_SECTORS)


@pytest.fixture(scope="module")
def single(tables):
    one = _single_wave(tables)
    return one, results.compute_results(one, scale=SCALE, sectors=OWN_SECTORS)


def _row(table: pd.DataFrame, **keys) -> pd.Series:
    mask = np.ones(len(table), dtype=bool)
    for column, value in keys.items():
        mask &= (table[column] == value).to_numpy()
    assert mask.sum() == 1, (keys, int(mask.sum()))
    return table[mask].iloc[0]


def test_every_wave_table_has_its_columns_and_dtypes(out, single):
    for computed in (out, single[1]):
        for name, schema in waves.SCHEMAS.items():
            assert list(computed[name].columns) == list(schema), name
            for column, dtype in schema.items():
                assert str(computed[name][column].dtype).startswith(
                    {"str": "str", "Int64": "Int64"}.get(dtype, dtype)), (name, column)
    assert out["waves"]["wave"].tolist() == WAVES
    assert out["waves"]["respondents"].tolist() == [sum(s[i] for _, s in REGIONS.values())
                                                    for i in range(3)]


def test_the_planted_rise_in_trust_is_recovered(out):
    row = _row(out["wave_change"], region_code="32.73", dimension="kepercayaan",
               comparison="previous")
    assert (row["from_wave"], row["to_wave"]) == ("2025-H1", "2025-H2")
    assert row["ci_low"] < TRUST_RISE < row["ci_upp"]
    assert row["changed"] and row["direction"] == "up" and row["p_holm"] < 1 - CI_LEVEL
    assert not row["suppressed"] and row["reason"] == ""
    # the change is the difference of the two waves' scores the trajectory shows
    scores = out["wave_scores"]
    before = _row(scores, region_code="32.73", wave="2025-H1", dimension="kepercayaan")
    after = _row(scores, region_code="32.73", wave="2025-H2", dimension="kepercayaan")
    assert row["estimate"] == pytest.approx(after["estimate"] - before["estimate"], abs=1e-12)
    # also since the first wave, rise in the same place
    first = _row(out["wave_change"], region_code="32.73", dimension="kepercayaan",
                 comparison="first")
    assert first["from_wave"] == "2024-H2" and first["changed"]
    assert first["ci_low"] < TRUST_RISE < first["ci_upp"]


def test_no_change_is_called_where_none_was_planted(out):
    change = out["wave_change"]
    calm = change[(change["region_code"] == "35.10") | (
        (change["region_code"] == "32.73") & (change["dimension"] != "kepercayaan")
        & (change["dimension"] != "_overall"))]
    assert len(calm) and not calm["suppressed"].any()
    assert not calm["changed"].any() and set(calm["direction"]) == {""}
    sectors = out["wave_sector_change"]
    assert not sectors.loc[sectors["region_code"].isin(["35.10", "32.73"]), "changed"].any()


def test_change_equals_statsmodels_cluster_wls_on_the_weighted_panel(tables, out):
    """Kota Bandung, koordinasi, 2025-H1 -> 2025-H2: each wave weighted to its register,
    respondents as clusters. statsmodels WLS with cluster-robust covariance gives the same
    difference; its SE is ours times sqrt((N-1)/(N-K)) (its small-sample factor)."""
    survey = tables["survey"]
    region = get_region("32.73")
    register = analysis.in_region(tables["stakeholders"], region)
    parts = []
    for wave in ("2025-H1", "2025-H2"):
        s = analysis.in_region(survey[survey["wave"] == wave], region).reset_index(drop=True)
        w, note = analysis.poststratification_weights(s, register)
        assert note == analysis.POSTSTRATIFIED
        scores = analysis.score_dimensions(s, tables["items"], scale_min=1, scale_max=5)
        parts.append(pd.DataFrame({"y": scores["koordinasi"], "w": w.to_numpy(),
                                   "to": float(wave == "2025-H2"),
                                   "g": s["respondent_id"]}))
    data = pd.concat(parts, ignore_index=True).dropna(subset=["y"])
    groups = pd.factorize(data["g"])[0]
    fit = sm.WLS(data["y"], sm.add_constant(data[["to"]]), weights=data["w"]).fit(
        cov_type="cluster", cov_kwds={"groups": groups})
    row = _row(out["wave_change"], region_code="32.73", dimension="koordinasi",
               comparison="previous")
    n, k = len(data), 2
    assert row["estimate"] == pytest.approx(fit.params["to"], abs=1e-10)
    assert row["se"] * math.sqrt((n - 1) / (n - k)) == pytest.approx(fit.bse["to"], rel=1e-8)
    assert row["clusters"] == len(set(groups))
    assert row["n_both"] == int((data.groupby("g")["to"].nunique() == 2).sum())
    assert 0 < row["n_both"] < row["n_to"]  # a partial panel


def test_holm_over_every_change_of_a_region(out):
    # one family per region: every dimension, the health score and both comparisons (so
    # that a report calls a change by chance alone at most 5% of the time); sectors are a
    # second family
    change = out["wave_change"]
    for code in ("32.73", "35.10", "33.72"):
        rows = change[(change["region_code"] == code) & ~change["suppressed"]]
        assert set(rows["comparison"]) == {"previous", "first"}
        assert "_overall" in set(rows["dimension"])
        expected = multipletests(rows["p_value"], method="holm")[1]
        np.testing.assert_allclose(rows["p_holm"], expected, rtol=1e-12)
    sectors = out["wave_sector_change"]
    rows = sectors[(sectors["region_code"] == "33.72") & ~sectors["suppressed"]]
    assert set(rows["comparison"]) == {"previous", "first"}
    np.testing.assert_allclose(rows["p_holm"], multipletests(rows["p_value"], method="holm")[1],
                               rtol=1e-12)


def test_the_planted_sector_decline_is_recovered_and_found(out):
    sectors = out["wave_sector_change"]
    row = _row(sectors, region_code="33.72", sector="swasta", comparison="previous")
    assert row["changed"] and row["direction"] == "down"
    assert row["ci_low"] < SWASTA_FALL < row["ci_upp"]
    others = sectors[(sectors["region_code"] == "33.72") & (sectors["sector"] != "swasta")]
    assert not others["changed"].any()
    assert sectors.loc[sectors["region_code"] == "33.72", "sector"].tolist()[:6] == \
        OWN_SECTORS["sector"].tolist()  # form order
    found = out["findings"][out["findings"]["region_code"] == "33.72"]
    down = found[found["key"] == "change_sector_down"]
    assert len(down) == 1
    values = json.loads(down["values"].iat[0])
    assert values["sector"] == "swasta" and values["estimate"] == pytest.approx(row["estimate"])
    assert (values["from_wave"], values["to_wave"]) == ("2025-H1", "2025-H2")


def test_change_findings_follow_the_current_ones(out):
    found = out["findings"]
    bandung = found[found["region_code"] == "32.73"].sort_values("order")
    keys = bandung["key"].tolist()
    up = [i for i, k in enumerate(keys) if k == "change_up"]
    assert len(up) == 1 and all(not k.startswith("change_") for k in keys[:up[0]])
    values = json.loads(bandung["values"].iat[up[0]])
    assert values["dimension"] == "kepercayaan" and values["ci_low"] < TRUST_RISE
    assert set(values) == {"dimension", "estimate", "ci_low", "ci_upp", "from_wave", "to_wave"}
    calm = found[found["region_code"] == "35.10"]
    assert calm["key"].tolist()[-1] == "change_none"
    assert json.loads(calm["values"].iat[-1]) == {"from_wave": "2025-H1", "to_wave": "2025-H2"}
    # Sorong Selatan: every change suppressed, so nothing is said about change
    assert not found.loc[found["region_code"] == "96.02", "key"].str.startswith("change_").any()


def test_suppressed_waves(out):
    scores = out["wave_scores"]
    small = scores[scores["region_code"] == "96.02"]
    assert set(small["wave"]) == set(WAVES)  # a row per wave, also without respondents
    by_wave = {w: rows for w, rows in small.groupby("wave")}
    assert not by_wave["2024-H2"]["suppressed"].any()
    assert by_wave["2024-H2"]["estimate"].notna().all()
    assert not by_wave["2024-H2"]["weighted"].any()  # no register: unweighted
    for wave, n in (("2025-H1", 0), ("2025-H2", 3)):
        rows = by_wave[wave]
        assert rows["suppressed"].all() and rows[["estimate", "se", "ci_low"]].isna().all().all()
        assert (rows["nobs"] == n).all()
    change = out["wave_change"]
    previous = change[(change["region_code"] == "96.02") & (change["comparison"] == "previous")]
    first = change[(change["region_code"] == "96.02") & (change["comparison"] == "first")]
    assert previous["suppressed"].all() and set(previous["reason"]) == {waves.MISSING_WAVE}
    assert first["suppressed"].all() and set(first["reason"]) == {waves.TOO_FEW_RESPONDENTS}
    assert first["estimate"].isna().all() and not first["changed"].any()
    assert set(first["n_to"]) == {3} and set(first["n_from"]) == {8}
    index = out["wave_index"][out["wave_index"]["region_code"] == "96.02"].set_index("wave")
    # 8 respondents: not suppressed; no register, so no coverage component and no index,
    # as the index table of that wave has it
    assert not index.at["2024-H2", "suppressed"] and index.at["2024-H2", "reason"] == ""
    assert index.at["2025-H1", "suppressed"] and index.at["2025-H2", "suppressed"]
    assert index.at["2025-H1", "reason"] == waves.MISSING_WAVE
    assert index.at["2025-H2", "reason"] == results.TOO_FEW_RESPONDENTS
    assert index.loc[["2025-H1", "2025-H2"], "index"].isna().all()


def test_wave_scores_are_the_reports_weighted_scores_of_each_wave(tables, out):
    """Each wave's scores are weighted_dimension_scores on that wave's survey and register
    (Banyuwangi's register differs per wave); the latest wave's equal region_health."""
    survey, items = tables["survey"], tables["items"]
    scores = out["wave_scores"]
    for code in ("35.10", "32"):  # a re-issued register; a province with its cities' rows
        region = get_region(code)
        for wave in WAVES:
            s = analysis.in_region(survey[survey["wave"] == wave], region)
            reg = wave_data.at_wave(analysis.in_region(tables["stakeholders"], region), wave)
            expected, note = analysis.weighted_dimension_scores(s, items, reg, scale=SCALE)
            mine = scores[(scores["region_code"] == code) & (scores["wave"] == wave)
                          & (scores["dimension"] != "_overall")]
            assert mine["dimension"].tolist() == list(DIMENSIONS)
            np.testing.assert_allclose(mine["estimate"], expected["estimate"], rtol=1e-14)
            np.testing.assert_allclose(mine["se"], expected["se"], rtol=1e-14)
            assert mine["weighted"].all() == (note == analysis.POSTSTRATIFIED)
            assert (mine["nobs"].to_numpy() == expected["nobs"].to_numpy()).all()
    # the province counts Kota Bandung's respondents as well as its own
    province = _row(scores, region_code="32", wave="2025-H2", dimension="_overall")
    assert province["nobs"] == REGIONS["32"][1][2] + REGIONS["32.73"][1][2]
    latest = scores[(scores["wave"] == WAVES[-1]) & (scores["dimension"] != "_overall")]
    merged = out["region_health"].merge(latest, on=["region_code", "dimension"])
    assert len(merged) == len(out["region_health"])
    shown = merged[~merged["suppressed_y"]]
    np.testing.assert_allclose(shown["estimate_x"], shown["estimate_y"], rtol=1e-14)


def test_the_health_score_is_the_weighted_mean_of_each_respondents_dimension_scores(tables, out):
    survey, items = tables["survey"], tables["items"]
    region = get_region("33.72")
    s = analysis.in_region(survey[survey["wave"] == "2025-H1"], region).reset_index(drop=True)
    w, _ = analysis.poststratification_weights(
        s, analysis.in_region(tables["stakeholders"], region))
    health = analysis.score_dimensions(s, items, scale_min=1, scale_max=5).mean(axis=1)
    row = _row(out["wave_scores"], region_code="33.72", wave="2025-H1", dimension="_overall")
    assert row["estimate"] == pytest.approx(float(np.average(health, weights=w)), abs=1e-12)


def test_the_latest_wave_index_is_the_index(tables, out):
    latest = out["wave_index"][out["wave_index"]["wave"] == WAVES[-1]].set_index("region_code")
    index = out["index"].set_index("region_code")
    assert sorted(latest.index) == sorted(index.index)
    for column in ("index", "ci_low", "ci_upp"):
        np.testing.assert_array_equal(latest[column].reindex(index.index).to_numpy(),
                                      index[column].to_numpy())
    assert latest["rank"].reindex(index.index).astype("float").fillna(-1).tolist() == \
        index["rank"].astype("float").fillna(-1).tolist()
    assert (latest["n_ranked"] == index["rank"].notna().sum()).all()
    # an earlier wave: the same computation on the data as they stood then
    then = wave_data.as_of(tables, tables["waves"], "2025-H1")
    direct = results.effectiveness_index(wave_data.snapshot(then, then["waves"]), scale=SCALE,
                                         sectors=OWN_SECTORS).set_index("region_code")
    mine = out["wave_index"][out["wave_index"]["wave"] == "2025-H1"].set_index("region_code")
    shared = direct.index.intersection(mine.index)
    assert len(shared) == 4  # Sorong Selatan had no one in 2025-H1
    np.testing.assert_array_equal(mine.loc[shared, "index"], direct.loc[shared, "index"])
    # the change since the previous wave: index_to - index_from, ranks climbed positive
    change = out["index_change"].set_index("region_code")
    for code in shared:
        row = change.loc[code]
        assert row["change"] == pytest.approx(row["index_to"] - row["index_from"], abs=1e-12)
        assert row["ci_low"] < row["change"] < row["ci_upp"]
        assert row["rank_change"] == row["rank_from"] - row["rank_to"]


def test_index_difference_treats_the_waves_as_independent():
    z = 1.959963984540054  # scipy.stats.norm.ppf(0.975)
    change, lo, hi = waves.index_difference(50.0, (50 - z, 50 + z), 53.0, (53 - z, 53 + z))
    # se 1 each: 3 +/- z * sqrt(2)
    assert change == 3.0
    assert lo == pytest.approx(3 - z * math.sqrt(2), abs=1e-9)
    assert hi == pytest.approx(3 + z * math.sqrt(2), abs=1e-9)
    assert all(math.isnan(v) for v in waves.index_difference(np.nan, (1, 2), 3, (2, 4)))


def test_network_tables_per_wave_and_their_change(tables, out):
    network = out["wave_network"]
    assert set(network["region_code"]) == {"32.73", "35.10", "33.72", "32"}  # with a register
    region = get_region("32.73")
    ties = analysis.in_region(tables["ties"], region)
    register = analysis.in_region(tables["stakeholders"], region)
    expected = network_change.wave_network(ties, register, waves=WAVES)
    mine = network[network["region_code"] == "32.73"]
    assert mine["order"].tolist() == [1, 2, 3]
    np.testing.assert_allclose(mine["density"], expected["density"])
    assert mine["ties"].tolist() == expected["ties"].tolist()
    assert mine["ties"].is_monotonic_increasing  # the planted growth
    moved = _row(out["network_change"], region_code="32.73")
    assert (moved["from_wave"], moved["to_wave"]) == ("2025-H1", "2025-H2")
    assert moved["ties_gained"] > moved["ties_lost"] and moved["density_change"] > 0
    direct = network_change.network_change(ties, register, from_wave="2025-H1",
                                           to_wave="2025-H2")
    assert moved["ties_kept"] == direct["ties_kept"]
    roles = out["network_role_change"]
    assert set(roles["change"]) <= set(network_change.ROLE_CHANGES)
    assert set(roles["region_code"]) <= set(network["region_code"])
    # the latest wave's network is the current network table's
    latest = network[network["wave"] == WAVES[-1]].set_index("region_code")
    metrics = out["network_metrics"].set_index("region_code")
    np.testing.assert_allclose(latest.loc[metrics.index, "density"], metrics["density"])


def test_a_single_wave_gives_empty_change_tables_and_says_so(single):
    one, computed = single
    for name in ("wave_change", "wave_sector_change", "network_change", "network_role_change",
                 "index_change"):
        assert computed[name].empty, name
    assert computed["waves"]["wave"].tolist() == ["1"]
    assert set(computed["wave_scores"]["wave"]) == {"1"}
    assert len(computed["wave_network"]) == 4
    found = computed["findings"]
    last = found.sort_values("order").groupby("region_code")["key"].last()
    assert set(last) == {"change_single_wave"}
    assert (found.loc[found["key"] == "change_single_wave", "values"] == "{}").all()
    index = computed["index"].set_index("region_code")
    mine = computed["wave_index"].set_index("region_code")
    np.testing.assert_array_equal(mine.loc[index.index, "index"], index["index"])


def test_the_latest_wave_alone_gives_the_current_tables(single, out):
    """Every current table is computed on the latest wave (snapshot): the three-wave
    programme's current tables equal those of its last wave alone."""
    _, computed = single
    for name in ("region_health", "benchmark", "sector_model", "reliability", "coverage",
                 "network_metrics", "respondents", "dimension_scores"):
        pd.testing.assert_frame_equal(out[name], computed[name], check_exact=True, obj=name)


def test_change_findings_pure():
    def rows(*changes):
        return pd.DataFrame([{"dimension": d, "comparison": c, "from_wave": "A", "to_wave": "B",
                              "estimate": e, "ci_low": e - 0.1, "ci_upp": e + 0.1,
                              "changed": ch, "direction": ("" if not ch else
                                                           "up" if e > 0 else "down"),
                              "suppressed": False} for d, c, e, ch in changes])

    none = pd.DataFrame(columns=["sector", "comparison", "estimate", "changed", "suppressed",
                                 "direction"])
    assert region_findings.change_findings(rows(), none, n_waves=1) == [
        region_findings.Finding("change_single_wave", {})]
    found = region_findings.change_findings(rows(
        ("a", "previous", 0.3, True), ("b", "previous", 0.6, True), ("c", "previous", -0.2, True),
        ("d", "previous", 0.9, False), ("e", "first", 1.5, True), ("f", "previous", 0.4, True),
        ("g", "previous", 0.35, True), ("_overall", "previous", 0.5, True)), none, n_waves=3)
    assert [(f.key, f.values["dimension"]) for f in found] == [
        ("change_up", "b"), ("change_up", "f"), ("change_up", "g"), ("change_down", "c")]
    calm = region_findings.change_findings(rows(("a", "previous", 0.3, False)), none, n_waves=2)
    assert calm == [region_findings.Finding("change_none", {"from_wave": "A", "to_wave": "B"})]


def test_wave_tables_without_an_index_function_and_without_wave_columns(tables):
    """An old processed folder: no wave columns, no waves table -> one wave."""
    old = {name: (frame.drop(columns="wave") if "wave" in frame.columns else frame)
           for name, frame in _single_wave(tables).items() if name != "waves"}
    out = waves.wave_tables(old, scale=SCALE, sectors=OWN_SECTORS)
    assert out["waves"]["wave"].tolist() == ["1"]
    assert out["wave_index"].empty and out["wave_change"].empty
    assert len(out["wave_scores"]) == len(REGIONS) * (len(DIMENSIONS) + 1)
    assert MIN_CELL == 5  # the suppression thresholds above assume it


def test_the_presentation_reads_the_schema_the_results_stage_writes():
    # one schema: the tables analyse.waves writes are the ones present reads, column for column
    from evalkit.analyse import waves as wave_analysis
    from evalkit.present.wave_results import WAVE_RESULT_COLUMNS

    assert {name: tuple(columns) for name, columns in wave_analysis.SCHEMAS.items()} == \
        WAVE_RESULT_COLUMNS
