"""English regions as DfE codes and spells them, and the harmonising of region names.

The lowest module of :mod:`iro_analysis.reference`: the DfE file helpers
(:mod:`~iro_analysis.reference._dfe`) and the authority lookup
(:mod:`~iro_analysis.reference.authorities`) both harmonise region names, so the names live
here, below both, rather than in the authority lookup (which itself reads DfE files).
"""

from __future__ import annotations

__all__ = ["REGIONS", "LONDON_CODE", "ENGLAND_CODE", "harmonise_region_name"]

LONDON_CODE = "E12000007"
ENGLAND_CODE = "E92000001"

#: Regions as DfE codes them: the 9 English regions (London = E12000007) and DfE's London split
#: (E13000001 Inner London, E13000002 Outer London) used on LA rows.
REGIONS: dict[str, str] = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
    "E13000001": "Inner London",
    "E13000002": "Outer London",
}

_REGION_ALIASES = {
    "london (inner)": "Inner London",
    "inner london": "Inner London",
    "london (outer)": "Outer London",
    "outer london": "Outer London",
    "london": "London",
    "yorkshire and the humber": "Yorkshire and The Humber",
    "yorkshire & the humber": "Yorkshire and The Humber",
    "yorkshire and humber": "Yorkshire and The Humber",
    "east of england": "East of England",
    "eastern": "East of England",
    "east": "East of England",
}


def harmonise_region_name(name: str) -> str:
    """Return DfE's spelling of a region name.

    Statistical-neighbour files say ``"London (Inner)"`` / ``"London (Outer)"`` (April 2021) or
    ``"London"`` (2025) where DfE's statistics say ``"Inner London"`` / ``"Outer London"``.

    Examples
    --------
    >>> harmonise_region_name("London (Inner)")
    'Inner London'
    >>> harmonise_region_name(" south east ")
    'South East'
    """
    key = " ".join(str(name).split()).lower()
    if key in _REGION_ALIASES:
        return _REGION_ALIASES[key]
    for official in REGIONS.values():
        if official.lower() == key:
            return official
    return " ".join(str(name).split())
