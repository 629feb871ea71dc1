"""Recognising SSDA903 tables: by their exact DfE column sets, never by file name.

:func:`identify_table` names the table a header is; the helpers below find a CSV file's
header row (skipping blank lines above it), refuse other separators and duplicated columns,
and explain a header that is close to a table but not one (a missing or an extra column).
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import SSDA903FormatError
from .model import DFE_TABLE_NAMES, TABLE_COLUMNS

__all__ = ["identify_table"]

# Extra columns of the LIIA tidy layout (la-agg / pan-agg outputs).
_LIIA_EXTRA = ("LA", "YEAR", "YEAR_LATEST", "EPISODE_SOURCE")
# Columns shared by many tables: they do not identify a table on their own.
_COMMON = frozenset({"CHILD", "DOB", "SEX"})


def _norm_header(name) -> str:
    return str(name).replace("\ufeff", "").strip().strip('"').strip().upper()


def identify_table(columns) -> str | None:
    """The table whose exact DfE column set these columns are (case/space-insensitive).

    LIIA tidy extras (``LA``, ``YEAR``, ``YEAR_latest``, ``Episode_source``) are allowed.
    Returns None if no table matches exactly.

    Examples
    --------
    >>> identify_table([" child", "DOB", "REVIEW", "review_code"])
    'reviews'
    >>> identify_table(["CHILD", "DOB", "REVIEW"]) is None
    True
    """
    cols = {_norm_header(c) for c in columns}
    core = cols - set(_LIIA_EXTRA)
    for name, expected in TABLE_COLUMNS.items():
        if core == set(expected):
            return name
    return None


def _near_table(cols: set[str]) -> tuple[str | None, set[str], set[str]]:
    """Best partial match: (table, missing columns, unexpected columns)."""
    best = None
    best_key = None
    core = cols - set(_LIIA_EXTRA)
    for name, expected in TABLE_COLUMNS.items():
        exp = set(expected)
        distinctive = (exp - _COMMON) & core
        if not distinctive:
            continue
        key = (len(exp & core), -len(exp - core))
        if best_key is None or key > best_key:
            best, best_key = name, key
    if best is None:
        return None, set(), set()
    exp = set(TABLE_COLUMNS[best])
    return best, exp - core, core - exp


def _expected_sets_text() -> str:
    return "; ".join(f"{t}: {','.join(c)}" for t, c in TABLE_COLUMNS.items())


def _header_line(text: str) -> tuple[int, str, int]:
    """0-based index, content and character offset of the first non-blank line.

    Lines end at ``\n`` (as ``io.StringIO`` splits them); found with ``str.find`` from line to
    line, so nothing after the header line is copied.
    """
    offset, i = 0, 0
    while offset < len(text):
        end = text.find("\n", offset)
        end = len(text) if end < 0 else end + 1
        line = text[offset:end]
        if line.strip().strip(",").strip():
            return i, line.rstrip("\r\n"), offset
        offset, i = end, i + 1
    return 0, "", 0


def _sniff_header(path: Path, text: str) -> tuple[int, list[str]]:
    idx, line, _ = _header_line(text)
    if "," not in line:
        for delim, label in ((";", "semicolons (;)"), ("\t", "tabs"), ("|", "vertical bars (|)")):
            if delim in line:
                raise SSDA903FormatError(
                    f"uses {label} to separate values; DfE SSDA903 files use commas. Re-save the file "
                    "as 'CSV (Comma delimited)' (or read it with that delimiter and write it with "
                    "commas) and try again.",
                    file=path,
                    row=idx + 1,
                )
    try:
        names = next(csv.reader([line]))
    except csv.Error as exc:
        raise SSDA903FormatError(f"header row cannot be read ({exc}).", file=path, row=idx + 1) from None
    names = [_norm_header(n) for n in names]
    while names and names[-1] == "":  # trailing commas in the header
        names.pop()
    return idx, names


def _classify_csv(path: Path, text: str) -> tuple[str, int, list[str]]:
    """Table name, header line index and normalised header of a CSV, or raise."""
    idx, names = _sniff_header(path, text)
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SSDA903FormatError(
            f"has the column(s) {', '.join(dupes)} more than once in its header. Remove the duplicate column(s).",
            file=path,
            row=idx + 1,
            column=dupes[0],
        )
    table = identify_table(names)
    if table is not None:
        return table, idx, names
    near, missing, extra = _near_table(set(names))
    if near is not None and missing:
        msg = (
            f"looks like the {near} table ({DFE_TABLE_NAMES[near]}) but is missing the column(s) "
            f"{', '.join(sorted(missing, key=list(TABLE_COLUMNS[near]).index))}"
        )
        if extra:
            msg += f" and has unexpected column(s) {', '.join(sorted(extra))}"
        msg += (
            f". The {near} table needs exactly these columns: {','.join(TABLE_COLUMNS[near])}. "
            "Add the missing column(s) (they may be blank) and export again."
        )
        raise SSDA903FormatError(msg, file=path, row=idx + 1, column=sorted(missing)[0])
    if near is not None and extra:
        raise SSDA903FormatError(
            f"looks like the {near} table ({DFE_TABLE_NAMES[near]}) but has unexpected column(s) "
            f"{', '.join(sorted(extra))}. DfE files have exactly these columns: "
            f"{','.join(TABLE_COLUMNS[near])}. Remove the extra column(s) or keep local additions in a separate file.",
            file=path,
            row=idx + 1,
            column=sorted(extra)[0],
        )
    raise _NotATable(path, names)


class _NotATable(Exception):
    def __init__(self, path, names):
        super().__init__(str(path))
        self.path = path
        self.names = names


def _is_xml(path: Path) -> bool:
    if path.suffix.lower() == ".xml":
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf").lstrip()
    except OSError:
        return False
    return head.startswith(b"<?xml") or head.startswith(b"<EXPSSDA903")

