"""Count tables of the IRO service records for the report.

Every function takes the object returned by :func:`iro_analysis.iro_records.load_iro_records` and
returns a tidy frame with stable snake_case columns that fits
:meth:`iro_analysis.publication.Publication.add_table` directly:
``pub.add_table(name, frame, **publication_roles(function_name))``. :data:`TABLE_ROLES` says
which columns are labels, which are counts (suppressed) and which are derived (percent, median,
per-FTE rates: hidden whenever one of the counts they come from is hidden).

Rows whose values needed by a table are missing (unusable cells, months outside the year, the
second of two duplicate rows; each has a finding) are left out; a month with such a row is left
out whole, so that no month shows part of its figures. Tables with a meaningful year total end
with a row labelled ``"Total"`` (the publication layer uses it as the table's total row).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from ..errors import IroRecordsError
from .template import FORMAL_STAGES, OUTCOMES, REASONS, STAGE_LABELS, STAGES

__all__ = [
    "DAY_BANDS",
    "TABLE_ROLES",
    "publication_roles",
    "caseload_by_month",
    "escalations_by_stage_and_outcome",
    "escalations_by_reason",
    "days_to_resolve",
    "resolution_days",
    "midway_review_rate",
    "consultation_return_rate",
    "cp_plans_by_month",
    "sw_report_timeliness",
]

TOTAL = "Total"

#: Bands of calendar days from raising an escalation to resolving it: ``(column, first, last)``.
DAY_BANDS = (
    ("days_0_7", 0, 7),
    ("days_8_14", 8, 14),
    ("days_15_28", 15, 28),
    ("days_29_56", 29, 56),
    ("days_over_56", 57, None),
)

_BAND_COLUMNS = [b[0] for b in DAY_BANDS]

#: How each summary registers with ``Publication.add_table`` (labels, counts, derived, public,
#: decimals, total_column). Derived sources are count columns of the same row, or ``"@total"``.
TABLE_ROLES: dict[str, dict] = {
    "caseload_by_month": {
        "labels": ["month"], "counts": ["children_allocated"], "public": ["iro_fte"],
        "derived": {"children_per_fte": ["children_allocated"]},
        "decimals": {"iro_fte": 2, "children_per_fte": 1},
    },
    "escalations_by_stage_and_outcome": {
        "labels": ["stage"], "counts": ["raised", *OUTCOMES], "total_column": "raised",
    },
    "escalations_by_reason": {
        "labels": ["reason"], "counts": ["escalations"], "derived": {"percent": ["escalations", "@total"]},
        "decimals": {"percent": 1},
    },
    "days_to_resolve": {
        "labels": ["stage"], "counts": ["resolved", *_BAND_COLUMNS], "total_column": "resolved",
        "derived": {"median_days": ["resolved"]}, "decimals": {"median_days": 1},
    },
    "midway_review_rate": {
        "labels": ["month"], "counts": ["reviews_due", "midway_checks_done"],
        "derived": {"percent": ["midway_checks_done", "reviews_due"]}, "decimals": {"percent": 1},
    },
    "consultation_return_rate": {
        "labels": ["respondent"], "counts": ["forms_sent", "forms_returned"],
        "derived": {"percent": ["forms_returned", "forms_sent"]}, "decimals": {"percent": 1},
    },
    "cp_plans_by_month": {
        "labels": ["month"], "counts": ["children_in_care_also_on_cp_plan"],
    },
    "sw_report_timeliness": {
        "labels": ["month"], "counts": ["reports_due", "reports_on_time_before_review"],
        "derived": {"percent": ["reports_on_time_before_review", "reports_due"]}, "decimals": {"percent": 1},
    },
}


def publication_roles(name: str) -> dict:
    """Keyword arguments for ``Publication.add_table`` for the summary ``name``.

    Examples
    --------
    >>> publication_roles("midway_review_rate")["derived"]
    {'percent': ['midway_checks_done', 'reviews_due']}
    """
    if name not in TABLE_ROLES:
        raise KeyError(f"no summary named {name!r}; summaries are {', '.join(TABLE_ROLES)}.")
    return copy.deepcopy(TABLE_ROLES[name])


# --- helpers ---------------------------------------------------------------------------------------


def _table(records, table: str) -> pd.DataFrame:
    frame = getattr(records, table, None)
    if frame is None:
        raise IroRecordsError(
            f"the IRO service records hold no {table} table, so this summary cannot be made. Add "
            f"{table}.csv (or a {table} sheet), or check `'{table}' in records.tables` before asking for it.",
            file=getattr(records, "source", None))
    return frame


def _percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    whole = whole.astype(float)
    return (100 * part.astype(float) / whole.where(whole > 0)).astype(float)


def _monthly(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Sum of ``columns`` per month, leaving out any month with a missing value in them."""
    if _whole_number_months(frame, columns):
        out = _monthly_by_position(frame, columns)
        if out is not None:
            return out
    return _monthly_grouped(frame, columns)


