"""Child-population ethnicity denominators read from the reference folder."""

from __future__ import annotations

import pandas as pd
import pytest

from iro_analysis.errors import ParameterError, ReferenceDataError
from iro_analysis.reference.ethnicity_population import (
    ETHNICITY_POPULATION_COLUMNS,
    detailed_ethnic_group,
    ethnicity_population,
    ethnicity_populations,
)


def shares(df):
    return (df[df["included"]].set_index("ethnic_group")["share"] * 100).round(2).to_dict()


def test_census2011_reproduces_wokingham_iro_report_table_f():
    pop = ethnicity_population("872", source="census2011_0_17")
    assert list(pop.columns) == ETHNICITY_POPULATION_COLUMNS
    counts = pop.set_index("ethnic_group")["count"]
    # child-ethnicity-denominators.md golden: 35,460 = 29,218 + 1,863 + 3,449 + 577 + 353
    assert counts.to_dict() == {"White": 29218, "Mixed": 1863, "Asian": 3449, "Black": 577, "Other": 353}
    s = shares(pop)
    # Wokingham Table F: White 82.4%, Mixed and Other 6.25%, Asian 9.73%, Black 1.63%
    assert s["White"] == 82.40 and s["Asian"] == 9.73 and s["Black"] == 1.63
    assert round(100 * (1863 + 353) / 35460, 2) == 6.25
    assert round(s["Mixed"] + s["Other"], 2) == 6.25
    assert pop["denominator"].iloc[0].startswith("Census 2011, children aged 0-17")
    assert pop.attrs["source"] == "census2011_0_17"


def test_census2011_rotherham_and_names_resolve():
    pop = ethnicity_population("Rotherham", source="census2011_0_17")
    assert pop["count"].sum() == 56059 and pop.set_index("ethnic_group").at["White", "count"] == 49893


def test_school_census_wokingham_january_2022_and_unclassified_kept_apart():
    pop = ethnicity_population("E06000041", source="school_census", year=2023)
    c = pop.set_index("ethnic_group")["count"]
    # school_census PROVENANCE: Total 29,185; White 19,712, Mixed 2,317, Asian 5,244, Black 1,008,
    # Other 350, Unclassified 554 (January 2022, the latest census at or before March 2023)
    assert c.to_dict() == {"White": 19712, "Mixed": 2317, "Asian": 5244, "Black": 1008, "Other": 350,
                           "Unclassified": 554}
    assert pop.attrs["year"] == 2022 and "January 2022" in pop["denominator"].iloc[0]
    assert not pop.set_index("ethnic_group").at["Unclassified", "included"]
    assert shares(pop)["White"] == round(100 * 19712 / (29185 - 554), 2)
    assert ethnicity_population("872", source="school_census", year=2019).attrs["year"] == 2019


def test_census2021_all_ages_is_labelled_with_its_caveat():
    pop = ethnicity_population("872", source="census2021_all_ages")
    assert "ALL AGES" in pop["denominator"].iloc[0]
    assert "not children" in pop["caveat"].iloc[0]
    s = shares(pop)
    assert round(s["White"], 1) == 79.9 and round(s["Asian"], 1) == 12.9  # public-data.md §5


def test_chinese_mapping_moves_between_groups_consistently():
    default = ethnicity_population("872", source="census2011_0_17").set_index("ethnic_group")["count"]
    moved = ethnicity_population("872", source="census2011_0_17", mapping={"CHNE": "Other"}).set_index(
        "ethnic_group")["count"]
    # Wokingham 2011 Chinese aged 0-17 = 283
    assert default["Asian"] - moved["Asian"] == 283 and moved["Other"] - default["Other"] == 283


def test_detailed_groups_combine_gypsy_roma_irish_traveller():
    pop = ethnicity_population("872", source="census2011_0_17", detailed=True)
    c = pop.set_index("ethnic_group")["count"]
    assert c["White British"] == 27922 and c["Gypsy, Roma or Irish Traveller"] == 99
    assert c.sum() == 35460
    assert detailed_ethnic_group(["WROM", "WIRT"], combine=["Gypsy, Roma or Irish Traveller"]).nunique() == 1


