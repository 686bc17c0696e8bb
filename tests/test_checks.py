"""Tests for the shared argument guards in :mod:`evalkit.core.checks`."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.clean.rows import require_columns as require_file_columns
from evalkit.core.checks import check_lang, check_level, check_min_n, require_columns
from evalkit.core.domain import LANGS
from evalkit.core.errors import InputFileError
from evalkit.present import i18n


# --------------------------------------------------------------------------- require_columns
def test_require_columns_accepts_a_frame_with_the_columns():
    df = pd.DataFrame({"a": [1], "b": [2], "c": [3]})
    assert require_columns(df, ["a", "b"], "scores") is None
    assert require_columns(df, ("c",), "scores") is None
    assert require_columns(df, iter(["a"]), "scores") is None  # any iterable, read once
    assert require_columns(df, [], "scores") is None


def test_require_columns_names_missing_columns_and_the_table():
    df = pd.DataFrame({"a": [1], "b": [2]})
    with pytest.raises(ValueError, match="missing column") as info:
        require_columns(df, ["a", "dimension", "score"], "scores_long")
    msg = str(info.value)
    assert msg.startswith("scores_long")
    assert "['dimension', 'score']" in msg  # the missing ones
    assert "['a', 'dimension', 'score']" in msg  # the required ones
    assert "['a', 'b']" in msg  # the available ones


def test_require_columns_says_where_the_header_is_like_the_clean_stage():
    # a sheet with a title row: the reader took the title for the header, the real
    # header is the frame's second row (row 3 of the file, below a blank row)
    sheet = pd.DataFrame([[None, None], ["Region", " sector "], ["Kota Jambi", "x"]],
                         columns=["Daftar Pemangku Kepentingan 2024", "Unnamed: 1"])
    hint = ("The header seems to be on row 3 (rows 1-2 above it look like a title); "
            "delete the rows above the header.")
    with pytest.raises(ValueError) as info:
        require_columns(sheet, ["region", "sector"], "register")
    assert str(info.value).endswith("available columns: "
                                    "['Daftar Pemangku Kepentingan 2024', 'Unnamed: 1']. " + hint)
    with pytest.raises(InputFileError) as info:  # the clean stage's check: the same sentence
        require_file_columns(sheet, ["region", "sector"], "register.xlsx")
    assert str(info.value).endswith(hint)
    with pytest.raises(ValueError) as info:  # no header further down: no hint
        require_columns(sheet, ["region", "budget"], "register")
    assert "header" not in str(info.value)


def test_require_columns_rejects_a_non_frame():
    with pytest.raises(ValueError, match=r"register: expected a pandas DataFrame, got dict"):
        require_columns({"a": [1]}, ["a"], "register")
    with pytest.raises(ValueError, match="got NoneType"):
        require_columns(None, ["a"], "ties")


# --------------------------------------------------------------------------- check_level
@pytest.mark.parametrize("ci", [0.95, 0.5, 0.001, np.float64(0.9), np.float32(0.8)])
def test_check_level_accepts_levels_and_returns_float(ci):
    out = check_level(ci)
    assert isinstance(out, float)
    assert out == pytest.approx(float(ci))


@pytest.mark.parametrize("ci", [0, 1, 95, -0.5, 1.0, 0.0, math.nan, math.inf, True, False,
                                "0.95", None])
def test_check_level_rejects_non_levels(ci):
    with pytest.raises(ValueError, match=r"ci must be a confidence level strictly between 0 and 1"):
        check_level(ci)


def test_check_level_message_shows_the_value():
    with pytest.raises(ValueError, match=r"got 95"):
        check_level(95)


# --------------------------------------------------------------------------- check_min_n
@pytest.mark.parametrize("min_n", [0, 1, 5, np.int64(10)])
def test_check_min_n_accepts_non_negative_integers(min_n):
    out = check_min_n(min_n)
    assert out == int(min_n) and type(out) is int


@pytest.mark.parametrize("min_n", [-1, 2.0, "5", None, True, False])
def test_check_min_n_rejects_others(min_n):
    with pytest.raises(ValueError, match=r"min_n must be a non-negative integer"):
        check_min_n(min_n)


def test_check_min_n_with_a_minimum_and_reason():
    assert check_min_n(2, minimum=2) == 2
    with pytest.raises(ValueError, match=r"min_n must be an integer >= 2 \(two to vary\), got 1"):
        check_min_n(1, minimum=2, reason="two to vary")


# --------------------------------------------------------------------------- check_lang
@pytest.mark.parametrize("lang", LANGS)
def test_check_lang_accepts_and_returns_known_languages(lang):
    assert check_lang(lang) == lang


def test_the_report_languages_are_defined_once_in_core():
    # check_lang (core) and the report wording (present) accept the same languages
    assert i18n.LANGS is LANGS and LANGS == ("id", "en")
    for lang in LANGS:
        assert i18n.text("h_data", lang)


@pytest.mark.parametrize("lang", ["fr", "ID", "", None, ["id"]])
def test_check_lang_rejects_unknown_languages_listing_allowed(lang):
    with pytest.raises(ValueError, match="lang") as info:
        check_lang(lang)
    msg = str(info.value)
    assert "language" in msg
    for code in LANGS:
        assert repr(code) in msg
    assert repr(lang) in msg
