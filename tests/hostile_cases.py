"""The bad-input corpus of issue #15: broken files and attacks, generated at test time.

Each :class:`Case` is one thing a careless officer or a hostile partner does to the raw
folder (an unclosed quote, a UTF-16 register, a password-protected workbook, a
``<script>`` in an organisation name, a crafted ``-r`` value...), the command run on it
(``clean``, ``validate`` or ``run``) and what must hold afterwards. Nothing bad is
committed: every case mutates a scratch copy of the demo raw data
(:data:`evalkit.core.config.RAW_DATA_DIR`) or of the independent NTT programme
(:mod:`own_data`), or the one payload-laden project built with :mod:`payloads`.

Every case is checked for (:func:`evaluate`):

- the exit code (0: bad rows quarantined/flagged with a named reason; 2: a fault the
  officer must fix; 1 for ``validate``: problems listed);
- no ``Traceback`` in the output; on exit 2 exactly one ``error:`` line, naming the file
  and, where the issue says so, the row/line and column;
- rows in = clean + quarantined, "rows in" counted here from the raw file itself
  (:func:`raw_row_counts`: the csv module over the decoded bytes, openpyxl over the
  workbooks), and the manifest agreeing with that count and with the parquet tables;
- the raw folder byte-identical (sha256 of every file; no file added);
- no planted personal data or live payload in any output (:func:`scan_outputs`,
  :func:`live_payloads`).

Run as a script for the table the closing note of the issue needs::

    python tests/hostile_cases.py --table [--no-slow] [--only ID ...]
"""

from __future__ import annotations

import argparse
import codecs
import csv
import datetime as dt
import hashlib
import html
import html.parser
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # own_data and payloads live next to this file
    sys.path.insert(0, str(HERE))

TEST_KEY = "evalkit-hostile-corpus-key"
REGION = "15.71"        # Kota Jambi: the payload region (payloads.REGION_CODE)
SMALL_REGION = "96.02"  # Kabupaten Sorong Selatan: the demo's smallest region
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# Harm classes, as issue #15 "Why" names them.
LOST = "rows lost silently"
XSS = "script runs in the reports"
FORMULA = "live formulas in the workbook"
PII = "personal data leaks"
WRONG = "silently wrong values"
BATCH = "batch faults"
TRACE = "traceback instead of one line"
UNCLEAR = "unclear message"

# Planted personal data (issue #15: the Indonesian spellings that passed the scrubber).
PHONES = {
    "62_space": "62 812 3456 7801",
    "paren_plus62": "(+62) 812-3456-7802",
    "dots": "0812.3456.7803",
    "plus62_paren": "+62 (812) 3456-7804",
    "spaces": "0812 3456 7805",
}
# One more spelling seen in registers (beyond the issue's list): its own case.
EXTRA_PHONE = "+62.812.3456.7807"
STD_PHONE = "0812-3456-7806"
EMAIL = "siti.rahmawati@contoh.co.id"
NIK_SPACES = "3171 0123 4567 8901"
PASSWD_MARK = "root:x:0:0"
# Parser jargon an officer cannot act on (issue #15: "Expected 1 fields in line 7").
PARSER_JARGON = re.compile(r"(?i)expected \d+ fields|error tokenizing|c error|codec can't|"
                           r"keyerror")
MOJIBAKE = re.compile("â€|Ã©|Ã¨|Ã\xa0")


def ROW(n: int) -> str:
    """Regex: the message names row (or line) ``n``."""
    return rf"(?i)\b(row|line|baris|rows|lines)\s*{n}\b"


def _human(pattern: str) -> str:
    """A names-regex as the table shows it: ``row 10``, ``'organisation'``, a file name."""
    m = re.search(r"\\s\*(\d+)\\b$", pattern)
    if m and "row" in pattern:
        return f"row {m.group(1)}"
    if pattern.startswith("(?i)['"):
        return "'" + re.sub(r"\\(.)", r"\1", pattern.split("]?", 1)[1].rsplit("['", 1)[0]) + "'"
    return re.sub(r"\\(.)", r"\1", pattern.replace("(?i)", ""))


def COL(name: str) -> str:
    return rf"(?i)['\"‘“]?{re.escape(name)}['\"’”]?"


# --------------------------------------------------------------------------------------
# Scratch folders
# --------------------------------------------------------------------------------------
@dataclass
class Work:
    """One case's folders: ``raw`` (mutated), ``processed``, ``reports``, plus notes the
    mutation leaves for the checks (planted rows, values...)."""

    root: Path
    raw: Path
    processed: Path
    reports: Path
    base: Base
    notes: dict = field(default_factory=dict)
    cleanup: list = field(default_factory=list)


@dataclass
class Base:
    """A pristine raw folder and what a clean of it gives (to tell new flags from old)."""

    name: str
    raw: Path
    processed: Path
    quarantine: object = None
    flags: object = None
    truth: object = None


def make_base(name: str, root: Path) -> Base:
    """The pristine scratch copy of ``name`` (``demo`` or ``ntt``) and its clean."""
    import pandas as pd

    from evalkit.clean.pipeline import run_clean
    from evalkit.core.config import RAW_DATA_DIR

    root = Path(root)
    raw, processed = root / f"{name}_raw", root / f"{name}_processed"
    truth = None
    if name == "demo":
        shutil.copytree(RAW_DATA_DIR, raw, ignore=shutil.ignore_patterns("README.md"))
    else:
        import own_data

        truth = own_data.write_dataset(raw)
    run_clean(raw, processed, key=TEST_KEY.encode())
    return Base(name, raw, processed, pd.read_parquet(processed / "quarantine.parquet"),
                pd.read_parquet(processed / "flags.parquet"), truth)


def new_work(base: Base, root: Path) -> Work:
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    raw = root / "raw"
    shutil.copytree(base.raw, raw, symlinks=True)
    return Work(root, raw, root / "processed", root / "reports", base)


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (symlinks followed), and every folder."""
    out = {}
    for path in sorted(Path(folder).rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_dir() and not path.is_symlink():
            out[rel + "/"] = "dir"
        else:
            try:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as exc:
                out[rel] = f"unreadable: {exc}"
    return out


# --------------------------------------------------------------------------------------
# Mutation helpers
# --------------------------------------------------------------------------------------
def read_csv_rows(path: Path) -> tuple[list[list[str]], str, str]:
    text = path.read_bytes().decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    delim = ";" if text.split("\n", 1)[0].count(";") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim)), delim, newline


def write_csv_rows(path: Path, rows, delim: str = ";", newline: str = "\n",
                   encoding: str = "utf-8", quoting=csv.QUOTE_MINIMAL, bom: bytes = b"") -> None:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delim, lineterminator=newline, quoting=quoting).writerows(rows)
    path.write_bytes(bom + out.getvalue().encode(encoding))


def edit_csv(path: Path, fn: Callable[[list[list[str]]], object], **write) -> None:
    """Read ``path`` with the csv module, let ``fn`` edit the rows in place, write back."""
    rows, delim, newline = read_csv_rows(path)
    fn(rows)
    quoting = csv.QUOTE_ALL if path.read_bytes()[:1] == b'"' else csv.QUOTE_MINIMAL
    write_csv_rows(path, rows, write.pop("delim", delim), newline, quoting=quoting, **write)


def set_cell(rows, row: int, column: str, value: str) -> str:
    """Set ``column`` of Excel row ``row`` (header = 1); return the old value."""
    i = rows[0].index(column)
    old = rows[row - 1][i]
    rows[row - 1][i] = value
    return old


def edit_lines(path: Path, fn: Callable[[list[bytes]], object]) -> None:
    data = path.read_bytes()
    lines = data.split(b"\n")
    fn(lines)
    path.write_bytes(b"\n".join(lines))


def xlsx_edit(path: Path, fn: Callable, sheet: str | int = 0) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
    fn(ws, wb)
    wb.save(path)


def header(ws, row: int = 1) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[row] if c.value is not None}


def set_text(cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # never a formula: an officer's file holds the text


def valid_rows(work: Work, table: str = "survey") -> list[int]:
    """Excel rows of ``table`` that the pristine clean kept (not quarantined)."""
    q = work.base.quarantine
    out = set(q.loc[q["table"] == table, "source_row"].astype(int))
    return [r for r in range(2, 400) if r not in out]


def survey_file(raw: Path) -> Path:
    for name in ("survey_kobo_export.xlsx", "survey.csv"):
        if (raw / name).exists() or (raw / name).is_symlink():
            return raw / name
    return raw / "survey_kobo_export.xlsx"


def _png_bytes() -> bytes:
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (8).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")) * 40


def _cfb_bytes(streams: tuple[str, ...]) -> bytes:
    """An OLE2/CFB compound file's first sectors: the magic and a directory naming
    ``streams`` (``EncryptedPackage`` for an encrypted OOXML, ``Workbook`` for .xls)."""
    head = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    head += b"\x06\x00" + b"\x00" * 10 + b"\x01\x00\x00\x00" + b"\x01\x00\x00\x00"
    head = head.ljust(512, b"\xff")
    entries = b""
    for name in ("Root Entry", *streams):
        enc = name.encode("utf-16-le") + b"\x00\x00"
        entry = enc.ljust(64, b"\x00") + len(enc).to_bytes(2, "little") + b"\x02\x01"
        entries += entry.ljust(128, b"\x00")
    return head + entries.ljust(512 * 7, b"\x00") + os.urandom(4096)


# --------------------------------------------------------------------------------------
# Counting rows from the raw files themselves
# --------------------------------------------------------------------------------------
def decode_bytes(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_COUNTS: dict[tuple[str, str], object] = {}


def _cached(path: Path, count: Callable[[Path], object]):
    """``count(path)``, once per file content (unmutated files are shared by many cases)."""
    key = (count.__name__, hashlib.sha256(Path(path).read_bytes()).hexdigest())
    if key not in _COUNTS:
        _COUNTS[key] = count(path)
    return _COUNTS[key]


def csv_data_rows(path: Path) -> int:
    """Data rows of a CSV as the officer sees them: the records the csv module reads
    (non-blank), or the physical lines when a quote swallows lines (an unclosed quote
    joins every following line into one field), minus the header."""
    text = decode_bytes(path.read_bytes()).replace("\x00", "")
    if not text.strip():
        return 0
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delim = max(",;\t|", key=first.count)
    limit = csv.field_size_limit(1 << 30)  # a process-wide setting: restored below
    try:
        records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim)
                   if any(f.strip() for f in r)]
    finally:
        csv.field_size_limit(limit)
    lines = [ln for ln in text.splitlines() if ln.strip(" \t;,|\ufeff")]
    return max(len(records), len(lines)) - 1


def _sheet_rows(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(values_only=True)
            if any(v is not None and str(v).strip() for v in r)]


def raw_row_counts(raw: Path) -> dict[str, int]:
    """Rows in per processed table, counted from the raw files (not from evalkit)."""
    raw = Path(raw)
    counts: dict[str, int] = {}
    for table, name in (("stakeholders", "stakeholder_register.csv"),
                        ("attendance", "meeting_attendance.csv"),
                        ("partnerships", "partnerships.csv"),
                        ("ties", "collaboration_ties.csv")):
        counts[table] = _cached(raw / name, csv_data_rows) if (raw / name).is_file() else 0
    survey = survey_file(raw)
    counts["survey"] = _cached(survey, csv_data_rows if survey.suffix == ".csv" else xlsx_data_rows)
    counts.update(indicator_targets=0, indicator_values=0, indicator_metadata=0)
    if (raw / "indicators.xlsx").is_file():
        counts.update(_cached(raw / "indicators.xlsx", indicator_rows))
    return counts


def xlsx_data_rows(path: Path) -> int:
    """Data rows of a workbook's first sheet (non-blank rows below the header)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    return len(_sheet_rows(wb.worksheets[0])) - 1


def indicator_rows(ind: Path) -> dict[str, int]:
    """Rows in of the indicator tables: metadata and targets rows, long value rows and the
    filled year cells of ``values_wide*`` sheets (one value each)."""
    import openpyxl

    counts = dict(indicator_targets=0, indicator_values=0, indicator_metadata=0)
    wb = openpyxl.load_workbook(ind, read_only=True)
    for ws in wb.worksheets:
        rows = _sheet_rows(ws)
        if not rows:
            continue
        n = len(rows) - 1
        if ws.title == "metadata":
            counts["indicator_metadata"] = n
        elif ws.title == "targets":
            counts["indicator_targets"] = n
        elif ws.title.startswith("values_wide"):
            years = [i for i, h in enumerate(rows[0]) if re.fullmatch(r"\d{4}", str(h).strip())]
            counts["indicator_values"] += sum(
                1 for r in rows[1:] for i in years
                if i < len(r) and r[i] is not None and str(r[i]).strip())
        elif ws.title.startswith("values"):
            counts["indicator_values"] += n
    return counts


