"""Synthetic demo data: a seeded generator with known parameters, written to ``data/raw/``.

Everything the generator plants (region-level partnership health, sector effects,
indicator growth relative to what the target requires, the messy rows, the changes
between survey waves) is in :data:`DEMO_PARAMS`, so tests can check that cleaning and
analysis recover it.

The survey, the collaboration ties and the stakeholder register come in three quarterly
waves (:attr:`DemoParameters.waves`). The latest wave is the single-wave demo exactly
(same random stream, rows and mess); the earlier ones come from their own streams, with a
panel that partly overlaps and three planted changes (:func:`planted_changes` gives their
observed-scale truth): a forum reform that lifts trust and communication in one region,
business engagement that declines in another, and ties that grow in a third.

The data imitate what M&E officers receive: a KoboToolbox XLSX export with group
prefixes and Indonesian labels, an XLSForm codebook, an indicator workbook, and
semicolon-separated CSV files as Indonesian-locale Excel writes them. They are
deliberately messy (name variants, duplicates, test submissions, blanks,
``Tidak tahu``, decimal commas, stray whitespace, a straight-liner, a speeder,
an out-of-range answer, an impossible percentage).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

from evalkit.clean.numbers import parse_number
from evalkit.demo.form import (
    DIMENSIONS,
    ITEMS,
    LIKERT_CHOICES,
    SECTOR_CHOICES,
    SURVEY_FIELDS,
)
from evalkit.read.regions import all_regions, get_region, resolve_region
from evalkit.read.waves import parse_wave_label

SEED = 20261123


@dataclass(frozen=True)
class IndicatorSpec:
    """One demo indicator: SDG code, names, unit, direction and baseline range."""

    indicator_id: str
    sdg_code: str
    name_id: str
    name_en: str
    unit: str
    direction: str  # "higher" or "lower" is better
    baseline_low: float
    baseline_high: float
    decimals: int = 1  # as published


@dataclass(frozen=True)
class DemoParameters:
    """The generating parameters of the demo data set (the 'truth' tests recover)."""

    seed: int = SEED
    # Region code -> (latent partnership health on the 1-5 scale, respondents planted).
    regions: dict[str, tuple[float, int]] = field(default_factory=lambda: {
        "15.71": (3.55, 36),  # Kota Jambi
        "17.71": (3.10, 30),  # Kota Bengkulu
        "19.71": (3.30, 28),  # Kota Pangkal Pinang
        "21.72": (2.85, 26),  # Kota Tanjung Pinang
        "21.71": (3.75, 40),  # Kota Batam
        "35.78": (4.00, 45),  # Kota Surabaya
        "33.72": (3.85, 38),  # Kota Surakarta
        "11.71": (3.20, 30),  # Kota Banda Aceh
        "74.72": (2.95, 24),  # Kota Bau Bau
        "34.71": (3.65, 34),  # Kota Yogyakarta
        "32.73": (3.45, 40),  # Kota Bandung
        "35.10": (3.90, 36),  # Kabupaten Banyuwangi
        "33.10": (3.25, 30),  # Kabupaten Klaten
        "96.02": (2.75, 12),  # Kabupaten Sorong Selatan (small: tests small-group rules)
        "16": (3.40, 32),     # Provinsi Sumatera Selatan
        "18": (3.00, 28),     # Provinsi Lampung
    })
    # Additive sector effects on the latent scale: business is the less enthusiastic sector.
    sector_effects: dict[str, float] = field(default_factory=lambda: {
        "pemerintah": 0.15, "dunia_usaha": -0.45, "akademisi": 0.05,
        "masyarakat_sipil": 0.0, "media": -0.10,
    })
    sector_shares: dict[str, float] = field(default_factory=lambda: {
        "pemerintah": 0.30, "dunia_usaha": 0.20, "akademisi": 0.15,
        "masyarakat_sipil": 0.25, "media": 0.10,
    })
    # Dimension offsets: resources and accountability are the weak dimensions overall.
    dimension_offsets: dict[str, float] = field(default_factory=lambda: {
        "trust": 0.10, "communication": 0.0, "shared_goals": 0.20, "leadership": 0.10,
        "resources": -0.35, "coordination": -0.10, "engagement": 0.15,
        "accountability": -0.25, "mutual_benefit": 0.05, "inclusiveness": -0.20,
    })
    respondent_sd: float = 0.60  # between-respondent spread: what makes items of a scale agree
    item_sd: float = 0.50
    dont_know_rate: float = 0.03
    blank_rate: float = 0.02
    # Indicators: observed yearly growth = ratio x growth required to reach the target.
    indicator_years: tuple[int, int] = (2019, 2025)
    target_year: int = 2029
    # Planted ratio of observed to required growth, per status (Open SDG bands:
    # >= 0.95 on track, 0.6-0.95 acceleration needed, 0-0.6 limited, < 0 deterioration).
    # 2.5 x the required growth over 6 of 10 years means the target is already reached.
    progress_ratios: dict[str, float] = field(default_factory=lambda: {
        "target_achieved": 2.5, "on_track": 1.4, "acceleration_needed": 0.78,
        "limited_progress": 0.3, "deterioration": -0.8,
    })
    target_improvement: float = 0.20  # targets: +20% (or -20% when lower is better)
    indicator_noise_sd: float = 0.002  # multiplicative noise; small so status is recoverable
    # Pentahelix sectors deliberately absent from a region's stakeholder register.
    missing_register_sectors: dict[str, tuple[str, ...]] = field(default_factory=lambda: {
        "96.02": ("akademisi", "media"), "74.72": ("media",), "18": ("akademisi",),
    })
    # Attribution: regions without any partnership (the comparison group), forum start
    # years for the others, and the planted effect of a forum on the attribution indicator.
    comparison_regions: tuple[str, ...] = ("17.71", "21.72", "74.72", "33.10", "18")
    forum_start_years: tuple[int, ...] = (2021, 2022)
    forum_effect: float = 5.0  # percentage points on ATTRIBUTION_INDICATOR once a forum starts
    attribution_trend: float = 1.5  # common yearly change of that indicator, all regions
    # Regions whose indicator values come in the wide sheet (one column per year).
    wide_format_regions: tuple[str, ...] = ("33.72", "35.10")
    # Indicator breakdowns and periods: the inclusion indicator by sex (women lower by
    # this many points); one series reported by quarter in its last two years (the
    # quarters average to the yearly value, so progress is unchanged).
    inclusion_sex_gap: float = 4.0
    quarterly_region: str = "19.71"
    quarterly_indicator: str = "kemiskinan"
    quarterly_offsets: tuple[float, ...] = (0.3, 0.1, -0.1, -0.3)
    attendance_rate: float = 0.75
    attendance_sector_effects: dict[str, float] = field(default_factory=lambda: {
        "pemerintah": 0.15, "dunia_usaha": -0.30, "akademisi": 0.0,
        "masyarakat_sipil": 0.05, "media": -0.15,
    })
    # Collaboration ties (PARTNER-style survey): the log-odds that an organisation names
    # another as a partner rise with the region's health and with both sectors'
    # propensity; business and media are the least connected sectors. One region's media
    # have no ties at all (an isolated sector to detect).
    tie_base_logit: float = -0.9
    tie_health_slope: float = 1.2  # per point of latent health above 3.4
    tie_sector_propensity: dict[str, float] = field(default_factory=lambda: {
        "pemerintah": 0.6, "dunia_usaha": -0.5, "akademisi": 0.1,
        "masyarakat_sipil": 0.2, "media": -0.4,
    })
    tie_response_rate: float = 0.85  # share of organisations that answer the ties survey
    isolated_sectors: dict[str, tuple[str, ...]] = field(default_factory=lambda: {
        "21.72": ("media",),
    })
    trust_mean: float = 3.0  # PARTNER 1-4 scales, shifted by (health - 3.4) * trust_health_slope
    trust_health_slope: float = 0.5
    value_mean: float = 2.9
    meetings: tuple[str, ...] = (
        "2024-02-15", "2024-05-16", "2024-08-15", "2024-11-14",
        "2025-02-13", "2025-05-15", "2025-08-14", "2025-11-13",
    )
    # Survey waves, declared by the interview date (codebook setting ``wave_period``),
    # oldest first. The latest wave is the single-wave demo exactly; the earlier ones come
    # from their own random streams and differ from it only by the planted changes below.
    waves: tuple[str, ...] = ("2025-Q3", "2026-Q1", "2026-Q3")
    wave_period: str = "quarter"
    # Panel: each respondent of a wave also answered the wave before with this probability
    # (same name, phone, organisation, sector and person effect); the rest of the earlier
    # wave are respondents who did not answer again (dropped out).
    panel_stay: float = 0.7
    # Planted change 1, a forum reform: in ``reform_region`` the latent score of the
    # ``reform_dimensions`` items is ``reform_effect`` higher from ``reform_wave`` on.
    reform_region: str = "32.73"  # Kota Bandung
    reform_dimensions: tuple[str, ...] = ("trust", "communication")
    reform_effect: float = 0.6
    reform_wave: str = "2026-Q1"
    # Planted change 2: in ``decline_region`` the ``decline_sector`` respondents' latent
    # score on every item falls by ``decline_per_wave`` from one wave to the next.
    decline_region: str = "35.78"  # Kota Surabaya
    decline_sector: str = "dunia_usaha"
    decline_per_wave: float = 0.35
    # Planted change 3: in ``tie_growth_region`` the tie log-odds rise by
    # ``tie_growth_per_wave`` from one wave to the next (lower by it per earlier wave).
    tie_growth_region: str = "34.71"  # Kota Yogyakarta
    tie_growth_per_wave: float = 0.5
    # Networks persist between waves: an organisation that answered a wave's ties survey
    # answered the one before with this probability, and a pair of organisations keeps
    # its propensity (uniform draw) with ``tie_persistence``; the planted tie
    # probabilities of each wave are unchanged by this coupling.
    tie_response_stay: float = 0.95
    tie_persistence: float = 0.8


DEMO_PARAMS = DemoParameters()

INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("air_minum", "6.1.1", "Rumah tangga dengan akses air minum layak",
                  "Households with access to safe drinking water", "%", "higher", 55, 75),
    IndicatorSpec("kemiskinan", "1.2.1", "Persentase penduduk miskin",
                  "Population below the national poverty line", "%", "lower", 6, 16, 2),
    IndicatorSpec("stunting", "2.2.1", "Prevalensi stunting pada balita",
                  "Prevalence of stunting among children under five", "%", "lower", 18, 32),
    IndicatorSpec("keputusan_inklusif", "16.7.2",
                  "Penduduk yang menilai pengambilan keputusan inklusif",
                  "Population who believe decision-making is inclusive", "%", "higher", 35, 55),
    IndicatorSpec("komitmen_kps", "17.17.1", "Nilai komitmen kemitraan pemerintah-swasta",
                  "Amount committed to public-private partnerships", "miliar Rp", "higher",
                  20, 80),
)

# Generated additively (region level + common trend + forum effect), so a
# difference-in-differences estimate can be checked against DemoParameters.forum_effect.
ATTRIBUTION_INDICATOR = IndicatorSpec(
    "musrenbang_perempuan", "5.5.2", "Partisipasi perempuan dalam musrenbang",
    "Participation of women in development planning meetings (musrenbang)", "%", "higher",
    25, 45)

class _RegistrySpelling(dict):
    """A region without listed variants is spelled only as in the registry."""

    def __missing__(self, code: str) -> tuple[str, ...]:
        return (get_region(code).name,)


# Spelling variants an officer's export really contains, per region (first = registry).
NAME_VARIANTS: dict[str, tuple[str, ...]] = _RegistrySpelling({
    "15.71": ("Kota Jambi", "KOTA JAMBI", "Kota  Jambi ", "Kt. Jambi", "Jambi City"),
    "17.71": ("Kota Bengkulu", "kota bengkulu", "Kt. Bengkulu"),
    "19.71": ("Kota Pangkal Pinang", "Kota Pangkalpinang", "PANGKAL PINANG"),
    "21.72": ("Kota Tanjung Pinang", "Kota Tanjungpinang", "Tanjung Pinang "),
    "21.71": ("Kota Batam", "Batam", "KOTA BATAM"),
    "35.78": ("Kota Surabaya", "Surabaya City", "Kt Surabaya"),
    "33.72": ("Kota Surakarta", "Surakarta", "KOTA SURAKARTA"),
    "11.71": ("Kota Banda Aceh", "Banda Aceh", "Kota Banda  Aceh"),
    "74.72": ("Kota Bau Bau", "Kota Baubau", "Baubau"),
    "34.71": ("Kota Yogyakarta", "Yogyakarta City", "Kota Yogyakarta "),
    "32.73": ("Kota Bandung", "KOTA BANDUNG", "Kt. Bandung"),
    "35.10": ("Kabupaten Banyuwangi", "Kab. Banyuwangi", "Banyuwangi"),
    "33.10": ("Kabupaten Klaten", "Kab. Klaten", "KAB KLATEN", "Klaten"),
    "96.02": ("Kabupaten Sorong Selatan", "Kab. Sorong Selatan", "Sorong Selatan"),
    "16": ("Sumatera Selatan", "Provinsi Sumatera Selatan", "Prov. Sumatera Selatan"),
    "18": ("Lampung", "Provinsi Lampung", "LAMPUNG "),
})

_FIRST = ("Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Wahyu", "Nurul", "Fajar", "Intan",
          "Yusuf", "Ratna", "Hendra", "Lestari", "Bambang", "Maya", "Rizki", "Putri", "Eko",
          "Ayu", "Dimas", "Wulan", "Teguh", "Sari")
_LAST = ("Santoso", "Wijaya", "Lubis", "Hasibuan", "Saragih", "Nasution", "Pratama",
         "Siregar", "Kurniawan", "Hidayat", "Rahmawati", "Setiawan", "Situmorang", "Wibowo",
         "Harahap", "Utami", "Gunawan", "Permata")
_ORG_TEMPLATES = {
    "pemerintah": ("Bappeda {p}", "Dinas Lingkungan Hidup {p}", "Dinas Kesehatan {p}",
                   "BPBD {p}", "Dinas Sosial {p}", "Dinas PUPR {p}", "Kecamatan Pusat {p}"),
    "dunia_usaha": ("PT Maju Bersama {s}", "Kadin {p}", "Bank Daerah {s}", "PT Sinar {s}",
                    "CV Karya {s}", "Apindo {p}"),
    "akademisi": ("Universitas {s}", "Politeknik {s}", "Institut Teknologi {s}"),
    "masyarakat_sipil": ("Yayasan Peduli {s}", "Forum Warga {s}", "PKK {p}",
                         "LSM Lestari {s}", "Karang Taruna {s}", "Komunitas Relawan {s}"),
    "media": ("Radio Suara {s}", "Harian {s} Pos", "TV Lokal {s}"),
}


def _short_name(region_name: str) -> str:
    for prefix in ("Kota ", "Kabupaten "):
        if region_name.startswith(prefix):
            return region_name[len(prefix):]
    return region_name


def _rng_uuid(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


# --- stakeholder register ------------------------------------------------------------

def make_register(params: DemoParameters, rng: np.random.Generator) -> pd.DataFrame:
    """Organisations per region with sector, influence and interest (1-5)."""
    rows = []
    for code in params.regions:
        region = get_region(code)
        p, s = region.name, _short_name(region.name)
        missing = params.missing_register_sectors.get(code, ())
        for sector, templates in _ORG_TEMPLATES.items():
            if sector in missing:
                continue
            n_orgs = min(len(templates), int(rng.integers(2, len(templates) + 1)))
            for template in rng.choice(templates, size=n_orgs, replace=False):
                base = {"pemerintah": 4, "dunia_usaha": 3, "akademisi": 2,
                        "masyarakat_sipil": 2, "media": 2}[sector]
                rows.append({
                    "region": rng.choice(NAME_VARIANTS[code]),
                    "organisation": template.format(p=p, s=s),
                    "sector": SECTOR_CHOICES[sector][0],
                    "influence": int(np.clip(base + rng.integers(-1, 2), 1, 5)),
                    "interest": int(np.clip(3 + rng.integers(-2, 3), 1, 5)),
                })
    return pd.DataFrame(rows)


# --- survey ------------------------------------------------------------------------

def _likert_label(value: float | None) -> str | None:
    if value is None:
        return None
    return LIKERT_CHOICES[str(int(value))][0]


def _fake_person(rng: np.random.Generator) -> tuple[str, str]:
    name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    digits = "".join(str(d) for d in rng.integers(0, 10, size=8))
    prefix = rng.choice(["0812", "0813", "0821", "0852", "0857"])
    phone = rng.choice([f"{prefix}{digits}", f"+62 {prefix[1:]}-{digits[:4]}-{digits[4:]}"])
    return name, phone


def _answers(latent_mean: float, params: DemoParameters, rng: np.random.Generator, *,
             effect: float | None = None, shift: dict[str, float] | None = None
             ) -> tuple[dict[str, str | None], float]:
    """One respondent's labelled answers, generated from the latent model, and the person
    effect they were drawn with.

    ``effect`` is a panel member's person effect from an earlier draw (none is drawn
    then); ``shift`` adds a planted change to the latent score of a dimension's items.
    Without either, the random stream is used exactly as by the single-wave demo.
    """
    if effect is None:
        effect = float(rng.normal(0, params.respondent_sd))
    person = latent_mean + effect
    shift = shift or {}
    out: dict[str, str | None] = {}
    for item in ITEMS:
        u = rng.random()
        if u < params.blank_rate:
            out[item.name] = None
            continue
        if u < params.blank_rate + params.dont_know_rate:
            out[item.name] = LIKERT_CHOICES["dk"][0]
            continue
        latent = person + params.dimension_offsets[item.dimension]
        if item.dimension in shift:
            latent += shift[item.dimension]
        latent += rng.normal(0, params.item_sd)
        value = min(max(int(np.rint(latent)), 1), 5)  # rounded to the scale, clipped
        if item.reverse:
            value = 6 - value
        out[item.name] = _likert_label(value)
    return out, effect


def latent_shift(params: DemoParameters, code: str, sector: str, wave: str
                 ) -> dict[str, float]:
    """The planted change of a respondent's latent item scores in ``wave`` relative to the
    latest wave, by dimension (dimensions without change left out).

    The reform region's reform dimensions are ``reform_effect`` lower before
    ``reform_wave``; the decline region's decline sector is ``decline_per_wave`` higher
    per wave before the latest. Every other region and sector: no change.
    """
    back = len(params.waves) - 1 - params.waves.index(wave)
    shift: dict[str, float] = {}
    if code == params.reform_region and params.waves.index(wave) < params.waves.index(
            params.reform_wave):
        for dim in params.reform_dimensions:
            shift[dim] = shift.get(dim, 0.0) - params.reform_effect
    if code == params.decline_region and sector == params.decline_sector and back:
        for dim in params.dimension_offsets:
            shift[dim] = shift.get(dim, 0.0) + params.decline_per_wave * back
    return shift


def tie_logit_shift(params: DemoParameters, code: str, wave: str) -> float:
    """The planted change of a region's tie log-odds in ``wave`` relative to the latest."""
    back = len(params.waves) - 1 - params.waves.index(wave)
    return -params.tie_growth_per_wave * back if code == params.tie_growth_region else 0.0


