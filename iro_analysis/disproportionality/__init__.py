"""Ethnic disproportionality of children in care, with honest uncertainty.

Compares the ethnic mix of a cohort of children (in care on 31 March, starting care in the
year, or any cohort given as counts) with the ethnic mix of the authority's child
population, group by group:

* **rate per 10,000** children of the group, with a Poisson interval (PHE rule);
* **representation ratio** = share of the cohort ÷ share of the population (= the group's
  rate ÷ the rate for all children), with a Wilson interval for the share divided by the
  population share, and an exact binomial test of "share = population share";
* **relative rate index** (RRI) = the group's rate ÷ a reference group's rate, with an exact
  conditional mid-p interval (Katz log, Koopman, Poisson score or Clopper–Pearson on request);
* **rate difference** per 10,000 with Newcombe's hybrid score interval, and the **excess
  count** (children in care beyond what the reference group's rate would give);
* a **whole-distribution test**: Pearson's chi-squared only where Cochran's conditions hold,
  otherwise the exact multinomial test.

Refused, not obtained and unclassified ethnicity are left out of every share and reported
separately. A group with more children in the cohort than in its population estimate is
flagged ``impossible_denominator`` and gets no rate or ratio.

Methods and defaults: ``docs/domain/methods.md`` §0–§2. Only counts enter the analysis
functions; the cohort helpers (:func:`cic_ethnicity`, :func:`starters_ethnicity`) turn an
SSDA903 return into counts, and :func:`ethnicity_mix_benchmark` compares the published mix
with statistical neighbours, region and England.

Modules: :mod:`.groups` (counts by group, the not-known groups, the order),
:mod:`.denominators` (matching the population's groups, the rate populations), :mod:`.inference`
(the intervals and tests of each measure, and the test of the whole mix), :mod:`.rates` (the
table: :func:`disproportionality`, :func:`compare_denominators`, :func:`ratios_by_denominator`), :mod:`.cohort_counts` (SSDA903
cohorts as counts), :mod:`.mix` (the published mix against neighbours) and :mod:`.shareable`.
"""

from __future__ import annotations

from .cohort_counts import cic_ethnicity, ethnic_counts, starters_ethnicity
from .groups import EXCLUDED_LABELS
from .inference import distribution_test
from .mix import ethnicity_mix_benchmark
from .rates import DISPROPORTIONALITY_COLUMNS, compare_denominators, disproportionality, ratios_by_denominator
from .shareable import shareable_comparison, shareable_table

__all__ = [
    "DISPROPORTIONALITY_COLUMNS",
    "EXCLUDED_LABELS",
    "disproportionality",
    "distribution_test",
    "compare_denominators",
    "ratios_by_denominator",
    "ethnic_counts",
    "cic_ethnicity",
    "starters_ethnicity",
    "ethnicity_mix_benchmark",
    "shareable_table",
    "shareable_comparison",
]
