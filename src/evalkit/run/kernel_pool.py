"""Pre-started, pre-warmed Jupyter kernels for the report batch: each runs one notebook.

A fresh report kernel spends most of a small report importing pandas, statsmodels,
seaborn and evalkit (DESIGN.md, "Import cost matters"). A :class:`KernelPool` starts
kernels *ahead of time* on background threads, so that the start overlaps the previous
report instead of adding to it. By default each kernel is forked from a server process
that already holds those imports (:mod:`evalkit.run.fork_kernel`), which removes the import
cost altogether; otherwise (``fork=False``, or where the platform cannot fork) it is a
new ``ipykernel`` process that runs :data:`WARM_CODE` (the imports) before it is handed
out. Either way papermill executes the notebook (:func:`execute_with_kernel` passes the
kernel manager to ``papermill.execute_notebook`` as ``km``; papermill hands it through
its ``NBClientEngine`` to ``nbclient.NotebookClient``, which then uses the running
kernel instead of starting one).

Isolation rules
---------------
* **One kernel, one notebook.** :meth:`KernelPool.take` hands each kernel out once and
  :func:`execute_with_kernel` shuts it down afterwards, whether the notebook succeeded
  or not; a kernel that has run a notebook is refused. No user state can reach the
  next region.
* **Warm-up leaves modules, not names.** The warm code runs as a *silent* request
  (``store_history=False``: no ``In``/``Out`` entries, the execution count stays at 0)
  and does all its imports inside a function that it deletes again, so the only
  traces are what any import leaves: entries in ``sys.modules``, library caches
  (matplotlib's font cache) and the selected matplotlib backend (the inline backend
  papermill kernels use). The user namespace is that of a fresh kernel, so a notebook
  that forgets ``import pandas as pd`` still fails with ``NameError`` as it would in a
  fresh kernel.
* **This environment's Python.** The pool calls :func:`evalkit.run.kernelspec.ensure_kernel`
  and checks, in each kernel, that ``sys.prefix`` is this environment's; a kernel of
  another environment raises :class:`KernelEnvironmentError`.

Processes
---------
A pool belongs to the process that created it (it owns threads and child processes).
In a ``ProcessPoolExecutor`` give each worker its own pool: :func:`execute_pooled` uses
:func:`worker_pool`, a per-process pool that is created on the worker's first task and
closed when the worker exits. Do not fork a process that holds a pool.

Every kernel dies with the process that started it, even when that process is killed
(SIGKILL runs no clean-up): forked kernels die with their fork server, which dies with
its owner; kernels of a new Python are launched through
:class:`evalkit.run.fork_kernel.DeathSignalProvisioner` (:class:`GuardedKernelManager`,
also what :mod:`evalkit.run.batch` gives papermill for ``--fresh-kernels``). See "Dying with
the parent" in :mod:`evalkit.run.fork_kernel` for Linux and elsewhere.
"""

from __future__ import annotations

import ast
import atexit
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from evalkit.core.config import KERNEL_ARGUMENTS, KERNEL_NAME
from evalkit.core.errors import EvalkitError
from evalkit.run.fork_kernel import (
    fork_available,
    fork_server,
    use_fork_provisioner,
    use_provisioner,
)
from evalkit.run.kernelspec import ensure_kernel

#: Run silently in each pooled kernel before it is handed out: the imports of
#: :data:`evalkit.run.kernel_preload.WARM_MODULES` and one throwaway figure rendered outside
#: pyplot (fonts, SVG writer), all inside a function that is deleted afterwards, so no
#: name reaches the user namespace. A forked kernel (:mod:`evalkit.run.fork_kernel`) has
#: all of it already and the warm code costs next to nothing; it still proves the kernel
#: answers and reports whose Python it runs.
WARM_CODE = """\
def __evalkit_warm__():
    from evalkit.run.kernel_preload import warm_up

    warm_up()


__evalkit_warm__()
del __evalkit_warm__
"""

