"""The survey codebook: which column is which item, its dimension, direction and labels.

Read from an XLSForm (``survey`` and ``choices`` sheets with ``label::Indonesian (id)``
and/or ``label::English (en)`` columns) or from a CSV with the same columns. Cleaning,
scoring and report labels all come from here, so a form with other items needs no code
change. evalkit's optional columns:

survey sheet
    ``dimension`` (the item's dimension key; on a ``begin_group`` row: the group is that
    dimension), ``reverse`` (yes/no: reverse-keyed item), ``pii`` (yes/no: personal
    data), ``role`` (one of :data:`evalkit.core.contract.ROLES`: the field that holds the
    respondent's region, sector, organisation, consent, start/end time, submission id or
    survey wave).
choices sheet
    ``pentahelix`` (on the sector list: the pentahelix category of each sector, a key
    or word of :func:`evalkit.core.contract.pentahelix_category`; blank = a stakeholder
    group outside the five), ``missing`` (yes/no: a don't-know / not-applicable choice
    of a scale list, never scored).
settings sheet (a CSV codebook: the sibling file ``<stem>_settings.csv``, optional)
    ``wave_period`` (``quarter``, ``half`` or ``year``; also ``triwulan``, ``semester``,
    ``tahun``): each response belongs to the wave of its interview's period
    (:mod:`evalkit.read.waves`); blank or absent = waves are not read from the dates.

Without a ``role`` column, fields named ``region``, ``sector``, ``organisation``,
``consent``, ``wave`` (and ``start``/``end``, or fields of XLSForm type ``start``/``end``)
play those roles, and the submission id is Kobo's ``_uuid``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.core.contract import (
    DEFAULT_SCALE,
    PENTAHELIX,
    REQUIRED_ROLES,
    ROLES,
    Scale,
    normalize_label,
    pentahelix_category,
)
from evalkit.core.errors import InputFileError
from evalkit.core.headers import header_row_hint
from evalkit.read.io import read_table, read_workbook
from evalkit.read.waves import WAVE_PERIOD_ALIASES, WAVE_PERIODS, normalise_wave_period

MIN_ITEMS_PER_DIMENSION = 3  # fewer items cannot give a defensible reliability estimate
_TRUE = {"yes", "y", "true", "1", "ya", "x"}
_FALSE = {"no", "n", "false", "0", "tidak", ""}
# Choice names that mean "no answer on the scale" (never scored).
MISSING_CHOICE_NAMES = {"dk", "na", "n/a", "98", "99", "refused", "tidak_tahu"}
# Submission-id columns of the export, tried in this order when no field has role "id":
# KoboToolbox's _uuid, ODK Central's KEY and the XForm instanceID.
ID_FALLBACK_COLUMNS = ("_uuid", "KEY", "meta/instanceID", "meta-instanceID", "instanceID")
# Languages evalkit labels in: code -> language name in XLSForm label headers.
LANGUAGES = {"id": "Indonesian", "en": "English"}
# Metadata columns KoboToolbox adds to its exports. In data they match themselves.
KOBO_METADATA_COLUMNS = frozenset({
    "_uuid", "_id", "_submission_time", "_index", "_parent_index", "_status",
    "_validation_status", "_submitted_by", "_parent_table_name", "_notes", "_tags",
    "__version__", "_xform_id_string", "_attachments", "_geolocation",
})
# Separators between group and field in Kobo headers ("grp_trust/q01", "grp_trust.q01").
GROUP_SEPARATORS = ("/", ".")
_GROUP_TYPE = re.compile(r"(begin|end)[ _](group|repeat)")
_XML_PATH = re.compile(r"[A-Za-z_:][\w.:/-]*")  # an XML name or a path of them: no spaces



def _label_column(columns: list[str], lang: str) -> str | None:
    """The label column of ``lang``: ``label::<Language> (xx)``, ``label::<Language>``,
    else a plain ``label`` column (which then serves both languages), else None."""
    column = _language_column(columns, lang)
    if column is not None:
        return column
    return "label" if "label" in columns else None


def _language_column(columns: list[str], lang: str) -> str | None:
    """The column ``label::<Language> (xx)`` (or ``label::<Language>``) of ``lang``, or None."""
    for col in columns:
        if col.lower().startswith("label") and f"({lang})" in col.lower():
            return col
    language = LANGUAGES.get(lang, lang).lower()
    for col in columns:
        if col.lower().startswith("label::") and language in col.lower():
            return col
    return None


def _blank(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value).strip()


def _fill_labels(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Blank ``label_id``/``label_en`` -> the other language's label, then ``frame[name]``."""
    lab_id, lab_en, names = frame["label_id"], frame["label_en"], frame[name].astype(str)
    blank_id, blank_en = lab_id.map(_blank), lab_en.map(_blank)
    frame = frame.copy()
    frame["label_id"] = lab_id.where(~blank_id, lab_en.where(~blank_en, names))
    frame["label_en"] = lab_en.where(~blank_en, lab_id.where(~blank_id, names))
    return frame


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
        Every survey row with a name: ``name, type, list_name, pii, label_id, label_en,
        group`` (``group``: the names of the enclosing groups joined by ``/``, ``""`` at
        the top level).
    warnings : list of str
        Problems that do not stop cleaning (e.g. a dimension with too few items).
    roles : dict of str to str
        Role (:data:`evalkit.core.contract.ROLES`) -> the field that plays it, after the
        fallbacks (see the module docstring); only roles found.
    languages : tuple of str
        The label languages the form has (``("id", "en")``, ``("id",)``). Labels of a
        language the form lacks fall back to the other language, then to the name.
    scale : evalkit.core.contract.Scale
        The answer scale of the items (from their choice lists).
    sector_list : str or None
        The choice list of the sector field.
    wave_period : str or None
        The ``settings`` sheet's ``wave_period`` (one of
        :data:`evalkit.read.waves.WAVE_PERIODS`), or None when waves are not read from
        the interview dates.

    Notes
    -----
    ``items``, ``dimensions`` and ``choices`` carry filled labels (a blank label is the
    other language's, then the name); ``fields`` keeps the labels as written (use
    :meth:`field_label`). ``choices`` also has ``missing`` (bool: never scored) and
    ``pentahelix`` (the declared category key, ``""`` = outside the five, ``None`` =
    not declared).
    """

    items: pd.DataFrame
    dimensions: pd.DataFrame
    choices: pd.DataFrame
    fields: pd.DataFrame
    source: str = ""
    warnings: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    languages: tuple[str, ...] = ("id", "en")
    scale: Scale = DEFAULT_SCALE
    sector_list: str | None = None
    wave_period: str | None = None

    @property
    def item_names(self) -> list[str]:
        return self.items["item"].tolist()

    @property
    def pii_fields(self) -> list[str]:
        return self.fields.loc[self.fields["pii"], "name"].tolist()

    def role_field(self, role: str) -> str | None:
        """The field that plays ``role`` (one of :data:`evalkit.core.contract.ROLES`), or None.

        Raises
        ------
        ValueError
            ``role`` is not a role.
        """
        if role not in ROLES:
            raise ValueError(f"{role!r} is not a role; roles are {', '.join(ROLES)}")
        return self.roles.get(role)

    def sector_lookup(self) -> dict[str, str]:
        """Normalised sector choice name or label (either language) -> sector choice name."""
        return self.choice_lookup(self.sector_list) if self.sector_list else {}

    def sectors_table(self) -> pd.DataFrame:
        """The sector vocabulary in form order.

        Returns
        -------
        DataFrame
            ``sector, label_id, label_en, pentahelix``: one row per choice of the sector
            list; ``pentahelix`` is a key of :data:`evalkit.core.contract.PENTAHELIX` or
            ``""`` for a group outside the five.
        """
        rows = self.choices[self.choices["list_name"] == self.sector_list]
        return pd.DataFrame({
            "sector": rows["name"].astype(str).to_numpy(),
            "label_id": rows["label_id"].astype(str).to_numpy(),
            "label_en": rows["label_en"].astype(str).to_numpy(),
            "pentahelix": rows["pentahelix"].fillna("").astype(str).to_numpy(),
        }, columns=["sector", "label_id", "label_en", "pentahelix"])

    def scale_table(self) -> pd.DataFrame:
        """The items' scale as a table: ``value, label_id, label_en, neutral``."""
        return self.scale.to_table()

    def dimension_label(self, dimension: str, lang: str = "id") -> str:
        row = self.dimensions.set_index("dimension").loc[dimension]
        return str(row[f"label_{lang}"])

    def field_label(self, name: str, lang: str = "id") -> str:
        """Label of a survey field (item or not) in ``"id"`` or ``"en"``.

        Falls back to the other language, then to the name, when the form has no label.

        Raises
        ------
        KeyError
            ``name`` is not a field of the codebook.
        """
        if lang not in ("id", "en"):
            raise ValueError(f"lang must be 'id' or 'en', not {lang!r}")
        rows = self.fields[self.fields["name"] == name]
        if rows.empty:
            raise KeyError(f"{name!r} is not a field of the codebook {self.source}")
        row = rows.iloc[0]
        other = "en" if lang == "id" else "id"
        for key in (f"label_{lang}", f"label_{other}"):
            value = row.get(key)
            if value is not None and pd.notna(value) and str(value).strip():
                return str(value)
        return name

    def wave_choices(self) -> list[str] | None:
        """The wave labels a ``select_one`` wave field declares, in choice order (the
        declared wave order); None when there is no wave field or it has no choice list.

        A choice's label in the form's first language is the wave label (the name
        when the choice has no label)."""
        name = self.roles.get("wave")
        if name is None:
            return None
        rows = self.fields[self.fields["name"] == name]
        if rows.empty or pd.isna(rows["list_name"].iloc[0]):
            return None
        if not str(rows["type"].iloc[0]).strip().lower().startswith("select_one"):
            return None
        lang = self.languages[0] if self.languages else "id"
        choices = self.choices[self.choices["list_name"] == rows["list_name"].iloc[0]]
        return [str(v).strip() for v in choices[f"label_{lang}"]]

    def wave_lookup(self) -> dict[str, str] | None:
        """Normalised choice name or label of the wave field -> its wave label
        (:meth:`wave_choices`); None without a ``select_one`` wave field."""
        labels = self.wave_choices()
        if labels is None:
            return None
        list_name = self.fields.loc[self.fields["name"] == self.roles["wave"], "list_name"].iloc[0]
        by_name = dict(zip(self.choices.loc[self.choices["list_name"] == list_name, "name"]
                           .astype(str), labels))
        return {key: by_name[name] for key, name in self.choice_lookup(list_name).items()}

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
        """Choice name -> numeric score for a Likert list (NaN for don't know / N/A).

        A choice is "no answer" (NaN) when the choices sheet marks it ``missing = yes``
        or its name is one of :data:`MISSING_CHOICE_NAMES`.

        Raises
        ------
        InputFileError
            A choice that is neither a number nor a missing code.
        """
        rows = self.choices[self.choices["list_name"] == list_name]
        missing = (rows["missing"] if "missing" in rows.columns
                   else pd.Series(False, index=rows.index))
        points = {}
        for name, is_missing in zip(rows["name"].astype(str), missing):
            if is_missing or name.lower() in MISSING_CHOICE_NAMES:
                points[name] = np.nan
            else:
                try:
                    points[name] = float(name)
                except ValueError as exc:
                    raise InputFileError(self.source, f"choice {name!r} of list "
                                         f"{list_name!r} is neither a number nor a known "
                                         "'don't know' code; give scale points numeric "
                                         "names, or write yes in a column 'missing' of "
                                         "the choices sheet for a don't-know code.") from exc
        return points


