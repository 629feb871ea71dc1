"""Phases 1-4 of the review schedule: children, periods of care and review records in order.

See :mod:`iro_analysis.timeliness.schedule` for the phases and the representation (integer
codes, ``datetime64[ns]`` dates, bit-packed sort keys). Each phase returns a small frozen
dataclass of numpy arrays, one value per period or per record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .inputs import _child_codes
from .rules import _NAT, _first_due, _Rules

# 18 bits of day numbers (days since 1 January 1800) reach 2517; keys clip or check against it.
_DAY_BITS = 18
_MAX_DAY = (1 << _DAY_BITS) - 1


def _day_numbers(dates: np.ndarray) -> np.ndarray:
    """Whole days since 1 Jan 1800 (positive for every plausible date), for integer sort keys."""
    return (dates.astype("datetime64[D]") - np.datetime64("1800-01-01")).astype(np.int64)


# --------------------------------------------------------------------------------------------
# phase 1: children
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Children:
    """Children as integer codes (phase 1)."""

    period_codes: np.ndarray  # int64: code of the child of each input period
    review_codes: np.ndarray  # int64: code of the child of each input review record
    identifiers: np.ndarray  # object: CHILD by code
    rank: np.ndarray  # int64: place of each code in the order the output lists children


def _number_children(review_child, period_child) -> _Children:
    """Phase 1: number the children, and fix the order the schedule lists them in.

    Parameters
    ----------
    review_child, period_child : Series
        CHILD of the review records and of the periods of care, as read.

    Returns
    -------
    _Children

    Notes
    -----
    The periods are coded first: ``periods_of_care`` lists them by child and start, so their
    codes come out sorted and the periods need no sort (phase 2 checks). The output lists
    children in order of first appearance in the reviews, then in the periods (``rank``).
    """
    pc, rc_all, uniques = _child_codes(period_child, review_child)
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[pd.unique(np.concatenate([rc_all, pc]))] = np.arange(len(uniques))
    return _Children(pc, rc_all, uniques, rank)


# --------------------------------------------------------------------------------------------
# phase 2: periods of care
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Periods:
    """The periods of care starting by the end of the year, by child and start (phase 2).

    One value per period in each array, in that order.
    """

    child: np.ndarray  # int64 child code
    start: np.ndarray  # datetime64[ns]
    end: np.ndarray  # datetime64[ns], NaT while the period is open
    number: np.ndarray  # int64 period_number
    short_breaks_only: np.ndarray  # bool
    remand: np.ndarray  # bool
    placed_for_adoption: np.ndarray  # bool
    placement: np.ndarray  # datetime64[ns]: first placement for adoption (NaT: none, or reg 36 not followed)
    first_due: np.ndarray  # datetime64[ns]: due date of the period's first review
    key_day: np.ndarray  # int64 day number of the start, clipped to the 18 bits of the sort keys

    def __len__(self) -> int:
        return len(self.start)


def _order_periods(per: dict, child: np.ndarray, year_end, rules: _Rules) -> _Periods:
    """Phase 2: the periods of care starting by the end of the year, ordered by child and start.

    Parameters
    ----------
    per : dict of numpy arrays
        The periods of care, as read.
    child : ndarray of int64
        Child code of each period (phase 1).
    year_end : datetime64[ns]
        Last day of the reporting year.
    rules : _Rules
        For the first due dates, and whether reg 36 is followed after a placement for adoption.

    Returns
    -------
    _Periods

    Notes
    -----
    The order key packs ``child << 26 | day << 8`` into one int64 (the child code above bit 26,
    the start's day number in bits 8-25): one stable argsort orders by child then start, and
    ``lexsort`` does it when codes or days do not fit. Periods from ``periods_of_care`` are in
    order already (checked, then not sorted); when the periods kept are one run of input rows
    they are taken as slices (views), not copies.
    """
    start_all = per["period_start"]
    porder = np.flatnonzero(start_all <= year_end)
    pday = _day_numbers(start_all[porder])
    if len(porder) and (child[porder].max() < 1 << 37 and pday.min() >= 0 and pday.max() < 1 << _DAY_BITS):
        pkey = (child[porder] << 26) | (pday << 8)
        if not (pkey[1:] >= pkey[:-1]).all():
            porder = porder[np.argsort(pkey, kind="stable")]
    else:
        porder = porder[np.lexsort((pday, child[porder]))]
    m = len(porder)
    if m and porder[-1] - porder[0] == m - 1:  # one run of rows: slices, not copies
        porder = slice(int(porder[0]), int(porder[0]) + m)
    start = start_all[porder]
    placement = per["adoption_placement_start"][porder]
    if not rules.include_adoption_schedule:
        placement = np.full(m, _NAT, dtype="datetime64[ns]")
    return _Periods(
        child=child[porder],
        start=start,
        end=per["period_end"][porder],
        number=per["period_number"][porder],
        short_breaks_only=per["short_breaks_only"][porder],
        remand=per["remand"][porder],
        placed_for_adoption=per["placed_for_adoption"][porder],
        placement=placement,
        first_due=_first_due(start, rules) if m else start.copy(),
        key_day=np.clip(_day_numbers(start), 0, _MAX_DAY),
    )


# --------------------------------------------------------------------------------------------
# phase 3: review records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Records:
    """Review records dated by the end of the year, by child, date and return (phase 3)."""

    src: np.ndarray  # int64: row of the record in the input reviews table
    child: np.ndarray  # int64 child code
    date: np.ndarray  # datetime64[ns]
    day: np.ndarray  # int64 day number
    key_day: np.ndarray  # int64 day number clipped to the 18 bits of the sort keys


def _order_records(reviews: dict, child_all: np.ndarray, year_end) -> _Records:
    """Phase 3: the review records dated by the end of the year, in order, each review once.

    Parameters
    ----------
    reviews : dict of numpy arrays
        The reviews table, as read.
    child_all : ndarray of int64
        Child code of each record (phase 1).
    year_end : datetime64[ns]
        Last day of the reporting year; later records are left out (the schedule is the
        position at the year end), and so are undated ones (``reconcile_timeliness`` counts them).

    Returns
    -------
    _Records

    Notes
    -----
    Order: child, date, return (a missing collection year last), input order -- one stable
    argsort of the packed key ``child << 26 | day << 8 | year rank``, the year rank being
    ``collection_year - 1900`` clipped to 0-254, and 255 for a missing year. Days are clipped
    to 1800-2517 for the key only: dates outside are errors and sort to the ends. A review
    listed by two returns (same child and day) is then kept from the latest return only;
    records without a collection year are always kept.
    """
    rdate_all = reviews["review_date"]
    cy_all = reviews["collection_year"]
    src = np.flatnonzero(~np.isnat(rdate_all) & (rdate_all <= year_end))
    rc, rdate, cy = child_all[src], rdate_all[src], cy_all[src]
    rday = _day_numbers(rdate)
    cy_rank = np.where(cy < 0, 255, np.clip(cy - 1900, 0, 254))
    rkey_day = np.clip(rday, 0, _MAX_DAY)
    order = np.argsort((rc << 26) | (rkey_day << 8) | cy_rank, kind="stable")
    src, rc, rdate, cy, rday, rkey_day = (a[order] for a in (src, rc, rdate, cy, rday, rkey_day))
    if len(src) and (cy >= 0).any():
        start = np.r_[True, (rc[1:] != rc[:-1]) | (rday[1:] != rday[:-1])]
        first = np.flatnonzero(start)
        latest = np.maximum.reduceat(cy, first)[np.cumsum(start) - 1]
        keep = (cy == latest) | (cy < 0)
        src, rc, rdate, rday, rkey_day = (a[keep] for a in (src, rc, rdate, rday, rkey_day))
    return _Records(src, rc, rdate, rday, rkey_day)


# --------------------------------------------------------------------------------------------
# phase 4: the period of care of each record
# --------------------------------------------------------------------------------------------


def _place_in_periods(records: _Records, periods: _Periods, n_children: int, coverage) -> tuple[np.ndarray, np.ndarray]:
    """Phase 4: the period of care containing each record, and why a record is left out.

    Parameters
    ----------
    records : _Records
    periods : _Periods
    n_children : int
        Number of child codes.
    coverage : datetime64[ns]
        First day the loaded returns cover.

    Returns
    -------
    period_of : ndarray of int64
        Index into ``periods`` of the record's period of care; -1 when it is in none.
    reason : ndarray of int8
        Index into the exclusion reasons: 0 kept, 1 ``outside_period_of_care``,
        2 ``short_breaks_only``, 3 ``before_loaded_returns``, 4 ``duplicate_same_day`` (the
        first record of a child on a day counts, the others are left out).

    Notes
    -----
    A record's period is the child's last period starting on or before its day. Every record
    starts at its child's last period and steps back one period while that period starts after
    it -- all records at once, one pass per step: children have few periods, so there are few
    passes. The record is inside when the period has not ended before its day.
    """
    rc, rdate = records.child, records.date
    m, n_r = len(periods), len(records.src)
    last_of_child = np.full(n_children + 1, -1, dtype=np.int64)
    if m:
        ends = np.flatnonzero(np.r_[periods.child[1:] != periods.child[:-1], True])
        last_of_child[periods.child[ends]] = ends
    cand = last_of_child[rc]
    todo = np.flatnonzero(cand >= 0)
    todo = todo[periods.key_day[cand[todo]] > records.key_day[todo]]
    while len(todo):
        c = cand[todo] - 1
        same_child = c >= 0
        same_child[same_child] = periods.child[c[same_child]] == rc[todo[same_child]]
        cand[todo] = np.where(same_child, c, -1)
        todo = todo[same_child]
        todo = todo[periods.key_day[cand[todo]] > records.key_day[todo]]
    valid = cand >= 0
    safe = np.where(valid, cand, 0)
    if m:
        valid &= periods.start[safe] <= rdate
    end = periods.end[safe] if m else np.full(n_r, _NAT, dtype="datetime64[ns]")
    inside = valid & (np.isnat(end) | (rdate <= end))
    period_of = np.where(inside, safe, -1)

    reason = np.zeros(n_r, dtype=np.int8)
    reason[~inside] = 1
    if m:
        reason[(reason == 0) & periods.short_breaks_only[safe]] = 2
    reason[(reason == 0) & (rdate < coverage)] = 3
    # several records of one child on one day: the first counts (rows are in date order)
    kept = np.flatnonzero(reason == 0)
    same = (rc[kept][1:] == rc[kept][:-1]) & (records.day[kept][1:] == records.day[kept][:-1])
    reason[kept[1:][same]] = 4
    return period_of, reason
