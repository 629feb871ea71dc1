"""Funnel plots: every authority with limits adjusted for over-dispersion, and their summary.

The limits and the adjustment are :mod:`iro_analysis.stats.funnel` (Spiegelhalter 2005;
methods.md §3.5); the authority-independent part is computed once per process.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError, ReferenceDataError
from ..reference.cache import national
from ..stats import funnel as _funnel
from .comparisons import _model_key, _neighbours, _pick_year, _resolve
from .indicators import INDICATORS, Indicator, get_indicator, indicator_values, latest_year

__all__ = ["FUNNEL_COLUMNS", "funnel_data", "funnel_curves", "funnel_summary"]


#: Columns of :func:`funnel_data`.
FUNNEL_COLUMNS = [
    "la_code", "ons_code", "la_name", "region_code", "region_name", "indicator", "year", "numerator",
    "denominator", "value", "observed", "target", "lower_95", "upper_95", "lower_998", "upper_998",
    "outside_95", "outside_998", "direction", "unadj_lower_95", "unadj_upper_95", "unadj_lower_998",
    "unadj_upper_998", "outside_95_unadjusted", "outside_998_unadjusted", "role", "highlighted",
    "limits", "kind", "per", "method", "scale", "phi", "tau2", "overdispersed", "p_overdispersion",
]


def _funnel_params(ind: Indicator):
    if not ind.has_funnel:
        if ind.kind == "count":
            alt = ind.id.replace("_count", "_rate")
            raise ParameterError(
                f"{ind.id} is a count: a funnel plot needs a rate or proportion. Use {alt!r} instead."
            )
        raise ParameterError(
            f"{ind.id} is an average ({ind.unit}); DfE does not publish its spread, so no funnel limits can "
            "be drawn. Use neighbour_benchmark() or trend() for it."
        )
    kind = "rate" if ind.kind == "rate" else "proportion"
    return kind, float(ind.per)


def funnel_data(indicator, year: int | None = None, *, release: int | None = None, la=None,
                model: str = "2021", target="pooled", method: str = "exact", scale: str = "auto",
                adjust: str = "auto", trim: float = 0.1, alpha: float = 0.05) -> pd.DataFrame:
    """Every authority with funnel-plot limits for one rate or proportion indicator.

    Parameters
    ----------
    indicator : str
        A rate or proportion indicator (``list_indicators().has_funnel``).
    year : int, optional
        Year ending 31 March; default the latest published.
    release : int, optional
        DfE release; default the latest found.
    la : str, optional
        Authority to highlight, with its statistical neighbours (``model``).
    model : {"2021", "2025"}
        Neighbour model for the highlighting.
    target : {"pooled", "england"} or float
        Centre line: the pooled value of the authorities plotted (sum of numerators / sum of
        denominators; default), the published England value, or a number in the indicator's unit.
    method : {"exact", "normal"}
        Unadjusted limits: interpolated exact binomial/Poisson (default) or normal.
    scale : {"auto", "raw", "arcsine", "sqrt"}
        Scale of the over-dispersion analysis (auto: arcsine for proportions, square root for rates).
    adjust : {"auto", "always", "never"}
        Use the random-effects limits when over-dispersion is found (auto), always, or never.
    trim : float, default 0.1
        Winsorisation of the z-scores.
    alpha : float, default 0.05
        Level of the over-dispersion test.

    Returns
    -------
    pandas.DataFrame
        One row per authority with a row in the DfE table, columns :data:`FUNNEL_COLUMNS`:
        ``numerator, denominator, value`` (published), ``observed`` (numerator / denominator in
        the indicator's unit), ``target``, the limits in use ``lower_95, upper_95, lower_998,
        upper_998`` and whether the authority lies outside them (``outside_95``,
        ``outside_998``; ``direction`` "above"/"below"/""), the unadjusted limits and flags,
        ``role`` ("authority", "neighbour" or ""), ``highlighted``, ``limits`` (a sentence saying
        which limits are used), and the analysis settings and results (``kind, per, method,
        scale, phi, tau2, overdispersed, p_overdispersion``). Authorities without a usable
        numerator and denominator have NaN limits and False flags.

    Raises
    ------
    ParameterError
        For a count or mean indicator, or bad options.

    Notes
    -----
    Limits and adjustment: :mod:`iro_analysis.stats.funnel` (Spiegelhalter 2005; methods.md
    §3.5). Over-dispersion is the rule for these indicators: without adjustment most
    authorities would be "outside".

    Examples
    --------
    >>> f = funnel_data("cla_rate", 2025)
    >>> bool(f.overdispersed.iloc[0]), f.limits.iloc[0].startswith("adjusted")
    (True, True)
    """
    out = _funnel_all(get_indicator(indicator).id, year, release, target, method, scale, adjust, trim, alpha)
    role = pd.Series("", index=out.index, dtype=object)
    if la is not None:
        auth = _resolve(la)
        nb = _neighbours(auth.la_code, _model_key(model))
        role[out["la_code"].isin(nb["neighbour_la_code"])] = "neighbour"
        role[out["la_code"] == auth.la_code] = "authority"
    out["role"] = role.to_numpy()
    out["highlighted"] = out["role"] != ""
    return out[FUNNEL_COLUMNS]


@national
def _funnel_all(indicator: str, year, release, target, method, scale, adjust, trim, alpha) -> pd.DataFrame:
    """The authority-independent part of :func:`funnel_data`: limits for every authority, once."""
    ind = get_indicator(indicator)
    kind, per = _funnel_params(ind)
    if adjust not in ("auto", "always", "never"):
        raise ParameterError(f"adjust must be 'auto', 'always' or 'never', got {adjust!r}.")
    vals = indicator_values(ind, release=release)
    y = _pick_year(year, ind, release)
    las = vals[(vals["geographic_level"] == "Local authority") & (vals["year"] == y)].reset_index(drop=True)
    x = las["numerator"].to_numpy(dtype=float)
    n = las["denominator"].to_numpy(dtype=float)
    usable = np.isfinite(x) & np.isfinite(n) & (n > 0)
    if usable.sum() < 2:
        raise ReferenceDataError(f"Fewer than two authorities have a published {ind.id} for {y}.")
    if isinstance(target, str):
        if target == "pooled":
            tgt = float(x[usable].sum() / n[usable].sum() * per)
        elif target == "england":
            eng = vals[(vals["geographic_level"] == "National") & (vals["year"] == y)]
            # England counts are rounded to 10: the ratio of counts is more precise than the
            # rounded published value.
            e = eng.iloc[0] if len(eng) else None
            if e is None or not (np.isfinite(e["numerator"]) and np.isfinite(e["denominator"])):
                raise ReferenceDataError(f"No England value of {ind.id} for {y} to use as target.")
            tgt = float(e["numerator"] / e["denominator"] * per)
        else:
            raise ParameterError(f"target must be 'pooled', 'england' or a number, got {target!r}.")
    else:
        tgt = float(target)
    od = _funnel.overdispersion(x[usable], n[usable], kind=kind, target=tgt, scale=scale, per=per,
                                trim=trim, alpha=alpha)
    lim = {}
    for conf, tag in ((0.95, "95"), (0.998, "998")):
        lo, hi = _funnel.funnel_limits(tgt, n, kind=kind, confidence=conf, method=method, per=per)
        alo, ahi = _funnel.random_effects_limits(tgt, n, od.tau2, kind=kind, scale=od.scale,
                                                 confidence=conf, per=per)
        lim[tag] = (np.asarray(lo), np.asarray(hi), np.asarray(alo), np.asarray(ahi))
    use_adj = adjust == "always" or (adjust == "auto" and od.overdispersed)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = np.where(usable, x / n * per, np.nan)
    out = las[["la_code", "ons_code", "la_name", "region_code", "region_name", "indicator", "year",
               "numerator", "denominator", "value"]].copy()
    out["observed"] = observed
    out["target"] = tgt
    for tag, (lo, hi, alo, ahi) in lim.items():
        out[f"lower_{tag}"] = alo if use_adj else lo
        out[f"upper_{tag}"] = ahi if use_adj else hi
        out[f"unadj_lower_{tag}"] = lo
        out[f"unadj_upper_{tag}"] = hi
    for tag in ("95", "998"):
        out[f"outside_{tag}"] = usable & ((observed < out[f"lower_{tag}"]) | (observed > out[f"upper_{tag}"]))
        out[f"outside_{tag}_unadjusted"] = usable & (
            (observed < out[f"unadj_lower_{tag}"]) | (observed > out[f"unadj_upper_{tag}"])
        )
    out["direction"] = np.where(out["outside_95"] & (observed > out["upper_95"]), "above",
                                np.where(out["outside_95"], "below", ""))
    scale_name = {"arcsine": "arcsine-square-root", "sqrt": "square-root", "raw": "untransformed"}[od.scale]
    if use_adj:
        text = (f"adjusted for over-dispersion (additive random effects on the {scale_name} scale, "
                f"phi = {od.phi:.2f})")
    else:
        dist = "binomial" if kind == "proportion" else "Poisson"
        text = f"{'exact' if method == 'exact' else 'normal-approximation'} {dist} limits (no adjustment)"
    out["limits"] = text
    out["kind"], out["per"], out["method"], out["scale"] = kind, per, method, od.scale
    out["phi"], out["tau2"] = od.phi, (od.tau2 if use_adj else 0.0)
    out["overdispersed"], out["p_overdispersion"] = od.overdispersed, od.p_value
    return out


def funnel_curves(data: pd.DataFrame, *, n_points: int = 200) -> pd.DataFrame:
    """Smooth funnel limits over the range of denominators of a :func:`funnel_data` frame.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`funnel_data` (its settings columns are reused).
    n_points : int, default 200
        Number of denominators on a geometric grid from 0.8 x the smallest to 1.1 x the largest.

    Returns
    -------
    pandas.DataFrame
        Columns ``denominator, target, lower_95, upper_95, lower_998, upper_998`` (the limits
        in use in ``data``).
    """
    need = {"denominator", "target", "kind", "per", "method", "scale", "tau2", "limits"}
    if not need <= set(data.columns):
        raise ParameterError("funnel_curves needs a frame returned by funnel_data().")
    n = data["denominator"].to_numpy(dtype=float)
    # Only authorities that are plotted (a published numerator) set the range.
    plotted = np.isfinite(data["observed"].to_numpy(dtype=float)) if "observed" in data else np.isfinite(n)
    n = n[plotted & np.isfinite(n) & (n > 0)]
    if n.size == 0:
        raise ParameterError("No authority has a positive denominator to draw limits for.")
    grid = np.geomspace(max(n.min() * 0.8, 1.0), n.max() * 1.1, int(n_points))
    first = data.iloc[0]
    tgt, kind, per = float(first["target"]), str(first["kind"]), float(first["per"])
    adjusted = str(first["limits"]).startswith("adjusted")
    out = {"denominator": grid, "target": np.full(grid.size, tgt)}
    for conf, tag in ((0.95, "95"), (0.998, "998")):
        if adjusted:
            lo, hi = _funnel.random_effects_limits(tgt, grid, float(first["tau2"]), kind=kind,
                                                   scale=str(first["scale"]), confidence=conf, per=per)
        else:
            lo, hi = _funnel.funnel_limits(tgt, grid, kind=kind, confidence=conf,
                                           method=str(first["method"]), per=per)
        out[f"lower_{tag}"], out[f"upper_{tag}"] = lo, hi
    return pd.DataFrame(out)


def funnel_summary(indicators=None, year: int | None = None, *, release: int | None = None, la=None,
                   model: str = "2021") -> pd.DataFrame:
    """One line per funnel indicator: spread across authorities and who lies outside the limits.

    Parameters
    ----------
    indicators : list of str, optional
        Default: every indicator with a funnel plot.
    year : int, optional
        Year ending 31 March; each indicator uses the latest year published up to it.
    release, la, model :
        As in :func:`funnel_data`.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator, name, unit, polarity, year, n_authorities, england_value, target,
        lowest, median, highest, phi, overdispersed, outside_95, outside_998,
        outside_998_unadjusted, la_name, la_value, la_position`` (``la_position``: "inside",
        "above the 95% limits" … or "" without ``la``).
    """
    ids = list(indicators) if indicators is not None else [i for i, d in INDICATORS.items() if d.has_funnel]
    rows = []
    for ind_id in ids:
        ind = get_indicator(ind_id)
        y = latest_year(ind, release=release, up_to=year)
        f = funnel_data(ind, y, release=release, la=la, model=model)
        vals = indicator_values(ind, release=release)
        eng = vals[(vals["geographic_level"] == "National") & (vals["year"] == y)]["value"]
        used = f[f["observed"].notna()]
        own = used[used["role"] == "authority"]
        pos, la_name, la_value = "", "", np.nan
        if la is not None:
            la_name = _resolve(la).la_name
        if len(own):
            r = own.iloc[0]
            la_value = float(r["observed"])
            if r["outside_998"]:
                pos = f"{r['direction']} the 99.8% limits"
            elif r["outside_95"]:
                pos = f"{r['direction']} the 95% limits"
            else:
                pos = "inside the 95% limits"
        elif la is not None:
            pos = "not published"
        rows.append({
            "indicator": ind.id, "name": ind.name, "unit": ind.unit, "polarity": ind.polarity, "year": y,
            "n_authorities": len(used), "england_value": float(eng.iloc[0]) if len(eng) else np.nan,
            "target": float(f["target"].iloc[0]), "lowest": float(used["observed"].min()),
            "median": float(used["observed"].median()), "highest": float(used["observed"].max()),
            "phi": float(f["phi"].iloc[0]), "overdispersed": bool(f["overdispersed"].iloc[0]),
            "outside_95": int(used["outside_95"].sum()), "outside_998": int(used["outside_998"].sum()),
            "outside_998_unadjusted": int(used["outside_998_unadjusted"].sum()),
            "la_name": la_name, "la_value": la_value, "la_position": pos,
        })
    return pd.DataFrame(rows)
