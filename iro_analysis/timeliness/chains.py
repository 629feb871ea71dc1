"""Phases 5-6 of the review schedule: each review held judged, and the due dates missed.

See :mod:`iro_analysis.timeliness.schedule` for the phases and the representation. A period's
reviews form a chain: each review sets the due date of the next (reg 33: 20 working days, then
3 months, then 6; reg 36 after a placement for adoption: 28 days, then 3 months, then 6). Both
phases work on every chain at once; the missed due dates are found one step along every chain
per pass.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .ordering import _Periods, _Records
from .rules import (
    _F_CLOSE,
    _F_HISTORY_BEFORE,
    _F_PLACED_FOR_ADOPTION,
    _F_REMAND,
    _F_UPPER_BOUND,
    _NAT,
    _ONE_DAY,
    _R_AMBIGUOUS,
    _R_LATEST,
    _S_LATE,
    _S_NOT_JUDGED,
    _S_ON_TIME,
    _rule_codes,
    _Rules,
)


def _group_positions(group_id: np.ndarray) -> np.ndarray:
    """1-based position of each row within consecutive runs of equal ``group_id``."""
    n = len(group_id)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, group_id[1:] != group_id[:-1]]
    start_index = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n) - start_index + 1



# --------------------------------------------------------------------------------------------
# phase 5: the reviews held
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Held:
    """The reviews held, in child, period and date order (phase 5): one value per review in each array.

    The last five fields are None until :func:`_judge_held` fills them.
    """

    src: np.ndarray  # int64: row of the record in the input reviews table
    child: np.ndarray  # int64 child code
    date: np.ndarray  # datetime64[ns] review date
    period: np.ndarray  # int64 index into _Periods
    number: np.ndarray  # int64 review_number: 1, 2, ... within the period
    adoption_number: np.ndarray  # int64 position in the reg 36 chain, 0 before the placement
    previous: np.ndarray  # datetime64[ns] previous review of the period, NaT for the first
    adopt: np.ndarray  # bool: held on or after the placement for adoption (reg 36 chain)
    history_before: np.ndarray  # bool: the period began before the loaded returns
    due: np.ndarray | None = None  # datetime64[ns] due date (NaT: not judged)
    rule: np.ndarray | None = None  # rule code (index into _RULE_NAMES)
    status: np.ndarray | None = None  # status code (index into _STATUS_NAMES)
    chain_position: np.ndarray | None = None  # int64 position in the chain, 0 where unknown
    bits: np.ndarray | None = None  # int64 flag bits (rules._F_*)


def _chain_positions(records: _Records, period_of: np.ndarray, reason: np.ndarray, periods: _Periods,
                     coverage) -> _Held:
    """Phase 5a: the reviews kept, each with its place in its period's chain and the review before it.

    Parameters
    ----------
    records : _Records
    period_of, reason : ndarray
        From :func:`_place_in_periods`; the records with reason 0 are the reviews held.
    periods : _Periods
    coverage : datetime64[ns]
        First day the loaded returns cover.

    Returns
    -------
    _Held
        Without the judgement fields.

    Notes
    -----
    The reviews are in child and date order, so each period's reviews are one run of rows:
    ``number`` counts along the run (:func:`_group_positions`), ``previous`` is the row before
    within the run, and ``adoption_number`` counts the reviews on or after the period's
    placement for adoption (a running sum of ``adopt`` less its value where the run began).
    """
    ch = reason == 0
    h_date, p = records.date[ch], period_of[ch]
    n = len(p)
    new_group = np.r_[True, p[1:] != p[:-1]] if n else np.zeros(0, dtype=bool)
    k = _group_positions(p)
    prev = np.r_[_NAT, h_date[:-1]].astype("datetime64[ns]") if n else h_date.copy()
    prev[new_group] = _NAT
    placement = periods.placement[p]
    adopt = ~np.isnat(placement) & (h_date >= placement)
    j = np.zeros(n, dtype=np.int64)
    if n:
        cs = np.cumsum(adopt.astype(np.int64))
        group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
        j = np.where(adopt, cs - (cs[group_start] - adopt[group_start]), 0)
    return _Held(src=records.src[ch], child=records.child[ch], date=h_date, period=p, number=k, adoption_number=j,
                 previous=prev, adopt=adopt, history_before=periods.start[p] < coverage)


def _judge_held(held: _Held, periods: _Periods, rules: _Rules, coverage, upper_bound) -> _Held:
    """Phase 5b: the due date, rule, status and flags of each review held.

    Parameters
    ----------
    held : _Held
        From :func:`_chain_positions`.
    periods : _Periods
    rules : _Rules
    coverage : datetime64[ns]
        First day the loaded returns cover.
    upper_bound : datetime64[ns]
        The latest possible due date of a review whose previous review is before ``coverage``
        (the day before ``coverage`` plus 6 months).

    Returns
    -------
    _Held
        With ``due``, ``rule``, ``status``, ``chain_position`` and ``bits`` filled.

    Notes
    -----
    The position in the chain is ``adoption_number`` on the reg 36 chain, else ``number``. With
    the chain's start in the loaded returns: position 1 is due on the period's first due date
    (or 28 days after the placement), 2 three months after the previous review, later ones six
    months after it. When the chain began before the loaded returns nothing is guessed:
    position 1 is ``late`` against ``upper_bound`` when held after it, else ``not_judged``;
    position 2 is ``on_time`` when within 3 months of the previous review (on time whichever
    interval applied), ``late`` beyond 6 months, else ``not_judged`` (rule
    ``second_or_subsequent``); from position 3 the interval is 6 months anyway.
    ``chain_position`` is 0 where the position in the statutory chain is unknown (the next
    interval is then 6 months). Flags are bits of one integer: remand 1, placed for adoption 2,
    history before the loaded returns 4, close to the previous review 8, due date an upper
    bound 16 (their text is looked up once per combination at the end).
    """
    p, h_date, prev, adopt = held.period, held.date, held.previous, held.adopt
    position = np.where(adopt, held.adoption_number, held.number)
    placement = periods.placement[p]
    pstart = periods.start[p]
    known = np.where(adopt, placement >= coverage, pstart >= coverage)
    first_due = np.where(adopt, placement + np.timedelta64(28, "D"), periods.first_due[p])
    # (3 months after every previous review, used only at position 2)
    plus3, plus6 = rules.add_intervals(prev, (3, 6))
    due = np.where(position == 1, first_due, np.where(position == 2, plus3, plus6))
    rule = _rule_codes(position, adopt, rules)
    status = np.where(rules.on_time(h_date, due), _S_ON_TIME, _S_LATE).astype(np.int8)
    # unknown history: the chain began before the loaded returns (nothing is guessed)
    unk1 = ~known & (position == 1)
    certain = unk1 & (h_date > upper_bound)
    due = np.where(unk1, np.where(certain, upper_bound, _NAT), due)
    rule = np.where(unk1, np.where(certain, _R_LATEST, 0), rule)
    status = np.where(unk1, np.where(certain, _S_LATE, _S_NOT_JUDGED), status)
    unk2 = ~known & (position == 2)
    ok_both = rules.on_time(h_date, plus3)
    late_both = ~rules.on_time(h_date, plus6)
    due = np.where(unk2, np.where(ok_both | late_both, plus6, _NAT), due)
    status = np.where(unk2, np.where(ok_both, _S_ON_TIME, np.where(late_both, _S_LATE, _S_NOT_JUDGED)), status)
    rule = np.where(unk2, _R_AMBIGUOUS, rule)
    chain_pos = np.where(~known & (position <= 2), 0, position)
    gap = (h_date - prev) / np.timedelta64(1, "D")
    close = ~np.isnat(prev) & (gap < rules.close_days)
    bits = (periods.remand[p] * _F_REMAND | periods.placed_for_adoption[p] * _F_PLACED_FOR_ADOPTION
            | (pstart < coverage) * _F_HISTORY_BEFORE | close * _F_CLOSE | certain * _F_UPPER_BOUND).astype(np.int64)
    return replace(held, due=due, rule=rule, status=status, chain_position=chain_pos, bits=bits)


# --------------------------------------------------------------------------------------------
# phase 6: missed reviews
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chains:
    """Where each period's chains of missed due dates begin and must stop (phase 6a).

    Two entries per period (its reg 33 chain, then its reg 36 chain), one value per entry in
    each array.
    """

    due: np.ndarray  # datetime64[ns]: the first due date not met
    position: np.ndarray  # int64 chain position of that due date, 0 where unknown
    adopt: np.ndarray  # bool: the reg 36 chain
    limit: np.ndarray  # datetime64[ns]: the chain stops before this date
    upper: np.ndarray  # bool: ``due`` is only the latest possible due date
    period: np.ndarray  # int64 index into _Periods
    eligible: np.ndarray  # bool: the period expects reviews (not short breaks only)


@dataclass(frozen=True)
class _Missed:
    """One entry per missed due date (phase 6b)."""

    period: np.ndarray  # int64 index into _Periods
    due: np.ndarray  # datetime64[ns]
    rule: np.ndarray  # int8 rule code
    bits: np.ndarray  # int64 flag bits


def _missed_starts(held: _Held, periods: _Periods, rules: _Rules, coverage, year_end, upper_bound) -> _Chains:
    """Phase 6a: where each period's chains of missed due dates begin, and where they stop.

    Parameters
    ----------
    held : _Held
        Judged (:func:`_judge_held`).
    periods : _Periods
    rules : _Rules
    coverage, year_end, upper_bound : datetime64[ns]
        First day the loaded returns cover, last day of the year, latest possible due date
        when the chain began before the returns.

    Returns
    -------
    _Chains

    Notes
    -----
    A chain begins at the due date after its last review held (the statutory interval from
    it); with no review, at its first due date (start + 20 working days, or placement + 28
    days), or at ``upper_bound`` when it began before the loaded returns. It stops at the end
    of the year (the day after), at the end of the period of care (a due date on or after the
    day care ended is not due), and the reg 33 chain at the placement for adoption, where the
    reg 36 chain takes over (a reg 36 chain whose placement is not before its period's limit
    gets the limit 1 January 1800, so it never starts).
    """
    m, n = len(periods), len(held.date)
    per_end, per_place = periods.end, periods.placement
    limit_year = year_end + _ONE_DAY
    period_limit = np.where(np.isnat(per_end), limit_year, np.minimum(per_end, limit_year))
    rows = np.arange(n)
    last_stat = np.full(m, -1, dtype=np.int64)
    last_adopt = np.full(m, -1, dtype=np.int64)
    np.maximum.at(last_stat, held.period[~held.adopt], rows[~held.adopt])
    np.maximum.at(last_adopt, held.period[held.adopt], rows[held.adopt])
    has_place = ~np.isnat(per_place)
    known_stat = periods.start >= coverage
    known_adopt = has_place & (per_place >= coverage)

    def after(last):
        """Due date and chain position after each period's last review of one chain."""
        i = np.where(last >= 0, last, 0)
        if not n:
            return np.full(m, _NAT, dtype="datetime64[ns]"), np.zeros(m, dtype=np.int64)
        pos = held.chain_position[i]
        return rules.step(held.date[i], pos), np.where(pos == 0, 0, pos + 1)

    a_due, a_pos = after(last_stat)
    b_due, b_pos = after(last_adopt)
    has_stat, has_adopt = last_stat >= 0, last_adopt >= 0
    period = np.concatenate([np.arange(m), np.arange(m)])
    return _Chains(
        due=np.concatenate([
            np.where(has_stat, a_due, np.where(known_stat, periods.first_due, upper_bound)),
            np.where(has_adopt, b_due, np.where(known_adopt, per_place + np.timedelta64(28, "D"), upper_bound)),
        ]),
        position=np.concatenate([np.where(has_stat, a_pos, np.where(known_stat, 1, 0)),
                                 np.where(has_adopt, b_pos, np.where(known_adopt, 1, 0))]),
        adopt=np.concatenate([np.zeros(m, dtype=bool), np.ones(m, dtype=bool)]),
        limit=np.concatenate([
            np.where(has_place, np.minimum(period_limit, per_place), period_limit),
            np.where(has_place & (per_place < period_limit), period_limit, np.datetime64("1800-01-01", "ns")),
        ]),
        upper=np.concatenate([~has_stat & ~known_stat, ~has_adopt & ~known_adopt]),
        period=period,
        eligible=~periods.short_breaks_only[period] if m else np.zeros(0, dtype=bool),
    )


