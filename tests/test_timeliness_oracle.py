"""The review schedule recomputed review by review in plain Python, as an oracle for the library.

:func:`iro_analysis.timeliness.review_schedule` is vectorised numpy (one pass over every review of
every child). This file rebuilds the same schedule the obvious way, one child, one period of care
and one review at a time, from the statutory rules (CPPCR 2010 reg 33; AAR 2005 reg 36 after a
placement for adoption) as ``docs/domain`` and ``docs/assumptions.md`` state them:

* first review of a period within 20 working days of its start (England and Wales bank holidays;
  a start on a non-working day counts from the previous working day), or 28 calendar days;
* second review not more than 3 calendar months after the first, later ones not more than 6
  months after the previous (month ends clipped: 31 January + 3 months = 30 April), or 91/183 days;
* after a placement for adoption: first review within 28 days of the placement, then 3, then 6;
* on time when held on or before the due date (``<=``; ``<`` as an option); every review restarts
  the clock; a new period of care restarts the schedule;
* a due date that passes with no review is a missed review, following the chain as if it had been
  held on its due date, while the child is still looked after and up to the end of the year;
* when the period began before the loaded returns the previous review is unknown: nothing is
  guessed (``not_judged``) unless the review is late whatever that review was.

The oracle has its own calendar arithmetic (a day-by-day working-day count over the ``holidays``
library's bank holidays; month addition by hand) and computes nothing with the library but the
periods of care, which are an input of the schedule (``periods=``). A hypothesis test compares the
two on random small histories built to land on the boundaries: reviews on the due day and the day
after, month ends, 29 February, episodes that break care, short breaks, remand, placements for
adoption, duplicate records, reviews outside care and reviews listed by two returns.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import holidays as holiday_calendar
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from iro_analysis.cohorts import periods_of_care
from iro_analysis.ssda903 import SSDA903
from iro_analysis.timeliness import SCHEDULE_COLUMNS, review_schedule, timeliness_summary

DAY = dt.timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# calendar, by hand
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def bank_holidays(year: int) -> frozenset:
    return frozenset(holiday_calendar.UK(subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (the start is day 0)."""
    day = start
    while not is_working_day(day):  # a start on a non-working day counts from the previous working day
        day -= DAY
    counted = 0
    while counted < n:
        day += DAY
        counted += is_working_day(day)
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, the day clipped to the end of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------------------------
# the rules
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """The keyword options of ``review_schedule`` (defaults: the statutory reading)."""

    first_review: str = "20_working_days"
    later_intervals: str = "calendar_months"
    comparison: str = "<="
    include_adoption_schedule: bool = True
    close_days: int = 7

    def kwargs(self) -> dict:
        return dict(first_review=self.first_review, later_intervals=self.later_intervals,
                    comparison=self.comparison, include_adoption_schedule=self.include_adoption_schedule,
                    close_days=self.close_days)

    def first_due(self, start: dt.date) -> dt.date:
        if self.first_review == "28_days":
            return start + 28 * DAY
        return add_working_days(start, 20)

    def after(self, day: dt.date, months: int) -> dt.date:
        """``day`` + 3 or 6 months (or 91 / 183 days)."""
        if self.later_intervals == "days":
            return day + (91 if months == 3 else 183) * DAY
        return add_months(day, months)

    def next_due(self, day: dt.date, position: int) -> dt.date:
        """Due date of the review after one at chain ``position`` (0 = unknown: "after the second")."""
        return self.after(day, 3 if position == 1 else 6)

    def on_time(self, review: dt.date, due: dt.date) -> bool:
        return review <= due if self.comparison == "<=" else review < due

    def rule(self, position: int, adoption: bool) -> str:
        """Name of the rule that sets the due date at chain ``position`` (1, 2, 3+; 0 counts as 3+)."""
        months = self.later_intervals == "calendar_months"
        if position == 1:
            if adoption:
                return "adoption_first_4_weeks"
            return "first_20_working_days" if self.first_review == "20_working_days" else "first_28_days"
        second = "second_3_months" if months else "second_91_days"
        later = "subsequent_6_months" if months else "subsequent_183_days"
        name = second if position == 2 else later
        return "adoption_" + name if adoption else name


