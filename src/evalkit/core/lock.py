"""Guarding the output folders: one evalkit at a time, never inside data/raw, faults in words.

Four things every command that writes (``clean``, ``run``) needs before and while it
writes:

* **One writer per folder.** :func:`hold` takes an exclusive ``fcntl.flock`` on
  ``<folder>/.evalkit.core.lock`` (``run`` holds the reports folder's and the processed
  folder's, in that order; ``clean`` the processed folder's). A second evalkit on the
  same folder is refused at once with one line naming the first one's process and start
  time (:class:`FolderInUseError`): refusing, not waiting, lets a script decide to
  retry, and an officer who started a run twice by mistake is told so instead of
  watching a command hang. The lock is the kernel's (released when its holder exits,
  even by SIGKILL), so a crashed run never leaves a folder locked; the file itself is
  removed on release (a file left by a killed run is taken over by the next one).
  Within one process the lock is re-entrant (``run`` cleans while holding it). Where
  there is no ``fcntl`` (Windows) :func:`hold` does nothing.
* **Outputs outside the raw folder.** :func:`refuse_inside_raw` refuses an output folder
  that is (or, through symlinks, resolves into) the raw folder: data/raw is read-only
  to evalkit.
* **Unique temporary names.** :func:`temp_beside` makes a new file with a unique name
  beside its target (``tempfile.mkstemp``), so two writers never share a temporary
  file; the finished file is then renamed over the target (``os.replace``, atomic).
* **Disk faults in plain words.** :func:`os_error_message` turns an ``OSError`` (a full
  disk, a read-only or forbidden folder, any other) into one line naming the folder or
  the file.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from evalkit.core.errors import EvalkitError

try:
    import fcntl
except ImportError:  # Windows: no flock; the folders go unguarded there
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".evalkit.core.lock"


class FolderInUseError(EvalkitError):
    """Another evalkit process holds the folder's lock."""


# --- one writer per folder ------------------------------------------------------------

_held: dict[str, tuple[int, int]] = {}  # resolved folder -> (fd, depth), this process
_held_lock = threading.Lock()


def _holder_text(fd: int, folder: Path) -> str:
    """"another evalkit run (pid N, started HH:MM) is using <folder>; ..." from the lock file."""
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
        who = (f"another evalkit {info['command']} (pid {int(info['pid'])}, started "
               f"{time.strftime('%H:%M', time.localtime(float(info['started'])))})")
    except (OSError, ValueError, KeyError, TypeError):  # written a moment from now
        who = "another evalkit process"
    return f"{who} is using {folder}; wait for it to finish"


def _acquire(folder: Path, command: str) -> int:
    path = folder / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = _holder_text(fd, folder)
            os.close(fd)
            raise FolderInUseError(message) from None
        except BaseException:
            os.close(fd)
            raise
        # The holder before us may have removed the file between our open and our
        # flock: then we locked a file nobody else will find. Take the one on disk.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        info = json.dumps({"pid": os.getpid(), "command": command, "started": time.time()})
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode("utf-8"), 0)
    except BaseException:  # a full disk, say: give the lock back before saying so
        _release(path, fd)
        raise
    return fd


def _release(path: Path, fd: int) -> None:
    # Removed while still locked, so nobody can lock this file after we let go of it.
    with contextlib.suppress(OSError):
        if os.path.samestat(os.fstat(fd), os.stat(path)):
            os.unlink(path)
    os.close(fd)


@contextlib.contextmanager
def hold(folder: Path | str, command: str = "run") -> Iterator[Path]:
    """Hold ``folder``'s lock for the ``with`` block; refuse if another evalkit holds it.

    The folder is created if needed. ``command`` names what this process does, for
    the message the other one gets.

    Raises
    ------
    FolderInUseError
        "another evalkit run (pid N, started HH:MM) is using <folder>; wait for it to
        finish".
    OSError
        The lock file cannot be made (a read-only or full disk:
        :func:`os_error_message` says it in words).
    """
    folder = Path(folder)
    if fcntl is None:
        yield folder
        return
    folder.mkdir(parents=True, exist_ok=True)
    key = str(folder.resolve())
    with _held_lock:
        if key in _held:  # this process holds it already (run -> clean)
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
        else:
            _held[key] = (_acquire(folder, command), 1)
    try:
        yield folder
    finally:
        with _held_lock:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                _release(folder / LOCK_NAME, fd)


@contextlib.contextmanager
def hold_all(folders: Iterable[Path | str], command: str = "run") -> Iterator[None]:
    """:func:`hold` each of ``folders`` in the order given (one folder given twice: once)."""
    with contextlib.ExitStack() as stack:
        seen = set()
        for folder in folders:
            key = Path(folder).resolve()
            if key not in seen:
                seen.add(key)
                stack.enter_context(hold(folder, command))
        yield


