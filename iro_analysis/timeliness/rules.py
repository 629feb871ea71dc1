"""The statutory review rules: due dates, intervals, the on-time comparison and their options.

Reg 33 of the Care Planning, Placement and Case Review (England) Regulations 2010: first review
within 20 working days of the start of a period of care, the second not more than three months
after the first, later ones not more than six months after the previous. Reg 36 of the Adoption
Agencies Regulations 2005 after a placement for adoption: first review within four weeks of the
placement, then three months, then six. Every option of :func:`~iro_analysis.timeliness.review_schedule`
that changes these rules is checked here (:func:`_check_options`) and carried by :class:`_Rules`.

Also here: the codes the schedule uses internally for its ``rule``, ``status``,
``exclusion_reason`` and ``flags`` columns (small integers while the schedule is built, names at
the end), and the date arithmetic (working days, calendar months) done once per distinct day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..calendar import add_working_days, working_day_holidays
from ..errors import ParameterError

#: Values of the ``status`` column of :func:`~iro_analysis.timeliness.review_schedule`.
STATUSES = ("on_time", "late", "missed", "not_judged", "excluded")

_FIRST_RULES = ("20_working_days", "28_days")
_INTERVAL_RULES = ("calendar_months", "days")
_COMPARISONS = ("<=", "<")

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
# Flags are bits of one small integer per row (bit b = _FLAG_NAMES[b]); the text of every
# combination is built once, so a row's ``flags`` is one look-up instead of a string join.
_FLAG_NAMES = ("remand", "placed_for_adoption", "history_before_loaded_returns", "close_to_previous",
               "due_date_upper_bound")
_F_REMAND, _F_PLACED_FOR_ADOPTION, _F_HISTORY_BEFORE, _F_CLOSE, _F_UPPER_BOUND = (1 << b for b in range(5))
_FLAG_TEXT_BY_BITS = np.array(
    [";".join(name for b, name in enumerate(_FLAG_NAMES) if bits >> b & 1) for bits in range(1 << len(_FLAG_NAMES))],
    dtype=object,
)
_NAT = np.datetime64("NaT", "ns")
_ONE_DAY = np.timedelta64(1, "D")
_DAY_NS = 86_400_000_000_000


@dataclass(frozen=True)
class _Rules:
    """The checked options of one schedule, with the date arithmetic they imply (see :func:`_check_options`)."""

    first_review: str
    later_intervals: str
    comparison: str
    include_adoption_schedule: bool
    close_days: int

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


def _rule_codes(position: np.ndarray, adopt: np.ndarray, rules: "_Rules") -> np.ndarray:
    """Rule code of a due date at chain ``position`` (1, 2, 3+) in reg 33 or reg 36 mode."""
    months = rules.later_intervals == "calendar_months"
    first = 1 if rules.first_review == "20_working_days" else 2
    second = np.where(adopt, 8 if months else 9, 3 if months else 4)
    later = np.where(adopt, 10 if months else 11, 5 if months else 6)
    return np.where(position == 1, np.where(adopt, 7, first), np.where(position == 2, second, later)).astype(np.int8)


def _first_due(starts: np.ndarray, rules: "_Rules") -> np.ndarray:
    """Due date of the first review of periods starting on ``starts`` (20 working days or 28 days)."""
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


def _month_adder(months: int):
    """A function adding ``months`` calendar months to datetime64[ns] values (month ends clipped)."""
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
