"""clean_survey on a form that is not the demo's: roles, scale, consent, review, pseudonyms.

The form is built here (not by the demo generator): Indonesian-only labels, its own field
names declared by a ``role`` column, its own sector codes with a pentahelix mapping (one
group outside the five), a 4-point scale with ``99`` declared missing.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from evalkit.clean.pii import personal_columns
from evalkit.clean.survey import QUALITY_CHECKS, clean_survey
from evalkit.core.errors import InputFileError
from evalkit.read.codebook import Codebook, read_codebook

KEY = b"contract-key"
LAB_ID = "label::Indonesian (id)"
DIMENSIONS = ("percaya", "tujuan")
ITEMS = [f"{dim}_{i}" for dim in DIMENSIONS for i in (1, 2, 3)]  # *_3 reverse-keyed


def write_xlsform(path, sheets):
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


def form_sheets(points=("1", "2", "3", "4"), *, wave=False):
    survey = [
        {"type": "start", "name": "mulai", LAB_ID: "Mulai"},
        {"type": "end", "name": "selesai", LAB_ID: "Selesai"},
        {"type": "text", "name": "kab_kota", LAB_ID: "Kabupaten/kota", "role": "region"},
        {"type": "select_one sektor", "name": "jenis_lembaga", LAB_ID: "Jenis lembaga",
         "role": "sector"},
        {"type": "text", "name": "nama_lembaga", LAB_ID: "Nama lembaga", "role": "organisation"},
        {"type": "select_one ya_tidak", "name": "persetujuan", LAB_ID: "Bersedia ikut?",
         "role": "consent"},
        {"type": "text", "name": "nama_responden", LAB_ID: "Nama", "pii": "yes"},
        {"type": "text", "name": "no_hp", LAB_ID: "Nomor HP", "pii": "yes"},
    ]
    if wave:
        survey.append({"type": "text", "name": "putaran", LAB_ID: "Putaran", "role": "wave"})
    for dim in DIMENSIONS:
        survey.append({"type": "begin_group", "name": f"g_{dim}", LAB_ID: dim.title(),
                       "dimension": dim})
        for i in (1, 2, 3):
            survey.append({"type": "select_one skala", "name": f"{dim}_{i}",
                           LAB_ID: f"Butir {dim} {i}", "dimension": dim,
                           "reverse": "yes" if i == 3 else "no"})
        survey.append({"type": "end_group"})
    choices = [{"list_name": "skala", "name": p, LAB_ID: f"Poin {p}"} for p in points]
    choices.append({"list_name": "skala", "name": "99", LAB_ID: "Tidak tahu", "missing": "yes"})
    for name, label, category in [("pemda", "Pemerintah Daerah", "pemerintah"),
                                  ("swasta", "Swasta", "dunia_usaha"),
                                  ("pt", "Perguruan Tinggi", "akademisi"),
                                  ("lsm", "LSM", "masyarakat_sipil"),
                                  ("media_massa", "Media massa", "media"),
                                  ("tokoh", "Tokoh masyarakat", None)]:
        choices.append({"list_name": "sektor", "name": name, LAB_ID: label,
                        "pentahelix": category})
    choices += [{"list_name": "ya_tidak", "name": "ya", LAB_ID: "Ya"},
                {"list_name": "ya_tidak", "name": "tidak", LAB_ID: "Tidak"}]
    return {"survey": pd.DataFrame(survey), "choices": pd.DataFrame(choices)}


def make_form(tmp_path, points=("1", "2", "3", "4"), **kwargs) -> Codebook:
    return read_codebook(write_xlsform(tmp_path / "form_ntt.xlsx", form_sheets(points, **kwargs)))


@pytest.fixture
def form(tmp_path) -> Codebook:
    return make_form(tmp_path)


VARIED = ["Poin 3", "2", "Poin 1", "4", "Poin 2", "1"]


def row(uuid, name="Maria Bria", phone="081234500001", *, region="Kota Kupang",
        sector="LSM", org="Yayasan Sehat", consent="Ya", answers=None, shift=0,
        start="2024-03-05T09:00:00+08:00", seconds=600, **extra):
    """One Kobo-style row with XML headers (group-prefixed items)."""
    begin = pd.Timestamp(start)
    answers = answers if answers is not None else [VARIED[(i + shift) % 6] for i in range(6)]
    out = {"mulai": begin.isoformat(), "selesai": (begin + pd.Timedelta(seconds=seconds)).isoformat(),
           "kab_kota": region, "jenis_lembaga": sector, "nama_lembaga": org,
           "persetujuan": consent, "nama_responden": name, "no_hp": phone}
    for item, answer in zip(ITEMS, answers):
        out[f"g_{item.split('_')[0]}/{item}"] = answer
    out["_uuid"] = uuid
    out.update(extra)
    return out


def clean(rows, form, **kwargs):
    return clean_survey(pd.DataFrame(rows), form, source="survey_ntt.csv", key=KEY, **kwargs)


def reasons(result) -> dict[str, str]:
    by_row = result.quarantine.set_index("source_row")["reason"]
    return {json.loads(r)["_uuid"]: by_row[s] for s, r in
            zip(result.quarantine["source_row"], result.quarantine["record"])}


# --- roles and output -----------------------------------------------------------------
def test_role_fields_with_other_names(form):
    rows = [row("a"), row("b", "Yohanes Lado", "081234500002", region="Kab. Sikka",
                          sector="Perguruan Tinggi", org="Universitas Nusa Cendana", shift=1),
            row("c", "Agnes Kolo", "081234500003", sector="tokoh", org="Tokoh adat", shift=2)]
    result = clean(rows, form)
    data = result.data.set_index("response_id")
    assert list(result.data.columns[:11]) == [
        "response_id", "respondent_id", "region_code", "region_name", "region_level",
        "province_code", "organisation", "sector", "wave", "started_at", "duration_s"]
    assert list(result.data.columns[11:]) == ITEMS + ["quality_flags", "source_row"]
    assert data.at["a", "region_code"] == "53.71" and data.at["b", "region_code"] == "53.07"
    # sector labels -> the form's own codes; a group outside the pentahelix is kept
    assert data["sector"].to_dict() == {"a": "lsm", "b": "pt", "c": "tokoh"}
    assert data.at["b", "organisation"] == "Universitas Nusa Cendana"  # not personal data
    assert data["duration_s"].tolist() == [600.0] * 3
    assert (result.data["wave"] == "1").all()  # no wave declared: the one wave "1"
    assert result.quarantine.empty and result.warnings == []


def test_organisation_role_is_not_personal_but_pii_fields_are(form):
    columns = ["nama_lembaga", "nama_responden", "no_hp", "kab_kota", "email_kontak"]
    assert personal_columns(columns, form) == ["nama_responden", "no_hp", "email_kontak"]


def test_wave_column_only_when_the_form_has_one(tmp_path):
    form = make_form(tmp_path, wave=True)
    result = clean([row("a", putaran="2024-1"), row("b", "X Y", "0811", putaran=" 2024-1 ",
                                                    shift=1)], form)
    assert result.data["wave"].tolist() == ["2024-1", "2024-1"]
    assert result.data.columns.get_loc("wave") == result.data.columns.get_loc("sector") + 1


def test_export_without_the_region_column_names_the_role(form):
    raw = pd.DataFrame([row("a")]).drop(columns="kab_kota")
    with pytest.raises(InputFileError, match=r"no column for the field\(s\) 'kab_kota' "
                                             r"\(role 'region'\)"):
        clean_survey(raw, form, source="survey_ntt.csv", key=KEY)


def test_label_headers_find_the_role_fields(form):
    raw = pd.DataFrame([row("a"), row("b", "Yohanes Lado", "0812", shift=1)])
    raw = raw.rename(columns={"kab_kota": "Kabupaten/kota", "jenis_lembaga": "Jenis lembaga"})
    assert clean_survey(raw, form, source="s.csv", key=KEY).data["sector"].tolist() == ["lsm"] * 2


# --- scale ------------------------------------------------------------------------------
def test_four_point_scale_scores_labels_numbers_and_flags_the_range(form):
    answers = ["Poin 4", "1", "99", "5", "Tidak tahu", "Poin 2"]
    result = clean([row("a", answers=answers)], form)
    scores = result.data.loc[0, ITEMS]
    assert scores["percaya_1"] == 4.0 and scores["percaya_2"] == 1.0
    assert math.isnan(scores["percaya_3"])  # 99 declared missing: never a score, no flag
    assert math.isnan(scores["tujuan_1"])   # 5 is off the 1-4 scale
    assert math.isnan(scores["tujuan_2"])
    assert result.flags[["column", "value", "issue"]].values.tolist() == [
        ["tujuan_1", "5", "out of range 1-4"]]


def test_four_point_reverse_is_five_minus_x(form):
    result = clean([row("a", answers=["1", "2", "1", "4", "3", "4"])], form)
    reverse_items = form.items.loc[form.items["reverse"], "item"].tolist()
    assert reverse_items == ["percaya_3", "tujuan_3"]
    raw_scores = result.data.loc[0, reverse_items]
    assert raw_scores.tolist() == [1.0, 4.0]  # cleaning keeps the answer as given
    assert form.scale.reverse(raw_scores).tolist() == [4.0, 1.0]  # scoring: 1 + 4 - x


def test_zero_to_six_scale(tmp_path):
    form = make_form(tmp_path, points=tuple(str(i) for i in range(7)))
    result = clean([row("a", answers=["0", "6", "Poin 3", "7", "-1", "99"])], form)
    scores = result.data.loc[0, ITEMS].tolist()
    assert scores[:3] == [0.0, 6.0, 3.0]
    assert all(math.isnan(v) for v in scores[3:])
    assert result.flags["issue"].tolist() == ["out of range 0-6", "out of range 0-6"]
    assert form.scale.reverse(0) == 6


def test_seven_point_scale(tmp_path):
    form = make_form(tmp_path, points=tuple(str(i) for i in range(1, 8)))
    result = clean([row("a", answers=["7", "Poin 5", "1", "8", "4", "2"])], form)
    scores = result.data.loc[0, ITEMS].tolist()
    assert scores[:3] == [7.0, 5.0, 1.0] and math.isnan(scores[3])
    assert result.flags["issue"].tolist() == ["out of range 1-7"]


# --- consent and review ---------------------------------------------------------------
def test_no_consent_and_not_approved_are_quarantined_with_their_reasons(form):
    rows = [
        row("ok"),
        row("declined", "Yosef Tefa", "0813", consent="Tidak", shift=1),
        row("blank", "Rina Nenobais", "0814", consent=None, shift=2),
        # declined and fast: the reason is no_consent, not speeder
        row("declined-fast", "Dominggus Sae", "0815", consent="tidak", seconds=5, shift=3),
        row("rejected", "Paulus Ati", "0816", shift=4,
            _validation_status="validation_status_not_approved"),
        row("held", "Ester Bani", "0817", shift=5, _validation_status="validation_status_on_hold"),
    ]
    rows[0]["_validation_status"] = "validation_status_approved"
    result = clean(rows, form)
    assert reasons(result) == {"declined": "no_consent", "blank": "no_consent",
                               "declined-fast": "no_consent", "rejected": "not_approved"}
    assert sorted(result.data["response_id"]) == ["held", "ok"]
    held = result.flags[result.flags["column"] == "_validation_status"]
    assert held["source_row"].tolist() == [7]
    assert "on hold" in held["issue"].iloc[0]
    detail = result.quarantine.set_index("reason")["detail"]
    assert "consent" in detail["no_consent"].iloc[0]
    assert len(rows) == len(result.data) + len(result.quarantine)


def test_declined_consent_keeps_no_answers_in_the_quarantine(form):
    rows = [row("ok"), row("declined", "Yosef Tefa", "0813", consent="Tidak", shift=1),
            row("rejected", "Paulus Ati", "0816", shift=2,
                _validation_status="validation_status_not_approved")]
    result = clean(rows, form)
    records = {r: json.loads(rec) for r, rec in
               zip(result.quarantine["reason"], result.quarantine["record"])}
    declined = records["no_consent"]
    assert not set(ITEMS) & set(declined)  # no permission to keep the answers
    assert {"_uuid", "kab_kota", "jenis_lembaga"} <= set(declined)
    assert set(ITEMS) <= set(records["not_approved"])  # other exclusions keep them
    assert result.quarantine["source_row"].tolist() == [3, 4]  # in file order


def test_consent_by_choice_name_or_label(form):
    rows = [row("a", consent="ya"), row("b", "B B", "0812", consent="YA ", shift=1),
            row("c", "C C", "0813", consent="yes", shift=2)]
    assert len(clean(rows, form).data) == 3


def test_odk_review_state_and_key(form):
    rows = [row(None, KEY="uuid:1", ReviewState="approved"),
            row(None, "B B", "0812", shift=1, KEY="uuid:2", ReviewState="rejected"),
            row(None, "C C", "0813", shift=2, KEY="uuid:3", ReviewState="hasIssues")]
    raw = pd.DataFrame(rows).drop(columns="_uuid")
    result = clean_survey(raw, form, source="odk.csv", key=KEY)
    assert sorted(result.data["response_id"]) == ["uuid:1", "uuid:3"]  # ODK's KEY is the id
    assert result.quarantine["reason"].tolist() == ["not_approved"]
    assert result.flags["column"].tolist() == ["ReviewState"]


def test_form_without_consent_field_has_no_consent_check(tmp_path):
    sheets = form_sheets()
    sheets["survey"] = sheets["survey"][sheets["survey"]["name"] != "persetujuan"]
    form = read_codebook(write_xlsform(tmp_path / "f.xlsx", sheets))
    assert "consent" not in form.roles
    assert len(clean([row("a", consent="Tidak")], form).data) == 1


# --- person key and pseudonyms ---------------------------------------------------------
def test_distinct_pseudonyms_with_own_pii_field_names(form):
    names = ["Maria Bria", "Yohanes Lado", "Agnes Kolo", "Paulus Ati", "Ester Bani"]
    rows = [row(f"u{i}", name, f"08123450000{i}", shift=i) for i, name in enumerate(names)]
    data = clean(rows, form).data
    assert data["respondent_id"].nunique() == 5
    assert data["respondent_id"].str.fullmatch(r"R[0-9a-f]{12}").all()


def test_duplicate_respondent_found_by_own_pii_fields(form):
    rows = [row("first"),
            row("again", " maria  BRIA", "+62 812-3450-0001", start="2024-03-06T09:00:00+08:00"),
            row("other", "Maria Bria", "081299999999", start="2024-03-07T09:00:00+08:00")]
    result = clean(rows, form)
    assert reasons(result) == {"again": "duplicate_respondent"}
    ids = result.data.set_index("response_id")["respondent_id"]
    assert ids["first"] != ids["other"]  # same name, other phone: another person


def test_rows_without_personal_data_get_their_own_pseudonym(form):
    rows = [row(f"u{i}", None, None, answers=["Poin 2"] * 5 + ["3"], shift=i) for i in range(3)]
    result = clean(rows, form)
    assert len(result.data) == 3  # identical answers, but no one to call a duplicate
    assert result.data["respondent_id"].nunique() == 3


def test_test_submission_read_from_own_name_and_organisation_fields(form):
    rows = [row("a"), row("b", "Tes", "0812", shift=1), row("c", "Ana", "0813", org="Coba", shift=2)]
    assert reasons(clean(rows, form)) == {"b": "test_submission", "c": "test_submission"}


# --- speeder ----------------------------------------------------------------------------
def test_speeder_limit_scales_with_the_number_of_items(form):
    # 6 items x 6 s = 36 s
    rows = [row("fast", seconds=30), row("ok", "B B", "0812", seconds=40, shift=1)]
    result = clean(rows, form)
    assert reasons(result) == {"fast": "speeder"}
    assert result.quarantine["detail"].iloc[0] == "interview shorter than 36 s"
    assert "180" not in QUALITY_CHECKS["speeder"]
    # an explicit limit wins
    assert reasons(clean(rows, form, speeder_seconds=45)) == {"fast": "speeder", "ok": "speeder"}


def test_no_times_skips_the_speeder_check_with_a_warning(form):
    raw = pd.DataFrame([row("a", seconds=1)]).drop(columns=["mulai", "selesai"])
    result = clean_survey(raw, form, source="s.csv", key=KEY)
    assert len(result.data) == 1
    assert result.data["started_at"].isna().all() and result.data["duration_s"].isna().all()
    assert any("speeder check is skipped" in w for w in result.warnings)


def test_no_id_column_gives_row_ids_with_a_warning(form):
    raw = pd.DataFrame([row("a"), row("b", "B B", "0812", shift=1)]).drop(columns="_uuid")
    result = clean_survey(raw, form, source="s.csv", key=KEY)
    assert sorted(result.data["response_id"]) == ["row-2", "row-3"]
    assert any("no submission id" in w for w in result.warnings)


# --- aliases ----------------------------------------------------------------------------
def test_aliases_rewrite_region_and_sector_before_lookup(form):
    rows = [row("a", region="Kupang kota", sector="Pemerintah Kabupaten"),
            row("b", "B B", "0812", region="Kab. Sikka", sector="NGO lokal", shift=1)]
    aliases = {"region": {"kupang kota": "53.71"},
               "sector": {"pemerintah kabupaten": "pemda", "ngo lokal": "lsm"}}
    data = clean(rows, form, aliases=aliases).data.set_index("response_id")
    assert data.at["a", "region_code"] == "53.71"
    assert data["sector"].to_dict() == {"a": "pemda", "b": "lsm"}
    result = clean(rows, form)  # without aliases: unknown
    assert reasons(result) == {"a": "unknown_sector", "b": "unknown_sector"}
