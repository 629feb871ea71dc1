"""Reading a return for the review schedule: the reviews, the periods of care, the years loaded.

The schedule works on numpy arrays, so the tables are read once into arrays here: review
dates as ``datetime64[ns]``, collection years and source lines as int64 with -1 for missing,
CHILD as Python strings (or left as they are, for :func:`_child_codes`). The years loaded decide
how far back the schedule can be followed (:func:`_coverage`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import year_bounds, year_label
from ..errors import ParameterError


def _table(data, name: str):
    """The table ``name`` of ``data`` (an attribute, or a key of a dict); None when absent."""
    table = getattr(data, name, None)
    if table is None and isinstance(data, dict):
        table = data.get(name)
    return table


def _collection_years(data) -> list[int]:
    """The collection years present in the episodes, reviews and header tables, sorted."""
    years = set()
    for name in ("episodes", "reviews", "header"):
        table = _table(data, name)
        if table is not None and "collection_year" in table.columns:
            years.update(int(y) for y in pd.unique(table["collection_year"].dropna()))
    return sorted(years)


def _coverage(data, year: int) -> pd.Timestamp:
    """First day from which the loaded returns list every review held.

    With a multi-year stack this is 1 April of the earliest collection year; a single return
    without a ``collection_year`` column is taken to be the return for ``year``.
    """
    years = _collection_years(data)
    if not years:
        return year_bounds(year)[0]
    if year < years[0] or year > years[-1]:
        raise ParameterError(
            f"year {year} ({year_label(year)}) is not covered by the loaded returns "
            f"(collection years {years[0]}-{years[-1]}): load the return for {year_label(year)} "
            "or choose a year inside that range."
        )
    missing = sorted(set(range(years[0], year + 1)) - set(years))
    if missing:
        raise ParameterError(
            f"the loaded returns skip collection year(s) {missing}: reviews held in those years are "
            "unknown, so the schedule cannot be followed. Load every year up to the reporting year."
        )
    return year_bounds(years[0])[0]


def _child_array(values) -> np.ndarray:
    """Child identifiers as an object array of Python strings (missing -> "")."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    arr = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(arr, skipna=True) not in ("string", "empty"):
        arr = series.astype(str).to_numpy(dtype=object)
    missing = pd.isna(series).to_numpy()
    if missing.any():
        arr = np.where(missing, "", arr)
    return arr


