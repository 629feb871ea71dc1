"""A parsed FIGURES.yml file (:class:`FigureSpec`) and the error raised for an unusable one."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import IroAnalysisError
from .numbers import Printed

__all__ = ["RECOMPUTABLE", "FiguresFileError", "FigureSpec"]


#: Figures that can be recomputed from an SSDA903 return (``recompute:`` in the YAML file).
RECOMPUTABLE = {
    "cla_31_march": "children in care at 31 March of the year (short-breaks-only periods excluded)",
    "starting": "children who started a period of care in the year (short-breaks-only excluded)",
    "ceasing": "children whose period of care ended in the year (short-breaks-only excluded)",
    "periods_starting": "periods of care starting in the year (short-breaks-only excluded)",
    "periods_ceasing": "periods of care ending in the year (short-breaks-only excluded)",
    "reviews_held": "reviews held in the year (statutory schedule)",
    "reviews_on_time": "reviews held in the year that were on time",
    "reviews_on_time_percent": "percentage of reviews held in the year that were on time",
}


class FiguresFileError(IroAnalysisError, ValueError):
    """A FIGURES.yml file cannot be used: the message names the file, line, entry and fix.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    file : str, optional
    line : int, optional
        1-based line in the file.
    entry : str, optional
        The entry concerned, e.g. ``tables[2] 'Table N' rows[3] 'PN2'``.
    """

    def __init__(self, message: str, *, file=None, line=None, entry=None):
        self.file = None if file is None else str(file)
        self.line = line
        self.entry = entry
        where = [w for w in (self.file, None if line is None else f"line {line}", entry) if w]
        super().__init__((", ".join(where) + ": " if where else "") + message)


@dataclass
class Cell:
    table: str
    row: str
    column: str
    line: int | None
    count: int | None = None
    percent: Printed | None = None
    of: str | None = None
    denominator: int | None = None
    in_total: bool = True
    is_total: bool = False
    recompute: str | None = None


@dataclass
class Table:
    name: str
    line: int | None
    columns: list[str]
    rows: list[str]
    cells: dict  # (row, column) -> Cell
    total: str | None = None
    percent_of: str | None = None
    additive: object = True  # bool, or the list of columns whose rows add up
    percent_sum: bool = True

    def adds_up(self, column: str) -> bool:
        return self.additive if isinstance(self.additive, bool) else column in self.additive

    def parts(self, column: str) -> list:
        return [self.cells[(r, column)] for r in self.rows if not self.cells[(r, column)].is_total and self.cells[(r, column)].in_total]


@dataclass
class Ref:
    """A reference to table cells or to another figure."""

    text: str
    table: str | None = None
    rows: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    figure: str | None = None


@dataclass
class Claim:
    id: str
    line: int | None
    value: Printed
    unit: str
    where: str = ""
    refers_to: list[Ref] = field(default_factory=list)
    numerator: object = None  # int, Printed (a decimal) or Ref
    denominator: object = None
    recompute: str | None = None
    bound: object = None  # figure_claims.Bound when printed as a range ("over 90")
    change: object = None  # figure_claims.Change when the value is a change from one figure to another


@dataclass
class Rate:
    id: str
    line: int | None
    rates: list[Printed | None]
    counts: list[object]  # int or Ref or None
    columns: list[str]
    population: object = None  # Fraction | None
    measure: str = "cla_31_march"
    year: int | None = None
    area: str | None = None
    where: str = ""


@dataclass
class NeighbourAverage:
    id: str
    line: int | None
    value: Printed
    measure: str = "cla_31_march"
    year: int | None = None
    models: list[str] = field(default_factory=lambda: ["2021", "2025"])
    where: str = ""


@dataclass
class FigureSpec:
    """A parsed FIGURES.yml file (see :func:`load_figures`)."""

    source: str
    report: str = ""
    authority: str | None = None
    year: int | None = None
    published: object = None  # datetime.date: DfE releases published later are not used
    tables: list[Table] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    neighbour_averages: list[NeighbourAverage] = field(default_factory=list)
    identities: list = field(default_factory=list)  # figure_claims.Identity

    def table(self, name: str) -> Table | None:
        for t in self.tables:
            if t.name == name:
                return t
        return None
