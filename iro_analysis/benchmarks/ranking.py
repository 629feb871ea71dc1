"""The LAIT rules on numbers: quartile cut points, rank and quartile band, statistical-neighbour mean.

Pure functions of the values given (DfE's Local Authority Interactive Tool rules, methods.md §3.2;
see :mod:`iro_analysis.benchmarks`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from ..errors import ParameterError

__all__ = ["POLARITIES", "quartile_cut_points", "band_from_cut_points", "rank_and_band", "sn_mean"]


POLARITIES = ("high", "low", "none")


def quartile_cut_points(values) -> np.ndarray:
    """Minimum, Q1, median, Q3 and maximum of the non-missing values (R type-7 quantiles).

    Examples
    --------
    >>> quartile_cut_points([1, 2, 3, 4, 5, np.nan]).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0]
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.full(5, np.nan)
    return np.quantile(v, [0.0, 0.25, 0.5, 0.75, 1.0])  # numpy "linear" = R type 7


def _check_polarity(polarity: str) -> str:
    p = str(polarity).strip().lower()
    if p in ("-", ""):
        p = "none"
    if p not in POLARITIES:
        raise ParameterError(f"polarity must be 'high', 'low' or 'none', got {polarity!r}.")
    return p


def band_from_cut_points(value, cuts, polarity: str):
    """LAIT quartile band (A = best quartile) of a value given the five cut points.

    Parameters
    ----------
    value : float
    cuts : sequence of 5 floats
        From :func:`quartile_cut_points`.
    polarity : {"high", "low", "none"}

    Returns
    -------
    str or None
        "A"-"D"; None if the value is missing or the indicator has no polarity.

    Notes
    -----
    Intervals are [min, Q1], (Q1, Q2], (Q2, Q3], (Q3, max] (LAIT ``calculate_quartile_band``).
    Polarity "high": D, C, B, A from the bottom; "low": A, B, C, D.

    Examples
    --------
    >>> band_from_cut_points(98.4, [46.4, 87.325, 93.75, 96.9, 100.0], "high")
    'A'
    """
    polarity = _check_polarity(polarity)
    q = _ascending_quartile(value, cuts)
    if q is None or polarity == "none":
        return None
    return "DCBA"[q - 1] if polarity == "high" else "ABCD"[q - 1]


def _ascending_quartile(value, cuts):
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    c = np.asarray(cuts, dtype=float)
    if not np.isfinite(v) or not np.all(np.isfinite(c)):
        return None
    if v <= c[1]:
        return 1
    if v <= c[2]:
        return 2
    if v <= c[3]:
        return 3
    return 4


def rank_and_band(values, *, polarity: str) -> pd.DataFrame:
    """LAIT rank, quartile band, position and quartile of every value among the others.

    Parameters
    ----------
    values : array_like or pandas.Series
        One value per authority (NaN = no value; left out of ranks and cut points).
    polarity : {"high", "low", "none"}

    Returns
    -------
    pandas.DataFrame
        Same index as ``values`` (a RangeIndex for arrays), columns ``value``, ``rank``
        (Int64; 1 = best; ties share the lower rank; NA for polarity "none" or a missing value),
        ``rank_of`` (number of authorities with a value), ``band`` ("A"-"D" or None),
        ``position`` (Int64; 1 = lowest value, ties "min"), ``quartile`` (Int64; 1 = lowest
        quarter).

    Examples
    --------
    >>> rank_and_band([10, 20, 20, 40], polarity="high")["rank"].tolist()
    [4, 2, 2, 1]
    """
    polarity = _check_polarity(polarity)
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=float))
    v = pd.to_numeric(s, errors="coerce").astype("float64")
    ok = v.notna().to_numpy()
    vals = v.to_numpy()
    n = int(ok.sum())
    cuts = quartile_cut_points(vals)
    position = pd.array([pd.NA] * len(v), dtype="Int64")
    rank = pd.array([pd.NA] * len(v), dtype="Int64")
    if n:
        position[ok] = rankdata(vals[ok], method="min").astype("int64")
        if polarity == "high":
            rank[ok] = rankdata(-vals[ok], method="min").astype("int64")
        elif polarity == "low":
            rank[ok] = rankdata(vals[ok], method="min").astype("int64")
    quart = [_ascending_quartile(x, cuts) if o else None for x, o in zip(vals, ok)]
    band = [band_from_cut_points(x, cuts, polarity) if o else None for x, o in zip(vals, ok)]
    return pd.DataFrame(
        {
            "value": vals,
            "rank": rank,
            "rank_of": n,
            "band": pd.Series(band, dtype=object).to_numpy(),
            "position": position,
            "quartile": pd.array(quart, dtype="Int64"),
        },
        index=v.index,
    )


def sn_mean(values) -> tuple[float, int]:
    """LAIT statistical-neighbour average: mean of the neighbours that have a value.

    Returns
    -------
    (mean, n_used) : tuple
        NaN and 0 if no neighbour has a value.

    Examples
    --------
    >>> sn_mean([92.3, 95.6, 89.6, 87.7, 97.0, 95.0, 100.0, 99.0, 99.1, 96.7])  # doctest: +ELLIPSIS
    (95.2..., 10)
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), 0
    return float(v.mean()), int(v.size)
