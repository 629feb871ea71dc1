"""The DfE SSDA903 (children looked after) return: reading and writing.

:func:`load_ssda903` reads a return in any of the layouts local authorities hold:

* a folder of DfE-format CSV files (tables recognised by their exact column sets, never by
  file name; header matching ignores case and surrounding spaces);
* an SSDA903 XML file (root ``EXPSSDA903``; DfE XSD "Expanded SSDA903 Return", v3.3.0);
* a folder of year folders (``2022/``, ``2023/`` or ``2022-23/`` …, each one return), or a
  flat folder / list of files whose names carry distinct years (``2019-episodes.csv``),
  stacked with a ``collection_year`` column;
* a single CSV file or a list of CSV files;
* the London LIIA "tidy" layout (ISO dates ``yyyy-mm-dd``, extra ``LA`` and ``YEAR``
  columns; ``YEAR`` becomes ``collection_year``).

Structural problems (a file that is not a CSV, a missing column, two files for one table,
a row of the wrong width, a cut-off file, month-first dates) raise
:class:`~iro_analysis.errors.SSDA903FormatError` naming the file, row and column.
Record-level problems (an unparseable date, an unknown code, a child missing from the
header) become rows of ``SSDA903.findings`` (see :mod:`iro_analysis.quality`). Input files
are only ever read. Cells are read by :mod:`iro_analysis.ssda903_csv` (pyarrow for plain
files, pandas for the rest); whole-file checks are in :mod:`iro_analysis.ssda903_checks`.

:func:`write_return` writes the DfE CSV layout back out, so that data built or cleaned
here can be run through the DfE validator unchanged.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from .codes import SEX_NORMALISE, valid_codes
from .errors import ParameterError, SSDA903FormatError
from .quality import findings as _findings
from .quality import records as _records
from . import ssda903_checks as _checks
from .ssda903_csv import _factor, check_bad_rows_option, read_cells

__all__ = [
    "SSDA903",
    "TABLE_COLUMNS",
    "TABLES",
    "DFE_TABLE_NAMES",
    "DATE_COLUMNS",
    "load_ssda903",
    "write_return",
    "identify_table",
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

# Identifier columns: kept exactly as written (whitespace stripped, case kept).
_ID_COLUMNS = frozenset({"CHILD", "SW_ID", "LA"})
# 0/1 flag columns: "1.0"/"0.0" (spreadsheet round-trips) are read as "1"/"0".
_FLAG_COLUMNS = frozenset(
    {
        "MOTHER", "FOSTER_CARE", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
        "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
    }
)
# Extra columns of the LIIA tidy layout (la-agg / pan-agg outputs).
_LIIA_EXTRA = ("LA", "YEAR", "YEAR_LATEST", "EPISODE_SOURCE")
# Columns shared by many tables: they do not identify a table on their own.
_COMMON = frozenset({"CHILD", "DOB", "SEX"})

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


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
    # by position with the table). Used to place record-level findings; not public.
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

    def __repr__(self) -> str:
        parts = [f"{t}={len(getattr(self, t)):,} rows" for t in self.tables]
        years = self.collection_years
        if years:
            parts.append(f"collection_years={years}")
        parts.append(f"findings={len(self.findings):,}")
        return f"SSDA903({', '.join(parts)})"


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _format_column(s: pd.Series) -> pd.Series:
    """Render one column as DfE CSV text ('' for missing)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%d/%m/%Y").fillna("").astype(object)
    if pd.api.types.is_bool_dtype(s):
        return s.map({True: "1", False: "0"}).fillna("").astype(object)
    if pd.api.types.is_integer_dtype(s):
        return s.astype("Int64").astype(str).replace("<NA>", "").astype(object)
    if pd.api.types.is_float_dtype(s):
        whole = s.dropna()
        if len(whole) and (whole == np.floor(whole)).all():
            return s.astype("Int64").astype(str).replace("<NA>", "").astype(object)
        return s.map(lambda v: "" if pd.isna(v) else repr(float(v))).astype(object)

    def cell(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return ""
        if isinstance(v, (pd.Timestamp,)):
            return v.strftime("%d/%m/%Y")
        return str(v)

    return s.astype(object).map(cell)


def _sex_for_year(s: pd.Series, year: int | None) -> pd.Series:
    if year is not None and int(year) < 2025:
        return s.replace({"M": "1", "F": "2"})
    return s.replace({"1": "M", "2": "F"})


def _write_csv_atomic(frame: pd.DataFrame, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            frame.to_csv(fh, index=False, lineterminator="\n")
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_return(data, folder, *, collection_year: int | None = None) -> list[Path]:
    """Write a return in the DfE CSV layout.

    Parameters
    ----------
    data : SSDA903 or dict of {table name: DataFrame}
        Tables to write (names as in :data:`TABLE_COLUMNS`; absent tables are skipped).
    folder : str or Path
        Output folder (created if needed). Existing ``<table>.csv`` files are replaced.
    collection_year : int, optional
        Collection year (year ending 31 March) of the return. Decides how SEX is coded:
        ``1``/``2`` before 2025, ``M``/``F``/``U`` from 2025 (and when the year is unknown).
        If the tables carry a ``collection_year`` column with several years and this is
        None, one sub-folder per year (``<folder>/<year>/``) is written; if it is given,
        only the rows of that year are written.

    Returns
    -------
    list of Path
        The files written, one ``<table>.csv`` per table (per year).

    Notes
    -----
    Columns are written in the exact DfE order (missing DfE columns as blank, extra
    columns such as ``collection_year`` dropped), dates as ``dd/mm/yyyy``, missing values
    blank. Each file is written to a temporary file in the same folder and then renamed,
    so a reader never sees a half-written file.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> h = pd.DataFrame({"CHILD": ["001"], "SEX": ["F"], "DOB": pd.to_datetime(["2015-03-01"]),
    ...                   "ETHNIC": ["WBRI"]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_return({"header": h}, d, collection_year=2024)]
    ...     open(f"{d}/header.csv").read()
    ['header.csv']
    'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\\n001,2,01/03/2015,WBRI,,,\\n'
    """
    tables = _tables_of(data)
    folder = Path(folder)
    years: set[int] = set()
    for df in tables.values():
        if "collection_year" in df.columns:
            years.update(int(y) for y in pd.unique(df["collection_year"].dropna()))
    if collection_year is None and len(years) > 1:
        written: list[Path] = []
        for y in sorted(years):
            written += write_return(data, folder / str(y), collection_year=y)
        return written
    if collection_year is None and len(years) == 1:
        collection_year = next(iter(years))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        if "collection_year" in df.columns and collection_year is not None and len(years) > 1:
            df = df.loc[df["collection_year"] == int(collection_year)]
        out = {}
        for col in TABLE_COLUMNS[name]:
            if col in df.columns:
                s = _format_column(df[col])
                if col == "SEX":
                    s = _sex_for_year(s, collection_year)
            else:
                s = pd.Series("", index=df.index, dtype=object)
            out[col] = s
        frame = pd.DataFrame(out, columns=list(TABLE_COLUMNS[name]))
        target = folder / f"{name}.csv"
        _write_csv_atomic(frame, target)
        written.append(target)
    return written


def _tables_of(data) -> dict[str, pd.DataFrame]:
    if isinstance(data, SSDA903):
        return {t: getattr(data, t) for t in data.tables}
    if isinstance(data, dict):
        unknown = [k for k in data if k not in TABLE_COLUMNS]
        if unknown:
            raise ParameterError(f"Unknown table name(s) {unknown}; expected some of {list(TABLES)}.")
        return {k: v for k, v in data.items() if v is not None}
    raise ParameterError(f"write_return needs an SSDA903 or a dict of DataFrames, not {type(data).__name__}.")


# --------------------------------------------------------------------------------------
# Recognising tables
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Reading CSV files
# --------------------------------------------------------------------------------------


@dataclass
class _Raw:
    """One table read from one file, cells as stripped strings held factorised.

    Each column is ``(codes, uniques)``: cell ``i`` is ``uniques[codes[i]]``. Real returns
    repeat the same few codes and dates over and over, so cleaning and parsing the unique
    values only and spreading them back with ``take`` is much faster than per-cell work.
    """

    table: str
    cols: dict  # DfE column name -> (codes int array, uniques object array; '' = blank)
    n: int
    lines: np.ndarray | None  # 1-based source line per row (None for XML)
    file: str
    iso_dates: bool = False
    bad_rows: list = field(default_factory=list)  # finding records of rows dropped while reading

    def values(self, col: str) -> np.ndarray:
        codes, uniq = self.cols[col]
        return uniq[codes]


def _raw_from_frame(table, frame, lines, file, iso=False) -> _Raw:
    # One 2-D object array for all columns (a single block when every column is text):
    # column j is then a contiguous row of its transpose, with no per-column Series.
    values = frame.to_numpy(dtype=object).T
    cols = {c: _factor(values[j]) for j, c in enumerate(frame.columns)}
    return _raw_from_factors(table, cols, len(frame), lines, file, iso)


def _raw_from_factors(table, cols, n, lines, file, iso=False, bad_rows=()) -> _Raw:
    """A _Raw of factorised columns, rows that are entirely blank dropped."""
    blank = np.ones(n, dtype=bool)
    for codes, uniq in cols.values():
        blank &= (uniq == "")[codes]
    if blank.any():
        keep = ~blank
        cols = {c: (codes[keep], uniq) for c, (codes, uniq) in cols.items()}
        n = int(keep.sum())
        if lines is not None:
            lines = lines[keep]
    return _Raw(table=table, cols=cols, n=n, lines=lines, file=file, iso_dates=iso, bad_rows=list(bad_rows))


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
    if not text.replace("\ufeff", "").strip().strip(",").strip():
        raise SSDA903FormatError(
            "is empty (no header row). Re-export the table from your case management system; a "
            "table with no records still needs its header row.",
            file=path,
        )
    return text.replace("\ufeff", "")


def _header_line(text: str) -> tuple[int, str, int]:
    """0-based index, content and character offset of the first non-blank line."""
    offset = 0
    for i, line in enumerate(io.StringIO(text)):
        if line.strip().strip(",").strip():
            return i, line.rstrip("\r\n"), offset
        offset += len(line)
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


def _read_csv(path: Path, text: str | None = None, *, on_bad_rows: str = "raise", label: str | None = None) -> _Raw:
    if text is None:
        text = _read_text(path)
    table, idx, names = _classify_csv(path, text)
    body = text[_header_line(text)[2]:]
    cols, n, lines, bad = read_cells(body, names, table=table, path=path, header_index=idx,
                                     on_bad_rows=on_bad_rows, label=label)
    # Cells are stripped and rows that are entirely blank (',,,' lines, blank lines) dropped.
    iso = any(c in names for c in ("LA", "YEAR"))
    return _raw_from_factors(table, cols, n, lines, str(path), iso, bad)


# --------------------------------------------------------------------------------------
# Reading XML
# --------------------------------------------------------------------------------------

_XML_HEADER_SCALARS = (
    "CHILDID", "UPN", "SEX", "DOB", "ETHNIC", "UASC", "DUC", "DATE_INT", "DATE_MATCH",
    "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR", "IN_TOUCH", "ACTIV", "ACCOM",
    "MOTHER", "MC_DOB",
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].upper()


def _children_text(elem) -> dict[str, str]:
    return {_local(c.tag): (c.text or "").strip() for c in elem if len(c) == 0}


def _read_xml(path: Path) -> list[_Raw]:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise SSDA903FormatError(f"cannot be read ({exc.strerror or exc}).", file=path) from None
    if not head.strip():
        raise SSDA903FormatError("is empty. Export the XML return again.", file=path)
    rows: dict[str, list[dict]] = {t: [] for t in TABLES}
    root_tag = None
    try:
        for event, elem in ET.iterparse(str(path), events=("start", "end")):
            if event == "start":
                if root_tag is None:
                    root_tag = _local(elem.tag)
                    if root_tag != "EXPSSDA903":
                        raise SSDA903FormatError(
                            f"is XML but its root element is <{root_tag}>, not <EXPSSDA903>: it is not an "
                            "SSDA903 return. Export the children looked after return as XML or CSV.",
                            file=path,
                        )
                continue
            if _local(elem.tag) != "CHILD" or elem.find("HEADER") is None and elem.find("EPISODE") is None:
                continue
            _xml_child(elem, rows)
            elem.clear()
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise SSDA903FormatError(
            f"is not well-formed XML ({exc}). Export the return again; do not edit XML by hand.",
            file=path,
            row=line,
        ) from None
    out = []
    for table, recs in rows.items():
        if table == "dolo" or (not recs and table not in ("header", "episodes", "reviews")):
            continue
        cols = TABLE_COLUMNS[table]
        frame = pd.DataFrame.from_records(recs, columns=list(cols)) if recs else pd.DataFrame(columns=list(cols))
        out.append(_raw_from_frame(table, frame, None, str(path)))
    return out


def _xml_child(child, rows) -> None:
    header = child.find("HEADER")
    h = _children_text(header) if header is not None else {}
    cid = h.get("CHILDID", "")
    dob = h.get("DOB", "")
    base = {"CHILD": cid, "DOB": dob}
    rows["header"].append(
        {"CHILD": cid, "SEX": h.get("SEX", ""), "DOB": dob, "ETHNIC": h.get("ETHNIC", ""),
         "UPN": h.get("UPN", ""), "MOTHER": h.get("MOTHER", ""), "MC_DOB": h.get("MC_DOB", "")}
    )
    if h.get("UASC", "") == "1" or h.get("DUC", ""):
        rows["uasc"].append({"CHILD": cid, "SEX": h.get("SEX", ""), "DOB": dob, "DUC": h.get("DUC", "")})
    if any(h.get(k, "") for k in TABLE_COLUMNS["ad1"][2:]):
        rows["ad1"].append({**base, **{k: h.get(k, "") for k in TABLE_COLUMNS["ad1"][2:]}})
    if any(h.get(k, "") for k in ("IN_TOUCH", "ACTIV", "ACCOM")):
        rows["oc3"].append({**base, **{k: h.get(k, "") for k in ("IN_TOUCH", "ACTIV", "ACCOM")}})
    if header is not None:
        for sub in header:
            tag = _local(sub.tag)
            if tag == "AREVIEW":
                rows["reviews"].append({**base, **_children_text(sub)})
            elif tag == "AMISSING":
                rows["missing"].append({**base, **_children_text(sub)})
            elif tag == "PERMANENCE":
                rows["previous_permanence"].append({**base, **_children_text(sub)})
            elif tag == "OC2":
                rows["oc2"].append({**base, **_children_text(sub)})
            elif tag == "AD_PLACED":
                rows["placed_for_adoption"].append({**base, **_children_text(sub)})
    for ep in child.findall("EPISODE"):
        e = _children_text(ep)
        if "PL" in e and "PLACE" not in e:
            e["PLACE"] = e.pop("PL")
        rows["episodes"].append({"CHILD": cid, **e})


def _is_xml(path: Path) -> bool:
    if path.suffix.lower() == ".xml":
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf").lstrip()
    except OSError:
        return False
    return head.startswith(b"<?xml") or head.startswith(b"<EXPSSDA903")


# --------------------------------------------------------------------------------------
# Typing a table: dates, codes, SEX
# --------------------------------------------------------------------------------------

_TIME_SUFFIX = re.compile(r"\s+00:00(?::00(?:\.0+)?)?$")


def _parse_dates(uniq: np.ndarray, iso: bool) -> np.ndarray:
    """Parse unique date strings to datetime64[ns] (NaT where blank or invalid)."""
    out = np.full(len(uniq), np.datetime64("NaT", "ns"))
    rest = np.ones(len(uniq), dtype=bool)
    if not iso and len(uniq):
        # Fast path for the usual strict 'dd/mm/yyyy' (nearly every cell of a DfE file):
        # digits checked and converted with numpy, no per-value strptime. Anything else
        # (single-digit days, a time suffix, far-off years) goes through pandas below.
        done, dates = _parse_dmy_strict(uniq)
        out[done] = dates
        rest = ~done & (uniq != "")
    if rest.any():
        out[rest] = _parse_dates_pandas(uniq[rest], iso)
    return out


def _parse_dmy_strict(uniq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(handled mask, datetime64[ns] of the handled values) for 10-character dd/mm/yyyy strings.

    Gives exactly what ``pd.to_datetime(format="%d/%m/%Y", errors="coerce")`` gives for those
    values: the date, or NaT for an impossible day or month (31/02/2023, 00/13/2023).
    """
    n = len(uniq)
    if pd.api.types.infer_dtype(uniq, skipna=False) == "string":  # every value a str: len() in C
        lens = np.fromiter(map(len, uniq), dtype=np.int64, count=n)
    else:
        lens = np.fromiter((len(u) if isinstance(u, str) else -1 for u in uniq), dtype=np.int64, count=n)
    cand = np.flatnonzero(lens == 10)
    done = np.zeros(n, dtype=bool)
    if not len(cand):
        return done, np.empty(0, dtype="datetime64[ns]")
    chars = uniq[cand].astype("U10").view(np.uint32).reshape(len(cand), 10)
    digit_pos = [0, 1, 3, 4, 6, 7, 8, 9]
    dig = chars[:, digit_pos].astype(np.int64) - 48
    ok = ((dig >= 0) & (dig <= 9)).all(axis=1) & (chars[:, 2] == 47) & (chars[:, 5] == 47)
    day = dig[:, 0] * 10 + dig[:, 1]
    month = dig[:, 2] * 10 + dig[:, 3]
    year = dig[:, 4] * 1000 + dig[:, 5] * 100 + dig[:, 6] * 10 + dig[:, 7]
    ok &= (year >= 1700) & (year <= 2200)  # well inside the datetime64[ns] range
    cand, day, month, year = cand[ok], day[ok], month[ok], year[ok]
    valid_month = (month >= 1) & (month <= 12)
    ym = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
    dates = ym.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    valid = valid_month & (day >= 1) & (dates.astype("datetime64[M]") == ym)
    dates = np.where(valid, dates.astype("datetime64[ns]"), np.datetime64("NaT", "ns"))
    done[cand] = True
    return done, dates


def _parse_dates_pandas(uniq: np.ndarray, iso: bool) -> np.ndarray:
    s = pd.Series(uniq, dtype=object)
    s = s.str.replace(_TIME_SUFFIX, "", regex=True)  # Excel-style '01/02/2023 00:00:00'
    fmt = "ISO8601" if iso else "%d/%m/%Y"
    return pd.to_datetime(s.where(s != ""), format=fmt, errors="coerce").to_numpy(dtype="datetime64[ns]")


_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _looks_iso(raw: _Raw) -> bool:
    """True if the date cells are ISO yyyy-mm-dd rather than dd/mm/yyyy."""
    for col in DATE_COLUMNS[raw.table]:
        if col not in raw.cols:
            continue
        codes, uniq = raw.cols[col]
        seen = np.zeros(len(uniq), dtype=bool)
        seen[codes[:500]] = True  # the distinct values of the first 500 rows, in uniq order
        used = [u for u in uniq[seen] if u]
        if used:
            return sum(map(bool, map(_ISO_RE.match, used))) > len(used) / 2
    return False


def _type_table(raw: _Raw, year_default: int | None, rel_file: str) -> tuple[dict, int, list[pd.DataFrame], np.ndarray | None]:
    """Convert a string table to typed columns.

    Returns (columns, rows, findings frames, lines): ``columns`` maps column name to a
    numpy array (object for text, ``datetime64[ns]`` for dates, int64 for
    ``collection_year``), in table order; :func:`_frame_from_columns` makes the frame.
    """
    table = raw.table
    found: list[pd.DataFrame] = []
    lines = raw.lines
    n = raw.n
    row_years = None
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
                row=None if lines is None else int(lines[i]),
                column="YEAR",
            )
        row_years = yr.astype(np.int64).to_numpy()
    elif year_default is not None:
        row_years = np.full(n, int(year_default), dtype=np.int64)

    iso = raw.iso_dates or _looks_iso(raw)
    # Month-first (US) dates raise here, before any date is parsed the wrong way round.
    shapes = {} if iso else _checks.date_shapes(raw.cols, DATE_COLUMNS[table])
    _checks.check_month_first(shapes, file=raw.file, lines=lines)
    child = raw.values("CHILD") if "CHILD" in raw.cols else np.full(n, None, dtype=object)
    out: dict[str, object] = {}
    for col, (codes, uniq) in raw.cols.items():
        if col in ("YEAR", "YEAR_LATEST"):
            continue
        blank_u = uniq == ""
        if col in DATE_COLUMNS[table]:
            parsed_u = _parse_dates(uniq, iso)
            bad_u = ~blank_u & np.isnat(parsed_u)
            if bad_u.any():
                bad = bad_u[codes]
                found.append(
                    _records.date_findings(
                        table=table, column=col, values=uniq[codes[bad]], children=child[bad],
                        lines=None if lines is None else lines[bad], file=rel_file, iso=iso,
                    )
                )
            out[col] = parsed_u[codes]
            continue
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
        # Text columns stay factorised (codes, cleaned uniques) until the frame is built:
        # the code checks and SEX mapping below then work on the few distinct values.
        out[col] = (codes, clean)

    if shapes:
        order = _checks.ambiguous_order_findings(
            table, shapes, {c: out[c] for c in shapes}, lambda u: _parse_dates(u, False),
            children=child, lines=lines, file=rel_file,
        )
        if order:
            found.append(_findings.make_findings(order))
    # Unknown codes, per collection year of the rows, on the upper-cased strings. The
    # row-level check only runs when some distinct value is not valid in every year present.
    checked = [c for c in _records.CODE_CHECKS.get(table, ()) if c in out]
    if checked and _may_have_unknown_codes(out, checked, row_years):
        found.extend(
            _records.code_findings(
                table=table,
                frame=pd.DataFrame({k: pd.Series(_take(out[k]), dtype=object) for k in out if k == "CHILD" or k in checked}),
                years=row_years, lines=lines, file=rel_file,
            )
        )
    if "SEX" in out:
        codes, clean = out["SEX"]
        # As Series.map(SEX_NORMALISE): unmapped values (and blanks) become NaN.
        mapped = [SEX_NORMALISE.get(u, np.nan) if isinstance(u, str) else np.nan for u in clean]
        out["SEX"] = (codes, np.asarray(mapped, dtype=object))
    ordered = [c for c in TABLE_COLUMNS[table] if c in out] + [c for c in out if c not in TABLE_COLUMNS[table]]
    cols = {}
    for k in ordered:
        v = out[k]
        cols[k] = _take(v) if isinstance(v, tuple) else v
    if row_years is not None:
        cols["collection_year"] = row_years.astype(np.int64)
    return cols, n, found, lines


def _frame_from_columns(cols: dict, n: int) -> pd.DataFrame:
    """DataFrame of typed column arrays, in order; object arrays stay object dtype.

    ``DataFrame._from_arrays`` takes the arrays as they are (no per-column Series, no
    string-dtype inference, the object columns consolidated into one block); if a pandas
    version lacks it, the object columns go in as one 2-D block and the others are inserted.
    """
    try:
        return pd.DataFrame._from_arrays(
            list(cols.values()), columns=pd.Index(list(cols)), index=pd.RangeIndex(n), verify_integrity=False
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


def _take(factorised: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    codes, uniq = factorised
    return uniq[codes]


def _may_have_unknown_codes(out: dict, columns, row_years) -> bool:
    """False when every code used in ``columns`` is valid in every collection year present
    (then :func:`iro_analysis.quality.records.code_findings` would find nothing)."""
    years = [None] if row_years is None else [int(y) for y in np.unique(row_years)]
    for col in columns:
        codes, clean = out[col]
        if not len(codes):
            continue
        seen = np.zeros(len(clean), dtype=bool)
        seen[codes] = True
        used = [u for u in clean[seen] if isinstance(u, str)]
        if not used:
            continue
        for y in years:
            valid = valid_codes(col, y)
            if any(u not in valid for u in used):
                return True
    return False


# --------------------------------------------------------------------------------------
# Assembling returns and stacks
# --------------------------------------------------------------------------------------

_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-_/]\s*(\d{2}|(?:19|20)\d{2})(?!\d)")
_YEAR_ONE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _year_from_name(name: str) -> int | None:
    """Collection year named in a file or folder name ('2023', '2022-23', '2022_2023')."""
    m = _YEAR_SPAN.search(name)
    if m:
        first, second = int(m.group(1)), m.group(2)
        end = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
        if end == first + 1:
            return end
    years = {int(y) for y in _YEAR_ONE.findall(name)}
    return years.pop() if len(years) == 1 else None


def _rel(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return path.name


def _read_files(files: list[Path], root: Path | None, *, strict: bool, on_bad_rows: str = "raise") -> tuple[list[_Raw], list[_NotATable]]:
    """Read every file; return recognised tables and the unrecognised CSVs."""
    raws: list[_Raw] = []
    unknown: list[_NotATable] = []
    xml = [f for f in files if _is_xml(f)]
    csvs = [f for f in files if f not in xml]
    if xml and csvs:
        # Report a duplicated CSV table first: it is the more specific problem.
        csv_raws = []
        for f in csvs:
            try:
                csv_raws.append(_read_csv(f, on_bad_rows=on_bad_rows, label=_rel(f, root)))
            except _NotATable:
                pass
        if _group_by_name_year(csv_raws) is None:
            _check_duplicates(csv_raws, "in one return")
        raise SSDA903FormatError(
            f"holds both an XML return ({', '.join(_rel(f, root) for f in xml)}) and CSV files. Load one "
            "format per return: move the XML or the CSV files to another folder.",
            file=root if root is not None else xml[0],
        )
    for f in xml:
        raws.extend(_read_xml(f))
    for f in csvs:
        try:
            raws.append(_read_csv(f, on_bad_rows=on_bad_rows, label=_rel(f, root)))
        except _NotATable as exc:
            if strict:
                raise SSDA903FormatError(
                    f"is not an SSDA903 table: its columns ({', '.join(exc.names) or 'none'}) match no DfE "
                    f"table. Expected column sets: {_expected_sets_text()}.",
                    file=f,
                    row=1,
                ) from None
            unknown.append(exc)
    return raws, unknown


def _check_duplicates(raws: list[_Raw], where: str) -> None:
    seen: dict[str, str] = {}
    for r in raws:
        if r.table in seen and seen[r.table] != r.file:
            raise SSDA903FormatError(
                f"two files hold the {r.table} table ({DFE_TABLE_NAMES[r.table]}) {where}: "
                f"{seen[r.table]} and {r.file}. Keep one of them (move the other out of the folder) "
                "or, for several years, put each year's files in their own folder (2022/, 2023/ ...).",
                file=r.file,
            )
        seen[r.table] = r.file


def _assemble(groups: list[tuple[int | None, list[_Raw]]], root: Path | None, source: str) -> SSDA903:
    """Type each group (one return, optionally with a year) and stack the tables."""
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    line_parts: dict[str, list[np.ndarray]] = {t: [] for t in TABLES}
    file_parts: dict[str, list[np.ndarray]] = {t: [] for t in TABLES}
    found: list[pd.DataFrame] = []
    for year, raws in groups:
        _check_duplicates(raws, "in one return" if year is None else f"for collection year {year}")
        for raw in raws:
            rel = _rel(Path(raw.file), root)
            cols, n, f, lines = _type_table(raw, year, rel)
            if raw.bad_rows:
                found.append(_findings.make_findings(raw.bad_rows))
            parts[raw.table].append((cols, n))
            line_parts[raw.table].append(
                np.full(n, -1, dtype=np.int64) if lines is None else np.asarray(lines, dtype=np.int64)
            )
            file_parts[raw.table].append(np.full(n, rel, dtype=object))
            found.extend(f)
    tables: dict[str, pd.DataFrame] = {}
    lines_out: dict[str, np.ndarray] = {}
    files_out: dict[str, np.ndarray] = {}
    for t in TABLES:
        if not parts[t]:
            continue
        if len(parts[t]) == 1 or all(list(c) == list(parts[t][0][0]) for c, _ in parts[t]):
            # Same columns in every part (the usual case): stack the arrays, one frame.
            # Equal to pd.concat of the part frames, as each column has one dtype throughout.
            names = list(parts[t][0][0])
            stacked = {k: np.concatenate([c[k] for c, _ in parts[t]]) if len(parts[t]) > 1 else parts[t][0][0][k] for k in names}
            df = _frame_from_columns(stacked, sum(n for _, n in parts[t]))
        else:
            frames = [_frame_from_columns(c, n) for c, n in parts[t]]
            with_year = ["collection_year" in f.columns for f in frames]
            if not all(with_year):
                frames = [f.drop(columns="collection_year", errors="ignore") for f in frames]
            df = pd.concat(frames, ignore_index=True)
        for col in DATE_COLUMNS[t]:
            if col in df.columns and df[col].dtype != "datetime64[ns]":
                df[col] = df[col].astype("datetime64[ns]")
        tables[t] = df
        lines_out[t] = np.concatenate(line_parts[t])
        files_out[t] = np.concatenate(file_parts[t])
    # findings is set below; an empty placeholder avoids building a findings frame twice.
    data = SSDA903(**tables, findings=_PLACEHOLDER, source=source)
    data._lines = lines_out
    data._files = files_out
    data.findings = _concat_made_findings(found + [_records.load_findings(data)])
    return data


_PLACEHOLDER = pd.DataFrame()


def _concat_made_findings(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """``quality.concat_findings`` for parts that are already in the findings shape (made by
    ``make_findings`` or the record checks): stacked as they are, nothing re-normalised."""
    return _findings._stack(parts)


def _list_folder(folder: Path) -> tuple[list[Path], dict[int, Path], list[Path]]:
    """(data files, year sub-folders, other files) of a folder."""
    files, other = [], []
    years: dict[int, Path] = {}
    for p in sorted(folder.iterdir()):
        if p.name.startswith((".", "~$")):
            continue
        if p.is_dir():
            m = re.fullmatch(r"((?:19|20)\d{2})(?:\s*[-_]\s*(\d{2}|(?:19|20)\d{2}))?", p.name)
            if m:
                y = _year_from_name(p.name)
                if y is None:
                    raise SSDA903FormatError(
                        f"year folder name {p.name!r} is not a year or a year span like 2022-23.", file=p
                    )
                if y in years:
                    raise SSDA903FormatError(
                        f"two folders hold collection year {y}: {years[y].name} and {p.name}. Keep one.", file=folder
                    )
                years[y] = p
            continue
        if p.suffix.lower() in (".csv", ".xml", ".txt") or p.suffix == "":
            files.append(p)
        else:
            other.append(p)
    return files, years, other


def _group_by_name_year(raws: list[_Raw]) -> list[tuple[int | None, list[_Raw]]] | None:
    """Split a flat set of files into years when every file name carries a year and the
    names hold at least two distinct years; None otherwise."""
    by_file = {r.file: _year_from_name(Path(r.file).name) for r in raws}
    if not by_file or any(y is None for y in by_file.values()):
        return None
    groups: dict[int, list[_Raw]] = {}
    for r in raws:
        groups.setdefault(by_file[r.file], []).append(r)
    return sorted(groups.items())


def _single_year_from_names(raws: list[_Raw]) -> int | None:
    years = {_year_from_name(Path(r.file).name) for r in raws}
    return years.pop() if len(years) == 1 and None not in years else None


def _load_flat(files: list[Path], root: Path | None, source: str, collection_year, *, strict: bool, other=(),
               on_bad_rows: str = "raise") -> SSDA903:
    raws, unknown = _read_files(files, root, strict=strict, on_bad_rows=on_bad_rows)
    if not raws:
        listing = [_rel(f, root) for f in files] + [_rel(f, root) for f in other]
        raise SSDA903FormatError(
            "contains no recognisable SSDA903 table. Files found: "
            f"{', '.join(listing) if listing else 'none'}. Tables are recognised by their exact header "
            f"(any order, any case). Expected column sets: {_expected_sets_text()}.",
            file=root if root is not None else source,
        )
    groups = None if collection_year is not None else _group_by_name_year(raws)
    if groups is not None and len(groups) > 1:
        data = _assemble(groups, root, source)
    else:
        year = collection_year if collection_year is not None else _single_year_from_names(raws)
        data = _assemble([(year, raws)], root, source)
    _add_unknown_files(data, unknown, root, _checks.unread_file_findings(other, lambda f: _rel(f, root)))
    return data


def _add_unknown_files(data: SSDA903, unknown: list, root: Path | None, unread=()) -> None:
    """Findings for files that were skipped (CSV of no table) or not read (not CSV), first."""
    records = [
        {"check": "file_not_recognised", "severity": "warning", "table": None, "row": 1,
         "CHILD": None, "column": None, "value": _rel(Path(u.path), root),
         "message": f"File {_rel(Path(u.path), root)} was skipped: its columns "
                    f"({', '.join(u.names) or 'none'}) match no SSDA903 table."}
        for u in unknown
    ] + list(unread)
    if records:
        data.findings = _findings._stack([_findings.make_findings(records), data.findings])


def load_ssda903(path, *, collection_year: int | None = None, on_bad_rows: str = "raise") -> SSDA903:
    """Load an SSDA903 return (or several years of returns).

    Parameters
    ----------
    path : str, Path or list of them
        A folder of DfE-format CSV files; an SSDA903 XML file; a folder of year folders
        (``2022/``, ``2023/`` or ``2022-23/`` …); a flat folder whose file names carry
        distinct years (``2019-episodes.csv`` …); a single CSV file; or a list of CSV files.
        LIIA tidy files (ISO dates, ``LA``/``YEAR`` columns) are accepted anywhere a DfE
        CSV is.
    collection_year : int, optional
        Collection year (year ending 31 March) of a single return, when neither the folder
        nor the file names say it. Not allowed with a multi-year stack.
    on_bad_rows : {"raise", "finding"}
        Rows with fewer or more values than the header (a cut or edited line, an unquoted
        comma, a cut-off file). ``"raise"`` (default): the first one raises
        SSDA903FormatError. ``"finding"``: each is dropped and reported as an ``error``
        finding (``short_row``, ``long_row``, ``truncated_file``), for a user who chooses to
        go on with a return known to be incomplete. Rows of blanks are never bad rows.

    Returns
    -------
    SSDA903
        One DataFrame per table found (DfE column names; dates ``datetime64[ns]``; codes
        upper-case strings; blanks NaN; ``CHILD`` string as written; ``SEX`` as M/F/U;
        ``collection_year`` int where known), plus ``findings`` (record-level problems:
        ``date_unparseable``, ``unknown_code``, ``duplicate_row``, ``duplicate_key``,
        ``child_not_in_header``, ``dob_mismatch``, ``dates_after_year_end``,
        ``file_not_recognised``, ``file_not_read``, ``dates_maybe_month_first`` and, with
        ``on_bad_rows="finding"``, ``short_row``/``long_row``/``truncated_file``) and ``source``.

    Raises
    ------
    SSDA903FormatError
        A structural problem, naming file, row and column: no recognisable table; a header
        missing a required column; a file that is not CSV (an Excel workbook renamed to
        .csv, a binary file, ``;`` or tab separated); an empty file; two files for the same
        table in one year; a row with fewer or more values than the header, or a last line
        cut short (unless ``on_bad_rows="finding"``); dates that can only be month first
        (US format) in a file where none is only day first; malformed XML.
    ParameterError
        ``collection_year`` given for a multi-year stack; an unknown ``on_bad_rows``.

    Notes
    -----
    Cells are read as text and stripped; blank rows are dropped; codes are upper-cased
    (identifiers ``CHILD`` and ``SW_ID`` keep their case and leading zeros). Dates are
    parsed with ``pd.to_datetime(format="%d/%m/%Y", errors="coerce")`` (ISO in LIIA tidy
    files); a non-blank date that does not parse becomes NaT and a ``date_unparseable``
    finding. Codes are checked against :func:`iro_analysis.codes.valid_codes` for the
    row's collection year (all years' codes when the year is unknown). SEX ``1``/``2`` is
    mapped to ``M``/``F`` in every year. A table with a header row and no data loads as an
    empty frame with its columns and types. Files in the folder that are not read
    (spreadsheets, documents) are ``file_not_read`` findings: errors when the name looks
    like an SSDA903 table. See :mod:`iro_analysis.ssda903_checks` for what the date checks
    can and cannot detect.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "h.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\\n007,1,01/02/2015,wbri,,,\\n")
    >>> data = load_ssda903(d, collection_year=2024)
    >>> data.header[["CHILD", "SEX", "ETHNIC", "collection_year"]].values.tolist()
    [['007', 'M', 'WBRI', 2024]]
    """
    if collection_year is not None:
        try:
            collection_year = int(collection_year)
        except (TypeError, ValueError):
            raise ParameterError(f"collection_year must be a year such as 2024, not {collection_year!r}.") from None
    check_bad_rows_option(on_bad_rows)
    if isinstance(path, (list, tuple)):
        files = [Path(p) for p in path]
        for f in files:
            if not f.is_file():
                raise SSDA903FormatError("does not exist or is not a file.", file=f)
        return _load_flat(files, None, ", ".join(str(f) for f in files), collection_year, strict=True,
                          on_bad_rows=on_bad_rows)

    p = Path(path)
    if not p.exists():
        raise SSDA903FormatError("does not exist. Check the path (relative paths start from the notebook's folder).", file=p)
    if p.is_file():
        year = collection_year if collection_year is not None else _year_from_name(p.name)
        return _load_flat([p], None, str(p), year, strict=True, on_bad_rows=on_bad_rows)

    files, year_dirs, other = _list_folder(p)
    if year_dirs:
        if collection_year is not None:
            raise ParameterError(
                f"collection_year={collection_year} was given but {p} holds several years "
                f"({', '.join(map(str, sorted(year_dirs)))}); the year folders name the years."
            )
        # Loose files beside year folders are allowed when they are not SSDA903 tables (a
        # synthetic return's ground truth, notes); a loose 903 table has no year, so it is refused.
        loose = [f for f in files if f.suffix.lower() in (".csv", ".xml")]
        loose_tables, skipped = _read_files(loose, p, strict=False, on_bad_rows=on_bad_rows) if loose else ([], [])
        if loose_tables:
            raise SSDA903FormatError(
                f"holds year folders ({', '.join(d.name for d in year_dirs.values())}) and also loose "
                f"SSDA903 files ({', '.join(Path(r.file).name for r in loose_tables)}). "
                "Move each loose file into its year's folder.",
                file=p,
            )
        groups = []
        # Notes and manifests beside year folders are expected; a spreadsheet named like a table is not.
        unread = _checks.unread_file_findings(other, lambda f: _rel(f, p), tables_only=True)
        for y, d in sorted(year_dirs.items()):
            yfiles, sub, yother = _list_folder(d)
            unread += _checks.unread_file_findings(yother, lambda f: _rel(f, p))
            raws, unknown = _read_files(yfiles, p, strict=False, on_bad_rows=on_bad_rows)
            if not raws:
                listing = [_rel(f, p) for f in yfiles + yother]
                raise SSDA903FormatError(
                    "contains no recognisable SSDA903 table. Files found: "
                    f"{', '.join(listing) if listing else 'none'}. Expected column sets: {_expected_sets_text()}.",
                    file=d,
                )
            groups.append((y, raws))
            skipped += unknown
        data = _assemble(groups, p, str(p))
        _add_unknown_files(data, skipped, p, unread)
        return data
    return _load_flat(files, p, str(p), collection_year, strict=False, other=other, on_bad_rows=on_bad_rows)
