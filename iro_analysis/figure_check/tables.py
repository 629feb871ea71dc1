"""Checks within a printed table: percentages against counts, rows against the total.

- ``percent_count``: each printed percentage against its count and denominator;
- ``percent_rows_swapped``: percentages that fit the counts only after moving them between rows;
- ``row_sum`` and ``percent_sum``: rows against their printed total, percentages against 100.
"""

from __future__ import annotations

from fractions import Fraction

from .numbers import _counts_text, _fmt, _numerators_for, _round_half_up, _show_exact
from .refs import _denominator, _where_cell
from .results import _Out
from .spec import Table


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
