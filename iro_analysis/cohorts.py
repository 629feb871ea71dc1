"""Periods of care, the standard cohorts and the counts every IRO annual report publishes.

Everything here is a count of children, periods of care or records, derived from the SSDA903
episodes (and header, UASC, missing and reviews tables). No statistics, no plotting.

The building block is the *episode chain*: the episodes of each child, de-duplicated across
returns and sorted by start date (DECOM). A **period of care** starts at an episode with
RNE ``"S"`` or at the child's first episode seen, and ends at the first episode end (DEC)
whose reason (REC) is not ``"X1"`` (X1: "episode ceases and a new one begins the same day").
A child is **in care at the end of a date** ``d`` when one of their episodes started on or
before ``d`` and had not ended by ``d`` (``DECOM <= d < DEC``, DEC blank = still open).

Chain faults are repaired in one documented way, and each repair is reported by
:func:`episode_chain_findings`:

* an X1 episode whose DEC is not the next episode's DECOM (a gap or an overlap) is treated
  as continuous up to the next episode's DECOM (as LIIA's multi-year episode fix, rule 5);
* an open episode (DEC blank) followed by a later episode is treated as ending on the next
  episode's DECOM: with X1 if the next episode does not start a new period, otherwise the
  period ends with an unknown reason (LIIA rules 1 and 1A);
* in a multi-year stack, an episode still open in an earlier return whose child has no later
  episode is closed on 31 March of that return's year with an unknown reason (LIIA rule 2);
* an episode ending with a reason other than X1 after the next episode began (an overlap)
  stops counting on the next episode's DECOM, so nobody is counted twice on a date.

Children looked after under an agreed series of short-term breaks (legal status V3/V4) are
excluded by default from every count, as in the DfE statistics "Children looked after in
England including adoptions"; pass ``exclude_short_breaks=False`` to include them.

All public functions accept an :class:`iro_analysis.ssda903.SSDA903` object, a
:class:`CohortData` from :func:`prepare` (build the chain once for many calls), or any object
with the table attributes (``episodes`` required; ``header``, ``uasc``, ``missing``,
``reviews`` as needed; an absent table is ``None`` or a missing attribute). Multi-year stacks
carry ``collection_year``; each record is then taken from the latest return that has it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import codes
from .calendar import month_ends, parse_year, year_bounds, year_label
from .errors import ParameterError

__all__ = [
    "CohortData",
    "prepare",
    "AGE_BANDS",
    "PLACEMENT_GROUPS",
    "PLACEMENT_GROUP_ORDER",
    "SHORT_BREAK_LS",
    "age_on",
    "age_band",
    "date_turns_18",
    "quarters",
    "episodes_deduplicated",
    "periods_of_care",
    "in_care_on",
    "episode_chain_findings",
    "year_summary",
    "monthly_in_care",
    "starters_by_quarter",
    "profile_on",
    "leavers_by_quarter",
    "reaching_18",
    "missing_by_quarter",
    "participation_by_quarter",
    "cohort_tables",
]

#: Legal statuses of an agreed series of short-term breaks (excluded from DfE counts).
SHORT_BREAK_LS = ("V3", "V4")
_REMAND_LS = ("J1",)
_ADOPTION_PLACE = ("A3", "A4", "A5", "A6")

#: DfE age bands (labels as in the DfE characteristics tables) as (label, lowest age).
AGE_BANDS = (
    ("Under 1 year", 0),
    ("1 to 4 years", 1),
    ("5 to 9 years", 5),
    ("10 to 15 years", 10),
    ("16 years and over", 16),
)
_AGE_NOT_KNOWN = "Not known"
_NOT_RECORDED = "Not recorded"

#: PLACE -> DfE placement group (labels of the DfE characteristics table "Placement",
#: 2025 publication). H5, P2 and K3 are "Independent and semi-independent living
#: arrangements/supported accommodation"; T0-T4, Z1 and Z11-Z14 are "Other placements".
PLACEMENT_GROUPS = {
    **{c: "Foster placements" for c in ("U1", "U2", "U3", "U4", "U5", "U6")},
    **{c: "Placed for adoption" for c in _ADOPTION_PLACE},
    "P1": "Placed with parents or other person with parental responsibility",
    **{c: "Independent and semi-independent living arrangements/supported accommodation" for c in ("H5", "P2", "K3")},
    **{c: "Secure homes and children's homes" for c in ("K1", "K2")},
    **{c: "Other residential settings" for c in ("R1", "R2", "R3", "R5", "P3")},
    "S1": "Residential schools",
    **{c: "Other placements" for c in ("T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14")},
}
#: Display order of the placement groups.
PLACEMENT_GROUP_ORDER = (
    "Foster placements",
    "Placed for adoption",
    "Placed with parents or other person with parental responsibility",
    "Independent and semi-independent living arrangements/supported accommodation",
    "Secure homes and children's homes",
    "Other residential settings",
    "Residential schools",
    "Other placements",
)

_SEX_LABELS = {"M": "Male", "F": "Female", "U": "Unknown", "1": "Male", "2": "Female"}
_LS_GROUP_ORDER = tuple(dict.fromkeys(codes.LS_GROUPS.values()))
_REC_GROUP_ORDER = tuple(dict.fromkeys(codes.REC_GROUPS.values()))
_PN_CODES = ("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_EPISODE_COLUMNS = ("CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC")


# ---------------------------------------------------------------------------------------------
# Small public helpers: ages, bands, quarters
# ---------------------------------------------------------------------------------------------


def age_on(dob, when) -> pd.Series:
    """Age in whole years on a date (or on a date per row).

    Parameters
    ----------
    dob : Series of datetime64
        Dates of birth.
    when : date-like or Series of datetime64
        The date(s) on which to measure age (aligned with ``dob`` if a Series).

    Returns
    -------
    Series (Int64)
        Completed years; NA where either date is missing.

    Notes
    -----
    ``age = year(when) - year(dob) - [ (month, day)(when) < (month, day)(dob) ]``. A child
    born on 29 February therefore has a birthday on 1 March in non-leap years (the date on
    which they attain the age in English law: Family Law Reform Act 1969 s.9).

    Examples
    --------
    >>> dob = pd.Series(pd.to_datetime(["2004-02-29", "2004-02-29", "2010-06-15"]))
    >>> age_on(dob, pd.Timestamp("2022-02-28")).tolist()
    [17, 17, 11]
    >>> age_on(dob, pd.Timestamp("2022-03-01")).tolist()
    [18, 18, 11]
    """
    dob = pd.to_datetime(pd.Series(dob))
    if isinstance(when, pd.Series):
        w = pd.to_datetime(when)
        w.index = dob.index
        wy, wmd = w.dt.year, w.dt.month * 100 + w.dt.day
    else:
        w = pd.Timestamp(when)
        wy, wmd = w.year, w.month * 100 + w.day
    years = wy - dob.dt.year - ((wmd < dob.dt.month * 100 + dob.dt.day).astype("int64"))
    out = years.astype("Float64").astype("Int64")
    missing = dob.isna() | (w.isna() if isinstance(w, pd.Series) else pd.isna(w))
    return out.mask(missing, pd.NA)


def _ymd(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day (int64 arrays) of datetime64 values (garbage where NaT)."""
    d = np.asarray(dates, dtype="datetime64[ns]")
    months = d.astype("datetime64[M]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d.astype("datetime64[D]") - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def _age_fast(dob: np.ndarray, when, index) -> pd.Series:
    """:func:`age_on` for a datetime64 array of DOBs and a Timestamp or a datetime64 array
    (same length), as an Int64 Series on ``index``; numpy only (called many times per report)."""
    dob = np.asarray(dob, dtype="datetime64[ns]")
    y, m, d = _ymd(dob)
    missing = np.isnat(dob)
    if isinstance(when, pd.Timestamp):
        if pd.isna(when):
            missing = np.ones(len(dob), dtype=bool)
        wy, wmd = when.year, when.month * 100 + when.day
    else:
        w = np.asarray(when, dtype="datetime64[ns]")
        wy, wm, wd = _ymd(w)
        wmd = wm * 100 + wd
        missing = missing | np.isnat(w)
    years = wy - y - (wmd < m * 100 + d).astype(np.int64)
    values = np.where(missing, 0, years).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(values, missing.copy()), index=index)


