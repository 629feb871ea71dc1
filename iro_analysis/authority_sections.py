"""The later sections of the authority report: timeliness against last year, participation,
care history, outcomes, the IRO service, commentary.

Each function registers its tables with the report's :class:`iro_analysis.publication.Publication`
(the tables carry their roles in ``DataFrame.attrs`` or in
:func:`iro_analysis.iro_records.publication_roles`), links their totals to the same counts
elsewhere in the report, and protects the complements a table gives away (reports due minus
reports on time). A section whose data the return does not hold is recorded with the reason, so
the notebook can say so in a sentence.
"""

from __future__ import annotations

import pandas as pd

from .calendar import year_bounds
from .authority_last_year import LAST_YEAR, categories_with_last_year
from .errors import IroAnalysisError

__all__ = ["timeliness_change", "participation_table", "care_history_section", "outcomes_section",
           "iro_service_section", "commentary_section", "IRO_TABLES"]

#: IRO service tables: summary function -> (report table name, caption, (part, whole) complements).
IRO_TABLES = {
    "caseload_by_month": ("O1 IRO caseloads", "Children allocated to IROs at each month end, and per full-time IRO", ()),
    "escalations_by_stage_and_outcome": ("O2 Escalations by stage", "Challenges and escalations by stage and outcome", ()),
    "escalations_by_reason": ("O3 Escalations by reason", "Challenges and escalations by reason", ()),
    "days_to_resolve": ("O4 Days to resolve", "Days from raising a challenge to its resolution, by stage", ()),
    "midway_review_rate": ("O5 Midway reviews", "Midway reviews (footprints) completed between reviews",
                           (("midway_checks_done", "reviews_due"),)),
    "consultation_return_rate": ("O6 Consultation", "Consultation forms sent and returned before reviews",
                                 (("forms_returned", "forms_sent"),)),
    "cp_plans_by_month": ("O7 Child protection plans", "Children in care also on a child protection plan", ()),
    "sw_report_timeliness": ("O8 Social work reports", "Social work reports shared with the IRO before the review",
                             (("reports_on_time_before_review", "reports_due"),)),
}


def _iso(date) -> str:
    return pd.Timestamp(date).strftime("%Y-%m-%d")


def _register(pub, name: str, frame: pd.DataFrame, caption: str, *, cost: float, key=None, roles=None,
              complements=()) -> None:
    """Add a table using its declared roles, then protect each ``whole - part`` it gives away."""
    roles = dict(roles or {k: frame.attrs[k] for k in ("labels", "counts", "derived") if k in frame.attrs})
    roles.setdefault("derived", {})
    decimals = roles.pop("decimals", {})
    decimals.update({c: 1 for c in roles["derived"] if c not in decimals})
    pub.add_table(name, frame.reset_index(drop=True), caption=caption, cost=cost, key=key, decimals=decimals, **roles)
    labels = roles["labels"]
    for part, whole in complements:
        for position, row in frame.reset_index(drop=True).iterrows():
            label = " / ".join(str(row[c]) for c in labels)
            table = pub.tables[name]
            part_key, whole_key = table.keys[(position, part)], table.keys[(position, whole)]
            rest = f"{name}|{label}|{whole} less {part}"
            pub.add_cell(rest, row[whole] - row[part], displayed=False,
                         where=f"not shown: {whole} less {part} in '{name}', row '{label}'")
            pub.relate({part_key: 1, rest: 1, whole_key: -1}, source=f"{name}: {part} + rest = {whole}")


def _category_chart(report, table: str, chart: str, *, relabel=None, **options) -> None:
    """Register a bar chart of a published table (drawn and described from published values only)."""
    from . import plots

    pub = report.publication

    def rows():
        numeric = pub.numeric(table)
        return numeric if relabel is None else relabel(numeric)

    def drawn() -> bool:
        # with nothing to draw but "c"s and zeros, the description alone says as much as a chart
        shown = rows()
        return bool((shown.loc[shown[options["label"]].astype(str) != "Total", options["count"]] > 0).any())

    report.charts[chart] = (
        lambda: plots.categories.category_bars(rows(), **options) if drawn() else None,
        lambda: plots.categories.category_bars_alt_text(rows(), chart=drawn(), **options))
    report.facts.setdefault("table_charts", {})[table] = chart


def _reason_label(numeric: pd.DataFrame) -> pd.DataFrame:
    """P4 rows named by the reason's description, the total row by "Total"."""
    is_total = numeric["REASON_PLACE_CHANGE"].astype(str) == "Total"
    return numeric.assign(label=numeric["description"].where(~is_total, "Total"))


