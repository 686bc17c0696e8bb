"""Report wording in Indonesian and English, in one place.

``text(key, lang, **values)`` fills a template with numbers computed by evalkit, so
no figure in a report is ever typed by hand.
"""

from __future__ import annotations

LANGS = ("id", "en")

TEXT: dict[str, dict[str, str]] = {
    "title": {"id": "Evaluasi Efektivitas Kemitraan Multipihak — {region}",
              "en": "Multi-stakeholder Partnership Effectiveness Evaluation — {region}"},
    "subtitle": {"id": "Kode wilayah Kemendagri {code} · {kind}",
                 "en": "Kemendagri region code {code} · {kind}"},
    "h_data": {"id": "1. Data survei", "en": "1. Survey data"},
    "h_health": {"id": "2. Kesehatan kemitraan per dimensi", "en": "2. Partnership health by dimension"},
    "h_reliability": {"id": "3. Reliabilitas skala", "en": "3. Scale reliability"},
    "h_outcomes": {"id": "4. Capaian indikator", "en": "4. Indicator progress"},
    "h_method": {"id": "Catatan metode dan asal-usul data", "en": "Method notes and provenance"},
    "data_summary": {
        "id": ("Survei menghasilkan **{n_valid}** jawaban yang dapat dianalisis dari "
               "**{n_sectors}** sektor. Di seluruh wilayah, {n_excluded} kiriman dikeluarkan "
               "sebelum analisis (uji coba, duplikat, pengisian terlalu cepat, pola jawaban "
               "datar, atau terlalu banyak item kosong); rinciannya ada di tabel karantina."),
        "en": ("The survey yielded **{n_valid}** usable responses from **{n_sectors}** sectors. "
               "Across all regions, {n_excluded} submissions were excluded before analysis "
               "(tests, duplicates, speeders, straight-lining, or too many blank items); "
               "the quarantine table lists each with its reason."),
    },
    "data_none": {"id": "Tidak ada jawaban survei yang valid untuk wilayah ini.",
                  "en": "There are no valid survey responses for this region."},
    "suppressed_note": {"id": "Kelompok dengan kurang dari {min_cell} responden disembunyikan (ditulis '<{min_cell}').",
                        "en": "Groups with fewer than {min_cell} respondents are suppressed (shown as '<{min_cell}')."},
    "health_summary": {
        "id": ("Skor rata-rata tertinggi ada pada dimensi **{best}** ({best_score:.2f}) dan "
               "terendah pada **{weakest}** ({weak_score:.2f}, skala 1–5). Dibandingkan "
               "rata-rata semua wilayah, {n_above} dimensi berada di atas, {n_below} di bawah, "
               "dan {n_similar} tidak berbeda secara jelas (interval kepercayaan 95% mencakup "
               "nilai pembanding)."),
        "en": ("The highest mean score is on **{best}** ({best_score:.2f}) and the lowest on "
               "**{weakest}** ({weak_score:.2f}, 1–5 scale). Compared with the all-region "
               "benchmark, {n_above} dimensions are above, {n_below} below, and {n_similar} "
               "not clearly different (the 95% confidence interval covers the benchmark)."),
    },
    "weighted_note": {
        "id": ("Skor ditimbang menurut pangsa tiap sektor dalam daftar pemangku kepentingan "
               "(post-stratifikasi), sehingga sektor yang lebih banyak mengisi survei tidak "
               "mendominasi; galat baku dihitung dengan linearisasi Taylor. Kolom 'tanpa bobot' "
               "menunjukkan rata-rata biasa sebagai pembanding."),
        "en": ("Scores are weighted by each sector's share of the stakeholder register "
               "(post-stratification), so sectors that answered more do not dominate; standard "
               "errors use Taylor linearisation. The 'unweighted' column shows the plain mean "
               "for comparison."),
    },
    "unweighted_note": {
        "id": "Skor tidak ditimbang karena daftar pemangku kepentingan tidak memungkinkannya ({reason}).",
        "en": "Scores are unweighted because the stakeholder register does not allow weighting ({reason}).",
    },
    "reliability_summary": {
        "id": ("Reliabilitas (alfa Cronbach) mencapai {threshold} pada {n_ok} dari {n} dimensi. "
               "Dimensi di bawah batas itu ({low}) sebaiknya ditafsirkan hati-hati: skala tiga item "
               "memberi ukuran yang kasar. Omega McDonald dari model satu faktor ditampilkan sebagai "
               "pembanding."),
        "en": ("Reliability (Cronbach's alpha) reaches {threshold} on {n_ok} of {n} dimensions. "
               "Dimensions below it ({low}) should be read with care: three-item scales are coarse "
               "measures. McDonald's omega from a one-factor model is shown for comparison."),
    },
    "reliability_too_small": {"id": "Responden terlalu sedikit (< {min_cell}) untuk menilai reliabilitas.",
                              "en": "Too few respondents (< {min_cell}) to assess reliability."},
    "health_too_small": {"id": "Jumlah responden terlalu kecil (< {min_cell}) untuk melaporkan skor dimensi.",
                         "en": "Too few respondents (< {min_cell}) to report dimension scores."},
    "fig_health": {"id": "Gambar 1. Skor dimensi (rata-rata tertimbang dan interval kepercayaan 95%) dibandingkan rata-rata semua responden di semua wilayah.",
                   "en": "Figure 1. Dimension scores (weighted mean and 95% confidence interval) against the mean of all respondents in all regions."},
    "province_note": {"id": "Sebagai laporan provinsi, data ini mencakup responden dari kabupaten/kota di provinsi tersebut.",
                      "en": "As a province report, this includes respondents from the province's regencies and cities."},
    "fig_outcomes": {"id": "Gambar 2. Tren indikator: nilai tahunan, nilai dasar (titik awal) dan target (garis putus-putus).",
                     "en": "Figure 2. Indicator trends: yearly values, baseline (first point) and target (dashed line)."},
    "outcome_summary": {
        "id": "Dari {n} indikator yang disepakati: {achieved} sudah tercapai, {on_track} akan tercapai, dan {attention} perlu perhatian khusus.",
        "en": "Of {n} agreed indicators: {achieved} achieved, {on_track} on track, and {attention} need attention.",
    },
    "outcome_attention": {
        "id": "- **{name}**: {status} — nilai terakhir {latest:g} {unit} ({latest_year}) terhadap target {target:g} {unit} pada {target_year}.",
        "en": "- **{name}**: {status} — latest value {latest:g} {unit} ({latest_year}) against a target of {target:g} {unit} by {target_year}.",
    },
    "attribution_summary": {
        "id": ("**Pengaruh kemitraan (lintas wilayah).** Selisih-dalam-selisih (efek tetap wilayah "
               "dan tahun, galat baku diklaster per wilayah) membandingkan perubahan indikator di "
               "{n_treated} wilayah setelah forumnya dimulai dengan {n_control} wilayah tanpa "
               "kemitraan. Uji tren awal tidak menolak tren sejajar pada {n_ok} dari {n} indikator; "
               "untuk indikator lain, perkiraan tidak dapat dibaca sebagai dampak. Ini perkiraan "
               "untuk semua wilayah bersama, bukan untuk wilayah ini saja."),
        "en": ("**Partnership effect (across regions).** A difference-in-differences estimate "
               "(region and year fixed effects, standard errors clustered by region) compares "
               "indicator changes in {n_treated} regions after their forum started with {n_control} "
               "regions without a partnership. The pre-trend test does not reject parallel trends "
               "for {n_ok} of {n} indicators; for the others the estimate cannot be read as an "
               "effect. This is one estimate for all regions together, not for this region alone."),
    },
    "attribution_none": {"id": "Data tidak memungkinkan perkiraan pengaruh kemitraan: {reason}",
                         "en": "The data cannot support an estimate of the partnership effect: {reason}"},
    "outcome_none": {"id": "Tidak ada data indikator untuk wilayah ini.",
                     "en": "There are no indicator data for this region."},
    "method": {
        "id": ("Skor dimensi adalah rata-rata item (item terbalik dibalik lebih dulu) bila sedikitnya "
               "dua pertiga item dijawab; 'Tidak tahu' dihitung kosong. Skor wilayah ditimbang "
               "dengan post-stratifikasi menurut sektor (Holt & Smith 1979) dan galat bakunya "
               "dihitung dengan linearisasi Taylor (Lumley 2010); interval kepercayaan 95% memakai "
               "distribusi t. Reliabilitas: alfa Cronbach (1951) dengan interval Feldt dan omega "
               "McDonald (1999). Status indikator mengikuti metode kemajuan Open SDG "
               "(Statistics Canada, mengikuti Eurostat): rasio pertumbuhan tahunan majemuk yang "
               "teramati terhadap yang diperlukan untuk mencapai target. Proyeksi memakai tren linear "
               "(kuadrat terkecil) dengan interval prediksi 95%; persentase dibatasi 0–100."),
        "en": ("Dimension scores are the mean of the items (reverse-keyed items recoded first) "
               "when at least two thirds are answered; 'Don't know' counts as missing. Region "
               "scores are post-stratified by sector (Holt & Smith 1979) with Taylor-linearised "
               "standard errors (Lumley 2010); 95% confidence intervals use the t distribution. "
               "Reliability: Cronbach's (1951) alpha with Feldt's interval and McDonald's (1999) "
               "omega. Indicator status follows the Open SDG "
               "progress method (Statistics Canada, after Eurostat): the ratio of observed to "
               "required compound annual growth toward the target. Projections use a linear "
               "least-squares trend with a 95% prediction interval; percentages are capped at 0–100."),
    },
    "provenance": {
        "id": "Dibuat dengan evalkit {version} dari data dengan manifest `{manifest}`; berkas masukan (SHA-256): {inputs}.",
        "en": "Made with evalkit {version} from data with manifest `{manifest}`; input files (SHA-256): {inputs}.",
    },
    # table headers
    "col_sector": {"id": "Sektor", "en": "Sector"},
    "col_n": {"id": "Responden", "en": "Respondents"},
    "col_dimension": {"id": "Dimensi", "en": "Dimension"},
    "col_score": {"id": "Skor (1–5)", "en": "Score (1–5)"},
    "col_ci": {"id": "IK 95%", "en": "95% CI"},
    "col_projection": {"id": "Proyeksi tren pada tahun target (IP 95%)",
                       "en": "Trend projection at target year (95% PI)"},
    "col_effect": {"id": "Pengaruh (satuan indikator)", "en": "Effect (indicator units)"},
    "col_pretrend": {"id": "p tren awal", "en": "Pre-trend p"},
    "col_note": {"id": "Catatan", "en": "Note"},
    "col_unweighted": {"id": "Tanpa bobot", "en": "Unweighted"},
    "col_items": {"id": "Item", "en": "Items"},
    "col_benchmark": {"id": "Semua wilayah", "en": "All regions"},
    "col_indicator": {"id": "Indikator", "en": "Indicator"},
    "col_sdg": {"id": "Kode TPB", "en": "SDG code"},
    "col_baseline": {"id": "Dasar", "en": "Baseline"},
    "col_latest": {"id": "Terakhir", "en": "Latest"},
    "col_target": {"id": "Target", "en": "Target"},
    "col_achievement": {"id": "Capaian jarak", "en": "Distance covered"},
    "col_status": {"id": "Status", "en": "Status"},
    "col_summary": {"id": "Ringkasan", "en": "Summary"},
    "col_year": {"id": "Tahun", "en": "Year"},
    "col_value": {"id": "Nilai", "en": "Value"},
    "legend_region": {"id": "Wilayah ini", "en": "This region"},
    "kind_provinsi": {"id": "Provinsi", "en": "Province"},
    "kind_kabupaten": {"id": "Kabupaten", "en": "Regency"},
    "kind_kota": {"id": "Kota", "en": "City"},
}


def text(key: str, lang: str = "id", **values: object) -> str:
    """The ``lang`` version of ``TEXT[key]`` with ``values`` filled in."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    return TEXT[key][lang].format(**values)
