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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import codes as _codes
from .errors import ParameterError
from .stats import intervals as _iv
from .stats import tests as _tests

__all__ = [
    "DISPROPORTIONALITY_COLUMNS",
    "EXCLUDED_LABELS",
    "disproportionality",
    "distribution_test",
    "compare_denominators",
    "ethnic_counts",
    "cic_ethnicity",
    "starters_ethnicity",
    "ethnicity_mix_benchmark",
    "shareable_table",
    "shareable_comparison",
]

#: Columns of :func:`disproportionality`, in order.
DISPROPORTIONALITY_COLUMNS = [
    "ethnic_group", "included", "cic", "population", "cic_share", "cic_share_ci_low",
    "cic_share_ci_high", "population_share", "rate_population", "rate_per_10k", "rate_ci_low",
    "rate_ci_high", "representation_ratio", "rr_ci_low", "rr_ci_high", "p_value",
    "rri_reference", "rri", "rri_ci_low", "rri_ci_high", "rri_p_value", "rate_difference_per_10k",
    "rd_ci_low", "rd_ci_high", "excess_cic", "impossible_denominator", "low_reliability",
    "flags", "denominator",
]

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


# ------------------------------------------------------------------------------------------
# Inputs


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


def _order(labels) -> list:
    rank = {g: i for i, g in enumerate(_MAIN_ORDER)}
    try:
        from .reference.ethnicity_population import DETAILED_ETHNIC_GROUPS, COMBINED_DETAILED_GROUPS

        detailed = list(DETAILED_ETHNIC_GROUPS.values())
        detailed.insert(detailed.index("Irish Traveller"), next(iter(COMBINED_DETAILED_GROUPS)))
        for i, g in enumerate(detailed):
            rank.setdefault(g, 100 + i)
    except ImportError:  # pragma: no cover - the reference subpackage is part of the package
        pass
    return sorted(labels, key=lambda g: (_is_excluded(g), rank.get(g, 1000), str(g)))


def _harmonise_detailed(cic: pd.Series, pop: pd.Series) -> pd.Series:
    """Merge numerator groups that the denominator publishes combined (Gypsy/Roma + Irish Traveller)."""
    from .reference.ethnicity_population import COMBINED_DETAILED_GROUPS, DETAILED_ETHNIC_GROUPS

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


def _resolve_reference(reference, groups: list) -> str:
    if reference is None or str(reference).lower() in ("all_other", "all other", "all other children"):
        return "all_other"
    ref = str(reference).strip()
    if ref in groups:
        return ref
    if ref == "White" and "White British" in groups:
        return "White British"
    raise ParameterError(
        f"reference group {reference!r} is not among the groups {groups}; give one of them or "
        "reference='all_other' (each group against all other children)."
    )


# ------------------------------------------------------------------------------------------
# The main table


