"""The evalkit command as an officer meets it: subcommands, one-line errors, exit codes."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from evalkit.run.cli import app

runner = CliRunner()


def test_help_lists_subcommands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo-data", "clean", "run", "regions"):
        assert command in result.output


def test_regions_lookup():
    result = runner.invoke(app, ["regions", "Kt. Jambi"])
    assert result.exit_code == 0
    assert result.output.split("\t")[:2] == ["15.71", "Kota Jambi"]


def test_unknown_region_is_one_line_with_closest_matches(processed_dir, raw_dir, tmp_path):
    result = runner.invoke(app, ["run", "--region", "Kota Jambbi", "--raw-dir", str(raw_dir),
                                 "--processed-dir", str(processed_dir),
                                 "--reports-dir", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "Kota Jambbi" in lines[0] and "Kota Jambi (15.71)" in lines[0]


def test_unknown_region_code(processed_dir, raw_dir, tmp_path):
    result = runner.invoke(app, ["run", "-r", "99.99", "--raw-dir", str(raw_dir),
                                 "--processed-dir", str(processed_dir), "--reports-dir", str(tmp_path)])
    assert result.exit_code == 2 and "'99.99'" in result.output


def test_region_without_data(processed_dir, raw_dir, tmp_path):
    result = runner.invoke(app, ["run", "-r", "Kota Depok", "--raw-dir", str(raw_dir),
                                 "--processed-dir", str(processed_dir), "--reports-dir", str(tmp_path)])
    assert result.exit_code == 2 and "no data for Kota Depok (32.76)" in result.output


def test_bad_language(processed_dir, raw_dir, tmp_path):
    result = runner.invoke(app, ["run", "--lang", "fr", "--raw-dir", str(raw_dir),
                                 "--processed-dir", str(processed_dir), "--reports-dir", str(tmp_path)])
    assert result.exit_code == 2 and "--lang" in result.output


def test_clean_prints_accounting(raw_dir, tmp_path, monkeypatch, test_key):
    monkeypatch.setenv("EVALKIT_PSEUDONYM_KEY", test_key.decode())
    result = runner.invoke(app, ["clean", "--raw-dir", str(raw_dir), "--processed-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "survey" in result.output and "straight_lining" in result.output
    assert (tmp_path / "manifest.json").exists()


def test_clean_with_a_missing_file_names_it(raw_dir, tmp_path, monkeypatch, test_key):
    monkeypatch.setenv("EVALKIT_PSEUDONYM_KEY", test_key.decode())
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    (raw / "codebook_xlsform.xlsx").unlink()  # required (optional inputs may be missing)
    result = runner.invoke(app, ["clean", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "p")])
    assert result.exit_code == 2
    assert "codebook_xlsform.xlsx" in result.output and "Traceback" not in result.output


def test_clean_with_an_unknown_region_names_file_row_and_column(raw_dir, tmp_path, monkeypatch,
                                                                 test_key):
    monkeypatch.setenv("EVALKIT_PSEUDONYM_KEY", test_key.decode())
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    lines = (raw / "partnerships.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = "Kota Atlantis;" + lines[3].split(";", 1)[1]
    (raw / "partnerships.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["clean", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "p")])
    assert result.exit_code == 2
    assert "partnerships.csv, row 4, column 'region'" in result.output
    assert "Kota Atlantis" in result.output


def test_clean_policy_flags_instead_of_excluding(raw_dir, tmp_path, monkeypatch, test_key):
    import pandas as pd

    monkeypatch.setenv("EVALKIT_PSEUDONYM_KEY", test_key.decode())
    result = runner.invoke(app, ["clean", "--raw-dir", str(raw_dir), "--processed-dir", str(tmp_path),
                                 "--flag-only", "speeder", "--speeder-seconds", "120"])
    assert result.exit_code == 0, result.output
    survey = pd.read_parquet(tmp_path / "survey.parquet")
    assert (survey["quality_flags"] == "speeder").sum() == 1  # the 90-second interview, kept
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["quality_policy"]["speeder"] == "flag" and manifest["speeder_seconds"] == 120
    assert "survey: speeder" not in manifest["quarantine_by_reason"]


def test_clean_rejects_an_unknown_check(raw_dir, tmp_path):
    result = runner.invoke(app, ["clean", "--raw-dir", str(raw_dir), "--processed-dir", str(tmp_path),
                                 "--flag-only", "sleepy"])
    assert result.exit_code == 2 and "sleepy" in result.output and "speeder" in result.output


def test_clean_warns_about_columns_the_codebook_does_not_know(raw_dir, tmp_path, monkeypatch,
                                                              test_key):
    import pandas as pd

    monkeypatch.setenv("EVALKIT_PSEUDONYM_KEY", test_key.decode())
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    survey = pd.read_excel(raw / "survey_kobo_export.xlsx", dtype=object)
    survey["catatan_enumerator"] = "ok"
    survey.to_excel(raw / "survey_kobo_export.xlsx", index=False)
    result = runner.invoke(app, ["clean", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert ("warning: survey_kobo_export.xlsx: column 'catatan_enumerator' is not in the codebook"
            in result.output)


def test_clean_without_optional_files_says_which_are_missing(raw_dir, tmp_path, monkeypatch,
                                                             test_key):
    monkeypatch.setenv("EVALKIT_PSEUDONYM_KEY", test_key.decode())
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    (raw / "partnerships.csv").unlink()
    result = runner.invoke(app, ["clean", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "no file for partnerships" in result.output


def test_validate_exit_codes(raw_dir, tmp_path):
    result = runner.invoke(app, ["validate", "--raw-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "not a folder" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["validate", "--raw-dir", str(empty), "--csv", str(tmp_path / "p.csv")])
    assert result.exit_code == 1 and "required file missing" in result.output
    assert (tmp_path / "p.csv").exists()


def test_help_lists_init_and_validate():
    result = runner.invoke(app, ["--help"])
    assert "init" in result.output and "validate" in result.output
