"""Checks on the figures printed in a published report (``iro-analysis check-figures``).

An analyst transcribes a report's tables and figures into a small YAML file (the format is
described in ``docs/figures.md`` in the project); :func:`check_figures` then checks that the
report agrees with itself, with the published DfE tables and, optionally, with the authority's
own SSDA903 return:

- ``percent_count``: each printed percentage against its count and denominator, at the
  rounding implied by the decimals printed;
- ``percent_rows_swapped``: percentages that fit the counts only after moving them between
  rows;
- ``row_sum`` and ``percent_sum``: rows against their printed total, percentages against 100;
- ``figure_mismatch``: the same figure stated twice with different values (text and table);
- ``rate_population``, ``rate_series``, ``rate_dfe``: rates per 10,000 against their count and
  population, against each other, and against DfE's published figures;
- ``neighbour_average``: statistical-neighbour averages recomputed from DfE's tables for every
  year, release and neighbour model available;
- ``recomputed``: figures recomputed from the return (``data=``);
- ``percent_split`` (:mod:`.figure_splits`): percentages printed without counts against the
  printed total;
- ``change``, ``change_direction``, ``identity`` and ranges (:mod:`.figure_claims`);
- ``nothing_to_check``: every entry no other check covered, with the reason.

DfE comparisons use only the releases available when the report was ``published``
(:mod:`.figure_releases`), and a year none of them covers is not checked.

Every result is a row of the findings table (:data:`~iro_analysis.quality.FINDING_COLUMNS`)
plus the columns in :data:`EXTRA_COLUMNS`. Passed checks are kept as ``info`` rows with status
``"ok"`` so that the output shows the working; only ``error`` and ``warning`` rows (status
``"inconsistent"``) make :func:`run_check_figures` exit with status 1.

Rounding rule
-------------
A figure printed with ``d`` decimals, ``p``, is consistent with an exact value ``x`` when ``x``
rounds half up to ``p``: ``p - h <= x < p + h`` with ``h = 0.5 × 10^-d``. At an exact tie
(``x = p + h``, e.g. 1/8 = 12.5% printed 12) rounding down (Python's and banker's rounding) is
accepted too. A printed figure equal to ``x`` *truncated* to ``d`` decimals (15.6% printed 15)
is reported as a ``warning`` (status inconsistent): truncation is a convention some systems
use, but readers assume rounding. Anything else is an ``error``. All arithmetic on counts is
exact (:class:`fractions.Fraction`), so 410/435 is never misjudged by binary floating point.
"""

from __future__ import annotations

import difflib
import io
import json
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import pandas as pd

from ..errors import IroAnalysisError, ParameterError, ReferenceDataError
from .figure_releases import later_text, parse_published, usable_releases, years_text
from .findings import FINDING_COLUMNS, make_findings

__all__ = [
    "EXTRA_COLUMNS",
    "RECOMPUTABLE",
    "FiguresFileError",
    "Printed",
    "FigureSpec",
    "load_figures",
    "parse_figures",
    "check_figures",
    "format_figures_text",
    "run_check_figures",
]

#: Columns added to the findings table by :func:`check_figures`, after the core ones.
EXTRA_COLUMNS = ("status", "figure_id", "row_label", "expected", "reported")

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

_TOP_KEYS = ("report", "authority", "year", "published", "tables", "claims", "rates", "neighbour_averages", "identities")
_TABLE_KEYS = ("name", "title", "columns", "total", "percent_of", "additive", "percent_sum", "decimals", "rows", "note")
_ROW_KEYS = ("label", "count", "percent", "decimals", "of", "denominator", "in_total", "recompute", "note")
_CLAIM_KEYS = ("id", "text", "where", "value", "unit", "decimals", "refers_to", "numerator", "denominator", "recompute",
               "change", "from", "to", "direction", "note")
_RATE_KEYS = ("id", "text", "where", "rate", "count", "population", "measure", "year", "area", "columns", "decimals", "note")
_SN_KEYS = ("id", "text", "where", "value", "measure", "year", "models", "decimals", "note")
_UNITS = ("percent", "count", "rate_per_10k", "number")
_MEASURES = ("cla_31_march", "starting", "ceasing")
_MEASURE_TEXT = {
    "cla_31_march": "children looked after at 31 March",
    "starting": "children starting to be looked after",
    "ceasing": "children ceasing to be looked after",
}


# --------------------------------------------------------------------------------------------
# errors


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


# --------------------------------------------------------------------------------------------
# YAML with line numbers and printed decimals kept


class _Map(dict):
    """A YAML mapping remembering its line and the line of each value."""

    line: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}


class _Num(float):
    """A YAML float remembering how it was written (``47.10`` keeps its two decimals)."""

    text: str = ""


def _yaml_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        loader.flatten_mapping(node)
        out = _Map()
        out.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"unusable key {key!r}", key_node.start_mark
                )
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in the same entry", key_node.start_mark
                )
            out[key] = loader.construct_object(value_node, deep=True)
            out.lines[key] = value_node.start_mark.line + 1
        return out

    def floating(loader, node):
        num = _Num(loader.construct_yaml_float(node))
        num.text = str(node.value)
        return num

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor("tag:yaml.org,2002:float", floating)
    return Loader


# --------------------------------------------------------------------------------------------
# printed numbers


@dataclass(frozen=True)
class Printed:
    """A number as printed: exact value, decimals shown and the original text.

    Examples
    --------
    >>> p = Printed.parse("47.10")
    >>> p.decimals, float(p.value), p.text
    (2, 47.1, '47.10')
    >>> Printed.parse("94%").decimals
    0
    """

    value: Fraction
    decimals: int
    text: str

    @classmethod
    def parse(cls, raw, decimals=None) -> Printed:
        if isinstance(raw, bool) or raw is None:
            raise ValueError(f"{raw!r} is not a number")
        if isinstance(raw, _Num):
            text = raw.text
        elif isinstance(raw, float):
            text = repr(raw)
        else:
            text = str(raw)
        clean = text.strip().rstrip("%").strip().replace(",", "")
        try:
            dec = Decimal(clean)
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a number") from None
        if not dec.is_finite():
            raise ValueError(f"{text!r} is not a finite number")
        shown = max(0, -int(dec.as_tuple().exponent))
        return cls(Fraction(dec), shown if decimals is None else int(decimals), clean)

    @property
    def half(self) -> Fraction:
        return Fraction(1, 2 * 10**self.decimals)

    def judge(self, exact: Fraction) -> str:
        """``"ok"``, ``"tie"`` (exact half rounded down), ``"truncated"`` or ``"mismatch"``."""
        lo, hi = self.value - self.half, self.value + self.half
        if lo <= exact < hi:
            return "ok"
        if exact == hi:
            return "tie"
        if self.value <= exact < self.value + 2 * self.half:
            return "truncated"
        return "mismatch"

    def interval(self) -> tuple[Fraction, Fraction]:
        return self.value - self.half, self.value + self.half

    def __str__(self) -> str:
        return self.text


def _fmt(x, decimals: int = 2) -> str:
    return f"{float(x):,.{decimals}f}".replace(",", "")


def _round_half_up(x: Fraction, decimals: int) -> Fraction:
    scale = 10**decimals
    return Fraction(int(x * scale + Fraction(1, 2)) if x >= 0 else -int(-x * scale + Fraction(1, 2)), scale)


def _show_exact(x: Fraction, printed: Printed | None = None) -> str:
    d = max(2, (printed.decimals + 2) if printed else 2)
    return _fmt(x, d)


# --------------------------------------------------------------------------------------------
# the parsed specification


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


class _Ctx:
    """Where we are while parsing, for error messages."""

    def __init__(self, file):
        self.file = file

    def fail(self, message, *, line=None, entry=None):
        raise FiguresFileError(message, file=self.file, line=line, entry=entry)


def _line(obj, key=None):
    if isinstance(obj, _Map):
        if key is not None and key in obj.lines:
            return obj.lines[key]
        return obj.line
    return None


def _check_keys(ctx, obj, allowed, entry):
    for key in obj:
        if key not in allowed:
            near = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" Did you mean '{near[0]}'?" if near else f" Allowed keys: {', '.join(allowed)}."
            ctx.fail(f"unknown key '{key}'.{hint}", line=_line(obj, key), entry=entry)


def _as_map(ctx, obj, entry, line=None):
    if not isinstance(obj, dict):
        ctx.fail(
            f"expected a mapping (key: value lines), got {type(obj).__name__} {obj!r}.",
            line=line,
            entry=entry,
        )
    return obj


def _year(ctx, raw, entry, line):
    """A year ending 31 March from 2023, "2022-23", "2022/23" or a date."""
    if raw is None:
        return None
    if hasattr(raw, "year") and hasattr(raw, "month"):
        return raw.year if raw.month <= 3 else raw.year + 1
    text = str(raw).strip()
    m = re.fullmatch(r"(\d{4})", text)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"(\d{4})\s*[-/–]\s*(\d{2}|\d{4})", text)
    if m:
        start = int(m.group(1))
        end = m.group(2)
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year == start + 1:
            return end_year
    ctx.fail(
        f"year {raw!r} is not understood; write the year ending 31 March (2023) or a label such as 2022-23.",
        line=line,
        entry=entry,
    )


def _count(ctx, raw, entry, line, what="count"):
    if raw is None:
        return None
    if isinstance(raw, bool):
        ctx.fail(f"{what} {raw!r} is not a whole number.", line=line, entry=entry)
    if isinstance(raw, int):
        value = raw
    else:
        try:
            p = Printed.parse(raw)
        except ValueError:
            ctx.fail(f"{what} {raw!r} is not a number; write it as printed, e.g. 435 (or null if blank).", line=line, entry=entry)
        if p.value.denominator != 1:
            ctx.fail(f"{what} {raw!r} is not a whole number.", line=line, entry=entry)
        value = int(p.value)
    if value < 0:
        ctx.fail(f"{what} {raw!r} is negative.", line=line, entry=entry)
    return value


