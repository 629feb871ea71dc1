"""Run the report notebooks with papermill and export them to shareable HTML.

One task = one authority and year: papermill executes ``notebooks/authority_report.ipynb`` with
that authority's parameters, and the same worker exports the executed notebook to HTML with the
package's offline template (see :mod:`iro_analysis.export`). :func:`run_batch` runs many tasks
on any ``concurrent.futures`` executor (threads by default; pass
``dask.distributed.Client(...).get_executor()`` for a cluster), writes a manifest and an index
page, and never lets one authority's failure stop the others.

Output layout::

    outputs/<year>/<la_code>/report.html        shareable
    outputs/<year>/<la_code>/report.ipynb       executed notebook (analyst's copy)
    outputs/<year>/<la_code>/tables.xlsx        shareable tables
    outputs/<year>/<la_code>/restricted/        child-level lists, never shared
    outputs/<year>/manifest.csv, index.html
"""

from __future__ import annotations

import html as html_lib
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from .calendar import parse_year, year_label
from .errors import IroAnalysisError, ParameterError
from .export import atomic_write_text, notebook_to_html
from .report import report_paths

__all__ = [
    "RunRecord",
    "notebook_path",
    "notebook_parameters",
    "run_report",
    "run_batch",
    "write_index",
]

REPORT_NOTEBOOK = "authority_report.ipynb"


@dataclass(frozen=True)
class RunRecord:
    """What happened to one report: ``status`` is "ok", "failed" (an error in the analysis)
    or "infra" (the kernel died or timed out)."""

    la_code: str
    la_name: str
    year: int
    status: str
    error: str
    message: str
    seconds: float
    html: str


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
    import papermill as pm

    return {name: info["default"] for name, info in pm.inspect_notebook(str(notebook)).items()}


