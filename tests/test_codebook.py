"""Tests for evalkit.codebook: reading the XLSForm / CSV codebook."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evalkit import demo
from evalkit.codebook import Codebook, check_columns, normalize_label, read_codebook
from evalkit.errors import InputFileError

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
