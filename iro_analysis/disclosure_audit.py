"""Suppression that survives differencing: joint protection and an interval audit.

A report publishes many tables whose cells are linked: a column adds up to its total, the same
count appears in two tables, "in care at the start + started - ended = in care at the end".
Hiding each small count on its own is not enough, because a hidden cell can often be worked back
from the others. This module treats every count of the report as one variable of a single system
of linear equations and asks, for every hidden cell, *which values are still possible given
everything published* — the audit that tau-Argus runs, done here with linear programming
(HiGHS, through ``highspy``).

Only free cells linked by relations constrain each other, so the system is split into its
connected components and each is solved on its own; a component that did not change since the
last round of :func:`protect` is not solved again. Within a component, a cell that one relation
fixes by itself (the relation's other cells are all shown) is known exactly without solving; the
others share one HiGHS model that is re-solved with only the objective changed, from the previous
optimal basis. The intervals are those of two :func:`scipy.optimize.linprog` calls per cell (the
tests hold the audit to that plain formulation), at about a tenth of the time.

Terms
-----
cell
    A count with a stable key (``"in_care:2023-03-31"``), its true value and whether it is
    displayed in a shareable table. Cells that are never displayed but follow from displayed
    ones (late reviews = reviews held - reviews on time; UASC children of one ethnic group) are
    *implicit* cells: they need protection just the same.
relation
    An exact linear identity between cells: ``sum(coefficient * cell) = constant``.
protected
    A hidden or implicit cell whose true value is between 1 and ``threshold - 1``, or a displayed
    cell hidden to protect one (secondary suppression).

Policy
------
The attacker knows every displayed value, every relation and the rule itself: a hidden displayed
cell is never 0 (zeros are always shown), an implicit cell is at least 0. A hidden cell is *safe*
when the interval of values consistent with all that is at least ``threshold - 2`` wide, so it
still spans as many values as the suppression band 1 to ``threshold - 1`` itself (four values for
the DfE threshold of 5). This follows the ONS/GSS guidance that a suppressed cell must not be
derivable "by differencing" from totals or linked tables (GSS, *Dealing with small numbers*;
ONS *Disclosure control guidance for tables produced from surveys*; DfE statistics suppression
policy, counts of 1 to 4 shown as "c").

:func:`protect` hides the smallest further cells until :func:`audit` finds no unsafe cell.
Integer constraints are relaxed (a linear programme), so the interval found is never narrower
than the integer one: the audit is conservative only in the direction of the attacker, which is
the standard practice of interval auditing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import DisclosureError, ParameterError

__all__ = ["Cell", "Relation", "CellSystem", "audit", "protect", "required_width"]


@dataclass
class Cell:
    """One count of a report.

    Attributes
    ----------
    key : str
        Stable name, shared by every table that shows the same count.
    value : float
        The true count (never published when hidden).
    displayed : bool
        Shown in a shareable table (hidden or not); False for implicit cells.
    total : bool
        A margin (total row or column): hidden only as a last resort.
    where : str
        Where it is shown, for messages ("table 'E Sex', row 'Male', column '31 Mar 2023'").
    cost : float
        How much readers lose when it is hidden, per unit of value (headline figures cost more):
        secondary suppression hides the cell of least ``value * cost``.
    """

    key: str
    value: float
    displayed: bool = True
    total: bool = False
    where: str = ""
    cost: float = 1.0


@dataclass(frozen=True)
class Relation:
    """``sum(coefficient * cell) == constant`` holds exactly for the true values."""

    terms: tuple[tuple[str, float], ...]
    constant: float = 0.0
    source: str = ""


def required_width(threshold: int) -> int:
    """Narrowest interval (max - min) allowed for a hidden cell: ``threshold - 2``, at least 1."""
    return max(1, int(threshold) - 2)


@dataclass
class CellSystem:
    """Every count of a report and the identities between them."""

    cells: dict[str, Cell] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)

    def add_cell(self, cell: Cell) -> Cell:
        """Add a cell, or merge it with the cell of the same key (which must hold the same value)."""
        existing = self.cells.get(cell.key)
        if existing is None:
            self.cells[cell.key] = cell
            return cell
        if not np.isclose(existing.value, cell.value):
            raise ParameterError(
                f"cell {cell.key!r} is published twice with different values ({existing.value:g} at "
                f"{existing.where}, {cell.value:g} at {cell.where}): two tables that should agree do not."
            )
        existing.displayed = existing.displayed or cell.displayed
        existing.total = existing.total or cell.total
        existing.cost = max(existing.cost, cell.cost)
        if cell.displayed and not existing.where:
            existing.where = cell.where
        return existing

    def add_relation(self, terms: Mapping[str, float] | Iterable[tuple[str, float]], constant: float = 0.0,
                     *, source: str = "", check: bool = True) -> Relation | None:
        """Add an identity between cells (keys must exist). Returns None for a trivial relation.

        With ``check=True`` (default) the identity must hold for the true values; a relation that
        does not hold is refused, because an attacker could not use it and it would make the
        audit wrong.
        """
        items = tuple((str(k), float(c)) for k, c in (terms.items() if isinstance(terms, Mapping) else terms) if c)
        unknown = [k for k, _ in items if k not in self.cells]
        if unknown:
            raise ParameterError(f"relation {source!r} names cells that do not exist: {unknown}.")
        if len(items) < 2:
            return None
        if check:
            lhs = sum(c * self.cells[k].value for k, c in items)
            if not np.isclose(lhs, constant):
                raise ParameterError(f"relation {source!r} does not hold ({lhs:g} != {constant:g}).")
        relation = Relation(items, float(constant), source)
        self.relations.append(relation)
        return relation


def _is_small(value: float, threshold: int) -> bool:
    return 0 < value < threshold


def primary_hidden(system: CellSystem, threshold: int) -> set[str]:
    """Displayed cells with a count from 1 to ``threshold - 1``."""
    return {k for k, c in system.cells.items() if c.displayed and _is_small(c.value, threshold)}


def _needs_protection(cell: Cell, hidden: set[str], threshold: int) -> bool:
    if cell.displayed:
        return cell.key in hidden
    return _is_small(cell.value, threshold)


def audit(system: CellSystem, hidden: set[str], *, threshold: int = 5, solved: dict | None = None) -> pd.DataFrame:
    """The interval of values each protected cell could take, given everything published.

    Parameters
    ----------
    system : CellSystem
    hidden : set of str
        Keys of displayed cells that are hidden.
    threshold : int, default 5
    solved : dict, optional
        Results of linear programs already solved, by program; :func:`protect` passes the same
        dict to every round, where most components of the system do not change.

    Returns
    -------
    DataFrame
        One row per cell needing protection: ``key, where, value, lower, upper, width, safe``.
        ``value`` is the true value (restricted information: never publish this frame).
    """
    return _audit_frame(_audit_rows(system, hidden, threshold=threshold, solved=solved))


_AUDIT_COLUMNS = ["key", "where", "value", "lower", "upper", "width", "safe"]


def _audit_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=_AUDIT_COLUMNS)


def _audit_rows(system: CellSystem, hidden: set[str], *, threshold: int, solved: dict | None) -> list[dict]:
    """:func:`audit` as a list of row dicts (``protect`` makes a frame only of the last round)."""
    width_needed = required_width(threshold)
    free = {k for k, c in system.cells.items() if (not c.displayed) or k in hidden}
    protected = sorted(k for k in free if _needs_protection(system.cells[k], hidden, threshold))
    protected_set = set(protected)
    rows: list[dict] = []
    if not protected:
        return rows
    # Substitute shown values; keep relations that still involve a free cell.
    reduced: list[tuple[dict[str, float], float]] = []
    for relation in system.relations:
        constant = relation.constant
        terms: dict[str, float] = {}
        for key, coefficient in relation.terms:
            if key in free:
                terms[key] = terms.get(key, 0.0) + coefficient
            else:
                constant -= coefficient * system.cells[key].value
        if terms:
            reduced.append((terms, constant))
    # Connected components of free cells through relations: each is solved on its own.
    parent = {k: k for k in free}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for terms, _ in reduced:
        keys = list(terms)
        for other in keys[1:]:
            parent[find(other)] = find(keys[0])
    by_component: dict[str, list[int]] = defaultdict(list)
    for index, (terms, _) in enumerate(reduced):
        by_component[find(next(iter(terms)))].append(index)
    members: dict[str, list[str]] = defaultdict(list)
    for k in sorted(free):
        members[find(k)].append(k)

    programs: dict[str, tuple] = {}
    solved = {} if solved is None else solved
    for key in protected:
        root = find(key)
        cell = system.cells[key]
        relations = by_component.get(root, [])
        if not relations:
            lower, upper = (1.0 if cell.displayed else 0.0), np.inf
        else:
            if root not in programs:
                programs[root] = _component_program(system, members[root], [reduced[i] for i in relations])
            position, a_eq, b_eq, bounds = programs[root]
            ranges = solved.setdefault((a_eq.shape, a_eq.tobytes(), b_eq.tobytes(), bounds), {})
            if position[key] not in ranges:
                # every protected cell of the component at once: one model, re-solved per objective
                wanted = [position[k] for k in members[root] if k in protected_set and position[k] not in ranges]
                ranges.update(_cell_ranges(a_eq, b_eq, bounds, wanted))
            (low_status, low), (high_status, high) = ranges[position[key]]
            if low_status == 2 or high_status == 2:
                raise DisclosureError(
                    f"the published figures around {cell.where or key} are inconsistent with each other "
                    "(no values satisfy them): a relation was declared that does not hold."
                )
            lower = low if low_status == 0 else (1.0 if cell.displayed else 0.0)
            upper = -high if high_status == 0 else np.inf
        lower, upper = round(lower, 6), round(upper, 6)
        # the width of the rounded interval: solver noise (1e-13) must not order cells of equal width
        width = upper - lower
        rows.append({"key": key, "where": cell.where or "(not shown; follows from shown figures)",
                     "value": cell.value, "lower": lower, "upper": upper,
                     "width": width, "safe": bool(width >= width_needed - 1e-9)})
    return rows


def _component_program(system: CellSystem, variables: list[str], relations: list) -> tuple:
    """The equality constraints and bounds of one connected component of free cells."""
    position = {k: i for i, k in enumerate(variables)}
    a_eq = np.zeros((len(relations), len(variables)))
    b_eq = np.zeros(len(relations))
    for r, (terms, constant) in enumerate(relations):
        for k, coefficient in terms.items():
            a_eq[r, position[k]] = coefficient
        b_eq[r] = constant
    bounds = tuple((1.0 if system.cells[k].displayed else 0.0, None) for k in variables)
    return position, a_eq, b_eq, bounds


#: Statuses of :func:`scipy.optimize.linprog`, which :func:`_cell_ranges` reports too.
_OPTIMAL, _INFEASIBLE, _UNBOUNDED = 0, 2, 3


def _cell_range(a_eq, b_eq, bounds, index: int) -> tuple[tuple[int, float], tuple[int, float]]:
    """(status, optimum) of minimising and of maximising (as minimising minus) one variable.

    The plain formulation, two calls of :func:`scipy.optimize.linprog`: what :func:`_cell_ranges`
    must agree with, and its fallback when the re-used model does not settle.
    """
    from scipy.optimize import linprog

    objective = np.zeros(a_eq.shape[1])
    objective[index] = 1.0
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=list(bounds), method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=list(bounds), method="highs")
    return (low.status, float(low.fun) if low.status == 0 else np.nan), \
        (high.status, float(high.fun) if high.status == 0 else np.nan)


def _fixed_values(a_eq, b_eq, bounds) -> dict[int, float]:
    """Variables that a single equation fixes on its own (the rest of the row is published).

    Such a cell is known exactly, so its interval needs no linear program. Only values that
    respect the cell's bound and on which every such equation agrees are returned; anything else
    is left to the solver, which reports the inconsistency.
    """
    fixed: dict[int, list[float]] = defaultdict(list)
    for row, constant in zip(a_eq, b_eq):
        nonzero = np.flatnonzero(row)
        if len(nonzero) == 1:
            fixed[int(nonzero[0])].append(constant / row[nonzero[0]])
    return {index: values[0] for index, values in fixed.items()
            if values[0] >= bounds[index][0] - 1e-9 and np.allclose(values, values[0])}


def _cell_ranges(a_eq, b_eq, bounds, indices) -> dict[int, tuple[tuple[int, float], tuple[int, float]]]:
    """:func:`_cell_range` for several variables of one program, from one HiGHS model.

    The model is passed to HiGHS once; each minimum and maximum then only changes the objective,
    and the primal simplex starts from the previous optimal basis, which stays feasible because
    the constraints do not change. This is the same linear programme as :func:`_cell_range`,
    solved by the same solver, at a small fraction of the cost of a fresh :func:`linprog` call
    (which checks its options, converts the matrix and runs presolve every time).
    """
    import highspy

    results: dict[int, tuple] = {}
    fixed = _fixed_values(a_eq, b_eq, bounds)
    n_rows, n_cols = a_eq.shape
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = n_cols, n_rows
    model.col_cost_ = np.zeros(n_cols)
    model.col_lower_ = np.array([low for low, _ in bounds], dtype=float)
    model.col_upper_ = np.full(n_cols, highspy.kHighsInf)
    model.row_lower_ = model.row_upper_ = np.asarray(b_eq, dtype=float)
    columns = np.nonzero(a_eq.T)  # column-wise storage: (column, row) of each coefficient
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_, model.a_matrix_.num_row_ = n_cols, n_rows
    model.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.count_nonzero(a_eq, axis=0))]).astype(np.int32)
    model.a_matrix_.index_ = columns[1].astype(np.int32)
    model.a_matrix_.value_ = a_eq.T[columns]
    # highspy._Highs is the solver itself; highspy.Highs adds a modelling layer whose first
    # instance prints a banner on the process's standard output (in a kernel: into the report).
    solver = highspy._Highs()
    for option, value in (("output_flag", False), ("presolve", "off"), ("solver", "simplex"),
                          ("simplex_strategy", 4), ("threads", 1)):  # 4: primal simplex
        solver.setOptionValue(option, value)
    solver.passModel(model)
    status = _solve(solver)  # feasibility first: a fixed cell's value is only true if some point exists
    if status == _INFEASIBLE:
        return {index: ((_INFEASIBLE, np.nan), (_INFEASIBLE, np.nan)) for index in indices}
    previous = None
    for index in indices:
        if status == _OPTIMAL and index in fixed:
            results[index] = ((_OPTIMAL, fixed[index]), (_OPTIMAL, -fixed[index]))
            continue
        bounds_found = []
        for sign in (1.0, -1.0):
            if previous is not None:
                solver.changeColCost(previous, 0.0)
            solver.changeColCost(index, sign)
            previous = index
            outcome = _solve(solver) if status == _OPTIMAL else None
            bounds_found.append((outcome, solver.getObjectiveValue() if outcome == _OPTIMAL else np.nan))
        if any(outcome is None for outcome, _ in bounds_found):
            results[index] = _cell_range(a_eq, b_eq, bounds, index)
        else:
            results[index] = tuple(bounds_found)
    return results


def _solve(solver) -> int | None:
    """Run HiGHS; the linprog status (optimal, infeasible, unbounded), or None for anything else."""
    import highspy

    if solver.run() != highspy.HighsStatus.kOk:
        return None
    return {highspy.HighsModelStatus.kOptimal: _OPTIMAL, highspy.HighsModelStatus.kInfeasible: _INFEASIBLE,
            highspy.HighsModelStatus.kUnbounded: _UNBOUNDED}.get(solver.getModelStatus())


def _relations_by_cell(system: CellSystem) -> dict[str, list[Relation]]:
    by_cell: dict[str, list[Relation]] = defaultdict(list)
    for relation in system.relations:
        for k, _ in relation.terms:
            by_cell[k].append(relation)
    return by_cell


def _pick_next(system: CellSystem, key: str, hidden: set[str], by_cell: dict | None = None) -> str | None:
    """The displayed, shown, non-zero cell to hide next to protect ``key``.

    Looks at the relations holding ``key``, then (breadth first) at relations of the other hidden
    cells they hold. Prefers non-total cells, then cells whose other relations already hold a hidden
    cell (so hiding them sets off no cascade), then the least ``value * cost`` (least lost).
    ``by_cell`` is :func:`_relations_by_cell` of the system, when the caller has it already.
    """
    if by_cell is None:
        by_cell = _relations_by_cell(system)
    seen, frontier = {key}, [key]
    while frontier:
        candidates = []
        next_frontier = []
        for k in frontier:
            for relation in by_cell.get(k, []):
                for other, _ in relation.terms:
                    cell = system.cells[other]
                    if other in seen:
                        continue
                    seen.add(other)
                    if cell.displayed and other not in hidden and cell.value > 0:
                        candidates.append(cell)
                    elif other in hidden or not cell.displayed:
                        next_frontier.append(other)
        if candidates:
            def new_lone_cells(cell) -> int:
                # relations in which this cell would be the only hidden one: each would need a
                # further secondary cell, so such a choice sets off a cascade of hidden figures
                return sum(1 for r in by_cell.get(cell.key, [])
                           if not any(k in hidden or not system.cells[k].displayed for k, _ in r.terms))

            best = min(candidates, key=lambda c: (c.total, new_lone_cells(c), c.value * c.cost, c.key))
            return best.key
        frontier = next_frontier
    return None


def protect(system: CellSystem, *, threshold: int = 5, max_rounds: int = 500) -> tuple[set[str], pd.DataFrame]:
    """Choose which displayed cells to hide so that no protected cell can be worked back.

    Primary suppression hides displayed counts of 1 to ``threshold - 1``; then, while the
    :func:`audit` finds an unsafe cell, the smallest shown cell linked to it is hidden too
    (secondary suppression), preferring ordinary cells to totals.

    Parameters
    ----------
    system : CellSystem
    threshold : int, default 5
    max_rounds : int, default 500

    Returns
    -------
    (set of str, DataFrame)
        Keys of hidden displayed cells, and the final audit (all rows ``safe``).

    Raises
    ------
    DisclosureError
        When a protected cell cannot be made safe (nothing left to hide), naming it.

    Examples
    --------
    A column of three counts and its total: 3 is hidden (primary), and 12 too, or else
    3 = 55 - 12 - 40.

    >>> s = CellSystem()
    >>> for k, v in {"a": 3, "b": 12, "c": 40, "t": 55}.items():
    ...     _ = s.add_cell(Cell(k, v, total=(k == "t")))
    >>> _ = s.add_relation({"a": 1, "b": 1, "c": 1, "t": -1})
    >>> sorted(protect(s)[0])
    ['a', 'b']
    """
    if threshold < 2:
        return set(), audit(system, set(), threshold=threshold)
    hidden = primary_hidden(system, threshold)
    solved: dict = {}  # most components are the same from one round to the next
    by_cell = _relations_by_cell(system)
    for _ in range(max_rounds):
        rows = _audit_rows(system, hidden, threshold=threshold, solved=solved)
        unsafe = [row for row in rows if not row["safe"]]
        if not unsafe:
            return hidden, _audit_frame(rows)
        added = False
        # narrowest first, in the order DataFrame.sort_values("width") gives (numpy's quicksort)
        order = np.argsort(np.array([row["width"] for row in unsafe], dtype=float), kind="quicksort")
        for index in order:
            pick = _pick_next(system, unsafe[index]["key"], hidden, by_cell)
            if pick is not None:
                hidden.add(pick)
                added = True
                break
        if not added:
            where = system.cells[unsafe[0]["key"]].where or unsafe[0]["key"]
            raise DisclosureError(
                f"{where}: a hidden count could be worked out from the other figures and there is "
                "no further figure to hide. Remove the table or merge categories."
            )
    raise DisclosureError("suppression did not settle; report this as a bug with the tables involved.")
