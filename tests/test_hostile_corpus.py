"""The bad-input corpus of issue #15 (cases in tests/hostile_cases.py), one test per case.

clean/validate cases run in-process (typer's CliRunner) on a scratch copy of the demo
raw data or of the NTT programme; report-level cases (XSS, formulas, personal data in
the HTML, the small region) share ONE payload-laden project, cleaned and run once.
"""

from __future__ import annotations

import os
from collections import Counter

import hostile_cases as H
import pytest

from evalkit.core.config import RAW_DATA_DIR


@pytest.fixture(scope="session")
def repo_raw_hashes():
    """The repository's own data/raw before any case ran."""
    return H.tree_hashes(RAW_DATA_DIR)


@pytest.fixture(scope="session")
def bases(tmp_path_factory, repo_raw_hashes):
    """The pristine scratch copies (and their clean) of the demo and the NTT programme."""
    root = tmp_path_factory.mktemp("hostile-bases")
    return {name: H.make_base(name, root) for name in ("demo", "ntt")}


@pytest.fixture(scope="session")
def outcomes(request, bases, tmp_path_factory):
    """Every selected case of this module, run once on both cores (spawned workers; the
    payload project first, then the slow cases): case id -> Outcome / PayloadProject."""
    wanted = []
    for item in request.session.items:
        case = getattr(item, "callspec", None) and item.callspec.params.get("case")
        module = getattr(item, "module", None)  # notebook cells (nbval) have none
        if module is not None and module.__name__ == __name__ and case is not None:
            if isinstance(case, H.ReportCase):
                wanted.append(H.PAYLOAD)
            elif not (case.skip and case.skip()):
                wanted.append(case.id)
    return H.run_many(sorted(set(wanted)), bases, tmp_path_factory.mktemp("hostile-cases"),
                      workers=min(2, os.cpu_count() or 1))


def _result(outcomes, case_id):
    got = outcomes[case_id]
    if isinstance(got, Exception):
        raise got
    return got


def test_corpus_size_and_coverage():
    cases = H.CASES + H.REPORT_CASES
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert len(cases) >= 60
    assert sum(c.data == "ntt" for c in H.CASES) >= 10
    harms = {c.harm for c in cases}
    assert harms == {H.LOST, H.XSS, H.FORMULA, H.PII, H.WRONG, H.BATCH, H.TRACE, H.UNCLEAR}


def test_raw_counter_counts_what_the_officer_sees(tmp_path):
    """The test's own row count: an unclosed quote does not hide the lines after it."""
    path = tmp_path / "r.csv"
    path.write_text('a;b\n1;"x\n2;y\n3;z\n', encoding="utf-8")
    assert H.csv_data_rows(path) == 3
    path.write_bytes(b"\xff\xfe" + "a\tb\n1\t2\n".encode("utf-16-le"))
    assert H.csv_data_rows(path) == 1


def test_scanner_finds_a_phone_in_any_spelling(tmp_path):
    (tmp_path / "x.html").write_text("<td>hub 0812-3456.7801</td>", encoding="utf-8")
    assert H.scan_outputs([tmp_path], (), ("62 812 3456 7801",))
    assert not H.scan_outputs([tmp_path], (), ("62 812 3456 7809",))


def test_live_html_detector():
    assert H.live_in_html('<img src=x onerror="window.__pwned=2">', ("__pwned",))
    assert H.live_in_html('<a href="javascript:window.__pwned=4">x</a>', ("__pwned",))
    assert H.live_in_html('<img src="https://example.invalid/b.png">', ("example.invalid",))
    assert not H.live_in_html("&lt;script&gt;window.__pwned=1&lt;/script&gt;", ("__pwned",))


def _param(case):
    marks = [pytest.mark.slow] if case.slow else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in H.CASES])
def test_case(case, outcomes):
    reason = case.skip() if case.skip else None
    if reason:
        pytest.skip(reason)
    fails = H.evaluate(_result(outcomes, case.id))
    assert not fails, f"{case.id} ({case.desc}):\n  " + "\n  ".join(fails)


@pytest.mark.slow
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in H.REPORT_CASES])
def test_report_case(case, outcomes):
    """On the payload-laden project (tests/payloads.py + PII + a 2-respondent region),
    cleaned and run once for Kota Jambi and the small region."""
    fails = case.check(_result(outcomes, H.PAYLOAD))
    assert not fails, f"{case.id} ({case.desc}):\n  " + "\n  ".join(fails)


def test_repository_raw_untouched(repo_raw_hashes):
    """Last: no case wrote into the repository's own data/raw."""
    assert H.tree_hashes(RAW_DATA_DIR) == repo_raw_hashes
