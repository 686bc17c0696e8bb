"""A second, independent programme's raw data, written as a Kobo/ODK user would have it.

Forum Percepatan Penurunan Stunting (stunting-reduction forum) in Nusa Tenggara Timur:
its own XLSForm (Wilder-style, six dimensions, 22 items with Indonesian names,
Indonesian-only labels, choice list ``skala_setuju`` 1..k with ``99`` = Tidak tahu),
its own six sector codes with a ``pentahelix`` column (one group outside the five),
fields that play the roles under their own names (``kab_kota``, ``jenis_lembaga``,
``nama_lembaga``, ``persetujuan``) and personal data in ``nama_responden``/``no_hp``.

Written independently of :mod:`evalkit.demo.generator` and :mod:`evalkit.demo.form` (nothing is
imported from them): own vocabulary, own regions, own file layout (the Kobo *CSV*
export, semicolon-separated, every field quoted, XML names and values).

:func:`write_dataset` writes the files and returns a :class:`Truth` with what the
generator planted (the parameters and the rows a correct clean must quarantine), so
tests assert against known values, not against what evalkit happens to print.
"""

from __future__ import annotations

import csv
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240312
TZ = "+08:00"  # WITA: Nusa Tenggara Timur

# --------------------------------------------------------------------------------------
# The form
# --------------------------------------------------------------------------------------
# dimension -> (group label, planted offset on the latent)
DIMENSIONS = {
    "lingkungan": ("Lingkungan kemitraan", 0.20),
    "keanggotaan": ("Karakteristik keanggotaan", 0.10),
    "proses_struktur": ("Proses dan struktur forum", -0.10),
    "komunikasi": ("Komunikasi antaranggota", 0.00),
    "tujuan": ("Kejelasan tujuan", 0.30),
    "sumber_daya": ("Dana, staf dan waktu", -0.45),
}
# item -> (dimension, reverse-keyed, Indonesian question text)
ITEMS = {
    "ling_1": ("lingkungan", False, "Ada sejarah kerja sama antarlembaga di daerah ini."),
    "ling_2": ("lingkungan", False, "Para pemimpin daerah mendukung upaya percepatan penurunan stunting."),
    "ling_3": ("lingkungan", True, "Situasi politik daerah menghambat kerja forum."),
    "ling_4": ("lingkungan", False, "Masyarakat memandang forum sebagai pihak yang sah."),
    "angg_1": ("keanggotaan", False, "Anggota forum saling menghargai dan memahami."),
    "angg_2": ("keanggotaan", False, "Semua pihak yang berkepentingan terwakili dalam forum."),
    "angg_3": ("keanggotaan", False, "Lembaga saya melihat keuntungan dari ikut forum."),
    "angg_4": ("keanggotaan", True, "Sebagian anggota hanya hadir untuk memenuhi undangan."),
    "pros_1": ("proses_struktur", False, "Setiap anggota ikut memiliki hasil kerja forum."),
    "pros_2": ("proses_struktur", True, "Keputusan forum sering diambil tanpa melibatkan anggota."),
    "pros_3": ("proses_struktur", False, "Peran dan tanggung jawab anggota sudah jelas."),
    "pros_4": ("proses_struktur", False, "Forum mampu menyesuaikan diri bila keadaan berubah."),
    "kom_1": ("komunikasi", False, "Anggota forum sering bertukar kabar di luar rapat."),
    "kom_2": ("komunikasi", False, "Saya tahu kepada siapa harus bertanya di forum."),
    "kom_3": ("komunikasi", True, "Informasi dari forum terlambat sampai ke lembaga saya."),
    "tuj_1": ("tujuan", False, "Target penurunan stunting forum jelas dan dapat dicapai."),
    "tuj_2": ("tujuan", False, "Anggota forum punya gambaran yang sama tentang hasil yang dituju."),
    "tuj_3": ("tujuan", False, "Tujuan forum unik, tidak tumpang tindih dengan program lain."),
    "sd_1": ("sumber_daya", False, "Forum memiliki anggaran yang cukup untuk kegiatannya."),
    "sd_2": ("sumber_daya", True, "Staf yang mengurus forum terlalu sedikit."),
    "sd_3": ("sumber_daya", False, "Koordinator forum terampil memfasilitasi pertemuan."),
    "sd_4": ("sumber_daya", False, "Lembaga saya menyediakan waktu staf untuk forum."),
}
DK_CODE = "99"

