"""Personal data scrubbed in every input that carries free text (evalkit.clean.pii, issue #15 item 3)."""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from evalkit.clean.pii import (
    _ANY_PII,
    _ANY_PII_RE2,
    NAME_PLACEHOLDER,
    PERSONAL_DATA_REMOVED,
    NameMasker,
    Scrubber,
    _maybe,
    _scrub,
    _scrub_texts,
    name_variants,
    read_names_to_mask,
    scrub_frame,
)
from evalkit.read.products import read_latest

# --------------------------------------------------------------------------------------
# the pattern table: (text, what it must become)
# --------------------------------------------------------------------------------------
POSITIVES = [
    # mobile, national
    ("0812-3456-7890", "[phone removed]"),
    ("081234567890", "[phone removed]"),
    ("0812 3456 7890", "[phone removed]"),
    ("0812.9876.5435", "[phone removed]"),
    ("0811-234-567", "[phone removed]"),
    ("(0812) 3456 7890", "[phone removed]"),
    ("HP 0857-1234-5678 (Budi)", "HP [phone removed] (Budi)"),
    ("Telp.0813 1111 2222", "Telp.[phone removed]"),
    ("hub: 0821-9999-00001", "hub: [phone removed]"),
    # mobile, international
    ("+62 812 3456 7890", "[phone removed]"),
    ("+62 812-3456-7890", "[phone removed]"),
    ("+62-812-3456-7890", "[phone removed]"),
    ("+6281234567890", "[phone removed]"),
    ("62 812 3456 7890", "[phone removed]"),
    ("6281234567890", "[phone removed]"),
    ("(+62) 812-3456-7890", "[phone removed]"),
    ("(62) 812 3456 7890", "[phone removed]"),
    ("+62 (812) 3456-7890", "[phone removed]"),
    ("+62.812.3456.7807", "[phone removed]"),
    ("+62 (0)812 3456 7890", "[phone removed]"),
    ("WA +62 812-3456-7890", "WA [phone removed]"),
    # WhatsApp links
    ("wa.me/6281234567890", "[phone removed]"),
    ("https://wa.me/6281234567890?text=halo", "[phone removed]?text=halo"),
    ("https://api.whatsapp.com/send?phone=6281234567890", "[phone removed]"),
    # landlines with area code
    ("(021) 555-1234", "[phone removed]"),
    ("021-5551234", "[phone removed]"),
    ("021 555 1234", "[phone removed]"),
    ("(0274) 123456", "[phone removed]"),
    ("0741-123456", "[phone removed]"),
    ("+62 21 5551234", "[phone removed]"),
    ("(+62) 21-555-1234", "[phone removed]"),
    # e-mails, plain and spelled out
    ("budi@bappeda.go.id", "[email removed]"),
    ("kontak: budi.santoso+forum@gmail.com.", "kontak: [email removed]."),
    ("nama [at] domain [dot] id", "[email removed]"),
    ("budi (at) bappeda (dot) go (dot) id", "[email removed]"),
    ("budi[at]bappeda.go.id", "[email removed]"),
    ("budi {AT} bappeda {DOT} id", "[email removed]"),
    ("budi at bappeda dot go dot id", "[email removed]"),
    ("budi [at] bappeda [titik] go [titik] id", "[email removed]"),
    # NIK
    ("3171234567890001", "[nik removed]"),
    ("NIK 3171234567890001 terlampir", "NIK [nik removed] terlampir"),
    ("3171 0123 4567 8901", "[nik removed]"),
    ("31.7101.234567.8901", "[nik removed]"),
    ("3171-0123-4567-8901", "[nik removed]"),
    ("317101 234567 8901", "[nik removed]"),
    ("31.71.01.234567.8901", "[nik removed]"),
    ("KTP: 3273010119800002.", "KTP: [nik removed]."),
    # NPWP (a person's or an organisation's: removed either way)
    ("NPWP 01.234.567.8-901.000", "NPWP [npwp removed]"),
    ("012345678901000", "[npwp removed]"),
    # several in one text
    ("Dinas Kominfo (0812-3456-7890, humas@kominfo.go.id)",
     "Dinas Kominfo ([phone removed], [email removed])"),
]

