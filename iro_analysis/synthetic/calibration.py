"""Calibration of a synthetic population: the published figures it is forced to match.

:func:`calibration_targets` reads one authority's published counts (children in care on
31 March, starting, ceasing) and shares (UASC, ethnicity, legal status) from the DfE
reference tables, takes overrides, and falls back to England averages
(:data:`ENGLAND_DEFAULTS`) where nothing is published.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import calendar as _cal
from .. import codes as _codes
from ..errors import ParameterError, ReferenceDataError

__all__ = ["ENGLAND_DEFAULTS", "calibration_targets"]

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


_GROUPS = tuple(_codes.ETHNIC_GROUP_ORDER)  # White, Mixed, Asian, Black, Other, Refused or not obtained
_DFE_TO_GROUP = {v: k for k, v in _codes.DFE_ETHNIC_GROUP_LABELS.items()}


def _ref(name):
    from .. import reference

    fn = getattr(reference, name, None)
    if fn is None:  # the tidy readers live in reference.dfe_cla
        from ..reference import dfe_cla

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
    la_code, la_name, ons_code = _authority(la)
    pub = _published(la_code, year)
    out = {
        "la_code": la_code,
        "la_name": la_name,
        "ons_code": ons_code,
        "year": year,
        "years": years,
        "collection_years": cys,
        "source": pub["source"],
    }
    out.update(_counts(cys, calibration, pub["counts"]))
    u_override = calibration.get("uasc_share")
    uasc = pub["uasc"]
    out["uasc_share"] = {
        cy: float(u_override if u_override is not None else _nearest(uasc, cy) if uasc else ENGLAND_DEFAULTS["uasc_share"])
        for cy in cys
    }
    out.update(_mixes(calibration, pub))
    return out


def _authority(la) -> tuple[str, str, str]:
    """(DfE code, name, ONS code) of ``la``; the text as given when the authority is not known."""
    from .. import reference

    la_code, la_name, ons_code = str(la), str(la), ""
    try:
        auth = reference.resolve_authority(la)
        la_code, la_name, ons_code = auth.la_code, auth.la_name, auth.ons_code
    except ReferenceDataError:
        pass
    return la_code, la_name, ons_code


def _published(la_code: str, year: int) -> dict:
    """What DfE publishes for the authority, read from the reference tables.

    Returns
    -------
    dict
        ``counts`` (measure -> {year: count} for ``cla_31_march``, ``starting``, ``ceasing``),
        ``uasc`` ({year: UASC share}), ``ethnicity`` and ``legal`` (shares in the published
        year nearest ``year``), ``uasc_ethnicity`` (England's UASC mix) and ``source``
        (``"published"`` when the authority's 31 March counts were found, else
        ``"england_default"``). Empty parts when the reference tables are absent.
    """
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
    return {"counts": published, "uasc": uasc, "ethnicity": ethnicity, "legal": legal,
            "uasc_ethnicity": uasc_eth, "source": source}


def _counts(cys: list, calibration: dict, published: dict) -> dict:
    """``cla_31_march``, ``starting``, ``ceasing`` per collection year and ``opening_stock``.

    Each count is the override, else the published figure of the nearest year, else
    ``size`` times England's ratio of that flow to the stock.
    """
    size = int(calibration.get("size", ENGLAND_DEFAULTS["size"]))
    out = {}
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
    return out


def _mixes(calibration: dict, pub: dict) -> dict:
    """``ethnicity``, ``uasc_ethnicity`` and ``legal_status`` shares, each summing to one.

    Raises
    ------
    ParameterError
        Ethnicity shares given for calibration that sum to zero.
    """
    out = {}
    eth = dict(calibration.get("ethnicity") or pub["ethnicity"] or ENGLAND_DEFAULTS["ethnicity"])
    eth = {g: float(eth.get(g, 0.0)) for g in _GROUPS}
    s = sum(eth.values())
    if s <= 0:
        raise ParameterError("The ethnicity shares given for calibration sum to zero.")
    out["ethnicity"] = {g: v / s for g, v in eth.items()}
    ue = dict(calibration.get("uasc_ethnicity") or pub["uasc_ethnicity"] or ENGLAND_DEFAULTS["uasc_ethnicity"])
    ue = {g: float(ue.get(g, 0.0)) for g in _GROUPS}
    s = sum(ue.values())
    if s <= 0:
        raise ParameterError("The UASC ethnicity shares given for calibration sum to zero.")
    out["uasc_ethnicity"] = {g: v / s for g, v in ue.items()}
    ls = dict(calibration.get("legal_status") or pub["legal"] or ENGLAND_DEFAULTS["legal_status"])
    s = sum(ls.values()) or 1.0
    out["legal_status"] = {k: float(v) / s for k, v in ls.items()}
    return out
