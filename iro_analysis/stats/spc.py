"""Statistical process control: XmR charts with the NHS "Making Data Count" rules.

Pure functions on numbers. :func:`xmr` computes the centre line, moving ranges, process limits
and the special-cause rules used by NHS England's Making Data Count (MDC) programme and the
NHSRplotthedots R package; :func:`xmr_summary` turns the result into one line of text.
:func:`pchart` charts proportions whose denominators vary (e.g. the share of reviews held on
time each month, n = reviews held that month) as a p-chart or a Laney p′ chart with the same
rules against limits that vary point by point; :func:`pchart_summary` describes it.

Rules (methods note §4.2; NHSRplotthedots ``R/ptd_calculate_point_type.R``):

1. a point outside the process limits ``mean ± 2.66 × mean moving range``;
2. shift: ``shift_length`` (default 7) or more consecutive points on the same side of the mean
   (a point on the mean breaks the run); every point of the run is flagged;
3. trend: ``trend_length`` (default 7) or more consecutive points each higher (or each lower)
   than the previous (a tie breaks it); every point of the run is flagged;
4. two of three: 2 of 3 consecutive points beyond 2σ (``mean ± (2/3)·2.66·mR̄``) on the same
   side with all three on that side; the points beyond 2σ are flagged. Points beyond the
   process limits count too (MDC's late-2023 change; ``two_of_three_includes_outside=False``
   gives the earlier reading).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError

__all__ = ["XMR_COLUMNS", "PCHART_COLUMNS", "xmr", "xmr_summary", "pchart", "pchart_summary"]

#: Columns of :func:`xmr`, in order.
XMR_COLUMNS = (
    "x",
    "value",
    "mean",
    "moving_range",
    "mr_mean",
    "upl",
    "lpl",
    "upper_2sigma",
    "lower_2sigma",
    "in_baseline",
    "relative_to_mean",
    "outside_limits",
    "shift",
    "trend",
    "two_of_three",
    "special_cause",
    "variation",
)

#: Columns of :func:`pchart`, in order.
PCHART_COLUMNS = (
    "x",
    "numerator",
    "denominator",
    "value",
    "mean",
    "sigma",
    "z",
    "sigma_z",
    "upl",
    "lpl",
    "upper_2sigma",
    "lower_2sigma",
    "in_baseline",
    "relative_to_mean",
    "outside_limits",
    "shift",
    "trend",
    "two_of_three",
    "special_cause",
    "variation",
    "chart_type",
)

#: Bias-correction constant 3/d2 with d2 = 1.128 for moving ranges of two (MDC uses 2.66).
MDC_CONSTANT = 2.66
#: Moving ranges at or above this multiple of the mean moving range are screened out
#: (Nelson 1982; Provost & Murray 2011; NHSRplotthedots ``screen_outliers``).
SCREEN_CONSTANT = 3.267
#: d2 for moving ranges of two: σ̂ = mean moving range / 1.128 (Laney 2002).
D2 = 1.128


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Mark every element of each run of True values at least ``length`` long."""
    n = len(flags)
    out = np.zeros(n, dtype=bool)
    i = 0
    while i < n:
        if flags[i]:
            j = i
            while j + 1 < n and flags[j + 1]:
                j += 1
            if j - i + 1 >= length:
                out[i : j + 1] = True
            i = j + 1
        else:
            i += 1
    return out


def _trend(values: np.ndarray, length: int) -> np.ndarray:
    """Points in a run of ``length`` or more strictly increasing (or decreasing) values."""
    n = len(values)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    diff = np.sign(np.diff(values))
    for sign in (1, -1):
        steps = diff == sign
        # a run of k successive differences covers k + 1 points
        run = _runs(steps, length - 1)
        idx = np.flatnonzero(run)
        out[idx] = True
        out[idx + 1] = True
    return out


