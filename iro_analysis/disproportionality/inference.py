"""Tests of the whole ethnic mix (the per-group intervals and tests are in :mod:`.rates`)."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from ..stats import tests as _tests
from .denominators import _denominator_label, _harmonise_detailed
from .groups import _counts, _is_excluded, _order

__all__ = ["distribution_test"]


def distribution_test(
    cic,
    population,
    *,
    ordering: str = "chisq",
    max_outcomes: int = 5_000_000,
    n_sim: int = 200_000,
    seed: int | None = _tests.DEFAULT_SEED,
) -> pd.DataFrame:
    """Does the cohort's ethnic mix differ from the population's, taken as a whole?

    Parameters
    ----------
    cic, population : Series, dict or DataFrame
        Counts by group, as for :func:`disproportionality` (not-known groups are left out).
    ordering : {"chisq", "probability"}, default "chisq"
        What "at least as extreme" means for the exact test.
    max_outcomes, n_sim, seed
        Enumeration limit, Monte Carlo replicates and seed (fixed, so reports reproduce).

    Returns
    -------
    DataFrame
        One row: ``method`` (``pearson_chisq``, ``exact_multinomial`` or
        ``monte_carlo_multinomial``), ``statistic`` (Pearson's X²), ``df``, ``p_value``,
        ``asymptotic_p_value``, ``conditions_met``, ``min_expected``, ``n_expected_below_5``,
        ``n_total``, ``n_groups``, ``ordering``, ``n_outcomes``, ``seed``,
        ``mc_standard_error``, ``groups_left_out`` (groups with no population, e.g. an
        impossible denominator of 0), ``denominator``.

    Notes
    -----
    Pearson's chi-squared is used only when no expected count is below 1 and at most 20%
    are below 5 (Cochran); otherwise the exact multinomial test (methods.md §2.5), by
    complete enumeration up to ``max_outcomes`` outcomes and by Monte Carlo beyond. The
    test only says whether the mix differs; the per-group rows of
    :func:`disproportionality` say where.

    Examples
    --------
    >>> cic = {"White": 10, "Mixed": 4, "Asian": 1, "Black": 3, "Other": 2}
    >>> pop = {"White": 824, "Mixed": 55, "Asian": 87.7, "Black": 16.3, "Other": 17}
    >>> r = distribution_test(cic, pop)
    >>> r.loc[0, "method"], round(float(r.loc[0, "p_value"]), 7)
    ('exact_multinomial', 0.0005772)
    """
    c = _counts(cic, "cic")
    p = _counts(population, "population")
    label = _denominator_label(population, None)
    if any(g not in p.index for g in c.index):
        c = _harmonise_detailed(c, p)
    p_known = p[[not _is_excluded(g) for g in p.index]]
    c_known = c[[not _is_excluded(g) for g in c.index]]
    missing = [g for g in c_known.index if g not in p_known.index and c_known[g] > 0]
    if missing:
        raise ParameterError(f"groups {missing} have children in the cohort but no population in the denominator.")
    groups = _order(list(p_known.index))
    obs = c_known.reindex(groups).fillna(0.0)
    left_out = [g for g in groups if p_known[g] == 0]
    keep = [g for g in groups if p_known[g] > 0]
    res = _tests.goodness_of_fit_test(
        obs[keep].to_numpy(), p_known[keep].to_numpy(), ordering=ordering,
        max_outcomes=max_outcomes, n_sim=n_sim, seed=seed,
    )
    row = res.as_dict()
    row.update({"n_groups": len(keep), "groups_left_out": ", ".join(left_out), "denominator": label})
    cols = ["method", "statistic", "df", "p_value", "asymptotic_p_value", "conditions_met", "min_expected",
            "n_expected_below_5", "n_total", "n_groups", "ordering", "n_outcomes", "seed",
            "mc_standard_error", "groups_left_out", "denominator"]
    return pd.DataFrame([row])[cols]
