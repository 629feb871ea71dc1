"""Run the report notebooks with papermill and export them to shareable HTML.

One task = one authority and year: ``notebooks/authority_report.ipynb`` is executed with that
authority's parameters, and the same worker exports the executed notebook to HTML with the
package's offline template (see :mod:`iro_analysis.export`). :func:`run_report` alone starts a
kernel with papermill; :func:`run_batch` runs its reports on warm kernels that serve authority
after authority and are reset in between (:mod:`iro_analysis.warm`), so imports, kernel start,
reference data and national tables are paid once per worker, not once per report. It runs the
tasks on any ``concurrent.futures`` executor (threads by default; pass
``dask.distributed.Client(...).get_executor()`` for a cluster), merges their records into the
year's manifest and index page, and never lets one authority's failure stop the others.

Every report is written into a staging folder and swapped in only when all its files were
written and checked (:mod:`iro_analysis.staging`): a failed, timed-out or interrupted run keeps
the previous complete report, or none. Ctrl-C (or SIGTERM, through the command) cancels the
authorities not started, kills the running kernels (:mod:`iro_analysis.kernels`), records what
finished and raises :class:`BatchInterrupted`.

Output layout::

    outputs/<year>/<la_code>/report.html        shareable
    outputs/<year>/<la_code>/report.ipynb       executed notebook (analyst's copy)
    outputs/<year>/<la_code>/tables.xlsx        shareable tables
    outputs/<year>/<la_code>/restricted/        child-level lists, never shared (owner-only)
    outputs/<year>/manifest.csv, index.html     every authority run in this folder
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import functools
import logging
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from .calendar import parse_year, year_label
from .errors import DisclosureError, IroAnalysisError, ParameterError
from .export import _write_html
from .inputs import check_year_requested, is_synthetic
from .log import logger
from .manifest import MANIFEST_COLUMNS, update_manifest, write_index
from .staging import StagedReport, prepare_year_folder, remove_stale_staging

__all__ = [
    "RunRecord",
    "BatchInterrupted",
    "RESERVED_PARAMETERS",
    "notebook_path",
    "notebook_parameters",
    "run_report",
    "run_batch",
    "write_index",
    "one_line",
]

REPORT_NOTEBOOK = "authority_report.ipynb"

#: Notebook parameters the runner sets itself; ``parameters=`` (``--param``) may not override them.
RESERVED_PARAMETERS = {"la": "--la", "year": "--year", "data_dir": "--data or --data-root", "output_dir": "--output"}


@dataclass(frozen=True)
class RunRecord:
    """What happened to one report.

    ``status`` is "ok", "failed" (an error in the analysis or its input), "infra" (the kernel
    died, the report timed out, or the executor gave up) or "cancelled" (interrupted; never
    written to the manifest). ``report`` says what the authority's folder now holds: "new",
    "previous kept" or "none"; ``html`` is that report's path ("" for none).
    """

    la_code: str
    la_name: str
    year: int
    status: str
    error: str
    message: str
    seconds: float
    html: str
    report: str = "none"
    synthetic: bool = False
    finished: str = ""


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by Ctrl-C or SIGTERM after recording what finished.

    Attributes
    ----------
    manifest : DataFrame
        Records of the reports that finished (also merged into ``manifest.csv``).
    cancelled : list of str
        DfE codes of the authorities cancelled or stopped.
    folder : Path
        The year folder holding ``manifest.csv`` and ``index.html``.
    """

    def __init__(self, manifest: pd.DataFrame, cancelled: list[str], folder: Path):
        self.manifest, self.cancelled, self.folder = manifest, cancelled, folder
        super().__init__(f"interrupted: {len(manifest)} report(s) finished, {len(cancelled)} cancelled; "
                         f"manifest {folder / 'manifest.csv'}")