# ---------------------------------------------------------------------------------------------
# the oracle
# ---------------------------------------------------------------------------------------------


def _date(value):
    return None if pd.isna(value) else pd.Timestamp(value).date()


@dataclass
class _Record:
    """One review record of the Reviews table(s)."""

    child: str
    date: dt.date
    collection_year: int | None
    line: int  # position in the input table
    code: object


@dataclass
class _Period:
    child: str
    number: int
    start: dt.date
    end: dt.date | None
    short_breaks_only: bool
    remand: bool
    placed_for_adoption: bool
    placement: dt.date | None


def _collection_years(data) -> list[int]:
    years = set()
    for table in (data.episodes, data.reviews, data.header):
        if table is not None and "collection_year" in table.columns:
            years.update(int(y) for y in table["collection_year"].dropna())
    return sorted(years)


def oracle_schedule(data, periods: pd.DataFrame, year: int, opts: Options = Options()) -> list[dict]:
    """The schedule of ``review_schedule(data, year, **opts.kwargs())``, one review at a time.

    Returns one dict per row (keys :data:`SCHEDULE_COLUMNS`; missing values None), in the
    library's order: children in order of first appearance in the Reviews table then the periods,
    then period, date (review date, or due date of a missed review), excluded rows last on a day.
    """
    year_start, year_end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    loaded = _collection_years(data)
    # the loaded returns list every review held from 1 April of the earliest collection year
    coverage = dt.date(loaded[0] - 1, 4, 1) if loaded else year_start
    # the latest date a review could have been due when the previous one is before the returns
    upper_bound = opts.after(coverage - DAY, 6)

    # review records dated up to the end of the year; a review in two returns counts from the latest
    records = []
    reviews = data.reviews
    has_year = "collection_year" in reviews.columns
    for line, row in enumerate(reviews.itertuples(index=False)):
        date = _date(row.REVIEW)
        if date is None or date > year_end:
            continue
        cy = getattr(row, "collection_year") if has_year else None
        cy = None if cy is None or pd.isna(cy) else int(cy)
        records.append(_Record(str(row.CHILD), date, cy, line, getattr(row, "REVIEW_CODE", None)))
    latest = {}
    for r in records:
        if r.collection_year is not None:
            key = (r.child, r.date)
            latest[key] = max(latest.get(key, r.collection_year), r.collection_year)
    records = [r for r in records if r.collection_year is None or r.collection_year == latest[(r.child, r.date)]]

    all_periods = [
        _Period(str(p.CHILD), int(p.period_number), _date(p.period_start), _date(p.period_end),
                bool(p.short_breaks_only), bool(p.remand), bool(p.placed_for_adoption),
                _date(p.adoption_placement_start) if opts.include_adoption_schedule else None)
        for p in periods.itertuples(index=False)
    ]
    children = list(dict.fromkeys([str(c) for c in reviews["CHILD"]] + [p.child for p in all_periods]))

    out = []
    for child in children:
        child_periods = sorted((p for p in all_periods if p.child == child and p.start <= year_end),
                               key=lambda p: p.start)
        child_records = sorted((r for r in records if r.child == child),
                               key=lambda r: (r.date, 9999 if r.collection_year is None else r.collection_year, r.line))
        rows = _child_schedule(child, child_periods, child_records, opts, coverage, upper_bound, year_end)
        for row in rows:
            _finish_row(row, child_periods, year_start, year_end)
        rows.sort(key=lambda r: (r["period_number"] or 0, r["review_date"] or r["due_date"],
                                 r["status"] == "excluded", r.pop("_group"), r.pop("_order")))
        out.extend(rows)
    return out


