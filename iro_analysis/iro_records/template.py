"""The IRO service records template: its tables, columns and code lists.

This module is the single definition of the template; the reader, the checks, the synthetic
example and ``docs/iro_records.md`` all follow it. The template holds aggregate counts (per
month) and one row per escalation stage; it never holds a child's identifier, name or free text.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Column",
    "TABLES",
    "STAGES",
    "STAGE_LABELS",
    "FORMAL_STAGES",
    "REASONS",
    "OUTCOMES",
    "CLOSING_OUTCOMES",
    "CHILD_LEVEL_COLUMNS",
    "IGNORED_SHEETS",
]

#: Escalation (dispute resolution) stages, lowest first: an informal challenge, then the formal
#: stages of the local dispute resolution protocol, then a referral to Cafcass (the stages IRO
#: annual reports describe: informal challenge, formal stages, Cafcass in the most serious cases).
STAGES = ("informal", "stage_1", "stage_2", "stage_3", "cafcass")

#: Labels of :data:`STAGES` used in the summary tables.
STAGE_LABELS = {
    "informal": "Informal",
    "stage_1": "Formal stage 1",
    "stage_2": "Formal stage 2",
    "stage_3": "Formal stage 3",
    "cafcass": "Referred to Cafcass",
}

#: The formal stages (everything above ``informal``).
FORMAL_STAGES = STAGES[1:]

#: Reasons for an escalation: the themes of the seed reports' challenge tables, merged into a
#: short list, with ``other`` for anything else. ``{code: label}``, in report order.
REASONS = {
    "drift_delay": "Care plan or permanence plan drifting (timescales not met)",
    "documentation": "Reports or documents missing, late or of poor standard",
    "visits": "Statutory visits not within timescales",
    "attendance": "Social worker or manager not at the review",
    "not_notified": "IRO not told of significant events in time",
    "decisions_not_actioned": "Review decisions not carried out",
    "placement": "Placement issues or stability",
    "education": "Education needs not met",
    "health": "Health needs not met",
    "family_time": "Family time (contact) arrangements",
    "safeguarding": "Safeguarding concerns",
    "management_oversight": "Management oversight or sign-off outstanding",
    "other": "Other",
}

#: Outcome of an escalation stage: ``resolved`` (settled at this stage), ``escalated`` (moved on
#: to the next stage, which has its own row), ``withdrawn`` (closed by the IRO without
#: resolution), ``open`` (not closed at 31 March).
OUTCOMES = ("resolved", "escalated", "withdrawn", "open")

#: Outcomes that close a stage and so need ``date_resolved``.
CLOSING_OUTCOMES = ("resolved", "escalated", "withdrawn")


@dataclass(frozen=True)
class Column:
    """One column of a template table.

    Attributes
    ----------
    name : str
        Header, lower case (headers are matched case-insensitively).
    kind : str
        ``month``, ``date``, ``count`` (whole number >= 0), ``fte`` (decimal >= 0),
        ``code`` (one of ``codes``), ``reference`` (the service's own escalation reference) or
        ``iro_code`` (an IRO's code, never a name).
    description : str
        What the column holds (shown in the documentation).
    required : bool
        Whether the header must be present.
    blank_ok : bool
        Whether a cell may be blank.
    codes : tuple of str
        Allowed values for ``kind == "code"``.
    within : str, optional
        A count column this one may not exceed on the same row (``done <= due``).
    """

    name: str
    kind: str
    description: str
    required: bool = True
    blank_ok: bool = False
    codes: tuple = ()
    within: str | None = None


_MONTH = Column("month", "month", "The calendar month, e.g. 2022-04 (April 2022); one row per month of the year.")

#: Every table of the template: ``{table: (columns in order)}``. Every table is optional.
TABLES: dict[str, tuple[Column, ...]] = {
    "caseloads": (
        _MONTH,
        Column("iro_code", "iro_code", "Optional: one row per IRO per month, the IRO's code (e.g. IRO01), never "
               "a name. Without this column, one row per month for the whole service.", required=False),
        Column("iro_fte", "fte", "IRO posts filled that month, in full-time equivalents (e.g. 6.5)."),
        Column("children_allocated", "count", "Children in care allocated to the IRO(s) at the end of the month."),
    ),
    "escalations": (
        Column("escalation_id", "reference", "The service's own reference for the dispute (e.g. E23-014); the "
               "same reference on each stage's row. Never a child's ID."),
        Column("date_raised", "date", "Date this stage was raised (dd/mm/yyyy or yyyy-mm-dd)."),
        Column("stage", "code", "Stage of the dispute resolution process.", codes=STAGES),
        Column("reason", "code", "Main reason for the escalation.", codes=tuple(REASONS)),
        Column("outcome", "code", "Outcome of this stage at 31 March.", codes=OUTCOMES),
        Column("date_resolved", "date", "Date this stage closed (resolved, escalated or withdrawn); blank "
               "while open.", blank_ok=True),
    ),
    "midway_reviews": (
        _MONTH,
        Column("reviews_due", "count", "Midway checks due in the month (children whose review cycle reached "
               "its midpoint)."),
        Column("midway_checks_done", "count", "Of those, midway checks the IRO completed and recorded.",
               within="reviews_due"),
    ),
    "consultation": (
        _MONTH,
        Column("child_forms_sent", "count", "Consultation forms sent to children and young people before "
               "reviews."),
        Column("child_forms_returned", "count", "Of those, forms returned (or views given by the app or by "
               "message).", within="child_forms_sent"),
        Column("parent_carer_forms_sent", "count", "Consultation forms sent to parents and carers."),
        Column("parent_carer_forms_returned", "count", "Of those, forms returned.", within="parent_carer_forms_sent"),
    ),
    "cp_plans": (
        _MONTH,
        Column("children_in_care_also_on_cp_plan", "count", "Children in care who were also subject to a child "
               "protection plan at the end of the month."),
    ),
    "sw_reports": (
        _MONTH,
        Column("reports_due", "count", "Reviews held in the month that needed a social worker's report."),
        Column("reports_on_time_before_review", "count", "Of those, reports the IRO received at least 3 working "
               "days before the review (the IRO Handbook's expectation).", within="reports_due"),
    ),
}

#: Headers refused wherever they appear: the template holds no child-level data and no names.
#: Compared after lower-casing and removing spaces, hyphens and underscores.
CHILD_LEVEL_COLUMNS = frozenset({
    "child", "childid", "childno", "lachildid", "upn", "formerupn", "uln", "nhsnumber", "name", "childname",
    "firstname", "forename", "forenames", "surname", "lastname", "familyname", "fullname", "dob",
    "dateofbirth", "postcode", "iro", "ironame", "worker", "socialworker", "comment", "comments", "notes",
    "details", "description",
})

#: Workbook sheets that are not tables and are skipped (a template's guidance or code lists).
IGNORED_SHEETS = frozenset({"readme", "notes", "codes", "guidance"})
