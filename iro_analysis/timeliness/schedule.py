"""The statutory review schedule: every review held, and every review due but not held.

:func:`review_schedule` is the public entry; :func:`_build_schedule` builds it in named phases,
in the order they run (phases 1-4 in :mod:`iro_analysis.timeliness.ordering`, 5-6 in
:mod:`iro_analysis.timeliness.chains`, 7 here):

1. :func:`_number_children` -- children as integer codes, and the order they are listed in;
2. :func:`_order_periods` -- the periods of care starting by the end of the year, by child and start;
3. :func:`_order_records` -- the review records dated by the end of the year, by child and date,
   a review listed by two returns kept once;
4. :func:`_place_in_periods` -- the period of care of each record, and why a record is excluded;
5. :func:`_chain_positions` and :func:`_judge_held` -- each review held, against the due date the
   review before it set;
6. :func:`_missed_starts` and :func:`_walk_missed` -- the due dates that passed with no review;
7. :func:`_stack_rows` and :func:`_schedule_frame` -- the rows in order, as a DataFrame.

Why vectorised: a stack of England's returns holds hundreds of thousands of review records, and
a Python loop over them is what ``benchmarks/bench_timeliness.py`` times this code against; a
per-review version written for reading is the oracle of ``tests/test_timeliness_oracle.py``.
Every phase works on whole columns of numpy arrays instead: children are integer
codes, dates ``datetime64[ns]`` (NaT for missing), statuses, rules, exclusion reasons and flags
small integers (:mod:`iro_analysis.timeliness.rules`) turned into names once, at the end. The only
loops are over the few steps of a chain (periods of one child, missed due dates of one period),
each step vectorised over every child at once.

Sorting packs several integer keys into one int64 (a "bit-packed key"): for example
``child << 26 | day << 8 | year`` puts the child code in the high bits, the day number (18 bits:
days since 1 January 1800, good to 2517) in the middle and the collection year (8 bits) in the low
bits, so that one stable ``argsort`` of one integer array orders by child, then day, then year
(instead of a ``lexsort`` over three arrays). Each packing checks (or clips) its ranges and falls
back to ``lexsort`` where they do not hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..calendar import parse_year, year_bounds
from .chains import _chain_positions, _Held, _judge_held, _Missed, _missed_starts, _walk_missed
from .inputs import _coverage, _int_array, _period_arrays, _review_arrays
from .once import _kept, _read_only, _remember, periods_of
from .ordering import (
    _DAY_BITS,
    _Children,
    _day_numbers,
    _number_children,
    _order_periods,
    _order_records,
    _Periods,
    _place_in_periods,
    _Records,
)
from .rules import (
    _EXCLUSION_NAMES,
    _FLAG_TEXT_BY_BITS,
    _NAT,
    _ONE_DAY,
    _RULE_NAMES,
    _S_EXCLUDED,
    _S_LATE,
    _S_MISSED,
    _S_ON_TIME,
    _STATUS_NAMES,
    _check_options,
    _Rules,
)

#: Columns of :func:`review_schedule`, in order.
SCHEDULE_COLUMNS = (
    "CHILD",
    "period_number",
    "period_start",
    "period_end",
    "review_number",
    "adoption_review_number",
    "review_date",
    "previous_review_date",
    "due_date",
    "rule",
    "on_time",
    "days_late",
    "status",
    "exclusion_reason",
    "in_year",
    "held_in_year",
    "due_in_year",
    "flags",
    "REVIEW_CODE",
    "collection_year",
    "source_row",
)


def _objects(values) -> pd.Series:
    """An object-dtype column (no string inference: identifiers and labels stay Python objects)."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object, copy=False)


