"""Placements: where children were placed on entry, how far from home, how often they moved.

The SSDA903-derived placement tables of an IRO annual report (Rotherham's "placement type on
admission", "placement stability", "reasons for placement ending" and "children placed out of
authority"), as tidy frames of counts. No child-level rows leave this module.

Every table has a ``year`` argument (reporting year ending 31 March) and, in
``DataFrame.attrs``, what the publication layer needs to register it: the label and count
columns, the figures derived from counts (``derived``) and the total (see
:func:`iro_analysis._count_tables.publication_spec`). Small counts are not suppressed here.

Definitions
-----------
A **placement** is a run of episodes of one period of care with no placement change between
them. A **placement change** is an episode whose reason for new episode (RNE) is ``P``
(change of placement and carer) or ``B`` (change of legal status and placement and carer) and
that neither is, nor follows, a temporary placement (PLACE ``T0``–``T4``). A legal-status-only
change (RNE ``L``) is not a placement change, nor is going into or coming back from a temporary
placement (a holiday, a hospital stay, a carer's holiday). Changes of placement with the same
carer (RNE ``T``/``U``: a foster placement becoming long-term, a foster carer becoming the
adopter, a home re-registered as supported accommodation) are left out by default because the
child does not move: the reason the DfE added the T/U codes, as we read its placement-stability
measure (verify against the DfE *Stability measures* methodology before quoting a difference).
``same_carer=True`` counts them too, which gives the episodes for which DfE validation
rule 225 requires a REASON_PLACE_CHANGE. The reason for a placement change is recorded on the
episode that ends (rule 225; ``docs/domain/ssda903.md`` §1.2), so it is read from the episode
before the change.

Periods of care, children in care on a date and the short-breaks exclusion are those of
:mod:`iro_analysis.cohorts`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import codes
from . import cohorts as co
from ._count_tables import NOT_KNOWN, NOT_RECORDED, band_of, band_labels, count_table, publication_spec
from .calendar import parse_year, year_bounds
from .errors import ParameterError
from .ssda903 import as_return

__all__ = [
    "TEMPORARY_PLACE",
    "PLACEMENT_CHANGE_RNE",
    "SAME_CARER_RNE",
    "placement_at_entry",
    "placements_started",
    "placement_moves",
    "placement_end_reasons",
    "distance_from_home",
    "out_of_area",
]

#: Temporary placements: not placements of their own and not placement changes (rule 225/226).
TEMPORARY_PLACE = ("T0", "T1", "T2", "T3", "T4")
#: RNE codes of an episode that changes placement and carer (counted by default).
PLACEMENT_CHANGE_RNE = ("P", "B")
#: RNE codes of a change of placement with the same carer (counted with ``same_carer=True``).
SAME_CARER_RNE = ("T", "U")

_MOVES_LABELS = ("1 placement", "2 placements", "3 or more placements")
_START_LABELS = ("Start of a period of care", "Placement move")
_INSIDE, _OUTSIDE = "Inside the authority", "Outside the authority"
_DISTANCE_HELP = (
    "PL_DISTANCE (miles from home to placement) is not a column of the DfE episodes file: the DfE's "
    "validator derives it from HOME_POST and PL_POST with a postcode lookup, which this package does not "
    "hold. Add it to data.episodes (one value per episode, e.g. from the validator's enriched episodes or "
    "your case management system) to get this table."
)


def _prep_year(data, year):
    y = parse_year(year)
    return y, *year_bounds(y), co.prepare(data)


def placement_at_entry(data, year, *, by: str = "placement", exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Periods of care started in the year by the placement of their first episode.

    Parameters
    ----------
    data : SSDA903, CohortData or object with ``episodes``
    year : int or str
        Reporting year ending 31 March (``2023`` or ``"2022-23"``).
    by : {"placement", "PLACE"}
        DfE placement group (:data:`iro_analysis.cohorts.PLACEMENT_GROUPS`) or the PLACE code
        itself (with its description).
    exclude_short_breaks : bool, default True
        Leave out periods made only of V3/V4 episodes (as the DfE counts starters).

    Returns
    -------
    DataFrame
        ``placement`` (or ``PLACE, description``), ``count`` (periods of care started),
        ``percent`` (of the total, 0-100, unrounded); every placement group appears (zeros
        included), "Not recorded" and unlisted codes when present; last row ``Total``.

    Notes
    -----
    A period starts in the year when its first episode's DECOM is from 1 April to 31 March; the
    total equals ``periods_started`` of :func:`iro_analysis.cohorts.year_summary`. A child who
    starts twice is counted twice (Rotherham counts episodes and children; children are not
    additive over placement types, so only periods are given).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ep = pd.DataFrame({"CHILD": ["A", "B"], "DECOM": pd.to_datetime(["2022-05-01", "2022-03-31"]),
    ...     "RNE": ["S", "S"], "LS": ["C2", "V2"], "PLACE": ["U6", "K2"], "DEC": pd.NaT, "REC": None})
    >>> t = placement_at_entry(SimpleNamespace(episodes=ep), 2023)
    >>> t.loc[t["count"] > 0, ["placement", "count"]].values.tolist()
    [['Foster placements', 1], ['Total', 1]]
    """
    if by not in ("placement", "PLACE"):
        raise ParameterError(f"by={by!r}: use 'placement' (DfE placement groups) or 'PLACE' (codes).")
    y, start, end, prep = _prep_year(data, year)
    p = co._periods_for_counts(prep, exclude_short_breaks)
    p = p.loc[p["period_start"].between(start, end)]
    values, standard = co._group_values(by, place=p["place_at_start"].astype(object))
    describe = (lambda c: codes.describe("PLACE", None if c == NOT_RECORDED else c)) if by == "PLACE" else None
    return count_table(values, standard, by, year=y, describe=describe,
                       notes="Periods of care that started in the year, by the placement of their first episode.")