def _wave_period(settings: pd.DataFrame | None, path: Path, sheet: str) -> str | None:
    """The ``wave_period`` of a settings sheet (its first row), validated."""
    if settings is None or settings.empty:
        return None
    settings = settings.rename(columns=lambda c: str(c).strip().lower())
    if "wave_period" not in settings.columns:
        return None
    values = [v for v in settings["wave_period"] if not _blank(v)]
    if not values:
        return None
    key = normalise_wave_period(values[0])
    if key not in WAVE_PERIODS:
        allowed = ", ".join(dict.fromkeys([*WAVE_PERIODS, *WAVE_PERIOD_ALIASES]))
        raise InputFileError(path, f"{sheet}: wave_period {values[0]!r} is not a wave period; "
                                   f"write one of {allowed} (or leave it blank).")
    return key


def _from_frames(survey: pd.DataFrame, choices: pd.DataFrame, path: Path) -> Codebook:
    survey = survey.rename(columns=str.strip)
    for required in ("type", "name"):
        if required not in survey.columns:
            raise InputFileError(path, f"survey sheet has no {required!r} column.")
    cols = list(survey.columns)
    lab_id, lab_en = _label_column(cols, "id"), _label_column(cols, "en")
    survey = survey.dropna(subset=["type"]).copy()
    languages = _languages(survey, cols)
    survey["type"] = survey["type"].astype(str).str.strip()
    survey["list_name"] = survey["type"].str.extract(r"^select_(?:one|multiple)\s+(\S+)")[0]
    def get(frame: pd.DataFrame, col: str | None) -> pd.Series:
        return frame[col] if col and col in frame.columns else pd.Series(np.nan, index=frame.index)

    choices = choices.rename(columns=str.strip)
    c_id, c_en = _label_column(list(choices.columns), "id"), _label_column(list(choices.columns), "en")
    for required in ("list_name", "name"):
        if required not in choices.columns:
            raise InputFileError(path, f"choices sheet has no {required!r} column.")
    choices = choices.dropna(subset=["list_name", "name"], how="all")
    choices = _fill_labels(pd.DataFrame({
        "list_name": choices["list_name"].astype(str).str.strip(),
        "name": choices["name"].astype(str).str.strip().str.replace(r"\.0$", "", regex=True),
        "label_id": get(choices, c_id), "label_en": get(choices, c_en),
        "missing": [_flag(v, where=f"missing of choice {n} (list {lst})", path=path)
                    for v, n, lst in zip(get(choices, "missing"), choices["name"],
                                         choices["list_name"])],
        "pentahelix": _declared_pentahelix(choices, path),
    }), "name").reset_index(drop=True)
    missing_lists = set(survey["list_name"].dropna()) - set(choices["list_name"])
    if missing_lists:
        users = {lst: survey.loc[survey["list_name"].eq(lst), "name"].dropna().astype(str).tolist()
                 for lst in sorted(missing_lists)}
        listed = "; ".join(f"{lst!r} (used by {', '.join(names) or 'an unnamed row'})"
                           for lst, names in users.items())
        raise InputFileError(path, f"the survey uses choice list(s) {listed} that the choices "
                                   "sheet does not define; add the list to the choices sheet "
                                   "or correct the item's type.")

    survey["group"] = _group_paths(survey["type"], survey["name"])
    named = survey.dropna(subset=["name"])
    pii = get(named, "pii")
    fields = pd.DataFrame({
        "name": named["name"].astype(str).str.strip(), "type": named["type"],
        "list_name": named["list_name"],
        "pii": [_flag(v, where=f"pii of {n}", path=path) for v, n in zip(pii, named["name"])],
        "label_id": get(named, lab_id), "label_en": get(named, lab_en),
        "group": named["group"],
        "role": _declared_roles(get(named, "role"), named["name"], path),
    }).reset_index(drop=True)

    is_begin_group = survey["type"].str.fullmatch(r"begin[ _]group")
    groups = survey[is_begin_group & get(survey, "dimension").notna()]
    dimensions = _fill_labels(pd.DataFrame({
        "dimension": groups["dimension"].astype(str).str.strip(),
        "label_id": get(groups, lab_id), "label_en": get(groups, lab_en),
    }), "dimension").reset_index(drop=True)
    is_item = survey["list_name"].notna() & get(survey, "dimension").notna()
    item_rows = survey[is_item & ~is_begin_group]
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
    items = _fill_labels(items, "item")
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
    if not items["reverse"].any():
        warnings.append("no item is reverse-keyed (reverse = yes): straight-lining (the "
                        "same answer to every item) cannot be told from agreement.")
    roles = _roles(fields, path)
    sector_list = fields.set_index("name").at[roles["sector"], "list_name"]
    if pd.isna(sector_list):
        raise InputFileError(path, f"the sector field {roles['sector']!r} has no choice list: "
                                   "give it the type 'select_one <list>' and list the sectors "
                                   "on the choices sheet.")
    choices, pentahelix_warning = _map_pentahelix(choices, str(sector_list))
    warnings += pentahelix_warning
    codebook = Codebook(items, dimensions, choices, fields, str(path), warnings, roles,
                        languages, DEFAULT_SCALE, str(sector_list))
    codebook.scale = _scale(codebook, path)
    return codebook


