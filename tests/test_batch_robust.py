"""A robust batch (issue #15, items 5 and 6): the process tree dies with ``evalkit run``,
one evalkit per folder, unique temporary names, damaged processed files rebuilt or named,
and one line (exit 2, no traceback) for every folder fault an officer can fix."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from evalkit.clean.pipeline import RAW_FILES, raw_inputs_changed, run_clean
from evalkit.core import lock
from evalkit.core.errors import EvalkitError
from evalkit.read import products
from evalkit.read.products import MANIFEST, read_processed, read_scale
from evalkit.run import stages
from evalkit.run.batch import commit_outputs, make_report, remove_leftovers, require_responses
from evalkit.run.cli import app
from evalkit.run.fork_kernel import death_signal_available, death_signal_preexec

runner = CliRunner()
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
linux_only = pytest.mark.skipif(not death_signal_available(),
                                reason="PR_SET_PDEATHSIG is Linux-only")


def _one_error_line(result) -> str:
    """The CLI's error: exit 2, one ``error:`` line, no traceback; returns that line."""
    out = result.output
    assert result.exit_code == 2, out
    assert "Traceback" not in out, out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, out
    return errors[0]


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folder`` (hidden ones too): (mtime ns, size)."""
    found = {}
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                stat = path.stat()
                found[str(path.relative_to(folder))] = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:  # removed while listing
            continue
    return found


@pytest.fixture(scope="module")
def current(processed_dir):
    """The session's processed folder with its cross-region results computed."""
    stages.ensure_results(processed_dir)
    return processed_dir


@pytest.fixture
def processed_copy(current, tmp_path) -> Path:
    """A copy of the processed folder (results included) this test may damage."""
    copy = tmp_path / "processed"
    shutil.copytree(current, copy)
    return copy


@pytest.fixture
def raw_copy(raw_dir, tmp_path) -> Path:
    copy = tmp_path / "raw"
    shutil.copytree(raw_dir, copy)
    return copy


@pytest.fixture
def key_env(monkeypatch, test_key):
    monkeypatch.setenv("EVALKIT_PSEUDONYM_KEY", test_key.decode())


