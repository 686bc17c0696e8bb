"""One freshness rule (core/digest, run/cache): each output depends on exactly the code it
imports, and a change there, and only there, reruns it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evalkit.core import digest
from evalkit.core.digest import PACKAGE_DIR, module_closure
from evalkit.run import cache

REGION_NOTEBOOK = PACKAGE_DIR.parents[1] / "notebooks" / "region_evaluation.ipynb"
SYNTHESIS_NOTEBOOK = PACKAGE_DIR.parents[1] / "notebooks" / "cross_region_synthesis.ipynb"


# --- the import closure --------------------------------------------------------------

def test_the_results_closure_holds_config_and_the_estimators_and_nothing_above():
    closure = module_closure(["evalkit.analyse.results", "evalkit.run.stages"])
    assert {"evalkit.core.config", "evalkit.measure.scales", "evalkit.measure.network",
            "evalkit.read.products", "evalkit.analyse.region_tables"} <= set(closure)
    assert "evalkit.run.batch" not in closure
    assert not [m for m in module_closure("evalkit.analyse.results")
                if m.startswith(("evalkit.present.", "evalkit.run."))]


def test_the_clean_closure_holds_no_estimator_and_no_presentation():
    closure = module_closure("evalkit.clean.pipeline")
    assert {"evalkit.core.config", "evalkit.clean.pipeline", "evalkit.read.io"} <= set(closure)
    assert not [m for m in closure if m.startswith(("evalkit.measure", "evalkit.present",
                                                     "evalkit.analyse", "evalkit.run"))]


def test_a_regional_report_depends_on_its_notebook_imports_not_on_the_workbook():
    from evalkit.run import batch

    entries = cache.notebook_modules(REGION_NOTEBOOK)
    # the analysis choices, and run.stages.ensure_choices (computes other choices' results
    # in a partner's JupyterLab): issue #14
    assert entries == ["evalkit.analyse.choices", "evalkit.present", "evalkit.present.report",
                       "evalkit.run.stages"]
    closure = module_closure([*entries, batch.PUBLISHING_CODE])
    assert {"evalkit.present.report", "evalkit.present.published", "evalkit.core.config",
            "evalkit.core.escape"} <= set(closure)
    assert "evalkit.present.workbook" not in closure
    assert not [m for m in closure if m.startswith("evalkit.run")
                and m not in {"evalkit.run", "evalkit.run.stages", "evalkit.run.cache"}]
    assert cache.notebook_modules(SYNTHESIS_NOTEBOOK) == [
        "evalkit.present", "evalkit.present.report", "evalkit.present.synthesis"]


def test_imports_are_found_wherever_they_are(tmp_path):
    root = tmp_path / "evalkit"
    for name in ("__init__", "a/__init__", "a/b", "a/c", "a/d", "e/__init__", "e/f", "g"):
        (root / f"{name}.py").parent.mkdir(parents=True, exist_ok=True)
        (root / f"{name}.py").write_text("")
    (root / "a" / "b.py").write_text(
        '"""A module.\n\nimport evalkit.g is prose in a docstring, not code.\n"""\n'
        "import os\n"
        "from . import c\n"  # relative
        "def lazy():\n"
        "    from evalkit.e import (\n"  # in a function, over several lines
        "        f,\n"
        "    )\n")
    (root / "e" / "f.py").write_text("from ..a.d import something\n")  # two levels up
    assert module_closure("evalkit.a.b", root) == [
        "evalkit", "evalkit.a", "evalkit.a.b", "evalkit.a.c", "evalkit.a.d", "evalkit.e",
        "evalkit.e.f"]
    with pytest.raises(ModuleNotFoundError, match="evalkit.nothing"):
        module_closure("evalkit.nothing", root)


def test_the_fast_import_scan_misses_nothing_a_full_parse_finds():
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        package = path.name == "__init__.py"
        name = ".".join(parts[:-1] if package else parts)
        source = path.read_text(encoding="utf-8")
        full = digest.imported_modules(source, name, is_package=package)
        assert full <= digest.imports_in(source, name, is_package=package), path


def test_an_import_after_a_semicolon_or_a_backslash_is_not_missed():
    source = "import os; import evalkit.core.config\nfrom evalkit.read \\\n    import io\n"
    assert {"evalkit.core.config", "evalkit.read", "evalkit.read.io"} <= digest.imports_in(
        source, "evalkit.x")


def test_package_data_belongs_to_the_module_that_names_its_folder():
    files = digest.closure_files("evalkit.present.index_page")
    assert "present/templates/index.html.j2" in files
    assert not [f for f in digest.closure_files("evalkit.present.report") if "/" in f]


# --- exactly the dependent outputs rerun -------------------------------------------------

def _digests(root: Path) -> dict[str, str]:
    """Each output's code digest read from the package copy ``root``. A report's key
    holds the results' digest too (through their stamp), so it is part of it here."""
    from evalkit.clean import pipeline
    from evalkit.run import batch, stages

    results = stages.code_digest(root)
    return {"clean": pipeline.code_digest(root), "results": results,
            "region": digest.digest([batch.code_digest(REGION_NOTEBOOK, root), results]),
            "synthesis": digest.digest([batch.code_digest(SYNTHESIS_NOTEBOOK, root), results]),
            "region code": batch.code_digest(REGION_NOTEBOOK, root)}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def package_copy(tmp_path) -> Path:
    root = tmp_path / "evalkit"
    shutil.copytree(PACKAGE_DIR, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _changed(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def test_a_copy_has_the_same_digests(package_copy):
    assert _digests(package_copy) == _digests(PACKAGE_DIR)


def test_changing_min_cell_reruns_everything_that_imports_config(package_copy):
    before = _digests(package_copy)
    _edit(package_copy / "core" / "config.py", "MIN_CELL = 5", "MIN_CELL = 6")
    # The clean stage imports config too (for its paths), so it reruns as well: the
    # granularity is the module.
    assert _changed(before, _digests(package_copy)) == set(before)


def test_changing_an_estimator_reruns_results_and_reports_not_the_clean(package_copy):
    before = _digests(package_copy)
    _edit(package_copy / "measure" / "network.py", '"""', '"""A fix. ')
    assert _changed(before, _digests(package_copy)) == {"results", "region", "synthesis",
                                                        "region code"}


def test_changing_results_code_the_report_does_not_import_still_reruns_it(package_copy):
    # run.stages makes the results; the synthesis reads them, so its key changes through
    # the results' digest, not through its own code (the regional notebook imports
    # run.stages itself, for ensure_choices: issue #14)
    before = _digests(package_copy)
    _edit(package_copy / "run" / "stages.py", '"""', '"""A fix. ')
    assert _changed(before, _digests(package_copy)) == {"results", "region", "synthesis",
                                                        "region code"}


def test_changing_the_workbook_reruns_no_report(package_copy):
    before = _digests(package_copy)
    _edit(package_copy / "present" / "workbook.py", '"""', '"""Reworded. ')
    assert _changed(before, _digests(package_copy)) == set()


def test_changing_the_html_export_reruns_the_reports_only(package_copy):
    before = _digests(package_copy)
    _edit(package_copy / "present" / "published.py", '"""', '"""Reworded. ')
    assert _changed(before, _digests(package_copy)) == {"region", "synthesis", "region code"}


def test_a_template_change_reaches_the_index_page_only(package_copy):
    before = {**_digests(package_copy),
              "index": digest.code_digest("evalkit.present.index_page", package_copy)}
    (package_copy / "present" / "templates" / "index.html.j2").write_text("changed")
    after = {**_digests(package_copy),
             "index": digest.code_digest("evalkit.present.index_page", package_copy)}
    assert _changed(before, after) == {"index"}


def test_a_new_lazy_import_joins_the_closure(package_copy):
    before = _digests(package_copy)
    _edit(package_copy / "clean" / "pipeline.py", "\ndef ",
          "\ndef _late():\n    from evalkit.present import workbook  # noqa\n\n\ndef ")
    assert "evalkit.present.workbook" in module_closure("evalkit.clean.pipeline", package_copy)
    assert "clean" in _changed(before, _digests(package_copy))


# --- records ---------------------------------------------------------------------------

def test_a_record_is_current_until_an_input_or_a_file_changes(tmp_path):
    (tmp_path / "table.parquet").write_bytes(b"PAR1 data PAR1")
    made_from = {"processed": "abc", "code": "def", "versions": {"pandas": "2.2"}}
    record = cache.write_record(tmp_path / "results.json", made_from,
                                files={"table.parquet": cache.file_record(tmp_path / "table.parquet")},
                                tables=["table"])
    assert json.loads(record.read_text())["tables"] == ["table"]
    assert cache.is_current(record, made_from)
    assert cache.is_current(record, {"code": "def"})  # only what is asked is compared
    assert not cache.is_current(record, {**made_from, "code": "another"})
    assert not cache.is_current(record, {**made_from, "versions": {"pandas": "3.0"}})
    (tmp_path / "table.parquet").write_bytes(b"PAR1 DATA PAR1")  # same size, edited
    assert not cache.is_current(record, made_from)
    (tmp_path / "table.parquet").unlink()
    assert not cache.is_current(record, made_from)


def test_a_record_may_say_what_its_key_was_made_of(tmp_path):
    record = cache.write_record(tmp_path / "r.json", {"key": "k"}, files={},
                                made_from={"code": "c"}, seconds=1.5)
    assert json.loads(record.read_text()) == {"key": "k", "made_from": {"code": "c"},
                                              "seconds": 1.5, "files": {}}
    assert cache.is_current(record, {"key": "k"}) and not cache.is_current(record, {"key": "x"})


@pytest.mark.parametrize("text", ["", "{", "[]", '{"code": "def"}', '{"code": "def", "files": 3}'])
def test_a_damaged_or_older_record_is_not_current(tmp_path, text):
    (tmp_path / "r.json").write_text(text)
    assert not cache.is_current(tmp_path / "r.json", {"code": "def"})


def test_no_record_is_not_current(tmp_path):
    assert cache.read_record(tmp_path / "none.json") is None
    assert not cache.is_current(tmp_path / "none.json", {})


def test_notebook_modules_skip_magics_and_names(tmp_path):
    nb = {"cells": [{"cell_type": "markdown", "source": "from evalkit.run import batch"},
                    {"cell_type": "code", "source": ["%matplotlib inline\n",
                                                     "from evalkit.core.config import MIN_CELL\n",
                                                     "!ls\n"]},
                    {"cell_type": "code", "source": "import evalkit.read.io as io"}]}
    (tmp_path / "n.ipynb").write_text(json.dumps(nb))
    assert cache.notebook_modules(tmp_path / "n.ipynb") == [
        "evalkit.core.config", "evalkit.read.io"]


def test_package_versions_name_evalkit_and_python():
    versions = digest.package_versions(("pandas", "no-such-package-here"))
    assert versions["evalkit"] and versions["python"] and versions["pandas"][0].isdigit()
    assert versions["no-such-package-here"] == "not installed"


# --- end to end: the clean, the results and the reports --------------------------------

def test_the_clean_reruns_when_its_code_or_a_version_changes(processed, raw_dir, tmp_path,
                                                               monkeypatch):
    from evalkit.clean import pipeline

    copy = tmp_path / "processed"
    shutil.copytree(processed.processed_dir, copy, ignore=shutil.ignore_patterns("results"))
    manifest = json.loads((copy / "manifest.json").read_text())
    assert manifest["code"] == pipeline.code_digest()
    assert not pipeline.raw_inputs_changed(raw_dir, copy)
    monkeypatch.setattr(pipeline, "code_digest", lambda root=None: "a fix in clean/tables.py")
    why: list[str] = []
    assert pipeline.raw_inputs_changed(raw_dir, copy, why=why)
    assert why == ["evalkit's cleaning code changed since the last clean"]
    monkeypatch.undo()
    monkeypatch.setattr(pipeline, "package_versions", lambda: {**manifest["versions"],
                                                               "pandas": "99.0"})
    why.clear()
    assert pipeline.raw_inputs_changed(raw_dir, copy, why=why)
    assert "upgraded" in why[0]


@pytest.mark.slow
@pytest.mark.kernel
def test_a_code_change_reruns_the_results_and_then_the_reports(processed_dir, tmp_path,
                                                                 monkeypatch):
    from evalkit.read.regions import get_region
    from evalkit.run import batch, stages

    processed = tmp_path / "processed"
    shutil.copytree(processed_dir, processed)
    reports = tmp_path / "reports"
    run = dict(langs=("id",), reports_dir=reports, processed_dir=processed, synthesis=False)
    region = get_region("96.02")
    first = batch.run_reports([region], **run)
    assert [(r.ok, r.skipped) for r in first] == [(True, False)], first[0].error
    record = json.loads((reports / f"{batch.report_stem(region, 'id')}.run.json").read_text())
    assert set(record["files"]) == {"96.02-kabupaten-sorong-selatan.html",
                                    "96.02-kabupaten-sorong-selatan.ipynb"}
    assert record["made_from"]["code"] == batch.code_digest(batch.REGION_NOTEBOOK)
    again = batch.run_reports([region], **run)
    assert [(r.ok, r.skipped) for r in again] == [(True, True)]
    assert stages.results_current(processed)

    # MIN_CELL changed in config (or a measure module fixed): another results code digest
    monkeypatch.setattr(stages, "code_digest", lambda root=None: "config with MIN_CELL = 6")
    assert not stages.results_current(processed)
    stamp = (processed / "results" / stages.STAMP).read_text()
    rerun = batch.run_reports([region], **run)
    assert [(r.ok, r.skipped) for r in rerun] == [(True, False)], rerun[0].error
    new_stamp = json.loads((processed / "results" / stages.STAMP).read_text())
    assert new_stamp["code"] == "config with MIN_CELL = 6" and new_stamp != json.loads(stamp)

    # A report damaged after it was written is made again; the results stay as they are
    html = reports / f"{batch.report_stem(region, 'id')}.html"
    html.write_text(html.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    damaged = batch.run_reports([region], **run)
    assert [(r.ok, r.skipped) for r in damaged] == [(True, False)]
    assert (processed / "results" / stages.STAMP).read_text() == json.dumps(new_stamp, indent=1)