def care_history_section(report, data, *, cost: float) -> None:
    """Placement type at entry, placements started, moves, end reasons, category of need."""
    from . import care_history, outcomes_tables

    pub, p = report.publication, report.params
    _, end = year_bounds(p.year)
    report.facts["care_history_missing"] = {}
    previous_end = year_bounds(p.year - 1)[1]
    # name, table of a year, caption, {row: shared key} this year and last year
    plan = [
        ("P1 Placement at entry", lambda y: care_history.placement_at_entry(data, y),
         "Placement type when a period of care started", {"Total": "starts:Year"}, {"Total": "starts_prev:Year"}),
        ("P2 Placements started", lambda y: care_history.placements_started(data, y),
         "Placements that started in the year: new periods of care and moves",
         {"Start of a period of care": "starts:Year", "Placement move": "moves:year"},
         {"Start of a period of care": "starts_prev:Year", "Placement move": "moves_prev:year"}),
        ("P3 Placement moves", lambda y: care_history.placement_moves(data, y),
         f"Children in care on {pd.Timestamp(end).day} March {p.year} by number of placements in the year",
         {"Total": f"in_care:{_iso(end)}"}, {"Total": f"in_care:{_iso(previous_end)}"}),
        ("P4 Why placements ended", lambda y: care_history.placement_end_reasons(data, y),
         "Placements that ended with a move in the year, by reason", {"Total": "moves:year"},
         {"Total": "moves_prev:year"}),
        ("P5 Category of need", lambda y: outcomes_tables.category_of_need(data, y),
         "Category of need of children starting care", {"Total": "starts:Year"}, {"Total": "starts_prev:Year"}),
    ]
    for name, make, caption, links, previous_links in plan:
        try:
            frame = make(p.year)
        except IroAnalysisError as error:
            report.facts["care_history_missing"][name] = str(error).split(". ")[0] + "."
            continue
        if report.facts.get("previous_year"):
            frame, caption = _with_last_year(frame, make, p.year - 1, caption)

        def key(label, col, links=links, previous_links=previous_links):
            return (previous_links if col == LAST_YEAR else links).get(label.split(" / ")[0])

        _register(pub, name, frame, caption, cost=cost, key=key)
    if "P1 Placement at entry" in pub.tables:
        _category_chart(report, "P1 Placement at entry", "placement_at_entry", label="placement", count="count",
                        what="periods of care that started", noun="placement when care started")
    if "P4 Why placements ended" in pub.tables:
        _category_chart(report, "P4 Why placements ended", "placement_end_reasons", relabel=_reason_label,
                        label="label", count="count", what="placements that ended with a move",
                        noun="recorded reason", not_ranked=["Not recorded"])


def _with_last_year(frame: pd.DataFrame, make, year: int, caption: str) -> tuple[pd.DataFrame, str]:
    """``frame`` with last year's counts and percentages beside it, when last year's table can be made."""
    try:
        before = make(year)
    except IroAnalysisError:  # last year's return lacks what the table needs: this year alone
        return frame, caption
    return categories_with_last_year(frame, before), caption + ", with last year"


def outcomes_section(report, data, *, cost: float) -> None:
    """Health checks (OC2) and adoption timeliness, where the return holds them."""
    from . import outcomes_tables, plots

    pub, p = report.publication, report.params
    report.facts["outcomes_missing"] = {}
    try:
        _register(pub, "H Health checks", outcomes_tables.health_checks(data, p.year),
                  "Health and dental checks of children in care for at least 12 months", cost=cost,
                  roles={"labels": ["measure", "description"], "counts": ["count", "denominator"],
                         "derived": {"percent": ["count", "denominator"]}},
                  complements=(("count", "denominator"),))
        # the mask tells a hidden percentage ("c") from a percentage of none (no children of that age)
        report.charts["health_checks"] = (
            lambda: plots.categories.percent_bars(pub.numeric("H Health checks"), subject="Health checks",
                                                  xlabel="% of children in care for at least 12 months",
                                                  hidden=pub.hidden_mask("H Health checks")["percent"]),
            lambda: plots.categories.percent_bars_alt_text(pub.numeric("H Health checks"), subject="Health checks",
                                                           hidden=pub.hidden_mask("H Health checks")["percent"]))
        report.facts.setdefault("table_charts", {})["H Health checks"] = "health_checks"
    except IroAnalysisError as error:
        report.facts["outcomes_missing"]["H Health checks"] = str(error).split(". ")[0] + "."
    try:
        blocks = outcomes_tables.adoption_timeliness(data, p.year)
    except IroAnalysisError as error:
        report.facts["outcomes_missing"]["Adoption"] = str(error).split(". ")[0] + "."
        return
    report.facts["adoption_tables"] = []
    for number, (interval, block) in enumerate(blocks.groupby("interval", sort=False), start=1):
        name = f"AD{number} {block['description'].iloc[0]}"
        # "band" is also the benchmark table's LAIT band: this one is a length of time
        block = block.drop(columns=["interval"]).rename(columns={"band": "time_taken"}).reset_index(drop=True)
        block.attrs = {**blocks.attrs, "labels": ["time_taken"], "counts": ["count"],
                       "derived": {"percent": ["count", "@total"]}}
        _register(pub, name, block.drop(columns=["description"]), f"{block['description'].iloc[0]}: children adopted "
                  "in the year by time taken", cost=cost)
        report.facts["adoption_tables"].append(name)


