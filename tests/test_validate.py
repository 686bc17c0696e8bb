"""evalkit validate: every input problem in one pass, nothing written."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from evalkit.clean.pipeline import RAW_FILES
from evalkit.clean.validate import PROBLEM_COLUMNS, format_problems, validate_inputs
from evalkit.read.io import read_table
from evalkit.run.cli import app

runner = CliRunner()


def _edit(path, change):
    frame = read_table(path)
    change(frame)
    frame.to_csv(path, sep=";", index=False)


@pytest.fixture(scope="module")
def broken(tmp_path_factory, raw_dir):
    """The demo with five different mistakes, in four files."""
    raw = tmp_path_factory.mktemp("broken") / "raw"
    shutil.copytree(raw_dir, raw)

    def register(f):
        f.loc[0, "region"] = "Kota Jambbi"           # 1. misspelt region (register)
        f.loc[3, "sector"] = "Pemerintah Pusat"      # 2. unknown sector

    def attendance(f):
        f.loc[1, "meeting_date"] = "kemarin"         # 3. unparseable date
        f.loc[2, "region"] = "Kabupaten Atlantis"    # 1b. unmatched region in another table

    def partnerships(f):
        f.loc[0, "type"] = "SK Bupati"               # 4. unknown partnership type

    _edit(raw / RAW_FILES["stakeholders"], register)
    _edit(raw / RAW_FILES["attendance"], attendance)
    _edit(raw / RAW_FILES["partnerships"], partnerships)
    ties = read_table(raw / RAW_FILES["ties"]).drop(columns="trust")  # 5. missing column
    ties.to_csv(raw / RAW_FILES["ties"], sep=";", index=False)
    return raw


@pytest.fixture(scope="module")
def problems(broken):
    return validate_inputs(broken)


def test_five_different_mistakes_are_all_reported_in_one_run(problems):
    errors = problems[problems["severity"] == "error"]
    text = errors.apply(lambda r: " | ".join(map(str, r)), axis=1)

    def found(file, *words):
        rows = text[errors["file"] == file]
        return rows[rows.map(lambda t: all(w in t for w in words))]

    assert len(found(RAW_FILES["stakeholders"], "Kota Jambbi", "Kota Jambi")) == 1
    assert len(found(RAW_FILES["attendance"], "Kabupaten Atlantis", "region")) == 1
    assert len(found(RAW_FILES["stakeholders"], "unknown_sector", "Pemerintah Pusat")) == 1
    assert len(found(RAW_FILES["attendance"], "unparseable_date", "kemarin", "YYYY-MM-DD")) == 1
    assert len(found(RAW_FILES["partnerships"], "unknown_partnership_type", "SK Bupati",
                     "aliases.csv")) == 1
    assert len(found(RAW_FILES["ties"], "trust")) == 1


def test_problems_name_file_row_column_value_and_suggestion(problems):
    assert list(problems.columns) == PROBLEM_COLUMNS
    region = problems[problems["value"] == "Kota Jambbi"].iloc[0]
    assert (region["row"], region["column"]) == (2, "region")
    assert "Kota Jambi" in region["suggestion"]
    sector = problems[problems["value"] == "Pemerintah Pusat"].iloc[0]
    assert sector["row"] == 5 and sector["column"] == "sector"
    assert "Pemerintah" in sector["suggestion"]


def test_validate_writes_no_processed_data(broken, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in broken.iterdir())
    result = runner.invoke(app, ["validate", "--raw-dir", str(broken), "--csv",
                                 str(tmp_path / "problems.csv")])
    assert result.exit_code == 1, result.output
    assert "ERRORS" in result.output and "Kota Jambbi" in result.output
    assert sorted(p.name for p in broken.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["problems.csv"]
    written = pd.read_csv(tmp_path / "problems.csv", encoding="utf-8-sig")
    assert list(written.columns) == PROBLEM_COLUMNS and len(written) > 5


def test_aliases_fix_what_validate_reported(broken, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(broken, raw)
    (raw / "aliases.csv").write_text(
        "kind;value;means\nregion;Kota Jambbi;Kota Jambi\nregion;Kabupaten Atlantis;15.71\n"
        "sector;Pemerintah Pusat;pemerintah\npartnership_type;SK Bupati;informal\n",
        encoding="utf-8")
    problems = validate_inputs(raw)
    errors = problems[problems["severity"] == "error"]
    for value in ("Kota Jambbi", "Kabupaten Atlantis", "Pemerintah Pusat", "SK Bupati"):
        assert value not in set(errors["value"]), value
    assert (errors["value"] == "kemarin").any()


def test_missing_required_files_and_bad_alias_rows_are_errors(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "aliases.csv").write_text("kind;value;means\nkota;x;y\n", encoding="utf-8")
    problems = validate_inputs(raw)
    errors = problems[problems["severity"] == "error"]
    assert {RAW_FILES["codebook"], "aliases.csv"} <= set(errors["file"])
    assert errors["problem"].str.contains("required file missing").sum() == 2
    alias = errors[errors["file"] == "aliases.csv"].iloc[0]
    assert (alias["row"], alias["column"]) == (2, "kind")
    optional = problems[problems["problem"].str.startswith("optional file missing")]
    assert len(optional) == 5 and set(optional["severity"]) == {"warning"}


def test_clean_demo_has_no_sector_or_region_errors(raw_dir):
    problems = validate_inputs(raw_dir)
    errors = problems[problems["severity"] == "error"]
    assert not errors["problem"].str.contains("unknown_sector|registry|required").any()
    assert "error(s)" in format_problems(problems)


def test_format_of_no_problems():
    assert format_problems(pd.DataFrame(columns=PROBLEM_COLUMNS)) == "no problems found."
