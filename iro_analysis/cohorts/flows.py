"""Starters and leavers: periods of care starting and ending in each quarter, and children reaching 18."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import codes
from ..calendar import parse_year, year_bounds, year_label
from ..errors import ParameterError
from .constants import _NOT_RECORDED, _REC_GROUP_ORDER, AGE_BANDS
from .counts import _count_by_quarter
from .dates import _age_fast, _quarter_frame, _ymd, age_band, date_turns_18
from .normalise import _via_unique
from .periods import _dob_of, _periods_for_counts, prepare
from .profiles import _BY_COLUMN, _group_values
from .snapshots import _in_care_frame


def starters_by_quarter(data, year, *, by: str = "age_band", exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Periods of care starting in each quarter of a reporting year (Wokingham Tables B, C).

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` (``header`` for ages)
    year : int or str
        Reporting year ending 31 March.
    by : {"age_band", "legal_status", "LS", "placement", "PLACE", "sex", "ethnicity"}
        Age at the start of the period in DfE bands; legal-status group
        (:func:`iro_analysis.codes.legal_status_group`) or raw LS of the first episode;
        DfE placement group or raw PLACE of the first episode (Rotherham "placement type on
        admission"); sex; ethnic main group.
    exclude_short_breaks : bool, default True
        Leave out periods made only of V3/V4 episodes.

    Returns
    -------
    DataFrame
        One row per quarter × category (every standard category, zeros included):
        ``quarter`` (1–4), ``quarter_label`` ("Q1 (Apr–Jun 2022)"), ``quarter_start``,
        ``quarter_end``, the category column (``age_band``, ``legal_status``, ``LS`` (+
        ``description``), ``placement``, ``PLACE`` (+ ``description``), ``sex`` or
        ``ethnic_group``), ``count`` (periods of care started) and ``children`` (distinct
        children; a child starting twice in a quarter counts once).

    Notes
    -----
    A start belongs to the quarter containing ``period_start``; the quarters partition the
    year, so the counts sum to the periods started in the year.
    """
    y = parse_year(year)
    if by not in _BY_COLUMN or by == "uasc":
        raise ParameterError(
            f"by={by!r} is not a breakdown of starters: use age_band, legal_status, LS, placement, PLACE, sex or ethnicity."
        )
    start, end = year_bounds(y)
    prep = prepare(data)
    p = _periods_for_counts(prep, exclude_short_breaks)
    p = p.loc[p["period_start"].between(start, end)]
    kw = {}
    if by == "age_band":
        kw["age"] = _age_fast(_dob_of(prep, p).to_numpy(), p["period_start"].to_numpy(), p.index)
    elif by in ("sex", "ethnicity"):
        arr = prep.sex if by == "sex" else prep.ethnic
        vals = pd.Series(arr[prep.period_cid[p.index.to_numpy()]], index=p.index, dtype=object)
        kw["sex" if by == "sex" else "ethnic"] = vals
    elif by in ("legal_status", "LS"):
        kw["ls"] = p["ls_at_start"]
    else:
        kw["place"] = p["place_at_start"]
    values, standard = _group_values(by, **kw)
    # only the columns counted: assigning to ``p`` would copy every column of the periods
    frame = pd.DataFrame({"CHILD": p["CHILD"], "_g": values, "_q": _quarter_frame(p["period_start"], y)})
    return _count_by_quarter(frame, y, _BY_COLUMN[by], standard)


