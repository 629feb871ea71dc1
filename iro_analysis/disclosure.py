"""Disclosure control for shareable outputs.

Two guards stand between child-level data and anything that leaves the restricted area:

* :func:`suppress_small_counts` replaces counts from 1 to ``threshold - 1`` (and the percentages
  and rates computed from them) with a symbol, with secondary suppression so that a suppressed
  cell cannot be recovered from a total;
* :func:`assert_shareable` and :func:`scan_text_for_identifiers` refuse a table or a rendered
  report that carries a child identifier (``CHILD``, ``UPN``, dates of birth, postcodes) or an
  unsuppressed small count.

The defaults follow DfE practice for children-looked-after statistics: counts of 1 to 4 are
shown as ``c`` and rates are not published from numerators below 5.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import DisclosureError, ParameterError

__all__ = [
    "IDENTIFIER_COLUMNS",
    "SUPPRESSED",
    "suppress_small_counts",
    "assert_shareable",
    "scan_text_for_identifiers",
    "POSTCODE_PATTERN",
    "IdentifierGuard",
    "escape_markdown",
]

#: Columns that identify a child or locate one. They never appear in a shareable output.
IDENTIFIER_COLUMNS = frozenset(
    {"CHILD", "UPN", "DOB", "MC_DOB", "HOME_POST", "PL_POST", "DATE_OF_BIRTH", "POSTCODE", "CHILDID"}
)

#: The symbol DfE uses for a suppressed value ("c": confidential).
SUPPRESSED = "c"

#: Full UK postcodes (outward + inward code). Postcode sectors ("RG40 1") are not matched.
POSTCODE_PATTERN = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}\b")

_UPN_PATTERN = re.compile(r"\b[A-Z][0-9]{12}\b")

# The two patterns above as the scans use them: the same matches, with the leading \b written as
# a look-behind after the first letter, so that the regex engine jumps from capital letter to
# capital letter instead of trying every position (a quarter of the time on a report's text).
# "[A-Z](?<!\w[A-Z])" is a capital letter not preceded by a word character, which is what
# "\b[A-Z]" is; tests hold them equal.
_POSTCODE_SCAN = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]?[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}\b")
_UPN_SCAN = re.compile(r"[A-Z](?<!\w[A-Z])[0-9]{12}\b")
_DATA_URI = re.compile(r"data:[a-z]+/[a-z0-9.+\-]+;base64,[A-Za-z0-9+/=\s]+")
_STYLE_BLOCK = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL | re.IGNORECASE)


def _is_small(values: pd.Series, threshold: int) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return (numbers > 0) & (numbers < threshold)


# 94 lines, 36 of them the docstring (parameters, method, worked examples): 46 lines of code.
def suppress_small_counts(
    table: pd.DataFrame,
    columns: Iterable[str],
    *,
    threshold: int = 5,
    dependent: dict[str, str] | None = None,
    secondary: bool = True,
    row_total: str | None = None,
    symbol: str = SUPPRESSED,
) -> pd.DataFrame:
    """Replace small counts with a symbol, with secondary suppression within each column.

    Parameters
    ----------
    table : DataFrame
        An aggregate table (one row per category).
    columns : iterable of str
        Count columns to protect.
    threshold : int, default 5
        Counts ``1 .. threshold - 1`` are suppressed; zero is shown (a true zero discloses
        nothing about an individual).
    dependent : dict, optional
        ``{derived_column: count_column}``: a percentage or rate is suppressed wherever the count
        it was computed from is suppressed (e.g. ``{"percent": "count"}``).
    secondary : bool, default True
        When exactly one cell of a column is suppressed, also suppress the next smallest
        non-zero cell, so the hidden value cannot be recovered by subtraction from the total.
        Rows labelled as totals (any cell equal to "Total" or "All") are never chosen.
    row_total : str, optional
        One of ``columns`` that holds each row's total (for example "Year" beside four
        quarters). Secondary suppression then also runs along rows: a row whose total is shown
        never has exactly one suppressed cell. Row and column passes repeat until neither adds
        a cell.
    symbol : str, default "c"

    Returns
    -------
    DataFrame
        A copy whose protected columns are strings: the original value or ``symbol``.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["A", "B", "C", "Total"], "count": [3, 12, 40, 55]})
    >>> suppress_small_counts(t, ["count"])["count"].tolist()
    ['c', 'c', '40', '55']
    """
    if threshold < 1:
        raise ParameterError(f"threshold must be at least 1, got {threshold}.")
    columns = list(columns)
    missing = [c for c in columns + list((dependent or {}).values()) if c not in table.columns]
    if missing:
        raise ParameterError(f"columns {missing} are not in the table (it has {list(table.columns)}).")
    out = table.copy()
    is_total = out.apply(lambda col: col.astype(str).str.strip().isin(["Total", "All", "total", "all"])).any(axis=1)
    if row_total is not None and row_total not in columns:
        raise ParameterError(f"row_total {row_total!r} must be one of the protected columns {columns}.")
    numbers = {column: pd.to_numeric(out[column], errors="coerce") for column in columns}
    masks: dict[str, pd.Series] = {column: _is_small(out[column], threshold) for column in columns}

    def hide_next_smallest(values: pd.Series, hidden: pd.Series, allowed: pd.Series):
        candidates = values[(values > 0) & ~hidden & allowed]
        return None if candidates.empty else candidates.idxmin()

    changed = secondary
    while changed:
        changed = False
        for column in columns:
            mask = masks[column]
            if int(mask.sum()) == 1 and len(out) > 2:
                pick = hide_next_smallest(numbers[column], mask, ~is_total)
                if pick is not None:
                    mask.loc[pick] = True
                    changed = True
        if row_total is None:
            continue
        cells = [c for c in columns if c != row_total]
        for row in out.index[~is_total]:
            if masks[row_total].loc[row]:
                continue  # the row total is hidden too: nothing to subtract from
            hidden = pd.Series({c: bool(masks[c].loc[row]) for c in cells})
            if int(hidden.sum()) == 1:
                values = pd.Series({c: numbers[c].loc[row] for c in cells})
                pick = hide_next_smallest(values, hidden, pd.Series(True, index=cells))
                if pick is not None:
                    masks[pick].loc[row] = True
                    changed = True
    for column, mask in masks.items():
        out[column] = _format_column(out[column]).where(~mask, symbol)
    for derived, source in (dependent or {}).items():
        if derived not in out.columns:
            raise ParameterError(f"dependent column {derived!r} is not in the table.")
        mask = masks.get(source, _is_small(table[source], threshold))
        out[derived] = _format_column(out[derived]).where(~mask, symbol)
    return out


def _format_column(values: pd.Series) -> pd.Series:
    """Render numbers as text without spurious decimals (12.0 -> '12')."""
    def render(value):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return str(int(value))
        return str(value)

    return values.map(render).astype(object)


def assert_shareable(
    table: pd.DataFrame,
    *,
    name: str = "table",
    count_columns: Iterable[str] = (),
    threshold: int = 5,
) -> None:
    """Raise if a table is not safe to circulate.

    Parameters
    ----------
    table : DataFrame
    name : str
        How to name the table in the error message.
    count_columns : iterable of str
        Columns holding counts of children or events; values ``1 .. threshold - 1`` must have been
        suppressed already.
    threshold : int, default 5

    Raises
    ------
    DisclosureError
        When an identifier column is present (by name, case-insensitive) or a count column holds
        an unsuppressed small count.
    """
    flat_columns = [" ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in table.columns]
    present = sorted({c for c in flat_columns if c.strip().upper() in IDENTIFIER_COLUMNS})
    index_names = [n for n in (table.index.names or []) if n and str(n).upper() in IDENTIFIER_COLUMNS]
    if present or index_names:
        raise DisclosureError(
            f"{name} contains child identifier column(s) {present + index_names}: child-level data "
            "belong in the restricted output only. Aggregate the table or drop those columns."
        )
    for column in count_columns:
        if column not in table.columns:
            raise DisclosureError(f"{name}: count column {column!r} is missing; cannot check it.")
        small = _is_small(table[column], threshold)
        if small.any():
            rows = list(table.index[small][:5])
            raise DisclosureError(
                f"{name}: column {column!r} has unsuppressed counts below {threshold} (rows {rows}). "
                "Pass the table through iro_analysis.disclosure.suppress_small_counts first."
            )


def scan_text_for_identifiers(text: str, identifiers: Iterable[str] = (), *, check_postcodes: bool = True) -> list[str]:
    """Find child identifiers in rendered output (HTML, CSV text).

    Parameters
    ----------
    text : str
        The rendered output.
    identifiers : iterable of str
        Known identifiers to look for as whole tokens (the return's CHILD and UPN values).
        Values shorter than 4 characters are ignored: they would match ordinary numbers.
    check_postcodes : bool, default True
        Also look for full UK postcodes and UPN-shaped strings.

    Returns
    -------
    list of str
        What was found (empty when the text is clean).
    """
    # Embedded images and stylesheets are not readable text; base64 would match by chance.
    text = _DATA_URI.sub("data:", text)
    text = _STYLE_BLOCK.sub("", text)
    found: list[str] = []
    tokens = None  # listed only when there are identifiers to look up (the final scans pass none)
    for value in identifiers:
        value = str(value).strip()
        if tokens is None:
            tokens = set(re.findall(r"[A-Za-z0-9_\-]+", text))
        if len(value) >= 4 and value in tokens:
            found.append(value)
    if check_postcodes:
        found.extend(sorted(set(_POSTCODE_SCAN.findall(text))))
        found.extend(sorted(set(_UPN_SCAN.findall(text))))
    return found


_ID_EDGE = "A-Za-z0-9"
_ID_EDGE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ALNUM_RUN = re.compile(f"[{_ID_EDGE}]+")


class IdentifierGuard:
    """Finds a return's child identifiers in shareable text, matching whole values of any characters.

    An identifier is found where it stands as a whole value (a table cell, an attribute) or is
    bounded by characters that are not letters or digits (``AB/12345`` in "code AB/12345." is
    found; ``1234`` inside ``91234`` is not). Identifiers made only of digits collide with the
    numbers a report prints (a child ID ``2023`` and the year 2023), so they are looked for only
    where an identifier could stand: whole cell values and row labels, not running text.

    Parameters
    ----------
    identifiers : iterable of str
        CHILD and UPN values of the return.

    Examples
    --------
    >>> guard = IdentifierGuard(["AB/12345", "2023"])
    >>> guard.in_text("Children in care on 31 March 2023: AB/12345.")
    ['AB/12345']
    >>> guard.in_value("2023")
    ['2023']
    """

    def __init__(self, identifiers: Iterable[str]):
        values = {v for v in (str(x).strip() for x in identifiers) if v and v.lower() != "nan"}
        self.all = values
        self.textual = sorted((v for v in values if not v.isdigit()), key=len, reverse=True)
        # An identifier that begins with a letter or digit can only start where a run of letters
        # and digits of the text starts, and that run is the identifier's own first run: index
        # identifiers by it, so a text is read once instead of once per identifier.
        self._rank = {v: i for i, v in enumerate(self.textual)}
        self._by_head: dict[str, list[str]] = {}
        self._unindexed = []  # identifiers beginning with another character: looked for one by one
        for value in self.textual:
            if value.isascii() and value.isalnum():  # most identifiers: one run, the whole value
                self._by_head.setdefault(value, []).append(value)
                continue
            head = _ALNUM_RUN.match(value)
            if head:
                self._by_head.setdefault(head.group(), []).append(value)
            else:
                self._unindexed.append(value)
        # A run shorter than every head is none of them: only the others are listed (most runs
        # of a report are short numbers, and listing them was most of the time of a search).
        shortest = min(map(len, self._by_head), default=1)
        self._long_runs = re.compile(f"[{_ID_EDGE}]{{{shortest},}}") if shortest > 1 else _ALNUM_RUN

    def __bool__(self) -> bool:
        return bool(self.all)

    def in_value(self, value) -> list[str]:
        """Identifiers that a single cell or label value is, or contains as a bounded substring."""
        text = str(value).strip()
        if text in self.all:
            return [text]
        return self.in_text(text)

    def in_text(self, text: str) -> list[str]:
        """Non-numeric identifiers standing in running text (bounded by non-alphanumerics)."""
        found = set()
        # Runs are listed and compared with the heads in C; the text is walked run by run (to
        # check where each match ends) only when some run is the head of an identifier.
        if self._by_head and not self._by_head.keys().isdisjoint(self._long_runs.findall(text)):
            for run in _ALNUM_RUN.finditer(text):
                for value in self._by_head.get(run.group(), ()):
                    end = run.start() + len(value)
                    if text.startswith(value, run.start()) and (end == len(text) or text[end] not in _ID_EDGE_CHARS):
                        found.add(value)
        for value in self._unindexed:
            if value in text and re.search(f"(?<![{_ID_EDGE}]){re.escape(value)}(?![{_ID_EDGE}])", text):
                found.add(value)
        return sorted(found, key=self._rank.__getitem__)


def escape_markdown(value) -> str:
    """Text from the data made inert for Markdown and HTML (``<b>`` stays literally ``<b>``).

    >>> escape_markdown("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert\\\\(1\\\\)&gt;'
    """
    text = html.escape(str(value), quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+!|~])", r"\\\1", text)
