"""The registry of published indicators and their national tables (every geography and year).

:data:`INDICATORS` names each indicator DfE publishes (unit, source file, polarity, definition,
denominator); :func:`indicator_values` reads one for every authority, region and England, once
per process (:func:`iro_analysis.reference.cache.national`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..reference.cache import national

__all__ = ["Indicator", "INDICATORS", "VALUE_COLUMNS", "get_indicator", "list_indicators", "indicator_values",
           "latest_year"]


@dataclass(frozen=True)
class Indicator:
    """One published indicator.

    Attributes
    ----------
    id : str
        Identifier used throughout the package (``"cla_rate"``).
    name : str
        Short name for tables and charts.
    unit : str
        Unit of ``value`` (``"per 10,000 children aged 0-17"``, ``"%"``, ``"children"``, ``"score"``).
    kind : {"count", "rate", "proportion", "mean"}
        Statistical type: decides whether a funnel plot exists (rates and proportions).
    polarity : {"high", "low", "none"}
        Whether a higher value is better, a lower value is better, or neither (LAIT polarity).
    source_file : str
        DfE file it comes from (``<release>`` stands for the publication year).
    definition : str
        DfE definition.
    denominator : str or None
        What a rate or proportion is of (None for counts).
    per : float or None
        Multiplier of a rate (10,000) or proportion (100).
    decimals : int
        Decimal places DfE publishes.
    """

    id: str
    name: str
    unit: str
    kind: str
    polarity: str
    source_file: str
    definition: str
    denominator: str | None
    per: float | None
    decimals: int = 0

    @property
    def has_funnel(self) -> bool:
        """True for rates and proportions (a mean needs a published spread, a count a base)."""
        return self.kind in ("rate", "proportion")


_RATES_FILE = "cla_number_and_rate_per_10k_children_<release>pub.csv"
_CHAR_FILE = "la_cla_on_31_march_by_characteristics_<release>pub_extract.csv"
_STAB_FILE = "la_cla_placement_stability_<release>pub.csv"
_HEALTH_FILE = "la_conviction_health_outcome_cla_<release>pub.csv"
_SW_FILE = "la_cla_swcount.csv"
_POP = "children aged 0-17 (ONS mid-year estimate for the previous calendar year)"
_RATE_UNIT = "per 10,000 children aged 0-17"
_HEALTH_DEN = "children looked after continuously for at least 12 months at 31 March"


#: The indicator registry (id -> :class:`Indicator`).
INDICATORS: dict[str, Indicator] = {
    i.id: i
    for i in [
        Indicator("cla_count", "Children looked after on 31 March", "children", "count", "none", _RATES_FILE,
                  "Number of children looked after by the local authority on 31 March (excluding children "
                  "looked after under an agreed series of short-term placements).", None, None),
        Indicator("cla_rate", "Children looked after per 10,000", _RATE_UNIT, "rate", "none", _RATES_FILE,
                  "Children looked after on 31 March per 10,000 children aged 0-17 in the authority; "
                  "rate = round(count / population x 10,000).", _POP, 10_000),
        Indicator("starts_count", "Children starting to be looked after", "children", "count", "none",
                  _RATES_FILE,
                  "Number of children who started to be looked after during the year ending 31 March "
                  "(only the first occasion in the year counted; short-term-break placements excluded).",
                  None, None),
        Indicator("starts_rate", "Children starting to be looked after per 10,000", _RATE_UNIT, "rate", "none",
                  _RATES_FILE,
                  "Children who started to be looked after during the year per 10,000 children aged 0-17.",
                  _POP, 10_000),
        Indicator("ceased_count", "Children ceasing to be looked after", "children", "count", "none",
                  _RATES_FILE,
                  "Number of children who ceased to be looked after during the year ending 31 March (only "
                  "the last occasion in the year counted; short-term-break placements excluded).",
                  None, None),
        Indicator("ceased_rate", "Children ceasing to be looked after per 10,000", _RATE_UNIT, "rate", "none",
                  _RATES_FILE,
                  "Children who ceased to be looked after during the year per 10,000 children aged 0-17.",
                  _POP, 10_000),
        Indicator("uasc_share", "Unaccompanied asylum-seeking children (% of looked after)", "%", "proportion",
                  "none", _CHAR_FILE,
                  "Unaccompanied asylum-seeking children as a percentage of all children looked after on "
                  "31 March.", "children looked after on 31 March", 100),
        Indicator("placements_3plus", "Three or more placements in the year", "%", "proportion", "low",
                  _STAB_FILE,
                  "Children looked after on 31 March who had three or more placements during the year, as a "
                  "percentage of all children looked after on 31 March.",
                  "children looked after on 31 March", 100),
        Indicator("long_term_stability", "Long-term placement stability", "%", "proportion", "high", _STAB_FILE,
                  "Children aged under 16 at 31 March who had been looked after continuously for at least "
                  "2.5 years and who were living in the same placement for at least 2 years (or placed for "
                  "adoption and their adoptive placement together with their previous placement lasted at "
                  "least 2 years), as a percentage of children aged under 16 looked after for 2.5 years or more.",
                  "children aged under 16 looked after continuously for at least 2.5 years on 31 March", 100),
        Indicator("health_assessment", "Annual health assessment", "%", "proportion", "high", _HEALTH_FILE,
                  "Children looked after continuously for at least 12 months at 31 March whose annual health "
                  "assessment was up to date, as a percentage of those children.", _HEALTH_DEN, 100),
        Indicator("dental_check", "Dental check", "%", "proportion", "high", _HEALTH_FILE,
                  "Children looked after continuously for at least 12 months at 31 March who had their teeth "
                  "checked by a dentist during the year, as a percentage of those children.", _HEALTH_DEN, 100),
        Indicator("immunisations", "Immunisations up to date", "%", "proportion", "high", _HEALTH_FILE,
                  "Children looked after continuously for at least 12 months at 31 March whose immunisations "
                  "were up to date, as a percentage of those children.", _HEALTH_DEN, 100),
        Indicator("sdq_completion", "SDQ score received", "%", "proportion", "high", _HEALTH_FILE,
                  "Children aged 5 to 16 looked after continuously for at least 12 months at 31 March for whom "
                  "a Strengths and Difficulties Questionnaire (SDQ) score was received, as a percentage of "
                  "those children.",
                  "children aged 5 to 16 looked after continuously for at least 12 months at 31 March", 100),
        Indicator("sdq_average_score", "Average SDQ score", "score (0-40)", "mean", "low", _HEALTH_FILE,
                  "Average SDQ total difficulties score (0-40; 14-16 borderline, 17 or more a cause for "
                  "concern) of children aged 5 to 16 looked after continuously for at least 12 months with a "
                  "score received.", "children aged 5 to 16 with an SDQ score received", None, 1),
        Indicator("sw_changes_3plus", "Three or more social workers in the year", "%", "proportion", "low",
                  _SW_FILE,
                  "Children looked after on 31 March who had three or more social workers during the year, as "
                  "a percentage of all children looked after on 31 March (published for 2024).",
                  "children looked after on 31 March", 100),
    ]
}


_RATE_MEASURES = {
    "cla_count": "cla_31_march", "cla_rate": "cla_31_march",
    "starts_count": "starting", "starts_rate": "starting",
    "ceased_count": "ceasing", "ceased_rate": "ceasing",
}


#: Columns of :func:`indicator_values`.
VALUE_COLUMNS = [
    "year", "geographic_level", "region_code", "region_name", "la_code", "ons_code", "la_name",
    "indicator", "numerator", "denominator", "value", "flag", "release",
]


def get_indicator(indicator) -> Indicator:
    """Return the registry entry for an indicator id (or pass an :class:`Indicator` through).

    Raises
    ------
    ParameterError
        For an unknown id; the message lists the valid ones.
    """
    if isinstance(indicator, Indicator):
        return indicator
    key = str(indicator).strip()
    if key not in INDICATORS:
        raise ParameterError(
            f"Unknown indicator {indicator!r}. Use one of: {', '.join(INDICATORS)} "
            "(see iro.benchmarks.list_indicators())."
        )
    return INDICATORS[key]


def list_indicators() -> pd.DataFrame:
    """The indicator registry as a table.

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``id, name, unit, kind, polarity, source_file, definition,
        denominator, per, decimals, has_funnel``.

    Examples
    --------
    >>> ind = list_indicators()
    >>> ind.set_index("id").loc["cla_rate", "polarity"]
    'none'
    """
    rows = [{**asdict(i), "has_funnel": i.has_funnel} for i in INDICATORS.values()]
    return pd.DataFrame(rows)


def _geo_cols(df: pd.DataFrame) -> pd.DataFrame:
    return df[["year", "geographic_level", "region_code", "region_name", "la_code", "ons_code", "la_name"]]


def indicator_values(indicator, *, release: int | None = None) -> pd.DataFrame:
    """One indicator for every geography and year of a DfE release.

    Parameters
    ----------
    indicator : str
        An id from :func:`list_indicators` (``"cla_rate"``, ``"placements_3plus"`` …).
    release : int, optional
        Publication year of the DfE release (2023, 2024, 2025 for the rates; the releases
        found for the other files). Default: the latest found. Each release revises all its
        years and re-bases populations, so reports published in earlier years match earlier
        releases.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`VALUE_COLUMNS`: ``year`` (year ending 31 March), ``geographic_level``
        ("National", "Regional", "Local authority"), ``region_code, region_name, la_code``
        (DfE 3-digit), ``ons_code, la_name`` ("" where not applicable), ``indicator``,
        ``numerator`` (published count of children), ``denominator`` (population or children it
        is a share of; NaN for counts), ``value`` (the published figure in the indicator's unit,
        rounded as DfE publishes it), ``flag`` (DfE suppression symbol of ``value`` or "") and
        ``release``.

    Raises
    ------
    ParameterError
        For an unknown indicator.
    ReferenceDataError
        If the DfE file (or the requested release) is not on the reference search path.

    Notes
    -----
    National and regional counts are rounded by DfE to the nearest 10, their rates computed
    from unrounded counts. Authority rates are ``round(count / population x 10,000)``.

    Examples
    --------
    >>> v = indicator_values("cla_count")
    >>> int(v[(v.geographic_level == "National") & (v.year == 2025)].value.iloc[0])
    81770
    """
    return _indicator_values(get_indicator(indicator).id, release)


@national
def _indicator_values(indicator: str, release: int | None) -> pd.DataFrame:
    """:func:`indicator_values`, once per process for each indicator, release and set of files."""
    from ..reference import dfe_cla
    from ..reference import outcomes as _outcomes

    ind = get_indicator(indicator)
    if ind.id in _RATE_MEASURES:
        df = dfe_cla.cla_rates(release=release)
        df = df[df["measure"] == _RATE_MEASURES[ind.id]]
        if ind.kind == "count":
            out = _geo_cols(df).assign(
                numerator=df["count"], denominator=np.nan, value=df["count"], flag=df["count_flag"]
            )
        else:
            out = _geo_cols(df).assign(
                numerator=df["count"], denominator=df["population_0_17"], value=df["rate_per_10k"],
                flag=df["rate_flag"],
            )
        out = out.assign(release=df["release"])
    elif ind.id == "uasc_share":
        df = dfe_cla.cla_characteristics(release=release)
        df = df[df["cla_group"] == "Unaccompanied asylum-seeking children"]
        keys = ["year", "geographic_level", "region_code", "region_name", "la_code", "ons_code", "la_name"]
        num = df[df["characteristic"] == "UASC"]
        den = df[df["characteristic"] == "Total"][keys + ["count"]].rename(columns={"count": "denominator"})
        merged = num.merge(den, on=keys, how="left", validate="one_to_one")
        out = merged[keys].assign(
            numerator=merged["count"], denominator=merged["denominator"], value=merged["percent"],
            flag=merged["percent_flag"], release=merged["release"],
        )
    else:
        df = _outcomes.outcome_indicators(ind.id, release=release)
        out = df.drop(columns=["numerator_flag", "denominator_flag", "indicator"])
    out = out.assign(indicator=ind.id)
    out["year"] = out["year"].astype("int64")
    out["release"] = out["release"].astype("int64")
    for c in ("numerator", "denominator", "value"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    out["flag"] = out["flag"].fillna("").astype(str)
    return out[VALUE_COLUMNS].reset_index(drop=True)


def latest_year(indicator, *, release: int | None = None, up_to: int | None = None) -> int:
    """Latest year ending 31 March for which an indicator is published (optionally <= ``up_to``).

    Raises
    ------
    ParameterError
        If no year up to ``up_to`` is published.

    Examples
    --------
    >>> latest_year("sw_changes_3plus")
    2024
    """
    ind = get_indicator(indicator)
    years = list(published_years(ind.id, release))
    if up_to is not None:
        years = [y for y in years if y <= int(up_to)]
    if not years:
        raise ParameterError(f"{ind.name} ({ind.id}) is not published for any year up to {up_to}.")
    return years[-1]


@national
def published_years(indicator: str, release: int | None = None) -> tuple[int, ...]:
    """Years ending 31 March with local-authority values of an indicator, oldest first.

    Kept per process (:func:`~iro_analysis.reference.cache.national`): every report asks.
    """
    vals = _indicator_values(get_indicator(indicator).id, release)
    return tuple(sorted(int(y) for y in vals.loc[vals["geographic_level"] == "Local authority", "year"].unique()))