def _row(child, period, **values) -> dict:
    row = dict.fromkeys(SCHEDULE_COLUMNS)
    row.update(CHILD=child, flags="")
    if period is not None:
        row.update(period_number=period.number, period_start=period.start, period_end=period.end)
    row.update(values)
    return row


def _child_schedule(child, periods, records, opts, coverage, upper_bound, year_end) -> list[dict]:
    """Every row of one child: reviews held, excluded records, then the missed due dates."""
    rows = []
    chains = {p.number: [] for p in periods}
    seen = set()
    for order, rec in enumerate(records):
        # the period of care containing the review: the last one starting on or before it
        period = None
        for p in periods:
            if p.start <= rec.date:
                period = p
        inside = period is not None and (period.end is None or rec.date <= period.end)
        if not inside:
            reason = "outside_period_of_care"
        elif period.short_breaks_only:
            reason = "short_breaks_only"
        elif rec.date < coverage:
            reason = "before_loaded_returns"
        elif (period.number, rec.date) in seen:
            reason = "duplicate_same_day"
        else:
            seen.add((period.number, rec.date))
            chains[period.number].append((order, rec))
            continue
        rows.append(_row(child, period if inside else None, review_date=rec.date, status="excluded",
                         exclusion_reason=reason, REVIEW_CODE=rec.code, collection_year=rec.collection_year,
                         _group=2, _order=order))
    for p in periods:
        rows.extend(_period_reviews(child, p, chains[p.number], opts, coverage, upper_bound))
        if not p.short_breaks_only:  # a period of short breaks only expects no reviews
            rows.extend(_period_missed(child, p, rows, opts, coverage, upper_bound, year_end))
    return rows


def _period_reviews(child, p, chain, opts, coverage, upper_bound) -> list[dict]:
    """The reviews held in one period, each judged against the due date the previous one set."""
    rows = []
    history_known = p.start >= coverage
    period_flags = [name for name, on in (("remand", p.remand), ("placed_for_adoption", p.placed_for_adoption)) if on]
    previous = None
    number = adoption_number = 0
    for order, rec in chain:
        date = rec.date
        number += 1
        adoption = p.placement is not None and date >= p.placement
        adoption_number += adoption
        position = adoption_number if adoption else number
        known = p.placement >= coverage if adoption else history_known
        flags = list(period_flags)
        if not history_known:
            flags.append("history_before_loaded_returns")
        if previous is not None and (date - previous).days < opts.close_days:
            flags.append("close_to_previous")
        chain_position = position
        if known or position >= 3:
            # the previous review is known (or, from the third on, the interval is 6 months anyway)
            if position == 1:
                due = p.placement + 28 * DAY if adoption else opts.first_due(p.start)
            else:
                due = opts.after(previous, 3 if position == 2 else 6)
            rule = opts.rule(position, adoption)
            status = "on_time" if opts.on_time(date, due) else "late"
        elif position == 1:
            # the review before it is in a return that is not loaded: only a latest due date is known
            # (the library judges this bound with "<=" under either comparison)
            chain_position = 0
            if date > upper_bound:
                due, rule, status = upper_bound, "latest_possible_due_date", "late"
                flags.append("due_date_upper_bound")
            else:
                due, rule, status = None, None, "not_judged"
        else:
            # second in the loaded returns: 3 months if the first one was the period's first, else 6
            chain_position = 0
            three, six = opts.after(previous, 3), opts.after(previous, 6)
            rule = "second_or_subsequent"
            if opts.on_time(date, three):
                due, status = six, "on_time"
            elif not opts.on_time(date, six):
                due, status = six, "late"
            else:
                due, status = None, "not_judged"
        rows.append(_row(child, p, review_number=number if history_known else None,
                         adoption_review_number=adoption_number if adoption else None, review_date=date,
                         previous_review_date=previous, due_date=due, rule=rule, status=status,
                         flags=";".join(flags), REVIEW_CODE=rec.code, collection_year=rec.collection_year,
                         _group=0, _order=order, _adoption=adoption, _chain_position=chain_position))
        previous = date
    return rows


