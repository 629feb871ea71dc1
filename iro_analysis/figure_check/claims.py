"""Claims beyond "this figure equals that one" (``iro-analysis check-figures``).

- ranges and inequalities: ``value: over 90`` ("over 90%"), ``fewer than 20``, ``40-50``;
- changes between a base and a new value (``change:`` with ``from:`` and ``to:``): a percentage
  change, a change in percentage points, a difference (counts, rates), with the direction word
  printed (``direction: increase`` for "an increase of 17%");
- identities (the ``identities:`` section): opening + starters - leavers = closing;
- percentages of a decimal numerator or denominator ("12.5 FTE of 40 posts").

A number printed with ``d`` decimals stands for every value that rounds to it,
``[p - h, p + h]`` with ``h = 0.5 × 10^-d`` (the upper end is an exact half, rounded down, which
:meth:`~iro_analysis.figure_check.numbers.Printed.judge` accepts too); whole counts are exact. Sums,
differences and ratios of such intervals are intervals (:class:`Span`), and a claim is consistent
when the interval it states meets the interval its figures allow. All arithmetic is exact
(:class:`fractions.Fraction`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from .numbers import Printed, _fmt, _round_half_up
from .reading import _check_keys, _line, _open_entry, _parse_ref, _printed, _validate_ref, _where
from .refs import _resolve
from .spec import Ref

__all__ = ["Span", "Bound", "Change", "Identity", "parse_bound", "CHANGE_KINDS", "DIRECTION_WORDS"]

#: What a change claim's value is: relative change in %, difference of two percentages in
#: points, or a plain difference in the unit of ``from``/``to``.
CHANGE_KINDS = ("percent", "points", "difference")

#: Direction words accepted in ``direction:`` and the sign they give the printed value.
DIRECTION_WORDS = {
    **dict.fromkeys(("increase", "increased", "rise", "rose", "up", "higher", "more", "growth", "grew", "gain"), 1),
    **dict.fromkeys(("decrease", "decreased", "fall", "fell", "down", "lower", "fewer", "less", "reduction",
                     "reduced", "drop", "dropped", "decline", "declined"), -1),
    **dict.fromkeys(("no change", "unchanged", "same", "stable"), 0),
}

CHANGE_KEYS = ("id", "text", "where", "value", "unit", "decimals", "change", "from", "to", "direction", "note")
IDENTITY_KEYS = ("id", "text", "where", "plus", "minus", "equals", "unit", "note")


# --------------------------------------------------------------------------------------------
# intervals


@dataclass(frozen=True)
class Span:
    """A closed interval of exact values ``[lo, hi]`` (a point for exact figures).

    Examples
    --------
    >>> s = Span.printed(Printed.parse("33")) - Span.printed(Printed.parse("32"))
    >>> float(s.lo), float(s.hi)
    (0.0, 2.0)
    """

    lo: Fraction
    hi: Fraction

    @classmethod
    def exact(cls, x) -> Span:
        return cls(Fraction(x), Fraction(x))

    @classmethod
    def printed(cls, p: Printed) -> Span:
        return cls(p.value - p.half, p.value + p.half)

    @property
    def is_exact(self) -> bool:
        return self.lo == self.hi

    def __add__(self, other: Span) -> Span:
        return Span(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: Span) -> Span:
        return Span(self.lo - other.hi, self.hi - other.lo)

    def __neg__(self) -> Span:
        return Span(-self.hi, -self.lo)

    def scale(self, k: Fraction) -> Span:
        a, b = self.lo * k, self.hi * k
        return Span(min(a, b), max(a, b))

    def ratio(self, den: Span) -> Span | None:
        """``self / den`` (None when ``den`` can be 0 or negative)."""
        if den.lo <= 0:
            return None
        # Linear in the numerator, monotone in a positive denominator: the corners bound it.
        corners = [n / d for n in (self.lo, self.hi) for d in (den.lo, den.hi)]
        return Span(min(corners), max(corners))

    def meets(self, other: Span) -> bool:
        return self.lo <= other.hi and other.lo <= self.hi

    def text(self, decimals: int = 2, signed: bool = False) -> str:
        def one(x):
            s = _fmt(x, decimals)
            return ("+" + s) if signed and x > 0 else s

        return one(self.lo) if self.is_exact else f"{one(self.lo)} to {one(self.hi)}"


@dataclass(frozen=True)
class Bound:
    """A printed range or inequality: "over 90", "at most 5", "40-50".

    ``lo``/``hi`` are None when open; ``*_strict`` excludes the end itself ("over 90" is
    ``x > 90``). The ends are taken literally, not as rounded figures.
    """

    lo: Fraction | None
    lo_strict: bool
    hi: Fraction | None
    hi_strict: bool
    text: str

    def meets(self, span: Span) -> bool:
        """Whether some value of ``span`` lies in the bound."""
        lo, lo_open = span.lo, False
        if self.lo is not None and (self.lo > lo or (self.lo == lo and self.lo_strict)):
            lo, lo_open = self.lo, self.lo_strict
        hi, hi_open = span.hi, False
        if self.hi is not None and (self.hi < hi or (self.hi == hi and self.hi_strict)):
            hi, hi_open = self.hi, self.hi_strict
        return lo < hi or (lo == hi and not lo_open and not hi_open)


_NUM = r"(-?\d[\d,]*(?:\.\d+)?)\s*%?"
_BOUND_WORDS = (
    (r"over|more than|greater than|above|>", "lo", True),
    (r"at least|no fewer than|no less than|not less than|>=|≥", "lo", False),
    (r"under|below|less than|fewer than|<", "hi", True),
    (r"at most|no more than|not more than|up to|<=|≤", "hi", False),
)


def parse_bound(raw) -> Bound | None:
    """A :class:`Bound` from a value written as a range or inequality, else None.

    Examples
    --------
    >>> b = parse_bound("over 90%")
    >>> float(b.lo), b.lo_strict, b.hi
    (90.0, True, None)
    >>> float(parse_bound("between 40 and 50").hi)
    50.0
    >>> parse_bound("94.5") is None
    True
    """
    if not isinstance(raw, str):
        return None
    text = " ".join(raw.strip().lower().split())
    for words, side, strict in _BOUND_WORDS:
        m = re.fullmatch(rf"(?:{words})\s*{_NUM}", text)
        if m:
            x = Printed.parse(m.group(1)).value
            return Bound(x, strict, None, False, raw.strip()) if side == "lo" else Bound(None, False, x, strict, raw.strip())
    m = re.fullmatch(rf"(?:between\s+)?{_NUM}\s*(?:-|–|to|and)\s*{_NUM}", text)
    if m:
        a, b = Printed.parse(m.group(1)).value, Printed.parse(m.group(2)).value
        if a <= b:
            return Bound(a, False, b, False, raw.strip())
    return None


def bound_hint() -> str:
    return "or a range as printed: 'over 90', 'at least 90', 'fewer than 20', 'at most 5', '40-50'"


# --------------------------------------------------------------------------------------------
# terms: numbers as printed, cell references, other figures' ids


@dataclass
class Term:
    """One operand of a change or identity: a printed number or a reference."""

    number: Printed | None = None
    ref: Ref | None = None

    @property
    def text(self) -> str:
        return self.number.text if self.number is not None else self.ref.text


def parse_term(ctx, raw, entry, line, what) -> Term:
    if isinstance(raw, (dict,)) or (isinstance(raw, str) and " / " in raw):
        return Term(ref=_parse_ref(ctx, raw, entry, line))
    if isinstance(raw, str) and re.fullmatch(r"[A-Za-z_][\w.-]*", raw.strip()):
        return Term(ref=Ref(text=raw.strip(), figure=raw.strip()))
    if raw is None or isinstance(raw, bool):
        ctx.fail(f"{what} is missing; give a number as printed, a cell ('TABLE / ROW / COLUMN') or a figure's id.",
                 line=line, entry=entry)
    return Term(number=_printed(ctx, raw, entry, line, what=what))


def validate_term(ctx, spec, term: Term, entry, line):
    """A term's reference must name a table cell, a claim or a single rate."""
    if term.ref is None:
        return
    if term.ref.figure is not None:
        ids = {c.id for c in spec.claims} | {r.id for r in spec.rates if len(r.columns) == 1}
        if term.ref.figure not in ids:
            ctx.fail(f"'{term.ref.figure}' is not the id of a claim or of a one-column rate (for a table cell write "
                     "'TABLE / ROW / COLUMN' with spaces around each /).", line=line, entry=entry)
        return
    _validate_ref(ctx, spec, term.ref, set(), entry, line)


