"""What the report notebooks call between their parameters and their sections.

The notebooks stay thin: a parameters cell, then :func:`validate_parameters` (a clear error for a
bad authority, year or folder before any work is done), :func:`load_return`, and short calls into
the analysis modules. Tables shown in a shareable report go through :func:`shareable_table`,
which suppresses small counts and refuses child identifiers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .calendar import parse_year, year_label
from .disclosure import assert_shareable, suppress_small_counts
from .errors import ParameterError, ReferenceDataError
from .inputs import DEFAULT_SIZE_TOLERANCE, check_return, check_year_requested, is_synthetic

__all__ = [
    "ReportParameters",
    "validate_parameters",
    "load_return",
    "is_synthetic",
    "report_paths",
    "shareable_table",
    "show_table",
    "Report",
    "by_quarter",
    "findings_summary",
    "describe_return",
    "child_population",
    "published_figures",
    "column_label",
    "COLUMN_LABELS",
    "child_identifiers",
]


@dataclass(frozen=True)
class ReportParameters:
    """Checked parameters of one authority-year report.

    Attributes
    ----------
    la_code, ons_code, la_name, region_name : str
        The authority, resolved from whichever form the user gave.
    year : int
        Reporting year ending 31 March.
    label : str
        The year as people write it ("2022-23").
    data_dir : Path or None
        The return: a folder of CSVs, an XML file or a folder of year folders. None when the
        report runs on published figures only.
    output_dir : Path
        Where this report's outputs go (``<output_root>/<year>/<la_code>``).
    restricted_dir : Path
        Child-level outputs, never shared.
    suppression_threshold : int
        Counts from 1 to this minus one are suppressed in shareable tables.
    published : dict
        Published figures to check against (for example ``{"timeliness_percent": 95.4}``).
    allow_other_authority : bool
        Skip the checks that the return is this authority's (see :func:`load_return`).
    size_tolerance : float
        Largest relative gap between the return's children in care on 31 March and the
        published figure before the return is refused as another authority's.
    """

    la_code: str
    ons_code: str
    la_name: str
    region_name: str
    year: int
    label: str
    data_dir: Path | None
    output_dir: Path
    restricted_dir: Path
    suppression_threshold: int = 5
    published: dict = field(default_factory=dict)
    allow_other_authority: bool = False
    size_tolerance: float = DEFAULT_SIZE_TOLERANCE


# 93 lines, 37 of them the docstring (parameters, method, worked examples): 43 lines of code.
def validate_parameters(
    la,
    year,
    *,
    data_dir=None,
    reference_dir=None,
    output_dir="outputs",
    suppression_threshold: int = 5,
    published: dict | None = None,
    allow_other_authority: bool = False,
    size_tolerance: float = DEFAULT_SIZE_TOLERANCE,
) -> ReportParameters:
    """Check a report's parameters and resolve the authority.

    Parameters
    ----------
    la : str or int
        DfE 3-digit code (``"872"``), ONS code (``"E06000041"``) or name (``"Wokingham"``).
    year : int or str
        Year ending 31 March (``2023`` or ``"2022-23"``).
    data_dir : path, optional
        The SSDA903 return (folder of CSVs, XML file, or folder of year folders).
    reference_dir : path, optional
        A folder of published reference files. When given it is searched first for every
        reference file this process reads (:func:`iro_analysis.reference.use_reference_folder`):
        the one deliberate side effect, so that every later call in the notebook reads the same
        files. The environment (``IRO_REFERENCE_DIR``) is not changed.
    output_dir : path, default "outputs"
        Root of the outputs; this report writes under ``<output_dir>/<year>/<la_code>/``.
    suppression_threshold : int, default 5
    published : dict, optional
        Figures from a published report to check.
    allow_other_authority : bool, default False
        Let :func:`load_return` accept a return that does not look like this authority's (its
        ``LA`` field, synthetic manifest or size disagree). For a deliberate partial extract.
    size_tolerance : float, default 0.25
        Largest relative gap allowed between the return's children in care on 31 March and the
        DfE's published figure (0.25 = 25%; gaps of 10 children or fewer always pass).

    Returns
    -------
    ReportParameters

    Raises
    ------
    ParameterError
        For an unknown authority, a bad year (including one that has not started, or one missing
        from a folder of collection years), a missing data folder, a bad threshold or tolerance.
    """
    from .reference import resolve_authority, use_reference_folder

    if reference_dir not in (None, ""):
        reference_path = Path(reference_dir).expanduser()
        if not reference_path.is_dir():
            raise ParameterError(
                f"reference_dir {str(reference_path)!r} is not a folder. Give the folder holding the "
                "published reference files, or leave it empty to use the default search path."
            )
        use_reference_folder(reference_path)
    year_value = parse_year(year)
    authority = resolve_authority(la)
    data_path = None
    if data_dir not in (None, ""):
        data_path = Path(data_dir).expanduser()
        if not data_path.exists():
            raise ParameterError(
                f"data_dir {str(data_path)!r} does not exist. Give the folder of your SSDA903 return "
                "(CSV files or year folders) or the XML file; `iro-analysis synth` makes a synthetic one."
            )
    check_year_requested(year_value, data_path)
    if int(suppression_threshold) < 1:
        raise ParameterError(f"suppression_threshold must be 1 or more, got {suppression_threshold}.")
    if not 0 < float(size_tolerance) < 10:
        raise ParameterError(
            f"size_tolerance must be a fraction such as 0.25 (25%), got {size_tolerance}; "
            "to accept another authority's return use allow_other_authority=True."
        )
    out = Path(output_dir).expanduser() / str(year_value) / authority.la_code
    return ReportParameters(
        la_code=authority.la_code,
        ons_code=authority.ons_code,
        la_name=authority.la_name,
        region_name=authority.region_name,
        year=year_value,
        label=year_label(year_value),
        data_dir=data_path,
        output_dir=out,
        restricted_dir=out / "restricted",
        suppression_threshold=int(suppression_threshold),
        published=dict(published or {}),
        allow_other_authority=bool(allow_other_authority),
        size_tolerance=float(size_tolerance),
    )


def child_population(params: ReportParameters) -> float | None:
    """The ONS 0-17 population the DfE uses for this authority's rates in this year, if published.

    Returns None (rather than raising) when the estimate does not exist, for example for an
    authority created after the mid-year estimate (Cumberland, Westmorland and Furness in
    2022-23): the report then gives counts without rates per 10,000.
    """
    from .reference import population_for

    try:
        value = population_for(params.la_code, params.year)
    except (ParameterError, ReferenceDataError):
        return None
    return None if value is None or pd.isna(value) else float(value)


def published_figures(reported_percent="", reported_held=0, reported_on_time=0) -> dict:
    """Check notebook parameters for published timeliness figures and return keyword arguments.

    Parameters
    ----------
    reported_percent : str or float
        Published percentage on time ("95.4", "94%"); empty or None when not given.
    reported_held, reported_on_time : int
        Published numbers of reviews and of reviews on time; 0 or None when not given.

    Returns
    -------
    dict
        ``reported_percent``, ``reported_held``, ``reported_on_time`` (None when not given),
        ready for :func:`iro_analysis.timeliness.reconcile_timeliness`. Also importable as
        ``iro_analysis.timeliness.published_figures``.

    Raises
    ------
    ParameterError
        For a percentage that is not a number between 0 and 100, or counts that do not fit.

    Examples
    --------
    >>> published_figures("95.4", 435, 410)
    {'reported_percent': '95.4', 'reported_held': 435, 'reported_on_time': 410}
    >>> published_figures()
    {'reported_percent': None, 'reported_held': None, 'reported_on_time': None}
    """
    from .timeliness.reconcile import _decimals

    pct = None if reported_percent in (None, "") else str(reported_percent).strip()
    if pct is not None:
        value, _ = _decimals(pct)
        if not 0 <= value <= 100:
            raise ParameterError(f"reported_percent={reported_percent!r} must be between 0 and 100.")
    counts = {}
    for name, value in (("reported_held", reported_held), ("reported_on_time", reported_on_time)):
        if value in (None, "", 0):
            counts[name] = None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ParameterError(f"{name}={value!r} must be a whole number (0 when not published).") from None
        if number < 0 or number != float(value):
            raise ParameterError(f"{name}={value!r} must be a whole number of reviews.")
        counts[name] = number
    if counts["reported_held"] is not None and counts["reported_on_time"] is not None:
        if counts["reported_on_time"] > counts["reported_held"]:
            raise ParameterError(
                f"reported_on_time ({counts['reported_on_time']}) is larger than reported_held "
                f"({counts['reported_held']}): check the published table."
            )
    return {"reported_percent": pct, **counts}


def load_return(params: ReportParameters):
    """Load the return named by the parameters and check it fits them, before any figure.

    Parameters
    ----------
    params : ReportParameters
        From :func:`validate_parameters`.

    Returns
    -------
    iro_analysis.ssda903.SSDA903

    Raises
    ------
    ParameterError
        When no return was given, or it cannot give this authority's figures for this year: a
        header, episodes or reviews table is missing or empty; the reporting year is not one of
        the return's collection years; or, unless ``params.allow_other_authority``, the return
        looks like another authority's (its ``LA`` field, the synthetic generator's manifest, or
        children in care on 31 March more than ``params.size_tolerance`` from the published
        figure). See :func:`iro_analysis.inputs.check_return`.
    SSDA903FormatError
        When a file cannot be read (see :func:`iro_analysis.ssda903.load_ssda903`).
    """
    from .ssda903 import load_ssda903

    if params.data_dir is None:
        raise ParameterError(
            "No data_dir was given: this report needs the authority's SSDA903 return. Set data_dir to the "
            "folder of the return (iro-analysis: --data for one report, --data-root for a batch)."
        )
    data = load_ssda903(params.data_dir)
    check_return(data, la_code=params.la_code, la_name=params.la_name, year=params.year, source=params.data_dir,
                 allow_other_authority=params.allow_other_authority, size_tolerance=params.size_tolerance)
    return data


def report_paths(output_root, year, la_code) -> dict[str, Path]:
    """Where one report's outputs live: html, notebook, tables, restricted folder."""
    folder = Path(output_root) / str(parse_year(year)) / str(la_code)
    return {
        "folder": folder,
        "html": folder / "report.html",
        "notebook": folder / "report.ipynb",
        "tables": folder / "tables.xlsx",
        "restricted": folder / "restricted",
    }


