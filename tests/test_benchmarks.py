"""Tests for iro_analysis.benchmarks: indicator registry, LAIT rules, neighbour benchmarks, funnels.

External oracles: published DfE figures in the reference files (public-data.md §5-§6) and the
LAIT worked example and real-data funnel figures in methods.md §3.3, §3.5 and §5 (O17).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import iro_analysis.benchmarks as bm
from iro_analysis.errors import ParameterError
from iro_analysis.stats import funnel as fn

API_COLUMNS = ["la_code", "la_name", "year", "value", "sn_mean", "sn_n", "region_value", "england_value",
               "rank", "rank_of", "band"]


# --------------------------------------------------------------------------------------------
# registry


def test_registry_covers_the_issue():
    ind = bm.list_indicators()
    expected = {"cla_count", "cla_rate", "starts_count", "starts_rate", "ceased_count", "ceased_rate",
                "uasc_share", "placements_3plus", "long_term_stability", "health_assessment", "dental_check",
                "immunisations", "sdq_completion", "sdq_average_score", "sw_changes_3plus"}
    assert set(ind["id"]) == expected
    assert set(ind["polarity"]) <= {"high", "low", "none"}
    assert {"id", "name", "unit", "source_file", "polarity", "definition", "denominator"} <= set(ind.columns)
    # LAIT: the CLA rate has no polarity (methods.md §3.2)
    assert ind.set_index("id").loc["cla_rate", "polarity"] == "none"
    props = ind[ind.kind.isin(["rate", "proportion"])]
    assert props["denominator"].notna().all() and props["has_funnel"].all()
    assert ind.loc[ind.kind == "count", "denominator"].isna().all()


def test_unknown_indicator_lists_valid_ids():
    with pytest.raises(ParameterError, match="cla_rate"):
        bm.get_indicator("cla_rates_typo")


# --------------------------------------------------------------------------------------------
# golden values (public-data.md §6)


def test_golden_wokingham_2022_april_2021_model():
    count = bm.neighbour_benchmark("cla_count", "872", 2022, "2021").iloc[0]
    rate = bm.neighbour_benchmark("cla_rate", "Wokingham", 2022, model="2021").iloc[0]
    assert count.value == 136
    assert rate.value == 33
    # Mean of the 10 April-2021 neighbours' published integer rates for 31 March 2022.
    assert round(rate.sn_mean, 1) == 46.9 and rate.sn_n == 10 and rate.sn_of == 10
    assert rate.la_code == "872" and rate.la_name == "Wokingham" and rate.ons_code == "E06000041"


def test_golden_england_2025():
    v = bm.indicator_values("cla_count")
    eng = v[(v.geographic_level == "National") & (v.year == 2025)]
    assert eng.value.iloc[0] == 81_770
    rate = bm.neighbour_benchmark("cla_rate", "E06000041", 2025).iloc[0]
    assert rate.england_value == 67


@pytest.mark.parametrize("release", [2023, 2024, 2025])
def test_golden_rotherham_2021_every_vintage(release):
    row = bm.neighbour_benchmark("cla_count", "Rotherham", 2021, release=release).iloc[0]
    assert row.value == 595 and row.release == release


def test_vintages_differ_where_dfe_revised():
    # public-data.md §5: Wokingham 31 March 2023 = 137 in the 2023 release, 135 in 2024 and 2025.
    assert bm.neighbour_benchmark("cla_count", "872", 2023, release=2023).iloc[0].value == 137
    assert bm.neighbour_benchmark("cla_count", "872", 2023, release=2024).iloc[0].value == 135
    assert bm.neighbour_benchmark("cla_count", "872", 2023).iloc[0].release == 2025


# --------------------------------------------------------------------------------------------
# LAIT worked example (methods.md §3.3)


def test_lait_example_cla_rate_2025_model_from_the_mirror():
    # Wokingham 34, SN average 43.0, England 67, South East 55; polarity "-" -> no rank/band.
    row = bm.neighbour_benchmark("cla_rate", "872", 2025, model="2025").iloc[0]
    assert row.value == 34 and row.sn_mean == pytest.approx(43.0, abs=1e-9) and row.sn_n == 10
    assert row.england_value == 67 and row.region_value == 55 and row.region_name == "South East"
    assert pd.isna(row["rank"]) and pd.isna(row.rank_of) and row.band is None
    assert row.position >= 1
    t = bm.neighbour_table("cla_rate", "872", 2025, model="2025")
    nb = t[t.role == "neighbour"].set_index("la_name")["value"].to_dict()
    assert nb == {"Windsor and Maidenhead": 40, "Surrey": 35, "Buckinghamshire": 40, "West Berkshire": 53,
                  "Bromley": 47, "Trafford": 62, "Richmond upon Thames": 27, "Hertfordshire": 36,
                  "Bracknell Forest": 42, "Central Bedfordshire": 48}


def test_o17_revcp_sn_mean_and_band_from_printed_numbers():
    # The RevCP values come from LAIT's data extract, which is not in the reference mirror, so the
    # rank (25 of 150) cannot be recomputed; the SN mean and band rules are checked on the
    # printed numbers: mean(92.3, 95.6, ..., 96.7) = 952.0/10 = 95.2; 98.4 > Q3 = 96.9 -> band A.
    mean, n = bm.sn_mean([92.3, 95.6, 89.6, 87.7, 97.0, 95.0, 100.0, 99.0, 99.1, 96.7])
    assert round(mean, 1) == 95.2 and n == 10
    cuts = [46.4, 87.325, 93.75, 96.9, 100.0]
    assert bm.band_from_cut_points(98.4, cuts, "high") == "A"
    assert bm.band_from_cut_points(98.4, cuts, "low") == "D"
    assert bm.band_from_cut_points(98.4, cuts, "none") is None


# --------------------------------------------------------------------------------------------
# LAIT rules


def test_type7_quartiles_and_right_closed_bands():
    # R: quantile(1:10) = 1, 3.25, 5.5, 7.75, 10 (type 7: h = (n-1)p).
    v = np.arange(1, 11, dtype=float)
    assert bm.quartile_cut_points(v).tolist() == [1.0, 3.25, 5.5, 7.75, 10.0]
    # 1..5: cut points 1, 2, 3, 4, 5; a value equal to a cut point belongs to the lower
    # (right-closed) interval: [1, 2] -> D, (2, 3] -> C, (3, 4] -> B, (4, 5] -> A for "high".
    rb = bm.rank_and_band([1, 2, 3, 4, 5], polarity="high")
    assert rb.band.tolist() == ["D", "D", "C", "B", "A"]
    assert rb.quartile.tolist() == [1, 1, 2, 3, 4]
    rb_low = bm.rank_and_band([1, 2, 3, 4, 5], polarity="low")
    assert rb_low.band.tolist() == ["A", "A", "B", "C", "D"]


def test_ranks_ties_min_and_missing():
    rb = bm.rank_and_band([70.0, 90.0, 90.0, np.nan, 50.0], polarity="high")
    assert rb["rank"].tolist() == [3, 1, 1, pd.NA, 4]
    assert rb.rank_of.iloc[0] == 4
    low = bm.rank_and_band([70.0, 90.0, 90.0, np.nan, 50.0], polarity="low")
    assert low["rank"].tolist() == [2, 3, 3, pd.NA, 1]
    none = bm.rank_and_band([70.0, 90.0, 90.0, np.nan, 50.0], polarity="none")
    assert none["rank"].isna().all() and none.band.isna().all()
    assert none.position.tolist() == [2, 3, 3, pd.NA, 1]


values_strategy = st.lists(
    st.one_of(st.integers(0, 40).map(float), st.just(float("nan"))), min_size=1, max_size=60
)


@settings(max_examples=80, deadline=None)
@given(values=values_strategy, polarity=st.sampled_from(["high", "low"]))
def test_property_ranks_and_bands(values, polarity):
    rb = bm.rank_and_band(values, polarity=polarity)
    v = np.asarray(values)
    ok = ~np.isnan(v)
    n = int(ok.sum())
    ranks = rb["rank"][ok].astype(int).to_numpy()
    if n:
        assert ranks.min() == 1 and ranks.max() <= n
        # ties share the lower rank: rank = 1 + number of strictly better values
        better = [(v[ok] > x).sum() if polarity == "high" else (v[ok] < x).sum() for x in v[ok]]
        assert ranks.tolist() == [1 + b for b in better]
        # bands monotone in value by polarity (A best)
        order = np.argsort(v[ok], kind="stable")
        letters = rb["band"][ok].to_numpy()[order]
        score = ["ABCD".index(b) for b in letters]
        if polarity == "high":
            assert all(a >= b for a, b in zip(score, score[1:]))
        else:
            assert all(a <= b for a, b in zip(score, score[1:]))
    assert rb["rank"][~ok].isna().all()


def test_property_sn_mean_equals_mean_of_neighbours_values():
    # For a spread of authorities, sn_mean/sn_n must equal the plain mean/count of the
    # neighbours' non-missing published values, read independently from indicator_values and
    # the neighbour list.
    from iro_analysis.reference import statistical_neighbours

    vals = bm.indicator_values("placements_3plus")
    la = vals[(vals.geographic_level == "Local authority") & (vals.year == 2024)].set_index("la_code")["value"]
    sn = statistical_neighbours("2021")
    sn = sn[~sn.superseded]
    for code in sorted(sn.la_code.unique())[::15]:
        codes = sn.loc[sn.la_code == code, "neighbour_la_code"]
        expected = la.reindex(codes).dropna()
        row = bm.neighbour_benchmark("placements_3plus", code, 2024, "2021").iloc[0]
        assert row.sn_n == len(expected)
        if len(expected):
            assert row.sn_mean == pytest.approx(expected.mean(), abs=1e-12)
            assert row.sn_median == pytest.approx(expected.median(), abs=1e-12)


def test_property_benchmark_rows_agree_with_the_published_values_read_afresh():
    # The national part of each benchmark is computed once per process and shared by every
    # authority. For a spread of authorities, indicators and years, each row's value, previous
    # value, region and England values, rank and release must equal what a plain filter of
    # indicator_values gives (first row of each, as DfE lists them), and benchmark_table must be
    # the neighbour_benchmark rows one after the other.
    from iro_analysis.reference import list_authorities

    codes = sorted(list_authorities()["la_code"])[::9]
    for ind in ["cla_rate", "placements_3plus", "uasc_share", "health_assessment"]:
        vals = bm.indicator_values(ind)
        la_rows = vals[vals.geographic_level == "Local authority"]
        for year in sorted(la_rows.year.unique())[-2:]:
            year_rows = la_rows[la_rows.year == year]
            ranks = bm.rank_and_band(year_rows.drop_duplicates("la_code").set_index("la_code")["value"],
                                     polarity=bm.INDICATORS[ind].polarity)
            for code in codes:
                row = bm.neighbour_benchmark(ind, code, int(year), "2021").iloc[0]
                own = year_rows[year_rows.la_code == code]
                before = la_rows[(la_rows.la_code == code) & (la_rows.year == year - 1)]
                if len(own):
                    assert row.value == own.value.iloc[0] or (np.isnan(row.value) and np.isnan(own.value.iloc[0]))
                    region = vals[(vals.geographic_level == "Regional") & (vals.year == year)
                                  & (vals.region_code == own.region_code.iloc[0])]
                    assert row.region_value == region.value.iloc[0]
                    if pd.notna(ranks.loc[code, "rank"]):
                        assert row["rank"] == ranks.loc[code, "rank"] and row.band == ranks.loc[code, "band"]
                assert (row.previous_value == before.value.iloc[0] or np.isnan(before.value.iloc[0])) if len(before) \
                    else np.isnan(row.previous_value)
                england = vals[(vals.geographic_level == "National") & (vals.year == year)]
                assert row.england_value == england.value.iloc[0] and row.release == vals.release.iloc[0]
    for code in codes[:4]:
        table = bm.benchmark_table(code, 2024)
        one_by_one = pd.concat([bm.neighbour_benchmark(ind, code, bm.latest_year(ind, up_to=2024))
                                for ind in bm.INDICATORS], ignore_index=True)
        pd.testing.assert_frame_equal(table, one_by_one)


# --------------------------------------------------------------------------------------------
# neighbour_benchmark contract


@pytest.mark.parametrize("model", ["2021", "2025"])
def test_every_indicator_has_the_api_columns(model):
    for ind in bm.INDICATORS:
        out = bm.neighbour_benchmark(ind, "Rotherham", model=model)
        assert len(out) == 1, ind
        assert set(API_COLUMNS) <= set(out.columns), ind
        row = out.iloc[0]
        assert row.sn_n == 10, ind  # Rotherham's neighbours all publish every indicator
        if bm.INDICATORS[ind].polarity == "none":
            assert pd.isna(row["rank"]) and row.band is None
        else:
            assert 1 <= row["rank"] <= row.rank_of and row.band in {"A", "B", "C", "D"}


def test_band_matches_rank_quartile_on_real_data():
    # Polarity low (3+ placements): band A holds the lowest values, so its ranks are the best.
    vals = bm.indicator_values("placements_3plus")
    las = vals[(vals.geographic_level == "Local authority") & (vals.year == 2025)].dropna(subset=["value"])
    rb = bm.rank_and_band(las.set_index("la_code")["value"], polarity="low")
    worst_a = rb.loc[rb.band == "A", "value"].max()
    best_d = rb.loc[rb.band == "D", "value"].min()
    assert worst_a < best_d
    assert rb.loc[rb.band == "A", "rank"].max() < rb.loc[rb.band == "D", "rank"].min()


def test_change_from_previous_year():
    row = bm.neighbour_benchmark("cla_rate", "872", 2022).iloc[0]
    assert row.previous_year == 2021 and row.change == row.value - row.previous_value


def test_authority_missing_from_model_gives_note_not_crash():
    # Cumberland (942) was created in 2023 and is not in the April 2021 list.
    row = bm.neighbour_benchmark("cla_rate", "942", 2025, "2021").iloc[0]
    assert row.sn_n == 0 and np.isnan(row.sn_mean) and "not in the 2021" in row.note
    assert bm.neighbour_benchmark("cla_rate", "942", 2025, "2025").iloc[0].sn_n >= 9


def test_bad_year_and_model():
    with pytest.raises(ParameterError, match="years available: 2021, 2022, 2023, 2024, 2025"):
        bm.neighbour_benchmark("cla_rate", "872", 2015)
    with pytest.raises(ParameterError, match="model"):
        bm.neighbour_benchmark("cla_rate", "872", 2022, model="2019")


def test_neighbour_table_and_trend():
    t = bm.neighbour_table("cla_rate", "872", 2022, "2021")
    assert t.role.tolist() == ["authority"] + ["neighbour"] * 10 + ["sn_mean", "region", "england"]
    assert t.loc[t.role == "sn_mean", "value"].iloc[0] == pytest.approx(46.9)
    assert t.loc[t.role == "neighbour", "neighbour_rank"].tolist() == list(range(1, 11))
    assert t.loc[t.role == "neighbour", "la_name"].iloc[0] == "Surrey"
    tr = bm.trend("cla_count", "Rotherham")
    assert tr.year.tolist() == [2021, 2022, 2023, 2024, 2025]
    assert tr.loc[tr.year == 2021, "value"].iloc[0] == 595
    assert tr.loc[tr.year == 2022, "value"].iloc[0] == 556  # public-data.md §6
    assert tr.change.iloc[1] == 556 - 595


# --------------------------------------------------------------------------------------------
# funnel data


def test_funnel_cla_rates_reproduces_methods_real_data_example():
    # methods.md §3.5: CLA rates 2025, 151 LAs, population back-derived from count / rate,
    # pooled 67.126: phi = 50.68, tau = 20.44 per 10,000, 104 outside the Poisson 99.8% limits,
    # 6 outside after the additive random-effects adjustment (raw scale).
    v = bm.indicator_values("cla_rate", release=2025)
    la = v[(v.geographic_level == "Local authority") & (v.year == 2025)].dropna(subset=["numerator", "value"])
    la = la[la.value > 0]
    x = la.numerator.to_numpy()
    n = x / la.value.to_numpy() * 10_000
    od = fn.overdispersion(x, n, kind="rate", per=10_000, scale="raw")
    assert od.n_units == 151
    assert od.target == pytest.approx(67.126, abs=5e-4)
    assert od.phi == pytest.approx(50.68, abs=5e-3)
    assert od.tau * 10_000 == pytest.approx(20.44, abs=5e-3)
    obs = x / n * 10_000
    lo, hi = fn.poisson_limits(od.target, n, per=10_000, confidence=0.998)
    assert int(((obs < lo) | (obs > hi)).sum()) == 104
    alo, ahi = fn.random_effects_limits(od.target, n, od.tau2, kind="rate", scale="raw", per=10_000,
                                        confidence=0.998)
    assert int(((obs < alo) | (obs > ahi)).sum()) == 6


def test_funnel_data_structure_and_highlighting():
    f = bm.funnel_data("health_assessment", 2025, la="872", model="2025")
    assert list(f.columns) == bm.FUNNEL_COLUMNS
    assert (f.role == "authority").sum() == 1 and (f.role == "neighbour").sum() == 10
    assert f.highlighted.sum() == 11
    ok = f.denominator > 0
    # observed is the exact ratio; the published value is its rounding
    assert ((f.observed[ok] - f.value[ok]).abs() <= 0.5 + 1e-9).all()
    # flags agree with the limits in use
    outside = (f.observed < f.lower_95) | (f.observed > f.upper_95)
    assert (f.outside_95 == (outside & ok)).all()
    assert (f.outside_998 <= f.outside_95).all()
    g = f[ok]
    assert (g.lower_998 <= g.lower_95).all() and (g.upper_95 <= g.upper_998).all()
    assert f.loc[~ok, "lower_95"].isna().all() and not f.loc[~ok, "outside_95"].any()
    # over-dispersed, so adjusted limits are used and flag far fewer than the unadjusted ones
    assert f.overdispersed.iloc[0] and f.limits.iloc[0].startswith("adjusted")
    assert f.outside_998.sum() < f.outside_998_unadjusted.sum()
    # pooled target = sum x / sum n
    assert f.target.iloc[0] == pytest.approx(f.numerator[ok].sum() / f.denominator[ok].sum() * 100)


def test_funnel_options():
    never = bm.funnel_data("cla_rate", 2025, adjust="never")
    assert never.limits.iloc[0].startswith("exact Poisson")
    pd.testing.assert_series_equal(never.lower_95, never.unadj_lower_95, check_names=False)
    eng = bm.funnel_data("cla_rate", 2025, target="england")
    assert eng.target.iloc[0] == pytest.approx(81_770 / 12_183_016 * 10_000)
    fixed = bm.funnel_data("cla_rate", 2025, target=67.0, adjust="never")
    row = fixed.set_index("la_code").loc["872"]
    # O15 machinery at Wokingham's own population
    assert (row.lower_95, row.upper_95) == pytest.approx(fn.poisson_limits(67, row.denominator, per=10_000))
    curves = bm.funnel_curves(eng, n_points=50)
    assert len(curves) == 50 and (curves.lower_95 <= curves.target).all()
    with pytest.raises(ParameterError, match="cla_rate"):
        bm.funnel_data("cla_count", 2025)
    with pytest.raises(ParameterError, match="spread"):
        bm.funnel_data("sdq_average_score", 2025)
    with pytest.raises(ParameterError, match="adjust"):
        bm.funnel_data("cla_rate", 2025, adjust="sometimes")


# --------------------------------------------------------------------------------------------
# own data against published


def _episodes():
    # Year ending 31 March 2022 (1 Apr 2021 - 31 Mar 2022).
    rows = [
        # A: in care throughout, open -> in care on 31 March; no start or end in the year
        ("A", "2020-01-01", "S", "C2", "U4", None, None),
        # B: starts twice (counted once), ceases once, in care on 31 March
        ("B", "2021-06-01", "S", "C2", "U4", "2021-09-01", "E11"),
        ("B", "2021-12-01", "S", "C2", "U4", None, None),
        # C: short breaks only (V3) -> excluded everywhere
        ("C", "2021-05-01", "S", "V3", "U6", None, None),
        # D: starts 1 April 2021, leaves on 31 March 2022 -> not in care at the end of the day
        ("D", "2021-04-01", "S", "C2", "U4", "2022-03-31", "E4A"),
        # E: started before the year, ceased in it
        ("E", "2019-07-01", "S", "C2", "U4", "2021-04-01", "E13"),
    ]
    ep = pd.DataFrame(rows, columns=["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"])
    ep["DECOM"] = pd.to_datetime(ep["DECOM"])
    ep["DEC"] = pd.to_datetime(ep["DEC"])
    return ep


def test_compare_with_published():
    data = SimpleNamespace(episodes=_episodes(), header=None, uasc=None)
    out = bm.compare_with_published(data, "872", 2022).set_index("measure")
    # own: in care A, B = 2; started B, D = 2; ceased B, D, E = 3.
    # Published Wokingham 2022 (2025 release): 136 looked after, 93 started, 58 ceased.
    assert out.loc["cla_31_march", ["own_count", "published_count", "difference"]].tolist() == [2, 136, -134]
    assert out.loc["starting", ["own_count", "published_count", "difference"]].tolist() == [2, 93, -91]
    assert out.loc["ceasing", ["own_count", "published_count", "difference"]].tolist() == [3, 58, -55]
    assert out.loc["ceasing", "percent_difference"] == pytest.approx(-55 / 58 * 100)
    assert (out.release == 2025).all()
    with pytest.raises(ParameterError, match="years available"):
        bm.compare_with_published(data, "872", 2010)


# --------------------------------------------------------------------------------------------
# plots


def test_funnel_plot_title_and_alt_text_name_who_is_outside():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from iro_analysis.plots import benchmarks as bp

    f = bm.funnel_data("cla_rate", 2025, la="872", model="2025")
    ax = bp.funnel_plot(f)
    # Wokingham 33.5 per 10,000 lies inside the adjusted 95% limits
    assert ax.get_title().startswith("Wokingham (33.5 per 10,000) is within the expected range")
    alt = bp.funnel_plot_alt_text(f)
    alarm = f[f.outside_998]
    assert len(alarm) >= 1
    assert f"Outside the 99.8% limits ({len(alarm)})" in alt
    for name in alarm.la_name:
        assert name in alt
    assert "Without the over-dispersion adjustment 104 would lie outside" in alt
    # the log axis is labelled in plain numbers at 1, 2 and 5 times the powers of ten that are
    # in view, with no mathtext (no "10^3") and nothing between them
    ax.figure.canvas.draw()
    low, high = ax.get_xlim()
    shown = [t.get_text() for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
    expected = [f"{m * 10 ** e:,}" for e in range(0, 8) for m in (1, 2, 5) if low <= m * 10 ** e <= high]
    assert shown == expected and len(shown) >= 3
    assert all(not t.get_text() for t in ax.xaxis.get_minorticklabels())
    plt.close(ax.figure)


def test_neighbour_and_trend_charts():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from iro_analysis.plots import benchmarks as bp

    t = bm.neighbour_table("cla_rate", "872", 2022)
    ax = bp.neighbour_chart(t)
    assert "below the statistical-neighbour average of 46.9" in ax.get_title().replace("\n", " ")
    alt = bp.neighbour_chart_alt_text(t)
    assert "Wokingham 33 per 10,000" in alt and "Cheshire East 67 per 10,000" in alt
    plt.close(ax.figure)
    tr = bm.trend("cla_count", "Rotherham")
    ax = bp.trend_chart(tr)
    assert ax.get_title().startswith("Rotherham: children looked after on 31 March fell from 595")
    assert "2021: 595" in bp.trend_chart_alt_text(tr)
    plt.close(ax.figure)


def test_benchmark_table_keeps_unpublished_indicators_with_a_note():
    t = bm.benchmark_table("872", 2023, model="2021")
    assert t.indicator.tolist() == list(bm.INDICATORS)
    assert t.set_index("indicator").loc["cla_count", "value"] == 135  # 2025 release value for 2023
    sw = t.set_index("indicator").loc["sw_changes_3plus"]
    assert pd.isna(sw.value) and "not published" in sw.note
    assert str(t["year"].dtype) == "Int64"
