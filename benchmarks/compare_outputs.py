"""Compare two runs' outputs in content: reports, workbooks, index, processed data.

    .venv/bin/python benchmarks/compare_outputs.py A B [--processed PA PB] [--details 5]
                                                   [--rtol 0] [--ignore REGEX ...]

``A`` and ``B`` are reports folders, or project folders (with ``reports/`` and
``data/processed/``, both then compared). Every file of either folder is compared with its
namesake in the other, by what a reader sees, not by bytes:

* ``*.ipynb``: the cell outputs in order (text/plain, text/markdown, text/html, streams,
  errors, images), the code and papermill metadata ignored (the code may move, the
  outputs may not);
* ``*.html`` (the reports' exports, the index): the text of the page, split at tags,
  links and attributes included;
* figures (SVG, inline or as ``data:image/svg+xml`` URIs): the SVG without its metadata
  and with its ids renamed in order of appearance; a figure that still differs is named
  with its cell, and "equal to 0.01" says the difference is below a hundredth of a point;
* ``*.xlsx``: the sheets, and per sheet every cell's value and number format (openpyxl);
* ``*.parquet``: columns, dtypes and values (pandas; floats exact unless ``--rtol``), a
  difference in row order only named as such;
* ``manifest.json``: its ``inputs`` and ``tables`` (input hashes, rows in, clean and
  quarantined); text files (``*.md``, ``*.txt``) normalised; anything else by bytes.
  Run records (``*.run.json``), the results stamp (``results.json``), hidden and
  temporary files are skipped (they hold only keys and timings), and so are README.md
  files (the repository's, not outputs).

Volatile bits are normalised first, in every text: run time stamps, git commits, short
(12-hex) digests of code, results and manifest, memory addresses, pandas Styler table ids,
nbconvert's cell anchors (the notebook's cell ids), and the folders of absolute paths
(``/tmp/x/data/processed`` becomes ``<path>/processed``).
``--ignore`` adds a regular expression whose matches are ignored too.

Prints one line per file (same, differs: where, missing in A/B) and exits 1 if anything
differs or is missing, 0 otherwise. ``--new-ok GLOB`` names files that may be in B only
(intended new outputs, e.g. ``processed/results/*``).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import difflib
import fnmatch
import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

# --- normalisation ---------------------------------------------------------------------

TIME = re.compile(r"\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?: ?UTC|Z|[+-]\d\d:?\d\d)?")
# A commit, with the "(+ uncommitted changes)" note the stamp adds in any language.
GIT = re.compile(r"\bgit [0-9a-f]{7,40}\b(?: \(\+[^)<]*\))?")
CELL_ID = re.compile(r"\bcell-id=[\w-]+")  # nbconvert's anchor per cell: the notebook's cell id
SHORT_DIGEST = re.compile(r"\b[0-9a-f]{12}\b")  # evalkit's shown digests; SHA-256s (64) stay
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,16}\b")
STYLER_ID = re.compile(r"\bT_[0-9a-f]{5}(?=[_\"' {#.,:]|$)")
# An absolute path of two or more parts not inside a URL or a word (http://x/y, a/b/c).
ABS_PATH = re.compile(r"(?<![\w.:/~-])/(?:[\w.\-]+/)+[\w.\-]+")
SVG_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=\s]+)")
RASTER_URI = re.compile(r"data:image/(?:png|jpeg|gif);base64,([A-Za-z0-9+/=\s]+)")
INLINE_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
SVG_REF = re.compile(r'(\bid="|url\(#|href="#)([^"\)]+)')
NUMBER = re.compile(r"-?\d+\.\d+")


@dataclass
class Normaliser:
    """Replaces the volatile bits of a text by placeholders.

    Parameters
    ----------
    ignore : list of str
        Further regular expressions whose matches are replaced by ``<ignored>``.
    """

    ignore: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ignore = [re.compile(p) for p in self.ignore]

    def text(self, s: str) -> str:
        # Only the last part of an absolute path is content (a run elsewhere, or a copy
        # of a run, names other folders): /tmp/x/data/processed -> <path>/processed.
        s = ABS_PATH.sub(lambda m: "<path>/" + m.group(0).rsplit("/", 1)[1], s)
        s = TIME.sub("<time>", s)
        s = GIT.sub("git <commit>", s)
        s = SHORT_DIGEST.sub("<digest>", s)
        s = ADDRESS.sub("0x<addr>", s)
        s = STYLER_ID.sub("T_<id>", s)
        s = CELL_ID.sub("cell-id=<id>", s)
        for pattern in self._ignore:
            s = pattern.sub("<ignored>", s)
        return s

    def markup(self, s: str) -> tuple[str, list[str]]:
        """HTML/markdown with its figures taken out: (text with ``<figure k>``
        placeholders, the normalised figures)."""
        figures: list[str] = []

        def take(svg: str) -> str:
            figures.append(normalise_svg(svg))
            return f"<figure {len(figures)}>"

        def from_uri(m: re.Match) -> str:
            try:
                return take(base64.b64decode(m.group(1)).decode("utf-8", "replace"))
            except (binascii.Error, ValueError):
                return take(m.group(1))

        s = SVG_URI.sub(from_uri, s)
        s = RASTER_URI.sub(lambda m: take("raster " + "".join(m.group(1).split())), s)
        s = INLINE_SVG.sub(lambda m: take(m.group(0)), s)
        return self.text(s), figures


def normalise_svg(svg: str) -> str:
    """An SVG without its metadata block and with its ids renamed in order of appearance
    (matplotlib's clip-path and marker ids are hashes that may change run to run)."""
    names: dict[str, str] = {}

    def rename(m: re.Match) -> str:
        return m.group(1) + names.setdefault(m.group(2), f"id{len(names)}")

    return SVG_REF.sub(rename, SVG_METADATA.sub("", svg))


def rounded(svg: str, digits: int = 2) -> str:
    return NUMBER.sub(lambda m: f"{float(m.group(0)):.{digits}f}", svg)


def first_difference(a: str, b: str, width: int = 70) -> str:
    """Where two texts first differ, as ``'...a...' vs '...b...'`` around that point."""
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, i - 25)

    def cut(s: str) -> str:
        return repr(("…" if start else "") + s[start:start + width].replace("\n", "⏎"))

    return f"{cut(a)} vs {cut(b)}"