def test_user_table_takes_precedence_and_is_labelled():
    user = pd.DataFrame({"la_code": ["872"] * 6, "ethnic_group": ["White", "Mixed", "Asian", "Black", "Other", "Unknown"],
                         "count": [300, 20, 60, 10, 10, 5], "source": "Test extract"})
    pop = ethnicity_population("872", user_table=user)
    assert pop.attrs["source"] == "user" and "Test extract" in pop["denominator"].iloc[0]
    assert shares(pop)["White"] == 75.0
    assert not pop.set_index("ethnic_group").at["Unclassified", "included"]
    with pytest.raises(ReferenceDataError):
        ethnicity_population("372", user_table=user)


def test_census2021_child_slot_reads_ons_custom_dataset(tmp_path, monkeypatch):
    rows = []
    for age, code in (("Aged 4 years and under", 1), ("Aged 5 to 9 years", 2), ("Aged 10 to 15 years", 3),
                      ("Aged 16 to 17 years", 4), ("Aged 18 to 19 years", 5), ("Aged 85 years and over", 6)):
        for eth, n in (("White", 100), ("Mixed or Multiple ethnic groups", 10), ("Asian, Asian British or Asian Welsh", 20),
                       ("Black, Black British, Black Welsh, Caribbean or African", 5), ("Other ethnic group", 5),
                       ("Does not apply", 0)):
            rows.append({"Upper tier local authorities Code": "E06000041", "Upper tier local authorities": "Wokingham",
                         "Age (23 categories) Code": code, "Age (23 categories)": age,
                         "Ethnic group (6 categories) Code": 1, "Ethnic group (6 categories)": eth, "Observation": n})
    folder = tmp_path / "ref"
    folder.mkdir()
    pd.DataFrame(rows).to_csv(folder / "census2021_ethnic_group_age0_17_utla.csv", index=False)
    monkeypatch.setenv("IRO_REFERENCE_DIR", str(folder))
    from iro_analysis.reference import clear_reference_index

    clear_reference_index()
    try:
        pop = ethnicity_population("872")  # auto: the Census 2021 0-17 slot wins over 2011
        assert pop.attrs["source"] == "census2021_0_17"
        # four bands up to 17: White 4 x 100 = 400 of 4 x 140 = 560
        assert pop.set_index("ethnic_group").at["White", "count"] == 400
        assert shares(pop)["White"] == round(100 * 400 / 560, 2)
    finally:
        clear_reference_index()


def test_ethnicity_populations_stacks_sources_and_errors():
    pops = ethnicity_populations("872", sources=["census2011_0_17", "school_census"], year=2022)
    assert pops["source"].unique().tolist() == ["census2011_0_17", "school_census"]
    with pytest.raises(ParameterError):
        ethnicity_population("872", source="census1991")


def test_default_sources_skip_a_file_without_the_authority_but_named_sources_must_exist():
    from iro_analysis.errors import ReferenceDataError
    from iro_analysis.reference.ethnicity_population import ethnicity_populations

    # Cumberland (942) was created in April 2023: the 2016-2022 school census extract has no rows for it
    pops = ethnicity_populations("942", year=2024)
    assert "school_census" in pops.attrs["unavailable"]
    assert "school_census" not in set(pops["source"])
    assert set(pops["source"]) == set(pops.attrs["sources"]) and len(pops.attrs["sources"]) >= 1
    with pytest.raises(ReferenceDataError, match="Cumberland"):
        ethnicity_populations("942", sources=["school_census"], year=2024)


# --- the published tables are read once per process and sliced per authority ---------------------


