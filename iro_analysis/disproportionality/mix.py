"""The published ethnic mix of children in care against statistical neighbours, region and England."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import codes as _codes
from ..errors import ParameterError
from ..stats import intervals as _iv
from .groups import _MAIN_ORDER

__all__ = ["ethnicity_mix_benchmark"]


# 117 lines, 44 of them the docstring (parameters, method, worked examples): 57 lines of code.
def ethnicity_mix_benchmark(
    la,
    *,
    years=None,
    characteristics: pd.DataFrame | None = None,
    neighbours: pd.DataFrame | None = None,
    model: str = "2021",
    release: int | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The authority's children-in-care ethnic mix against its statistical neighbours, region and England.

    Parameters
    ----------
    la : str
        Authority code or name.
    years : iterable of int, optional
        Years (31 March) to keep; default every year in the published table.
    characteristics : DataFrame, optional
        :func:`iro_analysis.reference.cla_characteristics` output; read from the reference
        folder when not given.
    neighbours : DataFrame, optional
        :func:`iro_analysis.reference.statistical_neighbours` output; read when not given.
    model : str, default "2021"
        Statistical-neighbour model.
    release : int, optional
        DfE release of the characteristics table.
    confidence : float, default 0.95
        Level of the Wilson interval for the authority's share.

    Returns
    -------
    DataFrame
        One row per year × group (White, Mixed, Asian, Black, Other, Refused or not
        obtained): ``year, ethnic_group, la_code, la_name, la_count, la_total, la_share,
        la_share_ci_low, la_share_ci_high, sn_mean_share, sn_n, region_share, england_share,
        ratio_to_england``. Shares (0–1) are of all children in care on 31 March, as DfE
        publishes them; NaN where the count is suppressed. The SN mean is the simple mean of
        the neighbours' shares, neighbours with a suppressed count left out (LAIT rule), and
        ``sn_n`` says how many were used. ``ratio_to_england`` = ``la_share / england_share``.

    Raises
    ------
    ParameterError
        If the authority has no published ethnicity rows.

    Notes
    -----
    DfE counts include UASC (the published tables do not split ethnicity by UASC at LA
    level), so this benchmarks the whole children-in-care population, not the cohort
    excluding UASC used for disproportionality. DfE rounds national and regional counts to
    the nearest 10. Source: DfE, Children looked after in England including adoptions
    (Open Government Licence v3.0).
    """
    from .. import reference as _ref

    authority = _ref.resolve_authority(la)
    if characteristics is None:
        characteristics = _ref.cla_characteristics(release=release)
    if neighbours is None:
        neighbours = _ref.statistical_neighbours(model=model)
    eth = characteristics[characteristics["cla_group"] == "Ethnic group"].copy()
    if years is not None:
        eth = eth[eth["year"].isin([int(y) for y in years])]
    inverse = {v: k for k, v in _codes.DFE_ETHNIC_GROUP_LABELS.items()}
    eth["ethnic_group"] = eth["characteristic"].map(lambda s: inverse.get(s, s))
    groups = list(_MAIN_ORDER)

    def counts(block: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
        """(year x group counts, year totals) for one geography; NaN where suppressed."""
        g = block.groupby(["year", "ethnic_group"])["count"].sum(min_count=1)
        wide = g.unstack("ethnic_group") if len(g) else pd.DataFrame()
        total = wide["Total"] if "Total" in wide.columns else pd.Series(np.nan, index=wide.index)
        return wide.reindex(columns=groups), total

    def shares(block: pd.DataFrame) -> pd.DataFrame:
        wide, total = counts(block)
        return wide.div(total.where(total > 0), axis=0)

    la_rows = eth[(eth["geographic_level"] == "Local authority") & (eth["la_code"] == authority.la_code)]
    if la_rows.empty:
        raise ParameterError(
            f"no published children-in-care ethnicity rows for {authority.la_name} ({authority.la_code})."
        )
    la_counts, la_total = counts(la_rows)
    sn_codes = neighbours.loc[neighbours["la_code"].astype(str) == authority.la_code, "neighbour_la_code"].astype(str)
    sn_rows = eth[(eth["geographic_level"] == "Local authority") & eth["la_code"].isin(set(sn_codes))]
    sn_shares = [shares(b) for _, b in sn_rows.groupby("la_code")]
    reg_rows = eth[(eth["geographic_level"] == "Regional") & (eth["region_code"] == authority.region_code)]
    reg_share = shares(reg_rows) if len(reg_rows) else pd.DataFrame(columns=groups, dtype=float)
    eng_share = shares(eth[eth["geographic_level"] == "National"])

    def at(frame: pd.DataFrame, year, g):
        return float(frame.at[year, g]) if year in frame.index and g in frame.columns else np.nan

    rows = []
    for year in sorted(la_counts.index):
        n = float(la_total.get(year, np.nan))
        for g in groups:
            x = at(la_counts, year, g)
            ok = np.isfinite(x) and np.isfinite(n) and n > 0
            lo, hi = _iv.wilson_interval(x, n, confidence=confidence) if ok else (np.nan, np.nan)
            share = x / n if ok else np.nan
            sn_values = [at(f, year, g) for f in sn_shares]
            sn_values = [v for v in sn_values if np.isfinite(v)]
            eng = at(eng_share, year, g)
            rows.append({
                "year": int(year), "ethnic_group": g, "la_code": authority.la_code, "la_name": authority.la_name,
                "la_count": x, "la_total": n, "la_share": share, "la_share_ci_low": lo, "la_share_ci_high": hi,
                "sn_mean_share": float(np.mean(sn_values)) if sn_values else np.nan, "sn_n": len(sn_values),
                "region_share": at(reg_share, year, g), "england_share": eng,
                "ratio_to_england": share / eng if np.isfinite(share) and np.isfinite(eng) and eng > 0 else np.nan,
            })
    out = pd.DataFrame(rows)
    out.attrs.update({"model": model, "neighbours": sorted(set(sn_codes)),
                      "note": "DfE counts include UASC; shares are of all children in care on 31 March."})
    return out