def _languages(survey: pd.DataFrame, columns: list[str]) -> tuple[str, ...]:
    """The languages with labels on the survey sheet (a plain ``label`` counts for both)."""
    found = tuple(lang for lang in LANGUAGES
                  if (col := _language_column(columns, lang)) is not None
                  and not survey[col].map(_blank).all())
    if not found and "label" in columns:
        return tuple(LANGUAGES)
    return found


def _declared_pentahelix(choices: pd.DataFrame, path: Path) -> list:
    """The ``pentahelix`` column as category keys (``""`` = outside), None when absent."""
    if "pentahelix" not in choices.columns:
        return [None] * len(choices)
    out = []
    for value, name in zip(choices["pentahelix"], choices["name"]):
        category = pentahelix_category(value)
        if category is None:
            raise InputFileError(path, f"pentahelix {value!r} of choice {name!r} is not a "
                                       f"pentahelix category; write one of {', '.join(PENTAHELIX)} "
                                       "(or a word for one, e.g. 'Pemda', 'Swasta', 'LSM'), or "
                                       "leave it blank for a group outside the five.")
        out.append(category)
    return out


def _map_pentahelix(choices: pd.DataFrame, sector_list: str) -> tuple[pd.DataFrame, list[str]]:
    """Sector choices without a declared category: mapped from their name, then labels."""
    on_list = choices["list_name"] == sector_list
    if choices.loc[on_list, "pentahelix"].notna().any():  # the column is there: as declared
        choices.loc[on_list, "pentahelix"] = choices.loc[on_list, "pentahelix"].fillna("")
        return choices, []
    unmapped = []
    for at in choices.index[on_list]:
        row = choices.loc[at]
        found = next((c for c in (pentahelix_category(row[k]) for k in ("name", "label_id",
                                                                            "label_en"))
                      if c), "")
        choices.at[at, "pentahelix"] = found
        if not found:
            unmapped.append(str(row["name"]))
    if not unmapped:
        return choices, []
    return choices, [f"sector choice(s) {', '.join(map(repr, unmapped))} of list {sector_list!r} "
                     "map to no pentahelix category and count as groups outside the five; "
                     "add a column 'pentahelix' to the choices sheet and write each sector's "
                     f"category ({', '.join(PENTAHELIX)}; blank = outside the five)."]


