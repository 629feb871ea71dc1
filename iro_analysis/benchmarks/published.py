"""The authority's own SSDA903 return against the figures DfE published for it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..ssda903.model import as_return
from .comparisons import _pick_year, _resolve, _year_values
from .indicators import INDICATORS

__all__ = ["compare_with_published"]


# 85 lines, 35 of them the docstring (parameters, method, worked examples): 48 lines of code.
def compare_with_published(data, la, year: int, *, release: int | None = None) -> pd.DataFrame:
    """Compare counts from the authority's SSDA903 return with DfE's published figures.

    Parameters
    ----------
    data : iro_analysis.ssda903.SSDA903
        The authority's return (one year or a multi-year stack covering ``year``).
    la : str
        The authority (code, ONS code or name).
    year : int
        Year ending 31 March.
    release : int, optional
        DfE release to compare with; default the latest found.

    Returns
    -------
    pandas.DataFrame
        One row per measure (``cla_31_march``, ``starting``, ``ceasing``) with columns
        ``measure, label, year, la_code, la_name, own_count, published_count, difference``
        (own - published), ``percent_difference`` (of published), ``published_flag, release,
        note``.

    Raises
    ------
    ParameterError
        If the year is not published in the release or the return has no episodes.

    Notes
    -----
    DfE's definitions: children looked after on 31 March, children who started (only the first
    start in the year counted: distinct children) and children who ceased (distinct children)
    during the year, all excluding children looked after only under an agreed series of
    short-term placements (legal status V3/V4). A return loaded for one year may lack episodes
    that began years earlier, or DfE may have received a later amended return; small
    differences are normal and large ones deserve a look.
    """
    from .. import cohorts
    from ..calendar import year_bounds

    auth = _resolve(la)
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"year must be a year ending 31 March such as 2023, got {year!r}.") from None
    episodes = as_return(data).episodes
    if episodes is None or len(episodes) == 0:
        raise ParameterError("The return has no episodes table, so nothing can be compared with DfE figures.")
    start, end = year_bounds(y)
    in_care = cohorts.in_care_on(data, end, exclude_short_breaks=True)
    periods = cohorts.periods_of_care(data)
    periods = periods[~periods["short_breaks_only"].astype(bool)]
    started = periods[(periods["period_start"] >= start) & (periods["period_start"] <= end)]
    ceased = periods[periods["period_end"].notna() & (periods["period_end"] >= start) & (periods["period_end"] <= end)]
    own = {
        "cla_31_march": in_care["CHILD"].nunique(),
        "starting": started["CHILD"].nunique(),
        "ceasing": ceased["CHILD"].nunique(),
    }
    labels = {
        "cla_31_march": "Children looked after on 31 March",
        "starting": "Children starting to be looked after in the year",
        "ceasing": "Children ceasing to be looked after in the year",
    }
    ids = {"cla_31_march": "cla_count", "starting": "starts_count", "ceasing": "ceased_count"}
    rows = []
    for measure, ind_id in ids.items():
        _pick_year(y, INDICATORS[ind_id], release)
        published = _year_values(ind_id, release, y)
        found = auth.la_code in published.las.index
        p = float(published.las.loc[auth.la_code, "value"]) if found else np.nan
        flag = str(published.las.loc[auth.la_code, "flag"]) if found else ""
        diff = own[measure] - p
        note = ""
        if not found:
            note = f"{auth.la_name} has no published row for {y}"
        elif np.isnan(p):
            note = f"published value suppressed ('{flag}')"
        rows.append({
            "measure": measure, "label": labels[measure], "year": y, "la_code": auth.la_code,
            "la_name": auth.la_name, "own_count": int(own[measure]), "published_count": p,
            "difference": diff, "percent_difference": diff / p * 100 if p else np.nan,
            "published_flag": flag, "release": published.release, "note": note,
        })
    return pd.DataFrame(rows)
