"""Checks on review records: the DfE review rules and the checks no validator makes.

DfE rules (mirroring ``csc-validator-be-903`` 0.1.17 exactly, see ``docs/domain/ssda903.md`` §3):

=====  =========================================================================================
166    ``REVIEW`` blank or not a valid date.
167    ``REVIEW_CODE`` not PN0-PN7 when a review date is given, or given without a date.
399    every episode of the child is a short break (LS V3/V4) but the child has a review, a
       participation code or a MOTHER value (flags Reviews, Header and Episodes rows).
440    ``PN0`` (under 4) but the review is after the 4th birthday (``REVIEW > DOB + 4 years``,
       DOB from the Reviews table; on the birthday itself passes).
441    ``PN1``-``PN7`` but the review is before the 4th birthday (``REVIEW < DOB + 4 years``).
1012   rows in Reviews (and PlacedAdoption, Missing, AD1, PrevPerm, OC2) for a child with no
       episode in the return.
=====  =========================================================================================

Our own checks (no DfE rule covers them): a review outside every period of care of the child,
a review before the child's birth, several reviews of one child on one day, reviews
implausibly close together (fewer than ``close_days`` apart), and reviews of a child missing
from the header (the validator's internal check INT08).

In a multi-year stack every rule is applied to each collection year's return on its own, as
the validator would be. Findings name children: they are restricted, child-level output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..findings import make_findings
from ..ssda903 import as_return, child_keys

__all__ = [
    "DFE_REVIEW_RULES",
    "REVIEW_CHECKS",
    "dfe_review_rules",
    "review_findings",
    "participation_age_check",
]

#: DfE rule code -> validator message.
DFE_REVIEW_RULES = {
    "166": "Date of review is invalid or blank.",
    "167": "Data entry for participation is invalid or blank.",
    "399": (
        "Mother field, review field or participation field are completed but child is looked after "
        "under legal status V3 or V4."
    ),
    "440": (
        "Participation method indicates child was under 4 years old at the time of the review, but date "
        "of birth and review date indicates the child was 4 years old or over."
    ),
    "441": (
        "Participation method indicates child was 4 years old or over at the time of the review, but the "
        "date of birth and review date indicates the child was under 4 years old."
    ),
    "1012": "No other data should be returned for OC3 children who had no episodes in the current year",
}

#: Our checks -> (severity, what to do).
REVIEW_CHECKS = {
    "review_outside_care": (
        "warning",
        "Review dated outside every period of care of the child: check the review date and the episode dates.",
    ),
    "review_before_birth": ("error", "Review dated before the child's date of birth: correct the review date or DOB."),
    "review_duplicate_same_day": (
        "warning",
        "Another review of the same child on the same day is already recorded: remove the duplicate record.",
    ),
    "reviews_close_together": (
        "warning",
        "Review held only a few days after the previous one: check whether both are real reviews "
        "(a rearranged meeting recorded twice counts twice in the return).",
    ),
    "review_child_not_in_header": (
        "error",
        "Review for a child who is not in the header table: add the child to the header or correct CHILD.",
    ),
}

# validator table name -> our table name (for rules that touch several tables)
_VALIDATOR_TABLES = {
    "Header": "header",
    "Episodes": "episodes",
    "Reviews": "reviews",
    "PlacedAdoption": "placed_for_adoption",
    "Missing": "missing",
    "AD1": "ad1",
    "PrevPerm": "previous_permanence",
    "OC2": "oc2",
}
_PN = ("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7")
_SHORT_BREAKS = ("V3", "V4")


def _year_keys(table: pd.DataFrame) -> np.ndarray:
    """Return key of each row: the collection year, or 0 for a single return without one."""
    if "collection_year" in table.columns:
        return pd.to_numeric(table["collection_year"], errors="coerce").fillna(0).astype("int64").to_numpy()
    return np.zeros(len(table), dtype=np.int64)


def _clean_code(value):
    return value if value is None else str(value).strip().upper()


def _codes(series: pd.Series) -> pd.Series:
    """Codes stripped and upper-cased (missing -> None before the map, as the validator reads them).

    A column of strings holds few distinct codes: each is cleaned once and the results are
    gathered back, with the same values and dtype as mapping every row. Anything else (numbers,
    mixed types, which hashing could merge: ``1 == 1.0``) is mapped row by row.
    """
    kept = series.astype(object).where(series.notna(), None)
    values = kept.to_numpy(dtype=object)
    if len(values) < 64 or pd.api.types.infer_dtype(values, skipna=True) != "string":
        return kept.map(_clean_code)
    index, distinct = pd.factorize(values)  # missing -> -1
    missing = index < 0
    if missing.any():  # cleaned like every row: None, mapped with the rest
        distinct = np.append(np.asarray(distinct, dtype=object), None)
        index = np.where(missing, len(distinct) - 1, index)
    cleaned = pd.Series(np.asarray(distinct, dtype=object), dtype=object).map(_clean_code)
    return pd.Series(cleaned.array.take(index), index=series.index, name=kept.name)


def _plus_years(dates: pd.Series, years: int) -> pd.Series:
    # the validator's pd.offsets.DateOffset(years=4): 29 February + 4 years = 28 February
    return pd.to_datetime(dates) + pd.DateOffset(years=years)


def _rule_166(rv):
    return np.flatnonzero(pd.to_datetime(rv["REVIEW"], errors="coerce").isna().to_numpy())


def _rule_167(rv):
    date = rv["REVIEW"].notna()
    code = _codes(rv["REVIEW_CODE"]) if "REVIEW_CODE" in rv.columns else pd.Series(None, index=rv.index, dtype=object)
    ok = (date & code.isin(_PN)) | (~date & code.isna())
    return np.flatnonzero(~ok.to_numpy(dtype=bool))


def _rule_440(rv):
    if "DOB" not in rv.columns or "REVIEW_CODE" not in rv.columns:
        return np.zeros(0, dtype=np.int64)
    code = _codes(rv["REVIEW_CODE"])
    mask = code.eq("PN0") & (pd.to_datetime(rv["REVIEW"]) > _plus_years(rv["DOB"], 4))
    return np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))


def _rule_441(rv):
    if "DOB" not in rv.columns or "REVIEW_CODE" not in rv.columns:
        return np.zeros(0, dtype=np.int64)
    code = _codes(rv["REVIEW_CODE"])
    mask = code.isin(_PN[1:]) & (pd.to_datetime(rv["REVIEW"]) < _plus_years(rv["DOB"], 4))
    return np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))


def _keys(data, *tables) -> list[pd.Series]:
    """Per table, the (child, collection year) key of each row (:func:`iro_analysis.ssda903.child_keys`),
    so that every rule stays inside one return; -1 for a row without a CHILD."""
    keys = child_keys(data)
    return [pd.Series(keys[t]) for t in tables]


def _rule_399(data) -> dict:
    eps, hdr, rv = data.episodes, data.header, data.reviews
    if eps is None or hdr is None or rv is None:
        return {}
    ls = _codes(eps["LS"]) if "LS" in eps.columns else pd.Series(None, index=eps.index, dtype=object)
    ekey, hkey, rkey = _keys(data, "episodes", "header", "reviews")
    all_sb = pd.Series(ls.isin(_SHORT_BREAKS).to_numpy(), index=ekey.to_numpy()).groupby(level=0).all()
    # a row without a CHILD is no child's episode
    sb_children = set(all_sb.index[all_sb.to_numpy(dtype=bool)]) - {-1}
    if not sb_children:
        return {"Episodes": [], "Header": [], "Reviews": []}
    mother = hdr["MOTHER"].notna() if "MOTHER" in hdr.columns else pd.Series(False, index=hdr.index)
    rev_filled = rv["REVIEW"].notna() | (rv["REVIEW_CODE"].notna() if "REVIEW_CODE" in rv.columns else False)
    child_mother = set(hkey[mother.to_numpy(dtype=bool)]) & sb_children
    child_review = set(rkey[rev_filled.to_numpy(dtype=bool)]) & sb_children

    # The validator merges episodes x header x reviews (left joins) and flags any row of the
    # three tables taking part in a merged row with MOTHER, REVIEW or REVIEW_CODE filled.
    in_sb_r = rkey.isin(sb_children).to_numpy(dtype=bool)
    r_flag = in_sb_r & (rev_filled.to_numpy(dtype=bool) | rkey.isin(child_mother).to_numpy(dtype=bool))
    in_sb_h = hkey.isin(sb_children).to_numpy(dtype=bool)
    h_flag = in_sb_h & (mother.to_numpy(dtype=bool) | hkey.isin(child_review).to_numpy(dtype=bool))
    e_flag = ekey.isin(child_mother | child_review).to_numpy(dtype=bool)
    # (a child with no header row merges with MOTHER NaN, one with no review row with NaN
    # review fields: both are covered by the two sets above)
    return {
        "Episodes": np.flatnonzero(e_flag).tolist(),
        "Header": np.flatnonzero(h_flag).tolist(),
        "Reviews": np.flatnonzero(r_flag).tolist(),
    }


def _rule_1012(data) -> dict:
    if data.episodes is None:
        return {}
    keys = child_keys(data)
    with_episodes = set(keys["episodes"])
    out = {}
    for vname in ("PlacedAdoption", "Missing", "Reviews", "AD1", "PrevPerm", "OC2"):
        name = _VALIDATOR_TABLES[vname]
        if data.table(name) is not None:
            out[vname] = np.flatnonzero(~pd.Series(keys[name]).isin(with_episodes).to_numpy(dtype=bool)).tolist()
    return out


def dfe_review_rules(data, *, rules=("166", "167", "399", "440", "441", "1012")) -> dict:
    """The DfE review rules in the validator's own output format.

    Parameters
    ----------
    data : SSDA903
        One return or a multi-year stack (each collection year checked on its own).
    rules : sequence of str
        Rule codes among ``166, 167, 399, 440, 441, 1012``.

    Returns
    -------
    dict
        ``{rule: {validator table name: [0-based row positions]}}`` (``"Reviews"``,
        ``"Header"``, ``"Episodes"``, ``"PlacedAdoption"``, ``"Missing"``, ``"AD1"``,
        ``"PrevPerm"``, ``"OC2"``), as ``csc-validator-be-903`` returns from each rule. For a
        single return loaded from CSV without blank lines the positions equal the validator's
        ``row_id``. A rule whose tables are absent gives ``{}`` (the validator skips it).

    Raises
    ------
    ParameterError
        For an unknown rule code.

    Examples
    --------
    >>> from iro_analysis.ssda903 import SSDA903
    >>> rv = pd.DataFrame({"CHILD": ["1", "2"], "DOB": pd.to_datetime(["2010-01-01", "2020-06-01"]),
    ...                    "REVIEW": pd.to_datetime(["2022-01-01", "2022-01-01"]),
    ...                    "REVIEW_CODE": ["PN0", "PN1"]})
    >>> dfe_review_rules(SSDA903(reviews=rv), rules=["440", "441"])
    {'440': {'Reviews': [0]}, '441': {'Reviews': [1]}}
    """
    unknown = [r for r in rules if str(r) not in DFE_REVIEW_RULES]
    if unknown:
        raise ParameterError(f"unknown DfE review rule(s) {unknown}: choose from {sorted(DFE_REVIEW_RULES)}.")
    data = as_return(data)
    rv = data.reviews
    out = {}
    for rule in map(str, rules):
        if rule in ("166", "167", "440", "441"):
            if rv is None:
                out[rule] = {}
                continue
            fn = {"166": _rule_166, "167": _rule_167, "440": _rule_440, "441": _rule_441}[rule]
            out[rule] = {"Reviews": fn(rv).tolist()}
        elif rule == "399":
            out[rule] = _rule_399(data)
        else:
            out[rule] = _rule_1012(data)
    return out


def _lines(data, table: str):
    """Source line of each row of ``table`` (-1 where unknown), or None when not recorded."""
    lines = data.source_lines(table)
    return None if lines is None else np.where(lines > 0, lines, -1)


def _records(data, table: str, positions, check: str, severity: str, column: str, message: str, values=None):
    frame = data.table(table)
    positions = np.asarray(positions, dtype=np.int64)
    if frame is None or not len(positions):
        return None
    lines = _lines(data, table)
    rows = lines[positions] if lines is not None else np.full(len(positions), -1)
    if values is None:
        values = frame[column].iloc[positions] if column in frame.columns else pd.Series([None] * len(positions))
    values = pd.Series(values).reset_index(drop=True)
    row = pd.array(rows, dtype="Int64")
    row[np.asarray(rows) <= 0] = pd.NA
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.strftime("%d/%m/%Y")
    return pd.DataFrame(
        {
            "check": check,
            "severity": severity,
            "table": table,
            "row": row,
            "CHILD": frame["CHILD"].iloc[positions].astype(object).to_numpy(),
            "column": column,
            "value": values.astype(object).to_numpy(),
            "message": message,
        }
    )


def review_findings(data, *, close_days: int = 7, periods: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every review-record finding: the DfE review rules and our own checks.

    Parameters
    ----------
    data : SSDA903
        One return or a multi-year stack.
    close_days : int, default 7
        Reviews of one child fewer than this many days apart (and not on the same day) are
        reported as ``reviews_close_together`` (the later one).
    periods : DataFrame, optional
        Precomputed :func:`iro_analysis.cohorts.periods_of_care` (used by
        ``review_outside_care``).

    Returns
    -------
    DataFrame
        Findings (:data:`iro_analysis.quality.FINDING_COLUMNS`): ``check`` is ``dfe_166``,
        ``dfe_167``, ``dfe_399``, ``dfe_440``, ``dfe_441``, ``dfe_1012`` or one of
        :data:`REVIEW_CHECKS`; ``row`` is the line in the source file when the data were loaded
        from files. Restricted (names children).

    Raises
    ------
    ParameterError
        If ``close_days`` is negative or not a number.

    Notes
    -----
    ``review_outside_care`` uses the periods of care from the whole stack (a review is inside a
    period when ``period_start <= REVIEW <= period_end``, an open period having no end) and is
    only reported for children who have episodes: reviews of children with none are DfE rule
    1012. Duplicates, closeness and before-birth use each return on its own.
    """
    try:
        close = int(close_days)
    except (TypeError, ValueError):
        raise ParameterError(f"close_days={close_days!r} must be a whole number of days.") from None
    if close < 0:
        raise ParameterError("close_days must not be negative.")
    data = as_return(data)
    parts = []
    columns = {
        "166": ("REVIEW", "reviews"),
        "167": ("REVIEW_CODE", "reviews"),
        "440": ("REVIEW_CODE", "reviews"),
        "441": ("REVIEW_CODE", "reviews"),
    }
    for rule, tables in dfe_review_rules(data).items():
        for vname, positions in tables.items():
            table = _VALIDATOR_TABLES[vname]
            column = columns.get(rule, ("CHILD", None))[0]
            if rule == "399":
                column = {"Episodes": "LS", "Header": "MOTHER", "Reviews": "REVIEW"}[vname]
            parts.append(
                _records(data, table, positions, f"dfe_{rule}", "error", column, f"DfE rule {rule}: {DFE_REVIEW_RULES[rule]}")
            )
    rv = data.reviews
    if rv is not None and len(rv):
        parts.extend(_own_checks(data, rv, close, periods))
    return make_findings(pd.concat([p for p in parts if p is not None and len(p)], ignore_index=True)) if any(
        p is not None and len(p) for p in parts
    ) else make_findings()