def _declared_roles(values: pd.Series, names: pd.Series, path: Path) -> list[str]:
    """The ``role`` column: each value one of ROLES (``""`` for none)."""
    roles = []
    for value, name in zip(values, names):
        role = "" if _blank(value) else str(value).strip().lower()
        if role and role not in ROLES:
            raise InputFileError(path, f"role {value!r} of field {name!r} is not a role; "
                                       f"write one of {', '.join(ROLES)} or leave it blank.")
        roles.append(role)
    return roles


def _roles(fields: pd.DataFrame, path: Path) -> dict[str, str]:
    """Role -> field: the declared ``role`` first, then the field named like the role
    (for start/end also the field of that XLSForm type), for id Kobo's ``_uuid``."""
    declared = fields[fields["role"] != ""]
    twice = declared["role"][declared["role"].duplicated(keep=False)]
    if len(twice):
        role = twice.iloc[0]
        names = declared.loc[declared["role"] == role, "name"].tolist()
        raise InputFileError(path, f"role {role!r} is written on several fields "
                                   f"({', '.join(names)}); write it on one field only.")
    roles = dict(zip(declared["role"], declared["name"]))
    names = set(fields["name"])
    types = fields["type"].astype(str).str.strip().str.lower()
    for role in ROLES:
        if role in roles:
            continue
        if role in names and role != "id":
            roles[role] = role
        elif role in ("start", "end") and (types == role).any():
            roles[role] = fields.loc[types == role, "name"].iloc[0]
        elif role == "id":
            roles[role] = ID_FALLBACK_COLUMNS[0]
    for role in REQUIRED_ROLES:
        if role not in roles:
            what = {"region": "the respondent's region (regency/city or province)",
                    "sector": "the respondent's sector"}[role]
            raise InputFileError(path, f"no field has role {role!r}: add a column `role` to "
                                       f"the survey sheet and write `{role}` in the row of the "
                                       f"field that holds {what} (or name that field "
                                       f"`{role}`).")
    return {role: roles[role] for role in ROLES if role in roles}


