"""Statutory review timeliness: the reg 33 schedule, its metrics and their reconciliation.

The Care Planning, Placement and Case Review (England) Regulations 2010, reg 33, require a
looked-after child's first review within 20 working days of the start of a period of care, the
second not more than three months after the first, and later reviews at intervals of not more
than six months. Children placed for adoption follow reg 36 of the Adoption Agencies Regulations
2005 (first review within four weeks of the placement, then three months, then six). Every
review restarts the clock from the date it was actually held.

Public functions
----------------
:func:`review_schedule`
    one row per review held and per review due but not held, with its due date and status.
:func:`timeliness_summary`
    the three headline metrics (reviews held, reviews due, children) with Wilson intervals.
:func:`reconcile_timeliness`
    the schedule variants and record counts behind a published timeliness figure.
:func:`published_consistency`
    whether a published percentage agrees with the published counts.
:func:`review_count_change`
    why the number of reviews changed between two years.
:func:`monthly_timeliness`
    on-time share of reviews held, month by month (input to an XmR chart).
:func:`monthly_xmr`
    the monthly series as an XmR chart with the NHS Making Data Count rules.
:func:`monthly_pchart`
    the monthly series as a Laney p′ chart (or p-chart), whose limits follow each month's count.
:func:`exception_list`
    the child-level list of every late, missed, doubtful or excluded review (restricted).
:func:`published_figures`, :func:`has_previous_year`
    parameter checks for the notebooks.

Every modelling choice is a keyword option whose default is the statutory reading, so that an
analyst can reproduce a local variant (28 calendar days for the first review, 91/183 days
instead of calendar months, ``<`` instead of ``<=``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from .calendar import add_working_days, parse_year, working_day_holidays, year_bounds, year_label
from .errors import ParameterError

__all__ = [
    "SCHEDULE_COLUMNS",
    "SUMMARY_COLUMNS",
    "STATUSES",
    "review_schedule",
    "timeliness_summary",
    "reconcile_timeliness",
    "published_consistency",
    "TimelinessReconciliation",
    "review_count_change",
    "monthly_timeliness",
    "monthly_xmr",
    "exception_list",
    "published_figures",
    "has_previous_year",
]

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

#: Columns of :func:`timeliness_summary`, in order.
SUMMARY_COLUMNS = (
    "metric",
    "numerator",
    "denominator",
    "percent",
    "ci_low",
    "ci_high",
    "not_judged",
    "year",
    "description",
)

#: Values of the ``status`` column of :func:`review_schedule`.
STATUSES = ("on_time", "late", "missed", "not_judged", "excluded")

_FIRST_RULES = ("20_working_days", "28_days")
_INTERVAL_RULES = ("calendar_months", "days")
_COMPARISONS = ("<=", "<")

_METRIC_DESCRIPTIONS = {
    "reviews_held": (
        "Reviews held in the year that were held on or before their due date, out of all reviews "
        "held in the year that could be judged (the figure most IRO reports quote)."
    ),
    "reviews_due": (
        "Review due dates falling in the year that were met on time, out of all due dates in the "
        "year; a review that was due but not held by the end of the year counts as not on time."
    ),
    "children": (
        "Children with at least one review due in the year all of whose due reviews were held on "
        "time, out of all children with a review due in the year."
    ),
}


# --------------------------------------------------------------------------------------------
# option handling
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    first_review: str
    later_intervals: str
    comparison: str
    include_adoption_schedule: bool
    close_days: int

    @property
    def first_name(self) -> str:
        return "first_20_working_days" if self.first_review == "20_working_days" else "first_28_days"

    @property
    def second_name(self) -> str:
        return "second_3_months" if self.later_intervals == "calendar_months" else "second_91_days"

    @property
    def subsequent_name(self) -> str:
        return "subsequent_6_months" if self.later_intervals == "calendar_months" else "subsequent_183_days"

    def add_interval(self, dates: np.ndarray, months: int) -> np.ndarray:
        """Add 3 or 6 months (or 91/183 days) to datetime64[ns] values; NaT stays NaT."""
        return self.add_intervals(dates, (months,))[0]

    def add_intervals(self, dates: np.ndarray, months: tuple) -> list:
        """:meth:`add_interval` for several intervals at once (one pass over the dates)."""
        if self.later_intervals == "days":
            return [dates + np.timedelta64(91 if k == 3 else 183, "D") for k in months]
        return _by_day(dates, [_month_adder(k) for k in months])

    def step(self, dates: np.ndarray, position: np.ndarray) -> np.ndarray:
        """Next due date after a review (held or due) at chain position ``position``.

        Position 1 (a first review) is followed by the 3-month interval, anything else by the
        6-month interval; an unknown position (0) counts as "after the second".
        """
        first = np.asarray(position) == 1
        if not first.any() or first.all():
            return self.add_interval(dates, 3 if len(first) and first[0] else 6)
        plus3, plus6 = self.add_intervals(dates, (3, 6))
        return np.where(first, plus3, plus6)

    def on_time(self, review: np.ndarray, due: np.ndarray) -> np.ndarray:
        return review <= due if self.comparison == "<=" else review < due


def _check_options(first_review, later_intervals, comparison, include_adoption_schedule, close_days) -> _Rules:
    if first_review not in _FIRST_RULES:
        raise ParameterError(
            f"first_review={first_review!r} is not recognised: use '20_working_days' (reg 33(1), "
            "the default) or '28_days'."
        )
    if later_intervals not in _INTERVAL_RULES:
        raise ParameterError(
            f"later_intervals={later_intervals!r} is not recognised: use 'calendar_months' (reg 33(2), "
            "the default) or 'days' (91 and 183 days)."
        )
    if comparison not in _COMPARISONS:
        raise ParameterError(
            f"comparison={comparison!r} is not recognised: use '<=' (on the due date counts as on time, "
            "the default) or '<'."
        )
    try:
        close = int(close_days)
    except (TypeError, ValueError):
        raise ParameterError(f"close_days={close_days!r} must be a whole number of days.") from None
    if close < 0:
        raise ParameterError(f"close_days={close_days!r} must not be negative.")
    return _Rules(first_review, later_intervals, comparison, bool(include_adoption_schedule), close)


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------


def _table(data, name: str):
    table = getattr(data, name, None)
    if table is None and isinstance(data, dict):
        table = data.get(name)
    return table


def _collection_years(data) -> list[int]:
    years = set()
    for name in ("episodes", "reviews", "header"):
        table = _table(data, name)
        if table is not None and "collection_year" in table.columns:
            years.update(int(y) for y in pd.unique(table["collection_year"].dropna()))
    return sorted(years)


def _coverage(data, year: int) -> pd.Timestamp:
    """First day from which the loaded returns list every review held.

    With a multi-year stack this is 1 April of the earliest collection year; a single return
    without a ``collection_year`` column is taken to be the return for ``year``.
    """
    years = _collection_years(data)
    if not years:
        return year_bounds(year)[0]
    if year < years[0] or year > years[-1]:
        raise ParameterError(
            f"year {year} ({year_label(year)}) is not covered by the loaded returns "
            f"(collection years {years[0]}-{years[-1]}): load the return for {year_label(year)} "
            "or choose a year inside that range."
        )
    missing = sorted(set(range(years[0], year + 1)) - set(years))
    if missing:
        raise ParameterError(
            f"the loaded returns skip collection year(s) {missing}: reviews held in those years are "
            "unknown, so the schedule cannot be followed. Load every year up to the reporting year."
        )
    return year_bounds(years[0])[0]


def _child_array(values) -> np.ndarray:
    """Child identifiers as an object array of Python strings (missing -> "")."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    arr = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(arr, skipna=True) not in ("string", "empty"):
        arr = series.astype(str).to_numpy(dtype=object)
    missing = pd.isna(series).to_numpy()
    if missing.any():
        arr = np.where(missing, "", arr)
    return arr


