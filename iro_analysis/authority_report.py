"""Everything the authority report publishes, computed once and suppressed jointly.

:func:`build` computes every table of the report from the return and the published reference
data, registers them with one :class:`iro_analysis.publication.Publication` (with the links
between them: the same count in two tables, totals, "in care at the start + started - ended =
in care at the end", UASC children of each ethnic group), and finalises it. The notebook then
only shows tables, charts and sentences by name: all of them read the published values, so
nothing shown can reveal what a table hides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .calendar import year_bounds
from .errors import ParameterError
from .authority_last_year import (LAST_YEAR, ethnicity_with_last_year, missing_with_last_year, profile_with_last_year,
                                  quarters_with_last_year, register_uasc_by_ethnicity)
from .publication import Publication

__all__ = ["AuthorityReport", "build", "SUMMARY_LABELS", "METRIC_LABELS"]

#: Plain-English names of the summary measures.
SUMMARY_LABELS = {
    "in_care_start": "Children in care at the start of the year",
    "in_care_end": "Children in care at the end of the year",
    "in_care_during_year": "Children in care at any time in the year",
    "periods_started": "Periods of care that started in the year",
    "periods_ended": "Periods of care that ended in the year",
    "uasc_end": "Unaccompanied asylum-seeking children in care at the end of the year",
}

#: Plain-English names of the timeliness measures.
METRIC_LABELS = {
    "reviews_held": "Reviews held in the year that were on time",
    "reviews_due": "Review due dates in the year that were met",
    "children": "Children all of whose reviews were on time",
}

_COMPONENT_LABELS = {
    "children_in_care": "Children in care at any time in the year",
    "periods_starting": "Periods of care that started in the year",
    "children_reviewed": "Children with at least one review",
    "first_reviews": "First reviews (new periods of care)",
    "second_reviews": "Second reviews (three months after the first)",
    "adoption_reviews": "Reviews on the adoption schedule",
    "early_after_placement_move": "Early reviews after a placement move",
    "other_early_reviews": "Other early reviews",
    "routine_reviews": "Routine six-monthly reviews",
    "not_judged": "Reviews that could not be judged",
    "total_reviews": "Total reviews held",
}

_PROFILES = [
    ("legal_status_at_year_end", "legal_status", "D Legal status", "Legal status of children in care"),
    ("age_band_at_year_end", "age_band", "Age", "Age of children in care"),
    ("ethnicity_at_year_end", "ethnic_group", "F Ethnicity", "Ethnic group of children in care"),
    ("placement_at_year_end", "placement", "Placement", "Placement of children in care"),
    ("uasc_at_year_end", "uasc", "G UASC", "Unaccompanied asylum-seeking children (UASC) in care"),
]


#: The cohort tables this year's sections read (the others of ``cohort_tables`` are not shown).
_COHORT_TABLES = ("summary", "monthly_in_care", "starters_by_age_band", "starters_by_legal_status",
                  *(source for source, *_ in _PROFILES), "sex_by_quarter_end", "leavers_by_reason", "reaching_18",
                  "missing_by_quarter", "participation_by_quarter")

#: Last year's cohort tables the sections read (beside this year's figures).
_PREVIOUS_COHORT_TABLES = ("summary", "starters_by_age_band", "starters_by_legal_status", "leavers_by_reason",
                           *(source for source, *_ in _PROFILES), "sex_by_quarter_end", "missing_by_quarter")

#: Weights for secondary suppression: headline figures give way last, analysis tables first.
HEADLINE, PROFILE, ANALYSIS = 100.0, 10.0, 1.0


def _iso(date) -> str:
    return pd.Timestamp(date).strftime("%Y-%m-%d")


def _long_date(date) -> str:
    stamp = pd.Timestamp(date)
    return f"{stamp.day} {stamp:%B %Y}"


@dataclass
class AuthorityReport:
    """The published figures of one authority-year report and how to show them."""

    params: object
    publication: Publication
    charts: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    restricted: dict = field(default_factory=dict)

    # --- showing -------------------------------------------------------------------------------

    def show(self, name: str):
        """Display one published table (escaped HTML) in the notebook."""
        from IPython.display import HTML, display

        from .report import column_label

        display(HTML(self.publication.html(name, column_label=column_label)))

    def say(self, template: str, **values):
        """Display a Markdown sentence whose data values are escaped."""
        from IPython.display import Markdown, display

        display(Markdown(self.publication.text(template, **values)))

    def count(self, key: str) -> str:
        """A published count for prose ("c" when hidden)."""
        return self.publication.count_text(key)

    def chart(self, name: str) -> None:
        """Draw one chart from published values and display it with its description."""
        from . import plots

        if name not in self.charts:
            raise ParameterError(f"no chart {name!r}; the report has {sorted(self.charts)}.")
        draw, describe = self.charts[name]
        message = describe()
        if message is None:
            return
        ax, alt = draw(), message
        if ax is None:
            from IPython.display import Markdown, display

            display(Markdown(self.publication.text("{text}", text=alt)))
            return
        plots.show(ax, alt, format="svg")  # text stays text: smaller, sharper, and scanned by the guard

    def show_tables(self, names, *, missing: str = "", charts: bool = False) -> None:
        """Show each named table the report holds; say ``missing`` (escaped) when it holds none.

        With ``charts=True`` each table is followed by its chart, where the report draws one.
        """
        present = [n for n in names if n in self.publication.tables]
        for name in present:
            self.show(name)
            if charts and name in self.facts.get("table_charts", {}):
                self.chart(self.facts["table_charts"][name])
        if not present and missing:
            self.say("{text}", text=missing)

    def commentary(self, section: str) -> None:
        """Display the IRO manager's commentary for a section, if a commentary file gives one."""
        from IPython.display import Markdown, display

        text = self.facts.get("commentary", {}).get(section)
        if text:
            display(Markdown(f"**Commentary.** {text}"))

    def introduction(self) -> None:
        """Display the opening paragraph: the authority, the return loaded, what "c" means."""
        from IPython.display import Markdown, display

        display(Markdown(_introduction(self)))

    def write_restricted(self) -> list:
        """Write the child-level lists and the disclosure audit to the restricted folder."""
        return _write_restricted(self)

    def excel(self, path):
        """Write every published table to one workbook (with a cover sheet)."""
        from .export import write_publication_excel
        from .report import column_label

        return write_publication_excel(self.publication, path, column_label=column_label,
                                       title=self.facts.get("title", ""), notes=self.facts.get("notes", []))


