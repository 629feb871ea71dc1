"""Dates for the reporting year and the statutory review clock.

The review schedule counts *working days* (Monday to Friday, excluding England and Wales bank
holidays) for the first review and *calendar months* for later ones. Both rules live here so that
the synthetic generator and the timeliness checks share one definition.

Bank holidays come from the maintained ``holidays`` library (``holidays.UK(subdiv="ENG")``), which
includes one-off holidays such as the Platinum Jubilee (3 June 2022), the State Funeral
(19 September 2022) and the Coronation (8 May 2023).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = [
    "working_day_holidays",
    "add_working_days",
    "add_calendar_months",
    "year_bounds",
    "year_label",
    "parse_year",
    "month_ends",
    "quarter_of",
]


@lru_cache(maxsize=64)
def _holidays_between(start_year: int, end_year: int) -> tuple:
    import holidays

    years = range(start_year, end_year + 1)
    calendar = holidays.UK(subdiv="ENG", years=years)
    return tuple(sorted(np.datetime64(day, "D") for day in calendar))


def working_day_holidays(start_year: int, end_year: int) -> np.ndarray:
    """England and Wales bank holidays between two calendar years, inclusive.

    Parameters
    ----------
    start_year, end_year : int
        Calendar years (January to December).

    Returns
    -------
    numpy.ndarray
        Sorted ``datetime64[D]`` dates. Weekend dates listed by the library (for example
        Christmas Day on a Sunday, when the substitute day is also listed) are harmless: they are
        not working days anyway.

    Examples
    --------
    >>> hol = working_day_holidays(2022, 2023)
    >>> np.datetime64("2022-06-03") in hol, np.datetime64("2023-05-08") in hol
    (True, True)
    """
    if end_year < start_year:
        raise ParameterError(f"end_year {end_year} is before start_year {start_year}.")
    return np.array(_holidays_between(int(start_year), int(end_year)), dtype="datetime64[D]")


def _as_datetime_index(dates) -> tuple[pd.DatetimeIndex, object]:
    """Return the dates as a DatetimeIndex plus what to rebuild the caller's type from."""
    if isinstance(dates, pd.Series):
        return pd.DatetimeIndex(pd.to_datetime(dates)), dates
    if isinstance(dates, (pd.Timestamp, str, np.datetime64)) or hasattr(dates, "year") and not hasattr(dates, "__len__"):
        return pd.DatetimeIndex([pd.Timestamp(dates)]), "scalar"
    return pd.DatetimeIndex(pd.to_datetime(dates)), None


def _rebuild(result: pd.DatetimeIndex, template):
    if isinstance(template, pd.Series):
        return pd.Series(result, index=template.index, name=template.name)
    if isinstance(template, str) and template == "scalar":
        return result[0]
    return result


def add_working_days(dates, n: int, *, holidays=None):
    """Add ``n`` working days to each date.

    Parameters
    ----------
    dates : Timestamp, str, sequence or Series of dates
        Start dates; missing values give NaT.
    n : int
        Working days to add (20 for the first statutory review).
    holidays : array of datetime64[D], optional
        Non-working days besides weekends. Defaults to England and Wales bank holidays covering
        the dates.

    Returns
    -------
    Timestamp, DatetimeIndex or Series
        The same shape as ``dates``.

    Notes
    -----
    The start day is day 0. A start on a non-working day counts from the previous working day
    (``numpy.busday_offset(..., roll="backward")``): a child who becomes looked after on Saturday
    2 August 2025 is due a first review by Monday 1 September 2025, the same as a Friday start.
    Source: Care Planning, Placement and Case Review (England) Regulations 2010, reg 33(1).

    Examples
    --------
    >>> add_working_days("2024-12-20", 20)  # 25, 26 Dec and 1 Jan are bank holidays
    Timestamp('2025-01-22 00:00:00')
    >>> add_working_days("2022-05-27", 20)  # 2 and 3 June 2022 (Jubilee)
    Timestamp('2022-06-28 00:00:00')
    """
    index, template = _as_datetime_index(dates)
    valid = ~index.isna()
    out = np.full(len(index), np.datetime64("NaT"), dtype="datetime64[D]")
    if valid.any():
        days = index[valid].values.astype("datetime64[D]")
        if holidays is None:
            first = int(pd.Timestamp(days.min()).year) - 1
            last = int(pd.Timestamp(days.max()).year) + 1 + abs(int(n)) // 200
            holidays = working_day_holidays(first, last)
        out[valid] = np.busday_offset(days, int(n), roll="backward", holidays=holidays)
    result = pd.DatetimeIndex(out.astype("datetime64[ns]"))
    return _rebuild(result, template)


