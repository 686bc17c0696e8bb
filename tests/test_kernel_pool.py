"""Pooled kernels: warmed before use, this environment's Python, used once, never leaked."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from jupyter_client.channels import HBChannel
from papermill.exceptions import PapermillExecutionError

from evalkit.run.kernel_pool import (
    KernelPool,
    KernelPoolError,
    execute_with_kernel,
    kernel_alive,
)

# First cell after the parameters: nothing has been imported by the notebook yet.
REPORT_CELL = """\
import json, os, sys
print(json.dumps({
    "pid": os.getpid(), "executable": sys.executable, "prefix": sys.prefix,
    "cwd": os.getcwd(), "preloaded": [m for m in ("pandas", "evalkit.present.report") if m in sys.modules],
    "names": sorted(k for k in globals() if not k.startswith("_")),
}))"""
LEAK_CELLS = (
    'if secret_value:\n    secret = secret_value',  # run 1 defines a variable ...
    'if not secret_value:\n    assert "secret" not in globals(), "state leaked from an earlier run"',
)


def _kernel_children() -> list[int]:
    """PIDs of this process's running kernels (Linux /proc).

    Kernels started the usual way are ipykernel children of this process; forked ones
    are children of this process's fork server (evalkit.run.fork_kernel).
    """
    from evalkit.run import fork_kernel

    server = fork_kernel._server
    servers = {server.pid} if server is not None and server.owner == os.getpid() else set()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        state = stat.rsplit(")", 1)[1].split()[0]
        ours = (ppid == os.getpid() and b"ipykernel" in cmdline) or ppid in servers
        if ours and state != "Z":
            pids.append(int(entry.name))
    return pids


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("kernel_pool")


@pytest.fixture(scope="module", params=[True, False], ids=["forked", "new-python"])
def pool(workdir, request):
    """Kernels forked from the fork server (the default), and kernels of a new Python."""
    with KernelPool(2, cwd=workdir, fork=request.param) as kernels:
        yield kernels


@pytest.fixture(scope="module")
def two_runs(pool, workdir, write_notebook, printed_json):
    """The same notebook twice: run 1 sets ``secret``, run 2 asserts it is not there.

    Each run: its kernel manager, the executed notebook and what REPORT_CELL printed.
    """
    notebook = write_notebook(workdir / "leak.ipynb", REPORT_CELL, *LEAK_CELLS,
                              parameters='secret_value = ""')
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    runs = []
    for i, (secret, cwd) in enumerate([("s3cr3t", workdir), ("", elsewhere)]):
        km = pool.take()
        nb = execute_with_kernel(km, notebook, workdir / f"leak-{i}.ipynb",
                                 {"secret_value": secret}, cwd=cwd)
        runs.append((km, nb, printed_json(nb, REPORT_CELL)))
    return runs


def test_a_variable_set_by_one_run_is_not_visible_in_the_next(two_runs):
    (km1, _, first), (km2, _, second) = two_runs  # run 2 would have raised had `secret` leaked
    assert first["pid"] != second["pid"]  # two kernel processes
    assert km1.info.pid == first["pid"] and km2.info.pid == second["pid"]
    assert not kernel_alive(km1) and not kernel_alive(km2)  # each used once, then shut down
    assert not [t for t in threading.enumerate() if isinstance(t, HBChannel)]  # no leaked clients


def test_a_used_kernel_is_refused(two_runs, workdir):
    km, _, _ = two_runs[0]
    with pytest.raises(KernelPoolError, match="exactly one notebook"):
        execute_with_kernel(km, workdir / "leak.ipynb", None, {})


def test_kernels_are_warm_but_their_namespace_is_fresh(two_runs):
    for _, nb, report in two_runs:
        assert report["preloaded"] == ["pandas", "evalkit.present.report"]  # imported before the notebook
        # ... yet the warm-up left no names: only the notebook's parameter and imports
        assert not {"pd", "np", "plt", "report", "secret"} & set(report["names"])
        assert "secret_value" in report["names"]
        first = next(c for c in nb.cells if c.cell_type == "code")
        assert first.execution_count == 1  # the warm-up did not count as an execution


def test_kernels_run_this_environment_in_the_requested_folder(two_runs, workdir):
    (km1, _, first), (_, _, second) = two_runs
    assert first["executable"] == sys.executable == km1.info.executable
    assert Path(first["prefix"]).resolve() == Path(sys.prefix).resolve()
    assert Path(first["cwd"]) == workdir.resolve()
    assert Path(second["cwd"]) == (workdir / "elsewhere").resolve()  # moved there


def test_a_failing_notebook_raises_and_its_kernel_is_shut_down(pool, workdir, write_notebook):
    notebook = write_notebook(workdir / "fails.ipynb", 'raise ValueError("boom")',
                              parameters='secret_value = ""')
    km = pool.take()
    pid = km.info.pid
    with pytest.raises(PapermillExecutionError) as failure:
        execute_with_kernel(km, notebook, workdir / "fails-out.ipynb", {}, cwd=workdir)
    assert failure.value.ename == "ValueError" and "boom" in failure.value.evalue
    assert not kernel_alive(km)
    assert pid not in _kernel_children()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped, not a zombie
    assert (workdir / "fails-out.ipynb").exists()  # papermill saved the failed notebook


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "new-python"])
def test_closing_the_pool_shuts_down_the_kernels_kept_ahead(workdir, fork):
    """A pool of its own, its kernels waited for: the kernels it keeps ahead, never taken."""
    pool = KernelPool(2, cwd=workdir, fork=fork)
    try:
        ahead = [future.result(timeout=120) for future in list(pool._pending)]
        pids = {km.info.pid for km in ahead}
        assert len(pids) == 2 and pids <= set(_kernel_children())  # started, warm, waiting
    finally:
        pool.close()
    assert not pids & set(_kernel_children())
    assert not any(kernel_alive(km) for km in ahead)
    with pytest.raises(KernelPoolError, match="closed"):
        pool.take()
