"""Counts by ethnic group as the analyses take them: reading, the not-known groups, the order.

Refused, not obtained and unclassified ethnicity (:data:`EXCLUDED_LABELS`) are never part of a
share; groups are shown in the standard order (``codes.ETHNIC_GROUP_ORDER``, then the detailed
groups, then the not-known ones).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import codes as _codes
from ..errors import ParameterError

__all__ = ["EXCLUDED_LABELS"]


#: Group labels (lower case) that mean "ethnicity not known"; never part of a share.
EXCLUDED_LABELS = frozenset(
    {
        "refused or not obtained", "refused", "not obtained", "information not yet obtained",
        "refused or information not yet available", "unclassified", "unknown", "not known",
        "not recorded", "does not apply", "not stated", "", "nan", "none",
    }
)


_MAIN_ORDER = list(_codes.ETHNIC_GROUP_ORDER)


def _is_excluded(label) -> bool:
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return True
    return str(label).strip().lower() in EXCLUDED_LABELS


def _counts(obj, what: str) -> pd.Series:
    """Counts by group from a Series, dict or DataFrame(ethnic_group, count)."""
    if isinstance(obj, pd.DataFrame):
        missing = [c for c in ("ethnic_group", "count") if c not in obj.columns]
        if missing:
            raise ParameterError(
                f"{what}: a DataFrame needs columns ethnic_group and count (missing {missing}); "
                f"it has {list(obj.columns)}."
            )
        for geo in ("la_code", "ons_code", "year"):
            if geo in obj.columns and obj[geo].nunique(dropna=True) > 1:
                raise ParameterError(
                    f"{what}: the table holds several values of {geo} ({sorted(map(str, obj[geo].dropna().unique()))}); "
                    "filter it to one authority and year first."
                )
        fast = _numeric_counts(obj)
        if fast is not None:
            return fast
        series = pd.Series(obj["count"].to_numpy(), index=obj["ethnic_group"].to_numpy(), dtype=object)
    elif isinstance(obj, pd.Series):
        series = obj.astype(object)
    elif isinstance(obj, dict):
        series = pd.Series(obj, dtype=object)
    else:
        raise ParameterError(
            f"{what} must be a Series indexed by ethnic group, a dict, or a DataFrame with "
            f"ethnic_group and count columns; got {type(obj).__name__}."
        )
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        raise ParameterError(
            f"{what}: counts must be known numbers >= 0; groups {list(series.index[bad])} have "
            f"{list(series[bad])}. Suppressed published counts cannot be used here."
        )
    labels = ["Unknown" if _is_excluded(g) and not isinstance(g, str) else str(g).strip() for g in values.index]
    return pd.Series(values.to_numpy(dtype=float), index=labels).groupby(level=0, sort=False).sum()


def _numeric_counts(table: pd.DataFrame) -> pd.Series | None:
    """:func:`_counts` of a table whose counts are already valid numbers, without parsing them.

    The denominators and cohorts a report passes are such tables; None sends anything else
    (text, missing or negative counts) through the general path, which also words the errors.
    """
    count = table["count"]
    if not isinstance(count.dtype, np.dtype) or count.dtype.kind not in "iuf":
        return None
    values = count.to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        return None
    groups = pd.Index(table["ethnic_group"].to_numpy())  # as the general path's Series index
    labels = ["Unknown" if _is_excluded(g) and not isinstance(g, str) else str(g).strip() for g in groups]
    if len(set(labels)) < len(labels):
        return pd.Series(values, index=labels).groupby(level=0, sort=False).sum()
    return pd.Series(values, index=labels)  # what grouping unique labels gives


def _order(labels) -> list:
    rank = {g: i for i, g in enumerate(_MAIN_ORDER)}
    try:
        from ..reference.ethnicity_population import DETAILED_ETHNIC_GROUPS, COMBINED_DETAILED_GROUPS

        detailed = list(DETAILED_ETHNIC_GROUPS.values())
        detailed.insert(detailed.index("Irish Traveller"), next(iter(COMBINED_DETAILED_GROUPS)))
        for i, g in enumerate(detailed):
            rank.setdefault(g, 100 + i)
    except ImportError:  # pragma: no cover - the reference subpackage is part of the package
        pass
    return sorted(labels, key=lambda g: (_is_excluded(g), rank.get(g, 1000), str(g)))
