"""History kept (evalkit.run.archive): wave views of the processed data and archives of reports.

On the officer's own programme (tests/own_data.py: NTT stunting forum, its own six
dimensions, six sector codes, one language), cut to two regions and given three
half-year/year waves by hand (``2023``, ``2024-H1``, ``2024-H2``), not the demo.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import own_data
import pandas as pd
import pytest

from evalkit.clean.pipeline import run_clean
from evalkit.read.products import MANIFEST, manifest_digest, read_waves
from evalkit.read.waves import as_of, wave_slug, waves_table
from evalkit.run import archive
from evalkit.run.archive import (
    archive_links,
    table_digest,
    update_wave_views,
    view_manifest,
    view_tables,
    write_wave_views,
)
from evalkit.run.batch import move_stale_reports

KEY = b"archive-test-key"
REGIONS = ("53.71", "53.01")  # Kota Kupang, Kabupaten Kupang
LABELS = ("2023", "2024-H1", "2024-H2")
# Waves of the tests that make reports: every wave has a meeting (12 Mar, 5 Jun, 10 Sep).
QUARTERS = ("2024-Q1", "2024-Q2", "2024-Q3")
WAVE_TABLES = ("survey", "ties", "stakeholders")


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory) -> Path:
    """The own-data programme cleaned once (single wave, seven regions)."""
    tmp = tmp_path_factory.mktemp("own")
    own_data.write_dataset(tmp / "raw")
    return run_clean(tmp / "raw", tmp / "processed", key=KEY).processed_dir


def _assign(frame: pd.DataFrame, labels, *, every_wave: int = 0) -> pd.DataFrame:
    """``frame`` with a ``wave`` column: rows dealt round the labels within each region
    (the first ``every_wave`` rows of each region: NA, a register row for every wave)."""
    out = frame.copy()
    position = out.groupby("region_code").cumcount()
    wave = pd.Series([labels[i % len(labels)] for i in position], index=out.index, dtype="string")
    out["wave"] = wave.mask(position < every_wave)
    return out


def make_processed(cleaned: Path, folder: Path, labels=LABELS, every=None, *,
                   panel: bool = False) -> Path:
    """A processed folder of two regions and ``labels`` waves (of ``every``: the rows are
    dealt round those, then the waves after ``labels`` left out), built by hand from ``cleaned``.
    ``panel``: every respondent answers every wave (the same answers) instead.

    Survey, ties and the register rows are dealt round the waves; the quarantine gains a
    row of each wave folder's survey file (of that wave), its other rows and the flags are
    of no wave; the manifest counts the rows as the clean
    stage does and hashes raw inputs that differ with the waves (as a new wave's files would).
    """
    folder.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((cleaned / MANIFEST).read_text(encoding="utf-8"))
    tables = {}
    for path in sorted(cleaned.glob("*.parquet")):
        frame = pd.read_parquet(path)
        if "region_code" in frame.columns:
            frame = frame[frame["region_code"].isin(REGIONS)].reset_index(drop=True)
        tables[path.stem] = frame
    every = every or (LABELS if set(labels) <= set(LABELS) else labels)
    survey = tables["survey"].drop(columns="wave", errors="ignore")
    tables["survey"] = _assign(survey, every) if not panel else pd.concat(
        [survey.assign(wave=pd.Series(label, index=survey.index, dtype="string"),
                       response_id=survey["response_id"].astype(str) + f"-{i}")
         for i, label in enumerate(every)], ignore_index=True)
    tables["ties"] = _assign(tables["ties"], every)
    tables["stakeholders"] = _assign(tables["stakeholders"], every, every_wave=10)
    for name in WAVE_TABLES:  # the data as they are with only `labels` collected so far
        tables[name] = tables[name][tables[name]["wave"].isna()
                                    | tables[name]["wave"].isin(labels)].reset_index(drop=True)
    extra = pd.DataFrame({"table": "survey", "source_file": [f"waves/{w}/survey.csv" for w in labels],
                          "source_row": 2, "reason": "speeder", "detail": "", "record": "{}",
                          "wave": pd.Series(list(labels), dtype="str")})
    for name in ("quarantine", "flags"):  # rows of no wave: the single-wave clean's "1" dropped
        tables[name] = tables[name].assign(wave=pd.Series(pd.NA, index=tables[name].index,
                                                          dtype="str"))
    tables["quarantine"] = pd.concat([tables["quarantine"], extra], ignore_index=True)
    tables["waves"] = waves_table(list(labels), "folder")
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    manifest["inputs"] = {f"waves/{w}/survey.csv": {"sha256": f"{i:064d}", "bytes": 1}
                          for i, w in enumerate(labels)}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


@pytest.fixture
def processed(cleaned, tmp_path) -> Path:
    return make_processed(cleaned, tmp_path / "processed")


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def _mtimes(folder: Path, *, below: bool = True) -> dict[str, int]:
    """Modification times of the files in ``folder`` (and its subfolders: ``below``)."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns
            for p in sorted(folder.rglob("*") if below else folder.iterdir()) if p.is_file()}