def _placements(prep: co.CohortData, same_carer: bool, exclude_short_breaks: bool) -> pd.DataFrame:
    """One row per placement (see module Definitions), memoised on the prepared chain.

    Columns ``CHILD, _cid, period_id, start, end`` (NaT while open), ``is_move`` (started by a
    placement change, not by the start of a period) and ``reason`` (for a move, the
    REASON_PLACE_CHANGE of the episode that ended; None otherwise or when not recorded).
    """
    key = ("placements", bool(same_carer), bool(exclude_short_breaks))
    cached = prep._cache.get(key)
    if cached is not None:
        return cached
    ch = prep.chain
    period = ch["period_id"].to_numpy()
    first = np.r_[True, period[1:] != period[:-1]] if len(ch) else np.zeros(0, bool)
    temp = ch["PLACE"].isin(TEMPORARY_PLACE).to_numpy()
    prev_temp = np.r_[False, temp[:-1]] & ~first
    moves = PLACEMENT_CHANGE_RNE + (SAME_CARER_RNE if same_carer else ())
    change = ~first & ch["RNE"].isin(moves).to_numpy() & ~temp & ~prev_temp
    begins = first | change
    if "REASON_PLACE_CHANGE" in ch.columns:
        reason = co._codes_upper(ch["REASON_PLACE_CHANGE"]).to_numpy(dtype=object)
        prev_reason = np.concatenate([np.array([None], dtype=object), reason[:-1]]) if len(ch) else reason
    else:
        prev_reason = np.full(len(ch), None, dtype=object)
    placement_id = np.cumsum(begins) - 1
    last = np.r_[placement_id[1:] != placement_id[:-1], True] if len(ch) else np.zeros(0, bool)
    rows, ends = np.flatnonzero(begins), np.flatnonzero(last)
    out = pd.DataFrame({
        "CHILD": ch["CHILD"].to_numpy(dtype=object)[rows],
        "_cid": ch["_cid"].to_numpy()[rows],
        "period_id": period[rows],
        "start": ch["DECOM"].to_numpy(dtype="datetime64[ns]")[rows],
        "end": ch["cover_end"].to_numpy(dtype="datetime64[ns]")[ends],
        "is_move": change[rows],
        "reason": np.where(change[rows], prev_reason[rows], None),
    })
    if exclude_short_breaks:
        out = out.loc[~prep.periods["short_breaks_only"].to_numpy()[out["period_id"].to_numpy()]]
    prep._cache[key] = out
    return out