def disproportionality(
    cic,
    population,
    *,
    reference: str = "White",
    population_total: float | None = None,
    confidence: float = 0.95,
    share_method: str = "wilson",
    rri_method: str = "midp",
    rd_method: str = "newcombe",
    rate_method: str = "phe",
    low_reliability_below: int = 20,
    denominator: str | None = None,
) -> pd.DataFrame:
    r"""Rates, representation ratios and relative rate indices by ethnic group, with intervals.

    Parameters
    ----------
    cic : Series, dict or DataFrame
        Children in the cohort (e.g. in care on 31 March, excluding UASC) by ethnic group: a
        Series indexed by group or a DataFrame with ``ethnic_group, count``.
    population : Series, dict or DataFrame
        Child population by the same groups (e.g. from
        :func:`iro_analysis.reference.ethnicity_population.ethnicity_population`; its
        ``denominator`` label is carried through). Groups in the population but not in
        ``cic`` have 0 children in the cohort.
    reference : str, default "White"
        Reference group for the RRI, rate difference and excess count: a group name;
        ``"White"`` falls back to ``"White British"`` when the groups are detailed; or
        ``"all_other"`` to compare each group with all other children. The reference group
        itself is compared with all other children (column ``rri_reference`` says which).
    population_total : float, optional
        The ONS mid-year 0–17 total for the authority and year. When given, each group's
        population for rates is its share of known ethnicity × this total (the DfE rate
        denominator); otherwise the population counts themselves.
    confidence : float, default 0.95
        Level of every interval.
    share_method : {"wilson", "clopper_pearson", "jeffreys", "midp"}, default "wilson"
        Interval for the cohort share and hence the representation ratio.
    rri_method : {"midp", "exact", "katz", "koopman", "poisson_wald", "poisson_score"}, default "midp"
        Interval for the RRI (see :func:`iro_analysis.stats.rate_ratio_interval`).
    rd_method : {"newcombe", "agresti_caffo", "wald"}, default "newcombe"
        Interval for the rate difference.
    rate_method : {"phe", "byars", "exact"}, default "phe"
        Interval for the rate (PHE: Byar's from 10 children, exact below).
    low_reliability_below : int, default 20
        Flag rates from fewer children than this (ONS convention).
    denominator : str, optional
        Label of the population source; default from ``population.attrs["denominator"]`` or its
        ``denominator`` column.

    Returns
    -------
    DataFrame
        One row per group (known groups first in the standard order, then the not-known rows),
        columns :data:`DISPROPORTIONALITY_COLUMNS`:

        - ``ethnic_group``; ``included`` (False for refused / not obtained / unclassified,
          whose measures are NaN: they are reported, not analysed);
        - ``cic``, ``population``: the counts given;
        - ``cic_share`` (0–1) with ``cic_share_ci_low/high``; ``population_share``;
        - ``rate_population`` (population used for rates), ``rate_per_10k`` with
          ``rate_ci_low/high``;
        - ``representation_ratio`` with ``rr_ci_low/high``; ``p_value``: exact binomial test
          that the group's share of the cohort equals its population share;
        - ``rri_reference`` (the group or ``"all other children"``), ``rri`` (MLE) with
          ``rri_ci_low/high`` and ``rri_p_value`` (exact conditional, mid-p by default);
        - ``rate_difference_per_10k`` with ``rd_ci_low/high``; ``excess_cic``;
        - ``impossible_denominator`` (more children in the cohort than in the population
          estimate: no rate, ratio or test), ``low_reliability`` (fewer than
          ``low_reliability_below`` children), ``flags`` (text);
        - ``denominator``: the population source label.

        ``attrs`` records the methods, confidence, reference, denominator, totals and the
        not-known counts (``cic_unknown``, ``cic_unknown_percent``, ``population_unknown``).

    Raises
    ------
    ParameterError
        For negative or missing counts, groups in ``cic`` with no population, an unknown
        reference group or method.

    Notes
    -----
    With :math:`x_g` children of group g in the cohort, :math:`X = \sum x_g`,
    :math:`P_g` the population and :math:`\pi_g = P_g/\sum P_g` (known ethnicity only):

    * rate :math:`r_g = 10^4 x_g/N_g` with :math:`N_g = \pi_g T` when ``population_total``
      :math:`T` is given, else :math:`N_g = P_g`;
    * representation ratio :math:`s_g/\pi_g` (:math:`s_g = x_g/X`), identical to
      :math:`r_g/r_{all}`; interval = interval for :math:`s_g` ÷ :math:`\pi_g` (π treated as
      known); test: exact binomial :math:`x_g \sim \mathrm{Bin}(X, \pi_g)`;
    * RRI :math:`r_g/r_{ref}` = :math:`RepR_g/RepR_{ref}`; interval: exact conditional mid-p
      (conditional on :math:`x_g + x_{ref}`);
    * rate difference :math:`r_g - r_{ref}` (Newcombe on :math:`x_g/N_g - x_{ref}/N_{ref}`);
      excess :math:`x_g - N_g r_{ref}/10^4`.

    Sources: methods.md §1.1 (definitions), §2.2–§2.4 (intervals), Shaw et al. (2008) for
    the RRI. Ratios describe disproportionality, not its causes: age structure and
    deprivation differ between groups (Bywaters et al. 2017).

    Examples
    --------
    >>> cic = {"White": 49, "Black": 11, "Other": 40}
    >>> pop = {"White": 32960, "Black": 652, "Other": 6388}
    >>> t = disproportionality(cic, pop)
    >>> t.set_index("ethnic_group").loc["Black", ["representation_ratio", "rri"]].round(4).tolist()
    [6.7485, 11.3484]
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
    X, P = x.sum(), pop.sum()
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

    ref = _resolve_reference(reference, groups)
    k = len(groups)
    nan = np.full(k, np.nan)

    # Shares and representation ratios.
    s_lo, s_hi = _iv.proportion_interval(x, np.full(k, X), method=share_method, confidence=confidence)
    share = x / X if X > 0 else nan.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        repr_ratio = np.where(valid, share / pi, np.nan)
        rr_lo = np.where(valid, s_lo / pi, np.nan)
        rr_hi = np.where(valid, s_hi / pi, np.nan)
        rate = np.where(valid, 1e4 * x / n_rate, np.nan)
    r_lo, r_hi = _iv.rate_interval(x, n_rate, method=rate_method, confidence=confidence)
    r_lo, r_hi = np.where(valid, r_lo, np.nan), np.where(valid, r_hi, np.nan)
    p_share = np.where(valid, _tests.binomial_test(x, np.full(k, X), pi) if X > 0 else nan, np.nan)

    # Reference counts: one reference group, or all other children.
    # The group compared with all other children needs every other group's denominator sound.
    others_bad = np.array([bool(np.any(np.delete(impossible, i))) for i in range(k)])
    if ref == "all_other":
        ref_x, ref_n = x.sum() - x, n_rate.sum() - n_rate
        ref_names = np.array(["all other children"] * k, dtype=object)
        ref_ok = valid & ~others_bad
    else:
        j = groups.index(ref)
        ref_x, ref_n = np.full(k, x[j]), np.full(k, n_rate[j])
        ref_x[j], ref_n[j] = x.sum() - x[j], n_rate.sum() - n_rate[j]
        ref_names = np.array([ref] * k, dtype=object)
        ref_names[j] = "all other children"
        ref_ok = valid & np.where(ref_names == "all other children", ~others_bad, bool(valid[j]))
    with np.errstate(divide="ignore", invalid="ignore"):
        ref_rate = 1e4 * ref_x / ref_n
        rri = np.where(ref_ok & (ref_x > 0), (x / n_rate) / (ref_x / ref_n), np.nan)
    sel = ref_ok
    rri_lo, rri_hi, rri_p = nan.copy(), nan.copy(), nan.copy()
    if np.any(sel):
        lo, hi = _iv.rate_ratio_interval(x[sel], n_rate[sel], ref_x[sel], ref_n[sel], method=rri_method,
                                         confidence=confidence)
        rri_lo[sel], rri_hi[sel] = lo, hi
        test_method = "exact" if rri_method == "exact" else "midp"
        rri_p[sel] = _tests.rate_ratio_test(x[sel], n_rate[sel], ref_x[sel], ref_n[sel], method=test_method)
    rd = np.where(ref_ok, rate - ref_rate, np.nan)
    rd_lo, rd_hi = nan.copy(), nan.copy()
    sel_rd = ref_ok & (ref_x <= ref_n)
    if np.any(sel_rd):
        lo, hi = _iv.risk_difference_interval(x[sel_rd], n_rate[sel_rd], ref_x[sel_rd], ref_n[sel_rd],
                                              method=rd_method, confidence=confidence)
        rd_lo[sel_rd], rd_hi[sel_rd] = 1e4 * np.asarray(lo), 1e4 * np.asarray(hi)
    excess = np.where(ref_ok, x - n_rate * ref_rate / 1e4, np.nan)

    low_rel = (x < low_reliability_below) & valid
    flags = []
    for i in range(k):
        f = []
        if impossible[i]:
            f.append("impossible_denominator: more children in the cohort than in the population estimate; "
                     "check the denominator (e.g. use the school census)")
        elif pop[i] == 0:
            f.append("no population in this group")
        if low_rel[i]:
            f.append(f"low_reliability: fewer than {low_reliability_below} children")
        if ref_names[i] != "all other children" and not ref_ok[i] and valid[i]:
            f.append("reference group has an impossible denominator")
        flags.append("; ".join(f))

    out = pd.DataFrame(
        {
            "ethnic_group": groups,
            "included": True,
            "cic": x,
            "population": pop,
            "cic_share": share,
            "cic_share_ci_low": s_lo,
            "cic_share_ci_high": s_hi,
            "population_share": pi,
            "rate_population": n_rate,
            "rate_per_10k": rate,
            "rate_ci_low": r_lo,
            "rate_ci_high": r_hi,
            "representation_ratio": repr_ratio,
            "rr_ci_low": rr_lo,
            "rr_ci_high": rr_hi,
            "p_value": p_share,
            "rri_reference": ref_names,
            "rri": rri,
            "rri_ci_low": rri_lo,
            "rri_ci_high": rri_hi,
            "rri_p_value": rri_p,
            "rate_difference_per_10k": rd,
            "rd_ci_low": rd_lo,
            "rd_ci_high": rd_hi,
            "excess_cic": excess,
            "impossible_denominator": impossible,
            "low_reliability": low_rel,
            "flags": flags,
            "denominator": label,
        }
    )
    # Not-known rows: counts only.
    unknown_c = c[[_is_excluded(g) for g in c.index]]
    unknown_p = p[[_is_excluded(g) for g in p.index]]
    unknown_groups = _order(list(dict.fromkeys(list(unknown_c.index) + list(unknown_p.index))))
    if unknown_groups:
        extra = pd.DataFrame({col: [np.nan] * len(unknown_groups) for col in DISPROPORTIONALITY_COLUMNS})
        extra["ethnic_group"] = unknown_groups
        extra["included"] = False
        extra["cic"] = [float(unknown_c.get(g, 0.0)) for g in unknown_groups]
        extra["population"] = [float(unknown_p.get(g, 0.0)) for g in unknown_groups]
        extra["rri_reference"] = ""
        extra["impossible_denominator"] = False
        extra["low_reliability"] = False
        extra["flags"] = "ethnicity not known: left out of shares, rates and ratios"
        extra["denominator"] = label
        out = pd.concat([out, extra[DISPROPORTIONALITY_COLUMNS]], ignore_index=True)
    out = out[DISPROPORTIONALITY_COLUMNS]
    out["impossible_denominator"] = out["impossible_denominator"].astype(bool)
    out["low_reliability"] = out["low_reliability"].astype(bool)
    out["included"] = out["included"].astype(bool)
    cic_unknown = float(unknown_c.sum())
    out.attrs.update(
        {
            "reference": ref,
            "denominator": label,
            "confidence": confidence,
            "share_method": share_method,
            "rr_method": f"{share_method} interval for the share / population share",
            "rri_method": rri_method,
            "rd_method": rd_method,
            "rate_method": rate_method,
            "test": "exact binomial test of share = population share (two-sided, as R binom.test)",
            "rri_test": f"exact conditional {'mid-p ' if rri_method != 'exact' else ''}test (two-sided, central)",
            "population_total": population_total,
            "cic_total": float(X),
            "population_known_total": float(P),
            "cic_unknown": cic_unknown,
            "cic_unknown_percent": 100.0 * cic_unknown / (X + cic_unknown) if X + cic_unknown > 0 else np.nan,
            "population_unknown": float(unknown_p.sum()),
        }
    )
    return out


def distribution_test(
    cic,
    population,
    *,
    ordering: str = "chisq",
    max_outcomes: int = 5_000_000,
    n_sim: int = 200_000,
    seed: int | None = _tests.DEFAULT_SEED,
) -> pd.DataFrame:
    """Does the cohort's ethnic mix differ from the population's, taken as a whole?

    Parameters
    ----------
    cic, population : Series, dict or DataFrame
        Counts by group, as for :func:`disproportionality` (not-known groups are left out).
    ordering : {"chisq", "probability"}, default "chisq"
        What "at least as extreme" means for the exact test.
    max_outcomes, n_sim, seed
        Enumeration limit, Monte Carlo replicates and seed (fixed, so reports reproduce).

    Returns
    -------
    DataFrame
        One row: ``method`` (``pearson_chisq``, ``exact_multinomial`` or
        ``monte_carlo_multinomial``), ``statistic`` (Pearson's X²), ``df``, ``p_value``,
        ``asymptotic_p_value``, ``conditions_met``, ``min_expected``, ``n_expected_below_5``,
        ``n_total``, ``n_groups``, ``ordering``, ``n_outcomes``, ``seed``,
        ``mc_standard_error``, ``groups_left_out`` (groups with no population, e.g. an
        impossible denominator of 0), ``denominator``.

    Notes
    -----
    Pearson's chi-squared is used only when no expected count is below 1 and at most 20%
    are below 5 (Cochran); otherwise the exact multinomial test (methods.md §2.5), by
    complete enumeration up to ``max_outcomes`` outcomes and by Monte Carlo beyond. The
    test only says whether the mix differs; the per-group rows of
    :func:`disproportionality` say where.

    Examples
    --------
    >>> cic = {"White": 10, "Mixed": 4, "Asian": 1, "Black": 3, "Other": 2}
    >>> pop = {"White": 824, "Mixed": 55, "Asian": 87.7, "Black": 16.3, "Other": 17}
    >>> r = distribution_test(cic, pop)
    >>> r.loc[0, "method"], round(float(r.loc[0, "p_value"]), 7)
    ('exact_multinomial', 0.0005772)
    """
    c = _counts(cic, "cic")
    p = _counts(population, "population")
    label = _denominator_label(population, None)
    if any(g not in p.index for g in c.index):
        c = _harmonise_detailed(c, p)
    p_known = p[[not _is_excluded(g) for g in p.index]]
    c_known = c[[not _is_excluded(g) for g in c.index]]
    missing = [g for g in c_known.index if g not in p_known.index and c_known[g] > 0]
    if missing:
        raise ParameterError(f"groups {missing} have children in the cohort but no population in the denominator.")
    groups = _order(list(p_known.index))
    obs = c_known.reindex(groups).fillna(0.0)
    left_out = [g for g in groups if p_known[g] == 0]
    keep = [g for g in groups if p_known[g] > 0]
    res = _tests.goodness_of_fit_test(
        obs[keep].to_numpy(), p_known[keep].to_numpy(), ordering=ordering,
        max_outcomes=max_outcomes, n_sim=n_sim, seed=seed,
    )
    row = res.as_dict()
    row.update({"n_groups": len(keep), "groups_left_out": ", ".join(left_out), "denominator": label})
    cols = ["method", "statistic", "df", "p_value", "asymptotic_p_value", "conditions_met", "min_expected",
            "n_expected_below_5", "n_total", "n_groups", "ordering", "n_outcomes", "seed",
            "mc_standard_error", "groups_left_out", "denominator"]
    return pd.DataFrame([row])[cols]


def compare_denominators(cic, populations: pd.DataFrame, *, reference: str = "White", **options) -> pd.DataFrame:
    """How much the answer moves between denominators.

    Parameters
    ----------
    cic : Series, dict or DataFrame
        Counts by group.
    populations : DataFrame
        Several denominators stacked, with ``source`` (or ``denominator``), ``ethnic_group``,
        ``count`` (e.g. :func:`iro_analysis.reference.ethnicity_population.ethnicity_populations`).
    reference : str, default "White"
    **options
        Passed to :func:`disproportionality` (not ``denominator``).

    Returns
    -------
    DataFrame
        Long: one row per denominator × known group with ``source, denominator, caveat,
        ethnic_group, cic, population_share, representation_ratio, rr_ci_low, rr_ci_high,
        rri, rri_ci_low, rri_ci_high, p_value, impossible_denominator``, then
        ``rr_min``, ``rr_max`` and ``rr_spread`` (max ÷ min representation ratio over the
        denominators, per group).

    Examples
    --------
    >>> pops = pd.DataFrame({"source": ["a", "a", "b", "b"], "denominator": ["A", "A", "B", "B"],
    ...                      "ethnic_group": ["White", "Black"] * 2, "count": [900, 100, 800, 200]})
    >>> compare_denominators({"White": 50, "Black": 50}, pops)["representation_ratio"].round(3).tolist()
    [0.556, 5.0, 0.625, 2.5]
    """
    if not isinstance(populations, pd.DataFrame) or not {"ethnic_group", "count"} <= set(populations.columns):
        raise ParameterError("populations must be a DataFrame with ethnic_group, count and source/denominator columns.")
    key = "source" if "source" in populations.columns else "denominator"
    if key not in populations.columns:
        raise ParameterError("populations needs a source or denominator column to tell the denominators apart.")
    frames = []
    for src, block in populations.groupby(key, sort=False):
        lbl = str(block["denominator"].iloc[0]) if "denominator" in block.columns else str(src)
        t = disproportionality(cic, block[["ethnic_group", "count"]], reference=reference, denominator=lbl, **options)
        t = t[t["included"]].copy()
        t.insert(0, "source", src)
        t["caveat"] = str(block["caveat"].iloc[0]) if "caveat" in block.columns else ""
        frames.append(t)
    out = pd.concat(frames, ignore_index=True)
    cols = ["source", "denominator", "caveat", "ethnic_group", "cic", "population_share", "representation_ratio",
            "rr_ci_low", "rr_ci_high", "rri", "rri_ci_low", "rri_ci_high", "p_value", "impossible_denominator"]
    out = out[cols]
    g = out.groupby("ethnic_group", sort=False)["representation_ratio"]
    out["rr_min"] = g.transform("min")
    out["rr_max"] = g.transform("max")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rr_spread"] = out["rr_max"] / out["rr_min"]
    return out


# ------------------------------------------------------------------------------------------
# Cohorts: SSDA903 -> counts


def ethnic_counts(ethnic_codes, *, mapping: dict | None = None, detailed: bool = False, combine=None) -> pd.DataFrame:
    """Count children by ethnic group from their ETHNIC codes.

    Parameters
    ----------
    ethnic_codes : Series or sequence of str
        One SSDA903 ETHNIC code per child.
    mapping : dict, optional
        Main-group overrides for :func:`iro_analysis.codes.ethnic_group`, e.g.
        ``{"CHNE": "Other"}`` (Chinese is grouped differently by different tools; use the same
        mapping for the denominator).
    detailed : bool, default False
        Detailed groups (:data:`~iro_analysis.reference.ethnicity_population.DETAILED_ETHNIC_GROUPS`).
    combine : iterable of str, optional
        With ``detailed``: combined groups to report together (e.g.
        ``["Gypsy, Roma or Irish Traveller"]``).

    Returns
    -------
    DataFrame
        ``ethnic_group, count``: every group of the scheme (zeros included), then
        ``"Refused or not obtained"`` and ``"Not recorded"`` (blank or unknown codes) when present.

    Examples
    --------
    >>> ethnic_counts(["WBRI", "WBRI", "CHNE", "REFU"])["count"].tolist()
    [2, 0, 1, 0, 0, 1]
    >>> int(ethnic_counts(["CHNE"], mapping={"CHNE": "Other"}).set_index("ethnic_group").loc["Other", "count"])
    1
    """
    codes = ethnic_codes if isinstance(ethnic_codes, pd.Series) else pd.Series(list(ethnic_codes), dtype=object)
    if detailed:
        from .reference.ethnicity_population import detailed_ethnic_group

        labels = detailed_ethnic_group(codes, combine=combine)
        labels = labels.where(~labels.isin(["Refused", "Not obtained"]), "Refused or not obtained")
        scheme = list(dict.fromkeys(detailed_ethnic_group(
            [c for c in _codes.ETHNIC_GROUPS if c not in ("REFU", "NOBT")], combine=combine)))
    else:
        labels = _codes.ethnic_group(codes, mapping=mapping)
        scheme = [g for g in dict.fromkeys(_codes.ethnic_group(list(_codes.ETHNIC_GROUPS), mapping=mapping).dropna())
                  if g != "Refused or not obtained"]
        scheme = _order(scheme)
    labels = labels.fillna("Not recorded")
    counts = labels.value_counts()
    extra = [g for g in ("Refused or not obtained", "Not recorded") if g in counts.index]
    groups = scheme + [g for g in counts.index if g not in scheme and g not in extra] + extra
    return pd.DataFrame({"ethnic_group": groups, "count": [int(counts.get(g, 0)) for g in groups]})


def cic_ethnicity(
    data,
    date=None,
    *,
    year: int | None = None,
    include_uasc: bool = False,
    mapping: dict | None = None,
    detailed: bool = False,
    combine=None,
    exclude_short_breaks: bool = True,
) -> pd.DataFrame:
    """Children in care on a date (default 31 March of ``year``) by ethnic group.

    Parameters
    ----------
    data : SSDA903
        A loaded return (``episodes``; ``header`` for ETHNIC; ``uasc`` for UASC status).
    date : date-like, optional
        Snapshot date; default 31 March of ``year``.
    year : int, optional
        Reporting year (year ending 31 March), used when ``date`` is not given.
    include_uasc : bool, default False
        UASC are left out by default: they are not part of the resident child population
        that forms the denominator (methods.md §1.4). Their number is in ``attrs``.
    mapping, detailed, combine
        As :func:`ethnic_counts`.
    exclude_short_breaks : bool, default True
        As :func:`iro_analysis.cohorts.in_care_on`.

    Returns
    -------
    DataFrame
        ``ethnic_group, count`` (see :func:`ethnic_counts`); ``attrs``: ``cohort``, ``date``,
        ``uasc_excluded`` (number left out), ``children`` (total before exclusion).

    Raises
    ------
    ParameterError
        If neither ``date`` nor ``year`` is given.
    """
    from . import cohorts

    if date is None:
        if year is None:
            raise ParameterError("give the snapshot date (e.g. '2023-03-31') or year=2023.")
        date = f"{int(year)}-03-31"
    frame = cohorts.in_care_on(data, date, exclude_short_breaks=exclude_short_breaks)
    uasc = frame["uasc"].astype(bool) if "uasc" in frame.columns else pd.Series(False, index=frame.index)
    kept = frame if include_uasc else frame[~uasc.to_numpy()]
    out = ethnic_counts(kept["ETHNIC"], mapping=mapping, detailed=detailed, combine=combine)
    out.attrs.update({
        "cohort": f"children in care on {pd.Timestamp(date):%d %B %Y}"
                  + ("" if include_uasc else ", excluding unaccompanied asylum-seeking children"),
        "date": pd.Timestamp(date),
        "uasc_excluded": 0 if include_uasc else int(uasc.sum()),
        "children": int(len(frame)),
    })
    return out


def _latest_per_child(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (stripped) CHILD: the one from the latest collection year of a stack."""
    table = table.assign(CHILD=table["CHILD"].astype(str).str.strip())
    if "collection_year" in table.columns:
        table = table.sort_values("collection_year")
    return table.drop_duplicates("CHILD", keep="last")


def _uasc_at(data, children: pd.Series, dates: pd.Series) -> np.ndarray:
    """Whether each child was UASC on the given date (UASC table, else header UASC flag)."""
    ua = getattr(data, "uasc", None)
    if ua is not None and len(ua) and "CHILD" in ua.columns:
        ua = _latest_per_child(ua)
        duc = pd.to_datetime(ua.set_index("CHILD")["DUC"], errors="coerce") if "DUC" in ua.columns else \
            pd.Series(pd.NaT, index=ua["CHILD"])
        d = children.map(duc)
        known = children.isin(duc.index).to_numpy()
        return known & (d.isna() | (d > dates.to_numpy())).to_numpy()
    hd = getattr(data, "header", None)
    if hd is not None and "UASC" in hd.columns:
        flag = hd.assign(CHILD=hd["CHILD"].astype(str).str.strip()).drop_duplicates("CHILD", keep="last")
        flag = flag.set_index("CHILD")["UASC"].astype(str).str.strip().isin(["1", "Y", "TRUE"])
        return children.map(flag).fillna(False).to_numpy(dtype=bool)
    return np.zeros(len(children), dtype=bool)


def starters_ethnicity(
    data,
    year: int,
    *,
    include_uasc: bool = False,
    mapping: dict | None = None,
    detailed: bool = False,
    combine=None,
    exclude_short_breaks: bool = True,
) -> pd.DataFrame:
    """Children who started to be looked after in the reporting year, by ethnic group.

    Parameters
    ----------
    data : SSDA903
    year : int
        Reporting year (year ending 31 March).
    include_uasc : bool, default False
        UASC at the start of their period of care are left out by default.
    mapping, detailed, combine
        As :func:`ethnic_counts`.
    exclude_short_breaks : bool, default True
        Leave out periods made only of short breaks (LS V3/V4).

    Returns
    -------
    DataFrame
        ``ethnic_group, count``: children (not periods) with a period of care starting in the
        year; ``attrs``: ``cohort``, ``uasc_excluded``, ``children``.
    """
    from . import cohorts
    from .calendar import year_bounds

    start, end = year_bounds(year)
    periods = cohorts.periods_of_care(data)
    if exclude_short_breaks and "short_breaks_only" in periods.columns:
        periods = periods[~periods["short_breaks_only"].astype(bool)]
    started = periods[(periods["period_start"] >= start) & (periods["period_start"] <= end)]
    started = started.sort_values(["CHILD", "period_start"]).drop_duplicates("CHILD", keep="first")
    children = started["CHILD"].astype(str).str.strip().reset_index(drop=True)
    uasc = _uasc_at(data, children, started["period_start"].reset_index(drop=True))
    hd = getattr(data, "header", None)
    if hd is None or "ETHNIC" not in hd.columns:
        ethnic = pd.Series([None] * len(children), dtype=object)
    else:
        h = _latest_per_child(hd).set_index("CHILD")["ETHNIC"]
        ethnic = children.map(h)
    kept = ethnic if include_uasc else ethnic[~uasc]
    out = ethnic_counts(kept, mapping=mapping, detailed=detailed, combine=combine)
    from .calendar import year_label

    out.attrs.update({
        "cohort": f"children starting care in {year_label(year)}"
                  + ("" if include_uasc else ", excluding unaccompanied asylum-seeking children"),
        "uasc_excluded": 0 if include_uasc else int(uasc.sum()),
        "children": int(len(children)),
    })
    return out


# ------------------------------------------------------------------------------------------
# Benchmarking the mix


def ethnicity_mix_benchmark(
    la,
    *,
    years=None,
    characteristics: pd.DataFrame | None = None,
    neighbours: pd.DataFrame | None = None,
    model: str = "2021",
    release: int | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The authority's children-in-care ethnic mix against its statistical neighbours, region and England.

    Parameters
    ----------
    la : str
        Authority code or name.
    years : iterable of int, optional
        Years (31 March) to keep; default every year in the published table.
    characteristics : DataFrame, optional
        :func:`iro_analysis.reference.cla_characteristics` output; read from the reference
        folder when not given.
    neighbours : DataFrame, optional
        :func:`iro_analysis.reference.statistical_neighbours` output; read when not given.
    model : str, default "2021"
        Statistical-neighbour model.
    release : int, optional
        DfE release of the characteristics table.
    confidence : float, default 0.95
        Level of the Wilson interval for the authority's share.

    Returns
    -------
    DataFrame
        One row per year × group (White, Mixed, Asian, Black, Other, Refused or not
        obtained): ``year, ethnic_group, la_code, la_name, la_count, la_total, la_share,
        la_share_ci_low, la_share_ci_high, sn_mean_share, sn_n, region_share, england_share,
        ratio_to_england``. Shares (0–1) are of all children in care on 31 March, as DfE
        publishes them; NaN where the count is suppressed. The SN mean is the simple mean of
        the neighbours' shares, neighbours with a suppressed count left out (LAIT rule), and
        ``sn_n`` says how many were used. ``ratio_to_england`` = ``la_share / england_share``.

    Raises
    ------
    ParameterError
        If the authority has no published ethnicity rows.

    Notes
    -----
    DfE counts include UASC (the published tables do not split ethnicity by UASC at LA
    level), so this benchmarks the whole children-in-care population, not the cohort
    excluding UASC used for disproportionality. DfE rounds national and regional counts to
    the nearest 10. Source: DfE, Children looked after in England including adoptions
    (Open Government Licence v3.0).
    """
    from . import reference as _ref

    authority = _ref.resolve_authority(la)
    if characteristics is None:
        characteristics = _ref.cla_characteristics(release=release)
    if neighbours is None:
        neighbours = _ref.statistical_neighbours(model=model)
    eth = characteristics[characteristics["cla_group"] == "Ethnic group"].copy()
    if years is not None:
        eth = eth[eth["year"].isin([int(y) for y in years])]
    inverse = {v: k for k, v in _codes.DFE_ETHNIC_GROUP_LABELS.items()}
    eth["ethnic_group"] = eth["characteristic"].map(lambda s: inverse.get(s, s))
    groups = list(_MAIN_ORDER)

    def counts(block: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
        """(year x group counts, year totals) for one geography; NaN where suppressed."""
        g = block.groupby(["year", "ethnic_group"])["count"].sum(min_count=1)
        wide = g.unstack("ethnic_group") if len(g) else pd.DataFrame()
        total = wide["Total"] if "Total" in wide.columns else pd.Series(np.nan, index=wide.index)
        return wide.reindex(columns=groups), total

    def shares(block: pd.DataFrame) -> pd.DataFrame:
        wide, total = counts(block)
        return wide.div(total.where(total > 0), axis=0)

    la_rows = eth[(eth["geographic_level"] == "Local authority") & (eth["la_code"] == authority.la_code)]
    if la_rows.empty:
        raise ParameterError(
            f"no published children-in-care ethnicity rows for {authority.la_name} ({authority.la_code})."
        )
    la_counts, la_total = counts(la_rows)
    sn_codes = neighbours.loc[neighbours["la_code"].astype(str) == authority.la_code, "neighbour_la_code"].astype(str)
    sn_rows = eth[(eth["geographic_level"] == "Local authority") & eth["la_code"].isin(set(sn_codes))]
    sn_shares = [shares(b) for _, b in sn_rows.groupby("la_code")]
    reg_rows = eth[(eth["geographic_level"] == "Regional") & (eth["region_code"] == authority.region_code)]
    reg_share = shares(reg_rows) if len(reg_rows) else pd.DataFrame(columns=groups, dtype=float)
    eng_share = shares(eth[eth["geographic_level"] == "National"])

    def at(frame: pd.DataFrame, year, g):
        return float(frame.at[year, g]) if year in frame.index and g in frame.columns else np.nan

    rows = []
    for year in sorted(la_counts.index):
        n = float(la_total.get(year, np.nan))
        for g in groups:
            x = at(la_counts, year, g)
            ok = np.isfinite(x) and np.isfinite(n) and n > 0
            lo, hi = _iv.wilson_interval(x, n, confidence=confidence) if ok else (np.nan, np.nan)
            share = x / n if ok else np.nan
            sn_values = [at(f, year, g) for f in sn_shares]
            sn_values = [v for v in sn_values if np.isfinite(v)]
            eng = at(eng_share, year, g)
            rows.append({
                "year": int(year), "ethnic_group": g, "la_code": authority.la_code, "la_name": authority.la_name,
                "la_count": x, "la_total": n, "la_share": share, "la_share_ci_low": lo, "la_share_ci_high": hi,
                "sn_mean_share": float(np.mean(sn_values)) if sn_values else np.nan, "sn_n": len(sn_values),
                "region_share": at(reg_share, year, g), "england_share": eng,
                "ratio_to_england": share / eng if np.isfinite(share) and np.isfinite(eng) and eng > 0 else np.nan,
            })
    out = pd.DataFrame(rows)
    out.attrs.update({"model": model, "neighbours": sorted(set(sn_codes)),
                      "note": "DfE counts include UASC; shares are of all children in care on 31 March."})
    return out


# ------------------------------------------------------------------------------------------
# Shareable output


def shareable_table(table: pd.DataFrame, *, threshold: int = 5, digits: int = 2) -> pd.DataFrame:
    """The disproportionality table ready to publish: small counts suppressed, measures rounded.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`disproportionality`.
    threshold : int, default 5
        Counts 1 to ``threshold - 1`` are shown as ``c`` (with secondary suppression), and
        every share, rate and ratio computed from them is suppressed too.
    digits : int, default 2
        Decimal places for ratios; shares are shown as percentages to 1 d.p., rates to 1 d.p.

    Returns
    -------
    DataFrame
        Columns ``ethnic_group, cic, cic_percent, population_percent, rate_per_10k,
        representation_ratio, rr_interval, rri, rri_interval, denominator`` as text.

    Notes
    -----
    Uses :func:`iro_analysis.disclosure.suppress_small_counts` (DfE convention: counts of
    1–4 shown as ``c``; no rate or ratio from a suppressed count).
    """
    from .disclosure import suppress_small_counts

    t = table[table["included"]].copy()

    def interval(lo, hi):
        return [f"{a:.{digits}f} to {b:.{digits}f}" if pd.notna(a) and pd.notna(b) and np.isfinite(b)
                else (f"{a:.{digits}f} or more" if pd.notna(a) else "") for a, b in zip(lo, hi)]

    out = pd.DataFrame({
        "ethnic_group": t["ethnic_group"].to_numpy(),
        "cic": t["cic"].astype(int).to_numpy(),
        "cic_percent": (100 * t["cic_share"]).round(1).to_numpy(),
        "population_percent": (100 * t["population_share"]).round(2).to_numpy(),
        "rate_per_10k": t["rate_per_10k"].round(1).to_numpy(),
        "representation_ratio": t["representation_ratio"].round(digits).to_numpy(),
        "rr_interval": interval(t["rr_ci_low"], t["rr_ci_high"]),
        "rri": t["rri"].round(digits).to_numpy(),
        "rri_interval": interval(t["rri_ci_low"], t["rri_ci_high"]),
        "denominator": t["denominator"].to_numpy(),
    })
    dependent = {c: "cic" for c in ("cic_percent", "rate_per_10k", "representation_ratio", "rr_interval",
                                    "rri", "rri_interval")}
    return suppress_small_counts(out, ["cic"], threshold=threshold, dependent=dependent)


def shareable_comparison(comparison: pd.DataFrame, *, threshold: int = 5, digits: int = 2) -> pd.DataFrame:
    """Representation ratios under each denominator side by side, ready to publish.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_denominators`.
    threshold : int, default 5
        Groups with 1 to ``threshold - 1`` children show ``c`` (no ratio from a suppressed count).
    digits : int, default 2

    Returns
    -------
    DataFrame
        ``ethnic_group``, then one text column per denominator label: "ratio (low to high)".

    Examples
    --------
    >>> pops = pd.DataFrame({"source": ["a", "a", "b", "b"], "denominator": ["A", "A", "B", "B"],
    ...                      "ethnic_group": ["White", "Black"] * 2, "count": [900, 100, 800, 200]})
    >>> shareable_comparison(compare_denominators({"White": 50, "Black": 3}, pops))["A"].tolist()
    ['1.05 (0.94 to 1.09)', 'c']
    """
    t = comparison.copy()
    small = (t["cic"] > 0) & (t["cic"] < threshold)

    def text(r):
        if not np.isfinite(r["representation_ratio"]):
            return "no ratio (denominator impossible)" if r.get("impossible_denominator", False) else ""
        return (f"{r['representation_ratio']:.{digits}f} ({r['rr_ci_low']:.{digits}f} to "
                f"{r['rr_ci_high']:.{digits}f})")

    t["value"] = [("c" if s else text(r)) for s, (_, r) in zip(small, t.iterrows())]
    order = list(dict.fromkeys(t["ethnic_group"]))
    wide = t.pivot(index="ethnic_group", columns="denominator", values="value").reindex(order)
    wide = wide[list(dict.fromkeys(t["denominator"]))]
    wide.columns.name = None
    return wide.reset_index()