# --- outputs outside the raw folder ---------------------------------------------------

def inside(path: Path | str, folder: Path | str) -> bool:
    """Whether ``path`` is ``folder`` or lies below it, symlinks resolved."""
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


def refuse_inside_raw(raw_dir: Path | str, outputs: Mapping[str, Path | str | None]) -> None:
    """Raise when an output folder is the raw folder or lies inside it.

    ``outputs`` maps how the officer gave each folder (``"--reports-dir"``) to it
    (None: not used). data/raw is read-only to evalkit: writing there would mix
    outputs into the inputs (and the next clean would read them).
    """
    for option, folder in outputs.items():
        if folder is not None and inside(folder, raw_dir):
            raise EvalkitError(f"{option} {folder} is inside the raw data folder {raw_dir}, "
                               "which is read-only to evalkit: give a folder outside it.")


# --- unique temporary names -----------------------------------------------------------

def _umask() -> int:
    try:  # Linux: read it, since setting it to read it races with other threads
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def temp_beside(target: Path | str, suffix: str = ".tmp") -> Path:
    """A new, empty file with a unique name next to ``target``: ``.<name>.<random><suffix>``.

    Write it, then ``os.replace`` it onto ``target``. Its permissions are those of a
    file created the usual way (``mkstemp`` would leave it readable by its owner only).
    """
    target = Path(target)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
    finally:
        os.close(fd)
    return Path(name)


def replace_atomic(target: Path | str, write: Callable[[Path], object]) -> Path:
    """``write(tmp)`` into a :func:`temp_beside` file, then rename it onto ``target``
    (never half-written). An ``OSError`` that names no file (pyarrow's) is raised again
    naming ``target``, so the message an officer gets says where the disk is full."""
    target = Path(target)
    tmp = temp_beside(target)
    try:
        write(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        if exc.filename is None:
            raise OSError(error_code(exc), exc.strerror or str(exc), str(target)) from exc
        raise
    finally:
        tmp.unlink(missing_ok=True)
    return target


def write_atomic(target: Path | str, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``target`` through :func:`replace_atomic`."""
    if isinstance(data, str):
        return replace_atomic(target, lambda tmp: tmp.write_text(data, encoding="utf-8"))
    return replace_atomic(target, lambda tmp: tmp.write_bytes(data))


# --- disk faults in plain words -------------------------------------------------------

DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def error_code(exc: BaseException) -> int | None:
    """The errno of an ``OSError``; also found in the text of pyarrow's ("[errno 28]")."""
    if not isinstance(exc, OSError):
        return None
    if exc.errno:
        return exc.errno
    found = re.search(r"\[errno (\d+)\]", str(exc), re.IGNORECASE)
    if found:
        return int(found[1])
    return errno.ENOSPC if "no space left" in str(exc).lower() else None


def is_disk_fault(exc: BaseException) -> bool:
    """A full disk, or a folder evalkit may not write in: the officer's to fix, for
    every report at once (so a batch stops instead of failing each report)."""
    return error_code(exc) in DISK_FULL | NOT_WRITABLE


def os_error_message(exc: OSError, folders: Iterable[Path | str | None] = ()) -> str:
    """One line for an ``OSError``, naming the folder (one of ``folders`` when the file is
    in it, else the file's folder) or the file.

    >>> os_error_message(OSError(28, "No space left on device", "/data/x.parquet"))
    'no space left on the disk holding /data: free some space and run again'
    """
    filename = exc.filename if isinstance(exc.filename, (str, bytes, os.PathLike)) else None
    filename = os.fsdecode(filename) if filename is not None else None
    given = [Path(f) for f in folders if f is not None]
    folder = None
    if filename is not None:
        folder = next((f for f in given if inside(filename, f)), Path(filename).parent)
    elif given:
        folder = given[0]
    code = error_code(exc)
    if code in DISK_FULL:
        return f"no space left on the disk holding {folder or 'the output folders'}: " \
               "free some space and run again"
    if code == errno.EROFS:
        return f"{folder or 'the output folder'} is on a read-only disk: give a folder on " \
               "a writable disk, and run again"
    if code in (errno.EACCES, errno.EPERM):
        return f"no permission to write in {folder or 'the output folder'}: make it " \
               "writable (or give another folder), and run again"
    what = exc.strerror or str(exc) or type(exc).__name__
    return f"{filename}: {what}" if filename else f"{folder or 'file system'}: {what}"