def iro_service_section(report, *, cost: float) -> None:
    """The IRO service's own records beside the return (caseloads, escalations, midway reviews …)."""
    from . import iro_records

    pub, p = report.publication, report.params
    report.facts["iro_tables"] = []
    report.facts["iro_records_note"] = ""
    source = None if p.data_dir is None else iro_records.find_iro_records(p.data_dir)
    if source is None:
        report.facts["iro_records_note"] = (
            "No IRO service records were found beside the return (an iro_records folder or iro_records.xlsx; "
            "see the template in the documentation), so caseloads, escalations and midway reviews are not shown.")
        return
    records = iro_records.load_iro_records(source, year=p.year)
    report.restricted["iro_records_findings.csv"] = records.findings
    for function, (name, caption, complements) in IRO_TABLES.items():
        try:
            frame = getattr(iro_records, function)(records)
        except IroAnalysisError:
            continue  # that table is not kept by this service
        if frame.empty:
            continue
        roles = iro_records.publication_roles(function)
        key = None
        if function == "caseload_by_month":
            month_ends = {m: _iso(pd.Period(m, freq="M").end_time.normalize()) for m in frame["month"].astype(str)}
            key = lambda label, col, ends=month_ends: f"in_care:{ends[label]}" if label in ends else None  # noqa: E731
        _register(pub, name, frame, caption, cost=cost, roles=roles, key=key, complements=complements)
        report.facts["iro_tables"].append(name)
    _iro_charts(report)


def _iro_charts(report) -> None:
    """Charts of the IRO service tables present: caseloads, and challenges by stage and by reason."""
    from . import plots

    pub = report.publication
    if "O1 IRO caseloads" in pub.tables:
        name = "O1 IRO caseloads"
        report.charts["iro_caseloads"] = (
            lambda: plots.categories.caseload_chart(pub.numeric(name),
                                                    hidden=pub.hidden_mask(name)["children_per_fte"]),
            lambda: plots.categories.caseload_chart_alt_text(pub.numeric(name),
                                                             hidden=pub.hidden_mask(name)["children_per_fte"]))
        report.facts.setdefault("table_charts", {})["O1 IRO caseloads"] = "iro_caseloads"
    if "O2 Escalations by stage" in pub.tables:
        _category_chart(report, "O2 Escalations by stage", "escalations_by_stage", label="stage", count="raised",
                        what="challenge stages raised", noun="stage")
    if "O3 Escalations by reason" in pub.tables:
        _category_chart(report, "O3 Escalations by reason", "escalations_by_reason", label="reason",
                        count="escalations", what="challenges raised", noun="reason")


def commentary_section(report) -> None:
    """The IRO manager's commentary files beside the return, made inert and checked for identifiers."""
    from . import iro_records
    from .errors import DisclosureError

    p = report.params
    report.facts["commentary"] = {}
    if p.data_dir is None:
        return
    folder = p.data_dir / "commentary" if p.data_dir.is_dir() else p.data_dir.parent / "commentary"
    if not folder.is_dir():
        return
    guard = report.publication.identifier_guard()
    for section, text in iro_records.load_commentary(folder).items():
        if guard and guard.in_text(text):
            raise DisclosureError(f"commentary/{section}.md holds a child identifier; remove it and run the report again.")
        report.facts["commentary"][section] = iro_records.commentary_markdown(text)


def _pn_meaning(code: str, meanings: dict) -> str:
    if code == "Total":
        return "All reviews"
    return meanings.get(str(code), "Not a DfE participation code")


