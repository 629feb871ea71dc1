"""Input sanity checks of :func:`iro_analysis.ssda903.load_ssda903` that look at a whole file
or folder rather than one record.

* **Month-first (US) dates.** DfE files write dates day first (``dd/mm/yyyy``). A file in
  which some date can only be read month first (``03/25/2023``: 25 is no month) and no date
  can only be read day first (``25/03/2023``) was exported with US dates: loading it would
  misread every date whose day is 12 or less, so it raises
  :class:`~iro_analysis.errors.SSDA903FormatError` (:func:`check_month_first`). The
  decision is per file, over all its date columns, because one export writes every column
  the same way; a file with both kinds is left to the per-row ``date_unparseable``
  findings.
* **Files where every date is ambiguous** (each day is 12 or less, so both readings are
  valid dates) cannot be told apart. What can be seen is an impossible order: an episode
  ending before it starts, a review before birth. When such rows would all be in order
  read month first, the file gets one ``dates_maybe_month_first`` error finding
  (:func:`ambiguous_order_findings`). A US file whose rows happen to stay in order both
  ways is not detected.
* **Files the loader does not read** (``.xlsx``, ``.xls``, ``.ods``, ``.tsv`` … beside the
  CSVs): one ``file_not_read`` finding each, an error when the name looks like an SSDA903
  table (``header.xlsx``, ``Episodes 2023.xls``), else a warning (:func:`unread_file_findings`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import SSDA903FormatError
from .raw import _fixed_width, _joined_text, _pieces

__all__ = ["check_month_first", "ambiguous_order_findings", "unread_file_findings"]

# d/m/yyyy or dd/mm/yyyy, optionally with the midnight time Excel adds
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+00:00(?::00(?:\.0+)?)?)?$")

#: Table -> (earlier, later) date columns that cannot be in the other order.
ORDERED_DATES: dict[str, tuple[tuple[str, str], ...]] = {
    "header": (("DOB", "MC_DOB"),),
    "episodes": (("DECOM", "DEC"),),
    "reviews": (("DOB", "REVIEW"),),
    "uasc": (("DOB", "DUC"),),
    "missing": (("DOB", "MIS_START"), ("MIS_START", "MIS_END")),
    "ad1": (("DOB", "DATE_INT"), ("DATE_INT", "DATE_MATCH")),
    "placed_for_adoption": (("DOB", "DATE_PLACED"), ("DATE_PLACED", "DATE_PLACED_CEASED")),
    "previous_permanence": (("DOB", "DATE_PERM"),),
    "social_worker": (("SW_DECOM", "SW_DEC"),),
    "dolo": (("DOLO_START", "DOLO_END"),),
}


def _day_month(uniq: np.ndarray, text: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """First and second numbers of each ``n/n/yyyy`` value (0 where the value has another shape).

    The usual ten-character ``dd/mm/yyyy`` values are split with numpy in one pass; the
    few others (single digits, a time suffix) go through a regular expression. ``text``,
    when given, is ``uniq`` as ASCII bytes (``(lengths, data)``, see
    :func:`.dates._joined_text`), from which the ten-character values are read.
    """
    n = len(uniq)
    first = np.zeros(n, dtype=np.int64)
    second = np.zeros(n, dtype=np.int64)
    if text is not None:
        lens = text[0]
        ten, ch = _fixed_width(text, 10)
        rest = np.flatnonzero((lens > 0) & (lens != 10))
        if len(ten):
            _split_day_month(ten, ch, first, second)
    else:
        # loader uniques are all str (blank is ''): len() mapped in C
        lens = np.fromiter(map(len, uniq), dtype=np.int64, count=n)
        ten = np.flatnonzero(lens == 10)
        rest = np.flatnonzero((lens > 0) & (lens != 10))
        if len(ten):
            text = "".join(uniq[ten])
            if text.isascii():
                ch = np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(len(ten), 10)
                _split_day_month(ten, ch, first, second)
            else:
                rest = np.concatenate([rest, ten])
    for i in rest:
        m = _SLASH_DATE.match(uniq[i])
        if m:
            first[i], second[i] = int(m.group(1)), int(m.group(2))
    return first, second


def _split_day_month(ten: np.ndarray, ch: np.ndarray, first: np.ndarray, second: np.ndarray) -> None:
    """The two numbers of the ``dd/mm/yyyy`` values among the ten-byte ASCII values at ``ten``
    (their bytes the rows of ``ch``), written into ``first`` and ``second``."""
    dig = ch[:, [0, 1, 3, 4]] - np.uint8(48)  # unsigned: below '0' wraps above 9
    digits = (dig <= 9).all(axis=1) & ((ch[:, [6, 7, 8, 9]] - np.uint8(48)) <= 9).all(axis=1)
    ok = digits & (ch[:, 2] == ord("/")) & (ch[:, 5] == ord("/"))
    dig = dig[ok]
    first[ten[ok]] = dig[:, 0] * np.int64(10) + dig[:, 1]
    second[ten[ok]] = dig[:, 2] * np.int64(10) + dig[:, 3]


def day_month_many(columns: list[np.ndarray], texts: list | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`_day_month` of each array of unique values, computed over them end to end in
    one pass (value by value, so each array gets what it would get alone). ``texts[i]``,
    when given and not None, is ``columns[i]`` as bytes (see :func:`_day_month`)."""
    if not columns:
        return []
    text = None
    if texts is not None:
        text = _joined_text(texts)
    first, second = _day_month(np.concatenate(columns), text)
    sizes = [len(u) for u in columns]
    return list(zip(_pieces(first, sizes), _pieces(second, sizes)))


