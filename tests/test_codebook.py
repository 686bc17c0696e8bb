"""Tests for evalkit.read.codebook: reading the XLSForm / CSV codebook."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evalkit.core.errors import InputFileError
from evalkit.demo import generator as demo
from evalkit.read.codebook import (
    KOBO_METADATA_COLUMNS,
    Codebook,
    check_columns,
    match_headers,
    normalize_label,
    read_codebook,
)

REVERSE_ITEMS = ["q03", "q06", "q12", "q18", "q24", "q30"]


def write_xlsform(path, sheets: dict[str, pd.DataFrame]):
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


@pytest.fixture(scope="module")
def codebook(tmp_path_factory) -> Codebook:
    path = tmp_path_factory.mktemp("codebook") / "codebook_xlsform.xlsx"
    return read_codebook(write_xlsform(path, demo.make_codebook()))


@pytest.fixture
def sheets() -> dict[str, pd.DataFrame]:
    """A fresh copy of the demo XLSForm sheets, for tests that break them."""
    return demo.make_codebook()


# --------------------------------------------------------------------------------------
# the demo XLSForm
# --------------------------------------------------------------------------------------
def test_items(codebook):
    assert len(codebook.items) == 30
    assert codebook.item_names == [f"q{i:02d}" for i in range(1, 31)]  # form order
    assert set(codebook.items["list_name"]) == {"likert5"}


def test_dimensions(codebook):
    assert len(codebook.dimensions) == 10
    assert codebook.dimensions["dimension"].tolist()[:3] == ["trust", "communication",
                                                            "shared_goals"]
    # 30 items over 10 dimensions, 3 each in the demo form.
    assert codebook.items["dimension"].value_counts().eq(3).all()


def test_reverse_keyed_items(codebook):
    reverse = codebook.items.loc[codebook.items["reverse"], "item"].tolist()
    assert reverse == REVERSE_ITEMS
    assert codebook.items["reverse"].dtype == bool


def test_pii_fields(codebook):
    assert codebook.pii_fields == ["respondent_name", "respondent_phone"]


def test_item_labels_in_both_languages(codebook):
    q01 = codebook.items.set_index("item").loc["q01"]
    assert q01["label_id"] == "Saya percaya mitra lain dalam forum menepati komitmennya."
    assert q01["label_en"] == "I trust the other partners in the forum to keep their commitments."
    assert codebook.items["label_id"].notna().all()
    assert codebook.items["label_en"].notna().all()


def test_dimension_labels(codebook):
    assert codebook.dimension_label("trust") == "Kepercayaan"  # default language: id
    assert codebook.dimension_label("trust", "en") == "Trust"
    assert codebook.dimension_label("resources", "en") == "Resources & competence"


def test_choice_lookup_likert(codebook):
    lookup = codebook.choice_lookup("likert5")
    assert lookup["sangat setuju"] == "5"
    assert lookup["strongly agree"] == "5"
    assert lookup["5"] == "5"
    assert lookup["tidak setuju"] == "2"
    assert lookup["tidak tahu"] == "dk"
    assert lookup["don't know"] == "dk"
    # keys are normalised, so a raw label needs normalize_label first
    assert lookup[normalize_label("  Sangat   SETUJU ")] == "5"


def test_choice_lookup_sector(codebook):
    lookup = codebook.choice_lookup("sector")
    assert lookup["dunia usaha"] == "dunia_usaha"
    assert lookup["business"] == "dunia_usaha"
    assert lookup["masyarakat_sipil"] == "masyarakat_sipil"


def test_scale_points(codebook):
    points = codebook.scale_points("likert5")
    assert {k: v for k, v in points.items() if k != "dk"} == {
        "1": 1.0, "2": 2.0, "3": 3.0, "4": 4.0, "5": 5.0}
    assert math.isnan(points["dk"])  # "don't know" is never a score


def test_scale_points_non_numeric_choice_raises(codebook):
    # The sector list is not a scale: its names are not numbers.
    with pytest.raises(InputFileError, match="pemerintah"):
        codebook.scale_points("sector")


def test_fields(codebook):
    fields = codebook.fields.set_index("name")
    assert fields.at["sector", "list_name"] == "sector"
    assert fields.at["region", "type"] == "text"
    assert not fields.at["organisation", "pii"]


def test_source_and_no_warnings(codebook):
    assert codebook.source.endswith("codebook_xlsform.xlsx")
    assert codebook.warnings == []


def test_normalize_label():
    assert normalize_label(" Sangat  Setuju\t") == "sangat setuju"
    assert normalize_label(4) == "4"


# --------------------------------------------------------------------------------------
# broken forms
# --------------------------------------------------------------------------------------
def test_undefined_choice_list(tmp_path, sheets):
    survey = sheets["survey"]
    survey.loc[survey["name"] == "q01", "type"] = "select_one agree7"
    path = write_xlsform(tmp_path / "form.xlsx", sheets)
    with pytest.raises(InputFileError) as info:
        read_codebook(path)
    assert "agree7" in str(info.value)
    assert str(info.value).startswith("form.xlsx:")


def test_not_an_xlsform(tmp_path):
    path = write_xlsform(tmp_path / "data.xlsx", {"Sheet1": pd.DataFrame({"a": [1]})})
    with pytest.raises(InputFileError, match="not an XLSForm") as info:
        read_codebook(path)
    assert "'survey'" in str(info.value)
    assert "Sheet1" in str(info.value)  # tells the officer what the file does have


def test_missing_choices_sheet(tmp_path, sheets):
    path = write_xlsform(tmp_path / "form.xlsx", {"survey": sheets["survey"]})
    with pytest.raises(InputFileError, match="'choices'"):
        read_codebook(path)


def test_dimension_with_two_items_warns(tmp_path, sheets):
    survey = sheets["survey"]
    sheets["survey"] = survey[survey["name"] != "q03"]  # trust keeps q01, q02
    codebook = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert len(codebook.items) == 29
    assert len(codebook.warnings) == 1
    assert "'trust'" in codebook.warnings[0]
    assert "2 item" in codebook.warnings[0]


def test_reverse_value_not_yes_no(tmp_path, sheets):
    survey = sheets["survey"]
    survey.loc[survey["name"] == "q03", "reverse"] = "maybe"
    path = write_xlsform(tmp_path / "form.xlsx", sheets)
    with pytest.raises(InputFileError) as info:
        read_codebook(path)
    assert "q03" in str(info.value)
    assert "'maybe'" in str(info.value)


@pytest.mark.parametrize("value, expected", [("Ya", True), ("TRUE", True), ("x", True),
                                             ("tidak", False), ("No", False)])
def test_reverse_yes_no_spellings(tmp_path, sheets, value, expected):
    survey = sheets["survey"]
    survey.loc[survey["name"] == "q01", "reverse"] = value
    codebook = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert bool(codebook.items.set_index("item").at["q01", "reverse"]) is expected


def test_survey_without_name_column(tmp_path, sheets):
    sheets["survey"] = sheets["survey"].drop(columns="name")
    path = write_xlsform(tmp_path / "form.xlsx", sheets)
    with pytest.raises(InputFileError, match="'name'"):
        read_codebook(path)


# --------------------------------------------------------------------------------------
# CSV codebook
# --------------------------------------------------------------------------------------
def test_csv_codebook_with_sibling_choices(tmp_path, sheets):
    sheets["survey"].to_csv(tmp_path / "form.csv", index=False)
    sheets["choices"].to_csv(tmp_path / "form_choices.csv", index=False)
    codebook = read_codebook(tmp_path / "form.csv")
    assert len(codebook.items) == 30
    assert len(codebook.dimensions) == 10
    assert codebook.items.loc[codebook.items["reverse"], "item"].tolist() == REVERSE_ITEMS
    assert codebook.pii_fields == ["respondent_name", "respondent_phone"]
    assert codebook.choice_lookup("likert5")["strongly agree"] == "5"


def test_csv_codebook_without_choices_file(tmp_path, sheets):
    sheets["survey"].to_csv(tmp_path / "form.csv", index=False)
    with pytest.raises(InputFileError, match="form_choices.csv"):
        read_codebook(tmp_path / "form.csv")


# --------------------------------------------------------------------------------------
# check_columns
# --------------------------------------------------------------------------------------
def test_check_columns_missing_item_raises(codebook):
    columns = [c for c in codebook.item_names if c != "q17"] + ["region"]
    with pytest.raises(InputFileError) as info:
        check_columns(codebook, columns, "survey.xlsx")
    assert "q17" in str(info.value)
    assert "q16" not in str(info.value)  # only the missing item is named
    assert str(info.value).startswith("survey.xlsx:")


def test_check_columns_extra_column_warns(codebook):
    columns = codebook.item_names + ["region", "sector", "catatan", "_uuid", "_index"]
    warnings = check_columns(codebook, columns, "survey.xlsx")
    # Known fields and Kobo's "_" metadata columns are fine; only "catatan" is unknown.
    assert warnings == ["column 'catatan' is not in the codebook and is ignored."]


def test_check_columns_all_known(codebook):
    assert check_columns(codebook, codebook.item_names + ["region"], "s.xlsx") == []


def test_check_columns_label_headers(codebook):
    # A Kobo export with "labels" headers and group labels: nothing missing, nothing extra.
    columns = [f"{codebook.dimension_label(dim)}/{label}"
               for dim, label in zip(codebook.items["dimension"], codebook.items["label_id"])]
    columns += ["Kabupaten/kota atau provinsi", "Sektor", "_uuid", "catatan"]
    assert check_columns(codebook, columns, "survey.xlsx") == [
        "column 'catatan' is not in the codebook and is ignored."]


def test_check_columns_group_prefixed_xml_names(codebook):
    columns = [f"grp_{d}/{i}" for i, d in zip(codebook.item_names, codebook.items["dimension"])]
    assert check_columns(codebook, columns + ["region"], "survey.xlsx") == []


def test_check_columns_duplicate_field_raises(codebook):
    columns = codebook.item_names + ["grp_trust/q01"]
    with pytest.raises(InputFileError, match=r"^survey\.xlsx: columns 'q01' and 'grp_trust/q01'"):
        check_columns(codebook, columns, "survey.xlsx")


# --------------------------------------------------------------------------------------
# match_headers
# --------------------------------------------------------------------------------------
Q01_ID = "Saya percaya mitra lain dalam forum menepati komitmennya."
Q01_EN = "I trust the other partners in the forum to keep their commitments."


def test_match_headers_xml_names(codebook):
    columns = ["q01", "q30", "region", "respondent_phone", "sector"]
    assert match_headers(columns, codebook) == {c: c for c in columns}


@pytest.mark.parametrize("column", ["grp_trust/q01", "grp_trust.q01", "survey/grp_trust/q01",
                                    "a/b/q01", "a.b.q01"])
def test_match_headers_group_prefixed_xml_names(codebook, column):
    assert match_headers([column, "q02"], codebook) == {column: "q01", "q02": "q02"}


def test_match_headers_indonesian_labels(codebook):
    columns = [Q01_ID, "Mitra dalam forum saling menghormati pendapat.",
               "Kabupaten/kota atau provinsi", "Nomor HP responden", "SEKTOR"]
    assert match_headers(columns, codebook) == {
        Q01_ID: "q01", "Mitra dalam forum saling menghormati pendapat.": "q02",
        "Kabupaten/kota atau provinsi": "region",  # a "/" inside a label is not a group
        "Nomor HP responden": "respondent_phone", "SEKTOR": "sector"}


def test_match_headers_labels_ignore_case_and_whitespace(codebook):
    column = "  saya PERCAYA mitra lain dalam   forum\tmenepati komitmennya. "
    assert match_headers([column], codebook) == {column: "q01"}


def test_match_headers_english_labels(codebook):
    columns = [Q01_EN, "Regency/city or province", "sector", "Respondent phone",
               "Small organisations are not heard enough in the forum."]
    assert match_headers(columns, codebook) == {
        Q01_EN: "q01", "Regency/city or province": "region", "sector": "sector",
        "Respondent phone": "respondent_phone",
        "Small organisations are not heard enough in the forum.": "q30"}


@pytest.mark.parametrize("column, field", [
    (f"Kepercayaan/{Q01_ID}", "q01"),
    (f"Trust/{Q01_EN}", "q01"),
    (f"kepercayaan.{Q01_ID}", "q01"),  # "." as Kobo's group separator
    (f"grp_trust/{Q01_ID}", "q01"),  # group name with a label header
    ("Inklusivitas/Suara organisasi kecil kurang didengar dalam forum.", "q30"),
    ("Resources & competence/Partners have the skills that are needed.", "q14"),
])
def test_match_headers_group_label_prefixed(codebook, column, field):
    assert match_headers([column], codebook) == {column: field}


def test_match_headers_wrong_group_label_does_not_match(codebook):
    # q01 is in "Kepercayaan", not "Koordinasi": a label under another group is not q01.
    assert match_headers([f"Koordinasi/{Q01_ID}"], codebook) == {}


def test_match_headers_metadata_columns(codebook):
    columns = ["_uuid", "_id", "_submission_time", "_index", "_parent_index", "_status",
               "_validation_status", "_submitted_by", "_foo", "__private"]
    mapping = match_headers(columns, codebook)
    assert mapping == {c: c for c in columns[:8]}  # non-standard "_" columns left out
    assert set(columns[:8]) <= KOBO_METADATA_COLUMNS


def test_match_headers_unknown_columns_left_out(codebook):
    columns = ["catatan", "q31", "grp_trust/q99", "Pertanyaan tambahan", "q01"]
    assert match_headers(columns, codebook) == {"q01": "q01"}


def test_match_headers_duplicate_mapping_names_both_columns(codebook):
    with pytest.raises(InputFileError) as info:
        match_headers(["q01", "region", f"Kepercayaan/{Q01_ID}"], codebook, path="ekspor.xlsx")
    message = str(info.value)
    assert message.startswith("ekspor.xlsx:")
    assert f"'q01' and 'Kepercayaan/{Q01_ID}'" in message
    assert "field 'q01'" in message


def test_match_headers_duplicate_without_path(codebook):
    with pytest.raises(InputFileError, match="'grp_trust/q01' and 'grp_trust.q01'"):
        match_headers(["grp_trust/q01", "grp_trust.q01"], codebook)


def test_match_headers_keeps_column_order_and_original_spelling(codebook):
    columns = [" q02 ", "Sektor", "q01"]
    mapping = match_headers(columns, codebook)
    assert list(mapping) == columns
    assert mapping[" q02 "] == "q02"


def test_shared_label_matches_no_field(tmp_path, sheets):
    # Two fields with the same label: the label header cannot tell which one it is.
    survey = sheets["survey"]
    label = "label::Indonesian (id)"
    survey.loc[survey["name"] == "organisation", label] = "Nama responden"
    codebook = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert match_headers(["Nama responden", "q01"], codebook) == {"q01": "q01"}
    warnings = check_columns(codebook, codebook.item_names + ["Nama responden"], "s.xlsx")
    assert len(warnings) == 1
    assert "organisation, respondent_name" in warnings[0]


def test_nested_group_labels(tmp_path, sheets):
    survey = sheets["survey"]
    label_id, label_en = "label::Indonesian (id)", "label::English (en)"
    outer_begin = pd.DataFrame([{"type": "begin_group", "name": "grp_health",
                                 label_id: "Kesehatan kemitraan", label_en: "Partnership health"}])
    outer_end = pd.DataFrame([{"type": "end_group"}])
    first_item = survey.index[survey["type"].eq("begin_group")][0]
    sheets["survey"] = pd.concat([survey.loc[:first_item - 1], outer_begin,
                                  survey.loc[first_item:], outer_end], ignore_index=True)
    codebook = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert codebook.fields.set_index("name").at["q01", "group"] == "grp_health/grp_trust"
    columns = [f"Kesehatan kemitraan/Kepercayaan/{Q01_ID}",
               "Partnership health/Trust/Partners in the forum respect each other's views.",
               "Kepercayaan/Saya ragu mitra lain bertindak demi kepentingan bersama.",
               "grp_health/grp_trust/q04"]
    assert match_headers(columns, codebook) == dict(zip(columns, ["q01", "q02", "q03", "q04"]))


# --------------------------------------------------------------------------------------
# field labels, groups
# --------------------------------------------------------------------------------------
def test_field_label(codebook):
    assert codebook.field_label("q01") == Q01_ID  # default language: id
    assert codebook.field_label("q01", "en") == Q01_EN
    assert codebook.field_label("region", "id") == "Kabupaten/kota atau provinsi"
    assert codebook.field_label("sector", "en") == "Sector"
    assert codebook.field_label("grp_trust", "en") == "Trust"


def test_field_label_fallbacks(tmp_path, sheets):
    survey = sheets["survey"]
    survey.loc[survey["name"] == "organisation", "label::English (en)"] = None
    survey.loc[survey["name"] == "sector", ["label::English (en)", "label::Indonesian (id)"]] = None
    codebook = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert codebook.field_label("organisation", "en") == "Nama organisasi"  # other language
    assert codebook.field_label("sector", "en") == "sector"  # no label at all: the name


def test_field_label_unknown_field(codebook):
    with pytest.raises(KeyError, match="'q99'"):
        codebook.field_label("q99")
    with pytest.raises(ValueError, match="lang"):
        codebook.field_label("q01", "fr")


def test_fields_have_labels_and_groups(codebook):
    fields = codebook.fields.set_index("name")
    assert fields.at["q01", "group"] == "grp_trust"
    assert fields.at["q30", "group"] == "grp_inclusiveness"
    assert fields.at["region", "group"] == ""
    assert fields.at["grp_trust", "label_id"] == "Kepercayaan"
    assert fields.at["respondent_name", "label_en"] == "Respondent name"


# --------------------------------------------------------------------------------------
# codebook validation: each problem reported clearly
# --------------------------------------------------------------------------------------
def test_undefined_choice_list_names_items(tmp_path, sheets):
    survey = sheets["survey"]
    survey.loc[survey["name"].isin(["q01", "q02"]), "type"] = "select_one agree7"
    path = write_xlsform(tmp_path / "form.xlsx", sheets)
    with pytest.raises(InputFileError) as info:
        read_codebook(path)
    assert "'agree7' (used by q01, q02)" in str(info.value)
    assert "choices sheet" in str(info.value)


def test_no_reverse_keyed_item_warns(tmp_path, sheets):
    sheets["survey"]["reverse"] = sheets["survey"]["reverse"].replace("yes", "no")
    codebook = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert not codebook.items["reverse"].any()
    assert len(codebook.warnings) == 1
    assert "no item is reverse-keyed" in codebook.warnings[0]
    assert "straight-lining" in codebook.warnings[0]


def test_dimension_without_labelled_group_uses_key(tmp_path, sheets):
    survey = sheets["survey"]
    # The trust group row loses its dimension: items still name "trust".
    survey.loc[survey["name"] == "grp_trust", "dimension"] = None
    codebook = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert codebook.dimension_label("trust") == "trust"
    assert codebook.dimension_label("trust", "en") == "trust"
    assert len(codebook.dimensions) == 10
    assert codebook.warnings == []


def test_select_one_without_dimension_is_not_an_item(codebook):
    assert "sector" not in codebook.item_names  # select_one, but no dimension
    assert codebook.fields.set_index("name").at["sector", "list_name"] == "sector"


def test_begin_group_with_space_spelling(tmp_path, sheets):
    survey = sheets["survey"]
    survey["type"] = survey["type"].replace({"begin_group": "begin group",
                                             "end_group": "end group"})
    codebook = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert codebook.dimension_label("trust") == "Kepercayaan"
    assert len(codebook.items) == 30
    assert codebook.fields.set_index("name").at["q01", "group"] == "grp_trust"


def test_xls_codebook_asks_for_xlsx(tmp_path):
    path = tmp_path / "form.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(InputFileError, match=r"^form\.xls: .*save it as \.xlsx"):
        read_codebook(path)


# --------------------------------------------------------------------------------------
# the declared input contract: roles, sectors with pentahelix, scale, languages
# --------------------------------------------------------------------------------------
from evalkit.core.contract import DEFAULT_SCALE  # noqa: E402

LAB_ID = "label::Indonesian (id)"


def contract_form(*, points=("1", "2", "3", "4"), point_labels=None, missing_codes=("99",),
                  roles=True, pentahelix=True, extra_survey=(), extra_choices=()):
    """A second, independent form: Indonesian-only labels, own field names and sectors."""
    point_labels = point_labels or [f"Poin {p}" for p in points]
    role = (lambda r: r) if roles else (lambda r: None)
    survey = [
        {"type": "start", "name": "mulai", LAB_ID: "Mulai"},
        {"type": "end", "name": "selesai", LAB_ID: "Selesai"},
        {"type": "text", "name": "kab_kota", LAB_ID: "Kabupaten/kota", "role": role("region")},
        {"type": "select_one sektor", "name": "jenis_lembaga", LAB_ID: "Jenis lembaga",
         "role": role("sector")},
        {"type": "text", "name": "nama_lembaga", LAB_ID: "Nama lembaga",
         "role": role("organisation")},
        {"type": "select_one ya_tidak", "name": "persetujuan", LAB_ID: "Bersedia ikut?",
         "role": role("consent")},
        {"type": "text", "name": "nama_responden", LAB_ID: "Nama", "pii": "yes"},
        {"type": "text", "name": "no_hp", LAB_ID: "Nomor HP", "pii": "yes"},
        *extra_survey,
    ]
    for dim in ["percaya", "tujuan"]:
        survey.append({"type": "begin_group", "name": f"g_{dim}", LAB_ID: dim.title(),
                       "dimension": dim})
        for i in range(3):
            survey.append({"type": "select_one skala_setuju", "name": f"{dim}_{i + 1}",
                           LAB_ID: f"Butir {dim} {i + 1}", "dimension": dim,
                           "reverse": "yes" if i == 2 else "no"})
        survey.append({"type": "end_group"})
    choices = [{"list_name": "skala_setuju", "name": p, LAB_ID: lab}
               for p, lab in zip(points, point_labels)]
    choices += [{"list_name": "skala_setuju", "name": m, LAB_ID: "Tidak tahu", "missing": "yes"}
                for m in missing_codes]
    sectors = [("pemda", "Pemerintah Daerah", "pemerintah"), ("swasta", "Swasta", "Swasta"),
               ("pt", "Perguruan Tinggi", "akademisi"), ("lsm", "LSM", "LSM"),
               ("media_massa", "Media massa", "media"), ("tokoh", "Tokoh masyarakat", None)]
    for name, label, category in sectors:
        row = {"list_name": "sektor", "name": name, LAB_ID: label}
        if pentahelix:
            row["pentahelix"] = category
        choices.append(row)
    choices += [{"list_name": "ya_tidak", "name": "ya", LAB_ID: "Ya"},
                {"list_name": "ya_tidak", "name": "tidak", LAB_ID: "Tidak"}, *extra_choices]
    return {"survey": pd.DataFrame(survey), "choices": pd.DataFrame(choices)}


@pytest.fixture
def own_form(tmp_path) -> Codebook:
    return read_codebook(write_xlsform(tmp_path / "form.xlsx", contract_form()))


def test_demo_roles_fall_back_to_field_names(codebook):
    assert codebook.roles == {"id": "_uuid", "region": "region", "sector": "sector",
                              "organisation": "organisation", "start": "start", "end": "end"}
    assert codebook.role_field("sector") == "sector"
    assert codebook.role_field("consent") is None
    with pytest.raises(ValueError, match="roles are"):
        codebook.role_field("colour")


def test_demo_sectors_map_to_the_five_categories(codebook):
    table = codebook.sectors_table()
    assert list(table.columns) == ["sector", "label_id", "label_en", "pentahelix"]
    assert table["sector"].tolist() == table["pentahelix"].tolist()  # names are the keys
    assert table["label_en"].tolist()[:2] == ["Government", "Business"]
    assert codebook.sector_list == "sector"
    assert codebook.sector_lookup()["civil society"] == "masyarakat_sipil"


def test_demo_scale_and_languages(codebook):
    assert codebook.scale == DEFAULT_SCALE
    assert codebook.languages == ("id", "en")
    pd.testing.assert_frame_equal(codebook.scale_table(), DEFAULT_SCALE.to_table())


def test_role_column_with_other_field_names(own_form):
    assert own_form.roles == {"id": "_uuid", "region": "kab_kota", "sector": "jenis_lembaga",
                              "organisation": "nama_lembaga", "consent": "persetujuan",
                              "start": "mulai", "end": "selesai"}  # start/end by their type
    assert own_form.sector_list == "sektor"
    assert own_form.pii_fields == ["nama_responden", "no_hp"]


def test_role_column_spelling_is_free(tmp_path):
    sheets = contract_form()
    survey = sheets["survey"]
    survey.loc[survey["name"] == "kab_kota", "role"] = " Region "
    assert read_codebook(write_xlsform(tmp_path / "f.xlsx", sheets)).roles["region"] == "kab_kota"


def test_missing_required_role_says_what_to_add(tmp_path):
    sheets = contract_form(roles=False)
    sheets["survey"]["role"] = sheets["survey"]["role"].astype(object)
    with pytest.raises(InputFileError) as info:
        read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    message = str(info.value)
    assert message.startswith("form.xlsx: no field has role 'region'")
    assert "add a column `role` to the survey sheet and write `region`" in message
    sheets["survey"].loc[sheets["survey"]["name"] == "kab_kota", "role"] = "region"
    with pytest.raises(InputFileError, match=r"no field has role 'sector'.*\(or name that "
                                             r"field `sector`\)"):
        read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))


def test_unknown_role_and_role_twice(tmp_path):
    sheets = contract_form()
    survey = sheets["survey"]
    survey.loc[survey["name"] == "no_hp", "role"] = "telephone"
    with pytest.raises(InputFileError, match="role 'telephone' of field 'no_hp' is not a role"):
        read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    survey.loc[survey["name"] == "no_hp", "role"] = "sector"
    with pytest.raises(InputFileError, match=r"role 'sector' is written on several fields "
                                             r"\(jenis_lembaga, no_hp\)"):
        read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))


def test_sector_field_must_have_a_choice_list(tmp_path):
    sheets = contract_form()
    survey = sheets["survey"]
    survey.loc[survey["name"] == "jenis_lembaga", "type"] = "text"
    with pytest.raises(InputFileError, match="sector field 'jenis_lembaga' has no choice list"):
        read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))


def test_indonesian_only_labels_fall_back(own_form):
    assert own_form.languages == ("id",)
    assert (own_form.items["label_en"] == own_form.items["label_id"]).all()
    assert own_form.dimension_label("percaya", "en") == "Percaya"
    assert own_form.field_label("kab_kota", "en") == "Kabupaten/kota"
    table = own_form.sectors_table()
    assert table["label_en"].tolist() == table["label_id"].tolist()
    assert own_form.scale.labels_en == ("Poin 1", "Poin 2", "Poin 3", "Poin 4")


def test_english_only_form(tmp_path):
    sheets = contract_form()
    sheets = {name: frame.rename(columns={LAB_ID: "label::English (en)"})
              for name, frame in sheets.items()}
    form = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert form.languages == ("en",)
    assert form.dimension_label("percaya", "id") == "Percaya"


def test_pentahelix_column_maps_sectors_one_outside(own_form):
    table = own_form.sectors_table()
    assert table["sector"].tolist() == ["pemda", "swasta", "pt", "lsm", "media_massa", "tokoh"]
    assert table["pentahelix"].tolist() == ["pemerintah", "dunia_usaha", "akademisi",
                                            "masyarakat_sipil", "media", ""]
    assert own_form.warnings == []
    assert own_form.sector_lookup()["tokoh masyarakat"] == "tokoh"


def test_pentahelix_fallback_from_names_and_labels_warns(tmp_path):
    form = read_codebook(write_xlsform(tmp_path / "form.xlsx", contract_form(pentahelix=False)))
    table = form.sectors_table()
    # "pemda" and "Perguruan Tinggi" are words for categories; "Tokoh masyarakat" is not
    assert table["pentahelix"].tolist() == ["pemerintah", "dunia_usaha", "akademisi",
                                            "masyarakat_sipil", "media", ""]
    assert len(form.warnings) == 1
    assert "'tokoh'" in form.warnings[0] and "add a column 'pentahelix'" in form.warnings[0]


def test_pentahelix_unknown_word_is_an_error(tmp_path):
    sheets = contract_form()
    choices = sheets["choices"]
    choices.loc[choices["name"] == "tokoh", "pentahelix"] = "tokoh agama"
    with pytest.raises(InputFileError, match="pentahelix 'tokoh agama' of choice 'tokoh'"):
        read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))


def test_four_point_scale_with_declared_missing(own_form):
    scale = own_form.scale
    assert scale.values == (1.0, 2.0, 3.0, 4.0)
    assert scale.neutral is None
    assert scale.labels_id == ("Poin 1", "Poin 2", "Poin 3", "Poin 4")
    points = own_form.scale_points("skala_setuju")
    assert math.isnan(points["99"])
    assert own_form.scale_table()["value"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_declared_missing_code_of_any_name(tmp_path):
    sheets = contract_form(missing_codes=("tt", "7"))  # "7" declared missing: never a score
    form = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert form.scale.values == (1.0, 2.0, 3.0, 4.0)
    assert math.isnan(form.scale_points("skala_setuju")["tt"])


def test_zero_based_seven_point_scale(tmp_path):
    labels = ["Sama sekali tidak", "", "", "Netral", "", "", "Sangat"]
    sheets = contract_form(points=tuple(str(i) for i in range(7)), point_labels=labels)
    form = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert form.scale.values == tuple(float(i) for i in range(7))
    assert form.scale.neutral == 3.0
    assert form.scale.label(3) == "Netral"
    assert form.scale.label(1) == "1"  # blank label: the value
    assert form.scale.range_text() == "0\u20136"


def test_seven_point_scale(tmp_path):
    sheets = contract_form(points=tuple(str(i) for i in range(1, 8)))
    form = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert form.scale.k == 7 and form.scale.neutral == 4.0 and form.scale.reverse(1) == 7


def test_items_on_lists_with_different_points_are_an_error(tmp_path):
    sheets = contract_form()
    survey = sheets["survey"]
    survey.loc[survey["name"].str.startswith("tujuan_", na=False), "type"] = "select_one lima"
    five = pd.DataFrame([{"list_name": "lima", "name": str(i), LAB_ID: str(i)} for i in range(1, 6)])
    sheets["choices"] = pd.concat([sheets["choices"], five], ignore_index=True)
    with pytest.raises(InputFileError) as info:
        read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    message = str(info.value)
    assert "different scale points" in message
    assert "percaya_1, percaya_2, percaya_3" in message
    assert "tujuan_1, tujuan_2, tujuan_3" in message


def test_items_on_lists_with_equal_points_are_fine(tmp_path):
    sheets = contract_form()
    survey = sheets["survey"]
    survey.loc[survey["name"].str.startswith("tujuan_", na=False), "type"] = "select_one empat"
    four = pd.DataFrame([{"list_name": "empat", "name": str(i), LAB_ID: f"E{i}"} for i in range(1, 5)])
    sheets["choices"] = pd.concat([sheets["choices"], four], ignore_index=True)
    form = read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
    assert form.scale.values == (1.0, 2.0, 3.0, 4.0)
    assert form.scale.labels_id[0] == "Poin 1"  # labels of the first item's list


def test_non_numeric_scale_choice_is_an_error_naming_the_fix(tmp_path):
    sheets = contract_form(points=("1", "2", "3", "empat"))
    with pytest.raises(InputFileError, match="'empat' of list 'skala_setuju'.*column 'missing'"):
        read_codebook(write_xlsform(tmp_path / "form.xlsx", sheets))
