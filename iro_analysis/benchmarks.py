"""Comparisons with statistical neighbours, region and England, and funnel plots.

Every IRO report sets the council against its statistical neighbours, its region and England.
This module makes those comparisons exact and reproducible from DfE's published tables:

* :data:`INDICATORS` / :func:`list_indicators`: the registry of published indicators (name,
  unit, source file, polarity, DfE definition, denominator).
* :func:`indicator_values`: one indicator for every geography and year of a release.
* :func:`neighbour_benchmark`, :func:`neighbour_table`, :func:`trend`: the authority against
  its 10 statistical neighbours (DfE April 2021 or 2025 model), region and England, with rank
  and quartile band by the rules of DfE's Local Authority Interactive Tool (LAIT).
* :func:`funnel_data`, :func:`funnel_curves`: every authority with funnel-plot limits,
  adjusted for over-dispersion (Spiegelhalter 2005) — a statistically honest alternative to
  league tables.
* :func:`compare_with_published`: what the authority's own SSDA903 return gives against the
  published figure for the same year.

LAIT rules (methods.md §3.2, read from the LAIT source)
-------------------------------------------------------
* SN average: the simple mean of the published values of the neighbours that have a value;
  the number used is reported (``sn_n``).
* England and region: the published values (pooled), not means of authorities.
* Rank: among all authorities with a value in that year, ``rank(-value, ties="min")`` for
  polarity "high", ``rank(value, ties="min")`` for "low"; ties share the better (lower) rank.
* Quartile band: R type-7 quartiles of all authorities' values; bands are right-closed
  intervals [min, Q1], (Q1, Q2], (Q2, Q3], (Q3, max]; A is the best quartile (the top one for
  "high", the bottom one for "low").
* Indicators without polarity (rates of children looked after, UASC share) get no rank and no
  band; their ``position`` (1 = lowest value) and ``quartile`` (1 = lowest) are still given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from .cache import national
from .errors import ParameterError, ReferenceDataError
from .stats import funnel as _funnel

__all__ = [
    "Indicator",
    "INDICATORS",
    "VALUE_COLUMNS",
    "BENCHMARK_COLUMNS",
    "FUNNEL_COLUMNS",
    "list_indicators",
    "get_indicator",
    "indicator_values",
    "quartile_cut_points",
    "band_from_cut_points",
    "rank_and_band",
    "sn_mean",
    "neighbour_benchmark",
    "neighbour_table",
    "trend",
    "funnel_data",
    "funnel_curves",
    "compare_with_published",
    "OverviewParameters",
    "overview_parameters",
    "latest_year",
    "funnel_summary",
    "benchmark_table",
]

POLARITIES = ("high", "low", "none")


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

#: Columns of :func:`neighbour_benchmark` (one row).
BENCHMARK_COLUMNS = [
    "la_code", "ons_code", "la_name", "region_code", "region_name", "indicator", "indicator_name", "unit",
    "polarity", "year", "release", "model", "value", "flag", "numerator", "denominator",
    "sn_mean", "sn_median", "sn_n", "sn_of", "sn_used", "sn_missing", "region_value", "england_value",
    "rank", "rank_of", "band", "position", "quartile", "q_min", "q1", "q2", "q3", "q_max",
    "previous_year", "previous_value", "change", "note",
]

#: Columns of :func:`funnel_data`.
FUNNEL_COLUMNS = [
    "la_code", "ons_code", "la_name", "region_code", "region_name", "indicator", "year", "numerator",
    "denominator", "value", "observed", "target", "lower_95", "upper_95", "lower_998", "upper_998",
    "outside_95", "outside_998", "direction", "unadj_lower_95", "unadj_upper_95", "unadj_lower_998",
    "unadj_upper_998", "outside_95_unadjusted", "outside_998_unadjusted", "role", "highlighted",
    "limits", "kind", "per", "method", "scale", "phi", "tau2", "overdispersed", "p_overdispersion",
]


# ---------------------------------------------------------------------------------------------
# registry


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


# ---------------------------------------------------------------------------------------------
# values


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
    from .reference import dfe_cla
    from .reference import outcomes as _outcomes

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


# ---------------------------------------------------------------------------------------------
# LAIT rules (pure functions on numbers)


def quartile_cut_points(values) -> np.ndarray:
    """Minimum, Q1, median, Q3 and maximum of the non-missing values (R type-7 quantiles).

    Examples
    --------
    >>> quartile_cut_points([1, 2, 3, 4, 5, np.nan]).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0]
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.full(5, np.nan)
    return np.quantile(v, [0.0, 0.25, 0.5, 0.75, 1.0])  # numpy "linear" = R type 7


def _check_polarity(polarity: str) -> str:
    p = str(polarity).strip().lower()
    if p in ("-", ""):
        p = "none"
    if p not in POLARITIES:
        raise ParameterError(f"polarity must be 'high', 'low' or 'none', got {polarity!r}.")
    return p


