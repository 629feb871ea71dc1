"""Ages, age bands, 18th birthdays and the quarters of a reporting year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import year_bounds
from .constants import _AGE_NOT_KNOWN, _MONTH_ABBR, AGE_BANDS


def age_on(dob, when) -> pd.Series:
    """Age in whole years on a date (or on a date per row).

    Parameters
    ----------
    dob : Series of datetime64
        Dates of birth.
    when : date-like or Series of datetime64
        The date(s) on which to measure age (aligned with ``dob`` if a Series).

    Returns
    -------
    Series (Int64)
        Completed years; NA where either date is missing.

    Notes
    -----
    ``age = year(when) - year(dob) - [ (month, day)(when) < (month, day)(dob) ]``. A child
    born on 29 February therefore has a birthday on 1 March in non-leap years (the date on
    which they attain the age in English law: Family Law Reform Act 1969 s.9).

    Examples
    --------
    >>> dob = pd.Series(pd.to_datetime(["2004-02-29", "2004-02-29", "2010-06-15"]))
    >>> age_on(dob, pd.Timestamp("2022-02-28")).tolist()
    [17, 17, 11]
    >>> age_on(dob, pd.Timestamp("2022-03-01")).tolist()
    [18, 18, 11]
    """
    dob = pd.to_datetime(pd.Series(dob))
    if isinstance(when, pd.Series):
        w = pd.to_datetime(when)
        w.index = dob.index
        wy, wmd = w.dt.year, w.dt.month * 100 + w.dt.day
    else:
        w = pd.Timestamp(when)
        wy, wmd = w.year, w.month * 100 + w.day
    years = wy - dob.dt.year - ((wmd < dob.dt.month * 100 + dob.dt.day).astype("int64"))
    out = years.astype("Float64").astype("Int64")
    missing = dob.isna() | (w.isna() if isinstance(w, pd.Series) else pd.isna(w))
    return out.mask(missing, pd.NA)


def _ymd(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day (int64 arrays) of datetime64 values (garbage where NaT)."""
    d = np.asarray(dates, dtype="datetime64[ns]")
    months = d.astype("datetime64[M]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d.astype("datetime64[D]") - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def _age_fast(dob: np.ndarray, when, index) -> pd.Series:
    """:func:`age_on` for a datetime64 array of DOBs and a Timestamp or a datetime64 array
    (same length), as an Int64 Series on ``index``; numpy only (called many times per report)."""
    dob = np.asarray(dob, dtype="datetime64[ns]")
    y, m, d = _ymd(dob)
    missing = np.isnat(dob)
    if isinstance(when, pd.Timestamp):
        if pd.isna(when):
            missing = np.ones(len(dob), dtype=bool)
        wy, wmd = when.year, when.month * 100 + when.day
    else:
        w = np.asarray(when, dtype="datetime64[ns]")
        wy, wm, wd = _ymd(w)
        wmd = wm * 100 + wd
        missing = missing | np.isnat(w)
    years = wy - y - (wmd < m * 100 + d).astype(np.int64)
    values = np.where(missing, 0, years).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(values, missing.copy()), index=index)


def age_band(age) -> pd.Series:
    """DfE age band for ages in whole years.

    Bands: "Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years",
    "16 years and over" (the labels of the DfE characteristics tables); "Not known" for a
    missing age (and for a negative age, i.e. a date before birth).

    Examples
    --------
    >>> age_band(pd.Series([0, 1, 4, 5, 9, 10, 15, 16, 19, None], dtype="Int64")).tolist()[:9]
    ['Under 1 year', '1 to 4 years', '1 to 4 years', '5 to 9 years', '5 to 9 years', '10 to 15 years', '10 to 15 years', '16 years and over', '16 years and over']
    """
    a = pd.to_numeric(pd.Series(age), errors="coerce").astype("Float64")
    edges = [lo for _, lo in AGE_BANDS]
    idx = np.searchsorted(edges, a.fillna(-1).to_numpy(dtype=float), side="right") - 1
    labels = np.array([lab for lab, _ in AGE_BANDS] + [_AGE_NOT_KNOWN], dtype=object)
    idx = np.where(idx < 0, len(AGE_BANDS), idx)
    return pd.Series(labels[idx], index=a.index, dtype=object)


def date_turns_18(dob) -> pd.Series:
    """The date of each child's 18th birthday (29 February -> 1 March in a non-leap year).

    Examples
    --------
    >>> date_turns_18(pd.Series(pd.to_datetime(["2008-02-29", "2006-02-28"]))).dt.date.astype(str).tolist()
    ['2026-03-01', '2024-02-28']
    """
    dob = pd.to_datetime(pd.Series(dob))
    year = dob.dt.year + 18
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    feb29 = (dob.dt.month == 2) & (dob.dt.day == 29) & ~leap
    month = dob.dt.month.where(~feb29, 3)
    day = dob.dt.day.where(~feb29, 1)
    parts = pd.DataFrame({"year": year, "month": month, "day": day})
    ok = dob.notna()
    out = pd.Series(pd.NaT, index=dob.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = pd.to_datetime(parts[ok].astype("int64"))
    return out


_QUARTERS_CACHE: dict = {}


def _quarters(year: int) -> pd.DataFrame:
    """:func:`quarters` for an int year, memoised (a report asks for the same year many times)."""
    q = _QUARTERS_CACHE.get(year)
    if q is None:
        q = _QUARTERS_CACHE[year] = quarters(year)
    return q.copy()


def quarters(year) -> pd.DataFrame:
    """The four quarters of a reporting year.

    Parameters
    ----------
    year : int or str
        Reporting year (year ending 31 March), e.g. ``2023`` or ``"2022-23"``.

    Returns
    -------
    DataFrame
        ``quarter`` (1-4), ``quarter_label`` (e.g. "Q1 (Apr–Jun 2022)"), ``quarter_start``,
        ``quarter_end``.

    Examples
    --------
    >>> quarters(2023)["quarter_label"].tolist()
    ['Q1 (Apr–Jun 2022)', 'Q2 (Jul–Sep 2022)', 'Q3 (Oct–Dec 2022)', 'Q4 (Jan–Mar 2023)']
    """
    start, _ = year_bounds(year)
    rows = []
    for q in range(4):
        qs = start + pd.DateOffset(months=3 * q)
        qe = qs + pd.DateOffset(months=3) - pd.Timedelta(days=1)
        label = f"Q{q + 1} ({_MONTH_ABBR[qs.month - 1]}–{_MONTH_ABBR[qe.month - 1]} {qe.year})"
        rows.append((q + 1, label, qs, qe))
    return pd.DataFrame(rows, columns=["quarter", "quarter_label", "quarter_start", "quarter_end"])


def _quarter_frame(dates: pd.Series, year) -> pd.Series:
    """:func:`iro_analysis.calendar.quarter_of` on a Series (index kept), in numpy."""
    start, end = year_bounds(year)
    d = dates.to_numpy(dtype="datetime64[ns]")
    y, m, _ = _ymd(d)
    quarter = ((y - start.year) * 12 + (m - start.month)) // 3 + 1
    inside = (d >= np.datetime64(start, "ns")) & (d <= np.datetime64(end, "ns"))  # NaT -> False
    values = np.where(inside, quarter, 0).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(values, ~inside), index=dates.index, name=dates.name)
