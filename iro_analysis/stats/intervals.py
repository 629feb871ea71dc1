"""Confidence intervals for proportions, ratios, differences and counts.

Pure functions on numbers and numpy arrays (no domain DataFrames). Every function is
vectorised over its count arguments, returns ``(low, high)`` (floats for scalar input,
numpy arrays otherwise) and gives NaN where the interval is undefined (for example
``n = 0``). Proportions are on the 0–1 scale.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import optimize, special, stats

from ..errors import ParameterError

__all__ = [
    "wilson_interval",
    "clopper_pearson_interval",
    "jeffreys_interval",
    "midp_interval",
    "proportion_interval",
    "rate_ratio_interval",
    "risk_difference_interval",
    "exact_poisson_interval",
    "byars_interval",
    "poisson_interval",
    "rate_interval",
    "PROPORTION_METHODS",
    "RATE_RATIO_METHODS",
    "RISK_DIFFERENCE_METHODS",
]


def _z(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level in (0, 1)."""
    if not (isinstance(confidence, (int, float)) and 0.0 < float(confidence) < 1.0):
        raise ParameterError(
            f"confidence must be a number between 0 and 1 (e.g. 0.95), got {confidence!r}."
        )
    return float(special.ndtri(1.0 - (1.0 - float(confidence)) / 2.0))