@functools.lru_cache(maxsize=64)
def _fieldwork(wave: str) -> tuple[dt.datetime, int]:
    """First interview time (08:00 on the wave's first day) and the fieldwork span in
    minutes: 90 days, or less so that every interview falls inside the wave's period."""
    parsed = parse_wave_label(wave)
    if parsed is None or parsed[1] is None:
        raise ValueError(f"demo wave {wave!r} is not a period label such as 2025-Q3")
    _, first, last = parsed
    days = min(90, (last - first).days - 1)
    return first.to_pydatetime().replace(hour=8), days * 24 * 60


def _respondent(params: DemoParameters, code: str, health: float,
                orgs: dict[str, np.ndarray], rng: np.random.Generator, *, wave: str,
                person: dict | None = None) -> dict:
    """One genuine respondent's survey row in ``wave``.

    ``person`` is a panel member who answered a later wave (their name, phone,
    organisation, sector and person effect are kept); ``None`` draws a new respondent,
    using the stream in the order of the single-wave demo. ``orgs``: the region's
    registered organisations by sector label (:func:`_orgs_by_sector`). Hidden ``_code``,
    ``_sector_key`` and ``_effect`` keys describe the respondent for the next wave back.
    """
    base_time, span = _fieldwork(wave)
    if person is None:
        sectors = list(params.sector_shares)
        shares = np.array(list(params.sector_shares.values()))
        sector = str(rng.choice(sectors, p=shares))
        candidates = orgs.get(SECTOR_CHOICES[sector][0])
        if candidates is None:  # sector missing from the register: an unlisted organisation
            organisation = f"Organisasi {SECTOR_CHOICES[sector][0]} lain"
        else:
            organisation = str(rng.choice(candidates))
        name, phone = _fake_person(rng)
        effect = None
    else:
        sector, organisation = person["_sector_key"], person["organisation"]
        name, phone, effect = person["respondent_name"], person["respondent_phone"], person["_effect"]
    start = base_time + dt.timedelta(minutes=int(rng.integers(0, span)))
    minutes = float(rng.uniform(6, 25))
    label = SECTOR_CHOICES[sector][0]
    row = {
        "region": str(rng.choice(NAME_VARIANTS[code])),
        "respondent_name": name, "respondent_phone": phone,
        "organisation": organisation,
        # stray whitespace and case variants, as typed into "other" fields
        "sector": str(rng.choice([label, label, label.upper(), f" {label} "]))
        if person is None else person["sector"],
        "_start": start, "_minutes": minutes,
    }
    answers, effect = _answers(health + params.sector_effects[sector], params, rng,
                               effect=effect, shift=latent_shift(params, code, sector, wave))
    return {**row, **answers, "_code": code, "_sector_key": sector, "_effect": effect}


