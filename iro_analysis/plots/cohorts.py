"""Charts of the cohort counts: children in care by month, starters by age band, profiles.

Each function draws a table made by :mod:`iro_analysis.cohorts`, takes ``ax=None``, returns the
Axes, and states the finding in its title (computed from the table). Each has a companion
``*_alt_text(table) -> str`` giving the chart type, the main message and the key numbers.
No computing beyond what the title needs, no display calls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from .core import PALETTE, format_count, get_ax, require_columns

__all__ = [
    "monthly_in_care",
    "monthly_in_care_alt_text",
    "starters_by_age_band",
    "starters_by_age_band_alt_text",
    "profile",
    "profile_alt_text",
    "starters_by_age_band_published",
    "starters_by_age_band_published_alt_text",
    "HIDDEN",
]

_PROFILE_COLUMNS = ("legal_status", "LS", "ethnic_group", "sex", "age_band", "placement", "PLACE", "uasc")
_PROFILE_NOUN = {
    "legal_status": "legal status",
    "LS": "legal status",
    "ethnic_group": "ethnic group",
    "sex": "sex",
    "age_band": "age group",
    "placement": "placement type",
    "PLACE": "placement",
    "uasc": "UASC status",
}


def _require(table: pd.DataFrame, columns, what: str) -> None:
    require_columns(table, columns, what, made_by="iro_analysis.cohorts", allow_empty=False)


#: How a hidden (suppressed) value is shown on a chart and in its description.
HIDDEN = "c"


def _pct(value) -> str:
    return HIDDEN if pd.isna(value) else f"{value:.0f}%"


# --- monthly children in care ------------------------------------------------------------------


def _monthly_title(table: pd.DataFrame) -> str:
    label = table["year_label"].iloc[0] if "year_label" in table.columns else ""
    during = f" during {label}" if label else ""
    if table["children"].iloc[[0, -1]].isna().any():
        return f"Children in care at each month end{during}"
    first, last = int(table["children"].iloc[0]), int(table["children"].iloc[-1])
    if last > first:
        return f"Children in care rose from {format_count(first)} to {format_count(last)}{during}"
    if last < first:
        return f"Children in care fell from {format_count(first)} to {format_count(last)}{during}"
    return f"Children in care were {format_count(last)} at the start and end of {label or 'the year'}"


def monthly_in_care(table: pd.DataFrame, *, ax=None, show_uasc: bool = True):
    """Line chart of children in care at each month end, with the rate per 10,000 on a second axis.

    Parameters
    ----------
    table : DataFrame
        From :func:`iro_analysis.cohorts.monthly_in_care` (``month``, ``children``; ``uasc``,
        ``rate_per_10k``, ``population_0_17``, ``year_label`` used when present).
    ax : matplotlib Axes, optional
    show_uasc : bool, default True
        Add a second line for UASC when the table has a ``uasc`` column.

    Returns
    -------
    matplotlib Axes
    """
    _require(table, ["month", "children"], "monthly_in_care chart")
    ax = get_ax(ax)
    x = np.arange(len(table))
    ax.plot(x, table["children"], marker="o", color=PALETTE[0], label="Children in care")
    if show_uasc and "uasc" in table.columns and table["uasc"].sum() > 0:
        ax.plot(x, table["uasc"], marker="s", linestyle="--", color=PALETTE[1], label="of whom UASC")
        ax.legend(loc="lower left", frameon=False)
    # hidden (suppressed) months are gaps in the line, marked "c" on the axis: never drawn to scale
    for column in ("children", "uasc"):
        if column in table.columns:
            for position in np.flatnonzero(table[column].isna().to_numpy()):
                ax.annotate(HIDDEN, (x[position], 0), textcoords="offset points", xytext=(0, 4), ha="center",
                            fontsize="small", color="#555555")
    ax.set_xticks(x)
    ax.set_xticklabels([str(m).split(" ")[0] for m in table["month"]])
    ax.set_ylabel("Children in care at month end")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    pop = table["population_0_17"].iloc[0] if "population_0_17" in table.columns else np.nan
    if pd.notna(pop) and pop > 0:
        factor = 10000.0 / float(pop)
        sec = ax.secondary_yaxis("right", functions=(lambda v: v * factor, lambda r: r / factor))
        sec.set_ylabel("Rate per 10,000 children aged 0-17")
    ax.set_title(_monthly_title(table))
    return ax


def monthly_in_care_alt_text(table: pd.DataFrame, *, chart: bool = True) -> str:
    """Text alternative for :func:`monthly_in_care`.

    With ``chart=False`` the text stands in place of a chart not drawn, so it does not begin
    by naming one.
    """
    _require(table, ["month", "children"], "monthly_in_care alt text")
    kids = table["children"]
    text = (f"Line chart of children in care at each month end, {table['month'].iloc[0]} to "
            f"{table['month'].iloc[-1]}. " if chart else "") + f"{_monthly_title(table)}."
    if kids.notna().any():
        lo, hi = kids.idxmin(), kids.idxmax()
        text += (f" {'Lowest shown' if kids.isna().any() else 'Lowest'} {_count_or_hidden(kids[lo])} ({table['month'][lo]}), highest "
                 f"{_count_or_hidden(kids[hi])} ({table['month'][hi]}).")
    if kids.isna().all():
        text += f" Every month is marked {HIDDEN}: not shown to protect children's privacy."
    elif kids.isna().any():
        text += f" Months marked {HIDDEN} are not shown to protect children's privacy."
    if "rate_per_10k" in table.columns and table["rate_per_10k"].notna().all():
        text += f" Rate at the last month end {table['rate_per_10k'].iloc[-1]:.1f} per 10,000 children."
    if "uasc" in table.columns and table["uasc"].sum() > 0:
        text += (f" Unaccompanied asylum-seeking children: {_count_or_hidden(table['uasc'].iloc[0])} to "
                 f"{_count_or_hidden(table['uasc'].iloc[-1])}.")
    return text


def _count_or_hidden(value) -> str:
    """A count for a description; a hidden (suppressed) value is "c", never a number."""
    return HIDDEN if pd.isna(value) else format_count(value)


# --- starters by age band ----------------------------------------------------------------------


def _starters_summary(table: pd.DataFrame):
    by_band = table.groupby("age_band", sort=False)["count"].sum()
    total = int(by_band.sum())
    top = by_band.idxmax() if total else None
    label = str(table["quarter_label"].iloc[0])
    year = ""
    if "quarter_start" in table.columns:
        start = pd.Timestamp(table["quarter_start"].min())
        year = f"{start.year}-{(start.year + 1) % 100:02d}"
    return by_band, total, top, year or label


def starters_by_age_band(table: pd.DataFrame, *, ax=None):
    """Stacked bars: periods of care started in each quarter, by age band at the start.

    Parameters
    ----------
    table : DataFrame
        From :func:`iro_analysis.cohorts.starters_by_quarter` with ``by="age_band"``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _require(table, ["quarter_label", "age_band", "count"], "starters_by_age_band chart")
    ax = get_ax(ax)
    wide = table.pivot_table(index="quarter_label", columns="age_band", values="count", aggfunc="sum", sort=False)
    wide = wide.reindex(columns=list(dict.fromkeys(table["age_band"])))
    bottom = np.zeros(len(wide))
    for k, band in enumerate(wide.columns):
        vals = wide[band].fillna(0).to_numpy()
        ax.bar(np.arange(len(wide)), vals, bottom=bottom, label=band, color=PALETTE[k % len(PALETTE)])
        bottom += vals
    ax.set_xticks(np.arange(len(wide)))
    ax.set_xticklabels([str(q).replace(" (", "\n(") for q in wide.index])
    ax.set_ylabel("Children starting to be looked after")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(title="Age at start", frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
    by_band, total, top, year = _starters_summary(table)
    if total:
        ax.set_title(f"{format_count(total)} starts in care in {year}; most often aged {top.lower()} ({format_count(by_band[top])})")
    else:
        ax.set_title(f"No children started to be looked after in {year}")
    return ax


def starters_by_age_band_alt_text(table: pd.DataFrame) -> str:
    """Text alternative for :func:`starters_by_age_band`."""
    _require(table, ["quarter_label", "age_band", "count"], "starters_by_age_band alt text")
    by_band, total, top, year = _starters_summary(table)
    per_q = table.groupby("quarter_label", sort=False)["count"].sum()
    quarters = "; ".join(f"{q}: {format_count(v)}" for q, v in per_q.items())
    bands = "; ".join(f"{b}: {format_count(v)}" for b, v in by_band.items())
    head = f"Stacked bar chart of children starting to be looked after in each quarter of {year}, by age at the start. "
    if not total:
        return head + "No starts in the year."
    return head + f"{format_count(total)} starts in all, most often aged {top.lower()}. By quarter: {quarters}. By age: {bands}."


# --- profile on a date --------------------------------------------------------------------------


def _profile_parts(table: pd.DataFrame):
    col = next((c for c in _PROFILE_COLUMNS if c in table.columns), None)
    if col is None:
        from ..errors import ParameterError

        raise ParameterError(f"profile chart needs one of the columns {', '.join(_PROFILE_COLUMNS)} (from cohorts.profile_on).")
    if "date" in table.columns:
        last = table["date"].max()
        table = table.loc[table["date"] == last]
    else:
        last = None
    labels = table[col].astype(str)
    if col in ("LS", "PLACE") and "description" in table.columns:
        labels = labels + " " + table["description"].astype(str).str.slice(0, 40)
    return table.reset_index(drop=True), labels.reset_index(drop=True), col, last


def _profile_title(table, labels, col, last) -> str:
    when = f" on {pd.Timestamp(last).day} {pd.Timestamp(last):%B %Y}" if last is not None else ""
    total = table["total"].iloc[0] if "total" in table.columns else table["count"].sum()
    if total == 0:
        return f"No children in care{when}"
    plain = f"Children in care by {_PROFILE_NOUN[col]}{when}"
    shown = table["count"].dropna()
    if shown.empty or pd.isna(total) or shown.max() <= 0:
        return plain
    # name the largest shown only when the hidden counts together are fewer (none can be larger)
    top = shown.max()
    if len(shown) < len(table) and total - shown.sum() >= top:
        return plain
    k = int(shown.idxmax())
    pct = table["percent"].iloc[k] if "percent" in table.columns else 100 * table["count"].iloc[k] / total
    return f"{labels[k]} was the largest {_PROFILE_NOUN[col]} group{when} ({_pct(pct)} of {format_count(total)})"


def profile(table: pd.DataFrame, *, ax=None):
    """Horizontal bars of children in care by one characteristic, labelled with count and percent.

    Parameters
    ----------
    table : DataFrame
        From :func:`iro_analysis.cohorts.profile_on` (one of the columns ``legal_status``,
        ``LS``, ``ethnic_group``, ``sex``, ``age_band``, ``placement``, ``PLACE``, ``uasc``;
        ``count``, ``percent``). With several dates, the latest is drawn.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _require(table, ["count"], "profile chart")
    table, labels, col, last = _profile_parts(table)
    ax = get_ax(ax)
    y = np.arange(len(table))[::-1]
    ax.barh(y, table["count"].fillna(0), color=PALETTE[0])
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    pct = table["percent"] if "percent" in table.columns else 100 * table["count"] / max(table["count"].sum(), 1)
    for yy, n, p in zip(y, table["count"], pct):
        # a hidden count has no bar: only the "c" label, so its size cannot be read off the chart
        text = f" {HIDDEN} (not shown)" if pd.isna(n) else f" {format_count(n)} ({_pct(p)})"
        ax.text(0 if pd.isna(n) else n, yy, text, va="center", fontsize="small")
    ax.set_xlabel("Children in care")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    largest = table["count"].max()
    ax.set_xlim(0, max(1, 0 if pd.isna(largest) else largest) * 1.25)
    ax.set_title(_profile_title(table, labels, col, last))
    return ax


def profile_alt_text(table: pd.DataFrame, *, chart: bool = True) -> str:
    """Text alternative for :func:`profile`.

    With ``chart=False`` the text stands in place of a chart not drawn, so it does not begin
    by naming one.
    """
    _require(table, ["count"], "profile alt text")
    table, labels, col, last = _profile_parts(table)
    pct = table["percent"] if "percent" in table.columns else 100 * table["count"] / max(table["count"].sum(), 1)
    parts = "; ".join(f"{lab}: {HIDDEN}" if pd.isna(n) else f"{lab}: {format_count(n)} ({_pct(p)})"
                      for lab, n, p in zip(labels, table["count"], pct))
    head = f"Bar chart of children in care by {_PROFILE_NOUN[col]}. " if chart else ""
    text = f"{head}{_profile_title(table, labels, col, last)}. {parts}."
    if table["count"].isna().any():
        text += f" {HIDDEN} marks a number not shown to protect children's privacy."
    return text


# --- starters by age band, from the published (suppressed) table ---------------------------------


def _published_quarters(wide: pd.DataFrame):
    _require(wide, ["Year"], "starters chart")
    label = wide.columns[0]
    body = wide[wide[label] != "Total"].set_index(label)
    totals = wide[wide[label] == "Total"].set_index(label)
    quarters = [c for c in wide.columns[1:] if c not in ("Year", "last_year")]  # last year's total is no quarter
    return body[quarters], (totals[quarters].iloc[0] if len(totals) else pd.Series(np.nan, index=quarters)), quarters


def starters_by_age_band_published(wide: pd.DataFrame, *, year_label: str = "", ax=None):
    """Stacked bars of starts by quarter and age band, drawn from the published table.

    Parameters
    ----------
    wide : DataFrame
        The published table B (one row per age band and a "Total" row; quarter columns and
        "Year"; "last_year" when the return holds the year before, named in the title and not
        drawn), with hidden counts as NaN (:meth:`iro_analysis.publication.Publication.numeric`).
    year_label : str
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Hidden counts are never drawn to scale one by one. Where a quarter's total is published, the
    hidden bands of that quarter are drawn together as one hatched segment labelled "c" (their
    sum is the published total less the shown bands, so it reveals nothing new); where the total
    is hidden too, only a "c" marks the quarter.
    """
    body, totals, quarters = _published_quarters(wide)
    ax = get_ax(ax)
    x = np.arange(len(quarters))
    bottom = np.zeros(len(quarters))
    for k, band in enumerate(body.index):
        values = body.loc[band].to_numpy(dtype=float)
        ax.bar(x, np.nan_to_num(values), bottom=bottom, label=band, color=PALETTE[k % len(PALETTE)])
        bottom += np.nan_to_num(values)
    for position, quarter in enumerate(quarters):
        if not body[quarter].isna().any():
            continue
        rest = totals[quarter] - bottom[position] if pd.notna(totals[quarter]) else np.nan
        if pd.notna(rest) and rest > 0:
            ax.bar(position, rest, bottom=bottom[position], color="white", edgecolor="#555555", hatch="//",
                   label="Not shown (c)" if "Not shown (c)" not in ax.get_legend_handles_labels()[1] else None)
            ax.annotate(HIDDEN, (position, bottom[position] + rest), textcoords="offset points", xytext=(0, 2),
                        ha="center", fontsize="small")
        else:
            ax.annotate(HIDDEN, (position, bottom[position]), textcoords="offset points", xytext=(0, 2),
                        ha="center", fontsize="small")
    ax.set_xticks(x)
    ax.set_xticklabels([str(q).replace(" (", "\n(") for q in quarters])
    ax.set_ylabel("Children starting to be looked after")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(title="Age at start", frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
    ax.set_title(_published_starters_title(wide, year_label))
    return ax


def _published_starters_title(wide: pd.DataFrame, year_label: str) -> str:
    label = wide.columns[0]
    year = wide.set_index(label)["Year"]
    total = year.get("Total", np.nan)
    bands = year.drop("Total", errors="ignore")
    when = f" in {year_label}" if year_label else ""
    last = wide.set_index(label)["last_year"].get("Total", np.nan) if "last_year" in wide.columns else np.nan
    before = "" if pd.isna(last) else f" ({format_count(last)} the year before)"
    if pd.isna(total):
        return f"Starts in care{when}, by age at the start"
    if total == 0:
        return f"No children started to be looked after{when}{before}"
    top = bands.idxmax() if bands.notna().any() else None
    # name the largest band only when the hidden bands together are fewer (so none can be larger)
    hidden = total - bands.sum(skipna=True)
    if top is not None and (bands == bands[top]).sum() == 1 and not (bands.isna().any() and hidden >= bands[top]):
        return (f"{format_count(total)} starts in care{when}{before}; most often aged {str(top).lower()} "
                f"({format_count(bands[top])})")
    return f"{format_count(total)} starts in care{when}{before}"


def starters_by_age_band_published_alt_text(wide: pd.DataFrame, *, year_label: str = "", chart: bool = True) -> str:
    """Text alternative for :func:`starters_by_age_band_published` (hidden values read "c").

    With ``chart=False`` the text stands in place of a chart not drawn, so it does not begin
    by naming one.
    """
    body, totals, quarters = _published_quarters(wide)
    label = wide.columns[0]
    year = wide.set_index(label)["Year"]
    head = (f"Stacked bar chart of children starting to be looked after in each quarter"
            f"{' of ' + year_label if year_label else ''}, by age at the start. " if chart else "")
    by_quarter = "; ".join(f"{q}: {_count_or_hidden(totals[q])}" for q in quarters)
    by_band = "; ".join(f"{b}: {_count_or_hidden(year.get(b))}" for b in body.index)
    text = head + f"{_published_starters_title(wide, year_label)}. By quarter: {by_quarter}. By age: {by_band}."
    if body.isna().any().any() or totals.isna().any():
        text += f" {HIDDEN} marks a number not shown to protect children's privacy."
    return text