def build(params, data, *, model: str = "2021", published_timeliness: dict | None = None,
          identifiers=(), allow_unsafe_threshold: bool = False, synthetic: bool = False) -> AuthorityReport:
    """Compute, register and suppress every figure of the authority report.

    Parameters
    ----------
    params : iro_analysis.report.ReportParameters
    data : SSDA903
    model : str, default "2021"
        Statistical-neighbour model.
    published_timeliness : dict, optional
        Keyword arguments for :func:`iro_analysis.timeliness.reconcile_timeliness`.
    identifiers : iterable of str
        The return's CHILD and UPN values (none may be published).
    allow_unsafe_threshold : bool, default False
        Permit ``params.suppression_threshold`` below 5 (internal use; the report says so).
    synthetic : bool, default False
        The return is synthetic: every output says so.

    Returns
    -------
    AuthorityReport
    """
    pub = Publication(threshold=params.suppression_threshold, identifiers=identifiers,
                      allow_below_minimum=allow_unsafe_threshold)
    report = AuthorityReport(params, pub)
    report.facts["synthetic"] = bool(synthetic)
    report.facts["model"] = model
    report.facts["title"] = (f"{params.la_name} IRO annual report figures, {params.label}"
                             + (" (SYNTHETIC DATA - not real children)" if synthetic else ""))
    report.facts["notes"] = [pub.hidden_note()] + (
        ["These figures were computed from a SYNTHETIC return generated for testing and training. "
         "They describe no real children and are not the council's figures."] if synthetic else [])
    from .authority_sections import care_history_section, commentary_section, iro_service_section, outcomes_section
    from .authority_timeliness import timeliness_section
    from .cohorts import prepared_once

    with prepared_once():  # the return's episode chain is built once for every section
        _return_facts(report, data)
        tables = _cohort_section(report, data)
        timeliness_section(report, data, published_timeliness or {})
        _ethnicity_section(report, data, tables)
        _benchmark_section(report, data, model)
        care_history_section(report, data, cost=PROFILE)
        outcomes_section(report, data, cost=PROFILE)
        iro_service_section(report, cost=PROFILE)
        commentary_section(report)
    pub.finalise()
    return report


# --- sections ------------------------------------------------------------------------------------


def _return_facts(report: AuthorityReport, data) -> None:
    from . import cohorts, quality
    from .report import findings_summary

    pub = report.publication
    header = getattr(data, "header", None)
    reviews = getattr(data, "reviews", None)
    pub.add_cell("return:children", 0 if header is None else header["CHILD"].nunique(),
                 where="introduction: children in the header table")
    pub.add_cell("return:review_records", 0 if reviews is None else len(reviews),
                 where="introduction: review records")
    report.facts["collection_years"] = list(getattr(data, "collection_years", None) or [])
    findings = quality.concat_findings([data.findings, cohorts.episode_chain_findings(data)])
    report.restricted["record_findings.csv"] = findings
    pub.add_table("Data checks", _readable_checks(findings_summary(findings)), labels=["check", "severity", "table"],
                  counts=["records"], caption="Records with a data-quality finding, by check")


