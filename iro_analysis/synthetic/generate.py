"""Generating a synthetic return: the phases of :func:`generate_return` and the yearly files.

One random generator, seeded by the seed, the authority and the years, is used in a fixed
order: periods of care (:mod:`.population`), ethnicity (:mod:`.ethnicity`), legal routes and
episodes (:mod:`.episodes`), reviews (:mod:`.reviews`), missing episodes, children; then, year
by year, the tables of each collection year with their injected defects (:mod:`.defects`).
The same arguments therefore always give the same return.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .calibration import calibration_targets
from .days import _add_years, _cy_of, _day, _to_dt
from .defects import _episode_gaps, _ground_truth, _review_defects, _review_truth_rows
from .episodes import _all_episodes, _legal_tracks, _missing_episodes
from .ethnicity import _assign_ethnicity
from .population import _periods_of_care
from .reviews import _pn_codes, _schedule_reviews

__all__ = ["SyntheticReturn", "REVIEW_TRUTH_COLUMNS", "generate_return"]

REVIEW_TRUTH_COLUMNS = [
    "collection_year",
    "CHILD",
    "period_start",
    "review_number",
    "review_date",
    "due_date",
    "on_time",
    "days_late",
    "injected_defect",
]


@dataclass
class SyntheticReturn:
    """A synthetic return for one authority over one or more collection years.

    Attributes
    ----------
    data : dict
        Collection year (int, year ending 31 March) -> :class:`iro_analysis.ssda903.SSDA903`.
    ground_truth : DataFrame
        One row per injected defect occurrence: ``defect, collection_year, table, CHILD, row
        (1-based line in the written CSV, the header being line 1), column, value, detail``.
    review_truth : DataFrame
        One row per review generated and per review due but deliberately not held:
        ``collection_year, CHILD, period_start, review_number, review_date, due_date, on_time,
        days_late, injected_defect``.
    calibration : dict
        The targets used (published figures or England defaults) and their source.
    """

    data: dict
    ground_truth: pd.DataFrame
    review_truth: pd.DataFrame
    calibration: dict = field(default_factory=dict)


def _child_id(num) -> np.ndarray:
    return np.array([f"SYN{int(i):07d}" for i in num], dtype=object)


def _upn(num) -> np.ndarray:
    return np.array([f"SYN{int(i) * 7919 % 10**10:010d}" for i in num], dtype=object)


def _sort_rows(df: pd.DataFrame, by: list) -> pd.DataFrame:
    return df.sort_values(by, kind="mergesort", ignore_index=True)


def _ssda903():
    from .. import ssda903

    return ssda903


def generate_return(la, year, *, years: int = 1, seed: int = 0, defects: bool = True,
                    calibration: dict | None = None) -> SyntheticReturn:
    """Generate a realistic synthetic SSDA903 return (one or more collection years).

    Parameters
    ----------
    la : str
        Authority whose published figures calibrate the population (DfE code, ONS code or
        name). Without reference data, England-average shares and ``calibration["size"]``
        (default 300 in care on 31 March) are used.
    year : int or str
        Final collection year, year ending 31 March (``2023`` = 2022-23).
    years : int, default 1
        Number of consecutive collection years ending with ``year``.
    seed : int, default 0
        Random seed; the same seed, authority and years give identical output.
    defects : bool, default True
        Inject the data-quality defects of :data:`DEFECT_KINDS` (and deliberately missed
        reviews). ``False`` gives a clean return.
    calibration : dict, optional
        Overrides of the targets; see :func:`calibration_targets`.

    Returns
    -------
    SyntheticReturn
        ``data`` (collection year -> SSDA903 with header, episodes, reviews, uasc, missing),
        ``ground_truth`` (columns ``defect, collection_year, table, CHILD, row, column, value,
        detail``; ``row`` = 1-based line of the CSV written by
        :func:`iro_analysis.ssda903.write_return`, header = line 1), ``review_truth``
        (``collection_year, CHILD, period_start, review_number, review_date, due_date, on_time,
        days_late, injected_defect``) and ``calibration``.

    Notes
    -----
    Due dates: first ``add_working_days(period_start, 20)``; second
    ``add_calendar_months(first_review_date, 3)``; later ``add_calendar_months(previous, 6)``
    (CPPCR 2010 reg 33). ``on_time`` = review date <= due date; ``days_late`` = days after the
    due date (0 when on time). Missed reviews have no date, ``on_time`` False and
    ``injected_defect`` "missed_review". Defect reviews (duplicates, outside care, not in the
    header) are not part of the schedule (review_number, due_date blank).

    Examples
    --------
    >>> syn = generate_return("857", 2023, years=2, seed=1)
    >>> sorted(syn.data)
    [2022, 2023]
    """
    targets = calibration_targets(la, year, years=years, calibration=calibration)
    cys = targets["collection_years"]
    la_num = int("".join(ch for ch in targets["la_code"] if ch.isdigit()) or 0)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), la_num, cys[-1], len(cys)]))
    data_end = _day(f"{cys[-1]}-03-31")

    # The phases draw from rng in this order: changing it changes every return generated.
    periods = _periods_of_care(rng, targets)
    ethnic = _assign_ethnicity(rng, periods, targets)
    periods = _legal_tracks(rng, periods, targets)
    episodes = _all_episodes(rng, periods)
    reviews = _schedule_reviews(rng, periods, data_end, defects, episodes)
    missing = _missing_episodes(rng, periods, data_end)
    kids = _children(rng, periods, ethnic)
    reviews["PN"] = _pn_codes(rng, np.where(reviews["date"] >= 0, reviews["date"], reviews["due"]).astype(np.int64),
                              reviews["dob"].to_numpy())
    reviews["injected"] = np.select([reviews["kind"] == 2, reviews["kind"] == 4], ["late_review", "missed_review"], "")

    sources = {"episodes": episodes, "reviews": reviews, "b4": _add_years(reviews["dob"].to_numpy(), 4),
               "kids": kids, "periods": periods, "missing": missing}
    out_data, gt_rows, rt_rows = {}, [], []
    for cy in cys:
        out_data[cy], gt, rt = _year_return(rng, cy, sources, defects)
        gt_rows += gt
        rt_rows.append(rt)
    return SyntheticReturn(data=out_data, ground_truth=_ground_truth(gt_rows),
                           review_truth=_review_truth(rt_rows, reviews, cys),
                           calibration=_calibration_record(targets, periods, seed, defects))


def _children(rng, periods: pd.DataFrame, ethnic: pd.Series) -> pd.DataFrame:
    """One row per child (index: child number): ``dob, sex, uasc, sb`` (short breaks only),
    ``CHILD``, ``ETHNIC``, ``UPN`` and ``mc_dob`` (day a mother's child was born, -1 for none)."""
    kids = periods.groupby("child").agg(dob=("dob", "first"), sex=("sex", "first"), uasc=("uasc", "max"),
                                        sb=("short_breaks", "min"))
    kids["CHILD"] = _child_id(kids.index)
    kids["ETHNIC"] = ethnic.reindex(kids.index).to_numpy()
    kids["UPN"] = _upn(kids.index)
    girls = (kids["sex"] == "F").to_numpy()
    mothers = girls & ~kids["sb"].to_numpy() & (rng.random(len(kids)) < 0.04)
    kids["mc_dob"] = np.where(mothers, kids["dob"].to_numpy() + rng.integers(int(14.5 * 365), int(17.8 * 365), len(kids)), -1)
    return kids


def _year_return(rng, cy: int, sources: dict, defects: bool) -> tuple[object, list[tuple], pd.DataFrame]:
    """The return of collection year ``cy``.

    Parameters
    ----------
    rng : numpy Generator
    cy : int
        Collection year.
    sources : dict
        The whole simulation: ``episodes``, ``reviews``, ``b4`` (4th birthday by review),
        ``kids``, ``periods``, ``missing``.
    defects : bool
        Inject the year's defects.

    Returns
    -------
    tuple
        (SSDA903 of the year with ``collection_year`` on every table, ground-truth rows of
        the year, review-truth frame of the year's held reviews).
    """
    ys, ye = _day(f"{cy - 1}-04-01"), _day(f"{cy}-03-31")
    episodes = sources["episodes"]
    ep = episodes[(episodes["DECOM"] <= ye) & (episodes["DEC"] >= ys)].copy()
    open_at_end = ep["DEC"].to_numpy() > ye
    ep["DEC_out"] = np.where(open_at_end, np.nan, ep["DEC"].to_numpy().astype(float))
    ep["REC_out"] = np.where(open_at_end, None, ep["REC"].to_numpy())
    in_year_children = np.unique(ep["child"].to_numpy())
    rv, reviews_df = _year_reviews(rng, cy, ys, ye, sources, in_year_children, defects)
    gt_rows = _review_truth_rows(rv, reviews_df, cy)
    rt = _year_review_truth(rv, cy)
    # episodes with an injected gap after an X1
    ep = _sort_rows(ep.assign(CHILD=_child_id(ep["child"].to_numpy())), ["CHILD", "DECOM"])
    if defects:
        gt_rows += _episode_gaps(rng, ep, cy)
    header_df, uasc_df = _header_frames(sources["kids"].loc[in_year_children], ye)
    tables = {"header": header_df, "episodes": _episodes_frame(ep), "reviews": reviews_df, "uasc": uasc_df,
              "missing": _missing_frame(sources["missing"], ys, ye)}
    for t in tables.values():
        for c in t.columns:
            if t[c].dtype == object:
                t[c] = t[c].astype(object).where(t[c].notna(), None)
    data = _ssda903().SSDA903(**{name: t.assign(collection_year=cy) for name, t in tables.items()})
    return data, gt_rows, rt


def _year_reviews(rng, cy: int, ys: int, ye: int, sources: dict, in_year_children: np.ndarray,
                  defects: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reviews held in the year, with their defects: (working rows with ``inj``, the
    Reviews table in written order)."""
    reviews = sources["reviews"]
    rv = reviews[reviews["held"] & (reviews["date"] >= ys) & (reviews["date"] <= ye)].copy()
    rv["inj"] = rv["injected"].to_numpy()
    extra = []
    if defects and len(rv):
        extra = _review_defects(rng, rv, sources["b4"], sources["periods"], ys, ye, cy, in_year_children)
    if extra:
        rv = pd.concat([rv] + extra, ignore_index=True)
    rv["CHILD"] = _child_id(rv["child"].to_numpy())
    rv = _sort_rows(rv, ["CHILD", "date"])
    reviews_df = pd.DataFrame({
        "CHILD": rv["CHILD"].to_numpy(), "DOB": _to_dt(rv["dob"].to_numpy()),
        "REVIEW": _to_dt(rv["date"].to_numpy()), "REVIEW_CODE": rv["PN"].to_numpy(),
    })
    return rv, reviews_df


def _year_review_truth(rv: pd.DataFrame, cy: int) -> pd.DataFrame:
    """Review-truth rows for a year's held reviews (schedule ones carry numbers and due dates)."""
    sched = rv["review_number"].notna().to_numpy() if "review_number" in rv else np.zeros(len(rv), bool)
    return pd.DataFrame({
        "collection_year": cy, "CHILD": rv["CHILD"].to_numpy(),
        "period_start": _to_dt(np.where(sched, rv.get("period_start", pd.Series(np.nan, index=rv.index)), np.nan)),
        "review_number": pd.array(np.where(sched, rv.get("review_number", np.nan), np.nan), dtype="Int64"),
        "review_date": _to_dt(rv["date"].to_numpy()),
        "due_date": _to_dt(np.where(sched, rv.get("due", np.nan), np.nan)),
        "injected_defect": rv["inj"].to_numpy(),
    })


def _episodes_frame(ep: pd.DataFrame) -> pd.DataFrame:
    """The Episodes table (an episode still open on 31 March has no DEC or REC)."""
    return pd.DataFrame({
        "CHILD": ep["CHILD"].to_numpy(), "DECOM": _to_dt(ep["DECOM"].to_numpy()), "RNE": ep["RNE"].to_numpy(),
        "LS": ep["LS"].to_numpy(), "CIN": ep["CIN"].to_numpy(), "PLACE": ep["PLACE"].to_numpy(),
        "PLACE_PROVIDER": ep["PLACE_PROVIDER"].to_numpy(), "DEC": _to_dt(ep["DEC_out"].to_numpy()),
        "REC": ep["REC_out"].to_numpy(), "REASON_PLACE_CHANGE": ep["REASON_PLACE_CHANGE"].to_numpy(),
        "HOME_POST": None, "PL_POST": None, "URN": None,
    })


def _header_frames(k: pd.DataFrame, ye: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Header and UASC tables of the children with an episode in the year (ending ``ye``)."""
    header = _sort_rows(k.reset_index(drop=True), ["CHILD"])
    mother = np.where(header["sex"] == "F", np.where((header["mc_dob"] >= 0) & (header["mc_dob"] <= ye), "1", "0"), None)
    mother = np.where(header["sb"].to_numpy(), None, mother)
    header_df = pd.DataFrame({
        "CHILD": header["CHILD"].to_numpy(), "SEX": header["sex"].to_numpy(), "DOB": _to_dt(header["dob"].to_numpy()),
        "ETHNIC": header["ETHNIC"].to_numpy(), "UPN": header["UPN"].to_numpy(), "MOTHER": mother,
        "MC_DOB": _to_dt(np.where(mother == "1", header["mc_dob"].to_numpy(), np.nan)),
    })
    u = header[header["uasc"].to_numpy()]
    b18 = _add_years(u["dob"].to_numpy(), 18)
    uasc_df = pd.DataFrame({
        "CHILD": u["CHILD"].to_numpy(), "SEX": u["sex"].to_numpy(), "DOB": _to_dt(u["dob"].to_numpy()),
        "DUC": _to_dt(np.where(b18 <= ye, b18, np.nan)),
    })
    return header_df, uasc_df


def _missing_frame(missing: pd.DataFrame, ys: int, ye: int) -> pd.DataFrame:
    """The Missing table: episodes starting in the year (one still going on 31 March has no end)."""
    ms = missing[(missing["MIS_START"] >= ys) & (missing["MIS_START"] <= ye)]
    ms = _sort_rows(ms.assign(CHILD=_child_id(ms["child"].to_numpy())), ["CHILD", "MIS_START"])
    mis_end = ms["MIS_END"].to_numpy()
    return pd.DataFrame({
        "CHILD": ms["CHILD"].to_numpy(), "DOB": _to_dt(ms["dob"].to_numpy()), "MISSING": ms["MISSING"].to_numpy(),
        "MIS_START": _to_dt(ms["MIS_START"].to_numpy()),
        "MIS_END": _to_dt(np.where(mis_end <= ye, mis_end, np.nan)),
    })


def _review_truth(rt_rows: list[pd.DataFrame], reviews: pd.DataFrame, cys: list) -> pd.DataFrame:
    """Every review generated plus the missed ones, with ``on_time`` and ``days_late``.

    Missed reviews (no row in any file) belong to the year their due date falls in.
    """
    missed = reviews[(reviews["kind"] == 4) & np.isin(_cy_of(reviews["due"].to_numpy()), cys)]
    if len(missed):
        rt_rows = rt_rows + [pd.DataFrame({
            "collection_year": _cy_of(missed["due"].to_numpy()), "CHILD": _child_id(missed["child"].to_numpy()),
            "period_start": _to_dt(missed["period_start"].to_numpy()),
            "review_number": pd.array(missed["review_number"].to_numpy(), dtype="Int64"),
            "review_date": pd.NaT, "due_date": _to_dt(missed["due"].to_numpy()),
            "injected_defect": "missed_review",
        })]
    review_truth = pd.concat(rt_rows, ignore_index=True)
    rd, dd = review_truth["review_date"], review_truth["due_date"]
    sched = dd.notna()
    review_truth["on_time"] = pd.array(np.where(sched, (rd <= dd) & rd.notna(), pd.NA), dtype="boolean")
    late = ((rd - dd).dt.days).clip(lower=0)
    review_truth["days_late"] = pd.array(np.where(sched & rd.notna(), late, np.nan), dtype="Int64") if len(review_truth) else pd.array([], dtype="Int64")
    return review_truth[REVIEW_TRUTH_COLUMNS].sort_values(
        ["collection_year", "CHILD", "review_date", "due_date"], kind="mergesort", ignore_index=True)


def _calibration_record(targets: dict, periods: pd.DataFrame, seed: int, defects: bool) -> dict:
    """The targets, what the model solved (short/long balance, interim-order length, periods
    forced), the seed and whether defects were injected."""
    calib = dict(targets)
    calib["model"] = {
        "short_long_balance": float(periods["lam"].dropna().iloc[0]) if periods["lam"].notna().any() else None,
        "median_interim_order_days": float(periods.attrs.get("median_c1_days", np.nan)),
        "periods_forced": {k: int(v) for k, v in periods["forced"].value_counts().items() if k},
    }
    calib["seed"] = int(seed)
    calib["defects"] = bool(defects)
    return calib