def _with_codes(register: pd.DataFrame) -> pd.DataFrame:
    return register.assign(code=[_code_of_variant(v) for v in register["region"]])


def _orgs_by_sector(register: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """Region code -> sector label -> its registered organisations, in register order."""
    register = _with_codes(register)
    return {code: {label: group["organisation"].to_numpy()
                   for label, group in frame.groupby("sector", sort=False)}
            for code, frame in register.groupby("code", sort=False)}


def _latest_wave(params: DemoParameters, register: pd.DataFrame, rng: np.random.Generator
                 ) -> tuple[pd.DataFrame, dict[str, int], pd.DataFrame]:
    """The latest wave's export (the single-wave demo), its injected-row counts and its
    genuine respondents (with the hidden panel keys)."""
    orgs = _orgs_by_sector(register)
    wave = params.waves[-1]
    rows = [_respondent(params, code, health, orgs.get(code, {}), rng, wave=wave)
            for code, (health, n) in params.regions.items() for _ in range(n)]
    genuine = pd.DataFrame(rows)
    survey, injected = _inject_survey_mess(genuine, rng)
    return _as_kobo_export(survey, rng), injected, genuine


def _earlier_wave(params: DemoParameters, register: pd.DataFrame, later: pd.DataFrame,
                  wave: str, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One earlier wave's export and genuine respondents: each respondent of the wave after
    (``later``) stays in the panel with probability ``panel_stay``; new respondents (who
    did not answer again) make the region's planted size. No injected mess."""
    by_region = _orgs_by_sector(register)
    rows = []
    for code, (health, n) in params.regions.items():
        orgs = by_region.get(code, {})
        stayers = [p for p in later[later["_code"] == code].to_dict("records")
                   if rng.random() < params.panel_stay]
        rows += [_respondent(params, code, health, orgs, rng, wave=wave, person=p)
                 for p in stayers]
        rows += [_respondent(params, code, health, orgs, rng, wave=wave)
                 for _ in range(n - len(stayers))]
    genuine = pd.DataFrame(rows)
    survey = genuine.iloc[rng.permutation(len(genuine))].reset_index(drop=True)
    survey["_uuid"] = [_rng_uuid(rng) for _ in range(len(survey))]
    return _as_kobo_export(survey, rng), genuine


def make_survey(params: DemoParameters, register: pd.DataFrame,
                rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, int]]:
    """The single-wave Kobo-style survey export (labels, group-prefixed headers) and
    injected-row counts: the latest wave of :func:`make_survey_waves`."""
    survey, injected, _ = _latest_wave(params, register, rng)
    return survey, injected


def make_survey_waves(params: DemoParameters, register: pd.DataFrame, rng: np.random.Generator
                      ) -> tuple[pd.DataFrame, dict[str, int], pd.DataFrame]:
    """The accumulating survey export of every wave, the injected-row counts and the
    genuine respondents.

    The latest wave is :func:`make_survey` on ``rng`` (same rows, mess and ``_uuid``);
    the earlier waves, oldest first before it, come from the stream
    ``default_rng([seed, 6])``, so ``rng`` is used exactly as by the single-wave demo.
    ``_id`` and ``_index`` number the whole export.

    Returns
    -------
    (DataFrame, dict, DataFrame)
        The export; the injected-row counts (all in the latest wave); one row per genuine
        respondent and wave: ``wave, region_code, sector, respondent_name,
        respondent_phone, organisation, person_effect``.
    """
    latest, injected, genuine = _latest_wave(params, register, rng)
    wave_rng = np.random.default_rng([params.seed, 6])
    exports, people = [latest], [_people(genuine, params.waves[-1])]
    for wave in reversed(params.waves[:-1]):
        export, genuine = _earlier_wave(params, register, genuine, wave, wave_rng)
        exports.insert(0, export)
        people.insert(0, _people(genuine, wave))
    survey = pd.concat(exports, ignore_index=True)
    survey["_id"] = range(410001, 410001 + len(survey))
    survey["_index"] = range(1, len(survey) + 1)
    return survey, injected, pd.concat(people, ignore_index=True)


def _people(genuine: pd.DataFrame, wave: str) -> pd.DataFrame:
    """The genuine respondents of one wave (no injected rows), as :func:`make_survey_waves`
    returns them."""
    return pd.DataFrame({
        "wave": wave, "region_code": genuine["_code"], "sector": genuine["_sector_key"],
        "respondent_name": genuine["respondent_name"],
        "respondent_phone": genuine["respondent_phone"],
        "organisation": genuine["organisation"], "person_effect": genuine["_effect"],
    })


def _code_of_variant(variant: str) -> str:
    for code, variants in NAME_VARIANTS.items():
        if variant in variants:
            return code
    return resolve_region(variant).code  # a registry spelling (see _RegistrySpelling)


def _inject_survey_mess(survey: pd.DataFrame,
                        rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, int]]:
    """Add the rows a real export has that an analysis must not count."""
    item_names = [i.name for i in ITEMS]
    extra = []
    # Two test submissions made while setting the form up.
    for name in ("Test", "tes coba"):
        row = survey.iloc[int(rng.integers(len(survey)))].copy()
        row["respondent_name"], row["organisation"] = name, "TEST"
        extra.append(row)
    # A respondent who submitted the same answers twice from a second device.
    resubmitted = survey.iloc[int(rng.integers(len(survey)))].copy()
    resubmitted["_start"] = resubmitted["_start"] + dt.timedelta(hours=2)
    extra.append(resubmitted)
    # A straight-liner: "Setuju" everywhere, reverse-keyed items included.
    liner = survey.iloc[int(rng.integers(len(survey)))].copy()
    liner["respondent_name"], liner["respondent_phone"] = _fake_person(rng)
    liner[item_names] = LIKERT_CHOICES["4"][0]
    extra.append(liner)
    # A speeder: 30 items in 90 seconds.
    speeder = survey.iloc[int(rng.integers(len(survey)))].copy()
    speeder["respondent_name"], speeder["respondent_phone"] = _fake_person(rng)
    speeder["_minutes"] = 1.5
    extra.append(speeder)
    # A respondent who stopped after five questions.
    partial = survey.iloc[int(rng.integers(len(survey)))].copy()
    partial["respondent_name"], partial["respondent_phone"] = _fake_person(rng)
    partial[item_names[5:]] = None
    extra.append(partial)
    out = pd.concat([survey, pd.DataFrame(extra)], ignore_index=True)
    out["_uuid"] = [_rng_uuid(rng) for _ in range(len(out))]
    # One out-of-range answer typed as a number into a genuine response.
    out.loc[int(rng.integers(len(survey))), item_names[7]] = "7"
    # Contacts typed into the organisation field (personal data in free text).
    contact_rows = rng.choice(len(survey), size=2, replace=False)
    out.loc[contact_rows[0], "organisation"] += " (kontak: rina.utami@contoh.id)"
    out.loc[contact_rows[1], "organisation"] += " / WA 0813-2233-4455"
    # Answers typed by hand: "N/A" (no answer) and label variants in case and spacing.
    for _ in range(3):
        out.loc[int(rng.integers(len(survey))), str(rng.choice(item_names))] = "N/A"
    for _ in range(3):
        out.loc[int(rng.integers(len(survey))), str(rng.choice(item_names))] = "  sangat SETUJU "
    order = rng.permutation(len(out))
    out = out.iloc[order].reset_index(drop=True)
    # Three rows exported twice (same _uuid), as happens when exports are merged.
    dup_rows = out.iloc[rng.choice(len(out), size=3, replace=False)]
    out = pd.concat([out, dup_rows], ignore_index=True)
    injected = {"test_submission": 2, "duplicate_respondent": 1, "straight_lining": 1,
                "speeder": 1, "too_many_missing": 1, "duplicate_uuid": 3, "out_of_range": 1,
                "contact_in_free_text": 2}
    return out, injected


