"""Periods of care: children entering and leaving care, forced to the published flows and stocks.

Entries are a Poisson process at the published rate of starts (UASC a separate stream); each
period follows a pathway chosen by age at entry (short, medium, adoption, long), with the
short/long balance solved so that the expected stock matches the published one (Little's
law); some children who return home come back. :func:`_force_stock` then sets, year by year,
the opening stock, the starts and the 31 March stock exactly (UASC and other children apart).
Children looked after only under short-break agreements are drawn separately
(:func:`_short_breaks`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .days import _add_years, _cy_of, _day

_BURN_IN_YEARS = 19

_AGE_BANDS = np.array([0, 1, 5, 10, 16, 18])  # years
_NONUASC_AGE_P = np.array([0.22, 0.16, 0.17, 0.33, 0.12])
# pathway weights by entry age band: short, medium, adoption, long
_PATHWAY_W = np.array(
    [
        [0.22, 0.22, 0.30, 0.26],
        [0.26, 0.26, 0.16, 0.32],
        [0.32, 0.30, 0.00, 0.38],
        [0.38, 0.30, 0.00, 0.32],
        [0.50, 0.30, 0.00, 0.20],
    ]
)
_SHORT, _MEDIUM, _ADOPT, _LONG = 0, 1, 2, 3


def _pathway_probs(band: np.ndarray, lam: float) -> np.ndarray:
    w = _PATHWAY_W[band].copy()
    w[:, [_SHORT, _MEDIUM]] *= np.exp(-lam)
    w[:, [_LONG, _ADOPT]] *= np.exp(lam)
    return w / w.sum(axis=1, keepdims=True)


def _draw_durations(rng, n, entry_age_days, pathway, u_dur):
    """Planned length of stay in days (before the 18th-birthday cap)."""
    to18 = 18 * 365.25 - entry_age_days
    z = u_dur  # standard normal draws fixed per entrant so calibration is smooth
    dur = np.empty(n)
    s = pathway == _SHORT
    dur[s] = np.exp(np.log(30) + 1.0 * z[s])
    m = pathway == _MEDIUM
    dur[m] = np.exp(np.log(270) + 0.6 * z[m])
    a = pathway == _ADOPT
    dur[a] = np.exp(np.log(620) + 0.30 * z[a])
    lg = pathway == _LONG
    early = rng.random(n) < 0.30
    frac = rng.random(n)
    dur[lg] = np.where(early[lg], 365 + frac[lg] * np.maximum(to18[lg] - 365, 1), to18[lg] + 1)
    return np.clip(np.minimum(dur, to18), 1, None)


def _solve_lambda(target_days: float) -> float:
    """Short/long balance giving a mean (capped) stay of ``target_days`` for non-UASC entrants."""
    rng = np.random.default_rng(12345)  # fixed: calibration must not depend on the user's seed
    n = 6000
    band = rng.choice(5, size=n, p=_NONUASC_AGE_P)
    age = (_AGE_BANDS[band] + rng.random(n) * (_AGE_BANDS[band + 1] - _AGE_BANDS[band])) * 365.25
    u_path = rng.random(n)
    z = rng.standard_normal(n)
    rng_state = rng.bit_generator.state

    def mean_stay(lam):
        rng.bit_generator.state = rng_state
        cum = _pathway_probs(band, lam).cumsum(axis=1)
        pw = (u_path[:, None] > cum).sum(axis=1)
        return _draw_durations(rng, n, age, pw, z).mean()

    lo, hi = -5.0, 5.0
    if mean_stay(lo) >= target_days:
        return lo
    if mean_stay(hi) <= target_days:
        return hi
    for _ in range(30):
        mid = (lo + hi) / 2
        if mean_stay(mid) < target_days:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _entries(rng, starts_by_cy: dict, first_day: int, last_day: int, share: float) -> np.ndarray:
    """Poisson entry days between first_day and last_day (inclusive) at rate share*starts."""
    out = []
    cys = sorted(starts_by_cy)
    lo_cy = int(_cy_of(np.array([first_day]))[0])
    hi_cy = int(_cy_of(np.array([last_day]))[0])
    for cy in range(lo_cy, hi_cy + 1):
        a = max(first_day, _day(f"{cy - 1}-04-01"))
        b = min(last_day, _day(f"{cy}-03-31"))
        if b < a:
            continue
        rate = share * starts_by_cy.get(cy, starts_by_cy[cys[0]] if cy < cys[0] else starts_by_cy[cys[-1]])
        n = rng.poisson(max(rate, 0.0) * (b - a + 1) / 365.25)
        out.append(rng.integers(a, b + 1, size=n))
    return np.sort(np.concatenate(out)) if out else np.zeros(0, dtype=np.int64)


def _new_children(rng, entry_days, uasc: bool, lam: float):
    n = len(entry_days)
    if uasc:
        ages = rng.choice([14, 15, 16, 17], size=n, p=[0.05, 0.2, 0.45, 0.3]) + rng.random(n) * 0.999
        age_days = ages * 365.25
        sex = np.where(rng.random(n) < 0.95, "M", "F")
        pathway = np.full(n, _LONG)
        # most UASC stay to 18; some transfer (E3) or are assessed as adults (E15) early
        to18 = 18 * 365.25 - age_days
        early = rng.random(n) < 0.15
        dur = np.where(early, np.exp(np.log(60) + 0.8 * rng.standard_normal(n)), to18 + 1)
        dur = np.clip(np.minimum(dur, to18), 1, None)
    else:
        band = rng.choice(5, size=n, p=_NONUASC_AGE_P)
        lo, hi = _AGE_BANDS[band], _AGE_BANDS[band + 1]
        ages = lo + rng.random(n) * (hi - lo)
        # a fifth of babies come into care in their first week (pre-birth planning)
        newborn = (band == 0) & (rng.random(n) < 0.2)
        ages = np.where(newborn, rng.random(n) * 7 / 365.25, ages)
        age_days = ages * 365.25
        sex = np.where(rng.random(n) < 0.53, "M", "F")
        cum = _pathway_probs(band, lam).cumsum(axis=1)
        pathway = (rng.random(n)[:, None] > cum).sum(axis=1)
        dur = _draw_durations(rng, n, age_days, pathway, rng.standard_normal(n))
    dob = entry_days - np.floor(age_days).astype(np.int64)
    return pd.DataFrame(
        {
            "dob": dob,
            "sex": sex,
            "uasc": uasc,
            "start": entry_days.astype(np.int64),
            "end": entry_days.astype(np.int64) + np.ceil(dur).astype(np.int64),
            "pathway": pathway,
        }
    )


def _cap_at_18(periods: pd.DataFrame) -> pd.DataFrame:
    b18 = _add_years(periods["dob"].to_numpy(), 18)
    periods = periods.assign(b18=b18)
    periods["end"] = np.minimum(periods["end"].to_numpy(), b18)
    periods["end"] = np.maximum(periods["end"].to_numpy(), periods["start"].to_numpy() + 1)
    return periods


def _simulate_periods(rng, targets: dict) -> pd.DataFrame:
    cys = targets["collection_years"]
    last_day = _day(f"{cys[-1]}-03-31")
    first_day = _day(f"{cys[0] - 1}-04-01") - int(_BURN_IN_YEARS * 365.25)
    stock0 = targets["cla_31_march"][cys[0]]
    starts0 = max(targets["starting"][cys[0]], 1)
    u0 = targets["uasc_share"][cys[0]]
    # UASC stay about 1.45 years on average (entry mostly at 16, leave at 18)
    uasc_rate = {cy: targets["uasc_share"][cy] * targets["cla_31_march"][cy] / 1.45 for cy in cys}
    non_rate = {
        cy: max(targets["starting"][cy] - uasc_rate[cy], 0.35 * targets["starting"][cy], 1.0) / 1.10
        for cy in cys
    }  # /1.10: about a tenth of starts are re-entries of children already known
    target_stay = max(stock0 * (1 - u0), 1.0) / max(non_rate[cys[0]] * 1.10, 1.0) * 365.25
    lam = _solve_lambda(min(max(target_stay, 40.0), 3000.0))
    non = _new_children(rng, _entries(rng, non_rate, first_day, last_day, 1.0), False, lam)
    uas = _new_children(rng, _entries(rng, uasc_rate, first_day, last_day, 1.0), True, lam)
    kids = pd.concat([non, uas], ignore_index=True).sort_values("start", kind="mergesort", ignore_index=True)
    kids["child"] = np.arange(len(kids), dtype=np.int64)
    kids = _cap_at_18(kids)
    kids["lam"] = lam
    # re-entries: some children who go home come back into care
    again = (
        (~kids["uasc"]) & kids["pathway"].isin([_SHORT, _MEDIUM]) & (rng.random(len(kids)) < 0.12)
    ).to_numpy()
    gap = np.ceil(np.exp(np.log(240) + 0.7 * rng.standard_normal(len(kids)))).astype(np.int64)
    re_start = kids["end"].to_numpy() + gap
    ok = again & (re_start < kids["b18"].to_numpy() - 180) & (re_start <= last_day)
    base = kids[ok]
    if len(base):
        re = _new_children(rng, re_start[ok], False, lam)
        re["dob"] = base["dob"].to_numpy()
        re["sex"] = base["sex"].to_numpy()
        re["child"] = base["child"].to_numpy()
        age_days = re["start"].to_numpy() - re["dob"].to_numpy()
        re["end"] = re["start"].to_numpy() + np.ceil(
            _draw_durations(rng, len(re), age_days, re["pathway"].to_numpy(), rng.standard_normal(len(re)))
        ).astype(np.int64)
        re = _cap_at_18(re)
        re["lam"] = lam
        kids = pd.concat([kids, re], ignore_index=True)
    kids["short_breaks"] = False
    return kids


def _in_stock(periods: pd.DataFrame, day: int) -> np.ndarray:
    return ((periods["start"] <= day) & (periods["end"] > day) & ~periods["short_breaks"]).to_numpy()


def _entrants_in_care_at(rng, periods: pd.DataFrame, n: int, is_uasc: bool, lam: float, t_prev: int, t: int,
                         label: str) -> pd.DataFrame:
    """``n`` new children entering care in (t_prev, t] and still in care on day ``t``."""
    new = _new_children(rng, np.sort(rng.integers(t_prev + 1, t + 1, size=n)), is_uasc, lam)
    new["child"] = periods["child"].max() + 1 + np.arange(n)
    new = _cap_at_18(new)
    # keep them past 31 March; those reaching 18 first are re-drawn younger
    young = new["b18"].to_numpy() <= t + 1
    if young.any():
        new.loc[young, "dob"] = new.loc[young, "start"] - (15 * 365 + rng.integers(0, 365, young.sum()))
        new = _cap_at_18(new.drop(columns="b18"))
    stay = t + 1 + np.ceil(rng.exponential(400, size=n)).astype(np.int64)
    new["end"] = np.maximum(new["end"].to_numpy(), np.minimum(stay, new["b18"].to_numpy()))
    new["short_breaks"] = False
    new["forced"] = label
    new["lam"] = lam
    return new


def _force_starts(rng, periods: pd.DataFrame, t_prev: int, t: int, want: int, n_uasc: int,
                  lam: float) -> pd.DataFrame:
    """Make the number of children starting care in (t_prev, t] equal ``want``.

    Counted as DfE counts starts: children (once each, however many periods begin in the
    year), short breaks excluded. A shortfall adds new (non-UASC) entrants on random days of
    the year; an excess removes the periods that some entrants (non-UASC first) begin in
    or after the year. Nothing before ``t_prev`` moves. When fewer than ``n_uasc`` UASC would be in
    care on ``t``, the missing UASC enter during the year first (as starts), so that the
    stock calibration that follows does not add them on top of the published starts.
    """
    u_short = n_uasc - int((_in_stock(periods, t) & periods["uasc"].to_numpy()).sum())
    if u_short > 0 and want > 0:
        new = _entrants_in_care_at(rng, periods, min(u_short, int(want)), True, lam, t_prev, t, "added_start")
        periods = pd.concat([periods, new], ignore_index=True)
    st = periods["start"].to_numpy()
    in_year = (st > t_prev) & (st <= t) & ~periods["short_breaks"].to_numpy()
    child = periods["child"].to_numpy()
    kids = np.unique(child[in_year])
    diff = int(want) - len(kids)
    if diff > 0:
        new = _new_children(rng, np.sort(rng.integers(t_prev + 1, t + 1, size=diff)), False, lam)
        new["child"] = periods["child"].max() + 1 + np.arange(diff)
        new = _cap_at_18(new)
        new["short_breaks"] = False
        new["forced"] = "added_start"
        new["lam"] = lam
        periods = pd.concat([periods, new], ignore_index=True)
    elif diff < 0:
        u_kids = np.unique(child[in_year & periods["uasc"].to_numpy()])
        non = np.setdiff1d(kids, u_kids)
        pool = non if len(non) >= -diff else kids
        drop_kids = rng.choice(pool, size=-diff, replace=False)
        drop = np.isin(child, drop_kids) & (st > t_prev)
        periods = periods[~drop].reset_index(drop=True)
    return periods


def _force_stock(rng, periods: pd.DataFrame, targets: dict, lam: float) -> pd.DataFrame:
    """Make flows and stock match the targets, year by year.

    The 31 March before the first collection year is set to ``opening_stock``; then, for each
    collection year in order, the number of children starting care is set to ``starting``
    (:func:`_force_starts`) and the number in care on 31 March to ``cla_31_march`` (UASC and
    others apart). With both stocks and the starts fixed, children ceasing follow from the
    flow identity (closing = opening + starts - ceased) and land near the published figure.
    """
    cys = targets["collection_years"]
    periods = periods.copy()
    plan = [(cys[0] - 1, targets["opening_stock"], targets["uasc_share"][cys[0]], None)]
    plan += [(cy, targets["cla_31_march"][cy], targets["uasc_share"][cy], targets["starting"][cy]) for cy in cys]
    for cy, total, u_share, starts in plan:
        t = _day(f"{cy}-03-31")
        t_prev = _day(f"{cy - 1}-03-31")
        n_uasc = int(round(total * u_share))
        if starts is not None:
            periods = _force_starts(rng, periods, t_prev, t, starts, n_uasc, lam)
        for is_uasc, want in ((True, n_uasc), (False, total - n_uasc)):
            grp = (periods["uasc"] == is_uasc).to_numpy()
            stock = _in_stock(periods, t) & grp
            diff = want - int(stock.sum())
            if diff < 0:
                # end some stays inside this year: earlier 31 Marches are unchanged
                lo = np.maximum(periods["start"].to_numpy(), t_prev) + 1
                cand = np.flatnonzero(stock & (lo <= t))
                pick = rng.choice(cand, size=min(-diff, len(cand)), replace=False)
                new_end = lo[pick] + np.floor(rng.random(len(pick)) * (t - lo[pick] + 1)).astype(np.int64)
                periods.loc[periods.index[pick], "end"] = np.maximum(new_end, periods["start"].to_numpy()[pick] + 1)
                periods.loc[periods.index[pick], "forced"] = "truncated"
            elif diff > 0:
                # extend stays that ended this year (no later period, still under 18 at 31 March)
                end = periods["end"].to_numpy()
                later = periods.groupby("child")["start"].transform("max").to_numpy() > periods["start"].to_numpy()
                cand = np.flatnonzero(
                    grp & ~periods["short_breaks"].to_numpy() & (end > t_prev) & (end <= t) & ~later
                    & (periods["b18"].to_numpy() > t + 1)
                )
                pick = rng.choice(cand, size=min(diff, len(cand)), replace=False)
                b18 = periods["b18"].to_numpy()[pick]
                extra = np.ceil(rng.exponential(400, size=len(pick))).astype(np.int64)
                periods.loc[periods.index[pick], "end"] = np.minimum(t + 1 + extra, b18)
                periods.loc[periods.index[pick], "forced"] = "extended"
                need = diff - len(pick)
                if need > 0:
                    new = _entrants_in_care_at(rng, periods, need, is_uasc, lam, t_prev, t, "added")
                    periods = pd.concat([periods, new], ignore_index=True)
    return periods


def _short_breaks(rng, targets: dict, first_child: int) -> pd.DataFrame:
    """Children looked after only under short-break agreements (V3 breaks or a V4 agreement)."""
    cys = targets["collection_years"]
    n = max(1, int(round(0.03 * targets["cla_31_march"][cys[-1]])))
    first = _day(f"{cys[0] - 1}-04-01") - 3 * 365
    last = _day(f"{cys[-1]}-03-31")
    agree_start = rng.integers(first, last - 30, size=n)
    agree_len = rng.integers(365, 4 * 365, size=n)
    dob = agree_start - (rng.integers(5, 15, size=n) * 365 + rng.integers(0, 365, size=n))
    sex = np.where(rng.random(n) < 0.62, "M", "F")
    v4 = rng.random(n) < 0.4
    rows = []
    for i in range(n):
        if v4[i]:
            rows.append((first_child + i, dob[i], sex[i], agree_start[i], agree_start[i] + agree_len[i], "V4"))
            continue
        k = max(1, int(agree_len[i] / 365 * 8))
        starts = np.sort(rng.choice(np.arange(agree_start[i], agree_start[i] + agree_len[i], 7), size=k, replace=False))
        for s in starts:
            rows.append((first_child + i, dob[i], sex[i], s, s + int(rng.integers(2, 5)), "V3"))
    sb = pd.DataFrame(rows, columns=["child", "dob", "sex", "start", "end", "sb_ls"])
    sb = sb.astype({"child": np.int64, "dob": np.int64, "start": np.int64, "end": np.int64})
    sb["uasc"] = False
    sb["pathway"] = _SHORT
    sb["short_breaks"] = True
    sb["b18"] = _add_years(sb["dob"].to_numpy(), 18)
    sb = sb[sb["end"] < sb["b18"]]
    return sb


def _periods_of_care(rng, targets: dict) -> pd.DataFrame:
    """Every period of care of the children whose care touches the collection years.

    The simulated periods (:func:`_simulate_periods`) forced to the published flows and
    stocks (:func:`_force_stock`), with the short-break children (:func:`_short_breaks`),
    sorted by child and start; ``forced`` says how calibration changed a period.
    """
    cys = targets["collection_years"]
    data_end = _day(f"{cys[-1]}-03-31")
    periods = _simulate_periods(rng, targets)
    periods["forced"] = ""
    periods = _force_stock(rng, periods, targets, float(periods["lam"].iloc[0]))
    sb = _short_breaks(rng, targets, int(periods["child"].max()) + 1)
    sb["forced"] = ""
    periods = pd.concat([periods, sb], ignore_index=True)
    periods = periods.sort_values(["child", "start"], kind="mergesort", ignore_index=True)
    # only children whose care touches the requested years matter from here on
    first_day = _day(f"{cys[0] - 1}-04-01")
    keep_child = periods.loc[(periods["end"] >= first_day) & (periods["start"] <= data_end), "child"].unique()
    return periods[periods["child"].isin(keep_child)].reset_index(drop=True)