def band_from_cut_points(value, cuts, polarity: str):
    """LAIT quartile band (A = best quartile) of a value given the five cut points.

    Parameters
    ----------
    value : float
    cuts : sequence of 5 floats
        From :func:`quartile_cut_points`.
    polarity : {"high", "low", "none"}

    Returns
    -------
    str or None
        "A"-"D"; None if the value is missing or the indicator has no polarity.

    Notes
    -----
    Intervals are [min, Q1], (Q1, Q2], (Q2, Q3], (Q3, max] (LAIT ``calculate_quartile_band``).
    Polarity "high": D, C, B, A from the bottom; "low": A, B, C, D.

    Examples
    --------
    >>> band_from_cut_points(98.4, [46.4, 87.325, 93.75, 96.9, 100.0], "high")
    'A'
    """
    polarity = _check_polarity(polarity)
    q = _ascending_quartile(value, cuts)
    if q is None or polarity == "none":
        return None
    return "DCBA"[q - 1] if polarity == "high" else "ABCD"[q - 1]


def _ascending_quartile(value, cuts):
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    c = np.asarray(cuts, dtype=float)
    if not np.isfinite(v) or not np.all(np.isfinite(c)):
        return None
    if v <= c[1]:
        return 1
    if v <= c[2]:
        return 2
    if v <= c[3]:
        return 3
    return 4


def rank_and_band(values, *, polarity: str) -> pd.DataFrame:
    """LAIT rank, quartile band, position and quartile of every value among the others.

    Parameters
    ----------
    values : array_like or pandas.Series
        One value per authority (NaN = no value; left out of ranks and cut points).
    polarity : {"high", "low", "none"}

    Returns
    -------
    pandas.DataFrame
        Same index as ``values`` (a RangeIndex for arrays), columns ``value``, ``rank``
        (Int64; 1 = best; ties share the lower rank; NA for polarity "none" or a missing value),
        ``rank_of`` (number of authorities with a value), ``band`` ("A"-"D" or None),
        ``position`` (Int64; 1 = lowest value, ties "min"), ``quartile`` (Int64; 1 = lowest
        quarter).

    Examples
    --------
    >>> rank_and_band([10, 20, 20, 40], polarity="high")["rank"].tolist()
    [4, 2, 2, 1]
    """
    polarity = _check_polarity(polarity)
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=float))
    v = pd.to_numeric(s, errors="coerce").astype("float64")
    ok = v.notna().to_numpy()
    vals = v.to_numpy()
    n = int(ok.sum())
    cuts = quartile_cut_points(vals)
    position = pd.array([pd.NA] * len(v), dtype="Int64")
    rank = pd.array([pd.NA] * len(v), dtype="Int64")
    if n:
        position[ok] = rankdata(vals[ok], method="min").astype("int64")
        if polarity == "high":
            rank[ok] = rankdata(-vals[ok], method="min").astype("int64")
        elif polarity == "low":
            rank[ok] = rankdata(vals[ok], method="min").astype("int64")
    quart = [_ascending_quartile(x, cuts) if o else None for x, o in zip(vals, ok)]
    band = [band_from_cut_points(x, cuts, polarity) if o else None for x, o in zip(vals, ok)]
    return pd.DataFrame(
        {
            "value": vals,
            "rank": rank,
            "rank_of": n,
            "band": pd.Series(band, dtype=object).to_numpy(),
            "position": position,
            "quartile": pd.array(quart, dtype="Int64"),
        },
        index=v.index,
    )