def _period_missed(child, p, rows, opts, coverage, upper_bound, year_end) -> list[dict]:
    """Due dates that passed with no review, while the child was looked after, up to the year end."""
    held = [r for r in rows if r.get("period_number") == p.number and r["status"] != "excluded"
            and r.get("_group") == 0]
    limit = year_end + DAY if p.end is None else min(p.end, year_end + DAY)
    period_flags = [name for name, on in (("remand", p.remand), ("placed_for_adoption", p.placed_for_adoption)) if on]
    missed = []

    def walk(due, position, adoption, stop, upper):
        while due < stop:
            flags = period_flags + (["due_date_upper_bound"] if upper else [])
            missed.append(_row(child, p, due_date=due, status="missed", flags=";".join(flags),
                               rule="latest_possible_due_date" if upper else opts.rule(position, adoption),
                               _group=1, _order=len(missed)))
            due = opts.next_due(due, position)
            position = 0 if position == 0 else position + 1
            upper = False

    def start_walk(last, adoption, first_due, known, stop):
        if last is not None:
            position = last["_chain_position"]
            walk(opts.next_due(last["review_date"], position), 0 if position == 0 else position + 1,
                 adoption, stop, False)
        elif known:
            walk(first_due, 1, adoption, stop, False)
        else:
            walk(upper_bound, 0, adoption, stop, True)

    statutory = [r for r in held if not r["_adoption"]]
    adoption = [r for r in held if r["_adoption"]]
    stop = limit if p.placement is None else min(limit, p.placement)
    start_walk(statutory[-1] if statutory else None, False, opts.first_due(p.start), p.start >= coverage, stop)
    if p.placement is not None and p.placement < limit:
        start_walk(adoption[-1] if adoption else None, True, p.placement + 28 * DAY, p.placement >= coverage, limit)
    return missed


def _finish_row(row, periods, year_start, year_end) -> None:
    """Columns that follow from the others: on_time, days_late and the in-year flags."""
    status, due, date = row["status"], row["due_date"], row["review_date"]
    row["on_time"] = status == "on_time"
    if status == "late":
        row["days_late"] = max(0, (date - due).days)
    elif status == "on_time":
        row["days_late"] = 0
    elif status == "missed":
        # overdue at the end of the year, or on the child's last day in care
        end = row["period_end"]
        stop = year_end if end is None else min(end - DAY, year_end)
        row["days_late"] = (stop - due).days
    row["held_in_year"] = date is not None and year_start <= date <= year_end
    row["due_in_year"] = due is not None and year_start <= due <= year_end and status != "excluded"
    row["in_year"] = row["held_in_year"] or row["due_in_year"]
    for key in ("_adoption", "_chain_position"):
        row.pop(key, None)


def oracle_summary(rows: list[dict], year: int) -> dict:
    """The three metrics of ``timeliness_summary`` by counting rows: (numerator, denominator, not judged)."""
    year_start, year_end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    held = held_ok = due = due_ok = not_judged = 0
    children, not_judged_children = {}, set()
    for r in rows:
        in_held = r["review_date"] is not None and year_start <= r["review_date"] <= year_end
        in_due = r["due_date"] is not None and year_start <= r["due_date"] <= year_end
        if in_held and r["status"] in ("on_time", "late"):
            held += 1
            held_ok += r["status"] == "on_time"
        if in_held and r["status"] == "not_judged":
            not_judged += 1
            not_judged_children.add(r["CHILD"])
        if in_due and r["status"] in ("on_time", "late", "missed"):
            due += 1
            due_ok += r["status"] == "on_time"
            children[r["CHILD"]] = children.get(r["CHILD"], True) and r["status"] == "on_time"
    return {"reviews_held": (held_ok, held, not_judged), "reviews_due": (due_ok, due, not_judged),
            "children": (sum(children.values()), len(children), len(not_judged_children))}


