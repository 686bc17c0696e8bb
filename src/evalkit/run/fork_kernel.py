"""Report kernels forked from a server process that already holds the imports.

A fresh ipykernel spends 2-3 s importing pandas, statsmodels, seaborn and evalkit
before the first cell; on a 2-core machine that is most of a small report. A *fork
server* (a "zygote", as Android and ``multiprocessing.forkserver`` call it) is a Python
process started once, which imports those modules
(:func:`evalkit.run.kernel_preload.warm_up`) and then, on each request, forks a child that
becomes an IPython kernel on the connection file jupyter_client wrote.
:class:`ForkProvisioner` is the jupyter_client kernel provisioner that asks for such a
child instead of starting a new Python; papermill and nbclient drive the kernel as
any other.

Isolation: the server never runs user code, so a kernel starts with the imported
modules and nothing else. Whatever one report does (names, module attributes it
changes, modules it imports) lives in its own process and is gone when that process is
killed; the next report's kernel is a new fork of the untouched server
(``tests/test_fork_kernel.py`` proves it). numpy's global random state is reseeded in
each child, as a fresh interpreter would seed it.

Why not ``multiprocessing``'s own fork server: its children re-import the parent's
``__main__`` before running anything, which fails for scripts without an
``if __name__ == "__main__"`` guard and costs time in the rest.

Lifetime: one server per process that starts kernels (:func:`fork_server`), started
with this environment's Python. It exits when its owner closes the connection or
dies; its kernels are told to watch their parent (``JPY_PARENT_PID``), so they follow.
Kernels get their own session (process group), as jupyter_client gives its kernels.

Dying with the parent
---------------------
A killed ``evalkit run`` (SIGKILL: no handler runs) must not leave its workers, fork
servers and kernels behind, still computing and writing. On Linux every process evalkit
starts asks the kernel to kill it when its parent goes (:func:`die_with_parent`,
``prctl(PR_SET_PDEATHSIG, SIGKILL)``), then checks that its parent is still the one that
started it (it may have died before the request was made): the batch's worker
processes (an initializer of the process pool), the fork server right after it starts,
each forked kernel right after the fork, and kernels started as a new Python
(:class:`DeathSignalProvisioner` sets it in the child before ``exec``; the setting
survives ``exec``). The signal comes from the kernel, at once, whatever the dead
parent's children are doing. Linux sends it when the *thread* that started the child
ends, so the fork server asks for it only when started from a main thread (a worker
thread of Dask may end before its process; the server then relies on the closed
connection, below).

Elsewhere (macOS and the BSDs have no ``PR_SET_PDEATHSIG``; Windows cannot fork) the
protection is weaker: :func:`die_with_parent` starts a thread that polls the parent
every half second; the fork server still exits when its owner's end of the socket
closes (the operating system closes it when the owner dies); kernels still exit through
ipykernel's own parent poller (``JPY_PARENT_PID``, about a second), and a forked
kernel's parent is the server. Kernels started as a new Python get no poll thread
there (a function run between fork and exec cannot start one): they rely on
ipykernel's poller alone.

:func:`fork_available` says whether this platform can fork kernels; where it cannot,
kernels start the usual way.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

from evalkit.core.errors import EvalkitError

_LAUNCHER = ["-m", "ipykernel_launcher"]
START_TIMEOUT = 120.0  # seconds the server may take to import everything


class ForkServerError(EvalkitError):
    """The fork server could not be started or stopped answering."""


def fork_available() -> bool:
    """Whether kernels can be forked here (POSIX with ``os.fork``)."""
    return hasattr(os, "fork") and sys.platform != "win32"


# --- dying with the parent -----------------------------------------------------------

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _load_prctl():
    """libc's ``prctl`` (Linux), looked up once: the pre-exec hook must not load libraries."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                      ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return prctl


_prctl = _load_prctl()


def death_signal_available() -> bool:
    """Whether the operating system kills a child when its parent dies (Linux)."""
    return _prctl is not None


def _set_death_signal() -> bool:
    return _prctl is not None and _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0


def die_with_parent(parent: int | None = None, *, poll: bool = True) -> None:
    """End this process when its parent process ends.

    On Linux the kernel is asked to SIGKILL this process when its parent goes
    (``prctl(PR_SET_PDEATHSIG)``); elsewhere, with ``poll``, a daemon thread checks
    the parent every 0.5 s. ``parent`` is the PID of the process that started this one
    (default: the parent now): when the parent is already another one (the starter died
    before the request, and this process was handed to init), this process exits at
    once.
    """
    expected = os.getppid() if parent is None else parent
    if not _set_death_signal() and poll:
        threading.Thread(target=_watch_parent, args=(expected,), daemon=True,
                         name="evalkit-parent-watch").start()
    if os.getppid() != expected:  # gone before the request could matter
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def death_signal_preexec(parent: int | None = None):
    """A ``preexec_fn`` for ``subprocess.Popen``: the child dies with this process.

    Runs in the child between fork and exec, so it only makes the (pre-loaded)
    ``prctl`` call and compares PIDs. None where there is no death signal.
    """
    if _prctl is None:
        return None
    parent = os.getpid() if parent is None else parent

    def preexec() -> None:
        _set_death_signal()
        if os.getppid() != parent:
            os._exit(1)

    return preexec


