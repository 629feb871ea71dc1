"""Tests for iro_analysis.reference: search path, DfE readers, authorities, rates, population,
characteristics, statistical neighbours and the inventory.

Golden figures come from the published DfE/ONS files (see data/reference/README.md). The files
are found through the package's own search path; if one is missing the test FAILS with the
ReferenceDataError message saying where to download it (it never skips).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iro_analysis.errors import ParameterError, ReferenceDataError
from iro_analysis.reference import (
    OGL_ATTRIBUTION,
    RATES_COLUMNS,
    Authority,
    cla_characteristics,
    cla_rates,
    find_reference_file,
    format_inventory,
    harmonise_region_name,
    list_authorities,
    national_cla_characteristics,
    neighbours_of,
    population_0_17,
    population_for,
    read_dfe_csv,
    reference_inventory,
    reference_search_path,
    resolve_authority,
    split_suppressed,
    statistical_neighbours,
)
from iro_analysis.reference import search as search_mod

RELEASES = (2023, 2024, 2025)
RATES_FILE = "cla_number_and_rate_per_10k_children_{}pub.csv"


def _mirror(name: str) -> Path:
    """Path of a published file; fails (never skips) with the package's own message if absent."""
    try:
        return find_reference_file(name)
    except ReferenceDataError as exc:  # pragma: no cover - only when the mirror is missing
        pytest.fail(f"Reference data needed by this test is missing:\n{exc}")


def _one(df: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(df), dtype=bool)
    for k, v in where.items():
        mask &= (df[k] == v).to_numpy()
    rows = df[mask]
    assert len(rows) == 1, f"expected one row for {where}, got {len(rows)}"
    return rows.iloc[0]


def _la_31_march(release: int, la_code: str, year: int) -> pd.Series:
    _mirror(RATES_FILE.format(release))
    r = cla_rates(release=release)
    return _one(r, geographic_level="Local authority", la_code=la_code, year=year, measure="cla_31_march")


# --------------------------------------------------------------------------------------------
# Search path