def term_span(spec, term: Term, unit: str) -> tuple[Span | None, str]:
    """The values a term can have, and how to show it (``"114 (Table B / Total)"``)."""
    if term.number is not None:
        p = term.number
        exact = unit == "count" and p.decimals == 0
        return (Span.exact(p.value) if exact else Span.printed(p)), p.text
    ref = term.ref
    if ref.figure is not None:
        rate = next((r for r in spec.rates if r.id == ref.figure), None)
        if rate is not None:
            if unit == "count" and rate.counts[0] is not None and not isinstance(rate.counts[0], Ref):
                return Span.exact(rate.counts[0]), f"{rate.counts[0]} ('{rate.id}')"
            r = rate.rates[0]
            return (None, f"'{rate.id}'") if r is None else (Span.printed(r), f"{r} ('{rate.id}')")
        claim = next(c for c in spec.claims if c.id == ref.figure)
        if claim.bound is not None or claim.change is not None:
            return None, f"'{claim.id}'"
    val = _resolve(spec, ref)
    name = val.text
    if unit == "percent":
        if val.exact_percent is not None:
            return Span.exact(val.exact_percent), f"{_fmt(val.exact_percent)} ({name}: {val.arith})"
        p = val.printed_percent if val.printed_percent is not None else (val.printed if val.unit == "percent" else None)
        return (None, name) if p is None else (Span.printed(p), f"{p} ({name})")
    if val.count is not None:
        return Span.exact(val.count), f"{val.count} ({name})"
    if val.printed is not None:
        return Span.printed(val.printed), f"{val.printed} ({name})"
    return None, name


