"""The SSDA903 object's public accessors, the one table accessor (``as_return``), the one CHILD
normalisation (``child_ids``/``child_keys``), the old module paths kept as aliases, and the
rule that the loader does not depend on the quality checks."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import iro_analysis
from iro_analysis import ParameterError
from iro_analysis.ssda903 import SSDA903, as_return, child_ids, child_keys, load_ssda903

PACKAGE = Path(iro_analysis.__file__).parent


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


# ----------------------------------------------------------------------------- accessors


def test_table_reads_a_table_by_name_and_refuses_other_names():
    d = SSDA903(header=pd.DataFrame({"CHILD": ["A"]}))
    assert d.table("header") is d.header
    assert d.table("episodes") is None
    with pytest.raises(ParameterError, match="Unknown table name"):
        d.table("headers")


def test_source_lines_and_files_say_where_each_row_came_from(tmp_path):
    # reviews.csv: header on line 1, a blank line 3 (dropped), rows on lines 2 and 4
    _write(tmp_path / "2023", "reviews.csv",
           "CHILD,DOB,REVIEW,REVIEW_CODE\nA,01/01/2015,01/06/2022,PN1\n\nB,01/01/2016,01/07/2022,PN1\n")
    _write(tmp_path / "2023", "header.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA,1,01/01/2015,WBRI,,,\n")
    d = load_ssda903(tmp_path)
    assert d.source_lines("reviews").tolist() == [2, 4]
    assert d.source_lines("reviews").dtype == np.int64
    # relative to the folder loaded: the year folder and the file
    assert d.source_files("reviews").tolist() == [str(Path("2023") / "reviews.csv")] * 2
    assert d.source_lines("header").tolist() == [2]
    assert d.source_lines("episodes") is None  # no such table
    # a table that gained or lost rows since loading no longer has known lines
    d.reviews = d.reviews.iloc[:1]
    assert d.source_lines("reviews") is None and d.source_files("reviews") is None


def test_from_tables_builds_a_typed_return_for_tests():
    d = SSDA903.from_tables(
        header={"CHILD": ["A", "B"], "DOB": ["2015-01-31", None]},
        reviews=pd.DataFrame({"CHILD": ["A"], "REVIEW": pd.to_datetime(["2022-06-01"])}),
        episodes=None,
        collection_year=2023,
        source="hand-made",
        lines={"header": [2, 3]},
    )
    assert d.tables == ["header", "reviews"]
    assert d.source == "hand-made" and d.collection_years == [2023]
    assert d.header["DOB"].dtype == "datetime64[ns]"
    assert d.header["DOB"].iloc[0] == pd.Timestamp("2015-01-31") and pd.isna(d.header["DOB"].iloc[1])
    assert d.header["collection_year"].tolist() == [2023, 2023]
    assert d.source_lines("header").tolist() == [2, 3]
    assert d.source_lines("reviews") is None
    assert len(d.findings) == 0


def test_from_tables_refuses_unknown_tables_day_first_text_and_lines_of_another_length():
    with pytest.raises(ParameterError, match="Unknown table name"):
        SSDA903.from_tables(reveiws={"CHILD": ["A"]})
    # 31/01/2015 is how DfE files write dates, but text here must be ISO: no guessing
    with pytest.raises(ParameterError, match="yyyy-mm-dd"):
        SSDA903.from_tables(header={"CHILD": ["A"], "DOB": ["31/01/2015"]})
    with pytest.raises(ParameterError, match="2 values for 1 rows"):
        SSDA903.from_tables(header={"CHILD": ["A"]}, lines={"header": [2, 3]})


def test_from_tables_does_not_change_the_frames_given():
    h = pd.DataFrame({"CHILD": ["A"], "DOB": ["2015-01-31"]})
    SSDA903.from_tables(header=h, collection_year=2023)
    assert list(h.columns) == ["CHILD", "DOB"] and h["DOB"].iloc[0] == "2015-01-31"


# ----------------------------------------------------------------------------- as_return


def test_as_return_keeps_an_ssda903_as_it_is():
    d = SSDA903(header=pd.DataFrame({"CHILD": ["A"]}))
    assert as_return(d) is d


def test_as_return_reads_the_tables_of_any_object_with_table_attributes():
    ep = pd.DataFrame({"CHILD": ["A"], "collection_year": [2023]})
    found = pd.DataFrame({"check": ["x"], "severity": ["info"]})
    duck = SimpleNamespace(episodes=ep, header=None, findings=found, source="here", _lines={"episodes": [5]},
                           other="ignored")
    d = as_return(duck)
    assert isinstance(d, SSDA903)
    assert d.tables == ["episodes"] and d.episodes is ep and d.header is None
    assert d.collection_years == [2023]
    assert d.findings is found and d.source == "here"
    assert d.source_lines("episodes").tolist() == [5]
    # an object with no tables at all is an empty return (the analysis then says what it lacks)
    assert as_return(SimpleNamespace()).tables == []


def test_as_return_takes_a_dict_of_tables_and_refuses_unknown_names_and_lone_tables():
    ep = pd.DataFrame({"CHILD": ["A"]})
    assert as_return({"episodes": ep, "header": None}).tables == ["episodes"]
    with pytest.raises(ParameterError, match=r"Unknown table name\(s\) \['epsiodes', 'x'\]"):
        as_return({"epsiodes": ep, "x": ep})
    with pytest.raises(ParameterError, match="not a single table"):
        as_return(ep)
    with pytest.raises(ParameterError, match="must be a pandas DataFrame"):
        as_return(SimpleNamespace(episodes=[1, 2]))


def test_child_identifiers_and_years_of_a_duck_typed_return_are_read():
    # Before as_return, a SimpleNamespace had no `tables` attribute, so no identifier was
    # listed for the shareable-output guard: now its tables are read like an SSDA903's.
    from iro_analysis.inputs import return_years
    from iro_analysis.report import child_identifiers

    duck = SimpleNamespace(header=pd.DataFrame({"CHILD": ["A1", " B2 "], "UPN": ["X123", None],
                                                "collection_year": [2023, 2023]}))
    assert child_identifiers(duck) == ["A1", "B2", "X123"]
    assert return_years(duck) == [2023]



def test_child_identifiers_of_text_columns_are_every_stripped_value():
    # read as a list (not row by row): the same set, whatever the columns' dtypes
    from iro_analysis.report import child_identifiers

    header = pd.DataFrame({"CHILD": pd.Series(["A1", " B2 ", None, "", "7"], dtype="str"),
                           "UPN": pd.Series(["X123", "X123 ", None, "  ", "Y9"], dtype=object)})
    episodes = pd.DataFrame({"CHILD": pd.Series([7, 8], dtype="int64"), "DECOM": pd.to_datetime(["2022-05-01"] * 2)})
    duck = SimpleNamespace(header=header, episodes=episodes)
    expected = set()
    for table in (header, episodes):
        for column in ("CHILD", "UPN"):
            if column in table.columns:
                expected.update(v for v in table[column].dropna().astype(str).str.strip())
    expected.discard("")
    assert child_identifiers(duck) == sorted(expected) == ["7", "8", "A1", "B2", "X123", "Y9"]


# ----------------------------------------------------------------------------- CHILD keys


def test_child_ids_strip_text_and_make_blanks_missing():
    s = pd.Series([" A1", "A1", 7, "7", "", "  ", None, np.nan], index=list("abcdefgh"), name="CHILD")
    out = child_ids(s)
    assert out.tolist() == ["A1", "A1", "7", "7", None, None, None, None]
    assert out.index.tolist() == list("abcdefgh") and out.name == "CHILD" and out.dtype == object


def test_child_keys_match_a_child_across_tables_within_one_year():
    d = SSDA903(
        header=pd.DataFrame({"CHILD": ["A", "B", "A"], "collection_year": [2022, 2022, 2023]}),
        reviews=pd.DataFrame({"CHILD": ["A ", "A", None, ""], "collection_year": [2022, 2023, 2023, 2022]}),
    )
    k = child_keys(d)
    h, r = k["header"], k["reviews"]
    assert h.dtype == np.int64 and len(h) == 3 and len(r) == 4
    # "A " is child A; the year is part of the key (A in 2022 is not A in 2023)
    assert r[0] == h[0] and r[1] == h[2] and h[0] != h[2]
    assert h[0] != h[1]
    # no CHILD (missing or blank): -1, whatever the year
    assert r[2] == -1 and r[3] == -1


def test_child_keys_ignore_the_year_unless_every_table_has_it():
    d = SSDA903(header=pd.DataFrame({"CHILD": ["A"], "collection_year": [2022]}),
                reviews=pd.DataFrame({"CHILD": ["A"]}),
                missing=pd.DataFrame({"DOB": pd.to_datetime(["2015-01-01"])}))  # no CHILD: left out
    k = child_keys(d)
    assert set(k) == {"header", "reviews"} and k["header"][0] == k["reviews"][0]
    assert child_keys(SSDA903()) == {}
    assert set(child_keys(d, tables=["reviews"])) == {"reviews"}


def test_child_keys_equal_the_loaders_own_keys_on_a_loaded_return(synthetic_wokingham):
    # On loaded data CHILD is already stripped text: keys equal (CHILD, year) exactly.
    d = load_ssda903(synthetic_wokingham)
    k = child_keys(d)
    pairs = {}
    for t in d.tables:
        for key, child, year in zip(k[t], d.table(t)["CHILD"], d.table(t)["collection_year"]):
            pairs.setdefault(int(key), set()).add((child, int(year)))
    assert all(len(v) == 1 for v in pairs.values())
    assert len(pairs) == len(set().union(*pairs.values()))


# ----------------------------------------------------------------------------- old paths and layers


def test_old_module_paths_are_the_new_modules(monkeypatch):
    from iro_analysis import ssda903_checks, ssda903_csv
    from iro_analysis.quality import findings as old_findings
    from iro_analysis.quality import records as old_records
    from iro_analysis import findings
    from iro_analysis.ssda903 import checks, read_csv, records

    assert ssda903_csv.read_cells is read_csv.read_cells and ssda903_csv._read_arrow is read_csv._read_arrow
    assert ssda903_checks.check_month_first is checks.check_month_first
    assert old_records.load_findings is records.load_findings
    assert old_findings.make_findings is findings.make_findings
    assert ssda903_csv.__file__ != read_csv.__file__  # its own file, so doctest collection accepts it
    # a patch through the old path is what the reader looks up, and is undone with the test's end
    real = read_csv._read_arrow
    monkeypatch.setattr(ssda903_csv, "_read_arrow", lambda *a, **k: None)
    assert read_csv._read_arrow is not real and ssda903_csv._read_arrow is read_csv._read_arrow
    monkeypatch.undo()
    assert read_csv._read_arrow is real


def _imports(path: Path) -> set[str]:
    """Modules a file imports, as absolute names."""
    tree = ast.parse(path.read_text())
    # the package a relative import starts from (for __init__.py as for any other module)
    package = list(path.relative_to(PACKAGE.parent).parts[:-1])
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            name = ".".join(base + ([node.module] if node.module else []))
            out.add(name)
            out.update(f"{name}.{a.name}" for a in node.names)
    return out


def test_the_loader_and_findings_do_not_import_the_quality_checks():
    files = [PACKAGE / "findings.py", *sorted((PACKAGE / "ssda903").glob("*.py"))]
    for path in files:
        upward = [m for m in _imports(path) if m.startswith("iro_analysis.") and
                  m.split(".")[1] not in ("ssda903", "findings", "errors", "codes", "calendar", "files")]
        assert upward == [], (path.name, upward)
    # findings is the ground floor: nothing of the package but errors
    assert {m for m in _imports(PACKAGE / "findings.py") if m.startswith("iro_analysis")} <= {"iro_analysis.errors"}


def test_loading_a_return_imports_no_quality_module(tmp_path):
    _write(tmp_path, "header.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA,1,01/01/2015,WBRI,,,\n")
    code = (
        "import sys; from iro_analysis.ssda903 import load_ssda903; "
        f"load_ssda903({str(tmp_path)!r}, collection_year=2023); "
        "print(sorted(m for m in sys.modules if m.startswith('iro_analysis.quality')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
