"""Finding each row's latest earlier row of its key by position, against pandas.merge_asof.

:func:`iro_analysis._asof.latest_on_or_before` stands in for ``merge_asof(direction="backward",
by=...)`` in the review checks and the review-count change; these tests hold it, and the two
callers' fast paths, to the merge on drawn rows with many ties.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iro_analysis._asof import latest_on_or_before

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAY = st.integers(0, 8).map(lambda d: np.datetime64("2022-04-01", "ns") + np.timedelta64(d, "D"))
HOUR = st.integers(0, 200).map(lambda h: np.datetime64("2022-04-01", "ns") + np.timedelta64(h, "h"))
KEY = st.sampled_from(["A", "B", "C", "10", "1"])


def _merged(left_key, left_date, right_key, right_date) -> np.ndarray:
    left = pd.DataFrame({"CHILD": np.asarray(left_key, dtype=object), "d": left_date, "_i": np.arange(len(left_key))})
    right = pd.DataFrame({"CHILD": np.asarray(right_key, dtype=object), "rd": right_date, "_j": np.arange(len(right_key))})
    m = pd.merge_asof(left.sort_values("d", kind="stable"), right.sort_values("rd", kind="stable"),
                      left_on="d", right_on="rd", by="CHILD", direction="backward")
    out = np.full(len(left_key), -1)
    out[m["_i"].to_numpy()] = m["_j"].fillna(-1).to_numpy(dtype=np.int64)
    return out


@SETTINGS
@given(st.lists(st.tuples(KEY, st.one_of(DAY, HOUR)), min_size=1, max_size=12),
       st.lists(st.tuples(KEY, st.one_of(DAY, HOUR)), min_size=1, max_size=12))
def test_latest_on_or_before_is_merge_asof_s_partner(left, right):
    left_key, left_date = [k for k, _ in left], np.array([d for _, d in left], dtype="datetime64[ns]")
    right_key, right_date = [k for k, _ in right], np.array([d for _, d in right], dtype="datetime64[ns]")
    got = latest_on_or_before(left_key, left_date, right_key, right_date)
    np.testing.assert_array_equal(got, _merged(left_key, left_date, right_key, right_date))


def test_latest_on_or_before_leaves_the_rest_to_merge_asof():
    d = np.array(["2022-04-01", "2022-05-01"], dtype="datetime64[ns]")
    assert latest_on_or_before([], d[:0], ["A"], d[:1]) is None
    assert latest_on_or_before(["A"], d[:1], [], d[:0]) is None
    assert latest_on_or_before(["A"], np.array(["NaT"], dtype="datetime64[ns]"), ["A"], d[:1]) is None
    assert latest_on_or_before(["A", None], d, ["A"], d[:1]) is None
    assert latest_on_or_before([1, 2], d, ["1"], d[:1]) is None  # not text: the merge's own equality


@st.composite
def _held_and_moves(draw):
    n = draw(st.integers(1, 10))
    held = pd.DataFrame({
        "CHILD": pd.Series([draw(KEY) for _ in range(n)], dtype=object),
        "review_date": np.array([draw(st.one_of(DAY, HOUR)) for _ in range(n)], dtype="datetime64[ns]"),
        "previous_review_date": np.array([draw(st.one_of(DAY, st.just(np.datetime64("NaT", "ns"))))
                                          for _ in range(n)], dtype="datetime64[ns]"),
    })
    k = draw(st.integers(1, 8))
    moves = pd.DataFrame({"CHILD": np.array([draw(KEY) for _ in range(k)], dtype=object),
                          "move_date": np.array([draw(st.one_of(DAY, HOUR)) for _ in range(k)], dtype="datetime64[ns]")})
    return held, moves, draw(st.integers(0, 5))


@SETTINGS
@given(_held_and_moves())
def test_reviews_after_a_recent_move_by_position_equal_the_merge(drawn):
    from iro_analysis.timeliness.change import _after_recent_move, _after_recent_move_merged

    held, moves, window = drawn
    rdate = held["review_date"].to_numpy(dtype="datetime64[ns]")
    np.testing.assert_array_equal(_after_recent_move(held, rdate, moves, window),
                                  _after_recent_move_merged(held, rdate, moves, window))