def _printed(ctx, raw, entry, line, decimals=None, what="value"):
    if raw is None:
        return None
    try:
        return Printed.parse(raw, decimals)
    except ValueError:
        ctx.fail(f"{what} {raw!r} is not a number; copy it as printed, e.g. 94 or 95.4 or '47.10'.", line=line, entry=entry)


def _per_column(ctx, obj, key, ncols, entry):
    """A row value: a scalar for one column, or a list with one value per column."""
    raw = obj.get(key)
    line = _line(obj, key)
    if isinstance(raw, list):
        if len(raw) != ncols:
            ctx.fail(
                f"{key} has {len(raw)} value(s) but the table has {ncols} column(s); give one value per "
                "column (null for a blank cell).",
                line=line,
                entry=entry,
            )
        return list(raw), line
    if ncols != 1 and raw is not None:
        ctx.fail(
            f"{key} is a single value but the table has {ncols} columns; give a list with one value per column.",
            line=line,
            entry=entry,
        )
    return [raw] * ncols, line


def _parse_ref(ctx, raw, entry, line) -> Ref:
    if isinstance(raw, dict):
        _check_keys(ctx, raw, ("table", "row", "rows", "column", "columns", "figure"), entry + " refers_to")
        if raw.get("figure") is not None:
            return Ref(text=str(raw["figure"]), figure=str(raw["figure"]))
        if raw.get("table") is None:
            ctx.fail("refers_to needs 'table' (with 'row' or 'rows') or 'figure'.", line=line, entry=entry)
        rows = raw.get("rows", [raw.get("row")] if raw.get("row") is not None else [])
        cols = raw.get("columns", [raw.get("column")] if raw.get("column") is not None else [])
        if not isinstance(rows, list) or not isinstance(cols, list):
            ctx.fail("refers_to rows/columns must be lists.", line=line, entry=entry)
        rows = [str(r) for r in rows]
        cols = [str(c) for c in cols]
        text = f"{raw['table']} / {' + '.join(rows)}" + (f" / {' + '.join(cols)}" if cols else "")
        return Ref(text=text, table=str(raw["table"]), rows=rows, columns=cols)
    if isinstance(raw, (str, int)):
        text = str(raw).strip()
        parts = [p.strip() for p in text.split(" / ")]
        if len(parts) == 1:
            return Ref(text=text, figure=text)
        if len(parts) in (2, 3):
            return Ref(text=text, table=parts[0], rows=[parts[1]], columns=parts[2:3])
    ctx.fail(
        f"refers_to {raw!r} is not understood; write 'TABLE / ROW' or 'TABLE / ROW / COLUMN' (spaces "
        "around each /), another figure's id, or a mapping {table:, row:|rows:, column:|columns:}.",
        line=line,
        entry=entry,
    )


def _parse_table(ctx, raw, index, seen) -> Table:
    entry = f"tables[{index + 1}]"
    raw = _as_map(ctx, raw, entry)
    if raw.get("name") in (None, ""):
        ctx.fail("every table needs a name, e.g. 'name: Table M'.", line=_line(raw), entry=entry)
    name = str(raw["name"])
    entry = f"tables[{index + 1}] '{name}'"
    _check_keys(ctx, raw, _TABLE_KEYS, entry)
    if name in seen:
        ctx.fail(f"a table named '{name}' is already defined; give each table a distinct name.", line=_line(raw, "name"), entry=entry)
    cols_raw = raw.get("columns")
    if cols_raw is None:
        columns = [""]
    elif isinstance(cols_raw, list) and cols_raw:
        columns = [str(c) for c in cols_raw]
        if len(set(columns)) != len(columns):
            ctx.fail("column names must be distinct.", line=_line(raw, "columns"), entry=entry)
    else:
        ctx.fail("columns must be a non-empty list of column headings.", line=_line(raw, "columns"), entry=entry)
    rows_raw = raw.get("rows")
    if not isinstance(rows_raw, list) or not rows_raw:
        ctx.fail("rows must be a non-empty list of rows, each with a label.", line=_line(raw, "rows") or _line(raw), entry=entry)
    total = raw.get("total")
    table_dec = raw.get("decimals")
    rows_in = list(rows_raw)
    total_label = None
    if isinstance(total, dict):
        total = _Map(total) if not isinstance(total, _Map) else total
        if total.get("label") is None:
            total["label"] = "Total"
        rows_in = [total, *rows_in]
        total_label = str(total["label"])
    elif total is not None:
        total_label = str(total)
    cells: dict = {}
    labels: list[str] = []
    for j, row in enumerate(rows_in):
        rentry = f"{entry} rows[{j + 1}]" if not (total_label and isinstance(raw.get("total"), dict) and j == 0) else f"{entry} total"
        row = _as_map(ctx, row, rentry, _line(raw, "rows"))
        if row.get("label") in (None, ""):
            ctx.fail("every row needs a label, e.g. 'label: PN1'.", line=_line(row), entry=rentry)
        label = str(row["label"])
        rentry = f"{rentry} '{label}'"
        _check_keys(ctx, row, _ROW_KEYS, rentry)
        if label in labels:
            ctx.fail(f"row label '{label}' is used twice in this table; make labels distinct.", line=_line(row), entry=rentry)
        labels.append(label)
        counts, cline = _per_column(ctx, row, "count", len(columns), rentry)
        pcts, pline = _per_column(ctx, row, "percent", len(columns), rentry)
        dec_raw = row.get("decimals", table_dec)
        if isinstance(dec_raw, list):
            decs, _ = _per_column(ctx, row, "decimals", len(columns), rentry)
        else:
            decs = [dec_raw] * len(columns)
        for d in decs:
            if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0 or d > 6):
                ctx.fail(f"decimals {d!r} must be a whole number 0-6.", line=_line(row, "decimals"), entry=rentry)
        dens, dline = _per_column(ctx, row, "denominator", len(columns), rentry)
        of = row.get("of")
        in_total = row.get("in_total", True)
        if not isinstance(in_total, bool):
            ctx.fail("in_total must be true or false.", line=_line(row, "in_total"), entry=rentry)
        rec = row.get("recompute")
        if rec is not None:
            if rec not in RECOMPUTABLE:
                ctx.fail(f"recompute '{rec}' is not known; use one of {', '.join(RECOMPUTABLE)}.", line=_line(row, "recompute"), entry=rentry)
            if len(columns) != 1:
                ctx.fail("recompute on a row needs a one-column table; use a claim with refers_to for one cell.", line=_line(row, "recompute"), entry=rentry)
        for k, col in enumerate(columns):
            centry = rentry + (f" column '{col}'" if col else "")
            cells[(label, col)] = Cell(
                table=name,
                row=label,
                column=col,
                line=_line(row, "count") or _line(row, "percent") or _line(row),
                count=_count(ctx, counts[k], centry, cline),
                percent=_printed(ctx, pcts[k], centry, pline, decs[k], "percent"),
                of=None if of is None else str(of),
                denominator=_count(ctx, dens[k], centry, dline, "denominator"),
                in_total=in_total,
                is_total=(label == total_label),
                recompute=rec,
            )
    if total_label is not None and total_label not in labels:
        ctx.fail(f"total '{total_label}' is not one of the row labels ({', '.join(labels)}).", line=_line(raw, "total"), entry=entry)
    percent_of = raw.get("percent_of", total_label)
    if percent_of is not None and str(percent_of) not in labels and str(percent_of) != "sum":
        ctx.fail(
            f"percent_of '{percent_of}' is not one of the row labels; name a row, or write 'sum' for the "
            "sum of the rows in each column.",
            line=_line(raw, "percent_of"),
            entry=entry,
        )
    for cell in cells.values():
        if cell.of is not None and cell.of not in labels:
            ctx.fail(f"of: '{cell.of}' is not one of the row labels ({', '.join(labels)}).", line=cell.line, entry=f"{entry} row '{cell.row}'")
    additive = raw.get("additive", True)
    if isinstance(additive, list):
        # Only some columns add up (e.g. episodes do, distinct children need not).
        bad = [str(c) for c in additive if str(c) not in columns]
        if bad:
            ctx.fail(f"additive names unknown column(s) {', '.join(bad)}; columns: {', '.join(columns)}.", line=_line(raw, "additive"), entry=entry)
        additive = [str(c) for c in additive]
    elif not isinstance(additive, bool):
        ctx.fail("additive must be true, false or a list of the columns whose rows add up.", line=_line(raw, "additive"), entry=entry)
    psum = raw.get("percent_sum", additive is not False)
    if not isinstance(psum, bool):
        ctx.fail("percent_sum must be true or false.", line=_line(raw, "percent_sum"), entry=entry)
    return Table(
        name=name,
        line=_line(raw),
        columns=columns,
        rows=labels,
        cells=cells,
        total=total_label,
        percent_of=None if percent_of is None else str(percent_of),
        additive=additive,
        percent_sum=psum,
    )


def _ref_or_count(ctx, raw, entry, line, what, decimals_ok=False):
    if raw is None:
        return None
    if isinstance(raw, (dict,)) or (isinstance(raw, str) and " / " in raw):
        return _parse_ref(ctx, raw, entry, line)
    if decimals_ok and not isinstance(raw, (bool, int)):
        # "12.5 FTE of 40": a decimal is kept as printed and taken at its rounding.
        p = _printed(ctx, raw, entry, line, what=what)
        if p.value < 0:
            ctx.fail(f"{what} {raw!r} is negative.", line=line, entry=entry)
        return int(p.value) if p.decimals == 0 and p.value.denominator == 1 else p
    return _count(ctx, raw, entry, line, what)


def _where(obj) -> str:
    parts = [str(obj[k]) for k in ("where", "text") if obj.get(k)]
    return " ".join(parts[:1])


