"""Ethnic group labels of the child-population denominators, and how each published source's
categories map onto SSDA903 ETHNIC codes and so onto main or detailed groups.

Used by :mod:`~iro_analysis.reference.ethnicity_population` (the public functions and the
analyst's own tables) and :mod:`~iro_analysis.reference.ethnicity_published` (the published
national tables).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .. import codes as _codes
from ..errors import ParameterError, ReferenceDataError

__all__ = ["DETAILED_ETHNIC_GROUPS", "COMBINED_DETAILED_GROUPS", "EXCLUDED_GROUP", "detailed_ethnic_group"]

#: Label of the row that holds refused / unclassified / does-not-apply counts.
EXCLUDED_GROUP = "Unclassified"

#: Detailed label for each SSDA903 ETHNIC code.
DETAILED_ETHNIC_GROUPS = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Irish Traveller",
    "WROM": "Gypsy/Roma",
    "WOTH": "Other White",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Other Mixed",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "CHNE": "Chinese",
    "AOTH": "Other Asian",
    "BCRB": "Black Caribbean",
    "BAFR": "Black African",
    "BOTH": "Other Black",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Not obtained",
}

#: Detailed groups some sources publish only combined, and the SSDA903 codes they cover.
COMBINED_DETAILED_GROUPS = {"Gypsy, Roma or Irish Traveller": ("WIRT", "WROM")}

_GTR = ("WIRT", "WROM")

# Source category -> SSDA903 codes it covers (None: left out of the denominator).
_CENSUS2011_CODES = {
    "White: English/Welsh/Scottish/Northern Irish/British": ("WBRI",),
    "White: Irish": ("WIRI",),
    "White: Gypsy or Irish Traveller": _GTR,
    "White: Other White": ("WOTH",),
    "Mixed/multiple ethnic group: White and Black Caribbean": ("MWBC",),
    "Mixed/multiple ethnic group: White and Black African": ("MWBA",),
    "Mixed/multiple ethnic group: White and Asian": ("MWAS",),
    "Mixed/multiple ethnic group: Other Mixed": ("MOTH",),
    "Asian/Asian British: Indian": ("AIND",),
    "Asian/Asian British: Pakistani": ("APKN",),
    "Asian/Asian British: Bangladeshi": ("ABAN",),
    "Asian/Asian British: Chinese": ("CHNE",),
    "Asian/Asian British: Other Asian": ("AOTH",),
    "Black/African/Caribbean/Black British: African": ("BAFR",),
    "Black/African/Caribbean/Black British: Caribbean": ("BCRB",),
    "Black/African/Caribbean/Black British: Other Black": ("BOTH",),
    "Other ethnic group: Arab": ("OOTH",),
    "Other ethnic group: Any other ethnic group": ("OOTH",),
}

_CENSUS2021_CODES = {
    "Asian, Asian British or Asian Welsh: Bangladeshi": ("ABAN",),
    "Asian, Asian British or Asian Welsh: Chinese": ("CHNE",),
    "Asian, Asian British or Asian Welsh: Indian": ("AIND",),
    "Asian, Asian British or Asian Welsh: Pakistani": ("APKN",),
    "Asian, Asian British or Asian Welsh: Other Asian": ("AOTH",),
    "Black, Black British, Black Welsh, Caribbean or African: African": ("BAFR",),
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean": ("BCRB",),
    "Black, Black British, Black Welsh, Caribbean or African: Other Black": ("BOTH",),
    "Mixed or Multiple ethnic groups: White and Asian": ("MWAS",),
    "Mixed or Multiple ethnic groups: White and Black African": ("MWBA",),
    "Mixed or Multiple ethnic groups: White and Black Caribbean": ("MWBC",),
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups": ("MOTH",),
    "White: English, Welsh, Scottish, Northern Irish or British": ("WBRI",),
    "White: Irish": ("WIRI",),
    "White: Gypsy or Irish Traveller": _GTR,
    "White: Roma": _GTR,
    "White: Other White": ("WOTH",),
    "Other ethnic group: Arab": ("OOTH",),
    "Other ethnic group: Any other ethnic group": ("OOTH",),
    "Does not apply": None,
}

# Census 2021 "Ethnic group (6 categories)" (custom datasets), by label prefix.
_CENSUS2021_MAIN_PREFIXES = {
    "asian": "Asian",
    "black": "Black",
    "mixed": "Mixed",
    "white": "White",
    "other ethnic group": "Other",
}

_SCHOOL_CODES = {
    "White - White British": ("WBRI",),
    "White - Irish": ("WIRI",),
    "White - Traveller of Irish heritage": ("WIRT",),
    "White - Gypsy/Roma": ("WROM",),
    "White - Any other White background": ("WOTH",),
    "Mixed - White and Black Caribbean": ("MWBC",),
    "Mixed - White and Black African": ("MWBA",),
    "Mixed - White and Asian": ("MWAS",),
    "Mixed - Any other Mixed background": ("MOTH",),
    "Asian - Indian": ("AIND",),
    "Asian - Pakistani": ("APKN",),
    "Asian - Bangladeshi": ("ABAN",),
    "Asian - Chinese": ("CHNE",),
    "Asian - Any other Asian background": ("AOTH",),
    "Black - Black Caribbean": ("BCRB",),
    "Black - Black African": ("BAFR",),
    "Black - Any other Black background": ("BOTH",),
    "Any other ethnic group": ("OOTH",),
    "Unclassified": None,
}

_EXCLUDED_WORDS = ("refused", "not obtained", "unclassified", "unknown", "not known",
                   "does not apply", "not recorded", "not yet available", "not stated")


def _is_excluded_label(label) -> bool:
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return True
    text = str(label).strip().lower()
    return text == "" or any(w in text for w in _EXCLUDED_WORDS)


def detailed_ethnic_group(codes, *, combine=None) -> pd.Series:
    """Map SSDA903 ETHNIC codes to detailed group labels.

    Parameters
    ----------
    codes : Series or sequence of str
        ETHNIC codes (case-insensitive).
    combine : iterable of str, optional
        Names from :data:`COMBINED_DETAILED_GROUPS` whose codes are reported together (e.g.
        ``["Gypsy, Roma or Irish Traveller"]`` to match a Census denominator).

    Returns
    -------
    Series
        Labels from :data:`DETAILED_ETHNIC_GROUPS` (object dtype, same index); NaN for blank or
        unknown codes.

    Examples
    --------
    >>> detailed_ethnic_group(["WBRI", "wrom", "WIRT"]).tolist()
    ['White British', 'Gypsy/Roma', 'Irish Traveller']
    >>> detailed_ethnic_group(["WROM"], combine=["Gypsy, Roma or Irish Traveller"]).tolist()
    ['Gypsy, Roma or Irish Traveller']
    """
    labels = dict(DETAILED_ETHNIC_GROUPS)
    for name in combine or ():
        if name not in COMBINED_DETAILED_GROUPS:
            raise ParameterError(
                f"unknown combined group {name!r}; use one of {sorted(COMBINED_DETAILED_GROUPS)}."
            )
        for code in COMBINED_DETAILED_GROUPS[name]:
            labels[code] = name
    s = codes if isinstance(codes, pd.Series) else pd.Series(list(codes), dtype=object)
    key = s.astype(object).map(lambda v: str(v).strip().upper() if isinstance(v, str) else v)
    return key.map(labels).astype(object)


def _key_label(key: tuple, detailed: bool, mapping) -> str:
    """Group label for a tuple of SSDA903 codes (main or detailed)."""
    if detailed:
        if len(key) == 1:
            return DETAILED_ETHNIC_GROUPS[key[0]]
        for name, codes in COMBINED_DETAILED_GROUPS.items():
            if set(key) == set(codes):
                return name
        raise ReferenceDataError(f"no detailed label for the combined codes {key}.")
    try:  # the mapping's items in their order: a later spelling of a code wins, as in codes.ethnic_group
        frozen = None if mapping is None else tuple(dict(mapping).items())
        hash(frozen)
    except TypeError:
        return _main_label(key, mapping)
    return _main_label_cached(key, frozen)


@functools.lru_cache(maxsize=1024)
def _main_label_cached(key: tuple, frozen) -> str:
    # Every source category and user row asks for its codes' group: one pandas call each was
    # most of the time a denominator took, so each (codes, mapping) is looked up once per process.
    return _main_label(key, None if frozen is None else dict(frozen))


def _main_label(key: tuple, mapping) -> str:
    """Main group of a tuple of SSDA903 codes (see :func:`_key_label`)."""
    groups = set(_codes.ethnic_group(list(key), mapping=mapping).tolist())
    if len(groups) != 1:
        raise ParameterError(
            f"the ethnic group mapping puts {', '.join(key)} in different groups ({groups}), but "
            "this denominator publishes them together. Map them to the same group."
        )
    return groups.pop()


def _group_order(labels, detailed: bool) -> list:
    if detailed:
        order = list(dict.fromkeys(list(DETAILED_ETHNIC_GROUPS.values()) + list(COMBINED_DETAILED_GROUPS)))
        order.insert(order.index("Irish Traveller"), "Gypsy, Roma or Irish Traveller")
    else:
        order = list(_codes.ETHNIC_GROUP_ORDER)
    rank = {g: i for i, g in enumerate(dict.fromkeys(order))}
    return sorted(labels, key=lambda g: (g == EXCLUDED_GROUP, rank.get(g, len(rank)), str(g)))


def _main_from_label(label: str, mapping) -> str:
    text = str(label).strip()
    if text in _CENSUS2021_CODES:
        key = _CENSUS2021_CODES[text]
        return EXCLUDED_GROUP if key is None else _key_label(key, False, mapping)
    low = text.lower()
    if _is_excluded_label(text):
        return EXCLUDED_GROUP
    for prefix, group in _CENSUS2021_MAIN_PREFIXES.items():
        if low.startswith(prefix):
            return group
    raise ReferenceDataError(f"ethnic group {label!r} in the Census 2021 child file is not recognised.")


def _apply_codes(categories, counts, table: dict, *, detailed: bool, mapping, where: str) -> pd.Series:
    """Counts of one authority's rows, labelled by group through a source's category table.

    Parameters
    ----------
    categories : array_like of str
        The source's ethnic category of each row.
    counts : array_like of float
        The count of each row.
    table : dict
        Category -> SSDA903 codes it covers (None: left out of the denominator).
    detailed, mapping
        As :func:`~iro_analysis.reference.ethnicity_population.ethnicity_population`.
    where : str
        The file, for messages.

    Returns
    -------
    Series
        The counts (float), indexed by each row's group label (rows in the order given).
    """
    categories = np.asarray(categories, dtype=object)
    unknown = sorted(set(categories) - set(table))
    if unknown:
        raise ReferenceDataError(
            f"{where}: ethnic categories {unknown} are not recognised. Check that the file is the "
            "published table (see `iro-analysis reference`)."
        )
    label_of = {}  # each category labelled once, in order of first appearance (so the same first error)
    for c in categories:
        if c not in label_of:
            label_of[c] = EXCLUDED_GROUP if table[c] is None else _key_label(table[c], detailed, mapping)
    labels = np.array([label_of[c] for c in categories], dtype=object)
    return pd.Series(np.asarray(counts, dtype=float), index=labels)