def library_rows(schedule: pd.DataFrame) -> list[dict]:
    """The library's schedule as dicts of plain values (dates as ``datetime.date``, NA as None)."""
    def plain(value):
        if isinstance(value, str):
            return value
        if value is None or pd.isna(value):
            return None
        if isinstance(value, pd.Timestamp):
            return value.date()
        return value.item() if hasattr(value, "item") else value

    return [{c: plain(v) for c, v in zip(SCHEDULE_COLUMNS, row)}
            for row in schedule.loc[:, list(SCHEDULE_COLUMNS)].itertuples(index=False)]


# ---------------------------------------------------------------------------------------------
# histories
# ---------------------------------------------------------------------------------------------


@dataclass
class History:
    """A small return (or stack of returns) and the options to build its schedule with."""

    year: int
    first_year: int  # earliest collection year loaded
    episodes: list  # (CHILD, DECOM, RNE, LS, PLACE, DEC, REC)
    reviews: list  # (CHILD, REVIEW, REVIEW_CODE, collection_year)
    options: Options = field(default_factory=Options)
    collection_years: bool = True  # False: one return without a collection_year column

    def data(self) -> SSDA903:
        eps = pd.DataFrame(self.episodes, columns=["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"])
        for col in ("DECOM", "DEC"):
            eps[col] = pd.to_datetime(eps[col])
        rv = pd.DataFrame(self.reviews, columns=["CHILD", "REVIEW", "REVIEW_CODE", "collection_year"])
        rv["REVIEW"] = pd.to_datetime(rv["REVIEW"])
        rv.insert(1, "DOB", pd.Timestamp("2008-01-01"))
        children = sorted(set(eps["CHILD"]) | set(rv["CHILD"]))
        hdr = pd.DataFrame({"CHILD": children, "SEX": "1", "DOB": pd.Timestamp("2008-01-01"), "ETHNIC": "WBRI"})
        if self.collection_years:
            # every loaded year has a return (a header at least), so the years have no gap
            hdr = pd.concat([hdr.assign(collection_year=y) for y in range(self.first_year, self.year + 1)],
                            ignore_index=True)
            eps["collection_year"] = self.year
            rv["collection_year"] = rv["collection_year"].astype("Int64")
        else:
            rv = rv.drop(columns="collection_year")
        return SSDA903(header=hdr, episodes=eps, reviews=rv)


def _notable_days(first: int, last: int) -> list[dt.date]:
    """Month ends that clip, 29 February, Christmas and the ends of the reporting year."""
    days = []
    for y in range(first, last + 1):
        days += [dt.date(y, 1, 31), dt.date(y, 8, 31), dt.date(y, 11, 30), dt.date(y, 2, 28), dt.date(y, 3, 31),
                 dt.date(y, 4, 1), dt.date(y, 12, 24), dt.date(y, 5, 31), dt.date(y, 10, 31)]
        if calendar.isleap(y):
            days.append(dt.date(y, 2, 29))
    return days


@st.composite
def a_day(draw, low: dt.date, high: dt.date):
    notable = [d for d in _notable_days(low.year, high.year) if low <= d <= high]
    if notable and draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(notable))
    return low + draw(st.integers(0, (high - low).days)) * DAY


@st.composite
def options(draw) -> Options:
    if draw(st.integers(0, 2)) == 0:
        return Options()  # the statutory reading, a third of the time
    return Options(first_review=draw(st.sampled_from(["20_working_days", "28_days"])),
                   later_intervals=draw(st.sampled_from(["calendar_months", "days"])),
                   comparison=draw(st.sampled_from(["<=", "<"])),
                   include_adoption_schedule=draw(st.booleans()),
                   close_days=draw(st.sampled_from([0, 7, 40])))


# how far from the due date a review is held: on the day and the day after most of all
_OFFSETS = st.one_of(st.sampled_from([0, 1, 0, 1, -1, 2]), st.integers(-70, 120))


