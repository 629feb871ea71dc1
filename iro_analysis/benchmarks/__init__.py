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

from .comparisons import BENCHMARK_COLUMNS, benchmark_table, neighbour_benchmark, neighbour_table
from .funnels import FUNNEL_COLUMNS, funnel_curves, funnel_data, funnel_summary
from .indicators import (
    INDICATORS,
    VALUE_COLUMNS,
    Indicator,
    get_indicator,
    indicator_values,
    latest_year,
    list_indicators,
)
from .overview import OverviewParameters, overview_parameters
from .published import compare_with_published
# POLARITIES was public before the split, though not in __all__.
from .ranking import POLARITIES, band_from_cut_points, quartile_cut_points, rank_and_band, sn_mean  # noqa: F401
from .trends import trend

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
