"""The count tables' fast paths against their general paths.

Each fast path (numpy grids, results reused within one prepared return) must give exactly the
frame the general path gives, dtypes included. Property tests draw the inputs; hand-built cases
check the fallbacks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iro_analysis import report

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LABELS = st.sampled_from(["Q1 (Apr-Jun 2022)", "Q2 (Jul-Sep 2022)", "Q3 (Oct-Dec 2022)", "Q4 (Jan-Mar 2023)"])
CATEGORIES = st.sampled_from(["Under 1", "1 to 4", "Not recorded", "C2", "e", "Total", "Year"])


@st.composite
def long_tables(draw):
    rows = draw(st.lists(st.tuples(LABELS, CATEGORIES, st.integers(0, 50)), min_size=1, max_size=30))
    table = pd.DataFrame(rows, columns=["quarter_label", "band", "count"])
    table["band"] = table["band"].astype(object)
    table["quarter_label"] = table["quarter_label"].astype(object)
    return table


@SETTINGS
@given(long_tables(), st.booleans())
def test_by_quarter_grid_equals_pivot(table, total):
    expected = report._by_quarter_pivot(table, "band", "count", total)
    got = report.by_quarter(table, "band", total=total)
    pd.testing.assert_frame_equal(got, expected)
    fast = report._by_quarter_grid(table, "band", "count", total)
    if fast is not None:
        pd.testing.assert_frame_equal(fast, expected)


def test_by_quarter_grid_is_taken_for_report_tables_and_sums_repeats():
    table = pd.DataFrame({"quarter_label": ["Q1", "Q1", "Q2", "Q1"], "sex": ["F", "M", "F", "F"],
                          "count": np.array([1, 2, 3, 4], dtype="int64")})
    fast = report._by_quarter_grid(table, "sex", "count", True)
    assert fast is not None
    # F in Q1: 1 + 4; M has no Q2 row (0)
    assert fast.values.tolist() == [["F", 5, 3, 8], ["M", 2, 0, 2], ["Total", 7, 3, 10]]
    pd.testing.assert_frame_equal(fast, report._by_quarter_pivot(table, "sex", "count", True))


@pytest.mark.parametrize("change", ["float counts", "missing label", "Total row", "Year column", "empty"])
def test_by_quarter_grid_falls_back(change):
    table = pd.DataFrame({"quarter_label": ["Q1", "Q2"], "sex": ["F", "M"], "count": np.array([1, 2], dtype="int64")})
    if change == "float counts":
        table["count"] = [1.5, 2.0]
    elif change == "missing label":
        table["sex"] = ["F", None]
    elif change == "Total row":
        table["sex"] = ["Total", "M"]
    elif change == "Year column":
        table["quarter_label"] = ["Year", "Q2"]
    else:
        table = table.iloc[:0]
    assert report._by_quarter_grid(table, "sex", "count", True) is None


# --- results kept with a prepared return ---------------------------------------------------------


@pytest.fixture(scope="module")
def wokingham(synthetic_wokingham):
    from iro_analysis import load_ssda903

    return load_ssda903(synthetic_wokingham)


@pytest.mark.parametrize("exclude", [True, False])
def test_participation_kept_within_a_prepared_return_equals_a_fresh_one(wokingham, exclude):
    from iro_analysis import cohorts

    fresh = cohorts.participation_by_quarter(wokingham, 2023, exclude_short_breaks=exclude)
    with cohorts.prepared_once():
        first = cohorts.participation_by_quarter(wokingham, 2023, exclude_short_breaks=exclude)
        first.loc[:, "count"] = -1  # a caller changing its copy changes nobody else's
        again = cohorts.participation_by_quarter(wokingham, 2023, exclude_short_breaks=exclude)
        last_year = cohorts.participation_by_quarter(wokingham, 2022, exclude_short_breaks=exclude)
    pd.testing.assert_frame_equal(again, fresh)
    pd.testing.assert_frame_equal(last_year, cohorts.participation_by_quarter(wokingham, 2022,
                                                                              exclude_short_breaks=exclude))
    assert not last_year.equals(again)
