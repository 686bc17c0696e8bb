"""Tests for evalkit.present.i18n and evalkit.present.index_wording: the wording in one place.

The effectiveness index's labels and method statement moved from
evalkit.measure.effectiveness (codes only now) to the presentation stage, and the
workbook's headers into i18n. The digests below are of the texts evalkit rendered
*before* that move (captured from ``effectiveness.method_text`` /
``effectiveness.weights_table(spec, lang)`` at commit 4a7deef), so the move is shown
to change no word. A deliberate wording change fails them: check the new text, then
replace the digest with the one the failure message prints.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from dataclasses import replace
from pathlib import Path

import pytest

from evalkit.core.contract import DEFAULT_SCALE, Scale
from evalkit.measure import effectiveness as ix
from evalkit.present import i18n, index_wording
from evalkit.present.i18n import TEXT, component_label, pillar_label, text

SRC = Path(__file__).resolve().parents[1] / "src" / "evalkit"

# The 4-point form of tests/own_data.py (SCALE_LABELS[4]): health goalposts 1-4.
FOUR = Scale((1, 2, 3, 4), ("Sangat tidak setuju", "Tidak setuju", "Setuju", "Sangat setuju"))
DEMO = ix.spec_for_scale(DEFAULT_SCALE)  # the demo's 1-5 form (= DEFAULT_SPEC)
OWN4 = ix.spec_for_scale(FOUR)

# name -> (spec, pillars no region has data for); every method-statement branch is in one
SPECS = {
    "demo": (DEMO, ()),
    "own4": (OWN4, ()),
    "own4_no_engagement": (ix.without_pillars(OWN4, ["engagement"]), ("engagement",)),
    "own4_no_eng_outcome": (ix.without_pillars(OWN4, ["engagement", "outcome"]),
                            ("engagement", "outcome")),
    "geometric": (replace(OWN4, aggregation="geometric", geometric_floor=0.05), ()),
    "minmax": (replace(OWN4, normalisation="minmax"), ()),
    "zscore": (replace(OWN4, normalisation="zscore"), ()),
}
RUNS = {
    "plain": {},
    # as the reports and the synthesis call it (analyse.results.INDEX_BOOTSTRAP, WEIGHT_DRAWS)
    "results": {"n_boot": 2000, "n_draws": 2000},
    "replicates": {"n_boot": 12345, "ci": 0.9, "n_draws": 500, "concentration": 7.5,
                   "uncertainty": "replicates"},
}

# sha256 (first 16 hex digits) of the text rendered before the move, per spec|lang|run
METHOD_TEXT_DIGESTS = {
    "demo|id|plain": "7bbfc7d480a6ac6c",
    "demo|id|results": "20e735010fd591a0",
    "demo|id|replicates": "a697e2568c4e975b",
    "demo|en|plain": "496c5e52890c7e7f",
    "demo|en|results": "53b5354bc7283858",
    "demo|en|replicates": "718e61e1cc04cac3",
    "own4|id|plain": "3876f79bb19637cb",
    "own4|id|results": "2f790a7191397b89",
    "own4|id|replicates": "4c67f223f8b9beab",
    "own4|en|plain": "e692a9a33412adba",
    "own4|en|results": "7e3ab1e2a2838f95",
    "own4|en|replicates": "f4ed056c54590c16",
    "own4_no_engagement|id|plain": "5e10c3bc6eebd36c",
    "own4_no_engagement|id|results": "17a9d0cd04dc9b83",
    "own4_no_engagement|id|replicates": "444a1e0317e30a14",
    "own4_no_engagement|en|plain": "995aeeffc142acd3",
    "own4_no_engagement|en|results": "b44c859db965fa0b",
    "own4_no_engagement|en|replicates": "1f8d880d483852da",
    "own4_no_eng_outcome|id|plain": "1a47d808b8695810",
    "own4_no_eng_outcome|id|results": "af26a3e71f896899",
    "own4_no_eng_outcome|id|replicates": "2ba25415caee1104",
    "own4_no_eng_outcome|en|plain": "ca6247ec029debbc",
    "own4_no_eng_outcome|en|results": "07f002bef87ad295",
    "own4_no_eng_outcome|en|replicates": "5cc9841e91738483",
    "geometric|id|plain": "5e315d4782bfde50",
    "geometric|id|results": "93c1973f752370e5",
    "geometric|id|replicates": "3f529684c0e72f2c",
    "geometric|en|plain": "7c098609669ce897",
    "geometric|en|results": "e4df73897a4e5e9b",
    "geometric|en|replicates": "81f0bed4e3cfd78e",
    "minmax|id|plain": "86dc50a58e0baed4",
    "minmax|id|results": "e3bdaae3894fda3d",
    "minmax|id|replicates": "d1fae700ca75e399",
    "minmax|en|plain": "dabc3aa672ccbf9d",
    "minmax|en|results": "95f86c4d7ee6c064",
    "minmax|en|replicates": "d2ab9e6dbf93ec53",
    "zscore|id|plain": "ce190cc739d4c04e",
    "zscore|id|results": "f487aa2696fdce9f",
    "zscore|id|replicates": "f49db6c9a46a88d2",
    "zscore|en|plain": "83615b9f3512cc48",
    "zscore|en|results": "a8c9ea1ea0a6d35f",
    "zscore|en|replicates": "fa541f553c41f4fe",
}
# of json.dumps(weights_table(spec, lang).to_dict("list"), ensure_ascii=False, sort_keys=True)
WEIGHTS_TABLE_DIGESTS = {
    "demo|id": "c4c3f137f2994c75",
    "demo|en": "031947a1c1b59c06",
    "own4|id": "16be7083cac8d781",
    "own4|en": "66492ebae9711a05",
    "own4_no_engagement|id": "da657b509f965544",
    "own4_no_engagement|en": "60aba2767836d50c",
    "own4_no_eng_outcome|id": "17336a6fcf8b3a3f",
    "own4_no_eng_outcome|en": "91a2b7fab3412006",
}


def _digest(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------
# The move changed no word
# ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(METHOD_TEXT_DIGESTS))
def test_method_text_is_the_text_before_the_move(case):
    name, lang, run = case.split("|")
    spec, absent = SPECS[name]
    got = index_wording.method_text(spec, lang, missing_pillars=absent, **RUNS[run])
    assert _digest(got) == METHOD_TEXT_DIGESTS[case], (
        f"{case}: the method statement changed (new digest {_digest(got)}):\n{got}")


@pytest.mark.parametrize("case", sorted(WEIGHTS_TABLE_DIGESTS))
def test_labelled_weights_table_is_the_table_before_the_move(case):
    name, lang = case.split("|")
    table = index_wording.weights_table(SPECS[name][0], lang)
    assert list(table.columns) == ["pillar", "pillar_label", "component", "label", "direction",
                                   "goalpost_low", "goalpost_high", "component_weight",
                                   "pillar_weight", "weight"]
    got = json.dumps(table.to_dict("list"), ensure_ascii=False, sort_keys=True)
    assert _digest(got) == WEIGHTS_TABLE_DIGESTS[case], f"{case}: new digest {_digest(got)}\n{table}"


def test_labels_of_the_default_pillars_and_components():
    # the labels evalkit.measure.effectiveness held before (PILLAR_LABELS, ComponentSpec.label_*)
    before = {
        "process": ("Proses", "Process"), "engagement": ("Keterlibatan", "Engagement"),
        "outcome": ("Hasil", "Outcomes"),
    }
    assert {p: (pillar_label(p, "id"), pillar_label(p, "en")) for p in ix.DEFAULT_SPEC.pillars} == before
    assert {c: (component_label(c, "id"), component_label(c, "en"))
            for c in ix.DEFAULT_SPEC.components} == {
        "health": ("Rata-rata skor kesehatan kemitraan", "Mean partnership-health score"),
        "attendance_rate": ("Tingkat kehadiran rapat", "Meeting attendance rate"),
        "pentahelix_coverage": ("Cakupan sektor pentahelix", "Pentahelix sector coverage"),
        "indicators_on_track": ("Indikator tercapai atau sesuai jalur",
                                "Indicators achieved or on track"),
        "achievement": ("Rata-rata capaian target", "Mean target achievement"),
    }


def test_an_unlabelled_code_is_shown_as_its_key_and_the_language_is_checked():
    assert component_label("my_component", "en") == "my_component"
    assert pillar_label("my_pillar", "id") == "my_pillar"
    for label in (component_label, pillar_label):
        with pytest.raises(ValueError, match="language"):
            label("health", "fr")
        with pytest.raises(ValueError, match="language"):
            label("unknown_key", "fr")  # the fallback checks the language too
    spec = ix.IndexSpec(components={"x": ix.ComponentSpec("p", goalposts=(0, 1))},
                        pillar_weights={"p": 1.0})
    table = index_wording.weights_table(spec, "en")
    assert table[["pillar_label", "label"]].iloc[0].tolist() == ["p", "x"]
    assert "p 100% (x 100%)" in index_wording.method_text(spec, "en")


# ---------------------------------------------------------------------------------
# What the method statement says (readable checks beside the digests)
# ---------------------------------------------------------------------------------

def _limit(key: str, lang: str) -> str:
    return text(f"index_limit_{key}", lang)


def test_method_text_states_weights_and_limits_in_both_languages():
    en = index_wording.method_text(lang="en")
    idn = index_wording.method_text(lang="id")
    assert "process 33.3% (mean partnership-health score 100%)" in en
    assert "engagement 33.3% (meeting attendance rate 50%, pentahelix sector coverage 50%)" in en
    assert "proses 33,3% (rata-rata skor kesehatan kemitraan 100%)" in idn
    assert "1–5" in en and "goalposts" in en and "batas tetap" in idn
    assert "1,000 replicates" in en and "1.000 ulangan" in idn
    assert "κ = 20" in en and "95%" in idn
    assert "combines three pillars" in en and "menggabungkan tiga pilar" in idn
    for key in index_wording.LIMITS:
        assert "- " + _limit(key, "en") in en
        assert "- " + _limit(key, "id") in idn
    assert _limit("compensability_geometric", "en") not in en


def test_method_text_follows_the_spec():
    spec = replace(ix.DEFAULT_SPEC, pillar_weights={"process": 2.0, "engagement": 1.0, "outcome": 1.0},
                   aggregation="geometric")
    en = index_wording.method_text(spec, "en", n_boot=500, ci=0.9)
    idn = index_wording.method_text(spec, "id")
    assert "process 50%" in en and "outcome" not in en.split("process 50%")[0]
    assert "outcomes 25%" in en and "hasil 25%" in idn and "proses 50%" in idn
    assert "500 replicates" in en and "90% percentile" in en
    assert "geometric mean" in en and "0.01" in en and "0,01" in idn
    assert _limit("compensability_geometric", "en") in en
    assert _limit("compensability", "en") not in en
    assert "arithmetic aggregation" in en  # the alternative scenario is named
    one_pillar = ix.IndexSpec(components={"health": ix.DEFAULT_SPEC.components["health"]},
                              pillar_weights={"process": 1.0}, normalisation="minmax")
    mm = index_wording.method_text(one_pillar, "en")
    assert "lowest and the highest region" in mm and "combines one pillar with" in mm
    with pytest.raises(ValueError, match="lang"):
        index_wording.method_text(lang="fr")
    with pytest.raises(ValueError, match="uncertainty"):
        index_wording.method_text(uncertainty="jackknife")


def test_method_text_names_a_pillar_no_region_has():
    eff = ix.without_pillars(ix.DEFAULT_SPEC, ["engagement"])
    en = index_wording.method_text(eff, lang="en", missing_pillars=("engagement",))
    assert "no data for the engagement pillar, so" in en
    assert "process 50%" in en and "engagement 0%" in en
    assert "tidak memiliki data untuk pilar keterlibatan" in index_wording.method_text(
        eff, lang="id", missing_pillars=("engagement",))
    both = index_wording.method_text(ix.without_pillars(ix.DEFAULT_SPEC, ["engagement", "outcome"]),
                                     lang="en", missing_pillars=("engagement", "outcome"))
    assert "the engagement, outcomes pillars" in both
    # a pillar not in the spec is not named
    assert "Pillars without data" not in index_wording.method_text(lang="en",
                                                                   missing_pillars=("budget",))


def test_method_text_names_the_scenarios_weight_scenarios_computes():
    for spec, shown, hidden in [
        (ix.DEFAULT_SPEC, ["geometric aggregation", "min–max normalisation"],
         ["arithmetic aggregation", "fixed-goalpost"]),
        (replace(ix.DEFAULT_SPEC, normalisation="minmax"), ["fixed-goalpost normalisation"],
         ["min–max normalisation;"]),
        (replace(ix.DEFAULT_SPEC, normalisation="zscore"), ["min–max normalisation"],
         ["geometric aggregation"]),
    ]:
        en = index_wording.method_text(spec, "en").split("**Sensitivity")[1].split("**Limits")[0]
        for s in shown:
            assert s in en
        for s in hidden:
            assert s not in en


# ---------------------------------------------------------------------------------
# The new keys: every one in both languages, with the same placeholders
# ---------------------------------------------------------------------------------

NEW_PREFIXES = ("index_component_", "index_method_", "index_scenario_", "index_limit_",
                "count_word_", "xlsx_", "pillar_", "reliability_note_")


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_new_key_is_in_both_languages_with_the_same_placeholders():
    keys = [k for k in TEXT if k.startswith(NEW_PREFIXES)]
    assert len(keys) > 100
    for key in keys:
        entry = TEXT[key]
        assert set(entry) == set(i18n.LANGS), key
        assert all(entry[lang].strip() for lang in i18n.LANGS), key
        # English may add a plural {s}; otherwise both fill the same values
        assert _fields(entry["id"]) <= _fields(entry["en"]) <= _fields(entry["id"]) | {"s"}, key


def test_every_label_the_index_and_method_statement_need_is_a_key():
    for c in ix.DEFAULT_SPEC.components:
        assert f"index_component_{c}" in TEXT
    for p in ix.DEFAULT_SPEC.pillars:
        assert f"pillar_{p}" in TEXT
    for key in index_wording.LIMITS + ("compensability_geometric",):
        assert f"index_limit_{key}" in TEXT
    methods = {n for n in ix.scenario_names(replace(ix.DEFAULT_SPEC, normalisation="minmax"))
               + ix.scenario_names(ix.DEFAULT_SPEC) + ix.scenario_names(
                   replace(ix.DEFAULT_SPEC, aggregation="geometric")) if ":" not in n}
    for name in methods - {"baseline"}:
        assert f"index_scenario_{name}" in TEXT
    for name in (*ix.NORMALISATIONS, *ix.AGGREGATIONS):
        assert f"index_method_{name}" in TEXT
    assert [text(f"count_word_{n}", "en") for n in (0, 3, 9)] == ["zero", "three", "nine"]


def test_every_header_the_workbook_asks_for_is_a_key():
    source = (SRC / "present" / "workbook.py").read_text(encoding="utf-8")
    used = set(re.findall(r'_h\("([a-z_0-9]+)"', source))
    assert len(used) > 50
    assert sorted(k for k in used if f"xlsx_{k}" not in TEXT) == []
    assert "HEADERS" not in source  # the workbook's wording is in i18n, not beside it
    # the confidence level is filled in from core.config.CI_LEVEL, as before
    assert text("xlsx_score_low", "id", scale="1–5") == "IK 95% bawah (1–5)"
    assert text("xlsx_rank_upp", "en") == "Rank 95% CI worst"
    assert text("xlsx_pillar_index", "en", pillar="Process") == "Process pillar (0–100)"


def test_the_workbook_holds_no_wording_of_its_own():
    from evalkit.present import workbook

    source = (SRC / "present" / "workbook.py").read_text(encoding="utf-8")
    # no {"id": ..., "en": ...} pairs, no wording tables beside the code
    assert not re.search(r'"(id|en)"\s*:', source)
    for name in ("WORDS", "ABOUT", "_ABOUT_ROWS", "_RELIABILITY_NOTES_ID"):
        assert not hasattr(workbook, name), name
    assert workbook.SHEETS[0] == "about" and len(set(workbook.SHEETS)) == len(workbook.SHEETS)
    for key in workbook.SHEETS:  # a name for every sheet, a description for every table sheet
        assert f"xlsx_sheet_{key}" in TEXT, key
        assert key == "about" or {f"xlsx_describe_{key}", f"xlsx_describe_{key}_units"} <= set(TEXT)
    assert not [k for k in TEXT if k.startswith("xlsx_sheet_")
                and k.removeprefix("xlsx_sheet_") not in workbook.SHEETS]
    for helper, prefix in (("_w", "xlsx_word_"), ("word", "xlsx_about_")):
        used = set(re.findall(helper + r'\("([a-z_0-9]+)"', source))
        assert used and sorted(k for k in used if f"{prefix}{k}" not in TEXT) == [], helper
    assert workbook.sheet_name("coverage", "id") == "Cakupan pentahelix"
    assert workbook.sheet_name("weights", "en") == "Index weights"
    with pytest.raises(KeyError):
        workbook.sheet_name("yes", "en")  # a word, not a sheet
    # MIN_CELL and the confidence level are filled in, as before the move
    assert text("xlsx_word_suppressed", "id", min_cell=5) == "Disembunyikan: kurang dari 5 responden"
    assert text("xlsx_describe_coverage_units", "en", min_cell=5) == (
        "Counts. Fewer than 5 survey respondents are shown as '<5'.")
    assert "95% Wilson interval" in text("xlsx_describe_attendance", "en")
    assert all(len(text(f"xlsx_sheet_{k}", lang)) <= 31  # Excel's limit
               for k in workbook.SHEETS for lang in i18n.LANGS)


def test_every_reliability_note_code_is_worded_or_keeps_its_detail():
    from evalkit.measure.scales import RELIABILITY_NOTE_CODES

    scales_source = (SRC / "measure" / "scales.py").read_text(encoding="utf-8")
    worded = {k.removeprefix("reliability_note_") for k in TEXT if k.startswith("reliability_note_")}
    assert worded <= set(RELIABILITY_NOTE_CODES)
    # the codes without words carry a count or an error message only the English note has
    assert set(RELIABILITY_NOTE_CODES) - worded == {"too_few", "alpha_error", "omega_error"}
    for code in worded:  # the English words are the library's own note, word for word
        assert f'("{code}",' in scales_source, code
        assert f'"{text(f"reliability_note_{code}", "en")}"' in scales_source, code


def test_reliability_note_words_each_part_by_its_code():
    note = "alpha not estimated: boom; omega needs at least 3 items"
    assert i18n.reliability_note(note, "alpha_error; omega_items", "id") == (
        "alpha not estimated: boom; omega memerlukan sedikitnya 3 item")
    assert i18n.reliability_note(note, "alpha_error; omega_items", "en") == note
    assert i18n.reliability_note("omega: Heywood case (a uniqueness near zero)", "omega_heywood",
                                 "id") == "omega: kasus Heywood (keunikan mendekati nol)"
    # codes that do not match the parts (none, or a detail holding "; "): the English note
    assert i18n.reliability_note("omega needs at least 3 items", None, "id") == (
        "omega needs at least 3 items")
    odd = "alpha not estimated: a; b; omega needs at least 3 items"
    assert i18n.reliability_note(odd, "alpha_error; omega_items", "id") == odd
    assert i18n.reliability_note(None, None, "id") is None
    with pytest.raises(ValueError):
        i18n.reliability_note(note, "alpha_error; omega_items", "fr")


def test_reliability_table_gives_a_code_for_every_part_of_its_note():
    import numpy as np
    import pandas as pd

    from evalkit.measure.scales import RELIABILITY_NOTE_CODES, reliability_table

    rng = np.random.default_rng(0)
    base = rng.integers(1, 6, 40)
    resp = pd.DataFrame({"region_code": ["A"] * 37 + ["B"] * 3, "s1": base,
                         "p1": base, "p2": base,  # two items: alpha, but no omega
                         "c1": 3, "c2": 3})       # constant: zero variance of the total
    cb = pd.DataFrame({"item": ["s1", "p1", "p2", "c1", "c2"],
                       "dimension": ["single", "pair", "pair", "const", "const"],
                       "reverse": False})
    out = reliability_table(resp, cb, by="region_code")
    assert out.columns[-2:].tolist() == ["note", "note_code"]
    coded = out.dropna(subset=["note"])
    assert len(coded) and coded["note_code"].notna().all()
    assert out["note"].isna().eq(out["note_code"].isna()).all()
    for note, codes in zip(coded["note"], coded["note_code"]):
        parts, keys = note.split("; "), codes.split("; ")
        assert len(parts) == len(keys) and set(keys) <= set(RELIABILITY_NOTE_CODES), (note, codes)
        assert i18n.reliability_note(note, codes, "en") == note  # English: the library's words
    by = {(r.region_code, r.dimension): r.note_code for r in out.itertuples()}
    assert by[("A", "single")] == "single_item"
    assert by[("B", "pair")] == "too_few"
    assert by[("A", "const")] == "zero_variance; omega_items"
    assert by[("A", "pair")] == "omega_items"
    assert i18n.reliability_note(out.set_index(["region_code", "dimension"]).at[("A", "const"), "note"],
                                 by[("A", "const")], "id") == (
        "varians skor total nol: alfa tidak terdefinisi; omega memerlukan sedikitnya 3 item")


# ---------------------------------------------------------------------------------
# The measure stage holds codes, not words
# ---------------------------------------------------------------------------------

def test_the_index_module_holds_no_wording():
    import inspect

    for name in ix.__all__:
        obj = getattr(ix, name)
        if callable(obj) and not inspect.isclass(obj):
            assert "lang" not in inspect.signature(obj).parameters, name
    assert not hasattr(ix, "method_text") and not hasattr(ix, "INDEX_LIMITS")
    assert not hasattr(ix, "PILLAR_LABELS")
    fields = {f.name for f in ix.ComponentSpec.__dataclass_fields__.values()}
    assert not {"label_id", "label_en"} & fields
    assert "pillar_labels" not in ix.IndexSpec.__dataclass_fields__
    assert "label" not in ix.weights_table().columns


# ---------------------------------------------------------------------------------
# Why an attribution estimate is missing: a code in measure, words in i18n
# ---------------------------------------------------------------------------------

def _did_panel(n_regions: int = 8, n_treated: int = 4):
    """Region and year effects, an effect of 2 from 2019 in the first ``n_treated`` regions."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    regions = [f"R{i}" for i in range(n_regions)]
    rows = [{"region_code": r, "indicator_id": "X", "year": y,
             "value": 10 + i + 0.5 * (y - 2015) + (2.0 if i < n_treated and y >= 2019 else 0)
             + rng.normal(0, 0.3)}
            for i, r in enumerate(regions) for y in range(2015, 2023)]
    return (pd.DataFrame(rows),
            pd.DataFrame({"region_code": regions[:n_treated], "start_year": 2019}))


