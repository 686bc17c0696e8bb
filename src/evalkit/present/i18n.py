"""Report wording in Indonesian and English, in one place.

``text(key, lang, **values)`` fills a template with numbers computed by evalkit, so
no figure in a report is ever typed by hand. ``md(key, lang, **values)`` does the same
for Markdown, escaping the values (names and labels from the user's files) so that only
the template's own Markdown formats (see :mod:`evalkit.core.escape`).

Every word the reports, the synthesis, the workbook and the index page show lives in
:data:`TEXT`: section texts, figure axes and legends, the labels of the codes the
measure and analyse stages return (statuses, pillars and components of the index,
collaboration levels, tie problems), the sentences of the index's method statement
(``index_method_*``, ``index_limit_*``, ``index_scenario_*``, put together by
:func:`evalkit.present.index_wording.method_text`), the workbook's column headers, sheet
names, cell words and About sheet (``xlsx_*``) and the reasons a reliability statistic
is missing (``reliability_note_*``).
"""

from __future__ import annotations

from evalkit.core.config import CI_LEVEL
from evalkit.core.domain import LANGS  # the report languages, defined in core
from evalkit.core.escape import MdSafe, md_value

_CI = f"{CI_LEVEL:.0%}"  # the confidence level as the workbook's headers name it ("95%")

