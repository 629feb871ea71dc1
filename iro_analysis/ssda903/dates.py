"""Parsing SSDA903 dates: ``dd/mm/yyyy`` in DfE files, ISO ``yyyy-mm-dd`` in LIIA tidy files.

Dates are parsed on a column's distinct values only. The usual strict ten-character
``dd/mm/yyyy`` values are converted with numpy; anything else (single-digit days, an Excel
time suffix, ISO dates) goes through ``pandas.to_datetime`` with an explicit format, so a
value is never guessed day or month first.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from .checks import day_month_many
from .model import DATE_COLUMNS
from .raw import _fixed_width, _joined_text, _pieces, _Raw

_TIME_SUFFIX = re.compile(r"\s+00:00(?::00(?:\.0+)?)?$")


def _parse_dates(uniq: np.ndarray, iso: bool) -> np.ndarray:
    """Parse unique date strings to datetime64[ns] (NaT where blank or invalid)."""
    return _parse_dates_many([uniq], [iso])[0]


def _parse_dates_many(columns: list[np.ndarray], iso: list[bool], texts: list | None = None) -> list[np.ndarray]:
    """:func:`_parse_dates` of each array of unique date strings (``iso[i]`` for ``columns[i]``).

    The fast path for the usual strict ``dd/mm/yyyy`` (nearly every cell of a DfE file)
    checks and converts the digits with numpy, value by value, so it runs once over the
    day-first columns put end to end: a return's columns have a few hundred distinct dates
    each, and numpy's cost per call, not per value, would dominate. Anything else
    (single-digit days, a time suffix, far-off years, ISO files) goes through pandas with
    an explicit format, column by column as before. ``texts[i]``, when given and not None,
    is ``columns[i]`` as the reader's bytes (:func:`_joined_text`), read instead of the
    strings.
    """
    dmy = [i for i, u in enumerate(columns) if not iso[i] and len(u)]
    out: list[np.ndarray] = [np.full(len(u), np.datetime64("NaT", "ns")) if iso[i] or not len(u) else None
                             for i, u in enumerate(columns)]
    rest = [np.ones(len(u), dtype=bool) for u in columns]
    if dmy:
        text = _joined_text([texts[i] for i in dmy]) if texts is not None else None
        if text is None:
            joined = np.concatenate([columns[i] for i in dmy])
            done, dates = _parse_dmy_strict(joined)
            filled = [columns[i] != "" for i in dmy]
        else:
            done, dates = _parse_dmy_strict(None, text)
            filled = _pieces(text[0] != 0, [len(columns[i]) for i in dmy])
        parsed = np.full(len(done), np.datetime64("NaT", "ns"))
        parsed[done] = dates
        sizes = [len(columns[i]) for i in dmy]
        for i, d, p, f in zip(dmy, _pieces(done, sizes), _pieces(parsed, sizes), filled):
            out[i] = p
            rest[i] = ~d & f
    for i, u in enumerate(columns):
        if rest[i].any():
            out[i][rest[i]] = _parse_dates_pandas(u[rest[i]], iso[i])
    return out


class TableDates(NamedTuple):
    """The dates of one table read, worked out with the other tables of its load."""

    iso: bool  #: ISO ``yyyy-mm-dd`` dates (LIIA tidy files) rather than ``dd/mm/yyyy``
    parsed: dict  #: date column -> its unique values parsed (datetime64[ns], NaT if blank or invalid)
    day_month: dict  #: first date column -> :func:`.checks._day_month` of its uniques (day-first files only)


def parse_table_dates(raws: list[_Raw]) -> list[TableDates]:
    """The :class:`TableDates` of each table of a load.

    The tables are worked on together, their columns end to end (see
    :func:`_parse_dates_many`): a return's columns have a few hundred distinct dates each,
    so numpy's cost per call, not per value, would dominate. The first date column's day
    and month numbers are what the month-first check (:func:`.checks.date_shapes`) reads
    first and, in nearly every file, last. Where the reader kept a column's bytes
    (``_Raw.texts``), the digits are read from them.
    """
    iso = [raw.iso_dates or _looks_iso(raw) for raw in raws]
    where = [(k, col) for k, raw in enumerate(raws) for col in DATE_COLUMNS[raw.table] if col in raw.cols]
    parsed = _parse_dates_many([raws[k].cols[col][1] for k, col in where], [iso[k] for k, _ in where],
                               [raws[k].texts.get(col) for k, col in where])
    out = [TableDates(flag, {}, {}) for flag in iso]
    for (k, col), values in zip(where, parsed):
        out[k].parsed[col] = values
    firsts = [(k, next(iter(out[k].parsed))) for k in range(len(raws)) if not iso[k] and out[k].parsed]
    for (k, col), numbers in zip(firsts, day_month_many([raws[k].cols[col][1] for k, col in firsts],
                                                        [raws[k].texts.get(col) for k, col in firsts])):
        out[k].day_month[col] = numbers
    return out


def _parse_dmy_strict(uniq: np.ndarray | None, text: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(handled mask, datetime64[ns] of the handled values) for 10-character dd/mm/yyyy strings.

    Gives exactly what ``pd.to_datetime(format="%d/%m/%Y", errors="coerce")`` gives for those
    values: the date, or NaT for an impossible day or month (31/02/2023, 00/13/2023).
    ``text``, when given, is the values as ASCII bytes (:func:`_joined_text`), read instead
    of ``uniq``.
    """
    if text is not None:
        n = len(text[0])
        done = np.zeros(n, dtype=bool)
        cand, chars = _fixed_width(text, 10)
        if not len(cand):
            return done, np.empty(0, dtype="datetime64[ns]")
        return _dmy_digits(cand, chars, done)
    n = len(uniq)
    if pd.api.types.infer_dtype(uniq, skipna=False) == "string":  # every value a str: len() in C
        lens = np.fromiter(map(len, uniq), dtype=np.int64, count=n)
    else:
        lens = np.fromiter((len(u) if isinstance(u, str) else -1 for u in uniq), dtype=np.int64, count=n)
    cand = np.flatnonzero(lens == 10)
    done = np.zeros(n, dtype=bool)
    if not len(cand):
        return done, np.empty(0, dtype="datetime64[ns]")
    text = "".join(uniq[cand])
    if text.isascii():
        # One byte a character: the values' bytes side by side, ten a row (no per-value copy).
        chars = np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(len(cand), 10)
    else:
        chars = uniq[cand].astype("U10").view(np.uint32).reshape(len(cand), 10)
    return _dmy_digits(cand, chars, done)