def _two_of_three(side: np.ndarray, beyond: np.ndarray) -> np.ndarray:
    """Points beyond 2σ that sit in a window of 3 with ≥ 2 beyond 2σ on one side, all 3 on it."""
    n = len(side)
    out = np.zeros(n, dtype=bool)
    for start in range(max(0, n - 2)):
        window = slice(start, start + 3)
        for sgn in (1, -1):
            if np.all(side[window] == sgn) and np.sum(beyond[window] & (side[window] == sgn)) >= 2:
                out[window] |= beyond[window] & (side[window] == sgn)
    return out


def _special_causes(y, mean, upl, lpl, up2, lo2, *, shift_length, trend_length, improvement,
                    two_of_three_includes_outside):
    """The four Making Data Count rules for values ``y`` against a centre line and limits.

    ``mean``, the process limits and the 2σ band may be scalars (XmR) or arrays (p-charts,
    whose limits vary with the denominator). Returns ``side, outside, shift, trend,
    two_of_three, special, variation``.
    """
    side = np.sign(y - mean).astype(int)
    outside = (y > upl) | (y < lpl)
    shift = _runs(side == 1, int(shift_length)) | _runs(side == -1, int(shift_length))
    trend = _trend(y, int(trend_length))
    beyond = (y > up2) | (y < lo2)
    if not two_of_three_includes_outside:
        beyond = beyond & ~outside
    two3 = _two_of_three(side, beyond)
    special = outside | shift | trend | two3

    if improvement is None:
        label = np.where(side >= 0, "special cause: high", "special cause: low")
    else:
        good = side == (1 if improvement == "up" else -1)
        label = np.where(good, "special cause: improvement", "special cause: concern")
    variation = np.where(special, label, "common cause")
    return side, outside, shift, trend, two3, special, variation


def _check_rule_options(improvement, shift_length, trend_length) -> None:
    if improvement not in (None, "up", "down"):
        raise ParameterError(f"improvement={improvement!r}: use 'up', 'down' or None.")
    for name, value in (("shift_length", shift_length), ("trend_length", trend_length)):
        if int(value) < 2:
            raise ParameterError(f"{name} must be at least 2.")