def _whole_number_months(frame: pd.DataFrame, columns: list[str]) -> bool:
    """Months as plain dates and whole-number columns: sums that :func:`_monthly_by_position` gives exactly."""
    month = frame["month"].dtype
    return (isinstance(month, np.dtype) and month.kind == "M"
            and all(pd.api.types.is_integer_dtype(frame[c].dtype) for c in columns))


def _monthly_by_position(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame | None:
    """:func:`_monthly_grouped` on numpy arrays (whole numbers only, so the sums are exact).

    The typed tables are a few dozen rows; two group-bys, a selection and a cast of them cost
    more than the sums. None when no month is complete (the general path shapes that frame).
    """
    month = frame["month"].to_numpy()
    dated = ~np.isnat(month)
    months, group = np.unique(month[dated], return_inverse=True)
    group = group.reshape(-1)
    missing = np.zeros(len(group), dtype=bool)
    values = []
    for column in columns:
        series = frame[column]
        missing |= series.isna().to_numpy(dtype=bool)[dated]
        values.append(series.to_numpy(dtype="int64", na_value=0)[dated])
    # a month with a missing value in any row is left out whole
    complete = np.bincount(group[missing], minlength=len(months)) == 0
    if not complete.any():
        return None
    sums = {}
    for column, value in zip(columns, values):
        total = np.zeros(len(months), dtype="int64")
        np.add.at(total, group, value)
        sums[column] = total[complete]
    out = pd.DataFrame(sums)
    out.insert(0, "month", pd.DatetimeIndex(months[complete]).strftime("%Y-%m"))
    return out


def _monthly_grouped(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """:func:`_monthly` by pandas group-bys: the general path (any dtypes)."""
    rows = frame.dropna(subset=["month"])
    complete = rows[columns].notna().all(axis=1).groupby(rows["month"]).all()
    rows = rows[rows["month"].isin(complete.index[complete.to_numpy(dtype=bool)])]
    out = rows.groupby("month", sort=True)[columns].sum()
    out = out.astype({c: "int64" for c in columns if str(out[c].dtype) == "Int64"})
    out.index = out.index.strftime("%Y-%m")
    return out.rename_axis("month").reset_index()


def _with_total(frame: pd.DataFrame, label: str, counts: list[str]) -> pd.DataFrame:
    total = {label: TOTAL, **{c: int(frame[c].sum()) for c in counts}}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True).astype({c: "int64" for c in counts})


def _rate_by_month(records, table: str, whole: str, part: str) -> pd.DataFrame:
    out = _with_total(_monthly(_table(records, table), [whole, part]), "month", [whole, part])
    out["percent"] = _percent(out[part], out[whole])
    return out


# --- monthly tables --------------------------------------------------------------------------------


def caseload_by_month(records) -> pd.DataFrame:
    """IRO caseloads at each month end.

    Returns
    -------
    DataFrame
        One row per month (``month`` as ``"2022-04"``), columns ``month`` (label), ``iro_fte``
        (public: staffing, summed over IROs), ``children_allocated`` (count) and
        ``children_per_fte`` (derived: ``children_allocated / iro_fte``; NaN when no FTE). The IRO
        Handbook recommends 50 to 70 children per IRO. No total row (caseloads are not additive
        over months).
    """
    out = _monthly(_table(records, "caseloads"), ["iro_fte", "children_allocated"])
    out["iro_fte"] = out["iro_fte"].astype(float)
    fte = out["iro_fte"].where(out["iro_fte"] > 0)
    out["children_per_fte"] = (out["children_allocated"] / fte).astype(float)
    return out[["month", "iro_fte", "children_allocated", "children_per_fte"]]


def midway_review_rate(records) -> pd.DataFrame:
    """Midway checks done against midway checks due, by month and for the year.

    Returns
    -------
    DataFrame
        ``month`` (label; last row ``"Total"``), ``reviews_due`` and ``midway_checks_done``
        (counts), ``percent`` (derived: ``100 * midway_checks_done / reviews_due``; NaN when none due).
    """
    return _rate_by_month(records, "midway_reviews", "reviews_due", "midway_checks_done")


def sw_report_timeliness(records) -> pd.DataFrame:
    """Social workers' review reports received in time (3 working days before the review).

    Returns
    -------
    DataFrame
        ``month`` (label; last row ``"Total"``), ``reports_due`` and ``reports_on_time_before_review``
        (counts), ``percent`` (derived: ``100 * reports_on_time_before_review / reports_due``).
    """
    return _rate_by_month(records, "sw_reports", "reports_due", "reports_on_time_before_review")


def cp_plans_by_month(records) -> pd.DataFrame:
    """Children in care also on a child protection plan at each month end.

    Returns
    -------
    DataFrame
        ``month`` (label), ``children_in_care_also_on_cp_plan`` (count). No total row (the same
        child can be counted in several months).
    """
    return _monthly(_table(records, "cp_plans"), ["children_in_care_also_on_cp_plan"])


def consultation_return_rate(records) -> pd.DataFrame:
    """Consultation forms sent and returned over the year, for children and for parents and carers.

    Returns
    -------
    DataFrame
        Rows ``"Children and young people"``, ``"Parents and carers"``, ``"Total"``; columns
        ``respondent`` (label), ``forms_sent`` and ``forms_returned`` (counts), ``percent``
        (derived: ``100 * forms_returned / forms_sent``).
    """
    frame = _table(records, "consultation")
    rows = []
    for respondent, prefix in (("Children and young people", "child"), ("Parents and carers", "parent_carer")):
        sent, returned = f"{prefix}_forms_sent", f"{prefix}_forms_returned"
        months = _monthly(frame, [sent, returned])
        rows.append({"respondent": respondent, "forms_sent": int(months[sent].sum()),
                     "forms_returned": int(months[returned].sum())})
    out = _with_total(pd.DataFrame(rows), "respondent", ["forms_sent", "forms_returned"])
    out["percent"] = _percent(out["forms_returned"], out["forms_sent"])
    return out


# --- escalations -----------------------------------------------------------------------------------


def _escalation_rows(records, columns: list[str]) -> pd.DataFrame:
    """Escalation rows raised in the year with usable values in ``columns``."""
    frame = _table(records, "escalations")
    return frame.dropna(subset=["escalation_id", "date_raised", "stage", *columns])


def _stage_frame(counts: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Rows for every stage in order (zeros where none), labelled, plus the total row."""
    counts = counts.reindex(list(STAGES), fill_value=0)[columns].astype("int64")
    out = counts.rename(index=STAGE_LABELS).rename_axis("stage").reset_index()
    return _with_total(out, "stage", columns)


def escalations_by_stage_and_outcome(records) -> pd.DataFrame:
    """Escalation stages raised in the year, by stage and outcome at 31 March.

    Each row of the escalations table is one stage of one dispute, so an escalation that went from
    informal to formal stage 1 counts once in each of those rows.

    Returns
    -------
    DataFrame
        One row per stage (``Informal``, ``Formal stage 1`` to ``3``, ``Referred to Cafcass``; zeros
        kept) and a ``Total`` row; columns ``stage`` (label) and counts ``raised`` (= the sum of the
        outcome columns), ``resolved``, ``escalated``, ``withdrawn``, ``open``.
    """
    rows = _escalation_rows(records, ["outcome"])
    table = pd.crosstab(rows["stage"], rows["outcome"]).reindex(columns=list(OUTCOMES), fill_value=0)
    table["raised"] = table.sum(axis=1)
    return _stage_frame(table, ["raised", *OUTCOMES])


def escalations_by_reason(records, *, formal_only: bool = False) -> pd.DataFrame:
    """Escalations (disputes, not stages) by reason.

    Parameters
    ----------
    formal_only : bool, default False
        Count only escalations that reached a formal stage (stage 1 or above), with the reason
        recorded at their first formal stage.

    Returns
    -------
    DataFrame
        One row per reason in the code-list order (zeros kept, label text from
        ``template.REASONS``) and a ``Total`` row; columns ``reason`` (label), ``escalations``
        (count: distinct ``escalation_id``, each with the reason of its lowest stage) and ``percent``
        (derived: ``100 * escalations / Total escalations``).
    """
    rows = _escalation_rows(records, ["reason"])
    if formal_only:
        rows = rows[rows["stage"].isin(FORMAL_STAGES)]
    rank = rows["stage"].map({s: k for k, s in enumerate(STAGES)})
    first = rows.assign(_rank=rank).sort_values(["_rank", "date_raised"], kind="stable")
    first = first.drop_duplicates("escalation_id")
    counts = first["reason"].value_counts().reindex(list(REASONS), fill_value=0).astype("int64")
    out = pd.DataFrame({"reason": [REASONS[c] for c in counts.index], "escalations": counts.to_numpy()})
    out = _with_total(out, "reason", ["escalations"])
    out["percent"] = _percent(out["escalations"], pd.Series(out["escalations"].iloc[-1], index=out.index))
    return out


def resolution_days(records) -> pd.DataFrame:
    """Calendar days from first raising each resolved escalation to resolving it.

    Returns
    -------
    DataFrame
        One row per resolved escalation: ``escalation_id``, ``stage`` (code of the stage at which it
        was resolved), ``days``. Escalations whose days would be negative (a later stage dated
        before an earlier one) are left out.
    """
    rows = _escalation_rows(records, [])
    done = rows[(rows["outcome"] == "resolved") & rows["date_resolved"].notna()]
    if done.empty:
        return pd.DataFrame({"escalation_id": pd.Series(dtype=object), "stage": pd.Series(dtype=object),
                             "days": pd.Series(dtype="int64")})
    first = rows.groupby("escalation_id")["date_raised"].min()
    done = done.drop_duplicates("escalation_id")
    days = (done["date_resolved"] - done["escalation_id"].map(first)).dt.days
    out = pd.DataFrame({"escalation_id": done["escalation_id"], "stage": done["stage"], "days": days})
    return out[out["days"] >= 0].reset_index(drop=True).astype({"days": "int64"})


def days_to_resolve(records) -> pd.DataFrame:
    """Resolved escalations by the stage at which they were resolved and the days it took.

    Days are calendar days from the date the escalation was first raised (its lowest stage) to the
    ``date_resolved`` of the stage with outcome ``resolved`` (see :func:`resolution_days`).

    Returns
    -------
    DataFrame
        One row per stage (zeros kept) and a ``Total`` row; columns ``stage`` (label), counts
        ``resolved`` (= the sum of the bands), ``days_0_7``, ``days_8_14``, ``days_15_28``,
        ``days_29_56``, ``days_over_56`` (:data:`DAY_BANDS`), and ``median_days`` (derived from
        ``resolved``: median of the row's escalations; NaN when none).
    """
    days = resolution_days(records)
    bands = pd.DataFrame(index=pd.Index(list(STAGES), name="stage"))
    for column, first, last in DAY_BANDS:
        inside = (days["days"] >= first) & (True if last is None else days["days"] <= last)
        bands[column] = days[inside].groupby("stage").size().reindex(bands.index, fill_value=0)
    bands["resolved"] = bands[_BAND_COLUMNS].sum(axis=1)
    out = _stage_frame(bands, ["resolved", *_BAND_COLUMNS])
    medians = days.groupby("stage")["days"].median().rename(index=STAGE_LABELS)
    medians[TOTAL] = days["days"].median() if len(days) else np.nan
    out["median_days"] = out["stage"].map(medians).astype(float)
    return out
