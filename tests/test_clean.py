"""Tests for the cleaners of evalkit.clean: raw tables -> clean rows + quarantine + flags."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from evalkit.clean.indicators import clean_indicator_metadata, clean_indicator_values
from evalkit.clean.likert import recode_likert
from evalkit.clean.numbers import parse_number
from evalkit.clean.pii import scrub_pii_text
from evalkit.clean.rows import excel_rows
from evalkit.clean.stakeholders import clean_attendance, clean_partnerships, clean_register
from evalkit.clean.survey import QUALITY_CHECKS, clean_survey
from evalkit.core.errors import DataError, InputFileError
from evalkit.demo import generator as demo
from evalkit.demo.form import ITEMS
from evalkit.read.codebook import Codebook, read_codebook

KEY = b"test-key-1"


@pytest.fixture(scope="module")
def codebook(tmp_path_factory) -> Codebook:
    path = tmp_path_factory.mktemp("codebook") / "codebook_xlsform.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in demo.make_codebook().items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return read_codebook(path)


@pytest.fixture(scope="module")
def sectors(codebook) -> dict[str, str]:
    return codebook.choice_lookup("sector")


# --------------------------------------------------------------------------------------
# parse_number
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("12,5", 12.5),  # lone comma: decimal comma
        ("1.234,5", 1234.5),  # Indonesian: dot thousands, comma decimal
        ("1,234.5", 1234.5),  # English: comma thousands, dot decimal
        ("45%", 45.0),
        ("45 persen", 45.0),
        ("1.234.567", 1234567.0),  # several dots: thousands separators
        (" 12,5 ", 12.5),
        ("-3,5", -3.5),
        (7, 7.0),
        (2.5, 2.5),
    ],
)
def test_parse_number(text, expected):
    result = parse_number(pd.Series([text], dtype=object))
    assert result.dtype == np.float64
    assert result.iloc[0] == expected


@pytest.mark.parametrize("text", ["abc", None, np.nan, "", "12,5 kg"])
def test_parse_number_not_a_number(text):
    assert math.isnan(parse_number(pd.Series([text], dtype=object)).iloc[0])


def test_parse_number_keeps_index():
    result = parse_number(pd.Series(["1", "2,5"], index=[10, 20]))
    assert result.to_dict() == {10: 1.0, 20: 2.5}


# --------------------------------------------------------------------------------------
# recode_likert
# --------------------------------------------------------------------------------------
def likert_frame(codebook: Codebook, q01_values: list) -> pd.DataFrame:
    """A frame with every item; q01 holds the values under test, the rest "Netral"."""
    frame = pd.DataFrame({item: ["Netral"] * len(q01_values) for item in codebook.item_names})
    frame["q01"] = pd.Series(q01_values, dtype=object)
    frame["source_row"] = excel_rows(frame)
    return frame


@pytest.mark.parametrize(
    "value, score",
    [
        ("Sangat tidak setuju", 1.0),
        ("Tidak setuju", 2.0),
        ("Netral", 3.0),
        ("Setuju", 4.0),
        ("Sangat setuju", 5.0),
        ("Strongly disagree", 1.0),
        ("Agree", 4.0),
        ("Strongly agree", 5.0),
        ("  sangat SETUJU ", 5.0),  # case and whitespace variants
        ("NETRAL", 3.0),
        ("4", 4.0),  # the choice name
        (4.0, 4.0),  # Excel numbers come back as floats
        (4, 4.0),
    ],
)
def test_recode_likert_values(codebook, value, score):
    scores, flags = recode_likert(likert_frame(codebook, [value]), codebook,
                                  table="survey", source="s.xlsx")
    assert scores.at[0, "q01"] == score
    assert flags.empty


@pytest.mark.parametrize("value", ["Tidak tahu", "Don't know", "dk", "  TIDAK TAHU"])
def test_recode_likert_dont_know_is_missing_without_flag(codebook, value):
    # "Setuju" in a second row so the column is not entirely missing.
    scores, flags = recode_likert(likert_frame(codebook, [value, "Setuju"]), codebook,
                                  table="survey", source="s.xlsx")
    assert math.isnan(scores.at[0, "q01"])
    assert scores.at[1, "q01"] == 4.0
    assert flags.empty  # a legitimate answer, not a data problem


def test_recode_likert_blank_is_missing_without_flag(codebook):
    scores, flags = recode_likert(likert_frame(codebook, [None, "Netral"]), codebook,
                                  table="survey", source="s.xlsx")
    assert math.isnan(scores.at[0, "q01"])
    assert scores.at[1, "q01"] == 3.0
    assert flags.empty


def test_recode_likert_item_blank_on_every_row(codebook):
    # e.g. an item nobody answered in this export: all scores missing, no crash.
    scores, flags = recode_likert(likert_frame(codebook, [None, None]), codebook,
                                  table="survey", source="s.xlsx")
    assert scores["q01"].isna().all()
    assert scores["q02"].tolist() == [3.0, 3.0]
    assert flags.empty


def test_recode_likert_out_of_range_flagged(codebook):
    # "7" is in row index 1 -> Excel row 3 (header is row 1).
    frame = likert_frame(codebook, ["Setuju", "7"])
    scores, flags = recode_likert(frame, codebook, table="survey", source="s.xlsx")
    assert scores["q01"].iloc[0] == 4.0
    assert math.isnan(scores["q01"].iloc[1])
    assert len(flags) == 1
    flag = flags.iloc[0]
    assert flag["column"] == "q01"
    assert flag["source_row"] == 3
    assert flag["value"] == "7"
    assert "out of range" in flag["issue"]
    assert flag["action"] == "set to missing"
    assert flag["source_file"] == "s.xlsx"


def test_recode_likert_unknown_text_flagged(codebook):
    frame = likert_frame(codebook, ["banana"])
    scores, flags = recode_likert(frame, codebook, table="survey", source="s.xlsx")
    assert math.isnan(scores.at[0, "q01"])
    assert flags["issue"].tolist() == ["not a choice of the scale"]
    assert flags["source_row"].tolist() == [2]


def test_recode_likert_scores_all_items_raw(codebook):
    # Reverse-keyed items are not reversed here (scoring does that): "Setuju" -> 4 on q03.
    frame = likert_frame(codebook, ["Setuju"])
    frame["q03"] = "Setuju"
    scores, _ = recode_likert(frame, codebook, table="survey", source="s.xlsx")
    assert list(scores.columns) == codebook.item_names
    assert scores.at[0, "q03"] == 4.0
    assert scores.at[0, "q02"] == 3.0


def test_recode_likert_item_with_many_distinct_values(codebook):
    # more distinct answers than the small (int8) codes hold: wider codes, same scores
    typed = [str(i) for i in range(300)] + ["Setuju", None, "Tidak tahu"]
    scores, flags = recode_likert(likert_frame(codebook, typed), codebook, table="survey",
                                  source="s.xlsx")
    q01 = scores["q01"].tolist()
    assert q01[1:6] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert math.isnan(q01[0]) and all(math.isnan(v) for v in q01[6:300])
    assert q01[300] == 4.0 and math.isnan(q01[301]) and math.isnan(q01[302])
    q01_flags = flags[flags["column"] == "q01"]
    assert len(q01_flags) == 300 - 5  # 0 and 6-299: out of range
    assert q01_flags["source_row"].tolist() == [2] + list(range(8, 302))


# --------------------------------------------------------------------------------------
# clean_survey
# --------------------------------------------------------------------------------------
VARIED = ["Setuju", "Netral", "Sangat setuju", "Tidak setuju", "Setuju", "Sangat tidak setuju"]


def survey_row(uuid, name, phone, *, start="2026-07-01T09:00:00.000+07:00", minutes=10.0,
               region="Kota Jambi", sector="Pemerintah", organisation="Bappeda Kota Jambi",
               answers=None, shift=0):
    """One Kobo-style row: group-prefixed item headers, labels as answers."""
    begin = pd.Timestamp(start)
    answers = answers if answers is not None else [VARIED[(i + shift) % 6] for i in range(30)]
    row = {"start": begin.isoformat(), "end": (begin + pd.Timedelta(minutes=minutes)).isoformat(),
           "region": region, "respondent_name": name, "respondent_phone": phone,
           "organisation": organisation, "sector": sector}
    for item, answer in zip(ITEMS, answers):
        row[f"grp_{item.dimension}/{item.name}"] = answer
    row["_uuid"] = uuid
    return row


NAMES = ["Budi Santoso", "Siti Wijaya", "Agus Lubis", "Dewi Pratama", "Rina Siregar",
         "Andi Hidayat", "Wahyu Utami"]
PHONES = ["081234567890", "081311112222", "085211113333", "085744445555", "082166667777",
          "081388889999", "081299990000"]


@pytest.fixture
def raw_survey() -> pd.DataFrame:
    """Ten rows: three good ones and one of every quarantine reason (Excel rows 2-11)."""
    rows = [
        # row 2: good
        survey_row("u-good-1", "Budi Santoso", "081234567890"),
        # row 3: good, regency, sector in lower case
        survey_row("u-good-2", "Siti Wijaya", "081311112222", region="Kab. Klaten",
                   sector="akademisi", organisation="Universitas Klaten", shift=1),
        # row 4: test submission
        survey_row("u-test", "Test", "081200000000", organisation="TEST"),
        # row 5: same _uuid as row 2 (export merged twice)
        survey_row("u-good-1", "Budi Santoso", "081234567890"),
        # row 6: Siti again, identical answers, new uuid, two hours later
        survey_row("u-again", "Siti Wijaya", "081311112222", region="Kab. Klaten",
                   sector="akademisi", organisation="Universitas Klaten", shift=1,
                   start="2026-07-01T11:00:00.000+07:00"),
        # row 7: speeder, 90 s
        survey_row("u-fast", "Agus Lubis", "085211113333", minutes=1.5, shift=2),
        # row 8: stopped after five items
        survey_row("u-partial", "Dewi Pratama", "085744445555",
                   answers=[VARIED[i % 6] if i < 5 else None for i in range(30)]),
        # row 9: "Setuju" on every item, reverse-keyed included
        survey_row("u-flat", "Rina Siregar", "082166667777", answers=["Setuju"] * 30),
        # row 10: sector not in the codebook
        survey_row("u-alien", "Andi Hidayat", "081388889999", sector="Alien", shift=3),
        # row 11: good, another spelling of Kota Jambi, English sector label
        survey_row("u-good-3", "Wahyu Utami", "081299990000", region="KOTA JAMBI",
                   sector="Government", organisation="Dinas Kesehatan", shift=4),
    ]
    return pd.DataFrame(rows)


EXPECTED_REASONS = {
    4: "test_submission",
    5: "duplicate_uuid",
    6: "duplicate_respondent",
    7: "speeder",
    8: "too_many_missing",
    9: "straight_lining",
    10: "unknown_sector",
}


def test_clean_survey_quarantine_reasons(codebook, raw_survey):
    result = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY)
    reasons = dict(zip(result.quarantine["source_row"], result.quarantine["reason"]))
    assert reasons == EXPECTED_REASONS
    assert (result.quarantine["table"] == "survey").all()
    assert (result.quarantine["source_file"] == "survey.xlsx").all()


def test_clean_survey_row_accounting(codebook, raw_survey):
    result = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY)
    assert len(result.data) == 3
    assert len(result.quarantine) == 7
    assert len(raw_survey) == len(result.data) + len(result.quarantine)


def test_clean_survey_first_occurrence_kept(codebook, raw_survey):
    result = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY)
    # u-good-1 (row 2) kept and its copy (row 5) quarantined; Siti's first submission
    # (u-good-2, row 3) kept and the resubmission (u-again) quarantined.
    assert sorted(result.data["response_id"]) == ["u-good-1", "u-good-2", "u-good-3"]
    assert sorted(result.data["source_row"]) == [2, 3, 11]


def test_clean_survey_clean_columns(codebook, raw_survey):
    data = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY).data
    # Sorted by region code: the two Kota Jambi rows (15.71) before Klaten (33.10).
    assert data["region_code"].tolist() == ["15.71", "15.71", "33.10"]
    assert data["region_name"].tolist() == ["Kota Jambi", "Kota Jambi", "Kabupaten Klaten"]
    assert data["sector"].tolist() == ["pemerintah", "pemerintah", "akademisi"]
    assert data["duration_s"].tolist() == [600.0, 600.0, 600.0]
    # Items scored from labels: VARIED starts "Setuju"(4), "Netral"(3); shift 1 starts at 3.
    first = data.set_index("response_id")
    assert first.at["u-good-1", "q01"] == 4.0
    assert first.at["u-good-1", "q02"] == 3.0
    assert first.at["u-good-2", "q01"] == 3.0
    assert (data["quality_flags"] == "").all()


def test_clean_survey_speeder_flag_policy(codebook, raw_survey):
    result = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY,
                          policy={"speeder": "flag"})
    assert len(result.data) == 4
    assert len(result.quarantine) == 6
    kept = result.data.set_index("response_id")
    assert kept.at["u-fast", "quality_flags"] == "speeder"
    assert kept.at["u-good-1", "quality_flags"] == ""
    assert "speeder" not in set(result.quarantine["reason"])


def test_clean_survey_unknown_policy_check(codebook, raw_survey):
    with pytest.raises(ValueError, match="slowpoke"):
        clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY,
                     policy={"slowpoke": "flag"})


def test_clean_survey_all_checks_flagged(codebook, raw_survey):
    policy = dict.fromkeys(QUALITY_CHECKS, "flag")
    result = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY, policy=policy)
    # Only the unknown sector (not a quality check) is still quarantined.
    assert result.quarantine["reason"].tolist() == ["unknown_sector"]
    assert len(result.data) == 9


def test_clean_survey_no_personal_data(codebook, raw_survey):
    result = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY)
    assert "respondent_name" not in result.data.columns
    assert "respondent_phone" not in result.data.columns
    cleaned_text = result.data.astype(str).to_csv()
    flags_text = result.flags.astype(str).to_csv()
    records = list(result.quarantine["record"])
    for record in records:
        parsed = json.loads(record)
        assert "respondent_name" not in parsed
        assert "respondent_phone" not in parsed
    quarantine_text = result.quarantine.astype(str).to_csv()
    for secret in NAMES + PHONES + ["081200000000"]:  # incl. the test row's phone
        for text in (cleaned_text, flags_text, quarantine_text):
            assert secret not in text


def test_clean_survey_quarantine_record_keeps_the_answers(codebook, raw_survey):
    result = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY)
    record = json.loads(result.quarantine.set_index("source_row").at[9, "record"])
    assert record["_uuid"] == "u-flat"
    assert record["q03"] == "Setuju"  # the raw answer, as typed
    assert record["region"] == "Kota Jambi"


def test_respondent_id_is_a_keyed_pseudonym(codebook, raw_survey):
    one = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY).data
    again = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY).data
    other = clean_survey(raw_survey, codebook, source="survey.xlsx", key=b"another-key").data
    ids = one.set_index("response_id")["respondent_id"]
    assert ids.str.fullmatch(r"R[0-9a-f]{12}").all()
    assert ids.is_unique  # three different people
    assert (again.set_index("response_id")["respondent_id"] == ids).all()  # same key
    other_ids = other.set_index("response_id")["respondent_id"]
    assert not (other_ids.reindex(ids.index) == ids).any()  # another key: all differ


def test_respondent_id_same_person_other_phone_format(codebook):
    # "+62 812-3456-7890" and "081234567890" are the same number (last 9 digits).
    raw = pd.DataFrame([
        survey_row("a", "Budi Santoso", "081234567890"),
        survey_row("b", " budi  SANTOSO", "+62 812-3456-7890", shift=1,
                   start="2026-08-01T09:00:00.000+07:00"),
    ])
    data = clean_survey(raw, codebook, source="s.xlsx", key=KEY).data
    assert data["respondent_id"].nunique() == 1


def test_clean_survey_unmatched_region(codebook, raw_survey):
    raw_survey.loc[1, "region"] = "Kota Jambbi"  # index 1 = Excel row 3
    with pytest.raises(DataError) as info:
        clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY)
    message = str(info.value)
    assert message.startswith("survey.xlsx")
    assert "row 3" in message
    assert "column 'region'" in message
    assert "'Kota Jambbi'" in message
    assert "Kota Jambi (15.71)" in message
    assert info.value.row == 3
    assert info.value.column == "region"


def test_clean_survey_out_of_range_answer_flagged(codebook, raw_survey):
    raw_survey.loc[0, "grp_shared_goals/q08"] = "7"
    result = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY)
    flags = result.flags
    assert flags[["source_row", "column", "value"]].values.tolist() == [[2, "q08", "7"]]
    row = result.data.set_index("response_id").loc["u-good-1"]
    assert math.isnan(row["q08"])
    assert row["q07"] == 4.0  # the rest of the response is kept


def test_clean_survey_scrubs_contact_in_organisation(codebook, raw_survey):
    raw_survey.loc[0, "organisation"] = "Bappeda (kontak: budi@bappeda.go.id)"
    result = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY)
    org = result.data.set_index("response_id").at["u-good-1", "organisation"]
    assert org == "Bappeda (kontak: [email removed])"
    assert result.flags["issue"].tolist() == ["personal data in free text"]
    assert result.flags["value"].tolist() == ["[redacted]"]


def test_quarantine_record_scrubs_contact_in_free_text(codebook, raw_survey):
    # Row index 2 is the test submission, which is quarantined. Its record goes to
    # data/processed/quarantine.parquet, where personal data must never appear.
    raw_survey.loc[2, "organisation"] = "TEST budi@bappeda.go.id 0812-3456-7890"
    result = clean_survey(raw_survey, codebook, source="survey.xlsx", key=KEY)
    record = result.quarantine.set_index("source_row").at[4, "record"]
    assert "budi@bappeda.go.id" not in record
    assert "0812-3456-7890" not in record


def test_clean_survey_text_columns_clean_like_python_objects(codebook, raw_survey):
    # A CSV arrives as Arrow-backed text (fast paths for timestamps, phone digits and the
    # personal-data search in quarantined records), an XLSX as Python objects: same result.
    raw_survey.loc[9, "respondent_phone"] = "+62 812-9999-0000"
    raw_survey.loc[9, "organisation"] = "Dinas Kesehatan (WA 0813-2233-4455)"
    raw_survey.loc[2, "organisation"] = "TEST budi@bappeda.go.id"
    as_objects = raw_survey.astype(object)
    as_text = raw_survey.astype(str)
    assert isinstance(as_text["start"].dtype, pd.StringDtype)
    a = clean_survey(as_objects, codebook, source="s.csv", key=KEY)
    b = clean_survey(as_text, codebook, source="s.csv", key=KEY)
    pd.testing.assert_frame_equal(a.data, b.data, check_exact=True)
    pd.testing.assert_frame_equal(a.quarantine, b.quarantine, check_exact=True)
    pd.testing.assert_frame_equal(a.flags, b.flags, check_exact=True)
    assert len(b.flags) == 1  # the contact in the kept row's organisation


def test_clean_survey_rows_in_region_time_uuid_order(codebook):
    # ties on region and start are broken by the uuid; an unreadable start sorts last
    tie = "2026-07-02T09:00:00.000+07:00"
    rows = [
        survey_row("u-c", NAMES[0], PHONES[0], start=tie),
        survey_row("u-q", NAMES[1], PHONES[1], region="Kab. Klaten", shift=1),
        survey_row("u-e", NAMES[2], PHONES[2], start=tie, shift=2),
        survey_row("u-z", NAMES[3], PHONES[3], shift=3),
        survey_row("u-a", NAMES[4], PHONES[4], start=tie, shift=4),
        survey_row("u-y", NAMES[5], PHONES[5], region="KOTA JAMBI", shift=5,
                   start="2026-07-01T08:00:00.000+07:00"),
        survey_row("u-d", NAMES[6], PHONES[6], start=tie),
        survey_row("u-b", "Eko Wibowo", "081277778888", start=tie, shift=1),
    ]
    raw = pd.DataFrame(rows)
    raw.loc[3, "start"] = "kemarin"  # no start: no duration, not a speeder
    data = clean_survey(raw.astype(str), codebook, source="s.csv", key=KEY).data
    assert data["response_id"].tolist() == ["u-y", "u-a", "u-b", "u-c", "u-d", "u-e", "u-z",
                                            "u-q"]
    assert data["started_at"].isna().tolist() == [False] * 6 + [True, False]
    assert data["source_row"].tolist() == [7, 6, 9, 2, 8, 4, 5, 3]
    resorted = data.sort_values(["region_code", "started_at", "response_id"], kind="stable")
    pd.testing.assert_frame_equal(data, resorted.reset_index(drop=True))


@pytest.mark.parametrize("key", [b"", KEY, b"k" * 64, b"k" * 65, "kunci rahasia é".encode() * 20])
def test_pseudonymise_is_hmac_sha256(key):
    import hashlib
    import hmac

    from evalkit.clean.respondents import pseudonymise

    texts = ["budi santoso|234567890", "", "siti – wijaya|", "x" * 200]
    expected = ["R" + hmac.new(key, t.encode("utf-8"), hashlib.sha256).hexdigest()[:12]
                for t in texts]
    for dtype in (str, "string", object):
        values = pd.Series(texts, dtype=dtype, index=[5, 6, 7, 8], name="person")
        ids = pseudonymise(values, key)
        assert ids.tolist() == expected
        assert ids.index.tolist() == [5, 6, 7, 8] and ids.name == "person"
        # typed as Series.map types it: text stays its kind of text, objects become str
        assert ids.dtype == (pd.Series(["R"]).dtype if dtype is object else values.dtype)
    assert pseudonymise(pd.Series([], dtype=str), key).tolist() == []


PHONE_TEXTS = ["081234567890", "+62 812-3456-7890", "", "tidak ada", "٣٤ 0812-345", "é 0812 34",
               "1" * 70, "08 12 34 56 78 90 12", "x9y8z7", "+62 812 3456 7890" * 3]


@pytest.mark.parametrize("dtype", [str, "string", object])
def test_last_digits_matches_the_regex(dtype, monkeypatch):
    import evalkit.clean.respondents as respondents

    monkeypatch.setattr(respondents, "_DIGIT_BLOCK", 3)  # several blocks
    values = pd.Series(PHONE_TEXTS * 3, dtype=dtype, index=range(100, 130), name="phone")
    expected = values.str.replace(r"\D", "", regex=True).str[-9:]
    got = respondents._last_digits(values, 9)
    pd.testing.assert_series_equal(got, expected)
    assert got.iloc[4] == "٣٤0812345"  # Arabic-Indic digits are digits, as for the regex


def test_last_digits_with_missing_values():
    from evalkit.clean.respondents import _last_digits

    values = pd.Series(["0812-3", None], dtype=str)
    pd.testing.assert_series_equal(_last_digits(values, 9),
                                   values.str.replace(r"\D", "", regex=True).str[-9:])


TIMESTAMPS = [
    ["2026-07-01T08:00:00.000+07:00", None, "2026-07-02T08:00:00.5-01:00", "2026-07-01T08:00:00Z"],
    ["2024-02-29T23:59:59.999999+14:00", "1000-01-01T00:00:00+00:00"],
    ["2026-02-30T08:00:00+07:00", "2026-07-01T08:00:00+07:00"],  # no 30 February
    ["2026-07-01T24:00:00+07:00"], ["2026-07-01T08:00:60+07:00"], ["2026-07-01T08:00:00+07:60"],
    ["2026-07-01T08:00:00"], ["2026-07-01"], ["2026-07-01T08:00:00.1234567+07:00"],
    [" 2026-07-01T08:00:00+07:00"], ["kemarin"], [None, None], [],
]


@pytest.mark.parametrize("values", TIMESTAMPS)
@pytest.mark.parametrize("dtype", [str, "string", object])
def test_parse_timestamps_matches_pandas(values, dtype):
    from evalkit.clean.timestamps import parse_timestamps

    series = pd.Series(values, dtype=dtype, name="start", index=range(10, 10 + len(values)))
    expected = pd.to_datetime(series, utc=True, errors="coerce", format="ISO8601")
    got = parse_timestamps(series)
    pd.testing.assert_series_equal(got, expected)
    assert got.dtype == expected.dtype  # the unit too: us, s (all blank), ns


def test_scrub_texts_matches_scrub():
    import random
    import string

    from evalkit.clean.pii import PII_PATTERNS, _scrub_texts

    def by_each_pattern(text):
        for kind, pattern in PII_PATTERNS.items():
            text = pattern.sub(f"[{kind} removed]", text)
        return text

    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + " -+@._\t\n\x0b\x1c٣é–\xa0\u2003"
    texts = ["0812 3456 7890", "+62 812-3456-7890", "a@b.co", "x 1234567890123456 y",
             "2026-07-01T08:00:00.000+07:00", "08\x0b12345678", "08\x1c12345678",
             "0812\u200334567890", "٣" * 16, "T0812345678", "-0812345678", ""]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
              for _ in range(3000)]
    texts += ["".join(rng.choice("0123456789 -+8@.ab\x0b") for _ in range(rng.randint(5, 25)))
              for _ in range(3000)]
    expected = [by_each_pattern(t) for t in texts]
    assert _scrub_texts(texts) == expected
    assert sum(e != t for e, t in zip(expected, texts)) > 100  # the test sees real hits


# --------------------------------------------------------------------------------------
# indicators
# --------------------------------------------------------------------------------------
@pytest.fixture
def meta() -> pd.DataFrame:
    raw = pd.DataFrame({
        "indicator_id": ["air_minum", "peserta"], "sdg_code": ["6.1.1", "17.17.1"],
        "name_id": ["Air minum layak", "Peserta forum"],
        "name_en": ["Safe drinking water", "Forum participants"],
        "unit": ["%", "orang"], "direction": ["higher", " Higher "],
    })
    return clean_indicator_metadata(raw, "indicators.xlsx")


def test_clean_indicator_metadata(meta):
    assert meta["direction"].tolist() == ["higher", "higher"]  # stripped, lower-cased
    assert meta["indicator_id"].tolist() == ["air_minum", "peserta"]


def test_clean_indicator_metadata_bad_direction():
    raw = pd.DataFrame({
        "indicator_id": ["a", "b"], "sdg_code": ["1", "2"], "name_id": ["a", "b"],
        "name_en": ["a", "b"], "unit": ["%", "%"], "direction": ["lower", "up"],
    })
    with pytest.raises(DataError) as info:
        clean_indicator_metadata(raw, "indicators.xlsx")
    # "up" is in the second data row -> Excel row 3.
    assert info.value.row == 3
    assert info.value.column == "direction"
    message = str(info.value)
    assert message.startswith("indicators.xlsx, row 3, column 'direction'")
    assert "'up'" in message


def test_clean_indicator_metadata_duplicate_id():
    raw = pd.DataFrame({
        "indicator_id": ["a", "a"], "sdg_code": ["1", "1"], "name_id": ["a", "a"],
        "name_en": ["a", "a"], "unit": ["%", "%"], "direction": ["lower", "lower"],
    })
    with pytest.raises(DataError, match="listed twice") as info:
        clean_indicator_metadata(raw, "indicators.xlsx")
    assert info.value.row == 3


@pytest.fixture
def values() -> pd.DataFrame:
    rows = [
        ("Kota Jambi", "air_minum", 2020, "60,5"),  # row 2: decimal comma, kept + flagged
        ("Kota Jambi", "air_minum", 2021, 134.0),  # row 3: percentage above 100
        ("Kota Jambi", "air_minum", 2022, None),  # row 4: blank
        ("Kota Jambi", "peserta", 2020, -3),  # row 5: negative count
        ("KOTA JAMBI", "air_minum", 2020, 60.5),  # row 6: same as row 2 (another spelling)
        ("Klaten", "air_minum", 2020, 70.0),  # row 7: conflicts with row 8
        ("Kab. Klaten", "air_minum", 2020, 71.0),  # row 8
        ("Klaten", "peserta", 2021, "12"),  # row 9: fine
        ("Kota Jambi", "banjir", 2020, 5),  # row 10: not in the metadata
    ]
    return pd.DataFrame(rows, columns=["region", "indicator_id", "year", "value"]).astype(
        {"value": object})


def test_clean_indicator_values_reasons(values, meta):
    result = clean_indicator_values(values, meta, "indicators.xlsx")
    reasons = dict(zip(result.quarantine["source_row"], result.quarantine["reason"]))
    assert reasons == {
        3: "impossible_value",
        4: "missing_value",
        5: "impossible_value",
        6: "duplicate_row",
        7: "conflicting_duplicate",
        8: "conflicting_duplicate",
        10: "unknown_indicator",
    }
    assert len(values) == len(result.data) + len(result.quarantine)


def test_clean_indicator_values_kept_rows(values, meta):
    data = clean_indicator_values(values, meta, "indicators.xlsx").data
    assert data[["region_code", "indicator_id", "year", "value"]].values.tolist() == [
        ["15.71", "air_minum", 2020, 60.5],  # "60,5" read with a decimal comma
        ["33.10", "peserta", 2021, 12.0],
    ]
    assert data["year"].dtype == np.int64


def test_clean_indicator_values_decimal_comma_flag(values, meta):
    flags = clean_indicator_values(values, meta, "indicators.xlsx").flags
    assert flags[["source_row", "column", "value", "issue"]].values.tolist() == [
        [2, "value", "60,5", "decimal comma"]]


def test_clean_indicator_values_impossible_detail(values, meta):
    quarantine = clean_indicator_values(values, meta, "indicators.xlsx").quarantine
    detail = quarantine.set_index("source_row").at[3, "detail"]
    assert "134" in detail


# --------------------------------------------------------------------------------------
# register, attendance, partnerships
# --------------------------------------------------------------------------------------
def test_clean_register(sectors):
    raw = pd.DataFrame({
        "region": ["Kota Jambi", "Kt. Jambi", "Kota Jambi", "Kota Jambi", "Kota Jambi"],
        "organisation": ["Bappeda Kota Jambi", "Universitas  Jambi ", "Klub Alien",
                         "PT Maju", "bappeda kota jambi"],
        "sector": ["Pemerintah", " AKADEMISI", "Alien", "Dunia Usaha", "Pemerintah"],
        "influence": ["4", "3", "3", "9", "2"],
        "interest": ["3", "5", "2", "2", "2"],
    })
    result = clean_register(raw, sectors, "stakeholder_register.csv")
    reasons = dict(zip(result.quarantine["source_row"], result.quarantine["reason"]))
    assert reasons == {4: "unknown_sector", 5: "influence_or_interest_not_1_to_5",
                       6: "duplicate_row"}  # row 6: same organisation, other case
    data = result.data
    assert data["organisation"].tolist() == ["Bappeda Kota Jambi", "Universitas Jambi"]
    assert data["sector"].tolist() == ["pemerintah", "akademisi"]
    assert data["influence"].tolist() == [4, 3]
    assert data["influence"].dtype == np.int64
    assert len(raw) == len(data) + len(result.quarantine)


def test_clean_attendance(sectors):
    answers = ["Ya", "ya", "Hadir", "Tidak", "tidak ", "Absen", "maybe"]
    raw = pd.DataFrame({
        "region": ["Kota Jambi"] * 7, "meeting_date": ["2024-02-15"] * 7,
        "meeting": ["Rapat Forum ke-1"] * 7, "organisation": list("ABCDEFG"),
        "sector": ["Pemerintah"] * 7, "attended": answers,
    })
    result = clean_attendance(raw, sectors, "meeting_attendance.csv")
    attended = dict(zip(result.data["organisation"], result.data["attended"]))
    assert attended == {"A": True, "B": True, "C": True, "D": False, "E": False, "F": False}
    assert result.data["attended"].dtype == bool
    assert result.quarantine["source_row"].tolist() == [8]  # "maybe": 7th data row
    assert result.quarantine["reason"].tolist() == ["unrecognised_attendance_value"]
    assert result.data["meeting_date"].iloc[0] == pd.Timestamp("2024-02-15")


def test_clean_partnerships():
    raw = pd.DataFrame({
        "region": ["Kota Jambi"] * 4,
        "name": ["MOU Jambi-Batam", "Forum KMP", "PKS Air", "Kontrak X"],
        "type": ["mou", "Informal", " pks ", "kontrak"],
        "start_year": ["2019", "2018", 2021, "2022"],
        "sdg_themes": ["16; 17", "16;17", "6", "2"],
    })
    result = clean_partnerships(raw, "partnerships.csv")
    data = result.data.set_index("name")
    assert data.at["MOU Jambi-Batam", "type"] == "MOU"
    assert data.at["PKS Air", "type"] == "PKS"
    assert data.at["Forum KMP", "type"] == "informal"
    assert bool(data.at["MOU Jambi-Batam", "formal"]) is True
    assert bool(data.at["Forum KMP", "formal"]) is False
    assert data.at["MOU Jambi-Batam", "sdg_themes"] == "16;17"  # whitespace removed
    assert data.at["PKS Air", "start_year"] == 2021
    assert result.quarantine["reason"].tolist() == ["unknown_partnership_type"]
    assert result.quarantine["source_row"].tolist() == [5]


# --------------------------------------------------------------------------------------
# scrub_pii_text
# --------------------------------------------------------------------------------------
def test_scrub_pii_text():
    text = pd.Series([
        "Hubungi budi.santoso@bappeda.go.id",
        "HP 0812-3456-7890 (Budi)",
        "NIK 3171234567890001 terlampir",
        "Bappeda Kota Jambi",
        None,
    ])
    scrubbed, changed = scrub_pii_text(text)
    assert scrubbed.iloc[:4].tolist() == [
        "Hubungi [email removed]",
        "HP [phone removed] (Budi)",
        "NIK [nik removed] terlampir",
        "Bappeda Kota Jambi",
    ]
    assert pd.isna(scrubbed.iloc[4])  # missing stays missing
    assert changed.tolist() == [True, True, True, False, False]


def test_scrub_pii_text_keeps_ordinary_numbers():
    scrubbed, changed = scrub_pii_text(pd.Series(["Tahun 2024, 45 peserta, Rp 1.234.567"]))
    assert scrubbed.iloc[0] == "Tahun 2024, 45 peserta, Rp 1.234.567"
    assert not changed.iloc[0]


def test_scrub_pii_text_international_phone_with_space():
    scrubbed, _ = scrub_pii_text(pd.Series(["WA +62 812-3456-7890"]))
    assert scrubbed.iloc[0] == "WA [phone removed]"


# --- indicator units, periods and breakdowns ---------------------------------------------
@pytest.fixture
def meta_units() -> pd.DataFrame:
    raw = pd.DataFrame({
        "indicator_id": ["air_minum", "komitmen", "partisipasi"],
        "sdg_code": ["6.1.1", "17.17.1", "16.7.2"], "name_id": ["a", "b", "c"],
        "name_en": ["a", "b", "c"], "unit": ["%", "miliar Rp", "%"],
        "direction": ["higher", "higher", "higher"], "annual_rule": ["mean", "sum", None],
    })
    return clean_indicator_metadata(raw, "indicators.xlsx")


def test_metadata_annual_rule_defaults_to_mean_and_is_checked(meta_units):
    assert meta_units["annual_rule"].tolist() == ["mean", "sum", "mean"]
    bad = pd.DataFrame({"indicator_id": ["a"], "sdg_code": ["1"], "name_id": ["a"],
                        "name_en": ["a"], "unit": ["%"], "direction": ["higher"],
                        "annual_rule": ["median"]})
    with pytest.raises(DataError, match="annual_rule 'median'") as info:
        clean_indicator_metadata(bad, "indicators.xlsx")
    assert (info.value.row, info.value.column) == (2, "annual_rule")


def test_units_that_disagree_with_the_metadata(meta_units):
    raw = pd.DataFrame({
        "region": ["Kota Jambi"] * 5, "indicator_id": ["komitmen", "komitmen", "air_minum",
                                                       "air_minum", "komitmen"],
        "year": [2020, 2021, 2020, 2021, 2022],
        "value": [12.5, 13500, "61,5 persen", 900, "45%"],
        "unit": ["Rp miliar", "juta Rp", None, "rumah tangga", None],
    })
    result = clean_indicator_values(raw, meta_units, "indicators.xlsx")
    # row 3: millions converted to billions, flagged with the factor
    assert sorted(result.data["value"]) == [12.5, 13.5, 61.5]
    flag = result.flags[result.flags["column"] == "unit"]
    assert flag[["source_row", "value"]].values.tolist() == [[3, "juta Rp"]]
    assert "'miliar Rp'" in flag["action"].iat[0] and "x0.001" in flag["action"].iat[0]
    # households are not a percentage; a percent sign on an amount is not an amount
    reasons = dict(zip(result.quarantine["source_row"], result.quarantine["reason"]))
    assert reasons == {5: "unit_mismatch", 6: "unit_mismatch"}
    detail = result.quarantine.set_index("source_row").at[5, "detail"]
    assert "'rumah tangga'" in detail and "'%'" in detail
    assert len(raw) == len(result.data) + len(result.quarantine)


def test_year_quarter_periods_and_their_gaps(meta_units):
    raw = pd.DataFrame({
        "region": ["Kota Jambi"] * 6,
        "indicator_id": ["air_minum"] * 6,
        "period": ["2024-Q1", "TW II 2024", "2024Q4", "Q1 2025", "2023", "2024-Q9"],
        "value": [60, 61, 62, 63, 59, 70],
    })
    result = clean_indicator_values(raw, meta_units, "indicators.xlsx")
    data = result.data
    assert data["period"].tolist() == ["2023", "2024-Q1", "2024-Q2", "2024-Q4", "2025-Q1"]
    assert data["quarter"].isna().tolist() == [True, False, False, False, False]
    assert result.quarantine[["source_row", "reason"]].values.tolist() == [
        [7, "unparseable_period"]]
    assert "2024-Q9" in result.quarantine["detail"].iat[0]
    gaps = result.flags[result.flags["issue"].str.startswith("gap")]
    assert gaps[["source_row", "value"]].values.tolist() == [[4, "2024-Q3"]]  # Q3 missing


def test_breakdowns_are_separate_series_and_bad_ones_quarantined(meta_units):
    raw = pd.DataFrame({
        "region": ["Kota Jambi"] * 6, "indicator_id": ["partisipasi"] * 6,
        "year": [2024] * 6, "value": [40, 36, 44, 38, 50, 41],
        "jenis_kelamin": [None, "Perempuan", "Laki-laki", "P", "X", None],
        "wilayah": [None, None, None, None, None, "Perdesaan"],
    })
    result = clean_indicator_values(raw, meta_units, "indicators.xlsx")
    data = result.data
    # total, female, male and a rural total are four series; a second female value for
    # the same year conflicts with the first; "X" is no sex
    reasons = dict(zip(result.quarantine["source_row"], result.quarantine["reason"]))
    assert reasons == {3: "conflicting_duplicate", 5: "conflicting_duplicate",
                       6: "unknown_disaggregation"}
    assert sorted(zip(data["sex"], data["area"], data["value"])) == [
        ("male", "total", 44.0), ("total", "rural", 41.0), ("total", "total", 40.0)]
    assert (data["age_group"] == "total").all()


def test_values_need_a_year_or_a_period(meta_units):
    raw = pd.DataFrame({"region": ["Kota Jambi"], "indicator_id": ["air_minum"], "value": [1]})
    with pytest.raises(InputFileError, match="'year' or a 'period'"):
        clean_indicator_values(raw, meta_units, "indicators.xlsx")


# --- collaboration ties ----------------------------------------------------------------
def test_clean_ties_reasons_flags_and_register_matching():
    from evalkit.clean.stakeholders import clean_ties

    register = pd.DataFrame({"region_code": ["15.71"] * 3,
                             "organisation": ["Bappeda Kota Jambi", "PT Sinar Jambi", "Radio Suara Jambi"],
                             "sector": ["pemerintah", "dunia_usaha", "media"]})
    raw = pd.DataFrame([
        ("Kota Jambi", "Bappeda Kota Jambi", "pt sinar  jambi ", "Koordinatif", "3,5", 3),  # 2
        ("Kota Jambi", "Bappeda Kota Jambi", "BAPPEDA KOTA JAMBI", 1, 3, 3),  # 3: self-tie
        ("Kota Jambi", "PT Sinar Jambi", "Bappeda Kota Jambi", "sangat dekat", 3, 3),  # 4
        ("Kota Jambi", "PT Sinar Jambi", "Radio Suara Jambi", "1", 2, 3),  # 5: conflicts with 6
        ("Kota Jambi", "PT Sinar Jambi", "Radio Suara Jambi", "Terintegrasi", 2, 3),  # 6
        ("Kota Jambi", "Radio Suara Jambi", "Yayasan Baru", "Kooperatif", 5, 2),  # 7
        ("Kt. Jambi", "Bappeda Kota Jambi", "PT Sinar Jambi", "2", "3.5", 3.0),  # 8: = row 2
    ], columns=["region", "organisation", "partner", "level", "trust", "value"])
    result = clean_ties(raw, register, "collaboration_ties.csv")
    reasons = dict(zip(result.quarantine["source_row"], result.quarantine["reason"]))
    assert reasons == {3: "self_tie", 4: "unknown_level", 5: "conflicting_duplicate",
                       6: "conflicting_duplicate", 8: "duplicate_row"}
    data = result.data
    assert data[["organisation", "partner", "partner_sector", "level"]].values.tolist() == [
        ["Bappeda Kota Jambi", "PT Sinar Jambi", "dunia_usaha", 2],  # register spelling
        ["Radio Suara Jambi", "Yayasan Baru", "unknown", 1],
    ]
    assert data["trust"].iat[0] == 3.5  # decimal comma
    assert np.isnan(data["trust"].iat[1])  # 5 on a 1-4 scale: missing, flagged
    flags = result.flags[["source_row", "column", "issue"]].values.tolist()
    assert flags == [[7, "partner", "not in the region's stakeholder register"],
                     [7, "trust", "out of range 1-4"]]
    assert len(raw) == len(data) + len(result.quarantine)
