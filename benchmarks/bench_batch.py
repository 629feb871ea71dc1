"""Benchmark the batch against a naive papermill + nbconvert loop, in the same run.

Usage::

    python benchmarks/bench_batch.py [--las N] [--naive K] [--jobs 2] [--year 2023] [--work FOLDER]

1. Writes synthetic returns (two collection years each) for the first N authorities with a
   published number of children in care (default all, 153), timed separately: generating test
   data is not part of running reports.
2. Runs the naive loop on the first K of them (default 5): for each authority, the ``papermill``
   command on ``notebooks/authority_report.ipynb``, then ``jupyter nbconvert --to html
   --no-input``, one after the other.
3. Runs ``iro-analysis batch --jobs J`` on the same K authorities, then on all N, each in a
   fresh process and output folder, timed end to end (process start, imports, kernels, every
   report, manifest and index).

Prints seconds, the ratio naive / batch on the same authorities, seconds per stage (summed over
workers, from the executed notebooks' cell timings and timers around the runner's steps), peak
memory, report sizes, and, when N < 153, the time for 153 extrapolated from the two batch runs
(fixed cost + cost per report). Targets (issue 10): ratio >= 3, 153 authorities < 120 s, every
report < 500 KB. Not a test: timings depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "authority_report.ipynb"

# Cells of the report notebook, grouped by what they do (first match wins).
CELL_STAGES = [("authority_report.build", "notebook: compute + disclosure audit"),
               ("validate_parameters", "notebook: validate + load return"),
               ("report.chart", "notebook: charts"),
               ("report.excel", "notebook: workbook"),
               ("", "notebook: tables and text")]


def _authorities(n: int) -> list[str]:
    from iro_analysis.benchmarks import indicator_values

    counts = indicator_values("cla_count")
    las = counts[(counts["geographic_level"] == "Local authority") & counts["value"].notna()]
    return sorted(las["la_code"].unique())[:n]


def _synthesise(codes, root: Path, year: int) -> float:
    from iro_analysis.synthetic import write_synthetic_returns

    started = time.perf_counter()
    for code in codes:
        if not (root / code).exists():
            write_synthetic_returns(code, year, years=2, out=root / code, seed=int(code))
    return time.perf_counter() - started


def _naive(codes, returns: Path, out: Path, year: int) -> float:
    started = time.perf_counter()
    for code in codes:
        folder = out / str(year) / code
        folder.mkdir(parents=True, exist_ok=True)
        executed = folder / "report.ipynb"
        subprocess.run([str(BIN / "papermill"), str(NOTEBOOK), str(executed), "-r", "la", code, "-p", "year", str(year),
                        "-r", "data_dir", str(returns / code), "-r", "output_dir", str(out), "--no-progress-bar",
                        "--log-level", "ERROR"], check=True, cwd=NOTEBOOK.parent, stderr=subprocess.DEVNULL)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", "--log-level", "ERROR",
                        str(executed)], check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _batch(codes, returns: Path, out: Path, year: int, jobs: int) -> dict:
    """Run the batch in a fresh process (so its imports count) and return its measurements."""
    args = [sys.executable, __file__, "--child", "--year", str(year), "--jobs", str(jobs),
            "--returns", str(returns), "--out", str(out), "--codes", *codes]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(args, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    measured["wall"] = wall
    # CPU of the batch process and every kernel it started and waited for (what 2 cores must supply)
    measured["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return measured


def _child(args) -> None:
    """Inside the batch process: time the runner's steps, run the batch, print JSON."""
    started = time.perf_counter()
    from iro_analysis.cli import skip_iri_grammars

    skip_iri_grammars()  # as the iro-analysis command does in its own process
    import iro_analysis.batch as batch
    from iro_analysis import staging, warm

    stages: dict[str, float] = {"batch process: imports": time.perf_counter() - started}

    lock = threading.Lock()

    def timed(owner, name, stage):
        original = getattr(owner, name)

        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                with lock:
                    stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - t

        setattr(owner, name, wrapper)

    timed(warm.WarmKernel, "start", "kernel start + warm imports")
    timed(warm, "execute_notebook", "notebook run (all cells, incl. kernel start)")
    timed(batch, "_write_html", "HTML export")
    timed(batch, "_verify_staged", "final scan of shareable files")
    timed(batch, "_identifiers", "identifier list (return re-read)")
    timed(staging.StagedReport, "swap_in", "swap in")
    manifest = batch.run_batch(args.year, args.codes, data_root=args.returns, output_root=args.out, jobs=args.jobs)
    stages["batch total (in process)"] = time.perf_counter() - started
    import nbformat

    for code in args.codes:
        path = Path(args.out) / str(args.year) / code / "report.ipynb"
        if not path.is_file():
            continue
        for cell in nbformat.read(str(path), as_version=4).cells:
            timing = cell.get("metadata", {}).get("execution", {})
            if cell.cell_type != "code" or "iopub.execute_input" not in timing:
                continue
            import datetime as dt

            seconds = (dt.datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
                       - dt.datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))).total_seconds()
            stage = next(label for marker, label in CELL_STAGES if marker in cell.source)
            stages[stage] = stages.get(stage, 0.0) + seconds
    sizes = [(Path(args.out) / str(args.year) / c / "report.html").stat().st_size for c in args.codes
             if (Path(args.out) / str(args.year) / c / "report.html").is_file()]
    print(json.dumps({
        "statuses": manifest["status"].value_counts().to_dict(),
        "stages": stages,
        "peak_rss_batch_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_kernel_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "html_kb": [round(s / 1024) for s in sizes],
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--las", type=int, default=153, help="authorities in the full batch (default 153)")
    parser.add_argument("--naive", type=int, default=5, help="authorities in the naive loop and its batch (default 5)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--work", type=Path, default=ROOT / "outputs" / "bench_batch",
                        help="folder for returns and outputs (default outputs/bench_batch)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--returns", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--codes", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    import shutil

    codes = _authorities(args.las)
    few = codes[:args.naive]
    returns = args.work / "returns"
    generation = _synthesise(codes, returns, args.year)
    print(f"synthetic returns for {len(codes)} authorities: {generation:.1f} s (not counted below)")
    for name in ("naive", "batch_few", "batch_all"):
        shutil.rmtree(args.work / name, ignore_errors=True)
    naive = _naive(few, returns, args.work / "naive", args.year)
    naive_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    same = _batch(few, returns, args.work / "batch_few", args.year, args.jobs)
    print(f"\nsame {len(few)} authorities: naive loop {naive:.1f} s, batch --jobs {args.jobs} {same['wall']:.1f} s, "
          f"ratio {naive / same['wall']:.2f}x (target >= 3x)")
    full = _batch(codes, returns, args.work / "batch_all", args.year, args.jobs)
    print(f"all {len(codes)} authorities: batch {full['wall']:.1f} s ({full['wall'] / len(codes):.2f} s per report), "
          f"statuses {full['statuses']}")
    print(f"CPU, all processes: {same['cpu']:.1f} s for {len(few)} authorities, {full['cpu']:.1f} s for {len(codes)} "
          f"({full['cpu'] / len(codes):.2f} s per report)")
    if len(codes) < 153 and len(codes) > len(few):
        per_report = (full["wall"] - same["wall"]) / (len(codes) - len(few))
        fixed = full["wall"] - per_report * len(codes)
        print(f"extrapolated to 153: {fixed + per_report * 153:.0f} s (fixed {fixed:.1f} s + {per_report:.2f} s "
              "per report, from the two batch runs) (target < 120 s)")
    print(f"\nseconds per stage, all {len(codes)} authorities (summed over {args.jobs} workers):")
    for stage, seconds in sorted(full["stages"].items(), key=lambda item: -item[1]):
        print(f"  {stage:48s} {seconds:8.1f}  ({seconds / len(codes):.2f} per report)")
    print(f"\npeak memory: batch process {full['peak_rss_batch_mb']:.0f} MB, largest kernel "
          f"{full['peak_rss_kernel_mb']:.0f} MB (x{args.jobs} kernels); naive loop largest process {naive_rss:.0f} MB")
    sizes = full["html_kb"]
    if sizes:
        print(f"report.html: {min(sizes)}-{max(sizes)} KB (median {sorted(sizes)[len(sizes) // 2]} KB); "
              f"{sum(s >= 500 for s in sizes)} of {len(sizes)} at 500 KB or more (target < 500 KB)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