def _scale(codebook: Codebook, path: Path) -> Scale:
    """The items' scale: every item list must have the same scored points."""
    by_list: dict[str, tuple[float, ...]] = {}
    for list_name in codebook.items["list_name"].unique():
        points = codebook.scale_points(list_name)
        by_list[list_name] = tuple(sorted({v for v in points.values() if not np.isnan(v)}))
    distinct = set(by_list.values())
    if len(distinct) > 1:
        def text(values):
            return ", ".join(f"{v:g}" for v in values) or "none"
        listed = "; ".join(
            f"list {lst!r} (points {text(values)}; items "
            f"{', '.join(codebook.items.loc[codebook.items['list_name'] == lst, 'item'])})"
            for lst, values in by_list.items())
        raise InputFileError(path, f"the items use choice lists with different scale points: "
                                   f"{listed}; all items must be answered on one scale.")
    values = next(iter(distinct))
    if len(values) < 2:
        lst = next(iter(by_list))
        raise InputFileError(path, f"the items' choice list {lst!r} has fewer than two "
                                   "numeric scale points.")
    first = next(iter(by_list))
    rows = codebook.choices[codebook.choices["list_name"] == first]
    points = codebook.scale_points(first)
    label = {}
    for _, row in rows.iterrows():
        value = points.get(str(row["name"]))
        if value is not None and not np.isnan(value) and value not in label:
            label[value] = (row["label_id"], row["label_en"])
    return Scale(values, tuple(label[v][0] for v in values), tuple(label[v][1] for v in values))


