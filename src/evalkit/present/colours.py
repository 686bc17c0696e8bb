"""Colours of every figure and workbook sheet: sectors and indicator statuses.

The colour tables of :mod:`evalkit.present.figures`, kept in their own module (plain
constants, no matplotlib) so the Excel workbook, which fills cells with the same
status colours, does not import a plotting library. :mod:`evalkit.present.figures`
re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from evalkit.core.domain import UNKNOWN_SECTOR, sector_codes

__all__ = [
    "SECTOR_COLORS", "SECTOR_PALETTE", "OVERALL_COLOR", "sector_palette", "sector_color",
    "STATUS_COLORS", "status_color", "STATUS_TEXT_COLORS", "status_text_color",
    "contrast_ratio", "text_color_on",
]

#: Sector colours for every figure (Okabe & Ito 2008, "Color Universal Design",
#: a palette distinguishable under the common colour-vision deficiencies).
#: Blue, orange, bluish green, reddish purple, vermillion; grey for unknown.
SECTOR_COLORS: dict[str, str] = {
    "pemerintah": "#0072B2",
    "dunia_usaha": "#E69F00",
    "akademisi": "#009E73",
    "masyarakat_sipil": "#CC79A7",
    "media": "#D55E00",
    UNKNOWN_SECTOR: "#999999",
}

#: Colour of the all-sector line in attendance figures.
OVERALL_COLOR = "#000000"

#: Colours given to a programme's sectors in form order: Okabe & Ito's eight without
#: black (the all-sector line; grey is kept for ``unknown``), then Tol's "muted" scheme
#: and four of his "light" colours (Tol 2021, *Paul Tol's Notes*, colour-blind safe);
#: only past these 20 sectors does the list repeat.
SECTOR_PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
    "#AA4499", "#EE8866", "#FFAABB", "#BBCC33", "#77AADD",
)


def sector_palette(sectors: pd.DataFrame | Iterable[str]) -> dict[str, str]:
    """One distinct colour per sector of the programme, the same in every figure.

    Parameters
    ----------
    sectors : DataFrame or sequence of str
        The programme's sectors in form order (``sectors.parquet``, or its codes).

    Returns
    -------
    dict of str to str
        Sector -> hex colour from :data:`SECTOR_PALETTE` in form order (so the demo's
        five sectors keep :data:`SECTOR_COLORS`), plus ``unknown`` -> grey.

    Examples
    --------
    >>> sector_palette(["gov", "ngo"])
    {'gov': '#0072B2', 'ngo': '#E69F00', 'unknown': '#999999'}
    """
    codes = list(dict.fromkeys(sector_codes(sectors)))
    palette = {code: SECTOR_PALETTE[i % len(SECTOR_PALETTE)] for i, code in enumerate(codes)
               if code != UNKNOWN_SECTOR}
    palette[UNKNOWN_SECTOR] = SECTOR_COLORS[UNKNOWN_SECTOR]
    return palette


def sector_color(sector: str, palette: Mapping[str, str] | None = None) -> str:
    """Colour of ``sector`` in ``palette`` (:func:`sector_palette`), else in
    :data:`SECTOR_COLORS`; grey for anything not listed."""
    if palette is not None and sector in palette:
        return palette[sector]
    return SECTOR_COLORS.get(sector, SECTOR_COLORS[UNKNOWN_SECTOR])


#: Report colour (hex) of every indicator status key and every summary key
#: (:data:`evalkit.measure.indicators.STATUSES`, ``SUMMARY_KEYS``): greens for achieved /
#: on track, amber to red for the "needs attention" statuses, grey for insufficient
#: data. Keys shared by both vocabularies (``on_track``, ``insufficient_data``) have
#: one colour. Always show the label too: colour alone does not carry the meaning.
STATUS_COLORS: dict[str, str] = {
    # statuses
    "target_achieved": "#1a9641",
    "on_track": "#a6d96a",
    "acceleration_needed": "#fdae61",
    "limited_progress": "#f46d43",
    "deterioration": "#d7191c",
    "insufficient_data": "#bababa",
    # summary keys not already above
    "achieved": "#1a9641",
    "needs_attention": "#f46d43",
}


def _luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a ``#rrggbb`` colour."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21).

    Examples
    --------
    >>> round(contrast_ratio("#000000", "#ffffff"), 1)
    21.0
    """
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_color_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (``#rrggbb``).

    >>> text_color_on("#ffffff"), text_color_on("#000080")
    ('#000000', '#ffffff')
    """
    return max(("#000000", "#ffffff"), key=lambda text: contrast_ratio(text, background))


#: Text colour on each status colour (:func:`text_color_on`), so a status label on its
#: coloured cell reads at >= 4.5:1 (WCAG 2.1 AA). The report's default near-black text on
#: the red of ``deterioration`` gave 3.8:1.
STATUS_TEXT_COLORS: dict[str, str] = {key: text_color_on(colour)
                                      for key, colour in STATUS_COLORS.items()}


def status_text_color(key: str) -> str:
    """Text colour (black or white) for a label on :func:`status_color` of ``key``.

    Raises
    ------
    ValueError
        For a key that is neither a status nor a summary key.
    """
    status_color(key)  # the same error for an unknown key
    return STATUS_TEXT_COLORS[key]


def status_color(key: str) -> str:
    """Hex colour of a status key or a summary key (see :data:`STATUS_COLORS`).

    Raises
    ------
    ValueError
        For a key that is neither a status nor a summary key.
    """
    try:
        return STATUS_COLORS[key]
    except KeyError:
        raise ValueError(
            f"unknown status or summary key {key!r}; expected one of {', '.join(STATUS_COLORS)}"
        ) from None
