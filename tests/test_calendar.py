"""The statutory clock: working days (E&W bank holidays) and calendar months.

Expected dates are the hand-checked table in the SSDA903 research note (§4.6), each counted on a
calendar: the start day is day 0 and only Monday-Friday non-holidays count.
"""

import numpy as np
import pandas as pd
import pytest

from iro_analysis import ParameterError
from iro_analysis.calendar import (
    add_calendar_months,
    add_working_days,
    month_ends,
    parse_year,
    quarter_of,
    working_day_holidays,
    year_bounds,
    year_label,
)

FIRST_REVIEW_DEADLINES = [
    # start (weekday), 20th working day after; working shown for two by hand:
    # 2024-12-20 Fri: Dec 23,24,27,30,31 (5; 25/26 BH), Jan 2,3 (7; 1 Jan BH), 6-10 (12), 13-17 (17), 20,21,22 (20)
    ("2024-12-20", "2025-01-22"),
    ("2024-12-24", "2025-01-24"),
    # 2025-04-14 Mon: 15,16,17 (3; Good Fri 18), 22-25 (7; Easter Mon 21), 28-May 2 (12; BH 5 May), 6-9 (16), 12-15 (20)
    ("2025-04-14", "2025-05-15"),
    ("2025-03-31", "2025-04-30"),
    # Saturday start counts from Friday 1 Aug: same as a Friday start. roll="forward" would give 2 Sep.
    ("2025-08-02", "2025-09-01"),
    # Spring bank holiday moved to Thu 2 June 2022 and the Jubilee on Fri 3 June 2022.
    ("2022-05-27", "2022-06-28"),
    ("2025-12-19", "2026-01-21"),
]


@pytest.mark.parametrize(("start", "due"), FIRST_REVIEW_DEADLINES)
def test_first_review_deadline_matches_hand_count(start, due):
    assert add_working_days(start, 20) == pd.Timestamp(due)


def test_working_days_vectorised_keeps_shape_and_missing_values():
    starts = pd.Series(pd.to_datetime([d for d, _ in FIRST_REVIEW_DEADLINES] + [None]), index=range(10, 18))
    result = add_working_days(starts, 20)
    assert list(result.index) == list(starts.index)
    assert result.iloc[:-1].tolist() == [pd.Timestamp(d) for _, d in FIRST_REVIEW_DEADLINES]
    assert pd.isna(result.iloc[-1])


def test_one_off_bank_holidays_are_included():
    hol = working_day_holidays(2022, 2023)
    for day in ["2022-06-02", "2022-06-03", "2022-09-19", "2023-05-08"]:
        assert np.datetime64(day) in hol
    # Coronation Monday 8 May 2023 pushes a first review: start Fri 21 Apr 2023,
    # 24-28 (5), May 2-5 (9; BH 1 May), 9-12 (13; BH 8 May), 15-19 (18), 22,23 (20).
    assert add_working_days("2023-04-21", 20) == pd.Timestamp("2023-05-23")


@pytest.mark.parametrize(
    ("base", "months", "expected"),
    [
        ("2024-01-31", 3, "2024-04-30"),  # April has 30 days
        ("2024-11-30", 3, "2025-02-28"),
        ("2023-08-31", 6, "2024-02-29"),  # leap year
        ("2024-08-31", 6, "2025-02-28"),
        ("2024-02-29", 6, "2024-08-29"),
        ("2024-02-29", 12, "2025-02-28"),
    ],
)
def test_calendar_months_clip_to_month_end(base, months, expected):
    assert add_calendar_months(base, months) == pd.Timestamp(expected)


def test_reporting_year_helpers():
    assert year_bounds(2023) == (pd.Timestamp("2022-04-01"), pd.Timestamp("2023-03-31"))
    assert year_label("2022-23") == "2022-23"
    assert year_label(2000) == "1999-00"
    assert parse_year("2022/23") == 2023
    assert len(month_ends(2024)) == 12 and month_ends(2024)[10] == pd.Timestamp("2024-02-29")
    quarters = quarter_of(pd.to_datetime(["2022-03-31", "2022-04-01", "2022-06-30", "2022-07-01", "2023-01-01"]), 2023)
    assert quarters.tolist() == [pd.NA, 1, 1, 2, 4]


@pytest.mark.parametrize("bad", ["2022-24", "twenty", "1850", "2023-22"])
def test_bad_year_is_a_parameter_error(bad):
    with pytest.raises(ParameterError, match="year"):
        parse_year(bad)
