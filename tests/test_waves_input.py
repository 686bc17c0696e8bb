"""Survey waves through the clean stage, on an own-data project (tests/own_data.py), not the demo.

Four ways a project declares (or does not declare) its waves: (a) a select_one wave field
("Gelombang 1/2/10"), (b) ``wave_period = half`` in the codebook's settings (from the
interview starts), (c) one folder per wave with ties and a register in some folders only,
(d) nothing declared: one wave "1". Each checks the wave columns, waves.parquet, the
manifest's counts (rows in = cleaned + quarantined, per file) and the wave quarantine.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from own_data import write_dataset

from evalkit.clean.pipeline import raw_inputs_changed, run_clean
from evalkit.core.errors import InputFileError
from evalkit.read.codebook import read_codebook
from evalkit.read.products import read_waves

KEY = b"waves-test-key"
LAB = "label::Indonesian (id)"


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep=";", index=False)


def _edit_codebook(path: Path, *, survey_rows=(), choices_rows=(), settings: dict | None = None):
    sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    if survey_rows:
        at = 2  # after start/end
        survey = sheets["survey"]
        sheets["survey"] = pd.concat([survey.iloc[:at], pd.DataFrame(list(survey_rows)),
                                      survey.iloc[at:]], ignore_index=True)
    if choices_rows:
        sheets["choices"] = pd.concat([sheets["choices"], pd.DataFrame(list(choices_rows))],
                                      ignore_index=True)
    if settings:
        sheets["settings"] = sheets["settings"].assign(**settings)
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, frame in sheets.items():
            frame.to_excel(xw, sheet_name=name, index=False)


def _original_of(survey: pd.DataFrame, duplicate_uuid: str) -> int:
    """Row position of the first submission the planted duplicate repeats."""
    again = survey.index[survey["_uuid"] == duplicate_uuid][0]
    name = survey.at[again, "nama_responden"].strip()
    return survey.index[(survey["nama_responden"] == name) & (survey.index != again)][0]


def _panel_copy(survey: pd.DataFrame, row: int, uuid: str, **changes) -> pd.DataFrame:
    """The respondent of ``row`` again, identical answers, a later wave: a panel member."""
    again = survey.loc[[row]].assign(_uuid=uuid, **changes)
    return pd.concat([survey, again], ignore_index=True)


def _quarantine(processed: Path) -> pd.DataFrame:
    return pd.read_parquet(processed / "quarantine.parquet")


def _uuids(quarantine: pd.DataFrame, reason: str) -> set[str]:
    rows = quarantine[quarantine["reason"] == reason]
    return {json.loads(r).get("_uuid") for r in rows["record"]}


def _check_accounting(manifest: dict) -> None:
    for name, entry in manifest["tables"].items():
        assert entry["rows_clean"] + entry["rows_quarantined"] == entry["rows_in"], name
        for file, rows in entry.get("files", {}).items():
            assert rows["rows_clean"] + rows["rows_quarantined"] == rows["rows_in"], file


# --- (a) a select_one wave field ---------------------------------------------------------
@pytest.fixture(scope="module")
def field_waves(tmp_path_factory):
    raw = tmp_path_factory.mktemp("field_raw")
    truth = write_dataset(raw)
    _edit_codebook(raw / "codebook_xlsform.xlsx",
                   survey_rows=[{"type": "select_one putaran", "name": "putaran",
                                 LAB: "Putaran survei", "role": "wave"}],
                   choices_rows=[{"list_name": "putaran", "name": n, LAB: f"Gelombang {n[1:]}"}
                                 for n in ("g1", "g2", "g10")])
    survey = _read_csv(raw / "survey.csv")
    # spelt as the export has it: choice names mostly, a label now and then
    survey.insert(2, "putaran", [("g1", "g2", "Gelombang 10", "g10")[i % 4]
                                 for i in range(len(survey))])
    dup = survey.index[survey["_uuid"] == truth.duplicate[0]][0]
    first = _original_of(survey, truth.duplicate[0])
    survey.loc[[dup, first], "putaran"] = "g2"  # the planted duplicate: within one wave
    valid = [i for i in survey.index if i not in (dup, first)
             and survey.at[i, "_uuid"] not in truth.not_approved + truth.no_consent
             and survey.at[i, "_validation_status"] != "validation_status_on_hold"]
    survey.at[valid[0], "putaran"] = ""  # no wave: quarantined
    survey.at[valid[1], "putaran"] = "g7"  # not a choice: quarantined
    panel_row = valid[2]
    survey.at[panel_row, "putaran"] = "g1"
    survey = _panel_copy(survey, panel_row, "panel-0001", putaran="Gelombang 10")
    _write_csv(survey, raw / "survey.csv")
    out = tmp_path_factory.mktemp("field_processed")
    summary = run_clean(raw, out, key=KEY)
    return {"raw": raw, "out": out, "manifest": summary.manifest, "truth": truth,
            "survey": survey, "blank": survey.at[valid[0], "_uuid"],
            "not_choice": survey.at[valid[1], "_uuid"],
            "panel": survey.at[panel_row, "_uuid"]}


def test_field_waves_in_declared_order(field_waves):
    waves = read_waves(field_waves["out"])
    assert waves["wave"].tolist() == ["Gelombang 1", "Gelombang 2", "Gelombang 10"]
    assert waves["order"].tolist() == [1, 2, 3]
    assert set(waves["source"]) == {"field"}
    assert waves["start"].isna().all()  # labels are not periods: undated
    survey = pd.read_parquet(field_waves["out"] / "survey.parquet")
    assert survey["wave"].notna().all()
    assert set(survey["wave"]) == {"Gelombang 1", "Gelombang 2", "Gelombang 10"}


def test_field_waves_blank_or_unknown_are_no_wave(field_waves):
    quarantine = _quarantine(field_waves["out"])
    assert _uuids(quarantine, "no_wave") == {field_waves["blank"], field_waves["not_choice"]}
    details = quarantine.loc[quarantine["reason"] == "no_wave", "detail"].tolist()
    assert any("blank" in d for d in details) and any("g7" in d for d in details)


def test_a_panel_member_is_kept_in_both_waves(field_waves):
    survey = pd.read_parquet(field_waves["out"] / "survey.parquet")
    panel = survey[survey["response_id"].isin([field_waves["panel"], "panel-0001"])]
    assert sorted(panel["wave"]) == ["Gelombang 1", "Gelombang 10"]
    assert panel["respondent_id"].nunique() == 1  # one pseudonym across waves
    # the same person twice in one wave, same answers: still a duplicate
    assert _uuids(_quarantine(field_waves["out"]), "duplicate_respondent") == set(
        field_waves["truth"].duplicate)


def test_field_waves_manifest_counts(field_waves):
    manifest = field_waves["manifest"]
    _check_accounting(manifest)
    survey = pd.read_parquet(field_waves["out"] / "survey.parquet")
    assert manifest["tables"]["survey"]["waves"] == survey["wave"].value_counts().to_dict()
    assert manifest["tables"]["survey"]["rows_in"] == len(field_waves["survey"])
    assert manifest["quarantine_by_reason"]["survey: no_wave"] == 2
    # ties without a wave column: the latest wave
    ties = pd.read_parquet(field_waves["out"] / "ties.parquet")
    assert set(ties["wave"]) == {"Gelombang 10"}
    assert manifest["tables"]["ties"]["waves"] == {"Gelombang 1": 0, "Gelombang 2": 0,
                                                   "Gelombang 10": len(ties)}


# --- (b) wave_period = half, from the interview starts ----------------------------------
@pytest.fixture(scope="module")
def period_waves(tmp_path_factory):
    raw = tmp_path_factory.mktemp("period_raw")
    truth = write_dataset(raw)
    _edit_codebook(raw / "codebook_xlsform.xlsx", settings={"wave_period": "Semester"})
    survey = _read_csv(raw / "survey.csv")

    def shift(stamp: str, days: int) -> str:
        when = pd.Timestamp(stamp[:19]) - pd.Timedelta(days=days)
        return when.strftime("%Y-%m-%dT%H:%M:%S.000") + stamp[23:]
    early = survey.index[::3]  # a third of the interviews in March: first half-year
    for col in ("start", "end"):
        survey.loc[early, col] = [shift(v, 240) for v in survey.loc[early, col]]
    planted = set(truth.not_approved + truth.no_consent + truth.duplicate)
    dup = survey.index[survey["_uuid"] == truth.duplicate[0]][0]
    first = _original_of(survey, truth.duplicate[0])
    valid = [i for i in survey.index if i not in early and i not in (dup, first)
             and survey.at[i, "_uuid"] not in planted
             and survey.at[i, "_validation_status"] != "validation_status_on_hold"]
    # 1 July 06:00 in WITA (+08:00) is 30 June in UTC: the day as written decides
    boundary = valid[0]
    survey.at[boundary, "start"] = "2024-07-01T06:00:00.000+08:00"
    survey.at[boundary, "end"] = "2024-07-01T06:20:00.000+08:00"
    # no start time: _submission_time gives the period
    from_submission = valid[1]
    survey.loc[from_submission, ["start", "end"]] = ""
    survey.at[from_submission, "_submission_time"] = "2024-02-03T05:00:00"
    # no date at all: no wave
    undated = valid[2]
    survey.loc[undated, ["start", "end", "_submission_time"]] = ""
    # a panel member: same answers in H1 and in H2
    panel = valid[3]
    survey = _panel_copy(survey, panel, "panel-0002", start="2024-03-04T09:00:00.000+08:00",
                         end="2024-03-04T09:30:00.000+08:00",
                         _submission_time="2024-03-04T02:00:00")
    _write_csv(survey, raw / "survey.csv")
    ties = _read_csv(raw / "collaboration_ties.csv")
    ties["periode"] = ""  # header alias of wave; blank = the latest wave
    ties.loc[:9, "periode"] = "Semester 1 2024"
    ties.loc[10:14, "periode"] = "2023-H2"  # not a wave of this survey
    _write_csv(ties, raw / "collaboration_ties.csv")
    out = tmp_path_factory.mktemp("period_processed")
    summary = run_clean(raw, out, key=KEY)
    return {"raw": raw, "out": out, "manifest": summary.manifest, "survey": survey,
            "boundary": survey.at[boundary, "_uuid"],
            "from_submission": survey.at[from_submission, "_uuid"],
            "undated": survey.at[undated, "_uuid"], "panel": survey.at[panel, "_uuid"],
            "early": set(survey.loc[early, "_uuid"])}


def test_codebook_reads_wave_period(period_waves):
    assert read_codebook(period_waves["raw"] / "codebook_xlsform.xlsx").wave_period == "half"


def test_period_waves_dated(period_waves):
    waves = read_waves(period_waves["out"])
    assert waves["wave"].tolist() == ["2024-H1", "2024-H2"]
    assert set(waves["source"]) == {"period"}
    assert waves["start"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01")]
    assert waves["end"].tolist() == [pd.Timestamp("2024-06-30"), pd.Timestamp("2024-12-31")]


def test_period_of_each_response(period_waves):
    survey = pd.read_parquet(period_waves["out"] / "survey.parquet").set_index("response_id")
    assert survey.at[period_waves["boundary"], "wave"] == "2024-H2"
    assert survey.at[period_waves["from_submission"], "wave"] == "2024-H1"
    kept_early = period_waves["early"] & set(survey.index)
    assert kept_early and set(survey.loc[sorted(kept_early), "wave"]) == {"2024-H1"}
    assert survey.loc[[period_waves["panel"], "panel-0002"], "wave"].tolist() == [
        "2024-H2", "2024-H1"]
    assert _uuids(_quarantine(period_waves["out"]), "no_wave") == {period_waves["undated"]}


def test_period_waves_attendance_and_ties(period_waves):
    attendance = pd.read_parquet(period_waves["out"] / "attendance.parquet")
    month = attendance["meeting_date"].dt.month
    assert set(attendance.loc[month <= 6, "wave"]) == {"2024-H1"}
    assert set(attendance.loc[month > 6, "wave"]) == {"2024-H2"}
    ties = pd.read_parquet(period_waves["out"] / "ties.parquet")
    assert (ties["wave"] == "2024-H1").sum() == 10
    assert set(ties["wave"]) == {"2024-H1", "2024-H2"}
    quarantine = _quarantine(period_waves["out"])
    unknown = quarantine[quarantine["reason"] == "unknown_wave"]
    assert len(unknown) == 5 and set(unknown["table"]) == {"ties"}
    assert unknown["detail"].str.contains("2023-H2").all()
    stakeholders = pd.read_parquet(period_waves["out"] / "stakeholders.parquet")
    assert stakeholders["wave"].isna().all()  # no wave column: every wave
    manifest = period_waves["manifest"]
    _check_accounting(manifest)
    assert manifest["tables"]["stakeholders"]["waves"] == {"2024-H1": len(stakeholders),
                                                           "2024-H2": len(stakeholders)}
    assert sum(manifest["tables"]["attendance"]["waves"].values()) == len(attendance)


def test_an_unknown_wave_period_names_file_sheet_value_and_choices(tmp_path):
    raw = tmp_path / "raw"
    write_dataset(raw)
    _edit_codebook(raw / "codebook_xlsform.xlsx", settings={"wave_period": "bulanan"})
    with pytest.raises(InputFileError, match=r"codebook_xlsform.xlsx: sheet 'settings'.*"
                                             r"'bulanan'.*quarter, half, year"):
        read_codebook(raw / "codebook_xlsform.xlsx")


# --- (c) one folder per wave --------------------------------------------------------------
@pytest.fixture(scope="module")
def folder_waves(tmp_path_factory):
    src = tmp_path_factory.mktemp("folder_src")
    write_dataset(src)
    raw = tmp_path_factory.mktemp("folder_raw")
    for name in ("codebook_xlsform.xlsx", "indicators.xlsx", "meeting_attendance.csv",
                 "stakeholder_register.csv"):
        shutil.copy(src / name, raw / name)
    survey = _read_csv(src / "survey.csv")
    half = len(survey) // 2
    first, second = survey.iloc[:half].copy(), survey.iloc[half:].copy()
    # the panel member: a respondent of the first wave again in the second, same answers
    second = pd.concat([second, first.iloc[[5]].assign(_uuid="panel-0003")], ignore_index=True)
    _write_csv(first, raw / "waves" / "TW I 2024" / "survey.csv")
    _write_csv(second, raw / "waves" / "2024-Q3" / "survey.csv")
    ties = _read_csv(src / "collaboration_ties.csv")
    _write_csv(ties.iloc[:50], raw / "waves" / "TW I 2024" / "collaboration_ties.csv")
    register = _read_csv(src / "stakeholder_register.csv")
    # a re-issued register in the second wave only: one organisation's influence changed
    reissued = register.iloc[:3].assign(influence="5")
    _write_csv(reissued, raw / "waves" / "2024-Q3" / "stakeholder_register.csv")
    out = tmp_path_factory.mktemp("folder_processed")
    summary = run_clean(raw, out, key=KEY)
    return {"raw": raw, "out": out, "manifest": summary.manifest, "first": first,
            "second": second, "register": register, "panel": first.iloc[5]["_uuid"]}


def test_folder_waves_labels_and_dates(folder_waves):
    waves = read_waves(folder_waves["out"])
    assert waves["wave"].tolist() == ["2024-Q1", "2024-Q3"]  # "TW I 2024" read as 2024-Q1
    assert set(waves["source"]) == {"folder"}
    assert waves["end"].tolist() == [pd.Timestamp("2024-03-31"), pd.Timestamp("2024-09-30")]


def test_folder_waves_each_file_accounted(folder_waves):
    manifest = folder_waves["manifest"]
    _check_accounting(manifest)
    files = manifest["tables"]["survey"]["files"]
    assert set(files) == {"waves/TW I 2024/survey.csv", "waves/2024-Q3/survey.csv"}
    assert files["waves/TW I 2024/survey.csv"]["rows_in"] == len(folder_waves["first"])
    assert files["waves/2024-Q3/survey.csv"]["rows_in"] == len(folder_waves["second"])
    survey = pd.read_parquet(folder_waves["out"] / "survey.parquet")
    assert manifest["tables"]["survey"]["waves"] == {
        "2024-Q1": files["waves/TW I 2024/survey.csv"]["rows_clean"],
        "2024-Q3": files["waves/2024-Q3/survey.csv"]["rows_clean"]}
    assert (survey["wave"] == "2024-Q1").sum() == files["waves/TW I 2024/survey.csv"]["rows_clean"]
    quarantine = _quarantine(folder_waves["out"])
    assert set(quarantine.loc[quarantine["table"] == "survey", "source_file"]) <= set(files)
    assert "waves/2024-Q3/survey.csv" in manifest["inputs"]


def test_folder_waves_ties_register_and_panel(folder_waves):
    out = folder_waves["out"]
    ties = pd.read_parquet(out / "ties.parquet")
    assert set(ties["wave"]) == {"2024-Q1"}
    stakeholders = pd.read_parquet(out / "stakeholders.parquet")
    assert stakeholders["wave"].isna().sum() == len(folder_waves["register"])  # top level
    assert (stakeholders["wave"] == "2024-Q3").sum() == 3  # the re-issued rows
    survey = pd.read_parquet(out / "survey.parquet")
    panel = survey[survey["response_id"].isin([folder_waves["panel"], "panel-0003"])]
    assert sorted(panel["wave"]) == ["2024-Q1", "2024-Q3"] and panel["respondent_id"].nunique() == 1
    attendance = pd.read_parquet(out / "attendance.parquet")
    dates = attendance["meeting_date"]
    assert set(attendance.loc[dates <= "2024-03-31", "wave"]) == {"2024-Q1"}
    assert set(attendance.loc[(dates > "2024-03-31") & (dates <= "2024-09-30"), "wave"]) == {
        "2024-Q3"}
    assert attendance.loc[dates > "2024-09-30", "wave"].isna().all()  # after the last wave


def test_a_new_wave_file_makes_the_clean_stale(folder_waves, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(folder_waves["raw"], raw)
    out = tmp_path / "out"
    run_clean(raw, out, key=KEY)
    assert not raw_inputs_changed(raw, out)
    _write_csv(folder_waves["first"].iloc[:10],
               raw / "waves" / "2024-Q3" / "collaboration_ties.csv")
    why: list[str] = []
    assert raw_inputs_changed(raw, out, why=why) and "raw data changed" in why[0]


def test_top_level_survey_beside_wave_folders_is_an_error(folder_waves, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(folder_waves["raw"], raw)
    shutil.copy(raw / "waves" / "2024-Q3" / "survey.csv", raw / "survey.csv")
    with pytest.raises(InputFileError, match=r"survey.csv.*wave folders.*2024-Q3"):
        run_clean(raw, tmp_path / "out", key=KEY)


def test_a_wave_folder_without_survey_is_an_error(folder_waves, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(folder_waves["raw"], raw)
    (raw / "waves" / "2025-Q1").mkdir()
    with pytest.raises(InputFileError, match="2025-Q1.*no survey export"):
        run_clean(raw, tmp_path / "out", key=KEY)


# --- (d) nothing declared ----------------------------------------------------------------
@pytest.fixture(scope="module")
def single_wave(tmp_path_factory):
    raw = tmp_path_factory.mktemp("single_raw")
    write_dataset(raw)
    out = tmp_path_factory.mktemp("single_processed")
    return {"out": out, "manifest": run_clean(raw, out, key=KEY).manifest}


def test_nothing_declared_is_one_wave(single_wave):
    out = single_wave["out"]
    waves = read_waves(out)
    assert waves["wave"].tolist() == ["1"] and waves["source"].tolist() == ["single"]
    assert waves["start"].isna().all()
    survey = pd.read_parquet(out / "survey.parquet")
    assert set(survey["wave"]) == {"1"}
    assert set(pd.read_parquet(out / "ties.parquet")["wave"]) == {"1"}
    assert pd.read_parquet(out / "stakeholders.parquet")["wave"].isna().all()
    assert pd.read_parquet(out / "attendance.parquet")["wave"].isna().all()
    manifest = single_wave["manifest"]
    _check_accounting(manifest)
    assert manifest["tables"]["survey"]["waves"] == {"1": len(survey)}
    assert "waves" not in manifest["tables"]["attendance"]  # undated: no meeting in a wave
    assert "files" not in manifest["tables"]["survey"]
    assert "no_wave" not in set(_quarantine(out)["reason"])


def test_a_folder_from_older_evalkit_reads_as_one_wave(tmp_path):
    waves = read_waves(tmp_path)
    assert waves["wave"].tolist() == ["1"] and waves["order"].tolist() == [1]


# --- evalkit validate ----------------------------------------------------------------------
def test_validate_lists_every_wave_problem_in_one_pass(folder_waves, tmp_path):
    from evalkit.clean.validate import validate_inputs

    raw = tmp_path / "raw"
    shutil.copytree(folder_waves["raw"], raw)
    (raw / "waves" / "2025-Q1").mkdir()  # no survey export
    shutil.copy(raw / "waves" / "2024-Q3" / "survey.csv", raw / "survey.csv")  # beside folders
    # two labels that give one archive folder name
    for name in ("Gelombang 1", "gelombang-1"):
        _write_csv(folder_waves["first"].iloc[:5], raw / "waves" / name / "survey.csv")
    ties = _read_csv(raw / "waves" / "TW I 2024" / "collaboration_ties.csv")
    _write_csv(ties.assign(gelombang="2023-Q4"),  # forced: the folder's label wins
               raw / "waves" / "TW I 2024" / "collaboration_ties.csv")
    top_ties = ties.iloc[:4].assign(wave=["2024-Q1", "TW III 2024", "2030-Q1", ""])
    _write_csv(top_ties, raw / "collaboration_ties.csv")
    problems = validate_inputs(raw)
    text = problems["file"] + ": " + problems["problem"]
    assert text.str.contains("wave folder '2025-Q1' has no survey export").any()
    assert text.str.contains(r"survey\.csv: a survey export at the top").any()
    assert text.str.contains("Gelombang 1.*gelombang-1.*same folder name").any()
    unknown = problems[problems["problem"].str.startswith("unknown_wave")]
    assert len(unknown) == 1 and unknown["file"].tolist() == ["collaboration_ties.csv"]
    assert unknown["row"].tolist() == [4] and unknown["value"].tolist() == ["2030-Q1"]
    assert set(unknown["severity"]) == {"error"}


# --- (e) the wave of each quarantined and flagged row ----------------------------------------
def _half(day: str) -> str | None:
    """The half-year of an ISO day as written (``2024-03-04...`` -> ``2024-H1``), None if blank."""
    day = (day or "")[:10]
    if not day:
        return None
    return f"{day[:4]}-H{1 if int(day[5:7]) <= 6 else 2}"


def _waves_of(frame: pd.DataFrame, table: str) -> dict[int, object]:
    """source_row -> wave (None for missing) of one table's quarantine or flag rows."""
    rows = frame[frame["table"] == table]
    return {int(r): (None if pd.isna(w) else w) for r, w in zip(rows["source_row"], rows["wave"])}


