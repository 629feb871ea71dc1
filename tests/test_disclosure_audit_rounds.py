"""protect's rounds carried over: the same hidden cells and audit as working every round afresh.

Each round of :func:`iro_analysis.disclosure_audit.protect` hides one more cell, which can only
widen intervals, so a cell found safe is not solved again until the last round, and the reduced
equations are updated rather than rebuilt. These tests hold that to rounds that start from
nothing each time (the audit as it was written first).
"""

import pytest
from hypothesis import given, settings
from pandas.testing import assert_frame_equal

from iro_analysis import disclosure_audit
from iro_analysis.disclosure_audit import Cell, CellSystem, protect
from iro_analysis.errors import DisclosureError

from test_disclosure_audit_solver import systems


class _EveryRoundAfresh(disclosure_audit._Rounds):
    """Nothing carried over: each round reduces the system again and solves every protected cell."""

    def start(self, system, hidden):
        self.reduction = None
        return super().start(system, hidden)


def _protect_afresh(system):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(disclosure_audit, "_Rounds", _EveryRoundAfresh)
        return protect(system)


def _same_outcome(system):
    try:
        expected = _protect_afresh(system)
    except DisclosureError as error:
        with pytest.raises(DisclosureError, match=str(error)[:40]):
            protect(system)
        return
    hidden, result = protect(system)
    assert hidden == expected[0]
    assert_frame_equal(result, expected[1], check_exact=True)


@settings(max_examples=150, deadline=None)
@given(systems())
def test_rounds_carried_over_hide_the_same_cells_with_the_same_intervals(case):
    system, _ = case
    _same_outcome(system)


def _two_by_three(values):
    system = CellSystem()
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            system.add_cell(Cell(f"c{i}{j}", value))
        system.add_cell(Cell(f"r{i}", sum(row), total=True))
    for j in range(len(values[0])):
        system.add_cell(Cell(f"k{j}", sum(row[j] for row in values), total=True))
    for i, row in enumerate(values):
        system.add_relation({**{f"c{i}{j}": 1 for j in range(len(row))}, f"r{i}": -1})
    for j in range(len(values[0])):
        system.add_relation({**{f"c{i}{j}": 1 for i in range(len(values))}, f"k{j}": -1})
    return system


def test_a_cell_found_safe_early_gets_its_final_interval():
    # rows 2 15 20 (37) and 3 2 2 (7); columns 5, 17, 22. c01 (15) is safe once c00, c01, c10 and
    # c11 are hidden: c10 + c11 = 7 - 2 = 5, so c11 <= 4 and c01 = 17 - c11 is in [13, 16]. The
    # last rounds hide c02 and c12 too; then c10 + c11 + c12 = 7 gives c11 <= 5, c01 in [12, 16].
    system = _two_by_three([[2, 15, 20], [3, 2, 2]])
    hidden, result = protect(system)
    assert hidden == {"c00", "c01", "c02", "c10", "c11", "c12"}
    intervals = result.set_index("key")[["lower", "upper"]].apply(tuple, axis=1).to_dict()
    assert intervals["c01"] == (12, 16)  # not the [13, 16] of the round it was first found safe
    assert intervals["c11"] == (1, 5) and intervals["c00"] == (1, 4)
    _same_outcome(system)


def test_a_synthetic_report_is_protected_as_with_every_round_afresh(synthetic_wokingham, tmp_path):
    from iro_analysis import authority_report
    from iro_analysis.report import validate_parameters
    from iro_analysis.ssda903 import load_ssda903

    params = validate_parameters("872", 2023, data_dir=synthetic_wokingham, output_dir=tmp_path)
    _same_outcome(authority_report.build(params, load_ssda903(synthetic_wokingham)).publication.system)
