"""Intervals and tests: of each group's measures (wrapping :mod:`iro_analysis.stats`), and of the
whole ethnic mix (:func:`distribution_test`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..stats import intervals as _iv
from ..stats import tests as _tests
from .denominators import _denominator_label, _harmonise_detailed, _Known
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


def _share_and_ratio(known: _Known) -> tuple[np.ndarray, np.ndarray]:
    """Each group's share of the children in care and its representation ratio (NaN where invalid)."""
    share = known.x / known.X if known.X > 0 else np.full(len(known.groups), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return share, np.where(known.valid, share / known.pi, np.nan)


def _share_measures(known: _Known, *, share_method: str, rate_method: str, confidence: float) -> dict:
    """Phase 3 of :func:`~iro_analysis.disproportionality.disproportionality`: shares, representation ratios, rates.

    Parameters
    ----------
    known : _Known
    share_method, rate_method, confidence
        As :func:`~iro_analysis.disproportionality.disproportionality`.

    Returns
    -------
    dict
        Arrays ``cic_share`` with ``cic_share_ci_low/high``, ``representation_ratio`` with
        ``rr_ci_low/high`` (the share's interval over the population share), ``rate_per_10k``
        with ``rate_ci_low/high`` and ``p_value`` (exact binomial test of share = population
        share); NaN where no rate can be given.
    """
    x, pi, n_rate, valid = known.x, known.pi, known.n_rate, known.valid
    X = known.X  # noqa: N806 - the methods' notation
    k = len(known.groups)
    nan = np.full(k, np.nan)
    s_lo, s_hi = _iv.proportion_interval(x, np.full(k, X), method=share_method, confidence=confidence)
    share, repr_ratio = _share_and_ratio(known)
    with np.errstate(divide="ignore", invalid="ignore"):
        rr_lo = np.where(valid, s_lo / pi, np.nan)
        rr_hi = np.where(valid, s_hi / pi, np.nan)
        rate = np.where(valid, 1e4 * x / n_rate, np.nan)
    r_lo, r_hi = _iv.rate_interval(x, n_rate, method=rate_method, confidence=confidence)
    r_lo, r_hi = np.where(valid, r_lo, np.nan), np.where(valid, r_hi, np.nan)
    p_share = np.where(valid, _tests.binomial_test(x, np.full(k, X), pi) if X > 0 else nan, np.nan)
    return {
        "cic_share": share, "cic_share_ci_low": s_lo, "cic_share_ci_high": s_hi,
        "rate_per_10k": rate, "rate_ci_low": r_lo, "rate_ci_high": r_hi,
        "representation_ratio": repr_ratio, "rr_ci_low": rr_lo, "rr_ci_high": rr_hi, "p_value": p_share,
    }


def _reference_measures(known: _Known, rate: np.ndarray, ref_x: np.ndarray, ref_n: np.ndarray, ref_ok: np.ndarray, *,
                        rri_method: str, rd_method: str, confidence: float) -> dict:
    """Phase 5 of :func:`~iro_analysis.disproportionality.disproportionality`: each group against its reference.

    Parameters
    ----------
    known : _Known
    rate : ndarray
        Each group's rate per 10,000 (phase 3).
    ref_x, ref_n, ref_ok : ndarray
        The reference's children and rate population for each group, and whether the
        comparison can be made (phase 4).
    rri_method, rd_method, confidence
        As :func:`~iro_analysis.disproportionality.disproportionality`.

    Returns
    -------
    dict
        Arrays ``rri`` with ``rri_ci_low/high`` and ``rri_p_value`` (exact conditional test),
        ``rate_difference_per_10k`` with ``rd_ci_low/high``, and ``excess_cic``.
    """
    x, n_rate = known.x, known.n_rate
    nan = np.full(len(known.groups), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ref_rate = 1e4 * ref_x / ref_n
        rri = np.where(ref_ok & (ref_x > 0), (x / n_rate) / (ref_x / ref_n), np.nan)
    sel = ref_ok
    rri_lo, rri_hi, rri_p = nan.copy(), nan.copy(), nan.copy()
    if np.any(sel):
        lo, hi = _iv.rate_ratio_interval(x[sel], n_rate[sel], ref_x[sel], ref_n[sel], method=rri_method,
                                         confidence=confidence)
        rri_lo[sel], rri_hi[sel] = lo, hi
        test_method = "exact" if rri_method == "exact" else "midp"
        rri_p[sel] = _tests.rate_ratio_test(x[sel], n_rate[sel], ref_x[sel], ref_n[sel], method=test_method)
    rd = np.where(ref_ok, rate - ref_rate, np.nan)
    rd_lo, rd_hi = nan.copy(), nan.copy()
    sel_rd = ref_ok & (ref_x <= ref_n)
    if np.any(sel_rd):
        lo, hi = _iv.risk_difference_interval(x[sel_rd], n_rate[sel_rd], ref_x[sel_rd], ref_n[sel_rd],
                                              method=rd_method, confidence=confidence)
        rd_lo[sel_rd], rd_hi[sel_rd] = 1e4 * np.asarray(lo), 1e4 * np.asarray(hi)
    excess = np.where(ref_ok, x - n_rate * ref_rate / 1e4, np.nan)
    return {
        "rri": rri, "rri_ci_low": rri_lo, "rri_ci_high": rri_hi, "rri_p_value": rri_p,
        "rate_difference_per_10k": rd, "rd_ci_low": rd_lo, "rd_ci_high": rd_hi, "excess_cic": excess,
    }
