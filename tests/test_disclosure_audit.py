"""Suppression that survives differencing: hand-worked audits, and the LP against an integer oracle."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iro_analysis.disclosure_audit import Cell, CellSystem, audit, protect, required_width
from iro_analysis.errors import DisclosureError, ParameterError


def _system(values: dict, relations: list, totals=()) -> CellSystem:
    system = CellSystem()
    for key, value in values.items():
        system.add_cell(Cell(key, value, total=key in totals, where=key))
    for terms in relations:
        system.add_relation(terms)
    return system


def _interval(result, key):
    row = result.set_index("key").loc[key]
    return row["lower"], row["upper"]


def test_two_row_table_naive_suppression_is_recovered_and_protect_fixes_it():
    # "Male 7, Female c, Total 9": Female = 9 - 7 = 2 exactly (width 0 < 3).
    s = _system({"m": 7, "f": 2, "t": 9}, [{"m": 1, "f": 1, "t": -1}], totals={"t"})
    naive = audit(s, {"f"})
    assert _interval(naive, "f") == (2, 2) and not naive["safe"].all()
    hidden, result = protect(s)
    # Male is hidden too: m + f = 9 with both >= 1 gives f in [1, 8].
    assert hidden == {"m", "f"}
    assert _interval(result, "f") == (1, 8) and result["safe"].all()


def test_summary_identity_reveals_a_lone_hidden_flow():
    # start 20 + started 3 - ended 8 = end 15: with only "started" hidden, 3 = 15 - 20 + 8.
    s = _system({"start": 20, "started": 3, "ended": 8, "end": 15},
                [{"start": 1, "started": 1, "ended": -1, "end": -1}])
    assert _interval(audit(s, {"started"}), "started") == (3, 3)
    hidden, result = protect(s)
    # the smallest other figure (ended, 8) goes too: then started - ended = 15 - 20 = -5 is all that is
    # known, so started can be any value from 1 up (ended = started + 5): no upper bound.
    assert hidden == {"started", "ended"}
    assert result["safe"].all()


def test_two_by_two_block_with_all_margins_has_the_hand_worked_interval():
    # A: X=3, Y=10 (13); B: X=6, Y=2 (8); columns 9, 12. All four inner cells hidden.
    # AX = t, AY = 13 - t, BX = 9 - t, BY = t - 1; every cell >= 1 gives 2 <= t <= 8.
    values = {"AX": 3, "AY": 10, "BX": 6, "BY": 2, "A": 13, "B": 8, "X": 9, "Y": 12}
    relations = [{"AX": 1, "AY": 1, "A": -1}, {"BX": 1, "BY": 1, "B": -1},
                 {"AX": 1, "BX": 1, "X": -1}, {"AY": 1, "BY": 1, "Y": -1}]
    s = _system(values, relations, totals={"A", "B", "X", "Y"})
    result = audit(s, {"AX", "AY", "BX", "BY"})
    assert _interval(result, "AX") == (2, 8)
    assert _interval(result, "BY") == (1, 7)
    assert _interval(result, "AY") == (5, 11)
    assert result["safe"].all()


def test_an_implicit_cell_follows_from_two_tables():
    # All Black children 12 (table F); Black children excluding UASC 9 (ratio table): 3 Black UASC.
    s = CellSystem()
    s.add_cell(Cell("all", 12, where="F"))
    s.add_cell(Cell("non_uasc", 9, where="ratios"))
    s.add_cell(Cell("uasc", 3, displayed=False, where="not shown"))
    s.add_relation({"all": 1, "non_uasc": -1, "uasc": -1})
    naive = audit(s, set())
    assert _interval(naive, "uasc") == (3, 3) and not naive["safe"].any()
    hidden, result = protect(s)
    assert hidden == {"non_uasc"}  # the smaller of the two shown counts
    assert _interval(result, "uasc") == (0, 11)


def test_cost_keeps_headline_figures_and_hides_analysis_cells_first():
    s = CellSystem()
    s.add_cell(Cell("headline", 40, cost=100))
    s.add_cell(Cell("analysis", 65, cost=1))
    s.add_cell(Cell("implicit", 2, displayed=False))
    s.add_relation({"headline": 1, "analysis": -1, "implicit": 1}, constant=-23)
    assert protect(s)[0] == {"analysis"}


def test_relations_must_hold_and_same_key_must_agree():
    s = _system({"a": 1, "b": 2}, [])
    with pytest.raises(ParameterError, match="does not hold"):
        s.add_relation({"a": 1, "b": -1})
    with pytest.raises(ParameterError, match="published twice"):
        s.add_cell(Cell("a", 5, where="elsewhere"))


def test_nothing_left_to_hide_is_a_clear_refusal():
    # a + b = 2 where both are hidden and the 2 is a fixed constant, not a cell that could be hidden
    s = _system({"a": 1, "b": 1}, [])
    s.add_relation({"a": 1, "b": 1}, constant=2)
    with pytest.raises(DisclosureError, match="no further figure to hide"):
        protect(s)


def test_required_width_spans_the_suppression_band():
    assert required_width(5) == 3   # four possible values, like 1..4
    assert required_width(10) == 8


def _integer_interval(system, hidden, key):
    """Integer min and max by mixed-integer programming (an independent check of the LP)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    free = sorted(k for k, c in system.cells.items() if k in hidden or not c.displayed)
    position = {k: i for i, k in enumerate(free)}
    rows, rhs = [], []
    for relation in system.relations:
        row = np.zeros(len(free))
        constant = relation.constant
        for k, coefficient in relation.terms:
            if k in position:
                row[position[k]] += coefficient
            else:
                constant -= coefficient * system.cells[k].value
        if row.any():
            rows.append(row)
            rhs.append(constant)
    lower = [1.0 if system.cells[k].displayed else 0.0 for k in free]
    bounds = Bounds(lower, [1e6] * len(free))
    constraints = [LinearConstraint(np.array(rows), rhs, rhs)] if rows else []
    c = np.zeros(len(free))
    c[position[key]] = 1
    low = milp(c, constraints=constraints, integrality=np.ones(len(free)), bounds=bounds)
    high = milp(-c, constraints=constraints, integrality=np.ones(len(free)), bounds=bounds)
    return low.fun, -high.fun


