"""Claims against the tables and against each other (``percent_count``, ``figure_mismatch``).

A claim printed as a range, a change or a ratio of decimals is judged in
:mod:`~iro_analysis.figure_check.claims`.
"""

from __future__ import annotations

from fractions import Fraction

from . import claims as fc
from .numbers import Printed, _counts_text, _fmt, _numerators_for, _round_half_up, _show_exact
from .refs import _resolve
from .results import _Out
from .spec import Claim, FigureSpec, Ref


def _check_claims(spec: FigureSpec, out: _Out):
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
