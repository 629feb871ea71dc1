"""Input sanity checks made before a report computes any figure.

A report run on the wrong return does not fail: it prints confident figures about the wrong
council or the wrong year. :func:`check_year_requested` and :func:`check_return` refuse such a
run while the notebook is still in its validation cell:

* the return holds the tables every report needs (header, episodes, reviews), with rows;
* the reporting year is one of the collection years the return covers;
* the return belongs to the authority named: the ``LA`` column (LIIA tidy files), the
  synthetic generator's ``manifest.json``, and the number of children in care on 31 March
  against the DfE's published figure, within a tolerance.

:func:`is_synthetic` tells whether a return was made by :mod:`iro_analysis.synthetic`, so that
every output made from it can say so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd

from .calendar import parse_year, year_bounds, year_label
from .errors import ParameterError, ReferenceDataError

__all__ = [
    "REQUIRED_TABLES",
    "DEFAULT_SIZE_TOLERANCE",
    "latest_reporting_year",
    "check_year_requested",
    "check_return",
    "return_years",
    "is_synthetic",
]

#: Tables without which no report figure can be computed.
REQUIRED_TABLES = ("header", "episodes", "reviews")

#: Default largest relative gap between the return's children in care on 31 March and the
#: published figure before the return is taken to be another authority's. Real returns match
#: within a few percent (the DfE's figure is computed from them); another authority's return is
#: usually off by far more (Wokingham 135 against Rotherham 542).
DEFAULT_SIZE_TOLERANCE = 0.25

# Below this many children, small authorities vary too much year to year for a relative test.
_SIZE_FLOOR = 10

_SYNTHETIC_CHILD = re.compile(r"SYN\d{7}")
_OVERRIDE = (
    "If the return is right (for example a partial extract), set allow_other_authority=True "
    "in the notebook's parameters (iro-analysis: --param allow_other_authority=true)."
)


def latest_reporting_year(today: dt.date | None = None) -> int:
    """The reporting year (ending 31 March) that contains ``today``.

    Examples
    --------
    >>> latest_reporting_year(dt.date(2025, 3, 31)), latest_reporting_year(dt.date(2025, 4, 1))
    (2025, 2026)
    """
    today = today or dt.date.today()
    return today.year + 1 if today.month >= 4 else today.year


def check_year_requested(year, data_dir=None, *, today: dt.date | None = None) -> int:
    """Refuse a reporting year that no return can cover yet, or that a folder of years lacks.

    Parameters
    ----------
    year : int or str
        Year ending 31 March.
    data_dir : path, optional
        The return. When it is a folder of collection-year folders (``2022/``, ``2023/``) the
        year must be one of them; other layouts are checked after loading (:func:`check_return`).
    today : date, optional
        For tests; default today.

    Returns
    -------
    int
        The year.

    Raises
    ------
    ParameterError
        For a year after the one in progress, or missing from the year folders.
    """
    value = parse_year(year)
    latest = latest_reporting_year(today)
    if value > latest:
        raise ParameterError(
            f"year {value} ({year_label(value)}) has not started yet, so no return can cover it. "
            f"Give a year ending 31 March up to {latest}, for example {latest - 1} ({year_label(latest - 1)})."
        )
    if data_dir is not None and Path(data_dir).is_dir():
        folders = sorted(int(p.name) for p in Path(data_dir).iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))
        if folders and value not in folders:
            raise ParameterError(
                f"data_dir {str(data_dir)!r} holds collection years {_years_text(folders)} (one folder each), "
                f"not {year_label(value)}. Set year to one of those, or add the {value} return as {data_dir}/{value}/."
            )
    return value


def _years_text(years) -> str:
    return ", ".join(f"{year_label(y)}" for y in years)


def return_years(data) -> list[int]:
    """Collection years a loaded return covers.

    The ``collection_year`` column where the loader knows it; otherwise the reporting year that
    contains the latest date in the episodes and reviews (a single return's last day).
    """
    from .ssda903 import as_return

    data = as_return(data)
    years = data.collection_years
    if years:
        return years
    latest = []
    for table, columns in (("episodes", ("DECOM", "DEC")), ("reviews", ("REVIEW",))):
        frame = data.table(table)
        if frame is None:
            continue
        for column in columns:
            if column in frame.columns:
                value = pd.to_datetime(frame[column], errors="coerce").max()
                if pd.notna(value):
                    latest.append(value)
    if not latest:
        return []
    last = max(latest)
    return [last.year + 1 if last.month >= 4 else last.year]


def check_return(data, *, la_code: str, la_name: str, year: int, source=None,
                 allow_other_authority: bool = False,
                 size_tolerance: float = DEFAULT_SIZE_TOLERANCE) -> None:
    """Refuse a return that cannot give this authority's figures for this year.

    Parameters
    ----------
    data : iro_analysis.ssda903.SSDA903
        The loaded return.
    la_code, la_name : str
        The authority the report is for.
    year : int
        Reporting year ending 31 March.
    source : path, optional
        Where the return was loaded from (named in messages).
    allow_other_authority : bool, default False
        Skip the checks that the return is this authority's (LA field, synthetic manifest, size).
    size_tolerance : float, default 0.25
        Largest relative gap allowed between the return's children in care on 31 March and the
        published figure for the same date (or the latest published year before it).

    Raises
    ------
    ParameterError
        Naming the folder, the table or figure that does not fit, and what to do.
    """
    from .ssda903 import as_return

    where = f"The return in {source}" if source is not None else "The return"
    data = as_return(data)
    _check_tables(data, where)
    years = return_years(data)
    if years and year not in years:
        raise ParameterError(
            f"{where} covers collection year(s) {_years_text(years)}, not {year_label(year)}: a report for "
            f"{year_label(year)} would show figures the return does not hold. Set year to one of those, or load "
            f"the {year_label(year)} return (one folder per collection year)."
        )
    if allow_other_authority:
        return
    _check_la_field(data, la_code, la_name, where)
    _check_synthetic_authority(source, la_code, la_name, where)
    _check_size(data, la_code, la_name, year, where, float(size_tolerance))


def _check_tables(data, where: str) -> None:
    from .ssda903 import TABLE_COLUMNS

    for name in REQUIRED_TABLES:
        table = data.table(name)
        columns = ", ".join(TABLE_COLUMNS[name])
        if table is None:
            raise ParameterError(
                f"{where} has no {name} table (the file with columns {columns}); every report figure needs it. "
                "Add that file to the folder (any file name: tables are recognised by their columns)."
            )
        if len(table) == 0:
            raise ParameterError(
                f"{where} has an empty {name} table (0 rows). Export the return again from the case "
                "management system: a real return has rows in the header, episodes and reviews tables."
            )


def _check_la_field(data, la_code: str, la_name: str, where: str) -> None:
    from .reference import resolve_authority

    for name in data.tables:
        table = data.table(name)
        if "LA" not in table.columns:
            continue
        for value in pd.unique(table["LA"].dropna().astype(str).str.strip()):
            if not value:
                continue
            try:
                code = resolve_authority(value).la_code
            except ParameterError:
                continue  # a value the lookup does not know proves nothing either way
            if code != la_code:
                raise ParameterError(
                    f"{where} says it is {value!r} (LA column of the {name} table), not {la_name} ({la_code}). "
                    f"Point data_dir at {la_name}'s return or set la to {code}. {_OVERRIDE}"
                )


def _check_synthetic_authority(source, la_code: str, la_name: str, where: str) -> None:
    manifest = _synthetic_manifest(source)
    if manifest is None:
        return
    made_for = str(manifest.get("la_code", "")).strip()
    if made_for and made_for != la_code:
        raise ParameterError(
            f"{where} is a synthetic return made for {manifest.get('la_name', made_for)} ({made_for}), "
            f"not {la_name} ({la_code}). Run `iro-analysis synth --la {la_code} ...` for a synthetic {la_name} "
            f"return, or set la to {made_for}."
        )


def _published_in_care(la_code: str, year: int) -> tuple[int, float] | None:
    from .benchmarks import indicator_values

    try:
        values = indicator_values("cla_count")
    except (ReferenceDataError, ParameterError):
        return None  # without the published file there is nothing to compare with
    rows = values[(values["geographic_level"] == "Local authority") & (values["la_code"] == la_code)
                  & values["value"].notna()]
    if rows.empty:
        return None
    earlier = rows[rows["year"] <= year]
    chosen = earlier if not earlier.empty else rows
    best = chosen.loc[chosen["year"].idxmax()] if not earlier.empty else chosen.loc[chosen["year"].idxmin()]
    return int(best["year"]), float(best["value"])


def _check_size(data, la_code: str, la_name: str, year: int, where: str, tolerance: float) -> None:
    from .cohorts import in_care_on

    published = _published_in_care(la_code, year)
    if published is None:
        return
    published_year, expected = published
    own = int(in_care_on(data, year_bounds(year)[1], exclude_short_breaks=True)["CHILD"].nunique())
    gap = abs(own - expected)
    if gap <= max(_SIZE_FLOOR, tolerance * expected):
        return
    when = f"31 March {year}"
    against = (f"the DfE's published {expected:,.0f}" if published_year == year
               else f"the DfE's latest published figure before it, {expected:,.0f} on 31 March {published_year}")
    raise ParameterError(
        f"{where} does not look like {la_name}'s ({la_code}): it has {own:,} children in care on {when} against "
        f"{against} ({gap / expected:.0%} apart; the tolerance is {tolerance:.0%}). Check that data_dir is "
        f"{la_name}'s return. {_OVERRIDE}"
    )


# ---------------------------------------------------------------------------------------------
# Synthetic returns


def _candidate_folders(data_dir) -> list[Path]:
    path = Path(data_dir).expanduser()
    start = path if path.is_dir() else path.parent
    # The generator writes <out>/manifest.json beside <out>/<year>/; users often point at a year folder.
    return [start, *list(start.parents)[:2]]


def _synthetic_manifest(data_dir) -> dict | None:
    if data_dir in (None, ""):
        return None
    for folder in _candidate_folders(data_dir):
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(manifest, dict) and manifest.get("synthetic"):
            return manifest
    return None


def _sample_children(data_dir, limit: int = 20) -> list[str]:
    """A few CHILD values from the return's files, without loading it."""
    path = Path(data_dir).expanduser()
    files = [path] if path.is_file() else sorted(path.rglob("*"))
    values: list[str] = []
    for file in files:
        if len(values) >= limit or not file.is_file() or file.suffix.lower() not in (".csv", ".xml", ".txt", ""):
            continue
        try:
            with open(file, encoding="utf-8-sig", errors="replace") as stream:
                head = stream.read(65_536)
        except OSError:
            continue
        if "<CHILD>" in head:
            values += re.findall(r"<CHILD>\s*([^<\s]+)\s*</CHILD>", head)[:limit]
            continue
        lines = head.splitlines()
        if not lines:
            continue
        header = [c.strip().upper() for c in lines[0].split(",")]
        if "CHILD" not in header:
            continue
        at = header.index("CHILD")
        for line in lines[1:limit]:
            cells = line.split(",")
            if len(cells) > at and cells[at].strip():
                values.append(cells[at].strip().strip('"'))
    return values


def is_synthetic(data_dir) -> bool:
    """Whether a return was made by :func:`iro_analysis.synthetic.write_synthetic_returns`.

    Parameters
    ----------
    data_dir : path or None
        The return: a folder of CSVs, a folder of year folders, a year folder inside a
        synthetic output, or an XML file.

    Returns
    -------
    bool
        True when the generator's ``manifest.json`` (``"synthetic": true``) is in the folder or
        up to two folders above it, or, for a copy that lost the manifest, when every sampled
        CHILD value has the generator's form (``SYN`` and 7 digits). False for None or an empty
        path.

    Examples
    --------
    >>> is_synthetic(None)
    False
    """
    if data_dir in (None, ""):
        return False
    if not Path(data_dir).expanduser().exists():
        return False
    if _synthetic_manifest(data_dir) is not None:
        return True
    children = _sample_children(data_dir)
    return bool(children) and all(_SYNTHETIC_CHILD.fullmatch(c) for c in children)