# --------------------------------------------------------------------------------------
# Scanning outputs
# --------------------------------------------------------------------------------------
def output_texts(*folders: Path):
    """(file, part, text) for every file under ``folders``: parquet string columns (via
    pyarrow), every XML member of a workbook, everything else as text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for folder in folders:
        if not Path(folder).is_dir():
            continue
        for path in sorted(Path(folder).rglob("*")):
            if not path.is_file() or path.suffix.lower() in {".png", ".jpg", ".svg", ".pdf"}:
                continue
            suffix = path.suffix.lower()
            if suffix == ".parquet":
                try:
                    table = pq.read_table(path)
                except Exception as exc:  # a corrupt table is some other case's business
                    yield path, "unreadable", f"<unreadable parquet: {exc}>"
                    continue
                yield path, "columns", "\n".join(table.column_names)
                for name in table.column_names:
                    col = table[name]
                    kind = col.type
                    if pa.types.is_dictionary(kind):
                        col, kind = col.cast(kind.value_type), kind.value_type
                    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
                        yield path, name, "\n".join(v for v in col.to_pylist() if v)
            elif suffix in {".xlsx", ".xlsm"}:
                try:
                    with zipfile.ZipFile(path) as zf:
                        for member in zf.namelist():
                            if member.endswith((".xml", ".rels")):
                                yield path, member, zf.read(member).decode("utf-8", "replace")
                except zipfile.BadZipFile:
                    yield path, "bytes", path.read_bytes().decode("utf-8", "replace")
            else:
                text = path.read_bytes().decode("utf-8", "replace")
                yield path, "text", text
                if suffix in {".html", ".htm", ".ipynb", ".json"}:
                    yield path, "unescaped", html.unescape(text)


def digits_pattern(value: str) -> re.Pattern:
    """The significant digits of a phone/NIK with any separators between them."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 16:  # a phone: drop the country code or trunk prefix
        digits = re.sub(r"^(62|0)", "", digits)
    return re.compile(r"[\s.\-()+/]{0,3}".join(digits))


def scan_outputs(folders, needles=(), digit_values=()) -> list[str]:
    """Where any planted string (case-insensitive) or number (any spelling) appears."""
    hits = []
    low = [n.casefold() for n in needles]
    pats = [(v, digits_pattern(v)) for v in digit_values]
    for path, part, text in output_texts(*folders):
        folded = text.casefold()
        for n, f in zip(needles, low):
            if f in folded:
                hits.append(f"{n!r} in {path.name} [{part}]")
        for v, p in pats:
            if p.search(text):
                hits.append(f"{v!r} (its digits) in {path.name} [{part}]")
    return sorted(set(hits))


