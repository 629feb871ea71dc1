"""Checks against DfE's published tables: rates per 10,000 and statistical-neighbour averages.

- ``rate_population`` and ``rate_series``: rates against their count and population, and a
  series of rates against one population (and DfE's denominators);
- ``rate_dfe``: a rate or count against DfE's published figure for the authority or England;
- ``neighbour_average``: statistical-neighbour averages recomputed from DfE's tables for every
  year, release and neighbour model available.

Only the releases available when the report was published are used
(:mod:`~iro_analysis.figure_check.releases`); missing reference files give ``not_checked`` rows.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from ..errors import ParameterError, ReferenceDataError
from .numbers import Printed, _fmt, _round_half_up, _show_exact
from .refs import _resolve
from .releases import later_text, usable_releases, years_text
from .results import _Out
from .spec import FigureSpec, FiguresFileError, NeighbourAverage, Rate, Ref


_MEASURE_TEXT = {
    "cla_31_march": "children looked after at 31 March",
    "starting": "children starting to be looked after",
    "ceasing": "children ceasing to be looked after",
}


def _implied_population(count: int, rate: Printed) -> tuple[Fraction, Fraction | None]:
    """Populations P with count/P×10,000 rounding to rate: lo < P <= hi (hi None = unbounded)."""
    lo_r, hi_r = rate.interval()
    lo = Fraction(count * 10000) / hi_r
    hi = None if lo_r <= 0 else Fraction(count * 10000) / lo_r
    return lo, hi


def _authority(spec, area):
    from ..reference import resolve_authority

    name = area or spec.authority
    if name is None:
        return None
    if str(name).strip().lower() in ("england", "e92000001", "national"):
        return "England"
    return resolve_authority(name)


def _one_line(exc) -> str:
    """The first line of a reference-data error (the rest lists folders searched)."""
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__) + (" (run `iro-analysis reference` for where to get it)" if len(text) > 1 else "")


def _releases(spec) -> tuple[list[int], list[int]]:
    """CLA releases found that the report could have used, and those published after it."""
    from ..reference import available_cla_releases

    return usable_releases(available_cla_releases(), spec.published)


def _no_release_text(spec, later) -> str:
    return f"no DfE release found was available when the report was published: {later_text(later, spec.published)}"


def _dfe_rows(auth, measure, releases=None) -> pd.DataFrame:
    from ..reference import available_cla_releases, cla_rates

    frames = []
    for rel in available_cla_releases() if releases is None else releases:
        r = cla_rates(release=rel)
        r = r[r["measure"] == measure]
        if auth == "England":
            r = r[r["geographic_level"] == "National"]
        else:
            r = r[(r["geographic_level"] == "Local authority") & (r["la_code"] == auth.la_code)]
        frames.append(r)
    if not frames:
        from ..reference import find_reference_file

        find_reference_file("cla_number_and_rate_per_10k_children_2025pub.csv")
    return pd.concat(frames, ignore_index=True)


def _releases_text(rels) -> str:
    rels = sorted({int(r) for r in rels})
    return ("release " if len(rels) == 1 else "releases ") + ", ".join(map(str, rels))


def _check_rates(spec: FigureSpec, out: _Out):
    """Each rate entry: 1. against its population, 2. as a series, 3. against DfE (:func:`_check_rate_dfe`).

    Parameters
    ----------
    spec : FigureSpec
    out : _Out
        Gains ``rate_population``, ``rate_series`` and ``rate_dfe`` rows.
    """
    for rate in spec.rates:
        label = f"'{rate.id}'" + (f" ({rate.where})" if rate.where else "")
        counts = [_resolve(spec, c).count if isinstance(c, Ref) else c for c in rate.counts]
        base = dict(table="rates", line=rate.line, figure_id=rate.id)
        # 1. against the population the report gives
        if rate.population is not None:
            for col, cnt, r in zip(rate.columns, counts, rate.rates):
                if cnt is None or r is None:
                    continue
                exact = Fraction(cnt * 10000) / rate.population
                v = r.judge(exact)
                expected = _fmt(_round_half_up(exact, r.decimals), r.decimals)
                arith = f"{cnt} / {_fmt(rate.population, 0)} × 10,000 = {_show_exact(exact, r)}"
                common = dict(base, column=col, value=r, expected=expected, reported=r.text)
                if v in ("ok", "tie"):
                    out.add("rate_population", "ok", message=f"{label}{' ' + col if col else ''}: {arith}, printed {r} (OK)", **common)
                else:
                    out.add("rate_population", "warning" if v == "truncated" else "error",
                            message=f"{label}{' ' + col if col else ''}: {arith}, rounds to {expected}, printed {r}"
                            + (" (truncated)." if v == "truncated" else "."), **common)
        # 2. a series of rates must imply one population
        pairs = [(col, c, r) for col, c, r in zip(rate.columns, counts, rate.rates) if c is not None and r is not None and r.value > 0]
        implied = None
        if len(pairs) >= 2:
            lo, hi = Fraction(0), None
            for _, c, r in pairs:
                a, b = _implied_population(c, r)
                lo = max(lo, a)
                hi = b if hi is None else (hi if b is None else min(hi, b))
            if hi is not None and lo >= hi:
                worst = sorted(pairs, key=lambda p: float(_implied_population(p[1], p[2])[0]))
                a_col, a_c, a_r = worst[0]
                b_col, b_c, b_r = worst[-1]
                out.add("rate_series", "error", **base, message=f"{label}: the rates cannot share one population: "
                        f"{b_col or ''} {b_c} at {b_r} needs a population above {_fmt(_implied_population(b_c, b_r)[0], 0)}, "
                        f"{a_col or ''} {a_c} at {a_r} one of at most {_fmt(_implied_population(a_c, a_r)[1], 0)}.")
            else:
                implied = (lo, hi)
                out.add("rate_series", "ok", **base, message=f"{label}: all {len(pairs)} rates fit one population between "
                        f"{_fmt(lo, 0)} and {_fmt(hi, 0)} (OK)")
        # 3. against DfE's published figures
        _check_rate_dfe(spec, rate, counts, implied, label, base, out)


def _check_rate_dfe(spec, rate: Rate, counts, implied, label, base, out: _Out):
    """Check 3 of a rate entry: against the figures DfE published for the year stated.

    Parameters
    ----------
    spec : FigureSpec
    rate : Rate
    counts : list
        The entry's counts, references resolved (None where blank).
    implied : tuple or None
        ``(lo, hi)``: the populations the entry's series of rates allows (from check 2).
    label : str
        How messages name the entry.
    base : dict
        The finding columns every row of the entry shares.
    out : _Out
        Gains ``rate_series`` (the implied population against DfE's denominators) and
        ``rate_dfe`` rows; ``not_checked`` when no release available at publication covers the
        year, or a reference file is missing.
    """
    found = _dfe_for_rate(spec, rate, label, base, out)
    if found is None:
        return
    auth, releases, later, dfe = found
    year = rate.year or spec.year
    area_name = "England" if auth == "England" else auth.la_name
    not_used = f" Not used: {later_text(later, spec.published)}." if later else ""
    covered = set(dfe["year"].dropna().astype(int))
    if year is not None and year not in covered:
        # Comparing with the nearest year would present a coincidence as a wrong-year slip.
        out.add("rate_dfe", "not_checked", **base, message=f"{label}: not compared with DfE: no release "
                f"{'available when the report was published' if later else 'found'} covers 31 March {year} "
                f"({_releases_text(releases)} cover {years_text(covered)}).{not_used}")
        return
    if implied is not None:
        _check_implied_population(implied, dfe, year, area_name, label, base, out)
    if len(rate.rates) != 1:
        return
    _check_published_figure(rate, counts[0], dfe, year, area_name, not_used, label, base, out)


def _dfe_for_rate(spec, rate: Rate, label, base, out: _Out):
    """Phase 1 of :func:`_check_rate_dfe`: the area, the releases usable and DfE's rows.

    Returns
    -------
    tuple or None
        ``(authority or "England", releases usable, releases published later, DfE rows of the
        measure for the area)``; None when there is nothing to compare with (no area given, or
        a ``not_checked`` row was added).

    Raises
    ------
    FiguresFileError
        For an area that names no authority.
    """
    try:
        auth = _authority(spec, rate.area)
    except ParameterError as exc:
        raise FiguresFileError(f"{exc} Fix the authority name or code.", file=spec.source, line=rate.line, entry=f"rates '{rate.id}'") from None
    except ReferenceDataError as exc:
        out.add("rate_dfe", "not_checked", **base, message=f"{label}: not compared with DfE: {_one_line(exc)}")
        return None
    if auth is None:
        return None
    try:
        releases, later = _releases(spec)
        if later and not releases:
            out.add("rate_dfe", "not_checked", **base, message=f"{label}: not compared with DfE: {_no_release_text(spec, later)}.")
            return None
        dfe = _dfe_rows(auth, rate.measure, releases)
    except ReferenceDataError as exc:
        out.add("rate_dfe", "not_checked", **base, message=f"{label}: not compared with DfE: {_one_line(exc)}")
        return None
    return auth, releases, later, dfe


def _check_implied_population(implied, dfe, year, area_name, label, base, out: _Out):
    """Phase 2 of :func:`_check_rate_dfe`: which published 0-17 population (if any) the series' rates use.

    Parameters
    ----------
    implied : tuple
        ``(lo, hi)``: populations ``lo < P <= hi`` (``hi`` None: unbounded) the rates allow.
    dfe : DataFrame
        DfE's rows for the area (:func:`_dfe_rows`).
    year : int or None
        The year stated; its populations and the year before's are named when none matches.
    area_name, label, base, out
        As :func:`_check_rate_dfe`.
    """
    lo, hi = implied
    pops = dfe.dropna(subset=["population_0_17"])
    hits = pops[(pops["population_0_17"] > float(lo)) & (pops["population_0_17"] <= float(hi if hi is not None else 1e12))]
    near = pops[pops["year"].isin([y for y in (year, None if year is None else year - 1) if y is not None])]
    near_text = "; ".join(
        f"31 March {int(y)}: " + ", ".join(f"{int(p)} ({_releases_text(gg['release'])})" for p, gg in g.groupby("population_0_17"))
        for y, g in near.groupby("year")
    )
    if len(hits):
        out.add("rate_series", "ok", **base, message=f"{label}: the implied population matches DfE's denominator for "
                + "; ".join(f"31 March {int(y)} ({int(p)}, {_releases_text(g['release'])})"
                            for (y, p), g in hits.groupby(["year", "population_0_17"])) + " (OK)")
    else:
        out.add("rate_series", "warning", **base, message=f"{label}: the rates imply a 0-17 population between {_fmt(lo, 0)} and "
                f"{_fmt(hi, 0) if hi is not None else 'any'}, which is none of the populations DfE used for {area_name}"
                + (f" (e.g. {near_text})" if near_text else "") + "; the report used another estimate, so its rates "
                "cannot be compared exactly with published ones.")


def _matches_published(row, r: Printed | None, cnt: int | None) -> bool:
    """Whether one DfE row gives the printed rate ``r`` and count ``cnt`` (each when printed)."""
    ok = True
    if r is not None:
        # DfE publishes whole numbers; a printed decimal is compared with DfE's exact ratio.
        if r.decimals == 0:
            ok = r.value == Fraction(int(row.rate_per_10k))
        elif pd.notna(row["count"]) and pd.notna(row.population_0_17) and row.population_0_17 > 0:
            ok = r.judge(Fraction(int(row["count"]) * 10000) / Fraction(int(row.population_0_17))) in ("ok", "tie")
        else:
            ok = False
    if cnt is not None:
        ok = ok and pd.notna(row["count"]) and int(row["count"]) == cnt
    return ok


def _describe_published(rows, with_date=True) -> str:
    """DfE's figures in ``rows``, e.g. ``"31 March 2022: 136 / 33 (releases 2023, 2024)"``."""
    parts = []
    for (y, c, rt), g in rows.groupby(["year", "count", "rate_per_10k"], dropna=False, sort=True):
        shown = " / ".join(x for x in ("" if pd.isna(c) else str(int(c)), "" if pd.isna(rt) else str(int(rt))) if x)
        if pd.isna(c) and not pd.isna(rt):
            shown = f"rate {shown}"
        parts.append((f"31 March {int(y)}: " if with_date else "") + f"{shown or 'suppressed'} ({_releases_text(g['release'])})")
    return "; ".join(parts)


def _check_published_figure(rate: Rate, cnt, dfe, year, area_name, not_used, label, base, out: _Out):
    """Phase 3 of :func:`_check_rate_dfe`: a single rate and count against DfE's published figures.

    Parameters
    ----------
    rate : Rate
        An entry with one column.
    cnt : int or None
        Its count, reference resolved.
    dfe, year, area_name
        As :func:`_check_implied_population`.
    not_used : str
        The sentence naming releases published after the report ("" if none).
    label, base, out
        As :func:`_check_rate_dfe`.
    """
    r = rate.rates[0]
    what = _MEASURE_TEXT[rate.measure]
    common = dict(base, value="" if r is None else r, reported="" if r is None else r.text)
    usable = dfe.dropna(subset=["count"]) if r is None else dfe.dropna(subset=["rate_per_10k"])
    if usable.empty:
        out.add("rate_dfe", "not_checked", message=f"{label}: DfE publishes no {what} figures for {area_name}.", **common)
        return
    pop_text = ""
    if r is not None and cnt is not None and r.value > 0:
        lo, hi = _implied_population(cnt, r)
        pops = usable.dropna(subset=["population_0_17"])
        pops = pops[pops["year"] == year] if year is not None else pops.iloc[0:0]
        pop_text = (f" {cnt} at {r} per 10,000 implies a 0-17 population of {_fmt(lo, 0)} to {_fmt(hi, 0)}"
                    + ("; DfE used " + ", ".join(f"{int(p)} ({_releases_text(g['release'])})" for p, g in pops.groupby("population_0_17"))
                       + f" for 31 March {year}" if len(pops) else "") + ".")
    hit = usable[usable.apply(lambda row: _matches_published(row, r, cnt), axis=1)]
    printed = " / ".join(x for x in ((str(cnt) if cnt is not None else ""), (f"{r} per 10,000" if r is not None else "")) if x)
    stated = usable[usable["year"] == year] if year is not None else usable.iloc[0:0]
    describe = _describe_published
    if not hit.empty and (year is None or (hit["year"] == year).any()):
        out.add("rate_dfe", "ok", expected=describe(hit[hit["year"] == year] if year is not None else hit),
                message=f"{label}: {printed} matches DfE's published {what} for {area_name}, {describe(hit[hit['year'] == year] if year is not None else hit)} (OK)." + not_used, **common)
    elif not hit.empty:
        out.add("rate_dfe", "warning", expected=describe(stated) if len(stated) else "",
                message=f"{label}: {printed} is DfE's published figure for {describe(hit)}, not for the year stated "
                f"(31 March {year}: " + (f"{describe(stated, False)})" if len(stated) else "not in the releases found)") + "." + not_used, **common)
    else:
        nearest = stated if len(stated) else usable
        if r is not None and len(nearest):
            nearest = nearest.assign(_d=(nearest["rate_per_10k"] - float(r.value)).abs()).sort_values(["_d", "year"]).head(3)
        out.add("rate_dfe", "warning", expected=describe(nearest),
                message=f"{label}: {printed} matches no DfE {what} figure for {area_name} in the releases found "
                f"({_releases_text(usable['release'])}); for comparison {describe(nearest)}.{pop_text}{not_used}", **common)


def _check_neighbours(spec: FigureSpec, out: _Out):
    """Statistical-neighbour averages against the mean of the neighbours' published rates.

    Every year, release (available when the report was published) and neighbour model is
    tried, so that the figure is found whichever the report used; a year the releases do not
    cover is not checked.

    Parameters
    ----------
    spec : FigureSpec
    out : _Out
        Gains one ``neighbour_average`` row per average.

    Raises
    ------
    FiguresFileError
        For an authority that is unknown or is England.
    """
    if not spec.neighbour_averages:
        return
    try:
        auth = _authority(spec, None)
        releases, later = _releases(spec)
    except ParameterError as exc:
        raise FiguresFileError(f"{exc} Fix the authority name or code.", file=spec.source, entry="authority") from None
    except ReferenceDataError as exc:
        for sn in spec.neighbour_averages:
            out.add("neighbour_average", "not_checked", table="neighbour averages", line=sn.line, figure_id=sn.id, message=f"'{sn.id}': not recomputed: {_one_line(exc)}")
        return
    not_used = f" Not used: {later_text(later, spec.published)}." if later else ""
    for sn in spec.neighbour_averages:
        label = f"'{sn.id}'" + (f" ({sn.where})" if sn.where else "")
        common = dict(table="neighbour averages", line=sn.line, figure_id=sn.id, value=sn.value, reported=sn.value.text)
        if auth == "England":
            raise FiguresFileError("neighbour averages need a local authority, not England.", file=spec.source, entry="authority")
        if later and not releases:
            out.add("neighbour_average", "not_checked", message=f"{label}: not recomputed: {_no_release_text(spec, later)}.", **common)
            continue
        if not releases:
            out.add("neighbour_average", "not_checked", message=f"{label}: not recomputed: no DfE CLA rates file was found "
                    "(run `iro-analysis reference` for where to get it).", **common)
            continue
        try:
            rows = _neighbour_means(sn, auth, releases)
        except ReferenceDataError as exc:
            out.add("neighbour_average", "not_checked", message=f"{label}: not recomputed: {_one_line(exc)}", **common)
            continue
        if not rows:
            out.add("neighbour_average", "not_checked", message=f"{label}: {auth.la_name} has no neighbours in the models {', '.join(sn.models)}.", **common)
            continue
        cand = pd.DataFrame(rows)
        years = [y for y in ((sn.year,) if sn.year else ((spec.year, spec.year - 1) if spec.year else ())) if y]
        if years and not set(years) & set(cand["year"]):
            # Matching another year would only be a coincidence.
            out.add("neighbour_average", "not_checked", message=f"{label}: not recomputed: no release "
                    f"{'available when the report was published' if later else 'found'} covers 31 March "
                    f"{' or '.join(map(str, years))} ({_releases_text(releases)} cover {years_text(cand['year'])}).{not_used}", **common)
            continue
        cand["diff"] = [abs(float(m - sn.value.value)) for m in cand["mean"]]
        cand["ok"] = [sn.value.judge(m) in ("ok", "tie") for m in cand["mean"]]

        def say(g):
            return _describe_means(g, sn.value.decimals)

        hits = cand[cand["ok"]].sort_values(["year", "model", "release"])
        focus = cand[cand["year"].isin(years)].sort_values(["diff", "year", "model"])
        nearest = cand.sort_values(["diff", "year", "model"])
        nearest = nearest[nearest["diff"] == nearest["diff"].iloc[0]]
        if len(hits):
            out.add("neighbour_average", "ok", expected=say(hits), message=f"{label}: {sn.value} is reproduced by the mean of the neighbours' "
                    f"published rates: {say(hits)} (OK)." + not_used, **common)
        else:
            msg = (f"{label}: {sn.value} is not reproduced (within its rounding ±{_fmt(sn.value.half, sn.value.decimals + 1)}) by the mean of "
                   f"the 10 neighbours' published rates for any year, release and model found. Nearest: {say(nearest)}")
            if len(focus):
                msg += f". For the year(s) {', '.join(map(str, years))}: {say(focus)}"
            out.add("neighbour_average", "warning", expected=say(nearest), message=msg + "." + not_used, **common)


def _neighbour_means(sn: NeighbourAverage, auth, releases) -> list[dict]:
    """Mean of the neighbours' published rates for each model, release and year.

    Parameters
    ----------
    sn : NeighbourAverage
        The average printed (its measure and neighbour models).
    auth : Authority
    releases : list of int
        The DfE releases to read.

    Returns
    -------
    list of dict
        ``model, release, year, mean`` (exact: DfE's whole-number rates summed, divided by
        ``n``) and ``n`` (neighbours with a rate that year); nothing for a model that does not
        list the authority.
    """
    from ..reference import cla_rates, statistical_neighbours

    rows = []
    for model in sn.models:
        lists = statistical_neighbours(model)
        nbrs = lists.loc[lists["la_code"] == auth.la_code, "neighbour_la_code"].tolist()
        if not nbrs:
            continue
        for rel in releases:
            r = cla_rates(release=rel)
            r = r[(r["measure"] == sn.measure) & (r["geographic_level"] == "Local authority") & r["la_code"].isin(nbrs)]
            for year, g in r.groupby("year"):
                vals = g["rate_per_10k"].dropna()
                if len(vals):
                    rows.append({"model": model, "release": rel, "year": int(year),
                                 "mean": Fraction(int(round(vals.sum())), 1) / len(vals) if (vals % 1 == 0).all() else Fraction(float(vals.mean())),
                                 "n": len(vals)})
    return rows


def _describe_means(g, decimals: int) -> str:
    """Neighbour means in ``g`` as text, each shown to ``decimals`` (at least 1) decimals."""
    parts = []
    for (model, year, mean), gg in g.groupby(["model", "year", "mean"], sort=False):
        parts.append(f"{_fmt(mean, max(1, decimals))} for 31 March {year} on the {'April 2021' if model == '2021' else '2025'} "
                     f"model ({_releases_text(gg['release'])}, {int(gg['n'].iloc[0])} neighbours)")
    return "; ".join(parts)