TEXT: dict[str, dict[str, str]] = {
    "title": {"id": "Evaluasi Efektivitas Kemitraan Multipihak — {region}",
              "en": "Multi-stakeholder Partnership Effectiveness Evaluation — {region}"},
    "subtitle": {"id": "Kode wilayah Kemendagri {code} · {kind}",
                 "en": "Kemendagri region code {code} · {kind}"},
    "h_data": {"id": "1. Data survei", "en": "1. Survey data"},
    "h_coverage": {"id": "2. Cakupan pemangku kepentingan", "en": "2. Stakeholder coverage"},
    "h_health": {"id": "3. Kesehatan kemitraan per dimensi", "en": "3. Partnership health by dimension"},
    "h_reliability": {"id": "3.1 Reliabilitas skala", "en": "3.1 Scale reliability"},
    "h_sectors": {"id": "4. Siapa yang kurang antusias?", "en": "4. Who is less enthusiastic?"},
    "h_engagement": {"id": "5. Keterlibatan dan jejaring kolaborasi",
                     "en": "5. Engagement and collaboration network"},
    "h_outcomes": {"id": "6. Capaian indikator", "en": "6. Indicator progress"},
    "h_index": {"id": "7. Indeks efektivitas kemitraan", "en": "7. Partnership-effectiveness index"},
    "h_findings": {"id": "9. Temuan dan tindak lanjut", "en": "9. Findings and what to do"},
    "h_method": {"id": "Catatan metode dan asal-usul data", "en": "Method notes and provenance"},
    "data_summary": {
        "id": ("Survei menghasilkan **{n_valid}** jawaban yang dapat dianalisis dari "
               "**{n_sectors}** sektor. Di seluruh wilayah, {n_excluded} kiriman dikeluarkan "
               "sebelum analisis ({reasons}); rinciannya ada di tabel karantina."),
        "en": ("The survey yielded **{n_valid}** usable responses from **{n_sectors}** sectors. "
               "Across all regions, {n_excluded} submissions were excluded before analysis "
               "({reasons}); the quarantine table lists each with its reason."),
    },
    "data_summary_wave": {  # several waves: the excluded submissions of the report's wave
        "id": ("Survei menghasilkan **{n_valid}** jawaban yang dapat dianalisis dari "
               "**{n_sectors}** sektor. Pada gelombang {wave}, di seluruh wilayah, {n_excluded} "
               "kiriman dikeluarkan sebelum analisis ({reasons}); rinciannya ada di tabel "
               "karantina."),
        "en": ("The survey yielded **{n_valid}** usable responses from **{n_sectors}** sectors. "
               "In wave {wave}, across all regions, {n_excluded} submissions were excluded "
               "before analysis ({reasons}); the quarantine table lists each with its reason."),
    },
    "data_no_wave": {"id": "{n} kiriman lain dikeluarkan karena gelombang surveinya tidak terbaca.",
                     "en": "{n} further submissions were excluded because their survey wave "
                           "could not be read."},
    # why survey submissions were excluded (quarantine reasons), in the order they are named
    "reason_not_approved": {"id": "tidak disetujui dalam pemeriksaan Kobo/ODK",
                            "en": "not approved in the Kobo/ODK review"},
    "reason_no_consent": {"id": "tanpa persetujuan responden", "en": "consent not given"},
    "reason_test_submission": {"id": "uji coba", "en": "tests"},
    "reason_duplicate": {"id": "duplikat", "en": "duplicates"},
    "reason_speeder": {"id": "pengisian terlalu cepat", "en": "speeders"},
    "reason_straight_lining": {"id": "pola jawaban datar", "en": "straight-lining"},
    "reason_too_many_missing": {"id": "terlalu banyak item kosong", "en": "too many blank items"},
    "reason_no_wave": {"id": "gelombang survei tidak terbaca", "en": "survey wave unreadable"},
    "reason_other": {"id": "alasan lain", "en": "other reasons"},
    "reasons_or": {"id": "{head}, atau {last}", "en": "{head}, or {last}"},
    "reasons_or_two": {"id": "{head} atau {last}", "en": "{head} or {last}"},
    "data_none": {"id": "Tidak ada jawaban survei yang valid untuk wilayah ini.",
                  "en": "There are no valid survey responses for this region."},
    "suppressed_note": {"id": "Kelompok dengan kurang dari {min_cell} responden disembunyikan (ditulis '<{min_cell}').",
                        "en": "Groups with fewer than {min_cell} respondents are suppressed (shown as '<{min_cell}')."},
    "health_summary": {
        "id": ("Skor rata-rata tertinggi ada pada dimensi **{best}** ({best_score:.2f}) dan "
               "terendah pada **{weakest}** ({weak_score:.2f}, skala {scale}). Dibandingkan "
               "rata-rata semua wilayah, {n_above} dimensi berada di atas, {n_below} di bawah, "
               "dan {n_similar} tidak berbeda secara jelas (interval kepercayaan 95% mencakup "
               "nilai pembanding)."),
        "en": ("The highest mean score is on **{best}** ({best_score:.2f}) and the lowest on "
               "**{weakest}** ({weak_score:.2f}, {scale} scale). Compared with the all-region "
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
               "Dimensi di bawah batas itu ({low}) sebaiknya ditafsirkan hati-hati: skala pendek "
               "({items} item) memberi ukuran yang kasar. Omega McDonald dari model satu faktor ditampilkan sebagai "
               "pembanding."),
        "en": ("Reliability (Cronbach's alpha) reaches {threshold} on {n_ok} of {n} dimensions. "
               "Dimensions below it ({low}) should be read with care: short scales ({items} items) "
               "are coarse measures. McDonald's omega from a one-factor model is shown for comparison."),
    },
    "reliability_too_small": {"id": "Responden terlalu sedikit (< {min_cell}) untuk menilai reliabilitas.",
                              "en": "Too few respondents (< {min_cell}) to assess reliability."},
    "health_too_small": {"id": "Jumlah responden terlalu kecil (< {min_cell}) untuk melaporkan skor dimensi.",
                         "en": "Too few respondents (< {min_cell}) to report dimension scores."},
    "fig_health": {"id": "Skor dimensi (rata-rata tertimbang dan interval kepercayaan 95%) dibandingkan rata-rata semua responden di semua wilayah.",
                   "en": "Dimension scores (weighted mean and 95% confidence interval) against the mean of all respondents in all regions."},
    "province_note": {"id": "Sebagai laporan provinsi, data ini mencakup responden dari kabupaten/kota di provinsi tersebut.",
                      "en": "As a province report, this includes respondents from the province's regencies and cities."},
    "fig_outcomes": {"id": "Tren indikator: nilai tahunan, nilai dasar (titik awal) dan target (garis putus-putus).",
                     "en": "Indicator trends: yearly values, baseline (first point) and target (dashed line)."},
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
    "method_more": {
        "id": ("**Siapa yang kurang antusias:** uji Kruskal–Wallis (1952) per dimensi dengan epsilon-kuadrat "
               "(Tomczak & Tomczak 2014, IK bootstrap persentil), pasangan sektor dengan uji Mann–Whitney, "
               "koreksi Holm (1979), korelasi rank-biserial (IK Newcombe 2006) dan Hedges' g (Hedges & Olkin "
               "1985); sektor dengan kurang dari 5 responden tidak diuji. Perbedaan sektor lintas wilayah: "
               "model linear campuran dengan intersep acak wilayah (REML; Snijders & Bosker 2012) dan model "
               "odds proporsional (McCullagh 1980) dengan galat baku diklaster per responden. "
               "**Perbandingan wilayah:** penyusutan empiris-Bayes (BLUP) dari model intersep acak, ICC dengan "
               "IK bootstrap parametrik. **Keterlibatan:** tingkat kehadiran dengan interval Wilson (1927) "
               "yang disesuaikan efek desain (Kish 1965); tren dengan GLM binomial dan galat baku klaster; peta "
               "pengaruh–kepentingan Mendelow (1991). **Jejaring:** kepadatan dan sentralisasi derajat Freeman "
               "(1978; Wasserman & Faust 1994), keperantaraan (Brandes 2001), skor kepercayaan dan nilai PARTNER "
               "(Varda dkk. 2008). **Pengaruh kemitraan:** selisih-dalam-selisih dua arah dengan galat baku "
               "diklaster per wilayah dan uji tren awal studi peristiwa (bootstrap klaster liar). **Indeks:** "
               "Buku Pegangan OECD/JRC (Nardo dkk. 2008), analisis ketidakpastian dan kepekaan Saisana, Saltelli "
               "& Tarantola (2005)."),
        "en": ("**Who is less enthusiastic:** Kruskal–Wallis (1952) tests per dimension with epsilon-squared "
               "(Tomczak & Tomczak 2014, percentile bootstrap CI), sector pairs by Mann–Whitney tests with "
               "Holm's (1979) correction, rank-biserial correlation (Newcombe 2006 CI) and Hedges' g (Hedges & "
               "Olkin 1985); sectors with fewer than 5 respondents are not tested. Sector differences across "
               "regions: a linear mixed model with a random region intercept (REML; Snijders & Bosker 2012) and "
               "a proportional-odds model (McCullagh 1980) with respondent-clustered standard errors. "
               "**Comparing regions:** empirical-Bayes shrinkage (BLUPs) from a random-intercept model, ICC with "
               "a parametric-bootstrap CI. **Engagement:** attendance rates with Wilson (1927) intervals "
               "adjusted for the design effect (Kish 1965); trends by binomial GLM with cluster-robust standard "
               "errors; Mendelow's (1991) power–interest map. **Network:** density and Freeman (1978) degree "
               "centralisation (Wasserman & Faust 1994), betweenness (Brandes 2001), PARTNER trust and value "
               "scores (Varda et al. 2008). **Partnership effect:** two-way fixed-effects "
               "difference-in-differences with region-clustered standard errors and an event-study pre-trend "
               "test (wild cluster bootstrap). **Index:** the OECD/JRC Handbook (Nardo et al. 2008), with the "
               "uncertainty and sensitivity analysis of Saisana, Saltelli & Tarantola (2005)."),
    },
    "provenance": {
        "id": "Dibuat dengan evalkit {version} dari data dengan manifest `{manifest}`; berkas masukan (SHA-256): {inputs}.",
        "en": "Made with evalkit {version} from data with manifest `{manifest}`; input files (SHA-256): {inputs}.",
    },
    "figure": {"id": "Gambar {n}.", "en": "Figure {n}."},
    "toc": {"id": "Daftar isi", "en": "Contents"},
    "h_provenance": {"id": "Asal-usul laporan", "en": "Provenance"},
    "prov_item": {"id": "Butir", "en": "Item"},
    "prov_value": {"id": "Nilai", "en": "Value"},
    "prov_parameters": {"id": "Parameter", "en": "Parameters"},
    "prov_manifest": {"id": "Manifest data olahan", "en": "Processed-data manifest"},
    "prov_results": {"id": "Kode hasil lintas wilayah", "en": "Cross-region results code"},
    "prov_choices": {"id": "Pilihan analisis", "en": "Analysis choices"},
    "prov_reference_rule": {"id": "aturan baku (sektor masyarakat sipil terbesar)",
                            "en": "default rule (largest civil-society sector)"},
    "prov_weights_default": {"id": "baseline (bobot baku)", "en": "baseline (default weights)"},
    "prov_choices_default": {"id": "pilihan baku evalkit", "en": "evalkit's defaults"},
    "prov_choices_own": {"id": "diubah dari pilihan baku", "en": "changed from the defaults"},
    "prov_run_at": {"id": "Dijalankan", "en": "Run at"},
    "prov_input": {"id": "Berkas masukan", "en": "Input file"},
    "prov_packages": {"id": "Versi paket", "en": "Package versions"},
    "likert_axis": {"id": "Persentase jawaban (kiri: tidak setuju, kanan: setuju)",
                    "en": "Share of answers (left: disagree, right: agree)"},
    "fig_likert": {
        "id": ("Jawaban per item (batang bertumpuk divergen, berpusat pada jawaban netral); item bertanda ᴿ "
               "dibalik sehingga 'setuju' selalu berarti penilaian positif."),
        "en": ("Answers per item (diverging stacked bars centred on the neutral answer); items marked ᴿ are "
               "reverse-keyed and recoded so 'agree' always means a favourable rating."),
    },
    "likert_axis_scale": {"id": "Persentase jawaban (kiri: menuju '{low}', kanan: menuju '{high}')",
                          "en": "Share of answers (left: toward '{low}', right: toward '{high}')"},
    "fig_likert_even": {
        "id": ("Jawaban per item (batang bertumpuk divergen, berpusat di antara '{below}' dan "
               "'{above}'; skala ini tidak memiliki jawaban netral); item bertanda ᴿ dibalik "
               "sehingga nilai tinggi selalu berarti penilaian positif."),
        "en": ("Answers per item (diverging stacked bars centred between '{below}' and '{above}'; "
               "this scale has no neutral answer); items marked ᴿ are reverse-keyed and recoded "
               "so a high answer always means a favourable rating."),
    },
    "table": {"id": "Tabel {n}.", "en": "Table {n}."},
    # --- stakeholder coverage
    "coverage_summary": {
        "id": ("Daftar pemangku kepentingan memuat **{n_orgs}** organisasi dari **{n_present} dari 5** "
               "sektor pentahelix. {missing_text}"),
        "en": ("The stakeholder register lists **{n_orgs}** organisations from **{n_present} of the 5** "
               "pentahelix sectors. {missing_text}"),
    },
    "coverage_missing": {"id": "Sektor yang tidak ada: **{sectors}**.",
                         "en": "Missing sectors: **{sectors}**."},
    "coverage_complete": {"id": "Kelima sektor terwakili.", "en": "All five sectors are represented."},
    "fig_power_interest": {
        "id": ("Peta pengaruh–kepentingan (Mendelow): setiap titik satu organisasi; kuadran kanan atas "
               "perlu dikelola secara dekat. Titik diberi sedikit pergeseran acak tetap agar tidak bertumpuk."),
        "en": ("Power–interest map (Mendelow): each point is one organisation; the upper-right quadrant "
               "needs close management. Points are slightly jittered (fixed seed) so they do not overlap."),
    },
    "col_register": {"id": "Organisasi terdaftar", "en": "Registered organisations"},
    "col_attending": {"id": "Organisasi yang hadir", "en": "Organisations attending"},
    "col_present": {"id": "Ada di daftar", "en": "In the register"},
    # --- partial pooling
    "shrinkage_text": {
        "id": ("**Dibandingkan dengan adil.** Model campuran (responden di dalam wilayah) memberi "
               "rata-rata kesehatan kemitraan wilayah ini **{shrunken:.2f}** (IK 95% {low:.2f}–{high:.2f}) "
               "terhadap rata-rata mentah {raw:.2f} dari {n} responden; bobot data wilayah sendiri "
               "{weight:.0%}. Perbedaan antarwilayah menjelaskan {icc:.0%} variasi skor (ICC)."),
        "en": ("**Compared fairly.** A mixed model (respondents within regions) puts this region's "
               "mean partnership health at **{shrunken:.2f}** (95% CI {low:.2f}–{high:.2f}) against a raw "
               "mean of {raw:.2f} from {n} respondents; the region's own data carry {weight:.0%} of the "
               "weight. Differences between regions explain {icc:.0%} of the variation in scores (ICC)."),
    },
    # --- sectors
    "sectors_pooled": {
        "id": ("**Di semua wilayah** (model campuran dengan intersep acak wilayah, pembanding: "
               "{reference}), sektor dengan skor keseluruhan terendah adalah **{sector}**: "
               "{estimate:+.2f} poin (IK 95% {low:+.2f} hingga {high:+.2f})."),
        "en": ("**Across all regions** (mixed model with a random region intercept, reference: "
               "{reference}), the sector with the lowest overall score is **{sector}**: "
               "{estimate:+.2f} points (95% CI {low:+.2f} to {high:+.2f})."),
    },
    "sectors_region": {
        "id": ("**Di wilayah ini**, uji Kruskal–Wallis per dimensi membandingkan {tested}. "
               "Perbedaan antarsektor bermakna (p < 0,05) pada {n_sig} dari {n_dim} dimensi; "
               "jumlah pasangan sektor yang berbeda setelah koreksi Holm: {n_pairs}. {small_text}"),
        "en": ("**In this region**, a Kruskal–Wallis test per dimension compares {tested}. "
               "Sectors differ (p < 0.05) on {n_sig} of {n_dim} dimensions; pairs of sectors that "
               "differ after Holm correction: {n_pairs}. {small_text}"),
    },
    "sectors_small": {
        "id": "Sektor dengan kurang dari {min_cell} responden tidak diuji: {sectors}.",
        "en": "Sectors with fewer than {min_cell} respondents are not tested: {sectors}.",
    },
    "sectors_untestable": {
        "id": ("**Di wilayah ini** kurang dari dua sektor memiliki sedikitnya {min_cell} responden, "
               "sehingga perbedaan antarsektor tidak diuji."),
        "en": ("**In this region** fewer than two sectors have at least {min_cell} respondents, so "
               "differences between sectors are not tested."),
    },
    "col_groups": {"id": "Sektor diuji", "en": "Sectors tested"},
    "col_effect_size": {"id": "Ukuran efek", "en": "Effect size"},
    "col_pair": {"id": "Pasangan", "en": "Pair"},
    "col_mean_diff": {"id": "Selisih rata-rata", "en": "Mean difference"},
    "col_p_holm": {"id": "p (Holm)", "en": "p (Holm)"},
    "col_estimate": {"id": "Selisih dari pembanding", "en": "Difference from reference"},
    "col_p": {"id": "p", "en": "p"},
    # --- engagement
    "attendance_summary": {
        "id": ("Tingkat kehadiran rapat forum rata-rata **{rate:.0%}** dari {invitations} undangan "
               "({meetings} rapat). Sektor dengan kehadiran terendah: **{lowest}** ({low_rate:.0%}). {trend}"),
        "en": ("Forum meeting attendance averages **{rate:.0%}** of {invitations} invitations "
               "({meetings} meetings). Lowest-attending sector: **{lowest}** ({low_rate:.0%}). {trend}"),
    },
    "attendance_trend_text": {
        "id": "Secara keseluruhan kehadiran {direction} (rasio odds per tahun {odds:.2f}, IK 95% {low:.2f}–{high:.2f}).",
        "en": "Overall, attendance is {direction} (odds ratio per year {odds:.2f}, 95% CI {low:.2f}–{high:.2f}).",
    },
    "trend_up": {"id": "meningkat", "en": "rising"},
    "trend_down": {"id": "menurun", "en": "falling"},
    "trend_flat": {"id": "tidak berubah secara jelas", "en": "not clearly changing"},
    "attendance_none": {"id": "Tidak ada data kehadiran rapat untuk wilayah ini.",
                        "en": "There are no meeting attendance data for this region."},
    "attendance_note": {
        "id": ("Interval Wilson disesuaikan dengan efek desain karena kehadiran berulang dari "
               "organisasi yang sama. Yang dihitung adalah organisasi, bukan orang, sehingga tidak ada "
               "penyembunyian sel kecil."),
        "en": ("Wilson intervals are adjusted for the design effect of repeated attendance by the "
               "same organisations. These are organisations, not people, so no small-cell "
               "suppression applies."),
    },
    "fig_attendance": {"id": "Tingkat kehadiran per triwulan menurut sektor (garis hitam: semua sektor).",
                       "en": "Attendance rate per quarter by sector (black line: all sectors)."},
    "col_invitations": {"id": "Undangan", "en": "Invitations"},
    "col_rate": {"id": "Tingkat kehadiran", "en": "Attendance rate"},
    "network_summary": {
        "id": ("**Jejaring kolaborasi.** {nodes} organisasi dan {edges} hubungan kerja sama; kepadatan "
               "{density:.2f} dan sentralisasi derajat {centralisation:.2f} (Freeman). Organisasi paling "
               "sentral: {central}. Skor kepercayaan PARTNER {trust:.0f}% dan nilai {value:.0f}% "
               "(rata-rata penilaian mitra pada skala 1–4). {isolated_text}"),
        "en": ("**Collaboration network.** {nodes} organisations and {edges} working ties; density "
               "{density:.2f} and degree centralisation {centralisation:.2f} (Freeman). Most central: "
               "{central}. PARTNER trust score {trust:.0f}% and value {value:.0f}% (mean partner "
               "ratings on the 1–4 scale). {isolated_text}"),
    },
    "network_isolated": {"id": "Sektor tanpa hubungan sama sekali: **{sectors}**.",
                         "en": "Sectors with no ties at all: **{sectors}**."},
    "network_connected": {"id": "Setiap sektor yang terdaftar memiliki hubungan kerja sama.",
                          "en": "Every registered sector has working ties."},
    "network_none": {"id": "Tidak ada data jejaring untuk wilayah ini.",
                     "en": "There are no network data for this region."},
    "fig_network": {
        "id": ("Jejaring kolaborasi: simpul = organisasi (warna menurut sektor, ukuran menurut derajat), "
               "garis = hubungan (tebal menurut tingkat kolaborasi)."),
        "en": ("Collaboration network: nodes are organisations (coloured by sector, sized by degree), "
               "lines are ties (thicker for closer collaboration)."),
    },
    "all_sectors": {"id": "Semua sektor", "en": "All sectors"},
    "unregistered": {"id": "Tidak terdaftar", "en": "Not in the register"},
    "col_organisation": {"id": "Organisasi", "en": "Organisation"},
    "col_degree": {"id": "Derajat", "en": "Degree"},
    "col_betweenness": {"id": "Keperantaraan", "en": "Betweenness"},
    "col_trust": {"id": "Kepercayaan (%)", "en": "Trust (%)"},
    "col_value_pct": {"id": "Nilai (%)", "en": "Value (%)"},
    "col_ratings": {"id": "Penilaian", "en": "Ratings"},
    # --- outcomes by breakdown
    "breakdown_text": {
        "id": "Indikator dengan rincian menurut jenis kelamin (nilai tahun terakhir):",
        "en": "Indicators broken down by sex (latest year):",
    },
    "col_female": {"id": "Perempuan", "en": "Women"},
    "col_male": {"id": "Laki-laki", "en": "Men"},
    "col_total": {"id": "Total", "en": "Total"},
    "col_gap": {"id": "Selisih (P − L)", "en": "Gap (women − men)"},
    # --- index
    "index_summary": {
        "id": ("Indeks efektivitas kemitraan wilayah ini **{index:.1f}** dari 100 (IK bootstrap 95% "
               "{low:.1f}–{high:.1f}), peringkat **{rank}** dari {n} wilayah (rentang peringkat 95% "
               "{rank_low}–{rank_high}). Bila bobot pilar diubah secara acak, peringkatnya berada "
               "di antara {sens_low} dan {sens_high} pada 90% undian."),
        "en": ("This region's partnership-effectiveness index is **{index:.1f}** out of 100 (95% "
               "bootstrap CI {low:.1f}–{high:.1f}), rank **{rank}** of {n} regions (95% rank range "
               "{rank_low}–{rank_high}). When the pillar weights are varied at random, its rank stays "
               "between {sens_low} and {sens_high} in 90% of draws."),
    },
    "index_none": {"id": "Indeks tidak dapat dihitung untuk wilayah ini: {reason}.",
                   "en": "The index cannot be computed for this region: {reason}."},
    "fig_index": {"id": "Indeks efektivitas semua wilayah dengan interval bootstrap 95%.",
                  "en": "Effectiveness index of every region with 95% bootstrap intervals."},
    "fig_index_near": {
        "id": ("Indeks efektivitas wilayah ini dan {k} wilayah di atas serta di bawahnya dalam "
               "peringkat (dari {n} wilayah), dengan interval bootstrap 95%."),
        "en": ("Effectiveness index of this region and the {k} regions ranked either side of it "
               "(of {n} regions), with 95% bootstrap intervals."),
    },
    "fig_index_extremes": {
        "id": ("Indeks efektivitas {k} wilayah dengan peringkat tertinggi dan {k} terendah (dari "
               "{n} wilayah), dengan interval bootstrap 95%; semua wilayah ada di summary.xlsx."),
        "en": ("Effectiveness index of the {k} highest- and {k} lowest-ranked regions (of {n}), "
               "with 95% bootstrap intervals; every region is in summary.xlsx."),
    },
    "col_component": {"id": "Komponen", "en": "Component"},
    "col_pillar": {"id": "Pilar", "en": "Pillar"},
    "col_weight": {"id": "Bobot dalam indeks", "en": "Weight in the index"},
    "col_normalised": {"id": "Nilai ternormalisasi (0–1)", "en": "Normalised (0–1)"},
    # --- change since the last wave (issue #13): the regional report's section 8 and the
    # change findings. {from_wave}/{to_wave} are wave labels from the user's files (md()
    # escapes them); estimates are score points on the form's scale.
    "h_change": {"id": "8. Perubahan sejak gelombang sebelumnya",
                 "en": "8. Change since the last wave"},
    "change_single": {
        "id": ("Data ini berasal dari satu gelombang survei. Perubahan baru dapat diukur "
               "setelah ada gelombang kedua: ulangi survei yang sama pada putaran berikutnya "
               "dan tambahkan ekspornya ke data mentah (ekspor yang terus bertambah, atau satu "
               "folder per gelombang)."),
        "en": ("These data come from one survey wave. Change can be measured once there is a "
               "second wave: repeat the same survey next round and add its export to the raw "
               "data (an accumulating export, or one folder per wave)."),
    },
    "change_region_single": {
        "id": ("Wilayah ini baru memiliki responden dalam satu gelombang ({wave}). Perubahan "
               "baru dapat diukur setelah wilayah ini ikut dalam gelombang kedua."),
        "en": ("This region has respondents in only one wave so far ({wave}). Change can be "
               "measured once it takes part in a second wave."),
    },
    "change_summary": {
        "id": ("Gelombang **{to_wave}** dibandingkan dengan **{from_wave}** ({n_to} dan {n_from} "
               "responden; {n_both} di antaranya menjawab di kedua gelombang): dari {n} dimensi, "
               "{n_up} naik, {n_down} turun, dan {n_same} tidak berubah secara jelas."),
        "en": ("Wave **{to_wave}** compared with **{from_wave}** ({n_to} and {n_from} "
               "respondents; {n_both} of them answered in both waves): of {n} dimensions, "
               "{n_up} rose, {n_down} fell and {n_same} show no clear change."),
    },
    "change_overall": {
        "id": "Skor kesehatan keseluruhan berubah {estimate:+.2f} poin (IK 95% {low:+.2f} sampai {high:+.2f}).",
        "en": "The overall health score changed by {estimate:+.2f} points (95% CI {low:+.2f} to {high:+.2f}).",
    },
    "change_rule": {
        "id": ("Suatu perubahan hanya disebut perubahan bila interval {level}%-nya tidak mencakup nol "
               "setelah memperhitungkan banyaknya perubahan yang diuji dalam laporan ini "
               "(koreksi Holm atas semua dimensi, skor keseluruhan dan kedua perbandingan), "
               "sehingga peluang satu saja perubahan disebut karena kebetulan paling besar {alpha}%. Interval "
               "memperhitungkan responden yang menjawab di kedua gelombang, dan skor tiap "
               "gelombang ditimbang seperti di bagian 3."),
        "en": ("A change is called only when its {level}% interval excludes zero after allowing for "
               "the number of changes this report tests (Holm's correction over every dimension, "
               "the overall score and both comparisons), so the chance that even one change is "
               "called by chance alone is at most {alpha}%. The interval allows for respondents "
               "who answered in both waves, and each wave's scores are weighted as in section 3."),
    },
    "change_suppressed": {
        "id": ("Gelombang dengan kurang dari {min_cell} responden di wilayah ini tidak "
               "ditampilkan: {waves}."),
        "en": "Waves with fewer than {min_cell} respondents in this region are not shown: {waves}.",
    },
    "change_too_small": {
        "id": ("Perubahan tidak dapat diperkirakan: wilayah ini memiliki kurang dari {min_cell} "
               "responden dalam gelombang {from_wave} atau {to_wave}."),
        "en": ("Change cannot be estimated: this region has fewer than {min_cell} respondents "
               "in wave {from_wave} or {to_wave}."),
    },
    "fig_change": {
        "id": "Skor tiap dimensi per gelombang dengan interval kepercayaan 95%.",
        "en": "Each dimension's score per wave with its 95% confidence interval.",
    },
    "fig_change_suppressed": {
        "id": ("Skor tiap dimensi per gelombang dengan interval kepercayaan 95%. Gelombang dengan "
               "kurang dari {min_cell} responden tidak ditampilkan: {waves}."),
        "en": ("Each dimension's score per wave with its 95% confidence interval. Waves with "
               "fewer than {min_cell} respondents are not shown: {waves}."),
    },
    "health_score": {"id": "Skor kesehatan (rata-rata dimensi)",
                     "en": "Health score (mean of the dimensions)"},
    "health_score_finding": {"id": "Skor kesehatan keseluruhan",
                             "en": "The overall health score"},
    "col_waves": {"id": "Gelombang (dari → ke)", "en": "Waves (from → to)"},
    "col_change": {"id": "Perubahan", "en": "Change"},
    "col_called": {"id": "Perubahan nyata?", "en": "Called a change?"},
    "col_n_waves": {"id": "Responden (dari → ke)", "en": "Respondents (from → to)"},
    "col_n_both": {"id": "Di kedua gelombang", "en": "In both waves"},
    "col_wave": {"id": "Gelombang", "en": "Wave"},
    "col_index": {"id": "Indeks (0–100)", "en": "Index (0–100)"},
    "col_rank": {"id": "Peringkat", "en": "Rank"},
    "col_organisations": {"id": "Organisasi", "en": "Organisations"},
    "col_ties": {"id": "Ikatan", "en": "Ties"},
    "col_density": {"id": "Kepadatan", "en": "Density"},
    "col_centralisation": {"id": "Sentralisasi", "en": "Centralisation"},
    "col_mean_trust": {"id": "Kepercayaan rata-rata", "en": "Mean trust"},
    "col_mean_value": {"id": "Nilai rata-rata", "en": "Mean value"},
    "col_isolated": {"id": "Terisolasi", "en": "Isolated"},
    "col_role_change": {"id": "Perubahan peran", "en": "Change of role"},
    "col_degree_change": {"id": "Derajat (dari → ke)", "en": "Degree (from → to)"},
    "called_yes": {"id": "ya, naik", "en": "yes, up"},
    "called_yes_down": {"id": "ya, turun", "en": "yes, down"},
    "called_no": {"id": "tidak", "en": "no"},
    "change_reason_too_few_respondents": {
        "id": "kurang dari {min_cell} responden dalam satu gelombang",
        "en": "fewer than {min_cell} respondents in a wave"},
    "change_reason_missing_wave": {"id": "tidak ada responden dalam satu gelombang",
                                   "en": "no respondents in one of the waves"},
    "change_reason_other": {"id": "tidak dapat diperkirakan", "en": "could not be estimated"},
    "sector_change_none": {
        "id": "Tidak ada sektor yang skor kesehatannya berubah secara jelas antara {from_wave} dan {to_wave}.",
        "en": "No sector's health score changed clearly between {from_wave} and {to_wave}.",
    },
    "sector_change_some": {
        "id": ("Skor kesehatan {n} sektor berubah secara jelas antara {from_wave} dan {to_wave} "
               "(Holm atas sektor-sektor wilayah ini): {sectors}."),
        "en": ("The health score of {n} sector(s) changed clearly between {from_wave} and "
               "{to_wave} (Holm over this region's sectors): {sectors}."),
    },
    "sector_change_untestable": {
        "id": ("Perubahan per sektor tidak dapat diperkirakan: sebuah sektor memerlukan sedikitnya "
               "{min_cell} responden di kedua gelombang."),
        "en": ("Sector changes could not be estimated: a sector needs at least {min_cell} "
               "respondents in both waves."),
    },
    "network_change_summary": {
        "id": ("Antara {from_wave} dan {to_wave} jejaring kolaborasi mendapat {gained} ikatan baru, "
               "kehilangan {lost}, dan mempertahankan {kept}; kepadatan berubah {density:+.2f} dan "
               "sentralisasi {centralisation:+.2f}."),
        "en": ("Between {from_wave} and {to_wave} the collaboration network gained {gained} ties, "
               "lost {lost} and kept {kept}; density changed by {density:+.2f} and "
               "centralisation by {centralisation:+.2f}."),
    },
    "network_change_scores": {
        "id": ("Kepercayaan antarmitra berubah {trust:+.2f} (IK 95% {trust_low:+.2f} sampai "
               "{trust_high:+.2f}) dan nilai kemitraan {value:+.2f} (IK 95% {value_low:+.2f} sampai "
               "{value_high:+.2f})."),
        "en": ("Partners' trust changed by {trust:+.2f} (95% CI {trust_low:+.2f} to "
               "{trust_high:+.2f}) and their value by {value:+.2f} (95% CI {value_low:+.2f} to "
               "{value_high:+.2f})."),
    },
    "network_change_none": {
        "id": "Jejaring dapat dibandingkan setelah ikatan kolaborasi tercatat dalam dua gelombang.",
        "en": "The network can be compared once collaboration ties are recorded in two waves.",
    },
    "network_roles_none": {"id": "Tidak ada organisasi yang berubah peran.",
                           "en": "No organisation changed its role."},
    "role_became_central": {"id": "menjadi pusat", "en": "became central"},
    "role_no_longer_central": {"id": "tidak lagi pusat", "en": "no longer central"},
    "role_became_isolated": {"id": "menjadi terisolasi", "en": "became isolated"},
    "role_no_longer_isolated": {"id": "tidak lagi terisolasi", "en": "no longer isolated"},
    "index_change_summary": {
        "id": ("Indeks efektivitas berubah dari {index_from:.1f} ({from_wave}) menjadi "
               "{index_to:.1f} ({to_wave}): {change:+.1f} poin (IK 95% {low:+.1f} sampai "
               "{high:+.1f}); peringkat {rank_from} menjadi {rank_to}. Interval ini memperlakukan "
               "kedua gelombang sebagai saling bebas, sehingga konservatif bila responden yang "
               "sama menjawab keduanya."),
        "en": ("The effectiveness index went from {index_from:.1f} ({from_wave}) to "
               "{index_to:.1f} ({to_wave}): {change:+.1f} points (95% CI {low:+.1f} to "
               "{high:+.1f}); rank {rank_from} to {rank_to}. The interval treats the two waves "
               "as independent, so it is conservative when the same respondents answered both."),
    },
    "index_change_none": {
        "id": "Perubahan indeks tidak dapat dihitung: indeks wilayah ini tidak tersedia di kedua gelombang.",
        "en": "The index change cannot be computed: this region has no index in both waves.",
    },
    "rank_of": {"id": "{rank} dari {n}", "en": "{rank} of {n}"},
    # the change findings (analyse.findings: change_*), each with one suggested action
    "change_up": {
        "id": ("**{dimension} naik {magnitude:.2f} poin sejak {from_wave}** (IK 95% perubahan "
               "{ci_low:+.2f} sampai {ci_upp:+.2f}). Catat bersama forum apa yang berhasil dan "
               "pertahankan."),
        "en": ("**{dimension} rose {magnitude:.2f} points since {from_wave}** (95% CI of the "
               "change {ci_low:+.2f} to {ci_upp:+.2f}). Note with the forum what worked, and "
               "keep it up."),
    },
    "change_down": {
        "id": ("**{dimension} turun {magnitude:.2f} poin sejak {from_wave}** (IK 95% perubahan "
               "{ci_low:+.2f} sampai {ci_upp:+.2f}). Bahas dalam rapat forum apa yang berubah dan "
               "sepakati satu langkah untuk memulihkannya."),
        "en": ("**{dimension} fell {magnitude:.2f} points since {from_wave}** (95% CI of the "
               "change {ci_low:+.2f} to {ci_upp:+.2f}). Discuss at the forum what changed and "
               "agree one step to recover it."),
    },
    "change_none": {
        "id": ("**Tidak ada dimensi yang berubah secara jelas antara {from_wave} dan {to_wave}.** "
               "Lanjutkan pemantauan pada gelombang berikutnya."),
        "en": ("**No dimension changed clearly between {from_wave} and {to_wave}.** Keep "
               "monitoring in the next wave."),
    },
    "change_sector_down": {
        "id": ("**Skor kesehatan sektor {sector} turun {magnitude:.2f} poin sejak {from_wave}** "
               "(IK 95% perubahan {ci_low:+.2f} sampai {ci_upp:+.2f}). Temui perwakilannya untuk "
               "memahami sebabnya."),
        "en": ("**The health score of {sector} fell {magnitude:.2f} points since {from_wave}** "
               "(95% CI of the change {ci_low:+.2f} to {ci_upp:+.2f}). Meet its representatives "
               "to understand why."),
    },
    "change_single_wave": {
        "id": ("**Perubahan dari waktu ke waktu memerlukan gelombang kedua.** Ulangi survei yang "
               "sama pada putaran berikutnya untuk melihat apa yang membaik."),
        "en": ("**Change over time needs a second wave.** Repeat the same survey next round to "
               "see what improves."),
    },
    # --- findings
    "finding_weakest": {
        "id": ("**Dimensi terlemah: {dimension}** ({score:.2f}{vs}). Bahas dimensi ini dalam rapat forum "
               "berikutnya dan sepakati satu langkah perbaikan."),
        "en": ("**Weakest dimension: {dimension}** ({score:.2f}{vs}). Discuss it at the next forum "
               "meeting and agree one step to improve it."),
    },
    "vs_below": {"id": ", di bawah rata-rata semua wilayah", "en": ", below the all-region mean"},
    "finding_sector": {
        "id": ("**Sektor yang kurang antusias: {sector}** (skor keseluruhan {score:.2f} terhadap "
               "{overall:.2f} untuk semua responden wilayah ini). Temui perwakilannya untuk memahami "
               "hambatannya."),
        "en": ("**Less enthusiastic sector: {sector}** (overall score {score:.2f} against {overall:.2f} "
               "for all of this region's respondents). Meet its representatives to understand what "
               "holds them back."),
    },
    "finding_attendance": {
        "id": "**Sektor yang paling jarang hadir: {sector}** ({rate:.0%} kehadiran). Tinjau jadwal dan undangan rapat bersama sektor ini.",
        "en": "**Least engaged sector: {sector}** ({rate:.0%} attendance). Review meeting times and invitations with this sector.",
    },
    "finding_missing": {
        "id": "**Sektor pentahelix yang belum ada: {sectors}.** Petakan dan undang organisasi dari sektor ini.",
        "en": "**Pentahelix sectors missing: {sectors}.** Map and invite organisations from these sectors.",
    },
    "finding_isolated": {
        "id": "**Sektor yang terisolasi dalam jejaring: {sectors}.** Pasangkan dengan mitra dalam kegiatan bersama.",
        "en": "**Sectors isolated in the network: {sectors}.** Pair them with partners in joint activities.",
    },
    "finding_offtrack": {
        "id": "**Indikator yang perlu perhatian khusus: {names}.** Tinjau rencana aksinya dan sumber dayanya.",
        "en": "**Indicators needing attention: {names}.** Review their action plans and resources.",
    },
    "finding_index": {
        "id": "**Indeks efektivitas {index:.1f}/100**, peringkat {rank} dari {n}; pilar terlemah: **{pillar}**.",
        "en": "**Effectiveness index {index:.1f}/100**, rank {rank} of {n}; weakest pillar: **{pillar}**.",
    },
    "findings_intro": {
        "id": "Temuan berikut diturunkan langsung dari angka di atas; setiap temuan disertai satu saran tindak lanjut.",
        "en": "The findings below are derived directly from the numbers above; each comes with one suggested action.",
    },
    # --- cross-region synthesis
    "syn_title": {"id": "Sintesis Lintas Wilayah: Efektivitas Kemitraan Multipihak",
                  "en": "Cross-region Synthesis: Multi-stakeholder Partnership Effectiveness"},
    "syn_intro": {
        "id": ("Laporan ini membandingkan **{n_regions}** wilayah ({n} responden) dengan "
               "ketidakpastiannya, dan menjawab pertanyaan yang tidak dapat dijawab satu laporan wilayah."),
        "en": ("This report compares **{n_regions}** regions ({n} respondents) with their "
               "uncertainty, and answers questions no single regional report can."),
    },
    "h_syn_regions": {"id": "1. Wilayah dibandingkan dengan adil", "en": "1. Regions compared fairly"},
    "h_syn_sectors": {"id": "2. Sektor yang kurang antusias, di semua wilayah",
                      "en": "2. Less enthusiastic sectors, across regions"},
    "h_syn_outcomes": {"id": "3. Kesehatan kemitraan dan capaian indikator",
                       "en": "3. Partnership health and indicator progress"},
    "h_syn_attribution": {"id": "4. Pengaruh kemitraan pada indikator",
                          "en": "4. Partnership effect on indicators"},
    "h_syn_index": {"id": "5. Peringkat indeks efektivitas dan kepekaannya",
                    "en": "5. Effectiveness ranking and its sensitivity"},
    "syn_health_outcome_few": {
        "id": ("Hubungan antara kesehatan kemitraan dan kemajuan hasil antarwilayah memerlukan "
               "setidaknya {minimum} wilayah dengan skor kesehatan yang dipublikasikan dan pilar "
               "hasil; program ini memiliki {n}."),
        "en": ("The association between partnership health and outcome progress across regions "
               "needs at least {minimum} regions with a published health score and an outcome "
               "pillar; this programme has {n}."),
    },
    "syn_one_region": {
        "id": ("Program ini hanya memiliki satu wilayah, sehingga tidak ada perbedaan antarwilayah "
               "untuk diperkirakan: rata-rata wilayah adalah rata-rata mentahnya, tanpa penyusutan."),
        "en": ("This programme has a single region, so there is no between-region variance to "
               "estimate: the region's mean is its raw mean, with no shrinkage."),
    },
    "syn_pooling": {
        "id": ("Model intersep acak (responden di dalam wilayah, REML) memperkirakan bahwa perbedaan "
               "antarwilayah menjelaskan **{icc:.0%}** variasi skor kesehatan (ICC, IK 95% "
               "{icc_low:.0%}–{icc_high:.0%}); rata-rata umum {grand:.2f}. Rata-rata wilayah dengan "
               "sedikit responden ditarik ke rata-rata umum sesuai ketidakpastiannya (penyusutan), "
               "sehingga wilayah kecil tidak dinilai terlalu tinggi atau terlalu rendah. Pergeseran "
               "terbesar: {region} ({n} responden), dari {raw:.2f} menjadi {shrunken:.2f}."),
        "en": ("A random-intercept model (respondents within regions, REML) estimates that "
               "differences between regions explain **{icc:.0%}** of the variation in health scores "
               "(ICC, 95% CI {icc_low:.0%}–{icc_high:.0%}); grand mean {grand:.2f}. Means of regions with "
               "few respondents are pulled toward the grand mean according to their uncertainty "
               "(shrinkage), so small regions are neither over- nor under-rated. Largest move: "
               "{region} ({n} respondents), from {raw:.2f} to {shrunken:.2f}."),
    },
    "syn_raw": {"id": "Rata-rata mentah (IK 95%)", "en": "Raw mean (95% CI)"},
    "syn_shrunken": {"id": "Rata-rata disusutkan (IK 95%)", "en": "Shrunken mean (95% CI)"},
    "syn_col_region": {"id": "Wilayah", "en": "Region"},
    "fig_caterpillar": {
        "id": "Rata-rata kesehatan kemitraan per wilayah: mentah dan disusutkan (model campuran), dengan IK 95%.",
        "en": "Mean partnership health per region: raw and shrunken (mixed model), with 95% CIs.",
    },
    "fig_caterpillar_extremes": {
        "id": ("Rata-rata kesehatan kemitraan {k} wilayah tertinggi dan {k} terendah (dari {n}): "
               "mentah dan disusutkan (model campuran), dengan IK 95%; skor setiap wilayah ada "
               "di summary.xlsx."),
        "en": ("Mean partnership health of the {k} highest and {k} lowest of {n} regions: raw and "
               "shrunken (mixed model), with 95% CIs; every region's scores are in summary.xlsx."),
    },
    "syn_sectors": {
        "id": ("Model campuran per dimensi (intersep acak wilayah) membandingkan setiap sektor dengan "
               "{reference}. Secara keseluruhan, **{sector}** paling rendah: {estimate:+.2f} poin "
               "(IK 95% {low:+.2f} hingga {high:+.2f}). Tanda * menandai p < 0,05 (tanpa koreksi "
               "perbandingan berganda; baca pola, bukan satu sel)."),
        "en": ("A mixed model per dimension (random region intercept) compares every sector with "
               "{reference}. Overall, **{sector}** is lowest: {estimate:+.2f} points (95% CI "
               "{low:+.2f} to {high:+.2f}). * marks p < 0.05 (not corrected for multiple "
               "comparisons; read the pattern, not a single cell)."),
    },
    "syn_ordinal": {
        "id": ("Sebagai pemeriksaan, model odds proporsional (logit kumulatif) pada jawaban item, "
               "dengan galat baku diklaster per responden, memberi rasio odds untuk menjawab lebih "
               "setuju dibanding {reference}; nilai di bawah 1 berarti kurang antusias."),
        "en": ("As a check, a proportional-odds (cumulative logit) model of the item answers, with "
               "standard errors clustered by respondent, gives the odds ratio of a more favourable "
               "answer than {reference}; values below 1 mean less enthusiastic."),
    },
    "syn_health_outcome": {
        "id": ("Di {n} wilayah, kemiringan regresi pilar hasil indeks (0–1) terhadap skor kesehatan "
               "yang disusutkan adalah {slope:+.2f} per poin (IK 95% {low:+.2f} hingga {high:+.2f}, "
               "galat baku HC3, p = {p:.2f}, R² = {r2:.2f}); korelasi Spearman {rho:+.2f} (p = {rho_p:.2f}). "
               "**Catatan:** ini asosiasi antarwilayah pada satu waktu (ekologis), dengan sedikit wilayah; "
               "bukan bukti bahwa kemitraan yang lebih sehat menyebabkan capaian yang lebih baik, dan "
               "tidak berlaku untuk kemitraan tertentu."),
        "en": ("Across {n} regions, the slope of the index's outcome pillar (0–1) on the shrunken "
               "health score is {slope:+.2f} per point (95% CI {low:+.2f} to {high:+.2f}, HC3 standard "
               "errors, p = {p:.2f}, R² = {r2:.2f}); Spearman correlation {rho:+.2f} (p = {rho_p:.2f}). "
               "**Caveats:** this is a cross-sectional association between regions (ecological), "
               "with few regions; it is not evidence that healthier partnerships cause better "
               "outcomes, and it does not apply to any single partnership."),
    },
    "syn_x_health": {"id": "Skor kesehatan kemitraan (disusutkan, {scale})",
                     "en": "Partnership health score (shrunken, {scale})"},
    "syn_y_outcome": {"id": "Pilar hasil indeks (0–1)", "en": "Index outcome pillar (0–1)"},
    "fig_health_outcome": {"id": "Kesehatan kemitraan dan capaian indikator per wilayah, dengan garis regresi.",
                           "en": "Partnership health and indicator progress per region, with the regression line."},
    "syn_attribution": {
        "id": ("Data mendukung perkiraan selisih-dalam-selisih untuk {n} dari {n_all} indikator. Gambar "
               "studi peristiwa di bawah menunjukkan koefisien sebelum dimulainya forum (harus dekat nol "
               "bila tren sejajar) dan sesudahnya."),
        "en": ("The data support a difference-in-differences estimate for {n} of {n_all} indicators. "
               "The event-study figures below show the coefficients before the forum started (near "
               "zero if trends are parallel) and after."),
    },
    "fig_pretrend": {"id": "Studi peristiwa: selisih terhadap wilayah pembanding per tahun relatif terhadap dimulainya forum.",
                     "en": "Event study: difference from comparison regions by year relative to the forum's start."},
    "syn_index": {
        "id": ("Skenario yang paling menggeser peringkat adalah **{worst}** (rata-rata pergeseran "
               "peringkat absolut {shift:.2f})."),
        "en": ("The scenario that moves ranks most is **{worst}** (mean absolute rank shift "
               "{shift:.2f})."),
    },
    "fig_sensitivity": {"id": "Peringkat setiap wilayah di bawah skenario pembobotan dan agregasi lain.",
                        "en": "Each region's rank under alternative weighting and aggregation scenarios."},
    "fig_sensitivity_extremes": {
        "id": ("Peringkat {k} wilayah teratas dan {k} terbawah (dari {n}) di bawah skenario "
               "pembobotan dan agregasi lain; indeks, peringkat dan rentang peringkat setiap "
               "wilayah di bawah bobot acak ada di summary.xlsx."),
        "en": ("Rank of the {k} highest- and {k} lowest-ranked regions (of {n}) under alternative "
               "weighting and aggregation scenarios; every region's index, rank and rank range "
               "under random weights are in summary.xlsx."),
    },
    # table headers
    "col_sector": {"id": "Sektor", "en": "Sector"},
    "col_n": {"id": "Responden", "en": "Respondents"},
    "col_dimension": {"id": "Dimensi", "en": "Dimension"},
    "col_score": {"id": "Skor ({scale})", "en": "Score ({scale})"},
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
    # --- the programme's own form and inputs (issue #11)
    "form_language_note": {
        "id": ("*Formulir survei tidak memiliki label berbahasa Indonesia: pertanyaan, pilihan "
               "jawaban, dimensi dan sektor ditampilkan dengan label {language} dari formulir.*"),
        "en": ("*The survey form has no English labels: questions, answer options, dimensions "
               "and sectors are shown with the form's {language} labels.*"),
    },
    "language_id": {"id": "bahasa Indonesia", "en": "Indonesian"},
    "language_en": {"id": "bahasa Inggris", "en": "English"},
    "input_missing": {"id": "Tidak ada {what}: tambahkan {file} ke data/raw.",
                      "en": "No {what}: add {file} to data/raw."},
    "input_empty": {"id": "Tidak ada {what}: {file} di data/raw hanya berisi baris judul; isi datanya.",
                    "en": "No {what}: {file} in data/raw has only its header row; fill in its rows."},
    "input_targets_missing": {
        "id": "Tidak ada target indikator: tambahkan lembar 'targets' ke {file} di data/raw.",
        "en": "No indicator targets: add a sheet 'targets' to {file} in data/raw.",
    },
    "what_stakeholders": {"id": "daftar pemangku kepentingan", "en": "stakeholder register"},
    "what_attendance": {"id": "data kehadiran rapat", "en": "meeting attendance data"},
    "what_ties": {"id": "data jejaring kolaborasi", "en": "collaboration network data"},
    "what_indicators": {"id": "data indikator", "en": "indicator data"},
    "what_indicator_targets": {"id": "target indikator", "en": "indicator targets"},
    "what_partnerships": {"id": "data kemitraan (tanggal mulai forum)",
                          "en": "partnership data (forum start dates)"},
    "weighting_no_register": {"id": "tidak ada daftar pemangku kepentingan untuk wilayah ini",
                              "en": "there is no stakeholder register for this region"},
    "weighting_unregistered": {"id": "sektor {sectors} mengisi survei tetapi tidak ada dalam daftar",
                               "en": "sector(s) {sectors} answered but are not in the register"},
    "weighting_unsampled": {"id": "sektor terdaftar {sectors} tidak memiliki responden",
                            "en": "registered sector(s) {sectors} have no respondents"},
    # why the data cannot support the partnership-effect estimate: the codes of
    # evalkit.measure.attribution.UNSUPPORTED_REASONS (DidResult.reason), n = n_treated
    # (few_treated) or n_control (few_control)
    "attr_reason_no_indicator": {"id": "indikator ini tidak ada dalam data",
                                 "en": "the indicator is not in the data"},
    "attr_reason_no_values": {"id": "indikator ini tidak memiliki nilai yang terisi",
                              "en": "the indicator has no values filled in"},
    "attr_reason_few_treated": {
        "id": "hanya {n} wilayah dengan kemitraan yang memiliki cukup tahun sebelum forum dimulai",
        "en": "only {n} region(s) with a partnership have enough years before their forum started",
    },
    "attr_reason_no_control": {
        "id": "tidak ada wilayah pembanding (wilayah tanpa kemitraan)",
        "en": "there are no comparison regions (regions without a partnership)",
    },
    "attr_reason_few_control": {"id": "hanya {n} wilayah pembanding tanpa kemitraan",
                                "en": "only {n} comparison region(s) without a partnership"},
    "attr_reason_no_variation": {"id": "nilai indikator tidak bervariasi (semua nilainya sama)",
                                 "en": "the indicator does not vary (every value is the same)"},
    "attr_reason_not_identified": {
        "id": "pengaruh kemitraan tidak dapat dipisahkan dari pengaruh wilayah dan tahun",
        "en": "the partnership's effect cannot be separated from region and year effects"},
    "attr_reason_other": {"id": "data tidak cukup untuk perkiraan ini",
                          "en": "the data are not sufficient for this estimate"},
    "git_dirty": {"id": "(+ perubahan yang belum di-commit)", "en": "(+ uncommitted changes)"},
    "region_too_small": {
        "id": ("Wilayah ini memiliki terlalu sedikit responden (n < {min_cell}): skor rata-ratanya "
               "tidak dilaporkan."),
        "en": "This region has too few respondents (n < {min_cell}): its mean scores are not reported.",
    },
    "shrinkage_small": {
        "id": ("**Dibandingkan dengan adil.** Model campuran (responden di dalam wilayah) memberi "
               "rata-rata kesehatan kemitraan wilayah ini **{shrunken:.2f}** (IK 95% {low:.2f}–{high:.2f}), "
               "ditarik kuat ke rata-rata semua wilayah karena respondennya terlalu sedikit "
               "(n < {min_cell}); rata-rata mentahnya tidak dilaporkan."),
        "en": ("**Compared fairly.** A mixed model (respondents within regions) puts this region's "
               "mean partnership health at **{shrunken:.2f}** (95% CI {low:.2f}–{high:.2f}), pulled "
               "strongly toward the all-region mean because it has too few respondents (n < {min_cell}); "
               "its raw mean is not reported."),
    },
    "index_missing": {
        "id": "Komponen tanpa data untuk wilayah ini (indeks memakai komponen lain): {components}.",
        "en": "Components without data for this region (the index uses the others): {components}.",
    },
    "index_small": {
        "id": "Indeks tidak dihitung untuk wilayah ini: responden terlalu sedikit (n < {min_cell}).",
        "en": "The index is not computed for this region: too few respondents (n < {min_cell}).",
    },
    "too_small": {"id": "responden terlalu sedikit (n < {min_cell})",
                  "en": "too few respondents (n < {min_cell})"},
    "coverage_outside": {
        "id": "Kelompok pemangku kepentingan di luar pentahelix (tidak dihitung dalam cakupan): {groups}.",
        "en": "Stakeholder groups outside the pentahelix (not counted in coverage): {groups}.",
    },
    "col_category": {"id": "Kategori pentahelix", "en": "Pentahelix category"},
    "col_form_sectors": {"id": "Sektor dalam formulir", "en": "Sectors in the form"},
    "outside_pentahelix": {"id": "Di luar pentahelix", "en": "Outside the pentahelix"},
    "pentahelix_pemerintah": {"id": "Pemerintah", "en": "Government"},
    "pentahelix_dunia_usaha": {"id": "Dunia usaha", "en": "Business"},
    "pentahelix_akademisi": {"id": "Akademisi", "en": "Academia"},
    "pentahelix_masyarakat_sipil": {"id": "Masyarakat sipil", "en": "Civil society"},
    "pentahelix_media": {"id": "Media", "en": "Media"},
    # --- figure wording (evalkit.present.figures): axes, legends, quadrants -----------------
    "axis_influence": {"id": "Pengaruh (1–5)", "en": "Influence (1–5)"},
    "axis_interest": {"id": "Kepentingan (1–5)", "en": "Interest (1–5)"},
    "axis_period": {"id": "Periode", "en": "Period"},
    "axis_attendance_rate": {"id": "Tingkat kehadiran", "en": "Attendance rate"},
    "legend_sector": {"id": "Sektor", "en": "Sector"},
    # power/interest quadrants (Mendelow 1991), keys of evalkit.measure.engagement.QUADRANTS
    "quadrant_manage_closely": {"id": "Kelola secara dekat", "en": "Manage closely"},
    "quadrant_keep_satisfied": {"id": "Jaga kepuasannya", "en": "Keep satisfied"},
    "quadrant_keep_informed": {"id": "Beri informasi", "en": "Keep informed"},
    "quadrant_monitor": {"id": "Pantau", "en": "Monitor"},
    "axis_index": {"id": "Indeks efektivitas kemitraan (garis: interval bootstrap)",
                   "en": "Partnership-effectiveness index (bars: bootstrap interval)"},
    "axis_scenario": {"id": "Skenario", "en": "Scenario"},
    "axis_rank_shift": {"id": "Pergeseran peringkat (+ = turun)", "en": "Rank shift (+ = falls behind)"},
    "legend_raw_mean": {"id": "rata-rata mentah", "en": "raw mean"},
    "legend_shrunken": {"id": "disusutkan", "en": "shrunken"},
    # event-study figure (evalkit.present.figures.pretrend_figure)
    "event_leads": {"id": "sebelum dimulai (lead)", "en": "before start (leads)"},
    "event_lags": {"id": "sejak dimulai (lag)", "en": "from start (lags)"},
    "event_reference": {"id": "tahun acuan (-1)", "en": "reference year (-1)"},
    "event_start": {"id": "awal kemitraan", "en": "treatment start"},
    "axis_event_year": {"id": "Tahun relatif terhadap awal kemitraan",
                        "en": "Years relative to partnership start"},
    "axis_event_effect": {"id": "Pengaruh pada indikator (selisih dari tahun -1)",
                          "en": "Effect on indicator (difference from year -1)"},
    "event_pretrend_p": {"id": "uji tren awal p = {p}", "en": "pre-trends test p = {p}"},
    "event_none": {"id": "tidak ada koefisien event-study", "en": "no event-study coefficients"},
    # indicator progress statuses (keys of evalkit.measure.indicators.STATUSES)
    "status_target_achieved": {"id": "Target tercapai", "en": "Target achieved"},
    "status_on_track": {"id": "Sesuai jalur", "en": "On track"},
    "status_acceleration_needed": {"id": "Perlu percepatan", "en": "Acceleration needed"},
    "status_limited_progress": {"id": "Kemajuan terbatas", "en": "Limited progress"},
    "status_deterioration": {"id": "Memburuk", "en": "Deterioration"},
    "status_insufficient_data": {"id": "Data tidak cukup", "en": "Insufficient data"},
    # the three-way summary of Indonesian SDG monitoring (Bappenas: "sudah tercapai" /
    # "akan tercapai" / "perlu perhatian khusus"; keys of indicators.SUMMARY_KEYS)
    "summary_achieved": {"id": "Sudah tercapai", "en": "Achieved"},
    "summary_on_track": {"id": "Akan tercapai", "en": "On track"},
    "summary_needs_attention": {"id": "Perlu perhatian khusus", "en": "Needs attention"},
    "summary_insufficient_data": {"id": "Data tidak cukup", "en": "Insufficient data"},
    # pillars of the partnership-effectiveness index (evalkit.measure.effectiveness)
    "pillar_process": {"id": "Proses", "en": "Process"},
    "pillar_engagement": {"id": "Keterlibatan", "en": "Engagement"},
    "pillar_outcome": {"id": "Hasil", "en": "Outcomes"},
    # PARTNER levels of collaboration (evalkit.measure.network.LEVELS)
    "collab_level_0": {"id": "Tidak ada", "en": "None"},
    "collab_level_1": {"id": "Kooperatif (berbagi informasi)", "en": "Cooperative (sharing information)"},
    "collab_level_2": {"id": "Terkoordinasi (perencanaan/kegiatan bersama)",
                       "en": "Coordinated (joint planning/activities)"},
    "collab_level_3": {"id": "Terintegrasi (sumber daya bersama/perjanjian formal)",
                       "en": "Integrated (shared resources/formal agreements)"},
    # problems of the ties table (evalkit.measure.network.TIE_PROBLEMS)
    "tie_problem_missing_name": {"id": "Nama organisasi atau mitra kosong",
                                 "en": "Organisation or partner name missing"},
    "tie_problem_self_tie": {"id": "Organisasi menilai dirinya sendiri", "en": "Organisation rates itself"},
    "tie_problem_organisation_unregistered": {
        "id": "Organisasi penilai tidak ada di daftar pemangku kepentingan",
        "en": "Rating organisation not in the stakeholder register"},
    "tie_problem_partner_unregistered": {"id": "Mitra tidak ada di daftar pemangku kepentingan",
                                         "en": "Partner not in the stakeholder register"},
    "tie_problem_invalid_level": {"id": "Tingkat kolaborasi bukan 0-3", "en": "Collaboration level not 0-3"},
    "tie_problem_trust_out_of_range": {"id": "Skor kepercayaan di luar 1-4", "en": "Trust score outside 1-4"},
    "tie_problem_value_out_of_range": {"id": "Skor nilai di luar 1-4", "en": "Value score outside 1-4"},
    "tie_problem_exact_duplicate": {"id": "Baris ganda (nilai sama)", "en": "Repeated row (same values)"},
    "tie_problem_conflicting_duplicate": {
        "id": "Pasangan organisasi-mitra ganda dengan nilai berbeda",
        "en": "Repeated organisation-partner pair with different values"},
    # --- the effectiveness index (evalkit.present.index_wording) ----------------------------
    # components of evalkit.measure.effectiveness.DEFAULT_SPEC (keys index_component_<key>)
    "index_component_health": {"id": "Rata-rata skor kesehatan kemitraan",
                               "en": "Mean partnership-health score"},
    "index_component_attendance_rate": {"id": "Tingkat kehadiran rapat",
                                        "en": "Meeting attendance rate"},
    "index_component_pentahelix_coverage": {"id": "Cakupan sektor pentahelix",
                                            "en": "Pentahelix sector coverage"},
    "index_component_indicators_on_track": {"id": "Indikator tercapai atau sesuai jalur",
                                            "en": "Indicators achieved or on track"},
    "index_component_achievement": {"id": "Rata-rata capaian target",
                                    "en": "Mean target achievement"},
    # the method statement (index_text.method_text): its sentences, keyed by what they
    # describe (the spec's normalisation and aggregation, the bootstrap kind)
    "index_method_heading": {"id": "**Cara indeks disusun.**", "en": "**How the index is built.**"},
    "index_method_intro": {
        "id": ("Indeks efektivitas kemitraan disusun mengikuti *Handbook on Constructing "
               "Composite Indicators* OECD/JRC (Nardo dkk., 2008) dan menggabungkan {n} pilar "
               "dengan bobot berikut: {weights}."),
        "en": ("The partnership-effectiveness index follows the OECD/JRC *Handbook on "
               "Constructing Composite Indicators* (Nardo et al., 2008) and combines {n} "
               "pillar{s} with these weights: {weights}."),
    },
    "index_method_goalpost": {
        "id": ("Setiap komponen diubah ke skala 0–1 di antara batas tetap (*goalpost*), yaitu "
               "nilai minimum dan maksimum teoretisnya ({goalposts}); komponen yang makin "
               "rendah makin baik dibalik arahnya. Dengan batas tetap, indeks (0–100) dapat "
               "dibandingkan antarwilayah dan antartriwulan."),
        "en": ("Each component is rescaled to 0–1 between fixed goalposts, its theoretical "
               "minimum and maximum ({goalposts}); components where lower is better are "
               "reversed. With fixed goalposts the index (0–100) can be compared between "
               "regions and between quarters."),
    },
    "index_method_minmax": {
        "id": ("Setiap komponen diubah ke skala 0–1 di antara wilayah terendah dan tertinggi "
               "dalam data ini (normalisasi min–maks); komponen yang makin rendah makin baik "
               "dibalik arahnya. Skor (0–100) karena itu relatif terhadap wilayah yang "
               "dibandingkan dan berubah bila salah satu wilayah berubah."),
        "en": ("Each component is rescaled to 0–1 between the lowest and the highest region in "
               "these data (min–max normalisation); components where lower is better are "
               "reversed. Scores (0–100) are therefore relative to the regions compared and "
               "change when any region changes."),
    },
    "index_method_zscore": {
        "id": ("Setiap komponen dibakukan (skor z: dikurangi rata-rata wilayah, dibagi "
               "simpangan bakunya); komponen yang makin rendah makin baik dibalik tandanya. "
               "Indeks adalah rata-rata tertimbang skor z (0 = wilayah rata-rata), bukan skor "
               "0–100."),
        "en": ("Each component is standardised (z-score: minus the mean over regions, divided "
               "by their standard deviation); components where lower is better change sign. "
               "The index is a weighted mean of z-scores (0 = the average region), not a 0–100 "
               "score."),
    },
    "index_method_arithmetic": {
        "id": ("Komponen digabung menjadi skor pilar dengan rata-rata aritmetika tertimbang, "
               "dan pilar digabung menjadi indeks dengan cara yang sama."),
        "en": ("Components are combined into pillar scores by a weighted arithmetic mean, and "
               "pillars into the index in the same way."),
    },
    "index_method_geometric": {
        "id": ("Komponen digabung menjadi skor pilar dengan rata-rata geometrik tertimbang, dan "
               "pilar digabung menjadi indeks dengan cara yang sama; nilai ternormalisasi di "
               "bawah {floor} dinaikkan menjadi {floor} lebih dahulu agar satu nilai nol tidak "
               "membuat seluruh indeks menjadi nol."),
        "en": ("Components are combined into pillar scores by a weighted geometric mean, and "
               "pillars into the index in the same way; normalised values below {floor} are "
               "raised to {floor} first, so that a single zero does not make the whole index "
               "zero."),
    },
    "index_method_missing": {
        "id": ("Wilayah yang tidak memiliki data untuk suatu komponen dinilai dari komponen "
               "lain dalam pilar yang sama (bobotnya disesuaikan), dan komponen yang hilang "
               "dicantumkan; wilayah tanpa data untuk satu pilar utuh tidak mendapat indeks "
               "maupun peringkat, kecuali bila tidak ada satu wilayah pun yang memiliki data "
               "untuk pilar itu: pilar tersebut lalu tidak dihitung untuk semua wilayah dan "
               "bobot pilar lainnya disesuaikan. Tidak ada nilai yang diimputasi."),
        "en": ("A region without data for a component is scored on the other components of "
               "that pillar (their weights rescaled), and the missing components are listed; a "
               "region without data for a whole pillar gets no index and no rank, unless no "
               "region has data for that pillar: it is then left out for every region and the "
               "other pillars' weights are rescaled. No value is imputed."),
    },
    "index_method_missing_pillars": {
        "id": ("**Pilar tanpa data:** program ini tidak memiliki data untuk pilar {pillars}, "
               "sehingga indeks dihitung dari pilar lainnya dengan bobot yang disesuaikan "
               "hingga berjumlah 100%; indeks ini tidak dapat dibandingkan langsung dengan "
               "indeks program yang memiliki ketiga pilar."),
        "en": ("**Pillars without data:** this programme has no data for the {pillars} "
               "pillar{s}, so the index is computed from the other pillars, their weights "
               "rescaled to sum to 100%; it is not directly comparable with the index of a "
               "programme that has every pillar."),
    },
    "index_method_uncertainty_replicates": {
        "id": ("**Ketidakpastian:** indeks dan peringkat dihitung ulang pada {n_boot} set data "
               "ulangan (misalnya responden yang diambil ulang di setiap wilayah), lalu "
               "dilaporkan interval persentil {ci} (Saisana, Saltelli & Tarantola, 2005)."),
        "en": ("**Uncertainty:** the index and the ranks are recomputed on {n_boot} replicate "
               "data sets (e.g. respondents resampled within each region), and {ci} percentile "
               "intervals are reported (Saisana, Saltelli & Tarantola, 2005)."),
    },
    "index_method_uncertainty": {
        "id": ("**Ketidakpastian:** bootstrap parametrik dengan {n_boot} ulangan menarik setiap "
               "komponen dari sebaran normal di sekitar nilainya dengan galat bakunya, "
               "menghitung ulang indeks dan peringkat, lalu melaporkan interval persentil "
               "{ci} (Saisana, Saltelli & Tarantola, 2005)."),
        "en": ("**Uncertainty:** a parametric bootstrap with {n_boot} replicates draws each "
               "component from a normal distribution around its value with its standard error, "
               "recomputes the index and the ranks, and reports {ci} percentile intervals "
               "(Saisana, Saltelli & Tarantola, 2005)."),
    },
    "index_method_sensitivity": {
        "id": ("**Sensitivitas terhadap bobot:** bobot pilar ditarik ulang {n_draws} kali dari "
               "sebaran Dirichlet yang berpusat pada bobot di atas (konsentrasi κ = {kappa}); "
               "selain itu, peringkat dibandingkan pada skenario tetap ({scenarios}) dengan "
               "rata-rata pergeseran peringkat absolut."),
        "en": ("**Sensitivity to weights:** pillar weights are redrawn {n_draws} times from a "
               "Dirichlet distribution centred on the weights above (concentration κ = "
               "{kappa}); ranks are also compared under fixed scenarios ({scenarios}) by the "
               "mean absolute rank shift."),
    },
    "index_method_limits_heading": {"id": "**Keterbatasan.**", "en": "**Limits.**"},
    # the fixed weight scenarios (evalkit.measure.effectiveness.scenario_names) as the
    # method statement names them
    "index_scenario_equal": {"id": "bobot sama untuk semua komponen", "en": "equal weight for every component"},
    "index_scenario_drop": {"id": "setiap pilar dihapus bergantian", "en": "each pillar dropped in turn"},
    "index_scenario_double": {"id": "bobot setiap pilar digandakan", "en": "each pillar's weight doubled"},
    "index_scenario_geometric": {"id": "agregasi geometrik", "en": "geometric aggregation"},
    "index_scenario_arithmetic": {"id": "agregasi aritmetika", "en": "arithmetic aggregation"},
    "index_scenario_minmax": {"id": "normalisasi min–maks", "en": "min–max normalisation"},
    "index_scenario_goalpost": {"id": "normalisasi batas tetap", "en": "fixed-goalpost normalisation"},
    # the limits every report states with the index: compensability (arithmetic) or
    # compensability_geometric (geometric aggregation), then the other four always
    "index_limit_compensability": {
        "id": ("**Saling menutupi (kompensabilitas).** Dengan rata-rata aritmetika, nilai "
               "tinggi pada satu pilar dapat sepenuhnya menutupi nilai rendah pada pilar lain, "
               "dengan takaran yang ditentukan bobot; indeks yang tampak sedang bisa "
               "menyembunyikan satu pilar yang lemah. Karena itu, bacalah juga skor tiap pilar."),
        "en": ("**Compensability.** With an arithmetic mean, a high score on one pillar fully "
               "offsets a low score on another, at the rate set by the weights; a middling "
               "index can hide one weak pillar. Read the pillar scores as well."),
    },
    "index_limit_compensability_geometric": {
        "id": ("**Saling menutupi (kompensabilitas).** Rata-rata geometrik membatasi, tetapi "
               "tidak menghilangkan, kemungkinan nilai tinggi pada satu pilar menutupi nilai "
               "rendah pada pilar lain. Karena itu, bacalah juga skor tiap pilar."),
        "en": ("**Compensability.** A geometric mean limits, but does not remove, the extent "
               "to which a high score on one pillar offsets a low score on another. Read the "
               "pillar scores as well."),
    },
    "index_limit_weights": {
        "id": ("**Bobot adalah pilihan nilai**, bukan fakta statistik. Analisis sensitivitas "
               "menunjukkan peringkat wilayah mana yang bergantung pada pilihan tersebut."),
        "en": ("**Weights are a value judgement**, not a statistical fact. The sensitivity "
               "analysis shows which regions' ranks depend on that judgement."),
    },
    "index_limit_reliability": {
        "id": ("**Keandalan komponen berbeda-beda.** Skor survei dan tingkat kehadiran "
               "mengandung galat sampling yang tercermin dalam interval bootstrap, sedangkan "
               "komponen tanpa galat baku diperlakukan sebagai nilai pasti. Karena itu, "
               "interval ini cenderung lebih sempit daripada ketidakpastian yang sebenarnya: "
               "galat pengukuran dan pilihan metode tidak tercakup di dalamnya."),
        "en": ("**Components differ in reliability.** Survey scores and attendance rates carry "
               "sampling error that the bootstrap interval reflects, while components without "
               "a standard error are treated as exact. The interval therefore tends to understate "
               "the real uncertainty: measurement error and method choices are not in it."),
    },
    "index_limit_few_regions": {
        "id": ("**Jumlah wilayah yang sedikit membuat normalisasi min–maks tidak stabil**: "
               "perubahan pada satu wilayah menggeser skor semua wilayah. Itulah sebabnya "
               "batas tetap (*goalpost*) dipakai sebagai bawaan. Peringkat di antara sedikit "
               "wilayah juga kasar; selisih beberapa poin jarang bermakna bila intervalnya "
               "saling tumpang tindih."),
        "en": ("**Few regions make min–max normalisation unstable**: a change in one region "
               "moves every region's score, which is why fixed goalposts are the default. "
               "Ranks among few regions are coarse, too; a difference of a few points rarely "
               "means much when the intervals overlap."),
    },
    "index_limit_summary": {
        "id": ("**Indeks adalah ringkasan, bukan vonis** atas sebuah kemitraan. Indeks tidak "
               "menangkap konteks, hubungan sebab-akibat, atau mutu yang tidak diukur oleh "
               "komponennya; gunakan untuk memulai diskusi, bukan untuk mengakhirinya."),
        "en": ("**The index is a summary, not a verdict** on a partnership. It does not capture "
               "context, causation, or qualities its components do not measure; use it to "
               "start a discussion, not to end one."),
    },
    # small counts written as words ("combines three pillars")
    "count_word_0": {"id": "nol", "en": "zero"},
    "count_word_1": {"id": "satu", "en": "one"},
    "count_word_2": {"id": "dua", "en": "two"},
    "count_word_3": {"id": "tiga", "en": "three"},
    "count_word_4": {"id": "empat", "en": "four"},
    "count_word_5": {"id": "lima", "en": "five"},
    "count_word_6": {"id": "enam", "en": "six"},
    "count_word_7": {"id": "tujuh", "en": "seven"},
    "count_word_8": {"id": "delapan", "en": "eight"},
    "count_word_9": {"id": "sembilan", "en": "nine"},
    # --- the workbook's column headers (evalkit.present.workbook), units in brackets -------
    # sheet: about
    "xlsx_item": {"id": "Lembar / butir", "en": "Sheet / item"},
    "xlsx_description": {"id": "Keterangan", "en": "Description"},
    "xlsx_units": {"id": "Satuan dan catatan", "en": "Units and notes"},
    # sheet: shared
    "xlsx_region_code": {"id": "Kode wilayah (Kemendagri)", "en": "Region code (Kemendagri)"},
    "xlsx_region_name": {"id": "Nama wilayah", "en": "Region name"},
    "xlsx_dimension": {"id": "Dimensi", "en": "Dimension"},
    "xlsx_sector": {"id": "Sektor", "en": "Sector"},
    "xlsx_note": {"id": "Catatan", "en": "Note"},
    "xlsx_respondents": {"id": "Responden (orang)", "en": "Respondents (people)"},
    # sheet: scores
    "xlsx_score": {"id": "Skor rata-rata ({scale})", "en": "Mean score ({scale})"},
    "xlsx_score_low": {"id": f"IK {_CI} bawah ({{scale}})", "en": f"{_CI} CI lower ({{scale}})"},
    "xlsx_score_upp": {"id": f"IK {_CI} atas ({{scale}})", "en": f"{_CI} CI upper ({{scale}})"},
    # sheet: reliability
    "xlsx_k": {"id": "Jumlah item", "en": "Items"},
    "xlsx_alpha": {"id": "Alfa Cronbach (0–1)", "en": "Cronbach's alpha (0–1)"},
    "xlsx_alpha_low": {"id": f"Alfa IK {_CI} bawah (0–1)", "en": f"Alpha {_CI} CI lower (0–1)"},
    "xlsx_alpha_upp": {"id": f"Alfa IK {_CI} atas (0–1)", "en": f"Alpha {_CI} CI upper (0–1)"},
    "xlsx_omega": {"id": "Omega McDonald (0–1)", "en": "McDonald's omega (0–1)"},
    # sheet: indicators
    "xlsx_indicator": {"id": "Indikator", "en": "Indicator"},
    "xlsx_sdg": {"id": "Kode TPB/SDG", "en": "SDG code"},
    "xlsx_unit": {"id": "Satuan", "en": "Unit"},
    "xlsx_direction": {"id": "Arah yang baik", "en": "Good direction"},
    "xlsx_baseline_year": {"id": "Tahun dasar", "en": "Baseline year"},
    "xlsx_baseline_value": {"id": "Nilai dasar (satuan indikator)", "en": "Baseline value (indicator unit)"},
    "xlsx_latest_year": {"id": "Tahun terakhir", "en": "Latest year"},
    "xlsx_latest_value": {"id": "Nilai terakhir (satuan indikator)", "en": "Latest value (indicator unit)"},
    "xlsx_target_year": {"id": "Tahun target", "en": "Target year"},
    "xlsx_target_value": {"id": "Nilai target (satuan indikator)", "en": "Target value (indicator unit)"},
    "xlsx_achievement": {"id": "Capaian jarak ke target (%)", "en": "Distance to target covered (%)"},
    "xlsx_status": {"id": "Status", "en": "Status"},
    "xlsx_summary": {"id": "Ringkasan status", "en": "Status summary"},
    # sheet: attendance
    "xlsx_organisations": {"id": "Organisasi diundang (jumlah)", "en": "Organisations invited (count)"},
    "xlsx_invitations": {"id": "Undangan (jumlah)", "en": "Invitations (count)"},
    "xlsx_attended": {"id": "Kehadiran (jumlah)", "en": "Attendances (count)"},
    "xlsx_rate": {"id": "Tingkat kehadiran (%)", "en": "Attendance rate (%)"},
    "xlsx_rate_low": {"id": f"IK {_CI} bawah (%)", "en": f"{_CI} CI lower (%)"},
    "xlsx_rate_upp": {"id": f"IK {_CI} atas (%)", "en": f"{_CI} CI upper (%)"},
    # sheet: coverage
    "xlsx_in_register": {"id": "Organisasi terdaftar (jumlah)", "en": "Registered organisations (count)"},
    "xlsx_in_survey": {"id": "Responden survei (orang)", "en": "Survey respondents (people)"},
    "xlsx_in_attendance": {"id": "Organisasi yang hadir (jumlah)", "en": "Organisations attending (count)"},
    "xlsx_present": {"id": "Ada di daftar pemangku kepentingan", "en": "In the stakeholder register"},
    # sheet: index
    "xlsx_index": {"id": "Indeks efektivitas (0–100)", "en": "Effectiveness index (0–100)"},
    "xlsx_index_low": {"id": f"Indeks IK {_CI} bawah (0–100)", "en": f"Index {_CI} CI lower (0–100)"},
    "xlsx_index_upp": {"id": f"Indeks IK {_CI} atas (0–100)", "en": f"Index {_CI} CI upper (0–100)"},
    "xlsx_rank": {"id": "Peringkat (1 = terbaik)", "en": "Rank (1 = best)"},
    "xlsx_rank_low": {"id": f"Peringkat IK {_CI} terbaik", "en": f"Rank {_CI} CI best"},
    "xlsx_rank_upp": {"id": f"Peringkat IK {_CI} terburuk", "en": f"Rank {_CI} CI worst"},
    "xlsx_pillar_index": {"id": "Pilar {pillar} (0–100)", "en": "{pillar} pillar (0–100)"},
    "xlsx_sens_p05": {"id": "Peringkat pada bobot lain, persentil 5",
                      "en": "Rank under other weights, 5th percentile"},
    "xlsx_sens_p95": {"id": "Peringkat pada bobot lain, persentil 95",
                      "en": "Rank under other weights, 95th percentile"},
    "xlsx_missing": {"id": "Komponen tidak tersedia", "en": "Components missing"},
    # sheet: weights
    "xlsx_pillar": {"id": "Pilar", "en": "Pillar"},
    "xlsx_component": {"id": "Komponen", "en": "Component"},
    "xlsx_goal_low": {"id": "Batas bawah (satuan komponen)", "en": "Lower goalpost (component unit)"},
    "xlsx_goal_high": {"id": "Batas atas (satuan komponen)", "en": "Upper goalpost (component unit)"},
    "xlsx_component_unit": {"id": "Satuan komponen", "en": "Component unit"},
    "xlsx_component_weight": {"id": "Bobot dalam pilar (%)", "en": "Weight within pillar (%)"},
    "xlsx_pillar_weight": {"id": "Bobot pilar (%)", "en": "Pillar weight (%)"},
    "xlsx_weight": {"id": "Bobot dalam indeks (%)", "en": "Weight in the index (%)"},
    # sheet: network
    "xlsx_nodes": {"id": "Organisasi dalam jejaring (jumlah)", "en": "Organisations in the network (count)"},
    "xlsx_edges": {"id": "Hubungan kerja sama (jumlah)", "en": "Collaboration ties (count)"},
    "xlsx_density": {"id": "Kepadatan (0–1)", "en": "Density (0–1)"},
    "xlsx_centralisation": {"id": "Sentralisasi derajat Freeman (0–1)",
                            "en": "Freeman degree centralisation (0–1)"},
    "xlsx_isolates": {"id": "Organisasi terisolasi (jumlah)", "en": "Isolated organisations (count)"},
    "xlsx_components": {"id": "Komponen terhubung (jumlah)", "en": "Connected components (count)"},
    "xlsx_ratings": {"id": "Penilaian PARTNER (jumlah)", "en": "PARTNER ratings (count)"},
    "xlsx_trust": {"id": "Kepercayaan PARTNER (% skor maks.)", "en": "PARTNER trust (% of maximum)"},
    "xlsx_value": {"id": "Nilai PARTNER (% skor maks.)", "en": "PARTNER value (% of maximum)"},
    # --- HG2 (issue #13): change across waves in the synthesis, the workbook, the index ----
    "h_syn_change": {"id": "6. Lintasan wilayah antar gelombang",
                     "en": "6. Regions' trajectories across waves"},
    "syn_change_single": {
        "id": ("Data ini baru memuat satu gelombang survei (**{wave}**): perubahan dan lintasan "
               "wilayah dapat ditunjukkan setelah gelombang kedua masuk."),
        "en": ("These data hold one survey wave so far (**{wave}**): change and the regions' "
               "trajectories can be shown once a second wave comes in."),
    },
    "syn_change_intro": {
        "id": ("Data memuat **{n_waves}** gelombang, dari **{first}** sampai **{latest}**. Sejak "
               "gelombang sebelumnya (**{previous}**), skor kesehatan kemitraan naik di **{up}** "
               "dan turun di **{down}** dari {n} wilayah yang dapat dibandingkan; indeks "
               "efektivitas naik di **{index_up}** dan turun di **{index_down}** wilayah. Hanya "
               "perubahan yang interval kepercayaan {ci}-nya tidak mencakup nol yang disebut "
               "perubahan; interval perubahan kesehatan memperhitungkan responden yang menjawab "
               "di kedua gelombang."),
        "en": ("The data hold **{n_waves}** waves, from **{first}** to **{latest}**. Since the "
               "previous wave (**{previous}**), the partnership-health score rose in **{up}** "
               "and fell in **{down}** of the {n} regions that can be compared; the "
               "effectiveness index rose in **{index_up}** and fell in **{index_down}** regions. "
               "Only a change whose {ci} confidence interval excludes zero is called a change; "
               "the health change's interval accounts for respondents who answered in both "
               "waves."),
    },
    "syn_change_since_first": {
        "id": ("Sejak gelombang pertama (**{first}**), skor kesehatan kemitraan naik di **{up}** "
               "dan turun di **{down}** dari {n} wilayah."),
        "en": ("Since the first wave (**{first}**), the partnership-health score rose in **{up}** "
               "and fell in **{down}** of {n} regions."),
    },
    "syn_change_col_health_first": {"id": "Perubahan kesehatan sejak gelombang pertama (IK 95%)",
                                    "en": "Health change since the first wave (95% CI)"},
    "syn_change_index_note": {
        "id": ("Interval perubahan indeks memperlakukan kedua gelombang sebagai sampel yang "
               "saling bebas: bila responden yang sama menjawab di keduanya, interval ini "
               "cenderung terlalu lebar (konservatif)."),
        "en": ("The index change's interval treats the two waves as independent samples: "
               "when the same respondents answer in both, it tends to be too wide "
               "(conservative)."),
    },
    "fig_health_trajectory": {
        "id": ("Skor kesehatan kemitraan per gelombang, satu panel per wilayah (IK 95%); "
               "gelombang dengan kurang dari {min_cell} responden di wilayah itu tidak "
               "ditampilkan."),
        "en": ("Partnership-health score per wave, one panel per region (95% CI); a wave with "
               "fewer than {min_cell} respondents in the region is not shown."),
    },
    "fig_health_trajectory_extremes": {
        "id": ("Skor kesehatan kemitraan per gelombang (IK 95%) di {k} dari {n} wilayah: yang "
               "perubahannya sejak gelombang sebelumnya paling besar (semua wilayah ada di "
               "summary.xlsx); gelombang dengan kurang dari {min_cell} responden tidak "
               "ditampilkan."),
        "en": ("Partnership-health score per wave (95% CI) in {k} of {n} regions: those whose "
               "change since the previous wave is largest (every region is in summary.xlsx); "
               "a wave with fewer than {min_cell} respondents is not shown."),
    },
    "fig_index_trajectory": {
        "id": "Indeks efektivitas per gelombang, satu panel per wilayah (interval bootstrap 95%).",
        "en": "Effectiveness index per wave, one panel per region (95% bootstrap interval).",
    },
    "fig_index_trajectory_extremes": {
        "id": ("Indeks efektivitas per gelombang (interval bootstrap 95%) di {k} dari {n} "
               "wilayah: yang indeksnya paling banyak berubah sejak gelombang sebelumnya."),
        "en": ("Effectiveness index per wave (95% bootstrap interval) in {k} of {n} regions: "
               "those whose index changed most since the previous wave."),
    },
    "axis_wave": {"id": "Gelombang", "en": "Wave"},
    "axis_health_wave": {"id": "Kesehatan kemitraan ({scale})",
                         "en": "Partnership health ({scale})"},
    "axis_index_wave": {"id": "Indeks efektivitas (0–100)", "en": "Effectiveness index (0–100)"},
    "syn_change_col_waves": {"id": "Gelombang", "en": "Waves"},
    "syn_change_col_health": {"id": "Kesehatan, gelombang terakhir (IK 95%)",
                              "en": "Health, latest wave (95% CI)"},
    "syn_change_col_health_change": {"id": "Perubahan kesehatan (IK 95%)",
                                     "en": "Health change (95% CI)"},
    "syn_change_col_health_called": {"id": "Kesehatan: perubahan?", "en": "Health: a change?"},
    "syn_change_col_index": {"id": "Indeks, gelombang terakhir (IK 95%)",
                             "en": "Index, latest wave (95% CI)"},
    "syn_change_col_index_change": {"id": "Perubahan indeks (IK 95%)",
                                    "en": "Index change (95% CI)"},
    "syn_change_col_index_called": {"id": "Indeks: perubahan?", "en": "Index: a change?"},
    "syn_change_col_rank": {"id": "Peringkat (sebelumnya → terakhir)",
                            "en": "Rank (previous → latest)"},
    "syn_change_up": {"id": "▲ naik", "en": "▲ up"},
    "syn_change_down": {"id": "▼ turun", "en": "▼ down"},
    "syn_change_none": {"id": "tidak ada perubahan yang jelas", "en": "no clear change"},
    "syn_change_missing_wave": {"id": "tidak ada di salah satu gelombang",
                                "en": "missing from one of the waves"},
    # the workbook's Change and Index-by-wave sheets (headers, words, descriptions)
    "xlsx_comparison": {"id": "Perbandingan", "en": "Comparison"},
    "xlsx_from_wave": {"id": "Dari gelombang", "en": "From wave"},
    "xlsx_to_wave": {"id": "Ke gelombang", "en": "To wave"},
    "xlsx_change": {"id": "Perubahan skor (poin, {scale})", "en": "Score change (points, {scale})"},
    "xlsx_change_low": {"id": f"Perubahan IK {_CI} bawah", "en": f"Change {_CI} CI lower"},
    "xlsx_change_upp": {"id": f"Perubahan IK {_CI} atas", "en": f"Change {_CI} CI upper"},
    "xlsx_p_value": {"id": "Nilai p", "en": "p-value"},
    "xlsx_p_holm": {"id": "Nilai p (koreksi Holm)", "en": "p-value (Holm-adjusted)"},
    "xlsx_changed": {"id": "Disebut perubahan (p Holm < {alpha})",
                     "en": "Called a change (Holm p < {alpha})"},
    "xlsx_change_direction": {"id": "Arah perubahan", "en": "Direction of change"},
    "xlsx_n_from": {"id": "Responden gelombang awal", "en": "Respondents, from wave"},
    "xlsx_n_to": {"id": "Responden gelombang akhir", "en": "Respondents, to wave"},
    "xlsx_n_both": {"id": "Responden di kedua gelombang", "en": "Respondents in both waves"},
    "xlsx_clusters": {"id": "Klaster dalam galat baku (jumlah)",
                      "en": "Clusters in the standard error (count)"},
    "xlsx_wave": {"id": "Gelombang", "en": "Wave"},
    "xlsx_wave_order": {"id": "Urutan gelombang (1 = pertama)", "en": "Wave order (1 = first)"},
    "xlsx_n_ranked": {"id": "Wilayah diperingkat (jumlah)", "en": "Regions ranked (count)"},
    "xlsx_index_change": {"id": "Perubahan indeks sejak gelombang sebelumnya (poin)",
                          "en": "Index change since the previous wave (points)"},
    "xlsx_index_change_low": {"id": f"Perubahan indeks IK {_CI} bawah",
                              "en": f"Index change {_CI} CI lower"},
    "xlsx_index_change_upp": {"id": f"Perubahan indeks IK {_CI} atas",
                              "en": f"Index change {_CI} CI upper"},
    "xlsx_word_previous": {"id": "Sejak gelombang sebelumnya", "en": "Since the previous wave"},
    "xlsx_word_first": {"id": "Sejak gelombang pertama", "en": "Since the first wave"},
    "xlsx_word_up": {"id": "Naik", "en": "Up"},
    "xlsx_word_down": {"id": "Turun", "en": "Down"},
    "xlsx_word_overall": {"id": "Kesehatan kemitraan (rata-rata dimensi)",
                          "en": "Partnership health (mean of the dimensions)"},
    "xlsx_word_single_wave": {"id": "Satu gelombang: perubahan memerlukan gelombang kedua",
                              "en": "One wave: change needs a second wave"},
    "xlsx_word_too_few_respondents": {
        "id": "Tidak diestimasi: kurang dari {min_cell} responden di salah satu gelombang",
        "en": "Not estimated: fewer than {min_cell} respondents in one of the waves"},
    "xlsx_word_missing_wave": {"id": "Tidak diestimasi: wilayah tidak ada di salah satu gelombang",
                               "en": "Not estimated: the region is missing from one of the waves"},
    "xlsx_sheet_change": {"id": "Perubahan", "en": "Change"},
    "xlsx_sheet_index_waves": {"id": "Indeks per gelombang", "en": "Index by wave"},
    "xlsx_describe_change": {
        "id": ("Perubahan skor per wilayah dan dimensi sejak gelombang sebelumnya (dan sejak "
               "gelombang pertama bila ada 3 gelombang atau lebih), dengan IK yang "
               "memperhitungkan responden di kedua gelombang, nilai p dengan koreksi Holm atas "
               "dimensi, dan apakah disebut perubahan."),
        "en": ("Score change per region and dimension since the previous wave (and since the "
               "first wave when there are 3 or more waves), with a CI that accounts for "
               "respondents in both waves, p-values Holm-adjusted over the dimensions, and "
               "whether it is called a change."),
    },
    "xlsx_describe_change_units": {
        "id": ("Poin pada skala jawaban {scale}; perubahan = gelombang akhir − gelombang awal. "
               "Kurang dari {min_cell} responden di satu gelombang: tidak diestimasi."),
        "en": ("Points on the {scale} answer scale; change = to wave − from wave. Fewer than "
               "{min_cell} respondents in a wave: not estimated."),
    },
    "xlsx_describe_index_waves": {
        "id": ("Indeks efektivitas setiap wilayah per gelombang (dihitung pada data sampai "
               "gelombang itu), interval bootstrap, peringkat, dan perubahan sejak gelombang "
               "sebelumnya pada baris gelombang terakhir."),
        "en": ("Each region's effectiveness index per wave (computed on the data up to that "
               "wave), bootstrap interval, rank, and the change since the previous wave on the "
               "latest wave's row."),
    },
    "xlsx_describe_index_waves_units": {
        "id": ("Indeks 0–100; peringkat 1 = terbaik. IK perubahan menganggap kedua gelombang "
               "saling bebas (konservatif bila responden sama)."),
        "en": ("Index 0–100; rank 1 = best. The change's CI treats the two waves as "
               "independent (conservative when respondents overlap)."),
    },
    # --- the workbook's sheet names (<= 31 characters), in workbook order ---------------
    "xlsx_sheet_about": {"id": "Tentang", "en": "About"},
    "xlsx_sheet_scores": {"id": "Skor", "en": "Scores"},
    "xlsx_sheet_reliability": {"id": "Reliabilitas", "en": "Reliability"},
    "xlsx_sheet_indicators": {"id": "Indikator", "en": "Indicators"},
    "xlsx_sheet_attendance": {"id": "Kehadiran", "en": "Attendance"},
    "xlsx_sheet_coverage": {"id": "Cakupan pentahelix", "en": "Pentahelix coverage"},
    "xlsx_sheet_index": {"id": "Indeks", "en": "Index"},
    "xlsx_sheet_weights": {"id": "Bobot indeks", "en": "Index weights"},
    "xlsx_sheet_network": {"id": "Jejaring", "en": "Network"},
    # --- other words in the workbook's cells ({min_cell}: core.config.MIN_CELL) ----------
    "xlsx_word_yes": {"id": "Ya", "en": "Yes"},
    "xlsx_word_no": {"id": "Tidak", "en": "No"},
    "xlsx_word_higher": {"id": "Makin tinggi makin baik", "en": "Higher is better"},
    "xlsx_word_lower": {"id": "Makin rendah makin baik", "en": "Lower is better"},
    "xlsx_word_unknown": {"id": "Tidak diketahui", "en": "Unknown"},
    "xlsx_word_suppressed": {"id": "Disembunyikan: kurang dari {min_cell} responden",
                             "en": "Suppressed: fewer than {min_cell} respondents"},
    "xlsx_word_no_survey": {"id": "Tidak ada responden survei", "en": "No survey respondents"},
    "xlsx_word_not_invited": {"id": "Tidak diundang ke rapat", "en": "Not invited to any meeting"},
    "xlsx_word_no_network": {"id": "Tidak ada daftar pemangku kepentingan",
                             "en": "No stakeholder register"},
    "xlsx_word_no_ties": {"id": "Tidak ada hubungan kerja sama yang dilaporkan",
                          "en": "No collaboration ties reported"},
    "xlsx_word_not_computed": {"id": "Tidak dihitung", "en": "Not computed"},
    # --- the About sheet: its rows ({min_cell}: core.config.MIN_CELL) --------------------
    "xlsx_about_title": {"id": "Judul", "en": "Title"},
    "xlsx_about_title_text": {
        "id": "Ringkasan evaluasi efektivitas kemitraan multipihak, semua wilayah",
        "en": "Multi-stakeholder partnership effectiveness evaluation: summary, all regions"},
    "xlsx_about_version": {"id": "Versi evalkit", "en": "evalkit version"},
    "xlsx_about_digest": {"id": "Sidik data olahan", "en": "Processed-data fingerprint"},
    "xlsx_about_digest_note": {
        "id": "Dari data/processed/manifest.json; sama dengan yang dicantumkan laporan HTML.",
        "en": "Of data/processed/manifest.json; the same as the HTML reports cite."},
    "xlsx_about_regions": {"id": "Wilayah", "en": "Regions"},
    "xlsx_about_small": {"id": "Aturan sel kecil", "en": "Small-cell rule"},
    "xlsx_about_small_text": {
        "id": ("Kelompok dengan kurang dari {min_cell} responden tidak ditampilkan "
               "(nilai kosong, jumlah ditulis '<{min_cell}')."),
        "en": ("Groups of fewer than {min_cell} respondents are not shown "
               "(blank values, count shown as '<{min_cell}').")},
    "xlsx_about_language": {"id": "Bahasa", "en": "Language"},
    "xlsx_about_language_text": {"id": "Bahasa Indonesia", "en": "English"},
    # --- the About sheet: what each table sheet holds (xlsx_describe_<sheet>) and its
    # units and notes (xlsx_describe_<sheet>_units); {scale}, {low}, {high}, {low_label},
    # {high_label}: the form's answer scale; {min_cell}: core.config.MIN_CELL
    "xlsx_describe_scores": {
        "id": ("Skor rata-rata kesehatan kemitraan per wilayah dan dimensi (rata-rata tanpa bobot "
               f"dari skor responden) dengan interval kepercayaan {_CI} (t). Provinsi mencakup "
               "responden kabupaten/kotanya."),
        "en": ("Mean partnership-health score per region and dimension (unweighted mean of "
               f"respondents' scores) with its {_CI} confidence interval (t). A province includes "
               "its regencies' and cities' respondents."),
    },
    "xlsx_describe_scores_units": {
        "id": ("Skala {scale} ({low} = {low_label}, {high} = {high_label}). Laporan HTML wilayah "
               "menampilkan skor yang dibobot ke daftar pemangku kepentingan, jadi angkanya dapat "
               "sedikit berbeda."),
        "en": ("Scale {scale} ({low} = {low_label}, {high} = {high_label}). The regional HTML reports "
               "show scores weighted to the stakeholder register, so figures can differ slightly."),
    },
    "xlsx_describe_reliability": {
        "id": ("Reliabilitas setiap skala per wilayah: alfa Cronbach dengan interval Feldt dan "
               "omega total McDonald (model satu faktor)."),
        "en": ("Reliability of each scale per region: Cronbach's alpha with its Feldt interval and "
               "McDonald's omega total (one-factor model)."),
    },
    "xlsx_describe_reliability_units": {
        "id": ("0–1; alfa < 0,7 dipertanyakan untuk perbandingan kelompok. n = responden yang "
               "menjawab sedikitnya satu item dimensi."),
        "en": ("0–1; alpha < 0.7 is questionable for group comparisons. n = respondents who "
               "answered at least one item of the dimension."),
    },
    "xlsx_describe_indicators": {
        "id": ("Indikator yang disepakati per wilayah: nilai dasar, terakhir dan target, capaian "
               "jarak, status kemajuan dan ringkasannya (tercapai / akan tercapai / perlu "
               "perhatian khusus). Sel status diberi warna statusnya."),
        "en": ("Agreed indicators per region: baseline, latest and target values, distance covered, "
               "progress status and its summary (achieved / on track / needs attention). Status "
               "cells carry the status colour."),
    },
    "xlsx_describe_indicators_units": {
        "id": ("Nilai dalam satuan indikator (kolom Satuan). Capaian = (terakhir − dasar) / "
               "(target − dasar), dalam %; lebih dari 100% berarti target terlampaui."),
        "en": ("Values in the indicator's unit (Unit column). Achievement = (latest − baseline) / "
               "(target − baseline), in %; above 100% means the target was exceeded."),
    },
    "xlsx_describe_attendance": {
        "id": ("Kehadiran rapat forum per wilayah dan sektor: organisasi, undangan, kehadiran, "
               f"tingkat kehadiran dengan interval Wilson {_CI} (disesuaikan untuk undangan berulang "
               "ke organisasi yang sama)."),
        "en": ("Forum meeting attendance per region and sector: organisations, invitations, "
               f"attendances, attendance rate with its {_CI} Wilson interval (adjusted for repeated "
               "invitations of the same organisation)."),
    },
    "xlsx_describe_attendance_units": {
        "id": ("Tingkat dalam %. Yang dihitung organisasi, bukan orang, sehingga aturan sel kecil "
               "tidak berlaku."),
        "en": ("Rates in %. Organisations are counted, not people, so the small-cell rule does not "
               "apply."),
    },
    "xlsx_describe_coverage": {
        "id": ("Cakupan pentahelix per wilayah: setiap sektor dalam daftar pemangku kepentingan, "
               "survei dan rapat."),
        "en": ("Pentahelix coverage per region: each sector in the stakeholder register, the survey "
               "and the meetings."),
    },
    "xlsx_describe_coverage_units": {
        "id": "Jumlah. Responden survei kurang dari {min_cell} ditulis '<{min_cell}'.",
        "en": "Counts. Fewer than {min_cell} survey respondents are shown as '<{min_cell}'.",
    },
    "xlsx_describe_index": {
        "id": ("Indeks efektivitas kemitraan per wilayah dengan interval bootstrap, peringkat dan "
               "intervalnya, sub-indeks pilar, rentang peringkat bila bobot pilar diubah-ubah "
               "(persentil 5–95), dan nilai mentah setiap komponen."),
        "en": ("Partnership-effectiveness index per region with its bootstrap interval, rank and "
               "rank interval, pillar sub-indices, the range of ranks when the pillar weights vary "
               "(5th–95th percentile), and each component's raw value."),
    },
    "xlsx_describe_index_units": {
        "id": ("Indeks dan pilar 0–100; komponen dalam satuannya (skor {scale}, lainnya %). "
               "Peringkat 1 = terbaik."),
        "en": ("Index and pillars 0–100; components in their units (score {scale}, the others %). "
               "Rank 1 = best."),
    },
    "xlsx_describe_weights": {
        "id": "Bobot indeks: pilar, komponen, arah, batas normalisasi (goalpost) dan bobot.",
        "en": ("The index's weights: pillars, components, direction, normalisation goalposts and "
               "weights."),
    },
    "xlsx_describe_weights_units": {
        "id": "Bobot dalam %; bobot dalam indeks = bobot pilar × bobot dalam pilar.",
        "en": "Weights in %; weight in the index = pillar weight × weight within pillar.",
    },
    "xlsx_describe_network": {
        "id": ("Jejaring kolaborasi per wilayah: ukuran, kepadatan, sentralisasi, organisasi "
               "terisolasi, dan skor kepercayaan dan nilai PARTNER."),
        "en": ("Collaboration network per region: size, density, centralisation, isolated "
               "organisations, and PARTNER trust and value scores."),
    },
    "xlsx_describe_network_units": {
        "id": ("Kepadatan dan sentralisasi 0–1; skor PARTNER dalam % dari skor maksimum 4 "
               "(skala 1–4, jadi minimum 25%)."),
        "en": ("Density and centralisation 0–1; PARTNER scores in % of the maximum score 4 "
               "(scale 1–4, so the floor is 25%)."),
    },
    # --- why a reliability statistic is NaN: the codes of measure.scales.reliability_table's
    # note_code (RELIABILITY_NOTE_CODES); "en" is the library's own note. The codes with
    # details (too_few, alpha_error, omega_error) have no key: their English note is shown.
    "reliability_note_single_item": {"id": "dimensi satu item: reliabilitas tidak terdefinisi",
                                     "en": "single-item dimension: reliability undefined"},
    "reliability_note_few_complete": {"id": "kurang dari 2 jawaban lengkap: tidak diestimasi",
                                      "en": "fewer than 2 complete cases: not estimated"},
    "reliability_note_zero_variance": {"id": "varians skor total nol: alfa tidak terdefinisi",
                                       "en": "zero variance of the total score: alpha undefined"},
    "reliability_note_omega_items": {"id": "omega memerlukan sedikitnya 3 item",
                                     "en": "omega needs at least 3 items"},
    "reliability_note_omega_not_converged": {"id": "omega: model faktor tidak konvergen",
                                             "en": "omega: factor model did not converge"},
    "reliability_note_omega_heywood": {"id": "omega: kasus Heywood (keunikan mendekati nol)",
                                       "en": "omega: Heywood case (a uniqueness near zero)"},
}


