"""Tests for evalkit.core.domain: the sector vocabulary every stage shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.core import contract, domain
from evalkit.core.domain import (
    PENTAHELIX,
    UNKNOWN_SECTOR,
    pentahelix_category,
    sector_codes,
    sector_labels,
    sector_order,
    sector_series,
)

FORM = pd.DataFrame({"sector": ["pemda", "lsm", "tokoh"],
                     "label_id": ["Pemda", "  ", None],
                     "label_en": ["Local government", "NGOs", np.nan]})


def test_one_pentahelix_vocabulary():
    assert PENTAHELIX == ("pemerintah", "dunia_usaha", "akademisi", "masyarakat_sipil", "media")
    # the input contract and the engagement module name the same objects, not copies
    from evalkit.measure import engagement

    assert contract.PENTAHELIX is PENTAHELIX and engagement.PENTAHELIX is PENTAHELIX
    assert contract.pentahelix_category is pentahelix_category
    assert engagement.UNKNOWN_SECTOR == UNKNOWN_SECTOR == "unknown"
    assert pentahelix_category("Perguruan Tinggi") == "akademisi"
    assert pentahelix_category("lainnya") == "" and pentahelix_category("tokoh agama") is None


def test_sector_labels_fall_back_to_the_other_language_then_the_code():
    assert sector_labels(FORM, "en") == {"pemda": "Local government", "lsm": "NGOs", "tokoh": "tokoh"}
    assert sector_labels(FORM, "id") == {"pemda": "Pemda", "lsm": "NGOs", "tokoh": "tokoh"}
    # one language only in the form: the other language shows it
    assert sector_labels(FORM.drop(columns="label_en"), "en")["pemda"] == "Pemda"


def test_sector_labels_name_the_unknown_sector_only_when_asked():
    assert UNKNOWN_SECTOR not in sector_labels(FORM, "id")
    labels = sector_labels(FORM, "id", unknown="Tidak terdaftar")
    assert labels[UNKNOWN_SECTOR] == "Tidak terdaftar"
    # a form that has its own "unknown" sector keeps its label
    own = pd.concat([FORM, pd.DataFrame({"sector": ["unknown"], "label_id": ["Lainnya"],
                                         "label_en": ["Other"]})])
    assert sector_labels(own, "en", unknown="Not in the register")[UNKNOWN_SECTOR] == "Other"


def test_sector_labels_errors():
    with pytest.raises(ValueError, match="language"):
        sector_labels(FORM, "fr")
    with pytest.raises(ValueError, match="label_id"):
        sector_labels(FORM[["sector"]], "en")
    with pytest.raises(ValueError, match="DataFrame"):
        sector_labels(["pemda"], "en")


def test_sector_labels_is_the_lookup_of_findings_and_report():
    from evalkit.analyse.findings import Finding, with_sector_labels

    finding = Finding("finding_sector_low", {"sector": "lsm", "sectors": ["tokoh", "x"]})
    out = with_sector_labels(finding, FORM, "id")
    assert out.values["sector"] == "NGOs" and out.values["sectors"] == ["tokoh", "x"]


def test_sector_order_and_keys():
    assert sector_order(["zz", UNKNOWN_SECTOR, "media"], all_five=False) == [
        "media", "zz", UNKNOWN_SECTOR]
    assert sector_order(["lsm"], order=["pemda", "lsm"]) == ["pemda", "lsm"]
    assert sector_order(["lsm"], order=["pemda", "lsm"], all_five=False) == ["lsm"]
    assert sector_codes(FORM) == ["pemda", "lsm", "tokoh"] and sector_codes([1, "a"]) == ["1", "a"]
    for dtype in (object, "string"):
        keys = sector_series(pd.DataFrame({"sector": pd.Series([" lsm ", None, "", "pemda"],
                                                                dtype=dtype)}))
        assert keys.tolist() == ["lsm", UNKNOWN_SECTOR, UNKNOWN_SECTOR, "pemda"]
    assert domain.LANGS == ("id", "en")
