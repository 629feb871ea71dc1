"""Health checks (OC2), adoption timeliness (AD1) and category of need: IRO report tables.

The SSDA903-derived outcome tables of an IRO annual report (Rotherham's "health of looked
after children", "adoption" and the category of need of children coming into care), as tidy
frames of counts. No child-level rows leave this module. Every table takes the reporting
``year`` (year ending 31 March) and carries its publication metadata in ``DataFrame.attrs``
(:func:`iro_analysis._count_tables.publication_spec`). Small counts are not suppressed here.

Sources of the definitions
--------------------------
* OC2 (``docs/domain/ssda903.md`` §1.1): one row per child looked after continuously for at
  least 12 months at 31 March, with 0/1 flags. The measures follow the DfE table "Outcomes for
  children looked after" (``la_conviction_health_outcome_cla``): annual health assessment
  (HEALTH_ASSESSMENT), immunisations up to date (IMMUNISATIONS), teeth checked by a dentist
  (TEETH_CHECK), all ages; development assessments up to date (HEALTH_CHECK), ages 0 to 4;
  SDQ score received (SDQ_SCORE), ages 5 to 16. Ages are on 31 March.
* AD1: DATE_INT is the date of the decision that the child should be placed for adoption (it
  equals DATE_PLACED of the placed-for-adoption table), DATE_MATCH the date the child was
  matched with the adopters. The adoption date is the end (DEC) of the episode with REC
  E11/E12; the placement order date is the start of the period's first episode with legal
  status E1 (or D1, a freeing order); the date placed with the adopters is the period's first
  episode with PLACE A3–A6 (:func:`iro_analysis.cohorts.periods_of_care`).
* CIN (category of need, rule 145): N1–N8, recorded on every episode; the category of a child
  starting care is that of the first episode of the period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import codes
from . import cohorts as co
from ._count_tables import (NOT_RECORDED, band_labels, band_of, count_table, months_between,
                            publication_spec)
from .calendar import parse_year, year_bounds
from .errors import ParameterError
from .ssda903 import as_return, child_ids

__all__ = ["HEALTH_MEASURES", "ADOPTION_INTERVALS", "health_checks", "adoption_timeliness",
           "adoption_timeliness_summary", "category_of_need"]

#: OC2 measures: measure -> (OC2 column, description, lowest age, highest age) (ages on 31 March).
HEALTH_MEASURES = {
    "health_assessment": ("HEALTH_ASSESSMENT", "Had their annual health assessment", None, None),
    "immunisations": ("IMMUNISATIONS", "Had their immunisations up to date", None, None),
    "teeth_check": ("TEETH_CHECK", "Had their teeth checked by a dentist", None, None),
    "development_assessment": ("HEALTH_CHECK", "Development assessments up to date (ages 0 to 4)", 0, 4),
    "sdq_score": ("SDQ_SCORE", "SDQ score received (ages 5 to 16)", 5, 16),
}

#: Adoption intervals: name -> (from, to, description, band edges in months).
ADOPTION_INTERVALS = {
    "care_to_adoption": ("period_start", "adopted", "Entering care to adoption", (12, 18, 24, 36)),
    "care_to_placed": ("period_start", "placed", "Entering care to moving in with the adoptive family",
                       (12, 18, 24)),
    "placement_order_to_match": ("placement_order", "DATE_MATCH",
                                 "Placement order to match with the adoptive family", (3, 6, 12)),
    "decision_to_adoption": ("DATE_INT", "adopted", "Decision that the child should be placed for adoption "
                             "to adoption", (12, 18, 24)),
}
_NEEDS_AD1 = ("DATE_INT", "DATE_MATCH")
_ADOPTED_REC = ("E11", "E12")
_PLACEMENT_ORDER_LS = ("E1", "D1")


def _table_for_year(data, name: str, y: int, columns, purpose: str, *, by_year: bool = True) -> pd.DataFrame:
    """One row per child of a child-level table (OC2, AD1): from the ``y`` return of a stack when
    ``by_year``, otherwise the latest row of each child."""
    df = as_return(co._source(data)).table(name)
    if df is None:
        raise ParameterError(
            f"The return has no {name} table (needed for {purpose}). Load a return that includes the "
            f"{name.upper()} CSV (iro_analysis.load_ssda903); the DfE collects it with the episodes."
        )
    missing = [c for c in ("CHILD", *columns) if c not in df.columns]
    if missing:
        raise ParameterError(f"The {name} table lacks column(s) {', '.join(missing)} (needed for {purpose}); "
                             "load the return with iro_analysis.load_ssda903.")
    if by_year and "collection_year" in df.columns:
        years = sorted({int(v) for v in df["collection_year"].dropna()})
        if y not in years:
            raise ParameterError(f"The {name} table has no rows for the {y} return (it has "
                                 f"{', '.join(map(str, years)) or 'none'}); load the {y} return.")
        df = df.loc[df["collection_year"] == y]
    dates = [c for c in columns if c.startswith("DATE") or c == "DOB"]
    df = co._as_dates(df, name, dates)
    return co._latest_per_key(df.assign(CHILD=child_ids(df["CHILD"])), ["CHILD"]).reset_index(drop=True)


def _is_yes(s: pd.Series) -> pd.Series:
    """0/1 flags as booleans ("1", 1 and 1.0 are yes; anything else no)."""
    return pd.to_numeric(s, errors="coerce").eq(1)


def health_checks(data, year) -> pd.DataFrame:
    """Health checks of children looked after continuously for 12 months at 31 March (OC2).

    Parameters
    ----------
    data : SSDA903 or object with an ``oc2`` table
        In a multi-year stack the rows of the ``year`` return are used; a table without
        ``collection_year`` is taken to be that return.
    year : int or str
        Reporting year ending 31 March.

    Returns
    -------
    DataFrame
        One row per measure of :data:`HEALTH_MEASURES`: ``measure``, ``description``,
        ``count`` (children with the check, or with an SDQ score), ``denominator`` (the OC2
        cohort, or its children aged 0–4 / 5–16 on 31 March for the development and SDQ
        rows), ``percent`` (``count / denominator * 100``, unrounded; NaN when the
        denominator is 0). No Total row (the measures overlap); ``attrs["total"]`` is the OC2
        cohort.

    Raises
    ------
    ParameterError
        If there is no OC2 table, a column is missing, or a stack has no rows for ``year``.

    Notes
    -----
    A flag counts when it is 1; blank and 0 do not (the DfE counts "had" a check). A child
    whose DOB is blank is in the all-ages rows only.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> oc2 = pd.DataFrame({"CHILD": ["A", "B"], "DOB": pd.to_datetime(["2020-01-01", "2012-01-01"]),
    ...     "SDQ_SCORE": [None, 12], "HEALTH_CHECK": ["1", None], "IMMUNISATIONS": ["1", "0"],
    ...     "TEETH_CHECK": ["1", "1"], "HEALTH_ASSESSMENT": ["0", "1"]})
    >>> health_checks(SimpleNamespace(oc2=oc2), 2023)[["measure", "count", "denominator"]].values.tolist()
    [['health_assessment', 1, 2], ['immunisations', 1, 2], ['teeth_check', 2, 2], ['development_assessment', 1, 1], ['sdq_score', 1, 1]]
    """
    y = parse_year(year)
    columns = ["DOB"] + [col for col, *_ in HEALTH_MEASURES.values()]
    oc2 = _table_for_year(data, "oc2", y, columns, "health checks")
    age = co.age_on(oc2["DOB"], year_bounds(y)[1])
    rows = []
    for measure, (column, description, lo, hi) in HEALTH_MEASURES.items():
        cohort = pd.Series(True, index=oc2.index) if lo is None else age.between(lo, hi).fillna(False).astype(bool)
        has = pd.to_numeric(oc2[column], errors="coerce").notna() if column == "SDQ_SCORE" else _is_yes(oc2[column])
        rows.append((measure, description, int((has & cohort).sum()), int(cohort.sum())))
    out = pd.DataFrame(rows, columns=["measure", "description", "count", "denominator"])
    out["percent"] = np.where(out["denominator"] > 0, out["count"] / out["denominator"].where(out["denominator"] > 0) * 100,
                              np.nan)
    return publication_spec(out, labels=["measure", "description"], counts=["count", "denominator"],
                            derived={"percent": ["count", "denominator"]}, total=len(oc2), total_row=False, year=y,
                            notes="Children looked after continuously for at least 12 months at 31 March (OC2).")


def _adoption_dates(data, y: int) -> tuple[pd.DataFrame, bool]:
    """Child-level dates of the adoptions of year ``y`` (internal: never published).

    Returns the frame (``CHILD, period_start, placed, placement_order, adopted`` and, with an
    AD1 table, ``DATE_INT, DATE_MATCH``) and whether AD1 dates are present.
    """
    start, end = year_bounds(y)
    prep = co.prepare(data)
    p = co._periods_for_counts(prep, True)
    p = p.loc[p["period_end"].between(start, end) & p["end_reason"].isin(_ADOPTED_REC)]
    ch = prep.chain
    orders = ch.loc[ch["LS"].isin(_PLACEMENT_ORDER_LS)].groupby("period_id")["DECOM"].min()
    out = pd.DataFrame({"CHILD": p["CHILD"].to_numpy(dtype=object),
                        "period_start": p["period_start"].to_numpy(),
                        "placed": p["adoption_placement_start"].to_numpy(),
                        "placement_order": orders.reindex(p.index).to_numpy(dtype="datetime64[ns]"),
                        "adopted": p["period_end"].to_numpy()})
    if as_return(co._source(data)).ad1 is None:
        return out, False
    # an adoption is recorded once, in the return of its year: the latest row of each child
    ad1 = _table_for_year(data, "ad1", y, list(_NEEDS_AD1), "adoption timeliness", by_year=False)
    return out.merge(ad1[["CHILD", *_NEEDS_AD1]], on="CHILD", how="left"), True


def _intervals(dates: pd.DataFrame, has_ad1: bool):
    """(name, description, edges, months Series, days Series) for each interval the data allow."""
    for name, (frm, to, description, edges) in ADOPTION_INTERVALS.items():
        if not has_ad1 and (frm in _NEEDS_AD1 or to in _NEEDS_AD1):
            continue
        months = months_between(dates[frm], dates[to])
        days = (pd.to_datetime(dates[to]) - pd.to_datetime(dates[frm])).dt.days
        yield name, description, edges, months, days


def adoption_timeliness(data, year) -> pd.DataFrame:
    """Children adopted in the year by the time each stage took, in bands of whole months.

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` (``ad1`` for the intervals that need it)
    year : int or str
        Reporting year ending 31 March.

    Returns
    -------
    DataFrame
        One block per interval of :data:`ADOPTION_INTERVALS` (the AD1 ones only with an AD1
        table): ``interval``, ``description``, ``band`` (e.g. "Under 12 months", …, "Not
        known"), ``count`` (children adopted), ``percent`` (of the block's total); each block
        ends with a ``band`` "Total" row (= children adopted in the year, the same in every
        block). Register each block as its own table (``attrs["blocks"] = "interval"``).

    Notes
    -----
    Adopted in the year: a period of care (not only short breaks) ending from 1 April to
    31 March with REC E11 or E12. Months are whole calendar months (month-end clipped,
    :func:`iro_analysis._count_tables.months_between`). "Not known": a date is missing (no AD1
    row, no E1/D1 or A3–A6 episode) or the stages are out of order. The intervals mirror the
    adoption scorecard's A1 (entering care to moving in with the adoptive family) and A2
    (placement order to match) in months rather than days, and Rotherham's "adopted within
    12 months of the should-be-placed-for-adoption decision" (``decision_to_adoption``, band
    "Under 12 months").
    """
    y = parse_year(year)
    dates, has_ad1 = _adoption_dates(data, y)
    blocks = []
    for name, description, edges, months, _ in _intervals(dates, has_ad1):
        values = band_of(months, edges, "months")
        block = count_table(values, band_labels(edges, "months") + ["Not known"], "band", year=y)
        blocks.append(block.assign(interval=name, description=description))
    out = pd.concat(blocks, ignore_index=True)[["interval", "description", "band", "count", "percent"]]
    notes = "Children adopted in the year (REC E11/E12) by the time each stage of the adoption took."
    if not has_ad1:
        notes += " The return has no AD1 table: the intervals from the decision and to the match are left out."
    return publication_spec(out, labels=["interval", "description", "band"], derived={"percent": ["count", "@total"]},
                            total=len(dates), year=y, notes=notes, blocks="interval")


def adoption_timeliness_summary(data, year) -> pd.DataFrame:
    """Average and median days of each adoption interval, with the count they rest on.

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` (``ad1`` for the intervals that need it)
    year : int or str
        Reporting year ending 31 March.

    Returns
    -------
    DataFrame
        ``interval``, ``description``, ``children`` (adopted children with both dates, in
        order), ``mean_days``, ``median_days`` (NaN when ``children`` is 0).

    Notes
    -----
    The mean and median are derived figures: ``attrs["derived"]`` names ``children`` as their
    source, and ``children`` equals the Total minus the "Not known" row of the same interval
    of :func:`adoption_timeliness`. Hide both wherever that count (or the interval's Total) is
    hidden: with few children an average is close to one child's own dates.
    """
    y = parse_year(year)
    dates, has_ad1 = _adoption_dates(data, y)
    rows = []
    for name, description, _, months, days in _intervals(dates, has_ad1):
        known = days[months.notna().to_numpy() & (days >= 0).to_numpy()]
        rows.append((name, description, len(known), known.mean() if len(known) else np.nan,
                     known.median() if len(known) else np.nan))
    out = pd.DataFrame(rows, columns=["interval", "description", "children", "mean_days", "median_days"])
    return publication_spec(out, labels=["interval", "description"], counts=["children"],
                            derived={"mean_days": ["children"], "median_days": ["children"]}, total=len(dates),
                            total_row=False, year=y,
                            notes="children = adopted children with both dates; it is the Total minus 'Not known' "
                                  "of the interval in adoption_timeliness.")


def category_of_need(data, year, *, exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Periods of care started in the year by category of need (CIN) of the first episode.

    Parameters
    ----------
    data : SSDA903, CohortData or object with ``episodes`` (with ``CIN``)
    year : int or str
        Reporting year ending 31 March.
    exclude_short_breaks : bool, default True
        Leave out periods made only of V3/V4 episodes.

    Returns
    -------
    DataFrame
        ``CIN`` (N1–N8, then "Not recorded" and unlisted codes when present),
        ``description`` (:func:`iro_analysis.codes.describe`), ``count`` (periods started),
        ``percent``, last row ``Total`` (= periods of care started in the year).

    Raises
    ------
    ParameterError
        If the episodes table has no CIN column.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ep = pd.DataFrame({"CHILD": ["A", "B"], "DECOM": pd.to_datetime(["2022-05-01", "2022-06-01"]),
    ...     "RNE": "S", "LS": "V2", "CIN": ["n1", None], "PLACE": "U6", "DEC": pd.NaT, "REC": None})
    >>> t = category_of_need(SimpleNamespace(episodes=ep), 2023)
    >>> t.loc[t["count"] > 0, ["CIN", "count"]].values.tolist()
    [['N1', 1], ['Not recorded', 1], ['Total', 2]]
    """
    y = parse_year(year)
    start, end = year_bounds(y)
    prep = co.prepare(data)
    if "CIN" not in prep.chain.columns:
        raise ParameterError("The episodes table has no CIN column (needed for category of need). Load the full "
                             "DfE episodes file with iro_analysis.load_ssda903.")
    ch = prep.chain
    period = ch["period_id"].to_numpy()
    first_rows = np.flatnonzero(np.r_[True, period[1:] != period[:-1]]) if len(ch) else np.zeros(0, int)
    cin_at_start = co._codes_upper(ch["CIN"]).to_numpy(dtype=object)[first_rows]  # by period_id
    p = co._periods_for_counts(prep, exclude_short_breaks)
    p = p.loc[p["period_start"].between(start, end)]
    values = pd.Series(cin_at_start[p.index.to_numpy()], index=p.index, dtype=object)
    values = values.where(values.notna(), NOT_RECORDED)
    return count_table(values, list(codes.descriptions("CIN")), "CIN", year=y,
                       describe=lambda c: codes.describe("CIN", None if c == NOT_RECORDED else c),
                       notes="Periods of care that started in the year, by category of need.")
