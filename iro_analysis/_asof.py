"""The latest earlier row of the same key, by position.

``pandas.merge_asof(left, right, left_on=..., right_on=..., by=key, direction="backward")`` with
``right`` sorted stably by its date pairs each left row with the last right row of its key dated
on or before it. For plain text keys and dates with no gaps in them that is one ``searchsorted``
on integer keys; callers keep ``merge_asof`` for anything else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["latest_on_or_before"]


def latest_on_or_before(left_key, left_date, right_key, right_date) -> np.ndarray | None:
    """For each left row, the position in ``right`` of its ``merge_asof`` partner, or -1.

    Parameters
    ----------
    left_key, right_key : array_like of str
        The ``by`` key of each row (a child's ID).
    left_date, right_date : array_like of datetime64
        The ``on`` dates. ``right`` need not be sorted: of several right rows of one key and
        date, the last in ``right``'s order is taken, as ``merge_asof`` takes the last of them
        once ``right`` is sorted stably by date.

    Returns
    -------
    numpy.ndarray of int64 or None
        Positions into ``right`` (-1: no right row of that key on or before the date). None
        when ``merge_asof`` alone should answer: either side empty, a missing date or key, or a
        key that is not text (``merge_asof`` compares such keys by their own equality).

    Examples
    --------
    Child A has rows on 1 May and twice on 1 April, B one on 1 June:

    >>> right = np.array(["2022-05-01", "2022-04-01", "2022-04-01", "2022-06-01"], dtype="datetime64[ns]")
    >>> left = np.array(["2022-05-20", "2022-04-01", "2022-05-20"], dtype="datetime64[ns]")
    >>> latest_on_or_before(["A", "A", "B"], left, ["A", "A", "A", "B"], right).tolist()
    [0, 2, -1]
    """
    left_key = np.asarray(left_key, dtype=object)
    right_key = np.asarray(right_key, dtype=object)
    left_date = np.asarray(left_date, dtype="datetime64[ns]")
    right_date = np.asarray(right_date, dtype="datetime64[ns]")
    if not len(left_key) or not len(right_key) or np.isnat(left_date).any() or np.isnat(right_date).any():
        return None
    if (pd.api.types.infer_dtype(left_key, skipna=False) != "string"
            or pd.api.types.infer_dtype(right_key, skipna=False) != "string"):
        return None
    n = len(right_key)
    key = pd.factorize(np.concatenate([right_key, left_key]))[0].astype(np.int64)  # equal text, equal code
    _, day = np.unique(np.concatenate([right_date, left_date]), return_inverse=True)
    day = day.reshape(-1).astype(np.int64)
    width = np.int64(day.max() + 2)
    # right rows by key, date and their own order: one integer each, ascending in that order
    order = np.lexsort((np.arange(n), right_date, key[:n]))
    found = np.searchsorted(key[:n][order] * width + day[:n][order], key[n:] * width + day[n:], side="right") - 1
    at = order[np.clip(found, 0, None)]
    return np.where((found >= 0) & (key[:n][at] == key[n:]), at, -1)
