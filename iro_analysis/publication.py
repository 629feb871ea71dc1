"""The publication layer: one object per report through which every shared number passes.

A :class:`Publication` holds every table a shareable report shows, every count quoted in its
prose, and the identities that link them. :meth:`Publication.finalise` decides jointly which
cells to hide (:func:`iro_analysis.disclosure_audit.protect`) and audits the result; after that,
tables, chart data, sentences and the Excel workbook are all read from the published values, so
a chart or a sentence can never show what a table hides.

Every value that comes from the data (labels, codes, captions) is HTML-escaped when rendered and
checked against the return's child identifiers as a whole value; numbers are formatted by the
package. Percentages, rates, ratios, intervals and changes are declared as *derived* from the
counts they are computed from and are hidden wherever one of those counts is hidden.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .disclosure import SUPPRESSED, IdentifierGuard, escape_markdown
from .disclosure_audit import Cell, CellSystem, close, protect, required_width
from .errors import DisclosureError, ParameterError

__all__ = [
    "Publication",
    "PublishedTable",
    "MINIMUM_THRESHOLD",
    "HIDDEN_NOTE",
    "escape_markdown",
    "check_threshold",
]

#: The smallest threshold allowed for shareable output (DfE/ONS convention: counts 1 to 4 hidden).
MINIMUM_THRESHOLD = 5

#: How a hidden figure is explained to a reader.
HIDDEN_NOTE = ('"c" marks a figure not shown to protect children\'s privacy: a count from 1 to {top}, '
               "or a figure hidden so that such a count cannot be worked out from the others.")

TOTAL_LABEL = "Total"
#: Numeric columns that are labels (years, releases): printed without a thousands separator.
_LABEL_LIKE = {"year", "release", "time_period", "collection_year", "la_code"}


def check_threshold(threshold, *, allow_below_minimum: bool = False) -> int:
    """Validate a suppression threshold for shareable output.

    Raises
    ------
    ParameterError
        Below :data:`MINIMUM_THRESHOLD` unless ``allow_below_minimum`` is given explicitly.
    """
    try:
        value = int(threshold)
    except (TypeError, ValueError):
        raise ParameterError(f"suppression_threshold must be a whole number, got {threshold!r}.") from None
    if value < 1:
        raise ParameterError(f"suppression_threshold must be 1 or more, got {value}.")
    if value < MINIMUM_THRESHOLD and not allow_below_minimum:
        raise ParameterError(
            f"suppression_threshold={value} would publish counts below {MINIMUM_THRESHOLD}, under the DfE/ONS "
            f"minimum for shareable output. Use {MINIMUM_THRESHOLD} or more, or set "
            "allow_unsafe_threshold=True for an internal, non-shareable analysis (the report then says so)."
        )
    return value


@dataclass
class PublishedTable:
    """One table of a report: its source frame, the role of each column and each cell's key."""

    name: str
    caption: str
    frame: pd.DataFrame
    labels: list[str]
    counts: list[str]
    derived: dict[str, list]
    public: list[str]
    decimals: dict[str, int | dict]
    keys: dict[tuple[int, str], str] = field(default_factory=dict)
    total_row: int | None = None
    note: str = ""
    _row_labels: list[str] | None = field(default=None, init=False, repr=False, compare=False)

    def row_label(self, position: int) -> str:
        return self.row_labels()[position]

    def row_labels(self) -> list[str]:
        """Every row's label (its label columns joined by " / "), worked out once: the frame is fixed."""
        if self._row_labels is None:
            self._row_labels = _row_labels(self.frame, self.labels)
        return self._row_labels


def _row_labels(frame: pd.DataFrame, labels: list[str]) -> list[str]:
    """``" / ".join(str(frame.iloc[p][c]) for c in labels)`` for every row ``p``, column by column.

    A row read with ``iloc`` holds each value as its own column's scalar when the frame's columns
    have different kinds (the row is of object dtype), which ``Series.tolist`` gives too; a frame
    of numbers only is read row by row, since its rows are cast to one dtype (a year becomes 2023.0).
    """
    if not labels or len(frame) == 0:
        return [""] * len(frame)
    if frame.iloc[0].dtype != object:
        return [" / ".join(str(frame.iloc[p][c]) for c in labels) for p in range(len(frame))]
    columns = [[str(v) for v in frame[c].tolist()] for c in labels]
    return [" / ".join(parts) for parts in zip(*columns)]


