"""Tests for iro_analysis.ssda903: loading every published sample, the broken-input corpus,
and writing returns back out."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iro_analysis.errors import ParameterError, SSDA903FormatError
from iro_analysis.reference import find_reference_file
from iro_analysis.ssda903 import SSDA903, TABLE_COLUMNS, identify_table, load_ssda903, write_return

BROKEN = Path(__file__).parent / "data" / "broken_returns"
VALIDATOR_TABLES = ["header", "episodes", "reviews", "uasc", "missing", "oc2", "oc3", "ad1",
                    "placed_for_adoption", "previous_permanence", "sw_episodes", "DoLo"]


def _validator_dir() -> Path:
    return find_reference_file("fake_903.xml", subdir="csc-validator-be-903_fake_data").parent


def _demand_dir() -> Path:
    return find_reference_file("2017-episodes.csv", subdir="cs-demand-model_samples").parent


def _validator_files() -> list[Path]:
    d = _validator_dir()
    return [d / f"{t}.csv" for t in VALIDATOR_TABLES]


@pytest.fixture(scope="module")
def validator():
    return load_ssda903(_validator_files())


@pytest.fixture(scope="module")
def demand():
    return load_ssda903(_demand_dir())


# ----------------------------------------------------------------------------- reference samples


def test_validator_folder_raises_duplicate_table_naming_both_files():
    with pytest.raises(SSDA903FormatError) as exc:
        load_ssda903(_validator_dir())
    msg = str(exc.value)
    assert "placed_for_adoption.csv" in msg and "placed_for_adoption_errors.csv" in msg
    assert "placed_for_adoption table" in msg


def test_validator_csvs_row_counts(validator):
    # ssda903.md §2.2 / PROVENANCE.md: 2,675 children, 5,050 episodes, 12,582 reviews.
    assert len(validator.header) == 2675 and validator.header["CHILD"].is_unique
    assert len(validator.episodes) == 5050
    assert len(validator.reviews) == 12582
    assert validator.tables == ["header", "episodes", "reviews", "uasc", "missing", "oc2", "oc3", "ad1",
                                "placed_for_adoption", "previous_permanence", "social_worker", "dolo"]
    # no year in the folder or file names -> no collection_year column
    assert "collection_year" not in validator.header.columns
    assert validator.collection_years == []


def test_validator_csvs_types(validator):
    h = validator.header
    assert list(h.columns) == list(TABLE_COLUMNS["header"])
    assert h["DOB"].dtype == "datetime64[ns]"
    assert set(h["SEX"]) == {"M", "F"}  # written as 1/2 in the file
    first = h.iloc[0]  # file line 2: 566910,2,27/03/2008,WROM,D051910639385,,
    assert (first["CHILD"], first["SEX"], first["DOB"], first["ETHNIC"]) == ("566910", "F", pd.Timestamp("2008-03-27"), "WROM")
    assert pd.isna(first["MOTHER"]) and pd.isna(first["MC_DOB"])
    e = validator.episodes.iloc[1]  # 566910,14/08/2017,T,C2,N3,A3,PR3,,X1,,EG19 7TT,WV27 9FW,8969628
    assert e["DECOM"] == pd.Timestamp("2017-08-14") and pd.isna(e["DEC"]) and e["PLACE"] == "A3"
    assert validator.reviews["REVIEW"].notna().all()


def test_sw_episodes_bom_and_dolo(validator):
    sw = validator.social_worker
    assert list(sw.columns) == list(TABLE_COLUMNS["social_worker"])  # BOM not part of 'CHILD'
    assert sw.iloc[0]["CHILD"] == "CHILD10" and sw.iloc[0]["SW_DECOM"] == pd.Timestamp("2020-01-01")
    f = validator.findings
    sw_f = f[f["table"] == "social_worker"]
    assert ("unknown_code", "SW_REASON", "SWLAZY", 2) in set(map(tuple, sw_f[["check", "column", "value", "row"]].astype(object).values.tolist()))
    # The mirrored DoLo.csv (sha256 dd5a1d2e...) holds DOLO_END 02/01/2025, a valid date (the
    # malformed '02/01/20251' described in PROVENANCE.md is not in this copy): no date finding.
    dolo = validator.dolo
    assert dolo.iloc[0]["DOLO_END"] == pd.Timestamp("2025-01-02")
    assert not ((f["table"] == "dolo") & (f["check"] == "date_unparseable")).any()


def test_malformed_dolo_date_is_a_finding(tmp_path):
    # The DoLo case the validator's fixture describes: an extra digit in the year.
    (tmp_path / "DoLo.csv").write_text("CHILD,DOB,DOLO_START,DOLO_END\nCHILD10,05/12/1993,01/01/2025,02/01/20251")
    d = load_ssda903(tmp_path)
    assert pd.isna(d.dolo.iloc[0]["DOLO_END"])
    f = d.findings[d.findings["check"] == "date_unparseable"].iloc[0]
    assert (f["table"], f["row"], f["CHILD"], f["column"], f["value"]) == ("dolo", 2, "CHILD10", "DOLO_END", "02/01/20251")


def test_validator_oracle_review_rules(validator):
    # Validator v0.1.17 (collectionYear 2025) flagged no INT08 (child in Reviews not in Header),
    # INT17 (DOB differs) or 166 (review date invalid) rows.
    f = validator.findings
    rev = f[f["table"] == "reviews"]
    assert not rev["check"].isin(["child_not_in_header", "dob_mismatch", "date_unparseable"]).any()


def test_validator_oracle_codes_by_year():
    files = _validator_files()
    d24 = load_ssda903(files, collection_year=2024)
    d25 = load_ssda903(files, collection_year=2025)
    checked = {"header": {"ETHNIC", "SEX"}, "episodes": {"RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE"},
               "reviews": {"REVIEW_CODE"}}

    def n_unknown(d, table, cols):
        f = d.findings
        return int(((f["check"] == "unknown_code") & (f["table"] == table) & f["column"].isin(cols)).sum())

    # 2024 error summary: rules 103, 143-146, 149, 167, 1009 flagged nothing.
    for table, cols in checked.items():
        assert n_unknown(d24, table, cols) == 0, table
    # 2025: rule 101 flags all 2,675 children coded 1/2 (we still normalise SEX to M/F).
    assert n_unknown(d25, "header", {"SEX"}) == 2675
    assert set(d25.header["SEX"]) == {"M", "F"}
    assert (d25.header["collection_year"] == 2025).all()


def test_xml_sample():
    d = load_ssda903(find_reference_file("fake_903.xml"))
    assert len(d.header) == 253 and d.header["CHILD"].is_unique
    assert d.header.iloc[0]["CHILD"] == "907440" and d.header.iloc[0]["ETHNIC"] == "BAFR"
    # first child: two AREVIEW elements, two EPISODEs (PL -> PLACE R5 then P2)
    assert d.reviews[d.reviews["CHILD"] == "907440"]["REVIEW"].tolist() == [pd.Timestamp("2015-09-27"), pd.Timestamp("2016-07-14")]
    eps = d.episodes[d.episodes["CHILD"] == "907440"]
    assert eps["PLACE"].tolist() == ["R5", "P2"] and eps["REC"].tolist() == ["X1", "E11"]
    assert list(d.episodes.columns) == list(TABLE_COLUMNS["episodes"])
    assert (d.reviews["DOB"].notna()).all()
    assert d.findings["row"].isna().all()


def test_demand_model_stack(demand):
    assert demand.collection_years == [2017, 2018, 2019, 2020, 2021]
    for t in demand.tables:
        assert getattr(demand, t)["collection_year"].dtype == np.int64
    h = demand.header
    # CHILD -> DOB and ETHNIC consistent across years (PROVENANCE.md)
    assert (h.groupby("CHILD")["DOB"].nunique() == 1).all()
    assert (h.groupby("CHILD")["ETHNIC"].nunique() == 1).all()
    assert h.groupby("collection_year").size().loc[2017] == 819
    assert not (demand.findings["check"] == "child_not_in_header").any()
    assert not (demand.findings["check"] == "dob_mismatch").any()
    # The files are named by the year the collection starts: '2017' episodes run to 31/03/2018.
    late = demand.findings[demand.findings["check"] == "dates_after_year_end"]
    assert set(late["table"]) == {"episodes", "reviews"}


def test_demand_model_as_year_folders(tmp_path, demand):
    src = _demand_dir()
    for f in src.glob("*.csv"):
        year, table = f.name.split("-", 1)
        (tmp_path / year).mkdir(exist_ok=True)
        shutil.copy(f, tmp_path / year / table)
    stacked = load_ssda903(tmp_path)
    assert stacked.collection_years == [2017, 2018, 2019, 2020, 2021]
    for t in demand.tables:
        pd.testing.assert_frame_equal(getattr(stacked, t), getattr(demand, t))
    with pytest.raises(ParameterError, match="several years"):
        load_ssda903(tmp_path, collection_year=2020)


def test_liia_tidy_samples():
    tidy = load_ssda903(find_reference_file("liia-tools_SSDA903_episodes_for_testing_fixes_INPUT.csv"))
    e = tidy.episodes
    assert len(e) == 23 and "LA" in e.columns and "YEAR" not in e.columns
    # line 2: NORULE_BAD,2015-06-19,P,...,LA=Barking and Dagenham,YEAR=2017
    assert (e.iloc[0]["CHILD"], e.iloc[0]["DECOM"], e.iloc[0]["collection_year"]) == ("NORULE_BAD", pd.Timestamp("2015-06-19"), 2017)
    assert e["DECOM"].notna().all()
    assert not (tidy.findings["check"] == "date_unparseable").any()
    plain = load_ssda903(find_reference_file("liia-tools_SSDA903_2020_episodes.csv"))
    assert len(plain.episodes) == 5 and plain.collection_years == [2020]  # year from the file name
    assert plain.episodes.iloc[0]["DECOM"] == pd.Timestamp("2018-12-11")


# ----------------------------------------------------------------------------- broken corpus


def _err(path, **kw) -> SSDA903FormatError:
    with pytest.raises(SSDA903FormatError) as exc:
        load_ssda903(path, **kw)
    return exc.value


def test_broken_missing_column():
    e = _err(BROKEN / "missing_column")
    assert Path(e.file).name == "reviews.csv" and e.column == "REVIEW_CODE" and e.row == 1
    assert "reviews table" in str(e) and "REVIEW_CODE" in str(e) and "reviews.csv" in str(e)


@pytest.mark.parametrize("case,word", [("wrong_delimiter", "semicolons"), ("tab_delimiter", "tabs")])
def test_broken_delimiter(case, word):
    e = _err(BROKEN / case)
    assert word in str(e) and "use commas" in str(e) and e.row == 1


def test_broken_xlsx_renamed(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(list(TABLE_COLUMNS["reviews"]))
    wb.active.append(["C001", "01/05/2012", "03/06/2022", "PN1"])
    wb.save(tmp_path / "reviews.csv")
    e = _err(tmp_path / "reviews.csv")
    assert "Excel workbook" in str(e) and Path(e.file).name == "reviews.csv"


def test_broken_binary_file(tmp_path):
    (tmp_path / "reviews.csv").write_bytes(b"CHILD,DOB\x00\x01\x02" * 10)
    assert "binary" in str(_err(tmp_path / "reviews.csv"))


def test_broken_empty_file():
    e = _err(BROKEN / "empty_file")
    assert Path(e.file).name == "reviews.csv" and "empty" in str(e)


def test_broken_duplicate_table():
    e = _err(BROKEN / "duplicate_table")
    assert "header.csv" in str(e) and "children_copy.csv" in str(e) and "header table" in str(e)


def test_broken_ragged_row():
    e = _err(BROKEN / "ragged_row")
    assert e.row == 3 and "5 values" in str(e) and "4 columns" in str(e)


def test_broken_no_tables():
    e = _err(BROKEN / "no_tables")
    assert "notes.txt" in str(e) and "staff.csv" in str(e) and "CHILD,DOB,REVIEW,REVIEW_CODE" in str(e)


def test_single_unrecognised_csv_raises():
    e = _err(BROKEN / "no_tables" / "staff.csv")
    assert "match no DfE table" in str(e)


def test_broken_not_ssda903_xml(tmp_path):
    (tmp_path / "x.xml").write_text("<?xml version='1.0'?><OTHER><CHILD/></OTHER>")
    assert "EXPSSDA903" in str(_err(tmp_path / "x.xml"))
    (tmp_path / "y.xml").write_text("<?xml version='1.0'?><EXPSSDA903><CHILD><HEADER></CHILD>")
    e = _err(tmp_path / "y.xml")
    assert "not well-formed" in str(e) and e.row == 1


def _findings(case):
    f = load_ssda903(BROKEN / case).findings
    return [tuple(r) for r in f[["check", "table", "row", "CHILD", "column", "value"]].astype(object).values.tolist()]


def test_broken_unparseable_dates():
    # reviews.csv line 3: C001,...,31/02/2023 ; line 4: C002,...,2023-01-15 (ISO in a dd/mm file)
    assert _findings("unparseable_dates") == [
        ("date_unparseable", "reviews", 3, "C001", "REVIEW", "31/02/2023"),
        ("date_unparseable", "reviews", 4, "C002", "REVIEW", "2023-01-15"),
    ]
    d = load_ssda903(BROKEN / "unparseable_dates")
    assert d.reviews["REVIEW"].isna().tolist() == [False, True, True, True]


def test_broken_unknown_codes():
    assert sorted(_findings("unknown_codes")) == [
        ("unknown_code", "episodes", 3, "C002", "PLACE", "Q9"),
        ("unknown_code", "header", 3, "C002", "ETHNIC", "XXXX"),
        ("unknown_code", "reviews", 2, "C001", "REVIEW_CODE", "PN8"),
    ]


def test_broken_child_not_in_header():
    assert _findings("child_not_in_header") == [("child_not_in_header", "reviews", 4, "C999", "CHILD", "C999")]


def test_messy_but_valid():
    # BOM, spaces around headers and cells, CRLF, lower-case codes, a ',,,' row, a blank line,
    # leading zeros in CHILD.
    d = load_ssda903(BROKEN / "messy_but_valid")
    assert d.header["CHILD"].tolist() == ["00123", "0456"]
    assert d.header["SEX"].tolist() == ["M", "F"] and d.header["ETHNIC"].tolist() == ["WBRI", "AIND"]
    assert d.header["DOB"].tolist() == [pd.Timestamp("2012-05-01"), pd.Timestamp("2010-09-11")]
    assert d.header["MOTHER"].isna().tolist() == [True, False]
    assert d.reviews["REVIEW_CODE"].tolist() == ["PN1", "PN4"]
    assert len(d.findings) == 0


def test_inputs_are_not_modified(tmp_path):
    src = BROKEN / "messy_but_valid"
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    load_ssda903(src)
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before


def test_nonexistent_path():
    assert "does not exist" in str(_err(BROKEN / "no_such_folder"))


def test_identify_table():
    for name, cols in TABLE_COLUMNS.items():
        assert identify_table(list(reversed(cols))) == name
        assert identify_table([c.lower() + " " for c in cols] + ["LA", "YEAR"]) == name
    assert identify_table(["CHILD", "DOB"]) is None


# ----------------------------------------------------------------------------- writing


def test_write_return_sex_coding_and_layout(tmp_path, validator):
    write_return(validator, tmp_path / "y24", collection_year=2024)
    write_return(validator, tmp_path / "y25", collection_year=2025)
    h24 = pd.read_csv(tmp_path / "y24" / "header.csv", dtype=str, keep_default_na=False)
    h25 = pd.read_csv(tmp_path / "y25" / "header.csv", dtype=str, keep_default_na=False)
    assert list(h24.columns) == list(TABLE_COLUMNS["header"])
    assert set(h24["SEX"]) == {"1", "2"} and set(h25["SEX"]) == {"M", "F"}
    assert h24.iloc[0].tolist() == ["566910", "2", "27/03/2008", "WROM", "D051910639385", "", ""]
    assert not list(tmp_path.glob("**/*.tmp"))


def test_write_then_load_round_trip(tmp_path, validator):
    write_return(validator, tmp_path, collection_year=2024)
    back = load_ssda903(tmp_path)  # no year in the names: same tables, no collection_year
    for t in validator.tables:
        pd.testing.assert_frame_equal(getattr(back, t), getattr(validator, t))


def test_write_stack_as_year_folders(tmp_path, demand):
    paths = write_return(demand, tmp_path)
    assert sorted({p.parent.name for p in paths}) == ["2017", "2018", "2019", "2020", "2021"]
    back = load_ssda903(tmp_path)
    for t in demand.tables:
        pd.testing.assert_frame_equal(getattr(back, t), getattr(demand, t))


_ids = st.text(alphabet="0123456789ABCxyz", min_size=1, max_size=10)
_dates = st.dates(min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2030-12-31").date())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_ids, _dates, st.one_of(st.none(), _dates), st.sampled_from(["PN0", "PN1", "PN7", None])),
                min_size=1, max_size=20),
       st.sampled_from([2024, 2025]))
def test_round_trip_property(tmp_path_factory, rows, year):
    reviews = pd.DataFrame({
        "CHILD": [r[0] for r in rows],
        "DOB": pd.to_datetime([r[1] for r in rows]).astype("datetime64[ns]"),
        "REVIEW": pd.to_datetime([r[2] for r in rows]).astype("datetime64[ns]"),
        "REVIEW_CODE": pd.Series([np.nan if r[3] is None else r[3] for r in rows], dtype=object),
    })
    out = tmp_path_factory.mktemp("rt")
    write_return(SSDA903(reviews=reviews), out, collection_year=year)
    back = load_ssda903(out, collection_year=year)
    got = back.reviews.drop(columns="collection_year")
    # blank rows (every cell empty) cannot exist here: CHILD and DOB are always set
    pd.testing.assert_frame_equal(got, reviews, check_dtype=False)
    assert back.reviews["CHILD"].tolist() == [r[0] for r in rows]  # leading zeros kept
