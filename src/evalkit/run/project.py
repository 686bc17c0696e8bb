"""``evalkit init DIR``: a new project folder with templates of every input file.

The folder gets ``data/raw`` with a header-only template of each input (the columns of
the input contract, docs/input-contract.md), a small example XLSForm with the evalkit
columns (``dimension``, ``reverse``, ``pii``, ``role`` on the survey sheet;
``pentahelix`` and ``missing`` on the choices sheet), an ``aliases.csv`` template,
``data/processed``, ``reports`` and a README with the contract. The example form reads
with :func:`evalkit.read.codebook.read_codebook`; replace it with the programme's own form.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evalkit.clean.indicators import INDICATOR_META_COLUMNS, INDICATOR_TARGET_COLUMNS
from evalkit.clean.pipeline import RAW_FILES
from evalkit.clean.stakeholders import (
    ATTENDANCE_COLUMNS,
    PARTNERSHIP_COLUMNS,
    REGISTER_COLUMNS,
    TIE_COLUMNS,
)
from evalkit.core.config import PACKAGE_ROOT, PSEUDONYM_KEY_FILE
from evalkit.core.errors import EvalkitError
from evalkit.read.aliases import ALIASES_FILE
from evalkit.read.aliases import COLUMNS as ALIAS_COLUMNS

CONTRACT_DOC = PACKAGE_ROOT / "docs" / "input-contract.md"
SURVEY_TEMPLATE = "survey.csv"  # one of pipeline.SURVEY_ALTERNATIVES
LABEL_ID, LABEL_EN = "label::Indonesian (id)", "label::English (en)"
INDICATOR_VALUE_TEMPLATE = ["region", "indicator_id", "year", "value", "unit", "source"]

# The example form: two dimensions of three items on a 5-point agreement scale with a
# don't-know code, a sector list mapped to the pentahelix categories (one group outside
# the five), consent and the roles evalkit needs. Names are examples: use your own.
_FORM_SURVEY = [
    # type, name, label id, label en, dimension, reverse, pii, role
    ("start", "start", "", "", "", "", "", "start"),
    ("end", "end", "", "", "", "", "", "end"),
    ("select_one ya_tidak", "persetujuan", "Saya bersedia mengisi survei ini",
     "I agree to take part in this survey", "", "", "", "consent"),
    ("text", "kabupaten", "Kabupaten/kota", "Regency/city", "", "", "", "region"),
    ("select_one sektor", "sektor", "Sektor lembaga Anda", "Your organisation's sector",
     "", "", "", "sector"),
    ("text", "lembaga", "Nama lembaga", "Organisation", "", "", "", "organisation"),
    ("text", "nama_responden", "Nama responden", "Respondent name", "", "", "yes", ""),
    ("text", "no_hp", "Nomor HP", "Phone number", "", "", "yes", ""),
    ("begin_group", "grp_peran", "Kejelasan peran", "Role clarity", "kejelasan_peran", "",
     "", ""),
    ("select_one skala_setuju", "kp1", "Peran setiap mitra dalam forum jelas.",
     "Each partner's role in the forum is clear.", "kejelasan_peran", "no", "", ""),
    ("select_one skala_setuju", "kp2", "Saya tahu apa yang diharapkan dari lembaga saya.",
     "I know what is expected of my organisation.", "kejelasan_peran", "no", "", ""),
    ("select_one skala_setuju", "kp3", "Tugas mitra sering tumpang tindih.",
     "Partners' tasks often overlap.", "kejelasan_peran", "yes", "", ""),
    ("end_group", "", "", "", "", "", "", ""),
    ("begin_group", "grp_lanjut", "Keberlanjutan", "Sustainability", "keberlanjutan", "",
     "", ""),
    ("select_one skala_setuju", "kb1", "Kegiatan forum akan berlanjut setelah program selesai.",
     "The forum's work will continue after the programme ends.", "keberlanjutan", "no", "", ""),
    ("select_one skala_setuju", "kb2", "Lembaga saya menganggarkan kegiatan bersama.",
     "My organisation budgets for joint activities.", "keberlanjutan", "no", "", ""),
    ("select_one skala_setuju", "kb3", "Forum bergantung pada satu donor saja.",
     "The forum depends on a single donor.", "keberlanjutan", "yes", "", ""),
    ("end_group", "", "", "", "", "", "", ""),
]
_FORM_CHOICES = [
    # list_name, name, label id, label en, pentahelix, missing
    ("ya_tidak", "ya", "Ya", "Yes", "", ""),
    ("ya_tidak", "tidak", "Tidak", "No", "", ""),
    ("skala_setuju", "1", "Sangat tidak setuju", "Strongly disagree", "", ""),
    ("skala_setuju", "2", "Tidak setuju", "Disagree", "", ""),
    ("skala_setuju", "3", "Netral", "Neutral", "", ""),
    ("skala_setuju", "4", "Setuju", "Agree", "", ""),
    ("skala_setuju", "5", "Sangat setuju", "Strongly agree", "", ""),
    ("skala_setuju", "99", "Tidak tahu", "Don't know", "", "yes"),
    ("sektor", "pemda", "Pemerintah daerah", "Local government", "pemerintah", ""),
    ("sektor", "swasta", "Swasta", "Private sector", "dunia_usaha", ""),
    ("sektor", "kampus", "Perguruan tinggi", "University", "akademisi", ""),
    ("sektor", "lsm", "LSM / organisasi masyarakat", "NGO / community organisation",
     "masyarakat_sipil", ""),
    ("sektor", "media_lokal", "Media lokal", "Local media", "media", ""),
    ("sektor", "tokoh_adat", "Tokoh adat / agama", "Customary / religious leaders", "", ""),
]
_SURVEY_COLUMNS = ["type", "name", LABEL_ID, LABEL_EN, "dimension", "reverse", "pii", "role"]
_CHOICE_COLUMNS = ["list_name", "name", LABEL_ID, LABEL_EN, "pentahelix", "missing"]


def template_form() -> dict[str, pd.DataFrame]:
    """The example XLSForm's sheets: survey, choices, settings."""
    return {
        "survey": pd.DataFrame(_FORM_SURVEY, columns=_SURVEY_COLUMNS),
        "choices": pd.DataFrame(_FORM_CHOICES, columns=_CHOICE_COLUMNS),
        "settings": pd.DataFrame([{"form_title": "Survei kemitraan (contoh)",
                                   "form_id": "survei_kemitraan", "version": "1",
                                   "default_language": "Indonesian (id)"}]),
    }