@settings(max_examples=40)
@given(st.integers(2, 3), st.integers(2, 4), st.data())
def test_protected_two_way_tables_are_safe_and_the_lp_matches_integer_programming(n_rows, n_cols, data):
    cells = [[data.draw(st.integers(0, 9)) for _ in range(n_cols)] for _ in range(n_rows)]
    s = CellSystem()
    for i in range(n_rows):
        for j in range(n_cols):
            s.add_cell(Cell(f"c{i}{j}", cells[i][j]))
    for i in range(n_rows):
        s.add_cell(Cell(f"r{i}", sum(cells[i]), total=True))
        s.add_relation({**{f"c{i}{j}": 1 for j in range(n_cols)}, f"r{i}": -1})
    for j in range(n_cols):
        s.add_cell(Cell(f"k{j}", sum(row[j] for row in cells), total=True))
        s.add_relation({**{f"c{i}{j}": 1 for i in range(n_rows)}, f"k{j}": -1})
    s.add_cell(Cell("g", sum(map(sum, cells)), total=True))
    s.add_relation({**{f"r{i}": 1 for i in range(n_rows)}, "g": -1})
    try:
        hidden, result = protect(s)
    except DisclosureError:
        return  # a table too small to publish is refused, never published unsafely
    assert not any(0 < s.cells[k].value < 5 for k in s.cells if k not in hidden)
    assert result["safe"].all()
    # two-way tables with margins are totally unimodular: the LP interval is the integer interval
    for row in result.itertuples():
        lo, hi = _integer_interval(s, hidden, row.key)
        assert lo == pytest.approx(row.lower) and (hi == pytest.approx(row.upper) or hi > 1e5)