def _group_paths(types: pd.Series, names: pd.Series) -> list[str]:
    """For each survey row, the names of its enclosing groups/repeats joined by ``/``."""
    stack: list[str] = []
    paths = []
    for kind, name in zip(types, names):
        match = _GROUP_TYPE.fullmatch(str(kind).strip().lower())
        paths.append("/".join(stack))
        if match and match.group(1) == "begin":
            stack.append("" if pd.isna(name) else str(name).strip())
        elif match and stack:
            stack.pop()
    return paths


def read_codebook(path: Path | str) -> Codebook:
    """Read an XLSForm codebook (``.xlsx``) or a flat CSV codebook.

    A CSV codebook holds the survey rows; its choices live in a sibling file named
    ``<stem>_choices.csv``.
    """
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        sheets = read_workbook(path)
        for sheet in ("survey", "choices"):
            if sheet not in sheets:
                raise InputFileError(path, f"is not an XLSForm: no {sheet!r} sheet "
                                           f"(sheets: {', '.join(sheets)}).")
        codebook = _from_frames(sheets["survey"], sheets["choices"], path)
        codebook.wave_period = _wave_period(sheets.get("settings"), path, "sheet 'settings'")
        return codebook
    choices_path = path.with_name(f"{path.stem}_choices{path.suffix}")
    codebook = _from_frames(read_table(path), read_table(choices_path), path)
    settings_path = path.with_name(f"{path.stem}_settings{path.suffix}")
    if settings_path.is_file():
        codebook.wave_period = _wave_period(read_table(settings_path), settings_path,
                                            f"settings file {settings_path.name}")
    return codebook