# --- the server (runs as `python -m evalkit.run.fork_kernel FD`) -------------------------

def _serve(fd: int, owner: int = 0) -> None:
    """Import what kernels need, then fork a kernel per request until the owner hangs up.

    ``owner``: the PID of the process that started the server, which this process
    dies with (:func:`die_with_parent`); 0: no death signal (the owner started the
    server from a thread that may end before it does).

    Requests and replies are JSON lines on the socket ``fd``:
    ``{"op": "fork", "args": [...], "env": {...}, "cwd": "..."}`` → ``{"pid": N}``;
    ``{"op": "status", "pid": N}`` → ``{"code": None}`` while it runs, else its exit
    code (negative: killed by that signal).
    """
    if owner:  # first of all: a server whose owner is gone must not import and wait
        die_with_parent(owner, poll=False)  # (without the signal: the hang-up, below)
    conn = socket.socket(fileno=fd)
    reader, writer = conn.makefile("rb"), conn.makefile("wb")
    start_path = sys.path[0] if sys.path else None
    server = os.getpid()
    try:
        os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        from evalkit.run.kernel_preload import KERNEL_MODULES, WARM_MODULES, warm_up

        warm_up(WARM_MODULES + KERNEL_MODULES)
        # Move what the imports allocated out of the collector's sight: a kernel's
        # collections then do not touch (and so copy) the server's shared pages
        # (the pre-fork advice of the gc.freeze documentation).
        gc.collect()
        gc.freeze()
        _reply(writer, {"ready": os.getpid()})
    except BaseException as exc:  # tell the owner why, then give up
        _reply(writer, {"error": f"{type(exc).__name__}: {exc}"})
        raise
    codes: dict[int, int] = {}
    for line in reader:
        request = json.loads(line)
        if request["op"] == "fork":
            pid = os.fork()
            if pid == 0:  # the child: never returns
                die_with_parent(server, poll=False)  # the server is single-threaded
                for stream in (reader, writer, conn):
                    stream.close()
                _become_kernel(request["args"], request["env"], request["cwd"], start_path)
            _reply(writer, {"pid": pid})
        elif request["op"] == "status":
            _reply(writer, {"code": _exit_code(request["pid"], codes)})
        else:
            _reply(writer, {"error": f"unknown request {request['op']!r}"})


def _reply(writer, message: dict) -> None:
    writer.write(json.dumps(message).encode() + b"\n")
    writer.flush()


def _exit_code(pid: int, codes: dict[int, int]) -> int | None:
    if pid not in codes:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not ours (or reaped long ago)
            return codes.get(pid, -1)
        if done == 0:
            return None
        codes[pid] = os.waitstatus_to_exitcode(status)
    return codes[pid]


def _become_kernel(args: list[str], env: dict[str, str], cwd: str, start_path: str | None) -> None:
    """In the forked child: run an IPython kernel on the given connection file, then exit."""
    code = 1
    try:
        os.setsid()  # own process group, as jupyter_client gives its kernels
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.environ.clear()
        os.environ.update(env)
        # Our parent is the server: when it goes (its owner died), the kernel goes too.
        # (ipykernel read JPY_PARENT_PID when the server imported it, so say it again.)
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        args = [*args, f"--IPKernelApp.parent_handle={os.getppid()}"]
        os.chdir(cwd)
        if sys.path and sys.path[0] == start_path:  # `python -m` puts the cwd first
            sys.path[0] = cwd
        if "numpy" in sys.modules:  # a fresh interpreter seeds it from the OS
            sys.modules["numpy"].random.seed()
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(args)
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


# --- the owner's side ----------------------------------------------------------------

