"""Episodes: legal routes, placements and moves of each period of care; and missing episodes.

:func:`_legal_tracks` chooses each period's legal route (s20, court, adoption, remand, short
breaks) so that the final 31 March matches the published legal-status mix;
:func:`_build_episodes` turns legal-status events and placement moves into episodes (RNE,
LS, PLACE, REC X1 between them); :func:`_exit_reasons` gives the reason each period ends;
:func:`_missing_episodes` draws episodes of going missing or away without authorisation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .days import _choice, _day
from .population import _ADOPT, _AGE_BANDS, _MEDIUM, _SHORT, _in_stock, _LONG


_PLACE_BY_BAND = {
    0: (["U6", "U4", "U5", "U3", "R3", "P1"], [0.55, 0.10, 0.10, 0.10, 0.08, 0.07]),
    1: (["U6", "U4", "U3", "U1", "P1", "K2"], [0.50, 0.15, 0.15, 0.08, 0.10, 0.02]),
    2: (["U6", "U4", "U3", "U1", "P1", "K2"], [0.40, 0.25, 0.10, 0.10, 0.10, 0.05]),
    3: (["U6", "U4", "U3", "U1", "K2", "P1", "S1", "R1", "Z1"], [0.30, 0.25, 0.07, 0.08, 0.18, 0.06, 0.02, 0.02, 0.02]),
    4: (["U6", "U4", "U1", "K2", "H5", "P2", "P1", "Z1"], [0.22, 0.15, 0.05, 0.15, 0.33, 0.03, 0.04, 0.03]),
}
_UASC_PLACE = {
    3: (["U6", "U4", "K2"], [0.7, 0.15, 0.15]),
    4: (["H5", "U6", "K2"], [0.6, 0.25, 0.15]),
}
_PROVIDER = {
    "P1": (["PR0"], [1.0]),
    "U1": (["PR1"], [1.0]), "U2": (["PR1"], [1.0]), "U3": (["PR1"], [1.0]),
    "U4": (["PR1", "PR4", "PR5"], [0.6, 0.33, 0.07]), "U5": (["PR1", "PR4"], [0.7, 0.3]),
    "U6": (["PR1", "PR4", "PR5"], [0.6, 0.33, 0.07]),
    "K2": (["PR4", "PR1", "PR5"], [0.75, 0.15, 0.10]), "H5": (["PR4", "PR1", "PR5"], [0.7, 0.15, 0.15]),
    "K3": (["PR4", "PR1", "PR5"], [0.7, 0.15, 0.15]), "P2": (["PR4", "PR1"], [0.6, 0.4]),
    "A5": (["PR1", "PR5"], [0.7, 0.3]), "A6": (["PR1", "PR5"], [0.7, 0.3]),
    "R3": (["PR4", "PR5"], [0.6, 0.4]), "S1": (["PR4", "PR5", "PR3"], [0.6, 0.3, 0.1]),
    "R1": (["PR4", "PR3"], [0.7, 0.3]), "Z1": (["PR4", "PR5"], [0.7, 0.3]),
    "K1": (["PR1", "PR2", "PR4"], [0.3, 0.4, 0.3]), "R5": (["PR3"], [1.0]),
}
_REASON_CHANGE = (["CARPL", "CREQB", "CREQO", "CHILD", "LAREQ", "STAND", "ALLEG", "CLOSE", "OTHER"],
                  [0.45, 0.14, 0.12, 0.07, 0.07, 0.04, 0.03, 0.03, 0.05])
_CIN = (["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"], [0.62, 0.03, 0.03, 0.08, 0.13, 0.01, 0.002, 0.098])


def _age_band(age_days: np.ndarray) -> np.ndarray:
    yrs = age_days / 365.25
    return np.clip(np.searchsorted(_AGE_BANDS, yrs, side="right") - 1, 0, 4)


def _draw_place(rng, age_days, uasc) -> np.ndarray:
    band = _age_band(age_days)
    out = np.empty(len(band), dtype=object)
    for b in range(5):
        for u in (False, True):
            sel = np.flatnonzero((band == b) & (uasc == u))
            if not len(sel):
                continue
            opts, w = _UASC_PLACE.get(max(b, 3)) if u else _PLACE_BY_BAND[b]
            out[sel] = _choice(rng, opts, w, len(sel))
    return out


def _legal_tracks(rng, periods: pd.DataFrame, targets: dict) -> pd.DataFrame:
    """Choose the legal route of each period and solve the interim-order length.

    Tracks: ``V2`` (s20 throughout), ``court`` (C1 then C2), ``adopt`` (C1 then E1), ``J1``
    (remand), ``SB`` (short breaks). On the final 31 March the s20 share of non-UASC children
    and the share of interim orders among court orders match the published legal-status mix.
    """
    n = len(periods)
    ls = targets["legal_status"]
    v2_all = ls.get("Voluntary agreements under S20 CA 1989", 0.19)
    u = targets["uasc_share"][targets["collection_years"][-1]]
    v2_non = float(np.clip((v2_all - u) / max(1 - u, 1e-9), 0.02, 0.9))
    age_start = (periods["start"] - periods["dob"]).to_numpy()
    pathway = periods["pathway"].to_numpy()
    track = np.where(pathway == _ADOPT, "adopt", "court").astype(object)
    base_v2 = np.select([pathway == _SHORT, pathway == _MEDIUM], [0.55, 0.35], 0.15)
    base_v2 = np.where(age_start > 10 * 365.25, base_v2 + 0.2, base_v2)
    p_v2 = np.clip(base_v2 * v2_non / 0.19, 0.01, 0.95)
    track = np.where((pathway != _ADOPT) & (rng.random(n) < p_v2), "V2", track)
    remand = (age_start > 12 * 365.25) & (rng.random(n) < 0.012) & (pathway == _SHORT)
    track = np.where(remand, "J1", track)
    track = np.where(periods["uasc"].to_numpy(), "V2", track)
    track = np.where(periods["short_breaks"].to_numpy(), "SB", track)
    t = _day(f"{targets['collection_years'][-1]}-03-31")
    stock = _in_stock(periods, t) & ~periods["uasc"].to_numpy()
    cand = np.flatnonzero(stock & np.isin(track, ["V2", "court"]))
    if len(cand):
        # exactly the published s20 share among non-UASC children on the final 31 March
        want = int(round(v2_non * stock.sum()))
        w = np.where(age_start[cand] > 10 * 365.25, 2.0, 1.0)
        chosen = rng.choice(cand, size=min(want, len(cand)), replace=False, p=w / w.sum())
        track[cand] = "court"
        track[chosen] = "V2"
    z = rng.standard_normal(n)
    # adoption route: placement order after care proceedings of about 10 months
    c1_days = np.ceil(np.exp(np.log(300) + 0.25 * z)).astype(np.int64)
    start = periods["start"].to_numpy()
    elapsed_all = t - start
    # placement orders (E1) on the final 31 March: convert young court-route children
    total = int(_in_stock(periods, t).sum())
    e1_target = int(round(ls.get("Placement order granted", 0.06) * total))
    have = int((stock & (track == "adopt") & (c1_days < elapsed_all)).sum())
    age_t = t - periods["dob"].to_numpy()
    cand = np.flatnonzero(stock & (track == "court") & (age_t < 9 * 365.25) & (elapsed_all > 200))
    need = min(max(e1_target - have, 0), len(cand))
    if need:
        w = 1.0 / (1.0 + age_t[cand] / 365.25)
        pick = rng.choice(cand, size=need, replace=False, p=w / w.sum())
        track[pick] = "adopt"
        c1_days[pick] = 150 + np.floor(rng.random(need) * (elapsed_all[pick] - 160)).astype(np.int64)
    periods = periods.assign(track=track)
    # interim care order length: lognormal, median solved so the C1 share of court orders
    # (C1 / (C1 + C2)) among children in care on the final 31 March matches the target
    c1, c2 = ls.get("Interim care order", 0.16), ls.get("Full care order", 0.58)
    f_c1 = c1 / max(c1 + c2, 1e-9)
    court_stock = np.flatnonzero(stock & (track == "court"))
    elapsed = elapsed_all[court_stock]
    lo, hi = 30.0, 4000.0
    for _ in range(40):
        mid = np.sqrt(lo * hi)
        share = np.mean(np.exp(np.log(mid) + 0.5 * z[court_stock]) > elapsed) if len(court_stock) else f_c1
        if share < f_c1:
            lo = mid
        else:
            hi = mid
    median_c1 = float(np.clip(np.sqrt(lo * hi), 60, 3000))
    court_c1 = np.ceil(np.exp(np.log(median_c1) + 0.5 * z)).astype(np.int64)
    periods["c1_days"] = np.where(track == "adopt", c1_days, court_c1)
    periods.attrs["median_c1_days"] = median_c1
    return periods


def _build_episodes(rng, periods: pd.DataFrame) -> pd.DataFrame:
    """Episodes of every non-short-break period: events -> RNE/LS/PLACE with REC X1 between.

    Phases: the events of each period (:func:`_episode_events`), merged into one row per
    period and day (:func:`_episode_days`), placements and reasons for new episodes
    (:func:`_place_episodes`), then end dates, reasons for changes and providers
    (:func:`_close_episodes`).
    """
    p = periods[periods["track"] != "SB"]
    rows_in_periods = p.index.to_numpy()
    p = p.reset_index(drop=True)
    end, dob, uasc = p["end"].to_numpy(), p["dob"].to_numpy(), p["uasc"].to_numpy()
    agg = _episode_days(_episode_events(rng, p))
    agg = _place_episodes(rng, agg, dob, uasc)
    agg = _close_episodes(rng, agg, end)
    pidv = agg["pid"].to_numpy()
    agg["period_row"] = rows_in_periods[pidv]
    agg["child"] = p["child"].to_numpy()[pidv]
    agg["LS"] = agg["ls"]
    return agg[["child", "period_row", "pid", "DECOM", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                "REASON_PLACE_CHANGE"]]


def _episode_events(rng, p: pd.DataFrame) -> pd.DataFrame:
    """Dated events of each period (``p`` numbered 0..n-1 as ``pid``), sorted by period and day.

    Returns
    -------
    DataFrame
        ``pid, day, kind, ls``; kind 0 start, 1 legal-status change (``ls`` the new status),
        2 placement move, 3 same-carer change, 4 adoptive placement. Events outside the period
        and non-start events on its first day are dropped.
    """
    n = len(p)
    start, end, dob = p["start"].to_numpy(), p["end"].to_numpy(), p["dob"].to_numpy()
    track = p["track"].to_numpy()
    pid = np.arange(n)
    ev = []  # (pid, day, kind, ls) kind: 0 start, 1 legal, 2 move, 3 same-carer move, 4 adoption placement

    # initial legal status
    init_ls = np.where(track == "V2", "V2", np.where(track == "J1", "J1", "C1")).astype(object)
    emergency = np.isin(track, ["court", "adopt"]) & (rng.random(n) < 0.08)
    init_ls = np.where(emergency, _choice(rng, ["L1", "L2"], [0.6, 0.4], n), init_ls)
    ev.append(pd.DataFrame({"pid": pid, "day": start, "kind": 0, "ls": init_ls}))
    em_days = np.where(emergency, rng.integers(1, 9, n), 0)
    sel = emergency & (start + em_days < end)
    ev.append(pd.DataFrame({"pid": pid[sel], "day": (start + em_days)[sel], "kind": 1, "ls": "C1"}))
    c1_end = start + em_days + p["c1_days"].to_numpy()
    sel = (track == "court") & (c1_end < end)
    ev.append(pd.DataFrame({"pid": pid[sel], "day": c1_end[sel], "kind": 1, "ls": "C2"}))
    sel = (track == "adopt") & (c1_end < end)
    ev.append(pd.DataFrame({"pid": pid[sel], "day": c1_end[sel], "kind": 1, "ls": "E1"}))
    placed = c1_end + rng.integers(60, 240, n)
    # adoptive placement only when the adoption order can follow within two years, before 10
    adopt_ok = (track == "adopt") & (placed < end - 70) & (end - placed < 730) & (end - dob < 10 * 365.25)
    ev.append(pd.DataFrame({"pid": pid[adopt_ok], "day": placed[adopt_ok], "kind": 4, "ls": None}))
    # placement moves: Poisson in time, more for teenagers; an early move for a quarter
    age_mid = (start + end) / 2 - dob
    rate = np.select([age_mid < 5 * 365.25, age_mid < 10 * 365.25, age_mid < 16 * 365.25], [0.3, 0.35, 0.6], 0.8)
    stop = np.where(adopt_ok, placed, end)
    n_moves = rng.poisson(rate * np.maximum(stop - start, 0) / 365.25)
    rep = np.repeat(pid, n_moves)
    mday = start[rep] + np.floor(rng.random(len(rep)) * (stop[rep] - start[rep])).astype(np.int64)
    ev.append(pd.DataFrame({"pid": rep, "day": mday, "kind": np.where(rng.random(len(rep)) < 0.08, 3, 2), "ls": None}))
    early = (rng.random(n) < 0.25) & (stop - start > 120)
    ed = start + rng.integers(20, 120, n)
    ev.append(pd.DataFrame({"pid": pid[early], "day": ed[early], "kind": 2, "ls": None}))

    e = pd.concat(ev, ignore_index=True)
    e = e[(e["day"] >= start[e["pid"]]) & (e["day"] < end[e["pid"]])]
    e = e[(e["kind"] == 0) | (e["day"] > start[e["pid"].to_numpy()])]
    return e.sort_values(["pid", "day", "kind"], kind="mergesort")


def _episode_days(e: pd.DataFrame) -> pd.DataFrame:
    """One row per period and day: which kinds of event fell on it, and the legal status then.

    Same-day events make one episode (a legal change and a move on one day is RNE B).
    """
    kind = e["kind"].to_numpy()
    e = e.assign(has_start=kind == 0, has_legal=kind == 1, has_move=(kind == 2) | (kind == 4),
                 has_t=kind == 3, has_adopt=kind == 4)
    g = e.groupby(["pid", "day"], sort=False)
    agg = g[["has_start", "has_legal", "has_move", "has_t", "has_adopt"]].max()
    agg["ls"] = g["ls"].last()
    agg = agg.reset_index()
    agg = agg.sort_values(["pid", "day"], kind="mergesort", ignore_index=True)
    agg["ls"] = agg.groupby("pid")["ls"].ffill()
    return agg


def _place_episodes(rng, agg: pd.DataFrame, dob: np.ndarray, uasc: np.ndarray) -> pd.DataFrame:
    """``PLACE`` and ``RNE`` of each episode.

    A start or a move draws a placement by age (remand and adoptive placements apart); a
    same-carer change re-codes the carer's placement (U6 -> U4, U3 -> U1), or draws one when
    there is no such code; other episodes keep the placement.
    """
    pidv = agg["pid"].to_numpy()
    age = agg["day"].to_numpy() - dob[pidv]
    place = np.empty(len(agg), dtype=object)
    need = agg["has_start"].to_numpy() | agg["has_move"].to_numpy()
    place[need] = _draw_place(rng, age[need], uasc[pidv[need]])
    # remand placements
    j1 = (agg["ls"] == "J1").to_numpy() & need
    place[j1] = _choice(rng, ["K1", "R5", "U6", "K2"], [0.3, 0.3, 0.2, 0.2], j1.sum())
    ad = agg["has_adopt"].to_numpy()
    place[ad] = _choice(rng, ["A5", "A6", "A4"], [0.35, 0.6, 0.05], ad.sum())
    agg["PLACE"] = place
    agg["PLACE"] = agg.groupby("pid")["PLACE"].ffill()
    # same-carer changes: U6 -> U4, U3 -> U1 (becoming long-term with the same carer)
    tmask = agg["has_t"].to_numpy() & ~need
    prev_place = agg.groupby("pid")["PLACE"].shift(1)
    agg.loc[tmask, "PLACE"] = prev_place[tmask].map({"U6": "U4", "U3": "U1"})
    bad_t = tmask & agg["PLACE"].isna().to_numpy()
    if bad_t.any():
        agg.loc[bad_t, "PLACE"] = _draw_place(rng, age[bad_t], uasc[pidv[bad_t]])
        tmask = tmask & ~bad_t
        need = need | bad_t
    agg["PLACE"] = agg.groupby("pid")["PLACE"].ffill()
    # adoptive placement with the current foster carer (A5) counts as "same carer"
    rne = np.select(
        [agg["has_start"].to_numpy(),
         agg["has_legal"].to_numpy() & need,
         agg["has_legal"].to_numpy(),
         ad & (agg["PLACE"] == "A5").to_numpy(),
         tmask],
        ["S", "B", "L", "T", "T"],
        "P",
    )
    agg["RNE"] = rne
    return agg


def _close_episodes(rng, agg: pd.DataFrame, end: np.ndarray) -> pd.DataFrame:
    """Supported accommodation re-coded from April 2025, then ``DECOM``, ``DEC``, ``REC`` (X1
    between episodes), ``REASON_PLACE_CHANGE`` and ``PLACE_PROVIDER``."""
    # drop no-op events (a move event that drew the same placement is still a move: keep)
    agg = _split_supported_accommodation(agg, end)
    pidv = agg["pid"].to_numpy()
    nxt = agg.groupby("pid")["day"].shift(-1)
    last = nxt.isna().to_numpy()
    agg["DECOM"] = agg["day"].to_numpy()
    agg["DEC"] = np.where(last, end[pidv], nxt.fillna(0).to_numpy()).astype(np.int64)
    agg["REC"] = np.where(last, None, "X1")
    ch = agg["RNE"].isin(["P", "B", "T", "U"]).to_numpy()
    reason = np.full(len(agg), None, dtype=object)
    reason[ch] = _choice(rng, *_REASON_CHANGE, ch.sum())
    reason[(agg["RNE"] == "T").to_numpy()] = "CARPL"
    reason[agg.get("k3", pd.Series(False, index=agg.index)).fillna(False).to_numpy().astype(bool)] = "PLACE"
    agg["REASON_PLACE_CHANGE"] = reason
    prov = np.empty(len(agg), dtype=object)
    for code, (opts, w) in _PROVIDER.items():
        sel = np.flatnonzero((agg["PLACE"] == code).to_numpy())
        prov[sel] = _choice(rng, opts, w, len(sel))
    agg["PLACE_PROVIDER"] = prov
    return agg


def _split_supported_accommodation(agg: pd.DataFrame, period_end: np.ndarray) -> pd.DataFrame:
    """H5/P2 end with 2024-25: re-code to K3 from 1 April 2025 with a status-change episode."""
    k3_day = _day("2025-04-01")
    agg = agg.copy()
    agg["k3"] = False
    nxt = agg.groupby("pid")["day"].shift(-1)
    sa = agg["PLACE"].isin(["H5", "P2"]).to_numpy()
    after = agg["day"].to_numpy() >= k3_day
    agg.loc[sa & after, "PLACE"] = "K3"
    span = (sa & ~after & (period_end[agg["pid"].to_numpy()] > k3_day)
            & (nxt.isna().to_numpy() | (nxt.fillna(np.inf).to_numpy() > k3_day)))
    if span.any():
        add = agg[span].copy()
        add["day"] = k3_day
        add["PLACE"] = "K3"
        add["RNE"] = "T"
        add["k3"] = True
        add[["has_start", "has_legal", "has_move", "has_t", "has_adopt"]] = False
        agg = pd.concat([agg, add], ignore_index=True).sort_values(["pid", "day"], kind="mergesort", ignore_index=True)
    return agg


def _exit_reasons(rng, periods: pd.DataFrame, episodes: pd.DataFrame) -> np.ndarray:
    """REC of the last episode of each period, consistent with age, route and what follows."""
    n = len(periods)
    end = periods["end"].to_numpy()
    at18 = end >= periods["b18"].to_numpy()
    pathway = periods["pathway"].to_numpy()
    track = periods["track"].to_numpy()
    uasc = periods["uasc"].to_numpy()
    dur = end - periods["start"].to_numpy()
    adopted_rows = episodes.loc[episodes["PLACE"].isin(["A4", "A5", "A6"]), "period_row"].unique()
    adopted = np.zeros(n, dtype=bool)
    adopted[adopted_rows] = True
    later = periods.groupby("child")["start"].transform("max").to_numpy() > periods["start"].to_numpy()
    rec = np.empty(n, dtype=object)

    def put(mask, opts, w):
        sel = np.flatnonzero(mask & (rec == None))  # noqa: E711 - object array
        rec[sel] = _choice(rng, opts, w, len(sel))

    put(later, ["E4A", "E4B", "E13", "E8"], [0.65, 0.15, 0.12, 0.08])
    put(track == "SB", ["E8"], [1.0])
    put(track == "J1", ["E14", "E9", "E4A"], [0.7, 0.15, 0.15])
    put(adopted, ["E11", "E12"], [0.65, 0.35])
    put(at18 & uasc, ["E5", "E6", "E17", "E8"], [0.6, 0.12, 0.15, 0.13])
    put(at18, ["E5", "E17", "E6", "E8", "E13", "E4A", "E7"], [0.45, 0.18, 0.07, 0.12, 0.06, 0.07, 0.05])
    put(uasc, ["E3", "E15", "E8", "E13"], [0.45, 0.2, 0.2, 0.15])
    put(dur < 180, ["E4A", "E4B", "E13", "E8", "E3", "E41"], [0.58, 0.1, 0.1, 0.1, 0.06, 0.06])
    put((pathway == _LONG) | (pathway == _ADOPT),
        ["E45", "E46", "E47", "E48", "E41", "E4A", "E8"], [0.12, 0.1, 0.15, 0.05, 0.1, 0.38, 0.1])
    put(np.ones(n, dtype=bool), ["E4A", "E41", "E45", "E47", "E48", "E13", "E8", "E3"],
        [0.48, 0.1, 0.08, 0.12, 0.04, 0.08, 0.06, 0.04])
    return rec


def _all_episodes(rng, periods: pd.DataFrame) -> pd.DataFrame:
    """Every episode: those of :func:`_build_episodes`, the last of each period ending with its
    reason (:func:`_exit_reasons`), one episode per short break, and CIN by period."""
    episodes = _build_episodes(rng, periods)
    # short-break episodes
    sbp = periods[periods["track"] == "SB"]
    sb_eps = pd.DataFrame({
        "child": sbp["child"].to_numpy(), "period_row": sbp.index.to_numpy(), "pid": -1,
        "DECOM": sbp["start"].to_numpy(), "RNE": "S", "LS": sbp["sb_ls"].to_numpy(),
        "PLACE": _choice(rng, ["U4", "U6", "K2"], [0.3, 0.2, 0.5], len(sbp)),
        "PLACE_PROVIDER": None, "DEC": sbp["end"].to_numpy(), "REC": "E8", "REASON_PLACE_CHANGE": None,
    })
    sb_eps["PLACE_PROVIDER"] = "PR1"  # short breaks are usually the authority's own provision
    rec = _exit_reasons(rng, periods, episodes)
    last = episodes.groupby("period_row")["DECOM"].transform("max") == episodes["DECOM"]
    episodes.loc[last.to_numpy(), "REC"] = rec[episodes.loc[last, "period_row"].to_numpy()]
    episodes = pd.concat([episodes, sb_eps], ignore_index=True)
    cin = pd.Series(_choice(rng, *_CIN, len(periods)), index=periods.index)
    cin[periods["uasc"].to_numpy()] = "N8"
    cin[periods["track"].to_numpy() == "SB"] = "N2"
    episodes["CIN"] = cin.to_numpy()[episodes["period_row"].to_numpy()]
    return episodes


# ---------------------------------------------------------------------------------------------
# Missing episodes
# ---------------------------------------------------------------------------------------------


def _missing_episodes(rng, periods: pd.DataFrame, data_end: int) -> pd.DataFrame:
    p = periods[periods["track"] != "SB"].reset_index(drop=True)
    # a heavy-tailed minority of teenagers go missing often
    age_end = (np.minimum(p["end"], data_end) - p["dob"]).to_numpy() / 365.25
    prone = rng.random(len(p)) < np.where(age_end >= 12, 0.3, 0.03)
    rate = np.where(prone, rng.gamma(1.2, 2.5, len(p)), 0.0)
    lo = np.maximum(p["start"].to_numpy(), p["dob"].to_numpy() + 10 * 365)
    hi = np.minimum(p["end"].to_numpy(), data_end + 1)
    span = np.maximum(hi - lo, 0)
    k = rng.poisson(rate * span / 365.25)
    rep = np.repeat(np.arange(len(p)), k)
    start = lo[rep] + np.floor(rng.random(len(rep)) * span[rep]).astype(np.int64)
    length = np.floor(rng.exponential(1.2, len(rep))).astype(np.int64)
    end = np.minimum(start + length, hi[rep] - 1)
    m = pd.DataFrame({
        "child": p["child"].to_numpy()[rep],
        "dob": p["dob"].to_numpy()[rep],
        "MISSING": np.where(rng.random(len(rep)) < 0.7, "M", "A"),
        "MIS_START": start,
        "MIS_END": np.maximum(end, start).astype(np.float64),
    })
    m = m.sort_values(["child", "MIS_START"], kind="mergesort", ignore_index=True)
    # one child cannot be missing twice at once: drop episodes overlapping the previous one
    overlap = (m["child"].shift(1) == m["child"]) & (m["MIS_START"] <= m["MIS_END"].shift(1))
    while overlap.any():
        m = m[~overlap].reset_index(drop=True)
        overlap = (m["child"].shift(1) == m["child"]) & (m["MIS_START"] <= m["MIS_END"].shift(1))
    still = m["MIS_END"].to_numpy() > data_end
    m.loc[still, "MIS_END"] = np.nan
    return m
