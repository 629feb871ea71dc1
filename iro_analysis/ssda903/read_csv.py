"""Reading one SSDA903 CSV file for :mod:`iro_analysis.ssda903`.

:func:`_read_csv` reads a file's bytes (refusing workbooks and binary files, decoding UTF-8,
UTF-16 or Windows text), recognises its table by the header (:mod:`.recognise`) and reads
its cells. :func:`read_cells` turns the text of a file (from its header row on) into factorised,
stripped text columns, the 1-based source line of every row, and the rows it had to
drop. Two readers give the same cells:

* pyarrow's CSV reader, for the plain files that nearly every case management system
  writes (no quotes, every row as wide as the header): it reads and dictionary-encodes
  the columns in C++, so no Python string is made for a repeated value;
* ``pandas.read_csv`` (C engine), for everything else (quoted values, trailing empty
  header columns, lone carriage returns, rows of the wrong width, files pyarrow refuses).

Rows with fewer values than the header (a cut-off line, a lost value) or more (an unquoted
comma) are found before either reader runs, with their line numbers: they raise
:class:`~iro_analysis.errors.SSDA903FormatError` unless the caller asked for findings
(``on_bad_rows="finding"``), when they are dropped and reported as ``short_row``,
``long_row`` or ``truncated_file`` findings.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError, SSDA903FormatError
from .model import DATE_COLUMNS
from .raw import _Columns, _factor, _Raw, _raw_from_factors
from .recognise import _classify_csv, _header_line

__all__ = ["BAD_ROW_OPTIONS", "read_cells", "check_bad_rows_option"]

#: Values of ``load_ssda903(..., on_bad_rows=)``.
BAD_ROW_OPTIONS = ("raise", "finding")

_OPT_IN = "or load with on_bad_rows='finding' to drop such rows and list them as error findings"


def check_bad_rows_option(value) -> str:
    """``value`` if it is one of :data:`BAD_ROW_OPTIONS`, else raise ParameterError."""
    if value not in BAD_ROW_OPTIONS:
        raise ParameterError(f"on_bad_rows must be 'raise' or 'finding', not {value!r}.")
    return value


# --------------------------------------------------------------------------------------
# A file: its bytes, its text, its table
# --------------------------------------------------------------------------------------

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def _read_csv(path: Path, text: str | None = None, *, on_bad_rows: str = "raise", label: str | None = None) -> _Raw:
    """The table in one CSV file (raises SSDA903FormatError, or ``_NotATable`` for a CSV of
    no SSDA903 table)."""
    if text is None:
        text = _read_text(path)
    table, idx, names = _classify_csv(path, text)
    body = text[_header_line(text)[2]:]
    cols, n, lines, bad = read_cells(body, names, table=table, path=path, header_index=idx,
                                     on_bad_rows=on_bad_rows, label=label)
    # Cells are stripped and rows that are entirely blank (',,,' lines, blank lines) dropped.
    iso = any(c in names for c in ("LA", "YEAR"))
    return _raw_from_factors(table, cols, n, lines, str(path), iso, bad)


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:8192]:
        raise SSDA903FormatError(
            "is a binary file, not a CSV text file. Export the table from your case management "
            "system as CSV (comma-separated values).",
            file=path,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows exports are often cp1252; latin-1 never fails and only affects free text.
        return raw.decode("cp1252", errors="replace") if _cp1252_ok(raw) else raw.decode("latin-1")


def _cp1252_ok(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _check_magic(raw: bytes, path: Path) -> None:
    if raw.startswith(_XLSX_MAGIC):
        raise SSDA903FormatError(
            "is an Excel workbook (.xlsx, a zip archive), not a CSV file, although its name says "
            "otherwise. Open it in Excel and use File > Save As > 'CSV (Comma delimited)', one file "
            "per table.",
            file=path,
        )
    if raw.startswith(_XLS_MAGIC):
        raise SSDA903FormatError(
            "is an old-style Excel workbook (.xls), not a CSV file. Open it in Excel and save each "
            "table as 'CSV (Comma delimited)'.",
            file=path,
        )


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SSDA903FormatError(f"cannot be read ({exc.strerror or exc}). Check the path and permissions.", file=path) from None
    _check_magic(raw, path)
    text = _decode(raw, path)
    start = text[:2].replace("\ufeff", "")[:1]
    # A text that starts with a character other than a blank or comma is not empty (the
    # usual case: the header's first letter), which saves stripping a copy of the whole text.
    if (not start or start.isspace() or start == ",") and not text.replace("\ufeff", "").strip().strip(",").strip():
        raise SSDA903FormatError(
            "is empty (no header row). Re-export the table from your case management system; a "
            "table with no records still needs its header row.",
            file=path,
        )
    return text.replace("\ufeff", "")


# --------------------------------------------------------------------------------------
# The cells
# --------------------------------------------------------------------------------------


def read_cells(body: str, names: list[str], *, table: str, path, header_index: int,
               on_bad_rows: str = "raise", label: str | None = None) -> tuple[dict, int, np.ndarray, list[dict]]:
    """The cells of a CSV table.

    Parameters
    ----------
    body : str
        The file's text from the header row on (decoded, BOM removed).
    names : list of str
        Normalised header names (trailing empty header cells removed).
    table : str
        Table name, for findings.
    path : str or Path
        The file, for messages.
    header_index : int
        0-based line of the header row in the file.
    on_bad_rows : {"raise", "finding"}
        What to do with rows of the wrong width (see the module notes).
    label : str, optional
        How findings name the file (default ``str(path)``).

    Returns
    -------
    cols : dict
        Column name -> ``(codes, uniques)``: cell ``i`` is ``uniques[codes[i]]``, uniques
        stripped, ``''`` for blank (the last unique is always ``''``).
    n : int
        Rows read (blank rows included; the caller drops them).
    lines : ndarray of int64
        1-based source line of each row.
    bad_rows : list of dict
        Finding records for rows dropped under ``on_bad_rows="finding"`` (else empty).
    """
    ncols = len(names)
    stripped = _cells_are_stripped(body)
    trailing_empty = _has_trailing_empty_headers(body, ncols)
    if '"' not in body and not trailing_empty and not _lone_cr(body):
        # Plain file: pyarrow insists on exactly `ncols` values a row, so a file it reads
        # has no bad rows; anything it refuses is read again below and diagnosed there.
        cols = _read_arrow(body, names, stripped)
        if cols is not None:
            n = len(next(iter(cols.values()))[0]) if cols else 0
            return cols, n, np.arange(n, dtype=np.int64) + header_index + 2, []
    bad, starts, width = _bad_rows(body, ncols)
    findings: list[dict] = []
    if bad:
        if on_bad_rows != "finding":
            raise _bad_row_error(bad[0], len(bad), names, width, path, header_index)
        findings = [_bad_row_record(b, names, width, table, label or str(path), header_index) for b in bad]
        body, starts = _without_rows(body, bad, starts)
    frame = _read_pandas(body, names, path, header_index, trailing_empty)
    values = frame.to_numpy(dtype=object).T
    cols = {c: _factor(values[j], stripped=stripped) for j, c in enumerate(frame.columns)}
    if bad:
        lines = np.asarray((list(starts) + [-1 - header_index] * len(frame))[: len(frame)], dtype=np.int64) + header_index
    else:
        lines = _line_numbers(body, len(frame), header_index)
    return cols, len(frame), lines, findings


# --------------------------------------------------------------------------------------
# pyarrow
# --------------------------------------------------------------------------------------


def _read_arrow(body: str, names: list[str], stripped: bool) -> dict | None:
    """Factorised columns read by pyarrow, or None if pyarrow cannot read the text (the
    pandas reader then decides)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        from pyarrow import csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency; keep working without it
        return None
    read_opts, parse_opts, convert_opts = _arrow_options(tuple(names))
    try:
        # A buffer reader: pyarrow reads the bytes in C++, not through a Python file object.
        tab = pacsv.read_csv(pa.BufferReader(body.encode("utf-8")), read_options=read_opts,
                             parse_options=parse_opts, convert_options=convert_opts)
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    cols = _Columns()
    for name, col in zip(names, tab.columns):
        if col.num_chunks == 1:
            enc = col.chunk(0)  # dictionary-encoded by the reader, values in order of appearance
        else:
            # A file longer than one read block has a dictionary per block: encode it whole.
            enc = pc.dictionary_encode(col.cast(pa.string()).combine_chunks() if col.num_chunks else pa.array([], pa.string()))
        codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.intp)
        uniq = enc.dictionary.to_numpy(zero_copy_only=False)
        # same shape as _factor: stripped object uniques with '' appended
        if stripped:
            values, uniq = uniq, np.empty(len(uniq) + 1, dtype=object)
            uniq[:-1] = values
            uniq[-1] = ""
            if name in _DATE_NAMES and enc.dictionary.type == pa.string():
                cols.texts[name] = _text_of(enc.dictionary)
        else:
            uniq = np.asarray([u.strip() for u in uniq] + [""], dtype=object)
        cols[name] = codes, uniq
    return cols


