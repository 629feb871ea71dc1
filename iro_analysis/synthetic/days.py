"""Small helpers on integer day numbers (days since 1970-01-01), the generator's unit of time.

The simulation works on int64 day numbers throughout (fast to compare and add in numpy);
these convert to and from dates, add calendar years, find a day's collection year, and draw
weighted choices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_EPOCH = np.datetime64("1970-01-01", "D")


def _day(ts) -> int:
    return int((np.datetime64(pd.Timestamp(ts).date(), "D") - _EPOCH).astype(int))


def _to_dt(days) -> pd.DatetimeIndex:
    arr = np.asarray(days, dtype="float64")
    out = np.full(arr.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = ~np.isnan(arr)
    out[ok] = _EPOCH + arr[ok].astype("int64")
    return pd.DatetimeIndex(out.astype("datetime64[ns]"))


def _add_years(days: np.ndarray, n: int) -> np.ndarray:
    """``days`` + n calendar years (29 Feb -> 28 Feb), as day numbers."""
    return _dt_days(_to_dt(days) + pd.DateOffset(years=n))


def _dt_days(index) -> np.ndarray:
    vals = pd.DatetimeIndex(index).values.astype("datetime64[D]")
    return (vals - _EPOCH).astype("int64")


def _choice(rng, options, probs, size) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=p / p.sum())]


def _cy_of(days: np.ndarray) -> np.ndarray:
    """Collection year (year ending 31 March) of each day number."""
    idx = _to_dt(days)
    return (idx.year + (idx.month >= 4)).to_numpy()
