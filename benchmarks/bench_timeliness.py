"""Benchmark review timeliness on an England-sized synthetic stack against a per-review loop.

Usage::

    python benchmarks/bench_timeliness.py [--las N] [--year 2024] [--years 3] [--seed 0] [--cache FILE]

Builds synthetic returns (:func:`iro_analysis.synthetic.generate_return`) for every authority
with a published number of children in care (or the first N), three collection years each, and
stacks them into one national return (CHILD prefixed with the authority code). Then times, in
the same run:

* ``review_schedule`` + ``timeliness_summary`` for the final year (the package, vectorised),
  both with the periods of care computed inside and with them precomputed;
* a straightforward per-review Python loop implementing the same rules (kept below as
  :func:`baseline_schedule`), given the same periods of care;

asserts that the two give identical schedules and summaries, and prints seconds, rows and the
speed-up. Targets: package < 5 s, at least 50 times faster than the loop. Not a test.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

COMPARED = ["CHILD", "period_number", "review_number", "adoption_review_number", "review_date",
            "previous_review_date", "due_date", "rule", "on_time", "days_late", "status", "exclusion_reason",
            "in_year", "held_in_year", "due_in_year", "flags"]


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------


def build_stack(codes, year: int, years: int, seed: int):
    """Generate every authority's returns and stack them into one SSDA903 (CHILD = code-CHILD)."""
    from iro_analysis.ssda903 import SSDA903
    from iro_analysis.synthetic import generate_return

    parts: dict[str, list] = {t: [] for t in ("header", "episodes", "reviews")}
    for code in codes:
        syn = generate_return(code, year, years=years, seed=seed)
        for data in syn.data.values():
            for name in parts:
                table = getattr(data, name)
                if table is not None and len(table):
                    parts[name].append(table.assign(CHILD=code + "-" + table["CHILD"].astype(str)))
    return SSDA903(**{name: pd.concat(frames, ignore_index=True) for name, frames in parts.items() if frames})


# ---------------------------------------------------------------------------------------------
# the baseline: one review at a time
# ---------------------------------------------------------------------------------------------


