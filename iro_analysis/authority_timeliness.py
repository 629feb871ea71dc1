"""The review-timeliness section of the authority report: tables M, M2 and M3, the review
count change, participation (N), the review record checks and the timeliness charts.

Every table is registered with the report's :class:`~iro_analysis.publication.Publication`,
linked to the counts it shares with other tables (the disclosure audit treats the same count in
two tables as one cell), and drawn from the published, suppressed values.
"""

from __future__ import annotations

from .authority_report import _COMPONENT_LABELS, HEADLINE, METRIC_LABELS, PROFILE, AuthorityReport, _readable_checks

__all__ = ["timeliness_section"]


def timeliness_section(report: AuthorityReport, data, published: dict) -> None:
    """Register the timeliness tables and charts (nothing when the return has no reviews table).

    Parameters
    ----------
    report : AuthorityReport
        The report being built; its facts record whether the section is shown.
    data : SSDA903
        The return.
    published : dict
        Published timeliness figures to reconcile with (``timeliness.reconcile_timeliness``).
    """
    from . import timeliness
    from .authority_sections import participation_table, timeliness_change

    if getattr(data, "reviews", None) is None:
        report.facts["timeliness"] = False
        return
    report.facts["timeliness"] = True
    # about twelve schedules of this return follow (this year's, last year's, the reconciliation's
    # variants, the count change's two years): each is built once
    with timeliness.schedules_once():
        schedule = timeliness.review_schedule(data, report.params.year)
        frame, code, named = _timeliness_table(report, schedule)
        if report.facts.get("previous_year"):
            timeliness_change(report, data, frame, code, named)
        _reconciliation_table(report, data, published)
        if timeliness.has_previous_year(data, report.params.year):
            _review_count_change_table(report, data)
    participation_table(report, data, cost=PROFILE)
    _review_checks(report, data, schedule)
    _timeliness_charts(report, schedule, code)


def _timeliness_table(report: AuthorityReport, schedule):
    """M: reviews, due dates and children on time, with the late counts linked but not shown.

    Returns
    -------
    frame : DataFrame
        Table M as registered.
    code : dict
        Plain-English measure -> the metric's code.
    named : dict
        (metric, column) -> the cell key shared with other tables.
    """
    from . import timeliness

    pub, p = report.publication, report.params
    summary = timeliness.timeliness_summary(schedule, p.year)
    frame = summary[["metric", "numerator", "denominator", "percent", "ci_low", "ci_high", "not_judged"]].copy()
    frame["metric"] = frame["metric"].map(METRIC_LABELS).fillna(frame["metric"])
    code = dict(zip(frame["metric"], summary["metric"]))
    named = {("reviews_held", "numerator"): "reviews_on_time:year", ("reviews_held", "denominator"): "reviews_judged:year",
             ("children", "denominator"): "children_reviewed:year"}
    pub.add_table("M Review timeliness", frame, labels=["metric"], counts=["numerator", "denominator", "not_judged"],
                  derived={c: ["numerator", "denominator"] for c in ("percent", "ci_low", "ci_high")},
                  decimals={"percent": 1, "ci_low": 1, "ci_high": 1},
                  key=lambda label, col: named.get((code[label], col)),
                  caption=f"Reviews held within timescale, {p.label}", cost=HEADLINE)
    # the late count follows from the two shown counts: protect it like any other count
    for label, metric in code.items():
        row = frame.loc[frame["metric"] == label].iloc[0]
        numerator = named.get((metric, "numerator"), f"M Review timeliness|{label}|numerator")
        denominator = named.get((metric, "denominator"), f"M Review timeliness|{label}|denominator")
        late = f"late:{metric}"
        pub.add_cell(late, row["denominator"] - row["numerator"], displayed=False,
                     where=f"not shown: {label.lower()} - the late ones (denominator minus numerator)")
        pub.relate({numerator: 1, late: 1, denominator: -1}, source=f"{metric}: on time + late = all")
    return frame, code, named


