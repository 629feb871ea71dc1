"""Child-population denominators by ethnic group for one local authority.

Four published sources and one user slot, each returned in the same tidy shape and each
carrying a ``denominator`` label (and a ``caveat``) that every table and chart built on it
must show:

========================  ==============================================================
source key                what it is
========================  ==============================================================
``"user"``                A table supplied by the analyst (long format below). Takes
                          precedence over everything else.
``"census2021_0_17"``     Census 2021 ethnic group of children aged 0–17 by upper-tier LA:
                          the right denominator, but ONS publishes it only as a custom
                          dataset. Ready slot: save the download as
                          ``census2021_ethnic_group_age0_17_utla.csv`` on the reference
                          search path (format below) and it is used automatically.
``"census2011_0_17"``     Census 2011 DC2101EW, children aged 0–17 by current upper-tier LA.
                          What published IRO reports used (it reproduces Wokingham's
                          82.40 / 6.25 / 9.73 / 1.63 exactly). Dated.
``"school_census"``       DfE school census, pupils by ethnicity by LA, January 2016–2022.
                          Recent, but pupils in state-funded schools, counted where the
                          school is.
``"census2021_all_ages"`` Census 2021 TS021, **all ages**. A fallback only: children are
                          younger and more diverse than adults.
========================  ==============================================================

``source="auto"`` (the default) takes the first available of ``user``, ``census2021_0_17``
and ``census2011_0_17``: a child population counted where children live, the same
concept as the numerator. The school census and the all-ages census are used only when
asked for (and by :func:`ethnicity_populations`, to show how much the answer moves).

User table format (CSV or DataFrame), one row per authority and group::

    la_code,ethnic_group,count,source
    872,White,29218,My 2021 custom extract
    872,Mixed,1863,My 2021 custom extract
    ...

``la_code`` is the DfE 3-digit code or the ONS code; ``ethnic_group`` a main group
(White, Mixed, Asian, Black, Other), a detailed group label (see
:data:`DETAILED_ETHNIC_GROUPS`) or an SSDA903 ETHNIC code (WBRI …); ``count`` a number;
``source`` a short description shown in the denominator label. Save it as
``ethnicity_population_user.csv`` on the reference search path, or pass it as
``user_table=``. Rows for refused / unknown / unclassified are kept apart (never in a share).

The Census 2021 0–17 slot accepts either that long format or the CSV ONS's "create a custom
dataset" service produces (population type usual residents, area type upper-tier local
authorities, variables "Ethnic group (6 or 20 categories)" and an age variable such as
"Age (23 categories)"): columns ``<area> Code``, ``<area>``, ``Ethnic group (…) Code``,
``Ethnic group (…)``, optionally ``Age (…) Code``, ``Age (…)``, and ``Observation``. Age
bands whose upper bound is 17 or less are summed; without an age column the file is
taken to be ages 0–17 already.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import codes as _codes
from ..errors import ParameterError, ReferenceDataError
from .authorities import resolve_authority
from .ethnicity_codes import (
    _CENSUS2011_CODES,
    _CENSUS2021_CODES,
    _SCHOOL_CODES,
    COMBINED_DETAILED_GROUPS,
    DETAILED_ETHNIC_GROUPS,
    EXCLUDED_GROUP,
    _group_order,
    _is_excluded_label,
    _key_label,
    _main_from_label,
    detailed_ethnic_group,
)
from .ethnicity_published import (
    CENSUS2011_FILE as _CENSUS2011_FILE,
    SCHOOL_FILE as _SCHOOL_FILE,
    TS021_FILE as _TS021_FILE,
    census2011_counts,
    census2021_all_ages_counts,
    school_census_counts,
)
from .search import find_reference_file

__all__ = [
    "ETHNICITY_POPULATION_COLUMNS",
    "ETHNICITY_SOURCES",
    "DETAILED_ETHNIC_GROUPS",
    "COMBINED_DETAILED_GROUPS",
    "EXCLUDED_GROUP",
    "USER_FILE",
    "CENSUS2021_CHILD_FILE",
    "ethnicity_population",
    "ethnicity_populations",
    "available_ethnicity_sources",
    "detailed_ethnic_group",
]

#: File names looked for on the reference search path.
USER_FILE = "ethnicity_population_user.csv"
CENSUS2021_CHILD_FILE = "census2021_ethnic_group_age0_17_utla.csv"

#: Columns of every frame returned here.
ETHNICITY_POPULATION_COLUMNS = [
    "la_code", "ons_code", "la_name", "year", "ethnic_group", "count", "share",
    "included", "source", "denominator", "caveat",
]

#: Source key -> (label template, caveat). ``{year}`` is filled in where relevant.
ETHNICITY_SOURCES = {
    "user": (
        "User-supplied denominator: {detail}",
        "Supplied by the analyst; check its source, date and age range.",
    ),
    "census2021_0_17": (
        "Census 2021, children aged 0-17 (ONS)",
        "Census day 21 March 2021; the mix changes slowly between censuses.",
    ),
    "census2011_0_17": (
        "Census 2011, children aged 0-17 (ONS DC2101EW)",
        "2011 figures: the ethnic mix of children has changed since, especially in fast-"
        "diversifying areas. Use it to reproduce reports that cite the 2011 Census.",
    ),
    "school_census": (
        "School census January {year}, pupils in state-funded schools (DfE)",
        "Pupils in state-funded schools, counted in the authority where the school is (not "
        "where the child lives); leaves out most under-4s and 16-17-year-olds and children "
        "in independent schools or not in school.",
    ),
    "census2021_all_ages": (
        "Census 2021, ALL AGES (ONS TS021) - not a child population",
        "All ages, not children: children are younger and more ethnically diverse than "
        "adults, so this understates the share of Mixed and Asian children and makes their "
        "ratios look larger than they are. A fallback only.",
    ),
}

def _finish(counts: pd.Series, authority, *, year, source: str, detail: str, detailed: bool) -> pd.DataFrame:
    """Turn {label: count} into the documented frame (excluded row last)."""
    counts = counts.groupby(level=0, sort=False).sum()
    labels = _group_order(list(counts.index), detailed)
    counts = counts.reindex(labels)
    included = np.array([lbl != EXCLUDED_GROUP for lbl in labels])
    total = float(counts[included].sum())
    share = np.where(included, counts.to_numpy(dtype=float) / total if total > 0 else np.nan, np.nan)
    label_tpl, caveat = ETHNICITY_SOURCES[source]
    label = label_tpl.format(year=year, detail=detail)
    out = pd.DataFrame(
        {
            "la_code": authority.la_code,
            "ons_code": authority.ons_code,
            "la_name": authority.la_name,
            "year": year,
            "ethnic_group": labels,
            "count": counts.to_numpy(dtype=float),
            "share": share,
            "included": included,
            "source": source,
            "denominator": label,
            "caveat": caveat,
        }
    )
    out.attrs.update({"denominator": label, "source": source, "caveat": caveat, "year": year,
                      "la_code": authority.la_code, "detailed": detailed})
    return out


# ------------------------------------------------------------------------------------------
# Readers, one per source


def _census2011(authority, *, detailed: bool, mapping) -> pd.DataFrame:
    counts = census2011_counts(authority, detailed=detailed, mapping=mapping)
    out = _finish(counts, authority, year=2011, source="census2011_0_17", detail="", detailed=detailed)
    return _say_replaced(out, counts.attrs["replaced_by"])


def _census2021_all_ages(authority, *, detailed: bool, mapping) -> pd.DataFrame:
    counts = census2021_all_ages_counts(authority, detailed=detailed, mapping=mapping)
    out = _finish(counts, authority, year=2021, source="census2021_all_ages", detail="", detailed=detailed)
    return _say_replaced(out, counts.attrs["replaced_by"])


def _say_replaced(out: pd.DataFrame, parts) -> pd.DataFrame:
    """The caveat of a population added up from the areas that replaced an abolished authority."""
    if not parts:
        return out
    names = " and ".join(resolve_authority(code).la_name for code in parts)
    caveat = (f"{out.attrs['caveat']} The census is published for the areas that replaced {out['la_name'].iloc[0]}: "
              f"these are the counts of {names} added together (the same ground).")
    out["caveat"] = caveat
    out.attrs["caveat"] = caveat
    return out


def _school_census(authority, *, year, detailed: bool, mapping) -> pd.DataFrame:
    counts, use, census_years = school_census_counts(authority, year=year, detailed=detailed, mapping=mapping)
    out = _finish(counts, authority, year=use, source="school_census", detail="", detailed=detailed)
    out.attrs["available_years"] = census_years
    return out


_AGE_RANGE = re.compile(r"(\d+)\s*(?:to|-|–)\s*(\d+)")
_AGE_UNDER = re.compile(r"(\d+)\s*years?\s*and\s*under|under\s*(\d+)", re.I)
_AGE_SINGLE = re.compile(r"^\s*aged\s*(\d+)\s*years?\s*$", re.I)


def _age_upper(label: str) -> float:
    """Upper age of an ONS age-band label (inf for open-ended bands such as '85 and over')."""
    text = str(label)
    if re.search(r"and over|\+", text, re.I):
        return np.inf
    m = _AGE_RANGE.search(text)
    if m:
        return float(m.group(2))
    m = _AGE_UNDER.search(text)
    if m:
        return float(m.group(1)) if m.group(1) else float(m.group(2)) - 1
    m = _AGE_SINGLE.search(text)
    if m:
        return float(m.group(1))
    m = re.fullmatch(r"\s*(\d+)\s*", text)
    if m:
        return float(m.group(1))
    raise ReferenceDataError(f"cannot read the age band {label!r} in the Census 2021 child file.")



def _read_table(source) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source.copy()
    path = Path(os.fspath(source))
    try:
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except FileNotFoundError:
        raise ReferenceDataError(f"file {path} does not exist.") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReferenceDataError(f"file {path}: cannot be read as CSV ({exc}).") from None


def _long_table(df: pd.DataFrame, authority, *, detailed: bool, mapping, where: str, source: str) -> pd.DataFrame:
    """Read the documented long format: la_code, ethnic_group, count, source."""
    df = df.rename(columns={c: str(c).strip().lower() for c in df.columns})
    missing = [c for c in ("la_code", "ethnic_group", "count") if c not in df.columns]
    if missing:
        raise ReferenceDataError(
            f"{where}: columns {missing} are missing; the format is la_code, ethnic_group, count, source."
        )
    codes_col = df["la_code"].astype(str).str.strip()
    rows = df[codes_col.isin([authority.la_code, authority.ons_code])]
    if rows.empty:
        raise ReferenceDataError(
            f"{where}: no rows for {authority.la_name} (la_code {authority.la_code} or {authority.ons_code})."
        )
    count = pd.to_numeric(rows["count"].astype(str).str.replace(",", "").str.strip(), errors="coerce")
    if count.isna().any() or (count < 0).any():
        bad = rows.loc[count.isna() | (count < 0), "count"].tolist()
        raise ReferenceDataError(f"{where}: counts must be numbers >= 0; found {bad}.")
    main_labels = set(_codes.ETHNIC_GROUP_ORDER)
    detailed_labels = set(DETAILED_ETHNIC_GROUPS.values()) | set(COMBINED_DETAILED_GROUPS)
    labels = []
    for value in rows["ethnic_group"].astype(str).str.strip():
        code = value.upper()
        if _is_excluded_label(value) or code in ("REFU", "NOBT"):
            labels.append(EXCLUDED_GROUP)
        elif code in DETAILED_ETHNIC_GROUPS:
            labels.append(_key_label((code,), detailed, mapping))
        elif value in detailed_labels:
            if detailed:
                labels.append(value)
            else:
                key = COMBINED_DETAILED_GROUPS.get(value) or (
                    next(c for c, lbl in DETAILED_ETHNIC_GROUPS.items() if lbl == value),)
                labels.append(_key_label(key, False, mapping))
        elif value in main_labels:
            if detailed:
                raise ReferenceDataError(
                    f"{where}: detailed groups were asked for but the table has main group {value!r}."
                )
            labels.append(value)
        elif value in _CENSUS2021_CODES or value in _CENSUS2011_CODES or value in _SCHOOL_CODES:
            table = {**_CENSUS2011_CODES, **_SCHOOL_CODES, **_CENSUS2021_CODES}
            key = table[value]
            labels.append(EXCLUDED_GROUP if key is None else _key_label(key, detailed, mapping))
        elif not detailed:
            labels.append(_main_from_label(value, mapping))
        else:
            raise ReferenceDataError(f"{where}: ethnic group {value!r} is not recognised.")
    detail = ""
    if "source" in rows.columns:
        detail = "; ".join(dict.fromkeys(s for s in rows["source"].astype(str).str.strip() if s))
    year = None
    if "year" in rows.columns:
        years = pd.to_numeric(rows["year"], errors="coerce").dropna().unique()
        if len(years) > 1:
            raise ReferenceDataError(f"{where}: several years {sorted(years)} for one authority; keep one.")
        year = int(years[0]) if len(years) else None
    counts = pd.Series(count.to_numpy(dtype=float), index=labels)
    return _finish(counts, authority, year=year, source=source, detail=detail or where, detailed=detailed)


def _ons_custom(df: pd.DataFrame, authority, *, detailed: bool, mapping, where: str) -> pd.DataFrame:
    """Read an ONS 'create a custom dataset' CSV (area × ethnic group [× age])."""
    cols = list(df.columns)
    obs = next((c for c in cols if c.strip().lower() == "observation"), None)
    eth = next((c for c in cols if c.lower().startswith("ethnic group") and not c.lower().endswith("code")), None)
    area = next((c for c in cols if c.lower().endswith("code") and not c.lower().startswith(("ethnic", "age"))), None)
    if obs is None or eth is None or area is None:
        raise ReferenceDataError(
            f"{where}: neither the long format (la_code, ethnic_group, count, source) nor an ONS custom "
            f"dataset (area code, 'Ethnic group (...)', 'Observation') was recognised; columns are {cols}."
        )
    rows = df[df[area].astype(str).str.strip() == authority.ons_code].copy()
    if rows.empty:
        raise ReferenceDataError(f"{where}: no rows for {authority.la_name} ({authority.ons_code}).")
    age = next((c for c in cols if c.lower().startswith("age") and not c.lower().endswith("code")), None)
    if age is not None:
        rows = rows[rows[age].map(_age_upper) <= 17]
    rows["count"] = pd.to_numeric(rows[obs], errors="coerce")
    if rows["count"].isna().any():
        raise ReferenceDataError(f"{where}: column {obs!r} has values that are not numbers.")
    def detailed_label(value):
        if value not in _CENSUS2021_CODES:
            raise ReferenceDataError(
                f"{where}: detailed groups need the 20-category ethnic group variable; got {value!r}."
            )
        key = _CENSUS2021_CODES[value]
        return EXCLUDED_GROUP if key is None else _key_label(key, True, mapping)

    if detailed:
        labels = rows[eth].map(detailed_label)
    else:
        labels = rows[eth].map(lambda v: _main_from_label(v, mapping))
    counts = pd.Series(rows["count"].to_numpy(dtype=float), index=labels.to_numpy())
    return _finish(counts, authority, year=2021, source="census2021_0_17", detail="", detailed=detailed)


def _census2021_children(authority, *, detailed: bool, mapping) -> pd.DataFrame:
    path = find_reference_file(CENSUS2021_CHILD_FILE)
    df = _read_table(path)
    if {"la_code", "ethnic_group", "count"} <= {str(c).strip().lower() for c in df.columns}:
        return _long_table(df, authority, detailed=detailed, mapping=mapping, where=f"file {path}",
                           source="census2021_0_17")
    return _ons_custom(df, authority, detailed=detailed, mapping=mapping, where=f"file {path}")


def _user(authority, user_table, *, detailed: bool, mapping) -> pd.DataFrame:
    if user_table is None:
        user_table = find_reference_file(USER_FILE)
    where = "user table" if isinstance(user_table, pd.DataFrame) else f"file {user_table}"
    return _long_table(_read_table(user_table), authority, detailed=detailed, mapping=mapping, where=where,
                       source="user")


def _available(name: str) -> bool:
    try:
        find_reference_file(name)
    except ReferenceDataError:
        return False
    return True


def available_ethnicity_sources(*, user_table=None) -> list[str]:
    """The denominator sources whose files are on the reference search path, in precedence order.

    Returns
    -------
    list of str
        Keys of :data:`ETHNICITY_SOURCES`.

    Examples
    --------
    >>> "census2011_0_17" in available_ethnicity_sources()
    True
    """
    files = {"user": USER_FILE, "census2021_0_17": CENSUS2021_CHILD_FILE, "census2011_0_17": _CENSUS2011_FILE,
             "school_census": _SCHOOL_FILE, "census2021_all_ages": _TS021_FILE}
    out = []
    for key, name in files.items():
        if (key == "user" and user_table is not None) or _available(name):
            out.append(key)
    return out


def ethnicity_population(
    la,
    *,
    source: str = "auto",
    year: int | None = None,
    detailed: bool = False,
    mapping: dict | None = None,
    user_table=None,
) -> pd.DataFrame:
    """Child population of one authority by ethnic group, from a labelled denominator.

    Parameters
    ----------
    la : str
        Authority: DfE 3-digit code (``"872"``), ONS code or name.
    source : str, default "auto"
        ``"auto"``, ``"user"``, ``"census2021_0_17"``, ``"census2011_0_17"``,
        ``"school_census"`` or ``"census2021_all_ages"`` (see the module docstring).
        ``"auto"`` takes the first available of ``user`` (``user_table`` given or
        ``ethnicity_population_user.csv`` found), ``census2021_0_17`` and ``census2011_0_17``.
    year : int, optional
        Reporting year (year ending 31 March). Used by the school census: the January census
        of that year, or the latest earlier one available (the label states which).
    detailed : bool, default False
        Detailed groups (White British, Indian, …) instead of the main groups. Census tables
        publish Gypsy, Roma and Irish Traveller together (see :data:`COMBINED_DETAILED_GROUPS`).
    mapping : dict, optional
        ETHNIC code -> main group overrides, as :func:`iro_analysis.codes.ethnic_group`
        (e.g. ``{"CHNE": "Other"}``); use the same mapping for the children in care.
    user_table : DataFrame or path, optional
        A table in the documented long format; implies ``source="user"`` under ``"auto"``.

    Returns
    -------
    DataFrame
        Columns ``la_code, ons_code, la_name, year, ethnic_group, count, share, included, source,
        denominator, caveat``. ``share`` is the share of children of known ethnicity (0–1),
        NaN on the ``"Unclassified"`` row (refused, unclassified, does not apply), which is
        kept separately and has ``included`` False. ``attrs`` holds ``denominator``,
        ``source``, ``caveat``, ``year``.

    Raises
    ------
    ReferenceDataError
        If the file for the source is not on the reference search path or lacks the authority.
    ParameterError
        For an unknown source or authority.

    Notes
    -----
    Sources and caveats: ``docs`` child-ethnicity-denominators; Census 2011 DC2101EW (ONS,
    OGL v3.0), DfE "Schools, pupils and their characteristics" (OGL v3.0), Census 2021 TS021
    (ONS, OGL v3.0).

    Examples
    --------
    >>> pop = ethnicity_population("872", source="census2011_0_17")
    >>> (pop.set_index("ethnic_group")["share"] * 100).round(2).head(4).tolist()
    [82.4, 5.25, 9.73, 1.63]
    """
    authority = resolve_authority(la)
    keys = ("auto",) + tuple(ETHNICITY_SOURCES)
    if source not in keys:
        raise ParameterError(f"unknown denominator source {source!r}; use one of {list(keys)}.")
    if source == "auto":
        if user_table is not None or _available(USER_FILE):
            source = "user"
        elif _available(CENSUS2021_CHILD_FILE):
            source = "census2021_0_17"
        else:
            source = "census2011_0_17"
    if source == "user":
        return _user(authority, user_table, detailed=detailed, mapping=mapping)
    if source == "census2021_0_17":
        return _census2021_children(authority, detailed=detailed, mapping=mapping)
    if source == "census2011_0_17":
        return _census2011(authority, detailed=detailed, mapping=mapping)
    if source == "school_census":
        return _school_census(authority, year=year, detailed=detailed, mapping=mapping)
    return _census2021_all_ages(authority, detailed=detailed, mapping=mapping)


def ethnicity_populations(
    la,
    *,
    sources=None,
    year: int | None = None,
    detailed: bool = False,
    mapping: dict | None = None,
    user_table=None,
) -> pd.DataFrame:
    """Every available denominator for one authority, stacked (for :func:`compare_denominators`).

    Parameters
    ----------
    la : str
        Authority code or name.
    sources : sequence of str, optional
        Source keys; default every source whose file is found (see
        :func:`available_ethnicity_sources`).
    year, detailed, mapping, user_table
        As :func:`ethnicity_population`.

    Returns
    -------
    DataFrame
        The :func:`ethnicity_population` columns, one block per source. ``attrs["sources"]``
        lists the sources used and ``attrs["unavailable"]`` the default sources whose file has no
        rows for this authority, with the reason.

    Examples
    --------
    >>> pops = ethnicity_populations("872", sources=["census2011_0_17", "census2021_all_ages"])
    >>> pops["source"].unique().tolist()
    ['census2011_0_17', 'census2021_all_ages']
    """
    requested = sources is not None
    if sources is None:
        sources = available_ethnicity_sources(user_table=user_table)
    frames, used, unavailable = [], [], {}
    for s in sources:
        try:
            la = resolve_authority(la)  # once: an Authority is passed on unchanged
            frames.append(ethnicity_population(la, source=s, year=year, detailed=detailed, mapping=mapping,
                                               user_table=user_table))
            used.append(s)
        except ReferenceDataError as exc:
            # By default, a file that lacks this authority (e.g. one created after it was
            # published) is left out and named; a source asked for by name must be there.
            if requested:
                raise
            unavailable[s] = str(exc)
    if not frames:
        raise ReferenceDataError(
            "no ethnicity denominator was found for this authority on the reference search path"
            + (f": {'; '.join(unavailable.values())}" if unavailable else ".")
        )
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {"sources": used, "unavailable": unavailable}
    return out