class _LiveHTML(html.parser.HTMLParser):
    """Collects markup that would run or load: script bodies, event handlers,
    ``javascript:`` URLs and remote resources."""

    def __init__(self, markers: tuple[str, ...]):
        super().__init__(convert_charrefs=True)
        self.markers, self.found, self._script = markers, [], False

    def handle_starttag(self, tag, attrs):
        self._script = tag == "script"
        for name, value in attrs:
            value = value or ""
            low = value.strip().lower()
            if name.startswith("on") and any(m in value for m in self.markers):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "xlink:href", "action", "formaction", "data"}:
                if low.startswith("javascript:"):
                    self.found.append(f"<{tag} {name}={value!r}>")
                if any(m in value for m in self.markers) and low.startswith(("http", "//")):
                    self.found.append(f"<{tag} {name}={value!r}>")
        if tag in {"svg", "img", "iframe", "object", "embed"} and any(
                n.startswith("on") for n, _ in attrs):
            bad = [(n, v) for n, v in attrs if n.startswith("on") and any(
                m in (v or "") for m in self.markers)]
            if bad:
                self.found.append(f"<{tag} {bad}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script and any(m in data for m in self.markers):
            self.found.append(f"<script>{data[:80]!r}")


def live_in_html(text: str, markers: tuple[str, ...]) -> list[str]:
    parser = _LiveHTML(markers)
    parser.feed(text)
    return parser.found


def live_payloads(reports: Path, payload: str, markers: tuple[str, ...],
                  kind: str = "html") -> list[str]:
    """Where ``payload`` is live in ``reports``. ``kind="html"``: as markup in HTML (and
    in the notebooks' HTML outputs) or unescaped in Markdown; ``"formula"``: as a formula
    cell in a workbook, or a CSV cell starting with it."""
    import openpyxl

    found = []
    html_kinds = {".html", ".htm", ".ipynb"} if kind == "html" else set()
    for path in sorted(Path(reports).rglob("*")):
        if not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix not in html_kinds and kind == "html":
            continue
        if suffix in {".html", ".htm"} and kind == "html":
            found += [f"{path.name}: {x}" for x in live_in_html(path.read_text("utf-8", "replace"),
                                                                markers)]
        elif suffix == ".ipynb" and kind == "html":
            nb = json.loads(path.read_text("utf-8"))
            for cell in nb.get("cells", []):
                src = "".join(cell.get("source", ""))
                if cell.get("cell_type") == "markdown" and payload in src:
                    found.append(f"{path.name}: markdown cell holds {payload!r} unescaped")
                for out in cell.get("outputs", []):
                    data = out.get("data", {})
                    h = "".join(data.get("text/html", ""))
                    if h:
                        found += [f"{path.name} (output): {x}" for x in live_in_html(h, markers)]
                    md = "".join(data.get("text/markdown", ""))
                    if payload in md:
                        found.append(f"{path.name}: markdown output holds {payload!r} unescaped")
        elif suffix in {".xlsx", ".xlsm"} and kind == "formula":
            formula = payload.lstrip("\t\r\n")
            if not formula.startswith(("=", "+", "-", "@")):
                continue
            wb = openpyxl.load_workbook(path)
            core = formula.lstrip("=+-@")
            for ws in wb.worksheets:
                for row in ws.iter_rows():
                    for c in row:
                        if c.data_type == "f" and core and core in str(c.value):
                            found.append(f"{path.name} [{ws.title}!{c.coordinate}]: formula "
                                         f"{c.value!r}")
        elif suffix == ".csv" and kind == "formula":
            for row in csv.reader(io.StringIO(path.read_text("utf-8", "replace"))):
                if any(cell == payload or cell.startswith(payload.strip()) for cell in row):
                    found.append(f"{path.name}: a cell starts with {payload!r}")
    return found


# --------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------
@dataclass
class Case:
    """One bad input or attack and what must hold after the command."""

    id: str
    desc: str
    harm: str
    command: str                                  # clean | validate | run
    mutate: Callable[[Work], object]
    exit: tuple[int, ...]
    names: tuple[str, ...] = ()                   # regexes the error line must match (exit 2)
    data: str = "demo"                            # demo | ntt | payload (the shared project)
    check: Callable[[Outcome], list[str]] | None = None
    pii: tuple[str, ...] = ()                     # literal strings that must appear nowhere
    pii_digits: tuple[str, ...] = ()              # phones/NIKs: their digits in any spelling
    args: Callable[[Work], list[str]] | None = None
    pre: Callable[[Work], object] | None = None   # before raw is hashed (e.g. a first clean)
    subprocess: bool = False
    timeout: float = 60
    slow: bool = False
    skip: Callable[[], str | None] | None = None

    @property
    def expectation(self) -> str:
        parts = [f"exit {'/'.join(map(str, self.exit))}"]
        if self.names:
            where = "the problem list" if self.command == "validate" else "the one error line"
            parts.append(f"{where} names " + ", ".join(_human(n) for n in self.names))
        if 0 in self.exit and self.command != "validate":
            parts.append("rows balance against the raw file")
        if self.pii or self.pii_digits:
            parts.append("planted PII in no output")
        if self.check is not None:
            parts.append(describe(self.check))
        return "; ".join(parts)


@dataclass
class Outcome:
    case: Case
    work: Work
    exit_code: int | None
    output: str
    seconds: float
    raw_before: dict
    raw_after: dict

    def table(self, name: str):
        import pandas as pd

        return pd.read_parquet(self.work.processed / f"{name}.parquet")

    def manifest(self) -> dict:
        return json.loads((self.work.processed / "manifest.json").read_text("utf-8"))

    def error_lines(self) -> list[str]:
        return [ln for ln in self.output.splitlines() if ln.startswith("error:")]


def default_args(case: Case, work: Work) -> list[str]:
    if case.command == "validate":
        return ["validate", "--raw-dir", str(work.raw)]
    args = [case.command, "--raw-dir", str(work.raw), "--processed-dir", str(work.processed)]
    if case.command == "run":
        args += ["--reports-dir", str(work.reports), "-r", SMALL_REGION, "--lang", "id",
                 "--jobs", "1"]
    return args


def env() -> dict[str, str]:
    out = dict(os.environ)
    out["EVALKIT_PSEUDONYM_KEY"] = TEST_KEY
    out.setdefault("EVALKIT_SKIP_BROWSER", "1")
    return out


def invoke(args: list[str], *, in_process: bool = True, cwd: Path | None = None,
           timeout: float = 300, preexec=None) -> tuple[int | None, str]:
    """Run ``evalkit <args>``; (exit code, stdout + stderr). In-process with typer's
    CliRunner (an uncaught exception is rendered as the traceback it would print)."""
    if in_process:
        from typer.testing import CliRunner

        from evalkit.run.cli import app

        result = CliRunner().invoke(app, args, env={"EVALKIT_PSEUDONYM_KEY": TEST_KEY})
        text = result.output
        try:
            text += "" if result.stderr in text else result.stderr
        except ValueError:  # older click: stderr mixed into output
            pass
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            text += "".join(traceback.format_exception(*result.exc_info))
        return result.exit_code, text
    proc = subprocess.run([sys.executable, "-m", "evalkit.run.cli", *args], cwd=cwd, env=env(),
                          capture_output=True, text=True, timeout=timeout, preexec_fn=preexec)
    return proc.returncode, proc.stdout + proc.stderr


def pre_clean(work: Work) -> None:
    """A good clean first (the officer ran clean last quarter), then the mutation."""
    from evalkit.clean.pipeline import run_clean

    run_clean(work.raw, work.processed, key=TEST_KEY.encode())


def run_case(case: Case, base: Base, root: Path) -> Outcome:
    work = new_work(base, root)
    try:
        if case.pre:
            case.pre(work)
        case.mutate(work)
        before = tree_hashes(work.raw)
        args = case.args(work) if case.args else default_args(case, work)
        start = time.perf_counter()
        custom = work.notes.pop("runner", None)
        if custom is not None:
            code, out = custom(work, args)
        else:
            code, out = invoke(args, in_process=not case.subprocess, cwd=work.root,
                               timeout=case.timeout)
        seconds = time.perf_counter() - start
        return Outcome(case, work, code, out, seconds, before, tree_hashes(work.raw))
    finally:
        for undo in work.cleanup:
            undo()


def account(outcome: Outcome) -> list[str]:
    """Rows in (counted from the raw files) = clean + quarantined, in the manifest and
    in the parquet tables."""
    work = outcome.work
    if not (work.processed / "manifest.json").is_file():
        return ["no manifest.json after an exit 0"]
    problems = []
    manifest = outcome.manifest()
    counts = raw_row_counts(work.raw)
    quarantine = outcome.table("quarantine")
    for table, n in counts.items():
        entry = manifest.get("tables", {}).get(table)
        if entry is None:
            problems.append(f"{table}: not in the manifest (raw file has {n} rows)")
            continue
        q = int((quarantine["table"] == table).sum()) if len(quarantine) else 0
        clean = len(outcome.table(table)) if (work.processed / f"{table}.parquet").is_file() else 0
        if entry["rows_in"] != n:
            problems.append(f"{table}: manifest says {entry['rows_in']} rows in, the raw file "
                            f"has {n}")
        if clean + q != n:
            problems.append(f"{table}: {n} rows in the raw file but {clean} clean + {q} "
                            "quarantined in the tables")
        if (entry["rows_clean"], entry["rows_quarantined"]) != (clean, q):
            problems.append(f"{table}: manifest {entry['rows_clean']} + "
                            f"{entry['rows_quarantined']} != tables {clean} + {q}")
    return problems


def evaluate(outcome: Outcome) -> list[str]:
    """Every way ``outcome`` breaks its case's expectations (empty: the case held)."""
    case, out = outcome.case, outcome.output
    fails = []
    if outcome.exit_code not in case.exit:
        fails.append(f"exit {outcome.exit_code}, expected {'/'.join(map(str, case.exit))}: "
                     + _last_lines(out))
    if "Traceback" in out:
        fails.append("a traceback in the output: " + _traceback_tail(out))
    errors = outcome.error_lines()
    if outcome.exit_code == 2:
        if len(errors) != 1:
            fails.append(f"{len(errors)} 'error:' lines, expected exactly 1: " + _last_lines(out))
        for pattern in case.names:
            if errors and not re.search(pattern, errors[0]):
                fails.append(f"the error does not name {pattern!r}: {errors[0][:300]!r}")
        if errors and PARSER_JARGON.search(errors[0]):
            fails.append(f"parser jargon in the error: {errors[0][:300]!r}")
    if outcome.exit_code == 1 and case.command == "validate":
        for pattern in case.names:
            if not re.search(pattern, out):
                fails.append(f"validate does not name {pattern!r}: " + _last_lines(out))
    if outcome.raw_before != outcome.raw_after:
        changed = sorted(set(outcome.raw_before.items()) ^ set(outcome.raw_after.items()))
        fails.append(f"the raw folder changed: {changed[:4]}")
    if outcome.exit_code == 0 and case.command in {"clean", "run"}:
        fails += account(outcome)
    if case.pii or case.pii_digits:
        hits = scan_outputs([outcome.work.processed, outcome.work.reports], case.pii,
                            case.pii_digits)
        fails += [f"planted personal data in an output: {h}" for h in hits[:6]]
    if case.check is not None and not any(f.startswith("exit ") for f in fails[:1]):
        try:
            fails += case.check(outcome)
        except Exception as exc:  # a check that cannot even look is a failure, said so
            fails.append(f"check could not run: {type(exc).__name__}: {exc}")
    return fails


def _last_lines(text: str, n: int = 3) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return " | ".join(lines[-n:])[:400]


def _traceback_tail(text: str) -> str:
    lines = text[text.find("Traceback"):].strip().splitlines()
    return " | ".join(lines[-2:])[:300]


# --- reusable checks --------------------------------------------------------------------
def says(text: str, check: Callable | None = None):
    """Give ``check`` the text the corpus table shows for it (as a decorator too)."""
    def wrap(fn):
        fn.text = text
        return fn
    return wrap(check) if check is not None else wrap


def describe(check) -> str:
    return getattr(check, "text", "case check")

def _new(outcome: Outcome, kind: str):
    """Quarantine or flag rows that the pristine clean did not have."""

    frame = outcome.table(kind)
    base = getattr(outcome.work.base, kind)
    key = ["table", "source_file", "source_row", "reason" if kind == "quarantine" else "issue"]
    if not len(frame):
        return frame
    merged = frame.merge(base[key].drop_duplicates(), on=key, how="left", indicator=True)
    return merged[merged["_merge"] == "left_only"].drop(columns="_merge")


def marked(table: str, row: int, *, sheet: str | None = None, quarantine: bool | None = None,
           column: str | None = None, only_if_exit0: bool = True):
    """Check: Excel row ``row`` of ``table`` got a new quarantine entry or flag (a named
    reason), when the command exited 0. ``quarantine=True`` demands the quarantine."""

    def check(outcome: Outcome) -> list[str]:
        if only_if_exit0 and outcome.exit_code != 0:
            return []
        hits = []
        kinds = ("quarantine",) if quarantine else ("quarantine", "flags")
        for kind in kinds:
            new = _new(outcome, kind)
            if not len(new):
                continue
            sel = (new["table"] == table) & (new["source_row"].astype(int) == row)
            if sheet:
                sel &= new["source_file"].astype(str).str.contains(re.escape(sheet))
            if column and kind == "flags":
                sel &= new["column"].astype(str).str.contains(column, regex=False)
            hits += [f"{kind}: {r}" for r in new.loc[sel].iloc[:, 3].astype(str)]
        if hits:
            return []
        what = "quarantined" if quarantine else "quarantined or flagged"
        where = f"{table}{f' [{sheet}]' if sheet else ''} row {row}"
        return [f"{where} is not {what} with a named reason (silently accepted)"]

    return says(f"on exit 0 {table}{f' [{sheet}]' if sheet else ''} row {row} "
                f"{'quarantined' if quarantine else 'quarantined/flagged'}", check)


def manifest_mentions(pattern: str):
    def check(outcome: Outcome) -> list[str]:
        if outcome.exit_code != 0:
            return []
        text = json.dumps(outcome.manifest().get("warnings", []), ensure_ascii=False)
        return [] if re.search(pattern, text) else [f"no warning matching {pattern!r}"]

    return says("a manifest warning names it", check)


def either(*checks):
    """Passes when any of ``checks`` passes."""

    def check(outcome: Outcome) -> list[str]:
        results = [c(outcome) for c in checks]
        return [] if any(not r for r in results) else [" / ".join(r[0] for r in results if r)]

    return says(" or ".join(describe(c) for c in checks), check)


def all_of(*checks):
    def check(outcome: Outcome) -> list[str]:
        return [f for c in checks for f in c(outcome)]

    return says("; ".join(describe(c) for c in checks), check)


def org_kept(value: str, table: str = "stakeholders", column: str = "organisation"):
    def check(outcome: Outcome) -> list[str]:
        if outcome.exit_code != 0:
            return []
        values = set(outcome.table(table)[column].astype(str))
        return [] if value in values else [f"{value!r} not kept exactly in {table}.{column}"]

    return says(f"{value!r} kept as typed", check)


def same_table_as_base(table: str, column: str):
    def check(outcome: Outcome) -> list[str]:
        import pandas as pd

        if outcome.exit_code != 0:
            return []
        got = sorted(outcome.table(table)[column].astype(str))
        want = sorted(pd.read_parquet(outcome.work.base.processed / f"{table}.parquet")[column]
                      .astype(str))
        if got == want:
            return []
        extra = sorted(set(got) - set(want))[:3]
        return [f"{table}.{column} differs from the pristine read ({len(got)} vs {len(want)} "
                f"rows; e.g. {extra})"]

    return says(f"{table} read as from the UTF-8 original", check)


@says("no mojibake in processed/")
def no_mojibake(outcome: Outcome) -> list[str]:
    hits = [f"{p.name} [{part}]" for p, part, t in output_texts(outcome.work.processed)
            if MOJIBAKE.search(t)]
    return [f"mojibake in {', '.join(sorted(set(hits))[:3])}"] if hits else []


def message_lacks(pattern: str):
    def check(outcome: Outcome) -> list[str]:
        errs = outcome.error_lines()
        text = errs[0] if errs else outcome.output
        return [f"the message says {pattern!r}: {text[:200]!r}"] if re.search(pattern, text) else []

    return says("not blamed on the form version", check)


@says("every processed file readable after")
def processed_readable(outcome: Outcome) -> list[str]:
    """Every processed/results parquet and the manifest read back (nothing half-written)."""
    import pyarrow.parquet as pq

    bad = []
    for path in sorted(outcome.work.processed.rglob("*.parquet")):
        try:
            pq.read_table(path)
        except Exception as exc:
            bad.append(f"{path.relative_to(outcome.work.processed)} unreadable after the run "
                       f"({type(exc).__name__})")
    manifest = outcome.work.processed / "manifest.json"
    if manifest.exists():
        try:
            json.loads(manifest.read_text("utf-8"))
        except ValueError:
            bad.append("manifest.json unreadable after the run")
    return bad


# --------------------------------------------------------------------------------------
# The mutations
# --------------------------------------------------------------------------------------
REG = "stakeholder_register.csv"
ATT = "meeting_attendance.csv"
TIES = "collaboration_ties.csv"
PART = "partnerships.csv"
SURVEY = "survey_kobo_export.xlsx"
CODEBOOK = "codebook_xlsform.xlsx"
IND = "indicators.xlsx"


def m_csv_cell(name: str, row: int, column: str, value: str | Callable[[str], str]):
    def mutate(work: Work):
        def fn(rows):
            old = rows[row - 1][rows[0].index(column)]
            set_cell(rows, row, column, value(old) if callable(value) else value)
        edit_csv(work.raw / name, fn)
    return mutate


def _duplicate_organisation(rows) -> None:
    """A sixth column, also named 'organisation' (an officer's copy of the column)."""
    for r in rows:
        r.append(r[1] + " (nama lain)")
    rows[0][-1] = "organisation"


def m_rename_csv_column(name: str, old: str, new: str):
    def mutate(work: Work):
        edit_csv(work.raw / name, lambda rows: rows[0].__setitem__(rows[0].index(old), new))
    return mutate


def m_line(name: str, row: int, fn: Callable[[bytes], bytes]):
    def mutate(work: Work):
        def edit(lines):
            lines[row - 1] = fn(lines[row - 1])
        edit_lines(work.raw / name, edit)
    return mutate


def m_field(name: str, row: int, column: str, value: bytes | Callable[[bytes], bytes]):
    """Set one field of Excel row ``row`` at the byte level (any encoding, no re-quoting):
    ``;``-separated, fields either all quoted (Kobo CSV) or not."""
    def mutate(work: Work):
        def edit(lines):
            quoted = lines[0].startswith(b'"') or lines[0].startswith(codecs.BOM_UTF8 + b'"')
            sep = b'";"' if quoted else b";"
            names = [n.strip(b'"\r').decode("utf-8-sig") for n in lines[0].split(sep)]
            i = names.index(column)
            parts = lines[row - 1].split(sep)
            parts[i] = value(parts[i]) if callable(value) else value
            lines[row - 1] = sep.join(parts)
        edit_lines(work.raw / name, edit)
    return mutate


def m_bytes(name: str, data: bytes | Callable[[bytes], bytes]):
    def mutate(work: Work):
        path = work.raw / name
        path.write_bytes(data(path.read_bytes()) if callable(data) else data)
    return mutate


def m_reencode(name: str, encoding: str, bom: bytes = b"", delim: str | None = None,
               extra: Callable | None = None):
    def mutate(work: Work):
        rows, d, newline = read_csv_rows(work.raw / name)
        if extra:
            extra(rows)
        write_csv_rows(work.raw / name, rows, delim or d, "\r\n", encoding=encoding, bom=bom)
    return mutate


def m_title_row(name: str, title: str):
    def mutate(work: Work):
        path = work.raw / name
        path.write_bytes(title.encode("utf-8") + b"\n" + path.read_bytes())
    return mutate


def m_sheet_cell(name: str, sheet: str | int, row: int, column: str, value):
    def mutate(work: Work):
        def fn(ws, wb):
            cell = ws.cell(row, header(ws)[column])
            if isinstance(value, str):
                set_text(cell, value)
            else:
                cell.value = value
        xlsx_edit(work.raw / name, fn, sheet)
    return mutate


def m_rename_sheet_column(name: str, sheet: str | int, old: str, new: str):
    def mutate(work: Work):
        xlsx_edit(work.raw / name, lambda ws, wb: set_text(ws.cell(1, header(ws)[old]), new), sheet)
    return mutate


def m_survey_org(row_of: Callable[[Work], list[int]], text: Callable[[str], str]):
    """Append planted text to the survey's organisation on the chosen Excel rows."""
    def mutate(work: Work):
        rows = row_of(work)
        work.notes["rows"] = rows

        def fn(ws, wb):
            col = header(ws)["organisation"]
            for r in rows:
                cell = ws.cell(r, col)
                set_text(cell, text(str(cell.value or "")))
        xlsx_edit(work.raw / SURVEY, fn)
    return mutate


def _valid_and_quarantined(work: Work) -> list[int]:
    """A kept row and a quarantined one (the quarantine record is scanned too)."""
    q = work.base.quarantine
    bad = sorted(q.loc[q["table"] == "survey", "source_row"].astype(int))
    return [valid_rows(work)[3], bad[0]]


def m_title_row_xlsx(work: Work) -> None:
    def fn(ws, wb):
        ws.insert_rows(1)
        set_text(ws.cell(1, 1), "Ekspor KoboToolbox — Survei Kesehatan Kemitraan 2026")
    xlsx_edit(work.raw / SURVEY, fn)


def m_merged_header_xlsx(work: Work) -> None:
    def fn(ws, wb):
        cols = header(ws)
        ws.insert_rows(1)
        set_text(ws.cell(1, 1), "Identitas")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=cols["sector"])
        first = cols["grp_trust/q01"]
        set_text(ws.cell(1, first), "Kepercayaan")
        ws.merge_cells(start_row=1, start_column=first, end_row=1, end_column=first + 2)
    xlsx_edit(work.raw / SURVEY, fn)


def m_header_only_survey(work: Work) -> None:
    xlsx_edit(work.raw / SURVEY, lambda ws, wb: ws.delete_rows(2, ws.max_row))


def m_codebook_drop(sheet: str):
    def mutate(work: Work):
        import openpyxl

        wb = openpyxl.load_workbook(work.raw / CODEBOOK)
        del wb[sheet]
        wb.save(work.raw / CODEBOOK)
    return mutate


