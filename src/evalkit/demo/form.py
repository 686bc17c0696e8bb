"""The demo survey form: dimensions, items, choice lists and non-item fields.

This is the content of the demo XLSForm that ``evalkit demo-data`` writes to
``data/raw/codebook_xlsform.xlsx``. Cleaning never imports it: cleaning reads the
codebook file, so a real form with other items works the same way.
"""

from __future__ import annotations

from typing import NamedTuple


class Dimension(NamedTuple):
    key: str
    label_id: str
    label_en: str


class Item(NamedTuple):
    name: str
    dimension: str
    reverse: bool
    label_id: str
    label_en: str


class Field(NamedTuple):
    type: str
    name: str
    label_id: str
    label_en: str
    pii: bool = False


DIMENSIONS = (
    Dimension("trust", "Kepercayaan", "Trust"),
    Dimension("communication", "Komunikasi & transparansi", "Communication & transparency"),
    Dimension("shared_goals", "Tujuan bersama", "Shared goals"),
    Dimension("leadership", "Kepemimpinan", "Leadership"),
    Dimension("resources", "Sumber daya & kompetensi", "Resources & competence"),
    Dimension("coordination", "Koordinasi", "Coordination"),
    Dimension("engagement", "Keterlibatan & komitmen", "Engagement & commitment"),
    Dimension("accountability", "Akuntabilitas", "Accountability"),
    Dimension("mutual_benefit", "Saling menguntungkan", "Mutual benefit"),
    Dimension("inclusiveness", "Inklusivitas", "Inclusiveness"),
)

_ITEM_TEXT = (
    ("trust", False, "Saya percaya mitra lain dalam forum menepati komitmennya.",
     "I trust the other partners in the forum to keep their commitments."),
    ("trust", False, "Mitra dalam forum saling menghormati pendapat.",
     "Partners in the forum respect each other's views."),
    ("trust", True, "Saya ragu mitra lain bertindak demi kepentingan bersama.",
     "I doubt that other partners act in the common interest."),
    ("communication", False, "Informasi penting dibagikan kepada semua mitra tepat waktu.",
     "Important information reaches all partners on time."),
    ("communication", False, "Keputusan forum dan alasannya disampaikan secara terbuka.",
     "Forum decisions and their reasons are communicated openly."),
    ("communication", True, "Saya sering tidak tahu apa yang sedang dikerjakan mitra lain.",
     "I often do not know what other partners are working on."),
    ("shared_goals", False, "Forum memiliki tujuan bersama yang jelas dan terukur.",
     "The forum has clear, measurable shared goals."),
    ("shared_goals", False, "Tujuan forum sejalan dengan prioritas organisasi saya.",
     "The forum's goals match my organisation's priorities."),
    ("shared_goals", False, "Semua mitra memahami target yang disepakati sejak awal.",
     "All partners understand the targets agreed at the start."),
    ("leadership", False, "Pimpinan forum mendorong semua pihak untuk berperan.",
     "Forum leaders encourage every party to play a part."),
    ("leadership", False, "Pimpinan forum mampu menengahi perbedaan pendapat.",
     "Forum leaders are able to settle disagreements."),
    ("leadership", True, "Arah forum hanya ditentukan oleh satu pihak.",
     "The forum's direction is set by a single party."),
    ("resources", False, "Forum memiliki dana dan tenaga yang cukup untuk programnya.",
     "The forum has enough funds and staff for its programmes."),
    ("resources", False, "Para mitra memiliki keahlian yang dibutuhkan.",
     "Partners have the skills that are needed."),
    ("resources", False, "Organisasi saya menyumbangkan sumber daya bagi kegiatan bersama.",
     "My organisation contributes resources to joint activities."),
    ("coordination", False, "Pembagian peran antarmitra jelas.",
     "The division of roles between partners is clear."),
    ("coordination", False, "Kegiatan para mitra terkoordinasi dengan baik.",
     "Partners' activities are well coordinated."),
    ("coordination", True, "Kegiatan antarmitra sering tumpang tindih.",
     "Partners' activities often overlap."),
    ("engagement", False, "Organisasi saya aktif menghadiri pertemuan forum.",
     "My organisation takes an active part in forum meetings."),
    ("engagement", False, "Organisasi saya berkomitmen pada kemitraan ini untuk jangka panjang.",
     "My organisation is committed to this partnership for the long term."),
    ("engagement", False, "Saya bersedia meluangkan waktu untuk kegiatan forum.",
     "I am willing to give time to forum activities."),
    ("accountability", False, "Kemajuan forum dipantau dengan indikator yang disepakati.",
     "Progress is monitored with agreed indicators."),
    ("accountability", False, "Penggunaan dana forum dilaporkan secara terbuka.",
     "The use of forum funds is reported openly."),
    ("accountability", True, "Tidak ada yang bertanggung jawab ketika target tidak tercapai.",
     "No one answers for it when targets are missed."),
    ("mutual_benefit", False, "Organisasi saya memperoleh manfaat dari kemitraan ini.",
     "My organisation gains from this partnership."),
    ("mutual_benefit", False, "Manfaat kemitraan dibagi secara adil.",
     "The gains of the partnership are shared fairly."),
    ("mutual_benefit", False, "Kemitraan ini mencapai hal yang tidak bisa dicapai sendiri.",
     "The partnership achieves what no partner could alone."),
    ("inclusiveness", False, "Perempuan dan kelompok rentan ikut dalam pengambilan keputusan.",
     "Women and vulnerable groups take part in decisions."),
    ("inclusiveness", False, "Semua unsur pentahelix terwakili dalam forum.",
     "All pentahelix sectors are represented in the forum."),
    ("inclusiveness", True, "Suara organisasi kecil kurang didengar dalam forum.",
     "Small organisations are not heard enough in the forum."),
)

ITEMS = tuple(
    Item(f"q{i:02d}", dim, rev, text_id, text_en)
    for i, (dim, rev, text_id, text_en) in enumerate(_ITEM_TEXT, start=1)
)

# choice name -> (Indonesian label, English label). "dk" = don't know: never a score.
LIKERT_CHOICES = {
    "1": ("Sangat tidak setuju", "Strongly disagree"),
    "2": ("Tidak setuju", "Disagree"),
    "3": ("Netral", "Neutral"),
    "4": ("Setuju", "Agree"),
    "5": ("Sangat setuju", "Strongly agree"),
    "dk": ("Tidak tahu", "Don't know"),
}

# Pentahelix sectors: choice name -> (Indonesian label, English label).
SECTOR_CHOICES = {
    "pemerintah": ("Pemerintah", "Government"),
    "dunia_usaha": ("Dunia Usaha", "Business"),
    "akademisi": ("Akademisi", "Academia"),
    "masyarakat_sipil": ("Masyarakat Sipil", "Civil society"),
    "media": ("Media", "Media"),
}

SURVEY_FIELDS = (
    Field("start", "start", "Waktu mulai", "Start time"),
    Field("end", "end", "Waktu selesai", "End time"),
    Field("text", "region", "Kabupaten/kota atau provinsi", "Regency/city or province"),
    Field("text", "respondent_name", "Nama responden", "Respondent name", pii=True),
    Field("text", "respondent_phone", "Nomor HP responden", "Respondent phone", pii=True),
    Field("text", "organisation", "Nama organisasi", "Organisation"),
    Field("select_one sector", "sector", "Sektor", "Sector"),
)