# 128 lines, 56 of them the docstring (parameters, method, worked examples): 57 lines of code.
def xmr(
    values,
    *,
    x=None,
    baseline: int | None = None,
    screen_outliers: bool = False,
    shift_length: int = 7,
    trend_length: int = 7,
    improvement: str | None = None,
    two_of_three_includes_outside: bool = True,
    constant: float = MDC_CONSTANT,
) -> pd.DataFrame:
    """XmR (individuals and moving range) chart with the Making Data Count rules.

    Parameters
    ----------
    values : array_like or Series
        The measure in time order (e.g. monthly percentage of reviews on time). NaN values
        are not allowed (leave empty months out or fill them deliberately).
    x : array_like, optional
        Labels of the points (months); defaults to the Series index or 1..n.
    baseline : int, optional
        Compute the mean and limits from the first ``baseline`` points only ("fixed" limits,
        then applied to every point). Default: all points. NHSRplotthedots warns that limits
        from fewer than 12 points are trial limits.
    screen_outliers : bool, default False
        Drop moving ranges of at least ``3.267 × mR̄`` and recompute ``mR̄`` once
        (NHSRplotthedots' default). The MDC Excel tools do not screen, hence the default here.
    shift_length, trend_length : int, default 7
        Run lengths for the shift and trend rules (MDC uses 7; its Excel tool allows 6).
    improvement : {"up", "down", None}
        Direction of improvement, to label special causes as improvement or concern.
    two_of_three_includes_outside : bool, default True
        Count points beyond the process limits in the two-of-three rule (MDC since 2023).
    constant : float, default 2.66
        Multiplier of ``mR̄`` for the process limits (3/1.128 = 2.6596 in some tools).

    Returns
    -------
    DataFrame
        One row per point: ``x, value, mean, moving_range`` (NaN for the first point),
        ``mr_mean, upl, lpl, upper_2sigma, lower_2sigma, in_baseline, relative_to_mean`` (+1
        above, -1 below, 0 on the mean), ``outside_limits, shift, trend, two_of_three,
        special_cause`` (bools) and ``variation`` ("common cause", "special cause:
        improvement", "special cause: concern", or "special cause: high"/"low" when no
        direction is given).

    Raises
    ------
    ParameterError
        Fewer than 2 points, NaN values, a baseline outside 2..n, or an unknown direction.

    Notes
    -----
    ``mean = ȳ``, ``mR_t = |y_t − y_{t−1}|``, ``mR̄ = mean(mR)``, limits ``ȳ ± 2.66·mR̄``,
    2σ band ``ȳ ± (2/3)·2.66·mR̄`` (NHS England, *Making Data Count*, 2019; methods note §4.2).

    Examples
    --------
    Methods note case S1 (NHSRplotthedots vignette, MDC Excel limits 6.95 / -3.06):

    >>> y = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    >>> c = xmr(y)
    >>> [round(float(c[k][0]), 4) for k in ("mean", "mr_mean", "upl", "lpl")]
    [1.9444, 1.8824, 6.9515, -3.0626]
    >>> round(float(xmr(y, screen_outliers=True)["upl"][0]), 4)
    4.6044
    """
    if isinstance(values, pd.Series):
        labels = values.index.to_numpy() if x is None else np.asarray(x)
        y = values.to_numpy(dtype=float)
    else:
        y = np.asarray(values, dtype=float)
        labels = np.arange(1, len(y) + 1) if x is None else np.asarray(x)
    n = len(y)
    if n < 2:
        raise ParameterError("an XmR chart needs at least 2 points.")
    if np.isnan(y).any():
        raise ParameterError(
            "values contain NaN (a month with no reviews?): drop those points or fill them before charting."
        )
    if len(labels) != n:
        raise ParameterError(f"x has {len(labels)} labels for {n} values.")
    _check_rule_options(improvement, shift_length, trend_length)
    base = n if baseline is None else int(baseline)
    if not 2 <= base <= n:
        raise ParameterError(f"baseline={baseline!r} must be between 2 and the number of points ({n}).")

    mr = np.r_[np.nan, np.abs(np.diff(y))]
    yb = y[:base]
    mrb = np.abs(np.diff(yb))
    mean = float(yb.mean())
    mr_mean = float(mrb.mean())
    if screen_outliers:
        kept = mrb[mrb < SCREEN_CONSTANT * mr_mean]
        if len(kept):
            mr_mean = float(kept.mean())
    upl = mean + constant * mr_mean
    lpl = mean - constant * mr_mean
    up2 = mean + (2 / 3) * constant * mr_mean
    lo2 = mean - (2 / 3) * constant * mr_mean

    side, outside, shift, trend, two3, special, variation = _special_causes(
        y, mean, upl, lpl, up2, lo2, shift_length=shift_length, trend_length=trend_length,
        improvement=improvement, two_of_three_includes_outside=two_of_three_includes_outside,
    )

    return pd.DataFrame(
        {
            "x": labels,
            "value": y,
            "mean": mean,
            "moving_range": mr,
            "mr_mean": mr_mean,
            "upl": upl,
            "lpl": lpl,
            "upper_2sigma": up2,
            "lower_2sigma": lo2,
            "in_baseline": np.arange(n) < base,
            "relative_to_mean": side,
            "outside_limits": outside,
            "shift": shift,
            "trend": trend,
            "two_of_three": two3,
            "special_cause": special,
            "variation": variation,
        }
    )


def xmr_summary(chart: pd.DataFrame, *, unit: str = "", decimals: int = 1) -> str:
    """One sentence describing an :func:`xmr` result for a report or alt text.

    Examples
    --------
    >>> xmr_summary(xmr([90, 92, 91, 93, 90, 92]), unit="%")
    'Mean 91.3%, process limits 86.0% to 96.7%; all 6 points show common-cause variation only.'
    """
    if not len(chart):
        return "No points to chart."
    m, u, l = chart["mean"].iloc[0], chart["upl"].iloc[0], chart["lpl"].iloc[0]
    text = f"Mean {m:.{decimals}f}{unit}, process limits {l:.{decimals}f}{unit} to {u:.{decimals}f}{unit}"
    return f"{text}; {_rules_text(chart)}."