NEGATIVES = [
    "2025", "Tahun 2024, 45 peserta, Rp 1.234.567",
    "2025-03-12", "12/03/2025", "12-03-2025", "03.12.2025", "2025-03-12T10:42:00.000+07:00",
    "2024-2025", "2019 2020 2021 2022", "2021-2022-2023-2024", "1990 1991 1992 1993",
    "Rp 1.250.000.000", "Rp 10.081.234.567", "Rp 62.812.345.678", "1,250,000", "1.250",
    "Rp 1.250.000.000.000.000", "USD 12,345,678,901",
    "45%", "62,5%", "100.5 persen", "0.812345", "3,5", "-0.25",
    "15.71", "31.74.01", "31.74.01.1001", "3174011001", "96.02",
    "3.2.1", "17.17.1", "SDG 16.7.1; 17.17", "16;17",
    "Rapat Forum Kemitraan ke-1", "Rapat ke-021", "Rapat koordinasi no. 02/2024",
    "KBLI 47111", "KBLI 02110, 01111", "Jakarta 10110",
    "pukul 08.00-12.00 WIB", "08:30", "per 100.000 penduduk",
    "Dinas PUPR Kota Jambi", "Forum Anak Jambi", "Yayasan Pelita Harapan", "PT Maju Bersama Bengkulu",
    "@bappeda_jambi", "IG:@dinas.kominfo", "meet at the office", "Rapat at Hotel Aston",
    "indikator 3.2.1 naik dari 12,5 ke 14,25", "target 2030: 95%",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_pattern_table_positive(text, expected):
    assert _scrub(text) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_pattern_table_negative(text):
    assert _scrub(text) == text


def test_pattern_table_is_large_enough():
    assert len(POSITIVES) >= 40 and len(NEGATIVES) >= 40


def test_arrow_prefilter_finds_every_text_python_finds():
    # _ANY_PII_RE2 must be true for every ASCII text _ANY_PII matches (a superset)
    rng = random.Random(11)
    alphabet = string.digits * 3 + " -.()+/@[]at" + "\t\n\x0b\x1c"
    texts = [t for t, _ in POSITIVES] + NEGATIVES
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(5, 30))) for _ in range(20000)]
    texts += ["+62 ( 812 ) " + "".join(rng.choice("0123456789 -") for _ in range(12)) for _ in range(2000)]
    maybe = _maybe(texts, _ANY_PII_RE2)
    missed = [t for t, hit in zip(texts, maybe) if t.isascii() and _ANY_PII.search(t) and not hit]
    assert not missed
    assert sum(bool(_ANY_PII.search(t)) for t in texts) > 200  # the test sees real hits
    assert _scrub_texts(texts) == [_scrub(t) for t in texts]


# --------------------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("Kontak: Budi Santoso", f"Kontak: {NAME_PLACEHOLDER}"),
    ("kontak BUDI  santoso.", f"kontak {NAME_PLACEHOLDER}."),
    ("Budi-Santoso (ketua)", f"{NAME_PLACEHOLDER} (ketua)"),
    ("Yayasan Budi Santoso Jambi", f"Yayasan {NAME_PLACEHOLDER} Jambi"),
    ("Pak Ayu Hasibuan hadir", f"Pak {NAME_PLACEHOLDER} hadir"),
    ("dihubungi Susilawati", f"dihubungi {NAME_PLACEHOLDER}"),
    ("Dr. Ir. Rahmat Hidayat, M.Si.", NAME_PLACEHOLDER + "."),
    ("Rahmat Hidayat", NAME_PLACEHOLDER),
    ("Budi Santosoputra", "Budi Santosoputra"),  # a longer word is another name
    ("Budi\nSantoso", "Budi\nSantoso"),  # never across a line break
    ("Ani hadir; Anita juga", "Ani hadir; Anita juga"),  # "Ani" alone is too short
    ("Budi dan Santoso", "Budi dan Santoso"),
])
def test_names_masked_as_whole_words(text, expected):
    masker = NameMasker(["Budi Santoso", "Ayu Hasibuan", "Susilawati", "Ani",
                         "Dr. Ir. Rahmat Hidayat, M.Si.", None, 12, "  "])
    assert masker.mask(text) == expected