def _holder(folder: Path, command: str = "run") -> subprocess.Popen:
    """Another process holding ``folder``'s lock until its stdin closes."""
    code = ("import sys\nfrom evalkit.core.lock import hold\n"
            f"with hold({str(folder)!r}, {command!r}):\n"
            "    print('ready', flush=True)\n    sys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


# --- one evalkit per folder -------------------------------------------------------------

def test_a_second_run_is_refused_naming_the_first(current, raw_dir, tmp_path):
    reports = tmp_path / "reports"
    holder = _holder(reports)
    try:
        result = runner.invoke(app, ["run", "-r", "96.02", "--lang", "id", "--raw-dir",
                                     str(raw_dir), "--processed-dir", str(current),
                                     "--reports-dir", str(reports)])
        line = _one_error_line(result)
        assert re.fullmatch(rf"error: another evalkit run \(pid {holder.pid}, started "
                            rf"\d\d:\d\d\) is using {re.escape(str(reports))}; wait for it "
                            r"to finish", line), line
        assert set(os.listdir(reports)) == {lock.LOCK_NAME}  # the refused run wrote nothing
    finally:
        holder.communicate("")
    assert not (reports / lock.LOCK_NAME).exists()  # removed on release


def test_a_clean_is_refused_while_a_run_uses_the_processed_folder(raw_dir, tmp_path, key_env):
    processed = tmp_path / "processed"
    holder = _holder(processed, "run")
    try:
        result = runner.invoke(app, ["clean", "--raw-dir", str(raw_dir),
                                     "--processed-dir", str(processed)])
        assert f"another evalkit run (pid {holder.pid}" in _one_error_line(result)
        assert not list(processed.glob("*.parquet"))
    finally:
        holder.communicate("")


def test_the_lock_is_reentrant_and_survives_a_killed_holder(tmp_path):
    folder = tmp_path / "reports"
    with lock.hold(folder, "run"):
        with lock.hold(folder, "clean"):  # run cleans while holding it
            assert (folder / lock.LOCK_NAME).exists()
        assert (folder / lock.LOCK_NAME).exists()
    assert not (folder / lock.LOCK_NAME).exists()
    holder = _holder(folder)
    with pytest.raises(lock.FolderInUseError, match=f"pid {holder.pid}"):
        with lock.hold(folder):
            pass
    holder.kill()  # SIGKILL: no clean-up runs, the file stays behind
    holder.wait()
    assert (folder / lock.LOCK_NAME).exists()
    with lock.hold(folder):  # the kernel released it: the next run takes it over
        info = json.loads((folder / lock.LOCK_NAME).read_text())
        assert info["pid"] == os.getpid() and info["command"] == "run"
    assert not (folder / lock.LOCK_NAME).exists()


def test_temporary_names_are_unique_and_renames_never_clash(tmp_path):
    target = tmp_path / "index.html"
    names = {lock.temp_beside(target) for _ in range(50)}
    assert len(names) == 50 and all(p.name.startswith(".index.html.") for p in names)
    mode = next(iter(names)).stat().st_mode & 0o777
    assert mode == 0o666 & ~lock._umask()  # as a file created the usual way, not 0600
    running = lock.temp_beside(tmp_path / "15.71-kota-jambi", ".running.ipynb")
    assert set(remove_leftovers(tmp_path)) == names | {running}  # all recognised as leftovers
    failures = []

    def write(n: int) -> None:
        try:
            for i in range(40):
                lock.write_atomic(target, f"writer {n} round {i}")
        except Exception as exc:  # fixed temporary names made this FileNotFoundError
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert re.fullmatch(r"writer \d round 39", target.read_text())
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


# --- damaged processed files ---------------------------------------------------------------

def test_a_truncated_table_or_manifest_makes_the_processed_data_stale(processed_copy, raw_dir):
    assert not raw_inputs_changed(raw_dir, processed_copy)
    survey = processed_copy / "survey.parquet"
    data = survey.read_bytes()
    survey.write_bytes(data[: len(data) // 2])
    why: list[str] = []
    assert raw_inputs_changed(raw_dir, processed_copy, why=why)
    assert "survey.parquet" in why[0] and "damaged" in why[0]
    # same size, other bytes: the hash tells
    survey.write_bytes(data[:100] + bytes(255 - b for b in data[100:200]) + data[200:])
    assert raw_inputs_changed(raw_dir, processed_copy)
    survey.write_bytes(data)
    assert not raw_inputs_changed(raw_dir, processed_copy)
    manifest = processed_copy / MANIFEST
    manifest.write_text(manifest.read_text()[:200])
    why = []
    assert raw_inputs_changed(raw_dir, processed_copy, why=why)
    assert MANIFEST in why[0]
    manifest.write_text("[1, 2]")  # JSON, but not a manifest
    assert raw_inputs_changed(raw_dir, processed_copy)


def test_an_old_manifest_without_outputs_still_finds_a_cut_off_table(processed_copy, raw_dir):
    manifest = json.loads((processed_copy / MANIFEST).read_text())
    del manifest["outputs"]
    (processed_copy / MANIFEST).write_text(json.dumps(manifest))
    assert not raw_inputs_changed(raw_dir, processed_copy)
    survey = processed_copy / "survey.parquet"  # a table the manifest's accounting lists
    survey.write_bytes(survey.read_bytes()[:-10])
    assert raw_inputs_changed(raw_dir, processed_copy)


def test_the_manifest_records_every_output(processed):
    outputs = processed.manifest["outputs"]
    written = sorted(p.name for p in processed.processed_dir.glob("*.parquet"))
    assert sorted(outputs) == written
    for name, entry in outputs.items():
        path = processed.processed_dir / name
        assert entry["bytes"] == path.stat().st_size and len(entry["sha256"]) == 64


def test_reading_a_damaged_table_names_the_file(processed_copy):
    (processed_copy / "items.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(EvalkitError, match=r"items\.parquet is damaged.*evalkit clean"):
        read_processed("items", processed_copy)
    (processed_copy / "scale.parquet").write_bytes(b"")
    with pytest.raises(EvalkitError, match=r"scale\.parquet is damaged"):
        read_scale(processed_copy)
    (processed_copy / "results" / "index.parquet").write_bytes(b"\x00" * 100)
    with pytest.raises(EvalkitError, match=r"results/index\.parquet is damaged"):
        products.read_result("index", processed_copy)


def test_damaged_results_are_stale_and_recomputed(processed_copy, monkeypatch):
    assert stages.results_current(processed_copy)
    out = products.results_dir(processed_copy)
    saved = {p.stem: pd.read_parquet(p) for p in out.glob("*.parquet")}
    calls = []
    monkeypatch.setattr(stages, "compute_results",
                        lambda folder: calls.append(folder) or saved)  # the same tables, fast
    table = out / "progress.parquet"
    table.write_bytes(table.read_bytes()[:-100])
    assert not stages.results_current(processed_copy)
    assert stages.ensure_results(processed_copy) and len(calls) == 1
    assert stages.results_current(processed_copy)
    pd.testing.assert_frame_equal(products.read_result("progress", processed_copy), saved["progress"])
    (out / stages.STAMP).write_text('{"processed": ')  # a stamp cut off
    assert not stages.results_current(processed_copy)
    (out / "index.parquet").unlink()
    stages.ensure_results(processed_copy)
    assert len(calls) == 2 and (out / "index.parquet").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left


def test_run_rebuilds_a_truncated_table_before_reporting(processed_copy, raw_dir, tmp_path,
                                                         monkeypatch, key_env):
    import evalkit.run.batch

    survey = processed_copy / "survey.parquet"
    survey.write_bytes(survey.read_bytes()[:500])
    seen = []

    def stop(regions, **kwargs):  # the reports themselves are not this test's business
        seen.append(len(read_processed("survey", kwargs["processed_dir"])))
        raise EvalkitError("stopped here")

    monkeypatch.setattr(evalkit.run.batch, "run_reports", stop)
    result = runner.invoke(app, ["run", "--lang", "id", "--raw-dir", str(raw_dir),
                                 "--processed-dir", str(processed_copy),
                                 "--reports-dir", str(tmp_path / "reports")])
    assert "survey.parquet is missing or damaged: cleaning first" in result.output
    assert _one_error_line(result) == "error: stopped here"
    assert seen and seen[0] > 0  # rebuilt and readable before any report ran


# --- one line for what an officer can fix ----------------------------------------------------

@pytest.mark.parametrize("pyarrow_style", [False, True], ids=["errno", "pyarrow-message"])
def test_a_full_disk_during_clean_is_one_line(raw_dir, tmp_path, monkeypatch, key_env,
                                              pyarrow_style):
    processed = tmp_path / "processed"
    writes = []

    def full(self, path, *args, **kwargs):
        writes.append(path)
        if pyarrow_style:  # pyarrow's OSError: no errno attribute, no file name
            raise OSError("[errno 28] Error writing bytes to file. Detail: [errno 28] "
                          "No space left on device")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    result = runner.invoke(app, ["clean", "--raw-dir", str(raw_dir),
                                 "--processed-dir", str(processed)])
    assert _one_error_line(result) == (f"error: no space left on the disk holding {processed}: "
                                       "free some space and run again")
    assert writes and not list(processed.iterdir())  # no half-written table, no lock file


def test_a_full_disk_during_run_stops_the_batch_in_one_line(current, raw_dir, tmp_path,
                                                            monkeypatch):
    import evalkit.run.batch

    reports = tmp_path / "reports"

    def full(notebook, output, parameters, **kwargs):
        Path(output).write_text("{")  # part of a notebook, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device", str(output))

    monkeypatch.setattr(evalkit.run.batch, "execute", full)
    result = runner.invoke(app, ["run", "-r", "96.02", "--lang", "id", "--jobs", "1",
                                 "--raw-dir", str(raw_dir), "--processed-dir", str(current),
                                 "--reports-dir", str(reports)])
    assert _one_error_line(result) == (f"error: no space left on the disk holding {reports}: "
                                       "free some space and run again")
    assert os.listdir(reports) == []  # no error file per report, no temporary, no lock


@pytest.mark.parametrize("code, words", [(errno.EROFS, "is on a read-only disk"),
                                         (errno.EACCES, "no permission to write in")])
def test_a_read_only_reports_folder_is_one_line(current, raw_dir, tmp_path, monkeypatch,
                                                code, words):
    reports = tmp_path / "reports"

    def refuse(folder, command):
        raise OSError(code, os.strerror(code), str(folder / lock.LOCK_NAME))

    monkeypatch.setattr(lock, "_acquire", refuse)
    result = runner.invoke(app, ["run", "-r", "96.02", "--lang", "id", "--raw-dir", str(raw_dir),
                                 "--processed-dir", str(current), "--reports-dir", str(reports)])
    assert _one_error_line(result).startswith(f"error: {reports} {words}" if code == errno.EROFS
                                              else f"error: {words} {reports}")


def test_a_really_read_only_reports_folder_is_one_line(current, raw_dir, tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    if IS_ROOT:  # root writes through a 0555 folder: make it immutable instead
        if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(reports)], capture_output=True).returncode:
            pytest.skip("root without a working chattr: no read-only folder to be had")
        undo = ["chattr", "-i", str(reports)]
    else:
        reports.chmod(0o555)
        undo = ["chmod", "755", str(reports)]
    try:
        result = runner.invoke(app, ["run", "-r", "96.02", "--lang", "id", "--raw-dir",
                                     str(raw_dir), "--processed-dir", str(current),
                                     "--reports-dir", str(reports)])
        assert _one_error_line(result) == (f"error: no permission to write in {reports}: make "
                                           "it writable (or give another folder), and run again")
    finally:
        subprocess.run(undo, check=True)


def test_any_other_os_error_names_its_path(tmp_path):
    exc = FileNotFoundError(errno.ENOENT, "No such file or directory", str(tmp_path / "x.csv"))
    assert lock.os_error_message(exc, [tmp_path]) == f"{tmp_path / 'x.csv'}: No such file or directory"
    assert lock.os_error_message(OSError(errno.EDQUOT, "Disk quota exceeded"), [tmp_path]) == \
        f"no space left on the disk holding {tmp_path}: free some space and run again"


def test_a_header_only_survey_at_run_is_one_line_naming_it(raw_copy, tmp_path, key_env):
    survey = raw_copy / RAW_FILES["survey"]
    pd.read_excel(survey).iloc[:0].to_excel(survey, index=False)
    result = runner.invoke(app, ["run", "--lang", "id", "--raw-dir", str(raw_copy),
                                 "--processed-dir", str(tmp_path / "processed"),
                                 "--reports-dir", str(tmp_path / "reports")])
    line = _one_error_line(result)
    assert RAW_FILES["survey"] in line and "only a header" in line


def test_a_survey_with_every_row_quarantined_is_one_line_at_run(raw_copy, tmp_path, key_env):
    survey = raw_copy / RAW_FILES["survey"]
    frame = pd.read_excel(survey)
    frame[[c for c in frame.columns if "/q" in c]] = None  # no item answered anywhere
    frame.to_excel(survey, index=False)
    result = runner.invoke(app, ["run", "--lang", "id", "--raw-dir", str(raw_copy),
                                 "--processed-dir", str(tmp_path / "processed"),
                                 "--reports-dir", str(tmp_path / "reports")])
    line = _one_error_line(result)  # was a ValueError traceback from the mixed model
    assert f"all {len(frame)} rows of the survey ({RAW_FILES['survey']}) were quarantined" in line
    assert "too_many_missing" in line
    with pytest.raises(EvalkitError, match="no survey response is left"):
        require_responses(tmp_path / "processed")


@pytest.mark.parametrize("how", ["inside", "symlink", "same"])
def test_output_folders_inside_the_raw_folder_are_refused(raw_copy, tmp_path, how, key_env):
    before = _tree(raw_copy)
    if how == "inside":
        processed, reports = raw_copy / "processed", raw_copy / "out" / "reports"
    elif how == "symlink":  # outside by name, inside once resolved
        (tmp_path / "link").symlink_to(raw_copy, target_is_directory=True)
        processed, reports = tmp_path / "link" / "processed", tmp_path / "link"
    else:
        processed, reports = raw_copy, raw_copy
    clean = runner.invoke(app, ["clean", "--raw-dir", str(raw_copy),
                                "--processed-dir", str(processed)])
    assert "is inside the raw data folder" in _one_error_line(clean)
    run = runner.invoke(app, ["run", "--lang", "id", "--raw-dir", str(raw_copy),
                              "--processed-dir", str(tmp_path / "ok"), "--reports-dir", str(reports)])
    assert f"--reports-dir {reports} is inside the raw data folder" in _one_error_line(run)
    validate = runner.invoke(app, ["validate", "--raw-dir", str(raw_copy),
                                   "--csv", str(reports / "problems.csv")])
    assert "--csv" in _one_error_line(validate)
    init = runner.invoke(app, ["init", str(processed / "project")])
    assert "inside the raw data folder" in _one_error_line(init)
    assert _tree(raw_copy) == before  # nothing written there, not even a lock
    assert not (tmp_path / "ok").exists()


def test_init_refuses_a_project_inside_another_projects_raw_folder(tmp_path):
    assert runner.invoke(app, ["init", str(tmp_path / "first")]).exit_code == 0
    raw = tmp_path / "first" / "data" / "raw"
    before = _tree(raw)
    line = _one_error_line(runner.invoke(app, ["init", str(raw / "second")]))
    assert f"inside the raw data folder {raw}" in line
    assert _tree(raw) == before


def test_a_reports_path_that_is_a_file_is_one_line(current, raw_dir, tmp_path):
    file = tmp_path / "reports"
    file.write_text("not a folder")
    result = runner.invoke(app, ["run", "--raw-dir", str(raw_dir), "--processed-dir",
                                 str(current), "--reports-dir", str(file)])
    assert f"--reports-dir {file} is a file, not a folder" in _one_error_line(result)


# --- nothing outlives the batch, nothing writes after it ---------------------------------------

@linux_only
def test_a_child_started_with_the_death_signal_dies_with_its_parent(tmp_path):
    """A middle process starts a sleeper through death_signal_preexec, then is SIGKILLed:
    the sleeper goes at once (without the signal it would sleep on, adopted by init)."""
    code = ("import subprocess, sys, time\nfrom evalkit.run.fork_kernel import death_signal_preexec\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
            " preexec_fn=death_signal_preexec())\nprint(child.pid, flush=True)\ntime.sleep(60)\n")
    middle = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    sleeper = int(middle.stdout.readline())
    middle.kill()
    middle.wait()
    assert _gone([sleeper], 5), "the sleeper outlived its parent"
    assert death_signal_preexec() is not None


@linux_only
def test_a_worker_whose_parent_is_already_gone_exits(tmp_path):
    """die_with_parent(expected) exits at once when the parent is no longer ``expected``."""
    code = ("import os\nfrom evalkit.run.fork_kernel import die_with_parent\n"
            "die_with_parent(os.getppid() + 100000)\nprint('survived')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1 and "survived" not in done.stdout


def test_a_report_made_in_a_worker_changes_no_final_name_until_committed(tmp_path, write_notebook):
    notebook = write_notebook(tmp_path / "nb.ipynb", "print(x * 2)", parameters="x = 1")
    reports = tmp_path / "reports"
    reports.mkdir()
    from evalkit.run.kernel_pool import close_worker_pool

    try:
        ok, html, nb, error, steps = make_report(notebook, "15.71-kota-jambi", {"x": 21},
                                                 reports, key="k")
    finally:  # the in-process pool keeps kernels ahead: later tests count this process's kernels
        close_worker_pool()
    assert ok and not error
    assert not html.exists() and not nb.exists()  # only temporary names so far
    assert all(p.name.startswith(".") for p in reports.iterdir())
    commit_outputs(steps)
    assert html.exists() and nb.exists() and (reports / "15.71-kota-jambi.run.json").exists()
    printed = ["".join(o["text"]) for c in json.loads(nb.read_text())["cells"]
               if c["cell_type"] == "code"
               for o in c["outputs"] if o.get("name") == "stdout"]
    assert printed == ["42\n"]  # x = 21 reached the notebook: 21 * 2
    assert not [p for p in reports.iterdir() if p.name.startswith(".")]


def _gone(pids: list[int], timeout: float) -> bool:
    """Whether every process in ``pids`` has ended (a zombie has) within ``timeout``."""
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not alive:
            return True
        time.sleep(0.1)
    return False


def _kernels(root) -> list:
    """Report kernels below ``root``: ipykernel processes, or children of a fork server."""
    import psutil

    found = []
    for proc in root.children(recursive=True):
        try:
            parent = proc.parent()
            if "ipykernel" in " ".join(proc.cmdline()) or (
                    parent is not None and "evalkit.run.fork_kernel" in " ".join(parent.cmdline())):
                found.append(proc)
        except psutil.Error:
            continue
    return found


@linux_only
@pytest.mark.slow
def test_sigkill_of_run_jobs_2_leaves_no_process_and_no_writer(current, raw_dir, tmp_path):
    psutil = pytest.importorskip("psutil")
    processed = tmp_path / "processed"
    shutil.copytree(current, processed)  # the run must not touch the session's folder
    reports = tmp_path / "reports"
    command = [sys.executable, "-m", "evalkit.run.cli", "run", "--jobs", "2", "--lang", "id",
               "--raw-dir", str(raw_dir), "--processed-dir", str(processed),
               "--reports-dir", str(reports)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = psutil.Process(proc.pid)
    pids: list[int] = []
    try:
        deadline = time.monotonic() + 180
        while not _kernels(root) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _kernels(root), "no report kernel started"
        time.sleep(1.0)  # kernels at work, reports being written
        pids = [p.pid for p in root.children(recursive=True)]
        assert len(pids) >= 4  # two workers, their fork servers, kernels
        os.kill(proc.pid, signal.SIGKILL)  # the CLI only: no handler, no clean-up
        proc.wait()
        assert _gone(pids, 10), [p for p in pids if psutil.pid_exists(p)]
        before = _tree(reports)
        time.sleep(5)
        assert _tree(reports) == before, "files changed after the kill"
    finally:
        for pid in pids:  # whatever the assertion, leave nothing running
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.poll() is None:
            proc.kill()


@pytest.mark.slow
def test_two_runs_at_once_one_refused_the_other_complete(current, raw_dir, tmp_path):
    processed = tmp_path / "processed"
    shutil.copytree(current, processed)
    reports = tmp_path / "reports"
    command = [sys.executable, "-m", "evalkit.run.cli", "run", "-r", "96.02", "--lang", "id",
               "--jobs", "1", "--raw-dir", str(raw_dir), "--processed-dir", str(processed),
               "--reports-dir", str(reports)]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 2], outs
    refused = outs[[p.returncode for p in procs].index(2)]
    assert "Traceback" not in refused
    errors = [line for line in refused.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and re.match(r"error: another evalkit run \(pid \d+, started "
                                         r"\d\d:\d\d\) is using .*; wait for it to finish",
                                         errors[0]), refused
    stem = "96.02-kabupaten-sorong-selatan"
    for name in (f"{stem}.html", f"{stem}.ipynb", f"{stem}.run.json", "synthesis.html",
                 "index.html", "summary.xlsx"):
        assert (reports / name).stat().st_size > 0, name
    assert not [p for p in reports.iterdir() if p.name.startswith(".")]
    assert not list(reports.glob("*.error.txt"))
    assert not raw_inputs_changed(raw_dir, processed)  # the processed data intact


def test_a_new_quarter_makes_the_clean_stale(tmp_path, monkeypatch, raw_dir, test_key):
    """future_year decides by the date of the clean: a value quarantined in 2026-Q4 as not
    yet observed may be the present in 2027-Q1, so the next quarter re-cleans."""
    from evalkit.clean.pipeline import raw_inputs_changed

    monkeypatch.setenv("EVALKIT_TODAY", "2026-11-02")
    run_clean(raw_dir, tmp_path / "p", key=test_key)
    monkeypatch.setenv("EVALKIT_TODAY", "2026-12-31")
    assert not raw_inputs_changed(raw_dir, tmp_path / "p")
    monkeypatch.setenv("EVALKIT_TODAY", "2027-01-01")
    why: list[str] = []
    assert raw_inputs_changed(raw_dir, tmp_path / "p", why=why)
    assert "new quarter" in why[0]
