"""aliases.csv: reading (clear errors by file, row and column) and applying spellings."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.core.errors import DataError, InputFileError
from evalkit.read.aliases import KINDS, apply_aliases, load_aliases, read_aliases


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_semicolon_and_comma_files_keyed_by_normalised_value(tmp_path):
    semi = _write(tmp_path / "a.csv", "kind;value;means\nregion; Kab  TJB ;15.07\n"
                                      "partnership_type;Nota Kesepahaman;mou\nattendance;datang;Yes\n")
    comma = _write(tmp_path / "b.csv", "Kind,Value,Means\nsector,Pemerintah Daerah,pemda\n")
    a = read_aliases(semi)
    assert set(a) == set(KINDS)
    assert a["region"] == {"kab tjb": "15.07"}
    assert a["partnership_type"] == {"nota kesepahaman": "MOU"}  # canonical spelling
    assert a["attendance"] == {"datang": "yes"}
    assert read_aliases(comma)["sector"] == {"pemerintah daerah": "pemda"}


def test_header_only_file_and_missing_file_give_no_aliases(tmp_path):
    assert read_aliases(_write(tmp_path / "aliases.csv", "kind;value;means\n")) == \
        {kind: {} for kind in KINDS}
    assert load_aliases(tmp_path / "nowhere") == {kind: {} for kind in KINDS}


def test_unknown_kind_lists_the_kinds_and_names_row_and_column(tmp_path):
    path = _write(tmp_path / "aliases.csv", "kind;value;means\nregion;x;11\nprovinsi;y;12\n")
    with pytest.raises(DataError) as err:
        read_aliases(path)
    message = str(err.value)
    assert "aliases.csv, row 3, column 'kind'" in message and "'provinsi'" in message
    assert all(kind in message for kind in KINDS)


@pytest.mark.parametrize("body, row, column, words", [
    ("sector;Swasta;\n", 2, "means", "blank meaning"),
    (";Swasta;x\n", 2, "kind", "blank kind"),
    ("sector;;x\n", 2, "value", "blank value"),
    ("partnership_type;SK Bupati;decree\n", 2, "means", "MOU, PKS, KSD, informal"),
    ("attendance;datang;maybe\n", 2, "means", "yes, no"),
    ("sector;NGO;lsm\nsector; ngo ;pemda\n", 3, "means", "already means 'lsm' (row 2)"),
])
def test_bad_rows_are_errors_naming_row_and_column(tmp_path, body, row, column, words):
    path = _write(tmp_path / "aliases.csv", "kind;value;means\n" + body)
    with pytest.raises(DataError) as err:
        read_aliases(path)
    assert (err.value.row, err.value.column) == (row, column)
    assert words in str(err.value)


def test_the_same_meaning_twice_is_fine(tmp_path):
    path = _write(tmp_path / "aliases.csv", "kind;value;means\nsector;NGO;lsm\nsector;ngo;lsm\n")
    assert read_aliases(path)["sector"] == {"ngo": "lsm"}


def test_missing_columns_are_an_input_file_error(tmp_path):
    path = _write(tmp_path / "aliases.csv", "kind;spelling\nregion;x\n")
    with pytest.raises(InputFileError, match="value, means"):
        read_aliases(path)


def test_apply_aliases_replaces_only_known_spellings_and_keeps_missing_values():
    values = pd.Series(["Kab  TJB", "Kota Jambi", None, "kab tjb"], index=[10, 11, 12, 13])
    out = apply_aliases(values, {"kab tjb": "15.07"})
    assert out.tolist()[:2] == ["15.07", "Kota Jambi"] and pd.isna(out[12]) and out[13] == "15.07"
    assert list(out.index) == [10, 11, 12, 13]
    assert apply_aliases(values, {}) is values and apply_aliases(values, None) is values
