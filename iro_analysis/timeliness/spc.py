"""The monthly on-time percentage as SPC charts (XmR, Laney p′ or p-chart).

Thin wrappers: :func:`~iro_analysis.timeliness.metrics.monthly_timeliness` gives the monthly
series, :mod:`iro_analysis.stats.spc` the chart with the NHS Making Data Count rules; the
figures are drawn by :mod:`iro_analysis.plots.timeliness`.
"""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from .metrics import monthly_timeliness


def monthly_xmr(schedule: pd.DataFrame, year, *, basis: str = "held", months: int = 12,
                screen_outliers: bool = False, baseline: int | None = None) -> pd.DataFrame:
    """Monthly on-time percentage as an XmR chart with the Making Data Count rules.

    Parameters
    ----------
    schedule : DataFrame
        Output of :func:`review_schedule`.
    year : int or str
        Reporting year ending 31 March (the last month charted is its March).
    basis, months
        As :func:`monthly_timeliness`. Months with no reviews are left out of the chart.
    screen_outliers, baseline
        As :func:`iro_analysis.stats.spc.xmr`.

    Returns
    -------
    DataFrame
        The :func:`iro_analysis.stats.spc.xmr` columns (``x`` = month label) plus ``month``,
        ``numerator`` and ``denominator``.

    Raises
    ------
    ParameterError
        When fewer than two months have reviews.
    """
    from ..stats.spc import xmr

    monthly = monthly_timeliness(schedule, year, basis=basis, months=months)
    monthly = monthly.loc[monthly["denominator"] > 0].reset_index(drop=True)
    if len(monthly) < 2:
        raise ParameterError("fewer than two months have reviews: there is nothing to chart.")
    chart = xmr(monthly["percent"].to_numpy(), x=monthly["month_label"].to_numpy(), improvement="up",
                screen_outliers=screen_outliers, baseline=baseline)
    chart.insert(1, "month", monthly["month"].to_numpy())
    chart["numerator"] = monthly["numerator"].to_numpy()
    chart["denominator"] = monthly["denominator"].to_numpy()
    return chart


def monthly_pchart(schedule: pd.DataFrame, year, *, laney: bool = True, basis: str = "held", months: int = 12,
                   baseline: int | None = None, screen_outliers: bool = False) -> pd.DataFrame:
    """Monthly on-time percentage as a Laney p′ chart (or p-chart) with the Making Data Count rules.

    Unlike :func:`monthly_xmr`, the limits of each month follow its number of reviews: a month
    with few reviews gets wider limits, so a low figure from a handful of reviews is not
    mistaken for a change.

    Parameters
    ----------
    schedule : DataFrame
        Output of :func:`review_schedule`.
    year : int or str
        Reporting year ending 31 March (the last month charted is its March).
    laney : bool, default True
        Laney's p′ chart, which widens the binomial limits by the month-to-month variation
        actually seen (``sigma_z``); ``False`` gives the classical p-chart.
    basis, months
        As :func:`monthly_timeliness`. Months with no reviews are left out of the chart.
    baseline, screen_outliers
        As :func:`iro_analysis.stats.spc.pchart`.

    Returns
    -------
    DataFrame
        The :func:`iro_analysis.stats.spc.pchart` columns on the percentage scale (``x`` =
        month label, ``value``/``mean``/limits in %, ``numerator`` = reviews on time,
        ``denominator`` = reviews held or due) plus ``month`` (first day, Timestamp).

    Raises
    ------
    ParameterError
        When fewer than two months have reviews.

    Notes
    -----
    ``p̄ = Σ on time / Σ reviews``, limits ``p̄ ± 3σ_tσ_z`` with ``σ_t = √(p̄(1 − p̄)/n_t)``
    and ``σ_z = mean|Δz|/1.128`` (1 for the p-chart); methods note §4.2.

    Examples
    --------
    >>> sched = pd.DataFrame({"CHILD": ["A", "B", "C"], "status": ["on_time", "late", "on_time"],
    ...     "review_date": pd.to_datetime(["2022-04-05", "2022-04-20", "2022-05-03"]),
    ...     "due_date": pd.to_datetime(["2022-04-10", "2022-04-10", "2022-05-09"]),
    ...     "on_time": [True, False, True]})
    >>> chart = monthly_pchart(sched, 2023, laney=False)
    >>> chart[["x", "numerator", "denominator", "value"]].to_numpy().tolist()
    [['Apr 2022', 1, 2, 50.0], ['May 2022', 1, 1, 100.0]]
    """
    from ..stats.spc import pchart

    monthly = monthly_timeliness(schedule, year, basis=basis, months=months)
    monthly = monthly.loc[monthly["denominator"] > 0].reset_index(drop=True)
    if len(monthly) < 2:
        raise ParameterError("fewer than two months have reviews: there is nothing to chart.")
    chart = pchart(monthly["numerator"].to_numpy(), monthly["denominator"].to_numpy(),
                   x=monthly["month_label"].to_numpy(), laney=laney, baseline=baseline,
                   screen_outliers=screen_outliers, improvement="up", scale=100.0)
    chart.insert(1, "month", monthly["month"].to_numpy())
    return chart