class ReportLang(str):
    """A language code (``"id"``, ``"en"``) that carries the confidence level of the
    report it words: :func:`text` then names that level wherever a template names the
    default one (``"95%"`` becomes ``"90%"``, Indonesian ``"97,5%"``).

    A regional report made with another ``ci_level``
    (:class:`evalkit.analyse.choices.AnalysisChoices`) keeps one of these as its
    ``lang``, so every sentence, column header and caption drawn from it states the
    level of its numbers; it compares, hashes and prints as the plain code.

    Examples
    --------
    >>> text("col_ci", ReportLang("en", 0.9))
    '90% CI'
    >>> ReportLang("en", 0.9) == "en"
    True
    """

    ci_level: float

    def __new__(cls, code: str, ci_level: float = CI_LEVEL) -> ReportLang:
        out = super().__new__(cls, str(code))
        out.ci_level = float(ci_level)
        return out


_DEFAULT_LEVEL = f"{100 * CI_LEVEL:g}%"  # "95%": how the templates name the default level


def level_text(level: float, lang: str = "id") -> str:
    """A confidence level as the report states it: ``"90%"``, ``"97.5%"`` (Indonesian
    ``"97,5%"``)."""
    out = f"{100 * float(level):g}%"
    return out.replace(".", ",") if str(lang) == "id" else out


