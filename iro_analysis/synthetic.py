"""Realistic synthetic SSDA903 returns, calibrated to an authority, with known defects.

The generator simulates a population of children entering and leaving care over an 18-year
burn-in and the requested collection years, then writes what an authority would have returned
for each year. It exists so that every analysis in the package can be tested end to end
against data whose truth is known: which reviews were late, which records were deliberately
damaged, and how many children were in care on each 31 March.

Model (event based, vectorised with numpy)
------------------------------------------
* **Entries** form a Poisson process whose yearly rate is the authority's published number of
  children starting to be looked after (DfE "Children looked after in England", table of
  numbers and rates per 10,000); years before the first published year use the first one.
  Unaccompanied asylum-seeking children (UASC) are a separate stream: aged 14-17 (mostly 16),
  95% male, accommodated under section 20 (V2), category of need N8.
* **Periods of care** follow one of four pathways chosen by age at entry: *short* (lognormal,
  median 30 days), *medium* (median 9 months), *adoption* (under-5s: interim care order ->
  placement order (E1) -> adoptive placement A5/A6 -> adoption order E11/E12) and *long*
  (to the 18th birthday, with early exits by special guardianship, child arrangements order or
  return home). The short/long balance is solved for each authority so that the expected
  stock matches published stock / starts (Little's law). About 12% of children who return
  home come back into care (a second period).
* **Calibration** is then forced year by year. The 31 March before the first collection year
  is set to the published figure (the opening stock); then, for each collection year in
  order, the number of children starting care (counted once each, short breaks excluded, as
  DfE counts them) is set to the published figure by adding or removing entrants of that
  year, and the number in care on 31 March (excluding short breaks) to the published figure,
  split into UASC and other children by the published UASC share, by truncating periods
  inside the year, extending them past 31 March or, last, adding entrants. Children ceasing
  then follow from the flow identity between the two calibrated stocks. Changes for one
  year never move an earlier 31 March. Ethnicity (DfE main groups) is assigned so that the
  children in care on 31 March of the final year match the published mix exactly, and
  earlier years as closely as the already-assigned children allow: UASC take England's UASC
  mix (national UASC characteristics, mostly Other, Black African and other Asian), capped
  by the authority's own count of each group, and other children the remainder. The
  legal-status mix on the final 31 March is matched by choosing section 20 versus court
  routes and by solving the interim-care-order duration.
* **Episodes** arise from legal-status events (L1/L2 -> C1, C1 -> C2, C1 -> E1, adoptive
  placement) and placement moves (a Poisson process, more frequent for teenagers), giving RNE
  S/L/P/T/B and REC X1 between episodes. Placements depend on age (foster care U1-U6 for most;
  children's homes K2, semi-independent H5 (K3 from 2025-26, with a status-change episode on
  1 April 2025) for older children; R3 for babies; P1 placed with parents; A5/A6 adoption).
* **Reviews** follow reg 33 of the Care Planning, Placement and Case Review (England)
  Regulations 2010 exactly as :mod:`iro_analysis.calendar` defines it: first review due
  ``add_working_days(period_start, 20)``, second ``add_calendar_months(first_review, 3)``,
  then ``add_calendar_months(previous_review, 6)``; each restarts from the actual date. Most
  are held in the fortnight before the due date, about 6% are naturally late by a few days to
  a few weeks, about 5% are held early (restarting the clock). Reviews are also brought
  forward (reg 33(3)) after 80% of placement moves and of final care or placement orders:
  held 1-4 weeks after the event, and for 80% of those the next about three months later,
  then six-monthly (the "1, 3 and 9 months" restart one seed report describes). Brought-
  forward reviews are early, so on time, and restart the clock. Participation codes follow
  age (PN0 under 4). Short-breaks-only children (V3/V4) have no reviews.
* **Missing episodes** (M/A) are far more frequent for teenagers (a heavy-tailed minority).

Injected defects (``defects=True``) are listed in ``ground_truth`` with the line of the written
CSV they sit on: duplicate reviews, reviews outside any period of care, PN0 given at 4+ and
PN1-PN7 under 4, gaps between an episode ending X1 and the next, deliberately late reviews,
reviews of children missing from the header. Deliberately missed reviews (due, never held)
appear in ``review_truth`` only, since they have no row.

Identifiers are ``SYN`` plus seven digits (CHILD) and ``SYN`` plus ten digits (UPN), which no
real Unique Pupil Number can match (real UPNs are one letter and twelve characters).
Not generated: OC2, OC3, AD1, placed-for-adoption, previous permanence and social-worker
tables; postcodes and URNs are left blank.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import calendar as _cal
from . import codes as _codes
from .errors import ParameterError, ReferenceDataError

__all__ = [
    "SyntheticReturn",
    "ENGLAND_DEFAULTS",
    "DEFECT_KINDS",
    "calibration_targets",
    "generate_return",
    "write_synthetic_returns",
]

#: England-average targets used when an authority's published figures are absent. Source:
#: DfE "Children looked after in England including adoptions", 2024 (children looked after on
#: 31 March 2024: 83,530; starts 33,130; ceased 33,780; UASC 7,440; ethnicity White 59,380,
#: Mixed 9,030, Asian 4,470, Black 6,270, Other 3,920, Refused/not obtained 470; legal status
#: full care order 48,700, interim 13,740, placement order 4,840, s20 16,010, youth justice 220,
#: detained for child protection 30). ``size`` is the default number in care on 31 March.
ENGLAND_DEFAULTS = {
    "size": 300,
    "starts_per_stock": 33130 / 83530,
    "ceased_per_stock": 33780 / 83530,
    "uasc_share": 7440 / 83530,
    "ethnicity": {
        "White": 59380 / 83530,
        "Mixed": 9030 / 83530,
        "Asian": 4470 / 83530,
        "Black": 6270 / 83530,
        "Other": 3920 / 83530,
        "Refused or not obtained": 470 / 83530,
    },
    # UASC looked after on 31 March 2024 by ethnic group (national UASC characteristics table:
    # 7,380 UASC; Other 2,930, Black 1,890 (1,630 African), Asian 1,870 (1,820 any other Asian),
    # White 340, Mixed 130, refused or not yet obtained 230).
    "uasc_ethnicity": {
        "White": 340 / 7380,
        "Mixed": 130 / 7380,
        "Asian": 1870 / 7380,
        "Black": 1890 / 7380,
        "Other": 2930 / 7380,
        "Refused or not obtained": 230 / 7380,
    },
    "legal_status": {
        "Full care order": 48700 / 83530,
        "Interim care order": 13740 / 83530,
        "Placement order granted": 4840 / 83530,
        "Voluntary agreements under S20 CA 1989": 16010 / 83530,
        "Youth justice legal statuses": 220 / 83530,
        "Detained for child protection": 30 / 83530,
    },
}

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
REVIEW_TRUTH_COLUMNS = [
    "collection_year",
    "CHILD",
    "period_start",
    "review_number",
    "review_date",
    "due_date",
    "on_time",
    "days_late",
    "injected_defect",
]

_GROUPS = tuple(_codes.ETHNIC_GROUP_ORDER)  # White, Mixed, Asian, Black, Other, Refused or not obtained
_DFE_TO_GROUP = {v: k for k, v in _codes.DFE_ETHNIC_GROUP_LABELS.items()}
_BURN_IN_YEARS = 19
_EPOCH = np.datetime64("1970-01-01", "D")

# ---------------------------------------------------------------------------------------------
# Calibration targets
# ---------------------------------------------------------------------------------------------


@dataclass
class SyntheticReturn:
    """A synthetic return for one authority over one or more collection years.

    Attributes
    ----------
    data : dict
        Collection year (int, year ending 31 March) -> :class:`iro_analysis.ssda903.SSDA903`.
    ground_truth : DataFrame
        One row per injected defect occurrence: ``defect, collection_year, table, CHILD, row
        (1-based line in the written CSV, the header being line 1), column, value, detail``.
    review_truth : DataFrame
        One row per review generated and per review due but deliberately not held:
        ``collection_year, CHILD, period_start, review_number, review_date, due_date, on_time,
        days_late, injected_defect``.
    calibration : dict
        The targets used (published figures or England defaults) and their source.
    """

    data: dict
    ground_truth: pd.DataFrame
    review_truth: pd.DataFrame
    calibration: dict = field(default_factory=dict)


def _ref(name):
    from . import reference

    fn = getattr(reference, name, None)
    if fn is None:  # the tidy readers live in reference.dfe_cla
        from .reference import dfe_cla

        fn = getattr(dfe_cla, name)
    return fn


def _nearest(values: dict, year: int):
    """Value for ``year`` or, if absent, for the nearest year that has one."""
    if not values:
        return None
    if year in values:
        return values[year]
    best = min(values, key=lambda y: (abs(y - year), -y))
    return values[best]


def _shares_from_characteristics(sub: pd.DataFrame, label_map: dict | None = None) -> dict:
    """Shares of the total from a characteristics block, sharing out suppressed counts."""
    sub = sub.copy()
    total_rows = sub[sub["characteristic"].str.lower() == "total"]
    parts = sub[sub["characteristic"].str.lower() != "total"]
    if parts.empty:
        return {}
    known = parts["count"].fillna(-1).to_numpy(dtype=float, copy=True)
    total = float(total_rows["count"].iloc[0]) if len(total_rows) and pd.notna(total_rows["count"].iloc[0]) else np.nan
    if np.isnan(total):
        total = known[known >= 0].sum()
    missing = known < 0
    if missing.any():
        rest = max(total - known[~missing].sum(), 0.0)
        known[missing] = rest / missing.sum()
    if total <= 0:
        return {}
    keys = parts["characteristic"].tolist()
    if label_map is not None:
        keys = [label_map.get(k, k) for k in keys]
    out = {}
    for k, v in zip(keys, known):
        out[k] = out.get(k, 0.0) + v / total
    return out


_UASC_TOTAL_PREFIX = {"1.": "White", "2.": "Mixed", "3.": "Asian", "4.": "Black", "5.": "Other",
                      "6.": "Refused or not obtained"}


def _national_uasc_ethnicity(year: int) -> dict:
    """Shares of England's UASC on 31 March by ethnic group, for the published year nearest ``year``.

    Read from :func:`iro_analysis.reference.national_uasc_characteristics` (rows "1. Total
    White" ... "6. Total refused ..."); ``{}`` when the table is absent or has no ethnic rows.
    """
    try:
        t = _ref("national_uasc_characteristics")()
    except (ReferenceDataError, AttributeError):
        return {}
    t = t[t["cla_group"].str.lower().str.contains("ethnic") & t["count"].notna()]
    if t.empty:
        return {}
    y = min(t["year"].unique(), key=lambda v: (abs(int(v) - year), -int(v)))
    t = t[t["year"] == y]
    out = {}
    for label, count in zip(t["characteristic"], t["count"]):
        g = _UASC_TOTAL_PREFIX.get(str(label)[:2])
        if g is not None and "total" in str(label).lower():
            out[g] = out.get(g, 0.0) + float(count)
    total = sum(out.values())
    return {g: v / total for g, v in out.items()} if total > 0 else {}


def calibration_targets(la, year: int, *, years: int = 1, calibration: dict | None = None) -> dict:
    """Targets for the synthetic population of one authority.

    Parameters
    ----------
    la : str
        Authority (DfE code, ONS code or name), resolved with
        :func:`iro_analysis.reference.resolve_authority`.
    year : int
        Final collection year (year ending 31 March).
    years : int
        Number of collection years.
    calibration : dict, optional
        Overrides: ``size`` (children in care on 31 March when no published figure),
        ``cla_31_march``/``starting``/``ceasing`` (int, or dict year -> int), ``uasc_share``,
        ``ethnicity`` (group -> share, groups as in :data:`iro_analysis.codes.ETHNIC_GROUP_ORDER`),
        ``uasc_ethnicity`` (group -> share among UASC), ``legal_status`` (DfE legal-status
        label -> share).

    Returns
    -------
    dict
        ``la_code, la_name, ons_code, year, years, collection_years, source ("published" or
        "england_default"), cla_31_march, starting, ceasing`` (dicts year -> int),
        ``opening_stock`` (int, children in care on the 31 March before the first collection
        year), ``uasc_share`` (dict year -> float), ``ethnicity``, ``uasc_ethnicity``,
        ``legal_status`` (dicts of shares for the final year).

    Notes
    -----
    Published counts come from :func:`iro_analysis.reference.cla_rates` (latest release) and
    shares from :func:`iro_analysis.reference.cla_characteristics`; suppressed cells share out
    the remainder of the total equally. Years outside the published range take the nearest
    published year. ``opening_stock`` is the published figure for the year before the first
    collection year when there is one (and ``cla_31_march`` is not overridden), otherwise the
    flow identity ``stock - starting + ceasing`` of the first collection year. The UASC
    ethnicity mix is England's (:func:`iro_analysis.reference.national_uasc_characteristics`,
    nearest published year; DfE does not publish it by authority).
    """
    year = int(_cal.parse_year(year))
    years = int(years)
    if years < 1 or years > 15:
        raise ParameterError(f"years must be between 1 and 15, got {years}.")
    cys = list(range(year - years + 1, year + 1))
    calibration = dict(calibration or {})
    from . import reference

    la_code, la_name, ons_code = str(la), str(la), ""
    try:
        auth = reference.resolve_authority(la)
        la_code, la_name, ons_code = auth.la_code, auth.la_name, auth.ons_code
    except ReferenceDataError:
        pass

    published: dict = {"cla_31_march": {}, "starting": {}, "ceasing": {}}
    uasc: dict = {}
    ethnicity: dict = {}
    legal: dict = {}
    uasc_eth: dict = {}
    source = "england_default"
    try:
        rates = _ref("cla_rates")()
        r = rates[(rates["geographic_level"] == "Local authority") & (rates["la_code"].astype(str) == la_code)]
        for measure in published:
            m = r[(r["measure"] == measure) & r["count"].notna()]
            published[measure] = {int(y): int(round(c)) for y, c in zip(m["year"], m["count"])}
        if published["cla_31_march"]:
            source = "published"
        chars = _ref("cla_characteristics")()
        c = chars[(chars["geographic_level"] == "Local authority") & (chars["la_code"].astype(str) == la_code)]
        grp = c["cla_group"].str.lower()
        for y in sorted(c["year"].unique()):
            cy = c[c["year"] == y]
            g = grp[c["year"] == y]
            u = _shares_from_characteristics(cy[g.str.contains("asylum")])
            if "UASC" in u:
                uasc[int(y)] = u["UASC"]
        years_eth = sorted(c.loc[grp.str.contains("ethnic"), "year"].unique())
        if years_eth:
            ye = min(years_eth, key=lambda v: (abs(v - year), -v))
            ethnicity = _shares_from_characteristics(
                c[grp.str.contains("ethnic") & (c["year"] == ye)], _DFE_TO_GROUP
            )
        uasc_eth = _national_uasc_ethnicity(year)
        years_ls = sorted(c.loc[grp.str.contains("legal"), "year"].unique())
        if years_ls:
            yl = min(years_ls, key=lambda v: (abs(v - year), -v))
            legal = _shares_from_characteristics(c[grp.str.contains("legal") & (c["year"] == yl)])
    except ReferenceDataError:
        source = "england_default"

    size = int(calibration.get("size", ENGLAND_DEFAULTS["size"]))
    out = {
        "la_code": la_code,
        "la_name": la_name,
        "ons_code": ons_code,
        "year": year,
        "years": years,
        "collection_years": cys,
        "source": source,
    }
    for measure, ratio in (("cla_31_march", 1.0), ("starting", ENGLAND_DEFAULTS["starts_per_stock"]),
                           ("ceasing", ENGLAND_DEFAULTS["ceased_per_stock"])):
        override = calibration.get(measure)
        vals = {}
        for cy in cys:
            if isinstance(override, dict) and cy in override:
                vals[cy] = int(override[cy])
            elif override is not None and not isinstance(override, dict):
                vals[cy] = int(override)
            elif published[measure]:
                vals[cy] = int(_nearest(published[measure], cy))
            else:
                vals[cy] = int(round(size * ratio))
        out[measure] = vals
    prior = cys[0] - 1
    if calibration.get("cla_31_march") is None and prior in published["cla_31_march"]:
        out["opening_stock"] = int(published["cla_31_march"][prior])
    else:
        c0 = cys[0]
        out["opening_stock"] = max(out["cla_31_march"][c0] - out["starting"][c0] + out["ceasing"][c0], 0)
    u_override = calibration.get("uasc_share")
    out["uasc_share"] = {
        cy: float(u_override if u_override is not None else _nearest(uasc, cy) if uasc else ENGLAND_DEFAULTS["uasc_share"])
        for cy in cys
    }
    eth = dict(calibration.get("ethnicity") or ethnicity or ENGLAND_DEFAULTS["ethnicity"])
    eth = {g: float(eth.get(g, 0.0)) for g in _GROUPS}
    s = sum(eth.values())
    if s <= 0:
        raise ParameterError("The ethnicity shares given for calibration sum to zero.")
    out["ethnicity"] = {g: v / s for g, v in eth.items()}
    ue = dict(calibration.get("uasc_ethnicity") or uasc_eth or ENGLAND_DEFAULTS["uasc_ethnicity"])
    ue = {g: float(ue.get(g, 0.0)) for g in _GROUPS}
    s = sum(ue.values())
    if s <= 0:
        raise ParameterError("The UASC ethnicity shares given for calibration sum to zero.")
    out["uasc_ethnicity"] = {g: v / s for g, v in ue.items()}
    ls = dict(calibration.get("legal_status") or legal or ENGLAND_DEFAULTS["legal_status"])
    s = sum(ls.values()) or 1.0
    out["legal_status"] = {k: float(v) / s for k, v in ls.items()}
    return out


# ---------------------------------------------------------------------------------------------
# Small helpers on integer day numbers (days since 1970-01-01)
# ---------------------------------------------------------------------------------------------


def _day(ts) -> int:
    return int((np.datetime64(pd.Timestamp(ts).date(), "D") - _EPOCH).astype(int))


def _to_dt(days) -> pd.DatetimeIndex:
    arr = np.asarray(days, dtype="float64")
    out = np.full(arr.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = ~np.isnan(arr)
    out[ok] = _EPOCH + arr[ok].astype("int64")
    return pd.DatetimeIndex(out.astype("datetime64[ns]"))


def _add_years(days: np.ndarray, n: int) -> np.ndarray:
    """``days`` + n calendar years (29 Feb -> 28 Feb), as day numbers."""
    return _dt_days(_to_dt(days) + pd.DateOffset(years=n))


def _dt_days(index) -> np.ndarray:
    vals = pd.DatetimeIndex(index).values.astype("datetime64[D]")
    return (vals - _EPOCH).astype("int64")


def _choice(rng, options, probs, size) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=p / p.sum())]


def _cy_of(days: np.ndarray) -> np.ndarray:
    """Collection year (year ending 31 March) of each day number."""
    idx = _to_dt(days)
    return (idx.year + (idx.month >= 4)).to_numpy()


# ---------------------------------------------------------------------------------------------
# Periods of care
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Ethnicity
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Episodes
# ---------------------------------------------------------------------------------------------

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
    """Episodes of every non-short-break period: events -> RNE/LS/PLACE with REC X1 between."""
    p = periods[periods["track"] != "SB"]
    rows_in_periods = p.index.to_numpy()
    p = p.reset_index(drop=True)
    n = len(p)
    start, end, dob = p["start"].to_numpy(), p["end"].to_numpy(), p["dob"].to_numpy()
    track = p["track"].to_numpy()
    uasc = p["uasc"].to_numpy()
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
    e = e.sort_values(["pid", "day", "kind"], kind="mergesort")
    # merge same-day events into one episode: legal + move -> B
    kind = e["kind"].to_numpy()
    e = e.assign(has_start=kind == 0, has_legal=kind == 1, has_move=(kind == 2) | (kind == 4),
                 has_t=kind == 3, has_adopt=kind == 4)
    g = e.groupby(["pid", "day"], sort=False)
    agg = g[["has_start", "has_legal", "has_move", "has_t", "has_adopt"]].max()
    agg["ls"] = g["ls"].last()
    agg = agg.reset_index()
    agg = agg.sort_values(["pid", "day"], kind="mergesort", ignore_index=True)
    pidv = agg["pid"].to_numpy()
    age = agg["day"].to_numpy() - dob[pidv]
    agg["ls"] = agg.groupby("pid")["ls"].ffill()
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
    agg["period_row"] = rows_in_periods[pidv]
    agg["child"] = p["child"].to_numpy()[pidv]
    agg["LS"] = agg["ls"]
    return agg[["child", "period_row", "pid", "DECOM", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                "REASON_PLACE_CHANGE"]]


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


# ---------------------------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------------------------

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
    they are on time and restart the clock like any other review.
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
    p_late_nat, p_early = 0.06, 0.05
    p_late_inj = 0.012 if defects else 0.0
    p_miss = 0.08 if defects else 0.0
    while active.any():
        idx = np.flatnonzero(active)
        d = due[idx]
        lo = np.where(np.isnan(prev[idx]), start[idx], prev[idx] + 1).astype(np.int64)
        h = horizon[idx]
        r = rng.random(len(idx))
        # on time: mostly within the fortnight before the due date
        on = d - np.floor(rng.exponential(6, len(idx))).astype(np.int64)
        early = lo + np.floor(rng.random(len(idx)) * np.maximum(d - lo, 1) * 0.6).astype(np.int64) + 20
        late_nat = d + 1 + np.floor(rng.exponential(9, len(idx))).astype(np.int64)
        late_inj = d + rng.integers(35, 120, len(idx))
        kind = np.select([r < p_late_inj, r < p_late_inj + p_late_nat, r < p_late_inj + p_late_nat + p_early],
                         [2, 1, 3], 0)
        date = np.select([kind == 2, kind == 1, kind == 3], [late_inj, late_nat, early], on)
        # late reviews must still be before the child leaves and before the data end
        limit = np.minimum(h, data_end + 1)
        on = np.clip(on, lo, np.maximum(np.minimum(d, h - 1), lo))
        early = np.clip(early, lo, d)
        kind = np.where(((kind == 1) & (late_nat >= limit)) | ((kind == 2) & (late_inj >= limit)), 0, kind)
        date = np.select([kind == 2, kind == 1, kind == 3], [late_inj, late_nat, early], on)
        # brought forward: after a placement move (not within four weeks of the last review),
        # or three months after a review that followed a move; injected late ones are left alone
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


def _pn_codes(rng, review_days: np.ndarray, dob: np.ndarray) -> np.ndarray:
    b4 = _add_years(dob, 4)
    under4 = review_days < b4
    out = _choice(rng, *_PN_OLDER, len(review_days))
    out[under4] = "PN0"
    return out


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


# ---------------------------------------------------------------------------------------------
# Assemble yearly returns
# ---------------------------------------------------------------------------------------------


def _child_id(num) -> np.ndarray:
    return np.array([f"SYN{int(i):07d}" for i in num], dtype=object)


def _upn(num) -> np.ndarray:
    return np.array([f"SYN{int(i) * 7919 % 10**10:010d}" for i in num], dtype=object)


def _sort_rows(df: pd.DataFrame, by: list) -> pd.DataFrame:
    return df.sort_values(by, kind="mergesort", ignore_index=True)


def _ssda903():
    from . import ssda903

    return ssda903


def _iro_records_example():
    from .iro_records import example

    return example


def generate_return(la, year, *, years: int = 1, seed: int = 0, defects: bool = True,
                    calibration: dict | None = None) -> SyntheticReturn:
    """Generate a realistic synthetic SSDA903 return (one or more collection years).

    Parameters
    ----------
    la : str
        Authority whose published figures calibrate the population (DfE code, ONS code or
        name). Without reference data, England-average shares and ``calibration["size"]``
        (default 300 in care on 31 March) are used.
    year : int or str
        Final collection year, year ending 31 March (``2023`` = 2022-23).
    years : int, default 1
        Number of consecutive collection years ending with ``year``.
    seed : int, default 0
        Random seed; the same seed, authority and years give identical output.
    defects : bool, default True
        Inject the data-quality defects of :data:`DEFECT_KINDS` (and deliberately missed
        reviews). ``False`` gives a clean return.
    calibration : dict, optional
        Overrides of the targets; see :func:`calibration_targets`.

    Returns
    -------
    SyntheticReturn
        ``data`` (collection year -> SSDA903 with header, episodes, reviews, uasc, missing),
        ``ground_truth`` (columns ``defect, collection_year, table, CHILD, row, column, value,
        detail``; ``row`` = 1-based line of the CSV written by
        :func:`iro_analysis.ssda903.write_return`, header = line 1), ``review_truth``
        (``collection_year, CHILD, period_start, review_number, review_date, due_date, on_time,
        days_late, injected_defect``) and ``calibration``.

    Notes
    -----
    Due dates: first ``add_working_days(period_start, 20)``; second
    ``add_calendar_months(first_review_date, 3)``; later ``add_calendar_months(previous, 6)``
    (CPPCR 2010 reg 33). ``on_time`` = review date <= due date; ``days_late`` = days after the
    due date (0 when on time). Missed reviews have no date, ``on_time`` False and
    ``injected_defect`` "missed_review". Defect reviews (duplicates, outside care, not in the
    header) are not part of the schedule (review_number, due_date blank).

    Examples
    --------
    >>> syn = generate_return("857", 2023, years=2, seed=1)
    >>> sorted(syn.data)
    [2022, 2023]
    """
    targets = calibration_targets(la, year, years=years, calibration=calibration)
    cys = targets["collection_years"]
    la_num = int("".join(ch for ch in targets["la_code"] if ch.isdigit()) or 0)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), la_num, cys[-1], len(cys)]))
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
    periods = periods[periods["child"].isin(keep_child)].reset_index(drop=True)
    ethnic = _assign_ethnicity(rng, periods, targets)
    periods = _legal_tracks(rng, periods, targets)
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

    reviews = _schedule_reviews(rng, periods, data_end, defects, episodes)
    missing = _missing_episodes(rng, periods, data_end)

    # children
    kids = periods.groupby("child").agg(dob=("dob", "first"), sex=("sex", "first"), uasc=("uasc", "max"),
                                        sb=("short_breaks", "min"))
    kids["CHILD"] = _child_id(kids.index)
    kids["ETHNIC"] = ethnic.reindex(kids.index).to_numpy()
    kids["UPN"] = _upn(kids.index)
    girls = (kids["sex"] == "F").to_numpy()
    mothers = girls & ~kids["sb"].to_numpy() & (rng.random(len(kids)) < 0.04)
    kids["mc_dob"] = np.where(mothers, kids["dob"].to_numpy() + rng.integers(int(14.5 * 365), int(17.8 * 365), len(kids)), -1)

    reviews["PN"] = _pn_codes(rng, np.where(reviews["date"] >= 0, reviews["date"], reviews["due"]).astype(np.int64),
                              reviews["dob"].to_numpy())
    reviews["injected"] = np.select([reviews["kind"] == 2, reviews["kind"] == 4], ["late_review", "missed_review"], "")
    b4 = _add_years(reviews["dob"].to_numpy(), 4)

    out_data, gt_rows, rt_rows = {}, [], []
    ssda = _ssda903()
    child_ids = kids["CHILD"]
    ghost_base = 9_000_000
    for cy in cys:
        ys, ye = _day(f"{cy - 1}-04-01"), _day(f"{cy}-03-31")
        ep = episodes[(episodes["DECOM"] <= ye) & (episodes["DEC"] >= ys)].copy()
        open_at_end = ep["DEC"].to_numpy() > ye
        ep["DEC_out"] = np.where(open_at_end, np.nan, ep["DEC"].to_numpy().astype(float))
        ep["REC_out"] = np.where(open_at_end, None, ep["REC"].to_numpy())
        in_year_children = np.unique(ep["child"].to_numpy())
        k = kids.loc[in_year_children]
        # reviews held in the year
        rv = reviews[reviews["held"] & (reviews["date"] >= ys) & (reviews["date"] <= ye)].copy()
        rv["inj"] = rv["injected"].to_numpy()
        mask_ok = rv["inj"] == ""
        extra = []
        if defects and len(rv):
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
            extra.append(pd.DataFrame({"child": [ghost_base + cy], "date": [gday], "dob": [gdob],
                                       "inj": ["review_child_not_in_header"], "held": [True], "PN": ["PN1"]}))
        if extra:
            rv = pd.concat([rv] + extra, ignore_index=True)
        rv["CHILD"] = _child_id(rv["child"].to_numpy())
        rv = _sort_rows(rv, ["CHILD", "date"])
        reviews_df = pd.DataFrame({
            "CHILD": rv["CHILD"].to_numpy(), "DOB": _to_dt(rv["dob"].to_numpy()),
            "REVIEW": _to_dt(rv["date"].to_numpy()), "REVIEW_CODE": rv["PN"].to_numpy(),
        })
        for i in np.flatnonzero((rv["inj"] != "").to_numpy()):
            kind = rv["inj"].iloc[i]
            if kind == "missed_review":
                continue
            col = "REVIEW_CODE" if kind.startswith("pn") else ("CHILD" if kind == "review_child_not_in_header" else "REVIEW")
            val = reviews_df[col].iloc[i]
            val = val.strftime("%d/%m/%Y") if isinstance(val, pd.Timestamp) else str(val)
            gt_rows.append((kind, cy, "reviews", reviews_df["CHILD"].iloc[i], i + 2, col, val,
                            _detail(kind, rv.iloc[i])))
        # review truth rows for this year's held reviews (schedule ones carry numbers/due dates)
        sched = rv["review_number"].notna().to_numpy() if "review_number" in rv else np.zeros(len(rv), bool)
        rt = pd.DataFrame({
            "collection_year": cy, "CHILD": rv["CHILD"].to_numpy(),
            "period_start": _to_dt(np.where(sched, rv.get("period_start", pd.Series(np.nan, index=rv.index)), np.nan)),
            "review_number": pd.array(np.where(sched, rv.get("review_number", np.nan), np.nan), dtype="Int64"),
            "review_date": _to_dt(rv["date"].to_numpy()),
            "due_date": _to_dt(np.where(sched, rv.get("due", np.nan), np.nan)),
            "injected_defect": rv["inj"].to_numpy(),
        })
        rt_rows.append(rt)

        # episodes with an injected gap after an X1
        ep = _sort_rows(ep.assign(CHILD=_child_id(ep["child"].to_numpy())), ["CHILD", "DECOM"])
        if defects:
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
                    gt_rows.append(("episode_gap_after_x1", cy, "episodes", ep["CHILD"].iloc[i], int(i) + 2, "DEC",
                                    _to_dt([new_dec])[0].strftime("%d/%m/%Y"),
                                    f"episode ends X1 {gap} days before the next episode starts"))
        episodes_df = pd.DataFrame({
            "CHILD": ep["CHILD"].to_numpy(), "DECOM": _to_dt(ep["DECOM"].to_numpy()), "RNE": ep["RNE"].to_numpy(),
            "LS": ep["LS"].to_numpy(), "CIN": ep["CIN"].to_numpy(), "PLACE": ep["PLACE"].to_numpy(),
            "PLACE_PROVIDER": ep["PLACE_PROVIDER"].to_numpy(), "DEC": _to_dt(ep["DEC_out"].to_numpy()),
            "REC": ep["REC_out"].to_numpy(), "REASON_PLACE_CHANGE": ep["REASON_PLACE_CHANGE"].to_numpy(),
            "HOME_POST": None, "PL_POST": None, "URN": None,
        })
        header = _sort_rows(k.reset_index(drop=True), ["CHILD"])
        mother = np.where(header["sex"] == "F", np.where((header["mc_dob"] >= 0) & (header["mc_dob"] <= ye), "1", "0"), None)
        mother = np.where(header["sb"].to_numpy(), None, mother)
        header_df = pd.DataFrame({
            "CHILD": header["CHILD"].to_numpy(), "SEX": header["sex"].to_numpy(), "DOB": _to_dt(header["dob"].to_numpy()),
            "ETHNIC": header["ETHNIC"].to_numpy(), "UPN": header["UPN"].to_numpy(), "MOTHER": mother,
            "MC_DOB": _to_dt(np.where(mother == "1", header["mc_dob"].to_numpy(), np.nan)),
        })
        u = header[header["uasc"].to_numpy()]
        b18 = _add_years(u["dob"].to_numpy(), 18)
        uasc_df = pd.DataFrame({
            "CHILD": u["CHILD"].to_numpy(), "SEX": u["sex"].to_numpy(), "DOB": _to_dt(u["dob"].to_numpy()),
            "DUC": _to_dt(np.where(b18 <= ye, b18, np.nan)),
        })
        ms = missing[(missing["MIS_START"] >= ys) & (missing["MIS_START"] <= ye)]
        ms = _sort_rows(ms.assign(CHILD=_child_id(ms["child"].to_numpy())), ["CHILD", "MIS_START"])
        mis_end = ms["MIS_END"].to_numpy()
        missing_df = pd.DataFrame({
            "CHILD": ms["CHILD"].to_numpy(), "DOB": _to_dt(ms["dob"].to_numpy()), "MISSING": ms["MISSING"].to_numpy(),
            "MIS_START": _to_dt(ms["MIS_START"].to_numpy()),
            "MIS_END": _to_dt(np.where(mis_end <= ye, mis_end, np.nan)),
        })
        tables = {"header": header_df, "episodes": episodes_df, "reviews": reviews_df, "uasc": uasc_df,
                  "missing": missing_df}
        for t in tables.values():
            for c in t.columns:
                if t[c].dtype == object:
                    t[c] = t[c].astype(object).where(t[c].notna(), None)
        out_data[cy] = ssda.SSDA903(**{name: t.assign(collection_year=cy) for name, t in tables.items()})

    # missed reviews (no row in any file) belong to the year their due date falls in
    missed = reviews[(reviews["kind"] == 4) & np.isin(_cy_of(reviews["due"].to_numpy()), cys)]
    if len(missed):
        rt_rows.append(pd.DataFrame({
            "collection_year": _cy_of(missed["due"].to_numpy()), "CHILD": _child_id(missed["child"].to_numpy()),
            "period_start": _to_dt(missed["period_start"].to_numpy()),
            "review_number": pd.array(missed["review_number"].to_numpy(), dtype="Int64"),
            "review_date": pd.NaT, "due_date": _to_dt(missed["due"].to_numpy()),
            "injected_defect": "missed_review",
        }))
    review_truth = pd.concat(rt_rows, ignore_index=True)
    rd, dd = review_truth["review_date"], review_truth["due_date"]
    sched = dd.notna()
    review_truth["on_time"] = pd.array(np.where(sched, (rd <= dd) & rd.notna(), pd.NA), dtype="boolean")
    late = ((rd - dd).dt.days).clip(lower=0)
    review_truth["days_late"] = pd.array(np.where(sched & rd.notna(), late, np.nan), dtype="Int64") if len(review_truth) else pd.array([], dtype="Int64")
    review_truth = review_truth[REVIEW_TRUTH_COLUMNS].sort_values(
        ["collection_year", "CHILD", "review_date", "due_date"], kind="mergesort", ignore_index=True)
    ground_truth = pd.DataFrame(gt_rows, columns=GROUND_TRUTH_COLUMNS)
    ground_truth = ground_truth.astype({"collection_year": "int64", "row": "int64"})
    ground_truth = ground_truth.sort_values(["collection_year", "table", "row"], kind="mergesort", ignore_index=True)
    calib = dict(targets)
    calib["model"] = {
        "short_long_balance": float(periods["lam"].dropna().iloc[0]) if periods["lam"].notna().any() else None,
        "median_interim_order_days": float(periods.attrs.get("median_c1_days", np.nan)),
        "periods_forced": {k: int(v) for k, v in periods["forced"].value_counts().items() if k},
    }
    calib["seed"] = int(seed)
    calib["defects"] = bool(defects)
    return SyntheticReturn(data=out_data, ground_truth=ground_truth, review_truth=review_truth, calibration=calib)


def _detail(kind: str, row) -> str:
    return {
        "duplicate_review": "second record of the same review (same child, same date)",
        "review_outside_care": "review dated when the child was not looked after",
        "pn0_aged_4_plus": "PN0 (under 4) recorded for a child aged 4 or over at the review",
        "pn1_7_under_4": "PN1-PN7 recorded for a child aged under 4 at the review",
        "late_review": "review deliberately held 35-120 days after its due date",
        "review_child_not_in_header": "review for a child with no header (or episode) record",
    }.get(kind, kind)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

_README = """SYNTHETIC DATA - NOT REAL CHILDREN

