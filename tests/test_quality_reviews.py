"""Review-record checks: DfE rules 166/167/399/440/441/1012 against the validator, and our own checks."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iro_analysis import ParameterError
from iro_analysis.quality import FINDING_COLUMNS
from iro_analysis.quality.reviews import dfe_review_rules, participation_age_check, review_findings
from iro_analysis.reference import find_reference_file
from iro_analysis.ssda903 import SSDA903, load_ssda903

T = pd.Timestamp


@pytest.fixture(scope="module")
def fake_data(tmp_path_factory):
    """The validator's fake data (all CSVs except placed_for_adoption_errors.csv), loaded as one return."""
    folder = find_reference_file("reviews.csv", subdir="csc-validator-be-903_fake_data").parent
    target = tmp_path_factory.mktemp("fake903")
    for path in folder.glob("*.csv"):
        if path.name != "placed_for_adoption_errors.csv":
            shutil.copy(path, target / path.name)
    return load_ssda903(target)


def test_rules_399_440_441_match_validator_rows_exactly(fake_data):
    oracle = pd.read_csv(find_reference_file("fake_data_review_rule_flags_collectionYear2025.csv"))
    mine = dfe_review_rules(fake_data)
    groups = oracle.groupby(["rule_code", "tables_affected"])
    assert len(groups) == 5  # 399 x (Episodes, Header, Reviews), 440, 441
    for (rule, table), rows in groups:
        assert sorted(mine[str(rule)][table]) == sorted(rows["row_id"].tolist()), (rule, table)
    # and the child ids agree for the review rows
    rv = fake_data.reviews
    flagged = oracle.loc[oracle["tables_affected"] == "Reviews"]
    assert (rv["CHILD"].iloc[flagged["row_id"]].astype(str).to_numpy() == flagged["child_id"].astype(str).to_numpy()).all()


def test_rule_counts_match_validator_error_summary(fake_data):
    summary = pd.read_csv(find_reference_file("fake_data_error_summary_collectionYear2025.csv"))
    counts = summary.set_index(summary["Code"].astype(str))["Error Count"]
    mine = dfe_review_rules(fake_data)
    for rule in ("399", "440", "441", "1012"):
        assert sum(len(v) for v in mine[rule].values()) == counts[rule], rule
    # 166 and 167 are not in the summary: the validator flagged nothing
    assert "166" not in counts.index and "167" not in counts.index
    assert mine["166"] == {"Reviews": []} and mine["167"] == {"Reviews": []}
    # research note §2.1: 3,070 of rule 1012's 4,191 rows are in Reviews
    assert len(mine["1012"]["Reviews"]) == 3070


def test_review_findings_shape_and_lines(fake_data):
    f = review_findings(fake_data)
    assert list(f.columns) == list(FINDING_COLUMNS)
    counts = f["check"].value_counts()
    assert counts["dfe_440"] == 1435 and counts["dfe_441"] == 663 and counts["dfe_399"] == 1669
    assert set(f["severity"]) <= {"error", "warning", "info"}
    # row = the line in the source CSV as recorded by the loader, for every finding
    assert f["row"].notna().all()


def _rv(rows):
    rv = pd.DataFrame(rows, columns=["CHILD", "DOB", "REVIEW", "REVIEW_CODE"])
    rv["DOB"] = pd.to_datetime(rv["DOB"])
    rv["REVIEW"] = pd.to_datetime(rv["REVIEW"])
    return rv


def test_age_rules_follow_validator_edge_cases():
    # validator unit tests for 440/441 (rule files): 440 flags PN0 after the 4th birthday (strict >),
    # 441 flags PN1-7 before it (strict <). Born 29 Feb 2016: the 4th birthday is 29 Feb 2020 (leap year).
    rv = _rv([
        ("1", "2004-01-01", "2007-12-31", "PN0"),  # 3 years: fine
        ("2", "2008-01-01", "2013-01-01", "PN0"),  # 5 years: 440
        ("3", "2010-01-01", "2014-01-01", "PN0"),  # exactly 4: passes 440 (strict >)
        ("4", "2010-01-01", "2013-12-31", "PN1"),  # 3 years: 441
        ("5", "2010-01-01", "2014-01-01", "PN1"),  # exactly 4: passes 441 (strict <)
        ("6", "2016-02-29", "2020-02-29", "PN0"),  # on the 4th birthday: passes 440
        ("7", "2016-02-29", None, "PN0"),          # no date: neither
    ])
    out = dfe_review_rules(SSDA903(reviews=rv), rules=["440", "441", "166", "167"])
    assert out["440"]["Reviews"] == [1]
    assert out["441"]["Reviews"] == [3]
    assert out["166"]["Reviews"] == [6]
    assert out["167"]["Reviews"] == [6]  # a code without a date


