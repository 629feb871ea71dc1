"""disproportionality() in phases: the measures the phases compute separately still fit together
as the Notes of its docstring say (representation ratio = rate / overall rate, RRI = ratio of
representation ratios, rate difference and excess from the reference's rate), on a worked
example and on random counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from iro_analysis.disproportionality import DISPROPORTIONALITY_COLUMNS, disproportionality

GROUPS = ["White", "Mixed", "Asian", "Black", "Other"]


def test_worked_example():
    # 40 White of 900 and 10 Black of 100 children: X = 50, P = 1,000.
    t = disproportionality({"White": 40, "Black": 10}, {"White": 900, "Black": 100}).set_index("ethnic_group")
    black, white = t.loc["Black"], t.loc["White"]
    # Black: share 10/50 = 0.2 of the cohort, 100/1000 = 0.1 of the population: ratio 2.0.
    assert black["representation_ratio"] == 2.0
    # Rates: 10/100 x 10,000 = 1,000 and 40/900 x 10,000 = 444.44 per 10,000.
    assert black["rate_per_10k"] == 1000.0 and round(white["rate_per_10k"], 2) == 444.44
    # RRI against White: 1,000 / 444.44 = 2.25; difference 555.56; excess 10 - 100 x 0.044444 = 5.56.
    assert round(black["rri"], 6) == 2.25 and black["rri_reference"] == "White"
    assert round(black["rate_difference_per_10k"], 2) == 555.56 and round(black["excess_cic"], 2) == 5.56
    # White itself is compared with all other children (here: Black): 444.44 / 1,000.
    assert white["rri_reference"] == "all other children" and round(white["rri"], 4) == 0.4444
    assert t.attrs["cic_total"] == 50.0 and t.attrs["population_known_total"] == 1000.0


@st.composite
def cohorts(draw):
    groups = draw(st.lists(st.sampled_from(GROUPS), min_size=2, max_size=5, unique=True))
    pop = {g: draw(st.integers(1, 5000)) for g in groups}
    cic = {g: draw(st.integers(0, min(60, pop[g]))) for g in groups}
    if draw(st.booleans()):
        cic["Refused or not obtained"] = draw(st.integers(0, 5))
    total = draw(st.none() | st.integers(sum(pop.values()), 3 * sum(pop.values())))
    reference = draw(st.sampled_from(["all_other", *groups]))
    return cic, pop, total, reference


@settings(max_examples=60)
@given(cohorts())
def test_phases_fit_together(case):
    cic, pop, total, reference = case
    t = disproportionality(cic, pop, population_total=total, reference=reference)
    assert list(t.columns) == DISPROPORTIONALITY_COLUMNS
    known = t[t["included"]].set_index("ethnic_group")
    # Every child is in the table once: known groups, then the not-known row.
    assert t["cic"].sum() == sum(cic.values())
    x, n = known["cic"], known["rate_population"]
    # With population_total T each group's rate population is its share of T, so they sum to T.
    assert np.isclose(n.sum(), total if total is not None else sum(pop.values()))
    ok = ~known["impossible_denominator"] & (known["population"] > 0)
    overall = 1e4 * x.sum() / n.sum()
    if x.sum() > 0:
        # Representation ratio = the group's rate / the rate for all children.
        assert np.allclose(known.loc[ok, "representation_ratio"], known.loc[ok, "rate_per_10k"] / overall)
    for g, row in known[ok].iterrows():
        if reference != "all_other" and g != reference and known.loc[reference, "cic"] > 0 and ok[reference]:
            ref_rate = known.loc[reference, "rate_per_10k"]
            # RRI = ratio of the two rates (= ratio of representation ratios when X > 0).
            assert np.isclose(row["rri"], row["rate_per_10k"] / ref_rate)
            assert np.isclose(row["rate_difference_per_10k"], row["rate_per_10k"] - ref_rate)
            assert np.isclose(row["excess_cic"], row["cic"] - row["rate_population"] * ref_rate / 1e4)
        for est, lo, hi in (("rate_per_10k", "rate_ci_low", "rate_ci_high"), ("rri", "rri_ci_low", "rri_ci_high"),
                            ("representation_ratio", "rr_ci_low", "rr_ci_high")):
            if np.isfinite(row[est]) and np.isfinite(row[lo]) and np.isfinite(row[hi]):
                assert row[lo] <= row[est] * (1 + 1e-9) and row[est] <= row[hi] * (1 + 1e-9), (g, est)
        for p in ("p_value", "rri_p_value"):
            assert pd.isna(row[p]) or 0 <= row[p] <= 1


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["White", "Mixed", "Asian", "Black", "Other", " Black ", "Unknown",
                                                "Refused", None, float("nan")]),
                               st.one_of(st.integers(0, 10_000), st.sampled_from([0.0, -0.0, 2.5, 1e9]))),
                     min_size=1, max_size=8),
       as_float=st.booleans())
def test_counts_of_a_numeric_table_equal_those_read_as_text(rows, as_float):
    from iro_analysis.disproportionality.groups import _counts

    groups = [g for g, _ in rows]
    numbers = pd.DataFrame({"ethnic_group": groups, "count": [float(v) if as_float else v for _, v in rows]})
    if not as_float and any(isinstance(v, float) for _, v in rows):
        numbers["count"] = numbers["count"].astype(float)
    text = numbers.assign(count=[str(v) for v in numbers["count"]])  # the general path parses these
    fast, general = _counts(numbers, "cic"), _counts(text, "cic")
    pd.testing.assert_series_equal(fast, general, check_exact=True)
    assert list(np.signbit(fast.to_numpy())) == list(np.signbit(general.to_numpy()))