def _own_checks(data, rv: pd.DataFrame, close: int, periods) -> list:
    parts = []
    date = pd.to_datetime(rv["REVIEW"], errors="coerce").astype("datetime64[ns]")
    ykey = _year_keys(rv)
    child = rv["CHILD"].astype(str)
    frame = pd.DataFrame({"y": ykey, "CHILD": child.to_numpy(), "date": date.to_numpy(), "pos": np.arange(len(rv))})

    # duplicates on one day, within one return
    dated = frame.loc[frame["date"].notna()]
    dup = dated.duplicated(["y", "CHILD", "date"], keep="first")
    sev, msg = REVIEW_CHECKS["review_duplicate_same_day"]
    parts.append(_records(data, "reviews", dated.loc[dup, "pos"].to_numpy(), "review_duplicate_same_day", sev, "REVIEW", msg))

    # close together: distinct dates of a child within one return
    uniq = dated.loc[~dup].sort_values(["y", "CHILD", "date"], kind="stable")
    same = (uniq["y"].to_numpy()[1:] == uniq["y"].to_numpy()[:-1]) & (
        uniq["CHILD"].to_numpy()[1:] == uniq["CHILD"].to_numpy()[:-1]
    )
    gap = (uniq["date"].to_numpy()[1:] - uniq["date"].to_numpy()[:-1]) / np.timedelta64(1, "D")
    near = np.r_[False, same & (gap < close)]
    sev, msg = REVIEW_CHECKS["reviews_close_together"]
    parts.append(
        _records(data, "reviews", uniq.loc[near, "pos"].to_numpy(), "reviews_close_together", sev, "REVIEW",
                 f"{msg} (fewer than {close} days)")
    )

    # before birth (DOB from the header when present, else from the Reviews table)
    hdr = data.header
    dob = None
    if hdr is not None and "DOB" in hdr.columns and len(hdr):
        h = pd.DataFrame({"y": _year_keys(hdr), "CHILD": hdr["CHILD"].astype(str).to_numpy(), "hdob": pd.to_datetime(hdr["DOB"]).to_numpy()})
        h = h.drop_duplicates(["y", "CHILD"])
        dob = frame.merge(h, on=["y", "CHILD"], how="left")["hdob"]
    if "DOB" in rv.columns:
        rdob = pd.Series(pd.to_datetime(rv["DOB"]).to_numpy())
        dob = rdob if dob is None else pd.Series(dob.to_numpy()).fillna(rdob)
    if dob is not None:
        before = (frame["date"].to_numpy() < pd.Series(dob).to_numpy(dtype="datetime64[ns]"))
        sev, msg = REVIEW_CHECKS["review_before_birth"]
        parts.append(_records(data, "reviews", np.flatnonzero(before), "review_before_birth", sev, "REVIEW", msg))

    # child not in header (within the same return)
    if hdr is not None:
        hkey, rkey = _keys(data, "header", "reviews")
        missing = ~rkey.isin(set(hkey)).to_numpy(dtype=bool)
        sev, msg = REVIEW_CHECKS["review_child_not_in_header"]
        parts.append(_records(data, "reviews", np.flatnonzero(missing), "review_child_not_in_header", sev, "CHILD", msg))

    # outside every period of care (children with episodes only)
    eps = data.episodes
    if eps is not None and len(eps):
        if periods is None:
            from ..cohorts import periods_of_care

            periods = periods_of_care(data)
        per = pd.DataFrame(
            {
                "CHILD": periods["CHILD"].astype(str).to_numpy(),
                "period_start": pd.to_datetime(periods["period_start"]).to_numpy(dtype="datetime64[ns]"),
                "period_end": pd.to_datetime(periods["period_end"]).to_numpy(dtype="datetime64[ns]"),
            }
        )
        outside = _outside_periods(dated, per)
        if outside is None:
            outside = _outside_periods_merged(dated, per)
        sev, msg = REVIEW_CHECKS["review_outside_care"]
        parts.append(_records(data, "reviews", np.sort(outside), "review_outside_care", sev, "REVIEW", msg))
    return parts