def _child_codes(first: pd.Series, second: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer codes for the children of two CHILD columns, as :func:`_child_array` reads them.

    Returns the codes of each column and the identifiers (object array) indexed by code;
    codes follow the first appearance in ``first`` then ``second``.
    """
    parts = []
    for series in (first, second):
        arr = series.to_numpy(dtype=object)
        # strings (missing values included) go to the hash table as they are; anything else
        # is converted the way _child_array does
        if not isinstance(series.dtype, pd.StringDtype) and pd.api.types.infer_dtype(arr, skipna=True) not in (
            "string",
            "empty",
        ):
            arr = _child_array(series)
        parts.append(arr)
    codes, uniques = pd.factorize(np.concatenate(parts))
    uniques = np.asarray(uniques, dtype=object)
    missing = codes < 0
    if missing.any():  # a missing CHILD is the child "" (as in _child_array)
        blank = np.flatnonzero(uniques == "")
        if len(blank):
            codes[missing] = blank[0]
        else:
            codes[missing] = len(uniques)
            uniques = np.append(uniques, np.array([""], dtype=object))
    codes = codes.astype(np.int64, copy=False)
    return codes[: len(parts[0])], codes[len(parts[0]):], uniques


def _int_or_minus_one(values) -> np.ndarray:
    """Whole numbers as int64 with -1 for missing values."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(numbers), -1, numbers).astype(np.int64)


def _review_arrays(data, *, raw_child: bool = False) -> dict:
    """The reviews table as numpy arrays (CHILD, review_date, REVIEW_CODE, collection_year, source_row).

    With ``raw_child`` the CHILD column is left as it is (see :func:`_child_codes`).
    """
    reviews = _table(data, "reviews")
    if reviews is None:
        raise ParameterError(
            "the data have no reviews table: review timeliness needs the Reviews file of the return "
            "(columns CHILD, DOB, REVIEW, REVIEW_CODE)."
        )
    missing = [c for c in ("CHILD", "REVIEW") if c not in reviews.columns]
    if missing:
        raise ParameterError(f"the reviews table lacks column(s) {missing}: it needs CHILD and REVIEW.")
    n = len(reviews)
    return {
        "CHILD": reviews["CHILD"] if raw_child else _child_array(reviews["CHILD"]),
        "review_date": pd.to_datetime(reviews["REVIEW"], errors="coerce").to_numpy(dtype="datetime64[ns]"),
        "REVIEW_CODE": (
            reviews["REVIEW_CODE"].to_numpy(dtype=object) if "REVIEW_CODE" in reviews.columns
            else np.full(n, None, dtype=object)
        ),
        "collection_year": (
            _int_or_minus_one(reviews["collection_year"]) if "collection_year" in reviews.columns
            else np.full(n, -1, dtype=np.int64)
        ),
        "source_row": _source_rows(reviews, getattr(data, "_lines", None)),
    }


def _reviews_frame(data) -> pd.DataFrame:
    """The reviews table in the shape the schedule uses (nullable integers for year and line)."""
    arrays = _review_arrays(data)
    frame = pd.DataFrame({k: v for k, v in arrays.items() if k not in ("collection_year", "source_row")})
    for col in ("collection_year", "source_row"):
        frame[col] = _int_array(arrays[col], arrays[col] < 0)
    return frame


def _source_rows(table: pd.DataFrame, lines=None) -> np.ndarray:
    """1-based line of each record in its source file (header = line 1), -1 when unknown."""
    if isinstance(lines, dict):
        kept = lines.get("reviews")
        if kept is not None and len(kept) == len(table):
            values = np.asarray(kept, dtype=np.int64)
            return np.where(values > 0, values, -1)
    for col in ("source_row", "row", "_row", "line"):
        if col in table.columns:
            return _int_or_minus_one(table[col])
    return np.full(len(table), -1, dtype=np.int64)


_PERIOD_COLUMNS = (
    "CHILD",
    "period_number",
    "period_start",
    "period_end",
    "short_breaks_only",
    "remand",
    "placed_for_adoption",
    "adoption_placement_start",
)


def _period_arrays(data, periods, *, raw_child: bool = False) -> dict:
    """Periods of care as numpy arrays (computed with cohorts.periods_of_care unless given)."""
    if periods is None:
        from .cohorts import periods_of_care

        periods = periods_of_care(data)
    if not isinstance(periods, pd.DataFrame):
        raise ParameterError("periods must be the DataFrame returned by iro_analysis.cohorts.periods_of_care.")
    missing = [c for c in _PERIOD_COLUMNS if c not in periods.columns]
    if missing:
        raise ParameterError(
            f"periods lacks column(s) {missing}: pass the output of iro_analysis.cohorts.periods_of_care."
        )
    out = {"CHILD": periods["CHILD"] if raw_child else _child_array(periods["CHILD"])}
    for col in ("period_start", "period_end", "adoption_placement_start"):
        out[col] = pd.to_datetime(periods[col]).to_numpy(dtype="datetime64[ns]")
    for col in ("short_breaks_only", "remand", "placed_for_adoption"):
        values = periods[col]
        out[col] = (values.fillna(False) if values.hasnans else values).to_numpy(dtype=bool)
    out["period_number"] = periods["period_number"].to_numpy(dtype=np.int64)
    return out


def _periods_frame(data, periods) -> pd.DataFrame:
    """Periods of care as a DataFrame sorted by child and start (used by the reference loop)."""
    frame = pd.DataFrame(_period_arrays(data, periods))
    return frame.sort_values(["CHILD", "period_start"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# the schedule
# --------------------------------------------------------------------------------------------


# Rule names (index = code used internally).
_RULE_NAMES = np.array(
    [
        None,
        "first_20_working_days",
        "first_28_days",
        "second_3_months",
        "second_91_days",
        "subsequent_6_months",
        "subsequent_183_days",
        "adoption_first_4_weeks",
        "adoption_second_3_months",
        "adoption_second_91_days",
        "adoption_subsequent_6_months",
        "adoption_subsequent_183_days",
        "latest_possible_due_date",
        "second_or_subsequent",
    ],
    dtype=object,
)
_R_LATEST, _R_AMBIGUOUS = 12, 13
_STATUS_NAMES = np.array(["on_time", "late", "missed", "not_judged", "excluded"], dtype=object)
_S_ON_TIME, _S_LATE, _S_MISSED, _S_NOT_JUDGED, _S_EXCLUDED = range(5)
_EXCLUSION_NAMES = np.array(
    [None, "outside_period_of_care", "short_breaks_only", "before_loaded_returns", "duplicate_same_day"], dtype=object
)
_FLAG_NAMES = ("remand", "placed_for_adoption", "history_before_loaded_returns", "close_to_previous",
               "due_date_upper_bound")
_FLAG_TEXT_BY_BITS = np.array(
    [";".join(name for b, name in enumerate(_FLAG_NAMES) if bits >> b & 1) for bits in range(1 << len(_FLAG_NAMES))],
    dtype=object,
)
_NAT = np.datetime64("NaT", "ns")
_ONE_DAY = np.timedelta64(1, "D")


def _rule_codes(position: np.ndarray, adopt: np.ndarray, rules: "_Rules") -> np.ndarray:
    """Rule code of a due date at chain ``position`` (1, 2, 3+) in reg 33 or reg 36 mode."""
    months = rules.later_intervals == "calendar_months"
    first = 1 if rules.first_review == "20_working_days" else 2
    second = np.where(adopt, 8 if months else 9, 3 if months else 4)
    later = np.where(adopt, 10 if months else 11, 5 if months else 6)
    return np.where(position == 1, np.where(adopt, 7, first), np.where(position == 2, second, later)).astype(np.int8)


def _first_due(starts: np.ndarray, rules: "_Rules") -> np.ndarray:
    if rules.first_review == "28_days":
        return starts + np.timedelta64(28, "D")
    valid = ~np.isnat(starts)
    out = np.full(len(starts), _NAT, dtype="datetime64[ns]")
    if valid.any():
        days = starts[valid]
        lo = int(str(days.min())[:4]) - 1
        hi = int(str(days.max())[:4]) + 1
        holidays = working_day_holidays(lo, hi)
        out = _by_day(starts, lambda d: add_working_days(pd.DatetimeIndex(d), 20, holidays=holidays).values, floor=True)
    return out


_DAY_NS = 86_400_000_000_000


def _month_adder(months: int):
    def add(dates: np.ndarray) -> np.ndarray:
        return (pd.DatetimeIndex(dates) + pd.DateOffset(months=months)).values.astype("datetime64[ns]")

    return add


def _by_day(dates: np.ndarray, funcs, *, floor: bool = False):
    """``func(dates)`` for date-wise functions (NaT -> NaT), each evaluated once per distinct day.

    Many rows share few days, so each function runs on the range of days spanned and the
    results are looked up. With ``floor=False`` every value must be midnight (a function may
    keep the time of day); otherwise, or when the range is wide, the functions run on
    ``dates`` directly. ``funcs`` is one function (one array returned) or a list (a list).
    """
    if callable(funcs):
        return _by_day(dates, [funcs], floor=floor)[0]
    n = len(dates)
    if n < 4096:
        return [f(dates) for f in funcs]
    nat = np.isnat(dates)
    ns = dates.view(np.int64)
    day = ns // _DAY_NS
    if not floor and ((ns - day * _DAY_NS != 0) & ~nat).any():
        return [f(dates) for f in funcs]
    has_nat = nat.any()
    valid_days = day[~nat] if has_nat else day
    if not len(valid_days):
        return [f(dates) for f in funcs]
    lo, hi = int(valid_days.min()), int(valid_days.max())
    if hi - lo > 2 * n:
        return [f(dates) for f in funcs]
    span = (np.arange(lo, hi + 1, dtype=np.int64) * _DAY_NS).view("datetime64[ns]")
    index = np.where(nat, 0, day - lo) if has_nat else day - lo
    out = []
    for f in funcs:
        values = f(span)[index]
        if has_nat:
            values[nat] = _NAT
        out.append(values)
    return out


def _day_numbers(dates: np.ndarray) -> np.ndarray:
    """Whole days since 1 Jan 1800 (positive for every plausible date), for integer sort keys."""
    return (dates.astype("datetime64[D]") - np.datetime64("1800-01-01")).astype(np.int64)


def _objects(values) -> pd.Series:
    """An object-dtype column (no string inference: identifiers and labels stay Python objects)."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object, copy=False)


def _int_array(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), np.asarray(missing, dtype=bool))



def _group_positions(group_id: np.ndarray) -> np.ndarray:
    """1-based position of each row within consecutive runs of equal ``group_id``."""
    n = len(group_id)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, group_id[1:] != group_id[:-1]]
    start_index = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n) - start_index + 1


def review_schedule(
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
    reviews = _review_arrays(data, raw_child=True)
    coverage = _coverage(data, year)
    per = _period_arrays(data, periods, raw_child=True)
    schedule = _build_schedule(reviews, per, rules, year, year_start, year_end, coverage)
    schedule.attrs["year"] = year
    return schedule


def _build_schedule(reviews, per, rules: "_Rules", year, year_start, year_end, coverage) -> pd.DataFrame:
    ys, ye, cov = (np.datetime64(t, "ns") for t in (year_start, year_end, coverage))
    upper_bound = rules.add_interval(np.array([cov - _ONE_DAY], dtype="datetime64[ns]"), 6)[0]

    # ---- children as integer codes ----------------------------------------------------------
    # periods first: periods_of_care lists them by child and start, so their codes come out
    # sorted and the periods need no sort; the output keeps the order of first appearance in
    # the reviews then the periods (``rank``)
    n_all = len(reviews["CHILD"])
    pc, rc_all, uniques = _child_codes(per["CHILD"], reviews["CHILD"])
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[pd.unique(np.concatenate([rc_all, pc]))] = np.arange(len(uniques))

    # ---- periods starting by the end of the year, ordered by child and start -----------------
    start_all = per["period_start"]
    porder = np.flatnonzero(start_all <= ye)
    pday = _day_numbers(start_all[porder])
    if len(porder) and (pc[porder].max() < 1 << 37 and pday.min() >= 0 and pday.max() < 1 << 18):
        pkey = (pc[porder] << 26) | (pday << 8)
        if not (pkey[1:] >= pkey[:-1]).all():
            porder = porder[np.argsort(pkey, kind="stable")]
    else:
        porder = porder[np.lexsort((pday, pc[porder]))]
    m = len(porder)
    if m and porder[-1] - porder[0] == m - 1:  # one run of rows: slices, not copies
        porder = slice(int(porder[0]), int(porder[0]) + m)
    pc = pc[porder]
    per_start = start_all[porder]
    per_end = per["period_end"][porder]
    per_pn = per["period_number"][porder]
    per_sb = per["short_breaks_only"][porder]
    per_remand = per["remand"][porder]
    per_pfa = per["placed_for_adoption"][porder]
    per_place = per["adoption_placement_start"][porder]
    if not rules.include_adoption_schedule:
        per_place = np.full(m, _NAT, dtype="datetime64[ns]")
    per_first = _first_due(per_start, rules) if m else per_start.copy()

    rdate_all = reviews["review_date"]
    cy_all = reviews["collection_year"]
    src_all = reviews["source_row"]
    code_all = reviews["REVIEW_CODE"]

    # records dated up to the end of the year (undated ones are counted by reconcile_timeliness),
    # ordered by child, date, return (a missing year last) and input order: one stable argsort of
    # one packed integer key (child code | day | year rank)
    src = np.flatnonzero(~np.isnat(rdate_all) & (rdate_all <= ye))
    rc, rdate, cy = rc_all[src], rdate_all[src], cy_all[src]
    rday = _day_numbers(rdate)
    cy_rank = np.where(cy < 0, 255, np.clip(cy - 1900, 0, 254))
    # (days are clipped to 1800-2517 for the key only: dates outside are errors and sort to the ends)
    rkey_day = np.clip(rday, 0, (1 << 18) - 1)
    pkey_day = np.clip(_day_numbers(per_start), 0, (1 << 18) - 1)
    order = np.argsort((rc << 26) | (rkey_day << 8) | cy_rank, kind="stable")
    src, rc, rdate, cy, rday, rkey_day = (a[order] for a in (src, rc, rdate, cy, rday, rkey_day))
    n_r = len(src)
    # a review listed by two returns counts once, from the latest return
    if n_r and (cy >= 0).any():
        start = np.r_[True, (rc[1:] != rc[:-1]) | (rday[1:] != rday[:-1])]
        first = np.flatnonzero(start)
        latest = np.maximum.reduceat(cy, first)[np.cumsum(start) - 1]
        keep = (cy == latest) | (cy < 0)
        src, rc, rdate, cy, rday, rkey_day = (a[keep] for a in (src, rc, rdate, cy, rday, rkey_day))
        n_r = len(src)

    # ---- the period of care containing each review ----------------------------------------
    # the child's last period starting on or before the review's day: start from the child's
    # last period and step back (children have few periods, so few passes)
    last_of_child = np.full(len(uniques) + 1, -1, dtype=np.int64)
    if m:
        ends = np.flatnonzero(np.r_[pc[1:] != pc[:-1], True])
        last_of_child[pc[ends]] = ends
    cand = last_of_child[rc]
    todo = np.flatnonzero(cand >= 0)
    todo = todo[pkey_day[cand[todo]] > rkey_day[todo]]
    while len(todo):
        c = cand[todo] - 1
        same_child = c >= 0
        same_child[same_child] = pc[c[same_child]] == rc[todo[same_child]]
        cand[todo] = np.where(same_child, c, -1)
        todo = todo[same_child]
        todo = todo[pkey_day[cand[todo]] > rkey_day[todo]]
    valid = cand >= 0
    safe = np.where(valid, cand, 0)
    if m:
        valid &= per_start[safe] <= rdate
    end = per_end[safe] if m else np.full(n_r, _NAT, dtype="datetime64[ns]")
    inside = valid & (np.isnat(end) | (rdate <= end))
    pidx = np.where(inside, safe, -1)

    reason = np.zeros(n_r, dtype=np.int8)
    reason[~inside] = 1
    if m:
        reason[(reason == 0) & per_sb[safe]] = 2
    reason[(reason == 0) & (rdate < cov)] = 3
    # several records of one child on one day: the first counts (rows are in date order)
    kept = np.flatnonzero(reason == 0)
    same = (rc[kept][1:] == rc[kept][:-1]) & (rday[kept][1:] == rday[kept][:-1])
    reason[kept[1:][same]] = 4

    # ---- reviews in each period's chain ----------------------------------------------------
    ch = reason == 0
    h_src, h_date, p = src[ch], rdate[ch], pidx[ch]
    n = len(p)
    new_group = np.r_[True, p[1:] != p[:-1]] if n else np.zeros(0, dtype=bool)
    k = _group_positions(p)
    prev = np.r_[_NAT, h_date[:-1]].astype("datetime64[ns]") if n else h_date.copy()
    prev[new_group] = _NAT
    placement = per_place[p]
    adopt = ~np.isnat(placement) & (h_date >= placement)
    j = np.zeros(n, dtype=np.int64)
    if n:
        cs = np.cumsum(adopt.astype(np.int64))
        group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
        j = np.where(adopt, cs - (cs[group_start] - adopt[group_start]), 0)
    position = np.where(adopt, j, k)
    pstart = per_start[p]
    known = np.where(adopt, placement >= cov, pstart >= cov)
    first_due = np.where(adopt, placement + np.timedelta64(28, "D"), per_first[p])
    # (3 months after every previous review, used only at position 2)
    plus3, plus6 = rules.add_intervals(prev, (3, 6))
    due = np.where(position == 1, first_due, np.where(position == 2, plus3, plus6))
    rule = _rule_codes(position, adopt, rules)
    status = np.where(rules.on_time(h_date, due), _S_ON_TIME, _S_LATE).astype(np.int8)
    # unknown history: the chain began before the loaded returns (nothing is guessed)
    unk1 = ~known & (position == 1)
    certain = unk1 & (h_date > upper_bound)
    due = np.where(unk1, np.where(certain, upper_bound, _NAT), due)
    rule = np.where(unk1, np.where(certain, _R_LATEST, 0), rule)
    status = np.where(unk1, np.where(certain, _S_LATE, _S_NOT_JUDGED), status)
    unk2 = ~known & (position == 2)
    ok_both = rules.on_time(h_date, plus3)
    late_both = ~rules.on_time(h_date, plus6)
    due = np.where(unk2, np.where(ok_both | late_both, plus6, _NAT), due)
    status = np.where(unk2, np.where(ok_both, _S_ON_TIME, np.where(late_both, _S_LATE, _S_NOT_JUDGED)), status)
    rule = np.where(unk2, _R_AMBIGUOUS, rule)
    chain_pos = np.where(~known & (position <= 2), 0, position)
    gap = (h_date - prev) / np.timedelta64(1, "D")
    close = ~np.isnat(prev) & (gap < rules.close_days)
    h_bits = (per_remand[p] * 1 | per_pfa[p] * 2 | (pstart < cov) * 4 | close * 8 | certain * 16).astype(np.int64)

    # ---- missed reviews: the tail of each period's chain -----------------------------------
    limit_year = ye + _ONE_DAY
    period_limit = np.where(np.isnat(per_end), limit_year, np.minimum(per_end, limit_year))
    last_stat = np.full(m, -1, dtype=np.int64)
    last_adopt = np.full(m, -1, dtype=np.int64)
    rows = np.arange(n)
    np.maximum.at(last_stat, p[~adopt], rows[~adopt])
    np.maximum.at(last_adopt, p[adopt], rows[adopt])
    has_place = ~np.isnat(per_place)
    known_stat = per_start >= cov
    known_adopt = has_place & (per_place >= cov)

    def after(last):
        i = np.where(last >= 0, last, 0)
        if not n:
            return np.full(m, _NAT, dtype="datetime64[ns]"), np.zeros(m, dtype=np.int64)
        pos = chain_pos[i]
        return rules.step(h_date[i], pos), np.where(pos == 0, 0, pos + 1)

    a_due, a_pos = after(last_stat)
    has_stat = last_stat >= 0
    seg_due = [np.where(has_stat, a_due, np.where(known_stat, per_first, upper_bound))]
    seg_pos = [np.where(has_stat, a_pos, np.where(known_stat, 1, 0))]
    seg_adopt = [np.zeros(m, dtype=bool)]
    seg_limit = [np.where(has_place, np.minimum(period_limit, per_place), period_limit)]
    seg_upper = [~has_stat & ~known_stat]
    seg_p = [np.arange(m)]
    b_due, b_pos = after(last_adopt)
    has_adopt = last_adopt >= 0
    b_ok = has_place & (per_place < period_limit)
    seg_due.append(np.where(has_adopt, b_due, np.where(known_adopt, per_place + np.timedelta64(28, "D"), upper_bound)))
    seg_pos.append(np.where(has_adopt, b_pos, np.where(known_adopt, 1, 0)))
    seg_adopt.append(np.ones(m, dtype=bool))
    seg_limit.append(np.where(b_ok, period_limit, np.datetime64("1800-01-01", "ns")))
    seg_upper.append(~has_adopt & ~known_adopt)
    seg_p.append(np.arange(m))
    s_due, s_pos, s_adopt, s_limit, s_upper, s_p = (
        np.concatenate(x) for x in (seg_due, seg_pos, seg_adopt, seg_limit, seg_upper, seg_p)
    )
    eligible = ~per_sb[s_p] if m else np.zeros(0, dtype=bool)
    out_p, out_due, out_pos, out_adopt, out_upper = [], [], [], [], []
    active = eligible & ~np.isnat(s_due) & (s_due < s_limit)
    while active.any():
        idx = np.flatnonzero(active)
        s_due, s_pos, s_adopt, s_limit, s_upper, s_p = (a[idx] for a in (s_due, s_pos, s_adopt, s_limit, s_upper, s_p))
        out_p.append(s_p), out_due.append(s_due), out_pos.append(s_pos), out_adopt.append(s_adopt)
        out_upper.append(s_upper)
        s_due = rules.step(s_due, s_pos)
        s_pos = np.where(s_pos == 0, 0, s_pos + 1)
        s_upper = np.zeros(len(idx), dtype=bool)
        active = s_due < s_limit
    if out_p:
        m_p, m_due, m_pos, m_adopt, m_upper = (np.concatenate(x) for x in (out_p, out_due, out_pos, out_adopt, out_upper))
    else:
        m_p = np.zeros(0, np.int64)
        m_due = np.zeros(0, "datetime64[ns]")
        m_pos = np.zeros(0, np.int64)
        m_adopt = m_upper = np.zeros(0, bool)
    m_rule = np.where(m_upper, _R_LATEST, _rule_codes(m_pos, m_adopt, rules)).astype(np.int8)
    m_bits = (per_remand[m_p] * 1 | per_pfa[m_p] * 2 | m_upper * 16).astype(np.int64)

    # ---- excluded records --------------------------------------------------------------------
    ex = reason > 0
    e_reason = reason[ex]
    # rows other than "outside" keep the period they fall in
    e_p = np.where(e_reason == 1, -1, np.where(pidx[ex] >= 0, pidx[ex], -1))
    ne, nm = int(ex.sum()), len(m_p)

    # ---- assemble ------------------------------------------------------------------------------
    # held, missed, excluded rows one after the other; columns derived from these are computed
    # after the final ordering (one gather per column)
    a_pidx = np.concatenate([p, m_p, e_p]).astype(np.int64)
    a_cid = np.concatenate([rc[ch], pc[m_p] if nm else np.zeros(0, np.int64), rc[ex]])
    a_rdate = np.concatenate([h_date, np.full(nm, _NAT, "datetime64[ns]"), rdate[ex]])
    a_due = np.concatenate([due, m_due, np.full(ne, _NAT, "datetime64[ns]")]).astype("datetime64[ns]")
    a_status = np.concatenate([status, np.full(nm, _S_MISSED), np.full(ne, _S_EXCLUDED)]).astype(np.int8)
    has_p = a_pidx >= 0
    a_pn = np.where(has_p, per_pn[np.where(has_p, a_pidx, 0)] if m else 0, 0)

    # ---- final order: child, period, date, excluded rows last ------------------------------------
    sort_day = _day_numbers(np.where(np.isnat(a_rdate), a_due, a_rdate))
    a_rank = rank[a_cid]
    if len(a_pn) and (a_pn.max() >= 1 << 12 or sort_day.min() < 0 or sort_day.max() >= 1 << 18):
        order = np.lexsort((a_status == _S_EXCLUDED, sort_day, a_pn, a_rank))
    else:
        order = np.argsort(
            (a_rank << 31) | (a_pn << 19) | (sort_day << 1) | (a_status == _S_EXCLUDED), kind="stable"
        )

    def o(*pieces):
        """The concatenation of ``pieces`` (held, missed, excluded rows) in the final order."""
        return np.concatenate(pieces)[order] if len(pieces) > 1 else pieces[0][order]

    # ---- frame -----------------------------------------------------------------------------------
    pidx_o = o(a_pidx)
    has_p_o = pidx_o >= 0
    ps_o = np.where(has_p_o, pidx_o, 0)
    pstart_o = np.where(has_p_o, per_start[ps_o], _NAT) if m else np.full(len(order), _NAT)
    pend_o = np.where(has_p_o, per_end[ps_o], _NAT) if m else np.full(len(order), _NAT)
    rdate_o, due_o, status_o = o(a_rdate), o(a_due), o(a_status)
    late_days = (rdate_o - due_o) / np.timedelta64(1, "D")
    stop = np.where(np.isnat(pend_o), ye, np.minimum(pend_o - _ONE_DAY, ye))
    overdue = (stop - due_o) / np.timedelta64(1, "D")
    days_o = np.select(
        [status_o == _S_LATE, status_o == _S_ON_TIME, status_o == _S_MISSED],
        [np.maximum(late_days, 0), np.zeros(len(status_o)), overdue],
        default=np.nan,
    )
    held_in = ~np.isnat(rdate_o) & (rdate_o >= ys) & (rdate_o <= ye)
    due_in = ~np.isnat(due_o) & (due_o >= ys) & (due_o <= ye) & (status_o != _S_EXCLUDED)
    src_o = o(h_src, np.full(nm, -1, np.int64), src[ex])
    has_src = src_o >= 0
    src_safe = np.where(has_src, src_o, 0)
    cy_o = np.where(has_src, cy_all[src_safe] if n_all else -1, -1)
    sr_o = np.where(has_src, src_all[src_safe] if n_all else -1, -1)
    review_code = code_all[src_safe] if n_all else np.full(len(src_o), None, dtype=object)
    review_code[~has_src] = None
    none_after_held = np.ones(nm + ne, bool)
    zeros_after_held = np.zeros(nm + ne, np.int64)
    out = pd.DataFrame(
        {
            "CHILD": _objects(uniques[o(a_cid)] if len(uniques) else np.zeros(0, dtype=object)),
            "period_number": _int_array(o(a_pn), ~has_p_o),
            "period_start": pstart_o,
            "period_end": pend_o,
            "review_number": _int_array(o(k, zeros_after_held), o(pstart < cov, none_after_held)),
            "adoption_review_number": _int_array(o(j, zeros_after_held), o(~adopt, none_after_held)),
            "review_date": rdate_o,
            "previous_review_date": o(prev, np.full(nm + ne, _NAT, "datetime64[ns]")),
            "due_date": due_o,
            "rule": _objects(_RULE_NAMES[o(rule.astype(np.int8), m_rule, np.zeros(ne, np.int8))]),
            "on_time": status_o == _S_ON_TIME,
            "days_late": _int_array(np.nan_to_num(days_o).astype(np.int64), np.isnan(days_o)),
            "status": _objects(_STATUS_NAMES[status_o]),
            "exclusion_reason": _objects(_EXCLUSION_NAMES[o(np.zeros(n + nm, np.int8), e_reason.astype(np.int8))]),
            "in_year": held_in | due_in,
            "held_in_year": held_in,
            "due_in_year": due_in,
            "flags": _objects(_FLAG_TEXT_BY_BITS[o(h_bits.astype(np.int8), m_bits.astype(np.int8), np.zeros(ne, np.int8))]),
            "REVIEW_CODE": _objects(review_code),
            "collection_year": _int_array(cy_o, cy_o < 0),
            "source_row": _int_array(sr_o, sr_o < 0),
        },
        columns=list(SCHEDULE_COLUMNS),
        copy=False,  # every array above is new: no need to copy them again
    )
    return out


# --------------------------------------------------------------------------------------------
# metrics
# --------------------------------------------------------------------------------------------


def _wilson(x, n, confidence=0.95):
    try:
        from .stats import wilson_interval
    except ImportError:  # the stats subpackage is optional at import time
        from statsmodels.stats.proportion import proportion_confint

        x = np.asarray(x, dtype=float)
        n = np.asarray(n, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            low, high = proportion_confint(x, np.where(n > 0, n, 1), alpha=1 - confidence, method="wilson")
        return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)
    return wilson_interval(x, n, confidence=confidence)


def _check_schedule(schedule) -> None:
    if not isinstance(schedule, pd.DataFrame):
        raise ParameterError("schedule must be the DataFrame returned by review_schedule.")
    missing = [c for c in ("CHILD", "status", "review_date", "due_date", "on_time") if c not in schedule.columns]
    if missing:
        raise ParameterError(
            f"schedule lacks column(s) {missing}: pass the DataFrame returned by review_schedule."
        )


def _metric_counts(schedule: pd.DataFrame, year: int) -> dict:
    ys, ye = year_bounds(year)
    review = schedule["review_date"].to_numpy(dtype="datetime64[ns]")
    due = schedule["due_date"].to_numpy(dtype="datetime64[ns]")
    ys64, ye64 = np.datetime64(ys, "ns"), np.datetime64(ye, "ns")
    # every metric counts rows held or due in the year: look at those rows only
    rows = np.flatnonzero(((review >= ys64) & (review <= ye64)) | ((due >= ys64) & (due <= ye64)))  # NaT: False
    review, due = review[rows], due[rows]
    held_in = (review >= ys64) & (review <= ye64)
    due_in = (due >= ys64) & (due <= ye64)
    # status as small integer codes: one hash pass instead of several string comparisons
    codes, labels = pd.factorize(schedule["status"].to_numpy(dtype=object)[rows])
    lookup = {label: i for i, label in enumerate(labels)}

    def code_of(name):
        return lookup.get(name, -2)

    on_time = codes == code_of("on_time")
    late = codes == code_of("late")
    not_judged = codes == code_of("not_judged")
    judged_held = held_in & (on_time | late)
    due_rows = due_in & (on_time | late | (codes == code_of("missed")))
    nj_held = int((held_in & not_judged).sum())
    # children: every due date of the child in the year met on time. A schedule lists each
    # child's rows together, so runs of one child are hashed once each
    child = schedule["CHILD"].to_numpy(dtype=object)[rows]
    due_child = child[due_rows]
    run_start = np.flatnonzero(np.r_[True, due_child[1:] != due_child[:-1]]) if len(due_child) else np.zeros(0, np.int64)
    run_codes, children = pd.factorize(due_child[run_start])
    run_failures = np.add.reduceat((~on_time[due_rows]).astype(np.int64), run_start) if len(run_start) else run_start
    failures = np.bincount(run_codes, weights=run_failures, minlength=len(children))
    nj_children = int(pd.unique(child[held_in & not_judged]).size)
    return {
        "reviews_held": (int((judged_held & on_time).sum()), int(judged_held.sum()), nj_held),
        "reviews_due": (int((due_rows & on_time).sum()), int(due_rows.sum()), nj_held),
        "children": (int((failures == 0).sum()), int(len(children)), nj_children),
    }


def timeliness_summary(schedule: pd.DataFrame, year, *, confidence: float = 0.95) -> pd.DataFrame:
    """The three review-timeliness metrics, each with a Wilson interval.

    Parameters
    ----------
    schedule : DataFrame
        Output of :func:`review_schedule` for the same ``year``.
    year : int or str
        Reporting year ending 31 March.
    confidence : float, default 0.95
        Level of the Wilson score interval.

    Returns
    -------
    DataFrame
        Three rows (``metric`` = ``reviews_held``, ``reviews_due``, ``children``) with columns
        ``metric, numerator, denominator, percent, ci_low, ci_high`` (0-100 scale),
        ``not_judged`` (reviews held in the year, or children with such a review, that could
        not be judged because the previous review is before the loaded returns; they are in no
        denominator), ``year`` (label such as ``"2022-23"``) and ``description`` (plain English).

    Raises
    ------
    ParameterError
        If ``schedule`` is not a review schedule.

    Notes
    -----
    * ``reviews_held`` = reviews held in the year on or before their due date / reviews held
      in the year that could be judged (duplicates, short breaks and reviews outside care
      excluded).
    * ``reviews_due`` = due dates in the year met on time / due dates in the year (a missed
      review counts as not on time).
    * ``children`` = children all of whose due dates in the year were met / children with a
      due date in the year.

    Interval: Wilson score (methods note §2.1), ``percent = 100 * numerator / denominator``;
    NaN when the denominator is 0.

    Examples
    --------
    >>> sched = pd.DataFrame({"CHILD": ["A", "A", "B"], "status": ["on_time", "late", "missed"],
    ...     "review_date": pd.to_datetime(["2022-05-01", "2022-11-20", None]),
    ...     "due_date": pd.to_datetime(["2022-05-10", "2022-11-01", "2022-12-01"]),
    ...     "on_time": [True, False, False]})
    >>> summary = timeliness_summary(sched, 2023)
    >>> summary[["metric", "numerator", "denominator"]].values.tolist()
    [['reviews_held', 1, 2], ['reviews_due', 1, 3], ['children', 0, 2]]
    >>> summary["percent"].round(2).tolist()
    [50.0, 33.33, 0.0]
    """
    year = parse_year(year)
    _check_schedule(schedule)
    attrs_year = schedule.attrs.get("year") if hasattr(schedule, "attrs") else None
    if attrs_year is not None and int(attrs_year) != year:
        raise ParameterError(
            f"this schedule was built for {year_label(int(attrs_year))}, not {year_label(year)}: "
            "build the schedule for the same year (it only lists missed reviews up to its year end)."
        )
    counts = _metric_counts(schedule, year)
    metrics = ["reviews_held", "reviews_due", "children"]
    num = np.array([counts[m][0] for m in metrics], dtype=float)
    den = np.array([counts[m][1] for m in metrics], dtype=float)
    low, high = _wilson(num, den, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(den > 0, 100 * num / np.where(den > 0, den, 1), np.nan)
    return pd.DataFrame(
        {
            "metric": metrics,
            "numerator": [counts[m][0] for m in metrics],
            "denominator": [counts[m][1] for m in metrics],
            "percent": pct,
            "ci_low": 100 * np.asarray(low, dtype=float),
            "ci_high": 100 * np.asarray(high, dtype=float),
            "not_judged": [counts[m][2] for m in metrics],
            "year": year_label(year),
            "description": [_METRIC_DESCRIPTIONS[m] for m in metrics],
        }
    )


# --------------------------------------------------------------------------------------------
# reconciliation with published figures
# --------------------------------------------------------------------------------------------


def _decimals(value, decimals=None) -> tuple[float, int]:
    """A published percentage as a number and the decimals it was published with."""
    text = str(value).strip().rstrip("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ParameterError(f"reported_percent={value!r} is not a percentage such as 95.4 or '94%'.") from None
    if decimals is None:
        decimals = max(0, -number.as_tuple().exponent)
    return float(number), int(decimals)


def _within_rounding(percent, reported: float, decimals: int) -> np.ndarray:
    """True where ``percent`` rounds to ``reported`` at ``decimals`` (half up or half even)."""
    half = 0.5 * 10.0 ** (-decimals)
    percent = np.asarray(percent, dtype=float)
    return np.abs(percent - reported) <= half + 1e-9


def published_consistency(reported_percent=None, reported_held=None, reported_on_time=None, *, percent_decimals=None):
    """Check that a published percentage agrees with the published counts.

    Parameters
    ----------
    reported_percent : float or str, optional
        The percentage in the report ("95.4" or "94%"); its decimals set the rounding
        tolerance unless ``percent_decimals`` is given.
    reported_held : int, optional
        Number of reviews the report says were held (the denominator).
    reported_on_time : int, optional
        Number it says were on time (the numerator).
    percent_decimals : int, optional
        Decimals the percentage was published with.

    Returns
    -------
    DataFrame
        Columns ``check, value, consistent, detail``: the percentage implied by the counts at
        full precision and at the published rounding, whether it matches the published
        percentage, and which numerators (for the published denominator) would give it.

    Examples
    --------
    Wokingham's 2022-23 IRO report: 95.4% in the text, 410 of 435 (94%) in Table M.
    410 / 435 = 0.942529 -> 94.25%, which rounds to 94% (consistent with the table) and to
    94.3% at one decimal, not 95.4%; 95.4% of 435 reviews would need 415 on time
    (415 / 435 = 95.40%).

    >>> t = published_consistency(95.4, 435, 410)
    >>> t.set_index("check").loc["percent_from_counts", "value"]
    94.25287356321839
    >>> bool(t.set_index("check").loc["reported_percent_matches_counts", "consistent"])
    False
    >>> t.set_index("check").loc["numerators_matching_reported_percent", "value"]
    '415'
    >>> bool(published_consistency("94%", 435, 410).set_index("check").loc[
    ...     "reported_percent_matches_counts", "consistent"])
    True
    """
    rows = []
    if reported_held is not None and reported_on_time is not None:
        held, on_time = int(reported_held), int(reported_on_time)
        if held <= 0 or on_time < 0 or on_time > held:
            raise ParameterError(
                f"reported_on_time={reported_on_time} and reported_held={reported_held} are not a valid count "
                "pair: need 0 <= on time <= held and held > 0."
            )
        exact = 100 * on_time / held
        rows.append(
            {
                "check": "percent_from_counts",
                "value": exact,
                "consistent": pd.NA,
                "detail": f"{on_time} / {held} = {on_time / held:.6f} -> {exact:.4f}%",
            }
        )
        if reported_percent is not None:
            pct, dec = _decimals(reported_percent, percent_decimals)
            ok = bool(_within_rounding(exact, pct, dec))
            rounded = round(exact, dec)
            rows.append(
                {
                    "check": "reported_percent_matches_counts",
                    "value": rounded,
                    "consistent": ok,
                    "detail": (
                        f"{exact:.4f}% rounds to {rounded:.{dec}f}% at {dec} decimal place(s); "
                        f"published {pct:.{dec}f}%: " + ("consistent." if ok else "NOT consistent.")
                    ),
                }
            )
            candidates = np.arange(held + 1)
            match = candidates[_within_rounding(100 * candidates / held, pct, dec)]
            rows.append(
                {
                    "check": "numerators_matching_reported_percent",
                    "value": ", ".join(str(int(x)) for x in match) if len(match) else "none",
                    "consistent": bool(on_time in set(match.tolist())),
                    "detail": (
                        f"on-time counts out of {held} that round to {pct:.{dec}f}%: "
                        + (", ".join(f"{int(x)} ({100 * x / held:.2f}%)" for x in match) if len(match) else "none")
                    ),
                }
            )
    elif reported_percent is not None:
        pct, dec = _decimals(reported_percent, percent_decimals)
        rows.append(
            {
                "check": "reported_percent",
                "value": pct,
                "consistent": pd.NA,
                "detail": f"published {pct:.{dec}f}% (no counts given to check it against).",
            }
        )
    out = pd.DataFrame(rows, columns=["check", "value", "consistent", "detail"])
    out["value"] = out["value"].astype(object)
    return out


@dataclass
class TimelinessReconciliation:
    """Result of :func:`reconcile_timeliness`.

    Attributes
    ----------
    variants : DataFrame
        One row per schedule variant and metric (see :func:`reconcile_timeliness`).
    counts : DataFrame
        Step-by-step count from review records to the metric denominators.
    published : DataFrame
        Internal consistency of the published figures (:func:`published_consistency`).
    year : str
        Reporting-year label.
    """

    variants: pd.DataFrame
    counts: pd.DataFrame
    published: pd.DataFrame
    year: str = ""
    reported: dict = field(default_factory=dict)

    def matching(self) -> pd.DataFrame:
        """The variants that reproduce every published figure given."""
        return self.variants.loc[self.variants["matches_all"].fillna(False).astype(bool)]

    def summary(self) -> str:
        """One paragraph in plain English."""
        stat = self.variants.loc[self.variants["statutory"] & (self.variants["metric"] == "reviews_held")]
        parts = []
        if len(stat):
            r = stat.iloc[0]
            parts.append(
                f"Recomputed from the return with the statutory rules, {int(r['numerator'])} of "
                f"{int(r['denominator'])} reviews held in {self.year} were on time ({r['percent']:.1f}%)."
            )
        if self.reported:
            match = self.matching()
            if len(match):
                first = match.iloc[0]
                parts.append(
                    f"{len(match)} variant(s) reproduce the published figures, for example "
                    f"{first['metric']} with first review {first['first_review']}, later intervals "
                    f"{first['later_intervals']} and '{first['comparison']}'."
                )
            else:
                parts.append("No variant reproduces the published figures.")
        published = self.published
        inconsistent = published.loc[
            published["check"].eq("reported_percent_matches_counts")
            & published["consistent"].eq(False).fillna(False).astype(bool)
        ]
        for _, row in inconsistent.iterrows():
            parts.append(f"Published figures disagree with each other: {row['detail']}")
        return " ".join(parts)


def reconcile_timeliness(
    data,
    year,
    *,
    reported_percent=None,
    reported_held=None,
    reported_on_time=None,
    percent_decimals=None,
    include_adoption_schedule: bool = True,
    periods: pd.DataFrame | None = None,
) -> TimelinessReconciliation:
    """Recompute timeliness under every variant and account for the published figures.

    Parameters
    ----------
    data : SSDA903
        Return(s) covering ``year`` (and ideally the year before).
    year : int or str
        Reporting year ending 31 March.
    reported_percent : float or str, optional
        Published percentage on time (e.g. ``95.4`` or ``"94%"``); matched within its rounding.
    reported_held : int, optional
        Published number of reviews (denominator).
    reported_on_time : int, optional
        Published number of reviews on time (numerator).
    percent_decimals : int, optional
        Decimals of the published percentage, when ``reported_percent`` does not show them.
    include_adoption_schedule : bool, default True
        Passed to :func:`review_schedule`.
    periods : DataFrame, optional
        Precomputed :func:`iro_analysis.cohorts.periods_of_care`.

    Returns
    -------
    TimelinessReconciliation
        ``variants``: columns ``first_review, later_intervals, comparison, metric, numerator,
        denominator, percent, ci_low, ci_high, statutory, matches_percent, matches_held,
        matches_on_time, matches_all`` (match columns NA when that figure was not given);
        eight variants (first review 20 working days or 28 days x calendar months or 91/183
        days x ``<=`` or ``<``) times the three metrics.
        ``counts``: columns ``step, count, kind, description``, from the review records in the
        year to the metric denominators (duplicates, reviews outside a period of care, short
        breaks, not judged, held in the year but due before it or after it, missed reviews).
        ``published``: :func:`published_consistency` of the published figures.

    Notes
    -----
    A variant "matches" a published percentage when its percentage rounds to it at the
    published number of decimals (either rounding convention); counts must be equal.

    Examples
    --------
    >>> from iro_analysis.ssda903 import SSDA903
    >>> eps = pd.DataFrame({"CHILD": ["A"], "DECOM": pd.to_datetime(["2022-05-27"]), "RNE": ["S"],
    ...                     "LS": ["C2"], "PLACE": ["U4"], "DEC": [pd.NaT], "REC": [None]})
    >>> revs = pd.DataFrame({"CHILD": ["A"], "DOB": pd.to_datetime(["2015-01-01"]),
    ...                      "REVIEW": pd.to_datetime(["2022-06-24"]), "REVIEW_CODE": ["PN1"]})
    >>> rec = reconcile_timeliness(SSDA903(episodes=eps, reviews=revs), 2023, reported_percent=100)
    >>> rec.variants.loc[rec.variants["matches_percent"], ["metric", "first_review", "comparison"]].value_counts().tolist()
    [2, 2, 2]

    (the review on 24 June is on time under 20 working days (due 28 June) with either comparison and
    under 28 days (due 24 June) only with ``<=``; two interval rules each.)
    """
    year = parse_year(year)
    if periods is None:
        from .cohorts import periods_of_care

        periods = periods_of_care(data)
    rows = []
    schedules = {}
    for first in _FIRST_RULES:
        for interval in _INTERVAL_RULES:
            for comp in _COMPARISONS:
                sched = review_schedule(
                    data,
                    year,
                    first_review=first,
                    later_intervals=interval,
                    comparison=comp,
                    include_adoption_schedule=include_adoption_schedule,
                    periods=periods,
                )
                schedules[(first, interval, comp)] = sched
                summ = timeliness_summary(sched, year)
                for _, r in summ.iterrows():
                    rows.append(
                        {
                            "first_review": first,
                            "later_intervals": interval,
                            "comparison": comp,
                            "metric": r["metric"],
                            "numerator": int(r["numerator"]),
                            "denominator": int(r["denominator"]),
                            "percent": r["percent"],
                            "ci_low": r["ci_low"],
                            "ci_high": r["ci_high"],
                            "statutory": (first, interval, comp) == _FIRST_RULES[:1] + _INTERVAL_RULES[:1] + _COMPARISONS[:1],
                        }
                    )
    variants = pd.DataFrame(rows)
    reported = {}
    if reported_percent is not None:
        pct, dec = _decimals(reported_percent, percent_decimals)
        reported["percent"] = pct
        variants["matches_percent"] = pd.array(_within_rounding(variants["percent"], pct, dec), dtype="boolean")
    else:
        variants["matches_percent"] = pd.array([pd.NA] * len(variants), dtype="boolean")
    if reported_held is not None:
        reported["held"] = int(reported_held)
        variants["matches_held"] = pd.array(variants["denominator"].eq(int(reported_held)), dtype="boolean")
    else:
        variants["matches_held"] = pd.array([pd.NA] * len(variants), dtype="boolean")
    if reported_on_time is not None:
        reported["on_time"] = int(reported_on_time)
        variants["matches_on_time"] = pd.array(variants["numerator"].eq(int(reported_on_time)), dtype="boolean")
    else:
        variants["matches_on_time"] = pd.array([pd.NA] * len(variants), dtype="boolean")
    given = [c for c, k in (("matches_percent", "percent"), ("matches_held", "held"), ("matches_on_time", "on_time")) if k in reported]
    if given:
        variants["matches_all"] = pd.array(variants[given].fillna(False).all(axis=1), dtype="boolean")
    else:
        variants["matches_all"] = pd.array([pd.NA] * len(variants), dtype="boolean")

    counts = _count_steps(data, schedules[("20_working_days", "calendar_months", "<=")], year, reported)
    published = published_consistency(
        reported_percent, reported_held, reported_on_time, percent_decimals=percent_decimals
    )
    return TimelinessReconciliation(variants, counts, published, year_label(year), reported)


def _count_steps(data, sched: pd.DataFrame, year: int, reported: dict) -> pd.DataFrame:
    ys, ye = year_bounds(year)
    raw = _reviews_frame(data)
    in_year_raw = raw["review_date"].between(ys, ye)
    if raw["collection_year"].notna().any():
        this_return = raw["collection_year"].eq(year).fillna(False)
    else:
        this_return = pd.Series(True, index=raw.index)
    undated = int((raw["review_date"].isna() & this_return).sum())
    records = int(in_year_raw.sum())
    kept = raw.loc[in_year_raw]
    if kept["collection_year"].notna().any():
        latest = kept.groupby(["CHILD", "review_date"], sort=False)["collection_year"].transform("max")
        cross = int(kept["collection_year"].lt(latest).fillna(False).sum())
    else:
        cross = 0
    s = sched
    held = s["held_in_year"].to_numpy(dtype=bool)
    st = s["status"].astype(object).to_numpy()
    reason = s["exclusion_reason"].astype(object).to_numpy()
    due_in = s["due_in_year"].to_numpy(dtype=bool)
    due = s["due_date"].to_numpy(dtype="datetime64[ns]")
    judged = held & np.isin(st, ["on_time", "late"])

    def n(mask):
        return int(np.sum(mask))

    rows = [
        ("review records dated in the year", records, "total",
         "Rows of the Reviews table(s) whose REVIEW date falls in the reporting year."),
        ("records with a blank or invalid date", undated, "info",
         "Rows of this year's Reviews table without a usable date (DfE rule 166); not in any count."),
        ("listed by more than one return", cross, "minus",
         "The same child and date in two collection years' returns: counted once."),
        ("duplicate reviews on one day", n(held & (reason == "duplicate_same_day")), "minus",
         "A second (or later) record of the same child on the same day."),
        ("outside any period of care", n(held & (reason == "outside_period_of_care")), "minus",
         "Dated before the child's period of care began or after it ended."),
        ("short breaks only", n(held & (reason == "short_breaks_only")), "minus",
         "Reviews in periods made only of short breaks (LS V3/V4), which expect no reviews (DfE rule 399)."),
        ("not judged (previous review before the loaded returns)", n(held & (st == "not_judged")), "minus",
         "The previous review is in a return that was not loaded; load the earlier year to judge these."),
        ("reviews held in the year and judged", n(judged), "equals",
         "Denominator of the reviews_held metric."),
        ("of which on time", n(judged & (st == "on_time")), "info", "Held on or before the due date."),
        ("of which late", n(judged & (st == "late")), "info", "Held after the due date."),
        ("held in the year but due before it began", n(judged & (due < np.datetime64(ys, "ns"))), "info",
         "Late reviews carried over from the previous year: in reviews_held, not in reviews_due."),
        ("held in the year but due after it ended", n(judged & (due > np.datetime64(ye, "ns"))), "info",
         "Reviews held early, before a due date in the next year: in reviews_held, not in reviews_due."),
        ("missed reviews due in the year", n(due_in & (st == "missed")), "plus",
         "Due dates in the year with no review held by then (or by the end of the year)."),
        ("review due dates in the year", n(due_in & np.isin(st, ["on_time", "late", "missed"])), "equals",
         "Denominator of the reviews_due metric."),
    ]
    if "held" in reported:
        rows.append(("published number of reviews", reported["held"], "published",
                     "The number of reviews in the published report."))
        rows.append(("published minus recomputed reviews held", reported["held"] - n(judged), "difference",
                     "Positive: the report counted more reviews than the return supports as judged reviews."))
    return pd.DataFrame(rows, columns=["step", "count", "kind", "description"])


# --------------------------------------------------------------------------------------------
# why the number of reviews changed
# --------------------------------------------------------------------------------------------

_PLACEMENT_CHANGE_RNE = ("P", "T", "B", "U")

_COMPONENTS = (
    ("first_reviews", "First reviews of a period of care (new periods of care)."),
    ("second_reviews", "Second reviews, three months after the first (new periods of care)."),
    ("adoption_reviews", "Reviews on the adoption schedule (reg 36) after a placement for adoption."),
    ("early_after_placement_move", "Later reviews held well before their due date within the window after a placement move."),
    ("other_early_reviews", "Later reviews held well before their due date with no placement move just before."),
    ("routine_reviews", "Later reviews held near or after their six-monthly due date."),
    ("not_judged", "Reviews whose previous review is before the loaded returns."),
)


def _placement_moves(data) -> pd.DataFrame:
    try:
        from .cohorts import episodes_deduplicated

        eps = episodes_deduplicated(data)
    except (ImportError, AttributeError):  # pragma: no cover - cohorts always provides it
        eps = _table(data, "episodes")
    if eps is None or not len(eps) or "RNE" not in eps.columns:
        return pd.DataFrame({"CHILD": pd.Series(dtype=object), "move_date": pd.Series(dtype="datetime64[ns]")})
    rne = eps["RNE"].astype(object).str.upper()
    moves = eps.loc[rne.isin(_PLACEMENT_CHANGE_RNE).to_numpy(dtype=bool)]
    return pd.DataFrame(
        {"CHILD": _child_array(moves["CHILD"]), "move_date": pd.to_datetime(moves["DECOM"]).to_numpy(dtype="datetime64[ns]")}
    )


def _classify_reviews(data, sched: pd.DataFrame, early_days: int, move_window_days: int) -> pd.DataFrame:
    held = sched.loc[sched["held_in_year"] & sched["status"].isin(["on_time", "late", "not_judged"])].copy()
    rule = held["rule"].astype(object).fillna("")
    comp = np.full(len(held), "routine_reviews", dtype=object)
    due = held["due_date"].to_numpy(dtype="datetime64[ns]")
    rdate = held["review_date"].to_numpy(dtype="datetime64[ns]")
    early = ~np.isnat(due) & (rdate < due - np.timedelta64(int(early_days), "D"))
    moved = np.zeros(len(held), dtype=bool)
    moves = _placement_moves(data)
    if len(held) and len(moves):
        left = pd.DataFrame({"CHILD": held["CHILD"].astype(object).to_numpy(), "review_date": rdate, "_i": np.arange(len(held))})
        left = left.sort_values("review_date", kind="stable")
        right = moves.sort_values("move_date", kind="stable")
        m = pd.merge_asof(left, right, left_on="review_date", right_on="move_date", by="CHILD", direction="backward")
        recent = (m["review_date"] - m["move_date"]).dt.days.le(move_window_days).fillna(False).to_numpy(dtype=bool)
        # the move must fall after the previous review, otherwise that review already followed it
        prev = held["previous_review_date"].to_numpy(dtype="datetime64[ns]")[m["_i"].to_numpy()]
        after_prev = np.isnat(prev) | (m["move_date"].to_numpy(dtype="datetime64[ns]") > prev)
        moved[m["_i"].to_numpy()] = recent & after_prev
    comp = np.where(early & moved, "early_after_placement_move", comp)
    comp = np.where(early & ~moved, "other_early_reviews", comp)
    comp = np.where(rule.str.startswith("adoption").to_numpy(dtype=bool), "adoption_reviews", comp)
    comp = np.where(rule.str.startswith("second").to_numpy(dtype=bool), "second_reviews", comp)
    comp = np.where(rule.str.startswith("first").to_numpy(dtype=bool), "first_reviews", comp)
    comp = np.where(held["status"].eq("not_judged").to_numpy(dtype=bool), "not_judged", comp)
    held["component"] = comp
    return held


def review_count_change(
    data,
    year,
    *,
    early_days: int = 28,
    move_window_days: int = 28,
    periods: pd.DataFrame | None = None,
    if_missing: str = "raise",
    **schedule_options,
) -> pd.DataFrame:
    """Why the number of reviews held changed between the previous year and ``year``.

    Parameters
    ----------
    data : SSDA903
        Returns covering ``year`` and the year before (a multi-year stack).
    year : int or str
        Reporting year ending 31 March.
    early_days : int, default 28
        A later review is "early" when held more than this many days before its due date.
    move_window_days : int, default 28
        An early review follows a placement move when an episode with RNE P, T, B or U
        (change of placement) began within this many days before it, after the previous review.
    periods : DataFrame, optional
        Precomputed :func:`iro_analysis.cohorts.periods_of_care`.
    if_missing : {"raise", "empty"}
        What to do when the previous year is not loaded: raise, or return the table with no
        rows (for notebooks, which then show an empty table and their prose explains why).
    **schedule_options
        Passed to :func:`review_schedule` (``first_review``, ``later_intervals`` …).

    Returns
    -------
    DataFrame
        Columns ``component, kind ("context"|"reviews"|"total"), previous, current, change,
        share_of_change (percent of the change in total reviews; NaN for context rows or when
        the total did not change), description``. Context rows: children in care during the
        year (short breaks excluded), periods of care starting in the year, children
        reviewed, reviews per child reviewed. Review rows add up to ``total_reviews``
        (reviews held in the year, duplicates, short breaks and reviews outside care left out).

    Raises
    ------
    ParameterError
        If the loaded returns do not cover the previous year.

    Notes
    -----
    Each review held in a year falls in exactly one component: first and second reviews (the
    reviews a new period of care brings), adoption-schedule reviews, later reviews held more
    than ``early_days`` before their due date (split by whether a placement move came just
    before), routine later reviews, and reviews that cannot be judged. Wokingham's 2022-23 report
    asks exactly this question (435 reviews against 338 the year before).
    """
    year = parse_year(year)
    if if_missing not in ("raise", "empty"):
        raise ParameterError(f"if_missing={if_missing!r}: use 'raise' or 'empty'.")
    years = _collection_years(data)
    if (not years or year - 1 < years[0]) and if_missing == "empty":
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c in ("previous", "current", "change", "share_of_change") else object)
             for c in ("component", "kind", "previous", "current", "change", "share_of_change", "description")}
        )
    if not years or year - 1 < years[0]:
        first = year_label(years[0]) if years else "one return without a collection year"
        raise ParameterError(
            f"the loaded returns start with {first}: comparing {year_label(year)} with the year "
            f"before needs the {year_label(year - 1)} return as well (load a multi-year folder)."
        )
    if periods is None:
        from .cohorts import periods_of_care

        periods = periods_of_care(data)
    rows = {}
    for y in (year - 1, year):
        sched = review_schedule(data, y, periods=periods, **schedule_options)
        held = _classify_reviews(data, sched, early_days, move_window_days)
        ys, ye = year_bounds(y)
        per = periods.loc[~periods["short_breaks_only"].fillna(False).astype(bool)]
        in_care = per.loc[(per["period_start"] <= ye) & (per["period_end"].isna() | (per["period_end"] >= ys))]
        counts = {
            "children_in_care": int(in_care["CHILD"].nunique()),
            "periods_starting": int(per["period_start"].between(ys, ye).sum()),
            "children_reviewed": int(held["CHILD"].nunique()),
        }
        for name, _ in _COMPONENTS:
            counts[name] = int((held["component"] == name).sum())
        counts["total_reviews"] = int(len(held))
        counts["reviews_per_child"] = counts["total_reviews"] / counts["children_reviewed"] if counts["children_reviewed"] else np.nan
        rows[y] = counts
    context = [
        ("children_in_care", "Children looked after at any time in the year (short breaks excluded)."),
        ("periods_starting", "Periods of care that started in the year."),
        ("children_reviewed", "Children with at least one review held in the year."),
        ("reviews_per_child", "Reviews held per child reviewed."),
    ]
    out = []
    total_change = rows[year]["total_reviews"] - rows[year - 1]["total_reviews"]
    for name, desc in context:
        out.append((name, "context", rows[year - 1][name], rows[year][name], desc))
    for name, desc in _COMPONENTS:
        out.append((name, "reviews", rows[year - 1][name], rows[year][name], desc))
    out.append(("total_reviews", "total", rows[year - 1]["total_reviews"], rows[year]["total_reviews"],
                "Reviews held in the year (the sum of the review components)."))
    frame = pd.DataFrame(out, columns=["component", "kind", "previous", "current", "description"])
    frame["previous"] = frame["previous"].astype(float)
    frame["current"] = frame["current"].astype(float)
    frame["change"] = frame["current"] - frame["previous"]
    share = np.where(
        (frame["kind"] != "context") & (total_change != 0), 100 * frame["change"] / (total_change or 1), np.nan
    )
    frame["share_of_change"] = share
    frame = frame.loc[:, ["component", "kind", "previous", "current", "change", "share_of_change", "description"]]
    frame.attrs["years"] = (year_label(year - 1), year_label(year))
    return frame


# --------------------------------------------------------------------------------------------
# monthly series, exceptions, participation/age
# --------------------------------------------------------------------------------------------


def monthly_timeliness(schedule: pd.DataFrame, year, *, basis: str = "held", months: int = 12) -> pd.DataFrame:
    """On-time share by month, for an XmR chart.

    Parameters
    ----------
    schedule : DataFrame
        Output of :func:`review_schedule` for ``year``.
    year : int or str
        Reporting year ending 31 March; the series ends in its March.
    basis : {"held", "due"}
        ``"held"``: reviews held in the month (the reviews_held metric); ``"due"``: due dates
        in the month, missed reviews counting as not on time (the reviews_due metric).
    months : int, default 12
        Number of months ending in March of ``year``; more than 12 reaches into earlier
        loaded years (where a schedule built for ``year`` still judges every review).

    Returns
    -------
    DataFrame
        Columns ``month`` (first day, Timestamp), ``month_label`` ("Apr 2022"),
        ``numerator``, ``denominator``, ``percent`` (NaN when no reviews).

    Examples
    --------
    >>> sched = pd.DataFrame({"CHILD": ["A", "B"], "status": ["on_time", "late"],
    ...     "review_date": pd.to_datetime(["2022-04-05", "2022-04-20"]),
    ...     "due_date": pd.to_datetime(["2022-04-10", "2022-04-10"]), "on_time": [True, False]})
    >>> row = monthly_timeliness(sched, 2023).iloc[0]
    >>> int(row["numerator"]), int(row["denominator"]), float(row["percent"])
    (1, 2, 50.0)
    """
    year = parse_year(year)
    _check_schedule(schedule)
    if basis not in ("held", "due"):
        raise ParameterError(f"basis={basis!r} is not recognised: use 'held' or 'due'.")
    months = int(months)
    if months < 1:
        raise ParameterError("months must be at least 1.")
    _, ye = year_bounds(year)
    first = (ye.to_period("M") - (months - 1)).to_timestamp()
    status = schedule["status"].astype(object)
    if basis == "held":
        date = schedule["review_date"]
        use = status.isin(["on_time", "late"])
    else:
        date = schedule["due_date"]
        use = status.isin(["on_time", "late", "missed"])
    sel = use & date.between(first, ye)
    month = date.loc[sel].dt.to_period("M").dt.to_timestamp()
    grouped = pd.DataFrame({"month": month, "ok": status.loc[sel].eq("on_time")}).groupby("month")["ok"]
    index = pd.date_range(first, periods=months, freq="MS")
    num = grouped.sum().reindex(index, fill_value=0).astype("int64")
    den = grouped.size().reindex(index, fill_value=0).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(den.to_numpy() > 0, 100 * num.to_numpy() / np.maximum(den.to_numpy(), 1), np.nan)
    return pd.DataFrame(
        {
            "month": index,
            "month_label": index.strftime("%b %Y"),
            "numerator": num.to_numpy(),
            "denominator": den.to_numpy(),
            "percent": pct,
        }
    )


_FLAG_TEXT = {
    "close_to_previous": "held only days after the previous review (possible duplicate record)",
    "due_date_upper_bound": "previous review before the loaded returns: latest possible due date used",
    "remand": "remanded (LS J1): CPPCR Part 8A may modify the schedule",
    "placed_for_adoption": "placed for adoption (A3-A6): reg 36 schedule",
    "history_before_loaded_returns": "period of care began before the loaded returns",
}

_STATUS_TEXT = {
    "late": "held after its due date",
    "missed": "due but not held by the end of the year (or before the child left care)",
    "not_judged": "cannot be judged: the previous review is before the loaded returns",
    "on_time": "on time",
}

_EXCLUSION_TEXT = {
    "outside_period_of_care": "review dated outside any period of care",
    "short_breaks_only": "review in a short-breaks-only period (LS V3/V4), which expects none (DfE rule 399)",
    "duplicate_same_day": "second record of a review on the same day",
    "before_loaded_returns": "review dated before the loaded returns begin",
}


def exception_list(schedule: pd.DataFrame, year=None) -> pd.DataFrame:
    """Every late, missed, doubtful or excluded review in the year, with the reason (RESTRICTED).

    Parameters
    ----------
    schedule : DataFrame
        Output of :func:`review_schedule`.
    year : int or str, optional
        Keep rows held or due in this year (default: the schedule's ``in_year`` rows).

    Returns
    -------
    DataFrame
        Child-level, restricted: never put it in a shareable output. Columns ``CHILD,
        period_start, review_number, review_date, due_date, rule, status, days_late, reason,
        flags, collection_year, source_row``, sorted by child and date.
    """
    _check_schedule(schedule)
    if year is None:
        in_year = schedule["in_year"].to_numpy(dtype=bool)
    else:
        ys, ye = year_bounds(parse_year(year))
        in_year = (schedule["review_date"].between(ys, ye) | schedule["due_date"].between(ys, ye)).to_numpy(dtype=bool)
    status = schedule["status"].astype(object).fillna("")
    flags = schedule["flags"].astype(object).fillna("") if "flags" in schedule.columns else pd.Series("", index=schedule.index)
    doubtful = flags.str.contains("close_to_previous|due_date_upper_bound", regex=True).to_numpy(dtype=bool)
    keep = in_year & ((status != "on_time").to_numpy(dtype=bool) | doubtful)
    sub = schedule.loc[keep]
    reason = []
    for st, ex, fl in zip(
        sub["status"].astype(object),
        sub["exclusion_reason"].astype(object) if "exclusion_reason" in sub.columns else [None] * len(sub),
        flags.loc[keep],
    ):
        parts = [_EXCLUSION_TEXT.get(ex, str(ex))] if isinstance(ex, str) and ex else [_STATUS_TEXT.get(st, st)]
        parts += [_FLAG_TEXT[f] for f in str(fl).split(";") if f in _FLAG_TEXT]
        reason.append("; ".join(parts))
    cols = ["CHILD", "period_start", "review_number", "review_date", "due_date", "rule", "status", "days_late"]
    out = sub.loc[:, [c for c in cols if c in sub.columns]].copy()
    out["reason"] = reason
    out["flags"] = flags.loc[keep].to_numpy()
    for c in ("collection_year", "source_row"):
        if c in sub.columns:
            out[c] = sub[c].to_numpy()
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# small helpers for the notebooks
# --------------------------------------------------------------------------------------------


def published_figures(reported_percent="", reported_held=0, reported_on_time=0) -> dict:
    """Check notebook parameters for published timeliness figures and return keyword arguments.

    Parameters
    ----------
    reported_percent : str or float
        Published percentage on time ("95.4", "94%"); empty or None when not given.
    reported_held, reported_on_time : int
        Published numbers of reviews and of reviews on time; 0 or None when not given.

    Returns
    -------
    dict
        ``reported_percent``, ``reported_held``, ``reported_on_time`` (None when not given),
        ready for :func:`reconcile_timeliness`.

    Raises
    ------
    ParameterError
        For a percentage that is not a number between 0 and 100, or counts that do not fit.

    Examples
    --------
    >>> published_figures("95.4", 435, 410)
    {'reported_percent': '95.4', 'reported_held': 435, 'reported_on_time': 410}
    >>> published_figures()
    {'reported_percent': None, 'reported_held': None, 'reported_on_time': None}
    """
    pct = None if reported_percent in (None, "") else str(reported_percent).strip()
    if pct is not None:
        value, _ = _decimals(pct)
        if not 0 <= value <= 100:
            raise ParameterError(f"reported_percent={reported_percent!r} must be between 0 and 100.")
    counts = {}
    for name, value in (("reported_held", reported_held), ("reported_on_time", reported_on_time)):
        if value in (None, "", 0):
            counts[name] = None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ParameterError(f"{name}={value!r} must be a whole number (0 when not published).") from None
        if number < 0 or number != float(value):
            raise ParameterError(f"{name}={value!r} must be a whole number of reviews.")
        counts[name] = number
    if counts["reported_held"] is not None and counts["reported_on_time"] is not None:
        if counts["reported_on_time"] > counts["reported_held"]:
            raise ParameterError(
                f"reported_on_time ({counts['reported_on_time']}) is larger than reported_held "
                f"({counts['reported_held']}): check the published table."
            )
    return {"reported_percent": pct, **counts}


def has_previous_year(data, year) -> bool:
    """Whether the loaded returns include the year before ``year`` (needed by :func:`review_count_change`)."""
    years = _collection_years(data)
    return bool(years) and years[0] <= parse_year(year) - 1


def monthly_xmr(schedule: pd.DataFrame, year, *, basis: str = "held", months: int = 12,
                screen_outliers: bool = False, baseline: int | None = None) -> pd.DataFrame:
    """Monthly on-time percentage as an XmR chart with the Making Data Count rules.

    Parameters
    ----------
    schedule : DataFrame
        Output of :func:`review_schedule`.
    year : int or str
        Reporting year ending 31 March (the last month charted is its March).
    basis, months
        As :func:`monthly_timeliness`. Months with no reviews are left out of the chart.
    screen_outliers, baseline
        As :func:`iro_analysis.stats.spc.xmr`.

    Returns
    -------
    DataFrame
        The :func:`iro_analysis.stats.spc.xmr` columns (``x`` = month label) plus ``month``,
        ``numerator`` and ``denominator``.

    Raises
    ------
    ParameterError
        When fewer than two months have reviews.
    """
    from .stats.spc import xmr

    monthly = monthly_timeliness(schedule, year, basis=basis, months=months)
    monthly = monthly.loc[monthly["denominator"] > 0].reset_index(drop=True)
    if len(monthly) < 2:
        raise ParameterError("fewer than two months have reviews: there is nothing to chart.")
    chart = xmr(monthly["percent"].to_numpy(), x=monthly["month_label"].to_numpy(), improvement="up",
                screen_outliers=screen_outliers, baseline=baseline)
    chart.insert(1, "month", monthly["month"].to_numpy())
    chart["numerator"] = monthly["numerator"].to_numpy()
    chart["denominator"] = monthly["denominator"].to_numpy()
    return chart


def monthly_pchart(schedule: pd.DataFrame, year, *, laney: bool = True, basis: str = "held", months: int = 12,
                   baseline: int | None = None, screen_outliers: bool = False) -> pd.DataFrame:
    """Monthly on-time percentage as a Laney p′ chart (or p-chart) with the Making Data Count rules.

    Unlike :func:`monthly_xmr`, the limits of each month follow its number of reviews: a month
    with few reviews gets wider limits, so a low figure from a handful of reviews is not
    mistaken for a change.

    Parameters
    ----------
    schedule : DataFrame
        Output of :func:`review_schedule`.
    year : int or str
        Reporting year ending 31 March (the last month charted is its March).
    laney : bool, default True
        Laney's p′ chart, which widens the binomial limits by the month-to-month variation
        actually seen (``sigma_z``); ``False`` gives the classical p-chart.
    basis, months
        As :func:`monthly_timeliness`. Months with no reviews are left out of the chart.
    baseline, screen_outliers
        As :func:`iro_analysis.stats.spc.pchart`.

    Returns
    -------
    DataFrame
        The :func:`iro_analysis.stats.spc.pchart` columns on the percentage scale (``x`` =
        month label, ``value``/``mean``/limits in %, ``numerator`` = reviews on time,
        ``denominator`` = reviews held or due) plus ``month`` (first day, Timestamp).

    Raises
    ------
    ParameterError
        When fewer than two months have reviews.

    Notes
    -----
    ``p̄ = Σ on time / Σ reviews``, limits ``p̄ ± 3σ_tσ_z`` with ``σ_t = √(p̄(1 − p̄)/n_t)``
    and ``σ_z = mean|Δz|/1.128`` (1 for the p-chart); methods note §4.2.

    Examples
    --------
    >>> sched = pd.DataFrame({"CHILD": ["A", "B", "C"], "status": ["on_time", "late", "on_time"],
    ...     "review_date": pd.to_datetime(["2022-04-05", "2022-04-20", "2022-05-03"]),
    ...     "due_date": pd.to_datetime(["2022-04-10", "2022-04-10", "2022-05-09"]),
    ...     "on_time": [True, False, True]})
    >>> chart = monthly_pchart(sched, 2023, laney=False)
    >>> chart[["x", "numerator", "denominator", "value"]].to_numpy().tolist()
    [['Apr 2022', 1, 2, 50.0], ['May 2022', 1, 1, 100.0]]
    """
    from .stats.spc import pchart

    monthly = monthly_timeliness(schedule, year, basis=basis, months=months)
    monthly = monthly.loc[monthly["denominator"] > 0].reset_index(drop=True)
    if len(monthly) < 2:
        raise ParameterError("fewer than two months have reviews: there is nothing to chart.")
    chart = pchart(monthly["numerator"].to_numpy(), monthly["denominator"].to_numpy(),
                   x=monthly["month_label"].to_numpy(), laney=laney, baseline=baseline,
                   screen_outliers=screen_outliers, improvement="up", scale=100.0)
    chart.insert(1, "month", monthly["month"].to_numpy())
    return chart
