"""Ethnicity of every child, matching the published mix of the children in care on each 31 March.

UASC take England's UASC mix capped by the authority's own count of each group; other
children take the remainder, so that the non-UASC mix (which disproportionality analyses
use) is what the published figures imply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calibration import _GROUPS
from .days import _choice, _day
from .population import _in_stock

_DETAIL = {
    "White": (["WBRI", "WOTH", "WIRI", "WROM", "WIRT"], [0.84, 0.11, 0.02, 0.02, 0.01]),
    "Mixed": (["MWBC", "MWBA", "MWAS", "MOTH"], [0.35, 0.15, 0.2, 0.3]),
    "Asian": (["APKN", "ABAN", "AIND", "AOTH", "CHNE"], [0.35, 0.15, 0.15, 0.33, 0.02]),
    "Black": (["BAFR", "BCRB", "BOTH"], [0.55, 0.2, 0.25]),
    "Other": (["OOTH"], [1.0]),
    "Refused or not obtained": (["REFU", "NOBT"], [0.4, 0.6]),
}
# UASC minor groups within each main group: England's UASC on 31 March 2024 (national UASC
# characteristics table), e.g. Black 1,890 = African 1,630 + other Black 230 + Caribbean 30.
_UASC_DETAIL = {
    "White": (["WOTH"], [1.0]),
    "Mixed": (["MOTH", "MWBA", "MWAS"], [0.7, 0.15, 0.15]),
    "Asian": (["AOTH", "APKN", "CHNE"], [0.97, 0.02, 0.01]),
    "Black": (["BAFR", "BOTH", "BCRB"], [0.86, 0.12, 0.02]),
    "Other": (["OOTH"], [1.0]),
    "Refused or not obtained": (["NOBT", "REFU"], [0.85, 0.15]),
}


def _largest_remainder(shares: np.ndarray, n: int) -> np.ndarray:
    raw = shares / shares.sum() * n if shares.sum() > 0 else np.zeros_like(shares)
    out = np.floor(raw).astype(int)
    rem = n - out.sum()
    if rem > 0:
        out[np.argsort(-(raw - out), kind="mergesort")[:rem]] += 1
    return out


def _capped_allocation(shares: np.ndarray, n: int, cap: np.ndarray) -> np.ndarray:
    """Integer counts summing to ``min(n, cap.sum())``, proportional to ``shares``, none above ``cap``.

    Groups that would exceed their cap are fixed at it and the rest is shared again among the
    others in proportion to their shares (capacity when their shares are all zero).
    """
    cap = np.maximum(np.asarray(cap, dtype=int), 0)
    n = int(min(n, cap.sum()))
    out = np.zeros(len(cap), dtype=int)
    free = cap > 0
    while n > 0 and free.any():
        w = np.where(free, shares, 0.0)
        if w.sum() <= 0:
            w = np.where(free, cap - out, 0).astype(float)
        raw = w / w.sum() * n
        over = free & (out + raw > cap)
        if over.any():
            n -= int((cap[over] - out[over]).sum())
            out[over] = cap[over]
            free &= ~over
            continue
        out += _largest_remainder(w, n)
        break
    return out


def _fill(rng, idx: np.ndarray, quota: np.ndarray, group: np.ndarray):
    """Give children ``idx`` (shuffled) groups from ``quota`` (counts per group)."""
    pool = rng.permutation(np.repeat(np.arange(len(_GROUPS)), np.maximum(quota, 0)))
    idx = rng.permutation(idx)
    k = min(len(idx), len(pool))
    group[idx[:k]] = pool[:k]


def _assign_ethnicity(rng, periods: pd.DataFrame, targets: dict) -> pd.Series:
    """Ethnic group and code of every child.

    On each 31 March of the collection years (latest first) the children in care match the
    authority's published mix exactly (as far as children fixed by a later year allow). UASC
    take their share of each group from England's UASC mix, capped by the authority's own
    count of that group; the other children get the remainder, so that non-UASC groups
    (used by disproportionality analyses, which exclude UASC) are what the published mix
    implies rather than whatever the UASC left over.
    """
    shares = np.array([targets["ethnicity"][g] for g in _GROUPS])
    ushares = np.array([targets["uasc_ethnicity"][g] for g in _GROUPS])
    children = periods.groupby("child")["uasc"].max()
    pos = pd.Series(np.arange(len(children)), index=children.index)
    is_uasc = children.to_numpy().astype(bool)
    group = np.full(len(children), -1)
    ng = len(_GROUPS)
    for cy in reversed(targets["collection_years"]):
        t = _day(f"{cy}-03-31")
        kids = pos[np.unique(periods.loc[_in_stock(periods, t), "child"])].to_numpy()
        want = _largest_remainder(shares, len(kids))
        uk = kids[is_uasc[kids]]
        u_want = _capped_allocation(ushares, len(uk), want)
        u_have = np.bincount(group[uk][group[uk] >= 0], minlength=ng)
        u_todo = uk[group[uk] < 0]
        _fill(rng, u_todo, np.maximum(u_want - u_have, 0), group)
        left = u_todo[group[u_todo] < 0]
        if len(left):
            group[left] = rng.choice(ng, size=len(left), p=ushares)
        have = np.bincount(group[kids][group[kids] >= 0], minlength=ng)
        todo = kids[group[kids] < 0]
        _fill(rng, todo, np.maximum(want - have, 0), group)
        left = todo[group[todo] < 0]
        if len(left):
            group[left] = rng.choice(ng, size=len(left), p=shares / shares.sum())
    left = np.flatnonzero(group < 0)
    # children not in care on any collection 31 March: the non-UASC remainder mix in expectation
    n_u = targets["uasc_share"][targets["collection_years"][-1]]
    rest = np.clip(shares - n_u * ushares, 0, None)
    rest = rest / rest.sum() if rest.sum() > 0 else shares / shares.sum()
    group[left] = np.where(
        is_uasc[left],
        rng.choice(ng, size=len(left), p=ushares),
        rng.choice(ng, size=len(left), p=rest),
    )
    codes = np.empty(len(children), dtype=object)
    for gi, g in enumerate(_GROUPS):
        sel = np.flatnonzero(group == gi)
        sn, su = sel[~is_uasc[sel]], sel[is_uasc[sel]]
        codes[sn] = _choice(rng, *_DETAIL[g], len(sn))
        codes[su] = _choice(rng, *_UASC_DETAIL[g], len(su))
    return pd.Series(codes, index=children.index, name="ETHNIC")

