"""Reviews: the reg 33 schedule held as an authority holds it, with participation codes.

Each period's reviews follow the statutory schedule (first review 20 working days after the
period starts, the second three months after the first, then six-monthly, each restarting
from the actual date): most held in the fortnight before the due date, some naturally late,
some early, some brought forward after a placement move. With defects, some are
deliberately late or missed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import calendar as _cal
from .days import _add_years, _choice, _dt_days, _to_dt


_PN_OLDER = (["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"], [0.46, 0.08, 0.05, 0.06, 0.15, 0.1, 0.1])


# Share of placement moves (and final care / placement orders) after which the review cycle
# is restarted: a review within about a month of the event, for most the next about three
# months later, then six-monthly (reviews brought forward under reg 33(3) on a significant
# change of placement or plan; one seed report describes this "1, 3 and 9 months" restart as
# its practice for every move).
_P_MOVE_REVIEW = 0.8
_P_MOVE_FOLLOW_UP = 0.8
_KEY = 1 << 20  # day numbers stay far below this


def _move_triggers(rng, p: pd.DataFrame, episodes: pd.DataFrame | None) -> np.ndarray:
    """Sorted keys ``row * _KEY + day`` of the days reviews are brought forward to after moves."""
    if episodes is None or not len(episodes):
        return np.zeros(0, dtype=np.int64)
    pos = pd.Series(np.arange(len(p)), index=p["index"].to_numpy())
    move = episodes["RNE"].isin(["P", "B"]).to_numpy()
    order = episodes["RNE"].isin(["L", "B"]).to_numpy() & episodes["LS"].isin(["C2", "E1"]).to_numpy()
    mv = episodes[(move | order) & episodes["period_row"].isin(pos.index).to_numpy()]
    mv = mv[rng.random(len(mv)) < _P_MOVE_REVIEW]
    day = mv["DECOM"].to_numpy().astype(np.int64) + rng.integers(7, 29, len(mv))
    return np.sort(pos[mv["period_row"].to_numpy()].to_numpy().astype(np.int64) * _KEY + day)


def _schedule_reviews(rng, periods: pd.DataFrame, data_end: int, defects: bool,
                      episodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reviews held (and deliberately missed) following the reg 33 schedule, vectorised over periods.

    Reviews brought forward after placement moves (``episodes`` RNE P/B) are held early, so
    they are on time and restart the clock like any other review. Each round of the loop
    holds the next review of every period still open: its day (:func:`_review_days`),
    perhaps brought forward (:func:`_bring_forward`), or deliberately missed.
    """
    p = periods[periods["track"] != "SB"].reset_index()
    n = len(p)
    trig = _move_triggers(rng, p, episodes)
    follow = np.zeros(n, dtype=bool)
    start, end = p["start"].to_numpy(), p["end"].to_numpy()
    horizon = np.minimum(end, data_end + 1)  # reviews strictly before leaving and within the data
    hol = _cal.working_day_holidays(int(_to_dt([start.min()]).year[0]) - 1, int(_to_dt([data_end]).year[0]) + 2)
    due = _dt_days(_cal.add_working_days(_to_dt(start), 20, holidays=hol))
    prev = np.full(n, np.nan)
    active = due < horizon
    number = np.ones(n, dtype=np.int64)
    rows = []
    p_late_inj = 0.012 if defects else 0.0
    p_miss = 0.08 if defects else 0.0
    while active.any():
        idx = np.flatnonzero(active)
        d = due[idx]
        lo = np.where(np.isnan(prev[idx]), start[idx], prev[idx] + 1).astype(np.int64)
        h = horizon[idx]
        date, kind = _review_days(rng, d, lo, h, data_end, p_late_inj)
        date, kind = _bring_forward(rng, idx, d, lo, h, date, kind, follow, trig)
        # deliberately missed: only when the child leaves (or the data end) within 90 days
        gap = np.minimum(h, data_end + 1) - d
        miss = (gap >= 1) & (gap <= 90) & (rng.random(len(idx)) < p_miss) & (d <= data_end)
        held = ~miss & (date < h)
        rows.append(pd.DataFrame({
            "prow": idx, "review_number": number[idx], "due": d,
            "date": np.where(held, date, -1), "kind": np.where(miss, 4, kind), "held": held,
        }))
        # next due date from the actual date
        nxt = np.where(
            number[idx] == 1,
            _dt_days(_cal.add_calendar_months(_to_dt(date), 3)),
            _dt_days(_cal.add_calendar_months(_to_dt(date), 6)),
        )
        prev[idx] = date
        due[idx] = nxt
        number[idx] += 1
        active[idx] = held & (nxt < horizon[idx])
        # a review due on the very day the child leaves is held (on time) the day before
        edge = held & (nxt == horizon[idx]) & (horizon[idx] <= data_end)
        if edge.any():
            e_idx = idx[edge]
            rows.append(pd.DataFrame({
                "prow": e_idx, "review_number": number[e_idx], "due": nxt[edge],
                "date": np.maximum(nxt[edge] - 1, prev[e_idx] + 1), "kind": 0, "held": True,
            }))
    rv = pd.concat(rows, ignore_index=True)
    rv = rv[(rv["held"]) | (rv["kind"] == 4)]
    rv["period_row"] = p["index"].to_numpy()[rv["prow"].to_numpy()]
    rv["child"] = p["child"].to_numpy()[rv["prow"].to_numpy()]
    rv["period_start"] = start[rv["prow"].to_numpy()]
    rv["dob"] = p["dob"].to_numpy()[rv["prow"].to_numpy()]
    return rv.drop(columns="prow").sort_values(["child", "due"], kind="mergesort", ignore_index=True)


