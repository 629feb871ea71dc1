"""The published ethnic mix of children in care against statistical neighbours, region and England."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .. import codes as _codes
from ..errors import ParameterError
from ..reference.cache import national
from ..stats import intervals as _iv
from .groups import _MAIN_ORDER

__all__ = ["ethnicity_mix_benchmark"]

_MIX_COLUMNS = ["year", "ethnic_group", "la_code", "la_name", "la_count", "la_total", "la_share", "la_share_ci_low",
                "la_share_ci_high", "sn_mean_share", "sn_n", "region_share", "england_share", "ratio_to_england"]


# 95 lines, 44 of them the docstring (parameters, method, worked examples): 40 lines of code.
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
        tables = _published_mix_tables(release)
    else:
        tables = _mix_tables(characteristics)
    if neighbours is None:
        neighbours = _ref.statistical_neighbours(model=model)
    groups = list(_MAIN_ORDER)
    wanted = None if years is None else {int(y) for y in years}
    own = tables.la.get(authority.la_code)
    la_years = [] if own is None else [y for y in own.years if wanted is None or y in wanted]
    if not la_years:
        raise ParameterError(
            f"no published children-in-care ethnicity rows for {authority.la_name} ({authority.la_code})."
        )
    sn_codes = neighbours.loc[neighbours["la_code"].astype(str) == authority.la_code, "neighbour_la_code"].astype(str)
    rows = [tables.year_row[y] for y in la_years]  # the authority's years in every (year x group) array
    sn = [tables.la[code].shares[rows] for code in sorted(set(sn_codes)) if code in tables.la]
    missing = np.full((len(tables.year_row), len(groups)), np.nan)
    x, eng, reg = own.counts[rows], tables.england[rows], tables.region.get(authority.region_code, missing)[rows]
    n = own.totals[rows][:, None] * np.ones(len(groups))
    ok = np.isfinite(x) & np.isfinite(n) & (n > 0)
    lo, hi, share = np.full(x.shape, np.nan), np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    lo[ok], hi[ok] = _iv.wilson_interval(x[ok], n[ok], confidence=confidence)
    share[ok] = x[ok] / n[ok]
    columns = {c: [] for c in _MIX_COLUMNS}
    for i, year in enumerate(la_years):
        for j, g in enumerate(groups):
            sn_values = [v for v in (f[i, j] for f in sn) if np.isfinite(v)]
            s, e = share[i, j], eng[i, j]
            row = (int(year), g, authority.la_code, authority.la_name, x[i, j], n[i, j], s, lo[i, j], hi[i, j],
                   float(np.mean(sn_values)) if sn_values else np.nan, len(sn_values), reg[i, j], e,
                   s / e if np.isfinite(s) and np.isfinite(e) and e > 0 else np.nan)
            for c, v in zip(_MIX_COLUMNS, row):
                columns[c].append(float(v) if isinstance(v, np.floating) else v)
    out = pd.DataFrame(columns)
    out.attrs.update({"model": model, "neighbours": sorted(set(sn_codes)),
                      "note": "DfE counts include UASC; shares are of all children in care on 31 March."})
    return out


class _Geography(NamedTuple):
    """One authority's published counts, totals and shares (arrays: year x group of :class:`_MixTables`)."""

    years: list  # the years it has rows for
    counts: np.ndarray
    totals: np.ndarray
    shares: np.ndarray


class _MixTables(NamedTuple):
    """Published counts and shares by year x group, NaN where suppressed or not published.

    Every array has a row per year of the table (``year_row``: year -> row) and a column per
    group (``_MAIN_ORDER``). Kept for the process and shared by every report: read only.
    """

    year_row: dict
    la: dict  # DfE code -> _Geography
    region: dict  # region code -> shares
    england: np.ndarray  # shares


def _mix_tables(characteristics: pd.DataFrame) -> _MixTables:
    """Counts and shares of every authority, region and England from the characteristics table."""
    eth = characteristics[characteristics["cla_group"] == "Ethnic group"]
    inverse = {v: k for k, v in _codes.DFE_ETHNIC_GROUP_LABELS.items()}
    eth = eth.assign(ethnic_group=eth["characteristic"].map(lambda s: inverse.get(s, s)))
    groups = list(_MAIN_ORDER)
    years = sorted(eth["year"].unique())

    def counts(block: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
        """(year x group counts, year totals) for one geography; NaN where suppressed."""
        g = block.groupby(["year", "ethnic_group"])["count"].sum(min_count=1)
        wide = g.unstack("ethnic_group") if len(g) else pd.DataFrame()
        total = wide["Total"] if "Total" in wide.columns else pd.Series(np.nan, index=wide.index)
        return wide.reindex(columns=groups), total

    def shares(wide: pd.DataFrame, total: pd.Series) -> pd.DataFrame:
        return wide.div(total.where(total > 0), axis=0)

    def grid(frame) -> np.ndarray:
        if isinstance(frame, pd.Series):
            return frame.reindex(years).to_numpy(dtype=float)
        return frame.reindex(index=years, columns=groups).to_numpy(dtype=float)

    level = eth["geographic_level"]
    la = {}
    for code, block in eth[level == "Local authority"].groupby("la_code"):
        wide, total = counts(block)
        la[code] = _Geography(sorted(wide.index), grid(wide), grid(total), grid(shares(wide, total)))
    region = {code: grid(shares(*counts(block))) for code, block in eth[level == "Regional"].groupby("region_code")}
    return _MixTables({y: i for i, y in enumerate(years)}, la, region, grid(shares(*counts(eth[level == "National"]))))


@national
def _published_mix_tables(release) -> _MixTables:
    from .. import reference as _ref

    return _mix_tables(_ref.cla_characteristics(release=release))
