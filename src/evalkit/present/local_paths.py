"""What a published file may say about where things are on this machine: nothing
absolute (issue #16).

An absolute path in a report, notebook, run record or workbook publishes the officer's
user name and folder layout. :func:`published_path` names a folder relative to its
project; :func:`machine_folders` and :func:`drop_local_paths` cut this machine's folders
out of the texts a kernel writes (tracebacks, warnings).

Kept apart from :mod:`evalkit.present.published` (the HTML export and its print
stylesheet) so the regional report, which names its processed folder, does not carry the
stylesheet in its code digest.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from evalkit.core.config import find_project_root


def project_relative(path: Path | str, root: Path | str | None = None) -> str | None:
    """``path`` relative to its project folder, as POSIX text (``data/processed``); None
    when it lies outside it.

    ``root``: the project folder (default: :func:`evalkit.core.config.find_project_root`
    of ``path``, the first of its parents holding ``data/raw``, or ``$EVALKIT_ROOT``). A
    relative ``path`` is read from the current folder, symbolic links left as they are.
    """
    folder = Path(os.path.abspath(path))
    base = Path(os.path.abspath(root if root is not None else find_project_root(folder)))
    try:
        relative = folder.relative_to(base)
    except ValueError:
        return None
    return relative.as_posix() or "."


def published_path(path: Path | str, root: Path | str | None = None) -> str:
    """A folder as a published report names it: relative to its project folder when
    inside it (:func:`project_relative`), else its folder name alone; never an absolute
    path, which would publish the officer's user name (issue #16). A relative path
    without ``..`` (what the batch passes the notebooks) and ``""`` stay as they are."""
    text = str(path)
    if not text or (not PurePath(text).is_absolute() and ".." not in PurePath(text).parts):
        return PurePath(text).as_posix() if text else text
    relative = project_relative(text, root)
    return relative if relative is not None else Path(os.path.abspath(text)).name


def machine_folders(root: Path | str | None = None) -> list[tuple[str, str]]:
    """The folders of this machine a traceback or warning can name, each with what a
    published file says instead, longest first (the most specific wins).

    evalkit's own modules become ``evalkit/...``, installed packages ``site-packages/...``,
    the standard library ``python/...``, the environment ``python-env``, the project
    folder ``root`` (the kernel's working folder) ``.`` and the home folder ``~``.
    """
    import sys
    import sysconfig

    import evalkit

    folders = {str(Path(evalkit.__file__).resolve().parent.parent): "",
               sysconfig.get_paths()["purelib"]: "site-packages",
               sysconfig.get_paths()["platlib"]: "site-packages",
               sysconfig.get_paths()["stdlib"]: "python",
               sys.prefix: "python-env", sys.base_prefix: "python-env",
               str(Path.home()): "~"}
    if root is not None:
        folders[str(root)] = "."
    out = {}
    for folder, name in folders.items():
        # as typed and resolved (a symbolic link in the home folder, /tmp on macOS)
        for form in {os.path.abspath(folder), os.path.realpath(folder)}:
            if form != os.sep:  # never "/" itself: every path would lose its root
                out.setdefault(form, name)
    return sorted(out.items(), key=lambda kv: -len(kv[0]))


def drop_local_paths(text: str, folders: list[tuple[str, str]]) -> str:
    """``text`` (a traceback, a warning) with every folder of ``folders``
    (:func:`machine_folders`) replaced by its published name: an absolute path would
    publish the officer's user name and folder layout (issue #16)."""
    import re

    for folder, name in folders:
        if folder in text:
            text = text.replace(folder + os.sep, name + "/" if name not in ("", ".") else "")
            # the folder itself, not the start of a longer name (/home/ana of /home/ana2)
            text = re.sub(re.escape(folder) + r"(?![\w.-])", name or ".", text)
    return text