@st.composite
def _episodes(draw, child: str, low: dt.date, high: dt.date) -> tuple[list, list]:
    """A child's episodes (one to four) and the periods of care they make: [(start, end, placement)]."""
    start = draw(a_day(low, high))
    episodes, periods = [], []
    period_start, placement = start, None
    rne = "S"
    for i in range(draw(st.integers(1, 4))):
        ls = draw(st.sampled_from(["C2", "C2", "C1", "E1", "J1", "V3", "V4"]))
        place = draw(st.sampled_from(["U4", "U4", "R1", "A3", "A5"]))
        if place in ("A3", "A5") and placement is None:
            placement = start
        length = draw(st.one_of(st.integers(1, 500), st.sampled_from([28, 91, 92, 183, 184])))
        end = start + length * DAY
        last = end > high or draw(st.integers(0, 3)) == 0
        if last:
            closed = draw(st.booleans()) and end <= high + 200 * DAY
            episodes.append((child, start, rne, ls, place, end if closed else None, "E4A" if closed else None))
            periods.append((period_start, end if closed else None, placement))
            break
        if draw(st.booleans()):  # care continues in a new episode (placement or legal status change)
            episodes.append((child, start, rne, ls, place, end, "X1"))
            start, rne = end, draw(st.sampled_from(["P", "L", "T", "B", "U"]))
        else:  # care ends, and a new period begins on the same day or after a gap
            episodes.append((child, start, rne, ls, place, end, draw(st.sampled_from(["E4A", "E13", "E8"]))))
            periods.append((period_start, end, placement))
            start = end + draw(st.integers(0, 120)) * DAY
            period_start, placement, rne = start, None, "S"
            if start > high:
                break
    return episodes, periods


@st.composite
def _reviews(draw, child: str, period: tuple, opts: Options, high: dt.date) -> list:
    """Review dates of one period, each some days from a due date the rules could give it."""
    start, end, placement = period
    stop = high if end is None else min(high, end + 30 * DAY)
    dates, previous = [], None
    for _ in range(draw(st.integers(0, 5))):
        anchors = [opts.first_due(start)] if previous is None else [
            opts.after(previous, 3), opts.after(previous, 6), add_months(previous, 6), previous + 183 * DAY]
        if placement is not None:
            anchors.append(placement + 28 * DAY)
        date = draw(st.sampled_from(anchors)) + draw(_OFFSETS) * DAY
        low = start if previous is None else previous + DAY
        notable = [d for d in _notable_days(low.year, stop.year) if low <= d <= stop]
        if notable and draw(st.integers(0, 4)) == 0:  # a month end, so that the next due date clips
            date = draw(st.sampled_from(notable))
        if previous is not None and draw(st.integers(0, 6)) == 0:
            date = previous + draw(st.sampled_from([1, 6, 7, 8, 39, 40, 41])) * DAY  # around close_days
        if previous is not None and date <= previous:
            date = previous + draw(st.integers(0, 10)) * DAY  # 0: a second record on the same day
        if date > stop:
            break
        dates.append(date)
        previous = date
    return dates