def test_rule_167_and_399_logic():
    rv = pd.DataFrame({"CHILD": ["1", "1", "2", "3"], "DOB": T("2010-01-01"),
                       "REVIEW": pd.to_datetime(["2022-01-01", None, "2022-02-01", "2022-03-01"]),
                       "REVIEW_CODE": ["PN9", None, "PN3", None]})
    assert dfe_review_rules(SSDA903(reviews=rv), rules=["167"])["167"]["Reviews"] == [0, 3]
    # 399: child 1 has only V3/V4 episodes -> its episodes, header row and filled review row are flagged (its
    # blank review row is not: MOTHER, REVIEW and REVIEW_CODE are all blank); child 2 has a C2 episode too.
    eps = pd.DataFrame({"CHILD": ["1", "1", "2", "2"], "LS": ["V3", "V4", "V4", "C2"],
                        "DECOM": pd.to_datetime(["2022-01-01"] * 4)})
    hdr = pd.DataFrame({"CHILD": ["1", "2", "3"], "MOTHER": [None, "1", None]})
    out = dfe_review_rules(SSDA903(header=hdr, episodes=eps, reviews=rv), rules=["399", "1012"])
    assert out["399"] == {"Episodes": [0, 1], "Header": [0], "Reviews": [0]}
    # 1012: child 3's review has no episode in the return
    assert out["1012"] == {"Reviews": [3]}
    with pytest.raises(ParameterError):
        dfe_review_rules(SSDA903(reviews=rv), rules=["999"])


def test_own_checks():
    eps = pd.DataFrame({"CHILD": ["A", "B"], "DECOM": pd.to_datetime(["2022-05-02", "2022-05-02"]), "RNE": "S",
                        "LS": "C2", "PLACE": "U4", "DEC": pd.to_datetime(["2022-12-01", None]), "REC": ["E4A", None]})
    hdr = pd.DataFrame({"CHILD": ["A", "B"], "SEX": "F", "DOB": pd.to_datetime(["2012-01-01", "2022-06-01"]),
                        "MOTHER": None})
    rv = _rv([
        ("A", "2012-01-01", "2022-05-20", "PN1"),
        ("A", "2012-01-01", "2022-05-20", "PN1"),  # duplicate on one day
        ("A", "2012-01-01", "2022-05-24", "PN1"),  # 4 days after the previous: close together
        ("A", "2012-01-01", "2022-12-20", "PN1"),  # after the period ended on 1 Dec 2022: outside care
        ("B", "2022-06-01", "2022-05-20", "PN0"),  # before birth (and inside B's period)
        ("C", "2015-01-01", "2022-07-01", "PN1"),  # not in header (and no episodes: DfE 1012)
    ])
    f = review_findings(SSDA903(header=hdr, episodes=eps, reviews=rv))
    got = {(c, ch) for c, ch in zip(f["check"], f["CHILD"])}
    assert ("review_duplicate_same_day", "A") in got
    assert ("reviews_close_together", "A") in got
    assert ("review_outside_care", "A") in got
    assert ("review_before_birth", "B") in got
    assert ("review_child_not_in_header", "C") in got
    assert ("dfe_1012", "C") in got
    # C has no episodes: reported by 1012, not as outside care
    assert ("review_outside_care", "C") not in got
    # without files there are no source lines
    assert f["row"].isna().all()
    by_check = f.groupby("check").size()
    assert by_check["review_duplicate_same_day"] == 1 and by_check["reviews_close_together"] == 1
    close = review_findings(SSDA903(header=hdr, episodes=eps, reviews=rv), close_days=3)
    assert "reviews_close_together" not in set(close["check"])
    with pytest.raises(ParameterError):
        review_findings(SSDA903(reviews=rv), close_days=-1)


