"""Benchmark the disclosure audit: HiGHS re-used per component against linprog per bound, same run.

Usage::

    python benchmarks/bench_audit.py [--las 872 330 886 ...] [--all N] [--year 2023] [--work FOLDER]

For each authority (default: Wokingham 872, Westminster 213, Birmingham 330, Kent 886 and the
City of London 201, the smallest), writes a synthetic return (two collection years, seed = DfE
code) unless one is in ``--work`` already, builds the authority report's cell system
(:func:`iro_analysis.authority_report.build`) and then, in the same run, chooses the hidden cells
with :func:`iro_analysis.disclosure_audit.protect` twice:

* *linprog*: every interval from two :func:`scipy.optimize.linprog` calls per cell (the
  audit's plain formulation, components and the cache of unchanged components kept);
* *HiGHS*: the audit as it runs in reports (one HiGHS model per component, re-solved per
  objective; cells fixed by one relation read directly).

Prints CPU seconds of each, their ratio, and whether the hidden sets and the audit intervals are
identical (they must be). ``--all N`` takes the first N authorities with a published count of
children in care instead. Not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ["872", "213", "330", "886", "201"]


def _system(code: str, returns: Path, year: int):
    from iro_analysis import authority_report
    from iro_analysis.report import validate_parameters
    from iro_analysis.ssda903 import load_ssda903
    from iro_analysis.synthetic import write_synthetic_returns

    folder = returns / code
    if not folder.exists():
        write_synthetic_returns(code, year, years=2, out=folder, seed=int(code))
    params = validate_parameters(code, year, data_dir=folder, output_dir=returns.parent / "out")
    return params.la_name, authority_report.build(params, load_ssda903(folder)).publication.system


def _protect(system, *, linprog: bool):
    from iro_analysis import disclosure_audit

    original = disclosure_audit._cell_ranges
    if linprog:
        disclosure_audit._cell_ranges = lambda a_eq, b_eq, bounds, indices: {
            i: disclosure_audit._cell_range(a_eq, b_eq, bounds, i) for i in indices}
    try:
        started = time.process_time()
        hidden, result = disclosure_audit.protect(system)
        return time.process_time() - started, hidden, result
    finally:
        disclosure_audit._cell_ranges = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--las", nargs="+", default=DEMO, help="DfE codes (default: the five demo authorities)")
    parser.add_argument("--all", type=int, default=0, help="instead, the first N authorities with published counts")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--work", type=Path, default=ROOT / "outputs" / "bench_audit",
                        help="folder for synthetic returns (default outputs/bench_audit)")
    args = parser.parse_args()
    codes = args.las
    if args.all:
        from iro_analysis.benchmarks import indicator_values

        counts = indicator_values("cla_count")
        las = counts[(counts["geographic_level"] == "Local authority") & counts["value"].notna()]
        codes = sorted(las["la_code"].unique())[:args.all]
    totals = {"linprog": 0.0, "highs": 0.0}
    differ = 0
    print(f"{'authority':28s} {'cells':>5s} {'hidden':>6s} {'linprog s':>9s} {'HiGHS s':>8s} {'ratio':>6s}  same")
    for code in codes:
        try:
            name, system = _system(code, args.work / "returns", args.year)
        except Exception as error:  # an authority the reference data cannot describe
            print(f"{code:28s} skipped: {str(error).splitlines()[0][:80]}")
            continue
        slow, hidden_slow, result_slow = _protect(system, linprog=True)
        fast, hidden_fast, result_fast = _protect(system, linprog=False)
        columns = ["key", "lower", "upper", "safe"]
        same = hidden_slow == hidden_fast and result_slow[columns].equals(result_fast[columns])
        differ += not same
        totals["linprog"] += slow
        totals["highs"] += fast
        print(f"{name[:28]:28s} {len(system.cells):5d} {len(hidden_fast):6d} {slow:9.2f} {fast:8.2f} "
              f"{slow / fast:5.1f}x  {'yes' if same else 'NO'}")
    print(f"\nall: linprog {totals['linprog']:.2f} s, HiGHS {totals['highs']:.2f} s (CPU), "
          f"ratio {totals['linprog'] / max(totals['highs'], 1e-9):.1f}x; "
          f"hidden sets and intervals identical: {'yes' if not differ else f'NO ({differ} authorities differ)'}")


if __name__ == "__main__":
    main()
