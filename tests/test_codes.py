"""Tests for iro_analysis.codes: year-versioned SSDA903 code lists and groupings."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iro_analysis import codes
from iro_analysis.errors import ParameterError
from iro_analysis.reference import find_reference_file


def test_ethnic_has_the_20_dfe_codes():
    # ssda903.md §1.2 (validator rule 103): 20 codes.
    expected = {
        "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
        "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
    }
    for year in (2017, 2024, 2025, 2026):
        assert codes.valid_codes("ETHNIC", year) == expected
    assert set(codes.ETHNIC_GROUPS) == expected


def test_sex_codes_change_in_2024_25():
    assert codes.valid_codes("SEX", 2024) == {"1", "2"}
    assert codes.valid_codes("SEX", 2025) == {"M", "F", "U"}
    assert codes.valid_codes("SEX") == {"1", "2", "M", "F", "U"}
    assert dict(codes.SEX_NORMALISE) == {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}


def test_place_codes_by_year_are_the_union_of_validator_and_liia():
    p24, p25, p26 = (codes.valid_codes("PLACE", y) for y in (2024, 2025, 2026))
    # Validator rule 146, 2022-23..2024-25: A3-A6 (4), H5, K1, K2, P1-P3 (3), R1-R3, R5 (4), S1,
    # T0-T4 (5), U1-U6 (6), Z1 = 4+1+2+3+4+1+5+6+1 = 27 codes; no K3.
    assert len(p24) == 27 and {"H5", "P2", "Z1"} <= p24 and "K3" not in p24
    # 2025: validator list + K3 from LIIA's 2025 diff.
    assert p25 == p24 | {"K3"}
    # 2026: validator drops H5/P2/Z1 and adds K3, Z11-Z14; LIIA keeps Z1.
    assert p26 == (p25 - {"H5", "P2"}) | {"Z11", "Z12", "Z13", "Z14"}
    assert "Z1" in p26


def test_other_list_sizes():
    assert len(codes.valid_codes("REC", 2024)) == 22
    assert codes.valid_codes("REVIEW_CODE", 2024) == {f"PN{i}" for i in range(8)}
    assert len(codes.valid_codes("LS")) == 13
    assert codes.valid_codes("RNE") == set("SLPTBU")
    assert codes.valid_codes("CIN") == {f"N{i}" for i in range(1, 9)}
    assert codes.valid_codes("PLACE_PROVIDER") == {f"PR{i}" for i in range(6)}
    assert codes.valid_codes("MISSING") == {"M", "A"}
    assert len(codes.valid_codes("REASON_PLACE_CHANGE")) == 12


def test_unknown_column_raises_parameter_error():
    with pytest.raises(ParameterError, match="NOPE"):
        codes.valid_codes("NOPE", 2024)


def test_describe():
    assert codes.describe("REVIEW_CODE", "PN0") == "Child aged under 4 at the time of the review"
    assert codes.describe("ls", " c2 ") == "Full care order"
    assert codes.describe("ETHNIC", "CHNE") == "Chinese"
    assert codes.describe("PLACE", None) == "Not recorded"
    assert codes.describe("PLACE", "") == "Not recorded"
    assert codes.describe("PLACE", "QQ") == "Unknown code 'QQ'"
    # every code in every list has a non-empty description
    for col in codes.CODE_COLUMNS:
        for c in codes.valid_codes(col):
            assert codes.describe(col, c) and not codes.describe(col, c).startswith("Unknown code")


def test_ethnic_group_default_and_override():
    s = pd.Series(["WBRI", "mwbc", " AIND ", "CHNE", "BAFR", "OOTH", "REFU", "NOBT", None, "XXXX"], index=range(10, 20))
    g = codes.ethnic_group(s)
    assert g.index.tolist() == list(range(10, 20))
    assert g.iloc[:8].tolist() == ["White", "Mixed", "Asian", "Asian", "Black", "Other",
                                   "Refused or not obtained", "Refused or not obtained"]
    assert g.iloc[8:].isna().all()
    old = codes.ethnic_group(["CHNE", "WBRI"], mapping={"CHNE": "Other"})
    assert old.tolist() == ["Other", "White"]
    dropped = codes.ethnic_group(["REFU"], mapping={"REFU": None})
    assert dropped.isna().all()


# ETHNIC code -> the sub-group label DfE prints in its characteristics tables.
_DFE_SUBGROUP = {
    "WBRI": "1a. White British", "WIRI": "1b. White Irish", "WIRT": "1c. Traveller of Irish Heritage",
    "WROM": "1d. Gypsy Roma", "WOTH": "1e. Any other White background",
    "MWBC": "2a. White and Black Caribbean", "MWBA": "2b. White and Black African",
    "MWAS": "2c. White and Asian", "MOTH": "2d. Any other Mixed background",
    "AIND": "3a. Indian", "APKN": "3b. Pakistani", "ABAN": "3c. Bangladeshi", "CHNE": "3d. Chinese",
    "AOTH": "3e. Any other Asian background", "BCRB": "4a. Caribbean", "BAFR": "4b. African",
    "BOTH": "4c. Any other Black background", "REFU": "6a. Refused",
    "NOBT": "6b. Information not yet obtained",
}


def test_ethnic_groups_match_dfe_national_characteristics_table():
    # External oracle: DfE national CLA characteristics (2024 publication) lists each
    # sub-group under a numbered total ("3d. Chinese" under "3. Total Asian or Asian British").
    path = find_reference_file("national_cla_on_31_march_by_characteristics_2024pub.csv")
    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    eth = df.loc[df["cla_group"] == "Ethnicity", "characteristic"].unique().tolist()
    totals = {m.group(1): c for c in eth if (m := re.match(r"^(\d)\. Total", c))}
    assert set(totals) == {"1", "2", "3", "4", "5", "6"}
    for code, label in _DFE_SUBGROUP.items():
        assert label in eth, label
        dfe_total = totals[label[0]]
        ours = codes.DFE_ETHNIC_GROUP_LABELS[codes.ETHNIC_GROUPS[code]]
        # "3. Total Asian or Asian British" vs our DfE label "Asian or Asian British" etc.
        assert ours.split(",")[0].split(" or ")[0].lower() in dfe_total.lower(), (code, dfe_total, ours)
    # OOTH is the only code in group 5 (which has no sub-rows in the table).
    assert [c for c, g in codes.ETHNIC_GROUPS.items() if g == "Other"] == ["OOTH"]
    assert "other" in totals["5"].lower()


def test_dfe_labels_are_those_of_the_la_characteristics_table():
    path = find_reference_file("la_cla_on_31_march_by_characteristics_2025pub_extract.csv")
    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    labels = set(df.loc[df["cla_group"] == "Ethnicity", "characteristic"]) - {"Total"}
    assert set(codes.DFE_ETHNIC_GROUP_LABELS.values()) == labels


def test_legal_status_and_reason_ceased_groups():
    ls = codes.legal_status_group(["C1", "C2", "E1", "D1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3", "XX"])
    assert ls.tolist()[:13] == ["Care order"] * 2 + ["Placement order"] * 2 + ["Section 20"] + ["Short breaks"] * 2 + [
        "Emergency order"] * 3 + ["Youth justice"] * 3
    assert pd.isna(ls.iloc[13])
    assert set(codes.LS_GROUPS) == codes.valid_codes("LS")
    rec = codes.reason_ceased_group(["E11", "E12", "E4A", "E4B", "E45", "E48", "E41", "E5", "E6", "E3", "X1"])
    assert rec.tolist()[:10] == ["Adopted"] * 2 + ["Returned home"] * 2 + ["Special guardianship order"] * 2 + [
        "Residence or child arrangements order"] + ["Independent living"] * 2 + ["Transferred"]
    assert pd.isna(rec.iloc[10])
    # every REC code except X1 has a group
    assert set(codes.REC_GROUPS) == codes.valid_codes("REC") - {"X1"}


@given(st.lists(st.sampled_from(sorted(codes.ETHNIC_GROUPS)), max_size=30),
       st.sampled_from(["", " ", "  "]), st.booleans())
def test_ethnic_group_ignores_case_and_spaces(values, pad, lower):
    raw = [pad + (v.lower() if lower else v) + pad for v in values]
    assert codes.ethnic_group(raw).tolist() == [codes.ETHNIC_GROUPS[v] for v in values]
