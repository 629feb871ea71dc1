"""Printed numbers and the rounding rule of the published-figure checks.

A figure printed with ``d`` decimals, ``p``, is consistent with an exact value ``x`` when ``x``
rounds half up to ``p``: ``p - h <= x < p + h`` with ``h = 0.5 × 10^-d``. At an exact tie
(``x = p + h``, e.g. 1/8 = 12.5% printed 12) rounding down (Python's and banker's rounding) is
accepted too. A printed figure equal to ``x`` *truncated* to ``d`` decimals (15.6% printed 15)
is reported as a ``warning`` (status inconsistent): truncation is a convention some systems
use, but readers assume rounding. Anything else is an ``error``. All arithmetic on counts is
exact (:class:`fractions.Fraction`), so 410/435 is never misjudged by binary floating point.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

__all__ = ["Printed"]


class _Num(float):
    """A YAML float remembering how it was written (``47.10`` keeps its two decimals)."""

    text: str = ""


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


def _verdict_text(verdict):
    return {"ok": "OK", "tie": "OK (exact half)", "truncated": "truncated", "mismatch": "differs"}[verdict]
