"""Reading the tables for the cohorts: checks, dates, codes and CHILD keys, one row per key.

Codes are made upper-case and CHILD a stripped string (object dtype) so that tables read with
different dtypes still join; each clean-up runs on the distinct values only (codes repeat a
lot). In a multi-year stack :func:`_latest_per_key` keeps each record from its latest return.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..ssda903.model import as_return


def _table(data, name: str, *, required: bool = True, purpose: str = ""):
    df = as_return(data).table(name)
    if df is None and required:
        raise ParameterError(
            f"The data have no {name} table{(' (needed for ' + purpose + ')') if purpose else ''}. "
            f"Load a return that includes the {name} CSV (see iro_analysis.load_ssda903)."
        )
    if df is not None and not isinstance(df, pd.DataFrame):
        raise ParameterError(f"data.{name} must be a pandas DataFrame, got {type(df).__name__}.")
    return df


def _require_columns(df: pd.DataFrame, table: str, columns) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParameterError(
            f"The {table} table lacks column(s) {', '.join(missing)}. Expected DfE SSDA903 column "
            f"names; load the return with iro_analysis.load_ssda903."
        )


def _as_dates(df: pd.DataFrame, table: str, columns) -> pd.DataFrame:
    """Make sure date columns are datetime64; strings are refused (dd/mm vs mm/dd ambiguity)."""
    out = {}
    for col in columns:
        if col not in df.columns:
            continue
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_localize(None)
            out[col] = s.astype("datetime64[ns]")
        elif s.isna().all():
            out[col] = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        elif s.dtype == object and s.dropna().map(lambda v: isinstance(v, (dt.date, np.datetime64))).all():
            out[col] = pd.to_datetime(s).astype("datetime64[ns]")  # Python dates in an object column
        else:
            raise ParameterError(
                f"Column {col} of the {table} table holds {s.dtype} values, not dates. Load the "
                f"return with iro_analysis.load_ssda903, which parses dd/mm/yyyy dates."
            )
    return df.assign(**out) if out else df


def _normalise_unique(s: pd.Series, func) -> pd.Series:
    """Apply a string clean-up to the distinct values only (codes repeat a lot), object dtype."""
    codes_, uniques = pd.factorize(s, use_na_sentinel=True)
    cleaned = np.array([func(v) for v in np.asarray(uniques, dtype=object)], dtype=object)  # distinct values only
    out = np.full(len(s), None, dtype=object)
    ok = codes_ >= 0
    out[ok] = cleaned[codes_[ok]]
    return pd.Series(out, index=s.index, name=s.name, dtype=object)


def _clean_code(v):
    t = str(v).strip().upper()
    return t if t else None


def _clean_child(v):
    t = str(v).strip()
    return t if t else None


def _via_unique(s: pd.Series, mapper) -> pd.Series:
    """Apply a Series -> Series code mapping (e.g. codes.ethnic_group) to distinct values only."""
    codes_, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = np.asarray(mapper(pd.Series(np.asarray(uniques, dtype=object), dtype=object)), dtype=object)
    out = np.full(len(s), None, dtype=object)
    ok = codes_ >= 0
    out[ok] = mapped[codes_[ok]]
    out = pd.Series(out, index=s.index, dtype=object)
    return out.where(out.notna(), None)


def _codes_upper(s: pd.Series) -> pd.Series:
    """Codes as upper-case stripped strings (object dtype), missing/blank -> None."""
    return _normalise_unique(s, _clean_code)


def _child(s: pd.Series) -> pd.Series:
    """CHILD as stripped str (object dtype), so tables read with different dtypes still join."""
    return _normalise_unique(s, _clean_child)


def _sort_key(col: pd.Series) -> np.ndarray:
    """An int64 array ordering like the column (dates by time, other values by sorted factorize)."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.to_numpy(dtype="datetime64[ns]").view("int64")
    if pd.api.types.is_integer_dtype(col) and not col.isna().any():
        return col.to_numpy(dtype="int64")
    codes_, _ = pd.factorize(col, sort=True, use_na_sentinel=True)
    return codes_.astype("int64")


def _latest_per_key(df: pd.DataFrame, keys) -> pd.DataFrame:
    """One row per key, sorted by the keys, from the latest collection year (later rows win ties).

    numpy lexsort on integer keys: a string sort of a million CHILD values would dominate.
    """
    n = len(df)
    if n == 0:
        return df
    arrays = [_sort_key(df[k]) for k in keys]
    tiebreak = [np.arange(n)]
    if "collection_year" in df.columns:
        cy = pd.to_numeric(df["collection_year"], errors="coerce").fillna(-1).to_numpy(dtype="int64")
        tiebreak = [cy] + tiebreak
    order = np.lexsort(tuple(reversed(arrays + tiebreak)))
    last = np.ones(n, dtype=bool)
    if n > 1:
        differs = np.zeros(n - 1, dtype=bool)
        for a in arrays:
            sa = a[order]
            differs |= sa[1:] != sa[:-1]
        last[:-1] = differs
    return df.iloc[order[last]]