@pytest.fixture(scope="module")
def row_waves(tmp_path_factory):
    """Waves by half-year (two: 2024-H1, 2024-H2), with problems planted in each wave
    table: survey rows of either wave or of none, ties that name their half-year (or one
    that is no wave), register rows for every wave and of one wave, attendance rows of
    either wave or with no readable date."""
    raw = tmp_path_factory.mktemp("row_waves_raw")
    write_dataset(raw)
    _edit_codebook(raw / "codebook_xlsform.xlsx", settings={"wave_period": "half"})
    survey = _read_csv(raw / "survey.csv")  # every interview in November 2024 (H2)
    early = survey.index[::3]
    survey.loc[early, "start"] = "2024-03-04T09:00:00.000+08:00"  # H1
    survey.loc[early, "end"] = "2024-03-04T09:30:00.000+08:00"
    undated = survey.index[1]  # no date at all: no_wave
    survey.loc[undated, ["start", "end", "_submission_time"]] = ""
    _write_csv(survey, raw / "survey.csv")
    ties = _read_csv(raw / "collaboration_ties.csv")
    ties.insert(0, "periode", "")  # blank: the latest wave
    ties.loc[:9, "periode"] = "Semester 1 2024"
    ties.loc[10:11, "periode"] = "2023-H2"  # not a wave: unknown_wave
    ties["catatan"] = ""
    ties.loc[[0, 30], "trust"] = "7"  # off the 1-4 scale: flagged, H1 and H2
    ties.loc[[1, 31], "partner"] = ties.loc[[1, 31], "organisation"]  # self_tie, H1 and H2
    # personal data, flagged (one flag per distinct text, at its first row)
    ties.loc[[2, 32], "catatan"] = ["hubungi budi.santoso@example.org", "hubungi sari@example.org"]
    _write_csv(ties, raw / "collaboration_ties.csv")
    register = _read_csv(raw / "stakeholder_register.csv")
    register.insert(0, "periode", "")  # for every wave
    register.loc[0, "influence"] = "9"  # quarantined, for every wave
    again = register.iloc[[2, 3]].assign(periode=["2024-H2", "2023-H2"], influence=["0", "3"])
    register = pd.concat([register, again], ignore_index=True)  # H2 (off scale); no wave
    _write_csv(register, raw / "stakeholder_register.csv")
    attendance = _read_csv(raw / "meeting_attendance.csv")
    assert attendance.loc[1, "meeting_date"] == "2024-06-05"
    assert attendance.loc[2, "meeting_date"] == "2024-09-10"
    attendance.loc[0, "meeting_date"] = "belum tahu"  # unparseable_date: no wave
    attendance.loc[[1, 2], "attended"] = "datang"  # unrecognised, H1 and H2
    _write_csv(attendance, raw / "meeting_attendance.csv")
    out = tmp_path_factory.mktemp("row_waves_processed")
    run_clean(raw, out, key=KEY)
    return {"out": out, "survey": survey, "ties": ties, "register": register,
            "quarantine": _quarantine(out), "flags": pd.read_parquet(out / "flags.parquet")}


