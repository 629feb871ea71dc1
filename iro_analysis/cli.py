"""The ``iro-analysis`` command line.

Commands: ``synth`` (synthetic returns), ``report`` (one authority), ``batch`` (many, in
parallel), ``demo`` (what ``make report`` runs), ``reference`` (which published files were found),
``check-figures`` (consistency of a published report's figures).
Errors a user can fix are printed as one line and exit with status 2; no traceback (``--debug``
shows it). Ctrl-C or SIGTERM stops a batch, records what finished and exits with status 130.
"""

from __future__ import annotations

import argparse
import signal
import sys
import traceback
from pathlib import Path

from .errors import IroAnalysisError
from .log import log_to_stderr, logger

#: Authorities ``make report`` runs by default: two seed-report councils and others of different sizes.
DEFAULT_AUTHORITIES = ("872", "372", "330", "886", "213")

__all__ = ["main", "build_parser", "DEFAULT_AUTHORITIES"]


def _parse_param(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--param needs NAME=VALUE, got {text!r}")
    name, value = text.split("=", 1)
    import yaml

    # YAML typing, so 95.4 is a number and "872" stays text when quoted.
    try:
        return name.strip(), yaml.safe_load(value)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise argparse.ArgumentTypeError(
            f"--param {text!r}: the value is not valid YAML ({problem}); put quotes around text, "
            f"for example --param '{name.strip()}=\"{value}\"'"
        ) from None


def _add_run_options(parser, *, batch: bool) -> None:
    """Options shared by the commands that run report notebooks."""
    parser.add_argument("--param", action="append", type=_parse_param, default=[], metavar="NAME=VALUE",
                        help="extra notebook parameter, e.g. published_timeliness_percent=95.4 "
                             "(not la, year, data_dir or output_dir: use the options)")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds allowed for each report before its kernel is stopped (default 3600)")
    if batch:
        parser.add_argument("--quiet", action="store_true", help="no progress bar (for CI logs): only the summary")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback of an error")


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error of the command."""

    def error(self, message):
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="iro-analysis",
        description="Figures for Independent Reviewing Officer annual reports from the SSDA903 return.",
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    parser.add_argument("--verbose", action="store_true",
                        help="log what is done (reports started and finished, files read) on standard error")
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
    _add_run_options(report, batch=False)

    batch = sub.add_parser("batch", help="run reports for many authorities in parallel")
    batch.add_argument("--year", required=True)
    who = batch.add_mutually_exclusive_group(required=True)
    who.add_argument("--la", nargs="+", help="authorities to run")
    who.add_argument("--all", action="store_true", help="every authority in the reference lookup")
    batch.add_argument("--data-root", type=Path, help="folder with one return per authority: <root>/<la_code>/")
    batch.add_argument("--output", type=Path, default=Path("outputs"))
    batch.add_argument("--jobs", type=int, default=2, help="parallel workers (default 2)")
    batch.add_argument("--scheduler", help="Dask scheduler address to run on a cluster instead of local threads")
    _add_run_options(batch, batch=True)

    demo = sub.add_parser("demo", help="synthetic returns for the default authorities, then their reports")
    demo.add_argument("--year", default="2023")
    demo.add_argument("--la", nargs="+", default=list(DEFAULT_AUTHORITIES))
    demo.add_argument("--data-root", type=Path, default=Path("data/synthetic"))
    demo.add_argument("--output", type=Path, default=Path("outputs"))
    demo.add_argument("--jobs", type=int, default=2)
    demo.add_argument("--years", type=int, default=2, help="collection years per return (default 2)")
    _add_run_options(demo, batch=True)

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


def _print_manifest(manifest, *, index: Path, quiet: bool) -> int:
    """Summary after a batch: failed authorities (every one when quiet), counts, the index page."""
    for record in manifest.itertuples():
        if quiet or record.status != "ok":
            where = record.html if record.status == "ok" else f"{record.error}: {record.message}"
            kept = " (previous report kept)" if record.report == "previous kept" else ""
            print(f"  {record.la_code} {record.la_name}: {record.status} ({record.seconds:.1f} s) {where}{kept}")
    n_ok = int((manifest["status"] == "ok").sum())
    print(f"{n_ok} of {len(manifest)} reports produced. Index: {index}")
    return 0 if n_ok == len(manifest) else 1


def _run_report(args) -> int:
    from dataclasses import asdict

    import pandas as pd

    from .batch import run_report
    from .manifest import update_manifest

    record = run_report(args.la, args.year, data_dir=args.data, output_root=args.output,
                        parameters=dict(args.param), report_timeout=args.timeout)
    # The year's manifest and index describe this authority's folder as it now is.
    folder = Path(args.output) / str(record.year)
    update_manifest(folder, pd.DataFrame([asdict(record)]), year=record.year)
    if record.status != "ok":
        kept = " The previous report was kept." if record.report == "previous kept" else ""
        print(f"error: report for {record.la_name} failed: {record.error}: {record.message}{kept}", file=sys.stderr)
        return 1
    synthetic = " (synthetic data)" if record.synthetic else ""
    print(f"Report for {record.la_name} {record.year}{synthetic}: {record.html}")
    return 0


def _executor(args):
    if not getattr(args, "scheduler", None):
        return None
    try:
        from dask.distributed import Client
    except ImportError:
        raise IroAnalysisError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
    try:
        return Client(args.scheduler, timeout=30).get_executor()
    except OSError as exc:
        raise IroAnalysisError(
            f"cannot reach the Dask scheduler at {args.scheduler} ({exc}). Check the address, or run without --scheduler."
        ) from None


def _batch(args, las) -> int:
    from .batch import run_batch
    from .calendar import parse_year

    manifest = run_batch(args.year, las, data_root=args.data_root, output_root=args.output, jobs=args.jobs,
                         executor=_executor(args), parameters=dict(args.param), progress=not args.quiet,
                         report_timeout=args.timeout)
    index = (Path(args.output) / str(parse_year(args.year)) / "index.html").resolve()
    return _print_manifest(manifest, index=index, quiet=args.quiet)


def _run_batch(args) -> int:
    if args.all:
        from .reference import list_authorities

        las = list_authorities()["la_code"].tolist()
    else:
        las = args.la
    return _batch(args, las)


def _run_demo(args) -> int:
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
    args.scheduler = None
    return _batch(args, args.la)


def _run_reference(args) -> int:
    from .reference import format_inventory, reference_inventory

    print(format_inventory(reference_inventory()))
    return 0


def _run_check_figures(args) -> int:
    from .figure_check import run_check_figures

    return run_check_figures(args.figures, data_dir=args.data, output_format=args.format)


def _stop_on_sigterm() -> None:
    """Make SIGTERM stop a run the way Ctrl-C does (only the main thread can set handlers)."""
    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (for example, main() called from a worker)
        pass


def skip_iri_grammars() -> None:
    """Let jsonschema skip the IRI grammars it would compile at import (the command's own process).

    With ``rfc3987-syntax`` installed (Jupyter pulls it in), importing jsonschema, which
    nbformat does for papermill and nbconvert, compiles some 40 lark grammars for the "iri"
    format check: two to three seconds of every command's start. No notebook schema uses that
    format. A name set to None in ``sys.modules`` cannot be imported, and jsonschema then
    leaves the check out. Nothing is done once jsonschema is loaded.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def main(argv=None) -> int:
    """Entry point of the ``iro-analysis`` command."""
    if argv is None:  # the command itself, not a call from Python: its process is its own
        skip_iri_grammars()
    args = build_parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    if not (debug or args.verbose):
        return _dispatch(args, debug)
    # the handler is the command's: called from Python (tests, scripts), nothing is left behind
    level = logger.level
    handler = log_to_stderr("DEBUG" if debug else "INFO")
    try:
        return _dispatch(args, debug)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _dispatch(args, debug: bool) -> int:
    """Run the chosen command; errors a user can fix become one line and exit status 2."""
    handlers = {
        "synth": _run_synth,
        "report": _run_report,
        "batch": _run_batch,
        "demo": _run_demo,
        "reference": _run_reference,
        "check-figures": _run_check_figures,
    }
    _stop_on_sigterm()
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt as exc:
        from .batch import BatchInterrupted

        if debug:
            traceback.print_exc()
        if isinstance(exc, BatchInterrupted):
            done = (f"{len(exc.manifest)} report(s) finished and recorded in {exc.folder / 'manifest.csv'}"
                    if len(exc.manifest) else "no report finished; earlier reports and the manifest are unchanged")
            rest = (f"; {len(exc.cancelled)} cancelled ({' '.join(exc.cancelled)}): run those again to finish"
                    if exc.cancelled else "")
            print(f"interrupted: {done}{rest}.", file=sys.stderr)
        else:
            print("interrupted: nothing was published for the report that was running.", file=sys.stderr)
        return 130
    except (IroAnalysisError, OSError) as exc:
        if debug:
            traceback.print_exc()
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, IroAnalysisError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or exc}{where}. Check that the path exists and that you may write there (--debug for details)."
    from .batch import one_line

    return one_line(str(exc))


if __name__ == "__main__":
    sys.exit(main())
