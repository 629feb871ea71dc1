"""Counts for a reporting year: the headline summary, month ends, missing episodes and participation.

Also the quarter-by-category grid (:func:`_count_by_quarter`) the starters and leavers tables
use, and the whole-year row of the quarterly tables (:func:`_with_year_row`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import codes
from ..calendar import month_ends, parse_year, year_bounds, year_label
from ..errors import ParameterError
from .constants import _MONTH_ABBR, _NOT_RECORDED, _PN_CODES, SHORT_BREAK_LS
from .dates import _quarter_frame, _quarters, quarters
from .normalise import _as_dates, _child, _codes_upper, _latest_per_key, _require_columns, _table
from .periods import _kept, _periods_for_counts, _source, prepare
from .profiles import _describe_column, _ordered_categories
from .snapshots import _in_care_frame, _ls_at, _uasc_on


def year_summary(data, year, *, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Headline counts for a reporting year.

    Returns
    -------
    DataFrame
        ``measure, count, year, year_label`` with measures ``in_care_start`` (at the end of
        31 March before the year), ``in_care_end`` (31 March), ``in_care_during_year``
        (children in care at any time in the year), ``periods_started``, ``children_started``,
        ``periods_ended``, ``children_ceased``, ``uasc_end``.

    Notes
    -----
    "During the year" = a period (of the counted kind) overlapping 1 April–31 March.
    With short breaks excluded, periods made only of V3/V4 episodes are left out.
    """
    y = parse_year(year)
    start, end = year_bounds(y)
    prep = prepare(data)
    p = _periods_for_counts(prep, exclude_short_breaks)
    # masks over the period arrays and distinct child numbers: three subsets of the periods
    # frame and their nunique cost several times more
    first = p["period_start"].to_numpy(dtype="datetime64[ns]")
    last = p["period_end"].to_numpy(dtype="datetime64[ns]")
    lo, hi = np.datetime64(start, "ns"), np.datetime64(end, "ns")
    started = (first >= lo) & (first <= hi)  # NaT compares False, as between
    ended = (last >= lo) & (last <= hi)
    during = (first <= hi) & (np.isnat(last) | (last >= lo))
    kid, _ = pd.factorize(p["CHILD"].to_numpy(dtype=object))

    def children(mask):
        k = kid[mask]
        return len(np.unique(k[k >= 0]))  # a missing CHILD is not counted (as nunique)

    # in_care_start: end of the day before the year starts.
    at_start = _in_care_frame(prep, start - pd.Timedelta(days=1), exclude_short_breaks)
    at_end = _in_care_frame(prep, end, exclude_short_breaks)
    rows = [
        ("in_care_start", len(at_start)),
        ("in_care_end", len(at_end)),
        ("in_care_during_year", children(during)),
        ("periods_started", int(started.sum())),
        ("children_started", children(started)),
        ("periods_ended", int(ended.sum())),
        ("children_ceased", children(ended)),
        ("uasc_end", int(at_end["uasc"].sum())),
    ]
    out = pd.DataFrame(rows, columns=["measure", "count"])
    out["count"] = out["count"].astype("int64")
    out["year"] = y
    out["year_label"] = year_label(y)
    return out


def _population_value(population):
    if population is None:
        return None
    try:
        value = float(population)
    except (TypeError, ValueError):
        raise ParameterError(
            f"population must be a number (the 0-17 population, e.g. from "
            f"iro_analysis.reference.population_0_17()); got {type(population).__name__}."
        ) from None
    if not np.isfinite(value) or value <= 0:
        raise ParameterError(f"population must be a positive number; got {population!r}.")
    return value


