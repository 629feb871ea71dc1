"""The record of a year's reports: ``manifest.csv`` and the ``index.html`` that links them.

Both describe every authority that has ever been run in the year folder, not only the last batch:
:func:`update_manifest` merges a batch's records into what is already there (the newest record of
each authority wins), under a lock so that two batches finishing together do not lose rows.
"""

from __future__ import annotations

import contextlib
import html as html_lib
from pathlib import Path

import pandas as pd

from .calendar import year_label
from .export import atomic_write_text

__all__ = ["MANIFEST_COLUMNS", "read_manifest", "update_manifest", "write_index"]

#: Columns of ``manifest.csv``. ``report`` says what the authority's folder holds after the run:
#: "new" (this run's report), "previous kept" (the run failed; the last complete report stays)
#: or "none". ``synthetic`` is True when the return was synthetic.
MANIFEST_COLUMNS = ["la_code", "la_name", "year", "status", "error", "message", "seconds", "html",
                    "report", "synthetic", "finished"]


def read_manifest(path) -> pd.DataFrame:
    """Read a manifest (older ones without the newer columns too); empty if there is none."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype={"la_code": str}, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError):
        return pd.DataFrame(columns=MANIFEST_COLUMNS)
    for column in MANIFEST_COLUMNS:
        if column not in frame.columns:
            frame[column] = "new" if column == "report" else ""
    frame["seconds"] = pd.to_numeric(frame["seconds"], errors="coerce").fillna(0.0)
    frame["synthetic"] = frame["synthetic"].astype(str).str.lower().isin(["true", "1"])
    return frame[MANIFEST_COLUMNS]


@contextlib.contextmanager
def _locked(folder: Path):
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks; last writer wins
        yield
        return
    with open(folder / ".manifest.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update_manifest(folder, records: pd.DataFrame, *, year) -> pd.DataFrame:
    """Merge records into ``<folder>/manifest.csv`` and rewrite ``index.html`` from the result.

    Parameters
    ----------
    folder : path
        The year folder.
    records : DataFrame
        This run's rows (:data:`MANIFEST_COLUMNS`); they replace earlier rows of the same authority.
    year : int

    Returns
    -------
    DataFrame
        The whole manifest after the merge, sorted by authority name.
    """
    folder = Path(folder)
    records = records.reindex(columns=MANIFEST_COLUMNS)
    with _locked(folder):
        earlier = read_manifest(folder / "manifest.csv")
        earlier = earlier[~earlier["la_code"].isin(set(records["la_code"]))]
        parts = [frame for frame in (earlier, records) if not frame.empty]
        merged = pd.concat(parts, ignore_index=True) if parts else records
        merged = merged.sort_values(["la_name", "la_code"]).reset_index(drop=True)
        atomic_write_text(folder / "manifest.csv", merged.to_csv(index=False))
        write_index(merged, folder / "index.html", year=year)
    return merged


def _link(record) -> str:
    code = html_lib.escape(str(record.la_code))
    link = f'<a href="{code}/report.html">report</a>'
    if record.status == "ok":
        return link
    what = f"{html_lib.escape(str(record.status))}: {html_lib.escape(str(record.error))}"
    if getattr(record, "report", "") == "previous kept":
        return f"{what}; previous {link} kept"
    return what


def write_index(manifest: pd.DataFrame, path, *, year) -> Path:
    """Write a self-contained index page linking every authority's report.

    Rows made from synthetic returns are marked, and the page title says so when every row is.
    """
    ordered = manifest.sort_values("la_name")
    synthetic = (ordered["synthetic"] if "synthetic" in ordered else pd.Series(False, index=ordered.index)).astype(bool)
    rows = []
    for record, is_synthetic in zip(ordered.itertuples(), synthetic):
        mark = " <strong>(synthetic data)</strong>" if is_synthetic else ""
        rows.append(
            f"<tr><td>{html_lib.escape(str(record.la_name))}{mark}</td><td>{html_lib.escape(str(record.la_code))}</td>"
            f"<td>{_link(record)}</td><td>{float(record.seconds):.1f}</td></tr>"
        )
    n_ok = int((manifest["status"] == "ok").sum())
    all_synthetic = len(manifest) > 0 and bool(synthetic.all())
    title = f"{'SYNTHETIC DATA - ' if all_synthetic else ''}IRO reports {year_label(year)}"
    banner = ""
    if synthetic.any():
        banner = ("<p><strong>Reports marked synthetic are made from synthetic returns: invented children, "
                  "not facts about these councils.</strong></p>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}</style></head>
<body><h1>{title}</h1>{banner}
<p>{n_ok} of {len(manifest)} reports produced. Each report is a self-contained HTML file that opens
without network access and contains no child-level information.</p>
<table><thead><tr><th>Authority</th><th>DfE code</th><th>Report</th><th>Seconds</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></body></html>
"""
    return atomic_write_text(path, page)
