"""Dot-and-whisker chart of ethnic disproportionality ratios with their intervals."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from ..errors import ParameterError
from matplotlib.ticker import NullFormatter

from .core import PALETTE, get_ax

__all__ = ["plotted_groups", "ratio_plot", "ratio_plot_alt_text"]

_MEASURES = {
    "representation_ratio": ("rr_ci_low", "rr_ci_high", "representation ratio",
                             "share of children in care ÷ share of all children"),
    "rri": ("rri_ci_low", "rri_ci_high", "relative rate index", "rate ÷ reference group's rate"),
}


def plotted_groups(table: pd.DataFrame, *, measure: str = "representation_ratio", suppress_below: int = 5) -> list:
    """The ethnic groups :func:`ratio_plot` draws (shown counts with a positive ratio).

    Examples
    --------
    >>> t = pd.DataFrame({"ethnic_group": ["White", "Black", "Mixed"], "cic": [49, 3, float("nan")],
    ...                   "representation_ratio": [0.59, 2.1, 1.2], "rr_ci_low": [0.48, 0.9, 0.5],
    ...                   "rr_ci_high": [0.71, 5.0, 2.0]})
    >>> plotted_groups(t)
    ['White']
    """
    return _plot_rows(table, measure, suppress_below)[0]["ethnic_group"].tolist()


def _plot_rows(table: pd.DataFrame, measure: str, suppress_below: int) -> tuple[pd.DataFrame, list]:
    if measure not in _MEASURES:
        raise ParameterError(f"measure must be one of {list(_MEASURES)}, got {measure!r}.")
    needed = {"ethnic_group", "cic", measure, *_MEASURES[measure][:2]}
    missing = needed - set(table.columns)
    if missing:
        raise ParameterError(f"the table lacks columns {sorted(missing)}: pass the output of disproportionality().")
    t = table[table["included"]] if "included" in table.columns else table
    # NaN is a count hidden by the report's publication layer (primary or secondary suppression)
    small = t["cic"].isna() | ((t["cic"] > 0) & (t["cic"] < suppress_below))
    hidden = t.loc[small, "ethnic_group"].tolist()
    rows = t[~small & t[measure].notna() & (t[measure] > 0)]
    return rows, hidden


def _unrated_groups(table: pd.DataFrame, measure: str, hidden: list) -> list:
    """Groups whose count is shown but whose ratio is hidden (NaN) by the publication layer."""
    t = table[table["included"]] if "included" in table.columns else table
    unrated = t[t[measure].isna() & t["cic"].notna() & (t["cic"] > 0)]
    return [g for g in unrated["ethnic_group"] if g not in hidden]


def _fmt(v: float) -> str:
    return "∞" if not np.isfinite(v) else (f"{v:.1f}" if v >= 1 else f"{v:.2f}")


def _title(rows: pd.DataFrame, measure: str, table: pd.DataFrame) -> str:
    """A title stating the finding: the largest ratio and whether its interval excludes 1."""
    lo_col, hi_col, name, _ = _MEASURES[measure]
    if not len(rows):
        return f"No {name} can be shown"
    top = rows.loc[rows[measure].idxmax()]
    g, v = top["ethnic_group"], _fmt(top[measure])
    if measure == "rri":
        ref = str(top.get("rri_reference", "the reference group"))
        ref = ref if ref == "all other children" else f"{ref} children"
        text = f"{g} children were {v} times as likely to be in care as {ref}"
    else:
        text = f"{g} children's share of children in care was {v} times their share of all children"
    if top[lo_col] > 1:
        text += " (more than chance would explain)"
    elif top[hi_col] >= 1:
        text += " (within chance variation)"
    return text


def ratio_plot_alt_text(table: pd.DataFrame, *, measure: str = "representation_ratio", suppress_below: int = 5,
                        n_largest: int = 3, chart: bool = True) -> str:
    """Text alternative for :func:`ratio_plot`: chart type, message and the largest ratios.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`iro_analysis.disproportionality.disproportionality`.
    measure, suppress_below
        As :func:`ratio_plot`.
    n_largest : int, default 3
        How many of the largest ratios to state.
    chart : bool, default True
        False when the text stands in place of a chart not drawn: it does not begin by naming one.

    Returns
    -------
    str

    Examples
    --------
    >>> t = pd.DataFrame({"ethnic_group": ["White", "Black"], "included": [True, True], "cic": [49, 11],
    ...                   "representation_ratio": [0.59, 6.7485], "rr_ci_low": [0.48, 3.84], "rr_ci_high": [0.71, 11.43]})
    >>> "Largest: Black 6.7 (95% interval 3.8 to 11.4)" in ratio_plot_alt_text(t)
    True
    """
    rows, hidden = _plot_rows(table, measure, suppress_below)
    lo_col, hi_col, name, meaning = _MEASURES[measure]
    conf = table.attrs.get("confidence", 0.95)
    top = rows.sort_values(measure, ascending=False).head(n_largest)
    parts = [f"{g} {_fmt(v)} ({conf:.0%} interval {_fmt(lo)} to {_fmt(hi)})"
             for g, v, lo, hi in zip(top["ethnic_group"], top[measure], top[lo_col], top[hi_col])]
    if chart:
        text = (f"Dot-and-whisker chart of the {name} ({meaning}) by ethnic group on a log scale, with a line at 1 "
                f"(no difference). Largest: {'; '.join(parts) if parts else 'none'}.")
    else:
        text = (f"The {name} ({meaning}) by ethnic group. Largest: {'; '.join(parts) if parts else 'none'}."
                if parts else f"No {name} by ethnic group can be shown.")
    above = rows[rows[lo_col] > 1]["ethnic_group"].tolist()
    below = rows[rows[hi_col] < 1]["ethnic_group"].tolist()
    if above:
        text += f" Interval entirely above 1: {', '.join(above)}."
    if below:
        text += f" Interval entirely below 1: {', '.join(below)}."
    if hidden:
        # hidden groups include ones hidden to protect another (secondary): not all are "fewer than 5"
        text += (f" Not shown to protect children's privacy (c: fewer than {suppress_below} children, or hidden so "
                 f"that such a number cannot be worked out): {len(hidden)} group(s), {', '.join(map(str, hidden))}.")
    unrated = _unrated_groups(table, measure, hidden)
    if unrated:
        # a ratio needs the group's share of all children in care: hidden where the total is hidden
        text += (f" No {name} is shown for {', '.join(map(str, unrated))}: it would let a hidden number be "
                 f"worked out.")
    denominator = table["denominator"].dropna().iloc[0] if "denominator" in table.columns and len(table) else ""
    if denominator:
        text += f" Population: {denominator}."
    return text


def ratio_plot(table: pd.DataFrame, *, measure: str = "representation_ratio", ax=None, suppress_below: int = 5,
               title: str | None = None):
    """Dot-and-whisker chart of ratios by ethnic group, log scale, with a line at 1.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`iro_analysis.disproportionality.disproportionality`.
    measure : {"representation_ratio", "rri"}, default "representation_ratio"
        Which ratio to draw (with its interval).
    ax : matplotlib Axes, optional
    suppress_below : int, default 5
        Groups with 1 to ``suppress_below - 1`` children are not drawn (shareable output: no
        ratio from a suppressed count); a note under the chart says how many were left out.
        Use 0 for internal use.
    title : str, optional
        Default: a title stating the largest ratio.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Intervals that are open-ended (an upper limit of infinity) are drawn to the edge of the
    axis with an arrow. The denominator label, and its caveat when the population is all
    ages, is written under the chart.
    """
    rows, hidden = _plot_rows(table, measure, suppress_below)
    lo_col, hi_col, name, meaning = _MEASURES[measure]
    ax = get_ax(ax, figsize=(8, 0.55 * max(len(rows), 3) + 1.8))
    rows = rows.iloc[::-1]
    y = np.arange(len(rows))
    val = rows[measure].to_numpy(dtype=float)
    lo = rows[lo_col].to_numpy(dtype=float)
    hi = rows[hi_col].to_numpy(dtype=float)
    finite = np.concatenate([val, lo[np.isfinite(lo) & (lo > 0)], hi[np.isfinite(hi)]])
    xmin = min(0.5, np.nanmin(finite) / 1.5) if finite.size else 0.1
    xmax = max(2.0, np.nanmax(finite) * 1.5) if finite.size else 10.0
    lo_draw = np.where(np.isfinite(lo) & (lo > 0), lo, xmin)
    hi_draw = np.where(np.isfinite(hi), hi, xmax)
    colours = np.where(lo > 1, PALETTE[3], np.where(hi < 1, PALETTE[0], "#555555"))
    ax.hlines(y, lo_draw, hi_draw, colors=colours, linewidth=2)
    ax.scatter(val, y, color=colours, zorder=3, s=45)
    for yi, v, h in zip(y, val, hi_draw):
        ax.annotate(_fmt(v), (h, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    ax.axvline(1.0, color="black", linewidth=1, linestyle="--")
    ax.set_xscale("log")
    ax.set_xlim(xmin, xmax * 1.6)
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500) if xmin <= t <= xmax * 1.6]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(y)
    labels = rows["ethnic_group"].astype(str).tolist()
    if measure == "rri" and "rri_reference" in rows.columns and table.attrs.get("reference") != "all_other":
        labels = [f"{g}\n(vs all other children)" if r == "all other children" else g
                  for g, r in zip(labels, rows["rri_reference"])]
    ax.set_yticklabels(labels)
    ax.set_xlabel(f"{name.capitalize()} ({meaning}); log scale, 1 = no difference")
    if title is None:
        title = _title(rows, measure, table)
    ax.set_title(textwrap.fill(title, 70))
    notes = []
    if "denominator" in table.columns and table["denominator"].notna().any():
        denominator = str(table["denominator"].dropna().iloc[0])
        if denominator:
            notes.append(f"Population: {denominator}.")
        if "ALL AGES" in denominator.upper():
            notes.append("All-ages population, not children: ratios for Mixed and Asian children are overstated.")
    if hidden:
        notes.append(f"Not shown (c): {', '.join(map(str, hidden))}.")
    conf = table.attrs.get("confidence", 0.95)
    notes.append(f"Lines: {conf:.0%} intervals.")
    ax.text(0.0, -0.22 - 0.04 * max(0, 5 - len(rows)), " ".join(notes), transform=ax.transAxes, fontsize=8,
            va="top", wrap=True)
    return ax