def baseline_schedule(data, year, periods, *, include_adoption_schedule=True):
    """Statutory schedule computed review by review in plain Python (the benchmark's baseline).

    Same rules as :func:`iro_analysis.timeliness.review_schedule` with its default options
    (20 working days, calendar months, ``<=``), written as the obvious loops.
    """
    from iro_analysis.calendar import working_day_holidays, year_bounds
    from iro_analysis.timeliness import _coverage, _periods_frame, _reviews_frame

    ys, ye = year_bounds(year)
    ys, ye = ys.to_pydatetime(), ye.to_pydatetime()
    cov = _coverage(data, year).to_pydatetime()
    holidays = working_day_holidays(1990, year + 2)
    reviews = _reviews_frame(data)
    per = _periods_frame(data, periods)

    def first_due(start):
        d = np.busday_offset(np.datetime64(start.date()), 20, roll="backward", holidays=holidays)
        return pd.Timestamp(d).to_pydatetime()

    def step(date, position):
        return date + relativedelta(months=3 if position == 1 else 6)

    periods_by_child: dict = {}
    for p in per.itertuples(index=False):
        if p.period_start <= ye:
            periods_by_child.setdefault(p.CHILD, []).append(p)

    # one row per review record; the same review in two returns counts once (latest return)
    latest: dict = {}
    records = []
    for i, r in enumerate(reviews.itertuples(index=False)):
        if pd.isna(r.review_date) or r.review_date > ye:
            continue
        cy = None if pd.isna(r.collection_year) else int(r.collection_year)
        records.append((r.CHILD, r.review_date.to_pydatetime(), cy, i, r.REVIEW_CODE, r.source_row))
        key = (r.CHILD, r.review_date)
        if cy is not None:
            latest[key] = max(latest.get(key, cy), cy)
    by_child: dict = {}
    for rec in records:
        child, date, cy = rec[0], rec[1], rec[2]
        if cy is not None and latest.get((child, pd.Timestamp(date)), cy) != cy:
            continue
        by_child.setdefault(child, []).append(rec)

    rows = []
    for child in sorted(set(by_child) | set(periods_by_child)):
        plist = periods_by_child.get(child, [])
        recs = sorted(by_child.get(child, []), key=lambda r: (r[1], 9999 if r[2] is None else r[2], r[3]))
        chains = {p.period_number: [] for p in plist}
        seen = set()
        for rec in recs:
            _, date, cy, _, code, src = rec
            period = None
            for p in plist:
                if p.period_start <= date:
                    period = p
            inside = period is not None and (pd.isna(period.period_end) or date <= period.period_end)
            reason = None
            if not inside:
                reason = "outside_period_of_care"
            elif period.short_breaks_only:
                reason = "short_breaks_only"
            elif date < cov:
                reason = "before_loaded_returns"
            elif (period.period_number, date) in seen:
                reason = "duplicate_same_day"
            if reason is None:
                seen.add((period.period_number, date))
                chains[period.period_number].append(rec)
            else:
                rows.append(dict(CHILD=child, period_number=period.period_number if inside else None,
                                 review_number=None, adoption_review_number=None, review_date=date,
                                 previous_review_date=None, due_date=None, rule=None, status="excluded",
                                 exclusion_reason=reason, flags="", REVIEW_CODE=code, collection_year=cy,
                                 source_row=src))
        for p in plist:
            start = p.period_start.to_pydatetime()
            end = None if pd.isna(p.period_end) else p.period_end.to_pydatetime()
            place = p.adoption_placement_start if include_adoption_schedule else pd.NaT
            place = None if pd.isna(place) else place.to_pydatetime()
            period_flags = [f for f, on in (("remand", p.remand), ("placed_for_adoption", p.placed_for_adoption)) if on]
            known_stat = start >= cov
            upper_start = cov - pd.Timedelta(days=1) + relativedelta(months=6)
            k = j = 0
            prev = None
            last_stat = last_adopt = None  # (date, position)
            for rec in chains[p.period_number]:
                _, date, cy, _, code, src = rec
                k += 1
                adopt = place is not None and date >= place
                if adopt:
                    j += 1
                position = j if adopt else k
                known = (place >= cov) if adopt else known_stat
                flags = list(period_flags)
                if not known_stat:
                    flags.append("history_before_loaded_returns")
                if prev is not None and (date - prev).days < 7:
                    flags.append("close_to_previous")
                if known:
                    if position == 1:
                        due = place + pd.Timedelta(days=28) if adopt else first_due(start)
                        rule = "adoption_first_4_weeks" if adopt else "first_20_working_days"
                    elif position == 2:
                        due = prev + relativedelta(months=3)
                        rule = "adoption_second_3_months" if adopt else "second_3_months"
                    else:
                        due = prev + relativedelta(months=6)
                        rule = "adoption_subsequent_6_months" if adopt else "subsequent_6_months"
                    status = "on_time" if date <= due else "late"
                    chain_pos = position
                elif position == 1:
                    if date > upper_start:
                        due, rule, status = upper_start, "latest_possible_due_date", "late"
                        flags.append("due_date_upper_bound")
                    else:
                        due, rule, status = None, None, "not_judged"
                    chain_pos = 0
                elif position == 2:
                    d3, d6 = prev + relativedelta(months=3), prev + relativedelta(months=6)
                    rule = "second_or_subsequent"
                    if date <= d3:
                        due, status = d6, "on_time"
                    elif date > d6:
                        due, status = d6, "late"
                    else:
                        due, status = None, "not_judged"
                    chain_pos = 0
                else:
                    due = prev + relativedelta(months=6)
                    rule = "adoption_subsequent_6_months" if adopt else "subsequent_6_months"
                    status = "on_time" if date <= due else "late"
                    chain_pos = position
                rows.append(dict(CHILD=child, period_number=p.period_number,
                                 review_number=k if known_stat else None,
                                 adoption_review_number=j if adopt else None, review_date=date,
                                 previous_review_date=prev, due_date=due, rule=rule, status=status,
                                 exclusion_reason=None, flags=";".join(flags), REVIEW_CODE=code,
                                 collection_year=cy, source_row=src))
                if adopt:
                    last_adopt = (date, chain_pos)
                else:
                    last_stat = (date, chain_pos)
                prev = date
            if p.short_breaks_only:
                continue
            limit = ye + pd.Timedelta(days=1) if end is None else min(end, ye + pd.Timedelta(days=1))

            def walk(due, position, adopt, stop, upper):
                while due is not None and due < stop:
                    if upper:
                        rule = "latest_possible_due_date"
                    elif position == 1:
                        rule = "adoption_first_4_weeks" if adopt else "first_20_working_days"
                    elif position == 2:
                        rule = "adoption_second_3_months" if adopt else "second_3_months"
                    else:
                        rule = "adoption_subsequent_6_months" if adopt else "subsequent_6_months"
                    rows.append(dict(CHILD=child, period_number=p.period_number, review_number=None,
                                     adoption_review_number=None, review_date=None, previous_review_date=None,
                                     due_date=due, rule=rule, status="missed", exclusion_reason=None,
                                     flags=";".join(period_flags + (["due_date_upper_bound"] if upper else [])),
                                     REVIEW_CODE=None, collection_year=None, source_row=None))
                    due = step(due, position)
                    position = 0 if position == 0 else position + 1
                    upper = False

            stat_stop = min(limit, place) if place is not None else limit
            if last_stat is not None:
                d, pos = last_stat
                walk(step(d, pos), 0 if pos == 0 else pos + 1, False, stat_stop, False)
            elif known_stat:
                walk(first_due(start), 1, False, stat_stop, False)
            else:
                walk(upper_start, 0, False, stat_stop, True)
            if place is not None and place < limit:
                if last_adopt is not None:
                    d, pos = last_adopt
                    walk(step(d, pos), 0 if pos == 0 else pos + 1, True, limit, False)
                elif place >= cov:
                    walk(place + pd.Timedelta(days=28), 1, True, limit, False)
                else:
                    walk(upper_start, 0, True, limit, True)

    ends = {(p.CHILD, p.period_number): (None if pd.isna(p.period_end) else p.period_end.to_pydatetime())
            for ps in periods_by_child.values() for p in ps}
    for row in rows:
        status, due, date = row["status"], row["due_date"], row["review_date"]
        row["on_time"] = status == "on_time"
        if status == "late":
            row["days_late"] = max(0, (date - due).days)
        elif status == "on_time":
            row["days_late"] = 0
        elif status == "missed":
            end = ends.get((row["CHILD"], row["period_number"]))
            stop = ye if end is None else min(end - pd.Timedelta(days=1), ye)
            row["days_late"] = (stop - due).days
        else:
            row["days_late"] = None
        row["held_in_year"] = date is not None and ys <= date <= ye
        row["due_in_year"] = due is not None and ys <= due <= ye and status != "excluded"
        row["in_year"] = row["held_in_year"] or row["due_in_year"]
    return pd.DataFrame(rows)