def m_corrupt_member(name: str, member: str):
    def mutate(work: Work):
        path = work.raw / name
        src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == member:
                    data = data[: len(data) // 3] + b"<<<\x00 not xml"
                dst.writestr(info, data)
        path.write_bytes(out.getvalue())
    return mutate


def m_survey_region(value: str, n: int):
    """Set ``n`` Kota Jambi responses' region to ``value`` (kept rows)."""
    def mutate(work: Work):
        import pandas as pd

        s = pd.read_parquet(work.base.processed / "survey.parquet")
        rows = sorted(s.loc[s["region_code"] == REGION, "source_row"].astype(int))[:n]
        work.notes["rows"] = rows

        def fn(ws, wb):
            col = header(ws)["region"]
            for r in rows:
                set_text(ws.cell(r, col), value)
        xlsx_edit(work.raw / SURVEY, fn)
    return mutate


@says("all 20 in Kota Jambi (15.71) and flagged")
def check_jambi(outcome: Outcome) -> list[str]:
    rows = outcome.work.notes["rows"]
    s = outcome.table("survey")
    got = s[s["source_row"].astype(int).isin(rows)]
    fails = []
    wrong = got[got["region_code"] != REGION]
    if len(got) != len(rows) or len(wrong):
        fails.append(f"{len(wrong)} of {len(rows)} 'Jambi' responses not assigned to Kota Jambi "
                     f"({REGION}): {sorted(set(wrong['region_code']))}")
    flags = _new(outcome, "flags")
    flagged = set(flags.loc[(flags["table"] == "survey"), "source_row"].astype(int)) if len(flags) else set()
    if not set(rows) <= flagged:
        fails.append(f"{len(set(rows) - flagged)} of {len(rows)} ambiguous 'Jambi' rows not flagged")
    return fails


def _serial(stamp: str) -> float:
    t = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).replace(tzinfo=None)
    return (t - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def m_excel_serials(work: Work) -> None:
    """Start/end as Excel serial numbers (a sheet whose date format was lost); one kept
    response lasts 60 s: the speeder check must still see it."""
    row = valid_rows(work)[5]
    work.notes["speeder_row"] = row

    def fn(ws, wb):
        cols = header(ws)
        for r in range(2, ws.max_row + 1):
            start, end = ws.cell(r, cols["start"]), ws.cell(r, cols["end"])
            if start.value is None:
                continue
            s = _serial(start.value)
            e = s + 60 / 86400 if r == row else _serial(end.value)
            start.value, end.value = round(s, 8), round(e, 8)
            start.number_format = end.number_format = "General"
    xlsx_edit(work.raw / SURVEY, fn)


def check_speeder(table: str = "survey"):
    def check(outcome: Outcome) -> list[str]:
        row = outcome.work.notes["speeder_row"]
        q = _new(outcome, "quarantine")
        hit = q[(q["table"] == table) & (q["source_row"].astype(int) == row)] if len(q) else q
        fails = [] if len(hit) and (hit["reason"] == "speeder").any() else [
            f"the 60-second response (row {row}) is not quarantined as speeder: the timestamps "
            "were not read"]
        s = outcome.table(table)
        if "started_at" in s and s["started_at"].isna().mean() > 0.5:
            fails.append(f"{s['started_at'].isna().mean():.0%} of started_at are NaT")
        return fails
    return says("the 60 s response quarantined as speeder", check)


def m_values_cell(row: int, column: str, value, sheet: str = "values"):
    return m_sheet_cell(IND, sheet, row, column, value)


def m_add_wide_year(year: str, value):
    def mutate(work: Work):
        def fn(ws, wb):
            col = ws.max_column + 1
            set_text(ws.cell(1, col), year)
            ws.cell(2, col).value = value
        xlsx_edit(work.raw / IND, fn, "values_wide")
    return mutate


def m_indicator_source(text: str):
    def mutate(work: Work):
        def fn(ws, wb):
            col = ws.max_column + 1
            set_text(ws.cell(1, col), "source")
            for r in range(2, ws.max_row + 1):
                set_text(ws.cell(r, col), "BPS Kota Jambi")
            set_text(ws.cell(10, col), text)
        xlsx_edit(work.raw / IND, fn, "values")
    return mutate


def m_survey_notes(text: str):
    """A Kobo free-text notes column, on a kept and on a quarantined row."""
    def mutate(work: Work):
        rows = _valid_and_quarantined(work)

        def fn(ws, wb):
            col = ws.max_column + 1
            set_text(ws.cell(1, col), "catatan_enumerator")
            for r in rows:
                set_text(ws.cell(r, col), text)
        xlsx_edit(work.raw / SURVEY, fn)
    return mutate


def respondent_name(work: Work, row: int) -> str:
    import openpyxl

    ws = openpyxl.load_workbook(work.base.raw / SURVEY, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(min_row=1, max_row=row, values_only=True))
    return str(rows[row - 1][list(rows[0]).index("respondent_name")])


def m_name_in_org(work: Work) -> None:
    """A respondent's name (from the form's personal-data field) typed into another
    response's organisation, and into the register."""
    name = respondent_name(work, valid_rows(work)[0])
    work.notes["name"] = name
    rows = _valid_and_quarantined(work)[:1] + [valid_rows(work)[8]]
    m_survey_org(lambda w: rows, lambda org: f"{name} - {org}")(work)
    m_csv_cell(REG, 7, "organisation", lambda org: f"{org} (CP: {name})")(work)


@says("the respondent's name in no output")
def name_not_in_outputs(outcome: Outcome) -> list[str]:
    name = outcome.work.notes["name"]
    hits = scan_outputs([outcome.work.processed, outcome.work.reports], (name,))
    return [f"respondent name {name!r} in an output: {h}" for h in hits[:4]]


def m_symlink_passwd(work: Work) -> None:
    path = work.raw / REG
    path.unlink()
    path.symlink_to("/etc/passwd")


@says("/etc/passwd text in no processed table")
def passwd_not_used(outcome: Outcome) -> list[str]:
    if outcome.exit_code != 0:
        return []
    hits = [f"{p.name} [{part}]" for p, part, t in output_texts(outcome.work.processed)
            if PASSWD_MARK in t and not (p.name == "quarantine.parquet" and part == "record")]
    return [f"/etc/passwd content in {', '.join(hits[:3])}"] if hits else []


def m_big_line(name: str, row: int, column: str, size: int = 10_000_000):
    return m_csv_cell(name, row, column, lambda old: old + " " + "x" * size)


# --- run-level helpers ------------------------------------------------------------------
def runs_args(regions=(SMALL_REGION,), **dirs):
    def args(work: Work) -> list[str]:
        d = {"raw": work.raw, "processed": work.processed, "reports": work.reports}
        d.update({k: v(work) for k, v in dirs.items()})
        out = ["run", "--raw-dir", str(d["raw"]), "--processed-dir", str(d["processed"]),
               "--reports-dir", str(d["reports"]), "--lang", "id", "--jobs", "1"]
        for r in regions:
            out += ["-r", r(work) if callable(r) else r]
        return out
    return args


def m_none(work: Work) -> None:
    return None


def m_sentinel(work: Work) -> None:
    (work.root / "sentinel").mkdir()
    (work.root / "sentinel" / "keep.txt").write_text("keep")


@says("nothing ran, nothing deleted or created")
def crafted_ok(outcome: Outcome) -> list[str]:
    root = outcome.work.root
    fails = []
    if not (root / "sentinel" / "keep.txt").exists():
        fails.append("the sentinel folder was deleted: the -r value ran as a command")
    if list(root.glob("pwned*")):
        fails.append("a pwned file was created: the -r value ran as a command")
    if (outcome.work.reports / ".." / ".." / "etc").exists() and outcome.work.reports.exists():
        fails.append("a folder was created through the path traversal")
    return fails


def m_corrupt_processed(name: str, how: str = "truncate"):
    def mutate(work: Work):
        path = work.processed / name
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if how == "truncate" else b"\x00garbage" + data[40:])
    return mutate


def pre_results(work: Work) -> None:
    """A good clean and its results tables (what a first `run` leaves in processed/)."""
    from evalkit.run.stages import ensure_results

    pre_clean(work)
    ensure_results(work.processed)


def m_corrupt_result(work: Work) -> None:
    path = work.processed / "results" / "index.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def report_written(region: str = SMALL_REGION):
    def check(outcome: Outcome) -> list[str]:
        if outcome.exit_code != 0:
            return []
        found = list(outcome.work.reports.glob(f"{region}-*.html"))
        errors = list(outcome.work.reports.glob("*.error.txt"))
        fails = [] if found else [f"no report for {region} was written"]
        fails += [f"a report failed: {e.name}: {e.read_text()[-200:]!r}" for e in errors[:2]]
        return fails
    return says(f"on exit 0 the {region} report written, none failed", check)


def m_readonly_reports(work: Work) -> None:
    work.reports.mkdir(parents=True, exist_ok=True)
    if IS_ROOT:
        if subprocess.run(["chattr", "+i", str(work.reports)], capture_output=True).returncode:
            raise RuntimeError("chattr +i failed")
        work.cleanup.append(lambda: subprocess.run(["chattr", "-i", str(work.reports)],
                                                   capture_output=True))
    else:
        work.reports.chmod(0o555)
        work.cleanup.append(lambda: work.reports.chmod(0o755))


def _readonly_skip() -> str | None:
    if IS_ROOT and shutil.which("chattr") is None:
        return "running as root without chattr: a read-only folder cannot be made"
    return None


def m_reports_is_file(work: Work) -> None:
    work.reports = work.root / "reports_file"
    work.reports.write_text("not a folder\n")


def disk_full_runner(limit: int = 60_000):
    """Run clean in a subprocess whose files may not grow beyond ``limit`` bytes
    (RLIMIT_FSIZE: writes fail as on a full disk; Python ignores SIGXFSZ)."""
    def runner(work: Work, args: list[str]):
        import resource

        def preexec():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        return invoke(args, in_process=False, cwd=work.root, preexec=preexec)
    return runner


def m_disk_full(work: Work) -> None:
    work.notes["runner"] = disk_full_runner()


