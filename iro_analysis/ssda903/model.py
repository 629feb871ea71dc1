"""The SSDA903 return in memory: its tables, their DfE columns, and the :class:`SSDA903` object.

Every analysis takes one data argument: an :class:`SSDA903` as :func:`load_ssda903` returns
it, or, in tests and notebooks, any object with some of the table attributes
(``types.SimpleNamespace(episodes=...)``) or a dict of tables. :func:`as_return` turns any of
these into an :class:`SSDA903`, so code reads tables in one way (:meth:`SSDA903.table`) and
finds source lines in one way (:meth:`SSDA903.source_lines`). :func:`child_ids` is the one
normalisation of ``CHILD`` values, and :func:`child_keys` the one key for "the same child in
the same return" across tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import findings as _findings
from ..errors import ParameterError

__all__ = [
    "SSDA903",
    "TABLE_COLUMNS",
    "TABLES",
    "DFE_TABLE_NAMES",
    "DATE_COLUMNS",
    "as_return",
    "child_ids",
    "child_keys",
]

#: Table name -> exact DfE CSV column list, in DfE order (csc-validator-be-903
#: ``lac_validator/config.py``; LIIA ``SSDA903_schema_2024.yml``).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    ),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "oc2": (
        "CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS",
        "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": (
        "CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "placed_for_adoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "previous_permanence": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "social_worker": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    "dolo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
}

#: Table names in load order.
TABLES = tuple(TABLE_COLUMNS)

#: Our table names -> the validator's datastore keys (as used in DfE rule messages).
DFE_TABLE_NAMES = {
    "header": "Header",
    "episodes": "Episodes",
    "reviews": "Reviews",
    "uasc": "UASC",
    "missing": "Missing",
    "oc2": "OC2",
    "oc3": "OC3",
    "ad1": "AD1",
    "placed_for_adoption": "PlacedAdoption",
    "previous_permanence": "PrevPerm",
    "social_worker": "SWEpisodes",
    "dolo": "DoLo",
}

#: Date columns per table (dd/mm/yyyy in DfE files, ISO in LIIA tidy files).
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "header": ("DOB", "MC_DOB"),
    "episodes": ("DECOM", "DEC"),
    "reviews": ("DOB", "REVIEW"),
    "uasc": ("DOB", "DUC"),
    "missing": ("DOB", "MIS_START", "MIS_END"),
    "oc2": ("DOB",),
    "oc3": ("DOB",),
    "ad1": ("DOB", "DATE_INT", "DATE_MATCH"),
    "placed_for_adoption": ("DOB", "DATE_PLACED", "DATE_PLACED_CEASED"),
    "previous_permanence": ("DOB", "DATE_PERM"),
    "social_worker": ("DOB", "SW_DECOM", "SW_DEC"),
    "dolo": ("DOB", "DOLO_START", "DOLO_END"),
}


@dataclass
class SSDA903:
    """One SSDA903 return (or a stack of returns), one DataFrame per table.

    Attributes
    ----------
    header, episodes, reviews, uasc, missing, oc2, oc3, ad1, placed_for_adoption,
    previous_permanence, social_worker, dolo : DataFrame or None
        DfE column names (see :data:`TABLE_COLUMNS`), dates ``datetime64[ns]``, codes as
        upper-case strings, missing values NaN, ``CHILD`` a string exactly as in the source,
        ``SEX`` normalised to ``"M"``/``"F"``/``"U"``. ``collection_year`` (int, year
        ending 31 March) is present when known and always in multi-year stacks. Absent
        tables are ``None``.
    findings : DataFrame
        Quality findings from loading (columns :data:`iro_analysis.quality.FINDING_COLUMNS`).
        Child-level: restricted output.
    source : str or None
        What was loaded.

    Notes
    -----
    :meth:`table` reads a table by name, :meth:`source_lines` and :meth:`source_files` say
    where each row came from, and :meth:`from_tables` builds a return from frames in memory.

    Examples
    --------
    >>> import pandas as pd
    >>> d = SSDA903(header=pd.DataFrame({"CHILD": ["A1"], "SEX": ["F"]}))
    >>> d.tables
    ['header']
    """

    header: pd.DataFrame | None = None
    episodes: pd.DataFrame | None = None
    reviews: pd.DataFrame | None = None
    uasc: pd.DataFrame | None = None
    missing: pd.DataFrame | None = None
    oc2: pd.DataFrame | None = None
    oc3: pd.DataFrame | None = None
    ad1: pd.DataFrame | None = None
    placed_for_adoption: pd.DataFrame | None = None
    previous_permanence: pd.DataFrame | None = None
    social_worker: pd.DataFrame | None = None
    dolo: pd.DataFrame | None = None
    findings: pd.DataFrame = field(default_factory=_findings.make_findings, repr=False)
    source: str | None = None
    # Per table: 1-based source line of each row, and the source file of each row (aligned
    # by position with the table). Read them with source_lines() and source_files().
    _lines: dict = field(default_factory=dict, repr=False, compare=False)
    _files: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        for name in TABLES:
            value = getattr(self, name)
            if value is not None and not isinstance(value, pd.DataFrame):
                raise ParameterError(f"SSDA903.{name} must be a pandas DataFrame or None, not {type(value).__name__}.")
        if self.findings is None:
            self.findings = _findings.make_findings()

    @property
    def tables(self) -> list[str]:
        """Names of the tables present, in :data:`TABLES` order."""
        return [t for t in TABLES if getattr(self, t) is not None]

    @property
    def collection_years(self) -> list[int]:
        """Sorted collection years present in any table (empty if unknown)."""
        years: set[int] = set()
        for t in self.tables:
            df = getattr(self, t)
            if "collection_year" in df.columns:
                years.update(int(y) for y in pd.unique(df["collection_year"].dropna()))
        return sorted(years)

    def table(self, name: str) -> pd.DataFrame | None:
        """The table ``name`` (one of :data:`TABLES`), or None when the return lacks it.

        Raises
        ------
        ParameterError
            If ``name`` is not an SSDA903 table.

        Examples
        --------
        >>> d = SSDA903(header=pd.DataFrame({"CHILD": ["A1"]}))
        >>> len(d.table("header")), d.table("reviews") is None
        (1, True)
        """
        return getattr(self, _table_name(name))

    def source_lines(self, table: str) -> np.ndarray | None:
        """1-based line in its source file of each row of ``table`` (the header row is line 1).

        Returns
        -------
        ndarray of int64 or None
            One value per row, in row order; ``-1`` for a row without a line (read from
            XML). None when the lines are not known: the table was built in memory, or it has
            gained or lost rows since loading.

        Examples
        --------
        >>> d = SSDA903.from_tables(reviews={"CHILD": ["A", "B"]}, lines={"reviews": [2, 5]})
        >>> d.source_lines("reviews").tolist(), d.source_lines("header") is None
        ([2, 5], True)
        """
        return self._per_row(self._lines, table, np.int64)

    def source_files(self, table: str) -> np.ndarray | None:
        """Source file of each row of ``table``, relative to the folder loaded.

        Returns
        -------
        ndarray of object (str) or None
            One file name per row; None when not known (as for :meth:`source_lines`).
        """
        return self._per_row(self._files, table, object)

    def _per_row(self, store, table: str, dtype) -> np.ndarray | None:
        frame = self.table(table)
        values = store.get(table) if isinstance(store, dict) else None
        if frame is None or values is None or len(values) != len(frame):
            return None
        return np.asarray(values, dtype=dtype)

    @classmethod
    def from_tables(cls, *, collection_year: int | None = None, source: str | None = None,
                    lines: dict | None = None, **frames) -> SSDA903:
        """A return built from tables in memory (tests, examples, data prepared elsewhere).

        Parameters
        ----------
        **frames : DataFrame, dict of columns or list of records
            Tables by name (``header=``, ``episodes=`` …, see :data:`TABLES`), each made into a
            DataFrame. None values are skipped. Date columns (:data:`DATE_COLUMNS`) given as
            text are read as ISO dates (``yyyy-mm-dd``), the one unambiguous text form.
        collection_year : int, optional
            Added as the ``collection_year`` column to every table that has none.
        source : str, optional
            What the tables are (kept as ``source``).
        lines : dict of {table: sequence of int}, optional
            1-based source line of each row, as :func:`load_ssda903` records them, so that
            findings name lines (:meth:`source_lines`).

        Returns
        -------
        SSDA903
            With empty ``findings``: the record checks run when a return is loaded
            (:func:`iro_analysis.quality.load_findings` runs them on any return).

        Raises
        ------
        ParameterError
            An unknown table name, a text date that is not ``yyyy-mm-dd``, or ``lines`` of
            another length than their table.

        Examples
        --------
        >>> d = SSDA903.from_tables(episodes={"CHILD": ["A"], "DECOM": ["2022-05-01"]}, collection_year=2023)
        >>> str(d.episodes["DECOM"].dtype), d.collection_years
        ('datetime64[ns]', [2023])
        """
        _check_names(frames)
        tables = {}
        for name, value in frames.items():
            if value is None:
                continue
            frame = value.copy() if isinstance(value, pd.DataFrame) else pd.DataFrame(value)
            tables[name] = _typed_for_tests(name, frame, collection_year)
        data = cls(**tables, source=source)
        for name, values in (lines or {}).items():
            frame = data.table(name)
            if frame is None or len(values) != len(frame):
                raise ParameterError(
                    f"lines for the {name} table give {len(values)} values for "
                    f"{0 if frame is None else len(frame)} rows: give one line number per row."
                )
            data._lines[name] = np.asarray(values, dtype=np.int64)
        return data

    def __repr__(self) -> str:
        parts = [f"{t}={len(getattr(self, t)):,} rows" for t in self.tables]
        years = self.collection_years
        if years:
            parts.append(f"collection_years={years}")
        parts.append(f"findings={len(self.findings):,}")
        return f"SSDA903({', '.join(parts)})"


def _check_names(names) -> None:
    unknown = [k for k in names if k not in TABLE_COLUMNS]
    if unknown:
        raise ParameterError(f"Unknown table name(s) {unknown}; expected some of {list(TABLES)}.")


def _table_name(name) -> str:
    _check_names([name])
    return name


def _typed_for_tests(name: str, frame: pd.DataFrame, collection_year) -> pd.DataFrame:
    """``frame`` with text date columns read as ISO dates and the collection year added."""
    for col in DATE_COLUMNS[name]:
        if col in frame.columns and not pd.api.types.is_datetime64_any_dtype(frame[col]):
            try:
                frame[col] = pd.to_datetime(frame[col], format="ISO8601").astype("datetime64[ns]")
            except (ValueError, TypeError):
                raise ParameterError(
                    f"Column {col} of the {name} table holds a value that is not a yyyy-mm-dd date; give dates "
                    "as datetime64 values or ISO text."
                ) from None
    if collection_year is not None and "collection_year" not in frame.columns:
        frame["collection_year"] = np.int64(int(collection_year))
    return frame


def as_return(data) -> SSDA903:
    """The return behind ``data``, as an :class:`SSDA903`: the one way analyses read tables.

    Parameters
    ----------
    data : SSDA903, mapping or object with table attributes
        An :class:`SSDA903` is returned as it is (the same object). A mapping of
        ``{table name: DataFrame}`` or any other object with some of the table attributes
        (``types.SimpleNamespace(episodes=...)``, as tests and notebooks build) gives an
        SSDA903 holding those tables; tables it lacks (or holds as None) are None. Its
        ``findings``, ``source`` and source lines are kept when it has them.

    Returns
    -------
    SSDA903

    Raises
    ------
    ParameterError
        ``data`` is a single DataFrame (pass the return, not one of its tables); a mapping
        names an unknown table; a table is not a DataFrame.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> d = as_return(SimpleNamespace(episodes=pd.DataFrame({"CHILD": ["A"]})))
    >>> d.tables, d.header is None, as_return(d) is d
    (['episodes'], True, True)
    """
    if isinstance(data, SSDA903):
        return data
    if isinstance(data, pd.DataFrame):
        raise ParameterError(
            "Expected a whole SSDA903 return (as iro_analysis.load_ssda903 gives), not a single table: "
            "pass the return, or wrap the table as SSDA903.from_tables(episodes=frame)."
        )
    if isinstance(data, Mapping):
        _check_names(data)
        return SSDA903(**{k: v for k, v in data.items() if v is not None})
    tables = {t: getattr(data, t, None) for t in TABLES}
    out = SSDA903(**{t: v for t, v in tables.items() if v is not None})
    found = getattr(data, "findings", None)
    if isinstance(found, pd.DataFrame):
        out.findings = found
    source = getattr(data, "source", None)
    if isinstance(source, str):
        out.source = source
    for store in ("_lines", "_files"):
        values = getattr(data, store, None)
        if isinstance(values, dict):
            setattr(out, store, values)
    return out


def _clean_child(v):
    t = str(v).strip()
    return t if t else None


def child_ids(values) -> pd.Series:
    """``CHILD`` values normalised: text with surrounding spaces removed, blank or missing -> None.

    Tables read with different types (numbers in one, text in another) or hand-typed with
    stray spaces then join on the same child. The loader's ``CHILD`` values are already in
    this form.

    Parameters
    ----------
    values : Series or array-like

    Returns
    -------
    Series of object
        Same index and name as ``values``.

    Examples
    --------
    >>> child_ids(pd.Series([" A1", 7, "", None])).tolist()
    ['A1', '7', None, None]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    # The clean-up runs on the distinct values only (a CHILD repeats over many rows).
    codes_, uniques = pd.factorize(s, use_na_sentinel=True)
    cleaned = np.array([_clean_child(v) for v in np.asarray(uniques, dtype=object)], dtype=object)
    out = np.full(len(s), None, dtype=object)
    ok = codes_ >= 0
    out[ok] = cleaned[codes_[ok]]
    return pd.Series(out, index=s.index, name=s.name, dtype=object)