def notebook_path(name: str = REPORT_NOTEBOOK) -> Path:
    """Find a report notebook: the project's ``notebooks/`` folder, then ``./notebooks``."""
    candidates = [
        Path(__file__).resolve().parents[1] / "notebooks" / name,
        Path.cwd() / "notebooks" / name,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ParameterError(
        f"notebook {name!r} not found in {[str(c.parent) for c in candidates]}. Run from the project folder."
    )


def notebook_parameters(notebook: Path) -> dict:
    """The parameters a notebook declares (``papermill.inspect_notebook``): name -> default."""
    path = Path(notebook).resolve()
    try:
        state = path.stat()
    except OSError:  # papermill's own error names the file
        return _inspect_parameters.__wrapped__(path, None)
    # A batch checks the same notebook for every authority; papermill parses it each time
    # (about 30 ms). The file's identity, size and time tell when it has changed.
    return dict(_inspect_parameters(path, (state.st_ino, state.st_size, state.st_mtime_ns)))


@functools.lru_cache(maxsize=16)
def _inspect_parameters(path: Path, state) -> dict:
    import papermill as pm

    return {name: info["default"] for name, info in pm.inspect_notebook(str(path)).items()}


def _template(notebook) -> Path:
    template = Path(notebook) if Path(notebook).is_file() else notebook_path(str(notebook))
    # Absolute paths from here on: several reports may run in threads of one process, and
    # nothing may depend on (or change) the process's working directory.
    return template.resolve()


def check_parameters(template: Path, parameters: dict | None) -> None:
    """Refuse extra parameters that the runner sets itself or that the notebook does not declare.

    Raises
    ------
    ParameterError
        Naming the parameter and the option to use instead.
    """
    parameters = parameters or {}
    reserved = [name for name in RESERVED_PARAMETERS if name in parameters]
    if reserved:
        name = reserved[0]
        raise ParameterError(
            f"--param may not set {name!r}: the runner sets it from {RESERVED_PARAMETERS[name]}, so every file "
            f"and title agrees with the folder it is written to. Use {RESERVED_PARAMETERS[name]} instead."
        )
    declared = notebook_parameters(template)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ParameterError(
            f"{template.name} has no parameter(s) {unknown}; it takes {sorted(declared)}."
        )


def _identifiers(data_dir) -> list[str]:
    """CHILD and UPN values of a return, to make sure none reaches a shareable file."""
    if data_dir is None:
        return []
    from .report import child_identifiers
    from .ssda903 import load_ssda903

    return child_identifiers(load_ssda903(data_dir))

def _without_identifiers(message: str, data_dir) -> str:
    """An error message safe for the shared manifest: any child identifier in it is replaced."""
    import re

    from .disclosure import IdentifierGuard

    try:
        guard = IdentifierGuard(_identifiers(data_dir))
    except Exception:  # a return that cannot be loaded: nothing to match against
        return message
    for value in guard.in_text(message):
        message = re.sub(f"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", "[child identifier removed]", message)
    return message


def _verify_staged(folder: Path, identifiers, scanned: dict | None = None) -> None:
    """Last check of a staged report's shareable files before they replace the published ones.

    Every shareable file (``report.html``, ``tables.xlsx``, the executed ``report.ipynb``) is
    scanned by :func:`iro_analysis.export.scan_shareable_folder`: child identifiers as whole
    values of any characters, full postcodes, UPN-shaped values, scripts, formulas. On refusal
    the staged folder is discarded by the caller, so no shareable file of this run survives.

    Raises
    ------
    DisclosureError
        Naming the first file and place found.
    """
    from .export import scan_shareable_folder

    problems = scan_shareable_folder(folder, identifiers, scanned=scanned)
    if problems:
        raise DisclosureError(
            f"the report was not published: {problems[0]} ({len(problems)} problem(s) in all). "
            "Remove child-level output from the notebook."
        )


def one_line(text: str) -> str:
    r"""One line from an error message: its first line, plus where to download a missing file.

    Examples
    --------
    >>> one_line("Reference file 'a.csv' was not found.\nFolders searched:\n  - x\nDownload it from: https://e.org")
    "Reference file 'a.csv' was not found. Download it from: https://e.org"
    """
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    if not lines:
        return ""
    extra = [line for line in lines[1:] if line.startswith("Download it from")]
    return " ".join(lines[:1] + extra)


def _record(authority, year: int, status: str, error: str, message: str, started: float, *,
            final: Path | None, synthetic: bool) -> RunRecord:
    html = None if final is None else final / "report.html"
    seconds = round(time.perf_counter() - started, 2)
    if status == "ok":
        logger.info("%s %s: report written in %.1f s", authority.la_code, year, seconds)
    else:  # the message has had child identifiers removed by the caller (it is shared)
        logger.warning("%s %s: %s (%s) after %.1f s: %s", authority.la_code, year, status, error, seconds,
                       one_line(message))
    if status == "ok":
        report = "new"
    else:
        report = "previous kept" if html is not None and html.is_file() else "none"
    return RunRecord(
        la_code=authority.la_code,
        la_name=authority.la_name,
        year=year,
        status=status,
        error=error,
        message=one_line(message),
        seconds=seconds,
        html=str(html) if report != "none" else "",
        report=report,
        synthetic=synthetic,
        finished=dt.datetime.now().isoformat(timespec="seconds"),
    )


# 110 lines, 42 of them the docstring (parameters, method, worked examples): 49 lines of code.
def run_report(
    la,
    year,
    *,
    data_dir=None,
    output_root="outputs",
    notebook: str | Path = REPORT_NOTEBOOK,
    parameters: dict | None = None,
    kernel_name: str = "python3",
    timeout: int = 900,
    report_timeout: float | None = 3600,
    cancel: threading.Event | None = None,
    token: str | None = None,
    warm_pool: str | None = None,
) -> RunRecord:
    """Execute the report notebook for one authority, export it to HTML and publish it whole.

    Parameters
    ----------
    la : str or int
        Authority (DfE code, ONS code or name).
    year : int or str
        Year ending 31 March.
    data_dir : path, optional
        The authority's SSDA903 return.
    output_root : path, default "outputs"
    notebook : str or Path
        Notebook file name in ``notebooks/`` or a path.
    parameters : dict, optional
        Further notebook parameters (for example published figures to check); not ``la``,
        ``year``, ``data_dir`` or ``output_dir``, which the runner sets.
    kernel_name : str, default "python3"
    timeout : int
        Seconds allowed per cell.
    report_timeout : float or None, default 3600
        Seconds allowed for the whole report; its kernel is then killed and the record says
        "infra", "Timeout".
    cancel : threading.Event, optional
        When set (by :func:`run_batch` on Ctrl-C), a report not yet started is not run.
    token : str, optional
        Names this run's kernel for :func:`iro_analysis.kernels.kill_kernels`.
    warm_pool : str, optional
        A batch id: run on that batch's warm kernels in this process (:mod:`iro_analysis.warm`)
        instead of a new kernel started by papermill.

    Returns
    -------
    RunRecord
        Never raises for a failure inside the notebook: the record says what went wrong, and
        the authority's folder keeps its previous complete report (or none).

    Raises
    ------
    ParameterError
        For parameters the notebook does not declare (papermill itself would only warn), for a
        parameter the runner sets, or an output folder that cannot be written.
    """
    from .reference import resolve_authority

    started = time.perf_counter()
    authority = resolve_authority(la)
    year_value = check_year_requested(year)
    template = _template(notebook)
    check_parameters(template, parameters)
    data_dir = None if data_dir is None else Path(data_dir).resolve()
    year_folder = prepare_year_folder(Path(output_root).resolve() / str(year_value))
    final = year_folder / authority.la_code
    synthetic = is_synthetic(data_dir)

    def outcome(status, error="", message=""):
        if status != "ok":
            message = _without_identifiers(message, data_dir)  # the manifest and index are shared
        return _record(authority, year_value, status, error, message, started, final=final, synthetic=synthetic)

    if cancel is not None and cancel.is_set():
        return outcome("cancelled", "Cancelled", "the batch was interrupted before this report started")
    token = token or uuid.uuid4().hex
    timed_out = threading.Event()
    watchdog = None
    if report_timeout:
        from .kernels import kill_kernels

        watchdog = threading.Timer(report_timeout, lambda: (timed_out.set(), kill_kernels(token)))
        watchdog.daemon = True
    params = {
        "la": authority.la_code,
        "year": year_value,
        "data_dir": "" if data_dir is None else str(data_dir),
        **(parameters or {}),
    }
    title = f"{'SYNTHETIC DATA - ' if synthetic else ''}{authority.la_name} IRO report {year_label(year_value)}"
    with StagedReport(year_folder, year_value, authority.la_code) as staged:
        params["output_dir"] = str(staged.root)
        try:
            if watchdog is not None:
                watchdog.start()
            _execute(template, staged, params, kernel_name=kernel_name, timeout=timeout, token=token,
                     identifiers_from=data_dir, title=title, warm_pool=warm_pool)
            staged.swap_in()
            return outcome("ok")
        except Exception as exc:  # classified below: every failure becomes a record
            if cancel is not None and cancel.is_set():
                return outcome("cancelled", "Cancelled", "stopped by an interrupt; nothing was published")
            if timed_out.is_set():
                return outcome("infra", "Timeout", f"the report ran longer than {report_timeout:g} s and was stopped; "
                               "look for a cell that hangs, or allow more time (report_timeout)")
            return outcome(*_classify(exc))
        finally:
            if watchdog is not None:
                watchdog.cancel()


def _classify(exc: Exception) -> tuple[str, str, str]:
    from nbclient.exceptions import CellExecutionError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, (PapermillExecutionError, CellExecutionError)):
        return "failed", exc.ename, str(exc.evalue)
    if isinstance(exc, IroAnalysisError):
        return "failed", type(exc).__name__, str(exc)
    if isinstance(exc, OSError) and exc.filename:
        return "failed", type(exc).__name__, f"{exc.strerror or exc}: {exc.filename}"
    # kernel death, cell timeouts: infrastructure, worth a retry
    return "infra", type(exc).__name__, str(exc) or type(exc).__name__