def test_name_rules():
    assert name_variants("Ani") == set()  # one word under 5 letters
    assert name_variants("Ani Lo") == {("ani", "lo")}  # two words
    assert name_variants("Susilawati") == {("susilawati",)}
    assert name_variants("H. Ahmad") == {("h", "ahmad")}  # no single word cut out of it
    assert ("rahmat", "hidayat") in name_variants("Dr. Rahmat Hidayat, S.Pd")
    assert name_variants("3171234567890001") == set()  # no letters


def test_name_prefilter_agrees_with_python():
    rng = random.Random(3)
    names = [f"{a} {b}" for a in ("Budi", "Ayu", "Siti", "Rahmat") for b in ("Santoso", "Lubis", "Putri")]
    masker = NameMasker(names)
    words = ["budi", "SANTOSO", "ayu", "lubis", "dinas", "kota", "jambi", "-", ",", "é", "Putri"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 6))) for _ in range(5000)]
    assert masker.mask_texts(texts) == [masker.mask(t) for t in texts]
    assert sum(NAME_PLACEHOLDER in t for t in masker.mask_texts(texts)) > 100


def test_scrubbing_is_deterministic_so_names_still_join():
    scrubber = Scrubber(NameMasker(["Budi Santoso"]))
    register = pd.Series(["Dinas X (Budi Santoso, 0812-3456-7890)", "Bappeda"])
    ties = pd.Series(["dinas x (BUDI SANTOSO, 081234567890)"])
    a, changed = scrubber.scrub_series(register)
    b, _ = scrubber.scrub_series(ties)
    assert changed.tolist() == [True, False]
    assert a[0].casefold() == b[0].casefold() == "dinas x ([name removed], [phone removed])"


def test_scrub_frame_flags_each_scrubbed_text_once():
    frame = pd.DataFrame({"organisation": ["A 0812-3456-7890"] * 3 + ["B"], "n": [1, 2, 3, 4]})
    out, flags = scrub_frame(frame, ["organisation", "n"], Scrubber(), table="stakeholders",
                             source="reg.csv")
    assert out["organisation"].tolist() == ["A [phone removed]"] * 3 + ["B"]
    assert flags[["column", "value", "issue", "source_row"]].values.tolist() == [
        ["organisation", "A [phone removed]", PERSONAL_DATA_REMOVED, 2]]
    assert "3 rows" in flags.at[0, "action"]


def test_names_to_mask_file(tmp_path):
    assert read_names_to_mask(tmp_path) == []
    (tmp_path / "names_to_mask.csv").write_text("name\nIbu Ratna Sari\n\nJoko Widodo\n", encoding="utf-8")
    assert read_names_to_mask(tmp_path) == ["Ibu Ratna Sari", "Joko Widodo"]
    (tmp_path / "names_to_mask.csv").write_text("nama\nX\n", encoding="utf-8")
    from evalkit.core.errors import InputFileError
    with pytest.raises(InputFileError, match="column 'name'"):
        read_names_to_mask(tmp_path)


# --------------------------------------------------------------------------------------
# scan: planted personal data in every free-text input never reaches an output
# --------------------------------------------------------------------------------------
PHONE, EMAIL, NIK = "0813-7777-2468", "rahasia.budi@contoh.id", "3171 0123 4567 8901"
PLANTED_ORG = "Dinas PUPR Kota Jambi"  # in the register, the ties and the attendance


def _plant(name: str) -> str:
    return f" (kontak {PHONE}, {EMAIL}, NIK {NIK}, {name})"


def _secrets(name: str) -> list[str]:
    """What must never appear: the planted values, also with their separators removed."""
    return [PHONE, "081377772468", EMAIL, NIK, "3171012345678901", name.casefold()]


