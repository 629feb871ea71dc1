"""Charts for review timeliness: the monthly XmR and p′ charts and the three headline metrics.

Each function takes the table it draws and ``ax=None``, returns the Axes, puts the finding in
the title and has a companion ``*_alt_text`` function (chart type, main message, numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .core import PALETTE, get_ax, require_columns

__all__ = ["xmr_chart", "xmr_chart_alt_text", "pchart_chart", "pchart_chart_alt_text", "timeliness_bars",
           "timeliness_bars_alt_text"]

_METRIC_LABELS = {
    "reviews_held": "Reviews held on time",
    "reviews_due": "Due dates met on time",
    "children": "Children with every due review on time",
}


def _check(frame, columns, what):
    require_columns(frame, columns, what, made_by="iro_analysis.timeliness")


def _xmr_finding(chart: pd.DataFrame, measure: str, unit: str = "%") -> str:
    special = chart.loc[chart["special_cause"]]
    if not len(special):
        return f"{measure}: common-cause variation only, around {chart['mean'].iloc[0]:.1f}{unit}"
    last = special.iloc[-1]
    kind = str(last["variation"]).replace("special cause: ", "")
    if kind in ("improvement", "concern"):
        return f"{measure}: special-cause {kind} (latest in {last['x']})"
    return f"{measure}: special-cause variation ({kind}, latest in {last['x']})"


def xmr_chart(chart: pd.DataFrame, *, ax=None, title: str | None = None,
              ylabel: str = "% of reviews held on time", measure: str = "Review timeliness"):
    """Plot an XmR chart from :func:`iro_analysis.stats.spc.xmr`.

    Parameters
    ----------
    chart : DataFrame
        Output of :func:`iro_analysis.stats.spc.xmr` (``x`` = month labels).
    ax : matplotlib Axes, optional
    title : str, optional
        Defaults to a sentence stating the finding (common cause or special cause).
    ylabel, measure : str
        Axis label and the name of the measure used in the title.

    Returns
    -------
    matplotlib Axes
        Points coloured by variation (grey common cause, blue improvement or high, orange
        concern or low, with distinct markers so colour is not needed), the mean (solid),
        process limits (dashed).
    """
    _check(chart, ["x", "value", "mean", "upl", "lpl", "special_cause", "variation"], "chart")
    ax = get_ax(ax, figsize=(9, 4.5))
    pos = np.arange(len(chart))
    _draw_points(ax, pos, chart)
    ax.plot(pos, chart["mean"], color="#000000", linewidth=1, label="Mean")
    ax.plot(pos, chart["upl"], color="#000000", linestyle="--", linewidth=1, label="Process limits")
    ax.plot(pos, chart["lpl"], color="#000000", linestyle="--", linewidth=1)
    ax.set_xticks(pos)
    ax.set_xticklabels([str(v) for v in chart["x"]], rotation=45, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title(title or _xmr_finding(chart, measure))
    ax.legend(loc="best", fontsize="small", frameon=False)
    return ax


def _draw_points(ax, pos, chart: pd.DataFrame) -> None:
    """The line of values and its points, coloured and shaped by variation."""
    ax.plot(pos, chart["value"], color="#7f7f7f", linewidth=1.2, zorder=1)
    styles = {
        "common cause": ("#7f7f7f", "o"),
        "special cause: improvement": (PALETTE[0], "^"),
        "special cause: high": (PALETTE[0], "^"),
        "special cause: concern": (PALETTE[1], "v"),
        "special cause: low": (PALETTE[1], "v"),
    }
    for variation, (colour, marker) in styles.items():
        sel = chart["variation"].eq(variation).to_numpy()
        if sel.any():
            ax.scatter(pos[sel], chart["value"].to_numpy()[sel], color=colour, marker=marker, s=40,
                       zorder=2, label=variation.capitalize())


def xmr_chart_alt_text(chart: pd.DataFrame, *, measure: str = "Review timeliness") -> str:
    """Text alternative for :func:`xmr_chart`.

    Examples
    --------
    >>> from iro_analysis.stats.spc import xmr
    >>> xmr_chart_alt_text(xmr([90, 92, 91, 93, 90, 92], x=list("ABCDEF")))[:60]
    'Statistical process control (XmR) chart of Review timeliness'
    """
    _check(chart, ["x", "value", "mean", "upl", "lpl", "special_cause"], "chart")
    first, last = chart["x"].iloc[0], chart["x"].iloc[-1]
    text = (
        f"Statistical process control (XmR) chart of {measure} for {len(chart)} points from {first} to {last}. "
        f"Mean {chart['mean'].iloc[0]:.1f}, process limits {chart['lpl'].iloc[0]:.1f} to {chart['upl'].iloc[0]:.1f}; "
        f"values range from {chart['value'].min():.1f} to {chart['value'].max():.1f}."
    )
    return text + _special_points_text(chart)


def _special_points_text(chart: pd.DataFrame, unit: str = "") -> str:
    special = chart.loc[chart["special_cause"]]
    if not len(special):
        return " No point shows special-cause variation."
    return f" {len(special)} points show special-cause variation: " + ", ".join(
        f"{row.x} ({row.value:.1f}{unit}, {str(row.variation).replace('special cause: ', '')})"
        for row in special.itertuples()
    ) + "."


_PCHART_COLUMNS = ["x", "value", "mean", "upl", "lpl", "denominator", "sigma_z", "chart_type", "special_cause",
                   "variation"]


def _pchart_kind(chart: pd.DataFrame) -> str:
    return "Laney p′ chart" if str(chart["chart_type"].iloc[0]) == "p'" else "p-chart"


def pchart_chart(chart: pd.DataFrame, *, ax=None, title: str | None = None,
                 ylabel: str = "% of reviews held on time", measure: str = "Review timeliness", unit: str = "%"):
    """Plot a p-chart or Laney p′ chart from :func:`iro_analysis.stats.spc.pchart`.

    Parameters
    ----------
    chart : DataFrame
        Output of :func:`iro_analysis.stats.spc.pchart` or
        :func:`iro_analysis.timeliness.monthly_pchart` (``x`` = month labels).
    ax : matplotlib Axes, optional
    title : str, optional
        Defaults to a sentence stating the finding (common cause or special cause).
    ylabel, measure : str
        Axis label and the name of the measure used in the title.
    unit : str, default "%"
        Unit of ``value`` shown in the title ("" for proportions on the 0–1 scale).

    Returns
    -------
    matplotlib Axes
        Points coloured and shaped by variation as in :func:`xmr_chart`, the centre line
        (solid) and the process limits as steps (dashed), wider in months with fewer reviews;
        the x tick labels show each month's denominator (``n``).
    """
    _check(chart, _PCHART_COLUMNS, "chart")
    if not len(chart):
        raise ParameterError("chart has no points to plot.")
    ax = get_ax(ax, figsize=(9, 4.5))
    pos = np.arange(len(chart))
    _draw_points(ax, pos, chart)
    ax.plot(pos, chart["mean"], color="#000000", linewidth=1, label="Centre line")
    kind = _pchart_kind(chart)
    label = "Process limits" if kind == "p-chart" else f"Process limits (σz {chart['sigma_z'].iloc[0]:.2f})"
    ax.step(pos, chart["upl"], where="mid", color="#000000", linestyle="--", linewidth=1, label=label)
    ax.step(pos, chart["lpl"], where="mid", color="#000000", linestyle="--", linewidth=1)
    ax.set_xticks(pos)
    ax.set_xticklabels([f"{v}\nn={d:g}" for v, d in zip(chart["x"], chart["denominator"])], rotation=45,
                       ha="right", fontsize="small")
    ax.set_ylabel(ylabel)
    ax.set_title(title or f"{_xmr_finding(chart, measure, unit)} ({kind})")
    ax.legend(loc="best", fontsize="small", frameon=False)
    return ax


def pchart_chart_alt_text(chart: pd.DataFrame, *, measure: str = "Review timeliness", unit: str = "%") -> str:
    """Text alternative for :func:`pchart_chart`.

    Examples
    --------
    >>> from iro_analysis.stats.spc import pchart
    >>> pchart_chart_alt_text(pchart([9, 18, 27], [10, 20, 30], x=list("ABC"), scale=100))[:73]
    'Statistical process control chart (p-chart) of Review timeliness for 3 po'
    """
    _check(chart, _PCHART_COLUMNS, "chart")
    if not len(chart):
        return f"Statistical process control chart of {measure}: no points."
    kind = _pchart_kind(chart)
    den = chart["denominator"].to_numpy()
    lo, hi = chart.iloc[int(den.argmin())], chart.iloc[int(den.argmax())]
    u = unit
    text = (
        f"Statistical process control chart ({kind}) of {measure} for {len(chart)} points from "
        f"{chart['x'].iloc[0]} to {chart['x'].iloc[-1]}, each based on {den.min():g} to {den.max():g} cases. "
        f"Centre line {chart['mean'].iloc[0]:.1f}{u}; the process limits are wider where there are fewer cases: "
        f"{lo['lpl']:.1f}{u} to {lo['upl']:.1f}{u} at n = {lo['denominator']:g}, "
        f"{hi['lpl']:.1f}{u} to {hi['upl']:.1f}{u} at n = {hi['denominator']:g}."
    )
    if kind != "p-chart":
        sz = float(chart["sigma_z"].iloc[0])
        effect = "widened" if sz > 1 else "narrowed" if sz < 1 else "unchanged"
        text += (
            f" The limits are scaled by σz = {sz:.2f}: months vary {sz:.2f} times as much as chance alone "
            f"would give for these numbers, so the limits are {effect} accordingly."
        )
    text += (
        f" Values range from {chart['value'].min():.1f}{u} to {chart['value'].max():.1f}{u}."
        + _special_points_text(chart, u)
    )
    return text


def timeliness_bars(summary: pd.DataFrame, *, ax=None, title: str | None = None, target: float | None = None):
    """Horizontal bars of the three timeliness metrics with their 95% intervals.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`iro_analysis.timeliness.timeliness_summary`.
    ax : matplotlib Axes, optional
    title : str, optional
        Defaults to a sentence stating the headline figure.
    target : float, optional
        A reference line (e.g. a local target of 95%).

    Returns
    -------
    matplotlib Axes
    """
    _check(summary, ["metric", "numerator", "denominator", "percent", "ci_low", "ci_high"], "summary")
    ax = get_ax(ax, figsize=(8, 3.2))
    data = summary.reset_index(drop=True)
    pos = np.arange(len(data))[::-1]
    pct = data["percent"].to_numpy(dtype=float)
    err = np.vstack([pct - data["ci_low"].to_numpy(dtype=float), data["ci_high"].to_numpy(dtype=float) - pct])
    ax.barh(pos, np.nan_to_num(pct), color=PALETTE[0], height=0.6)
    shown = np.isfinite(pct)
    ax.errorbar(pct[shown], pos[shown], xerr=err[:, shown], fmt="none", ecolor="#000000", capsize=4, linewidth=1)
    for p, v, r in zip(pos, pct, data.itertuples()):
        if np.isfinite(v):
            ax.text(2, p, f"{v:.1f}% ({_count(r.numerator)} of {_count(r.denominator)})", va="center",
                    color="white", fontsize="small", fontweight="bold")
        elif pd.isna(r.numerator) or pd.isna(r.denominator):
            # hidden by suppression: no bar, a "c" label (a hidden value is never drawn to scale)
            ax.text(2, p, "c (not shown to protect children's privacy)", va="center", fontsize="small")
    ax.set_yticks(pos)
    ax.set_yticklabels([_METRIC_LABELS.get(m, m) for m in data["metric"]])
    ax.set_xlim(0, 100)
    ax.set_xlabel("% on time (bars: 95% confidence interval)")
    if target is not None:
        ax.axvline(float(target), color=PALETTE[3], linestyle="--", linewidth=1, label=f"Target {target:g}%")
        ax.legend(loc="lower right", frameon=False, fontsize="small")
    if title is None:
        held = data.loc[data["metric"] == "reviews_held"]
        if len(held) and np.isfinite(held["percent"].iloc[0]):
            title = f"{held['percent'].iloc[0]:.1f}% of reviews held in the year were on time"
        else:
            title = "Review timeliness"
    ax.set_title(title)
    return ax


def timeliness_bars_alt_text(summary: pd.DataFrame) -> str:
    """Text alternative for :func:`timeliness_bars`.

    Examples
    --------
    >>> s = pd.DataFrame({"metric": ["reviews_held"], "numerator": [410], "denominator": [435],
    ...                   "percent": [94.2529], "ci_low": [91.6], "ci_high": [96.1]})
    >>> timeliness_bars_alt_text(s)
    'Bar chart of review timeliness. Reviews held on time: 94.3% (410 of 435; 95% interval 91.6% to 96.1%).'
    """
    _check(summary, ["metric", "numerator", "denominator", "percent", "ci_low", "ci_high"], "summary")
    parts = []
    for r in summary.itertuples():
        if np.isfinite(r.percent):
            parts.append(
                f"{_METRIC_LABELS.get(r.metric, r.metric)}: {r.percent:.1f}% ({_count(r.numerator)} of "
                f"{_count(r.denominator)}; 95% interval {r.ci_low:.1f}% to {r.ci_high:.1f}%)"
            )
        elif pd.isna(r.numerator) or pd.isna(r.denominator):
            parts.append(f"{_METRIC_LABELS.get(r.metric, r.metric)}: c (not shown to protect children's privacy)")
        else:
            parts.append(f"{_METRIC_LABELS.get(r.metric, r.metric)}: no reviews")
    return "Bar chart of review timeliness. " + "; ".join(parts) + "."


def _count(value) -> str:
    """A count for a label; a hidden (suppressed) count is "c"."""
    return "c" if pd.isna(value) else f"{int(value):,}"
