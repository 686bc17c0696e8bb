"""Hostile payloads planted in user text, and a raw folder that carries them (issue #15).

The payloads are what a hostile partner (or a careless copy-paste) puts into an
organisation name, an indicator name or a codebook label: HTML that runs script,
Markdown that makes a ``javascript:`` link or loads a remote image, and spreadsheet
formulas (the OWASP CSV-injection prefixes ``= + - @`` and a tab/CR prefix).

:func:`make_payload_raw` copies a raw folder (the demo's ``data/raw``) and plants them
so they reach every report writer of **Kota Jambi** (:data:`REGION`): the same planted
organisation name in the register, the ties (both ends), the attendance and the survey's
organisation column, so it becomes a network node, a sector member and a respondent's
organisation; an indicator's ``name_id``/``name_en``; a dimension label, an item label
and a sector choice label of the codebook; a partnership name and a meeting name.
Everything else is left as it was, so the pipeline still cleans and runs.

This module's API (the constants, :func:`make_payload_raw` and its return value) is
imported by other tests (the bad-input corpus): keep it stable.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl

# The region whose report carries every payload (its organisations are renamed).
REGION = "Kota Jambi"
REGION_CODE = "15.71"

# --- payloads: name -> text ----------------------------------------------------------
SCRIPT = "<script>window.__pwned=1</script>"
IMG_ONERROR = '<img src=x onerror="window.__pwned=2">'
SVG_ONLOAD = '<svg onload="window.__pwned=3">'
MD_JS_LINK = "[click](javascript:window.__pwned=4)"
MD_REMOTE_IMAGE = "![x](https://example.invalid/beacon.png)"
XL_HYPERLINK = '=HYPERLINK("https://example.invalid","x")'
XL_DDE = "=cmd|' /C calc'!A0"
XL_PLUS = "+1+1"
XL_MINUS = "-2+3"
XL_AT = "@SUM(A1)"
XL_TAB = "\t=1+2"
XL_CR = "\r=3+4"  # in an xlsx cell: XML turns the CR into LF on reading

PAYLOADS: dict[str, str] = {
    "script": SCRIPT,
    "img_onerror": IMG_ONERROR,
    "svg_onload": SVG_ONLOAD,
    "md_js_link": MD_JS_LINK,
    "md_remote_image": MD_REMOTE_IMAGE,
    "xl_hyperlink": XL_HYPERLINK,
    "xl_dde": XL_DDE,
    "xl_plus": XL_PLUS,
    "xl_minus": XL_MINUS,
    "xl_at": XL_AT,
    "xl_tab": XL_TAB,
    "xl_cr": XL_CR,
}
HTML_PAYLOADS = ("script", "img_onerror", "svg_onload", "md_js_link", "md_remote_image")
FORMULA_PAYLOADS = ("xl_hyperlink", "xl_dde", "xl_plus", "xl_minus", "xl_at", "xl_tab", "xl_cr")

# Strings that must never appear *live* in an output (as markup, or as a formula).
LIVE_MARKERS = ("<script", "onerror=", "onload=", "javascript:", "https://example.invalid")

# Kota Jambi organisation -> planted name. Each one is in the register, in the ties,
# in the attendance and in the survey's organisation column.
ORG_PAYLOADS: dict[str, str] = {
    # the five most central organisations of the demo's network (network text and table)
    "Dinas PUPR Kota Jambi": SCRIPT,
    "Kecamatan Pusat Kota Jambi": SVG_ONLOAD,
    "Forum Warga Jambi": IMG_ONERROR,
    "Politeknik Jambi": MD_JS_LINK,
    "Dinas Sosial Kota Jambi": MD_REMOTE_IMAGE,
    "TV Lokal Jambi": XL_TAB,
    "Dinas Kesehatan Kota Jambi": XL_HYPERLINK,
    "Dinas Lingkungan Hidup Kota Jambi": XL_DDE,
    "Komunitas Relawan Jambi": XL_PLUS,
    "PT Maju Bersama Jambi": XL_MINUS,
    "Bappeda Kota Jambi": XL_AT,
}

# indicator_id -> (name_id, name_en)
INDICATOR_PAYLOADS: dict[str, tuple[str, str]] = {
    "stunting": (XL_HYPERLINK, SCRIPT),
    "air_minum": (IMG_ONERROR + " Air minum layak", XL_DDE),
    "kemiskinan": (MD_JS_LINK + " " + MD_REMOTE_IMAGE, XL_CR),
    "keputusan_inklusif": (XL_AT + " keputusan inklusif", XL_PLUS + " inclusive decisions"),
}
# codebook: group name -> (label_id, label_en); item -> labels; sector choice -> labels
DIMENSION_LABEL_PAYLOADS = {"grp_trust": (MD_JS_LINK, SCRIPT)}
ITEM_LABEL_PAYLOADS = {"q01": (SVG_ONLOAD + " Saya percaya mitra", MD_REMOTE_IMAGE)}
# The sector choice keeps its name ("media"), which data values still match.
SECTOR_LABEL_PAYLOADS = {"media": (XL_DDE, IMG_ONERROR + " Media")}
PARTNERSHIP_PAYLOADS = {"Forum Kemitraan Multipihak Kota Jambi": SCRIPT + " Forum Jambi"}
MEETING_PAYLOADS = {"Rapat Forum Kemitraan ke-1": SVG_ONLOAD + " Rapat ke-1"}


def _rewrite_csv(path: Path, columns: tuple[str, ...], mapping: dict[str, str]) -> int:
    """Replace exact values of ``columns`` by ``mapping`` in a ';' CSV; return cells changed.

    The csv module reads and writes, so only the changed cells differ (plus quoting a
    field only where the csv rules need it); line endings are kept."""
    text = path.read_bytes().decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, changed = rows[0], 0
    where = [header.index(c) for c in columns if c in header]
    for row in rows[1:]:
        for i in where:
            if i < len(row) and row[i] in mapping:
                row[i] = mapping[row[i]]
                changed += 1
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator=newline).writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))
    return changed


def _set_text(cell, value: str) -> None:
    """Write ``value`` as a *string* cell: openpyxl would store ``=…`` as a formula,
    whose cached value a reader gets as empty; an officer's file holds the text."""
    cell.value = value
    cell.data_type = "s"


