"""The disproportionality table: rates, representation ratios and relative rate indices by group.

Methods and defaults: ``docs/domain/methods.md`` §0–§2 (see :mod:`iro_analysis.disproportionality`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .denominators import _Known, _known_groups
from .groups import _is_excluded, _order
from .inference import _reference_measures, _share_and_ratio, _share_measures

__all__ = ["DISPROPORTIONALITY_COLUMNS", "disproportionality", "compare_denominators", "ratios_by_denominator"]


#: Columns of :func:`disproportionality`, in order.
DISPROPORTIONALITY_COLUMNS = [
    "ethnic_group", "included", "cic", "population", "cic_share", "cic_share_ci_low",
    "cic_share_ci_high", "population_share", "rate_population", "rate_per_10k", "rate_ci_low",
    "rate_ci_high", "representation_ratio", "rr_ci_low", "rr_ci_high", "p_value",
    "rri_reference", "rri", "rri_ci_low", "rri_ci_high", "rri_p_value", "rate_difference_per_10k",
    "rd_ci_low", "rd_ci_high", "excess_cic", "impossible_denominator", "low_reliability",
    "flags", "denominator",
]


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


# 151 lines, 95 of them the docstring (parameters, method, worked examples): 42 lines of code.
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
    c, p, label, known = _known_groups(cic, population, denominator, population_total)
    ref = _resolve_reference(reference, known.groups)
    shares = _share_measures(known, share_method=share_method, rate_method=rate_method, confidence=confidence)
    ref_x, ref_n, ref_names, ref_ok = _reference_counts(known, ref)
    compared = _reference_measures(known, shares["rate_per_10k"], ref_x, ref_n, ref_ok, rri_method=rri_method,
                                   rd_method=rd_method, confidence=confidence)
    low_rel = (known.x < low_reliability_below) & known.valid
    columns = {
        "ethnic_group": known.groups, "included": True, "cic": known.x, "population": known.pop,
        "population_share": known.pi, "rate_population": known.n_rate, **shares, "rri_reference": ref_names,
        **compared, "impossible_denominator": known.impossible, "low_reliability": low_rel,
        "flags": _flags(known, ref_names, ref_ok, low_rel, low_reliability_below), "denominator": label,
    }
    out = pd.DataFrame({col: columns[col] for col in DISPROPORTIONALITY_COLUMNS})
    out, unknown_c, unknown_p = _with_unknown_rows(out, c, p, label)
    out = out[DISPROPORTIONALITY_COLUMNS]
    out["impossible_denominator"] = out["impossible_denominator"].astype(bool)
    out["low_reliability"] = out["low_reliability"].astype(bool)
    out["included"] = out["included"].astype(bool)
    cic_unknown = float(unknown_c.sum())
    X, P = known.X, known.pop.sum()  # noqa: N806 - the methods' notation
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
            "population_total": known.population_total,
            "cic_total": float(X),
            "population_known_total": float(P),
            "cic_unknown": cic_unknown,
            "cic_unknown_percent": 100.0 * cic_unknown / (X + cic_unknown) if X + cic_unknown > 0 else np.nan,
            "population_unknown": float(unknown_p.sum()),
        }
    )
    return out


def _reference_counts(known: _Known, ref: str):
    """Phase 4 of :func:`disproportionality`: whom each group is compared with.

    Parameters
    ----------
    known : _Known
    ref : str
        A group's name, or ``"all_other"`` (each group against all other children).

    Returns
    -------
    ref_x, ref_n : ndarray
        The reference's children and rate population, for each group. The reference group
        itself is compared with all other children.
    ref_names : ndarray of str
        The reference, as shown in ``rri_reference``.
    ref_ok : ndarray of bool
        Whether the comparison can be made: the group has a rate, and so does its reference (a
        group compared with all other children needs every other group's denominator sound).
    """
    x, n_rate, impossible, valid, groups = known.x, known.n_rate, known.impossible, known.valid, known.groups
    k = len(groups)
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
    return ref_x, ref_n, ref_names, ref_ok


def _flags(known: _Known, ref_names, ref_ok, low_rel, low_reliability_below: int) -> list[str]:
    """Phase 6 of :func:`disproportionality`: the ``flags`` text of each known group."""
    flags = []
    for i in range(len(known.groups)):
        f = []
        if known.impossible[i]:
            f.append("impossible_denominator: more children in the cohort than in the population estimate; "
                     "check the denominator (e.g. use the school census)")
        elif known.pop[i] == 0:
            f.append("no population in this group")
        if low_rel[i]:
            f.append(f"low_reliability: fewer than {low_reliability_below} children")
        if ref_names[i] != "all other children" and not ref_ok[i] and known.valid[i]:
            f.append("reference group has an impossible denominator")
        flags.append("; ".join(f))
    return flags


def _with_unknown_rows(out: pd.DataFrame, c: pd.Series, p: pd.Series, label: str):
    """Phase 7 of :func:`disproportionality`: the not-known groups after the others, counts only.

    Returns
    -------
    out : DataFrame
        ``out`` with a row per not-known group of the cohort or the population.
    unknown_c, unknown_p : Series
        The not-known counts, for the table's ``attrs``.
    """
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
    return out, unknown_c, unknown_p


def _denominator_blocks(populations: pd.DataFrame):
    """Each denominator's rows of stacked populations: ``(source, label, rows)``, checked."""
    if not isinstance(populations, pd.DataFrame) or not {"ethnic_group", "count"} <= set(populations.columns):
        raise ParameterError("populations must be a DataFrame with ethnic_group, count and source/denominator columns.")
    key = "source" if "source" in populations.columns else "denominator"
    if key not in populations.columns:
        raise ParameterError("populations needs a source or denominator column to tell the denominators apart.")
    for src, block in populations.groupby(key, sort=False):
        yield src, str(block["denominator"].iloc[0]) if "denominator" in block.columns else str(src), block


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
    frames = []
    for src, lbl, block in _denominator_blocks(populations):
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


def ratios_by_denominator(cic, populations: pd.DataFrame, *, reference: str = "White") -> pd.DataFrame:
    """The representation ratio of each group under each denominator, and nothing else.

    The ``source, denominator, ethnic_group, representation_ratio`` columns of
    :func:`compare_denominators` with its default options (the same rows, values and checks of
    the counts), without the intervals, tests and relative rate indices that a reader of the
    ratios alone does not need (they are most of its cost).

    Parameters
    ----------
    cic : Series, dict or DataFrame
        Counts by group.
    populations : DataFrame
        As :func:`compare_denominators`.
    reference : str, default "White"
        Checked as :func:`disproportionality` checks it (it does not change a ratio).

    Returns
    -------
    DataFrame
        Long: one row per denominator × known group.

    Examples
    --------
    >>> pops = pd.DataFrame({"source": ["a", "a", "b", "b"], "denominator": ["A", "A", "B", "B"],
    ...                      "ethnic_group": ["White", "Black"] * 2, "count": [900, 100, 800, 200]})
    >>> ratios_by_denominator({"White": 50, "Black": 50}, pops)["representation_ratio"].round(3).tolist()
    [0.556, 5.0, 0.625, 2.5]
    """
    frames = []
    for src, lbl, block in _denominator_blocks(populations):
        _, _, label, known = _known_groups(cic, block[["ethnic_group", "count"]], lbl, None)
        _resolve_reference(reference, known.groups)
        ratio = _share_and_ratio(known)[1]
        frames.append(pd.DataFrame({"source": src, "denominator": label, "ethnic_group": known.groups,
                                    "representation_ratio": ratio}))
    return pd.concat(frames, ignore_index=True)
