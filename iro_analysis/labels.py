"""Plain-English names for everything a shared report shows: one table, one place.

Readers of an IRO annual report (councillors, corporate parenting boards) never see a code name.
:func:`label` turns a metric, data check, severity, table or column name into the words a report
uses; a name that is not in the table is made readable (``"missing_episodes"`` -> "Missing
episodes") rather than shown raw.
"""

from __future__ import annotations

__all__ = ["CHECK_LABELS", "SEVERITY_LABELS", "TABLE_LABELS", "label", "check_label"]

#: Data-quality checks (``check`` in the findings) as a sentence about the records.
CHECK_LABELS = {
    # loading
    "date_unparseable": "Date that cannot be read",
    "unknown_code": "Code that is not in the DfE list for the year",
    "duplicate_row": "Record repeated exactly",
    "duplicate_key": "Two different records for the same child and date",
    "child_not_in_header": "Child missing from the header table",
    "dob_mismatch": "Date of birth differs from the header table",
    "dates_after_year_end": "Dates after the end of the collection year",
    "dates_maybe_month_first": "Dates that may be in US (month-first) order",
    "file_not_recognised": "File that is not an SSDA903 table",
    "file_not_read": "File in the folder that was not read",
    "short_row": "Record with values missing (a cut line)",
    "long_row": "Record with more values than the header",
    "truncated_file": "File that ends part-way through a record",
    # episodes
    "episode_no_start": "Episode without a start date",
    "episode_duplicate": "Episode recorded twice",
    "episode_ends_before_start": "Episode that ends before it starts",
    "episode_x1_gap": "Gap after an episode marked as continuing (X1)",
    "episode_x1_last": "Last episode marked as continuing (X1)",
    "episode_x1_then_new_period": "New period of care after an episode marked as continuing",
    "episode_overlap": "Episodes that overlap",
    "episode_open_not_last": "Episode without an end date followed by another",
    "episode_open_stale": "Episode left open in an earlier return",
    "episode_new_period_without_s": "New period of care not marked as a new start (S)",
    # reviews
    "dfe_166": "Review date missing or invalid (DfE rule 166)",
    "dfe_167": "Participation code missing or invalid (DfE rule 167)",
    "dfe_399": "Review recorded for a child only on short breaks (DfE rule 399)",
    "dfe_440": "PN0 (under 4) recorded for a child aged 4 or over (DfE rule 440)",
    "dfe_441": "PN1-PN7 recorded for a child under 4 (DfE rule 441)",
    "dfe_1012": "Record for a child with no episode in the return (DfE rule 1012)",
    "review_outside_care": "Review held outside a period of care",
    "review_before_birth": "Review dated before the child's birth",
    "review_duplicate_same_day": "Two reviews of one child on one day",
    "reviews_close_together": "Reviews implausibly close together",
    "review_child_not_in_header": "Review of a child missing from the header table",
}

SEVERITY_LABELS = {"error": "Error", "warning": "Warning", "info": "Note"}

#: SSDA903 tables by the names people use.
TABLE_LABELS = {
    "header": "Header (children)", "episodes": "Episodes", "reviews": "Reviews", "uasc": "UASC",
    "missing": "Missing episodes", "oc2": "Outcomes (OC2)", "oc3": "Care leavers (OC3)",
    "ad1": "Adoption (AD1)", "placed_for_adoption": "Placed for adoption",
    "previous_permanence": "Previous permanence", "social_worker": "Social worker changes", "-": "-",
}


def check_label(name) -> str:
    """The plain-English name of a data check (``"dfe_440"`` -> "PN0 (under 4) recorded …")."""
    return CHECK_LABELS.get(str(name), _readable(str(name)))


def label(name) -> str:
    """The plain-English name of a check, severity, table or column; other names made readable."""
    text = str(name)
    for table in (CHECK_LABELS, SEVERITY_LABELS, TABLE_LABELS):
        if text in table:
            return table[text]
    from .report import COLUMN_LABELS

    return COLUMN_LABELS.get(text, _readable(text))


def _readable(name: str) -> str:
    """``"missing_episodes"`` -> "Missing episodes"; text with spaces or capitals is kept."""
    if name[:1].isupper() or " " in name:
        return name
    return name.replace("_", " ").capitalize()