def _cohort_section(report: AuthorityReport, data) -> dict:
    """The children-in-care tables (Summary, A–E, K, L, the profiles) and their charts.

    Tables are registered in the order the report shows them (the disclosure audit's cells
    follow that order).
    """
    from . import cohorts
    from .report import child_population

    p = report.params
    tables = cohorts.cohort_tables(data, p.year, population=child_population(p), only=_COHORT_TABLES)
    report.facts["previous_year"] = _has_previous_year(data, p.year)
    if report.facts["previous_year"]:
        report.facts["previous_tables"] = cohorts.cohort_tables(data, p.year - 1, only=_PREVIOUS_COHORT_TABLES)
    _summary_table(report, tables)
    _monthly_table(report, tables)
    _quarterly_tables(report, tables)
    _profile_tables(report, tables)
    _sex_and_reaching_18_tables(report, tables)
    _missing_table(report, tables)
    _cohort_charts(report)
    return tables


def _summary_table(report: AuthorityReport, tables: dict) -> None:
    """Summary: the year's headline counts, with last year and the change when the return has it."""
    pub, p = report.publication, report.params
    summary = tables["summary"].set_index("measure")["count"]
    keys = _summary_keys(p.year, "")
    frame = pd.DataFrame({"measure": [SUMMARY_LABELS[m] for m in keys], "count": [summary[m] for m in keys]})
    counts, derived, decimals = ["count"], {}, {}
    if report.facts["previous_year"]:
        last = report.facts["previous_tables"]["summary"].set_index("measure")["count"]
        frame.insert(1, "last_year", [last[m] for m in keys])
        frame["change"] = frame["count"] - frame["last_year"]
        counts, derived, decimals = ["last_year", "count"], {"change": ["last_year", "count"]}, {"change": 0}
    previous_keys = _summary_keys(p.year - 1, "_prev")
    by_label = {SUMMARY_LABELS[m]: (k, previous_keys[m]) for m, k in keys.items()}
    pub.add_table("Summary", frame, labels=["measure"], counts=counts, derived=derived, decimals=decimals,
                  key=lambda label, col: by_label[label][1 if col == "last_year" else 0],
                  caption=f"Children in care, {p.label}" + (" and the year before" if len(counts) > 1 else ""),
                  cost=HEADLINE)
    for k in (keys, previous_keys):
        pub.relate({k["in_care_start"]: 1, k["periods_started"]: 1, k["periods_ended"]: -1, k["in_care_end"]: -1},
                   source="in care at the start + started - ended = in care at the end", only_if_holds=True)


def _monthly_table(report: AuthorityReport, tables: dict) -> None:
    """A: children in care and UASC at each month end, with the rate per 10,000."""
    pub = report.publication
    monthly = tables["monthly_in_care"]
    month_key = dict(zip(monthly["month"].astype(str), monthly["month_end"].map(_iso)))
    monthly_frame = monthly[["month", "children", "rate_per_10k", "uasc"]].copy()
    pub.add_table("A In care by month", monthly_frame, labels=["month"], counts=["children", "uasc"],
                  derived={"rate_per_10k": ["children"]}, decimals={"rate_per_10k": 1},
                  key=lambda label, col: f"{'in_care' if col == 'children' else 'uasc'}:{month_key[label]}",
                  caption="Children in care at each month end, rate per 10,000 children, and UASC", cost=HEADLINE)


def _quarterly_tables(report: AuthorityReport, tables: dict) -> None:
    """B, C and J: starters by age and legal status, leavers by reason, by quarter."""
    from .report import by_quarter

    pub = report.publication
    for source, category, name, prefix in [("starters_by_age_band", "age_band", "B Starters by age", "starts"),
                                           ("starters_by_legal_status", "legal_status", "C Starters by legal status", "starts"),
                                           ("leavers_by_reason", "reason", "J Leavers by reason", "ends")]:
        wide = by_quarter(tables[source], category)
        what = "starting" if prefix == "starts" else "leaving"
        caption = f"Children {what} care by quarter and {category.replace('_', ' ')}"
        this_year = list(wide.columns[1:])
        if report.facts["previous_year"]:
            wide = quarters_with_last_year(wide, by_quarter(report.facts["previous_tables"][source], category))
            caption += ", with last year's total"

        def quarter_key(label, col, prefix=prefix):
            # last year's total is the Summary's cell of last year (one cell wherever it is shown)
            if label != "Total":
                return None
            return f"{prefix}_prev:Year" if col == LAST_YEAR else f"{prefix}:{col}"

        pub.add_table(name, wide, labels=[category], counts=list(wide.columns[1:]), total_column="Year",
                      total_of=this_year, key=quarter_key, caption=caption, cost=PROFILE)


