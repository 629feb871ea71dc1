"""Charts of the cohort tables: titles state the finding computed from the data; alt text."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from iro_analysis import ParameterError  # noqa: E402
from iro_analysis import cohorts as co  # noqa: E402
from iro_analysis.plots import cohorts as pc  # noqa: E402
from iro_analysis.ssda903 import SSDA903  # noqa: E402


def _monthly(counts, uasc=None, population=None):
    ends = pd.date_range("2022-04-30", periods=12, freq="ME")
    t = pd.DataFrame({"month_end": ends, "month": [f"{d:%b %Y}" for d in ends], "children": counts,
                      "uasc": uasc if uasc is not None else [0] * 12})
    t["population_0_17"] = float("nan") if population is None else population
    t["rate_per_10k"] = t["children"] / t["population_0_17"] * 10000
    t["year"] = 2023
    t["year_label"] = "2022-23"
    return t


def test_monthly_title_states_rise_and_secondary_rate_axis():
    # Wokingham Table A pattern: 135 ... 136 would be "rose"; here 130 -> 136
    t = _monthly([130, 130, 135, 138, 138, 140, 144, 144, 140, 142, 139, 136], population=41200)
    ax = pc.monthly_in_care(t)
    assert ax.get_title() == "Children in care rose from 130 to 136 during 2022-23"
    # secondary axis: 136 children / 41,200 * 10,000 = 33.0 per 10,000
    sec = [c for c in ax.child_axes]
    assert len(sec) == 1
    alt = pc.monthly_in_care_alt_text(t)
    assert "Lowest 130 (Apr 2022)" in alt and "highest 144 (Oct 2022)" in alt and "33.0 per 10,000" in alt
    plt.close("all")


def test_monthly_description_in_place_of_a_chart_names_no_chart():
    nan = float("nan")
    hidden = _monthly([nan] * 12)
    assert pc.monthly_in_care_alt_text(hidden, chart=False) == (
        f"{pc._monthly_title(hidden)}. Every month is marked c: not shown to protect children's privacy.")
    assert pc.monthly_in_care_alt_text(hidden).startswith("Line chart of children in care at each month end, "
                                                           "Apr 2022 to Mar 2023. ")
    # some months shown: the same sentences as under a chart, without the chart's name
    partly = _monthly([nan, 7, 9] + [8] * 9)
    assert pc.monthly_in_care_alt_text(partly).endswith(pc.monthly_in_care_alt_text(partly, chart=False))
    assert "Lowest shown 7 (May 2022), highest 9 (Jun 2022)." in pc.monthly_in_care_alt_text(partly, chart=False)


def test_monthly_title_fall_and_flat():
    t = _monthly([140] + [139] * 10 + [120])
    assert pc.monthly_in_care(t).get_title() == "Children in care fell from 140 to 120 during 2022-23"
    t = _monthly([136] * 12)
    assert pc.monthly_in_care(t).get_title() == "Children in care were 136 at the start and end of 2022-23"
    plt.close("all")


def _tiny_data():
    ep = pd.DataFrame({
        "CHILD": ["A", "B", "C", "D"],
        "DECOM": pd.to_datetime(["2022-05-01", "2022-08-01", "2022-08-15", "2023-02-01"]),
        "RNE": ["S"] * 4, "LS": ["C1", "V2", "V2", "C2"], "PLACE": ["U4", "U6", "K2", "U4"],
        "DEC": pd.to_datetime([None] * 4), "REC": [None] * 4})
    hd = pd.DataFrame({"CHILD": ["A", "B", "C", "D"], "SEX": ["M", "F", "M", "F"],
                       "DOB": pd.to_datetime(["2012-01-01", "2008-01-01", "2009-01-01", "2022-12-01"]),
                       "ETHNIC": ["WBRI", "BAFR", "WBRI", "AIND"]})
    return SSDA903(episodes=ep, header=hd)


def test_starters_chart_from_real_table():
    s = co.starters_by_quarter(_tiny_data(), 2023)
    ax = pc.starters_by_age_band(s)
    # starts: A aged 10 (Q1), B 14 (Q2), C 13 (Q2), D under 1 (Q4) -> 4 starts, 3 aged 10 to 15
    assert ax.get_title() == "4 starts in care in 2022-23; most often aged 10 to 15 years (3)"
    alt = pc.starters_by_age_band_alt_text(s)
    assert alt.startswith("Stacked bar chart") and "Q2 (Jul–Sep 2022): 2" in alt and "Under 1 year: 1" in alt
    plt.close("all")


def test_profile_chart_title_and_alt_text():
    prof = co.profile_on(_tiny_data(), "2023-03-31", by="legal_status")
    ax = pc.profile(prof)
    # 4 in care: C1+C2 = Care order 2 (50%), V2 x2 = Section 20 2 (50%): first largest is Care order
    assert ax.get_title() == "Care order was the largest legal status group on 31 March 2023 (50% of 4)"
    eth = co.profile_on(_tiny_data(), "2023-03-31", by="ethnicity")
    assert "White: 2 (50%)" in pc.profile_alt_text(eth)
    assert pc.profile(eth).get_title().startswith("White was the largest ethnic group")
    plt.close("all")


def test_profile_title_names_the_largest_only_when_no_hidden_count_could_be_larger():
    nan = float("nan")

    def table(counts, total):
        return pd.DataFrame({"legal_status": ["Care order", "Placement order", "Section 20", "Short breaks"],
                             "count": counts, "total": total, "date": pd.Timestamp("2023-03-31")})

    plain = "Children in care by legal status on 31 March 2023"
    # shown 0 and 0, hidden two adding up to 9: neither shown group is the largest
    assert pc.profile_alt_text(table([nan, nan, 0, 0], 9)).split(". ")[1] == plain
    # shown 6, hidden two adding up to 14 - 6 - 2 = 6: one of them could be 6 or more
    assert pc.profile_alt_text(table([6, nan, nan, 2], 14)).split(". ")[1] == plain
    # shown 9, hidden two adding up to 14 - 9 - 2 = 3 < 9: Care order is the largest
    assert pc.profile_alt_text(table([9, nan, nan, 2], 14)).split(". ")[1] == (
        "Care order was the largest legal status group on 31 March 2023 (64% of 14)")
    # nothing hidden: the largest shown is the largest
    assert pc.profile_alt_text(table([1, 2, 8, 3], 14)).split(". ")[1].startswith("Section 20 was the largest")


def test_plots_reject_wrong_tables():
    with pytest.raises(ParameterError):
        pc.monthly_in_care(pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError):
        pc.profile(pd.DataFrame({"count": [1], "other": ["a"]}))


def test_plot_uses_given_axes():
    fig, ax = plt.subplots()
    assert pc.profile(co.profile_on(_tiny_data(), "2023-03-31", by="sex"), ax=ax) is ax
    plt.close(fig)
