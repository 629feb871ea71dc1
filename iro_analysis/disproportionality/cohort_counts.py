"""Cohorts of an SSDA903 return as counts by ethnic group (the analyses take counts only)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import codes as _codes
from ..errors import ParameterError
from ..ssda903.model import as_return
from .groups import _order

__all__ = ["ethnic_counts", "cic_ethnicity", "starters_ethnicity"]


def ethnic_counts(ethnic_codes, *, mapping: dict | None = None, detailed: bool = False, combine=None) -> pd.DataFrame:
    """Count children by ethnic group from their ETHNIC codes.

    Parameters
    ----------
    ethnic_codes : Series or sequence of str
        One SSDA903 ETHNIC code per child.
    mapping : dict, optional
        Main-group overrides for :func:`iro_analysis.codes.ethnic_group`, e.g.
        ``{"CHNE": "Other"}`` (Chinese is grouped differently by different tools; use the same
        mapping for the denominator).
    detailed : bool, default False
        Detailed groups (:data:`~iro_analysis.reference.ethnicity_population.DETAILED_ETHNIC_GROUPS`).
    combine : iterable of str, optional
        With ``detailed``: combined groups to report together (e.g.
        ``["Gypsy, Roma or Irish Traveller"]``).

    Returns
    -------
    DataFrame
        ``ethnic_group, count``: every group of the scheme (zeros included), then
        ``"Refused or not obtained"`` and ``"Not recorded"`` (blank or unknown codes) when present.

    Examples
    --------
    >>> ethnic_counts(["WBRI", "WBRI", "CHNE", "REFU"])["count"].tolist()
    [2, 0, 1, 0, 0, 1]
    >>> int(ethnic_counts(["CHNE"], mapping={"CHNE": "Other"}).set_index("ethnic_group").loc["Other", "count"])
    1
    """
    codes = ethnic_codes if isinstance(ethnic_codes, pd.Series) else pd.Series(list(ethnic_codes), dtype=object)
    if detailed:
        from ..reference.ethnicity_population import detailed_ethnic_group

        labels = detailed_ethnic_group(codes, combine=combine)
        labels = labels.where(~labels.isin(["Refused", "Not obtained"]), "Refused or not obtained")
        scheme = list(dict.fromkeys(detailed_ethnic_group(
            [c for c in _codes.ETHNIC_GROUPS if c not in ("REFU", "NOBT")], combine=combine)))
    else:
        labels = _codes.ethnic_group(codes, mapping=mapping)
        scheme = [g for g in dict.fromkeys(_codes.ethnic_group(list(_codes.ETHNIC_GROUPS), mapping=mapping).dropna())
                  if g != "Refused or not obtained"]
        scheme = _order(scheme)
    labels = labels.fillna("Not recorded")
    counts = labels.value_counts()
    extra = [g for g in ("Refused or not obtained", "Not recorded") if g in counts.index]
    groups = scheme + [g for g in counts.index if g not in scheme and g not in extra] + extra
    return pd.DataFrame({"ethnic_group": groups, "count": [int(counts.get(g, 0)) for g in groups]})


def cic_ethnicity(
    data,
    date=None,
    *,
    year: int | None = None,
    include_uasc: bool = False,
    mapping: dict | None = None,
    detailed: bool = False,
    combine=None,
    exclude_short_breaks: bool = True,
) -> pd.DataFrame:
    """Children in care on a date (default 31 March of ``year``) by ethnic group.

    Parameters
    ----------
    data : SSDA903
        A loaded return (``episodes``; ``header`` for ETHNIC; ``uasc`` for UASC status).
    date : date-like, optional
        Snapshot date; default 31 March of ``year``.
    year : int, optional
        Reporting year (year ending 31 March), used when ``date`` is not given.
    include_uasc : bool, default False
        UASC are left out by default: they are not part of the resident child population
        that forms the denominator (methods.md §1.4). Their number is in ``attrs``.
    mapping, detailed, combine
        As :func:`ethnic_counts`.
    exclude_short_breaks : bool, default True
        As :func:`iro_analysis.cohorts.in_care_on`.

    Returns
    -------
    DataFrame
        ``ethnic_group, count`` (see :func:`ethnic_counts`); ``attrs``: ``cohort``, ``date``,
        ``uasc_excluded`` (number left out), ``children`` (total before exclusion).

    Raises
    ------
    ParameterError
        If neither ``date`` nor ``year`` is given.
    """
    from .. import cohorts

    if date is None:
        if year is None:
            raise ParameterError("give the snapshot date (e.g. '2023-03-31') or year=2023.")
        date = f"{int(year)}-03-31"
    frame = cohorts.in_care_on(data, date, exclude_short_breaks=exclude_short_breaks)
    uasc = frame["uasc"].astype(bool) if "uasc" in frame.columns else pd.Series(False, index=frame.index)
    kept = frame if include_uasc else frame[~uasc.to_numpy()]
    out = ethnic_counts(kept["ETHNIC"], mapping=mapping, detailed=detailed, combine=combine)
    out.attrs.update({
        "cohort": f"children in care on {pd.Timestamp(date):%d %B %Y}"
                  + ("" if include_uasc else ", excluding unaccompanied asylum-seeking children"),
        "date": pd.Timestamp(date),
        "uasc_excluded": 0 if include_uasc else int(uasc.sum()),
        "children": int(len(frame)),
    })
    return out


def _latest_per_child(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (stripped) CHILD: the one from the latest collection year of a stack."""
    table = table.assign(CHILD=table["CHILD"].astype(str).str.strip())
    if "collection_year" in table.columns:
        table = table.sort_values("collection_year")
    return table.drop_duplicates("CHILD", keep="last")


