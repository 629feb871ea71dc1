"""Intervals and tests in iro_analysis.stats against the oracle catalogue (methods.md §5).

Expected values are R results quoted in methods.md (epitools, PropCIs, exactci, EMT,
binom.test, chisq.test) or published tables (Fagerland, Lydersen & Laake 2015), with the
tolerances stated there.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from iro_analysis.errors import ParameterError
from iro_analysis.stats import (
    binomial_test,
    byars_interval,
    chisquare_gof,
    clopper_pearson_interval,
    cochran_conditions,
    exact_multinomial_test,
    exact_poisson_interval,
    goodness_of_fit_test,
    jeffreys_interval,
    midp_interval,
    poisson_interval,
    proportion_interval,
    rate_interval,
    rate_ratio_interval,
    rate_ratio_test,
    risk_difference_interval,
    wilson_interval,
)

# WE1: 11 Black children in care of 652 Black children; 49 White of 32,960 White.
A, N1, C, N0 = 11, 652, 49, 32_960


def close(got, expected, *, abs=None, rel=None):
    assert np.allclose(np.asarray(got, float), np.asarray(expected, float), atol=abs or 0, rtol=rel or 0), (got, expected)


# --- O1-O5, O12: ratio and difference intervals ------------------------------------------------


def test_o1_katz_matches_epitools_riskratio_wald():
    # epitools::riskratio.wald: 11.348441 (5.928455, 21.723556)
    close(rate_ratio_interval(A, N1, C, N0, method="katz"), (5.928455, 21.723556), abs=1e-6)


def test_o2_exact_conditional_matches_exactci():
    # exactci::poisson.exact(tsmethod="central"): 5.32113833, 22.12160279
    close(rate_ratio_interval(A, N1, C, N0, method="exact"), (5.321138, 22.121603), abs=1e-6)


def test_o3_midp_matches_epitools_rateratio_midp():
    # epitools::rateratio.midp: 5.640134, 21.280252 (uniroot tolerance) -> rtol 1e-4
    close(rate_ratio_interval(A, N1, C, N0), (5.640134, 21.280252), rel=1e-4)
    # and our own tighter solution of the defining equations
    close(rate_ratio_interval(A, N1, C, N0, method="midp"), (5.640030, 21.280280), abs=1e-6)


def test_midp_limits_solve_their_defining_equations():
    lo, hi = rate_ratio_interval(A, N1, C, N0)
    m = A + C
    p_lo, p_hi = lo * N1 / (lo * N1 + N0), hi * N1 / (hi * N1 + N0)
    upper_tail = sps.binom.sf(A, m, p_lo) + 0.5 * sps.binom.pmf(A, m, p_lo)
    lower_tail = sps.binom.cdf(A - 1, m, p_hi) + 0.5 * sps.binom.pmf(A, m, p_hi)
    assert upper_tail == pytest.approx(0.025, abs=1e-9)
    assert lower_tail == pytest.approx(0.025, abs=1e-9)


def test_o4_koopman_matches_propcis_and_fagerland():
    # PropCIs::riskscoreci 7/34 vs 1/34: (1.220853, 42.575718); Fagerland 2015: 1.21-43 (1%)
    close(rate_ratio_interval(7, 34, 1, 34, method="koopman"), (1.220853, 42.575718), abs=1e-5)
    # WE1 Koopman: PropCIs 5.98256337, 21.43091763
    close(rate_ratio_interval(A, N1, C, N0, method="koopman"), (5.982563, 21.430918), abs=1e-5)


def test_o5_newcombe_difference_fagerland_table():
    # Fagerland et al. (2015) table: Newcombe 0.019 to 0.34; computed (0.0189, 0.3404)
    close(risk_difference_interval(7, 34, 1, 34), (0.0189, 0.3404), abs=1e-3)
    # Agresti-Caffo 0.012-0.32 (PropCIs 0.011612, 0.321722); Wald (0.029169, 0.323772)
    close(risk_difference_interval(7, 34, 1, 34, method="agresti_caffo"), (0.011612, 0.321722), abs=1e-5)
    close(risk_difference_interval(7, 34, 1, 34, method="wald"), (0.029169, 0.323772), abs=1e-5)


def test_newcombe_we1_rate_difference_per_10k():
    # WE1: 153.8452 per 10,000, Newcombe (79.442072, 284.741113)
    lo, hi = risk_difference_interval(A, N1, C, N0)
    close((1e4 * lo, 1e4 * hi), (79.442072, 284.741113), abs=1e-5)


def test_fagerland_katz_wide_interval_and_epitools():
    # Katz 7/34 vs 1/34: epitools 0.9096055, 53.8695065
    close(rate_ratio_interval(7, 34, 1, 34, method="katz"), (0.9096055, 53.8695065), abs=1e-6)


def test_o12_rothman_rate_ratio():
    # epitools::rateratio help page: 41/28,010 vs 15/19,017
    close(rate_ratio_interval(41, 28010, 15, 19017, method="poisson_wald"), (1.027226, 3.352563), abs=1e-6)
    close(rate_ratio_interval(41, 28010, 15, 19017, method="exact"), (1.005684, 3.609300), abs=1e-6)
    # mid-p: O12 expects (1.041075, 3.449423) at rtol 1e-4; epitools (1.041036, 3.449052) differs by
    # its uniroot tolerance (about 1e-4 relative), so it is checked at 2e-4.
    close(rate_ratio_interval(41, 28010, 15, 19017), (1.041075, 3.449423), rel=1e-4)
    close(rate_ratio_interval(41, 28010, 15, 19017), (1.041036, 3.449052), rel=2e-4)
    close(rate_ratio_interval(41, 28010, 15, 19017, method="poisson_score"), (1.035785, 3.324861), abs=1e-6)


def test_rate_ratio_p_values_match_epitools_and_exactci():
    # WE3: mid-p two-sided 0.03545742 (epitools); exact conditional 0.04766 (exactci)
    assert rate_ratio_test(41, 28010, 15, 19017) == pytest.approx(0.03545742, rel=1e-5)
    assert rate_ratio_test(41, 28010, 15, 19017, method="exact") == pytest.approx(0.04766, abs=1e-5)
    # WE1: mid-p 2.2547e-08; exact 4.1749e-08
    assert rate_ratio_test(A, N1, C, N0) == pytest.approx(2.2547e-08, rel=1e-4)
    assert rate_ratio_test(A, N1, C, N0, method="exact") == pytest.approx(4.1749e-08, rel=1e-4)


def test_gu_2008_example_exact_conditional():
    # statsmodels test suite vs exactci: 60/51,477.5 vs 30/54,308.7 -> CP (1.339736, 3.388366)
    close(rate_ratio_interval(60, 51477.5, 30, 54308.7, method="exact"), (1.339736, 3.388366), abs=1e-6)
    # mid-p (1.368104, 3.307297); exactci (1.367941, 3.307612) within its uniroot tolerance
    close(rate_ratio_interval(60, 51477.5, 30, 54308.7), (1.368104, 3.307297), abs=1e-6)
    close(rate_ratio_interval(60, 51477.5, 30, 54308.7), (1.367941, 3.307612), rel=2e-4)


def test_zero_counts_in_conditional_intervals():
    # WE1 with 0 Black children in care: mid-p 0 to 3.187
    lo, hi = rate_ratio_interval(0, N1, C, N0)
    assert lo == 0.0 and hi == pytest.approx(3.187, abs=1e-3)
    lo, hi = rate_ratio_interval(3, N1, 0, N0)
    assert hi == np.inf and lo > 0
    assert np.isnan(rate_ratio_interval(0, N1, 0, N0)[0])
    # Katz/Poisson Wald are undefined with a zero count
    assert np.isnan(rate_ratio_interval(0, N1, C, N0, method="katz")[0])


def test_scipy_relative_risk_docstring_example():
    # scipy relative_risk(10, 75, 12, 225): CI (1.1261564003469628, 5.549850800541033)
    close(rate_ratio_interval(10, 75, 12, 225, method="katz"), (1.1261564003469628, 5.549850800541033), abs=1e-12)
    close(rate_ratio_interval(10, 75, 12, 225, method="koopman"), (1.139026, 5.400806), abs=1e-6)


# --- O6, O8, WE4: single proportions ---------------------------------------------------------


def test_o6_wilson_epitools():
    close(wilson_interval(45, 52), (0.747267, 0.933231), abs=1e-6)


def test_o8_representation_ratio_wilson_over_pi():
    lo, hi = wilson_interval(11, 100)
    close((lo / 0.0163, hi / 0.0163), (3.836930, 11.430243), abs=1e-6)
    lo, hi = clopper_pearson_interval(11, 100)
    close((lo / 0.0163, hi / 0.0163), (3.448283, 11.552217), abs=1e-6)  # PropCIs exactci / 0.0163
    lo, hi = jeffreys_interval(11, 100)
    close((lo / 0.0163, hi / 0.0163), (3.672956, 11.182876), abs=1e-6)


@pytest.mark.parametrize(
    "x, n, wilson, cp, jeffreys, midp",
    [
        (45, 52, (0.747267, 0.933231), (0.742121, 0.944121), (0.753784, 0.937712), (0.751785, 0.939176)),
        (11, 100, (0.062542, 0.186313), (0.056207, 0.188301), (0.059869, 0.182281), (0.059225, 0.183111)),
        (0, 12, (0, 0.242494), (0, 0.264648), (0.000040, 0.185306), (0, 0.220922)),
        (12, 12, (0.757506, 1), (0.735352, 1), (0.814694, 0.999960), (0.779078, 1)),
    ],
)
def test_we4_single_proportions(x, n, wilson, cp, jeffreys, midp):
    close(wilson_interval(x, n), wilson, abs=1e-6)
    close(clopper_pearson_interval(x, n), cp, abs=1e-6)
    close(jeffreys_interval(x, n), jeffreys, abs=1e-6)
    close(midp_interval(x, n), midp, abs=1e-6)


def test_wilson_vectorised_nan_for_zero_denominator_and_pheindicatormethods_inputs():
    lo, hi = wilson_interval(np.array([65, 1045, 0.445, 0]), np.array([100, 5000, 1, 0]))
    assert lo.shape == (4,) and np.isnan(lo[3]) and np.isnan(hi[3])
    # PHEindicatormethods wilson_lower/upper accept these; reference = statsmodels Wilson
    from statsmodels.stats.proportion import proportion_confint

    ref = proportion_confint(np.array([65, 1045, 0.445]), np.array([100, 5000, 1]), method="wilson")
    close(lo[:3], ref[0], abs=1e-12)
    close(hi[:3], ref[1], abs=1e-12)


def test_proportion_interval_dispatch_and_errors():
    close(proportion_interval(11, 100, method="exact"), clopper_pearson_interval(11, 100), abs=0)
    with pytest.raises(ParameterError):
        proportion_interval(11, 100, method="agresti")
    with pytest.raises(ParameterError):
        wilson_interval(12, 10)
    with pytest.raises(ParameterError):
        wilson_interval(-1, 10)
    with pytest.raises(ParameterError):
        wilson_interval(1, 10, confidence=95)
    with pytest.raises(ParameterError):
        midp_interval(1.5, 10)


# --- O7 / §2.4: counts and rates -----------------------------------------------------------


def test_byars_and_exact_rates_methods_example():
    # 149 children in care in 44,000: 33.8636 per 10,000, Byar's 28.6443-39.7587, exact 28.6446-39.7585
    close(rate_interval(149, 44_000, method="byars"), (28.6443, 39.7587), abs=1e-4)
    close(rate_interval(149, 44_000, method="exact"), (28.6446, 39.7585), abs=1e-4)
    close(rate_interval(149, 44_000), (28.6443, 39.7587), abs=1e-4)  # PHE rule: Byar's at >= 10


def test_phe_rule_switches_to_exact_below_10():
    close(poisson_interval(9), exact_poisson_interval(9), abs=0)
    close(poisson_interval(10), byars_interval(10), abs=0)
    # Garwood exact limits satisfy their definition: P(X >= O | L) = P(X <= O | U) = 0.025
    lo, hi = exact_poisson_interval(9)
    assert sps.poisson.sf(8, lo) == pytest.approx(0.025, abs=1e-10)
    assert sps.poisson.cdf(9, hi) == pytest.approx(0.025, abs=1e-10)


def test_byars_negative_lower_limit_is_nan_as_pheindicatormethods():
    # PHE byars_lower sets negative values to NA (99.8% for O = 1 is negative)
    lo, hi = byars_interval(1, confidence=0.998)
    assert np.isnan(lo) and hi > 1
    lo, _ = byars_interval(65)
    # Byar's formula by hand: 65*(1 - 1/585 - 1.959964/(3*sqrt(65)))**3 = 50.1632
    assert lo == pytest.approx(65 * (1 - 1 / 585 - 1.959963985 / (3 * np.sqrt(65))) ** 3, rel=1e-9)


# --- O9-O11: tests ---------------------------------------------------------------------------


def test_o9_binomial_test_matches_r_binom_test():
    assert binomial_test(11, 100, 0.0163) == pytest.approx(8.058096914e-07, rel=1e-6)
    assert binomial_test(49, 100, 0.824) == pytest.approx(3.114552e-14, rel=1e-6)
    p = binomial_test([11, 49], [100, 100], [0.0163, 0.824])
    assert p.shape == (2,)


def test_shared_tool_p_value_is_far_too_large():
    # methods.md §1.2: the D2I tool's 2x2 chi-squared of observed vs rounded expected gives
    # p = 0.0218 for 11 of 100 vs 1.63%; the exact one-sample test gives 8.06e-07.
    from scipy.stats import chi2_contingency

    tool = chi2_contingency([[11, 100 - 11], [round(100 * 0.0163), 100 - round(100 * 0.0163)]])[1]
    assert tool == pytest.approx(0.0218, abs=5e-4)
    assert binomial_test(11, 100, 0.0163) < tool / 10_000


WE5_P = [0.824, 0.055, 0.0877, 0.0163, 0.017]


def test_o10_pearson_chisq_matches_r_and_reports_conditions():
    r = chisquare_gof([49, 20, 12, 11, 8], WE5_P)
    assert r.statistic == pytest.approx(130.165422, rel=1e-6)
    assert r.p_value == pytest.approx(3.589431e-27, rel=1e-6)
    assert r.df == 4 and not r.conditions_met and r.n_expected_below_5 == 2
    assert not cochran_conditions(r.expected)
    assert cochran_conditions([10, 10, 4.9, 12, 30])  # 1 of 5 below 5 = 20%
    assert not cochran_conditions([10, 10, 0.9, 12, 30])


def test_o11_exact_multinomial_chisq_ordering_matches_emt():
    r = exact_multinomial_test([10, 4, 1, 3, 2], WE5_P)
    assert r.method == "exact_multinomial" and r.n_outcomes == 10_626
    assert r.p_value == pytest.approx(0.0005771675, rel=1e-6)
    assert r.statistic == pytest.approx(40.555609, rel=1e-6)


def test_o11_exact_multinomial_probability_ordering():
    # methods.md quotes EMT 4.51147e-05; that value is reproduced only with the Black and
    # Other probabilities swapped (0.017, 0.0163), while its X^2 and chisq-ordered p use the
    # order as printed. Both are checked: the printed order against brute force, the swapped
    # order against EMT's figure.
    obs = [10, 4, 1, 3, 2]
    r = exact_multinomial_test(obs, WE5_P, ordering="probability")
    outcomes = np.array([c for c in itertools.product(range(21), repeat=5) if sum(c) == 20])
    pmf = sps.multinomial.pmf(outcomes, 20, WE5_P)
    brute = pmf[pmf <= sps.multinomial.pmf(obs, 20, WE5_P) * (1 + 1e-7)].sum()
    assert r.p_value == pytest.approx(brute, rel=1e-9)
    swapped = [0.824, 0.055, 0.0877, 0.017, 0.0163]
    assert exact_multinomial_test(obs, swapped, ordering="probability").p_value == pytest.approx(
        4.511474e-05, rel=1e-6
    )


def test_monte_carlo_multinomial_is_reproducible_and_close_to_exact():
    a = exact_multinomial_test([10, 4, 1, 3, 2], WE5_P, method="monte_carlo", n_sim=50_000)
    b = exact_multinomial_test([10, 4, 1, 3, 2], WE5_P, method="monte_carlo", n_sim=50_000)
    assert a.p_value == b.p_value and a.seed == 20240601
    # methods.md: Monte Carlo p ~ 0.00065 vs exact 0.000577; within 4 standard errors
    assert abs(a.p_value - 0.0005771675) < 4 * a.mc_standard_error + 1 / 50_001
    # WE5(a): no simulated X^2 reaches the observed 130.17 -> p = 1/(B + 1)
    big = exact_multinomial_test([49, 20, 12, 11, 8], WE5_P, method="monte_carlo", n_sim=20_000)
    assert big.p_value == pytest.approx(1 / 20_001)


def test_goodness_of_fit_switches_method_on_cochran():
    assert goodness_of_fit_test([10, 4, 1, 3, 2], WE5_P).method == "exact_multinomial"
    assert goodness_of_fit_test([40, 30, 30], [0.4, 0.3, 0.3]).method == "pearson_chisq"
    big = goodness_of_fit_test([30, 4, 4, 2, 2], WE5_P, max_outcomes=1000, n_sim=2000)
    assert big.method == "monte_carlo_multinomial" and big.n_outcomes == 2000


def test_gof_input_errors():
    with pytest.raises(ParameterError):
        chisquare_gof([1, 2], [0.5, 0.3, 0.2])
    with pytest.raises(ParameterError, match="population share of 0"):
        chisquare_gof([1, 2, 3], [0.5, 0.5, 0.0])
    # a share of 0 with no observations is simply dropped
    assert chisquare_gof([5, 5, 0], [0.5, 0.5, 0.0]).df == 1


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 400), frac=st.floats(0, 1), conf=st.sampled_from([0.8, 0.9, 0.95, 0.998]))
def test_proportion_intervals_contain_estimate_and_nest(n, frac, conf):
    x = int(round(frac * n))
    p = x / n
    for f in (wilson_interval, clopper_pearson_interval, midp_interval):
        lo, hi = f(x, n, confidence=conf)
        assert 0 <= lo <= p + 1e-12 and p - 1e-12 <= hi <= 1
    lo_cp, hi_cp = clopper_pearson_interval(x, n, confidence=conf)
    lo_mp, hi_mp = midp_interval(x, n, confidence=conf)
    assert lo_cp <= lo_mp + 1e-12 and hi_mp <= hi_cp + 1e-12  # mid-p is inside Clopper-Pearson


@settings(max_examples=40, deadline=None)
@given(a=st.integers(0, 60), c=st.integers(1, 200), n1=st.integers(100, 50_000), n0=st.integers(100, 500_000))
def test_rate_ratio_interval_contains_mle_and_midp_inside_exact(a, c, n1, n0):
    rr = (a / n1) / (c / n0)
    lo, hi = rate_ratio_interval(a, n1, c, n0)
    lo_e, hi_e = rate_ratio_interval(a, n1, c, n0, method="exact")
    assert lo <= rr * (1 + 1e-9) and rr <= hi * (1 + 1e-9)
    assert lo_e <= lo * (1 + 1e-9) and hi <= hi_e * (1 + 1e-9)


@settings(max_examples=60, deadline=None)
@given(m=st.integers(1, 400), data=st.data(), confidence=st.sampled_from([0.9, 0.95, 0.99]))
def test_midp_limits_kept_per_counts_equal_a_fresh_root_search(m, data, confidence):
    from iro_analysis.stats.intervals import _midp_binomial_limits

    k = data.draw(st.integers(0, m))
    alpha = 1.0 - confidence
    assert _midp_binomial_limits(k, m, alpha) == _midp_binomial_limits.__wrapped__(k, m, alpha)
    # the relative rate index's limits do not depend on the populations, so they are shared
    a, c = k, m - k
    lo1, hi1 = rate_ratio_interval(a, 1000, c, 5000, confidence=confidence)
    lo2, hi2 = rate_ratio_interval(a, 3000, c, 7000, confidence=confidence)
    if a > 0 and c > 0:
        assert lo1 * 1000 / 5000 == pytest.approx(lo2 * 3000 / 7000, rel=1e-12)


def test_rate_ratio_test_refuses_a_population_too_small_to_test():
    # pi0 = 1.1e-308 / (1.1e-308 + 1) is subnormal: scipy.stats.binom.pmf(0, 3, pi0) raises
    # OverflowError from boost; the user gets which group and what to check instead
    with pytest.raises(ParameterError, match=r"group 0: population n1=1\.1\d*e-308 .*too small to test"):
        rate_ratio_test([0, 0, 0], [1.1125369292536007e-308, 0.0, 0.0], [3, 0, 0], [1.0, 1.0, 1.0])
    # a proportion just above the smallest normal double is tested, as scipy's tails give it
    pi0 = 2.3e-308 / (2.3e-308 + 1.0)
    pk = sps.binom.pmf(0, 3, pi0)
    expected = min(1.0, 2.0 * min(sps.binom.cdf(-1, 3, pi0) + 0.5 * pk, sps.binom.sf(0, 3, pi0) + 0.5 * pk))
    assert rate_ratio_test(0, 2.3e-308, 3, 1.0) == expected


@settings(max_examples=60, deadline=None)
@given(a=st.lists(st.integers(0, 300), min_size=1, max_size=7), data=st.data(),
       method=st.sampled_from(["midp", "exact"]), ratio=st.sampled_from([1.0, 0.5, 2.5]))
def test_rate_ratio_test_of_many_groups_equals_one_group_at_a_time(a, data, method, ratio):
    k = len(a)
    c = data.draw(st.lists(st.integers(0, 300), min_size=k, max_size=k))
    n1 = data.draw(st.lists(st.floats(0, 1e5), min_size=k, max_size=k))
    n0 = data.draw(st.lists(st.floats(1, 1e5), min_size=k, max_size=k))
    tiny = [0 < ratio * p1 / (ratio * p1 + p0) < np.finfo(float).tiny and x + y > 0
            for x, p1, y, p0 in zip(a, n1, c, n0)]
    if any(tiny):  # no p-value: scipy's binomial functions overflow there; refused in one sentence
        with pytest.raises(ParameterError, match=f"group {tiny.index(True)}: .*too small to test"):
            rate_ratio_test(a, n1, c, n0, method=method, ratio=ratio)
        return
    together = rate_ratio_test(a, n1, c, n0, method=method, ratio=ratio)
    alone = [rate_ratio_test(*v, method=method, ratio=ratio) for v in zip(a, n1, c, n0)]
    np.testing.assert_array_equal(together, np.array(alone))
    # each alone as the definition reads, with scipy's distribution functions one at a time
    for (x, p1, y, p0), got in zip(zip(a, n1, c, n0), alone):
        if p1 == 0 or x + y == 0:
            assert np.isnan(got)
            continue
        pi0 = ratio * p1 / (ratio * p1 + p0)
        half = 0.5 if method == "midp" else 1.0
        pk = sps.binom.pmf(x, x + y, pi0)
        lower, upper = sps.binom.cdf(x - 1, x + y, pi0) + half * pk, sps.binom.sf(x, x + y, pi0) + half * pk
        assert got == min(1.0, 2.0 * min(lower, upper))


@settings(max_examples=200, deadline=None)
@given(m=st.integers(1, 3000), data=st.data(),
       p=st.one_of(st.floats(0.0, 1.0), st.sampled_from([1e-300, 1.0 - 1e-16, 1e-12, 0.5])))
def test_binomial_tails_of_the_root_search_are_scipys(m, data, p):
    from iro_analysis.stats.intervals import _binomial_tails

    k = data.draw(st.integers(0, m))
    pmf, below, above = _binomial_tails(k, m)

    def outcome(call):  # a value, or the error (scipy's binomial overflows at the smallest normal p)
        try:
            return call()
        except OverflowError as error:
            return type(error)

    assert outcome(lambda: pmf(p)) == outcome(lambda: sps.binom.pmf(k, m, p))
    assert outcome(lambda: below(p)) == outcome(lambda: sps.binom.cdf(k - 1, m, p))
    assert outcome(lambda: above(p)) == outcome(lambda: sps.binom.sf(k, m, p))


def test_the_root_search_never_asks_scipy_below_its_bracket():
    # scipy's binomial raises OverflowError at p = 2.2e-308 (the smallest normal float); the mid-p
    # root search brackets p in [1e-300, 1 - 1e-16], where every count evaluates.
    from iro_analysis.stats.intervals import _binomial_tails, _midp_binomial_limits

    with pytest.raises(OverflowError):
        sps.binom.pmf(1, 4, 2.2250738585072014e-308)
    for k, m in [(0, 4), (1, 4), (4, 4), (1, 3000), (2999, 3000)]:
        pmf, below, above = _binomial_tails(k, m)
        for p in (1e-300, 1e-12, 0.5, 1.0 - 1e-16):
            assert all(0.0 <= f(p) <= 1.0 for f in (pmf, below, above))
        low, high = _midp_binomial_limits(k, m, 0.05)
        assert 0.0 <= low <= k / m <= high <= 1.0


@pytest.mark.parametrize("k, m", [(0, 1), (1, 1), (1, 2), (3, 17), (11, 60), (49, 60), (95, 95), (250, 1400)])
def test_midp_limits_are_those_of_a_root_search_on_scipys_public_functions(k, m):
    from scipy import optimize

    from iro_analysis.stats.intervals import _midp_binomial_limits

    alpha = 1.0 - 0.95  # as the intervals compute it

    def upper_tail(p):
        return sps.binom.sf(k, m, p) + 0.5 * sps.binom.pmf(k, m, p) - alpha / 2.0

    def lower_tail(p):
        return sps.binom.cdf(k - 1, m, p) + 0.5 * sps.binom.pmf(k, m, p) - alpha / 2.0

    opts = dict(xtol=1e-300, rtol=1e-14, maxiter=500)
    lo = 0.0 if k == 0 else optimize.brentq(upper_tail, 1e-300, 1.0 - 1e-16, **opts)
    hi = 1.0 if k == m else optimize.brentq(lower_tail, 1e-300, 1.0 - 1e-16, **opts)
    assert _midp_binomial_limits.__wrapped__(k, m, alpha) == (lo, hi)