def add_calendar_months(dates, n: int):
    """Add ``n`` calendar months, clipping to the end of shorter months.

    Parameters
    ----------
    dates : Timestamp, str, sequence or Series of dates
    n : int

    Returns
    -------
    Timestamp, DatetimeIndex or Series
        The same shape as ``dates``; NaT stays NaT.

    Notes
    -----
    "Not more than three months after" is read as the same day number three calendar months
    later, or the last day of that month when it has no such day (``dateutil.relativedelta``
    semantics): 31 January + 3 months = 30 April; 31 August 2023 + 6 months = 29 February 2024.

    Examples
    --------
    >>> add_calendar_months("2024-01-31", 3)
    Timestamp('2024-04-30 00:00:00')
    >>> add_calendar_months("2023-08-31", 6)
    Timestamp('2024-02-29 00:00:00')
    """
    index, template = _as_datetime_index(dates)
    # pandas DateOffset(months=n) clips to month end exactly like relativedelta, vectorised.
    result = index + pd.DateOffset(months=int(n))
    return _rebuild(pd.DatetimeIndex(result), template)


def parse_year(year) -> int:
    """Turn ``2023``, ``"2023"``, ``"2022-23"`` or ``"2022/23"`` into the year ending 31 March.

    Raises
    ------
    ParameterError
        When the value is not a recognisable reporting year.

    Examples
    --------
    >>> parse_year("2022-23"), parse_year(2023), parse_year("2022/2023")
    (2023, 2023, 2023)
    """
    text = str(year).strip()
    try:
        if "-" in text or "/" in text:
            first, second = text.replace("/", "-").split("-")
            start = int(first)
            end = int(second)
            if end < 100:
                end += (start // 100) * 100
            if end != start + 1:
                raise ValueError
            value = end
        else:
            value = int(float(text))
    except ValueError:
        raise ParameterError(
            f"year {year!r} is not a reporting year: give the year ending 31 March, "
            "for example 2023 or '2022-23'."
        ) from None
    if not 1990 <= value <= 2100:
        raise ParameterError(f"year {value} is outside 1990-2100: give the year ending 31 March, e.g. 2023.")
    return value


def year_bounds(year) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the reporting year ending 31 March ``year``.

    Examples
    --------
    >>> year_bounds(2023)
    (Timestamp('2022-04-01 00:00:00'), Timestamp('2023-03-31 00:00:00'))
    """
    value = parse_year(year)
    return pd.Timestamp(value - 1, 4, 1), pd.Timestamp(value, 3, 31)


def year_label(year) -> str:
    """The label people use for a reporting year.

    Examples
    --------
    >>> year_label(2023)
    '2022-23'
    """
    value = parse_year(year)
    return f"{value - 1}-{value % 100:02d}"


def month_ends(year) -> pd.DatetimeIndex:
    """The twelve month ends of a reporting year, 30 April to 31 March.

    Examples
    --------
    >>> [day.date().isoformat() for day in month_ends(2023)[[0, -1]]]
    ['2022-04-30', '2023-03-31']
    """
    start, _ = year_bounds(year)
    return pd.DatetimeIndex(pd.date_range(start, periods=12, freq="ME"), freq=None)


def quarter_of(dates, year) -> pd.Series:
    """Quarter of the reporting year (1 = April-June … 4 = January-March); NA outside the year.

    Examples
    --------
    >>> quarter_of(pd.Series(pd.to_datetime(["2022-04-01", "2023-03-31", "2023-04-01"])), 2023).tolist()
    [1, 4, <NA>]
    """
    start, end = year_bounds(year)
    values = pd.to_datetime(pd.Series(dates))
    months = (values.dt.year - start.year) * 12 + (values.dt.month - start.month)
    quarter = (months // 3 + 1).astype("Int64")
    inside = (values >= start) & (values <= end)
    return quarter.where(inside, pd.NA)
