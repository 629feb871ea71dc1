"""The ``iro-analysis`` command line.

Commands: ``synth`` (synthetic returns), ``report`` (one authority), ``batch`` (many, in
parallel), ``demo`` (what ``make report`` runs), ``reference`` (which published files were found),
``check-figures`` (consistency of a published report's figures).
Errors a user can fix are printed as one line and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import IroAnalysisError

#: Authorities ``make report`` runs by default: two seed-report councils and others of different sizes.
DEFAULT_AUTHORITIES = ("872", "372", "330", "886", "213")

__all__ = ["main", "build_parser", "DEFAULT_AUTHORITIES"]


def _parse_param(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--param needs NAME=VALUE, got {text!r}")
    name, value = text.split("=", 1)
    import yaml

    # YAML typing, so 95.4 is a number and "872" stays text when quoted.
    return name.strip(), yaml.safe_load(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iro-analysis",
        description="Figures for Independent Reviewing Officer annual reports from the SSDA903 return.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    synth = sub.add_parser("synth", help="write synthetic SSDA903 return(s) with known defects")
    synth.add_argument("--la", required=True, help="authority: DfE code (872), ONS code or name")
    synth.add_argument("--year", required=True, help="last collection year, ending 31 March (2023 or 2022-23)")
    synth.add_argument("--years", type=int, default=1, help="number of consecutive collection years (default 1)")
    synth.add_argument("--out", required=True, type=Path, help="folder to write (one sub-folder per year)")
    synth.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same files")

    report = sub.add_parser("report", help="run the report notebook for one authority and export HTML")
    report.add_argument("--la", required=True)
    report.add_argument("--year", required=True)
    report.add_argument("--data", type=Path, help="the authority's SSDA903 return (folder or XML file)")
    report.add_argument("--output", type=Path, default=Path("outputs"), help="output root (default outputs)")
    report.add_argument("--param", action="append", type=_parse_param, default=[], metavar="NAME=VALUE",
                        help="extra notebook parameter, e.g. published_timeliness_percent=95.4")

    batch = sub.add_parser("batch", help="run reports for many authorities in parallel")
    batch.add_argument("--year", required=True)
    who = batch.add_mutually_exclusive_group(required=True)
    who.add_argument("--la", nargs="+", help="authorities to run")
    who.add_argument("--all", action="store_true", help="every authority in the reference lookup")
    batch.add_argument("--data-root", type=Path, help="folder with one return per authority: <root>/<la_code>/")
    batch.add_argument("--output", type=Path, default=Path("outputs"))
    batch.add_argument("--jobs", type=int, default=2, help="parallel workers (default 2)")
    batch.add_argument("--scheduler", help="Dask scheduler address to run on a cluster instead of local threads")

    demo = sub.add_parser("demo", help="synthetic returns for the default authorities, then their reports")
    demo.add_argument("--year", default="2023")
    demo.add_argument("--la", nargs="+", default=list(DEFAULT_AUTHORITIES))
    demo.add_argument("--data-root", type=Path, default=Path("data/synthetic"))
    demo.add_argument("--output", type=Path, default=Path("outputs"))
    demo.add_argument("--jobs", type=int, default=2)
    demo.add_argument("--years", type=int, default=2, help="collection years per return (default 2)")

    sub.add_parser("reference", help="list the published reference files found and where to get missing ones")

    figures = sub.add_parser(
        "check-figures",
        help="check a published report's figures (FIGURES.yml): sums, percentages, rates, neighbour averages",
        description="Exit status 0 when nothing is inconsistent, 1 when findings exist, 2 on unusable input. "
                    "The FIGURES.yml format is described in docs/figures.md.",
    )
    figures.add_argument("figures", type=Path, metavar="FIGURES.yml")
    figures.add_argument("--data", type=Path, help="the authority's SSDA903 return, to recompute figures from it")
    figures.add_argument("--format", choices=("text", "csv", "json"), default="text")
    return parser


def _run_synth(args) -> int:
    from .synthetic import write_synthetic_returns

    path = write_synthetic_returns(args.la, args.year, years=args.years, out=args.out, seed=args.seed)
    print(f"Synthetic return written to {path}")
    return 0


def _print_manifest(manifest) -> int:
    for record in manifest.itertuples():
        where = record.html if record.status == "ok" else f"{record.error}: {record.message}"
        print(f"  {record.la_code} {record.la_name}: {record.status} ({record.seconds:.1f} s) {where}")
    return 0 if (manifest["status"] == "ok").all() else 1


def _run_report(args) -> int:
    from .batch import run_report

    record = run_report(args.la, args.year, data_dir=args.data, output_root=args.output,
                        parameters=dict(args.param))
    if record.status != "ok":
        print(f"error: report for {record.la_name} failed: {record.error}: {record.message}", file=sys.stderr)
        return 1
    print(f"Report for {record.la_name} {record.year}: {record.html}")
    return 0


def _executor(args):
    if not getattr(args, "scheduler", None):
        return None
    try:
        from dask.distributed import Client
    except ImportError:
        raise IroAnalysisError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
    return Client(args.scheduler).get_executor()


def _run_batch(args) -> int:
    from .batch import run_batch

    if args.all:
        from .reference import list_authorities

        las = list_authorities()["la_code"].tolist()
    else:
        las = args.la
    manifest = run_batch(args.year, las, data_root=args.data_root, output_root=args.output,
                         jobs=args.jobs, executor=_executor(args))
    status = _print_manifest(manifest)
    print(f"Index: {Path(args.output) / str(manifest['year'].iloc[0]) / 'index.html'}")
    return status


def _run_demo(args) -> int:
    from .batch import run_batch
    from .calendar import parse_year
    from .reference import resolve_authority
    from .synthetic import write_synthetic_returns

    year = parse_year(args.year)
    for la in args.la:
        authority = resolve_authority(la)
        target = Path(args.data_root) / authority.la_code
        if not target.exists():
            write_synthetic_returns(authority.la_code, year, years=args.years, out=target, seed=int(authority.la_code))
            print(f"Synthetic return for {authority.la_name}: {target}")
    manifest = run_batch(year, args.la, data_root=args.data_root, output_root=args.output, jobs=args.jobs)
    status = _print_manifest(manifest)
    index = (Path(args.output) / str(year) / "index.html").resolve()
    print(f"\nReports ready. Open {index}")
    return status


def _run_reference(args) -> int:
    from .reference import format_inventory, reference_inventory

    print(format_inventory(reference_inventory()))
    return 0


def _run_check_figures(args) -> int:
    from .quality.figures import run_check_figures

    return run_check_figures(args.figures, data_dir=args.data, output_format=args.format)


def main(argv=None) -> int:
    """Entry point of the ``iro-analysis`` command."""
    args = build_parser().parse_args(argv)
    handlers = {
        "synth": _run_synth,
        "report": _run_report,
        "batch": _run_batch,
        "demo": _run_demo,
        "reference": _run_reference,
        "check-figures": _run_check_figures,
    }
    try:
        return handlers[args.command](args)
    except IroAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