def shareable_table(
    table: pd.DataFrame,
    *,
    counts=("count",),
    dependent: dict | None = None,
    threshold: int = 5,
    name: str = "table",
) -> pd.DataFrame:
    """Suppress small counts and check a table before it is shown or exported.

    Parameters
    ----------
    table : DataFrame
        An aggregate table.
    counts : sequence of str
        Count columns present in the table to protect (absent names are ignored).
    dependent : dict, optional
        ``{percent_or_rate_column: count_column}``; when omitted, columns named ``percent``,
        ``pct`` or ``rate_per_10k`` depend on the first count column.
    threshold : int, default 5
    name : str
        Used in error messages.

    Returns
    -------
    DataFrame
        Suppressed copy (protected columns as text, "c" where suppressed).

    Raises
    ------
    DisclosureError
        If the table holds a child identifier column.
    """
    count_columns = [c for c in counts if c in table.columns]
    if dependent is None and count_columns:
        dependent = {c: count_columns[0] for c in table.columns if c in ("percent", "pct", "rate_per_10k")}
    dependent = {k: v for k, v in (dependent or {}).items() if k in table.columns and v in table.columns}
    assert_shareable(table.drop(columns=count_columns), name=name)
    # a quarterly table's "Year" column is each row's total: protect along rows as well
    row_total = next((c for c in ("Year", "Total") if c in count_columns and len(count_columns) > 2), None)
    out = suppress_small_counts(table, count_columns, threshold=threshold, dependent=dependent, row_total=row_total)
    assert_shareable(out, name=name, count_columns=count_columns, threshold=threshold)
    return out