def _open_entry(ctx, raw, section, index, keys, ids, what, example, unique=""):
    """Check one id-keyed entry (claim, rate, neighbour average); return (raw, id, entry).

    The id must be present and unused across ``ids`` (which gains it); ``entry`` names the entry
    in later messages, with its id once known.
    """
    entry = f"{section}[{index + 1}]"
    raw = _as_map(ctx, raw, entry)
    eid = raw.get("id")
    if eid in (None, ""):
        ctx.fail(f"every {what} needs an id, e.g. '{example}'.", line=_line(raw), entry=entry)
    entry = f"{section}[{index + 1}] '{eid}'"
    _check_keys(ctx, raw, keys, entry)
    if str(eid) in ids:
        ctx.fail(f"id '{eid}' is already used; ids must be unique{unique}.", line=_line(raw, "id"), entry=entry)
    ids.add(str(eid))
    return raw, eid, entry


def _parse_claim(ctx, raw, index, ids) -> Claim:
    raw, cid, entry = _open_entry(ctx, raw, "claims", index, _CLAIM_KEYS, ids, "claim", "id: timeliness_text",
                                  " across claims, rates and neighbour_averages")
    from . import figure_claims as fc

    if raw.get("value") is None:
        ctx.fail("a claim needs the value as printed, e.g. 'value: 95.4'.", line=_line(raw), entry=entry)
    change = None
    unit = raw.get("unit")
    if any(k in raw for k in ("change", "from", "to", "direction")):
        change, unit = fc.parse_change(ctx, raw, entry)
    if unit is None and isinstance(raw["value"], str) and raw["value"].strip().endswith("%"):
        unit = "percent"
    if unit not in _UNITS:
        ctx.fail(f"unit must be one of {', '.join(_UNITS)} (got {unit!r}).", line=_line(raw, "unit") or _line(raw), entry=entry)
    bound = fc.parse_bound(raw["value"])
    if bound is not None:
        # The printed number of a range ("over 90") is kept for the value column and messages.
        value = Printed(bound.lo if bound.lo is not None else bound.hi, 0, bound.text)
    else:
        try:
            value = Printed.parse(raw["value"], raw.get("decimals"))
        except ValueError:
            ctx.fail(f"value {raw['value']!r} is not a number; copy it as printed, e.g. 94 or 95.4 or '47.10', "
                     f"{fc.bound_hint()}.", line=_line(raw, "value"), entry=entry)
    refs = raw.get("refers_to")
    refs = [] if refs is None else (refs if isinstance(refs, list) else [refs])
    rec = raw.get("recompute")
    if rec is not None and rec not in RECOMPUTABLE:
        ctx.fail(f"recompute '{rec}' is not known; use one of {', '.join(RECOMPUTABLE)}.", line=_line(raw, "recompute"), entry=entry)
    num = _ref_or_count(ctx, raw.get("numerator"), entry, _line(raw, "numerator"), "numerator", decimals_ok=True)
    den = _ref_or_count(ctx, raw.get("denominator"), entry, _line(raw, "denominator"), "denominator", decimals_ok=True)
    if (num is None) != (den is None):
        ctx.fail("give both numerator and denominator, or neither.", line=_line(raw), entry=entry)
    if num is not None and unit != "percent":
        ctx.fail("numerator/denominator are for percentages: set unit: percent.", line=_line(raw, "unit"), entry=entry)
    return Claim(
        id=str(cid),
        line=_line(raw),
        value=value,
        unit=unit,
        where=_where(raw),
        refers_to=[_parse_ref(ctx, r, entry, _line(raw, "refers_to")) for r in refs],
        numerator=num,
        denominator=den,
        recompute=rec,
        bound=bound,
        change=change,
    )


def _parse_rate(ctx, raw, index, ids) -> Rate:
    raw, rid, entry = _open_entry(ctx, raw, "rates", index, _RATE_KEYS, ids, "rate", "id: cla_rate_end_of_year")
    cols = raw.get("columns")
    if cols is not None and (not isinstance(cols, list) or not cols):
        ctx.fail("columns must be a non-empty list.", line=_line(raw, "columns"), entry=entry)
    n = 1 if cols is None else len(cols)
    columns = [""] if cols is None else [str(c) for c in cols]
    if raw.get("rate") is None and raw.get("count") is None:
        ctx.fail("a rate entry needs 'rate' (as printed) and/or 'count'.", line=_line(raw), entry=entry)
    rates, rline = _per_column(ctx, raw, "rate", n, entry)
    counts, cline = _per_column(ctx, raw, "count", n, entry)
    dec = raw.get("decimals")
    measure = raw.get("measure", "cla_31_march")
    if measure not in _MEASURES:
        ctx.fail(f"measure must be one of {', '.join(_MEASURES)} (got {measure!r}).", line=_line(raw, "measure"), entry=entry)
    pop = raw.get("population")
    population = None
    if pop is not None:
        p = _printed(ctx, pop, entry, _line(raw, "population"), what="population")
        if p.value <= 0:
            ctx.fail("population must be positive.", line=_line(raw, "population"), entry=entry)
        population = p.value
    return Rate(
        id=str(rid),
        line=_line(raw),
        rates=[_printed(ctx, r, entry, rline, dec, "rate") for r in rates],
        counts=[_ref_or_count(ctx, c, entry, cline, "count") for c in counts],
        columns=columns,
        population=population,
        measure=measure,
        year=_year(ctx, raw.get("year"), entry, _line(raw, "year")),
        area=None if raw.get("area") is None else str(raw["area"]),
        where=_where(raw),
    )


def _parse_sn(ctx, raw, index, ids) -> NeighbourAverage:
    raw, sid, entry = _open_entry(ctx, raw, "neighbour_averages", index, _SN_KEYS, ids, "neighbour average",
                                  "id: sn_cla_rate")
    if raw.get("value") is None:
        ctx.fail("a neighbour average needs the value as printed, e.g. value: 47.10.", line=_line(raw), entry=entry)
    measure = raw.get("measure", "cla_31_march")
    if measure not in _MEASURES:
        ctx.fail(f"measure must be one of {', '.join(_MEASURES)}.", line=_line(raw, "measure"), entry=entry)
    models = raw.get("models", ["2021", "2025"])
    models = models if isinstance(models, list) else [models]
    models = [str(m) for m in models]
    for m in models:
        if m not in ("2021", "2025"):
            ctx.fail(f"model {m!r} is not known; use 2021 (DfE April 2021 list) and/or 2025.", line=_line(raw, "models"), entry=entry)
    return NeighbourAverage(
        id=str(sid),
        line=_line(raw),
        value=_printed(ctx, raw["value"], entry, _line(raw, "value"), raw.get("decimals")),
        measure=measure,
        year=_year(ctx, raw.get("year"), entry, _line(raw, "year")),
        models=models,
        where=_where(raw),
    )


def parse_figures(doc, *, source: str = "FIGURES.yml") -> FigureSpec:
    """Validate an already-loaded FIGURES document (a dict) and build a :class:`FigureSpec`.

    Raises
    ------
    FiguresFileError
        Naming ``source``, the line (when the document came from :func:`load_figures`), the
        entry and the fix.
    """
    ctx = _Ctx(source)
    if not isinstance(doc, dict):
        ctx.fail("the file must be a YAML mapping with keys such as authority, year, tables, claims.", line=1)
    _check_keys(ctx, doc, _TOP_KEYS, "top level")
    spec = FigureSpec(source=source, report=str(doc.get("report") or ""))
    if doc.get("authority") is not None:
        spec.authority = str(doc["authority"])
    spec.year = _year(ctx, doc.get("year"), "year", _line(doc, "year"))
    spec.published = parse_published(ctx, doc.get("published"), _line(doc, "published"))
    sections = {}
    for key in ("tables", "claims", "rates", "neighbour_averages", "identities"):
        val = doc.get(key)
        if val is None:
            sections[key] = []
        elif not isinstance(val, list):
            ctx.fail(f"{key} must be a list (each item starting with '- ').", line=_line(doc, key), entry=key)
        else:
            sections[key] = val
    if not any(sections.values()):
        ctx.fail("nothing to check: add tables, claims, rates, neighbour_averages or identities.", line=_line(doc) or 1)
    seen: set = set()
    for i, t in enumerate(sections["tables"]):
        table = _parse_table(ctx, t, i, seen)
        seen.add(table.name)
        spec.tables.append(table)
    ids: set = set()
    spec.claims = [_parse_claim(ctx, c, i, ids) for i, c in enumerate(sections["claims"])]
    spec.rates = [_parse_rate(ctx, r, i, ids) for i, r in enumerate(sections["rates"])]
    spec.neighbour_averages = [_parse_sn(ctx, s, i, ids) for i, s in enumerate(sections["neighbour_averages"])]
    from . import figure_claims as fc

    spec.identities = [fc.parse_identity(ctx, x, i, ids) for i, x in enumerate(sections["identities"])]
    # References must point at something that exists.
    claim_ids = {c.id for c in spec.claims}
    for c in spec.claims:
        for ref in [*c.refers_to, *(x for x in (c.numerator, c.denominator) if isinstance(x, Ref))]:
            _validate_ref(ctx, spec, ref, claim_ids, f"claims '{c.id}'", c.line)
    for r in spec.rates:
        for x in r.counts:
            if isinstance(x, Ref):
                _validate_ref(ctx, spec, x, claim_ids, f"rates '{r.id}'", r.line)
    fc.validate_terms(ctx, spec)
    if spec.neighbour_averages and spec.authority is None:
        ctx.fail("neighbour_averages need the authority (add 'authority: <name or DfE code>').", line=1, entry="authority")
    return spec