def test_search_path_order_with_env(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    monkeypatch.setenv("IRO_REFERENCE_DIR", os.pathsep.join([str(a), str(b)]))
    path = reference_search_path()
    project = Path(search_mod.__file__).resolve().parents[2]
    assert path[0] == a.resolve() and path[1] == b.resolve()
    # then the project's data/reference, then the shared mirror beside the checkout
    assert path.index(project / "data" / "reference") < path.index(
        (project.parent / "shared" / "external").resolve()
    )


def test_search_path_kept_only_while_its_inputs_stand(tmp_path, monkeypatch):
    import time

    from iro_analysis.reference import freshness, use_reference_folder

    a, b, c, d = (tmp_path / n for n in "abcd")
    for folder in (a, b, c, d):
        folder.mkdir()
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    calls = []
    resolve = search_mod._resolve_search_path
    monkeypatch.setattr(search_mod, "_resolve_search_path", lambda *args: calls.append(args) or resolve(*args))
    monkeypatch.setenv("IRO_REFERENCE_DIR", str(a))
    first = reference_search_path()
    assert reference_search_path() == first and len(calls) == 1  # kept within the window
    first.clear()  # the caller's list is its own
    assert reference_search_path()[0] == a.resolve()
    monkeypatch.setenv("IRO_REFERENCE_DIR", str(b))  # a changed variable is seen at once
    assert reference_search_path()[0] == b.resolve() and len(calls) == 2
    use_reference_folder(c)  # so is a folder set for the process
    try:
        assert reference_search_path()[:2] == [c.resolve(), b.resolve()]
    finally:
        use_reference_folder(None)
    assert reference_search_path()[0] == b.resolve()
    monkeypatch.chdir(d)  # and a new working directory
    assert d.resolve() / "data" / "reference" in reference_search_path()
    monkeypatch.setattr(search_mod, "_project_root", lambda: d)  # and another project folder
    assert reference_search_path().count(d.resolve() / "data" / "reference") == 1
    done = len(calls)
    assert reference_search_path() and len(calls) == done
    clock[0] += freshness.STATE_SECONDS  # an old reading is made again (a folder may be a new link)
    reference_search_path()
    assert len(calls) == done + 1
    search_mod.clear_reference_index()
    reference_search_path()
    assert len(calls) == done + 2


def test_env_folder_wins_over_mirror(tmp_path, monkeypatch):
    name = RATES_FILE.format(2025)
    mirror_copy = _mirror(name)
    fake = tmp_path / "deep" / "dfe_cla" / name
    fake.parent.mkdir(parents=True)
    fake.write_text("time_period\n2025\n", encoding="utf-8")
    monkeypatch.setenv("IRO_REFERENCE_DIR", str(tmp_path))
    assert find_reference_file(name) == fake.resolve()
    assert find_reference_file(name, subdir="dfe_cla") == fake.resolve()
    monkeypatch.delenv("IRO_REFERENCE_DIR")
    assert find_reference_file(name) == mirror_copy


def test_file_added_after_first_lookup_is_found(isolated_search_path):
    ref = isolated_search_path
    with pytest.raises(ReferenceDataError):
        find_reference_file("late.csv")
    (ref / "sub").mkdir()
    (ref / "sub" / "late.csv").write_text("x\n1\n", encoding="utf-8")
    assert find_reference_file("late.csv") == (ref / "sub" / "late.csv").resolve()


def test_subdir_disambiguates_same_name(isolated_search_path):
    ref = isolated_search_path
    for folder in ("a", "b"):
        (ref / folder).mkdir()
        (ref / folder / "PROVENANCE.md").write_text(folder, encoding="utf-8")
    assert find_reference_file("PROVENANCE.md", subdir="b").read_text() == "b"
    assert find_reference_file("b/PROVENANCE.md").read_text() == "b"
    with pytest.raises(ReferenceDataError, match="in a folder named 'c'"):
        find_reference_file("PROVENANCE.md", subdir="c")


def test_missing_file_message_names_file_folders_publisher_url(isolated_search_path):
    name = "la_cla_on_31_march_by_characteristics_2025pub_extract.csv"
    with pytest.raises(ReferenceDataError) as info:
        find_reference_file(name)
    msg = str(info.value)
    assert name in msg
    for folder in reference_search_path():
        assert str(folder) in msg
    assert "Department for Education" in msg
    assert (
        "https://explore-education-statistics.service.gov.uk/find-statistics/"
        "children-looked-after-in-england-including-adoptions" in msg
    )
    assert "IRO_REFERENCE_DIR" in msg
    assert isinstance(info.value, FileNotFoundError)  # ReferenceDataError subclasses it


def test_missing_unregistered_file_says_so(isolated_search_path):
    with pytest.raises(ReferenceDataError, match="not in the package's registry"):
        find_reference_file("no_such_file_anywhere.csv")


def test_missing_release_lists_releases_found():
    for rel in RELEASES:
        _mirror(RATES_FILE.format(rel))
    with pytest.raises(ReferenceDataError) as info:
        cla_rates(release=2019)
    msg = str(info.value)
    assert "2019 release" in msg and "2023, 2024, 2025" in msg
    assert RATES_FILE.format(2019) in msg


# --------------------------------------------------------------------------------------------
# Reading DfE CSVs


def test_split_suppressed_symbols_and_commas():
    values = pd.Series(["1,234", "c", "7", "z", "", "x", "k", "LOW", "u", ":", "0.5", " 12 "])
    numbers, flags = split_suppressed(values)
    assert numbers.tolist()[0] == 1234.0
    assert numbers.tolist()[2] == 7.0 and numbers.tolist()[10] == 0.5 and numbers.tolist()[11] == 12.0
    assert numbers.isna().tolist() == [False, True, False, True, True, True, True, True, True, True, False, False]
    assert flags.tolist() == ["", "c", "", "z", "", "x", "k", "low", "u", ":", "", ""]


def test_split_suppressed_rejects_garbage_with_location():
    with pytest.raises(ReferenceDataError, match=r"row 3, column n: value 'abc'"):
        split_suppressed(pd.Series(["1", "abc"]), file="f.csv", column="n")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20))
def test_split_suppressed_round_trips_formatted_integers(ints):
    text = pd.Series([f"{i:,}" for i in ints])
    numbers, flags = split_suppressed(text)
    assert numbers.tolist() == [float(i) for i in ints]
    assert (flags == "").all()


