"""The loader's second set of fast paths give what the general paths give: the record checks
of a fresh load from the arrays its tables are built from, tables stacked into their blocks,
date digits read from the reader's bytes, findings frames built and stacked from arrays,
and code lists made once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iro_analysis import findings as findings_module
from iro_analysis.ssda903 import checks, dates, load, load_ssda903, records, types
from iro_analysis.ssda903.raw import _joined_text
from iro_analysis.ssda903.read_csv import _text_of

_LOAD_CHECKS = ["date_unparseable", "unknown_code", "dates_maybe_month_first", "short_row", "long_row",
                "truncated_file", "file_not_read", "file_not_recognised"]


def _record_findings(data) -> pd.DataFrame:
    f = data.findings
    return f[~f["check"].isin(_LOAD_CHECKS)].reset_index(drop=True)


# ----------------------------------------------------------------------------- record checks

_HEAD = {"header": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
         "episodes": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN",
         "reviews": "CHILD,DOB,REVIEW,REVIEW_CODE",
         "missing": "CHILD,DOB,MISSING,MIS_START,MIS_END"}

_CASES = {
    # two years, a child in both; duplicate rows and keys; a review of a child not in the header;
    # DOBs that differ; a blank CHILD in several tables; an episode after the year end
    "years": {
        "2022": {"header": ["A,1,01/02/2015,WBRI,,,", "B,2,03/04/2016,WBRI,,,", "B,2,03/04/2016,WBRI,,,",
                            ",1,05/06/2017,WBRI,,,", "C,1,31/02/2015,WBRI,,,"],
                 "episodes": ["A,01/05/2021,P,C2,N1,U1,PR1,,,,,,", "A,01/05/2021,P,C2,N1,U1,PR1,,,,,,",
                              "A,01/05/2021,B,C2,N1,U1,PR1,,,,,,", ",02/05/2021,P,C2,N1,U1,PR1,,,,,,",
                              ",02/05/2021,P,C2,N1,U1,PR1,,,,,,", "B,01/05/2022,P,C2,N1,U1,PR1,,,,,,"],
                 "reviews": ["A,01/02/2015,01/06/2021,PN1", "A,02/02/2015,01/07/2021,PN1", "Z,01/01/2010,01/06/2021,PN1",
                             "C,01/01/2015,01/06/2021,PN1", ",01/01/2010,01/06/2021,PN1"],
                 "missing": ["A,01/02/2015,M,01/06/2021,02/06/2021", "A,01/02/2015,M,01/06/2021,02/06/2021"]},
        "2023": {"header": ["A,1,01/02/2015,WBRI,,,", "D,2,,WBRI,,,"],
                 "episodes": ["A,01/05/2022,P,C2,N1,U1,PR1,,,,,,", "D,01/05/2022,P,C2,N1,U1,PR1,,,,,,"],
                 "reviews": ["A,01/02/2015,01/06/2022,PN1", "A,01/02/2015,01/06/2022,PN1", "D,01/01/2015,01/06/2022,PN1",
                             "B,03/04/2016,01/06/2022,PN1"]},
    },
    # one year, read by pandas (quoted cells, spaces), lower-case codes, header rows that repeat a child
    "quoted": {
        "2024": {"header": ['"A",1,01/02/2015,wbri,,,', '"A",1,01/02/2015,WBRI,,,', ' B ,2,01/02/2015,WBRI,,,'],
                 "reviews": ['"A",01/02/2015,01/06/2023,pn1', "B,02/02/2015,01/06/2023,PN1", "B,02/02/2015,01/06/2023,PN1"]},
    },
    # no header table: nothing to compare children or DOBs with
    "no_header": {
        "2023": {"reviews": ["A,01/02/2015,01/06/2022,PN1", "A,01/02/2015,01/06/2022,PN1"],
                 "episodes": ["A,01/05/2022,P,C2,N1,U1,PR1,,,,,,"]},
    },
    # a header in which the first row of a child has no readable DOB and a later one has
    "first_dob_blank": {
        "2023": {"header": ["A,1,,WBRI,,,", "A,1,01/02/2015,WBRI,,,", "B,1,01/02/2015,WBRI,,,"],
                 "reviews": ["A,09/09/2015,01/06/2022,PN1", "B,09/09/2015,01/06/2022,PN1"]},
    },
}


def _write_case(root: Path, spec: dict) -> None:
    for year, tables in spec.items():
        folder = root / year
        folder.mkdir(parents=True)
        for table, rows in tables.items():
            (folder / f"{table}.csv").write_text("\n".join([_HEAD[table]] + rows) + "\n")


@pytest.mark.parametrize("case", sorted(_CASES))
def test_record_checks_of_a_load_equal_load_findings(tmp_path, monkeypatch, case):
    _write_case(tmp_path, _CASES[case])
    taken = []
    real = records.loaded_findings

    def spy(data, arrays, child):
        out = real(data, arrays, child)
        taken.append(out)
        return out

    monkeypatch.setattr(records, "loaded_findings", spy)
    data = load_ssda903(tmp_path, on_bad_rows="finding")
    assert taken, "the load did not take the arrays path"
    general = records.load_findings(data)
    pd.testing.assert_frame_equal(taken[0], general, check_exact=True)
    pd.testing.assert_frame_equal(_record_findings(data), general, check_exact=True)
    assert len(general)  # each case has something to find


def test_record_checks_of_a_flat_folder_and_of_liia_years_equal_load_findings(tmp_path):
    # a flat folder with no year (no collection_year), and LIIA files whose YEAR column holds
    # two years in one file (and one year out of the range the arrays path numbers)
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "header.csv").write_text(_HEAD["header"] + "\nA,1,01/02/2015,WBRI,,,\nA,1,01/02/2015,WBRI,,,\nB,1,,WBRI,,,\n")
    (flat / "reviews.csv").write_text(_HEAD["reviews"] + "\nA,02/02/2015,01/06/2022,PN1\nZ,02/02/2015,01/06/2022,PN1\n")
    for folder in [flat]:
        data = load_ssda903(folder)
        pd.testing.assert_frame_equal(_record_findings(data), records.load_findings(data), check_exact=True)
    for years in ([2022, 2023], [2022, 12023]):
        liia = tmp_path / f"liia{years[1]}"
        liia.mkdir()
        (liia / "header.csv").write_text(
            _HEAD["header"] + ",LA,YEAR\n" + "".join(f"A,1,2015-02-01,WBRI,,,,X,{y}\n" for y in years)
            + f"A,1,2015-02-01,WBRI,,,,X,{years[0]}\n")
        # (missing rather than reviews: the year-end check cannot date a year past 9999)
        (liia / "missing.csv").write_text(
            _HEAD["missing"] + ",LA,YEAR\n" + "".join(f"A,2015-02-02,M,2021-06-01,,X,{y}\nB,2015-02-02,M,2021-06-01,,X,{y}\n"
                                                      for y in years))
        data = load_ssda903(liia)
        pd.testing.assert_frame_equal(_record_findings(data), records.load_findings(data), check_exact=True)


def test_record_checks_fall_back_to_the_general_path_where_arrays_do_not_fit():
    d = types._frame_from_columns({"CHILD": np.asarray(["A", "A"], dtype=object),
                                   "REVIEW_CODE": np.asarray(["PN1", "PN1"], dtype=object)}, 2)
    data = records.as_return({"reviews": d})
    data._lines = {"reviews": np.asarray([2, 3], dtype=np.int64)}
    data._files = {"reviews": np.asarray(["r.csv", "r.csv"], dtype=object)}
    arrays = {"reviews": {"CHILD": d["CHILD"].to_numpy(), "REVIEW_CODE": d["REVIEW_CODE"].to_numpy()}}
    # identifiers that are not text: the general path decides
    child = {"reviews": [(np.asarray([0, 0]), np.asarray([7, ""], dtype=object))]}
    pd.testing.assert_frame_equal(records.loaded_findings(data, arrays, child), records.load_findings(data))
    # a table missing from the arrays
    pd.testing.assert_frame_equal(records.loaded_findings(data, {}, {}), records.load_findings(data))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(-1, 3)), min_size=1, max_size=25))
def test_firsts_mark_the_first_row_of_each_group(rows):
    groups = pd.factorize(np.asarray([a * 10 + b for a, b in rows], dtype=np.int64))[0]
    np.testing.assert_array_equal(records._firsts(groups), ~pd.Series(groups).duplicated(keep="first").to_numpy())


# ----------------------------------------------------------------------------- stacking into blocks

_TEXT = st.sampled_from(["a", "B", "", "ccc", "é"])


@st.composite
def _parts(draw):
    names = ["CHILD", "DOB", "LS", "collection_year"]
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        n = draw(st.integers(0, 6))
        uniq = np.asarray(draw(st.lists(_TEXT, min_size=1, max_size=4)) + [np.nan], dtype=object)
        days = np.asarray(draw(st.lists(st.integers(-5, 5), min_size=1, max_size=3)), dtype=np.int64)
        dates_u = (days * 86_400 * 10**9).view("datetime64[ns]")
        if draw(st.booleans()):
            dates_u[0] = np.datetime64("NaT")
        codes = lambda k: np.asarray(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)), dtype=np.intp)  # noqa: E731
        part = {"CHILD": (codes(len(uniq)), uniq), "DOB": (codes(len(dates_u)), dates_u),
                "LS": np.asarray(draw(st.lists(_TEXT, min_size=n, max_size=n)), dtype=object),
                "collection_year": np.full(n, draw(st.sampled_from([2022, 2023])), dtype=np.int64)}
        if draw(st.integers(0, 5)) == 0:  # a column of another dtype in one part
            part["collection_year"] = part["collection_year"].astype(np.int32)
        parts.append(part)
    return names, parts


@settings(max_examples=150, deadline=None)
@given(_parts())
def test_tables_stacked_into_blocks_equal_concatenated_columns(drawn):
    names, parts = drawn
    total = sum(len(p["LS"]) for p in parts)
    stacked, frame = load._stack_table(parts, names, total)
    expected = {k: np.concatenate([load._spread({k: p[k]})[k] for p in parts]) for k in names}
    assert list(stacked) == names
    for k in names:
        assert stacked[k].dtype == expected[k].dtype
        assert [type(v) for v in stacked[k]] == [type(v) for v in expected[k]]
        pd.testing.assert_series_equal(pd.Series(stacked[k]), pd.Series(expected[k]))
    pd.testing.assert_frame_equal(frame, types._frame_from_columns(expected, total), check_exact=True)


# ----------------------------------------------------------------------------- dates from bytes

def _date_text(day: int, month: int, year: int, padded: bool) -> str:
    return f"{day:02d}/{month:02d}/{year:04d}" if padded else f"{day}/{month}/{year}"


# Dates of both widths, odd text (with non-ASCII digits and letters) and known hard cases.
_DATE_TEXT = st.one_of(
    st.builds(_date_text, st.integers(0, 39), st.integers(0, 14), st.integers(1600, 2300), st.booleans()),
    st.text(st.sampled_from(list("0123456789") * 4 + list("/-: .aé١")), min_size=0, max_size=12),
    st.sampled_from(["", "29/02/2024", "31/04/2023", "01/02/2023 00:00:00", "2023-01-15", "١/02/2023", "01/02/2023é"]),
)


def _as_read(values: list[str], sliced: bool) -> tuple[np.ndarray, tuple]:
    """Uniques as the pyarrow reader gives them ('' appended) and their bytes."""
    arr = pa.array(["x"] + values if sliced else values, pa.string())
    if sliced:
        arr = arr.slice(1)
    uniq = np.asarray(values + [""], dtype=object)
    return uniq, _text_of(arr)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_DATE_TEXT, min_size=0, max_size=10, unique=True), min_size=1, max_size=4), st.booleans())
def test_dates_read_from_bytes_equal_dates_read_from_strings(columns, sliced):
    read = [_as_read(c, sliced) for c in columns]
    cols = [u for u, _ in read]
    texts = [t for _, t in read]
    for u, (lengths, data) in read:
        assert lengths.tolist() == [len(v.encode()) for v in u]
        assert data.tobytes() == "".join(u).encode()
    iso = [False] * len(cols)
    for got, expected in zip(dates._parse_dates_many(cols, iso, texts), dates._parse_dates_many(cols, iso)):
        np.testing.assert_array_equal(got, expected)
    for (a, b), (c, d) in zip(checks.day_month_many(cols, texts), checks.day_month_many(cols)):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    joined = _joined_text(texts)
    if joined is not None:
        all_values = np.concatenate(cols)
        d1, p1 = dates._parse_dmy_strict(None, joined)
        d2, p2 = dates._parse_dmy_strict(all_values)
        np.testing.assert_array_equal(d1, d2)
        np.testing.assert_array_equal(p1, p2)
        for x, y in zip(checks._day_month(all_values, joined), checks._day_month(all_values)):
            np.testing.assert_array_equal(x, y)


def test_non_ascii_bytes_are_left_to_the_strings():
    _, text = _as_read(["١/02/2023", "01/02/2023"], False)
    assert _joined_text([text]) is None
    assert _joined_text([text, None]) is None


# ----------------------------------------------------------------------------- findings frames

_CELL = st.sampled_from(["a", "", None, np.nan, pd.NA, "x y"])


@st.composite
def _findings_frames(draw):
    frames = []
    for _ in range(draw(st.integers(0, 4))):
        n = draw(st.integers(0, 4))
        recs = [{"check": draw(st.sampled_from(["c1", "c2"])), "severity": draw(st.sampled_from(["error", "info"])),
                 "table": draw(_CELL), "row": draw(st.one_of(st.none(), st.integers(-1, 9))), "CHILD": draw(_CELL),
                 "column": draw(_CELL), "value": draw(_CELL), "message": draw(_CELL)} for _ in range(n)]
        frames.append(findings_module.make_findings(recs) if draw(st.booleans()) else None)
    return frames


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_findings_frames())
def test_findings_stacked_from_arrays_equal_pandas_concat(frames):
    got = findings_module._stack(frames)
    parts = [f for f in frames if f is not None and len(f)]
    expected = findings_module._empty() if not parts else pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    for c in got.columns:
        assert [type(v) for v in got[c]] == [type(v) for v in expected[c]]
    assert findings_module._in_shape(got)


def test_findings_built_from_blocks_equal_the_frame_with_row_inserted():
    row = pd.array([3, None], dtype="Int64")
    texts = [np.asarray([f"{c}1", None], dtype=object) for c in findings_module._TEXT_COLUMNS]
    got = findings_module._build(row, texts, 2)
    block = np.empty((2, len(texts)), dtype=object)
    for j, v in enumerate(texts):
        block[:, j] = v
    expected = pd.DataFrame(block, columns=list(findings_module._TEXT_COLUMNS), dtype=object)
    expected.insert(findings_module.FINDING_COLUMNS.index("row"), "row", row)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    got.columns.name = "changed"  # each frame has its own columns index
    assert findings_module._build(row, texts, 2).columns.name is None


# ----------------------------------------------------------------------------- code lists

def test_code_lists_made_once_equal_valid_codes():
    from iro_analysis.codes import valid_codes

    for col in ("SEX", "LS", "PLACE", "REVIEW_CODE"):
        for year in (None, 2020, 2024, 2025):
            assert types._valid_codes(col, year) == valid_codes(col, year)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["1", "2", "M", "F", "U", "9", "", "X"]), min_size=1, max_size=6, unique=True),
       st.data())
def test_code_check_shortcut_equals_the_row_by_row_check(uniq, data):
    clean = np.asarray([u if u else np.nan for u in uniq], dtype=object)
    codes = np.asarray(data.draw(st.lists(st.integers(0, len(clean) - 1), min_size=0, max_size=8)), dtype=np.intp)
    year = data.draw(st.sampled_from([2024, 2025]))
    years = np.full(len(codes), year, dtype=np.int64)
    out = {"SEX": (codes, clean)}
    got = types._may_have_unknown_codes(out, ["SEX"], years, [year])
    seen = set(clean[codes]) if len(codes) else set()
    expected = any(isinstance(u, str) and u not in types._valid_codes("SEX", year) for u in seen)
    assert got == expected
    assert types._may_have_unknown_codes(out, ["SEX"], years) == expected


# ----------------------------------------------------------------------------- header line, empty files

_LINE_BITS = st.sampled_from(["\n", "\r", "\r\n", ",", " ", "A", "B,C", "\t", "\u2028", "\x0b", "\x1c", "\u0085", "\ufeff"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE_BITS, min_size=0, max_size=10))
def test_header_line_found_by_find_equals_stringio_lines(bits):
    import io

    from iro_analysis.ssda903.recognise import _header_line

    text = "".join(bits)
    expected = (0, "", 0)
    offset = 0
    for i, line in enumerate(io.StringIO(text)):
        if line.strip().strip(",").strip():
            expected = (i, line.rstrip("\r\n"), offset)
            break
        offset += len(line)
    assert _header_line(text) == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_LINE_BITS, min_size=0, max_size=8))
def test_empty_file_check_with_a_first_character_shortcut_equals_stripping_all(tmp_path, bits):
    from iro_analysis.errors import SSDA903FormatError
    from iro_analysis.ssda903.read_csv import _read_text

    text = "".join(bits)
    f = tmp_path / "t.csv"
    f.write_bytes(text.encode("utf-8"))
    empty = not text.replace("\ufeff", "").strip().strip(",").strip()
    try:
        got = _read_text(f)
    except SSDA903FormatError as exc:
        assert empty and "is empty" in str(exc)
    else:
        assert not empty and got == text.replace("\ufeff", "")
