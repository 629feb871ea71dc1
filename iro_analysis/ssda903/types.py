"""Typing a table read as text: dates, codes, SEX, the collection year.

:func:`_type_table` turns a :class:`~.raw._Raw` (stripped text cells, factorised) into typed
column arrays, in phases: the collection year of each row; the whole-file date checks
(:mod:`.checks`: month-first dates raise before any date is used the wrong way round);
each column typed on its distinct values (dates parsed, codes upper-cased, flags tidied);
the record findings that need the raw text (unparseable dates, dates perhaps month first,
unknown codes); SEX mapped to M/F/U. :func:`_frame_from_columns` makes the DataFrame.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .. import findings as _findings
from ..codes import SEX_NORMALISE, valid_codes
from ..errors import SSDA903FormatError
from . import checks as _checks
from . import records as _records
from .dates import TableDates, _parse_dates, parse_table_dates
from .model import DATE_COLUMNS, TABLE_COLUMNS
from .raw import _Raw

# Identifier columns: kept exactly as written (whitespace stripped, case kept).
_ID_COLUMNS = frozenset({"CHILD", "SW_ID", "LA"})
# 0/1 flag columns: "1.0"/"0.0" (spreadsheet round-trips) are read as "1"/"0".
_FLAG_COLUMNS = frozenset(
    {
        "MOTHER", "FOSTER_CARE", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
        "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
    }
)


def _type_table(raw: _Raw, year_default: int | None, rel_file: str,
                dates: TableDates | None = None) -> tuple[dict, int, list[pd.DataFrame], np.ndarray | None]:
    """Convert a string table to typed columns.

    :func:`_type_table_factors` with every column spread out to one value per row (the
    loader stacks the factorised columns of a table's files straight into its frame).

    Parameters
    ----------
    raw : _Raw
        The table as read.
    year_default : int or None
        Collection year of the return, used when the table has no LIIA ``YEAR`` column.
    rel_file : str
        The file as findings name it.
    dates : TableDates, optional
        ``raw``'s item of :func:`.dates.parse_table_dates`, when the tables of a load were
        worked on together; worked out here if not given.

    Returns
    -------
    tuple
        (columns, rows, findings frames, lines): ``columns`` maps column name to a numpy
        array (object for text, ``datetime64[ns]`` for dates, int64 for
        ``collection_year``), in table order; :func:`_frame_from_columns` makes the frame.
    """
    cols, n, found, lines = _type_table_factors(raw, year_default, rel_file, dates)
    return {k: _take(v) if isinstance(v, tuple) else v for k, v in cols.items()}, n, found, lines


def _type_table_factors(raw: _Raw, year_default: int | None, rel_file: str,
                        dates: TableDates | None = None) -> tuple[dict, int, list[pd.DataFrame], np.ndarray | None]:
    """:func:`_type_table` with the text and date columns left factorised.

    Returns
    -------
    tuple
        As :func:`_type_table`, except that a text or date column is ``(codes, values)``:
        its typed distinct values (object, or ``datetime64[ns]``) and the position of each
        row's value among them (``values[codes]`` is the column). ``collection_year`` is an
        int64 array.
    """
    table, lines, n = raw.table, raw.lines, raw.n
    row_years = _row_years(raw, year_default)
    iso, parsed, day_month = parse_table_dates([raw])[0] if dates is None else dates
    # Month-first (US) dates raise here, before any date is used the wrong way round.
    shapes = {} if iso else _checks.date_shapes(raw.cols, DATE_COLUMNS[table], day_month)
    _checks.check_month_first(shapes, file=raw.file, lines=lines)
    out, found = _typed_columns(raw, iso, parsed, rel_file)
    if shapes:
        child = _children(raw)
        order = _checks.ambiguous_order_findings(
            table, shapes, {c: _take(out[c]) for c in shapes}, lambda u: _parse_dates(u, False),
            children=child, lines=lines, file=rel_file,
        )
        if order:
            found.append(_findings.make_findings(order))
    found.extend(_unknown_code_findings(table, out, row_years, lines, rel_file,
                                        None if "YEAR" in raw.cols or year_default is None else [int(year_default)]))
    if "SEX" in out:
        codes, clean = out["SEX"]
        # As Series.map(SEX_NORMALISE): unmapped values (and blanks) become NaN.
        mapped = [SEX_NORMALISE.get(u, np.nan) if isinstance(u, str) else np.nan for u in clean]
        out["SEX"] = (codes, np.asarray(mapped, dtype=object))
    order_of = TABLE_COLUMNS[table]
    cols = {c: out[c] for c in order_of if c in out}
    if len(cols) < len(out):
        cols.update((c, v) for c, v in out.items() if c not in order_of)
    if row_years is not None:
        cols["collection_year"] = row_years.astype(np.int64)
    return cols, n, found, lines


def _children(raw: _Raw) -> np.ndarray:
    """The CHILD cell of each row as read (None throughout when the table has no CHILD)."""
    return raw.values("CHILD") if "CHILD" in raw.cols else np.full(raw.n, None, dtype=object)


def _row_years(raw: _Raw, year_default: int | None) -> np.ndarray | None:
    """Collection year of each row: the LIIA ``YEAR`` column, else ``year_default``, else None.

    Raises
    ------
    SSDA903FormatError
        A ``YEAR`` value that is not a whole number.
    """
    if "YEAR" in raw.cols:
        yvals = raw.values("YEAR")
        yr = pd.to_numeric(pd.Series(yvals, dtype=object), errors="coerce")
        bad = yr.isna() | (yr != np.floor(yr.fillna(0)))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise SSDA903FormatError(
                f"YEAR value {yvals[i]!r} is not a year. The LIIA YEAR column must hold the "
                "collection year (e.g. 2023) on every row.",
                file=raw.file,
                row=None if raw.lines is None else int(raw.lines[i]),
                column="YEAR",
            )
        return yr.astype(np.int64).to_numpy()
    if year_default is not None:
        return np.full(raw.n, int(year_default), dtype=np.int64)
    return None


def _typed_columns(raw: _Raw, iso: bool, parsed: dict, rel_file: str) -> tuple[dict, list[pd.DataFrame]]:
    """Each column typed on its distinct values (dates already parsed: ``parsed``), and the
    findings of dates that do not parse.

    Returns
    -------
    out : dict
        Column -> ``(codes, typed uniques)``: ``datetime64[ns]`` uniques for dates, cleaned
        text for the rest (blank as NaN, codes upper-cased, flags ``1.0``/``0.0`` as
        ``1``/``0``). Columns stay factorised so that the code checks and the SEX mapping
        work on distinct values, and the loader stacks them straight into the frame.
    found : list of DataFrame
        ``date_unparseable`` findings, one frame per date column with any.
    """
    table, lines = raw.table, raw.lines
    found: list[pd.DataFrame] = []
    out: dict[str, object] = {}
    date_columns = DATE_COLUMNS[table]
    for col, (codes, uniq) in raw.cols.items():
        if col in ("YEAR", "YEAR_LATEST"):
            continue
        if col in date_columns:
            parsed_u = parsed[col]
            # Non-blank values that did not parse: among the few NaT uniques (blanks are NaT too).
            nat = np.flatnonzero(np.isnat(parsed_u))
            bad_at = nat[uniq[nat] != ""]
            if len(bad_at):
                bad_u = np.zeros(len(uniq), dtype=bool)
                bad_u[bad_at] = True
                bad = bad_u[codes]
                found.append(
                    _records.date_findings(
                        table=table, column=col, values=uniq[codes[bad]], children=_children(raw)[bad],
                        lines=None if lines is None else lines[bad], file=rel_file, iso=iso,
                    )
                )
            out[col] = (codes, parsed_u)
            continue
        blank_u = uniq == ""
        if col not in _ID_COLUMNS:
            # Upper-case the distinct values; skipped when no value would change (ASCII
            # text already upper case: str.upper maps ASCII characters one by one).
            joined = "".join(uniq)
            if not joined.isascii() or joined.upper() != joined:
                uniq = np.asarray([u.upper() for u in uniq], dtype=object)
            if col in _FLAG_COLUMNS:
                uniq = np.asarray([{"1.0": "1", "0.0": "0"}.get(u, u) for u in uniq], dtype=object)
        clean = uniq.copy()
        clean[blank_u] = np.nan
        out[col] = (codes, clean)
    return out, found


def _unknown_code_findings(table: str, out: dict, row_years, lines, rel_file: str, years=None) -> list[pd.DataFrame]:
    """``unknown_code`` findings, per collection year of the rows, on the upper-cased codes.

    The row-level check only runs when some distinct value is not valid in every year present.
    """
    checked = [c for c in _records.CODE_CHECKS.get(table, ()) if c in out]
    if not checked or not _may_have_unknown_codes(out, checked, row_years, years):
        return []
    return _records.code_findings(
        table=table,
        frame=pd.DataFrame({k: pd.Series(_take(out[k]), dtype=object) for k in out if k == "CHILD" or k in checked}),
        years=row_years, lines=lines, file=rel_file,
    )


def _frame_from_columns(cols: dict, n: int) -> pd.DataFrame:
    """DataFrame of typed column arrays, in order; object arrays stay object dtype.

    ``DataFrame._from_arrays`` takes the arrays as they are (no per-column Series, no
    string-dtype inference, the object columns consolidated into one block); if a pandas
    version lacks it, the object columns go in as one 2-D block and the others are inserted.
    """
    try:
        return pd.DataFrame._from_arrays(
            list(cols.values()), columns=_column_index(tuple(cols)).copy(), index=pd.RangeIndex(n), verify_integrity=False
        )
    except (AttributeError, TypeError):  # pragma: no cover - private pandas API changed
        pass
    text = [k for k, v in cols.items() if v.dtype == object]
    block = np.empty((n, len(text)), dtype=object)
    for j, k in enumerate(text):
        block[:, j] = cols[k]
    df = pd.DataFrame(block, columns=text, index=pd.RangeIndex(n), dtype=object, copy=False)
    for i, (k, v) in enumerate(cols.items()):
        if v.dtype != object:
            df.insert(i, k, v)
    return df


def _frame_from_stacks(names: list[str], stacks: list[tuple[np.ndarray, list[str]]], n: int) -> pd.DataFrame:
    """DataFrame of columns ``names`` held as 2-D stacks of one dtype each: ``stacks`` lists
    ``(values, columns)``, ``values`` of shape (len(columns), n), row ``j`` the column
    ``columns[j]``.

    The stacks become the frame's blocks as they are (pandas keeps columns of one dtype in
    one 2-D block; :func:`_frame_from_columns` would copy the columns into such blocks), so
    the frame equals ``_frame_from_columns`` of the rows. Where the pandas version lacks the
    block constructor, it is that.
    """
    try:
        from pandas.api.internals import create_dataframe_from_blocks
        from pandas.arrays import DatetimeArray

        at = {c: i for i, c in enumerate(names)}
        blocks = []
        for values, cols in stacks:
            if values.dtype.kind == "M":
                values = DatetimeArray._simple_new(values, dtype=values.dtype)
            blocks.append((values, np.asarray([at[c] for c in cols], dtype=np.intp)))
        return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n), columns=_column_index(tuple(names))._view())
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - private pandas API changed
        rows = {c: values[j] for values, cols in stacks for j, c in enumerate(cols)}
        return _frame_from_columns({c: rows[c] for c in names}, n)


@functools.lru_cache(maxsize=64)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    """The columns Index of a table (made once per column list; each frame gets a copy)."""
    return pd.Index(list(names))


def _take(factorised: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    codes, uniq = factorised
    return uniq[codes]


def _may_have_unknown_codes(out: dict, columns, row_years, years=None) -> bool:
    """False when every code used in ``columns`` is valid in every collection year present
    (then :func:`.records.code_findings` would find nothing). ``years``, when given, are
    the years of ``row_years`` (the one year of a file without a ``YEAR`` column)."""
    if years is None:
        years = [None] if row_years is None else [int(y) for y in np.unique(row_years)]
    for col in columns:
        codes, clean = out[col]
        if not len(codes):
            continue
        # Every distinct value valid in every year (nearly always): no need to see which are used.
        texts = [u for u in clean if isinstance(u, str)]
        if all(_valid_codes(col, y).issuperset(texts) for y in years):
            continue
        seen = np.zeros(len(clean), dtype=bool)
        seen[codes] = True
        used = [u for u in clean[seen] if isinstance(u, str)]
        if not used:
            continue
        for y in years:
            valid = _valid_codes(col, y)
            if any(u not in valid for u in used):
                return True
    return False


@functools.lru_cache(maxsize=512)
def _valid_codes(column: str, year: int | None) -> frozenset:
    """:func:`iro_analysis.codes.valid_codes`, made once per column and year (the code lists
    are fixed data; building the set costs more than checking a file's codes against it)."""
    return valid_codes(column, year)