# --- content digests ------------------------------------------------------------------

def test_table_digest_is_the_content_not_the_index_or_the_file():
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", None]})
    assert table_digest(frame) == table_digest(frame.set_axis([7, 8, 9]))
    assert table_digest(frame) != table_digest(frame.assign(a=[1, 2, 4]))
    assert table_digest(frame) != table_digest(frame.astype({"a": "float64"}))
    assert table_digest(frame) != table_digest(frame.rename(columns={"b": "c"}))
    assert table_digest(frame) != table_digest(frame.iloc[:2])
    lists = pd.DataFrame({"a": [[1], [2]]})  # unhashable cells: the parquet bytes
    assert table_digest(lists) != table_digest(pd.DataFrame({"a": [[1], [3]]}))


# --- the views (pure) -----------------------------------------------------------------

def test_view_tables_are_the_data_as_of_the_wave(processed):
    tables, waves = _tables(processed), read_waves(processed)
    view = view_tables(tables, waves, "2024-H1")
    expected = as_of(tables, waves, "2024-H1")
    for name in WAVE_TABLES:
        assert set(view[name]["wave"].dropna()) == {"2023", "2024-H1"}
        pd.testing.assert_frame_equal(view[name], expected[name].reset_index(drop=True))
    # the register rows for every wave stay in every view
    assert view["stakeholders"]["wave"].isna().sum() == 2 * 10
    # dated waves: meetings up to 2024-06-30 (own data meets 12 Mar, 5 Jun, 10 Sep, 2 Dec)
    dates = pd.to_datetime(view["attendance"]["meeting_date"])
    assert len(dates) and dates.max() <= pd.Timestamp("2024-06-30")
    assert (pd.to_datetime(tables["attendance"]["meeting_date"]) > pd.Timestamp("2024-06-30")).any()
    assert list(view["waves"]["wave"]) == ["2023", "2024-H1"]
    # the quarantine keeps the rows of the waves up to 2024-H1, and those of no wave
    files = set(view["quarantine"]["source_file"])
    assert {"waves/2023/survey.csv", "waves/2024-H1/survey.csv"} <= files
    assert "waves/2024-H2/survey.csv" not in files and "survey.csv" in files
    first = view_tables(tables, waves, "2023")
    assert set(first["indicator_values"]["year"]) == {2019, 2020, 2021, 2022, 2023}
    assert first["attendance"].empty  # no meeting in 2023
    pd.testing.assert_frame_equal(first["items"], tables["items"])  # other tables whole


def test_view_manifest_counts_the_view_and_cites_no_raw_file(processed):
    tables, waves = _tables(processed), read_waves(processed)
    manifest = json.loads((processed / MANIFEST).read_text(encoding="utf-8"))
    view = view_tables(tables, waves, "2024-H1")
    man = view_manifest(manifest, view, "2024-H1")
    survey = man["tables"]["survey"]
    n_quarantined = int((view["quarantine"]["table"] == "survey").sum())
    assert survey["rows_clean"] == len(view["survey"])
    assert survey["rows_in"] == survey["rows_clean"] + survey["rows_quarantined"] == \
        len(view["survey"]) + n_quarantined
    assert survey["waves"] == view["survey"]["wave"].value_counts().to_dict()
    assert sum(survey["waves"].values()) == len(view["survey"])
    assert set(man["inputs"]) == {f"{n}.parquet" for n in view}  # the tables, not the raw files
    assert man["inputs"]["survey.parquet"]["sha256"] == table_digest(view["survey"])
    assert man["quarantine_by_reason"]["survey: speeder"] == int(
        ((view["quarantine"]["table"] == "survey") & (view["quarantine"]["reason"] == "speeder")).sum())
    assert man["form"] == manifest["form"] and man["wave"] == "2024-H1"
    assert not any(key in man for key in ("versions", "code", "rules_date", "outputs"))