# Agreement labels of the scale, by number of points.
SCALE_LABELS = {
    4: ("Sangat tidak setuju", "Tidak setuju", "Setuju", "Sangat setuju"),
    7: ("Sangat tidak setuju", "Tidak setuju", "Agak tidak setuju", "Ragu-ragu",
        "Agak setuju", "Setuju", "Sangat setuju"),
}

# sector code -> (label, pentahelix category as typed in the form; "" = outside the five,
#                 planted effect on the latent)
SECTORS = {
    "pemda": ("Pemerintah Daerah", "pemerintah", 0.15),
    "swasta": ("Swasta", "dunia_usaha", -0.40),
    "perguruan_tinggi": ("Perguruan Tinggi", "akademisi", 0.10),
    "lsm": ("LSM", "masyarakat_sipil", 0.00),
    "media_massa": ("Media massa", "media", -0.15),
    "tokoh_masyarakat": ("Tokoh masyarakat", "", 0.05),
}


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str               # official Kemendagri name
    spellings: tuple[str, ...]  # as enumerators and officers type it
    health: float           # planted region level on the latent
    n: int                  # valid respondents (after quarantine)
    sectors: tuple[str, ...]  # sectors in the stakeholder register
    meetings: bool = True   # has forum meeting attendance


ALL = tuple(SECTORS)
REGIONS = (
    RegionSpec("53.71", "Kota Kupang", ("Kota Kupang", "KOTA KUPANG", "Kota  Kupang "), 0.35, 34, ALL),
    RegionSpec("53.01", "Kabupaten Kupang", ("Kabupaten Kupang", "Kab. Kupang"), 0.10, 30, ALL),
    RegionSpec("53.02", "Kabupaten Timor Tengah Selatan",
               ("Kabupaten Timor Tengah Selatan", "Kab. Timor Tengah Selatan"), -0.25, 28, ALL),
    RegionSpec("53.03", "Kabupaten Timor Tengah Utara",
               ("Timor Tengah Utara", "Kabupaten Timor Tengah Utara"), -0.05, 26, ALL),
    # Belu's register has no university: pentahelix coverage 4/5
    RegionSpec("53.04", "Kabupaten Belu", ("Kabupaten Belu", "kab belu"), 0.00, 24,
               tuple(s for s in ALL if s != "perguruan_tinggi")),
    RegionSpec("53.10", "Kabupaten Manggarai", ("Kabupaten Manggarai", "Manggarai"), 0.20, 25, ALL),
    # deliberately small: 3 valid respondents; no forum meetings recorded
    RegionSpec("53.11", "Kabupaten Sumba Timur", ("Kabupaten Sumba Timur",), -0.10, 3,
               ("pemda", "lsm", "tokoh_masyarakat"), meetings=False),
)
SMALL_REGION = "53.11"
NO_UNIVERSITY_REGION = "53.04"

MEETING_DATES = ("2024-03-12", "2024-06-05", "2024-09-10", "2024-12-02")  # days <= 12

INDICATORS = pd.DataFrame(
    [("stunting_balita", "2.2.1", "Prevalensi stunting pada balita (SSGI)", "", "%", "lower", "mean"),
     ("imunisasi_lengkap", "3.b.1", "Cakupan imunisasi dasar lengkap", "", "%", "higher", "mean"),
     ("asi_eksklusif", "", "Bayi usia < 6 bulan mendapat ASI eksklusif", "", "%", "higher", "mean"),
     ("sanitasi_layak", "6.2.1", "Keluarga dengan jamban sehat", "", "%", "higher", "mean")],
    columns=["indicator_id", "sdg_code", "name_id", "name_en", "unit", "direction", "annual_rule"])