class ForkServer:
    """A running fork server and the connection to it (one per owning process)."""

    def __init__(self, timeout: float = START_TIMEOUT) -> None:
        ours, theirs = socket.socketpair()
        self.owner = os.getpid()
        self._lock = threading.Lock()
        self._conn = ours
        self._reader, self._writer = ours.makefile("rb"), ours.makefile("wb")
        # The death signal follows the thread that starts the child: ask for it only
        # from a main thread (other threads, e.g. Dask's, may end before this process).
        owner = self.owner if threading.current_thread() is threading.main_thread() else 0
        self.process = subprocess.Popen(
            [sys.executable, "-m", "evalkit.run.fork_kernel", str(theirs.fileno()), str(owner)],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        theirs.close()
        ours.settimeout(timeout)
        try:
            hello = self._read()
        except (OSError, ValueError) as exc:
            self.close()
            raise ForkServerError(f"the kernel fork server did not start: {exc}") from exc
        ours.settimeout(None)
        if "error" in hello:
            self.close()
            raise ForkServerError(f"the kernel fork server failed to start: {hello['error']}")
        self.pid = hello["ready"]

    def _read(self) -> dict:
        line = self._reader.readline()
        if not line:
            raise ForkServerError("the kernel fork server has exited")
        return json.loads(line)

    def _ask(self, request: dict) -> dict:
        with self._lock:
            try:
                self._writer.write(json.dumps(request).encode() + b"\n")
                self._writer.flush()
                reply = self._read()
            except (OSError, ValueError) as exc:  # ValueError: we hung up already
                raise ForkServerError(f"the kernel fork server stopped answering: {exc}") from exc
        if "error" in reply:
            raise ForkServerError(reply["error"])
        return reply

    def fork(self, args: list[str], env: dict[str, str], cwd: str) -> int:
        """Fork a kernel with these ipykernel arguments, environment and directory; its PID."""
        return self._ask({"op": "fork", "args": args, "env": env, "cwd": cwd})["pid"]

    def status(self, pid: int) -> int | None:
        """None while kernel ``pid`` runs, else its exit code (negative: the signal)."""
        return self._ask({"op": "status", "pid": pid})["code"]

    def close(self) -> None:
        """Hang up; the server exits (and its remaining kernels follow it)."""
        for stream in (self._writer, self._reader, self._conn):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_server: ForkServer | None = None
_server_lock = threading.Lock()


def fork_server() -> ForkServer:
    """This process's fork server, started on first use and closed when the process exits."""
    global _server
    with _server_lock:
        if _server is None or _server.owner != os.getpid() or _server.process.poll() is not None:
            _server = ForkServer()
            atexit.register(_server.close)
            # multiprocessing workers leave through os._exit, after their Finalize callbacks
            from multiprocessing import util

            util.Finalize(_server, _server.close, exitpriority=5)
        return _server


class ForkedProcess:
    """The ``subprocess.Popen`` face of a forked kernel that ``LocalProvisioner`` uses."""

    stdin = stdout = stderr = None

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server = server
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.server.status(self.pid)
            except ForkServerError:  # the server is gone, and with it its children
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:  # (not poll(): a server already gone cannot answer)
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def kernel_args(cmd: list[str]) -> list[str] | None:
    """The kernel's own arguments if ``cmd`` starts this Python's ipykernel, else None.

    ``-X`` interpreter options before ``-m`` (ipykernel's kernelspec has
    ``-Xfrozen_modules=off``, which only matters to a debugger) cannot apply to a forked
    process and are dropped; any other interpreter option means the usual launch.
    """
    if not cmd or Path(cmd[0]).resolve() != Path(sys.executable).resolve():
        return None  # another environment's Python: it must start the usual way
    rest = list(cmd[1:])
    while rest and rest[0].startswith("-X"):
        rest.pop(0)
    return rest[2:] if rest[:2] == _LAUNCHER else None


class DeathSignalProvisioner(LocalProvisioner):
    """``LocalProvisioner`` whose kernel process dies with the process that launched it.

    The kernel gets :func:`death_signal_preexec` as ``preexec_fn`` (Linux; elsewhere it
    is launched as usual and relies on ipykernel's parent poller). The death signal
    follows the launching *thread*: launch from a thread that outlives the kernel (the
    kernel pool's start-up threads live until the pool closes).
    """

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        preexec = death_signal_preexec()
        if preexec is not None and "preexec_fn" not in kwargs:
            kwargs["preexec_fn"] = preexec
        return await super().launch_kernel(cmd, **kwargs)


class ForkProvisioner(DeathSignalProvisioner):
    """Start the kernel as a child of this process's fork server instead of a new Python.

    Connection file, ports, signals and shutdown are ``LocalProvisioner``'s. A command
    that is not this environment's ``python -m ipykernel_launcher`` is launched the
    usual way, dying with this process (``forked`` is then False).
    """

    forked = False

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        args = kernel_args(cmd)
        if args is None or not fork_available():
            return await super().launch_kernel(cmd, **kwargs)
        env = {k: str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        cwd = str(kwargs.get("cwd") or os.getcwd())
        server = fork_server()
        pid = server.fork(args, env, cwd)
        self.process = ForkedProcess(server, pid)
        self.pid = self.pgid = pid  # the child calls setsid() first thing
        self.cwd = cwd
        self.forked = True
        return self.connection_info


def use_provisioner(km, provisioner: type[LocalProvisioner] = DeathSignalProvisioner) -> None:
    """Have the (not yet started) kernel manager ``km`` launch through ``provisioner``.

    jupyter_client creates a provisioner from the kernelspec only when the manager has
    none, so setting one here needs neither a kernelspec change nor an entry point.
    """
    if km.has_kernel:
        raise RuntimeError("the kernel is already running")
    if not km.kernel_id:
        km.kernel_id = str(uuid.uuid4())
    km.provisioner = provisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)


def use_fork_provisioner(km) -> None:
    """Have the (not yet started) kernel manager ``km`` fork its kernel (:class:`ForkProvisioner`)."""
    use_provisioner(km, ForkProvisioner)


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
