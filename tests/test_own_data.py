"""Acceptance tests of issue #11: a second, independent programme's data, end to end.

The data set (:mod:`own_data`, not the demo generator) is a stunting-reduction forum in
Nusa Tenggara Timur: its own Kobo form (six dimensions, 22 items, Indonesian-only
labels, a 4-point scale with ``99`` = Tidak tahu), six sector codes of its own with a
pentahelix mapping and one group outside the five, seven kabupaten/kota (one with 3
respondents), the Kobo CSV export, ISO dates with days <= 12. The commands are run as a
user runs them (the venv's ``evalkit``, tmp folders); the expensive ``evalkit run`` runs
once per module.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import own_data  # noqa: E402

from evalkit.core.config import RAW_DATA_DIR  # noqa: E402

EVALKIT = Path(sys.executable).with_name("evalkit")
KEY = "own-data-test-key"


def evalkit(*args: str, cwd: Path | None = None, env: dict | None = None,
            timeout: int = 900) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "EVALKIT_PSEUDONYM_KEY": KEY, "COLUMNS": "200", **(env or {})}
    return subprocess.run([str(EVALKIT), *args], capture_output=True, text=True, cwd=cwd,
                          env=full_env, timeout=timeout)


def _explain(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"


# --------------------------------------------------------------------------------------
# Fixtures: the data set, one clean, one run (both languages), the variants
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def own(tmp_path_factory) -> own_data.Truth:
    return own_data.write_dataset(tmp_path_factory.mktemp("own") / "raw")


@pytest.fixture(scope="module")
def cleaned(own):
    processed = own.raw_dir.parent / "processed"
    proc = evalkit("clean", "--raw-dir", str(own.raw_dir), "--processed-dir", str(processed),
                   cwd=own.raw_dir.parent)
    return proc, processed


@pytest.fixture(scope="module")
def processed(cleaned) -> Path:
    proc, path = cleaned
    if proc.returncode != 0:
        pytest.fail("evalkit clean failed on the programme's data:\n" + _explain(proc))
    return path


@pytest.fixture(scope="module")
def ran(own, processed):
    reports = own.raw_dir.parent / "reports"
    proc = evalkit("run", "--raw-dir", str(own.raw_dir), "--processed-dir", str(processed),
                   "--reports-dir", str(reports), "--jobs", "2", cwd=own.raw_dir.parent,
                   timeout=1800)
    return proc, reports


@pytest.fixture(scope="module")
def reports(ran) -> Path:
    proc, path = ran
    if proc.returncode != 0:  # the full output is in test_run_exits_zero_in_both_languages
        last = [ln for ln in proc.stderr.splitlines()
                if ln.strip() and not any(c in ln for c in "│╭╰")][-3:]
        pytest.fail("evalkit run failed on the programme's data: " + " | ".join(last))
    return path


@pytest.fixture(scope="module")
def raw_survey(own) -> pd.DataFrame:
    """survey.csv as the user has it; ``source_row`` = its line number (header = 1)."""
    frame = pd.read_csv(own.raw_dir / "survey.csv", sep=";", dtype=str, keep_default_na=False)
    return frame.assign(source_row=np.arange(len(frame)) + 2)


def table(processed: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(processed / f"{name}.parquet")


def survey_quarantine(processed: Path) -> pd.DataFrame:
    q = table(processed, "quarantine")
    return q[q["table"] == "survey"]


def text_of(path: Path) -> str:
    """The visible text of a report: tags, styles, scripts and embedded images removed."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", raw)
    raw = re.sub(r"(?s)<[^>]+>", " ", raw)
    return re.sub(r"\s+", " ", html.unescape(raw))


def region_report(reports: Path, code: str, lang: str) -> Path:
    pattern = f"{code}-*.html" if lang == "id" else f"{code}-*.{lang}.html"
    found = [p for p in reports.glob(pattern) if lang != "id" or p.name.count(".") == 2]
    assert len(found) == 1, f"one {lang} report of {code} expected in {reports}, found {found}"
    return found[0]


# --------------------------------------------------------------------------------------
# evalkit clean
# --------------------------------------------------------------------------------------
def test_clean_exits_zero(cleaned):
    proc, _ = cleaned
    assert proc.returncode == 0, _explain(proc)
    assert "Traceback" not in proc.stderr + proc.stdout