def test_every_unsupported_reason_code_has_words_in_both_languages():
    from evalkit.measure.attribution import UNSUPPORTED_REASONS

    for code in UNSUPPORTED_REASONS:
        for lang in i18n.LANGS:
            assert text(f"attr_reason_{code}", lang, n=1).strip(), (code, lang)
    assert "3" in text("attr_reason_few_treated", "id", n=3)
    assert "3" in text("attr_reason_few_control", "en", n=3)


@pytest.mark.parametrize(("case", "code"), [
    ("supported", ""), ("no_indicator", "no_indicator"), ("no_values", "no_values"),
    ("few_treated", "few_treated"), ("few_treated_after_a_drop", "few_treated"),
    ("no_control", "no_control"), ("few_control", "few_control"),
    ("no_variation", "no_variation"),
])
def test_did_estimate_says_why_by_a_code(case, code):
    from evalkit.measure.attribution import UNSUPPORTED_REASONS, did_estimate

    values, partnerships = _did_panel(n_treated={"no_control": 8, "few_control": 7}.get(case, 4))
    indicator = "Y" if case == "no_indicator" else "X"
    if case == "no_values":
        values["value"] = float("nan")
    if case.startswith("few_treated"):
        partnerships = partnerships.head(1)
    if case == "few_treated_after_a_drop":
        values.loc[values.index[-1], "value"] = float("nan")  # the first note: a dropped row
    if case == "no_variation":
        values["value"] = 1.0
    res = did_estimate(values, partnerships, indicator_id=indicator)
    assert res.reason == code and res.supported == (code == "")
    assert code == "" or code in UNSUPPORTED_REASONS
    assert res.to_frame()["reason"].iat[0] == code  # the results tables can carry it
    if case == "few_treated_after_a_drop":
        # the first note is about the dropped row, not why there is no estimate: the code is
        assert "dropped" in res.notes[0] and res.n_treated == 1
