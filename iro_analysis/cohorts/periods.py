"""The episode chain and periods of care, built once per dataset by :func:`prepare`.

The building block is the *episode chain*: the episodes of each child, de-duplicated across
returns and sorted by start date (DECOM). A **period of care** starts at an episode with RNE
``"S"`` or at the child's first episode seen, and ends at the first episode end (DEC) whose
reason (REC) is not ``"X1"``. Chain faults are repaired as described in
:mod:`iro_analysis.cohorts` (and reported by :func:`~iro_analysis.cohorts.episode_chain_findings`).
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .constants import _ADOPTION_PLACE, _EPISODE_COLUMNS, _REMAND_LS, SHORT_BREAK_LS
from .normalise import _as_dates, _child, _codes_upper, _latest_per_key, _require_columns, _table


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


#: The chains built inside :func:`prepared_once` blocks: id(data) -> (data, CohortData).
_PREPARED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("iro_analysis_prepared", default=None)


@contextlib.contextmanager
def prepared_once():
    """Within the block, :func:`prepare` builds each return's episode chain once.

    A report asks for cohorts, timeliness, care history and benchmarks of the same return many
    times (about 55 calls to :func:`prepare` per authority report); each call used to rebuild the
    chain. Inside the block a return (the same object) is prepared once and the result reused,
    so the return must not be changed inside the block. Outside any block nothing is kept.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ep = pd.DataFrame({"CHILD": ["A"], "DECOM": pd.to_datetime(["2022-05-01"]), "RNE": ["S"],
    ...     "LS": ["C2"], "PLACE": ["U4"], "DEC": pd.to_datetime([None]), "REC": [None]})
    >>> data = SimpleNamespace(episodes=ep)
    >>> with prepared_once():
    ...     prepare(data) is prepare(data)
    True
    >>> prepare(data) is prepare(data)
    False
    """
    token = _PREPARED.set({})
    try:
        yield
    finally:
        _PREPARED.reset(token)


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
    >>> from iro_analysis.cohorts import in_care_on
    >>> ep = pd.DataFrame({"CHILD": ["A"], "DECOM": pd.to_datetime(["2022-05-01"]), "RNE": ["S"],
    ...     "LS": ["C2"], "PLACE": ["U4"], "DEC": pd.to_datetime([None]), "REC": [None]})
    >>> cd = prepare(SimpleNamespace(episodes=ep))
    >>> len(in_care_on(cd, "2023-03-31")), len(periods_of_care(cd))
    (1, 1)
    """
    if isinstance(data, CohortData):
        return data
    kept = _PREPARED.get()
    if kept is not None and id(data) in kept and kept[id(data)][0] is data:
        return kept[id(data)][1]
    prepared = _prepare(data)
    if kept is not None:
        kept[id(data)] = (data, prepared)  # holding data keeps its id from being reused
    return prepared


def _kept(data) -> CohortData | None:
    """The chain :func:`prepare` already holds for ``data`` (a :class:`CohortData`, or one built
    inside the current :func:`prepared_once` block); ``None`` rather than building one."""
    if isinstance(data, CohortData):
        return data
    kept = _PREPARED.get()
    if kept is not None and id(data) in kept and kept[id(data)][0] is data:
        return kept[id(data)][1]
    return None


def _prepare(data) -> CohortData:
    """Build the chain, periods and child attributes (see :func:`prepare`)."""
    ep, dropped = _dedup_episodes(data)
    # ep is sorted by CHILD, so a sorted factorize numbers children in that order.
    cid, children = _factorize_sorted(ep["CHILD"])
    children = pd.Index(np.asarray(children, dtype=object))
    chain, new_period = _episode_chain(ep.assign(_cid=cid.astype("int64")), cid)
    periods, period_cid = _periods_of_chain(chain, new_period)
    return CohortData(chain=chain, periods=periods, period_cid=period_cid, data=data, dropped=dropped,
                      children=children, **_child_attributes(data, children))


