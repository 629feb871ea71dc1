"""Benchmark the foundation: loading an England-sized synthetic stack and building cohorts.

Usage::

    python benchmarks/bench_foundation.py [--las N] [--years 2022 2024] [--seed 0]
                                          [--keep DIR | --data DIR] [--skip-cohorts] [--profile]

Generates synthetic returns for every authority in ``reference.list_authorities()`` (or the
first N), three collection years each, written once to a temporary folder as
``<la>/<year>/*.csv`` (``--keep DIR`` writes them to DIR and keeps them; ``--data DIR`` reuses
a stack written earlier with ``--keep`` and skips generation). Then times, in the same run:

* ``iro_analysis.load_ssda903`` on every authority's stack (the package loader), against a
  baseline of plain ``pandas.read_csv(dtype=str)`` of the same files (no parsing, no checks);
* ``iro_analysis.cohorts.cohort_tables`` for the final year when it exists (otherwise
  ``periods_of_care`` + ``in_care_on``), against a baseline of a plain pandas groupby counting
  children with an open episode on 31 March.

Reports seconds, rows per second, peak memory (tracemalloc for Python allocations and the
process maximum resident set size) and the ratios to the baselines. Targets: load < 5 s and
< 2 GB for England. Not a test: nothing is asserted. Timings on a shared machine vary by a
factor of two with the load from other processes: compare the ratio to the baseline, which is
measured in the same run, and repeat the run.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd


_TRACE = False
# CPU seconds of the process (all threads) per timed function: less disturbed than wall time
# when other processes share the machine.
_CPU: dict[str, float] = {}


def _timed(fn):
    """Run ``fn`` once: seconds, and peak Python allocation (tracemalloc) if --tracemalloc.

    tracemalloc slows Python-heavy code several-fold, so timings are taken without it unless
    asked; the process maximum RSS is always reported.
    """
    if _TRACE:
        tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    secs = time.perf_counter() - t0
    _CPU[fn.__name__] = time.process_time() - c0
    peak = tracemalloc.get_traced_memory()[1] if _TRACE else 0
    if _TRACE:
        tracemalloc.stop()
    return out, secs, peak


def _mb(nbytes: int) -> str:
    return f"{nbytes / 1e6:.0f} MB" if _TRACE else "n/a (--tracemalloc)"


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / (1024 if sys.platform == "darwin" else 1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--las", type=int, default=None, help="only the first N authorities (default: all)")
    ap.add_argument("--years", type=int, nargs=2, default=(2022, 2024), metavar=("FIRST", "LAST"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tracemalloc", action="store_true", help="also measure peak Python allocations (slower)")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--keep", type=Path, default=None, metavar="DIR",
                       help="write the generated stack to DIR (created) and keep it for --data")
    where.add_argument("--data", type=Path, default=None, metavar="DIR",
                       help="reuse a stack written earlier with --keep DIR (no generation)")
    ap.add_argument("--skip-cohorts", action="store_true", help="time the loader only")
    ap.add_argument("--profile", type=Path, default=None, metavar="FILE",
                    help="also write cProfile statistics of the load and cohort runs to FILE.load / FILE.cohorts")
    args = ap.parse_args(argv)
    global _TRACE
    _TRACE = args.tracemalloc

    import iro_analysis as iro
    from iro_analysis import synthetic
    from iro_analysis.reference import list_authorities

    first, last = args.years
    n_years = last - first + 1
    las = list_authorities()
    rates = synthetic._ref("cla_rates")()
    current = set(rates.loc[(rates["measure"] == "cla_31_march") & (rates["year"] == last) & rates["count"].gt(0),
                            "la_code"].astype(str))
    codes = [c for c in las["la_code"].astype(str) if c in current]
    if args.las:
        codes = codes[: args.las]
    if args.data is not None:
        root = args.data
        codes = [c for c in codes if (root / c).is_dir()]
        if not codes:
            ap.error(f"--data {root}: no authority folders found (write one with --keep)")
    elif args.keep is not None:
        root = args.keep
        root.mkdir(parents=True, exist_ok=False)
    else:
        root = Path(tempfile.mkdtemp(prefix="iro_bench_"))
    try:
        if args.data is None:
            t0 = time.perf_counter()
            for code in codes:
                synthetic.write_synthetic_returns(code, last, years=n_years, out=root / code, seed=args.seed)
            gen_secs = time.perf_counter() - t0
        files = sorted(f for c in codes for f in (root / c).glob("[0-9]*/*.csv"))
        size_mb = sum(f.stat().st_size for f in files) / 1e6
        print(f"authorities: {len(codes)}  years: {first}-{last}  files: {len(files)}  size: {size_mb:.1f} MB")
        if args.data is None:
            print(f"generate + write: {gen_secs:.1f} s ({gen_secs / max(len(codes), 1) / n_years:.2f} s per authority-year)")
        else:
            print(f"reusing stack in {root} (no generation)")

        # baseline: plain read_csv of the same files
        def baseline():
            return sum(len(pd.read_csv(f, dtype=str, keep_default_na=False)) for f in files)

        base_rows, base_secs, base_peak = _timed(baseline)
        rss_before = _maxrss_mb()

        # the loader reads <stack>/<year>/; the synthetic truth files beside the year folders
        # are not part of a return, so each authority's year folders are linked under a clean parent
        stacks = {code: _stack_folder(root / code, root / "_stacks" / code, first, last) for code in codes}

        def load_all():
            return {code: iro.load_ssda903(folder) for code, folder in stacks.items()}

        loaded, load_secs, load_peak = _timed(load_all)
        if args.profile is not None:
            _profile(load_all, Path(f"{args.profile}.load"))
        rows = sum(len(getattr(d, t)) for d in loaded.values() for t in d.tables)
        print(f"CPU time: baseline {_CPU['baseline']:.2f} s, load_ssda903 {_CPU['load_all']:.2f} s "
              f"(x{_CPU['load_all'] / max(_CPU['baseline'], 1e-9):.2f})")
        print(f"baseline pandas.read_csv: {base_secs:.2f} s, {base_rows:,} rows, "
              f"{base_rows / base_secs:,.0f} rows/s, peak {_mb(base_peak)}")
        print(f"iro.load_ssda903:         {load_secs:.2f} s, {rows:,} rows, {rows / load_secs:,.0f} rows/s, "
              f"peak {_mb(load_peak)}  (x{load_secs / base_secs:.2f} time"
              f"{', x%.2f memory' % (load_peak / max(base_peak, 1)) if _TRACE else ''} vs baseline); max RSS {rss_before:.0f} -> {_maxrss_mb():.0f} MB")

        end = pd.Timestamp(f"{last}-03-31")
        cohorts = iro.cohorts

        def cohort_run():
            out = {}
            for code, d in loaded.items():
                if hasattr(cohorts, "cohort_tables"):
                    out[code] = cohorts.cohort_tables(d, year=last)
                else:
                    out[code] = (cohorts.periods_of_care(d), cohorts.in_care_on(d, end))
            return out

        def cohort_baseline():
            n = 0
            for d in loaded.values():
                ep = d.episodes[d.episodes["collection_year"] == last] if "collection_year" in d.episodes else d.episodes
                m = (ep["DECOM"] <= end) & (ep["DEC"].isna() | (ep["DEC"] > end)) & ~ep["LS"].isin(["V3", "V4"])
                n += ep.loc[m, "CHILD"].nunique()
            return n

        what = "cohort_tables" if hasattr(cohorts, "cohort_tables") else "periods_of_care + in_care_on"
        if args.skip_cohorts:
            print(f"process max RSS: {_maxrss_mb():.0f} MB")
            print(f"targets: load < 5 s -> {'met' if load_secs < 5 else 'NOT met'}; "
                  f"< 2 GB -> {'met' if _maxrss_mb() < 2048 else 'NOT met'}")
            return 0
        _, c_secs, c_peak = _timed(cohort_run)
        if args.profile is not None:
            _profile(cohort_run, Path(f"{args.profile}.cohorts"))
        n_stock, cb_secs, _ = _timed(cohort_baseline)
        ep_rows = sum(len(d.episodes) for d in loaded.values())
        print(f"cohorts.{what} ({last}): {c_secs:.2f} s, {ep_rows / c_secs:,.0f} episode rows/s, "
              f"peak {_mb(c_peak)}  (baseline stock count {cb_secs:.2f} s, {n_stock:,} children; "
              f"x{c_secs / max(cb_secs, 1e-9):.1f})")
        print(f"process max RSS: {_maxrss_mb():.0f} MB")
        print(f"targets: load < 5 s -> {'met' if load_secs < 5 else 'NOT met'}; "
              f"< 2 GB -> {'met' if _maxrss_mb() < 2048 else 'NOT met'}")
    finally:
        if args.data is None and args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


def _profile(fn, out: Path) -> None:
    """Run ``fn`` again under cProfile (after the timed run) and save the statistics."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.runcall(fn)
    prof.dump_stats(out)
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


def _stack_folder(src: Path, dst: Path, first: int, last: int) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for y in range(first, last + 1):
        link = dst / str(y)
        if not link.exists():
            link.symlink_to(src / str(y), target_is_directory=True)
    return dst


if __name__ == "__main__":
    raise SystemExit(main())