def _header_index(codebook: Codebook) -> dict[str, set[str]]:
    """Normalised label header -> field names, with every group-label prefix allowed.

    A field in groups ``g1/g2`` is reachable as ``label``, ``<g2>/label`` and
    ``<g1>/<g2>/label``, where each ``<g>`` is the group's label in either language
    or its name, and ``/`` may also be ``.``.
    """
    fields = codebook.fields
    cols = set(fields.columns)
    group_names: dict[str, list[str]] = {}
    for _, row in fields.iterrows():
        if _GROUP_TYPE.fullmatch(str(row["type"]).strip().lower()):
            spellings = [row["name"]] + [row[c] for c in ("label_id", "label_en") if c in cols]
            group_names[str(row["name"])] = list(dict.fromkeys(
                normalize_label(v) for v in spellings if pd.notna(v) and str(v).strip()))
    index: dict[str, set[str]] = {}
    for _, row in fields.iterrows():
        if _GROUP_TYPE.fullmatch(str(row["type"]).strip().lower()):
            continue
        labels = {normalize_label(row[c]) for c in ("label_id", "label_en")
                  if c in cols and pd.notna(row[c]) and str(row[c]).strip()}
        path = [g for g in str(row.get("group", "") or "").split("/") if g]
        chain = [group_names.get(g, [normalize_label(g)]) for g in path]
        for start in range(len(chain) + 1):
            for prefix in itertools.product(*chain[start:]):
                for sep in GROUP_SEPARATORS:
                    for label in labels:
                        header = normalize_label(sep.join([*prefix, label]))
                        index.setdefault(header, set()).add(str(row["name"]))
    return index


def _xml_suffixes(column: str) -> list[str]:
    """``a/b.q01`` -> ``b.q01``, ``q01`` (longest first): the names a group path may end in."""
    cuts = [m.end() for m in re.finditer(r"[/.]", column)]
    return [column[cut:] for cut in cuts if column[cut:]]


def _match(columns: list[str], codebook: Codebook) -> tuple[dict[str, str], dict[str, list[str]]]:
    names = set(codebook.fields["name"].astype(str))
    labels = _header_index(codebook)
    mapping: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    for column in columns:
        text = str(column).strip()
        if text in names:
            mapping[column] = text
            continue
        if text.startswith("_"):
            if text in KOBO_METADATA_COLUMNS:
                mapping[column] = text
            continue
        found = labels.get(normalize_label(text), set())
        if len(found) == 1:
            mapping[column] = next(iter(found))
            continue
        if len(found) > 1:
            ambiguous[column] = sorted(found)
            continue
        if _XML_PATH.fullmatch(text):
            suffix = next((s for s in _xml_suffixes(text) if s in names), None)
            if suffix is not None:
                mapping[column] = suffix
    return mapping, ambiguous


