"""What a reference in a FIGURES.yml file stands for: a cell's denominator, a figure's value."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .numbers import Printed, _fmt
from .spec import Cell, FigureSpec, Table


def _where_cell(cell: Cell) -> str:
    return f"{cell.table} / {cell.row}" + (f" / {cell.column}" if cell.column else "")


def _denominator(table: Table, cell: Cell) -> tuple[int | None, str]:
    if cell.denominator is not None:
        return cell.denominator, str(cell.denominator)
    label = cell.of or table.percent_of
    if label is None or label == cell.row:
        return None, ""
    if label == "sum" and label not in table.rows:
        counts = [c.count for c in table.parts(cell.column)]
        if any(c is None for c in counts):
            return None, ""
        return sum(counts), "sum of rows"
    den = table.cells[(label, cell.column)].count
    return den, label


@dataclass
class _Value:
    """What a reference resolves to."""

    text: str
    count: int | None = None
    exact_percent: Fraction | None = None
    printed_percent: Printed | None = None
    printed: Printed | None = None  # another claim's value
    unit: str | None = None
    arith: str = ""
    den: int | None = None


def _resolve(spec: FigureSpec, ref) -> _Value | None:
    if isinstance(ref, int):
        return _Value(text=str(ref), count=ref, unit="count")
    if isinstance(ref, Printed):
        return _Value(text=ref.text, printed=ref, unit="number")
    if ref.figure is not None:
        claim = next(c for c in spec.claims if c.id == ref.figure)
        val = _Value(text=f"'{claim.id}'" + (f" ({claim.where})" if claim.where else ""), unit=claim.unit)
        if claim.bound is not None or claim.change is not None:
            return val  # a range or a change is not a figure to compare with
        val.printed = claim.value
        if claim.unit == "count" and claim.value.value.denominator == 1:
            val.count = int(claim.value.value)
        if claim.unit == "percent" and claim.numerator is not None:
            num, den = _resolve(spec, claim.numerator), _resolve(spec, claim.denominator)
            if num and den and num.count is not None and den.count:
                val.exact_percent = Fraction(100 * num.count, den.count)
                val.arith = f"{num.count} / {den.count} = {_fmt(val.exact_percent)}%"
        return val
    table = spec.table(ref.table)
    cells = [table.cells[(r, c)] for r in ref.rows for c in ref.columns]
    val = _Value(text=ref.text, unit="count")
    counts = [c.count for c in cells]
    if all(x is not None for x in counts):
        val.count = sum(counts)
        if len(cells) > 1:
            val.arith = " + ".join(map(str, counts)) + f" = {val.count}"
    if len(cells) == 1:
        cell = cells[0]
        val.printed_percent = cell.percent
        den, _ = _denominator(table, cell)
        if cell.count is not None and den:
            val.exact_percent = Fraction(100 * cell.count, den)
            val.arith = f"{cell.count} / {den} = {_fmt(val.exact_percent)}%"
            val.den = den
    return val
