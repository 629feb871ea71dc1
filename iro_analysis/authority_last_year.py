"""Last year beside this year in the authority report's count tables.

When the return is loaded with the year before the reporting year, the seed reports set last
year's figures beside this year's. The functions here lay those tables out (pure functions of
two tables of the same shape, one per year), and :func:`register_uasc_by_ethnicity` protects
the UASC children of each ethnic group that the ethnicity tables of one year give away.
Which cells are shared between tables (last year's starters total, last year's children in
care by ethnic group) is decided by the keys the report gives them, not here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["quarters_with_last_year", "participation_with_last_year", "missing_with_last_year",
           "ethnicity_with_last_year", "categories_with_last_year", "profile_with_last_year", "register_uasc_by_ethnicity", "LAST_YEAR"]

#: Column holding last year's count beside this year's.
LAST_YEAR = "last_year"
_TOTAL = "Total"


def quarters_with_last_year(wide: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """A quarter table of this year with last year's year total for each row.

    Parameters
    ----------
    wide : DataFrame
        This year's table from :func:`iro_analysis.report.by_quarter`: the category column
        first, four quarter columns, ``Year`` and a ``Total`` row.
    before : DataFrame
        Last year's table of the same form.

    Returns
    -------
    DataFrame
        ``wide`` with a ``last_year`` column after ``Year`` (last year's ``Year`` of the row;
        0 where last year had none). A category seen only last year is added before the
        ``Total`` row with zeros for this year, so that each column still adds up to its total.

    Examples
    --------
    >>> now = pd.DataFrame({"reason": ["Adopted", "Total"], "Q1": [2, 2], "Q2": [1, 1], "Q3": [0, 0],
    ...                     "Q4": [0, 0], "Year": [3, 3]})
    >>> then = pd.DataFrame({"reason": ["Adopted", "Other", "Total"], "Q1": [1, 1, 2], "Q2": [0, 0, 0],
    ...                      "Q3": [0, 0, 0], "Q4": [0, 1, 1], "Year": [1, 1, 2]})
    >>> quarters_with_last_year(now, then)[["reason", "Year", "last_year"]].values.tolist()
    [['Adopted', 3, 1], ['Other', 0, 1], ['Total', 3, 2]]
    """
    category = wide.columns[0]
    last = before.set_index(before.columns[0])["Year"]
    body = wide[wide[category] != _TOTAL]
    extra = [c for c in last.index if c != _TOTAL and c not in set(body[category])]
    zeros = pd.DataFrame({category: extra, **{c: 0 for c in wide.columns[1:]}})
    out = pd.concat([body, zeros, wide[wide[category] == _TOTAL]], ignore_index=True)
    out[LAST_YEAR] = out[category].map(last).fillna(0).astype(int)
    return out


def participation_with_last_year(table: pd.DataFrame, before: pd.DataFrame, meaning) -> pd.DataFrame:
    """Table N with this year's percentage and last year's count and percentage per code.

    Parameters
    ----------
    table : DataFrame
        This year's table N: ``REVIEW_CODE, description``, four quarters, ``Year`` and a
        ``Total`` row.
    before : DataFrame
        Last year's :func:`iro_analysis.report.by_quarter` of participation (``REVIEW_CODE``,
        quarters, ``Year``, ``Total`` row).
    meaning : callable
        ``code -> description`` for a code seen only last year.

    Returns
    -------
    DataFrame
        ``table`` with ``percent`` (the code's share of this year's reviews), ``last_year`` and
        ``percent_last_year`` after ``Year``; percentages unrounded, NaN when a year had no reviews.
    """
    out = quarters_with_last_year(table.drop(columns=["description"]), before)
    described = dict(zip(table["REVIEW_CODE"], table["description"]))
    out.insert(1, "description", [described.get(c) or meaning(c) for c in out["REVIEW_CODE"]])
    for count, percent in (("Year", "percent"), (LAST_YEAR, "percent_last_year")):
        total = float(out.loc[out["REVIEW_CODE"] == _TOTAL, count].iloc[0])
        out[percent] = 100 * out[count] / total if total else np.nan
    return out[[c for c in out.columns if c not in ("last_year", "percent_last_year")] + [LAST_YEAR, "percent_last_year"]]


def missing_with_last_year(missing: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Table L with last year's whole-year row under this year's.

    Parameters
    ----------
    missing : DataFrame
        This year's quarter rows and year row (``quarter_label`` and the count columns).
    before : DataFrame
        Last year's table of the same form; its last row (the year) is used.

    Returns
    -------
    DataFrame
        ``missing`` and one more row labelled ``"<last year> (last year)"``.
    """
    year_row = before.iloc[[-1]].copy()
    year_row["quarter_label"] = f"{year_row['quarter_label'].iloc[0]} (last year)"
    return pd.concat([missing, year_row[missing.columns]], ignore_index=True)


