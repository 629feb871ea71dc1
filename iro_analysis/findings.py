"""The one result shape for every quality finding.

A finding is one row: which check fired, how serious it is, where (table, 1-based line in
the source file, child, column), the offending value and a message saying what to do.
Findings that name a CHILD are restricted, child-level output: never put them in a
shareable report without removing ``CHILD`` and suppressing small counts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

import numpy as np
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
        return _empty()
    if isinstance(records, pd.DataFrame):
        df = records
    else:
        recs = [dict(r) for r in records] if isinstance(records, Iterable) and not isinstance(records, Mapping) else [dict(records)]
        if not recs:
            return _empty()
        df = pd.DataFrame.from_records(recs)
    return _normalise(df)


# Non-row columns; "value" keeps its missing markers as they are, the others use None.
_TEXT_COLUMNS = tuple(c for c in FINDING_COLUMNS if c != "row")


def _empty() -> pd.DataFrame:
    return _build(pd.array([], dtype="Int64"), [np.empty(0, dtype=object) for _ in _TEXT_COLUMNS], 0)


def _build(row, texts, n: int) -> pd.DataFrame:
    """Assemble the frame: the text columns as one object block (no per-column Series, no
    string-dtype inference) and ``row`` in its place.

    The block and ``row`` are given to pandas as the frame's blocks; where the pandas
    version lacks that constructor, the text frame is made and ``row`` inserted (the same
    frame)."""
    block = np.empty((len(_TEXT_COLUMNS), n), dtype=object)
    for j, vals in enumerate(texts):
        block[j] = vals
    try:
        from pandas.api.internals import create_dataframe_from_blocks

        return create_dataframe_from_blocks(
            [(block, _TEXT_PLACES), (row, _ROW_PLACE)], index=pd.RangeIndex(n), columns=_columns()._view()
        )
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - private pandas API changed
        pass
    out = pd.DataFrame(block.T, columns=list(_TEXT_COLUMNS), index=pd.RangeIndex(n), dtype=object, copy=False)
    out.insert(FINDING_COLUMNS.index("row"), "row", row)
    return out


_TEXT_PLACES = np.asarray([FINDING_COLUMNS.index(c) for c in _TEXT_COLUMNS], dtype=np.intp)
_ROW_PLACE = np.asarray([FINDING_COLUMNS.index("row")], dtype=np.intp)


@functools.lru_cache(maxsize=1)
def _columns() -> pd.Index:
    """The columns Index of a findings frame (made once; each frame gets a view)."""
    return pd.Index(list(FINDING_COLUMNS))


def _validate(df: pd.DataFrame) -> None:
    if not len(df):
        return
    check = df["check"] if "check" in df.columns else None
    if check is None or check.isna().any():
        raise ValueError("Every finding needs a 'check' name.")
    if "severity" in df.columns:
        bad = ~df["severity"].isin(SEVERITIES).to_numpy()
    else:
        bad = np.ones(len(df), dtype=bool)
    if bad.any():
        sev = df["severity"] if "severity" in df.columns else pd.Series(pd.NA, index=df.index, dtype=object)
        raise ValueError(
            f"Finding severity must be one of {SEVERITIES}; got {sorted(map(str, sev[bad].unique()))}."
        )


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """The findings shape of ``df``: columns in order, ``row`` Int64, the rest object with
    missing as None (``value`` keeps its missing markers), a fresh RangeIndex.

    Works column by column on arrays: a frame that already has the shape (the usual case
    inside the package) costs a few array scans, not a chain of pandas conversions.
    """
    if not df.columns.is_unique:
        return _normalise_slow(df)
    _validate(df)
    n = len(df)
    row = None
    texts = []
    for col in FINDING_COLUMNS:
        s = df[col] if col in df.columns else None
        if col == "row":
            if s is None:
                row = pd.array(np.full(n, pd.NA, dtype=object), dtype="Int64")
            elif isinstance(s.dtype, pd.Int64Dtype):
                row = s.array.copy()
            else:
                row = pd.to_numeric(s, errors="coerce").astype("Int64").array
            continue
        if s is None:
            vals = np.full(n, pd.NA if col == "value" else None, dtype=object)
        else:
            vals = (s if s.dtype == object else s.astype(object)).to_numpy(dtype=object)
            if col != "value":
                na = pd.isna(vals)
                if na.any():
                    vals = vals.copy()
                    vals[na] = None
        texts.append(vals)
    return _build(row, texts, n)


def _normalise_slow(df: pd.DataFrame) -> pd.DataFrame:
    """General path (duplicate column labels): pandas conversions on a reindexed copy."""
    df = df.copy()
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


def _in_shape(df: pd.DataFrame) -> bool:
    """True if ``df`` is already exactly what :func:`make_findings` would return for it."""
    if tuple(df.columns) != FINDING_COLUMNS or not isinstance(df.index, pd.RangeIndex):
        return False
    if df.index.start != 0 or df.index.step != 1 or not isinstance(df["row"].dtype, pd.Int64Dtype):
        return False
    for col in _TEXT_COLUMNS:
        if df[col].dtype != object:
            return False
    if len(df):
        try:
            _validate(df)
        except ValueError:
            return False
        for col in _TEXT_COLUMNS:
            if col == "value":
                continue
            vals = df[col].to_numpy()
            na = pd.isna(vals)
            if na.any() and any(v is not None for v in vals[na]):
                return False
    return True


def concat_findings(frames) -> pd.DataFrame:
    """Stack findings DataFrames (None entries ignored) into one, keeping the shape.

    Examples
    --------
    >>> a = make_findings([{"check": "x", "severity": "info"}])
    >>> len(concat_findings([a, None, a]))
    2
    """
    # Each part is brought into the shape (parts already in it are used as they are); a
    # stack of parts in the shape is itself in the shape, so it is not normalised again.
    parts = [f if _in_shape(f) else make_findings(f) for f in frames if f is not None and len(f)]
    if not parts:
        return _empty()
    return pd.concat(parts, ignore_index=True)


def _stack(frames) -> pd.DataFrame:
    """:func:`concat_findings` for frames known to be in the findings shape (made by
    :func:`make_findings` or :func:`_build`): no per-part check. None/empty parts are
    dropped; a single part is returned as it is."""
    parts = [f for f in frames if f is not None and len(f)]
    if not parts:
        return _empty()
    if len(parts) == 1:
        return parts[0]
    columns = [_shape_columns(f) for f in parts]
    if any(c is None for c in columns):
        return pd.concat(parts, ignore_index=True)
    # Each column's arrays end to end: what pd.concat gives for frames of one shape.
    row = type(columns[0][0])._concat_same_type([c[0] for c in columns])
    texts = [np.concatenate([c[1][j] for c in columns]) for j in range(len(_TEXT_COLUMNS))]
    return _build(row, texts, len(row))


def _shape_columns(df: pd.DataFrame):
    """``(row, texts)`` arrays of a frame with exactly the findings columns, ``row`` an
    ``Int64`` array and the rest object arrays; None for any other frame."""
    if len(df.columns) != len(FINDING_COLUMNS) or list(df.columns) != list(FINDING_COLUMNS):
        return None
    mgr = df._mgr
    row = mgr.iget_values(FINDING_COLUMNS.index("row"))
    if not isinstance(row, pd.arrays.IntegerArray) or row.dtype != "Int64":
        return None
    texts = [mgr.iget_values(int(i)) for i in _TEXT_PLACES]
    if not all(isinstance(t, np.ndarray) and t.dtype == object for t in texts):
        return None
    return row, texts