def _plant_everywhere(src: Path, dst: Path) -> str:
    """Copy the demo raw folder to ``dst`` with contacts and a respondent's name planted in
    every free-text input; returns the respondent's name."""
    import shutil

    import openpyxl

    shutil.copytree(src, dst)
    survey = openpyxl.load_workbook(dst / "survey_kobo_export.xlsx")
    ws = survey.active
    header = [c.value for c in ws[1]]
    name_col, org_col = header.index("respondent_name") + 1, header.index("organisation") + 1
    name = next(str(ws.cell(r, name_col).value).strip() for r in range(2, ws.max_row + 1)
                if ws.cell(r, name_col).value and len(str(ws.cell(r, name_col).value).split()) >= 2)
    plant = _plant(name)
    comments = ws.max_column + 1
    ws.cell(1, comments, "comments")
    for r in range(2, ws.max_row + 1):  # every row: kept and quarantined ones
        ws.cell(r, comments, "Catatan" + plant)
        if r % 7 == 0:
            ws.cell(r, org_col, f"{ws.cell(r, org_col).value}{plant}")
    survey.save(dst / "survey_kobo_export.xlsx")

    form = openpyxl.load_workbook(dst / "codebook_xlsform.xlsx")
    sheet = form["survey"]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value in ("q01", "grp_trust"):  # an item's and a dimension's labels
            row[2].value, row[3].value = f"{row[2].value}{plant}", f"{row[3].value}{plant}"
    sheet.append(["text", "comments", "Catatan", "Comments", None, None, None])
    for row in form["choices"].iter_rows(min_row=2):
        if row[0].value == "sector":  # the sector labels readers see (English ones)
            row[3].value = f"{row[3].value}{plant}"
    form.save(dst / "codebook_xlsform.xlsx")

    book = openpyxl.load_workbook(dst / "indicators.xlsx")
    meta = book["metadata"]
    meta.cell(2, 3, f"{meta.cell(2, 3).value}{plant}")
    meta.cell(2, 4, f"{meta.cell(2, 4).value}{plant}")
    values = book["values"]
    source = values.max_column + 1
    values.cell(1, source, "source")
    for r in range(2, values.max_row + 1):
        values.cell(r, source, "BPS" + plant)
    book.save(dst / "indicators.xlsx")

    def csv(file: str, change) -> None:
        frame = pd.read_csv(dst / file, sep=";", dtype=str, keep_default_na=False)
        change(frame)
        frame.to_csv(dst / file, sep=";", index=False)

    org = PLANTED_ORG + plant

    def register(f):
        f.loc[f["organisation"] == PLANTED_ORG, "organisation"] = org
        f.loc[f.index[-1], "organisation"] = "Yayasan " + name  # a respondent named in free text

    def attendance(f):
        f.loc[f["organisation"] == PLANTED_ORG, "organisation"] = org
        f["meeting"] = f["meeting"] + plant

    def ties(f):
        for column in ("organisation", "partner"):
            f.loc[f[column] == PLANTED_ORG, column] = org.upper()  # spelled otherwise

    def partnerships(f):
        f["name"] = f["name"] + plant
        f["sdg_themes"] = f["sdg_themes"] + plant

    csv("stakeholder_register.csv", register)
    csv("meeting_attendance.csv", attendance)
    csv("collaboration_ties.csv", ties)
    csv("partnerships.csv", partnerships)
    return name


def _parquet_texts(folder: Path) -> dict[str, str]:
    """Every string column of every parquet file under ``folder``, as one text per file."""
    import pyarrow as pa

    texts = {}
    for path in sorted(folder.rglob("*.parquet")):
        table = pq.read_table(path)
        parts = [" ".join(field.name for field in table.schema)]
        for column in table.columns:
            kind = column.type
            if pa.types.is_dictionary(kind):
                kind = kind.value_type
            if pa.types.is_string(kind) or pa.types.is_large_string(kind):
                parts += [str(v) for v in column.to_pylist() if v is not None]
        texts[str(path.relative_to(folder))] = "\n".join(parts)
    return texts


def _leaks(texts: dict[str, str], secrets: list[str]) -> list[tuple[str, str]]:
    return [(where, s) for where, text in texts.items() for s in secrets if s in text.casefold()]


@pytest.fixture(scope="module")
def planted(tmp_path_factory, raw_dir):
    root = tmp_path_factory.mktemp("pii")
    name = _plant_everywhere(raw_dir, root / "raw")
    return root, name