def baseline_summary(schedule: pd.DataFrame, year):
    """The three metrics by counting rows in a loop."""
    from iro_analysis.calendar import year_bounds

    ys, ye = year_bounds(year)
    held = held_ok = due = due_ok = 0
    children: dict = {}
    for r in schedule.itertuples(index=False):
        in_held = pd.notna(r.review_date) and ys <= r.review_date <= ye
        in_due = pd.notna(r.due_date) and ys <= r.due_date <= ye
        if in_held and r.status in ("on_time", "late"):
            held += 1
            held_ok += r.status == "on_time"
        if in_due and r.status in ("on_time", "late", "missed"):
            due += 1
            due_ok += r.status == "on_time"
            children[r.CHILD] = children.get(r.CHILD, True) and r.status == "on_time"
    return {"reviews_held": (held_ok, held), "reviews_due": (due_ok, due),
            "children": (sum(children.values()), len(children))}


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(frame)))
    for col in COMPARED:
        values = frame[col]
        if col in ("review_date", "previous_review_date", "due_date"):
            values = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
        out[col] = values.astype(object).where(values.notna(), None).map(
            lambda v: None if v is None or v == "" and col != "flags" else str(int(v)) if isinstance(v, (float, np.floating)) else str(v)
        )
    return out.sort_values(COMPARED, key=lambda s: s.fillna("")).reset_index(drop=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--las", type=int, default=None, help="only the first N authorities (default: all)")
    ap.add_argument("--year", type=int, default=2024, help="final collection year (default 2024)")
    ap.add_argument("--years", type=int, default=3, help="collection years in the stack (default 3)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", type=Path, default=None, help="pickle file to reuse the generated stack")
    args = ap.parse_args(argv)

    from iro_analysis import synthetic
    from iro_analysis.cohorts import periods_of_care
    from iro_analysis.reference import list_authorities
    from iro_analysis.timeliness import review_schedule, timeliness_summary

    if args.cache is not None and args.cache.exists():
        with args.cache.open("rb") as fh:
            data = pickle.load(fh)
        print(f"stack read from {args.cache}")
    else:
        rates = synthetic._ref("cla_rates")()
        current = set(rates.loc[(rates["measure"] == "cla_31_march") & (rates["year"] == args.year)
                                & rates["count"].gt(0), "la_code"].astype(str))
        codes = [c for c in list_authorities()["la_code"].astype(str) if c in current]
        if args.las:
            codes = codes[: args.las]
        t0 = time.perf_counter()
        data = build_stack(codes, args.year, args.years, args.seed)
        print(f"generated {len(codes)} authorities x {args.years} years in {time.perf_counter() - t0:.1f} s")
        if args.cache is not None:
            with args.cache.open("wb") as fh:
                pickle.dump(data, fh)
    print(f"stack: {data.header['CHILD'].nunique():,} children, {len(data.episodes):,} episode rows, "
          f"{len(data.reviews):,} review rows")

    year = args.year
    # warm up (imports of scipy/statsmodels, the bank-holiday table) on one authority, untimed
    from iro_analysis.ssda903 import SSDA903

    first = str(data.reviews["CHILD"].iloc[0]).split("-")[0] + "-"
    small = SSDA903(**{t: getattr(data, t).loc[getattr(data, t)["CHILD"].str.startswith(first)]
                       for t in ("header", "episodes", "reviews")})
    timeliness_summary(review_schedule(small, year), year)

    full_runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        sched_full = review_schedule(data, year)
        summary_full = timeliness_summary(sched_full, year)
        full_runs.append(time.perf_counter() - t0)
    full_secs = min(full_runs)

    t0 = time.perf_counter()
    periods = periods_of_care(data)
    periods_secs = time.perf_counter() - t0

    # best of 3 (the machine is shared; the minimum is the least disturbed run)
    fast_runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        sched = review_schedule(data, year, periods=periods)
        summary = timeliness_summary(sched, year)
        fast_runs.append(time.perf_counter() - t0)
    fast_secs = min(fast_runs)

    t0 = time.perf_counter()
    base = baseline_schedule(data, year, periods)
    base_summary = baseline_summary(base, year)
    base_secs = time.perf_counter() - t0

    # identical results
    pd.testing.assert_frame_equal(_normalise(sched), _normalise(base))
    pd.testing.assert_frame_equal(_normalise(sched_full), _normalise(base))
    for _, r in summary.iterrows():
        assert base_summary[r["metric"]] == (r["numerator"], r["denominator"]), r["metric"]
    assert summary_full[["numerator", "denominator"]].equals(summary[["numerator", "denominator"]])

    print(f"schedule rows: {len(sched):,} (statuses: {sched['status'].value_counts().to_dict()})")
    print(summary[["metric", "numerator", "denominator", "percent"]].to_string(index=False))
    print(f"package, periods computed inside: {full_secs:.2f} s best of 3 "
          f"({', '.join(f'{t:.2f}' for t in full_runs)})  (target < 5 s)")
    print(f"  of which periods_of_care:      {periods_secs:.2f} s")
    print(f"package, periods given:          {fast_secs:.2f} s best of 3 ({', '.join(f'{t:.2f}' for t in fast_runs)})")
    print(f"per-review loop, periods given:  {base_secs:.2f} s")
    print(f"speed-up (loop / best package run, both given the periods): {base_secs / fast_secs:.0f}x  (target >= 50x)")
    print("results identical: yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