def _validate_ref(ctx, spec, ref: Ref, claim_ids, entry, line):
    if ref.figure is not None:
        if ref.figure not in claim_ids:
            ctx.fail(
                f"refers_to '{ref.figure}' is not a claim id (nor 'TABLE / ROW': put spaces around each /).",
                line=line,
                entry=entry,
            )
        return
    table = spec.table(ref.table)
    if table is None:
        near = difflib.get_close_matches(ref.table, [t.name for t in spec.tables], n=1)
        ctx.fail(
            f"refers_to table '{ref.table}' is not defined." + (f" Did you mean '{near[0]}'?" if near else ""),
            line=line,
            entry=entry,
        )
    for row in ref.rows:
        if row not in table.rows:
            ctx.fail(f"refers_to row '{row}' is not in {table.name} (rows: {', '.join(table.rows)}).", line=line, entry=entry)
    if not ref.rows:
        ctx.fail("refers_to needs a row.", line=line, entry=entry)
    if not ref.columns:
        if len(table.columns) != 1:
            ctx.fail(
                f"{table.name} has several columns; name one: '{table.name} / {ref.rows[0]} / COLUMN' "
                f"(columns: {', '.join(table.columns)}).",
                line=line,
                entry=entry,
            )
        ref.columns = list(table.columns)
    for col in ref.columns:
        if col not in table.columns:
            ctx.fail(f"refers_to column '{col}' is not in {table.name} (columns: {', '.join(table.columns)}).", line=line, entry=entry)