# --------------------------------------------------------------------------------------------
# judging a claimed value against what its figures allow


def judge_span(pv: Printed, span: Span) -> str:
    """``ok``, ``tie``, ``truncated`` or ``mismatch`` for a printed value against a span."""
    if span.is_exact:
        return pv.judge(span.lo)
    if Span.printed(pv).meets(span):
        return "ok"
    if Span(pv.value, pv.value + 2 * pv.half).meets(span) if pv.value >= 0 else Span(pv.value - 2 * pv.half, pv.value).meets(span):
        return "truncated"
    return "mismatch"


def check_bound_claim(spec, claim, label, common, out):
    """A claim printed as a range or inequality, against its refers_to and numerator/denominator."""
    b = claim.bound
    suffix = "%" if claim.unit == "percent" else ""
    targets = []
    if claim.numerator is not None:
        span, shown = ratio_span(spec, claim)
        targets.append(("percent_count", span, shown))
    for ref in claim.refers_to:
        span, shown = term_span(spec, Term(ref=ref), claim.unit)
        targets.append(("figure_mismatch", span, shown))
    for check, span, shown in targets:
        head = f"{label} says {b.text}{suffix if not b.text.endswith('%') else ''}; {shown}"
        if span is None:
            out.add(check, "not_checked", message=f"{head}: nothing comparable (blank cell, or a range).", **common)
        elif b.meets(span):
            out.add(check, "ok", expected=span.text(), message=f"{head} (OK)", **common)
        else:
            out.add(check, "error", expected=span.text(), message=f"{head}, which is not {b.text}.", **common)


