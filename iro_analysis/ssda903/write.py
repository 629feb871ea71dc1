"""Writing a return back out in the DfE CSV layout (:func:`write_return`).

Data built or cleaned here can then be run through the DfE validator unchanged. Each file is
written to a temporary file beside it and renamed into place (:mod:`iro_analysis.files`), so a
reader never sees a half-written file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..files import atomic_write_text
from .model import SSDA903, TABLE_COLUMNS, as_return

__all__ = ["write_return"]


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
    """``frame`` as CSV at ``target``, written whole or not at all, readable by its owner only
    (the tables are child-level data): :func:`iro_analysis.files.atomic_write_text`."""
    atomic_write_text(target, frame.to_csv(index=False, lineterminator="\n"), private=True)


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
    """The tables to write, by name: an SSDA903's in table order, a dict's in its own order."""
    if not isinstance(data, (SSDA903, Mapping)):
        raise ParameterError(f"write_return needs an SSDA903 or a dict of DataFrames, not {type(data).__name__}.")
    ret = as_return(data)
    names = list(data) if isinstance(data, Mapping) else ret.tables
    return {t: ret.table(t) for t in names if ret.table(t) is not None}
