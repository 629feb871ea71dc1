"""The audit's re-used HiGHS model gives what one linprog call per bound gives.

:func:`iro_analysis.disclosure_audit.audit` passes each connected component to HiGHS once and
re-solves it per objective, and reads cells that one equation fixes without solving. These tests
hold it to the plain formulation: every free cell of the whole system in one linear programme,
two :func:`scipy.optimize.linprog` calls per protected cell.
"""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from iro_analysis import disclosure_audit
from iro_analysis.disclosure_audit import Cell, CellSystem, audit, protect
from iro_analysis.errors import DisclosureError


def _plain_intervals(system, hidden, *, threshold=5):
    """The audit written out plainly: the whole system, no components, no cache, no shortcuts."""
    free = sorted(k for k, c in system.cells.items() if not c.displayed or k in hidden)
    position = {k: i for i, k in enumerate(free)}
    rows, rhs = [], []
    for relation in system.relations:
        row, constant = np.zeros(len(free)), relation.constant
        for key, coefficient in relation.terms:
            if key in position:
                row[position[key]] += coefficient
            else:
                constant -= coefficient * system.cells[key].value
        if row.any():
            rows.append(row)
            rhs.append(constant)
    bounds = [(1.0 if system.cells[k].displayed else 0.0, None) for k in free]
    out = {}
    for key in free:
        cell = system.cells[key]
        if not (key in hidden if cell.displayed else 0 < cell.value < threshold):
            continue
        if not rows:
            out[key] = (bounds[position[key]][0], np.inf)
            continue
        c = np.zeros(len(free))
        c[position[key]] = 1
        low = linprog(c, A_eq=np.array(rows), b_eq=rhs, bounds=bounds, method="highs")
        high = linprog(-c, A_eq=np.array(rows), b_eq=rhs, bounds=bounds, method="highs")
        if low.status == 2 or high.status == 2:
            raise DisclosureError("inconsistent")
        out[key] = (low.fun if low.status == 0 else bounds[position[key]][0],
                    -high.fun if high.status == 0 else np.inf)
    return out


def _plain_audit_rows(system, hidden, *, threshold=5, solved=None):
    """:func:`_plain_intervals` as the audit's rows, for :func:`protect` to run on."""
    rows = []
    for key, (lower, upper) in sorted(_plain_intervals(system, hidden, threshold=threshold).items()):
        lower, upper = round(lower, 6), round(upper, 6)
        rows.append({"key": key, "where": key, "value": system.cells[key].value, "lower": lower,
                     "upper": upper, "width": upper - lower, "safe": upper - lower >= 3 - 1e-9})
    return rows


@st.composite
def systems(draw):
    """Small systems like a report's: counts, some never shown, identities that hold, a hidden set."""
    n = draw(st.integers(2, 9))
    values = [draw(st.integers(0, 12)) for _ in range(n)]
    displayed = [draw(st.booleans()) or i == 0 for i in range(n)]
    system = CellSystem()
    for i in range(n):
        system.add_cell(Cell(f"x{i}", values[i], displayed=displayed[i], total=draw(st.booleans())))
    for _ in range(draw(st.integers(0, 5))):
        members = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=min(n, 5), unique=True))
        terms = {f"x{i}": float(draw(st.sampled_from([1, -1]))) for i in members}
        constant = sum(c * values[int(k[1:])] for k, c in terms.items())
        system.add_relation(terms, constant)  # holds by construction
    hidden = {f"x{i}" for i in range(n) if displayed[i] and values[i] > 0 and draw(st.booleans())}
    return system, hidden


@settings(max_examples=150)
@given(systems())
def test_audit_matches_one_linprog_per_bound_on_the_whole_system(case):
    system, hidden = case
    result = audit(system, hidden)
    expected = _plain_intervals(system, hidden)
    assert sorted(result["key"]) == sorted(expected)
    for row in result.itertuples():
        lower, upper = expected[row.key]
        assert row.lower == pytest.approx(lower, abs=1e-6)
        assert row.upper == pytest.approx(upper, abs=1e-6) if np.isfinite(upper) else row.upper == np.inf
        assert row.safe == (upper - lower >= 3 - 1e-6)


@settings(max_examples=60)
@given(systems())
def test_protect_hides_the_same_cells_as_with_the_plain_audit(case):
    system, _ = case
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(disclosure_audit, "_audit_rows", _plain_audit_rows)
        try:
            expected = protect(system)[0]
        except DisclosureError:
            expected = None
    try:
        hidden = protect(system)[0]
    except DisclosureError:
        hidden = None
    assert hidden == expected


def test_a_cell_fixed_by_one_equation_is_read_without_solving():
    # a + b = 9 and a + c = 5 with c shown as 3 (so the second row reduces to a = 2): a is 2
    # exactly, b = 9 - a = 7 exactly too, but only a LP finds b, from both rows.
    a_eq = np.array([[1.0, 1.0], [1.0, 0.0]])
    b_eq = np.array([9.0, 2.0])
    bounds = ((1.0, None), (1.0, None))
    assert disclosure_audit._fixed_values(a_eq, b_eq, bounds) == {0: 2.0}
    ranges = disclosure_audit._cell_ranges(a_eq, b_eq, bounds, [0, 1])
    assert ranges[0] == ((0, 2.0), (0, -2.0))
    assert ranges[1][0] == (0, pytest.approx(7.0)) and ranges[1][1] == (0, pytest.approx(-7.0))
    # a value below the cell's bound (a hidden count of 0) is left to the solver: infeasible
    assert disclosure_audit._fixed_values(a_eq, np.array([9.0, 0.0]), bounds) == {}
    assert disclosure_audit._cell_ranges(a_eq, np.array([9.0, 0.0]), bounds, [0])[0][0][0] == 2



