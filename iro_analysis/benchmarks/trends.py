"""The authority's benchmark for every year a release covers."""

from __future__ import annotations

import pandas as pd

from .comparisons import _benchmark_row, _frame, _model_key, _neighbours, _resolve
from .indicators import get_indicator, published_years

__all__ = ["trend"]


def trend(indicator, la, *, model: str = "2021", release: int | None = None) -> pd.DataFrame:
    """The authority's benchmark for every year the release covers.

    Parameters
    ----------
    indicator, la, model, release :
        As in :func:`neighbour_benchmark` (one neighbour list is applied to every year).

    Returns
    -------
    pandas.DataFrame
        One row per year (oldest first) with the columns of :func:`neighbour_benchmark`.

    Notes
    -----
    ``change`` is the difference from the previous year (LAIT: consecutive years only). For
    measures of practice (timeliness, health checks) year-to-year changes of an authority's
    rank are mostly noise (regression to the mean, methods.md §4.1).

    Examples
    --------
    >>> t = trend("cla_count", "Rotherham")
    >>> int(t.loc[t.year == 2021, "value"].iloc[0])
    595
    """
    ind = get_indicator(indicator)
    model = _model_key(model)
    auth = _resolve(la)
    nb = _neighbours(auth.la_code, model)
    return _frame([_benchmark_row(ind, auth, y, nb, model, release) for y in published_years(ind.id, release)])