These files are a synthetic SSDA903 (children looked after) return made by iro_analysis.synthetic.
Every identifier (CHILD "SYN" + 7 digits, UPN "SYN" + 10 digits) is invented. The population is
calibrated to published DfE figures for {la_name} ({la_code}) ({source}), collection years {years},
seed {seed}.

  <year>/            one folder per collection year (year ending 31 March), DfE CSV layout
  ground_truth.csv   the data-quality defects injected on purpose, with file line numbers
  review_truth.csv   every review generated, with its statutory due date, and reviews due but
                     deliberately not held (review_date blank)
  manifest.json      seed, authority, targets and counts
  iro_records/       example IRO service records for the last year (caseloads, escalations,
                     midway reviews, consultation, CP plans, social-work reports; no child IDs)
  commentary/        example commentary, one Markdown file per report section, labelled synthetic
"""


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return None if np.isnan(obj) else round(float(obj), 6)
    return obj


def write_synthetic_returns(la, year, *, years: int = 1, out, seed: int = 0, defects: bool = True,
                            calibration: dict | None = None) -> Path:
    """Generate and write synthetic returns: one DfE-format folder per collection year.

    Parameters
    ----------
    la, year, years, seed, defects, calibration
        As :func:`generate_return`.
    out : str or Path
        Destination folder. Created; if it already holds a synthetic output (a
        ``manifest.json`` written by this function) it is replaced; any other non-empty folder
        is refused.

    Returns
    -------
    Path
        ``out``, containing ``<year>/*.csv`` (written by :func:`iro_analysis.ssda903.write_return`),
        ``ground_truth.csv``, ``review_truth.csv``, ``manifest.json``, ``README.txt``, and an
        example of the IRO service records (``iro_records/*.csv``) and of the commentary
        (``commentary/<section>.md``) for the last year (:mod:`iro_analysis.iro_records`).

    Raises
    ------
    ParameterError
        If ``out`` exists, is not empty and is not a previous synthetic output.

    Notes
    -----
    Files are written to a temporary folder beside ``out`` and renamed into place, so a
    failure never leaves a half-written output. The same arguments give byte-identical files.
    """
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise ParameterError(f"--out {out} exists and is not a folder; choose a new folder name.")
        if any(out.iterdir()) and not _is_synthetic_output(out):
            raise ParameterError(
                f"Output folder {out} is not empty and does not hold a previous synthetic return; "
                "choose an empty or new folder."
            )
    syn = generate_return(la, year, years=years, seed=seed, defects=defects, calibration=calibration)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        ssda = _ssda903()
        counts = {}
        for cy, data in syn.data.items():
            folder = tmp / str(cy)
            folder.mkdir()
            ssda.write_return(data, folder, collection_year=cy)
            counts[str(cy)] = {t: int(len(getattr(data, t))) for t in data.tables}
        # IRO service records and commentary for the report year, beside the year folders
        last = max(syn.data)
        examples = _iro_records_example().write_example(tmp, syn.data[last], last, seed=seed)
        gt = syn.ground_truth
        gt.to_csv(tmp / "ground_truth.csv", index=False, lineterminator="\n")
        rt = syn.review_truth.copy()
        for c in ("period_start", "review_date", "due_date"):
            rt[c] = rt[c].dt.strftime("%Y-%m-%d")
        rt.to_csv(tmp / "review_truth.csv", index=False, lineterminator="\n")
        cal = syn.calibration
        manifest = {
            "synthetic": True,
            "description": "Synthetic SSDA903 return generated by iro_analysis.synthetic; no real children.",
            "generator": "iro_analysis.synthetic.write_synthetic_returns",
            "seed": int(seed),
            "la_code": cal["la_code"],
            "la_name": cal["la_name"],
            "year": cal["year"],
            "collection_years": cal["collection_years"],
            "defects": bool(defects),
            "targets": {k: cal[k] for k in ("source", "cla_31_march", "opening_stock", "starting", "ceasing",
                                            "uasc_share", "ethnicity", "uasc_ethnicity", "legal_status")},
            "model": cal["model"],
            "rows": counts,
            "injected_defects": {k: int(v) for k, v in gt["defect"].value_counts().sort_index().items()},
            "missed_reviews": int((syn.review_truth["injected_defect"] == "missed_review").sum()),
            "iro_records": sorted(str(f.relative_to(tmp)) for f in examples),
        }
        (tmp / "manifest.json").write_text(json.dumps(_jsonable(manifest), indent=2, sort_keys=True) + "\n",
                                           encoding="utf-8")
        (tmp / "README.txt").write_text(
            _README.format(la_name=cal["la_name"], la_code=cal["la_code"], source=cal["source"].replace("_", " "),
                           years=", ".join(str(y) for y in cal["collection_years"]), seed=seed),
            encoding="utf-8",
        )
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / "x")
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _is_synthetic_output(folder: Path) -> bool:
    try:
        return bool(json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("synthetic"))
    except (OSError, ValueError):
        return False
