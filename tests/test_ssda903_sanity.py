"""Input sanity of the SSDA903 loader (rows of the wrong width, cut-off files, month-first dates,
files not read, header-only tables) and the fast pyarrow reader against the pandas reader."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import iro_analysis as iro
from iro_analysis import ssda903_csv
from iro_analysis.errors import ParameterError, SSDA903FormatError
from iro_analysis.reference import find_reference_file
from iro_analysis.ssda903 import TABLE_COLUMNS, load_ssda903

BROKEN = Path(__file__).parent / "data" / "broken_returns"
FIELDS = ["check", "severity", "table", "row", "CHILD", "column", "value"]


def _err(path, **kw) -> SSDA903FormatError:
    with pytest.raises(SSDA903FormatError) as exc:
        load_ssda903(path, **kw)
    return exc.value


def _findings(data) -> list[tuple]:
    f = data.findings[FIELDS].astype(object)
    return [tuple(None if v is pd.NA else v for v in r) for r in f.values.tolist()]


# ----------------------------------------------------------------------------- rows of the wrong width


def test_short_row_raises_with_line_counts_and_fix():
    # episodes.csv line 3: C002 with 7 of 13 values (its DEC 'lost', so the episode would look open)
    e = _err(BROKEN / "short_row")
    assert Path(e.file).name == "episodes.csv" and e.row == 3
    msg = str(e)
    assert "row has 7 values but the header has 13 columns" in msg
    assert "(DEC, REC, REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN)" in msg
    assert "export again" in msg and "on_bad_rows='finding'" in msg


def test_short_row_as_finding_drops_the_row():
    d = load_ssda903(BROKEN / "short_row", on_bad_rows="finding")
    assert _findings(d) == [("short_row", "error", "episodes", 3, "C002", None, "7 values for 13 columns")]
    assert "(episodes.csv line 3)" in d.findings.loc[0, "message"]
    # the two whole rows are kept with their own line numbers
    assert d.episodes["CHILD"].tolist() == ["C001", "C003"]
    assert d.episodes["DEC"].tolist()[0] == pd.Timestamp("2023-01-20")
    assert d._lines["episodes"].tolist() == [2, 4]


def test_cut_off_file_raises():
    # episodes.csv ends in line 4 'C003,15/10/2022,S,C2,N1,U1,PR' with no line break
    e = _err(BROKEN / "truncated_file")
    assert Path(e.file).name == "episodes.csv" and e.row == 4
    assert "last line has 7 of 13 values and no line break" in str(e) and "cut off" in str(e)


def test_cut_off_file_as_finding():
    d = load_ssda903(BROKEN / "truncated_file", on_bad_rows="finding")
    assert _findings(d) == [("truncated_file", "error", "episodes", 4, "C003", None, "7 values for 13 columns")]
    assert d.episodes["CHILD"].tolist() == ["C001", "C002"]


def test_long_row_as_finding():
    # the existing ragged_row case (line 3 has 5 values for 4 columns), opted in
    d = load_ssda903(BROKEN / "ragged_row", on_bad_rows="finding")
    assert _findings(d) == [("long_row", "error", "reviews", 3, "C001", None, "5 values for 4 columns")]
    assert len(d.reviews) == 1


def test_bad_rows_in_a_quoted_file_are_located(tmp_path):
    # quotes send the file to the pandas reader; a quoted line break makes lines and records differ
    (tmp_path / "reviews.csv").write_text(
        'CHILD,DOB,REVIEW,REVIEW_CODE\n"C001","01/05/2012","03/06/2022","PN1"\n'
        '"C002","11/09/2010","05/07/2022","PN4\n"\n"C003","01/05/2012"\n"C004","02/05/2012","03/06/2022","PN1"\n'
    )
    e = _err(tmp_path)
    assert e.row == 5 and "row has 2 values" in str(e)
    d = load_ssda903(tmp_path, on_bad_rows="finding")
    assert _findings(d) == [("short_row", "error", "reviews", 5, "C003", None, "2 values for 4 columns")]
    assert d.reviews["CHILD"].tolist() == ["C001", "C002", "C004"]
    assert d._lines["reviews"].tolist() == [2, 3, 6]


def test_several_bad_rows_named_in_one_line(tmp_path):
    (tmp_path / "reviews.csv").write_text("CHILD,DOB,REVIEW,REVIEW_CODE\nC1,01/05/2012\nC2,01/05/2012\nC3,01/05/2012,03/06/2022,PN1\n")
    e = _err(tmp_path)
    assert e.row == 2 and "2 rows of this file have the wrong number of values; this is the first" in str(e)
    assert "\n" not in str(e)


def test_blank_rows_of_any_width_are_not_bad_rows(tmp_path):
    # ',,' (3 values for 4 columns) and an empty line are blank rows, dropped as before
    (tmp_path / "reviews.csv").write_text("CHILD,DOB,REVIEW,REVIEW_CODE\nC1,01/05/2012,03/06/2022,PN1\n,,\n\n")
    d = load_ssda903(tmp_path)
    assert len(d.reviews) == 1 and d.findings.empty


def test_on_bad_rows_must_be_known():
    with pytest.raises(ParameterError, match="on_bad_rows"):
        load_ssda903(BROKEN / "short_row", on_bad_rows="skip")


# ----------------------------------------------------------------------------- dates


def test_month_first_dates_raise():
    # reviews.csv line 3: REVIEW 09/14/2022; no date in the file has a day above 12 first
    e = _err(BROKEN / "us_dates")
    assert Path(e.file).name == "reviews.csv" and e.row == 3 and e.column == "REVIEW"
    assert "month-first (US format)" in str(e) and "'09/14/2022'" in str(e) and "dd/mm/yyyy" in str(e)


def test_month_first_value_in_a_day_first_file_stays_a_row_finding(tmp_path):
    # 25/12/2022 proves the file is day first: 09/14/2022 is one bad date, not a US file
    (tmp_path / "reviews.csv").write_text(
        "CHILD,DOB,REVIEW,REVIEW_CODE\nC1,05/01/2012,25/12/2022,PN1\nC1,05/01/2012,09/14/2022,PN1\n"
    )
    d = load_ssda903(tmp_path)
    assert _findings(d) == [("date_unparseable", "error", "reviews", 3, "C1", "REVIEW", "09/14/2022")]


def test_ambiguous_dates_out_of_order_are_flagged():
    # episodes.csv line 2: DECOM 02/10/2022, DEC 11/03/2022 (ends before it starts read day first;
    # 10 Feb -> 3 Nov 2022 read month first); every date in the file has a day of 12 or less
    d = load_ssda903(BROKEN / "ambiguous_dates")
    assert _findings(d) == [("dates_maybe_month_first", "error", "episodes", 2, "C001", "DEC", "11/03/2022")]
    assert "month-first (US)" in d.findings.loc[0, "message"]
    # the dates are still read day first: nothing is guessed
    assert d.episodes.loc[0, "DECOM"] == pd.Timestamp("2022-10-02")


def test_out_of_order_dates_in_a_day_first_file_are_not_flagged(tmp_path):
    # same row, but 23/04/2022 shows the file is day first
    (tmp_path / "episodes.csv").write_text(
        ",".join(TABLE_COLUMNS["episodes"]) + "\nC001,02/10/2022,S,C2,N1,U1,PR1,11/03/2022,E11,,,,\n"
        "C002,23/04/2022,S,C2,N1,U1,PR1,,,,,,\n"
    )
    assert not (load_ssda903(tmp_path).findings["check"] == "dates_maybe_month_first").any()


# ----------------------------------------------------------------------------- files not read


def test_files_not_read_are_findings():
    d = load_ssda903(BROKEN / "unread_files")
    assert _findings(d) == [
        ("file_not_read", "error", "header", None, None, None, "header.xlsx"),
        ("file_not_read", "warning", None, None, None, None, "notes.docx"),
    ]
    msg = d.findings.loc[0, "message"]
    assert "was not read" in msg and "Save it as CSV" in msg


def test_files_not_read_in_year_folders(tmp_path):
    shutil.copytree(BROKEN / "unread_files", tmp_path / "2023")
    (tmp_path / "manifest.json").write_text("{}")  # beside year folders: expected, not reported
    (tmp_path / "Episodes 2022.xls").write_bytes(b"\xd0\xcf\x11\xe0")  # named like a table: reported
    d = load_ssda903(tmp_path)
    assert [(c, s, v) for c, s, _, _, _, _, v in _findings(d)] == [
        ("file_not_read", "error", "Episodes 2022.xls"),
        ("file_not_read", "error", "2023/header.xlsx"),
        ("file_not_read", "warning", "2023/notes.docx"),
    ]


# ----------------------------------------------------------------------------- header-only tables


def test_header_only_tables_load_empty_with_columns():
    # episodes.csv: header and line break only; reviews.csv: header without a line break
    d = load_ssda903(BROKEN / "header_only", collection_year=2023)
    assert len(d.episodes) == 0 and len(d.reviews) == 0 and d.findings.empty
    assert list(d.episodes.columns) == list(TABLE_COLUMNS["episodes"]) + ["collection_year"]
    assert list(d.reviews.columns) == list(TABLE_COLUMNS["reviews"]) + ["collection_year"]
    assert d.episodes["DECOM"].dtype == "datetime64[ns]" and d.reviews["REVIEW"].dtype == "datetime64[ns]"


def test_header_only_tables_downstream():
    d = load_ssda903(BROKEN / "header_only", collection_year=2023)
    tables = iro.cohorts.cohort_tables(d, year=2023)
    assert tables["monthly_in_care"]["children"].eq(0).all()
    schedule = iro.timeliness.review_schedule(d, year=2023)
    assert len(schedule) == 0
    summary = iro.timeliness.timeliness_summary(schedule, year=2023)
    assert summary["denominator"].eq(0).all()
    with pytest.raises(ParameterError, match="nothing to chart"):
        iro.timeliness.monthly_pchart(schedule, 2023)


# ----------------------------------------------------------------------------- pyarrow vs pandas reader


def _count_arrow_reads(monkeypatch) -> list:
    """Record, per file, whether the pyarrow reader read it (True) or left it to pandas (False)."""
    used = []
    real = ssda903_csv._read_arrow

    def spy(*a, **k):
        out = real(*a, **k)
        used.append(out is not None)
        return out

    monkeypatch.setattr(ssda903_csv, "_read_arrow", spy)
    return used


def _pandas_only(monkeypatch):
    # The reader used before pyarrow: every file through pandas.read_csv.
    monkeypatch.setattr(ssda903_csv, "_read_arrow", lambda *a, **k: None)


def _assert_same(a, b):
    assert a.tables == b.tables
    for t in a.tables:
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t), check_exact=True)
        np.testing.assert_array_equal(a._lines[t], b._lines[t])
    pd.testing.assert_frame_equal(a.findings, b.findings, check_exact=True)


def _validator_files():
    d = find_reference_file("fake_903.xml", subdir="csc-validator-be-903_fake_data").parent
    return [d / f"{t}.csv" for t in ("header", "episodes", "reviews", "uasc", "missing", "oc2", "oc3", "ad1",
                                     "placed_for_adoption", "previous_permanence", "sw_episodes", "DoLo")]


@pytest.mark.parametrize("which", ["validator", "validator_2025", "demand", "liia", "messy"])
def test_arrow_reader_matches_pandas_reader_on_samples(monkeypatch, which):
    def load():
        if which == "validator":
            return load_ssda903(_validator_files())
        if which == "validator_2025":
            return load_ssda903(_validator_files(), collection_year=2025)
        if which == "demand":
            return load_ssda903(find_reference_file("2017-episodes.csv", subdir="cs-demand-model_samples").parent)
        if which == "liia":
            return load_ssda903(find_reference_file("liia-tools_SSDA903_episodes_for_testing_fixes_INPUT.csv"))
        return load_ssda903(BROKEN / "messy_but_valid")

    used = _count_arrow_reads(monkeypatch)
    fast = load()
    assert any(used)  # pyarrow read at least one file
    _pandas_only(monkeypatch)
    _assert_same(fast, load())


@pytest.mark.slow
def test_arrow_reader_matches_pandas_reader_on_synthetic(monkeypatch, tmp_path):
    # Synthetic returns carry injected defects (bad dates, unknown codes, duplicates), so the
    # findings are compared too. Two authorities, three years each.
    for la in ("872", "330"):
        iro.synthetic.write_synthetic_returns(la, 2024, years=3, out=tmp_path / la, seed=3)
        stack = tmp_path / f"stack_{la}"
        stack.mkdir()
        for y in (2022, 2023, 2024):
            shutil.copytree(tmp_path / la / str(y), stack / str(y))
        with monkeypatch.context() as m:
            used = _count_arrow_reads(m)
            fast = load_ssda903(stack)
        assert used and all(used)  # every synthetic file went through pyarrow
        assert len(fast.findings) > 0
        with monkeypatch.context() as m:
            _pandas_only(m)
            slow = load_ssda903(stack)
        _assert_same(fast, slow)


def test_arrow_reader_matches_pandas_reader_on_odd_plain_files(monkeypatch, tmp_path):
    # Plain (unquoted) files with the oddities pyarrow reads itself: spaces around cells, CRLF,
    # blank lines in the middle and at the end, ',,,' rows, lower-case codes, no final line break.
    head = "CHILD,DOB,REVIEW,REVIEW_CODE"
    (tmp_path / "reviews.csv").write_text(
        f" {head} \r\n C1 ,01/05/2012, 03/06/2022,pn1\r\n\r\n,,,\r\nC2,11/09/2010,31/02/2023, PN4 \r\n,,,\r\n\r\n"
    )
    (tmp_path / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,01/05/2012,wbri,,,\nC2,f,11/09/2010,XXXX,,1.0,\nC3,2,1/2/2011,AIND,,,"
    )
    used = _count_arrow_reads(monkeypatch)
    fast = load_ssda903(tmp_path)
    assert used == [True, True]
    assert fast.reviews["REVIEW_CODE"].tolist() == ["PN1", "PN4"]
    assert fast._lines["reviews"].tolist() == [2, 5]
    _pandas_only(monkeypatch)
    _assert_same(fast, load_ssda903(tmp_path))
