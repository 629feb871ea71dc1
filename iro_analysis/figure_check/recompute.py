"""Checks against the authority's SSDA903 return: figures marked ``recompute:`` (``recomputed``)."""

from __future__ import annotations

from fractions import Fraction

from ..errors import IroAnalysisError
from .numbers import Printed, _fmt, _round_half_up, _show_exact
from .refs import _where_cell
from .results import _Out
from .spec import RECOMPUTABLE, FigureSpec, FiguresFileError


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