@st.composite
def histories(draw) -> History:
    year = draw(st.sampled_from([2021, 2024, 2025]))  # 2023-24 holds 29 February 2024
    first_year = draw(st.sampled_from([year - 2, year - 1, year]))
    with_years = first_year < year or draw(st.integers(0, 3)) > 0
    opts = draw(options())
    coverage, year_end = dt.date(first_year - 1, 4, 1), dt.date(year, 3, 31)
    episodes, reviews = [], []

    def return_year(day):  # the collection year whose return lists a review held on ``day``
        return min(max(day.year + (day.month >= 4), first_year), year)

    for c in range(draw(st.integers(1, 3))):
        child = f"C{c}"
        child_episodes, periods = draw(_episodes(child, coverage - 500 * DAY, year_end))
        episodes += child_episodes
        for period in periods:
            for date in draw(_reviews(child, period, opts, year_end + 40 * DAY)):
                reviews.append((child, date, draw(st.sampled_from(["PN1", "PN3", "PN0"])), return_year(date)))
                if draw(st.integers(0, 9)) == 0:  # recorded twice on the same day (counts once)
                    reviews.append((child, date, "PN2", return_year(date)))
                if draw(st.integers(0, 9)) == 0 and return_year(date) > first_year:
                    # listed again by the previous year's return (counts once, from the latest)
                    reviews.append((child, date, "PN7", return_year(date) - 1))
        for _ in range(draw(st.integers(0, 2))):
            # a stray record: outside care, before the loaded returns, after the year or undated
            day = draw(a_day(coverage - 200 * DAY, year_end + 20 * DAY))
            reviews.append((child, None if draw(st.integers(0, 5)) == 0 else day, "PN1", return_year(day)))
    if draw(st.integers(0, 4)) == 0:  # a child with reviews but no episode at all
        day = draw(a_day(coverage, year_end))
        reviews.append(("NO_EPISODES", day, "PN1", return_year(day)))
    # the order of the records in the file (the output keeps children in order of first appearance)
    reviews = draw(st.permutations(reviews))
    return History(year, first_year, episodes, list(reviews), opts, with_years)


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------


def _check(history: History) -> list[dict]:
    data = history.data()
    periods = periods_of_care(data)
    got = review_schedule(data, history.year, **history.options.kwargs())
    want = oracle_schedule(data, periods, history.year, history.options)
    got_rows = library_rows(got)
    assert len(got_rows) == len(want), (len(got_rows), len(want))
    for i, (g, w) in enumerate(zip(got_rows, want)):
        assert g == w, f"row {i}: library {g} != oracle {w}"
    summary = timeliness_summary(got, history.year).set_index("metric")
    for metric, counts in oracle_summary(want, history.year).items():
        assert tuple(int(summary.loc[metric, c]) for c in ("numerator", "denominator", "not_judged")) == counts
    return want


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# Boundary cases written out (hypothesis tries them first, then random histories).
# Period from Fri 27 May 2022: 20 working days -> Tue 28 Jun 2022 (2 and 3 June are bank holidays);
# a review on that day is on time, one the day after is late. 31 Jan + 3 months = 30 Apr.
_ON_DUE_DAY = History(2023, 2022, [("A", _d("2022-05-27"), "S", "C2", "U4", None, None)],
                      [("A", _d("2022-06-28"), "PN1", 2023), ("B", _d("2022-07-01"), "PN1", 2023)])
_DAY_AFTER = History(2023, 2022, [("A", _d("2022-05-27"), "S", "C2", "U4", None, None)],
                     [("A", _d("2022-06-29"), "PN1", 2023)])
# first review Tue 31 Jan 2023 -> second due 31 Jan + 3 months = 30 Apr 2023 (clipped to the month end):
# held on 30 April it is on time, on 1 May late.
_MONTH_END = History(2024, 2023, [("A", _d("2023-01-03"), "S", "C2", "U4", None, None)],
                     [("A", _d("2023-01-31"), "PN1", 2023), ("A", _d("2023-04-30"), "PN1", 2024)])
_MONTH_END_LATE = History(2024, 2023, [("A", _d("2023-01-03"), "S", "C2", "U4", None, None)],
                          [("A", _d("2023-01-31"), "PN1", 2023), ("A", _d("2023-05-01"), "PN1", 2024)])
# 31 Aug 2023 + 6 months = 29 Feb 2024 (leap year): a review on 29 Feb is on time, on 1 Mar late.
_LEAP = History(2024, 2023, [("A", _d("2022-10-03"), "S", "C2", "U4", None, None)],
                [("A", _d("2022-10-31"), "PN1", 2023), ("A", _d("2023-01-31"), "PN1", 2023),
                 ("A", _d("2023-08-31"), "PN1", 2024), ("A", _d("2024-02-29"), "PN1", 2024)])