def test_quarantine_and_flag_rows_go_to_the_views_of_their_wave():
    """A view keeps the quarantine and flag rows of its wave and the earlier ones, and
    those of no wave (``wave`` missing: a table without waves, a register row for every
    wave, a row whose wave is its problem) in every view, by the ``wave`` column alone."""
    waves = waves_table(["2024-H1", "2024-H2", "2025-H1"], "period")
    row = {"2024-H1": 2, "2024-H2": 3, "2025-H1": 4, None: 5}
    quarantine = pd.DataFrame({"table": "survey", "source_file": "survey.csv",
                               "source_row": list(row.values()), "reason": "speeder",
                               "detail": "", "record": "{}",
                               "wave": pd.Series(list(row), dtype="str")})
    flags = pd.DataFrame({"table": ["ties", "stakeholders", "indicator_values"],
                          "source_file": "x.csv", "source_row": [7, 8, 9], "column": "trust",
                          "value": "7", "issue": "out of range 1-4", "action": "set to missing",
                          "wave": pd.Series(["2025-H1", None, None], dtype="str")})
    tables = {"quarantine": quarantine, "flags": flags}
    first = view_tables(tables, waves, "2024-H1")
    assert first["quarantine"]["source_row"].tolist() == [2, 5]
    assert first["flags"]["source_row"].tolist() == [8, 9]
    second = view_tables(tables, waves, "2024-H2")
    assert second["quarantine"]["source_row"].tolist() == [2, 3, 5]
    assert second["flags"]["source_row"].tolist() == [8, 9]
    pd.testing.assert_frame_equal(view_tables(tables, waves, "2025-H1")["flags"], flags)
    # a table without the column (written by other code) is every wave's
    old = view_tables({"quarantine": quarantine.drop(columns="wave")}, waves, "2024-H1")
    assert len(old["quarantine"]) == len(quarantine)


# --- the views on disk ----------------------------------------------------------------

def test_views_of_every_earlier_wave_hold_the_as_of_content(processed):
    written = write_wave_views(processed)
    assert [label for label, _ in written] == ["2023", "2024-H1"]  # not the latest
    assert [f.name for _, f in written] == ["2023", "2024-h1"]
    assert sorted(p.name for p in (processed / "waves").iterdir() if p.is_dir()) == \
        ["2023", "2024-h1"]
    tables, waves = _tables(processed), read_waves(processed)
    for label, folder in written:
        expected = view_tables(tables, waves, label)
        on_disk = _tables(folder)
        assert set(on_disk) == set(expected)
        for name, frame in expected.items():
            assert table_digest(on_disk[name]) == table_digest(frame), (label, name)
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        assert manifest == json.loads(json.dumps(view_manifest(
            json.loads((processed / MANIFEST).read_text(encoding="utf-8")), expected, label)))
        assert read_waves(folder)["wave"].iloc[-1] == label  # the view's latest wave is its own


def test_a_second_call_with_nothing_changed_writes_nothing(processed):
    write_wave_views(processed)
    before = _mtimes(processed / "waves")
    again = update_wave_views(processed)
    assert [v.written for v in again] == [False, False]
    assert _mtimes(processed / "waves") == before


def test_a_damaged_view_is_written_again(processed):
    [(_, first), _] = write_wave_views(processed)
    (first / "survey.parquet").write_bytes(b"not parquet")
    (first / "ties.parquet").unlink()
    views = update_wave_views(processed)
    assert [v.written for v in views] == [True, False]
    assert table_digest(pd.read_parquet(first / "survey.parquet")) == table_digest(
        view_tables(_tables(processed), read_waves(processed), "2023")["survey"])


def test_adding_a_wave_leaves_the_earlier_views_alone(cleaned, tmp_path):
    """Waves 2023 and 2024-H1 collected, then 2024-H2 added: the view of 2023 keeps its
    files (mtime, bytes) and its manifest digest; 2024-H1 becomes a view."""
    folder = tmp_path / "processed"
    make_processed(cleaned, folder, LABELS[:2])
    [(label, view)] = write_wave_views(folder)
    assert label == "2023"
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in view.iterdir() if p.is_file()}
    digest = manifest_digest(json.loads((view / MANIFEST).read_text(encoding="utf-8")))
    make_processed(cleaned, folder, LABELS)  # the next clean, with the third wave's files
    assert json.loads((folder / MANIFEST).read_text())["inputs"] != {}  # raw inputs changed
    views = update_wave_views(folder)
    assert [(v.label, v.written) for v in views] == [("2023", False), ("2024-H1", True)]
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in view.iterdir() if p.is_file()}
    assert after == before
    assert manifest_digest(json.loads((view / MANIFEST).read_text(encoding="utf-8"))) == digest