def _identifiers(data_dir) -> list[str]:
    """CHILD and UPN values of a return, to make sure none reaches the HTML."""
    if data_dir is None:
        return []
    from .ssda903 import load_ssda903

    data = load_ssda903(data_dir)
    values: set[str] = set()
    for table_name in getattr(data, "tables", []):
        table = getattr(data, table_name, None)
        if table is None:
            continue
        for column in ("CHILD", "UPN"):
            if column in table.columns:
                values.update(table[column].dropna().astype(str))
    return sorted(values)


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
) -> RunRecord:
    """Execute the report notebook for one authority and export it to HTML.

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
        Further notebook parameters (for example published figures to check).
    kernel_name : str, default "python3"
    timeout : int
        Seconds allowed per cell.

    Returns
    -------
    RunRecord
        Never raises for a failure inside the notebook: the record says what went wrong.

    Raises
    ------
    ParameterError
        For parameters the notebook does not declare (papermill itself would only warn).
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .reference import resolve_authority

    started = time.perf_counter()
    authority = resolve_authority(la)
    year_value = parse_year(year)
    template = Path(notebook) if Path(notebook).is_file() else notebook_path(str(notebook))
    # Absolute paths from here on: several reports may run in threads of one process, and
    # nothing below may depend on (or change) the process's working directory.
    template = template.resolve()
    data_dir = None if data_dir is None else Path(data_dir).resolve()
    output_root = Path(output_root).resolve()
    params = {
        "la": authority.la_code,
        "year": year_value,
        "data_dir": "" if data_dir is None else str(data_dir),
        "output_dir": str(output_root),
    }
    params.update(parameters or {})
    declared = notebook_parameters(template)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ParameterError(
            f"{template.name} has no parameter(s) {unknown}; it takes {sorted(declared)}."
        )
    paths = report_paths(output_root, year_value, authority.la_code)
    paths["folder"].mkdir(parents=True, exist_ok=True)
    status, error, message = "ok", "", ""
    try:
        executed = pm.execute_notebook(
            str(template),
            str(paths["notebook"]),
            parameters=params,
            kernel_name=kernel_name,
            progress_bar=False,
            execution_timeout=timeout,
            # no cwd=: papermill would chdir the whole process, which races between threads
        )
        notebook_to_html(
            executed,
            paths["html"],
            identifiers=_identifiers(data_dir),
            title=f"{authority.la_name} IRO report {year_label(year_value)}",
        )
    except PapermillExecutionError as exc:
        status, error, message = "failed", exc.ename, str(exc.evalue)
    except IroAnalysisError as exc:
        status, error, message = "failed", type(exc).__name__, str(exc)
    except Exception as exc:  # kernel death, timeouts: infrastructure, worth a retry
        status, error, message = "infra", type(exc).__name__, str(exc)
    return RunRecord(
        la_code=authority.la_code,
        la_name=authority.la_name,
        year=year_value,
        status=status,
        error=error,
        message=message.strip().splitlines()[-1] if message.strip() else "",
        seconds=round(time.perf_counter() - started, 2),
        html=str(paths["html"]) if status == "ok" else "",
    )


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
) -> pd.DataFrame:
    """Run :func:`run_report` for many authorities in parallel.

    Parameters
    ----------
    year : int or str
    las : iterable
        Authorities (any form :func:`iro_analysis.reference.resolve_authority` accepts).
    data_root : path, optional
        Folder holding one return per authority, in ``<data_root>/<la_code>/``. An authority
        without a folder is run without a return; the report notebook needs one, so its record
        says "failed" with the reason, and the others carry on.
    output_root : path, default "outputs"
    jobs : int, default 2
        Worker threads when no executor is given.
    executor : concurrent.futures.Executor, optional
        Any executor (for example a Dask client's ``get_executor()``).
    notebook, parameters
        As for :func:`run_report`.

    Returns
    -------
    DataFrame
        The manifest: ``la_code, la_name, year, status, error, message, seconds, html``;
        also written to ``<output_root>/<year>/manifest.csv`` with ``index.html`` beside it.
    """
    from .reference import resolve_authority

    year_value = parse_year(year)
    authorities = [resolve_authority(la) for la in las]
    output_root = Path(output_root).resolve()
    data_root = None if data_root is None else Path(data_root).resolve()
    if not authorities:
        raise ParameterError("no authorities given: pass la codes, or --all for every authority.")

    def data_for(authority):
        if data_root is None:
            return None
        folder = Path(data_root) / authority.la_code
        return folder if folder.exists() else None

    own_executor = executor is None
    pool = executor or ThreadPoolExecutor(max_workers=max(1, int(jobs)))
    try:
        futures = [
            pool.submit(
                run_report,
                authority.la_code,
                year_value,
                data_dir=data_for(authority),
                output_root=output_root,
                notebook=notebook,
                parameters=parameters,
            )
            for authority in authorities
        ]
        records = [future.result() for future in futures]
    finally:
        if own_executor:
            pool.shutdown(wait=True)
    manifest = pd.DataFrame([asdict(r) for r in records])
    folder = Path(output_root) / str(year_value)
    atomic_write_text(folder / "manifest.csv", manifest.to_csv(index=False))
    write_index(manifest, folder / "index.html", year=year_value)
    return manifest


def write_index(manifest: pd.DataFrame, path, *, year) -> Path:
    """Write a self-contained index page linking every authority's report."""
    rows = []
    for record in manifest.sort_values("la_name").itertuples():
        if record.status == "ok":
            link = f'<a href="{html_lib.escape(record.la_code)}/report.html">report</a>'
        else:
            link = f"{html_lib.escape(record.status)}: {html_lib.escape(str(record.error))}"
        rows.append(
            f"<tr><td>{html_lib.escape(record.la_name)}</td><td>{html_lib.escape(record.la_code)}</td>"
            f"<td>{link}</td><td>{record.seconds:.1f}</td></tr>"
        )
    n_ok = int((manifest["status"] == "ok").sum())
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>IRO reports {year_label(year)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}</style></head>
<body><h1>IRO reports {year_label(year)}</h1>
<p>{n_ok} of {len(manifest)} reports produced. Each report is a self-contained HTML file that opens
without network access and contains no child-level information.</p>
<table><thead><tr><th>Authority</th><th>DfE code</th><th>Report</th><th>Seconds</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></body></html>
"""
    return atomic_write_text(path, page)