def _as_float_array(value, name: str) -> np.ndarray:
    try:
        arr = np.atleast_1d(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be numeric (a number or an array of numbers), got {value!r}.") from None
    return arr


def _proportion_inputs(x, n):
    """Validate counts for a binomial proportion; return float arrays and a 'defined' mask."""
    x = _as_float_array(x, "x")
    n = _as_float_array(n, "n")
    x, n = np.broadcast_arrays(x, n)
    bad = (x < 0) | (n < 0) | (x > n)
    if np.any(bad):
        i = np.flatnonzero(bad.ravel())[0]
        raise ParameterError(
            f"counts must satisfy 0 <= x <= n; got x={x.ravel()[i]!r}, n={n.ravel()[i]!r} "
            f"(element {i}). Check that the numerator is a subset of the denominator."
        )
    ok = np.isfinite(x) & np.isfinite(n) & (n > 0)
    return x, n, ok


def _out(low, high, scalar: bool):
    if scalar:
        return float(np.asarray(low).ravel()[0]), float(np.asarray(high).ravel()[0])
    return low, high


def _proportion_limits(x, n, confidence, limits, *, whole_numbers: bool = False):
    """Validate a one-sample proportion's inputs and apply ``limits`` where it is defined.

    ``limits(xs, ns)`` gets the counts of the defined elements (``n > 0``, finite) and returns
    their (low, high) arrays; other elements are NaN. ``whole_numbers`` is for exact methods.
    """
    scalar = np.ndim(x) == 0 and np.ndim(n) == 0
    _z(confidence)
    x, n, ok = _proportion_inputs(x, n)
    if whole_numbers:
        _integer_valued(x, "x")
        _integer_valued(n, "n")
    low = np.full(x.shape, np.nan)
    high = np.full(x.shape, np.nan)
    low[ok], high[ok] = limits(x[ok], n[ok])
    return _out(low, high, scalar)


def wilson_interval(x, n, *, confidence: float = 0.95):
    r"""Wilson score interval for a binomial proportion ``x / n``.

    Parameters
    ----------
    x : int, float or array_like
        Number of successes (e.g. reviews on time, children of one group in care).
    n : int, float or array_like
        Number of trials; broadcast against ``x``.
    confidence : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        Limits on the 0–1 scale; NaN where ``n`` is 0 or an input is NaN.

    Raises
    ------
    ParameterError
        If a count is negative, ``x > n`` or ``confidence`` is not in (0, 1).

    Notes
    -----
    With :math:`z = \Phi^{-1}(1 - \alpha/2)`,

    .. math:: \frac{2x + z^2 \mp z\sqrt{z^2 + 4x(1 - x/n)}}{2(n + z^2)}

    (Wilson 1927; the PHE/OHID Fingertips standard for proportions). Equal to
    ``statsmodels.stats.proportion.proportion_confint(method="wilson")`` and to R
    ``epitools::binom.wilson``; computed in closed form here so that whole arrays,
    ``n = 0`` and NaN are handled without warnings.

    Examples
    --------
    >>> low, high = wilson_interval(45, 52)
    >>> round(low, 6), round(high, 6)
    (0.747267, 0.933231)
    >>> wilson_interval([0, 12], [12, 12])[1].round(6).tolist()
    [0.242494, 1.0]
    """
    z = _z(confidence)

    def limits(xs, ns):
        z2 = z * z
        centre = 2.0 * xs + z2
        half = z * np.sqrt(z2 + 4.0 * xs * (1.0 - xs / ns))
        denom = 2.0 * (ns + z2)
        # Exact 0 and 1 at the boundaries (the formula gives them up to rounding).
        return (np.where(xs == 0, 0.0, np.clip((centre - half) / denom, 0.0, 1.0)),
                np.where(xs == ns, 1.0, np.clip((centre + half) / denom, 0.0, 1.0)))

    return _proportion_limits(x, n, confidence, limits)


def _integer_valued(arr: np.ndarray, name: str) -> None:
    finite = arr[np.isfinite(arr)]
    if np.any(finite != np.round(finite)):
        raise ParameterError(f"{name} must be whole numbers for this exact method, got {arr!r}.")


def clopper_pearson_interval(x, n, *, confidence: float = 0.95):
    r"""Clopper–Pearson ("exact") interval for a binomial proportion.

    Parameters
    ----------
    x, n : int or array_like
        Successes and trials (broadcast together).
    confidence : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        Limits on the 0–1 scale; NaN where ``n`` is 0.

    Notes
    -----
    :math:`[B(\alpha/2;\,x,\,n-x+1),\; B(1-\alpha/2;\,x+1,\,n-x)]` with :math:`B(q; a, b)`
    the Beta quantile; 0 when :math:`x = 0` and 1 when :math:`x = n` (Clopper & Pearson
    1934). Guaranteed coverage, conservative. Same as
    ``statsmodels ... proportion_confint(method="beta")`` and R ``binom.test``.

    Examples
    --------
    >>> [round(v, 6) for v in clopper_pearson_interval(45, 52)]
    [0.742121, 0.944121]
    """
    alpha = 1.0 - confidence

    def limits(xs, ns):
        with np.errstate(invalid="ignore", divide="ignore"):
            lo = stats.beta.ppf(alpha / 2.0, xs, ns - xs + 1.0)
            hi = stats.beta.ppf(1.0 - alpha / 2.0, xs + 1.0, ns - xs)
        return np.where(xs == 0, 0.0, lo), np.where(xs == ns, 1.0, hi)

    return _proportion_limits(x, n, confidence, limits)


def jeffreys_interval(x, n, *, confidence: float = 0.95):
    r"""Jeffreys (equal-tailed Bayesian, Beta(½, ½) prior) interval for a proportion.

    Parameters
    ----------
    x, n : int or array_like
        Successes and trials (broadcast together).
    confidence : float, default 0.95
        Two-sided level.

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        NaN where ``n`` is 0.

    Notes
    -----
    :math:`[B(\alpha/2;\,x+\tfrac12,\,n-x+\tfrac12),\; B(1-\alpha/2;\,x+\tfrac12,\,n-x+\tfrac12)]`
    without boundary modification, as ``statsmodels ... proportion_confint(method="jeffreys")``
    (Brown, Cai & DasGupta 2001). For 0/12 this gives a lower limit of 0.000040, not 0.

    Examples
    --------
    >>> [round(v, 6) for v in jeffreys_interval(45, 52)]
    [0.753784, 0.937712]
    """
    alpha = 1.0 - confidence

    def limits(xs, ns):
        return (stats.beta.ppf(alpha / 2.0, xs + 0.5, ns - xs + 0.5),
                stats.beta.ppf(1.0 - alpha / 2.0, xs + 0.5, ns - xs + 0.5))

    return _proportion_limits(x, n, confidence, limits)


def _binomial_tails(k: int, m: int):
    """P(X = k), P(X < k) and P(X > k) for X ~ Bin(m, p), as functions of p in (0, 1).

    The values of ``scipy.stats.binom.pmf(k, m, p)``, ``.cdf(k - 1, m, p)`` and ``.sf(k, m, p)``
    (the distribution's own ``_pmf``, ``_cdf`` and ``_sf``, clipped to [0, 1] and 0 outside
    the support, as the public methods give them) without the public methods' checking and
    broadcasting of their arguments, which was most of the time of a root search: here k and m
    are whole numbers with 0 <= k <= m and p is a probability.
    """
    binom = stats.binom

    def unit(v):  # as np.clip(v, 0, 1) in the public methods
        return min(max(v, 0.0), 1.0)

    def pmf(p):
        return unit(binom._pmf(k, m, p))

    def below(p):
        return 0.0 if k == 0 else unit(binom._cdf(k - 1, m, p))

    def above(p):
        return 0.0 if k == m else unit(binom._sf(k, m, p))

    return pmf, below, above


@functools.lru_cache(maxsize=4096)
def _midp_binomial_limits(k: int, m: int, alpha: float) -> tuple[float, float]:
    """Mid-p limits for a binomial probability given k of m (k, m integers, m > 0).

    Kept per (k, m, alpha): each limit is a root search over many scipy calls, and the relative rate
    index asks for the same counts under every denominator of a report (its limits do not depend
    on the populations).
    """

    pmf, below, above = _binomial_tails(k, m)

    def upper_tail(p):  # P(X > k) + P(X = k)/2 - alpha/2, increasing in p
        return above(p) + 0.5 * pmf(p) - alpha / 2.0

    def lower_tail(p):  # P(X < k) + P(X = k)/2 - alpha/2, decreasing in p
        return below(p) + 0.5 * pmf(p) - alpha / 2.0

    eps = 1e-300
    lo = 0.0 if k == 0 else optimize.brentq(upper_tail, eps, 1.0 - 1e-16, xtol=1e-300, rtol=1e-14, maxiter=500)
    hi = 1.0 if k == m else optimize.brentq(lower_tail, eps, 1.0 - 1e-16, xtol=1e-300, rtol=1e-14, maxiter=500)
    return lo, hi


def midp_interval(x, n, *, confidence: float = 0.95):
    r"""Mid-p exact interval for a binomial proportion.

    Parameters
    ----------
    x, n : int or array_like
        Whole-number successes and trials (broadcast together).
    confidence : float, default 0.95
        Two-sided level.

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        NaN where ``n`` is 0.

    Raises
    ------
    ParameterError
        If counts are not whole numbers, negative, or ``x > n``.

    Notes
    -----
    The lower limit solves :math:`P(X > x) + \tfrac12 P(X = x) = \alpha/2` and the upper
    :math:`P(X < x) + \tfrac12 P(X = x) = \alpha/2`, :math:`X \sim \mathrm{Bin}(n, p)`
    (Lancaster 1961; Agresti & Gottard 2007); 0 when :math:`x = 0`, 1 when :math:`x = n`.
    No scipy/statsmodels function computes it, so the equations are solved with
    :func:`scipy.optimize.brentq` to machine precision. R ``PropCIs::midPci`` rounds to 4 d.p.

    Examples
    --------
    >>> [round(v, 6) for v in midp_interval(45, 52)]
    [0.751785, 0.939176]
    """
    alpha = 1.0 - confidence

    def limits(xs, ns):
        pairs = [_midp_binomial_limits(int(k), int(m), alpha) for k, m in zip(xs, ns)]
        return np.array([p[0] for p in pairs], dtype=float), np.array([p[1] for p in pairs], dtype=float)

    return _proportion_limits(x, n, confidence, limits, whole_numbers=True)


PROPORTION_METHODS = {
    "wilson": wilson_interval,
    "clopper_pearson": clopper_pearson_interval,
    "jeffreys": jeffreys_interval,
    "midp": midp_interval,
}


def proportion_interval(x, n, *, method: str = "wilson", confidence: float = 0.95):
    """Interval for a binomial proportion by the named method.

    Parameters
    ----------
    x, n : int or array_like
        Successes and trials.
    method : {"wilson", "clopper_pearson", "jeffreys", "midp"}, default "wilson"
        See :func:`wilson_interval`, :func:`clopper_pearson_interval`,
        :func:`jeffreys_interval`, :func:`midp_interval` (``"exact"`` is accepted for
        Clopper–Pearson).
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray

    Raises
    ------
    ParameterError
        For an unknown method or invalid counts.

    Examples
    --------
    >>> [round(v, 6) for v in proportion_interval(11, 100, method="clopper_pearson")]
    [0.056207, 0.188301]
    """
    key = {"exact": "clopper_pearson", "beta": "clopper_pearson", "mid-p": "midp"}.get(method, method)
    if key not in PROPORTION_METHODS:
        raise ParameterError(
            f"unknown proportion interval method {method!r}; use one of {sorted(PROPORTION_METHODS)}."
        )
    return PROPORTION_METHODS[key](x, n, confidence=confidence)


# --------------------------------------------------------------------------------------
# Ratio of two rates (relative rate index) and difference of two proportions
# --------------------------------------------------------------------------------------


def _two_sample_inputs(a, n1, c, n0, *, binomial: bool):
    arrays = [_as_float_array(v, name) for v, name in ((a, "a"), (n1, "n1"), (c, "c"), (n0, "n0"))]
    a, n1, c, n0 = np.broadcast_arrays(*arrays)
    if np.any((a < 0) | (c < 0) | (n1 < 0) | (n0 < 0)):
        raise ParameterError("counts and denominators must not be negative.")
    if binomial and np.any((a > n1) | (c > n0)):
        i = np.flatnonzero(((a > n1) | (c > n0)).ravel())[0]
        raise ParameterError(
            f"a count exceeds its denominator (element {i}: a={a.ravel()[i]!r} of n1={n1.ravel()[i]!r}, "
            f"c={c.ravel()[i]!r} of n0={n0.ravel()[i]!r}); a binomial interval needs count <= denominator. "
            "Use method='midp' (Poisson) or check the denominator."
        )
    ok = np.isfinite(a) & np.isfinite(n1) & np.isfinite(c) & np.isfinite(n0) & (n1 > 0) & (n0 > 0)
    return a, n1, c, n0, ok


def _conditional_limits(a: int, c: int, n1: float, n0: float, alpha: float, midp: bool):
    m = a + c
    if midp:
        lo, hi = _midp_binomial_limits(a, m, alpha)
    else:
        lo = 0.0 if a == 0 else stats.beta.ppf(alpha / 2.0, a, m - a + 1)
        hi = 1.0 if a == m else stats.beta.ppf(1.0 - alpha / 2.0, a + 1, m - a)

    def to_ratio(p):
        return p / (1.0 - p) * n0 / n1 if p < 1.0 else np.inf

    return to_ratio(lo), to_ratio(hi)


RATE_RATIO_METHODS = ("midp", "exact", "katz", "koopman", "poisson_wald", "poisson_score")


# 108 lines, 59 of them the docstring (parameters, method, worked examples): 44 lines of code.
def rate_ratio_interval(a, n1, c, n0, *, method: str = "midp", confidence: float = 0.95):
    r"""Interval for the ratio of two rates :math:`(a/n_1)/(c/n_0)` (relative rate index).

    Parameters
    ----------
    a, n1 : int or array_like
        Events (children in care) and population in the group of interest.
    c, n0 : int or array_like
        Events and population in the reference group. All four broadcast together.
    method : str, default "midp"
        ``"midp"``: exact conditional mid-p (default); ``"exact"``: exact conditional
        Clopper–Pearson; ``"katz"``: Katz log interval for a risk ratio;
        ``"koopman"``: Koopman asymptotic score; ``"poisson_wald"``: Wald on the log
        rate ratio :math:`\sqrt{1/a + 1/c}`; ``"poisson_score"``: Poisson score.
    confidence : float, default 0.95
        Two-sided level.

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        NaN where a denominator is 0, where :math:`a = c = 0`, or where the method is
        undefined for a zero count (Katz, Poisson Wald and Poisson score need
        :math:`a, c > 0`); ``high`` is ``inf`` for the conditional methods when
        :math:`c = 0`. The point estimate is the MLE :math:`(a/n_1)/(c/n_0)`.

    Raises
    ------
    ParameterError
        For negative counts, an unknown method, or a binomial method (``katz``,
        ``koopman``) with a count above its denominator.

    Notes
    -----
    *Exact conditional*: given :math:`m = a + c`, :math:`a \sim \mathrm{Bin}(m, \pi)` with
    :math:`\pi = RR\,n_1/(RR\,n_1 + n_0)`. An interval :math:`(\pi_L, \pi_U)` for
    :math:`\pi` (Clopper–Pearson, or mid-p solving
    :math:`P(A > a) + \tfrac12 P(A = a) = \alpha/2` and
    :math:`P(A < a) + \tfrac12 P(A = a) = \alpha/2`) is mapped through
    :math:`RR = \pi/(1-\pi)\cdot n_0/n_1`. Clopper–Pearson equals R
    ``exactci::poisson.exact(tsmethod="central")``; mid-p equals R
    ``epitools::rateratio.midp`` up to R's ``uniroot`` tolerance (≈1e-5 relative; the
    limits here satisfy the defining equation to machine precision). No library in
    Python computes these intervals (statsmodels offers only the tests), hence own code
    (methods.md §2.2).

    *Katz*: :math:`\exp(\ln RR \pm z\sqrt{1/a - 1/n_1 + 1/c - 1/n_0})` (Katz et al.
    1978) = ``statsmodels.stats.proportion.confint_proportions_2indep(compare="ratio",
    method="log")`` = R ``epitools::riskratio.wald``. *Koopman* (1984) = the same
    statsmodels function with ``method="score", correction=False`` = R
    ``PropCIs::riskscoreci``. *Poisson Wald* = ``statsmodels.stats.rates.
    confint_poisson_2indep(method="wald-log")`` = R ``epitools::rateratio.wald``;
    *Poisson score* = the same with ``method="score"``.

    Examples
    --------
    >>> [round(v, 6) for v in rate_ratio_interval(41, 28010, 15, 19017, method="exact")]
    [1.005684, 3.6093]
    >>> [round(v, 6) for v in rate_ratio_interval(11, 652, 49, 32960, method="katz")]
    [5.928455, 21.723556]
    """
    if method not in RATE_RATIO_METHODS:
        raise ParameterError(f"unknown rate ratio method {method!r}; use one of {list(RATE_RATIO_METHODS)}.")
    scalar = all(np.ndim(v) == 0 for v in (a, n1, c, n0))
    alpha = 1.0 - confidence
    _z(confidence)
    a, n1, c, n0, ok = _two_sample_inputs(a, n1, c, n0, binomial=method in ("katz", "koopman"))
    low = np.full(a.shape, np.nan)
    high = np.full(a.shape, np.nan)
    ok = ok & ((a + c) > 0)
    if method in ("midp", "exact"):
        _integer_valued(a, "a")
        _integer_valued(c, "c")
        for idx in zip(*np.nonzero(ok)):
            low[idx], high[idx] = _conditional_limits(
                int(a[idx]), int(c[idx]), float(n1[idx]), float(n0[idx]), alpha, midp=(method == "midp")
            )
        return _out(low, high, scalar)

    from statsmodels.stats.proportion import confint_proportions_2indep
    from statsmodels.stats.rates import confint_poisson_2indep

    if method == "katz":
        sel = ok & (a > 0) & (c > 0)
        if np.any(sel):
            lo, hi = confint_proportions_2indep(
                a[sel], n1[sel], c[sel], n0[sel], compare="ratio", method="log", alpha=alpha
            )
            low[sel], high[sel] = lo, hi
        return _out(low, high, scalar)
    if method == "koopman":
        for idx in zip(*np.nonzero(ok)):
            with np.errstate(divide="ignore", invalid="ignore"):
                lo, hi = confint_proportions_2indep(
                    a[idx], n1[idx], c[idx], n0[idx], compare="ratio", method="score",
                    correction=False, alpha=alpha,
                )
            # The score root at a zero count is 0 up to rounding (e.g. -6e-13).
            low[idx], high[idx] = (0.0 if a[idx] == 0 else float(lo)), (np.inf if c[idx] == 0 else float(hi))
        return _out(low, high, scalar)
    # Poisson Wald and score: undefined with a zero count (statsmodels returns a degenerate interval).
    sel = ok & (a > 0) & (c > 0)
    sm_method = "wald-log" if method == "poisson_wald" else "score"
    for idx in zip(*np.nonzero(sel)):
        lo, hi = confint_poisson_2indep(
            a[idx], n1[idx], c[idx], n0[idx], method=sm_method, compare="ratio", alpha=alpha
        )
        low[idx], high[idx] = float(lo), float(hi)
    return _out(low, high, scalar)


RISK_DIFFERENCE_METHODS = {"newcombe": "newcomb", "agresti_caffo": "agresti-caffo", "wald": "wald"}


def risk_difference_interval(a, n1, c, n0, *, method: str = "newcombe", confidence: float = 0.95):
    r"""Interval for the difference of two proportions :math:`a/n_1 - c/n_0`.

    Parameters
    ----------
    a, n1 : int or array_like
        Events and denominator in the group of interest.
    c, n0 : int or array_like
        Events and denominator in the reference group.
    method : {"newcombe", "agresti_caffo", "wald"}, default "newcombe"
        Newcombe's hybrid score interval (method 10, Newcombe 1998), Agresti–Caffo, or Wald.
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        On the proportion scale (multiply by 10,000 for a rate difference per 10,000);
        NaN where a denominator is 0.

    Raises
    ------
    ParameterError
        For negative counts, a count above its denominator, or an unknown method.

    Notes
    -----
    Newcombe: with Wilson limits :math:`(l_1, u_1)` and :math:`(l_0, u_0)` and
    :math:`d = p_1 - p_0`,
    :math:`[d - \sqrt{(p_1-l_1)^2 + (u_0-p_0)^2},\; d + \sqrt{(u_1-p_1)^2 + (p_0-l_0)^2}]`.
    Computed by ``statsmodels.stats.proportion.confint_proportions_2indep(compare="diff",
    method="newcomb")``; recommended by Fagerland, Lydersen & Laake (2015), whose table
    gives (0.019, 0.34) for 7/34 vs 1/34.

    Examples
    --------
    >>> [round(v, 4) for v in risk_difference_interval(7, 34, 1, 34)]
    [0.0189, 0.3404]
    """
    if method not in RISK_DIFFERENCE_METHODS:
        raise ParameterError(
            f"unknown risk difference method {method!r}; use one of {sorted(RISK_DIFFERENCE_METHODS)}."
        )
    from statsmodels.stats.proportion import confint_proportions_2indep

    scalar = all(np.ndim(v) == 0 for v in (a, n1, c, n0))
    alpha = 1.0 - confidence
    _z(confidence)
    a, n1, c, n0, ok = _two_sample_inputs(a, n1, c, n0, binomial=True)
    low = np.full(a.shape, np.nan)
    high = np.full(a.shape, np.nan)
    if np.any(ok):
        with np.errstate(divide="ignore", invalid="ignore"):
            lo, hi = confint_proportions_2indep(
                a[ok], n1[ok], c[ok], n0[ok], compare="diff", method=RISK_DIFFERENCE_METHODS[method], alpha=alpha
            )
        low[ok], high[ok] = lo, hi
    return _out(low, high, scalar)


# --------------------------------------------------------------------------------------
# Counts and rates (Poisson)
# --------------------------------------------------------------------------------------


def _count_inputs(count):
    count = _as_float_array(count, "count")
    if np.any(count < 0):
        raise ParameterError("counts must not be negative.")
    return count


def exact_poisson_interval(count, *, confidence: float = 0.95):
    r"""Exact (Garwood) interval for a Poisson count.

    Parameters
    ----------
    count : float or array_like
        Observed count(s).
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        Limits for the expected count.

    Notes
    -----
    :math:`O_L = \chi^2_{\alpha/2,\,2O}/2` (0 when :math:`O = 0`),
    :math:`O_U = \chi^2_{1-\alpha/2,\,2O+2}/2` (Garwood 1936; PHE *Technical Guide:
    Confidence Intervals*, 2018).

    Examples
    --------
    >>> [round(v, 4) for v in exact_poisson_interval(149)]
    [126.0364, 174.9372]
    """
    scalar = np.ndim(count) == 0
    alpha = 1.0 - confidence
    _z(confidence)
    o = _count_inputs(count)
    with np.errstate(invalid="ignore"):
        low = np.where(o == 0, 0.0, stats.chi2.ppf(alpha / 2.0, 2.0 * o) / 2.0)
        high = stats.chi2.ppf(1.0 - alpha / 2.0, 2.0 * o + 2.0) / 2.0
    low = np.where(np.isnan(o), np.nan, low)
    return _out(low, high, scalar)


def byars_interval(count, *, confidence: float = 0.95):
    r"""Byar's approximation to the exact Poisson interval for a count.

    Parameters
    ----------
    count : float or array_like
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        ``low`` is NaN where the formula gives a negative value (as PHEindicatormethods
        ``byars_lower``) and 0 for a zero count.

    Notes
    -----
    :math:`O_L = O\,(1 - 1/(9O) - z/(3\sqrt{O}))^3`,
    :math:`O_U = (O+1)\,(1 - 1/(9(O+1)) + z/(3\sqrt{O+1}))^3` (Breslow & Day 1987).
    Within 0.2% of the exact interval for counts of 10 or more (PHE 2018).

    Examples
    --------
    >>> [round(v, 4) for v in byars_interval(65)]
    [50.1632, 82.8491]
    """
    scalar = np.ndim(count) == 0
    z = _z(confidence)
    o = _count_inputs(count)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * np.sqrt(o))) ** 3
        o1 = o + 1.0
        high = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * np.sqrt(o1))) ** 3
    low = np.where(o == 0, 0.0, np.where(low < 0, np.nan, low))
    return _out(low, high, scalar)