def ratio_span(spec, claim) -> tuple[Span | None, str]:
    """``100 × numerator / denominator`` for a percentage claim whose figures may be decimals."""
    num, num_text = term_span(spec, _as_term(claim.numerator), "count")
    den, den_text = term_span(spec, _as_term(claim.denominator), "count")
    if num is None or den is None:
        return None, f"{num_text} / {den_text}"
    span = num.ratio(den)
    if span is None:
        return None, f"{num_text} / {den_text} (denominator 0)"
    span = span.scale(Fraction(100))
    return span, f"{num_text} / {den_text} = {span.text()}%"


def _as_term(x) -> Term:
    if isinstance(x, Ref):
        return Term(ref=x)
    return Term(number=x if isinstance(x, Printed) else Printed(Fraction(x), 0, str(x)))


def check_decimal_ratio(spec, claim, label, common, out):
    """A percentage claim with a decimal numerator or denominator (each taken at its rounding)."""
    span, shown = ratio_span(spec, claim)
    pv = claim.value
    if span is None:
        out.add("percent_count", "not_checked", message=f"{label}: {shown}: nothing to compare.", **common)
        return
    v = judge_span(pv, span)
    if v in ("ok", "tie"):
        out.add("percent_count", "ok", expected=span.text(pv.decimals), message=f"{label}: {shown}, printed {pv}% (OK)", **common)
    else:
        out.add("percent_count", "warning" if v == "truncated" else "error", expected=span.text(pv.decimals),
                message=f"{label}: {shown}, printed {pv}%" + (" (truncated, not rounded)." if v == "truncated" else
                                                              " (outside what the printed figures allow)."), **common)


# --------------------------------------------------------------------------------------------
# changes


@dataclass
class Change:
    """A change claim: ``value`` is the change from ``base`` to ``new`` of kind ``kind``."""

    kind: str
    base: Term
    new: Term
    direction: str | None = None

    @property
    def sign(self) -> int | None:
        return None if self.direction is None else DIRECTION_WORDS[self.direction]


def parse_change(ctx, raw, entry, unit_default="count") -> tuple[Change, str]:
    """The ``change``, ``from``, ``to`` and ``direction`` keys of a claim; returns (change, unit)."""
    _check_keys(ctx, raw, CHANGE_KEYS, entry)
    kind = raw.get("change")
    if kind not in CHANGE_KINDS:
        ctx.fail(f"change must be one of {', '.join(CHANGE_KINDS)} (percent: a percentage change; points: a change "
                 f"in percentage points; difference: new minus base), got {kind!r}.", line=_line(raw, "change") or _line(raw), entry=entry)
    for key in ("from", "to"):
        if raw.get(key) is None:
            ctx.fail(f"a change needs '{key}:' (the {'base' if key == 'from' else 'new'} value: a number as printed, "
                     "a cell 'TABLE / ROW / COLUMN' or a figure's id).", line=_line(raw), entry=entry)
    unit = raw.get("unit", "percent" if kind == "points" else unit_default)
    direction = raw.get("direction")
    if direction is not None:
        direction = " ".join(str(direction).strip().lower().split())
        if direction not in DIRECTION_WORDS:
            ctx.fail(f"direction {raw.get('direction')!r} is not known; write the word printed, e.g. increase, rise, "
                     "decrease, fall, reduction, or 'no change'.", line=_line(raw, "direction"), entry=entry)
    change = Change(
        kind=kind,
        base=parse_term(ctx, raw.get("from"), entry, _line(raw, "from"), "from"),
        new=parse_term(ctx, raw.get("to"), entry, _line(raw, "to"), "to"),
        direction=direction,
    )
    return change, unit


