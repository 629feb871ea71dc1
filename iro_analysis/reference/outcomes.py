"""DfE outcome tables for children looked after: placement stability, health, social workers.

Three files from "Children looked after in England including adoptions" are read as published
(suppression symbols become NaN plus the symbol in a ``*_flag`` column, via
:func:`iro_analysis.reference.read_dfe_csv`) and reshaped to one tidy long frame per file, one
row per geography × year × indicator, with the published count of the children who meet the
definition (``numerator``), the children it is a share of (``denominator``) and the published
value (``value``: the rounded percentage, or the average SDQ score).

==============================================  ==============================================
file                                            indicators
==============================================  ==============================================
``la_cla_placement_stability_<release>pub.csv``  ``placements_3plus``, ``long_term_stability``
``la_conviction_health_outcome_cla_<r>pub.csv``  ``health_assessment``, ``dental_check``,
                                                ``immunisations``, ``sdq_completion``,
                                                ``sdq_average_score``
``la_cla_swcount.csv``                          ``sw_changes_3plus`` (2024 only)
==============================================  ==============================================

DfE's own download names (without the ``_<release>pub`` suffix) are accepted too; such a file
counts as the release of its latest year.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .cache import disk_cached
from ..errors import ReferenceDataError
from ._dfe import GEOGRAPHY_COLUMNS, file_stamp, files_by_release, first_column, geography
from .search import find_reference_file, read_dfe_csv

__all__ = [
    "OUTCOME_COLUMNS",
    "OUTCOME_MEASURES",
    "OutcomeMeasure",
    "outcome_files",
    "placement_stability",
    "health_outcomes",
    "social_worker_changes",
    "outcome_indicators",
]

#: Columns of every loader in this module, in order.
OUTCOME_COLUMNS = [
    "year",
    *GEOGRAPHY_COLUMNS,
    "indicator",
    "numerator",
    "denominator",
    "value",
    "numerator_flag",
    "denominator_flag",
    "flag",
    "release",
]


@dataclass(frozen=True)
class OutcomeMeasure:
    """Where one indicator sits in its DfE file.

    Attributes
    ----------
    indicator : str
        Package identifier (``"placements_3plus"``).
    table : str
        ``"placement_stability"``, ``"health"`` or ``"social_workers"``.
    group : str
        Value of the file's group column (``cla_group`` or ``characteristic``).
    numerator : str
        Breakdown label of the children meeting the definition (for a mean: the mean's row).
    denominator : str
        Breakdown label of the children the indicator is a share of (for a mean: the children
        whose scores are averaged).
    value_from : str
        ``"percent"`` (published percentage of the numerator row) or ``"count"`` (the number
        column of the numerator row holds the value itself, as for the SDQ average score).
    """

    indicator: str
    table: str
    group: str
    numerator: str
    denominator: str
    value_from: str = "percent"


_STAB_CLA = "CLA on 31 March"
_STAB_LONG = "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"
_HEALTH = "Health assessments: Children looked after all ages"
_SDQ = "Ages 5 to 16 years with SDQ score"

#: Registry of the outcome indicators read by this module (indicator -> :class:`OutcomeMeasure`).
OUTCOME_MEASURES: dict[str, OutcomeMeasure] = {
    m.indicator: m
    for m in [
        OutcomeMeasure("placements_3plus", "placement_stability", _STAB_CLA,
                       "With 3 or more placements during the year", "Total children"),
        OutcomeMeasure("long_term_stability", "placement_stability", _STAB_LONG,
                       "Living with the same carer for at least 2 years", "Total children"),
        OutcomeMeasure("health_assessment", "health", _HEALTH,
                       "Had their annual health assessment", "Total all ages"),
        OutcomeMeasure("dental_check", "health", _HEALTH,
                       "Had their teeth checked by a dentist", "Total all ages"),
        OutcomeMeasure("immunisations", "health", _HEALTH,
                       "Had their immunisations up to date", "Total all ages"),
        OutcomeMeasure("sdq_completion", "health", _SDQ,
                       "SDQ score was received", "Total ages 5 to 16 years"),
        OutcomeMeasure("sdq_average_score", "health", _SDQ,
                       "SDQ average score", "SDQ score was received", value_from="count"),
        OutcomeMeasure("sw_changes_3plus", "social_workers", "CLA on 31 March",
                       "3 or more social workers during the year", "Total children"),
    ]
}

# table -> (file-name stem, group column, breakdown column, candidate count/percent columns)
_TABLES = {
    "placement_stability": ("la_cla_placement_stability", "cla_group", "placement_stability"),
    "health": ("la_conviction_health_outcome_cla", "characteristic", "breakdown"),
    "social_workers": ("la_cla_swcount", "cla_group", "sw_stability"),
}
_COUNT_COLS = ("children_count", "number")
_PERCENT_COLS = ("children_percent", "percentage")


def outcome_files(table: str) -> dict[int, Path]:
    """The files of one outcome table on the reference search path, by release.

    Parameters
    ----------
    table : {"placement_stability", "health", "social_workers"}

    Returns
    -------
    dict
        ``{release: path}`` sorted by release (empty if none is found). A file named
        ``<stem>_<release>pub.csv`` gives its release in the name; DfE's download name
        ``<stem>.csv`` counts as the release of its latest ``time_period``.
    """
    if table not in _TABLES:
        raise ReferenceDataError(f"unknown outcome table {table!r}; use one of {sorted(_TABLES)}.")
    return files_by_release(_TABLES[table][0])


def _pick(table: str, release) -> tuple[int, Path]:
    files = outcome_files(table)
    stem = _TABLES[table][0]
    if not files:
        # Raises the registry-based message (what the file is, where to download it).
        name = stem + ".csv" if table == "social_workers" else f"{stem}_2025pub.csv"
        find_reference_file(name)
    if release is None:
        rel = max(files)
        return rel, files[rel]
    try:
        rel = int(release)
    except (TypeError, ValueError):
        raise ReferenceDataError(f"release must be a year such as 2025, got {release!r}.") from None
    if rel not in files:
        have = ", ".join(str(r) for r in files)
        raise ReferenceDataError(
            f"The {rel} release of the DfE table '{stem}' was not found on the reference search "
            f"path (releases found: {have}). Download it from the DfE publication 'Children looked "
            f"after in England including adoptions' and save it as {stem}_{rel}pub.csv in "
            f"data/reference/ (or omit release to use the latest)."
        )
    return rel, files[rel]


@functools.lru_cache(maxsize=8)
@disk_cached(path_arg=1)
def _tidy_cached(table: str, path: str, mtime_ns: int, size: int, release: int) -> pd.DataFrame:
    return _tidy(table, path, release)


def _tidy(table: str, path: str, release: int) -> pd.DataFrame:
    _, group_col, breakdown_col = _TABLES[table]
    raw = read_dfe_csv(path)
    count_col = first_column(raw, _COUNT_COLS, path)
    pct_col = first_column(raw, _PERCENT_COLS, path)
    for c in ("time_period", "geographic_level", group_col, breakdown_col):
        first_column(raw, (c,), path)
    raw = read_dfe_csv(path, numeric=[count_col, pct_col])
    raw = raw[raw["geographic_level"].str.strip().isin(["National", "Regional", "Local authority"])]
    base = geography(raw).assign(
        year=pd.to_numeric(raw["time_period"], errors="coerce").astype("int64"),
        group=raw[group_col].str.strip(),
        breakdown=raw[breakdown_col].str.strip(),
        count=raw[count_col].to_numpy(),
        count_flag=raw[f"{count_col}_flag"].to_numpy(),
        percent=raw[pct_col].to_numpy(),
        percent_flag=raw[f"{pct_col}_flag"].to_numpy(),
    )
    keys = ["year", *GEOGRAPHY_COLUMNS]
    frames = []
    for m in OUTCOME_MEASURES.values():
        if m.table != table:
            continue
        sub = base[base["group"] == m.group]
        num = sub[sub["breakdown"] == m.numerator]
        den = sub[sub["breakdown"] == m.denominator]
        if num.empty or den.empty:
            raise ReferenceDataError(
                f"file {path}: rows for {m.group!r} / {m.numerator!r} or {m.denominator!r} are missing; "
                "the file layout may have changed. Check that this is the published DfE file."
            )
        merged = num[keys + ["count", "count_flag", "percent", "percent_flag"]].merge(
            den[keys + ["count", "count_flag"]].rename(
                columns={"count": "denominator", "count_flag": "denominator_flag"}
            ),
            on=keys,
            how="left",
            validate="one_to_one",
        )
        if m.value_from == "count":
            # The SDQ average sits in the count column; it is not a count of children.
            value, flag = merged["count"], merged["count_flag"]
            numerator = pd.Series(np.nan, index=merged.index)
            numerator_flag = pd.Series("z", index=merged.index)
        else:
            value, flag = merged["percent"], merged["percent_flag"]
            numerator, numerator_flag = merged["count"], merged["count_flag"]
        frames.append(
            merged[keys].assign(
                indicator=m.indicator,
                numerator=numerator.astype("float64"),
                denominator=merged["denominator"].astype("float64"),
                value=value.astype("float64"),
                numerator_flag=numerator_flag.fillna("").astype(str),
                denominator_flag=merged["denominator_flag"].fillna("").astype(str),
                flag=flag.fillna("").astype(str),
                release=int(release),
            )
        )
    out = pd.concat(frames, ignore_index=True)[OUTCOME_COLUMNS]
    level_order = {"National": 0, "Regional": 1, "Local authority": 2}
    out = out.sort_values(
        ["indicator", "year", "geographic_level", "region_code", "la_code"],
        key=lambda s: s.map(level_order) if s.name == "geographic_level" else s,
        kind="stable",
    )
    return out.reset_index(drop=True)


def _load(table: str, release) -> pd.DataFrame:
    rel, path = _pick(table, release)
    return _tidy_cached(table, *file_stamp(path), rel).copy()


_RETURNS = """
    Returns
    -------
    pandas.DataFrame
        One row per geography × year × indicator, columns :data:`OUTCOME_COLUMNS`:
        ``year`` (int, year ending 31 March), ``geographic_level`` ("National", "Regional",
        "Local authority"), ``region_code, region_name, la_code`` (DfE 3-digit),
        ``ons_code, la_name`` ("" where not applicable), ``indicator``, ``numerator`` (children
        meeting the definition), ``denominator`` (children it is a share of), ``value`` (the
        published percentage, 0-100, or the average score), ``numerator_flag,
        denominator_flag, flag`` (suppression symbol of numerator, denominator and value, or
        "") and ``release``. Suppressed cells are NaN.

    Raises
    ------
    ReferenceDataError
        If the file is not on the reference search path, the requested release is not
        available, or its layout is not the published one.
"""


def placement_stability(*, release: int | None = None) -> pd.DataFrame:
    """Placement stability of children looked after, from ``la_cla_placement_stability``.

    Indicators: ``placements_3plus`` (children looked after on 31 March with three or more
    placements during the year, % of all looked after on 31 March) and ``long_term_stability``
    (children aged under 16 looked after continuously for at least 2.5 years who have lived in
    the same placement for at least 2 years, %).

    Parameters
    ----------
    release : int, optional
        Publication year; default the latest found.
    """
    return _load("placement_stability", release)


def health_outcomes(*, release: int | None = None) -> pd.DataFrame:
    """Health of children looked after continuously for 12 months or more at 31 March.

    Indicators: ``health_assessment``, ``dental_check``, ``immunisations`` (% of children
    looked after for 12+ months), ``sdq_completion`` (% of those aged 5-16 with an SDQ score
    received) and ``sdq_average_score`` (average SDQ total difficulties score, 0-40; the
    ``denominator`` is the number of scores received). From ``la_conviction_health_outcome_cla``.

    Parameters
    ----------
    release : int, optional
        Publication year; default the latest found.
    """
    return _load("health", release)


def social_worker_changes(*, release: int | None = None) -> pd.DataFrame:
    """Children looked after on 31 March who had 3 or more social workers during the year.

    Indicator ``sw_changes_3plus`` (%), from ``la_cla_swcount`` (published for 2024 only).

    Parameters
    ----------
    release : int, optional
        Release (for a file without a release in its name: its latest year); default latest.
    """
    return _load("social_workers", release)


for _f in (placement_stability, health_outcomes, social_worker_changes):
    _f.__doc__ += _RETURNS


def outcome_indicators(indicator: str | None = None, *, release: int | None = None) -> pd.DataFrame:
    """All outcome indicators (or one) from the three tables, in the shape of :data:`OUTCOME_COLUMNS`.

    Parameters
    ----------
    indicator : str, optional
        One key of :data:`OUTCOME_MEASURES`; only its table is read.
    release : int, optional
        Publication year; default the latest found for each table.

    Returns
    -------
    pandas.DataFrame
        As :func:`placement_stability`.

    Raises
    ------
    ReferenceDataError
        If a file is missing or the indicator is unknown.

    Examples
    --------
    >>> df = outcome_indicators("health_assessment")
    >>> row = df[(df.la_code == "872") & (df.year == 2025)].iloc[0]
    >>> float(row.numerator), float(row.denominator), float(row.value)
    (80.0, 91.0, 88.0)
    """
    if indicator is not None:
        if indicator not in OUTCOME_MEASURES:
            raise ReferenceDataError(
                f"unknown outcome indicator {indicator!r}; use one of {sorted(OUTCOME_MEASURES)}."
            )
        df = _load(OUTCOME_MEASURES[indicator].table, release)
        return df[df["indicator"] == indicator].reset_index(drop=True)
    return pd.concat([_load(t, release) for t in _TABLES], ignore_index=True)