def _child_codes(first: pd.Series, second: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer codes for the children of two CHILD columns, as :func:`_child_array` reads them.

    Returns the codes of each column and the identifiers (object array) indexed by code;
    codes follow the first appearance in ``first`` then ``second``.
    """
    parts = []
    for series in (first, second):
        arr = series.to_numpy(dtype=object)
        # strings (missing values included) go to the hash table as they are; anything else
        # is converted the way _child_array does
        if not isinstance(series.dtype, pd.StringDtype) and pd.api.types.infer_dtype(arr, skipna=True) not in (
            "string",
            "empty",
        ):
            arr = _child_array(series)
        parts.append(arr)
    codes, uniques = pd.factorize(np.concatenate(parts))
    uniques = np.asarray(uniques, dtype=object)
    missing = codes < 0
    if missing.any():  # a missing CHILD is the child "" (as in _child_array)
        blank = np.flatnonzero(uniques == "")
        if len(blank):
            codes[missing] = blank[0]
        else:
            codes[missing] = len(uniques)
            uniques = np.append(uniques, np.array([""], dtype=object))
    codes = codes.astype(np.int64, copy=False)
    return codes[: len(parts[0])], codes[len(parts[0]):], uniques


def _int_or_minus_one(values) -> np.ndarray:
    """Whole numbers as int64 with -1 for missing values."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(numbers), -1, numbers).astype(np.int64)


def _review_arrays(data, *, raw_child: bool = False) -> dict:
    """The reviews table as numpy arrays (CHILD, review_date, REVIEW_CODE, collection_year, source_row).

    With ``raw_child`` the CHILD column is left as it is (see :func:`_child_codes`).
    """
    reviews = _table(data, "reviews")
    if reviews is None:
        raise ParameterError(
            "the data have no reviews table: review timeliness needs the Reviews file of the return "
            "(columns CHILD, DOB, REVIEW, REVIEW_CODE)."
        )
    missing = [c for c in ("CHILD", "REVIEW") if c not in reviews.columns]
    if missing:
        raise ParameterError(f"the reviews table lacks column(s) {missing}: it needs CHILD and REVIEW.")
    n = len(reviews)
    return {
        "CHILD": reviews["CHILD"] if raw_child else _child_array(reviews["CHILD"]),
        "review_date": pd.to_datetime(reviews["REVIEW"], errors="coerce").to_numpy(dtype="datetime64[ns]"),
        "REVIEW_CODE": (
            reviews["REVIEW_CODE"].to_numpy(dtype=object) if "REVIEW_CODE" in reviews.columns
            else np.full(n, None, dtype=object)
        ),
        "collection_year": (
            _int_or_minus_one(reviews["collection_year"]) if "collection_year" in reviews.columns
            else np.full(n, -1, dtype=np.int64)
        ),
        "source_row": _source_rows(reviews, getattr(data, "_lines", None)),
    }


def _reviews_frame(data) -> pd.DataFrame:
    """The reviews table in the shape the schedule uses (nullable integers for year and line)."""
    arrays = _review_arrays(data)
    frame = pd.DataFrame({k: v for k, v in arrays.items() if k not in ("collection_year", "source_row")})
    for col in ("collection_year", "source_row"):
        frame[col] = _int_array(arrays[col], arrays[col] < 0)
    return frame


def _source_rows(table: pd.DataFrame, lines=None) -> np.ndarray:
    """1-based line of each record in its source file (header = line 1), -1 when unknown."""
    if isinstance(lines, dict):
        kept = lines.get("reviews")
        if kept is not None and len(kept) == len(table):
            values = np.asarray(kept, dtype=np.int64)
            return np.where(values > 0, values, -1)
    for col in ("source_row", "row", "_row", "line"):
        if col in table.columns:
            return _int_or_minus_one(table[col])
    return np.full(len(table), -1, dtype=np.int64)


_PERIOD_COLUMNS = (
    "CHILD",
    "period_number",
    "period_start",
    "period_end",
    "short_breaks_only",
    "remand",
    "placed_for_adoption",
    "adoption_placement_start",
)


def _period_arrays(data, periods, *, raw_child: bool = False) -> dict:
    """Periods of care as numpy arrays (computed with cohorts.periods_of_care unless given)."""
    if periods is None:
        from ..cohorts import periods_of_care

        periods = periods_of_care(data)
    if not isinstance(periods, pd.DataFrame):
        raise ParameterError("periods must be the DataFrame returned by iro_analysis.cohorts.periods_of_care.")
    missing = [c for c in _PERIOD_COLUMNS if c not in periods.columns]
    if missing:
        raise ParameterError(
            f"periods lacks column(s) {missing}: pass the output of iro_analysis.cohorts.periods_of_care."
        )
    out = {"CHILD": periods["CHILD"] if raw_child else _child_array(periods["CHILD"])}
    for col in ("period_start", "period_end", "adoption_placement_start"):
        out[col] = pd.to_datetime(periods[col]).to_numpy(dtype="datetime64[ns]")
    for col in ("short_breaks_only", "remand", "placed_for_adoption"):
        values = periods[col]
        out[col] = (values.fillna(False) if values.hasnans else values).to_numpy(dtype=bool)
    out["period_number"] = periods["period_number"].to_numpy(dtype=np.int64)
    return out


def _periods_frame(data, periods) -> pd.DataFrame:
    """Periods of care as a DataFrame sorted by child and start (used by the reference loop)."""
    frame = pd.DataFrame(_period_arrays(data, periods))
    return frame.sort_values(["CHILD", "period_start"], kind="stable").reset_index(drop=True)



def _int_array(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
    """A nullable Int64 array from int64 ``values`` and a ``missing`` mask."""
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), np.asarray(missing, dtype=bool))
