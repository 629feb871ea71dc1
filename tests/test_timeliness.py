"""Review timeliness: the reg 33 schedule, its metrics, reconciliation and count changes.

Expected dates are counted by hand on a calendar (working shown in comments): the start day is
day 0, only Monday-Friday non-bank-holidays count, and a start on a weekend counts from the
previous working day (docs/domain/ssda903.md §4.6). Calendar months clip to the month end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iro_analysis import ParameterError
from iro_analysis.ssda903 import SSDA903
from iro_analysis.timeliness import (
    SCHEDULE_COLUMNS,
    exception_list,
    monthly_timeliness,
    published_consistency,
    reconcile_timeliness,
    review_count_change,
    review_schedule,
    timeliness_summary,
)

T = pd.Timestamp


def make_data(episodes, reviews, *, episode_year=None, review_year=None, header=True, header_years=None):
    """Build an SSDA903 from compact rows.

    episodes: (CHILD, DECOM, RNE, LS, PLACE, DEC, REC); reviews: (CHILD, REVIEW[, REVIEW_CODE]).
    ``episode_year``/``review_year`` add a collection_year column (so that the loaded returns
    begin with the earlier of the two years); ``review_year="auto"`` puts each review in the
    return of the year it was held; ``header_years`` repeats the header in each of those returns.
    """
    eps = pd.DataFrame(episodes, columns=["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"])
    eps["DECOM"] = pd.to_datetime(eps["DECOM"])
    eps["DEC"] = pd.to_datetime(eps["DEC"])
    rows = [r if len(r) == 3 else (*r, "PN1") for r in reviews]
    rv = pd.DataFrame(rows, columns=["CHILD", "REVIEW", "REVIEW_CODE"])
    rv["REVIEW"] = pd.to_datetime(rv["REVIEW"])
    rv.insert(1, "DOB", T("2010-01-01"))
    if episode_year is not None:
        eps["collection_year"] = episode_year
    if review_year == "auto":
        rv["collection_year"] = rv["REVIEW"].dt.year + (rv["REVIEW"].dt.month >= 4)
    elif review_year is not None:
        rv["collection_year"] = review_year
    hdr = None
    if header:
        children = sorted(set(eps["CHILD"]) | set(rv["CHILD"]))
        hdr = pd.DataFrame({"CHILD": children, "SEX": "M", "DOB": T("2010-01-01"), "ETHNIC": "WBRI", "MOTHER": None})
        if header_years is not None:
            hdr = pd.concat([hdr.assign(collection_year=y) for y in header_years], ignore_index=True)
    return SSDA903(header=hdr, episodes=eps, reviews=rv)


def one_child(start, reviews, *, end=None, rec=None, year=2023, ls="C2", place="U4", prior_year=True):
    eps = [("A", start, "S", ls, place, end, rec)]
    return make_data(eps, [("A", d) for d in reviews], episode_year=year - 1 if prior_year else None,
                     review_year=year if prior_year else None)


def held(s):
    return s.loc[s["review_date"].notna() & s["status"].ne("excluded")].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# first review: 20 working days (hand-counted table of ssda903.md §4.6)
# ---------------------------------------------------------------------------------------------

FIRST_REVIEW = [
    # start, 20th working day (last on-time day), start + 28 days, reporting year of the due date
    # Fri 20 Dec 2024: Dec 23,24,27,30,31 (5; 25/26 BH), Jan 2,3 (7; 1 Jan BH), 6-10 (12), 13-17 (17), 20-22 (20)
    ("2024-12-20", "2025-01-22", "2025-01-17", 2025),
    # Tue 24 Dec 2024: 27,30,31 (3), Jan 2,3 (5), 6-10 (10), 13-17 (15), 20-24 (20)
    ("2024-12-24", "2025-01-24", "2025-01-21", 2025),
    # Mon 14 Apr 2025: 15-17 (3; Good Friday 18), 22-25 (7; Easter Monday 21), 28 Apr-2 May (12; 5 May BH),
    # 6-9 (16), 12-15 (20)
    ("2025-04-14", "2025-05-15", "2025-05-12", 2026),
    # Mon 31 Mar 2025 (crosses the 1 April collection boundary): Apr 1-4 (4), 7-11 (9), 14-17 (13; Good Fri 18),
    # 22-25 (17; Easter Mon 21), 28-30 (20)
    ("2025-03-31", "2025-04-30", "2025-04-28", 2026),
    # Sat 2 Aug 2025 counts from Fri 1 Aug: 4-8 (5), 11-15 (10), 18-22 (15), 26-29 (19; BH 25 Aug), Mon 1 Sep (20)
    ("2025-08-02", "2025-09-01", "2025-08-30", 2026),
    # Fri 27 May 2022: May 30, 31, Jun 1 (3; Spring BH Thu 2 Jun, Jubilee Fri 3 Jun), 6-10 (8), 13-17 (13),
    # 20-24 (18), 27, 28 (20)
    ("2022-05-27", "2022-06-28", "2022-06-24", 2023),
    # Fri 19 Dec 2025: 22,23,24 (3; 25/26 BH), 29,30,31 (6; 1 Jan BH), Jan 2 (7), 5-9 (12), 12-16 (17), 19-21 (20)
    ("2025-12-19", "2026-01-21", "2026-01-16", 2026),
]


@pytest.mark.parametrize(("start", "due", "due28", "year"), FIRST_REVIEW)
def test_first_review_due_date_hand_counted(start, due, due28, year):
    on_day = review_schedule(one_child(start, [due], year=year), year)
    first = held(on_day).iloc[0]
    assert first["due_date"] == T(due)
    assert first["rule"] == "first_20_working_days"
    assert first["review_number"] == 1 and first["status"] == "on_time" and first["days_late"] == 0

    day_after = (T(due) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    late = held(review_schedule(one_child(start, [day_after], year=year), year)).iloc[0]
    assert late["status"] == "late" and late["days_late"] == 1 and not late["on_time"]

    naive = held(review_schedule(one_child(start, [due], year=year), year, first_review="28_days")).iloc[0]
    assert naive["due_date"] == T(due28) and naive["rule"] == "first_28_days"


def test_coronation_bank_holiday_moves_first_review():
    # Fri 21 Apr 2023: 24-28 (5), May 2-5 (9; BH 1 May), 9-12 (13; Coronation 8 May), 15-19 (18), 22, 23 (20)
    s = held(review_schedule(one_child("2023-04-21", ["2023-05-23"], year=2024), 2024))
    assert s.loc[0, "due_date"] == T("2023-05-23") and s.loc[0, "status"] == "on_time"


# ---------------------------------------------------------------------------------------------
# later reviews: calendar months (clipped) or 91/183 days
# ---------------------------------------------------------------------------------------------


def test_31_january_plus_3_months_is_30_april():
    # period starts Mon 8 Jan 2024, first review Wed 31 Jan 2024 (due 5 Feb: 20 working days)
    # second due 31 Jan + 3 months = 30 Apr 2024 (April has no 31st); with 91 days: 1 May 2024
    on_time = held(review_schedule(one_child("2024-01-08", ["2024-01-31", "2024-04-30"], year=2024), 2024))
    # 30 Apr 2024 is after 31 Mar 2024: review it in the 2024-25 year instead
    assert len(on_time) == 1
    s = held(review_schedule(one_child("2024-01-08", ["2024-01-31", "2024-04-30"], year=2025), 2025))
    assert s["due_date"].tolist() == [T("2024-02-05"), T("2024-04-30")]
    assert s["status"].tolist() == ["on_time", "on_time"]
    assert s.loc[1, "rule"] == "second_3_months" and s.loc[1, "review_number"] == 2
    late = held(review_schedule(one_child("2024-01-08", ["2024-01-31", "2024-05-01"], year=2025), 2025))
    assert late.loc[1, "status"] == "late" and late.loc[1, "days_late"] == 1
    days = held(review_schedule(one_child("2024-01-08", ["2024-01-31", "2024-05-01"], year=2025), 2025,
                                later_intervals="days"))
    assert days.loc[1, "due_date"] == T("2024-05-01") and days.loc[1, "status"] == "on_time"
    assert days.loc[1, "rule"] == "second_91_days"


def test_leap_year_29_february():
    # start Mon 3 Jul 2023; first review 20 Jul (due 31 Jul: Jul 4-7 (4), 10-14 (9), 17-21 (14), 24-28 (19), 31 (20));
    # second 31 Aug 2023 (due 20 Jul + 3 months = 20 Oct); third due 31 Aug 2023 + 6 months = 29 Feb 2024
    # (leap year; 183 days would give 1 Mar 2024).
    dates = ["2023-07-20", "2023-08-31", "2024-02-29"]
    s = held(review_schedule(one_child("2023-07-03", dates, year=2024), 2024))
    assert s["due_date"].tolist() == [T("2023-07-31"), T("2023-10-20"), T("2024-02-29")]
    assert s["status"].tolist() == ["on_time"] * 3
    assert s.loc[2, "rule"] == "subsequent_6_months"
    s183 = held(review_schedule(one_child("2023-07-03", dates, year=2024), 2024, later_intervals="days"))
    assert s183.loc[2, "due_date"] == T("2024-03-01") and s183.loc[2, "rule"] == "subsequent_183_days"


def test_each_review_restarts_the_clock_and_strict_comparison():
    # start Mon 4 Jul 2022 -> first due 1 Aug 2022 (Jul 5-8 (4), 11-15 (9), 18-22 (14), 25-29 (19), Aug 1 (20));
    # held early on 12 Jul -> second due 12 Oct 2022 (from the actual date, not from the due date)
    s = held(review_schedule(one_child("2022-07-04", ["2022-07-12", "2022-10-12"]), 2023))
    assert s["due_date"].tolist() == [T("2022-08-01"), T("2022-10-12")]
    assert s["status"].tolist() == ["on_time", "on_time"]
    strict = held(review_schedule(one_child("2022-07-04", ["2022-07-12", "2022-10-12"]), 2023, comparison="<"))
    assert strict["status"].tolist() == ["on_time", "late"]


# ---------------------------------------------------------------------------------------------
# periods of care, short breaks, adoption, remand, exclusions
# ---------------------------------------------------------------------------------------------


def test_second_period_restarts_schedule_and_numbering():
    # period 1: 2 May 2022 - 15 Aug 2022 (returned home E4A); period 2 from Mon 5 Dec 2022.
    # Second period first review due: Dec 6-9 (4), 12-16 (9), 19-23 (14), 28-30 (17; 26/27 Dec BH), Jan 3, 4, 5 (20;
    # 2 Jan 2023 BH) -> Thu 5 Jan 2023.
    eps = [
        ("A", "2022-05-02", "S", "C1", "U4", "2022-06-10", "X1"),
        ("A", "2022-06-10", "P", "C1", "U6", "2022-08-15", "E4A"),  # placement move: no restart
        ("A", "2022-12-05", "S", "V2", "U4", None, None),
    ]
    revs = [("A", "2022-05-25"), ("A", "2022-08-10"), ("A", "2023-01-05")]
    s = review_schedule(make_data(eps, revs, episode_year=2022, review_year=2023), 2023)
    h = held(s)
    assert h["period_number"].tolist() == [1, 1, 2]
    assert h["review_number"].tolist() == [1, 2, 1]
    # 2 May 2022 + 20 working days: May 3-6 (4), 9-13 (9), 16-20 (14), 23-27 (19), 30 (20) -> 30 May 2022
    assert h["due_date"].tolist() == [T("2022-05-30"), T("2022-08-25"), T("2023-01-05")]
    assert h["status"].tolist() == ["on_time"] * 3
    # after period 2's first review, the second is due 5 Apr 2023: after the year end, so not missed
    assert not (s["status"] == "missed").any()


def test_short_breaks_only_expect_no_reviews():
    eps = [("B", "2022-06-01", "S", "V3", "U4", None, None), ("A", "2022-06-01", "S", "C2", "U4", None, None)]
    revs = [("B", "2022-06-20"), ("A", "2022-06-20"), ("A", "2022-09-20")]
    s = review_schedule(make_data(eps, revs, episode_year=2022, review_year=2023), 2023)
    b = s.loc[s["CHILD"] == "B"]
    assert b["status"].tolist() == ["excluded"] and b["exclusion_reason"].tolist() == ["short_breaks_only"]
    assert not ((s["CHILD"] == "B") & (s["status"] == "missed")).any()


def test_missed_reviews_follow_the_chain_one_per_interval():
    # start Wed 1 Jun 2022 -> first due 29 Jun 2022 (Jun 2 BH, 3 Jubilee: 6-10 (5), 13-17 (10), 20-24 (15), 27-29 (18)...
    # recount: Jun 1 is day 0; Jun 6-10 (5), 13-17 (10), 20-24 (15), 27-30 (19), Jul 1 (20) -> 1 Jul 2022.
    # Review held 1 Jul 2022 -> second due 1 Oct 2022 (missed), then 1 Oct + 6 months = 1 Apr 2023 (after year end).
    s = review_schedule(one_child("2022-06-01", ["2022-07-01"]), 2023)
    assert held(s).loc[0, "due_date"] == T("2022-07-01")
    missed = s.loc[s["status"] == "missed"]
    assert missed["due_date"].tolist() == [T("2022-10-01")]
    assert missed["rule"].tolist() == ["second_3_months"]
    assert bool(missed["review_date"].isna().all()) and not missed["on_time"].any()
    # overdue from 1 Oct 2022 to 31 Mar 2023 = 181 days
    assert missed["days_late"].tolist() == [181]


def test_missed_chain_continues_every_six_months_and_stops_when_care_ends():
    # reviews stop after 15 Jan 2021 (a subsequent review); due 15 Jul 2021, 15 Jan 2022, 15 Jul 2022, 15 Jan 2023
    eps = [("A", "2019-01-07", "S", "C2", "U4", None, None)]
    revs = [("A", "2019-02-01"), ("A", "2019-05-01"), ("A", "2019-11-01"), ("A", "2020-05-01"), ("A", "2020-11-01"),
            ("A", "2021-01-15")]
    years = range(2019, 2024)
    data = make_data(eps, revs, episode_year=2019, review_year="auto", header_years=years)
    s = review_schedule(data, 2023)
    missed = s.loc[s["status"] == "missed", "due_date"].tolist()
    assert missed == [T("2021-07-15"), T("2022-01-15"), T("2022-07-15"), T("2023-01-15")]
    assert s.loc[s["status"] == "missed", "due_in_year"].tolist() == [False, False, True, True]
    # the child leaves care on 15 Jul 2022: that due date is not due (due_date < period_end is required)
    eps_end = [("A", "2019-01-07", "S", "C2", "U4", "2022-07-15", "E4A")]
    s2 = review_schedule(make_data(eps_end, revs, episode_year=2019, review_year="auto", header_years=years), 2023)
    assert s2.loc[s2["status"] == "missed", "due_date"].tolist() == [T("2021-07-15"), T("2022-01-15")]


def test_review_due_after_year_end_is_not_counted():
    # second review 1 Dec 2022 -> third due 1 Jun 2023: after 31 Mar 2023, so neither due nor missed in 2022-23
    s = review_schedule(one_child("2022-08-01", ["2022-08-25", "2022-12-01"]), 2023)
    assert not (s["status"] == "missed").any()
    summ = timeliness_summary(s, 2023).set_index("metric")
    assert summ.loc["reviews_held", "denominator"] == 2
    assert summ.loc["reviews_due", "denominator"] == 2


def test_very_late_review_counts_once():
    # second review 1 Sep 2021 -> third due 1 Mar 2022, held 15 Oct 2022: 228 days late
    # (rest of March 30, Apr 30, May 31, Jun 30, Jul 31, Aug 31, Sep 30, Oct 15 = 228). The clock restarts from
    # 15 Oct 2022, so the
    # would-be due date 1 Sep 2022 is not a separate missed review; next due 15 Apr 2023 (after the year end).
    data = make_data([("A", "2021-07-05", "S", "C2", "U4", None, None)],
                     [("A", "2021-07-20"), ("A", "2021-09-01"), ("A", "2022-10-15")],
                     episode_year=2022, review_year="auto", header_years=[2022, 2023])
    s = review_schedule(data, 2023)
    late = held(s).iloc[-1]
    assert late["due_date"] == T("2022-03-01") and late["status"] == "late" and late["days_late"] == 228
    assert not (s["status"] == "missed").any()


def test_placement_for_adoption_follows_reg_36():
    # period from 4 Apr 2022; placed for adoption (A5) on 1 Aug 2022: first adoption review due 29 Aug 2022
    # (4 weeks), second 3 months after it, then 6 months; the placement change does not restart numbering.
    eps = [
        ("A", "2022-04-04", "S", "C1", "U4", "2022-08-01", "X1"),
        ("A", "2022-08-01", "P", "E1", "A5", None, None),
    ]
    revs = [("A", "2022-04-28"), ("A", "2022-07-20"), ("A", "2022-08-26"), ("A", "2022-11-20")]
    data = make_data(eps, revs, episode_year=2022, review_year=2023)
    h = held(review_schedule(data, 2023))
    # 4 Apr 2022 + 20 working days: Apr 5-8 (4), 11-14 (8; Good Fri 15), 19-22 (12; Easter Mon 18), 25-29 (17),
    # May 3, 4, 5 (20; BH 2 May) -> 5 May 2022
    assert h["due_date"].tolist() == [T("2022-05-05"), T("2022-07-28"), T("2022-08-29"), T("2022-11-26")]
    assert h["rule"].tolist() == ["first_20_working_days", "second_3_months", "adoption_first_4_weeks",
                                  "adoption_second_3_months"]
    assert h["review_number"].tolist() == [1, 2, 3, 4]
    assert h["adoption_review_number"].tolist()[2:] == [1, 2]
    assert h["flags"].str.contains("placed_for_adoption").all()
    # without the adoption schedule, the third review is due 20 Jul 2022 + 6 months = 20 Jan 2023
    off = held(review_schedule(data, 2023, include_adoption_schedule=False))
    assert off.loc[2, "due_date"] == T("2023-01-20") and off.loc[2, "rule"] == "subsequent_6_months"


def test_remand_is_flagged_not_rescheduled():
    s = held(review_schedule(one_child("2022-06-06", ["2022-07-01"], ls="J1", place="K1"), 2023))
    assert "remand" in s.loc[0, "flags"]
    assert s.loc[0, "rule"] == "first_20_working_days"


def test_duplicates_outside_care_and_cross_year_copies():
    eps = [("A", "2022-06-06", "S", "C2", "U4", "2022-12-01", "E4A")]
    revs = [("A", "2022-07-01"), ("A", "2022-07-01"), ("A", "2022-05-01"), ("A", "2023-01-10")]
    data = make_data(eps, revs, episode_year=2022, review_year=2023)
    # the same review listed by the 2022 return too (a copy in an earlier return): counted once
    extra = pd.DataFrame({"CHILD": ["A"], "DOB": [T("2010-01-01")], "REVIEW": [T("2022-07-01")],
                          "REVIEW_CODE": ["PN1"], "collection_year": [2022]})
    data = SSDA903(header=data.header, episodes=data.episodes, reviews=pd.concat([data.reviews, extra]))
    s = review_schedule(data, 2023)
    reasons = s.loc[s["status"] == "excluded", "exclusion_reason"].tolist()
    assert sorted(reasons) == ["duplicate_same_day", "outside_period_of_care", "outside_period_of_care"]
    assert held(s)["review_date"].tolist() == [T("2022-07-01")]
    rec = reconcile_timeliness(data, 2023)
    counts = rec.counts.set_index("step")["count"]
    # 5 records dated in the year: 1 copy in the earlier return, 1 same-day duplicate, 2 outside care -> 1 judged
    assert counts["review records dated in the year"] == 5
    assert counts["listed by more than one return"] == 1
    assert counts["duplicate reviews on one day"] == 1
    assert counts["outside any period of care"] == 2
    assert counts["reviews held in the year and judged"] == 1


def test_history_before_loaded_returns_is_not_guessed():
    # single 2022-23 return; period began 2019. First review in the return cannot be judged (its predecessor is
    # unknown). The second (1 Jul -> 1 Sep 2022) is within 3 months, on time whichever interval applies.
    # The third (1 Sep 2022 -> 1 Mar 2023) is within 6 months: on time.
    eps = [("A", "2019-01-07", "S", "C2", "U4", None, None)]
    data = make_data(eps, [("A", "2022-07-01"), ("A", "2022-09-01"), ("A", "2023-03-01")])
    s = held(review_schedule(data, 2023))
    assert s["status"].tolist() == ["not_judged", "on_time", "on_time"]
    assert s["review_number"].isna().all()
    summ = timeliness_summary(review_schedule(data, 2023), 2023).set_index("metric")
    assert summ.loc["reviews_held", "not_judged"] == 1
    assert summ.loc["reviews_held", "denominator"] == 2
    # a first in-return review later than 31 Mar 2022 + 6 months = 30 Sep 2022 is certainly late
    late = held(review_schedule(make_data(eps, [("A", "2022-10-10")]), 2023))
    assert late.loc[0, "status"] == "late" and late.loc[0, "due_date"] == T("2022-09-30")
    assert late.loc[0, "rule"] == "latest_possible_due_date"
    # no review at all in the return: at least one was missed, by 30 Sep 2022 at the latest, and the next
    # by 30 Sep 2022 + 6 months = 30 Mar 2023
    none = review_schedule(make_data(eps + [("B", "2019-01-07", "S", "C2", "U4", None, None)], [("A", "2022-07-01")]),
                           2023)
    b = none.loc[none["CHILD"] == "B"]
    assert b["status"].tolist() == ["missed", "missed"]
    assert b["due_date"].tolist() == [T("2022-09-30"), T("2023-03-30")]
    assert "due_date_upper_bound" in b["flags"].iloc[0]


def test_schedule_columns_and_errors():
    s = review_schedule(one_child("2022-06-06", ["2022-07-01"]), "2022-23")
    assert list(s.columns) == list(SCHEDULE_COLUMNS)
    with pytest.raises(ParameterError, match="first_review"):
        review_schedule(one_child("2022-06-06", []), 2023, first_review="20_days")
    with pytest.raises(ParameterError, match="not covered"):
        review_schedule(one_child("2022-06-06", ["2022-07-01"]), 2025)
    with pytest.raises(ParameterError, match="reviews table"):
        review_schedule(SSDA903(episodes=one_child("2022-06-06", []).episodes), 2023)
    with pytest.raises(ParameterError, match="built for"):
        timeliness_summary(s, 2024)


# ---------------------------------------------------------------------------------------------
# summary, published figures, reconciliation
# ---------------------------------------------------------------------------------------------


def test_summary_metrics_and_wilson_interval():
    # child A: first review 1 Jul 2022 on time (due 1 Jul), second missed (due 1 Oct 2022).
    # child B: start 6 Jun 2022 -> first due 5 Jul 2022 (Jun 7-10 (4), 13-17 (9), 20-24 (14), 27-Jul 1 (19), 4 (20)...
    #   recount: Jun 6 is day 0: 7-10 (4), 13-17 (9), 20-24 (14), 27-Jul 1 (19), Jul 4 (20) -> 4 Jul 2022;
    #   held 4 Jul (on time), second held 4 Oct 2022 (on time), third due 4 Apr 2023 (next year).
    eps = [("A", "2022-06-01", "S", "C2", "U4", None, None), ("B", "2022-06-06", "S", "C2", "U4", None, None)]
    revs = [("A", "2022-07-01"), ("B", "2022-07-04"), ("B", "2022-10-04")]
    s = review_schedule(make_data(eps, revs, episode_year=2022, review_year=2023), 2023)
    summ = timeliness_summary(s, 2023).set_index("metric")
    # held: 3 of 3; due: 3 of 4 (A's second missed); children: B only -> 1 of 2
    assert summ.loc["reviews_held", ["numerator", "denominator"]].tolist() == [3, 3]
    assert summ.loc["reviews_due", ["numerator", "denominator"]].tolist() == [3, 4]
    assert summ.loc["children", ["numerator", "denominator"]].tolist() == [1, 2]
    assert summ.loc["reviews_due", "percent"] == pytest.approx(75.0)
    # Wilson 3/4: statsmodels proportion_confint(3, 4, method="wilson") = (0.300642, 0.954413)
    assert summ.loc["reviews_due", "ci_low"] == pytest.approx(30.0642, abs=1e-3)
    assert summ.loc["reviews_due", "ci_high"] == pytest.approx(95.4413, abs=1e-3)
    assert summ["description"].str.len().min() > 40


def test_wokingham_published_figures_are_inconsistent():
    # Table M: 410 of 435 on time, "94%"; text: 95.4%. 410 / 435 = 0.942529 -> 94.25% -> 94% (0 dp), 94.3% (1 dp).
    t = published_consistency(95.4, 435, 410).set_index("check")
    assert t.loc["percent_from_counts", "value"] == pytest.approx(94.252873563, abs=1e-9)
    assert t.loc["reported_percent_matches_counts", "value"] == pytest.approx(94.3)
    assert t.loc["reported_percent_matches_counts", "consistent"] is False
    # 95.4% of 435 needs 415 on time: 415 / 435 = 95.402%; 414 / 435 = 95.17%, 416 / 435 = 95.63%
    assert t.loc["numerators_matching_reported_percent", "value"] == "415"
    table = published_consistency("94%", 435, 410).set_index("check")
    assert table.loc["reported_percent_matches_counts", "consistent"] is True
    with pytest.raises(ParameterError):
        published_consistency(95.4, 435, 500)


def test_reconcile_finds_the_variant_that_reproduces_a_published_figure():
    # start Mon 6 Jun 2022; review on Fri 1 Jul 2022 (day 28 from the start, calendar: 6 Jun + 28 = 4 Jul).
    # 20 working days: Jun 7-10 (4), 13-17 (9), 20-24 (14), 27-Jul 1 (19), Jul 4 (20) -> on time under both rules.
    # second review 4 Oct 2022: 3 calendar months from 1 Jul = 1 Oct -> late; 91 days from 1 Jul = 30 Sep -> late.
    # third review 30 Mar 2023: 6 months from 4 Oct = 4 Apr 2023 -> on time.
    # statutory: 2 of 3 = 66.7%; a report quoting 66.7% matches the statutory variant (and others).
    data = one_child("2022-06-06", ["2022-07-01", "2022-10-04", "2023-03-30"])
    rec = reconcile_timeliness(data, 2023, reported_percent="66.7%", reported_held=3, reported_on_time=2)
    v = rec.variants
    assert len(v) == 24 and set(v["metric"]) == {"reviews_held", "reviews_due", "children"}
    stat = v.loc[v["statutory"] & (v["metric"] == "reviews_held")].iloc[0]
    assert (stat["numerator"], stat["denominator"]) == (2, 3)
    assert bool(stat["matches_all"])
    assert len(rec.matching()) >= 1
    assert "2 of 3" in rec.summary()
    # a published 95.4% matches nothing here
    none = reconcile_timeliness(data, 2023, reported_percent=95.4)
    assert not none.variants["matches_percent"].any()
    assert "No variant" in none.summary()


# ---------------------------------------------------------------------------------------------
# monthly series, exception list, review count change
# ---------------------------------------------------------------------------------------------


def test_monthly_series_and_exception_list():
    s = review_schedule(one_child("2022-06-06", ["2022-07-01", "2022-10-04", "2023-03-30"]), 2023)
    m = monthly_timeliness(s, 2023)
    assert len(m) == 12 and m["month"].iloc[0] == T("2022-04-01") and m["month_label"].iloc[-1] == "Mar 2023"
    assert m.set_index("month_label").loc["Oct 2022", ["numerator", "denominator"]].tolist() == [0, 1]
    assert np.isnan(m.set_index("month_label").loc["Apr 2022", "percent"])
    ex = exception_list(s, 2023)
    assert ex["status"].tolist() == ["late"]
    assert "after its due date" in ex["reason"].iloc[0]
    with pytest.raises(ParameterError):
        monthly_timeliness(s, 2023, basis="month")


def test_review_count_change_components_add_up():
    # 2021-22: child A in care, 3 routine reviews (10 Apr 2021 due 15 Apr, 1 Oct 2021 due 10 Oct,
    # 25 Mar 2022 due 1 Apr). 2022-23: A routine 20 Sep 2022 (due 25 Sep), A early 11 Feb 2023 (due 20 Mar 2023,
    # more than 28 days early, 10 days after a placement move on 1 Feb 2023), new child B first and second.
    eps = [
        ("A", "2020-01-06", "S", "C2", "U4", "2023-02-01", "X1"),
        ("A", "2023-02-01", "P", "C2", "U6", None, None),
        ("B", "2022-06-06", "S", "C2", "U4", None, None),
    ]
    revs = [("A", "2020-01-30"), ("A", "2020-04-20"), ("A", "2020-10-15"), ("A", "2021-04-10"), ("A", "2021-10-01"),
            ("A", "2022-03-25"), ("A", "2022-09-20"), ("A", "2023-02-11"), ("B", "2022-07-01"), ("B", "2022-09-30")]
    eps_df = [e for e in eps]
    data = make_data(eps_df, revs, episode_year=2020, review_year="auto", header_years=range(2020, 2024))
    t = review_count_change(data, 2023).set_index("component")
    assert t.loc["total_reviews", ["previous", "current"]].tolist() == [3.0, 4.0]
    reviews = t.loc[t["kind"] == "reviews"]
    assert reviews["current"].sum() == t.loc["total_reviews", "current"]
    assert reviews["previous"].sum() == t.loc["total_reviews", "previous"]
    assert t.loc["first_reviews", "current"] == 1 and t.loc["second_reviews", "current"] == 1
    assert t.loc["early_after_placement_move", "current"] == 1
    assert t.loc["routine_reviews", ["previous", "current"]].tolist() == [3.0, 1.0]
    assert t.loc["children_reviewed", ["previous", "current"]].tolist() == [1.0, 2.0]
    assert t.loc["periods_starting", ["previous", "current"]].tolist() == [0.0, 1.0]
    assert t.loc["total_reviews", "change"] == 1 and t.loc["total_reviews", "share_of_change"] == pytest.approx(100)
    with pytest.raises(ParameterError, match="year before"):
        review_count_change(one_child("2022-06-06", ["2022-07-01"], prior_year=False), 2023)


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------

# 6 Jun - 26 Aug 2022 has no bank holiday (Jubilee 3 Jun, summer bank holiday 29 Aug).
_WINDOW_START = T("2022-06-13")


@st.composite
def chains(draw):
    start = _WINDOW_START + pd.Timedelta(days=draw(st.integers(0, 35)))
    first = draw(st.integers(0, 35))
    gaps = draw(st.lists(st.integers(1, 200), min_size=0, max_size=3))
    dates = [start + pd.Timedelta(days=first)]
    for g in gaps:
        dates.append(dates[-1] + pd.Timedelta(days=g))
    dates = [d for d in dates if d <= T("2023-02-20")]
    return start, dates


def _sched(start, dates, **kw):
    # one open period starting on ``start``, given directly so that the property exercises the schedule alone
    periods = pd.DataFrame({"CHILD": ["A"], "period_number": [1], "period_start": [start], "period_end": [pd.NaT],
                            "short_breaks_only": [False], "remand": [False], "placed_for_adoption": [False],
                            "adoption_placement_start": [pd.NaT]})
    data = one_child(start.strftime("%Y-%m-%d"), [d.strftime("%Y-%m-%d") for d in dates])
    return review_schedule(data, 2023, periods=periods, **kw)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), st.sampled_from(["calendar_months", "days"]))
def test_property_on_time_iff_review_on_or_before_due(chain, intervals):
    start, dates = chain
    s = _sched(start, dates, later_intervals=intervals)
    judged = s.loc[s["status"].isin(["on_time", "late"])]
    assert (judged["on_time"] == (judged["review_date"] <= judged["due_date"])).all()
    assert (judged["status"].eq("on_time") == judged["on_time"]).all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), st.integers(1, 60))
def test_property_adding_a_late_review_never_raises_the_held_percentage(chain, extra_days):
    start, dates = chain
    s = _sched(start, dates)
    before = timeliness_summary(s, 2023).set_index("metric").loc["reviews_held"]
    # next due date after the last review, then a review some days after it (late) inside the year
    last = held(s).iloc[-1]
    nxt = (last["review_date"] + pd.DateOffset(months=3 if last["review_number"] == 1 else 6))
    late = nxt + pd.Timedelta(days=extra_days)
    if late > T("2023-03-31"):
        return
    after = timeliness_summary(_sched(start, dates + [late]), 2023).set_index("metric").loc["reviews_held"]
    assert after["denominator"] == before["denominator"] + 1
    assert after["numerator"] == before["numerator"]
    assert after["percent"] <= before["percent"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), st.sampled_from([-7, 7]))
def test_property_shifting_by_whole_weeks_without_holidays_keeps_flags(chain, shift):
    start, dates = chain
    delta = pd.Timedelta(days=shift)
    a = held(_sched(start, dates, later_intervals="days"))
    b = held(_sched(start + delta, [d + delta for d in dates], later_intervals="days"))
    assert a["status"].tolist() == b["status"].tolist()
    assert a["days_late"].tolist() == b["days_late"].tolist()
    assert (b["due_date"] - a["due_date"]).eq(delta).all()


# ---------------------------------------------------------------------------------------------
# synthetic returns with known truth (iro_analysis.synthetic)
# ---------------------------------------------------------------------------------------------


def _stack(returns: dict) -> SSDA903:
    tables = {}
    for name in ("header", "episodes", "reviews", "uasc", "missing"):
        frames = [getattr(d, name) for d in returns.values() if getattr(d, name) is not None]
        if frames:
            tables[name] = pd.concat(frames, ignore_index=True)
    return SSDA903(**tables)


@pytest.fixture(scope="module", params=[1, 3])
def synthetic(request):
    from iro_analysis.synthetic import generate_return

    syn = generate_return("872", 2023, years=3, seed=request.param)
    return syn, _stack(syn.data)


def test_synthetic_every_late_and_missed_review_found_and_nothing_else(synthetic):
    syn, data = synthetic
    # the generator follows reg 33 throughout (no reg 36 adoption schedule)
    s = review_schedule(data, 2023, include_adoption_schedule=False)
    rt = syn.review_truth
    ys, ye = T("2022-04-01"), T("2023-03-31")
    truth_late = rt.loc[rt["on_time"].eq(False).fillna(False).astype(bool) & rt["review_date"].between(ys, ye)]
    assert truth_late["injected_defect"].eq("late_review").any()  # the test can fail: injected ones are present
    mine_late = s.loc[s["status"].eq("late") & s["held_in_year"]]
    assert set(zip(mine_late["CHILD"], mine_late["review_date"])) == set(zip(truth_late["CHILD"], truth_late["review_date"]))

    truth_missed = rt.loc[rt["injected_defect"].eq("missed_review") & rt["due_date"].between(ys, ye)]
    assert len(truth_missed) > 0
    mine_missed = s.loc[s["status"].eq("missed") & s["due_in_year"]]
    assert set(zip(mine_missed["CHILD"], mine_missed["due_date"])) == set(zip(truth_missed["CHILD"], truth_missed["due_date"]))

    # every review held in the year has the generator's due date
    truth_held = rt.loc[rt["review_date"].between(ys, ye) & rt["due_date"].notna(), ["CHILD", "review_date", "due_date"]]
    mine_held = s.loc[s["held_in_year"] & s["status"].isin(["on_time", "late"]), ["CHILD", "review_date", "due_date"]]
    joined = truth_held.merge(mine_held, on=["CHILD", "review_date"], how="outer", indicator=True)
    assert joined["_merge"].eq("both").all()
    assert (joined["due_date_x"] == joined["due_date_y"]).all()


def test_synthetic_duplicates_and_out_of_care_reviews_found_and_nothing_else(synthetic):
    syn, data = synthetic
    s = review_schedule(data, 2023, include_adoption_schedule=False)
    gt = syn.ground_truth.loc[syn.ground_truth["collection_year"].eq(2023)]
    excluded = s.loc[s["status"].eq("excluded") & s["held_in_year"]]

    def keys(frame):
        return set(zip(frame["CHILD"], pd.to_datetime(frame["value"], format="%d/%m/%Y")))

    dup = gt.loc[gt["defect"].eq("duplicate_review")]
    assert len(dup) > 0
    mine_dup = excluded.loc[excluded["exclusion_reason"].eq("duplicate_same_day")]
    assert set(zip(mine_dup["CHILD"], mine_dup["review_date"])) == keys(dup)

    outside = gt.loc[gt["defect"].eq("review_outside_care")]
    assert len(outside) > 0
    # a review of a child missing from the header who has no episodes is also outside every period of care
    no_header = gt.loc[gt["defect"].eq("review_child_not_in_header")]
    no_header = no_header.loc[~no_header["CHILD"].isin(set(data.episodes["CHILD"]))]
    rv = data.reviews
    no_header_keys = set(zip(rv.loc[rv["CHILD"].isin(no_header["CHILD"]) & rv["REVIEW"].between(T("2022-04-01"), T("2023-03-31")), "CHILD"],
                             rv.loc[rv["CHILD"].isin(no_header["CHILD"]) & rv["REVIEW"].between(T("2022-04-01"), T("2023-03-31")), "REVIEW"]))
    mine_out = excluded.loc[excluded["exclusion_reason"].eq("outside_period_of_care")]
    assert set(zip(mine_out["CHILD"], mine_out["review_date"])) == keys(outside) | no_header_keys
    assert set(excluded["exclusion_reason"]) <= {"duplicate_same_day", "outside_period_of_care"}


def test_timeliness_bars_and_alt_text():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from iro_analysis.plots.timeliness import timeliness_bars, timeliness_bars_alt_text

    s = review_schedule(one_child("2022-06-06", ["2022-07-01", "2022-10-04", "2023-03-30"]), 2023)
    summary = timeliness_summary(s, 2023)
    ax = timeliness_bars(summary, target=95)
    # 2 of 3 held on time = 66.7%
    assert ax.get_title() == "66.7% of reviews held in the year were on time"
    # reviews_held is drawn at the top (y = 2), children at the bottom (y = 0)
    labels = {t.get_position()[1]: t.get_text() for t in ax.get_yticklabels()}
    assert [labels[y] for y in (2, 1, 0)] == [
        "Reviews held on time", "Due dates met on time", "Children with every due review on time"]
    alt = timeliness_bars_alt_text(summary)
    assert alt.startswith("Bar chart of review timeliness. Reviews held on time: 66.7% (2 of 3; 95% interval")
    plt.close("all")
    with pytest.raises(ParameterError):
        timeliness_bars(summary.drop(columns="ci_low"))


def test_per_day_shortcut_equals_direct_date_arithmetic_on_large_arrays():
    """Large schedules compute each due-date rule once per calendar day and look it up
    (``_by_day``, used from 4,096 rows). It must give exactly what the direct computation gives,
    including NaT, leap days, month ends, pre-1970 dates and a wide range that falls back."""
    from iro_analysis.calendar import add_working_days, working_day_holidays
    from iro_analysis.timeliness import _by_day, _month_adder

    rng = np.random.default_rng(7)
    days = rng.integers(np.datetime64("1968-01-01").astype(int), np.datetime64("2026-12-31").astype(int), 6000)
    dates = days.astype("datetime64[D]").astype("datetime64[ns]")
    dates[::97] = np.datetime64("NaT")
    dates[1::89] = np.datetime64("2024-02-29")
    dates[2::83] = np.datetime64("2023-01-31")
    add3, add6 = _month_adder(3), _month_adder(6)
    fast3, fast6 = _by_day(dates, [add3, add6])
    np.testing.assert_array_equal(fast3, add3(dates))
    np.testing.assert_array_equal(fast6, add6(dates))
    holidays = working_day_holidays(1967, 2027)
    first = lambda d: add_working_days(pd.DatetimeIndex(d), 20, holidays=holidays).values  # noqa: E731
    np.testing.assert_array_equal(_by_day(dates, first, floor=True), first(dates))
    # a time of day (not midnight) makes the month adders fall back to the direct computation
    with_time = dates.copy()
    with_time[5] = np.datetime64("2023-03-31T12:00")
    np.testing.assert_array_equal(_by_day(with_time, add6), add6(with_time))
