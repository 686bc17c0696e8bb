"""The survey codebook: which column is which item, its dimension, direction and labels.

Read from an XLSForm (``survey`` and ``choices`` sheets with ``label::Indonesian (id)``
and ``label::English (en)`` columns, plus evalkit's ``dimension``, ``reverse`` and
``pii`` columns) or from a CSV with the same columns. Cleaning, scoring and report
labels all come from here, so a form with other items needs no code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.errors import InputFileError
from evalkit.io import read_table, read_workbook

MIN_ITEMS_PER_DIMENSION = 3  # fewer items cannot give a defensible reliability estimate
_TRUE = {"yes", "y", "true", "1", "ya", "x"}
_FALSE = {"no", "n", "false", "0", "tidak", ""}
# Choice names that mean "no answer on the scale" (never scored).
MISSING_CHOICE_NAMES = {"dk", "na", "n/a", "98", "99", "refused", "tidak_tahu"}


def normalize_label(text: object) -> str:
    """Case- and whitespace-insensitive form of a label: ``' Sangat  Setuju'`` -> ``'sangat setuju'``."""
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def _label_column(columns: list[str], lang: str) -> str | None:
    for col in columns:
        if col.lower().startswith("label") and f"({lang})" in col.lower():
            return col
    return "label" if "label" in columns else None


def _flag(value: object, *, where: str, path: Path) -> bool:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    text = text.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputFileError(path, f"{where}: {value!r} is not yes/no.")


@dataclass
class Codebook:
    """Parsed codebook.

    Attributes
    ----------
    items : DataFrame
        Scale items: ``item, dimension, reverse, list_name, label_id, label_en``.
    dimensions : DataFrame
        ``dimension, label_id, label_en`` in form order.
    choices : DataFrame
        ``list_name, name, label_id, label_en``.
    fields : DataFrame
        Every survey row with a name: ``name, type, list_name, pii``.
    warnings : list of str
        Problems that do not stop cleaning (e.g. a dimension with too few items).
    """

    items: pd.DataFrame
    dimensions: pd.DataFrame
    choices: pd.DataFrame
    fields: pd.DataFrame
    source: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def item_names(self) -> list[str]:
        return self.items["item"].tolist()

    @property
    def pii_fields(self) -> list[str]:
        return self.fields.loc[self.fields["pii"], "name"].tolist()

    def dimension_label(self, dimension: str, lang: str = "id") -> str:
        row = self.dimensions.set_index("dimension").loc[dimension]
        return str(row[f"label_{lang}"])

    def choice_lookup(self, list_name: str) -> dict[str, str]:
        """Normalised choice name and labels (both languages) -> choice name."""
        rows = self.choices[self.choices["list_name"] == list_name]
        lookup: dict[str, str] = {}
        for _, row in rows.iterrows():
            for key in ("name", "label_id", "label_en"):
                if pd.notna(row[key]):
                    lookup[normalize_label(row[key])] = str(row["name"])
        return lookup

    def scale_points(self, list_name: str) -> dict[str, float]:
        """Choice name -> numeric score for a Likert list (NaN for don't know / N/A)."""
        rows = self.choices[self.choices["list_name"] == list_name]
        points = {}
        for name in rows["name"].astype(str):
            if name.lower() in MISSING_CHOICE_NAMES:
                points[name] = np.nan
            else:
                try:
                    points[name] = float(name)
                except ValueError as exc:
                    raise InputFileError(self.source, f"choice {name!r} of list "
                                         f"{list_name!r} is neither a number nor a known "
                                         "'don't know' code.") from exc
        return points


def _from_frames(survey: pd.DataFrame, choices: pd.DataFrame, path: Path) -> Codebook:
    survey = survey.rename(columns=str.strip)
    for required in ("type", "name"):
        if required not in survey.columns:
            raise InputFileError(path, f"survey sheet has no {required!r} column.")
    cols = list(survey.columns)
    lab_id, lab_en = _label_column(cols, "id"), _label_column(cols, "en")
    survey = survey.dropna(subset=["type"]).copy()
    survey["type"] = survey["type"].astype(str).str.strip()
    survey["list_name"] = survey["type"].str.extract(r"^select_(?:one|multiple)\s+(\S+)")[0]
    get = lambda frame, col: frame[col] if col and col in frame.columns else pd.Series(np.nan, index=frame.index)  # noqa: E731

    choices = choices.rename(columns=str.strip)
    c_id, c_en = _label_column(list(choices.columns), "id"), _label_column(list(choices.columns), "en")
    choices = pd.DataFrame({
        "list_name": choices["list_name"].astype(str).str.strip(),
        "name": choices["name"].astype(str).str.strip(),
        "label_id": get(choices, c_id), "label_en": get(choices, c_en),
    })
    missing_lists = set(survey["list_name"].dropna()) - set(choices["list_name"])
    if missing_lists:
        raise InputFileError(path, "the survey uses choice list(s) "
                                   f"{', '.join(sorted(missing_lists))} that the choices sheet "
                                   "does not define.")

    named = survey.dropna(subset=["name"])
    pii = get(named, "pii")
    fields = pd.DataFrame({
        "name": named["name"].astype(str).str.strip(), "type": named["type"],
        "list_name": named["list_name"],
        "pii": [_flag(v, where=f"pii of {n}", path=path) for v, n in zip(pii, named["name"])],
    }).reset_index(drop=True)

    groups = survey[survey["type"].eq("begin_group") & get(survey, "dimension").notna()]
    dimensions = pd.DataFrame({
        "dimension": groups["dimension"].astype(str).str.strip(),
        "label_id": get(groups, lab_id), "label_en": get(groups, lab_en),
    })
    is_item = survey["list_name"].notna() & get(survey, "dimension").notna()
    item_rows = survey[is_item & ~survey["type"].eq("begin_group")]
    items = pd.DataFrame({
        "item": item_rows["name"].astype(str).str.strip(),
        "dimension": item_rows["dimension"].astype(str).str.strip(),
        "reverse": [_flag(v, where=f"reverse of {n}", path=path)
                    for v, n in zip(get(item_rows, "reverse"), item_rows["name"])],
        "list_name": item_rows["list_name"],
        "label_id": get(item_rows, lab_id), "label_en": get(item_rows, lab_en),
    }).reset_index(drop=True)
    if items.empty:
        raise InputFileError(path, "no scale items found: items need a select_one type "
                                   "and a 'dimension' value.")
    # Dimensions used by items but without a labelled group get their key as label.
    for dim in items["dimension"].unique():
        if dim not in set(dimensions["dimension"]):
            dimensions.loc[len(dimensions)] = [dim, dim, dim]
    dimensions = dimensions.drop_duplicates("dimension").reset_index(drop=True)

    warnings = []
    counts = items["dimension"].value_counts()
    for dim, n in counts[counts < MIN_ITEMS_PER_DIMENSION].items():
        warnings.append(f"dimension {dim!r} has only {n} item(s); reliability needs at "
                        f"least {MIN_ITEMS_PER_DIMENSION}.")
    return Codebook(items, dimensions, choices, fields, str(path), warnings)


def read_codebook(path: Path | str) -> Codebook:
    """Read an XLSForm codebook (``.xlsx``) or a flat CSV codebook.

    A CSV codebook holds the survey rows; its choices live in a sibling file named
    ``<stem>_choices.csv``.
    """
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        sheets = read_workbook(path)
        for sheet in ("survey", "choices"):
            if sheet not in sheets:
                raise InputFileError(path, f"is not an XLSForm: no {sheet!r} sheet "
                                           f"(sheets: {', '.join(sheets)}).")
        return _from_frames(sheets["survey"], sheets["choices"], path)
    choices_path = path.with_name(f"{path.stem}_choices{path.suffix}")
    return _from_frames(read_table(path), read_table(choices_path), path)


def check_columns(codebook: Codebook, columns: list[str], path: Path | str) -> list[str]:
    """Compare data columns with the codebook.

    Returns warnings for data columns the codebook does not describe; raises when a
    codebook item is missing from the data (its dimension could not be scored).
    """
    missing = [c for c in codebook.item_names if c not in columns]
    if missing:
        raise InputFileError(path, f"the codebook's item column(s) {', '.join(missing)} "
                                   "are not in the data; is this the right form version?")
    known = set(codebook.fields["name"])
    extra = [c for c in columns if c not in known and not c.startswith("_")]
    return [f"column {c!r} is not in the codebook and is ignored." for c in extra]