FIRST = ("Maria", "Yohanes", "Agustina", "Fransiskus", "Yuliana", "Petrus", "Margareta",
         "Stefanus", "Elisabet", "Dominggus", "Sarlota", "Melkianus", "Oktaviana", "Yakobus",
         "Ferdinandus", "Theresia", "Aleksander", "Veronika", "Marthen", "Imelda", "Adriana",
         "Benediktus", "Kristina", "Hendrik", "Ratna", "Umbu", "Rambu", "Nikolaus")
LAST = ("Bria", "Nahak", "Seran", "Tefa", "Benu", "Nenobais", "Manafe", "Ndun", "Lay", "Kana",
        "Radja", "Djami", "Lende", "Mau", "Taek", "Klau", "Tallo", "Sjah", "Pandie", "Ndoen",
        "Haning", "Jehamat", "Dapa", "Bulu")

# organisation templates per sector ({r} = short region name)
ORGS = {
    "pemda": ("Dinas Kesehatan {r}", "Bappelitbangda {r}", "DP3AP2KB {r}", "Dinas Sosial {r}"),
    "swasta": ("PT Sumber Pangan {r}", "CV Flobamora Sejahtera {r}", "Koperasi Kredit Sehati {r}"),
    "perguruan_tinggi": ("Universitas Flobamora {r}", "Politeknik Kesehatan {r}"),
    "lsm": ("Yayasan Anak Sehat {r}", "Perkumpulan Ibu Tangguh {r}", "Yayasan Pangan Lokal {r}"),
    "media_massa": ("Radio Suara {r}", "Harian Timor Ekspres {r}"),
    "tokoh_masyarakat": ("Majelis Jemaat {r}", "Lembaga Adat {r}"),
}
# how often each sector's organisations attend the forum's meetings
ATTEND_P = {"pemda": 0.9, "swasta": 0.45, "perguruan_tinggi": 0.7, "lsm": 0.8,
            "media_massa": 0.5, "tokoh_masyarakat": 0.65}

SURVEY_COLUMNS = ["start", "end", "kab_kota", "persetujuan", "jenis_lembaga", "nama_lembaga",
                  "nama_responden", "no_hp", *ITEMS, "_id", "_uuid", "_submission_time",
                  "_validation_status", "_notes", "_status", "_submitted_by", "__version__",
                  "_tags", "_index"]


@dataclass
class Truth:
    """What the generator planted (for assertions)."""

    raw_dir: Path
    k: int
    scale_values: tuple[int, ...]
    n_rows: int                       # data rows of survey.csv
    n_valid: dict[str, int]           # region code -> respondents that must stay
    not_approved: list[str]           # _uuid of validation_status_not_approved rows
    no_consent: list[str]             # _uuid of declined consent
    duplicate: list[str]              # _uuid of the second submission of one respondent
    on_hold: list[str]                # _uuid kept and flagged
    reverse_one: tuple[str, str]      # (_uuid, item): a valid row whose reverse item was answered 1
    dk_cell: tuple[str, str]          # (_uuid, item) answered 99 (Tidak tahu)
    register_sectors: dict[str, tuple[str, ...]]
    attendance: bool
    regions: tuple[RegionSpec, ...] = REGIONS
    params: dict = field(default_factory=dict)

    @property
    def quarantined(self) -> int:
        return len(self.not_approved) + len(self.no_consent) + len(self.duplicate)


# --------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------
def scale_values(k: int) -> tuple[int, ...]:
    return tuple(range(1, k + 1))


