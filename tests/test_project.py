"""evalkit init and the project folder: templates, refusal, project-root resolution."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from evalkit.clean.pipeline import RAW_FILES, run_clean
from evalkit.clean.validate import validate_inputs
from evalkit.core.config import PACKAGE_ROOT, find_project_root, project_dirs
from evalkit.core.errors import EvalkitError
from evalkit.read.codebook import read_codebook
from evalkit.read.io import read_table
from evalkit.run.cli import app
from evalkit.run.project import init_project, survey_template_columns

runner = CliRunner()


def test_init_writes_header_only_templates_of_every_input(tmp_path):
    root = tmp_path / "proj"
    written = init_project(root)
    raw = root / "data" / "raw"
    names = {p.name for p in written}
    assert set(RAW_FILES.values()) - {RAW_FILES["survey"]} <= names
    assert {"survey.csv", "aliases.csv", "README.md", ".gitignore"} <= names
    assert (root / "data" / "processed").is_dir() and (root / "reports").is_dir()
    for name in (RAW_FILES["stakeholders"], RAW_FILES["attendance"], RAW_FILES["ties"],
                 RAW_FILES["partnerships"], "aliases.csv"):
        frame = read_table(raw / name)
        assert len(frame) == 0 and len(frame.columns) >= 3, name
    assert "input contract" in (root / "README.md").read_text().lower()


def test_template_form_reads_with_roles_scale_and_pentahelix(tmp_path):
    init_project(tmp_path / "p")
    codebook = read_codebook(tmp_path / "p" / "data" / "raw" / RAW_FILES["codebook"])
    assert {"region", "sector", "organisation", "consent", "start", "end"} <= set(codebook.roles)
    assert len(codebook.dimensions) == 2 and len(codebook.item_names) == 6
    assert codebook.scale.k == 5
    sectors = codebook.sectors_table()
    assert "" in set(sectors["pentahelix"])  # one group outside the five
    assert len(set(sectors["pentahelix"]) - {""}) == 5
    assert set(codebook.pii_fields) == {"nama_responden", "no_hp"}


def test_template_with_one_survey_row_validates_and_cleans(tmp_path):
    root = tmp_path / "p"
    init_project(root)
    raw = root / "data" / "raw"
    header = survey_template_columns()
    row = {"start": "2024-03-01T10:00:00", "end": "2024-03-01T10:20:00", "persetujuan": "ya",
           "kabupaten": "Kota Kupang", "sektor": "lsm", "lembaga": "Yayasan A",
           "nama_responden": "A", "no_hp": "0812", "kp1": "4", "kp2": "4", "kp3": "2",
           "kb1": "3", "kb2": "99", "kb3": "2", "_uuid": "u1"}
    (raw / "survey.csv").write_text(";".join(header) + "\n" + ";".join(row[c] for c in header)
                                    + "\n", encoding="utf-8")
    problems = validate_inputs(raw)
    assert not (problems["severity"] == "error").any(), problems.to_string()
    summary = run_clean(raw, root / "data" / "processed", key=b"k")
    assert summary.manifest["tables"]["survey"]["rows_clean"] == 1


def test_init_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(EvalkitError, match="not empty"):
        init_project(tmp_path)
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2 and "not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_project_root_is_the_folder_with_data_raw(tmp_path, monkeypatch):
    monkeypatch.delenv("EVALKIT_ROOT", raising=False)
    (tmp_path / "proj" / "data" / "raw").mkdir(parents=True)
    deep = tmp_path / "proj" / "notes" / "2024"
    deep.mkdir(parents=True)
    assert find_project_root(deep) == (tmp_path / "proj").resolve()
    assert find_project_root(tmp_path) == PACKAGE_ROOT  # nothing above: the checkout
    monkeypatch.setenv("EVALKIT_ROOT", str(tmp_path / "elsewhere"))
    assert find_project_root(deep) == tmp_path / "elsewhere"
    dirs = project_dirs(tmp_path / "proj")
    assert dirs["raw"] == tmp_path / "proj" / "data" / "raw"
    assert dirs["reports"] == tmp_path / "proj" / "reports"


def test_cli_project_option_uses_the_project_folders(tmp_path, raw_dir):
    import shutil

    root = tmp_path / "proj"
    shutil.copytree(raw_dir, root / "data" / "raw")
    result = runner.invoke(app, ["clean", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "data" / "processed" / "manifest.json").exists()
    assert (root / ".evalkit_key").exists()  # the project's own key
    result = runner.invoke(app, ["validate", "--project", str(root)])
    assert result.exit_code in (0, 1) and "error(s)" in result.output
