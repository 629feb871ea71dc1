"""The published child-population tables by ethnic group: Census 2011 DC2101EW (ages 0-17), the
DfE school census and Census 2021 TS021 (all ages).

Each file covers every authority. It is read, checked and cut to the rows a denominator uses once
per process (:func:`~iro_analysis.reference.cache.national`, keyed by the reference files on the
search path), held by authority, and each call only looks up its authority's rows and labels them.
:mod:`~iro_analysis.reference.ethnicity_population` turns the counts into the documented frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ReferenceDataError
from .cache import national
from .ethnicity_codes import _CENSUS2011_CODES, _CENSUS2021_CODES, _SCHOOL_CODES, _apply_codes
from .search import find_reference_file, read_dfe_csv

#: File names looked for on the reference search path.
CENSUS2011_FILE = "census2011_dc2101ew_ethnic_group_age0_17_utla23.csv"
SCHOOL_FILE = "spc_pupils_ethnicity_and_language_2016_to_2022_extract.csv"
TS021_FILE = "census2021_ts021_ethnic_group_all_ages_la.csv"

_TS021_CATEGORY = "Ethnic group (20 categories)"

#: Authorities abolished in a reorganisation -> the areas that replaced them, which together cover
#: exactly the same ground: the Cumbria (Structural Changes) Order 2022 (Cumberland, Westmorland
#: and Furness from 1 April 2023) and the Northamptonshire (Structural Changes) Order 2020 (North
#: and West Northamptonshire from 1 April 2021). Census tables published on the new areas give the
#: old authority's population as their sum; its reports for years before the change need it.
REPLACED_BY = {"E10000006": ("E06000063", "E06000064"), "E10000021": ("E06000061", "E06000062")}


def _by_area(area: pd.Series, *columns: pd.Series) -> dict:
    """{area code: (column arrays of its rows, in file order)}. Shared by every report: read only."""
    arrays = [c.to_numpy() for c in columns]  # strings as objects, counts as float64
    return {key: tuple(a[rows] for a in arrays) for key, rows in area.groupby(area, sort=False).indices.items()}


@national
def _census2011_rows(path: str) -> dict:
    raw = read_dfe_csv(path, numeric=["count"])
    rows = raw[(raw["age_band"] == "0-17") & (raw["level"] == "minor")]
    return _by_area(rows["utla23cd"], rows["ethnic_group"], rows["count"])


@national
def _ts021_rows(path: str) -> dict:
    raw = read_dfe_csv(path, numeric=["Observation"])
    if _TS021_CATEGORY not in raw.columns:
        raise ReferenceDataError(
            f"file {path}: column {_TS021_CATEGORY!r} not found (columns: {list(raw.columns)})."
        )
    return _by_area(raw[raw.columns[0]], raw[_TS021_CATEGORY], raw["Observation"])


@national
def _school_rows(path: str) -> dict:
    raw = read_dfe_csv(path, numeric=["headcount"])
    rows = raw[(raw["geographic_level"] == "Local authority") & (raw["phase_type_grouping"] == "Total")
               & (raw["ethnicity"] != "Total")]
    return _by_area(rows["old_la_code"], rows["time_period"], rows["ethnicity"], rows["headcount"])


def _area_rows(rows: dict, ons_code: str) -> tuple[tuple | None, tuple[str, ...]]:
    """An area's rows, or the rows of the areas that replaced it one after the other (see
    :data:`REPLACED_BY`), with the codes of those areas; ``(None, ())`` when there are neither."""
    if ons_code in rows:
        return rows[ons_code], ()
    parts = REPLACED_BY.get(ons_code, ())
    if not parts or any(part not in rows for part in parts):
        return None, ()
    columns = zip(*(rows[part] for part in parts))
    return tuple(np.concatenate(column) for column in columns), parts


def _counts(rows: dict, authority, table: dict, *, detailed: bool, mapping, where: str, missing: str) -> pd.Series:
    found, parts = _area_rows(rows, authority.ons_code)
    if found is None:
        raise ReferenceDataError(f"{where}: {missing} for {authority.la_name} ({authority.ons_code}).")
    categories, counts = found
    labelled = _apply_codes(categories, counts, table, detailed=detailed, mapping=mapping, where=where)
    labelled.attrs["replaced_by"] = parts  # the labels repeat per area; the caller adds them up
    return labelled


def census2011_counts(authority, *, detailed: bool, mapping) -> pd.Series:
    """Census 2011 children aged 0-17 of one authority by group (index: group label, rows as published).

    An authority abolished since (:data:`REPLACED_BY`) gets the rows of the areas that replaced
    it, listed in ``attrs["replaced_by"]`` (empty otherwise).

    Raises
    ------
    ReferenceDataError
        If the file is missing or unreadable, or has no rows for the authority.
    """
    path = find_reference_file(CENSUS2011_FILE)
    return _counts(_census2011_rows(str(path)), authority, _CENSUS2011_CODES, detailed=detailed, mapping=mapping,
                   where=f"file {path}", missing="no Census 2011 ages 0-17 rows")


def census2021_all_ages_counts(authority, *, detailed: bool, mapping) -> pd.Series:
    """Census 2021 residents of all ages of one authority by group (as :func:`census2011_counts`)."""
    path = find_reference_file(TS021_FILE)
    return _counts(_ts021_rows(str(path)), authority, _CENSUS2021_CODES, detailed=detailed, mapping=mapping,
                   where=f"file {path}", missing="no rows")


def school_census_counts(authority, *, year, detailed: bool, mapping) -> tuple[pd.Series, int, list[int]]:
    """Pupils of one authority by group in the January census of ``year`` or the latest before it.

    Returns
    -------
    counts : Series
        As :func:`census2011_counts`.
    used : int
        The census used (January of that year), or the first one when every census is later.
    available : list of int
        Every census year the file has for the authority.
    """
    path = find_reference_file(SCHOOL_FILE)
    found = _school_rows(str(path)).get(authority.la_code)
    if found is None:
        raise ReferenceDataError(
            f"file {path}: no school census rows for {authority.la_name} (DfE code {authority.la_code})."
        )
    periods, categories, counts = found
    # time_period 202122 = January 2022 census; the reporting year ending 31 March 2022.
    census_years = sorted({int(str(t)[:4]) + 1 for t in periods})
    if year is None:
        use = census_years[-1]
    else:
        earlier = [y for y in census_years if y <= int(year)]
        use = earlier[-1] if earlier else census_years[0]
    keep = periods == f"{use - 1}{str(use)[2:]}"
    out = _apply_codes(categories[keep], counts[keep], _SCHOOL_CODES, detailed=detailed, mapping=mapping,
                       where=f"file {path}")
    return out, use, census_years
