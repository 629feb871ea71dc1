"""Percentages printed without their counts, against the printed total (``percent_split``).

"146 children: 46% female and 55% male" prints no counts, but the counts must be whole numbers
adding up to 146. A percentage ``p`` printed with ``d`` decimals fits a count ``k`` of ``N`` when
``100k/N`` rounds to ``p`` (``p - h <= 100k/N <= p + h``, ``h = 0.5 × 10^-d``, the upper end being
an exact half rounded down), so each row allows a run of whole counts ``kmin..kmax``; a split
exists exactly when every run is non-empty and ``sum(kmin) <= N <= sum(kmax)`` (rows with a
printed count contribute that count; rows with neither count nor percentage anything from 0 to
N). If no split exists under rounding, the same is tried with every percentage truncated
(``p <= 100k/N < p + 2h``): a split under truncation only is a warning, none at all an error.
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil, floor

from .numbers import Printed, _fmt
from .refs import _denominator
from .spec import Table

__all__ = ["count_run", "check_percent_splits"]


def count_run(p: Printed, den: int, truncated: bool = False) -> tuple[int, int]:
    """Whole counts ``k`` of ``den`` whose percentage prints as ``p``: ``(kmin, kmax)``, empty if kmin > kmax.

    Examples
    --------
    46% of 146: 100k/146 in [45.5, 46.5] -> k in [66.43, 67.89] -> 67 only.

    >>> count_run(Printed.parse("46"), 146)
    (67, 67)
    >>> count_run(Printed.parse("55"), 146)
    (80, 81)
    >>> count_run(Printed.parse("46"), 146, truncated=True)
    (68, 68)
    """
    if truncated:
        lo, hi_excl = p.value * den / 100, (p.value + 2 * p.half) * den / 100
        return max(0, ceil(lo)), min(den, ceil(hi_excl) - 1)
    lo, hi = (p.value - p.half) * den / 100, (p.value + p.half) * den / 100
    return max(0, ceil(lo)), min(den, floor(hi))


def _run_text(p: Printed, den: int, run, truncated=False) -> str:
    a, b = run
    if a > b:
        # Name the two counts either side, to show the gap.
        below = floor((p.value - (0 if truncated else p.half)) * den / 100)
        near = [k for k in (below, below + 1) if 0 <= k <= den]
        return f"{p}% fits no whole count of {den} (" + ", ".join(f"{k} / {den} = {_fmt(Fraction(100 * k, den))}%" for k in near) + ")"
    if a == b:
        return f"{p}% needs {a} ({a} / {den} = {_fmt(Fraction(100 * a, den))}%)"
    return f"{p}% needs {a} to {b} ({_fmt(Fraction(100 * a, den))}% to {_fmt(Fraction(100 * b, den))}%)"


def _example(runs, total) -> list[int] | None:
    """One split: start from the smallest counts and add the rest where there is room."""
    ks = [a for a, _ in runs]
    rest = total - sum(ks)
    for i, (a, b) in enumerate(runs):
        step = min(rest, b - a)
        ks[i] += step
        rest -= step
    return ks if rest == 0 else None


def _fits(items, den, summed, truncated):
    """(runs, feasible) for the items (cell, fixed count or None) of one denominator."""
    runs = []
    for cell, fixed in items:
        if fixed is not None:
            runs.append((fixed, fixed))
        elif cell.percent is None:
            runs.append((0, den))
        else:
            runs.append(count_run(cell.percent, den, truncated))
    ok = all(a <= b for a, b in runs) and (not summed or sum(a for a, _ in runs) <= den <= sum(b for _, b in runs))
    return runs, ok


def check_percent_splits(table: Table, out) -> None:
    """Add one ``percent_split`` row per column and denominator that has percentage-only rows."""
    for col in table.columns:
        groups: dict = {}
        for label in table.rows:
            cell = table.cells[(label, col)]
            if cell.is_total or cell.percent is None or cell.count is not None:
                continue
            den, den_label = _denominator(table, cell)
            if den is None or den == 0 or den_label == "sum of rows":
                continue
            groups.setdefault((den, den_label), []).append(cell)
        for (den, den_label), cells in groups.items():
            parts = table.parts(col)
            # The counts must add up to the total only when the percentages are of the total and the rows add up.
            summed = den_label == table.total and table.adds_up(col) and all(c in parts for c in cells)
            items = [(c, c.count) for c in parts] if summed else [(c, None) for c in cells]
            _report(table, col, den, den_label, cells, items, summed, out)


def _describe(items, runs, den, summed, truncated) -> str:
    """"46% needs 67 (...); 55% needs 80 to 81 (...); together 147 to 148" for one convention."""
    shown = [_run_text(cell.percent, den, run, truncated) for (cell, fixed), run in zip(items, runs)
             if fixed is None and cell.percent is not None]
    shown += [f"{cell.row} is {fixed}" for cell, fixed in items if fixed is not None]
    text = "; ".join(shown)
    if summed and all(a <= b for a, b in runs):
        lo, hi = sum(a for a, _ in runs), sum(b for _, b in runs)
        text += f"; together {lo if lo == hi else f'{lo} to {hi}'}"
        if lo > den or hi < den:
            text += f", {'more' if lo > den else 'fewer'} than {den}"
    return text


def _report(table, col, den, den_label, cells, items, summed, out):
    where = table.name + (f" / {col}" if col else "")
    pct_text = " and ".join(f"{c.percent}% {c.row}" for c in cells)
    common = dict(table=table.name, line=cells[0].line, column=col, row_label=", ".join(c.row for c in cells), value=pct_text)
    of = f"{den} ({den_label})" if den_label else str(den)
    runs, ok = _fits(items, den, summed, truncated=False)
    if ok:
        ex = _example(runs, den) if summed else None
        eg = f"e.g. {' + '.join(map(str, ex))} = {den}" if ex else ""
        out.add("percent_split", "ok", expected=eg, message=f"{where}: whole counts of {of} give {pct_text}: "
                f"{_describe(items, runs, den, summed, False)}" + (f"; {eg}" if eg else "") + " (OK)", **common)
        return
    t_runs, t_ok = _fits(items, den, summed, truncated=True)
    msg = (f"{where}: no split of {of} into whole counts gives {pct_text}. Rounded: {_describe(items, runs, den, summed, False)}. "
           f"Truncated: {_describe(items, t_runs, den, summed, True)}")
    if t_ok:
        ex = _example(t_runs, den) if summed else None
        out.add("percent_split", "warning", message=msg + (f"; e.g. {' + '.join(map(str, ex))} = {den}" if ex else "")
                + ": the percentages fit only if truncated, not rounded.", **common)
    else:
        out.add("percent_split", "error", message=msg + ".", **common)