def concurrent_runner(work: Work, args: list[str]):
    """Two `evalkit run` on one folder at the same moment."""
    procs = [subprocess.Popen([sys.executable, "-m", "evalkit.run.cli", *args], cwd=work.root,
                              env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    codes = [p.returncode for p in procs]
    work.notes["codes"] = codes
    # the case's exit: the worst of the two; each one's error lines checked separately
    bad = [c for c in codes if c != 0]
    work.notes["outs"] = outs
    return (bad[0] if bad else 0), "\n".join(outs)


@says("each run exits 0 or refuses in one line; files intact")
def check_concurrent(outcome: Outcome) -> list[str]:
    fails = []
    for code, out in zip(outcome.work.notes["codes"], outcome.work.notes["outs"]):
        if code not in (0, 2):
            fails.append(f"one run exited {code}: {_last_lines(out)}")
        if code == 2 and len([ln for ln in out.splitlines() if ln.startswith("error:")]) != 1:
            fails.append("a refused run did not say why in one line")
    return fails + processed_readable(outcome)


def sigkill_runner(work: Work, args: list[str]):
    """Start `evalkit run --jobs 2`, SIGKILL it once a report kernel runs; then look for
    survivors and for files still changing."""
    import psutil

    proc = subprocess.Popen([sys.executable, "-m", "evalkit.run.cli", *args], cwd=work.root,
                            env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    parent = psutil.Process(proc.pid)
    seen: dict[int, float] = {}
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        try:
            for child in parent.children(recursive=True):
                seen.setdefault(child.pid, child.create_time())
            if any("ipykernel" in " ".join(psutil.Process(p).cmdline()) or "kernel" in
                   " ".join(psutil.Process(p).cmdline()) for p in seen if psutil.pid_exists(p)):
                time.sleep(1.5)
                break
        except psutil.Error:
            pass
        time.sleep(0.2)
    try:
        for child in parent.children(recursive=True):
            seen.setdefault(child.pid, child.create_time())
    except psutil.Error:
        pass
    proc.kill()
    proc.wait()
    time.sleep(3)
    survivors = []
    for pid, created in seen.items():
        try:
            p = psutil.Process(pid)
            if p.create_time() == created and p.status() != psutil.STATUS_ZOMBIE:
                survivors.append(f"{pid} {' '.join(p.cmdline())[:80]}")
        except psutil.Error:
            continue
    before = tree_hashes(work.reports) if work.reports.exists() else {}
    time.sleep(3)
    after = tree_hashes(work.reports) if work.reports.exists() else {}
    for pid, created in seen.items():  # ours: end what survived, by its id
        try:
            p = psutil.Process(pid)
            if p.create_time() == created:
                p.kill()
        except psutil.Error:
            pass
    work.notes["survivors"] = survivors
    work.notes["changed_after_kill"] = sorted(set(before.items()) ^ set(after.items()))
    work.notes["children_seen"] = len(seen)
    return 0, proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""


@says("no process survives, no file written after the kill")
def check_sigkill(outcome: Outcome) -> list[str]:
    notes = outcome.work.notes
    fails = []
    if not notes["children_seen"]:
        fails.append("no child process was seen before the kill (nothing tested)")
    if notes["survivors"]:
        fails.append(f"{len(notes['survivors'])} process(es) outlived the SIGKILL: "
                     f"{notes['survivors'][:3]}")
    if notes["changed_after_kill"]:
        fails.append(f"files changed after the kill: {notes['changed_after_kill'][:3]}")
    return fails


def m_inf_values(work: Work) -> None:
    """``inf`` and ``1e308`` in the small region's indicator values (long sheet)."""
    import openpyxl

    wb = openpyxl.load_workbook(work.raw / IND)
    ws = wb["values"]
    cols = header(ws)
    rows = [r for r in range(2, ws.max_row + 1)
            if "sorong" in str(ws.cell(r, cols["region"]).value).lower()][:4]
    for r, v in zip(rows, ("inf", "1e308", "-inf", "1e308")):
        set_text(ws.cell(r, cols["value"]), v)
    work.notes["rows"] = rows
    wb.save(work.raw / IND)


# --------------------------------------------------------------------------------------
# NTT (tests/own_data.py) mutations: survey.csv is ';', every field quoted
# --------------------------------------------------------------------------------------
NTT_SURVEY = "survey.csv"


def m_ntt_serials(work: Work) -> None:
    row = valid_rows(work)[4]
    work.notes["speeder_row"] = row

    def fn(rows):
        i, j = rows[0].index("start"), rows[0].index("end")
        for n, r in enumerate(rows[1:], start=2):
            s = _serial(r[i])
            e = s + 60 / 86400 if n == row else _serial(r[j])
            r[i], r[j] = f"{s:.8f}", f"{e:.8f}"
    edit_csv(work.raw / NTT_SURVEY, fn)


def m_ntt_unclosed(work: Work) -> None:
    """Row 20's last field loses its closing quote: the csv rules join the lines after it."""
    m_line(NTT_SURVEY, 20, lambda b: b[:-2] + b[-1:] if b.endswith(b'"\r') else b[:-1])(work)


def m_ntt_cp1252_line(work: Work) -> None:
    """A UTF-8 file (an en dash in row 3) with row 15 typed on a cp1252 machine."""
    rows = valid_rows(work)
    work.notes["utf8_row"], work.notes["cp_row"] = rows[1], 15
    m_field(NTT_SURVEY, rows[1], "nama_lembaga", "Yayasan Peduli – Flobamora".encode())(work)
    m_field(NTT_SURVEY, 15, "nama_lembaga", "Café Kopi Flores – Ende".encode("cp1252"))(work)


def m_ntt_dup_column(work: Work) -> None:
    edit_csv(work.raw / NTT_SURVEY, lambda rows: [r.append(r[rows[0].index("nama_lembaga")])
                                                  for r in rows])


def m_ntt_pii(work: Work) -> None:
    rows = valid_rows(work)[:5]

    def fn(table):
        i = table[0].index("nama_lembaga")
        for r, phone in zip(rows, PHONES.values()):
            table[r - 1][i] = f"{table[r - 1][i]} (WA {phone})"
    edit_csv(work.raw / NTT_SURVEY, fn)


def m_ntt_notes(work: Work) -> None:
    rows = [valid_rows(work)[2], sorted(work.base.quarantine.loc[
        work.base.quarantine["table"] == "survey", "source_row"].astype(int))[0]]

    def fn(table):
        name_col = table[0].index("nama_responden")
        name = table[valid_rows(work)[0] - 1][name_col]
        work.notes["name"] = name
        i = table[0].index("_notes")
        for r in rows:
            table[r - 1][i] = f"Ditemui bersama {name}, HP {PHONES['dots']}, {EMAIL}"
    edit_csv(work.raw / NTT_SURVEY, fn)


def m_ntt_utf16_register(work: Work) -> None:
    m_reencode(REG, "utf-16-le", codecs.BOM_UTF16_LE, "\t")(work)


def m_ntt_wide(column: str, value):
    def mutate(work: Work):
        def fn(ws, wb):
            cols = header(ws)
            if column in cols:
                ws.cell(2, cols[column]).value = value
            else:
                col = ws.max_column + 1
                set_text(ws.cell(1, col), column)
                ws.cell(2, col).value = value
        xlsx_edit(work.raw / IND, fn, "values_wide")
    return mutate


# --------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------
def _c(*args, **kw) -> Case:
    return Case(*args, **kw)


NAMES_REG = (re.escape(REG),)
CASES: list[Case] = [
    # --- CSV structure (rows lost silently, unclear messages) ---------------------------
    _c("csv_unclosed_quote", "unclosed quote in the register's organisation (row 10)", LOST,
       "clean", m_csv_cell(REG, 10, "organisation", lambda v: '"' + v), (0, 2),
       (re.escape(REG), ROW(10))),
    _c("csv_quote_in_middle", 'a quote in the middle of an unquoted field: Yayasan "Bina" Warga',
       LOST, "clean", m_field(REG, 12, "organisation", b'Yayasan "Bina" Warga Jambi'), (0,),
       check=says("the value kept as typed", lambda o: [] if any(
           '"Bina" Warga' in v for v in o.table("stakeholders")["organisation"].astype(str))
           else ['the organisation with a quote in the middle was not kept as typed'])),
    _c("csv_row_longer_than_header", "register row 10 has two fields more than the header", LOST,
       "clean", m_line(REG, 10, lambda b: b.rstrip(b"\r") + b";extra;lagi"), (0, 2),
       (re.escape(REG), ROW(10)), check=marked("stakeholders", 10)),
    _c("csv_nul_bytes", "NUL bytes inside a register field (row 8)", LOST, "clean",
       m_line(REG, 8, lambda b: b.replace(b";", b"\x00\x00;", 1)), (0, 2), NAMES_REG,
       check=says("no NUL in processed/", lambda o: [
           f"NUL kept in {p.name}" for p, _, t in output_texts(o.work.processed) if "\x00" in t][:1])),
    _c("csv_png_renamed", "a PNG image saved as stakeholder_register.csv", UNCLEAR, "clean",
       m_bytes(REG, _png_bytes()), (2,), NAMES_REG),
    _c("csv_empty_file", "a 0-byte register", UNCLEAR, "clean", m_bytes(REG, b""), (0, 2),
       NAMES_REG, check=says("or listed empty in the manifest", lambda o: [] if o.exit_code != 0
                             or "stakeholders" in o.manifest()["inputs_empty"]
                             + o.manifest()["inputs_missing"] else
                             ["an empty register is neither an error nor listed as empty in the manifest"])),
    _c("csv_only_bom", "a register holding only a UTF-8 BOM", UNCLEAR, "clean",
       m_bytes(REG, codecs.BOM_UTF8), (0, 2), NAMES_REG,
       check=says("or listed empty in the manifest", lambda o: [] if o.exit_code != 0
                             or "stakeholders" in o.manifest()["inputs_empty"]
                             + o.manifest()["inputs_missing"] else
                             ["a BOM-only register is neither an error nor listed as empty "
                              "in the manifest"])),
    _c("csv_utf16le_tab", "register saved as Excel 'Unicode text' (UTF-16 LE, BOM, tabs)", WRONG,
       "clean", m_reencode(REG, "utf-16-le", codecs.BOM_UTF16_LE, "\t"), (0,),
       check=same_table_as_base("stakeholders", "organisation")),
    _c("csv_utf16be", "register in UTF-16 BE with BOM", WRONG, "clean",
       m_reencode(REG, "utf-16-be", codecs.BOM_UTF16_BE), (0,),
       check=same_table_as_base("stakeholders", "organisation")),
    _c("csv_mixed_utf8_cp1252", "UTF-8 register with one cp1252 line (row 9)", WRONG, "clean",
       lambda w: (m_field(REG, 3, "organisation", "Yayasan Peduli – Jambi".encode())(w),
                  m_field(REG, 9, "organisation", "Koperasi Café Jambi".encode("cp1252"))(w)),
       (0, 2), (re.escape(REG), ROW(9)),
       check=all_of(no_mojibake, org_kept("Yayasan Peduli – Jambi"),
                    either(marked("stakeholders", 9), manifest_mentions(r"(?i)(row|line) 9\b")))),
    _c("csv_all_cp1252", "a register saved as plain Windows CSV (cp1252) is read right", WRONG,
       "clean", m_reencode(REG, "cp1252", extra=lambda rows: rows[2].__setitem__(
           1, "Koperasi Kopi Café – Jambi")), (0,),
       check=all_of(org_kept("Koperasi Kopi Café – Jambi"), no_mojibake)),
    _c("csv_title_row", "a title line above the register header", UNCLEAR, "clean",
       m_title_row(REG, "Daftar Pemangku Kepentingan Forum 2026"), (2,),
       (re.escape(REG), ROW(2)), check=message_lacks(r"(?i)form version")),
    _c("csv_duplicate_columns", "two register columns named 'organisation'", WRONG, "clean",
       lambda w: edit_csv(w.raw / REG, _duplicate_organisation),
       (2,), (re.escape(REG), COL("organisation"))),
    # --- renamed required columns --------------------------------------------------------
    _c("renamed_register_organisation", "register: organisation -> org", WRONG, "clean",
       m_rename_csv_column(REG, "organisation", "org"), (2,), (re.escape(REG), COL("organisation"))),
    _c("renamed_attendance_region", "attendance: region -> wilayah", WRONG, "clean",
       m_rename_csv_column(ATT, "region", "wilayah"), (2,), (re.escape(ATT), COL("region"))),
    _c("renamed_ties_organisation", "ties: organisation -> org", WRONG, "clean",
       m_rename_csv_column(TIES, "organisation", "org"), (2,), (re.escape(TIES), COL("organisation"))),
    _c("renamed_partnerships_region", "partnerships: region -> wilayah", WRONG, "clean",
       m_rename_csv_column(PART, "region", "wilayah"), (2,), (re.escape(PART), COL("region"))),
    _c("renamed_indicator_value", "indicator values: value -> nilai (not 783 missing_value rows)",
       WRONG, "clean", m_rename_sheet_column(IND, "values", "value", "nilai"), (2,),
       (re.escape(IND), COL("value"))),
    _c("renamed_targets_region", "indicator targets: region -> wilayah", WRONG, "clean",
       m_rename_sheet_column(IND, "targets", "region", "wilayah"), (2,),
       (re.escape(IND), COL("region"))),
    _c("renamed_survey_region", "survey: region -> wilayah", WRONG, "clean",
       m_rename_sheet_column(SURVEY, 0, "region", "wilayah"), (2,),
       (re.escape(SURVEY), COL("region"))),
    # --- workbooks ------------------------------------------------------------------------
    _c("xlsx_title_row", "a title row above the survey header", UNCLEAR, "clean",
       m_title_row_xlsx, (2,), (re.escape(SURVEY), ROW(2)),
       check=message_lacks(r"(?i)form version|version of the form")),
    _c("xlsx_merged_header_row", "a merged group-label row above the survey header", UNCLEAR,
       "clean", m_merged_header_xlsx, (2,), (re.escape(SURVEY), ROW(2)),
       check=message_lacks(r"(?i)form version|version of the form")),
    _c("xlsx_password", "a password-protected survey workbook (CFB + EncryptedPackage)", TRACE,
       "clean", m_bytes(SURVEY, _cfb_bytes(("EncryptionInfo", "EncryptedPackage"))), (2,),
       (re.escape(SURVEY), r"(?i)password|encrypt|protected|sandi")),
    _c("xlsx_corrupt_member", "indicators.xlsx with a damaged sheet XML", TRACE, "clean",
       m_corrupt_member(IND, "xl/worksheets/sheet1.xml"), (2,), (re.escape(IND),)),
    _c("xlsx_truncated", "the codebook workbook cut in half (a broken download)", TRACE, "clean",
       m_bytes(CODEBOOK, lambda b: b[: len(b) // 2]), (2,), (re.escape(CODEBOOK),)),
    _c("xls_renamed", "an Excel 97-2003 .xls saved under indicators.xlsx", UNCLEAR, "clean",
       m_bytes(IND, _cfb_bytes(("Workbook", "SummaryInformation"))), (2,),
       (re.escape(IND), r"(?i)xls|excel 97|97-2003|old|lama")),
    _c("xlsx_empty_survey_file", "a 0-byte survey workbook", UNCLEAR, "clean",
       m_bytes(SURVEY, b""), (2,), (re.escape(SURVEY),)),
    _c("codebook_no_choices", "the codebook lacks its 'choices' sheet", UNCLEAR, "clean",
       m_codebook_drop("choices"), (2,), (re.escape(CODEBOOK), COL("choices"))),
    _c("codebook_no_survey_sheet", "the codebook lacks its 'survey' sheet", UNCLEAR, "clean",
       m_codebook_drop("survey"), (2,), (re.escape(CODEBOOK), COL("survey"))),
    # --- plausibility (silently wrong values) ---------------------------------------------
    _c("thousands_dot", "indicator value typed '1.250' (thousands dot)", WRONG, "clean",
       m_values_cell(700, "value", "1.250"), (0,), check=marked("indicator_values", 700)),
    _c("decimal_influence", "register influence '3,5' on the 1-5 integer scale", WRONG, "clean",
       m_csv_cell(REG, 6, "influence", "3,5"), (0,), check=marked("stakeholders", 6)),
    _c("future_year_2031", "an indicator value for the year 2031", WRONG, "clean",
       m_values_cell(40, "year", 2031), (0,), check=marked("indicator_values", 40)),
    _c("future_year_2040_wide", "a values_wide column '2040'", WRONG, "clean",
       m_add_wide_year("2040", 88.8), (0,), check=marked("indicator_values", 2, sheet="values_wide")),
    _c("target_before_baseline", "target year 2018 before baseline year 2019", WRONG, "clean",
       m_sheet_cell(IND, "targets", 5, "target_year", 2018), (0,),
       check=marked("indicator_targets", 5)),
    _c("start_year_2035", "a partnership starting in 2035", WRONG, "clean",
       m_csv_cell(PART, 3, "start_year", "2035"), (0,), check=marked("partnerships", 3)),
    _c("jambi_ambiguous", "'Jambi' (province and city) typed for 20 Kota Jambi responses", WRONG,
       "clean", m_survey_region("Jambi", 20), (0,), check=check_jambi),
    _c("excel_serial_timestamps", "survey start/end as Excel serial numbers; one 60 s response",
       WRONG, "clean", m_excel_serials, (0,), check=check_speeder()),
    _c("value_inf", "indicator value 'inf'", WRONG, "clean", m_values_cell(20, "value", "inf"),
       (0,), check=marked("indicator_values", 20, quarantine=True)),
    _c("value_1e308", "indicator value '1e308'", WRONG, "clean",
       m_values_cell(21, "value", "1e308"), (0,), check=marked("indicator_values", 21, quarantine=True)),
    _c("value_minus_inf", "indicator value '-inf'", WRONG, "clean",
       m_values_cell(22, "value", "-inf"), (0,), check=marked("indicator_values", 22, quarantine=True)),
    _c("value_nan_text", "indicator value typed 'NaN'", WRONG, "clean",
       m_values_cell(23, "value", "NaN"), (0,), check=marked("indicator_values", 23, quarantine=True)),
    _c("negative_amount", "a negative count/amount (komitmen_kps = -5)", WRONG, "clean",
       lambda w: m_values_cell(_row_of(w, "komitmen_kps"), "value", "-5")(w), (0,),
       check=says("the row quarantined", lambda o: marked(
           "indicator_values", o.work.notes["row"], quarantine=True)(o))),
    _c("negative_interest", "register interest -3 on the 1-5 scale", WRONG, "clean",
       m_csv_cell(REG, 11, "interest", "-3"), (0,), check=marked("stakeholders", 11)),
    # --- personal data in every free-text input -------------------------------------------
    *[_c(f"pii_phone_{key}", f"survey organisation with the phone spelling {phone!r}", PII,
         "clean", m_survey_org(_valid_and_quarantined, lambda org, p=phone: f"{org} {p}"), (0,),
         pii_digits=(phone,)) for key, phone in PHONES.items()],
    _c("pii_nik_spaces", "survey organisation with a NIK written with spaces", PII, "clean",
       m_survey_org(_valid_and_quarantined, lambda org: f"{org} NIK {NIK_SPACES}"), (0,),
       pii_digits=(NIK_SPACES,)),
    _c("pii_survey_email", "survey organisation with an e-mail address", PII, "clean",
       m_survey_org(_valid_and_quarantined, lambda org: f"{org} ({EMAIL})"), (0,), pii=(EMAIL,)),
    _c("pii_survey_notes", "a free-text notes column with name, phone and e-mail", PII, "clean",
       m_survey_notes(f"Bertemu Ibu Ayu, HP {STD_PHONE}, {EMAIL}"), (0,), pii=(EMAIL,),
       pii_digits=(STD_PHONE,)),
    _c("pii_respondent_name", "a respondent's name typed in an organisation (survey, register)",
       PII, "clean", m_name_in_org, (0,), check=name_not_in_outputs),
    _c("pii_register_org", "register organisation with a phone (62 812 ...) and an e-mail", PII,
       "clean", m_csv_cell(REG, 5, "organisation",
                           lambda v: f"{v} (hub. {PHONES['62_space']} / {EMAIL})"), (0,),
       pii=(EMAIL,), pii_digits=(PHONES["62_space"],)),
    _c("pii_ties", "ties partner with an e-mail and a phone", PII, "clean",
       lambda w: (m_csv_cell(TIES, 7, "partner", lambda v: f"{v} <{EMAIL}>")(w),
                  m_csv_cell(TIES, 8, "organisation",
                             lambda v: f"{v} {PHONES['plus62_paren']}")(w)), (0,),
       pii=(EMAIL,), pii_digits=(PHONES["plus62_paren"],)),
    _c("pii_attendance", "attendance meeting name and organisation with NIK and phone", PII,
       "clean", lambda w: (m_csv_cell(ATT, 12, "meeting", lambda v: f"{v} NIK {NIK_SPACES}")(w),
                           m_csv_cell(ATT, 13, "organisation",
                                      lambda v: f"{v} {PHONES['paren_plus62']}")(w)), (0,),
       pii_digits=(NIK_SPACES, PHONES["paren_plus62"])),
    _c("pii_partnerships", "partnership name with a contact phone", PII, "clean",
       m_csv_cell(PART, 3, "name", lambda v: f"{v} (narahubung {PHONES['dots']})"), (0,),
       pii_digits=(PHONES["dots"],)),
    _c("pii_indicator_source", "indicator 'source' column with an e-mail and a phone", PII,
       "clean", m_indicator_source(f"dikirim {EMAIL} {PHONES['dots']}"), (0,),
       pii=(EMAIL,), pii_digits=(PHONES["dots"],)),
    _c("pii_phone_plus62_dots", f"survey organisation with the phone spelling {EXTRA_PHONE!r}",
       PII, "clean", m_survey_org(_valid_and_quarantined, lambda org: f"{org} {EXTRA_PHONE}"),
       (0,), pii_digits=(EXTRA_PHONE,)),
    # --- folders, paths, the command line --------------------------------------------------
    _c("processed_inside_raw", "clean --processed-dir inside data/raw", WRONG, "clean", m_none,
       (2,), (r"(?i)raw",), args=lambda w: ["clean", "--raw-dir", str(w.raw), "--processed-dir",
                                              str(w.raw / "processed")]),
    _c("reports_inside_raw", "run --reports-dir inside data/raw", WRONG, "run", m_none, (2,),
       (r"(?i)raw",), pre=pre_clean, args=runs_args(reports=lambda w: w.raw / "reports")),
    _c("run_processed_inside_raw", "run --processed-dir inside data/raw", WRONG, "run", m_none,
       (2,), (r"(?i)raw",), args=runs_args(processed=lambda w: w.raw / "processed")),
    _c("region_shell_rm", "-r '; rm -rf <folder>' (shell metacharacters)", BATCH, "run",
       m_sentinel, (2,), (r"rm -rf",),
       args=runs_args(regions=(lambda w: f"; rm -rf {w.root / 'sentinel'}",)), check=crafted_ok),
    _c("region_shell_subst", "-r '$(touch pwned)' (command substitution)", BATCH, "run",
       m_sentinel, (2,), (r"touch",),
       args=runs_args(regions=(lambda w: f"$(touch {w.root / 'pwned'})",)), check=crafted_ok),
    _c("region_backticks", "-r 'Kota Jambi`touch pwned2`'", BATCH, "run", m_sentinel, (2,), (),
       args=runs_args(regions=(lambda w: f"Kota Jambi`touch {w.root / 'pwned2'}`",)),
       check=crafted_ok),
    _c("region_traversal", "-r '../../etc' (path traversal)", BATCH, "run", m_sentinel, (2,),
       (r"\.\./\.\./etc",), args=runs_args(regions=("../../etc",)), check=crafted_ok),
    _c("reports_dir_is_file", "--reports-dir names a file, not a folder", TRACE, "run",
       m_reports_is_file, (2,), (r"reports_file",), pre=pre_clean),
    _c("reports_dir_readonly", "a read-only reports folder (chattr +i as root, else chmod)", TRACE,
       "run", m_readonly_reports, (2,), (r"(?i)reports",), pre=pre_clean, skip=_readonly_skip),
    _c("symlink_to_passwd", "the register is a symlink to /etc/passwd", PII, "clean",
       m_symlink_passwd, (0, 2), NAMES_REG, check=passwd_not_used),
    _c("disk_full_clean", "the disk fills up while clean writes (RLIMIT_FSIZE)", TRACE, "clean",
       m_disk_full, (2,), (r"(?i)processed|disk|space|too large",), check=processed_readable),
    # --- run-time faults ---------------------------------------------------------------------
    _c("header_only_survey_run", "a header-only survey at `run`", TRACE, "run",
       m_header_only_survey, (2,), (re.escape(SURVEY),), pre=pre_clean),
    _c("corrupt_processed_parquet", "processed survey.parquet truncated before `run`", TRACE,
       "run", m_corrupt_processed("survey.parquet"), (0, 2), (r"survey\.parquet",),
       pre=pre_clean, check=all_of(processed_readable, report_written()), slow=True,
       timeout=300),
    _c("corrupt_manifest", "processed manifest.json truncated before `run`", TRACE, "run",
       m_corrupt_processed("manifest.json"), (0, 2), (r"manifest\.json",), pre=pre_clean,
       check=all_of(processed_readable, report_written()), slow=True, timeout=300),
    _c("corrupt_results_table", "results/index.parquet truncated before `run`", TRACE, "run",
       m_corrupt_result, (0, 2), (r"index\.parquet",), pre=pre_results,
       check=all_of(processed_readable, report_written()), slow=True, timeout=300),
    _c("concurrent_runs", "two `evalkit run` on one folder at once", BATCH, "run",
       lambda w: w.notes.__setitem__("runner", concurrent_runner), (0, 2), pre=pre_clean,
       check=check_concurrent, slow=True, timeout=600),
    # --- validate ------------------------------------------------------------------------------
    _c("validate_renamed_value", "validate: indicator values value -> nilai", WRONG, "validate",
       m_rename_sheet_column(IND, "values", "value", "nilai"), (1,), (re.escape(IND), COL("value"))),
    _c("validate_title_row", "validate: a title row above the survey header", UNCLEAR, "validate",
       m_title_row_xlsx, (1,), (re.escape(SURVEY), ROW(2))),
    _c("validate_png_register", "validate: a PNG saved as the register", UNCLEAR, "validate",
       m_bytes(REG, _png_bytes()), (1,), NAMES_REG,
       check=says("no parser jargon", lambda o: [f"parser jargon: {m.group(0)!r}"
                                                for m in [PARSER_JARGON.search(o.output)] if m])),
    # --- the independent NTT programme (tests/own_data.py) ---------------------------------------
    _c("ntt_unclosed_quote", "NTT survey.csv: an organisation's closing quote missing (row 20)",
       LOST, "clean", m_ntt_unclosed, (0, 2), (re.escape(NTT_SURVEY), ROW(20)), data="ntt"),
    _c("ntt_title_row_csv", "NTT survey.csv with a title line above the header", UNCLEAR, "clean",
       m_title_row(NTT_SURVEY, "Ekspor Kobo: Survei Forum Stunting NTT 2024"), (2,),
       (re.escape(NTT_SURVEY), ROW(2)), data="ntt", check=message_lacks(r"(?i)form version")),
    _c("ntt_duplicate_column", "NTT survey.csv with 'nama_lembaga' twice", WRONG, "clean",
       m_ntt_dup_column, (2,), (re.escape(NTT_SURVEY), COL("nama_lembaga")), data="ntt"),
    _c("ntt_utf16_register", "NTT register as Excel 'Unicode text' (UTF-16 LE, tabs)", WRONG,
       "clean", m_ntt_utf16_register, (0,), data="ntt",
       check=same_table_as_base("stakeholders", "organisation")),
    _c("ntt_cp1252_line", "NTT survey.csv: UTF-8 with one cp1252 line", WRONG, "clean",
       m_ntt_cp1252_line, (0, 2), (re.escape(NTT_SURVEY), ROW(15)), data="ntt",
       check=all_of(no_mojibake, org_kept("Yayasan Peduli – Flobamora", "survey"),
                    either(marked("survey", 15), manifest_mentions(r"(?i)(row|line) 15\b")))),
    _c("ntt_renamed_register_org", "NTT register: organisation -> org", WRONG, "clean",
       m_rename_csv_column(REG, "organisation", "org"), (2,), (re.escape(REG), COL("organisation")),
       data="ntt"),
    _c("ntt_pii_phone_spellings", "NTT nama_lembaga with the five phone spellings", PII, "clean",
       m_ntt_pii, (0,), data="ntt", pii_digits=tuple(PHONES.values())),
    _c("ntt_pii_notes", "NTT Kobo _notes with a respondent's name, phone and e-mail", PII, "clean",
       m_ntt_notes, (0,), data="ntt", pii=(EMAIL,), pii_digits=(PHONES["dots"],),
       check=name_not_in_outputs),
    _c("ntt_excel_serials", "NTT survey.csv start/end as Excel serials; one 60 s response", WRONG,
       "clean", m_ntt_serials, (0,), data="ntt", check=check_speeder()),
    _c("ntt_nul_bytes", "NTT survey.csv with NUL bytes in a field", LOST, "clean",
       m_line(NTT_SURVEY, 9, lambda b: b.replace(b'";"', b'\x00";"', 3)), (0, 2),
       (re.escape(NTT_SURVEY),), data="ntt"),
    _c("ntt_10mb_line", "NTT survey.csv with a 10 MB organisation field", BATCH, "clean",
       m_big_line(NTT_SURVEY, 12, "nama_lembaga"), (0, 2), (re.escape(NTT_SURVEY), ROW(12)),
       data="ntt", timeout=30, check=says("bounded: < 60 s", lambda o: [] if o.seconds < 60
                              else [f"took {o.seconds:.0f} s"])),
    _c("ntt_inf_wide", "NTT values_wide cell 'inf'", WRONG, "clean", m_ntt_wide("2021", "inf"),
       (0,), data="ntt", check=marked("indicator_values", 2, sheet="values_wide", quarantine=True)),
    _c("ntt_future_year_wide", "NTT values_wide column '2031'", WRONG, "clean",
       m_ntt_wide("2031", 40.0), (0,), data="ntt",
       check=marked("indicator_values", 2, sheet="values_wide")),
    _c("ntt_target_before_baseline", "NTT target year 2017 before baseline 2019", WRONG, "clean",
       m_sheet_cell(IND, "targets", 3, "target_year", 2017), (0,), data="ntt",
       check=marked("indicator_targets", 3)),
    _c("ntt_row_longer", "NTT register row 6 longer than its header", LOST, "clean",
       m_line(REG, 6, lambda b: b.rstrip(b"\r") + b";;lebih"), (0, 2), (re.escape(REG), ROW(6)),
       data="ntt", check=marked("stakeholders", 6)),
]


def _row_of(work: Work, indicator: str) -> int:
    import openpyxl

    ws = openpyxl.load_workbook(work.raw / IND, read_only=True)["values"]
    for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if n > 1 and row[1] == indicator and row[5] in (None, ""):
            work.notes["row"] = n
            return n
    raise LookupError(indicator)


# --------------------------------------------------------------------------------------
# The payload-laden project: cleaned and run once, every report-level case reads it
# --------------------------------------------------------------------------------------
# A central Kota Jambi organisation (not one of payloads.ORG_PAYLOADS) carries PII.
PII_ORG_SUFFIX = f" (CP {PHONES['plus62_paren']}, NIK {NIK_SPACES}, {EMAIL})"
# Formula payloads in Indonesian labels (the run is --lang id, so the English ones of
# payloads.py reach no output): indicator names the Indonesian workbook shows.
EXTRA_INDICATOR_NAMES = {"komitmen_kps": "=cmd|' /C calc'!A0", "keputusan_inklusif": "@SUM(A1)",
                         "musrenbang_perempuan": "\t=1+2"}
SMALL_KEEP = 2  # respondents left in the small region: its report must print no raw mean


@dataclass
class PayloadProject:
    work: Work
    planted: dict
    outcome: Outcome
    pii_org: str


def _central_org(raw: Path, region_name: str, exclude) -> str:
    rows, _, _ = read_csv_rows(raw / TIES)
    counts: dict[str, int] = {}
    for r in rows[1:]:
        if r[0] == region_name:
            for org in (r[1], r[2]):
                if org not in exclude:
                    counts[org] = counts.get(org, 0) + 1
    return max(counts, key=counts.get)


def build_payload_project(base: Base, root: Path) -> PayloadProject:
    """payloads.make_payload_raw + PII in a central organisation + Indonesian formula
    labels + a 2-respondent region; cleaned in-process, run once in a subprocess."""
    import openpyxl
    import payloads

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    raw = root / "raw"
    planted = payloads.make_payload_raw(base.raw, raw)
    work = Work(root, raw, root / "processed", root / "reports", base)
    org = _central_org(raw, payloads.REGION, set(payloads.ORG_PAYLOADS) | set(
        payloads.ORG_PAYLOADS.values()))
    new = org + PII_ORG_SUFFIX
    for name, columns in ((REG, ("organisation",)), (TIES, ("organisation", "partner")),
                          (ATT, ("organisation",))):
        def fn(rows, columns=columns):
            idx = [rows[0].index(c) for c in columns]
            for r in rows[1:]:
                for i in idx:
                    if r[i] == org:
                        r[i] = new
        edit_csv(raw / name, fn)
    wb = openpyxl.load_workbook(raw / SURVEY)
    ws = wb.worksheets[0]
    cols = header(ws)
    small_rows = []
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, cols["organisation"]).value == org:
            set_text(ws.cell(r, cols["organisation"]), new)
        if "sorong" in str(ws.cell(r, cols["region"]).value).lower():
            small_rows.append(r)
    for r in reversed(small_rows[SMALL_KEEP:]):
        ws.delete_rows(r)
    wb.save(raw / SURVEY)
    wb = openpyxl.load_workbook(raw / IND)
    meta = wb["metadata"]
    mcols = header(meta)
    for r in range(2, meta.max_row + 1):
        ind = meta.cell(r, mcols["indicator_id"]).value
        if ind in EXTRA_INDICATOR_NAMES:
            set_text(meta.cell(r, mcols["name_id"]), EXTRA_INDICATOR_NAMES[ind])
            planted[f"indicators.name_id.{ind}"] = EXTRA_INDICATOR_NAMES[ind]
    wb.save(raw / IND)
    m_inf_values(work)  # inf / 1e308 / -inf in the small region's indicators (its report runs)
    planted["inf_rows"] = work.notes["rows"]
    case = Case("payload_project", "the payload-laden project", XSS, "run", m_none, (0,))
    before = tree_hashes(raw)
    start = time.perf_counter()
    code, out = invoke(["clean", "--raw-dir", str(raw), "--processed-dir", str(work.processed)])
    if code == 0:
        c2, o2 = invoke(["run", "--raw-dir", str(raw), "--processed-dir", str(work.processed),
                         "--reports-dir", str(work.reports), "-r", REGION, "-r", SMALL_REGION,
                         "--lang", "id", "--jobs", "1"], in_process=False, cwd=root, timeout=600)
        code, out = c2, out + "\n" + o2
    outcome = Outcome(case, work, code, out, time.perf_counter() - start, before,
                      tree_hashes(raw))
    return PayloadProject(work, planted, outcome, new)


@dataclass
class ReportCase:
    """A report-level case: checked on the shared payload project's outputs."""

    id: str
    desc: str
    harm: str
    check: Callable[[PayloadProject], list[str]]
    command: str = "run"
    exit: tuple[int, ...] = (0,)
    payload: str | None = None

    def note(self, p: PayloadProject) -> str:
        """'' when the payload reached some report (as text), else a note for the table:
        a case whose payload no report shows holds trivially."""
        if self.payload is None:
            return ""
        # the payload's own words (an escaped or a live payload both contain them)
        keys = re.findall(r"__pwned=\d|example\.invalid/beacon", self.payload)
        core = keys[0] if keys else self.payload.strip().lstrip("=+-@")[:20]
        for path in Path(p.work.reports).rglob("*"):
            if path.suffix in {".html", ".ipynb"} and core in html.unescape(
                    path.read_text("utf-8", "replace")):
                return ""
            if path.suffix == ".xlsx" and any(core in t for f, _part, t in output_texts(path.parent)
                                              if f.name == path.name):
                return ""
        return " (payload shown in no report)"

    @property
    def expectation(self) -> str:
        return "exit 0, nothing live/leaked in reports/"


def _needs_report(p: PayloadProject) -> list[str]:
    fails = []
    if p.outcome.exit_code != 0:
        fails.append(f"the payload run exited {p.outcome.exit_code}: "
                     + _last_lines(p.outcome.output))
    if "Traceback" in p.outcome.output:
        fails.append("a traceback in the payload run: " + _traceback_tail(p.outcome.output))
    for stem in (f"{REGION}-", f"{SMALL_REGION}-"):
        if not list(p.work.reports.glob(f"{stem}*.html")):
            fails.append(f"no {stem}*.html report: nothing to check the payloads in")
    if not (p.work.reports / "summary.xlsx").exists():
        fails.append("no summary.xlsx")
    return fails


def payload_case(id_: str, desc: str, harm: str, payload: str):

    def check(p: PayloadProject) -> list[str]:
        fails = _needs_report(p)
        if not any(v for v in p.planted.values() if payload in v):
            fails.append(f"{payload!r} was not planted")
        kind = "formula" if harm == FORMULA else "html"
        markers = tuple(re.findall(r"__pwned=\d|example\.invalid", payload))
        found = live_payloads(p.work.reports, payload, markers, kind)
        return fails + [f"live: {f}" for f in found[:5]]

    return ReportCase(id_, desc, harm, check, payload=payload)


def _report_text(path: Path) -> str:
    t = path.read_text("utf-8", "replace")
    t = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", t)
    t = re.sub(r"data:image/[^\"')\s]+", " ", t)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", t)))


def check_small_region(p: PayloadProject) -> list[str]:
    fails = _needs_report(p)
    import pandas as pd

    s = pd.read_parquet(p.work.processed / "survey.parquet")
    n = int((s["region_code"] == SMALL_REGION).sum())
    if n >= 5:
        fails.append(f"the small region has {n} respondents, not {SMALL_KEEP}")
    for path in p.work.reports.glob(f"{SMALL_REGION}-*.html"):
        text = _report_text(path)
        for m in re.finditer(r"(?i)(rata-rata mentah|raw mean)\s*\(?\s*\d[\d.,]*", text):
            fails.append(f"{path.name} prints the raw mean of {n} respondents: {m.group(0)!r}")
    return fails


def check_inf_run(p: PayloadProject) -> list[str]:
    """inf / 1e308 / -inf in the small region's indicators: quarantined, no report fails."""
    import pandas as pd

    fails = _needs_report(p)
    fails += [f"a report failed: {e.name}: {e.read_text()[-200:]!r}"
              for e in sorted(p.work.reports.glob("*.error.txt"))[:2]]
    q = pd.read_parquet(p.work.processed / "quarantine.parquet")
    got = set(q.loc[q["table"] == "indicator_values", "source_row"].astype(int))
    missing = sorted(set(p.planted["inf_rows"]) - got)
    if missing:
        fails.append(f"non-finite values in rows {missing} reached the models (not quarantined)")
    return fails


def check_pii_report(p: PayloadProject) -> list[str]:
    fails = _needs_report(p)
    hits = scan_outputs([p.work.processed, p.work.reports], (EMAIL,),
                        (PHONES["plus62_paren"], NIK_SPACES))
    return fails + [f"planted personal data: {h}" for h in hits[:6]]


def check_csp(p: PayloadProject) -> list[str]:
    fails = _needs_report(p)
    for path in sorted(p.work.reports.glob("*.html")):
        head = path.read_text("utf-8", "replace")[:20000]
        if not re.search(r"(?i)<meta[^>]+http-equiv=[\"']?content-security-policy", head):
            fails.append(f"{path.name} has no Content-Security-Policy")
    return fails


class _Remote(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        url = a.get("src") or (a.get("href") if tag == "link" else None) or ""
        if re.match(r"(?i)\s*(https?:)?//", url):
            self.found.append(f"<{tag} {url[:80]}>")


def check_no_remote(p: PayloadProject) -> list[str]:
    fails = _needs_report(p)
    for path in sorted(p.work.reports.glob("*.html")):
        parser = _Remote()
        parser.feed(path.read_text("utf-8", "replace"))
        fails += [f"{path.name} loads {x}" for x in parser.found[:3]]
    return fails


def _harm(payload: str) -> str:
    """A formula payload (OWASP prefixes) or markup/markdown."""
    return FORMULA if payload.lstrip("\t\r").startswith(("=", "+", "-", "@")) else XSS


def _report_cases() -> list[ReportCase]:
    import payloads as P

    out = [
        payload_case("xss_org_script", "<script> in an organisation name", XSS, P.SCRIPT),
        payload_case("xss_org_img_onerror", "<img onerror> in an organisation name", XSS,
                     P.IMG_ONERROR),
        payload_case("xss_org_svg_onload", "<svg onload> in an organisation name", XSS, P.SVG_ONLOAD),
        payload_case("md_org_js_link", "markdown javascript: link in an organisation name", XSS,
                     P.MD_JS_LINK),
        payload_case("md_org_remote_image", "markdown remote image in an organisation name", XSS,
                     P.MD_REMOTE_IMAGE),
        payload_case("xss_indicator_name", "HTML in an indicator's Indonesian name (air_minum)",
                     _harm(P.INDICATOR_PAYLOADS["air_minum"][0]), P.INDICATOR_PAYLOADS["air_minum"][0]),
        payload_case("md_indicator_name", "markdown in an indicator's Indonesian name (kemiskinan)",
                     _harm(P.INDICATOR_PAYLOADS["kemiskinan"][0]), P.INDICATOR_PAYLOADS["kemiskinan"][0]),
        payload_case("xss_codebook_dimension_label", "a payload in a dimension label (codebook)",
                     _harm(P.DIMENSION_LABEL_PAYLOADS["grp_trust"][0]),
                     P.DIMENSION_LABEL_PAYLOADS["grp_trust"][0]),
        payload_case("xss_codebook_item_label", "a payload in an item label (codebook)",
                     _harm(P.ITEM_LABEL_PAYLOADS["q01"][0]), P.ITEM_LABEL_PAYLOADS["q01"][0]),
        payload_case("sector_label_payload", "a payload in a sector's Indonesian label (codebook)",
                     _harm(P.SECTOR_LABEL_PAYLOADS["media"][0]), P.SECTOR_LABEL_PAYLOADS["media"][0]),
        payload_case("xss_partnership_name", "a payload in a partnership name",
                     _harm(next(iter(P.PARTNERSHIP_PAYLOADS.values()))),
                     next(iter(P.PARTNERSHIP_PAYLOADS.values()))),
        payload_case("xss_meeting_name", "a payload in a meeting name",
                     _harm(next(iter(P.MEETING_PAYLOADS.values()))),
                     next(iter(P.MEETING_PAYLOADS.values()))),
        payload_case("formula_indicator_hyperlink", "a formula in an indicator name (stunting)",
                     _harm(P.INDICATOR_PAYLOADS["stunting"][0]), P.INDICATOR_PAYLOADS["stunting"][0]),
        payload_case("formula_indicator_dde", "=cmd|' /C calc'!A0 in an indicator name", FORMULA,
                     "=cmd|' /C calc'!A0"),
        payload_case("formula_indicator_at", "@SUM(A1) in an indicator name", FORMULA, "@SUM(A1)"),
        payload_case("formula_indicator_tab", "tab + =1+2 in an indicator name", FORMULA, "\t=1+2"),
        payload_case("formula_org_dde", "=cmd|... in an organisation name", FORMULA, P.XL_DDE),
        payload_case("formula_org_plus", "+1+1 in an organisation name", FORMULA, P.XL_PLUS),
        payload_case("formula_org_minus", "-2+3 in an organisation name", FORMULA, P.XL_MINUS),
        payload_case("formula_org_at", "@SUM(A1) in an organisation name", FORMULA, P.XL_AT),
        payload_case("formula_org_tab", "tab + formula in an organisation name", FORMULA, P.XL_TAB),
        ReportCase("pii_central_org_report", "phone, NIK and e-mail in a central organisation's "
                   "name: not in processed data, HTML, .ipynb or workbook", PII, check_pii_report),
        ReportCase("inf_in_run", "inf / 1e308 / -inf in a region's indicators, then `run`: "
                   "quarantined, no report crashes", BATCH, check_inf_run),
        ReportCase("small_region_raw_mean", f"a {SMALL_KEEP}-respondent region's report prints "
                   "no raw mean", PII, check_small_region),
        ReportCase("html_csp", "every exported HTML carries a Content-Security-Policy", XSS,
                   check_csp),
        ReportCase("html_no_remote", "no exported HTML loads a remote resource", XSS,
                   check_no_remote),
    ]
    return out


REPORT_CASES: list[ReportCase] = _report_cases()


def sigkill_case() -> Case:
    """SIGKILL of `evalkit run --jobs 2` (needs a processed project: pre_clean)."""
    return Case("sigkill_run", "SIGKILL of `evalkit run --jobs 2`: no process survives, nothing "
                "written after", BATCH, "run",
                lambda w: w.notes.__setitem__("runner", sigkill_runner), (0,), pre=pre_clean,
                args=lambda w: ["run", "--raw-dir", str(w.raw), "--processed-dir",
                                str(w.processed), "--reports-dir", str(w.reports), "--lang", "id",
                                "--jobs", "2", "-r", REGION, "-r", SMALL_REGION, "-r", "35.78"],
                check=check_sigkill, slow=True, timeout=120)


CASES.append(sigkill_case())


# --------------------------------------------------------------------------------------
# Running many cases on both cores (spawned workers; each case in its own folder)
# --------------------------------------------------------------------------------------
PAYLOAD = "payload_project"


def case_by_id(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


def load_base(name: str, root: Path) -> Base:
    """A base made by :func:`make_base` under ``root`` (in another process)."""
    import pandas as pd

    processed = Path(root) / f"{name}_processed"
    return Base(name, Path(root) / f"{name}_raw", processed,
                pd.read_parquet(processed / "quarantine.parquet"),
                pd.read_parquet(processed / "flags.parquet"))


def _remote(case_id: str, base_name: str, base_root: str, root: str) -> dict:
    """Worker side: run one case (or build the payload project); plain data back."""
    base = load_base(base_name, Path(base_root))
    if case_id == PAYLOAD:
        p = build_payload_project(base, Path(root))
        o = p.outcome
        return dict(exit_code=o.exit_code, output=o.output, seconds=o.seconds,
                    raw_before=o.raw_before, raw_after=o.raw_after, notes={},
                    reports=str(o.work.reports), planted=p.planted, pii_org=p.pii_org)
    try:
        o = run_case(case_by_id(case_id), base, Path(root))
    except Exception:
        return dict(broken=traceback.format_exc())
    notes = {k: v for k, v in o.work.notes.items() if not callable(v)}
    return dict(exit_code=o.exit_code, output=o.output, seconds=o.seconds,
                raw_before=o.raw_before, raw_after=o.raw_after, notes=notes,
                reports=str(o.work.reports))


def _rebuild(case_id: str, data: dict, base: Base, root: Path):
    if "broken" in data:
        raise RuntimeError(f"the case itself broke:\n{data['broken']}")
    root = Path(root)
    work = Work(root, root / "raw", root / "processed", Path(data["reports"]), base,
                data["notes"])
    case = (Case(PAYLOAD, "the payload-laden project", XSS, "run", m_none, (0,))
            if case_id == PAYLOAD else case_by_id(case_id))
    outcome = Outcome(case, work, data["exit_code"], data["output"], data["seconds"],
                      data["raw_before"], data["raw_after"])
    if case_id == PAYLOAD:
        return PayloadProject(work, data["planted"], outcome, data["pii_org"])
    return outcome


def _worker_loop(conn) -> None:
    """A spawned worker: run the cases it is sent, one at a time, until told to stop."""
    while True:
        task = conn.recv()
        if task is None:
            return
        try:
            conn.send(_remote(*task))
        except Exception:
            conn.send(dict(broken=traceback.format_exc()))


def _end_tree(proc) -> None:
    """End a worker we started and every process it started (by their ids)."""
    try:
        import psutil

        kids = psutil.Process(proc.pid).children(recursive=True)
    except Exception:
        kids = []
    for kid in kids:
        try:
            kid.kill()
        except Exception:
            pass
    proc.kill()
    proc.join(10)


def run_many(case_ids: list[str], bases: dict[str, Base], root: Path, workers: int = 2) -> dict:
    """Run cases (and :data:`PAYLOAD`) in ``workers`` spawned processes, longest first.

    A case that outlives its ``timeout`` (a hang: a regex that backtracks for ever on a
    10 MB field) has its worker ended and counts as failed; the others go on. Returns
    case id -> :class:`Outcome` (:class:`PayloadProject` for PAYLOAD), or the exception
    that broke or timed out the case."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    ctx = mp.get_context("spawn")
    root = Path(root)
    pending = sorted(case_ids, key=lambda i: (i != PAYLOAD, not (i != PAYLOAD and
                                                                  case_by_id(i).slow)))
    data_of = {i: "demo" if i == PAYLOAD else case_by_id(i).data for i in pending}
    limit = {i: 900 if i == PAYLOAD else case_by_id(i).timeout + 60 for i in pending}

    def start() -> dict:
        here, there = ctx.Pipe()
        proc = ctx.Process(target=_worker_loop, args=(there,), daemon=True)
        proc.start()
        there.close()
        return {"proc": proc, "conn": here, "task": None, "since": 0.0}

    slots = [start() for _ in range(max(1, min(workers, len(pending))))]
    results: dict = {}
    try:
        while pending or any(s["task"] for s in slots):
            for s in slots:
                if s["task"] is None and pending:
                    i = pending.pop(0)
                    s["task"], s["since"] = i, time.time()
                    s["conn"].send((i, data_of[i], str(bases[data_of[i]].raw.parent),
                                    str(root / i)))
            busy = [s for s in slots if s["task"]]
            ready = wait([s["conn"] for s in busy], timeout=1)
            for n, s in enumerate(slots):
                i = s["task"]
                if i is None:
                    continue
                if s["conn"] in ready:
                    try:
                        data = s["conn"].recv()
                    except EOFError:
                        data = dict(broken="the worker process died")
                    try:
                        results[i] = _rebuild(i, data, bases[data_of[i]], root / i)
                    except Exception as exc:
                        results[i] = exc
                    s["task"] = None
                    if "broken" in data and not s["proc"].is_alive():
                        slots[n] = start()
                elif time.time() - s["since"] > limit[i]:
                    _end_tree(s["proc"])
                    results[i] = TimeoutError(f"no answer after {limit[i]:.0f} s (a hang)")
                    slots[n] = start()
    finally:
        for s in slots:  # stop each worker, then end what it left running (fork servers)
            try:
                import psutil

                kids = psutil.Process(s["proc"].pid).children(recursive=True)
            except Exception:
                kids = []
            try:
                s["conn"].send(None)
                s["proc"].join(10)
            except Exception:
                pass
            if s["proc"].is_alive():
                _end_tree(s["proc"])
            for kid in kids:
                try:
                    kid.kill()
                except Exception:
                    pass
    return results


# --------------------------------------------------------------------------------------
# The table (script)
# --------------------------------------------------------------------------------------
def _row(id_, harm, command, expectation, fails, seconds, code=None) -> str:
    got = f" (exit {code})" if code is not None else ""
    result = (f"held{got}" if not fails else
              f"failed{got}: " + "; ".join(fails)[:300].replace("|", "/").replace("\n", " "))
    return f"| {id_} | {harm} | {command} | {expectation} | {result} | {seconds:.1f} |"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--table", action="store_true", help="print the corpus table")
    parser.add_argument("--no-slow", action="store_true", help="leave out the slow cases")
    parser.add_argument("--only", nargs="*", default=None, help="case ids to run")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders")
    parser.add_argument("--jobs", type=int, default=2, help="cases run in parallel")
    args = parser.parse_args(argv)
    import hostile_cases as me  # the workers import this module by its name

    import evalkit

    print(f"evalkit from {Path(evalkit.__file__).parent}", file=sys.stderr)
    tmp = Path(tempfile.mkdtemp(prefix="hostile-"))
    chosen = [c for c in me.CASES if (args.only is None or c.id in args.only)
              and not (args.no_slow and c.slow)]
    reports = [c for c in me.REPORT_CASES if (args.only is None or c.id in args.only)
               and not args.no_slow]
    skipped = {c.id: c.skip() for c in chosen if c.skip and c.skip()}
    try:
        bases = {name: me.make_base(name, tmp / "bases")
                 for name in sorted({c.data for c in chosen} | ({"demo"} if reports else set()))}
        ids = [c.id for c in chosen if c.id not in skipped] + ([me.PAYLOAD] if reports else [])
        start = time.perf_counter()
        results = me.run_many(ids, bases, tmp / "cases", args.jobs)
        wall = time.perf_counter() - start
        lines = ["| case | harm | command | expectation | result | s |",
                 "|---|---|---|---|---|---|"]
        held = 0
        for case in chosen:
            if case.id in skipped:
                lines.append(_row(case.id, case.harm, case.command, case.expectation,
                                  [f"skipped: {skipped[case.id]}"], 0))
                continue
            got = results[case.id]
            if isinstance(got, Exception):
                fails, secs, code = [f"{type(got).__name__}: " + str(got).splitlines()[-1]], 0.0, None
            else:
                fails, secs, code = me.evaluate(got), got.seconds, got.exit_code
            held += not fails
            lines.append(_row(case.id, case.harm, case.command, case.expectation, fails, secs,
                              code))
            print(lines[-1], file=sys.stderr, flush=True)
        project = results.get(me.PAYLOAD)
        for rc in reports:
            if isinstance(project, Exception):
                fails, note, secs, code = [f"payload project broke: {project}"], "", 0.0, None
            else:
                try:
                    fails = rc.check(project)
                except Exception as exc:
                    fails = [f"the check broke: {type(exc).__name__}: {exc}"]
                note, secs, code = rc.note(project), project.outcome.seconds, project.outcome.exit_code
            held += not fails
            lines.append(_row(rc.id, rc.harm, rc.command, rc.expectation + note, fails, secs, code))
            print(lines[-1], file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"scratch kept in {tmp}", file=sys.stderr)
    if args.table:
        print("\n".join(lines))
        print(f"\n{held} of {len(chosen) + len(reports)} cases held "
              f"({len(skipped)} skipped); {wall:.0f} s with {args.jobs} job(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
