"""English local authorities: DfE 3-digit code, ONS code, name and region, and name resolution.

Users name an authority in whichever form they have at hand: the DfE 3-digit code (``"872"`` or
``872``), the ONS code (``"E06000041"``) or the name (``"Wokingham"``, ``"Wokingham Borough
Council"``, ``"Brighton & Hove"``). :func:`resolve_authority` turns any of these into one
:class:`Authority`.

The lookup is ``la_lookup_dfe.csv`` (built from the LA rows of DfE's CLA rates files). If that file
is not on the search path the same lookup is built from whichever
``cla_number_and_rate_per_10k_children_*pub.csv`` files are present.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pandas as pd

from ..errors import ParameterError, ReferenceDataError
from .regions import _REGION_ALIASES, ENGLAND_CODE, LONDON_CODE, REGIONS, harmonise_region_name
from .search import find_reference_file, read_dfe_csv

__all__ = [
    "Authority",
    "list_authorities",
    "resolve_authority",
    "harmonise_region_name",
    "REGIONS",
    "LONDON_CODE",
]


@dataclass(frozen=True)
class Authority:
    """One English local authority (children's services, upper tier).

    Attributes
    ----------
    la_code : str
        DfE 3-digit code (``"872"``).
    ons_code : str
        Current ONS code (``"E06000041"``).
    la_name : str
        DfE's spelling of the name (``"Bristol, City of"``).
    region_code, region_name : str
        DfE region of the LA rows (London split into E13000001 Inner / E13000002 Outer London).
    region9_code, region9_name : str
        The 9-region geography (Inner and Outer London both map to E12000007 London).
    current : bool
        False for authorities abolished by reorganisation (Cumbria, Northamptonshire, the
        pre-2019 Dorset/Poole/Bournemouth).
    """

    la_code: str
    ons_code: str
    la_name: str
    region_code: str
    region_name: str
    region9_code: str = ""
    region9_name: str = ""
    current: bool = True

    def __str__(self) -> str:
        return f"{self.la_name} ({self.la_code}, {self.ons_code})"


# --------------------------------------------------------------------------------------------
# The lookup table


def _region9(code: str) -> str:
    return LONDON_CODE if code.startswith("E13") else code


def _years(raw: pd.DataFrame, col: str) -> pd.Series:
    if col not in raw.columns:
        return pd.Series(float("nan"), index=raw.index)
    return pd.to_numeric(raw[col], errors="coerce")


def _lookup_from_file() -> pd.DataFrame:
    raw = read_dfe_csv(find_reference_file("la_lookup_dfe.csv"))
    need = {"old_la_code", "new_la_code", "la_name", "region_code", "region_name"}
    missing = need - set(raw.columns)
    if missing:
        raise ReferenceDataError(
            f"la_lookup_dfe.csv lacks columns {sorted(missing)}; download or rebuild the lookup."
        )
    df = pd.DataFrame(
        {
            "la_code": raw["old_la_code"].str.strip(),
            "ons_code": raw["new_la_code"].str.strip().str.upper(),
            "la_name": raw["la_name"].str.strip(),
            "region_code": raw["region_code"].str.strip(),
            "region_name": raw["region_name"].map(harmonise_region_name),
            "first_year": _years(raw, "first_year_in_data"),
            "last_year": _years(raw, "last_year_in_data"),
            "current": raw["is_utla_2023"].str.strip().str.lower().eq("true")
            if "is_utla_2023" in raw
            else True,
        }
    )
    return df


def _lookup_from_rates() -> pd.DataFrame:
    from .dfe_cla import cla_rates, cla_rates_files

    releases = sorted(cla_rates_files())
    if not releases:
        raise ReferenceDataError(
            "No local-authority lookup is available: neither la_lookup_dfe.csv nor any "
            "cla_number_and_rate_per_10k_children_<year>pub.csv file is on the reference search "
            "path. Run `iro-analysis reference` to see where to download them."
        )
    frames = [cla_rates(release=r).assign(release=r) for r in releases]
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[rows["geographic_level"] == "Local authority"]
    latest_year = int(rows["year"].max())
    # Current = has a published 0-17 population in the latest year (abolished authorities show
    # "x"; the Isles of Scilly have a population but a "z" count, and are current).
    live = rows[(rows["year"] == latest_year) & (rows["measure"] == "cla_31_march")]
    live_codes = set(live.loc[live["population_flag"] == "", "ons_code"])
    g = rows.groupby(["la_code", "ons_code", "la_name", "region_code", "region_name"], as_index=False)
    df = g.agg(first_year=("year", "min"), last_year=("year", "max"), release=("release", "max"))
    df["current"] = df["ons_code"].isin(live_codes)
    return df.drop(columns="release")


def _lookup() -> pd.DataFrame:
    """All (la_code, ons_code) rows, with `current` and a `canonical` marker per la_code."""
    try:
        df = _lookup_from_file()
    except ReferenceDataError as exc:
        if "was not found" not in str(exc):
            raise
        df = _lookup_from_rates()
    df = df.copy()
    df["region9_code"] = df["region_code"].map(_region9)
    df["region9_name"] = df["region9_code"].map(REGIONS).fillna(df["region_name"])
    # One canonical row per DfE code: the current ONS code (North Yorkshire 815 -> E06000065
    # rather than the pre-2023 county code E10000023), else the most recent one.
    df = df.sort_values(
        ["la_code", "current", "last_year", "first_year"],
        ascending=[True, False, False, False],
        na_position="last",
    )
    df["canonical"] = ~df.duplicated("la_code")
    return df.reset_index(drop=True)


_CACHE: dict[str, object] = {}


def _lookup_key() -> str:
    # Keyed on the file(s) found, so a changed search path (IRO_REFERENCE_DIR) or file reloads.
    try:
        p = find_reference_file("la_lookup_dfe.csv")
    except ReferenceDataError:
        from .dfe_cla import cla_rates_files

        files = cla_rates_files()
        return "rates:" + ";".join(f"{p}|{p.stat().st_mtime_ns}" for p in files.values())
    st = p.stat()
    return f"{p}|{st.st_mtime_ns}|{st.st_size}"


def _cached_lookup() -> pd.DataFrame:
    key = _lookup_key()
    if _CACHE.get("key") != key:
        _CACHE["table"] = _lookup()
        _CACHE["key"] = key
        _CACHE.pop("names", None)
        _CACHE.pop("by_code", None)
    return _CACHE["table"]  # type: ignore[return-value]


def list_authorities(*, include_former: bool = False) -> pd.DataFrame:
    """The English local authorities DfE publishes CLA figures for.

    Parameters
    ----------
    include_former : bool, default False
        Also list authorities abolished by reorganisation (Cumbria 909, Northamptonshire 928,
        pre-2019 Dorset 835, Poole 836, Bournemouth 837), which still appear in older years.
        By default only the 153 current authorities are listed (what a batch over "all
        authorities" wants); :func:`resolve_authority` accepts former ones either way.

    Returns
    -------
    pandas.DataFrame
        One row per DfE code, sorted by ``la_code``, columns ``la_code, ons_code, la_name,
        region_code, region_name, region9_code, region9_name, current, former_ons_codes``
        (``former_ons_codes``: earlier ONS codes of the same DfE code, ``""`` if none; for example
        North Yorkshire 815 was E10000023 until 2023).

    Raises
    ------
    ReferenceDataError
        If neither ``la_lookup_dfe.csv`` nor any DfE CLA rates file can be found.

    Examples
    --------
    >>> la = list_authorities()
    >>> len(la), la.loc[la["la_code"] == "872", "ons_code"].item()
    (153, 'E06000041')
    """
    df = _cached_lookup()
    former = (
        df[~df["canonical"]].groupby("la_code")["ons_code"].agg(lambda s: ";".join(sorted(s)))
    )
    out = df[df["canonical"]].copy()
    out["former_ons_codes"] = out["la_code"].map(former.to_dict()).astype(object).where(
        out["la_code"].isin(former.index), ""
    )
    if not include_former:
        out = out[out["current"]]
    cols = [
        "la_code",
        "ons_code",
        "la_name",
        "region_code",
        "region_name",
        "region9_code",
        "region9_name",
        "current",
        "former_ons_codes",
    ]
    return out[cols].sort_values("la_code").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Name matching

_PREFIXES = (
    "the ",
    "london borough of ",
    "royal borough of ",
    "metropolitan borough of ",
    "city and county of ",
    "borough of ",
    "city of ",
    "county of ",
)
_SUFFIXES = (
    " metropolitan borough council",
    " metropolitan district council",
    " borough council",
    " city council",
    " county council",
    " district council",
    " unitary authority",
    " council",
    " city of",
    " county of",
    " mbc",
    " mdc",
    " bc",
    " cc",
    " ua",
    " la",
)


def _norm(text: str) -> str:
    s = str(text).lower().replace("&", " and ")
    s = re.sub(r"[^a-z0-9]+", " ", s)  # punctuation, hyphens, commas, full stops
    return " ".join(s.split())


def _strip(s: str) -> str:
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if s.startswith(p) and len(s) > len(p):
                s, changed = s[len(p) :], True
        for suf in _SUFFIXES:
            if s.endswith(suf) and len(s) > len(suf):
                s, changed = s[: -len(suf)], True
    return s.strip()


def _name_index() -> dict[str, set[str]]:
    """Normalised name key -> set of DfE codes."""
    if "names" in _CACHE and _CACHE.get("names_key") == _CACHE.get("key"):
        return _CACHE["names"]  # type: ignore[return-value]
    df = _cached_lookup()
    region_keys = {_norm(n) for n in REGIONS.values()} | {"england"}
    index: dict[str, set[str]] = {}
    for code, name in zip(df["la_code"], df["la_name"]):
        full = _norm(name)
        keys = {full}
        stripped = _strip(full)
        # "City of London" must not become "london" (the region).
        if stripped not in region_keys:
            keys.add(stripped)
        # "Bristol, City of" is also written "City of Bristol"; "Kingston upon Hull, City of"
        # as "Hull".
        m = re.match(r"^(.*) (city|county) of$", full)
        if m:
            keys.add(f"{m.group(2)} of {m.group(1)}")
        if full.startswith("county "):  # "County Durham" is also "Durham"
            keys.add(full[len("county ") :])
        if full.startswith("kingston upon hull"):
            keys.add("hull")
        for k in keys:
            index.setdefault(k, set()).add(code)
    _CACHE["names"] = index
    _CACHE["names_key"] = _CACHE.get("key")
    return index


def _suggest(text: str, df: pd.DataFrame, n: int = 5) -> str:
    canon = df[df["canonical"]]
    names = {_norm(nm): f"{nm} ({code})" for code, nm in zip(canon["la_code"], canon["la_name"])}
    for code, nm in zip(canon["la_code"], canon["la_name"]):
        names.setdefault(_strip(_norm(nm)), f"{nm} ({code})")
    close = difflib.get_close_matches(_strip(_norm(text)), list(names), n=n, cutoff=0.6)
    if not close:
        close = [k for k in names if _strip(_norm(text)) and _strip(_norm(text)) in k][:n]
    labels = list(dict.fromkeys(names[c] for c in close))
    return ("Close matches: " + "; ".join(labels) + ".") if labels else "No close match."


def _authority(row: pd.Series) -> Authority:
    return Authority(
        la_code=row["la_code"],
        ons_code=row["ons_code"],
        la_name=row["la_name"],
        region_code=row["region_code"],
        region_name=row["region_name"],
        region9_code=row["region9_code"],
        region9_name=row["region9_name"],
        current=bool(row["current"]),
    )


# 117 lines, 37 of them the docstring (parameters, method, worked examples): 76 lines of code.
def resolve_authority(la) -> Authority:
    """Resolve a DfE code, ONS code or name to one :class:`Authority`.

    Parameters
    ----------
    la : str, int or Authority
        DfE 3-digit code (``"872"``, ``872``), ONS code (``"E06000041"``, case-insensitive,
        including former codes such as North Yorkshire's ``"E10000023"``), or name
        (case-insensitive; ``"&"``/``"and"``, punctuation and council-type words such as
        "Borough Council", "MBC", "City Council", "London Borough of" are ignored). An
        :class:`Authority` is returned unchanged.

    Returns
    -------
    Authority

    Raises
    ------
    ParameterError
        If nothing matches, if a name matches several current authorities, or if the value is a
        region or England rather than an authority. The message lists close matches.
    ReferenceDataError
        If no lookup file can be found.

    Notes
    -----
    When a name matches a current authority and an abolished one of the same name (Dorset 838
    and the pre-2019 Dorset County 835), the current one is returned; use the code for the other.

    Examples
    --------
    >>> resolve_authority("Wokingham Borough Council").la_code
    '872'
    >>> resolve_authority(372).la_name
    'Rotherham'
    >>> resolve_authority("e06000041").la_name
    'Wokingham'
    """
    if isinstance(la, Authority):
        return la
    if isinstance(la, bool) or la is None:
        raise ParameterError(
            f"Authority {la!r} is not valid: give a DfE 3-digit code ('872'), an ONS code "
            "('E06000041') or a name ('Wokingham')."
        )
    df = _cached_lookup()
    if isinstance(la, int):
        text = f"{la:03d}" if 0 <= la < 1000 else str(la)
    else:
        text = str(la).strip()
    if not text:
        raise ParameterError("Authority is empty: give a DfE 3-digit code, ONS code or name.")

    if re.fullmatch(r"\d{1,3}", text):
        code = text.zfill(3)
        # a report resolves its code about a dozen times: each found once per lookup table
        memo = _CACHE.get("by_code")
        if memo is None or memo[0] != _CACHE.get("key"):  # type: ignore[index]
            memo = _CACHE["by_code"] = (_CACHE.get("key"), {})
        found = memo[1]  # type: ignore[index]
        if code in found:
            return found[code]  # type: ignore[return-value]
        hit = df[(df["la_code"] == code) & df["canonical"]]
        if len(hit):
            found[code] = _authority(hit.iloc[0])  # type: ignore[index]
            return found[code]  # type: ignore[index]
        raise ParameterError(
            f"No local authority has DfE code {code!r}. DfE codes are the 3-digit 'old_la_code' "
            "values (for example 872 Wokingham); see iro_analysis.reference.list_authorities()."
        )

    if re.fullmatch(r"[A-Za-z]\d{8}", text):
        ons = text.upper()
        if ons == ENGLAND_CODE:
            raise ParameterError(
                f"{ons} is England, not a local authority: use the National rows "
                "(geographic_level == 'National') for England figures."
            )
        if ons in REGIONS:
            raise ParameterError(
                f"{ons} is the region {REGIONS[ons]}, not a local authority: use the Regional rows "
                "for regional figures."
            )
        hit = df[df["ons_code"] == ons]
        if len(hit):
            code = hit.iloc[0]["la_code"]
            return _authority(df[(df["la_code"] == code) & df["canonical"]].iloc[0])
        raise ParameterError(
            f"No English local authority has ONS code {ons!r}. Children's services authorities "
            "have upper-tier codes (E06, E08, E09, E10); see "
            "iro_analysis.reference.list_authorities()."
        )

    key = _norm(text)
    if key == "england":
        raise ParameterError(
            "'England' is the national level, not a local authority: use the National rows "
            "(geographic_level == 'National') for England figures."
        )
    index = _name_index()
    codes = index.get(key) or index.get(_strip(key)) or set()
    if not codes:
        region_names = {_norm(n): n for n in REGIONS.values()}
        region_names.update({k: v for k, v in _REGION_ALIASES.items()})
        if key in region_names or _strip(key) in region_names:
            reg = region_names.get(key) or region_names[_strip(key)]
            raise ParameterError(
                f"{text!r} is a region ({harmonise_region_name(reg)}), not a local authority: use "
                "the Regional rows for regional figures. " + _suggest(text, df)
            )
        raise ParameterError(
            f"No local authority matches {text!r}. " + _suggest(text, df) + " Give the DfE "
            "3-digit code or ONS code to be exact; see iro_analysis.reference.list_authorities()."
        )
    rows = df[df["la_code"].isin(codes) & df["canonical"]]
    if len(rows) > 1:
        current = rows[rows["current"]]
        if len(current) == 1:
            rows = current
    if len(rows) > 1:
        labels = "; ".join(f"{n} ({c}, {o})" for c, n, o in rows[["la_code", "la_name", "ons_code"]].itertuples(index=False))
        raise ParameterError(
            f"{text!r} matches several local authorities: {labels}. Give the DfE 3-digit code."
        )
    return _authority(rows.iloc[0])