def show_table(table: pd.DataFrame, *, caption: str | None = None, **kwargs):
    """Display a suppressed table without its index (for notebooks).

    Keyword arguments go to :func:`shareable_table`. Returns the displayed frame.
    """
    from IPython.display import display

    safe = shareable_table(table, **kwargs)
    # Years and codes are labels, not quantities: no thousands separator ("2023", not "2,023").
    for column in safe.columns:
        if column in _LABEL_LIKE_COLUMNS and safe[column].dtype.kind in "iuf":
            safe[column] = safe[column].map(lambda v: "" if pd.isna(v) else str(int(v)))
    safe = safe.rename(columns=column_label)
    # escape="html": labels come from the data (a code such as "<img onerror=…>" must stay text)
    styler = safe.style.hide(axis="index").format(precision=1, thousands=",", na_rep="", escape="html")
    styler = styler.format_index(escape="html", axis=1)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    display(styler)
    return safe


class Report:
    """A notebook's shareable tables: the threshold is set once and every table shown is kept.

    Working notebooks (``timeliness_validation.ipynb``) show many tables; each cell passing the
    threshold again invited a cell that forgot it. ``Report`` holds the checked parameters, so a
    cell names only the table, its count columns and its caption, and the report knows what it
    has shown (for an Excel copy of exactly those tables).

    Parameters
    ----------
    params : ReportParameters
        From :func:`validate_parameters`; its ``suppression_threshold`` applies to every table.

    Examples
    --------
    >>> params = ReportParameters(la_code="872", ons_code="E06000041", la_name="Wokingham",
    ...     region_name="South East", year=2023, label="2022-23", data_dir=None,
    ...     output_dir=Path("out"), restricted_dir=Path("out/restricted"), suppression_threshold=5)
    >>> report = Report(params)
    >>> table = pd.DataFrame({"code": ["A", "B"], "count": [3, 12]})
    >>> report.shareable(table, caption="Codes").to_dict("list")
    {'code': ['A', 'B'], 'count': ['c', '12']}
    >>> list(report.tables)
    ['Codes']
    """

    def __init__(self, params: ReportParameters):
        self.params = params
        self.threshold = int(params.suppression_threshold)
        #: caption -> the table as shown (suppressed), in the order shown
        self.tables: dict[str, pd.DataFrame] = {}

    def shareable(self, table: pd.DataFrame, *, caption: str, counts=("count",),
                  dependent: dict | None = None) -> pd.DataFrame:
        """The suppressed table under this report's threshold, kept under ``caption``.

        Raises
        ------
        ParameterError
            If ``caption`` was already used for another table (a workbook sheet per caption).
        """
        if caption in self.tables:
            raise ParameterError(f"A table captioned {caption!r} is already in this report; give each table its own caption.")
        safe = shareable_table(table, counts=counts, dependent=dependent, threshold=self.threshold, name=caption)
        self.tables[caption] = safe
        return safe

    def show(self, table: pd.DataFrame, *, caption: str, counts=("count",),
             dependent: dict | None = None) -> pd.DataFrame:
        """Display the table suppressed under this report's threshold (see :func:`show_table`)."""
        safe = self.shareable(table, caption=caption, counts=counts, dependent=dependent)
        # already suppressed: counts=() so that nothing is suppressed twice
        return show_table(safe, caption=caption, counts=(), threshold=self.threshold, name=caption)


