"""Every count table of an IRO annual report at once, from one episode chain."""

from __future__ import annotations

from ..calendar import parse_year, year_bounds
from ..errors import ParameterError
from .counts import missing_by_quarter, monthly_in_care, participation_by_quarter, year_summary
from .dates import _quarters
from .flows import leavers_by_quarter, reaching_18, starters_by_quarter
from .periods import _source, prepare
from .profiles import profile_on


def cohort_tables(data, year, *, population=None, exclude_short_breaks: bool = True, only=None) -> dict:
    """Every count table of an IRO annual report, keyed by stable names.

    Parameters
    ----------
    data : SSDA903 or object with the tables
    year : int or str
        Reporting year ending 31 March.
    population : float, optional
        0–17 population for the rate per 10,000 in ``monthly_in_care``.
    exclude_short_breaks : bool, default True
    only : iterable of str, optional
        Make only the tables of these names (each as the full call makes it); default: all.
        ``missing_by_quarter`` and ``participation_by_quarter`` still need their tables.

    Returns
    -------
    dict of str -> DataFrame
        ``summary`` (:func:`year_summary`), ``monthly_in_care`` (Tables A, G),
        ``starters_by_age_band`` (B), ``starters_by_legal_status`` and ``starters_by_ls`` (C),
        ``starters_by_placement``, ``legal_status_at_year_end`` and ``ls_at_year_end`` (D),
        ``sex_by_quarter_end`` (E), ``ethnicity_at_year_end`` (F), ``age_band_at_year_end``,
        ``placement_at_year_end``, ``uasc_at_year_end``, ``leavers_by_reason`` (J),
        ``leavers_by_rec``, ``reaching_18`` (K), ``missing_by_quarter`` (L, only with a missing
        table), ``participation_by_quarter`` (N, only with a reviews table).

    Raises
    ------
    ParameterError
        If ``only`` names a table that does not exist.

    Notes
    -----
    The episode chain is built once and shared by all tables. The tables contain counts,
    not child identifiers, but small counts are not suppressed here: pass them through
    :mod:`iro_analysis.disclosure` before sharing.
    """
    y = parse_year(year)
    prep = prepare(data)
    _, end = year_bounds(y)
    qends = _quarters(y)["quarter_end"].tolist()
    kw = {"exclude_short_breaks": exclude_short_breaks}
    # each table made only when asked for: a caller that reads a few pays for those
    makers = {
        "summary": lambda: year_summary(prep, y, **kw),
        "monthly_in_care": lambda: monthly_in_care(prep, y, population=population, **kw),
        "starters_by_age_band": lambda: starters_by_quarter(prep, y, by="age_band", **kw),
        "starters_by_legal_status": lambda: starters_by_quarter(prep, y, by="legal_status", **kw),
        "starters_by_ls": lambda: starters_by_quarter(prep, y, by="LS", **kw),
        "starters_by_placement": lambda: starters_by_quarter(prep, y, by="placement", **kw),
        "legal_status_at_year_end": lambda: profile_on(prep, end, by="legal_status", **kw),
        "ls_at_year_end": lambda: profile_on(prep, end, by="LS", **kw),
        "sex_by_quarter_end": lambda: profile_on(prep, qends, by="sex", **kw),
        "ethnicity_at_year_end": lambda: profile_on(prep, end, by="ethnicity", **kw),
        "age_band_at_year_end": lambda: profile_on(prep, end, by="age_band", **kw),
        "placement_at_year_end": lambda: profile_on(prep, end, by="placement", **kw),
        "uasc_at_year_end": lambda: profile_on(prep, end, by="uasc", **kw),
        "leavers_by_reason": lambda: leavers_by_quarter(prep, y, by="reason", **kw),
        "leavers_by_rec": lambda: leavers_by_quarter(prep, y, by="REC", **kw),
        "reaching_18": lambda: reaching_18(prep, y, **kw),
    }
    if getattr(_source(data), "missing", None) is not None:
        makers["missing_by_quarter"] = lambda: missing_by_quarter(prep, y, **kw)
    if getattr(_source(data), "reviews", None) is not None:
        makers["participation_by_quarter"] = lambda: participation_by_quarter(prep, y, **kw)
    wanted = set(makers) if only is None else set(only)
    unknown = wanted - set(makers) - {"missing_by_quarter", "participation_by_quarter"}
    if unknown:
        raise ParameterError(f"no cohort tables named {sorted(unknown)}; the names are {sorted(makers)}.")
    return {name: make() for name, make in makers.items() if name in wanted}