def test_read_dfe_csv_bom_blanks_and_copy(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes("\ufefftime_period,la_name,number\n2025,A,\"1,200\"\n2025,NA,c\n".encode("utf-8"))
    df = read_dfe_csv(p, numeric=["number"])
    assert list(df.columns) == ["time_period", "la_name", "number", "number_flag"]
    assert df["la_name"].tolist() == ["A", "NA"]  # "NA" is a string, not missing
    assert df["number"].tolist()[0] == 1200.0 and np.isnan(df["number"].tolist()[1])
    assert df["number_flag"].tolist() == ["", "c"]
    df.loc[0, "la_name"] = "changed"
    assert read_dfe_csv(p)["la_name"].tolist()[0] == "A"  # the cache hands out copies


def test_read_dfe_csv_missing_column_is_clear(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="column 'number' not found"):
        read_dfe_csv(p, numeric=["number"])


# --------------------------------------------------------------------------------------------
# Authorities


def test_resolve_authority_three_forms():
    _mirror("la_lookup_dfe.csv")
    expected = resolve_authority("872")
    assert expected == Authority(
        la_code="872",
        ons_code="E06000041",
        la_name="Wokingham",
        region_code="E12000008",
        region_name="South East",
        region9_code="E12000008",
        region9_name="South East",
        current=True,
    )
    for form in (872, "E06000041", "e06000041", "Wokingham", "WOKINGHAM", "Wokingham Borough Council", expected):
        assert resolve_authority(form) == expected
    roth = resolve_authority("Rotherham MBC")
    assert (roth.la_code, roth.ons_code) == ("372", "E08000018")
    assert roth.region_name == "Yorkshire and The Humber"


@pytest.mark.parametrize(
    "text, code",
    [
        ("Brighton & Hove", "846"),
        ("Brighton and Hove City Council", "846"),
        ("City of Bristol", "801"),
        ("Bristol City Council", "801"),
        ("Hull", "810"),
        ("Herefordshire Council", "884"),
        ("London Borough of Camden", "202"),
        ("Royal Borough of Kensington and Chelsea", "207"),
        ("City of London", "201"),
        ("St Helens", "342"),
        ("Stockton-on-Tees Borough Council", "808"),
        ("Durham County Council", "840"),
        ("Windsor & Maidenhead", "868"),
        ("Dorset", "838"),  # the current Dorset, not the pre-2019 county (835)
        ("North Yorkshire", "815"),
    ],
)
def test_resolve_authority_name_variants(text, code):
    _mirror("la_lookup_dfe.csv")
    assert resolve_authority(text).la_code == code


def test_former_ons_code_resolves_to_current_record():
    _mirror("la_lookup_dfe.csv")
    ny = resolve_authority("E10000023")  # North Yorkshire county code before April 2023
    assert (ny.la_code, ny.ons_code) == ("815", "E06000065")
    la = list_authorities()
    assert _one(la, la_code="815")["former_ons_codes"] == "E10000023"
    assert _one(la, la_code="872")["former_ons_codes"] == ""


def test_inner_london_region_harmonised():
    _mirror("la_lookup_dfe.csv")
    camden = resolve_authority("Camden")
    assert (camden.region_code, camden.region_name) == ("E13000001", "Inner London")
    assert (camden.region9_code, camden.region9_name) == ("E12000007", "London")
    assert harmonise_region_name("London (Inner)") == "Inner London"
    assert harmonise_region_name("London (Outer)") == "Outer London"
    assert harmonise_region_name("Yorkshire and the Humber") == "Yorkshire and The Humber"


def test_resolve_authority_errors():
    _mirror("la_lookup_dfe.csv")
    with pytest.raises(ParameterError, match=r"Close matches: Wokingham \(872\)"):
        resolve_authority("Wokingam")
    with pytest.raises(ParameterError, match="national level"):
        resolve_authority("England")
    with pytest.raises(ParameterError, match="is England"):
        resolve_authority("E92000001")
    with pytest.raises(ParameterError, match="region South East"):
        resolve_authority("E12000008")
    with pytest.raises(ParameterError, match="is a region"):
        resolve_authority("London")
    with pytest.raises(ParameterError, match="DfE code '999'"):
        resolve_authority(999)
    with pytest.raises(ParameterError, match="ONS code 'E06999999'"):
        resolve_authority("E06999999")
    for bad in ("", None, True):
        with pytest.raises(ParameterError):
            resolve_authority(bad)


def test_ambiguous_name_lists_candidates(isolated_search_path):
    # A hand-made lookup with two current authorities of the same name.
    (isolated_search_path / "la_lookup_dfe.csv").write_text(
        "old_la_code,new_la_code,la_name,region_code,region_name,first_year_in_data,"
        "last_year_in_data,is_utla_2023\n"
        "901,E06000901,Newtown,E12000001,North East,2019,2025,True\n"
        "902,E06000902,Newtown,E12000002,North West,2019,2025,True\n"
        "903,E06000903,Oldtown,E12000002,North West,2019,2025,True\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match=r"several local authorities: Newtown \(901.*Newtown \(902"):
        resolve_authority("Newtown")
    assert resolve_authority("Oldtown Council").la_code == "903"
    assert resolve_authority("902").region_name == "North West"



def test_resolve_authority_by_code_is_kept_only_for_its_lookup(isolated_search_path):
    # codes found once are kept with the lookup table: the same answer as a search of the table,
    # and a rewritten lookup file is read again (no authority outlives the table it came from)
    from iro_analysis.reference import authorities

    lookup = isolated_search_path / "la_lookup_dfe.csv"
    header = ("old_la_code,new_la_code,la_name,region_code,region_name,first_year_in_data,"
              "last_year_in_data,is_utla_2023\n")
    lookup.write_text(header + "901,E06000901,Newtown,E12000001,North East,2019,2025,True\n"
                      "903,E06000903,Oldtown,E12000002,North West,2019,2025,True\n", encoding="utf-8")
    first = resolve_authority("901")
    table = authorities._cached_lookup()
    searched = authorities._authority(table[(table["la_code"] == "901") & table["canonical"]].iloc[0])
    assert first == searched and resolve_authority(901) is first and resolve_authority("903").la_name == "Oldtown"
    lookup.write_text(header + "901,E06000901,Newtown,E12000002,North West,2019,2025,True\n", encoding="utf-8")
    os.utime(lookup, ns=(lookup.stat().st_mtime_ns + 10**9,) * 2)  # a file rewritten within one tick
    assert resolve_authority("901").region_name == "North West"
    with pytest.raises(ParameterError, match="DfE code '903'"):
        resolve_authority("903")

def test_list_authorities_shape():
    _mirror("la_lookup_dfe.csv")
    la = list_authorities(include_former=True)
    assert la["la_code"].is_unique
    assert {"la_code", "ons_code", "la_name", "region_code", "region_name"} <= set(la.columns)
    current = list_authorities()
    # 153 upper-tier authorities (April 2023 boundaries); Cumbria and Northamptonshire are former.
    assert len(current) == 153
    assert not current["la_code"].isin(["909", "928", "835", "836", "837"]).any()
    assert set(la["la_code"]) - set(current["la_code"]) == {"909", "928", "835", "836", "837"}


@pytest.fixture
def mirror_rates_2025() -> Path:
    """Resolved before the search path is isolated (request it first)."""
    return _mirror(RATES_FILE.format(2025))


def test_lookup_built_from_rates_when_lookup_file_absent(mirror_rates_2025, isolated_search_path):
    # Only a rates file on the path: the lookup is derived from its LA rows.
    src = mirror_rates_2025
    (isolated_search_path / src.name).write_bytes(src.read_bytes())
    assert resolve_authority("Wokingham") == Authority(
        "872", "E06000041", "Wokingham", "E12000008", "South East", "E12000008", "South East", True
    )
    la = list_authorities()
    assert len(la) == 153  # Cumbria 909 and Northamptonshire 928 only have "z"/"x" in 2025
    assert not la["la_code"].isin(["909", "928"]).any()


# --------------------------------------------------------------------------------------------
# CLA rates: golden figures (public-data.md section 6)


def test_wokingham_golden():
    # 31 Mar 2022: 136 children, mid-2021 pop 41,129 -> 136/41129*10000 = 33.07 -> 33,
    # identical in all three releases.
    for rel in RELEASES:
        row = _la_31_march(rel, "872", 2022)
        assert (row["count"], row["rate_per_10k"], row["population_0_17"]) == (136, 33, 41129)
        assert row["ons_code"] == "E06000041" and row["count_flag"] == "" and row["rate_flag"] == ""
    # 31 Mar 2025: 149 / 44,412 * 10000 = 33.55 -> 34
    row = _la_31_march(2025, "872", 2025)
    assert (row["count"], row["rate_per_10k"], row["population_0_17"]) == (149, 34, 44412)


def test_rotherham_golden():
    for rel in RELEASES:
        r21 = _la_31_march(rel, "372", 2021)
        r22 = _la_31_march(rel, "372", 2022)
        assert (r21["count"], r21["rate_per_10k"]) == (595, 105)  # 595 / 56,555 * 1e4 = 105.2
        assert (r22["count"], r22["rate_per_10k"]) == (556, 99)


def test_england_2025_golden():
    _mirror(RATES_FILE.format(2025))
    r = cla_rates()  # default = latest release found (2025 on the mirror)
    assert set(r["release"]) == {2025}
    row = _one(r, geographic_level="National", year=2025, measure="cla_31_march")
    assert (row["count"], row["rate_per_10k"]) == (81770, 67)
    assert row["la_code"] == "" and row["region_code"] == ""


def test_known_revision_between_releases():
    # Wokingham 31 Mar 2023: 137 in the 2023 release, revised to 135 in 2024 and 2025.
    assert _la_31_march(2023, "872", 2023)["count"] == 137
    assert _la_31_march(2024, "872", 2023)["count"] == 135
    assert _la_31_march(2025, "872", 2023)["count"] == 135


@pytest.mark.parametrize("release", RELEASES)
def test_rates_tidy_shape(release):
    _mirror(RATES_FILE.format(release))
    r = cla_rates(release=release)
    assert list(r.columns) == RATES_COLUMNS
    assert set(r["measure"]) == {"cla_31_march", "starting", "ceasing"}
    assert set(r["geographic_level"]) == {"National", "Regional", "Local authority"}
    assert r["year"].dtype == np.int64 and r["count"].dtype == np.float64
    assert set(r["year"]) == set(range(release - 4, release + 1))
    # NaN exactly where a symbol was published
    assert (r["count"].isna() == (r["count_flag"] != "")).all()
    assert (r["rate_per_10k"].isna() == (r["rate_flag"] != "")).all()
    # Regional rows carry both London and its Inner/Outer split
    regions = set(r.loc[r["geographic_level"] == "Regional", "region_name"])
    assert {"London", "Inner London", "Outer London"} <= regions and len(regions) == 11


@pytest.mark.parametrize("release", RELEASES)
def test_vintage_harmonisation_matches_naive_parse(release):
    """Every published LA/region/England value maps to the same tidy row, for each release's
    own column names (population_type/children_count vs population_count/number)."""
    path = _mirror(RATES_FILE.format(release))
    with open(path, encoding="utf-8-sig", newline="") as fh:
        raw = list(csv.DictReader(fh))
    count_col = "children_count" if "children_count" in raw[0] else "number"
    type_col = "population_type" if "population_type" in raw[0] else "population_count"
    measure = {
        "Children looked after on 31 March each year": "cla_31_march",
        "Children looked after at 31 March each year": "cla_31_march",
        "Children starting to be looked after each year": "starting",
        "Children ceasing to be looked after each year": "ceasing",
    }
    tidy = cla_rates(release=release)
    assert len(tidy) == len(raw)
    key = ["year", "geographic_level", "region_code", "ons_code", "measure"]
    indexed = tidy.set_index(key)
    assert indexed.index.is_unique
    for rec in raw:
        k = (int(rec["time_period"]), rec["geographic_level"], rec["region_code"], rec["new_la_code"], measure[rec[type_col]])
        row = indexed.loc[k]
        published = rec[count_col]
        if published.isdigit():
            assert row["count"] == int(published) and row["count_flag"] == ""
        else:
            assert np.isnan(row["count"]) and row["count_flag"] == published


def test_same_count_in_all_releases_where_unrevised():
    """Joined on (year, la_code, measure), the harmonised releases line up: every LA-year of
    2021-2023 appears in all three, and where no release revised it the counts are equal."""
    frames = {rel: cla_rates(release=rel) for rel in RELEASES if _mirror(RATES_FILE.format(rel))}
    key = ["year", "la_code", "measure"]
    # (The 2023 release gives North Yorkshire 815 and Somerset 933 their pre-2023 ONS codes in
    # every year; the DfE code is the stable key.)
    la = {
        rel: f[f["geographic_level"] == "Local authority"].set_index(key)["count"]
        for rel, f in frames.items()
    }
    assert all(s.index.is_unique for s in la.values())
    common = la[2023].index.intersection(la[2024].index).intersection(la[2025].index)
    years = {k[0] for k in common}
    assert years == {2021, 2022, 2023}
    # Every LA code of the 2025 release except Cumberland (942) and Westmorland and Furness (943),
    # which the 2023 release still reports as Cumbria (909): 153 codes x 3 years x 3 measures.
    codes_2025 = {k[1] for k in la[2025].index}
    assert {k[1] for k in common} == codes_2025 - {"942", "943"}
    assert len(common) == 153 * 3 * 3
    # the golden LA-years are unrevised and identical in all three
    for k in [(2022, "872", "cla_31_march"), (2021, "372", "cla_31_march"), (2022, "372", "cla_31_march")]:
        assert la[2023][k] == la[2024][k] == la[2025][k]


@pytest.mark.parametrize("release", RELEASES)
def test_rate_rule_every_la_row(release):
    """DfE's LA rate = count / population x 10,000 rounded to a whole number.

    Checked exactly in integer arithmetic with round-half-up: rate == floor((2*c*1e4 + p) / (2p)).
    There is no exact .5 tie in any LA row (checked below), so half-up, half-even (Python's
    round) and R's round all give the same answer on these files; the test says so rather than
    claiming to identify DfE's tie rule.
    """
    _mirror(RATES_FILE.format(release))
    r = cla_rates(release=release)
    la = r[(r["geographic_level"] == "Local authority") & r["count"].notna() & r["rate_per_10k"].notna()]
    assert len(la) > 2200
    c = la["count"].astype("int64").to_numpy()
    p = la["population_0_17"].astype("int64").to_numpy()
    rate = la["rate_per_10k"].astype("int64").to_numpy()
    half_up = (2 * c * 10_000 + p) // (2 * p)
    assert (half_up == rate).all()
    ties = (2 * c * 10_000) % (2 * p) == p
    assert not ties.any()
    assert (np.round(c * 10_000 / p) == rate).all()


# --------------------------------------------------------------------------------------------
# Population


def test_population_mid_year_rule():
    """DfE's population_estimate for time_period t = ONS mid-year t-1: 821 of 835 31-March rows
    of the 2025 release; the 14 others are "x" (not available) in both files."""
    _mirror("ons_mid-year_population_estimates_0_17_2012_to_2024.csv")
    _mirror(RATES_FILE.format(2025))
    r = cla_rates(release=2025)
    r = r[r["measure"] == "cla_31_march"]
    pop = population_0_17().assign(year=lambda d: d["year"] + 1)
    pop = pop.rename(columns={"population_flag": "ons_flag"})
    key = ["year", "geographic_level", "region_code", "la_code"]
    m = r.merge(pop[key + ["population", "ons_flag"]], on=key, how="left", validate="one_to_one")
    assert len(m) == 835
    same = m["population_0_17"] == m["population"]
    assert same.sum() == 821
    rest = m[~same]
    # DfE shows "x"; the ONS file has no row for those authority-years (abolished or not yet
    # created: Cumbria, Northamptonshire, Cumberland, Westmorland and Furness, N/W Northants 2021).
    assert (rest["population_flag"] == "x").all() and rest["population_0_17"].isna().all()
    assert rest["population"].isna().all()
    assert set(rest["la_code"]) == {"909", "928", "942", "943", "940", "941"}


def test_population_for():
    _mirror("ons_mid-year_population_estimates_0_17_2012_to_2024.csv")
    assert population_for("872", 2022) == 41129  # mid-2021
    assert population_for("Rotherham", 2021) == 56555  # mid-2020
    assert population_for("England", 2025) == _la_england_pop_2025()
    with pytest.raises(ParameterError, match="covers mid-2012 to mid-2024"):
        population_for("872", 2030)
    with pytest.raises(ParameterError, match=r"No mid-2024 0-17 population estimate for Cumbria"):
        population_for("909", 2025)  # Cumbria, abolished 2023
    flagged = population_0_17().query("population_flag == 'x'").iloc[0]
    with pytest.raises(ParameterError, match="not published"):
        population_for(flagged["la_code"], int(flagged["year"]) + 1)


def _la_england_pop_2025() -> float:
    r = cla_rates(release=2025)
    return float(_one(r, geographic_level="National", year=2025, measure="cla_31_march")["population_0_17"])


def test_population_shape():
    p = population_0_17()
    assert list(p.columns)[:7] == ["year", "geographic_level", "region_code", "region_name", "la_code", "ons_code", "la_name"]
    assert p["year"].min() == 2012 and p["year"].max() == 2024
    assert len(p) == 2132


# --------------------------------------------------------------------------------------------
# Characteristics


def test_wokingham_2023_ethnicity_golden():
    _mirror("la_cla_on_31_march_by_characteristics_2025pub_extract.csv")
    c = cla_characteristics(release=2025)
    eth = c[(c["la_code"] == "872") & (c["year"] == 2023) & (c["cla_group"] == "Ethnic group")]
    counts = dict(zip(eth["characteristic"], eth["count"]))
    assert counts == {
        "White": 67,
        "Mixed or Multiple ethnic groups": 16,
        "Other ethnic group": 15,
        "Asian or Asian British": 23,
        "Black, African, Caribbean or Black British": 14,
        "Refused or information not yet available": 0,
        "Total": 135,
    }
    # 67+16+15+23+14+0 = 135
    assert sum(v for k, v in counts.items() if k != "Total") == counts["Total"]


def test_characteristics_sex_gender_harmonised():
    _mirror("la_cla_on_31_march_ethnicity_uasc_sex_age_2024pub_extract.csv")
    c24 = cla_characteristics(release=2024)
    c25 = cla_characteristics(release=2025)
    assert set(c24["cla_group"]) == {"Ethnic group", "Sex", "Age group", "Unaccompanied asylum-seeking children"}
    assert set(c24.loc[c24["cla_group"] == "Sex", "dfe_cla_group"]) == {"Gender"}
    assert set(c25.loc[c25["cla_group"] == "Sex", "dfe_cla_group"]) == {"Sex"}
    assert len(set(c25["cla_group"])) == 12
    # the same LA-year in both releases where unrevised: Wokingham 31 Mar 2022 females
    f24 = _one(c24, la_code="872", year=2022, cla_group="Sex", characteristic="Total")
    f25 = _one(c25, la_code="872", year=2022, cla_group="Sex", characteristic="Total")
    assert f24["count"] == f25["count"] == 136


def test_characteristics_total_equals_rates_count():
    """LA ethnicity Total = rates-file count for 760 of 765 LA-years (2025 release); the 5
    exceptions are Isles of Scilly (420): Total 0, rate file 'z'."""
    c = cla_characteristics(release=2025)
    r = cla_rates(release=2025)
    tot = c[(c["geographic_level"] == "Local authority") & (c["cla_group"] == "Ethnic group") & (c["characteristic"] == "Total")]
    rr = r[(r["geographic_level"] == "Local authority") & (r["measure"] == "cla_31_march")]
    m = tot.merge(rr, on=["year", "la_code"], suffixes=("_c", "_r"), validate="one_to_one")
    assert len(m) == 765
    agree = (m["count_c"] == m["count_r"]) | (m["count_c"].isna() & m["count_r"].isna() & (m["count_flag_c"] == m["count_flag_r"]))
    assert agree.sum() == 760
    bad = m[~agree]
    assert set(bad["la_code"]) == {"420"} and (bad["count_c"] == 0).all() and (bad["count_flag_r"] == "z").all()


def test_national_ethnicity_extract_matches_raw_national_file():
    _mirror("national_cla_on_31_march_by_characteristics_2024pub.csv")
    nat = national_cla_characteristics()
    ext = cla_characteristics(release=2024)
    ext = ext[(ext["geographic_level"] == "National") & (ext["cla_group"] == "Ethnic group") & (ext["year"] == 2024)]
    got = dict(zip(ext["characteristic"], ext["count"]))
    raw = nat[(nat["cla_group"] == "Ethnic group") & (nat["year"] == 2024)]
    raw_major = dict(zip(raw["characteristic"], raw["count"]))
    assert got["White"] == raw_major["1. Total White"] == 59340
    assert got["Mixed or Multiple ethnic groups"] == raw_major["2. Total Mixed or Multiple ethnic groups"] == 8920
    assert got["Asian or Asian British"] == 4420 and got["Black, African, Caribbean or Black British"] == 6230
    assert got["Other ethnic group"] == 3910 and got["Total"] == raw_major["Total"] == 83630


def test_characteristics_unknown_release():
    with pytest.raises(ReferenceDataError, match="releases supported: 2024, 2025"):
        cla_characteristics(release=2019)


# --------------------------------------------------------------------------------------------
# Statistical neighbours


def test_statistical_neighbours_wokingham_and_rotherham():
    _mirror("New_Statistical_Neighbour_Groupings_April_2021.csv")
    _mirror("sn_model_2025_wide.csv")
    assert neighbours_of("872", model="2021")["neighbour_la_name"].tolist() == [
        "Surrey", "Windsor and Maidenhead", "Buckinghamshire", "West Berkshire", "Bracknell Forest",
        "Hertfordshire", "Cheshire East", "Oxfordshire", "Rutland", "Hampshire",
    ]
    assert neighbours_of("Wokingham", model="2025")["neighbour_la_name"].tolist() == [
        "Windsor and Maidenhead", "Surrey", "Buckinghamshire", "West Berkshire", "Bromley", "Trafford",
        "Richmond upon Thames", "Hertfordshire", "Bracknell Forest", "Central Bedfordshire",
    ]
    assert neighbours_of(372)["neighbour_la_name"].tolist() == [
        "Doncaster", "Wigan", "Dudley", "Tameside", "Barnsley", "Telford and Wrekin",
        "North Lincolnshire", "Redcar and Cleveland", "North East Lincolnshire", "Wakefield",
    ]
    with pytest.raises(ParameterError, match="no statistical neighbours in the 2021 model"):
        neighbours_of("Cumberland", model="2021")
    with pytest.raises(ParameterError, match="Unknown statistical-neighbour model"):
        statistical_neighbours("2019")


@pytest.mark.parametrize("model, n_la", [("2021", 156), ("2025", 153)])
def test_statistical_neighbours_structure(model, n_la):
    sn = statistical_neighbours(model)
    assert sn["la_code"].nunique() == n_la
    ranks = sn.groupby("la_code")["neighbour_rank"].apply(list)
    assert all(r == list(range(1, 11)) for r in ranks)
    assert not (sn["la_code"] == sn["neighbour_la_code"]).any()
    assert sn["neighbour_la_name"].notna().all() and (sn["neighbour_la_name"] != "").all()
    assert set(sn["closeness"]) <= {"Extremely close", "Very close", "Close", "Somewhat close", "Not close"}


def test_statistical_neighbours_match_independent_long_file():
    """The DfE originals parsed here agree with the separately derived long file."""
    long = read_dfe_csv(_mirror("statistical_neighbours_long.csv"))
    for model, label in [("2021", "April 2021 (LGR version)"), ("2025", "sn_model_2025")]:
        sn = statistical_neighbours(model)
        ours = set(zip(sn["la_code"], sn["neighbour_rank"].astype(str), sn["neighbour_la_code"]))
        sub = long[long["model"] == label]
        theirs = set(zip(sub["old_la_code"], sub["sn_rank"], sub["sn_old_la_code"]))
        assert ours == theirs


def test_sn_mean_wokingham_2022_golden():
    # Mean of the ten April-2021 neighbours' published rates for 31 Mar 2022 = 46.9
    # (public-data.md section 6; Wokingham's IRO report quotes 47.10 from an older release).
    codes = neighbours_of("872", model="2021")["neighbour_la_code"]
    r = cla_rates(release=2025)
    rates = r[(r["measure"] == "cla_31_march") & (r["year"] == 2022) & r["la_code"].isin(codes)
              & (r["geographic_level"] == "Local authority")]["rate_per_10k"]
    assert len(rates) == 10 and rates.notna().all()
    assert round(rates.mean(), 1) == 46.9


# --------------------------------------------------------------------------------------------
# Inventory


def test_inventory_finds_mirror_files():
    inv = reference_inventory()
    assert list(inv.columns) == ["file", "description", "publisher", "licence", "url", "found", "path", "status"]
    wanted = [RATES_FILE.format(rel) for rel in RELEASES] + [
        "la_lookup_dfe.csv",
        "ons_mid-year_population_estimates_0_17_2012_to_2024.csv",
        "New_Statistical_Neighbour_Groupings_April_2021.csv",
    ]
    rows = inv.set_index("file").loc[wanted]
    assert rows["found"].all(), rows.loc[~rows["found"]].index.tolist()
    assert (inv["licence"] == "Open Government Licence v3.0").all()
    assert inv["url"].str.startswith("https://").all()


def test_format_inventory_marks_missing_and_attribution():
    df = pd.DataFrame(
        [
            {"file": "a.csv", "description": "A file", "publisher": "DfE", "licence": "OGL",
             "url": "https://example.org/a", "found": True, "path": "/x/a.csv"},
            {"file": "b.csv", "description": "B file", "publisher": "ONS", "licence": "OGL",
             "url": "https://example.org/b", "found": False, "path": ""},
        ]
    )
    text = format_inventory(df)
    assert "[found  ] a.csv" in text and "[MISSING] b.csv" in text
    assert "https://example.org/b" in text and "1 of 2 reference files found." in text
    assert "Contains public sector information licensed under the Open Government Licence v3.0." in text
    assert OGL_ATTRIBUTION in text


def test_symlink_loop_does_not_hang(isolated_search_path):
    ref = isolated_search_path
    (ref / "a").mkdir()
    (ref / "a" / "target.csv").write_text("x\n", encoding="utf-8")
    try:
        (ref / "a" / "loop").symlink_to(ref, target_is_directory=True)
    except OSError:  # pragma: no cover - file systems without symbolic links
        pass
    assert find_reference_file("target.csv") == (ref / "a" / "target.csv").resolve()


def test_loaders_return_independent_copies():
    r1 = cla_rates(release=2025)
    r1.loc[r1.index[0], "count"] = -1.0
    assert (cla_rates(release=2025)["count"] != -1.0).all()
    sn = statistical_neighbours("2021")
    sn.loc[sn.index[0], "neighbour_la_name"] = "changed"
    assert "changed" not in set(statistical_neighbours("2021")["neighbour_la_name"])