def _episode_chain(ep: pd.DataFrame, cid: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The episode chain: each episode with its neighbour, its repaired end and its period of care.

    Parameters
    ----------
    ep : DataFrame
        :func:`episodes_deduplicated` rows (sorted by CHILD and DECOM) with ``_cid``.
    cid : ndarray of int64
        Child number of each row.

    Returns
    -------
    chain : DataFrame
        ``ep`` with ``period_id`` (0, 1, ... over all children), ``period_number`` (1, 2, ...
        per child), ``eff_end`` and ``cover_end`` (:func:`_repaired_ends`), ``next_DECOM``,
        ``next_RNE``, ``ends_period``, ``short_break``, ``remand_ep``, ``adoption_ep``,
        ``stale_open`` and ``end_inferred_ep``.
    new_period : ndarray of bool
        Rows that start a period of care.

    Notes
    -----
    An episode continues the period of the one before when that one ended with X1 (or is open)
    and this one's RNE is not S; otherwise it starts a new period.
    """
    n = len(ep)
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
    eff_end, cover_end, stale = _repaired_ends(ep, decom, dec, next_decom, same_next, is_open, is_x1)

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
    return chain, new_period


def _repaired_ends(ep, decom, dec, next_decom, same_next, is_open, is_x1):
    """Each episode's end after the chain repairs, and the end of its time as the current episode.

    Returns
    -------
    eff_end : ndarray of datetime64[ns]
        DEC, except: an X1 or open episode followed by another ends where the next begins; an
        episode still open in an earlier return of a stack, with no later episode, ends on 31
        March of that return's year (``stale``).
    cover_end : ndarray of datetime64[ns]
        ``eff_end`` clipped to the next episode's DECOM (an overlap counts in the later
        episode): the child's current episode is this one on ``[DECOM, cover_end)``.
    stale : ndarray of bool
    """
    n = len(ep)
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
    return eff_end, cover_end, stale


def _periods_of_chain(chain: pd.DataFrame, new_period: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The periods of care of an episode chain (the frame :func:`periods_of_care` returns).

    Returns
    -------
    periods : DataFrame
        One row per period, in chain order (by child and start).
    period_cid : ndarray of int64
        Child number of each period.
    """
    n = len(chain)
    period_id = chain["period_id"].to_numpy()
    eff_end = chain["eff_end"].to_numpy(dtype="datetime64[ns]")
    is_open = np.isnat(chain["DEC"].to_numpy(dtype="datetime64[ns]"))
    rec = chain["REC"].to_numpy(dtype=object)
    decom = chain["DECOM"].to_numpy(dtype="datetime64[ns]")
    ls = chain["LS"].to_numpy(dtype=object)
    place = chain["PLACE"].to_numpy(dtype=object)
    cid = chain["_cid"].to_numpy()
    nat = np.datetime64("NaT", "ns")
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
    period_cid = cid[first_rows].astype("int64") if n else np.array([], dtype="int64")
    return periods, period_cid


def _child_attributes(data, children: pd.Index) -> dict:
    """Per-child arrays (indexed by child number) from the header and UASC tables.

    Returns
    -------
    dict
        ``dob``, ``sex``, ``ethnic`` (NaT/None without a header row), ``uasc_known`` and
        ``uasc_duc`` (from the UASC table, None without one), ``uasc_flag`` (the header's UASC
        flag, used only when there is no UASC table; else None).
    """
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
    return {"dob": dob, "sex": sex, "ethnic": ethnic, "uasc_known": uasc_known, "uasc_duc": uasc_duc,
            "uasc_flag": uasc_flag}


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


def _periods_for_counts(prep: CohortData, exclude_short_breaks: bool) -> pd.DataFrame:
    """The periods counted: without those made only of short breaks, unless they are wanted.

    Read by about ten counts of a report: the selection is made once per prepared return and
    shared, like ``prep.periods`` itself (callers select from it and never change it).
    """
    p = prep.periods
    if not exclude_short_breaks:
        return p
    kept = prep._cache.get("periods_for_counts")
    if kept is None or kept[0] is not p:  # made from these periods, not from ones since replaced
        kept = prep._cache["periods_for_counts"] = (p, p.loc[~p["short_breaks_only"]])
    return kept[1]


def _dob_of(prep: CohortData, periods: pd.DataFrame) -> pd.Series:
    """DOB for rows of the periods frame (index positions into prep.period_cid)."""
    cid = prep.period_cid[periods.index.to_numpy()]
    return pd.Series(prep.dob[cid], index=periods.index, dtype="datetime64[ns]")
