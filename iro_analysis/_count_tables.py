"""Small shared pieces of the SSDA903 count tables in :mod:`care_history` and :mod:`outcomes_tables`.

Every table there is a tidy frame of counts with a ``Total`` row, and carries in
``DataFrame.attrs`` what the publication layer needs to register it
(:meth:`iro_analysis.publication.Publication.add_table`): which columns are row labels, which are
counts, which figures are derived from which counts, and the total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import year_label
from .errors import ParameterError

TOTAL = "Total"
NOT_RECORDED = "Not recorded"
NOT_KNOWN = "Not known"

#: The 0/1 "yes" value of the DfE flag columns (OC2, AD1), as the loader writes it.
YES = "1"


def publication_spec(frame: pd.DataFrame, *, labels, counts=("count",), derived=None, total=None,
                     total_row: bool = True, year=None, notes: str = "", **extra) -> pd.DataFrame:
    """Attach the publication metadata to ``frame.attrs`` and return the frame.

    ``attrs`` keys: ``labels``, ``counts``, ``derived`` (``{column: [sources]}`` in the form
    :meth:`~iro_analysis.publication.Publication.add_table` accepts; ``"@total"`` = the Total
    row's count), ``total_label`` ("Total", or None when the table has no total row),
    ``total`` (the number of units the table is about, int or None), ``year``, ``year_label``,
    ``notes`` and any ``extra`` keys.
    """
    frame.attrs.update(
        labels=list(labels),
        counts=list(counts),
        derived={k: list(v) for k, v in (derived or {}).items()},
        total_label=TOTAL if total is not None and total_row else None,
        total=None if total is None else int(total),
        year=year,
        year_label=None if year is None else year_label(year),
        notes=notes,
        **extra,
    )
    return frame


def ordered_categories(values: pd.Series, standard) -> list:
    """The standard categories in order, then any others present ("Not recorded"/"Not known" last)."""
    last = (NOT_RECORDED, NOT_KNOWN)
    extra = sorted(set(values.dropna().unique()) - set(standard), key=lambda v: (v in last, str(v)))
    return list(standard) + extra


def count_table(values: pd.Series, standard, label: str, *, year: int, notes: str = "",
                describe=None) -> pd.DataFrame:
    """Counts of ``values`` in category order with a Total row and percentages of the total.

    Parameters
    ----------
    values : Series
        One category per counted unit (child or period); NA is not allowed (map it to
        "Not recorded" first).
    standard : sequence
        Categories always shown, zeros included, in display order.
    label : str
        Name of the category column.
    year : int
        Reporting year, recorded in ``attrs``.
    describe : callable, optional
        ``code -> text``: adds a ``description`` column (a label column too).

    Returns
    -------
    DataFrame
        ``<label>[, description], count, percent`` (0-100 of the total, unrounded; NaN when the
        total is 0), last row ``Total``.

    Examples
    --------
    >>> t = count_table(pd.Series(["b", "a", "b"]), ["a", "b", "c"], "group", year=2023)
    >>> t.values.tolist()
    [['a', 1, 33.33333333333333], ['b', 2, 66.66666666666666], ['c', 0, 0.0], ['Total', 3, 100.0]]
    >>> t.attrs["total"], t.attrs["derived"]
    (3, {'percent': ['count', '@total']})
    """
    if values.isna().any():
        raise ParameterError(f"count_table: {label} has missing values; label them before counting.")
    cats = ordered_categories(values, standard)
    counts = _counts_in_order(values, cats)
    total = int(counts.sum())
    out = pd.DataFrame({label: pd.Series(cats + [TOTAL], dtype=object),
                        "count": np.append(counts, total).astype("int64")})
    labels = [label]
    if describe is not None:
        out.insert(1, "description", [describe(c) for c in cats] + [""])
        labels.append("description")
    out["percent"] = out["count"] / total * 100 if total else np.nan
    return publication_spec(out, labels=labels, derived={"percent": ["count", "@total"]}, total=total,
                            year=year, notes=notes)


def _counts_in_order(values: pd.Series, cats: list) -> np.ndarray:
    """How many of ``values`` fall in each of ``cats`` (int64, zeros included).

    A bincount of each value's position in ``cats``: the care-history and outcomes tables
    count some 30 times a report, and ``value_counts`` with a re-index costs several times
    more. Categories listed twice take the re-index (which gives each its count).
    """
    index = pd.Index(cats, dtype=object)
    if not index.is_unique:
        return values.value_counts().reindex(cats, fill_value=0).to_numpy().astype("int64")
    pos = index.get_indexer(values)
    return np.bincount(pos[pos >= 0], minlength=len(cats)).astype("int64")


def months_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Whole calendar months from ``start`` to ``end`` (NA where either is missing).

    A month is complete on the same day of the month, or on the month's last day when that day
    does not exist (month-end clipping, as :func:`iro_analysis.calendar.add_calendar_months`):
    31 January to 27 February 2022 is 0 months, to 28 February 1 month; ``end`` before
    ``start`` gives a negative number.

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2022-01-31", "2022-01-31", "2022-04-15", "2022-04-15", None]))
    >>> e = pd.Series(pd.to_datetime(["2022-02-27", "2022-02-28", "2023-04-14", "2023-04-15", "2023-01-01"]))
    >>> months_between(s, e).tolist()
    [0, 1, 11, 12, <NA>]
    """
    s, e = pd.to_datetime(start), pd.to_datetime(end)
    months = (e.dt.year - s.dt.year) * 12 + (e.dt.month - s.dt.month)
    # the anniversary day, clipped to the end month's length (31 Jan -> 28 Feb)
    anniversary_day = np.minimum(s.dt.day, e.dt.days_in_month)
    months = months - (e.dt.day < anniversary_day).astype("int64")
    out = months.astype("Float64").astype("Int64")
    return out.mask(s.isna() | e.isna(), pd.NA)


def band_labels(edges, unit: str, *, closed: str = "left") -> list[str]:
    """Labels of the bands between ``edges``.

    ``closed="left"``: ``[0, e1), [e1, e2), …, [ek, ∞)``; ``closed="right"``: ``[0, e1],
    (e1, e2], …, (ek, ∞)`` (for measures published as "over 20 miles").

    >>> band_labels((12, 24), "months")
    ['Under 12 months', '12 to under 24 months', '24 months or more']
    >>> band_labels((20,), "miles", closed="right")
    ['20 miles or less', 'Over 20 miles']
    """
    edges = list(edges)
    if closed == "left":
        labels = [f"Under {edges[0]} {unit}"]
        labels += [f"{lo} to under {hi} {unit}" for lo, hi in zip(edges[:-1], edges[1:])]
        return labels + [f"{edges[-1]} {unit} or more"]
    labels = [f"{edges[0]} {unit} or less"]
    labels += [f"Over {lo} to {hi} {unit}" for lo, hi in zip(edges[:-1], edges[1:])]
    return labels + [f"Over {edges[-1]} {unit}"]


def band_of(values: pd.Series, edges, unit: str, *, closed: str = "left") -> pd.Series:
    """Band label of each value (the bands of :func:`band_labels`); "Not known" for NA or a
    negative value (a date after the one it should precede: a recording error)."""
    if closed not in ("left", "right"):
        raise ParameterError(f"closed={closed!r}: use 'left' or 'right'.")
    if not len(edges) or any(b <= a for a, b in zip(edges[:-1], edges[1:])) or edges[0] <= 0:
        raise ParameterError(f"band edges {tuple(edges)!r} must be positive and increasing.")
    labels = np.array(band_labels(edges, unit, closed=closed) + [NOT_KNOWN], dtype=object)
    v = pd.to_numeric(values, errors="coerce").astype("Float64")
    known = (v.notna() & (v >= 0)).to_numpy(dtype=bool)
    side = "right" if closed == "left" else "left"
    idx = np.searchsorted(np.asarray(edges, dtype=float), v.fillna(-1).to_numpy(dtype=float), side=side)
    idx = np.where(known, idx, len(labels) - 1)
    return pd.Series(labels[idx], index=values.index, dtype=object)
