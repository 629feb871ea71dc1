"""Ethnic disproportionality: methods.md worked examples, Wokingham published figures, identities."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from iro_analysis import disproportionality as dp
from iro_analysis.errors import ParameterError
from iro_analysis.plots.disproportionality import ratio_plot, ratio_plot_alt_text
from iro_analysis.reference import cla_characteristics
from iro_analysis.reference.ethnicity_population import ethnicity_population

# WE1 (methods.md §2.7): 40,000 children; White 82.4% = 32,960, Black 1.63% = 652, rest 6,388;
# 100 children in care excluding UASC: White 49, Black 11, others 40.
WE1_CIC = {"White": 49, "Black": 11, "Other": 40}
WE1_POP = {"White": 32_960, "Black": 652, "Other": 6_388}


def row(table, group):
    return table.set_index("ethnic_group").loc[group]


def test_api_columns_present():
    t = dp.disproportionality(WE1_CIC, WE1_POP)
    for col in ["ethnic_group", "cic", "population", "cic_share", "population_share", "rate_per_10k",
                "representation_ratio", "rr_ci_low", "rr_ci_high", "rri", "rri_ci_low", "rri_ci_high", "p_value"]:
        assert col in t.columns


def test_we1_worked_example():
    t = dp.disproportionality(WE1_CIC, WE1_POP)
    b, w = row(t, "Black"), row(t, "White")
    # rates per 10,000: 11/652 = 168.7117, 49/32,960 = 14.8665
    assert b["rate_per_10k"] == pytest.approx(168.7117, abs=1e-4)
    assert w["rate_per_10k"] == pytest.approx(14.8665, abs=1e-4)
    # RepR Black 0.11/0.0163 = 6.748466 with Wilson (3.836930, 11.430243); White 0.594660 (0.478422, 0.711796)
    assert (b["representation_ratio"], b["rr_ci_low"], b["rr_ci_high"]) == pytest.approx((6.748466, 3.836930, 11.430243), abs=1e-6)
    assert (w["representation_ratio"], w["rr_ci_low"], w["rr_ci_high"]) == pytest.approx((0.594660, 0.478422, 0.711796), abs=1e-6)
    # RRI Black vs White 11.348441, mid-p (5.640030, 21.280280)
    assert (b["rri"], b["rri_ci_low"], b["rri_ci_high"]) == pytest.approx((11.348441, 5.640030, 21.280280), abs=1e-6)
    # exact binomial tests: 8.058097e-07 (R binom.test) and 3.114552e-14
    assert b["p_value"] == pytest.approx(8.058097e-07, rel=1e-6)
    assert w["p_value"] == pytest.approx(3.114552e-14, rel=1e-6)
    # rate difference 153.8452 (79.442072, 284.741113); excess 11 - 652 * 49/32,960 = 10.0307
    assert (b["rate_difference_per_10k"], b["rd_ci_low"], b["rd_ci_high"]) == pytest.approx(
        (153.8452, 79.442072, 284.741113), abs=1e-4)
    assert b["excess_cic"] == pytest.approx(10.0307, abs=1e-4)
    # the reference group is compared with all other children: (49/32,960)/(51/7,040)
    assert w["rri_reference"] == "all other children"
    assert w["rri"] == pytest.approx((49 / 32960) / (51 / 7040), rel=1e-12)
    assert t.attrs["rri_method"] == "midp" and t.attrs["share_method"] == "wilson"


def test_we1_all_other_reference_and_katz_option():
    t = dp.disproportionality(WE1_CIC, WE1_POP, reference="all_other")
    # RRI Black vs all non-Black children: (11/652)/(89/39,348) = 7.4590
    assert row(t, "Black")["rri"] == pytest.approx(7.4590, abs=1e-4)
    k = dp.disproportionality(WE1_CIC, WE1_POP, rri_method="katz")
    assert (row(k, "Black")["rri_ci_low"], row(k, "Black")["rri_ci_high"]) == pytest.approx((5.928455, 21.723556), abs=1e-6)
    with pytest.raises(ParameterError):
        dp.disproportionality(WE1_CIC, WE1_POP, reference="Chinese")


def test_shared_tool_versus_exact_answer_illustrative_authority():
    # methods.md §1.2: the tool gives p = 0.022 for Black 11 of 100 vs 1.63%; the exact answer 8e-7
    t = dp.disproportionality(WE1_CIC, WE1_POP)
    assert row(t, "Black")["p_value"] == pytest.approx(8.06e-07, rel=1e-3)
    assert row(t, "Black")["p_value"] < 0.022 / 10_000


def test_wokingham_2023_published_counts_against_census_2011():
    c = cla_characteristics(release=2025)
    eth = c[(c.la_code == "872") & (c.year == 2023) & (c.cla_group == "Ethnic group")]
    counts = eth.set_index("characteristic")["count"]
    cic = {"White": counts["White"], "Mixed": counts["Mixed or Multiple ethnic groups"],
           "Asian": counts["Asian or Asian British"], "Black": counts["Black, African, Caribbean or Black British"],
           "Other": counts["Other ethnic group"]}
    # DfE 31 March 2023 (2025 release): White 67, Mixed 16, Other 15, Asian 23, Black 14; total 135
    assert cic == {"White": 67, "Mixed": 16, "Asian": 23, "Black": 14, "Other": 15}
    assert counts["Total"] == 135
    pop = ethnicity_population("872", source="census2011_0_17")
    t = dp.disproportionality(cic, pop)
    # Table F: CIC 49.6 / 23.0 (Mixed + Other) / 17.0 / 10.4 % against 82.40 / 6.25 / 9.73 / 1.63
    assert round(100 * row(t, "White")["cic_share"], 1) == 49.6
    assert round(100 * (row(t, "Mixed")["cic_share"] + row(t, "Other")["cic_share"]), 1) == 23.0
    assert round(100 * row(t, "Black")["population_share"], 2) == 1.63
    # Black: (14/135)/(577/35,460) = 6.3732
    assert row(t, "Black")["representation_ratio"] == pytest.approx((14 / 135) / (577 / 35460), rel=1e-12)
    assert (t["denominator"] == "Census 2011, children aged 0-17 (ONS DC2101EW)").all()


def test_population_total_scales_rates_not_ratios():
    base = dp.disproportionality(WE1_CIC, WE1_POP)
    scaled = dp.disproportionality(WE1_CIC, WE1_POP, population_total=44_000)
    # Black population for rates = 0.0163 x 44,000 = 717.2; rate = 11/717.2 x 10,000 = 153.37
    assert row(scaled, "Black")["rate_population"] == pytest.approx(717.2)
    assert row(scaled, "Black")["rate_per_10k"] == pytest.approx(1e4 * 11 / 717.2)
    for col in ("representation_ratio", "rr_ci_low", "rri", "rri_ci_low", "rri_ci_high", "p_value"):
        assert row(scaled, "Black")[col] == pytest.approx(row(base, "Black")[col], rel=1e-9)


def test_unknown_ethnicity_reported_separately():
    cic = {**WE1_CIC, "Refused or not obtained": 7}
    pop = {**WE1_POP, "Unclassified": 500}
    t = dp.disproportionality(cic, pop)
    known = t[t["included"]]
    assert known["cic_share"].sum() == pytest.approx(1.0) and known["cic"].sum() == 100
    unk = t[~t["included"]].set_index("ethnic_group")
    assert unk.at["Refused or not obtained", "cic"] == 7 and unk.at["Unclassified", "population"] == 500
    assert unk["representation_ratio"].isna().all()
    assert t.attrs["cic_unknown_percent"] == pytest.approx(700 / 107)
    assert row(t, "Black")["representation_ratio"] == pytest.approx(6.748466, abs=1e-6)


def test_impossible_denominator_gets_no_rate():
    # methods.md §1.5: Gypsy/Roma 0.049% of 57,000 = 27.9 children, 8% of 600 = 48 in care
    cic = {"White": 500, "Gypsy, Roma or Irish Traveller": 48, "Other": 52}
    pop = {"White": 50_000, "Gypsy, Roma or Irish Traveller": 28, "Other": 6_972}
    t = dp.disproportionality(cic, pop, reference="White")
    g = row(t, "Gypsy, Roma or Irish Traveller")
    assert g["impossible_denominator"] and "impossible_denominator" in g["flags"]
    assert np.isnan(g["rate_per_10k"]) and np.isnan(g["representation_ratio"]) and np.isnan(g["rri"])
    assert not row(t, "Other")["impossible_denominator"] and np.isfinite(row(t, "Other")["rri"])
    # White is compared with all other children, whose denominator includes the impossible group
    assert np.isnan(row(t, "White")["rri"])


def test_detailed_groups_harmonised_with_census_gypsy_roma_traveller():
    cic = dp.ethnic_counts(["WBRI"] * 20 + ["WROM"] * 3 + ["WIRT"] * 2 + ["AIND"] * 5, detailed=True)
    pop = ethnicity_population("872", source="census2011_0_17", detailed=True)
    t = dp.disproportionality(cic, pop)  # "White" falls back to "White British" with detailed groups
    assert t.attrs["reference"] == "White British"
    assert row(t, "Gypsy, Roma or Irish Traveller")["cic"] == 5
    # (5/30)/(99/35,460) = 59.70: a ratio this size is what the impossible-denominator check is for
    assert row(t, "Gypsy, Roma or Irish Traveller")["representation_ratio"] == pytest.approx((5 / 30) / (99 / 35460))


def test_input_validation():
    with pytest.raises(ParameterError, match="no population"):
        dp.disproportionality({"White": 5, "Martian": 2}, {"White": 100})
    with pytest.raises(ParameterError):
        dp.disproportionality({"White": -1}, {"White": 100})
    with pytest.raises(ParameterError):
        dp.disproportionality(pd.DataFrame({"group": ["White"], "n": [1]}), {"White": 100})
    with pytest.raises(ParameterError, match="known numbers"):
        dp.disproportionality({"White": np.nan}, {"White": 100})
    frame = pd.DataFrame({"ethnic_group": ["White", "Black", "Other"], "count": [49, 11, 40]})
    a = dp.disproportionality(frame, pd.Series(WE1_POP))
    b = dp.disproportionality(WE1_CIC, WE1_POP)
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=40, deadline=None)
@given(
    cic=st.lists(st.integers(0, 60), min_size=3, max_size=6),
    pop=st.lists(st.integers(200, 60_000), min_size=6, max_size=6),
    total=st.one_of(st.none(), st.floats(1_000, 200_000)),
)
# Found by hypothesis: scaled to a total of 1,000, G1's population is 58.997 < 59 children in care.
@example(cic=[0, 59, 0], pop=[200, 200, 2990, 200, 200, 200], total=1000.0)
def test_identities(cic, pop, total):
    groups = [f"G{i}" for i in range(len(cic))]
    cic = dict(zip(groups, cic))
    if sum(cic.values()) == 0:
        cic["G0"] = 1
    popd = dict(zip(groups, pop))
    t = dp.disproportionality(cic, popd, reference="G0", population_total=total).set_index("ethnic_group")
    overall = 1e4 * sum(cic.values()) / t["rate_population"].sum()
    # A cohort larger than its (scaled) population gets no rate or ratio, only the flag.
    impossible = t["cic"] > t["rate_population"]
    assert t["impossible_denominator"].equals(impossible | (t["cic"] > t["population"]))
    assert t.loc[t["impossible_denominator"], ["rate_per_10k", "representation_ratio"]].isna().all().all()
    if t["impossible_denominator"].any():
        return
    for g in groups:
        # RepR = rate / overall rate
        assert t.at[g, "representation_ratio"] == pytest.approx(t.at[g, "rate_per_10k"] / overall, rel=1e-9)
        if g != "G0" and cic["G0"] > 0:
            # RRI = RepR_g / RepR_ref
            assert t.at[g, "rri"] == pytest.approx(
                t.at[g, "representation_ratio"] / t.at["G0", "representation_ratio"], rel=1e-9)
            assert t.at[g, "rri_ci_low"] <= t.at[g, "rri"] * (1 + 1e-9) <= t.at[g, "rri_ci_high"] * (1 + 1e-9)
        assert t.at[g, "rr_ci_low"] <= t.at[g, "representation_ratio"] * (1 + 1e-9)
    assert t["cic_share"].sum() == pytest.approx(1.0)


def test_distribution_test_picks_exact_when_conditions_fail():
    # WE5(b): N = 20, exact multinomial 0.0005771675 (EMT)
    cic = {"White": 10, "Mixed": 4, "Asian": 1, "Black": 3, "Other": 2}
    pop = {"White": 8240, "Mixed": 550, "Asian": 877, "Black": 163, "Other": 170}
    r = dp.distribution_test(cic, pop)
    assert r.loc[0, "method"] == "exact_multinomial" and not r.loc[0, "conditions_met"]
    assert r.loc[0, "p_value"] == pytest.approx(0.0005771675, rel=1e-6)
    big = dp.distribution_test({"White": 400, "Mixed": 40, "Asian": 60, "Black": 20, "Other": 20}, pop)
    assert big.loc[0, "method"] == "pearson_chisq" and big.loc[0, "conditions_met"]


def test_compare_denominators_shows_the_answer_moving():
    from iro_analysis.reference.ethnicity_population import ethnicity_populations

    pops = ethnicity_populations("872", sources=["census2011_0_17", "school_census", "census2021_all_ages"], year=2023)
    cic = {"White": 67, "Mixed": 16, "Asian": 23, "Black": 14, "Other": 15}
    cmp_ = dp.compare_denominators(cic, pops)
    assert set(cmp_["source"]) == {"census2011_0_17", "school_census", "census2021_all_ages"}
    mixed = cmp_[cmp_["ethnic_group"] == "Mixed"].set_index("source")["representation_ratio"]
    # Mixed share: 2011 0-17 5.25%, school 8.1%, 2021 all ages 3.1%: the all-ages ratio is the largest
    assert mixed["census2021_all_ages"] > mixed["census2011_0_17"] > mixed["school_census"]
    assert cmp_.loc[cmp_["ethnic_group"] == "Mixed", "rr_spread"].iloc[0] == pytest.approx(mixed.max() / mixed.min())
    assert "not children" in cmp_.loc[cmp_["source"] == "census2021_all_ages", "caveat"].iloc[0]


def _return():
    episodes = pd.DataFrame({
        "CHILD": ["A", "B", "C", "D", "E", "F"],
        "DECOM": pd.to_datetime(["2020-01-01", "2022-06-01", "2022-07-01", "2021-01-01", "2022-09-01", "2022-10-01"]),
        "RNE": ["S"] * 6, "LS": ["C2", "C2", "V2", "C2", "C2", "V3"], "PLACE": ["U4"] * 6,
        "DEC": pd.to_datetime([None, None, None, "2022-05-01", None, None]),
        "REC": [None, None, None, "E4A", None, None],
    })
    header = pd.DataFrame({"CHILD": list("ABCDEF"), "SEX": ["M"] * 6,
                           "DOB": pd.to_datetime(["2010-01-01"] * 6),
                           "ETHNIC": ["WBRI", "BAFR", "CHNE", "WBRI", "REFU", "MWBA"]})
    uasc = pd.DataFrame({"CHILD": ["C"], "SEX": ["M"], "DOB": pd.to_datetime(["2006-01-01"]), "DUC": pd.to_datetime([None])})
    return SimpleNamespace(episodes=episodes, header=header, uasc=uasc)


def test_cohort_helpers_exclude_uasc_by_default():
    data = _return()
    # In care on 31 March 2023: A (White), B (Black), C (Asian, UASC), E (refused); F short breaks, D left
    c = dp.cic_ethnicity(data, year=2023).set_index("ethnic_group")["count"]
    assert c["White"] == 1 and c["Black"] == 1 and c["Asian"] == 0 and c["Refused or not obtained"] == 1
    assert dp.cic_ethnicity(data, year=2023).attrs["uasc_excluded"] == 1
    inc = dp.cic_ethnicity(data, year=2023, include_uasc=True, mapping={"CHNE": "Other"}).set_index("ethnic_group")
    assert inc.at["Other", "count"] == 1 and inc.at["Asian", "count"] == 0
    # Starters in 2022-23: B, C (UASC), E (F is short breaks only)
    s = dp.starters_ethnicity(data, 2023).set_index("ethnic_group")["count"]
    assert s.sum() == 2 and s["Black"] == 1 and s["Refused or not obtained"] == 1


def test_ethnic_counts_default_groups_and_order():
    c = dp.ethnic_counts(["WBRI", "WROM", "CHNE", "OOTH", "NOBT", None])
    assert c["ethnic_group"].tolist() == ["White", "Mixed", "Asian", "Black", "Other", "Refused or not obtained",
                                          "Not recorded"]
    assert c["count"].tolist() == [2, 0, 1, 0, 1, 1, 1]


def test_mix_benchmark_wokingham_against_neighbours_region_england():
    b = dp.ethnicity_mix_benchmark("872")
    r = b[(b.year == 2023)].set_index("ethnic_group")
    assert r.at["Black", "la_count"] == 14 and r.at["Black", "la_total"] == 135
    assert r.at["Black", "la_share"] == pytest.approx(14 / 135)
    assert r.at["Black", "la_share_ci_low"] < 14 / 135 < r.at["Black", "la_share_ci_high"]
    assert 1 <= r.at["White", "sn_n"] <= 10
    assert 0 < r.at["White", "england_share"] < 1 and 0 < r.at["White", "region_share"] < 1
    assert set(b["year"]) >= {2021, 2022, 2023, 2024, 2025}


def test_plot_and_alt_text_state_largest_ratios_and_suppress_small_counts():
    cic = {"White": 49, "Black": 11, "Other": 38, "Mixed": 2}
    pop = {"White": 32_960, "Black": 652, "Other": 5_388, "Mixed": 1_000}
    t = dp.disproportionality(cic, pop, denominator="Census 2021, ALL AGES (test)")
    ax = ratio_plot(t)
    assert ax.get_xscale() == "log"
    assert any(abs(line.get_xdata()[0] - 1.0) < 1e-12 for line in ax.get_lines())
    assert "Mixed" not in [lbl.get_text() for lbl in ax.get_yticklabels()]  # 2 children: suppressed
    assert "Black" in ax.get_title()
    alt = ratio_plot_alt_text(t)
    assert "Largest: Black 6.7" in alt and "log scale" in alt and "1 group(s)" in alt
    ax2 = ratio_plot(t, measure="rri", suppress_below=0)
    assert "Mixed" in [lbl.get_text() for lbl in ax2.get_yticklabels()]
    matplotlib.pyplot.close("all")


def test_alt_text_in_place_of_an_empty_chart_names_every_group_without_a_ratio():
    # As published where the total in care is hidden: Mixed's count is hidden (NaN), White's and
    # Asian's counts are shown but their shares, and so their ratios, are hidden; Other has none.
    nan = float("nan")
    t = pd.DataFrame({"ethnic_group": ["White", "Mixed", "Asian", "Other"], "cic": [1086, nan, 230, 0],
                      "representation_ratio": [nan, nan, nan, nan], "rr_ci_low": [nan] * 4,
                      "rr_ci_high": [nan] * 4})
    from iro_analysis.plots.disproportionality import plotted_groups

    assert plotted_groups(t) == []
    assert ratio_plot_alt_text(t, chart=False) == (
        "No representation ratio by ethnic group can be shown. Not shown to protect children's privacy (c: fewer "
        "than 5 children, or hidden so that such a number cannot be worked out): 1 group(s), Mixed. No "
        "representation ratio is shown for White, Asian: it would let a hidden number be worked out.")
    assert ratio_plot_alt_text(t).startswith("Dot-and-whisker chart of the representation ratio")


def test_shareable_table_suppresses_small_counts_and_their_ratios():
    cic = {"White": 49, "Black": 11, "Other": 38, "Mixed": 2}
    pop = {"White": 32_960, "Black": 652, "Other": 5_388, "Mixed": 1_000}
    s = dp.shareable_table(dp.disproportionality(cic, pop)).set_index("ethnic_group")
    assert s.at["Mixed", "cic"] == "c" and s.at["Mixed", "representation_ratio"] == "c"
    # secondary suppression: the next smallest count (Black, 11) is hidden too
    assert s.at["Black", "cic"] == "c" and s.at["Black", "rri"] == "c"
    assert s.at["White", "cic"] == "49"


def _characteristics_fixture(region_code):
    """Published ethnicity counts: the authority (872) in 2022 and 2023, two neighbours, region, England."""
    labels = {"White": "White", "Mixed": "Mixed or Multiple ethnic groups", "Asian": "Asian or Asian British",
              "Black": "Black, African, Caribbean or Black British", "Other": "Other ethnic group",
              "Refused": "Refused or information not yet available", "Total": "Total"}
    blocks = [  # level, la_code, region, year, counts (NaN: suppressed)
        ("Local authority", "872", region_code, 2023,
         {"White": 60, "Mixed": 10, "Asian": 5, "Black": 20, "Other": 5, "Refused": 0, "Total": 100}),
        ("Local authority", "872", region_code, 2022, {"White": 40, "Total": 50}),
        ("Local authority", "B02", region_code, 2023, {"White": 80, "Black": 10, "Total": 100}),
        ("Local authority", "C03", region_code, 2023, {"White": 30, "Black": np.nan, "Total": 50}),
        ("Local authority", "Z99", "E12000001", 2023, {"White": 1, "Black": 1, "Total": 2}),
        ("Regional", "", region_code, 2023, {"White": 700, "Black": 150, "Total": 1000}),
        ("National", "", "", 2023, {"White": 800, "Black": 50, "Total": 1000}),
    ]
    rows = [{"year": year, "geographic_level": level, "region_code": region, "region_name": "", "la_code": la,
             "ons_code": "", "la_name": la, "cla_group": "Ethnic group", "characteristic": labels[g], "count": float(n),
             "percent": np.nan}
            for level, la, region, year, counts in blocks for g, n in counts.items()]
    return pd.DataFrame(rows)


def test_mix_benchmark_hand_checked_neighbours_region_england():
    from iro_analysis.reference import resolve_authority
    from iro_analysis.stats import wilson_interval

    chars = _characteristics_fixture(resolve_authority("872").region_code)
    sn = pd.DataFrame({"la_code": ["872"] * 3 + ["B02"], "neighbour_la_code": ["C03", "B02", "D04", "872"]})
    b = dp.ethnicity_mix_benchmark("872", characteristics=chars, neighbours=sn)
    assert b["year"].tolist() == [2022] * 6 + [2023] * 6
    r = b[b.year == 2023].set_index("ethnic_group")
    # Black: 20 of 100; neighbours B02 10/100 and C03 suppressed (left out); region 150/1000; England 50/1000
    assert r.at["Black", "la_share"] == 0.2 and r.at["Black", "sn_mean_share"] == 0.1 and r.at["Black", "sn_n"] == 1
    assert r.at["Black", "region_share"] == 0.15 and r.at["Black", "england_share"] == 0.05
    assert r.at["Black", "ratio_to_england"] == pytest.approx(4.0)
    assert (r.at["Black", "la_share_ci_low"], r.at["Black", "la_share_ci_high"]) == wilson_interval(20, 100)
    # White: neighbours 80/100 and 30/50, mean 0.7 of both
    assert r.at["White", "sn_mean_share"] == pytest.approx(0.7) and r.at["White", "sn_n"] == 2
    # Refused: the authority published 0; no neighbour, region or England row
    assert r.at["Refused or not obtained", "la_share"] == 0 and r.at["Refused or not obtained", "sn_n"] == 0
    assert np.isnan(r.at["Refused or not obtained", "england_share"])
    last = b[b.year == 2022].set_index("ethnic_group")
    assert last.at["White", "la_share"] == 0.8 and np.isnan(last.at["Black", "la_count"])
    assert np.isnan(last.at["White", "sn_mean_share"]) and last.at["White", "sn_n"] == 0
    assert np.isnan(last.at["White", "england_share"])  # no England row for 2022
    assert b.attrs["neighbours"] == ["B02", "C03", "D04"]
    only = dp.ethnicity_mix_benchmark("872", characteristics=chars, neighbours=sn, years=[2023])
    pd.testing.assert_frame_equal(only, b[b.year == 2023].reset_index(drop=True))
    with pytest.raises(ParameterError, match="no published"):
        dp.ethnicity_mix_benchmark("872", characteristics=chars, neighbours=sn, years=[2021])


def test_mix_benchmark_from_the_published_tables_kept_for_the_process_equals_a_fresh_read():
    fresh = dp.ethnicity_mix_benchmark("872", characteristics=cla_characteristics())
    kept = dp.ethnicity_mix_benchmark("872")
    pd.testing.assert_frame_equal(kept, fresh, check_exact=True)
    kept.loc[:, "la_share"] = -1.0  # a report changing its copy changes nothing for the next
    pd.testing.assert_frame_equal(dp.ethnicity_mix_benchmark("872"), fresh, check_exact=True)
