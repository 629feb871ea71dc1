"""XmR charts with the Making Data Count rules: oracles S1-S3 of the methods note (§4.2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iro_analysis import ParameterError
from iro_analysis.stats.spc import XMR_COLUMNS, xmr, xmr_summary

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