def _rules_text(chart: pd.DataFrame) -> str:
    """"all n points show common-cause variation only" or the count of special causes by rule."""
    special = chart.loc[chart["special_cause"]]
    if not len(special):
        return f"all {len(chart)} points show common-cause variation only"
    rules = []
    for col, name in (("outside_limits", "outside the limits"), ("shift", "in a shift"),
                      ("trend", "in a trend"), ("two_of_three", "two of three near a limit")):
        k = int(chart[col].sum())
        if k:
            rules.append(f"{k} {name}")
    return f"{len(special)} of {len(chart)} points show special-cause variation ({', '.join(rules)})"


def _as_counts(values, name: str):
    """Float array and index labels (when a Series) of a numerator or denominator argument."""
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=float), values.index.to_numpy()
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be numbers (counts), one per point.") from None
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional, one count per point.")
    return arr, None


def _whole(values: np.ndarray) -> np.ndarray:
    """Counts as int64 when they are whole numbers (the usual case), else unchanged."""
    return values.astype(np.int64) if np.array_equal(values, np.round(values)) else values


# 137 lines, 76 of them the docstring (parameters, method, worked examples): 46 lines of code.
def pchart(
    numerators,
    denominators,
    *,
    x=None,
    laney: bool = False,
    baseline: int | None = None,
    screen_outliers: bool = False,
    shift_length: int = 7,
    trend_length: int = 7,
    improvement: str | None = None,
    two_of_three_includes_outside: bool = True,
    scale: float = 1.0,
) -> pd.DataFrame:
    """p-chart or Laney p′ chart of proportions with varying denominators, with the MDC rules.

    Parameters
    ----------
    numerators, denominators : array_like or Series
        Counts per point in time order: e.g. reviews held on time and reviews held in each
        month. Every denominator must be positive (leave months with no reviews out) and
        ``0 <= numerator <= denominator``.
    x : array_like, optional
        Labels of the points; defaults to the numerators' Series index or 1..n.
    laney : bool, default False
        Draw Laney's p′ chart: widen (or narrow) the binomial limits by ``σ_z``, the
        point-to-point variation of the standardised values, so that variation between months
        beyond binomial noise (over-dispersion, common when denominators are large) is not
        flagged as special cause. ``False`` gives the classical p-chart (``σ_z = 1``).
    baseline : int, optional
        Compute the centre line (and ``σ_z``) from the first ``baseline`` points only and
        apply them to every point. Default: all points.
    screen_outliers : bool, default False
        Laney only: drop moving ranges of z at least ``3.267 ×`` their mean and recompute the
        mean once (as :func:`xmr`).
    shift_length, trend_length, improvement, two_of_three_includes_outside
        As :func:`xmr`. The shift rule compares each point with the centre line, the trend
        rule compares successive proportions, and the two-of-three rule uses each point's
        own 2σ band.
    scale : float, default 1
        Multiply proportions, centre line, σ and limits by this (100 for percentages). The
        rules are applied before scaling, so the result does not depend on it.

    Returns
    -------
    DataFrame
        One row per point: ``x, numerator, denominator`` (int64 when whole numbers),
        ``value`` (``scale × x/n``), ``mean``
        (``scale × p̄``), ``sigma`` (binomial ``scale × σ_t``), ``z`` (standardised value,
        ±inf when ``σ_t = 0`` and the point differs from p̄), ``sigma_z`` (1 for a p-chart),
        ``upl, lpl, upper_2sigma, lower_2sigma`` (per point, clipped to ``[0, scale]``),
        ``in_baseline, relative_to_mean`` (+1/-1/0), ``outside_limits, shift, trend,
        two_of_three, special_cause`` (bools), ``variation`` (as :func:`xmr`) and
        ``chart_type`` (``"p"`` or ``"p'"``).

    Raises
    ------
    ParameterError
        Fewer than 2 points, lengths that differ, NaN or infinite counts, a denominator not
        above 0, a numerator outside ``0..denominator``, a baseline outside 2..n, or an
        unknown direction.

    Notes
    -----
    p-chart (Shewhart; Montgomery, *Introduction to Statistical Quality Control*, ch. 7):
    ``p_t = x_t / n_t``, ``p̄ = Σx / Σn`` over the baseline, ``σ_t = √(p̄(1 − p̄)/n_t)``,
    limits ``p̄ ± 3σ_t``, 2σ band ``p̄ ± 2σ_t``. Limits widen as ``n_t`` falls.

    Laney p′ chart (Laney, "Improved control charts for attributes", *Quality Engineering*
    14(4):531–537, 2002): ``z_t = (p_t − p̄)/σ_t``, ``σ_z = mean|z_t − z_{t−1}| / 1.128``
    (an XmR estimate of the spread of z, over the baseline), limits ``p̄ ± 3σ_tσ_z``, 2σ band
    ``p̄ ± 2σ_tσ_z``. ``σ_z = 1`` gives the p-chart; ``σ_z > 1`` signals over-dispersion
    (the p-chart would over-flag), ``σ_z < 1`` under-dispersion. Methods note §4.2.

    Limits are clipped to [0, 1] because a proportion cannot leave that range; a point at 0
    or 1 therefore never lies outside a clipped limit.

    Examples
    --------
    Methods note case S4:

    >>> x = [40, 45, 38, 50, 42, 47, 44, 39, 48, 46, 41, 49]
    >>> n = [45, 50, 44, 55, 46, 52, 49, 45, 52, 50, 47, 53]
    >>> p = pchart(x, n)
    >>> round(float(p["mean"][0]), 6), round(float(p["lpl"][0]), 6), float(p["upl"][0])
    (0.89966, 0.765293, 1.0)
    >>> pp = pchart(x, n, laney=True)
    >>> [round(float(pp[k][0]), 6) for k in ("sigma_z", "lpl", "upl")]
    [0.55593, 0.824961, 0.974358]
    """
    num, den, labels = _pchart_points(numerators, denominators, x)
    k = len(num)
    _check_rule_options(improvement, shift_length, trend_length)
    base = k if baseline is None else int(baseline)
    if not 2 <= base <= k:
        raise ParameterError(f"baseline={baseline!r} must be between 2 and the number of points ({k}).")
    scale = float(scale)
    if not (np.isfinite(scale) and scale > 0):
        raise ParameterError(f"scale={scale!r} must be a positive number (1 or 100).")

    p = num / den
    pbar = float(num[:base].sum() / den[:base].sum())
    sigma, z, sigma_z = _standardised(p, pbar, den, base, laney=laney, screen_outliers=screen_outliers)
    width = sigma * sigma_z
    upl = np.minimum(pbar + 3 * width, 1.0)
    lpl = np.maximum(pbar - 3 * width, 0.0)
    up2 = np.minimum(pbar + 2 * width, 1.0)
    lo2 = np.maximum(pbar - 2 * width, 0.0)
    side, outside, shift, trend, two3, special, variation = _special_causes(
        p, pbar, upl, lpl, up2, lo2, shift_length=shift_length, trend_length=trend_length,
        improvement=improvement, two_of_three_includes_outside=two_of_three_includes_outside,
    )
    return pd.DataFrame(
        {
            "x": labels,
            "numerator": _whole(num),
            "denominator": _whole(den),
            "value": scale * p,
            "mean": scale * pbar,
            "sigma": scale * sigma,
            "z": z,
            "sigma_z": sigma_z,
            "upl": scale * upl,
            "lpl": scale * lpl,
            "upper_2sigma": scale * up2,
            "lower_2sigma": scale * lo2,
            "in_baseline": np.arange(k) < base,
            "relative_to_mean": side,
            "outside_limits": outside,
            "shift": shift,
            "trend": trend,
            "two_of_three": two3,
            "special_cause": special,
            "variation": variation,
            "chart_type": "p'" if laney else "p",
        }
    )