def test_a_single_wave_has_no_view(cleaned, tmp_path):
    folder = make_processed(cleaned, tmp_path / "processed", LABELS[:1])
    assert write_wave_views(folder) == []
    assert not (folder / "waves").exists()
    # a folder from before waves (no waves.parquet) is one wave too
    (folder / "waves.parquet").unlink()
    assert write_wave_views(folder) == [] and not (folder / "waves").exists()


def test_views_of_waves_no_longer_in_the_data_are_removed(cleaned, tmp_path):
    folder = make_processed(cleaned, tmp_path / "processed")
    write_wave_views(folder)
    make_processed(cleaned, folder, LABELS[:1])
    assert write_wave_views(folder) == [] and not (folder / "waves").exists()


def test_an_unknown_wave_is_named_with_the_earlier_waves(processed):
    from evalkit.core.errors import EvalkitError

    with pytest.raises(EvalkitError, match=r"'2024-H2' is not an earlier wave.*2023, 2024-H1"):
        update_wave_views(processed, ["2024-H2"])
    [view] = update_wave_views(processed, ["2024-H1"])
    assert view.label == "2024-H1" and not (processed / "waves" / "2023").exists()
    # then every view: the missing one is written, the one made just now is current
    assert [(v.label, v.written) for v in update_wave_views(processed)] == \
        [("2023", True), ("2024-H1", False)]


def _by_wave(frame: pd.DataFrame) -> dict[object, int]:
    """Rows per wave (None: of no wave)."""
    waves = frame["wave"].astype("str")
    return {None if pd.isna(w) else w: int(n)
            for w, n in waves.value_counts(dropna=False, sort=False).items()}


@pytest.fixture(scope="module")
def demo_views(tmp_path_factory):
    """The demo (three quarterly waves) cleaned, and the views of its two earlier waves."""
    from evalkit.demo.generator import write_demo_data

    tmp = tmp_path_factory.mktemp("demo")
    write_demo_data(tmp / "raw")
    processed = run_clean(tmp / "raw", tmp / "processed", key=KEY).processed_dir
    return processed, update_wave_views(processed)


@pytest.mark.slow
def test_the_demo_views_hold_the_quarantine_and_flags_of_their_waves(demo_views):
    """The demo plants its problem rows in the latest wave (the single-wave demo is that
    wave: evalkit.demo.generator), so the earlier waves' views hold the rows of no wave
    only: the indicator tables', the same rows as before the wave column, when the views
    read the waves from the records instead. Each view's manifest counts its rows."""
    from evalkit.demo.generator import DEMO_PARAMS

    processed, views = demo_views
    waves = [str(w) for w in read_waves(processed)["wave"]]
    assert [v.label for v in views] == waves[:-1] == list(DEMO_PARAMS.waves[:-1])
    manifest = json.loads((processed / MANIFEST).read_text(encoding="utf-8"))
    main = {name: pd.read_parquet(processed / f"{name}.parquet") for name in ("quarantine", "flags")}
    for frame in main.values():
        of_waves = frame["table"].isin(["survey", "ties", "stakeholders", "attendance"])
        assert of_waves.any() and set(frame.loc[of_waves, "wave"]) == {waves[-1]}
        assert (~of_waves).any() and frame.loc[~of_waves, "wave"].isna().all()
    for view in views:
        kept = waves[:waves.index(view.label) + 1]
        man = json.loads((view.folder / MANIFEST).read_text(encoding="utf-8"))
        for name, frame in main.items():
            on_disk = pd.read_parquet(view.folder / f"{name}.parquet")
            # rows per wave: the processed folder's, of the view's waves and of no wave
            assert _by_wave(on_disk) == {w: n for w, n in _by_wave(frame).items()
                                         if w is None or w in kept}, (view.label, name)
            pd.testing.assert_frame_equal(on_disk, frame[frame["wave"].isna()].reset_index(drop=True))
        quarantine = pd.read_parquet(view.folder / "quarantine.parquet")
        assert sum(man["quarantine_by_reason"].values()) == len(quarantine)
        assert sum(man["flags_by_issue"].values()) == len(pd.read_parquet(view.folder / "flags.parquet"))
        for name, entry in man["tables"].items():
            assert entry["rows_quarantined"] == int((quarantine["table"] == name).sum()), name
        # the processed folder's counts of the tables without waves, unchanged in the view
        assert man["quarantine_by_reason"] == {k: n for k, n in manifest["quarantine_by_reason"].items()
                                               if k.startswith("indicator")}
        assert man["flags_by_issue"] == {k: n for k, n in manifest["flags_by_issue"].items()
                                         if k.startswith("indicator")}


