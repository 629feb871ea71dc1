"""ONS mid-year population estimates of children aged 0-17 (the denominators of DfE CLA rates).

DfE's rate for the 31 March of year *t* (``time_period`` *t*) divides by the ONS mid-year
estimate for **mid-(t − 1)**: for example Wokingham on 31 March 2022, 136 children / 41,129
(mid-2021) × 10,000 = 33.07 → 33. :func:`population_for` applies that rule so callers never have
to remember it.
"""

from __future__ import annotations

import functools

import pandas as pd

from .cache import disk_cached
from ..errors import ParameterError
from ._dfe import GEOGRAPHY_COLUMNS, file_stamp, geography
from .authorities import resolve_authority
from .regions import REGIONS
from .search import find_reference_file, read_dfe_csv

__all__ = ["POPULATION_FILE", "population_0_17", "population_for"]

POPULATION_FILE = "ons_mid-year_population_estimates_0_17_2012_to_2024.csv"

_COLUMNS = ["year", *GEOGRAPHY_COLUMNS, "population", "population_flag"]


@functools.lru_cache(maxsize=4)
@disk_cached(path_arg=0)
def _load(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    df = read_dfe_csv(path, numeric=["population_estimate"])
    if "age_group" in df.columns:
        ages = df["age_group"].str.strip().str.lower()
        df = df[ages.str.contains("0 to 17") | ages.eq("")]
    out = geography(df).assign(
        year=pd.to_numeric(df["time_period"], errors="raise").astype("int64"),
        population=df["population_estimate"],
        population_flag=df["population_estimate_flag"],
    )
    return out[_COLUMNS].sort_values(["year", "geographic_level", "region_code", "la_code"]).reset_index(
        drop=True
    )


def population_0_17() -> pd.DataFrame:
    """ONS mid-year estimates of children aged 0 to 17, England, regions and LAs.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int: the **mid-year**, 30 June of that year), ``geographic_level``
        (``"National"``, ``"Regional"``, ``"Local authority"``), ``region_code, region_name,
        la_code`` (DfE 3-digit), ``ons_code, la_name`` (``""`` where not applicable),
        ``population`` (float, NaN if not published), ``population_flag`` (symbol or ``""``).

    Raises
    ------
    ReferenceDataError
        If ``ons_mid-year_population_estimates_0_17_2012_to_2024.csv`` is not on the search path.

    Notes
    -----
    Source: Office for National Statistics mid-year population estimates (re-based after Census
    2021), as compiled by DfE for its children's social care rates; Open Government Licence v3.0.

    Examples
    --------
    >>> p = population_0_17()
    >>> int(p.loc[(p.la_code == "872") & (p.year == 2021), "population"].item())
    41129
    """
    return _load(*file_stamp(find_reference_file(POPULATION_FILE))).copy()


def population_for(la, year: int) -> float:
    """The 0-17 population DfE uses as the denominator for the 31 March of ``year``.

    Parameters
    ----------
    la : str, int or Authority
        An authority (DfE code, ONS code or name, see
        :func:`~iro_analysis.reference.resolve_authority`), or ``"England"``/``"E92000001"``,
        or a region code (``"E12000008"``; ``"E13000001"``/``"E13000002"`` for Inner/Outer London).
    year : int
        The year ending 31 March (``time_period`` of the DfE CLA tables), e.g. 2022 for the
        31 March 2022 snapshot or the year 2021-22.

    Returns
    -------
    float
        The ONS mid-year estimate for mid-(``year`` − 1).

    Raises
    ------
    ParameterError
        If the year is outside the estimates available or the population is not published for
        that authority and year (for example Cumbria after its abolition).
    ReferenceDataError
        If the population file is missing.

    Notes
    -----
    DfE rates: ``rate = round(count / population_for(la, year) × 10,000)``. The rule "mid-year
    ``t − 1`` for ``time_period`` ``t``" reproduces DfE's ``population_estimate`` for every
    published LA, region and England value in the 2025 release (the exceptions are cells DfE
    shows as ``x``).

    Examples
    --------
    >>> population_for("Wokingham", 2022)
    41129.0
    """
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"year must be a year ending 31 March such as 2023, got {year!r}.") from None
    pop = population_0_17()
    text = str(la).strip() if not hasattr(la, "la_code") else None
    if text is not None and text.lower() in ("england", "e92000001"):
        rows = pop[pop["geographic_level"] == "National"]
        label = "England"
    elif text is not None and text.upper() in REGIONS:
        code = text.upper()
        rows = pop[(pop["geographic_level"] == "Regional") & (pop["region_code"] == code)]
        label = REGIONS[code]
    else:
        auth = resolve_authority(la)
        rows = pop[(pop["geographic_level"] == "Local authority") & (pop["la_code"] == auth.la_code)]
        label = str(auth)
    mid = year - 1
    hit = rows[rows["year"] == mid]
    if hit.empty:
        years = sorted(pop["year"].unique())
        raise ParameterError(
            f"No mid-{mid} 0-17 population estimate for {label} (needed for 31 March {year}); the "
            f"population file covers mid-{years[0]} to mid-{years[-1]}, i.e. years ending 31 March "
            f"{years[0] + 1} to {years[-1] + 1}."
        )
    value = hit["population"].iloc[0]
    if pd.isna(value):
        raise ParameterError(
            f"The mid-{mid} 0-17 population of {label} is not published "
            f"(flag {hit['population_flag'].iloc[0]!r})."
        )
    return float(value)
