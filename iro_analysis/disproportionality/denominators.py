"""Population denominators: matching the cohort's groups to the population's, and its label."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError


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
