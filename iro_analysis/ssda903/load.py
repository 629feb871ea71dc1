"""Loading a return: what a path holds, reading each file, and assembling one :class:`SSDA903`.

:func:`load_ssda903` decides what the path is (a folder of CSVs, an XML file, year folders, a
flat folder whose file names carry years, a file, a list of files), reads each file
(:mod:`.read_csv`, :mod:`.read_xml`), types each table (:mod:`.types`), stacks the tables of
several years, and adds the record-level findings (:mod:`.records`) and the findings for files
it skipped.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import findings as _findings
from ..errors import ParameterError, SSDA903FormatError
from . import checks as _checks
from . import records as _records
from .model import DATE_COLUMNS, DFE_TABLE_NAMES, SSDA903, TABLES
from .raw import _Raw
from .read_csv import _read_csv, check_bad_rows_option
from .dates import parse_table_dates
from .read_xml import _read_xml
from .recognise import _expected_sets_text, _is_xml, _NotATable
from .types import _frame_from_columns, _frame_from_stacks, _type_table_factors

__all__ = ["load_ssda903"]


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
        # Files listed from the folder start with its path: cut it off (Path.relative_to
        # gives the same for them, at many times the cost over a stack's files).
        text, prefix = str(path), os.path.join(str(root), "")
        if text.startswith(prefix) and prefix != os.sep and os.path.normpath(text) == text:
            return text[len(prefix):]
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
    parts: dict[str, list[tuple[dict, int]]] = {t: [] for t in TABLES}
    line_parts: dict[str, list[np.ndarray]] = {t: [] for t in TABLES}
    file_parts: dict[str, list[tuple[str, int]]] = {t: [] for t in TABLES}  # (file, rows) of each part
    found: list[pd.DataFrame] = []
    # Every table's dates parsed in one pass (parsing raises nothing, so errors keep their order).
    dates = iter(parse_table_dates([raw for _, raws in groups for raw in raws]))
    for year, raws in groups:
        _check_duplicates(raws, "in one return" if year is None else f"for collection year {year}")
        for raw in raws:
            rel = _rel(Path(raw.file), root)
            cols, n, f, lines = _type_table_factors(raw, year, rel, next(dates))
            if raw.bad_rows:
                found.append(_findings.make_findings(raw.bad_rows))
            parts[raw.table].append((cols, n))
            line_parts[raw.table].append(
                np.full(n, -1, dtype=np.int64) if lines is None else np.asarray(lines, dtype=np.int64)
            )
            file_parts[raw.table].append((rel, n))
            found.extend(f)
    tables: dict[str, pd.DataFrame] = {}
    lines_out: dict[str, np.ndarray] = {}
    files_out: dict[str, np.ndarray] = {}
    # The tables' columns as stacked arrays, and the CHILD column of each part factorised, for
    # the record checks (None when a table had to be stacked as frames).
    arrays: dict[str, dict] | None = {}
    child: dict[str, list] = {}
    for t in TABLES:
        if not parts[t]:
            continue
        names = list(parts[t][0][0])
        stacked = None
        if all(list(c) == names for c, _ in parts[t][1:]):
            # Same columns in every part (the usual case): each column spread and stacked in
            # one array, one frame. Equal to pd.concat of the part frames, as each column has
            # one dtype throughout.
            stacked, df = _stack_table([c for c, _ in parts[t]], names, sum(n for _, n in parts[t]))
            if arrays is not None:
                arrays[t] = stacked
                if "CHILD" in names:
                    child[t] = [c["CHILD"] for c, _ in parts[t]]
        else:
            arrays = None
            frames = [_frame_from_columns(_spread(c), n) for c, n in parts[t]]
            with_year = ["collection_year" in f.columns for f in frames]
            if not all(with_year):
                frames = [f.drop(columns="collection_year", errors="ignore") for f in frames]
            df = pd.concat(frames, ignore_index=True)
        for col in DATE_COLUMNS[t]:
            if col in df.columns and (stacked is None or stacked[col].dtype != "datetime64[ns]") \
                    and df[col].dtype != "datetime64[ns]":
                df[col] = df[col].astype("datetime64[ns]")
                arrays = None
        tables[t] = df
        lines_out[t] = np.concatenate(line_parts[t]) if len(line_parts[t]) > 1 else line_parts[t][0]
        rels, counts = zip(*file_parts[t])
        files_out[t] = np.repeat(np.asarray(rels, dtype=object), counts)
    # findings is set below; an empty placeholder avoids building a findings frame twice.
    data = SSDA903(**tables, findings=_PLACEHOLDER, source=source)
    data._lines = lines_out
    data._files = files_out
    if arrays is not None:
        record_findings = _records.loaded_findings(data, arrays, child)
    else:
        record_findings = _records.load_findings(data)
    data.findings = _concat_made_findings(found + [record_findings])
    return data


def _spread(cols: dict) -> dict:
    """A part's columns one value per row (factorised columns taken)."""
    return {k: v[1][v[0]] if isinstance(v, tuple) else v for k, v in cols.items()}