def match_headers(columns: list[str], codebook: Codebook, *,
                  path: Path | str | None = None) -> dict[str, str]:
    """Which codebook field each data column holds.

    Parameters
    ----------
    columns : list of str
        Data headers, as exported by KoboToolbox with "XML values and headers" or with
        "labels" headers, with or without group names.
    codebook : Codebook
        The form.
    path : path-like, optional
        The data file, named in the error message.

    Returns
    -------
    dict of str to str
        Data column -> field ``name``, in column order, for every column that matches:

        1. the field's XML name (``q01``);
        2. a standard Kobo metadata column (:data:`KOBO_METADATA_COLUMNS`: ``_uuid``,
           ``_index``, ...), mapped to itself; other columns starting with ``_`` never
           match;
        3. the field's label in Indonesian or English, case- and
           whitespace-insensitive, optionally prefixed by the labels (either language)
           or names of its enclosing groups (``Kepercayaan/Saya percaya ...``); a label
           shared by several fields matches none of them;
        4. an XML name prefixed by group names, with ``/`` or ``.`` (``grp_trust/q01``,
           ``grp_trust.q01``, ``a/b/q01``).

        Columns matching nothing are left out.

    Raises
    ------
    InputFileError
        Two columns match the same field (both are named).
    """
    mapping, _ = _match(list(columns), codebook)
    by_field: dict[str, list[str]] = {}
    for column, name in mapping.items():
        by_field.setdefault(name, []).append(str(column))
    clashes = {name: cols for name, cols in by_field.items() if len(cols) > 1}
    if clashes:
        listed = "; ".join(f"columns {' and '.join(map(repr, cols))} both hold field {name!r}"
                           for name, cols in clashes.items())
        raise InputFileError(path if path is not None else "data",
                             f"{listed}; delete or rename the duplicate column(s) so each "
                             "codebook field appears once.")
    return mapping


def holds_items(values: list[str], codebook: Codebook) -> bool:
    """True when ``values`` (one row of a sheet) name every item of the codebook."""
    found = set(_match([str(v) for v in values], codebook)[0].values())
    return all(c in found for c in codebook.item_names)


def check_columns(codebook: Codebook, columns: list[str], path: Path | str,
                  frame: pd.DataFrame | None = None) -> list[str]:
    """Compare data columns with the codebook.

    ``frame`` (the data read with ``columns`` as its header) lets a missing item be
    explained by a title row above the real header ("the header seems to be on row 3").

    Columns are matched with :func:`match_headers` (XML names, group-prefixed names,
    label headers). Returns warnings for data columns the codebook does not describe
    (columns starting with ``_`` are Kobo's and never warned about); raises when a
    codebook item is missing from the data (its dimension could not be scored) or when
    two columns hold the same field.
    """
    mapping, ambiguous = _match(list(columns), codebook)
    match_headers(columns, codebook, path=path)  # raises on two columns for one field
    matched = set(mapping.values())
    missing = [c for c in codebook.item_names if c not in matched]
    if missing:
        hint = (header_row_hint(frame, lambda values: holds_items(values, codebook))
                if frame is not None else "")
        if hint:
            raise InputFileError(path, hint)
        raise InputFileError(path, f"the codebook's item column(s) {', '.join(missing)} "
                                   "are not in the data; is this the right form version?")
    warnings = []
    for c in columns:
        if c in mapping or str(c).startswith("_"):
            continue
        if c in ambiguous:
            warnings.append(f"column {c!r} matches the labels of several codebook fields "
                            f"({', '.join(ambiguous[c])}) and is ignored; export with XML "
                            "names to tell them apart.")
        else:
            warnings.append(f"column {c!r} is not in the codebook and is ignored.")
    return warnings
