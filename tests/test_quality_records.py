"""Tests for the findings shape and the record-level load checks (iro_analysis.quality)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iro_analysis import quality
from iro_analysis.quality import FINDING_COLUMNS, make_findings
from iro_analysis.quality.records import code_findings, date_findings, load_findings
from iro_analysis.ssda903 import SSDA903


def _d(*dates):
    return pd.to_datetime(list(dates), format="%Y-%m-%d")


def test_finding_columns_and_make_findings():
    assert FINDING_COLUMNS == ("check", "severity", "table", "row", "CHILD", "column", "value", "message")
    empty = make_findings([])
    assert list(empty.columns) == list(FINDING_COLUMNS) and len(empty) == 0
    f = make_findings([{"check": "x", "severity": "warning", "row": 7}, {"check": "y", "severity": "info"}])
    assert f["row"].dtype == "Int64"
    assert f["row"].tolist()[0] == 7 and pd.isna(f["row"].iloc[1])
    assert f["CHILD"].isna().all()
    with pytest.raises(ValueError, match="severity"):
        make_findings([{"check": "x", "severity": "fatal"}])
    with pytest.raises(ValueError, match="check"):
        make_findings([{"severity": "info"}])


def test_quality_package_exports():
    assert quality.make_findings is make_findings
    assert quality.load_findings is load_findings
    assert quality.FINDING_COLUMNS == FINDING_COLUMNS


def test_date_findings_shape():
    f = date_findings(table="reviews", column="REVIEW", values=["31/02/2023"], children=["A"],
                      lines=[5], file="reviews.csv")
    row = f.iloc[0]
    assert (row["check"], row["severity"], row["table"], row["row"], row["CHILD"], row["column"], row["value"]) == (
        "date_unparseable", "error", "reviews", 5, "A", "REVIEW", "31/02/2023")
    assert "reviews.csv line 5" in row["message"] and "dd/mm/yyyy" in row["message"]


def test_code_findings_per_year():
    frame = pd.DataFrame({"CHILD": ["A", "B", "C", "D"], "SEX": ["1", "M", "1", np.nan]})
    # rows of 2024 allow 1/2, rows of 2025 allow M/F/U; NaN is blank, not unknown
    f = pd.concat(code_findings(table="header", frame=frame, years=np.array([2024, 2024, 2025, 2025]),
                                lines=np.array([2, 3, 4, 5]), file="h.csv"))
    assert f[["CHILD", "row", "value"]].values.tolist() == [["B", 3, "M"], ["C", 4, "1"]]
    assert "collection year 2025 (2024-25)" in f["message"].iloc[1]
    # unknown year: union of all years' codes, so only a code valid in no year is flagged
    f2 = code_findings(table="header", frame=pd.DataFrame({"CHILD": ["A", "B"], "SEX": ["1", "X"]}))
    assert pd.concat(f2)["value"].tolist() == ["X"]


def _hand_built():
    header = pd.DataFrame({"CHILD": ["A", "B"], "SEX": ["M", "F"], "DOB": _d("2012-05-01", "2010-09-11"),
                           "ETHNIC": ["WBRI", "AIND"]})
    reviews = pd.DataFrame({
        "CHILD": ["A", "A", "A", "B", "Z", "B"],
        "DOB": _d("2012-05-01", "2012-05-01", "2012-05-01", "2010-09-12", "2011-01-01", "2010-09-11"),
        "REVIEW": _d("2022-06-03", "2022-06-03", "2022-06-03", "2022-07-01", "2022-08-01", "2022-07-01"),
        "REVIEW_CODE": ["PN1", "PN1", "PN4", "PN5", "PN1", "PN6"],
    })
    return SSDA903(header=header, reviews=reviews)


def test_load_findings_on_hand_built_data():
    f = load_findings(_hand_built())
    got = sorted(f[["check", "table", "CHILD", "column", "value"]].astype(object).where(f[["check", "table", "CHILD", "column", "value"]].notna(), None).values.tolist(), key=str)
    # Working: rows 0,1 of reviews are identical -> row 1 duplicate_row; row 2 has the same
    # (CHILD, REVIEW) as row 0 with a different code -> duplicate_key; row 5 shares (B, 2022-07-01)
    # with row 3 -> duplicate_key; Z is not in header; row 3 DOB 12/09/2010 != header 11/09/2010.
    expected = sorted([
        ["duplicate_row", "reviews", "A", None, None],
        ["duplicate_key", "reviews", "A", "REVIEW", "03/06/2022"],
        ["duplicate_key", "reviews", "B", "REVIEW", "01/07/2022"],
        ["child_not_in_header", "reviews", "Z", "CHILD", "Z"],
        ["dob_mismatch", "reviews", "B", "DOB", "12/09/2010"],
    ], key=str)
    assert got == expected
    assert f["row"].isna().all()  # built in memory: no source lines
    assert "11/09/2010" in f.loc[f["check"] == "dob_mismatch", "message"].iloc[0]


def test_not_in_header_respects_collection_year():
    header = pd.DataFrame({"CHILD": ["A", "B"], "DOB": _d("2012-05-01", "2010-09-11"), "collection_year": [2023, 2024]})
    reviews = pd.DataFrame({"CHILD": ["A", "A"], "DOB": _d("2012-05-01", "2012-05-01"),
                            "REVIEW": _d("2022-06-03", "2023-06-03"), "REVIEW_CODE": ["PN1", "PN1"],
                            "collection_year": [2023, 2024]})
    f = load_findings(SSDA903(header=header, reviews=reviews))
    # A is in the 2023 header only, so the 2024 review row is flagged (and nothing else).
    assert f[["check", "CHILD"]].values.tolist() == [["child_not_in_header", "A"]]
    assert "same collection year" in f["message"].iloc[0]


def test_dates_after_year_end_summary():
    eps = pd.DataFrame({"CHILD": ["A", "A", "B"], "DECOM": _d("2022-04-01", "2023-04-01", "2023-05-01"),
                        "collection_year": [2023, 2023, 2023]})
    f = load_findings(SSDA903(episodes=eps))
    assert f["check"].tolist() == ["dates_after_year_end"]
    assert f["message"].iloc[0].startswith("2 of 3 episodes rows of collection year 2023 (2022-23)")


def test_clean_data_has_no_findings():
    d = _hand_built()
    d = SSDA903(header=d.header, reviews=d.reviews.iloc[[0, 3]].assign(DOB=_d("2012-05-01", "2010-09-11")))
    assert len(load_findings(d)) == 0