@pytest.mark.parametrize("source, file, area, category, count, keep", [
    ("census2011_0_17", "census2011_dc2101ew_ethnic_group_age0_17_utla23.csv", "utla23cd", "ethnic_group", "count",
     lambda raw: (raw["age_band"] == "0-17") & (raw["level"] == "minor")),
    ("census2021_all_ages", "census2021_ts021_ethnic_group_all_ages_la.csv",
     "2023 Upper tier local authorities Code", "Ethnic group (20 categories)", "Observation",
     lambda raw: pd.Series(True, index=raw.index)),
])
@pytest.mark.parametrize("la", ["872", "201", "330", "886", "925"])
def test_an_authoritys_counts_are_its_rows_of_the_published_file(source, file, area, category, count, keep, la):
    from iro_analysis.reference import read_dfe_csv, resolve_authority
    from iro_analysis.reference.ethnicity_codes import _CENSUS2011_CODES, _CENSUS2021_CODES, _key_label

    # The general path: the whole file read afresh, filtered to the authority, each row labelled.
    authority = resolve_authority(la)
    raw = read_dfe_csv(file, numeric=[count])
    rows = raw[keep(raw) & (raw[area] == authority.ons_code)]
    table = _CENSUS2011_CODES if source == "census2011_0_17" else _CENSUS2021_CODES
    labels = ["Unclassified" if table[c] is None else _key_label(table[c], False, None) for c in rows[category]]
    expected = pd.Series(rows[count].to_numpy(), index=labels).groupby(level=0).sum()
    got = ethnicity_population(la, source=source).set_index("ethnic_group")["count"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)


def test_school_census_counts_are_the_authoritys_rows_for_the_census_used():
    from iro_analysis.reference import read_dfe_csv

    raw = read_dfe_csv("spc_pupils_ethnicity_and_language_2016_to_2022_extract.csv", numeric=["headcount"])
    rows = raw[(raw["geographic_level"] == "Local authority") & (raw["old_la_code"] == "872")
               & (raw["phase_type_grouping"] == "Total") & (raw["ethnicity"] != "Total")]
    for year, period in ((2019, "201819"), (2023, "202122"), (2010, "201516")):
        pop = ethnicity_population("872", source="school_census", year=year)
        # January 2019 census for 2018-19; the latest (January 2022) after; the first before any
        assert pop.attrs["year"] == int(period[:4]) + 1
        assert pop["count"].sum() == rows.loc[rows["time_period"] == period, "headcount"].sum()
        assert pop.attrs["available_years"] == list(range(2016, 2023))


def test_group_labels_follow_each_mapping_looked_up_in_any_order():
    from types import MappingProxyType

    def asian(**kw):
        return ethnicity_population("872", source="census2011_0_17", **kw).set_index("ethnic_group").at["Asian", "count"]

    default = asian()
    # Wokingham 2011 Chinese aged 0-17 = 283; a later spelling of a code wins, as in codes.ethnic_group
    assert asian(mapping={"CHNE": "Other"}) == default - 283
    assert asian(mapping={"chne": "Other", "CHNE": "Asian"}) == default
    assert asian(mapping={"CHNE": "Asian", "chne": "Other"}) == default - 283
    assert asian(mapping=MappingProxyType({"CHNE": "Other"})) == default - 283
    assert asian() == default
    with pytest.raises(ParameterError, match="WIRT, WROM"):
        ethnicity_population("872", source="census2011_0_17", mapping={"WIRT": "Other"})


@pytest.mark.parametrize("old, new", [("909", ("942", "943")), ("928", ("940", "941"))])
@pytest.mark.parametrize("source", ["census2011_0_17", "census2021_all_ages"])
def test_an_abolished_authority_is_the_sum_of_the_areas_that_replaced_it(old, new, source):
    # Cumbria (909) became Cumberland and Westmorland and Furness on 1 April 2023, Northamptonshire
    # (928) North and West Northamptonshire on 1 April 2021: the census tables are published on
    # the new areas only, and each pair covers exactly the old county.
    whole = ethnicity_population(old, source=source)
    parts = [ethnicity_population(code, source=source).set_index("ethnic_group")["count"] for code in new]
    assert whole.set_index("ethnic_group")["count"].to_dict() == (parts[0] + parts[1]).to_dict()
    assert whole["la_code"].iloc[0] == old and whole["count"].sum() > 0
    names = " and ".join(ethnicity_population(code, source=source)["la_name"].iloc[0] for code in new)
    assert f"the counts of {names} added together" in whole.attrs["caveat"]
    assert (whole["caveat"] == whole.attrs["caveat"]).all()
    # an authority with its own rows says nothing of the kind
    assert "added together" not in ethnicity_population(new[0], source=source).attrs["caveat"]