def text(key: str, lang: str = "id", **values: object) -> str:
    """The ``lang`` version of ``TEXT[key]`` with ``values`` filled in.

    The result is plain text: where it goes into Markdown, use :func:`md`; into HTML,
    escape it (:func:`evalkit.core.escape.html_text`). A :class:`ReportLang` of another
    confidence level than the default has the template's ``"95%"`` read as its level
    (before the values are filled in: a value is never changed).
    """
    template = TEXT[key][_check_lang(lang)]
    level = getattr(lang, "ci_level", CI_LEVEL)
    if level != CI_LEVEL and _DEFAULT_LEVEL in template:
        template = template.replace(_DEFAULT_LEVEL, level_text(level, lang))
    return template.format(**values)


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def md(key: str, lang: str = "id", **values: object) -> MdSafe:
    """:func:`text` for Markdown: the template's own Markdown kept, the *values* escaped.

    Text values (an organisation, indicator or sector name from a user's file) are
    escaped with :func:`evalkit.core.escape.md_text` at fill time, so no link, image, emphasis
    or raw HTML can come from data; numbers keep their format specs; a value that is
    itself :func:`md` output (:class:`~evalkit.core.escape.MdSafe`) is not escaped again.
    """
    return MdSafe(text(key, lang, **{k: md_value(v) for k, v in values.items()}))