def _reconciliation_table(report: AuthorityReport, data, published: dict) -> None:
    """M2: from review records to the reviews counted, each step linked to the next."""
    from . import timeliness

    pub, p = report.publication, report.params
    reconciliation = timeliness.reconcile_timeliness(data, p.year, **published)
    steps = reconciliation.counts[["step", "count", "description", "kind"]].copy()
    steps["step"] = steps["step"].str.slice(0, 1).str.upper() + steps["step"].str.slice(1)
    step_keys = {"Reviews held in the year and judged": "reviews_judged:year", "Of which on time": "reviews_on_time:year",
                 "Of which late": "late:reviews_held"}
    pub.add_table("M2 Timeliness reconciliation", steps[["step", "count", "description"]], labels=["step"],
                  counts=["count"], public=["description"], key=lambda label, _: step_keys.get(label),
                  caption="From review records to the reviews counted")
    keyed = {s: step_keys.get(s, f"M2 Timeliness reconciliation|{s}|count") for s in steps["step"]}
    kinds = dict(zip(steps["step"], steps["kind"]))
    chain, sign = {}, {"total": 1, "minus": -1, "plus": 1}
    for step in steps["step"]:
        if kinds[step] in sign:
            chain[keyed[step]] = chain.get(keyed[step], 0) + sign[kinds[step]]
        elif kinds[step] == "equals":
            pub.relate({**chain, keyed[step]: -1}, source=f"reconciliation: steps to '{step}'", only_if_holds=True)
            chain = {keyed[step]: 1}
    report.facts["reconciliation_summary"] = reconciliation.summary()


def _review_count_change_table(report: AuthorityReport, data) -> None:
    """Why the number of reviews held changed since last year, by component."""
    from . import timeliness

    pub, p = report.publication, report.params
    change = timeliness.review_count_change(data, p.year).query("component != 'reviews_per_child'")
    change = change[["component", "previous", "current", "change", "share_of_change"]].copy()
    change["component"] = change["component"].map(_COMPONENT_LABELS).fillna(change["component"])
    current_keys = {"Children in care at any time in the year": "in_care:during",
                    "Periods of care that started in the year": "starts:Year",
                    "Children with at least one review": "children_reviewed:year"}
    previous_keys = {"Children in care at any time in the year": "in_care_prev:during",
                     "Periods of care that started in the year": "starts_prev:Year"}
    pub.add_table("Review count change", change, labels=["component"], counts=["previous", "current"],
                  derived={"change": ["previous", "current"],
                           "share_of_change": ["previous", "current", *[
                               (lambda _label, c=c: f"Review count change|Total reviews held|{c}")
                               for c in ("previous", "current")]]},
                  decimals={"change": 0, "share_of_change": 1},
                  key=lambda label, col: (current_keys if col == "current" else previous_keys).get(label),
                  caption="Change in the number of reviews held")
    parts = [label for label in change["component"] if label not in current_keys and label != "Total reviews held"]
    for column in ("previous", "current"):
        terms = {f"Review count change|{label}|{column}": 1 for label in parts}
        terms[f"Review count change|Total reviews held|{column}"] = -1
        pub.relate(terms, source=f"review count change: components add up ({column})", only_if_holds=True)


def _review_checks(report: AuthorityReport, data, schedule) -> None:
    """Review data checks (counts by check); the child-level lists go to the restricted folder."""
    from . import quality, timeliness
    from .report import findings_summary

    pub, p = report.publication, report.params
    review_checks = quality.reviews.review_findings(data)
    report.restricted["review_exceptions.csv"] = timeliness.exception_list(schedule, p.year)
    report.restricted["review_record_findings.csv"] = review_checks
    pub.add_table("Review data checks", _readable_checks(findings_summary(review_checks)),
                  labels=["check", "severity", "table"],
                  counts=["records"], caption="Review records with a data-quality finding (the records are in the restricted folder)")


def _timeliness_charts(report: AuthorityReport, schedule, code: dict) -> None:
    """Timeliness bars from table M; the monthly XmR chart unless a month had too few reviews."""
    from . import plots, timeliness

    pub, p = report.publication, report.params

    def bars():
        numeric = pub.numeric("M Review timeliness")
        return numeric.assign(metric=numeric["metric"].map(code))

    report.charts["timeliness"] = (lambda: plots.timeliness.timeliness_bars(bars()),
                                   lambda: plots.timeliness.timeliness_bars_alt_text(bars()))
    monthly_chart = timeliness.monthly_xmr(schedule, p.year)

    def xmr_text():
        if (monthly_chart["denominator"] < pub.threshold).any():
            return ("The month-by-month chart is not shown: some months had fewer than "
                    f"{pub.threshold} reviews, and a percentage of so few reviews could identify a child.")
        return plots.timeliness.xmr_chart_alt_text(monthly_chart, measure="the percentage of reviews held on time")

    def xmr_draw():
        if (monthly_chart["denominator"] < pub.threshold).any():
            return None
        return plots.timeliness.xmr_chart(monthly_chart.drop(columns=["numerator", "denominator"]),
                                          measure="Reviews held on time")

    report.charts["timeliness_xmr"] = (xmr_draw, xmr_text)
