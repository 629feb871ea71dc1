"""The one result shape for every quality finding.

A finding is one row: which check fired, how serious it is, where (table, 1-based line in
the source file, child, column), the offending value and a message saying what to do.
Findings that name a CHILD are restricted, child-level output: never put them in a
shareable report without removing ``CHILD`` and suppressing small counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = ["FINDING_COLUMNS", "SEVERITIES", "make_findings", "concat_findings"]

#: Columns of every findings DataFrame, in order.
FINDING_COLUMNS = ("check", "severity", "table", "row", "CHILD", "column", "value", "message")

#: Allowed severities, most serious first.
SEVERITIES = ("error", "warning", "info")


def make_findings(records=None) -> pd.DataFrame:
    """Build a findings DataFrame.

    Parameters
    ----------
    records : iterable of dict, DataFrame or None
        Each record has some of the keys in :data:`FINDING_COLUMNS`; missing keys become
        NA. ``check`` and ``severity`` are required for every record. A DataFrame is
        accepted too (extra columns are dropped).

    Returns
    -------
    DataFrame
        Columns ``check, severity, table, row, CHILD, column, value, message``. ``row`` is
        the nullable integer ``Int64`` (1-based line in the source file, header = line 1);
        the other columns are object dtype. An empty input gives an empty frame with
        these columns.

    Raises
    ------
    ValueError
        If a record lacks ``check``, or has a severity outside ``error|warning|info``.

    Examples
    --------
    >>> f = make_findings([{"check": "date_unparseable", "severity": "error",
    ...                     "table": "reviews", "row": 3, "CHILD": "A1",
    ...                     "column": "REVIEW", "value": "31/02/2023",
    ...                     "message": "Not a dd/mm/yyyy date."}])
    >>> list(f.columns) == list(FINDING_COLUMNS), int(f.loc[0, "row"])
    (True, 3)
    >>> len(make_findings([]))
    0
    """
    if records is None:
        df = pd.DataFrame(columns=list(FINDING_COLUMNS))
    elif isinstance(records, pd.DataFrame):
        df = records.copy()
    else:
        recs = [dict(r) for r in records] if isinstance(records, Iterable) and not isinstance(records, Mapping) else [dict(records)]
        df = pd.DataFrame.from_records(recs) if recs else pd.DataFrame(columns=list(FINDING_COLUMNS))
    for col in FINDING_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    df = df.loc[:, list(FINDING_COLUMNS)].reset_index(drop=True)
    if len(df):
        if df["check"].isna().any():
            raise ValueError("Every finding needs a 'check' name.")
        bad = ~df["severity"].isin(SEVERITIES)
        if bad.any():
            raise ValueError(
                f"Finding severity must be one of {SEVERITIES}; got {sorted(map(str, df.loc[bad, 'severity'].unique()))}."
            )
    out = {}
    for col in FINDING_COLUMNS:
        if col == "row":
            out[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
        else:
            s = df[col].astype(object)
            out[col] = s.where(s.notna(), None) if col != "value" else s
    result = pd.DataFrame(out, columns=list(FINDING_COLUMNS))
    for col in FINDING_COLUMNS:
        if col != "row":
            result[col] = result[col].astype(object)
    return result


def concat_findings(frames) -> pd.DataFrame:
    """Stack findings DataFrames (None entries ignored) into one, keeping the shape.

    Examples
    --------
    >>> a = make_findings([{"check": "x", "severity": "info"}])
    >>> len(concat_findings([a, None, a]))
    2
    """
    parts = [make_findings(f) for f in frames if f is not None and len(f)]
    if not parts:
        return make_findings()
    return make_findings(pd.concat(parts, ignore_index=True))