# --- per kind of file --------------------------------------------------------------------

def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def notebook_outputs(path: Path, norm: Normaliser) -> list[tuple[str, str, str, list[str]]]:
    """The outputs of a notebook in order: (where: "cell i output j", kind, normalised text,
    figures)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        for j, o in enumerate(cell.get("outputs", []), 1):
            kind, where = o.get("output_type"), f"cell {i} output {j}"
            if kind == "stream":
                text = norm.text(_joined(o.get("text", "")))
                out.append((where, f"stream {o.get('name')}", text, []))
            elif kind == "error":
                out.append((where, "error", norm.text(f"{o.get('ename')}: {o.get('evalue')}"), []))
            else:  # display_data / execute_result: the same to a reader
                for mime in sorted(o.get("data", {})):
                    value = _joined(o["data"][mime])
                    if mime == "image/svg+xml":
                        out.append((where, mime, "<figure 1>", [normalise_svg(value)]))
                    elif mime.startswith("image/"):
                        out.append((where, mime, "<figure 1>", ["raster " + "".join(value.split())]))
                    elif mime == "application/json" or not isinstance(o["data"][mime], (str, list)):
                        text = norm.text(json.dumps(o["data"][mime], sort_keys=True))
                        out.append((where, mime, text, []))
                    else:
                        text, figures = norm.markup(value)
                        out.append((where, mime, text, figures))
    return out


SVG_TEXT = re.compile(r"<text\b[^>]*>([^<]*)</text>")


def figure_difference(fa: str, fb: str) -> str:
    """How two different figures differ: the first label that changed, else "drawing
    only" (with "equal to 0.01" when every number agrees to a hundredth)."""
    ta, tb = SVG_TEXT.findall(fa), SVG_TEXT.findall(fb)
    if ta != tb:
        k = next((i for i, (x, y) in enumerate(zip(ta, tb)) if x != y), min(len(ta), len(tb)))
        x = ta[k] if k < len(ta) else "(none)"
        y = tb[k] if k < len(tb) else "(none)"
        return f"text {x[:50]!r} vs {y[:50]!r}"
    return "drawing only" + (", equal to 0.01" if rounded(fa) == rounded(fb) else "")


