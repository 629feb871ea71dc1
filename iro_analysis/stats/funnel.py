r"""Funnel-plot control limits and the over-dispersion adjustment (Spiegelhalter 2005).

Pure functions on numbers and numpy arrays (no domain DataFrames). A funnel plot shows each
unit's indicator against its precision (the denominator) with control limits around a target
:math:`\theta_0`; a unit outside the 95% limits is an "alert", outside the 99.8% limits an
"alarm". Two families of indicator are covered:

* ``kind="proportion"``: ``x`` successes out of ``n`` (timeliness, health checks, placement
  stability). Target and limits on the 0–1 scale.
* ``kind="rate"``: ``x`` events in a population ``n`` (children looked after per 10,000).
  Target and limits are rates per ``per`` (e.g. ``per=10_000``).

Limits
------
*Exact* (default): Spiegelhalter (2005, *Stat Med* 24:1185, appendix A.1.1) interpolated
binomial/Poisson quantiles. With :math:`F` the distribution function of the count under the
target, :math:`r_p` the smallest :math:`r` with :math:`F(r) \ge p` and
:math:`\alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1))`, the limit is :math:`(r_p - \alpha)/n`
(times ``per`` for rates). *Normal*: :math:`\theta_0 \pm z_p\sqrt{\theta_0(1-\theta_0)/n}` or
:math:`\theta_0 \pm z_p\sqrt{\theta_0/n}`, truncated to the possible range. The normal
proportion limits equal PHE Fingertips' "Wilson score" funnel (``sigma_adjustment``).

Over-dispersion
---------------
Between-authority variation in children's-services indicators is far larger than binomial or
Poisson noise, so unadjusted funnels flag most authorities. :func:`overdispersion` computes
z-scores :math:`z_i = (y_i - \theta_0)/s_i`, Winsorises them at the 10th and 90th percentiles
(R type-7 quantiles, as FunnelPlotR), takes :math:`\phi = \frac1I\sum z_{w,i}^2` and tests
:math:`I\phi` against :math:`\chi^2_{I-1}`. The additive random-effects variance
(DerSimonian–Laird form, Spiegelhalter 2005 *QSHC* 14:347) is

.. math:: \tau^2 = \max\Bigl(0, \frac{I\phi - (I-1)}{\sum w_i - \sum w_i^2/\sum w_i}\Bigr),
          \quad w_i = 1/s_i^2,

and the adjusted limits are :math:`\theta_0 \pm z_p\sqrt{s_i^2 + \tau^2}` on the analysis
scale. The default analysis scale is variance-stabilising (Spiegelhalter et al. 2012, *JRSS A*
175:1; FunnelPlotR): arcsine-square-root for proportions
(:math:`y = \arcsin\sqrt{x/n}`, :math:`s = 1/(2\sqrt n)`) and square root for rates
(:math:`y = \sqrt{x/n}`, :math:`s = 1/(2\sqrt n)`); ``scale="raw"`` uses the untransformed
indicator with the binomial/Poisson standard error at the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from ..errors import ParameterError

__all__ = [
    "Z_95",
    "Z_998",
    "binomial_limits",
    "poisson_limits",
    "funnel_limits",
    "funnel_z_scores",
    "winsorise",
    "Overdispersion",
    "overdispersion",
    "random_effects_limits",
    "multiplicative_limits",
]

#: Two-sided 95% and 99.8% standard normal quantiles (1.959964, 3.090232).
Z_95 = float(special.ndtri(0.975))
Z_998 = float(special.ndtri(0.999))

_KINDS = ("proportion", "rate")
_SCALES = {"proportion": ("raw", "arcsine"), "rate": ("raw", "sqrt")}


# ---------------------------------------------------------------------------------------------
# input checks


def _arr(value, name: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be numeric (a number or an array of numbers), got {value!r}.") from None


def _check_confidence(confidence) -> tuple[float, float]:
    """Return the (lower, upper) tail probabilities for a two-sided confidence level."""
    if not (isinstance(confidence, (int, float, np.floating)) and 0.0 < float(confidence) < 1.0):
        raise ParameterError(
            f"confidence must be a number between 0 and 1 (0.95 or 0.998 for funnels), got {confidence!r}."
        )
    a = (1.0 - float(confidence)) / 2.0
    return a, 1.0 - a


def _check_kind(kind: str) -> str:
    if kind not in _KINDS:
        raise ParameterError(f"kind must be 'proportion' or 'rate', got {kind!r}.")
    return kind


def _check_scale(scale: str, kind: str) -> str:
    if scale == "auto":
        return "arcsine" if kind == "proportion" else "sqrt"
    if scale not in _SCALES[kind]:
        raise ParameterError(
            f"scale {scale!r} is not available for kind={kind!r}; use 'auto' or one of {_SCALES[kind]}."
        )
    return scale


def _check_per(per) -> float:
    per = float(per)
    if not np.isfinite(per) or per <= 0:
        raise ParameterError(f"per must be a positive number (e.g. 10000 for rates per 10,000), got {per!r}.")
    return per


def _target_unit(target, kind: str, per: float) -> np.ndarray:
    """Target on the unit scale (proportion 0-1, or events per person)."""
    t = _arr(target, "target")
    if kind == "proportion":
        if np.any((t < 0) | (t > 1)):
            raise ParameterError(f"a proportion target must lie between 0 and 1, got {target!r}.")
        return t
    if np.any(t < 0):
        raise ParameterError(f"a rate target must not be negative, got {target!r}.")
    return t / per


def _out(low, high, scalar: bool):
    if scalar:
        return float(np.asarray(low).reshape(())), float(np.asarray(high).reshape(()))
    return low, high


# ---------------------------------------------------------------------------------------------
# unadjusted limits


def _interpolated_quantile(dist, p: float) -> np.ndarray:
    """Spiegelhalter's interpolated quantile ``r_p - alpha`` of a discrete distribution."""
    r = np.asarray(dist.ppf(p), dtype=float)
    # ppf works in floating point: make sure r is the smallest count with F(r) >= p.
    f = dist.cdf(r)
    r = np.where(f < p, r + 1, r)
    f_prev = dist.cdf(r - 1)
    r = np.where(f_prev >= p, r - 1, r)
    f = dist.cdf(r)
    f_prev = dist.cdf(r - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = (f - p) / (f - f_prev)
    return r - alpha


def binomial_limits(target, n, *, confidence: float = 0.95, method: str = "exact"):
    r"""Funnel limits for a proportion with target ``target`` and denominator ``n``.

    Parameters
    ----------
    target : float or array_like
        Target proportion :math:`\theta_0` on the 0–1 scale (England or pooled value).
    n : int, float or array_like
        Denominators; broadcast against ``target``.
    confidence : float, default 0.95
        Two-sided level: 0.95 (tails 0.025/0.975) or 0.998 (0.001/0.999).
    method : {"exact", "normal"}
        Interpolated exact binomial limits (default) or the normal approximation.

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        Limits on the 0–1 scale, truncated to [0, 1]; NaN where ``n <= 0`` or is missing.

    Raises
    ------
    ParameterError
        If the target is outside [0, 1], ``confidence`` is not in (0, 1) or ``method`` is unknown.

    Notes
    -----
    Exact: limit :math:`= (r_p - \alpha)/n` (Spiegelhalter 2005, appendix A.1.1; see the
    module notes). Normal: :math:`\theta_0 \pm z_p\sqrt{\theta_0(1-\theta_0)/n}`.

    Examples
    --------
    >>> lo, hi = binomial_limits(0.9, 50)
    >>> round(lo, 6), round(hi, 6)
    (0.800277, 0.966137)
    """
    pl, pu = _check_confidence(confidence)
    scalar = np.ndim(target) == 0 and np.ndim(n) == 0
    t = _target_unit(target, "proportion", 1.0)
    n = _arr(n, "n")
    t, n = np.broadcast_arrays(t, n)
    ok = np.isfinite(n) & (n > 0) & np.isfinite(t)
    nn = np.where(ok, n, 1.0)
    if method == "exact":
        nn = np.round(nn)
        dist = stats.binom(nn, t)
        low = _interpolated_quantile(dist, pl) / nn
        high = _interpolated_quantile(dist, pu) / nn
        # A target of exactly 0 or 1 is a point mass: no spread to interpolate over.
        low = np.where((t == 0) | (t == 1), t, low)
        high = np.where((t == 0) | (t == 1), t, high)
    elif method == "normal":
        se = np.sqrt(t * (1 - t) / nn)
        low = t - special.ndtri(pu) * se
        high = t + special.ndtri(pu) * se
    else:
        raise ParameterError(f"method must be 'exact' or 'normal', got {method!r}.")
    low = np.where(ok, np.clip(low, 0.0, 1.0), np.nan)
    high = np.where(ok, np.clip(high, 0.0, 1.0), np.nan)
    return _out(low, high, scalar)


def poisson_limits(target, n, *, confidence: float = 0.95, method: str = "exact", per: float = 1.0):
    r"""Funnel limits for a rate with target ``target`` (per ``per``) and population ``n``.

    Parameters
    ----------
    target : float or array_like
        Target rate per ``per`` people (e.g. 67 children looked after per 10,000).
    n : int, float or array_like
        Population (exposure); broadcast against ``target``.
    confidence : float, default 0.95
        Two-sided level (0.95 or 0.998 for funnels).
    method : {"exact", "normal"}
        Interpolated exact Poisson limits (default) or the normal approximation.
    per : float, default 1
        Rate multiplier (10,000 for rates per 10,000).

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        Rate limits per ``per``, truncated at 0; NaN where ``n <= 0`` or is missing.

    Raises
    ------
    ParameterError
        If the target is negative, ``per`` is not positive, or an option is unknown.

    Notes
    -----
    :math:`\lambda = \theta_0 n/\text{per}`; exact limit :math:`= \text{per}\,(r_p - \alpha)/n`
    with the interpolation of the module notes on the Poisson(:math:`\lambda`) distribution;
    normal limit :math:`\text{per}(\theta \pm z_p\sqrt{\theta/n})`, :math:`\theta = \theta_0/\text{per}`.

    Examples
    --------
    >>> lo, hi = poisson_limits(67, 40_000, per=10_000)
    >>> round(lo, 4), round(hi, 4)
    (58.9729, 75.0132)
    """
    pl, pu = _check_confidence(confidence)
    per = _check_per(per)
    scalar = np.ndim(target) == 0 and np.ndim(n) == 0
    t = _target_unit(target, "rate", per)
    n = _arr(n, "n")
    t, n = np.broadcast_arrays(t, n)
    ok = np.isfinite(n) & (n > 0) & np.isfinite(t)
    nn = np.where(ok, n, 1.0)
    if method == "exact":
        dist = stats.poisson(t * nn)
        low = _interpolated_quantile(dist, pl) / nn
        high = _interpolated_quantile(dist, pu) / nn
        low = np.where(t == 0, 0.0, low)
        high = np.where(t == 0, 0.0, high)
    elif method == "normal":
        se = np.sqrt(t / nn)
        low = t - special.ndtri(pu) * se
        high = t + special.ndtri(pu) * se
    else:
        raise ParameterError(f"method must be 'exact' or 'normal', got {method!r}.")
    low = np.where(ok, np.clip(low, 0.0, None) * per, np.nan)
    high = np.where(ok, np.clip(high, 0.0, None) * per, np.nan)
    return _out(low, high, scalar)


def funnel_limits(target, n, *, kind: str = "proportion", confidence: float = 0.95,
                  method: str = "exact", per: float = 1.0):
    """Unadjusted funnel limits for either kind of indicator.

    Dispatches to :func:`binomial_limits` (``kind="proportion"``; ``per`` rescales the output,
    e.g. ``per=100`` for percentages) or :func:`poisson_limits` (``kind="rate"``).

    Parameters
    ----------
    target : float or array_like
        Target in output units (proportion times ``per``, or rate per ``per``).
    n : array_like
        Denominators.
    kind : {"proportion", "rate"}
    confidence : float, default 0.95
    method : {"exact", "normal"}
    per : float, default 1

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        Limits in output units.

    Examples
    --------
    >>> lo, hi = funnel_limits(90, 50, kind="proportion", per=100)
    >>> round(lo, 4), round(hi, 4)
    (80.0277, 96.6137)
    """
    _check_kind(kind)
    per = _check_per(per)
    if kind == "proportion":
        scalar = np.ndim(target) == 0 and np.ndim(n) == 0
        lo, hi = binomial_limits(_arr(target, "target") / per, n, confidence=confidence, method=method)
        return _out(np.asarray(lo) * per, np.asarray(hi) * per, scalar)
    return poisson_limits(target, n, confidence=confidence, method=method, per=per)


# ---------------------------------------------------------------------------------------------
# over-dispersion


def _units(x, n, kind: str):
    x = _arr(x, "x").ravel()
    n = _arr(n, "n").ravel()
    if x.shape != n.shape:
        raise ParameterError(f"x and n must have the same length, got {x.size} and {n.size}.")
    ok = np.isfinite(x) & np.isfinite(n) & (n > 0)
    if np.any((x[ok] < 0)):
        raise ParameterError("numerators must not be negative.")
    if kind == "proportion" and np.any(x[ok] > n[ok]):
        i = np.flatnonzero(ok & (x > n))[0]
        raise ParameterError(
            f"a proportion's numerator exceeds its denominator (element {i}: x={x[i]!r}, n={n[i]!r})."
        )
    return x, n, ok


def funnel_z_scores(x, n, *, kind: str = "proportion", target=None, scale: str = "auto", per: float = 1.0):
    r"""Unadjusted z-scores of each unit against the target, on the analysis scale.

    Parameters
    ----------
    x, n : array_like
        Numerators and denominators (same length). Units with missing or non-positive ``n``
        get NaN.
    kind : {"proportion", "rate"}
    target : float, optional
        Target in output units (proportion times ``per`` or rate per ``per``). Default: the
        pooled value :math:`\sum x/\sum n` of the units with data.
    scale : {"auto", "raw", "arcsine", "sqrt"}
        Analysis scale; ``"auto"`` = arcsine for proportions, square root for rates.
    per : float, default 1
        Output multiplier (100 for percentages, 10,000 for rates per 10,000).

    Returns
    -------
    z, y, s, target_t : numpy.ndarray, numpy.ndarray, numpy.ndarray, float
        z-scores, transformed values, their standard errors, and the transformed target.

    Notes
    -----
    raw proportion: :math:`y = x/n`, :math:`s = \sqrt{\theta_0(1-\theta_0)/n}`; raw rate:
    :math:`y = x/n`, :math:`s = \sqrt{\theta_0/n}`; arcsine: :math:`y = \arcsin\sqrt{x/n}`,
    :math:`s = 1/(2\sqrt n)`; sqrt: :math:`y = \sqrt{x/n}`, :math:`s = 1/(2\sqrt n)`.
    :math:`z = (y - g(\theta_0))/s`.
    """
    kind = _check_kind(kind)
    scale = _check_scale(scale, kind)
    per = _check_per(per)
    x, n, ok = _units(x, n, kind)
    if not ok.any():
        raise ParameterError("no unit has a usable numerator and a positive denominator.")
    if target is None:
        t = x[ok].sum() / n[ok].sum()
    else:
        t = float(_target_unit(_arr(target, "target") / (per if kind == "proportion" else 1.0), kind,
                               1.0 if kind == "proportion" else per))
    nn = np.where(ok, n, np.nan)
    p = x / nn
    if scale == "raw":
        y = p
        s = np.sqrt((t * (1 - t) if kind == "proportion" else t) / nn)
        tt = t
    elif scale == "arcsine":
        y = np.arcsin(np.sqrt(np.clip(p, 0, 1)))
        s = 1.0 / (2.0 * np.sqrt(nn))
        tt = float(np.arcsin(np.sqrt(t)))
    else:  # sqrt
        y = np.sqrt(p)
        s = 1.0 / (2.0 * np.sqrt(nn))
        tt = float(np.sqrt(t))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (y - tt) / s
    return z, y, s, tt


def winsorise(z, *, trim: float = 0.1) -> np.ndarray:
    """Winsorise values at the ``trim`` and ``1 - trim`` quantiles (R type 7); NaN stays NaN.

    Examples
    --------
    >>> winsorise([-5.0, 0.0, 1.0, 2.0, 9.0], trim=0.25).tolist()
    [0.0, 0.0, 1.0, 2.0, 2.0]
    """
    z = _arr(z, "z")
    if not (0.0 <= float(trim) < 0.5):
        raise ParameterError(f"trim must be in [0, 0.5), got {trim!r}.")
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return z.copy()
    lo, hi = np.quantile(finite, [trim, 1.0 - trim])  # numpy "linear" = R type 7
    return np.where(np.isfinite(z), np.clip(z, lo, hi), np.nan)


@dataclass(frozen=True)
class Overdispersion:
    """Result of :func:`overdispersion`.

    Attributes
    ----------
    phi : float
        Dispersion ratio :math:`\\phi` (1 = binomial/Poisson noise only).
    n_units : int
        Number of units :math:`I` with data.
    statistic : float
        :math:`I\\phi`, referred to :math:`\\chi^2_{I-1}`.
    df : int
        Degrees of freedom :math:`I - 1`.
    p_value : float
        Upper-tail probability of ``statistic``.
    overdispersed : bool
        ``p_value < alpha``.
    tau2 : float
        Additive between-unit variance :math:`\\tau^2` on the analysis scale (0 if not
        over-dispersed by the moment estimate).
    target : float
        Target in output units.
    target_transformed : float
        Target on the analysis scale.
    scale, kind : str
        Analysis scale and indicator kind.
    per : float
        Output multiplier.
    trim : float
        Winsorisation fraction.
    alpha : float
        Significance level of the test.
    """

    phi: float
    n_units: int
    statistic: float
    df: int
    p_value: float
    overdispersed: bool
    tau2: float
    target: float
    target_transformed: float
    scale: str
    kind: str
    per: float
    trim: float
    alpha: float

    @property
    def tau(self) -> float:
        """:math:`\\tau` on the analysis scale (times ``per`` on the raw scale of a rate)."""
        return float(np.sqrt(self.tau2))


def overdispersion(x, n, *, kind: str = "proportion", target=None, scale: str = "auto",
                   per: float = 1.0, trim: float = 0.1, alpha: float = 0.05) -> Overdispersion:
    r"""Test for over-dispersion and estimate the additive random-effects variance.

    Parameters
    ----------
    x, n : array_like
        Numerators and denominators of the units (authorities). Units with missing values or
        a non-positive denominator are left out.
    kind : {"proportion", "rate"}
    target : float, optional
        Target in output units; default the pooled value of the units used.
    scale : {"auto", "raw", "arcsine", "sqrt"}
        Analysis scale (see :func:`funnel_z_scores`).
    per : float, default 1
        Output multiplier.
    trim : float, default 0.1
        Winsorise z-scores at the ``trim`` and ``1 - trim`` quantiles.
    alpha : float, default 0.05
        Level of the :math:`\chi^2_{I-1}` test.

    Returns
    -------
    Overdispersion

    Raises
    ------
    ParameterError
        With fewer than two usable units, or bad options.

    Notes
    -----
    :math:`\phi = \frac1I\sum z_w^2`; :math:`\tau^2 = (I\phi - (I-1))/(\sum w - \sum w^2/\sum w)`,
    :math:`w = 1/s^2`, set to 0 when :math:`I\phi < I - 1` (Spiegelhalter 2005, *QSHC*
    14:347–351; identical to FunnelPlotR's ``phi_func``/``tau_func``). The z-scores are
    Winsorised but ``I`` counts every unit.

    Examples
    --------
    >>> od = overdispersion([10, 20, 30, 40], [100, 100, 100, 100], scale="raw")
    >>> round(od.phi, 4), od.n_units
    (4.5067, 4)
    """
    kind = _check_kind(kind)
    scale = _check_scale(scale, kind)
    per = _check_per(per)
    if not (0.0 < float(alpha) < 1.0):
        raise ParameterError(f"alpha must be between 0 and 1, got {alpha!r}.")
    z, _, s, tt = funnel_z_scores(x, n, kind=kind, target=target, scale=scale, per=per)
    use = np.isfinite(z) & np.isfinite(s)
    z, s = z[use], s[use]
    i = int(z.size)
    if i < 2:
        raise ParameterError(f"the over-dispersion test needs at least 2 units with data, got {i}.")
    zw = winsorise(z, trim=trim)
    phi = float(np.mean(zw**2))
    stat = i * phi
    df = i - 1
    p_value = float(stats.chi2.sf(stat, df))
    w = 1.0 / s**2
    if stat < df:
        tau2 = 0.0
    else:
        tau2 = max(0.0, (stat - df) / (w.sum() - (w**2).sum() / w.sum()))
    if kind == "proportion":
        tgt = (tt if scale == "raw" else float(np.sin(tt) ** 2 if scale == "arcsine" else tt)) * per
    else:
        tgt = (tt if scale == "raw" else tt**2) * per
    return Overdispersion(
        phi=phi, n_units=i, statistic=float(stat), df=df, p_value=p_value,
        overdispersed=bool(p_value < alpha), tau2=float(tau2), target=float(tgt),
        target_transformed=float(tt), scale=scale, kind=kind, per=per, trim=float(trim),
        alpha=float(alpha),
    )


def _adjusted(target, n, spread, *, kind, scale, confidence, per):
    """Normal limits on the analysis scale with standard error ``spread(s2)``, back-transformed."""
    kind = _check_kind(kind)
    scale = _check_scale(scale, kind)
    per = _check_per(per)
    _, pu = _check_confidence(confidence)
    z = float(special.ndtri(pu))
    scalar = np.ndim(target) == 0 and np.ndim(n) == 0
    t = _target_unit(_arr(target, "target") / (per if kind == "proportion" else 1.0), kind,
                     1.0 if kind == "proportion" else per)
    n = _arr(n, "n")
    t, n = np.broadcast_arrays(t, n)
    ok = np.isfinite(n) & (n > 0) & np.isfinite(t)
    nn = np.where(ok, n, 1.0)
    if scale == "raw":
        s2 = (t * (1 - t) if kind == "proportion" else t) / nn
        half = z * spread(s2)
        low, high = t - half, t + half
        cap = 1.0 if kind == "proportion" else None
        low, high = np.clip(low, 0.0, cap), np.clip(high, 0.0, cap)
    elif scale == "arcsine":
        g = np.arcsin(np.sqrt(t))
        half = z * spread(1.0 / (4.0 * nn))
        # Clip the angle to [0, pi/2] so sin^2 does not fold back inside the range.
        low = np.sin(np.clip(g - half, 0.0, np.pi / 2)) ** 2
        high = np.sin(np.clip(g + half, 0.0, np.pi / 2)) ** 2
    else:  # sqrt
        g = np.sqrt(t)
        half = z * spread(1.0 / (4.0 * nn))
        low = np.clip(g - half, 0.0, None) ** 2
        high = (g + half) ** 2
    low = np.where(ok, low * per, np.nan)
    high = np.where(ok, high * per, np.nan)
    return _out(low, high, scalar)


def random_effects_limits(target, n, tau2: float, *, kind: str = "proportion", scale: str = "auto",
                          confidence: float = 0.95, per: float = 1.0):
    r"""Over-dispersion-adjusted funnel limits by additive random effects.

    Parameters
    ----------
    target : float or array_like
        Target in output units (proportion times ``per`` or rate per ``per``).
    n : array_like
        Denominators.
    tau2 : float
        Between-unit variance on the analysis scale (``Overdispersion.tau2``).
    kind, scale, per :
        As in :func:`overdispersion` (use the same ``scale`` that produced ``tau2``).
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
        Limits in output units.

    Notes
    -----
    :math:`g^{-1}\bigl(g(\theta_0) \pm z_p\sqrt{s^2 + \tau^2}\bigr)` with :math:`g` the
    analysis-scale transform; on the arcsine scale the angle is clipped to [0, π/2].

    Examples
    --------
    >>> lo, hi = random_effects_limits(0.906354, 127, 0.01267152)
    >>> round(lo, 4), round(hi, 4)
    (0.7284, 0.9946)
    """
    tau2 = float(tau2)
    if not np.isfinite(tau2) or tau2 < 0:
        raise ParameterError(f"tau2 must be a non-negative number, got {tau2!r}.")
    return _adjusted(target, n, lambda s2: np.sqrt(s2 + tau2), kind=kind, scale=scale,
                     confidence=confidence, per=per)


def multiplicative_limits(target, n, phi: float, *, kind: str = "proportion", scale: str = "auto",
                          confidence: float = 0.95, per: float = 1.0):
    r"""Over-dispersion-adjusted funnel limits by a multiplicative factor :math:`\sqrt\phi`.

    Limits :math:`g^{-1}(g(\theta_0) \pm z_p\sqrt{\phi}\,s)` (Spiegelhalter 2005, *QSHC*).
    The additive :func:`random_effects_limits` are usually preferred: multiplicative limits
    still shrink to the target as the denominator grows, as if large authorities had no real
    differences, whereas additive limits level off at :math:`\pm z_p\tau`.

    Parameters
    ----------
    target, n, kind, scale, confidence, per :
        As in :func:`random_effects_limits`.
    phi : float
        Dispersion ratio (``Overdispersion.phi``); values below 1 are used as 1.

    Returns
    -------
    (low, high) : tuple of float or numpy.ndarray
    """
    phi = float(phi)
    if not np.isfinite(phi) or phi < 0:
        raise ParameterError(f"phi must be a non-negative number, got {phi!r}.")
    f = np.sqrt(max(phi, 1.0))
    return _adjusted(target, n, lambda s2: f * np.sqrt(s2), kind=kind, scale=scale,
                     confidence=confidence, per=per)