def _kobo_time(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000+07:00")


def _as_kobo_export(survey: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Column names and order as a KoboToolbox 'XML values and headers' export."""
    starts = survey["_start"]
    ends = [s + dt.timedelta(minutes=m) for s, m in zip(starts, survey["_minutes"])]
    export = pd.DataFrame({
        "start": [_kobo_time(s) for s in starts],
        "end": [_kobo_time(e) for e in ends],
        "region": survey["region"],
        "respondent_name": survey["respondent_name"],
        "respondent_phone": survey["respondent_phone"],
        "organisation": survey["organisation"],
        "sector": survey["sector"],
    })
    for item in ITEMS:
        export[f"grp_{item.dimension}/{item.name}"] = survey[item.name]
    submitted = [e - dt.timedelta(hours=7) + dt.timedelta(minutes=int(rng.integers(1, 30)))
                 for e in ends]
    export["_id"] = range(410001, 410001 + len(export))
    export["_uuid"] = survey["_uuid"]
    export["_submission_time"] = [t.strftime("%Y-%m-%dT%H:%M:%S") for t in submitted]
    export["_status"] = "submitted_via_web"
    export["_index"] = range(1, len(export) + 1)
    return export


# --- the planted changes between waves (the truth of the change estimates) ------------

OVERALL = "_overall"  # the health score: the mean of a respondent's dimension scores
PLANTED_CHANGE_COLUMNS = ["region_code", "dimension", "sector", "from_wave", "to_wave",
                          "latent_change", "expected_change"]


def expected_item_score(mu: float | np.ndarray, sd: float, low: int = 1, high: int = 5
                        ) -> float | np.ndarray:
    """The expected answer to a Likert item whose latent score is normal, rounded to the
    nearest point and clipped to the scale: ``E[clip(round(N(mu, sd)), low, high)]``.

    Notes
    -----
    With :math:`\\Phi` the standard normal CDF, the answer is ``k`` with probability
    :math:`\\Phi((k + 1/2 - \\mu)/\\sigma) - \\Phi((k - 1/2 - \\mu)/\\sigma)`,
    the end points taking the tails; summing by parts,

    .. math:: E = low + \\sum_{k=low}^{high-1} \\left[1 - \\Phi\\left(\\frac{k + 1/2 -
              \\mu}{\\sigma}\\right)\\right].

    This is the ordinal (grouped, censored) normal model's mean (Johnson, Kotz &
    Balakrishnan 1994, ch. 13 on the normal distribution, grouped data; the same
    thresholds as an ordered probit with cut points at the half points).

    References
    ----------
    Johnson, N. L., Kotz, S. & Balakrishnan, N. (1994). *Continuous Univariate
    Distributions*, vol. 1, 2nd ed. Wiley.

    Examples
    --------
    >>> float(expected_item_score(3.0, 0.8))  # symmetric about the scale's midpoint
    3.0
    """
    mu = np.asarray(mu, dtype=float)
    cuts = np.arange(low, high) + 0.5
    out = low + (1 - ndtr((cuts[:, None] - mu.reshape(1, -1)) / sd)).sum(axis=0)
    return out.reshape(mu.shape) if mu.ndim else float(out[0])


def planted_changes(params: DemoParameters = DEMO_PARAMS) -> pd.DataFrame:
    """Every change the generator plants between two waves: the truth the change estimates
    are checked against.

    One row per region, dimension (or :data:`OVERALL`, the health score), sector and
    pair of waves (``from_wave`` before ``to_wave``) whose latent change is not zero;
    what is not listed did not change. ``sector`` missing: the region's score
    post-stratified to the sector shares of its stakeholder register (as the regional
    report weights it); a sector: that sector's unweighted health score.

    ``latent_change`` is the change of the mean latent score; ``expected_change`` the
    change of the expected observed score, the latent model's answers rounded and
    clipped to the 1-5 scale (:func:`expected_item_score` with the respondent and item
    spreads combined, ``sqrt(respondent_sd**2 + item_sd**2)``): what an unbiased
    estimator of the change of the observed scores targets. Rounding and clipping
    attenuate it, the more the nearer the scale's ends.
    """
    sd = float(np.hypot(params.respondent_sd, params.item_sd))
    register = make_register(params, np.random.default_rng(params.seed))  # the first draw
    label_to_key = {v[0]: k for k, v in SECTOR_CHOICES.items()}
    register = _with_codes(register).assign(key=lambda r: r["sector"].map(label_to_key))
    dims = list(params.dimension_offsets)
    sectors = list(params.sector_effects)
    rows = []

    def latent(code: str, health: float, wave: str) -> tuple[np.ndarray, np.ndarray]:
        """(latent means, expected scores), sectors x dimensions, in ``wave``."""
        means = np.array([[health + params.sector_effects[s] + params.dimension_offsets[d]
                           + latent_shift(params, code, s, wave).get(d, 0.0) for d in dims]
                          for s in sectors])
        return means, expected_item_score(means, sd)

    for code, (health, _) in params.regions.items():
        shares = register[register["code"] == code]["key"].value_counts(normalize=True)
        w = shares.reindex(sectors, fill_value=0.0).to_numpy()
        for i, first in enumerate(params.waves):
            for last in params.waves[i + 1:]:
                m0, e0 = latent(code, health, first)
                m1, e1 = latent(code, health, last)
                dm, de = m1 - m0, e1 - e0
                region = [(d, None, w @ dm[:, j], w @ de[:, j]) for j, d in enumerate(dims)]
                region.append((OVERALL, None, w @ dm.mean(axis=1), w @ de.mean(axis=1)))
                by_sector = [(OVERALL, s, dm[k].mean(), de[k].mean())
                             for k, s in enumerate(sectors)]
                rows += [{"region_code": code, "dimension": d, "sector": s, "from_wave": first,
                          "to_wave": last, "latent_change": float(lc), "expected_change": float(ec)}
                         for d, s, lc, ec in region + by_sector if abs(lc) > 1e-12]
    out = pd.DataFrame(rows, columns=PLANTED_CHANGE_COLUMNS)
    return out.astype({"sector": "string", "dimension": "string"})


# --- codebook ----------------------------------------------------------------------

def make_codebook(params: DemoParameters | None = None) -> dict[str, pd.DataFrame]:
    """The XLSForm (survey, choices, settings sheets) with evalkit's extra columns.

    With ``params``, the settings sheet declares the waves by interview date
    (``wave_period``, :attr:`DemoParameters.wave_period`).
    """
    label_id, label_en = "label::Indonesian (id)", "label::English (en)"
    survey_rows = [
        {"type": f.type, "name": f.name, label_id: f.label_id, label_en: f.label_en,
         "dimension": None, "reverse": None, "pii": "yes" if f.pii else None}
        for f in SURVEY_FIELDS
    ]
    for dim in DIMENSIONS:
        survey_rows.append({"type": "begin_group", "name": f"grp_{dim.key}",
                            label_id: dim.label_id, label_en: dim.label_en,
                            "dimension": dim.key})
        for item in (i for i in ITEMS if i.dimension == dim.key):
            survey_rows.append({"type": "select_one likert5", "name": item.name,
                                label_id: item.label_id, label_en: item.label_en,
                                "dimension": dim.key, "reverse": "yes" if item.reverse else "no"})
        survey_rows.append({"type": "end_group"})
    choices = [{"list_name": "likert5", "name": k, label_id: v[0], label_en: v[1]}
               for k, v in LIKERT_CHOICES.items()]
    choices += [{"list_name": "sector", "name": k, label_id: v[0], label_en: v[1]}
                for k, v in SECTOR_CHOICES.items()]
    settings = pd.DataFrame([{"form_title": "Survei Kesehatan Kemitraan Multipihak",
                              "form_id": "evalkit_kmp_survey", "version": "2026.1",
                              "default_language": "Indonesian (id)"}])
    if params is not None:
        settings["wave_period"] = params.wave_period
    return {"survey": pd.DataFrame(survey_rows), "choices": pd.DataFrame(choices),
            "settings": settings}


# --- indicators --------------------------------------------------------------------

def planted_statuses(params: DemoParameters = DEMO_PARAMS) -> dict[tuple[str, str], str]:
    """The progress status planted for every (region code, indicator id)."""
    rng = np.random.default_rng(params.seed + 1)
    statuses = list(params.progress_ratios)
    return {(code, ind.indicator_id): str(rng.choice(statuses))
            for code in params.regions for ind in INDICATORS}


def forum_starts(params: DemoParameters = DEMO_PARAMS) -> dict[str, int]:
    """Start year of each region's forum (comparison regions have none)."""
    rng = np.random.default_rng(params.seed + 2)
    return {code: int(rng.choice(params.forum_start_years)) for code in params.regions
            if code not in params.comparison_regions}


def _attribution_rows(params: DemoParameters, rng: np.random.Generator
                      ) -> tuple[list[dict], list[dict]]:
    """Targets and yearly values of the attribution indicator (additive model)."""
    ind, starts = ATTRIBUTION_INDICATOR, forum_starts(params)
    first, last = params.indicator_years
    targets, values = [], []
    for code in params.regions:
        level = float(rng.uniform(ind.baseline_low, ind.baseline_high))
        series = {year: level + params.attribution_trend * (year - first)
                  + (params.forum_effect if code in starts and year >= starts[code] else 0.0)
                  + (rng.normal(0, 0.8) if year > first else 0.0)
                  for year in range(first, last + 1)}
        targets.append({"region": NAME_VARIANTS[code][0], "indicator_id": ind.indicator_id,
                        "baseline_year": first, "baseline_value": round(level, 1),
                        "target_year": params.target_year, "target_value": round(level + 20, 1)})
        values += [{"region": NAME_VARIANTS[code][0], "indicator_id": ind.indicator_id,
                    "year": year, "value": round(v, 2)} for year, v in series.items()]
    return targets, values


def make_indicators(params: DemoParameters,
                    rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Indicator metadata, per-region baselines/targets and yearly values."""
    first, last = params.indicator_years
    horizon = params.target_year - first
    metadata = pd.DataFrame([{
        "indicator_id": i.indicator_id, "sdg_code": i.sdg_code, "name_id": i.name_id,
        "name_en": i.name_en, "unit": i.unit, "direction": i.direction,
    } for i in (*INDICATORS, ATTRIBUTION_INDICATOR)])
    targets, values = [], []
    for (code, ind_id), status in planted_statuses(params).items():
        ind = next(i for i in INDICATORS if i.indicator_id == ind_id)
        baseline = round(float(rng.uniform(ind.baseline_low, ind.baseline_high)), ind.decimals)
        # The agreed target: a 20% improvement over the period (lower: a 20% reduction).
        sign = 1 if ind.direction == "higher" else -1
        target = baseline * (1 + sign * params.target_improvement)
        if ind.unit == "%":
            target = min(target, 99.0)
        target = round(target, ind.decimals)
        required = (target / baseline) ** (1 / horizon) - 1
        growth = params.progress_ratios[status] * required
        region_variants = NAME_VARIANTS[code]
        targets.append({"region": region_variants[0], "indicator_id": ind_id,
                        "baseline_year": first, "baseline_value": baseline,
                        "target_year": params.target_year, "target_value": target})
        for year in range(first, last + 1):
            noise = 1 + rng.normal(0, params.indicator_noise_sd) if year > first else 1
            value = baseline * (1 + growth) ** (year - first) * noise
            values.append({"region": str(rng.choice(region_variants)), "indicator_id": ind_id,
                           "year": year, "value": round(value, max(ind.decimals, 2))})
    attribution_targets, attribution_values = _attribution_rows(params, rng)
    targets += attribution_targets
    values_df = pd.DataFrame(values + attribution_values)
    values_df["value"] = values_df["value"].astype(object)
    # Decimal commas, as typed by officers using an Indonesian-locale Excel.
    commas = rng.choice(len(values_df), size=len(values_df) // 4, replace=False)
    for i in commas:
        values_df.at[i, "value"] = str(values_df.at[i, "value"]).replace(".", ",")
    # A percentage above 100, a blank value and an exact duplicate row.
    pct_rows = values_df.index[values_df["indicator_id"] == "air_minum"]
    values_df.at[int(rng.choice(pct_rows)), "value"] = 134.0
    blank = int(rng.integers(len(values_df)))
    values_df.at[blank, "value"] = None
    values_df = pd.concat([values_df, values_df.iloc[[int(rng.integers(len(values_df)))]]],
                          ignore_index=True)
    # Two regions keep their series in a wide sheet (one column per year), as many
    # officers do, and one of those series lacks 2022 (a gap to flag, not fill).
    wide_regions = {v for code in params.wide_format_regions for v in NAME_VARIANTS[code]}
    in_wide = values_df["region"].isin(wide_regions)
    wide_long = values_df[in_wide].copy()
    wide_long["region"] = wide_long["region"].map(
        {v: NAME_VARIANTS[c][0] for c in params.wide_format_regions for v in NAME_VARIANTS[c]})
    gap = (wide_long["region"] == NAME_VARIANTS[params.wide_format_regions[0]][0]) & \
          (wide_long["indicator_id"] == "stunting") & (wide_long["year"] == 2022)
    wide = (wide_long[~gap].drop_duplicates(["region", "indicator_id", "year"])
            .pivot(index=["region", "indicator_id"], columns="year", values="value")
            .reset_index())
    wide.columns = [str(c) for c in wide.columns]
    metadata["annual_rule"] = ["sum" if i.unit == "miliar Rp" else "mean"
                               for i in (*INDICATORS, ATTRIBUTION_INDICATOR)]
    # A second stream, so adding these cases leaves every value above unchanged.
    extra = np.random.default_rng([params.seed, 4])
    long, quarterly = _quarterly_sheet(values_df[~in_wide].reset_index(drop=True), params)
    long = _with_units(long, metadata, extra)
    long = pd.concat([long, _sex_breakdown(long, params)], ignore_index=True)
    return {"metadata": metadata, "targets": pd.DataFrame(targets), "values": long,
            "values_wide": wide, "values_quarterly": quarterly}


def _quarterly_sheet(long: pd.DataFrame, params: DemoParameters
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Move one series' last two years into a quarterly sheet whose quarters average to them.

    Returns the long sheet without those rows and the quarterly sheet (``period``
    spelled the several ways officers write it).
    """
    region, ind_id = NAME_VARIANTS[params.quarterly_region][0], params.quarterly_indicator
    code_of = {v: c for c, vs in NAME_VARIANTS.items() for v in vs}
    years = (params.indicator_years[1] - 1, params.indicator_years[1])
    rows = long[(long["region"].map(code_of) == params.quarterly_region)
                & (long["indicator_id"] == ind_id) & long["year"].isin(years)]
    assert len(rows) == 2, "the quarterly demo series must have one row per year"
    spellings = ("{y}-Q1", "TW II {y}", "{y}Q3", "Triwulan IV {y}")
    quarters = []
    for _, row in rows.iterrows():
        annual = float(str(row["value"]).replace(",", "."))
        for offset, spelling in zip(params.quarterly_offsets, spellings):
            quarters.append({"region": region, "indicator_id": ind_id,
                             "period": spelling.format(y=row["year"]),
                             "value": round(annual + offset, 2), "unit": "%"})
    return long.drop(index=rows.index).reset_index(drop=True), pd.DataFrame(quarters)


def _with_units(long: pd.DataFrame, metadata: pd.DataFrame,
                rng: np.random.Generator) -> pd.DataFrame:
    """A ``unit`` column as officers type it, one amount in the wrong (convertible) unit
    and one row whose unit cannot be reconciled with the metadata."""
    spellings = {"%": ("%", "persen", "Persen"), "miliar Rp": ("miliar Rp", "Rp miliar")}
    unit_of = metadata.set_index("indicator_id")["unit"]
    long = long.assign(unit=[str(rng.choice(spellings[unit_of[i]])) for i in long["indicator_id"]])
    amounts = long.index[(long["indicator_id"] == "komitmen_kps")
                         & long["value"].map(lambda v: isinstance(v, float) and v == v)]
    i = int(rng.choice(amounts))  # reported in millions instead of billions of rupiah
    long.at[i, "value"], long.at[i, "unit"] = round(long.at[i, "value"] * 1000, 1), "juta Rp"
    wrong = long[long["indicator_id"] == "air_minum"].iloc[[3]].assign(unit="rumah tangga")
    return pd.concat([long, wrong], ignore_index=True)


def _sex_breakdown(long: pd.DataFrame, params: DemoParameters) -> pd.DataFrame:
    """The inclusion indicator broken down by sex (women lower by a planted gap), plus one
    row whose sex cannot be read."""
    ind = long[(long["indicator_id"] == "keputusan_inklusif") & long["value"].notna()]
    ind = ind[~ind[["region", "year"]].duplicated()]
    total = parse_number(ind["value"])
    keep = total.notna() & (total <= 100)
    rows = []
    for (_, row), value in zip(ind[keep].iterrows(), total[keep]):
        for sex, sign in (("Perempuan", -1), ("Laki-laki", 1)):
            rows.append({**row.to_dict(), "value": round(value + sign * params.inclusion_sex_gap, 2),
                         "sex": sex})
    rows.append({**rows[0], "sex": "X"})
    return pd.DataFrame(rows)


# --- attendance and partnerships ----------------------------------------------------

def make_attendance(params: DemoParameters, register: pd.DataFrame,
                    rng: np.random.Generator) -> pd.DataFrame:
    """Forum meeting attendance: every registered organisation, every meeting."""
    label_to_key = {v[0]: k for k, v in SECTOR_CHOICES.items()}
    rows = []
    for _, org in register.iterrows():
        effect = params.attendance_sector_effects[label_to_key[org["sector"]]]
        for i, date in enumerate(params.meetings):
            attended = rng.random() < np.clip(params.attendance_rate + effect, 0.05, 0.98)
            rows.append({
                "region": org["region"], "meeting_date": date,
                "meeting": f"Rapat Forum Kemitraan ke-{i + 1}",
                "organisation": org["organisation"], "sector": org["sector"],
                "attended": str(rng.choice(["Ya", "ya", "Hadir"] if attended
                                           else ["Tidak", "tidak ", "Absen"])),
            })
    return pd.DataFrame(rows)


def make_partnerships(params: DemoParameters, rng: np.random.Generator) -> pd.DataFrame:
    """The partnership register: forums and agreements per region."""
    rows = []
    starts = forum_starts(params)
    for code, start in starts.items():  # comparison regions have no partnership at all
        name = get_region(code).name
        rows.append({"region": name, "name": f"Forum Kemitraan Multipihak {name}",
                     "type": "informal", "start_year": start, "sdg_themes": "16;17"})
        if rng.random() < 0.7:  # a formal agreement that came after the forum
            partner = get_region(str(rng.choice([c for c in starts if c != code]))).name
            kind = str(rng.choice(["MOU", "PKS", "KSD"]))
            rows.append({"region": name, "name": f"{kind} {name} - {partner}",
                         "type": kind, "start_year": start + int(rng.integers(0, 3)),
                         "sdg_themes": str(rng.choice(["6;11", "1;2", "11;13", "8;17"]))})
    return pd.DataFrame(rows)


# --- collaboration ties -------------------------------------------------------------

TIE_LEVEL_LABELS = {1: ("Kooperatif", "1", "kerjasama informasi"),
                    2: ("Koordinatif", "2", "koordinasi"),
                    3: ("Terintegrasi", "3", "terpadu")}


def tie_probability(params: DemoParameters, health: float, sector_a: str, sector_b: str,
                    shift: float = 0.0) -> float:
    """The planted probability that an organisation of ``sector_a`` names one of ``sector_b``
    (``shift``: a planted change of the log-odds, :func:`tie_logit_shift`)."""
    prop = params.tie_sector_propensity
    logit = (params.tie_base_logit + params.tie_health_slope * (health - 3.4)
             + prop[sector_a] + prop[sector_b])
    if shift:
        logit += shift
    return float(1 / (1 + np.exp(-logit)))


@dataclass
class TieDraws:
    """What one wave's ties survey drew, for the wave before it: the organisations that
    answered and each rated pair's uniform draw (a tie where it is below the planted
    probability), keyed by ``(region code, organisation, partner)``."""

    responded: set[tuple[str, str]] = field(default_factory=set)
    uniforms: dict[tuple[str, str, str], float] = field(default_factory=dict)


def make_ties(params: DemoParameters, register: pd.DataFrame,
              rng: np.random.Generator, *, wave: str | None = None,
              later: TieDraws | None = None, draws: TieDraws | None = None) -> pd.DataFrame:
    """Who works with whom: each responding organisation rates the partners it names.

    Columns as a PARTNER-style export arrives: ``region, organisation, partner,
    level`` (a label or a number), ``trust`` and ``value`` (1-4, decimal commas).
    The mess: a self-tie, a partner typed with different case/spacing, a partner not
    in the register, a trust rating of 5 on the 1-4 scale, and an organisation rating
    the same partner twice with different answers.

    ``wave`` None or the latest wave: the single-wave demo's ties, mess included. An
    earlier wave: that wave's ties with the planted change of the log-odds
    (:func:`tie_logit_shift`) and without the mess, drawn from the wave after's
    ``later`` draws so that networks persist: an organisation that answered the later
    survey answers this one with probability ``tie_response_stay`` (one that did not,
    with the probability that keeps the response rate), and a pair keeps its uniform
    draw with probability ``tie_persistence`` (else a new one). Each wave's ties are
    therefore Bernoulli with the planted probability, as without coupling; only the
    churn between waves is realistic. The draws of this wave are recorded in ``draws``.
    """
    earlier = wave is not None and wave != params.waves[-1]
    r, stay = params.tie_response_rate, params.tie_response_stay
    join = r * (1 - stay) / (1 - r)  # P(answer | did not answer later): the rate stays r
    label_to_key = {v[0]: k for k, v in SECTOR_CHOICES.items()}
    code_of = {v: c for c in params.regions for v in NAME_VARIANTS[c]}
    rows = []
    for code, (health, _) in params.regions.items():
        orgs = register[register["region"].map(code_of) == code]
        names = orgs["organisation"].tolist()
        sectors = [label_to_key[s] for s in orgs["sector"]]
        isolated = params.isolated_sectors.get(code, ())
        for i, (org, sector) in enumerate(zip(names, sectors)):
            rate = r if later is None else stay if (code, org) in later.responded else join
            if sector in isolated or rng.random() > rate:
                continue
            if draws is not None:
                draws.responded.add((code, org))
            for j, (partner, p_sector) in enumerate(zip(names, sectors)):
                if i == j or p_sector in isolated:
                    continue
                shift = tie_logit_shift(params, code, wave) if earlier else 0.0
                pair = (code, org, partner)
                if later is not None and pair in later.uniforms and \
                        rng.random() < params.tie_persistence:
                    u = later.uniforms[pair]
                else:
                    u = rng.random()
                if draws is not None:
                    draws.uniforms[pair] = u
                if u >= tie_probability(params, health, sector, p_sector, shift):
                    continue
                shift = params.trust_health_slope * (health - 3.4)
                rows.append({
                    "region": NAME_VARIANTS[code][0], "organisation": org, "partner": partner,
                    "level": str(rng.choice(TIE_LEVEL_LABELS[int(rng.choice([1, 2, 3],
                                                                            p=[.5, .35, .15]))])),
                    "trust": round(float(np.clip(rng.normal(params.trust_mean + shift, .5), 1, 4)), 1),
                    "value": round(float(np.clip(rng.normal(params.value_mean + shift, .5), 1, 4)), 1),
                })
    ties = pd.DataFrame(rows)
    ties["trust"] = ties["trust"].astype(object)
    for i in rng.choice(len(ties), size=len(ties) // 5, replace=False):  # decimal commas
        ties.at[i, "trust"] = str(ties.at[i, "trust"]).replace(".", ",")
    if earlier:
        return ties
    mess = [
        {**ties.iloc[0].to_dict(), "partner": ties.iloc[0]["organisation"]},  # self-tie
        {**ties.iloc[1].to_dict(), "partner": "  " + ties.iloc[1]["partner"].upper() + " "},
        {**ties.iloc[2].to_dict(), "partner": "Yayasan Tidak Terdaftar"},  # not in the register
        {**ties.iloc[4].to_dict(), "level": "Koordinatif", "value": 1.0},  # contradicts row 5
    ]
    ties.at[3, "trust"] = 5  # off the 1-4 scale
    # the typed-differently partner replaces its original (it is the same tie)
    return pd.concat([ties.drop(index=[1]), pd.DataFrame(mess)], ignore_index=True)


# --- writing -----------------------------------------------------------------------

# How the ties file spells its waves (as officers write quarters); the register uses the
# canonical labels. Both are read to the canonical label.
_TIE_WAVE_SPELLING = "TW {roman} {year}"
_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}


def _tie_wave_spelling(wave: str) -> str:
    """``2025-Q3`` -> ``TW III 2025``; other labels as they are."""
    year, sep, quarter = wave.partition("-Q")
    if not sep or quarter not in _ROMAN:
        return wave
    return _TIE_WAVE_SPELLING.format(roman=_ROMAN[quarter], year=year)


def make_ties_waves(params: DemoParameters, register: pd.DataFrame) -> pd.DataFrame:
    """The ties of every wave in one file, oldest first, with a ``wave`` column (spelled
    ``TW III 2025``): one ties survey per wave. The latest wave is :func:`make_ties` on
    the single-wave demo's stream ``default_rng([seed, 5])``; earlier wave ``k`` (1 =
    first) on ``default_rng([seed, 7, k])``, coupled to the wave after it (see
    :func:`make_ties`)."""
    frames, later = [], None
    for k in range(len(params.waves), 0, -1):  # from the latest wave back
        wave, draws = params.waves[k - 1], TieDraws()
        rng = np.random.default_rng([params.seed, 5] if later is None else [params.seed, 7, k])
        frames.insert(0, make_ties(params, register, rng, wave=wave, later=later, draws=draws)
                      .assign(wave=_tie_wave_spelling(wave)))
        later = draws
    return pd.concat(frames, ignore_index=True)


def register_waves(params: DemoParameters, register: pd.DataFrame) -> pd.DataFrame:
    """The stakeholder register as re-issued each wave: the same organisations every wave,
    with the ``wave`` column filled (canonical labels)."""
    return pd.concat([register.assign(wave=wave) for wave in params.waves], ignore_index=True)


def generate(params: DemoParameters = DEMO_PARAMS) -> dict[str, object]:
    """All demo tables, in memory (pure: same parameters, same tables).

    ``survey``, ``register`` and ``ties`` hold every wave (:attr:`DemoParameters.waves`);
    ``respondents`` the genuine respondents of each wave (the panel, with their person
    effects). The main stream ``default_rng(seed)`` is used exactly as by the single-wave
    demo: its latest wave and every other table are unchanged.
    """
    rng = np.random.default_rng(params.seed)
    register = make_register(params, rng)
    survey, injected, respondents = make_survey_waves(params, register, rng)
    return {
        "survey": survey, "injected": injected, "respondents": respondents,
        "codebook": make_codebook(params),
        "indicators": make_indicators(params, rng), "register": register_waves(params, register),
        "attendance": make_attendance(params, register, rng),
        "partnerships": make_partnerships(params, rng),
        # their own streams, so the ties leave every other table unchanged
        "ties": make_ties_waves(params, register),
    }


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
        # Fixed document dates so regenerated files differ only when the data do.
        props = writer.book.properties
        props.created = props.modified = dt.datetime(2026, 1, 1)
        props.creator = "evalkit demo-data"
    _fix_zip_dates(path)


def _fix_zip_dates(path: Path) -> None:
    """Give every member of an XLSX (a zip) a fixed date, so the bytes are reproducible.

    openpyxl stamps the save time into docProps/core.xml and into the zip entries.
    """
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    members = [(info, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", payload)
                if info.filename == "docProps/core.xml" else payload) for info, payload in members]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, payload in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            dst.writestr(fixed, payload)


def write_demo_data(raw_dir: Path, params: DemoParameters = DEMO_PARAMS) -> list[Path]:
    """Write the demo files into ``raw_dir``; returns the paths written."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    data = generate(params)
    paths = {
        "survey": raw_dir / "survey_kobo_export.xlsx",
        "codebook": raw_dir / "codebook_xlsform.xlsx",
        "indicators": raw_dir / "indicators.xlsx",
        "register": raw_dir / "stakeholder_register.csv",
        "attendance": raw_dir / "meeting_attendance.csv",
        "partnerships": raw_dir / "partnerships.csv",
        "ties": raw_dir / "collaboration_ties.csv",
    }
    _write_xlsx(paths["survey"], {"Survei KMP": data["survey"]})
    _write_xlsx(paths["codebook"], data["codebook"])
    _write_xlsx(paths["indicators"], data["indicators"])
    # Semicolon-separated, as Excel writes CSV under an Indonesian locale.
    for key in ("register", "attendance", "partnerships", "ties"):
        data[key].to_csv(paths[key], sep=";", index=False, encoding="utf-8")
    return list(paths.values())


# --- a country-sized data set (benchmarks) ------------------------------------------

def country_parameters(seed: int = SEED) -> DemoParameters:
    """Demo parameters for every Kemendagri region: 38 provinces and 514 kabupaten/kota.

    The 16 regions of :data:`DEMO_PARAMS` keep their planted health and respondent
    count (and their messy spellings); every other region gets a seeded health on the
    1-5 scale and 12-40 respondents, and is spelled as in the registry. About one in
    five of the added regions joins the comparison group (no partnership). Everything
    else (sector and dimension effects, the planted messy rows) is as in
    :data:`DEMO_PARAMS`. Used to benchmark the report batch at national scale
    (``benchmarks/bench_batch.py``); write it with ``write_demo_data(raw_dir, params)``.
    """
    rng = np.random.default_rng([seed, 552])
    regions: dict[str, tuple[float, int]] = {}
    added: list[str] = []
    for region in all_regions():
        if region.code in DEMO_PARAMS.regions:
            regions[region.code] = DEMO_PARAMS.regions[region.code]
        else:
            regions[region.code] = (round(float(rng.uniform(2.7, 4.1)), 2),
                                    int(rng.integers(12, 41)))
            added.append(region.code)
    comparison = DEMO_PARAMS.comparison_regions + tuple(
        code for code in added if rng.random() < 0.2)
    return replace(DEMO_PARAMS, seed=seed, regions=regions, comparison_regions=comparison)