def monthly_in_care(data, year, *, population=None, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Children in care at each month end of a reporting year (Wokingham Tables A and G).

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` (``header``/``uasc`` for the UASC count)
    year : int or str
        Reporting year ending 31 March (``2023`` or ``"2022-23"``).
    population : float, optional
        The 0–17 population used for the rate (e.g. ONS mid-year estimate).
    exclude_short_breaks : bool, default True

    Returns
    -------
    DataFrame
        12 rows, 30 April … 31 March: ``month_end`` (Timestamp), ``month`` ("Apr 2022"),
        ``children`` (in care at the end of the month end), ``uasc`` (of whom UASC),
        ``population_0_17`` (float, NaN without ``population``), ``rate_per_10k``
        (``children / population_0_17 * 10000``, unrounded; NaN without population),
        ``year``, ``year_label``.

    Notes
    -----
    Counts equal ``len(in_care_on(data, month_end))`` for each month end. DfE publishes
    rates rounded to whole numbers; round for display only.
    """
    y = parse_year(year)
    pop = _population_value(population)
    prep = prepare(data)
    ends = month_ends(y)
    ch = prep.chain
    decom = ch["DECOM"].to_numpy(dtype="datetime64[ns]")
    ce = ch["cover_end"].to_numpy(dtype="datetime64[ns]")
    keep = ~ch["short_break"].to_numpy() if exclude_short_breaks else np.ones(len(ch), bool)
    rows = []
    for d in ends:  # 12 vectorised passes over the chain, not a loop over children
        t = np.datetime64(d, "ns")
        mask = keep & (decom <= t) & (np.isnat(ce) | (ce > t))
        uasc = int(_uasc_on(prep, ch["_cid"].to_numpy()[mask], d).sum())
        rows.append((d, f"{_MONTH_ABBR[d.month - 1]} {d.year}", int(mask.sum()), uasc))
    out = pd.DataFrame(rows, columns=["month_end", "month", "children", "uasc"])
    out["population_0_17"] = np.nan if pop is None else pop
    out["rate_per_10k"] = out["children"] / out["population_0_17"] * 10000
    out["year"] = y
    out["year_label"] = year_label(y)
    return out


def _count_by_quarter(frame: pd.DataFrame, y: int, col: str, standard) -> pd.DataFrame:
    """Counts (and distinct children) by quarter (``_q``) x category (``_g``), zeros included."""
    cats = _ordered_categories(frame["_g"], standard)
    if not cats:
        return _count_by_quarter_pandas(frame, y, col, cats)
    # Quarter-major grid of 4 x len(cats) cells; counts with bincount, distinct children
    # from the distinct (cell, child) pairs. Same result as a groupby, without its overhead.
    k = len(cats)
    g = pd.Index(cats).get_indexer(frame["_g"])
    q = frame["_q"].to_numpy(dtype="float64", na_value=np.nan)
    ok = (g >= 0) & ~np.isnan(q)
    cell = (np.where(ok, q, 1).astype(np.int64) - 1) * k + g
    cell = cell[ok]
    count = np.bincount(cell, minlength=4 * k)
    kid, _ = pd.factorize(frame["CHILD"].to_numpy(dtype=object)[ok])
    has_kid = kid >= 0
    pairs = np.unique(cell[has_kid] * np.int64(max(len(kid), 1)) + kid[has_kid])
    children = np.bincount(pairs // np.int64(max(len(kid), 1)), minlength=4 * k)
    qs = _quarters(y)
    out = qs.iloc[np.repeat(np.arange(len(qs)), k)].reset_index(drop=True)
    out[col] = pd.Series(np.tile(np.asarray(cats, dtype=object), len(qs)), dtype=object)
    out["count"] = count[: 4 * k].astype("int64")
    out["children"] = children[: 4 * k].astype("int64")
    out = _describe_column(out, col)
    return out.reset_index(drop=True)


def _count_by_quarter_pandas(frame: pd.DataFrame, y: int, col: str, cats) -> pd.DataFrame:
    qs = quarters(y)
    grid = pd.MultiIndex.from_product([qs["quarter"], cats], names=["quarter", col])
    counts = frame.groupby(["_q", "_g"]).size()
    counts.index = counts.index.set_names(["quarter", col])
    kids = frame.groupby(["_q", "_g"])["CHILD"].nunique()
    kids.index = kids.index.set_names(["quarter", col])
    out = pd.DataFrame({"count": counts.reindex(grid, fill_value=0), "children": kids.reindex(grid, fill_value=0)})
    out = out.reset_index()
    out["quarter"] = out["quarter"].astype("int64")
    out = qs.merge(out, on="quarter", how="right")
    out["count"] = out["count"].astype("int64")
    out["children"] = out["children"].astype("int64")
    out[col] = out[col].astype(object)
    out = _describe_column(out, col)
    return out.reset_index(drop=True)


def _dedup_table(data, name: str, keys, date_cols, purpose: str) -> pd.DataFrame:
    df = _table(data, name, purpose=purpose)
    _require_columns(df, name, keys)
    df = _as_dates(df, name, date_cols)
    df = df.assign(CHILD=_child(df["CHILD"]))
    return _latest_per_key(df, keys).reset_index(drop=True)


def _dated_in_year(data, df: pd.DataFrame, date_col: str, y: int, exclude_short_breaks: bool) -> pd.DataFrame:
    """Rows of ``df`` whose ``date_col`` falls in reporting year ``y``, optionally leaving out
    those dated while the child's current episode was a short break (LS V3/V4)."""
    start, end = year_bounds(y)
    df = df.loc[df[date_col].between(start, end)]
    if exclude_short_breaks and len(df):
        ls = _ls_at(prepare(data), df["CHILD"], df[date_col])
        df = df.loc[~ls.isin(SHORT_BREAK_LS)]
    return df


def missing_by_quarter(data, year, *, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Missing and away-without-authorisation episodes starting in each quarter (Table L).

    Parameters
    ----------
    data : SSDA903 or object with ``missing`` (``CHILD, MISSING, MIS_START``) and ``episodes``
    year : int or str
        Reporting year ending 31 March.
    exclude_short_breaks : bool, default True
        Leave out episodes starting while the child's current episode is LS V3/V4.

    Returns
    -------
    DataFrame
        Five rows (Q1–Q4, then the whole year with ``quarter`` NA and ``quarter_label`` e.g.
        "2022-23"): ``quarter`` (Int64), ``quarter_label``, ``quarter_start``, ``quarter_end``,
        ``missing_episodes`` (MISSING = M), ``away_episodes`` (A), ``episodes`` (all, including
        blank/unknown type), ``missing_children``, ``away_children``, ``children`` (distinct
        children with any episode; not additive over quarters, hence the year row).

    Notes
    -----
    An episode belongs to the quarter in which it started (MIS_START), whenever it ended.
    In a multi-year stack an episode is taken once (CHILD, MIS_START, MISSING).
    """
    y = parse_year(year)
    mi = _dedup_table(_source(data), "missing", ["CHILD", "MIS_START", "MISSING"], ("MIS_START", "MIS_END"),
                      "missing episodes")
    mi = _dated_in_year(data, mi, "MIS_START", y, exclude_short_breaks)
    mi = mi.assign(_q=_quarter_frame(mi["MIS_START"], y), MISSING=_codes_upper(mi["MISSING"]))
    qs = _quarters(y)
    # boolean masks over arrays: five quarters' subsets of the frame cost far more than counting
    quarter = mi["_q"].to_numpy(dtype="float64", na_value=np.nan)
    kind = mi["MISSING"].to_numpy(dtype=object)
    kid, _ = pd.factorize(mi["CHILD"].to_numpy(dtype=object))
    is_m, is_a = kind == "M", kind == "A"

    def children(mask):
        k = kid[mask]
        return len(np.unique(k[k >= 0]))  # a blank CHILD is not a child (as nunique)

    rows = []
    for q in [int(q) for q in qs["quarter"]] + [None]:
        sub = np.ones(len(mi), dtype=bool) if q is None else quarter == q
        m, a = sub & is_m, sub & is_a
        rows.append((q, int(m.sum()), int(a.sum()), int(sub.sum()), children(m), children(a), children(sub)))
    counts = pd.DataFrame(rows, columns=["quarter", "missing_episodes", "away_episodes", "episodes",
                                         "missing_children", "away_children", "children"])
    return _with_year_row(qs, counts, y)


def _with_year_row(qs: pd.DataFrame, counts: pd.DataFrame, y: int) -> pd.DataFrame:
    start, end = year_bounds(y)
    head = pd.concat(
        [qs, pd.DataFrame({"quarter": [None], "quarter_label": [year_label(y)], "quarter_start": [start], "quarter_end": [end]})],
        ignore_index=True,
    )
    head["quarter"] = pd.array(head["quarter"].tolist(), dtype="Int64")
    counts = counts.assign(quarter=pd.array(counts["quarter"].tolist(), dtype="Int64"))
    out = head.merge(counts, on="quarter", how="left")
    for c in counts.columns:
        if c != "quarter" and pd.api.types.is_numeric_dtype(counts[c]):
            if pd.api.types.is_integer_dtype(counts[c]):
                out[c] = out[c].astype("int64")
    return out


def participation_by_quarter(data, year, *, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Reviews held in each quarter by participation code PN0–PN7 (Wokingham Table N).

    Parameters
    ----------
    data : SSDA903 or object with ``reviews`` (``CHILD, REVIEW, REVIEW_CODE``) and ``episodes``
    year : int or str
        Reporting year ending 31 March.
    exclude_short_breaks : bool, default True
        Leave out reviews held while the child's current episode is LS V3/V4.

    Returns
    -------
    DataFrame
        Rows for Q1–Q4 and the whole year (``quarter`` NA, ``quarter_label`` e.g.
        "2022-23") × REVIEW_CODE (PN0–PN7, then "Not recorded" and unlisted codes when
        present): ``quarter`` (Int64), ``quarter_label``, ``quarter_start``, ``quarter_end``,
        ``REVIEW_CODE``, ``description``, ``count``, ``reviews`` (all reviews in that quarter
        or year), ``percent`` (``count / reviews * 100``, 0–100, unrounded; NaN if no reviews).

    Notes
    -----
    Reviews are those with a REVIEW date in the quarter; in a multi-year stack each
    (CHILD, REVIEW) is taken once, from the latest return.
    """
    y = parse_year(year)
    # A report asks for each year's table twice (the cohort tables and Table N); within a
    # prepared return the first result is kept with the chain and each caller gets a copy.
    prep = _kept(data)
    if prep is None:
        return _participation_by_quarter(data, y, exclude_short_breaks)
    key = ("participation_by_quarter", y, bool(exclude_short_breaks))
    if key not in prep._cache:
        prep._cache[key] = _participation_by_quarter(prep, y, exclude_short_breaks)
    return prep._cache[key].copy()


def _participation_by_quarter(data, y: int, exclude_short_breaks: bool) -> pd.DataFrame:
    rv = _dedup_table(_source(data), "reviews", ["CHILD", "REVIEW"], ("REVIEW",), "participation")
    _require_columns(rv, "reviews", ("REVIEW_CODE",))
    rv = _dated_in_year(data, rv, "REVIEW", y, exclude_short_breaks)
    code = _codes_upper(rv["REVIEW_CODE"])
    code = code.where(code.notna(), _NOT_RECORDED)
    cats = _ordered_categories(code, _PN_CODES)
    q = _quarter_frame(rv["REVIEW"], y).to_numpy(dtype="float64", na_value=np.nan)
    qs = _quarters(y)
    # each review's code by position in ``cats``, counted per quarter: one frame, not five
    pos = pd.Index(cats, dtype=object).get_indexer(code)
    quarter, count, reviews = [], [], []
    for qn in [int(qn) for qn in qs["quarter"]] + [None]:
        sel = pos if qn is None else pos[q == qn]
        quarter += [qn] * len(cats)
        count.append(np.bincount(sel[sel >= 0], minlength=len(cats)))
        reviews.append(np.full(len(cats), len(sel), dtype="int64"))
    blocks = pd.DataFrame({"quarter": pd.Series(quarter, dtype=object), "REVIEW_CODE": cats * (len(qs) + 1),
                           "count": np.concatenate(count).astype("int64"), "reviews": np.concatenate(reviews)})
    out = _with_year_row(qs, blocks, y)
    out["REVIEW_CODE"] = out["REVIEW_CODE"].astype(object)
    out["description"] = out["REVIEW_CODE"].map(
        lambda c: "Not recorded" if c == _NOT_RECORDED else codes.describe("REVIEW_CODE", c)
    ).astype(object)
    out["percent"] = np.where(out["reviews"] > 0, out["count"] / out["reviews"].where(out["reviews"] > 0) * 100, np.nan)
    cols = ["quarter", "quarter_label", "quarter_start", "quarter_end", "REVIEW_CODE", "description", "count",
            "reviews", "percent"]
    return out[cols]