def survey_template_columns() -> list[str]:
    """The header of the template survey export: the form's fields (XML names, as Kobo's
    "XML values and headers" export writes them) and Kobo's ``_uuid``."""
    fields = [row[1] for row in _FORM_SURVEY if row[1] and not row[0].startswith(("begin", "end_"))]
    return [*fields, "_uuid"]


def _header(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


def _write_csv(path: Path, columns: list[str]) -> Path:
    # semicolons, as Excel writes CSV in an Indonesian locale; evalkit reads either
    path.write_text(";".join(columns) + "\n", encoding="utf-8")
    return path


def _write_workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


def _readme(root: Path) -> str:
    contract = (CONTRACT_DOC.read_text(encoding="utf-8") if CONTRACT_DOC.is_file()
                else "See docs/input-contract.md in the evalkit repository.\n")
    return (f"# {root.name}: an evalkit project\n\n"
            "Put the programme's exports into `data/raw/` (the files there are header-only "
            "templates: replace them, keep the file names), then:\n\n"
            "```\nevalkit validate --project .   # every problem of the inputs, in one pass\n"
            "evalkit clean --project .      # data/raw -> data/processed\n"
            "evalkit run --project .        # the reports, in reports/\n```\n\n"
            "Optional inputs you do not have can simply be deleted from `data/raw/`.\n\n"
            "---\n\n" + contract)


def init_project(directory: Path | str) -> list[Path]:
    """Create the project folder ``directory``; returns the files written.

    Raises :class:`EvalkitError` when ``directory`` exists and is not empty (nothing is
    overwritten) or is a file.
    """
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise EvalkitError(f"{root} is a file: give a new folder for the project.")
    if root.is_dir() and any(root.iterdir()):
        raise EvalkitError(f"{root} is not empty: `evalkit init` only creates a new project "
                           "folder (nothing is overwritten). Give a new or empty folder.")
    raw = root / "data" / "raw"
    for folder in (raw, root / "data" / "processed", root / "reports"):
        folder.mkdir(parents=True, exist_ok=True)
    written = [
        _write_workbook(raw / RAW_FILES["codebook"], template_form()),
        _write_csv(raw / SURVEY_TEMPLATE, survey_template_columns()),
        _write_workbook(raw / RAW_FILES["indicators"], {
            "metadata": _header([*INDICATOR_META_COLUMNS, "annual_rule"]),
            "targets": _header(INDICATOR_TARGET_COLUMNS),
            "values": _header(INDICATOR_VALUE_TEMPLATE)}),
        _write_csv(raw / RAW_FILES["stakeholders"], REGISTER_COLUMNS),
        _write_csv(raw / RAW_FILES["attendance"], ATTENDANCE_COLUMNS),
        _write_csv(raw / RAW_FILES["partnerships"], PARTNERSHIP_COLUMNS),
        _write_csv(raw / RAW_FILES["ties"], TIE_COLUMNS),
        _write_csv(raw / ALIASES_FILE, list(ALIAS_COLUMNS)),
    ]
    readme = root / "README.md"
    readme.write_text(_readme(root), encoding="utf-8")
    ignore = root / ".gitignore"
    ignore.write_text(f"# never commit the pseudonymisation key or personal data\n"
                      f"{PSEUDONYM_KEY_FILE.name}\ndata/raw/\ndata/processed/\nreports/\n",
                      encoding="utf-8")
    return [*written, readme, ignore]