def age_band(age) -> pd.Series:
    """DfE age band for ages in whole years.

    Bands: "Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years",
    "16 years and over" (the labels of the DfE characteristics tables); "Not known" for a
    missing age (and for a negative age, i.e. a date before birth).

    Examples
    --------
    >>> age_band(pd.Series([0, 1, 4, 5, 9, 10, 15, 16, 19, None], dtype="Int64")).tolist()[:9]
    ['Under 1 year', '1 to 4 years', '1 to 4 years', '5 to 9 years', '5 to 9 years', '10 to 15 years', '10 to 15 years', '16 years and over', '16 years and over']
    """
    a = pd.to_numeric(pd.Series(age), errors="coerce").astype("Float64")
    edges = [lo for _, lo in AGE_BANDS]
    idx = np.searchsorted(edges, a.fillna(-1).to_numpy(dtype=float), side="right") - 1
    labels = np.array([lab for lab, _ in AGE_BANDS] + [_AGE_NOT_KNOWN], dtype=object)
    idx = np.where(idx < 0, len(AGE_BANDS), idx)
    return pd.Series(labels[idx], index=a.index, dtype=object)


def date_turns_18(dob) -> pd.Series:
    """The date of each child's 18th birthday (29 February -> 1 March in a non-leap year).

    Examples
    --------
    >>> date_turns_18(pd.Series(pd.to_datetime(["2008-02-29", "2006-02-28"]))).dt.date.astype(str).tolist()
    ['2026-03-01', '2024-02-28']
    """
    dob = pd.to_datetime(pd.Series(dob))
    year = dob.dt.year + 18
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    feb29 = (dob.dt.month == 2) & (dob.dt.day == 29) & ~leap
    month = dob.dt.month.where(~feb29, 3)
    day = dob.dt.day.where(~feb29, 1)
    parts = pd.DataFrame({"year": year, "month": month, "day": day})
    ok = dob.notna()
    out = pd.Series(pd.NaT, index=dob.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = pd.to_datetime(parts[ok].astype("int64"))
    return out


_QUARTERS_CACHE: dict = {}


def _quarters(year: int) -> pd.DataFrame:
    """:func:`quarters` for an int year, memoised (a report asks for the same year many times)."""
    q = _QUARTERS_CACHE.get(year)
    if q is None:
        q = _QUARTERS_CACHE[year] = quarters(year)
    return q.copy()


def quarters(year) -> pd.DataFrame:
    """The four quarters of a reporting year.

    Parameters
    ----------
    year : int or str
        Reporting year (year ending 31 March), e.g. ``2023`` or ``"2022-23"``.

    Returns
    -------
    DataFrame
        ``quarter`` (1-4), ``quarter_label`` (e.g. "Q1 (Apr–Jun 2022)"), ``quarter_start``,
        ``quarter_end``.

    Examples
    --------
    >>> quarters(2023)["quarter_label"].tolist()
    ['Q1 (Apr–Jun 2022)', 'Q2 (Jul–Sep 2022)', 'Q3 (Oct–Dec 2022)', 'Q4 (Jan–Mar 2023)']
    """
    start, _ = year_bounds(year)
    rows = []
    for q in range(4):
        qs = start + pd.DateOffset(months=3 * q)
        qe = qs + pd.DateOffset(months=3) - pd.Timedelta(days=1)
        label = f"Q{q + 1} ({_MONTH_ABBR[qs.month - 1]}–{_MONTH_ABBR[qe.month - 1]} {qe.year})"
        rows.append((q + 1, label, qs, qe))
    return pd.DataFrame(rows, columns=["quarter", "quarter_label", "quarter_start", "quarter_end"])


# ---------------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------------


def _table(data, name: str, *, required: bool = True, purpose: str = ""):
    df = getattr(data, name, None)
    if df is None and required:
        raise ParameterError(
            f"The data have no {name} table{(' (needed for ' + purpose + ')') if purpose else ''}. "
            f"Load a return that includes the {name} CSV (see iro_analysis.load_ssda903)."
        )
    if df is not None and not isinstance(df, pd.DataFrame):
        raise ParameterError(f"data.{name} must be a pandas DataFrame, got {type(df).__name__}.")
    return df


def _require_columns(df: pd.DataFrame, table: str, columns) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParameterError(
            f"The {table} table lacks column(s) {', '.join(missing)}. Expected DfE SSDA903 column "
            f"names; load the return with iro_analysis.load_ssda903."
        )


def _as_dates(df: pd.DataFrame, table: str, columns) -> pd.DataFrame:
    """Make sure date columns are datetime64; strings are refused (dd/mm vs mm/dd ambiguity)."""
    out = {}
    for col in columns:
        if col not in df.columns:
            continue
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_localize(None)
            out[col] = s.astype("datetime64[ns]")
        elif s.isna().all():
            out[col] = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        elif s.dtype == object and s.dropna().map(lambda v: isinstance(v, (dt.date, np.datetime64))).all():
            out[col] = pd.to_datetime(s).astype("datetime64[ns]")  # Python dates in an object column
        else:
            raise ParameterError(
                f"Column {col} of the {table} table holds {s.dtype} values, not dates. Load the "
                f"return with iro_analysis.load_ssda903, which parses dd/mm/yyyy dates."
            )
    return df.assign(**out) if out else df


def _normalise_unique(s: pd.Series, func) -> pd.Series:
    """Apply a string clean-up to the distinct values only (codes repeat a lot), object dtype."""
    codes_, uniques = pd.factorize(s, use_na_sentinel=True)
    cleaned = np.array([func(v) for v in np.asarray(uniques, dtype=object)], dtype=object)  # distinct values only
    out = np.full(len(s), None, dtype=object)
    ok = codes_ >= 0
    out[ok] = cleaned[codes_[ok]]
    return pd.Series(out, index=s.index, name=s.name, dtype=object)


def _clean_code(v):
    t = str(v).strip().upper()
    return t if t else None


def _clean_child(v):
    t = str(v).strip()
    return t if t else None


def _via_unique(s: pd.Series, mapper) -> pd.Series:
    """Apply a Series -> Series code mapping (e.g. codes.ethnic_group) to distinct values only."""
    codes_, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = np.asarray(mapper(pd.Series(np.asarray(uniques, dtype=object), dtype=object)), dtype=object)
    out = np.full(len(s), None, dtype=object)
    ok = codes_ >= 0
    out[ok] = mapped[codes_[ok]]
    out = pd.Series(out, index=s.index, dtype=object)
    return out.where(out.notna(), None)


def _codes_upper(s: pd.Series) -> pd.Series:
    """Codes as upper-case stripped strings (object dtype), missing/blank -> None."""
    return _normalise_unique(s, _clean_code)


def _child(s: pd.Series) -> pd.Series:
    """CHILD as stripped str (object dtype), so tables read with different dtypes still join."""
    return _normalise_unique(s, _clean_child)


def _sort_key(col: pd.Series) -> np.ndarray:
    """An int64 array ordering like the column (dates by time, other values by sorted factorize)."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.to_numpy(dtype="datetime64[ns]").view("int64")
    if pd.api.types.is_integer_dtype(col) and not col.isna().any():
        return col.to_numpy(dtype="int64")
    codes_, _ = pd.factorize(col, sort=True, use_na_sentinel=True)
    return codes_.astype("int64")


def _latest_per_key(df: pd.DataFrame, keys) -> pd.DataFrame:
    """One row per key, sorted by the keys, from the latest collection year (later rows win ties).

    numpy lexsort on integer keys: a string sort of a million CHILD values would dominate.
    """
    n = len(df)
    if n == 0:
        return df
    arrays = [_sort_key(df[k]) for k in keys]
    tiebreak = [np.arange(n)]
    if "collection_year" in df.columns:
        cy = pd.to_numeric(df["collection_year"], errors="coerce").fillna(-1).to_numpy(dtype="int64")
        tiebreak = [cy] + tiebreak
    order = np.lexsort(tuple(reversed(arrays + tiebreak)))
    last = np.ones(n, dtype=bool)
    if n > 1:
        differs = np.zeros(n - 1, dtype=bool)
        for a in arrays:
            sa = a[order]
            differs |= sa[1:] != sa[:-1]
        last[:-1] = differs
    return df.iloc[order[last]]


# ---------------------------------------------------------------------------------------------
# Episodes, chain and periods of care
# ---------------------------------------------------------------------------------------------


def episodes_deduplicated(data) -> pd.DataFrame:
    """The episodes table with one row per (CHILD, DECOM), sorted by CHILD and DECOM.

    Parameters
    ----------
    data : SSDA903 or object with an ``episodes`` DataFrame
        ``episodes`` needs at least ``CHILD, DECOM, RNE, LS, PLACE, DEC, REC``.

    Returns
    -------
    DataFrame
        The episodes columns as given (``CHILD`` as str, codes upper-case, dates
        datetime64), index reset. Episodes with no start date (DECOM blank) cannot be placed
        in time and are dropped (reported by :func:`episode_chain_findings`).

    Raises
    ------
    ParameterError
        If there is no episodes table, a required column is missing or a date column does
        not hold dates.

    Notes
    -----
    In a multi-year stack the same episode appears in every return in which the child was
    looked after; the row from the latest ``collection_year`` is kept because it carries
    the latest DEC/REC (an episode open at 31 March is closed in a later return). Keys as
    LIIA's la-agg de-duplication (Episodes = CHILD, DECOM). Within one return a repeated
    (CHILD, DECOM) keeps the later line of the file.
    """
    return _dedup_episodes(data)[0].drop(columns="_pos")


def _dedup_episodes(data):
    ep = _table(data, "episodes", purpose="periods of care")
    _require_columns(ep, "episodes", _EPISODE_COLUMNS)
    ep = _as_dates(ep, "episodes", ("DECOM", "DEC"))
    fixes = {"CHILD": _child(ep["CHILD"]), "_pos": np.arange(len(ep))}  # _pos: row in the input table
    for col in ("RNE", "LS", "PLACE", "REC"):
        fixes[col] = _codes_upper(ep[col])
    ep = ep.assign(**fixes)
    no_start = ep["DECOM"].isna()
    dropped = ep.loc[no_start]
    ep = ep.loc[~no_start]
    ep = _latest_per_key(ep, ["CHILD", "DECOM"]).reset_index(drop=True)
    return ep, dropped


def _shift_same(values: np.ndarray, same: np.ndarray, step: int, fill):
    """values shifted by ``step`` rows, ``fill`` where the neighbour is another child."""
    out = np.empty_like(values)
    if step == -1:
        out[:-1] = values[1:]
        if len(out):
            out[-1] = fill
    else:
        out[1:] = values[:-1]
        if len(out):
            out[0] = fill
    out[~same] = fill
    return out


@dataclass(frozen=True)
class CohortData:
    """The episode chain and periods of care of one dataset, built once by :func:`prepare`.

    Pass it instead of the data to any function of this module to avoid rebuilding the chain
    (which dominates the run time on large stacks). Treat it as read-only; its attributes
    are internal. Children are numbered 0..n-1 in CHILD order (``_cid``); per-child attributes are numpy
    arrays indexed by that number, so joins are array look-ups, not string merges.
    """

    chain: pd.DataFrame  # episodes + derived columns, sorted by CHILD, DECOM; has _cid
    periods: pd.DataFrame  # public periods_of_care frame
    period_cid: np.ndarray
    data: object
    dropped: pd.DataFrame
    children: pd.Index  # CHILD by _cid
    dob: np.ndarray  # datetime64[ns] by _cid (NaT without header row)
    sex: np.ndarray  # object by _cid
    ethnic: np.ndarray  # object by _cid
    uasc_known: np.ndarray | None  # bool by _cid: in the UASC table
    uasc_duc: np.ndarray | None  # datetime64[ns] by _cid: DUC (NaT = not ceased)
    uasc_flag: np.ndarray | None  # bool by _cid: header UASC flag (no UASC table)
    # Results reused by several tables of one report (children in care on a date, chain
    # columns as arrays). Filled lazily; the data are read-only so it never goes stale.
    _cache: dict = field(default_factory=dict, repr=False, compare=False)


def _source(data):
    """The original data object (tables) behind a prepared chain."""
    return data.data if isinstance(data, CohortData) else data


def _cids(prep: "CohortData", children) -> np.ndarray:
    """Child numbers for CHILD values (-1 for a child with no episode)."""
    return prep.children.get_indexer(pd.Index(np.asarray(children, dtype=object)))


def _by_cid(n_children: int, pos: np.ndarray, values: np.ndarray, fill, dtype) -> np.ndarray:
    out = np.full(n_children, fill, dtype=dtype)
    ok = pos >= 0
    out[pos[ok]] = values[ok]
    return out


def _factorize_sorted(s: pd.Series) -> tuple[np.ndarray, object]:
    """``pd.factorize(s, sort=True)`` for a column already sorted, without hashing.

    Neighbouring values are compared instead (a tenth of the time on a national stack); a
    column with missing values takes the general path.
    """
    values = s.to_numpy(dtype=object)
    if len(values) < 2 or pd.isna(values).any():
        return pd.factorize(s, sort=True)
    head = np.empty(len(values), dtype=bool)
    head[0] = True
    np.not_equal(values[1:], values[:-1], out=head[1:])
    return np.cumsum(head) - 1, values[head]


def prepare(data) -> CohortData:
    """Build the episode chain and periods of care once, for several calls on the same data.

    Parameters
    ----------
    data : SSDA903 or object with the tables (``episodes`` required)

    Returns
    -------
    CohortData
        Accepted wherever this module takes ``data``. Rebuild it if the data change.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ep = pd.DataFrame({"CHILD": ["A"], "DECOM": pd.to_datetime(["2022-05-01"]), "RNE": ["S"],
    ...     "LS": ["C2"], "PLACE": ["U4"], "DEC": pd.to_datetime([None]), "REC": [None]})
    >>> cd = prepare(SimpleNamespace(episodes=ep))
    >>> len(in_care_on(cd, "2023-03-31")), len(periods_of_care(cd))
    (1, 1)
    """
    if isinstance(data, CohortData):
        return data
    ep, dropped = _dedup_episodes(data)
    n = len(ep)
    # ep is sorted by CHILD, so a sorted factorize numbers children in that order.
    cid, children = _factorize_sorted(ep["CHILD"])
    children = pd.Index(np.asarray(children, dtype=object))
    ep = ep.assign(_cid=cid.astype("int64"))
    same_next = np.zeros(n, dtype=bool)
    if n > 1:
        same_next[:-1] = cid[:-1] == cid[1:]
    same_prev = np.zeros(n, dtype=bool)
    same_prev[1:] = same_next[:-1]

    decom = ep["DECOM"].to_numpy(dtype="datetime64[ns]")
    dec = ep["DEC"].to_numpy(dtype="datetime64[ns]")
    rec = ep["REC"].to_numpy(dtype=object)
    rne = ep["RNE"].to_numpy(dtype=object)
    nat = np.datetime64("NaT", "ns")
    next_decom = _shift_same(decom, same_next, -1, nat)
    next_rne = _shift_same(rne, same_next, -1, None)

    is_open = np.isnat(dec)
    is_x1 = rec == "X1"
    # The next episode starts a new period if it is RNE S or this one ended for a real reason.
    next_is_s = next_rne == "S"
    continues = same_next & (is_x1 | is_open) & ~next_is_s
    ends_period = ~same_next | next_is_s | ~(is_x1 | is_open)

    eff_end = dec.copy()
    repaired = same_next & (is_x1 | is_open)  # ends where the next episode begins
    eff_end[repaired] = next_decom[repaired]
    stale = np.zeros(n, dtype=bool)
    if "collection_year" in ep.columns and n:
        cy = pd.to_numeric(ep["collection_year"], errors="coerce")
        latest = cy.max()
        stale = (is_open & ~same_next & (cy < latest).to_numpy()).astype(bool)
        if stale.any():
            year_end = pd.to_datetime(
                pd.DataFrame({"year": cy[stale].astype(int), "month": 3, "day": 31})
            ).to_numpy(dtype="datetime64[ns]")
            eff_end[stale] = np.maximum(year_end, decom[stale])
    # Interval during which this episode is the child's current one: [DECOM, cover_end).
    cover_end = eff_end.copy()
    overlap_next = same_next & ~np.isnat(eff_end) & (eff_end > next_decom)
    open_next = same_next & np.isnat(eff_end)
    clip = overlap_next | open_next
    cover_end[clip] = next_decom[clip]

    new_period = ~same_prev | (rne == "S")
    new_period[1:] |= same_prev[1:] & ~(continues[:-1])
    period_id = np.cumsum(new_period) - 1
    # Running count of period starts within each child: global cumsum minus its value before the child.
    csum = np.cumsum(new_period)
    first_of_child = ~same_prev
    base = np.maximum.accumulate(np.where(first_of_child, csum - new_period, 0)) if n else csum
    period_number = csum - base

    ls = ep["LS"].to_numpy(dtype=object)
    place = ep["PLACE"].to_numpy(dtype=object)
    chain = ep.assign(
        period_id=period_id,
        period_number=period_number,
        eff_end=eff_end,
        cover_end=cover_end,
        next_DECOM=next_decom,
        next_RNE=next_rne,
        ends_period=ends_period,
        short_break=np.isin(ls, SHORT_BREAK_LS),
        remand_ep=np.isin(ls, _REMAND_LS),
        adoption_ep=np.isin(place, _ADOPTION_PLACE),
        stale_open=stale,
        end_inferred_ep=(is_open & same_next) | stale,
    )

    # Period reason: the closing episode's REC when it has a DEC of its own; NA when the end
    # was inferred (open episode followed by a new period, or a stale open episode).
    end_reason = np.where(is_open, None, rec).astype(object)
    chain = chain.assign(_end_reason=end_reason,
                         _adopt_start=np.where(chain["adoption_ep"].to_numpy(), decom, nat))
    g = chain.groupby("period_id", sort=True)
    periods = pd.DataFrame(
        {
            "CHILD": g["CHILD"].first(),
            "period_number": g["period_number"].first().astype("int64"),
            "period_start": g["DECOM"].first(),
            "period_end": g["eff_end"].last(),
            "end_reason": g["_end_reason"].last(),
            "n_episodes": g.size().astype("int64"),
            "short_breaks_only": g["short_break"].all(),
            "remand": g["remand_ep"].any(),
            "placed_for_adoption": g["adoption_ep"].any(),
            "adoption_placement_start": g["_adopt_start"].min(),
            "ls_at_start": g["LS"].first(),
            "place_at_start": g["PLACE"].first(),
            "end_inferred": g["end_inferred_ep"].last(),
        }
    )
    # groupby.first/last skip missing values: take the closing episode's values positionally.
    last_rows = np.flatnonzero(np.r_[period_id[1:] != period_id[:-1], True]) if n else np.array([], int)
    first_rows = np.flatnonzero(new_period) if n else np.array([], int)
    periods["period_end"] = eff_end[last_rows]
    periods["end_reason"] = pd.Series(end_reason[last_rows], index=periods.index, dtype=object)
    periods["ls_at_start"] = pd.Series(ls[first_rows], index=periods.index, dtype=object)
    periods["place_at_start"] = pd.Series(place[first_rows], index=periods.index, dtype=object)
    periods["end_inferred"] = chain["end_inferred_ep"].to_numpy()[last_rows]
    periods = periods.reset_index(drop=True)
    periods["period_end"] = periods["period_end"].astype("datetime64[ns]")
    periods["adoption_placement_start"] = periods["adoption_placement_start"].astype("datetime64[ns]")
    chain = chain.drop(columns=["_end_reason", "_adopt_start"])
    period_cid = cid[first_rows].astype("int64") if n else np.array([], dtype="int64")

    nc = len(children)
    nat = np.datetime64("NaT", "ns")
    dob = np.full(nc, nat, dtype="datetime64[ns]")
    sex = np.full(nc, None, dtype=object)
    ethnic = np.full(nc, None, dtype=object)
    uasc_flag = None
    header = _header(data)
    if header is not None:
        pos = children.get_indexer(pd.Index(header["CHILD"].to_numpy(dtype=object)))
        dob = _by_cid(nc, pos, header["DOB"].to_numpy(dtype="datetime64[ns]"), nat, "datetime64[ns]")
        sex = _by_cid(nc, pos, header["SEX"].to_numpy(dtype=object), None, object)
        ethnic = _by_cid(nc, pos, header["ETHNIC"].to_numpy(dtype=object), None, object)
        if "UASC_flag" in header.columns:
            uasc_flag = _by_cid(nc, pos, header["UASC_flag"].to_numpy(dtype=bool), False, bool)
    uasc_known = uasc_duc = None
    ua = _table(data, "uasc", required=False)
    if ua is not None:
        _require_columns(ua, "uasc", ("CHILD",))
        ua = _as_dates(ua, "uasc", ("DUC",))
        ua = _latest_per_key(ua.assign(CHILD=_child(ua["CHILD"])), ["CHILD"])
        pos = children.get_indexer(pd.Index(ua["CHILD"].to_numpy(dtype=object)))
        uasc_known = _by_cid(nc, pos, np.ones(len(ua), dtype=bool), False, bool)
        duc = ua["DUC"].to_numpy(dtype="datetime64[ns]") if "DUC" in ua.columns else np.full(len(ua), nat)
        uasc_duc = _by_cid(nc, pos, duc, nat, "datetime64[ns]")
        uasc_flag = None
    return CohortData(chain=chain, periods=periods, period_cid=period_cid, data=data, dropped=dropped,
                     children=children, dob=dob, sex=sex, ethnic=ethnic, uasc_known=uasc_known,
                     uasc_duc=uasc_duc, uasc_flag=uasc_flag)


def periods_of_care(data) -> pd.DataFrame:
    """One row per period of care.

    Parameters
    ----------
    data : SSDA903 or object with an ``episodes`` DataFrame

    Returns
    -------
    DataFrame
        Sorted by CHILD and period_start, columns:

        - ``CHILD``
        - ``period_number``: 1, 2, … per child, by start
        - ``period_start``: DECOM of the first episode
        - ``period_end``: the end (NaT if still open)
        - ``end_reason``: REC of the closing episode; NA if open or if the end was inferred
          from a later episode (see module Notes)
        - ``n_episodes``
        - ``short_breaks_only``: every episode LS V3/V4
        - ``remand``: any episode LS J1 (remand: CPPCR Part 8A review schedule)
        - ``placed_for_adoption``: any episode with PLACE A3–A6
        - ``adoption_placement_start``: first DECOM with PLACE A3–A6, else NaT
        - ``ls_at_start``, ``place_at_start``: LS and PLACE of the first episode
        - ``end_inferred``: the end comes from a repair of the chain, not from a DEC

    Notes
    -----
    A period starts at an episode with RNE "S" or at the child's first episode seen, and
    ends at the first DEC whose REC is not "X1". SSDA903 guide (RNE, REC code lists);
    ``docs/domain/ssda903.md`` §4.3.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ep = pd.DataFrame({"CHILD": ["A", "A", "A"],
    ...     "DECOM": pd.to_datetime(["2022-05-01", "2022-07-01", "2022-12-01"]),
    ...     "RNE": ["S", "P", "S"], "LS": ["C1", "C2", "V2"], "PLACE": ["U4", "U6", "U6"],
    ...     "DEC": pd.to_datetime(["2022-07-01", "2022-09-30", None]),
    ...     "REC": ["X1", "E4A", None]})
    >>> p = periods_of_care(SimpleNamespace(episodes=ep))
    >>> p[["period_number", "n_episodes", "end_reason"]].values.tolist()
    [[1, 2, 'E4A'], [2, 1, None]]
    """
    prep = prepare(data)
    return prep.periods.copy()


def _header(data) -> pd.DataFrame | None:
    hd = _table(data, "header", required=False)
    if hd is None:
        return None
    _require_columns(hd, "header", ("CHILD",))
    hd = _as_dates(hd, "header", ("DOB",))
    hd = hd.assign(CHILD=_child(hd["CHILD"]))
    hd = _latest_per_key(hd, ["CHILD"])
    cols = {}
    for c in ("SEX", "ETHNIC"):
        cols[c] = _codes_upper(hd[c]) if c in hd.columns else pd.Series(None, index=hd.index, dtype=object)
    cols["DOB"] = hd["DOB"] if "DOB" in hd.columns else pd.Series(pd.NaT, index=hd.index, dtype="datetime64[ns]")
    out = pd.DataFrame({"CHILD": hd["CHILD"], **cols})
    if "UASC" in hd.columns:
        out["UASC_flag"] = _codes_upper(hd["UASC"]).isin(["1", "Y", "TRUE"]).to_numpy()
    return out


def _uasc_on(prep: "CohortData", cids: np.ndarray, when) -> np.ndarray:
    """Whether each child (by number) is UASC at the end of ``when``.

    In the UASC table with DUC (date UASC status ceased) blank or after ``when``; without a
    UASC table, the header's UASC flag (XML returns).
    """
    cids = np.asarray(cids, dtype="int64")
    ok = cids >= 0
    out = np.zeros(len(cids), dtype=bool)
    if prep.uasc_known is not None:
        t = np.datetime64(pd.Timestamp(when), "ns")
        duc = prep.uasc_duc[cids[ok]]
        out[ok] = prep.uasc_known[cids[ok]] & (np.isnat(duc) | (duc > t))
    elif prep.uasc_flag is not None:
        out[ok] = prep.uasc_flag[cids[ok]]
    return out


def _parse_date(when, what="date") -> pd.Timestamp:
    try:
        t = pd.Timestamp(when)
    except (ValueError, TypeError):
        t = None
    if t is None or pd.isna(t):
        raise ParameterError(f"{what} {when!r} is not a date: give e.g. '2023-03-31'.")
    return t.tz_localize(None) if t.tzinfo is not None else t.normalize()


def in_care_on(data, date, *, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """The children in care at the end of a date, one row per child.

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` (and optionally ``header``, ``uasc``)
    date : date-like
        E.g. ``"2023-03-31"``.
    exclude_short_breaks : bool, default True
        Leave out children whose current episode is LS V3/V4 (as the DfE statistics do).

    Returns
    -------
    DataFrame
        Sorted by CHILD: ``CHILD, period_start, DECOM`` (current episode), ``LS, PLACE, RNE,
        SEX, DOB, ETHNIC`` (from the header, latest return; NA without a header),
        ``age`` (whole years on the date, Int64), ``uasc`` (bool: in the UASC table with DUC
        blank or after the date; or header UASC = 1 when there is no UASC table).

    Notes
    -----
    In care at the end of ``d`` ⇔ an episode with ``DECOM <= d`` and ``DEC > d`` or DEC blank
    (after the chain repairs described in the module Notes). A child leaving on ``d`` is not
    counted; a child starting on ``d`` is. This is the DfE "looked after at 31 March" rule.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ep = pd.DataFrame({"CHILD": ["A", "B"], "DECOM": pd.to_datetime(["2022-05-01", "2022-06-01"]),
    ...     "RNE": ["S", "S"], "LS": ["C2", "V3"], "PLACE": ["U4", "U6"],
    ...     "DEC": pd.to_datetime([None, None]), "REC": [None, None]})
    >>> in_care_on(SimpleNamespace(episodes=ep), "2023-03-31")["CHILD"].tolist()
    ['A']
    """
    when = _parse_date(date)
    prep = prepare(data)
    return _in_care_frame(prep, when, exclude_short_breaks).copy()


def _chain_arrays(prep: CohortData) -> dict:
    """The chain columns used for date look-ups, as numpy arrays (built once per prep)."""
    a = prep._cache.get("chain_arrays")
    if a is None:
        ch = prep.chain
        a = prep._cache["chain_arrays"] = {
            "CHILD": ch["CHILD"].to_numpy(dtype=object),
            "_cid": ch["_cid"].to_numpy(dtype="int64"),
            "period_id": ch["period_id"].to_numpy(),
            "DECOM": ch["DECOM"].to_numpy(dtype="datetime64[ns]"),
            "cover_end": ch["cover_end"].to_numpy(dtype="datetime64[ns]"),
            "short_break": ch["short_break"].to_numpy(dtype=bool),
            "LS": ch["LS"].to_numpy(dtype=object),
            "PLACE": ch["PLACE"].to_numpy(dtype=object),
            "RNE": ch["RNE"].to_numpy(dtype=object),
            "period_start": prep.periods["period_start"].to_numpy(dtype="datetime64[ns]"),
        }
    return a


def _in_care_frame(prep: CohortData, when: pd.Timestamp, exclude_short_breaks: bool) -> pd.DataFrame:
    """Children in care at the end of ``when`` (see :func:`in_care_on`). Memoised on the
    prep: a report asks for the same dates many times. Callers must not modify the frame."""
    key = ("in_care", pd.Timestamp(when), bool(exclude_short_breaks))
    cached = prep._cache.get(key)
    if cached is not None:
        return cached
    a = _chain_arrays(prep)
    d = np.datetime64(pd.Timestamp(when), "ns")
    ce = a["cover_end"]
    mask = (a["DECOM"] <= d) & (np.isnat(ce) | (ce > d))
    if exclude_short_breaks:
        mask &= ~a["short_break"]
    idx = np.flatnonzero(mask)
    cid = a["_cid"][idx]
    dob = prep.dob[cid]
    out = pd.DataFrame(
        {
            "CHILD": a["CHILD"][idx],
            "period_start": a["period_start"][a["period_id"][idx]],
            "DECOM": a["DECOM"][idx],
            "LS": a["LS"][idx],
            "PLACE": a["PLACE"][idx],
            "RNE": a["RNE"][idx],
            "SEX": prep.sex[cid],
            "DOB": dob,
            "ETHNIC": prep.ethnic[cid],
        }
    )
    out["age"] = _age_fast(dob, pd.Timestamp(when), out.index)
    out["uasc"] = _uasc_on(prep, cid, when)
    prep._cache[key] = out
    return out  # already in CHILD order: the chain is sorted by child number


# ---------------------------------------------------------------------------------------------
# Chain findings
# ---------------------------------------------------------------------------------------------


def _make_findings(df: pd.DataFrame) -> pd.DataFrame:
    try:
        from .quality import make_findings
    except ImportError:  # quality not available: same shape by hand
        cols = ("check", "severity", "table", "row", "CHILD", "column", "value", "message")
        out = df.reindex(columns=cols)
        out["row"] = pd.to_numeric(out["row"], errors="coerce").astype("Int64")
        return out.reset_index(drop=True)
    return make_findings(df)


def _source_lines(data, table: str):
    """1-based source-file line of each input row, when the loader recorded them."""
    lines = getattr(data, "_lines", None)
    df = getattr(data, table, None)
    if isinstance(lines, dict) and df is not None:
        arr = lines.get(table)
        if arr is not None and len(arr) == len(df):
            return np.asarray(arr)
    return None


def _iso(values) -> np.ndarray:
    s = pd.Series(pd.to_datetime(pd.Series(values)))
    return s.dt.strftime("%Y-%m-%d").fillna("blank").to_numpy(dtype=object)


def episode_chain_findings(data) -> pd.DataFrame:
    """Gaps, overlaps and other faults in each child's chain of episodes.

    Parameters
    ----------
    data : SSDA903 or object with an ``episodes`` DataFrame

    Returns
    -------
    DataFrame
        The findings shape (``check, severity, table, row, CHILD, column, value, message``),
        table ``"episodes"``, ``row`` NA (rows are identified by CHILD and the dates in the
        message). Child-level, restricted output. Checks:

        - ``episode_no_start`` (error): DECOM blank; the episode is ignored.
        - ``episode_duplicate`` (warning): the same CHILD and DECOM twice in one return.
        - ``episode_ends_before_start`` (error): DEC before DECOM.
        - ``episode_x1_gap`` (warning): REC X1 but the next episode starts later; treated
          as continuous.
        - ``episode_x1_last`` (warning): REC X1 but no next episode; the period is taken to
          end on DEC.
        - ``episode_x1_then_new_period`` (warning): REC X1 followed by RNE S; a new period
          is started.
        - ``episode_overlap`` (error): DEC after the next episode's DECOM.
        - ``episode_open_not_last`` (error): DEC blank but a later episode exists; treated
          as ending on the next DECOM.
        - ``episode_open_stale`` (warning): open in an earlier return of a multi-year stack,
          child absent from later returns; closed on 31 March of that return's year.
        - ``episode_new_period_without_s`` (warning): the previous episode ended the
          period (REC not X1) but this one's RNE is not S; a new period is started.

    Notes
    -----
    These mirror the repairs applied by :func:`periods_of_care` and :func:`in_care_on`
    (module Notes) so that each repair is visible to the analyst. Related DfE validation
    rules cover part of this (e.g. overlapping episodes); LIIA's multi-year episode fix
    rules 1, 1A, 2 and 5 make the same repairs.
    """
    prep = prepare(data)
    ch = prep.chain
    n = len(ch)
    cid = ch["_cid"].to_numpy(dtype="int64")
    decom = ch["DECOM"].to_numpy(dtype="datetime64[ns]")
    dec = ch["DEC"].to_numpy(dtype="datetime64[ns]")
    nxt = ch["next_DECOM"].to_numpy(dtype="datetime64[ns]")
    rec = ch["REC"].to_numpy(dtype=object)
    rne = ch["RNE"].to_numpy(dtype=object)
    next_rne = ch["next_RNE"].to_numpy(dtype=object)
    has_next = ~np.isnat(nxt)
    is_open = np.isnat(dec)
    is_x1 = rec == "X1"
    parts = []

    def txt(values):
        return _iso(values)

    lines = _source_lines(_source(data), "episodes")
    pos = ch["_pos"].to_numpy()

    def block(src_pos, children, check, severity, column, value, message):
        """One block of findings on the episodes at positions ``src_pos`` of the source table."""
        parts.append(
            pd.DataFrame(
                {
                    "check": check,
                    "severity": severity,
                    "table": "episodes",
                    "row": lines[src_pos] if lines is not None else pd.NA,
                    "CHILD": children,
                    "column": column,
                    "value": value,
                    "message": message,
                }
            )
        )

    def add(mask, check, severity, column, value, message):
        """One block of findings on chain rows; value/message are functions of the selected row
        positions, so text is only built for the rows that fire."""
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        block(pos[idx], ch["CHILD"].to_numpy(dtype=object)[idx], check, severity, column,
              np.broadcast_to(np.asarray(value(idx), dtype=object), idx.shape),
              np.asarray(message(idx), dtype=object))

    if len(prep.dropped):
        dr = prep.dropped
        block(dr["_pos"].to_numpy(), _child(dr["CHILD"]).to_numpy(dtype=object), "episode_no_start", "error",
              "DECOM", "blank",
              "Episode has no start date (DECOM); it is left out of periods of care and "
              "counts. Correct DECOM in the case management system.")

    # Duplicates within one return (different returns repeating an episode is normal).
    ep = _table(_source(data), "episodes")
    keys = ["CHILD", "DECOM"] + (["collection_year"] if "collection_year" in ep.columns else [])
    e2 = _as_dates(ep[keys], "episodes", ("DECOM",)).assign(_pos=np.arange(len(ep)))
    e2 = e2.loc[e2["DECOM"].notna()]
    key_arrays = [pd.factorize(_child(e2["CHILD"]))[0], e2["DECOM"].to_numpy(dtype="datetime64[ns]").view("int64")]
    if "collection_year" in keys:
        key_arrays.append(pd.factorize(e2["collection_year"])[0])
    dup = pd.DataFrame({f"k{i}": a for i, a in enumerate(key_arrays)}).duplicated(keep="first").to_numpy()
    if dup.any():
        d = e2.loc[dup]
        block(d["_pos"].to_numpy(), _child(d["CHILD"]).to_numpy(dtype=object), "episode_duplicate", "warning",
              "DECOM", _iso(d["DECOM"]),
              "More than one episode with this child and start date in one return; "
              "the last one in the file is used.")

    add(~is_open & (dec < decom), "episode_ends_before_start", "error", "DEC",
        lambda i: txt(dec[i]),
        lambda i: "Episode starting " + txt(decom[i]) + " ends " + txt(dec[i])
        + ", before it starts. Correct DECOM or DEC.")
    add(is_x1 & has_next & ~is_open & (dec < nxt) & (next_rne != "S"), "episode_x1_gap", "warning", "DEC",
        lambda i: txt(dec[i]),
        lambda i: "Episode ends " + txt(dec[i]) + " with REC X1 but the next episode starts " + txt(nxt[i]) + " ("
        + ((nxt[i] - dec[i]) // np.timedelta64(1, "D")).astype(str).astype(object)
        + " days later); treated as continuous care. Check DEC of this episode or DECOM of the next.")
    add(is_x1 & ~has_next & ~is_open, "episode_x1_last", "warning", "REC",
        lambda i: "X1",
        lambda i: "Episode ends " + txt(dec[i]) + " with REC X1 (a new episode begins the same day) but there is "
        "no later episode; the period of care is taken to end on " + txt(dec[i])
        + ". Add the missing episode or correct REC.")
    add(is_x1 & has_next & (next_rne == "S"), "episode_x1_then_new_period", "warning", "REC",
        lambda i: "X1",
        lambda i: "Episode ends " + txt(dec[i]) + " with REC X1 but the next episode (" + txt(nxt[i])
        + ") has RNE S (started to be looked after); a new period of care is started. Correct REC or the next RNE.")
    add(~is_open & has_next & (dec > nxt), "episode_overlap", "error", "DEC",
        lambda i: txt(dec[i]),
        lambda i: "Episode starting " + txt(decom[i]) + " ends " + txt(dec[i]) + ", after the next episode starts ("
        + txt(nxt[i]) + "); the child is counted in the later episode from " + txt(nxt[i]) + ". Correct the dates.")
    add(is_open & has_next, "episode_open_not_last", "error", "DEC",
        lambda i: "blank",
        lambda i: "Episode starting " + txt(decom[i]) + " has no end date but a later episode starts " + txt(nxt[i])
        + "; treated as ending " + txt(nxt[i]) + ". Record DEC and REC.")
    if "collection_year" in ch.columns:
        cy = ch["collection_year"].to_numpy()
        add(ch["stale_open"].to_numpy(dtype=bool), "episode_open_stale", "warning", "DEC",
            lambda i: "blank",
            lambda i: "Episode starting " + txt(decom[i]) + " is open in the " + cy[i].astype(str).astype(object)
            + " return but the child has no episode in later returns; treated as ending on 31 March "
            + cy[i].astype(str).astype(object) + ".")
    prev_real_end = np.zeros(n, dtype=bool)
    if n > 1:
        prev_real_end[1:] = (cid[1:] == cid[:-1]) & ~is_open[:-1] & ~is_x1[:-1]
    add(prev_real_end & (rne != "S"), "episode_new_period_without_s", "warning", "RNE",
        lambda i: rne[i],
        lambda i: "Episode starting " + txt(decom[i]) + " follows an episode that ended the period of care "
        "(REC not X1) but its RNE is not S; a new period of care is started. Correct RNE or the previous REC.")

    if not parts:
        return _make_findings(pd.DataFrame(columns=["check", "severity"]))
    return _make_findings(pd.concat(parts, ignore_index=True))


# ---------------------------------------------------------------------------------------------
# Counts for a reporting year
# ---------------------------------------------------------------------------------------------


def _periods_for_counts(prep: CohortData, exclude_short_breaks: bool) -> pd.DataFrame:
    p = prep.periods
    return p.loc[~p["short_breaks_only"]] if exclude_short_breaks else p


def _dob_of(prep: CohortData, periods: pd.DataFrame) -> pd.Series:
    """DOB for rows of the periods frame (index positions into prep.period_cid)."""
    cid = prep.period_cid[periods.index.to_numpy()]
    return pd.Series(prep.dob[cid], index=periods.index, dtype="datetime64[ns]")


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
    started = p.loc[p["period_start"].between(start, end)]
    ended = p.loc[p["period_end"].between(start, end)]
    during = p.loc[(p["period_start"] <= end) & (p["period_end"].isna() | (p["period_end"] >= start))]
    # in_care_start: end of the day before the year starts.
    at_start = _in_care_frame(prep, start - pd.Timedelta(days=1), exclude_short_breaks)
    at_end = _in_care_frame(prep, end, exclude_short_breaks)
    rows = [
        ("in_care_start", len(at_start)),
        ("in_care_end", len(at_end)),
        ("in_care_during_year", during["CHILD"].nunique()),
        ("periods_started", len(started)),
        ("children_started", started["CHILD"].nunique()),
        ("periods_ended", len(ended)),
        ("children_ceased", ended["CHILD"].nunique()),
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


def _quarter_frame(dates: pd.Series, year) -> pd.Series:
    """:func:`iro_analysis.calendar.quarter_of` on a Series (index kept), in numpy."""
    start, end = year_bounds(year)
    d = dates.to_numpy(dtype="datetime64[ns]")
    y, m, _ = _ymd(d)
    quarter = ((y - start.year) * 12 + (m - start.month)) // 3 + 1
    inside = (d >= np.datetime64(start, "ns")) & (d <= np.datetime64(end, "ns"))  # NaT -> False
    values = np.where(inside, quarter, 0).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(values, ~inside), index=dates.index, name=dates.name)


_BY_COLUMN = {
    "age_band": "age_band",
    "legal_status": "legal_status",
    "LS": "LS",
    "sex": "sex",
    "ethnicity": "ethnic_group",
    "placement": "placement",
    "PLACE": "PLACE",
    "uasc": "uasc",
}


def _group_values(by: str, *, ls=None, place=None, age=None, sex=None, ethnic=None, uasc=None):
    """(values Series, standard category order) for a breakdown."""
    if by == "age_band":
        return age_band(age), [lab for lab, _ in AGE_BANDS]
    if by == "legal_status":
        g = _via_unique(ls, codes.legal_status_group)
        return g.where(g.notna(), ls.where(ls.notna(), _NOT_RECORDED)), list(_LS_GROUP_ORDER)
    if by == "LS":
        return ls.where(ls.notna(), _NOT_RECORDED), [c for c in codes.descriptions("LS")]
    if by == "placement":
        g = place.map(PLACEMENT_GROUPS)
        return g.where(g.notna(), place.where(place.notna(), _NOT_RECORDED)), list(PLACEMENT_GROUP_ORDER)
    if by == "PLACE":
        return place.where(place.notna(), _NOT_RECORDED), []
    if by == "sex":
        g = sex.map(_SEX_LABELS)
        return g.where(g.notna(), _NOT_RECORDED), ["Male", "Female"]
    if by == "ethnicity":
        g = _via_unique(ethnic, codes.ethnic_group)
        return g.where(g.notna(), _NOT_RECORDED), list(codes.ETHNIC_GROUP_ORDER)
    if by == "uasc":
        return pd.Series(np.where(np.asarray(uasc, bool), "UASC", "Non-UASC"), index=uasc.index, dtype=object), [
            "UASC", "Non-UASC"]
    raise ParameterError(f"by={by!r} is not a breakdown: use one of {', '.join(_BY_COLUMN)}.")


def _ordered_categories(values: pd.Series, standard) -> list:
    extra = sorted(set(values.dropna().unique()) - set(standard), key=lambda v: (v == _NOT_RECORDED, v == _AGE_NOT_KNOWN, str(v)))
    return list(standard) + extra


def _describe_column(frame: pd.DataFrame, col: str) -> pd.DataFrame:
    """Add a ``description`` column for raw code breakdowns (LS, PLACE, REC)."""
    if col in ("LS", "PLACE", "REC"):
        values = frame[col].astype(object)
        frame = frame.assign(
            description=values.map(lambda v: codes.describe(col, None if v == _NOT_RECORDED else v)).astype(object)
        )
    return frame


def starters_by_quarter(data, year, *, by: str = "age_band", exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Periods of care starting in each quarter of a reporting year (Wokingham Tables B, C).

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` (``header`` for ages)
    year : int or str
        Reporting year ending 31 March.
    by : {"age_band", "legal_status", "LS", "placement", "PLACE", "sex", "ethnicity"}
        Age at the start of the period in DfE bands; legal-status group
        (:func:`iro_analysis.codes.legal_status_group`) or raw LS of the first episode;
        DfE placement group or raw PLACE of the first episode (Rotherham "placement type on
        admission"); sex; ethnic main group.
    exclude_short_breaks : bool, default True
        Leave out periods made only of V3/V4 episodes.

    Returns
    -------
    DataFrame
        One row per quarter × category (every standard category, zeros included):
        ``quarter`` (1–4), ``quarter_label`` ("Q1 (Apr–Jun 2022)"), ``quarter_start``,
        ``quarter_end``, the category column (``age_band``, ``legal_status``, ``LS`` (+
        ``description``), ``placement``, ``PLACE`` (+ ``description``), ``sex`` or
        ``ethnic_group``), ``count`` (periods of care started) and ``children`` (distinct
        children; a child starting twice in a quarter counts once).

    Notes
    -----
    A start belongs to the quarter containing ``period_start``; the quarters partition the
    year, so the counts sum to the periods started in the year.
    """
    y = parse_year(year)
    if by not in _BY_COLUMN or by == "uasc":
        raise ParameterError(
            f"by={by!r} is not a breakdown of starters: use age_band, legal_status, LS, placement, PLACE, sex or ethnicity."
        )
    start, end = year_bounds(y)
    prep = prepare(data)
    p = _periods_for_counts(prep, exclude_short_breaks)
    p = p.loc[p["period_start"].between(start, end)]
    kw = {}
    if by == "age_band":
        kw["age"] = _age_fast(_dob_of(prep, p).to_numpy(), p["period_start"].to_numpy(), p.index)
    elif by in ("sex", "ethnicity"):
        arr = prep.sex if by == "sex" else prep.ethnic
        vals = pd.Series(arr[prep.period_cid[p.index.to_numpy()]], index=p.index, dtype=object)
        kw["sex" if by == "sex" else "ethnic"] = vals
    elif by in ("legal_status", "LS"):
        kw["ls"] = p["ls_at_start"]
    else:
        kw["place"] = p["place_at_start"]
    values, standard = _group_values(by, **kw)
    frame = p.assign(_g=values, _q=_quarter_frame(p["period_start"], y))
    return _count_by_quarter(frame, y, _BY_COLUMN[by], standard)


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


def profile_on(data, date, *, by: str = "legal_status", exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Children in care at the end of a date (or dates) by one characteristic (Tables D, E, F).

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` (``header`` for sex, ethnicity, age)
    date : date-like or list of date-likes
        Several dates give one block per date (e.g. the four quarter ends for Table E).
    by : {"legal_status", "LS", "sex", "ethnicity", "age_band", "placement", "PLACE", "uasc"}
        ``legal_status``: group of the current LS (:func:`iro_analysis.codes.legal_status_group`);
        ``LS``: the code itself with its description; ``sex``: Male/Female/Unknown;
        ``ethnicity``: main group (:func:`iro_analysis.codes.ethnic_group`); ``age_band``: DfE
        age bands on the date; ``placement``: DfE placement group of the current PLACE;
        ``PLACE``: the code; ``uasc``: UASC / Non-UASC.
    exclude_short_breaks : bool, default True

    Returns
    -------
    DataFrame
        ``date``, the category column (``legal_status``, ``LS`` (+ ``description``),
        ``sex``, ``ethnic_group``, ``age_band``, ``placement``, ``PLACE`` (+ ``description``)
        or ``uasc``), ``count``, ``percent`` (0–100, of all children in care on that date,
        unrounded; NaN when nobody is in care), ``total``. Every standard category appears
        (zeros included); "Not recorded"/"Not known" and unlisted codes appear when present.

    Notes
    -----
    ``percent = count / total * 100``. The ``ethnic_group, count`` columns feed
    :func:`iro_analysis.disproportionality.disproportionality` directly.
    """
    if by not in _BY_COLUMN:
        raise ParameterError(f"by={by!r} is not a breakdown: use one of {', '.join(_BY_COLUMN)}.")
    dates = [date] if isinstance(date, (str, pd.Timestamp)) or np.ndim(date) == 0 else list(date)
    prep = prepare(data)
    col = _BY_COLUMN[by]
    blocks = []
    for d in dates:  # one vectorised pass per requested date
        when = _parse_date(d)
        cic = _in_care_frame(prep, when, exclude_short_breaks)
        values, standard = _group_values(
            by, ls=cic["LS"], place=cic["PLACE"], age=cic["age"], sex=cic["SEX"], ethnic=cic["ETHNIC"], uasc=cic["uasc"]
        )
        cats = _ordered_categories(values, standard)
        counts = values.value_counts().reindex(cats, fill_value=0)
        total = len(cic)
        block = pd.DataFrame({"date": when, col: pd.Series(cats, dtype=object), "count": counts.to_numpy().astype("int64")})
        block["percent"] = block["count"] / total * 100 if total else np.nan
        block["total"] = total
        blocks.append(block)
    out = pd.concat(blocks, ignore_index=True)
    out["date"] = out["date"].astype("datetime64[ns]")
    return _describe_column(out, by)


def leavers_by_quarter(data, year, *, by: str = "reason", exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Periods of care ending in each quarter, by why they ended (Wokingham Table J).

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` (``header`` for ages)
    year : int or str
        Reporting year ending 31 March.
    by : {"reason", "REC", "age_band"}
        ``reason``: :func:`iro_analysis.codes.reason_ceased_group` of the closing REC
        ("Not recorded" when the end was inferred or REC is blank/X1/unknown); ``REC``: the code
        with its description; ``age_band``: DfE age band on the day the period ended.
    exclude_short_breaks : bool, default True
        Leave out periods made only of V3/V4 episodes.

    Returns
    -------
    DataFrame
        One row per quarter × category: ``quarter, quarter_label, quarter_start,
        quarter_end``, the category column (``reason``, ``REC`` (+ ``description``) or
        ``age_band``), ``count`` (periods ended), ``children`` (distinct) and
        ``aged_18_or_over`` (periods whose child was 18 or over on the end date: the
        "reached 18" figure IRO reports quote beside the reasons).

    Notes
    -----
    Every period with ``period_end`` in the year is counted exactly once, so the counts
    sum to the number of periods ending in the year.
    """
    y = parse_year(year)
    if by not in ("reason", "REC", "age_band"):
        raise ParameterError(f"by={by!r} is not a breakdown of leavers: use reason, REC or age_band.")
    start, end = year_bounds(y)
    prep = prepare(data)
    p = _periods_for_counts(prep, exclude_short_breaks)
    p = p.loc[p["period_end"].between(start, end)]
    age = _age_fast(_dob_of(prep, p).to_numpy(), p["period_end"].to_numpy(), p.index)
    reason = p["end_reason"].astype(object)
    if by == "reason":
        g = _via_unique(reason, codes.reason_ceased_group)
        values, standard = g.where(g.notna(), _NOT_RECORDED), list(_REC_GROUP_ORDER)
    elif by == "REC":
        standard = [c for c in codes.descriptions("REC") if c != "X1"]
        values = reason.where(reason.notna(), _NOT_RECORDED)
    else:
        values, standard = age_band(age), [lab for lab, _ in AGE_BANDS]
    frame = p.assign(_g=values, _q=_quarter_frame(p["period_end"], y), _adult=(age >= 18).fillna(False).astype(bool))
    col = by
    out = _count_by_quarter(frame, y, col, standard)
    adults = frame.loc[frame["_adult"]].groupby(["_q", "_g"]).size()
    key = pd.MultiIndex.from_arrays([out["quarter"], out[col]])
    out["aged_18_or_over"] = adults.reindex(key, fill_value=0).to_numpy().astype("int64")
    return out


def reaching_18(data, year, *, years: int = 2, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Children in care at the end of the year who turn 18 in each of the next years (Table K).

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` and ``header`` (DOB)
    year : int or str
        Reporting year ending 31 March; the cohort is in care at the end of 31 March ``year``.
    years : int, default 2
        How many following reporting years to cover.

    Returns
    -------
    DataFrame
        One row per following reporting year: ``year`` (year ending 31 March in which the
        children turn 18), ``year_label``, ``from_date``, ``to_date``, ``count``.

    Notes
    -----
    The 18th birthday of a child born on 29 February is 1 March in a non-leap year
    (:func:`date_turns_18`); either way it falls in the same reporting year. Children already
    18 or over on 31 March (e.g. staying put) are not counted.
    """
    y = parse_year(year)
    if int(years) < 1:
        raise ParameterError("years must be 1 or more.")
    prep = prepare(data)
    _, end = year_bounds(y)
    cic = _in_care_frame(prep, end, exclude_short_breaks)
    b18 = date_turns_18(cic["DOB"])
    ry = (b18.dt.year + (b18.dt.month >= 4).astype("int64")).astype("Int64")
    rows = []
    for k in range(1, int(years) + 1):
        fy, ty = year_bounds(y + k)
        rows.append((y + k, year_label(y + k), fy, ty, int((ry == y + k).fillna(False).sum())))
    return pd.DataFrame(rows, columns=["year", "year_label", "from_date", "to_date", "count"])


def _ls_at(prep: CohortData, children: pd.Series, dates: pd.Series) -> pd.Series:
    """LS of each child's current episode at the end of each date (None if not in care then).

    Vectorised look-up: the chain is sorted by (child number, DECOM), so a combined integer
    key (child number, day) is sorted too and ``searchsorted`` finds the latest episode
    starting on or before each date.
    """
    ch = prep.chain
    day = np.timedelta64(1, "D")
    origin = np.datetime64("1800-01-01", "ns")
    span = np.int64(1) << 20  # days: covers dates 1800-4670
    c_key = ch["_cid"].to_numpy(dtype="int64") * span + (ch["DECOM"].to_numpy(dtype="datetime64[ns]") - origin) // day
    cid = _cids(prep, children.to_numpy(dtype=object))
    d = dates.to_numpy(dtype="datetime64[ns]")
    ok = (cid >= 0) & ~np.isnat(d)
    q_key = cid * span + np.where(ok, (d - origin) // day, 0)
    pos = np.searchsorted(c_key, q_key, side="right") - 1
    pos_ok = ok & (pos >= 0)
    pos_c = np.where(pos_ok, pos, 0)
    same = pos_ok & (ch["_cid"].to_numpy(dtype="int64")[pos_c] == cid)
    ce = ch["cover_end"].to_numpy(dtype="datetime64[ns]")[pos_c]
    inside = same & (np.isnat(ce) | (ce > d))
    ls = np.where(inside, ch["LS"].to_numpy(dtype=object)[pos_c], None)
    return pd.Series(ls, index=children.index, dtype=object)


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
    rows = []
    for q, sub in [(int(q), mi.loc[mi["_q"] == q]) for q in qs["quarter"]] + [(None, mi)]:
        m, a = sub.loc[sub["MISSING"] == "M"], sub.loc[sub["MISSING"] == "A"]
        rows.append((q, len(m), len(a), len(sub), m["CHILD"].nunique(), a["CHILD"].nunique(), sub["CHILD"].nunique()))
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
    rv = _dedup_table(_source(data), "reviews", ["CHILD", "REVIEW"], ("REVIEW",), "participation")
    _require_columns(rv, "reviews", ("REVIEW_CODE",))
    rv = _dated_in_year(data, rv, "REVIEW", y, exclude_short_breaks)
    code = _codes_upper(rv["REVIEW_CODE"])
    code = code.where(code.notna(), _NOT_RECORDED)
    cats = _ordered_categories(code, _PN_CODES)
    q = _quarter_frame(rv["REVIEW"], y)
    qs = _quarters(y)
    blocks = []
    for qn in list(qs["quarter"]) + [None]:
        sel = code if qn is None else code.loc[q == qn]
        counts = sel.value_counts().reindex(cats, fill_value=0)
        blocks.append(pd.DataFrame({"quarter": qn, "REVIEW_CODE": cats, "count": counts.to_numpy().astype("int64"),
                                    "reviews": int(len(sel))}))
    out = _with_year_row(qs, pd.concat(blocks, ignore_index=True), y)
    out["REVIEW_CODE"] = out["REVIEW_CODE"].astype(object)
    out["description"] = out["REVIEW_CODE"].map(
        lambda c: "Not recorded" if c == _NOT_RECORDED else codes.describe("REVIEW_CODE", c)
    ).astype(object)
    out["percent"] = np.where(out["reviews"] > 0, out["count"] / out["reviews"].where(out["reviews"] > 0) * 100, np.nan)
    cols = ["quarter", "quarter_label", "quarter_start", "quarter_end", "REVIEW_CODE", "description", "count",
            "reviews", "percent"]
    return out[cols]


def cohort_tables(data, year, *, population=None, exclude_short_breaks: bool = True) -> dict:
    """Every count table of an IRO annual report, keyed by stable names.

    Parameters
    ----------
    data : SSDA903 or object with the tables
    year : int or str
        Reporting year ending 31 March.
    population : float, optional
        0–17 population for the rate per 10,000 in ``monthly_in_care``.
    exclude_short_breaks : bool, default True

    Returns
    -------
    dict of str -> DataFrame
        ``summary`` (:func:`year_summary`), ``monthly_in_care`` (Tables A, G),
        ``starters_by_age_band`` (B), ``starters_by_legal_status`` and ``starters_by_ls`` (C),
        ``starters_by_placement``, ``legal_status_at_year_end`` and ``ls_at_year_end`` (D),
        ``sex_by_quarter_end`` (E), ``ethnicity_at_year_end`` (F), ``age_band_at_year_end``,
        ``placement_at_year_end``, ``uasc_at_year_end``, ``leavers_by_reason`` (J),
        ``leavers_by_rec``, ``reaching_18`` (K), ``missing_by_quarter`` (L, only with a missing
        table), ``participation_by_quarter`` (N, only with a reviews table).

    Notes
    -----
    The episode chain is built once and shared by all tables. The tables contain counts,
    not child identifiers, but small counts are not suppressed here: pass them through
    :mod:`iro_analysis.disclosure` before sharing.
    """
    y = parse_year(year)
    prep = prepare(data)
    _, end = year_bounds(y)
    qends = _quarters(y)["quarter_end"].tolist()
    kw = {"exclude_short_breaks": exclude_short_breaks}
    out = {
        "summary": year_summary(prep, y, **kw),
        "monthly_in_care": monthly_in_care(prep, y, population=population, **kw),
        "starters_by_age_band": starters_by_quarter(prep, y, by="age_band", **kw),
        "starters_by_legal_status": starters_by_quarter(prep, y, by="legal_status", **kw),
        "starters_by_ls": starters_by_quarter(prep, y, by="LS", **kw),
        "starters_by_placement": starters_by_quarter(prep, y, by="placement", **kw),
        "legal_status_at_year_end": profile_on(prep, end, by="legal_status", **kw),
        "ls_at_year_end": profile_on(prep, end, by="LS", **kw),
        "sex_by_quarter_end": profile_on(prep, qends, by="sex", **kw),
        "ethnicity_at_year_end": profile_on(prep, end, by="ethnicity", **kw),
        "age_band_at_year_end": profile_on(prep, end, by="age_band", **kw),
        "placement_at_year_end": profile_on(prep, end, by="placement", **kw),
        "uasc_at_year_end": profile_on(prep, end, by="uasc", **kw),
        "leavers_by_reason": leavers_by_quarter(prep, y, by="reason", **kw),
        "leavers_by_rec": leavers_by_quarter(prep, y, by="REC", **kw),
        "reaching_18": reaching_18(prep, y, **kw),
    }
    if getattr(_source(data), "missing", None) is not None:
        out["missing_by_quarter"] = missing_by_quarter(prep, y, **kw)
    if getattr(_source(data), "reviews", None) is not None:
        out["participation_by_quarter"] = participation_by_quarter(prep, y, **kw)
    return out