def _coded(prefix: str, key: object, lang: str, what: str) -> str:
    """``text(prefix + key, lang)``, with an error naming the known keys of ``what``."""
    name = f"{prefix}{key}"
    if name not in TEXT:
        known = ", ".join(k[len(prefix):] for k in TEXT if k.startswith(prefix))
        raise ValueError(f"unknown {what} {key!r}; expected one of {known}")
    return text(name, lang)


def status_label(status: str, lang: str = "id") -> str:
    """Label of an indicator progress status (a key of
    :data:`evalkit.measure.indicators.STATUSES`) in Indonesian or English.

    Raises
    ------
    ValueError
        For an unknown status or language.

    Examples
    --------
    >>> status_label("acceleration_needed")
    'Perlu percepatan'
    >>> status_label("acceleration_needed", lang="en")
    'Acceleration needed'
    """
    return _coded("status_", status, lang, "progress status")


def summary_label(key: str, lang: str = "id") -> str:
    """Label of a summary key (:data:`evalkit.measure.indicators.SUMMARY_KEYS`).

    Examples
    --------
    >>> summary_label("needs_attention", "en")
    'Needs attention'
    """
    return _coded("summary_", key, lang, "summary key")


def status_summary(status: str, lang: str = "id") -> str:
    """Three-way summary label of a status, as used in Indonesian SDG monitoring.

    ``"Sudah tercapai"`` / ``"Achieved"``, ``"Akan tercapai"`` / ``"On track"``,
    ``"Perlu perhatian khusus"`` / ``"Needs attention"``, or ``"Data tidak cukup"`` /
    ``"Insufficient data"`` (the status's key from
    :func:`evalkit.measure.indicators.summary_key`).

    References
    ----------
    .. [1] Bappenas, SDGs Indonesia dashboard / *Metadata Indikator TPB*: the
       "sudah tercapai / akan tercapai / perlu perhatian khusus" classification.

    Examples
    --------
    >>> status_summary("deterioration")
    'Perlu perhatian khusus'
    >>> status_summary("on_track", lang="en")
    'On track'
    """
    from evalkit.measure.indicators import summary_key  # a code mapping of the measure stage

    return summary_label(summary_key(status), lang)