def test_row_accounting_against_the_csv(own, processed, raw_survey):
    survey = table(processed, "survey")
    quarantine = survey_quarantine(processed)
    assert len(raw_survey) == own.n_rows
    assert len(survey) + len(quarantine) == own.n_rows
    manifest = json.loads((processed / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["survey"] == {"rows_in": own.n_rows, "rows_clean": len(survey),
                                            "rows_quarantined": len(quarantine),
                                            "waves": {"1": len(survey)}}


def _reasons(processed, raw_survey, uuids):
    rows = raw_survey.loc[raw_survey["_uuid"].isin(uuids), "source_row"]
    q = survey_quarantine(processed).set_index("source_row")["reason"]
    return {int(r): q.get(int(r)) for r in rows}


def test_not_approved_quarantined_with_their_reason(own, processed, raw_survey):
    reasons = _reasons(processed, raw_survey, own.not_approved)
    assert len(reasons) == 5
    assert set(reasons.values()) == {"not_approved"}, reasons
    assert (survey_quarantine(processed)["reason"] == "not_approved").sum() == 5


def test_declined_consent_quarantined_as_no_consent(own, processed, raw_survey):
    reasons = _reasons(processed, raw_survey, own.no_consent)
    assert len(reasons) == 4
    assert set(reasons.values()) == {"no_consent"}, reasons
    assert (survey_quarantine(processed)["reason"] == "no_consent").sum() == 4


def test_duplicate_respondent_caught_through_the_pii_fields(own, processed, raw_survey):
    reasons = _reasons(processed, raw_survey, own.duplicate)
    assert set(reasons.values()) == {"duplicate_respondent"}, reasons


def test_only_the_planted_rows_are_quarantined(own, processed):
    """Every other respondent is a plausible interview: nothing else may be lost."""
    reasons = survey_quarantine(processed)["reason"].value_counts().to_dict()
    assert reasons == {"not_approved": 5, "no_consent": 4, "duplicate_respondent": 1}
    counts = table(processed, "survey").groupby("region_code").size().to_dict()
    assert counts == own.n_valid


def test_on_hold_submissions_kept_and_flagged(own, processed, raw_survey):
    survey = table(processed, "survey")
    assert set(own.on_hold) <= set(survey["response_id"])
    rows = set(raw_survey.loc[raw_survey["_uuid"].isin(own.on_hold), "source_row"])
    flags = table(processed, "flags")
    flagged = set(flags.loc[flags["table"] == "survey", "source_row"].astype(int))
    assert rows <= flagged, "Kobo 'on hold' submissions should be kept and flagged"


def test_pseudonyms_distinct_for_distinct_people(processed):
    survey = table(processed, "survey")
    assert survey["respondent_id"].notna().all()
    assert survey["respondent_id"].nunique() == len(survey)


def test_no_personal_data_in_processed(processed, raw_survey):
    names = set(raw_survey["nama_responden"].str.strip()) - {""}
    phones = set(raw_survey["no_hp"]) - {""}
    survey = table(processed, "survey")
    assert not {"nama_responden", "no_hp"} & set(survey.columns)
    for path in processed.glob("*.parquet"):
        frame = pd.read_parquet(path)
        text = frame.astype(str).to_string()
        leaked = [v for v in [*list(names)[:40], *list(phones)[:40]] if v in text]
        assert not leaked, f"{path.name} holds personal data: {leaked[:3]}"


def test_processed_answers_inside_the_form_range(own, processed):
    survey = table(processed, "survey")
    values = survey[list(own_data.ITEMS)].to_numpy(dtype="float64")
    assert np.nanmin(values) >= 1 and np.nanmax(values) <= own.k
    dk_uuid, dk_item = own.dk_cell
    assert np.isnan(survey.set_index("response_id").at[dk_uuid, dk_item]), \
        "99 = Tidak tahu is never scored"


def test_processed_answers_are_the_raw_answers(own, processed, raw_survey):
    """Every kept answer is the form's value (reverse keying happens when scoring)."""
    survey = table(processed, "survey").set_index("response_id")
    raw = raw_survey.set_index("_uuid").loc[survey.index]
    for item in own_data.ITEMS:
        answer = pd.to_numeric(raw[item].where(raw[item] != own_data.DK_CODE), errors="coerce")
        pd.testing.assert_series_equal(survey[item].astype("float64"), answer.astype("float64"),
                                       check_names=False)


def _scored(processed: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items and dimension scores as the reports compute them (analysis.items_long and
    analysis.scores_long), given the processed scale when those functions take one."""
    import inspect

    from evalkit.analyse import region_tables as analysis
    survey, items = table(processed, "survey"), table(processed, "items")
    kwargs = {}
    if "scale" in inspect.signature(analysis.items_long).parameters:
        from evalkit.core.contract import Scale
        kwargs["scale"] = Scale.from_table(table(processed, "scale"))
    return analysis.items_long(survey, items, **kwargs), analysis.scores_long(survey, items, **kwargs)


def _expected_scores(survey: pd.DataFrame, k: int) -> pd.DataFrame:
    """Dimension scores by hand: reverse = 1 + k - x, mean of answered items."""
    out = {}
    for dim in own_data.DIMENSIONS:
        cols = [i for i, (d, _, _) in own_data.ITEMS.items() if d == dim]
        keyed = pd.DataFrame({c: (1 + k - survey[c]) if own_data.ITEMS[c][1] else survey[c]
                              for c in cols})
        out[dim] = keyed.mean(axis=1)
    return pd.DataFrame(out).set_index(survey["response_id"])


def test_reverse_keys_recoded_on_the_form_range(own, processed):
    long, scores = _scored(processed)
    assert long["response"].between(1, own.k).all()
    uuid, item = own.reverse_one
    cell = long[(long["response_id"] == uuid) & (long["item"] == item)]["response"]
    assert cell.tolist() == [own.k], "a reverse-keyed item answered 1 is scored k (min + max - 1)"
    got = scores.pivot(index="response_id", columns="dimension", values="score")
    expected = _expected_scores(table(processed, "survey"), own.k)
    got = got.loc[expected.index, list(own_data.DIMENSIONS)]
    got.columns = list(got.columns)
    assert got.min().min() >= 1 and got.max().max() <= own.k
    pd.testing.assert_frame_equal(got.astype("float64"), expected, check_names=False,
                                  check_dtype=False, atol=1e-9)


def test_scale_and_sectors_tables(own, processed):
    scale = table(processed, "scale")
    assert scale["value"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert scale["label_id"].tolist() == list(own_data.SCALE_LABELS[4])
    assert not scale["neutral"].any()
    sectors = table(processed, "sectors")
    assert sectors["sector"].tolist() == list(own_data.SECTORS)
    assert sectors["label_id"].tolist() == [v[0] for v in own_data.SECTORS.values()]
    assert dict(zip(sectors["sector"], sectors["pentahelix"])) == {
        code: ph for code, (_, ph, _) in own_data.SECTORS.items()}


def test_manifest_describes_the_form(processed):
    manifest = json.loads((processed / "manifest.json").read_text(encoding="utf-8"))
    form = manifest["form"]
    assert list(form["languages"]) == ["id"]
    assert {"region": "kab_kota", "sector": "jenis_lembaga", "organisation": "nama_lembaga",
            "consent": "persetujuan"}.items() <= form["roles"].items()
    assert (form["scale"]["min"], form["scale"]["max"], form["scale"]["k"]) == (1, 4, 4)
    assert form["speeder_seconds"] == pytest.approx(form["speeder_seconds_per_item"] * 22)


def test_register_and_ties_use_the_form_sectors(own, processed):
    register = table(processed, "stakeholders")
    assert set(register["sector"]) <= set(own_data.SECTORS)
    by_region = register.groupby("region_code")["sector"].agg(set).to_dict()
    assert by_region == {code: set(s) for code, s in own.register_sectors.items()}
    ties = table(processed, "ties")
    assert len(ties) > 0


def test_attendance_iso_dates_not_swapped(processed):
    att = table(processed, "attendance")
    dates = pd.to_datetime(att["meeting_date"])
    by_region = att.assign(d=dates).groupby("region_code")["d"]
    for code, d in by_region:
        assert sorted(d.dt.strftime("%Y-%m-%d").unique()) == list(own_data.MEETING_DATES), code
        assert d.nunique() == 4, code
        assert sorted(d.dt.quarter.unique()) == [1, 2, 3, 4], code
    assert set(att["region_code"]) == {r.code for r in own_data.REGIONS if r.meetings}
    assert set(att["sector"]) <= set(own_data.SECTORS)


def test_wide_only_indicator_workbook_read(processed):
    values = table(processed, "indicator_values")
    assert len(values) == 7 * 4 * 6
    meta = table(processed, "indicator_metadata")
    assert set(meta["indicator_id"]) == set(own_data.INDICATORS["indicator_id"])


# --------------------------------------------------------------------------------------
# Variants: no attendance file; a 7-point form
# --------------------------------------------------------------------------------------
def test_variant_without_attendance_file(tmp_path):
    own = own_data.write_dataset(tmp_path / "raw", attendance=False)
    assert not (own.raw_dir / "meeting_attendance.csv").exists()
    processed = tmp_path / "processed"
    proc = evalkit("clean", "--raw-dir", str(own.raw_dir), "--processed-dir", str(processed),
                   cwd=tmp_path)
    assert proc.returncode == 0, _explain(proc)
    att = table(processed, "attendance")
    assert len(att) == 0
    assert {"region_code", "organisation", "sector", "attended"} <= set(att.columns)
    manifest = json.loads((processed / "manifest.json").read_text(encoding="utf-8"))
    assert "attendance" in manifest["inputs_missing"]
    assert len(table(processed, "survey")) == sum(own.n_valid.values())


def test_seven_point_form(tmp_path):
    own = own_data.write_dataset(tmp_path / "raw", k=7, seed=7)
    processed = tmp_path / "processed"
    proc = evalkit("clean", "--raw-dir", str(own.raw_dir), "--processed-dir", str(processed),
                   cwd=tmp_path)
    assert proc.returncode == 0, _explain(proc)
    survey = table(processed, "survey").set_index("response_id")
    values = survey[list(own_data.ITEMS)].to_numpy(dtype="float64")
    assert np.nanmin(values) >= 1 and np.nanmax(values) <= 7
    long, _ = _scored(processed)
    uuid, item = own.reverse_one
    cell = long[(long["response_id"] == uuid) & (long["item"] == item)]["response"]
    assert cell.tolist() == [7], "on a 1–7 form a reverse-keyed 1 is scored 7"
    assert long["response"].between(1, 7).all()
    scale = table(processed, "scale")
    assert scale["value"].tolist() == [float(v) for v in range(1, 8)]
    assert scale.loc[scale["neutral"], "value"].tolist() == [4.0]
    assert scale.loc[scale["neutral"], "label_id"].tolist() == ["Ragu-ragu"]


# --------------------------------------------------------------------------------------
# evalkit run (both languages)
# --------------------------------------------------------------------------------------
def test_run_exits_zero_in_both_languages(ran):
    proc, path = ran
    assert proc.returncode == 0, _explain(proc)
    for r in own_data.REGIONS:
        for lang in ("id", "en"):
            region_report(path, r.code, lang)


def test_coverage_follows_the_form_sectors(own, processed, reports):
    comp = pd.read_parquet(processed / "results" / "index_components.parquet")
    cov = comp[comp["component"] == "pentahelix_coverage"].set_index("region_code")["value"]
    expected = {}
    for r in own_data.REGIONS:
        cats = {own_data.SECTORS[s][1] for s in r.sectors} - {""}
        expected[r.code] = len(cats) / 5
    assert expected[own_data.NO_UNIVERSITY_REGION] == pytest.approx(0.8)
    assert cov.to_dict() == pytest.approx(expected)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_coverage_text_in_the_reports(reports, lang):
    """Kota Kupang's register has all five categories; Belu's lacks only the university."""
    full = text_of(region_report(reports, "53.71", lang))
    belu = text_of(region_report(reports, own_data.NO_UNIVERSITY_REGION, lang))
    of5 = {"id": "{} dari 5", "en": "{} of the 5"}[lang]
    missing = {"id": "Sektor yang tidak ada", "en": "Missing sectors"}[lang]
    assert of5.format(5) in full and missing not in full
    assert of5.format(4) in belu
    said = re.search(rf"{missing}: \*?\*?([^.]*)\.", belu)
    assert said, f"Belu's {lang} report should name the missing category"
    assert said.group(1).strip("* ").casefold() in {"akademisi", "academia"}, said.group(0)


def test_benchmark_on_the_form_range_with_reverse_keys(own, processed, reports):
    """The all-region dimension means the reports compare with: on 1–4, reverse = 5 − x."""
    bench = pd.read_parquet(processed / "results" / "benchmark.parquet")
    got = bench.set_index(bench["dimension"].astype(str))["estimate"]
    expected = _expected_scores(table(processed, "survey"), own.k).mean()
    assert got.between(1, own.k).all()
    assert got.loc[list(own_data.DIMENSIONS)].to_numpy() == pytest.approx(expected.to_numpy())


def test_attendance_trend_has_four_quarters(processed, reports):
    over_time = pd.read_parquet(processed / "results" / "attendance_time.parquet")
    period = next(c for c in over_time.columns if c in ("period", "quarter", "date"))
    per_region = over_time.groupby("region_code")[period].nunique().to_dict()
    assert per_region == {r.code: 4 for r in own_data.REGIONS if r.meetings}


def test_small_region_not_ranked(own, processed, reports):
    index = pd.read_parquet(processed / "results" / "index.parquet").set_index("region_code")
    if own_data.SMALL_REGION in index.index:
        assert pd.isna(index.at[own_data.SMALL_REGION, "rank"]), "a 3-respondent region got a rank"
    ranked = index["rank"].dropna()
    assert len(ranked) == len(own_data.REGIONS) - 1


def _formatted(x: float) -> set[str]:
    return {f"{x:.2f}", f"{x:.2f}".replace(".", ","), f"{x:.1f}", f"{x:.1f}".replace(".", ",")}


def test_small_region_has_no_raw_mean_in_its_report(own, processed, reports):
    survey = table(processed, "survey")
    small = survey[survey["region_code"] == own_data.SMALL_REGION]
    assert len(small) == 3
    cols = list(own_data.ITEMS)
    means = [float(np.nanmean(small[cols].to_numpy(dtype="float64")))]
    for dim in own_data.DIMENSIONS:
        dim_items = [i for i, (d, _, _) in own_data.ITEMS.items() if d == dim]
        means.append(float(np.nanmean(small[dim_items].to_numpy(dtype="float64"))))
    # numbers that coincide with other regions' or all-region means are not evidence
    others = survey[survey["region_code"] != own_data.SMALL_REGION]
    coincident = set()
    for _, rows in [("all", survey), *others.groupby("region_code")]:
        coincident |= _formatted(float(np.nanmean(rows[cols].to_numpy(dtype="float64"))))
        for dim in own_data.DIMENSIONS:
            dim_items = [i for i, (d, _, _) in own_data.ITEMS.items() if d == dim]
            coincident |= _formatted(float(np.nanmean(rows[dim_items].to_numpy(dtype="float64"))))
    for lang in ("id", "en"):
        text = text_of(region_report(reports, own_data.SMALL_REGION, lang))
        shown = [m for m in means for s in _formatted(m) - coincident
                 if re.search(rf"(?<![\d.,]){re.escape(s)}(?![\d])", text)]
        assert not shown, f"{lang} report of the 3-respondent region prints raw means {shown}"


def _demo_vocabulary() -> dict[str, list[str]]:
    """The demo's sector codes, dimension names and labels, region names (from data/raw)."""
    book = pd.read_excel(RAW_DATA_DIR / "codebook_xlsform.xlsx", sheet_name=None)
    survey, choices = book["survey"], book["choices"]
    groups = survey[survey["type"] == "begin_group"]
    sector_list = survey.loc[survey["name"] == "sector", "type"].iloc[0].split()[-1]
    codes = choices.loc[choices["list_name"] == sector_list, "name"].tolist()
    targets = pd.read_excel(RAW_DATA_DIR / "indicators.xlsx", sheet_name="targets")
    return {
        # codes that are pentahelix category keys AND readable words (akademisi, media,
        # pemerintah) may name the category; the demo's compound codes never may
        "sector_codes": [c for c in codes if "_" in c],
        "dimension_names": groups["dimension"].dropna().unique().tolist(),
        "dimension_labels": [*groups["label::Indonesian (id)"].dropna(),
                             *groups["label::English (en)"].dropna()],
        "regions": sorted(targets["region"].dropna().unique()),
    }


# English words that are also demo dimension names and that a report uses in their
# ordinary sense (the tie-trust of the network survey, the engagement section).
ORDINARY_WORDS = {"trust", "engagement", "resources", "coordination", "leadership",
                  "accountability", "communication", "inclusiveness"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_reports_speak_the_programme_not_the_demo(reports, lang):
    vocab = _demo_vocabulary()
    assert len(vocab["regions"]) >= 10 and len(vocab["dimension_labels"]) >= 10
    pages = {p.name: text_of(p) for p in reports.glob("*.html")
             if p.name.endswith(".en.html") == (lang == "en")}
    assert len(pages) >= len(own_data.REGIONS), sorted(pages)
    hits = []
    for name, text in pages.items():
        for kind, words in vocab.items():
            for word in words:
                if kind == "dimension_names" and word in ORDINARY_WORDS:
                    # an ordinary English word: only its use as a code (lower case next to
                    # an underscore or as a table cell on its own) would be the demo's
                    pattern = rf"(?<![\w-]){re.escape(word)}_|_{re.escape(word)}(?![\w-])"
                elif kind == "dimension_labels":
                    # "Kepercayaan (%)" / "Trust (%)" heads the PARTNER tie-trust column
                    pattern = rf"(?<![\w-]){re.escape(word)}(?![\w-])(?! \(%\))"
                else:
                    pattern = rf"(?<![\w-]){re.escape(word)}(?![\w-])"
                for m in re.finditer(pattern, text):
                    hits.append((name, kind, word, text[max(0, m.start() - 60): m.end() + 60]))
    assert not hits, "demo vocabulary in the reports:\n" + "\n".join(map(str, hits[:20]))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_reports_show_the_form_sector_labels(reports, lang):
    text = text_of(region_report(reports, "53.71", lang))
    for label in ("Perguruan Tinggi", "Tokoh masyarakat", "Pemerintah Daerah", "Media massa"):
        assert label in text, f"{label!r} missing from the {lang} report of Kota Kupang"


# phrases where "1–5" is the register's own scale (influence and interest are 1–5 by the
# input contract), not the survey's
REGISTER_RANGES = ("Pengaruh (1–5)", "Kepentingan (1–5)", "Influence (1–5)", "Interest (1–5)")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_reports_of_a_four_point_form(reports, lang):
    for r in own_data.REGIONS:
        text = text_of(region_report(reports, r.code, lang))
        for phrase in REGISTER_RANGES:
            text = text.replace(phrase, "")
        for bad in ("1–5", "1-5", "Netral", "Neutral", "6−x"):
            # a range, not part of another number ("53.1–57.4" is an interval)
            m = re.search(rf"(?<![\d.,]){re.escape(bad)}(?![\d.,])", text)
            assert m is None, (f"{bad!r} in the {lang} report of {r.name}: "
                               f"…{text[max(0, m.start() - 80):m.end() + 80]}…")
    assert "1–4" in text_of(region_report(reports, "53.71", lang))


def test_excel_summary_follows_the_form(reports):
    books = sorted(reports.glob("summary*.xlsx"))
    assert len(books) == 2, books
    vocab = _demo_vocabulary()
    for book in books:
        sheets = pd.read_excel(book, sheet_name=None, header=None)
        cells = " | ".join(str(v) for frame in sheets.values() for v in frame.to_numpy().ravel()
                           if isinstance(v, str))
        assert "Perguruan Tinggi" in cells and "Tokoh masyarakat" in cells, book.name
        for word in vocab["sector_codes"] + vocab["regions"]:
            assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", cells), (book.name, word)


def test_reports_folder_holds_only_this_programme(reports):
    codes = {r.code for r in own_data.REGIONS}
    stems = {p.name.split("-")[0] for p in reports.glob("*.html") if re.match(r"\d", p.name)}
    assert stems == codes


# --------------------------------------------------------------------------------------
# evalkit validate: five different mistakes, one run
# --------------------------------------------------------------------------------------
def test_validate_reports_all_five_mistakes(own, tmp_path):
    bad = tmp_path / "project" / "data" / "raw"
    mistakes = own_data.write_mistakes(own.raw_dir, bad)
    processed = tmp_path / "project" / "data" / "processed"
    csv_out = tmp_path / "problems.csv"
    before = sorted(p.name for p in bad.iterdir())
    proc = evalkit("validate", "--raw-dir", str(bad), "--csv", str(csv_out), cwd=tmp_path / "project",
                   env={"EVALKIT_PROCESSED_DIR": str(processed)})
    assert proc.returncode != 0, _explain(proc)
    assert "Traceback" not in proc.stdout + proc.stderr, _explain(proc)
    assert not processed.exists() or not any(processed.iterdir()), "validate wrote processed data"
    assert sorted(p.name for p in bad.iterdir()) == before, "validate wrote into the raw folder"
    problems = pd.read_csv(csv_out, dtype=str, keep_default_na=False)
    errors = problems[problems["severity"] == "error"]
    found = {}
    for kind, value in mistakes.items():
        if kind == "missing_column":
            hit = errors[errors["file"].str.contains("stakeholder_register")
                         & (errors["column"].eq(value) | errors["problem"].str.contains(value))]
        else:
            hit = errors[errors["value"].str.strip().eq(value)
                         | errors["problem"].str.contains(re.escape(value))]
        found[kind] = len(hit)
    assert all(found.values()), f"not all five mistakes reported: {found}\n{errors.to_string()}"
    # the misspelt region comes with a suggestion
    region = errors[errors["value"].str.strip().eq(mistakes["misspelt_region"])]
    assert region["suggestion"].str.contains("Timor Tengah Selatan").any()
    # and the screen says it too
    screen = proc.stdout + proc.stderr
    for kind, value in mistakes.items():
        assert value in screen, f"{kind} ({value!r}) not on screen"


# --------------------------------------------------------------------------------------
# A programme of one region (a single kabupaten's forum): nothing to pool, nothing breaks
# --------------------------------------------------------------------------------------
def _one_region(src: Path, dst: Path, region: str = "kota kupang") -> None:
    """The NTT data set cut down to the respondents, ties, attendance and register of one
    region (indicators keep every region: they are the province's statistics)."""
    import shutil

    shutil.copytree(src, dst)
    for name, column in (("survey.csv", "kab_kota"), ("collaboration_ties.csv", "region"),
                         ("meeting_attendance.csv", "region"),
                         ("stakeholder_register.csv", "region")):
        frame = pd.read_csv(dst / name, dtype=str, sep=";", keep_default_na=False)
        mine = frame[column].str.lower().str.split().str.join(" ").eq(region)
        frame[mine].to_csv(dst / name, index=False, sep=";")


@pytest.mark.slow
def test_a_programme_of_one_region_runs(own, tmp_path):
    raw = tmp_path / "raw"
    _one_region(own.raw_dir, raw)
    proc = evalkit("run", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "p"),
                   "--reports-dir", str(tmp_path / "r"), "--jobs", "2", cwd=tmp_path,
                   timeout=1800)
    assert proc.returncode == 0, _explain(proc)
    assert "Traceback" not in proc.stderr
    shrinkage = pd.read_parquet(tmp_path / "p" / "results" / "shrinkage.parquet")
    fit = pd.read_parquet(tmp_path / "p" / "results" / "shrinkage_fit.parquet").iloc[0]
    assert shrinkage["region_code"].tolist() == ["53.71"] and int(fit["n_regions"]) == 1
    assert np.isnan(fit["icc"])  # no between-region variance to estimate
    row = shrinkage.iloc[0]
    assert row["shrunken"] == row["raw_mean"] and row["shrinkage_weight"] == 1.0
    synthesis = (tmp_path / "r" / "synthesis.en.html").read_text(encoding="utf-8")
    assert "single region" in synthesis and "needs at least 5 regions" in synthesis
    for page in (tmp_path / "r").glob("*.html"):
        body = re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<style.*?</style>", "", page.read_text()))
        assert not re.search(r"\bnan\b", body), page.name
