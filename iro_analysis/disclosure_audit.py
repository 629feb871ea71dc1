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
last round of :func:`protect` is not solved again, and since hiding a cell can only widen an
interval, a cell found safe is solved again only for the final audit. Within a component, a cell
that one relation fixes by itself (the relation's other cells are all shown) is known exactly
without solving; the others share one HiGHS model that is re-solved with only the objective
changed, from the previous optimal basis, and a minimum that an earlier solution already reaches
(the cell at its bound) is read, not solved. The intervals are those of two
:func:`scipy.optimize.linprog` calls per cell (the tests hold the audit to that plain
formulation), at about a twentieth of the time.

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

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import DisclosureError, ParameterError

__all__ = ["Cell", "Relation", "CellSystem", "audit", "close", "protect", "required_width"]


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


def close(a: float, b: float) -> bool:
    """``numpy.isclose(a, b)`` for two numbers, without the cost of an array call.

    >>> close(3.0, 3.0 + 1e-12), close(3.0, 3.1), close(float("inf"), float("inf"))
    (True, False, True)
    """
    a, b = float(a), float(b)
    return (abs(a - b) <= 1e-08 + 1e-05 * abs(b) and math.isfinite(b)) or a == b


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
        if not close(existing.value, cell.value):
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
            if not close(lhs, constant):
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


class _Reduction:
    """The audit's equations for one set of free cells, and their connected components.

    Shown values are substituted into every relation that still holds a free cell (``reduced``:
    relation index to ``(terms, constant)``); free cells linked by such a relation share a
    component, whose cells and relations are kept by its root cell. The free cells may only grow
    (:meth:`free_more`, one round of :func:`protect` after another): the relations holding a
    newly free cell are reduced again and components only merge, so a round updates the previous
    round's reduction instead of starting again, and only the components that merged change.
    """

    def __init__(self, system: CellSystem, free: set[str]):
        self.system = system
        self.free: set[str] = set()
        self.parent: dict[str, str] = {}
        self.cells_of: dict[str, list[str]] = {}  # root -> the component's free cells
        self.relations_of: dict[str, set[int]] = {}  # root -> the component's reduced relations
        self.reduced: dict[int, tuple[dict[str, float], float]] = {}
        self._relations_holding: dict[str, list[int]] | None = None
        self._add(free)
        for index in range(len(system.relations)):
            self._reduce(index)

    def find(self, k: str) -> str:
        """The root cell of ``k``'s component."""
        parent = self.parent
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def component(self, root: str) -> tuple[list[str], list[int]]:
        """A component's free cells (sorted) and relation indices (in the system's order)."""
        return sorted(self.cells_of[root]), sorted(self.relations_of[root])

    def _add(self, keys: Iterable[str]) -> list[str]:
        added = [k for k in keys if k not in self.free]
        for k in added:
            self.free.add(k)
            self.parent[k] = k
            self.cells_of[k] = [k]
            self.relations_of[k] = set()
        return added

    def _union(self, a: str, b: str) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[a] = b
            self.cells_of[b] += self.cells_of.pop(a)
            self.relations_of[b] |= self.relations_of.pop(a)

    def _reduce(self, index: int) -> None:
        relation = self.system.relations[index]
        constant = relation.constant
        terms: dict[str, float] = {}
        for key, coefficient in relation.terms:
            if key in self.free:
                terms[key] = terms.get(key, 0.0) + coefficient
            else:
                constant -= coefficient * self.system.cells[key].value
        if terms:
            self.reduced[index] = (terms, constant)
            keys = list(terms)
            for other in keys[1:]:
                self._union(other, keys[0])
            self.relations_of[self.find(keys[0])].add(index)

    def free_more(self, keys: Iterable[str]) -> set[str]:
        """Free more cells, reducing again only the relations that hold one; the changed roots."""
        if self._relations_holding is None:
            self._relations_holding = defaultdict(list)
            for index, relation in enumerate(self.system.relations):
                for key in dict(relation.terms):
                    self._relations_holding[key].append(index)
        added = self._add(keys)
        for index in sorted({i for k in added for i in self._relations_holding.get(k, ())}):
            self._reduce(index)
        return {self.find(k) for k in added}


class _Rounds(dict):
    """What :func:`protect` carries from one round of :func:`_audit_rows` to the next.

    A dict of solved programs like the ``solved`` argument of :func:`audit`, plus what makes the
    rounds cheap. Each round hides more cells, which only relaxes the linear programme: such a
    cell was fixed at its true value and is now free from its bound, which that value respects,
    so every earlier solution is still a solution and no interval can get narrower. A cell found
    safe stays safe, and until the last round its row is not worked out again (it keeps the
    earlier, perhaps narrower, interval, and ``provisional`` is set); :func:`protect` then asks
    for the exact intervals once, with ``exact`` set. The reduction of the system is updated
    rather than redone, a component that did not change keeps its rows, and each component's
    program is built once.
    """

    def __init__(self):
        super().__init__()
        self.exact = False
        self.provisional = False
        self.hidden: set[str] = set()
        self.rows: dict[str, dict] = {}  # key -> its row in the last round it was worked out
        self.safe: set[str] = set()  # keys proven safe
        self.changed: set[str] | None = None  # roots of the components changed since the last round
        self.programs: dict[tuple[str, ...], tuple] = {}  # a component's cells decide its program
        self.reduction: _Reduction | None = None

    def start(self, system: CellSystem, hidden: set[str]) -> _Reduction:
        """The reduction for this round; forget what the rule above does not carry over."""
        grows = self.reduction is not None and self.reduction.system is system and self.hidden <= hidden
        added = sorted(k for k in hidden - self.hidden if k in system.cells) if grows else []
        if not grows or any(system.cells[k].value < 1.0 for k in added):
            self.safe.clear()  # a cell shown again, or freed below its bound: intervals may narrow
        if grows:
            self.changed = self.reduction.free_more(added)
        else:
            self.rows.clear()
            self.programs.clear()
            self.changed = None  # everything
            self.reduction = _Reduction(system, {k for k, c in system.cells.items() if (not c.displayed) or k in hidden})
        self.hidden = set(hidden)
        self.provisional = False
        return self.reduction

    def row(self, key: str) -> dict | None:
        """The key's row of an earlier round, if this round would find the same (lazy rounds only)."""
        if self.exact:
            return None
        if key in self.safe:
            self.provisional = True
            return self.rows[key]  # no narrower now; the exact interval comes last
        if self.changed is not None and key in self.rows and self.reduction.find(key) not in self.changed:
            return self.rows[key]  # its component, its program and so its interval are as they were
        return None


def _audit_rows(system: CellSystem, hidden: set[str], *, threshold: int, solved: dict | None) -> list[dict]:
    """:func:`audit` as a list of row dicts (``protect`` makes a frame only of the last round).

    With a :class:`_Rounds` as ``solved`` (from :func:`protect`), the rows of cells proven safe in
    an earlier round are provisional unless ``solved.exact`` is set.
    """
    width_needed = required_width(threshold)
    rounds = solved if isinstance(solved, _Rounds) else None
    if rounds is not None:
        reduction = rounds.start(system, hidden)
    else:
        reduction = _Reduction(system, {k for k, c in system.cells.items() if (not c.displayed) or k in hidden})
    lazy = rounds is not None and not rounds.exact
    protected = sorted(k for k in reduction.free if _needs_protection(system.cells[k], hidden, threshold))
    rows: list[dict] = []
    if not protected:
        return rows
    protected_set = set(protected)

    # Connected components of free cells through relations: each is solved on its own.
    programs: dict[str, tuple] = {}
    solved = {} if solved is None else solved
    for key in protected:
        row = rounds.row(key) if rounds is not None else None
        if row is not None:
            rows.append(row)
            continue
        root = reduction.find(key)
        cell = system.cells[key]
        if not reduction.relations_of[root]:
            lower, upper = (1.0 if cell.displayed else 0.0), np.inf
        else:
            if root not in programs:
                members, relations = reduction.component(root)
                program = rounds.programs.get(tuple(members)) if rounds is not None else None
                if program is None:
                    program = _component_program(system, members, [reduction.reduced[i] for i in relations])
                    if rounds is not None:
                        rounds.programs[tuple(members)] = program
                programs[root] = members, program
            members, (position, a_eq, b_eq, bounds, program_key) = programs[root]
            ranges = solved.setdefault(program_key, {})
            if position[key] not in ranges:
                # every protected cell of the component at once: one model, re-solved per objective
                wanted = [position[k] for k in members if k in protected_set and position[k] not in ranges
                          and not (lazy and k in rounds.safe)]
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
        row = {"key": key, "where": cell.where or "(not shown; follows from shown figures)",
               "value": cell.value, "lower": lower, "upper": upper,
               "width": width, "safe": bool(width >= width_needed - 1e-9)}
        if rounds is not None:
            rounds.rows[key] = row
            if row["safe"]:
                rounds.safe.add(key)
        rows.append(row)
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
    # the key of its solved intervals: equal programs (whichever cells they are of) share them
    return position, a_eq, b_eq, bounds, (a_eq.shape, a_eq.tobytes(), b_eq.tobytes(), bounds)


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
    # the rows with one coefficient, found on the whole matrix (in row order, as a loop would)
    single = np.flatnonzero(np.count_nonzero(a_eq, axis=1) == 1)
    for row, index in zip(single.tolist(), np.argmax(a_eq[single] != 0, axis=1).tolist()):
        fixed[index].append(b_eq[row] / a_eq[row, index])
    # one equation agrees with itself (np.allclose of one value is "not NaN"): no call needed
    return {index: values[0] for index, values in fixed.items()
            if values[0] >= bounds[index][0] - 1e-9
            and (values[0] == values[0] if len(values) == 1 else np.allclose(values, values[0]))}


def _cell_ranges(a_eq, b_eq, bounds, indices) -> dict[int, tuple[tuple[int, float], tuple[int, float]]]:
    """:func:`_cell_range` for several variables of one program, from one HiGHS model.

    The model is passed to HiGHS once; each minimum and maximum then only changes the objective,
    and the primal simplex starts from the previous optimal basis, which stays feasible because
    the constraints do not change. This is the same linear programme as :func:`_cell_range`,
    solved by the same solver, at a small fraction of the cost of a fresh :func:`linprog` call
    (which checks its options, converts the matrix and runs presolve every time).

    A cell that some solution found on the way already holds at its bound (1 for a shown count,
    0 for an implicit one) has that bound as its minimum: that minimum is not solved for. Most
    hidden cells can be as small as the bound allows, so this saves about a third of the solves.
    """
    import highspy

    results: dict[int, tuple] = {}
    fixed = _fixed_values(a_eq, b_eq, bounds)
    n_rows, n_cols = a_eq.shape
    lowest = np.array([low for low, _ in bounds], dtype=float)
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = n_cols, n_rows
    model.col_cost_ = np.zeros(n_cols)
    model.col_lower_ = lowest
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
    unknown = {index for index in indices if index not in fixed}  # minima to be found
    at_bound: set[int] = set()  # of those, cells that a solution found so far holds at their bound

    def solve() -> int | None:
        outcome = _solve(solver)
        if outcome == _OPTIMAL and unknown:
            values = solver.getSolution().col_value
            found = {index for index in unknown if values[index] <= lowest[index] + 1e-9}
            at_bound.update(found)
            unknown.difference_update(found)
        return outcome

    status = solve()  # feasibility first: a fixed cell's value is only true if some point exists
    if status == _INFEASIBLE:
        return {index: ((_INFEASIBLE, np.nan), (_INFEASIBLE, np.nan)) for index in indices}
    previous = None
    for index in indices:
        if status == _OPTIMAL and index in fixed:
            results[index] = ((_OPTIMAL, fixed[index]), (_OPTIMAL, -fixed[index]))
            continue
        bounds_found = []
        unknown.discard(index)
        for sign in (1.0, -1.0):
            if sign > 0 and status == _OPTIMAL and index in at_bound:
                bounds_found.append((_OPTIMAL, float(lowest[index])))  # no solution can go lower
                continue
            if previous is not None:
                solver.changeColCost(previous, 0.0)
            solver.changeColCost(index, sign)
            previous = index
            outcome = solve() if status == _OPTIMAL else None
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
    solved = _Rounds()  # most components are the same from one round to the next
    by_cell = _relations_by_cell(system)
    for _ in range(max_rounds):
        rows = _audit_rows(system, hidden, threshold=threshold, solved=solved)
        unsafe = [row for row in rows if not row["safe"]]
        if not unsafe:
            if solved.provisional:  # safe rows of earlier rounds: now their exact intervals
                solved.exact = True
                rows = _audit_rows(system, hidden, threshold=threshold, solved=solved)
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
