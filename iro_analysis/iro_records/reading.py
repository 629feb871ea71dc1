"""Reading the IRO service records: a folder of CSV files or one workbook, as text cells.

Everything structural is decided here and raised as :class:`~iro_analysis.errors.IroRecordsError`
naming the file (and sheet), the row and the column, and saying what to do. Cell values are
returned as stripped text with their line numbers; typing and record checks are in ``checks``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import IroRecordsError
from .template import CHILD_LEVEL_COLUMNS, IGNORED_SHEETS, TABLES

__all__ = ["RawTable", "read_tables"]

_XLSX_MAGIC = b"PK\x03\x04"
_SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class RawTable:
    """One table as text: normalised header, rows of stripped cells, their line numbers."""

    table: str
    file: str
    label: str  # short form for finding messages: the file name (and sheet)
    header: list[str]
    rows: list[list[str]]
    lines: list[int]


def _tables_text() -> str:
    return ", ".join(TABLES)


def _table_name(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


# --- headers -------------------------------------------------------------------------------------


def check_header(table: str, names: list[str], *, file: str, row: int) -> list[str]:
    """Normalised header of ``table``, or raise naming the first problem and the fix."""
    keys = [_header_key(n) for n in names]
    spec = {c.name: c for c in TABLES[table]}
    allowed = ", ".join(spec)
    for position, key in enumerate(keys, start=1):
        if not key:
            raise IroRecordsError(
                f"the header has a blank name in column position {position}. Give the column one of the "
                f"names {allowed}, or delete it.", file=file, row=row)
        if key.replace("_", "") in CHILD_LEVEL_COLUMNS:
            raise IroRecordsError(
                f"the column {names[position - 1]!r} could hold a child's identity or personal details. IRO "
                "service records hold counts and escalation codes only: no child identifier, name, date of "
                "birth or free text (an IRO is named by a code such as IRO01). Delete the column.",
                file=file, row=row, column=names[position - 1])
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise IroRecordsError(
            f"the header has the column {duplicates[0]} more than once. Keep one.",
            file=file, row=row, column=duplicates[0])
    unknown = [n for n, k in zip(names, keys) if k not in spec]
    if unknown:
        raise IroRecordsError(
            f"the {table} table has no column {unknown[0]!r}. Its columns are: {allowed} (see "
            "docs/iro_records.md). Rename or delete the column.", file=file, row=row, column=unknown[0])
    missing = [c.name for c in TABLES[table] if c.required and c.name not in keys]
    if missing:
        raise IroRecordsError(
            f"the {table} table needs the column(s) {', '.join(missing)}. Its columns are: {allowed}. Add "
            "the missing column(s) to the header row.", file=file, row=row, column=missing[0])
    return keys


def _raw(table: str, file: str, label: str, header_row: int, names: list[str], body) -> RawTable:
    header = check_header(table, names, file=file, row=header_row)
    rows, lines = [], []
    for line, cells in body:
        if len(cells) > len(header):
            extra = [c for c in cells[len(header):] if c]
            if extra:
                raise IroRecordsError(
                    f"this row has {len(header) + len(extra)} or more values but the header has {len(header)} "
                    f"columns (extra value {extra[0]!r}). Remove the extra value, or quote a value that contains "
                    "a comma.", file=file, row=line)
            cells = cells[:len(header)]
        if len(cells) < len(header):
            raise IroRecordsError(
                f"this row has {len(cells)} values but the header has {len(header)} columns "
                f"({', '.join(header)}). Fill in the row or leave empty cells between the commas.",
                file=file, row=line)
        rows.append(cells)
        lines.append(line)
    return RawTable(table, file, label, header, rows, lines)


# --- CSV -------------------------------------------------------------------------------------------


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IroRecordsError(f"cannot be read ({exc.strerror or exc}). Check the path and permissions.",
                              file=path) from None
    if raw.startswith(_XLSX_MAGIC):
        raise IroRecordsError(
            "is an Excel workbook, not a CSV file, although its name says otherwise. Save the sheet as "
            "'CSV (Comma delimited)', or pass the workbook itself (one sheet per table).", file=path)
    if b"\x00" in raw[:4096]:
        raise IroRecordsError("is a binary file, not a CSV text file. Save the table as 'CSV (Comma delimited)'.",
                              file=path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # Windows exports; only text cells could be affected


def _read_csv(path: Path, table: str) -> RawTable:
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    body = []
    header = None
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if header is None:
                header = (reader.line_num, cells)
            else:
                body.append((reader.line_num, cells))
    except csv.Error as exc:
        raise IroRecordsError(f"cannot be read as CSV ({exc}). Check the quotes on this line.",
                              file=path, row=reader.line_num) from None
    if header is None:
        raise IroRecordsError(
            f"is empty. Give it the header row of the {table} table ({', '.join(c.name for c in TABLES[table])}), "
            "or delete the file if you do not keep this table.", file=path)
    line, names = header
    while names and not names[-1]:
        names.pop()  # trailing commas after the last column
    if len(names) == 1:
        for delimiter, label in ((";", "semicolons (;)"), ("\t", "tabs")):
            if delimiter in names[0]:
                raise IroRecordsError(
                    f"separates values with {label}; the template uses commas. Save the file as "
                    "'CSV (Comma delimited)'.", file=path, row=line)
    return _raw(table, str(path), path.name, line, names, body)


def _read_folder(folder: Path) -> tuple[dict[str, RawTable], list[Path]]:
    tables: dict[str, RawTable] = {}
    sources: dict[str, Path] = {}
    not_read = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "~$")) or path.is_dir():
            continue
        if path.suffix.lower() != ".csv":
            if path.suffix.lower() in _SPREADSHEETS:
                not_read.append(path)
            continue
        table = _table_name(path.stem)
        if table not in TABLES:
            raise IroRecordsError(
                f"is not a table of the IRO service records. Name each CSV file after its table "
                f"({', '.join(t + '.csv' for t in TABLES)}) "
                "or move other files out of the folder.", file=path)
        if table in sources:
            raise IroRecordsError(f"holds the {table} table twice ({sources[table].name} and {path.name}). Keep one.",
                                  file=folder)
        sources[table] = path
        tables[table] = _read_csv(path, table)
    return tables, not_read


# --- Excel -----------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, dt.date)):  # a time of day on a date cell is dropped
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _open_workbook(path: Path):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        detail = getattr(exc, "strerror", None) or type(exc).__name__
        raise IroRecordsError(
            f"cannot be opened as an Excel workbook (.xlsx) ({detail}). Save it from Excel as 'Excel Workbook "
            "(*.xlsx)', or keep the tables as CSV files in a folder.", file=path) from None


def _read_sheet(sheet, table: str, file: str, label: str) -> RawTable:
    header = None
    body = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        if header is None:
            header = (number, cells)
        else:
            body.append((number, cells))
    if header is None:
        raise IroRecordsError(
            f"is empty. Give it the header row of the {table} table, or delete the sheet.", file=file)
    line, names = header
    while names and not names[-1]:
        names.pop()
    return _raw(table, file, label, line, names, body)


def _read_workbook(path: Path) -> dict[str, RawTable]:
    if path.suffix.lower() != ".xlsx":
        raise IroRecordsError(
            "is not a workbook the package reads: give a folder of CSV files (iro_records/) or an .xlsx workbook.",
            file=path)
    book = _open_workbook(path)
    tables: dict[str, RawTable] = {}
    try:
        for sheet in book.worksheets:
            table = _table_name(sheet.title)
            file = f"{path}, sheet {sheet.title}"
            if table in IGNORED_SHEETS:
                continue
            if table not in TABLES:
                raise IroRecordsError(
                    f"is not a table of the IRO service records. Name each sheet after its table ({_tables_text()}; "
                    f"sheets named {', '.join(sorted(IGNORED_SHEETS))} are skipped) or delete the sheet.", file=file)
            if table in tables:
                raise IroRecordsError(f"holds the {table} table twice. Keep one sheet.", file=path)
            tables[table] = _read_sheet(sheet, table, file, f"{path.name}, sheet {sheet.title}")
    finally:
        book.close()
    return tables


def read_tables(path) -> tuple[dict[str, RawTable], list[Path]]:
    """Read every table of a records folder or workbook as text.

    Parameters
    ----------
    path : str or Path
        A folder of CSV files named after the tables, or an ``.xlsx`` workbook with one sheet per
        table.

    Returns
    -------
    (dict, list)
        ``{table: RawTable}`` for the tables present, and spreadsheets found in the folder but not
        read (reported as findings by the caller).

    Raises
    ------
    IroRecordsError
        For any structural problem: the message names file, row and column and the fix.
    """
    p = Path(path)
    if not p.exists():
        raise IroRecordsError("does not exist. Check the path (relative paths start from the notebook's folder).",
                              file=p)
    if p.is_dir():
        return _read_folder(p)
    return _read_workbook(p), []
