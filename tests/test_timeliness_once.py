"""Schedules kept within ``timeliness.schedules_once()`` are the schedules built without it.

The block hands out copies of schedules built once per return, year, rules and ``periods``
argument; these tests hold every such schedule (and what the reconciliation and the count
change make of them) equal to an independent call, in any order of asking, and show that
nothing is shared between returns, between blocks or through a caller changing its copy.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_timeliness_oracle import histories

from iro_analysis.cohorts import periods_of_care
from iro_analysis.ssda903 import load_ssda903
from iro_analysis.timeliness import (
    reconcile_timeliness,
    review_count_change,
    review_schedule,
    schedules_once,
)
from iro_analysis.timeliness import once
from iro_analysis.timeliness.once import _kept

VARIANTS = [dict(first_review=f, later_intervals=i, comparison=c)
            for f, i, c in itertools.product(("20_working_days", "28_days"), ("calendar_months", "days"), ("<=", "<"))]


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs == want.attrs


def _outside(func, *args, **kwargs):
    """``func`` called as if no block were open: the independent result."""
    token = once._KEPT.set(None)
    try:
        return func(*args, **kwargs)
    finally:
        once._KEPT.reset(token)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(histories(), st.data())
def test_schedules_in_a_block_equal_independent_schedules(history, draw):
    data = history.data()
    years = [history.year] + ([history.year - 1] if history.first_year < history.year else [])
    periods = periods_of_care(data)
    asks = [(y, v, given_periods) for y in years for v in range(len(VARIANTS)) for given_periods in (False, True)]
    asks = draw.draw(st.lists(st.sampled_from(asks), min_size=1, max_size=24))  # any order, with repeats
    with schedules_once():
        for year, v, given_periods in asks:
            kwargs = dict(periods=periods if given_periods else None, **VARIANTS[v])
            _same(review_schedule(data, year, **kwargs), _outside(review_schedule, data, year, **kwargs))


@pytest.fixture(scope="module")
def wokingham(synthetic_wokingham):
    return load_ssda903(synthetic_wokingham)


def test_reconciliation_and_count_change_in_a_block_equal_independent_ones(wokingham):
    alone_rec = reconcile_timeliness(wokingham, 2023, reported_percent=90)
    alone_change = review_count_change(wokingham, 2023)
    alone_schedule = review_schedule(wokingham, 2023)
    with schedules_once():
        schedule = review_schedule(wokingham, 2023)  # the statutory variant, kept for what follows
        rec = reconcile_timeliness(wokingham, 2023, reported_percent=90)
        change = review_count_change(wokingham, 2023)
        again = review_count_change(wokingham, 2023, periods=periods_of_care(wokingham))
    _same(schedule, alone_schedule)
    _same(rec.variants, alone_rec.variants)
    _same(rec.counts, alone_rec.counts)
    _same(change, alone_change)
    _same(again, alone_change)


def test_a_block_hands_out_copies_and_keeps_nothing_after_it(wokingham):
    alone = review_schedule(wokingham, 2023)
    with schedules_once():
        first = review_schedule(wokingham, 2023)
        first.loc[:, "status"] = "changed by the caller"
        first.attrs["year"] = 1999
        with schedules_once():  # an inner block shares the outer one's schedules
            inner = review_schedule(wokingham, 2023)
            kept = _kept()
        assert _kept() is kept
        _same(inner, alone)
        _same(review_schedule(wokingham, 2023), alone)
    assert _kept() is None


def test_each_return_has_its_own_schedules(wokingham, synthetic_wokingham):
    other = load_ssda903(synthetic_wokingham)
    reviews = other.reviews.iloc[: len(other.reviews) // 2]
    fewer = type(other).from_tables(episodes=other.episodes, reviews=reviews, header=other.header)
    with schedules_once():
        ours = review_schedule(wokingham, 2023)
        theirs = review_schedule(fewer, 2023)
    _same(ours, review_schedule(wokingham, 2023))
    _same(theirs, review_schedule(fewer, 2023))
    assert len(theirs) != len(ours)


def test_the_same_errors_in_a_block(wokingham):
    from iro_analysis import ParameterError

    with schedules_once():
        with pytest.raises(ParameterError, match="not covered"):
            review_schedule(wokingham, 2030)
        with pytest.raises(ParameterError, match="not recognised"):
            review_schedule(wokingham, 2023, first_review="nonsense")
        _same(review_schedule(wokingham, 2023), _outside(review_schedule, wokingham, 2023))


def test_classified_reviews_with_the_moves_given_equal_working_them_out(wokingham):
    from iro_analysis.timeliness.change import _classify_reviews, _placement_moves

    moves = _placement_moves(wokingham)
    for year in (2022, 2023):
        schedule = review_schedule(wokingham, year)
        alone = _classify_reviews(wokingham, schedule, 28, 28)
        _same(_classify_reviews(wokingham, schedule, 28, 28, moves), alone)
        # each row's rule tested on its own gives the same components
        rule = alone["rule"].astype(object).fillna("")
        for prefix, component in (("first", "first_reviews"), ("second", "second_reviews")):
            named = rule.str.startswith(prefix).to_numpy(dtype=bool) & ~alone["status"].eq("not_judged").to_numpy()
            assert (alone.loc[named, "component"] == component).all() and named.any()
    empty = _classify_reviews(wokingham, review_schedule(wokingham, 2023).iloc[:0], 28, 28, moves)
    assert empty.empty and "component" in empty


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(histories(), st.data())
def test_metric_columns_alone_equal_the_whole_schedules(history, draw):
    from iro_analysis.timeliness import timeliness_summary
    from iro_analysis.timeliness.schedule import METRIC_COLUMNS, _metric_schedule

    data = history.data()
    years = [history.year] + ([history.year - 1] if history.first_year < history.year else [])
    asks = [(y, v, whole_first) for y in years for v in range(len(VARIANTS)) for whole_first in (False, True)]
    asks = draw.draw(st.lists(st.sampled_from(asks), min_size=1, max_size=12))
    for year, v, whole_first in asks:
        whole = review_schedule(data, year, **VARIANTS[v])
        want = whole.loc[:, list(METRIC_COLUMNS)]
        _same(_metric_schedule(data, year, **VARIANTS[v]), want)  # outside any block
        with schedules_once():
            if whole_first:  # then taken from the whole schedule kept
                _same(review_schedule(data, year, **VARIANTS[v]), whole)
            got = _metric_schedule(data, year, **VARIANTS[v])
            _same(got, want)
            _same(_metric_schedule(data, year, **VARIANTS[v]), want)
            _same(review_schedule(data, year, **VARIANTS[v]), whole)
        _same(timeliness_summary(got, year), timeliness_summary(whole, year))
