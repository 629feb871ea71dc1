"""Typing the IRO service records and the record-level checks.

Each cell is parsed by its column's kind; a value that cannot be used becomes missing (NA) in the
tidy frame and a finding names the table, the line in the file, the column, the value and the fix.
Summary tables leave out rows whose needed values are missing, so a bad cell never becomes a
wrong figure.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re

import numpy as np
import pandas as pd

from ..calendar import year_bounds, year_label
from .reading import RawTable
from .template import CLOSING_OUTCOMES, STAGES, TABLES, Column

__all__ = ["type_table", "parse_month", "parse_date"]

_MONTH_NAMES = {name.lower(): i for i, name in enumerate(_cal.month_name) if name}
_MONTH_NAMES.update({name.lower(): i for i, name in enumerate(_cal.month_abbr) if name})
_MONTH_NAMES["sept"] = 9
_MONTH_FORMS = "2022-04, 04/2022, Apr 2022, April 2022 or a date in the month"
_DATE_FORMS = "dd/mm/yyyy or yyyy-mm-dd"


def _date(year: int, month: int, day: int = 1) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(dt.date(year, month, day))
    except ValueError:
        return None


def parse_month(text: str) -> pd.Timestamp | None:
    """First day of the month written in ``text``, or None.

    Examples
    --------
    >>> [str(parse_month(t).date()) for t in ("2022-04", "04/2022", "Sept 2022", "15/01/2023", "Mar-23")]
    ['2022-04-01', '2022-04-01', '2022-09-01', '2023-01-01', '2023-03-01']
    >>> parse_month("13/2022") is None
    True
    """
    t = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2})(?: 00:00(?::00)?)?)?", t)
    if m:
        day = _date(int(m[1]), int(m[2]), int(m[3] or 1))
        return None if day is None else day.replace(day=1)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", t)
    if m:
        day = _date(int(m[3]), int(m[2]), int(m[1]))
        return None if day is None else day.replace(day=1)
    m = re.fullmatch(r"(\d{1,2})/(\d{4})", t)
    if m:
        return _date(int(m[2]), int(m[1]))
    m = re.fullmatch(r"([A-Za-z]+)[\s\-]+(\d{2}|\d{4})", t)
    if m and m[1].lower() in _MONTH_NAMES:
        year = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
        return _date(year, _MONTH_NAMES[m[1].lower()])
    return None


def parse_date(text: str) -> pd.Timestamp | None:
    """The date in ``text`` (dd/mm/yyyy or yyyy-mm-dd, as Excel gives it), or None.

    Examples
    --------
    >>> parse_date("05/04/2022"), parse_date("2022-04-05"), parse_date("31/02/2023")
    (Timestamp('2022-04-05 00:00:00'), Timestamp('2022-04-05 00:00:00'), None)
    """
    t = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", t)
    if m:
        return _date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", t)
    if m:
        return _date(int(m[3]), int(m[2]), int(m[1]))
    return None


def _normal_code(text: str) -> str:
    key = re.sub(r"[\s\-]+", "_", text.strip().lower()).removeprefix("formal_")
    return re.sub(r"^stage_?(\d)$", r"stage_\1", key)


def _number(text: str) -> float | None:
    """The number in ``text``; thousands separators only in threes (``1,234``: ``1,5`` is no number)."""
    if re.fullmatch(r"[+-]?(\d{1,3}(,\d{3})+|\d+|\d*\.\d+|\d+\.\d+)", text) is None:
        return None
    return float(text.replace(",", ""))


# --- one cell ------------------------------------------------------------------------------------


def _parse_cell(column: Column, text: str):
    """(value, None) or (None, (check, message)) for one non-blank cell."""
    kind = column.kind
    if kind == "month":
        value = parse_month(text)
        return (value, None) if value is not None else (None, (
            "date_unparseable", f"is not a month. Write it as {_MONTH_FORMS}."))
    if kind == "date":
        value = parse_date(text)
        return (value, None) if value is not None else (None, (
            "date_unparseable", f"is not a date. Write it as {_DATE_FORMS}."))
    if kind in ("count", "fte"):
        number = _number(text)
        if number is None or (kind == "count" and not number.is_integer()):
            what = "a whole number" if kind == "count" else "a number"
            return None, ("not_a_number", f"is not {what}. Enter {what} (0 or more).")
        if number < 0:
            return None, ("negative_value", "is negative. Enter 0 or more.")
        return (int(number) if kind == "count" else number), None
    if kind == "code":
        code = _normal_code(text)
        return (code, None) if code in column.codes else (None, (
            "unknown_code", f"is not a {column.name} code. Use one of {', '.join(column.codes)} "
                            "(see docs/iro_records.md)."))
    if kind == "iro_code" and not re.fullmatch(r"[A-Za-z]{0,6}[ _\-]?\d{1,4}", text):
        return None, ("iro_code_not_a_code", "does not look like an IRO code (letters then digits, e.g. IRO01). "
                                             "Use a code, never a name.")
    return text, None


def _type_column(raw: RawTable, column: Column, j: int, found: list) -> list:
    values = []
    parsed: dict[str, tuple] = {}  # a column repeats its months, dates and codes: each text parsed once
    for i, cells in enumerate(raw.rows):
        text = cells[j]
        if not text:
            if not column.blank_ok:
                found.append(_finding(raw, i, column.name, text, "blank_value", "error",
                                      f"{column.name} is blank. Fill it in (0 for none)."
                                      if column.kind == "count" else f"{column.name} is blank. Fill it in."))
            values.append(None)
            continue
        outcome = parsed.get(text)
        if outcome is None:
            outcome = parsed[text] = _parse_cell(column, text)
        value, problem = outcome
        if problem:
            check, message = problem
            shown = "(not shown)" if check == "iro_code_not_a_code" else repr(text)
            found.append(_finding(raw, i, column.name, None if check == "iro_code_not_a_code" else text,
                                  check, "error", f"{column.name} {shown} {message}"))
        values.append(value)
    return values


def _finding(raw: RawTable, i, column, value, check, severity, message) -> dict:
    line = None if i is None else raw.lines[i]
    where = f" ({raw.label} line {line})" if line is not None else f" ({raw.label})"
    return {"check": check, "severity": severity, "table": raw.table, "row": line, "CHILD": None,
            "column": column, "value": value, "message": message + where}


def _frame(raw: RawTable, values: dict) -> pd.DataFrame:
    out = {"row": pd.array(raw.lines, dtype="Int64")}
    for column in TABLES[raw.table]:
        if column.name not in values:
            continue
        v = values[column.name]
        if column.kind in ("month", "date"):
            out[column.name] = pd.to_datetime(pd.Series(v, dtype=object)).astype("datetime64[ns]")
        elif column.kind == "count":
            out[column.name] = pd.array(v, dtype="Int64")
        elif column.kind == "fte":
            out[column.name] = pd.array(v, dtype="Float64")
        else:
            out[column.name] = pd.Series(v, dtype=object)
    return pd.DataFrame(out, index=pd.RangeIndex(len(raw.rows)))


# --- table checks ----------------------------------------------------------------------------------


def _months_in_year(raw: RawTable, frame: pd.DataFrame, year: int, found: list) -> None:
    start, end = year_bounds(year)
    month = frame["month"]
    outside = month.notna() & ((month < start) | (month > end))
    for i in np.flatnonzero(outside.to_numpy()):
        found.append(_finding(raw, i, "month", raw.rows[i][raw.header.index("month")], "date_outside_year", "error",
                              f"month {month.iloc[i]:%B %Y} is outside the reporting year {year_label(year)} "
                              f"(April {year - 1} to March {year}). Correct the month or move the row to that "
                              "year's records; the row is left out of the figures."))
    frame.loc[outside, "month"] = pd.NaT


def _duplicates(raw: RawTable, frame: pd.DataFrame, key: list[str], found: list) -> pd.DataFrame:
    """Drop the second and later rows with the same key, with an error finding each."""
    known = frame[key].notna().all(axis=1)
    repeat = known & frame.duplicated(subset=key, keep="first")
    for i in np.flatnonzero(repeat.to_numpy()):
        same = known & (frame[key] == frame.loc[i, key]).all(axis=1)
        first = int(frame.loc[same, "row"].iloc[0])
        shown = ", ".join(f"{k} {_show(frame.loc[i, k])}" for k in key)
        found.append(_finding(raw, i, key[-1], _show(frame.loc[i, key[-1]]), "duplicate_row", "error",
                              f"{shown} is already on line {first}. Keep one row (add the figures together if "
                              "both are part of the total); this row is left out of the figures."))
    return frame.loc[~repeat].reset_index(drop=True)


def _show(value) -> str:
    return f"{value:%Y-%m}" if isinstance(value, pd.Timestamp) else str(value)


def _within(raw: RawTable, frame: pd.DataFrame, column: Column, found: list) -> None:
    """A part (returned, done, on time) may not exceed its whole on the same row."""
    part, whole = frame[column.name], frame[column.within]
    over = (part.notna() & whole.notna() & (part > whole)).to_numpy(dtype=bool)
    for i in np.flatnonzero(over):
        found.append(_finding(raw, i, column.name, str(part.iloc[i]), "exceeds_total", "error",
                              f"{column.name} ({part.iloc[i]}) is more than {column.within} ({whole.iloc[i]}). "
                              f"Correct one of them; the row is left out of the {column.name} figures."))
    frame.loc[over, column.name] = pd.NA


def _months_missing(raw: RawTable, frame: pd.DataFrame, year: int, found: list) -> None:
    start, _ = year_bounds(year)
    wanted = pd.date_range(start, periods=12, freq="MS")
    missing = wanted.difference(pd.DatetimeIndex(frame["month"].dropna().unique()))
    if len(missing):
        listed = ", ".join(f"{m:%b %Y}" for m in missing)
        found.append(_finding(raw, None, "month", listed, "months_missing", "warning",
                              f"{len(missing)} month(s) of {year_label(year)} have no row: {listed}. Add them "
                              "(0 where there were none) so that the year's figures are complete."))


def _escalation_dates(raw: RawTable, frame: pd.DataFrame, year: int, found: list) -> None:
    start, end = year_bounds(year)
    raised = frame["date_raised"]
    outside = (raised.notna() & ((raised < start) | (raised > end))).to_numpy(dtype=bool)
    for i in np.flatnonzero(outside):
        found.append(_finding(raw, i, "date_raised", f"{raised.iloc[i]:%d/%m/%Y}", "date_outside_year", "error",
                              f"date_raised {raised.iloc[i]:%d/%m/%Y} is outside the reporting year "
                              f"{year_label(year)}. List the stages raised in the year only (correct the date "
                              "if it is wrong); the row is left out of the figures."))
    frame.loc[outside, "date_raised"] = pd.NaT
    resolved = frame["date_resolved"]
    late = (resolved.notna() & (resolved > end)).to_numpy(dtype=bool)
    for i in np.flatnonzero(late):
        found.append(_finding(raw, i, "date_resolved", f"{resolved.iloc[i]:%d/%m/%Y}", "date_outside_year", "warning",
                              f"date_resolved {resolved.iloc[i]:%d/%m/%Y} is after 31 March {year}: at the end "
                              "of the year this stage was open. Check the date; the outcome is counted as "
                              "recorded."))
    raised = frame["date_raised"]
    before = (raised.notna() & resolved.notna() & (resolved < raised)).to_numpy(dtype=bool)
    for i in np.flatnonzero(before):
        found.append(_finding(raw, i, "date_resolved", f"{resolved.iloc[i]:%d/%m/%Y}", "resolved_before_raised",
                              "error", f"date_resolved {resolved.iloc[i]:%d/%m/%Y} is before date_raised "
                              f"{raised.iloc[i]:%d/%m/%Y}. Correct one of the dates; the row is left out of "
                              "the days-to-resolve figures."))
    frame.loc[before, "date_resolved"] = pd.NaT


def _escalation_outcomes(raw: RawTable, frame: pd.DataFrame, found: list) -> None:
    j = raw.header.index("date_resolved")
    outcome, resolved = frame["outcome"], frame["date_resolved"]
    rank = frame["stage"].map({s: k for k, s in enumerate(STAGES)})
    # which rows each check flags, for all rows at once (one pass over the escalations, not one
    # per escalated row); the findings are then written row by row, in the order they always were
    values = outcome.to_numpy(dtype=object)
    closing = np.array([o in CLOSING_OUTCOMES for o in values], dtype=bool)
    closing &= np.array([cells[j] == "" for cells in raw.rows], dtype=bool)
    reopened = ~closing & (values == "open") & resolved.notna().to_numpy(dtype=bool)
    escalated = (values == "escalated") & rank.notna().to_numpy(dtype=bool)
    if escalated.any():
        # a later stage: a row with the same escalation_id (a missing id matches no row) and a
        # higher rank than this one's
        ids = frame["escalation_id"]
        latest = rank.groupby(ids.to_numpy(dtype=object), dropna=True).max()
        highest = ids.map(latest).to_numpy(dtype=float, na_value=np.nan)
        escalated &= ~(highest > rank.to_numpy(dtype=float, na_value=np.nan))
    for i in np.flatnonzero(closing | reopened | escalated):
        if closing[i]:
            found.append(_finding(raw, i, "date_resolved", "", "resolution_date_missing", "warning",
                                  f"outcome is {outcome.iloc[i]} but date_resolved is blank. Enter the date the "
                                  "stage closed; the row is left out of the days-to-resolve figures."))
        elif reopened[i]:
            found.append(_finding(raw, i, "date_resolved", f"{resolved.iloc[i]:%d/%m/%Y}", "open_with_resolution_date",
                                  "warning", "outcome is open but date_resolved is filled in. Record the outcome "
                                  "(resolved, escalated or withdrawn) or clear the date."))
        if escalated[i]:
            found.append(_finding(raw, i, "outcome", "escalated", "escalated_without_next_stage", "warning",
                                  f"escalation {frame['escalation_id'].iloc[i]} was escalated from "
                                  f"{frame['stage'].iloc[i]} but has no row for a later stage. Add the next "
                                  "stage's row with the same escalation_id."))


def type_table(raw: RawTable, year: int) -> tuple[pd.DataFrame, list[dict]]:
    """Typed, checked frame of one table and its finding records.

    Parameters
    ----------
    raw : RawTable
        The table as text (see ``reading.read_tables``).
    year : int
        Reporting year (ending 31 March).

    Returns
    -------
    (DataFrame, list of dict)
        The tidy frame (``row`` = line in the file, then the template's columns present, typed:
        months and dates datetime64, counts ``Int64``, FTE ``Float64``, codes lower-case text;
        unusable values NA; later duplicate rows dropped) and the finding records.
    """
    found: list[dict] = []
    spec = {c.name: c for c in TABLES[raw.table]}
    values = {name: _type_column(raw, spec[name], j, found) for j, name in enumerate(raw.header)}
    frame = _frame(raw, values)
    for column in TABLES[raw.table]:
        if column.within:
            _within(raw, frame, column, found)
    if "month" in frame:
        _months_in_year(raw, frame, year, found)
        key = ["month", "iro_code"] if "iro_code" in frame else ["month"]
    else:
        _escalation_dates(raw, frame, year, found)
        _escalation_outcomes(raw, frame, found)
        key = ["escalation_id", "stage"]
    frame = _duplicates(raw, frame, key, found)
    if "month" in frame:
        _months_missing(raw, frame, year, found)
    return frame, found

