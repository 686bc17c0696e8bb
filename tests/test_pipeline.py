"""The clean stage end to end on the demo data: accounting, determinism, read-only raw, privacy."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from evalkit.clean.pipeline import RAW_FILES, load_key, raw_inputs_changed, run_clean
from evalkit.core.errors import EvalkitError
from evalkit.demo.generator import generate
from evalkit.read.io import file_sha256
from evalkit.read.products import MANIFEST, manifest_digest, read_processed
from evalkit.run.stages import ensure_results


def test_every_table_balances(processed):
    for name, t in processed.manifest["tables"].items():
        assert t["rows_in"] == t["rows_clean"] + t["rows_quarantined"], name


def test_manifest_counts_match_files(processed, processed_dir):
    for name, t in processed.manifest["tables"].items():
        assert len(read_processed(name, processed_dir)) == t["rows_clean"]
    quarantine = read_processed("quarantine", processed_dir)
    total = sum(t["rows_quarantined"] for t in processed.manifest["tables"].values())
    assert len(quarantine) == total
    on_disk = json.loads((processed_dir / MANIFEST).read_text())
    assert on_disk == processed.manifest


def test_survey_quarantine_reasons_match_what_the_generator_injected(processed):
    injected = generate()["injected"]
    reasons = processed.manifest["quarantine_by_reason"]
    for reason in ("test_submission", "duplicate_respondent", "straight_lining", "speeder",
                   "too_many_missing", "duplicate_uuid"):
        assert reasons[f"survey: {reason}"] == injected[reason], reason
    # the out-of-range answer costs a value, not the row
    flags = processed.manifest["flags_by_issue"]
    assert flags["survey.items: out of range 1-5"] == injected["out_of_range"]
    assert flags["survey.organisation: personal data in free text"] == injected["contact_in_free_text"]


def test_manifest_records_input_hashes_and_versions(processed, raw_dir):
    inputs = processed.manifest["inputs"]
    assert set(inputs) == set(RAW_FILES.values())
    for name, meta in inputs.items():
        assert meta["sha256"] == file_sha256(raw_dir / name)
    assert processed.manifest["versions"]["pandas"] == pd.__version__


def test_raw_folder_is_never_written(raw_dir, tmp_path, test_key):
    before = {p.name: file_sha256(p) for p in raw_dir.iterdir() if p.is_file()}
    run_clean(raw_dir, tmp_path / "out", key=test_key)
    after = {p.name: file_sha256(p) for p in raw_dir.iterdir() if p.is_file()}
    assert before == after


def test_second_clean_writes_identical_files(processed_dir, raw_dir, tmp_path, test_key):
    again = run_clean(raw_dir, tmp_path / "again", key=test_key).processed_dir
    # files only: results/ holds the cross-region tables `evalkit run` derives later
    first = sorted(p.name for p in processed_dir.iterdir() if p.is_file())
    assert first == sorted(p.name for p in again.iterdir() if p.is_file())
    for name in first:
        assert (processed_dir / name).read_bytes() == (again / name).read_bytes(), name


def test_processed_folder_must_differ_from_raw(raw_dir, test_key):
    with pytest.raises(EvalkitError, match="read-only"):
        run_clean(raw_dir, raw_dir, key=test_key)


def test_no_personal_data_reaches_processed(processed_dir, raw_dir):
    raw = pd.read_excel(raw_dir / RAW_FILES["survey"], dtype=str)
    personal = set(raw["respondent_name"].dropna()) | set(raw["respondent_phone"].dropna())
    assert len(personal) > 500  # the check below must have something to find
    personal |= {"rina.utami@contoh.id", "0813-2233-4455"}  # contacts typed into 'organisation'
    assert raw["organisation"].str.contains("rina.utami@contoh.id", regex=False).any()
    ensure_results(processed_dir)  # the cross-region results are checked too
    for path in (p for p in processed_dir.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            cells = set(frame.astype(str).to_numpy().ravel()) | set(frame.columns)
            text = " ".join(frame.select_dtypes(exclude="number").map(str).to_numpy().ravel())
        else:
            text = path.read_text(encoding="utf-8")
            cells = set()
        leaked = {p for p in personal if p in cells or p in text}
        assert not leaked, f"{path.name} contains {sorted(leaked)[:3]}"


def test_raw_inputs_changed(processed_dir, raw_dir, tmp_path):
    assert not raw_inputs_changed(raw_dir, processed_dir)
    assert raw_inputs_changed(raw_dir, tmp_path)  # no manifest there
    manifest = json.loads((processed_dir / MANIFEST).read_text())
    manifest["inputs"][RAW_FILES["partnerships"]]["sha256"] = "0" * 64
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    assert raw_inputs_changed(raw_dir, tmp_path)


def test_manifest_digest_changes_with_content(processed):
    m = dict(processed.manifest)
    assert manifest_digest(m) == manifest_digest(dict(m))
    m["evalkit_version"] = "other"
    assert manifest_digest(m) != manifest_digest(processed.manifest)


def test_load_key_from_env_then_file(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_PSEUDONYM_KEY", "from-env")
    assert load_key(tmp_path / "key") == b"from-env"
    monkeypatch.delenv("EVALKIT_PSEUDONYM_KEY")
    key = load_key(tmp_path / "key")
    assert len(key) == 64 and (tmp_path / "key").stat().st_mode & 0o777 == 0o600
    assert load_key(tmp_path / "key") == key  # stable across runs


def test_read_processed_without_clean_says_what_to_do(tmp_path):
    with pytest.raises(EvalkitError, match="evalkit clean"):
        read_processed("survey", tmp_path)


def test_label_header_export_cleans_like_the_xml_export(raw_dir, test_key):
    """Kobo's 'labels' export (headers are the question texts) gives the same data."""
    from evalkit.clean.survey import clean_survey
    from evalkit.read.codebook import read_codebook

    codebook = read_codebook(raw_dir / RAW_FILES["codebook"])
    xml = pd.read_excel(raw_dir / RAW_FILES["survey"], dtype=object)
    labels = codebook.fields.set_index("name")["label_id"]
    groups = codebook.dimensions.set_index("dimension")["label_id"]
    renamed = {}
    for col in xml.columns:
        name = col.rsplit("/", 1)[-1]
        if name in codebook.item_names:  # "Kepercayaan/Saya percaya ..."
            dim = codebook.items.set_index("item").at[name, "dimension"]
            renamed[col] = f"{groups[dim]}/{labels[name]}"
        elif name in labels.index and not name.startswith("_"):
            renamed[col] = labels[name]
    by_label = xml.rename(columns=renamed)
    assert "q01" not in " ".join(by_label.columns)
    a = clean_survey(xml, codebook, source="xml.xlsx", key=test_key)
    b = clean_survey(by_label, codebook, source="labels.xlsx", key=test_key)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert len(a.quarantine) == len(b.quarantine)