def _pchart_points(numerators, denominators, x) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked counts and labels of a p-chart's points (see :func:`pchart` for the rules)."""
    num, index = _as_counts(numerators, "numerators")
    den, _ = _as_counts(denominators, "denominators")
    k = len(num)
    if len(den) != k:
        raise ParameterError(f"{k} numerators but {len(den)} denominators: give one of each per point.")
    if k < 2:
        raise ParameterError("a p-chart needs at least 2 points.")
    if not (np.isfinite(num).all() and np.isfinite(den).all()):
        raise ParameterError("numerators or denominators contain NaN or infinite values: give counts.")
    if (den <= 0).any():
        first = int(np.flatnonzero(den <= 0)[0]) + 1
        raise ParameterError(
            f"denominator of point {first} is not above 0: leave points with no cases out of a p-chart."
        )
    if ((num < 0) | (num > den)).any():
        first = int(np.flatnonzero((num < 0) | (num > den))[0]) + 1
        raise ParameterError(f"numerator of point {first} is outside 0..denominator.")
    if x is not None:
        labels = np.asarray(x)
    elif index is not None:
        labels = index
    else:
        labels = np.arange(1, k + 1)
    if len(labels) != k:
        raise ParameterError(f"x has {len(labels)} labels for {k} points.")
    return num, den, labels