def write_codebook(path: Path, k: int = 4) -> None:
    """The XLSForm: Indonesian labels only, evalkit's columns dimension/reverse/pii/role."""
    lab = "label::Indonesian (id)"
    rows = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "text", "name": "kab_kota", lab: "Kabupaten/kota tempat wawancara", "role": "region"},
        {"type": "select_one ya_tidak", "name": "persetujuan",
         lab: "Apakah Bapak/Ibu bersedia mengisi survei ini?", "role": "consent"},
        {"type": "select_one jenis_lembaga", "name": "jenis_lembaga", lab: "Jenis lembaga",
         "role": "sector"},
        {"type": "text", "name": "nama_lembaga", lab: "Nama lembaga", "role": "organisation"},
        {"type": "text", "name": "nama_responden", lab: "Nama lengkap", "pii": "yes"},
        {"type": "text", "name": "no_hp", lab: "Nomor HP/WA", "pii": "yes"},
    ]
    for dim, (label, _) in DIMENSIONS.items():
        rows.append({"type": "begin_group", "name": f"grp_{dim}", lab: label, "dimension": dim})
        for item, (d, rev, text) in ITEMS.items():
            if d == dim:
                rows.append({"type": "select_one skala_setuju", "name": item, lab: text,
                             "dimension": dim, "reverse": "yes" if rev else "no"})
        rows.append({"type": "end_group"})
    survey = pd.DataFrame(rows, columns=["type", "name", lab, "dimension", "reverse", "pii", "role"])
    choices = [{"list_name": "skala_setuju", "name": str(v), lab: text, "missing": "no"}
               for v, text in zip(scale_values(k), SCALE_LABELS[k])]
    choices.append({"list_name": "skala_setuju", "name": DK_CODE, lab: "Tidak tahu", "missing": "yes"})
    choices += [{"list_name": "ya_tidak", "name": "ya", lab: "Ya, bersedia"},
                {"list_name": "ya_tidak", "name": "tidak", lab: "Tidak bersedia"}]
    choices += [{"list_name": "jenis_lembaga", "name": code, lab: label, "pentahelix": ph}
                for code, (label, ph, _) in SECTORS.items()]
    choices = pd.DataFrame(choices, columns=["list_name", "name", lab, "pentahelix", "missing"])
    settings = pd.DataFrame([{"form_title": "Survei Forum Percepatan Penurunan Stunting NTT",
                              "form_id": "fpps_ntt_2024", "version": "3",
                              "default_language": "Indonesian (id)"}])
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        survey.to_excel(xw, sheet_name="survey", index=False)
        choices.to_excel(xw, sheet_name="choices", index=False)
        settings.to_excel(xw, sheet_name="settings", index=False)


def _short(region: RegionSpec) -> str:
    return region.name.replace("Kabupaten ", "").replace("Kota ", "Kota ")


