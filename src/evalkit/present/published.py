"""The published reports: their file names and their HTML.

Both the batch that writes the reports (:mod:`evalkit.run.batch`) and the index page that
links them (:mod:`evalkit.present.index_page`) name a report by :func:`report_stem` /
:func:`synthesis_stem`; an executed notebook becomes the HTML a reviewer reads through
:func:`export_html`. Because the HTML is made here, this module is part of every report's
code digest (:func:`evalkit.run.batch.report_code_digest`).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path, PurePath

from evalkit.core.config import find_project_root
from evalkit.core.lock import write_atomic
from evalkit.read.regions import Region


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


def report_stem(region: Region, lang: str) -> str:
    """``15.71-kota-jambi`` (Indonesian) or ``15.71-kota-jambi.en`` (other languages)."""
    stem = f"{region.code}-{region.slug}"
    return stem if lang == "id" else f"{stem}.{lang}"


def synthesis_stem(lang: str) -> str:
    """``synthesis`` (Indonesian) or ``synthesis.en``."""
    return "synthesis" if lang == "id" else f"synthesis.{lang}"


@functools.lru_cache(maxsize=2)
def _html_exporter(show_code: bool):
    """One exporter per process and option: building one compiles nbconvert's templates."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    from evalkit.core.escape import csp_meta

    # nbconvert's lab template loads require.js and MathJax from a CDN: opened from
    # disk offline they fail (console errors) and the reports need neither. Nor widgets
    # (their manager is loaded from a CDN). A content-security policy first in <head>
    # is the second wall behind escaping: the report runs no script at all (it has
    # none) and loads nothing but data: URLs (escape.CSP_DIRECTIVES).
    offline = DictLoader({"evalkit_report.html.j2": (
        "{%- extends 'lab/index.html.j2' -%}\n"
        "{%- block html_head -%}" + csp_meta() + "\n{{ super() }}{%- endblock html_head -%}\n"
        "{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}\n"
        "{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}\n"
        "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
        "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n")})
    return HTMLExporter(extra_loaders=[offline], template_file="evalkit_report.html.j2",
                        exclude_input=not show_code, exclude_input_prompt=True,
                        exclude_output_prompt=True)


def export_html(notebook: Path, html: Path, *, show_code: bool = False) -> None:
    """Render an executed notebook to standalone HTML (code cells hidden by default)."""
    import nbformat

    body, _ = _html_exporter(show_code).from_notebook_node(nbformat.read(notebook, as_version=4))
    write_atomic(html, body)  # a unique temporary name: two writers never share one
