"""Why the number of reviews held changed between two years.

:func:`review_count_change` splits the reviews held in each of two years into components (first
and second reviews of new periods of care, adoption-schedule reviews, early reviews after a
placement move, other early reviews, routine reviews, reviews that cannot be judged) with
context rows (children in care, periods starting, children reviewed); :func:`has_previous_year`
tells a notebook whether the loaded returns allow the comparison.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import parse_year, year_bounds, year_label
from ..errors import ParameterError
from .inputs import _child_array, _collection_years, _table
from .once import periods_of, schedules_once
from .schedule import review_schedule

_CHANGE_COLUMNS = ("component", "kind", "previous", "current", "change", "share_of_change", "description")

_PLACEMENT_CHANGE_RNE = ("P", "T", "B", "U")

_COMPONENTS = (
    ("first_reviews", "First reviews of a period of care (new periods of care)."),
    ("second_reviews", "Second reviews, three months after the first (new periods of care)."),
    ("adoption_reviews", "Reviews on the adoption schedule (reg 36) after a placement for adoption."),
    ("early_after_placement_move", "Later reviews held well before their due date within the window after a placement move."),
    ("other_early_reviews", "Later reviews held well before their due date with no placement move just before."),
    ("routine_reviews", "Later reviews held near or after their six-monthly due date."),
    ("not_judged", "Reviews whose previous review is before the loaded returns."),
)


def _placement_moves(data) -> pd.DataFrame:
    """Starts of episodes that changed placement (RNE P, T, B or U): ``CHILD, move_date``."""
    try:
        from ..cohorts import episodes_deduplicated

        eps = episodes_deduplicated(data)
    except (ImportError, AttributeError):  # pragma: no cover - cohorts always provides it
        eps = _table(data, "episodes")
    if eps is None or not len(eps) or "RNE" not in eps.columns:
        return pd.DataFrame({"CHILD": pd.Series(dtype=object), "move_date": pd.Series(dtype="datetime64[ns]")})
    rne = eps["RNE"].astype(object).str.upper()
    moves = eps.loc[rne.isin(_PLACEMENT_CHANGE_RNE).to_numpy(dtype=bool)]
    return pd.DataFrame(
        {"CHILD": _child_array(moves["CHILD"]), "move_date": pd.to_datetime(moves["DECOM"]).to_numpy(dtype="datetime64[ns]")}
    )


def _classify_reviews(data, sched: pd.DataFrame, early_days: int, move_window_days: int,
                      moves: pd.DataFrame | None = None) -> pd.DataFrame:
    """The reviews held in the schedule's year, each with its ``component`` (see :func:`review_count_change`).

    ``moves`` are :func:`_placement_moves` of ``data`` when already worked out (both years of
    the count change use the same ones).
    """
    held = sched.loc[sched["held_in_year"] & sched["status"].isin(["on_time", "late", "not_judged"])].copy()
    # a handful of distinct rules: each tested once (str.startswith), the answers gathered back
    index, rules = pd.factorize(held["rule"].astype(object).fillna("").to_numpy(dtype=object))
    rules = pd.Series(np.asarray(rules, dtype=object), dtype=object)

    def starts(prefix: str) -> np.ndarray:
        return rules.str.startswith(prefix).to_numpy(dtype=bool)[index]

    comp = np.full(len(held), "routine_reviews", dtype=object)
    due = held["due_date"].to_numpy(dtype="datetime64[ns]")
    rdate = held["review_date"].to_numpy(dtype="datetime64[ns]")
    early = ~np.isnat(due) & (rdate < due - np.timedelta64(int(early_days), "D"))
    moved = np.zeros(len(held), dtype=bool)
    if moves is None:
        moves = _placement_moves(data)
    if len(held) and len(moves):
        moved = _after_recent_move(held, rdate, moves, move_window_days)
    comp = np.where(early & moved, "early_after_placement_move", comp)
    comp = np.where(early & ~moved, "other_early_reviews", comp)
    comp = np.where(starts("adoption"), "adoption_reviews", comp)
    comp = np.where(starts("second"), "second_reviews", comp)
    comp = np.where(starts("first"), "first_reviews", comp)
    comp = np.where(held["status"].eq("not_judged").to_numpy(dtype=bool), "not_judged", comp)
    held["component"] = comp
    return held


def _after_recent_move(held: pd.DataFrame, rdate: np.ndarray, moves: pd.DataFrame, window: int) -> np.ndarray:
    """Reviews held within ``window`` days after the child's latest placement move on or before
    them, that move falling after the previous review (else that review already followed it).

    The move is found by :func:`iro_analysis._asof.latest_on_or_before`, the same one
    ``merge_asof`` finds (:func:`_after_recent_move_merged`, which answers where it cannot).
    """
    from .._asof import latest_on_or_before

    child = held["CHILD"].astype(object).to_numpy()
    at = latest_on_or_before(child, rdate, moves["CHILD"].to_numpy(dtype=object),
                             moves["move_date"].to_numpy(dtype="datetime64[ns]"))
    if at is None:
        return _after_recent_move_merged(held, rdate, moves, window)
    found = at >= 0
    move = moves["move_date"].to_numpy(dtype="datetime64[ns]")[np.clip(at, 0, None)]
    recent = np.zeros(len(held), dtype=bool)
    # whole days from the move (Timedelta.days: floored), as the merged frame's .dt.days
    recent[found] = ((rdate[found] - move[found]) // np.timedelta64(1, "D")) <= window
    prev = held["previous_review_date"].to_numpy(dtype="datetime64[ns]")
    return recent & (np.isnat(prev) | (move > prev))


def _after_recent_move_merged(held: pd.DataFrame, rdate: np.ndarray, moves: pd.DataFrame, window: int) -> np.ndarray:
    """:func:`_after_recent_move` by ``pandas.merge_asof``: the general path."""
    moved = np.zeros(len(held), dtype=bool)
    left = pd.DataFrame({"CHILD": held["CHILD"].astype(object).to_numpy(), "review_date": rdate, "_i": np.arange(len(held))})
    left = left.sort_values("review_date", kind="stable")
    right = moves.sort_values("move_date", kind="stable")
    m = pd.merge_asof(left, right, left_on="review_date", right_on="move_date", by="CHILD", direction="backward")
    recent = (m["review_date"] - m["move_date"]).dt.days.le(window).fillna(False).to_numpy(dtype=bool)
    prev = held["previous_review_date"].to_numpy(dtype="datetime64[ns]")[m["_i"].to_numpy()]
    after_prev = np.isnat(prev) | (m["move_date"].to_numpy(dtype="datetime64[ns]") > prev)
    moved[m["_i"].to_numpy()] = recent & after_prev
    return moved


def review_count_change(
    data,
    year,
    *,
    early_days: int = 28,
    move_window_days: int = 28,
    periods: pd.DataFrame | None = None,
    if_missing: str = "raise",
    **schedule_options,
) -> pd.DataFrame:
    """Why the number of reviews held changed between the previous year and ``year``.

    Parameters
    ----------
    data : SSDA903
        Returns covering ``year`` and the year before (a multi-year stack).
    year : int or str
        Reporting year ending 31 March.
    early_days : int, default 28
        A later review is "early" when held more than this many days before its due date.
    move_window_days : int, default 28
        An early review follows a placement move when an episode with RNE P, T, B or U
        (change of placement) began within this many days before it, after the previous review.
    periods : DataFrame, optional
        Precomputed :func:`iro_analysis.cohorts.periods_of_care`.
    if_missing : {"raise", "empty"}
        What to do when the previous year is not loaded: raise, or return the table with no
        rows (for notebooks, which then show an empty table and their prose explains why).
    **schedule_options
        Passed to :func:`review_schedule` (``first_review``, ``later_intervals`` …).

    Returns
    -------
    DataFrame
        Columns ``component, kind ("context"|"reviews"|"total"), previous, current, change,
        share_of_change (percent of the change in total reviews; NaN for context rows or when
        the total did not change), description``. Context rows: children in care during the
        year (short breaks excluded), periods of care starting in the year, children
        reviewed, reviews per child reviewed. Review rows add up to ``total_reviews``
        (reviews held in the year, duplicates, short breaks and reviews outside care left out).

    Raises
    ------
    ParameterError
        If the loaded returns do not cover the previous year.

    Notes
    -----
    Each review held in a year falls in exactly one component: first and second reviews (the
    reviews a new period of care brings), adoption-schedule reviews, later reviews held more
    than ``early_days`` before their due date (split by whether a placement move came just
    before), routine later reviews, and reviews that cannot be judged. Wokingham's 2022-23 report
    asks exactly this question (435 reviews against 338 the year before).
    """
    year = parse_year(year)
    year = parse_year(year)
    if if_missing not in ("raise", "empty"):
        raise ParameterError(f"if_missing={if_missing!r}: use 'raise' or 'empty'.")
    years = _collection_years(data)
    if (not years or year - 1 < years[0]) and if_missing == "empty":
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c in ("previous", "current", "change", "share_of_change") else object)
             for c in _CHANGE_COLUMNS}
        )
    if not years or year - 1 < years[0]:
        first = year_label(years[0]) if years else "one return without a collection year"
        raise ParameterError(
            f"the loaded returns start with {first}: comparing {year_label(year)} with the year "
            f"before needs the {year_label(year - 1)} return as well (load a multi-year folder)."
        )
    with schedules_once():  # the two years' schedules share the return's arrays and periods
        counted = periods_of(data) if periods is None else periods
        moves = _placement_moves(data)
        rows = {y: _year_counts(data, y, counted, periods, moves, early_days, move_window_days, schedule_options)
                for y in (year - 1, year)}
    return _change_table(rows[year - 1], rows[year], year)


def _year_counts(data, y: int, periods: pd.DataFrame, given, moves: pd.DataFrame, early_days: int,
                 move_window_days: int, schedule_options: dict) -> dict:
    """The context counts and the reviews in each component for one year (:func:`review_count_change`).

    ``periods`` are the periods of care counted; ``given`` is the caller's ``periods`` argument
    (None: the schedule works them out, as the other schedules of the return do); ``moves``
    the return's :func:`_placement_moves`.

    Returns
    -------
    dict
        ``children_in_care``, ``periods_starting``, ``children_reviewed``, one count per
        component, ``total_reviews`` and ``reviews_per_child`` (NaN when nobody was reviewed).
    """
    sched = review_schedule(data, y, periods=given, **schedule_options)
    held = _classify_reviews(data, sched, early_days, move_window_days, moves)
    ys, ye = year_bounds(y)
    per = periods.loc[~periods["short_breaks_only"].fillna(False).astype(bool)]
    in_care = per.loc[(per["period_start"] <= ye) & (per["period_end"].isna() | (per["period_end"] >= ys))]
    counts = {
        "children_in_care": int(in_care["CHILD"].nunique()),
        "periods_starting": int(per["period_start"].between(ys, ye).sum()),
        "children_reviewed": int(held["CHILD"].nunique()),
    }
    for name, _ in _COMPONENTS:
        counts[name] = int((held["component"] == name).sum())
    counts["total_reviews"] = int(len(held))
    counts["reviews_per_child"] = counts["total_reviews"] / counts["children_reviewed"] if counts["children_reviewed"] else np.nan
    return counts


_CONTEXT = (
    ("children_in_care", "Children looked after at any time in the year (short breaks excluded)."),
    ("periods_starting", "Periods of care that started in the year."),
    ("children_reviewed", "Children with at least one review held in the year."),
    ("reviews_per_child", "Reviews held per child reviewed."),
)


def _change_table(before: dict, after: dict, year: int) -> pd.DataFrame:
    """The table of :func:`review_count_change` from the counts of the two years.

    ``change = current - previous``; ``share_of_change = 100 * change / change in total reviews``
    for the review rows (NaN for context rows, or when the total did not change).
    """
    out = []
    total_change = after["total_reviews"] - before["total_reviews"]
    for name, desc in _CONTEXT:
        out.append((name, "context", before[name], after[name], desc))
    for name, desc in _COMPONENTS:
        out.append((name, "reviews", before[name], after[name], desc))
    out.append(("total_reviews", "total", before["total_reviews"], after["total_reviews"],
                "Reviews held in the year (the sum of the review components)."))
    frame = pd.DataFrame(out, columns=["component", "kind", "previous", "current", "description"])
    frame["previous"] = frame["previous"].astype(float)
    frame["current"] = frame["current"].astype(float)
    frame["change"] = frame["current"] - frame["previous"]
    share = np.where(
        (frame["kind"] != "context") & (total_change != 0), 100 * frame["change"] / (total_change or 1), np.nan
    )
    frame["share_of_change"] = share
    frame = frame.loc[:, list(_CHANGE_COLUMNS)]
    frame.attrs["years"] = (year_label(year - 1), year_label(year))
    return frame


def has_previous_year(data, year) -> bool:
    """Whether the loaded returns include the year before ``year`` (needed by :func:`review_count_change`)."""
    years = _collection_years(data)
    return bool(years) and years[0] <= parse_year(year) - 1