def _fixed_values_row_by_row(a_eq, b_eq, bounds):
    """:func:`disclosure_audit._fixed_values` as first written: each row looked at in turn."""
    from collections import defaultdict

    fixed = defaultdict(list)
    for row, constant in zip(a_eq, b_eq):
        nonzero = np.flatnonzero(row)
        if len(nonzero) == 1:
            fixed[int(nonzero[0])].append(constant / row[nonzero[0]])
    return {index: values[0] for index, values in fixed.items()
            if values[0] >= bounds[index][0] - 1e-9 and np.allclose(values, values[0])}


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.data())
def test_fixed_values_equal_the_row_by_row_reading(n_rows, n_cols, data):
    coefficient = st.sampled_from([0.0, 0.0, 0.0, 1.0, -1.0, 2.0, -0.0])
    a_eq = np.array([[data.draw(coefficient) for _ in range(n_cols)] for _ in range(n_rows)])
    value = st.one_of(st.integers(-3, 12).map(float), st.sampled_from([2.0 + 1e-9, 2.0 + 1e-3, np.nan, np.inf]))
    b_eq = np.array([data.draw(value) for _ in range(n_rows)])
    bounds = tuple((data.draw(st.sampled_from([0.0, 1.0])), None) for _ in range(n_cols))
    got = disclosure_audit._fixed_values(a_eq, b_eq, bounds)
    expected = _fixed_values_row_by_row(a_eq, b_eq, bounds)
    assert list(got) == list(expected)
    assert all(got[k] == expected[k] and type(got[k]) is type(expected[k]) for k in got)

def test_an_inconsistent_system_is_still_refused():
    # two rows fixing the same hidden cell to 2 and to 3: no value satisfies both
    system = CellSystem()
    for key, value in {"a": 2, "b": 7, "c": 9}.items():
        system.add_cell(Cell(key, value))
    system.add_relation({"a": 1, "b": 1, "c": -1})
    system.add_relation({"a": 1, "c": -1}, -6, check=False)  # a = 3: does not hold
    with pytest.raises(DisclosureError, match="inconsistent"):
        audit(system, {"a"})


def test_when_highs_does_not_settle_each_bound_falls_back_to_linprog(monkeypatch):
    # A: X=3, Y=10 (13); B: X=6, Y=2 (8); columns 9, 12, all inner cells hidden: the hand-worked
    # intervals of test_disclosure_audit (AX in [2, 8], BY in [1, 7]) come from linprog instead.
    values = {"AX": 3, "AY": 10, "BX": 6, "BY": 2, "A": 13, "B": 8, "X": 9, "Y": 12}
    system = CellSystem()
    for key, value in values.items():
        system.add_cell(Cell(key, value))
    for terms in ({"AX": 1, "AY": 1, "A": -1}, {"BX": 1, "BY": 1, "B": -1},
                  {"AX": 1, "BX": 1, "X": -1}, {"AY": 1, "BY": 1, "Y": -1}):
        system.add_relation(terms)
    monkeypatch.setattr(disclosure_audit, "_solve", lambda solver: None)
    result = audit(system, {"AX", "AY", "BX", "BY"}).set_index("key")
    assert (result.loc["AX", "lower"], result.loc["AX", "upper"]) == (2, 8)
    assert (result.loc["BY", "lower"], result.loc["BY", "upper"]) == (1, 7)


def test_the_audit_prints_nothing():
    # in a kernel, anything written to the process's standard output lands in the report
    code = ("from iro_analysis.disclosure_audit import Cell, CellSystem, protect\n"
            "s = CellSystem()\n"
            "for k, v in {'a': 3, 'b': 12, 'c': 40, 't': 55}.items(): s.add_cell(Cell(k, v))\n"
            "s.add_relation({'a': 1, 'b': 1, 'c': 1, 't': -1})\n"
            "assert protect(s)[0] == {'a', 'b'}\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "" and done.stderr == ""


def test_a_synthetic_report_hides_the_same_cells_as_with_linprog(synthetic_wokingham, tmp_path, monkeypatch):
    """The report's own system: the same hidden set and audit as two linprog calls per cell give."""
    from iro_analysis import authority_report
    from iro_analysis.report import validate_parameters
    from iro_analysis.ssda903 import load_ssda903

    params = validate_parameters("872", 2023, data_dir=synthetic_wokingham, output_dir=tmp_path)
    system = authority_report.build(params, load_ssda903(synthetic_wokingham)).publication.system
    hidden, result = protect(system)
    # what the audit did before it re-used one model per component: linprog twice per cell
    monkeypatch.setattr(disclosure_audit, "_cell_ranges", lambda a_eq, b_eq, bounds, indices: {
        i: disclosure_audit._cell_range(a_eq, b_eq, bounds, i) for i in indices})
    hidden_linprog, result_linprog = protect(system)
    assert hidden == hidden_linprog
    assert len(hidden) > 50  # a real report's worth of secondary suppression
    assert result[["key", "lower", "upper", "safe"]].equals(result_linprog[["key", "lower", "upper", "safe"]])
