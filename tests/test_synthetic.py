"""Tests for iro_analysis.synthetic.

Everything the generator claims is re-computed here independently from the written CSV files
with plain pandas/numpy (not with the generator's own numbers): children in care on 31 March,
ethnicity mix, the statutory review schedule (numpy.busday_offset + the ``holidays`` library +
dateutil), participation codes by age, identifier patterns, and the line numbers of injected
defects.
"""

from __future__ import annotations

import csv
import filecmp
import json
import re
from pathlib import Path

import holidays as hol_lib
import numpy as np
import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta

import iro_analysis as iro
from iro_analysis import synthetic
from iro_analysis.errors import ParameterError
from iro_analysis.reference import find_reference_file

# (authority, collection year) checked against DfE published figures
AUTHORITIES = [("872", 2023), ("372", 2022), ("330", 2022)]
ALLOWED_LOAD_FINDINGS = {
    # loader check -> the injected defect that explains it
    "duplicate_row": "duplicate_review",
    "child_not_in_header": "review_child_not_in_header",
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """One written synthetic return per authority (and a two-year Wokingham stack)."""
    root = tmp_path_factory.mktemp("synthetic")
    out = {}
    for la, year in AUTHORITIES:
        out[(la, year, 1)] = synthetic.write_synthetic_returns(la, year, out=root / f"{la}_{year}", seed=7)
    out[("872", 2023, 2)] = synthetic.write_synthetic_returns("872", 2023, years=2, out=root / "872_2y", seed=11)
    return out


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s.replace("", None), format="%d/%m/%Y")


# ---------------------------------------------------------------- published figures (mirror)


def _published(la: str, year: int):
    rates = pd.read_csv(find_reference_file("cla_number_and_rate_per_10k_children_2025pub.csv"), dtype=str,
                        keep_default_na=False, encoding="utf-8-sig")
    r = rates[(rates["old_la_code"] == la) & (rates["time_period"] == str(year))
              & rates["population_type"].str.contains("31 March")]
    assert len(r) == 1, f"no published 31 March figure for {la} {year}"
    stock = int(r["children_count"].iloc[0])
    chars = pd.read_csv(find_reference_file("la_cla_on_31_march_by_characteristics_2025pub_extract.csv"), dtype=str,
                        keep_default_na=False)
    e = chars[(chars["old_la_code"] == la) & (chars["time_period"] == str(year)) & (chars["cla_group"] == "Ethnicity")]
    total = int(e.loc[e["characteristic"] == "Total", "number"].iloc[0])
    labels = _ETH_LABELS  # DfE characteristic label -> main group (defined below)
    shares = {}
    for label, group in labels.items():
        v = e.loc[e["characteristic"] == label, "number"].iloc[0]
        shares[group] = int(v) / total if v.isdigit() else None  # None = suppressed
    return stock, shares