def test_quarantine_and_flags_end_with_the_wave_column(row_waves):
    from evalkit.clean.rows import FLAG_COLUMNS, QUARANTINE_COLUMNS

    assert list(row_waves["quarantine"].columns) == QUARANTINE_COLUMNS
    assert list(row_waves["flags"].columns) == FLAG_COLUMNS
    assert QUARANTINE_COLUMNS[-1] == FLAG_COLUMNS[-1] == "wave"
    assert QUARANTINE_COLUMNS[:-1] == ["table", "source_file", "source_row", "reason", "detail",
                                       "record"]  # today's columns first, unchanged


def test_survey_rows_name_the_wave_of_their_interview(row_waves):
    survey = row_waves["survey"]
    expected = {i + 2: _half(start) or _half(sub) for i, (start, sub) in
                enumerate(zip(survey["start"], survey["_submission_time"], strict=True))}
    quarantine, flags = row_waves["quarantine"], row_waves["flags"]
    got = _waves_of(quarantine, "survey")
    assert len(got) >= 4 and {"2024-H1", "2024-H2", None} <= set(got.values())
    assert got == {row: expected[row] for row in got}
    # missing exactly where the wave is the problem
    no_wave = quarantine[(quarantine["table"] == "survey") & (quarantine["reason"] == "no_wave")]
    assert no_wave["source_row"].tolist() == [int(survey.index[1]) + 2]
    assert {row for row, wave in got.items() if wave is None} == set(no_wave["source_row"])
    flagged = _waves_of(flags, "survey")
    assert flagged and flagged == {row: expected[row] for row in flagged}
    kept = pd.read_parquet(row_waves["out"] / "survey.parquet").set_index("source_row")["wave"]
    assert all(kept[row] == wave for row, wave in flagged.items())  # the kept response's wave


