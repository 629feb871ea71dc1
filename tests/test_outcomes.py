"""Tests for iro_analysis.reference.outcomes (DfE placement stability, health, social workers).

Expected values are the published figures in the DfE files on the reference search path
(2025 release; la_cla_swcount.csv for 2024), read off the CSVs by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iro_analysis.errors import ReferenceDataError
from iro_analysis.reference import outcomes as oc


@pytest.fixture(scope="module")
def all_outcomes() -> pd.DataFrame:
    return oc.outcome_indicators()


def _one(df, indicator, la_code, year):
    rows = df[(df.indicator == indicator) & (df.la_code == la_code) & (df.year == year)]
    assert len(rows) == 1, f"expected one row for {indicator} {la_code} {year}, got {len(rows)}"
    return rows.iloc[0]


def test_columns_and_types(all_outcomes):
    assert list(all_outcomes.columns) == oc.OUTCOME_COLUMNS
    assert all_outcomes["year"].dtype == "int64"
    for c in ("numerator", "denominator", "value"):
        assert all_outcomes[c].dtype == "float64"
    assert set(all_outcomes["indicator"]) == set(oc.OUTCOME_MEASURES)
    assert set(all_outcomes["geographic_level"]) == {"National", "Regional", "Local authority"}
    # one row per geography x year x indicator
    key = ["indicator", "year", "geographic_level", "region_code", "la_code"]
    assert not all_outcomes.duplicated(key).any()


@pytest.mark.parametrize(
    "indicator, num, den, value",
    [
        # la_conviction_health_outcome_cla_2025pub.csv, Wokingham 2025, "Total all ages" = 91
        ("health_assessment", 80, 91, 88),
        ("dental_check", 67, 91, 74),
        ("immunisations", 76, 91, 84),
        # SDQ: "SDQ score was received" 57 of "Total ages 5 to 16 years" 65
        ("sdq_completion", 57, 65, 88),
        # la_cla_placement_stability_2025pub.csv: 7 of 149 with 3+ placements; 18 of 31 same carer 2+ years
        ("placements_3plus", 7, 149, 5),
        ("long_term_stability", 18, 31, 58),
    ],
)
def test_wokingham_2025_published_values(all_outcomes, indicator, num, den, value):
    row = _one(all_outcomes, indicator, "872", 2025)
    assert (row.numerator, row.denominator, row.value) == (num, den, value)
    assert row.flag == "" and row.ons_code == "E06000041" and row.region_name == "South East"


def test_sdq_average_score_is_a_value_not_a_count(all_outcomes):
    # Wokingham 2025: "SDQ average score" 15.7 (in the count column, percent 'z'); 57 scores received.
    row = _one(all_outcomes, "sdq_average_score", "872", 2025)
    assert row.value == pytest.approx(15.7)
    assert np.isnan(row.numerator) and row.denominator == 57
    eng = all_outcomes[(all_outcomes.indicator == "sdq_average_score") & (all_outcomes.year == 2025)
                       & (all_outcomes.geographic_level == "National")]
    assert eng.value.iloc[0] == pytest.approx(14.9)


def test_social_worker_changes_2024(all_outcomes):
    # la_cla_swcount.csv: Wokingham 14 of 137 (10%); England 22,140 of 83,300 (27%).
    row = _one(all_outcomes, "sw_changes_3plus", "872", 2024)
    assert (row.numerator, row.denominator, row.value) == (14, 137, 10)
    eng = all_outcomes[(all_outcomes.indicator == "sw_changes_3plus") & (all_outcomes.geographic_level == "National")]
    assert (eng.numerator.iloc[0], eng.denominator.iloc[0], eng.value.iloc[0]) == (22140, 83300, 27)
    assert set(all_outcomes.loc[all_outcomes.indicator == "sw_changes_3plus", "year"]) == {2024}


def test_suppressed_cells_are_nan_with_flag(all_outcomes):
    # Wokingham 2024, 3+ placements: published "c" (count and percent), total 137.
    row = _one(all_outcomes, "placements_3plus", "872", 2024)
    assert np.isnan(row.numerator) and np.isnan(row.value)
    assert row.numerator_flag == "c" and row.flag == "c" and row.denominator == 137


def test_percentages_are_rounded_ratios(all_outcomes):
    # Property of the published data and of the pairing of numerator and denominator rows:
    # every LA percentage is the rounded ratio of its two counts.
    la = all_outcomes[(all_outcomes.geographic_level == "Local authority")
                      & (all_outcomes.indicator != "sdq_average_score")]
    la = la.dropna(subset=["numerator", "denominator", "value"])
    la = la[la.denominator > 0]
    assert len(la) > 4000
    dev = (la.value - 100 * la.numerator / la.denominator).abs()
    assert (dev <= 0.5 + 1e-9).all()


def test_placement_denominator_equals_published_cla_count(all_outcomes):
    # Cross-file check: "CLA on 31 March / Total children" equals the rates file's count.
    from iro_analysis.reference import dfe_cla

    rates = dfe_cla.cla_rates(release=2025)
    rates = rates[(rates.geographic_level == "Local authority") & (rates.measure == "cla_31_march")]
    p = all_outcomes[(all_outcomes.indicator == "placements_3plus")
                     & (all_outcomes.geographic_level == "Local authority")]
    m = p.merge(rates[["year", "la_code", "count"]], on=["year", "la_code"])
    m = m.dropna(subset=["denominator", "count"])
    m = m[m["count"] > 0]
    assert len(m) > 740
    assert (m.denominator == m["count"]).all()


def test_one_indicator_only_and_errors():
    df = oc.outcome_indicators("immunisations")
    assert set(df.indicator) == {"immunisations"}
    with pytest.raises(ReferenceDataError, match="unknown outcome indicator"):
        oc.outcome_indicators("nonsense")
    with pytest.raises(ReferenceDataError, match="2019 release"):
        oc.health_outcomes(release=2019)
    with pytest.raises(ReferenceDataError, match="release must be a year"):
        oc.placement_stability(release="latest")


def test_loaders_return_copies():
    a = oc.placement_stability()
    a.loc[0, "value"] = -1
    b = oc.placement_stability()
    assert b.loc[0, "value"] != -1


def test_outcome_files_known_releases():
    assert 2025 in oc.outcome_files("health")
    assert 2025 in oc.outcome_files("placement_stability")
    assert 2024 in oc.outcome_files("social_workers")
