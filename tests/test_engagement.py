"""Tests for evalkit.measure.engagement: attendance, pentahelix coverage, power/interest map."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from frames import OWN_SECTORS, own_register
from statsmodels.stats.proportion import proportion_confint

from evalkit.core.config import MIN_CELL
from evalkit.measure.engagement import (
    PENTAHELIX,
    QUADRANTS,
    attendance_by_sector,
    attendance_over_time,
    attendance_trend,
    coverage_share,
    missing_sectors,
    pentahelix_coverage,
    power_interest_map,
    quadrant_counts,
)


def _attendance(spec: dict[str, list[list[bool]]], dates: list[str] | None = None) -> pd.DataFrame:
    """Build an attendance table from ``{sector: [attendance list per organisation]}``."""
    rows = []
    for sector, orgs in spec.items():
        for j, record in enumerate(orgs):
            for k, attended in enumerate(record):
                date = dates[k] if dates else f"2024-{(k % 12) + 1:02d}-15"
                rows.append({
                    "region_code": "15.71", "province_code": "15",
                    "meeting_date": pd.Timestamp(date), "meeting": f"Rapat {k + 1}",
                    "organisation": f"{sector}-{j}", "sector": sector, "attended": bool(attended),
                })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# vocabulary
# --------------------------------------------------------------------------------------
def test_vocabulary_is_complete():
    assert PENTAHELIX == ("pemerintah", "dunia_usaha", "akademisi", "masyarakat_sipil", "media")
    assert QUADRANTS == ("manage_closely", "keep_satisfied", "keep_informed", "monitor")
    # the measure stage keeps codes only: no labels, colours or figures (present/ has them)
    import evalkit.measure.engagement as engagement
    for name in ("QUADRANT_LABELS", "SECTOR_COLORS", "sector_labels", "sector_palette",
                 "power_interest_figure", "attendance_figure"):
        assert not hasattr(engagement, name), name


# --------------------------------------------------------------------------------------
# attendance_by_sector
# --------------------------------------------------------------------------------------
def test_wilson_matches_published_value_and_statsmodels():
    # Newcombe (1998), worked example 81/263: Wilson score interval 0.2553 to 0.3662.
    # One attendance per organisation (263 organisations), so clustering is irrelevant.
    spec = {"pemerintah": [[i < 81] for i in range(263)]}
    out = attendance_by_sector(_attendance(spec), cluster=False).set_index("sector")
    row = out.loc["pemerintah"]
    assert row["invitations"] == 263 and row["attended"] == 81
    assert row["rate"] == pytest.approx(81 / 263)
    assert row["ci_low"] == pytest.approx(0.2553, abs=5e-5)
    assert row["ci_upp"] == pytest.approx(0.3662, abs=5e-5)
    low, upp = proportion_confint(81, 263, alpha=0.05, method="wilson")
    assert (row["ci_low"], row["ci_upp"]) == pytest.approx((low, upp), rel=1e-12)
    # Other confidence levels are passed through.
    low90, upp90 = proportion_confint(81, 263, alpha=0.10, method="wilson")
    out90 = attendance_by_sector(_attendance(spec), ci=0.90, cluster=False).set_index("sector")
    assert out90.loc["pemerintah", "ci_low"] == pytest.approx(low90)
    assert out90.loc["pemerintah", "ci_upp"] == pytest.approx(upp90)


def test_cluster_interval_uses_effective_sample_size():
    # 10 organisations x 4 meetings; 5 always attend, 5 never: p = 0.5, n = 40.
    # var_cluster = 10/9 * sum((y_j - p m_j)^2) / n^2 = 10/9 * 10*4 / 1600 = 0.027778
    # var_srs = 0.25 / 40 = 0.00625 -> deff = 4.4444, n_eff = 9, successes 4.5.
    spec = {"pemerintah": [[True] * 4] * 5 + [[False] * 4] * 5}
    out = attendance_by_sector(_attendance(spec)).set_index("sector")
    row = out.loc["pemerintah"]
    assert row["deff"] == pytest.approx(40 / 9)
    low, upp = proportion_confint(4.5, 9, alpha=0.05, method="wilson")
    assert (row["ci_low"], row["ci_upp"]) == pytest.approx((low, upp))
    plain = attendance_by_sector(_attendance(spec), cluster=False).set_index("sector")
    plain_width = plain.loc["pemerintah", "ci_upp"] - plain.loc["pemerintah", "ci_low"]
    assert row["ci_upp"] - row["ci_low"] > plain_width


def test_cluster_interval_never_narrower_than_wilson():
    # Every organisation attends 2 of 4 meetings: residuals are 0, deff = 0 -> truncated to 1.
    spec = {"pemerintah": [[True, True, False, False]] * 6}
    row = attendance_by_sector(_attendance(spec)).set_index("sector").loc["pemerintah"]
    assert row["deff"] == pytest.approx(0.0)
    low, upp = proportion_confint(12, 24, alpha=0.05, method="wilson")
    assert (row["ci_low"], row["ci_upp"]) == pytest.approx((low, upp))


def test_small_cells_suppressed_and_all_sectors_listed():
    spec = {
        "pemerintah": [[True, False]] * MIN_CELL,           # exactly MIN_CELL: shown
        "dunia_usaha": [[True, True]] * (MIN_CELL - 1),     # one fewer: suppressed
    }
    out = attendance_by_sector(_attendance(spec))
    assert list(out["sector"]) == list(PENTAHELIX)
    by = out.set_index("sector")
    assert not by.loc["pemerintah", "suppressed"]
    assert by.loc["pemerintah", "rate"] == pytest.approx(0.5)
    assert by.loc["pemerintah", "organisations"] == MIN_CELL
    assert by.loc["dunia_usaha", "suppressed"]
    assert math.isnan(by.loc["dunia_usaha", "rate"]) and math.isnan(by.loc["dunia_usaha", "ci_low"])
    assert pd.isna(by.loc["dunia_usaha", "attended"])
    assert by.loc["dunia_usaha", "invitations"] == 2 * (MIN_CELL - 1)
    # Absent sectors: zero invitations, suppressed.
    assert by.loc["media", "invitations"] == 0 and by.loc["media", "suppressed"]
    # min_n=0 shows every non-empty cell.
    shown = attendance_by_sector(_attendance(spec), min_n=0).set_index("sector")
    assert shown.loc["dunia_usaha", "rate"] == pytest.approx(1.0)


def test_unknown_sector_kept_and_bad_input_rejected():
    df = _attendance({"pemerintah": [[True]] * 5})
    df.loc[0, "sector"] = None
    out = attendance_by_sector(df, min_n=0)
    assert list(out["sector"]) == [*PENTAHELIX, "unknown"]
    assert out["invitations"].sum() == len(df)
    with pytest.raises(ValueError, match="attended"):
        attendance_by_sector(df.drop(columns="attended"))
    bad = df.astype({"attended": object})
    bad.loc[1, "attended"] = "Ya"
    with pytest.raises(ValueError, match="boolean"):
        attendance_by_sector(bad)


# --------------------------------------------------------------------------------------
# attendance_over_time / attendance_trend
# --------------------------------------------------------------------------------------
def test_attendance_over_time_counts_balance_and_rates():
    dates = ["2024-01-10", "2024-02-10", "2024-04-10", "2024-07-10"]
    spec = {
        "pemerintah": [[True, True, False, True]] * 5,
        "media": [[False, True, True, True]] * 2,
    }
    df = _attendance(spec, dates)
    out = attendance_over_time(df, min_n=0)
    sectors = out[out["sector"] != "all"]
    assert sectors["invitations"].sum() == len(df)
    assert [str(p) for p in pd.unique(out["period"])] == ["2024Q1", "2024Q2", "2024Q3"]
    assert list(out.loc[out["period"] == out["period"].iloc[0], "sector"]) == ["pemerintah", "media", "all"]
    allrows = out[out["sector"] == "all"].set_index(out.loc[out["sector"] == "all", "period"].astype(str))
    per_period = sectors.groupby(sectors["period"].astype(str))["invitations"].sum()
    assert (allrows["invitations"] == per_period).all()
    q1 = out[(out["period"].astype(str) == "2024Q1")].set_index("sector")
    assert q1.loc["pemerintah", "invitations"] == 10 and q1.loc["pemerintah", "rate"] == 1.0
    assert q1.loc["media", "rate"] == pytest.approx(0.5)
    assert q1.loc["all", "rate"] == pytest.approx(12 / 14)
    # Default min_n suppresses the 2-organisation media cells, not their invitations.
    sup = attendance_over_time(df).set_index(["sector"])
    assert sup.loc["media", "suppressed"].all() and sup.loc["media", "rate"].isna().all()
    assert sup.loc["media", "invitations"].sum() == 8
    assert not sup.loc["pemerintah", "suppressed"].any()
    # Monthly periods and string dates work too.
    monthly = attendance_over_time(df.assign(meeting_date=df["meeting_date"].dt.strftime("%Y-%m-%d")),
                                   freq="M", min_n=0)
    assert monthly["period"].nunique() == 4


def test_attendance_trend_recovers_known_slope():
    rng = np.random.default_rng(20240601)
    n_org, n_meet, true_slope, intercept = 80, 16, 0.8, -0.4
    dates = pd.date_range("2024-01-01", periods=n_meet, freq="45D")
    years = (dates - dates[0]).days / 365.25
    rows = []
    for j in range(n_org):
        for d, t in zip(dates, years, strict=True):
            p = 1 / (1 + math.exp(-(intercept + true_slope * t)))
            rows.append({"meeting_date": d, "organisation": f"org{j}", "sector": "pemerintah",
                         "attended": bool(rng.random() < p)})
    # A small sector (below MIN_CELL organisations) gets no estimate.
    for j in range(MIN_CELL - 1):
        for d in dates:
            rows.append({"meeting_date": d, "organisation": f"m{j}", "sector": "media",
                         "attended": bool(rng.random() < 0.5)})
    out = attendance_trend(pd.DataFrame(rows)).set_index("sector")
    row = out.loc["pemerintah"]
    assert row["slope_ci_low"] < true_slope < row["slope_ci_upp"]
    assert row["slope_ci_low"] > 0 and row["p_value"] < 0.001
    assert row["odds_ratio"] == pytest.approx(math.exp(row["slope"]))
    assert row["or_ci_low"] == pytest.approx(math.exp(row["slope_ci_low"]))
    assert row["note"] == ""
    assert math.isnan(out.loc["media", "slope"]) and "organisations" in out.loc["media", "note"]
    assert "all" in out.index and out.loc["all", "invitations"] == len(rows)


def test_attendance_trend_degenerate_cases():
    df = _attendance({"pemerintah": [[True, True, True]] * 6})
    out = attendance_trend(df).set_index("sector")
    assert math.isnan(out.loc["pemerintah", "slope"])
    assert out.loc["pemerintah", "note"] == "no variation in attendance"


# --------------------------------------------------------------------------------------
# coverage
# --------------------------------------------------------------------------------------
def test_pentahelix_coverage_and_missing_sectors():
    register = pd.DataFrame({
        "organisation": ["A", "B", "C", "D", "E"],
        "sector": ["pemerintah", "pemerintah", "dunia_usaha", "masyarakat_sipil", "pemerintah"],
        "influence": 3, "interest": 3,
    })
    survey = pd.DataFrame({"sector": ["pemerintah"] * 4 + ["akademisi"] * 2})
    attendance = pd.DataFrame({
        "organisation": ["A", "A", "B", "C", "D"],
        "sector": ["pemerintah", "pemerintah", "pemerintah", "dunia_usaha", "masyarakat_sipil"],
        "attended": [True, True, False, True, False],
    })
    cov = pentahelix_coverage(register, survey=survey, attendance=attendance)
    assert list(cov["sector"]) == list(PENTAHELIX)
    c = cov.set_index("sector")
    assert list(c["in_register"]) == [3, 1, 0, 1, 0]
    assert list(c["in_survey"]) == [4, 0, 2, 0, 0]
    assert list(c["in_attendance"]) == [1, 1, 0, 0, 0]   # B and D never attended
    assert list(c["present"]) == [True, True, False, True, False]
    assert missing_sectors(cov) == ["akademisi", "media"]
    assert coverage_share(cov) == pytest.approx(3 / 5)
    # Without survey/attendance the columns exist but are <NA>.
    bare = pentahelix_coverage(register)
    assert bare["in_survey"].isna().all() and bare["in_attendance"].isna().all()
    full = pentahelix_coverage(pd.DataFrame({"organisation": list("abcde"), "sector": list(PENTAHELIX)}))
    assert missing_sectors(full) == [] and coverage_share(full) == 1.0
    with pytest.raises(ValueError, match="sector"):
        pentahelix_coverage(register.drop(columns="sector"))


# --------------------------------------------------------------------------------------
# power / interest
# --------------------------------------------------------------------------------------
def test_quadrant_boundaries():
    reg = pd.DataFrame({
        "organisation": list("abcdefgh"),
        "sector": ["pemerintah"] * 8,
        "influence": [4, 4, 3, 3, 5, 1, 1, np.nan],
        "interest": [4, 3, 4, 3, 1, 5, 1, 2],
    })
    out = power_interest_map(reg)
    assert list(out["quadrant"][:7]) == [
        "manage_closely", "keep_satisfied", "keep_informed", "monitor",
        "keep_satisfied", "keep_informed", "monitor",
    ]
    assert pd.isna(out["quadrant"].iloc[7])
    assert list(out.index) == list(reg.index) and "influence" in out.columns
    # Midpoint 2.5: a 3 now counts as high.
    assert power_interest_map(reg, midpoint=2.5)["quadrant"].iloc[3] == "manage_closely"
    counts = quadrant_counts(out)
    assert counts.loc["pemerintah", "monitor"] == 2 and counts.loc["pemerintah", "unrated"] == 1
    assert counts.loc["pemerintah", "total"] == 8
    assert (counts[[*QUADRANTS, "unrated"]].sum(axis=1) == counts["total"]).all()
    with pytest.raises(ValueError, match="outside 1-5"):
        power_interest_map(reg.assign(interest=[6, 3, 4, 3, 1, 5, 1, 2]))
    with pytest.raises(ValueError, match="interest"):
        power_interest_map(reg.drop(columns="interest"))


# --- the programme's own sectors (issue #11) -------------------------------------------

def test_attendance_by_sector_rows_follow_the_programme_sectors():
    from evalkit.measure.engagement import attendance_by_sector
    att = pd.DataFrame({"organisation": ["A", "B", "C", "A"], "sector": ["lsm", "pemda", "lsm", "lsm"],
                        "attended": [True, False, True, False],
                        "meeting_date": pd.to_datetime(["2024-01-05"] * 4)})
    out = attendance_by_sector(att, min_n=1, sectors=["pemda", "swasta", "lsm"])
    assert out["sector"].tolist()[:3] == ["pemda", "swasta", "lsm"]
    assert not set(out["sector"]) & {"dunia_usaha", "masyarakat_sipil"}  # no demo rows
    assert int(out.loc[out["sector"] == "swasta", "invitations"].iat[0]) == 0




def test_coverage_counts_categories_through_the_forms_mapping():
    from evalkit.measure.engagement import coverage_mapped
    codes = list(OWN_SECTORS["sector"]) + ["pemda"]
    survey = pd.DataFrame({"sector": ["pemda", "lsm", "lsm", "tokoh_masyarakat"]})
    cov = pentahelix_coverage(own_register(codes), survey=survey, sectors=OWN_SECTORS)
    assert cov["sector"].tolist() == [*PENTAHELIX, "tokoh_masyarakat"]
    assert cov["counted"].tolist() == [True] * 5 + [False]
    c = cov.set_index("sector")
    assert c.at["pemerintah", "sectors"] == "pemda" and c.at["pemerintah", "in_register"] == 2
    assert c.at["masyarakat_sipil", "in_survey"] == 2
    assert c.at["tokoh_masyarakat", "category"] == "" and c.at["tokoh_masyarakat", "present"]
    assert missing_sectors(cov) == [] and coverage_share(cov) == 1.0  # 5/5, outside not counted
    assert coverage_mapped(cov)
    # academia absent from the register: 4/5, and only academia is missing
    no_uni = pentahelix_coverage(own_register([s for s in codes if s != "perguruan_tinggi"]),
                                 sectors=OWN_SECTORS)
    assert missing_sectors(no_uni) == ["akademisi"] and coverage_share(no_uni) == pytest.approx(0.8)
    # only the outside group registered: it never makes up for a category
    only_outside = pentahelix_coverage(own_register(["tokoh_masyarakat"] * 3), sectors=OWN_SECTORS)
    assert coverage_share(only_outside) == 0.0


def test_coverage_of_a_form_that_maps_no_sector_is_missing_not_zero():
    from evalkit.measure.engagement import coverage_mapped
    unmapped = OWN_SECTORS.assign(pentahelix="")
    cov = pentahelix_coverage(own_register(list(OWN_SECTORS["sector"])), sectors=unmapped)
    assert cov["sector"].tolist()[:5] == list(PENTAHELIX)  # the five rows, all empty
    assert not coverage_mapped(cov) and np.isnan(coverage_share(cov))
    # a category no sector maps to is a finding (0), not a silent form
    partial = OWN_SECTORS.assign(pentahelix=["pemerintah", "", "", "", "", ""])
    cov = pentahelix_coverage(own_register(list(OWN_SECTORS["sector"])), sectors=partial)
    assert coverage_share(cov) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="not pentahelix categories"):
        pentahelix_coverage(own_register(["pemda"]), sectors=OWN_SECTORS.assign(pentahelix="x"))
