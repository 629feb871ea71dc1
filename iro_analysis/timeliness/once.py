"""Schedules computed once in a block: what a report asks for many times over.

An authority report asks for about twelve review schedules of one return (the timeliness table,
last year's for the comparison, eight variants of the rules to reconcile published figures, two
years of the review count change), and each used to read the tables into arrays, work out
the periods of care and number the children again. Inside :func:`schedules_once` each of these
is done once per return and each schedule once per year and set of rules; outside a block
nothing is kept. Nothing outlives the block, so a warm kernel carries nothing from one authority
to the next.
"""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np

__all__ = ["schedules_once"]

#: What the innermost open block keeps: key -> (the objects whose ids are in the key, value).
_KEPT: contextvars.ContextVar[dict | None] = contextvars.ContextVar("iro_analysis_schedules", default=None)


@contextlib.contextmanager
def schedules_once():
    """Within the block, each review schedule of a return is built once and handed out as copies.

    :func:`~iro_analysis.timeliness.review_schedule` (and so
    :func:`~iro_analysis.timeliness.reconcile_timeliness` and
    :func:`~iro_analysis.timeliness.review_count_change`) keep, for each return (the same
    object), its review and period arrays, and each schedule by year, options and ``periods``
    argument (the same object, or none). Every call returns its own copy, so a caller may change
    it; the return and any ``periods`` passed must not be changed inside the block. A block
    opened inside another shares the outer one's schedules.

    Examples
    --------
    >>> import pandas as pd
    >>> from iro_analysis.ssda903 import SSDA903
    >>> from iro_analysis.timeliness import review_schedule
    >>> eps = pd.DataFrame({"CHILD": ["A"], "DECOM": pd.to_datetime(["2022-05-27"]), "RNE": ["S"],
    ...                     "LS": ["C2"], "PLACE": ["U4"], "DEC": [pd.NaT], "REC": [None]})
    >>> revs = pd.DataFrame({"CHILD": ["A"], "DOB": pd.to_datetime(["2015-01-01"]),
    ...                      "REVIEW": pd.to_datetime(["2022-06-28"]), "REVIEW_CODE": ["PN1"]})
    >>> data = SSDA903(episodes=eps, reviews=revs)
    >>> with schedules_once():
    ...     first = review_schedule(data, 2023)
    ...     again = review_schedule(data, 2023)
    >>> first.equals(again) and first is not again
    True
    """
    if _KEPT.get() is not None:
        yield
        return
    token = _KEPT.set({})
    try:
        yield
    finally:
        _KEPT.reset(token)


def _kept() -> dict | None:
    """The open block's store, or None outside any block."""
    return _KEPT.get()


def _remember(kept: dict, key: tuple, alive: tuple, make):
    """``make()`` once per ``key``; ``alive`` (the objects whose ids are in ``key``) is kept with
    the value, so that no other object can take one of those ids while the block is open."""
    found = kept.get(key)
    if found is None:
        found = kept[key] = (alive, make())
    return found[1]


def _read_only(arrays: dict) -> dict:
    """``arrays`` with every numpy array seen through a read-only view: shared inputs that no
    schedule may change (a view, so that the return's own columns stay as they were)."""
    out = {}
    for name, value in arrays.items():
        if isinstance(value, np.ndarray):
            value = value.view()
            value.setflags(write=False)
        out[name] = value
    return out


def periods_of(data):
    """The return's periods of care (``cohorts.periods_of_care``): inside a block, computed once
    and shared with the schedules built from them; a copy each time."""
    from ..cohorts import periods_of_care

    kept = _kept()
    if kept is None:
        return periods_of_care(data)
    return _remember(kept, ("periods", id(data)), (data,), lambda: periods_of_care(data)).copy()
