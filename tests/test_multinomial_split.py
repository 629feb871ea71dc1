"""The exact multinomial test counts outcomes by halves of the categories: same p-value as
listing every outcome (the earlier implementation), ties included."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special

from iro_analysis.stats import tests as T


def _both(observed, probabilities, ordering):
    """p-values by the split method and by listing every outcome, on the same inputs."""
    obs, prob = T._gof_inputs(observed, probabilities)
    n = int(obs.sum())
    expected, log_prob = n * prob, np.log(prob)
    lgam = special.gammaln(np.arange(n + 1) + 1.0)
    lp_obs = float(lgam[n] - lgam[obs].sum() + (obs * log_prob).sum())
    x2_obs = T.chisquare_gof(observed, probabilities).statistic
    args = (n, expected, log_prob, lgam, ordering, x2_obs, lp_obs)
    return T._split_enumeration_p_value(*args), T._full_enumeration_p_value(*args)


@given(
    shares=st.lists(st.floats(0.01, 1.0), min_size=2, max_size=7),
    n=st.integers(1, 18),
    seed=st.integers(0, 2**32 - 1),
    equal=st.booleans(),
    ordering=st.sampled_from(["chisq", "probability"]),
)
def test_split_enumeration_equals_listing_every_outcome(shares, n, seed, equal, ordering):
    # equal shares make many outcomes tie with the observed one: the tie tolerances must agree
    prob = np.ones(len(shares)) if equal else np.asarray(shares)
    observed = np.random.default_rng(seed).multinomial(n, prob / prob.sum())
    split, full = _both(observed, prob, ordering)
    assert split == pytest.approx(full, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("ordering", ["chisq", "probability"])
def test_split_enumeration_on_a_wokingham_sized_cohort(ordering):
    # 95 children of known ethnicity in five groups, one group empty: 3,764,376 outcomes
    observed = [65, 15, 11, 4, 0]
    population = [29218, 1863, 3449, 577, 353]
    split, full = _both(observed, population, ordering)
    assert split == pytest.approx(full, rel=1e-9)
    result = T.exact_multinomial_test(observed, population, ordering=ordering)
    assert result.method == "exact_multinomial" and result.n_outcomes == 3_764_376
    assert result.p_value == pytest.approx(full, rel=1e-9)


@given(n=st.integers(0, 120), k=st.integers(1, 4))
def test_compositions_kept_for_the_halves_equal_fresh_ones_and_are_read_only(n, k):
    kept = T._side_compositions(n, k)
    np.testing.assert_array_equal(kept, T._compositions(n, k))
    if k <= 3 and T._n_compositions(n, k) <= 6000:  # small lists are kept and shared: nobody may change them
        assert T._side_compositions(n, k) is kept
        with pytest.raises(ValueError):
            kept[0, 0] = -1