def test_survey_can_arrive_as_stata(raw_dir, tmp_path, test_key):
    import shutil

    import pyreadstat

    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    xml = pd.read_excel(raw / RAW_FILES["survey"], dtype=str)
    (raw / RAW_FILES["survey"]).unlink()
    # Stata names cannot hold '/': a Stata export carries the bare XML names
    xml.columns = [c.rsplit("/", 1)[-1] for c in xml.columns]
    pyreadstat.write_dta(xml, raw / "survey.dta")
    summary = run_clean(raw, tmp_path / "p", key=test_key)
    assert "survey.dta" in summary.manifest["inputs"]
    # three waves of 509 genuine respondents each (the demo's planted sizes)
    assert summary.manifest["tables"]["survey"]["rows_clean"] == 3 * 509


def _raw_with_csv_survey(raw_dir, folder, encoding, edit=None):
    """A copy of the demo raw folder whose survey is a CSV export in ``encoding``."""
    import shutil

    from evalkit.read.io import read_table

    raw = folder / "raw"
    shutil.copytree(raw_dir, raw)
    survey = read_table(raw / RAW_FILES["survey"])
    (raw / RAW_FILES["survey"]).unlink()
    if edit is not None:
        edit(survey)
    survey.to_csv(raw / "survey.csv", index=False, encoding=encoding)
    return raw