# --- reports folder -------------------------------------------------------------------

def test_stale_reports_logic_does_not_move_archives(tmp_path):
    from evalkit.read.regions import get_region

    reports = tmp_path / "reports"
    kept = reports / "archive" / "2023"
    kept.mkdir(parents=True)
    for name in ("53.02-kabupaten-timor-tengah-selatan.html", "index.html", "summary.xlsx"):
        (kept / name).write_text("x")
    (reports / "53.02-kabupaten-timor-tengah-selatan.html").write_text("old")
    moved = move_stale_reports(reports, [get_region("53.71")])
    assert [p.relative_to(reports).as_posix() for p in moved] == \
        ["_previous/53.02-kabupaten-timor-tengah-selatan.html"]
    assert sorted(p.name for p in kept.iterdir()) == [
        "53.02-kabupaten-timor-tengah-selatan.html", "index.html", "summary.xlsx"]


def test_archive_links_list_the_archives_on_disk_in_wave_order(processed, tmp_path):
    reports = tmp_path / "reports"
    assert archive_links(reports, processed) == []
    for slug in ("2024-h1", "2023", "1999"):  # 1999: an archive of a wave no longer in the data
        (reports / "archive" / slug).mkdir(parents=True)
        (reports / "archive" / slug / "index.html").write_text("x")
    assert archive_links(reports, processed) == [("2023", "archive/2023/index.html"),
                                                 ("2024-H1", "archive/2024-h1/index.html")]


# --- the archives (kernels) -----------------------------------------------------------

def _records(folder: Path) -> dict[str, dict]:
    """What each report in ``folder`` was made from (its run record's ``made_from``)."""
    return {p.name: json.loads(p.read_text(encoding="utf-8"))["made_from"]
            for p in sorted(folder.glob("*.run.json"))}


def _code_changed(before: dict[str, dict], after: dict[str, dict]) -> bool:
    """Whether the reports were made again only because evalkit's code or a package
    changed in between (other work on the source tree while a test runs); an error when
    one was made again from other data or parameters."""
    assert set(before) == set(after)
    changed = {key for name in before for key in before[name]
               if before[name][key] != after[name].get(key)}
    assert not changed & {"processed", "parameters", "show_code"}, changed
    return bool(changed)


@pytest.fixture(scope="module")
def archived(cleaned, tmp_path_factory):
    """Two waves (one archive), two regions, Indonesian only: the current reports, then
    the archive of 2023, then both again with nothing changed."""
    from evalkit.present.index_page import report_regions, write_index
    from evalkit.run.batch import run_reports

    tmp = tmp_path_factory.mktemp("archived")
    processed = make_processed(cleaned, tmp / "processed", QUARTERS[:2], panel=True)
    reports = tmp / "reports"
    batch = dict(langs=("id",), jobs=2)
    current = run_reports(report_regions(processed), reports_dir=reports, processed_dir=processed,
                          **batch)
    first = archive.archive_reports(processed, reports, **batch)
    index = write_index(reports, processed, archives=archive_links(reports, processed))
    before, records = _mtimes(reports / "archive"), _records(reports / "archive" / "2024-q1")
    again = archive.archive_reports(processed, reports, **batch)
    return {"processed": processed, "reports": reports, "current": current, "first": first,
            "again": again, "index": index, "before": before, "records": records,
            "records_again": _records(reports / "archive" / "2024-q1")}


@pytest.mark.slow
def test_the_archive_holds_the_earlier_waves_reports(archived):
    [arc] = archived["first"]
    assert arc.label == "2024-Q1" and arc.folder == archived["reports"] / "archive" / "2024-q1"
    assert all(r.ok and not r.skipped and r.wave == "2024-Q1" for r in arc.results), \
        [r.error for r in arc.results if not r.ok]
    names = {p.name for p in arc.folder.iterdir()}
    assert {"53.71-kota-kupang.html", "53.01-kabupaten-kupang.html", "synthesis.html",
            "index.html", "summary.xlsx"} <= names
    # the report read the view: its responses are the first wave's only
    view = archived["processed"] / "waves" / "2024-q1"
    assert set(pd.read_parquet(view / "survey.parquet")["wave"]) == {"2024-Q1"}
    assert (view / "results" / "results.json").exists()
    assert all(r.ok for r in archived["current"])


