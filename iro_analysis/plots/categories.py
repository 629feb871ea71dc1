"""Charts of published count tables: counts by category, health-check percentages, IRO caseloads.

Each function draws a table as published by :class:`iro_analysis.publication.Publication`
(:meth:`~iro_analysis.publication.Publication.numeric`: a hidden value is NaN), takes
``ax=None``, returns the Axes and states the finding in its title. The titles are computed from
published values only, and claim a finding only when the published values prove it: a category
is called the most common only when even the hidden counts, taken together, are fewer. A hidden
value has no bar and reads "c" on the chart and in the companion ``*_alt_text`` description.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from .cohorts import HIDDEN
from .core import PALETTE, format_count, get_ax, require_columns

__all__ = ["category_bars", "category_bars_alt_text", "category_title", "percent_bars", "percent_bars_alt_text",
           "percent_title", "caseload_chart", "caseload_chart_alt_text", "caseload_title", "HANDBOOK_CASELOAD",
           "NO_FIGURE"]

TOTAL = "Total"
#: The IRO Handbook's recommended caseload: children per full-time IRO.
HANDBOOK_CASELOAD = (50, 70)


def _check(table: pd.DataFrame, columns, what: str) -> None:
    require_columns(table, columns, what, made_by="Publication.numeric")


def _shown(value) -> str:
    return HIDDEN if pd.isna(value) else format_count(value)


#: How a value that is missing but not hidden (a percentage of none) reads.
NO_FIGURE = "no figure"


def _hidden(table: pd.DataFrame, column: str, hidden) -> np.ndarray:
    """Which rows are hidden: ``hidden`` when given (the publication's mask), else every NaN."""
    if hidden is None:
        return table[column].isna().to_numpy()
    return np.asarray(hidden, dtype=bool)


def _value_text(value, hidden: bool, fmt: str) -> str:
    if hidden:
        return HIDDEN
    return NO_FIGURE if pd.isna(value) else format(value, fmt)


def _wrap(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


# --- counts by category --------------------------------------------------------------------------


def _parts(table: pd.DataFrame, label: str, count: str):
    is_total = table[label].astype(str) == TOTAL
    body = table.loc[~is_total].reset_index(drop=True)
    total = table.loc[is_total, count].iloc[0] if is_total.any() else np.nan
    return body, total


def category_title(table: pd.DataFrame, *, label: str = "label", count: str = "count", what: str = "children",
                   noun: str = "category", not_ranked=()) -> str:
    """The headline of a category chart, from published values only.

    Parameters
    ----------
    table : DataFrame
        Published table with a ``Total`` row (hidden counts NaN).
    label, count : str
        Label and count columns.
    what : str
        What is counted, plural ("placements that ended with a move").
    noun : str
        What a category is ("reason"), for "Most common reason: …".
    not_ranked : iterable of str
        Labels never called the most common (such as "Not recorded").

    Returns
    -------
    str
        ``"Most common <noun>: <label> (<n> of <total>, <p>%)"`` when the published values show
        that no other category, shown or hidden, is as large; otherwise a plain title with the
        total, or without it when the total is hidden.
    """
    _check(table, [label, count], "category chart title")
    body, total = _parts(table, label, count)
    if pd.isna(total):
        return f"{what[:1].upper()}{what[1:]} by {noun}"
    if total == 0:
        return f"No {what}"
    plain = f"{format_count(total)} {what}"
    ranked = body[~body[label].astype(str).isin([str(n) for n in not_ranked])]
    shown = ranked[count].dropna()
    if shown.empty or shown.max() == 0:
        return plain
    top = shown.max()
    # everything hidden adds up to the total less what is shown: each hidden count is at most that
    hidden_sum = total - body[count].sum(skipna=True)
    if (shown == top).sum() > 1 or (body[count].isna().any() and hidden_sum >= top):
        return plain
    name = str(ranked.loc[shown.idxmax(), label])
    return f"Most common {noun}: {name} ({format_count(top)} of {format_count(total)}, {100 * top / total:.0f}%)"


def category_bars(table: pd.DataFrame, *, label: str = "label", count: str = "count", what: str = "children",
                  noun: str = "category", not_ranked=(), ax=None):
    """Horizontal bars of a published count table by category, each labelled with its count.

    Parameters
    ----------
    table : DataFrame
        Published table (``Publication.numeric``) with a ``Total`` row; hidden counts NaN.
    label, count, what, noun, not_ranked
        As :func:`category_title`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Categories with none are left off the chart (the table lists them); a hidden count has no
    bar, only the label "c (not shown)".
    """
    _check(table, [label, count], "category chart")
    body, total = _parts(table, label, count)
    body = body[body[count].isna() | (body[count] > 0)].reset_index(drop=True)
    ax = get_ax(ax, figsize=(8, 1.4 + 0.5 * max(len(body), 1)))
    y = np.arange(len(body))[::-1]
    values = body[count].to_numpy(dtype=float)
    ax.barh(y, np.nan_to_num(values), color=PALETTE[0])
    ax.set_yticks(y)
    ax.set_yticklabels([_wrap(v) for v in body[label]], fontsize="small")
    for yy, n in zip(y, values):
        share = f" ({100 * n / total:.0f}%)" if pd.notna(n) and pd.notna(total) and total else ""
        ax.text(0 if pd.isna(n) else n, yy, f" {HIDDEN} (not shown)" if pd.isna(n) else f" {format_count(n)}{share}",
                va="center", fontsize="small")
    largest = np.nanmax(values) if np.isfinite(values).any() else 0
    ax.set_xlim(0, max(1.0, largest) * 1.3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(what[:1].upper() + what[1:])
    ax.set_title(_wrap(category_title(table, label=label, count=count, what=what, noun=noun,
                                      not_ranked=not_ranked), 60))
    return ax


def category_bars_alt_text(table: pd.DataFrame, *, label: str = "label", count: str = "count",
                           what: str = "children", noun: str = "category", not_ranked=(), chart: bool = True) -> str:
    """Text alternative for :func:`category_bars` (a hidden count reads "c").

    With ``chart=False`` the text stands in place of a chart not drawn, so it does not begin
    by naming one.
    """
    _check(table, [label, count], "category chart alt text")
    body, total = _parts(table, label, count)
    listed = body[body[count].isna() | (body[count] > 0)]
    parts = "; ".join(f"{name}: {_shown(n)}" for name, n in zip(listed[label], listed[count]))
    text = ((f"Bar chart of {what} by {noun}. " if chart else "")
            + f"{category_title(table, label=label, count=count, what=what, noun=noun, not_ranked=not_ranked)}. "
            f"Total: {_shown(total)}.")
    if parts:
        text += f" {parts}."
    none = len(body) - len(listed)
    if none:
        text += f" None in the {none} other {'row' if none == 1 else 'rows'} of the table."
    if body[count].isna().any() or pd.isna(total):
        text += f" {HIDDEN} marks a number not shown to protect children's privacy."
    return text


# --- percentages (health checks) -----------------------------------------------------------------


def percent_title(table: pd.DataFrame, *, label: str = "description", percent: str = "percent",
                  subject: str = "Health checks") -> str:
    """The headline of a percentage chart: the highest and lowest published percentages."""
    _check(table, [label, percent], "percentage chart title")
    shown = table.dropna(subset=[percent])
    if shown.empty:
        return subject
    scope = "" if len(shown) == len(table) else " (of the figures shown)"
    high, low = shown.loc[shown[percent].idxmax()], shown.loc[shown[percent].idxmin()]
    if len(shown) == 1:
        return f"{subject}: {high[label]} {high[percent]:.0f}%{scope}"
    if round(high[percent]) == round(low[percent]):
        return f"{subject}: {high[percent]:.0f}% for each measure{scope}"

    def named(value) -> str:  # a tie is counted, not given to whichever measure comes first
        tied = shown[shown[percent].round() == round(value)]
        return str(tied[label].iloc[0]) if len(tied) == 1 else f"{len(tied)} measures"

    return (f"{subject}: highest {named(high[percent])} ({high[percent]:.0f}%), lowest "
            f"{named(low[percent])} ({low[percent]:.0f}%){scope}")


def percent_bars(table: pd.DataFrame, *, label: str = "description", percent: str = "percent",
                 count: str = "count", denominator: str = "denominator", subject: str = "Health checks",
                 xlabel: str = "% of children", hidden=None, ax=None):
    """Horizontal bars of published percentages on a 0 to 100 axis, each labelled "p% (n of d)".

    Parameters
    ----------
    table : DataFrame
        Published table (``Publication.numeric``); a hidden percentage is NaN.
    label, percent, count, denominator : str
        Columns. ``count`` and ``denominator`` label the bars when present and shown.
    subject : str
        Start of the title.
    xlabel : str
    hidden : sequence of bool, optional
        Which percentages the publication hides (its ``hidden_mask``); by default every NaN. A
        NaN that is not hidden (a percentage of none) reads "no figure", not "c".
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _check(table, [label, percent], "percentage chart")
    table = table.reset_index(drop=True)
    ax = get_ax(ax, figsize=(8, 1.4 + 0.5 * max(len(table), 1)))
    y = np.arange(len(table))[::-1]
    values = table[percent].to_numpy(dtype=float)
    secret = _hidden(table, percent, hidden)
    ax.barh(y, np.nan_to_num(values), color=PALETTE[2])
    ax.set_yticks(y)
    ax.set_yticklabels([_wrap(v) for v in table[label]], fontsize="small")
    for position, (yy, p) in enumerate(zip(y, values)):
        if pd.isna(p):
            text = f" {HIDDEN} (not shown)" if secret[position] else f" {NO_FIGURE}"
        else:
            n = table[count].iloc[position] if count in table.columns else np.nan
            d = table[denominator].iloc[position] if denominator in table.columns else np.nan
            text = f" {p:.0f}%" + (f" ({format_count(n)} of {format_count(d)})" if pd.notna(n) and pd.notna(d) else "")
        ax.text(0 if pd.isna(p) else min(p, 100), yy, text, va="center", fontsize="small",
                ha="right" if pd.notna(p) and p > 70 else "left", color="white" if pd.notna(p) and p > 70 else ".15")
    ax.set_xlim(0, 100)  # a percentage axis stops at 100
    ax.set_xlabel(xlabel)
    ax.set_title(_wrap(percent_title(table, label=label, percent=percent, subject=subject), 60))
    return ax


def percent_bars_alt_text(table: pd.DataFrame, *, label: str = "description", percent: str = "percent",
                          subject: str = "Health checks", hidden=None) -> str:
    """Text alternative for :func:`percent_bars` (a hidden percentage reads "c", as in the table)."""
    _check(table, [label, percent], "percentage chart alt text")
    secret = _hidden(table, percent, hidden)
    parts = "; ".join(f"{name}: {_value_text(p, h, '.0f')}{'' if h or pd.isna(p) else '%'}"
                      for name, p, h in zip(table[label], table[percent], secret))
    text = f"Bar chart of percentages. {percent_title(table, label=label, percent=percent, subject=subject)}. {parts}."
    if secret.any():
        text += f" {HIDDEN} marks a figure not shown to protect children's privacy."
    return text


# --- IRO caseloads --------------------------------------------------------------------------------


def caseload_title(table: pd.DataFrame, *, month: str = "month", per_fte: str = "children_per_fte") -> str:
    """The headline of the caseload chart: the published range against the IRO Handbook's 50 to 70."""
    _check(table, [month, per_fte], "caseload chart title")
    shown = table[per_fte].dropna()
    if shown.empty:
        return "Children per full-time IRO at each month end"
    low, high = shown.min(), shown.max()
    lowest, highest = HANDBOOK_CASELOAD
    if high < lowest:
        where = f"below the IRO Handbook's {lowest} to {highest}"
    elif low > highest:
        where = f"above the IRO Handbook's {lowest} to {highest}"
    elif low >= lowest and high <= highest:
        where = f"within the IRO Handbook's {lowest} to {highest}"
    else:
        where = f"against the IRO Handbook's {lowest} to {highest}"
    months = "each month" if len(shown) == len(table) else "in the months shown"
    span = f"{low:.0f}" if round(low) == round(high) else f"between {low:.0f} and {high:.0f}"
    return f"Children per full-time IRO: {span} {months}, {where}"


def caseload_chart(table: pd.DataFrame, *, month: str = "month", per_fte: str = "children_per_fte", hidden=None,
                   ax=None):
    """Line chart of children per full-time IRO at each month end, with the Handbook's range shaded.

    Parameters
    ----------
    table : DataFrame
        Published table O1 (``month``, ``children_per_fte``; a hidden month NaN).
    month, per_fte : str
    hidden : sequence of bool, optional
        Which months the publication hides; by default every NaN (a month with no IRO in post
        has no figure but hides nothing).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _check(table, [month, per_fte], "caseload chart")
    ax = get_ax(ax, figsize=(8, 3.6))
    x = np.arange(len(table))
    values = table[per_fte].to_numpy(dtype=float)
    lowest, highest = HANDBOOK_CASELOAD
    ax.axhspan(lowest, highest, color=PALETTE[5], alpha=0.2, label=f"IRO Handbook: {lowest} to {highest}")
    ax.plot(x, values, marker="o", color=PALETTE[0], label="Children per full-time IRO")
    for position in np.flatnonzero(_hidden(table, per_fte, hidden)):
        ax.annotate(HIDDEN, (x[position], 0), textcoords="offset points", xytext=(0, 4), ha="center",
                    fontsize="small", color="#555555")
    ax.set_xticks(x)
    ax.set_xticklabels([pd.Period(str(m), freq="M").strftime("%b") if len(str(m)) == 7 else str(m)
                        for m in table[month]])
    top = np.nanmax(values) if np.isfinite(values).any() else 0
    ax.set_ylim(0, max(highest, top) * 1.1)
    ax.set_ylabel("Children per full-time IRO")
    ax.legend(loc="lower left", frameon=False, fontsize="small")
    ax.set_title(_wrap(caseload_title(table, month=month, per_fte=per_fte), 60))
    return ax


def caseload_chart_alt_text(table: pd.DataFrame, *, month: str = "month", per_fte: str = "children_per_fte",
                            hidden=None) -> str:
    """Text alternative for :func:`caseload_chart` (a hidden month reads "c", as in the table)."""
    _check(table, [month, per_fte], "caseload chart alt text")
    secret = _hidden(table, per_fte, hidden)
    parts = "; ".join(f"{m}: {_value_text(v, h, '.1f')}" for m, v, h in zip(table[month], table[per_fte], secret))
    text = (f"Line chart of children per full-time IRO at each month end, with the IRO Handbook's recommended "
            f"{HANDBOOK_CASELOAD[0]} to {HANDBOOK_CASELOAD[1]} shaded. {caseload_title(table, month=month, per_fte=per_fte)}. "
            f"{parts}.")
    if secret.any():
        text += f" {HIDDEN} marks a month not shown to protect children's privacy."
    return text