def load_figures(path) -> FigureSpec:
    """Read and validate a FIGURES.yml file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    FigureSpec

    Raises
    ------
    FiguresFileError
        If the file is missing, is not valid YAML or does not follow the format; the message
        names the file, line, entry and the fix.
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FiguresFileError("file not found; give the path of a FIGURES.yml file.", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FiguresFileError(f"cannot read the file ({exc}); save it as UTF-8 text.", file=path) from None
    try:
        doc = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise FiguresFileError(
            f"not valid YAML ({problem}). Check indentation (spaces, not tabs), the ':' after each "
            "key and quotes around text containing ': ' or '#'.",
            file=path,
            line=line,
        ) from None
    except yaml.YAMLError as exc:
        raise FiguresFileError(f"not valid YAML ({exc}).", file=path) from None
    if doc is None:
        raise FiguresFileError("the file is empty; see docs/figures.md for the format.", file=path)
    return parse_figures(doc, source=str(path))


# --------------------------------------------------------------------------------------------
# findings


class _Out:
    def __init__(self):
        self.records: list[dict] = []

    def add(self, check, status, *, table="", line=None, column="", value="", message="", figure_id="", row_label="", expected="", reported=""):
        if status in ("error", "warning"):
            severity = status
        elif status in ("ok", "note", "not_checked"):
            severity = "info"
        else:
            raise ValueError(f"unknown status {status!r}")
        self.records.append(
            {
                "check": check,
                "severity": severity,
                "table": table,
                "row": line,
                "CHILD": None,
                "column": column,
                "value": "" if value is None else str(value),
                "message": message,
                "status": "inconsistent" if severity in ("error", "warning") else status,
                "figure_id": figure_id,
                "row_label": row_label,
                "expected": "" if expected is None else str(expected),
                "reported": "" if reported is None else str(reported),
            }
        )


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


def _numerators_for(printed: Printed, den: int) -> list[int]:
    lo, hi = printed.interval()
    first = max(0, int((lo * den / 100)) - 1)
    out = []
    k = first
    while Fraction(100 * k, den) <= hi and k <= den * 10:
        if printed.judge(Fraction(100 * k, den)) in ("ok", "tie"):
            out.append(k)
        k += 1
    return out


def _counts_text(ks: list[int]) -> str:
    """Counts that fit a percentage: listed when few, as a range when many (they are consecutive)."""
    if len(ks) <= 3:
        return ", ".join(map(str, ks))
    return f"{ks[0]} to {ks[-1]} ({len(ks)} values)"


def _check_percent_cells(table: Table, out: _Out):
    for col in table.columns:
        groups: dict = {}
        for label in table.rows:
            cell = table.cells[(label, col)]
            if cell.percent is None or cell.is_total and cell.percent.value == 100:
                continue
            den, den_label = _denominator(table, cell)
            if cell.count is None or den is None:
                if cell.count is not None and den is None:
                    out.add(
                        "percent_count", "not_checked", table=table.name, line=cell.line, column=col, row_label=label,
                        value=cell.percent, message=f"{_where_cell(cell)}: percentage {cell.percent} printed but no denominator "
                        "is known (give the table a total, or the row 'of:' or 'denominator:').",
                    )
                continue
            if den == 0:
                out.add("percent_count", "error", table=table.name, line=cell.line, column=col, row_label=label, value=cell.percent,
                        message=f"{_where_cell(cell)}: percentage {cell.percent} printed on a denominator of 0.")
                continue
            exact = Fraction(100 * cell.count, den)
            verdict = cell.percent.judge(exact)
            groups.setdefault(den, []).append((cell, exact, verdict))
            arith = f"{cell.count} / {den} = {_show_exact(exact, cell.percent)}%"
            expected = _fmt(_round_half_up(exact, cell.percent.decimals), cell.percent.decimals)
            common = dict(table=table.name, line=cell.line, column=col, row_label=label, value=cell.percent, expected=expected, reported=cell.percent.text)
            if verdict == "ok":
                out.add("percent_count", "ok", message=f"{_where_cell(cell)}: {arith}, printed {cell.percent} (OK)", **common)
            elif verdict == "tie":
                out.add("percent_count", "ok", message=f"{_where_cell(cell)}: {arith}, an exact half printed {cell.percent} "
                        "(rounded half down/even; half up would give " + expected + ") (OK)", **common)
            elif verdict == "truncated":
                out.add("percent_count", "warning", message=f"{_where_cell(cell)}: {arith}, printed {cell.percent}: truncated, "
                        f"not rounded (rounds to {expected}).", **common)
            else:
                fits = _numerators_for(cell.percent, den)
                fit_text = f"; {cell.percent}% of {den} would need a count of {_counts_text(fits)}" if fits else ""
                out.add("percent_count", "error", message=f"{_where_cell(cell)}: {arith}, rounds to {expected}, printed "
                        f"{cell.percent}: differs by {_fmt(abs(exact - cell.percent.value))} points{fit_text}.", **common)
        for den, items in groups.items():
            _check_swaps(table, col, den, items, out)


def _matching(n, ok) -> list[int] | None:
    """Perfect matching rows -> printed percents (Kuhn's augmenting paths); None if none."""
    match_of_pct = [-1] * n

    def try_row(i, seen):
        for j in range(n):
            if ok[i][j] and not seen[j]:
                seen[j] = True
                if match_of_pct[j] == -1 or try_row(match_of_pct[j], seen):
                    match_of_pct[j] = i
                    return True
        return False

    for i in range(n):
        if not try_row(i, [False] * n):
            return None
    row_to_pct = [0] * n
    for j, i in enumerate(match_of_pct):
        row_to_pct[i] = j
    return row_to_pct


def _check_swaps(table, col, den, items, out: _Out):
    bad = [k for k, (_, _, v) in enumerate(items) if v not in ("ok", "tie")]
    if not bad or len(items) < 2:
        return
    # First try to re-assign only the mismatched rows' percentages among themselves, then all.
    for subset in (bad, list(range(len(items)))):
        if len(subset) < 2:
            continue
        sub = [items[k] for k in subset]
        ok = [[sub[j][0].percent.judge(sub[i][1]) in ("ok", "tie") for j in range(len(sub))] for i in range(len(sub))]
        m = _matching(len(sub), ok)
        if m is None:
            continue
        moves = []
        for i, j in enumerate(m):
            if i != j:
                cell, exact, _ = sub[i]
                donor = sub[j][0]
                moves.append(f"'{cell.row}' ({cell.count} / {den} = {_fmt(exact)}%) fits {donor.percent} printed on '{donor.row}'")
        if not moves:
            continue
        first = sub[0][0]
        out.add(
            "percent_rows_swapped", "error", table=table.name, line=first.line, column=col,
            row_label=", ".join(sub[i][0].row for i, j in enumerate(m) if i != j),
            message=f"{table.name}{' / ' + col if col else ''}: the printed percentages fit the counts only after moving "
            "them between rows, so they look assigned to the wrong rows: " + "; ".join(moves) + ".",
        )
        return


def _rounded_up(table: Table, cells) -> str | None:
    """A cell whose percentage is its exact share rounded up ("12 / 93 = 12.90%, printed 13"), if any.

    Such a cell shows the table rounds, so a short percentage sum is not explained by truncation.
    """
    for c in cells:
        den = _denominator(table, c)[0] if c.count is not None else None
        if den:
            exact = Fraction(100 * c.count, den)
            if exact < c.percent.value and c.percent.judge(exact) == "ok":
                return f"{c.row}: {c.count} / {den} = {_show_exact(exact, c.percent)}%, printed {c.percent}"
    return None


def _check_sums(table: Table, out: _Out):
    for col in table.columns:
        parts = table.parts(col)
        where = f"{table.name}" + (f" / {col}" if col else "")
        if table.adds_up(col) and table.total is not None:
            total = table.cells[(table.total, col)]
            known = [c for c in parts if c.count is not None]
            blanks = [c for c in parts if c.count is None]
            if total.count is not None and known:
                s = sum(c.count for c in known)
                arith = " + ".join(str(c.count) for c in known) + f" = {s}"
                common = dict(table=table.name, line=total.line, column=col, row_label=table.total, value=total.count, expected=s, reported=total.count)
                if s == total.count:
                    out.add("row_sum", "ok", message=f"{where}: rows {arith}, printed total {total.count} (OK)", **common)
                else:
                    extra = ""
                    pct_cells = [c for c in known if c.percent is not None and c.of is None and c.denominator is None]
                    if pct_cells:
                        fit_total = all(c.percent.judge(Fraction(100 * c.count, total.count)) in ("ok", "tie") for c in pct_cells) if total.count else False
                        fit_sum = all(c.percent.judge(Fraction(100 * c.count, s)) in ("ok", "tie") for c in pct_cells) if s else False
                        if fit_total and not fit_sum:
                            extra = f" The percentages were worked out on the printed total {total.count}, not on {s}."
                        elif fit_sum and not fit_total:
                            extra = f" The percentages fit the rows' sum {s}, so the printed total {total.count} looks wrong."
                    if blanks and s < total.count:
                        out.add("row_sum", "warning", message=f"{where}: rows {arith}, printed total {total.count}: short by "
                                f"{total.count - s}, and {len(blanks)} row(s) are blank ({', '.join(c.row for c in blanks)}): "
                                "check whether the blanks hold the difference." + extra, **common)
                    else:
                        diff = s - total.count
                        out.add("row_sum", "error", message=f"{where}: rows {arith}, but the printed total is {total.count} "
                                f"({'+' if diff > 0 else ''}{diff})." + extra, **common)
        if table.percent_sum and table.adds_up(col):
            pcts = [c for c in parts if c.percent is not None]
            if len(pcts) >= 2 and len(pcts) == len(parts):
                s = sum(c.percent.value for c in pcts)
                slack = sum(c.percent.half for c in pcts)
                dmax = max(c.percent.decimals for c in pcts)
                common = dict(table=table.name, line=pcts[0].line, column=col, value=_fmt(s, dmax), expected=100, reported=_fmt(s, dmax))
                arith = " + ".join(c.percent.text for c in pcts) + f" = {_fmt(s, dmax)}"
                # Each rounded figure is within its half unit of the exact share (an exact half either
                # way, as ties are accepted), so the sum is within ±slack of 100, both ends included.
                # Truncated figures are each up to a whole unit low: the sum is in (100 - 2 × slack, 100].
                lo_hi = f"{_fmt(100 - slack, dmax + 1)} to {_fmt(100 + slack, dmax + 1)}"
                gap = f"{_fmt(abs(s - 100), dmax)} point(s) {'over' if s > 100 else 'short of'} 100"
                if 100 - slack <= s <= 100 + slack:
                    out.add("percent_sum", "ok", message=f"{where}: percentages {arith}, within rounding of 100 (±{_fmt(slack, dmax + 1)}) (OK)", **common)
                elif 100 - 2 * slack < s < 100 - slack and (up := _rounded_up(table, pcts)) is not None:
                    out.add("percent_sum", "error", message=f"{where}: percentages {arith}, {gap}: rounding of {len(pcts)} figures "
                            f"allows a sum of {lo_hi} (±{_fmt(slack, dmax + 1)}), and the figures are rounded, not truncated "
                            f"({up}).", **common)
                elif 100 - 2 * slack < s < 100 - slack:
                    out.add("percent_sum", "warning", message=f"{where}: percentages {arith}, {gap}: rounding of {len(pcts)} figures "
                            f"allows a sum of {lo_hi} (±{_fmt(slack, dmax + 1)}), truncation a sum above "
                            f"{_fmt(100 - 2 * slack, dmax + 1)}: the figures look truncated, not rounded.", **common)
                else:
                    out.add("percent_sum", "error", message=f"{where}: percentages {arith}, {gap}: rounding of {len(pcts)} figures "
                            f"allows a sum of {lo_hi} (±{_fmt(slack, dmax + 1)}) and truncation one above "
                            f"{_fmt(100 - 2 * slack, dmax + 1)} up to 100.", **common)


# --------------------------------------------------------------------------------------------
# resolving references


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


def _verdict_text(verdict):
    return {"ok": "OK", "tie": "OK (exact half)", "truncated": "truncated", "mismatch": "differs"}[verdict]


def _check_claims(spec: FigureSpec, out: _Out):
    from . import figure_claims as fc

    for claim in spec.claims:
        label = f"'{claim.id}'" + (f" ({claim.where})" if claim.where else "")
        common = dict(table="claims", line=claim.line, figure_id=claim.id, value=claim.value, reported=claim.value.text)
        if claim.change is not None:
            fc.check_change(spec, claim, label, common, out)
            continue
        if claim.bound is not None:
            fc.check_bound_claim(spec, claim, label, common, out)
            continue
        if isinstance(claim.numerator, Printed) or isinstance(claim.denominator, Printed):
            fc.check_decimal_ratio(spec, claim, label, common, out)
        elif claim.numerator is not None:
            num, den = _resolve(spec, claim.numerator), _resolve(spec, claim.denominator)
            if num.count is None or den.count is None:
                out.add("percent_count", "not_checked", message=f"{label}: numerator or denominator has a blank cell.", **common)
            elif den.count == 0:
                out.add("percent_count", "error", message=f"{label}: denominator is 0.", **common)
            else:
                exact = Fraction(100 * num.count, den.count)
                v = claim.value.judge(exact)
                expected = _fmt(_round_half_up(exact, claim.value.decimals), claim.value.decimals)
                arith = f"{num.count} / {den.count} = {_show_exact(exact, claim.value)}%"
                if v in ("ok", "tie"):
                    out.add("percent_count", "ok", expected=expected, message=f"{label}: {arith}, printed {claim.value}% (OK)", **common)
                else:
                    fits = _numerators_for(claim.value, den.count)
                    fit_text = f"; {claim.value}% of {den.count} would need {_counts_text(fits)}" if fits else ""
                    out.add("percent_count", "warning" if v == "truncated" else "error", expected=expected,
                            message=f"{label}: {arith}, rounds to {expected}, printed {claim.value}%"
                            + (" (truncated, not rounded)." if v == "truncated" else f": differs by {_fmt(abs(exact - claim.value.value))} points{fit_text}."),
                            **common)
        for ref in claim.refers_to:
            _compare_claim(spec, claim, ref, label, common, out)


def _compare_claim(spec, claim: Claim, ref: Ref, label, common, out: _Out):
    target = _resolve(spec, ref)
    unit = claim.unit
    pv = claim.value
    suffix = "%" if unit == "percent" else ""
    if unit == "count":
        if target.count is None:
            out.add("figure_mismatch", "not_checked", message=f"{label} says {pv}; {target.text} has no count to compare.", **common)
            return
        arith = f" ({target.arith})" if target.arith else ""
        if pv.value == target.count:
            out.add("figure_mismatch", "ok", expected=target.count, message=f"{label} says {pv}; {target.text} is {target.count}{arith} (OK)", **common)
        else:
            out.add("figure_mismatch", "error", expected=target.count, message=f"{label} says {pv}; {target.text} is {target.count}{arith}: "
                    f"the same figure is stated twice with different values ({_fmt(abs(pv.value - target.count), 0)} "
                    f"{'more' if pv.value > target.count else 'fewer'} in the text).", **common)
        return
    # percentages, rates and other numbers: compare with the exact value if known, else printed intervals
    if unit == "percent" and target.exact_percent is not None:
        exact = target.exact_percent
        v = pv.judge(exact)
        shown = f"{target.arith}" + (f" (printed {target.printed_percent})" if target.printed_percent is not None else "")
        expected = _fmt(_round_half_up(exact, pv.decimals), pv.decimals)
        if v in ("ok", "tie"):
            out.add("figure_mismatch", "ok", expected=expected, message=f"{label} says {pv}%; {target.text}: {shown} (OK)", **common)
        else:
            msg = f"{label} says {pv}%; {target.text}: {shown}, which rounds to {expected}"
            if v == "truncated":
                out.add("figure_mismatch", "warning", expected=expected, message=msg + f": {pv} is the truncated value, not the rounded one.", **common)
            else:
                fits = _numerators_for(pv, target.den) if target.den else []
                fit_text = f" {pv}% of {target.den} would need {_counts_text(fits)}." if fits else ""
                out.add("figure_mismatch", "error", expected=expected, message=msg + f": the same measure stated twice, differing by "
                        f"{_fmt(abs(exact - pv.value))} points.{fit_text}", **common)
        return
    other = target.printed_percent if unit == "percent" else target.printed
    if other is None and target.count is not None and unit in ("number", "rate_per_10k"):
        other = Printed(Fraction(target.count), 0, str(target.count))
    if other is None:
        out.add("figure_mismatch", "not_checked", message=f"{label} says {pv}{suffix}; {target.text} has no comparable figure.", **common)
        return
    lo1, hi1 = pv.interval()
    lo2, hi2 = other.interval()
    overlap = lo1 < hi2 and lo2 < hi1 or pv.value == other.value
    if overlap:
        out.add("figure_mismatch", "ok", expected=other.text, message=f"{label} says {pv}{suffix}; {target.text} is {other}{suffix}: "
                "the same within rounding (OK)", **common)
    else:
        # Truncation of a more precise figure (15.6 printed as 15) is a warning.
        trunc = pv.decimals < other.decimals and pv.judge(other.value) == "truncated"
        out.add("figure_mismatch", "warning" if trunc else "error", expected=other.text,
                message=f"{label} says {pv}{suffix}; {target.text} is {other}{suffix}: "
                + (f"{pv} is {other} truncated, not rounded." if trunc else
                   f"the same figure stated twice, differing by {_fmt(abs(pv.value - other.value), max(pv.decimals, other.decimals))}"
                   f"{' points' if unit == 'percent' else ''}."), **common)


# --------------------------------------------------------------------------------------------
# rates


def _implied_population(count: int, rate: Printed) -> tuple[Fraction, Fraction | None]:
    """Populations P with count/P×10,000 rounding to rate: lo < P <= hi (hi None = unbounded)."""
    lo_r, hi_r = rate.interval()
    lo = Fraction(count * 10000) / hi_r
    hi = None if lo_r <= 0 else Fraction(count * 10000) / lo_r
    return lo, hi


def _authority(spec, area):
    from ..reference import resolve_authority

    name = area or spec.authority
    if name is None:
        return None
    if str(name).strip().lower() in ("england", "e92000001", "national"):
        return "England"
    return resolve_authority(name)


def _one_line(exc) -> str:
    """The first line of a reference-data error (the rest lists folders searched)."""
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__) + (" (run `iro-analysis reference` for where to get it)" if len(text) > 1 else "")


def _releases(spec) -> tuple[list[int], list[int]]:
    """CLA releases found that the report could have used, and those published after it."""
    from ..reference import available_cla_releases

    return usable_releases(available_cla_releases(), spec.published)


def _no_release_text(spec, later) -> str:
    return f"no DfE release found was available when the report was published: {later_text(later, spec.published)}"