@pytest.mark.slow
def test_an_unchanged_archive_is_skipped_and_untouched(archived):
    [arc] = archived["again"]
    if _code_changed(archived["records"], archived["records_again"]):
        pytest.skip("evalkit's code changed between the two runs (work on the tree meanwhile)")
    assert arc.results and all(r.skipped for r in arc.results) and not arc.rewritten
    assert _mtimes(archived["reports"] / "archive") == archived["before"]


@pytest.mark.slow
def test_the_index_links_the_archives(archived):
    html = archived["index"].read_text(encoding="utf-8")
    assert 'href="archive/2024-q1/index.html"' in html
    assert (archived["reports"] / "archive" / "2024-q1" / "index.html").exists()


@pytest.mark.slow
def test_rerunning_one_wave_reproduces_its_archive(archived, tmp_path):
    """The view and its results made again from nothing, for that wave alone, hold the
    same parquet content (the reports' HTML carries the time they ran)."""
    processed = archived["processed"]
    view = processed / "waves" / "2024-q1"
    before = {str(p.relative_to(view)): table_digest(pd.read_parquet(p))
              for p in sorted(view.rglob("*.parquet"))}
    copy = tmp_path / "processed"
    shutil.copytree(processed, copy, ignore=shutil.ignore_patterns("waves"))
    [arc] = archive.archive_reports(copy, tmp_path / "reports", langs=("id",), jobs=2,
                                    waves=["2024-Q1"])
    assert all(r.ok and not r.skipped for r in arc.results)
    again = copy / "waves" / "2024-q1"
    after = {str(p.relative_to(again)): table_digest(pd.read_parquet(p))
             for p in sorted(again.rglob("*.parquet"))}
    assert after == before and any(name.startswith("results") for name in after)
    assert os.path.exists(tmp_path / "reports" / "archive" / "2024-q1" / "53.71-kota-kupang.html")


# --- `evalkit run` on a project with one folder per wave (kernels) --------------------

def wave_project(raw: Path, labels, seed: int = own_data.SEED) -> Path:
    """The own-data programme with one folder per wave (``data/raw/waves/<label>/``): each
    wave's survey and ties from its own seed; codebook, register, attendance, indicators
    at the top level."""
    raw.mkdir(parents=True, exist_ok=True)
    if not (raw / "codebook_xlsform.xlsx").exists():
        own_data.write_dataset(raw, seed=seed)
        for name in ("survey.csv", "collaboration_ties.csv"):
            (raw / name).unlink()
    for label in labels:
        folder = raw / "waves" / label
        if folder.exists():
            continue
        tmp = raw.parent / f".wave-{wave_slug(label)}"
        own_data.write_dataset(tmp, seed=seed + 1 + QUARTERS.index(label))
        folder.mkdir(parents=True)
        for name in ("survey.csv", "collaboration_ties.csv"):
            shutil.copy(tmp / name, folder / name)
        shutil.rmtree(tmp)
    return raw


def _evalkit(*args: str):
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("evalkit")
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "EVALKIT_PSEUDONYM_KEY": "archive-test", "COLUMNS": "200"})
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _contents(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): table_digest(pd.read_parquet(p))
            for p in sorted(folder.rglob("*.parquet"))}


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """`evalkit run` on waves 2024-Q1 and 2024-Q2; again unchanged; then with 2024-Q3
    added; then `--wave "TW I 2024" --force`. Kota Kupang only, Indonesian, two jobs."""
    tmp = tmp_path_factory.mktemp("history")
    raw, processed, reports = tmp / "raw", tmp / "processed", tmp / "reports"
    wave_project(raw, QUARTERS[:2])
    run = ("run", "--raw-dir", str(raw), "--processed-dir", str(processed), "--reports-dir",
           str(reports), "-r", "53.71", "--lang", "id", "--jobs", "2")
    out = {"first": _evalkit(*run).stdout}
    out["archive_q1"] = _mtimes(reports / "archive" / "2024-q1")
    out["records_q1"] = _records(reports / "archive" / "2024-q1")
    out["view_q1"] = _mtimes(processed / "waves" / "2024-q1", below=False)
    out["index_first"] = (reports / "index.html").read_text(encoding="utf-8")
    out["again"] = _evalkit(*run).stdout
    out["archive_q1_again"] = _mtimes(reports / "archive" / "2024-q1")
    out["records_q1_again"] = _records(reports / "archive" / "2024-q1")
    wave_project(raw, QUARTERS)  # the next wave's exports arrive
    out["added"] = _evalkit(*run).stdout
    out["archive_q1_added"] = _mtimes(reports / "archive" / "2024-q1")
    out["records_q1_added"] = _records(reports / "archive" / "2024-q1")
    out["view_q1_added"] = _mtimes(processed / "waves" / "2024-q1", below=False)
    out["index"] = (reports / "index.html").read_text(encoding="utf-8")
    out["content_q1"] = _contents(processed / "waves" / "2024-q1")
    shutil.rmtree(processed / "waves" / "2024-q1")
    out["redo"] = _evalkit(*run, "--wave", "TW I 2024", "--force").stdout
    out["content_q1_redo"] = _contents(processed / "waves" / "2024-q1")
    out.update(raw=raw, processed=processed, reports=reports)
    return out


