"""Children in care at the end of a date: the snapshot every count on a date is built from.

In care at the end of ``d`` when an episode started on or before ``d`` and had not ended by
``d`` (``DECOM <= d < DEC``, DEC blank = still open), after the chain repairs. Also: UASC status
and legal status on a date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .dates import _age_fast
from .periods import CohortData, _cids, prepare


def uasc_on(data, children, dates) -> np.ndarray:
    """Whether each child was an unaccompanied asylum-seeking child (UASC) at the end of a date.

    Parameters
    ----------
    data : SSDA903, CohortData or object with the tables
        ``episodes``; ``uasc`` (CHILD, DUC) when loaded, else the header's UASC column (XML
        returns).
    children : sequence of CHILD values
    dates : date-like, or sequence of date-likes aligned with ``children``
        One date for every child (a snapshot), or a date per child (e.g. the start of each
        child's period of care).

    Returns
    -------
    ndarray of bool
        True when the child is in the UASC table (latest return) with DUC, the date UASC status
        ceased, blank or after the date; without a UASC table, when the header's UASC flag is
        1, Y or TRUE. False for a child with no episode. The same rule as the ``uasc`` column
        of :func:`in_care_on`.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ep = pd.DataFrame({"CHILD": ["A", "B"], "DECOM": pd.to_datetime(["2022-05-01", "2022-06-01"]),
    ...     "RNE": ["S", "S"], "LS": ["C2", "C2"], "PLACE": ["U4", "U6"],
    ...     "DEC": pd.to_datetime([None, None]), "REC": [None, None]})
    >>> ua = pd.DataFrame({"CHILD": ["A"], "DUC": pd.to_datetime(["2023-01-10"])})
    >>> data = SimpleNamespace(episodes=ep, uasc=ua)
    >>> uasc_on(data, ["A", "B"], "2023-01-09").tolist(), uasc_on(data, ["A", "B"], "2023-01-10").tolist()
    ([True, False], [False, False])
    >>> uasc_on(data, ["A", "A"], ["2022-05-01", "2023-03-31"]).tolist()
    [True, False]
    """
    prep = prepare(data)
    cids = _cids(prep, children)
    if np.ndim(dates) == 0:
        return _uasc_on(prep, cids, _parse_date(dates))
    when = pd.to_datetime(pd.Series(list(dates), dtype=object)).to_numpy(dtype="datetime64[ns]")
    if len(when) != len(cids):
        raise ParameterError(f"dates must be one date or one per child: {len(when)} dates for {len(cids)} children.")
    return _uasc_on(prep, cids, when)


def _uasc_on(prep: "CohortData", cids: np.ndarray, when) -> np.ndarray:
    """Whether each child (by number) is UASC at the end of ``when`` (one date, or one per child).

    In the UASC table with DUC (date UASC status ceased) blank or after ``when``; without a
    UASC table, the header's UASC flag (XML returns).
    """
    cids = np.asarray(cids, dtype="int64")
    ok = cids >= 0
    out = np.zeros(len(cids), dtype=bool)
    if prep.uasc_known is not None:
        if np.ndim(when):
            t = np.asarray(when, dtype="datetime64[ns]")[ok]
        else:
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