def _dfe_rows(auth, measure, releases=None) -> pd.DataFrame:
    from ..reference import available_cla_releases, cla_rates

    frames = []
    for rel in available_cla_releases() if releases is None else releases:
        r = cla_rates(release=rel)
        r = r[r["measure"] == measure]
        if auth == "England":
            r = r[r["geographic_level"] == "National"]
        else:
            r = r[(r["geographic_level"] == "Local authority") & (r["la_code"] == auth.la_code)]
        frames.append(r)
    if not frames:
        from ..reference import find_reference_file

        find_reference_file("cla_number_and_rate_per_10k_children_2025pub.csv")
    return pd.concat(frames, ignore_index=True)


def _releases_text(rels) -> str:
    rels = sorted({int(r) for r in rels})
    return ("release " if len(rels) == 1 else "releases ") + ", ".join(map(str, rels))


def _check_rates(spec: FigureSpec, out: _Out):
    for rate in spec.rates:
        label = f"'{rate.id}'" + (f" ({rate.where})" if rate.where else "")
        counts = [_resolve(spec, c).count if isinstance(c, Ref) else c for c in rate.counts]
        base = dict(table="rates", line=rate.line, figure_id=rate.id)
        # 1. against the population the report gives
        if rate.population is not None:
            for col, cnt, r in zip(rate.columns, counts, rate.rates):
                if cnt is None or r is None:
                    continue
                exact = Fraction(cnt * 10000) / rate.population
                v = r.judge(exact)
                expected = _fmt(_round_half_up(exact, r.decimals), r.decimals)
                arith = f"{cnt} / {_fmt(rate.population, 0)} × 10,000 = {_show_exact(exact, r)}"
                common = dict(base, column=col, value=r, expected=expected, reported=r.text)
                if v in ("ok", "tie"):
                    out.add("rate_population", "ok", message=f"{label}{' ' + col if col else ''}: {arith}, printed {r} (OK)", **common)
                else:
                    out.add("rate_population", "warning" if v == "truncated" else "error",
                            message=f"{label}{' ' + col if col else ''}: {arith}, rounds to {expected}, printed {r}"
                            + (" (truncated)." if v == "truncated" else "."), **common)
        # 2. a series of rates must imply one population
        pairs = [(col, c, r) for col, c, r in zip(rate.columns, counts, rate.rates) if c is not None and r is not None and r.value > 0]
        implied = None
        if len(pairs) >= 2:
            lo, hi = Fraction(0), None
            for _, c, r in pairs:
                a, b = _implied_population(c, r)
                lo = max(lo, a)
                hi = b if hi is None else (hi if b is None else min(hi, b))
            if hi is not None and lo >= hi:
                worst = sorted(pairs, key=lambda p: float(_implied_population(p[1], p[2])[0]))
                a_col, a_c, a_r = worst[0]
                b_col, b_c, b_r = worst[-1]
                out.add("rate_series", "error", **base, message=f"{label}: the rates cannot share one population: "
                        f"{b_col or ''} {b_c} at {b_r} needs a population above {_fmt(_implied_population(b_c, b_r)[0], 0)}, "
                        f"{a_col or ''} {a_c} at {a_r} one of at most {_fmt(_implied_population(a_c, a_r)[1], 0)}.")
            else:
                implied = (lo, hi)
                out.add("rate_series", "ok", **base, message=f"{label}: all {len(pairs)} rates fit one population between "
                        f"{_fmt(lo, 0)} and {_fmt(hi, 0)} (OK)")
        # 3. against DfE's published figures
        _check_rate_dfe(spec, rate, counts, implied, label, base, out)


def _check_rate_dfe(spec, rate: Rate, counts, implied, label, base, out: _Out):
    year = rate.year or spec.year
    try:
        auth = _authority(spec, rate.area)
    except ParameterError as exc:
        raise FiguresFileError(f"{exc} Fix the authority name or code.", file=spec.source, line=rate.line, entry=f"rates '{rate.id}'") from None
    except ReferenceDataError as exc:
        out.add("rate_dfe", "not_checked", **base, message=f"{label}: not compared with DfE: {_one_line(exc)}")
        return
    if auth is None:
        return
    try:
        releases, later = _releases(spec)
        if later and not releases:
            out.add("rate_dfe", "not_checked", **base, message=f"{label}: not compared with DfE: {_no_release_text(spec, later)}.")
            return
        dfe = _dfe_rows(auth, rate.measure, releases)
    except ReferenceDataError as exc:
        out.add("rate_dfe", "not_checked", **base, message=f"{label}: not compared with DfE: {_one_line(exc)}")
        return
    area_name = "England" if auth == "England" else auth.la_name
    what = _MEASURE_TEXT[rate.measure]
    not_used = f" Not used: {later_text(later, spec.published)}." if later else ""
    covered = set(dfe["year"].dropna().astype(int))
    if year is not None and year not in covered:
        # Comparing with the nearest year would present a coincidence as a wrong-year slip.
        out.add("rate_dfe", "not_checked", **base, message=f"{label}: not compared with DfE: no release "
                f"{'available when the report was published' if later else 'found'} covers 31 March {year} "
                f"({_releases_text(releases)} cover {years_text(covered)}).{not_used}")
        return
    if implied is not None:
        # Which published 0-17 population (if any) do the series' rates use?
        lo, hi = implied
        pops = dfe.dropna(subset=["population_0_17"])
        hits = pops[(pops["population_0_17"] > float(lo)) & (pops["population_0_17"] <= float(hi if hi is not None else 1e12))]
        near = pops[pops["year"].isin([y for y in (year, None if year is None else year - 1) if y is not None])]
        near_text = "; ".join(
            f"31 March {int(y)}: " + ", ".join(f"{int(p)} ({_releases_text(gg['release'])})" for p, gg in g.groupby("population_0_17"))
            for y, g in near.groupby("year")
        )
        if len(hits):
            out.add("rate_series", "ok", **base, message=f"{label}: the implied population matches DfE's denominator for "
                    + "; ".join(f"31 March {int(y)} ({int(p)}, {_releases_text(g['release'])})"
                                for (y, p), g in hits.groupby(["year", "population_0_17"])) + " (OK)")
        else:
            out.add("rate_series", "warning", **base, message=f"{label}: the rates imply a 0-17 population between {_fmt(lo, 0)} and "
                    f"{_fmt(hi, 0) if hi is not None else 'any'}, which is none of the populations DfE used for {area_name}"
                    + (f" (e.g. {near_text})" if near_text else "") + "; the report used another estimate, so its rates "
                    "cannot be compared exactly with published ones.")
    if len(rate.rates) != 1:
        return
    r, cnt = rate.rates[0], counts[0]
    common = dict(base, value="" if r is None else r, reported="" if r is None else r.text)
    usable = dfe.dropna(subset=["count"]) if r is None else dfe.dropna(subset=["rate_per_10k"])
    if usable.empty:
        out.add("rate_dfe", "not_checked", message=f"{label}: DfE publishes no {what} figures for {area_name}.", **common)
        return

    def matches(row) -> bool:
        ok = True
        if r is not None:
            # DfE publishes whole numbers; a printed decimal is compared with DfE's exact ratio.
            if r.decimals == 0:
                ok = r.value == Fraction(int(row.rate_per_10k))
            elif pd.notna(row["count"]) and pd.notna(row.population_0_17) and row.population_0_17 > 0:
                ok = r.judge(Fraction(int(row["count"]) * 10000) / Fraction(int(row.population_0_17))) in ("ok", "tie")
            else:
                ok = False
        if cnt is not None:
            ok = ok and pd.notna(row["count"]) and int(row["count"]) == cnt
        return ok

    pop_text = ""
    if r is not None and cnt is not None and r.value > 0:
        lo, hi = _implied_population(cnt, r)
        pops = usable.dropna(subset=["population_0_17"])
        pops = pops[pops["year"] == year] if year is not None else pops.iloc[0:0]
        pop_text = (f" {cnt} at {r} per 10,000 implies a 0-17 population of {_fmt(lo, 0)} to {_fmt(hi, 0)}"
                    + ("; DfE used " + ", ".join(f"{int(p)} ({_releases_text(g['release'])})" for p, g in pops.groupby("population_0_17"))
                       + f" for 31 March {year}" if len(pops) else "") + ".")
    hit = usable[usable.apply(matches, axis=1)]
    printed = " / ".join(x for x in ((str(cnt) if cnt is not None else ""), (f"{r} per 10,000" if r is not None else "")) if x)
    stated = usable[usable["year"] == year] if year is not None else usable.iloc[0:0]

    def describe(rows, with_date=True):
        parts = []
        for (y, c, rt), g in rows.groupby(["year", "count", "rate_per_10k"], dropna=False, sort=True):
            shown = " / ".join(x for x in ("" if pd.isna(c) else str(int(c)), "" if pd.isna(rt) else str(int(rt))) if x)
            if pd.isna(c) and not pd.isna(rt):
                shown = f"rate {shown}"
            parts.append((f"31 March {int(y)}: " if with_date else "") + f"{shown or 'suppressed'} ({_releases_text(g['release'])})")
        return "; ".join(parts)

    if not hit.empty and (year is None or (hit["year"] == year).any()):
        out.add("rate_dfe", "ok", expected=describe(hit[hit["year"] == year] if year is not None else hit),
                message=f"{label}: {printed} matches DfE's published {what} for {area_name}, {describe(hit[hit['year'] == year] if year is not None else hit)} (OK)." + not_used, **common)
    elif not hit.empty:
        out.add("rate_dfe", "warning", expected=describe(stated) if len(stated) else "",
                message=f"{label}: {printed} is DfE's published figure for {describe(hit)}, not for the year stated "
                f"(31 March {year}: " + (f"{describe(stated, False)})" if len(stated) else "not in the releases found)") + "." + not_used, **common)
    else:
        nearest = stated if len(stated) else usable
        if r is not None and len(nearest):
            nearest = nearest.assign(_d=(nearest["rate_per_10k"] - float(r.value)).abs()).sort_values(["_d", "year"]).head(3)
        out.add("rate_dfe", "warning", expected=describe(nearest),
                message=f"{label}: {printed} matches no DfE {what} figure for {area_name} in the releases found "
                f"({_releases_text(usable['release'])}); for comparison {describe(nearest)}.{pop_text}{not_used}", **common)