@pytest.mark.slow
def test_run_keeps_an_archive_of_the_earlier_wave_and_links_it(history):
    reports = history["reports"]
    assert "archive 2024-Q1: 2 written, 0 unchanged" in history["first"], history["first"]
    assert {"53.71-kota-kupang.html", "synthesis.html", "index.html", "summary.xlsx"} <= {
        p.name for p in (reports / "archive" / "2024-q1").iterdir()}
    assert 'href="archive/2024-q1/index.html"' in history["index_first"]
    assert not (reports / "archive" / "2024-q3").exists()  # the latest wave is reports/ itself


@pytest.mark.slow
def test_an_unchanged_rerun_touches_no_archive(history):
    if _code_changed(history["records_q1"], history["records_q1_again"]):
        pytest.skip("evalkit's code changed between the two runs (work on the tree meanwhile)")
    assert "0 report(s) written" in history["again"] and \
        "archive 2024-Q1: 0 written, 2 unchanged" in history["again"], history["again"]
    assert history["archive_q1_again"] == history["archive_q1"]


@pytest.mark.slow
def test_adding_a_wave_makes_its_archive_and_leaves_the_earlier_one(history):
    added = history["added"]
    assert "archive 2024-Q2: 2 written, 0 unchanged" in added, added
    # the earlier view's tables and manifest are the same files, whatever happened to the
    # code (its results/ are made again when the results' code changed)
    assert history["view_q1_added"] == history["view_q1"]
    code = _code_changed(history["records_q1_again"], history["records_q1_added"])
    if not code:
        assert "archive 2024-Q1: 0 written, 2 unchanged" in added, added
        assert history["archive_q1_added"] == history["archive_q1_again"]
    index = history["index"]
    assert 'href="archive/2024-q1/index.html"' in index and 'href="archive/2024-q2/index.html"' in index


@pytest.mark.slow
def test_wave_option_reproduces_the_archive(history):
    assert "archive 2024-Q1: 2 written" in history["redo"] and "2024-Q2" not in history["redo"]
    assert history["content_q1_redo"] == history["content_q1"]
    assert any(name.startswith("results/") for name in history["content_q1"])


# --- what a wave's report counts and names (issue #13 leftovers, #16 item 5) ------------

def test_a_reports_excluded_submissions_are_its_waves():
    from evalkit.present.report import excluded_submissions

    waves = waves_table(["2024-Q1", "2024-Q2"], "period")
    quarantine = pd.DataFrame({
        "table": ["survey"] * 6 + ["ties"],
        "reason": ["speeder", "no_consent", "test_submission", "speeder", "no_wave", "no_wave",
                   "self_tie"],
        "wave": pd.Series(["2024-Q1", "2024-Q2", "2024-Q2", "2024-Q2", None, None, "2024-Q2"],
                          dtype="str")})
    assert excluded_submissions(quarantine, waves) == {
        "n_excluded": 3, "excluded_wave": "2024-Q2", "n_no_wave": 2,
        "excluded_reasons": ("no_consent", "test_submission", "speeder")}
    # a latest wave without excluded submissions counts none (and names no reason)
    later = excluded_submissions(quarantine, waves_table(["2024-Q1", "2024-Q3"], "period"))
    assert (later["n_excluded"], later["excluded_wave"], later["excluded_reasons"]) == \
        (0, "2024-Q3", ())
    # the first wave's view (one declared wave): that wave's rows, under its name
    first = excluded_submissions(quarantine[quarantine["wave"].ne("2024-Q2").fillna(True)],
                                 waves_table(["2024-Q1"], "period"))
    assert (first["n_excluded"], first["excluded_wave"], first["n_no_wave"]) == (1, "2024-Q1", 2)
    # no waves, or a quarantine from before the wave column: every survey row, as before
    assert excluded_submissions(quarantine, waves_table([], "single")) == {"n_excluded": 6}
    assert excluded_submissions(quarantine.drop(columns="wave"), waves) == {"n_excluded": 6}