def _execute(template: Path, staged: StagedReport, params: dict, *, kernel_name: str, timeout: int,
             token: str, identifiers_from, title: str, warm_pool: str | None = None) -> None:
    import papermill as pm

    from .kernels import ReportKernelManager, kernel_scope

    def execute():
        with kernel_scope(token):
            if warm_pool is not None:
                from .warm import execute_notebook

                return execute_notebook(template, staged.folder / "report.ipynb", params, batch_id=warm_pool,
                                        token=token, kernel_name=kernel_name, timeout=timeout)
            try:
                return pm.execute_notebook(
                    str(template),
                    str(staged.folder / "report.ipynb"),
                    parameters=params,
                    kernel_name=kernel_name,
                    kernel_manager_class=ReportKernelManager,
                    progress_bar=False,
                    execution_timeout=timeout,
                    # no cwd=: papermill would chdir the whole process, which races between threads
                )
            finally:
                _close_idle_loop()

    # A fresh context: jupyter_core keeps "the event loop of this thread" in a context variable,
    # and an executor (Dask's in-process workers) may hand a task the context of a thread whose
    # loop is running ("This event loop is already running").
    executed = contextvars.Context().run(execute)
    identifiers = _identifiers(identifiers_from)
    page, digest = _write_html(executed, staged.folder / "report.html", identifiers=identifiers, title=title)
    _verify_staged(staged.folder, identifiers, scanned={page.name: digest})  # the page was scanned as it was written