def _group(code: str) -> str:
    # DfE main groups (Chinese under Asian, as in the current characteristics tables)
    if code in ("REFU", "NOBT"):
        return "Refused"
    if code == "CHNE":
        return "Asian"
    return {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black", "O": "Other"}[code[0]]


def _in_care_31_march(folder: Path, year: int) -> pd.DataFrame:
    ep = _read(folder / "episodes.csv")
    end = pd.Timestamp(f"{year}-03-31")
    decom, dec = _date(ep["DECOM"]), _date(ep["DEC"])
    m = (decom <= end) & (dec.isna() | (dec > end)) & ~ep["LS"].isin(["V3", "V4"])
    return ep.loc[m]


@pytest.mark.parametrize("la,year", AUTHORITIES)
def test_stock_and_ethnicity_match_published(outputs, la, year):
    folder = outputs[(la, year, 1)] / str(year)
    stock_pub, shares_pub = _published(la, year)
    cur = _in_care_31_march(folder, year)
    kids = cur["CHILD"].unique()
    assert len(kids) == len(cur), "a child has two open episodes on 31 March"
    assert abs(len(kids) - stock_pub) <= 0.05 * stock_pub, (len(kids), stock_pub)
    header = _read(folder / "header.csv").set_index("CHILD")
    groups = header.loc[kids, "ETHNIC"].map(_group).value_counts(normalize=True)
    suppressed_room = 1 - sum(v for v in shares_pub.values() if v is not None)
    for g, pub in shares_pub.items():
        syn = float(groups.get(g, 0.0))
        if pub is None:
            assert syn <= suppressed_room + 0.05, (g, syn)
        else:
            assert abs(syn - pub) <= 0.05, (g, syn, pub)


def test_calibration_override_without_published_size():
    syn = synthetic.generate_return("872", 2023, seed=2, defects=False,
                                    calibration={"cla_31_march": 40, "starting": 25, "ceasing": 25})
    ep = syn.data[2023].episodes
    end = pd.Timestamp("2023-03-31")
    m = (ep["DECOM"] <= end) & (ep["DEC"].isna() | (ep["DEC"] > end)) & ~ep["LS"].isin(["V3", "V4"])
    assert ep.loc[m, "CHILD"].nunique() == 40
    assert syn.calibration["cla_31_march"] == {2023: 40}


# ---------------------------------------------------------------- files, determinism, loading


def test_same_seed_gives_identical_files(tmp_path):
    a = synthetic.write_synthetic_returns("872", 2023, out=tmp_path / "a", seed=5)
    b = synthetic.write_synthetic_returns("872", 2023, out=tmp_path / "b", seed=5)
    c = synthetic.write_synthetic_returns("872", 2023, out=tmp_path / "c", seed=6)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert {str(f) for f in files} >= {"2023/header.csv", "2023/episodes.csv", "2023/reviews.csv",
                                       "ground_truth.csv", "review_truth.csv", "manifest.json", "README.txt",
                                       *(f"iro_records/{t}.csv" for t in ("caseloads", "escalations",
                                                                          "midway_reviews", "consultation",
                                                                          "cp_plans", "sw_reports")),
                                       "commentary/iro_service.md", "commentary/timeliness.md"}
    assert not filecmp.cmp(a / "iro_records/escalations.csv", c / "iro_records/escalations.csv", shallow=False)
    for f in files:
        assert filecmp.cmp(a / f, b / f, shallow=False), f
    assert not filecmp.cmp(a / "2023/episodes.csv", c / "2023/episodes.csv", shallow=False)
    # no temporary folders left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "c"]


def test_manifest_says_synthetic(outputs):
    folder = outputs[("872", 2023, 2)]
    m = json.loads((folder / "manifest.json").read_text())
    assert m["synthetic"] is True and m["seed"] == 11 and m["la_code"] == "872"
    assert m["collection_years"] == [2022, 2023]
    assert m["targets"]["cla_31_march"] == {"2022": 136, "2023": 135} or m["targets"]["source"] != "published"
    assert "SYNTHETIC" in (folder / "README.txt").read_text()
    assert {p.name for p in folder.iterdir()} >= {"2022", "2023", "ground_truth.csv", "review_truth.csv",
                                                  "iro_records", "commentary"}
    assert "iro_records/" in (folder / "README.txt").read_text()
    assert "iro_records/caseloads.csv" in m["iro_records"]


def test_refuses_non_synthetic_folder(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(ParameterError):
        synthetic.write_synthetic_returns("872", 2023, out=tmp_path, seed=0)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


@pytest.mark.parametrize("la,year", AUTHORITIES)
def test_loads_with_only_injected_findings(outputs, la, year):
    folder = outputs[(la, year, 1)]
    data = iro.load_ssda903(folder / str(year))
    assert set(data.tables) >= {"header", "episodes", "reviews", "uasc", "missing"}
    gt = pd.read_csv(folder / "ground_truth.csv", dtype={"row": int})
    f = data.findings
    assert set(f["check"]) <= set(ALLOWED_LOAD_FINDINGS), set(f["check"])
    for check, defect in ALLOWED_LOAD_FINDINGS.items():
        rows = set(zip(f.loc[f["check"] == check, "table"], f.loc[f["check"] == check, "row"].astype(int)))
        expected = set(zip(gt.loc[gt["defect"] == defect, "table"], gt.loc[gt["defect"] == defect, "row"]))
        assert rows == expected, (check, rows, expected)


def test_clean_return_has_no_findings(tmp_path):
    out = synthetic.write_synthetic_returns("372", 2022, out=tmp_path / "o", seed=3, defects=False)
    assert pd.read_csv(out / "ground_truth.csv").empty
    rt = pd.read_csv(out / "review_truth.csv", keep_default_na=False)
    assert (rt["injected_defect"] == "").all() and (rt["review_date"] != "").all()
    assert iro.load_ssda903(out / "2022").findings.empty


def test_multi_year_stack_loads(outputs):
    folder = outputs[("872", 2023, 2)]
    for year in (2022, 2023):
        data = iro.load_ssda903(folder / str(year))
        assert set(data.reviews["REVIEW"].dt.year.unique()) <= {year - 1, year}
    # the same child keeps its identifier, DOB and ethnicity across years
    h22, h23 = _read(folder / "2022/header.csv"), _read(folder / "2023/header.csv")
    both = h22.merge(h23, on="CHILD", suffixes=("_22", "_23"))
    assert len(both) > 50
    assert (both["DOB_22"] == both["DOB_23"]).all() and (both["ETHNIC_22"] == both["ETHNIC_23"]).all()
    # SEX coded 1/2 before the 2024-25 return
    assert set(h23["SEX"]) <= {"1", "2"}


def test_sex_coded_m_f_from_2025(tmp_path):
    out = synthetic.write_synthetic_returns("872", 2025, out=tmp_path / "o", seed=1)
    assert set(_read(out / "2025/header.csv")["SEX"]) <= {"M", "F", "U"}
    places = set(_read(out / "2025/episodes.csv")["PLACE"])
    assert places <= iro.codes.valid_codes("PLACE", 2025)


# ---------------------------------------------------------------- ground truth points at the right lines


def test_ground_truth_rows_point_at_the_defect(outputs):
    folder = outputs[("872", 2023, 2)]
    gt = pd.read_csv(folder / "ground_truth.csv", dtype=str, keep_default_na=False)
    assert set(gt["defect"]) == set(synthetic.DEFECT_KINDS)
    for _, g in gt.iterrows():
        with open(folder / g["collection_year"] / f"{g['table']}.csv", newline="") as fh:
            lines = list(csv.DictReader(fh))
        rec = lines[int(g["row"]) - 2]  # line 1 is the header
        assert rec["CHILD"] == g["CHILD"]
        assert rec[g["column"]] == g["value"]


def test_injected_defects_are_what_they_say(outputs):
    folder = outputs[("330", 2022, 1)] / "2022"
    gt = pd.read_csv(folder.parent / "ground_truth.csv", dtype=str, keep_default_na=False)
    rv, hd, ep = _read(folder / "reviews.csv"), _read(folder / "header.csv"), _read(folder / "episodes.csv")
    rv["line"] = np.arange(len(rv)) + 2
    ep["line"] = np.arange(len(ep)) + 2
    rows = lambda kind: gt.loc[gt["defect"] == kind, "row"].astype(int).tolist()  # noqa: E731
    # duplicates: an earlier line has the same child and date
    for r in rows("duplicate_review"):
        x = rv[rv["line"] == r].iloc[0]
        assert ((rv["CHILD"] == x["CHILD"]) & (rv["REVIEW"] == x["REVIEW"]) & (rv["line"] < r)).any()
    # children not in the header
    for r in rows("review_child_not_in_header"):
        assert rv.loc[rv["line"] == r, "CHILD"].iloc[0] not in set(hd["CHILD"])
    # reviews outside care: no episode of the child covers the date
    decom, dec = _date(ep["DECOM"]), _date(ep["DEC"]).fillna(pd.Timestamp("2099-01-01"))
    for r in rows("review_outside_care"):
        x = rv[rv["line"] == r].iloc[0]
        d = pd.Timestamp(_date(pd.Series([x["REVIEW"]]))[0])
        mine = ep["CHILD"] == x["CHILD"]
        assert not (mine & (decom <= d) & (dec >= d)).any()
    # X1 gaps: the next episode of the child starts after DEC
    for r in rows("episode_gap_after_x1"):
        i = int(np.flatnonzero(ep["line"] == r)[0])
        assert ep["REC"].iloc[i] == "X1" and ep["CHILD"].iloc[i + 1] == ep["CHILD"].iloc[i]
        assert _date(ep["DECOM"]).iloc[i + 1] > _date(ep["DEC"]).iloc[i]
    # apart from injected gaps, every X1 is followed the same day by the child's next episode
    nxt_same = ep["CHILD"].shift(-1) == ep["CHILD"]
    x1 = (ep["REC"] == "X1") & nxt_same & ~ep["line"].isin(rows("episode_gap_after_x1"))
    assert (_date(ep["DEC"])[x1].to_numpy() == _date(ep["DECOM"]).shift(-1)[x1].to_numpy()).all()


# ---------------------------------------------------------------- statutory schedule, recomputed


def _holidays_np(y0=2000, y1=2030):
    return np.array(sorted(np.datetime64(d, "D") for d in hol_lib.UK(subdiv="ENG", years=range(y0, y1 + 1))))


_HOL = _holidays_np()


def _first_due(start) -> pd.Timestamp:
    d = np.datetime64(pd.Timestamp(start).date(), "D")
    return pd.Timestamp(np.busday_offset(d, 20, roll="backward", holidays=_HOL))


def test_independent_first_due_reproduces_hand_checked_cases():
    # ssda903.md section 4.6 (E&W bank holidays; start day = day 0; weekend start rolls back)
    cases = {
        "2024-12-20": "2025-01-22",
        "2024-12-24": "2025-01-24",
        "2025-04-14": "2025-05-15",
        "2025-03-31": "2025-04-30",
        "2025-08-02": "2025-09-01",
        "2022-05-27": "2022-06-28",
        "2025-12-19": "2026-01-21",
    }
    for start, due in cases.items():
        assert _first_due(start) == pd.Timestamp(due), start
        # the package calendar the generator uses agrees
        assert iro.calendar.add_working_days(start, 20) == pd.Timestamp(due)


@pytest.mark.parametrize("key", [("872", 2023, 2), ("372", 2022, 1)])
def test_review_truth_follows_the_schedule(outputs, key):
    folder = outputs[key]
    rt = pd.read_csv(folder / "review_truth.csv", dtype={"injected_defect": str}, keep_default_na=False)
    for c in ("period_start", "review_date", "due_date"):
        rt[c] = pd.to_datetime(rt[c].replace("", None))
    sched = rt[rt["due_date"].notna()].copy()
    sched["review_number"] = sched["review_number"].astype(int)
    assert len(sched) > 100
    by = {(r.CHILD, r.period_start, r.review_number): r for r in sched.itertuples()}
    checked = 0
    for r in sched.itertuples():
        if r.review_number == 1:
            expected = _first_due(r.period_start)
        else:
            prev = by.get((r.CHILD, r.period_start, r.review_number - 1))
            if prev is None:  # previous review held before the first collection year
                continue
            months = 3 if r.review_number == 2 else 6
            expected = prev.review_date + relativedelta(months=months)
        assert r.due_date == expected, r
        checked += 1
    assert checked > 0.5 * len(sched)  # the rest continue a chain begun before the first year
    held = sched[sched["review_date"].notna()]
    on_time = held["review_date"] <= held["due_date"]
    assert (held["on_time"].astype(str).str.lower() == on_time.astype(str).str.lower()).all()
    late = (held["review_date"] - held["due_date"]).dt.days.clip(lower=0)
    assert (held["days_late"].astype(float) == late).all()
    # realistic lateness: mostly on time, some naturally late, injected late ones distinct
    natural = held[held["injected_defect"] == ""]
    share_late = 1 - (natural["review_date"] <= natural["due_date"]).mean()
    assert 0.02 <= share_late <= 0.12, share_late
    injected_late = held[held["injected_defect"] == "late_review"]
    assert (injected_late["review_date"] - injected_late["due_date"]).dt.days.min() >= 35
    # missed reviews have no date and are not on time
    missed = sched[sched["injected_defect"] == "missed_review"]
    assert missed["review_date"].isna().all() and (missed["on_time"].astype(str).str.lower() == "false").all()
    # every review row in the files is listed in review_truth (held ones)
    years = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name.isdigit())
    n_files = sum(len(_read(folder / y / "reviews.csv")) for y in years)
    assert n_files == int(rt["review_date"].notna().sum())


def test_short_breaks_children_have_no_reviews(outputs):
    folder = outputs[("330", 2022, 1)] / "2022"
    ep, rv = _read(folder / "episodes.csv"), _read(folder / "reviews.csv")
    sb_only = ep.groupby("CHILD")["LS"].agg(lambda s: s.isin(["V3", "V4"]).all())
    sb_kids = set(sb_only[sb_only].index)
    assert sb_kids, "expected some short-breaks-only children"
    assert not (set(rv["CHILD"]) & sb_kids)


def test_pn_codes_consistent_with_age(outputs):
    for key in outputs:
        folder = outputs[key]
        gt = pd.read_csv(folder / "ground_truth.csv", dtype=str, keep_default_na=False)
        for year in (p.name for p in folder.iterdir() if p.is_dir() and p.name.isdigit()):
            rv = _read(folder / year / "reviews.csv")
            rv["line"] = np.arange(len(rv)) + 2
            injected = set(gt.loc[(gt["collection_year"] == year) & gt["defect"].str.startswith("pn"), "row"].astype(int))
            under4 = _date(rv["REVIEW"]) < _date(rv["DOB"]) + pd.DateOffset(years=4)
            wrong = (under4 != (rv["REVIEW_CODE"] == "PN0")) & ~rv["line"].isin(injected)
            assert not wrong.any(), rv[wrong].head()
            assert rv["REVIEW_CODE"].isin([f"PN{i}" for i in range(8)]).all()
            # PN1 is the most common code for children aged 4+
            assert rv.loc[~under4, "REVIEW_CODE"].value_counts().index[0] == "PN1"


def test_identifiers_are_obviously_synthetic(outputs):
    real_upn = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
    for key, folder in outputs.items():
        for f in folder.rglob("*.csv"):
            df = _read(f)
            if "CHILD" in df:
                assert df["CHILD"].str.fullmatch(r"SYN\d{7}").all(), f
            if "UPN" in df:
                assert df["UPN"].str.fullmatch(r"SYN\d{10}").all(), f
                assert not df["UPN"].str.match(real_upn).any()


def test_realistic_content(outputs):
    folder = outputs[("330", 2022, 1)] / "2022"
    ep, hd, ua, ms = (_read(folder / f"{t}.csv") for t in ("episodes", "header", "uasc", "missing"))
    cur = _in_care_31_march(folder, 2022)
    # foster care is the majority placement; under-4s are not in semi-independent living
    assert cur["PLACE"].str.match(r"U[1-6]").mean() > 0.5
    dob = _date(hd.set_index("CHILD")["DOB"])
    age = (pd.Timestamp("2022-03-31") - dob.loc[cur["CHILD"]]).dt.days.to_numpy() / 365.25
    assert not ((age < 16) & cur["PLACE"].isin(["H5", "P2", "K3"]).to_numpy()).any()
    # N1 is the majority category of need; UASC are mostly 15-17 year-old boys on s20
    assert ep["CIN"].value_counts().index[0] == "N1"
    uasc_kids = set(ua["CHILD"])
    u_cur = cur[cur["CHILD"].isin(uasc_kids)]
    assert (u_cur["LS"] == "V2").all()
    sex = hd.set_index("CHILD")["SEX"]
    assert (sex.loc[list(uasc_kids)] == "1").mean() > 0.85
    # missing episodes happen mostly to teenagers
    m_age = (_date(ms["MIS_START"]).to_numpy() - dob.loc[ms["CHILD"]].to_numpy()) / np.timedelta64(1, "D") / 365.25
    assert (m_age >= 12).mean() > 0.8
    # every period starts with RNE S and new episodes use P/T/L/B/U
    assert set(ep["RNE"]) <= {"S", "P", "T", "L", "B", "U"}
    assert set(ep["REC"]) - {""} <= iro.codes.valid_codes("REC", 2022)


# ---------------------------------------------------------------- UASC ethnicity and the non-UASC remainder

_ETH_LABELS = {
    "White": "White",
    "Mixed or Multiple ethnic groups": "Mixed",
    "Asian or Asian British": "Asian",
    "Black, African, Caribbean or Black British": "Black",
    "Other ethnic group": "Other",
    "Refused or information not yet available": "Refused",
}


def _non_uasc_remainder(la: str, year: int) -> dict:
    """Published count of each group minus the UASC expected from England's UASC mix.

    Computed from the raw mirror files (not the package readers): the authority's ethnicity
    and UASC counts on 31 March, and England's UASC by ethnic group ("1. Total White" ...
    "6. Total refused ..." rows) for the same year. None for suppressed groups.
    """
    chars = pd.read_csv(find_reference_file("la_cla_on_31_march_by_characteristics_2025pub_extract.csv"), dtype=str,
                        keep_default_na=False)
    c = chars[(chars["old_la_code"] == la) & (chars["time_period"] == str(year))]
    u = c[(c["cla_group"] == "Unaccompanied asylum-seeking children") & (c["characteristic"] == "UASC")]
    n_uasc = int(u["number"].iloc[0])
    nat = pd.read_csv(find_reference_file(
        "national_cla_on_31_march_who_were_unaccompanied_asylum_seeking_children_2024pub.csv"), dtype=str,
        keep_default_na=False, encoding="utf-8-sig")
    nat = nat[(nat["time_period"] == str(min(year, 2024))) & (nat["cla_group"] == "Ethnicity")]
    totals = nat[nat["characteristic"].str.contains("Total") & nat["characteristic"].str.match(r"^\d\. ")]
    prefix = dict(zip(["1", "2", "3", "4", "5", "6"], ["White", "Mixed", "Asian", "Black", "Other", "Refused"]))
    nat_n = {prefix[k[0]]: int(v) for k, v in zip(totals["characteristic"], totals["number"])}
    nat_total = sum(nat_n.values())
    e = c[c["cla_group"] == "Ethnicity"]
    out = {}
    for label, g in _ETH_LABELS.items():
        v = e.loc[e["characteristic"] == label, "number"].iloc[0]
        out[g] = int(v) - n_uasc * nat_n[g] / nat_total if v.isdigit() else None
    return out


def _non_uasc_counts(folder: Path, year: int) -> pd.Series:
    kids = _in_care_31_march(folder, year)["CHILD"]
    uasc = set(_read(folder / "uasc.csv")["CHILD"])
    header = _read(folder / "header.csv").set_index("CHILD")
    non = [k for k in kids if k not in uasc]
    return header.loc[non, "ETHNIC"].map(_group).value_counts()


@pytest.mark.parametrize("la,year", AUTHORITIES + [("213", 2023)])
def test_non_uasc_ethnicity_is_the_published_remainder(outputs, tmp_path, la, year):
    # Westminster 2023: 182 in care, Other 38 of whom about 9 UASC by the England UASC mix
    # (38 - UASC x 3,190/7,410), so non-UASC Other children must exist there
    if (la, year, 1) in outputs:
        folder = outputs[(la, year, 1)] / str(year)
    else:
        folder = synthetic.write_synthetic_returns(la, year, out=tmp_path / la, seed=7, defects=False) / str(year)
    expected = _non_uasc_remainder(la, year)
    got = _non_uasc_counts(folder, year)
    checked = 0
    for g, rem in expected.items():
        if rem is None or rem < 3:
            continue
        syn = int(got.get(g, 0))
        assert syn >= 1, (g, rem)
        # UASC groups capped by a small published count hand their excess to other groups,
        # so allow 3 children or a tenth of the remainder
        assert abs(syn - rem) <= max(3.0, 0.1 * rem), (g, syn, rem)
        checked += 1
    assert checked >= 3
    # the groups the flaw used to empty
    assert expected["Black"] is None or expected["Black"] < 3 or got.get("Black", 0) >= 1
    if la == "213":
        assert got.get("Other", 0) >= 0.5 * expected["Other"] and got.get("Black", 0) >= 0.5 * expected["Black"]


def test_uasc_are_mostly_black_asian_or_other(outputs):
    # England's UASC on 31 March 2023: 6,730 of 7,410 Asian, Black or Other (91%)
    folder = outputs[("330", 2022, 1)] / "2022"
    kids = set(_in_care_31_march(folder, 2022)["CHILD"]) & set(_read(folder / "uasc.csv")["CHILD"])
    header = _read(folder / "header.csv").set_index("CHILD")
    groups = header.loc[sorted(kids), "ETHNIC"].map(_group)
    assert len(groups) > 50
    assert groups.isin(["Asian", "Black", "Other"]).mean() >= 0.8
    # UASC codes are the minor groups asylum-seeking children are recorded in
    assert header.loc[sorted(kids), "ETHNIC"].isin(["WOTH", "MOTH", "MWBA", "MWAS", "AOTH", "APKN", "CHNE", "BAFR",
                                                    "BOTH", "BCRB", "OOTH", "NOBT", "REFU"]).all()


# ---------------------------------------------------------------- starts and ceased against published flows


def _flows(folder: Path, year: int) -> tuple[int, int]:
    """Children starting and ceasing in the year, counted once each, short breaks excluded (DfE)."""
    ep = _read(folder / "episodes.csv")
    ys, ye = pd.Timestamp(f"{year - 1}-04-01"), pd.Timestamp(f"{year}-03-31")
    decom, dec = _date(ep["DECOM"]), _date(ep["DEC"])
    nsb = ~ep["LS"].isin(["V3", "V4"])
    starts = ep.loc[nsb & (ep["RNE"] == "S") & (decom >= ys) & (decom <= ye), "CHILD"].nunique()
    ceased = ep.loc[nsb & dec.notna() & (ep["REC"] != "X1") & (dec >= ys) & (dec <= ye), "CHILD"].nunique()
    return starts, ceased


@pytest.mark.parametrize("key,year", [((la, y, 1), y) for la, y in AUTHORITIES]
                         + [(("872", 2023, 2), 2022), (("872", 2023, 2), 2023)])
def test_starts_and_ceased_match_published(outputs, key, year):
    rates = iro.reference.cla_rates()
    r = rates[(rates["geographic_level"] == "Local authority") & (rates["la_code"] == key[0])]
    pub = {(int(y), m): float(c) for y, m, c in zip(r["year"], r["measure"], r["count"])}
    starts, ceased = _flows(outputs[key] / str(year), year)
    p_start, p_ceased = pub[(year, "starting")], pub[(year, "ceasing")]
    # starts are calibrated directly; a few more only when the 31 March stock needs new entrants
    assert abs(starts - p_start) <= max(2, 0.05 * p_start), (starts, p_start)
    # ceased follow from the flow identity between two calibrated 31 March stocks; the published
    # figures do not satisfy it exactly (children counted once a year, revisions), so allow
    # that gap plus 3 children or 5%
    gap = abs(pub[(year - 1, "cla_31_march")] + p_start - p_ceased - pub[(year, "cla_31_march")])
    assert abs(ceased - p_ceased) <= gap + max(3, 0.05 * p_ceased), (ceased, p_ceased, gap)


def test_reviews_brought_forward_after_moves(outputs):
    folder = outputs[("330", 2022, 1)] / "2022"
    ep, rv = _read(folder / "episodes.csv"), _read(folder / "reviews.csv")
    moves = ep.loc[ep["RNE"].isin(["P", "B"]), ["CHILD", "DECOM"]]
    m = rv[["CHILD", "REVIEW"]].merge(moves, on="CHILD")
    lag = (_date(m["REVIEW"]) - _date(m["DECOM"])).dt.days
    after_move = m[(lag >= 7) & (lag <= 28)].drop_duplicates(["CHILD", "REVIEW"])
    # about 2-3% of reviews fall 1-4 weeks after a move by chance (statutory schedule alone);
    # the restarted cycle (review within about a month of a move) makes it several times that
    assert len(after_move) / len(rv) >= 0.08, len(after_move) / len(rv)
    # volume per child looked after in the year stays within what IRO reports show
    # (Wokingham 2021-22: 338 reviews for about 194 children = 1.74; Rotherham 2021-22: 1,753
    # for about 770 = 2.28)
    per_child = len(rv) / ep.loc[~ep["LS"].isin(["V3", "V4"]), "CHILD"].nunique()
    assert 1.6 <= per_child <= 2.5, per_child