# --------------------------------------------------------------------------------------------
# statistical-neighbour averages


def _check_neighbours(spec: FigureSpec, out: _Out):
    if not spec.neighbour_averages:
        return
    from ..reference import cla_rates, statistical_neighbours

    try:
        auth = _authority(spec, None)
        releases, later = _releases(spec)
    except ParameterError as exc:
        raise FiguresFileError(f"{exc} Fix the authority name or code.", file=spec.source, entry="authority") from None
    except ReferenceDataError as exc:
        for sn in spec.neighbour_averages:
            out.add("neighbour_average", "not_checked", table="neighbour averages", line=sn.line, figure_id=sn.id, message=f"'{sn.id}': not recomputed: {_one_line(exc)}")
        return
    not_used = f" Not used: {later_text(later, spec.published)}." if later else ""
    for sn in spec.neighbour_averages:
        label = f"'{sn.id}'" + (f" ({sn.where})" if sn.where else "")
        common = dict(table="neighbour averages", line=sn.line, figure_id=sn.id, value=sn.value, reported=sn.value.text)
        if auth == "England":
            raise FiguresFileError("neighbour averages need a local authority, not England.", file=spec.source, entry="authority")
        if later and not releases:
            out.add("neighbour_average", "not_checked", message=f"{label}: not recomputed: {_no_release_text(spec, later)}.", **common)
            continue
        if not releases:
            out.add("neighbour_average", "not_checked", message=f"{label}: not recomputed: no DfE CLA rates file was found "
                    "(run `iro-analysis reference` for where to get it).", **common)
            continue
        try:
            rows = []
            for model in sn.models:
                lists = statistical_neighbours(model)
                nbrs = lists.loc[lists["la_code"] == auth.la_code, "neighbour_la_code"].tolist()
                if not nbrs:
                    continue
                for rel in releases:
                    r = cla_rates(release=rel)
                    r = r[(r["measure"] == sn.measure) & (r["geographic_level"] == "Local authority") & r["la_code"].isin(nbrs)]
                    for year, g in r.groupby("year"):
                        vals = g["rate_per_10k"].dropna()
                        if len(vals):
                            rows.append({"model": model, "release": rel, "year": int(year),
                                         "mean": Fraction(int(round(vals.sum())), 1) / len(vals) if (vals % 1 == 0).all() else Fraction(float(vals.mean())),
                                         "n": len(vals)})
        except ReferenceDataError as exc:
            out.add("neighbour_average", "not_checked", message=f"{label}: not recomputed: {_one_line(exc)}", **common)
            continue
        if not rows:
            out.add("neighbour_average", "not_checked", message=f"{label}: {auth.la_name} has no neighbours in the models {', '.join(sn.models)}.", **common)
            continue
        cand = pd.DataFrame(rows)
        years = [y for y in ((sn.year,) if sn.year else ((spec.year, spec.year - 1) if spec.year else ())) if y]
        if years and not set(years) & set(cand["year"]):
            # Matching another year would only be a coincidence.
            out.add("neighbour_average", "not_checked", message=f"{label}: not recomputed: no release "
                    f"{'available when the report was published' if later else 'found'} covers 31 March "
                    f"{' or '.join(map(str, years))} ({_releases_text(releases)} cover {years_text(cand['year'])}).{not_used}", **common)
            continue
        cand["diff"] = [abs(float(m - sn.value.value)) for m in cand["mean"]]
        cand["ok"] = [sn.value.judge(m) in ("ok", "tie") for m in cand["mean"]]

        def say(g):
            parts = []
            for (model, year, mean), gg in g.groupby(["model", "year", "mean"], sort=False):
                parts.append(f"{_fmt(mean, max(1, sn.value.decimals))} for 31 March {year} on the {'April 2021' if model == '2021' else '2025'} "
                             f"model ({_releases_text(gg['release'])}, {int(gg['n'].iloc[0])} neighbours)")
            return "; ".join(parts)

        hits = cand[cand["ok"]].sort_values(["year", "model", "release"])
        focus = cand[cand["year"].isin(years)].sort_values(["diff", "year", "model"])
        nearest = cand.sort_values(["diff", "year", "model"])
        nearest = nearest[nearest["diff"] == nearest["diff"].iloc[0]]
        if len(hits):
            out.add("neighbour_average", "ok", expected=say(hits), message=f"{label}: {sn.value} is reproduced by the mean of the neighbours' "
                    f"published rates: {say(hits)} (OK)." + not_used, **common)
        else:
            msg = (f"{label}: {sn.value} is not reproduced (within its rounding ±{_fmt(sn.value.half, sn.value.decimals + 1)}) by the mean of "
                   f"the 10 neighbours' published rates for any year, release and model found. Nearest: {say(nearest)}")
            if len(focus):
                msg += f". For the year(s) {', '.join(map(str, years))}: {say(focus)}"
            out.add("neighbour_average", "warning", expected=say(nearest), message=msg + "." + not_used, **common)


# --------------------------------------------------------------------------------------------
# recomputation from the return


def _recompute_values(data, year: int, names: set) -> dict:
    """Values of the registered figures recomputed from an SSDA903 return."""
    from .. import cohorts
    from ..calendar import year_bounds

    start, end = year_bounds(year)
    vals: dict = {}
    if "cla_31_march" in names:
        vals["cla_31_march"] = Fraction(len(cohorts.in_care_on(data, end)))
    if names & {"starting", "ceasing", "periods_starting", "periods_ceasing"}:
        per = cohorts.periods_of_care(data)
        per = per[~per["short_breaks_only"].astype(bool)]
        st = per[(per["period_start"] >= start) & (per["period_start"] <= end)]
        ce = per[per["period_end"].notna() & (per["period_end"] >= start) & (per["period_end"] <= end)]
        vals["starting"] = Fraction(st["CHILD"].nunique())
        vals["periods_starting"] = Fraction(len(st))
        vals["ceasing"] = Fraction(ce["CHILD"].nunique())
        vals["periods_ceasing"] = Fraction(len(ce))
    if names & {"reviews_held", "reviews_on_time", "reviews_on_time_percent"}:
        from .. import timeliness

        sched = timeliness.review_schedule(data, year=year)
        summ = timeliness.timeliness_summary(sched, year=year).set_index("metric")
        held = summ.loc["reviews_held"]
        num, den = int(held["numerator"]), int(held["denominator"])
        vals["reviews_held"] = Fraction(den)
        vals["reviews_on_time"] = Fraction(num)
        vals["reviews_on_time_percent"] = Fraction(100 * num, den) if den else None
        vals["_reviews_arith"] = f"{num} / {den}"
    return vals


def _check_recomputed(spec: FigureSpec, data, out: _Out):
    targets = []  # (name, printed value or count, where text, table, line, figure_id, column, row_label)
    for c in spec.claims:
        if c.recompute:
            targets.append((c.recompute, c.value, f"'{c.id}'", "claims", c.line, c.id, "", ""))
    for t in spec.tables:
        for label in t.rows:
            cell = t.cells[(label, t.columns[0])]
            if cell.recompute:
                shown = cell.percent if cell.recompute.endswith("_percent") else cell.count
                if shown is not None:
                    pv = shown if isinstance(shown, Printed) else Printed(Fraction(shown), 0, str(shown))
                    targets.append((cell.recompute, pv, _where_cell(cell), t.name, cell.line, "", cell.column, label))
    if not targets:
        out.add("recomputed", "note", table="return", message="A return was given but no figure has 'recompute:'; nothing recomputed.")
        return
    if spec.year is None:
        raise FiguresFileError("recomputing from the return needs the report's year (add 'year: 2023').", file=spec.source, entry="year")
    try:
        vals = _recompute_values(data, spec.year, {t[0] for t in targets})
    except IroAnalysisError as exc:
        for name, pv, where, table, line, fid, col, rl in targets:
            out.add("recomputed", "not_checked", table=table, line=line, figure_id=fid, column=col, row_label=rl, value=pv,
                    message=f"{where}: not recomputed from the return: {exc}")
        return
    for name, pv, where, table, line, fid, col, rl in targets:
        got = vals.get(name)
        common = dict(table=table, line=line, figure_id=fid, column=col, row_label=rl, value=pv, reported=pv.text)
        if got is None:
            out.add("recomputed", "not_checked", message=f"{where}: {RECOMPUTABLE[name]} cannot be computed (no denominator).", **common)
            continue
        if name.endswith("_percent"):
            v = pv.judge(got)
            exp = _fmt(_round_half_up(got, pv.decimals), pv.decimals)
            arith = f"{vals.get('_reviews_arith', '')} = {_show_exact(got, pv)}%"
            if v in ("ok", "tie"):
                out.add("recomputed", "ok", expected=exp, message=f"{where}: from the return {arith}, printed {pv}% (OK)", **common)
            else:
                out.add("recomputed", "warning", expected=exp, message=f"{where}: from the return {arith} ({RECOMPUTABLE[name]}), "
                        f"printed {pv}%: differs by {_fmt(abs(got - pv.value))} points.", **common)
        else:
            if got == pv.value:
                out.add("recomputed", "ok", expected=int(got), message=f"{where}: {RECOMPUTABLE[name]} from the return = {int(got)}, printed {pv} (OK)", **common)
            else:
                out.add("recomputed", "warning", expected=int(got), message=f"{where}: {RECOMPUTABLE[name]} from the return = {int(got)}, "
                        f"printed {pv} (differs by {_fmt(pv.value - got, 0)}).", **common)


# --------------------------------------------------------------------------------------------
# every entry accounted for