def _close_idle_loop() -> None:
    """Close the event loop papermill made for this thread (unless it is running)."""
    with contextlib.suppress(RuntimeError):
        loop = asyncio.get_event_loop_policy().get_event_loop()
        if not loop.is_running():
            loop.close()
            asyncio.set_event_loop(None)


def _data_dirs(data_root, authorities) -> dict[str, Path]:
    """Each authority's return under ``data_root``; refuse before any work if one is missing."""
    if data_root is None:
        raise ParameterError(
            "a batch needs --data-root: the folder holding one return per authority (<data-root>/<DfE code>/). "
            "For synthetic returns run `iro-analysis demo`, or `iro-analysis synth` for each authority."
        )
    root = Path(data_root).resolve()
    if not root.is_dir():
        raise ParameterError(f"--data-root {root} is not a folder. Give the folder holding <DfE code>/ sub-folders.")
    missing = [a for a in authorities if not (root / a.la_code).exists()]
    if missing:
        shown = ", ".join(f"{a.la_code} ({a.la_name})" for a in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ParameterError(
            f"no return for {len(missing)} of {len(authorities)} authorities in {root}: {shown}{more}. Put each "
            f"return in {root}/<DfE code>/, or list only the authorities that have one (--la)."
        )
    return {a.la_code: root / a.la_code for a in authorities}


def _return_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _largest_first(authorities: list, returns: dict[str, Path]) -> list:
    """Authorities in the order to start them: largest return first (ties in the order given).

    A report's time grows with its return; starting the long ones first leaves short ones to
    fill the workers at the end, instead of one long report running alone.
    """
    sizes = {a.la_code: _return_bytes(returns[a.la_code]) for a in authorities}
    return sorted(authorities, key=lambda a: -sizes[a.la_code])


def _dask_workers(pool) -> int | None:
    """Workers of a Dask executor (None for any other executor; 0 if the scheduler is gone)."""
    client = getattr(pool, "_client", None)
    if client is None or not hasattr(client, "nthreads"):
        return None
    try:
        return len(client.nthreads())
    except Exception:  # scheduler unreachable: as good as no workers
        return 0


def _wait_for_workers(pool, seconds: float) -> None:
    if _dask_workers(pool) != 0:
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if _dask_workers(pool):
            return
    address = getattr(getattr(pool, "_client", None), "scheduler", None)
    raise IroAnalysisError(
        f"the Dask scheduler {getattr(address, 'address', '')} has no workers (waited {seconds:g} s). Start some with "
        "`dask worker ADDRESS`, or run without --scheduler to use local threads."
    )


# 118 lines, 42 of them the docstring (parameters, method, worked examples): 58 lines of code.
def run_batch(
    year,
    las,
    *,
    data_root=None,
    output_root="outputs",
    jobs: int = 2,
    executor: Executor | None = None,
    notebook: str | Path = REPORT_NOTEBOOK,
    parameters: dict | None = None,
    progress: bool = False,
    timeout: int = 900,
    report_timeout: float | None = 3600,
    worker_wait: float = 60.0,
) -> pd.DataFrame:
    """Run :func:`run_report` for many authorities in parallel, on warm kernels.

    Each worker keeps one kernel for the length of the batch (:mod:`iro_analysis.warm`); it is
    reset before every authority and stopped when the batch ends.

    Parameters
    ----------
    year : int or str
    las : iterable
        Authorities (any form :func:`iro_analysis.reference.resolve_authority` accepts).
    data_root : path
        Folder holding one return per authority, in ``<data_root>/<la_code>/``. Every
        authority must have one: a missing folder is refused before any report starts.
    output_root : path, default "outputs"
    jobs : int, default 2
        Worker threads when no executor is given.
    executor : concurrent.futures.Executor, optional
        Any executor (for example a Dask client's ``get_executor()``). A report the executor
        gives up on (a Dask ``KilledWorker``) becomes an "infra" record.
    notebook, parameters, timeout, report_timeout
        As for :func:`run_report`.
    progress : bool, default False
        Show a progress bar with one line per finished authority on standard error.
    worker_wait : float, default 60
        With a Dask executor: seconds to wait for a worker at the start, and to go on waiting
        when every worker has gone before the remaining reports are recorded as "infra".

    Returns
    -------
    DataFrame
        This run's records (:data:`iro_analysis.manifest.MANIFEST_COLUMNS`), in the order given;
        merged into ``<output_root>/<year>/manifest.csv`` and ``index.html``, which keep the
        authorities of earlier runs.

    Raises
    ------
    ParameterError
        Before any report starts: no authorities, a missing return, a bad parameter, an output
        folder that cannot be written.
    BatchInterrupted
        On Ctrl-C, after the running kernels were killed and what finished was recorded.
    """
    from .kernels import forget_kills, kill_kernels
    from .progress import BatchProgress
    from .reference import resolve_authority

    year_value = check_year_requested(year)
    authorities = list({a.la_code: a for a in (resolve_authority(la) for la in las)}.values())
    if not authorities:
        raise ParameterError("no authorities given: pass la codes, or --all for every authority.")
    template = _template(notebook)
    check_parameters(template, parameters)
    returns = _data_dirs(data_root, authorities)
    folder = prepare_year_folder(Path(output_root).resolve() / str(year_value))
    remove_stale_staging(folder)
    batch_id = uuid.uuid4().hex
    cancel = threading.Event()
    own_executor = executor is None
    pool = executor or ThreadPoolExecutor(max_workers=max(1, int(jobs)))
    records: dict[str, RunRecord] = {}
    futures: dict = {}
    interrupted = False
    bar = BatchProgress(len(authorities), enabled=progress)
    logger.info("batch %s: %d report(s) for %s, %d worker(s)", batch_id[:8], len(authorities), year_value,
                max(1, int(jobs)) if own_executor else 0)
    papermill_log = logging.getLogger("papermill")
    log_level = papermill_log.level
    try:
        _wait_for_workers(pool, worker_wait)
        futures.update({
            pool.submit(
                run_report, authority.la_code, year_value, data_dir=returns[authority.la_code],
                output_root=folder.parent, notebook=template, parameters=parameters, timeout=timeout,
                report_timeout=report_timeout, token=f"{batch_id}/{authority.la_code}", warm_pool=batch_id,
                # an Event cannot travel to another process; remote reports are cancelled by Dask
                cancel=cancel if own_executor else None,
            ): authority
            for authority in _largest_first(authorities, returns)
        })
        _collect(futures, records, bar, pool, folder, worker_wait)
    except KeyboardInterrupt:
        interrupted = True
        cancel.set()
        # The kernels about to be killed would each log "Kernel died ..."; the interrupt says enough.
        papermill_log.setLevel(logging.CRITICAL)
        kill_kernels(batch_id)
        _drain(futures, records, folder)
    finally:
        papermill_log.setLevel(log_level)
        bar.close()
        if own_executor:
            pool.shutdown(wait=not interrupted, cancel_futures=True)
        _close_warm_kernels(pool, batch_id)
        forget_kills(batch_id)
    finished = [records[a.la_code] for a in authorities if a.la_code in records
                and records[a.la_code].status != "cancelled"]
    manifest = pd.DataFrame([asdict(r) for r in finished], columns=MANIFEST_COLUMNS)
    if finished:
        update_manifest(folder, manifest, year=year_value)
    if interrupted:
        raise BatchInterrupted(manifest, [a.la_code for a in authorities if a.la_code not in
                                          {r.la_code for r in finished}], folder)
    return manifest


def _close_warm_kernels(pool, batch_id: str) -> None:
    """Stop the batch's warm kernels here and, on a Dask cluster, on every worker."""
    from .warm import close_pool

    client = getattr(pool, "_client", None)
    if client is not None and hasattr(client, "run"):
        with contextlib.suppress(Exception):  # a worker that has gone took its kernels with it
            client.run(close_pool, batch_id)
    close_pool(batch_id)


def _gave_up(authority, folder: Path, exc: BaseException | str) -> RunRecord:
    """The record of a report whose executor raised (or lost it) instead of returning a record."""
    year = int(folder.name)
    final = folder / authority.la_code
    if isinstance(exc, CancelledError):
        return _record(authority, year, "cancelled", "Cancelled", "cancelled before it started", time.perf_counter(),
                       final=final, synthetic=False)
    if isinstance(exc, str):
        return _record(authority, year, "infra", "NoWorkers", exc, time.perf_counter(), final=final, synthetic=False)
    try:
        reason = str(exc)
    except Exception:  # an exception object that cannot describe itself
        reason = repr(getattr(exc, "args", ()))
    return _record(authority, year, "infra", type(exc).__name__, f"the executor gave up on this report: {reason}",
                   time.perf_counter(), final=final, synthetic=False)


def _collect(futures: dict, records: dict, bar, pool, folder: Path, worker_wait: float) -> None:
    pending = set(futures)
    no_workers_since = None
    while pending:
        done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
        for future in done:
            authority = futures[future]
            try:
                record = future.result()
            except BaseException as exc:  # KilledWorker, CancelledError, anything the executor raises
                if isinstance(exc, KeyboardInterrupt):
                    raise
                record = _gave_up(authority, folder, exc)
            records[authority.la_code] = record
            bar.update(record)
        if done or not pending:
            continue
        workers = _dask_workers(pool)
        if workers != 0:
            no_workers_since = None
            continue
        no_workers_since = no_workers_since or time.monotonic()
        if time.monotonic() - no_workers_since > worker_wait:
            for future in pending:
                future.cancel()
                authority = futures[future]
                records[authority.la_code] = _gave_up(
                    authority, folder,
                    f"every Dask worker had gone for {worker_wait:g} s; start workers and run this authority again")
                bar.update(records[authority.la_code])
            return


def _drain(futures: dict, records: dict, folder: Path, seconds: float = 60.0) -> None:
    """After an interrupt: cancel what has not started and wait (briefly) for the rest to stop."""
    for future in futures:
        future.cancel()
    try:
        wait(futures, timeout=seconds)
    except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
        pass
    for future, authority in futures.items():
        if authority.la_code in records or not future.done() or future.cancelled():
            continue
        try:
            records[authority.la_code] = future.result()
        except BaseException as exc:
            records[authority.la_code] = _gave_up(authority, folder, exc)