def _profile_tables(report: AuthorityReport, tables: dict) -> None:
    """The profiles on 31 March (legal status, age, ethnicity, placement, UASC), with a year earlier."""
    pub, p = report.publication, report.params
    end = year_bounds(p.year)[1]
    previous_end = year_bounds(p.year - 1)[1]
    for source, category, name, caption in _PROFILES:
        profile = tables[source][[category, "count", "percent"]]
        counts, derived = ["count"], {"percent": ["count", "@total"]}
        if report.facts["previous_year"]:
            before = report.facts["previous_tables"][source][[category, "count", "percent"]]
            # this year's row order; a category seen only last year goes at the end
            profile = profile_with_last_year(profile, before, category)
            counts = ["last_year", "count"]
            derived["percent_last_year"] = ["last_year", "@total:last_year"]
        prefix = {"ethnic_group": "eth_all", "uasc": "uasc_split"}.get(category)

        def key(label, col, prefix=prefix):
            date = previous_end if col == "last_year" else end
            if label == "Total":
                return f"in_care:{_iso(date)}"
            if prefix == "uasc_split":
                return f"{'uasc' if label == 'UASC' else 'nonuasc'}:{_iso(date)}"
            if prefix and col == "count":
                return f"{prefix}:{label}"
            if prefix == "eth_all" and col == "last_year":
                return f"eth_all_prev:{label}"
            return None

        pub.add_table(name, profile, labels=[category], counts=counts, derived=derived,
                      decimals={"percent": 1, "percent_last_year": 1}, add_total=True, key=key,
                      caption=f"{caption} on {_long_date(end)}" + (
                          f", and a year earlier ({_long_date(previous_end)})" if len(counts) > 1 else ""),
                      cost=HEADLINE if category == "uasc" else PROFILE)


def _sex_and_reaching_18_tables(report: AuthorityReport, tables: dict) -> None:
    """E: sex at each quarter end; K: children who turn 18 in the next two years."""
    pub = report.publication
    sex = tables["sex_by_quarter_end"]
    caption = "Sex of children in care at the end of each quarter"
    before = report.facts["previous_tables"]["sex_by_quarter_end"] if report.facts["previous_year"] else None
    if before is not None and len(before):
        # last year's 31 March first: the columns run in date order, a year before the last one
        sex = pd.concat([before[before["date"] == before["date"].max()], sex], ignore_index=True)
        caption += ", and at the end of last year"
    dates = list(dict.fromkeys(sex["date"]))
    wide = sex.pivot_table(index="sex", columns="date", values="count", aggfunc="sum", sort=False).reindex(
        columns=dates).fillna(0).reset_index()
    date_label = {d: pd.Timestamp(d).strftime("%d %b %Y") for d in dates}
    wide.columns = ["sex"] + [date_label[d] for d in dates]
    label_iso = {date_label[d]: _iso(d) for d in dates}
    pub.add_table("E Sex", wide, labels=["sex"], counts=list(wide.columns[1:]), add_total=True,
                  key=lambda label, col: f"in_care:{label_iso[col]}" if label == "Total" else None,
                  caption=caption, cost=PROFILE)

    pub.add_table("K Reaching 18", tables["reaching_18"][["year_label", "count"]], labels=["year_label"],
                  counts=["count"], caption="Children in care on 31 March who turn 18 in each of the next two years",
                  cost=PROFILE)


def _missing_table(report: AuthorityReport, tables: dict) -> None:
    """L: missing and away-without-authorisation episodes by quarter (quarters add up to the year)."""
    pub = report.publication
    if "missing_by_quarter" in tables:
        columns = ["quarter_label", "missing_episodes", "away_episodes", "children"]
        missing = tables["missing_by_quarter"][columns]
        labels = missing["quarter_label"].astype(str).tolist()  # four quarters, then the year
        caption = "Missing and away-without-authorisation episodes by quarter"
        before = report.facts.get("previous_tables", {}).get("missing_by_quarter")
        if report.facts["previous_year"] and before is not None:
            missing = missing_with_last_year(missing, before[columns])
            caption += ", and last year's total"
        pub.add_table("L Missing", missing, labels=["quarter_label"],
                      counts=["missing_episodes", "away_episodes", "children"], caption=caption, cost=PROFILE)
        for column in ("missing_episodes", "away_episodes"):
            terms = {f"L Missing|{label}|{column}": 1 for label in labels[:-1]}
            terms[f"L Missing|{labels[-1]}|{column}"] = -1
            pub.relate(terms, source=f"L Missing: quarters add up to the year ({column})", only_if_holds=True)


