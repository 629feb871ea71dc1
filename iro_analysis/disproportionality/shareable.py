"""The disproportionality tables ready to publish: small counts suppressed, measures rounded."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["shareable_table", "shareable_comparison"]


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
    from ..disclosure import suppress_small_counts

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
    >>> from iro_analysis.disproportionality import compare_denominators
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
