"""Who a survey row is: each row's person from its personal fields, and keyed pseudonyms.

:func:`person_key` joins a row's personal fields (names by their normalised text,
phone numbers by their last 9 digits), so the same respondent is found twice and gets
one pseudonym; :func:`pseudonymise` makes the keyed pseudonym (HMAC-SHA256). Which
fields are personal is :func:`evalkit.clean.pii.personal_columns`.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.clean.pii import PHONE_COLUMN_PATTERN, personal_columns
from evalkit.clean.rows import map_distinct
from evalkit.read.codebook import Codebook, normalize_label

_SHA256_BLOCK = 64  # bytes; HMAC pads (or first hashes) the key to this length
_IPAD = bytes(b ^ 0x36 for b in range(256))  # translate tables: each key byte XOR 0x36 / 0x5C
_OPAD = bytes(b ^ 0x5C for b in range(256))


def _hmac_sha256_states(key: bytes) -> tuple:
    """The SHA-256 states after HMAC's inner and outer key blocks (RFC 2104, section 2).

    ``HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m))`` with ``K'`` the key padded
    with zeros to the block size (hashed first when longer). Both key blocks are hashed
    once here; per value only ``m`` and the inner digest are. Same digests as
    :func:`hmac.new` (tested), without its per-value Python overhead.
    """
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    return hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed pseudonyms (HMAC-SHA256, first 12 hex digits) for identifying values.

    The same person gets the same pseudonym in every run with the same key; without
    the key the pseudonym cannot be reversed or recomputed from a guessed name.
    """
    inner, outer = _hmac_sha256_states(key)  # the key is set up once, the states copied per value
    inner_copy, outer_copy = inner.copy, outer.copy

    def one(text: str) -> str:
        digest = inner_copy()
        digest.update(text.encode("utf-8"))
        keyed = outer_copy()
        keyed.update(digest.digest())
        return "R" + keyed.digest()[:6].hex()
    text_dtype = isinstance(values.dtype, pd.StringDtype)
    if not len(values) or not (text_dtype or values.dtype == object):
        return values.map(one)
    # a plain loop over the values (Series.map adds a third to a million values' time),
    # typed as map types it: text stays its kind of text, Python strings become str
    return pd.Series([one(text) for text in values.tolist()], index=values.index,
                     name=values.name, dtype=values.dtype if text_dtype else str)


def person_key(raw: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """Each row's person: its personal fields, normalised, joined.

    The personal fields are :func:`evalkit.clean.pii.personal_columns`.

    Phone-like fields count by their last 9 digits, other fields by their
    case- and whitespace-insensitive text. A row with every personal field blank has
    the key ``""`` (it names no one).
    """
    parts = []
    for column in personal_columns(raw.columns, codebook):
        values = raw[column]
        if PHONE_COLUMN_PATTERN.search(str(column)):
            values = values.fillna("").astype(str)
            parts.append(_last_digits(values, 9))
        else:
            parts.append(map_distinct(values, lambda v: "" if pd.isna(v) else normalize_label(v)))
    if not parts:
        return pd.Series("", index=raw.index, dtype=object)
    key, blank = parts[0], np.array(parts[0].eq(""), dtype=bool)
    for part in parts[1:]:
        key = key + "|" + part
        blank &= part.eq("").to_numpy(dtype=bool)
    return key.mask(blank, "") if blank.any() else key


_DIGIT_BLOCK = 1 << 18  # texts per block of the vectorised digit filter (bounds its memory)


def _last_digits(texts: pd.Series, n: int) -> pd.Series:
    """``texts.str.replace(r"\\D", "", regex=True).str[-n:]`` for a column of text.

    That regex runs in Python, value by value (about 0.6 s per million phone numbers).
    For Arrow-backed text without missing values the ASCII texts are done on their
    bytes at once instead: in an ASCII text ``\\d`` matches exactly the bytes 0-9, so
    those are kept, the last ``n`` of each text. Texts with other characters (where
    ``\\d`` also matches e.g. Arabic-Indic digits) go through the regex.
    """
    def slow(values: pd.Series) -> pd.Series:
        return values.str.replace(r"\D", "", regex=True).str[-n:]

    dtype = texts.dtype
    if (not len(texts) or not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow"
            or texts.isna().any()):
        return slow(texts)
    arr = _large_strings(texts)
    offsets = np.frombuffer(arr.buffers()[1], np.int64)[arr.offset:arr.offset + len(arr) + 1]
    data = (np.frombuffer(arr.buffers()[2], np.uint8) if arr.buffers()[2] is not None
            else np.zeros(0, np.uint8))
    kept_bytes, counts = [], []
    for first in range(0, len(arr), _DIGIT_BLOCK):
        bounds = offsets[first:first + _DIGIT_BLOCK + 1]
        block = data[bounds[0]:bounds[-1]]
        digit = (block >= ord("0")) & (block <= ord("9"))
        # digits before each byte (and before the block's end), counted within the block
        before = np.zeros(len(block) + 1, np.int32)  # a block is far below 2 GiB
        np.cumsum(digit, out=before[1:], dtype=np.int32)
        local = bounds - bounds[0]
        at_end = np.repeat(before[local[1:]], np.diff(local))
        # a digit is among its text's last n when at most n digits start at or after it
        kept_bytes.append(block[digit & (at_end - before[:-1] <= n)])
        counts.append(np.minimum(np.diff(before[local]), n))
    out_offsets = np.zeros(len(arr) + 1, np.int64)
    np.cumsum(np.concatenate(counts), out=out_offsets[1:])
    digits = pa.LargeStringArray.from_buffers(len(arr), pa.py_buffer(out_offsets),
                                              pa.py_buffer(np.concatenate(kept_bytes).tobytes()))
    other = ~pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)
    if other.any():
        digits = pc.replace_with_mask(digits, pa.array(other),
                                      _large_strings(slow(texts[other])))
    return pd.Series(pd.array(digits, dtype=dtype), index=texts.index, name=texts.name)


def _large_strings(texts: pd.Series) -> pa.LargeStringArray:
    """An Arrow-backed text column as one Arrow array (chunks joined, 64-bit offsets)."""
    arr = pa.array(texts.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string())