def _cohort_charts(report: AuthorityReport) -> None:
    """Charts of A, B and D, drawn from the published (suppressed) tables."""
    from . import plots

    pub, p = report.publication, report.params
    end = year_bounds(p.year)[1]
    # charts read the published tables; with nothing to draw but "c"s and zeros, the description
    # stands alone (an axis with no data would have a meaningless scale)
    def monthly():
        return pub.numeric("A In care by month").assign(year_label=p.label)

    def starters():
        return pub.numeric("B Starters by age")

    def legal_status():
        return _profile_for_chart(pub, "D Legal status", "legal_status", end)

    def monthly_drawn() -> bool:
        return _any_positive(monthly()["children"])

    def starters_drawn() -> bool:
        # a quarter whose bands are hidden but whose total is shown is drawn as one hatched bar
        table = starters()
        quarters = [c for c in table.columns[1:] if c not in ("Year", "last_year")]
        return _any_positive(table[quarters].stack())

    def legal_status_drawn() -> bool:
        return _any_positive(legal_status()["count"])

    report.charts["monthly_in_care"] = (
        lambda: plots.cohorts.monthly_in_care(monthly()) if monthly_drawn() else None,
        lambda: plots.cohorts.monthly_in_care_alt_text(monthly(), chart=monthly_drawn()))
    report.charts["starters_by_age"] = (
        lambda: plots.cohorts.starters_by_age_band_published(starters(), year_label=p.label) if starters_drawn() else None,
        lambda: plots.cohorts.starters_by_age_band_published_alt_text(starters(), year_label=p.label,
                                                                      chart=starters_drawn()))
    report.charts["legal_status"] = (
        lambda: plots.cohorts.profile(legal_status()) if legal_status_drawn() else None,
        lambda: plots.cohorts.profile_alt_text(legal_status(), chart=legal_status_drawn()))


def _any_positive(counts: pd.Series) -> bool:
    """Whether any published count is shown and above zero (hidden counts are NaN)."""
    return bool((counts.dropna() > 0).any())


def _summary_keys(year: int, suffix: str) -> dict:
    """Cell keys of the summary measures of one year (the same count in every table shares a key)."""
    start, end = year_bounds(year)
    return {"in_care_start": f"in_care:{_iso(start - pd.Timedelta(days=1))}", "in_care_end": f"in_care:{_iso(end)}",
            "periods_started": f"starts{suffix}:Year", "periods_ended": f"ends{suffix}:Year",
            "uasc_end": f"uasc:{_iso(end)}", "in_care_during_year": f"in_care{suffix}:during"}


def _has_previous_year(data, year: int) -> bool:
    """The return holds the year before (a collection-year folder for it): last year can be shown."""
    years = list(getattr(data, "collection_years", None) or [])
    return bool(years) and min(years) <= year - 1


def _profile_for_chart(pub: Publication, name: str, column: str, date) -> pd.DataFrame:
    table = pub.numeric(name)
    total = table.loc[table[column] == "Total", "count"].iloc[0]
    body = table.loc[table[column] != "Total"].reset_index(drop=True)
    return body.assign(date=pd.Timestamp(date), total=total)


def _readable_checks(summary: pd.DataFrame) -> pd.DataFrame:
    """Check, severity and table names in plain English (``dfe_440`` -> "PN0 (under 4) recorded …")."""
    from .labels import check_label, label

    return summary.assign(check=summary["check"].map(check_label), severity=summary["severity"].map(label),
                          table=summary["table"].map(label))


def _ethnicity_section(report: AuthorityReport, data, tables: dict) -> None:
    """Ethnicity: representation ratios with last year, the distribution test, other
    denominators, the published mix and the ratio chart."""
    from . import disproportionality as dp
    from . import reference
    from .report import child_population

    p = report.params
    cic = dp.cic_ethnicity(data, year=p.year)
    population = reference.ethnicity_population(p.la_code, year=p.year)
    ethnicity = dp.disproportionality(cic, population, population_total=child_population(p))
    included = _ethnicity_ratios_table(report, data, ethnicity, population)
    whole = dp.distribution_test(cic, population)
    report.facts["distribution_p"] = float(whole.loc[0, "p_value"])
    report.facts["distribution_method"] = str(whole.loc[0, "method"]).replace("_", " ")
    _ethnicity_comparisons(report, cic, included)


