"""Reconciling recomputed review timeliness with the figures an authority published.

:func:`reconcile_timeliness` recomputes the three metrics under every variant of the rules (first
review in 20 working days or 28 days, later intervals in calendar months or 91/183 days, ``<=`` or
``<``) and counts step by step from the review records to the metric denominators;
:func:`published_consistency` checks that a published percentage agrees with the published counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from ..calendar import parse_year, year_bounds, year_label
from ..errors import ParameterError
from .inputs import _reviews_frame
from .metrics import timeliness_summary
from .once import schedules_once
from .rules import _COMPARISONS, _FIRST_RULES, _INTERVAL_RULES
from .schedule import _metric_schedule, review_schedule


def _decimals(value, decimals=None) -> tuple[float, int]:
    """A published percentage as a number and the decimals it was published with."""
    text = str(value).strip().rstrip("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ParameterError(f"reported_percent={value!r} is not a percentage such as 95.4 or '94%'.") from None
    if decimals is None:
        decimals = max(0, -number.as_tuple().exponent)
    return float(number), int(decimals)


def _within_rounding(percent, reported: float, decimals: int) -> np.ndarray:
    """True where ``percent`` rounds to ``reported`` at ``decimals`` (half up or half even)."""
    half = 0.5 * 10.0 ** (-decimals)
    percent = np.asarray(percent, dtype=float)
    return np.abs(percent - reported) <= half + 1e-9


def published_consistency(reported_percent=None, reported_held=None, reported_on_time=None, *, percent_decimals=None):
    """Check that a published percentage agrees with the published counts.

    Parameters
    ----------
    reported_percent : float or str, optional
        The percentage in the report ("95.4" or "94%"); its decimals set the rounding
        tolerance unless ``percent_decimals`` is given.
    reported_held : int, optional
        Number of reviews the report says were held (the denominator).
    reported_on_time : int, optional
        Number it says were on time (the numerator).
    percent_decimals : int, optional
        Decimals the percentage was published with.

    Returns
    -------
    DataFrame
        Columns ``check, value, consistent, detail``: the percentage implied by the counts at
        full precision and at the published rounding, whether it matches the published
        percentage, and which numerators (for the published denominator) would give it.

    Examples
    --------
    Wokingham's 2022-23 IRO report: 95.4% in the text, 410 of 435 (94%) in Table M.
    410 / 435 = 0.942529 -> 94.25%, which rounds to 94% (consistent with the table) and to
    94.3% at one decimal, not 95.4%; 95.4% of 435 reviews would need 415 on time
    (415 / 435 = 95.40%).

    >>> t = published_consistency(95.4, 435, 410)
    >>> t.set_index("check").loc["percent_from_counts", "value"]
    94.25287356321839
    >>> bool(t.set_index("check").loc["reported_percent_matches_counts", "consistent"])
    False
    >>> t.set_index("check").loc["numerators_matching_reported_percent", "value"]
    '415'
    >>> bool(published_consistency("94%", 435, 410).set_index("check").loc[
    ...     "reported_percent_matches_counts", "consistent"])
    True
    """
    rows = []
    if reported_held is not None and reported_on_time is not None:
        held, on_time = int(reported_held), int(reported_on_time)
        if held <= 0 or on_time < 0 or on_time > held:
            raise ParameterError(
                f"reported_on_time={reported_on_time} and reported_held={reported_held} are not a valid count "
                "pair: need 0 <= on time <= held and held > 0."
            )
        exact = 100 * on_time / held
        rows.append(
            {
                "check": "percent_from_counts",
                "value": exact,
                "consistent": pd.NA,
                "detail": f"{on_time} / {held} = {on_time / held:.6f} -> {exact:.4f}%",
            }
        )
        if reported_percent is not None:
            rows += _percent_against_counts(on_time, held, *_decimals(reported_percent, percent_decimals))
    elif reported_percent is not None:
        pct, dec = _decimals(reported_percent, percent_decimals)
        rows.append(
            {
                "check": "reported_percent",
                "value": pct,
                "consistent": pd.NA,
                "detail": f"published {pct:.{dec}f}% (no counts given to check it against).",
            }
        )
    out = pd.DataFrame(rows, columns=["check", "value", "consistent", "detail"])
    out["value"] = out["value"].astype(object)
    return out


def _percent_against_counts(on_time: int, held: int, pct: float, dec: int) -> list[dict]:
    """The two checks of a published percentage against published counts (:func:`published_consistency`).

    Returns
    -------
    list of dict
        ``reported_percent_matches_counts`` (the counts' percentage at the published rounding)
        and ``numerators_matching_reported_percent`` (every on-time count out of ``held`` that
        rounds to the published percentage ``pct`` at ``dec`` decimals).
    """
    exact = 100 * on_time / held
    ok = bool(_within_rounding(exact, pct, dec))
    rounded = round(exact, dec)
    candidates = np.arange(held + 1)
    match = candidates[_within_rounding(100 * candidates / held, pct, dec)]
    return [
        {
            "check": "reported_percent_matches_counts",
            "value": rounded,
            "consistent": ok,
            "detail": (
                f"{exact:.4f}% rounds to {rounded:.{dec}f}% at {dec} decimal place(s); "
                f"published {pct:.{dec}f}%: " + ("consistent." if ok else "NOT consistent.")
            ),
        },
        {
            "check": "numerators_matching_reported_percent",
            "value": ", ".join(str(int(x)) for x in match) if len(match) else "none",
            "consistent": bool(on_time in set(match.tolist())),
            "detail": (
                f"on-time counts out of {held} that round to {pct:.{dec}f}%: "
                + (", ".join(f"{int(x)} ({100 * x / held:.2f}%)" for x in match) if len(match) else "none")
            ),
        },
    ]


@dataclass
class TimelinessReconciliation:
    """Result of :func:`reconcile_timeliness`.

    Attributes
    ----------
    variants : DataFrame
        One row per schedule variant and metric (see :func:`reconcile_timeliness`).
    counts : DataFrame
        Step-by-step count from review records to the metric denominators.
    published : DataFrame
        Internal consistency of the published figures (:func:`published_consistency`).
    year : str
        Reporting-year label.
    """

    variants: pd.DataFrame
    counts: pd.DataFrame
    published: pd.DataFrame
    year: str = ""
    reported: dict = field(default_factory=dict)

    def matching(self) -> pd.DataFrame:
        """The variants that reproduce every published figure given."""
        return self.variants.loc[self.variants["matches_all"].fillna(False).astype(bool)]

    def summary(self) -> str:
        """One paragraph in plain English."""
        stat = self.variants.loc[self.variants["statutory"] & (self.variants["metric"] == "reviews_held")]
        parts = []
        if len(stat):
            r = stat.iloc[0]
            parts.append(
                f"Recomputed from the return with the statutory rules, {int(r['numerator'])} of "
                f"{int(r['denominator'])} reviews held in {self.year} were on time ({r['percent']:.1f}%)."
            )
        if self.reported:
            match = self.matching()
            if len(match):
                first = match.iloc[0]
                parts.append(
                    f"{len(match)} variant(s) reproduce the published figures, for example "
                    f"{first['metric']} with first review {first['first_review']}, later intervals "
                    f"{first['later_intervals']} and '{first['comparison']}'."
                )
            else:
                parts.append("No variant reproduces the published figures.")
        published = self.published
        inconsistent = published.loc[
            published["check"].eq("reported_percent_matches_counts")
            & published["consistent"].eq(False).fillna(False).astype(bool)
        ]
        for _, row in inconsistent.iterrows():
            parts.append(f"Published figures disagree with each other: {row['detail']}")
        return " ".join(parts)


def reconcile_timeliness(
    data,
    year,
    *,
    reported_percent=None,
    reported_held=None,
    reported_on_time=None,
    percent_decimals=None,
    include_adoption_schedule: bool = True,
    periods: pd.DataFrame | None = None,
) -> TimelinessReconciliation:
    """Recompute timeliness under every variant and account for the published figures.

    Parameters
    ----------
    data : SSDA903
        Return(s) covering ``year`` (and ideally the year before).
    year : int or str
        Reporting year ending 31 March.
    reported_percent : float or str, optional
        Published percentage on time (e.g. ``95.4`` or ``"94%"``); matched within its rounding.
    reported_held : int, optional
        Published number of reviews (denominator).
    reported_on_time : int, optional
        Published number of reviews on time (numerator).
    percent_decimals : int, optional
        Decimals of the published percentage, when ``reported_percent`` does not show them.
    include_adoption_schedule : bool, default True
        Passed to :func:`review_schedule`.
    periods : DataFrame, optional
        Precomputed :func:`iro_analysis.cohorts.periods_of_care`.

    Returns
    -------
    TimelinessReconciliation
        ``variants``: columns ``first_review, later_intervals, comparison, metric, numerator,
        denominator, percent, ci_low, ci_high, statutory, matches_percent, matches_held,
        matches_on_time, matches_all`` (match columns NA when that figure was not given);
        eight variants (first review 20 working days or 28 days x calendar months or 91/183
        days x ``<=`` or ``<``) times the three metrics.
        ``counts``: columns ``step, count, kind, description``, from the review records in the
        year to the metric denominators (duplicates, reviews outside a period of care, short
        breaks, not judged, held in the year but due before it or after it, missed reviews).
        ``published``: :func:`published_consistency` of the published figures.

    Notes
    -----
    A variant "matches" a published percentage when its percentage rounds to it at the
    published number of decimals (either rounding convention); counts must be equal.

    Examples
    --------
    >>> from iro_analysis.ssda903 import SSDA903
    >>> eps = pd.DataFrame({"CHILD": ["A"], "DECOM": pd.to_datetime(["2022-05-27"]), "RNE": ["S"],
    ...                     "LS": ["C2"], "PLACE": ["U4"], "DEC": [pd.NaT], "REC": [None]})
    >>> revs = pd.DataFrame({"CHILD": ["A"], "DOB": pd.to_datetime(["2015-01-01"]),
    ...                      "REVIEW": pd.to_datetime(["2022-06-24"]), "REVIEW_CODE": ["PN1"]})
    >>> rec = reconcile_timeliness(SSDA903(episodes=eps, reviews=revs), 2023, reported_percent=100)
    >>> rec.variants.loc[rec.variants["matches_percent"], ["metric", "first_review", "comparison"]].value_counts().tolist()
    [2, 2, 2]

    (the review on 24 June is on time under 20 working days (due 28 June) with either comparison and
    under 28 days (due 24 June) only with ``<=``; two interval rules each.)
    """
    year = parse_year(year)
    with schedules_once():  # the eight variants share the return's arrays (and periods, when not given)
        variants, statutory = _variant_metrics(data, year, include_adoption_schedule, periods)
    reported = _match_reported(variants, reported_percent, reported_held, reported_on_time, percent_decimals)
    counts = _count_steps(data, statutory, year, reported)
    published = published_consistency(
        reported_percent, reported_held, reported_on_time, percent_decimals=percent_decimals
    )
    return TimelinessReconciliation(variants, counts, published, year_label(year), reported)


def _variant_metrics(data, year: int, include_adoption_schedule: bool, periods: pd.DataFrame):
    """The three metrics under each of the eight variants of the rules (:func:`reconcile_timeliness`).

    Returns
    -------
    variants : DataFrame
        Columns ``first_review, later_intervals, comparison, metric, numerator, denominator,
        percent, ci_low, ci_high, statutory``; 24 rows.
    statutory : DataFrame
        The schedule under the statutory rules (20 working days, calendar months, ``<=``).
    """
    rows = []
    schedules = {}
    for first in _FIRST_RULES:
        for interval in _INTERVAL_RULES:
            for comp in _COMPARISONS:
                # the statutory variant's whole schedule feeds the counts; the others, their metrics
                statutory = (first, interval, comp) == _FIRST_RULES[:1] + _INTERVAL_RULES[:1] + _COMPARISONS[:1]
                sched = (review_schedule if statutory else _metric_schedule)(
                    data,
                    year,
                    first_review=first,
                    later_intervals=interval,
                    comparison=comp,
                    include_adoption_schedule=include_adoption_schedule,
                    periods=periods,
                )
                schedules[(first, interval, comp)] = sched
                summ = timeliness_summary(sched, year)
                for _, r in summ.iterrows():
                    rows.append(
                        {
                            "first_review": first,
                            "later_intervals": interval,
                            "comparison": comp,
                            "metric": r["metric"],
                            "numerator": int(r["numerator"]),
                            "denominator": int(r["denominator"]),
                            "percent": r["percent"],
                            "ci_low": r["ci_low"],
                            "ci_high": r["ci_high"],
                            "statutory": statutory,
                        }
                    )
    return pd.DataFrame(rows), schedules[("20_working_days", "calendar_months", "<=")]


def _match_reported(variants: pd.DataFrame, reported_percent, reported_held, reported_on_time,
                    percent_decimals) -> dict:
    """Add the ``matches_*`` columns to ``variants`` (in place); return the published figures given.

    A variant matches a published percentage when its percentage rounds to it at the published
    decimals, and a published count when equal to it; ``matches_all`` needs every figure given
    (NA columns where a figure was not given).
    """
    reported = {}
    if reported_percent is not None:
        pct, dec = _decimals(reported_percent, percent_decimals)
        reported["percent"] = pct
        variants["matches_percent"] = pd.array(_within_rounding(variants["percent"], pct, dec), dtype="boolean")
    else:
        variants["matches_percent"] = pd.array([pd.NA] * len(variants), dtype="boolean")
    if reported_held is not None:
        reported["held"] = int(reported_held)
        variants["matches_held"] = pd.array(variants["denominator"].eq(int(reported_held)), dtype="boolean")
    else:
        variants["matches_held"] = pd.array([pd.NA] * len(variants), dtype="boolean")
    if reported_on_time is not None:
        reported["on_time"] = int(reported_on_time)
        variants["matches_on_time"] = pd.array(variants["numerator"].eq(int(reported_on_time)), dtype="boolean")
    else:
        variants["matches_on_time"] = pd.array([pd.NA] * len(variants), dtype="boolean")
    given = [c for c, k in (("matches_percent", "percent"), ("matches_held", "held"), ("matches_on_time", "on_time")) if k in reported]
    if given:
        variants["matches_all"] = pd.array(variants[given].fillna(False).all(axis=1), dtype="boolean")
    else:
        variants["matches_all"] = pd.array([pd.NA] * len(variants), dtype="boolean")
    return reported


def _count_steps(data, sched: pd.DataFrame, year: int, reported: dict) -> pd.DataFrame:
    """Step-by-step count from the review records in the year to the metric denominators.

    Returns
    -------
    DataFrame
        Columns ``step, count, kind, description`` (``kind``: total, info, minus, equals, plus,
        published, difference), from the statutory schedule ``sched``.
    """
    ys, ye = year_bounds(year)
    raw = _reviews_frame(data)
    in_year_raw = raw["review_date"].between(ys, ye)
    if raw["collection_year"].notna().any():
        this_return = raw["collection_year"].eq(year).fillna(False)
    else:
        this_return = pd.Series(True, index=raw.index)
    undated = int((raw["review_date"].isna() & this_return).sum())
    records = int(in_year_raw.sum())
    kept = raw.loc[in_year_raw]
    if kept["collection_year"].notna().any():
        latest = kept.groupby(["CHILD", "review_date"], sort=False)["collection_year"].transform("max")
        cross = int(kept["collection_year"].lt(latest).fillna(False).sum())
    else:
        cross = 0
    s = sched
    held = s["held_in_year"].to_numpy(dtype=bool)
    st = s["status"].astype(object).to_numpy()
    reason = s["exclusion_reason"].astype(object).to_numpy()
    due_in = s["due_in_year"].to_numpy(dtype=bool)
    due = s["due_date"].to_numpy(dtype="datetime64[ns]")
    judged = held & np.isin(st, ["on_time", "late"])

    def n(mask):
        return int(np.sum(mask))

    rows = [
        ("review records dated in the year", records, "total",
         "Rows of the Reviews table(s) whose REVIEW date falls in the reporting year."),
        ("records with a blank or invalid date", undated, "info",
         "Rows of this year's Reviews table without a usable date (DfE rule 166); not in any count."),
        ("listed by more than one return", cross, "minus",
         "The same child and date in two collection years' returns: counted once."),
        ("duplicate reviews on one day", n(held & (reason == "duplicate_same_day")), "minus",
         "A second (or later) record of the same child on the same day."),
        ("outside any period of care", n(held & (reason == "outside_period_of_care")), "minus",
         "Dated before the child's period of care began or after it ended."),
        ("short breaks only", n(held & (reason == "short_breaks_only")), "minus",
         "Reviews in periods made only of short breaks (LS V3/V4), which expect no reviews (DfE rule 399)."),
        ("not judged (previous review before the loaded returns)", n(held & (st == "not_judged")), "minus",
         "The previous review is in a return that was not loaded; load the earlier year to judge these."),
        ("reviews held in the year and judged", n(judged), "equals",
         "The reviews the percentage of reviews held on time is out of."),
        ("of which on time", n(judged & (st == "on_time")), "info", "Held on or before the due date."),
        ("of which late", n(judged & (st == "late")), "info", "Held after the due date."),
        ("held in the year but due before it began", n(judged & (due < np.datetime64(ys, "ns"))), "info",
         "Late reviews carried over from the previous year: counted among reviews held, not among due dates."),
        ("held in the year but due after it ended", n(judged & (due > np.datetime64(ye, "ns"))), "info",
         "Reviews held early, before a due date in the next year: counted among reviews held, not among due dates."),
        ("missed reviews due in the year", n(due_in & (st == "missed")), "plus",
         "Due dates in the year with no review held by then (or by the end of the year)."),
        ("review due dates in the year", n(due_in & np.isin(st, ["on_time", "late", "missed"])), "equals",
         "The due dates the percentage of due dates met is out of."),
    ]
    if "held" in reported:
        rows.append(("published number of reviews", reported["held"], "published",
                     "The number of reviews in the published report."))
        rows.append(("published minus recomputed reviews held", reported["held"] - n(judged), "difference",
                     "Positive: the report counted more reviews than the return supports as judged reviews."))
    return pd.DataFrame(rows, columns=["step", "count", "kind", "description"])