def _walk_missed(chains: _Chains, periods: _Periods, rules: _Rules) -> _Missed:
    """Phase 6b: one entry per due date that passed with no review, every chain walked at once.

    Parameters
    ----------
    chains : _Chains
        From :func:`_missed_starts`.
    periods : _Periods
    rules : _Rules

    Returns
    -------
    _Missed
        In the order found: every chain's first missed due date, then every second one, ...

    Notes
    -----
    Each pass takes one step along every chain still going: its due date is a missed review,
    the next due date is the statutory interval after it (as if the missed review had been
    held on its due date: at most one missed review per interval) and the position moves on
    (an unknown position 0 stays 0). A chain drops out when its next due date reaches its
    limit, so the passes are as many as the most missed reviews of any one period.
    """
    s_due, s_pos, s_adopt, s_limit, s_upper, s_p = (
        chains.due, chains.position, chains.adopt, chains.limit, chains.upper, chains.period)
    out_p, out_due, out_pos, out_adopt, out_upper = [], [], [], [], []
    active = chains.eligible & ~np.isnat(s_due) & (s_due < s_limit)
    while active.any():
        idx = np.flatnonzero(active)
        s_due, s_pos, s_adopt, s_limit, s_upper, s_p = (a[idx] for a in (s_due, s_pos, s_adopt, s_limit, s_upper, s_p))
        out_p.append(s_p), out_due.append(s_due), out_pos.append(s_pos), out_adopt.append(s_adopt)
        out_upper.append(s_upper)
        s_due = rules.step(s_due, s_pos)
        s_pos = np.where(s_pos == 0, 0, s_pos + 1)
        s_upper = np.zeros(len(idx), dtype=bool)
        active = s_due < s_limit
    if out_p:
        m_p, m_due, m_pos, m_adopt, m_upper = (np.concatenate(x) for x in (out_p, out_due, out_pos, out_adopt, out_upper))
    else:
        m_p = np.zeros(0, np.int64)
        m_due = np.zeros(0, "datetime64[ns]")
        m_pos = np.zeros(0, np.int64)
        m_adopt = m_upper = np.zeros(0, bool)
    rule = np.where(m_upper, _R_LATEST, _rule_codes(m_pos, m_adopt, rules)).astype(np.int8)
    bits = (periods.remand[m_p] * _F_REMAND | periods.placed_for_adoption[m_p] * _F_PLACED_FOR_ADOPTION
            | m_upper * _F_UPPER_BOUND).astype(np.int64)
    return _Missed(m_p, m_due, rule, bits)