_LABEL_LIKE_COLUMNS = {"year", "release", "time_period", "collection_year", "la_code", "quarter"}

#: Headings readers see for the package's stable column names (tables keep the names in code).
COLUMN_LABELS = {
    "age_band": "Age", "legal_status": "Legal status", "ethnic_group": "Ethnic group", "sex": "Sex",
    "placement": "Placement", "uasc": "UASC", "reason": "Reason care ended", "count": "Number",
    "percent": "%", "children": "Children", "rate_per_10k": "Rate per 10,000", "month": "Month",
    "date": "Date", "measure": "Measure", "year_label": "Year", "quarter_label": "Quarter",
    "missing_episodes": "Missing episodes", "away_episodes": "Away without authorisation",
    "check": "Check", "severity": "Severity", "table": "Table", "records": "Records",
    "indicator_name": "Indicator", "year": "Year", "value": "Value", "sn_mean": "Neighbour average",
    "sn_n": "Neighbours with data", "region_value": "Region", "england_value": "England",
    "rank": "Rank", "rank_of": "Of", "band": "Band", "la_share": "This authority %",
    "sn_mean_share": "Neighbours %", "region_share": "Region %", "england_share": "England %",
    "metric": "Measure", "numerator": "Met", "denominator": "Out of", "ci_low": "95% interval from",
    "ci_high": "to", "description": "Description", "REVIEW_CODE": "Participation code",
    "not_judged": "Not judged", "step": "Step", "component": "Component", "previous": "Previous year",
    "current": "This year", "cic": "Children in care", "cic_percent": "% of children in care",
    "population_percent": "% of all children", "representation_ratio": "Representation ratio",
    "rr_interval": "95% interval", "rri": "Relative rate index", "rri_interval": "95% interval (RRI)",
    "own_count": "From the return", "published_count": "Published", "difference": "Difference",
    "percent_difference": "Difference %", "label": "Measure", "last_year": "Last year", "change": "Change",
    "percent_last_year": "% last year", "numerator_last_year": "Met last year", "denominator_last_year": "Out of",
    "not_judged_last_year": "Not judged last year", "difference_points": "Change (% points)",
    "difference_low": "95% interval from", "difference_high": "to", "verdict": "Is the change more than chance?",
    "share_of_change": "Share of the change %",
    "REASON_PLACE_CHANGE": "Reason code", "CIN": "Code", "placements": "Placements", "start_type": "Start",
    "time_taken": "Time taken", "children_allocated": "Children allocated", "iro_fte": "IROs (full-time equivalent)",
    "children_per_fte": "Children per full-time IRO", "raised": "Raised", "resolved": "Resolved",
    "escalated": "Escalated", "withdrawn": "Withdrawn", "open": "Still open", "escalations": "Challenges",
    "median_days": "Median days", "days_0_7": "0-7 days", "days_8_14": "8-14 days", "days_15_28": "15-28 days",
    "days_29_56": "29-56 days", "days_over_56": "Over 56 days", "reviews_due": "Reviews due",
    "midway_checks_done": "Midway reviews done", "respondent": "Who", "forms_sent": "Forms sent",
    "forms_returned": "Forms returned", "children_in_care_also_on_cp_plan": "Also on a child protection plan",
    "reports_due": "Reports due", "reports_on_time_before_review": "Shared in time before the review",
    "cic_last_year": "Last year", "cic_percent_last_year": "% last year", "rr_ci_low": "95% from",
    "rr_ci_high": "to", "rri_ci_low": "95% from", "rri_ci_high": "to",
}