def _change_span(kind, base: Span, new: Span) -> Span | None:
    if kind == "percent":
        # new / base - 1, not (new - base) / base on intervals: the base appears once only.
        r = new.ratio(base)
        return None if r is None else (r - Span.exact(1)).scale(Fraction(100))
    return new - base


_KIND_UNIT = {"percent": "%", "points": " points"}


def check_change(spec, claim, label, common, out):
    """A change claim against its base and new value, with the direction word printed."""
    ch = claim.change
    base, base_text = term_span(spec, ch.base, claim.unit)
    new, new_text = term_span(spec, ch.new, claim.unit)
    suffix = _KIND_UNIT.get(ch.kind, "")
    pv = claim.value
    said = (f"{'an' if ch.direction[0] in 'aeiou' else 'a'} {ch.direction} of " if ch.direction and ch.sign else "") + \
        (claim.bound.text if claim.bound is not None else f"{pv}{suffix}")
    if ch.direction and ch.sign == 0:
        said = f"{ch.direction} ({pv}{suffix})"
    head = f"{label} says {said}; from {base_text} to {new_text}"
    if base is None or new is None:
        out.add("change", "not_checked", message=f"{head}: a value is blank or not a single figure.", **common)
        return
    span = _change_span(ch.kind, base, new)
    if span is None:
        out.add("change", "not_checked", message=f"{head}: a percentage change from 0 is undefined.", **common)
        return
    d = max(2, pv.decimals + 1)
    how = {"percent": "a change of", "points": "a change of", "difference": "a difference of"}[ch.kind]
    work = f"{how} {span.text(d, signed=True)}{suffix}"
    if ch.kind == "percent" and base.is_exact and new.is_exact:
        b, n = (_fmt(x.lo, 0 if x.lo.denominator == 1 else 2) for x in (base, new))
        work = f"({n} - {b}) / {b} = {span.text(d, signed=True)}%"
    expected = _fmt(_round_half_up(span.lo, pv.decimals), pv.decimals) if span.is_exact else span.text(d, signed=True)
    # The claimed signed value(s): the direction word gives the sign of the printed magnitude.
    claimed = _claimed(claim, ch.sign)
    actual_sign = 1 if span.lo > 0 else (-1 if span.hi < 0 else 0)
    if ch.sign is not None and ch.sign != 0 and actual_sign == -ch.sign:
        word = "an increase" if actual_sign > 0 else "a decrease"
        out.add("change_direction", "error", expected=expected,
                message=f"{head}: {work}, which is {word}: the direction word '{ch.direction}' is wrong"
                + (" (the size fits)." if _claimed(claim, -ch.sign)(span) == "ok" else "."), **common)
        return
    if ch.sign == 0:
        verdict = "ok" if span.lo <= 0 <= span.hi or claimed(span) == "ok" else "mismatch"
    else:
        verdict = claimed(span)
    if verdict in ("ok", "tie"):
        out.add("change", "ok", expected=expected, message=f"{head}: {work} (OK)", **common)
    elif verdict == "truncated":
        out.add("change", "warning", expected=expected, message=f"{head}: {work}; {pv} is the truncated value, not the rounded one.", **common)
    else:
        fit = "is not " + claim.bound.text if claim.bound is not None else (
            f"rounds to {expected}" if span.is_exact else f"cannot round to {pv}")
        out.add("change", "error", expected=expected, message=f"{head}: {work}, which {fit}.", **common)


def _claimed(claim, sign):
    """A function judging a span against the claim's value with the given sign (None: as written)."""
    pv = claim.value
    if claim.bound is not None:
        b = claim.bound
        if sign == -1:  # "a fall of over 10%": the bound is on the size of the fall
            b = Bound(None if b.hi is None else -b.hi, b.hi_strict, None if b.lo is None else -b.lo, b.lo_strict, b.text)
        return lambda span: "ok" if b.meets(span) else "mismatch"
    if sign in (1, -1):
        pv = Printed(abs(pv.value) * sign, pv.decimals, pv.text)
    return lambda span: judge_span(pv, span)