# Evaluated in the kernel after the warm code (as user_expressions: no names are created).
_INFO_EXPRESSIONS = {
    "pid": "__import__('os').getpid()",
    "executable": "__import__('sys').executable",
    "prefix": "__import__('sys').prefix",
    "cwd": "__import__('os').getcwd()",
}

class KernelPoolError(EvalkitError):
    """A pooled kernel could not be started or warmed, or was used twice."""


class KernelEnvironmentError(KernelPoolError):
    """The kernel runs another environment's Python than the one running evalkit."""


@dataclass(frozen=True)
class KernelInfo:
    """What a pooled kernel reported about itself after warming up."""

    pid: int
    executable: str
    prefix: str
    cwd: str
    warm_seconds: float  # from launch to warmed (wall clock, in the background)


class GuardedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel dies with this process.

    Unless a provisioner was set (:func:`evalkit.run.fork_kernel.use_fork_provisioner`), the
    kernel is launched through :class:`evalkit.run.fork_kernel.DeathSignalProvisioner`.
    Give it to papermill as ``kernel_manager_class`` (nbclient's trait) for kernels
    papermill starts itself.
    """

    async def _async_pre_start_kernel(self, **kw: Any):  # type: ignore[override]
        if self.provisioner is None:  # (not None on restarts)
            if not self.kernel_id and kw.get("kernel_id"):
                self.kernel_id = kw.pop("kernel_id")
            use_provisioner(self)
        return await super()._async_pre_start_kernel(**kw)


class PooledKernelManager(GuardedKernelManager):
    """An ``AsyncKernelManager`` for one notebook run, its kernel dying with this process.

    It remembers the clients it creates: nbclient does not stop the channels of a client
    it made for a kernel manager it does not own, so :func:`shutdown` stops them (each
    holds sockets and a heartbeat thread). ``info`` is filled in by the pool; ``used``
    is set when a notebook has run on the kernel; ``timings`` records how long
    :func:`execute_with_kernel` spent moving, executing and shutting down.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clients: list = []
        self.info: KernelInfo | None = None
        self.used = False
        self.timings: dict[str, float] = {}  # seconds: move, execute, shutdown

    def client(self, **kwargs: Any):  # type: ignore[override]
        kc = super().client(**kwargs)
        self.clients.append(kc)
        return kc

    def close_clients(self) -> None:
        """Stop the channels of every client made for this kernel."""
        while self.clients:
            kc = self.clients.pop()
            try:
                kc.stop_channels()
            except Exception:  # a client that never started its channels
                pass


def _same_path(a: str | Path, b: str | Path) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def _expression_value(reply: dict, name: str) -> Any:
    result = reply["content"]["user_expressions"][name]
    if result.get("status") != "ok":
        raise KernelPoolError(f"the kernel could not evaluate {name}: {result.get('evalue')}")
    return ast.literal_eval(result["data"]["text/plain"])


class _Stopped(KernelPoolError):
    """The pool closed while this kernel was warming up."""

    def __init__(self) -> None:
        super().__init__("the kernel pool was closed")


async def _execute_silently(km: PooledKernelManager, code: str, timeout: float,
                            user_expressions: dict[str, str] | None = None,
                            stop: threading.Event | None = None) -> dict:
    """Run ``code`` in the kernel as a silent request; return the execute reply.

    Waits for the reply in short steps, so that a kernel that dies, or a pool that
    closes (``stop``), ends the wait at once instead of at ``timeout``.
    """
    kc = km.client()
    kc.start_channels(hb=False)  # km.is_alive() is checked instead of the heartbeat
    deadline = time.monotonic() + timeout
    try:
        await kc.wait_for_ready(timeout=timeout)
        msg_id = kc.execute(code, silent=True, store_history=False,
                            user_expressions=user_expressions or {})
        while True:
            try:
                reply = await kc.get_shell_msg(timeout=0.2)
            except queue.Empty:
                reply = None
            if reply is not None and reply["parent_header"].get("msg_id") == msg_id:
                break
            if stop is not None and stop.is_set():
                raise _Stopped
            if not await km.is_alive():
                raise KernelPoolError(f"kernel {km.kernel_name!r} died while warming up")
            if time.monotonic() > deadline:
                raise KernelPoolError(f"kernel {km.kernel_name!r} did not finish warming up "
                                      f"within {timeout:g} s")
    finally:
        kc.stop_channels()
        km.clients.remove(kc)
    content = reply["content"]
    if content["status"] != "ok":
        raise KernelPoolError(f"warm-up failed in kernel {km.kernel_name!r}: "
                              f"{content.get('ename')}: {content.get('evalue')}")
    return reply


async def _start_warm_kernel(kernel_name: str, warm_code: str, extra_arguments: Sequence[str],
                             cwd: str, timeout: float, stop: threading.Event | None = None,
                             fork: bool = False) -> PooledKernelManager:
    """Launch one kernel (forked, or a new Python), run the warm code, check whose Python it is."""
    start = time.perf_counter()
    km = PooledKernelManager(kernel_name=kernel_name)
    if fork:
        use_fork_provisioner(km)
    await km.start_kernel(extra_arguments=list(extra_arguments), cwd=cwd)
    try:
        reply = await _execute_silently(km, warm_code, timeout, _INFO_EXPRESSIONS, stop)
        info = KernelInfo(**{name: _expression_value(reply, name) for name in _INFO_EXPRESSIONS},
                          warm_seconds=time.perf_counter() - start)
        if not _same_path(info.prefix, sys.prefix):
            raise KernelEnvironmentError(
                f"kernel {kernel_name!r} runs {info.executable} (environment {info.prefix}), "
                f"not this environment ({sys.prefix}); run evalkit.run.kernelspec.ensure_kernel().")
        km.info = info
        # The control socket (an asyncio socket) was made on this thread's event loop;
        # the thread that runs the notebook makes its own when it shuts the kernel down.
        km._close_control_socket()
        return km
    except BaseException:
        km.close_clients()
        await km.shutdown_kernel(now=True)
        raise


def _start_in_thread(*args: Any) -> PooledKernelManager:
    # run_sync runs the coroutine on this thread's own event loop (kept for the thread).
    return run_sync(_start_warm_kernel)(*args)


class KernelPool:
    """Keep ``size`` kernels started and warmed ahead; hand each out once.

    Parameters
    ----------
    size : int
        How many kernels to keep starting/ready ahead of :meth:`take` (1-2 per
        worker process is plenty: each warm kernel holds the imports in memory).
    kernel_name : str
        Kernelspec to start (evalkit's own, registered in this environment).
    warm_code : str
        Code each kernel runs silently before it is handed out (:data:`WARM_CODE`).
        It should only import: whatever names it leaves are visible to the notebook.
    extra_arguments : sequence of str
        Extra command-line arguments for the kernel (as papermill's ``extra_arguments``).
    cwd : str or Path, optional
        Working directory of the kernels (default: this process's, at creation).
        :func:`execute_with_kernel` moves a kernel elsewhere when asked to.
    startup_timeout : float
        Seconds a kernel may take to start and run the warm code.
    fork : bool, optional
        Fork each kernel from this process's fork server, which already holds the
        imports (:mod:`evalkit.run.fork_kernel`), instead of starting a new Python. Default:
        wherever the platform can fork.

    Examples
    --------
    >>> with KernelPool(2) as pool:                                     # doctest: +SKIP
    ...     for region in regions:
    ...         execute_with_kernel(pool.take(), nb, out / f"{region}.ipynb",
    ...                             {"region_code": region}, cwd=nb.parent)
    """

    def __init__(self, size: int, kernel_name: str = KERNEL_NAME, warm_code: str = WARM_CODE,
                 extra_arguments: Sequence[str] = KERNEL_ARGUMENTS, *,
                 cwd: str | Path | None = None, startup_timeout: float = 60.0,
                 fork: bool | None = None) -> None:
        if size < 1:
            raise ValueError(f"a kernel pool needs size >= 1, not {size}")
        ensure_kernel()
        self.size = size
        self.kernel_name = kernel_name
        self.warm_code = warm_code
        self.extra_arguments = tuple(extra_arguments)
        self.cwd = str(Path(cwd if cwd is not None else os.getcwd()).resolve())
        self.startup_timeout = startup_timeout
        self.fork = fork_available() if fork is None else fork
        if self.fork:  # start it now: its errors surface here, and it outlives the pool
            fork_server()
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._closed = False
        self._stop = threading.Event()  # tells kernels still warming up to give up
        self._threads = ThreadPoolExecutor(max_workers=size,
                                           thread_name_prefix="evalkit-kernel-warm")
        self._pending: deque[Future] = deque(self._submit() for _ in range(size))

    def _submit(self) -> Future:
        return self._threads.submit(_start_in_thread, self.kernel_name, self.warm_code,
                                    self.extra_arguments, self.cwd, self.startup_timeout,
                                    self._stop, self.fork)

    def take(self, timeout: float | None = None) -> PooledKernelManager:
        """A started, warmed kernel (waiting for one if needed); a replacement starts warming.

        The kernel is the caller's: run one notebook on it with
        :func:`execute_with_kernel` (which shuts it down) or :func:`shutdown` it.
        """
        with self._lock:
            if self._closed:
                raise KernelPoolError("the kernel pool is closed")
            if os.getpid() != self.pid:
                raise KernelPoolError("a kernel pool cannot be used in a forked process; "
                                      "create one per process (see worker_pool)")
            # (empty only while other threads wait on every kernel started so far)
            head = self._pending.popleft() if self._pending else self._submit()
        try:
            km = head.result(timeout=timeout)
        except FutureTimeout:
            with self._lock:  # still warming: keep it for the next take (or for close)
                if not self._closed:
                    self._pending.appendleft(head)
                    raise
            head.add_done_callback(_discard)
            raise
        except BaseException:  # this kernel failed to start: the next one is tried afresh
            self._replace()
            raise
        self._replace()
        return km

    def _replace(self) -> None:
        with self._lock:
            if not self._closed and len(self._pending) < self.size:
                self._pending.append(self._submit())

    def close(self) -> None:
        """Shut down every kernel still in the pool (those starting are awaited first)."""
        with self._lock:
            if self._closed or os.getpid() != self.pid:
                return
            self._closed = True
            self._stop.set()
            pending, self._pending = list(self._pending), deque()
        for future in pending:
            if future.cancel():
                continue
            try:
                km = future.result()
            except Exception:  # stopped while warming (and killed then), or failed to start
                continue
            shutdown(km, now=True)
        self._threads.shutdown(wait=True)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _discard(future: Future) -> None:
    """Shut down the kernel of a future nobody will take any more."""
    if not future.cancelled() and future.exception() is None:
        shutdown(future.result(), now=True)


def kernel_alive(km: AsyncKernelManager) -> bool:
    """Whether the kernel process of ``km`` is running (a blocking call)."""
    return bool(run_sync(km.is_alive)())


def shutdown(km: PooledKernelManager, *, now: bool = False) -> None:
    """Stop the clients made for ``km`` and shut its kernel down (``now``: kill it)."""
    km.close_clients()
    if km.has_kernel:
        run_sync(km.shutdown_kernel)(now=now)


def _move_kernel(km: PooledKernelManager, cwd: str, timeout: float = 30.0) -> None:
    code = f"__import__('os').chdir({cwd!r})"  # a silent request that creates no name
    run_sync(_execute_silently)(km, code, timeout)


def execute_with_kernel(km: PooledKernelManager, input_path: str | Path,
                        output_path: str | Path | None, parameters: dict | None, *,
                        cwd: str | Path | None = None, kernel_name: str | None = None,
                        shutdown_now: bool = True, **papermill_kwargs: Any):
    """Execute one notebook with papermill on the pooled kernel ``km``, then shut it down.

    Parameters
    ----------
    km : PooledKernelManager
        A kernel from :meth:`KernelPool.take`, not used before.
    input_path, output_path, parameters
        As for ``papermill.execute_notebook``.
    cwd : str or Path, optional
        Working directory for the notebook; the kernel is moved there (silently) if it
        was started elsewhere, and papermill gets it too.
    kernel_name : str, optional
        Must be the pooled kernel's name (default); papermill uses it to translate the
        parameters.
    shutdown_now : bool
        Kill the kernel (default; nbclient's ``shutdown_kernel="immediate"``) instead of
        asking it to shut down. The notebook has run and its outputs are received, so
        the kernel has nothing left to do, while a graceful exit tears down an
        interpreter holding pandas/statsmodels/seaborn: measured 1.5-2.5 s here, CPU
        the next report could use. Use ``False`` for notebooks that rely on exit
        handlers (e.g. files left open).
    **papermill_kwargs
        Passed to ``papermill.execute_notebook`` (defaults: ``language="python"``,
        ``progress_bar=False``, ``log_output=False``).

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.

    Raises
    ------
    papermill.PapermillExecutionError
        When a cell fails (the kernel is shut down all the same).
    """
    import papermill as pm

    if not isinstance(km, PooledKernelManager):
        raise TypeError("execute_with_kernel needs a kernel from KernelPool.take()")
    if km.used or not km.has_kernel:
        raise KernelPoolError("this kernel has already run a notebook: a pooled kernel "
                              "is used for exactly one notebook")
    kernel_name = kernel_name or km.kernel_name
    if kernel_name != km.kernel_name:
        raise ValueError(f"kernel_name {kernel_name!r} is not the pooled kernel's "
                         f"({km.kernel_name!r})")
    km.used = True
    kwargs = {"language": "python", "progress_bar": False, "log_output": False,
              **papermill_kwargs}
    clock = time.perf_counter()
    try:
        if cwd is not None:
            cwd = str(Path(cwd).resolve())
            if km.info is None or not _same_path(km.info.cwd, cwd):
                _move_kernel(km, cwd)
        km.timings["move"] = time.perf_counter() - clock
        return pm.execute_notebook(
            str(input_path), None if output_path is None else str(output_path),
            parameters=parameters, kernel_name=kernel_name, cwd=cwd, km=km, **kwargs)
    finally:
        km.timings["execute"] = time.perf_counter() - clock - km.timings.get("move", 0.0)
        clock = time.perf_counter()
        shutdown(km, now=shutdown_now)
        km.timings["shutdown"] = time.perf_counter() - clock


# --- one pool per worker process ----------------------------------------------------

_worker_pool: KernelPool | None = None
_worker_pool_lock = threading.Lock()


def worker_pool(size: int = 1, **kwargs: Any) -> KernelPool:
    """This process's own pool, created on first use and closed when the process exits.

    Meant for ``ProcessPoolExecutor`` workers (each holds ``size`` kernels ahead). The
    arguments of the first call win. A pool inherited through ``fork`` is not reused.
    """
    global _worker_pool
    with _worker_pool_lock:
        if _worker_pool is None or _worker_pool.pid != os.getpid():
            _worker_pool = KernelPool(size, **kwargs)
            # multiprocessing workers leave through os._exit (no atexit), but run
            # their Finalize callbacks first; a main process runs atexit.
            from multiprocessing import util

            util.Finalize(_worker_pool, _worker_pool.close, exitpriority=10)
            atexit.register(_worker_pool.close)
        return _worker_pool


def close_worker_pool() -> None:
    """Close this process's :func:`worker_pool` (if any): its kernels kept ahead are shut down."""
    global _worker_pool
    with _worker_pool_lock:
        pool, _worker_pool = _worker_pool, None
    if pool is not None and pool.pid == os.getpid():
        pool.close()


def execute_pooled(input_path: str | Path, output_path: str | Path | None,
                   parameters: dict | None, *, pool_size: int = 1,
                   cwd: str | Path | None = None, **kwargs: Any):
    """:func:`execute_with_kernel` on a kernel of this process's :func:`worker_pool`.

    The pool's kernels start in ``cwd``, so they need not move. ``kwargs`` go to
    :func:`execute_with_kernel` (and on to papermill).
    """
    pool = worker_pool(pool_size, cwd=cwd)
    return execute_with_kernel(pool.take(), input_path, output_path, parameters, cwd=cwd,
                               **kwargs)