def compare_notebooks(a: Path, b: Path, norm: Normaliser) -> list[str]:
    oa, ob = notebook_outputs(a, norm), notebook_outputs(b, norm)
    problems: list[str] = []
    if len(oa) != len(ob):
        problems.append(f"{len(oa)} vs {len(ob)} outputs")
    matcher = difflib.SequenceMatcher(None, [(k, t, tuple(f)) for _, k, t, f in oa],
                                      [(k, t, tuple(f)) for _, k, t, f in ob], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace":
            for (ca, ka, ta, fa), (cb, kb, tb, fb) in zip(oa[i1:i2], ob[j1:j2]):
                where = ca if ca == cb else f"{ca} / {cb}"
                if ka != kb:
                    problems.append(f"{where}: {ka} vs {kb}")
                elif ta != tb:
                    problems.append(f"{where} {ka}: {first_difference(ta, tb)}")
                elif len(fa) != len(fb):
                    problems.append(f"{where} {ka}: {len(fa)} vs {len(fb)} figures")
                else:
                    for k, (x, y) in enumerate(zip(fa, fb), 1):
                        if x != y:
                            problems.append(f"{where} {ka}: figure {k} differs: "
                                            + figure_difference(x, y))
            extra_a, extra_b = oa[i1 + (j2 - j1):i2], ob[j1 + (i2 - i1):j2]
        else:
            extra_a, extra_b = oa[i1:i2], ob[j1:j2]
        for c, k, t, _ in extra_a:
            problems.append(f"{c} {k} only in A: {t[:60]!r}")
        for c, k, t, _ in extra_b:
            problems.append(f"{c} {k} only in B: {t[:60]!r}")
    return problems


TAG = re.compile(r"<[^>]+>")


def html_lines(path: Path, norm: Normaliser) -> tuple[list[str], list[str]]:
    text, figures = norm.markup(path.read_text(encoding="utf-8"))
    lines = [ln.strip() for ln in re.sub(r">\s*", ">\n", text).splitlines()]
    return [ln for ln in lines if ln], figures


def compare_html(a: Path, b: Path, norm: Normaliser) -> list[str]:
    la, fa = html_lines(a, norm)
    lb, fb = html_lines(b, norm)
    problems: list[str] = []
    matcher = difflib.SequenceMatcher(None, la, lb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        section = _heading_before(la, i1)
        a_text = " ".join(la[i1:i2])
        b_text = " ".join(lb[j1:j2])
        problems.append(f"line {i1 + 1}{f' [{section}]' if section else ''}: "
                        f"{first_difference(a_text, b_text)}")
    if len(fa) != len(fb):
        problems.append(f"{len(fa)} vs {len(fb)} figures")
    for k, (x, y) in enumerate(zip(fa, fb), 1):
        if x != y:
            problems.append(f"figure {k} differs: {figure_difference(x, y)}")
    return problems


def _heading_before(lines: list[str], i: int) -> str:
    """The text of the last heading opened at or before line ``i``."""
    for k in range(min(i, len(lines) - 1), -1, -1):
        if re.match(r"<h[1-4]\b", lines[k]):
            heading = re.split(r"</h[1-4]>", "".join(lines[k:k + 8]))[0]
            return " ".join(TAG.sub(" ", heading).split())[:50]
    return ""


def _values_equal(x, y, rtol: float) -> bool:
    if x == y:
        return True
    if isinstance(x, float) and isinstance(y, float):
        if math.isnan(x) and math.isnan(y):
            return True
        return rtol > 0 and math.isclose(x, y, rel_tol=rtol, abs_tol=rtol)
    return False


def compare_xlsx(a: Path, b: Path, norm: Normaliser,
                 rtol: float = 0.0) -> list[str]:
    import openpyxl

    wa, wb = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    problems: list[str] = []
    if wa.sheetnames != wb.sheetnames:
        problems.append(f"sheets {wa.sheetnames} vs {wb.sheetnames}")
    for name in [n for n in wa.sheetnames if n in wb.sheetnames]:
        sa, sb = wa[name], wb[name]
        if (sa.max_row, sa.max_column) != (sb.max_row, sb.max_column):
            problems.append(f"{name}: {sa.max_row}x{sa.max_column} vs "
                            f"{sb.max_row}x{sb.max_column} cells")
        for r in range(1, max(sa.max_row, sb.max_row) + 1):
            for c in range(1, max(sa.max_column, sb.max_column) + 1):
                ca, cb = sa.cell(r, c), sb.cell(r, c)
                va, vb = ca.value, cb.value
                if isinstance(va, str):
                    va = norm.text(va)
                if isinstance(vb, str):
                    vb = norm.text(vb)
                if not _values_equal(va, vb, rtol):
                    problems.append(f"{name}!{ca.coordinate}: {va!r} vs {vb!r}"[:200])
                elif va is not None and ca.number_format != cb.number_format:
                    problems.append(f"{name}!{ca.coordinate}: format {ca.number_format!r} vs "
                                    f"{cb.number_format!r}")
    return problems


def compare_parquet(a: Path, b: Path, rtol: float = 0.0) -> list[str]:
    import numpy as np
    import pandas as pd

    da, db = pd.read_parquet(a), pd.read_parquet(b)
    problems: list[str] = []
    if list(da.columns) != list(db.columns):
        only_a = [c for c in da.columns if c not in db.columns]
        only_b = [c for c in db.columns if c not in da.columns]
        problems.append(f"columns differ (only in A: {only_a}, only in B: {only_b}"
                        + (", order" if not only_a and not only_b else "") + ")")
    if len(da) != len(db):
        return problems + [f"{len(da)} vs {len(db)} rows"]
    if not da.index.equals(db.index):
        problems.append("index differs")
    mismatched: list[str] = []
    for col in [c for c in da.columns if c in db.columns]:
        x, y = da[col], db[col]
        if x.dtype != y.dtype:
            problems.append(f"{col}: dtype {x.dtype} vs {y.dtype}")
        xs, ys = x.reset_index(drop=True), y.reset_index(drop=True)
        if xs.equals(ys):
            continue
        if (pd.api.types.is_float_dtype(x) and pd.api.types.is_float_dtype(y)):
            xv, yv = xs.to_numpy(float, na_value=np.nan), ys.to_numpy(float, na_value=np.nan)
            same = (xv == yv) | (np.isnan(xv) & np.isnan(yv))
            if same.all():
                continue
            both = ~same & ~np.isnan(xv) & ~np.isnan(yv)  # the rest: a value vs NaN
            delta = np.abs(xv - yv)[both].max() if both.any() else float("nan")
            close = np.isclose(xv, yv, rtol=rtol, atol=rtol, equal_nan=True) if rtol else same
            if close.all():
                continue
            mismatched.append(col)
            problems.append(f"{col}: {int((~same).sum())} of {len(xv)} values differ"
                            + (f", max |diff| {delta:.3g}" if both.any() else "")
                            + (f", {int((~same & ~both).sum())} NaN vs a value"
                               if (~same & ~both).any() else ""))
        else:
            neq = ~((xs == ys).fillna(False).astype(bool) | (xs.isna() & ys.isna()))
            if not neq.any():
                continue
            mismatched.append(col)
            k = int(np.flatnonzero(neq.to_numpy())[0])
            problems.append(f"{col}: {int(neq.sum())} of {len(xs)} values differ, "
                            f"row {k}: {xs.iloc[k]!r} vs {ys.iloc[k]!r}"[:200])
    if mismatched and list(da.columns) == list(db.columns):
        try:
            keys = list(da.columns)
            sa = da.sort_values(keys, kind="stable").reset_index(drop=True)
            sb = db.sort_values(keys, kind="stable").reset_index(drop=True)
            if sa.equals(sb):
                problems = [p for p in problems if not any(p.startswith(f"{c}:")
                                                          for c in mismatched)]
                problems.append("same rows in a different order")
        except (TypeError, ValueError):  # unorderable values: keep the column report
            pass
    return problems


def compare_manifest(a: Path, b: Path) -> list[str]:
    ja, jb = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    problems = []
    for key in ("inputs", "tables"):
        if ja.get(key) != jb.get(key):
            sub_a, sub_b = ja.get(key) or {}, jb.get(key) or {}
            names = sorted(n for n in set(sub_a) | set(sub_b) if sub_a.get(n) != sub_b.get(n))
            problems.append(f"{key}: {', '.join(names)}: "
                            + "; ".join(f"{sub_a.get(n)} vs {sub_b.get(n)}" for n in names[:2]))
    return problems


def compare_text(a: Path, b: Path, norm: Normaliser) -> list[str]:
    ta = norm.text(a.read_text(encoding="utf-8", errors="replace"))
    tb = norm.text(b.read_text(encoding="utf-8", errors="replace"))
    return [] if ta == tb else [first_difference(ta, tb)]


# --- folders -------------------------------------------------------------------------------

# Run records and the results stamp hold keys and timings only; README.md files are the
# repository's own (tracked in git), not outputs.
SKIP = re.compile(r"(\.run\.json|^results\.json|^README\.md|\.running\.ipynb|\.tmp|\.lock)$")


def wanted(rel: Path) -> bool:
    return not any(part.startswith(".") for part in rel.parts) and not SKIP.search(rel.name)


def files(folder: Path, pattern: str = "*") -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob(pattern)
            if p.is_file() and wanted(p.relative_to(folder))}


NEW_OK = "new in B (allowed)"


@dataclass
class Row:
    file: str
    status: str  # "same", "differs", "missing in A", "missing in B", NEW_OK
    details: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("same", NEW_OK)


def compare_file(a: Path, b: Path, norm: Normaliser,
                 rtol: float) -> list[str]:
    suffix = a.suffix.lower()
    try:
        if suffix == ".ipynb":
            return compare_notebooks(a, b, norm)
        if suffix in (".html", ".htm"):
            return compare_html(a, b, norm)
        if suffix == ".xlsx":
            return compare_xlsx(a, b, norm, rtol)
        if suffix == ".parquet":
            return compare_parquet(a, b, rtol)
        if a.name == "manifest.json":
            return compare_manifest(a, b)
        if suffix in (".md", ".txt", ".csv", ".json", ".svg"):
            return compare_text(a, b, norm)
        return [] if a.read_bytes() == b.read_bytes() else ["bytes differ"]
    except Exception as exc:  # a damaged file is a difference, not a crash of the comparison
        return [f"could not compare: {type(exc).__name__}: {exc}"[:200]]


def compare_folders(a: Path, b: Path, label: str, norm: Normaliser,
                    rtol: float = 0.0) -> list[Row]:
    """One row per file of ``a`` or ``b`` (relative paths prefixed with ``label``)."""
    fa, fb = files(a), files(b)
    rows = []
    for rel in sorted(fa | fb):
        name = f"{label}/{rel}" if label else str(rel)
        if rel not in fa:
            rows.append(Row(name, "missing in A"))
        elif rel not in fb:
            rows.append(Row(name, "missing in B"))
        else:
            problems = compare_file(a / rel, b / rel, norm, rtol)
            rows.append(Row(name, "differs" if problems else "same", problems))
    return rows


def resolve(folder: Path) -> tuple[Path, Path | None]:
    """A reports folder, or a project folder: (reports, processed or None)."""
    if (folder / "reports").is_dir():
        processed = folder / "data" / "processed"
        return folder / "reports", processed if processed.is_dir() else None
    return folder, None


def compare(a: Path, b: Path, processed: tuple[Path, Path] | None = None,
            ignore: list[str] | None = None, rtol: float = 0.0,
            new_ok: list[str] | None = None) -> list[Row]:
    """Compare two reports (or project) folders, and two processed folders if given.

    Parameters
    ----------
    a, b : Path
        Reports folders, or project folders holding ``reports/`` and ``data/processed/``
        (whose processed folders are then compared too unless ``processed`` is given).
    processed : (Path, Path), optional
        Processed data folders to compare (their ``results/`` included).
    ignore : list of str, optional
        Extra regular expressions to normalise away in every text.
    rtol : float
        Relative (and absolute) tolerance for floats in parquet and workbook cells;
        0 means exact.
    new_ok : list of str, optional
        Glob patterns (on the listed path, e.g. ``processed/results/*``) of files that may
        exist in B only: intended new outputs, listed as allowed instead of missing.

    Returns
    -------
    list of Row
        One per file: its path (``reports/...`` or ``processed/...``), status, details.
    """
    (ra, pa), (rb, pb) = resolve(Path(a)), resolve(Path(b))
    if processed is None and pa is not None and pb is not None:
        processed = (pa, pb)
    norm = Normaliser(list(ignore or []))
    rows = compare_folders(ra, rb, "reports", norm, rtol)
    if processed:
        rows += compare_folders(Path(processed[0]), Path(processed[1]), "processed",
                                norm, rtol)
    for row in rows:
        if row.status == "missing in A" and any(fnmatch.fnmatch(row.file, p)
                                                for p in new_ok or ()):
            row.status = NEW_OK
    return rows


def print_table(rows: list[Row], details: int = 5, out=None) -> None:
    out = out or sys.stdout
    width = max([len(r.file) for r in rows] + [4])
    print(f"{'file':<{width}}  status", file=out)
    for r in rows:
        print(f"{r.file:<{width}}  {r.status}", file=out)
        for d in r.details[:details]:
            print(f"{'':<{width}}    {d}", file=out)
        if len(r.details) > details:
            print(f"{'':<{width}}    ... and {len(r.details) - details} more", file=out)
    allowed = sum(r.status == NEW_OK for r in rows)
    print(f"\n{len(rows)} files: {sum(r.status == 'same' for r in rows)} same, "
          f"{sum(r.status == 'differs' for r in rows)} differ, "
          f"{sum(r.status.startswith('missing') for r in rows)} missing"
          + (f", {allowed} new in B (allowed)" if allowed else ""), file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="reports folder (or project folder) A, e.g. the "
                                             "baseline")
    parser.add_argument("b", type=Path, help="reports folder (or project folder) B")
    parser.add_argument("--processed", nargs=2, type=Path, metavar=("PA", "PB"),
                        help="also compare these processed data folders (with results/)")
    parser.add_argument("--ignore", action="append", default=[], metavar="REGEX",
                        help="a further volatile pattern to ignore (repeatable)")
    parser.add_argument("--rtol", type=float, default=0.0,
                        help="tolerance for floats in parquet/xlsx (default 0: exact)")
    parser.add_argument("--new-ok", action="append", default=[], metavar="GLOB",
                        help="files that may exist in B only, e.g. 'processed/results/*' "
                             "(intended new outputs; repeatable)")
    parser.add_argument("--details", type=int, default=5,
                        help="differences listed per file (default 5)")
    parser.add_argument("--only-differences", action="store_true",
                        help="list only the files that differ or are missing")
    args = parser.parse_args(argv)
    for folder in (args.a, args.b, *(args.processed or ())):
        if not folder.is_dir():
            parser.error(f"{folder} is not a folder")
    rows = compare(args.a, args.b, tuple(args.processed) if args.processed else None,
                   args.ignore, args.rtol, args.new_ok)
    if not rows:
        parser.error("no files to compare")
    shown = [r for r in rows if r.status != "same"] if args.only_differences else rows
    print_table(shown, args.details)
    if args.only_differences:
        print(f"({len(rows)} files compared)")
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
