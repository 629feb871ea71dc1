"""Population denominators: matching the cohort's groups to the population's, its label, and the
population each group's rate is per.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .groups import _counts, _is_excluded, _order


def _harmonise_detailed(cic: pd.Series, pop: pd.Series) -> pd.Series:
    """Merge numerator groups that the denominator publishes combined (Gypsy/Roma + Irish Traveller)."""
    from ..reference.ethnicity_population import COMBINED_DETAILED_GROUPS, DETAILED_ETHNIC_GROUPS

    for name, codes in COMBINED_DETAILED_GROUPS.items():
        parts = [DETAILED_ETHNIC_GROUPS[c] for c in codes]
        if name in pop.index and any(p in cic.index for p in parts):
            total = sum(float(cic.get(p, 0.0)) for p in parts) + float(cic.get(name, 0.0))
            cic = cic.drop([p for p in parts if p in cic.index])
            cic[name] = total
    return cic


def _denominator_label(population, denominator):
    if denominator is not None:
        return str(denominator)
    if isinstance(population, (pd.DataFrame, pd.Series)):
        label = population.attrs.get("denominator")
        if label:
            return str(label)
        if isinstance(population, pd.DataFrame) and "denominator" in population.columns:
            labels = population["denominator"].dropna().unique()
            if len(labels) == 1:
                return str(labels[0])
            if len(labels) > 1:
                raise ParameterError(
                    f"population holds several denominators ({list(labels)}); pass one at a time "
                    "or use compare_denominators()."
                )
    return ""


@dataclass
class _Known:
    """The known-ethnicity groups of one analysis, each array in the order of ``groups``."""

    groups: list
    x: np.ndarray  # children of the group in the cohort
    pop: np.ndarray  # the group's population, as given
    pi: np.ndarray  # its share of the known population
    n_rate: np.ndarray  # the population its rate is per (pi x population_total, or pop)
    impossible: np.ndarray  # more children in the cohort than in the population
    valid: np.ndarray  # a rate can be given: not impossible, population > 0
    population_total: float | None

    @property
    def X(self) -> float:  # noqa: N802 - the cohort total, X in the methods' notation
        return self.x.sum()


def _known_groups(cic, population, denominator, population_total):
    """Phases 1-2 of :func:`~iro_analysis.disproportionality.disproportionality`: the groups and denominators.

    Phase 1 reads both sets of counts, merges cohort groups the population publishes combined,
    sets the not-known groups apart and orders the rest; phase 2 (:func:`_rate_populations`)
    gives each group its population share and the population its rate is per.

    Parameters
    ----------
    cic, population, denominator, population_total
        As :func:`~iro_analysis.disproportionality.disproportionality`.

    Returns
    -------
    c, p : Series
        All counts by group (not-known groups included), cohort and population.
    label : str
        The population source.
    known : _Known

    Raises
    ------
    ParameterError
        For unusable counts, several denominators in ``population``, cohort groups with no
        population, a population of 0 or a bad ``population_total``.
    """
    c = _counts(cic, "cic")
    p = _counts(population, "population")
    label = _denominator_label(population, denominator)
    if any(g not in p.index for g in c.index):
        c = _harmonise_detailed(c, p)
    c_known = c[[not _is_excluded(g) for g in c.index]]
    p_known = p[[not _is_excluded(g) for g in p.index]]
    no_pop = [g for g in c_known.index if g not in p_known.index and c_known[g] > 0]
    if no_pop:
        raise ParameterError(
            f"groups {no_pop} have children in the cohort but no population in the denominator "
            f"(its groups: {list(p_known.index)}). Use the same grouping for both (main groups, "
            "or detailed groups with the same definitions)."
        )
    groups = _order(list(p_known.index))
    x = c_known.reindex(groups).fillna(0.0).to_numpy(dtype=float)
    pop = p_known.reindex(groups).to_numpy(dtype=float)
    return c, p, label, _rate_populations(groups, x, pop, population_total)


def _rate_populations(groups: list, x: np.ndarray, pop: np.ndarray, population_total) -> _Known:
    """Phase 2: population shares, the population each rate is per, and where no rate can be given.

    Parameters
    ----------
    groups : list of str
    x, pop : ndarray
        Cohort and population counts of the known groups.
    population_total : float, optional
        The ONS 0-17 total: each group's rate population is its share of it.

    Returns
    -------
    _Known
    """
    P = pop.sum()  # noqa: N806 - the methods' notation
    if P <= 0:
        raise ParameterError("the population total of known ethnicity is 0; check the denominator.")
    if population_total is not None:
        try:
            population_total = float(population_total)
        except (TypeError, ValueError):
            raise ParameterError(f"population_total must be a number, got {population_total!r}.") from None
        if not population_total > 0:
            raise ParameterError(f"population_total must be positive, got {population_total!r}.")
    pi = pop / P
    n_rate = pi * population_total if population_total is not None else pop.copy()
    # No rate where the cohort outnumbers the population estimate, whether the raw count or the
    # count scaled to the ONS total for the year (small groups can fall below the cohort when scaled).
    impossible = (x > pop) | (x > n_rate)
    valid = ~impossible & (pop > 0)
    return _Known(groups, x, pop, pi, n_rate, impossible, valid, population_total)
