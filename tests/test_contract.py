"""Tests for evalkit.core.contract: pentahelix vocabulary, roles and the answer scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.core.contract import (
    DEFAULT_SCALE,
    PENTAHELIX,
    PENTAHELIX_WORDS,
    REQUIRED_ROLES,
    ROLES,
    SPEEDER_SECONDS_PER_ITEM,
    Scale,
    pentahelix_category,
)


def test_pentahelix_keys_and_words():
    assert PENTAHELIX == ("pemerintah", "dunia_usaha", "akademisi", "masyarakat_sipil", "media")
    for key in PENTAHELIX:
        assert PENTAHELIX_WORDS[key] == key
        assert pentahelix_category(key) == key


@pytest.mark.parametrize("word, category", [
    ("Pemerintah Daerah", "pemerintah"), ("PEMDA", "pemerintah"), ("government", "pemerintah"),
    ("Swasta", "dunia_usaha"), ("Dunia  Usaha", "dunia_usaha"), ("private sector", "dunia_usaha"),
    ("Perguruan Tinggi", "akademisi"), ("universitas", "akademisi"), ("academia", "akademisi"),
    ("LSM", "masyarakat_sipil"), ("NGO", "masyarakat_sipil"), ("civil society", "masyarakat_sipil"),
    ("masyarakat", "masyarakat_sipil"), ("masyarakat_sipil", "masyarakat_sipil"),
    ("Media massa", "media"), ("media", "media"),
])
def test_pentahelix_category_words(word, category):
    assert pentahelix_category(word) == category


@pytest.mark.parametrize("word", ["", "  ", None, np.nan, "none", "Lainnya", "other"])
def test_pentahelix_category_outside(word):
    assert pentahelix_category(word) == ""


def test_pentahelix_category_unknown_is_none():
    assert pentahelix_category("tokoh agama") is None
    assert pentahelix_category("alien") is None


def test_roles():
    assert set(REQUIRED_ROLES) <= set(ROLES)
    assert REQUIRED_ROLES == ("region", "sector")
    assert ROLES == ("id", "region", "sector", "organisation", "consent", "start", "end", "wave")


def test_speeder_seconds_per_item_gives_180_for_30_items():
    assert SPEEDER_SECONDS_PER_ITEM * 30 == 180


def test_default_scale_is_the_demo_agreement_scale():
    s = DEFAULT_SCALE
    assert s.values == (1.0, 2.0, 3.0, 4.0, 5.0)
    assert (s.min, s.max, s.k, s.midpoint, s.neutral) == (1.0, 5.0, 5, 3.0, 3.0)
    assert s.label(3) == "Netral" and s.label(3, "en") == "Neutral"
    assert s.label(5, "en") == "Strongly agree"
    assert s.range_text() == "1\u20135"


def test_four_point_scale_has_no_neutral_and_reverses_on_its_range():
    s = Scale((1, 2, 3, 4), ("STS", "TS", "S", "SS"), ("SD", "D", "A", "SA"))
    assert s.neutral is None
    assert s.midpoint == 2.5
    assert s.reverse(1) == 4 and s.reverse(4) == 1 and s.reverse(2) == 3
    assert s.range_text() == "1\u20134"
    assert not s.to_table()["neutral"].any()


def test_zero_based_seven_point_scale():
    s = Scale(range(7))
    assert s.values == tuple(float(v) for v in range(7))
    assert s.k == 7 and s.neutral == 3.0 and s.midpoint == 3.0
    assert s.range_text() == "0\u20136"
    assert s.reverse(0) == 6
    assert s.label(2) == "2" and s.label(2, "en") == "2"  # no labels: the value


def test_reverse_works_on_arrays_and_series():
    s = Scale((1, 2, 3, 4))
    np.testing.assert_array_equal(s.reverse(np.array([1.0, 2.0, np.nan])), [4.0, 3.0, np.nan])
    series = pd.Series([1.0, 4.0], index=[10, 11])
    out = s.reverse(series)
    assert isinstance(out, pd.Series)
    assert out.tolist() == [4.0, 1.0] and out.index.tolist() == [10, 11]


def test_labels_fall_back_to_the_other_language():
    s = Scale((1, 2, 3), ("Tidak", "", None), ("", "", "Yes"))
    assert s.labels_id == ("Tidak", "2", "Yes")
    assert s.labels_en == ("Tidak", "2", "Yes")


def test_label_errors():
    with pytest.raises(KeyError, match="1\u20135"):
        DEFAULT_SCALE.label(6)
    with pytest.raises(ValueError, match="lang"):
        DEFAULT_SCALE.label(1, "fr")


def test_table_roundtrip_and_dtypes():
    s = Scale((0, 1, 2, 3, 4, 5, 6), tuple(f"L{i}" for i in range(7)), ())
    table = s.to_table()
    assert list(table.columns) == ["value", "label_id", "label_en", "neutral"]
    assert table["value"].dtype == "float64" and table["neutral"].dtype == bool
    assert table["neutral"].tolist() == [False, False, False, True, False, False, False]
    assert Scale.from_table(table) == s
    assert Scale.from_table(table.iloc[::-1]) == s  # order of rows does not matter
    assert Scale.from_table(DEFAULT_SCALE.to_table()) == DEFAULT_SCALE


def test_invalid_scales():
    with pytest.raises(ValueError, match="ascending"):
        Scale((1, 3, 2))
    with pytest.raises(ValueError, match="two points"):
        Scale((1,))
    with pytest.raises(ValueError, match="labels"):
        Scale((1, 2), ("a",))


def test_non_integral_range_text():
    assert Scale((0.5, 1.5)).range_text() == "0.5\u20131.5"