def _sheet_header(ws) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[1] if c.value is not None}


def _rewrite_sheet(ws, key: str, updates: dict[str, dict[str, str]]) -> int:
    """For rows whose ``key`` column is in ``updates``, set the given columns."""
    cols, changed = _sheet_header(ws), 0
    for row in ws.iter_rows(min_row=2):
        value = row[cols[key] - 1].value
        if value is None or str(value) not in updates:
            continue
        for column, new in updates[str(value)].items():
            _set_text(row[cols[column] - 1], new)
            changed += 1
    return changed


def _rename_column(ws, column: str, mapping: dict[str, str]) -> int:
    cols, changed = _sheet_header(ws), 0
    if column not in cols:
        return 0
    for row in ws.iter_rows(min_row=2):
        cell = row[cols[column] - 1]
        if cell.value is not None and str(cell.value) in mapping:
            _set_text(cell, mapping[str(cell.value)])
            changed += 1
    return changed


def make_payload_raw(src: Path, dst: Path) -> dict[str, str]:
    """Copy the raw folder ``src`` to ``dst`` and plant the payloads in its user text.

    Parameters
    ----------
    src : Path
        A raw folder laid out like the demo's ``data/raw`` (not modified).
    dst : Path
        The folder to create (must not exist, or be empty).

    Returns
    -------
    dict[str, str]
        Where each payload was planted -> the exact text planted there, e.g.
        ``"register.organisation.TV Lokal Jambi" -> "<script>window.__pwned=1</script>"``
        and ``"indicators.name_id.stunting" -> '=HYPERLINK(...)'``. Every value contains
        (or is) one of :data:`PAYLOADS`.
    """
    src, dst = Path(src), Path(dst)
    shutil.copytree(src, dst, dirs_exist_ok=True)
    planted: dict[str, str] = {}

    # Organisations: one name per organisation in every file, so joins stay consistent.
    for fname, columns, label in (("stakeholder_register.csv", ("organisation",), "register"),
                                  ("collaboration_ties.csv", ("organisation", "partner"), "ties"),
                                  ("meeting_attendance.csv", ("organisation",), "attendance")):
        path = dst / fname
        if path.exists() and _rewrite_csv(path, columns, ORG_PAYLOADS):
            planted.update({f"{label}.organisation.{k}": v for k, v in ORG_PAYLOADS.items()})
    path = dst / "meeting_attendance.csv"
    if path.exists() and _rewrite_csv(path, ("meeting",), MEETING_PAYLOADS):
        planted.update({f"attendance.meeting.{k}": v for k, v in MEETING_PAYLOADS.items()})
    path = dst / "partnerships.csv"
    if path.exists() and _rewrite_csv(path, ("name",), PARTNERSHIP_PAYLOADS):
        planted.update({f"partnerships.name.{k}": v for k, v in PARTNERSHIP_PAYLOADS.items()})

    path = dst / "survey_kobo_export.xlsx"
    if path.exists():
        wb = openpyxl.load_workbook(path)
        if _rename_column(wb.worksheets[0], "organisation", ORG_PAYLOADS):
            for old, new in ORG_PAYLOADS.items():
                planted[f"survey.organisation.{old}"] = new
        wb.save(path)

    path = dst / "indicators.xlsx"
    if path.exists():
        wb = openpyxl.load_workbook(path)
        updates = {k: {"name_id": a, "name_en": b} for k, (a, b) in INDICATOR_PAYLOADS.items()}
        _rewrite_sheet(wb["metadata"], "indicator_id", updates)
        wb.save(path)
        for k, (a, b) in INDICATOR_PAYLOADS.items():
            planted[f"indicators.name_id.{k}"] = a
            planted[f"indicators.name_en.{k}"] = b

    path = dst / "codebook_xlsform.xlsx"
    if path.exists():
        wb = openpyxl.load_workbook(path)
        survey = wb["survey"]
        cols = _sheet_header(survey)
        lab_id, lab_en = "label::Indonesian (id)", "label::English (en)"
        named = {**DIMENSION_LABEL_PAYLOADS, **ITEM_LABEL_PAYLOADS}
        _rewrite_sheet(survey, "name", {k: {lab_id: a, lab_en: b} for k, (a, b) in named.items()
                                        if lab_id in cols})
        choices = wb["choices"]
        ccols = _sheet_header(choices)
        for row in choices.iter_rows(min_row=2):
            lst, name = row[ccols["list_name"] - 1].value, row[ccols["name"] - 1].value
            if lst == "sector" and name in SECTOR_LABEL_PAYLOADS:
                a, b = SECTOR_LABEL_PAYLOADS[name]
                _set_text(row[ccols[lab_id] - 1], a)
                _set_text(row[ccols[lab_en] - 1], b)
        wb.save(path)
        for kind, table in (("dimension", DIMENSION_LABEL_PAYLOADS),
                            ("item", ITEM_LABEL_PAYLOADS), ("sector", SECTOR_LABEL_PAYLOADS)):
            for k, (a, b) in table.items():
                planted[f"codebook.{kind}.label_id.{k}"] = a
                planted[f"codebook.{kind}.label_en.{k}"] = b
    return planted


def build_payload_reports(src: Path, work: Path, *, region: str = REGION_CODE,
                          lang: str = "id") -> Path:
    """Plant the payloads in a copy of ``src`` under ``work/raw``, then clean and run one
    region's report (plus synthesis, index and workbook) with the real command line, as
    an officer would: ``evalkit clean`` then ``evalkit run -r <region> --lang <lang>
    --jobs 1``. Returns the reports folder (``work/reports``); fails with the command's
    output when either step does not exit 0."""
    import subprocess
    import sys

    work = Path(work)
    raw, processed, reports = work / "raw", work / "processed", work / "reports"
    make_payload_raw(src, raw)
    for args in (["clean", "--raw-dir", raw, "--processed-dir", processed],
                 ["run", "--raw-dir", raw, "--processed-dir", processed, "--reports-dir", reports,
                  "-r", region, "--lang", lang, "--jobs", "1"]):
        done = subprocess.run([sys.executable, "-m", "evalkit.run.cli", *map(str, args)],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"evalkit {args[0]} exit {done.returncode}:\n" \
                                     f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return reports