def review_schedule(  # long: its docstring is the reference for the schedule's rules and columns
    data,
    year,
    *,
    first_review: str = "20_working_days",
    later_intervals: str = "calendar_months",
    comparison: str = "<=",
    include_adoption_schedule: bool = True,
    close_days: int = 7,
    periods: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The statutory review schedule: every review held, and every review due but not held.

    Parameters
    ----------
    data : SSDA903
        One return, or a multi-year stack with ``collection_year`` (needed to judge the first
        reviews of the year: the review before them sits in the previous return).
    year : int or str
        Reporting year ending 31 March (``2023`` or ``"2022-23"``). Reviews held after its
        last day are ignored: the schedule is the position as at 31 March.
    first_review : {"20_working_days", "28_days"}
        Deadline for a period's first review: 20 working days after the start (England and
        Wales bank holidays; a start on a non-working day counts from the previous working
        day), or 28 calendar days (some local procedures).
    later_intervals : {"calendar_months", "days"}
        Second review within 3 calendar months of the first and later ones within 6 (month ends
        clipped: 31 January + 3 months = 30 April), or within 91/183 days.
    comparison : {"<=", "<"}
        A review on its due date is on time under ``"<="`` (statutory "not more than"), late
        under ``"<"``.
    include_adoption_schedule : bool, default True
        Follow reg 36 of the Adoption Agencies Regulations 2005 from the first placement for
        adoption (PLACE A3-A6) in a period: first review within 4 weeks (28 days) of the
        placement, then 3 months, then 6. When False such periods follow reg 33 throughout;
        they are flagged either way.
    close_days : int, default 7
        Reviews held fewer than this many days after the previous one are flagged
        ``close_to_previous`` (likely a recording error; they still count).
    periods : DataFrame, optional
        Output of :func:`iro_analysis.cohorts.periods_of_care` for ``data``, to avoid
        recomputing it.

    Returns
    -------
    DataFrame
        One row per review record dated up to the end of the year and one per missed due date,
        sorted by child, period and date, with columns

        ``CHILD``; ``period_number``, ``period_start``, ``period_end`` (the period of care; NA
        for a review outside every period); ``review_number`` (1, 2, … within the period; NA
        when earlier reviews of the period are not in the loaded returns, and for missed and
        excluded rows); ``adoption_review_number`` (position in the reg 36 chain, else NA);
        ``review_date`` (NaT for a missed review); ``previous_review_date``; ``due_date``;
        ``rule`` (what set the due date: ``first_20_working_days`` / ``first_28_days``,
        ``second_3_months`` / ``second_91_days``, ``subsequent_6_months`` /
        ``subsequent_183_days``, ``adoption_first_4_weeks``, ``adoption_second_3_months``,
        ``adoption_subsequent_6_months``, ``latest_possible_due_date`` (the previous review
        is before the loaded returns, so only an upper bound is known), ``second_or_subsequent``
        (the interval depends on whether the previous review was the first)); ``on_time``
        (bool: True only for status ``on_time``); ``days_late`` (Int64: days after the due
        date for a late review, 0 when on time, days overdue at the end of the year or the
        day before the period ended for a missed review, NA otherwise); ``status``
        (``on_time``, ``late``, ``missed``, ``not_judged``, ``excluded``);
        ``exclusion_reason`` (``outside_period_of_care``, ``short_breaks_only``,
        ``duplicate_same_day``, ``before_loaded_returns``; NA otherwise); ``in_year`` (held or
        due in the reporting year); ``held_in_year``; ``due_in_year``; ``flags``
        (``;``-separated: ``remand``, ``placed_for_adoption``, ``history_before_loaded_returns``,
        ``close_to_previous``, ``due_date_upper_bound``); ``REVIEW_CODE``; ``collection_year``
        (return the record came from); ``source_row`` (line in the source file, when known).

    Raises
    ------
    ParameterError
        For an unknown option, a year the loaded returns do not cover, or data without a
        reviews table.

    Notes
    -----
    Due dates (reg 33, CPPCR 2010; reg 36, AAR 2005):

    * first review of a period: ``period_start + 20 working days``
      (``numpy.busday_offset(start, 20, roll="backward")``);
    * second: ``first review date + 3 months``; later: ``previous review date + 6 months``;
    * after a placement for adoption: first review held on or after the placement
      ``placement + 28 days``, then 3 and 6 months as above.

    A review is on time when ``review_date <= due_date``. A new period of care restarts the
    schedule and ``review_number``; placement and legal-status changes do not. Periods made
    only of short breaks (LS V3/V4) expect no reviews; their reviews are excluded. Several
    reviews of one child on one day count once (the others are ``duplicate_same_day``).

    Missed reviews: after the last review of a period (or its start, when none was held), one
    row per due date that passed with no review, following the statutory chain as if each
    missed review had been held on its due date (so at most one per interval), while the child
    is still looked after on the due date (``due_date < period_end``) and up to the end of the
    year. A due date falling after the period ended is not due. A review held late is one late
    row however late it is (the statute restarts the clock from it; no missed rows are added
    before it).

    When a period began before the earliest loaded return, the review before the first one in
    those returns is unknown. That first review is ``not_judged`` unless it came after the
    latest date the unknown chain could have allowed (the day before the returns begin plus
    6 months), when it is certainly late; the second is judged only when the verdict is the
    same whether or not the first was the period's first review. Nothing is guessed.

    Examples
    --------
    >>> from iro_analysis.ssda903 import SSDA903
    >>> eps = pd.DataFrame({"CHILD": ["A"], "DECOM": pd.to_datetime(["2022-05-27"]), "RNE": ["S"],
    ...                     "LS": ["C2"], "PLACE": ["U4"], "DEC": [pd.NaT], "REC": [None]})
    >>> revs = pd.DataFrame({"CHILD": ["A", "A"], "DOB": pd.to_datetime(["2015-01-01"] * 2),
    ...                      "REVIEW": pd.to_datetime(["2022-06-28", "2022-09-29"]),
    ...                      "REVIEW_CODE": ["PN1", "PN1"]})
    >>> s = review_schedule(SSDA903(episodes=eps, reviews=revs), 2023)
    >>> s["due_date"].dt.strftime("%Y-%m-%d").tolist(), s["status"].tolist()
    (['2022-06-28', '2022-09-28', '2023-03-29'], ['on_time', 'late', 'missed'])
    """
    year = parse_year(year)
    rules = _check_options(first_review, later_intervals, comparison, include_adoption_schedule, close_days)
    year_start, year_end = year_bounds(year)
    kept = _kept()
    if kept is not None:  # inside timeliness.schedules_once()
        return _shared_schedule(kept, data, year, rules, periods, year_start, year_end).copy()
    reviews = _review_arrays(data, raw_child=True)
    coverage = _coverage(data, year)
    per = _period_arrays(data, periods, raw_child=True)
    schedule = _build_schedule(reviews, per, rules, year, year_start, year_end, coverage)
    schedule.attrs["year"] = year
    return schedule


def _shared_schedule(kept: dict, data, year: int, rules: _Rules, periods, year_start, year_end,
                     metrics_only: bool = False) -> pd.DataFrame:
    """:func:`review_schedule` inside a :func:`~iro_analysis.timeliness.schedules_once` block.

    The same steps in the same order (so the same errors), each kept in the block: the review
    and period arrays and the children's numbers once per return (and ``periods`` argument), the
    coverage once per year, the schedule once per year and rules. The caller copies the result.
    """
    ids, alive = (id(data), None if periods is None else id(periods)), (data, periods)
    reviews = _remember(kept, ("reviews", id(data)), (data,),
                        lambda: _read_only(_review_arrays(data, raw_child=True)))
    coverage = _remember(kept, ("coverage", id(data), year), (data,), lambda: _coverage(data, year))
    per = _remember(kept, ("per", *ids), alive, lambda: _read_only(
        _period_arrays(data, periods_of(data) if periods is None else periods, raw_child=True)))
    children = _remember(kept, ("children", *ids), alive,
                         lambda: _Children(**_read_only(vars(_number_children(reviews["CHILD"], per["CHILD"])))))

    def build():
        schedule = _build_schedule(reviews, per, rules, year, year_start, year_end, coverage, children=children,
                                   metrics_only=metrics_only)
        schedule.attrs["year"] = year
        return schedule

    return _remember(kept, ("metrics" if metrics_only else "schedule", *ids, year, rules), alive, build)


def _build_schedule(reviews, per, rules: _Rules, year, year_start, year_end, coverage,
                    children: _Children | None = None, metrics_only: bool = False) -> pd.DataFrame:
    """Build the schedule from the review and period arrays, phase by phase (see the module docstring).

    Parameters
    ----------
    reviews : dict of numpy arrays
        :func:`~iro_analysis.timeliness.inputs._review_arrays` with ``raw_child=True``.
    per : dict of numpy arrays
        :func:`~iro_analysis.timeliness.inputs._period_arrays` with ``raw_child=True``.
    rules : _Rules
        The checked options (:func:`~iro_analysis.timeliness.rules._check_options`).
    year : int
        Reporting year (its bounds are ``year_start`` and ``year_end``).
    year_start, year_end : Timestamp
        First and last day of the reporting year.
    coverage : Timestamp
        First day from which the loaded returns list every review held.
    children : _Children, optional
        Phase 1 for these arrays, when already done (it depends on nothing else).
    metrics_only : bool, default False
        Only the columns the metrics read (:data:`METRIC_COLUMNS`), for a schedule asked for
        its summary alone.

    Returns
    -------
    DataFrame
        Columns :data:`SCHEDULE_COLUMNS` (described in :func:`review_schedule`), or
        :data:`METRIC_COLUMNS`: the same rows and values.
    """
    ys, ye, cov = (np.datetime64(t, "ns") for t in (year_start, year_end, coverage))
    # the latest date a review could have been due when the review before it is not in the returns
    upper_bound = rules.add_interval(np.array([cov - _ONE_DAY], dtype="datetime64[ns]"), 6)[0]
    if children is None:
        children = _number_children(reviews["CHILD"], per["CHILD"])
    periods = _order_periods(per, children.period_codes, ye, rules)
    records = _order_records(reviews, children.review_codes, ye)
    period_of, reason = _place_in_periods(records, periods, len(children.identifiers), cov)
    held = _judge_held(_chain_positions(records, period_of, reason, periods, cov), periods, rules, cov, upper_bound)
    missed = _walk_missed(_missed_starts(held, periods, rules, cov, ye, upper_bound), periods, rules)
    rows = _stack_rows(children, periods, records, period_of, reason, held, missed)
    if metrics_only:
        return _metric_frame(rows, children)
    return _schedule_frame(rows, children=children, periods=periods, records=records, reviews=reviews,
                           reason=reason, held=held, missed=missed, year_start=ys, year_end=ye)


# --------------------------------------------------------------------------------------------
# phase 7: the rows in order, as a DataFrame
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rows:
    """Every row of the schedule -- held, then missed, then excluded -- and the order to list them in."""

    excluded: np.ndarray  # bool, by record (phase 3 order): the excluded records
    period: np.ndarray  # int64 index into _Periods, -1 for none
    child: np.ndarray  # int64 child code
    review_date: np.ndarray  # datetime64[ns], NaT for a missed review
    due: np.ndarray  # datetime64[ns], NaT for an excluded record or a review not judged
    status: np.ndarray  # int8 status code
    period_number: np.ndarray  # int64, 0 for none
    order: np.ndarray  # the final order (a permutation of the rows)

    def take(self, *pieces) -> np.ndarray:
        """The concatenation of ``pieces`` (held, missed, excluded rows) in the final order."""
        return np.concatenate(pieces)[self.order] if len(pieces) > 1 else pieces[0][self.order]


def _stack_rows(children: _Children, periods: _Periods, records: _Records, period_of: np.ndarray,
                reason: np.ndarray, held: _Held, missed: _Missed) -> _Rows:
    """Phase 7a: the held, missed and excluded rows one after the other, and their final order.

    Returns
    -------
    _Rows

    Notes
    -----
    Final order: child (``rank``), period number (none first), day (the review date, or the
    due date of a missed review), excluded rows after the others on the same day, then the
    order of stacking. One stable argsort of the packed key ``rank << 31 | period << 19 | day
    << 1 | excluded`` (period numbers below 4,096, days in 18 bits), or ``lexsort`` when they
    do not fit. Columns computed from these are computed after the ordering, one gather per
    column (:meth:`_Rows.take`).
    """
    m, nm = len(periods), len(missed.period)
    ex = reason > 0
    e_reason = reason[ex]
    # rows other than "outside" keep the period they fall in
    e_p = np.where(e_reason == 1, -1, np.where(period_of[ex] >= 0, period_of[ex], -1))
    ne = int(ex.sum())
    a_pidx = np.concatenate([held.period, missed.period, e_p]).astype(np.int64)
    a_cid = np.concatenate([held.child, periods.child[missed.period] if nm else np.zeros(0, np.int64), records.child[ex]])
    a_rdate = np.concatenate([held.date, np.full(nm, _NAT, "datetime64[ns]"), records.date[ex]])
    a_due = np.concatenate([held.due, missed.due, np.full(ne, _NAT, "datetime64[ns]")]).astype("datetime64[ns]")
    a_status = np.concatenate([held.status, np.full(nm, _S_MISSED), np.full(ne, _S_EXCLUDED)]).astype(np.int8)
    has_p = a_pidx >= 0
    a_pn = np.where(has_p, periods.number[np.where(has_p, a_pidx, 0)] if m else 0, 0)
    sort_day = _day_numbers(np.where(np.isnat(a_rdate), a_due, a_rdate))
    a_rank = children.rank[a_cid]
    if len(a_pn) and (a_pn.max() >= 1 << 12 or sort_day.min() < 0 or sort_day.max() >= 1 << _DAY_BITS):
        order = np.lexsort((a_status == _S_EXCLUDED, sort_day, a_pn, a_rank))
    else:
        order = np.argsort(
            (a_rank << 31) | (a_pn << 19) | (sort_day << 1) | (a_status == _S_EXCLUDED), kind="stable"
        )
    return _Rows(ex, a_pidx, a_cid, a_rdate, a_due, a_status, a_pn, order)


def _schedule_frame(rows: _Rows, *, children: _Children, periods: _Periods, records: _Records, reviews: dict,
                    reason: np.ndarray, held: _Held, missed: _Missed, year_start, year_end) -> pd.DataFrame:
    """Phase 7b: the schedule as a DataFrame, each column gathered once in the final order.

    Returns
    -------
    DataFrame
        Columns :data:`SCHEDULE_COLUMNS`. ``days_late``: days after the due date when late, 0
        when on time, days overdue at the end of the year (or the day before the period
        ended) when missed; rule, status, exclusion and flag codes become their names here.
    """
    m, n, nm = len(periods), len(held.date), len(missed.period)
    ne = int(rows.excluded.sum())
    o = rows.take
    pidx_o = o(rows.period)
    has_p_o = pidx_o >= 0
    ps_o = np.where(has_p_o, pidx_o, 0)
    pstart_o = np.where(has_p_o, periods.start[ps_o], _NAT) if m else np.full(len(rows.order), _NAT)
    pend_o = np.where(has_p_o, periods.end[ps_o], _NAT) if m else np.full(len(rows.order), _NAT)
    rdate_o, due_o, status_o = o(rows.review_date), o(rows.due), o(rows.status)
    late_days = (rdate_o - due_o) / np.timedelta64(1, "D")
    stop = np.where(np.isnat(pend_o), year_end, np.minimum(pend_o - _ONE_DAY, year_end))
    overdue = (stop - due_o) / np.timedelta64(1, "D")
    days_o = np.select(
        [status_o == _S_LATE, status_o == _S_ON_TIME, status_o == _S_MISSED],
        [np.maximum(late_days, 0), np.zeros(len(status_o)), overdue],
        default=np.nan,
    )
    held_in = ~np.isnat(rdate_o) & (rdate_o >= year_start) & (rdate_o <= year_end)
    due_in = ~np.isnat(due_o) & (due_o >= year_start) & (due_o <= year_end) & (status_o != _S_EXCLUDED)
    # the input record behind each row (-1 for a missed review): its year, line and code
    src_o = o(held.src, np.full(nm, -1, np.int64), records.src[rows.excluded])
    has_src = src_o >= 0
    src_safe = np.where(has_src, src_o, 0)
    n_all = len(reviews["CHILD"])
    cy_o = np.where(has_src, reviews["collection_year"][src_safe] if n_all else -1, -1)
    sr_o = np.where(has_src, reviews["source_row"][src_safe] if n_all else -1, -1)
    review_code = reviews["REVIEW_CODE"][src_safe] if n_all else np.full(len(src_o), None, dtype=object)
    review_code[~has_src] = None
    none_after_held = np.ones(nm + ne, bool)
    zeros_after_held = np.zeros(nm + ne, np.int64)
    uniques = children.identifiers
    return pd.DataFrame(
        {
            "CHILD": _objects(uniques[o(rows.child)] if len(uniques) else np.zeros(0, dtype=object)),
            "period_number": _int_array(o(rows.period_number), ~has_p_o),
            "period_start": pstart_o,
            "period_end": pend_o,
            "review_number": _int_array(o(held.number, zeros_after_held), o(held.history_before, none_after_held)),
            "adoption_review_number": _int_array(o(held.adoption_number, zeros_after_held),
                                                 o(~held.adopt, none_after_held)),
            "review_date": rdate_o,
            "previous_review_date": o(held.previous, np.full(nm + ne, _NAT, "datetime64[ns]")),
            "due_date": due_o,
            "rule": _objects(_RULE_NAMES[o(held.rule.astype(np.int8), missed.rule, np.zeros(ne, np.int8))]),
            "on_time": status_o == _S_ON_TIME,
            "days_late": _int_array(np.nan_to_num(days_o).astype(np.int64), np.isnan(days_o)),
            "status": _objects(_STATUS_NAMES[status_o]),
            "exclusion_reason": _objects(
                _EXCLUSION_NAMES[o(np.zeros(n + nm, np.int8), reason[rows.excluded].astype(np.int8))]),
            "in_year": held_in | due_in,
            "held_in_year": held_in,
            "due_in_year": due_in,
            "flags": _objects(_FLAG_TEXT_BY_BITS[o(held.bits.astype(np.int8), missed.bits.astype(np.int8),
                                                   np.zeros(ne, np.int8))]),
            "REVIEW_CODE": _objects(review_code),
            "collection_year": _int_array(cy_o, cy_o < 0),
            "source_row": _int_array(sr_o, sr_o < 0),
        },
        columns=list(SCHEDULE_COLUMNS),
        copy=False,  # every array above is new: no need to copy them again
    )


#: The columns :func:`~iro_analysis.timeliness.timeliness_summary` reads, in schedule order.
METRIC_COLUMNS = ("CHILD", "review_date", "due_date", "on_time", "status")


def _metric_frame(rows: _Rows, children: _Children) -> pd.DataFrame:
    """Phase 7b for the metrics alone: :data:`METRIC_COLUMNS`, made as :func:`_schedule_frame` makes them."""
    status_o = rows.take(rows.status)
    uniques = children.identifiers
    return pd.DataFrame(
        {
            "CHILD": _objects(uniques[rows.take(rows.child)] if len(uniques) else np.zeros(0, dtype=object)),
            "review_date": rows.take(rows.review_date),
            "due_date": rows.take(rows.due),
            "on_time": status_o == _S_ON_TIME,
            "status": _objects(_STATUS_NAMES[status_o]),
        },
        columns=list(METRIC_COLUMNS),
        copy=False,
    )


def _metric_schedule(data, year, *, first_review: str = "20_working_days", later_intervals: str = "calendar_months",
                     comparison: str = "<=", include_adoption_schedule: bool = True, close_days: int = 7,
                     periods: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of :func:`review_schedule` with :data:`METRIC_COLUMNS` only (enough for its summary).

    For a schedule asked for its metrics alone (the reconciliation's variants): the same
    phases, without the columns nobody reads. Inside a
    :func:`~iro_analysis.timeliness.schedules_once` block it is kept like a schedule, and taken
    from the whole schedule when that was built already.
    """
    year = parse_year(year)
    rules = _check_options(first_review, later_intervals, comparison, include_adoption_schedule, close_days)
    year_start, year_end = year_bounds(year)
    kept = _kept()
    if kept is not None:
        whole = kept.get(("schedule", id(data), None if periods is None else id(periods), year, rules))
        if whole is not None:
            return whole[1].loc[:, list(METRIC_COLUMNS)]
        return _shared_schedule(kept, data, year, rules, periods, year_start, year_end, metrics_only=True).copy()
    reviews = _review_arrays(data, raw_child=True)
    coverage = _coverage(data, year)
    per = _period_arrays(data, periods, raw_child=True)
    frame = _build_schedule(reviews, per, rules, year, year_start, year_end, coverage, metrics_only=True)
    frame.attrs["year"] = year
    return frame