def _outside_periods_merged(dated: pd.DataFrame, per: pd.DataFrame) -> np.ndarray:
    """Positions (``pos``) of reviews outside every period of their child, who has periods.

    The general path: each review is matched with its child's latest period starting on or
    before it (:func:`pandas.merge_asof`), and is inside when that period has not ended before it.
    """
    per = per.sort_values("period_start", kind="stable")
    left = dated.sort_values("date", kind="stable")
    m = pd.merge_asof(left, per, left_on="date", right_on="period_start", by="CHILD", direction="backward")
    inside = m["period_start"].notna() & (m["period_end"].isna() | (m["date"] <= m["period_end"]))
    has_eps = m["CHILD"].isin(set(per["CHILD"]))
    return m.loc[(~inside & has_eps).to_numpy(dtype=bool), "pos"].to_numpy()


def _outside_periods(dated: pd.DataFrame, per: pd.DataFrame) -> np.ndarray | None:
    """:func:`_outside_periods_merged` by position, or None where the merge alone answers.

    Each review's period is found by :func:`iro_analysis._asof.latest_on_or_before` (the same
    period as ``merge_asof``); None where that leaves it to the merge (no periods or no reviews,
    a missing key). The same positions, as a set; the caller sorts them.
    """
    from .._asof import latest_on_or_before

    if per["CHILD"].isna().any() or dated["CHILD"].isna().any():
        return None  # missing keys: merge_asof's own answer (or error) stands
    at = latest_on_or_before(dated["CHILD"].to_numpy(dtype=object), dated["date"].to_numpy(dtype="datetime64[ns]"),
                             per["CHILD"].to_numpy(dtype=object), per["period_start"].to_numpy(dtype="datetime64[ns]"))
    if at is None:
        return None
    matched = at >= 0
    end = per["period_end"].to_numpy(dtype="datetime64[ns]")[np.clip(at, 0, None)]
    inside = matched & (np.isnat(end) | (dated["date"].to_numpy(dtype="datetime64[ns]") <= end))
    # children with any period: their IDs coded together, compared as integers
    code = pd.factorize(np.concatenate([per["CHILD"].to_numpy(dtype=object), dated["CHILD"].to_numpy(dtype=object)]))[0]
    has_periods = np.isin(code[len(per):], code[: len(per)])
    return dated["pos"].to_numpy()[~inside & has_periods]


