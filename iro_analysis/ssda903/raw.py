"""A table as read from one file, before typing: stripped text cells held factorised.

Both readers (:mod:`.read_csv`, :mod:`.read_xml`) produce a :class:`_Raw` per table; the
typing step (:mod:`.types`) turns it into typed columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


def _factor(values, *, stripped: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Factorise a column and strip its unique values (missing -> '').

    ``stripped=True`` says no cell can have leading or trailing whitespace (see
    :func:`_cells_are_stripped`); the per-value strip is then skipped.
    """
    codes, uniq = pd.factorize(np.asarray(values, dtype=object))
    if stripped and pd.api.types.infer_dtype(uniq, skipna=False) in ("string", "empty"):
        uniq = np.append(uniq.astype(object, copy=False), "")
    else:
        uniq = np.asarray([u.strip() if isinstance(u, str) else "" for u in uniq] + [""], dtype=object)
    codes = np.where(codes < 0, len(uniq) - 1, codes)
    return codes, uniq


class _Columns(dict):
    """Factorised columns (name -> ``(codes, uniques)``) with, for some of them, the bytes of
    their uniques as the reader held them: ``texts`` maps a column to ``(lengths, data)``,
    the UTF-8 length of each unique and the uniques' bytes end to end (the date parsers
    read digits from them without a Python string per value)."""

    texts: dict

    def __init__(self, *args, texts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.texts = {} if texts is None else texts


@dataclass
class _Raw:
    """One table read from one file, cells as stripped strings held factorised.

    Each column is ``(codes, uniques)``: cell ``i`` is ``uniques[codes[i]]``. Real returns
    repeat the same few codes and dates over and over, so cleaning and parsing the unique
    values only and spreading them back with ``take`` is much faster than per-cell work.
    """

    table: str
    cols: dict  # DfE column name -> (codes int array, uniques object array; '' = blank)
    n: int
    lines: np.ndarray | None  # 1-based source line per row (None for XML)
    file: str
    iso_dates: bool = False
    bad_rows: list = field(default_factory=list)  # finding records of rows dropped while reading
    # column -> (UTF-8 length of each unique, the uniques' bytes end to end), where the reader had them
    texts: dict = field(default_factory=dict)

    def values(self, col: str) -> np.ndarray:
        codes, uniq = self.cols[col]
        return uniq[codes]


def _raw_from_frame(table, frame, lines, file, iso=False) -> _Raw:
    # One 2-D object array for all columns (a single block when every column is text):
    # column j is then a contiguous row of its transpose, with no per-column Series.
    values = frame.to_numpy(dtype=object).T
    cols = {c: _factor(values[j]) for j, c in enumerate(frame.columns)}
    return _raw_from_factors(table, cols, len(frame), lines, file, iso)


def _raw_from_factors(table, cols, n, lines, file, iso=False, bad_rows=()) -> _Raw:
    """A _Raw of factorised columns, rows that are entirely blank dropped."""
    texts = getattr(cols, "texts", None) or {}
    blank = np.ones(n, dtype=bool)
    for codes, uniq in cols.values():
        is_blank = uniq == ""
        if not is_blank.any():  # a column without blank values: no blank row
            blank = is_blank[:0]
            break
        blank &= is_blank[codes]
        if not blank.any():  # no row blank so far (the first column, CHILD, nearly always)
            break
    if blank.any():
        keep = ~blank
        cols = {c: (codes[keep], uniq) for c, (codes, uniq) in cols.items()}
        n = int(keep.sum())
        if lines is not None:
            lines = lines[keep]
    return _Raw(table=table, cols=dict(cols), n=n, lines=lines, file=file, iso_dates=iso, bad_rows=list(bad_rows),
                texts=texts)


def _joined_text(texts: list) -> tuple[np.ndarray, np.ndarray] | None:
    """The ``(lengths, data)`` texts of several columns of uniques put end to end, or None
    when one is missing or a byte is not ASCII (one byte a character: a length is then the
    number of characters, as ``len`` of the string)."""
    if not texts or any(t is None for t in texts):
        return None
    lengths = np.concatenate([t[0] for t in texts]) if len(texts) > 1 else texts[0][0]
    data = np.concatenate([t[1] for t in texts]) if len(texts) > 1 else texts[0][1]
    if len(data) and data.max() >= 128:
        return None
    return lengths, data


def _fixed_width(text: tuple[np.ndarray, np.ndarray], width: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the values ``width`` bytes long, their bytes as rows of a
    (values, width) array) of a ``(lengths, data)`` text."""
    lengths, data = text
    at = np.flatnonzero(lengths == width)
    if len(at) * width == len(data):  # the other values are empty: the data are the rows
        return at, data.reshape(len(at), width)
    starts = (np.cumsum(lengths) - lengths)[at]
    return at, data[starts[:, None] + np.arange(width)]


def _pieces(values: np.ndarray, lengths: list[int]) -> list[np.ndarray]:
    """``values`` cut into consecutive views of the given lengths (``np.split`` at their
    running totals, without its cost per piece)."""
    out, at = [], 0
    for n in lengths:
        out.append(values[at : at + n])
        at += n
    return out
