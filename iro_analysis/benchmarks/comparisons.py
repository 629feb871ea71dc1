"""One authority against its statistical neighbours, its region and England (LAIT rules).

The rules are in :mod:`iro_analysis.benchmarks`; the ranks and bands come from
:mod:`~iro_analysis.benchmarks.ranking`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError, ReferenceDataError
from ..reference.cache import national
from .indicators import (INDICATORS, Indicator, _indicator_values, get_indicator, indicator_values, latest_year,
                         published_years)
from .ranking import quartile_cut_points, rank_and_band, sn_mean

__all__ = ["BENCHMARK_COLUMNS", "neighbour_benchmark", "neighbour_table", "benchmark_table"]


#: Columns of :func:`neighbour_benchmark` (one row).
BENCHMARK_COLUMNS = [
    "la_code", "ons_code", "la_name", "region_code", "region_name", "indicator", "indicator_name", "unit",
    "polarity", "year", "release", "model", "value", "flag", "numerator", "denominator",
    "sn_mean", "sn_median", "sn_n", "sn_of", "sn_used", "sn_missing", "region_value", "england_value",
    "rank", "rank_of", "band", "position", "quartile", "q_min", "q1", "q2", "q3", "q_max",
    "previous_year", "previous_value", "change", "note",
]


def _resolve(la):
    from ..reference import resolve_authority

    return resolve_authority(la)


def _model_key(model) -> str:
    text = str(model).strip().lower()
    for key in ("2021", "2025"):
        if key in text:
            return key
    raise ParameterError(f"model must be '2021' (DfE April 2021 statistical neighbours) or '2025', got {model!r}.")


def _neighbours(la_code: str, model: str) -> pd.DataFrame:
    lists = _neighbour_lists(model)
    return (lists[la_code] if la_code in lists else lists[None]).copy()


@national
def _neighbour_lists(model: str) -> dict:
    """Each authority's neighbours, closest first, split once per process (not per report);
    under ``None`` the empty table of an authority the model does not have."""
    from ..reference import neighbours as _nb

    sn = _nb.statistical_neighbours(model)
    lists = {code: rows.sort_values("neighbour_rank").reset_index(drop=True)
             for code, rows in sn.groupby("la_code", sort=False)}
    lists[None] = sn.iloc[0:0].reset_index(drop=True)
    return lists


@dataclass(frozen=True)
class _YearValues:
    """What every authority's benchmark for one indicator and year shares (read only).

    ``las``: the authorities' rows, first row per code, indexed by ``la_code``; ``ranks``:
    :func:`rank_and_band` of their values; ``cuts``: the quartile cut points; ``regions``: the
    first regional value per region code; ``england``: the first national value (NaN when none);
    ``release``: the release of the file's first row.
    """

    las: pd.DataFrame
    ranks: pd.DataFrame
    cuts: np.ndarray
    regions: dict
    england: float
    release: int


@national
def _year_values(indicator: str, release: int | None, year: int) -> _YearValues:
    """The national part of a benchmark, once per process for each indicator, release and year."""
    ind = get_indicator(indicator)
    vals = _indicator_values(ind.id, release)
    las = vals[(vals["geographic_level"] == "Local authority") & (vals["year"] == year)]
    las = las.drop_duplicates("la_code").set_index("la_code")
    regional = vals[(vals["geographic_level"] == "Regional") & (vals["year"] == year)]
    regions = {}
    for code, value in zip(regional["region_code"], regional["value"]):
        regions.setdefault(code, float(value))
    england = vals.loc[(vals["geographic_level"] == "National") & (vals["year"] == year), "value"]
    return _YearValues(las=las, ranks=rank_and_band(las["value"], polarity=ind.polarity),
                       cuts=quartile_cut_points(las["value"]), regions=regions,
                       england=float(england.iloc[0]) if len(england) else np.nan,
                       release=int(vals["release"].iloc[0]))


def _pick_year(year, ind: Indicator, release: int | None) -> int:
    years = list(published_years(ind.id, release))
    if not years:
        raise ReferenceDataError(f"No local-authority values of {ind.id} were found in the DfE file.")
    if year is None:
        return int(years[-1])
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"year must be a year ending 31 March such as 2023, got {year!r}.") from None
    if y not in years:
        vals = _indicator_values(ind.id, release)
        rel = ", ".join(str(r) for r in sorted(vals["release"].unique()))
        raise ParameterError(
            f"{ind.name} ({ind.id}) is not published for the year ending 31 March {y} in the release used "
            f"({rel}); years available: {', '.join(str(x) for x in years)}. Choose one of those, or another "
            "release with release=."
        )
    return y


def _benchmark_row(ind: Indicator, auth, year: int, nb: pd.DataFrame, model: str, release: int | None) -> dict:
    national_values = _year_values(ind.id, release, year)
    las, rb, cuts = national_values.las, national_values.ranks, national_values.cuts
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
    if year - 1 in published_years(ind.id, release):
        before = _year_values(ind.id, release, year - 1).las
        if auth.la_code in before.index:
            prev_year, prev_value = year - 1, float(before.loc[auth.la_code, "value"])
            change = value - prev_value  # LAIT: only between consecutive years
    r = rb.loc[auth.la_code] if auth.la_code in rb.index else None
    return {
        "la_code": auth.la_code, "ons_code": auth.ons_code, "la_name": auth.la_name,
        "region_code": region_code, "region_name": region_name,
        "indicator": ind.id, "indicator_name": ind.name, "unit": ind.unit, "polarity": ind.polarity,
        "year": int(year), "release": national_values.release, "model": model,
        "value": value, "flag": flag, "numerator": numerator, "denominator": denominator,
        "sn_mean": mean, "sn_median": float(np.median(nvals.dropna())) if n_used else np.nan,
        "sn_n": n_used, "sn_of": len(codes), "sn_used": ",".join(used), "sn_missing": ",".join(missing),
        "region_value": national_values.regions.get(region_code, np.nan),
        "england_value": national_values.england,
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
    y = _pick_year(year, ind, release)
    nb = _neighbours(auth.la_code, model)
    return _frame([_benchmark_row(ind, auth, y, nb, model, release)])


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
    y = _pick_year(year, ind, release)
    nb = _neighbours(auth.la_code, model)
    las, rb = _year_values(ind.id, release, y).las, _year_values(ind.id, release, y).ranks
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
        b = _benchmark_row(ind, auth, y, nb, model, release)
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
    model_key = _model_key(model)
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
            rows.append(empty)
            continue
        rows.append(_benchmark_row(ind, auth, y, _neighbours(auth.la_code, model_key), model_key, release))
    return _frame(rows)
