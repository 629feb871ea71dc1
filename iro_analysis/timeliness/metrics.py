"""The review-timeliness metrics, the monthly series and the list of exceptions.

:func:`timeliness_summary` gives the three headline metrics of a schedule (reviews held on time,
due dates met, children with every due review on time) with Wilson intervals;
:func:`monthly_timeliness` the on-time share month by month (the input of the SPC charts in
:mod:`iro_analysis.timeliness.spc`); :func:`exception_list` the child-level list of every review
that was late, missed, doubtful or left out, with the reason in words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import parse_year, year_bounds, year_label
from ..errors import ParameterError

#: Columns of :func:`timeliness_summary`, in order.
SUMMARY_COLUMNS = (
    "metric",
    "numerator",
    "denominator",
    "percent",
    "ci_low",
    "ci_high",
    "not_judged",
    "year",
    "description",
)

_METRIC_DESCRIPTIONS = {
    "reviews_held": (
        "Reviews held in the year that were held on or before their due date, out of all reviews "
        "held in the year that could be judged (the figure most IRO reports quote)."
    ),
    "reviews_due": (
        "Review due dates falling in the year that were met on time, out of all due dates in the "
        "year; a review that was due but not held by the end of the year counts as not on time."
    ),
    "children": (
        "Children with at least one review due in the year all of whose due reviews were held on "
        "time, out of all children with a review due in the year."
    ),
}


def _wilson(x, n, confidence=0.95):
    """Wilson score interval of ``x`` successes in ``n`` (arrays); NaN where ``n`` is 0."""
    try:
        from ..stats import wilson_interval
    except ImportError:  # the stats subpackage is optional at import time
        from statsmodels.stats.proportion import proportion_confint

        x = np.asarray(x, dtype=float)
        n = np.asarray(n, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            low, high = proportion_confint(x, np.where(n > 0, n, 1), alpha=1 - confidence, method="wilson")
        return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)
    return wilson_interval(x, n, confidence=confidence)


def _check_schedule(schedule) -> None:
    """Refuse anything but a review schedule (a DataFrame with its key columns)."""
    if not isinstance(schedule, pd.DataFrame):
        raise ParameterError("schedule must be the DataFrame returned by review_schedule.")
    missing = [c for c in ("CHILD", "status", "review_date", "due_date", "on_time") if c not in schedule.columns]
    if missing:
        raise ParameterError(
            f"schedule lacks column(s) {missing}: pass the DataFrame returned by review_schedule."
        )


def _metric_counts(schedule: pd.DataFrame, year: int) -> dict:
    """``{metric: (numerator, denominator, not_judged)}`` for the three metrics of :func:`timeliness_summary`."""
    ys, ye = year_bounds(year)
    review = schedule["review_date"].to_numpy(dtype="datetime64[ns]")
    due = schedule["due_date"].to_numpy(dtype="datetime64[ns]")
    ys64, ye64 = np.datetime64(ys, "ns"), np.datetime64(ye, "ns")
    # every metric counts rows held or due in the year: look at those rows only
    rows = np.flatnonzero(((review >= ys64) & (review <= ye64)) | ((due >= ys64) & (due <= ye64)))  # NaT: False
    review, due = review[rows], due[rows]
    held_in = (review >= ys64) & (review <= ye64)
    due_in = (due >= ys64) & (due <= ye64)
    # status as small integer codes: one hash pass instead of several string comparisons
    codes, labels = pd.factorize(schedule["status"].to_numpy(dtype=object)[rows])
    lookup = {label: i for i, label in enumerate(labels)}

    def code_of(name):
        return lookup.get(name, -2)

    on_time = codes == code_of("on_time")
    late = codes == code_of("late")
    not_judged = codes == code_of("not_judged")
    judged_held = held_in & (on_time | late)
    due_rows = due_in & (on_time | late | (codes == code_of("missed")))
    nj_held = int((held_in & not_judged).sum())
    # children: every due date of the child in the year met on time. A schedule lists each
    # child's rows together, so runs of one child are hashed once each
    child = schedule["CHILD"].to_numpy(dtype=object)[rows]
    due_child = child[due_rows]
    run_start = np.flatnonzero(np.r_[True, due_child[1:] != due_child[:-1]]) if len(due_child) else np.zeros(0, np.int64)
    run_codes, children = pd.factorize(due_child[run_start])
    run_failures = np.add.reduceat((~on_time[due_rows]).astype(np.int64), run_start) if len(run_start) else run_start
    failures = np.bincount(run_codes, weights=run_failures, minlength=len(children))
    nj_children = int(pd.unique(child[held_in & not_judged]).size)
    return {
        "reviews_held": (int((judged_held & on_time).sum()), int(judged_held.sum()), nj_held),
        "reviews_due": (int((due_rows & on_time).sum()), int(due_rows.sum()), nj_held),
        "children": (int((failures == 0).sum()), int(len(children)), nj_children),
    }


def timeliness_summary(schedule: pd.DataFrame, year, *, confidence: float = 0.95) -> pd.DataFrame:
    """The three review-timeliness metrics, each with a Wilson interval.

    Parameters
    ----------
    schedule : DataFrame
        Output of :func:`review_schedule` for the same ``year``.
    year : int or str
        Reporting year ending 31 March.
    confidence : float, default 0.95
        Level of the Wilson score interval.

    Returns
    -------
    DataFrame
        Three rows (``metric`` = ``reviews_held``, ``reviews_due``, ``children``) with columns
        ``metric, numerator, denominator, percent, ci_low, ci_high`` (0-100 scale),
        ``not_judged`` (reviews held in the year, or children with such a review, that could
        not be judged because the previous review is before the loaded returns; they are in no
        denominator), ``year`` (label such as ``"2022-23"``) and ``description`` (plain English).

    Raises
    ------
    ParameterError
        If ``schedule`` is not a review schedule.

    Notes
    -----
    * ``reviews_held`` = reviews held in the year on or before their due date / reviews held
      in the year that could be judged (duplicates, short breaks and reviews outside care
      excluded).
    * ``reviews_due`` = due dates in the year met on time / due dates in the year (a missed
      review counts as not on time).
    * ``children`` = children all of whose due dates in the year were met / children with a
      due date in the year.

    Interval: Wilson score (methods note §2.1), ``percent = 100 * numerator / denominator``;
    NaN when the denominator is 0.

    Examples
    --------
    >>> sched = pd.DataFrame({"CHILD": ["A", "A", "B"], "status": ["on_time", "late", "missed"],
    ...     "review_date": pd.to_datetime(["2022-05-01", "2022-11-20", None]),
    ...     "due_date": pd.to_datetime(["2022-05-10", "2022-11-01", "2022-12-01"]),
    ...     "on_time": [True, False, False]})
    >>> summary = timeliness_summary(sched, 2023)
    >>> summary[["metric", "numerator", "denominator"]].values.tolist()
    [['reviews_held', 1, 2], ['reviews_due', 1, 3], ['children', 0, 2]]
    >>> summary["percent"].round(2).tolist()
    [50.0, 33.33, 0.0]
    """
    year = parse_year(year)
    _check_schedule(schedule)
    attrs_year = schedule.attrs.get("year") if hasattr(schedule, "attrs") else None
    if attrs_year is not None and int(attrs_year) != year:
        raise ParameterError(
            f"this schedule was built for {year_label(int(attrs_year))}, not {year_label(year)}: "
            "build the schedule for the same year (it only lists missed reviews up to its year end)."
        )
    counts = _metric_counts(schedule, year)
    metrics = ["reviews_held", "reviews_due", "children"]
    num = np.array([counts[m][0] for m in metrics], dtype=float)
    den = np.array([counts[m][1] for m in metrics], dtype=float)
    low, high = _wilson(num, den, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(den > 0, 100 * num / np.where(den > 0, den, 1), np.nan)
    return pd.DataFrame(
        {
            "metric": metrics,
            "numerator": [counts[m][0] for m in metrics],
            "denominator": [counts[m][1] for m in metrics],
            "percent": pct,
            "ci_low": 100 * np.asarray(low, dtype=float),
            "ci_high": 100 * np.asarray(high, dtype=float),
            "not_judged": [counts[m][2] for m in metrics],
            "year": year_label(year),
            "description": [_METRIC_DESCRIPTIONS[m] for m in metrics],
        }
    )


def monthly_timeliness(schedule: pd.DataFrame, year, *, basis: str = "held", months: int = 12) -> pd.DataFrame:
    """On-time share by month, for an XmR chart.

    Parameters
    ----------
    schedule : DataFrame
        Output of :func:`review_schedule` for ``year``.
    year : int or str
        Reporting year ending 31 March; the series ends in its March.
    basis : {"held", "due"}
        ``"held"``: reviews held in the month (the reviews_held metric); ``"due"``: due dates
        in the month, missed reviews counting as not on time (the reviews_due metric).
    months : int, default 12
        Number of months ending in March of ``year``; more than 12 reaches into earlier
        loaded years (where a schedule built for ``year`` still judges every review).

    Returns
    -------
    DataFrame
        Columns ``month`` (first day, Timestamp), ``month_label`` ("Apr 2022"),
        ``numerator``, ``denominator``, ``percent`` (NaN when no reviews).

    Examples
    --------
    >>> sched = pd.DataFrame({"CHILD": ["A", "B"], "status": ["on_time", "late"],
    ...     "review_date": pd.to_datetime(["2022-04-05", "2022-04-20"]),
    ...     "due_date": pd.to_datetime(["2022-04-10", "2022-04-10"]), "on_time": [True, False]})
    >>> row = monthly_timeliness(sched, 2023).iloc[0]
    >>> int(row["numerator"]), int(row["denominator"]), float(row["percent"])
    (1, 2, 50.0)
    """
    year = parse_year(year)
    _check_schedule(schedule)
    if basis not in ("held", "due"):
        raise ParameterError(f"basis={basis!r} is not recognised: use 'held' or 'due'.")
    months = int(months)
    if months < 1:
        raise ParameterError("months must be at least 1.")
    _, ye = year_bounds(year)
    first = (ye.to_period("M") - (months - 1)).to_timestamp()
    status = schedule["status"].astype(object)
    if basis == "held":
        date = schedule["review_date"]
        use = status.isin(["on_time", "late"])
    else:
        date = schedule["due_date"]
        use = status.isin(["on_time", "late", "missed"])
    sel = use & date.between(first, ye)
    month = date.loc[sel].dt.to_period("M").dt.to_timestamp()
    grouped = pd.DataFrame({"month": month, "ok": status.loc[sel].eq("on_time")}).groupby("month")["ok"]
    index = pd.date_range(first, periods=months, freq="MS")
    num = grouped.sum().reindex(index, fill_value=0).astype("int64")
    den = grouped.size().reindex(index, fill_value=0).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(den.to_numpy() > 0, 100 * num.to_numpy() / np.maximum(den.to_numpy(), 1), np.nan)
    return pd.DataFrame(
        {
            "month": index,
            "month_label": index.strftime("%b %Y"),
            "numerator": num.to_numpy(),
            "denominator": den.to_numpy(),
            "percent": pct,
        }
    )


_FLAG_TEXT = {
    "close_to_previous": "held only days after the previous review (possible duplicate record)",
    "due_date_upper_bound": "previous review before the loaded returns: latest possible due date used",
    "remand": "remanded (LS J1): CPPCR Part 8A may modify the schedule",
    "placed_for_adoption": "placed for adoption (A3-A6): reg 36 schedule",
    "history_before_loaded_returns": "period of care began before the loaded returns",
}

_STATUS_TEXT = {
    "late": "held after its due date",
    "missed": "due but not held by the end of the year (or before the child left care)",
    "not_judged": "cannot be judged: the previous review is before the loaded returns",
    "on_time": "on time",
}

_EXCLUSION_TEXT = {
    "outside_period_of_care": "review dated outside any period of care",
    "short_breaks_only": "review in a short-breaks-only period (LS V3/V4), which expects none (DfE rule 399)",
    "duplicate_same_day": "second record of a review on the same day",
    "before_loaded_returns": "review dated before the loaded returns begin",
}


def exception_list(schedule: pd.DataFrame, year=None) -> pd.DataFrame:
    """Every late, missed, doubtful or excluded review in the year, with the reason (RESTRICTED).

    Parameters
    ----------
    schedule : DataFrame
        Output of :func:`review_schedule`.
    year : int or str, optional
        Keep rows held or due in this year (default: the schedule's ``in_year`` rows).

    Returns
    -------
    DataFrame
        Child-level, restricted: never put it in a shareable output. Columns ``CHILD,
        period_start, review_number, review_date, due_date, rule, status, days_late, reason,
        flags, collection_year, source_row``, sorted by child and date.
    """
    _check_schedule(schedule)
    if year is None:
        in_year = schedule["in_year"].to_numpy(dtype=bool)
    else:
        ys, ye = year_bounds(parse_year(year))
        in_year = (schedule["review_date"].between(ys, ye) | schedule["due_date"].between(ys, ye)).to_numpy(dtype=bool)
    status = schedule["status"].astype(object).fillna("")
    flags = schedule["flags"].astype(object).fillna("") if "flags" in schedule.columns else pd.Series("", index=schedule.index)
    doubtful = flags.str.contains("close_to_previous|due_date_upper_bound", regex=True).to_numpy(dtype=bool)
    keep = in_year & ((status != "on_time").to_numpy(dtype=bool) | doubtful)
    sub = schedule.loc[keep]
    reason = []
    for st, ex, fl in zip(
        sub["status"].astype(object),
        sub["exclusion_reason"].astype(object) if "exclusion_reason" in sub.columns else [None] * len(sub),
        flags.loc[keep],
    ):
        parts = [_EXCLUSION_TEXT.get(ex, str(ex))] if isinstance(ex, str) and ex else [_STATUS_TEXT.get(st, st)]
        parts += [_FLAG_TEXT[f] for f in str(fl).split(";") if f in _FLAG_TEXT]
        reason.append("; ".join(parts))
    cols = ["CHILD", "period_start", "review_number", "review_date", "due_date", "rule", "status", "days_late"]
    out = sub.loc[:, [c for c in cols if c in sub.columns]].copy()
    out["reason"] = reason
    out["flags"] = flags.loc[keep].to_numpy()
    for c in ("collection_year", "source_row"):
        if c in sub.columns:
            out[c] = sub[c].to_numpy()
    return out.reset_index(drop=True)
