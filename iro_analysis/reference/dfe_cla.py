"""DfE "Children looked after in England including adoptions": rates and characteristics.

Each annual release (November) revises every year of its series and re-bases the populations,
and column names have changed between releases. The loaders here read each release as published
and return one tidy shape for all of them, with suppressed cells as NaN plus the symbol in a
``*_flag`` column.

=========================  ====================================  ======================
concept                    2025 release                          2023 and 2024 releases
=========================  ====================================  ======================
measure column             ``population_type``                   ``population_count``
count column               ``children_count``                    ``number``
31 March measure label     "...looked after **on** 31 March..."  "...**at** 31 March..."
sex group (characteristics)  ``Sex``                             ``Gender``
=========================  ====================================  ======================
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from .cache import disk_cached
from ..errors import ReferenceDataError
from ._dfe import GEOGRAPHY_COLUMNS, file_stamp, files_by_release, first_column, geography
from .search import find_reference_file, read_dfe_csv

__all__ = [
    "RATES_COLUMNS",
    "CHARACTERISTICS_COLUMNS",
    "cla_rates_files",
    "available_cla_releases",
    "cla_rates",
    "cla_characteristics",
    "national_cla_characteristics",
    "national_uasc_characteristics",
]

#: Columns of :func:`cla_rates`, in order.
RATES_COLUMNS = [
    "year",
    *GEOGRAPHY_COLUMNS,
    "measure",
    "count",
    "rate_per_10k",
    "population_0_17",
    "count_flag",
    "rate_flag",
    "population_flag",
    "release",
]

#: Columns of :func:`cla_characteristics`, in order.
CHARACTERISTICS_COLUMNS = [
    "year",
    *GEOGRAPHY_COLUMNS,
    "cla_group",
    "characteristic",
    "count",
    "percent",
    "count_flag",
    "percent_flag",
    "dfe_cla_group",
    "release",
]

# Release files are "<stem>_<release>pub.csv"; DfE's download zip names it "<stem>.csv".
_RATES_STEM = "cla_number_and_rate_per_10k_children"

_CHAR_FILES = {
    2025: "la_cla_on_31_march_by_characteristics_2025pub_extract.csv",
    2024: "la_cla_on_31_march_ethnicity_uasc_sex_age_2024pub_extract.csv",
}

# DfE group labels -> the package's harmonised labels.
_GROUP_NAMES = {
    "Ethnicity": "Ethnic group",
    "Gender": "Sex",
    "Placements": "Placement",
}

_LEVELS = {"National", "Regional", "Local authority"}


def _measure(label: str) -> str:
    low = label.lower()
    if "31 march" in low:
        return "cla_31_march"
    if "starting" in low or "started" in low:
        return "starting"
    if "ceasing" in low or "ceased" in low:
        return "ceasing"
    return label


# --------------------------------------------------------------------------------------------
# Rates


def cla_rates_files() -> dict[int, Path]:
    """The CLA rates files on the search path, by release year.

    Files named ``cla_number_and_rate_per_10k_children_<year>pub.csv`` give their release in the
    name. A file with DfE's download name ``cla_number_and_rate_per_10k_children.csv`` is taken
    as the release of its latest ``time_period`` unless a named file already covers that release.

    Returns
    -------
    dict
        ``{release: path}`` sorted by release; empty if none is found.
    """
    return files_by_release(_RATES_STEM)


def available_cla_releases() -> list[int]:
    """Release years (2023, 2024, 2025 ...) of the CLA rates files found on the search path."""
    return list(cla_rates_files())


def _pick_release(release, files: dict[int, Path], what: str, expected_name) -> int:
    if not files:
        # Raises the registry-based message naming the latest expected file.
        find_reference_file(expected_name)
    if release is None:
        return max(files)
    try:
        rel = int(release)
    except (TypeError, ValueError):
        raise ReferenceDataError(f"release must be a year such as 2025, got {release!r}.") from None
    if rel not in files:
        have = ", ".join(str(r) for r in sorted(files))
        try:
            find_reference_file(expected_name.replace(str(max(files)), str(rel)))
        except ReferenceDataError as exc:
            raise ReferenceDataError(
                f"The {rel} release of {what} is not available (releases found: {have}).\n{exc}"
            ) from None
    return rel


@functools.lru_cache(maxsize=16)
@disk_cached(path_arg=0)
def _tidy_rates_cached(path: str, mtime_ns: int, size: int, release: int) -> pd.DataFrame:
    return _tidy_rates(read_dfe_csv(path), path, release)


def _tidy_rates(raw: pd.DataFrame, path, release: int) -> pd.DataFrame:
    mcol = first_column(raw, ("population_type", "population_count"), path)
    ccol = first_column(raw, ("children_count", "number"), path)
    rcol = first_column(raw, ("rate_per_10000", "rate_per_10k"), path)
    pcol = first_column(raw, ("population_estimate",), path)
    df = read_dfe_csv(path, numeric=[ccol, rcol, pcol])
    geo = geography(df)
    years = pd.to_numeric(df["time_period"], errors="coerce")
    if years.isna().any():
        i = int(np.flatnonzero(years.isna().to_numpy())[0])
        raise ReferenceDataError(
            f"file {path}, row {i + 2}, column time_period: {df['time_period'].iloc[i]!r} is not a year."
        )
    out = geo.assign(
        year=years.astype("int64"),
        measure=df[mcol].str.strip().map(_measure),
        count=df[ccol],
        rate_per_10k=df[rcol],
        population_0_17=df[pcol],
        count_flag=df[f"{ccol}_flag"],
        rate_flag=df[f"{rcol}_flag"],
        population_flag=df[f"{pcol}_flag"],
        release=release,
    )
    return out[RATES_COLUMNS]


def cla_rates(*, release: int | None = None) -> pd.DataFrame:
    """Children looked after on 31 March, starting and ceasing: numbers and rates per 10,000.

    Parameters
    ----------
    release : int, optional
        Publication year of the DfE release (2023, 2024, 2025 ...: the release for the year
        ending 31 March of that year, published in November). Default: the latest found.

    Returns
    -------
    pandas.DataFrame
        One row per year × geography × measure, columns

        - ``year`` (int): ``time_period``, the year ending 31 March (31 March snapshot for
          ``cla_31_march``; the year April–March for ``starting``/``ceasing``);
        - ``geographic_level``: ``"National"``, ``"Regional"`` or ``"Local authority"``;
        - ``region_code, region_name`` (DfE's: LA rows in London carry E13000001 Inner /
          E13000002 Outer London; Regional rows include both E12000007 London and the split),
          ``la_code`` (DfE 3-digit), ``ons_code``, ``la_name``: ``""`` where not applicable.
          Codes are as published: the 2023 release gives North Yorkshire (815) and Somerset
          (933) their pre-2023 county codes (E10000023, E10000027) in every year, so join
          releases on ``la_code``, which is stable;
        - ``measure``: ``"cla_31_march"``, ``"starting"`` or ``"ceasing"``;
        - ``count``, ``rate_per_10k``, ``population_0_17`` (float, NaN where suppressed);
        - ``count_flag``, ``rate_flag``, ``population_flag``: the suppression symbol
          (``"c"``, ``"x"``, ``"z"`` ...) or ``""``;
        - ``release`` (int).

    Raises
    ------
    ReferenceDataError
        If no rates file is found, or the requested release is not on the search path.

    Notes
    -----
    ``rate_per_10k = count / population_0_17 × 10,000`` rounded to a whole number, where the
    population is the ONS mid-year estimate of 0-17 year olds for the calendar year *before*
    the 31 March (``year − 1``). National and regional counts are rounded by DfE to the nearest
    10 and their rates come from unrounded counts. Source: DfE, Children looked after in England
    including adoptions, explore-education-statistics (Open Government Licence v3.0).

    Examples
    --------
    >>> r = cla_rates(release=2025)
    >>> row = r[(r.la_code == "872") & (r.year == 2025) & (r.measure == "cla_31_march")]
    >>> int(row["count"].item()), int(row["rate_per_10k"].item())
    (149, 34)
    """
    files = cla_rates_files()
    latest_name = f"{_RATES_STEM}_{max(files) if files else 2025}pub.csv"
    rel = _pick_release(release, files, "the CLA rates file", latest_name)
    return _tidy_rates_cached(*file_stamp(files[rel]), rel).copy()


# --------------------------------------------------------------------------------------------
# Characteristics


@functools.lru_cache(maxsize=16)
@disk_cached(path_arg=0)
def _tidy_characteristics_cached(path: str, mtime_ns: int, size: int, release: int) -> pd.DataFrame:
    return _tidy_characteristics(path, release)


def _tidy_characteristics(path, release: int) -> pd.DataFrame:
    raw = read_dfe_csv(path)
    ncol = first_column(raw, ("number", "children_count", "cla_31_march_number"), path)
    pcol = first_column(raw, ("percentage", "children_percent", "percent"), path)
    df = read_dfe_csv(path, numeric=[ncol, pcol])
    if "cla_group" not in df.columns or "characteristic" not in df.columns:
        raise ReferenceDataError(
            f"file {path}: columns cla_group and characteristic are required "
            f"(columns: {', '.join(df.columns)})."
        )
    # The raw DfE file also has rows for other populations; keep the 31 March snapshot.
    for col in ("population_count", "population_type"):
        if col in df.columns:
            df = df[df[col].str.contains("31 March", case=False, na=False)]
    geo = geography(df)
    if "geographic_level" not in df.columns:
        geo["geographic_level"] = "National"
    dfe_group = df["cla_group"].str.strip()
    characteristic = df["characteristic"].str.strip()
    # The national files say "Total children" where the LA files say "Total".
    characteristic = characteristic.where(characteristic != "Total children", "Total")
    out = geo.assign(
        year=pd.to_numeric(df["time_period"], errors="raise").astype("int64"),
        cla_group=dfe_group.map(lambda g: _GROUP_NAMES.get(g, g)),
        characteristic=characteristic,
        count=df[ncol],
        percent=df[pcol],
        count_flag=df[f"{ncol}_flag"],
        percent_flag=df[f"{pcol}_flag"],
        dfe_cla_group=dfe_group,
        release=release,
    )
    out = out[out["geographic_level"].isin(_LEVELS)]
    return out[CHARACTERISTICS_COLUMNS].reset_index(drop=True)


def cla_characteristics(*, release: int | None = None) -> pd.DataFrame:
    """Children looked after on 31 March by characteristic (ethnicity, UASC, sex, age ...).

    Parameters
    ----------
    release : int, optional
        2025 (file ``la_cla_on_31_march_by_characteristics_2025pub_extract.csv``: years
        2021–2025, 12 groups) or 2024 (``la_cla_on_31_march_ethnicity_uasc_sex_age_2024pub_extract.csv``:
        2020–2024; ethnicity, UASC, sex, age). Default: the latest found.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, geographic_level, region_code, region_name, la_code, ons_code, la_name,
        cla_group, characteristic, count, percent, count_flag, percent_flag, dfe_cla_group,
        release``. ``cla_group`` is harmonised across releases: DfE's ``"Ethnicity"`` is
        ``"Ethnic group"`` and ``"Gender"`` (2024) / ``"Sex"`` (2025) are both ``"Sex"``; the
        published label is kept in ``dfe_cla_group``. Other groups keep DfE's labels
        (``"Unaccompanied asylum-seeking children"``, ``"Legal status"``, ``"Age group"``,
        ``"Placement"`` ...). ``characteristic`` keeps DfE's labels (for ethnicity: ``"White"``,
        ``"Mixed or Multiple ethnic groups"``, ``"Asian or Asian British"``, ``"Black, African,
        Caribbean or Black British"``, ``"Other ethnic group"``, ``"Refused or information not
        yet available"``, ``"Total"``). ``percent`` is on the 0–100 scale as published (whole
        numbers); ``count``/``percent`` are NaN where suppressed, with the symbol in the flag.

    Raises
    ------
    ReferenceDataError
        If the file for the release is not on the search path.

    Notes
    -----
    Cumbria (909) is absent from these extracts (DfE's dashboard data drops it). National and
    regional counts are rounded to the nearest 10. Source: DfE, Children looked after in England
    including adoptions (Open Government Licence v3.0).

    Examples
    --------
    >>> c = cla_characteristics(release=2025)
    >>> eth = c[(c.la_code == "872") & (c.year == 2023) & (c.cla_group == "Ethnic group")]
    >>> int(eth.loc[eth.characteristic == "White", "count"].item())
    67
    """
    files = {}
    for rel, name in _CHAR_FILES.items():
        try:
            files[rel] = find_reference_file(name)
        except ReferenceDataError:
            pass
    if release is None:
        if not files:
            find_reference_file(_CHAR_FILES[max(_CHAR_FILES)])  # raises the full message
        rel = max(files)
    else:
        rel = int(release)
        if rel not in _CHAR_FILES:
            raise ReferenceDataError(
                f"No characteristics file is registered for the {rel} release; releases "
                f"supported: {', '.join(str(r) for r in sorted(_CHAR_FILES))}."
            )
        if rel not in files:
            find_reference_file(_CHAR_FILES[rel])  # raises with where to download it
    return _tidy_characteristics_cached(*file_stamp(files[rel]), rel).copy()


def national_cla_characteristics() -> pd.DataFrame:
    """England: children looked after on 31 March by characteristic, with detailed ethnicity.

    From ``national_cla_on_31_march_by_characteristics_2024pub.csv`` (2024 release, 2020–2024).
    Same columns as :func:`cla_characteristics` (geography columns ``""``); ``"Total
    children"`` is relabelled ``"Total"``. Ethnicity characteristics keep DfE's numbered
    labels (``"1a. White British"`` ...), so major-group rows are ``"1. Total White"`` etc.
    """
    path = find_reference_file("national_cla_on_31_march_by_characteristics_2024pub.csv")
    return _tidy_characteristics_cached(*file_stamp(path), 2024).copy()


def national_uasc_characteristics() -> pd.DataFrame:
    """England: unaccompanied asylum-seeking children looked after on 31 March by characteristic.

    From ``national_cla_on_31_march_who_were_unaccompanied_asylum_seeking_children_2024pub.csv``
    (2024 release, 2020–2024); same columns as :func:`cla_characteristics`.
    """
    path = find_reference_file(
        "national_cla_on_31_march_who_were_unaccompanied_asylum_seeking_children_2024pub.csv"
    )
    return _tidy_characteristics_cached(*file_stamp(path), 2024).copy()
