"""Placement tables: type on entry, placements started, moves, reasons placements ended,
distance from home and out-of-area placements.

A hand-built return with the working in comments, then a synthetic return whose totals must
agree with the cohort tables. Reporting year 2023 = 1 April 2022 - 31 March 2023.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from iro_analysis import ParameterError
from iro_analysis import care_history as chh
from iro_analysis import cohorts as co

COLUMNS = ["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC", "REASON_PLACE_CHANGE", "PL_DISTANCE", "PL_LA"]


def episodes(rows):
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["DECOM"] = pd.to_datetime(df["DECOM"])
    df["DEC"] = pd.to_datetime(df["DEC"])
    return df


EP = episodes(
    [
        # A: in care since 2021. Legal status only on 1 Jun 2022 (L: same placement), then a move
        # on 1 Sep (P). The reason is on the ending episode (CREQB); the "OTHER" on the new episode
        # is where the DfE does not record it and must not be read. Placements in the year: U4, U6 = 2.
        ("A", "2021-06-01", "S", "C2", "U4", "2022-06-01", "X1", None, 1.0, None),
        ("A", "2022-06-01", "L", "E1", "U4", "2022-09-01", "X1", "CREQB", 1.0, None),
        ("A", "2022-09-01", "P", "E1", "U6", None, None, "OTHER", 25.0, " e08000018"),
        # B: two periods. Period 1 starts 1 Apr 2022 (in the year), moves 1 May (CARPL), a holiday
        # (T2) 1-10 Jul and back: not a move. Returned home 1 Oct. Period 2 from 15 Jan 2023 in a
        # children's home. Placements in the year: U6, U6 (from 1 May), K2 = 3.
        ("B", "2022-04-01", "S", "V2", "U6", "2022-05-01", "X1", "CARPL", None, None),
        ("B", "2022-05-01", "P", "V2", "U6", "2022-07-01", "X1", None, None, None),
        ("B", "2022-07-01", "P", "V2", "T2", "2022-07-10", "X1", None, None, None),
        ("B", "2022-07-10", "P", "V2", "U6", "2022-10-01", "E4A", None, None, None),
        ("B", "2023-01-15", "S", "C1", "K2", None, None, None, 3.2, "E08000019"),
        # C: moves on 1 April 2022 (ALLEG): the old placement ended as the year began, so only the
        # new one is a placement of the year (1), but the move is in the year.
        ("C", "2020-01-01", "S", "C2", "U4", "2022-04-01", "X1", "ALLEG", None, None),
        ("C", "2022-04-01", "P", "C2", "U6", None, None, None, 5.0, None),
        # D: moves on 31 March 2023 with a change of legal status (B), reason not recorded on the
        # ending episode: 2 placements, one "Not recorded" reason.
        ("D", "2021-01-01", "S", "C2", "U4", "2023-03-31", "X1", None, None, None),
        ("D", "2023-03-31", "B", "E1", "A6", None, None, None, None, "E08000018"),
        # E: starts 1 Jun 2022; foster placement becomes long-term with the same carer (T, PLACE):
        # a move only with same_carer=True.
        ("E", "2022-06-01", "S", "V2", "U6", "2022-08-01", "X1", "PLACE", None, None),
        ("E", "2022-08-01", "T", "V2", "U4", None, None, None, 20.0, "E06000001"),
        # F: starts 1 May 2022 (R1), leaves on 31 March 2023: a starter, not in care at the end.
        ("F", "2022-05-01", "S", "V2", "R1", "2023-03-31", "E8", None, 60.0, "E06000001"),
        # G: short breaks only: left out. H: starts 1 April 2023, after the year.
        ("G", "2022-06-01", "S", "V3", "R1", "2022-06-03", "E8", None, None, None),
        ("H", "2023-04-01", "S", "C1", "U6", None, None, None, None, None),
        # P: left on 31 March 2022, before the year.
        ("P", "2019-01-01", "S", "C2", "U4", "2022-03-31", "E4A", None, None, None),
    ]
)
DATA = SimpleNamespace(episodes=EP)
# In care at the end of 31 March 2023: A, B, C, D, E (F left that day, H starts later) = 5.


def as_dict(table, label):
    return dict(zip(table[label], table["count"]))


def test_placement_at_entry_hand_worked():
    t = chh.placement_at_entry(DATA, 2023)
    # starts in the year: B (1 Apr, U6), B again (15 Jan, K2), E (U6), F (R1); G short breaks,
    # H after the year. Foster 2, secure/children's homes 1, other residential 1.
    got = as_dict(t, "placement")
    assert got["Foster placements"] == 2
    assert got["Secure homes and children's homes"] == 1
    assert got["Other residential settings"] == 1
    assert got["Placed for adoption"] == 0
    assert got["Total"] == 4 and t.attrs["total"] == 4
    assert t["placement"].iloc[-1] == "Total" and t["percent"].iloc[0] == pytest.approx(50.0)
    assert t.attrs["derived"] == {"percent": ["count", "@total"]} and t.attrs["counts"] == ["count"]
    assert got["Total"] == co.year_summary(DATA, 2023).set_index("measure").loc["periods_started", "count"]


def test_placement_at_entry_by_code_has_descriptions():
    t = chh.placement_at_entry(DATA, 2023, by="PLACE")
    assert as_dict(t, "PLACE") == {"U6": 2, "K2": 1, "R1": 1, "Total": 4}
    assert t.loc[t["PLACE"] == "K2", "description"].item() == "Children's home"


def test_placements_started():
    t = chh.placements_started(DATA, 2023)
    # 4 period starts (B twice, E, F); moves in the year: A 1 Sep, B 1 May, C 1 Apr, D 31 Mar = 4.
    # The holiday and the return from it, A's legal-status change and E's same-carer change are not moves.
    assert as_dict(t, "start_type") == {"Start of a period of care": 4, "Placement move": 4, "Total": 8}
    t = chh.placements_started(DATA, 2023, same_carer=True)
    assert as_dict(t, "start_type")["Placement move"] == 5  # + E's T episode


def test_placement_moves_hand_worked():
    t = chh.placement_moves(DATA, 2023)
    # A 2, B 3, C 1, D 2, E 1 -> one placement C, E; two A, D; three or more B.
    assert as_dict(t, "placements") == {"1 placement": 2, "2 placements": 2, "3 or more placements": 1, "Total": 5}
    assert t["percent"].tolist() == pytest.approx([40.0, 40.0, 20.0, 100.0])
    t = chh.placement_moves(DATA, 2023, same_carer=True)
    # E now has 2 placements.
    assert as_dict(t, "placements") == {"1 placement": 1, "2 placements": 3, "3 or more placements": 1, "Total": 5}


def test_placement_moves_total_is_children_in_care_at_year_end():
    assert chh.placement_moves(DATA, 2023)["count"].iloc[-1] == len(co.in_care_on(DATA, "2023-03-31"))


def test_placement_end_reasons_hand_worked():
    t = chh.placement_end_reasons(DATA, 2023)
    # Moves in the year and the reason on the episode that ended: A CREQB, B CARPL, C ALLEG,
    # D blank -> Not recorded. A's "OTHER" (on the new episode) is not read.
    got = {k: v for k, v in as_dict(t, "REASON_PLACE_CHANGE").items() if v}
    assert got == {"CARPL": 1, "ALLEG": 1, "CREQB": 1, "Not recorded": 1, "Total": 4}
    assert t["REASON_PLACE_CHANGE"].tolist()[:12] == list(chh.codes.descriptions("REASON_PLACE_CHANGE"))
    assert t.loc[t["REASON_PLACE_CHANGE"] == "ALLEG", "description"].item() == "Allegation (s47)"
    with_same = as_dict(chh.placement_end_reasons(DATA, 2023, same_carer=True), "REASON_PLACE_CHANGE")
    assert with_same["PLACE"] == 1 and with_same["Total"] == 5


def test_placement_end_reasons_needs_the_column():
    with pytest.raises(ParameterError, match="REASON_PLACE_CHANGE"):
        chh.placement_end_reasons(SimpleNamespace(episodes=EP.drop(columns="REASON_PLACE_CHANGE")), 2023)


def test_distance_from_home_hand_worked():
    t = chh.distance_from_home(DATA, 2023)
    # Current episodes on 31 March: A 25.0, B 3.2, C 5.0 (boundary: 5 or less), D blank, E 20.0
    # (boundary: 20 or less). F (60) left that day; A's earlier episodes (1.0) are not current.
    assert as_dict(t, "band") == {"5 miles or less": 2, "Over 5 to 10 miles": 0, "Over 10 to 20 miles": 1,
                                  "Over 20 to 50 miles": 1, "Over 50 miles": 0, "Not known": 1, "Total": 5}
    t = chh.distance_from_home(DATA, 2023, edges=(20,))
    assert as_dict(t, "band") == {"20 miles or less": 3, "Over 20 miles": 1, "Not known": 1, "Total": 5}


def test_distance_from_home_without_the_column_says_why():
    with pytest.raises(ParameterError, match="PL_DISTANCE.*HOME_POST and PL_POST"):
        chh.distance_from_home(SimpleNamespace(episodes=EP.drop(columns="PL_DISTANCE")), 2023)


def test_out_of_area_from_pl_la():
    t = chh.out_of_area(DATA, 2023, authority_codes=["E08000018"])
    # A " e08000018" (cleaned) and D inside; B E08000019 and E E06000001 outside; C blank.
    assert as_dict(t, "location") == {"Inside the authority": 2, "Outside the authority": 2, "Not known": 1,
                                      "Total": 5}
    with pytest.raises(ParameterError, match="authority_codes"):
        chh.out_of_area(DATA, 2023)


def test_out_of_area_prefers_pl_location():
    ep = EP.assign(PL_LOCATION=["IN"] * len(EP))  # every episode inside, whatever PL_LA says
    t = chh.out_of_area(SimpleNamespace(episodes=ep), 2023, authority_codes=["E08000018"])
    assert as_dict(t, "location") == {"Inside the authority": 5, "Outside the authority": 0, "Not known": 0,
                                      "Total": 5}
    with pytest.raises(ParameterError, match="neither PL_LOCATION nor PL_LA"):
        chh.out_of_area(SimpleNamespace(episodes=EP.drop(columns="PL_LA")), 2023)


def test_by_must_be_known():
    with pytest.raises(ParameterError, match="by="):
        chh.placement_at_entry(DATA, 2023, by="age")


# ---------------------------------------------------------------------------------------------
# Synthetic return: totals agree with the cohort tables
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(synthetic_wokingham):
    from iro_analysis import load_ssda903

    return co.prepare(load_ssda903(synthetic_wokingham))


def test_synthetic_totals_agree_with_cohort_tables(synthetic):
    tables = co.cohort_tables(synthetic, 2023)
    summary = tables["summary"].set_index("measure")["count"]
    entry = chh.placement_at_entry(synthetic, 2023)
    assert entry["count"].iloc[-1] == summary["periods_started"] > 0
    by_group = tables["starters_by_placement"].groupby("placement")["count"].sum()
    body = entry.iloc[:-1].set_index("placement")["count"]
    assert body.to_dict() == by_group.reindex(body.index, fill_value=0).to_dict()
    assert chh.placement_moves(synthetic, 2023)["count"].iloc[-1] == summary["in_care_end"]
    started = as_dict(chh.placements_started(synthetic, 2023), "start_type")
    assert started["Start of a period of care"] == summary["periods_started"]
    assert started["Placement move"] == chh.placement_end_reasons(synthetic, 2023)["count"].iloc[-1] > 0


def test_synthetic_return_has_no_distances(synthetic):
    with pytest.raises(ParameterError, match="PL_DISTANCE"):
        chh.distance_from_home(synthetic, 2023)