def child_keys(data, tables=None) -> dict[str, np.ndarray]:
    """Per table, an int64 key of (child, collection year), equal across tables for the same child.

    Parameters
    ----------
    data : SSDA903 or object with table attributes (see :func:`as_return`)
    tables : sequence of str, optional
        Tables to key (default: every table present). Tables without a ``CHILD`` column are
        left out.

    Returns
    -------
    dict of {table: ndarray of int64}
        One key per row. ``CHILD`` is normalised with :func:`child_ids` and numbered once
        over all the tables; the collection year is part of the key when every keyed table
        has a ``collection_year`` column, so a child is matched within one return. ``-1``
        marks a row without a CHILD.

    Examples
    --------
    >>> d = SSDA903(header=pd.DataFrame({"CHILD": ["A", "B"]}),
    ...             reviews=pd.DataFrame({"CHILD": ["B ", None]}))
    >>> k = child_keys(d)
    >>> bool(k["reviews"][0] == k["header"][1]), int(k["reviews"][1])
    (True, -1)
    """
    data = as_return(data)
    names = [t for t in (data.tables if tables is None else tables)
             if data.table(t) is not None and "CHILD" in data.table(t).columns]
    if not names:
        return {}
    use_year = all("collection_year" in data.table(t).columns for t in names)
    arrays = [data.table(t)["CHILD"].to_numpy(dtype=object) for t in names]
    # Hashing CHILD is the costly part on an England-sized stack: factorise the raw values
    # once, normalise the distinct values, and number the normalised values.
    raw_codes, uniques = pd.factorize(np.concatenate(arrays))
    uniques = np.asarray(uniques, dtype=object)
    clean = np.array([_clean_child(v) for v in uniques], dtype=object)
    if all(type(v) is str for v in uniques) and (clean == uniques).all():
        # Loaded CHILD values are stripped non-blank text already: cleaning merges no two
        # distinct values, so the numbering stays the factorisation's.
        clean_codes = np.arange(len(uniques), dtype=np.int64)
    else:
        clean_codes = pd.factorize(clean)[0].astype(np.int64)
    codes = np.where(raw_codes < 0, -1, clean_codes[np.maximum(raw_codes, 0)]) if len(clean_codes) else raw_codes.astype(np.int64)
    out = {}
    start = 0
    for t, arr in zip(names, arrays):
        c = codes[start : start + len(arr)].astype(np.int64)
        start += len(arr)
        key = c * 10_000
        if use_year:
            years = data.table(t)["collection_year"]
            if years.dtype != np.int64:  # as loaded, int64: nothing to convert
                years = pd.to_numeric(years, errors="coerce").fillna(0)
            key = key + years.to_numpy(dtype=np.int64)
        out[t] = np.where(c < 0, -1, key)
    return out
