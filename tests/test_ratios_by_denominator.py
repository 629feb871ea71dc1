"""ratios_by_denominator: the representation ratios of compare_denominators, without the rest.

The authority report shows only the ratio of each group under each published population, so it
asks :func:`iro_analysis.disproportionality.ratios_by_denominator` for them; these tests hold it
to :func:`iro_analysis.disproportionality.compare_denominators` (same rows, same values to the
bit, same refusals).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from iro_analysis import disproportionality as dp
from iro_analysis.errors import ParameterError

_COLUMNS = ["source", "denominator", "ethnic_group", "representation_ratio"]
_GROUPS = ["White", "Mixed", "Asian", "Black", "Other", "Refused or not obtained"]


def _both(cic, populations, **options):
    try:
        expected = dp.compare_denominators(cic, populations, **options)[_COLUMNS]
    except ParameterError as error:
        with pytest.raises(ParameterError, match=str(error)[:30].replace("(", r"\(").replace("[", r"\[")):
            dp.ratios_by_denominator(cic, populations, **options)
        return None
    found = dp.ratios_by_denominator(cic, populations, **options)
    assert_frame_equal(found, expected, check_exact=True)
    return found


@st.composite
def _cases(draw):
    sources = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True))
    rows = []
    for source in sources:
        groups = draw(st.lists(st.sampled_from(_GROUPS), min_size=1, max_size=len(_GROUPS), unique=True))
        for group in groups:
            rows.append({"source": source, "denominator": f"Population {source.upper()}", "ethnic_group": group,
                         "count": draw(st.integers(0, 5000))})
    cic_groups = draw(st.lists(st.sampled_from(_GROUPS), max_size=len(_GROUPS), unique=True))
    cic = {group: draw(st.integers(0, 60)) for group in cic_groups}
    return cic, pd.DataFrame(rows)


@settings(max_examples=200, deadline=None)
@given(_cases())
def test_the_ratios_are_those_of_compare_denominators(case):
    cic, populations = case
    _both(cic, populations)


def test_the_published_populations_of_an_authority_give_the_same_ratios():
    from iro_analysis.reference.ethnicity_population import ethnicity_populations

    populations = ethnicity_populations("872", year=2023)
    assert populations["source"].nunique() > 1
    for cic in ({"White": 67, "Mixed": 16, "Asian": 23, "Black": 14, "Other": 15},
                {"White": 3, "Mixed": 0, "Asian": 1, "Refused or not obtained": 2},
                {"White": 0}):
        found = _both(cic, populations)
        assert found is not None and found["representation_ratio"].notna().any() == (sum(cic.values()) > 0)


def test_a_population_frame_it_cannot_read_is_refused_alike():
    _both({"White": 1}, pd.DataFrame({"ethnic_group": ["White"], "count": [10]}))
    _both({"White": 1}, pd.DataFrame({"source": ["a"], "group": ["White"], "count": [10]}))
    _both({"White": 1}, pd.DataFrame({"source": ["a"], "ethnic_group": ["White"], "count": [10]}), reference="Nobody")
