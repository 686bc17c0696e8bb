"""Kernels forked from the fork server: preloaded, isolated from each other, cleaned up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jupyter_core.utils import run_sync

from evalkit.core.config import MIN_CELL
from evalkit.run import fork_kernel
from evalkit.run.fork_kernel import fork_available, kernel_args
from evalkit.run.kernel_pool import KernelPool, execute_with_kernel, shutdown

pytestmark = pytest.mark.skipif(not fork_available(), reason="this platform cannot fork")

# The first cell looks at the kernel before the notebook imports anything; the second
# changes every kind of state a report could leave behind.
LOOK = """\
import json, os, sys
before = [m for m in ("pandas", "statsmodels.api", "seaborn", "evalkit.present.report") if m in sys.modules]
import numpy as np, pandas as pd
import evalkit.core.config
print(json.dumps({
    "pid": os.getpid(), "ppid": os.getppid(), "preloaded": before,
    "names": sorted(k for k in globals() if not k.startswith("_")),
    "min_cell": evalkit.core.config.MIN_CELL, "minidom": "xml.dom.minidom" in sys.modules,
    "env": os.environ.get("EVALKIT_LEAK"), "max_rows": pd.get_option("display.max_rows"),
    "random": float(np.random.random()), "cwd": os.getcwd(), "executable": sys.executable,
}))"""
CHANGE = """\
leaked_name = 1
evalkit.core.config.MIN_CELL = 999
import xml.dom.minidom
os.environ["EVALKIT_LEAK"] = "1"
pd.set_option("display.max_rows", 3)"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def runs(tmp_path_factory, write_notebook, printed_json):
    """The same notebook in three forked kernels, one after the other."""
    workdir = tmp_path_factory.mktemp("fork_kernel")
    notebook = write_notebook(workdir / "state.ipynb", LOOK, CHANGE, parameters="x = 0")
    with KernelPool(1, cwd=workdir, fork=True) as pool:
        seen = []
        for i in range(3):
            km = pool.take()
            assert km.provisioner.forked
            nb = execute_with_kernel(km, notebook, workdir / f"state-{i}.ipynb", {"x": i},
                                     cwd=workdir)
            seen.append(printed_json(nb, LOOK))
        server = fork_kernel.fork_server()
    return seen, server, workdir


def test_forked_kernels_hold_the_imports_before_the_first_cell(runs):
    seen, _, _ = runs
    for kernel in seen:
        assert kernel["preloaded"] == ["pandas", "statsmodels.api", "seaborn", "evalkit.present.report"]
        # ... but the user namespace is a fresh kernel's: the parameter, the cell's names
        assert {"x", "before", "np", "pd", "evalkit"} <= set(kernel["names"])
        assert {"report", "plt", "sns", "leaked_name"}.isdisjoint(kernel["names"])

def test_no_state_of_one_report_reaches_the_next(runs):
    seen, _, _ = runs
    # every run changed all of these in its own kernel; the next one sees the defaults
    for kernel in seen:
        assert kernel["min_cell"] == MIN_CELL != 999  # module attribute
        assert kernel["minidom"] is False  # module imported by the previous run
        assert kernel["env"] is None  # environment variable
        assert kernel["max_rows"] == 60  # library option (pandas' default)
    assert len({k["pid"] for k in seen}) == 3  # three processes
    # numpy's global random state is seeded afresh in each, as in a new interpreter
    assert len({k["random"] for k in seen}) == 3


def test_forked_kernels_are_children_of_the_server_and_run_this_python(runs):
    seen, server, workdir = runs
    for kernel in seen:
        assert kernel["ppid"] == server.pid
        assert kernel["executable"] == sys.executable
        assert Path(kernel["cwd"]) == workdir.resolve()
        assert not _running(kernel["pid"])  # killed after its notebook, and reaped


def test_a_forked_kernel_can_be_interrupted(tmp_path):
    with KernelPool(1, cwd=tmp_path, fork=True) as pool:
        km = pool.take()
        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=60)
            msg_id = kc.execute("import time; time.sleep(60)")
            time.sleep(1.0)
            run_sync(km.interrupt_kernel)()
            reply = run_sync(kc.get_shell_msg)(timeout=30)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = run_sync(kc.get_shell_msg)(timeout=30)
        finally:
            kc.stop_channels()
            shutdown(km, now=True)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"


OWNER = """\
import os, signal, sys
from evalkit.run.kernel_pool import KernelPool
from evalkit.run import fork_kernel
pool = KernelPool(1, cwd=sys.argv[1], fork=True)
km = pool.take()
print(km.info.pid, fork_kernel.fork_server().pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the owner dies without any clean-up
"""


def test_kernels_and_server_exit_when_their_owner_is_killed(tmp_path):
    owner = subprocess.run([sys.executable, "-c", OWNER, str(tmp_path)], capture_output=True,
                           text=True, timeout=300)
    assert owner.returncode == -signal.SIGKILL, owner.stderr
    kernel, server = map(int, owner.stdout.split())
    deadline = time.monotonic() + 20
    while (_running(kernel) or _running(server)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(server)
    assert not _running(kernel)


@pytest.mark.parametrize("cmd, expected", [
    ([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"], ["-f", "c.json"]),
    ([sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json", "--x=1"],
     ["-f", "c.json", "--x=1"]),
    ([sys.executable, "-E", "-m", "ipykernel_launcher", "-f", "c.json"], None),  # other option
    ([sys.executable, "-m", "other_kernel", "-f", "c.json"], None),  # not ipykernel
    (["/usr/bin/python-of-another-env", "-m", "ipykernel_launcher", "-f", "c.json"], None),
])
def test_only_this_pythons_ipykernel_is_forked(cmd, expected):
    assert kernel_args(cmd) == expected


def test_a_server_that_cannot_start_says_why(monkeypatch):
    monkeypatch.setattr(fork_kernel.sys, "executable", "/bin/false")
    with pytest.raises(fork_kernel.ForkServerError, match="did not start|has exited"):
        fork_kernel.ForkServer(timeout=10)


def test_the_server_belongs_to_this_process():
    server = fork_kernel.fork_server()
    assert server.owner == os.getpid() and fork_kernel.fork_server() is server
