"""Steps shared by the loaders of DfE explore-education-statistics CSV files.

Every DfE (and DfE-compiled ONS) file carries the same geography columns and the same
release conventions, so the loaders in :mod:`~iro_analysis.reference.dfe_cla`,
:mod:`~iro_analysis.reference.outcomes` and :mod:`~iro_analysis.reference.population` read them
through these helpers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import ReferenceDataError
from .regions import harmonise_region_name
from .search import find_reference_files, read_dfe_csv

#: The tidy geography columns every loader returns after ``year``, in order.
GEOGRAPHY_COLUMNS = ["geographic_level", "region_code", "region_name", "la_code", "ons_code", "la_name"]


def first_column(df: pd.DataFrame, names: tuple[str, ...], path) -> str:
    """The first of ``names`` present in ``df`` (column names change between releases)."""
    for n in names:
        if n in df.columns:
            return n
    raise ReferenceDataError(
        f"file {path}: none of the columns {', '.join(names)} is present "
        f"(columns: {', '.join(df.columns)}). Is this the published DfE file?"
    )


def geography(raw: pd.DataFrame) -> pd.DataFrame:
    """Tidy geography columns (:data:`GEOGRAPHY_COLUMNS`) of a DfE file, on ``raw``'s index.

    ``""`` where not applicable (e.g. ``la_code`` on National rows) or where the file has no
    such column; DfE's ``old_la_code``/``new_la_code`` become ``la_code``/``ons_code`` (upper
    case) and region names are harmonised across releases.
    """

    def col(name):
        return raw[name].str.strip() if name in raw.columns else pd.Series("", index=raw.index)

    region_name = col("region_name")
    return pd.DataFrame(
        {
            "geographic_level": col("geographic_level"),
            "region_code": col("region_code"),
            "region_name": region_name.where(region_name == "", region_name.map(harmonise_region_name)),
            "la_code": col("old_la_code"),
            "ons_code": col("new_la_code").str.upper(),
            "la_name": col("la_name"),
        },
        index=raw.index,
    )


def files_by_release(stem: str) -> dict[int, Path]:
    """The files of one DfE table on the search path, by release year.

    ``<stem>_<release>pub.csv`` gives its release in the name; DfE's download name
    ``<stem>.csv`` counts as the release of its latest ``time_period`` unless a named file
    already covers that release. Sorted by release; empty if none is found.
    """
    rx = re.escape(stem) + r"_(\d{4})pub\.csv"
    out = {int(re.fullmatch(rx, n).group(1)): p for n, p in find_reference_files(rx).items()}
    for path in find_reference_files(re.escape(stem + ".csv")).values():
        years = pd.to_numeric(read_dfe_csv(path)["time_period"], errors="coerce")
        if years.notna().any():
            out.setdefault(int(years.max()), path)
    return dict(sorted(out.items()))


def file_stamp(path) -> tuple[str, int, int]:
    """(resolved path, modification time, size): a cache key that changes when the file does."""
    p = Path(path).resolve()
    st = p.stat()
    return str(p), st.st_mtime_ns, st.st_size