def column_label(name) -> str:
    """The heading shown for a column: from :data:`COLUMN_LABELS`, else the name made readable."""
    if not isinstance(name, str):
        return name
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    if name[:1].isupper() or " " in name:
        return name
    return name.replace("_", " ").capitalize()


def by_quarter(table: pd.DataFrame, category: str, *, value: str = "count", total: bool = True) -> pd.DataFrame:
    """Lay a long quarterly table out as published: one row per category, one column per quarter.

    Parameters
    ----------
    table : DataFrame
        Long table with ``quarter_label``, ``category`` and ``value`` columns (as returned by
        :func:`iro_analysis.cohorts.starters_by_quarter` and friends).
    category : str
        The column whose values become rows.
    value : str, default "count"
    total : bool, default True
        Add a "Year" column (sum over quarters) and a "Total" row.

    Returns
    -------
    DataFrame
        ``category, Q1 (…), Q2 (…), Q3 (…), Q4 (…)[, Year]`` with integer counts.

    Examples
    --------
    >>> long = pd.DataFrame({"quarter_label": ["Q1", "Q1", "Q2", "Q2"], "sex": ["F", "M", "F", "M"],
    ...                      "count": [1, 2, 3, 4]})
    >>> by_quarter(long, "sex").values.tolist()
    [['F', 1, 3, 4], ['M', 2, 4, 6], ['Total', 3, 7, 10]]
    """
    missing = [c for c in ("quarter_label", category, value) if c not in table.columns]
    if missing:
        raise ParameterError(f"by_quarter needs columns {missing}; the table has {list(table.columns)}.")
    fast = _by_quarter_grid(table, category, value, total)
    return fast if fast is not None else _by_quarter_pivot(table, category, value, total)


def _by_quarter_pivot(table: pd.DataFrame, category: str, value: str, total: bool) -> pd.DataFrame:
    """:func:`by_quarter` for any table, by ``pivot_table``."""
    order = list(dict.fromkeys(table[category]))
    wide = table.pivot_table(index=category, columns="quarter_label", values=value, aggfunc="sum",
                             sort=False, observed=True).reindex(order)
    wide = wide[list(dict.fromkeys(table["quarter_label"]))].fillna(0).astype(int)
    if total:
        wide["Year"] = wide.sum(axis=1)
        wide.loc["Total"] = wide.sum(axis=0)
    wide.columns.name = None
    return wide.reset_index()


def _plain_labels(values: np.ndarray) -> bool:
    return all(type(v) is str for v in values)