def test_survey_can_arrive_as_csv(raw_dir, processed_dir, tmp_path, test_key):
    # read as Arrow text (not as Excel's Python objects): the same clean survey
    raw = _raw_with_csv_survey(raw_dir, tmp_path, "utf-8")
    summary = run_clean(raw, tmp_path / "p", key=test_key)
    assert "survey.csv" in summary.manifest["inputs"]
    assert summary.manifest["tables"]["survey"] == \
        json.loads((processed_dir / MANIFEST).read_text())["tables"]["survey"]
    pd.testing.assert_frame_equal(read_processed("survey", tmp_path / "p"),
                                  read_processed("survey", processed_dir), check_exact=True)


def test_cp1252_survey_csv_cleans_like_the_utf8_one(raw_dir, tmp_path, test_key):
    # Windows Excel's plain "CSV": read as UTF-8 first, then detected and read again
    def edit(survey):  # Excel rows 1534 (kept) and 1537 (quarantined): the latest wave's last rows
        survey.loc[survey.index[-4], "organisation"] = "Dinas Pariwisata – Café"
        survey.loc[survey.index[-1], "organisation"] = "Café Ngopi – Klaten"

    out = {}
    for encoding in ("utf-8", "cp1252"):
        raw = _raw_with_csv_survey(raw_dir, tmp_path / encoding, encoding, edit)
        out[encoding] = run_clean(raw, tmp_path / encoding / "p", key=test_key).processed_dir
    assert b"\xe9" in (tmp_path / "cp1252" / "raw" / "survey.csv").read_bytes()
    for name in ("survey", "quarantine", "flags"):
        pd.testing.assert_frame_equal(read_processed(name, out["cp1252"]),
                                      read_processed(name, out["utf-8"]), check_exact=True)
    survey = read_processed("survey", out["cp1252"]).set_index("source_row")
    assert survey.at[1534, "organisation"] == "Dinas Pariwisata – Café"
    quarantine = read_processed("quarantine", out["cp1252"]).set_index(["table", "source_row"])
    assert json.loads(quarantine.at[("survey", 1537), "record"])["organisation"] == \
        "Café Ngopi – Klaten"


def test_missing_raw_file_is_reported_as_before(raw_dir, tmp_path, test_key):
    # the inputs are hashed in a second thread; its error must not replace this one
    import shutil

    from evalkit.core.errors import InputFileError

    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    (raw / RAW_FILES["codebook"]).unlink()  # a required input (optional ones may be missing)
    with pytest.raises(InputFileError, match="codebook_xlsform.xlsx"):
        run_clean(raw, tmp_path / "p", key=test_key)
    assert not (tmp_path / "p" / MANIFEST).exists()


def test_wide_indicator_sheet_is_reshaped_and_gaps_flagged(processed, processed_dir, raw_dir):
    from evalkit.demo.generator import DEMO_PARAMS

    wide = pd.read_excel(raw_dir / RAW_FILES["indicators"], sheet_name="values_wide")
    assert "2019" in map(str, wide.columns)
    values = read_processed("indicator_values", processed_dir)
    for code in DEMO_PARAMS.wide_format_regions:  # those regions' values come only from the wide sheet
        assert (values["region_code"] == code).sum() > 0
    stunting = values[(values["region_code"] == DEMO_PARAMS.wide_format_regions[0])
                      & (values["indicator_id"] == "stunting")]
    assert 2022 not in set(stunting["year"]) and {2021, 2023} <= set(stunting["year"])
    flags = read_processed("flags", processed_dir)
    gaps = flags[flags["issue"].str.startswith("gap in series")]
    assert "2022" in set(gaps["value"])


def test_wide_sheet_with_a_non_year_column_is_an_error():
    from evalkit.clean.indicators import indicators_wide_to_long
    from evalkit.core.errors import InputFileError

    wide = pd.DataFrame({"region": ["Kota Jambi"], "indicator_id": ["x"], "2019": [1.0],
                         "catatan": ["?"]})
    with pytest.raises(InputFileError, match="'catatan'"):
        indicators_wide_to_long(wide, "ind.xlsx")
    long = indicators_wide_to_long(wide.drop(columns="catatan").assign(**{"2020.0": [None]}), "ind.xlsx")
    assert long[["year", "value", "source_row", "source_column"]].to_dict("records") == [
        {"year": 2019, "value": 1.0, "source_row": 2, "source_column": "2019"}]
