"""Parsing SSDA903 dates: ``dd/mm/yyyy`` in DfE files, ISO ``yyyy-mm-dd`` in LIIA tidy files.

Dates are parsed on a column's distinct values only. The usual strict ten-character
``dd/mm/yyyy`` values are converted with numpy; anything else (single-digit days, an Excel
time suffix, ISO dates) goes through ``pandas.to_datetime`` with an explicit format, so a
value is never guessed day or month first.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .model import DATE_COLUMNS
from .raw import _Raw

_TIME_SUFFIX = re.compile(r"\s+00:00(?::00(?:\.0+)?)?$")


def _parse_dates(uniq: np.ndarray, iso: bool) -> np.ndarray:
    """Parse unique date strings to datetime64[ns] (NaT where blank or invalid)."""
    out = np.full(len(uniq), np.datetime64("NaT", "ns"))
    rest = np.ones(len(uniq), dtype=bool)
    if not iso and len(uniq):
        # Fast path for the usual strict 'dd/mm/yyyy' (nearly every cell of a DfE file):
        # digits checked and converted with numpy, no per-value strptime. Anything else
        # (single-digit days, a time suffix, far-off years) goes through pandas below.
        done, dates = _parse_dmy_strict(uniq)
        out[done] = dates
        rest = ~done & (uniq != "")
    if rest.any():
        out[rest] = _parse_dates_pandas(uniq[rest], iso)
    return out


def _parse_dmy_strict(uniq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(handled mask, datetime64[ns] of the handled values) for 10-character dd/mm/yyyy strings.

    Gives exactly what ``pd.to_datetime(format="%d/%m/%Y", errors="coerce")`` gives for those
    values: the date, or NaT for an impossible day or month (31/02/2023, 00/13/2023).
    """
    n = len(uniq)
    if pd.api.types.infer_dtype(uniq, skipna=False) == "string":  # every value a str: len() in C
        lens = np.fromiter(map(len, uniq), dtype=np.int64, count=n)
    else:
        lens = np.fromiter((len(u) if isinstance(u, str) else -1 for u in uniq), dtype=np.int64, count=n)
    cand = np.flatnonzero(lens == 10)
    done = np.zeros(n, dtype=bool)
    if not len(cand):
        return done, np.empty(0, dtype="datetime64[ns]")
    chars = uniq[cand].astype("U10").view(np.uint32).reshape(len(cand), 10)
    digit_pos = [0, 1, 3, 4, 6, 7, 8, 9]
    dig = chars[:, digit_pos].astype(np.int64) - 48
    ok = ((dig >= 0) & (dig <= 9)).all(axis=1) & (chars[:, 2] == 47) & (chars[:, 5] == 47)
    day = dig[:, 0] * 10 + dig[:, 1]
    month = dig[:, 2] * 10 + dig[:, 3]
    year = dig[:, 4] * 1000 + dig[:, 5] * 100 + dig[:, 6] * 10 + dig[:, 7]
    ok &= (year >= 1700) & (year <= 2200)  # well inside the datetime64[ns] range
    cand, day, month, year = cand[ok], day[ok], month[ok], year[ok]
    valid_month = (month >= 1) & (month <= 12)
    ym = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
    dates = ym.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    valid = valid_month & (day >= 1) & (dates.astype("datetime64[M]") == ym)
    dates = np.where(valid, dates.astype("datetime64[ns]"), np.datetime64("NaT", "ns"))
    done[cand] = True
    return done, dates


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
            return sum(map(bool, map(_ISO_RE.match, used))) > len(used) / 2
    return False

