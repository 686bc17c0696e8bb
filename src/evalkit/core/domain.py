"""The domain vocabulary every stage shares: languages, pentahelix categories, sectors.

This is part of the foundation (it imports only numpy and pandas). It names

* the two report languages (:data:`LANGS`);
* the five **pentahelix** categories (government, business, academia, community,
  media) that a programme's own sector codes map to, and the common words officers
  use for them (:data:`PENTAHELIX_WORDS`, :func:`pentahelix_category`);
* the sector key of an organisation whose sector is missing or not registered
  (:data:`UNKNOWN_SECTOR`);
* the one order (:func:`sector_order`) and the one label lookup
  (:func:`sector_labels`) of a programme's sectors, used by every table, figure,
  finding and workbook sheet.

The pentahelix categories are a domain concept (the Indonesian extension of
multi-stakeholder partnership to government, business, academia, community and
media), not a programme's vocabulary: a programme's sectors map to them, and a
sector may lie outside all five. Sector labels come from the programme's form
(``sectors.parquet``: ``sector, label_id, label_en, pentahelix``); evalkit's own
words (the name of the unknown sector, of a category) come from
:mod:`evalkit.present.i18n` and are passed in by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "LANGS", "OTHER_LANG", "PENTAHELIX", "PENTAHELIX_WORDS", "OUTSIDE_PENTAHELIX_WORDS",
    "pentahelix_category", "UNKNOWN_SECTOR", "sector_series", "sector_values", "sector_codes",
    "sector_order", "sector_labels",
]

#: The report languages: Indonesian and English.
LANGS: tuple[str, ...] = ("id", "en")

#: The other report language, the one a blank label falls back to.
OTHER_LANG: dict[str, str] = {"id": "en", "en": "id"}

#: The five pentahelix categories, as keys (government, business, academia,
#: community / civil society, media), in report order.
PENTAHELIX: tuple[str, ...] = ("pemerintah", "dunia_usaha", "akademisi", "masyarakat_sipil",
                               "media")

_WORDS: dict[str, tuple[str, ...]] = {
    "pemerintah": (
        "pemerintah", "government", "gov", "govt", "pemda", "pemerintah daerah",
        "pemerintahan", "local government", "public sector", "sektor publik", "opd",
        "dinas", "instansi pemerintah", "birokrasi", "bappeda",
    ),
    "dunia_usaha": (
        "dunia usaha", "business", "businesses", "swasta", "sektor swasta",
        "private sector", "perusahaan", "industri", "industry", "bumn", "bumd",
        "pelaku usaha", "umkm", "corporate",
    ),
    "akademisi": (
        "akademisi", "academia", "academic", "academics", "perguruan tinggi",
        "universitas", "university", "kampus", "peneliti", "researcher", "research",
        "lembaga penelitian", "higher education",
    ),
    "masyarakat_sipil": (
        "masyarakat sipil", "masyarakat", "civil society", "community", "komunitas",
        "lsm", "ngo", "ngos", "ornop", "cso", "csos", "organisasi masyarakat sipil",
        "ormas", "civil society organisation", "civil society organization",
    ),
    "media": (
        "media", "media massa", "mass media", "pers", "press", "jurnalis", "journalist",
        "wartawan", "media lokal",
    ),
}

#: Normalised word -> pentahelix category key. Holds the keys themselves (also with a
#: space for the underscore) and the common Indonesian and English words for each.
PENTAHELIX_WORDS: dict[str, str] = {}
for _key, _words in _WORDS.items():
    for _word in (_key, _key.replace("_", " "), *_words):
        PENTAHELIX_WORDS[_word] = _key
del _key, _words, _word

#: Words that explicitly put a group outside the five categories.
OUTSIDE_PENTAHELIX_WORDS = frozenset({
    "", "none", "no", "lainnya", "lain", "lain lain", "lain-lain", "other", "others",
    "tidak ada", "bukan", "-", "outside", "di luar",
})

#: Sector key of an organisation whose sector is missing, blank or not in the register;
#: it is shown as its own row, after the programme's sectors, so nothing is dropped.
UNKNOWN_SECTOR = "unknown"


def _normalise(word: object) -> str:
    text = re.sub(r"\s+", " ", str(word)).strip().casefold()
    return re.sub(r"\s+", " ", text.replace("_", " ")).strip()


def pentahelix_category(word: object) -> str | None:
    """The pentahelix category a word names.

    Parameters
    ----------
    word : object
        A category key (``"dunia_usaha"``), or a word for one in Indonesian or English
        (``"Swasta"``, ``"NGO"``, ``"Perguruan Tinggi"``); case, spaces and underscores
        do not matter.

    Returns
    -------
    str or None
        The category key; ``""`` for a blank, a missing value or a word that puts the
        group outside the five (``"none"``, ``"lainnya"``, ``"other"``); ``None`` for a
        word that is not known.

    Examples
    --------
    >>> pentahelix_category("Pemerintah Daerah")
    'pemerintah'
    >>> pentahelix_category("lainnya")
    ''
    >>> pentahelix_category("tokoh agama") is None
    True
    """
    if word is None or (not isinstance(word, str) and pd.isna(word)):
        return ""
    text = _normalise(word)
    if text in OUTSIDE_PENTAHELIX_WORDS:
        return ""
    return PENTAHELIX_WORDS.get(text)


def sector_series(df: pd.DataFrame) -> pd.Series:
    """The ``sector`` column of ``df`` as stripped str keys; missing or blank ->
    :data:`UNKNOWN_SECTOR` (same index and name)."""
    s = df["sector"]
    if isinstance(s.dtype, pd.StringDtype):
        return pd.Series(sector_values(df), index=s.index, name=s.name, dtype="str")
    s = s.astype(object)
    s = s.where(s.notna(), UNKNOWN_SECTOR).map(str).str.strip()
    return s.where(s != "", UNKNOWN_SECTOR)


def sector_values(df: pd.DataFrame) -> np.ndarray:
    """The values of :func:`sector_series` as an object array."""
    s = df["sector"]
    if isinstance(s.dtype, pd.StringDtype):
        # every value is a str or missing: clean the few distinct values, not every row
        codes, uniques = pd.factorize(s)
        clean = [str(v).strip() or UNKNOWN_SECTOR for v in uniques] + [UNKNOWN_SECTOR]
        return np.array(clean, dtype=object)[codes]
    return sector_series(df).to_numpy(dtype=object)


def sector_codes(sectors: pd.DataFrame | Iterable[object]) -> list[str]:
    """The sector codes of a sectors table (its ``sector`` column) or of a sequence, as str.

    Examples
    --------
    >>> sector_codes(pd.DataFrame({"sector": ["media", "pemerintah"]}))
    ['media', 'pemerintah']
    """
    if isinstance(sectors, pd.DataFrame):
        return [str(s) for s in sectors["sector"]]
    return [str(s) for s in sectors]


def sector_order(observed: Iterable[str], *, all_five: bool = True,
                 order: Sequence[str] | None = None) -> list[str]:
    """The display order of sectors: the programme's first, then the others found.

    Parameters
    ----------
    observed : iterable of str
        The sector keys present in a table.
    all_five : bool, default True
        Keep every sector of ``order`` (True) or only those observed (False).
    order : sequence of str, optional
        The programme's sectors in form order; default :data:`PENTAHELIX`.

    Returns
    -------
    list of str
        ``order`` (all of it, or the observed part), then any other observed sector
        sorted, :data:`UNKNOWN_SECTOR` last.

    Examples
    --------
    >>> sector_order(["zz", "unknown", "media"], all_five=False)
    ['media', 'zz', 'unknown']
    """
    seen = set(observed)
    known = list(PENTAHELIX if order is None else order)
    head = known if all_five else [s for s in known if s in seen]
    extra = sorted(seen - set(known), key=lambda s: (s == UNKNOWN_SECTOR, s))
    return head + extra


def _text(value: object) -> str:
    """A label cell as stripped text; ``""`` for a missing value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def sector_labels(sectors: pd.DataFrame, lang: str, *, unknown: str | None = None
                  ) -> dict[str, str]:
    """Sector code -> the form's label in ``lang``: the one sector-label lookup.

    Parameters
    ----------
    sectors : pandas.DataFrame
        The programme's sectors (``sectors.parquet``): ``sector`` and ``label_id``
        and/or ``label_en``.
    lang : {"id", "en"}
        Report language.
    unknown : str, optional
        The label of :data:`UNKNOWN_SECTOR` (an organisation whose sector is missing
        or not registered), e.g. ``i18n.text("unregistered", lang)``; it is used
        unless the form itself has a sector coded ``unknown``.

    Returns
    -------
    dict of str to str
        One entry per row of ``sectors`` (and ``unknown`` when given). A blank label
        falls back to the other language, then to the code, so no label is ever
        blank; codes that are not in the table are not in the dict (callers show the
        code: ``labels.get(code, code)``).

    Raises
    ------
    ValueError
        ``lang`` is not a report language, ``sectors`` is not a DataFrame or has no
        ``sector`` column or neither label column.

    Examples
    --------
    >>> table = pd.DataFrame({"sector": ["gov", "ngo"], "label_id": ["Pemerintah", ""],
    ...                       "label_en": ["Government", "NGO"]})
    >>> sector_labels(table, "id", unknown="Tidak terdaftar")
    {'gov': 'Pemerintah', 'ngo': 'NGO', 'unknown': 'Tidak terdaftar'}
    """
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    if not isinstance(sectors, pd.DataFrame):
        raise ValueError(f"sectors: expected a pandas DataFrame, got {type(sectors).__name__}.")
    columns = [f"label_{lang}", f"label_{OTHER_LANG[lang]}"]
    if "sector" not in sectors.columns or not any(c in sectors.columns for c in columns):
        raise ValueError("sectors needs the columns 'sector' and 'label_id' and/or 'label_en' "
                         f"(the form's sector list); it has {list(sectors.columns)}.")
    present = [c for c in columns if c in sectors.columns]
    labels: dict[str, str] = {}
    for row in zip(sectors["sector"], *(sectors[c] for c in present), strict=True):
        code = str(row[0])
        labels[code] = next((t for t in map(_text, row[1:]) if t), code)
    if unknown is not None:
        labels.setdefault(UNKNOWN_SECTOR, unknown)
    return labels
