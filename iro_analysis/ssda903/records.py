"""Record-level checks made when a return is loaded.

Checks (``check`` names in the findings):

``date_unparseable`` (error)
    A non-blank date that is not ``dd/mm/yyyy`` (ISO ``yyyy-mm-dd`` in LIIA tidy files);
    the value was loaded as NaT. Mirrors DfE rule 166 for REVIEW.
``unknown_code`` (error)
    A code not in the code list of its collection year (:func:`iro_analysis.codes.valid_codes`;
    all years' codes when the year is unknown), e.g. SEX ``1`` in a 2024-25 return (rule 101).
``duplicate_row`` (warning)
    A row identical to an earlier row of the same table and collection year.
``duplicate_key`` (warning)
    Same key, different content: header CHILD, episodes (CHILD, DECOM), reviews
    (CHILD, REVIEW) within one collection year.
``child_not_in_header`` (warning)
    A CHILD in another table that the header of the same collection year lacks
    (validator internal check INT08 for reviews).
``dob_mismatch`` (warning)
    DOB in a table differs from DOB in the header for the same child and year
    (validator INT17 for reviews).
``dates_after_year_end`` (warning)
    One summary row per table and year when episodes start (DECOM) or reviews are held
    (REVIEW) after 31 March of the collection year: the year label is probably wrong
    (e.g. files named by the year the collection *starts*).

All findings name the table, the 1-based line in the source file (header = line 1; NA for
XML or data built in memory), the CHILD, the column and the value. They are child-level:
restricted output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import valid_codes
from ..findings import FINDING_COLUMNS, SEVERITIES, _build as _build_findings, _stack, make_findings
from .model import as_return, child_keys

__all__ = ["CODE_CHECKS", "load_findings", "loaded_findings", "date_findings", "code_findings"]

#: Table -> columns checked against the year's code list.
CODE_CHECKS: dict[str, tuple[str, ...]] = {
    "header": ("SEX", "ETHNIC", "MOTHER"),
    "episodes": ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE"),
    "reviews": ("REVIEW_CODE",),
    "uasc": ("SEX",),
    "missing": ("MISSING",),
    "oc3": ("IN_TOUCH",),
    "ad1": ("SEX_ADOPTR", "LS_ADOPTR"),
    "placed_for_adoption": ("REASON_PLACED_CEASED",),
    "previous_permanence": ("PREV_PERM",),
    "social_worker": ("SW_REASON",),
}

_KEYS = {"header": ("CHILD",), "episodes": ("CHILD", "DECOM"), "reviews": ("CHILD", "REVIEW")}


def _where(file, lines) -> list[str]:
    """' (file line N)' per row (lines <= 0 mean unknown)."""
    return [f" ({file} line {int(n)})" if n is not None and n > 0 else (f" ({file})" if file else "") for n in lines]


def _frame(check, severity, table, rows, children, column, values, messages) -> pd.DataFrame:
    n = len(messages)
    fast = _frame_fast(check, severity, table, rows, children, column, values, messages, n)
    if fast is not None:
        return fast
    rows = [pd.NA] * n if rows is None else [int(r) if r is not None and r > 0 else pd.NA for r in rows]
    return make_findings(
        pd.DataFrame(
            {
                "check": [check] * n,
                "severity": [severity] * n,
                "table": [table] * n,
                "row": rows,
                "CHILD": list(children),
                "column": [column] * n,
                "value": list(values),
                "message": list(messages),
            },
            columns=list(FINDING_COLUMNS),
        )
    )


def _frame_fast(check, severity, table, rows, children, column, values, messages, n):
    """The findings frame built straight from arrays, or None when an input is not plain
    (then the general path, with pandas' type inference, decides the result).

    Plain means: constants are str (``column`` may be None), ``rows`` integers, CHILD values
    str or missing, values all str or all None, messages str. For such input the general
    path gives exactly these cells (str kept, missing CHILD as None, ``row`` <= 0 as NA).
    """
    if not all(type(c) is str for c in (check, severity, table)) or not (column is None or type(column) is str):
        return None
    if severity not in SEVERITIES:
        return None
    if rows is None:
        row = pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
    else:
        r = np.asarray(rows)
        if r.dtype.kind not in "iu" or len(r) != n:
            return None
        r = r.astype(np.int64)
        row = pd.arrays.IntegerArray(np.where(r > 0, r, 0), r <= 0)
    kids = np.asarray(children, dtype=object)
    vals = np.asarray(values, dtype=object)
    msgs = np.asarray(messages, dtype=object)
    if len(kids) != n or len(vals) != n or len(msgs) != n or kids.ndim != 1 or vals.ndim != 1:
        return None
    if not all(type(m) is str for m in msgs):
        return None
    if not all(type(v) is str for v in vals) and not all(v is None for v in vals):
        return None
    kids = kids.copy()
    for i, k in enumerate(kids):
        if type(k) is str:
            continue
        if k is None or (type(k) is float and k != k):
            kids[i] = None
        else:
            return None
    const = lambda c: np.full(n, c, dtype=object)  # noqa: E731
    return _build_findings(row, [const(check), const(severity), const(table), kids, const(column), vals, msgs], n)


def date_findings(*, table, column, values, children, lines=None, file=None, iso=False) -> pd.DataFrame:
    """Findings for dates that did not parse (``date_unparseable``).

    Parameters
    ----------
    table, column : str
        Where the dates are.
    values, children : sequence
        The raw date strings that failed and the CHILD of each row.
    lines : sequence of int, optional
        1-based source line of each row.
    file : str, optional
        Source file name, quoted in the message.
    iso : bool
        Whether ISO dates were expected.

    Returns
    -------
    DataFrame in the findings shape.
    """
    values = list(values)
    children = list(children)
    lines = None if lines is None else list(lines)
    fmt = "yyyy-mm-dd" if iso else "dd/mm/yyyy"
    where = [""] * len(values) if lines is None else _where(file, lines)
    if lines is None and file:
        where = [f" ({file})"] * len(values)
    msgs = [
        f"{column} value {v!r} is not a valid {fmt} date{w}; it was read as missing. Correct it in the case management system and re-export."
        for v, w in zip(values, where)
    ]
    return _frame("date_unparseable", "error", table, lines, children, column, values, msgs)


def code_findings(*, table, frame, years=None, lines=None, file=None) -> list[pd.DataFrame]:
    """Findings for codes outside the collection year's code list (``unknown_code``).

    Parameters
    ----------
    table : str
        Table name (decides which columns are checked, see :data:`CODE_CHECKS`).
    frame : DataFrame
        The table with upper-cased code columns (blank = NaN).
    years : array of int, optional
        Collection year of each row; None checks against every year's codes.
    lines : array of int, optional
        1-based source line of each row.
    file : str, optional
        Source file name, quoted in the message.

    Returns
    -------
    list of DataFrame in the findings shape (one per column with problems).
    """
    out = []
    for col in CODE_CHECKS.get(table, ()):
        if col not in frame.columns:
            continue
        s = frame[col]
        present = s.notna().to_numpy()
        if not present.any():
            continue
        bad = np.zeros(len(s), dtype=bool)
        if years is None:
            bad = present & ~s.isin(valid_codes(col)).to_numpy()
            year_of = [None] * len(s)
        else:
            years = np.asarray(years)
            for y in np.unique(years):
                m = years == y
                bad |= m & present & ~s.isin(valid_codes(col, int(y))).to_numpy()
            year_of = years
        if not bad.any():
            continue
        idx = np.flatnonzero(bad)
        vals = s.to_numpy()[idx]
        kids = frame["CHILD"].to_numpy()[idx] if "CHILD" in frame.columns else [None] * len(idx)
        ln = None if lines is None else np.asarray(lines)[idx]
        where = _where(file, ln) if ln is not None else ([f" ({file})"] * len(idx) if file else [""] * len(idx))
        yrs = [year_of[i] for i in idx]
        msgs = [
            f"{col} code {v!r} is not a valid code"
            + (f" for collection year {int(y)} ({int(y) - 1}-{str(int(y))[-2:]})" if y is not None else "")
            + f"{w}. See iro_analysis.codes.valid_codes('{col}', year) for the valid codes."
            for v, y, w in zip(vals, yrs, where)
        ]
        out.append(_frame("unknown_code", "error", table, ln, kids, col, vals, msgs))
    return out


def _lines_of(data, table, n) -> np.ndarray:
    """Source line of each row (-1 throughout when not known)."""
    lines = data.source_lines(table)
    return np.full(n, -1, dtype=np.int64) if lines is None else lines


def _files_of(data, table, n) -> np.ndarray:
    """Source file of each row ('' throughout when not known)."""
    files = data.source_files(table)
    return np.full(n, "", dtype=object) if files is None else files


def _loc_text(files, lines) -> list[str]:
    out = []
    for f, n in zip(files, lines):
        if f and n > 0:
            out.append(f" ({f} line {int(n)})")
        elif f:
            out.append(f" ({f})")
        else:
            out.append("")
    return out


def _fmt(v) -> str:
    if isinstance(v, pd.Timestamp):
        return v.strftime("%d/%m/%Y")
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _date_ints(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _duplicated_rows(df: pd.DataFrame, cand: np.ndarray, key: np.ndarray) -> np.ndarray:
    """``df.loc[cand].duplicated(keep="first")`` spread over all rows (False outside ``cand``).

    ``cand`` marks rows whose ``key`` (CHILD and year, equal for identical rows) is shared.
    Rows are grouped column by column, dropping rows left alone in their group after each
    column: a row alone on some columns equals no other row. Most rows drop out after the
    first few (date) columns, so the costly string columns are hashed for a handful of
    rows only. Each column is factorised exactly as ``DataFrame.duplicated`` does (missing
    values equal each other), so the result is the same.
    """
    dup = np.zeros(len(df), dtype=bool)
    rows = np.flatnonzero(cand)
    if not len(rows):
        return dup
    if len(df.columns) < 2 or not df.columns.is_unique:
        # pandas compares a single column with Series.duplicated (None and NaN differ there)
        dup[rows] = df.iloc[rows].duplicated(keep="first").to_numpy()
        return dup
    gid = pd.factorize(key[rows])[0].astype(np.int64)
    # Cheap-to-hash (non-object) columns first; the order does not change the result.
    text = df.dtypes.to_numpy() == object
    for col in [c for c, t in zip(df.columns, text) if not t] + [c for c, t in zip(df.columns, text) if t]:
        vals = df[col].array
        if isinstance(vals, pd.arrays.NumpyExtensionArray):
            vals = vals.to_numpy()
        sub = vals[rows] if isinstance(vals, np.ndarray) else vals.take(rows)
        rows, gid = _split_groups(rows, gid, pd.factorize(sub)[0].astype(np.int64) + 1)  # missing (-1) -> 0
        if not len(rows):
            return dup
    first = np.unique(gid, return_index=True)[1]
    later = np.ones(len(rows), dtype=bool)
    later[first] = False
    dup[rows[later]] = True
    return dup


def _split_groups(rows: np.ndarray, gid: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The groups ``gid`` of ``rows`` split by ``codes`` (equal values, equal non-negative
    codes), renumbered from 0 in order of appearance; rows left alone in their group are
    dropped (they equal no other row)."""
    gid = pd.factorize(gid * (int(codes.max()) + 1) + codes)[0].astype(np.int64)
    shared = np.bincount(gid)[gid] > 1
    if not shared.all():
        rows, gid = rows[shared], gid[shared]
    return rows, gid


def _duplicated_parts(parts: dict) -> np.ndarray:
    """``pd.DataFrame(parts).duplicated(keep="first")`` as a bool array.

    When every part is an int64 array (CHILD/year key, dates as integers) the parts are
    combined into one group number per row by factorising: the same equality, without
    building a frame.
    """
    arrays = list(parts.values())
    if len(arrays) < 2 or not len(arrays[0]) or not all(isinstance(a, np.ndarray) and a.dtype == np.int64 for a in arrays):
        return pd.DataFrame(parts).duplicated(keep="first").to_numpy()
    gid = arrays[0]
    for a in arrays[1:]:
        codes = pd.factorize(a)[0].astype(np.int64)
        width = int(codes.max()) + 1
        low, span = int(gid.min()), int(gid.max()) - int(gid.min()) + 1
        if span * width >= 2**62:  # the combined number would overflow: number the groups first
            gid, low, span = pd.factorize(gid)[0].astype(np.int64), 0, len(gid)
        # (group, code) -> one int64, distinct pairs to distinct numbers
        gid = (gid - low) * width + codes
    return pd.Series(gid).duplicated(keep="first").to_numpy()


def _duplicates(data, keys_by_table) -> list[pd.DataFrame]:
    out = []
    for table in data.tables:
        df = data.table(table)
        if not len(df):
            continue
        lines = _lines_of(data, table, len(df))
        files = _files_of(data, table, len(df))
        key = keys_by_table.get(table)
        # Identical rows share CHILD (and year): compare full rows only among those.
        if key is not None:
            group = pd.factorize(key)[0]  # same groups as the key, numbered 0, 1, ...
            cand = np.bincount(group)[group] > 1
            dup = _duplicated_rows(df, cand, group)
        else:
            dup = df.duplicated(keep="first").to_numpy()
        if dup.any():
            idx = np.flatnonzero(dup)
            loc = _loc_text(files[idx], lines[idx])
            msgs = [f"Row is identical to an earlier row of the {table} table{w}; it may be counted twice." for w in loc]
            out.append(
                _frame("duplicate_row", "warning", table, lines[idx],
                       df["CHILD"].to_numpy()[idx] if "CHILD" in df else [None] * len(idx),
                       None, [None] * len(idx), msgs)
            )
        kcols = _KEYS.get(table)
        if kcols and key is not None and all(k in df.columns for k in kcols):
            parts = {"k": key}
            complete = key >= 0
            for k in kcols[1:]:
                s = df[k]
                parts[k] = _date_ints(s) if pd.api.types.is_datetime64_any_dtype(s) else s.to_numpy(dtype=object)
                complete &= s.notna().to_numpy()
            kd = _duplicated_parts(parts) & ~dup & complete
            if kd.any():
                idx = np.flatnonzero(kd)
                col = kcols[-1]
                vals = [_fmt(v) for v in df[col].iloc[idx]]
                loc = _loc_text(files[idx], lines[idx])
                what = " and ".join(kcols)
                msgs = [f"Another row of the {table} table has the same {what} ({v}) but different values{w}; keep one." for v, w in zip(vals, loc)]
                out.append(_frame("duplicate_key", "warning", table, lines[idx], df["CHILD"].to_numpy()[idx], col, vals, msgs))
    return out


def _not_in_header(data, keys_by_table) -> list[pd.DataFrame]:
    if data.header is None or "header" not in keys_by_table:
        return []
    # Hash lookup of the header's keys (same answer as np.isin, without sorting per table).
    hkeys = pd.Index(pd.unique(keys_by_table["header"]))
    same_year = all("collection_year" in data.table(t).columns for t in keys_by_table)
    out = []
    for table, key in keys_by_table.items():
        if table == "header" or not len(key):
            continue
        df = data.table(table)
        missing = (key >= 0) & (hkeys.get_indexer(key) < 0)
        if not missing.any():
            continue
        idx = np.flatnonzero(missing)
        lines = _lines_of(data, table, len(df))[idx]
        files = _files_of(data, table, len(df))[idx]
        kids = df["CHILD"].to_numpy()[idx]
        loc = _loc_text(files, lines)
        msgs = [
            f"CHILD {k!r} is in the {table} table but not in the header{' of the same collection year' if same_year else ''}{w}. "
            "Add the child to the header or correct the CHILD id."
            for k, w in zip(kids, loc)
        ]
        out.append(_frame("child_not_in_header", "warning", table, lines, kids, "CHILD", kids, msgs))
    return out


def _dob_mismatch(data, keys_by_table) -> list[pd.DataFrame]:
    if data.header is None or "DOB" not in data.header.columns or "header" not in keys_by_table:
        return []
    hkey = keys_by_table["header"]
    hdob = _date_ints(data.header["DOB"])
    nat = np.iinfo(np.int64).min
    ok = (hkey >= 0) & (hdob != nat)
    first = ~pd.Series(hkey).duplicated(keep="first").to_numpy()
    lookup = pd.Index(hkey[ok & first])
    lookup_dob = hdob[ok & first]
    if not len(lookup):  # no child has a readable DOB in the header: nothing to compare with
        return []
    out = []
    for table, key in keys_by_table.items():
        df = data.table(table)
        if table == "header" or not len(df) or "DOB" not in df.columns:
            continue
        pos = lookup.get_indexer(key)
        tdob = _date_ints(df["DOB"])
        matched = pos >= 0
        bad = matched & (tdob != nat) & (tdob != np.where(matched, lookup_dob[np.maximum(pos, 0)], nat))
        if not bad.any():
            continue
        idx = np.flatnonzero(bad)
        lines = _lines_of(data, table, len(df))[idx]
        files = _files_of(data, table, len(df))[idx]
        vals = [_fmt(v) for v in df["DOB"].iloc[idx]]
        hd = [_fmt(pd.Timestamp(v)) for v in lookup_dob[pos[idx]].view("datetime64[ns]")]
        loc = _loc_text(files, lines)
        msgs = [f"DOB {v} in the {table} table differs from DOB {h} in the header{w}." for v, h, w in zip(vals, hd, loc)]
        out.append(_frame("dob_mismatch", "warning", table, lines, df["CHILD"].to_numpy()[idx], "DOB", vals, msgs))
    return out


def _after_year_end(data) -> list[pd.DataFrame]:
    out = []
    for table, col in (("episodes", "DECOM"), ("reviews", "REVIEW")):
        df = data.table(table)
        if df is None or col not in df.columns or "collection_year" not in df.columns or not len(df):
            continue
        years = df["collection_year"]
        yv = years.to_numpy()
        if yv.dtype.kind in "iu" and yv.min() >= 1700 and yv.max() <= 2200:
            # 31 March of each row's year: 1 March plus 30 days, in numpy.
            march = ((yv.astype(np.int64) - 1970) * 12 + 2).astype("datetime64[M]")
            end = march.astype("datetime64[ns]") + np.timedelta64(30, "D")
        else:
            ends = {y: pd.Timestamp(int(y), 3, 31) for y in pd.unique(years.dropna())}
            end = years.map(ends).to_numpy(dtype="datetime64[ns]")
        late = (df[col].to_numpy(dtype="datetime64[ns]") > end)
        if not late.any():
            continue
        counts = df.loc[late].groupby("collection_year").size()
        totals = df.groupby("collection_year").size()
        recs = []
        for y, n in counts.items():
            y = int(y)
            recs.append(
                {"check": "dates_after_year_end", "severity": "warning", "table": table, "row": pd.NA,
                 "CHILD": None, "column": col, "value": str(y),
                 "message": f"{n:,} of {int(totals[y]):,} {table} rows of collection year {y} ({y - 1}-{str(y)[-2:]}) have {col} "
                            f"after 31 March {y}. Check the year label: a return for year {y} ends on 31 March {y} "
                            "(files named by the year the collection starts are one year early)."}
            )
        out.append(make_findings(recs))
    return out


def load_findings(data) -> pd.DataFrame:
    """Record-level findings on a loaded (or hand-built) SSDA903.

    Parameters
    ----------
    data : SSDA903
        As returned by :func:`iro_analysis.ssda903.load_ssda903` (source lines are then
        known) or built directly (``row`` is then NA); any object :func:`.model.as_return`
        takes.

    Returns
    -------
    DataFrame
        Findings (columns ``check, severity, table, row, CHILD, column, value, message``)
        for ``duplicate_row``, ``duplicate_key``, ``child_not_in_header``, ``dob_mismatch``
        and ``dates_after_year_end``. Date and code findings are made while loading,
        because they need the raw text; they are in ``data.findings``.

    Examples
    --------
    >>> import pandas as pd
    >>> from iro_analysis.ssda903 import SSDA903
    >>> d = SSDA903(header=pd.DataFrame({"CHILD": ["A"], "DOB": pd.to_datetime(["2015-01-01"])}),
    ...             reviews=pd.DataFrame({"CHILD": ["B"], "DOB": pd.to_datetime(["2015-01-01"]),
    ...                                   "REVIEW": pd.to_datetime(["2023-01-01"]), "REVIEW_CODE": ["PN1"]}))
    >>> load_findings(d)[["check", "table", "CHILD"]].values.tolist()
    [['child_not_in_header', 'reviews', 'B']]
    """
    data = as_return(data)
    keys = child_keys(data)
    parts = _duplicates(data, keys) + _not_in_header(data, keys) + _dob_mismatch(data, keys) + _after_year_end(data)
    # Every part was made by make_findings or _frame, so it is in the shape already.
    return _stack(parts)


# --------------------------------------------------------------------------------------
# The same checks on a return as the loader builds it
# --------------------------------------------------------------------------------------


def loaded_findings(data, arrays: dict, child: dict) -> pd.DataFrame:
    """:func:`load_findings` of a return the loader has just built, from the arrays it built
    the tables from rather than from the frames.

    Parameters
    ----------
    data : SSDA903
        The return, with its source lines and files.
    arrays : dict of {table: dict of {column: ndarray}}
        Every table of ``data``, column by column, as the arrays its frame was made of.
    child : dict of {table: list of (codes, values)}
        The ``CHILD`` column of each file a table was stacked from, factorised: distinct
        values (stripped text, NaN for blank) and each row's position among them.

    Returns
    -------
    DataFrame
        What :func:`load_findings` gives for ``data``: the same checks on column arrays read
        without pandas indexing, with each (child, collection year) numbered densely (the
        children over the distinct ``CHILD`` values of each file, the years among those
        present) so that grouping and lookups are array indexing rather than hashing. The
        general path decides when an input is not of that shape (a table without ``CHILD``
        or of one column, identifiers that are not text, years outside 0-9999).
    """
    if set(arrays) != set(data.tables) or any(
        "CHILD" not in cols or len(cols) < 2 or cols.get("collection_year", np.zeros(0, np.int64)).dtype != np.int64
        for cols in arrays.values()
    ):
        return load_findings(data)
    pairs = _loaded_pairs(arrays, child)
    if pairs is None:
        return load_findings(data)
    lines = {t: data._lines[t] for t in arrays}
    files = {t: data._files[t] for t in arrays}
    parts = (_loaded_duplicates(arrays, pairs, lines, files) + _loaded_not_in_header(arrays, pairs, lines, files)
             + _loaded_dob_mismatch(arrays, pairs, lines, files) + _loaded_after_year_end(data, arrays))
    return _stack(parts)


def _loaded_pairs(arrays: dict, child: dict) -> dict | None:
    """Per table, one number per row for its (child, collection year), from 1 up, equal
    exactly where :func:`.model.child_keys` gives equal keys; 0 for a row without a CHILD.

    Children are numbered over the distinct values of every file at once; the year is part
    of the pair when every table has ``collection_year``, as in ``child_keys``. None when a
    CHILD value is not text or a year is outside 0-9999 (where ``child_keys``'s
    ``child * 10000 + year`` could make two pairs one key).
    """
    uniques = [u for t in arrays for _, u in child[t]]
    allu = np.concatenate(uniques)
    if pd.api.types.infer_dtype(allu, skipna=True) not in ("string", "empty"):
        return None
    # Text as loaded is stripped and non-blank (blank is NaN): child_ids leaves it as it is,
    # so numbering the values is numbering the normalised values.
    codes = pd.factorize(allu)[0].astype(np.int64)
    use_year = all("collection_year" in cols for cols in arrays.values())
    years = None
    if use_year:
        every = np.concatenate([cols["collection_year"] for cols in arrays.values()])
        if len(every) and (every.min() < 0 or every.max() >= 10_000):
            return None
        years = np.unique(every)
    out = {}
    at = 0
    for t in arrays:
        rows = []
        for c, u in child[t]:
            rows.append(codes[at : at + len(u)][c])
            at += len(u)
        number = rows[0] if len(rows) == 1 else np.concatenate(rows)
        pair = number * len(years) + np.searchsorted(years, arrays[t]["collection_year"]) if use_year else number
        out[t] = np.where(number < 0, 0, pair + 1)
    return out


def _array_date_ints(values: np.ndarray) -> np.ndarray:
    """:func:`_date_ints` of a column array (a ``datetime64[ns]`` array is viewed as it is)."""
    if values.dtype == "datetime64[ns]":
        return values.view(np.int64)
    return _date_ints(pd.Series(values))


def _firsts(groups: np.ndarray) -> np.ndarray:
    """True at the first row of each group, for group numbers in order of first appearance
    from 0 (as ``pd.factorize`` gives): a row is first when its number is a new maximum."""
    top = np.maximum.accumulate(groups)
    first = np.empty(len(groups), dtype=bool)
    first[:1] = True
    first[1:] = top[1:] > top[:-1]
    return first


def _duplicated_columns(columns: list, cand: np.ndarray, group: np.ndarray) -> np.ndarray:
    """:func:`_duplicated_rows` on column arrays: rows marked in ``cand`` grouped by
    ``group`` (non-negative numbers) and then column by column, rows left alone dropped."""
    dup = np.zeros(len(cand), dtype=bool)
    rows = np.flatnonzero(cand)
    if not len(rows):
        return dup
    gid = pd.factorize(group[rows])[0].astype(np.int64)
    for values in columns:
        sub = values[rows]
        if sub.dtype.kind == "M":
            sub = sub.view(np.int64)  # NaT is one number, equal only to itself
        rows, gid = _split_groups(rows, gid, pd.factorize(sub)[0].astype(np.int64) + 1)  # missing text (-1) -> 0
        if not len(rows):
            return dup
    dup[rows[~_firsts(gid)]] = True
    return dup


def _loaded_duplicates(arrays, pairs, lines, files) -> list[pd.DataFrame]:
    out = []
    for table, cols in arrays.items():
        kids = cols["CHILD"]
        n = len(kids)
        if not n:
            continue
        # Rows grouped by their key (the child and year, and the table's key date): identical
        # rows share it, and a row sharing it with an earlier row is a duplicate key.
        group = pairs[table]
        kcols = _KEYS.get(table) if all(k in cols for k in _KEYS.get(table, ("-",))) else None
        complete = group > 0
        for k in (kcols or ())[1:]:
            v = cols[k]
            if v.dtype.kind == "M":
                codes = pd.factorize(v.view(np.int64))[0].astype(np.int64)
                complete &= ~np.isnat(v)
            else:
                codes = pd.factorize(v.astype(object))[0].astype(np.int64) + 1
                complete &= pd.notna(v)
            group = group * (int(codes.max()) + 1) + codes
        group = pd.factorize(group)[0].astype(np.int64)
        cand = np.bincount(group)[group] > 1
        order = [cols[c] for c in cols if c != "CHILD" and cols[c].dtype != object] + [pairs[table]]
        order += [cols[c] for c in cols if c != "CHILD" and cols[c].dtype == object]
        dup = _duplicated_columns(order, cand, group)
        if dup.any():
            idx = np.flatnonzero(dup)
            loc = _loc_text(files[table][idx], lines[table][idx])
            msgs = [f"Row is identical to an earlier row of the {table} table{w}; it may be counted twice." for w in loc]
            out.append(_frame("duplicate_row", "warning", table, lines[table][idx], kids[idx], None, [None] * len(idx), msgs))
        if kcols:
            kd = ~_firsts(group) & ~dup & complete
            if kd.any():
                idx = np.flatnonzero(kd)
                col = kcols[-1]
                vals = [_fmt(v) for v in pd.Series(cols[col][idx])]
                loc = _loc_text(files[table][idx], lines[table][idx])
                what = " and ".join(kcols)
                msgs = [f"Another row of the {table} table has the same {what} ({v}) but different values{w}; keep one." for v, w in zip(vals, loc)]
                out.append(_frame("duplicate_key", "warning", table, lines[table][idx], kids[idx], col, vals, msgs))
    return out


def _loaded_not_in_header(arrays, pairs, lines, files) -> list[pd.DataFrame]:
    if "header" not in arrays:
        return []
    size = 1 + max(int(p.max()) for p in pairs.values() if len(p)) if any(len(p) for p in pairs.values()) else 1
    in_header = np.zeros(size, dtype=bool)
    in_header[pairs["header"]] = True
    same_year = all("collection_year" in cols for cols in arrays.values())
    out = []
    for table, pair in pairs.items():
        if table == "header" or not len(pair):
            continue
        missing = (pair > 0) & ~in_header[pair]
        if not missing.any():
            continue
        idx = np.flatnonzero(missing)
        kids = arrays[table]["CHILD"][idx]
        loc = _loc_text(files[table][idx], lines[table][idx])
        msgs = [
            f"CHILD {k!r} is in the {table} table but not in the header{' of the same collection year' if same_year else ''}{w}. "
            "Add the child to the header or correct the CHILD id."
            for k, w in zip(kids, loc)
        ]
        out.append(_frame("child_not_in_header", "warning", table, lines[table][idx], kids, "CHILD", kids, msgs))
    return out


def _loaded_dob_mismatch(arrays, pairs, lines, files) -> list[pd.DataFrame]:
    if "header" not in arrays or "DOB" not in arrays["header"]:
        return []
    hpair = pairs["header"]
    hdob = _array_date_ints(arrays["header"]["DOB"])
    nat = np.iinfo(np.int64).min
    # The DOB of each pair's first header row, where that row has a child and a readable DOB.
    first = _firsts(pd.factorize(hpair)[0]) & (hpair > 0) & (hdob != nat)
    if not first.any():
        return []
    size = 1 + max(int(p.max()) for p in pairs.values() if len(p))
    known = np.zeros(size, dtype=bool)
    dob = np.full(size, nat, dtype=np.int64)
    known[hpair[first]] = True
    dob[hpair[first]] = hdob[first]
    out = []
    for table, pair in pairs.items():
        cols = arrays[table]
        if table == "header" or not len(pair) or "DOB" not in cols:
            continue
        tdob = _array_date_ints(cols["DOB"])
        bad = known[pair] & (tdob != nat) & (tdob != dob[pair])
        if not bad.any():
            continue
        idx = np.flatnonzero(bad)
        vals = [_fmt(v) for v in pd.Series(cols["DOB"][idx])]
        hd = [_fmt(pd.Timestamp(v)) for v in dob[pair[idx]].view("datetime64[ns]")]
        loc = _loc_text(files[table][idx], lines[table][idx])
        msgs = [f"DOB {v} in the {table} table differs from DOB {h} in the header{w}." for v, h, w in zip(vals, hd, loc)]
        out.append(_frame("dob_mismatch", "warning", table, lines[table][idx], cols["CHILD"][idx], "DOB", vals, msgs))
    return out


def _loaded_after_year_end(data, arrays) -> list[pd.DataFrame]:
    """:func:`_after_year_end`, which is run only when some row is late."""
    for table, col in (("episodes", "DECOM"), ("reviews", "REVIEW")):
        cols = arrays.get(table)
        if cols is None or col not in cols or "collection_year" not in cols or not len(cols[col]):
            continue
        yv, when = cols["collection_year"], cols[col]
        if when.dtype != "datetime64[ns]" or yv.min() < 1700 or yv.max() > 2200:
            return _after_year_end(data)
        end = ((yv - 1970) * 12 + 2).astype("datetime64[M]").astype("datetime64[ns]") + np.timedelta64(30, "D")
        if (when > end).any():
            return _after_year_end(data)
    return []