def _ethnicity_ratios_table(report: AuthorityReport, data, ethnicity: pd.DataFrame, population) -> pd.DataFrame:
    """Ethnicity ratios (with last year), linked to F, G and the UASC children of each group.

    Returns
    -------
    DataFrame
        The groups included in the ratios (``disproportionality`` rows with ``included``).
    """
    from . import disproportionality as dp

    pub, p = report.publication, report.params
    _, end = year_bounds(p.year)
    previous_end = year_bounds(p.year - 1)[1]
    report.facts["ethnicity_denominator"] = ethnicity.attrs["denominator"]
    report.facts["ethnicity_caveat"] = population.attrs.get("caveat", "")
    report.facts["ethnicity_population"] = population.attrs.get("denominator", "")
    included = ethnicity[ethnicity["included"]].reset_index(drop=True)
    frame = included[["ethnic_group", "cic", "population_share", "rate_per_10k", "representation_ratio", "rr_ci_low",
                      "rr_ci_high", "rri", "rri_ci_low", "rri_ci_high"]].copy()
    frame.insert(2, "cic_percent", 100 * included["cic_share"])
    frame["population_share"] = 100 * frame["population_share"]
    frame = frame.rename(columns={"population_share": "population_percent"})
    reference_group = ethnicity.attrs.get("reference", "White")
    counts, caption = ["cic"], f"Children in care on {_long_date(end)} by ethnic group, excluding UASC"
    if report.facts.get("previous_year"):
        before = dp.cic_ethnicity(data, year=p.year - 1)
        frame = ethnicity_with_last_year(frame, before)
        counts.append("cic_last_year")
        caption += f", and a year earlier ({_long_date(previous_end)})"
        # last year's children whose group is not known follow from the G UASC and this table's totals
        unknown_before = before.attrs["children"] - before.attrs["uasc_excluded"] - int(before["count"].sum())
        pub.add_cell("cic_nonuasc_prev:unknown", unknown_before, displayed=False,
                     where="not shown: last year's children (excluding UASC) whose ethnic group is not known")

    def group_key(label, col):
        prefix = "cic_nonuasc_prev" if col == "cic_last_year" else "cic_nonuasc"
        return f"{prefix}:known" if label == "Total" else f"{prefix}:{label}"

    ratio_columns = ["representation_ratio", "rr_ci_low", "rr_ci_high"]
    rri_columns = ["rri", "rri_ci_low", "rri_ci_high"]
    derived = {"cic_percent": ["cic", "@total"], "rate_per_10k": ["cic"],
               **{c: ["cic", "@total"] for c in ratio_columns},
               **{c: ["cic", "@total", lambda _label: f"cic_nonuasc:{reference_group}"] for c in rri_columns}}
    if len(counts) > 1:
        derived["cic_percent_last_year"] = ["cic_last_year", "@total:cic_last_year"]
    pub.add_table("Ethnicity ratios", frame, labels=["ethnic_group"], counts=counts, derived=derived,
                  public=["population_percent"], add_total=True, key=group_key,
                  decimals={"cic_percent": 1, "cic_percent_last_year": 1, "population_percent": 2, "rate_per_10k": 1,
                            **{c: 2 for c in ratio_columns + rri_columns}},
                  caption=f"{caption} ({ethnicity.attrs['denominator']})")
    unknown = float(ethnicity.attrs.get("cic_unknown", 0) or 0)
    pub.add_cell("cic_nonuasc:unknown", unknown, where="ethnicity section text: ethnicity not known")
    years = [("", end)] + ([("_prev", previous_end)] if len(counts) > 1 else [])
    for suffix, date in years:
        pub.relate({f"cic_nonuasc{suffix}:known": 1, f"cic_nonuasc{suffix}:unknown": 1, f"nonuasc:{_iso(date)}": -1},
                   source=f"children excluding UASC = known ethnicity + not known{suffix}", only_if_holds=True)
        # UASC children of each ethnic group follow from table F and this table: protect them too.
        register_uasc_by_ethnicity(pub, all_prefix=f"eth_all{suffix}", part_prefix=f"cic_nonuasc{suffix}",
                                   unknown_key=f"cic_nonuasc{suffix}:unknown", uasc_key=f"uasc:{_iso(date)}",
                                   groups=included["ethnic_group"], suffix=suffix)
    return included