_LEAP_LATE = History(2024, 2023, [("A", _d("2022-10-03"), "S", "C2", "U4", None, None)],
                     [("A", _d("2022-10-31"), "PN1", 2023), ("A", _d("2023-01-31"), "PN1", 2023),
                      ("A", _d("2023-08-31"), "PN1", 2024), ("A", _d("2024-03-01"), "PN1", 2024)])
# care breaks on 30 Sep 2022 (E4A) and a new period starts 10 Oct 2022: the schedule restarts.
_BREAK = History(2023, 2022, [("A", _d("2022-04-04"), "S", "C2", "U4", _d("2022-09-30"), "E4A"),
                              ("A", _d("2022-10-10"), "S", "C2", "U4", None, None)],
                 [("A", _d("2022-05-03"), "PN1", 2023), ("A", _d("2022-11-07"), "PN1", 2023)])


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(histories())
@example(_ON_DUE_DAY)
@example(_DAY_AFTER)
@example(_MONTH_END)
@example(_MONTH_END_LATE)
@example(_LEAP)
@example(_LEAP_LATE)
@example(_BREAK)
def test_library_schedule_equals_the_per_review_oracle(history):
    _check(history)


def test_boundary_cases_hand_checked():
    """The written-out boundary histories give the hand-worked verdicts (and library == oracle)."""
    def held(history):
        return [(r["review_date"], r["due_date"], r["status"]) for r in _check(history) if r["review_date"]]

    # 27 May 2022 + 20 working days = 28 Jun 2022 (hand count in test_timeliness.FIRST_REVIEW)
    assert held(_ON_DUE_DAY)[0] == (_d("2022-06-28"), _d("2022-06-28"), "on_time")
    assert held(_DAY_AFTER) == [(_d("2022-06-29"), _d("2022-06-28"), "late")]
    # Tue 3 Jan 2023 + 20 working days: 4-6 (3), 9-13 (8), 16-20 (13), 23-27 (18), 30, 31 (20) -> 31 Jan
    assert held(_MONTH_END) == [(_d("2023-01-31"), _d("2023-01-31"), "on_time"),
                                (_d("2023-04-30"), _d("2023-04-30"), "on_time")]
    assert held(_MONTH_END_LATE)[-1] == (_d("2023-05-01"), _d("2023-04-30"), "late")
    # second review 31 Jan 2023 was due 3 months after 31 Oct 2022 = 31 Jan 2023 (on time); the third,
    # 31 Aug 2023, was due 6 months after 31 Jan 2023 = 31 Jul 2023 (late); the fourth is due
    # 31 Aug 2023 + 6 months = 29 Feb 2024
    assert held(_LEAP)[1:] == [(_d("2023-01-31"), _d("2023-01-31"), "on_time"),
                               (_d("2023-08-31"), _d("2023-07-31"), "late"),
                               (_d("2024-02-29"), _d("2024-02-29"), "on_time")]
    assert held(_LEAP_LATE)[-1] == (_d("2024-03-01"), _d("2024-02-29"), "late")
    # the second period starts Mon 10 Oct 2022: 11-14 Oct (4), 17-21 (9), 24-28 (14), 31 Oct-4 Nov (19),
    # 7 Nov (20) -> due 7 Nov 2022; its review number is 1 again
    rows = _check(_BREAK)
    second = [r for r in rows if r["period_number"] == 2 and r["review_date"]]
    assert [(r["review_number"], r["due_date"], r["status"]) for r in second] == [(1, _d("2022-11-07"), "on_time")]
    # first period from Mon 4 Apr 2022: 5-8 Apr (4), 11-14 (8; Good Friday 15), 19-22 (12; Easter Monday 18),
    # 25-29 (17), 3-5 May (20; bank holiday 2 May) -> due 5 May, held 3 May. The second was due
    # 3 May + 3 months = 3 Aug 2022, before care ended on 30 Sep 2022, and was not held: missed
    missed = [r for r in rows if r["status"] == "missed"]
    assert [(r["period_number"], r["due_date"]) for r in missed][:1] == [(1, _d("2022-08-03"))]
