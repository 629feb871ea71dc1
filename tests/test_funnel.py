"""Tests for iro_analysis.stats.funnel: funnel limits and the over-dispersion adjustment.

Oracles: methods.md §3.5 worked examples A and B and the oracle catalogue §5 (O14, O15; the
adjusted limits quoted with O16). Hand-worked cases show their arithmetic in comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from iro_analysis.errors import ParameterError
from iro_analysis.stats import funnel as fn


# --------------------------------------------------------------------------------------------
# O14 and worked example A: exact binomial limits with interpolation, theta0 = 0.9


def test_o14_exact_binomial_n50():
    lo95, hi95 = fn.binomial_limits(0.9, 50, confidence=0.95)
    lo998, hi998 = fn.binomial_limits(0.9, 50, confidence=0.998)
    assert lo95 == pytest.approx(0.800277, abs=1e-6)
    assert hi95 == pytest.approx(0.966137, abs=1e-6)
    assert lo998 == pytest.approx(0.739872, abs=1e-6)
    assert hi998 == pytest.approx(0.996119, abs=1e-6)


def test_o14_interpolation_by_hand():
    # Lower 95%: F(40) = 0.024538 < 0.025 <= F(41) = 0.057867, so r_p = 41 and
    # alpha = (0.057867 - 0.025) / (0.057867 - 0.024538) = 0.98614; limit = (41 - 0.98614)/50.
    f40, f41 = stats.binom.cdf([40, 41], 50, 0.9)
    assert f40 == pytest.approx(0.024538, abs=1e-6)
    alpha = (f41 - 0.025) / (f41 - f40)
    assert fn.binomial_limits(0.9, 50)[0] == pytest.approx((41 - alpha) / 50, abs=1e-12)


@pytest.mark.parametrize(
    "n, exact95, exact998",
    [
        (20, (0.721532, 0.989718), (0.614828, 0.999589)),
        (200, (0.854028, 0.937309), (0.826433, 0.957148)),
        (1000, (0.880517, 0.917721), (0.869082, 0.927659)),
    ],
)
def test_worked_example_a_exact(n, exact95, exact998):
    assert fn.binomial_limits(0.9, n) == pytest.approx(exact95, abs=1e-6)
    assert fn.binomial_limits(0.9, n, confidence=0.998) == pytest.approx(exact998, abs=1e-6)


def test_worked_example_a_normal_truncated_at_one():
    lo, hi = fn.binomial_limits(0.9, np.array([20, 50, 200, 1000]), method="normal")
    np.testing.assert_allclose(lo, [0.768522, 0.816846, 0.858423, 0.881406], atol=1e-6)
    # n = 20: 0.9 + 1.96 * sqrt(0.09/20) = 1.031478 -> truncated to 1.
    np.testing.assert_allclose(hi, [1.0, 0.983154, 0.941577, 0.918594], atol=1e-6)
    lo998, hi998 = fn.binomial_limits(0.9, np.array([50, 200]), method="normal", confidence=0.998)
    np.testing.assert_allclose(lo998, [0.768893, 0.834446], atol=1e-6)
    np.testing.assert_allclose(hi998, [1.0, 0.965554], atol=1e-6)


def test_just_outside_and_inside_the_95_limit():
    # 40/50 = 0.800 lies just below 0.800277 (P(X <= 40) = 0.0245 < 0.025); 41/50 is inside.
    lo, _ = fn.binomial_limits(0.9, 50)
    assert 40 / 50 < lo < 41 / 50


def test_percent_scale_dispatch():
    lo, hi = fn.funnel_limits(90, 50, kind="proportion", per=100)
    assert (lo, hi) == pytest.approx((80.0277, 96.6137), abs=1e-4)


# --------------------------------------------------------------------------------------------
# O15 and worked example B: Poisson, theta0 = 67 per 10,000


def test_o15_exact_poisson_n40000():
    assert fn.poisson_limits(67, 40_000, per=10_000) == pytest.approx((58.9729, 75.0132), abs=1e-4)
    assert fn.poisson_limits(67, 40_000, per=10_000, confidence=0.998) == pytest.approx(
        (54.5861, 79.8769), abs=1e-4
    )


def test_worked_example_b_normal_and_large_n():
    # normal: 67 +/- 1.959964 * 10000 * sqrt(0.0067/40000) = 67 +/- 8.0215
    assert fn.poisson_limits(67, 40_000, per=10_000, method="normal") == pytest.approx(
        (58.9785, 75.0215), abs=1e-4
    )
    assert fn.poisson_limits(67, 40_000, per=10_000, method="normal", confidence=0.998) == pytest.approx(
        (54.3527, 79.6473), abs=1e-4
    )
    assert fn.poisson_limits(67, 250_000, per=10_000) == pytest.approx((63.7903, 70.2075), abs=1e-4)
    assert fn.poisson_limits(67, 250_000, per=10_000, confidence=0.998) == pytest.approx(
        (61.9782, 72.0958), abs=1e-4
    )


def test_vectorised_and_missing_denominators():
    lo, hi = fn.binomial_limits(0.9, [50, 0, np.nan, 200])
    assert np.isnan(lo[1]) and np.isnan(lo[2]) and np.isnan(hi[1])
    assert lo[0] == pytest.approx(0.800277, abs=1e-6) and lo[3] == pytest.approx(0.854028, abs=1e-6)


def test_degenerate_targets_stay_in_range():
    assert fn.binomial_limits(0.0, 30) == (0.0, 0.0)
    assert fn.binomial_limits(1.0, 30) == (1.0, 1.0)
    assert fn.poisson_limits(0.0, 1000, per=10_000) == (0.0, 0.0)
    # expected count 0.005: F(0) = 0.995 >= 0.975, so r_p = 0 and both limits are 0 (never negative)
    assert fn.poisson_limits(0.5, 100, per=10_000) == (0.0, 0.0)


@settings(max_examples=60, deadline=None)
@given(
    theta=st.floats(0.02, 0.98),
    n=st.integers(5, 5000),
)
def test_property_limits_nest_and_bracket_target(theta, n):
    lo95, hi95 = fn.binomial_limits(theta, n)
    lo998, hi998 = fn.binomial_limits(theta, n, confidence=0.998)
    assert 0 <= lo998 <= lo95 <= hi95 <= hi998 <= 1
    assert lo95 <= theta + 1e-12 and theta - 1e-12 <= hi95


@settings(max_examples=60, deadline=None)
@given(theta=st.floats(0.5, 0.99), n=st.integers(10, 2000))
def test_property_exact_lower_limit_tail_probability(theta, n):
    # The interpolated limit lies between r_p - 1 and r_p (divided by n), where r_p is the
    # smallest count with F(r_p) >= 0.025, so F(n*lo - 1) < 0.025 <= F(ceil(n*lo)).
    lo, _ = fn.binomial_limits(theta, n)
    r = math.ceil(lo * n - 1e-9)
    assert stats.binom.cdf(r, n, theta) >= 0.025 - 1e-12
    assert stats.binom.cdf(r - 1, n, theta) < 0.025 + 1e-12


# --------------------------------------------------------------------------------------------
# Over-dispersion


def test_overdispersion_by_hand_raw_scale():
    # x = 10, 20, 30, 40 of n = 100 each; pooled theta0 = 100/400 = 0.25;
    # s = sqrt(0.25*0.75/100) = 0.0433013; z = (-0.15, -0.05, 0.05, 0.15)/s = (-3.4641, -1.1547, 1.1547, 3.4641).
    # Type-7 10% quantile: h = 3*0.1 = 0.3 -> -3.4641 + 0.3*2.3094 = -2.7713 (90%: +2.7713).
    # phi = (2*2.7713^2 + 2*1.1547^2)/4 = (15.36 + 2.6667)/4 = 4.506667.
    # w = 1/s^2 = 533.33 each: sum w - sum w^2/sum w = 2133.33 - 533.33 = 1600;
    # tau2 = (4*4.506667 - 3)/1600 = 0.00939167.
    od = fn.overdispersion([10, 20, 30, 40], [100] * 4, scale="raw")
    assert od.target == pytest.approx(0.25)
    assert od.phi == pytest.approx(4.506667, abs=1e-6)
    assert od.statistic == pytest.approx(18.026667, abs=1e-6) and od.df == 3
    assert od.p_value == pytest.approx(stats.chi2.sf(18.026667, 3), rel=1e-6)
    assert od.overdispersed
    assert od.tau2 == pytest.approx(0.00939167, abs=1e-8)


def test_overdispersion_arcsine_matches_funnelplotr_steps():
    # FunnelPlotR (R/od_adjustment.R): target = asin(sqrt(sum x/sum n)), Y = asin(sqrt(x/n)),
    # s = 1/(2 sqrt n), z = (Y - target)/s, winsorised at type-7 10%/90%, phi = mean(z_w^2),
    # tau2 = (I phi - (I-1)) / (sum 1/s^2 - sum 1/s^4 / sum 1/s^2). Re-derived independently here.
    x = np.array([45, 80, 12, 150, 33, 70, 95, 20])
    n = np.array([50, 100, 20, 160, 40, 90, 100, 30])
    target = np.arcsin(np.sqrt(x.sum() / n.sum()))
    s = 1 / (2 * np.sqrt(n))
    z = (np.arcsin(np.sqrt(x / n)) - target) / s
    q = np.sort(z)
    lo = q[0] + (len(z) - 1) * 0.1 * (q[1] - q[0])  # h = 0.7 -> between 1st and 2nd order statistics
    hi = q[-1] - (len(z) - 1) * 0.1 * (q[-1] - q[-2])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    w = 1 / s**2
    tau2 = (len(z) * phi - (len(z) - 1)) / (w.sum() - (w**2).sum() / w.sum())
    od = fn.overdispersion(x, n)
    assert od.scale == "arcsine"
    assert od.phi == pytest.approx(phi, rel=1e-12)
    assert od.tau2 == pytest.approx(max(tau2, 0.0), rel=1e-12)


def test_no_overdispersion_gives_zero_tau2():
    # Identical proportions: every z = 0, phi = 0 < (I-1)/I, tau2 = 0.
    od = fn.overdispersion([50, 100, 25], [100, 200, 50])
    assert od.phi == 0.0 and od.tau2 == 0.0 and not od.overdispersed


def test_o16_adjusted_limits_wokingham_revcp():
    # methods.md §3.5: pooled theta0 = 0.906354, arcsine tau2 = 0.01267152 (O16), n = 127:
    # adjusted 95% limits 0.7284-0.9946 (Wokingham 125/127 = 0.984 inside).
    lo, hi = fn.random_effects_limits(0.906354, 127, 0.01267152)
    assert (lo, hi) == pytest.approx((0.7284, 0.9946), abs=5e-5)
    assert lo < 125 / 127 < hi


def test_adjusted_limits_cla_rates_raw_scale():
    # methods.md §3.5: CLA rates, tau = 20.44 per 10,000 (raw scale), theta0 = 67, n = 40,000:
    # 95% 26.143-107.857 and 99.8% 2.582-131.418. s = 10000*sqrt(0.0067/40000) = 4.0927;
    # half-width 1.959964*sqrt(4.0927^2 + 20.44^2) = 40.857.
    tau2 = (20.44 / 10_000) ** 2
    kw = dict(kind="rate", scale="raw", per=10_000)
    assert fn.random_effects_limits(67, 40_000, tau2, **kw) == pytest.approx((26.143, 107.857), abs=1e-3)
    assert fn.random_effects_limits(67, 40_000, tau2, confidence=0.998, **kw) == pytest.approx(
        (2.582, 131.418), abs=1e-3
    )


def test_random_effects_with_zero_tau_equals_normal_limits():
    lo, hi = fn.random_effects_limits(0.9, 50, 0.0, scale="raw")
    assert (lo, hi) == pytest.approx(fn.binomial_limits(0.9, 50, method="normal"), abs=1e-12)
    lo, hi = fn.random_effects_limits(67, 40_000, 0.0, kind="rate", scale="raw", per=10_000)
    assert (lo, hi) == pytest.approx(fn.poisson_limits(67, 40_000, per=10_000, method="normal"), abs=1e-9)


def test_multiplicative_limits_scale_normal_half_width():
    # phi = 4: half-width doubles on the raw scale: 0.9 +/- 2 * 1.959964 * sqrt(0.09/1000).
    lo, hi = fn.multiplicative_limits(0.9, 1000, 4.0, scale="raw")
    half = 2 * 1.959964 * math.sqrt(0.09 / 1000)
    assert (lo, hi) == pytest.approx((0.9 - half, 0.9 + half), abs=1e-6)


def test_adjusted_limits_stay_in_range():
    lo, hi = fn.random_effects_limits(0.98, [5, 50, 5000], 0.05)
    assert np.all((lo >= 0) & (hi <= 1)) and np.all(lo <= hi)
    lo, hi = fn.random_effects_limits(5, [100, 1000], 1e-4, kind="rate", per=10_000)
    assert np.all(lo >= 0)


def test_winsorise_type7():
    # quantiles of (-5, 0, 1, 2, 9) at 0.25/0.75 (type 7): h = 1 and 3 -> 0 and 2.
    assert fn.winsorise([-5.0, 0.0, 1.0, 2.0, 9.0], trim=0.25).tolist() == [0.0, 0.0, 1.0, 2.0, 2.0]
    out = fn.winsorise([np.nan, 1.0, 2.0])
    assert np.isnan(out[0])


def test_bad_input_raises_parameter_error():
    with pytest.raises(ParameterError, match="between 0 and 1"):
        fn.binomial_limits(1.5, 10)
    with pytest.raises(ParameterError, match="confidence"):
        fn.binomial_limits(0.5, 10, confidence=95)
    with pytest.raises(ParameterError, match="method"):
        fn.poisson_limits(60, 1000, method="wald")
    with pytest.raises(ParameterError, match="exceeds"):
        fn.overdispersion([5, 12], [10, 10])
    with pytest.raises(ParameterError, match="at least 2"):
        fn.overdispersion([5], [10])
    with pytest.raises(ParameterError, match="scale"):
        fn.overdispersion([5, 6], [10, 10], scale="sqrt")
    with pytest.raises(ParameterError, match="numeric"):
        fn.binomial_limits("high", 10)


# O13: PHE proportion funnel limits (PHEindicatormethods, tests/testthat/testdata_funnel_prop_outputs.csv,
# baseline 80.642448%); rows transcribed as published: n, 95% low/high, 99.8% low/high (percent).
# PHE's method is the normal approximation truncated to 0-100, with z = 1.96 and 3.09 quantiles.
PHE_FUNNEL_PROP = [
    (1, 3.204264, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (18, 62.390093, 98.894803, 51.864359, 100),
    (41, 68.548635, 92.73626, 61.574398, 99.710497),
    (50, 69.691035, 91.593861, 63.375595, 97.909301),
    (486, 77.12978, 84.155115, 75.104102, 86.180794),
    (9998, 79.867989, 81.416907, 79.421375, 81.863521),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]


@pytest.mark.parametrize(("n", "lo95", "hi95", "lo998", "hi998"), PHE_FUNNEL_PROP)
def test_o13_phe_proportion_funnel_limits(n, lo95, hi95, lo998, hi998):
    baseline = 0.80642448
    low, high = fn.binomial_limits(baseline, n, confidence=0.95, method="normal")
    assert (100 * low, 100 * high) == (pytest.approx(lo95, abs=1e-5), pytest.approx(hi95, abs=1e-5))
    low, high = fn.binomial_limits(baseline, n, confidence=0.998, method="normal")
    assert (100 * low, 100 * high) == (pytest.approx(lo998, abs=1e-5), pytest.approx(hi998, abs=1e-5))