def sn_mean(values) -> tuple[float, int]:
    """LAIT statistical-neighbour average: mean of the neighbours that have a value.

    Returns
    -------
    (mean, n_used) : tuple
        NaN and 0 if no neighbour has a value.

    Examples
    --------
    >>> sn_mean([92.3, 95.6, 89.6, 87.7, 97.0, 95.0, 100.0, 99.0, 99.1, 96.7])  # doctest: +ELLIPSIS
    (95.2..., 10)
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), 0
    return float(v.mean()), int(v.size)


# ---------------------------------------------------------------------------------------------
# comparisons


def _resolve(la):
    from .reference import resolve_authority

    return resolve_authority(la)


def _model_key(model) -> str:
    text = str(model).strip().lower()
    for key in ("2021", "2025"):
        if key in text:
            return key
    raise ParameterError(f"model must be '2021' (DfE April 2021 statistical neighbours) or '2025', got {model!r}.")


def _neighbours(la_code: str, model: str) -> pd.DataFrame:
    from .reference import neighbours as _nb

    sn = _nb.statistical_neighbours(model)
    rows = sn[sn["la_code"] == la_code].sort_values("neighbour_rank")
    return rows.reset_index(drop=True)


def _pick_year(vals: pd.DataFrame, year, ind: Indicator) -> int:
    years = sorted(vals.loc[vals["geographic_level"] == "Local authority", "year"].unique().tolist())
    if not years:
        raise ReferenceDataError(f"No local-authority values of {ind.id} were found in the DfE file.")
    if year is None:
        return int(years[-1])
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"year must be a year ending 31 March such as 2023, got {year!r}.") from None
    if y not in years:
        rel = ", ".join(str(r) for r in sorted(vals["release"].unique()))
        raise ParameterError(
            f"{ind.name} ({ind.id}) is not published for the year ending 31 March {y} in the release used "
            f"({rel}); years available: {', '.join(str(x) for x in years)}. Choose one of those, or another "
            "release with release=."
        )
    return y


def _benchmark_row(vals: pd.DataFrame, ind: Indicator, auth, year: int, nb: pd.DataFrame, model: str) -> dict:
    las = vals[(vals["geographic_level"] == "Local authority") & (vals["year"] == year)]
    las = las.drop_duplicates("la_code").set_index("la_code")
    rb = rank_and_band(las["value"], polarity=ind.polarity)
    cuts = quartile_cut_points(las["value"])
    notes = []
    if auth.la_code in las.index:
        own = las.loc[auth.la_code]
        value, flag = float(own["value"]), str(own["flag"])
        numerator, denominator = float(own["numerator"]), float(own["denominator"])
        region_code, region_name = str(own["region_code"]), str(own["region_name"])
        if np.isnan(value):
            notes.append(f"value not published (DfE symbol '{flag}')" if flag else "value not published")
    else:
        value, flag, numerator, denominator = np.nan, "", np.nan, np.nan
        region_code, region_name = auth.region_code, auth.region_name
        notes.append(f"{auth.la_name} has no row in this release for {year}")
    reg = vals[(vals["geographic_level"] == "Regional") & (vals["year"] == year)
               & (vals["region_code"] == region_code)]
    eng = vals[(vals["geographic_level"] == "National") & (vals["year"] == year)]
    codes = nb["neighbour_la_code"].tolist()
    nvals = las["value"].reindex(codes)
    mean, n_used = sn_mean(nvals.to_numpy())
    used = [c for c in codes if pd.notna(nvals.get(c))]
    missing = [c for c in codes if c not in used]
    if not codes:
        notes.append(f"{auth.la_name} is not in the {model} statistical-neighbour model; try the other model")
    elif missing:
        notes.append(f"{len(missing)} of {len(codes)} neighbours have no published value")
    if ind.polarity == "none":
        notes.append("no polarity: no rank or band (position shown, 1 = lowest)")
    prev_year, prev_value, change = np.nan, np.nan, np.nan
    own_rows = vals[(vals["geographic_level"] == "Local authority") & (vals["la_code"] == auth.la_code)]
    prev = own_rows[own_rows["year"] == year - 1]
    if not prev.empty:
        prev_year, prev_value = year - 1, float(prev["value"].iloc[0])
        change = value - prev_value  # LAIT: only between consecutive years
    r = rb.loc[auth.la_code] if auth.la_code in rb.index else None
    return {
        "la_code": auth.la_code, "ons_code": auth.ons_code, "la_name": auth.la_name,
        "region_code": region_code, "region_name": region_name,
        "indicator": ind.id, "indicator_name": ind.name, "unit": ind.unit, "polarity": ind.polarity,
        "year": int(year), "release": int(vals["release"].iloc[0]), "model": model,
        "value": value, "flag": flag, "numerator": numerator, "denominator": denominator,
        "sn_mean": mean, "sn_median": float(np.median(nvals.dropna())) if n_used else np.nan,
        "sn_n": n_used, "sn_of": len(codes), "sn_used": ",".join(used), "sn_missing": ",".join(missing),
        "region_value": float(reg["value"].iloc[0]) if len(reg) else np.nan,
        "england_value": float(eng["value"].iloc[0]) if len(eng) else np.nan,
        "rank": r["rank"] if r is not None else pd.NA,
        "rank_of": int(rb["rank_of"].iloc[0]) if (len(rb) and ind.polarity != "none") else pd.NA,
        "band": r["band"] if r is not None else None,
        "position": r["position"] if r is not None else pd.NA,
        "quartile": r["quartile"] if r is not None else pd.NA,
        "q_min": cuts[0], "q1": cuts[1], "q2": cuts[2], "q3": cuts[3], "q_max": cuts[4],
        "previous_year": prev_year, "previous_value": prev_value, "change": change,
        "note": "; ".join(notes),
    }


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=BENCHMARK_COLUMNS)
    for c in ("year", "release", "rank", "rank_of", "position", "quartile", "sn_n", "sn_of"):
        df[c] = pd.array(df[c].tolist(), dtype="Int64")
    df["previous_year"] = pd.array([pd.NA if pd.isna(x) else int(x) for x in df["previous_year"]], dtype="Int64")
    df["band"] = df["band"].astype(object).where(df["band"].notna(), None)
    return df


def neighbour_benchmark(indicator, la, year: int | None = None, model: str = "2021", *,
                        release: int | None = None) -> pd.DataFrame:
    """One authority against its statistical neighbours, region and England (LAIT rules).

    Parameters
    ----------
    indicator : str
        Indicator id (:func:`list_indicators`).
    la : str or int
        The authority: DfE code ("872"), ONS code ("E06000041") or name.
    year : int, optional
        Year ending 31 March; default the latest year published.
    model : {"2021", "2025"}
        DfE statistical-neighbour model: April 2021 (LGR version) or 2025.
    release : int, optional
        DfE release (publication year); default the latest found.

    Returns
    -------
    pandas.DataFrame
        One row, columns :data:`BENCHMARK_COLUMNS`, among them ``la_code, la_name, year, value``
        (published), ``sn_mean`` (mean of the neighbours with a value), ``sn_median``, ``sn_n``
        (neighbours used), ``sn_of`` (neighbours in the model), ``sn_used``/``sn_missing``
        (comma-separated DfE codes), ``region_value`` and ``england_value`` (published),
        ``rank`` (1 = best), ``rank_of``, ``band`` (A = best quartile; both missing for
        indicators without polarity), ``position`` (1 = lowest value) and ``quartile`` (1 =
        lowest quarter), the cut points ``q_min, q1, q2, q3, q_max``, ``previous_year``,
        ``previous_value`` and ``change`` (from the previous year), and ``note``.

    Raises
    ------
    ParameterError
        Unknown indicator, authority, model, or a year not in the release.
    ReferenceDataError
        A reference file is missing.

    Notes
    -----
    Rules in the module docstring (LAIT, methods.md §3.2). The region is the authority's DfE
    region (Inner or Outer London for London boroughs, as in the DfE tables). Ranks among
    about 150 authorities are very uncertain and move by chance (methods.md §4.1): read them
    with the funnel plot (:func:`funnel_data`).

    Examples
    --------
    >>> row = neighbour_benchmark("cla_rate", la="872", year=2022, model="2021").iloc[0]
    >>> int(row.value), round(float(row.sn_mean), 1), int(row.sn_n)
    (33, 46.9, 10)
    """
    ind = get_indicator(indicator)
    model = _model_key(model)
    auth = _resolve(la)
    vals = indicator_values(ind, release=release)
    y = _pick_year(vals, year, ind)
    nb = _neighbours(auth.la_code, model)
    return _frame([_benchmark_row(vals, ind, auth, y, nb, model)])


def neighbour_table(indicator, la, year: int | None = None, model: str = "2021", *,
                    release: int | None = None, comparators: bool = True) -> pd.DataFrame:
    """The authority and each of its statistical neighbours with their values.

    Parameters
    ----------
    indicator, la, year, model, release :
        As in :func:`neighbour_benchmark`.
    comparators : bool, default True
        Also add rows for the neighbour mean, the region and England.

    Returns
    -------
    pandas.DataFrame
        Columns ``role`` ("authority", "neighbour", "sn_mean", "region", "england"),
        ``neighbour_rank`` (0 for the authority, 1-10 closest first, NA for comparators),
        ``closeness`` (DfE label), ``la_code, la_name, year, value, flag, numerator,
        denominator, rank, rank_of, band, position`` (rank/band/position among all
        authorities), ``indicator, unit, polarity, model``.

    Examples
    --------
    >>> t = neighbour_table("cla_rate", "872", 2022)
    >>> t.role.tolist()[:2], len(t)
    (['authority', 'neighbour'], 14)
    """
    ind = get_indicator(indicator)
    model = _model_key(model)
    auth = _resolve(la)
    vals = indicator_values(ind, release=release)
    y = _pick_year(vals, year, ind)
    nb = _neighbours(auth.la_code, model)
    las = vals[(vals["geographic_level"] == "Local authority") & (vals["year"] == y)]
    las = las.drop_duplicates("la_code").set_index("la_code")
    rb = rank_and_band(las["value"], polarity=ind.polarity)
    members = [(auth.la_code, auth.la_name, "authority", 0, "")]
    members += [
        (r.neighbour_la_code, r.neighbour_la_name, "neighbour", int(r.neighbour_rank),
         str(getattr(r, "closeness", "") or ""))
        for r in nb.itertuples()
    ]
    rows = []
    for code, name, role, nrank, close in members:
        has = code in las.index
        rows.append({
            "role": role, "neighbour_rank": nrank, "closeness": close, "la_code": code,
            "la_name": las.loc[code, "la_name"] if has else name, "year": y,
            "value": float(las.loc[code, "value"]) if has else np.nan,
            "flag": str(las.loc[code, "flag"]) if has else "",
            "numerator": float(las.loc[code, "numerator"]) if has else np.nan,
            "denominator": float(las.loc[code, "denominator"]) if has else np.nan,
            "rank": rb.loc[code, "rank"] if has else pd.NA,
            "rank_of": int(rb["rank_of"].iloc[0]) if ind.polarity != "none" and len(rb) else pd.NA,
            "band": rb.loc[code, "band"] if has else None,
            "position": rb.loc[code, "position"] if has else pd.NA,
        })
    if comparators:
        b = _benchmark_row(vals, ind, auth, y, nb, model)
        for role, name, value in [
            ("sn_mean", f"Statistical neighbours (mean of {b['sn_n']})", b["sn_mean"]),
            ("region", b["region_name"] or "Region", b["region_value"]),
            ("england", "England", b["england_value"]),
        ]:
            rows.append({"role": role, "neighbour_rank": pd.NA, "closeness": "", "la_code": "",
                         "la_name": name, "year": y, "value": value, "flag": "", "numerator": np.nan,
                         "denominator": np.nan, "rank": pd.NA, "rank_of": pd.NA, "band": None,
                         "position": pd.NA})
    out = pd.DataFrame(rows)
    for c in ("neighbour_rank", "rank", "rank_of", "position"):
        out[c] = pd.array(out[c].tolist(), dtype="Int64")
    return out.assign(indicator=ind.id, unit=ind.unit, polarity=ind.polarity, model=model)


def trend(indicator, la, *, model: str = "2021", release: int | None = None) -> pd.DataFrame:
    """The authority's benchmark for every year the release covers.

    Parameters
    ----------
    indicator, la, model, release :
        As in :func:`neighbour_benchmark` (one neighbour list is applied to every year).

    Returns
    -------
    pandas.DataFrame
        One row per year (oldest first) with the columns of :func:`neighbour_benchmark`.

    Notes
    -----
    ``change`` is the difference from the previous year (LAIT: consecutive years only). For
    measures of practice (timeliness, health checks) year-to-year changes of an authority's
    rank are mostly noise (regression to the mean, methods.md §4.1).

    Examples
    --------
    >>> t = trend("cla_count", "Rotherham")
    >>> int(t.loc[t.year == 2021, "value"].iloc[0])
    595
    """
    ind = get_indicator(indicator)
    model = _model_key(model)
    auth = _resolve(la)
    vals = indicator_values(ind, release=release)
    nb = _neighbours(auth.la_code, model)
    years = sorted(vals.loc[vals["geographic_level"] == "Local authority", "year"].unique())
    return _frame([_benchmark_row(vals, ind, auth, int(y), nb, model) for y in years])


# ---------------------------------------------------------------------------------------------
# funnel plots


def _funnel_params(ind: Indicator):
    if not ind.has_funnel:
        if ind.kind == "count":
            alt = ind.id.replace("_count", "_rate")
            raise ParameterError(
                f"{ind.id} is a count: a funnel plot needs a rate or proportion. Use {alt!r} instead."
            )
        raise ParameterError(
            f"{ind.id} is an average ({ind.unit}); DfE does not publish its spread, so no funnel limits can "
            "be drawn. Use neighbour_benchmark() or trend() for it."
        )
    kind = "rate" if ind.kind == "rate" else "proportion"
    return kind, float(ind.per)


def funnel_data(indicator, year: int | None = None, *, release: int | None = None, la=None,
                model: str = "2021", target="pooled", method: str = "exact", scale: str = "auto",
                adjust: str = "auto", trim: float = 0.1, alpha: float = 0.05) -> pd.DataFrame:
    """Every authority with funnel-plot limits for one rate or proportion indicator.

    Parameters
    ----------
    indicator : str
        A rate or proportion indicator (``list_indicators().has_funnel``).
    year : int, optional
        Year ending 31 March; default the latest published.
    release : int, optional
        DfE release; default the latest found.
    la : str, optional
        Authority to highlight, with its statistical neighbours (``model``).
    model : {"2021", "2025"}
        Neighbour model for the highlighting.
    target : {"pooled", "england"} or float
        Centre line: the pooled value of the authorities plotted (sum of numerators / sum of
        denominators; default), the published England value, or a number in the indicator's unit.
    method : {"exact", "normal"}
        Unadjusted limits: interpolated exact binomial/Poisson (default) or normal.
    scale : {"auto", "raw", "arcsine", "sqrt"}
        Scale of the over-dispersion analysis (auto: arcsine for proportions, square root for rates).
    adjust : {"auto", "always", "never"}
        Use the random-effects limits when over-dispersion is found (auto), always, or never.
    trim : float, default 0.1
        Winsorisation of the z-scores.
    alpha : float, default 0.05
        Level of the over-dispersion test.

    Returns
    -------
    pandas.DataFrame
        One row per authority with a row in the DfE table, columns :data:`FUNNEL_COLUMNS`:
        ``numerator, denominator, value`` (published), ``observed`` (numerator / denominator in
        the indicator's unit), ``target``, the limits in use ``lower_95, upper_95, lower_998,
        upper_998`` and whether the authority lies outside them (``outside_95``,
        ``outside_998``; ``direction`` "above"/"below"/""), the unadjusted limits and flags,
        ``role`` ("authority", "neighbour" or ""), ``highlighted``, ``limits`` (a sentence saying
        which limits are used), and the analysis settings and results (``kind, per, method,
        scale, phi, tau2, overdispersed, p_overdispersion``). Authorities without a usable
        numerator and denominator have NaN limits and False flags.

    Raises
    ------
    ParameterError
        For a count or mean indicator, or bad options.

    Notes
    -----
    Limits and adjustment: :mod:`iro_analysis.stats.funnel` (Spiegelhalter 2005; methods.md
    §3.5). Over-dispersion is the rule for these indicators: without adjustment most
    authorities would be "outside".

    Examples
    --------
    >>> f = funnel_data("cla_rate", 2025)
    >>> bool(f.overdispersed.iloc[0]), f.limits.iloc[0].startswith("adjusted")
    (True, True)
    """
    out = _funnel_all(get_indicator(indicator).id, year, release, target, method, scale, adjust, trim, alpha)
    role = pd.Series("", index=out.index, dtype=object)
    if la is not None:
        auth = _resolve(la)
        nb = _neighbours(auth.la_code, _model_key(model))
        role[out["la_code"].isin(nb["neighbour_la_code"])] = "neighbour"
        role[out["la_code"] == auth.la_code] = "authority"
    out["role"] = role.to_numpy()
    out["highlighted"] = out["role"] != ""
    return out[FUNNEL_COLUMNS]


@national
def _funnel_all(indicator: str, year, release, target, method, scale, adjust, trim, alpha) -> pd.DataFrame:
    """The authority-independent part of :func:`funnel_data`: limits for every authority, once."""
    ind = get_indicator(indicator)
    kind, per = _funnel_params(ind)
    if adjust not in ("auto", "always", "never"):
        raise ParameterError(f"adjust must be 'auto', 'always' or 'never', got {adjust!r}.")
    vals = indicator_values(ind, release=release)
    y = _pick_year(vals, year, ind)
    las = vals[(vals["geographic_level"] == "Local authority") & (vals["year"] == y)].reset_index(drop=True)
    x = las["numerator"].to_numpy(dtype=float)
    n = las["denominator"].to_numpy(dtype=float)
    usable = np.isfinite(x) & np.isfinite(n) & (n > 0)
    if usable.sum() < 2:
        raise ReferenceDataError(f"Fewer than two authorities have a published {ind.id} for {y}.")
    if isinstance(target, str):
        if target == "pooled":
            tgt = float(x[usable].sum() / n[usable].sum() * per)
        elif target == "england":
            eng = vals[(vals["geographic_level"] == "National") & (vals["year"] == y)]
            # England counts are rounded to 10: the ratio of counts is more precise than the
            # rounded published value.
            e = eng.iloc[0] if len(eng) else None
            if e is None or not (np.isfinite(e["numerator"]) and np.isfinite(e["denominator"])):
                raise ReferenceDataError(f"No England value of {ind.id} for {y} to use as target.")
            tgt = float(e["numerator"] / e["denominator"] * per)
        else:
            raise ParameterError(f"target must be 'pooled', 'england' or a number, got {target!r}.")
    else:
        tgt = float(target)
    od = _funnel.overdispersion(x[usable], n[usable], kind=kind, target=tgt, scale=scale, per=per,
                                trim=trim, alpha=alpha)
    lim = {}
    for conf, tag in ((0.95, "95"), (0.998, "998")):
        lo, hi = _funnel.funnel_limits(tgt, n, kind=kind, confidence=conf, method=method, per=per)
        alo, ahi = _funnel.random_effects_limits(tgt, n, od.tau2, kind=kind, scale=od.scale,
                                                 confidence=conf, per=per)
        lim[tag] = (np.asarray(lo), np.asarray(hi), np.asarray(alo), np.asarray(ahi))
    use_adj = adjust == "always" or (adjust == "auto" and od.overdispersed)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = np.where(usable, x / n * per, np.nan)
    out = las[["la_code", "ons_code", "la_name", "region_code", "region_name", "indicator", "year",
               "numerator", "denominator", "value"]].copy()
    out["observed"] = observed
    out["target"] = tgt
    for tag, (lo, hi, alo, ahi) in lim.items():
        out[f"lower_{tag}"] = alo if use_adj else lo
        out[f"upper_{tag}"] = ahi if use_adj else hi
        out[f"unadj_lower_{tag}"] = lo
        out[f"unadj_upper_{tag}"] = hi
    for tag in ("95", "998"):
        out[f"outside_{tag}"] = usable & ((observed < out[f"lower_{tag}"]) | (observed > out[f"upper_{tag}"]))
        out[f"outside_{tag}_unadjusted"] = usable & (
            (observed < out[f"unadj_lower_{tag}"]) | (observed > out[f"unadj_upper_{tag}"])
        )
    out["direction"] = np.where(out["outside_95"] & (observed > out["upper_95"]), "above",
                                np.where(out["outside_95"], "below", ""))
    scale_name = {"arcsine": "arcsine-square-root", "sqrt": "square-root", "raw": "untransformed"}[od.scale]
    if use_adj:
        text = (f"adjusted for over-dispersion (additive random effects on the {scale_name} scale, "
                f"phi = {od.phi:.2f})")
    else:
        dist = "binomial" if kind == "proportion" else "Poisson"
        text = f"{'exact' if method == 'exact' else 'normal-approximation'} {dist} limits (no adjustment)"
    out["limits"] = text
    out["kind"], out["per"], out["method"], out["scale"] = kind, per, method, od.scale
    out["phi"], out["tau2"] = od.phi, (od.tau2 if use_adj else 0.0)
    out["overdispersed"], out["p_overdispersion"] = od.overdispersed, od.p_value
    return out


def funnel_curves(data: pd.DataFrame, *, n_points: int = 200) -> pd.DataFrame:
    """Smooth funnel limits over the range of denominators of a :func:`funnel_data` frame.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`funnel_data` (its settings columns are reused).
    n_points : int, default 200
        Number of denominators on a geometric grid from 0.8 x the smallest to 1.1 x the largest.

    Returns
    -------
    pandas.DataFrame
        Columns ``denominator, target, lower_95, upper_95, lower_998, upper_998`` (the limits
        in use in ``data``).
    """
    need = {"denominator", "target", "kind", "per", "method", "scale", "tau2", "limits"}
    if not need <= set(data.columns):
        raise ParameterError("funnel_curves needs a frame returned by funnel_data().")
    n = data["denominator"].to_numpy(dtype=float)
    # Only authorities that are plotted (a published numerator) set the range.
    plotted = np.isfinite(data["observed"].to_numpy(dtype=float)) if "observed" in data else np.isfinite(n)
    n = n[plotted & np.isfinite(n) & (n > 0)]
    if n.size == 0:
        raise ParameterError("No authority has a positive denominator to draw limits for.")
    grid = np.geomspace(max(n.min() * 0.8, 1.0), n.max() * 1.1, int(n_points))
    first = data.iloc[0]
    tgt, kind, per = float(first["target"]), str(first["kind"]), float(first["per"])
    adjusted = str(first["limits"]).startswith("adjusted")
    out = {"denominator": grid, "target": np.full(grid.size, tgt)}
    for conf, tag in ((0.95, "95"), (0.998, "998")):
        if adjusted:
            lo, hi = _funnel.random_effects_limits(tgt, grid, float(first["tau2"]), kind=kind,
                                                   scale=str(first["scale"]), confidence=conf, per=per)
        else:
            lo, hi = _funnel.funnel_limits(tgt, grid, kind=kind, confidence=conf,
                                           method=str(first["method"]), per=per)
        out[f"lower_{tag}"], out[f"upper_{tag}"] = lo, hi
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------------
# own data against published


def compare_with_published(data, la, year: int, *, release: int | None = None) -> pd.DataFrame:
    """Compare counts from the authority's SSDA903 return with DfE's published figures.

    Parameters
    ----------
    data : iro_analysis.ssda903.SSDA903
        The authority's return (one year or a multi-year stack covering ``year``).
    la : str
        The authority (code, ONS code or name).
    year : int
        Year ending 31 March.
    release : int, optional
        DfE release to compare with; default the latest found.

    Returns
    -------
    pandas.DataFrame
        One row per measure (``cla_31_march``, ``starting``, ``ceasing``) with columns
        ``measure, label, year, la_code, la_name, own_count, published_count, difference``
        (own - published), ``percent_difference`` (of published), ``published_flag, release,
        note``.

    Raises
    ------
    ParameterError
        If the year is not published in the release or the return has no episodes.

    Notes
    -----
    DfE's definitions: children looked after on 31 March, children who started (only the first
    start in the year counted: distinct children) and children who ceased (distinct children)
    during the year, all excluding children looked after only under an agreed series of
    short-term placements (legal status V3/V4). A return loaded for one year may lack episodes
    that began years earlier, or DfE may have received a later amended return; small
    differences are normal and large ones deserve a look.
    """
    from . import cohorts
    from .calendar import year_bounds

    auth = _resolve(la)
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"year must be a year ending 31 March such as 2023, got {year!r}.") from None
    if getattr(data, "episodes", None) is None or len(data.episodes) == 0:
        raise ParameterError("The return has no episodes table, so nothing can be compared with DfE figures.")
    start, end = year_bounds(y)
    in_care = cohorts.in_care_on(data, end, exclude_short_breaks=True)
    periods = cohorts.periods_of_care(data)
    periods = periods[~periods["short_breaks_only"].astype(bool)]
    started = periods[(periods["period_start"] >= start) & (periods["period_start"] <= end)]
    ceased = periods[periods["period_end"].notna() & (periods["period_end"] >= start) & (periods["period_end"] <= end)]
    own = {
        "cla_31_march": in_care["CHILD"].nunique(),
        "starting": started["CHILD"].nunique(),
        "ceasing": ceased["CHILD"].nunique(),
    }
    labels = {
        "cla_31_march": "Children looked after on 31 March",
        "starting": "Children starting to be looked after in the year",
        "ceasing": "Children ceasing to be looked after in the year",
    }
    ids = {"cla_31_march": "cla_count", "starting": "starts_count", "ceasing": "ceased_count"}
    rows = []
    for measure, ind_id in ids.items():
        vals = indicator_values(ind_id, release=release)
        _pick_year(vals, y, INDICATORS[ind_id])
        pub = vals[(vals["geographic_level"] == "Local authority") & (vals["year"] == y)
                   & (vals["la_code"] == auth.la_code)]
        p = float(pub["value"].iloc[0]) if len(pub) else np.nan
        flag = str(pub["flag"].iloc[0]) if len(pub) else ""
        diff = own[measure] - p
        note = ""
        if not len(pub):
            note = f"{auth.la_name} has no published row for {y}"
        elif np.isnan(p):
            note = f"published value suppressed ('{flag}')"
        rows.append({
            "measure": measure, "label": labels[measure], "year": y, "la_code": auth.la_code,
            "la_name": auth.la_name, "own_count": int(own[measure]), "published_count": p,
            "difference": diff, "percent_difference": diff / p * 100 if p else np.nan,
            "published_flag": flag, "release": int(vals["release"].iloc[0]), "note": note,
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# national overview


@dataclass(frozen=True)
class OverviewParameters:
    """Checked parameters of the national overview notebook (see :func:`overview_parameters`)."""

    year: int | None
    release: int | None
    model: str
    la_code: str | None
    la_name: str | None
    output_dir: str

    def year_for(self, indicator) -> int:
        """The year to show for an indicator: ``year``, or the latest published up to it."""
        return latest_year(indicator, release=self.release, up_to=self.year)


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
    vals = indicator_values(ind, release=release)
    years = sorted(int(y) for y in vals.loc[vals["geographic_level"] == "Local authority", "year"].unique())
    if up_to is not None:
        years = [y for y in years if y <= int(up_to)]
    if not years:
        raise ParameterError(f"{ind.name} ({ind.id}) is not published for any year up to {up_to}.")
    return years[-1]


def overview_parameters(*, year=None, release=None, model="2021", highlight_la=None,
                        output_dir="outputs/national") -> OverviewParameters:
    """Check the parameters of ``notebooks/national_overview.ipynb``.

    Parameters
    ----------
    year : int or str, optional
        Year ending 31 March (``2025`` or ``"2024-25"``); None or 0 = the latest published.
    release : int, optional
        DfE release (publication year); None or 0 = the latest found.
    model : {"2021", "2025"}
        Statistical-neighbour model used to highlight neighbours.
    highlight_la : str or int, optional
        Authority to highlight (code, ONS code or name; papermill may pass ``872`` as an int);
        None or "" for none.
    output_dir : str
        Folder for the notebook's summary table.

    Returns
    -------
    OverviewParameters

    Raises
    ------
    ParameterError
        For a bad year, model or authority; ReferenceDataError if the release is not found.
    """
    from .calendar import parse_year
    from .reference import dfe_cla

    # 0 and "" mean "not set" (papermill parameters cannot be None-typed and annotated).
    y = None if year in (None, "", 0, "0") else parse_year(year)
    rel = None if release in (None, "", 0, "0") else int(release)
    if rel is not None and rel not in dfe_cla.available_cla_releases():
        have = ", ".join(str(r) for r in dfe_cla.available_cla_releases())
        raise ParameterError(f"release {rel} was not found on the reference search path (releases found: {have}).")
    key = _model_key(model)
    la_code = la_name = None
    if highlight_la not in (None, ""):
        auth = _resolve(highlight_la)
        la_code, la_name = auth.la_code, auth.la_name
    if y is not None:
        latest_year("cla_rate", release=rel, up_to=y)
    return OverviewParameters(year=y, release=rel, model=key, la_code=la_code, la_name=la_name,
                              output_dir=str(output_dir))


def funnel_summary(indicators=None, year: int | None = None, *, release: int | None = None, la=None,
                   model: str = "2021") -> pd.DataFrame:
    """One line per funnel indicator: spread across authorities and who lies outside the limits.

    Parameters
    ----------
    indicators : list of str, optional
        Default: every indicator with a funnel plot.
    year : int, optional
        Year ending 31 March; each indicator uses the latest year published up to it.
    release, la, model :
        As in :func:`funnel_data`.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator, name, unit, polarity, year, n_authorities, england_value, target,
        lowest, median, highest, phi, overdispersed, outside_95, outside_998,
        outside_998_unadjusted, la_name, la_value, la_position`` (``la_position``: "inside",
        "above the 95% limits" … or "" without ``la``).
    """
    ids = list(indicators) if indicators is not None else [i for i, d in INDICATORS.items() if d.has_funnel]
    rows = []
    for ind_id in ids:
        ind = get_indicator(ind_id)
        y = latest_year(ind, release=release, up_to=year)
        f = funnel_data(ind, y, release=release, la=la, model=model)
        vals = indicator_values(ind, release=release)
        eng = vals[(vals["geographic_level"] == "National") & (vals["year"] == y)]["value"]
        used = f[f["observed"].notna()]
        own = used[used["role"] == "authority"]
        pos, la_name, la_value = "", "", np.nan
        if la is not None:
            la_name = _resolve(la).la_name
        if len(own):
            r = own.iloc[0]
            la_value = float(r["observed"])
            if r["outside_998"]:
                pos = f"{r['direction']} the 99.8% limits"
            elif r["outside_95"]:
                pos = f"{r['direction']} the 95% limits"
            else:
                pos = "inside the 95% limits"
        elif la is not None:
            pos = "not published"
        rows.append({
            "indicator": ind.id, "name": ind.name, "unit": ind.unit, "polarity": ind.polarity, "year": y,
            "n_authorities": len(used), "england_value": float(eng.iloc[0]) if len(eng) else np.nan,
            "target": float(f["target"].iloc[0]), "lowest": float(used["observed"].min()),
            "median": float(used["observed"].median()), "highest": float(used["observed"].max()),
            "phi": float(f["phi"].iloc[0]), "overdispersed": bool(f["overdispersed"].iloc[0]),
            "outside_95": int(used["outside_95"].sum()), "outside_998": int(used["outside_998"].sum()),
            "outside_998_unadjusted": int(used["outside_998_unadjusted"].sum()),
            "la_name": la_name, "la_value": la_value, "la_position": pos,
        })
    return pd.DataFrame(rows)


def benchmark_table(la, year: int | None = None, *, indicators=None, model: str = "2021",
                    release: int | None = None) -> pd.DataFrame:
    """:func:`neighbour_benchmark` for several indicators at once (the "How we compare" table).

    Parameters
    ----------
    la : str
        The authority.
    year : int, optional
        Report year ending 31 March; each indicator shows the latest year published up to it
        (published figures lag the report year, and the social-worker table exists for 2024 only).
    indicators : list of str, optional
        Default: every registered indicator.
    model, release :
        As in :func:`neighbour_benchmark`.

    Returns
    -------
    pandas.DataFrame
        One row per indicator, columns :data:`BENCHMARK_COLUMNS`; an indicator not published
        for any year up to ``year`` keeps its line with missing values and a ``note``.

    Examples
    --------
    >>> t = benchmark_table("872", 2022, indicators=["cla_count", "cla_rate"])
    >>> t[["indicator", "year", "value"]].values.tolist()
    [['cla_count', 2022, 136.0], ['cla_rate', 2022, 33.0]]
    """
    ids = list(indicators) if indicators is not None else list(INDICATORS)
    auth = _resolve(la)
    rows = []
    for ind_id in ids:
        ind = get_indicator(ind_id)
        try:
            y = latest_year(ind, release=release, up_to=year)
        except ParameterError:
            # Not published for any year up to the report year: keep the line, say why.
            empty = {c: np.nan for c in BENCHMARK_COLUMNS}
            empty.update(la_code=auth.la_code, ons_code=auth.ons_code, la_name=auth.la_name,
                         region_code=auth.region_code, region_name=auth.region_name, indicator=ind.id,
                         indicator_name=ind.name, unit=ind.unit, polarity=ind.polarity, year=pd.NA,
                         release=pd.NA, model=_model_key(model), flag="", sn_n=0, sn_of=pd.NA, sn_used="",
                         sn_missing="", band=None, rank=pd.NA, rank_of=pd.NA, position=pd.NA, quartile=pd.NA,
                         previous_year=np.nan,
                         note=f"not published for any year up to {year}")
            rows.append(_frame([empty]))
            continue
        rows.append(neighbour_benchmark(ind, la, y, model, release=release))
    return pd.concat(rows, ignore_index=True)