def ethnicity_with_last_year(frame: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """The ethnicity-ratio rows with last year's children in care (excluding UASC) by group.

    Parameters
    ----------
    frame : DataFrame
        This year's rows (``ethnic_group``, ``cic`` …), one per group compared.
    before : DataFrame
        :func:`iro_analysis.disproportionality.cic_ethnicity` of last year's 31 March
        (``ethnic_group``, ``count``).

    Returns
    -------
    DataFrame
        ``frame`` with ``cic_last_year`` and ``cic_percent_last_year`` (the group's share of
        last year's children with a known ethnic group among the groups compared) after
        ``ethnic_group``. Only this year's groups are kept: the ratios compare the same groups.
    """
    last = before.set_index("ethnic_group")["count"]
    counts = frame["ethnic_group"].map(last).fillna(0).astype(int)
    known = counts.sum()
    out = frame.copy()
    out.insert(1, "cic_last_year", counts)
    out.insert(2, "cic_percent_last_year", 100 * counts / known if known else np.nan)
    return out


def categories_with_last_year(table: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """A category table (rows, ``count``, ``percent``, a ``Total`` row) with last year beside it.

    Parameters
    ----------
    table : DataFrame
        This year's table: label columns (``attrs["labels"]``, the first naming the row),
        ``count`` and ``percent`` (of the total), ending with the ``Total`` row; the care
        history and category-of-need tables have this form.
    before : DataFrame
        Last year's table of the same form.

    Returns
    -------
    DataFrame
        Label columns, ``last_year``, ``percent_last_year``, ``count``, ``percent``, in this
        year's row order; a category seen only last year goes before ``Total`` with 0 this
        year, so each column still adds up to its total. ``attrs`` carries the roles with
        ``last_year`` as a count and ``percent_last_year`` derived from it and its total.

    Examples
    --------
    >>> now = pd.DataFrame({"placement": ["Foster", "Total"], "count": [3, 3], "percent": [100.0, 100.0]})
    >>> now.attrs = {"labels": ["placement"], "counts": ["count"], "derived": {"percent": ["count", "@total"]}}
    >>> then = pd.DataFrame({"placement": ["Foster", "Residential", "Total"], "count": [1, 3, 4],
    ...                      "percent": [25.0, 75.0, 100.0]})
    >>> out = categories_with_last_year(now, then)
    >>> out.values.tolist()
    [['Foster', 1, 25.0, 3, 100.0], ['Residential', 3, 75.0, 0, 0.0], ['Total', 4, 100.0, 3, 100.0]]
    >>> out.attrs["counts"], out.attrs["derived"]["percent_last_year"]
    (['last_year', 'count'], ['last_year', '@total:last_year'])

    A year with none (no moves at all) keeps "no percentage" for its rows:

    >>> none = pd.DataFrame({"placement": ["Total"], "count": [0], "percent": [float("nan")]})
    >>> categories_with_last_year(now, none)["percent_last_year"].tolist()
    [nan, nan]
    """
    labels = list(table.attrs.get("labels") or [table.columns[0]])
    first = labels[0]
    roles = table.attrs
    # pandas deep-copies attrs into the result of every operation; the result's are set below
    table, before = _without_attrs(table), _without_attrs(before)
    last = before.rename(columns={"count": LAST_YEAR, "percent": f"percent_{LAST_YEAR}"})
    last = last[labels + [LAST_YEAR, f"percent_{LAST_YEAR}"]]
    is_total = table[first].astype(str) == _TOTAL
    last_is_total = last[first].astype(str) == _TOTAL
    body = table[~is_total]
    extra = last[~last[first].isin(set(body[first])) & ~last_is_total]
    # a row absent in one year is 0 that year, and 0% of it unless that year had none at all
    # (then no percentage, as the tables print for a percentage of none)
    this_total = table.loc[is_total, "count"].sum()
    last_total = last.loc[last_is_total, LAST_YEAR].sum()
    extra = extra[labels].assign(count=0, percent=0.0 if this_total > 0 else np.nan)
    ordered = pd.concat([body, extra, table[is_total]], ignore_index=True)
    out = _beside_by_position(ordered, last, labels, last_total)
    if out is None:
        out = ordered.merge(last.drop(columns=labels[1:]), on=first, how="left")
        absent = out[LAST_YEAR].isna()
        out[LAST_YEAR] = out[LAST_YEAR].fillna(0).astype(int)
        out.loc[absent, f"percent_{LAST_YEAR}"] = 0.0 if last_total > 0 else np.nan
        out = out[labels + [LAST_YEAR, f"percent_{LAST_YEAR}", "count", "percent"]]
    derived = dict(roles.get("derived") or {"percent": ["count", "@total"]})
    derived[f"percent_{LAST_YEAR}"] = [LAST_YEAR, f"@total:{LAST_YEAR}"]
    out.attrs = {**roles, "labels": labels, "counts": [LAST_YEAR, "count"], "derived": derived}
    return out


def profile_with_last_year(profile: pd.DataFrame, before: pd.DataFrame, category: str) -> pd.DataFrame:
    """A profile on 31 March (tables D, F, G and the age and placement profiles) with a year earlier.

    Parameters
    ----------
    profile : DataFrame
        This year's ``category, count, percent`` (from :func:`iro_analysis.cohorts.profile_on`).
    before : DataFrame
        Last year's table of the same form.
    category : str
        The category column.

    Returns
    -------
    DataFrame
        ``category, last_year, percent_last_year, count, percent`` in this year's row order; a
        category seen only last year goes at the end. Counts and percentages absent in a year
        (and a percentage of none) are 0; a column that needed filling holds floats, as the
        left merge of the two years, their concatenation and ``fillna(0)`` give (so ``count``
        always holds floats).

    Examples
    --------
    >>> now = pd.DataFrame({"uasc": ["UASC", "Non-UASC"], "count": [2, 8], "percent": [20.0, 80.0]})
    >>> then = pd.DataFrame({"uasc": ["Non-UASC", "Other"], "count": [5, 5], "percent": [50.0, 50.0]})
    >>> profile_with_last_year(now, then, "uasc").values.tolist()
    [['UASC', 0.0, 0.0, 2.0, 20.0], ['Non-UASC', 5.0, 50.0, 8.0, 80.0], ['Other', 5.0, 50.0, 0.0, 0.0]]
    """
    fast = _profile_by_position(profile, before, category)
    if fast is not None:
        return fast
    before = before.rename(columns={"count": LAST_YEAR, "percent": f"percent_{LAST_YEAR}"})
    extra = before[~before[category].isin(profile[category])]
    out = pd.concat([profile.merge(before, on=category, how="left"), extra], ignore_index=True).fillna(0)
    return out[[category, LAST_YEAR, f"percent_{LAST_YEAR}", "count", "percent"]]


def _profile_by_position(profile: pd.DataFrame, before: pd.DataFrame, category: str) -> pd.DataFrame | None:
    """:func:`profile_with_last_year` without the merge and the concatenation (six per report).

    Taken for the profiles the report builds (object categories, each once a year, integer
    counts and float percentages, no other column); otherwise ``None`` and the caller merges.
    The dtypes follow the merge's: a column with a gap filled holds floats.
    """
    expected = [category, "count", "percent"]
    if list(profile.columns) != expected or list(before.columns) != expected:
        return None
    now_cat, then_cat = profile[category], before[category]
    if (now_cat.dtype != object or then_cat.dtype != object or not now_cat.is_unique or not then_cat.is_unique
            or any(f["count"].dtype != np.int64 or f["percent"].dtype != np.float64 for f in (profile, before))):
        return None
    pos = pd.Index(then_cat, dtype=object).get_indexer(now_cat)
    found = pos >= 0
    extra = np.flatnonzero(~then_cat.isin(now_cat).to_numpy())
    then_count, then_percent = before["count"].to_numpy(), before["percent"].to_numpy()
    at = np.where(found, pos, 0)
    # this year's rows with last year's values where last year had the category (a gap is
    # NaN, so the column is float), then last year's extra rows with NaN this year
    gaps = not found.all()
    if gaps:
        top = np.full(len(pos), np.nan) if not len(before) else np.where(found, then_count[at], np.nan)
    else:
        top = then_count[at]
    last_year = np.concatenate([top, then_count[extra]])
    top = np.full(len(pos), np.nan) if not len(before) else np.where(found, then_percent[at], np.nan)
    percent_last_year = np.concatenate([top, then_percent[extra]])
    # always float: last year's extra rows (even none of them) have no count column to concatenate
    count = np.concatenate([profile["count"].to_numpy(dtype=np.float64), np.full(len(extra), np.nan)])
    percent = np.concatenate([profile["percent"].to_numpy(), np.full(len(extra), np.nan)])
    out = {category: pd.Series(list(now_cat) + list(then_cat.to_numpy()[extra]), dtype=object)}
    for name, values in ((LAST_YEAR, last_year), (f"percent_{LAST_YEAR}", percent_last_year), ("count", count),
                         ("percent", percent)):
        out[name] = np.where(np.isnan(values), 0.0, values) if values.dtype.kind == "f" else values  # fillna(0)
    return pd.DataFrame(out)


def _without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """The same columns without ``attrs`` (no data copied)."""
    if not frame.attrs:
        return frame
    plain = frame.copy(deep=False)
    plain.attrs = {}
    return plain


def _beside_by_position(ordered: pd.DataFrame, last: pd.DataFrame, labels: list, last_total) -> pd.DataFrame | None:
    """Last year's count and percentage of each row of ``ordered``, looked up by position.

    What the left merge on the first label gives, at a fraction of its cost (each of the five
    care-history tables paid for a merge). Taken only when the merge could not do more: last
    year's rows are unique, the keys have one dtype, counts are integers and percentages floats;
    otherwise ``None`` and the caller merges.
    """
    first = labels[0]
    keys, counts, percents = last[first], last[LAST_YEAR], last[f"percent_{LAST_YEAR}"]
    if (not len(keys) or keys.dtype != ordered[first].dtype or not pd.api.types.is_integer_dtype(counts.dtype)
            or percents.dtype != np.float64 or not keys.is_unique):
        return None
    pos = pd.Index(keys).get_indexer(ordered[first])
    found = pos >= 0
    at = np.where(found, pos, 0)
    last_year = np.where(found, counts.to_numpy()[at], 0).astype("int64")
    percent = np.where(found, percents.to_numpy()[at], 0.0 if last_total > 0 else np.nan)
    out = {label: ordered[label] for label in labels}
    out[LAST_YEAR] = last_year
    out[f"percent_{LAST_YEAR}"] = percent
    out["count"], out["percent"] = ordered["count"], ordered["percent"]
    return pd.DataFrame(out)


def register_uasc_by_ethnicity(pub, *, all_prefix: str, part_prefix: str, unknown_key: str, uasc_key: str,
                               groups, suffix: str = "") -> None:
    """Protect the UASC children of each ethnic group that two ethnicity tables give away.

    Table F counts all children in care by group; the ratios table counts them without UASC.
    The difference is the UASC children of that group, which no table shows but anyone can
    subtract, so each becomes a hidden cell tied to both and to the UASC total.

    Parameters
    ----------
    pub : Publication
    all_prefix, part_prefix : str
        Key prefixes of the all-children and non-UASC cells (``"<prefix>:<group>"``).
    unknown_key : str
        The non-UASC children whose ethnic group is not known (paired with "Refused or not obtained").
    uasc_key : str
        All UASC children on that date.
    groups : iterable of str
        The groups compared.
    suffix : str
        Added to the new cells' keys (``"_prev"`` for last year).
    """
    terms = {uasc_key: -1}
    for group in list(groups) + ["Refused or not obtained"]:
        all_key = f"{all_prefix}:{group}"
        part_key = unknown_key if group == "Refused or not obtained" else f"{part_prefix}:{group}"
        if not (pub.has_cell(all_key) and pub.has_cell(part_key)):
            return
        value = pub.system.cells[all_key].value - pub.system.cells[part_key].value
        if value < 0:
            return
        key = f"uasc_eth{suffix}:{group}"
        pub.add_cell(key, value, displayed=False, where=f"not shown: UASC children of {group} ethnicity{suffix and ' last year'}")
        pub.relate({all_key: 1, part_key: -1, key: -1}, source=f"{group}{suffix}: all = non-UASC + UASC")
        terms[key] = 1
    pub.relate(terms, source=f"UASC of every ethnic group add up to all UASC{suffix}", only_if_holds=True)