def test_planted_personal_data_reaches_no_processed_output(planted, test_key):
    from evalkit.clean.pipeline import run_clean

    root, name = planted
    out = root / "processed"
    summary = run_clean(root / "raw", out, key=test_key)
    texts = _parquet_texts(out)
    texts["manifest.json"] = (out / "manifest.json").read_text(encoding="utf-8")
    assert {"stakeholders.parquet", "ties.parquet", "attendance.parquet", "quarantine.parquet",
            "flags.parquet", "items.parquet", "sectors.parquet"} <= set(texts)
    assert not _leaks(texts, _secrets(name))
    assert sum(t["rows_quarantined"] for t in summary.manifest["tables"].values()) > 0
    # what was removed is listed for the officer, per table and column
    flags = pd.read_parquet(out / "flags.parquet")
    removed = flags[flags["issue"] == PERSONAL_DATA_REMOVED]
    assert {("stakeholders", "organisation"), ("attendance", "organisation"),
            ("attendance", "meeting"), ("ties", "organisation"), ("ties", "partner"),
            ("partnerships", "name"), ("partnerships", "sdg_themes"),
            ("indicator_metadata", "name_id"), ("indicator_metadata", "name_en"),
            ("indicator_values", "source"), ("survey", "comments"),
            } <= set(zip(removed["table"], removed["column"]))
    assert any("personal data" in w and "stakeholder_register.csv" in w
               for w in summary.manifest["warnings"])
    assert any("codebook_xlsform.xlsx" in w and "items" in w for w in summary.manifest["warnings"])
    # scrubbed alike everywhere: the register's organisation still joins the ties
    register = read_latest("stakeholders", out)  # the register is issued once per wave
    ties = read_latest("ties", out)
    scrubbed_org = register.loc[register["organisation"].str.startswith(PLANTED_ORG), "organisation"]
    assert len(scrubbed_org) == 1 and "[phone removed]" in scrubbed_org.iloc[0]
    assert NAME_PLACEHOLDER in scrubbed_org.iloc[0]
    theirs = ties[ties["organisation"] == scrubbed_org.iloc[0]]
    assert len(theirs) and (theirs["organisation_sector"] != "unknown").all()
    assert (register["organisation"] == f"Yayasan {NAME_PLACEHOLDER}").any()


@pytest.mark.slow
def test_planted_personal_data_reaches_no_report(planted, test_key, tmp_path):
    import os

    root, name = planted
    reports = tmp_path / "reports"
    env = {**os.environ, "EVALKIT_PSEUDONYM_KEY": test_key.decode(), "EVALKIT_SKIP_BROWSER": "1"}
    done = subprocess.run([str(Path(sys.executable).parent / "evalkit"), "run",
                           "--raw-dir", str(root / "raw"), "--processed-dir", str(tmp_path / "p"),
                           "--reports-dir", str(reports), "-r", "15.71", "--lang", "id",
                           "--jobs", "1"], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    texts = {}
    for path in sorted(p for p in reports.rglob("*") if p.is_file()):
        where = str(path.relative_to(reports))
        if path.suffix == ".xlsx":  # the workbook's cells live in its XML members
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    texts[f"{where}:{member}"] = book.read(member).decode("utf-8", "replace")
        elif path.suffix in (".html", ".ipynb", ".txt", ".json", ".md", ".csv", ".svg"):
            texts[where] = path.read_text(encoding="utf-8", errors="replace")
    assert any(w.endswith(".html") for w in texts) and any(w.endswith(".ipynb") for w in texts)
    assert any(".xlsx:" in w for w in texts)
    # the planted texts did reach the report, scrubbed (the scan is not vacuous)
    assert any("[phone removed]" in t and NAME_PLACEHOLDER in t
               for w, t in texts.items() if w.endswith(".html"))
    texts.update(_parquet_texts(tmp_path / "p"))
    assert not _leaks(texts, _secrets(name))
    assert not _leaks({w: json.dumps(t) for w, t in texts.items() if w.endswith(".ipynb")},
                      [json.dumps(s)[1:-1] for s in _secrets(name)])
