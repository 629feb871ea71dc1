"""UASC status on a date (``cohorts.uasc_on``): the one rule every table uses."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from iro_analysis import ParameterError
from iro_analysis import cohorts as co

T = pd.Timestamp


def _episodes(children, starts):
    n = len(children)
    return pd.DataFrame({"CHILD": children, "DECOM": pd.to_datetime(starts), "RNE": ["S"] * n, "LS": ["C2"] * n,
                         "PLACE": ["U4"] * n, "DEC": pd.to_datetime([None] * n), "REC": [None] * n})


def test_uasc_table_status_ends_on_the_day_status_ceased():
    # A: UASC status ceased (DUC) 10 Jan 2023 -> UASC at the end of 9 Jan, not at the end of 10 Jan.
    # B: in the UASC table with DUC blank -> UASC on every date. C: not in the table -> never.
    ep = _episodes(["A", "B", "C"], ["2022-05-01", "2022-06-01", "2022-07-01"])
    ua = pd.DataFrame({"CHILD": ["A", "B"], "DUC": pd.to_datetime(["2023-01-10", None])})
    data = SimpleNamespace(episodes=ep, uasc=ua)
    assert co.uasc_on(data, ["A", "B", "C"], "2023-01-09").tolist() == [True, True, False]
    assert co.uasc_on(data, ["A", "B", "C"], "2023-01-10").tolist() == [False, True, False]
    # one date per child: A on the day it became looked after (UASC) and at the year end (not)
    assert co.uasc_on(data, ["A", "A", "C"], [T("2022-05-01"), T("2023-03-31"), T("2022-07-01")]).tolist() == [
        True, False, False]
    # a child with no episode is never counted
    assert co.uasc_on(data, ["Z"], "2023-01-01").tolist() == [False]
    with pytest.raises(ParameterError, match="one per child"):
        co.uasc_on(data, ["A", "B"], ["2023-01-01"])


def test_without_a_uasc_table_the_header_flag_decides():
    # XML returns carry UASC in the header: 1/Y/TRUE (any case) is UASC, whatever the date
    ep = _episodes(["A", "B", "C"], ["2022-05-01"] * 3)
    hd = pd.DataFrame({"CHILD": ["A", "B", "C"], "DOB": pd.to_datetime(["2010-01-01"] * 3), "UASC": ["1", "y", "0"]})
    data = SimpleNamespace(episodes=ep, header=hd)
    assert co.uasc_on(data, ["A", "B", "C"], "2023-03-31").tolist() == [True, True, False]


def test_same_rule_as_the_uasc_column_of_in_care_on(synthetic_wokingham):
    from iro_analysis.ssda903 import load_ssda903

    data = load_ssda903(synthetic_wokingham)
    for date in ("2022-09-30", "2023-03-31"):
        snap = co.in_care_on(data, date)
        assert snap["uasc"].any()  # the synthetic return has UASC children: the comparison can fail
        np.testing.assert_array_equal(co.uasc_on(data, snap["CHILD"], date), snap["uasc"].to_numpy())
        # one date per child gives the same answer as the single date
        np.testing.assert_array_equal(co.uasc_on(data, snap["CHILD"], [date] * len(snap)), snap["uasc"].to_numpy())
