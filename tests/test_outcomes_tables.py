"""Health checks (OC2), adoption timeliness (AD1) and category of need.

Hand-built tables with the working in comments; the DfE validator's sample OC2 and AD1 files
from the reference mirror; and a synthetic return whose totals must agree with the cohort
tables. Reporting year 2023 = 1 April 2022 - 31 March 2023.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from iro_analysis import ParameterError
from iro_analysis import cohorts as co
from iro_analysis import outcomes_tables as ot
from iro_analysis.reference import find_reference_file

# row order: CHILD, DOB, SDQ_SCORE, SDQ_REASON, HEALTH_CHECK, IMMUNISATIONS, TEETH_CHECK, HEALTH_ASSESSMENT
OC2_COLUMNS = ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
               "HEALTH_ASSESSMENT"]


def frame(rows, columns, dates):
    df = pd.DataFrame(rows, columns=columns)
    for c in dates:
        df[c] = pd.to_datetime(df[c])
    return df


OC2 = frame(
    [
        # ages on 31 March 2023
        ("K1", "2018-03-31", 14, None, None, "1", "0", "1"),  # 5 that day: SDQ cohort, not development
        ("K2", "2018-04-01", None, "SDQ1", "1", "0", "1", "1"),  # 4: development cohort
        ("K3", "2006-04-01", 0, None, None, "1", 1, "0"),  # 16: SDQ cohort; a score of 0 is a score
        ("K4", "2006-03-31", 20, None, None, None, "0", "1"),  # 17: too old for the SDQ row
        ("K5", None, None, None, None, "1", "1", 1.0),  # DOB blank: all-ages rows only
    ],
    OC2_COLUMNS,
    ["DOB"],
)


def by_measure(t):
    return {m: (c, d) for m, c, d in t[["measure", "count", "denominator"]].itertuples(index=False)}


def test_health_checks_hand_worked():
    t = ot.health_checks(SimpleNamespace(oc2=OC2), 2023)
    assert by_measure(t) == {
        "health_assessment": (4, 5),  # K1 K2 K4 K5 (1.0 counts)
        "immunisations": (3, 5),  # K1 K3 K5; K2 "0" and K4 blank do not
        "teeth_check": (3, 5),  # K2 K3 (int 1) K5
        "development_assessment": (1, 1),  # only K2 is 0-4
        "sdq_score": (2, 2),  # K1 (14) and K3 (0) are 5-16; K4's 20 is outside the cohort
    }
    assert t["percent"].tolist() == pytest.approx([80.0, 60.0, 60.0, 100.0, 100.0])
    assert t.attrs["total"] == 5 and t.attrs["total_label"] is None
    assert t.attrs["derived"] == {"percent": ["count", "denominator"]}


def test_health_checks_takes_the_year_of_a_stack():
    old = OC2.assign(collection_year=2022, HEALTH_ASSESSMENT="0")
    stack = pd.concat([old, OC2.iloc[:2].assign(collection_year=2023)], ignore_index=True)
    t = ot.health_checks(SimpleNamespace(oc2=stack), 2023)
    assert by_measure(t)["health_assessment"] == (2, 2)  # the 2023 rows K1 and K2 only, both "1"
    with pytest.raises(ParameterError, match="no rows for the 2024 return.*2022, 2023"):
        ot.health_checks(SimpleNamespace(oc2=stack), 2024)


def test_health_checks_errors_name_the_table_and_column():
    with pytest.raises(ParameterError, match="no oc2 table"):
        ot.health_checks(SimpleNamespace(episodes=None), 2023)
    with pytest.raises(ParameterError, match="TEETH_CHECK"):
        ot.health_checks(SimpleNamespace(oc2=OC2.drop(columns="TEETH_CHECK")), 2023)


def test_health_checks_on_the_validator_sample():
    from iro_analysis import load_ssda903

    path = find_reference_file("oc2.csv", subdir="csc-validator-be-903_fake_data")
    raw = pd.read_csv(path, dtype=str)
    t = ot.health_checks(load_ssda903(path), 2018)
    got = by_measure(t)
    # Oracle: the raw CSV read as text, flags equal to "1", over all 2,675 children.
    for measure, column in (("health_assessment", "HEALTH_ASSESSMENT"), ("immunisations", "IMMUNISATIONS"),
                            ("teeth_check", "TEETH_CHECK")):
        assert got[measure] == ((raw[column] == "1").sum(), len(raw)) == (got[measure][0], 2675)


# ---------------------------------------------------------------------------------------------
# Adoption timeliness
# ---------------------------------------------------------------------------------------------

EP_COLUMNS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"]
ADOPTION_EP = frame(
    [
        # J: entered 10 May 2020, placement order 1 Feb 2021 (L to E1), placed A6 15 Sep 2021,
        # adopted 20 Jun 2022 (E11).
        ("J", "2020-05-10", "S", "C1", "N1", "U6", "2021-02-01", "X1"),
        ("J", "2021-02-01", "L", "E1", "N1", "U6", "2021-09-15", "X1"),
        ("J", "2021-09-15", "P", "E1", "N1", "A6", "2022-06-20", "E11"),
        # K: entered 1 Apr 2021; order and placement with the foster carer 1 Oct 2021 (B, A5);
        # adopted 31 March 2023, the last day of the year (E12).
        ("K", "2021-04-01", "S", "C1", "N1", "U4", "2021-10-01", "X1"),
        ("K", "2021-10-01", "B", "E1", "N1", "A5", "2023-03-31", "E12"),
        # Q: s20 with consent, placed A4 1 May 2022, adopted 30 Nov 2022; no order, no AD1 row.
        ("Q", "2022-01-10", "S", "V2", "N1", "U6", "2022-05-01", "X1"),
        ("Q", "2022-05-01", "P", "V2", "N1", "A4", "2022-11-30", "E11"),
        # M adopted 1 April 2023 (next year); N on 31 March 2022 (last year); R went home.
        ("M", "2021-01-01", "S", "E1", "N1", "A6", "2023-04-01", "E11"),
        ("N", "2020-01-01", "S", "E1", "N1", "A6", "2022-03-31", "E11"),
        ("R", "2021-01-01", "S", "C2", "N1", "U4", "2022-08-01", "E4A"),
    ],
    EP_COLUMNS,
    ["DECOM", "DEC"],
)
AD1 = frame(
    [
        ("J", "2020-12-01", "2021-07-01"),
        ("K", "2021-08-01", "2021-09-01"),  # matched before the placement order: out of order
        ("M", "2020-06-01", "2020-09-01"),
    ],
    ["CHILD", "DATE_INT", "DATE_MATCH"],
    ["DATE_INT", "DATE_MATCH"],
)


def blocks(t):
    return {name: {b: c for b, c in zip(g["band"], g["count"]) if c}
            for name, g in t.groupby("interval", sort=False)}


def test_adoption_timeliness_hand_worked():
    t = ot.adoption_timeliness(SimpleNamespace(episodes=ADOPTION_EP, ad1=AD1), 2023)
    assert blocks(t) == {
        # J 10 May 2020 -> 20 Jun 2022 = 25 months; K 1 Apr 2021 -> 31 Mar 2023 = 23 (not yet 24);
        # Q 10 Jan -> 30 Nov 2022 = 10.
        "care_to_adoption": {"Under 12 months": 1, "18 to under 24 months": 1, "24 to under 36 months": 1,
                             "Total": 3},
        # J -> 15 Sep 2021 = 16 months; K -> 1 Oct 2021 = 6; Q -> 1 May 2022 = 3.
        "care_to_placed": {"Under 12 months": 2, "12 to under 18 months": 1, "Total": 3},
        # J 1 Feb -> 1 Jul 2021 = 5 months; K matched before its order; Q has neither date.
        "placement_order_to_match": {"3 to under 6 months": 1, "Not known": 2, "Total": 3},
        # J 1 Dec 2020 -> 20 Jun 2022 = 18 months; K 1 Aug 2021 -> 31 Mar 2023 = 19; Q no AD1 row.
        "decision_to_adoption": {"18 to under 24 months": 2, "Not known": 1, "Total": 3},
    }
    assert t.attrs["total"] == 3 and t.attrs["blocks"] == "interval"
    care = t.loc[t["interval"] == "care_to_adoption"]
    assert care["percent"].iloc[0] == pytest.approx(100 / 3)


def test_adoption_timeliness_summary_hand_worked():
    s = ot.adoption_timeliness_summary(SimpleNamespace(episodes=ADOPTION_EP, ad1=AD1), 2023).set_index("interval")
    # Entering care to adoption: J 730 + 41 = 771 days, K 365 + 364 = 729, Q 324.
    # Mean 1824 / 3 = 608, median 729.
    assert s.loc["care_to_adoption", ["children", "mean_days", "median_days"]].tolist() == [3, 608, 729]
    # Order to match: J only, 1 Feb -> 1 Jul 2021 = 28 + 31 + 30 + 31 + 30 = 150 days.
    assert s.loc["placement_order_to_match", ["children", "mean_days", "median_days"]].tolist() == [1, 150, 150]
    # children = Total - Not known of the same block of adoption_timeliness
    assert s.attrs["derived"] == {"mean_days": ["children"], "median_days": ["children"]}


def test_adoption_timeliness_without_ad1_keeps_the_episode_intervals():
    data = SimpleNamespace(episodes=ADOPTION_EP)
    t = ot.adoption_timeliness(data, 2023)
    assert list(dict.fromkeys(t["interval"])) == ["care_to_adoption", "care_to_placed"]
    assert "no AD1 table" in t.attrs["notes"]
    assert ot.adoption_timeliness_summary(data, 2023)["interval"].tolist() == ["care_to_adoption", "care_to_placed"]


def test_adoption_timeliness_on_the_validator_sample():
    from iro_analysis import load_ssda903

    folder = find_reference_file("ad1.csv", subdir="csc-validator-be-903_fake_data").parent
    data = co.prepare(load_ssda903([folder / f"{t}.csv" for t in ("episodes", "header", "ad1")]))
    rec = co.leavers_by_quarter(data, 2018, by="REC")
    adopted = int(rec.loc[rec["REC"].isin(["E11", "E12"]), "count"].sum())
    t = ot.adoption_timeliness(data, 2018)
    totals = t.loc[t["band"] == "Total", "count"]
    assert adopted > 0 and len(totals) == 4 and (totals == adopted).all()


# ---------------------------------------------------------------------------------------------
# Category of need
# ---------------------------------------------------------------------------------------------

CIN_EP = frame(
    [
        ("X", "2022-04-01", "S", "C1", "N1", "U6", "2022-06-01", "X1"),  # starts on 1 April: N1
        ("X", "2022-06-01", "L", "C2", "N5", "U6", "2022-09-01", "E4A"),  # need changes later: still N1
        ("X", "2023-01-10", "S", "V2", "N4", "U6", None, None),  # X's second start: N4
        ("Y", "2023-03-31", "S", "V2", "n2", "U6", None, None),  # starts on 31 March, lower case
        ("Z", "2022-07-01", "S", "V2", None, "U6", None, None),  # not recorded
        ("W", "2022-08-01", "S", "V2", "N9", "U6", None, None),  # not a DfE code: shown as itself
        ("S", "2022-08-01", "S", "V3", "N2", "R1", "2022-08-03", "E8"),  # short breaks: left out
        ("V", "2022-03-31", "S", "C1", "N1", "U6", None, None),  # started last year
    ],
    EP_COLUMNS,
    ["DECOM", "DEC"],
)


def test_category_of_need_hand_worked():
    t = ot.category_of_need(SimpleNamespace(episodes=CIN_EP), 2023)
    got = {c: n for c, n in zip(t["CIN"], t["count"]) if n}
    assert got == {"N1": 1, "N2": 1, "N4": 1, "N9": 1, "Not recorded": 1, "Total": 5}
    assert t["CIN"].tolist() == ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "Not recorded", "Total"]
    assert t.loc[t["CIN"] == "N1", "description"].item() == "Abuse or neglect"
    assert t.loc[t["CIN"] == "N9", "description"].item() == "Unknown code 'N9'"
    with pytest.raises(ParameterError, match="CIN"):
        ot.category_of_need(SimpleNamespace(episodes=CIN_EP.drop(columns="CIN")), 2023)


def test_synthetic_category_of_need_and_adoptions_agree_with_cohort_tables(synthetic_wokingham):
    from iro_analysis import load_ssda903

    data = co.prepare(load_ssda903(synthetic_wokingham))
    tables = co.cohort_tables(data, 2023)
    started = tables["summary"].set_index("measure").loc["periods_started", "count"]
    assert ot.category_of_need(data, 2023)["count"].iloc[-1] == started > 0
    rec = tables["leavers_by_rec"]
    adopted = int(rec.loc[rec["REC"].isin(["E11", "E12"]), "count"].sum())
    t = ot.adoption_timeliness(data, 2023)
    assert (t.loc[t["band"] == "Total", "count"] == adopted).all()


def test_adoption_timeliness_reads_ad1_across_a_stack():
    # AD1 rows of a stack: J's from the 2022 return is used (latest row of each child), and a
    # 2023 return without AD1 rows is no error.
    ep = ADOPTION_EP.assign(collection_year=2023)
    ad1 = AD1.assign(collection_year=2022)
    t = ot.adoption_timeliness(SimpleNamespace(episodes=ep, ad1=ad1), 2023)
    assert blocks(t)["placement_order_to_match"] == {"3 to under 6 months": 1, "Not known": 2, "Total": 3}