def participation_age_check(data, year=None) -> pd.DataFrame:
    """PN0 and age: participation codes that disagree with the child's age at the review.

    Parameters
    ----------
    data : SSDA903
    year : int or str, optional
        Reporting year ending 31 March: keep reviews held in it, by quarter. Without it,
        every review is counted in one row.

    Returns
    -------
    DataFrame
        Columns ``quarter`` (Int64; NA for the whole-year row), ``quarter_label``, ``reviews``
        (reviews with a date), ``pn0`` (coded PN0), ``pn0_aged_4_or_over`` (DfE rule 440),
        ``pn1_7_under_4`` (DfE rule 441), ``inconsistent`` (their sum), ``percent_inconsistent``.
        Counts only: no child identifiers.

    Examples
    --------
    >>> from iro_analysis.ssda903 import SSDA903
    >>> rv = pd.DataFrame({"CHILD": ["1", "2"], "DOB": pd.to_datetime(["2010-01-01", "2020-06-01"]),
    ...                    "REVIEW": pd.to_datetime(["2022-05-01", "2022-11-01"]),
    ...                    "REVIEW_CODE": ["PN0", "PN1"]})
    >>> participation_age_check(SSDA903(reviews=rv), 2023)["inconsistent"].tolist()
    [1, 0, 1, 0, 2]
    """
    from ..calendar import parse_year, quarter_of, year_bounds, year_label

    rv = as_return(data).reviews
    if rv is None:
        raise ParameterError("the data have no reviews table: participation needs the Reviews file.")
    date = pd.to_datetime(rv["REVIEW"], errors="coerce")
    code = _codes(rv["REVIEW_CODE"]) if "REVIEW_CODE" in rv.columns else pd.Series(None, index=rv.index, dtype=object)
    flag440 = np.zeros(len(rv), dtype=bool)
    flag440[_rule_440(rv)] = True
    flag441 = np.zeros(len(rv), dtype=bool)
    flag441[_rule_441(rv)] = True
    frame = pd.DataFrame(
        {"date": date.to_numpy(), "pn0": code.eq("PN0").to_numpy(dtype=bool), "f440": flag440, "f441": flag441}
    )
    if "collection_year" in rv.columns:
        # a stack lists a review in one return only; keep rows once per child and date
        frame["CHILD"] = rv["CHILD"].astype(str).to_numpy()
        frame["cy"] = pd.to_numeric(rv["collection_year"], errors="coerce").to_numpy()
        latest = frame.groupby(["CHILD", "date"])["cy"].transform("max")
        frame = frame.loc[(frame["cy"] == latest).to_numpy(dtype=bool)]
    frame = frame.loc[frame["date"].notna()]
    rows = []
    if year is None:
        groups = [(pd.NA, "all reviews", frame)]
    else:
        y = parse_year(year)
        ys, ye = year_bounds(y)
        frame = frame.loc[frame["date"].between(ys, ye)]
        q = quarter_of(frame["date"], y).to_numpy()
        names = {1: "Apr-Jun", 2: "Jul-Sep", 3: "Oct-Dec", 4: "Jan-Mar"}
        groups = [(qn, f"{names[qn]} ({year_label(y)})", frame.loc[q == qn]) for qn in (1, 2, 3, 4)]
        groups.append((pd.NA, year_label(y), frame))
    for qn, label, sub in groups:
        n = int(len(sub))
        inc = int(sub["f440"].sum() + sub["f441"].sum())
        rows.append(
            {
                "quarter": qn,
                "quarter_label": label,
                "reviews": n,
                "pn0": int(sub["pn0"].sum()),
                "pn0_aged_4_or_over": int(sub["f440"].sum()),
                "pn1_7_under_4": int(sub["f441"].sum()),
                "inconsistent": inc,
                "percent_inconsistent": 100 * inc / n if n else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    out["quarter"] = pd.array(out["quarter"].tolist(), dtype="Int64")
    return out