def _ethnicity_comparisons(report: AuthorityReport, cic: pd.DataFrame, included: pd.DataFrame) -> None:
    """Ratios under each published population, the DfE's ethnic mix compared, the ratio chart."""
    from . import disproportionality as dp
    from . import plots, reference

    pub, p = report.publication, report.params
    # the ratios alone: the table shows no interval or test of the other denominators
    comparison = dp.ratios_by_denominator(cic, reference.ethnicity_populations(p.la_code, year=p.year))
    wide = comparison.pivot_table(index="ethnic_group", columns="denominator", values="representation_ratio",
                                  sort=False).reset_index()
    wide = wide[wide["ethnic_group"].isin(included["ethnic_group"])].reset_index(drop=True)
    wide.columns.name = None
    ratio_derived = {c: [lambda label: f"cic_nonuasc:{label}", lambda _label: "cic_nonuasc:known"]
                     for c in wide.columns[1:]}
    pub.add_table("Ethnicity denominators", wide, labels=["ethnic_group"], derived=ratio_derived,
                  decimals={c: 2 for c in wide.columns[1:]},
                  caption="Representation ratio with each published population")

    try:
        mix = dp.ethnicity_mix_benchmark(p.la_code)
    except ParameterError:  # an authority the DfE's latest tables no longer list (abolished since)
        report.facts["ethnicity_mix_note"] = pub.text(
            "The DfE's published tables have no ethnic mix of children in care for {la}, so it is not compared "
            "here.", la=p.la_name)
        mix = None
    if mix is not None:
        _ethnicity_mix_table(pub, p, mix)

    def ratio_rows():
        numeric = pub.numeric("Ethnicity ratios")
        numeric = numeric[numeric["ethnic_group"] != "Total"].reset_index(drop=True)
        return numeric.assign(included=True, representation_ratio=numeric["representation_ratio"])

    def ratios_drawn() -> bool:
        return bool(plots.disproportionality.plotted_groups(ratio_rows(), suppress_below=pub.threshold))

    report.charts["ethnicity_ratios"] = (
        lambda: plots.disproportionality.ratio_plot(ratio_rows(), suppress_below=pub.threshold) if ratios_drawn() else None,
        lambda: plots.disproportionality.ratio_plot_alt_text(ratio_rows(), suppress_below=pub.threshold,
                                                             chart=ratios_drawn()))


def _ethnicity_mix_table(pub, p, mix: pd.DataFrame) -> None:
    """The DfE's published ethnic mix: this authority, its neighbours, region and England."""
    mix_year = int(min(p.year, mix["year"].max()))
    latest = mix[mix["year"] == mix_year][["ethnic_group", "la_share", "sn_mean_share", "region_share", "england_share"]]
    latest = latest.assign(**{c: 100 * latest[c] for c in ["la_share", "sn_mean_share", "region_share", "england_share"]})
    pub.add_table("Ethnicity mix compared", latest, labels=["ethnic_group"],
                  public=["la_share", "sn_mean_share", "region_share", "england_share"],
                  caption=f"% of children in care by ethnic group, 31 March {mix_year}: this authority, statistical "
                          "neighbours, region, England (DfE published; includes UASC)")


def _benchmark_section(report: AuthorityReport, data, model: str) -> None:
    from . import benchmarks, plots

    pub, p = report.publication, report.params
    _, end = year_bounds(p.year)
    compare = benchmarks.benchmark_table(p.la_code, p.year, model=model)
    columns = ["indicator_name", "year", "value", "sn_mean", "sn_n", "region_value", "england_value", "rank",
               "rank_of", "band"]
    # counts of children are whole numbers in every column but the neighbours' average
    whole = {name: 0 for name in compare.loc[compare["unit"] == "children", "indicator_name"]}
    pub.add_table("How we compare", compare[columns], labels=["indicator_name"], public=columns[1:],
                  decimals={"year": 0, "value": whole, "sn_mean": 1, "sn_n": 0, "region_value": whole,
                            "england_value": whole, "rank": 0, "rank_of": 0},
                  caption=f"Published indicators against statistical neighbours ({model} model), region and England")
    neighbours = benchmarks.neighbour_table("cla_rate", p.la_code, benchmarks.latest_year("cla_rate", up_to=p.year),
                                            model=model)
    report.charts["neighbours"] = (lambda: plots.benchmarks.neighbour_chart(neighbours),
                                   lambda: plots.benchmarks.neighbour_chart_alt_text(neighbours))
    cla_trend = benchmarks.trend("cla_rate", p.la_code, model=model)
    report.charts["trend"] = (lambda: plots.benchmarks.trend_chart(cla_trend),
                              lambda: plots.benchmarks.trend_chart_alt_text(cla_trend))
    funnel = benchmarks.funnel_data("placements_3plus", benchmarks.latest_year("placements_3plus", up_to=p.year),
                                    la=p.la_code, model=model)
    report.charts["funnel"] = (lambda: plots.benchmarks.funnel_plot(funnel),
                               lambda: plots.benchmarks.funnel_plot_alt_text(funnel))
    report.facts["dfe_published_year"] = p.year <= benchmarks.latest_year("cla_count")
    if not report.facts["dfe_published_year"]:
        return
    own = benchmarks.compare_with_published(data, p.la_code, p.year)
    own_keys = {"cla_31_march": f"in_care:{_iso(end)}", "starting": "children_started:year",
                "ceasing": "children_ceased:year"}
    by_label = dict(zip(own["label"], own["measure"].map(own_keys)))
    pub.add_table("Return vs published", own[["label", "year", "own_count", "published_count", "difference", "release"]],
                  labels=["label"], counts=["own_count"], public=["year", "published_count", "release"],
                  derived={"difference": ["own_count"]}, decimals={"year": 0, "published_count": 0, "difference": 0,
                                                                    "release": 0},
                  key=lambda label, _: by_label.get(label),
                  caption="Counts from the return against the DfE's published figures")
    # a child who starts (or leaves) care twice in the year makes periods and children differ
    for children_key, periods_key, what in [("children_started:year", "starts:Year", "started"),
                                            ("children_ceased:year", "ends:Year", "ended")]:
        if pub.has_cell(children_key) and pub.has_cell(periods_key):
            extra = pub.system.cells[periods_key].value - pub.system.cells[children_key].value
            if extra >= 0:
                pub.add_cell(f"repeat:{what}", extra, displayed=False,
                             where=f"not shown: further periods of care {what} by the same children")
                pub.relate({periods_key: 1, children_key: -1, f"repeat:{what}": -1},
                           source=f"periods {what} = children + repeats")