# --------------------------------------------------------------------------------------------
# identities


@dataclass
class Identity:
    """``sum(plus) - sum(minus) = equals`` (e.g. opening + starters - leavers = closing)."""

    id: str
    line: int | None
    plus: list[Term]
    minus: list[Term] = field(default_factory=list)
    equals: Term | None = None
    unit: str = "count"
    where: str = ""


def parse_identity(ctx, raw, index, ids) -> Identity:
    raw, iid, entry = _open_entry(ctx, raw, "identities", index, IDENTITY_KEYS, ids, "identity", "id: flow_2022_23",
                                  " across claims, rates, neighbour_averages and identities")
    terms = {}
    for key in ("plus", "minus"):
        val = raw.get(key, [])
        val = val if isinstance(val, list) else [val]
        terms[key] = [parse_term(ctx, t, entry, _line(raw, key), key) for t in val]
    if not terms["plus"]:
        ctx.fail("an identity needs 'plus:' (the terms added, e.g. [opening, starters]) and 'equals:'.", line=_line(raw), entry=entry)
    if raw.get("equals") is None:
        ctx.fail("an identity needs 'equals:' (the printed result, e.g. the number at the end of the year).", line=_line(raw), entry=entry)
    unit = raw.get("unit", "count")
    if unit not in ("count", "percent", "rate_per_10k", "number"):
        ctx.fail(f"unit must be one of count, percent, rate_per_10k, number (got {unit!r}).", line=_line(raw, "unit"), entry=entry)
    return Identity(id=str(iid), line=_line(raw), plus=terms["plus"], minus=terms["minus"],
                    equals=parse_term(ctx, raw["equals"], entry, _line(raw, "equals"), "equals"), unit=unit, where=_where(raw))


def check_identities(spec, out):
    for ident in spec.identities:
        label = f"'{ident.id}'" + (f" ({ident.where})" if ident.where else "")
        common = dict(table="identities", line=ident.line, figure_id=ident.id)
        parts = [(+1, t) for t in ident.plus] + [(-1, t) for t in ident.minus]
        total, shown, blank = Span.exact(0), [], False
        for sign, term in parts:
            span, text = term_span(spec, term, ident.unit)
            shown.append(("+ " if sign > 0 else "- ") + text)
            if span is None:
                blank = True
                continue
            total = total + span if sign > 0 else total - span
        result, result_text = term_span(spec, ident.equals, ident.unit)
        arith = " ".join(shown)[2:]
        common.update(value=result_text, reported=result_text)
        if blank or result is None:
            out.add("identity", "not_checked", message=f"{label}: {arith} = {result_text}: a term is blank or not a single figure.", **common)
            continue
        d = 0 if total.is_exact and total.lo.denominator == 1 else 2
        if total.meets(result):
            out.add("identity", "ok", expected=total.text(d), message=f"{label}: {arith} = {total.text(d)}, printed {result_text} (OK)", **common)
        else:
            gap = (result.lo - total.hi) if result.lo > total.hi else (result.hi - total.lo)
            out.add("identity", "error", expected=total.text(d),
                    message=f"{label}: {arith} = {total.text(d)}, but {result_text} is printed "
                    f"({_fmt(abs(gap), d)} {'more' if gap > 0 else 'fewer'} than the terms give).", **common)


def validate_terms(ctx, spec):
    """References in change claims and identities must exist (called once everything is parsed)."""
    for c in spec.claims:
        if c.change is not None:
            for t in (c.change.base, c.change.new):
                validate_term(ctx, spec, t, f"claims '{c.id}'", c.line)
    for ident in spec.identities:
        for t in [*ident.plus, *ident.minus, ident.equals]:
            validate_term(ctx, spec, t, f"identities '{ident.id}'", ident.line)