def participation_table(report, data, *, cost: float) -> None:
    """Table N: reviews by participation code and quarter, with last year's count and share when held."""
    from .authority_last_year import LAST_YEAR, participation_with_last_year
    from .codes import descriptions
    from .cohorts import participation_by_quarter
    from .report import by_quarter

    pub, p = report.publication, report.params

    def wide(year):
        return by_quarter(participation_by_quarter(data, year).dropna(subset=["quarter"]), "REVIEW_CODE")

    table = wide(p.year)
    meanings = descriptions("REVIEW_CODE", p.year)
    table.insert(1, "description", [_pn_meaning(c, meanings) for c in table["REVIEW_CODE"]])
    this_year, derived, caption = list(table.columns[2:]), {}, "Children's participation in their reviews, by quarter"
    if report.facts.get("previous_year"):
        previous = descriptions("REVIEW_CODE", p.year - 1)
        table = participation_with_last_year(table, wide(p.year - 1), lambda c: _pn_meaning(c, previous))
        derived = {"percent": ["Year", "@total:Year"], "percent_last_year": [LAST_YEAR, f"@total:{LAST_YEAR}"]}
        caption += ", with the share of the year's reviews this year and last year"
    pub.add_table("N Participation", table, labels=["REVIEW_CODE"], public=["description"],
                  counts=this_year + ([LAST_YEAR] if derived else []), derived=derived,
                  decimals={"percent": 1, "percent_last_year": 1}, total_column="Year", total_of=this_year,
                  caption=caption, cost=cost)


def timeliness_change(report, data, frame: pd.DataFrame, code: dict, named: dict) -> None:
    """This year's timeliness against last year's, with the difference and whether chance explains it."""
    import numpy as np

    from . import timeliness
    from .authority_report import HEADLINE
    from .stats import risk_difference_interval

    pub, p = report.publication, report.params
    before = timeliness.timeliness_summary(timeliness.review_schedule(data, p.year - 1), p.year - 1)
    before = before.set_index("metric")
    rows = []
    for label, metric in code.items():
        now = frame.loc[frame["metric"] == label].iloc[0]
        if metric not in before.index:
            continue
        then = before.loc[metric]
        a, n1, c, n0 = (int(now["numerator"]), int(now["denominator"]), int(then["numerator"]),
                        int(then["denominator"]))
        low, high = risk_difference_interval(a, n1, c, n0) if n1 and n0 else (np.nan, np.nan)
        if not (n1 and n0):
            verdict = "Not enough reviews to compare"
        elif low > 0:
            verdict = "Higher than last year, by more than chance would explain"
        elif high < 0:
            verdict = "Lower than last year, by more than chance would explain"
        else:
            verdict = "No clear change: the difference is within chance"
        rows.append({"metric": label, "not_judged_last_year": int(then["not_judged"]), "numerator_last_year": c,
                     "denominator_last_year": n0,
                     "percent_last_year": 100 * c / n0 if n0 else np.nan, "numerator": a, "denominator": n1,
                     "percent": 100 * a / n1 if n1 else np.nan, "difference_points": 100 * (a / n1 - c / n0)
                     if n1 and n0 else np.nan, "difference_low": 100 * low, "difference_high": 100 * high,
                     "verdict": verdict})
    if not rows:
        return
    table = pd.DataFrame(rows)
    both = ["numerator_last_year", "denominator_last_year", "numerator", "denominator"]

    def key(label, col):
        if col in ("numerator", "denominator"):
            return named.get((code[label], col), f"M Review timeliness|{label}|{col}")
        return f"timeliness_prev:{code[label]}:{col}"

    not_judged = int(table["not_judged_last_year"].sum())
    note = ("" if not not_judged else
            "Some of last year's reviews could not be judged, because the return for the year before it was not "
            "loaded: last year's figures cover only the reviews that could be. Load one more year for a like-for-like "
            "comparison.")
    pub.add_table("M3 Timeliness against last year", table, labels=["metric"], counts=both + ["not_judged_last_year"],
                  note=note,
                  derived={"percent_last_year": both[:2], "percent": both[2:], "difference_points": both,
                           "difference_low": both, "difference_high": both, "verdict": both},
                  decimals={c: 1 for c in ("percent_last_year", "percent", "difference_points", "difference_low",
                                           "difference_high")}, key=key, cost=HEADLINE,
                  caption=f"Review timeliness in {p.label} against the year before (difference in percentage points "
                          "with its 95% interval)")
    for row in rows:
        metric = code[row["metric"]]
        late = f"late_prev:{metric}"
        pub.add_cell(late, row["denominator_last_year"] - row["numerator_last_year"], displayed=False,
                     where=f"not shown: last year's late ones ({row['metric'].lower()})")
        pub.relate({f"timeliness_prev:{metric}:numerator_last_year": 1, late: 1,
                    f"timeliness_prev:{metric}:denominator_last_year": -1}, source=f"{metric} last year: on time + late")
