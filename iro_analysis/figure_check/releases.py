"""Which DfE releases a report could have used (the FIGURES.yml ``published:`` date).

The DfE "Children looked after in England" release for the year ending 31 March ``Y`` is
published in November (or December) of ``Y``; the reference files carry no publication date, so
release ``Y`` is taken as available to reports published from 1 December of ``Y`` on. A
report's figures are compared only with the releases available when it was published, and a
figure for a year none of those releases covers is *not checked* rather than compared with the
nearest year.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["release_available_from", "parse_published", "usable_releases", "years_text"]

_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), 1)}


def release_available_from(release: int) -> dt.date:
    """The first day a report can have used DfE release ``release`` (assumed: 1 December).

    Examples
    --------
    >>> release_available_from(2022)
    datetime.date(2022, 12, 1)
    """
    return dt.date(int(release), 12, 1)


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def parse_published(ctx, raw, line) -> dt.date | None:
    """A report's publication date from ``2022-02-15``, ``2022-02`` or ``February 2022``.

    A month without a day is taken as its last day (the report was out by then).

    Examples
    --------
    >>> parse_published(None, "February 2022", 1)
    datetime.date(2022, 2, 28)
    """
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = " ".join(str(raw).strip().lower().split())
    try:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if m:
            return _month_end(int(m.group(1)), int(m.group(2)))
        m = re.fullmatch(r"(?:(\d{1,2}) )?([a-z]+) (\d{4})", text)
        if m:
            month = next((n for name, n in _MONTHS.items() if name.startswith(m.group(2)) and len(m.group(2)) >= 3), None)
            if month is not None:
                year = int(m.group(3))
                return dt.date(year, month, int(m.group(1))) if m.group(1) else _month_end(year, month)
    except ValueError:
        pass
    msg = (f"published {raw!r} is not understood; write the date the report was published, e.g. 2022-02-15, "
           "2022-02 or 'February 2022' (a year alone is not enough: DfE publishes in November).")
    if ctx is None:
        raise ValueError(msg)
    ctx.fail(msg, line=line, entry="published")


def usable_releases(releases, published: dt.date | None) -> tuple[list[int], list[int]]:
    """Split release years into those available at ``published`` and those published later."""
    releases = sorted(int(r) for r in releases)
    if published is None:
        return releases, []
    ok = [r for r in releases if release_available_from(r) <= published]
    return ok, [r for r in releases if r not in ok]


def later_text(later, published: dt.date) -> str:
    """Say which releases came after the report, e.g. "releases 2023, 2024 (...) came after the report"."""
    if not later:
        return ""
    rels = ", ".join(map(str, later))
    return (f"release{'s' if len(later) > 1 else ''} {rels} (taken as available from 1 December "
            f"of {'their year' if len(later) > 1 else str(later[0])}) came after the report ({published.day} {published:%B %Y})")


def years_text(years) -> str:
    """"31 March 2019-2025" for a set of years."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return "no years"
    return f"31 March {ys[0]}" if len(ys) == 1 else f"31 March {ys[0]}-{ys[-1]}"