def register_frame(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for r in REGIONS:
        for s in r.sectors:
            for template in ORGS[s][: 2 if r.code == SMALL_REGION else None]:
                label = SECTORS[s][0]
                typed = rng.choice([label, label, label.upper(), f" {label.lower()}"])
                rows.append({"region": rng.choice(r.spellings), "organisation": template.format(r=_short(r)),
                             "sector": typed, "influence": int(rng.integers(1, 6)),
                             "interest": int(rng.integers(1, 6))})
    return pd.DataFrame(rows, columns=["region", "organisation", "sector", "influence", "interest"])


def _answers(rng, k: int, latent: float) -> dict[str, str]:
    cuts = np.linspace(-1.5, 1.5, k - 1) - 0.3
    out = {}
    for item, (dim, rev, _) in ITEMS.items():
        z = latent + DIMENSIONS[dim][1] + rng.normal(0, 0.7)
        value = 1 + int(np.searchsorted(cuts, z))
        if rev:  # stored as answered: a reverse-keyed item is worded negatively
            value = 1 + k - value
        out[item] = str(value)
    return out


def _stamp(day: pd.Timestamp) -> str:
    return day.strftime("%Y-%m-%dT%H:%M:%S.000") + TZ


def survey_frame(rng: np.random.Generator, register: pd.DataFrame, k: int) -> tuple[pd.DataFrame, dict]:
    names = [f"{f} {s}" for f in FIRST for s in LAST]
    rng.shuffle(names)
    phones = rng.choice(10 ** 8, size=400, replace=False)
    reg_orgs = register.assign(code=[next(r.code for r in REGIONS if x in r.spellings)
                                     for x in register["region"]])
    rows, person = [], 0
    truth = {"not_approved": [], "no_consent": [], "duplicate": [], "on_hold": []}
    # which big regions get the planted problem rows
    big = [r for r in REGIONS if r.code != SMALL_REGION]
    extra = {"not_approved": [big[i % len(big)] for i in range(5)],
             "no_consent": [big[(i + 2) % len(big)] for i in range(4)]}

    def respondent(r: RegionSpec, status: str = "validation_status_approved") -> dict:
        nonlocal person
        orgs = reg_orgs[reg_orgs["code"] == r.code]
        org = orgs.iloc[int(rng.integers(len(orgs)))]
        sector = next(c for c, (label, _, _) in SECTORS.items()
                      if label.casefold() == org["sector"].strip().casefold())
        latent = r.health + SECTORS[sector][2] + rng.normal(0, 0.5)
        day = pd.Timestamp("2024-11-04") + pd.Timedelta(days=int(rng.integers(0, 8)),
                                                        minutes=int(rng.integers(8 * 60, 16 * 60)))
        minutes = float(rng.uniform(7, 25))
        row = {"start": _stamp(day), "end": _stamp(day + pd.Timedelta(minutes=minutes)),
               "kab_kota": str(rng.choice(r.spellings)), "persetujuan": "ya",
               "jenis_lembaga": sector, "nama_lembaga": org["organisation"],
               "nama_responden": names[person], "no_hp": f"0813{phones[person]:08d}",
               **_answers(rng, k, latent), "_validation_status": status,
               "_submission_time": (day + pd.Timedelta(minutes=minutes + float(rng.uniform(30, 600)))
                                    - pd.Timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S")}
        person += 1
        return row

    for r in REGIONS:
        for _ in range(r.n):
            rows.append(respondent(r, str(rng.choice(["validation_status_approved"] * 6 + [""]))))
    # the same person again, same answers, a day later (new submission, new uuid)
    first = rows[3]
    again = dict(first)
    for col in ("start", "end"):
        again[col] = _stamp(pd.Timestamp(first[col][:19]) + pd.Timedelta(days=1, hours=2))
    again["_submission_time"] = (pd.Timestamp(first["_submission_time"])
                                 + pd.Timedelta(days=1, hours=2)).strftime("%Y-%m-%dT%H:%M:%S")
    again["nama_responden"] = first["nama_responden"] + " "
    again["_duplicate_"] = True
    rows.append(again)
    for r in extra["not_approved"]:
        rows.append(respondent(r, "validation_status_not_approved") | {"_not_approved_": True})
    for r in extra["no_consent"]:
        day = pd.Timestamp("2024-11-06 10:00") + pd.Timedelta(minutes=int(rng.integers(0, 400)))
        declined = dict.fromkeys(SURVEY_COLUMNS, "")
        declined.update({"start": _stamp(day), "end": _stamp(day + pd.Timedelta(seconds=50)),
                         "kab_kota": r.spellings[0], "persetujuan": "tidak",
                         "_submission_time": (day + pd.Timedelta(hours=-7)).strftime("%Y-%m-%dT%H:%M:%S"),
                         "_no_consent_": True})
        rows.append(declined)
    for i in (10, 40):  # Kobo's "on hold": kept, flagged
        rows[i]["_validation_status"] = "validation_status_on_hold"
    # interleave as a real export would (by submission time), then Kobo's own columns
    rows.sort(key=lambda row: row["_submission_time"])
    frame = pd.DataFrame(rows)
    frame["_uuid"] = [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(len(frame))]
    frame["_id"] = np.arange(len(frame)) + 412_301
    frame["_index"] = np.arange(len(frame)) + 1
    frame["_notes"] = ""
    frame["_status"] = "submitted_via_web"
    frame["_submitted_by"] = rng.choice(["enum_kupang", "enum_soe", "enum_atambua", "enum_ruteng"],
                                        size=len(frame))
    frame["__version__"] = "vQ8bLrYx2kTnC5mFw7sEha"
    frame["_tags"] = ""
    for key, col in (("not_approved", "_not_approved_"), ("no_consent", "_no_consent_"),
                     ("duplicate", "_duplicate_")):
        truth[key] = frame.loc[frame[col].eq(True), "_uuid"].tolist()
    truth["on_hold"] = frame.loc[frame["_validation_status"].eq("validation_status_on_hold"),
                                 "_uuid"].tolist()
    frame = frame[SURVEY_COLUMNS].fillna("")
    return frame, truth


def attendance_frame(rng: np.random.Generator, register: pd.DataFrame) -> pd.DataFrame:
    rows = []
    codes = {s: r for r in REGIONS for s in r.spellings}
    for _, org in register.iterrows():
        r = codes[org["region"]]
        if not r.meetings:
            continue
        sector = next(c for c, (label, _, _) in SECTORS.items()
                      if label.casefold() == org["sector"].strip().casefold())
        for i, date in enumerate(MEETING_DATES, start=1):
            went = rng.random() < ATTEND_P[sector]
            rows.append({"region": r.spellings[0], "meeting_date": date,
                         "meeting": f"Rapat Koordinasi TPPS {_short(r)} triwulan {i}",
                         "organisation": org["organisation"], "sector": SECTORS[sector][0],
                         "attended": str(rng.choice(["Ya", "ya", "Hadir"] if went else ["Tidak", "Absen"]))})
    return pd.DataFrame(rows, columns=["region", "meeting_date", "meeting", "organisation",
                                       "sector", "attended"])


def ties_frame(rng: np.random.Generator, register: pd.DataFrame) -> pd.DataFrame:
    rows = []
    codes = {s: r for r in REGIONS for s in r.spellings}
    reg = register.assign(code=[codes[x].code for x in register["region"]])
    for r in REGIONS:
        orgs = reg.loc[reg["code"] == r.code, "organisation"].tolist()
        for a in orgs:
            for b in orgs:
                if a != b and rng.random() < 0.25 + 0.2 * r.health:
                    rows.append({"region": r.name, "organisation": a, "partner": b,
                                 "level": str(rng.choice(["Kooperatif", "Koordinatif", "Terintegrasi"])),
                                 "trust": f"{rng.uniform(1.5, 4):.1f}",
                                 "value": f"{rng.uniform(1.5, 4):.1f}"})
    return pd.DataFrame(rows, columns=["region", "organisation", "partner", "level", "trust", "value"])


def indicator_frames(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = {"stunting_balita": (37.0, -2.2), "imunisasi_lengkap": (62.0, 3.0),
            "asi_eksklusif": (55.0, 2.0), "sanitasi_layak": (48.0, 3.5)}
    targets, wide = [], []
    years = list(range(2019, 2025))
    for r in REGIONS:
        for ind, (level, slope) in base.items():
            b = level + rng.normal(0, 4)
            s = slope * (1 + r.health) + rng.normal(0, 0.3)
            series = [round(b + s * (y - 2019) + rng.normal(0, 0.6), 1) for y in years]
            target = round(b + slope * 8 * 1.1, 1)
            targets.append({"region": r.name, "indicator_id": ind, "baseline_year": 2019,
                            "baseline_value": series[0], "target_year": 2026, "target_value": target})
            wide.append({"region": r.spellings[-1], "indicator_id": ind,
                         **{str(y): v for y, v in zip(years, series)}})
    return pd.DataFrame(targets), pd.DataFrame(wide)


def _write_csv(frame: pd.DataFrame, path: Path, *, quote_all: bool = False) -> None:
    frame.to_csv(path, sep=";", index=False, encoding="utf-8",
                 quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)


def write_dataset(raw_dir: Path, *, k: int = 4, attendance: bool = True, seed: int = SEED) -> Truth:
    """Write the programme's raw folder; return what was planted."""
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    write_codebook(raw_dir / "codebook_xlsform.xlsx", k)
    register = register_frame(rng)
    survey, planted = survey_frame(rng, register, k)
    # one reverse-keyed item answered 1 in a valid row, and one Tidak tahu
    valid = survey.index[~survey["_uuid"].isin(planted["not_approved"] + planted["no_consent"]
                                                + planted["duplicate"])
                         & survey["_validation_status"].ne("validation_status_on_hold")]
    reverse_items = [i for i, (_, rev, _) in ITEMS.items() if rev]
    ones = [(j, it) for j in valid for it in reverse_items if survey.at[j, it] == "1"]
    if not ones:
        survey.at[valid[0], reverse_items[0]] = "1"
        ones = [(valid[0], reverse_items[0])]
    reverse_one = (survey.at[ones[0][0], "_uuid"], ones[0][1])
    dk_row = valid[7]
    survey.at[dk_row, "kom_2"] = DK_CODE
    _write_csv(survey, raw_dir / "survey.csv", quote_all=True)
    _write_csv(register, raw_dir / "stakeholder_register.csv")
    if attendance:
        _write_csv(attendance_frame(rng, register), raw_dir / "meeting_attendance.csv")
    _write_csv(ties_frame(rng, register), raw_dir / "collaboration_ties.csv")
    targets, wide = indicator_frames(rng)
    with pd.ExcelWriter(raw_dir / "indicators.xlsx", engine="openpyxl") as xw:
        INDICATORS.to_excel(xw, sheet_name="metadata", index=False)
        targets.to_excel(xw, sheet_name="targets", index=False)
        wide.to_excel(xw, sheet_name="values_wide", index=False)
    return Truth(raw_dir=raw_dir, k=k, scale_values=scale_values(k), n_rows=len(survey),
                 n_valid={r.code: r.n for r in REGIONS}, not_approved=planted["not_approved"],
                 no_consent=planted["no_consent"], duplicate=planted["duplicate"],
                 on_hold=planted["on_hold"], reverse_one=reverse_one,
                 dk_cell=(survey.at[dk_row, "_uuid"], "kom_2"),
                 register_sectors={r.code: r.sectors for r in REGIONS}, attendance=attendance,
                 params={"sector_effect": {s: v[2] for s, v in SECTORS.items()},
                         "dimension_offset": {d: v[1] for d, v in DIMENSIONS.items()},
                         "region_health": {r.code: r.health for r in REGIONS}})


# --------------------------------------------------------------------------------------
# Five mistakes for `evalkit validate`
# --------------------------------------------------------------------------------------
MISTAKES = {
    "misspelt_region": "Kabupaten Timor Tengah Selatn",  # survey kab_kota
    "unknown_sector": "koperasi_desa",                    # survey jenis_lembaga
    "missing_column": "organisation",                     # dropped from the register
    "bad_date": "2024-06-31",                             # attendance meeting_date
    "bad_attendance": "mungkin",                          # attendance attended
}


def write_mistakes(src: Path, dst: Path) -> dict[str, str]:
    """Copy ``src`` to ``dst`` with the five :data:`MISTAKES`, one of each kind."""
    dst = Path(dst)
    shutil.copytree(src, dst)
    read = dict(sep=";", dtype=str, keep_default_na=False)
    survey = pd.read_csv(dst / "survey.csv", **read)
    ok = survey.index[survey["persetujuan"].eq("ya")]
    survey.at[ok[5], "kab_kota"] = MISTAKES["misspelt_region"]
    survey.at[ok[20], "jenis_lembaga"] = MISTAKES["unknown_sector"]
    _write_csv(survey, dst / "survey.csv", quote_all=True)
    register = pd.read_csv(dst / "stakeholder_register.csv", **read)
    _write_csv(register.drop(columns=MISTAKES["missing_column"]), dst / "stakeholder_register.csv")
    att = pd.read_csv(dst / "meeting_attendance.csv", **read)
    att.at[3, "meeting_date"] = MISTAKES["bad_date"]
    att.at[17, "attended"] = MISTAKES["bad_attendance"]
    _write_csv(att, dst / "meeting_attendance.csv")
    return MISTAKES
