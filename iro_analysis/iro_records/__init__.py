"""IRO service records: the figures an IRO report carries that the SSDA903 return does not hold.

IRO caseloads, escalations (dispute resolution), midway reviews, consultation forms, children in
care also on a child protection plan and social workers' report timeliness come from a simple,
documented template kept beside the return: a folder ``iro_records/`` of CSV files, or one
``.xlsx`` workbook with one sheet per table (``docs/iro_records.md``). Every table is optional;
none holds a child's identifier.

- :func:`load_iro_records` reads and checks them: structural problems raise
  :class:`~iro_analysis.errors.IroRecordsError` (file, row, column, fix); record-level problems
  are findings in the package's one shape.
- The summary functions (:func:`caseload_by_month`, :func:`escalations_by_stage_and_outcome`, …)
  return count tables that fit ``Publication.add_table`` with :func:`publication_roles`.
- :func:`load_commentary` reads the IRO manager's ``commentary/<section>.md`` files;
  :func:`commentary_markdown` / :func:`commentary_html` render them inert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..calendar import parse_year
from ..errors import IroRecordsError
from ..findings import make_findings
from . import commentary as _commentary
from . import summaries as _summaries
from .checks import parse_date, parse_month, type_table
from .commentary import SECTIONS, commentary_html, commentary_markdown, load_commentary
from .reading import read_tables
from .summaries import (
    DAY_BANDS,
    TABLE_ROLES,
    caseload_by_month,
    consultation_return_rate,
    cp_plans_by_month,
    days_to_resolve,
    escalations_by_reason,
    escalations_by_stage_and_outcome,
    midway_review_rate,
    publication_roles,
    resolution_days,
    sw_report_timeliness,
)
from .template import OUTCOMES, REASONS, STAGE_LABELS, STAGES, TABLES

__all__ = [
    "IroRecords",
    "load_iro_records",
    "find_iro_records",
    "TABLES",
    "STAGES",
    "STAGE_LABELS",
    "REASONS",
    "OUTCOMES",
    "parse_month",
    "parse_date",
    *_summaries.__all__,
    *_commentary.__all__,
]


@dataclass
class IroRecords:
    """The IRO service records of one reporting year.

    Attributes
    ----------
    year : int
        Reporting year (ending 31 March).
    source : str
        The folder or workbook read.
    caseloads, escalations, midway_reviews, consultation, cp_plans, sw_reports : DataFrame or None
        One tidy frame per table present (None when absent): ``row`` (line in the file, header =
        line 1) then the template's columns, typed; unusable values are NA (each has a finding).
    findings : DataFrame
        Record-level problems (``iro_analysis.quality.FINDING_COLUMNS``; ``CHILD`` always empty).
    """

    year: int
    source: str
    caseloads: pd.DataFrame | None = None
    escalations: pd.DataFrame | None = None
    midway_reviews: pd.DataFrame | None = None
    consultation: pd.DataFrame | None = None
    cp_plans: pd.DataFrame | None = None
    sw_reports: pd.DataFrame | None = None
    findings: pd.DataFrame = field(default_factory=make_findings)

    @property
    def tables(self) -> list[str]:
        """Names of the tables present, in template order."""
        return [t for t in TABLES if getattr(self, t) is not None]

    def __repr__(self) -> str:
        return (f"IroRecords(year={self.year}, source={self.source!r}, tables={self.tables}, "
                f"findings={len(self.findings)})")


def load_iro_records(path, *, year) -> IroRecords:
    """Read and check the IRO service records for a reporting year.

    Parameters
    ----------
    path : str or Path
        A folder of CSV files named after the tables (``caseloads.csv``, ``escalations.csv``, …) or
        an ``.xlsx`` workbook with one sheet per table. Files are only read, never changed.
    year : int or str
        Reporting year ending 31 March (``2023`` or ``"2022-23"``).

    Returns
    -------
    IroRecords

    Raises
    ------
    IroRecordsError
        Structural problems: a missing path, a file or sheet that is not a table, an empty file, a
        header with a missing, unknown, duplicate, blank or child-level column, a row with the wrong
        number of values. The message names file, row and column and says what to do.
    ParameterError
        If ``year`` is not a reporting year.
    """
    value = parse_year(year)
    raws, not_read = read_tables(path)
    frames, found = {}, []
    for table, raw in raws.items():
        frames[table], problems = type_table(raw, value)
        found.extend(problems)
    for spreadsheet in not_read:
        found.append({"check": "file_not_read", "severity": "warning", "table": None, "column": None,
                      "value": spreadsheet.name, "message": f"{spreadsheet.name} in the records folder is not "
                      "read: only CSV files named after the tables are. Save each sheet as <table>.csv, or pass "
                      "the workbook itself instead of the folder."})
    return IroRecords(year=value, source=str(path), findings=make_findings(found), **frames)


def find_iro_records(data) -> Path | None:
    """The records beside a return: ``iro_records/`` or ``iro_records.xlsx``, or None.

    Parameters
    ----------
    data : str or Path
        The return's folder (or a file in it, such as the XML return).

    Raises
    ------
    IroRecordsError
        If both a folder and a workbook are there (say which one to keep).
    """
    base = Path(data)
    base = base if base.is_dir() else base.parent
    found = [p for p in (base / "iro_records", base / "iro_records.xlsx") if p.exists()]
    if len(found) > 1:
        raise IroRecordsError("holds both iro_records/ and iro_records.xlsx. Keep one of them.", file=base)
    return found[0] if found else None