# Columns that are dates in some table: their uniques' bytes are kept for the date parsers.
_DATE_NAMES = frozenset(c for cols in DATE_COLUMNS.values() for c in cols)


def _text_of(strings) -> tuple[np.ndarray, np.ndarray]:
    """(UTF-8 length of each value, with a 0 for the '' appended after them; the values'
    bytes end to end) of a pyarrow string array, read from its buffers without a copy."""
    _, offsets, data = strings.buffers()[:3]
    at = np.frombuffer(offsets, dtype=np.int32, count=len(strings) + 1, offset=4 * strings.offset).astype(np.int64)
    lengths = np.empty(len(strings) + 1, dtype=np.int64)
    np.subtract(at[1:], at[:-1], out=lengths[:-1])
    lengths[-1] = 0
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, dtype=np.uint8)
    return lengths, raw[at[0] : at[-1]]


@functools.lru_cache(maxsize=64)
def _arrow_options(names: tuple[str, ...]):
    """pyarrow CSV options for a header (built once per header: building them costs as much
    as reading a small file)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    return (
        pacsv.ReadOptions(column_names=list(names), skip_rows=1),
        # quote_char=False: quoted files never come here; blank lines stay rows (as in pandas)
        pacsv.ParseOptions(delimiter=",", quote_char=False, ignore_empty_lines=False),
        # Read straight into dictionary arrays: each distinct value becomes one Python str.
        # The bytes are a Python str encoded as UTF-8 here, so they need no UTF-8 check.
        pacsv.ConvertOptions(column_types={n: pa.dictionary(pa.int32(), pa.string()) for n in names},
                             null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False,
                             check_utf8=False),
    )


# --------------------------------------------------------------------------------------
# pandas (the general reader)
# --------------------------------------------------------------------------------------


def _read_pandas(body: str, names: list[str], path, header_index: int, trailing_empty: bool) -> pd.DataFrame:
    ncols = len(names)
    try:
        df = pd.read_csv(
            io.StringIO(body),
            dtype=object,  # plain Python str cells: no conversion from pandas 3's str dtype later
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            header=0,
            usecols=range(ncols) if trailing_empty else None,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        # Rows of the wrong width are found before this; pandas can still disagree with the
        # csv module about an odd file.
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise SSDA903FormatError(
                f"row has {m.group(3)} values but the header has {m.group(1)} columns. Look for an "
                "unquoted comma inside a value (put such values in double quotes) or a missing header column.",
                file=path,
                row=int(m.group(2)) + header_index,
            ) from None
        raise SSDA903FormatError(f"cannot be read as CSV ({exc}).", file=path) from None
    except (ValueError, csv.Error, UnicodeError) as exc:
        raise SSDA903FormatError(f"cannot be read as CSV ({exc}).", file=path) from None
    df.columns = names
    return df


# Whitespace that str.strip() removes, other than space and line breaks (ASCII only:
# non-ASCII text always takes the per-value strip).
_OTHER_ASCII_SPACE = ("\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def _lone_cr(text: str) -> bool:
    return "\r" in text and text.count("\r") != text.count("\r\n")


def _cells_are_stripped(text: str) -> bool:
    """True if no CSV cell in ``text`` can start or end with whitespace.

    Decided on the whole text with a few substring searches: for ASCII text without
    quotes whose only whitespace is spaces and line breaks (``\\n`` or ``\\r\\n``), a
    cell has a leading or trailing space exactly when a space touches a comma, a line
    break or an end of the text. Anything else (quotes, tabs, lone ``\\r``, non-ASCII)
    returns False, and the cells are stripped one by one.
    """
    if not text.isascii() or '"' in text or any(c in text for c in _OTHER_ASCII_SPACE):
        return False
    if _lone_cr(text):
        return False
    if " " not in text:
        return True
    if text.startswith(" ") or text.endswith(" "):
        return False
    return not any(p in text for p in (" ,", ", ", " \n", "\n ", " \r"))


def _has_trailing_empty_headers(body: str, ncols: int) -> bool:
    first = body[: body.find("\n")] if "\n" in body else body
    try:
        return len(next(csv.reader([first]))) > ncols
    except (csv.Error, StopIteration):
        return False


def _line_numbers(text_from_header: str, n_rows: int, first_line: int) -> np.ndarray:
    """1-based line of each data row; handles quoted line breaks."""
    # Without quoted line breaks, data row i is on line first_line + 2 + i (blank lines are
    # kept as rows by the reader, so the count matches).
    if '"' not in text_from_header or text_from_header.count("\n") <= n_rows + 1:
        simple = np.arange(n_rows, dtype=np.int64) + first_line + 2
        if '"' not in text_from_header:
            return simple
    reader = csv.reader(io.StringIO(text_from_header))
    next(reader, None)
    out = []
    start = reader.line_num + 1
    for _ in reader:
        out.append(start)
        start = reader.line_num + 1
    out = (out + [-1 - first_line] * n_rows)[:n_rows]
    return np.asarray(out, dtype=np.int64) + first_line


# --------------------------------------------------------------------------------------
# Rows of the wrong width
# --------------------------------------------------------------------------------------


def _bad_rows(body: str, ncols: int) -> tuple[list[tuple], list[int], int]:
    """Rows with content whose number of values is not the header's.

    Returns ``(bad, starts, width)``: ``bad`` lists ``(body line, last body line, values
    found, CHILD, is the unterminated last row)`` per bad row; ``starts`` the first body
    line (1 = header) of every data record; ``width`` the header's own number of cells
    (trailing empty header cells included: rows may carry those commas too).
    A row of blanks (``,,``, an empty line) is never bad: it is dropped as blank.
    """
    reader = csv.reader(io.StringIO(body, newline=""))
    bad, starts = [], []
    try:
        width = len(next(reader, []))
        start = reader.line_num + 1
        for rec in reader:
            end = reader.line_num
            if (len(rec) < ncols or len(rec) > width) and any(c.strip() for c in rec):
                bad.append((start, end, len(rec), rec[0].strip() or None, False))
            starts.append(start)
            start = end + 1
    except csv.Error:
        # The csv module refuses the text (a NUL byte, a huge field): leave the judgement
        # to the pandas reader, as before these checks existed.
        return [], [], 0
    if bad and bad[-1][0] == starts[-1] and bad[-1][2] < ncols and not body.endswith(("\n", "\r")):
        bad[-1] = bad[-1][:4] + (True,)
    return bad, starts, width


def _bad_row_text(b: tuple, names: list[str], width: int) -> tuple[str, str]:
    """(check name, one-line description) of a bad row."""
    _, _, found, _, cut = b
    ncols = len(names)
    if cut:
        return "truncated_file", (
            f"the file ends part-way through a row: its last line has {found} of {ncols} values and no "
            "line break, so the file looks cut off (truncated) and figures from it would be too low. "
            "Copy or export the file again in full"
        )
    if found < ncols:
        return "short_row", (
            f"row has {found} values but the header has {ncols} columns: values are missing (a cut or "
            f"edited line), and its last columns ({', '.join(names[found:])}) would be read as blank (an end "
            "date lost makes an ended episode look open). Correct the row in the source system and export again"
        )
    return "long_row", (
        f"row has {found} values but the header has {width} columns. Look for an unquoted comma inside "
        "a value (put such values in double quotes) or a missing header column"
    )


def _bad_row_error(b: tuple, n_bad: int, names: list[str], width: int, path, header_index: int) -> SSDA903FormatError:
    _, text = _bad_row_text(b, names, width)
    more = f" ({n_bad} rows of this file have the wrong number of values; this is the first)" if n_bad > 1 else ""
    return SSDA903FormatError(f"{text}{more}, {_OPT_IN}.", file=path, row=b[0] + header_index)


def _bad_row_record(b: tuple, names: list[str], width: int, table: str, name: str, header_index: int) -> dict:
    check, text = _bad_row_text(b, names, width)
    line = b[0] + header_index
    expected = len(names) if b[2] < len(names) else width
    return {
        "check": check, "severity": "error", "table": table, "row": line, "CHILD": b[3], "column": None,
        "value": f"{b[2]} values for {expected} columns",
        "message": f"{text[0].upper()}{text[1:]} ({name} line {line}). The row was left out of every figure.",
    }


def _without_rows(body: str, bad: list[tuple], starts: list[int]) -> tuple[str, list[int]]:
    """``body`` without the physical lines of the bad rows, and the start lines of the
    records left (the file itself is never changed)."""
    lines = io.StringIO(body, newline="").readlines()  # same line breaks as the csv scan
    drop = np.zeros(len(lines) + 1, dtype=bool)
    for first, last, *_ in bad:
        drop[first - 1 : last] = True
    gone = {b[0] for b in bad}
    kept = "".join(line for i, line in enumerate(lines) if not drop[i])
    return kept, [s for s in starts if s not in gone]