def _dmy_digits(cand: np.ndarray, chars: np.ndarray, done: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_parse_dmy_strict` of the ten-character values at ``cand``, whose characters are
    the rows of ``chars``; ``done`` is marked in place."""
    # Unsigned digits: a character below '0' wraps round to a large number, so one test
    # (<= 9) checks both ends; the numbers are widened only once they are known digits.
    dig = chars[:, [0, 1, 3, 4, 6, 7, 8, 9]] - chars.dtype.type(48)
    ok = (dig <= 9).all(axis=1) & (chars[:, 2] == 47) & (chars[:, 5] == 47)
    cand, dig = cand[ok], dig[ok]
    ten = np.int64(10)
    day = dig[:, 0] * ten + dig[:, 1]
    month = dig[:, 2] * ten + dig[:, 3]
    year = ((dig[:, 4] * ten + dig[:, 5]) * ten + dig[:, 6]) * ten + dig[:, 7]
    ok = (year >= 1700) & (year <= 2200)  # well inside the datetime64[ns] range
    cand, day, month, year = cand[ok], day[ok], month[ok], year[ok]
    valid = (month >= 1) & (month <= 12) & (day >= 1) & (day <= _days_in_month(year, month))
    ns = _days_from_civil(year, month, day) * _NS_PER_DAY
    dates = np.where(valid, ns, np.datetime64("NaT", "ns").view(np.int64)).view("datetime64[ns]")
    done[cand] = True
    return done, dates


_NS_PER_DAY = 86_400 * 10**9
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Days in each month (Gregorian leap years); months outside 1-12 are clipped."""
    m = np.clip(month, 1, 12)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return _MONTH_DAYS[m - 1] + ((m == 2) & leap)


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates, in integer arithmetic.

    Numpy's own ``datetime64[M]``/``[D]`` conversions give the same days but cost several
    times more on a return's million distinct dates (H. Hinnant's ``days_from_civil``;
    months outside 1-12 are clipped, their days are not used).
    """
    m = np.clip(month, 1, 12)
    y = year - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _parse_dates_pandas(uniq: np.ndarray, iso: bool) -> np.ndarray:
    s = pd.Series(uniq, dtype=object)
    s = s.str.replace(_TIME_SUFFIX, "", regex=True)  # Excel-style '01/02/2023 00:00:00'
    fmt = "ISO8601" if iso else "%d/%m/%Y"
    return pd.to_datetime(s.where(s != ""), format=fmt, errors="coerce").to_numpy(dtype="datetime64[ns]")


_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _looks_iso(raw: _Raw) -> bool:
    """True if the date cells are ISO yyyy-mm-dd rather than dd/mm/yyyy."""
    for col in DATE_COLUMNS[raw.table]:
        if col not in raw.cols:
            continue
        codes, uniq = raw.cols[col]
        seen = np.zeros(len(uniq), dtype=bool)
        seen[codes[:500]] = True  # the distinct values of the first 500 rows, in uniq order
        used = [u for u in uniq[seen] if u]
        if used:
            if "-" not in "".join(used):  # no ISO date without a '-': no need to match each value
                return False
            return sum(map(bool, map(_ISO_RE.match, used))) > len(used) / 2
    return False