def _by_quarter_grid(table: pd.DataFrame, category: str, value: str, total: bool) -> pd.DataFrame | None:
    """:func:`by_quarter` for the tables the report lays out, summed on a numpy grid.

    A report lays out some 30 small tables; ``pivot_table`` costs about 10 ms each, a grid
    well under 1 ms. Taken only when the general path's result is certain to be the same
    (string labels without gaps, whole-number counts, no label that the layout adds itself);
    otherwise ``None`` and the caller pivots. ``tests/test_count_fast_paths.py`` holds the two
    paths equal.
    """
    if not len(table) or category in ("quarter_label", value):
        return None
    rows = table[category].to_numpy()
    cols = table["quarter_label"].to_numpy()
    counts = table[value]
    if (rows.dtype != object or cols.dtype != object or counts.dtype != np.int64
            or not _plain_labels(rows) or not _plain_labels(cols)):
        return None
    row_code, row_names = pd.factorize(rows)
    col_code, col_names = pd.factorize(cols)
    row_names, col_names = list(row_names), list(col_names)
    # names the layout adds itself ("Year", "Total", the category column) would clash
    if category in col_names or (total and ("Year" in col_names or "Total" in row_names)):
        return None
    grid = np.zeros((len(row_names), len(col_names)), dtype=np.int64)
    np.add.at(grid, (row_code, col_code), counts.to_numpy())
    if total:
        grid = np.column_stack([grid, grid.sum(axis=1)])
        grid = np.vstack([grid, grid.sum(axis=0)])
        row_names.append("Total")
        col_names.append("Year")
    out = {category: np.array(row_names, dtype=object)}
    out.update((name, grid[:, j].copy()) for j, name in enumerate(col_names))
    return pd.DataFrame(out)


def findings_summary(findings: pd.DataFrame) -> pd.DataFrame:
    """Count findings by check and severity, for a shareable data-quality summary.

    Returns
    -------
    DataFrame
        ``check, severity, table, records, example_message`` without any child identifier;
        the example message is taken from a finding and stripped of identifiers by construction
        (messages name tables and columns, not children).
    """
    columns = ["check", "severity", "table", "records"]
    if findings is None or findings.empty:
        return pd.DataFrame(columns=columns)
    summary = (
        findings.assign(table=findings["table"].fillna("-"))
        .groupby(["check", "severity", "table"], dropna=False)
        .size()
        .rename("records")
        .reset_index()
    )
    severity_rank = summary["severity"].map({"error": 0, "warning": 1, "info": 2}).fillna(3)
    ordered = summary.assign(_rank=severity_rank).sort_values(["_rank", "records"], ascending=[True, False])
    return ordered.reset_index(drop=True)[columns]


def describe_return(params: ReportParameters, data) -> str:
    """One paragraph (Markdown) saying what was loaded, for the top of a report."""
    from .ssda903 import as_return

    data = as_return(data)
    years = data.collection_years
    header = data.header
    n_children = 0 if header is None else int(header["CHILD"].nunique())
    reviews = data.reviews
    n_reviews = 0 if reviews is None else len(reviews)
    year_text = ", ".join(year_label(y) for y in years) if years else "an unstated collection year"
    return (
        f"**{params.la_name}** (DfE code {params.la_code}, {params.region_name}), reporting year "
        f"**{params.label}** (1 April {params.year - 1} to 31 March {params.year}). The SSDA903 return "
        f"loaded covers {year_text}: {n_children:,} children in the header table and {n_reviews:,} "
        "review records."
    )


def child_identifiers(data) -> list[str]:
    """Every CHILD and UPN value of a loaded return: none may appear in a shareable output."""
    from .ssda903 import as_return

    values: set[str] = set()
    data = as_return(data)
    for table_name in data.tables:
        table = data.table(table_name)
        for column in ("CHILD", "UPN"):
            if column in table.columns:
                values.update(_column_identifiers(table[column]))
    values.discard("")
    return sorted(values)


def _column_identifiers(column: pd.Series) -> set[str]:
    """The distinct values of an identifier column as text, stripped (missing values left out).

    Parameters
    ----------
    column : Series

    Returns
    -------
    set of str
        ``set(column.dropna().astype(str).str.strip())``.

    Notes
    -----
    A loaded return holds its identifiers as text, each repeated over a child's episodes and
    reviews: when every value is already a ``str``, each distinct one is stripped once (a fifth
    of the time for a large authority). Any other column is converted value by value.
    """
    from pandas.api.types import infer_dtype

    present = column.dropna()
    values = present.to_numpy()
    if present.dtype == object and infer_dtype(values, skipna=False) == "string":
        return {value.strip() for value in pd.unique(values)}
    # as a list: iterating an arrow-backed column yields its strings one call at a time
    return set(present.astype(str).str.strip().tolist())

