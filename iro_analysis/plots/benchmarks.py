"""Charts for benchmarks: funnel plot, neighbour comparison and trend.

Each function draws a table produced by :mod:`iro_analysis.benchmarks`, takes ``ax=None``,
returns the Axes with a title that states the finding, and has an ``*_alt_text`` companion.
Colours come from the Okabe-Ito palette and every highlighted point also differs by marker.
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import matplotlib.ticker  # noqa: F401 (mpl.ticker)
import numpy as np
import pandas as pd

from ..errors import ParameterError
from .core import PALETTE, get_ax

__all__ = [
    "funnel_plot",
    "funnel_plot_alt_text",
    "neighbour_chart",
    "neighbour_chart_alt_text",
    "trend_chart",
    "trend_chart_alt_text",
]

_AUTH, _NEIGH, _OTHER, _ALARM = PALETTE[0], PALETTE[1], "#9a9a9a", PALETTE[3]


def _indicator(data: pd.DataFrame):
    from ..benchmarks import get_indicator

    if "indicator" not in data.columns or data.empty:
        raise ParameterError("Expected a non-empty table from iro_analysis.benchmarks (with an 'indicator' column).")
    return get_indicator(data["indicator"].iloc[0])


def _fmt(value, ind, extra: int = 0) -> str:
    """Format a value in the indicator's unit with DfE's precision (+ ``extra`` decimals)."""
    if value is None or pd.isna(value):
        return "not published"
    d = ind.decimals + extra
    if ind.unit == "%":
        return f"{value:.{d}f}%"
    if ind.kind == "rate":
        return f"{value:,.{d}f} per 10,000"
    if ind.kind == "count":
        return f"{value:,.{d}f}"
    return f"{value:.{d}f}"


def _lower(name: str) -> str:
    """Lower-case the first letter of a name unless it starts an acronym ("SDQ")."""
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def _what(ind) -> str:
    """The indicator in words, with its unit once (for alt text and axis labels)."""
    if ind.kind == "rate":
        return _lower(ind.name).replace("per 10,000", "per 10,000 children aged 0-17")
    return f"{_lower(ind.name)} ({ind.unit})"


def _axis_label(ind) -> str:
    return "Rate per 10,000 children aged 0-17" if ind.kind == "rate" else f"{ind.name} ({ind.unit})"


def _wrap(title: str) -> str:
    return "\n".join(textwrap.wrap(title, 70))


def _plotted(data: pd.DataFrame) -> pd.DataFrame:
    """Authorities with a published numerator and a positive denominator."""
    return data[data["observed"].notna() & (data["denominator"] > 0)]


def _names(frame: pd.DataFrame, ind, limit: int = 15) -> str:
    items = [f"{r.la_name} ({_fmt(r.observed, ind, 1)})" for r in frame.itertuples()]
    if len(items) > limit:
        items = items[:limit] + [f"and {len(items) - limit} more"]
    return ", ".join(items) if items else "none"


# ---------------------------------------------------------------------------------------------
# funnel plot


def _funnel_title(data: pd.DataFrame, ind) -> str:
    usable = _plotted(data)
    own = usable[usable["role"] == "authority"]
    year = int(data["year"].iloc[0])
    if len(own):
        r = own.iloc[0]
        if r.outside_998 or r.outside_95:
            level = "99.8%" if r.outside_998 else "95%"
            side = "above" if r.observed > r.upper_95 else "below"
            return f"{r.la_name} ({_fmt(r.observed, ind, 1)}) is {side} the {level} limits: {ind.name}, {year}"
        return f"{r.la_name} ({_fmt(r.observed, ind, 1)}) is within the expected range: {ind.name}, {year}"
    k = int(usable["outside_998"].sum())
    return f"{ind.name} {year}: {k} of {len(usable)} authorities lie outside the 99.8% limits"


def funnel_plot(data: pd.DataFrame, *, ax=None, label: bool = True, title: str | None = None):
    """Funnel plot of every authority, with the authority and its neighbours highlighted.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`iro_analysis.benchmarks.funnel_data`.
    ax : matplotlib Axes, optional
    label : bool, default True
        Name the highlighted authority and the authorities outside the 99.8% limits.
    title : str, optional
        Replace the automatic title (which states where the authority lies).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..benchmarks import funnel_curves

    ind = _indicator(data)
    ax = get_ax(ax, figsize=(8.5, 5))
    d = _plotted(data)
    curves = funnel_curves(data)
    x = curves["denominator"]
    ax.plot(x, curves["target"], color="black", lw=1, label=f"Target {_fmt(curves['target'].iloc[0], ind, 1)}")
    ax.plot(x, curves["lower_95"], color="#555555", lw=1, ls="--", label="95% limits")
    ax.plot(x, curves["upper_95"], color="#555555", lw=1, ls="--")
    ax.plot(x, curves["lower_998"], color="#555555", lw=1, ls=":", label="99.8% limits")
    ax.plot(x, curves["upper_998"], color="#555555", lw=1, ls=":")
    others = d[d["role"] == ""]
    ax.scatter(others["denominator"], others["observed"], s=14, color=_OTHER, alpha=0.7, label="Other authorities",
               zorder=2)
    alarm = d[d["outside_998"] & (d["role"] == "")]
    if len(alarm):
        ax.scatter(alarm["denominator"], alarm["observed"], s=30, facecolors="none", edgecolors=_ALARM, lw=1.2,
                   marker="D", label="Outside 99.8% limits", zorder=3)
    nb = d[d["role"] == "neighbour"]
    if len(nb):
        ax.scatter(nb["denominator"], nb["observed"], s=40, color=_NEIGH, marker="s", edgecolors="black", lw=0.4,
                   label="Statistical neighbours", zorder=4)
    own = d[d["role"] == "authority"]
    if len(own):
        ax.scatter(own["denominator"], own["observed"], s=90, color=_AUTH, marker="*", edgecolors="black", lw=0.5,
                   label=own["la_name"].iloc[0], zorder=5)
    if label:
        for r in pd.concat([own, alarm]).itertuples():
            ax.annotate(r.la_name, (r.denominator, r.observed), xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax.set_xscale("log")
    # plain numbers at 1, 2 and 5 times each power of ten ("200", "1,000"), not powers typeset by
    # mathtext (harder to read for most of the report's readers, and a tenth of the chart's time)
    ax.xaxis.set_major_locator(mpl.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
    ax.xaxis.set_minor_formatter(mpl.ticker.NullFormatter())
    den = "children aged 0-17" if ind.kind == "rate" else (ind.denominator or "denominator")
    ax.set_xlabel(textwrap.shorten(f"Number of {den} (log scale)", 90, placeholder="…"))
    ax.set_ylabel(_axis_label(ind))
    ax.set_title(_wrap(title or _funnel_title(data, ind)))
    ax.legend(fontsize=7, loc="best", frameon=True)
    return ax


def funnel_plot_alt_text(data: pd.DataFrame) -> str:
    """Text alternative for :func:`funnel_plot`, naming who lies outside the limits."""
    ind = _indicator(data)
    d = _plotted(data)
    year = int(data["year"].iloc[0])
    first = data.iloc[0]
    parts = [
        f"Funnel plot of {_what(ind)} in the year ending 31 March {year} for {len(d)} "
        f"authorities against their denominator ({ind.denominator}). Centre line {_fmt(first.target, ind, 1)}; "
        f"limits: {first.limits}."
    ]
    alarm = d[d["outside_998"]].sort_values("observed")
    alert = d[d["outside_95"] & ~d["outside_998"]].sort_values("observed")
    parts.append(f"Outside the 99.8% limits ({len(alarm)}): {_names(alarm, ind)}.")
    parts.append(f"Outside the 95% limits only ({len(alert)}): {_names(alert, ind)}.")
    if first.limits.startswith("adjusted"):
        parts.append(f"Without the over-dispersion adjustment {int(d['outside_998_unadjusted'].sum())} would lie "
                     "outside the 99.8% limits.")
    own = d[d["role"] == "authority"]
    if len(own):
        r = own.iloc[0]
        where = ("outside the 99.8% limits" if r.outside_998 else "outside the 95% limits" if r.outside_95
                 else "inside the 95% limits")
        nb = d[d["role"] == "neighbour"]
        k = int(nb["outside_95"].sum())
        parts.append(f"{r.la_name} ({_fmt(r.observed, ind, 1)}) lies {where}; {k} of its {len(nb)} statistical "
                     f"neighbours {'lies' if k == 1 else 'lie'} outside the 95% limits.")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# neighbour chart


def _split(table: pd.DataFrame):
    members = table[table["role"].isin(["authority", "neighbour"])]
    comps = table[~table["role"].isin(["authority", "neighbour"])].set_index("role")["value"]
    return members, comps


def _neighbour_title(table: pd.DataFrame, ind) -> str:
    members, comps = _split(table)
    own = members[members["role"] == "authority"].iloc[0]
    year = int(table["year"].iloc[0])
    sn = comps.get("sn_mean", np.nan)
    if pd.isna(own.value):
        return f"{own.la_name}: {_lower(ind.name)} not published for {year}"
    if pd.isna(sn):
        return f"{own.la_name}: {_lower(ind.name)} {_fmt(own.value, ind)} ({year})"
    rel = "above" if own.value > sn else "below" if own.value < sn else "equal to"
    return (f"{own.la_name} {_fmt(own.value, ind)}, {rel} the statistical-neighbour average of "
            f"{_fmt(sn, ind, 1)} ({ind.name}, {year})")


def neighbour_chart(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Dot chart of the authority and its statistical neighbours with the comparators.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`iro_analysis.benchmarks.neighbour_table` (with comparators).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ind = _indicator(table)
    members, comps = _split(table)
    members = members.sort_values("value", na_position="first")
    ax = get_ax(ax, figsize=(8, 0.35 * len(members) + 1.8))
    y = np.arange(len(members))
    is_own = (members["role"] == "authority").to_numpy()
    vals = members["value"].to_numpy(dtype=float)
    ax.hlines(y, 0, np.nan_to_num(vals), color="#cccccc", lw=1)
    ax.scatter(vals[~is_own], y[~is_own], color=_NEIGH, marker="s", s=45, zorder=3, label="Statistical neighbours")
    ax.scatter(vals[is_own], y[is_own], color=_AUTH, marker="*", s=140, zorder=4,
               label=members.loc[members["role"] == "authority", "la_name"].iloc[0])
    styles = {"sn_mean": ("--", "Neighbour average"), "region": ("-.", "Region"), "england": (":", "England")}
    for role, (ls, lab) in styles.items():
        v = comps.get(role, np.nan)
        if pd.notna(v):
            ax.axvline(v, color="black", ls=ls, lw=1, label=f"{lab} {_fmt(v, ind, 1 if role == 'sn_mean' else 0)}")
    labels = [f"{n}{' (not published)' if pd.isna(v) else ''}" for n, v in zip(members["la_name"], vals)]
    ax.set_yticks(y, labels)
    for t, own in zip(ax.get_yticklabels(), is_own):
        if own:
            t.set_fontweight("bold")
    ax.set_xlabel(_axis_label(ind))
    ax.set_xlim(left=0)
    ax.set_title(_wrap(title or _neighbour_title(table, ind)))
    ax.legend(fontsize=7, loc="lower right")
    return ax


def neighbour_chart_alt_text(table: pd.DataFrame) -> str:
    """Text alternative for :func:`neighbour_chart`."""
    ind = _indicator(table)
    members, comps = _split(table)
    year = int(table["year"].iloc[0])
    own = members[members["role"] == "authority"].iloc[0]
    nb = members[members["role"] == "neighbour"].sort_values("value", ascending=False)
    listing = ", ".join(f"{r.la_name} {_fmt(r.value, ind)}" for r in nb.itertuples())
    return (
        f"Dot chart of {_what(ind)}, year ending 31 March {year}: {own.la_name} "
        f"{_fmt(own.value, ind)}; statistical-neighbour average {_fmt(comps.get('sn_mean'), ind, 1)}, "
        f"region {_fmt(comps.get('region'), ind)}, England {_fmt(comps.get('england'), ind)}. "
        f"Neighbours, highest first: {listing}."
    )


# ---------------------------------------------------------------------------------------------
# trend chart


def _trend_title(trend: pd.DataFrame, ind) -> str:
    t = trend.dropna(subset=["value"]).sort_values("year")
    if t.empty:
        return f"{ind.name}: no published values"
    name = t["la_name"].iloc[0]
    first, last = t.iloc[0], t.iloc[-1]
    if len(t) == 1:
        return f"{name}: {_lower(ind.name)} {_fmt(last.value, ind)} in {int(last.year)}"
    verb = "rose" if last.value > first.value else "fell" if last.value < first.value else "was unchanged"
    span = f"from {_fmt(first.value, ind)} to {_fmt(last.value, ind)}" if verb != "was unchanged" else f"at {_fmt(last.value, ind)}"
    return f"{name}: {_lower(ind.name)} {verb} {span} between {int(first.year)} and {int(last.year)}"


def trend_chart(trend: pd.DataFrame, *, ax=None, title: str | None = None):
    """Line chart of the authority, its neighbour average, region and England over the years.

    Parameters
    ----------
    trend : pandas.DataFrame
        Output of :func:`iro_analysis.benchmarks.trend`.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ind = _indicator(trend)
    t = trend.sort_values("year")
    ax = get_ax(ax)
    name = t["la_name"].iloc[0]
    series = [("value", name, _AUTH, "-", "o"), ("sn_mean", "Neighbour average", _NEIGH, "--", "s"),
              ("region_value", t["region_name"].iloc[0] or "Region", PALETTE[2], "-.", "^"),
              ("england_value", "England", "black", ":", "D")]
    for col, lab, colour, ls, marker in series:
        ax.plot(t["year"], t[col], color=colour, ls=ls, marker=marker, lw=2 if col == "value" else 1.2, label=lab)
    ax.set_xticks(t["year"], [f"{y - 1}-{str(y)[2:]}" for y in t["year"]])
    ax.set_xlabel("Year ending 31 March")
    ax.set_ylabel(_axis_label(ind))
    ax.set_ylim(bottom=0)
    ax.set_title(_wrap(title or _trend_title(t, ind)))
    ax.legend(fontsize=7)
    return ax


def trend_chart_alt_text(trend: pd.DataFrame) -> str:
    """Text alternative for :func:`trend_chart`."""
    ind = _indicator(trend)
    t = trend.sort_values("year")
    name = t["la_name"].iloc[0]
    years = ", ".join(
        f"{int(r.year)}: {_fmt(r.value, ind)} (neighbours {_fmt(r.sn_mean, ind, 1)}, England {_fmt(r.england_value, ind)})"
        for r in t.itertuples()
    )
    return f"Line chart of {_what(ind)} for {name}, its statistical-neighbour average, region and England. {years}."
