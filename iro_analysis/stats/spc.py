"""Statistical process control: XmR charts with the NHS "Making Data Count" rules.

Pure functions on numbers. :func:`xmr` computes the centre line, moving ranges, process limits
and the special-cause rules used by NHS England's Making Data Count (MDC) programme and the
NHSRplotthedots R package; :func:`xmr_summary` turns the result into one line of text.

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

__all__ = ["XMR_COLUMNS", "xmr", "xmr_summary"]

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

#: Bias-correction constant 3/d2 with d2 = 1.128 for moving ranges of two (MDC uses 2.66).
MDC_CONSTANT = 2.66
#: Moving ranges at or above this multiple of the mean moving range are screened out
#: (Nelson 1982; Provost & Murray 2011; NHSRplotthedots ``screen_outliers``).
SCREEN_CONSTANT = 3.267


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
    if improvement not in (None, "up", "down"):
        raise ParameterError(f"improvement={improvement!r}: use 'up', 'down' or None.")
    for name, value in (("shift_length", shift_length), ("trend_length", trend_length)):
        if int(value) < 2:
            raise ParameterError(f"{name} must be at least 2.")
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
    # a trend point on the mean takes the direction of the trend
    variation = np.where(special, label, "common cause")

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
    special = chart.loc[chart["special_cause"]]
    if not len(special):
        return f"{text}; all {len(chart)} points show common-cause variation only."
    rules = []
    for col, name in (("outside_limits", "outside the limits"), ("shift", "in a shift"),
                      ("trend", "in a trend"), ("two_of_three", "two of three near a limit")):
        k = int(chart[col].sum())
        if k:
            rules.append(f"{k} {name}")
    return f"{text}; {len(special)} of {len(chart)} points show special-cause variation ({', '.join(rules)})."
