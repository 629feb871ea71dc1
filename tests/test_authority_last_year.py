"""Last year beside this year in the authority report, the charts of the later sections and their titles.

A hand-built two-year return (collection years 2022 and 2023) of five children, published with
a threshold of 1 (nothing hidden, internal use only) so that every figure can be checked against
the working below. Reporting year 2023 = 1 April 2022 to 31 March 2023; last year 2022 = 1 April
2021 to 31 March 2022. Quarters: Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar.

    child  DOB         ethnic  period of care                        legal status  ends with
    A      2015-01-01  WBRI    10 May 2021 - 15 Jun 2022              C2 care order  E4A returned home
    B      2006-01-01  MWBC    1 Nov 2021 - 1 Feb 2022                V2 section 20  E45 special guardianship
    C      2022-01-01  ABAN    1 Jul 2022 - open                      C2 care order
    D      2007-06-01  BAFR    10 Jan 2023 - open                     V2 section 20
    E      2010-01-01  WBRI    1 Jan 2020 - open                      C2 care order

Starts this year: C (aged 0: "Under 1 year", Q2), D (aged 15: "10 to 15 years", Q4) -> 2.
Starts last year: A (aged 6: "5 to 9 years"), B (aged 15: "10 to 15 years") -> 2.
Ends this year: A (returned home, Q1) -> 1. Ends last year: B (special guardianship order) -> 1.
In care on 31 March 2023: C, D, E (Asian 1, Black 1, White 1); on 31 March 2022: A, E (White 2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iro_analysis import authority_report
from iro_analysis.authority_last_year import (ethnicity_with_last_year, missing_with_last_year,
                                              participation_with_last_year, quarters_with_last_year)
from iro_analysis.plots import categories
from iro_analysis.report import validate_parameters
from iro_analysis.ssda903 import SSDA903, load_ssda903, write_return

T = pd.Timestamp

HEADER = pd.DataFrame({"CHILD": list("ABCDE"), "SEX": ["F", "M", "F", "M", "F"],
                       "DOB": [T("2015-01-01"), T("2006-01-01"), T("2022-01-01"), T("2007-06-01"), T("2010-01-01")],
                       "ETHNIC": ["WBRI", "MWBC", "ABAN", "BAFR", "WBRI"]})
EPISODES = {
    # A and E were in care during both years, B only last year, C and D only this year
    2022: [("A", "2021-05-10", "C2", None, None), ("B", "2021-11-01", "V2", "2022-02-01", "E45"),
           ("E", "2020-01-01", "C2", None, None)],
    2023: [("A", "2021-05-10", "C2", "2022-06-15", "E4A"), ("C", "2022-07-01", "C2", None, None),
           ("D", "2023-01-10", "V2", None, None), ("E", "2020-01-01", "C2", None, None)],
}
REVIEWS = {
    # last year: PN1 x3 (A twice, E), PN3 x1 (B) -> 4 reviews, 75% and 25%
    2022: [("A", "2021-06-01", "PN1"), ("A", "2021-09-01", "PN1"), ("B", "2021-12-01", "PN3"),
           ("E", "2021-07-01", "PN1")],
    # this year: PN0 (C), PN1 (E), PN3 (D), PN5 (E) -> 4 reviews, 25% each
    2023: [("C", "2022-07-20", "PN0"), ("E", "2022-07-01", "PN1"), ("D", "2023-02-01", "PN3"),
           ("E", "2023-01-01", "PN5")],
}
MISSING = {
    # last year: E missing (M) 1 Aug 2021, away (A) 1 Oct 2021 -> 1 missing, 1 away, 1 child
    2022: [("E", "M", "2021-08-01", "2021-08-02"), ("E", "A", "2021-10-01", "2021-10-01")],
    # this year: E missing 1 May 2022 (Q1), D missing 15 Feb 2023 (Q4) -> 2 missing, 0 away, 2 children
    2023: [("E", "M", "2022-05-01", "2022-05-02"), ("D", "M", "2023-02-15", "2023-02-16")],
}


def _year_return(year: int) -> SSDA903:
    children = sorted({row[0] for row in EPISODES[year]})
    header = HEADER[HEADER["CHILD"].isin(children)].reset_index(drop=True)
    dob = dict(zip(HEADER["CHILD"], HEADER["DOB"]))
    episodes = pd.DataFrame(EPISODES[year], columns=["CHILD", "DECOM", "LS", "DEC", "REC"]).assign(
        RNE="S", CIN="N1", PLACE="U4", PLACE_PROVIDER="PR1")
    episodes["DECOM"], episodes["DEC"] = pd.to_datetime(episodes["DECOM"]), pd.to_datetime(episodes["DEC"])
    reviews = pd.DataFrame(REVIEWS[year], columns=["CHILD", "REVIEW", "REVIEW_CODE"])
    reviews["REVIEW"] = pd.to_datetime(reviews["REVIEW"])
    reviews["DOB"] = reviews["CHILD"].map(dob)
    missing = pd.DataFrame(MISSING[year], columns=["CHILD", "MISSING", "MIS_START", "MIS_END"])
    missing["MIS_START"], missing["MIS_END"] = pd.to_datetime(missing["MIS_START"]), pd.to_datetime(missing["MIS_END"])
    missing["DOB"] = missing["CHILD"].map(dob)
    oc2 = None
    if year == 2023:
        # E, in care since 2020, is the one child looked after for 12 months on 31 March 2023 (aged 13):
        # health assessment yes, immunisations yes, dentist no, SDQ score 12 (ages 5-16)
        oc2 = pd.DataFrame({"CHILD": ["E"], "DOB": [dob["E"]], "HEALTH_ASSESSMENT": ["1"], "IMMUNISATIONS": ["1"],
                            "TEETH_CHECK": ["0"], "HEALTH_CHECK": [None], "SDQ_SCORE": ["12"]})
    return SSDA903(header=header, episodes=episodes, reviews=reviews, missing=missing, oc2=oc2)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hand") / "872"
    for year in (2022, 2023):
        write_return(_year_return(year), folder / str(year), collection_year=year)
    return folder


def _build(folder, tmp_path, threshold=1):
    params = validate_parameters("872", 2023, data_dir=folder, output_dir=tmp_path, suppression_threshold=threshold,
                                 allow_other_authority=True)  # five children: far smaller than Wokingham
    return authority_report.build(params, load_ssda903(folder), allow_unsafe_threshold=threshold < 5)


@pytest.fixture(scope="module")
def hand_report(two_years, tmp_path_factory):
    return _build(two_years, tmp_path_factory.mktemp("out"))


def _column(report, name, label_column, column):
    return report.publication.numeric(name).set_index(label_column)[column]


def test_starters_and_leavers_carry_last_years_total_per_row(hand_report):
    # B: last year A (5 to 9) and B (10 to 15) started; this year C (under 1) and D (10 to 15)
    age = _column(hand_report, "B Starters by age", "age_band", "last_year")
    assert age.to_dict() == {"Under 1 year": 0, "1 to 4 years": 0, "5 to 9 years": 1, "10 to 15 years": 1,
                             "16 years and over": 0, "Total": 2}
    assert _column(hand_report, "B Starters by age", "age_band", "Year")["Total"] == 2
    # C: last year A under a care order, B under section 20
    legal = _column(hand_report, "C Starters by legal status", "legal_status", "last_year")
    assert legal["Care order"] == 1 and legal["Section 20"] == 1 and legal["Total"] == 2
    # J: last year B left under a special guardianship order; this year A returned home
    leavers = hand_report.publication.numeric("J Leavers by reason").set_index("reason")
    assert leavers.loc["Special guardianship order", "last_year"] == 1
    assert leavers.loc["Returned home", ["Year", "last_year"]].tolist() == [1, 0]
    assert leavers.loc["Total", "last_year"] == 1


def test_starters_chart_names_last_year_in_its_title_and_draws_only_quarters(hand_report):
    # this year 2 starts (C under 1, D aged 15: one each, so no band is "most often"); last year 2
    text = hand_report.charts["starters_by_age"][1]()
    assert "2 starts in care in 2022-23 (2 the year before)." in text
    assert "last_year" not in text and "most often" not in text


def test_last_years_totals_are_the_summarys_cells(hand_report):
    pub = hand_report.publication
    for name, prefix in [("B Starters by age", "starts"), ("C Starters by legal status", "starts"),
                         ("J Leavers by reason", "ends")]:
        table = pub.tables[name]
        assert table.keys[(table.total_row, "last_year")] == f"{prefix}_prev:Year"
        assert table.keys[(table.total_row, "Year")] == f"{prefix}:Year"
    summary = pub.tables["Summary"]
    assert "starts_prev:Year" in summary.keys.values() and "ends_prev:Year" in summary.keys.values()
    # the quarters still add up to the year, and last year's column is not one of them
    relations = [r for r in pub.system.relations if "B Starters by age: row Total" in r.source]
    assert relations and all("starts_prev:Year" not in r.terms for r in relations)


def test_participation_with_last_years_count_and_percent(hand_report):
    n = hand_report.publication.numeric("N Participation").set_index("REVIEW_CODE")
    # this year 4 reviews: PN0, PN1, PN3, PN5 one each -> 25% each
    assert n.loc["Total", "Year"] == 4
    assert n.loc[["PN0", "PN1", "PN3", "PN5"], "percent"].tolist() == pytest.approx([25, 25, 25, 25])
    # last year 4 reviews: PN1 three (75%), PN3 one (25%), PN0 and PN5 none
    assert n.loc[["PN0", "PN1", "PN3", "PN5", "Total"], "last_year"].tolist() == [0, 3, 1, 0, 4]
    assert n.loc[["PN1", "PN3", "PN5"], "percent_last_year"].tolist() == pytest.approx([75, 25, 0])


def test_missing_gives_last_years_total_row(hand_report):
    missing = hand_report.publication.numeric("L Missing").set_index("quarter_label")
    # this year: 2 missing (E in Q1, D in Q4), none away, 2 children
    assert missing.loc["2022-23", ["missing_episodes", "away_episodes", "children"]].tolist() == [2, 0, 2]
    # last year: E missing once and away once -> 1, 1, 1 child
    assert missing.loc["2021-22 (last year)", ["missing_episodes", "away_episodes", "children"]].tolist() == [1, 1, 1]


def test_ethnicity_ratios_with_last_years_children_in_care(hand_report):
    ratios = hand_report.publication.numeric("Ethnicity ratios").set_index("ethnic_group")
    # 31 March 2022: A and E, both White -> White 2 (100%), every other group 0
    assert ratios.loc["White", ["cic_last_year", "cic_percent_last_year"]].tolist() == [2, 100]
    assert ratios.loc["Total", "cic_last_year"] == 2
    assert (ratios.drop(["White", "Total"])["cic_last_year"] == 0).all()
    # 31 March 2023: C (Asian), D (Black), E (White) -> one each
    assert ratios.loc[["White", "Asian", "Black"], "cic"].tolist() == [1, 1, 1]
    table = hand_report.publication.tables["Ethnicity ratios"]
    assert table.keys[(table.total_row, "cic_last_year")] == "cic_nonuasc_prev:known"
    # F's last-year column is keyed so that last year's UASC of each group is protected like this year's
    assert hand_report.publication.has_cell("uasc_eth_prev:White")


def test_health_checks_chart_title_from_the_published_percentages(hand_report):
    health = hand_report.publication.numeric("H Health checks").set_index("measure")
    # one child in the OC2 cohort: assessment 1/1, immunisations 1/1, dentist 0/1, SDQ 1/1; none aged 0-4
    assert health["percent"].drop("development_assessment").tolist() == [100, 100, 0, 100]
    assert pd.isna(health.loc["development_assessment", "percent"])  # 0 of 0: no percentage
    draw, describe = hand_report.charts[hand_report.facts["table_charts"]["H Health checks"]]
    # three measures tie at 100%, so none is named; the dentist is the lowest (0%)
    title = ("Health checks: highest 3 measures (100%), lowest Had their teeth checked by a dentist (0%) "
             "(of the figures shown)")
    text = describe()
    assert title in text
    # the table leaves the 0-of-0 percentage empty, not "c": so does the description
    assert "Development assessments up to date (ages 0 to 4): no figure" in text and ": c" not in text
    assert hand_report.publication.published("H Health checks")["percent"].tolist()[3] == ""
    ax = draw()
    assert ax.get_title().replace("\n", " ") == title and ax.get_xlim() == (0, 100)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_one_year_return_has_no_last_year_columns(synthetic_rutland, tmp_path):
    params = validate_parameters("857", 2023, data_dir=synthetic_rutland, output_dir=tmp_path)
    report = authority_report.build(params, load_ssda903(synthetic_rutland))
    pub = report.publication
    for name in ["B Starters by age", "C Starters by legal status", "J Leavers by reason", "N Participation",
                 "Ethnicity ratios"]:
        columns = set(pub.tables[name].frame.columns)
        assert not {"last_year", "percent_last_year", "cic_last_year", "cic_percent_last_year"} & columns, name
    if "L Missing" in pub.tables:
        assert not pub.tables["L Missing"].frame["quarter_label"].str.contains("last year").any()
    assert "percent" not in pub.tables["N Participation"].frame.columns


def test_two_year_return_with_the_new_columns_stays_safe(two_years, tmp_path):
    """With the usual threshold every count of the tiny return is hidden or safe, and the audit holds."""
    report = _build(two_years, tmp_path, threshold=5)
    pub = report.publication
    assert pub.audit_summary()["all_safe"]
    assert "last_year" in pub.tables["B Starters by age"].frame.columns
    for name, table in pub.tables.items():
        numeric = pub.numeric(name)
        for column in table.counts:
            values = numeric[column].dropna()
            assert not ((values > 0) & (values < 5)).any(), (name, column)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(10, 40), seed=st.integers(0, 10_000))
def test_small_two_year_returns_with_last_year_columns_stay_safe(synthetic_wokingham, tmp_path_factory, size, seed):
    """Random small subsets of a two-year return: no displayed count from 1 to 4, the audit safe."""
    from iro_analysis.errors import DisclosureError

    children = sorted(load_ssda903(synthetic_wokingham).header["CHILD"].astype(str).unique())
    chosen = set(np.random.default_rng(seed).choice(children, size=size, replace=False))
    folder = tmp_path_factory.mktemp("subset") / "872"
    for csv in synthetic_wokingham.glob("20*/*.csv"):  # every table of both collection years
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        target = folder / csv.parent.name / csv.name
        target.parent.mkdir(parents=True, exist_ok=True)
        frame[frame["CHILD"].isin(chosen)].to_csv(target, index=False)
    params = validate_parameters("872", 2023, data_dir=folder, output_dir=tmp_path_factory.mktemp("out"))
    try:
        report = authority_report.build(params, load_ssda903(folder), identifiers=sorted(chosen))
    except DisclosureError as error:
        assert "could be worked out" in str(error)  # refusing is acceptable; publishing a small count is not
        return
    pub = report.publication
    assert "last_year" in pub.tables["B Starters by age"].frame.columns
    assert pub.audit_summary()["all_safe"]
    for key, cell in pub.system.cells.items():
        if cell.displayed and 0 < cell.value < pub.threshold:
            assert pub.count_text(key) == "c", key
    for name, table in pub.tables.items():
        for column in table.counts:
            values = pub.numeric(name)[column].dropna()
            assert not ((values > 0) & (values < pub.threshold)).any(), (name, column)


def test_pure_layouts_on_tiny_tables():
    # a reason seen only last year is added with zeros this year; the total row stays last
    now = pd.DataFrame({"reason": ["Adopted", "Total"], "Q1": [2, 2], "Q2": [0, 0], "Q3": [0, 0], "Q4": [1, 1],
                        "Year": [3, 3]})
    then = pd.DataFrame({"reason": ["Other", "Total"], "Q1": [1, 1], "Q2": [0, 0], "Q3": [0, 0], "Q4": [0, 0],
                         "Year": [1, 1]})
    out = quarters_with_last_year(now, then)
    assert out[["reason", "Year", "last_year"]].values.tolist() == [["Adopted", 3, 0], ["Other", 0, 1], ["Total", 3, 1]]
    # participation: 8 reviews this year (PN1 6 = 75%), 10 last year (PN1 5 = 50%, PN2 5 = 50%)
    table = pd.DataFrame({"REVIEW_CODE": ["PN1", "PN2", "Total"], "description": ["speaks", "advocate", "All"],
                          "Q1": [6, 2, 8], "Q2": [0, 0, 0], "Q3": [0, 0, 0], "Q4": [0, 0, 0], "Year": [6, 2, 8]})
    before = pd.DataFrame({"REVIEW_CODE": ["PN1", "PN2", "Total"], "Q1": [5, 5, 10], "Q2": [0, 0, 0],
                           "Q3": [0, 0, 0], "Q4": [0, 0, 0], "Year": [5, 5, 10]})
    n = participation_with_last_year(table, before, str).set_index("REVIEW_CODE")
    assert n["percent"].tolist() == [75, 25, 100] and n["percent_last_year"].tolist() == [50, 50, 100]
    assert list(n.columns[-4:]) == ["Year", "percent", "last_year", "percent_last_year"]
    # missing: last year's year row (the last row) is added under this year's
    cols = ["quarter_label", "missing_episodes"]
    now = pd.DataFrame({"quarter_label": ["Q1", "2022-23"], "missing_episodes": [3, 3]})
    then = pd.DataFrame({"quarter_label": ["Q1", "2021-22"], "missing_episodes": [7, 7]})
    assert missing_with_last_year(now, then)[cols].values.tolist()[-1] == ["2021-22 (last year)", 7]
    # ethnicity: last year White 6, Asian 2 of the groups compared (8): 75% and 25%; Black not compared
    frame = pd.DataFrame({"ethnic_group": ["White", "Asian"], "cic": [5, 5]})
    before = pd.DataFrame({"ethnic_group": ["White", "Asian", "Black"], "count": [6, 2, 1]})
    out = ethnicity_with_last_year(frame, before)
    assert out["cic_last_year"].tolist() == [6, 2]
    assert out["cic_percent_last_year"].tolist() == pytest.approx([75, 25])


# --- charts and their headline titles -------------------------------------------------------------


def test_headline_title_claims_the_largest_only_when_hidden_counts_cannot_beat_it():
    # shown 44 and 13, two hidden; total 67 -> the hidden add up to 67 - 57 = 10 < 44: a safe claim
    table = pd.DataFrame({"label": ["Foster", "Parents", "Independent", "Homes", "Total"],
                          "count": [44, np.nan, 13, np.nan, 67]})
    assert categories.category_title(table, what="periods of care", noun="placement") == \
        "Most common placement: Foster (44 of 67, 66%)"  # 44 / 67 = 65.67% -> 66%
    # shown 6 and 5, two hidden adding up to 20 - 11 = 9 >= 6: a hidden one might be larger, no claim
    table = pd.DataFrame({"label": ["A", "B", "C", "D", "Total"], "count": [6, 5, np.nan, np.nan, 20]})
    assert categories.category_title(table, what="challenges", noun="reason") == "20 challenges"
    # "Not recorded" is never the finding: 29 of 97 is the most common recorded reason (51 not recorded)
    table = pd.DataFrame({"label": ["Care plan", "Child asked", "Not recorded", "Total"], "count": [29, 17, 51, 97]})
    assert categories.category_title(table, what="placements", noun="recorded reason", not_ranked=["Not recorded"]) \
        == "Most common recorded reason: Care plan (29 of 97, 30%)"  # 29 / 97 = 29.9% -> 30%
    # the total hidden: no figure in the title at all
    table = pd.DataFrame({"label": ["A", "Total"], "count": [np.nan, np.nan]})
    assert categories.category_title(table, what="challenges", noun="reason") == "Challenges by reason"


def test_alt_text_says_c_exactly_where_the_table_hides_a_value():
    table = pd.DataFrame({"label": ["Foster", "Parents", "Adoption", "Total"], "count": [44, np.nan, 0, 50]})
    text = categories.category_bars_alt_text(table, what="periods of care", noun="placement")
    assert "Foster: 44" in text and "Parents: c" in text and "Adoption" not in text  # zeros are left off
    assert "None in the 1 other row of the table." in text
    health = pd.DataFrame({"description": ["Teeth checked", "Health assessment", "Immunisations"],
                           "count": [45, np.nan, 40], "denominator": [50, 50, 50], "percent": [90.0, np.nan, 80.0]})
    text = categories.percent_bars_alt_text(health)
    assert "Teeth checked: 90%" in text and "Health assessment: c" in text and "Immunisations: 80%" in text
    # 45 / 50 = 90% highest, 40 / 50 = 80% lowest, among the figures shown
    assert categories.percent_title(health) == ("Health checks: highest Teeth checked (90%), lowest Immunisations "
                                                "(80%) (of the figures shown)")
    caseloads = pd.DataFrame({"month": ["2022-04", "2022-05", "2022-06"], "children_per_fte": [45.3, np.nan, 41.0]})
    text = categories.caseload_chart_alt_text(caseloads)
    assert "2022-05: c" in text and "2022-04: 45.3" in text
    # 41.0 to 45.3, both under 50
    assert categories.caseload_title(caseloads) == ("Children per full-time IRO: between 41 and 45 in the months "
                                                    "shown, below the IRO Handbook's 50 to 70")


def test_new_sections_have_charts_drawn_from_published_values(synthetic_wokingham, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from iro_analysis import plots

    params = validate_parameters("872", 2023, data_dir=synthetic_wokingham, output_dir=tmp_path)
    report = authority_report.build(params, load_ssda903(synthetic_wokingham))
    charts = report.facts["table_charts"]
    assert {"P1 Placement at entry", "P4 Why placements ended", "O1 IRO caseloads", "O2 Escalations by stage",
            "O3 Escalations by reason"} <= set(charts)
    pub = report.publication
    entry = pub.numeric("P1 Placement at entry")
    draw, describe = report.charts[charts["P1 Placement at entry"]]
    text = describe()
    for name, count in zip(entry["placement"], entry["count"]):
        if name != "Total" and (pd.isna(count) or count > 0):
            assert f"{name}: {'c' if pd.isna(count) else f'{int(count):,}'}" in text
    ax = draw()
    assert ax.get_title().replace("\n", " ") in text  # the title is the description's finding
    svg = plots.render(ax, format="svg")
    assert "<svg" in svg and len(svg) < 40_000
    matplotlib.pyplot.close("all")


def test_care_history_tables_with_last_year(hand_report):
    # Every episode of the hand return is PLACE U4 (foster care) and CIN N1, with no placement moves.
    # P1/P5, starts: this year C and D -> 2; last year A and B -> 2 (all "Foster placements", all N1).
    # P2: starts 2 both years, moves 0 both years.
    # P3: in care on 31 March 2023 C, D, E (1 placement each) -> 3; on 31 March 2022 A, E -> 2.
    # P4: no placement ended with a move in either year: every row 0, and no percentage of none.
    pub = hand_report.publication
    p1 = pub.numeric("P1 Placement at entry").set_index("placement")
    assert p1.loc["Foster placements", ["last_year", "percent_last_year", "count", "percent"]].tolist() == \
        [2, 100.0, 2, 100.0]
    assert p1.loc["Total", "last_year"] == 2 and p1["last_year"].drop("Total").sum() == 2
    p2 = pub.numeric("P2 Placements started").set_index("start_type")
    assert p2.loc["Start of a period of care", ["last_year", "count"]].tolist() == [2, 2]
    assert p2.loc["Placement move", ["last_year", "count"]].tolist() == [0, 0]
    p3 = pub.numeric("P3 Placement moves").set_index("placements")
    assert p3.loc["1 placement", ["last_year", "count"]].tolist() == [2, 3]
    assert p3.loc["Total", ["last_year", "count"]].tolist() == [2, 3]
    p4 = pub.numeric("P4 Why placements ended")
    assert (p4["last_year"] == 0).all() and p4["percent_last_year"].isna().all()
    p5 = pub.numeric("P5 Category of need").set_index("CIN")
    assert p5.loc["N1", ["last_year", "count"]].tolist() == [2, 2]
    # last year's totals are the cells the Summary and table D show for last year
    keys = {name: pub.tables[name].keys for name in ("P1 Placement at entry", "P3 Placement moves")}
    assert keys["P1 Placement at entry"][(pub.tables["P1 Placement at entry"].total_row, "last_year")] == \
        "starts_prev:Year"
    assert keys["P3 Placement moves"][(pub.tables["P3 Placement moves"].total_row, "last_year")] == \
        "in_care:2022-03-31"


def test_one_year_return_has_no_last_year_in_care_history(synthetic_rutland, tmp_path):
    params = validate_parameters("857", 2023, data_dir=synthetic_rutland, output_dir=tmp_path)
    pub = authority_report.build(params, load_ssda903(synthetic_rutland)).publication
    assert "P1 Placement at entry" in pub.tables and "P3 Placement moves" in pub.tables
    assert len(pub.tables["E Sex"].frame.columns) == 1 + 4  # the four quarter ends of this year only
    for name in ["P1 Placement at entry", "P2 Placements started", "P3 Placement moves", "P4 Why placements ended",
                 "P5 Category of need"]:
        if name in pub.tables:
            assert not {"last_year", "percent_last_year"} & set(pub.tables[name].frame.columns), name


def test_report_prints_counts_as_whole_numbers_and_no_code_names(hand_report):
    # "How we compare" mixes counts of children with rates: the counts read "135", never "135.0";
    # the reconciliation's descriptions are plain English (no metric code such as reviews_held).
    import re

    pub = hand_report.publication
    compare = pub.published("How we compare").set_index("indicator_name")
    counts = [name for name in compare.index if name.startswith("Children") and "per 10,000" not in name]
    assert counts, compare.index.tolist()
    for name in counts:
        for column in ("value", "region_value", "england_value"):
            assert not compare.loc[name, column].endswith(".0"), (name, column, compare.loc[name, column])
    descriptions = " ".join(pub.published("M2 Timeliness reconciliation")["description"])
    assert re.findall(r"\b[a-z]+_[a-z_]+\b", descriptions) == []


def test_building_the_chain_once_changes_no_figure(two_years, tmp_path, monkeypatch):
    # build() prepares the return's episode chain once for every section (cohorts.prepared_once);
    # with the chain rebuilt at every call instead, every table, description and audit row is the same.
    import contextlib

    from iro_analysis import cohorts

    once = _build(two_years, tmp_path / "once")
    monkeypatch.setattr(cohorts, "prepared_once", contextlib.nullcontext)
    every_call = _build(two_years, tmp_path / "every")
    assert list(once.publication.tables) == list(every_call.publication.tables)
    for name in once.publication.tables:
        assert once.publication.html(name) == every_call.publication.html(name), name
    pd.testing.assert_frame_equal(once.publication.audit(), every_call.publication.audit())
    assert once.charts.keys() == every_call.charts.keys()
    for name, (_, describe) in once.charts.items():
        assert describe() == every_call.charts[name][1](), name


def test_sex_table_starts_with_last_years_31_march(hand_report):
    # In care on 31 March 2022: A and E (both F) -> F 2, M 0, total 2 (the Summary's cell of that
    # day). On 31 March 2023: C (F), D (M), E (F) -> F 2, M 1, total 3.
    pub = hand_report.publication
    table = pub.numeric("E Sex").set_index("sex")
    assert list(table.columns)[0] == "31 Mar 2022" and list(table.columns)[-1] == "31 Mar 2023"
    assert table.loc["Total", "31 Mar 2022"] == 2 and table.loc["Total", "31 Mar 2023"] == 3
    assert table["31 Mar 2022"].drop("Total").sum() == 2
    assert table.loc["Total", "31 Mar 2023"] - table["31 Mar 2023"].drop("Total").sum() == 0
    e = pub.tables["E Sex"]
    assert e.keys[(e.total_row, "31 Mar 2022")] == "in_care:2022-03-31"


def test_last_years_tables_are_the_full_calls_and_only_those_the_sections_read(two_years, hand_report):
    from iro_analysis.cohorts import cohort_tables

    full = cohort_tables(load_ssda903(two_years), 2022)
    kept = hand_report.facts["previous_tables"]
    assert list(kept) == [name for name in full if name in authority_report._PREVIOUS_COHORT_TABLES]
    assert "missing_by_quarter" in kept and "participation_by_quarter" not in kept
    for name, table in kept.items():
        pd.testing.assert_frame_equal(table, full[name])