def date_shapes(raw_cols: dict, date_columns, known: dict | None = None) -> dict:
    """Per date column: ``(codes, uniques, day-first-only mask, month-first-only mask,
    slash-date mask)`` over the column's unique values.

    Empty as soon as one value can only be day first: the file is then day first and
    neither check below applies (in a file of any size the first date column decides).
    ``known`` maps columns to their :func:`_day_month` when computed already
    (:func:`day_month_many`).
    """
    out = {}
    for col in date_columns:
        if col not in raw_cols:
            continue
        codes, uniq = raw_cols[col]
        a, b = known[col] if known and col in known else _day_month(uniq)
        slash = a > 0
        dmy = slash & (a > 12) & (b <= 12)
        if dmy.any():
            return {}
        out[col] = (codes, uniq, dmy, slash & (b > 12) & (a <= 12), slash)
    return out


def check_month_first(shapes: dict, *, file: str, lines) -> None:
    """Raise if the file's dates are month first (see the module notes)."""
    if not shapes:
        return
    first = None  # (row position, column, value)
    for col, (codes, uniq, _, mdy, _) in shapes.items():
        if not mdy.any():
            continue
        pos = int(np.flatnonzero(mdy[codes])[0])
        if first is None or pos < first[0]:
            first = (pos, col, uniq[codes[pos]])
    if first is None:
        return
    pos, col, value = first
    m = _SLASH_DATE.match(value)
    raise SSDA903FormatError(
        f"dates look month-first (US format): {col} {value!r} can only be read as month "
        f"{int(m.group(1))}, day {int(m.group(2))}, and no date in the file has a day above 12 in first place. "
        "DfE files write dates as dd/mm/yyyy, and reading this file day first would swap the day and month "
        "of every date up to the 12th. Export the file again with UK dates (dd/mm/yyyy; in Excel, format the "
        "date columns as dd/mm/yyyy before saving as CSV).",
        file=file,
        row=None if lines is None else int(lines[pos]),
        column=col,
    )


def _swapped(uniq: np.ndarray, parse) -> np.ndarray:
    """The unique values read month first (dd and mm exchanged), parsed with ``parse``."""
    out = []
    for u in uniq:
        m = _SLASH_DATE.match(u) if isinstance(u, str) else None
        out.append(f"{m.group(2)}/{m.group(1)}/{m.group(3)}" if m else "")
    return parse(np.asarray(out, dtype=object))


