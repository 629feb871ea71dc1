"""Statutory review timeliness: the reg 33 schedule, its metrics and their reconciliation.

The Care Planning, Placement and Case Review (England) Regulations 2010, reg 33, require a
looked-after child's first review within 20 working days of the start of a period of care, the
second not more than three months after the first, and later reviews at intervals of not more
than six months. Children placed for adoption follow reg 36 of the Adoption Agencies Regulations
2005 (first review within four weeks of the placement, then three months, then six). Every
review restarts the clock from the date it was actually held.

Public functions
----------------
:func:`review_schedule`
    one row per review held and per review due but not held, with its due date and status.
:func:`timeliness_summary`
    the three headline metrics (reviews held, reviews due, children) with Wilson intervals.
:func:`reconcile_timeliness`
    the schedule variants and record counts behind a published timeliness figure.
:func:`published_consistency`
    whether a published percentage agrees with the published counts.
:func:`review_count_change`
    why the number of reviews changed between two years.
:func:`monthly_timeliness`
    on-time share of reviews held, month by month (input to an XmR chart).
:func:`monthly_xmr`
    the monthly series as an XmR chart with the NHS Making Data Count rules.
:func:`monthly_pchart`
    the monthly series as a Laney p′ chart (or p-chart), whose limits follow each month's count.
:func:`schedules_once`
    a block in which each schedule of a return is built once (a report asks for about twelve).
:func:`exception_list`
    the child-level list of every late, missed, doubtful or excluded review (restricted).
:func:`has_previous_year`
    whether the loaded returns allow :func:`review_count_change` (for the notebooks).
:func:`published_figures`
    the notebooks' check of published figures given as parameters; it lives with the other
    notebook helpers in :mod:`iro_analysis.report` and is imported from there on first use.

Every modelling choice is a keyword option whose default is the statutory reading, so that an
analyst can reproduce a local variant (28 calendar days for the first review, 91/183 days
instead of calendar months, ``<`` instead of ``<=``).

Modules
-------
``rules`` (the statutory rules, options and internal codes), ``inputs`` (reading the tables),
``schedule`` with ``ordering`` and ``chains`` (building the schedule, in named phases),
``once`` (schedules kept within a block), ``metrics`` (summary, monthly series, exception list),
``spc`` (monthly SPC charts),
``reconcile`` (published figures), ``change`` (count change between years).
"""

from __future__ import annotations

import importlib

from .change import has_previous_year, review_count_change
# private names other code imports from here: the tests (_by_day, _month_adder) and
# benchmarks/bench_timeliness.py (the input readers)
from .inputs import _collection_years, _coverage, _periods_frame, _reviews_frame  # noqa: F401
from .metrics import SUMMARY_COLUMNS, exception_list, monthly_timeliness, timeliness_summary
from .once import schedules_once
from .reconcile import TimelinessReconciliation, published_consistency, reconcile_timeliness
from .rules import STATUSES, _by_day, _month_adder  # noqa: F401
from .schedule import SCHEDULE_COLUMNS, review_schedule
from .spc import monthly_pchart, monthly_xmr

__all__ = [
    "SCHEDULE_COLUMNS",
    "SUMMARY_COLUMNS",
    "STATUSES",
    "review_schedule",
    "schedules_once",
    "timeliness_summary",
    "reconcile_timeliness",
    "published_consistency",
    "TimelinessReconciliation",
    "review_count_change",
    "monthly_timeliness",
    "monthly_xmr",
    "monthly_pchart",
    "exception_list",
    "published_figures",
    "has_previous_year",
]

# Notebook helpers that live in the report layer, above the analyses: imported on first use, so
# that importing this package never imports a layer above it.
_MOVED_UP = {"published_figures": "iro_analysis.report"}


def __getattr__(name: str):
    if name in _MOVED_UP:
        value = getattr(importlib.import_module(_MOVED_UP[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