def placements_started(data, year, *, same_carer: bool = False, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Placements that began in the year: at the start of a period of care, or by a move.

    Parameters
    ----------
    data : SSDA903, CohortData or object with ``episodes``
    year : int or str
        Reporting year ending 31 March.
    same_carer : bool, default False
        Also count changes of placement with the same carer (RNE T/U) as moves.
    exclude_short_breaks : bool, default True

    Returns
    -------
    DataFrame
        ``start_type`` ("Start of a period of care", "Placement move"), ``count``,
        ``percent``, last row ``Total`` (Rotherham: "542 new placements … 362 of these being
        placement moves").

    Notes
    -----
    The "Start of a period of care" row equals the periods of care started in the year.
    """
    y, start, end, prep = _prep_year(data, year)
    pl = _placements(prep, same_carer, exclude_short_breaks)
    pl = pl.loc[(pl["start"] >= start) & (pl["start"] <= end)]
    values = pd.Series(np.where(pl["is_move"].to_numpy(dtype=bool), _START_LABELS[1], _START_LABELS[0]),
                       index=pl.index, dtype=object)
    return count_table(values, _START_LABELS, "start_type", year=y,
                       notes="Placements that began in the year.")


def placement_moves(data, year, *, same_carer: bool = False, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Children in care on 31 March by the number of placements they had during the year.

    The DfE placement-stability measure "children looked after on 31 March with three or more
    placements during the year" (DfE *Stability measures for children looked after*), with
    the 1 and 2 placement rows that make it a table.

    Parameters
    ----------
    data : SSDA903, CohortData or object with ``episodes``
    year : int or str
        Reporting year ending 31 March.
    same_carer : bool, default False
        Also count a change of placement with the same carer (RNE T/U) as a new placement.
    exclude_short_breaks : bool, default True
        Leave out children whose current episode is a short break (V3/V4), as the DfE does.

    Returns
    -------
    DataFrame
        ``placements`` ("1 placement", "2 placements", "3 or more placements"), ``count``
        (children), ``percent`` (of children in care on 31 March), last row ``Total``
        (= children in care at the end of 31 March).

    Notes
    -----
    A placement is counted for the year when it overlaps 1 April–31 March: it began on or
    before 31 March and had not ended by the start of 1 April. Placements of every period of
    care of the child are counted (a child who left and came back in the year has the
    placements of both periods). A move on 1 April leaves the old placement out (it ended as
    the year began). See the module Definitions for what is a placement change.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ep = pd.DataFrame({"CHILD": ["A", "A", "A"],
    ...     "DECOM": pd.to_datetime(["2021-01-01", "2022-06-01", "2022-09-01"]),
    ...     "RNE": ["S", "L", "P"], "LS": ["C1", "C2", "C2"], "PLACE": ["U6", "U6", "U4"],
    ...     "DEC": pd.to_datetime(["2022-06-01", "2022-09-01", None]), "REC": ["X1", "X1", None]})
    >>> placement_moves(SimpleNamespace(episodes=ep), 2023)[["placements", "count"]].values.tolist()
    [['1 placement', 0], ['2 placements', 1], ['3 or more placements', 0], ['Total', 1]]
    """
    y, start, end, prep = _prep_year(data, year)
    cic = co._in_care_frame(prep, end, exclude_short_breaks)
    pl = _placements(prep, same_carer, exclude_short_breaks)
    during = pl.loc[(pl["start"] <= end) & (pl["end"].isna() | (pl["end"] > start))]
    n = during.groupby("CHILD").size().reindex(cic["CHILD"].to_numpy(), fill_value=0).to_numpy()
    values = pd.Series(np.asarray(_MOVES_LABELS, dtype=object)[np.clip(n, 1, 3) - 1], dtype=object)
    return count_table(values, _MOVES_LABELS, "placements", year=y,
                       notes="Children in care on 31 March by the number of placements during the year.")


def placement_end_reasons(data, year, *, same_carer: bool = False, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Placements that ended in the year by a placement change, by REASON_PLACE_CHANGE.

    Parameters
    ----------
    data : SSDA903, CohortData or object with ``episodes`` (with ``REASON_PLACE_CHANGE``)
    year : int or str
        Reporting year ending 31 March.
    same_carer : bool, default False
        Also include changes of placement with the same carer (RNE T/U).
    exclude_short_breaks : bool, default True

    Returns
    -------
    DataFrame
        ``REASON_PLACE_CHANGE`` (the 12 DfE codes, then "Not recorded" and unlisted codes
        when present), ``description``, ``count`` (placements), ``percent``, last row ``Total``
        (= the "Placement move" row of :func:`placements_started`).

    Raises
    ------
    ParameterError
        If the episodes table has no REASON_PLACE_CHANGE column.

    Notes
    -----
    A placement ends by a change on the day the next placement begins (the DECOM of the
    changing episode), and is counted when that day is in the year. The reason is the one
    recorded on the ending episode (DfE rule 225). Placements that end because the period of
    care ends have no placement-change reason: they are the leavers of
    :func:`iro_analysis.cohorts.leavers_by_quarter` (adoption, return home, …).
    """
    episodes = as_return(co._source(data)).episodes
    if episodes is not None and "REASON_PLACE_CHANGE" not in episodes.columns:
        raise ParameterError(
            "The episodes table has no REASON_PLACE_CHANGE column (needed for reasons placements ended). "
            "Load the full DfE episodes file (CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC, "
            "REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN) with iro_analysis.load_ssda903."
        )
    y, start, end, prep = _prep_year(data, year)
    pl = _placements(prep, same_carer, exclude_short_breaks)
    moved = pl.loc[pl["is_move"].to_numpy(dtype=bool) & (pl["start"] >= start) & (pl["start"] <= end)]
    values = moved["reason"].astype(object)
    values = values.where(values.notna(), NOT_RECORDED)
    return count_table(values, list(codes.descriptions("REASON_PLACE_CHANGE")), "REASON_PLACE_CHANGE", year=y,
                       describe=lambda c: codes.describe("REASON_PLACE_CHANGE", None if c == NOT_RECORDED else c),
                       notes="Placements that ended in the year because the child moved placement.")


def _current_episode_columns(prep: co.CohortData, when, exclude_short_breaks: bool, columns) -> pd.DataFrame:
    """Children in care at the end of ``when`` with extra columns of their current episode."""
    cic = co._in_care_frame(prep, when, exclude_short_breaks)[["CHILD", "DECOM"]]
    chain = prep.chain[["CHILD", "DECOM", *columns]]
    return cic.merge(chain, on=["CHILD", "DECOM"], how="left", validate="one_to_one")


def distance_from_home(data, year, *, edges=(5, 10, 20, 50), exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Children in care on 31 March by the distance of their placement from home.

    Parameters
    ----------
    data : SSDA903, CohortData or object with ``episodes`` carrying a ``PL_DISTANCE`` column
    year : int or str
        Reporting year ending 31 March.
    edges : sequence of float, default (5, 10, 20, 50)
        Band limits in miles; bands are closed on the right ("20 miles or less", "Over 20 to
        50 miles", "Over 50 miles"), so that the DfE's "placed more than 20 miles from home"
        is the sum of the bands above 20.
    exclude_short_breaks : bool, default True

    Returns
    -------
    DataFrame
        ``band``, ``count`` (children), ``percent``, last row ``Total`` (children in care on
        31 March); "Not known" counts children whose current episode has no distance.

    Raises
    ------
    ParameterError
        If the episodes have no ``PL_DISTANCE`` column. It is not in the DfE file: the DfE's
        validator derives it (miles, straight line) from HOME_POST and PL_POST, and the
        postcode lookup it needs is not part of this package.
    """
    y, start, end, prep = _prep_year(data, year)
    if "PL_DISTANCE" not in prep.chain.columns:
        raise ParameterError(f"The episodes table has no PL_DISTANCE column. {_DISTANCE_HELP}")
    cur = _current_episode_columns(prep, end, exclude_short_breaks, ["PL_DISTANCE"])
    values = band_of(pd.to_numeric(cur["PL_DISTANCE"], errors="coerce"), tuple(edges), "miles", closed="right")
    return count_table(values, band_labels(tuple(edges), "miles", closed="right") + [NOT_KNOWN], "band", year=y,
                       notes="Children in care on 31 March by the distance from home to their placement.")


def out_of_area(data, year, *, authority_codes=None, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Children in care on 31 March placed inside or outside the authority's boundary.

    Parameters
    ----------
    data : SSDA903, CohortData or object with ``episodes`` carrying ``PL_LOCATION`` or ``PL_LA``
    year : int or str
        Reporting year ending 31 March.
    authority_codes : iterable of str, optional
        ONS codes that count as inside the authority, needed with ``PL_LA``: the authority's
        own code and, for a county council, the codes of its districts (placement areas are
        recorded at district level).
    exclude_short_breaks : bool, default True

    Returns
    -------
    DataFrame
        ``location`` ("Inside the authority", "Outside the authority", "Not known"),
        ``count``, ``percent``, last row ``Total`` (children in care on 31 March).

    Raises
    ------
    ParameterError
        If the episodes have neither ``PL_LOCATION`` (``IN``/``OUT``) nor ``PL_LA``, or have
        only ``PL_LA`` and no ``authority_codes`` are given. Neither column is in the DfE
        file: the DfE's validator derives both from PL_POST with a postcode lookup.

    Notes
    -----
    ``PL_LOCATION`` is used when present (the validator's own inside/outside decision);
    otherwise ``PL_LA`` is compared with ``authority_codes``.
    """
    y, start, end, prep = _prep_year(data, year)
    cols = prep.chain.columns
    if "PL_LOCATION" in cols:
        cur = _current_episode_columns(prep, end, exclude_short_breaks, ["PL_LOCATION"])
        code = co._codes_upper(cur["PL_LOCATION"])
        values = code.map({"IN": _INSIDE, "OUT": _OUTSIDE})
    elif "PL_LA" in cols:
        if authority_codes is None or isinstance(authority_codes, str):
            raise ParameterError(
                "authority_codes must list the ONS codes inside the authority (its own code and, for a county, "
                "its districts'), e.g. authority_codes=['E08000018'], to compare with PL_LA."
            )
        inside = {str(c).strip().upper() for c in authority_codes}
        cur = _current_episode_columns(prep, end, exclude_short_breaks, ["PL_LA"])
        code = co._codes_upper(cur["PL_LA"])
        values = pd.Series(np.where(code.isin(inside), _INSIDE, _OUTSIDE), index=code.index, dtype=object)
        values = values.where(code.notna(), None)
    else:
        raise ParameterError(
            "The episodes table has neither PL_LOCATION nor PL_LA (placement inside or outside the authority). "
            "Neither is a column of the DfE episodes file: the DfE's validator derives them from PL_POST with a "
            "postcode lookup, which this package does not hold. Add one of them to data.episodes to get this table."
        )
    values = values.where(values.notna(), NOT_KNOWN).astype(object)
    return count_table(values, [_INSIDE, _OUTSIDE, NOT_KNOWN], "location", year=y,
                       notes="Children in care on 31 March placed inside or outside the authority's area.")
