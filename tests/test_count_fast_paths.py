"""The count tables' fast paths against their general paths.

Each fast path (numpy grids, results reused within one prepared return) must give exactly the
frame the general path gives, dtypes included. Property tests draw the inputs; hand-built cases
check the fallbacks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cohorts import chains  # random episode chains, well-formed or faulty

from iro_analysis import report

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LABELS = st.sampled_from(["Q1 (Apr-Jun 2022)", "Q2 (Jul-Sep 2022)", "Q3 (Oct-Dec 2022)", "Q4 (Jan-Mar 2023)"])
CATEGORIES = st.sampled_from(["Under 1", "1 to 4", "Not recorded", "C2", "e", "Total", "Year"])


@st.composite
def long_tables(draw):
    rows = draw(st.lists(st.tuples(LABELS, CATEGORIES, st.integers(0, 50)), min_size=1, max_size=30))
    table = pd.DataFrame(rows, columns=["quarter_label", "band", "count"])
    table["band"] = table["band"].astype(object)
    table["quarter_label"] = table["quarter_label"].astype(object)
    return table


@SETTINGS
@given(long_tables(), st.booleans())
def test_by_quarter_grid_equals_pivot(table, total):
    expected = report._by_quarter_pivot(table, "band", "count", total)
    got = report.by_quarter(table, "band", total=total)
    pd.testing.assert_frame_equal(got, expected)
    fast = report._by_quarter_grid(table, "band", "count", total)
    if fast is not None:
        pd.testing.assert_frame_equal(fast, expected)


def test_by_quarter_grid_is_taken_for_report_tables_and_sums_repeats():
    table = pd.DataFrame({"quarter_label": ["Q1", "Q1", "Q2", "Q1"], "sex": ["F", "M", "F", "F"],
                          "count": np.array([1, 2, 3, 4], dtype="int64")})
    fast = report._by_quarter_grid(table, "sex", "count", True)
    assert fast is not None
    # F in Q1: 1 + 4; M has no Q2 row (0)
    assert fast.values.tolist() == [["F", 5, 3, 8], ["M", 2, 0, 2], ["Total", 7, 3, 10]]
    pd.testing.assert_frame_equal(fast, report._by_quarter_pivot(table, "sex", "count", True))


@pytest.mark.parametrize("change", ["float counts", "missing label", "Total row", "Year column", "empty"])
def test_by_quarter_grid_falls_back(change):
    table = pd.DataFrame({"quarter_label": ["Q1", "Q2"], "sex": ["F", "M"], "count": np.array([1, 2], dtype="int64")})
    if change == "float counts":
        table["count"] = [1.5, 2.0]
    elif change == "missing label":
        table["sex"] = ["F", None]
    elif change == "Total row":
        table["sex"] = ["Total", "M"]
    elif change == "Year column":
        table["quarter_label"] = ["Year", "Q2"]
    else:
        table = table.iloc[:0]
    assert report._by_quarter_grid(table, "sex", "count", True) is None


# --- results kept with a prepared return ---------------------------------------------------------


@pytest.fixture(scope="module")
def wokingham(synthetic_wokingham):
    from iro_analysis import load_ssda903

    return load_ssda903(synthetic_wokingham)


@pytest.mark.parametrize("exclude", [True, False])
def test_participation_kept_within_a_prepared_return_equals_a_fresh_one(wokingham, exclude):
    from iro_analysis import cohorts

    fresh = cohorts.participation_by_quarter(wokingham, 2023, exclude_short_breaks=exclude)
    with cohorts.prepared_once():
        first = cohorts.participation_by_quarter(wokingham, 2023, exclude_short_breaks=exclude)
        first.loc[:, "count"] = -1  # a caller changing its copy changes nobody else's
        again = cohorts.participation_by_quarter(wokingham, 2023, exclude_short_breaks=exclude)
        last_year = cohorts.participation_by_quarter(wokingham, 2022, exclude_short_breaks=exclude)
    pd.testing.assert_frame_equal(again, fresh)
    pd.testing.assert_frame_equal(last_year, cohorts.participation_by_quarter(wokingham, 2022,
                                                                              exclude_short_breaks=exclude))
    assert not last_year.equals(again)


# --- profile_on: one frame for all dates -----------------------------------------------------------


def _profile_on_per_date(data, date, *, by, exclude_short_breaks=True):
    """profile_on as first written: a frame per date, counted with value_counts, concatenated."""
    from iro_analysis.cohorts import prepare
    from iro_analysis.cohorts.profiles import _BY_COLUMN, _describe_column, _group_values, _ordered_categories
    from iro_analysis.cohorts.snapshots import _in_care_frame, _parse_date

    dates = [date] if isinstance(date, (str, pd.Timestamp)) or np.ndim(date) == 0 else list(date)
    prep = prepare(data)
    col = _BY_COLUMN[by]
    blocks = []
    for d in dates:
        when = _parse_date(d)
        cic = _in_care_frame(prep, when, exclude_short_breaks)
        values, standard = _group_values(
            by, ls=cic["LS"], place=cic["PLACE"], age=cic["age"], sex=cic["SEX"], ethnic=cic["ETHNIC"], uasc=cic["uasc"]
        )
        cats = _ordered_categories(values, standard)
        counts = values.value_counts().reindex(cats, fill_value=0)
        total = len(cic)
        block = pd.DataFrame({"date": when, col: pd.Series(cats, dtype=object), "count": counts.to_numpy().astype("int64")})
        block["percent"] = block["count"] / total * 100 if total else np.nan
        block["total"] = total
        blocks.append(block)
    out = pd.concat(blocks, ignore_index=True)
    out["date"] = out["date"].astype("datetime64[ns]")
    return _describe_column(out, by)


BYS = ["legal_status", "LS", "sex", "ethnicity", "age_band", "placement", "PLACE", "uasc"]


@pytest.fixture(scope="module")
def wokingham_prepared(wokingham):
    from iro_analysis import cohorts

    return cohorts.prepare(wokingham)


@SETTINGS
@given(st.lists(st.dates(pd.Timestamp("2019-01-01").date(), pd.Timestamp("2024-06-30").date()), min_size=1,
                max_size=4), st.sampled_from(BYS), st.booleans())
def test_profile_on_equals_a_frame_per_date(wokingham_prepared, days, by, exclude):
    from iro_analysis import cohorts

    dates = [pd.Timestamp(d) for d in days]
    date = dates[0] if len(dates) == 1 else dates
    pd.testing.assert_frame_equal(cohorts.profile_on(wokingham_prepared, date, by=by, exclude_short_breaks=exclude),
                                  _profile_on_per_date(wokingham_prepared, date, by=by, exclude_short_breaks=exclude))


@pytest.mark.parametrize("by", BYS)
def test_profile_on_odd_codes_and_nobody_in_care(by):
    from types import SimpleNamespace

    from iro_analysis import cohorts

    ep = pd.DataFrame({"CHILD": ["A", "B", "C", "D"], "DECOM": pd.to_datetime(["2022-05-01"] * 4),
                       "RNE": ["S"] * 4, "LS": ["c2", None, "ZZ", "V2"], "PLACE": ["U4", "k9", None, "R1"],
                       "DEC": pd.to_datetime([None] * 4), "REC": [None] * 4})
    hd = pd.DataFrame({"CHILD": ["A", "B", "C"], "SEX": ["1", "2", "9"], "DOB": pd.to_datetime(["2010-01-01", None,
                       "2005-03-31"]), "ETHNIC": ["WBRI", "xxxx", None]})
    data = SimpleNamespace(episodes=ep, header=hd)
    dates = ["2022-04-30", "2023-03-31"]  # nobody in care on the first: percent NaN, standard rows of 0
    pd.testing.assert_frame_equal(cohorts.profile_on(data, dates, by=by),
                                  _profile_on_per_date(data, dates, by=by))
    with pytest.raises(ValueError):
        cohorts.profile_on(data, [], by=by)


# --- missing and participation counted on arrays -------------------------------------------------------


def _missing_by_quarter_subsets(data, year, exclude_short_breaks=True):
    """missing_by_quarter as first written: a subset of the frame per quarter."""
    from iro_analysis.cohorts import counts as c

    mi = c._dedup_table(c._source(data), "missing", ["CHILD", "MIS_START", "MISSING"], ("MIS_START", "MIS_END"),
                        "missing episodes")
    mi = c._dated_in_year(data, mi, "MIS_START", year, exclude_short_breaks)
    mi = mi.assign(_q=c._quarter_frame(mi["MIS_START"], year), MISSING=c._codes_upper(mi["MISSING"]))
    qs = c._quarters(year)
    rows = []
    for q, sub in [(int(q), mi.loc[mi["_q"] == q]) for q in qs["quarter"]] + [(None, mi)]:
        m, a = sub.loc[sub["MISSING"] == "M"], sub.loc[sub["MISSING"] == "A"]
        rows.append((q, len(m), len(a), len(sub), m["CHILD"].nunique(), a["CHILD"].nunique(), sub["CHILD"].nunique()))
    counts = pd.DataFrame(rows, columns=["quarter", "missing_episodes", "away_episodes", "episodes",
                                         "missing_children", "away_children", "children"])
    return c._with_year_row(qs, counts, year)


def _participation_by_quarter_blocks(data, year, exclude_short_breaks=True):
    """participation_by_quarter as first written: value_counts per quarter, concatenated."""
    from iro_analysis import codes
    from iro_analysis.cohorts import counts as c

    rv = c._dedup_table(c._source(data), "reviews", ["CHILD", "REVIEW"], ("REVIEW",), "participation")
    rv = c._dated_in_year(data, rv, "REVIEW", year, exclude_short_breaks)
    code = c._codes_upper(rv["REVIEW_CODE"])
    code = code.where(code.notna(), c._NOT_RECORDED)
    cats = c._ordered_categories(code, c._PN_CODES)
    q = c._quarter_frame(rv["REVIEW"], year)
    qs = c._quarters(year)
    blocks = []
    for qn in list(qs["quarter"]) + [None]:
        sel = code if qn is None else code.loc[q == qn]
        counts = sel.value_counts().reindex(cats, fill_value=0)
        blocks.append(pd.DataFrame({"quarter": qn, "REVIEW_CODE": cats, "count": counts.to_numpy().astype("int64"),
                                    "reviews": int(len(sel))}))
    out = c._with_year_row(qs, pd.concat(blocks, ignore_index=True), year)
    out["REVIEW_CODE"] = out["REVIEW_CODE"].astype(object)
    out["description"] = out["REVIEW_CODE"].map(
        lambda v: "Not recorded" if v == c._NOT_RECORDED else codes.describe("REVIEW_CODE", v)).astype(object)
    out["percent"] = np.where(out["reviews"] > 0, out["count"] / out["reviews"].where(out["reviews"] > 0) * 100, np.nan)
    return out[["quarter", "quarter_label", "quarter_start", "quarter_end", "REVIEW_CODE", "description", "count",
                "reviews", "percent"]]


@pytest.mark.parametrize("year", [2022, 2023, 2024])
@pytest.mark.parametrize("exclude", [True, False])
def test_missing_and_participation_equal_their_first_layout(wokingham, year, exclude):
    from iro_analysis import cohorts

    pd.testing.assert_frame_equal(cohorts.missing_by_quarter(wokingham, year, exclude_short_breaks=exclude),
                                  _missing_by_quarter_subsets(wokingham, year, exclude))
    pd.testing.assert_frame_equal(cohorts.participation_by_quarter(wokingham, year, exclude_short_breaks=exclude),
                                  _participation_by_quarter_blocks(wokingham, year, exclude))


CODES = st.sampled_from(["M", "A", "m", " a ", "X", "", None, "PN0", "pn3", "PN7", "PN9", "zz"])
DAYS = st.dates(pd.Timestamp("2022-01-01").date(), pd.Timestamp("2023-06-30").date())


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", " ", None]), DAYS, CODES), min_size=0, max_size=25),
       st.booleans())
def test_missing_and_participation_on_drawn_records(records, exclude):
    from types import SimpleNamespace

    from iro_analysis import cohorts

    ep = pd.DataFrame({"CHILD": ["A", "B", "C"], "DECOM": pd.to_datetime(["2021-05-01", "2022-06-01", "2022-09-01"]),
                       "RNE": ["S"] * 3, "LS": ["C2", "V3", "E1"], "PLACE": ["U4"] * 3,
                       "DEC": pd.to_datetime([None, "2022-12-01", None]), "REC": [None, "E8", None]})
    child = [r[0] for r in records]
    day = pd.to_datetime([r[1] for r in records])
    code = [r[2] for r in records]
    missing = pd.DataFrame({"CHILD": child, "MISSING": code, "MIS_START": day, "MIS_END": pd.NaT}, dtype=object)
    missing["MIS_START"] = pd.to_datetime(missing["MIS_START"])
    missing["MIS_END"] = pd.to_datetime(missing["MIS_END"])
    reviews = pd.DataFrame({"CHILD": child, "REVIEW": day, "REVIEW_CODE": code}, dtype=object)
    reviews["REVIEW"] = pd.to_datetime(reviews["REVIEW"])
    data = SimpleNamespace(episodes=ep, missing=missing, reviews=reviews)
    pd.testing.assert_frame_equal(cohorts.missing_by_quarter(data, 2023, exclude_short_breaks=exclude),
                                  _missing_by_quarter_subsets(data, 2023, exclude))
    pd.testing.assert_frame_equal(cohorts.participation_by_quarter(data, 2023, exclude_short_breaks=exclude),
                                  _participation_by_quarter_blocks(data, 2023, exclude))


# --- categories_with_last_year: last year looked up by position ------------------------------------------


def _categories_with_last_year_merge(table, before):
    """categories_with_last_year as first written: a left merge on the first label."""
    labels = list(table.attrs.get("labels") or [table.columns[0]])
    first = labels[0]
    last = before.rename(columns={"count": "last_year", "percent": "percent_last_year"})
    last = last[labels + ["last_year", "percent_last_year"]]
    body = table[table[first].astype(str) != "Total"]
    extra = last[~last[first].isin(set(body[first])) & (last[first].astype(str) != "Total")]
    this_total = table.loc[table[first].astype(str) == "Total", "count"].sum()
    last_total = last.loc[last[first].astype(str) == "Total", "last_year"].sum()
    extra = extra[labels].assign(count=0, percent=0.0 if this_total > 0 else np.nan)
    ordered = pd.concat([body, extra, table[table[first].astype(str) == "Total"]], ignore_index=True)
    out = ordered.merge(last.drop(columns=labels[1:]), on=first, how="left")
    absent = out["last_year"].isna()
    out["last_year"] = out["last_year"].fillna(0).astype(int)
    out.loc[absent, "percent_last_year"] = 0.0 if last_total > 0 else np.nan
    out = out[labels + ["last_year", "percent_last_year", "count", "percent"]]
    derived = dict(table.attrs.get("derived") or {"percent": ["count", "@total"]})
    derived["percent_last_year"] = ["last_year", "@total:last_year"]
    out.attrs = {**table.attrs, "labels": labels, "counts": ["last_year", "count"], "derived": derived}
    return out


ROW_LABELS = st.sampled_from(["Foster", "Residential", "Not recorded", "E1", "Other", "Total"])


@st.composite
def category_tables(draw, dtype):
    names = draw(st.lists(ROW_LABELS, min_size=0, max_size=6, unique=draw(st.booleans())))
    if draw(st.booleans()):
        names = [n for n in names if n != "Total"] + ["Total"]
    count = [draw(st.integers(0, 30)) for _ in names]
    frame = pd.DataFrame({"placement": pd.Series(names, dtype=dtype),
                          "description": pd.Series([n.lower() for n in names], dtype=object),
                          "count": np.array(count, dtype="int64"),
                          "percent": np.array([draw(st.sampled_from([0.0, 12.5, np.nan])) for _ in names])})
    if draw(st.booleans()):
        frame.attrs = {"labels": ["placement", "description"], "counts": ["count"], "notes": "n"}
    return frame


@SETTINGS
@given(st.data())
def test_categories_with_last_year_equals_the_merge(data):
    dtypes = data.draw(st.sampled_from([(object, object), ("str", "str"), (object, "str")]))
    table = data.draw(category_tables(dtypes[0]))
    before = data.draw(category_tables(dtypes[1]))
    before.attrs = {}
    from iro_analysis.authority_last_year import categories_with_last_year

    got = categories_with_last_year(table, before)
    expected = _categories_with_last_year_merge(table, before)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs


def test_categories_with_last_year_on_the_report_tables(wokingham):
    from iro_analysis import care_history, cohorts, outcomes_tables
    from iro_analysis.authority_last_year import categories_with_last_year

    makers = [care_history.placement_at_entry, care_history.placements_started, care_history.placement_moves,
              care_history.placement_end_reasons, outcomes_tables.category_of_need]
    with cohorts.prepared_once():
        for make in makers:
            table, before = make(wokingham, 2023), make(wokingham, 2022)
            got = categories_with_last_year(table, before)
            pd.testing.assert_frame_equal(got, _categories_with_last_year_merge(table, before))
            # and the other way round: rows seen only in one year
            pd.testing.assert_frame_equal(categories_with_last_year(before, table.iloc[:2]),
                                          _categories_with_last_year_merge(before, table.iloc[:2]))


# --- starters and leavers: only the counted columns, adults by cell ------------------------------------------


def _starters_by_quarter_assign(data, year, by, exclude_short_breaks=True):
    """starters_by_quarter as first written: the periods frame with the counted columns assigned."""
    from iro_analysis.calendar import year_bounds
    from iro_analysis.cohorts import counts as c, flows as f

    start, end = year_bounds(year)
    prep = f.prepare(data)
    p = f._periods_for_counts(prep, exclude_short_breaks)
    p = p.loc[p["period_start"].between(start, end)]
    kw = {}
    if by == "age_band":
        kw["age"] = f._age_fast(f._dob_of(prep, p).to_numpy(), p["period_start"].to_numpy(), p.index)
    elif by in ("sex", "ethnicity"):
        arr = prep.sex if by == "sex" else prep.ethnic
        kw["sex" if by == "sex" else "ethnic"] = pd.Series(arr[prep.period_cid[p.index.to_numpy()]], index=p.index,
                                                           dtype=object)
    elif by in ("legal_status", "LS"):
        kw["ls"] = p["ls_at_start"]
    else:
        kw["place"] = p["place_at_start"]
    values, standard = f._group_values(by, **kw)
    frame = p.assign(_g=values, _q=f._quarter_frame(p["period_start"], year))
    return c._count_by_quarter(frame, year, f._BY_COLUMN[by], standard)


def _leavers_by_quarter_groupby(data, year, by, exclude_short_breaks=True):
    """leavers_by_quarter as first written: adults counted by a groupby re-indexed on the pairs."""
    from iro_analysis import codes
    from iro_analysis.calendar import year_bounds
    from iro_analysis.cohorts import counts as c, flows as f

    start, end = year_bounds(year)
    prep = f.prepare(data)
    p = f._periods_for_counts(prep, exclude_short_breaks)
    p = p.loc[p["period_end"].between(start, end)]
    age = f._age_fast(f._dob_of(prep, p).to_numpy(), p["period_end"].to_numpy(), p.index)
    reason = p["end_reason"].astype(object)
    if by == "reason":
        g = f._via_unique(reason, codes.reason_ceased_group)
        values, standard = g.where(g.notna(), f._NOT_RECORDED), list(f._REC_GROUP_ORDER)
    elif by == "REC":
        standard = [x for x in codes.descriptions("REC") if x != "X1"]
        values = reason.where(reason.notna(), f._NOT_RECORDED)
    else:
        values, standard = f.age_band(age), [lab for lab, _ in f.AGE_BANDS]
    frame = p.assign(_g=values, _q=f._quarter_frame(p["period_end"], year), _adult=(age >= 18).fillna(False).astype(bool))
    out = c._count_by_quarter(frame, year, by, standard)
    adults = frame.loc[frame["_adult"]].groupby(["_q", "_g"]).size()
    key = pd.MultiIndex.from_arrays([out["quarter"], out[by]])
    out["aged_18_or_over"] = adults.reindex(key, fill_value=0).to_numpy().astype("int64")
    return out


STARTER_BYS = ["age_band", "legal_status", "LS", "placement", "PLACE", "sex", "ethnicity"]


@pytest.mark.parametrize("year", [2022, 2023])
@pytest.mark.parametrize("exclude", [True, False])
def test_starters_and_leavers_equal_their_first_layout(wokingham_prepared, year, exclude):
    from iro_analysis import cohorts

    for by in STARTER_BYS:
        pd.testing.assert_frame_equal(cohorts.starters_by_quarter(wokingham_prepared, year, by=by,
                                                                  exclude_short_breaks=exclude),
                                      _starters_by_quarter_assign(wokingham_prepared, year, by, exclude))
    for by in ("reason", "REC", "age_band"):
        got = cohorts.leavers_by_quarter(wokingham_prepared, year, by=by, exclude_short_breaks=exclude)
        pd.testing.assert_frame_equal(got, _leavers_by_quarter_groupby(wokingham_prepared, year, by, exclude))
    assert got["aged_18_or_over"].sum() > 0  # the synthetic return has care leavers of 18


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_starters_and_leavers_on_drawn_chains(data):
    from types import SimpleNamespace

    from iro_analysis import cohorts

    ep = data.draw(chains(faults=True))
    kids = ep["CHILD"].unique()
    dob = pd.to_datetime("2004-06-15") + pd.to_timedelta(np.arange(len(kids)) * 900, "D")
    hd = pd.DataFrame({"CHILD": kids, "SEX": data.draw(st.sampled_from(["1", "2", None])), "DOB": dob,
                       "ETHNIC": data.draw(st.sampled_from(["WBRI", "xx", None]))})
    d = cohorts.prepare(SimpleNamespace(episodes=ep, header=hd))
    year = data.draw(st.sampled_from([2022, 2023, 2024]))
    exclude = data.draw(st.booleans())
    by = data.draw(st.sampled_from(STARTER_BYS))
    pd.testing.assert_frame_equal(cohorts.starters_by_quarter(d, year, by=by, exclude_short_breaks=exclude),
                                  _starters_by_quarter_assign(d, year, by, exclude))
    by = data.draw(st.sampled_from(["reason", "REC", "age_band"]))
    pd.testing.assert_frame_equal(cohorts.leavers_by_quarter(d, year, by=by, exclude_short_breaks=exclude),
                                  _leavers_by_quarter_groupby(d, year, by, exclude))


# --- profile_with_last_year: the profiles beside last year by position ------------------------------------


def _profile_merge(profile, before, category):
    """The profiles beside last year as first written: a left merge, the extra rows, fillna(0)."""
    before = before.rename(columns={"count": "last_year", "percent": "percent_last_year"})
    extra = before[~before[category].isin(profile[category])]
    out = pd.concat([profile.merge(before, on=category, how="left"), extra], ignore_index=True).fillna(0)
    return out[[category, "last_year", "percent_last_year", "count", "percent"]]


@st.composite
def profiles(draw):
    names = draw(st.lists(st.sampled_from(["UASC", "Non-UASC", "White", "Mixed", "Not recorded", "Under 1"]),
                          max_size=5, unique=draw(st.booleans())))
    count = np.array([draw(st.integers(0, 20)) for _ in names], dtype="int64")
    percent = np.array([draw(st.sampled_from([np.nan, 0.0, 12.5, 100.0])) for _ in names], dtype="float64")
    return pd.DataFrame({"cat": pd.Series(names, dtype=object), "count": count, "percent": percent})


@SETTINGS
@given(profiles(), profiles())
def test_profile_with_last_year_equals_the_merge(profile, before):
    from iro_analysis.authority_last_year import profile_with_last_year

    pd.testing.assert_frame_equal(profile_with_last_year(profile, before, "cat"), _profile_merge(profile, before, "cat"))


def test_profile_with_last_year_on_the_report_profiles(wokingham_prepared):
    from iro_analysis import cohorts
    from iro_analysis.authority_last_year import _profile_by_position, profile_with_last_year

    for by, col in [("legal_status", "legal_status"), ("age_band", "age_band"), ("ethnicity", "ethnic_group"),
                    ("placement", "placement"), ("uasc", "uasc")]:
        for now_day, then_day in [("2023-03-31", "2022-03-31"), ("2022-03-31", "2019-03-31")]:
            now = cohorts.profile_on(wokingham_prepared, now_day, by=by)[[col, "count", "percent"]]
            then = cohorts.profile_on(wokingham_prepared, then_day, by=by)[[col, "count", "percent"]]
            for a, b in [(now, then), (now, then.iloc[1:]), (now.iloc[:0], then), (now.iloc[2:], then.iloc[:0])]:
                assert _profile_by_position(a, b, col) is not None
                pd.testing.assert_frame_equal(profile_with_last_year(a, b, col), _profile_merge(a, b, col))


# --- reaching 18 from the DOB's year and month ------------------------------------------------------------


def _reaching_18_dates(data, year, years=2, exclude_short_breaks=True):
    """reaching_18 as first written: each 18th birthday as a date, then its reporting year."""
    from iro_analysis.calendar import year_bounds, year_label
    from iro_analysis.cohorts import flows as f

    prep = f.prepare(data)
    cic = f._in_care_frame(prep, year_bounds(year)[1], exclude_short_breaks)
    b18 = f.date_turns_18(cic["DOB"])
    ry = (b18.dt.year + (b18.dt.month >= 4).astype("int64")).astype("Int64")
    rows = []
    for k in range(1, int(years) + 1):
        fy, ty = year_bounds(year + k)
        rows.append((year + k, year_label(year + k), fy, ty, int((ry == year + k).fillna(False).sum())))
    return pd.DataFrame(rows, columns=["year", "year_label", "from_date", "to_date", "count"])


DOBS = st.one_of(st.none(), st.sampled_from(["2004-02-29", "2005-03-31", "2005-04-01", "2006-02-28", "2008-02-29"]),
                 st.dates(pd.Timestamp("2003-01-01").date(), pd.Timestamp("2010-12-31").date()).map(str))


@SETTINGS
@given(st.lists(DOBS, min_size=1, max_size=8), st.sampled_from([2022, 2023]), st.integers(1, 4))
def test_reaching_18_equals_the_birthdays(dobs, year, years):
    from types import SimpleNamespace

    from iro_analysis import cohorts

    kids = [f"C{i}" for i in range(len(dobs))]
    ep = pd.DataFrame({"CHILD": kids, "DECOM": pd.Timestamp("2021-01-01"), "RNE": "S", "LS": "C2", "PLACE": "U4",
                       "DEC": pd.NaT, "REC": None})
    hd = pd.DataFrame({"CHILD": kids, "SEX": "1", "DOB": pd.to_datetime(pd.Series(dobs, dtype=object)),
                       "ETHNIC": "WBRI"})
    data = cohorts.prepare(SimpleNamespace(episodes=ep, header=hd))
    pd.testing.assert_frame_equal(cohorts.reaching_18(data, year, years=years), _reaching_18_dates(data, year, years))


def test_reaching_18_on_the_synthetic_return(wokingham_prepared):
    from iro_analysis import cohorts

    for year in (2021, 2022, 2023):
        got = cohorts.reaching_18(wokingham_prepared, year, years=3)
        pd.testing.assert_frame_equal(got, _reaching_18_dates(wokingham_prepared, year, 3))
    assert got["count"].sum() > 0


# --- count_table: counts by position --------------------------------------------------------------------------


@SETTINGS
@given(st.lists(st.sampled_from(["a", "b", "Not recorded", "Not known", "z", "Total"]), max_size=20),
       st.lists(st.sampled_from(["a", "b", "c", "b"]), max_size=4), st.sampled_from([object, "str"]))
def test_count_table_counts_equal_value_counts(values, standard, dtype):
    from iro_analysis._count_tables import _counts_in_order, ordered_categories

    s = pd.Series(values, dtype=dtype)
    cats = ordered_categories(s, standard)
    expected = s.value_counts().reindex(cats, fill_value=0).to_numpy().astype("int64")
    np.testing.assert_array_equal(_counts_in_order(s, cats), expected)
    assert _counts_in_order(s, cats).dtype == np.int64


# --- year_summary on arrays ---------------------------------------------------------------------------------


def _year_summary_subsets(data, year, exclude_short_breaks=True):
    """year_summary as first written: subsets of the periods frame and nunique."""
    from iro_analysis.calendar import year_bounds, year_label
    from iro_analysis.cohorts import counts as c

    start, end = year_bounds(year)
    prep = c.prepare(data)
    p = c._periods_for_counts(prep, exclude_short_breaks)
    started = p.loc[p["period_start"].between(start, end)]
    ended = p.loc[p["period_end"].between(start, end)]
    during = p.loc[(p["period_start"] <= end) & (p["period_end"].isna() | (p["period_end"] >= start))]
    at_start = c._in_care_frame(prep, start - pd.Timedelta(days=1), exclude_short_breaks)
    at_end = c._in_care_frame(prep, end, exclude_short_breaks)
    rows = [("in_care_start", len(at_start)), ("in_care_end", len(at_end)),
            ("in_care_during_year", during["CHILD"].nunique()), ("periods_started", len(started)),
            ("children_started", started["CHILD"].nunique()), ("periods_ended", len(ended)),
            ("children_ceased", ended["CHILD"].nunique()), ("uasc_end", int(at_end["uasc"].sum()))]
    out = pd.DataFrame(rows, columns=["measure", "count"])
    out["count"] = out["count"].astype("int64")
    out["year"] = year
    out["year_label"] = year_label(year)
    return out


@SETTINGS
@given(chains(faults=True), st.sampled_from([2021, 2022, 2023, 2024]), st.booleans())
def test_year_summary_equals_the_subsets(ep, year, exclude):
    from types import SimpleNamespace

    from iro_analysis import cohorts

    d = cohorts.prepare(SimpleNamespace(episodes=ep))
    pd.testing.assert_frame_equal(cohorts.year_summary(d, year, exclude_short_breaks=exclude),
                                  _year_summary_subsets(d, year, exclude))


def test_year_summary_on_the_synthetic_return(wokingham_prepared):
    from iro_analysis import cohorts

    for year in (2021, 2022, 2023):
        for exclude in (True, False):
            pd.testing.assert_frame_equal(cohorts.year_summary(wokingham_prepared, year, exclude_short_breaks=exclude),
                                          _year_summary_subsets(wokingham_prepared, year, exclude))


# --- the periods counted: selected once per prepared return -------------------------------------------------


def test_periods_for_counts_are_selected_once_per_prepared_return(wokingham):
    import dataclasses

    from iro_analysis.cohorts import periods as pr

    prep = pr.prepare(wokingham)
    expected = prep.periods.loc[~prep.periods["short_breaks_only"]]
    first = pr._periods_for_counts(prep, True)
    pd.testing.assert_frame_equal(first, expected)
    assert pr._periods_for_counts(prep, True) is first  # kept with this prepared return
    assert pr._periods_for_counts(prep, False) is prep.periods
    other = pr.prepare(wokingham)  # outside prepared_once: another prepared return, its own selection
    assert pr._periods_for_counts(other, True) is not first
    # periods replaced on the prepared return: selected again from the new ones
    fewer = prep.periods.iloc[: len(prep.periods) // 2]
    swapped = dataclasses.replace(prep, periods=fewer, _cache=prep._cache)
    pd.testing.assert_frame_equal(pr._periods_for_counts(swapped, True), fewer.loc[~fewer["short_breaks_only"]])