def _standardised(p, pbar: float, den, base: int, *, laney: bool, screen_outliers: bool):
    """Binomial σ_t per point, the standardised values z_t and Laney's σ_z (1 for a p-chart).

    Returns
    -------
    sigma : ndarray
        ``√(p̄(1 − p̄)/n_t)``.
    z : ndarray
        ``(p_t − p̄)/σ_t``; ±inf when ``σ_t = 0`` and the point differs from p̄.
    sigma_z : float
        ``mean|z_t − z_{t−1}| / 1.128`` over the baseline for Laney's p′ chart, else 1.
    """
    sigma = np.sqrt(pbar * (1 - pbar) / den)
    diff = p - pbar
    with np.errstate(divide="ignore", invalid="ignore"):
        # σ_t = 0 only when p̄ is 0 or 1: a point equal to p̄ is then 0 SDs away, any other is infinitely far
        off_centre = np.where(diff == 0, 0.0, np.sign(diff) * np.inf)
        z = np.where(sigma > 0, diff / np.where(sigma > 0, sigma, 1.0), off_centre)
    if not laney:
        return sigma, z, 1.0
    mr = np.abs(np.diff(z[:base]))
    mr_mean = float(mr.mean())
    if screen_outliers:
        kept = mr[mr < SCREEN_CONSTANT * mr_mean]
        if len(kept):
            mr_mean = float(kept.mean())
    return sigma, z, mr_mean / D2


def pchart_summary(chart: pd.DataFrame, *, unit: str = "", decimals: int = 1) -> str:
    """One sentence describing a :func:`pchart` result for a report or alt text.

    Examples
    --------
    >>> print(pchart_summary(pchart([9, 18, 27], [10, 20, 30], scale=100), unit="%"))  # doctest: +NORMALIZE_WHITESPACE
    p-chart: centre line 90.0%; process limits vary with the denominator, 61.5% to 100.0% at n = 10
    and 73.6% to 100.0% at n = 30; all 3 points show common-cause variation only.
    """
    if not len(chart):
        return "No points to chart."
    kind = "Laney p′ chart" if str(chart["chart_type"].iloc[0]) == "p'" else "p-chart"
    d, u = decimals, unit
    smallest = chart["denominator"].to_numpy().argmin()
    largest = chart["denominator"].to_numpy().argmax()
    lo, hi = chart.iloc[smallest], chart.iloc[largest]
    text = (
        f"{kind}: centre line {chart['mean'].iloc[0]:.{d}f}{u}; process limits vary with the denominator, "
        f"{lo['lpl']:.{d}f}{u} to {lo['upl']:.{d}f}{u} at n = {lo['denominator']:g} and "
        f"{hi['lpl']:.{d}f}{u} to {hi['upl']:.{d}f}{u} at n = {hi['denominator']:g}"
    )
    if kind != "p-chart":
        text += f"; σz {chart['sigma_z'].iloc[0]:.2f}"
    return f"{text}; {_rules_text(chart)}."