def _stack_table(parts: list[dict], names: list[str], total: int) -> tuple[dict, pd.DataFrame]:
    """The columns of ``parts`` (typed columns of one table's files, as
    :func:`.types._type_table_factors` gives) spread to one value per row and stacked, and
    the table's frame: ``(columns, frame)``.

    Equal to ``np.concatenate`` of the spread parts and :func:`.types._frame_from_columns`
    of those: columns of one dtype are taken straight into the rows of one 2-D array, which
    becomes the frame's block for that dtype (no further copy).
    """
    dtypes = {}
    for k in names:
        values = [c[1] if isinstance(c, tuple) else c for c in (p[k] for p in parts)]
        dtypes[k] = values[0].dtype
        if any(v.dtype != dtypes[k] for v in values[1:]):
            # A column whose parts differ in dtype: stacked as before, by numpy's rules.
            stacked = {k: np.concatenate([_spread({k: p[k]})[k] for p in parts]) for k in names}
            return stacked, _frame_from_columns(stacked, total)
    groups: dict = {}
    for k in names:
        groups.setdefault(dtypes[k], []).append(k)
    stacked = {}
    stacks = []
    for dtype, cols in groups.items():
        block = np.empty((len(cols), total), dtype=dtype)
        for j, k in enumerate(cols):
            row, at = block[j], 0
            for p in parts:
                c = p[k]
                if isinstance(c, tuple):
                    np.take(c[1], c[0], out=row[at : at + len(c[0])], mode="clip")
                    at += len(c[0])
                else:
                    row[at : at + len(c)] = c
                    at += len(c)
            stacked[k] = row
        stacks.append((block, cols))
    return {k: stacked[k] for k in names}, _frame_from_stacks(names, stacks, total)


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


def load_ssda903(path, *, collection_year: int | None = None, on_bad_rows: str = "raise") -> SSDA903:  # long: the docstring is the loader's whole contract
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
    like an SSDA903 table. See :mod:`iro_analysis.ssda903.checks` for what the date checks
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
        return _load_year_folders(p, files, year_dirs, other, on_bad_rows)
    return _load_flat(files, p, str(p), collection_year, strict=False, other=other, on_bad_rows=on_bad_rows)


def _load_year_folders(p: Path, files: list[Path], year_dirs: dict[int, Path], other: list[Path],
                       on_bad_rows: str) -> SSDA903:
    """A stack of year folders (``2022/``, ``2023/`` …) under ``p``, one return each.

    Parameters
    ----------
    p : Path
        The folder loaded.
    files, other : list of Path
        Loose data files and other files beside the year folders (see :func:`_list_folder`).
    year_dirs : dict of {int: Path}
        Collection year -> its folder.
    on_bad_rows : str
        As for :func:`load_ssda903`.

    Returns
    -------
    SSDA903
        The returns stacked, with ``collection_year`` from the folder names.
    """
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