def test_published_paths_are_relative_to_the_project(tmp_path, monkeypatch):
    from evalkit.present.local_paths import project_relative, published_path
    from evalkit.read.regions import get_region
    from evalkit.run.batch import notebook_folder, region_parameters

    monkeypatch.delenv("EVALKIT_ROOT", raising=False)
    project = tmp_path / "officer" / "stunting-ntt"
    (project / "data" / "raw").mkdir(parents=True)
    processed = project / "data" / "processed"
    assert project_relative(processed) == "data/processed"
    assert project_relative(tmp_path / "elsewhere") is None  # in no project folder
    assert project_relative(processed, root=tmp_path) == "officer/stunting-ntt/data/processed"
    assert published_path(processed) == "data/processed"
    assert published_path(project / "data" / "processed" / "waves" / "2024-q1") == \
        "data/processed/waves/2024-q1"
    assert published_path(tmp_path / "other" / "processed") == "processed"  # no project: the name
    assert published_path("data/processed") == "data/processed" and published_path("") == ""
    # the notebooks get the relative path and run in the project folder
    assert notebook_folder(processed) == ("data/processed", project)
    assert region_parameters(get_region("53.71"), "id", processed)["processed_dir"] == "data/processed"
    outside = tmp_path / "other" / "processed"
    assert notebook_folder(outside) == (str(outside), None)  # absolute: the kernel can read it
    monkeypatch.setenv("EVALKIT_ROOT", str(project))
    assert notebook_folder(processed) == ("data/processed", project)


def _texts(path: Path) -> dict[str, str]:
    """A published file's text (an xlsx: each XML part of the zip)."""
    import zipfile

    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return {f"{path.name}:{n}": book.read(n).decode("utf-8", "replace")
                    for n in book.namelist()}
    return {path.name: path.read_bytes().decode("utf-8", "replace")}


@pytest.mark.slow
def test_published_files_name_no_absolute_path(tmp_path):
    """`evalkit run --project` on a project of two waves (one archive): no file under
    reports/ (HTML, executed notebooks, run records, workbooks, index pages, the archive's)
    holds the temporary root, the home folder or the processed folder's absolute path;
    each wave's report counts its own wave's excluded submissions."""
    project = tmp_path / "officer-home" / "stunting-ntt"
    raw = wave_project(project / "data" / "raw", QUARTERS[:2])
    _evalkit("run", "--project", str(project), "-r", "53.71", "--lang", "id", "--jobs", "2")
    reports, processed = project / "reports", project / "data" / "processed"
    files = sorted(p for p in reports.rglob("*") if p.is_file())
    names = {p.relative_to(reports).as_posix() for p in files}
    assert {"53.71-kota-kupang.ipynb", "53.71-kota-kupang.html", "53.71-kota-kupang.run.json",
            "synthesis.ipynb", "summary.xlsx", "index.html", "archive/2024-q1/index.html",
            "archive/2024-q1/53.71-kota-kupang.ipynb", "archive/2024-q1/summary.xlsx"} <= names
    leaks = [str(tmp_path), str(Path.home()), str(processed), str(processed.resolve()),
             str(project)]
    for path in files:
        for part, body in _texts(path).items():
            found = [leak for leak in leaks if leak in body]
            assert not found, (part, found)
    # the notebooks read the processed folder by its path relative to the project
    record = json.loads((reports / "53.71-kota-kupang.run.json").read_text(encoding="utf-8"))
    assert record["made_from"]["parameters"]["processed_dir"] == "data/processed"
    # each wave's report: its own wave's excluded submissions (the quarantine's rows of
    # that wave's folder), not every wave's
    quarantine = pd.read_parquet(processed / "quarantine.parquet")
    survey = quarantine[quarantine["table"] == "survey"]
    for label, html in (("2024-Q2", reports / "53.71-kota-kupang.html"),
                        ("2024-Q1", reports / "archive" / "2024-q1" / "53.71-kota-kupang.html")):
        n = int(survey["source_file"].str.startswith(f"waves/{label}/").sum())
        assert 0 < n < len(survey)
        assert f"Pada gelombang {label}, di seluruh wilayah, {n} kiriman" in \
            html.read_text(encoding="utf-8"), label
    assert raw.is_dir()