def _introduction(report: AuthorityReport) -> str:
    pub, p = report.publication, report.params
    years = report.facts.get("collection_years") or []
    from .calendar import year_label

    year_text = ", ".join(year_label(y) for y in years) if years else "an unstated collection year"
    text = pub.text(
        "**{la_name}** (DfE code {la_code}, {region}), reporting year **{label}** (1 April {first} to 31 March "
        "{last}). The SSDA903 return loaded covers {years}: {children} children in the header table and "
        "{reviews} review records.",
        la_name=p.la_name, la_code=p.la_code, region=p.region_name, label=p.label, first=p.year - 1, last=p.year,
        years=year_text, children=report.count("return:children"), reviews=report.count("return:review_records"))
    note = pub.text("{note}", note=pub.hidden_note())
    block = pub.text(
        "**{la_name}** · Independent Reviewing Officer annual report figures **{label}** · produced {today} with "
        "iro_analysis {version}  \nSources: the council's SSDA903 return; DfE *Children looked after in England "
        "including adoptions*; DfE statistical neighbours ({model} model); ONS mid-year population estimates "
        "(ages 0 to 17); {ethnicity}.",
        la_name=p.la_name, label=p.label, today=_long_date(pd.Timestamp.today()), version=_version(),
        model=report.facts.get("model", "2021"), ethnicity=report.facts.get("ethnicity_population", "Census"))
    banner = ""
    if report.facts.get("synthetic"):
        banner = ("> **SYNTHETIC DATA.** This report was made from a synthetic return generated for testing and "
                  "training. It describes no real children, and its figures are not the council's.\n\n")
    return f"{banner}{block}\n\n{text}\n\n{note}"


def _version() -> str:
    from . import __version__

    return __version__


def _write_restricted(report: AuthorityReport) -> list:
    from .export import write_restricted_csv

    folder = report.params.restricted_dir
    written = [write_restricted_csv(frame, folder, name) for name, frame in report.restricted.items()]
    # the audit holds true values of hidden cells: restricted, for the analyst who must defend it
    written.append(write_restricted_csv(report.publication.audit(), folder, "disclosure_audit.csv"))
    return written


def distribution_sentence(report: AuthorityReport) -> str:
    """Whether the ethnic mix differs as a whole; the p-value is coarsened when a group is hidden.

    With every other count published, an exact p-value could be searched for the hidden counts
    that reproduce it, so it is then given only as "below 0.05" or "0.05 or above".
    """
    p_value = report.facts["distribution_p"]
    differs = "differs from" if p_value < 0.05 else "is not clearly different from"
    hidden = report.publication.hidden_mask("Ethnicity ratios")["cic"].any()
    shown = ("p below 0.05" if p_value < 0.05 else "p 0.05 or above") if hidden else f"p = {p_value:.2g}"
    return (f"Taken as a whole, the ethnic mix of children in care {differs} the child population "
            f"({shown}, {report.facts['distribution_method']} test).")


def audit_sentence(report: AuthorityReport, workbook: str) -> str:
    """One sentence on the disclosure audit and the workbook written (no true values)."""
    summary = report.publication.audit_summary()
    return (f"Saved {len(report.publication.tables)} tables to {workbook}. Disclosure check: counts from 1 to "
            f"{summary['threshold'] - 1} hidden; {summary['hidden_cells']} figures shown as c; every hidden "
            f"figure can still be any of at least {summary['required_width'] + 1} values given everything "
            "published here.")