def _whole_counts(column: pd.Series) -> np.ndarray | None:
    """The column as floats, or None unless every value is a whole number from 0 up.

    Whole as :func:`numpy.allclose` has it (``|x - round(x)| <= 1e-8 + 1e-5 |round(x)|``), written
    out on the array: the same test without the cost of the general call, once per count column.
    """
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iuf":  # numbers already
        numbers = column.to_numpy(dtype=float)
        if np.isnan(numbers).any():
            return None
    else:
        values = pd.to_numeric(column, errors="coerce")
        if values.isna().any():
            return None
        numbers = values.to_numpy(dtype=float)
    rounded = np.round(numbers)
    with np.errstate(invalid="ignore"):  # inf - inf: infinite values are equal to themselves
        whole = (np.abs(numbers - rounded) <= 1e-8 + 1e-5 * np.abs(rounded)) | (numbers == rounded)
    if (numbers < 0).any() or not whole.all():
        return None
    return numbers


class Publication:
    """Every figure of one shareable report, suppressed jointly and audited.

    Parameters
    ----------
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` are hidden.
    identifiers : iterable of str
        The return's child identifiers (CHILD, UPN): none may appear as a label or in prose.
    allow_below_minimum : bool, default False
        Permit a threshold below 5 (internal use only; every table then says so).

    Examples
    --------
    >>> pub = Publication()
    >>> t = pd.DataFrame({"sex": ["Male", "Female"], "count": [7, 2], "percent": [77.8, 22.2]})
    >>> _ = pub.add_table("E Sex", t, labels=["sex"], counts=["count"], add_total=True,
    ...                   derived={"percent": ["count", "@total"]})
    >>> pub.finalise()
    >>> pub.published("E Sex")["count"].tolist()   # 7 hidden too: 9 - 7 would give 2
    ['c', 'c', '9']
    >>> pub.published("E Sex")["percent"].tolist()
    ['c', 'c', '']
    """

    def __init__(self, *, threshold: int = 5, identifiers: Iterable[str] = (), allow_below_minimum: bool = False):
        self.threshold = check_threshold(threshold, allow_below_minimum=allow_below_minimum)
        self.below_minimum = self.threshold < MINIMUM_THRESHOLD
        self.identifiers = {str(v).strip() for v in identifiers if str(v).strip()}
        self.system = CellSystem()
        self.tables: dict[str, PublishedTable] = {}
        self.hidden: set[str] = set()
        self.audit_table: pd.DataFrame | None = None
        self._final = False
        self._masks: dict[str, dict[str, np.ndarray]] = {}  # table -> column -> hidden, once final
        self._numeric: dict[str, pd.DataFrame] = {}  # table -> numeric(), once final (handed out as copies)
        self._guard: tuple[frozenset, IdentifierGuard] | None = None  # see identifier_guard()

    # --- building ------------------------------------------------------------------------------

    # 123 lines, 42 of them the docstring (parameters, method, worked examples): 61 lines of code.
    def add_table(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        labels: list[str],
        counts: Iterable[str] = (),
        derived: Mapping[str, list] | None = None,
        public: Iterable[str] = (),
        decimals: Mapping[str, int | Mapping[str, int]] | None = None,
        caption: str = "",
        key: Callable[[str, str], str | None] | None = None,
        add_total: bool = False,
        total_label: str = TOTAL_LABEL,
        total_column: str | None = None,
        total_of: Iterable[str] | None = None,
        note: str = "",
        cost: float = 1.0,
    ) -> PublishedTable:
        """Register a table to publish.

        Parameters
        ----------
        name : str
            Unique name (also the Excel sheet name).
        frame : DataFrame
            Aggregate table; every column must be named in ``labels``, ``counts``, ``derived``
            or ``public`` (so nothing is published by accident).
        labels : list of str
            Row label columns (text; escaped and checked for identifiers).
        counts : iterable of str
            Count columns (suppressed).
        derived : dict, optional
            ``{column: [sources]}``: hidden when any source is hidden. A source is a count column
            of the same row, ``"@total"`` (the total row's cell of the first count column),
            ``"@total:<column>"`` (the total row's cell of that count column), or a callable
            ``row_label -> key`` for a cell elsewhere in the report.
        public : iterable of str
            Columns of published, non-disclosive figures shown as they are (population shares,
            DfE published figures).
        decimals : dict, optional
            Decimal places per derived/public column (counts are whole numbers), default 1. A
            column whose rows differ (a table of indicators: counts, rates and percentages) takes
            ``{row_label: places}``; rows not named get 1.
        key : callable, optional
            ``key(row_label, column) -> str`` naming a cell shared with other tables; return
            None for the default (``"<name>|<row>|<column>"``).
        add_total : bool, default False
            Append a ``total_label`` row holding each count column's sum.
        total_label : str, default "Total"
            Label of the total row (an existing row with this label is used as the total).
        total_column : str, optional
            A count column holding each row's total (for example "Year" beside four quarters).
        total_of : iterable of str, optional
            The count columns that add up to ``total_column`` (default: every other count
            column). Name them when the table also holds counts outside that sum, such as last
            year's total beside this year's quarters.
        note : str, optional
            A sentence shown under the table.
        cost : float, default 1
            Weight of this table's cells when choosing what else to hide: a headline table
            (say 100) keeps its figures and an analysis table (1) gives way first.
        """
        if self._final:
            raise ParameterError("the publication is final: add every table before finalise().")
        if name in self.tables:
            raise ParameterError(f"table {name!r} is added twice.")
        counts, public = list(counts), list(public)
        derived = {k: list(v) for k, v in (derived or {}).items()}
        table = frame.reset_index(drop=True).copy()
        declared = set(labels) | set(counts) | set(derived) | set(public)
        undeclared = [c for c in table.columns if c not in declared]
        if undeclared:
            raise ParameterError(f"table {name!r}: columns {undeclared} are not declared as labels, counts, "
                                 "derived or public; drop them or say what they are.")
        missing = [c for c in declared if c not in table.columns]
        if missing:
            raise ParameterError(f"table {name!r} has no columns {missing}.")
        for column in counts:
            values = _whole_counts(table[column])
            if values is None:
                raise ParameterError(f"table {name!r}: column {column!r} must hold whole, non-negative counts.")
            table[column] = values
        if add_total:
            total = {c: (table[c].sum() if c in counts else np.nan) for c in table.columns}
            for c in labels:
                total[c] = total_label if c == labels[0] else ""
            table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
        published = PublishedTable(name, caption, table, list(labels), counts, derived, public,
                                   dict(decimals or {}), note=note)
        if labels:  # the last row labelled total_label (as text) is the total row
            first = table[labels[0]]
            if first.dtype == object or isinstance(first.dtype, pd.StringDtype):  # text: compared as it is
                is_total_row = [str(v) == total_label for v in first.tolist()]
            else:
                is_total_row = first.astype(str).eq(total_label).tolist()
            if any(is_total_row):
                published.total_row = int(np.flatnonzero(is_total_row)[-1])
        values = {column: table[column].tolist() for column in counts}  # floats, as table.at gives them
        for position, label in enumerate(published.row_labels()):
            for column in counts:
                value = float(values[column][position])
                chosen = key(label, column) if key else None
                existing = self.system.cells.get(chosen) if chosen else None
                if existing is not None and not close(existing.value, value):
                    chosen = None  # not the same figure after all (definitions differ): no link to use
                cell_key = chosen or f"{name}|{label}|{column}"
                where = f"table '{name}', row '{label}', column '{column}'"
                is_total = position == published.total_row or column == total_column
                self.system.add_cell(Cell(cell_key, value, True, is_total, where, cost))
                published.keys[(position, column)] = cell_key
        # margins: a total row adds up its column; a total column adds up its row
        if published.total_row is not None:
            body = [p for p in range(len(table)) if p != published.total_row]
            for column in counts:
                terms = {}
                for p in body:
                    terms[published.keys[(p, column)]] = terms.get(published.keys[(p, column)], 0) + 1
                terms[published.keys[(published.total_row, column)]] = -1
                self.system.add_relation(terms, source=f"{name}: column {column} adds up to its total")
        if total_column is not None:
            parts = [c for c in (counts if total_of is None else total_of) if c != total_column]
            outside = [c for c in parts if c not in counts]
            if outside:
                raise ParameterError(f"table {name!r}: total_of names {outside}, which are not count columns.")
            for p in range(len(table)):
                terms = {published.keys[(p, c)]: 1 for c in parts}
                terms[published.keys[(p, total_column)]] = -1
                self.system.add_relation(terms, source=f"{name}: row {published.row_label(p)} adds up to {total_column}")
        self.tables[name] = published
        return published

    def add_cell(self, key: str, value, *, where: str, displayed: bool = True, cost: float = 1.0) -> None:
        """Register a count quoted in prose (``displayed``) or an implicit one that follows from others."""
        if self._final:
            raise ParameterError("the publication is final: add every figure before finalise().")
        self.system.add_cell(Cell(key, float(value), displayed, False, where, cost))

    def relate(self, terms: Mapping[str, float], constant: float = 0.0, *, source: str = "",
               only_if_holds: bool = False) -> bool:
        """Declare an identity between cells (see :meth:`CellSystem.add_relation`).

        With ``only_if_holds=True`` an identity that does not hold for these data is skipped
        (it then cannot be used to work back a hidden cell either). Returns whether it was added.
        """
        if only_if_holds:
            lhs = sum(c * self.system.cells[k].value for k, c in terms.items() if k in self.system.cells)
            if any(k not in self.system.cells for k in terms) or not close(lhs, constant):
                return False
        return self.system.add_relation(terms, constant, source=source) is not None

    def has_cell(self, key: str) -> bool:
        return key in self.system.cells

    # --- deciding ------------------------------------------------------------------------------

    def finalise(self) -> None:
        """Choose the hidden cells jointly, audit them and check every label for identifiers.

        Raises
        ------
        DisclosureError
            When a label holds a child identifier, or a hidden count cannot be protected.
        """
        for table in self.tables.values():
            for column in table.labels + [c for c in table.public if table.frame[c].dtype == object]:
                for position, value in table.frame[column].items():
                    if str(value).strip() in self.identifiers:
                        raise DisclosureError(
                            f"table '{table.name}', row {position + 1}, column '{column}' holds a child "
                            "identifier as a label. Check that code field in the return: it must hold a "
                            "DfE code, not a child's ID."
                        )
        self.hidden, self.audit_table = protect(self.system, threshold=self.threshold)
        self._final = True

    def _require_final(self):
        if not self._final:
            raise ParameterError("call finalise() before publishing anything.")

    def audit(self) -> pd.DataFrame:
        """The interval audit of every protected cell (restricted: holds true values)."""
        self._require_final()
        return self.audit_table.copy()

    def is_hidden(self, key: str) -> bool:
        self._require_final()
        cell = self.system.cells[key]
        return key in self.hidden or not cell.displayed

    def _cell_hidden(self, table: PublishedTable, position: int, source) -> bool:
        if callable(source):
            return self.is_hidden(source(table.row_label(position)))
        if isinstance(source, str) and source.startswith("@total"):
            if table.total_row is None:
                raise ParameterError(f"table {table.name!r}: '@total' needs a total row.")
            column = source.partition(":")[2] or table.counts[0]  # "@total:<count column>"
            return table.keys[(table.total_row, column)] in self.hidden
        if (position, source) not in table.keys:
            raise ParameterError(f"table {table.name!r}: derived source {source!r} is not a count column.")
        return table.keys[(position, source)] in self.hidden

    def hidden_mask(self, name: str) -> pd.DataFrame:
        """Boolean frame: True where a count or derived value of the table is hidden."""
        masks = self._column_masks(name)
        table = self.tables[name]
        return pd.DataFrame(masks, index=table.frame.index, columns=table.frame.columns)  # copies the arrays

    def _column_masks(self, name: str) -> dict[str, np.ndarray]:
        """:meth:`hidden_mask` as one boolean array per column, worked out once (final means fixed).

        The arrays are shared between calls: read them, never change them.
        """
        self._require_final()
        masks = self._masks.get(name)
        if masks is None:
            table = self.tables[name]
            rows = len(table.frame)
            masks = {column: np.zeros(rows, dtype=bool) for column in table.frame.columns}
            for (position, column), key in table.keys.items():
                masks[column][position] = key in self.hidden
            for column, sources in table.derived.items():
                masks[column] = np.array([any(self._cell_hidden(table, position, s) for s in sources)
                                          for position in range(rows)], dtype=bool)
            self._masks[name] = masks
        return masks

    # --- reading published values --------------------------------------------------------------

    def numeric(self, name: str) -> pd.DataFrame:
        """The table with hidden counts and derived values as NaN: what charts draw from."""
        # a chart reads its table several times (description, drawing); final means fixed, so
        # the frame is made once and each caller gets its own copy
        kept = self._numeric.get(name)
        if kept is None:
            table = self.tables[name]
            masks = self._column_masks(name)
            kept = table.frame.copy()
            for column in table.counts + list(table.derived):
                if pd.api.types.is_numeric_dtype(kept[column]):
                    kept[column] = kept[column].astype(float).where(~masks[column], np.nan)
                else:  # text derived from counts (a verdict, an interval): None where hidden
                    kept[column] = kept[column].astype(object).where(~masks[column], None)
            self._numeric[name] = kept
        return kept.copy()

    @staticmethod
    def _places(table: PublishedTable, column: str, position: int) -> int:
        places = table.decimals.get(column, 1)
        return places.get(table.row_label(position), 1) if isinstance(places, Mapping) else places

    def _format(self, table: PublishedTable, column: str, value, position: int = 0) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""  # None, NaN, NaT and pd.NA all read as an empty cell, never "<NA>"
        if column in table.counts:
            return f"{int(round(float(value))):,}"
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            places = self._places(table, column, position)
            separator = "" if column in _LABEL_LIKE else ","  # 2023 is a year, not "2,023"
            return f"{float(value):{separator}.{places}f}"
        return str(value)

    def published(self, name: str) -> pd.DataFrame:
        """The table as text, "c" where hidden: what readers see."""
        out = pd.DataFrame(index=self.tables[name].frame.index)
        for column, texts in self._texts(name).items():
            out[column] = texts
        return out

    def _texts(self, name: str) -> dict[str, list[str]]:
        """:meth:`published` as one list of strings per column (no frame: :meth:`html` reads these)."""
        table = self.tables[name]
        masks = self._column_masks(name)
        return {column: [SUPPRESSED if hidden else self._format(table, column, value, position)
                         for position, (value, hidden) in enumerate(zip(table.frame[column], masks[column]))]
                for column in table.frame.columns}

    def value(self, key: str) -> float | None:
        """A published count, or None when it is hidden."""
        return None if self.is_hidden(key) else self.system.cells[key].value

    def count_text(self, key: str) -> str:
        """A count for a sentence: ``"1,234"``, or ``"c"`` (see :data:`HIDDEN_NOTE`) when hidden."""
        value = self.value(key)
        return SUPPRESSED if value is None else f"{int(round(value)):,}"

    def hidden_note(self) -> str:
        """The sentence explaining "c" with this report's threshold."""
        note = HIDDEN_NOTE.format(top=self.threshold - 1)
        if self.below_minimum:
            note += (f" WARNING: this report uses a threshold of {self.threshold}, below the minimum of "
                     f"{MINIMUM_THRESHOLD} for shareable output. Do not circulate it.")
        return note

    def identifier_guard(self) -> IdentifierGuard:
        """The :class:`~iro_analysis.disclosure.IdentifierGuard` of this report's identifiers.

        Built once and kept (a report checks a dozen sentences against thousands of
        identifiers); built again if :attr:`identifiers` has changed since.
        """
        current = frozenset(self.identifiers)
        if self._guard is None or self._guard[0] != current:
            self._guard = (current, IdentifierGuard(self.identifiers))
        return self._guard[1]

    def text(self, template: str, **values) -> str:
        """A Markdown sentence: ``values`` from the data are escaped and checked for identifiers.

        Numbers should come from :meth:`count_text` (published values only).
        """
        safe = {}
        guard = self.identifier_guard()
        for name, value in values.items():
            # numbers the package prints (years, counts) may equal a numeric child ID by chance:
            # running text is checked for identifiers that are not plain numbers (see IdentifierGuard)
            if guard and guard.in_text(str(value)):
                raise DisclosureError(f"the sentence value {name!r} holds a child identifier; it was not written.")
            safe[name] = escape_markdown(value)
        return template.format(**safe)

    # --- rendering -----------------------------------------------------------------------------

    def html(self, name: str, *, column_label: Callable[[str], str] = str) -> str:
        """The table as escaped HTML (caption, header, body; totals in bold)."""
        table = self.tables[name]
        texts = self._texts(name)
        head = "".join(f'<th scope="col">{html.escape(str(column_label(c)))}</th>' for c in texts)
        numeric_columns = set(table.counts) | set(table.derived) | {
            c for c in table.public if pd.api.types.is_numeric_dtype(table.frame[c])}
        rows = len(table.frame)
        columns = []  # per column: the opening tag, the escaped texts, the closing tag
        for column, values in texts.items():
            align = ' class="num"' if column in numeric_columns else ""
            tag = "th" if rows and column == table.labels[0] else "td"
            scope = ' scope="row"' if tag == "th" else ""
            columns.append((f"<{tag}{scope}{align}>", [html.escape(v) for v in values], f"</{tag}>"))
        body = []
        for position in range(rows):
            cells = "".join(f"{start}{values[position]}{end}" for start, values, end in columns)
            klass = ' class="total"' if position == table.total_row else ""
            body.append(f"<tr{klass}>{cells}</tr>")
        caption = f"<caption>{html.escape(table.caption)}</caption>" if table.caption else ""
        note = f'<p class="iro-note">{html.escape(table.note)}</p>' if table.note else ""
        return (f'<table class="iro-table">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(body)}</tbody></table>{note}")

    def excel_sheets(self, *, column_label: Callable[[str], str] = str) -> dict[str, pd.DataFrame]:
        """Sheet name to table: numbers as numbers, "c" where hidden, labels as text."""
        sheets = {}
        for name, table in self.tables.items():
            masks = self._column_masks(name)
            out = table.frame.copy().astype(object)
            for column in table.counts + list(table.derived):
                cells = []
                for position, (value, hidden) in enumerate(zip(out[column].tolist(), masks[column])):
                    if hidden:
                        value = SUPPRESSED
                    elif column in table.counts:
                        value = int(round(float(value)))
                    elif isinstance(value, (float, np.floating)):
                        value = round(float(value), self._places(table, column, position))
                    cells.append(value)
                out[column] = pd.Series(cells, index=out.index, dtype=object)  # no dtype guessed from the values
            sheets[name] = out.rename(columns=column_label)
        return sheets

    def audit_summary(self) -> dict:
        """Counts for the audit line of the report (shareable: no true values)."""
        audit = self.audit()
        return {
            "threshold": self.threshold,
            "hidden_cells": len(self.hidden),
            "protected_cells": 0 if audit.empty else int(len(audit)),
            "narrowest_interval": None if audit.empty else float(audit["width"].min()),
            "required_width": required_width(self.threshold),
            "all_safe": True if audit.empty else bool(audit["safe"].all()),
        }