def poisson_interval(count, *, method: str = "phe", confidence: float = 0.95):
    """Interval for a Poisson count: PHE rule (default), Byar's or exact.

    Parameters
    ----------
    count : float or array_like
    method : {"phe", "byars", "exact"}, default "phe"
        ``"phe"`` uses Byar's for counts of 10 or more and the exact interval below 10
        (PHE/OHID Fingertips rule).
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray

    Examples
    --------
    >>> [round(v, 4) for v in poisson_interval(3)]
    [0.6187, 8.7673]
    """
    if method not in ("phe", "byars", "exact"):
        raise ParameterError(f"unknown Poisson interval method {method!r}; use 'phe', 'byars' or 'exact'.")
    scalar = np.ndim(count) == 0
    o = _count_inputs(count)
    ex_lo, ex_hi = exact_poisson_interval(o, confidence=confidence)
    if method == "exact":
        return _out(ex_lo, ex_hi, scalar)
    by_lo, by_hi = byars_interval(o, confidence=confidence)
    if method == "byars":
        return _out(by_lo, by_hi, scalar)
    small = o < 10
    return _out(np.where(small, ex_lo, by_lo), np.where(small, ex_hi, by_hi), scalar)


def rate_interval(count, population, *, per: float = 10_000, method: str = "phe", confidence: float = 0.95):
    """Interval for a rate ``per * count / population`` (e.g. children in care per 10,000).

    Parameters
    ----------
    count : float or array_like
        Events (children).
    population : float or array_like
        Population at risk; NaN results where it is 0 or missing.
    per : float, default 10,000
        Rate multiplier.
    method : {"phe", "byars", "exact"}, default "phe"
        See :func:`poisson_interval`.
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        Rate limits: ``per * O_{L,U} / population``.

    Examples
    --------
    >>> [round(v, 4) for v in rate_interval(149, 44_000)]
    [28.6443, 39.7587]
    """
    scalar = np.ndim(count) == 0 and np.ndim(population) == 0
    o = _count_inputs(count)
    pop = _as_float_array(population, "population")
    o, pop = np.broadcast_arrays(o, pop)
    lo, hi = poisson_interval(o, method=method, confidence=confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = pop > 0
        low = np.where(valid, per * np.asarray(lo) / np.where(valid, pop, 1.0), np.nan)
        high = np.where(valid, per * np.asarray(hi) / np.where(valid, pop, 1.0), np.nan)
    return _out(low, high, scalar)
