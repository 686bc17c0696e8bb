"""Small hand-made tables that several test modules share (one copy, not one per module)."""

from __future__ import annotations

import pandas as pd

#: Another programme's own sector codes and labels, one outside the pentahelix.
OWN_SECTORS = pd.DataFrame({
    "sector": ["pemda", "swasta", "perguruan_tinggi", "lsm", "media_massa", "tokoh_masyarakat"],
    "label_id": ["Pemda", "Swasta", "Perguruan Tinggi", "LSM", "Media massa", "Tokoh masyarakat"],
    "label_en": ["Local government", "Private sector", "Universities", "NGOs", "Mass media",
                 "Community leaders"],
    "pentahelix": ["pemerintah", "dunia_usaha", "akademisi", "masyarakat_sipil", "media", ""],
})


def own_register(codes) -> pd.DataFrame:
    """A stakeholder register with one organisation per sector code in ``codes``."""
    return pd.DataFrame({"organisation": [f"org{i}" for i in range(len(codes))], "sector": codes,
                         "influence": 3, "interest": 3})


def network_register() -> pd.DataFrame:
    """Six organisations of one city, one or two per pentahelix sector."""
    return pd.DataFrame({
        "region_code": "15.71",
        "organisation": ["Bappeda", "Dinas", "Apindo", "Univ", "LSM", "Radio"],
        "sector": ["pemerintah", "pemerintah", "dunia_usaha", "akademisi", "masyarakat_sipil",
                   "media"],
        "influence": 3, "interest": 3,
    })