def test_participation_age_check_by_quarter():
    rv = _rv([
        ("1", "2010-01-01", "2022-05-01", "PN0"),  # Q1: PN0 at 12 -> 440
        ("2", "2020-06-01", "2022-05-02", "PN0"),  # Q1: PN0 at 1 -> fine
        ("3", "2020-06-01", "2022-11-01", "PN1"),  # Q3: PN1 at 2 -> 441
        ("4", "2010-06-01", "2023-02-01", "PN5"),  # Q4: fine
        ("5", "2010-06-01", "2023-04-01", "PN0"),  # next year: not counted
    ])
    t = participation_age_check(SSDA903(reviews=rv), 2023)
    assert t["reviews"].tolist() == [2, 0, 1, 1, 4]
    assert t["pn0"].tolist() == [2, 0, 0, 0, 2]
    assert t["pn0_aged_4_or_over"].tolist() == [1, 0, 0, 0, 1]
    assert t["pn1_7_under_4"].tolist() == [0, 0, 1, 0, 1]
    assert t["percent_inconsistent"].iloc[-1] == pytest.approx(50.0)
    assert np.isnan(t["percent_inconsistent"].iloc[1])
    assert "CHILD" not in t.columns


@pytest.mark.parametrize("seed", [1, 3])
def test_synthetic_review_defects_found_with_their_lines_and_nothing_else(tmp_path, seed):
    from iro_analysis.synthetic import write_synthetic_returns

    out = write_synthetic_returns("872", 2023, years=1, out=tmp_path / "syn", seed=seed)
    data = load_ssda903(out / "2023")
    truth = pd.read_csv(out / "ground_truth.csv", dtype={"CHILD": str})
    truth = truth.loc[truth["table"].eq("reviews") & truth["collection_year"].eq(2023)]
    f = review_findings(data)
    expected = {
        "dfe_440": "pn0_aged_4_plus",
        "dfe_441": "pn1_7_under_4",
        "review_duplicate_same_day": "duplicate_review",
        "review_outside_care": "review_outside_care",
        "review_child_not_in_header": "review_child_not_in_header",
    }
    for check, defect in expected.items():
        want = truth.loc[truth["defect"].eq(defect), ["CHILD", "row"]]
        assert len(want) > 0, defect
        got = f.loc[f["check"].eq(check), ["CHILD", "row"]]
        assert set(zip(got["CHILD"], got["row"].astype(int))) == set(zip(want["CHILD"], want["row"].astype(int))), check
    # DfE 1012 fires only for the reviews of children with no episode (those missing from the header here)
    r1012 = f.loc[f["check"].eq("dfe_1012")]
    assert set(r1012["CHILD"]) <= set(truth.loc[truth["defect"].eq("review_child_not_in_header"), "CHILD"])
    # nothing else: no other review check fires on the clean records
    assert set(f["check"]) <= set(expected) | {"dfe_1012"}


# --- the codes of a column, each distinct string cleaned once ------------------------------------

_CODE_VALUES = st.one_of(st.none(), st.just(float("nan")), st.sampled_from(["PN1", " pn1", "PN0 ", "pn7", "V3", "v4 ", "", " "]),
                         st.text(max_size=4))


def _codes_row_by_row(series):
    """The rule as first written: every row mapped on its own (the reference for the fast path)."""
    return series.astype(object).where(series.notna(), None).map(lambda v: v if v is None else str(v).strip().upper())


@settings(max_examples=150, deadline=None)
@given(st.lists(_CODE_VALUES, min_size=56, max_size=200), st.sampled_from(["object", "str", "string[pyarrow]"]),
       st.integers(0, 5))
def test_codes_equal_mapping_every_row(values, dtype, start):
    from iro_analysis.quality.reviews import _codes

    series = pd.Series(values, dtype=object, name="REVIEW_CODE", index=range(start, start + len(values)))
    if dtype != "object":
        series = series.astype(dtype)
    pd.testing.assert_series_equal(_codes(series), _codes_row_by_row(series))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 3), st.floats(0, 3), st.booleans(), st.sampled_from(["1", "1.0"])),
                min_size=64, max_size=120))