def _review_days(rng, d: np.ndarray, lo: np.ndarray, h: np.ndarray, data_end: int,
                 p_late_inj: float) -> tuple[np.ndarray, np.ndarray]:
    """Day each due review is held, and how: 0 on time, 1 naturally late, 2 deliberately late
    (an injected defect), 3 early.

    Parameters
    ----------
    d, lo, h : ndarray of int64
        Due day, first possible day (the period start or the day after the last review) and
        the day the period (or the data) ends.
    data_end : int
        Last day of the data.
    p_late_inj : float
        Share deliberately late (0 without defects).
    """
    n = len(d)
    p_late_nat, p_early = 0.06, 0.05
    r = rng.random(n)
    # on time: mostly within the fortnight before the due date
    on = d - np.floor(rng.exponential(6, n)).astype(np.int64)
    early = lo + np.floor(rng.random(n) * np.maximum(d - lo, 1) * 0.6).astype(np.int64) + 20
    late_nat = d + 1 + np.floor(rng.exponential(9, n)).astype(np.int64)
    late_inj = d + rng.integers(35, 120, n)
    kind = np.select([r < p_late_inj, r < p_late_inj + p_late_nat, r < p_late_inj + p_late_nat + p_early],
                     [2, 1, 3], 0)
    # late reviews must still be before the child leaves and before the data end
    limit = np.minimum(h, data_end + 1)
    on = np.clip(on, lo, np.maximum(np.minimum(d, h - 1), lo))
    early = np.clip(early, lo, d)
    kind = np.where(((kind == 1) & (late_nat >= limit)) | ((kind == 2) & (late_inj >= limit)), 0, kind)
    date = np.select([kind == 2, kind == 1, kind == 3], [late_inj, late_nat, early], on)
    return date, kind


def _bring_forward(rng, idx: np.ndarray, d: np.ndarray, lo: np.ndarray, h: np.ndarray, date: np.ndarray,
                   kind: np.ndarray, follow: np.ndarray, trig: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reviews brought forward: after a placement move (not within four weeks of the last
    review), or three months after a review that followed a move.

    Injected late reviews are left alone. A brought-forward review is early (kind 3).
    ``follow`` (per period: the next review is a three-month follow-up) is updated in place.
    """
    fu = np.where(follow[idx], _dt_days(_cal.add_calendar_months(_to_dt(lo - 1), 3))
                  - rng.integers(0, 14, len(idx)), np.iinfo(np.int64).max)
    k = np.searchsorted(trig, idx * _KEY + lo + 28)
    kc = np.minimum(k, max(len(trig) - 1, 0))
    hit = (k < len(trig)) & (trig[kc] // _KEY == idx) if len(trig) else np.zeros(len(idx), bool)
    mv = np.where(hit, trig[kc] % _KEY if len(trig) else 0, np.iinfo(np.int64).max)
    fwd = np.minimum(mv, fu)
    use = (kind != 2) & (fwd < date) & (fwd <= d) & (fwd < h) & (fwd >= lo)
    date = np.where(use, fwd, date)
    kind = np.where(use, 3, kind)
    follow[idx] = use & (mv <= fu) & (rng.random(len(idx)) < _P_MOVE_FOLLOW_UP)
    return date, kind


def _pn_codes(rng, review_days: np.ndarray, dob: np.ndarray) -> np.ndarray:
    b4 = _add_years(dob, 4)
    under4 = review_days < b4
    out = _choice(rng, *_PN_OLDER, len(review_days))
    out[under4] = "PN0"
    return out

