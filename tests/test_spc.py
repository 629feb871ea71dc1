"""SPC charts with the Making Data Count rules: XmR (S1-S3) and p / Laney p′ charts (S4), methods note §4.2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from iro_analysis import ParameterError
from iro_analysis.stats.spc import PCHART_COLUMNS, XMR_COLUMNS, pchart, pchart_summary, xmr, xmr_summary

S1 = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
# R: set.seed(123); rnorm(20)
S2 = [-0.5604756466, -0.2301774895, 1.5587083141, 0.0705083914, 0.1292877352, 1.7150649869, 0.4609162060,
      -1.2650612346, -0.6868528519, -0.4456619701, 1.2240817974, 0.3598138271, 0.4007714506, 0.1106827159,
      -0.5558411348, 1.7869131368, 0.4978504782, -1.9666171566, 0.7013559016, -0.4727914077]
S3 = [88, 91, 86, 90, 89, 92, 87, 90, 88, 91, 89, 90, 93, 94, 95, 93, 96, 94, 95, 97, 94, 96, 95, 98]


def test_s1_limits_unscreened_and_screened():
    # NHSRplotthedots vignette "deviations": MDC Excel (no screening) UPL 6.95, LPL -3.06;
    # screened 4.6 / -0.72. mean = 35/18 = 1.944444; mR: |diffs| sum = 32 over 17 -> 1.882353.
    c = xmr(S1)
    assert list(c.columns) == list(XMR_COLUMNS)
    assert c["mean"].iloc[0] == pytest.approx(1.944444, abs=1e-6)
    assert c["mr_mean"].iloc[0] == pytest.approx(1.882353, abs=1e-6)
    assert c["upl"].iloc[0] == pytest.approx(6.9515, abs=1e-4)
    assert c["lpl"].iloc[0] == pytest.approx(-3.0626, abs=1e-4)
    screened = xmr(S1, screen_outliers=True)
    # moving ranges 8 and 9 are >= 3.267 x 1.882353 = 6.15 -> dropped; remaining 15 ranges all 1 -> mR = 1
    assert screened["mr_mean"].iloc[0] == pytest.approx(1.0)
    assert screened["upl"].iloc[0] == pytest.approx(4.6044, abs=1e-4)
    assert screened["lpl"].iloc[0] == pytest.approx(-0.7156, abs=1e-4)
    assert c["outside_limits"].tolist()[4] and c["outside_limits"].sum() == 1


def test_s2_nhsrplotthedots_snapshots():
    c = xmr(S2, screen_outliers=True)
    assert c["mean"].iloc[0] == pytest.approx(0.1416238, abs=1e-7)
    assert c["lpl"].iloc[0] == pytest.approx(-3.01138, abs=1e-5)
    assert c["upl"].iloc[0] == pytest.approx(3.294627, abs=1e-6)
    y = list(S2)
    y[14] = 10  # y[15] in R's 1-based indexing
    screened = xmr(y, screen_outliers=True)
    assert screened["mean"].iloc[0] == pytest.approx(0.6694159, abs=1e-7)
    assert screened["lpl"].iloc[0] == pytest.approx(-2.383666, abs=1e-6)
    assert screened["upl"].iloc[0] == pytest.approx(3.722497, abs=1e-6)
    raw = xmr(y)
    assert raw["lpl"].iloc[0] == pytest.approx(-4.596625, abs=1e-6)
    assert raw["upl"].iloc[0] == pytest.approx(5.935457, abs=1e-6)


def test_s3_rules_with_limits_fixed_on_first_12_months():
    # mean of first 12 = 1071/12 = 89.25; moving ranges 3,5,4,1,3,5,3,2,3,2,1 = 32/11 = 2.909091;
    # UPL 89.25 + 2.66 x 2.909091 = 96.988182; 2-sigma upper 89.25 + (2/3) x 7.738182 = 94.408788
    c = xmr(S3, baseline=12, improvement="up")
    assert c["mean"].iloc[0] == pytest.approx(89.25)
    assert c["mr_mean"].iloc[0] == pytest.approx(2.909091, abs=1e-6)
    assert c["upl"].iloc[0] == pytest.approx(96.988182, abs=1e-6)
    assert c["lpl"].iloc[0] == pytest.approx(81.511818, abs=1e-6)
    months = lambda col: (np.flatnonzero(c[col].to_numpy()) + 1).tolist()  # noqa: E731
    assert months("outside_limits") == [20, 24]
    assert months("shift") == list(range(12, 25))  # 13 points from month 12 above the mean
    assert months("trend") == []
    assert months("two_of_three") == [15, 17, 19, 20, 22, 23, 24]
    assert c["in_baseline"].sum() == 12
    assert set(c.loc[c["special_cause"], "variation"]) == {"special cause: improvement"}
    # points beyond 3 sigma excluded from two-of-three (pre-2023 reading): months 20 and 24 drop out;
    # 19 still pairs with 17 (window 17-19) and 22 with 23
    old = xmr(S3, baseline=12, two_of_three_includes_outside=False)
    assert (np.flatnonzero(old["two_of_three"].to_numpy()) + 1).tolist() == [15, 17, 19, 22, 23]


def test_trend_and_shift_run_lengths():
    # 7 rising points (6 increases) form a trend; 6 do not
    rising = [1, 2, 3, 4, 5, 6, 7, 3, 3, 3]
    assert xmr(rising)["trend"].tolist()[:7] == [True] * 7
    assert not xmr([1, 2, 3, 4, 5, 6, 2, 2, 3, 2])["trend"].any()
    # a tie breaks a trend
    assert not xmr([1, 2, 3, 3, 4, 5, 6, 7, 2, 2])["trend"].any()
    # shift of 6 below then 7 above the mean: only the 7 are flagged with shift_length=7; all with 6
    y = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2]
    c7 = xmr(y)
    assert c7["shift"].tolist() == [False] * 6 + [True] * 7
    assert xmr(y, shift_length=6)["shift"].all()
    # a point on the mean breaks a run
    z = np.array([0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1], dtype=float)
    assert xmr(z)["relative_to_mean"].isin([-1, 0, 1]).all()


def test_labels_summary_and_errors():
    s = pd.Series([90.0, 92, 91, 93, 90, 92], index=pd.period_range("2022-04", periods=6, freq="M").astype(str))
    c = xmr(s)
    assert c["x"].tolist()[0] == "2022-04"
    assert xmr_summary(c, unit="%") == (
        "Mean 91.3%, process limits 86.0% to 96.7%; all 6 points show common-cause variation only."
    )
    assert "special-cause" in xmr_summary(xmr(S1))
    with pytest.raises(ParameterError):
        xmr([1.0])
    with pytest.raises(ParameterError, match="NaN"):
        xmr([1.0, np.nan, 2.0])
    with pytest.raises(ParameterError):
        xmr(S1, baseline=1)
    with pytest.raises(ParameterError):
        xmr(S1, improvement="sideways")


def test_xmr_chart_title_states_the_finding_and_alt_text_has_numbers():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from iro_analysis.plots.timeliness import xmr_chart, xmr_chart_alt_text

    labels = [f"M{i}" for i in range(1, 25)]
    chart = xmr(S3, x=labels, baseline=12, improvement="up")
    ax = xmr_chart(chart, measure="Reviews held on time")
    # the last special-cause point is month 24, an improvement
    assert ax.get_title() == "Reviews held on time: special-cause improvement (latest in M24)"
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["M1", "M2"]
    alt = xmr_chart_alt_text(chart, measure="reviews on time")
    assert alt.startswith("Statistical process control (XmR) chart of reviews on time for 24 points from M1 to M24")
    assert "Mean 89.2, process limits 81.5 to 97.0" in alt and "M20 (97.0, improvement)" in alt
    plt.close("all")
    flat = xmr([90, 91, 90, 91, 90, 91], x=list("ABCDEF"))
    ax = xmr_chart(flat)
    assert "common-cause variation only" in ax.get_title()
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# p-chart and Laney p′ chart
# ---------------------------------------------------------------------------------------------

S4_X = [40, 45, 38, 50, 42, 47, 44, 39, 48, 46, 41, 49]
S4_N = [45, 50, 44, 55, 46, 52, 49, 45, 52, 50, 47, 53]


def test_s4_pchart_centre_line_and_month_1_limits():
    # methods note S4: p-bar = sum x / sum n = 529 / 588 = 0.899660;
    # month 1: sigma = sqrt(0.899660 x 0.100340 / 45) = sqrt(0.00200604) = 0.0447889, limits
    # 0.899660 -/+ 3 x 0.0447889 = 0.765293 ... 1.034027 -> upper clipped to 1
    c = pchart(S4_X, S4_N)
    assert list(c.columns) == list(PCHART_COLUMNS)
    assert sum(S4_X) == 529 and sum(S4_N) == 588
    assert c["mean"].iloc[0] == pytest.approx(0.899660, abs=1e-6)
    assert c["sigma"].iloc[0] == pytest.approx(0.0447889, abs=1e-7)
    assert c["lpl"].iloc[0] == pytest.approx(0.765293, abs=1e-6)
    assert c["upl"].iloc[0] == 1.0
    assert (c["sigma_z"] == 1.0).all() and set(c["chart_type"]) == {"p"}
    # month 4 (n = 55, the largest) has the narrowest limits: 0.899660 -/+ 3 x sqrt(0.0902719 / 55) = 0.778121
    assert c["lpl"].iloc[3] == pytest.approx(0.778121, abs=1e-6)
    assert c["numerator"].dtype == np.int64 and c["value"].iloc[0] == pytest.approx(40 / 45)
    assert not c["special_cause"].any()


def test_s4_laney_sigma_z_and_month_1_limits():
    # z_t = (p_t - p-bar) / sigma_t: month 1 (40/45 - 0.899660) / 0.0447889 = -0.240483, month 2 0.008005;
    # mean |z_t - z_(t-1)| over the 11 moving ranges = 0.627089 -> sigma_z = 0.627089 / 1.128 = 0.555930;
    # month 1 p' limits 0.899660 -/+ 3 x 0.0447889 x 0.555930 = 0.899660 -/+ 0.074699 = 0.824961 ... 0.974358
    c = pchart(S4_X, S4_N, laney=True)
    assert c["z"].iloc[0] == pytest.approx(-0.240483, abs=1e-6)
    assert c["z"].iloc[1] == pytest.approx(0.008005, abs=1e-6)
    assert np.abs(np.diff(c["z"])).mean() == pytest.approx(0.627089, abs=1e-6)
    assert c["sigma_z"].iloc[0] == pytest.approx(0.555930, abs=1e-6)
    assert c["lpl"].iloc[0] == pytest.approx(0.824961, abs=1e-6)
    assert c["upl"].iloc[0] == pytest.approx(0.974358, abs=1e-6)
    assert set(c["chart_type"]) == {"p'"}
    # sigma_z < 1 (under-dispersed): every Laney interval sits inside the p-chart interval
    p = pchart(S4_X, S4_N)
    assert (c["upl"] <= p["upl"]).all() and (c["lpl"] >= p["lpl"]).all()
    assert c["mean"].equals(p["mean"]) and c["z"].equals(p["z"])


def test_pchart_rules_with_per_point_limits_s3_as_counts():
    # S3 percentages as x out of n = 100 each month, limits fixed on the first 12 months:
    # p-bar = 1071 / 1200 = 0.8925, sigma = sqrt(0.8925 x 0.1075 / 100) = 0.0309748;
    # UPL 0.8925 + 0.0929243 = 0.985424 (no month above: the best is 0.98), 2-sigma upper 0.954450:
    # months above it 17 (0.96), 20 (0.97), 22 (0.96), 24 (0.98); windows 20-22 and 22-24 hold two each
    # (15-17, 17-19, 18-20 only one) -> two-of-three at months 20, 22, 24; shift from month 12 as in S3
    c = pchart(S3, [100] * 24, baseline=12, improvement="up")
    months = lambda col: (np.flatnonzero(c[col].to_numpy()) + 1).tolist()  # noqa: E731
    assert c["mean"].iloc[0] == pytest.approx(0.8925)
    assert c["upl"].iloc[0] == pytest.approx(0.985424, abs=1e-6)
    assert c["upper_2sigma"].iloc[0] == pytest.approx(0.954450, abs=1e-6)
    assert months("outside_limits") == []
    assert months("shift") == list(range(12, 25))
    assert months("trend") == []
    assert months("two_of_three") == [20, 22, 24]
    assert c["in_baseline"].sum() == 12
    assert set(c.loc[c["special_cause"], "variation"]) == {"special cause: improvement"}


def test_small_month_gets_wide_limits_and_a_collapse_is_flagged():
    # 11 months of about 90% on n = 20..30, then 1 of 5 on time.
    # p-bar = 245 / 275 = 0.890909; for n = 5, sigma = sqrt(0.890909 x 0.109091 / 5) = 0.139420 and
    # LPL = 0.890909 - 0.418261 = 0.472648: 0.20 is below it
    x = [18, 23, 27, 18, 22, 27, 18, 23, 27, 18, 23, 1]
    n = [20, 25, 30, 20, 25, 30, 20, 25, 30, 20, 25, 5]
    c = pchart(x, n, improvement="up")
    assert c["mean"].iloc[0] == pytest.approx(0.890909, abs=1e-6)
    assert c["lpl"].iloc[-1] == pytest.approx(0.472648, abs=1e-6)
    assert (np.flatnonzero(c["outside_limits"].to_numpy()) + 1).tolist() == [12]
    assert c["variation"].iloc[-1] == "special cause: concern"
    # the XmR chart of the same percentages ignores n and its limits are the same every month
    assert xmr(100 * np.array(x) / np.array(n))["upl"].nunique() == 1


def test_pchart_scale_labels_summary_and_errors():
    s = pd.Series([9, 18, 27], index=["Apr", "May", "Jun"])
    c = pchart(s, [10, 20, 30], scale=100)
    assert c["x"].tolist() == ["Apr", "May", "Jun"]
    assert c["value"].tolist() == pytest.approx([90.0, 90.0, 90.0])
    # p-bar = 0.9; n = 10: 0.9 - 3 x sqrt(0.09 / 10) = 0.615395 -> 61.5%; n = 30: 0.9 - 3 x 0.0547723 = 73.6%
    assert pchart_summary(c, unit="%") == (
        "p-chart: centre line 90.0%; process limits vary with the denominator, 61.5% to 100.0% at n = 10 "
        "and 73.6% to 100.0% at n = 30; all 3 points show common-cause variation only."
    )
    assert "Laney p′ chart" in pchart_summary(pchart(S4_X, S4_N, laney=True)) and "σz 0.56" in pchart_summary(
        pchart(S4_X, S4_N, laney=True))
    with pytest.raises(ParameterError, match="denominators"):
        pchart([1, 2], [3, 4, 5])
    with pytest.raises(ParameterError, match="point 2 is not above 0"):
        pchart([1, 0], [3, 0])
    with pytest.raises(ParameterError, match="outside 0..denominator"):
        pchart([1, 5], [3, 4])
    with pytest.raises(ParameterError, match="NaN"):
        pchart([1, np.nan], [3, 4])
    with pytest.raises(ParameterError):
        pchart([1], [3])
    with pytest.raises(ParameterError):
        pchart(S4_X, S4_N, baseline=1)
    with pytest.raises(ParameterError):
        pchart(S4_X, S4_N, improvement="sideways")
    with pytest.raises(ParameterError):
        pchart(S4_X, S4_N, scale=0)


def test_pchart_centre_line_at_zero_or_one():
    # every baseline review on time: p-bar = 1, sigma = 0, limits collapse to 1; a later 8 of 10 is outside
    c = pchart([10, 12, 8], [10, 12, 10], baseline=2, laney=True)
    assert c["mean"].iloc[0] == 1.0 and c["sigma_z"].iloc[0] == 0.0
    assert c["upl"].tolist() == [1.0] * 3 and c["lpl"].tolist() == [1.0] * 3
    assert c["outside_limits"].tolist() == [False, False, True]
    assert c["z"].iloc[2] == -np.inf


@st.composite
def _counts(draw, min_size=2, max_size=24):
    k = draw(st.integers(min_size, max_size))
    n = draw(st.lists(st.integers(1, 400), min_size=k, max_size=k))
    p = draw(st.floats(0.0, 1.0))
    spread = draw(st.floats(0.0, 0.5))
    u = draw(st.lists(st.floats(-1.0, 1.0), min_size=k, max_size=k))
    x = [int(min(max(round(ni * (p + spread * ui)), 0), ni)) for ni, ui in zip(n, u)]
    return np.array(x), np.array(n)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_counts(), st.booleans())
def test_property_limits_widen_as_n_falls_and_stay_within_0_1(counts, laney):
    x, n = counts
    c = pchart(x, n, laney=laney)
    upl, lpl = c["upl"].to_numpy(), c["lpl"].to_numpy()
    mean = c["mean"].iloc[0]
    # clipped to [0, 1] and ordered LPL <= lower 2 sigma <= mean <= upper 2 sigma <= UPL
    assert ((lpl >= 0) & (upl <= 1)).all()
    assert (lpl <= c["lower_2sigma"] + 1e-15).all() and (c["lower_2sigma"] <= mean + 1e-15).all()
    assert (mean <= c["upper_2sigma"] + 1e-15).all() and (c["upper_2sigma"] <= upl + 1e-15).all()
    # a smaller n never gets narrower limits (clipping keeps the order: min/max are monotone)
    order = np.argsort(n, kind="stable")
    assert (np.diff(upl[order]) <= 1e-12).all()
    assert (np.diff(lpl[order]) >= -1e-12).all()
    assert c["in_baseline"].all() and c["sigma_z"].nunique() == 1
    # percentages: the same chart times 100, the same flags
    pct = pchart(x, n, laney=laney, scale=100)
    assert pct["upl"].to_numpy() == pytest.approx(100 * upl)
    assert pct["variation"].equals(c["variation"])


@settings(max_examples=150, deadline=None)
@given(_counts(min_size=3))
def test_property_laney_with_sigma_z_one_is_the_p_chart(counts):
    # Rescaling every deviation from p-bar by 1/sigma_z keeps p-bar (sum n_t (p_t - p-bar) = 0) and every
    # sigma_t, and divides each z_t by sigma_z, so the rescaled data have sigma_z = 1 exactly (up to
    # rounding): their Laney chart must then be their p-chart
    x, n = counts
    first = pchart(x, n, laney=True)
    pbar, sz = first["mean"].iloc[0], first["sigma_z"].iloc[0]
    assume(sz > 1e-6 and 0 < pbar < 1)
    x1 = n * (pbar + (x / n - pbar) / sz)
    assume(((x1 >= 0) & (x1 <= n)).all())
    laney, plain = pchart(x1, n, laney=True), pchart(x1, n)
    assert laney["sigma_z"].iloc[0] == pytest.approx(1.0, rel=1e-9)
    for col in ("mean", "sigma", "upl", "lpl", "upper_2sigma", "lower_2sigma"):
        assert laney[col].to_numpy() == pytest.approx(plain[col].to_numpy(), rel=1e-9, abs=1e-12)
    # flags agree wherever a point is not within rounding of a limit
    margin = np.minimum.reduce([np.abs(plain["value"] - plain[c]).to_numpy()
                                for c in ("upl", "lpl", "upper_2sigma", "lower_2sigma")])
    clear = margin > 1e-9
    assert laney["outside_limits"][clear].equals(plain["outside_limits"][clear])
    # and in general the unclipped Laney half-width is sigma_z times the p-chart's
    p0 = pchart(x, n)
    inside = (first["upl"] < 1).to_numpy() & (p0["upl"] < 1).to_numpy()
    assert (first["upl"] - pbar)[inside].to_numpy() == pytest.approx(sz * (p0["upl"] - pbar)[inside].to_numpy())


# ---------------------------------------------------------------------------------------------
# monthly p′ chart from a review schedule, and its plot
# ---------------------------------------------------------------------------------------------


def _schedule(per_month: dict) -> pd.DataFrame:
    """A schedule with (on time, late) reviews held on the 10th of each month given."""
    rows = []
    for month, (ok, late) in per_month.items():
        for i in range(ok + late):
            held = pd.Timestamp(f"{month}-10")
            rows.append({"CHILD": f"{month}-{i}", "status": "on_time" if i < ok else "late",
                         "review_date": held, "due_date": held - pd.Timedelta(days=0 if i < ok else 9),
                         "on_time": i < ok})
    # a missed review counts only on the "due" basis
    rows.append({"CHILD": "M", "status": "missed", "review_date": pd.NaT,
                 "due_date": pd.Timestamp("2022-06-01"), "on_time": False})
    return pd.DataFrame(rows)


MONTHLY = {"2022-04": (18, 2), "2022-05": (23, 2), "2022-06": (27, 3), "2022-07": (18, 2), "2022-08": (22, 3),
           # no reviews in September 2022
           "2022-10": (27, 3), "2022-11": (18, 2), "2022-12": (23, 2), "2023-01": (27, 3), "2023-02": (18, 2),
           "2023-03": (1, 4)}


def test_monthly_pchart_on_a_schedule_with_an_empty_month():
    from iro_analysis.timeliness import monthly_pchart, monthly_timeliness, monthly_xmr

    sched = _schedule(MONTHLY)
    c = monthly_pchart(sched, 2023)
    # September has no reviews and is left out: 11 points
    assert c["x"].tolist() == ["Apr 2022", "May 2022", "Jun 2022", "Jul 2022", "Aug 2022", "Oct 2022",
                               "Nov 2022", "Dec 2022", "Jan 2023", "Feb 2023", "Mar 2023"]
    assert list(c.columns) == ["x", "month", *PCHART_COLUMNS[1:]]
    assert c["month"].iloc[0] == pd.Timestamp("2022-04-01")
    assert c["numerator"].tolist() == [18, 23, 27, 18, 22, 27, 18, 23, 27, 18, 1]
    assert c["denominator"].tolist() == [20, 25, 30, 20, 25, 30, 20, 25, 30, 20, 5]
    # p-bar = 222 / 250 = 88.8%, the year's reviews-held figure; March 1 of 5 = 20%
    assert c["mean"].iloc[0] == pytest.approx(88.8)
    assert c["value"].iloc[-1] == pytest.approx(20.0)
    assert set(c["chart_type"]) == {"p'"}
    # same monthly percentages as the XmR chart
    assert c["value"].tolist() == pytest.approx(monthly_xmr(sched, 2023)["value"].tolist())
    # p-chart: March's LPL = 0.888 - 3 x sqrt(0.888 x 0.112 / 5) = 0.888 - 3 x 0.141036 = 0.464892 -> 20% is below
    p = monthly_pchart(sched, 2023, laney=False)
    assert p["lpl"].iloc[-1] == pytest.approx(46.4892, abs=1e-4)
    assert p["variation"].iloc[-1] == "special cause: concern"
    assert p["sigma_z"].eq(1.0).all()
    # "due" basis: June's missed review joins the denominator
    due = monthly_pchart(sched, 2023, basis="due")
    june = due.loc[due["x"] == "Jun 2022"].iloc[0]
    assert (june["numerator"], june["denominator"]) == (27, 31)
    assert monthly_timeliness(sched, 2023, basis="due")["denominator"].sum() == due["denominator"].sum()
    with pytest.raises(ParameterError, match="fewer than two months"):
        monthly_pchart(_schedule({"2022-04": (3, 1)}), 2023)


def test_monthly_pchart_centre_line_is_the_years_reviews_held_figure_on_a_synthetic_return():
    from iro_analysis.synthetic import generate_return
    from iro_analysis.timeliness import monthly_pchart, monthly_timeliness, review_schedule, timeliness_summary

    data = generate_return("872", 2023, years=1, seed=2).data[2023]
    sched = review_schedule(data, 2023)
    c = monthly_pchart(sched, 2023)
    held = timeliness_summary(sched, 2023).set_index("metric").loc["reviews_held"]
    assert c["numerator"].sum() == held["numerator"] and c["denominator"].sum() == held["denominator"]
    assert c["mean"].iloc[0] == pytest.approx(held["percent"])
    m = monthly_timeliness(sched, 2023)
    assert c["denominator"].tolist() == m.loc[m["denominator"] > 0, "denominator"].tolist()
    assert ((c["lpl"] >= 0) & (c["upl"] <= 100)).all()


def test_pchart_chart_title_ticks_and_alt_text():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from iro_analysis.plots.timeliness import pchart_chart, pchart_chart_alt_text
    from iro_analysis.timeliness import monthly_pchart

    chart = monthly_pchart(_schedule(MONTHLY), 2023, laney=False)
    ax = pchart_chart(chart, measure="Reviews held on time")
    assert ax.get_title() == "Reviews held on time: special-cause concern (latest in Mar 2023) (p-chart)"
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "Mar 2023\nn=5"
    alt = pchart_chart_alt_text(chart, measure="reviews held on time")
    assert alt.startswith("Statistical process control chart (p-chart) of reviews held on time for 11 points "
                          "from Apr 2022 to Mar 2023, each based on 5 to 30 cases. Centre line 88.8%")
    assert "46.5% to 100.0% at n = 5" in alt and "Mar 2023 (20.0%, concern)" in alt
    plt.close("all")
    s4 = pchart(S4_X, S4_N, laney=True, x=[f"M{i}" for i in range(1, 13)], scale=100)
    ax = pchart_chart(s4)
    assert ax.get_title() == "Review timeliness: common-cause variation only, around 90.0% (Laney p′ chart)"
    alt = pchart_chart_alt_text(s4)
    assert "σz = 0.56" in alt and "narrowed" in alt and "82.4% to 97.5% at n = 44" in alt
    assert "No point shows special-cause variation." in alt
    plt.close("all")