def test_codes_of_mixed_values_are_mapped_row_by_row(values):
    from iro_analysis.quality.reviews import _codes

    series = pd.Series(values, dtype=object)
    pd.testing.assert_series_equal(_codes(series), _codes_row_by_row(series))


# --- reviews outside care: by position against merge_asof --------------------------------------------

_DAYS = st.integers(0, 40).map(lambda d: pd.Timestamp("2022-04-01") + pd.Timedelta(days=d))
_STARTS = st.integers(0, 6).map(lambda d: pd.Timestamp("2022-04-01") + pd.Timedelta(days=d))  # ties often


@st.composite
def _reviews_and_periods(draw):
    kids = ["A", "B", "C", "10"]
    n_per = draw(st.integers(1, 8))
    per = pd.DataFrame({  # built as review_findings builds it
        "CHILD": pd.Series([draw(st.sampled_from(kids[:3])) for _ in range(n_per)], dtype=object).astype(str).to_numpy(),
        "period_start": pd.Series([draw(_STARTS) for _ in range(n_per)], dtype="datetime64[ns]"),
        "period_end": pd.Series([draw(st.one_of(_DAYS, st.just(pd.NaT))) for _ in range(n_per)],
                                dtype="datetime64[ns]"),
    })
    n_rv = draw(st.integers(1, 10))
    dated = pd.DataFrame({
        "y": np.zeros(n_rv, dtype=np.int64),
        "CHILD": [draw(st.sampled_from(kids)) for _ in range(n_rv)],
        "date": pd.Series([draw(_DAYS) for _ in range(n_rv)], dtype="datetime64[ns]"),
        "pos": draw(st.permutations(list(range(n_rv)))),
    })
    dated["pos"] = dated["pos"].astype(np.int64)
    return dated, per


@settings(max_examples=300, deadline=None)
@given(_reviews_and_periods())
def test_outside_periods_by_position_equals_merge_asof(drawn):
    # ties of start (the later period of two wins), open periods, reviews on a start or an end,
    # children with no period: the same positions as the merge
    from iro_analysis.quality import reviews

    dated, per = drawn
    fast = reviews._outside_periods(dated, per)
    if fast is None:  # nothing to match: the merge alone answers
        assert not len(per) or not len(dated)
        return
    np.testing.assert_array_equal(np.sort(fast), np.sort(reviews._outside_periods_merged(dated, per)))


def test_outside_periods_takes_the_last_of_periods_with_one_start():
    from iro_analysis.quality import reviews

    per = pd.DataFrame({"CHILD": np.array(["A", "A", "B", "B"], dtype=object),
                        "period_start": pd.to_datetime(["2022-04-01", "2022-04-01", "2022-04-01", "2022-04-01"]),
                        "period_end": pd.to_datetime(["2022-06-01", "2022-04-10", "2022-04-10", "2022-06-01"])})
    dated = pd.DataFrame({"y": [0, 0], "CHILD": ["A", "B"], "date": pd.to_datetime(["2022-05-01", "2022-05-01"]),
                          "pos": np.array([0, 1], dtype=np.int64)})
    assert reviews._outside_periods(dated, per).tolist() == [0]  # A's later-listed period ended 10 April
    assert reviews._outside_periods_merged(dated, per).tolist() == [0]


def test_outside_periods_leaves_missing_keys_to_merge_asof():
    from iro_analysis.quality import reviews

    dated = pd.DataFrame({"y": [0], "CHILD": ["A"], "date": pd.to_datetime(["2022-05-01"]), "pos": [0]})
    per = pd.DataFrame({"CHILD": ["A"], "period_start": pd.to_datetime([None]), "period_end": pd.to_datetime([None])})
    assert reviews._outside_periods(dated, per) is None
    with_missing_child = dated.assign(CHILD=pd.Series([None], dtype=object))
    assert reviews._outside_periods(with_missing_child, per.assign(period_start=pd.to_datetime(["2022-04-01"]))) is None