def _account_for_entries(spec: FigureSpec, out: _Out, *, with_data: bool, reference: bool):
    """Give every table, claim, rate and neighbour average without a row a ``not_checked`` one.

    The reason says what the entry lacks; rows are then ordered as the file's sections, so a
    table with nothing to check appears in its place.
    """
    tables_seen = {r["table"] for r in out.records}
    ids_seen = {r["figure_id"] for r in out.records}
    for t in spec.tables:
        if t.name in tables_seen:
            continue
        why = ["rows not meant to add up (additive: false)" if t.additive is False else "no total row" if t.total is None else ""]
        has_pct = any(c.percent is not None for c in t.cells.values())
        why.append("percentages without counts or a denominator" if has_pct else "no percentages")
        users = [c.id for c in spec.claims if any(ref.table == t.name for ref in c.refers_to)]
        out.add("nothing_to_check", "not_checked", table=t.name, line=t.line,
                message=f"{t.name}: nothing to check within the table: {', '.join(w for w in why if w)}"
                + (f"; its figures are compared by {', '.join(users)}" if users else "") + ".")
    for c in spec.claims:
        if c.id in ids_seen:
            continue
        common = dict(table="claims", line=c.line, figure_id=c.id, value=c.value, reported=c.value.text)
        label = f"'{c.id}'" + (f" ({c.where})" if c.where else "")
        users = [x.id for x in spec.claims if any(ref.figure == c.id for ref in x.refers_to)
                 or (x.change is not None and c.id in (t.ref.figure for t in (x.change.base, x.change.new) if t.ref))]
        users += [x.id for x in spec.identities if c.id in (t.ref.figure for t in [*x.plus, *x.minus, x.equals] if t.ref)]
        users += [r.id for r in spec.rates if any(isinstance(x, Ref) and x.figure == c.id for x in r.counts)]
        if users:
            # Checked, but from the other side: the result is on the claims that refer to it.
            out.add("nothing_to_check", "note", message=f"{label}: compared by {', '.join(users)} (see there).", **common)
            continue
        why = (f"recompute: {c.recompute} needs the return (--data)" if c.recompute and not with_data else
               "nothing to compare it with: give refers_to, numerator and denominator, change with from and to, or recompute")
        out.add("nothing_to_check", "not_checked", message=f"{label}: {why}.", **common)
    for r in spec.rates:
        if r.id not in ids_seen:
            dfe = ("DfE comparison not requested" if not reference else
                   "no authority or area to compare with DfE (add 'authority:')")
            out.add("nothing_to_check", "not_checked", table="rates", line=r.line, figure_id=r.id,
                    message=f"'{r.id}'" + (f" ({r.where})" if r.where else "") + f": nothing to compare it with: no population, "
                    f"no series of rates, {dfe}.")
    for sn in spec.neighbour_averages:
        if sn.id not in ids_seen:
            out.add("nothing_to_check", "not_checked", table="neighbour averages", line=sn.line, figure_id=sn.id,
                    value=sn.value, message=f"'{sn.id}': not recomputed (DfE comparison not requested).")
    order = {name: i for i, name in enumerate(t.name for t in spec.tables)}
    n = len(order)
    sections = {"claims": n, "identities": n + 1, "rates": n + 2, "neighbour averages": n + 3}
    out.records.sort(key=lambda rec: order.get(rec["table"], sections.get(rec["table"], n + 4)))


# --------------------------------------------------------------------------------------------
# public entry points


def check_figures(spec, *, data=None, reference: bool = True) -> pd.DataFrame:
    """Check the figures transcribed from a published report.

    Parameters
    ----------
    spec : FigureSpec, dict, str or Path
        A parsed specification, a FIGURES document as a dict, or the path of a FIGURES.yml
        file (read with :func:`load_figures`).
    data : SSDA903, optional
        The authority's return; figures marked ``recompute:`` are recomputed from it.
    reference : bool, default True
        Compare rates and neighbour averages with the DfE tables on the reference search
        path. Missing reference files give ``not_checked`` rows, not errors.

    Returns
    -------
    DataFrame
        The findings columns ``check, severity, table, row, CHILD, column, value, message``
        (``table`` is the report's table name, or ``claims``/``rates``/``neighbour
        averages``/``return``; ``row`` is the line in the YAML file; ``CHILD`` is empty) and
        ``status`` (``ok``, ``inconsistent``, ``not_checked`` or ``note``), ``figure_id``,
        ``row_label``, ``expected`` and ``reported``. One row per check made: passed checks are
        ``info`` rows with status ``ok`` and the arithmetic in ``message``.

    Raises
    ------
    FiguresFileError
        If the specification is unusable (for example an unknown authority).

    Notes
    -----
    Percentages and rates are judged with exact rational arithmetic against the rounding
    implied by the decimals printed (half up; an exact half rounded down is accepted;
    truncation is a warning). Statistical-neighbour averages are the mean of the neighbours'
    published whole-number rates (the LAIT convention). See the module docstring.

    Examples
    --------
    Wokingham's 2022-23 report: Table M prints 410 of 435 reviews on time as 94%, the text
    says 95.4% (410 / 435 = 94.25%).

    >>> f = check_figures({"tables": [{"name": "Table M", "rows": [
    ...     {"label": "held", "count": 435},
    ...     {"label": "on_time", "count": 410, "percent": 94, "of": "held"}]}],
    ...     "claims": [{"id": "text", "value": "95.4", "unit": "percent",
    ...                 "refers_to": "Table M / on_time"}]}, reference=False)
    >>> f[["check", "severity"]].values.tolist()
    [['percent_count', 'info'], ['figure_mismatch', 'error']]
    """
    if isinstance(spec, (str, Path)):
        spec = load_figures(spec)
    elif isinstance(spec, dict):
        spec = parse_figures(spec, source="<figures>")
    from .figure_claims import check_identities
    from .figure_splits import check_percent_splits

    out = _Out()
    for table in spec.tables:
        _check_percent_cells(table, out)
        check_percent_splits(table, out)
        _check_sums(table, out)
    _check_claims(spec, out)
    check_identities(spec, out)
    if reference:
        _check_rates(spec, out)
        _check_neighbours(spec, out)
    else:
        saved = spec.authority
        spec.authority = None
        try:
            _check_rates(spec, out)
        finally:
            spec.authority = saved
    if data is not None:
        _check_recomputed(spec, data, out)
    _account_for_entries(spec, out, with_data=data is not None, reference=reference)
    recs = out.records
    core = make_findings([{k: r[k] for k in FINDING_COLUMNS} for r in recs])
    for col in EXTRA_COLUMNS:
        core[col] = pd.Series([r[col] for r in recs], dtype=object)
    return core


_MARK = {"error": "ERROR", "warning": "WARNING"}


def format_figures_text(findings: pd.DataFrame, *, source: str = "") -> str:
    """Human-readable report: grouped by table, one line per finding with its arithmetic."""
    lines = []
    if source:
        lines.append(f"Figures checked: {source}")
    order = list(dict.fromkeys(findings["table"].tolist()))
    for table in order:
        g = findings[findings["table"] == table]
        lines.append("")
        lines.append(str(table).capitalize() if table in ("claims", "identities", "rates", "neighbour averages", "return") else str(table))
        for r in g.itertuples(index=False):
            if r.severity in _MARK:
                mark = _MARK[r.severity]
            else:
                mark = {"ok": "ok", "not_checked": "NOT CHECKED", "note": "note"}.get(r.status, "info")
            loc = f" (line {int(r.row)})" if pd.notna(r.row) else ""
            lines.append(f"  [{mark}] {r.message}{loc if r.severity in _MARK else ''}")
    n_err = int((findings["severity"] == "error").sum())
    n_warn = int((findings["severity"] == "warning").sum())
    n_ok = int((findings["status"] == "ok").sum())
    n_nc = int((findings["status"] == "not_checked").sum())
    lines.append("")
    lines.append(f"{n_err} error(s), {n_warn} warning(s), {n_ok} check(s) passed, {n_nc} not checked.")
    return "\n".join(lines) + "\n"


def run_check_figures(path, *, data_dir=None, output_format: str = "text", stream=None) -> int:
    """The ``iro-analysis check-figures`` command.

    Parameters
    ----------
    path : str or Path
        The FIGURES.yml file.
    data_dir : str or Path, optional
        An SSDA903 return (anything :func:`iro_analysis.load_ssda903` reads) to recompute the
        figures marked ``recompute:``.
    output_format : {"text", "csv", "json"}
    stream : file-like, default ``sys.stdout``

    Returns
    -------
    int
        0 when nothing is inconsistent, 1 when any error or warning was found, 2 when the
        input is unusable (message on stderr naming the file, the entry and the fix).
    """
    stream = sys.stdout if stream is None else stream
    err = sys.stderr
    if output_format not in ("text", "csv", "json"):
        print(f"iro-analysis check-figures: --format must be text, csv or json (got {output_format!r}).", file=err)
        return 2
    try:
        spec = load_figures(path)
        data = None
        if data_dir is not None:
            from ..ssda903 import load_ssda903

            data = load_ssda903(data_dir)
        findings = check_figures(spec, data=data)
    except IroAnalysisError as exc:
        print(f"iro-analysis check-figures: {exc}", file=err)
        return 2
    except Exception as exc:  # never a traceback for the user; say what to report
        print(
            f"iro-analysis check-figures: unexpected {type(exc).__name__} while checking {path}: {exc}. "
            "Please report this with the FIGURES file.",
            file=err,
        )
        return 2
    if output_format == "text":
        stream.write(format_figures_text(findings, source=str(path)))
    elif output_format == "csv":
        buf = io.StringIO()
        findings.to_csv(buf, index=False, lineterminator="\n")
        stream.write(buf.getvalue())
    else:
        recs = []
        for rec in findings.to_dict(orient="records"):
            recs.append({k: (None if (v is None or (not isinstance(v, str) and pd.isna(v))) else (int(v) if k == "row" else v)) for k, v in rec.items()})
        stream.write(json.dumps(recs, indent=2, ensure_ascii=False) + "\n")
    return 1 if findings["severity"].isin(["error", "warning"]).any() else 0