def pillar_label(pillar: str, lang: str = "id") -> str:
    """Label of a pillar of the effectiveness index (``process``, ``engagement``,
    ``outcome``); another pillar is shown by its key.

    Examples
    --------
    >>> pillar_label("outcome", "en")
    'Outcomes'
    """
    key = f"pillar_{pillar}"
    if key in TEXT:
        return text(key, lang)
    _check_lang(lang)
    return str(pillar)


def component_label(component: str, lang: str = "id") -> str:
    """Label of a component of the effectiveness index (a key of
    :attr:`evalkit.measure.effectiveness.IndexSpec.components`); another component is
    shown by its key.

    Examples
    --------
    >>> component_label("attendance_rate", "en")
    'Meeting attendance rate'
    >>> component_label("my_component", "en")
    'my_component'
    """
    key = f"index_component_{component}"
    if key in TEXT:
        return text(key, lang)
    _check_lang(lang)
    return str(component)


def level_label(level: int, lang: str = "id") -> str:
    """Label of a PARTNER level of collaboration (0-3, :data:`evalkit.measure.network.LEVELS`).

    Examples
    --------
    >>> level_label(2, "en")
    'Coordinated (joint planning/activities)'
    """
    return _coded("collab_level_", int(level), lang, "collaboration level")


def tie_problem_label(problem: str, lang: str = "id") -> str:
    """Description of a problem of the ties table (:data:`evalkit.measure.network.TIE_PROBLEMS`).

    Examples
    --------
    >>> tie_problem_label("self_tie", "en")
    'Organisation rates itself'
    """
    return _coded("tie_problem_", problem, lang, "tie problem")


def reliability_note(note: str | None, codes: str | None, lang: str = "id") -> str | None:
    """A reliability row's note in ``lang``, from its codes.

    Parameters
    ----------
    note : str or None
        The English ``note`` of :func:`evalkit.measure.scales.reliability_table`, parts
        joined by ``"; "``.
    codes : str or None
        Its ``note_code``: one code per part, joined the same way.
    lang : {"id", "en"}, default "id"

    Returns
    -------
    str or None
        Each part worded by its key ``reliability_note_<code>``; a part whose code has
        no key (it carries a detail: a count, an error message) in the library's English.
        The English note as it is when the codes do not match its parts (none given, or
        a detail holding ``"; "``); None without a note.
    """
    _check_lang(lang)
    if not note:
        return None
    parts = str(note).split("; ")
    keys = [f"reliability_note_{code}" for code in str(codes or "").split("; ")]
    if len(keys) != len(parts):
        return str(note)
    return "; ".join(text(key, lang) if key in TEXT else part for key, part in zip(keys, parts))