def test_ties_rows_name_their_wave_and_unknown_waves_none(row_waves):
    ties = row_waves["ties"]
    expected = {i + 2: {"Semester 1 2024": "2024-H1", "2023-H2": None}.get(p, "2024-H2")
                for i, p in enumerate(ties["periode"])}
    quarantine, flags = row_waves["quarantine"], row_waves["flags"]
    got = _waves_of(quarantine, "ties")
    assert {3, 33, 12, 13} <= set(got)  # the self ties and the rows of no wave
    assert got == {row: expected[row] for row in got}
    assert set(quarantine.loc[(quarantine["table"] == "ties") & quarantine["wave"].isna(),
                              "reason"]) == {"unknown_wave"}
    flagged = _waves_of(flags, "ties")
    assert {2, 32, 4, 34} <= set(flagged)  # off-scale trust, personal data (scrubbed)
    assert flagged == {row: expected[row] for row in flagged}
    personal = flags[(flags["table"] == "ties") & (flags["column"] == "catatan")]
    assert personal["source_row"].tolist() == [4, 34]
    assert personal["wave"].tolist() == ["2024-H1", "2024-H2"]


def test_register_and_attendance_rows_name_their_wave(row_waves):
    quarantine = row_waves["quarantine"]
    n = len(row_waves["register"])
    assert _waves_of(quarantine, "stakeholders") == {2: None, n: "2024-H2", n + 1: None}
    assert quarantine.loc[(quarantine["table"] == "stakeholders")
                          & (quarantine["source_row"] == n + 1), "reason"].tolist() == ["unknown_wave"]
    assert _waves_of(quarantine, "attendance") == {2: None, 3: "2024-H1", 4: "2024-H2"}


def test_field_and_folder_waves_of_quarantined_rows(field_waves, folder_waves, single_wave):
    # (a) a wave field: the choice's label, none where it is blank or not a choice
    labels = {"g1": "Gelombang 1", "g2": "Gelombang 2", "g10": "Gelombang 10",
              "Gelombang 10": "Gelombang 10"}
    survey = field_waves["survey"]
    got = _waves_of(_quarantine(field_waves["out"]), "survey")
    assert got == {row: labels.get(survey.at[row - 2, "putaran"]) for row in got}
    assert sum(w is None for w in got.values()) == 2  # the two no_wave rows
    # (c) one folder per wave: the folder's wave; the top-level register for every wave
    quarantine = _quarantine(folder_waves["out"])
    rows = quarantine[quarantine["table"] == "survey"]
    folder_wave = {"waves/TW I 2024/survey.csv": "2024-Q1", "waves/2024-Q3/survey.csv": "2024-Q3"}
    assert len(rows) and rows["wave"].tolist() == rows["source_file"].map(folder_wave).tolist()
    # (d) nothing declared: the one wave "1" of the survey and the ties
    quarantine = _quarantine(single_wave["out"])
    assert set(quarantine.loc[quarantine["table"] == "survey", "wave"]) == {"1"}
