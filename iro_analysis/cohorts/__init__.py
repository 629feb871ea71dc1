"""Periods of care, the standard cohorts and the counts every IRO annual report publishes.

Everything here is a count of children, periods of care or records, derived from the SSDA903
episodes (and header, UASC, missing and reviews tables). No statistics, no plotting.

The building block is the *episode chain*: the episodes of each child, de-duplicated across
returns and sorted by start date (DECOM). A **period of care** starts at an episode with
RNE ``"S"`` or at the child's first episode seen, and ends at the first episode end (DEC)
whose reason (REC) is not ``"X1"`` (X1: "episode ceases and a new one begins the same day").
A child is **in care at the end of a date** ``d`` when one of their episodes started on or
before ``d`` and had not ended by ``d`` (``DECOM <= d < DEC``, DEC blank = still open).

Chain faults are repaired in one documented way, and each repair is reported by
:func:`episode_chain_findings`:

* an X1 episode whose DEC is not the next episode's DECOM (a gap or an overlap) is treated
  as continuous up to the next episode's DECOM (as LIIA's multi-year episode fix, rule 5);
* an open episode (DEC blank) followed by a later episode is treated as ending on the next
  episode's DECOM: with X1 if the next episode does not start a new period, otherwise the
  period ends with an unknown reason (LIIA rules 1 and 1A);
* in a multi-year stack, an episode still open in an earlier return whose child has no later
  episode is closed on 31 March of that return's year with an unknown reason (LIIA rule 2);
* an episode ending with a reason other than X1 after the next episode began (an overlap)
  stops counting on the next episode's DECOM, so nobody is counted twice on a date.

Children looked after under an agreed series of short-term breaks (legal status V3/V4) are
excluded by default from every count, as in the DfE statistics "Children looked after in
England including adoptions"; pass ``exclude_short_breaks=False`` to include them.

All public functions accept an :class:`iro_analysis.ssda903.SSDA903` object, a
:class:`CohortData` from :func:`prepare` (build the chain once for many calls), or any object
with the table attributes (``episodes`` required; ``header``, ``uasc``, ``missing``,
``reviews`` as needed; an absent table is ``None`` or a missing attribute). Multi-year stacks
carry ``collection_year``; each record is then taken from the latest return that has it.

Modules
-------
``constants`` (codes and labels), ``normalise`` (reading and cleaning the tables), ``dates``
(ages, 18th birthdays, quarters), ``periods`` (the episode chain and periods of care),
``snapshots`` (in care on a date, UASC status), ``chain_findings`` (faults in the chain),
``profiles`` (breakdowns by one characteristic), ``counts`` (counts for a year, by month and by
quarter), ``flows`` (starters, leavers, reaching 18), ``tables`` (every table at once).
"""

from __future__ import annotations

from .chain_findings import episode_chain_findings
from .constants import AGE_BANDS, PLACEMENT_GROUP_ORDER, PLACEMENT_GROUPS, SHORT_BREAK_LS
from .counts import missing_by_quarter, monthly_in_care, participation_by_quarter, year_summary
from .dates import age_band, age_on, date_turns_18, quarters
from .flows import leavers_by_quarter, reaching_18, starters_by_quarter
from .periods import CohortData, episodes_deduplicated, periods_of_care, prepare, prepared_once
from .profiles import profile_on
from .snapshots import in_care_on, uasc_on
from .tables import cohort_tables

# private names other modules of the package use through ``cohorts`` (care_history, outcomes_tables)
from .normalise import _as_dates, _child, _codes_upper, _latest_per_key  # noqa: F401
from .periods import _periods_for_counts, _source  # noqa: F401
from .profiles import _group_values  # noqa: F401
from .snapshots import _in_care_frame  # noqa: F401

__all__ = [
    "CohortData",
    "prepare",
    "prepared_once",
    "AGE_BANDS",
    "PLACEMENT_GROUPS",
    "PLACEMENT_GROUP_ORDER",
    "SHORT_BREAK_LS",
    "age_on",
    "age_band",
    "date_turns_18",
    "quarters",
    "episodes_deduplicated",
    "periods_of_care",
    "in_care_on",
    "uasc_on",
    "episode_chain_findings",
    "year_summary",
    "monthly_in_care",
    "starters_by_quarter",
    "profile_on",
    "leavers_by_quarter",
    "reaching_18",
    "missing_by_quarter",
    "participation_by_quarter",
    "cohort_tables",
]