def leavers_by_quarter(data, year, *, by: str = "reason", exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Periods of care ending in each quarter, by why they ended (Wokingham Table J).

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` (``header`` for ages)
    year : int or str
        Reporting year ending 31 March.
    by : {"reason", "REC", "age_band"}
        ``reason``: :func:`iro_analysis.codes.reason_ceased_group` of the closing REC
        ("Not recorded" when the end was inferred or REC is blank/X1/unknown); ``REC``: the code
        with its description; ``age_band``: DfE age band on the day the period ended.
    exclude_short_breaks : bool, default True
        Leave out periods made only of V3/V4 episodes.

    Returns
    -------
    DataFrame
        One row per quarter × category: ``quarter, quarter_label, quarter_start,
        quarter_end``, the category column (``reason``, ``REC`` (+ ``description``) or
        ``age_band``), ``count`` (periods ended), ``children`` (distinct) and
        ``aged_18_or_over`` (periods whose child was 18 or over on the end date: the
        "reached 18" figure IRO reports quote beside the reasons).

    Notes
    -----
    Every period with ``period_end`` in the year is counted exactly once, so the counts
    sum to the number of periods ending in the year.
    """
    y = parse_year(year)
    if by not in ("reason", "REC", "age_band"):
        raise ParameterError(f"by={by!r} is not a breakdown of leavers: use reason, REC or age_band.")
    start, end = year_bounds(y)
    prep = prepare(data)
    p = _periods_for_counts(prep, exclude_short_breaks)
    p = p.loc[p["period_end"].between(start, end)]
    age = _age_fast(_dob_of(prep, p).to_numpy(), p["period_end"].to_numpy(), p.index)
    reason = p["end_reason"].astype(object)
    if by == "reason":
        g = _via_unique(reason, codes.reason_ceased_group)
        values, standard = g.where(g.notna(), _NOT_RECORDED), list(_REC_GROUP_ORDER)
    elif by == "REC":
        standard = [c for c in codes.descriptions("REC") if c != "X1"]
        values = reason.where(reason.notna(), _NOT_RECORDED)
    else:
        values, standard = age_band(age), [lab for lab, _ in AGE_BANDS]
    frame = pd.DataFrame({"CHILD": p["CHILD"], "_g": values, "_q": _quarter_frame(p["period_end"], y),
                          "_adult": (age >= 18).fillna(False).astype(bool)})
    col = by
    out = _count_by_quarter(frame, y, col, standard)
    out["aged_18_or_over"] = _flagged_by_cell(frame, out, col)
    return out


def _flagged_by_cell(frame: pd.DataFrame, out: pd.DataFrame, col: str) -> np.ndarray:
    """Rows of ``frame`` with ``_adult`` set, per row (quarter, category) of ``out``.

    ``out`` is a quarter-major grid (Q1's categories, then Q2's …): the count is a bincount of
    each row's cell, without a groupby and a re-index on pairs. Any other layout is re-indexed.
    """
    quarter = out["quarter"].to_numpy()
    cats = out[col].to_numpy(dtype=object)
    k = len(out) // 4
    grid = (k > 0 and len(out) == 4 * k and np.array_equal(quarter, np.repeat(np.arange(1, 5), k))
            and all(np.array_equal(cats[j * k:(j + 1) * k], cats[:k]) for j in range(1, 4)))
    adult = frame.loc[frame["_adult"]]
    if not grid:
        adults = adult.groupby(["_q", "_g"]).size()
        key = pd.MultiIndex.from_arrays([out["quarter"], out[col]])
        return adults.reindex(key, fill_value=0).to_numpy().astype("int64")
    g = pd.Index(cats[:k], dtype=object).get_indexer(adult["_g"])
    q = adult["_q"].to_numpy(dtype="float64", na_value=np.nan)
    ok = (g >= 0) & ~np.isnan(q)
    cell = (q[ok].astype(np.int64) - 1) * k + g[ok]
    return np.bincount(cell, minlength=4 * k).astype("int64")


def reaching_18(data, year, *, years: int = 2, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Children in care at the end of the year who turn 18 in each of the next years (Table K).

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` and ``header`` (DOB)
    year : int or str
        Reporting year ending 31 March; the cohort is in care at the end of 31 March ``year``.
    years : int, default 2
        How many following reporting years to cover.

    Returns
    -------
    DataFrame
        One row per following reporting year: ``year`` (year ending 31 March in which the
        children turn 18), ``year_label``, ``from_date``, ``to_date``, ``count``.

    Notes
    -----
    The 18th birthday of a child born on 29 February is 1 March in a non-leap year
    (:func:`date_turns_18`); either way it falls in the same reporting year. Children already
    18 or over on 31 March (e.g. staying put) are not counted.
    """
    y = parse_year(year)
    if int(years) < 1:
        raise ParameterError("years must be 1 or more.")
    prep = prepare(data)
    _, end = year_bounds(y)
    cic = _in_care_frame(prep, end, exclude_short_breaks)
    ry = _year_turns_18(cic["DOB"])
    rows = []
    for k in range(1, int(years) + 1):
        fy, ty = year_bounds(y + k)
        rows.append((y + k, year_label(y + k), fy, ty, int((ry == y + k).sum())))
    return pd.DataFrame(rows, columns=["year", "year_label", "from_date", "to_date", "count"])


def _year_turns_18(dob: pd.Series) -> np.ndarray:
    """The reporting year (ending 31 March) of each child's 18th birthday; 0 without a DOB.

    The birthday's month is the DOB's (29 February moves to 1 March, still before April), so
    the year is the DOB's year + 18, plus one from April: no dates need building. A birthday
    past the last representable date takes :func:`date_turns_18`, which says so.
    """
    d = dob.to_numpy(dtype="datetime64[ns]")
    known = ~np.isnat(d)
    year, month, _ = _ymd(d)
    if (year[known] + 18 > 2261).any():
        b18 = date_turns_18(dob)
        ry = (b18.dt.year + (b18.dt.month >= 4).astype("int64")).astype("Int64")
        return ry.fillna(0).to_numpy(dtype=np.int64)
    return np.where(known, year + 18 + (month >= 4), 0)
