"""Defects injected on purpose into a year's return, each listed in the ground truth.

Reviews: participation codes inconsistent with age (PN0 at 4 or over, PN1-PN7 under 4),
duplicates of held reviews, reviews dated outside every period of care, and a review of a
child missing from the header. Episodes: a gap between an episode ending X1 and the next.
Deliberately late and missed reviews are drawn with the schedule
(:func:`iro_analysis.synthetic.reviews._schedule_reviews`). Each occurrence becomes one row of
``ground_truth`` naming the line of the written CSV it sits on (header = line 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .days import _to_dt
from .reviews import _pn_codes

__all__ = ["DEFECT_KINDS", "GROUND_TRUTH_COLUMNS"]

#: Kinds of injected defect written to ``ground_truth.csv``.
DEFECT_KINDS = (
    "duplicate_review",
    "review_outside_care",
    "pn0_aged_4_plus",
    "pn1_7_under_4",
    "episode_gap_after_x1",
    "late_review",
    "review_child_not_in_header",
)

GROUND_TRUTH_COLUMNS = ["defect", "collection_year", "table", "CHILD", "row", "column", "value", "detail"]

# CHILD numbers of the reviews of children missing from the header: 9,000,000 + the year.
_GHOST_BASE = 9_000_000


def _review_defects(rng, rv: pd.DataFrame, b4: np.ndarray, periods: pd.DataFrame, ys: int, ye: int, cy: int,
                    in_year_children: np.ndarray) -> list[pd.DataFrame]:
    """Inject the review defects of one collection year.

    Parameters
    ----------
    rng : numpy Generator
    rv : DataFrame
        The year's held reviews (``inj`` column: the defect already carried, '' for none);
        participation codes of some rows are changed in place.
    b4 : ndarray of int
        Day of the 4th birthday, by review (index of the full review table).
    periods : DataFrame
        Every period of care (for gaps between periods).
    ys, ye : int
        First and last day of the collection year; ``cy`` the year.
    in_year_children : ndarray
        Children with an episode in the year.

    Returns
    -------
    list of DataFrame
        Extra review rows: duplicates, reviews outside care, the review of a child missing
        from the header.
    """
    extra = []
    mask_ok = rv["inj"] == ""
    # PN codes inconsistent with age
    rvb4 = b4[rv.index.to_numpy()]
    older = np.flatnonzero(mask_ok.to_numpy() & (rv["date"].to_numpy() >= rvb4 + 30))
    younger = np.flatnonzero(mask_ok.to_numpy() & (rv["date"].to_numpy() < rvb4 - 30))
    n_pn = max(1, len(rv) // 200)
    for pool, kind, code in ((older, "pn0_aged_4_plus", None), (younger, "pn1_7_under_4", None)):
        if len(pool):
            pick = rng.choice(pool, size=min(n_pn, len(pool)), replace=False)
            col_inj = rv.columns.get_loc("inj")
            col_pn = rv.columns.get_loc("PN")
            rv.iloc[pick, col_inj] = kind
            rv.iloc[pick, col_pn] = "PN0" if kind == "pn0_aged_4_plus" else str(
                rng.choice(["PN1", "PN3", "PN5", "PN7"]))
    # duplicates of held reviews
    n_dup = max(1, len(rv) // 200)
    clean = np.flatnonzero((rv["inj"] == "").to_numpy())
    pick = rng.choice(clean, size=min(n_dup, len(clean)), replace=False)
    d = rv.iloc[pick].copy()
    d["inj"] = "duplicate_review"
    d = d.assign(review_number=np.nan, due=np.nan, period_start=np.nan)  # not part of the schedule
    extra.append(d)
    # reviews dated outside any period of care (between periods or after leaving)
    pp = periods[(periods["track"] != "SB")]
    gaps = pp.assign(g_lo=pp["end"] + 10, g_hi=pp.groupby("child")["start"].shift(-1).fillna(np.inf) - 10)
    gaps["g_hi"] = np.minimum(gaps["g_hi"], np.minimum(gaps["b18"], ye + 1))
    gaps = gaps[(np.maximum(gaps["g_lo"], ys) < gaps["g_hi"]) & gaps["child"].isin(in_year_children)]
    if len(gaps):
        n_out = max(1, len(rv) // 300)
        g = gaps.iloc[rng.choice(len(gaps), size=min(n_out, len(gaps)), replace=False)]
        lo = np.maximum(g["g_lo"].to_numpy(), ys)
        day = lo + np.floor(rng.random(len(g)) * (g["g_hi"].to_numpy() - lo)).astype(np.int64)
        o = pd.DataFrame({"child": g["child"].to_numpy(), "date": day, "dob": g["dob"].to_numpy(),
                          "inj": "review_outside_care", "held": True})
        o["PN"] = _pn_codes(rng, day, g["dob"].to_numpy())
        extra.append(o)
    # a review of a child who is not in the header
    gdob = ys - int(rng.integers(6 * 365, 15 * 365))
    gday = int(rng.integers(ys, ye + 1))
    extra.append(pd.DataFrame({"child": [_GHOST_BASE + cy], "date": [gday], "dob": [gdob],
                               "inj": ["review_child_not_in_header"], "held": [True], "PN": ["PN1"]}))
    return extra


def _review_truth_rows(rv: pd.DataFrame, reviews_df: pd.DataFrame, cy: int) -> list[tuple]:
    """Ground-truth rows for the defects carried by a year's reviews (missed reviews have no row).

    ``rv`` and ``reviews_df`` are aligned row for row, in the order written (row ``i`` is on
    line ``i + 2`` of the CSV).
    """
    out = []
    for i in np.flatnonzero((rv["inj"] != "").to_numpy()):
        kind = rv["inj"].iloc[i]
        if kind == "missed_review":
            continue
        col = "REVIEW_CODE" if kind.startswith("pn") else ("CHILD" if kind == "review_child_not_in_header" else "REVIEW")
        val = reviews_df[col].iloc[i]
        val = val.strftime("%d/%m/%Y") if isinstance(val, pd.Timestamp) else str(val)
        out.append((kind, cy, "reviews", reviews_df["CHILD"].iloc[i], i + 2, col, val, _detail(kind, rv.iloc[i])))
    return out


def _episode_gaps(rng, ep: pd.DataFrame, cy: int) -> list[tuple]:
    """Shorten some episodes that end X1 so that a gap opens before the next one.

    ``ep`` is the year's episodes in written order; ``DEC_out`` of the chosen rows is changed
    in place. Returns their ground-truth rows.
    """
    out = []
    nxt_same = (ep["CHILD"].shift(-1) == ep["CHILD"]).to_numpy()
    cand = np.flatnonzero(
        (ep["REC_out"] == "X1").to_numpy() & nxt_same & (ep["pid"].to_numpy() >= 0)
        & (ep["DEC"].to_numpy() - ep["DECOM"].to_numpy() > 10)
    )
    if len(cand):
        n_gap = max(1, len(ep) // 400)
        pick = np.sort(rng.choice(cand, size=min(n_gap, len(cand)), replace=False))
        for i in pick:
            gap = int(rng.integers(3, min(30, int(ep["DEC"].iloc[i] - ep["DECOM"].iloc[i]) - 1) + 1))
            new_dec = int(ep["DEC"].iloc[i]) - gap
            ep.iloc[i, ep.columns.get_loc("DEC_out")] = float(new_dec)
            out.append(("episode_gap_after_x1", cy, "episodes", ep["CHILD"].iloc[i], int(i) + 2, "DEC",
                        _to_dt([new_dec])[0].strftime("%d/%m/%Y"),
                        f"episode ends X1 {gap} days before the next episode starts"))
    return out


def _ground_truth(rows: list[tuple]) -> pd.DataFrame:
    """The ground-truth table: one row per defect, by year, table and line."""
    ground_truth = pd.DataFrame(rows, columns=GROUND_TRUTH_COLUMNS)
    ground_truth = ground_truth.astype({"collection_year": "int64", "row": "int64"})
    return ground_truth.sort_values(["collection_year", "table", "row"], kind="mergesort", ignore_index=True)


def _detail(kind: str, row) -> str:
    return {
        "duplicate_review": "second record of the same review (same child, same date)",
        "review_outside_care": "review dated when the child was not looked after",
        "pn0_aged_4_plus": "PN0 (under 4) recorded for a child aged 4 or over at the review",
        "pn1_7_under_4": "PN1-PN7 recorded for a child aged under 4 at the review",
        "late_review": "review deliberately held 35-120 days after its due date",
        "review_child_not_in_header": "review for a child with no header (or episode) record",
    }.get(kind, kind)