def ambiguous_order_findings(table: str, shapes: dict, parsed: dict, parse, *, children, lines, file: str) -> list[dict]:
    """One ``dates_maybe_month_first`` record when every date of the file is ambiguous and
    the rows whose dates are out of order would all be in order read month first.

    ``parsed`` maps date column -> datetime64 per row (day first); ``parse`` parses an
    array of ``dd/mm/yyyy`` strings to datetime64 (the loader's own parser).
    """
    if not shapes:
        return []
    for _, uniq, dmy, mdy, slash in shapes.values():
        # Every non-blank date must be an n/n/yyyy with both numbers 12 or less.
        if dmy.any() or mdy.any() or (~slash & (uniq != "")).any():
            return []
    wrong = np.zeros(len(children), dtype=bool)
    fixed = np.ones(len(children), dtype=bool)
    pair_of = np.full(len(children), -1, dtype=np.int64)
    pairs = [p for p in ORDERED_DATES.get(table, ()) if p[0] in parsed and p[1] in parsed]
    for k, (early, late) in enumerate(pairs):
        e, l_ = parsed[early], parsed[late]
        bad = ~np.isnat(e) & ~np.isnat(l_) & (l_ < e)
        if not bad.any():
            continue
        se = _swapped(shapes[early][1], parse)[shapes[early][0]]
        sl = _swapped(shapes[late][1], parse)[shapes[late][0]]
        wrong |= bad
        fixed &= ~bad | (sl >= se)
        pair_of = np.where(bad & (pair_of < 0), k, pair_of)
    if not wrong.any() or not fixed[wrong].all():
        return []
    idx = np.flatnonzero(wrong)
    i = int(idx[0])
    early, late = pairs[int(pair_of[i])]
    raw_early = shapes[early][1][shapes[early][0][i]]
    raw_late = shapes[late][1][shapes[late][0][i]]
    line = None if lines is None else int(lines[i])
    where = f"{file} line {line}" if line else file
    return [{
        "check": "dates_maybe_month_first", "severity": "error", "table": table, "row": line,
        "CHILD": children[i], "column": late, "value": raw_late,
        "message": (
            f"{len(idx)} row(s) of the {table} table have dates out of order (first: {late} {raw_late} before "
            f"{early} {raw_early}, {where}), and every date in the file has a day of 12 or less, so the file may "
            "hold month-first (US) dates read day first: read month first, these rows would be in order. Check "
            "how the file was exported (DfE files use dd/mm/yyyy) and export it again, or correct these rows."
        ),
    }]


# --------------------------------------------------------------------------------------
# Files beside the return that are not read
# --------------------------------------------------------------------------------------

# Name fragments (lower case, letters and digits only) -> table they suggest
_TABLE_WORDS = (
    ("placedadoption", "placed_for_adoption"), ("placedforadoption", "placed_for_adoption"),
    ("previouspermanence", "previous_permanence"), ("prevperm", "previous_permanence"),
    ("socialworker", "social_worker"), ("swepisodes", "social_worker"),
    ("episodes", "episodes"), ("header", "header"), ("reviews", "reviews"), ("uasc", "uasc"),
    ("missing", "missing"), ("oc2", "oc2"), ("oc3", "oc3"), ("ad1", "ad1"), ("dolo", "dolo"),
    ("ssda903", None), ("903", None),
)
_SPREADSHEET = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".tsv", ".dat", ".psv"}
# Files operating systems leave in folders
_CLUTTER = {"thumbs.db", "desktop.ini"}


def looks_like_table(name: str) -> tuple[bool, str | None]:
    """(True, table or None) if a file name suggests an SSDA903 table."""
    flat = re.sub(r"[^a-z0-9]", "", Path(name).stem.lower())
    for word, table in _TABLE_WORDS:
        if word in flat:
            return True, table
    return False, None


def unread_file_findings(paths, label, *, tables_only: bool = False) -> list[dict]:
    """``file_not_read`` records for files of a data folder that the loader skips.

    Parameters
    ----------
    paths : iterable of Path
        Files that were not read (not CSV, text or XML).
    label : callable
        Path -> name used in messages (relative to the folder loaded).
    tables_only : bool
        Report only files whose names suggest an SSDA903 table (used for the top folder
        of a stack of year folders, where notes and manifests are expected).
    """
    out = []
    for p in paths:
        if p.name.lower() in _CLUTTER:
            continue
        name = label(p)
        named, table = looks_like_table(p.name)
        sheet = p.suffix.lower() in _SPREADSHEET
        if named and sheet:
            what = f"the {table} table" if table else "SSDA903 data"
            out.append({
                "check": "file_not_read", "severity": "error", "table": table, "row": pd.NA, "CHILD": None,
                "column": None, "value": name,
                "message": f"File {name} was not read: the loader reads CSV files (and the SSDA903 XML) only, and its "
                           f"name suggests {what}. Save it as CSV (in Excel: File > Save As > 'CSV (Comma delimited)') "
                           "in the same folder and load again; figures made without it are incomplete.",
            })
        elif not tables_only:
            out.append({
                "check": "file_not_read", "severity": "warning", "table": None, "row": pd.NA, "CHILD": None,
                "column": None, "value": name,
                "message": f"File {name} was not read (the loader reads CSV files and the SSDA903 XML only). If it "
                           "holds SSDA903 data, save it as CSV in this folder; otherwise move it out of the data folder.",
            })
    return out