def _uasc_at(data, children: pd.Series, dates: pd.Series) -> np.ndarray:
    """Whether each child was UASC on the given date (UASC table, else header UASC flag)."""
    ua = as_return(data).uasc
    if ua is not None and len(ua) and "CHILD" in ua.columns:
        ua = _latest_per_child(ua)
        duc = pd.to_datetime(ua.set_index("CHILD")["DUC"], errors="coerce") if "DUC" in ua.columns else \
            pd.Series(pd.NaT, index=ua["CHILD"])
        d = children.map(duc)
        known = children.isin(duc.index).to_numpy()
        return known & (d.isna() | (d > dates.to_numpy())).to_numpy()
    hd = as_return(data).header
    if hd is not None and "UASC" in hd.columns:
        flag = hd.assign(CHILD=hd["CHILD"].astype(str).str.strip()).drop_duplicates("CHILD", keep="last")
        flag = flag.set_index("CHILD")["UASC"].astype(str).str.strip().isin(["1", "Y", "TRUE"])
        return children.map(flag).fillna(False).to_numpy(dtype=bool)
    return np.zeros(len(children), dtype=bool)


def starters_ethnicity(
    data,
    year: int,
    *,
    include_uasc: bool = False,
    mapping: dict | None = None,
    detailed: bool = False,
    combine=None,
    exclude_short_breaks: bool = True,
) -> pd.DataFrame:
    """Children who started to be looked after in the reporting year, by ethnic group.

    Parameters
    ----------
    data : SSDA903
    year : int
        Reporting year (year ending 31 March).
    include_uasc : bool, default False
        UASC at the start of their period of care are left out by default.
    mapping, detailed, combine
        As :func:`ethnic_counts`.
    exclude_short_breaks : bool, default True
        Leave out periods made only of short breaks (LS V3/V4).

    Returns
    -------
    DataFrame
        ``ethnic_group, count``: children (not periods) with a period of care starting in the
        year; ``attrs``: ``cohort``, ``uasc_excluded``, ``children``.
    """
    from .. import cohorts
    from ..calendar import year_bounds

    start, end = year_bounds(year)
    periods = cohorts.periods_of_care(data)
    if exclude_short_breaks and "short_breaks_only" in periods.columns:
        periods = periods[~periods["short_breaks_only"].astype(bool)]
    started = periods[(periods["period_start"] >= start) & (periods["period_start"] <= end)]
    started = started.sort_values(["CHILD", "period_start"]).drop_duplicates("CHILD", keep="first")
    children = started["CHILD"].astype(str).str.strip().reset_index(drop=True)
    uasc = _uasc_at(data, children, started["period_start"].reset_index(drop=True))
    hd = as_return(data).header
    if hd is None or "ETHNIC" not in hd.columns:
        ethnic = pd.Series([None] * len(children), dtype=object)
    else:
        h = _latest_per_child(hd).set_index("CHILD")["ETHNIC"]
        ethnic = children.map(h)
    kept = ethnic if include_uasc else ethnic[~uasc]
    out = ethnic_counts(kept, mapping=mapping, detailed=detailed, combine=combine)
    from ..calendar import year_label

    out.attrs.update({
        "cohort": f"children starting care in {year_label(year)}"
                  + ("" if include_uasc else ", excluding unaccompanied asylum-seeking children"),
        "uasc_excluded": 0 if include_uasc else int(uasc.sum()),
        "children": int(len(children)),
    })
    return out
