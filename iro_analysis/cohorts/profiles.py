"""Breakdowns of children or periods by one characteristic, and the profile of those in care on a date."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import codes
from ..errors import ParameterError
from .constants import (
    _AGE_NOT_KNOWN,
    _LS_GROUP_ORDER,
    _NOT_RECORDED,
    _SEX_LABELS,
    AGE_BANDS,
    PLACEMENT_GROUP_ORDER,
    PLACEMENT_GROUPS,
)
from .dates import age_band
from .normalise import _via_unique
from .periods import prepare
from .snapshots import _in_care_frame, _parse_date


_BY_COLUMN = {
    "age_band": "age_band",
    "legal_status": "legal_status",
    "LS": "LS",
    "sex": "sex",
    "ethnicity": "ethnic_group",
    "placement": "placement",
    "PLACE": "PLACE",
    "uasc": "uasc",
}


def _group_values(by: str, *, ls=None, place=None, age=None, sex=None, ethnic=None, uasc=None):
    """(values Series, standard category order) for a breakdown."""
    if by == "age_band":
        return age_band(age), [lab for lab, _ in AGE_BANDS]
    if by == "legal_status":
        g = _via_unique(ls, codes.legal_status_group)
        return g.where(g.notna(), ls.where(ls.notna(), _NOT_RECORDED)), list(_LS_GROUP_ORDER)
    if by == "LS":
        return ls.where(ls.notna(), _NOT_RECORDED), [c for c in codes.descriptions("LS")]
    if by == "placement":
        g = place.map(PLACEMENT_GROUPS)
        return g.where(g.notna(), place.where(place.notna(), _NOT_RECORDED)), list(PLACEMENT_GROUP_ORDER)
    if by == "PLACE":
        return place.where(place.notna(), _NOT_RECORDED), []
    if by == "sex":
        g = sex.map(_SEX_LABELS)
        return g.where(g.notna(), _NOT_RECORDED), ["Male", "Female"]
    if by == "ethnicity":
        g = _via_unique(ethnic, codes.ethnic_group)
        return g.where(g.notna(), _NOT_RECORDED), list(codes.ETHNIC_GROUP_ORDER)
    if by == "uasc":
        return pd.Series(np.where(np.asarray(uasc, bool), "UASC", "Non-UASC"), index=uasc.index, dtype=object), [
            "UASC", "Non-UASC"]
    raise ParameterError(f"by={by!r} is not a breakdown: use one of {', '.join(_BY_COLUMN)}.")


def _ordered_categories(values: pd.Series, standard) -> list:
    extra = sorted(set(values.dropna().unique()) - set(standard), key=lambda v: (v == _NOT_RECORDED, v == _AGE_NOT_KNOWN, str(v)))
    return list(standard) + extra


def _describe_column(frame: pd.DataFrame, col: str) -> pd.DataFrame:
    """Add a ``description`` column for raw code breakdowns (LS, PLACE, REC)."""
    if col in ("LS", "PLACE", "REC"):
        values = frame[col].astype(object)
        frame = frame.assign(
            description=values.map(lambda v: codes.describe(col, None if v == _NOT_RECORDED else v)).astype(object)
        )
    return frame


def profile_on(data, date, *, by: str = "legal_status", exclude_short_breaks: bool = True) -> pd.DataFrame:
    """Children in care at the end of a date (or dates) by one characteristic (Tables D, E, F).

    Parameters
    ----------
    data : SSDA903 or object with ``episodes`` (``header`` for sex, ethnicity, age)
    date : date-like or list of date-likes
        Several dates give one block per date (e.g. the four quarter ends for Table E).
    by : {"legal_status", "LS", "sex", "ethnicity", "age_band", "placement", "PLACE", "uasc"}
        ``legal_status``: group of the current LS (:func:`iro_analysis.codes.legal_status_group`);
        ``LS``: the code itself with its description; ``sex``: Male/Female/Unknown;
        ``ethnicity``: main group (:func:`iro_analysis.codes.ethnic_group`); ``age_band``: DfE
        age bands on the date; ``placement``: DfE placement group of the current PLACE;
        ``PLACE``: the code; ``uasc``: UASC / Non-UASC.
    exclude_short_breaks : bool, default True

    Returns
    -------
    DataFrame
        ``date``, the category column (``legal_status``, ``LS`` (+ ``description``),
        ``sex``, ``ethnic_group``, ``age_band``, ``placement``, ``PLACE`` (+ ``description``)
        or ``uasc``), ``count``, ``percent`` (0–100, of all children in care on that date,
        unrounded; NaN when nobody is in care), ``total``. Every standard category appears
        (zeros included); "Not recorded"/"Not known" and unlisted codes appear when present.

    Notes
    -----
    ``percent = count / total * 100``. The ``ethnic_group, count`` columns feed
    :func:`iro_analysis.disproportionality.disproportionality` directly.
    """
    if by not in _BY_COLUMN:
        raise ParameterError(f"by={by!r} is not a breakdown: use one of {', '.join(_BY_COLUMN)}.")
    dates = [date] if isinstance(date, (str, pd.Timestamp)) or np.ndim(date) == 0 else list(date)
    if not dates:
        raise ValueError("No objects to concatenate")  # as the one-frame-per-date layout raised
    prep = prepare(data)
    col = _BY_COLUMN[by]
    # Counted by position on each date's categories and laid out as one frame at the end: a
    # frame per date and their concatenation cost more than the counting.
    whens, labels, counts, totals, sizes = [], [], [], [], []
    for d in dates:  # one vectorised pass per requested date
        when = _parse_date(d)
        cic = _in_care_frame(prep, when, exclude_short_breaks)
        values, standard = _group_values(
            by, ls=cic["LS"], place=cic["PLACE"], age=cic["age"], sex=cic["SEX"], ethnic=cic["ETHNIC"], uasc=cic["uasc"]
        )
        cats = _ordered_categories(values, standard)
        pos = pd.Index(cats, dtype=object).get_indexer(values)
        whens.append(np.datetime64(when, "ns"))
        labels.extend(cats)
        counts.append(np.bincount(pos[pos >= 0], minlength=len(cats)).astype("int64"))
        totals.append(len(cic))
        sizes.append(len(cats))
    count = np.concatenate(counts)
    total = np.repeat(np.asarray(totals, dtype="int64"), sizes)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(total > 0, count / np.where(total > 0, total, 1) * 100, np.nan)
    out = pd.DataFrame({"date": np.repeat(np.asarray(whens, dtype="datetime64[ns]"), sizes),
                        col: pd.Series(labels, dtype=object), "count": count, "percent": percent, "total": total})
    return _describe_column(out, by)
